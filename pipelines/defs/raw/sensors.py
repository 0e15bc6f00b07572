"""The inbox sensor: new / changed / unreadable files into the raw zone or the quarantine ledger."""

import hashlib
import json
import time

import dagster as dg

from disclosure.ingest import IngestResult, ingest_inbox, load_state, save_state
from disclosure.lake import Lake, read_ledger
from pipelines.keys import CURATED_JOB, QUARANTINE_KEY, RAW_KEY
from pipelines.metadata import md_table
from pipelines.partitions import (
    AGENCIES_TAG,
    DivisionMap,
    curated_run_config,
    division_partitions,
    join_key,
    open_years,
)
from pipelines.resources import LakeResource


def ingest_tick(
    lake: Lake, cursor: str | None, *, requests_runs: bool, max_files: int, raw_events_limit: int = 100,
    time_budget_s: float | None = None, workers: int = 1,
) -> dg.SensorResult:
    """One evaluation of the inbox sensor (also called in-process by `make demo` and the bench).

    Each accepted file is recorded as a materialization of its `raw_reports` partition, unless a
    tick accepts more than `raw_events_limit` files (a bulk load): then one observation
    summarises the tick, since every event costs a SQLite write (≈10–100 ms here).
    """
    return evaluate_inbox(lake, cursor, requests_runs=requests_runs, max_files=max_files,
                          raw_events_limit=raw_events_limit, time_budget_s=time_budget_s, workers=workers)[0]


def evaluate_inbox(
    lake: Lake, cursor: str | None, *, requests_runs: bool, max_files: int, raw_events_limit: int = 100,
    time_budget_s: float | None = None, workers: int = 1,
) -> tuple[dg.SensorResult, IngestResult]:
    """`ingest_tick`, with what the tick did (files settling, waiting, …) for in-process callers.
    `time_budget_s` (the daemon's sensor only) stops starting files before the sensor timeout;
    `workers` identify a bulk tick's files in that many processes (`disclosure.ingest`)."""
    res = ingest_inbox(lake, load_state(cursor, lake), years=open_years(), max_files=max_files,
                       time_budget_s=time_budget_s, workers=workers)
    divisions = DivisionMap(lake)
    new_divisions = sorted({divisions(a.raw.agency) for a in res.accepted})
    events: list[dg.AssetMaterialization | dg.AssetObservation] = []
    run_requests: list[dg.RunRequest] = []
    bulk = len(res.accepted) > raw_events_limit
    if bulk:
        rows = [
            {"partition": join_key(a.raw.agency, a.raw.year), "division": divisions(a.raw.agency), "file": a.inbox_path, "sha256": a.raw.sha256[:12],
             "supersedes": (a.superseded.sha256[:12] if a.superseded else "")}
            for a in res.accepted
        ]
        events.append(
            dg.AssetObservation(
                asset_key=RAW_KEY,
                metadata={
                    "accepted_files": len(res.accepted),
                    "partitions": len({r["partition"] for r in rows}),
                    "division_years": len({(r["division"], r["partition"].rsplit("|", 1)[1]) for r in rows}),
                    "superseded": sum(1 for a in res.accepted if a.superseded),
                    "files": dg.MetadataValue.md(md_table(rows, ["partition", "file", "sha256", "supersedes"], limit=50)),
                },
            )
        )
    by_partition: dict[str, list] = {}
    for acc in res.accepted:
        key = divisions.key(acc.raw.agency, acc.raw.year)
        by_partition.setdefault(str(key), []).append(acc)
        md: dict[str, object] = {
            "agency": acc.raw.agency,
            "year": acc.raw.year,
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
        # One run per division-year of the tick, restricted to the agencies whose file arrived
        # (the division's other agencies are untouched); run key = the files' hashes.
        for key, accs in sorted(by_partition.items()):
            shas = sorted(a.raw.sha256 for a in accs)
            agencies = sorted({a.raw.agency for a in accs})
            run_key = shas[0] if len(shas) == 1 else hashlib.sha256("".join(shas).encode()).hexdigest()
            run_requests.append(dg.RunRequest(
                run_key=run_key, partition_key=key, run_config=curated_run_config(agencies),
                tags={"disclosure/source_file": accs[0].inbox_path if len(accs) == 1 else f"{len(accs)} files",
                      AGENCIES_TAG: ",".join(agencies)[:200]}))
    if res.quarantined or res.ledger_torn_lines or res.manifest_problems:
        rows = [
            {"file": q.source_file, "code": q.code, "reason": q.reason, "sha256": (q.sha256 or "")[:12]}
            for q in res.quarantined
        ]
        ledger = read_ledger(lake)
        md: dict[str, object] = {
            "new_entries": len(res.quarantined),
            "total_entries": len(ledger.entries),
            "ledger": dg.MetadataValue.path(str(lake.quarantine_ledger)),
            "entries": dg.MetadataValue.md(md_table(rows, ["file", "code", "reason", "sha256"], limit=20)),
        }
        if res.manifest_problems:
            md["manifest_problems"] = dg.MetadataValue.md(md_table(
                [{"code": p.code, "message": p.message} for p in res.manifest_problems], ["code", "message"], limit=20))
        if ledger.torn_lines:
            # A torn line (a writer killed mid-line) is skipped, never fatal; the audit names it too.
            md["ledger_torn_lines"] = ", ".join(map(str, ledger.torn_lines))
        events.append(dg.AssetObservation(asset_key=QUARANTINE_KEY, metadata=md))
    dyn = [division_partitions.build_add_request(new_divisions)] if new_divisions else []
    skip = None
    if not res.accepted and not res.quarantined:
        skip = f"no new or changed files in {lake.inbox} ({res.unchanged} unchanged)"
        if res.busy:
            skip = (f"{len(res.settling)} file(s) settling (size or mtime changed since the last tick), "
                    f"{res.pending} over the per-tick limit, {len(res.waiting)} waiting"
                    + "".join(f"; {w.path}: {w.reason}" for w in res.waiting[:5]))
    return dg.SensorResult(
        run_requests=run_requests or None,
        skip_reason=skip if not run_requests else None,
        cursor=save_state(lake, res.state, previous=cursor),
        dynamic_partitions_requests=dyn,
        asset_events=events,
    ), res


INBOX_TICK_SECONDS = 15
"""The inbox sensor's minimum interval: how often the daemon evaluates it."""

MAX_IDLE_WAIT_S = 600.0
"""The longest an idle inbox goes unlisted, whatever its listing costs (10 minutes): the bound
on how long a file dropped into a huge, quiet inbox waits before its first look."""


def next_listing_in(cursor: str | None, now: float, duty: float) -> float:
    """Seconds before an idle inbox is listed again (0.0: list on this tick).

    Listing an inbox of 200,000 files costs the code server about 1.6 s of CPU, every 15 s,
    even when nothing arrives: during a national backfill that was a third of Dagster's own
    overhead. After an idle tick (nothing accepted or quarantined, nothing settling, pending or
    waiting) the next listing waits until the listings take at most `duty` of the wall time:
    `cost / duty` after the last one started, at most `MAX_IDLE_WAIT_S`. A wait shorter than the
    sensor's interval changes nothing, so an inbox whose listing costs under duty × 15 s (0.3 s
    at 2 %, some 40,000 files here) is listed on every tick as before. A tick that found
    anything, and a cursor without the stamps (older cursors, `make run`), list at once.
    """
    if not 0 < duty <= 1:
        raise ValueError(f"inbox listing duty must be in (0, 1], got {duty!r}")
    try:
        c = json.loads(cursor) if cursor else None
    except ValueError:
        return 0.0
    if not isinstance(c, dict) or c.get("idle") is not True:
        return 0.0
    listed, cost = c.get("listed_at"), c.get("listing_s")
    if not isinstance(listed, int | float) or not isinstance(cost, int | float) or now < listed:
        return 0.0  # no stamps, or the clock went back: list
    period = min(cost / duty, MAX_IDLE_WAIT_S)
    if period <= INBOX_TICK_SECONDS:
        return 0.0
    return max(0.0, period - (now - listed))


def stamp_listing(cursor: str, *, listed_at: float, listing_s: float, idle: bool) -> str:
    """The tick's cursor with when its listing started, what it cost and whether it was idle."""
    c = json.loads(cursor)
    c.update(listed_at=round(listed_at, 3), listing_s=round(listing_s, 4), idle=idle)
    return json.dumps(c)


@dg.sensor(
    name="inbox_sensor",
    job_name=CURATED_JOB,
    minimum_interval_seconds=INBOX_TICK_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Watches data_lake/inbox/ (sub-folders, optional manifest.csv with file,agency,year,url). "
        "Each new or changed file (by content hash) is identified, copied into the immutable raw "
        "zone, registered under its division partition (division|year from the agency registry) and run (one run per division-year of the tick, restricted to the arrived agencies; run key = SHA-256); files that cannot be "
        "read or identified, or whose agency cannot be a partition key, go to the quarantine ledger."
    ),
)
def inbox_sensor(context: dg.SensorEvaluationContext, lake: LakeResource) -> dg.SensorResult:
    now = time.time()
    wait = next_listing_in(context.cursor, now, lake.inbox_listing_duty)
    if wait > 0:  # the cursor stays as it is (a SensorResult without one keeps it)
        c = json.loads(context.cursor)
        return dg.SensorResult(skip_reason=(
            f"idle inbox of {c.get('files', '?')} files, listed {now - c['listed_at']:.0f} s ago in "
            f"{c['listing_s']:.2f} s: next listing in {wait:.0f} s (idle listings kept under "
            f"{lake.inbox_listing_duty:.0%} of the time)"))
    started = time.perf_counter()
    result, res = evaluate_inbox(
        lake.lake,
        context.cursor,
        requests_runs=lake.sensor_requests_runs,
        max_files=lake.max_files_per_tick,
        raw_events_limit=lake.raw_events_per_tick,
        time_budget_s=lake.tick_seconds,
        workers=lake.identify_workers,
    )
    idle = not res.accepted and not res.quarantined and not res.busy
    return result._replace(cursor=stamp_listing(result.cursor, listed_at=now, listing_s=time.perf_counter() - started,
                                                idle=idle))


__all__ = ["evaluate_inbox", "inbox_sensor", "ingest_tick", "next_listing_in", "stamp_listing"]
