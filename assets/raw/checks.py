"""Raw-layer checks: every row accounted for, every file recognised, rows keep their contract."""

from collections.abc import Iterator

import dagster as dg

from schemas import load_contracts
from schemas.expectations import raw_suite

from ..checks import (
    contract_specs,
    reference_codes,
    sql_result,
    suite_results,
    table_frame,
    today,
    unless_validated,
)
from ..settings import Inputs
from ..warehouse import Warehouse
from .assets import FILES, RAW_KEYS

# Each file check is SQL that returns the failing rows, and what the rows fail, in words.
ROWS_ADD_UP = (
    "select path, part, rows_in, rows_loaded, rows_quarantined from ops.files "
    "where rows_in <> rows_loaded + rows_quarantined",
    "rows in = rows loaded + rows quarantined",
)
RECOGNISED = (
    "select path, status, message from ops.files "
    "where status in ('unrecognized', 'unreadable') order by path",
    "the file matches an export contract and can be read",
)


@dg.asset_check(asset=FILES, blocking=True)
def every_file_accounts_for_its_rows(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> dg.AssetCheckResult:
    """For every file, rows in = rows loaded + rows quarantined: no row is silently dropped."""
    name = "every_file_accounts_for_its_rows"
    return sql_result(context, warehouse, inputs, FILES, name, *ROWS_ADD_UP, blocking=True)


@dg.asset_check(asset=FILES)
def every_file_is_recognised(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> dg.AssetCheckResult:
    """Files that match no export contract, or cannot be read, are listed with what to fix."""
    name = "every_file_is_recognised"
    return sql_result(context, warehouse, inputs, FILES, name, *RECOGNISED, blocking=False)


@dg.multi_asset_check(
    specs=[
        spec
        for contract in load_contracts()
        for spec in contract_specs(RAW_KEYS[contract.kind], f"schemas/{contract.kind}.toml")
    ],
    description="The expectation suite of each export kind (schemas/expectations.py) on its raw "
    "rows, run with Great Expectations.",
)
def raw_rows_keep_their_contracts(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> Iterator[dg.AssetCheckResult]:
    """Keys filled in, contract ranges, known municipalities and dates in the plausible window
    block; a natural key twice in one file is a warning."""

    def validate_now() -> Iterator[dg.AssetCheckResult]:
        codes = reference_codes(warehouse)
        for contract in load_contracts():
            suite = raw_suite(contract, codes, today())
            frame = table_frame(warehouse, f"raw.{contract.kind}", suite)
            yield from suite_results(
                context, warehouse, inputs, RAW_KEYS[contract.kind], frame, suite
            )

    yield from unless_validated(context, warehouse, validate_now)
