"""Staging: every raw export kind mapped by its contract onto two shared, deduplicated tables."""

from __future__ import annotations

from schemas import Contract

from ..db import ident, lit

MEETING_COLUMNS = (
    ("period_start", "date"),
    ("period_end", "date"),
    ("meetings", "bigint"),
    ("participants", "bigint"),
    ("duration_s", "double"),
    ("media", "varchar"),
    ("one_to_one", "boolean"),
    ("max_trips", "bigint"),
    ("person_meetings", "double"),
    ("declared_trips", "double"),
    ("declared_km", "double"),
)
# Optional mappings: a contract that cannot say leaves them empty. max_trips: at most one trip per
# person and day; person_meetings: the meetings a person-level row's person attended;
# declared_trips/_km: trips (and their km) that the municipality declares the meetings replaced.
OPTIONAL = {
    name: "null" for name in ("max_trips", "person_meetings", "declared_trips", "declared_km")
}
# Figures a report's title block states that staging prefers to, or falls back on from, its rows.
STATED_FIGURES = ("duration_s", "period_start")
TRIP_COLUMNS = (
    ("trip_date", "date"),
    ("purpose", "varchar"),
    ("distance_km", "double"),
    ("mode", "varchar"),
    ("cost", "double"),
    ("is_meeting", "boolean"),
)


# The files an incremental build stages (a temporary table the build fills, see increment.py).
NEW_FILES = "staged_paths"


def _deduplicated(contract: Contract, only_new: bool) -> str:
    """raw.<kind>'s rows that the contract stages (its `where`), with rows that several
    overlapping exports share kept once (natural key). Filtering first keeps the window small:
    the copies of one row agree on the filter, so the result is the same. `only_new` keeps the
    rows of the files in NEW_FILES (whose keys no other file shares, see increment.py)."""
    table = f"raw.{contract.kind}"
    filters = [f"({contract.staging['where']})"] if contract.staging.get("where") else []
    if only_new:
        filters.append(f"source_path in (select path from {NEW_FILES})")
    where = f" where {' and '.join(filters)}" if filters else ""
    if not contract.natural_key:
        return f"(select * from {table}{where})" if where else table
    key = ", ".join(ident(k) for k in contract.natural_key)
    # Only rows whose key hashes like another's need the window (a hash collision just sends a
    # row through it too); the millions of single calls pass straight through. `not
    # materialized`: DuckDB would otherwise store every column of every row of a CTE read three
    # times before reading it (at 10 M rows, 1.6 GB spilled and twice the time).
    return f"""(
        with keyed as not materialized (
            select *, hash(municipality_code, {key}) as __key_hash from {table}{where}
        ),
        shared as not materialized (
            select __key_hash from keyed group by __key_hash having count(*) > 1
        )
        select * exclude (__key_hash) from keyed anti join shared using (__key_hash)
        union all
        (
            select * exclude (__key_hash) from keyed semi join shared using (__key_hash)
            qualify row_number() over (partition by municipality_code, {key}
                                       order by source_path, source_part, source_line) = 1
        )
    )"""


def _select(contract: Contract, columns: tuple[tuple[str, str], ...], only_new: bool) -> str:
    staging = contract.staging
    platform = staging.get("platform") or f"'{contract.platform}'"
    group_by = staging.get("group_by")
    keys = "source_path" if not group_by else "any_value(source_path)"
    code = "municipality_code" if not group_by else "any_value(municipality_code)"
    if group_by:
        platform = f"any_value({platform})"
    mapped = {name: staging.get(name, OPTIONAL.get(name)) for name, _ in columns}
    stated = [f for f in STATED_FIGURES if f in contract.title_figures] if group_by else []
    if "duration_s" in stated:
        # the meeting length its report states (ops.stated_figures), else the rows' own
        mapped["duration_s"] = f"coalesce(any_value(s_duration_s.stated), {mapped['duration_s']})"
    if "period_start" in stated:
        # rows without a time of their own (Zoom's unique users) take the meeting's stated start
        day = "cast(epoch_ms(cast(any_value(s_period_start.stated) * 1000 as bigint)) as date)"
        for name in ("period_start", "period_end"):
            mapped[name] = f"coalesce({mapped[name]}, {day})"
    typed = [f"cast({mapped[name]} as {kind}) as {name}" for name, kind in columns]
    sql = (
        f"select {keys} as source_path, '{contract.kind}' as export_kind, "
        + ("" if contract.family == "trips" else f"{platform} as platform, ")
        + f"{code} as municipality_code, "
        + ", ".join(typed)
        + f" from {_deduplicated(contract, only_new)} as r"
    )
    for figure in stated:
        sql += (
            f" left join ops.stated_figures s_{figure} on s_{figure}.path = r.source_path "
            f"and s_{figure}.part is not distinct from r.source_part "
            f"and s_{figure}.figure = {lit(figure)}"
        )
    if group_by:
        sql += f" group by {group_by}"
    return sql


def _stacked(contracts: tuple[Contract, ...], family: str, only_new: bool) -> str:
    columns = MEETING_COLUMNS if family == "meeting_activity" else TRIP_COLUMNS
    parts = [_select(c, columns, only_new) for c in contracts if c.family == family]
    return "\nunion all\n".join(parts)


def meeting_activity_sql(contracts: tuple[Contract, ...], only_new: bool = False) -> str:
    """One select per meeting export kind, stacked into staging.meeting_activity (or, with
    `only_new`, the rows of the new files added to it)."""
    into = "insert into" if only_new else "create or replace table"
    return (
        f"{into} staging.meeting_activity\n"
        + ("" if only_new else "as\n")
        + _stacked(contracts, "meeting_activity", only_new)
    )


def trips_sql(contracts: tuple[Contract, ...], only_new: bool = False) -> str:
    """Travel claims of every language, with the municipality's currency, into staging.trips
    (or, with `only_new`, the trips of the new files added to it)."""
    into = "insert into staging.trips" if only_new else "create or replace table staging.trips as"
    return f"""
        {into}
        with stacked as ({_stacked(contracts, "trips", only_new)})
        select s.source_path, s.municipality_code, s.trip_date, s.purpose, s.distance_km,
            s.mode, s.cost, m.currency, s.is_meeting, s.export_kind
        from stacked s
        left join ref.municipalities m
          on m.code = s.municipality_code
    """
