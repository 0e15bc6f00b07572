"""Identity from evidence: agency and year are right or null, never wrong; conflicts are flagged."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from disclosure.identify import (
    DECIDE_THRESHOLD,
    UNCERTAIN_IDENTITY_THRESHOLD,
    agency_from_title,
    clean_agency,
    identify,
    is_chrome,
)
from disclosure.model import Document
from disclosure.readers.text import parse_text

CORPUS = Path(__file__).parent / "fixtures" / "reports"
PERIOD = "本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"


def ident(text: str, **kw):
    doc = parse_text(text)
    return identify(doc, "\n".join(ln.text for ln in doc.lines), **kw)


@pytest.mark.parametrize(
    ("text", "agency", "year", "a_src", "y_src"),
    [
        ("平潭综合实验区2024年度政府信息公开工作年度报告\n正文", "平潭综合实验区", 2024, "title", "title"),
        ("2019年上海市人民政府办公厅政府信息公开工作年度报告\n正文", "上海市人民政府办公厅", 2019, "title", "title"),
        ("      洪泽区人民政府\n   2023 年政府信息公开工作年度报告\n本报告由…", "洪泽区人民政府", 2023, "title", "title"),
        ("# 沐阳县人民政府 2025 年 政府信息公开工作年度报告\n", "沭阳县人民政府", 2025, "title", "title"),
        ("一、总体情况\n本报告所列数据统计期限为2022年1月1日至2022年12月31日。修订《西宁经济技术开发区政府信息公开指南》。",
         "西宁经济技术开发区", 2022, "body", "period"),
        ("标题: 2023年政府信息公开工作年度报告\n发布机构: 某某镇人民政府\n正文\n统计期限为2023年1月1日至12月31日",
         "某某镇人民政府", 2023, "publisher", "title+period"),
        ("现向社会公布沭阳县发展和改革局2023年度政府信息公开年度报告。", "沭阳县发展和改革局", 2023, "body", "body"),
        # 数据局 holds 据, the second character of 根据: the name must not be cut there.
        ("本报告由洛阳市数据局编制。\n统计期限为2020年1月1日至2020年12月31日。", "洛阳市数据局", 2020, "body", "period"),
    ],
)
def test_agency_and_year_are_read_with_their_source(text, agency, year, a_src, y_src):
    i = ident(text)
    assert (i.agency, i.year, i.agency_source, i.year_source) == (agency, year, a_src, y_src)
    assert 0 < i.agency_confidence <= 1 and 0 < i.year_confidence <= 1


# --------------------------------------------------------------------------- page chrome


@pytest.mark.parametrize("chrome", ["今天是2026年3月2日 星期一", "当前日期：2026年03月02日", "当前位置：首页 > 政务公开 > 年报",
                                    "2025/2/14 09:30 某某县人民政府", "您现在的位置：首页>信息公开"])
def test_page_chrome_before_a_title_without_a_year_is_never_the_identity(chrome):
    i = ident(f"{chrome}\n某某县人民政府政府信息公开工作年度报告\n一、总体情况\n{PERIOD.format(y=2023)}")
    assert i.agency == "某某县人民政府"
    assert i.year == 2023 and i.year_source == "period"
    assert not any("2026" in str(c.value) or "2025" == str(c.value) for c in i.candidates)


def test_a_chrome_date_is_not_evidence_and_a_publication_date_early_in_y_plus_1_supports_y():
    i = ident("今天是2024年2月10日\n发布日期：2024年02月06日\n某某县人民政府政府信息公开工作年度报告\n"
              "一、总体情况\n全年主动公开信息若干条。")
    assert i.year == 2023
    assert {c.source for c in i.candidates if c.field == "year"} == {"publication_date"}
    assert i.year_confidence < UNCERTAIN_IDENTITY_THRESHOLD  # one weak source: the sensor holds it


def test_a_publication_date_does_not_beat_the_reports_own_year():
    i = ident(f"发布日期：2024年02月06日\n某某县人民政府2023年政府信息公开工作年度报告\n{PERIOD.format(y=2023)}")
    assert i.year == 2023 and "title" in i.year_source and "publication_date" in i.year_source
    assert i.conflicts == ()


def test_a_publication_date_late_in_the_year_supports_no_year():
    i = ident("发布日期：2024年09月06日\n某某县人民政府政府信息公开工作年度报告\n一、总体情况")
    assert i.year is None


def test_is_chrome_knows_print_headers_and_breadcrumbs_but_not_titles():
    assert is_chrome("2025/2/14 09:30 某某县人民政府")
    assert is_chrome("今天是2026年3月2日 星期一")
    assert not is_chrome("2025/2/14 09:30 某某县人民政府2024年政府信息公开工作年度报告")
    assert not is_chrome("某某县人民政府2024年政府信息公开工作年度报告")


# --------------------------------------------------------------------------- names by rule


@pytest.mark.parametrize(
    ("title", "agency"),
    [
        ("平潭综合实验区海坛片区管理局 关于2021年度政府信息公开工作年度报告", "平潭综合实验区海坛片区管理局"),
        ("平潭综合实验区海坛片区管理局关于2021年度政府信息公开工作年度报告", "平潭综合实验区海坛片区管理局"),
        ("某某县的2024年度政府信息公开工作年度报告", "某某县"),
        ("某某县_2024年政府信息公开工作年度报告", "某某县"),
        ("【某某县】2024年政府信息公开工作年度报告", "某某县"),
        ("某某县二〇二四年政府信息公开工作年度报告", "某某县"),
        ("某某县二零二四年度政府信息公开工作年度报告", "某某县"),
        ("某某县２０２４年度政府信息公开工作年度报告", "某某县"),
        ("某某县人民政府信息公开工作年度报告", "某某县人民政府"),
        ("某某县人民政府2024年度信息公开工作年度报告", "某某县人民政府"),
        ("2025/2/14 09:30 某某县人民政府2024年政府信息公开工作年度报告", "某某县人民政府"),
        ("2024年度政府信息公开工作年度报告_某某县人民政府门户网站", "某某县人民政府"),
        ("关于某某县财政局2024年度政府信息公开工作年度报告", "某某县财政局"),
    ],
)
def test_agency_names_are_cleaned_by_rule(title, agency):
    assert agency_from_title(title) == agency


def test_the_pingtan_htp_2021_title_keeps_no_connecting_word():
    """Regression: pingtan-htp-2021.txt gave '平潭综合实验区海坛片区管理局关于'."""
    doc = json.loads(_parse_json(CORPUS / "pingtan-htp-2021.txt"))
    assert doc["agency"] == "平潭综合实验区海坛片区管理局"


@pytest.mark.parametrize("junk", ["", "2024年", "关于", "_", "【】", "1"])
def test_a_name_made_only_of_decoration_is_no_name(junk):
    assert clean_agency(junk) is None


def test_years_in_chinese_numerals_are_read_from_the_title():
    assert ident("某某县人民政府二〇二三年政府信息公开工作年度报告").year == 2023


# --------------------------------------------------------------------------- agreement and conflicts


def test_a_title_year_beside_a_different_statistical_period_is_null_and_flagged():
    i = ident(f"某某县人民政府2022年政府信息公开工作年度报告\n{PERIOD.format(y=2023)}")
    assert i.year is None
    assert i.year_confidence < DECIDE_THRESHOLD
    assert any("period says 2023" in c for c in i.conflicts)


def test_agreeing_sources_raise_the_confidence():
    one = ident("某某县人民政府2023年政府信息公开工作年度报告")
    two = ident(f"某某县人民政府2023年政府信息公开工作年度报告\n{PERIOD.format(y=2023)}")
    assert two.year_confidence > one.year_confidence >= UNCERTAIN_IDENTITY_THRESHOLD


def test_a_weak_disagreeing_source_lowers_the_confidence_and_is_flagged():
    i = ident("某某县人民政府2023年政府信息公开工作年度报告\n发布机构：某某市财政局")
    assert i.agency == "某某县人民政府" and i.agency_confidence < 0.9
    assert any("publisher says '某某市财政局'" in c for c in i.conflicts)


def test_a_crawled_publisher_that_is_not_a_body_is_kept_but_not_believed():
    i = ident("某某县人民政府2023年政府信息公开工作年度报告\n发布机构：福建学生资助")
    assert i.agency == "某某县人民政府" and i.conflicts == ()
    assert any(c.source == "publisher" and c.weight == 0 for c in i.candidates)


def test_the_signature_and_its_date_are_evidence():
    i = ident("一、总体情况\n全年主动公开信息若干条。\n某某县财政局\n2024年1月20日")
    assert (i.agency, i.agency_source) == ("某某县财政局", "signature")
    assert (i.year, i.year_source) == (2023, "signature_date")


def test_parent_division_printed_or_not_is_agreement_not_conflict():
    i = ident("淮安市洪泽区人民政府2024年政府信息公开工作年度报告\n一、总体情况\n洪泽区人民政府\n2025年1月20日")
    assert i.agency == "淮安市洪泽区人民政府" and i.conflicts == ()
    assert "signature" in i.agency_source


def test_pdf_metadata_title_is_a_source_read_defensively():
    class WithMetadata(Document):  # helper F adds Document.metadata; before that merge it is absent
        pass

    doc = WithMetadata(lines=parse_text("一、总体情况\n全年主动公开信息若干条。").lines, format="pdf")
    doc.metadata = {"title": "某某县人民政府2023年政府信息公开工作年度报告"}
    i = identify(doc, "一、总体情况")
    assert (i.agency, i.year, i.agency_source) == ("某某县人民政府", 2023, "metadata")


def test_file_name_is_a_weak_source_and_dates_in_it_are_not_years():
    i = ident("某某县人民政府政府信息公开工作年度报告", path="某某县人民政府2023年年报_2025-12-30.html")
    assert i.year == 2023 and i.year_source == "filename"
    assert i.year_confidence < UNCERTAIN_IDENTITY_THRESHOLD
    assert not any(c.value == 2025 for c in i.candidates)


def test_caller_supplied_identity_overrides_and_a_disagreement_is_an_identity_conflict():
    i = ident("平潭综合实验区2024年度政府信息公开工作年度报告", agency="平潭县", year=2023, caller_source="manifest")
    assert (i.agency, i.agency_source) == ("平潭县", "manifest")
    assert (i.year, i.year_source) == (2023, "manifest")
    assert i.printed_agency == "平潭综合实验区"
    assert any(c.startswith("identity_conflict: agency manifest '平潭县'") for c in i.conflicts)
    assert any(c.startswith("identity_conflict: year manifest 2023") for c in i.conflicts)
    assert i.agency_confidence < 0.5  # the report says otherwise


def test_a_caller_value_the_report_confirms_keeps_the_reports_sources():
    i = ident("平潭综合实验区2024年度政府信息公开工作年度报告", agency="平潭综合实验区", year=2024)
    assert i.agency_source == "caller+title" and i.agency_confidence > 0.99 and i.conflicts == ()


def test_a_report_with_no_clue_has_no_agency_rather_than_a_guess():
    i = ident("一、总体情况\n全年公开信息若干条。")
    assert i.agency is None and i.agency_source == "none"


def test_every_candidate_and_its_source_is_in_the_json():
    doc = json.loads(_parse_json(CORPUS / "hongze-gov-2024.txt"))
    ids = doc["identity_sources"]
    assert {"title", "period"} <= {c["source"] for c in ids["candidates"]}
    assert ids["registry"] == {"canonical_name": "洪泽区人民政府", "agency_id": ids["registry"]["agency_id"],
                               "match": "exact_alias"}
    assert ids["agency"]["printed"] == "淮安市洪泽区人民政府"


def test_a_2019_template_table_in_a_2025_report_is_warned_about():
    from disclosure.parse import template_warnings
    from disclosure.tables import Tables

    t = Tables()
    t.template_active = "2019"
    assert template_warnings(t, 2025) == ["template_year_mismatch: table 二 uses the 2019 template but the report is on 2025"]
    t.template_active = "2021"
    assert template_warnings(t, 2025) == []


# --------------------------------------------------------------------------- the corpus


def _parse_json(path: Path) -> str:
    from disclosure.parse import parse_file

    return json.dumps(parse_file(path).to_json_dict(), ensure_ascii=False)


def _corpus_rows():
    if not (CORPUS / "manifest.csv").exists():
        return []
    return list(csv.DictReader((CORPUS / "manifest.csv").open(encoding="utf-8")))


@pytest.mark.parametrize("row", _corpus_rows(), ids=lambda r: r["file"])
def test_corpus_identity_is_right_or_null_never_wrong(row):
    from disclosure.model import RejectedReport
    from disclosure.parse import parse_file

    try:
        report = parse_file(CORPUS / row["file"])
    except RejectedReport:
        pytest.skip("not parsed (tables), identity not reached")
    i = report.identity
    assert i.agency in (row["agency"], None), i.conflicts
    assert i.year in (int(row["year"]), None), i.conflicts


def test_a_title_run_into_a_one_line_body_names_the_body():
    # The page lost its line breaks: the title runs on into the body. Without the title, the
    # body's 本报告由X办公室根据 names X's government (the office compiles the government's
    # report), which is the wrong body for the office's own report.
    text = ("双流区人民政府办公室2020年政府信息公开工作年度报告本报告由双流区人民政府办公室根据《条例》规定编制。"
            "报告所列统计期限自2020年1月1日至2020年12月31日。一、总体情况")
    result = ident(text)
    assert (result.agency, result.year) == ("双流区人民政府办公室", 2020)
    assert result.agency_source == "title"


def test_a_publisher_line_run_into_the_body_is_cut_where_the_body_begins():
    text = ("2020年政府信息公开工作年度报告发布机构：增城区人民政府本报告根据《中华人民共和国政府信息公开条例》"
            "要求编制。本报告中所列数据统计期限为2020年1月1日至2020年12月31日。一、总体情况")
    result = ident(text)
    assert result.agency == "增城区人民政府"
    assert result.agency_source == "publisher"
