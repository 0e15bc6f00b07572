"""`disclosure audit` and the `lake_accounting` check: every input file is accounted for, or named."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from disclosure.audit import AuditResult, audit_lake
from disclosure.batch import BatchItem, parse_batch
from disclosure.cli import main as cli_main
from disclosure.ingest import ingest_inbox
from disclosure.lake import (
    Lake,
    current_raw,
    frames_by_partition,
    quarantine,
    read_raw,
    sha256_bytes,
    store_raw,
    write_partition,
)
from disclosure.schema import TABLES
from lakeops.runner import QUIET
from tests.pipeline_helpers import REPORTS, stage

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

YEARS = [str(y) for y in range(2019, 2026)]
FILES = ("pingtan-2022.txt", "pingtan-2023.txt", "sh-gov-office-2019.html")
JUNK = "# 会议纪要\n\n没有任何表格。\n"


def ingest(lake: Lake) -> None:
    """Two sensor ticks: the first sees the files, the second reads the ones that held still."""
    ingest_inbox(lake, ingest_inbox(lake, {}, years=YEARS).state, years=YEARS)


def curate(lake: Lake) -> None:
    """What the `curated` asset does for every current raw file, without Dagster."""
    items = []
    for receipt in lake.raw.glob("year=*/agency=*/*.json"):
        rf = json.loads(receipt.read_text("utf-8"))
        cur = current_raw(lake, rf["agency"], rf["year"])
        assert cur is not None
        if cur.sha256 == rf["sha256"]:
            items.append(BatchItem(cur.path(lake), agency=cur.agency, year=cur.year, data=read_raw(lake, cur),
                                   source_name=cur.source_file))
    batch = parse_batch(items)
    for rej in batch.rejected:
        quarantine(lake, source_file=rej.source_file, code=rej.code, reason=rej.message, sha256=rej.report_id)
    for (year, agency), tables in frames_by_partition(batch.frames).items():
        for t in TABLES:
            write_partition(lake, t, tables[t], year=year, agency=agency)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lk = Lake(tmp_path / "lake")
    lk.ensure()
    stage(lk.inbox, *FILES)
    (lk.inbox / "junk.md").write_text(JUNK, "utf-8")
    ingest(lk)
    curate(lk)
    return lk


def kinds(result: AuditResult) -> list[tuple[str, str]]:
    return sorted((f.kind, f.subject) for f in result.problems)


def structural(result: AuditResult) -> list:
    """The problems but the content-hash ones (a test that rewrites a file behind the lake's back
    also gets `content_hash_mismatch` for it, rightly)."""
    return [f for f in result.problems if f.kind != "content_hash_mismatch"]


def part(lake: Lake, table: str, agency: str, year: int) -> Path:
    return lake.curated_path(table, year, agency)


def test_a_curated_lake_accounts_for_every_inbox_file_in_raw_or_quarantine(lake: Lake) -> None:
    result = audit_lake(lake)
    assert result.ok and result.exit_status == 0, result.summary()
    assert (result.inbox_files, result.inbox_in_raw, result.inbox_quarantined) == (4, 3, 1)
    assert (result.raw_files, result.raw_current, result.partitions_curated) == (3, 3, 3)
    assert result.quarantine_entries == 1 and result.warnings == []
    assert "every input file is accounted for" in result.summary()


def test_a_file_the_sensor_has_not_read_yet_is_named_as_unaccounted(lake: Lake) -> None:
    stage(lake.inbox, "hongze-gov-2023.txt", sub="later")
    result = audit_lake(lake)
    assert kinds(result) == [("inbox_unaccounted", "later/hongze-gov-2023.txt")]
    assert result.exit_status == 1 and "later/hongze-gov-2023.txt" in result.summary()


def test_an_ingested_file_without_a_curated_partition_is_not_curated(lake: Lake) -> None:
    stage(lake.inbox, "hongze-gov-2023.txt")
    ingest(lake)
    assert kinds(audit_lake(lake)) == [("not_curated", "洪泽区人民政府|2023")]
    curate(lake)
    assert audit_lake(lake).ok


def test_a_corrected_republication_is_stale_until_curated_and_the_old_file_is_kept_as_superseded(lake: Lake) -> None:
    path = lake.inbox / "pingtan-2023.txt"
    path.write_bytes(path.read_bytes() + "\n（更正版）\n".encode())
    ingest(lake)
    assert kinds(audit_lake(lake)) == [("stale_curated", "平潭综合实验区|2023")]
    curate(lake)
    result = audit_lake(lake)
    assert result.ok and (result.raw_files, result.raw_current, result.raw_superseded) == (4, 3, 1)


def test_a_partition_missing_one_of_its_six_tables_is_incomplete(lake: Lake) -> None:
    part(lake, "applications", "平潭综合实验区", 2022).unlink()
    [finding] = audit_lake(lake).problems
    assert (finding.kind, finding.subject) == ("incomplete_partition", "平潭综合实验区|2022")
    assert "applications" in finding.detail


def test_a_partition_holding_rows_of_two_reports_is_mixed(lake: Lake) -> None:
    # A crash between the six table writes of a re-parse leaves tables of two report_ids.
    other = pq.read_table(part(lake, "applications", "平潭综合实验区", 2023))
    pq.write_table(other, part(lake, "applications", "平潭综合实验区", 2022))
    assert [(f.kind, f.subject) for f in structural(audit_lake(lake))] == [("mixed_partition", "平潭综合实验区|2022")]


def test_duplicated_rows_in_a_partition_are_reported(lake: Lake) -> None:
    path = part(lake, "applications", "平潭综合实验区", 2022)
    t = pq.read_table(path)
    pq.write_table(pa.concat_tables([t, t.slice(0, 3)]), path)
    [finding] = structural(audit_lake(lake))
    assert finding.kind == "duplicate_keys" and "3 row(s)" in finding.detail


def test_curated_rows_that_come_from_no_raw_file_are_orphans(lake: Lake) -> None:
    frames = parse_batch([BatchItem(REPORTS / "hongze-gov-2023.txt")]).frames
    for t in TABLES:
        write_partition(lake, t, frames[t], year=2023, agency="洪泽区人民政府")
    assert kinds(audit_lake(lake)) == [("orphan_curated", "洪泽区人民政府|2023")]


def test_a_torn_parquet_file_is_reported_unreadable(lake: Lake) -> None:
    path = part(lake, "report_sections", "上海市人民政府办公厅", 2019)
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes()[:100])
    assert ("unreadable_parquet", str(path)) in kinds(audit_lake(lake))


def test_raw_bytes_that_no_longer_match_their_hash_or_are_missing_are_reported(lake: Lake) -> None:
    rf = current_raw(lake, "平潭综合实验区", 2022)
    rf2 = current_raw(lake, "上海市人民政府办公厅", 2019)
    assert rf is not None and rf2 is not None
    os.chmod(rf.path(lake), 0o644)
    rf.path(lake).write_bytes(b"tampered")
    rf2.path(lake).unlink()
    assert [k for k, _ in kinds(audit_lake(lake))] == ["raw_hash_mismatch", "raw_missing_bytes"]


def test_quarantined_bytes_that_went_missing_and_torn_ledger_lines_are_reported(lake: Lake) -> None:
    [entry] = [json.loads(x) for x in lake.quarantine_ledger.read_text("utf-8").splitlines()]
    (lake.quarantine_dir / entry["stored_as"]).unlink()
    with lake.quarantine_ledger.open("a", encoding="utf-8") as fh:
        fh.write('{"received_at": "2025-01-01T00:00:00+00:00", "source_file": "x.md", "co')
    assert sorted(k for k, _ in kinds(audit_lake(lake))) == ["ledger_corrupt_line", "quarantine_missing_bytes"]


def test_a_current_file_rejected_by_the_parser_or_the_schema_is_accounted_by_the_ledger(tmp_path: Path) -> None:
    lk = Lake(tmp_path / "lake")
    data = b"report that the parser rejects"
    rf = store_raw(lk, data, agency="测试县教育局", year=2023, source_file="a.md")
    quarantine(lk, source_file="a.md", code="not_a_report", reason="no tables", sha256=sha256_bytes(data))
    store_raw(lk, b"schema breaker", agency="测试市", year=2024, source_file="b.md")
    quarantine(lk, source_file="b.md", code="schema_violation", reason="r", agency="测试市", year=2024)
    result = audit_lake(lk)
    assert result.ok, result.summary()
    assert (result.raw_current, result.partitions_quarantined, result.partitions_curated) == (2, 2, 0)
    assert rf.sha256 == sha256_bytes(data)


def test_a_rejected_correction_keeps_the_old_rows_with_a_warning_not_a_problem(lake: Lake) -> None:
    (lake.inbox / "pingtan-2023.txt").write_text("平潭综合实验区2023年政府信息公开工作年度报告\n（空）\n", "utf-8")
    (lake.inbox / "manifest.csv").write_text("file,agency,year\npingtan-2023.txt,平潭综合实验区,2023\n", "utf-8")
    ingest(lake)
    curate(lake)
    result = audit_lake(lake)
    assert result.ok, result.summary()
    assert [(w.kind, w.subject) for w in result.warnings] == [("curated_from_superseded", "平潭综合实验区|2023")]


def test_temp_files_left_by_an_interrupted_write_are_warnings_not_problems(lake: Lake) -> None:
    leftover = part(lake, "reports", "平潭综合实验区", 2022).parent / ".part-0.parquet.abc123.tmp"
    leftover.write_bytes(b"PAR1 half a file")
    result = audit_lake(lake)
    assert result.ok and [(w.kind, w.subject) for w in result.warnings] == [("temp_file_leftover", str(leftover))]


def test_a_warehouse_year_that_misses_a_curated_partition_is_a_warning(lake: Lake) -> None:
    from disclosure.lake import compact_year

    compact_year(lake, "reports", 2023)
    assert audit_lake(lake).warnings == []
    stage(lake.inbox, "hongze-gov-2023.txt")
    ingest(lake)
    curate(lake)
    result = audit_lake(lake)
    assert result.ok and [w.kind for w in result.warnings] == ["warehouse_stale"]


def test_the_cli_exits_0_when_accounted_and_1_naming_the_file_when_not(lake: Lake, capsys) -> None:
    assert cli_main(["audit", "--lake", str(lake.root)]) == 0
    assert "every input file is accounted for" in capsys.readouterr().out
    stage(lake.inbox, "hongze-gov-2023.txt")
    assert cli_main(["audit", "--lake", str(lake.root), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False and doc["inbox_files"] == 5
    assert [(p["kind"], p["subject"]) for p in doc["problems"]] == [("inbox_unaccounted", "hongze-gov-2023.txt")]
    assert cli_main(["audit", "--lake", str(lake.root / "nope")]) == 2


def test_the_lake_accounting_check_fails_with_error_severity_until_every_file_is_curated(lake: Lake) -> None:
    from pipelines.definitions import build_defs
    from pipelines.resources import LakeResource

    stage(lake.inbox, "hongze-gov-2023.txt")
    ingest(lake)
    job = build_defs(LakeResource(root=str(lake.root))).resolve_job_def("audit_job")
    with dg.instance_for_test() as instance:
        [bad] = job.execute_in_process(instance=instance, run_config=QUIET).get_asset_check_evaluations()
        curate(lake)
        [good] = job.execute_in_process(instance=instance, run_config=QUIET).get_asset_check_evaluations()
    assert (bad.check_name, bad.passed, bad.severity) == ("lake_accounting", False, dg.AssetCheckSeverity.ERROR)
    assert bad.metadata["problems"].value == 1
    assert "not_curated: 洪泽区人民政府|2023" in str(bad.metadata["summary"].value)
    assert good.passed and good.metadata["partitions_curated"].value == 4


def test_a_flipped_byte_in_a_curated_file_is_named_by_its_content_hash(lake: Lake) -> None:
    path = part(lake, "applications", "平潭综合实验区", 2022)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, inside the data pages: Parquet may still read it
    path.write_bytes(bytes(data))
    res = audit_lake(lake)
    assert ("content_hash_mismatch", str(path)) in kinds(res)
    assert not res.ok


def test_every_lake_file_is_world_readable(lake: Lake) -> None:
    modes = {p.relative_to(lake.root).parts[0]: p.stat().st_mode & 0o777 for p in lake.root.rglob("*") if p.is_file()}
    assert modes["curated"] == 0o644 and modes["raw"] == 0o444 and modes["hashes.jsonl"] == 0o644


def test_a_wide_values_file_that_lags_its_long_file_is_a_warehouse_stale_warning(lake: Lake) -> None:
    # A crash between the long write and the wide write leaves last run's wide numbers beside the
    # new long file: the wide file names the long file it came from, and the audit compares.
    from disclosure.lake import compact_year
    from disclosure.lake.parquet import wide_path

    compact_year(lake, "applications", 2023)
    assert audit_lake(lake).warnings == []
    wide = wide_path(lake, "applications", 2023)
    old_wide = wide.read_bytes()
    stage(lake.inbox, "hongze-gov-2023.txt")
    ingest(lake)
    curate(lake)
    compact_year(lake, "applications", 2023)
    assert audit_lake(lake).warnings == []
    wide.write_bytes(old_wide)  # as if the wide write of this compaction had never happened
    stale = [w for w in audit_lake(lake).warnings if w.kind == "warehouse_stale"]
    assert [w.subject for w in stale] == [str(wide)] and "compact the year again" in stale[0].detail
