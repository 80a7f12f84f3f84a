"""Raw layer: reference CSV files and every export in the drop folder, loaded as they are."""

import hashlib
from collections.abc import Iterator

import dagster as dg

from schemas import load_contracts

from ..materialize import (
    fingerprint_of,
    last_fingerprint,
    record_fingerprint,
    table_metadata,
    unchanged_metadata,
)
from ..settings import Inputs
from ..warehouse import Warehouse
from .ingest import ingest_folder, needs_ingest
from .load import PARSE_SQL, ensure_raw_table
from .progress import LoadProgress
from .reference import REFERENCE_TABLES, build_municipality_keys, check_reference, load_reference

REFERENCE_KEYS = [dg.AssetKey(["ref", t.name]) for t in REFERENCE_TABLES]
MUNICIPALITY_KEYS = dg.AssetKey(["ref", "municipality_keys"])
FILES = dg.AssetKey(["ops", "files"])
QUARANTINE = dg.AssetKey(["ops", "quarantine"])
RAW_KEYS = {c.kind: dg.AssetKey(["raw", c.kind]) for c in load_contracts()}


def _reference_fingerprint(inputs: Inputs) -> str:
    digest = hashlib.sha256()
    for table in REFERENCE_TABLES:
        path = inputs.reference_path / table.file_name
        digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()[:16]


@dg.multi_asset(
    specs=[
        *(
            dg.AssetSpec(key, group_name="raw", description=t.description, kinds={"duckdb", "csv"})
            for key, t in zip(REFERENCE_KEYS, REFERENCE_TABLES, strict=True)
        ),
        dg.AssetSpec(
            MUNICIPALITY_KEYS,
            group_name="raw",
            deps=[dg.AssetKey(["ref", "municipalities"]), dg.AssetKey(["ref", "rooms"])],
            description="Every way an export names a municipality (code, name, alias, e-mail "
            "domain, video room), each with its validity period.",
            kinds={"duckdb"},
        ),
    ]
)
def reference_tables(warehouse: Warehouse, inputs: Inputs) -> Iterator[dg.MaterializeResult]:
    """The editable reference CSV files in data/reference, typed, in the warehouse's ref schema."""
    fingerprint = _reference_fingerprint(inputs)
    with warehouse.read() as con:
        if last_fingerprint(con, "reference") == fingerprint:
            tables = [f"ref.{t.name}" for t in REFERENCE_TABLES] + ["ref.municipality_keys"]
            for key, table in zip([*REFERENCE_KEYS, MUNICIPALITY_KEYS], tables, strict=True):
                yield dg.MaterializeResult(asset_key=key, metadata=unchanged_metadata(con, table))
            return
    check_reference(inputs.reference_path)
    with warehouse.connect() as con:
        con.execute(PARSE_SQL)
        for key, table in zip(REFERENCE_KEYS, REFERENCE_TABLES, strict=True):
            load_reference(con, inputs.reference_path, table)
            yield dg.MaterializeResult(
                asset_key=key, metadata=table_metadata(con, f"ref.{table.name}")
            )
        build_municipality_keys(con)
        record_fingerprint(con, "reference", fingerprint)
        yield dg.MaterializeResult(
            asset_key=MUNICIPALITY_KEYS, metadata=table_metadata(con, "ref.municipality_keys")
        )


@dg.multi_asset(
    specs=[
        *(
            dg.AssetSpec(
                key,
                group_name="raw",
                deps=[MUNICIPALITY_KEYS],
                description=f"{c.title}: the rows of every such export in the drop folder, typed, "
                "attributed to a municipality and pseudonymised.",
                kinds={"duckdb"},
                metadata={"contract": f"schemas/{c.kind}.toml"},
            )
            for c in load_contracts()
            for key in [RAW_KEYS[c.kind]]
        ),
        dg.AssetSpec(
            FILES,
            group_name="raw",
            deps=[MUNICIPALITY_KEYS],
            description="One row per file (sheet or archive member) in the drop folder: its kind, "
            "content hash, rows in, loaded and quarantined, and what to do about problems.",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            QUARANTINE,
            group_name="raw",
            deps=[MUNICIPALITY_KEYS],
            description="Every row that was not loaded: file, row number, column, value and the "
            "reason, in words an analyst can act on.",
            kinds={"duckdb"},
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
            tables = {RAW_KEYS[c.kind]: f"raw.{c.kind}" for c in load_contracts()}
            tables |= {FILES: "ops.files", QUARANTINE: "ops.quarantine"}
            for key, table in tables.items():
                yield dg.MaterializeResult(asset_key=key, metadata=unchanged_metadata(con, table))
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
        raw_fingerprint = fingerprint_of(
            con, ["select path, part, sha256, status, fingerprint from ops.files order by all"]
        )
        record_fingerprint(con, "raw", raw_fingerprint)
        for contract in load_contracts():
            ensure_raw_table(con, contract)
            yield dg.MaterializeResult(
                asset_key=RAW_KEYS[contract.kind],
                metadata=table_metadata(con, f"raw.{contract.kind}"),
            )
        totals = con.execute(
            "select count(*), sum(rows_in), sum(rows_loaded), sum(rows_quarantined), "
            "count(*) filter (where status = 'unrecognized') from ops.files"
        ).fetchall()[0]
        yield dg.MaterializeResult(
            asset_key=FILES,
            metadata=table_metadata(
                con,
                "ops.files",
                files_loaded_this_run=len(report.loaded),
                rows_in=int(totals[1] or 0),
                rows_loaded=int(totals[2] or 0),
                rows_quarantined=int(totals[3] or 0),
                files_unrecognized=int(totals[4] or 0),
            ),
        )
        yield dg.MaterializeResult(
            asset_key=QUARANTINE, metadata=table_metadata(con, "ops.quarantine")
        )
