"""Crash safety: a pipeline killed with SIGKILL at random moments and re-run ends exactly like a clean run,
and no reader ever sees a partial Parquet file under its final name.

The pipeline runs in a child process (`python -c ...run_child(root)`): the inbox sensor's tick
applied to a persistent instance (own DAGSTER_HOME), the curated job in ranged runs of 2
agency-years, then the warehouse over the years. Kills land at seeded random delays after
each phase starts (tick, curated, warehouse), so every phase is interrupted once.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from disclosure.audit import audit_lake
from disclosure.lake import Lake, read_quarantine
from tests.pipeline_helpers import stage, stage_manifest

REPO = Path(__file__).resolve().parent.parent
FILES = ("pingtan-2022.txt", "pingtan-2023.txt", "hongze-gov-2023.txt", "sh-gov-office-2019.html",
         "xining-etdz-2022.txt", "shuyang-fgj-2023.html")
SEED = 20240131
PHASES = ("tick", "curated", "warehouse")
CHILD_TIMEOUT = 180


# --------------------------------------------------------------------------- the child process


def _mark(root: Path, phase: str) -> None:
    with (root / "progress.log").open("a", encoding="utf-8") as fh:
        fh.write(phase + "\n")


def run_child(root_text: str) -> None:
    """The pipeline, in-process, over the lake at `root_text` (run as a separate, killable process)."""
    import warnings

    warnings.filterwarnings("ignore")
    import dagster as dg

    from lakeops.runner import QUIET, apply_sensor_tick, ensure_dagster_home, materialize_all
    from pipelines.definitions import build_defs
    from pipelines.defs.core.assets import warehouse
    from pipelines.resources import LakeResource

    root = Path(root_text)
    lake = Lake(root)
    home = ensure_dagster_home(root / ".dagster")
    resource = LakeResource(root=str(root))
    defs = build_defs(resource)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        _mark(root, "tick")
        apply_sensor_tick(instance, lake, home)
        _mark(root, "curated")
        summary = materialize_all(defs, instance, lake, batch_size=2, year_job_name=None)
        assert summary.failed_runs == 0, summary
        _mark(root, "warehouse")
        years = sorted(int(p.name.removeprefix("year=")) for p in (lake.curated / "reports").glob("year=*"))
        res = dg.materialize(
            [warehouse], instance=instance, resources={"lake": resource}, run_config=QUIET,
            tags={"dagster/asset_partition_range_start": str(years[0]),
                  "dagster/asset_partition_range_end": str(years[-1])},
        )
        assert res.success
    _mark(root, "done")


def _child_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DAGSTER_HOME": str(root / ".dagster"), "DISCLOSURE_LAKE_ROOT": str(root),
                "DISCLOSURE_LAST_YEAR": "2024", "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore",
                "DISCLOSURE_LOG_LEVEL": "ERROR"})
    return env


def start_child(root: Path) -> subprocess.Popen:
    code = f"from tests.test_crash_safety import run_child; run_child({str(root)!r})"
    log = (root.parent / f"{root.name}.child.log").open("ab")
    return subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=_child_env(root), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def wait_child(proc: subprocess.Popen, root: Path) -> None:
    rc = proc.wait(timeout=CHILD_TIMEOUT)
    log = (root.parent / f"{root.name}.child.log").read_text("utf-8", "replace")
    assert rc == 0, f"pipeline child failed ({rc}):\n{log[-3000:]}"


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the child's own process group (the child and anything it started), by its id."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def phases_seen(root: Path) -> list[str]:
    path = root / "progress.log"
    return path.read_text("utf-8").split() if path.exists() else []


def wait_for_phase(root: Path, proc: subprocess.Popen, phase: str, already: int) -> bool:
    """Wait until the child marks `phase` one more time than `already`; False if it exits first."""
    deadline = time.monotonic() + CHILD_TIMEOUT
    while phases_seen(root).count(phase) <= already:
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def new_lake(base: Path, name: str) -> Lake:
    lake = Lake(base / name)
    lake.ensure()
    stage(lake.inbox, *FILES)
    stage_manifest(lake.inbox, "xining-etdz-2022.txt")
    (lake.inbox / "junk.md").write_text("# 会议纪要\n\n没有任何表格。\n", "utf-8")
    return lake


# --------------------------------------------------------------------------- the reader


class Reader(threading.Thread):
    """Opens every visible *.parquet under curated/ and warehouse/ again and again, as a user would."""

    def __init__(self, lake: Lake) -> None:
        super().__init__(daemon=True)
        self.lake = lake
        self.stop = threading.Event()
        self.reads = 0
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            for base in (self.lake.curated, self.lake.warehouse):
                for path in base.rglob("*.parquet"):
                    try:
                        pq.read_table(path)
                        self.reads += 1
                    except Exception as err:
                        self.errors.append(f"{path}: {type(err).__name__}: {err}")
            time.sleep(0.01)


def checksums(lake: Lake) -> dict[str, str]:
    """relative path → SHA-256 of every visible file of the curated zone and the warehouse."""
    out = {}
    for base in (lake.curated, lake.warehouse):
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                out[str(path.relative_to(lake.root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# --------------------------------------------------------------------------- tests


def test_a_backfill_killed_three_times_and_rerun_ends_identical_to_a_clean_run(tmp_path: Path) -> None:
    clean = new_lake(tmp_path, "clean")
    proc = start_child(clean.root)
    wait_child(proc, clean.root)

    crashed = new_lake(tmp_path, "crashed")
    rng = random.Random(SEED)
    reader = Reader(crashed)
    reader.start()
    kills = []
    try:
        for phase in PHASES:
            proc = start_child(crashed.root)
            if not wait_for_phase(crashed.root, proc, phase, phases_seen(crashed.root).count(phase)):
                kill_group(proc)
                raise AssertionError(f"child exited before phase {phase}: {phases_seen(crashed.root)}")
            delay = rng.uniform(0.05, 1.5)
            time.sleep(delay)
            finished = proc.poll() is not None
            kill_group(proc)
            kills.append((phase, round(delay, 2), finished))
        proc = start_child(crashed.root)
        wait_child(proc, crashed.root)
    finally:
        reader.stop.set()
        reader.join(timeout=30)

    assert [k[0] for k in kills] == list(PHASES)
    assert not any(done for _, _, done in kills), f"a kill came after the child had finished: {kills}"
    assert reader.errors == [], reader.errors[:5]
    assert reader.reads > 0
    want = checksums(clean)
    assert len(want) > 6 * 6
    assert checksums(crashed) == want
    report = audit_lake(crashed)
    assert report.ok, report.summary()
    assert {w.kind for w in report.warnings} <= {"temp_file_leftover", "raw_orphan_bytes"}
    assert {p.name for p in crashed.raw.rglob("*") if p.is_file()} == {p.name for p in clean.raw.rglob("*") if p.is_file()}
    ledger = {(e.source_file, e.code, e.sha256) for e in read_quarantine(crashed)}
    assert ledger == {(e.source_file, e.code, e.sha256) for e in read_quarantine(clean)}


# --------------------------------------------------------------------------- one file, killed mid-write


def write_forever(path_text: str) -> None:
    """Child: rewrite one big Parquet file with alternating contents until killed."""
    from disclosure.lake import write_parquet_atomic

    path = Path(path_text)
    tables = [_big_table(0), _big_table(1)]
    i = 0
    while True:
        write_parquet_atomic(path, tables[i % 2], durable=False)
        i += 1
        (path.parent / "writes").write_text(str(i))


def _big_table(variant: int) -> pa.Table:
    n = 400_000
    return pa.table({"i": pa.array(range(variant, n + variant), pa.int64()),
                     "s": pa.array([f"第{k}行-{variant}" for k in range(n)], pa.string())})


def test_a_writer_killed_mid_write_leaves_the_old_or_the_new_file_never_a_partial_one(tmp_path: Path) -> None:
    path = tmp_path / "year=2023" / "agency=测试" / "part-0.parquet"
    path.parent.mkdir(parents=True)
    want = {hashlib.sha256(json.dumps(_big_table(v).to_pydict()["i"][:5]).encode()).hexdigest(): v for v in (0, 1)}
    rng = random.Random(SEED)
    for _ in range(3):
        code = f"from tests.test_crash_safety import write_forever; write_forever({str(path)!r})"
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=_child_env(tmp_path / "w"),
                                start_new_session=True)
        deadline = time.monotonic() + 60
        while not (path.parent / "writes").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.5))
        assert proc.poll() is None
        kill_group(proc)
        (path.parent / "writes").unlink()
        t = pq.read_table(path)
        head = hashlib.sha256(json.dumps(t.column("i").to_pylist()[:5]).encode()).hexdigest()
        assert head in want and t.equals(_big_table(want[head]))
    visible = [p.name for p in path.parent.iterdir() if not p.name.startswith(".")]
    assert visible == ["part-0.parquet"]
