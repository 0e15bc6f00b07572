"""What cannot be read is rejected with a reason code naming the file — never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from report_text import report

from disclosure.batch import BatchItem, parse_batch
from disclosure.cli import main
from disclosure.model import RejectedReport
from disclosure.parse import parse_bytes, parse_file

PRE2019 = """2017年某县政府信息公开工作年度报告
一、概述
二、主动公开政府信息情况 本年主动公开信息100条。
三、依申请公开情况 | 当面申请 | 网络申请 | 信函申请 |
| 申请数 | 3 | 5 | 1 |
| 同意公开 | 2 | 4 | 1 |
| 同意部分公开 | 1 | 0 | 0 |
"""


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        ("今天天气很好，我们去公园散步。".encode(), "blog.txt", "not_a_report"),
        ("某县2023年政府信息公开工作年度报告\n一、总体情况\n全年主动公开信息。".encode(), "r.txt", "no_statistical_tables"),
        (PRE2019.encode(), "old.txt", "pre2019_template"),
        (bytes([0x81, 0x30, 0x81]) * 3 + b"\xff\xfe\xfd" * 50, "x.txt", "unreadable_encoding"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "report.doc", "unsupported_format"),
        (b"\x00\x01\x02\x03" * 100, "blob.txt", "unsupported_format"),
        (b"", "empty.html", "empty_file"),
    ],
)
def test_unreadable_input_is_rejected_with_a_specific_reason_code(data, name, code):
    with pytest.raises(RejectedReport) as e:
        parse_bytes(data, name)
    assert e.value.code == code
    assert name in str(e.value)


def test_a_50mb_input_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "huge.html"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(RejectedReport) as e:
        parse_file(big)
    assert e.value.code == "too_large"


def test_cli_json_has_the_golden_shape_plus_flags_checks_provenance_and_sources(tmp_path, capsys):
    f = tmp_path / "r.md"
    f.write_text(report(), encoding="utf-8")
    assert main(["parse", str(f), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for key in ("agency", "year", "template", "active_disclosure", "applications", "review_litigation",
                "flags", "checks", "provenance", "identity_sources"):
        assert key in doc
    assert doc["identity_sources"]["agency"]["source"] == "title"
    assert doc["provenance"]["applications.granted.natural_person"] == {"text": "5", "where": doc["provenance"]["applications.granted.natural_person"]["where"]}


def test_cli_caller_supplied_agency_and_year_override_the_report(tmp_path, capsys):
    f = tmp_path / "r.md"
    f.write_text(report(), encoding="utf-8")
    assert main(["parse", str(f), "--json", "--agency", "另一个局", "--year", "2022"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["agency"], doc["year"]) == ("另一个局", 2022)
    assert doc["identity_sources"]["year"]["source"] == "caller"


def test_cli_rejection_exits_2_with_one_line_on_stderr(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("会议纪要：讨论了食堂菜单。", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "disclosure.cli", "parse", str(f), "--json"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "not_a_report" in lines[0] and "notes.txt" in lines[0]


def test_cli_summary_shows_tables_checks_and_flags(tmp_path, capsys):
    f = tmp_path / "r.md"
    f.write_text(report(), encoding="utf-8")
    assert main(["parse", str(f)]) == 0
    out = capsys.readouterr().out
    assert "表三 applications" in out and "checks:" in out and "测试县教育局 2023" in out


def test_batch_puts_every_input_in_the_frames_or_the_rejections(tmp_path):
    good = tmp_path / "good.md"
    good.write_text(report(), encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("随便写点什么。", encoding="utf-8")
    missing = tmp_path / "missing.html"
    batch = parse_batch([BatchItem(good), BatchItem(bad), BatchItem(missing), BatchItem(good, source_name="copy.md")])
    assert list(batch.frames["reports"]["source_file"]) == ["good.md"]
    codes = {r.source_file: r.code for r in batch.rejected}
    assert codes == {"bad.txt": "not_a_report", "missing.html": "unreadable_file", "copy.md": "duplicate"}
    apps = batch.frames["applications"]
    assert len(apps) == 25 * 7
    assert str(apps["value"].dtype) == "Int64"
    assert apps.loc[(apps["row"] == "granted") & (apps["applicant"] == "natural_person"), "value"].item() == 5


def test_batch_blocks_a_report_that_breaks_the_schema_and_says_which_table_and_column(tmp_path):
    f = tmp_path / "r.md"
    f.write_text(report(), encoding="utf-8")
    # A caller-supplied year before 2019 cannot enter the lake (year ≥ 2019 in the schema).
    batch = parse_batch([BatchItem(f, year=2017)])
    assert batch.frames["applications"].empty
    [rej] = batch.rejected
    assert rej.code == "schema_violation" and "year" in rej.message


def test_batch_validation_maps_a_schema_failure_to_its_own_report_only(tmp_path):
    a = tmp_path / "a.md"
    a.write_text(report(), encoding="utf-8")
    b = tmp_path / "b.md"
    b.write_text(report(title="测试县公安局2023年政府信息公开工作年度报告"), encoding="utf-8")
    batch = parse_batch([BatchItem(a), BatchItem(b, year=2018)])
    assert list(batch.frames["reports"]["source_file"]) == ["a.md"]
    assert [(r.source_file, r.code) for r in batch.rejected] == [("b.md", "schema_violation")]
    assert set(batch.schema_errors["report_id"]) == {batch.rejected[0].report_id}
