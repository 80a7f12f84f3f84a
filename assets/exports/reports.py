"""Reports people open: an Excel workbook and a PNG chart per programme, and a REMM indicator CSV.

Everything is read from the marts and ref schemas and written into the run's stage folder, which
the warehouse's publication moves into `reports/` (publish.py), so a reader never sees half a file
or a report the warehouse does not hold. Text that a spreadsheet would
run as a formula (= + - @ at the start) is always written as text.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# (sheet title, query, bound parameter is the programme). Columns keep the marts' names so an
# analyst can find each figure again in the warehouse.
VIEWS = (
    (
        "Progress",
        "select * from marts.municipality_progress where programme = ? "
        "order by municipality_code, year",
    ),
    ("Programme", "select * from marts.programme_progress where programme = ? order by year"),
    (
        "Substitution rates",
        "select * from marts.substitution_rates where programme = ? order by municipality_code",
    ),
    (
        "Virtual meetings",
        "select * from marts.virtual_meetings where programme = ? "
        "order by municipality_code, year, platform",
    ),
    (
        "Data quality",
        "select * from marts.data_quality_flags where programme = ? "
        "order by municipality_code, year, flag",
    ),
    (
        "Historical codes",
        "select * from marts.municipality_progress_historical where programme = ? "
        "order by historical_code, year",
    ),
    (
        "Factors",
        "select f.* from ref.factors f join ref.programmes p on f.country in (p.country, '*') "
        "where p.programme = ? order by f.factor, f.country, f.year_from",
    ),
    (
        "Distances",
        "select distinct d.* from ref.distances d "
        "join ref.municipalities m on m.code = d.from_code "
        "join ref.programme_members pm "
        "on pm.municipality_code = coalesce(m.successor_code, m.code) "
        "where pm.programme = ? order by d.from_code, d.to_code nulls first",
    ),
)

REMM_SQL = """
select
    programme,
    municipality_code,
    municipality,
    year,
    employees,
    virtual_meetings as digital_meetings,
    virtual_meetings_per_employee as digital_meetings_per_employee,
    trips,
    trips_per_employee,
    trip_km,
    trip_co2_kg,
    trip_co2_kg_per_employee,
    co2_avoided_kg,
    co2_avoided_kg_per_employee,
    factor_version
from marts.municipality_progress
where virtual_meetings > 0 or trips is not null
order by programme, municipality_code, year
"""


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend, imported when a chart is drawn (it costs
    a third of a second, which a run with nothing to draw should not pay)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def formula_safe(value):
    """A value as a spreadsheet should show it: text that looks like a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _number_format(name: str) -> str | None:
    if name == "year" or name.endswith("_year") or name.endswith("_code"):
        return "0"
    if name.endswith("_pct"):
        return "0.0"
    if name.endswith("per_employee"):
        return "0.000"
    if name in ("value", "round_trip_km"):
        return "General"
    if name.endswith(("_kg", "_km", "_mwh", "trips", "hours")) or name.startswith("avoided"):
        return "#,##0.0"
    if name in ("meetings", "virtual_meetings", "trips", "employees", "cost_avoided"):
        return "#,##0"
    return None


def set_cell(cell, value) -> None:
    """Put a value in a cell; text starting like a formula stays text (quote prefix)."""
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_sheet(workbook: Workbook, title: str, columns: list[str], rows: list[tuple]):
    """One view as a sheet: bold frozen header, a number format per column, text kept as text."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            set_cell(sheet.cell(row=r, column=c), value)
    for c, name in enumerate(columns, start=1):
        fmt = _number_format(name)
        letter = get_column_letter(c)
        sheet.column_dimensions[letter].width = max(10, min(40, len(name) + 2))
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=c, max_col=c):
                cell.number_format = fmt
    sheet.freeze_panes = "A2"
    return sheet


def add_progress_chart(sheet, columns: list[str], n_rows: int) -> None:
    """A native Excel line chart of the programme's reduction against its stepped target."""
    from openpyxl.chart import LineChart, Reference
    from openpyxl.utils import get_column_letter

    chart = LineChart()
    chart.title = "Trips to meetings: reduction against the baseline year (%)"
    chart.y_axis.title = "% fewer trips than the baseline year"
    chart.x_axis.title = "year"
    for name in (
        "target_pct",
        "reduction_measured_pct",
        "reduction_estimated_pct",
        "reduction_estimated_low_pct",
        "reduction_estimated_high_pct",
    ):
        if name not in columns:
            continue
        col = columns.index(name) + 1
        data = Reference(sheet, min_col=col, min_row=1, max_row=n_rows + 1)
        chart.add_data(data, titles_from_data=True)
    years = Reference(sheet, min_col=columns.index("year") + 1, min_row=2, max_row=n_rows + 1)
    chart.set_categories(years)
    chart.height, chart.width = 9, 18
    sheet.add_chart(chart, f"{get_column_letter(len(columns) + 2)}2")


def build_workbook(con: duckdb.DuckDBPyConnection, programme: str, name: str) -> Workbook:
    """The programme's workbook: an About sheet, a sheet per view and a chart of progress."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    about = workbook.active
    about.title = "About"
    versions = con.execute(
        "select distinct factor_version from marts.municipality_progress "
        "where programme = ? and factor_version is not null order by 1",
        [programme],
    ).fetchall()
    lines = (
        ("programme", programme),
        ("name", name),
        (
            "method",
            "docs/methodology.md: judged on measured trips (1 - trips / baseline trips) where "
            "claims exist; else the estimate: meetings above the baseline year x the "
            "substitution rate calibrated on the municipality's own measured decline (sheet "
            "Substitution rates: rate, band, source, years, leave-one-year-out error), bounded "
            "by the trips that could have been made; reconciliation_gap_pct = estimated - "
            "measured where both exist",
        ),
        ("factor versions", "; ".join(v for (v,) in versions)),
        (
            "note",
            "Avoided emissions are reported beside an emissions inventory, never subtracted "
            "from it. Reference figures marked 'check before use' are approximate.",
        ),
    )
    for r, (label, value) in enumerate(lines, start=1):
        about.cell(row=r, column=1, value=label).font = Font(bold=True)
        set_cell(about.cell(row=r, column=2), value)
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    for title, sql in VIEWS:
        result = con.execute(sql, [programme])
        columns = [d[0] for d in result.description]
        rows = result.fetchall()
        sheet = write_sheet(workbook, title, columns, rows)
        if title == "Programme" and rows:
            add_progress_chart(sheet, columns, len(rows))
    return workbook


TREND_SQL = """
select municipality, year, year_target_pct, reduction_measured_pct, reduction_estimated_pct,
       reduction_estimated_low_pct, reduction_estimated_high_pct
from marts.municipality_progress
where programme = ?
  and municipality_code in (
      select municipality_code
      from marts.municipality_progress
      where programme = ?
        and (reduction_measured_pct is not null or reduction_estimated_pct is not null)
  )
order by municipality, year
"""


def _series(rows: list[tuple], index: int) -> list[float]:
    return [float("nan") if r[index] is None else min(r[index], 100.0) for r in rows]


def plot_trend(ax, municipality: str, rows: list[tuple]) -> None:
    """One municipality: the measured line, the estimated band and the stepped target."""
    years = [r[1] for r in rows]
    ax.step(years, _series(rows, 2), where="post", color="black", linewidth=1.2, label="target")
    ax.fill_between(
        years, _series(rows, 5), _series(rows, 6), color="tab:orange", alpha=0.25,
        label="estimated (low-high)",
    )  # fmt: skip
    ax.plot(years, _series(rows, 4), color="tab:orange", linestyle="--", label="estimated")
    ax.plot(years, _series(rows, 3), color="tab:blue", marker="o", markersize=3, label="measured")
    ax.set_ylim(min(0.0, *(v for v in _series(rows, 3) if v == v), 0.0) - 5, 100)
    ax.set_title(municipality, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)


def plot_progress(con: duckdb.DuckDBPyConnection, programme: str, name: str, path: Path) -> None:
    """A trend per municipality with data: the measured reduction (travel claims), the estimated
    band (meetings), and the stepped target; no line is ever drawn above 100 %."""
    rows = con.execute(TREND_SQL, [programme, programme]).fetchall()
    by_municipality: dict[str, list[tuple]] = {}
    for row in rows:
        by_municipality.setdefault(row[0], []).append(row)
    count = max(1, len(by_municipality))
    columns = min(3, count)
    lines = -(-count // columns)
    plt = pyplot()
    fig, axes = plt.subplots(
        lines, columns, figsize=(4 * columns, 2.8 * lines + 0.8), dpi=80, squeeze=False
    )
    for ax in axes.flat:
        ax.set_axis_off()
    if not by_municipality:
        axes[0][0].text(
            0.5, 0.5, "no data: no baseline-year travel records", ha="center", va="center"
        )
    for ax, (municipality, series) in zip(axes.flat, by_municipality.items(), strict=False):
        ax.set_axis_on()
        plot_trend(ax, municipality, series)
    if by_municipality:
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper center", ncol=4, fontsize=8, frameon=False,
                   bbox_to_anchor=(0.5, 0.98))  # fmt: skip
    missing = con.execute(
        "select count(distinct municipality_code) filter (where baseline_trips is null) "
        "from marts.municipality_progress where programme = ?",
        [programme],
    ).fetchall()[0][0]
    if missing:
        fig.text(
            0.01,
            0.005,
            f"{missing} municipalities without baseline-year travel records: no percentage "
            "(not shown)",
            fontsize=7,
        )
    fig.suptitle(f"{name}: % fewer trips to meetings than the baseline year", fontsize=10, y=1.0)
    fig.tight_layout(rect=(0, 0.02, 1, 0.93))
    atomic_write(path, lambda handle: fig.savefig(handle, format="png"))
    plt.close(fig)


def remm_indicators(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
    """Trafikverket REMM indicators per municipality and year: digital meetings, trips and CO2,
    absolute and per employee."""
    result = con.execute(REMM_SQL)
    return [d[0] for d in result.description], result.fetchall()


def write_csv(path: Path, columns: list[str], rows: list[tuple]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else formula_safe(v) for v in row])
    data = buffer.getvalue().encode("utf-8-sig")
    atomic_write(path, lambda handle: handle.write(data))


def atomic_write(path: Path, write: Callable) -> None:
    """Write through a temporary file in the same folder, then os.replace it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are for colleagues to open
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, Path]:
    """Every programme's workbook and chart plus the REMM CSV; returns the files by label."""
    files: dict[str, Path] = {}
    programmes = con.execute("select programme, name from ref.programmes order by all").fetchall()
    for programme, name in programmes:
        workbook = build_workbook(con, programme, name or programme)
        xlsx = folder / f"{programme}.xlsx"
        atomic_write(xlsx, workbook.save)
        files[f"{programme}_workbook"] = xlsx
        png = folder / f"{programme}_progress.png"
        plot_progress(con, programme, name or programme, png)
        files[f"{programme}_chart"] = png
    columns, rows = remm_indicators(con)
    remm = folder / "remm_indicators.csv"
    write_csv(remm, columns, rows)
    files["remm_indicators"] = remm
    return files
