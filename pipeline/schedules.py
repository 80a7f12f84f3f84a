"""When the warehouse refreshes by itself."""

import dagster as dg

from .jobs import refresh_warehouse

# Every night at 02:00 Stockholm time (the cron is read in that zone, so it follows summer time).
nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_warehouse,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Stockholm",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Materializes every asset at 02:00 Europe/Stockholm.",
)
