"""The inbox sensor: new, changed, unidentifiable files and bad agency keys; nothing dropped silently."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import dagster as dg
import pytest

from disclosure.ingest import load_state
from disclosure.lake import Lake, current_raw, raw_history, read_quarantine, sha256_bytes
from pipelines.defs.raw.sensors import inbox_sensor
from pipelines.resources import LakeResource
from tests.pipeline_helpers import PINGTAN, stage

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)


def evaluate(instance: dg.DagsterInstance, lake: Lake, cursor: str | None) -> dg.SensorResult:
    ctx = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"lake": LakeResource(root=str(lake.root))})
    return inbox_sensor(ctx)


def tick(instance: dg.DagsterInstance, lake: Lake, cursor: str | None) -> dg.SensorResult:
    """The sensor's ticks until the files it sees have settled (a new or changed file is read on
    the second tick that finds its size and mtime unchanged)."""
    res = evaluate(instance, lake, cursor)
    if load_state(res.cursor, lake).settling:
        res = evaluate(instance, lake, res.cursor)
    return res


def test_a_new_file_is_only_seen_on_the_first_tick_and_read_on_the_second(lake: Lake) -> None:
    stage(lake.inbox, "pingtan-2024.txt")
    with dg.instance_for_test() as instance:
        first = evaluate(instance, lake, None)
        second = evaluate(instance, lake, first.cursor)
    assert not first.run_requests and "1 file(s) settling" in first.skip_reason.skip_message
    assert [r.partition_key for r in second.run_requests] == [f"{PINGTAN}|2024"]


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lk = Lake(tmp_path / "lake")
    lk.ensure()
    return lk


def test_new_file_is_identified_copied_to_raw_registered_and_run_with_its_hash_as_run_key(lake: Lake) -> None:
    (src,) = stage(lake.inbox, "pingtan-2024.txt", sub="福建/平潭")
    with dg.instance_for_test() as instance:
        res = tick(instance, lake, None)
    sha = sha256_bytes(src.read_bytes())
    assert [r.run_key for r in res.run_requests] == [sha]
    assert res.run_requests[0].partition_key == f"{PINGTAN}|2024"
    # the division-year partition, restricted to the agency whose file arrived
    assert res.run_requests[0].run_config == {"ops": {"curated": {"config": {"agencies": ["平潭综合实验区"]}}}}
    assert res.dynamic_partitions_requests[0].partition_keys == [PINGTAN]
    raw = current_raw(lake, "平潭综合实验区", 2024)
    assert raw is not None and raw.sha256 == sha and raw.source_file == "pingtan-2024.txt"
    assert raw.path(lake) == lake.raw / "year=2024" / "agency=平潭综合实验区" / f"{sha}.txt"
    assert raw.path(lake).read_bytes() == src.read_bytes()
    mats = [e for e in res.asset_events if isinstance(e, dg.AssetMaterialization)]
    assert [m.partition for m in mats] == [f"{PINGTAN}|2024"]
    assert mats[0].metadata["sha256"].value == sha and mats[0].metadata["agency"].value == "平潭综合实验区"


def test_unchanged_files_request_nothing_on_the_next_tick(lake: Lake) -> None:
    (src,) = stage(lake.inbox, "pingtan-2023.txt")
    with dg.instance_for_test() as instance:
        first = tick(instance, lake, None)
        os.utime(src)  # touched, same bytes
        second = tick(instance, lake, first.cursor)
    assert len(first.run_requests) == 1
    assert not second.run_requests and second.skip_reason


def test_changed_file_supersedes_the_old_one_and_both_are_kept(lake: Lake) -> None:
    (src,) = stage(lake.inbox, "pingtan-2024.txt")
    old = src.read_bytes()
    with dg.instance_for_test() as instance:
        first = tick(instance, lake, None)
        src.write_bytes(old + "\n（更正版）\n".encode())
        second = tick(instance, lake, first.cursor)
    new_sha = sha256_bytes(src.read_bytes())
    assert [r.run_key for r in second.run_requests] == [new_sha]
    assert second.run_requests[0].partition_key == f"{PINGTAN}|2024"
    hist = raw_history(lake, "平潭综合实验区", 2024)
    assert [h.sha256 for h in hist] == [sha256_bytes(old), new_sha]
    assert current_raw(lake, "平潭综合实验区", 2024).sha256 == new_sha  # newest wins
    mat = next(e for e in second.asset_events if isinstance(e, dg.AssetMaterialization))
    assert mat.metadata["supersedes"].value == sha256_bytes(old)


def test_unidentifiable_file_goes_to_the_quarantine_ledger_and_is_shown(lake: Lake) -> None:
    (lake.inbox / "notes").mkdir(parents=True)
    (lake.inbox / "notes" / "lunch-menu.txt").write_text("今天的午餐：米饭、青菜、豆腐汤。\n" * 20, "utf-8")
    (lake.inbox / "empty.html").write_bytes(b"")
    with dg.instance_for_test() as instance:
        res = tick(instance, lake, None)
    assert not res.run_requests
    q = {e.source_file: e for e in read_quarantine(lake)}
    assert set(q) == {"notes/lunch-menu.txt", "empty.html"}
    assert all(e.code and e.reason for e in q.values())
    assert (lake.quarantine_dir / q["notes/lunch-menu.txt"].stored_as).exists()
    obs = [e for e in res.asset_events if isinstance(e, dg.AssetObservation)]
    assert obs and obs[0].asset_key == dg.AssetKey("quarantine") and obs[0].metadata["new_entries"].value == 2
    assert "lunch-menu.txt" in obs[0].metadata["entries"].value
    assert not any(lake.raw.rglob("*.txt"))


def test_agency_that_cannot_be_a_partition_key_is_quarantined_with_the_reason(lake: Lake) -> None:
    stage(lake.inbox, "pingtan-2022.txt", "pingtan-2021.txt")
    (lake.inbox / "manifest.csv").write_text(
        "file,agency,year,url\npingtan-2022.txt,平潭|综合实验区,2022,\npingtan-2021.txt,平潭/综合实验区,2021,\n", "utf-8"
    )
    with dg.instance_for_test() as instance:
        res = tick(instance, lake, None)
    assert not res.run_requests and not res.dynamic_partitions_requests
    q = read_quarantine(lake)
    assert {e.code for e in q} == {"bad_agency_key"}
    assert {e.agency for e in q} == {"平潭|综合实验区", "平潭/综合实验区"}
    assert any("'|'" in e.reason for e in q) and any("'/'" in e.reason for e in q)


def test_manifest_supplies_agency_and_year_with_their_source(lake: Lake) -> None:
    stage(lake.inbox, "xining-etdz-2022.txt", sub="crawl")
    (lake.inbox / "crawl" / "manifest.csv").write_text(
        "file,agency,year,url\nxining-etdz-2022.txt,西宁经济技术开发区,2022,https://example.org/r\n", "utf-8"
    )
    with dg.instance_for_test() as instance:
        res = tick(instance, lake, None)
    assert res.run_requests[0].partition_key == "630100 西宁市|2022"  # a prefecture code: the prefecture's partition
    raw = current_raw(lake, "西宁经济技术开发区", 2022)
    assert raw.agency_source.startswith("manifest") and raw.url == "https://example.org/r"


def test_bulk_drop_is_summarised_in_one_event_but_every_file_is_registered(lake: Lake) -> None:
    from pipelines.defs.raw.sensors import ingest_tick

    stage(lake.inbox, "pingtan-2022.txt", "pingtan-2023.txt", "sh-gov-office-2019.html")
    first = ingest_tick(lake, None, requests_runs=True, max_files=100, raw_events_limit=2)
    res = ingest_tick(lake, first.cursor, requests_runs=True, max_files=100, raw_events_limit=2)
    assert len(res.run_requests) == 3
    (obs,) = res.asset_events
    assert isinstance(obs, dg.AssetObservation) and obs.metadata["accepted_files"].value == 3


def test_contiguous_ranges_are_boxes_built_year_by_year() -> None:
    from pipelines.partitions import contiguous_ranges

    ordered = [f"{a}|{y}" for a in ("甲", "乙", "丙") for y in (2019, 2020)]
    keys = ["甲|2019", "乙|2019", "丙|2019", "甲|2020", "丙|2020"]
    assert contiguous_ranges(keys, ordered, 10) == [("甲|2019", "丙|2019"), ("甲|2020", "甲|2020"), ("丙|2020", "丙|2020")]
    assert contiguous_ranges(keys, ordered, 2) == [("甲|2019", "乙|2019"), ("丙|2019", "丙|2019"), ("甲|2020", "甲|2020"), ("丙|2020", "丙|2020")]
