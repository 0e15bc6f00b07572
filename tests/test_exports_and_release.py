"""Exports for non-coders (CSV, xlsx, a report's tables as printed, the comparison report) and the
versioned release, on a small lake built from the golden files (tests/mart_lake.py)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from mart_lake import BODY, FLAGGED
from openpyxl import load_workbook

from disclosure import cli
from disclosure.exports import (
    export_body_tables,
    export_marts,
    marts_workbook,
    plain,
)
from disclosure.lake import Lake
from disclosure.mart_store import build_lake_marts, read_mart
from disclosure.release import ReleaseError, warehouse_tables, write_release
from disclosure.schema import MART_TABLES


def test_marts_in_the_lake_have_their_schema_and_rebuild_to_the_same_bytes(mart_lake: Lake) -> None:
    files = sorted(mart_lake.marts.glob("*/year=*/part-0.parquet"))
    assert {p.parts[-3] for p in files} == set(MART_TABLES)
    before = {p: p.read_bytes() for p in files}
    build_lake_marts(mart_lake, [2023, 2024])
    assert {p: p.read_bytes() for p in files} == before  # idempotent
    yoy = read_mart(mart_lake, "year_on_year")
    assert list(yoy.columns) == [c.name for c in MART_TABLES["year_on_year"].columns]
    agency, year, *_ = FLAGGED
    row = yoy[(yoy.agency == agency) & (yoy.year == year) & (yoy.kpi == "disclosure_rate")].iloc[0]
    assert row.status == "flagged_input" and pd.isna(row.change)


def test_timeliness_reads_the_cms_date_stamp_of_the_manifest_url(mart_lake: Lake) -> None:
    tl = read_mart(mart_lake, "publication_timeliness")
    # pingtan-2020: orig https://www.pingtan.gov.cn/…/t20210305_80595.htm, deadline 2021-01-31
    row = tl[(tl.agency == BODY) & (tl.year == 2020)].iloc[0]
    assert (row.published_on, row.published_source, row.days_after_deadline, row.status) == (
        "2021-03-05", "url_date_stamp", 33, "late")


def test_marts_export_as_csv_and_xlsx_with_a_dictionary_sheet(mart_lake: Lake, tmp_path: Path) -> None:
    written = export_marts(mart_lake, tmp_path, formats=("csv",))
    assert {p.name for p in written} == {f"{n}.csv" for n in MART_TABLES}
    text = (tmp_path / "year_on_year.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [c.name for c in MART_TABLES["year_on_year"].columns]
    assert len(rows) == len(read_mart(mart_lake, "year_on_year"))
    kpis = list(csv.DictReader(io.StringIO((tmp_path / "agency_year_kpis.csv").read_bytes().decode("utf-8-sig"))))
    assert "disclosure_rate:position_assumed" in {r["flagged_kpis"] for r in kpis}
    # The workbook (all marts: `make demo` writes it; here two, the full coverage mart is 6,125 rows a year)
    names = ("agency_year_kpis", "year_on_year")
    book = marts_workbook({n: read_mart(mart_lake, n).pipe(plain) for n in names})
    wb = load_workbook(io.BytesIO(book), read_only=True)
    assert wb.sheetnames == ["dictionary", *names]
    dictionary = list(wb["dictionary"].iter_rows(values_only=True))
    assert len(dictionary) - 1 == sum(len(t.columns) for t in MART_TABLES.values())
    sheet = list(wb["year_on_year"].iter_rows(values_only=True))
    assert list(sheet[0]) == [c.name for c in MART_TABLES["year_on_year"].columns] and len(sheet) == len(rows) + 1


def test_a_reports_tables_in_xlsx_are_laid_out_as_printed_with_the_flag_coloured_and_commented(
        mart_lake: Lake, tmp_path: Path) -> None:
    agency, year, row, applicant, flag = FLAGGED
    html_page, book = export_body_tables(mart_lake, agency, year, tmp_path)
    wb = load_workbook(book)
    assert wb.sheetnames == ["表二", "表三", "表四"]
    ws = wb["表三"]
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    r = labels["三(一) 予以公开"]
    total = ws.cell(r, 2 + 6)  # label column, then 自然人 … 其他, 总计
    assert ws.cell(3, 2).value == "申请人情况"
    assert total.fill.fgColor.rgb.endswith("F8CBAD") and flag in total.comment.text
    assert ws.cell(r, 2).comment is None  # the unflagged 自然人 cell
    page = html_page.read_text("utf-8")
    assert f'data-key="{row}.{applicant}" data-flags="{flag}"' in page and "flag-warning" in page


def test_export_of_an_unknown_body_is_a_clear_error(mart_lake: Lake, tmp_path: Path, capsys) -> None:
    code = cli.main(["export", "report", "--lake", str(mart_lake.root), "--agency", "无此机关", "--out", str(tmp_path)])
    assert code == 2 and "no report of '无此机关'" in capsys.readouterr().err


def test_release_is_dated_checksummed_with_a_data_dictionary_and_idempotent(mart_lake: Lake, tmp_path: Path) -> None:
    day = date(2026, 12, 1)
    first = write_release(mart_lake, tmp_path, day=day)
    assert first.written and first.path.name == "disclosure-lake-2026-12-01"
    sums = (first.path / "SHA256SUMS").read_text().splitlines()
    for line in sums:
        sha, rel = line.split("  ", 1)
        assert hashlib.sha256((first.path / rel).read_bytes()).hexdigest() == sha, rel
    released = {rel for _, rel in (x.split("  ", 1) for x in sums)}
    lake_files = {p.relative_to(mart_lake.root).as_posix() for z in ("warehouse", "marts")
                  for p in (mart_lake.root / z).glob("*/year=*/part-0.parquet")}
    assert lake_files <= released
    dictionary = json.loads((first.path / "data_dictionary.json").read_text("utf-8"))
    assert {(d["table"], d["column"]) for d in dictionary} == {
        (t.name, c.name) for tables in (warehouse_tables(), MART_TABLES) for t in tables.values() for c in t.columns}
    # Every released file is described, the wide values files included (a column per cell).
    assert {rel.split("/")[1] for rel in lake_files} <= {d["table"] for d in dictionary}
    assert "applications_wide" in {rel.split("/")[1] for rel in lake_files}
    wide_columns = {d["column"] for d in dictionary if d["table"] == "applications_wide"}
    assert {"report_id", "new_received__total", "withheld_state_secret__natural_person"} <= wide_columns
    assert "## marts/peer_positions" in (first.path / "data_dictionary.md").read_text("utf-8")
    assert first.digest in (first.path / "README.md").read_text("utf-8")
    mtime = (first.path / "SHA256SUMS").stat().st_mtime_ns
    again = write_release(mart_lake, tmp_path, day=day)
    assert not again.written and again.digest == first.digest
    assert (first.path / "SHA256SUMS").stat().st_mtime_ns == mtime
    assert [p.name for p in tmp_path.iterdir()] == [first.path.name]  # no temporary folder left


def test_release_refuses_a_file_changed_since_the_lake_recorded_it(mart_lake: Lake, tmp_path: Path) -> None:
    lake = Lake.at(tmp_path / "lake")
    shutil.copytree(mart_lake.root, lake.root)
    victim = lake.mart_path("coverage", 2023)
    victim.chmod(0o644)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    with pytest.raises(ReleaseError, match=re.escape("marts/coverage/year=2023/part-0.parquet")):
        write_release(lake, tmp_path / "out", day=date(2026, 12, 1))
    assert not (tmp_path / "out" / "disclosure-lake-2026-12-01").exists()


def test_release_cli_prints_the_digest(mart_lake: Lake, tmp_path: Path, capsys) -> None:
    code = cli.main(["release", "--lake", str(mart_lake.root), "--out", str(tmp_path), "--date", "2026-12-02"])
    out = capsys.readouterr().out
    assert code == 0 and "disclosure-lake-2026-12-02" in out and "content digest sha256:" in out


def test_a_money_value_is_shown_as_stored_not_rounded(mart_lake: Lake, tmp_path: Path) -> None:
    # pingtan-2021 表二 行政事业性收费 prints 24252.311082 (万元); `:g` formatting would show 24252.3
    page, _ = export_body_tables(mart_lake, BODY, 2021, tmp_path)
    assert 'data-key="fees.amount_10k_yuan"' in (text := page.read_text("utf-8"))
    assert ">24252.311082</td>" in text
