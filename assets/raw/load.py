"""Load one recognised table into raw.<kind>: stream through DuckDB, type, attribute, quarantine.

The SQL comes from sql_compile (pure); this module runs it for one table of a file, inside the
file's unit of work (file_load.FileLoad), whose identity travels as bound parameters.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from schemas import Column, Contract, normalise_header

from ..db import ident, scalar
from .progress import OnProgress, watch_query
from .recognise import Layout
from .sources import data_lines, excel_rows, safe_text_rows, scan_file, text_rows
from .sql_compile import (
    NO_MUNICIPALITY,
    THIS_TABLE,
    TOTALS_ROW,
    Query,
    add_helpers,
    attribution_place,
    create_raw_table,
    direct_source,
    drop_helpers,
    format_counts,
    insert_rows,
    normalised_source,
    parsed,
    problem_list,
    raw_table,
)

if TYPE_CHECKING:
    from .file_load import TableLoad

PROGRESS_ROWS = 50_000  # a re-encoded source reports its progress every so many rows

PARSE_SQL = (Path(__file__).parent / "parse.sql").read_text(encoding="utf-8")
REFERENCE_KEYS_SQL = """
    set variable rf_keys = (
        select coalesce(map(list(k), list(periods)), map())
        from (
            select key_type || chr(0) || key as k,
                list({'valid_from': valid_from, 'valid_to': valid_to, 'code': code}
                     order by valid_from) as periods
            from ref.municipality_keys
            group by key_type, key
        )
    )
"""


@dataclass
class Outcome:
    """What happened to one table: the ops.files figures."""

    export_kind: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    warnings: list[str]

    @property
    def status(self) -> str:
        if self.rows_in and not self.rows_loaded:
            return "quarantined"
        return "loaded_with_warnings" if self.warnings else "loaded"


def install_macros(con: duckdb.DuckDBPyConnection, pseudonym_key: str) -> None:
    """For this connection only: the parsing macros, the pseudonymisation key, and the reference
    keys as one map (key type and key -> validity periods and codes) for rf_municipality."""
    con.execute(PARSE_SQL)
    con.execute("set variable pseudonym_key = ?", [pseudonym_key])
    con.execute(REFERENCE_KEYS_SQL)


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """raw.<kind>: one row per loaded source row, typed, attributed and pseudonymised."""
    con.execute(create_raw_table(contract))


def choose_formats(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    warnings: list[str],
    source: Query,
) -> dict[str, tuple[str, ...]]:
    """For date columns whose formats swap day and month, keep those the file's values support.

    (Formats that do not swap cannot read one text two ways, so their order does not matter.)
    Formats are ranked by how many values they read. A format that swaps day and month of a
    better-ranked one is dropped, so a day above 12 decides the order for the whole column and
    a value only the swapped format reads is quarantined, never misread. When every date fits
    both orders, the first in the contract wins and the file gets a warning.
    """
    columns = [
        c
        for c in layout.contract.columns
        if c.type in ("date", "timestamp")
        and c.name in layout.positions
        and any(_swapped(a, b) for a in c.formats for b in c.formats)
    ]
    if not columns:
        return {}
    counts = format_counts(layout, columns, source)
    row = list(con.execute(counts.sql, counts.params).fetchall()[0])
    chosen: dict[str, tuple[str, ...]] = {}
    for column in columns:
        total, per_format = row[0], row[1 : len(column.formats) + 1]
        del row[: len(column.formats) + 1]
        if not total or not max(per_format):
            continue
        ranked = sorted(zip(column.formats, per_format, strict=True), key=lambda fn: -fn[1])
        kept: list[str] = []
        for fmt, count in ranked:
            if count and not any(_swapped(fmt, other) for other in kept):
                kept.append(fmt)
        chosen[column.name] = tuple(kept)
        best = ranked[0][1]
        ties = [f for f, n in ranked if n == best and _swapped(f, ranked[0][0])]
        if ties:
            warnings.append(
                f'column "{column.name}": every date fits both {ranked[0][0]} and {ties[0]} '
                f"(no day above 12); read as {ranked[0][0]}, check the export's locale"
            )
    return chosen


def _swapped(first: str, second: str) -> bool:
    """Whether two date formats differ only in the order of day and month."""
    return first != second and (
        first.replace("%d", "#").replace("%m", "%d").replace("#", "%m") == second
    )


def _layout_rows(layout: Layout, broken: list[int] | None = None):
    """The rows after the header; with `broken`, a text file is read line by line (a stray quote
    swallows nothing) and the numbers of lines with a quote that never closes go there."""
    source = layout.source
    if source.kind == "excel":
        rows = excel_rows(source)
        return ((n, cells) for n, cells in rows if n > layout.header_line)
    delimiter = layout.delimiter or ","
    if broken is not None:
        return safe_text_rows(source, delimiter, layout.header_line + 1, layout.width, broken)
    return text_rows(source, delimiter, layout.header_line + 1)


def _normalised_source(
    layout: Layout,
    scratch: Path,
    broken: list[int] | None = None,
    on_progress: OnProgress | None = None,
) -> Query:
    """Small or awkward sources (Excel, UTF-16, cp1252, sectioned files) via a UTF-8 copy that
    keeps each row's original line number; a row of the wrong width keeps only its cell count."""
    target = scratch / "normalised.csv"
    names = list(layout.positions)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["__line", "__cells", *names])
        header, ended, closed, after_blank = _header_key(layout), False, False, False
        for count, (number, cells) in enumerate(_layout_rows(layout, broken), 1):
            if on_progress is not None and count % PROGRESS_ROWS == 0:
                on_progress(layout.source.label, count, 0, 0)
            if not any(c.strip() for c in cells):
                ended = ended or layout.contract.table_ends_at_blank
                after_blank = True
                continue
            block_start, after_blank = after_blank, False
            if block_start and not closed and _header_key_of(cells) == header:
                ended = False  # a block that repeats the header: more rows of the same table
                continue
            if block_start and ended and not closed:
                # a block of rows as wide as the table goes on with it; a section title or
                # another table's header (another width) ends it for good
                ended = len(_trim_trailing(cells, layout.width)) != layout.width
                closed = ended
            if ended:
                continue
            cells = _trim_trailing(cells, layout.width)
            if len(cells) != layout.width:
                writer.writerow([number, len(cells), *([""] * len(names))])
                continue
            writer.writerow([number, "", *(cells[layout.positions[n]] for n in names)])
    return normalised_source(layout, str(target))


def _header_key_of(cells: list[str]) -> tuple[str, ...]:
    return tuple(normalise_header(c) for c in cells if c.strip())


def _header_key(layout: Layout) -> tuple[str, ...]:
    """The table's header row, folded, to know it again where a later block repeats it."""
    source = layout.source
    if source.kind == "excel":
        rows = (
            (n, c)
            for n, c in excel_rows(source, limit=layout.header_line)
            if n == layout.header_line
        )
    else:
        rows = text_rows(source, layout.delimiter or ",", layout.header_line, limit=1)
    for _, cells in rows:
        return _header_key_of(cells)
    return ()


def _trim_trailing(cells: list[str], width: int) -> list[str]:
    while len(cells) > width and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def _skipped_lines(con: duckdb.DuckDBPyConnection, layout: Layout, blanks: tuple[int, ...]) -> bool:
    """Lines DuckDB skipped (rejected, or empty) hold no row: record them to number the rest.

    Returns whether there are any, so the common file without them needs no as-of join.
    """
    first = layout.header_line + 1
    # DuckDB may report one bad line more than once (once per problem): keep one per line.
    con.execute(
        """
        create or replace temp table land_reject_lines as
        select line, arg_min(error_message, column_idx) as error_message
        from land_rejects
        group by line
        """
    )
    con.execute(
        """
        create or replace temp table land_skipped_lines as
        select line, line - ? - row_number() over (order by line) + 1 as rows_before
        from (
            select line from land_reject_lines
            union
            select unnest(?::bigint[]) as line
        )
        where line >= ?
        """,
        [first, [n for n in blanks if n > layout.header_line], first],
    )
    return bool(con.execute("select count(*) from land_skipped_lines").fetchall()[0][0])


class SafeReadNeeded(Exception):
    """The CSV reader saw fewer records than the file has lines and a quote never closes: load
    the file again, in a new transaction, line by line (safe = True)."""


def _check_rows_against_lines(table: TableLoad, layout: Layout, blanks: tuple[int, ...]) -> None:
    """Count the reader's records against the file's physical data lines; fewer records is
    fine only when quoted cells span lines, not when a stray quote swallowed the rest."""
    con = table.con
    records = scalar(
        con,
        f"select count(*) from {raw_table(layout.contract)} where {THIS_TABLE}",
        table.this_table,
    )
    rejected = scalar(con, "select count(*) from land_reject_lines")
    if records + rejected == data_lines(layout.source.path, layout.header_line, blanks):
        return
    broken: list[int] = []
    for _ in _layout_rows(layout, broken):
        if broken:
            raise SafeReadNeeded(f"line {broken[0]} opens a quote that never closes")


def _quarantine_stray_quotes(table: TableLoad, broken: list[int], contract: Contract) -> int:
    """The lines a safe read set aside, each in ops.quarantine (never the line's text)."""
    reason = (
        'this line opens a quote (") that never closes; fix or remove the quote and drop the '
        "file again"
    )
    table.con.executemany(
        "insert into ops.quarantine values (?, ?, ?, '(row)', '(row)', ?, ?, ?)",
        [
            [table.unit.path, table.part, line, reason, table.sha256, contract.kind]
            for line in broken
        ],
    )
    return len(broken)


class SerialReadNeeded(Exception):
    """The file has line breaks inside quotes, which DuckDB's parallel reader cannot pad: load
    it again, in a new transaction, with parallel = False."""


def _read_direct(table: TableLoad, insert: Query, parallel: bool) -> None:
    con = table.con
    con.execute("drop table if exists land_rejects; drop table if exists land_scans")
    try:
        con.execute(insert.sql, {**insert.params, **table.identity})
    except duckdb.Error as err:
        if parallel and "quoted new lines" in str(err):
            raise SerialReadNeeded(str(err)) from err
        raise


def _direct(layout: Layout) -> bool:
    """Whether DuckDB's reader can stream the source itself (a UTF-8 CSV of one table)."""
    source = layout.source
    return (
        source.kind == "text"
        and source.encoding in ("utf-8", "utf-8-sig")
        and not layout.contract.table_ends_at_blank
    )


def load_layout(
    table: TableLoad,
    layout: Layout,
    scratch: Path,
    blanks: tuple[int, ...] | None = None,
    parallel: bool = True,
    safe: bool = False,
) -> Outcome:
    """Type, validate and attribute one table; loaded rows to raw, the rest to quarantine.

    One streaming pass inserts every row of the source into raw.<kind>, in file order, typed,
    attributed (by map lookups, which keep that order) and marked with its first problem in two
    helper columns. The marked rows then move to ops.quarantine and the helpers are dropped.
    A direct CSV's rows are numbered afterwards from their order in the table. A safe load
    reads a text file line by line, quarantining lines whose quote never closes.
    """
    for statement in add_helpers(layout.contract):
        table.con.execute(statement)
    warnings: list[str] = []
    if _direct(layout) and not safe:
        _insert_direct(table, layout, warnings, blanks, parallel)
        stray = 0
    else:
        stray = _insert_normalised(table, layout, warnings, scratch, safe)
    return _settle(table, layout, warnings, stray)


def _insert_direct(
    table: TableLoad,
    layout: Layout,
    warnings: list[str],
    blanks: tuple[int, ...] | None,
    parallel: bool,
) -> None:
    """Stream a UTF-8 CSV into raw.<kind>, then number its rows (after the named mid-file
    commit, see FileLoad.commit_landed_rows)."""
    formats = choose_formats(table.con, layout, warnings, direct_source(layout, parallel=True))
    insert = insert_rows(layout, formats, direct_source(layout, parallel))
    source = layout.source
    with watch_query(table.con, source.path, source.label, table.unit.on_progress):
        _read_direct(table, insert, parallel)
    if blanks is None:
        blanks = scan_file(layout.source.path, hashed=False).blank_lines
    skipped = _skipped_lines(table.con, layout, blanks)
    _check_rows_against_lines(table, layout, blanks)
    table.commit_landed_rows()
    _number_rows(table, layout, skipped)


def _insert_normalised(
    table: TableLoad, layout: Layout, warnings: list[str], scratch: Path, safe: bool
) -> int:
    """Insert a source through its UTF-8 copy; returns the lines a safe read quarantined."""
    con = table.con
    broken: list[int] | None = [] if safe else None
    source = _normalised_source(layout, scratch, broken, table.unit.on_progress)
    insert = insert_rows(layout, choose_formats(con, layout, warnings, source), source)
    con.execute(insert.sql, {**insert.params, **table.identity})
    con.execute(
        "create or replace temp table land_reject_lines (line bigint, error_message varchar)"
    )
    if not broken:
        return 0
    warnings.append(_stray_quote_warning(broken))
    return _quarantine_stray_quotes(table, broken, layout.contract)


def _settle(table: TableLoad, layout: Layout, warnings: list[str], stray: int) -> Outcome:
    """Move the marked rows to ops.quarantine, count what was loaded, drop the helpers."""
    con, contract = table.con, layout.contract
    warnings.extend(attribute_guests(table, layout))
    quarantined = _quarantine_marked(table, layout)
    rejected = _quarantine_rejected(table, contract)
    loaded = scalar(
        con,
        f"select count(*) from {raw_table(contract)} where {THIS_TABLE} and __problem is null",
        table.this_table,
    )
    warnings.extend(check_totals(table, layout))
    warnings.extend(check_stated_totals(table, contract))
    warnings.extend(check_title_figures(table, layout))
    con.execute(
        f"delete from {raw_table(contract)} where {THIS_TABLE} and __problem is not null",
        table.this_table,
    )
    for statement in drop_helpers(contract):
        con.execute(statement)
    return Outcome(
        export_kind=contract.kind,
        rows_in=loaded + quarantined + rejected + stray,
        rows_loaded=loaded,
        rows_quarantined=quarantined + rejected + stray,
        warnings=warnings,
    )


def _quarantine_marked(table: TableLoad, layout: Layout) -> int:
    """Rows the insert marked with a problem, each with its column, shown value and reason."""
    contract = layout.contract
    problems = problem_list(layout)
    first_rule = contract.attribution[0].column if contract.attribution else "(whole file)"
    [[moved]] = table.con.execute(
        f"""
        insert into ops.quarantine
        select source_path, source_part, source_line,
            case
                when __problem = {NO_MUNICIPALITY} then $first_rule
                else ($columns::varchar[])[__problem + 1]
            end,
            __value,
            case
                when __problem = {NO_MUNICIPALITY} then $no_municipality
                else ($reasons::varchar[])[__problem + 1]
            end,
            file_sha256, $kind
        from {raw_table(contract)}
        where {THIS_TABLE} and __problem >= {NO_MUNICIPALITY}
        """,
        {
            **table.this_table,
            "first_rule": first_rule,
            "columns": [name for name, _ in problems],
            "no_municipality": f"no municipality found for this row {attribution_place(layout)}; "
            "add the missing name, code, domain or room to data/reference/ (see README, "
            "reference data)",
            "reasons": [reason for _, reason in problems],
            "kind": contract.kind,
        },
    ).fetchall()
    return moved


def _quarantine_rejected(table: TableLoad, contract: Contract) -> int:
    """Lines DuckDB's reader could not read, each in ops.quarantine."""
    [[moved]] = table.con.execute(
        """
        insert into ops.quarantine
        select ?, ?, line, '(row)', '(row)',
            -- never the line itself: it may hold names, e-mail addresses or phone numbers
            'DuckDB could not read this line (' || error_message || ')', ?, ?
        from land_reject_lines
        """,
        [table.unit.path, table.part, table.sha256, contract.kind],
    ).fetchall()
    return moved


def _stray_quote_warning(broken: list[int]) -> str:
    lines = ", ".join(str(n) for n in broken[:10]) + (", ..." if len(broken) > 10 else "")
    return (
        f'a quote (") that never closes (line {lines}) would have swallowed the lines after '
        f"it: the file was read line by line, {len(broken):,} line(s) quarantined and the rest "
        "loaded; fix the quote and drop the file again"
    )


def attribute_guests(table: TableLoad, layout: Layout) -> list[str]:
    """Rows with no key at all (guests without an e-mail) take the municipality of the others.

    Only for contracts that say so (`guests_take_meeting_municipality`). When every attributed
    row of the table names one municipality, the meeting is that municipality's, and so are
    its guests; with several, the guests stay quarantined.
    """
    contract = layout.contract
    present = [r.column for r in contract.attribution if r.column in layout.positions]
    if not contract.guests_take_meeting_municipality or not present:
        return []
    keyless = " and ".join(f"{ident(c)} is null" for c in present)
    raw = raw_table(contract)
    codes = scalar(
        table.con,
        f"select list(distinct municipality_code) from {raw} "
        f"where {THIS_TABLE} and __problem is null",
        table.this_table,
    )
    if not codes or len(codes) != 1:
        return []
    moved = scalar(
        table.con,
        f"update {raw} set municipality_code = $code, __problem = null, __value = null "
        f"where {THIS_TABLE} and __problem = {NO_MUNICIPALITY} and {keyless}",
        {**table.this_table, "code": codes[0]},
    )
    if not moved:
        return []
    return [
        f"{moved} row(s) without {' or '.join(present)} (guests) were given the municipality "
        f"of every other row of the meeting ({codes[0]})"
    ]


def _number_rows(table: TableLoad, layout: Layout, skipped: bool) -> None:
    """source_line of a direct CSV's rows: their order in the table, plus the lines DuckDB
    skipped before them (empty or unreadable lines)."""
    con, raw, identity = table.con, raw_table(layout.contract), table.this_table
    first = layout.header_line + 1
    [[low, high, rows]] = con.execute(
        f"select min(rowid), max(rowid), count(*) from {raw} where {THIS_TABLE}", identity
    ).fetchall()
    if not rows:
        return
    if high - low + 1 != rows:
        raise RuntimeError(f"{table.unit.path}: its rows were not stored in one run; load it again")
    if not skipped:
        con.execute(
            f"update {raw} set source_line = rowid - $low + $first where {THIS_TABLE}",
            {**identity, "low": low, "first": first},
        )
        return
    con.execute(
        f"""
        update {raw} as r set source_line = n.line
        from (
            select t.rowid as rid, t.rowid - $low + $first + coalesce(s.__skipped, 0) as line
            from {raw} as t
            asof left join (
                select rows_before, count(*) over (order by rows_before) as __skipped
                from land_skipped_lines
            ) as s on t.rowid - $low >= s.rows_before
            where t.source_path = $source_path and t.source_part = $source_part
        ) as n
        where r.rowid = n.rid
        """,
        {**identity, "low": low, "first": first},
    )


def check_totals(table: TableLoad, layout: Layout) -> list[str]:
    """Compare a totals row with the sum of the rows as written: a mismatch is a warning."""
    contract = layout.contract
    if contract.totals_column is None:
        return []
    warnings = []
    for column in contract.columns:
        if column.type != "integer" or column.name not in layout.positions:
            continue
        value = ident(column.name)
        stated, summed = table.con.execute(
            f"select sum({value}) filter (where __problem = {TOTALS_ROW}), "
            f"sum({value}) filter (where __problem is null or __problem >= {NO_MUNICIPALITY}) "
            f"from {raw_table(contract)} where {THIS_TABLE}",
            table.this_table,
        ).fetchall()[0]
        if stated is not None and summed is not None and abs(stated - summed) > 0.5:
            warnings.append(
                f'totals row says {stated:,.0f} for "{column.name}" but the rows add up to '
                f"{summed:,.0f}"
            )
    return warnings


STATED_SHOWN = 3


def check_stated_totals(table: TableLoad, contract: Contract) -> list[str]:
    """Compare what a report states about each meeting (participants, length) with what its
    loaded rows add up to: a difference is a warning naming the meetings, never a rejection."""
    warnings = []
    for total in contract.stated_totals:
        differ = table.con.execute(
            f"select * from (select cast({total.per} as varchar) as per, {total.stated} as stated, "
            f"{total.counted} as counted from {raw_table(contract)} "
            f"where {THIS_TABLE} and __problem is null group by {total.per}) "
            "where abs(stated - counted) > $tolerance order by per",
            {**table.this_table, "tolerance": total.tolerance},
        ).fetchall()
        if not differ:
            continue
        shown = "; ".join(
            f"{per}: the report states {stated:,.0f}, its rows count {counted:,.0f}"
            for per, stated, counted in differ[:STATED_SHOWN]
        )
        more = f"; and {len(differ) - STATED_SHOWN} more" if len(differ) > STATED_SHOWN else ""
        warnings.append(
            f"{total.name} by {total.per} differs from what the report states ({shown}{more}): "
            "check that the file holds every participant row of those meetings"
        )
    return warnings


# How a figure the title block states is read, and how far its rows may be from it.
# A stated start date is not compared: it dates rows that carry no time of their own.
TITLE_READ = {
    "participants": ("integer", None, 0.0),
    "duration_s": ("duration", "minutes", 120.0),
    "period_start": ("timestamp", None, None),
}


def _date_formats(contract: Contract) -> tuple[str, ...]:
    """The formats of the column that dates the contract's rows (its title dates look alike)."""
    if contract.attribution_date is None:
        return ()
    return contract.column(contract.attribution_date).formats


def check_title_figures(table: TableLoad, layout: Layout) -> list[str]:
    """Record what the title block states for the whole table (Teams' "Attended participants",
    Zoom's meeting block) in ops.stated_figures and compare it with what the rows stage to: a
    difference is a warning. Staging takes a stated meeting length over the rows' own."""
    contract = layout.contract
    warnings = []
    for figure, written, line in layout.stated:
        kind, unit, tolerance = TITLE_READ[figure]
        column = Column(figure, (), kind, unit=unit, formats=_date_formats(contract))
        value = parsed(column, "$written", ".")
        if kind == "timestamp":
            value = f"epoch({value})"  # a stated start, kept as seconds since 1970
        [[stated, counted, rows]] = table.con.execute(
            f"select (select {value}), {contract.staging[figure]}, count(*) "
            f"from {raw_table(contract)} where {THIS_TABLE} and __problem is null",
            {**table.this_table, "written": written},
        ).fetchall()
        table.con.execute(
            "insert into ops.stated_figures values ($source_path, $source_part, $figure, "
            "$stated, $line)",
            {**table.this_table, "figure": figure, "stated": stated, "line": line},
        )
        if tolerance is None or not rows or stated is None or counted is None:
            continue
        if abs(stated - counted) <= tolerance:
            continue
        if figure == "participants":
            stated_text, counted_text = f"{stated:,.0f} participants", f"name {counted:,.0f}"
            staged = "the rows' count is the one staged"
        else:
            stated_text = f"a meeting length of {written} ({stated / 60:,.0f} min)"
            counted_text = f"give {counted / 60:,.0f} min"
            staged = "the stated length is the one staged"
        warnings.append(
            f"line {line} states {stated_text}, but the rows {counted_text}; {staged} "
            "(check that the file holds every participant)"
        )
    return warnings
