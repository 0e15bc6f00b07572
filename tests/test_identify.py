"""Agency and year come with the source they were read from; callers override."""

from __future__ import annotations

import pytest

from disclosure.identify import identify
from disclosure.readers.text import parse_text


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
         "某某镇人民政府", 2023, "publisher", "title"),
        ("现向社会公布沭阳县发展和改革局2023年度政府信息公开年度报告。", "沭阳县发展和改革局", 2023, "body", "body"),
        # 数据局 holds 据, the second character of 根据: the name must not be cut there.
        ("本报告由洛阳市数据局编制。\n统计期限为2020年1月1日至2020年12月31日。", "洛阳市数据局", 2020, "body", "period"),
    ],
)
def test_agency_and_year_are_read_with_their_source(text, agency, year, a_src, y_src):
    i = ident(text)
    assert (i.agency, i.year, i.agency_source, i.year_source) == (agency, year, a_src, y_src)
    assert 0 < i.agency_confidence <= 1 and 0 < i.year_confidence <= 1


def test_caller_supplied_identity_overrides_the_report_with_full_confidence():
    i = ident("平潭综合实验区2024年度政府信息公开工作年度报告", agency="平潭县", year=2023)
    assert (i.agency, i.agency_source, i.agency_confidence) == ("平潭县", "caller", 1.0)
    assert (i.year, i.year_source) == (2023, "caller")


def test_a_report_with_no_clue_has_no_agency_rather_than_a_guess():
    i = ident("一、总体情况\n全年公开信息若干条。")
    assert i.agency is None and i.agency_source == "none"
