"""Print the progress table after `make run`: where each municipality stands, where the data is."""

import duckdb

from .resources import build_resources

QUERY = """
select
    programme,
    municipality,
    year,
    target_pct,
    reduction_estimated_pct,
    reduction_measured_pct,
    status
from marts.municipality_progress
where year = (select max(year) from marts.municipality_progress p where p.programme = programme)
   or year in (2015, 2020)
order by programme, municipality, year
"""


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def main() -> None:
    path = build_resources()["warehouse"].path
    with duckdb.connect(path, read_only=True) as con:
        rows = con.execute(QUERY).fetchall()
        files = con.execute(
            "select count(*), sum(rows_loaded), sum(rows_quarantined) from ops.files"
        ).fetchall()[0]
    header = (
        "programme",
        "municipality",
        "year",
        "target %",
        "estimated %",
        "measured %",
        "status",
    )
    table = [header, *[tuple(_cell(v) for v in row) for row in rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for index, row in enumerate(table):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    print()
    print(f"{files[0]} files: {files[1]:,} rows loaded, {files[2]:,} quarantined (ops.quarantine).")
    print(f"Warehouse: {path}")
    print("Open it read-only from a notebook: duckdb.connect(path, read_only=True)")


if __name__ == "__main__":
    main()
