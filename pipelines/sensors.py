"""Sensors: the inbox (new / changed / unreadable files) and the year-level refresh."""


from collections.abc import Iterator

import dagster as dg

from assets.core.assets import CURATED_KEY
from assets.raw.assets import QUARANTINE_KEY, RAW_KEY
from disclosure.lake import Lake, read_quarantine
from pipelines.ingest import dump_state, ingest_inbox, load_state
from pipelines.jobs import curated_job, year_job
from pipelines.partitions import agency_partitions, join_key, open_years, partition_key
from pipelines.resources import LakeResource


def _md_table(rows: list[dict[str, object]], columns: list[str], limit: int = 20) -> str:
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = "".join(
        "| " + " | ".join(str(r.get(c, "")).replace("|", "\\|").replace("\n", " ") for c in columns) + " |\n"
        for r in rows[:limit]
    )
    more = f"\n… {len(rows) - limit} more\n" if len(rows) > limit else ""
    return head + body + more


def ingest_tick(
    lake: Lake, cursor: str | None, *, requests_runs: bool, max_files: int, raw_events_limit: int = 100
) -> dg.SensorResult:
    """One evaluation of the inbox sensor (also called in-process by `make demo` and the bench).

    Each accepted file is recorded as a materialization of its `raw_reports` partition, unless a
    tick accepts more than `raw_events_limit` files (a bulk load): then one observation
    summarises the tick, since every event costs a SQLite write (≈10–100 ms here).
    """
    res = ingest_inbox(lake, load_state(cursor), years=open_years(), max_files=max_files)
    new_agencies = sorted({a.raw.agency for a in res.accepted})
    events: list[dg.AssetMaterialization | dg.AssetObservation] = []
    run_requests: list[dg.RunRequest] = []
    bulk = len(res.accepted) > raw_events_limit
    if bulk:
        rows = [
            {"partition": join_key(a.raw.agency, a.raw.year), "file": a.inbox_path, "sha256": a.raw.sha256[:12],
             "supersedes": (a.superseded.sha256[:12] if a.superseded else "")}
            for a in res.accepted
        ]
        events.append(
            dg.AssetObservation(
                asset_key=RAW_KEY,
                metadata={
                    "accepted_files": len(res.accepted),
                    "partitions": len({r["partition"] for r in rows}),
                    "superseded": sum(1 for a in res.accepted if a.superseded),
                    "files": dg.MetadataValue.md(_md_table(rows, ["partition", "file", "sha256", "supersedes"], 50)),
                },
            )
        )
    for acc in res.accepted:
        key = partition_key(acc.raw.agency, acc.raw.year)
        md: dict[str, object] = {
            "sha256": acc.raw.sha256,
            "path": dg.MetadataValue.path(str(acc.raw.path(lake))),
            "source_file": acc.inbox_path,
            "agency_source": acc.raw.agency_source or "",
            "year_source": acc.raw.year_source or "",
            "n_bytes": acc.raw.n_bytes,
        }
        if acc.raw.url:
            md["url"] = dg.MetadataValue.url(acc.raw.url)
        if acc.superseded is not None:
            md["supersedes"] = acc.superseded.sha256
        if acc.decision:
            md["identity_decision"] = acc.decision  # supersedes / collision (disclosure/collisions.py)
        if not bulk:
            events.append(dg.AssetMaterialization(asset_key=RAW_KEY, partition=key, metadata=md))
        if requests_runs:
            run_requests.append(
                dg.RunRequest(run_key=acc.raw.sha256, partition_key=key, tags={"disclosure/source_file": acc.inbox_path})
            )
    if res.quarantined or res.manifest_problems:
        rows = [
            {"file": q.source_file, "code": q.code, "reason": q.reason, "sha256": (q.sha256 or "")[:12]}
            for q in res.quarantined
        ]
        events.append(
            dg.AssetObservation(
                asset_key=QUARANTINE_KEY,
                metadata={
                    "new_entries": len(res.quarantined),
                    "total_entries": len(read_quarantine(lake)),
                    "ledger": dg.MetadataValue.path(str(lake.quarantine_ledger)),
                    "entries": dg.MetadataValue.md(_md_table(rows, ["file", "code", "reason", "sha256"])),
                    "manifest_problems": dg.MetadataValue.md(_md_table(
                        [{"code": p.code, "message": p.message} for p in res.manifest_problems], ["code", "message"])),
                },
            )
        )
    dyn = [agency_partitions.build_add_request(new_agencies)] if new_agencies else []
    skip = None
    if not res.accepted and not res.quarantined:
        skip = f"no new or changed files in {lake.inbox} ({res.unchanged} unchanged)"
    return dg.SensorResult(
        run_requests=run_requests or None,
        skip_reason=skip if not run_requests else None,
        cursor=dump_state(res.state),
        dynamic_partitions_requests=dyn,
        asset_events=events,
    )


@dg.sensor(
    name="inbox_sensor",
    job=curated_job,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Watches data_lake/inbox/ (sub-folders, optional manifest.csv with file,agency,year,url). "
        "Each new or changed file (by content hash) is identified, copied into the immutable raw "
        "zone, registered as an agency partition and run (run key = SHA-256); files that cannot be "
        "read or identified, or whose agency cannot be a partition key, go to the quarantine ledger."
    ),
)
def inbox_sensor(context: dg.SensorEvaluationContext, lake: LakeResource) -> dg.SensorResult:
    return ingest_tick(
        lake.lake,
        context.cursor,
        requests_runs=lake.sensor_requests_runs,
        max_files=lake.max_files_per_tick,
        raw_events_limit=lake.raw_events_per_tick,
    )


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
            job_name=curated_job.name,
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


__all__ = ["CURATED_KEY", "inbox_sensor", "ingest_tick", "year_refresh_sensor"]
