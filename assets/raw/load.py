"""Load one recognised table into raw.<kind>: stream through DuckDB, type, attribute, quarantine."""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from schemas import Column, Contract

from .recognise import Layout
from .sources import excel_rows, text_rows

PARSE_SQL = (Path(__file__).parent / "parse.sql").read_text(encoding="utf-8")
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
TYPE_WORDS = {
    "integer": "a whole number",
    "decimal": "a number",
    "date": "a date",
    "timestamp": "a date and time",
    "month": "a month (2014-01 or jan 2014)",
    "duration": "a duration",
    "boolean": "yes/no",
}
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
    columns = ",\n    ".join(f"{ident(c.name)} {SQL_TYPES[c.type]}" for c in declared)
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
        "room": f"lower(trim({value}))",
    }[by]


def _pseudonym(value: str) -> str:
    return f"left(md5(getvariable('pseudonym_key') || lower(trim({value}))), 16)"


def choose_formats(
    con: duckdb.DuckDBPyConnection, layout: Layout, warnings: list[str]
) -> dict[str, tuple[str, ...]]:
    """For date columns with several formats, keep those the file's own values support.

    Formats are ranked by how many values they read. A format that swaps day and month of a
    better-ranked one is dropped, so a day above 12 decides the order for the whole column and
    a value only the swapped format reads is quarantined, never misread. When every date fits
    both orders, the first in the contract wins and the file gets a warning.
    """
    chosen: dict[str, tuple[str, ...]] = {}
    for column in layout.contract.columns:
        if column.type not in ("date", "timestamp") or len(column.formats) < 2:
            continue
        if column.name not in layout.positions:
            continue
        value = f"nullif(trim({ident(column.name)}), '')"
        counts = [f"count(try_strptime({value}, {lit(fmt)}))" for fmt in column.formats]
        row = con.execute(
            f"select count({value}), {', '.join(counts)} from land where not is_total"
        ).fetchall()[0]
        total, per_format = row[0], row[1:]
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


def land_direct(con: duckdb.DuckDBPyConnection, layout: Layout) -> None:
    """Stream a UTF-8 CSV straight through DuckDB, keeping only the contract's columns."""
    width = layout.width
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    selected = ", ".join(f"c{i} as {ident(name)}" for name, i in layout.positions.items())
    con.execute("drop table if exists land_rejects; drop table if exists land_scans")
    con.execute(
        f"""
        create or replace temp table land_text as
        select {selected}
        from read_csv(
            ?, header = false, skip = ?, delim = ?, quote = '"', escape = '"',
            columns = {columns}, auto_detect = false, strict_mode = true,
            store_rejects = true, rejects_table = 'land_rejects', rejects_scan = 'land_scans'
        )
        """,
        [str(layout.source.path), layout.header_line, layout.delimiter],
    )
    first = layout.header_line + 1
    # DuckDB reports a short row once per missing cell: keep one report per physical line.
    con.execute(
        """
        create or replace temp table land_reject_lines as
        select line, trim(any_value(csv_line), chr(10) || chr(13)) as csv_line,
            arg_min(error_message, column_idx) as error_message, 0 as rows_before
        from land_rejects
        group by line
        """
    )
    # Rejected and blank lines hold no row of land_text; count them to find each row's line.
    blanks = blank_lines(layout.source.path, layout.header_line)
    con.execute("create or replace temp table land_blank_lines (line bigint)")
    if blanks:
        con.executemany("insert into land_blank_lines values (?)", [[n] for n in blanks])
    con.execute(
        """
        create or replace temp table land_skipped_lines as
        select line, line - ? - row_number() over (order by line) + 1 as rows_before
        from (select line from land_reject_lines union select line from land_blank_lines)
        """,
        [first],
    )
    con.execute(
        f"""
        create or replace temp table land as
        with numbered as (
            -- rowids inside a transaction start at an offset: count from the first one
            select rowid - (select min(rowid) from land_text) as __row, *
            from land_text
        )
        select __row + ? as __line_base, *, {_total_expr(layout)} as is_total
        from numbered
        where {_not_blank(layout)}
        """,
        [first],
    )
    con.execute("drop table land_text")  # a full copy of the file's columns: free it now


def _not_blank(layout: Layout) -> str:
    """A row of delimiters only (Excel's `;;;;` lines) is a blank line, as in the other path."""
    cells = " or ".join(f"nullif(trim({ident(n)}), '') is not null" for n in layout.positions)
    return f"({cells})" if cells else "true"


def blank_lines(path: Path, after: int) -> list[int]:
    """Physical numbers of the empty lines after line `after`, which DuckDB skips silently."""
    found: list[int] = []
    newlines = 0  # line breaks before `data`
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(16 * 1024 * 1024):
            data = tail + chunk
            for pattern in (b"\n\n", b"\n\r\n"):
                start = data.find(pattern)
                while start >= 0:
                    if start + len(pattern) > len(tail):  # not already seen in the last chunk
                        number = newlines + data.count(b"\n", 0, start + 1) + 1
                        if number > after:
                            found.append(number)
                    start = data.find(pattern, start + 1)
            tail = data[-2:]
            newlines += data.count(b"\n") - tail.count(b"\n")
    return sorted(set(found))


def _total_expr(layout: Layout) -> str:
    column = layout.contract.totals_column
    if column is None or column not in layout.positions:
        return "false"
    return f"coalesce(regexp_matches(lower(trim({ident(column)})), {lit(TOTAL_LABELS)}), false)"


def _layout_rows(layout: Layout):
    source = layout.source
    if source.kind == "excel":
        rows = excel_rows(source)
        return ((n, cells) for n, cells in rows if n > layout.header_line)
    return text_rows(source, layout.delimiter or ",", layout.header_line + 1)


def land_normalised(con: duckdb.DuckDBPyConnection, layout: Layout, scratch: Path) -> None:
    """Small or awkward sources (Excel, UTF-16, cp1252, sectioned files) via a UTF-8 copy."""
    target = scratch / "normalised.csv"
    wrong_width: list[tuple[int, str, str]] = []
    names = list(layout.positions)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["__line", *names])
        for number, cells in _layout_rows(layout):
            if not any(c.strip() for c in cells):
                if layout.contract.table_ends_at_blank:
                    break
                continue
            cells = _trim_trailing(cells, layout.width)
            if len(cells) != layout.width:
                wrong_width.append(
                    (
                        number,
                        (layout.delimiter or ";").join(cells)[:200],
                        f"Expected Number of Columns: {layout.width} Found: {len(cells)}",
                    )
                )
                continue
            writer.writerow([number, *(cells[layout.positions[n]] for n in names)])
    con.execute(
        "create or replace temp table land_reject_lines (line bigint, csv_line varchar, "
        "error_message varchar, rows_before bigint)"
    )
    if wrong_width:
        con.executemany(
            "insert into land_reject_lines values (?, ?, ?, 0)", [list(r) for r in wrong_width]
        )
    columns = "{" + ", ".join(f"{lit(n)}: 'VARCHAR'" for n in ["__line", *names]) + "}"
    con.execute(
        f"""
        create or replace temp table land as
        select cast(__line as bigint) as __line_base, cast(__line as bigint) as __row,
            * exclude (__line),
            {_total_expr(layout)} as is_total
        from read_csv(?, header = true, columns = {columns}, auto_detect = false, quote = '"',
                      escape = '"')
        """,
        [str(target)],
    )


def _trim_trailing(cells: list[str], width: int) -> list[str]:
    while len(cells) > width and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def _line_expr(direct: bool) -> str:
    return "t.__line_base + coalesce(t.__skipped, 0)" if direct else "t.__line_base"


def _skipped_join(direct: bool) -> str:
    """Skipped lines before each row, by an as-of join (a correlated count is quadratic)."""
    if not direct:
        return "cross join (select null::bigint as __skipped) as s"
    return """asof left join (
            select rows_before, count(*) over (order by rows_before) as __skipped
            from land_skipped_lines
        ) as s
          on t.__row >= s.rows_before"""


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
) -> Outcome:
    """Land, type, validate and attribute one table; loaded rows to raw, the rest to quarantine."""
    contract = layout.contract
    ensure_raw_table(con, contract)
    if direct:
        land_direct(con, layout)
    else:
        land_normalised(con, layout, scratch)
    for column in contract.columns:
        if column.name not in layout.positions:
            con.execute(f"alter table land add column {ident(column.name)} varchar")
    warnings: list[str] = []
    formats = choose_formats(con, layout, warnings)
    decimal = "," if layout.delimiter in (";", "\t") else "."

    selects, problems, keys = [], [], []
    # Each cell is trimmed once and parsed once in inner selects; the checks reuse the results.
    values, parses, reused = [], [], {}
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
        stored = _pseudonym(value) if column.pii else parsed
        selects.append(f"{stored} as {ident(column.name)}")
        for condition, reason in _problems(column, value, parsed, decimal):
            shown = lit(f"({MASK[column.pii]})") if column.pii else value
            problems.append((condition, column.name, shown, reason))
    for name, column in contract.derived.items():
        selects.append(f"cast({column.sql} as {SQL_TYPES[column.type]}) as {ident(name)}")
    for index, rule in enumerate(contract.attribution):
        value = _text(contract, rule.column)
        if rule.column not in layout.positions:
            value = "null::varchar"
        keys.append((index, rule, _key(rule.by, value)))
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
        attribution_date = "current_date"

    bad_column = (
        "case " + " ".join(f"when {c} then {lit(name)}" for c, name, _, _ in problems) + " end"
        if problems
        else "null"
    )
    bad_value = (
        "case "
        + " ".join(f"when {c} then cast({v} as varchar)" for c, _, v, _ in problems)
        + " end"
        if problems
        else "null"
    )
    bad_reason = (
        "case " + " ".join(f"when {c} then {lit(r)}" for c, _, _, r in problems) + " end"
        if problems
        else "null"
    )
    key_selects = "".join(f", t.__k{i} as __key{i}" for i, _, _ in keys)
    parses.extend(f"{expr} as __k{i}" for i, _, expr in keys)
    attribution_value = _attribution_value(contract, layout)
    for i, _, expr in keys:
        attribution_value = attribution_value.replace(expr, f"t.__k{i}")
    con.execute(
        f"""
        create or replace temp table typed as
        with valued as (
            select t.*, s.__skipped, {", ".join(values)}
            from land as t
            {_skipped_join(direct)}
            where not t.is_total
        ),
        parsed as (
            select t.*, {", ".join(parses)}
            from valued as t
        )
        select
            t.__row,
            {_line_expr(direct)} as __line,
            {", ".join(selects)},
            {bad_column} as __bad_column,
            {bad_value} as __bad_value,
            {bad_reason} as __bad_reason,
            {attribution_date} as __date,
            {attribution_value} as __attr_value
            {key_selects}
        from parsed as t
        """
    )
    joins = "\n".join(
        f"""left join ref.municipality_keys k{i}
            on k{i}.key_type = {lit(rule.by)} and k{i}.key = t.__key{i}
            and coalesce(t.__date, current_date) between k{i}.valid_from and k{i}.valid_to"""
        for i, rule, _ in keys
    )
    # A title line or folder names the municipality for rows that do not: looked up by the
    # row's date too, so a name used before and after a merger gives the code of the time.
    found = ", ".join([*(f"k{i}.code" for i, _, _ in keys), "kh.code"])
    con.execute(
        f"""
        create or replace temp table attributed as
        select t.*, coalesce({found}) as municipality_code
        from typed t
        {joins}
        left join ref.municipality_keys kh
            on kh.key_type = ? and kh.key = ?
            and coalesce(t.__date, current_date) between kh.valid_from and kh.valid_to
        """,
        list(hint or (None, None)),
    )
    con.execute("drop table typed")  # attributed holds every column of it
    names = ", ".join(ident(c) for c in [*(c.name for c in contract.columns), *contract.derived])
    con.execute(
        f"""
        insert into {raw_table(contract)}
        select ?, ?, ?, __line, municipality_code, {names}
        from attributed
        where __bad_column is null and municipality_code is not null
        """,
        [path, part, sha256],
    )
    first_rule = contract.attribution[0].column if contract.attribution else "(whole file)"
    where = _attribution_place(contract, layout)
    con.execute(
        """
        insert into ops.quarantine
        select ?, ?, __line,
            coalesce(__bad_column, ?),
            coalesce(__bad_value, __attr_value),
            coalesce(__bad_reason, ?),
            ?, ?
        from attributed
        where __bad_column is not null or municipality_code is null
        """,
        [
            path,
            part,
            first_rule,
            f"no municipality found for this row {where}; add the missing name, code, "
            "domain or room to data/reference/ (see README, reference data)",
            sha256,
            contract.kind,
        ],
    )
    con.execute(
        """
        insert into ops.quarantine
        select ?, ?, line, '(row)',
            -- never the line itself: it may hold names, e-mail addresses or phone numbers
            coalesce(
                nullif(regexp_extract(error_message, 'Found: ([0-9]+)', 1), '') || ' cells', '(row)'
            ),
            'the row does not have the header''s number of columns (' || error_message || ')',
            ?, ?
        from land_reject_lines
        """,
        [path, part, sha256, contract.kind],
    )
    counts = con.execute(
        """
        select
            (select count(*) from attributed),
            (select count(*) from attributed
             where __bad_column is null and municipality_code is not null),
            (select count(*) from land_reject_lines)
        """
    ).fetchall()[0]
    typed_rows, loaded, rejected = counts
    warnings.extend(check_totals(con, layout))
    return Outcome(
        export_kind=contract.kind,
        rows_in=typed_rows + rejected,
        rows_loaded=loaded,
        rows_quarantined=typed_rows - loaded + rejected,
        warnings=warnings,
    )


def _text(contract: Contract, name: str) -> str:
    """A landed cell as trimmed text; empty strings and the contract's NULL literals are null."""
    value = f"nullif(trim(t.{ident(name)}), '')"
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


def check_totals(con: duckdb.DuckDBPyConnection, layout: Layout) -> list[str]:
    """Compare a totals row with the sum of the rows as written: a mismatch is a warning."""
    contract = layout.contract
    if contract.totals_column is None:
        return []
    decimal = "," if layout.delimiter in (";", "\t") else "."
    warnings = []
    for column in contract.columns:
        if column.type != "integer" or column.name not in layout.positions:
            continue
        value = f"rf_number({ident(column.name)}, {lit(decimal)})"
        stated, summed = con.execute(
            f"select sum({value}) filter (where is_total), sum({value}) filter (where not is_total)"
            " from land"
        ).fetchall()[0]
        if stated is not None and summed is not None and abs(stated - summed) > 0.5:
            warnings.append(
                f'totals row says {stated:,.0f} for "{column.name}" but the rows add up to '
                f"{summed:,.0f}"
            )
    return warnings
