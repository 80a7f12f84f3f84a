"""Raw layer: reference CSV files and every export in the drop folder, loaded as they are."""

import hashlib
from collections.abc import Iterator

import dagster as dg
import duckdb

from schemas import load_contracts

from ..fingerprint import (
    built_from,
    code_fingerprint,
    fingerprint,
    query_fingerprint,
    record,
    record_files,
    recorded,
    without_files,
)
from ..freshness import table_of, unchanged, versioned
from ..metadata import table_metadata
from ..settings import Inputs
from ..warehouse import Warehouse
from .ingest import file_versions, ingest_folder, needs_ingest
from .load import PARSE_SQL, ensure_raw_table
from .progress import LoadProgress
from .reference import REFERENCE_TABLES, build_municipality_keys, check_reference, load_reference

REFERENCE_KEYS = [dg.AssetKey(["ref", t.name]) for t in REFERENCE_TABLES]
MUNICIPALITY_KEYS = dg.AssetKey(["ref", "municipality_keys"])
FILES = dg.AssetKey(["ops", "files"])
QUARANTINE = dg.AssetKey(["ops", "quarantine"])
RAW_KEYS = {c.kind: dg.AssetKey(["raw", c.kind]) for c in load_contracts()}
CODE = code_fingerprint(__name__)
FILES_OF_KIND = (
    "select path, part, sha256, status, fingerprint from ops.files where export_kind = ? "
    "order by all"
)
ALL_FILES = "select path, part, sha256, status, fingerprint from ops.files order by all"


def _file_hash(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def _reference_fingerprints(con: duckdb.DuckDBPyConnection, inputs: Inputs) -> dict:
    """{asset key: fingerprint} of the reference tables (their CSV file and the code) and of the
    municipality keys built from two of them."""
    values = {
        key: fingerprint([_file_hash(inputs.reference_path / t.file_name)], CODE)
        for key, t in zip(REFERENCE_KEYS, REFERENCE_TABLES, strict=True)
    }
    # The keys' inputs, as they will be once the reference tables above are recorded.
    keys_from = [values[dg.AssetKey(["ref", n])] for n in ("municipalities", "rooms")]
    values[MUNICIPALITY_KEYS] = fingerprint(keys_from, CODE)
    return values


@dg.multi_asset(
    specs=[
        *(
            dg.AssetSpec(
                key,
                group_name="raw",
                description=t.description,
                kinds={"duckdb", "csv"},
                code_version=CODE,
            )
            for key, t in zip(REFERENCE_KEYS, REFERENCE_TABLES, strict=True)
        ),
        dg.AssetSpec(
            MUNICIPALITY_KEYS,
            group_name="raw",
            code_version=CODE,
            deps=[dg.AssetKey(["ref", "municipalities"]), dg.AssetKey(["ref", "rooms"])],
            description="Every way an export names a municipality (code, name, alias, e-mail "
            "domain, video room), each with its validity period.",
            kinds={"duckdb"},
        ),
    ]
)
def reference_tables(warehouse: Warehouse, inputs: Inputs) -> Iterator[dg.MaterializeResult]:
    """The editable reference CSV files in data/reference, typed, in the warehouse's ref schema."""
    with warehouse.read() as con:
        values = _reference_fingerprints(con, inputs)
        same = {k for k, v in values.items() if recorded(con, table_of(k)) == v}
        if same == set(values):
            for key in values:
                yield unchanged(con, key)
            return
    check_reference(inputs.reference_path)
    with warehouse.connect() as con:
        con.execute(PARSE_SQL)
        for table in REFERENCE_TABLES:
            load_reference(con, inputs.reference_path, table)
        build_municipality_keys(con)
        for key, value in values.items():
            record(con, table_of(key), value)
            # A table read again from an unchanged file says so: nothing below it rebuilds.
            flag = {"unchanged": True} if key in same else {}
            yield versioned(table_metadata(con, table_of(key), **flag), value, key)


def _spec(key: dg.AssetKey, description: str, **extra) -> dg.AssetSpec:
    """A raw-layer table the loader writes (every one reads the municipalities' keys)."""
    return dg.AssetSpec(
        key,
        group_name="raw",
        code_version=CODE,
        deps=[MUNICIPALITY_KEYS],
        description=description,
        kinds={"duckdb"},
        **extra,
    )


@dg.multi_asset(
    specs=[
        *(
            _spec(
                RAW_KEYS[c.kind],
                f"{c.title}: the rows of every such export in the drop folder, typed, attributed "
                "to a municipality and pseudonymised.",
                metadata={"contract": f"schemas/{c.kind}.toml"},
            )
            for c in load_contracts()
        ),
        _spec(
            FILES,
            "One row per file (sheet or archive member) in the drop folder: its kind, content "
            "hash, rows in, loaded and quarantined, and what to do about problems.",
        ),
        _spec(
            QUARANTINE,
            "Every row that was not loaded: file, row number, column, value and the reason, in "
            "words an analyst can act on.",
        ),
    ]
)
def raw_exports(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    inputs: Inputs,
    load_progress: dg.ResourceParam[LoadProgress],
) -> Iterator[dg.MaterializeResult]:
    """Recognises each export in the drop folder by its headers and loads new or changed files."""
    with warehouse.read() as con:
        if not needs_ingest(con, inputs.raw_path):
            context.log.info(f"No new or changed files in {inputs.raw_path}.")
            for key in [*RAW_KEYS.values(), FILES, QUARANTINE]:
                yield unchanged(con, key)
            return
    with warehouse.connect() as con, load_progress.reporting(context.log.info) as on_progress:
        report = ingest_folder(
            con,
            inputs.raw_path,
            inputs.pseudonym_key(),
            inputs.settle_s,
            on_progress=on_progress,
            private=warehouse.publication.private,
        )
        for message in report.waiting:
            context.log.info(message)
        for record in report.loaded:
            log = context.log.warning if record.status != "loaded" else context.log.info
            log(f"{record.path} {record.part}: {record.status}. {record.message}".strip())
        values = _raw_fingerprints(con)
        for contract in load_contracts():
            ensure_raw_table(con, contract)
            key = RAW_KEYS[contract.kind]
            yield versioned(table_metadata(con, table_of(key)), values[key], key)
        totals = con.execute(
            "select count(*), sum(rows_in), sum(rows_loaded), sum(rows_quarantined), "
            "count(*) filter (where status = 'unrecognized') from ops.files"
        ).fetchall()[0]
        metadata = table_metadata(
            con,
            "ops.files",
            files_loaded_this_run=len(report.loaded),
            rows_in=int(totals[1] or 0),
            rows_loaded=int(totals[2] or 0),
            rows_quarantined=int(totals[3] or 0),
            files_unrecognized=int(totals[4] or 0),
        )
        yield versioned(metadata, values[FILES], FILES)
        yield versioned(table_metadata(con, "ops.quarantine"), values[QUARANTINE], QUARANTINE)


def _raw_fingerprints(con: duckdb.DuckDBPyConnection) -> dict:
    """Record and return {asset key: fingerprint} of every raw table (the files of its kind, as
    ops.files holds them with their content hash and the loader's code) and of the ops tables."""
    keys_from = [table_of(MUNICIPALITY_KEYS)]
    values = {
        key: built_from(con, keys_from, CODE, [query_fingerprint(con, FILES_OF_KIND, [kind])])
        for kind, key in RAW_KEYS.items()
    }
    every_file = built_from(con, keys_from, CODE, [query_fingerprint(con, ALL_FILES)])
    values |= {FILES: every_file, QUARANTINE: every_file}
    for key, value in values.items():
        record(con, table_of(key), value)
    # What a raw table holds, file by file, so a check can validate only a new file's rows.
    rest = built_from(con, keys_from, CODE)
    for kind, key in RAW_KEYS.items():
        record(con, without_files(table_of(key)), rest)
        record_files(con, table_of(key), file_versions(con, [kind]))
    return values
