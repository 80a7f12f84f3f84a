"""Asset checks that guard the warehouse: blocking ones stop the marts and the run's publication."""

import dagster as dg

from .warehouse import Warehouse

SAMPLE_ROWS = 5


def _result(
    warehouse: Warehouse, name: str, failing: list[tuple], columns: list[str], blocking: bool
) -> dg.AssetCheckResult:
    if failing and blocking:
        warehouse.block(f"check {name} failed")
    sample = [dict(zip(columns, row, strict=True)) for row in failing[:SAMPLE_ROWS]]
    return dg.AssetCheckResult(
        passed=not failing,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        metadata={
            "failing_rows": dg.MetadataValue.int(len(failing)),
            "sample": dg.MetadataValue.json(
                [{k: str(v) for k, v in row.items()} for row in sample]
            ),
        },
    )


def failing_rows(warehouse: Warehouse, sql: str) -> tuple[list[tuple], list[str]]:
    with warehouse.read() as con:
        result = con.execute(sql)
        return result.fetchall(), [d[0] for d in result.description]


@dg.asset_check(asset=dg.AssetKey(["ops", "files"]), blocking=True)
def every_file_accounts_for_its_rows(warehouse: Warehouse) -> dg.AssetCheckResult:
    """For every file, rows in = rows loaded + rows quarantined: no row is silently dropped."""
    rows, columns = failing_rows(
        warehouse,
        "select path, part, rows_in, rows_loaded, rows_quarantined from ops.files "
        "where rows_in <> rows_loaded + rows_quarantined",
    )
    return _result(warehouse, "every_file_accounts_for_its_rows", rows, columns, blocking=True)


@dg.asset_check(asset=dg.AssetKey(["ops", "files"]), blocking=False)
def every_file_is_recognised(warehouse: Warehouse) -> dg.AssetCheckResult:
    """Files that match no export contract, or cannot be read, are listed with what to fix."""
    rows, columns = failing_rows(
        warehouse,
        "select path, status, message from ops.files "
        "where status in ('unrecognized', 'unreadable') order by path",
    )
    return _result(warehouse, "every_file_is_recognised", rows, columns, blocking=False)


@dg.asset_check(asset=dg.AssetKey(["staging", "meeting_activity"]), blocking=True)
def every_meeting_row_has_a_known_municipality(warehouse: Warehouse) -> dg.AssetCheckResult:
    """Every staged meeting row names a municipality that exists in the reference data."""
    rows, columns = failing_rows(
        warehouse,
        "select a.source_path, a.municipality_code from staging.meeting_activity a "
        "anti join ref.municipalities m on m.code = a.municipality_code",
    )
    return _result(warehouse, "every_meeting_row_has_a_known_municipality", rows, columns, True)


@dg.asset_check(asset=dg.AssetKey(["marts", "municipality_progress"]), blocking=True)
def one_row_per_programme_municipality_and_year(warehouse: Warehouse) -> dg.AssetCheckResult:
    """The progress mart has exactly one row per programme, municipality and year."""
    rows, columns = failing_rows(
        warehouse,
        "select programme, municipality_code, year, count(*) as n "
        "from marts.municipality_progress group by all having count(*) > 1",
    )
    return _result(warehouse, "one_row_per_programme_municipality_and_year", rows, columns, True)
