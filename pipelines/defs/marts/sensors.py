"""The year-level refresh: a year's warehouse, marts and Data Docs follow its curated partitions."""

from collections.abc import Iterator

import dagster as dg

from disclosure.lake import Lake
from disclosure.lake.parquet import curated_fingerprint, curated_stats, warehouse_is_current
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


def stale_year(lake: Lake, year: str) -> str | None:
    """A run key for `year` when its warehouse does not hold its curated partitions as they are
    now, else None (nothing curated yet: nothing to refresh).

    On a local lake: the warehouse's recorded fingerprint (`warehouse_is_current`), which also
    sees a partition removed or rewritten with an older mtime; the key names the fingerprint, so
    one state of the year is refreshed once. On an object store (no fingerprint): the newest
    curated file against the warehouse file's own mtime."""
    if lake.is_local:
        stats = curated_stats(lake, "reports", int(year))
        if not stats:
            return None
        fingerprint = curated_fingerprint(lake, "reports", int(year), stats)
        if warehouse_is_current(lake, "reports", int(year), fingerprint=fingerprint):
            return None
        return f"{year}:{fingerprint[:16]}"
    newest = _newest_curated_mtime(lake, year)
    wh = lake.warehouse_path("reports", int(year))
    if newest and (not wh.exists() or wh.stat().st_mtime_ns < newest):
        return f"{year}:{newest}"
    return None


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
        if (key := stale_year(lk, year)) is not None:
            yield dg.RunRequest(run_key=key, partition_key=year)
