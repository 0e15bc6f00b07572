"""Schedules of the core layer: the yearly backfill after the 31 January deadline, and the daily catch-up.

Both request runs over contiguous ranges of existing agency-year partitions (at most
`BATCH_SIZE` per run), like a backfill with the asset's `BackfillPolicy.multi_run`.
"""


from collections.abc import Iterator
from datetime import datetime

import dagster as dg

from disclosure.lake import Lake, current_raw
from pipelines.keys import CURATED_KEY
from pipelines.partitions import BATCH_SIZE, TIMEZONE, agency_year_partitions, contiguous_ranges, split_key
from pipelines.resources import LakeResource

from .jobs import curated_job


def _existing_keys(context: dg.ScheduleEvaluationContext, lake: Lake, year: int) -> tuple[list[str], list[str]]:
    """(keys of `year` that have a raw file, every key in partition order)."""
    ordered = agency_year_partitions.get_partition_keys(dynamic_partitions_store=context.instance)
    keys = [k for k in ordered if split_key(k)[1] == year and current_raw(lake, *split_key(k)) is not None]
    return keys, ordered


def range_requests(keys: list[str], ordered: list[str], run_key_prefix: str) -> list[dg.RunRequest]:
    return [
        dg.RunRequest(
            run_key=f"{run_key_prefix}:{start}:{end}",
            tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
        )
        for start, end in contiguous_ranges(keys, ordered, BATCH_SIZE)
    ]


@dg.schedule(
    name="yearly_backfill",
    job=curated_job,
    cron_schedule="0 3 1 2 *",  # 1 February 03:00, after the 31 January publication deadline
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="On 1 February, re-runs every agency-year partition of the previous year (reports "
    "are due by 31 January); the year-level assets follow through year_refresh_sensor.",
)
def yearly_backfill(context: dg.ScheduleEvaluationContext, lake: LakeResource) -> Iterator[dg.RunRequest]:
    when: datetime = context.scheduled_execution_time
    year = when.year - 1
    keys, ordered = _existing_keys(context, lake.lake, year)
    if not keys:
        yield from ()
        return
    yield from range_requests(keys, ordered, f"yearly:{year}")


def stale_keys(context: dg.ScheduleEvaluationContext, lake: Lake, year: int) -> tuple[list[str], list[str]]:
    """Partitions of `year` whose current raw file is not what the curated zone holds, or whose
    last materialization attempt failed."""
    import pyarrow.parquet as pq

    keys, ordered = _existing_keys(context, lake, year)
    failed: set[str] = set()
    if keys:
        status = context.instance.get_status_by_partition(CURATED_KEY, keys, agency_year_partitions) or {}
        failed = {k for k, s in status.items() if s == dg.AssetPartitionStatus.FAILED}
    stale = []
    for k in keys:
        agency, y = split_key(k)
        raw = current_raw(lake, agency, y)
        path = lake.curated_path("reports", y, agency)
        held = pq.read_table(path, columns=["report_id"]).column(0).to_pylist() if path.exists() else []
        if k in failed or raw is None or held != [raw.sha256]:
            stale.append(k)
    return stale, ordered


@dg.schedule(
    name="daily_catch_up",
    job=curated_job,
    cron_schedule="30 2 * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every day, re-runs partitions of the current reporting year (the year whose reports "
    "are published this calendar year) whose raw file changed since they were curated or whose last "
    "run failed.",
)
def daily_catch_up(context: dg.ScheduleEvaluationContext, lake: LakeResource) -> Iterator[dg.RunRequest]:
    year = context.scheduled_execution_time.year - 1
    keys, ordered = stale_keys(context, lake.lake, year)
    day = context.scheduled_execution_time.date().isoformat()
    yield from range_requests(keys, ordered, f"daily:{day}")
