"""Run the pipeline in-process against a persistent Dagster instance (make demo, bench, tests).

The same definitions the webserver and daemon load: the inbox sensor's evaluation is applied
to the instance as the sensor daemon would (dynamic partitions, raw/quarantine events, cursor),
then the curated job runs each contiguous range of partitions (≤ BATCH_SIZE) and the year job
runs the years touched.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from disclosure.lake import Lake

CURSOR_FILE = "inbox_sensor.cursor.json"
QUIET = {"loggers": {"console": {"config": {"log_level": os.environ.get("DISCLOSURE_LOG_LEVEL", "WARNING")}}}}



def ensure_dagster_home(home: Path, *, max_concurrent_runs: int = 2) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        from pipelines.storage import instance_yaml

        cfg.write_text(instance_yaml(home, max_concurrent_runs=max_concurrent_runs), "utf-8")
    return home


@dataclass
class TickSummary:
    accepted: list[str] = field(default_factory=list)  # partition keys
    quarantined: int = 0
    new_agencies: int = 0
    ticks: int = 0
    waiting: list[str] = field(default_factory=list)  # "path: reason" left for a later tick
    settling: list[str] = field(default_factory=list)  # still changing after the last tick


# Ticks one call may evaluate: a file needs two (seen, then stable); more only while files are
# over the per-tick limit, or still being written.
MAX_TICKS = 50


def apply_sensor_tick(instance: dg.DagsterInstance, lake: Lake, state_dir: Path, *, max_files: int = 100_000,
                      settle_seconds: float = 0.0) -> TickSummary:
    """Evaluate the inbox sensor and apply each result to `instance` (what the daemon does), tick
    after tick until no file is left settling or over the per-tick limit.

    A file is read only once its size and mtime held across two ticks; `settle_seconds` is the
    pause between ticks (0: back to back, for files already in place).
    """
    from pipelines.sensors import evaluate_inbox

    cursor_path = state_dir / CURSOR_FILE
    out = TickSummary()
    for n in range(MAX_TICKS):
        cursor = cursor_path.read_text("utf-8") if cursor_path.exists() else None
        result, res = evaluate_inbox(lake, cursor, requests_runs=False, max_files=max_files)
        out.ticks += 1
        _apply(instance, result, out)
        if result.cursor is not None:
            state_dir.mkdir(parents=True, exist_ok=True)
            _write_text_atomic(cursor_path, result.cursor)
        out.waiting = [f"{w.path}: {w.reason}" for w in res.waiting]
        out.settling = list(res.settling)
        if not (res.settling or res.pending) or (n >= 2 and not res.pending and not res.accepted):
            break
        if settle_seconds and res.settling:
            time.sleep(settle_seconds)
    return out


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def _apply(instance: dg.DagsterInstance, result: dg.SensorResult, out: TickSummary) -> None:
    for req in result.dynamic_partitions_requests or []:
        existing = set(instance.get_dynamic_partitions(req.partitions_def_name))
        new = [k for k in req.partition_keys if k not in existing]
        out.new_agencies += len(new)
        if new:
            instance.add_dynamic_partitions(req.partitions_def_name, new)
    for ev in result.asset_events or []:
        instance.report_runless_asset_event(ev)
        if isinstance(ev, dg.AssetMaterialization) and ev.partition:
            out.accepted.append(str(ev.partition))
        elif isinstance(ev, dg.AssetObservation) and ev.asset_key == dg.AssetKey("quarantine"):
            out.quarantined += int(ev.metadata["new_entries"].value)  # type: ignore[arg-type]
        elif isinstance(ev, dg.AssetObservation):
            out.accepted.extend(["(bulk)"] * int(ev.metadata["accepted_files"].value))  # type: ignore[arg-type]


@dataclass
class RunSummary:
    runs: int = 0
    failed_runs: int = 0
    seconds_curated: float = 0.0
    seconds_year: float = 0.0
    checks: dict[str, dict[str, int]] = field(default_factory=dict)


def _run_range(job, instance, start: str, end: str, summary: RunSummary) -> None:
    """One in-process run of `job` over the partition range start...end, counted in `summary`."""
    res = job.execute_in_process(
        instance=instance,
        tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
        raise_on_error=False,
        run_config=QUIET,
    )
    summary.runs += 1
    summary.failed_runs += 0 if res.success else 1
    _count_checks(summary, res)


def _count_checks(summary: RunSummary, result: dg.ExecuteInProcessResult) -> None:
    for ev in result.get_asset_check_evaluations():
        name = f"{ev.asset_key.to_user_string()}:{ev.check_name}"
        c = summary.checks.setdefault(name, {"passed": 0, "failed": 0})
        c["passed" if ev.passed else "failed"] += 1


def materialize_all(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    lake: Lake,
    keys: list[str] | None = None,
    *,
    batch_size: int | None = None,
    year_job_name: str | None = "year_job",
) -> RunSummary:
    """Curate `keys` (default: every agency-year with a raw file) in ranged runs, then the year assets."""
    from disclosure.lake import current_raw
    from pipelines.partitions import BATCH_SIZE, agency_year_partitions, contiguous_ranges, split_key

    ordered = agency_year_partitions.get_partition_keys(dynamic_partitions_store=instance)
    if keys is None:
        keys = [k for k in ordered if current_raw(lake, *split_key(k)) is not None]
    summary = RunSummary()
    curated_job = defs.resolve_job_def("curated_job")
    t0 = time.perf_counter()
    for start, end in contiguous_ranges(keys, ordered, batch_size or BATCH_SIZE):
        _run_range(curated_job, instance, start, end, summary)
    summary.seconds_curated = time.perf_counter() - t0
    years = sorted({split_key(k)[1] for k in keys})
    t1 = time.perf_counter()
    if years and year_job_name:
        year_job = defs.resolve_job_def(year_job_name)
        # one run per span of consecutive years
        ranges: list[tuple[str, str]] = []
        for y in years:
            if ranges and int(ranges[-1][1]) == y - 1:
                ranges[-1] = (ranges[-1][0], str(y))
            else:
                ranges.append((str(y), str(y)))
        for start, end in ranges:
            _run_range(year_job, instance, start, end, summary)
    summary.seconds_year = time.perf_counter() - t1
    return summary
