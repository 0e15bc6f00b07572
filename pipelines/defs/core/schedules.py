"""Schedules of the core layer: the yearly backfill after the 31 January deadline, and the daily catch-up.

Both request runs over contiguous ranges of division-year partitions that hold agency-years
with a raw file (at most `BATCH_SIZE` per run), like a backfill with the asset's
`BackfillPolicy.multi_run`; the catch-up restricts its runs to the stale agencies (run config).
"""


from collections.abc import Iterator
from datetime import datetime

import dagster as dg

from disclosure.lake import Lake, current_raw
from pipelines.keys import CURATED_KEY
from pipelines.partitions import (
    BATCH_SIZE,
    TIMEZONE,
    contiguous_ranges,
    curated_run_config,
    division_keys,
    division_year_partitions,
    raw_agencies,
)
from pipelines.resources import LakeResource

from .jobs import curated_job


def _existing(context: dg.ScheduleEvaluationContext, lake: Lake, year: int) -> tuple[list[tuple[str, int]], list[str]]:
    """(agency-years of `year` that have a raw file, every division-year key in partition order)."""
    ordered = division_year_partitions.get_partition_keys(dynamic_partitions_store=context.instance)
    have = [(a, year) for a in raw_agencies(lake, year) if current_raw(lake, a, year) is not None]
    return have, ordered


def range_requests(keys: list[str], ordered: list[str], run_key_prefix: str,
                   agencies: list[str] | None = None) -> list[dg.RunRequest]:
    return [
        dg.RunRequest(
            run_key=f"{run_key_prefix}:{start}:{end}",
            tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
            run_config=curated_run_config(agencies) if agencies else None,
        )
        for start, end in contiguous_ranges(keys, ordered, BATCH_SIZE)
    ]


@dg.schedule(
    name="yearly_backfill",
    job=curated_job,
    cron_schedule="0 3 1 2 *",  # 1 February 03:00, after the 31 January publication deadline
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="On 1 February, re-runs every division-year partition of the previous year (reports "
    "are due by 31 January); the year-level assets follow through year_refresh_sensor.",
)
def yearly_backfill(context: dg.ScheduleEvaluationContext, lake: LakeResource) -> Iterator[dg.RunRequest]:
    when: datetime = context.scheduled_execution_time
    year = when.year - 1
    have, ordered = _existing(context, lake.lake, year)
    if not have:
        yield from ()
        return
    yield from range_requests(division_keys(lake.lake, have), ordered, f"yearly:{year}")


def stale_agency_years(context: dg.ScheduleEvaluationContext, lake: Lake, year: int) -> tuple[list[tuple[str, int]], list[str]]:
    """(agency-years of `year` whose current raw file is not what the curated zone holds, or whose
    division-year's last materialization attempt failed; every division-year key in order)."""
    import pyarrow.parquet as pq

    from pipelines.partitions import DivisionMap

    have, ordered = _existing(context, lake, year)
    divisions = DivisionMap(lake)
    keys = sorted({str(divisions.key(a, y)) for a, y in have})
    failed: set[str] = set()
    if keys:
        status = context.instance.get_status_by_partition(CURATED_KEY, keys, division_year_partitions) or {}
        failed = {k for k, s in status.items() if s == dg.AssetPartitionStatus.FAILED}
    stale = []
    for agency, y in have:
        raw = current_raw(lake, agency, y)
        path = lake.curated_path("reports", y, agency)
        held = pq.read_table(path, columns=["report_id"]).column(0).to_pylist() if path.exists() else []
        if str(divisions.key(agency, y)) in failed or raw is None or held != [raw.sha256]:
            stale.append((agency, y))
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
    stale, ordered = stale_agency_years(context, lake.lake, year)
    if not stale:
        yield from ()
        return
    day = context.scheduled_execution_time.date().isoformat()
    yield from range_requests(division_keys(lake.lake, stale), ordered, f"daily:{day}",
                              agencies=sorted({a for a, _ in stale}))
