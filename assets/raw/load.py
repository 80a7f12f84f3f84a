"""Load one recognised table into raw.<kind>: stream through DuckDB, type, attribute, quarantine."""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from schemas import Column, Contract, normalise_header

from .progress import OnProgress, watch_query
from .recognise import Layout
from .sources import data_lines, excel_rows, safe_text_rows, scan_file, text_rows

PARSE_SQL = (Path(__file__).parent / "parse.sql").read_text(encoding="utf-8")
EXTRA_CELLS = 8  # a long row's cells are counted up to the header's width + EXTRA_CELLS
TOTAL_LABELS = r"^(summa|totalt?|sum|i alt|total|totals?)\b"
SQL_TYPES = {
    "text": "varchar",
    "integer": "bigint",
    "decimal": "double",
    "date": "date",
    "timestamp": "timestamp",
    "month": "date",
    "duration": "double",
    "boolean": "boolean",
}
# No export this pipeline reads predates 1990: an earlier (or post-next-year) date was misread.
FIRST_PLAUSIBLE_YEAR = 1990
FIRST_PLAUSIBLE_DATE = f"date '{FIRST_PLAUSIBLE_YEAR}-01-01'"
TYPE_WORDS = {
    "integer": "a whole number",
    "decimal": "a number",
    "date": "a date",
    "timestamp": "a date and time",
    "month": "a month (2014-01 or jan 2014)",
    "duration": "a duration",
    "boolean": "yes/no",
}
# Random identifiers (GUIDs, SIP call ids) shrink by half at most under DuckDB's string
# compression, which costs a tenth of a large load to try: a contract stores them as they are
# (`compress = false`).
UNCOMPRESSED = " using compression uncompressed"
MASK = {"email": "an e-mail address", "name": "a name", "phone": "a phone number", "id": "an id"}


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


def lit(text: str) -> str:
    """A SQL string literal of a constant from the code or a contract (never of file content)."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def install_macros(con: duckdb.DuckDBPyConnection, pseudonym_key: str) -> None:
    """The parsing macros and the pseudonymisation key, for this connection only."""
    con.execute(PARSE_SQL)
    con.execute("set variable pseudonym_key = ?", [pseudonym_key])


def raw_table(contract: Contract) -> str:
    return f"raw.{contract.kind}"


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """raw.<kind>: one row per loaded source row, typed, attributed and pseudonymised."""
    declared = [*contract.columns, *contract.derived.values()]
    columns = ",\n    ".join(
        f"{ident(c.name)} {SQL_TYPES[c.type]}" + ("" if c.compress else UNCOMPRESSED)
        for c in declared
    )
    con.execute(
        f"""
        create table if not exists {raw_table(contract)} (
            source_path varchar,
            source_part varchar,
            file_sha256 varchar,
            source_line bigint,
            municipality_code varchar,
            {columns}
        )
        """
    )


def _parse(column: Column, value: str, decimal: str) -> str:
    dec = lit(decimal)
    formats = "[" + ", ".join(lit(f) for f in column.formats) + "]::varchar[]"
    return {
        "text": value,
        "integer": f"try_cast(rf_number({value}, {dec}) as bigint)",
        "decimal": f"rf_number({value}, {dec})",
        "date": f"cast(rf_timestamp({value}, {formats}) as date)",
        "timestamp": f"rf_timestamp({value}, {formats})",
        "month": f"cast(rf_month({value}) as date)",
        "duration": f"rf_duration_s({value}, {lit(column.unit or 'seconds')}, {dec})",
        "boolean": f"rf_boolean({value})",
    }[column.type]


def _whole(column: Column, value: str, decimal: str) -> str:
    """Integers must be whole: '1,5' meetings is an error, not 2."""
    if column.type != "integer":
        return "true"
    number = f"rf_number({value}, {lit(decimal)})"
    return f"{number} = floor({number})"


def _problems(column: Column, value: str, parsed: str, decimal: str) -> list[tuple[str, str]]:
    """(condition, reason) pairs for one column, in the order they are reported."""
    checks = []
    if column.required:
        checks.append((f"{value} is null", "is empty, but this column is required"))
    if column.type != "text":
        checks.append(
            (
                f"{value} is not null and ({parsed} is null "
                f"or not ({_whole(column, value, decimal)}))",
                f"is not {TYPE_WORDS[column.type]}",
            )
        )
    if column.type in ("date", "timestamp"):
        checks.append(
            (
                f"not {parsed} between {FIRST_PLAUSIBLE_DATE} "
                f"and make_date(year(current_date) + 1, 12, 31)",
                f"is a date before {FIRST_PLAUSIBLE_YEAR} or after next year: a two-digit year "
                "or a wrong date format? Check the export's date column and the formats in its "
                "contract",
            )
        )
    if column.min is not None:
        checks.append((f"{parsed} < {column.min}", f"is below the minimum {column.min:g}"))
    if column.max is not None:
        checks.append((f"{parsed} > {column.max}", f"is above the maximum {column.max:g}"))
    if column.allowed:
        allowed = ", ".join(lit(a.casefold()) for a in column.allowed)
        checks.append(
            (
                f"{value} is not null and lower({value}) not in ({allowed})",
                "is not one of " + ", ".join(column.allowed),
            )
        )
    return checks


def _key(by: str, value: str) -> str:
    return {
        "domain": f"rf_domain({value})",
        "name": f"rf_name({value})",
        "code": f"rf_code({value})",
        "room": f"lower(rf_trim({value}))",
    }[by]


def _pseudonym(value: str) -> str:
    """A keyed hash of a personal value: the same person gets the same pseudonym in every file."""
    return f"left(md5(getvariable('pseudonym_key') || lower({value})), 16)"


def choose_formats(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    warnings: list[str],
    source: tuple[str, list],
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
    counts = []
    for column in columns:  # one scan of the source for every such column
        value = f"nullif(trim({ident(column.name)}), '')"
        counts.append(f"count({value})")
        counts.extend(f"count(try_strptime({value}, {lit(fmt)}))" for fmt in column.formats)
    sql, params = source
    row = list(
        con.execute(
            f"select {', '.join(counts)} from ({sql}) where not ({_total_expr(layout)})", params
        ).fetchall()[0]
    )
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


def _direct_source(layout: Layout, parallel: bool) -> tuple[str, list]:
    """A UTF-8 CSV straight from DuckDB's reader: the contract's cells as text, plus the row's
    cell count when it differs from the header's (DuckDB pads short rows with nulls and cuts
    long ones after EXTRA_CELLS cells; empty cells read as '' so padding is told apart)."""
    width = layout.width
    declared = width + EXTRA_CELLS
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(declared)) + "}"
    cells = ", ".join(f"c{i}" for i in range(declared))
    # A long row's trailing empty cells do not count (Excel writes `a;b;c;;`), as in the
    # normalised path; the cases run only for the rare rows that are short or long.
    last_filled = " ".join(
        f"when nullif(trim(c{i}), '') is not null then {i + 1}"
        for i in reversed(range(width, declared))
    )
    named = "".join(f", c{i} as {ident(name)}" for name, i in layout.positions.items())
    any_filled = [f"nullif(trim(c{i}), '')" for i in range(declared)]
    sql = f"""
        select null::bigint as __line_base{named},
            case
                when c{width} is not null then nullif(greatest({width}, case {last_filled} end),
                                                      {width})
                when c{width - 1} is null then len(list_filter([{cells}], lambda c: c is not null))
            end as __cells,
            case
                when c{width} is not null or c{width - 1} is null
                    then coalesce({", ".join(any_filled)}) is null
            end as __empty_row
        from read_csv(
            ?, header = false, skip = ?, delim = ?, quote = '"', escape = '"',
            columns = {columns}, auto_detect = false, null_padding = true, strict_mode = false,
            nullstr = chr(1), parallel = ?,
            store_rejects = true, rejects_table = 'land_rejects', rejects_scan = 'land_scans'
        )
    """
    return sql, [str(layout.source.path), layout.header_line, layout.delimiter, parallel]


def _total_expr(layout: Layout) -> str:
    column = layout.contract.totals_column
    if column is None or column not in layout.positions:
        return "false"
    return f"coalesce(regexp_matches(lower(trim({ident(column)})), {lit(TOTAL_LABELS)}), false)"


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
    layout: Layout, scratch: Path, broken: list[int] | None = None, on_progress=None
) -> tuple[str, list]:
    """Small or awkward sources (Excel, UTF-16, cp1252, sectioned files) via a UTF-8 copy that
    keeps each row's original line number; a row of the wrong width keeps only its cell count."""
    target = scratch / "normalised.csv"
    names = list(layout.positions)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["__line", "__cells", *names])
        header, ended, after_blank = _header_key(layout), False, False
        for count, (number, cells) in enumerate(_layout_rows(layout, broken), 1):
            if on_progress is not None and count % PROGRESS_ROWS == 0:
                on_progress(layout.source.label, count, 0, 0)
            if not any(c.strip() for c in cells):
                ended = ended or layout.contract.table_ends_at_blank
                after_blank = True
                continue
            block_start, after_blank = after_blank, False
            if block_start and _header_key_of(cells) == header:
                ended = False  # a block that repeats the header: more rows of the same table
                continue
            if ended:
                continue
            cells = _trim_trailing(cells, layout.width)
            if len(cells) != layout.width:
                writer.writerow([number, len(cells), *([""] * len(names))])
                continue
            writer.writerow([number, "", *(cells[layout.positions[n]] for n in names)])
    columns = ["__line", "__cells", *names]
    types = "{" + ", ".join(f"{lit(n)}: 'VARCHAR'" for n in columns) + "}"
    named = "".join(f", {ident(n)}" for n in names)
    sql = f"""
        select cast(__line as bigint) as __line_base{named},
            cast(nullif(__cells, '') as bigint) as __cells, false as __empty_row
        from read_csv(?, header = true, columns = {types}, auto_detect = false, quote = '"',
                      escape = '"')
    """
    return sql, [str(target)]


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


def _check_rows_against_lines(
    con: duckdb.DuckDBPyConnection, layout: Layout, table: str, blanks: tuple[int, ...]
) -> None:
    """Count the reader's records against the file's physical data lines; fewer records is
    fine only when quoted cells span lines, not when a stray quote swallowed the rest."""
    this_file = "source_path = getvariable('rf_path') and source_part = getvariable('rf_part')"
    [[records]] = con.execute(f"select count(*) from {table} where {this_file}").fetchall()
    [[rejected]] = con.execute("select count(*) from land_reject_lines").fetchall()
    if records + rejected == data_lines(layout.source.path, layout.header_line, blanks):
        return
    broken: list[int] = []
    for _ in _layout_rows(layout, broken):
        if broken:
            raise SafeReadNeeded(f"line {broken[0]} opens a quote that never closes")


def _quarantine_stray_quotes(
    con: duckdb.DuckDBPyConnection, broken: list[int], contract: Contract, sha256: str
) -> int:
    """The lines a safe read set aside, each in ops.quarantine (never the line's text)."""
    con.executemany(
        "insert into ops.quarantine values "
        "(getvariable('rf_path'), getvariable('rf_part'), ?, '(row)', '(row)', ?, ?, ?)",
        [
            [
                line,
                'this line opens a quote (") that never closes; fix or remove the quote and '
                "drop the file again",
                sha256,
                contract.kind,
            ]
            for line in broken
        ],
    )
    return len(broken)


class SerialReadNeeded(Exception):
    """The file has line breaks inside quotes, which DuckDB's parallel reader cannot pad: load
    it again, in a new transaction, with parallel = False."""


def _read_direct(con: duckdb.DuckDBPyConnection, layout: Layout, insert: str, parallel: bool):
    sql, params = _direct_source(layout, parallel)
    con.execute("drop table if exists land_rejects; drop table if exists land_scans")
    try:
        con.execute(insert.format(source=sql), params)
    except duckdb.Error as err:
        if parallel and "quoted new lines" in str(err):
            raise SerialReadNeeded(str(err)) from err
        raise


HELPERS = (("__problem", "integer"), ("__value", "varchar"))
PROGRESS_ROWS = 50_000  # a re-encoded source reports its rows this often
# __problem of a row while its file loads: null = loaded, 0.. = the first problem found (see
# _problem_list), and these, which are deleted before the file's transaction ends:
NO_MUNICIPALITY, TOTALS_ROW, EMPTY_ROW = -1, -2, -3


def load_layout(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    *,
    path: str,
    part: str,
    sha256: str,
    hint: tuple[str, str] | None,
    direct: bool,
    scratch: Path,
    blanks: tuple[int, ...] | None = None,
    parallel: bool = True,
    safe: bool = False,
    on_progress: OnProgress | None = None,
) -> Outcome:
    """Type, validate and attribute one table; loaded rows to raw, the rest to quarantine.

    One streaming pass inserts every row of the source into raw.<kind>, in file order, typed,
    attributed (by map lookups, which keep that order) and marked with its first problem in two
    helper columns. The marked rows then move to ops.quarantine and the helpers are dropped.
    A direct CSV's rows are numbered afterwards from their order in the table. A safe load
    reads a text file line by line, quarantining lines whose quote never closes.
    """
    contract = layout.contract
    table = raw_table(contract)
    ensure_raw_table(con, contract)
    for name, kind in HELPERS:
        con.execute(f"alter table {table} add column if not exists {name} {kind}")
    _set_load_variables(con, path, part, sha256, hint)
    warnings: list[str] = []
    stray = 0
    if direct:
        formats = choose_formats(con, layout, warnings, _direct_source(layout, parallel=True))
        with watch_query(con, layout.source.path, layout.source.label, on_progress):
            _read_direct(con, layout, _insert_sql(layout, formats), parallel)
        if blanks is None:
            blanks = scan_file(layout.source.path, hashed=False).blank_lines
        skipped = _skipped_lines(con, layout, blanks)
        _check_rows_against_lines(con, layout, table, blanks)
        # Numbering the rows now would rewrite the whole uncommitted insert; once committed, an
        # update writes one column. A run stopped in between is never published (warehouse.py).
        con.execute("commit")
        con.execute("begin transaction")
        _number_rows(con, layout, table, path, part, skipped)
    else:
        broken: list[int] | None = [] if safe else None
        source = _normalised_source(layout, scratch, broken, on_progress)
        formats = choose_formats(con, layout, warnings, source)
        con.execute(_insert_sql(layout, formats).format(source=source[0]), source[1])
        con.execute(
            "create or replace temp table land_reject_lines (line bigint, error_message varchar)"
        )
        if broken:
            stray = _quarantine_stray_quotes(con, broken, contract, sha256)
            warnings.append(_stray_quote_warning(broken))
    problems = _problem_list(contract, layout)
    first_rule = contract.attribution[0].column if contract.attribution else "(whole file)"
    where = _attribution_place(contract, layout)
    this_file = "source_path = getvariable('rf_path') and source_part = getvariable('rf_part')"
    warnings.extend(attribute_guests(con, layout, this_file))
    [[quarantined]] = con.execute(
        f"""
        insert into ops.quarantine
        select source_path, source_part, source_line,
            case when __problem = {NO_MUNICIPALITY} then ? else (?::varchar[])[__problem + 1] end,
            __value,
            case when __problem = {NO_MUNICIPALITY} then ? else (?::varchar[])[__problem + 1] end,
            file_sha256, ?
        from {table}
        where {this_file} and __problem >= {NO_MUNICIPALITY}
        """,
        [
            first_rule,
            [name for name, _ in problems],
            f"no municipality found for this row {where}; add the missing name, code, "
            "domain or room to data/reference/ (see README, reference data)",
            [reason for _, reason in problems],
            contract.kind,
        ],
    ).fetchall()
    [[rejected]] = con.execute(
        """
        insert into ops.quarantine
        select ?, ?, line, '(row)', '(row)',
            -- never the line itself: it may hold names, e-mail addresses or phone numbers
            'DuckDB could not read this line (' || error_message || ')', ?, ?
        from land_reject_lines
        """,
        [path, part, sha256, contract.kind],
    ).fetchall()
    [[loaded]] = con.execute(
        f"select count(*) from {table} where {this_file} and __problem is null"
    ).fetchall()
    warnings.extend(check_totals(con, layout, this_file))
    con.execute(f"delete from {table} where {this_file} and __problem is not null")
    drop_helpers(con, contract)
    return Outcome(
        export_kind=contract.kind,
        rows_in=loaded + quarantined + rejected + stray,
        rows_loaded=loaded,
        rows_quarantined=quarantined + rejected + stray,
        warnings=warnings,
    )


def _stray_quote_warning(broken: list[int]) -> str:
    lines = ", ".join(str(n) for n in broken[:10]) + (", ..." if len(broken) > 10 else "")
    return (
        f'a quote (") that never closes (line {lines}) would have swallowed the lines after '
        f"it: the file was read line by line, {len(broken):,} line(s) quarantined and the rest "
        "loaded; fix the quote and drop the file again"
    )


def attribute_guests(con: duckdb.DuckDBPyConnection, layout: Layout, this_file: str) -> list[str]:
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
    table = raw_table(contract)
    [[codes]] = con.execute(
        f"select list(distinct municipality_code) from {table} "
        f"where {this_file} and __problem is null"
    ).fetchall()
    if not codes or len(codes) != 1:
        return []
    [[moved]] = con.execute(
        f"update {table} set municipality_code = ?, __problem = null, __value = null "
        f"where {this_file} and __problem = {NO_MUNICIPALITY} and {keyless}",
        [codes[0]],
    ).fetchall()
    if not moved:
        return []
    return [
        f"{moved} row(s) without {' or '.join(present)} (guests) were given the municipality "
        f"of every other row of the meeting ({codes[0]})"
    ]


def drop_helpers(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Remove the load's helper columns (after a file, or after a file that failed)."""
    for name, _ in HELPERS:
        con.execute(f"alter table {raw_table(contract)} drop column if exists {name}")


def _set_load_variables(con, path: str, part: str, sha256: str, hint) -> None:
    """The file's identity, its title-line or folder hint, and the reference keys as one map
    (key type and key -> validity periods and codes) for rf_municipality."""
    con.execute("set variable rf_path = ?", [path])
    con.execute("set variable rf_part = ?", [part])
    con.execute("set variable rf_sha256 = ?", [sha256])
    con.execute("set variable rf_hint = ?::varchar[]", [list(hint) if hint else [None, None]])
    con.execute(
        """
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
    )


def _number_rows(con, layout: Layout, table: str, path: str, part: str, skipped: bool) -> None:
    """source_line of a direct CSV's rows: their order in the table, plus the lines DuckDB
    skipped before them (empty or unreadable lines)."""
    first = layout.header_line + 1
    where = "source_path = ? and source_part = ?"
    [[low, high, rows]] = con.execute(
        f"select min(rowid), max(rowid), count(*) from {table} where {where}", [path, part]
    ).fetchall()
    if not rows:
        return
    if high - low + 1 != rows:
        raise RuntimeError(f"{path}: its rows were not stored in one run; load it again")
    if not skipped:
        con.execute(
            f"update {table} set source_line = rowid - ? + ? where {where}",
            [low, first, path, part],
        )
        return
    con.execute(
        f"""
        update {table} as r set source_line = n.line
        from (
            select t.rowid as rid, t.rowid - ? + ? + coalesce(s.__skipped, 0) as line
            from {table} as t
            asof left join (
                select rows_before, count(*) over (order by rows_before) as __skipped
                from land_skipped_lines
            ) as s on t.rowid - ? >= s.rows_before
            where t.{where.replace(" and ", " and t.")}
        ) as n
        where r.rowid = n.rid
        """,
        [low, first, low, path, part],
    )


def _problem_list(contract: Contract, layout: Layout) -> list[tuple[str, str]]:
    """(column, reason) of each problem a row can have, in the order `__bad` numbers them."""
    problems = [
        (
            "(row)",
            f"the row does not have the header's {layout.width} cells; look for a stray "
            "delimiter or a missing cell in this line",
        )
    ]
    for column in contract.columns:
        for _, reason in _problems(column, "v", "p", "."):
            problems.append((column.name, reason))
    return problems


def _insert_sql(layout: Layout, formats: dict[str, tuple[str, ...]]) -> str:
    """The one pass from source text into raw.<kind>: stored values, attribution and problems.

    `{source}` is left for the reader; each cell is trimmed once and parsed once in inner
    selects and the checks reuse the results. Every source row is inserted, in order.
    """
    contract = layout.contract
    decimal = "," if layout.delimiter in (";", "\t") else "."
    values, parses, selects, checks, shown, reused = [], [], [], [], [], {}
    for index, column in enumerate(contract.columns):
        present = column.name in layout.positions
        value = _text(contract, column.name) if present else "null::varchar"
        if column.empty_means is not None:
            value = f"coalesce({value}, {lit(column.empty_means)})"
        chosen = formats.get(column.name)
        typed_column = column if chosen is None else _with_formats(column, chosen)
        values.append(f"{value} as __v{index}")
        parses.append(f"{_parse(typed_column, f't.__v{index}', decimal)} as __p{index}")
        reused[_parse(typed_column, value, decimal)] = f"t.__p{index}"
        value, parsed = f"t.__v{index}", f"t.__p{index}"
        selects.append(_pseudonym(value) if column.pii else parsed)
        for condition, _ in _problems(column, value, parsed, decimal):
            checks.append(condition)
            shown.append(lit(f"({MASK[column.pii]})") if column.pii else value)
    for column in contract.derived.values():
        selects.append(f"cast({column.sql} as {SQL_TYPES[column.type]})")
    texts = {  # the trimmed text of each present column, as computed once in `valued`
        c.name: f"t.__v{i}"
        for i, c in enumerate(contract.columns)
        if c.name in layout.positions and c.empty_means is None
    }
    date_column = contract.attribution_date
    if date_column and date_column in layout.positions:
        col = contract.column(date_column)
        chosen = formats.get(date_column)
        date_value = _parse(
            col if chosen is None else _with_formats(col, chosen),
            _text(contract, date_column),
            decimal,
        )
        attribution_date = f"cast({reused.get(date_value, date_value)} as date)"
    else:
        attribution_date = "null::date"
    codes = [
        f"rf_municipality({lit(rule.by)}, "
        f"{_key(rule.by, texts.get(rule.column, 'null::varchar'))}, __date)"
        for rule in contract.attribution
    ]
    codes.append("rf_municipality(getvariable('rf_hint')[1], getvariable('rf_hint')[2], __date)")
    bad = " ".join(f"when {c} then {i + 1}" for i, c in enumerate(checks))
    # A row is empty when every cell of the contract's is (the source flags wrong-width rows).
    filled = ", ".join(texts.values()) or "null"
    missing = "".join(
        f", null::varchar as {ident(c.name)}"
        for c in contract.columns
        if c.name not in layout.positions
    )
    columns = ", ".join(
        ident(n)
        for n in (
            "source_path",
            "source_part",
            "file_sha256",
            "source_line",
            "municipality_code",
            *(c.name for c in contract.columns),
            *contract.derived,
            *(h for h, _ in HELPERS),
        )
    )
    return f"""
        insert into {raw_table(contract)} ({columns})
        with src as (
            select *{missing} from ({{source}})
        ),
        valued as (
            select t.*, {", ".join(values)}, {_total_expr(layout)} as __total
            from src as t
        ),
        parsed as (
            select t.*, {", ".join(parses)},
                coalesce(t.__empty_row, coalesce({filled}) is null) as __empty
            from valued as t
        ),
        dated as (
            select t.*, {attribution_date} as __date
            from parsed as t
        ),
        checked as (
            select t.*, case when t.__cells is not null then 0 {bad} end as __bad,
                coalesce({", ".join(codes)}) as __code
            from dated as t
        )
        select
            getvariable('rf_path'),
            getvariable('rf_part'),
            getvariable('rf_sha256'),
            t.__line_base,
            t.__code,
            {", ".join(selects)},
            case
                when t.__empty then {EMPTY_ROW}
                when t.__total then {TOTALS_ROW}
                when t.__bad is not null then t.__bad
                when t.__code is null then {NO_MUNICIPALITY}
            end,
            case
                when t.__empty or t.__total then null
                when t.__bad = 0 then cast(t.__cells as varchar) || ' cells'
                when t.__bad is not null then [{", ".join(["null", *shown])}][t.__bad + 1]
                when t.__code is null then {_attribution_value(contract, layout)}
            end
        from checked as t
    """


def _text(contract: Contract, name: str) -> str:
    """A landed cell as trimmed text; empty strings and the contract's NULL literals are null."""
    value = f"nullif(rf_trim(t.{ident(name)}), '')"
    if contract.null_literals:
        listed = ", ".join(lit(n) for n in contract.null_literals)
        value = f"case when {value} in ({listed}) then null else {value} end"
    return value


def _attribution_place(contract: Contract, layout: Layout) -> str:
    present = [r for r in contract.attribution if r.column in layout.positions]
    if not present:
        return (
            "(the export names no organisation, user domain or room, and no title line names one)"
        )
    return "(looked up " + ", ".join(f'"{r.column}" by {r.by}' for r in present) + ")"


def _attribution_value(contract: Contract, layout: Layout) -> str:
    """The cell that failed to name a municipality, as it may be shown (e-mails as *@domain)."""
    for rule in contract.attribution:
        if rule.column in layout.positions:
            column = contract.column(rule.column)
            raw = _text(contract, rule.column)
            if column.pii == "email":
                return f"'*@' || coalesce(rf_domain({raw}), '?')"
            if column.pii:
                return lit(f"({MASK[column.pii]})")
            return raw
    return "null::varchar"


def _with_formats(column: Column, formats: tuple[str, ...]) -> Column:
    return replace(column, formats=formats)


def check_totals(con: duckdb.DuckDBPyConnection, layout: Layout, this_file: str) -> list[str]:
    """Compare a totals row with the sum of the rows as written: a mismatch is a warning."""
    contract = layout.contract
    if contract.totals_column is None:
        return []
    warnings = []
    for column in contract.columns:
        if column.type != "integer" or column.name not in layout.positions:
            continue
        value = ident(column.name)
        stated, summed = con.execute(
            f"select sum({value}) filter (where __problem = {TOTALS_ROW}), "
            f"sum({value}) filter (where __problem is null or __problem >= {NO_MUNICIPALITY}) "
            f"from {raw_table(contract)} where {this_file}"
        ).fetchall()[0]
        if stated is not None and summed is not None and abs(stated - summed) > 0.5:
            warnings.append(
                f'totals row says {stated:,.0f} for "{column.name}" but the rows add up to '
                f"{summed:,.0f}"
            )
    return warnings
