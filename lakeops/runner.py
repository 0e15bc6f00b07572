"""Run the pipeline in-process against a persistent Dagster instance (make demo, bench, tests).

The same definitions the webserver and daemon load: the inbox sensor's evaluation is applied
to the instance as the sensor daemon would (dynamic partitions, raw/quarantine events, cursor),
then the curated job runs each contiguous range of division-year partitions (≤ BATCH_SIZE) that
holds an agency-year still owed (restricted to those agencies when the division-years hold
others too) and the year job runs the years touched.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from disclosure.keys import join_key
from disclosure.lake import Lake

REPO = Path(__file__).resolve().parent.parent
WORKSPACE = REPO / "workspace.yaml"
INBOX_SENSOR = "inbox_sensor"
LEGACY_CURSOR_FILE = "inbox_sensor.cursor.json"
"""Where the runner kept its own cursor before it shared the daemon's (read once, then removed)."""
QUIET = {"loggers": {"console": {"config": {"log_level": os.environ.get("DISCLOSURE_LOG_LEVEL", "WARNING")}}}}



def ensure_dagster_home(home: Path, *, max_concurrent_runs: int = 2) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    # An instance written before the tooling moved to lakeops names the old storage module.
    if not cfg.exists() or "module: pipelines.storage" in cfg.read_text("utf-8"):
        from lakeops.storage import instance_yaml

        cfg.write_text(instance_yaml(home, max_concurrent_runs=max_concurrent_runs), "utf-8")
    return home


@dataclass
class TickSummary:
    accepted: list[str] = field(default_factory=list)  # partition keys
    quarantined: int = 0
    new_divisions: int = 0
    ticks: int = 0
    waiting: list[str] = field(default_factory=list)  # "path: reason" left for a later tick
    settling: list[str] = field(default_factory=list)  # still changing after the last tick


# Ticks one call may evaluate: a file needs two (seen, then stable); more only while files are
# over the per-tick limit, or still being written.
MAX_TICKS = 50


def _sensor_state(instance: dg.DagsterInstance, name: str):
    """(the sensor's stored state or None, its origin): the state the sensor daemon keeps for
    `name` of the workspace's code location, found by Dagster's own selector id (location,
    repository, sensor name), so the daemon and this runner read and write one cursor."""
    from dagster._core.definitions.repository_definition.valid_definitions import SINGLETON_REPOSITORY_NAME
    from dagster._core.remote_origin import RemoteInstigatorOrigin, RemoteRepositoryOrigin
    from dagster._core.scheduler.instigation import InstigatorState, InstigatorStatus, InstigatorType
    from dagster._core.workspace.load import location_origins_from_yaml_paths

    (location,) = location_origins_from_yaml_paths([str(WORKSPACE)])
    origin = RemoteInstigatorOrigin(RemoteRepositoryOrigin(location, SINGLETON_REPOSITORY_NAME), name)
    probe = InstigatorState(origin, InstigatorType.SENSOR, InstigatorStatus.DECLARED_IN_CODE)
    return instance.get_instigator_state(origin.get_id(), probe.selector_id), origin


def read_sensor_cursor(instance: dg.DagsterInstance, name: str = INBOX_SENSOR) -> str | None:
    """The cursor the sensor daemon holds for `name` (None before its first tick)."""
    state, _ = _sensor_state(instance, name)
    return getattr(state.instigator_data, "cursor", None) if state is not None else None


def write_sensor_cursor(instance: dg.DagsterInstance, cursor: str, name: str = INBOX_SENSOR) -> None:
    """Store `cursor` as the daemon's cursor of `name` (the state is created as the daemon would:
    declared in code, for a sensor whose default status is RUNNING)."""
    from dagster._core.definitions.sensor_definition import SensorType
    from dagster._core.scheduler.instigation import (
        InstigatorState,
        InstigatorStatus,
        InstigatorType,
        SensorInstigatorData,
    )

    state, origin = _sensor_state(instance, name)
    if state is None:
        instance.add_instigator_state(InstigatorState(
            origin, InstigatorType.SENSOR, InstigatorStatus.DECLARED_IN_CODE,
            SensorInstigatorData(cursor=cursor, sensor_type=SensorType.STANDARD,
                                 last_sensor_start_timestamp=time.time()),
        ))
        return
    data = state.instigator_data if isinstance(state.instigator_data, SensorInstigatorData) else SensorInstigatorData()
    instance.update_instigator_state(state.with_data(data._replace(cursor=cursor)))


def apply_sensor_tick(instance: dg.DagsterInstance, lake: Lake, state_dir: Path | None = None, *,
                      max_files: int = 100_000, settle_seconds: float = 0.0) -> TickSummary:
    """Evaluate the inbox sensor and apply each result to `instance` (what the daemon does), tick
    after tick until no file is left settling or over the per-tick limit.

    The cursor is the daemon's own (`read_sensor_cursor`): a `make ui` after `make demo` starts
    where the demo stopped. `state_dir` is only read for a cursor file of an older runner.
    A file is read only once its size and mtime held across two ticks; `settle_seconds` is the
    pause between ticks (0: back to back, for files already in place).
    """
    from pipelines.defs.raw.sensors import evaluate_inbox

    _adopt_legacy_cursor(instance, state_dir)
    out = TickSummary()
    for n in range(MAX_TICKS):
        cursor = read_sensor_cursor(instance)
        result, res = evaluate_inbox(lake, cursor, requests_runs=False, max_files=max_files)
        out.ticks += 1
        _apply(instance, result, out)
        if result.cursor is not None:
            write_sensor_cursor(instance, result.cursor)
        out.waiting = [f"{w.path}: {w.reason}" for w in res.waiting]
        out.settling = list(res.settling)
        if not (res.settling or res.pending) or (n >= 2 and not res.pending and not res.accepted):
            break
        if settle_seconds and res.settling:
            time.sleep(settle_seconds)
    return out


def _adopt_legacy_cursor(instance: dg.DagsterInstance, state_dir: Path | None) -> None:
    legacy = state_dir / LEGACY_CURSOR_FILE if state_dir is not None else None
    if legacy is None or not legacy.exists():
        return
    if read_sensor_cursor(instance) is None:
        write_sensor_cursor(instance, legacy.read_text("utf-8"))
    legacy.unlink()


def _apply(instance: dg.DagsterInstance, result: dg.SensorResult, out: TickSummary) -> None:
    for req in result.dynamic_partitions_requests or []:
        existing = set(instance.get_dynamic_partitions(req.partitions_def_name))
        new = [k for k in req.partition_keys if k not in existing]
        out.new_divisions += len(new)
        if new:
            instance.add_dynamic_partitions(req.partitions_def_name, new)
    for ev in result.asset_events or []:
        instance.report_runless_asset_event(ev)
        if isinstance(ev, dg.AssetMaterialization) and ev.partition:
            # the agency-year (the partition is its division-year)
            out.accepted.append(join_key(str(ev.metadata["agency"].value), int(ev.metadata["year"].value)))  # type: ignore[arg-type]
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


def _run_range(job, instance, start: str, end: str, summary: RunSummary, run_config: dict | None = None) -> None:
    """One in-process run of `job` over the partition range start...end, counted in `summary`."""
    res = job.execute_in_process(
        instance=instance,
        tags={"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end},
        raise_on_error=False,
        run_config={**QUIET, **(run_config or {})},
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
    years: list[int] | None = None,
) -> RunSummary:
    """Curate the agency-years `keys` (`agency|year`; default: every agency-year with a raw file)
    in ranged runs over their division-years, then the year assets of the years touched (and of
    `years`). When the division-years hold other agency-years too, the runs are restricted to
    the agencies of `keys` (run config), so an incremental run parses only what is owed."""
    from disclosure.lake import current_raw
    from pipelines.partitions import (
        BATCH_SIZE,
        agency_years_of,
        contiguous_ranges,
        curated_run_config,
        division_keys,
        division_year_partitions,
        split_key,
    )

    ordered = division_year_partitions.get_partition_keys(dynamic_partitions_store=instance)
    if keys is None:
        keys = [join_key(a, y) for a, y in agency_years_of(lake, ordered) if current_raw(lake, a, y) is not None]
    owed = [split_key(k) for k in keys]
    targets = division_keys(lake, owed)
    in_targets = agency_years_of(lake, targets)
    config = curated_run_config({a for a, _ in owed}) if len(set(owed)) < len(in_targets) else None
    summary = RunSummary()
    curated_job = defs.resolve_job_def("curated_job")
    t0 = time.perf_counter()
    for start, end in contiguous_ranges(targets, ordered, batch_size or BATCH_SIZE):
        _run_range(curated_job, instance, start, end, summary, config)
    summary.seconds_curated = time.perf_counter() - t0
    years = sorted({split_key(k)[1] for k in keys} | set(years or []))
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


def pending_keys(lake: Lake, ordered: list[str]) -> list[str]:
    """Agency-years (`agency|year`) of the division-years `ordered` whose current raw file is
    neither curated (its report_id in the curated `reports` file) nor quarantined (its hash in
    the ledger): what a run still owes."""
    import pyarrow.parquet as pq

    from disclosure.lake import current_raw, read_ledger
    from disclosure.ocr_batch import filed_scans
    from pipelines.partitions import agency_years_of

    held = {e.sha256 for e in read_ledger(lake).entries if e.sha256} - filed_scans(lake)
    out = []
    for agency, year in agency_years_of(lake, ordered):
        k = join_key(agency, year)
        raw = current_raw(lake, agency, year)
        if raw is None or raw.sha256 in held:
            continue
        path = lake.curated_path("reports", year, agency)
        curated = pq.read_table(path, columns=["report_id"]).column(0).to_pylist() if path.exists() else []
        if curated != [raw.sha256]:
            out.append(k)
    return out


def stale_years(lake: Lake) -> list[int]:
    """Years whose curated partitions changed after the warehouse copy was written (the rule of
    year_refresh_sensor)."""
    from pipelines.defs.marts.sensors import _newest_curated_mtime
    from pipelines.partitions import open_years

    out = []
    for year in open_years():
        newest = _newest_curated_mtime(lake, year)
        wh = lake.warehouse_path("reports", int(year))
        if newest and (not wh.exists() or wh.stat().st_mtime_ns < newest):
            out.append(int(year))
    return out


@dataclass
class RunOnce:
    """What `run_once` did, and whether every input is accounted for."""

    tick: TickSummary
    runs: RunSummary
    audit: object  # disclosure.audit.AuditResult
    curated_keys: list[str]

    @property
    def ok(self) -> bool:
        return bool(self.audit.ok) and not self.runs.failed_runs and not self.tick.settling and not self.tick.waiting


def run_once(root: Path, *, settle_seconds: float = 0.0, max_concurrent_runs: int = 2) -> RunOnce:
    """Process the inbox of the lake at `root` once, through Dagster, in this process: the inbox
    sensor's ticks (with the daemon's cursor, on the lake's instance `<root>/.dagster`), the OCR
    step when scans wait for it, the curated runs of every partition still owed, the year assets
    of the years touched, then the lake audit. `RunOnce.ok` is True only when every input is accounted for."""
    from disclosure.audit import audit_lake
    from pipelines.definitions import build_defs
    from pipelines.partitions import division_year_partitions
    from pipelines.resources import LakeResource

    root = Path(root).resolve()
    home = ensure_dagster_home(root / ".dagster", max_concurrent_runs=max_concurrent_runs)
    lake = Lake.at(root)
    lake.ensure()
    defs = build_defs(LakeResource(root=str(root), sensor_requests_runs=False))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        tick = apply_sensor_tick(instance, lake, home, settle_seconds=settle_seconds)
        ocr = run_ocr_step(defs, instance, lake)
        ordered = division_year_partitions.get_partition_keys(dynamic_partitions_store=instance)
        keys = pending_keys(lake, ordered)
        runs = materialize_all(defs, instance, lake, keys, years=stale_years(lake))
        runs.runs += ocr.runs
        runs.failed_runs += ocr.failed_runs
        review = materialize_review(defs, instance, lake)
        runs.runs += review.runs
        runs.failed_runs += review.failed_runs
    return RunOnce(tick=tick, runs=runs, audit=audit_lake(lake), curated_keys=keys)


def run_ocr_step(defs: dg.Definitions, instance: dg.DagsterInstance, lake: Lake) -> RunSummary:
    """The OCR step in process, when the ledger holds scans it has not read (the OCR sensor's
    rule, pipelines/defs/ocr/sensors.py), so the scans it files are curated by this same run."""
    from disclosure.ocr_batch import waiting_scans
    from pipelines.keys import OCR_JOB

    summary = RunSummary()
    if waiting_scans(lake)[0]:
        res = defs.resolve_job_def(OCR_JOB).execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET)
        summary.runs += 1
        summary.failed_runs += 0 if res.success else 1
        _count_checks(summary, res)
    return summary


def materialize_review(defs: dg.Definitions, instance: dg.DagsterInstance, lake: Lake) -> RunSummary:
    """Bring every review page and queue up to date, in process: the runs the review refresh
    sensor would request (pipelines/defs/review/sensors.py)."""
    from pipelines.defs.review.sensors import refresh_requests
    from pipelines.partitions import division_year_partitions

    summary = RunSummary()
    ordered = [str(k) for k in division_year_partitions.get_partition_keys(dynamic_partitions_store=instance)]
    for r in refresh_requests(lake, ordered):
        start = r.tags.get("dagster/asset_partition_range_start", str(r.partition_key))
        end = r.tags.get("dagster/asset_partition_range_end", str(r.partition_key))
        _run_range(defs.resolve_job_def(r.job_name), instance, start, end, summary, r.run_config or None)
    return summary
