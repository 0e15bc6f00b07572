"""The optional yearly rebuild of the year-level assets (year_refresh_sensor normally does it)."""

import dagster as dg

from pipelines.partitions import TIMEZONE

from .jobs import year_job


@dg.schedule(
    name="yearly_year_assets",
    job=year_job,
    cron_schedule="0 6 1 2 *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Optional: rebuilds the previous year's warehouse, marts and Data Docs on 1 February "
    "(year_refresh_sensor normally does this as soon as curated partitions change).",
)
def yearly_year_assets(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    year = context.scheduled_execution_time.year - 1
    return dg.RunRequest(run_key=f"year-assets:{year}", partition_key=str(year))
