"""The inbox never stops: every fault is one file's, recorded, and the rest of the tick goes on.

Each test injects one fault next to good reports, ticks the inbox as the sensor does, and ends
with every inbox entry accounted for (raw zone, quarantine ledger, or named as waiting) and the
good files ingested.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import disclosure.ingest as ingest
from disclosure.ingest import IngestResult, State, ingest_inbox
from disclosure.lake import Lake, read_ledger, read_quarantine, sha256_bytes
from tests.pipeline_helpers import REPORTS, stage

YEARS = [str(y) for y in range(2019, 2026)]
GOOD = ("pingtan-2023.txt", "pingtan-2024.txt")
GOOD_KEYS = {("平潭综合实验区", 2023), ("平潭综合实验区", 2024)}


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lk = Lake(tmp_path / "lake")
    lk.ensure()
    return lk


def ticks(lake: Lake, n: int = 2, state: State | None = None) -> tuple[list[IngestResult], State]:
    """`n` consecutive ticks (a file is read on the second tick that sees it unchanged)."""
    out = []
    st = state or State()
    for _ in range(n):
        res = ingest_inbox(lake, st, years=YEARS)
        st = res.state
        out.append(res)
    return out, st


def raw_keys(lake: Lake) -> set[tuple[str, int]]:
    out = set()
    for receipt in lake.raw.rglob("*.json"):
        d = json.loads(receipt.read_text("utf-8"))
        out.add((d["agency"], d["year"]))
    return out


def assert_accounted(lake: Lake, waiting: set[str] = frozenset()) -> None:
    """Every inbox entry is in the raw zone (by hash), in the ledger (by name), or waiting."""
    in_raw = {p.stem for p in lake.raw.rglob("*.json")}
    ledger = {e.source_file for e in read_quarantine(lake)}
    missing = []
    for p in sorted(lake.inbox.rglob("*")):
        rel = p.relative_to(lake.inbox).as_posix()
        if p.is_dir() and not p.is_symlink():
            continue
        if p.name == "manifest.csv" and p.is_file():
            continue
        if rel in ledger or rel in waiting:
            continue
        if p.is_file() and not p.is_symlink() and sha256_bytes(p.read_bytes()) in in_raw:
            continue
        missing.append(rel)
    assert not missing, f"inbox entries neither in raw, nor in the ledger, nor waiting: {missing}"


def ledger_lines(lake: Lake) -> list[str]:
    return lake.quarantine_ledger.read_text("utf-8").splitlines() if lake.quarantine_ledger.exists() else []


def test_a_file_still_being_written_is_read_only_once_its_size_and_mtime_held_for_two_ticks(lake: Lake) -> None:
    data = (REPORTS / "pingtan-2024.txt").read_bytes()
    part = lake.inbox / "pingtan-2024.txt"
    part.write_bytes(data[: len(data) // 2])
    first = ingest_inbox(lake, State(), years=YEARS)
    assert first.settling == ["pingtan-2024.txt"] and not first.accepted
    part.write_bytes(data)  # the copy goes on
    second = ingest_inbox(lake, first.state, years=YEARS)
    assert second.settling == ["pingtan-2024.txt"] and not second.accepted and not list(lake.raw.rglob("*.txt"))
    third = ingest_inbox(lake, second.state, years=YEARS)
    assert [a.raw.sha256 for a in third.accepted] == [sha256_bytes(data)]
    assert_accounted(lake)


def test_an_unreadable_file_is_recorded_once_and_the_others_are_ingested(lake: Lake, monkeypatch) -> None:
    stage(lake.inbox, *GOOD)
    (lake.inbox / "locked.pdf").write_bytes(b"%PDF-1.4 whatever")
    real = ingest.read_inbox_file

    def read(path):
        if Path(path).name == "locked.pdf":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(ingest, "read_inbox_file", read)
    _, state = ticks(lake, 4)
    assert raw_keys(lake) == GOOD_KEYS
    q = [(e.source_file, e.code) for e in read_quarantine(lake)]
    assert q == [("locked.pdf", "unreadable_file")], "retried every tick, recorded once"
    assert "Permission denied" in read_quarantine(lake)[0].reason
    assert_accounted(lake)
    monkeypatch.setattr(ingest, "read_inbox_file", real)  # the operator fixes the permissions
    res = ingest_inbox(lake, state, years=YEARS)
    assert res.quarantined[0].source_file == "locked.pdf" and res.quarantined[0].code != "unreadable_file"


def test_a_manifest_that_cannot_be_read_holds_only_the_files_of_its_folder(lake: Lake) -> None:
    stage(lake.inbox, *GOOD)
    stage(lake.inbox, "hongze-gov-2023.txt", sub="batch")
    (lake.inbox / "batch" / "manifest.csv").mkdir()  # a folder named like the manifest: unreadable
    results, _ = ticks(lake, 3)
    assert raw_keys(lake) == GOOD_KEYS
    assert [(e.source_file, e.code) for e in read_quarantine(lake)] == [("batch/manifest.csv", "bad_manifest")]
    assert [w.path for w in results[-1].waiting] == ["batch/hongze-gov-2023.txt"]
    assert "batch/manifest.csv" in results[-1].waiting[0].reason
    assert_accounted(lake, waiting={"batch/hongze-gov-2023.txt"})


@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_a_manifest_in_another_encoding_never_stops_the_tick(lake: Lake, encoding: str) -> None:
    stage(lake.inbox, *GOOD)
    stage(lake.inbox, "hongze-gov-2023.txt", sub="batch")
    text = "file,agency,year,url\nhongze-gov-2023.txt,洪泽区人民政府,2023,\n"
    (lake.inbox / "batch" / "manifest.csv").write_bytes(text.encode(encoding))
    results, _ = ticks(lake, 3)
    assert GOOD_KEYS <= raw_keys(lake)
    ledger = {(e.source_file, e.code) for e in read_quarantine(lake)}
    # Read (the manifest reader knows the encoding) or recorded as a bad manifest, never fatal.
    assert raw_keys(lake) == GOOD_KEYS | {("洪泽区人民政府", 2023)} or ("batch/manifest.csv", "bad_manifest") in ledger
    waiting = {w.path for w in results[-1].waiting}
    assert_accounted(lake, waiting=waiting)


def test_a_manifest_row_with_a_superscript_year_is_reported_and_skipped_and_the_tick_goes_on(lake: Lake) -> None:
    # Issue 10: a bad manifest row is reported and skipped, never fatal; the file is then filed
    # by its own evidence (its title and 统计期限 say 2023), never by the unusable row.
    stage(lake.inbox, *GOOD, "hongze-gov-2023.txt")
    (lake.inbox / "manifest.csv").write_text(
        "file,agency,year,url\nhongze-gov-2023.txt,洪泽区人民政府,2023²,\n", "utf-8"
    )
    results, _ = ticks(lake)
    assert raw_keys(lake) == GOOD_KEYS | {("洪泽区人民政府", 2023)}
    problems = [p for r in results for p in r.manifest_problems]
    assert problems and all(p.code == "bad_row" for p in problems) and any("2023²" in p.message for p in problems)
    receipt = next(r for r in lake.raw.rglob("*.json") if "洪泽" in r.as_posix())
    assert not json.loads(receipt.read_text("utf-8"))["year_source"].startswith("manifest")
    assert_accounted(lake)


def test_a_torn_last_ledger_line_is_skipped_with_a_finding_and_never_grows(lake: Lake) -> None:
    stage(lake.inbox, *GOOD)
    (lake.inbox / "junk.md").write_text("nothing to see here\n", "utf-8")
    lake.quarantine_ledger.write_text('{"received_at": "2025-01-01T00:00:00", "source_fi', "utf-8")
    results, state = ticks(lake, 2)
    assert raw_keys(lake) == GOOD_KEYS
    assert results[-1].ledger_torn_lines == [1]
    ledger = read_ledger(lake)
    assert ledger.torn_lines == [1] and [e.source_file for e in ledger.entries] == ["junk.md"]
    n = len(ledger_lines(lake))
    for _ in range(3):  # later ticks, also with a lost cursor, add nothing
        ticks(lake, 2)
    ticks(lake, 2, state)
    assert len(ledger_lines(lake)) == n == 2
    assert_accounted(lake)


def test_fifos_symlinks_and_symlinked_folders_are_recorded_never_read(lake: Lake, tmp_path: Path) -> None:
    stage(lake.inbox, *GOOD)
    os.mkfifo(lake.inbox / "pipe.txt")  # reading it would block the sensor forever
    outside = tmp_path / "secret.txt"
    outside.write_text("not for the lake", "utf-8")
    (lake.inbox / "link.txt").symlink_to(outside)
    (lake.inbox / "dangling.txt").symlink_to(tmp_path / "nowhere")
    (lake.inbox / "linked-folder").symlink_to(tmp_path)
    ticks(lake, 3)
    assert raw_keys(lake) == GOOD_KEYS
    got = {(e.source_file, e.code) for e in read_quarantine(lake)}
    assert got == {
        ("pipe.txt", "not_a_regular_file"),
        ("link.txt", "symlink_refused"),
        ("dangling.txt", "symlink_refused"),
        ("linked-folder", "symlink_refused"),
    }
    assert len(read_quarantine(lake)) == 4, "recorded once, not once per tick"
    assert_accounted(lake)


def test_a_renamed_copy_of_an_ingested_file_is_recorded_as_its_duplicate(lake: Lake) -> None:
    (src,) = stage(lake.inbox, "pingtan-2024.txt")
    ticks(lake)
    copy = lake.inbox / "copy of pingtan.txt"
    copy.write_bytes(src.read_bytes())
    ticks(lake)
    sha = sha256_bytes(src.read_bytes())
    (e,) = read_quarantine(lake)
    assert (e.source_file, e.code) == ("copy of pingtan.txt", "duplicate")
    assert e.reason.startswith(f"duplicate_of {sha}") and "pingtan-2024.txt" in e.reason
    assert len(list(lake.raw.rglob("*.txt"))) == 1
    assert_accounted(lake)


def test_a_garbage_txt_is_not_a_report_rather_than_a_bad_agency_key(lake: Lake) -> None:
    stage(lake.inbox, *GOOD)
    (lake.inbox / "garbage.txt").write_bytes(os.urandom(64).hex().encode() + "\nlorem ipsum | , /\n随便写点什么\n".encode())
    ticks(lake)
    (e,) = read_quarantine(lake)
    assert (e.source_file, e.code) == ("garbage.txt", "not_a_report")
    assert raw_keys(lake) == GOOD_KEYS


def test_a_failed_store_leaves_the_file_waiting_and_the_others_ingested(lake: Lake, monkeypatch) -> None:
    stage(lake.inbox, *GOOD, "hongze-gov-2023.txt")
    real = ingest.store_raw

    def store(lk, data, **kw):
        if kw["source_file"] == "hongze-gov-2023.txt":
            raise OSError(28, "No space left on device")
        return real(lk, data, **kw)

    monkeypatch.setattr(ingest, "store_raw", store)
    results, state = ticks(lake)
    assert raw_keys(lake) == GOOD_KEYS
    assert [w.path for w in results[-1].waiting] == ["hongze-gov-2023.txt"]
    assert "No space left" in results[-1].waiting[0].reason
    assert_accounted(lake, waiting={"hongze-gov-2023.txt"})
    monkeypatch.setattr(ingest, "store_raw", real)  # space freed: the next tick takes it
    res = ingest_inbox(lake, state, years=YEARS)
    assert [a.inbox_path for a in res.accepted] == ["hongze-gov-2023.txt"]
    assert_accounted(lake)


def test_the_old_cursor_form_is_still_read(lake: Lake) -> None:
    (src,) = stage(lake.inbox, "pingtan-2024.txt")
    st = src.stat()
    old = json.dumps({"pingtan-2024.txt": [st.st_size, st.st_mtime_ns, sha256_bytes(src.read_bytes())]})
    res = ingest_inbox(lake, ingest.load_state(old), years=YEARS)
    assert res.unchanged == 1 and not res.settling


def test_a_tick_past_its_time_budget_starts_no_new_file_and_the_next_tick_takes_the_rest(lake: Lake) -> None:
    """A sensor tick that outlives Dagster's sensor timeout is discarded and re-run from the old
    cursor, forever: past its time budget a tick leaves the other files pending (at least one
    file is read per tick, so the inbox always drains)."""
    stage(lake.inbox, *GOOD)
    st = ingest_inbox(lake, State(), years=YEARS).state  # first sight: both settling
    first = ingest_inbox(lake, st, years=YEARS, time_budget_s=0.0)
    assert (len(first.accepted), first.pending, first.busy) == (1, 1, True)
    second = ingest_inbox(lake, first.state, years=YEARS, time_budget_s=0.0)
    assert (len(second.accepted), second.pending) == (1, 0)
    assert raw_keys(lake) == GOOD_KEYS
    assert_accounted(lake)
