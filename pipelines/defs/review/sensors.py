"""Sensors of the review: corrections re-curate their partitions; curated changes refresh the queue.

* `corrections_sensor` watches `corrections/corrections.jsonl`. When its bytes change, every
  line after the ones the cursor has seen (all lines, when an earlier line changed: the file is
  append-only, so that means it was edited) names an agency-year; each is re-curated by
  `corrections_job` on its division-year, restricted to that agency (run config), run key = file
  hash + agency-year, so a tick that died is redone and a run
  is never requested twice. Invalid lines are logged with their line number and request nothing.
* `review_refresh_sensor`, once no curated or corrections run is in flight, rebuilds the review
  pages of the agency-years whose page is older than their curated files (ranged runs of up to
  BATCH_SIZE division-years, as a backfill, restricted to the stale agencies by run config) and the queue of each year whose curated partitions are
  newer than its queue file.
"""


import hashlib
import json
from collections.abc import Iterator

import dagster as dg

from disclosure.corrections import affected_partitions, corrections_path, read_corrections
from disclosure.lake import Lake, current_raw
from disclosure.review import curated_years, queue_path
from pipelines.partitions import (
    AGENCIES_TAG,
    BATCH_SIZE,
    DivisionMap,
    contiguous_ranges,
    curated_run_config,
    division_year_partitions,
    join_key,
)
from pipelines.resources import LakeResource

from .assets import (
    REVIEW_PAGES_KEY,
    corrections_job,
    review_pages_job,
    review_queue_job,
    stale_pages,
)


def _prefix_sha(data: bytes, n_lines: int) -> str:
    return hashlib.sha256(b"".join(data.splitlines(keepends=True)[:n_lines])).hexdigest()


def corrections_tick(lake: Lake, cursor: str | None) -> tuple[list[dg.RunRequest], str, list[str]]:
    """(run requests, new cursor, problems) of one evaluation (pure but for reading the lake)."""
    state = json.loads(cursor) if cursor else {}
    path = corrections_path(lake)
    if not path.exists():
        return [], json.dumps(state), []
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if state.get("sha") == sha:
        return [], cursor or "", []
    f = read_corrections(lake)
    seen = int(state.get("lines", 0))
    if seen and _prefix_sha(data, seen) != state.get("prefix"):
        seen = 0  # an earlier line changed: every line counts as new
    new = [c for c in f.corrections if c.line > seen]
    problems = [o.detail for o in f.invalid if o.line > seen]
    requests = []
    divisions = DivisionMap(lake)
    for agency, year in affected_partitions(lake, new):
        if current_raw(lake, agency, year) is None:
            problems.append(f"{join_key(agency, year)}: no raw file for this agency-year; its correction waits")
            continue
        # The agency-year's division-year, restricted to that agency (run config).
        requests.append(dg.RunRequest(run_key=f"corrections:{sha[:16]}:{join_key(agency, year)}",
                                      partition_key=divisions.key(agency, year),
                                      run_config=curated_run_config([agency]),
                                      tags={"disclosure/corrections_sha256": sha, AGENCIES_TAG: agency}))
    n = data.count(b"\n")
    return requests, json.dumps({"sha": sha, "lines": n, "prefix": _prefix_sha(data, n)}), problems


@dg.sensor(
    name="corrections_sensor",
    job=corrections_job,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches corrections/corrections.jsonl: a new line re-curates its agency-year (the correction is "
    "applied, the cell flagged corrected, the original kept) and rebuilds its review page.",
)
def corrections_sensor(context: dg.SensorEvaluationContext, lake: LakeResource) -> dg.SensorResult:
    requests, cursor, problems = corrections_tick(lake.lake, context.cursor)
    for p in problems:
        context.log.error(p)
    skip = None if requests else ("; ".join(problems) if problems else "no new corrections")
    return dg.SensorResult(run_requests=requests or None, cursor=cursor, skip_reason=skip)


def stale_queue_years(lake: Lake) -> list[tuple[int, int]]:
    """(year, newest curated mtime) of the years whose queue is older than a curated partition."""
    out = []
    for year in curated_years(lake):
        base = lake.curated / "reports" / f"year={year}"
        newest = max((p.stat().st_mtime_ns for p in base.glob("agency=*/part-0.parquet")), default=0)
        q = queue_path(lake, year)
        if newest and (not q.exists() or q.stat().st_mtime_ns < newest):
            out.append((year, newest))
    return out


def _range_tags(start: str, end: str) -> dict[str, str]:
    return {"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end}


def page_ranges(lake: Lake, stale: list[tuple[str, int]], ordered: list[str]) -> list[tuple[str, str]]:
    """Ranges of division-year keys covering exactly the division-years of the agency-years
    `stale`: boxes of at most BATCH_SIZE division-years in partition order (the runs are
    restricted to the stale agencies by run config). A division not yet registered as a
    partition gets a range of its own."""
    divisions = DivisionMap(lake)
    keys = sorted({str(divisions.key(a, y)) for a, y in stale})
    known = set(ordered)
    return [(k, k) for k in keys if k not in known] + contiguous_ranges([k for k in keys if k in known], ordered,
                                                                       BATCH_SIZE)


def refresh_requests(lake: Lake, ordered: list[str]) -> list[dg.RunRequest]:
    """Runs that bring the review pages and queues up to date with the curated zone.

    `ordered` is every division-year key in partition order (a ranged run covers a box of it)."""
    out: list[dg.RunRequest] = []
    stale = stale_pages(lake)
    agencies = sorted({a for a, _ in stale})
    for start, end in page_ranges(lake, stale, ordered):
        mark = max((lake.curated_path("reports", y, a).stat().st_mtime_ns for a, y in stale), default=0)
        out.append(dg.RunRequest(run_key=f"review_pages:{start}:{end}:{mark}", job_name=review_pages_job.name,
                                 run_config=curated_run_config(agencies, op=REVIEW_PAGES_KEY.to_python_identifier()),
                                 tags=_range_tags(start, end)))
    years = stale_queue_years(lake)
    if years:  # one run over the span of stale years (the queue asset runs a range at once)
        lo, hi = str(min(y for y, _ in years)), str(max(y for y, _ in years))
        mark = max(n for _, n in years)
        out.append(dg.RunRequest(run_key=f"review_queue:{lo}:{hi}:{mark}", job_name=review_queue_job.name,
                                 tags=_range_tags(lo, hi)))
    return out


_IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
              dg.DagsterRunStatus.STARTED]


def curation_in_flight(instance: dg.DagsterInstance) -> bool:
    """A curated, corrections or review-pages run is queued or running, or a backfill is still
    requesting runs. A backfill's runs are of the asset job, not curated_job, and between two of
    them none may be in flight: without the backfill test the sensor rebuilt the review pages
    after every few curated runs of a large backfill, taking CPU and run slots from it."""
    from dagster._core.execution.backfill import BulkActionStatus

    for job in (corrections_job.name, "curated_job", review_pages_job.name):
        if instance.get_runs_count(dg.RunsFilter(job_name=job, statuses=_IN_FLIGHT)):
            return True
    return bool(instance.get_backfills(status=BulkActionStatus.REQUESTED, limit=1))


@dg.sensor(
    name="review_refresh_sensor",
    jobs=[review_pages_job, review_queue_job],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Rebuilds the review pages and queues that are older than their curated partitions, once no "
    "curated or corrections run is in flight.",
)
def review_refresh_sensor(context: dg.SensorEvaluationContext, lake: LakeResource) -> Iterator[dg.RunRequest]:
    if curation_in_flight(context.instance):
        return
    ordered = [str(k) for k in division_year_partitions.get_partition_keys(dynamic_partitions_store=context.instance)]
    yield from refresh_requests(lake.lake, ordered)


REVIEW_SENSORS = [corrections_sensor, review_refresh_sensor]

__all__ = [
    "REVIEW_SENSORS",
    "corrections_sensor",
    "corrections_tick",
    "curation_in_flight",
    "refresh_requests",
    "review_refresh_sensor",
    "stale_queue_years",
]
