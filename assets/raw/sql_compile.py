"""The loader's SQL, compiled from a contract and a layout: pure functions, no connection.

The streaming insert is one statement (its speed comes from that): `src` is the source's rows,
`valued` trims each cell once, `parsed` types it once, `dated` finds the attribution date, and
`checked` numbers each row's first problem and finds its municipality. Every identifier and
literal goes through `ident` and `lit`; values of the file (its path, part, hash and hint) are
bound parameters, named in IDENTITY.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from schemas import Column, Contract

from ..db import ident, lit
from .recognise import Layout

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
HELPERS = (("__problem", "integer"), ("__value", "varchar"))
# __problem of a row while its file loads: null = loaded, 0.. = the first problem found (see
# problem_list), and these, which are deleted before the file's transaction ends:
NO_MUNICIPALITY, TOTALS_ROW, EMPTY_ROW = -1, -2, -3
# The parameters of the insert that name the file it reads (bound, never spliced into the SQL).
IDENTITY = ("source_path", "source_part", "file_sha256", "hint_type", "hint_key")
THIS_TABLE = "source_path = $source_path and source_part = $source_part"
LEAD_COLUMNS = {
    "source_path": "varchar",
    "source_part": "varchar",
    "file_sha256": "varchar",
    "source_line": "bigint",
    "municipality_code": "varchar",
}


@dataclass(frozen=True)
class Query:
    """SQL text and its named parameters."""

    sql: str
    params: dict = field(default_factory=dict)


def raw_table(contract: Contract) -> str:
    return "raw." + ident(contract.kind)


def create_raw_table(contract: Contract) -> str:
    """raw.<kind>: one row per loaded source row, typed, attributed and pseudonymised."""
    declared = [*contract.columns, *contract.derived.values()]
    columns = ",\n    ".join(
        [f"{ident(n)} {t}" for n, t in LEAD_COLUMNS.items()]
        + [
            f"{ident(c.name)} {SQL_TYPES[c.type]}" + ("" if c.compress else UNCOMPRESSED)
            for c in declared
        ]
    )
    return f"create table if not exists {raw_table(contract)} (\n    {columns}\n)"


def add_helpers(contract: Contract) -> list[str]:
    return [
        f"alter table {raw_table(contract)} add column if not exists {name} {kind}"
        for name, kind in HELPERS
    ]


def drop_helpers(contract: Contract) -> list[str]:
    return [f"alter table {raw_table(contract)} drop column if exists {n}" for n, _ in HELPERS]


def _struct_of_varchar(names: list[str]) -> str:
    return "{" + ", ".join(f"{lit(n)}: 'VARCHAR'" for n in names) + "}"


def direct_source(layout: Layout, parallel: bool) -> Query:
    """A UTF-8 CSV straight from DuckDB's reader: the contract's cells as text, plus the row's
    cell count when it differs from the header's (DuckDB pads short rows with nulls and cuts
    long ones after EXTRA_CELLS cells; empty cells read as '' so padding is told apart)."""
    width = layout.width
    declared = width + EXTRA_CELLS
    cells = ", ".join(f"c{i}" for i in range(declared))
    # A long row's trailing empty cells do not count (Excel writes `a;b;c;;`), as in the
    # normalised path; the cases run only for the rare rows that are short or long.
    last_filled = " ".join(
        f"when nullif(trim(c{i}), '') is not null then {i + 1}"
        for i in reversed(range(width, declared))
    )
    named = "".join(f", c{i} as {ident(name)}" for name, i in layout.positions.items())
    any_filled = ", ".join(f"nullif(trim(c{i}), '')" for i in range(declared))
    columns = _struct_of_varchar([f"c{i}" for i in range(declared)])
    sql = f"""
        select null::bigint as __line_base{named},
            case
                when c{width} is not null then nullif(greatest({width}, case {last_filled} end),
                                                      {width})
                when c{width - 1} is null then len(list_filter([{cells}], lambda c: c is not null))
            end as __cells,
            case
                when c{width} is not null or c{width - 1} is null
                    then coalesce({any_filled}) is null
            end as __empty_row
        from read_csv(
            $csv_path, header = false, skip = $skip, delim = $delim, quote = '"', escape = '"',
            columns = {columns}, auto_detect = false, null_padding = true, strict_mode = false,
            nullstr = chr(1), parallel = $parallel,
            store_rejects = true, rejects_table = 'land_rejects', rejects_scan = 'land_scans'
        )
    """
    params = {
        "csv_path": str(layout.source.path),
        "skip": layout.header_line,
        "delim": layout.delimiter,
        "parallel": parallel,
    }
    return Query(sql, params)


def normalised_source(layout: Layout, csv_path: str) -> Query:
    """The UTF-8 copy a small or awkward source is written to: line number, cell count, cells."""
    names = list(layout.positions)
    types = _struct_of_varchar(["__line", "__cells", *names])
    named = "".join(f", {ident(n)}" for n in names)
    sql = f"""
        select cast(__line as bigint) as __line_base{named},
            cast(nullif(__cells, '') as bigint) as __cells, false as __empty_row
        from read_csv($csv_path, header = true, columns = {types}, auto_detect = false,
                      quote = '"', escape = '"')
    """
    return Query(sql, {"csv_path": csv_path})


def total_flag(layout: Layout) -> str:
    """Whether a row is the export's totals row ("Summa", "Total"...)."""
    column = layout.contract.totals_column
    if column is None or column not in layout.positions:
        return "false"
    return f"coalesce(regexp_matches(lower(trim({ident(column)})), {lit(TOTAL_LABELS)}), false)"


def format_counts(layout: Layout, columns: list[Column], source: Query) -> Query:
    """One scan of the source: per date column, its values and how many each format reads."""
    counts = []
    for column in columns:
        value = f"nullif(trim({ident(column.name)}), '')"
        counts.append(f"count({value})")
        counts.extend(f"count(try_strptime({value}, {lit(fmt)}))" for fmt in column.formats)
    sql = f"select {', '.join(counts)} from ({source.sql}) where not ({total_flag(layout)})"
    return Query(sql, source.params)


def cell_text(contract: Contract, name: str) -> str:
    """A landed cell as trimmed text; empty strings and the contract's NULL literals are null."""
    value = f"nullif(rf_trim(t.{ident(name)}), '')"
    if contract.null_literals:
        listed = ", ".join(lit(n) for n in contract.null_literals)
        value = f"case when {value} in ({listed}) then null else {value} end"
    return value


def parsed(column: Column, value: str, decimal: str) -> str:
    """A cell's text typed as its contract column says."""
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


def problem_cases(column: Column, value: str, typed: str, decimal: str) -> list[tuple[str, str]]:
    """(condition, reason) pairs for one column, in the order they are reported."""
    checks = []
    if column.required:
        checks.append((f"{value} is null", "is empty, but this column is required"))
    if column.type != "text":
        whole = _whole(column, value, decimal)
        checks.append(
            (
                f"{value} is not null and ({typed} is null or not ({whole}))",
                f"is not {TYPE_WORDS[column.type]}",
            )
        )
    if column.type in ("date", "timestamp"):
        checks.append(
            (
                f"not {typed} between {FIRST_PLAUSIBLE_DATE} "
                f"and make_date(year(current_date) + 1, 12, 31)",
                f"is a date before {FIRST_PLAUSIBLE_YEAR} or after next year: a two-digit year "
                "or a wrong date format? Check the export's date column and the formats in its "
                "contract",
            )
        )
    if column.min is not None:
        checks.append((f"{typed} < {column.min}", f"is below the minimum {column.min:g}"))
    if column.max is not None:
        checks.append((f"{typed} > {column.max}", f"is above the maximum {column.max:g}"))
    if column.allowed:
        allowed = ", ".join(lit(a.casefold()) for a in column.allowed)
        checks.append(
            (
                f"{value} is not null and lower({value}) not in ({allowed})",
                "is not one of " + ", ".join(column.allowed),
            )
        )
    return checks


def problem_list(layout: Layout) -> list[tuple[str, str]]:
    """(column, reason) of each problem a row can have, in the order `__bad` numbers them."""
    problems = [
        (
            "(row)",
            f"the row does not have the header's {layout.width} cells; look for a stray "
            "delimiter or a missing cell in this line",
        )
    ]
    for column in layout.contract.columns:
        for _, reason in problem_cases(column, "v", "p", "."):
            problems.append((column.name, reason))
    return problems


def key_of(by: str, value: str) -> str:
    """A cell as the municipality key it is looked up by."""
    return {
        "domain": f"rf_domain({value})",
        "name": f"rf_name({value})",
        "code": f"rf_code({value})",
        "room": f"lower(rf_trim({value}))",
    }[by]


def pseudonym(value: str) -> str:
    """A keyed hash of a personal value: the same person gets the same pseudonym in every file."""
    return f"left(md5(getvariable('pseudonym_key') || lower({value})), 16)"


def attribution_place(layout: Layout) -> str:
    """Where the loader looked for a row's municipality, for the quarantine's reason."""
    present = [r for r in layout.contract.attribution if r.column in layout.positions]
    if not present:
        return (
            "(the export names no organisation, user domain or room, and no title line names one)"
        )
    return "(looked up " + ", ".join(f'"{r.column}" by {r.by}' for r in present) + ")"


def attribution_value(layout: Layout) -> str:
    """The cell that failed to name a municipality, as it may be shown (e-mails as *@domain)."""
    contract = layout.contract
    for rule in contract.attribution:
        if rule.column in layout.positions:
            column = contract.column(rule.column)
            raw = cell_text(contract, rule.column)
            if column.pii == "email":
                return f"'*@' || coalesce(rf_domain({raw}), '?')"
            if column.pii:
                return lit(f"({MASK[column.pii]})")
            return raw
    return "null::varchar"


@dataclass
class _Plan:
    """The per-column pieces of the insert, each list in contract column order."""

    values: list[str] = field(default_factory=list)  # trimmed text, computed once in `valued`
    parses: list[str] = field(default_factory=list)  # typed value, computed once in `parsed`
    selects: list[str] = field(default_factory=list)  # what raw.<kind> stores
    checks: list[str] = field(default_factory=list)  # problem conditions, numbered from 1
    shown: list[str] = field(default_factory=list)  # the value shown for each problem
    reused: dict[str, str] = field(default_factory=dict)  # a parse already computed -> its name


def _typed_column(column: Column, formats: dict[str, tuple[str, ...]]) -> Column:
    chosen = formats.get(column.name)
    return column if chosen is None else replace(column, formats=chosen)


def _decimal(layout: Layout) -> str:
    return "," if layout.delimiter in (";", "\t") else "."


def _plan(layout: Layout, formats: dict[str, tuple[str, ...]]) -> _Plan:
    contract, decimal, plan = layout.contract, _decimal(layout), _Plan()
    for index, column in enumerate(contract.columns):
        present = column.name in layout.positions
        value = cell_text(contract, column.name) if present else "null::varchar"
        if column.empty_means is not None:
            value = f"coalesce({value}, {lit(column.empty_means)})"
        typed_column = _typed_column(column, formats)
        plan.values.append(f"{value} as __v{index}")
        plan.parses.append(f"{parsed(typed_column, f't.__v{index}', decimal)} as __p{index}")
        plan.reused[parsed(typed_column, value, decimal)] = f"t.__p{index}"
        value, typed = f"t.__v{index}", f"t.__p{index}"
        plan.selects.append(pseudonym(value) if column.pii else typed)
        for condition, _ in problem_cases(column, value, typed, decimal):
            plan.checks.append(condition)
            plan.shown.append(lit(f"({MASK[column.pii]})") if column.pii else value)
    for column in contract.derived.values():
        plan.selects.append(f"cast({column.sql} as {SQL_TYPES[column.type]})")
    return plan


def _texts(layout: Layout) -> dict[str, str]:
    """The trimmed text of each present column, as computed once in `valued`."""
    return {
        c.name: f"t.__v{i}"
        for i, c in enumerate(layout.contract.columns)
        if c.name in layout.positions and c.empty_means is None
    }


def attribution_date(layout: Layout, formats: dict[str, tuple[str, ...]], plan: _Plan) -> str:
    """The date a row's municipality is looked up on (keys change over time)."""
    contract = layout.contract
    name = contract.attribution_date
    if not name or name not in layout.positions:
        return "null::date"
    column = _typed_column(contract.column(name), formats)
    value = parsed(column, cell_text(contract, name), _decimal(layout))
    return f"cast({plan.reused.get(value, value)} as date)"


def municipality(layout: Layout) -> str:
    """The first municipality the contract's rules find, else the file's title or folder hint."""
    texts = _texts(layout)
    codes = [
        f"rf_municipality({lit(rule.by)}, "
        f"{key_of(rule.by, texts.get(rule.column, 'null::varchar'))}, __date)"
        for rule in layout.contract.attribution
    ]
    codes.append("rf_municipality(cast($hint_type as varchar), cast($hint_key as varchar), __date)")
    return f"coalesce({', '.join(codes)})"


def first_problem(plan: _Plan) -> str:
    """0 for a row of the wrong width, else the number of its first failing check."""
    bad = " ".join(f"when {c} then {i + 1}" for i, c in enumerate(plan.checks))
    return f"case when t.__cells is not null then 0 {bad} end"


def problem_code() -> str:
    """The __problem helper column: null for a row to load."""
    return f"""case
                when t.__empty then {EMPTY_ROW}
                when t.__total then {TOTALS_ROW}
                when t.__bad is not null then t.__bad
                when t.__code is null then {NO_MUNICIPALITY}
            end"""


def problem_value(layout: Layout, plan: _Plan) -> str:
    """The __value helper column: what the quarantine shows of the failing cell."""
    shown = ", ".join(["null", *plan.shown])
    return f"""case
                when t.__empty or t.__total then null
                when t.__bad = 0 then cast(t.__cells as varchar) || ' cells'
                when t.__bad is not null then [{shown}][t.__bad + 1]
                when t.__code is null then {attribution_value(layout)}
            end"""


def target_columns(contract: Contract) -> str:
    names = [*LEAD_COLUMNS, *(c.name for c in contract.columns), *contract.derived]
    return ", ".join(ident(n) for n in [*names, *(h for h, _ in HELPERS)])


def insert_rows(layout: Layout, formats: dict[str, tuple[str, ...]], source: Query) -> Query:
    """The one pass from source text into raw.<kind>: stored values, attribution and problems.

    Each cell is trimmed once and parsed once in inner selects and the checks reuse the results.
    Every source row is inserted, in order. Parameters: the source's and IDENTITY.
    """
    contract = layout.contract
    plan = _plan(layout, formats)
    missing = "".join(
        f", null::varchar as {ident(c.name)}"
        for c in contract.columns
        if c.name not in layout.positions
    )
    filled = ", ".join(_texts(layout).values()) or "null"
    sql = f"""
        insert into {raw_table(contract)} ({target_columns(contract)})
        with src as (
            select *{missing} from ({source.sql})
        ),
        valued as (
            select t.*, {", ".join(plan.values)}, {total_flag(layout)} as __total
            from src as t
        ),
        parsed as (
            select t.*, {", ".join(plan.parses)},
                coalesce(t.__empty_row, coalesce({filled}) is null) as __empty
            from valued as t
        ),
        dated as (
            select t.*, {attribution_date(layout, formats, plan)} as __date
            from parsed as t
        ),
        checked as (
            select t.*, {first_problem(plan)} as __bad,
                {municipality(layout)} as __code
            from dated as t
        )
        select
            cast($source_path as varchar),
            cast($source_part as varchar),
            cast($file_sha256 as varchar),
            t.__line_base,
            t.__code,
            {", ".join(plan.selects)},
            {problem_code()},
            {problem_value(layout, plan)}
        from checked as t
    """
    return Query(sql, source.params)
