"""The inbox sensor's cursor names a state file in the lake instead of holding the state: it stays
small whatever the inbox holds, a tick Dagster throws away can be evaluated again from the
cursor before it, and a lost state file costs a re-read of the inbox, never a file filed twice."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from disclosure.ingest import STATE_DIR, load_state
from disclosure.lake import Lake, read_quarantine
from pipelines.defs.raw.sensors import evaluate_inbox
from tests.pipeline_helpers import stage

FILES = ("pingtan-2019.txt", "pingtan-2020.txt", "pingtan-2021.txt", "pingtan-2022.txt", "pingtan-2023.txt",
         "pingtan-2024.txt", "pingtan-zrz-2021.txt", "pingtan-zrz-2022.txt", "hongze-gov-2023.txt")


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lk = Lake(tmp_path / "lake")
    lk.ensure()
    stage(lk.inbox, *FILES)
    return lk


def tick(lake: Lake, cursor: str | None):
    return evaluate_inbox(lake, cursor, requests_runs=False, max_files=10**6)


def raw_files(lake: Lake) -> list[str]:
    return sorted(str(p.relative_to(lake.raw)) for p in lake.raw.rglob("*") if p.is_file())


def state_files(lake: Lake) -> list[str]:
    return sorted(p.name for p in (lake.root / STATE_DIR).iterdir())


def test_the_cursor_names_a_state_file_and_stays_small_whatever_the_inbox_holds(lake: Lake) -> None:
    first, _ = tick(lake, None)
    second, res = tick(lake, first.cursor)
    assert len(res.accepted) == len(FILES)
    for cursor in (first.cursor, second.cursor):
        assert len(cursor) < 200 and "state_file" in json.loads(cursor)
    assert sorted(load_state(second.cursor, lake).files) == sorted(FILES)
    assert load_state(first.cursor, lake).settling and not load_state(second.cursor, lake).settling
    _, res = tick(lake, second.cursor)
    assert res.unchanged == len(FILES) and not res.accepted


def test_a_tick_thrown_away_is_evaluated_again_from_the_cursor_before_it(lake: Lake) -> None:
    first, _ = tick(lake, None)
    _lost, res = tick(lake, first.cursor)  # as if it outlived the sensor timeout: its cursor never stored
    assert len(res.accepted) == len(FILES)
    again, res = tick(lake, first.cursor)
    assert len(load_state(again.cursor, lake).files) == len(FILES)
    assert raw_files(lake) and len(read_quarantine(lake)) == 0


def test_at_most_two_state_files_are_kept(lake: Lake) -> None:
    cursor = None
    for _ in range(4):
        (lake.inbox / "note.txt").write_text(f"{cursor}", "utf-8")  # something changes every tick
        result, _ = tick(lake, cursor)
        cursor = result.cursor
        assert json.loads(cursor)["state_file"] in state_files(lake)
        assert len(state_files(lake)) <= 2


def test_a_lost_state_file_reads_the_inbox_again_and_files_nothing_twice(lake: Lake) -> None:
    first, _ = tick(lake, None)
    second, _ = tick(lake, first.cursor)
    raw, ledger = raw_files(lake), len(read_quarantine(lake))
    for path in (lake.root / STATE_DIR).iterdir():
        path.unlink()
    assert load_state(second.cursor, lake).files == {}
    third, _ = tick(lake, second.cursor)  # every file settles again
    fourth, _ = tick(lake, third.cursor)
    assert raw_files(lake) == raw and len(read_quarantine(lake)) == ledger
    assert sorted(load_state(fourth.cursor, lake).files) == sorted(FILES)


def test_a_cursor_naming_a_state_file_needs_the_lake() -> None:
    with pytest.raises(ValueError, match="pass the lake"):
        load_state(json.dumps({"state_file": "x.json"}))


def test_a_rewritten_manifest_is_parsed_again_though_an_unchanged_one_is_not(tmp_path: Path, monkeypatch) -> None:
    import disclosure.manifest as manifest

    path = tmp_path / "manifest.csv"
    path.write_text("file,agency,year\na.txt,某局,2023\n", "utf-8")
    assert manifest.read_manifests(tmp_path, ["manifest.csv"]).entries["a.txt"].year == 2023
    calls = []
    real = manifest.parse_manifest_text
    monkeypatch.setattr(manifest, "parse_manifest_text", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert manifest.read_manifests(tmp_path, ["manifest.csv"]).entries["a.txt"].year == 2023
    assert calls == []  # unchanged: the cached parse
    st = path.stat()
    path.write_text("file,agency,year\na.txt,某局,2024\n", "utf-8")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert manifest.read_manifests(tmp_path, ["manifest.csv"]).entries["a.txt"].year == 2024
    assert calls == [1]
