"""Raw-layer checks: every row accounted for, every file recognised, rows keep their contract."""

from collections.abc import Iterator

import dagster as dg

from schemas import load_contracts
from schemas.expectations import raw_suite

from ..checks import SqlCheck, contract_specs, quoted, rows_of_files, suite_reports, today
from ..frames import reference_codes, table_frame
from ..settings import Inputs
from ..verdicts import unless_validated
from ..warehouse import Warehouse
from .assets import FILES, RAW_KEYS

ROWS_ADD_UP = SqlCheck(
    "every_file_accounts_for_its_rows",
    True,
    "rows in = rows loaded + rows quarantined",
    "select path, part, rows_in, rows_loaded, rows_quarantined from ops.files "
    "where rows_in <> rows_loaded + rows_quarantined",
)
RECOGNISED = SqlCheck(
    "every_file_is_recognised",
    False,
    "the file matches an export contract and can be read",
    "select path, status, message from ops.files "
    "where status in ('unrecognized', 'unreadable') order by path",
)


@dg.asset_check(asset=FILES, blocking=True)
def every_file_accounts_for_its_rows(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> dg.AssetCheckResult:
    """For every file, rows in = rows loaded + rows quarantined: no row is silently dropped."""
    with warehouse.read() as con:
        return ROWS_ADD_UP.report(con, FILES).result(context, inputs)


@dg.asset_check(asset=FILES)
def every_file_is_recognised(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse, inputs: Inputs
) -> dg.AssetCheckResult:
    """Files that match no export contract, or cannot be read, are listed with what to fix."""
    with warehouse.read() as con:
        return RECOGNISED.report(con, FILES).result(context, inputs)


CONTRACT_OF = {RAW_KEYS[c.kind]: c for c in load_contracts()}


def raw_reports(con, key: dg.AssetKey):
    """One export kind's suite on its raw rows (a sample of the largest)."""
    suite = raw_suite(CONTRACT_OF[key], reference_codes(con), today())
    yield from suite_reports(key, table_frame(con, key, suite), suite)


def new_raw_rows(con, key: dg.AssetKey, paths: list[str]):
    """The same suite on every raw row of these new files, in SQL."""
    suite = raw_suite(CONTRACT_OF[key], reference_codes(con), today())
    yield from rows_of_files(con, key, f"select * from {quoted(key)}", suite, paths)


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
    yield from unless_validated(context, warehouse, inputs, raw_reports, new_raw_rows)
