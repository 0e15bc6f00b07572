"""The HTML reader: encodings, the colspan/rowspan grid, cell text, paragraphs, title, meta."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure.model import Cell, Document, Line, RejectedReport
from disclosure.readers.encoding import declared_charset
from disclosure.readers.html import read_html

REPORTS = Path(__file__).parent / "fixtures" / "reports"
QUIRKS = Path(__file__).parent / "fixtures" / "html"

REPORT_TEXT = (
    "<p>一、总体情况</p><p>本机关依据《中华人民共和国政府信息公开条例》编制本年度报告，"
    "报告中所列数据的统计期限自1月1日起至12月31日止。</p>"
    "<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>3</td></tr></table>"
)
TRADITIONAL_TEXT = (
    "<p>一、總體情況</p><p>本機關依據《中華人民共和國政府資訊公開條例》的規定，編製本年度報告。"
    "報告中所列數據的統計期限自一月一日起至十二月三十一日止。</p>"
    "<table><tr><td>資訊內容</td><td>本年製發件數</td></tr><tr><td>規章</td><td>3</td></tr></table>"
)


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def read(html: str, encoding: str = "utf-8") -> Document:
    return read_html(html.encode(encoding), "inline.html")


def texts(doc: Document) -> list[str]:
    return [line.text for line in doc.lines]


def table_rows(doc: Document, table: int) -> list[Line]:
    return [line for line in doc.lines if line.table == table]


def grid(line: Line) -> list[tuple[int, int, str, bool]]:
    return [(c.col, c.colspan, c.text, c.rowspan_copy) for c in line.cells]


def row_starting(doc: Document, label: str) -> Line:
    return next(line for line in doc.lines if line.table is not None and label in line.text)


def corpus(name: str) -> Document:
    return read_html((REPORTS / name).read_bytes(), name)


def quirk(name: str) -> Document:
    return read_html((QUIRKS / name).read_bytes(), name)


# ---------------------------------------------------------------------------------------
# Encodings


def test_gbk_page_without_a_meta_charset_is_read_as_gbk() -> None:
    doc = read(page(REPORT_TEXT), "gbk")
    assert "一、总体情况" in texts(doc)
    assert doc.notes[0].startswith("encoding: gb18030")


def test_gbk_bytes_under_a_wrong_utf8_meta_are_read_as_gbk() -> None:
    data = page(REPORT_TEXT, '<meta charset="utf-8">').encode("gbk")
    assert declared_charset(data) == "utf-8"
    doc = read_html(data)
    assert "一、总体情况" in texts(doc)
    assert "declared utf-8" in doc.notes[0]


def test_utf8_bytes_under_a_wrong_gb2312_meta_are_read_as_utf8() -> None:
    html = page(REPORT_TEXT, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    doc = read(html, "utf-8")
    assert "一、总体情况" in texts(doc)
    assert doc.notes[0] == "encoding: utf-8 (declared gb18030)"


def test_gbk_page_declared_gb2312_uses_the_declaration() -> None:
    doc = read(page(REPORT_TEXT, '<meta charset="gb2312">'), "gbk")
    assert doc.lines[1].text.startswith("本机关依据《中华人民共和国政府信息公开条例》")
    assert doc.notes[0] == "encoding: gb18030 (declared)"


@pytest.mark.parametrize("head", ["", '<meta charset="big5">', '<meta charset="utf-8">'])
def test_big5_page_is_read_as_big5_declared_or_not(head: str) -> None:
    doc = read(page(TRADITIONAL_TEXT, head), "big5")
    assert texts(doc)[0] == "一、總體情況"
    assert row_starting(doc, "資訊內容").cells[1].text == "本年製發件數"
    assert "big5hkscs" in doc.notes[0]


def test_utf8_bom_is_stripped_and_noted() -> None:
    doc = read_html(b"\xef\xbb\xbf" + page(REPORT_TEXT).encode())
    assert texts(doc)[0] == "一、总体情况"
    assert doc.notes[0] == "encoding: BOM utf-8-sig"


def test_utf8_with_one_broken_byte_is_still_utf8() -> None:
    data = page(REPORT_TEXT).encode()
    cut = data.index("本机关".encode())
    doc = read_html(data[:cut] + b"\xff" + data[cut:])
    assert "一、总体情况" in texts(doc)
    assert "replaced by U+FFFD" in doc.notes[0]


def test_gbk_with_one_stray_byte_is_still_gbk() -> None:
    data = page(REPORT_TEXT, '<meta charset="gbk">').encode("gbk")
    cut = data.index("本机关".encode("gbk"))
    doc = read_html(data[:cut] + b"\xff" + data[cut:])
    assert "一、总体情况" in texts(doc)
    assert doc.notes[0] == "encoding: gb18030 (declared, 1 undecodable byte sequence(s) replaced by U+FFFD)"


@pytest.mark.parametrize(
    "data",
    [bytes(range(128, 256)) * 40, "Prix: café, crème, déjà vu. ".encode("latin-1") * 20],
    ids=["binary", "latin-1"],
)
def test_bytes_that_are_no_chinese_encoding_are_rejected(data: bytes) -> None:
    with pytest.raises(RejectedReport) as err:
        read_html(data, "bad.html")
    assert err.value.code == "unreadable_encoding"
    assert err.value.path == "bad.html"


@pytest.mark.parametrize("data", [b"", b"  \n ", b"\x00" * 50, b"<!-- nothing -->"])
def test_empty_pages_are_rejected_as_empty(data: bytes) -> None:
    with pytest.raises(RejectedReport) as err:
        read_html(data, "empty.html")
    assert err.value.code == "empty_file"


# ---------------------------------------------------------------------------------------
# The grid


def test_rowspan_and_colspan_expand_into_origin_cells_and_rowspan_copies() -> None:
    doc = read(
        "<table>"
        "<tr><td rowspan=3>三、结果</td><td colspan=2>（一）予以公开</td><td>5</td></tr>"
        "<tr><td rowspan=2>（三）不予公开</td><td>1.国家秘密</td><td>1</td></tr>"
        "<tr><td>2.其他</td><td>2</td></tr>"
        "<tr><td colspan=3>四、结转</td><td>0</td></tr>"
        "</table>"
    )
    rows = table_rows(doc, 0)
    assert [grid(r) for r in rows] == [
        [(0, 1, "三、结果", False), (1, 2, "（一）予以公开", False), (3, 1, "5", False)],
        [
            (0, 1, "三、结果", True),
            (1, 1, "（三）不予公开", False),
            (2, 1, "1.国家秘密", False),
            (3, 1, "1", False),
        ],
        [
            (0, 1, "三、结果", True),
            (1, 1, "（三）不予公开", True),
            (2, 1, "2.其他", False),
            (3, 1, "2", False),
        ],
        [(0, 3, "四、结转", False), (3, 1, "0", False)],
    ]
    assert [r.where for r in rows] == ["table 0 row 0", "table 0 row 1", "table 0 row 2", "table 0 row 3"]
    assert rows[2].text == "2.其他 2"  # Line.text leaves the copies out


def test_a_rowspan_in_a_middle_column_pushes_later_cells_right() -> None:
    doc = read(
        "<table><tr><td>a</td><td rowspan=2 colspan=2>b</td><td>c</td></tr><tr><td>d</td><td>e</td></tr></table>"
    )
    assert grid(table_rows(doc, 0)[1]) == [(0, 1, "d", False), (1, 2, "b", True), (3, 1, "e", False)]


def test_blank_cells_are_kept_so_positions_survive() -> None:
    doc = read(
        "<table><tr><td>一、本年新收</td><td>&nbsp;</td><td><p><span><o:p> </o:p></span></p></td>"
        "<td></td><td>\u3000</td><td>7</td></tr></table>"
    )
    assert grid(doc.lines[0]) == [
        (0, 1, "一、本年新收", False),
        (1, 1, "", False),
        (2, 1, "", False),
        (3, 1, "", False),
        (4, 1, "", False),
        (5, 1, "7", False),
    ]


def test_malformed_spans_are_clamped_without_exploding() -> None:
    doc = quirk("malformed_spans.html")
    rows = table_rows(doc, 0)
    assert grid(rows[0]) == [
        (0, 1, "零列", False),
        (1, 1, "非数字", False),
        (2, 64, "巨大列", False),
        (66, 1, "尾", False),
    ]
    # rowspan=100000 covers the rows that exist; rowspan="-3" is 1; "2px" reads as 2 like browsers.
    assert [c.text for c in rows[2].cells] == ["巨大行", "甲", "两行", "乙"]
    assert grid(rows[1])[3] == (3, 3, "带空格", False)
    # The empty <tr> prints no line; rowspan=0 runs to the end of the table.
    assert [r.where for r in rows] == [f"table 0 row {i}" for i in (0, 1, 2, 4, 5)]
    assert grid(rows[-1]) == [(0, 1, "巨大行", True), (1, 1, "到底", True), (2, 1, "丁", False)]
    assert any("clamped" in note for note in doc.notes)


def test_a_huge_span_attack_stays_small_and_fast() -> None:
    cells = '<td colspan="999999999" rowspan="999999999">x</td>' * 500
    doc = read(f"<table><tr>{cells}</tr><tr></tr><tr><td>y</td></tr></table>")
    rows = table_rows(doc, 0)
    assert len(rows[0].cells) == 500
    assert rows[0].cells[-1].col == 499 * 64
    assert len(rows[1].cells) == 501  # 500 copies + y, not a 32000-column grid


def test_nested_table_rows_are_their_own_lines_and_not_repeated_in_the_outer_cell() -> None:
    doc = quirk("nested_tables.html")
    assert [(ln.table, ln.text) for ln in doc.lines] == [
        (None, "四、政府信息公开行政复议、行政诉讼情况"),
        (0, "说明 附表"),
        (1, "行政复议 总计"),
        (1, "维持 3"),
        (0, "备注 无"),
        (None, "五、存在的主要问题及改进情况"),
    ]


def test_a_one_cell_table_inside_a_cell_is_read_as_the_cell_text() -> None:
    doc = read("<table><tr><td>规章</td><td><table><tr><td>12</td></tr></table></td></tr></table>")
    assert [(ln.table, ln.text) for ln in doc.lines] == [(0, "规章 12")]


def test_a_page_layout_table_cell_is_read_as_paragraphs() -> None:
    doc = quirk("layout_table.html")
    paragraphs = [ln.text for ln in doc.lines if ln.table is None]
    assert "二、主动公开政府信息情况" in paragraphs
    assert "三、收到和处理政府信息公开申请情况" in paragraphs
    assert [ln.text for ln in table_rows(doc, 1)] == ["信息内容 本年制发件数", "规章 0"]
    assert grid(table_rows(doc, 0)[0]) == [(0, 1, "栏目导航", False), (1, 1, "", False)]


def test_rows_in_thead_tbody_and_tfoot_form_one_grid() -> None:
    doc = read(
        "<table><caption>表三</caption><thead><tr><th rowspan=2>项目</th><th>自然人</th></tr></thead>"
        "<tbody><tr><td>1</td></tr></tbody><tfoot><tr><td>合计</td><td>1</td></tr></tfoot></table>"
    )
    assert doc.lines[0].text == "表三" and doc.lines[0].table is None
    assert [grid(r) for r in table_rows(doc, 0)] == [
        [(0, 1, "项目", False), (1, 1, "自然人", False)],
        [(0, 1, "项目", True), (1, 1, "1", False)],
        [(0, 1, "合计", False), (1, 1, "1", False)],
    ]


def test_text_outside_cells_inside_a_table_is_kept_as_paragraphs() -> None:
    doc = read("<table>注：<tr>单位：件<td>a</td>合计<td>b</td></tr>以上数据截至年底</table>尾")
    assert [(ln.table, ln.text) for ln in doc.lines] == [
        (None, "注："),
        (None, "单位：件"),
        (0, "a b"),
        (None, "合计"),
        (None, "以上数据截至年底"),
        (None, "尾"),
    ]


def test_cells_without_a_tr_form_an_implicit_row() -> None:
    doc = read("<table><tbody><td>规章</td><td>2</td><tr><td>规范性文件</td><td>5</td></tr></tbody></table>")
    assert [(ln.where, ln.text) for ln in doc.lines] == [
        ("table 0 row 0", "规章 2"),
        ("table 0 row 1", "规范性文件 5"),
    ]


# ---------------------------------------------------------------------------------------
# Cell and paragraph text


def test_word_exported_labels_split_over_spans_are_joined() -> None:
    doc = quirk("word_export.html")
    rows = table_rows(doc, 0)
    assert grid(rows[0])[:2] == [(0, 1, "三、本年度办理结果", False), (1, 2, "（一）予以公开", False)]
    assert rows[1].cells[2].text == "3.危及“三安全一稳定”"
    assert rows[1].cells[1].text == "（三）不予公开"
    assert rows[0].cells[3].text == "" and rows[1].cells[4].text == ""  # <o:p>&nbsp;</o:p>, <o:p> </o:p>


def test_br_and_source_line_breaks_inside_a_cjk_label_leave_no_space() -> None:
    doc = quirk("word_export.html")
    assert table_rows(doc, 0)[2].cells[2].text == "本年新制作数量"
    assert table_rows(doc, 0)[2].cells[3].text == "12"
    assert "本年度2023年，我局主动公开政府信息249条。" in texts(doc)


def test_br_between_latin_or_digits_becomes_a_space() -> None:
    doc = read("<table><tr><td>251000<br>元</td><td>12<br/>34</td><td>Total<br>count</td></tr></table>")
    assert [c.text for c in doc.lines[0].cells] == ["251000 元", "12 34", "Total count"]


def test_whitespace_is_collapsed_including_nbsp_and_ideographic_space() -> None:
    doc = read(
        "<p>\u3000\u3000一、总体 \u00a0 情况\t\u200b </p><table><tr><td> 规\u00a0章 </td></tr></table>"
    )
    assert texts(doc) == ["一、总体 情况", "规 章"]


def test_scripts_styles_and_comments_are_dropped() -> None:
    doc = read(
        page(
            "<p>正文<!-- 注释 -->一</p><script>var a = '脚本';</script><style>p{}</style><noscript>请启用</noscript>",
            "<style>.x{}</style><script>var b = 1;</script>",
        )
    )
    assert texts(doc) == ["正文一"]


def test_paragraphs_split_at_block_boundaries_and_br() -> None:
    doc = read(
        "<div>一、总体情况<p>第一段</p>尾随文字<h2>二、主动公开</h2><ul><li>甲</li><li>乙</li></ul>"
        "第三段<br>第四段<section>第五段</section></div>"
    )
    assert texts(doc) == [
        "一、总体情况",
        "第一段",
        "尾随文字",
        "二、主动公开",
        "甲",
        "乙",
        "第三段",
        "第四段",
        "第五段",
    ]
    assert all(len(ln.cells) == 1 and ln.table is None for ln in doc.lines)
    assert doc.lines[0].where == "paragraph 0"


def test_page_chrome_is_dropped_but_report_text_is_kept() -> None:
    doc = quirk("page_chrome.html")
    lines = texts(doc)
    for chrome in (
        "首页 政务公开 互动交流 办事服务",
        "微信 微博 QQ空间",
        "分享到： 微信 微博 QQ空间",
        "【打印本页】 【关闭窗口】",
    ):
        assert chrome not in lines
    assert not any(ln.startswith("当前位置") or "网站标识码" in ln for ln in lines)
    # Kept: report text, a plain list, and a chrome-looking class that holds a report heading.
    for kept in (
        "一、总体情况",
        "2024年，某某市认真贯彻落实《条例》。",
        "公开指南已修订",
        "二、主动公开政府信息情况",
    ):
        assert kept in lines
    assert row_starting(doc, "规章").text == "规章 2"
    assert any(note.startswith("html: dropped") for note in doc.notes)


def test_breadcrumb_lines_are_dropped_by_their_text() -> None:
    doc = read(
        "<div>首页 &gt; 政务公开 &gt; 年度报告</div><div>您的位置：首页</div><p>首页改版情况见下文。</p>"
    )
    assert texts(doc) == ["首页改版情况见下文。"]


def test_deep_nesting_does_not_crash() -> None:
    for open_tag, close_tag in (("<div>", "</div>"), ("<span>", "</span>"), ("<td><p>", "</p></td>")):
        doc = read(open_tag * 1500 + "正文" + close_tag * 1500)
        assert texts(doc)[-1] == "正文"
    doc = read("<div>" * 5000 + "正文" + "</div>" * 5000)
    assert any("nested deeper" in note for note in doc.notes)


# ---------------------------------------------------------------------------------------
# Title and meta


def test_title_comes_from_the_title_element_then_h1() -> None:
    assert read(page("<h1>标题二</h1>", "<title> 标题一 </title>")).title == "标题一"
    assert read(page("<p>正文</p><h2>标题二</h2><h1>标题三</h1>")).title == "标题二"


def test_title_comes_from_a_centered_bold_first_paragraph_naming_the_report() -> None:
    doc = read(
        "<p style='text-align: center;font-weight: bold;'>2019年某某局政府信息公开工作年度报告</p><p>正文</p>"
    )
    assert doc.title == "2019年某某局政府信息公开工作年度报告"
    assert quirk("word_export.html").title == "某某县发展和改革局2023年政府信息公开工作年度报告"
    assert read("<p align=center>2019年某某局政府信息公开工作年度报告</p>").title is None  # not bold
    assert read("<p align=center><b>关于印发某某的通知</b></p>").title is None  # not a report


def test_meta_is_read_from_key_value_lines_and_cells() -> None:
    doc = quirk("page_chrome.html")
    assert doc.meta == {
        "发布机构": "某某市人民政府办公室",
        "发布日期": "2025-01-20",
        "来源": "某某市政务公开办",
    }
    doc = read(
        "<table><tr><td>索引号</td><td>123/2024-0001</td><td>发布机构：</td><td>某某局</td></tr></table>"
    )
    assert doc.meta == {"索引号": "123/2024-0001", "发布机构": "某某局"}
    assert read("<p>信息来源于各部门报送。</p>").meta == {}
    assert read("<p>来源：新华</p>").meta == {"来源": "新华"}


# ---------------------------------------------------------------------------------------
# The corpus HTML files


def test_corpus_sh_gov_office_2019_grid() -> None:
    doc = corpus("sh-gov-office-2019.html")
    assert doc.format == "html"
    assert doc.title == "2019年上海市人民政府办公厅政府信息公开工作年度报告"
    assert doc.meta == {"发布日期": "2020-01-31"}
    assert doc.notes == ["encoding: utf-8"]
    # 表二 header puts colspan=2 on 本年增/减 (col 2) while the value rows put it on the first
    # value (col 1): the reader reports both origins faithfully.
    assert grid(row_starting(doc, "上一年项目数量")) == [
        (0, 1, "信息内容", False),
        (1, 1, "上一年项目数量", False),
        (2, 2, "本年增/减", False),
        (4, 1, "处理决定数量", False),
    ]
    assert grid(row_starting(doc, "行政许可")) == [
        (0, 1, "行政许可", False),
        (1, 2, "0", False),
        (3, 1, "0", False),
        (4, 1, "0", False),
    ]
    assert row_starting(doc, "本年新制作数量").cells[1].text == "本年新制作数量"
    assert row_starting(doc, "政府集中采购").cells[-1].text == "251000元"
    # 表三: 三、本年度办理结果 (rowspan=20) starts on the 予以公开 row and is copied below it.
    granted = row_starting(doc, "（一）予以公开")
    assert granted.table == 1
    assert grid(granted)[:2] == [(0, 1, "三、本年度办理结果", False), (1, 2, "（一）予以公开", False)]
    assert [c.text for c in granted.cells[2:]] == ["258", "12", "", "", "1", "1", ""]
    assert [c.col for c in granted.cells[2:]] == list(range(3, 10))
    partial = row_starting(doc, "（二）部分公开")
    assert grid(partial)[0] == (0, 1, "三、本年度办理结果", True)
    secret = row_starting(doc, "2.其他法律行政法规禁止公开")
    assert [c.text for c in secret.cells[:2]] == ["三、本年度办理结果", "（三）不予公开"]
    assert all(c.rowspan_copy for c in secret.cells[:2])
    # 表四: rowspan=2 outcome headers, then one data row of 15 cells.
    review = table_rows(doc, 2)
    assert len(review) == 4
    assert sum(c.rowspan_copy for c in review[2].cells) == 5
    assert [c.text for c in review[3].cells] == [
        "5",
        "",
        "",
        "2",
        "7",
        "8",
        "",
        "",
        "1",
        "9",
        "",
        "",
        "",
        "",
        "",
    ]
    assert [c.col for c in review[3].cells] == list(range(15))


def test_corpus_shuyang_fgj_2023_word_export() -> None:
    doc = corpus("shuyang-fgj-2023.html")
    assert doc.title is None and doc.meta == {}
    assert [ln.table for ln in doc.lines if ln.table is not None] == [0] * 14 + [1] * 28 + [2] * 4
    assert grid(row_starting(doc, "（一）予以公开"))[:3] == [
        (0, 1, "三、本年度办理结果", False),
        (1, 2, "（一）予以公开", False),
        (3, 1, "26", False),
    ]
    danger = row_starting(doc, "3.危及")
    assert [c.text for c in danger.cells] == [
        "三、本年度办理结果",
        "（三）不予公开",
        "3.危及“三安全一稳定”",
        "0",
        "",
        "",
        "",
        "",
        "",
        "0",
    ]
    assert [c.text for c in row_starting(doc, "规范性文件").cells] == ["规范性文件", "8", "0", "18"]
    assert "二、主动公开政府信息情况" in texts(doc)
    assert texts(doc)[-2:] == ["沭阳县发展和改革局", "2024年1月17日"]


def test_corpus_synthetic_ceshishi_2025_placeholder_cells() -> None:
    doc = corpus("synthetic-ceshishi-2025.html")
    assert doc.title == "测试市2025年政府信息公开工作年度报告"
    applications = table_rows(doc, 1)
    # Third header row: empty <td></td> placeholders under 自然人 / 总计 (not rowspans).
    assert grid(applications[2]) == [
        (0, 3, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", True),
        (3, 1, "", False),
        (4, 1, "商业企业", False),
        (5, 1, "科研机构", False),
        (6, 1, "社会公益组织", False),
        (7, 1, "法律服务机构", False),
        (8, 1, "其他", False),
        (9, 1, "", False),
    ]
    assert [c.text for c in row_starting(doc, "8.属于行政查询事项").cells] == [
        "三、本年度办理结果",
        "（三）不予公开",
        "8.属于行政查询事项",
        "147",
        "0",
        "0",
        "0",
        "1",
        "2",
        "150",
    ]
    review = table_rows(doc, 2)
    assert [c.text for c in review[2].cells[:6]] == ["", "", "", "", "", "结果维持"]
    assert len(review[3].cells) == 15 and review[3].cells[4].text == "790"


def test_every_line_is_well_formed_in_the_corpus() -> None:
    for name in ("sh-gov-office-2019.html", "shuyang-fgj-2023.html", "synthetic-ceshishi-2025.html"):
        doc = corpus(name)
        for line in doc.lines:
            assert line.cells and all(isinstance(c, Cell) for c in line.cells)
            cols = [c.col for c in line.cells]
            assert cols == sorted(cols)
            assert (line.table is None) == line.where.startswith("paragraph")


# ---------------------------------------------------------------------------------------
# Arbitrary input


_SOUP = st.lists(
    st.sampled_from(
        [
            "<table>",
            "</table>",
            "<tr>",
            "</tr>",
            "<td>",
            "</td>",
            "<th colspan=2>",
            '<td rowspan="0">',
            '<td colspan="x9">',
            "<td rowspan=70000>",
            "<p>",
            "</p>",
            "<br>",
            "<div class=nav>",
            "</div>",
            "<span>",
            "</span>",
            "<o:p>",
            "</o:p>",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "&nbsp;",
            "\u3000",
            "一、总体情况",
            "12",
            "\n",
            "<ul><li><a>首页</a>",
            "<title>",
            "</title>",
            "发布机构：",
            "<sup>1</sup>",
            "<sub>",
            "<embed src=x.swf>",
            "<object><param name=a>",
            "<span style='display:none'>",
            "<tr hidden>",
            "<![if !supportLists]>1.<![endif]>",
            "<div style='display:grid;grid-template-columns:repeat(2, 1fr)'>",
            "<div style='display:grid'>",
            "<div role=table>",
            "<div style=display:table-row>",
            "<span role=cell>",
            "<img src=x.png>",
            "二、主动公开政府信息情况",
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(_SOUP)
def test_any_tag_soup_reads_or_is_rejected_without_a_traceback(html: str) -> None:
    try:
        doc = read(html)
    except RejectedReport as err:
        assert err.code in ("empty_file", "corrupt_file", "needs_ocr", "no_statistical_tables")
        return
    for line in doc.lines:
        assert line.cells
        assert [c.col for c in line.cells] == sorted(c.col for c in line.cells)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["", "<meta charset=gbk>", "<meta charset=big5>"]))
def test_any_bytes_read_or_are_rejected_without_a_traceback(noise: bytes, head: str) -> None:
    data = head.encode() + noise
    try:
        read_html(data, "noise.html")
    except RejectedReport as err:
        assert err.code in RejectedReport.CODES


# --------------------------------------------------------------------------- issue 9 item 6 and cell text
# Fixtures: rows of 表二 from sh-gov-office-2019.html (printed 规章 13 / 13 / 524, 规范性文件
# 60 / 60 / 368, also stated in its prose: 规章13件，行政规范性文件60件), with one quirk each.

REGULATIONS = [(0, 1, "规章"), (1, 1, "13"), (2, 2, "13"), (4, 1, "524")]
NORMATIVE = [(0, 1, "规范性文件"), (1, 1, "60"), (2, 2, "60"), (4, 1, "368")]


def cells3(line: Line) -> list[tuple[int, int, str]]:
    return [(c.col, c.colspan, c.text) for c in line.cells]


def test_an_unclosed_embed_or_object_does_not_swallow_the_article() -> None:
    doc = quirk("embed_unclosed.html")
    assert "二、主动公开政府信息情况" in texts(doc)
    assert cells3(row_starting(doc, "规章")) == REGULATIONS


def test_display_none_and_visibility_hidden_text_is_dropped() -> None:
    doc = quirk("hidden_text.html")
    assert [cells3(ln) for ln in doc.lines if ln.table == 0][2:] == [REGULATIONS, NORMATIVE]
    assert not any("999" in t or "隐藏" in t for t in texts(doc))
    assert any("invisible" in n for n in doc.notes)


def test_word_list_marker_in_a_number_cell_is_not_read_as_part_of_the_number() -> None:
    doc = quirk("mso_list_marker.html")
    assert cells3(row_starting(doc, "规章")) == REGULATIONS  # not 1.13 / 2.13
    assert "二、 主动公开政府信息情况" in texts(doc)  # a heading's list number is printed text


def test_sup_footnote_mark_glued_to_a_number_is_kept_apart_from_it() -> None:
    doc = quirk("footnote_sup.html")
    row = row_starting(doc, "规章")
    assert cells3(row) == REGULATIONS  # not 131 / 524*
    assert [c.footnote for c in row.cells] == [None, "<sup>1</sup>", None, "<sub>*</sub>"]
    label = row_starting(doc, "规范性文件")
    assert label.cells[0].text == "规范性文件（m2）" and label.cells[0].footnote is None


def test_sup_footnote_mark_flags_the_cell_and_keeps_the_printed_text() -> None:
    from disclosure.parse import parse_bytes

    data = (REPORTS / "sh-gov-office-2019.html").read_bytes()
    marked = data.replace(b'<p align="center">524</p>', b'<p align="center">524<sup>1</sup></p>', 1)
    assert marked != data
    report = parse_bytes(marked, "sh-gov-office-2019.html").to_json_dict()
    assert report["active_disclosure"]["regulations.total_public"] == 524
    assert report["flags"]["active_disclosure.regulations.total_public"] == ["footnote"]
    assert report["provenance"]["active_disclosure.regulations.total_public"]["text"] == "524<sup>1</sup>"


def test_div_tables_with_display_table_aria_roles_or_a_css_grid_are_read_as_grids() -> None:
    doc = quirk("div_tables.html")
    assert cells3(table_rows(doc, 0)[1]) == REGULATIONS
    assert cells3(table_rows(doc, 1)[1]) == [(0, 1, "规范性文件"), (1, 1, "60")]
    grid_rows = [cells3(ln) for ln in table_rows(doc, 2)]
    assert grid_rows[1] == [(0, 1, "规章"), (1, 1, "13"), (2, 1, "13"), (3, 1, "524")]
    assert grid_rows[2] == [(0, 1, "规范性文件"), (1, 2, "60"), (3, 1, "368")]


def test_css_grid_without_a_column_count_is_rejected_with_the_reason() -> None:
    with pytest.raises(RejectedReport) as err:
        quirk("css_grid_auto.html")
    assert err.value.code == "no_statistical_tables"
    assert "grid-template-columns" in err.value.message


def test_image_only_tables_need_ocr() -> None:
    with pytest.raises(RejectedReport) as err:
        quirk("image_tables.html")
    assert err.value.code == "needs_ocr"
    assert "images" in err.value.message and "主动公开政府信息情况" in err.value.message


def test_a_logo_image_beside_real_tables_is_not_needs_ocr() -> None:
    data = (REPORTS / "sh-gov-office-2019.html").read_bytes().replace(b"<p ", b"<img src=logo.png><p ", 1)
    assert b"logo.png" in data
    assert cells3(row_starting(read_html(data, "logo.html"), "规章")) == REGULATIONS


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("ab 1\n\r\t\u3000\u00a0中国，。（）‘’…—·\u200b\ufeffＡ１\U00020001\x1c"), max_size=16))
def test_fast_clean_text_applies_the_same_cjk_line_break_rule_as_the_reference(raw: str) -> None:
    from disclosure.readers.html import _clean_text_reference, clean_text

    assert clean_text(raw) == _clean_text_reference(raw)


def test_an_unclosed_svg_icon_does_not_swallow_the_article() -> None:
    doc = quirk("svg_unclosed.html")
    assert "二、主动公开政府信息情况" in texts(doc)
    assert cells3(row_starting(doc, "规章")) == REGULATIONS
    assert not any("999" in t for t in texts(doc))  # the SVG's own <text> stays unread
