"""A bulk tick identifies its files in worker processes and files exactly what one process files:
the same raw zone, the same ledger lines in the same order, the same decisions and state. A pool
that breaks mid-tick costs speed, never a file."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import disclosure.ingest as ingest
from disclosure.ingest import State, ingest_inbox
from disclosure.lake import Lake, read_quarantine
from disclosure.synth import iter_reports
from tests.pipeline_helpers import stage

YEARS = [str(y) for y in range(2014, 2031)]
REAL = ("pingtan-2019.txt", "pingtan-2020.txt", "hongze-gov-2023.txt")


def build(root: Path) -> Lake:
    """Generated reports, real ones, a renamed copy (duplicate), a second report for one
    agency-year (a revision decision), a garbage file and an empty one."""
    lake = Lake(root)
    lake.ensure()
    generated = [(name, data) for name, data, _golden in iter_reports(36, 20260101)]
    for i, (name, data) in enumerate(generated):
        (lake.inbox / f"g{i // 10}").mkdir(exist_ok=True)
        (lake.inbox / f"g{i // 10}" / name).write_bytes(data)
    stage(lake.inbox, *REAL)
    shutil.copy(lake.inbox / REAL[0], lake.inbox / "copy-of-pingtan-2019.txt")
    (lake.inbox / "pingtan-2020-revised.txt").write_bytes((lake.inbox / REAL[1]).read_bytes() + "\n（修订）\n".encode())
    (lake.inbox / "notes.txt").write_text("这不是一份年度报告。\n", "utf-8")
    (lake.inbox / "empty.html").write_bytes(b"")
    return lake


def filed(lake: Lake, workers: int) -> dict:
    """Two ticks (the first sees every file settle), and what they filed, without timestamps."""
    state = ingest_inbox(lake, State(), years=YEARS, max_files=10**6, workers=workers).state
    res = ingest_inbox(lake, state, years=YEARS, max_files=10**6, workers=workers)
    raw = sorted((p.relative_to(lake.raw).as_posix(), p.read_bytes()) for p in lake.raw.rglob("*")
                 if p.is_file() and p.suffix != ".json")
    return {
        "accepted": [(a.raw.agency, a.raw.year, a.raw.sha256, a.inbox_path, a.decision,
                      a.superseded.sha256 if a.superseded else None) for a in res.accepted],
        "ledger": [(e.source_file, e.sha256, e.code, e.reason, e.agency, e.year) for e in read_quarantine(lake)],
        # The mtime in each state entry is when build() wrote the file, which differs per lake.
        "state": ({path: (size, sha, tag) for path, (size, _mtime, sha, tag) in res.state.files.items()},
                  {path: size for path, (size, _mtime) in res.state.settling.items()}),
        "counts": (res.unchanged, res.pending, [w.path for w in res.waiting]),
        "raw": raw,
    }


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "POOL_MIN_FILES", 10)
    monkeypatch.setattr(ingest, "POOL_CHUNK_PER_WORKER", 4)  # several chunks, so chunking is exercised


def test_a_tick_identified_in_two_worker_processes_files_exactly_what_one_process_files(
        tmp_path: Path, small_pool: None, monkeypatch: pytest.MonkeyPatch) -> None:
    pools: list[int] = []
    real_pool = ingest._identify_pool

    def counted_pool(workers: int, registry) -> ProcessPoolExecutor | None:
        pools.append(workers)
        return real_pool(workers, registry)

    one = filed(build(tmp_path / "one"), workers=1)
    monkeypatch.setattr(ingest, "_identify_pool", counted_pool)
    two = filed(build(tmp_path / "two"), workers=2)
    assert pools == [2], "the settled tick of two workers should have identified in a pool"
    assert len(one["accepted"]) >= 36 and {row[2] for row in one["ledger"]} >= {"duplicate"}
    assert any(row[4] for row in one["accepted"]), "the revised report should meet a decision"
    assert two == one


def test_a_pool_that_breaks_mid_tick_is_dropped_and_the_files_are_identified_in_process(
        tmp_path: Path, small_pool: None, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    started: list[ProcessPoolExecutor] = []

    def dying_pool(workers: int, registry) -> ProcessPoolExecutor:
        # Every worker exits as it starts: the first map raises BrokenProcessPool.
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=os._exit, initargs=(3,))
        started.append(pool)
        return pool

    reference = filed(build(tmp_path / "one"), workers=1)
    monkeypatch.setattr(ingest, "_identify_pool", dying_pool)
    with caplog.at_level(logging.WARNING, logger="disclosure.ingest"):
        assert filed(build(tmp_path / "two"), workers=2) == reference
    assert started, "the tick should have tried the pool"
    assert any("identify pool broke" in r.getMessage() for r in caplog.records), "the fallback should be said"


def test_a_tick_of_a_few_files_starts_no_worker_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(workers: int, registry):
        raise AssertionError("a pool for a few files")

    monkeypatch.setattr(ingest, "_identify_pool", no_pool)
    lake = Lake(tmp_path / "lake")
    lake.ensure()
    stage(lake.inbox, *REAL)
    state = ingest_inbox(lake, State(), years=YEARS, max_files=10**6, workers=4).state
    assert len(ingest_inbox(lake, state, years=YEARS, max_files=10**6, workers=4).accepted) == len(REAL)


def test_files_read_ahead_of_the_pool_are_filed_in_listing_order_with_their_read_errors(
        tmp_path: Path, small_pool: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sensor reads the next chunk while the workers identify one: a file that cannot be
    read (recorded) or that fails mid-read (retried next tick) must still land where, and in
    the order, a one-process tick puts it."""
    real_read = ingest.read_inbox_file

    def flaky_read(path: Path) -> bytes:
        if path.name == "pingtan-2020.txt":
            raise PermissionError(13, "Permission denied")
        if path.parent.name == "g2" and path.name.endswith(("0.html", "0.txt", "0.pdf", "0.docx")):
            raise MemoryError("too big to read here")
        return real_read(path)

    monkeypatch.setattr(ingest, "read_inbox_file", flaky_read)
    one = filed(build(tmp_path / "one"), workers=1)
    two = filed(build(tmp_path / "two"), workers=2)
    assert any(row[2] == "unreadable_file" for row in one["ledger"]), "the unreadable file should be recorded"
    assert any(p.startswith("g2/") for p in one["counts"][2]), "the failed read should wait for the next tick"
    assert two == one
