"""Concurrency: two runs of the same partitions at once, and an inbox tick overlapping a backfill, end in one
consistent lake: golden row counts, no duplicate keys, every file accounted for.

Each side runs in its own process against the same lake and the same Dagster instance
(SQLite, own DAGSTER_HOME), released together by a barrier file once both have imported
everything, so their runs overlap.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from disclosure.audit import audit_lake
from disclosure.batch import BatchItem, parse_batch
from disclosure.lake import Lake
from disclosure.schema import TABLES
from lakeops.runner import apply_sensor_tick, ensure_dagster_home
from tests.pipeline_helpers import REPORTS, stage, stage_manifest

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

REPO = Path(__file__).resolve().parent.parent
FIRST = ("pingtan-2022.txt", "pingtan-2023.txt", "hongze-gov-2023.txt")
LATER = ("xining-etdz-2022.txt", "sh-gov-office-2019.html")
TIMEOUT = 180


# --------------------------------------------------------------------------- child processes


def child(root_text: str, mode: str) -> None:
    """`backfill`: curate every agency-year with a raw file, one run per partition.
    `tick`: drop LATER (and a second copy of a file the backfill is curating) in the inbox,
    apply the inbox sensor's tick and run the partitions it accepted."""
    warnings.filterwarnings("ignore")
    from lakeops.runner import materialize_all
    from pipelines.definitions import build_defs
    from pipelines.resources import LakeResource

    root = Path(root_text)
    lake = Lake(root)
    defs = build_defs(LakeResource(root=str(root)))
    with dg.DagsterInstance.from_config(str(root / ".dagster")) as instance:
        (root / f"ready.{mode}.{os.getpid()}").touch()
        while not (root / "go").exists():
            time.sleep(0.01)
        if mode == "backfill":
            summary = materialize_all(defs, instance, lake, batch_size=1, year_job_name=None)
        else:
            stage(lake.inbox, *LATER)
            stage_manifest(lake.inbox, "xining-etdz-2022.txt")
            stage(lake.inbox, FIRST[0], sub="copy")
            tick = apply_sensor_tick(instance, lake, root / ".dagster")
            # The copy holds the bytes of a file already received under the same name: it is
            # accounted for by its hash in the raw zone, and re-requested only while its partition
            # is not curated yet (the backfill may still be on it; curation is idempotent).
            copy_key = f"平潭综合实验区|{FIRST[0][8:12]}"
            assert len([k for k in tick.accepted if k != copy_key]) == 2, tick
            summary = materialize_all(defs, instance, lake, keys=[*tick.accepted, f"平潭综合实验区|{FIRST[0][8:12]}"],
                                      year_job_name=None)
        assert summary.failed_runs == 0, summary


def run_together(root: Path, modes: list[str]) -> None:
    env = dict(os.environ)
    env.update({"DAGSTER_HOME": str(root / ".dagster"), "DISCLOSURE_LAKE_ROOT": str(root), "PYTHONPATH": str(REPO),
                "DISCLOSURE_LAST_YEAR": "2024", "PYTHONWARNINGS": "ignore", "DISCLOSURE_LOG_LEVEL": "ERROR"})
    procs = []
    for i, mode in enumerate(modes):
        code = f"from tests.test_concurrency import child; child({str(root)!r}, {mode!r})"
        log = (root.parent / f"child{i}.log").open("ab")
        procs.append(subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True))
    deadline = time.monotonic() + TIMEOUT
    while len(list(root.glob("ready.*"))) < len(modes):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "a child did not start"
        time.sleep(0.02)
    (root / "go").touch()
    for i, p in enumerate(procs):
        rc = p.wait(timeout=TIMEOUT)
        assert rc == 0, (root.parent / f"child{i}.log").read_text("utf-8", "replace")[-3000:]


# --------------------------------------------------------------------------- expectations


def expected_rows(names: tuple[str, ...]) -> dict[str, int]:
    """Rows per table of these reports, parsed directly by the core (what a clean run writes)."""
    batch = parse_batch([BatchItem(REPORTS / n) for n in names])
    assert not batch.rejected
    return {t: len(df) for t, df in batch.frames.items()}


def lake_rows(lake: Lake) -> dict[str, int]:
    con = duckdb.connect()
    return {t: con.execute(f"select count(*) from read_parquet('{lake.curated}/{t}/*/*/*.parquet')").fetchone()[0]
            for t in TABLES}


def duplicate_keys(lake: Lake) -> dict[str, int]:
    con = duckdb.connect()
    out = {}
    for t, spec in TABLES.items():
        key = ", ".join(f'"{k}"' for k in dict.fromkeys(["report_id", *spec.key]))
        out[t] = con.execute(f"select count(*) from (select {key}, count(*) n from read_parquet("
                             f"'{lake.curated}/{t}/*/*/*.parquet') group by all having n > 1)").fetchone()[0]
    return out


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    """A lake whose inbox sensor has registered FIRST (no curated run yet)."""
    lk = Lake(tmp_path / "lake")
    lk.ensure()
    stage(lk.inbox, *FIRST)
    home = ensure_dagster_home(lk.root / ".dagster")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert len(apply_sensor_tick(instance, lk, home).accepted) == 3
    return lk


def test_two_runs_of_the_same_partitions_at_once_end_in_one_result_without_duplicate_rows(lake: Lake) -> None:
    run_together(lake.root, ["backfill", "backfill"])
    assert lake_rows(lake) == expected_rows(FIRST)
    assert duplicate_keys(lake) == dict.fromkeys(TABLES, 0)
    result = audit_lake(lake)
    assert result.ok and result.partitions_curated == 3, result.summary()
    assert not [p for p in lake.curated.rglob("*") if p.is_file() and p.name != "part-0.parquet"]


def test_an_inbox_tick_overlapping_a_backfill_ends_consistent_with_every_file_accounted_for(lake: Lake) -> None:
    run_together(lake.root, ["backfill", "tick"])
    assert lake_rows(lake) == expected_rows(FIRST + LATER)
    assert duplicate_keys(lake) == dict.fromkeys(TABLES, 0)
    result = audit_lake(lake)
    assert result.ok, result.summary()
    assert (result.inbox_files, result.inbox_in_raw, result.raw_files, result.partitions_curated) == (6, 6, 5, 5)
