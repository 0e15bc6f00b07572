"""An idle inbox costs the code server little: a costly listing backs off after an idle tick
(`next_listing_in`), the state the last tick wrote is not parsed again, an unchanged state is
not dumped and hashed again, and no registry override is parsed when nothing arrived."""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import dagster as dg
import pytest

import disclosure.ingest as ingest
from disclosure.ingest import STATE_DIR, State, load_state, save_state
from disclosure.lake import Lake
from disclosure.manifest import parse_manifest_text, read_manifests
from pipelines.defs.raw.sensors import MAX_IDLE_WAIT_S, inbox_sensor, next_listing_in, stamp_listing
from pipelines.resources import LakeResource
from tests.pipeline_helpers import stage

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)


def cursor(*, listed_at: float, listing_s: float, idle: bool = True) -> str:
    return stamp_listing(json.dumps({"state_file": "x.json", "files": 200000, "settling": 0}),
                         listed_at=listed_at, listing_s=listing_s, idle=idle)


def test_after_an_idle_tick_a_costly_listing_waits_until_listings_take_at_most_the_duty() -> None:
    c = cursor(listed_at=1000.0, listing_s=1.6)  # 200,000 files here
    assert next_listing_in(c, 1010.0, 0.02) == pytest.approx(70.0)
    assert next_listing_in(c, 1079.0, 0.02) == pytest.approx(1.0)
    assert next_listing_in(c, 1080.0, 0.02) == 0.0
    assert next_listing_in(c, 1010.0, 0.1) == pytest.approx(6.0)


def test_an_idle_inbox_whose_listing_is_cheap_is_listed_on_every_tick() -> None:
    # 0.3 s / 2 % = 15 s: no longer than the sensor's interval, so no tick is skipped
    assert next_listing_in(cursor(listed_at=1000.0, listing_s=0.3), 1000.5, 0.02) == 0.0
    assert next_listing_in(cursor(listed_at=1000.0, listing_s=0.01), 1000.0, 0.02) == 0.0


def test_a_tick_that_found_anything_is_followed_by_a_listing() -> None:
    assert next_listing_in(cursor(listed_at=1000.0, listing_s=5.0, idle=False), 1001.0, 0.02) == 0.0


def test_no_idle_inbox_waits_longer_than_the_cap() -> None:
    c = cursor(listed_at=1000.0, listing_s=100.0)  # 100 s / 2 % would be 5,000 s
    assert next_listing_in(c, 1000.0, 0.02) == pytest.approx(MAX_IDLE_WAIT_S)
    assert next_listing_in(c, 1000.0 + MAX_IDLE_WAIT_S, 0.02) == 0.0


def test_a_duty_of_one_lists_on_every_tick() -> None:
    # the next tick starts after the listing ended, so `cost / 1` has always passed
    assert next_listing_in(cursor(listed_at=1000.0, listing_s=40.0), 1040.0, 1.0) == 0.0


@pytest.mark.parametrize("bad", [None, "", "not json", "[]", json.dumps({"state_file": "x.json", "files": 3}),
                                 json.dumps({"idle": True, "listed_at": "yesterday", "listing_s": 2.0})])
def test_a_cursor_without_listing_stamps_lists_at_once(bad: str | None) -> None:
    assert next_listing_in(bad, 1000.0, 0.02) == 0.0


def test_a_clock_set_back_lists_at_once() -> None:
    assert next_listing_in(cursor(listed_at=1000.0, listing_s=5.0), 900.0, 0.02) == 0.0


def test_the_listing_duty_is_checked_when_the_resource_is_built() -> None:
    for bad in (0, -0.5, 1.5):
        with pytest.raises(Exception, match="DISCLOSURE_INBOX_LISTING_DUTY"):
            LakeResource(root="/nonexistent", inbox_listing_duty=bad)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lk = Lake(tmp_path / "lake")
    lk.ensure()
    return lk


def evaluate(instance: dg.DagsterInstance, lake: Lake, cursor: str | None) -> dg.SensorResult:
    ctx = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"lake": LakeResource(root=str(lake.root))})
    return inbox_sensor(ctx)


def test_the_sensor_skips_a_costly_idle_listing_keeps_its_cursor_and_lists_once_the_wait_is_over(lake: Lake) -> None:
    stage(lake.inbox, "pingtan-2024.txt")
    with dg.instance_for_test() as instance:
        first = evaluate(instance, lake, None)  # settling
        second = evaluate(instance, lake, first.cursor)  # accepted
        idle = evaluate(instance, lake, second.cursor)
        assert [json.loads(c)["idle"] for c in (first.cursor, second.cursor, idle.cursor)] == [False, False, True]
        assert second.run_requests and not idle.run_requests
        stamped = json.loads(idle.cursor)
        assert 0 <= stamped["listing_s"] < 60 and abs(stamped["listed_at"] - time.time()) < 60
        # As if the listing had cost 10 s: a file arriving now waits for the next listing.
        costly = json.dumps({**stamped, "listing_s": 10.0, "listed_at": time.time()})
        stage(lake.inbox, "pingtan-2023.txt")
        skipped = evaluate(instance, lake, costly)
        assert skipped.cursor is None  # Dagster keeps the cursor it has
        assert not skipped.run_requests and not skipped.asset_events
        assert "next listing in" in skipped.skip_reason.skip_message
        assert "idle listings kept under 2% of the time" in skipped.skip_reason.skip_message
        due = json.dumps({**stamped, "listing_s": 10.0, "listed_at": time.time() - 501})
        seen = evaluate(instance, lake, due)
    assert "1 file(s) settling" in seen.skip_reason.skip_message
    assert json.loads(seen.cursor)["idle"] is False


def tick(lake: Lake, cursor: str | None):
    from pipelines.defs.raw.sensors import evaluate_inbox

    return evaluate_inbox(lake, cursor, requests_runs=False, max_files=10**6)


def state_files(lake: Lake) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (lake.root / STATE_DIR).iterdir()}


def test_an_idle_tick_keeps_the_cursors_state_file_and_writes_none(lake: Lake, monkeypatch) -> None:
    stage(lake.inbox, "pingtan-2024.txt", "hongze-gov-2023.txt")
    first, _ = tick(lake, None)
    second, res = tick(lake, first.cursor)
    assert len(res.accepted) == 2
    before = state_files(lake)
    dumps = []
    real = ingest.dump_state
    monkeypatch.setattr(ingest, "dump_state", lambda s: dumps.append(1) or real(s))
    third, res = tick(lake, second.cursor)
    assert res.unchanged == 2 and not dumps
    assert json.loads(third.cursor)["state_file"] == json.loads(second.cursor)["state_file"]
    assert state_files(lake) == before
    # Something changes: the state is dumped and written again.
    (lake.inbox / "pingtan-2024.txt").write_bytes(b"changed")
    fourth, _ = tick(lake, third.cursor)
    assert dumps and json.loads(fourth.cursor)["state_file"] != json.loads(third.cursor)["state_file"]


def test_a_state_served_from_memory_is_the_state_file_and_a_copy(lake: Lake) -> None:
    state = State(files={"a.txt": [3, 7, "ab" * 32, ""]}, settling={"b.txt": [1, 2]})
    c = save_state(lake, state)
    path = lake.root / STATE_DIR / json.loads(c)["state_file"]
    from_memory = load_state(c, lake)
    ingest._STATE_CACHE.clear()
    from_file = load_state(c, lake)
    assert from_memory == from_file == state and json.loads(path.read_bytes())["files"] == state.files
    from_memory.files.clear()
    from_memory.settling["c.txt"] = [0, 0]
    assert load_state(c, lake) == state  # the cached state itself is never handed out


def test_a_state_file_deleted_behind_the_cache_gives_an_empty_state(lake: Lake) -> None:
    c = save_state(lake, State(files={"a.txt": [3, 7, "ab" * 32, ""]}))
    assert load_state(c, lake).files
    (lake.root / STATE_DIR / json.loads(c)["state_file"]).unlink()
    assert load_state(c, lake) == State()


def test_an_idle_tick_parses_no_registry_override(lake: Lake, monkeypatch) -> None:
    import disclosure.registry as registry

    (lake.root / registry.OVERRIDE_NAME).parent.mkdir(parents=True, exist_ok=True)
    (lake.root / registry.OVERRIDE_NAME).write_text("id,canonical_name\nx1,某某局\n", "utf-8")
    stage(lake.inbox, "pingtan-2024.txt")
    first, _ = tick(lake, None)
    second, res = tick(lake, first.cursor)
    assert res.accepted
    calls = []
    real = registry.lake_registry
    monkeypatch.setattr(registry, "lake_registry", lambda root: calls.append(root) or real(root))
    monkeypatch.setattr(ingest, "lake_registry", lambda root: calls.append(root) or real(root))
    tick(lake, second.cursor)
    assert calls == []


def test_one_manifest_read_as_a_whole_equals_its_rows_merged_one_by_one(tmp_path: Path) -> None:
    text = ("file,agency,year\na.txt,某局,2023\nb.txt,某局,2023\nb.txt,另一局,2023\nc.txt,,2022\n"
            "d.txt,某局,20x3\n")
    (tmp_path / "manifest.csv").write_text(text, "utf-8")
    one = parse_manifest_text(text, where="manifest.csv")
    read = read_manifests(tmp_path, ["manifest.csv"])
    assert read.entries == one.entries and list(read.entries) == ["a.txt", "c.txt"]
    assert read.conflicts == one.conflicts and set(read.conflicts) == {"b.txt"}
    assert read.problems == one.problems
