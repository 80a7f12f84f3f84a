"""Write large, realistic call-record exports for scale tests: `make sample-large ROWS=N`.

Two files in the published layouts (docs/vendor-formats.md 2a and 2c), seeded and byte-for-byte
reproducible: a Teams admin-center PSTN usage export for one national year and a Lync
SessionDetails CDR export.
DuckDB writes the rows (range() -> hash-derived fields -> COPY), so 10 million rows take seconds
and nothing is held in memory. A small, exactly known share of rows is planted bad (a duration that
does not parse, a date that does not exist, one column too many); the manifest beside the files
says how many, so a benchmark can check that the quarantine holds exactly those rows.

    python scripts/make_large_sample.py --rows 5000000 --out data/large
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from datetime import date
from functools import partial
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
MUNICIPALITIES = ROOT / "data" / "reference" / "municipalities.csv"

PSTN_HEADER = (
    "UsageId,Call ID,Conference ID,User Location,AAD ObjectId,UPN,User Display Name,Caller ID,"
    "Call Type,Number Type,Domestic/International,Destination Dialed,Destination Number,"
    "Start Time,End Time,Duration Seconds,Connection Fee,Charge,Currency,Capability"
)
LYNC_HEADER = (
    "SessionIdTime,SessionIdSeq,FromUri,ToUri,InviteTime,ResponseCode,SessionEndTime,MediaTypes"
)
# One row in BAD_EVERY is planted bad, cycling through the kinds; one in BOT_EVERY is a bot call.
BAD_EVERY = 1000
BAD_OFFSET = 137
BOT_EVERY = 2000
BOT_OFFSET = 1000
PSTN_BAD_KINDS = ("unparseable_duration", "invalid_date", "too_many_columns")
LYNC_BAD_KINDS = ("unparseable_media_types", "invalid_date", "too_many_columns")

FIRST_NAMES = [
    "anna", "ola", "kari", "lars", "mette", "søren", "björn", "åsa", "ingrid", "erik", "lone",
    "henrik", "trine", "jens", "maria", "per", "karin", "nils", "sigrid", "jørgen", "elin",
    "magnus", "hanne", "øystein", "linnea", "oskar", "astrid", "mikkel", "frida", "torbjørn",
]  # fmt: skip
LAST_NAMES = [
    "lindqvist", "nordmann", "egeland", "rasmussen", "jensen", "nielsen", "åkesson", "berg",
    "haugland", "seim", "andersson", "johansson", "karlsson", "pedersen", "hansen", "larsen",
    "olsen", "eriksson", "bakke", "lid", "dahl", "holm", "sørensen", "strand", "lund",
]  # fmt: skip
ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae", "é": "e"})
COUNTRY_NAMES = {"SE": "Sweden", "NO": "Norway", "DK": "Denmark"}
DIAL_CODES = {"SE": "+46", "NO": "+47", "DK": "+45"}
CURRENCIES = {"SE": "SEK", "NO": "NOK", "DK": "DKK"}


def domains_in(year: int) -> list[tuple[str, str]]:
    """(domain, country) of every municipality whose e-mail domain attributes in `year`."""
    found: dict[str, str] = {}
    with MUNICIPALITIES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            valid = date.fromisoformat(row["valid_from"]) <= date(year, 1, 1) and date(
                year, 12, 31
            ) <= date.fromisoformat(row["valid_to"])
            for domain in filter(None, row["domains"].split("|")):
                if valid:
                    found.setdefault(domain, row["country"])
    return sorted(found.items())


def _list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _pick(values: list[str], hashed: str) -> str:
    """values[hashed mod len] as SQL (DuckDB lists are 1-based)."""
    return f"{_list(values)}[1 + ({hashed}) % {len(values)}]"


def _h(k: int) -> str:
    """A stable pseudo-random non-negative bigint per row and field (seed: a session variable)."""
    return f"cast(hash(i, getvariable('seed'), {k}) >> 1 as bigint)"


def _uuid(k: int, key: str = "i") -> str:
    """A stable UUID-shaped id per row (or user) and field."""
    hashed = f"md5_number(concat_ws('/', {key}, getvariable('seed'), {k}))"
    return f"cast(cast({hashed} as uuid) as varchar)"


def _text(expr: str) -> str:
    return f"cast({expr} as varchar)"


def users_sql(domains: list[tuple[str, str]]) -> str:
    """A temp table `users`: every first x last name at every domain, with its fixed attributes."""
    first = [n.translate(ASCII) for n in FIRST_NAMES]
    last = [n.translate(ASCII) for n in LAST_NAMES]
    nf, nl = len(FIRST_NAMES), len(LAST_NAMES)
    slot = f"1 + (u // {nf * nl})"
    title = "upper(left({0}, 1)) || substr({0}, 2)"
    return f"""
        create or replace temp table users as
        with named as (
            select
                u,
                {_list(FIRST_NAMES)}[1 + u % {nf}] as first_name,
                {_list(LAST_NAMES)}[1 + (u // {nf}) % {nl}] as last_name,
                {_list(first)}[1 + u % {nf}] || '.' || {_list(last)}[1 + (u // {nf}) % {nl}]
                    || '@' || {_list([d for d, _ in domains])}[{slot}] as address,
                {_list([c for _, c in domains])}[{slot}] as country
            from range({nf * nl * len(domains)}) as r(u)
        )
        select
            u,
            address,
            country,
            {_uuid(90, "u")} as object_id,
            {title.format("first_name")} || ' ' || {title.format("last_name")} as display_name,
            -- Some tenants show "Last, First": a quoted field with a comma inside.
            '"' || {title.format("last_name")} || ', ' || {title.format("first_name")} || '"'
                as display_name_reversed,
            case country {" ".join(f"when '{c}' then '{n}'" for c, n in COUNTRY_NAMES.items())}
            end as country_name,
            case country {" ".join(f"when '{c}' then '{n}'" for c, n in DIAL_CODES.items())}
            end as dial_code,
            case country {" ".join(f"when '{c}' then '{n}'" for c, n in CURRENCIES.items())}
            end as currency
        from named
    """


def _bad(kind: int) -> str:
    """Whether row i is a planted bad row of the given kind (0, 1 or 2)."""
    return f"(i % {BAD_EVERY} = {BAD_OFFSET} and (i // {BAD_EVERY}) % 3 = {kind})"


def pstn_sql(rows: int, year: int, users: int, day: date | None = None) -> str:
    """One text line per row, in the Teams PSTN export layout (needs the `users` table): calls
    over the whole year, or over one `day` (a nightly export)."""
    first = day or date(year, 1, 1)
    span_s = 86400 if day else (date(year + 1, 1, 1) - first).days * 86400
    step_us = span_s * 1_000_000 // max(rows, 1)
    call_types = [
        "user_in", "user_in", "user_in", "user_out", "user_out", "user_out", "user_out_conf",
        "user_out_transfer", "user_out_forwarding", "conf_in", "conf_in", "conf_out",
    ]  # fmt: skip
    return f"""
        with base as (
            select
                i,
                case
                    when i % {BOT_EVERY} = {BOT_OFFSET}
                        then case when (i // {BOT_EVERY}) % 2 = 0 then 'ucap_in' else 'ucap_out' end
                    else {_pick(call_types, _h(2))}
                end as call_type,
                -- Calls in time order over the span, each with a 7-digit fraction of a second.
                timestamp '{first.isoformat()}'
                    + to_microseconds((i - 1) * {step_us} + {_h(3)} % {max(step_us, 1)})
                    as start_ts,
                lpad({_text(f"{_h(4)} % 10000000")}, 7, '0') as frac,
                least(5 + ({_h(5)} % 1800) * ({_h(6)} % 4 + 1) // 2, 20000) as duration_s,
                {_h(7)} % 10 as variety,
                {_h(1)} % {users} as u
            from numbers
            where i <= {rows}
        ),
        fields as (
            select
                b.*,
                call_type like 'ucap%' as bot,
                variety = 9 as international,
                start_ts + to_seconds(duration_s) as end_ts,
                -- Some rows carry whole seconds only, as in the admin-center export.
                case when variety = 3 then 'Z' else '.' || frac || 'Z' end as fraction,
                case
                    when variety = 9 then {_h(23)} % 5000
                    when call_type like 'conf%' and variety < 4 then {_h(24)} % 2000
                    else 0
                end as charge_cents,
                us.*
            from base b
            join users us
              on us.u = b.u
        )
        -- The column's name is the header line: COPY writes it first, and rows stay in order.
        select
            concat_ws(',',
                {_uuid(10)},
                {_text(f"{_h(12)} % 2000000000")} || '_' || {_text(f"{_h(13)} % 1000000000")}
                    || '@10.' || {_text("variety")} || '.' || {_text(f"{_h(15)} % 256")}
                    || '.' || {_text(f"{_h(16)} % 256")},
                case when call_type like 'conf%' or call_type = 'user_out_conf'
                     then {_text(f"100000000 + {_h(17)} % 900000000")} else '' end,
                country,
                case when bot then '' else object_id end,
                case when bot then '' else address end,
                case when bot then '' when variety = 0 then display_name_reversed
                     else display_name end,
                dial_code || {_text(f"20000000 + {_h(20)} % 79999999")},
                call_type,
                case when variety = 5 then 'TollFree' else 'Subscriber' end,
                case when international then 'International' else 'Domestic' end,
                case when international then 'United Kingdom' else country_name end,
                case when international then '+' || {_text(f"442000000000 + {_h(21)} % 7999999999")}
                     else dial_code || {_text(f"20000000 + {_h(22)} % 79999999")} end,
                case when {_bad(1)} then '{year}-02-30T25:61:00.0000000Z'
                     else strftime(start_ts, '%Y-%m-%dT%H:%M:%S') || fraction end,
                strftime(end_ts, '%Y-%m-%dT%H:%M:%S') || fraction,
                case when {_bad(0)} then {_text("duration_s // 60")} || ':x7'
                     else {_text("duration_s")} end,
                '0.00',
                {_text("cast(charge_cents / 100 as decimal(12, 2))")},
                currency,
                case when bot then 'MCOCAP' when call_type like 'conf%' then 'MCOMEETADD'
                     when variety < 5 then 'MCOPSTN1' else 'MCOPSTN2' end
            ) || case when {_bad(2)} then ',EXTRA' else '' end as "{PSTN_HEADER}"
        from fields
    """


def lync_sql(rows: int, year: int, users: int) -> str:
    """One text line per row, in the Lync SessionDetails CDR layout (needs the `users` table)."""
    year_ms = (date(year + 1, 1, 1) - date(year, 1, 1)).days * 86400 * 1000
    step_ms = year_ms // max(rows, 1)
    media = ["16", "16", "16", "48", "48", "8", "24", "1", "1", "17", "64"]
    ms = "'%Y-%m-%d %H:%M:%S.%g'"
    return f"""
        with base as (
            select
                i,
                -- Every 40th session starts in the same millisecond as the one before: seq 2.
                case when i % 40 = 7 then 2 else 1 end as seq,
                timestamp '{year}-01-01'
                    + to_milliseconds((i - case when i % 40 = 7 then 2 else 1 end) * {step_ms})
                    as session_ts,
                {_h(3)} % 20 as variety,
                least(2 + ({_h(4)} % 2400) * ({_h(5)} % 3 + 1), 20000) as duration_s,
                {_h(1)} % {users} as u,
                {_h(2)} % {users} as u2
            from numbers
            where i <= {rows}
        ),
        fields as (
            select
                b.*,
                case when variety = 1 then 'sip:' else '' end || f.address as from_uri,
                case
                    when variety in (2, 3) then 'sip:' || f.address
                        || ';gruu;opaque=app:conf:focus:id:' || upper(left({_uuid(6)}, 8))
                    when variety = 4 then '+47' || {_text(f"30000000 + {_h(7)} % 69999999")}
                    else t.address
                end as to_uri
            from base b
            join users f
              on f.u = b.u
            join users t
              on t.u = b.u2
        )
        -- The column's name is the header line: COPY writes it first, and rows stay in order.
        select
            concat_ws(',',
                case when {_bad(1)} then '{year}-02-30 10:00:00.000'
                     else strftime(session_ts, {ms}) end,
                {_text("seq")},
                from_uri,
                to_uri,
                strftime(session_ts + to_milliseconds(variety % 4), {ms}),
                case when variety = 5 then '486' when variety = 6 then '487' else '200' end,
                case when variety in (5, 6) then 'NULL'
                     else strftime(session_ts + to_seconds(duration_s), {ms}) end,
                case when {_bad(0)} then 'audio' else {_pick(media, _h(8))} end
            ) || case when {_bad(2)} then ',NULL' else '' end as "{LYNC_HEADER}"
        from fields
    """


def planted(rows: int, kinds: tuple[str, ...]) -> dict[str, int]:
    """How many rows of each bad kind a file of `rows` rows holds (rows are numbered from 1)."""
    counts = dict.fromkeys(kinds, 0)
    total = 0 if rows < BAD_OFFSET else (rows - BAD_OFFSET) // BAD_EVERY + 1
    for n in range(total):
        counts[kinds[n % 3]] += 1
    return counts


def bots(rows: int) -> int:
    return 0 if rows < BOT_OFFSET else (rows - BOT_OFFSET) // BOT_EVERY + 1


def write_lines(con: duckdb.DuckDBPyConnection, sql: str, target: Path) -> None:
    """COPY the query's one text column (its name is the header) to `target`, unquoted."""
    partial = target.with_name(target.name + ".partial")
    con.execute(
        f"copy ({sql}) to '{partial}' "
        "(format csv, header true, quote '', escape '', delimiter '\\x1f')"
    )
    partial.replace(target)


def generate(
    rows: int,
    out: Path,
    seed: int = 2024,
    lync_rows: int | None = None,
    threads: int = 2,
    day: date | None = None,
) -> dict:
    """Write both exports and a manifest into `out`; returns the manifest. With `day`, the PSTN
    calls are all of that day of 2024, as in a nightly export."""
    out.mkdir(parents=True, exist_ok=True)
    lync_rows = rows // 10 if lync_rows is None else lync_rows
    con = duckdb.connect()
    con.execute(f"set threads = {int(threads)}")
    con.execute("set preserve_insertion_order = true")
    # A table scan runs on every core where range() would not; it also keeps the rows in order.
    con.execute(
        "create temp table numbers as select i from range(1, ? + 1) as r(i)",
        [max(rows, lync_rows)],
    )
    files = []
    for kind, count, year, build, kinds in (
        ("teams_pstn", rows, 2024, partial(pstn_sql, day=day), PSTN_BAD_KINDS),
        ("lync_sessions", lync_rows, 2013, lync_sql, LYNC_BAD_KINDS),
    ):
        if count <= 0:
            continue
        name = (
            f"PSTN.calls.{year}-12-31.{count}.csv"
            if kind == "teams_pstn"
            else f"lync_sessiondetails_{year}.{count}.csv"
        )
        started = time.perf_counter()
        domains = domains_in(year)
        con.execute("set variable seed = ?", [seed])
        con.execute(users_sql(domains))
        users = len(FIRST_NAMES) * len(LAST_NAMES) * len(domains)
        write_lines(con, build(count, year, users), out / name)
        bad = planted(count, kinds)
        unattributed = bots(count) if kind == "teams_pstn" else 0
        files.append(
            {
                "file": name,
                "export_kind": kind,
                "rows": count,
                "bytes": (out / name).stat().st_size,
                "bad_rows": bad,
                "bot_rows_without_user": unattributed,
                "expected_quarantined": sum(bad.values()) + unattributed,
                "expected_loaded": count - sum(bad.values()) - unattributed,
                "write_s": round(time.perf_counter() - started, 2),
            }
        )
    con.close()
    manifest = {"seed": seed, "rows": rows, "lync_rows": lync_rows, "files": files}
    (out / f"manifest.{rows}.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="Teams PSTN call records")
    parser.add_argument("--lync-rows", type=int, default=None, help="Lync sessions (rows / 10)")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "large")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    manifest = generate(args.rows, args.out, args.seed, args.lync_rows)
    for entry in manifest["files"]:
        rate = entry["rows"] / max(entry["write_s"], 1e-9)
        print(
            f"{args.out / entry['file']}: {entry['rows']:,} rows, {entry['bytes'] / 1e6:,.0f} MB "
            f"in {entry['write_s']:.1f} s ({rate:,.0f} rows/s); "
            f"{entry['expected_quarantined']:,} rows to be quarantined"
        )


if __name__ == "__main__":
    main()
