"""The year-level refresh: a year's warehouse, marts and Data Docs follow its curated partitions."""

from collections.abc import Iterator

import dagster as dg

from disclosure.lake import Lake
from pipelines.keys import CURATED_JOB
from pipelines.partitions import open_years
from pipelines.resources import LakeResource

from .jobs import year_job


def _newest_curated_mtime(lake: Lake, year: str) -> int:
    newest = 0
    base = lake.curated / "reports" / f"year={year}"
    if base.is_dir():
        for p in base.glob("agency=*/part-0.parquet"):
            newest = max(newest, p.stat().st_mtime_ns)
    return newest


@dg.sensor(
    name="year_refresh_sensor",
    job=year_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Re-runs the year-level assets (warehouse, marts, expectations) of a year whose curated "
        "partitions changed after its warehouse copy was written, once no curated run is in flight."
    ),
)
def year_refresh_sensor(context: dg.SensorEvaluationContext, lake: LakeResource) -> Iterator[dg.RunRequest]:
    if not lake.year_refresh:
        return
    busy = context.instance.get_runs_count(
        dg.RunsFilter(
            job_name=CURATED_JOB,
            statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED],
        )
    )
    if busy:
        return
    lk = lake.lake
    for year in open_years():
        newest = _newest_curated_mtime(lk, year)
        wh = lk.warehouse_path("reports", int(year))
        if newest and (not wh.exists() or wh.stat().st_mtime_ns < newest):
            yield dg.RunRequest(run_key=f"{year}:{newest}", partition_key=year)
