"""The text reader's quirks: flattened ' | ' text, markdown, pdftotext -layout, crawler runs."""

from __future__ import annotations

from disclosure.readers.text import parse_text


def test_pipe_text_keeps_empty_cells_so_merged_rows_can_be_seen():
    doc = parse_text("一、本年新收政府信息公开申请数量 | 0 | ||||||||")
    assert doc.format == "text-pipe"
    texts = [c.text for c in doc.lines[0].cells]
    assert texts[:2] == ["一、本年新收政府信息公开申请数量", "0"]
    assert texts[2:] == [""] * 9  # "||||||||" is nine empty cells


def test_markdown_separator_rows_are_dropped_and_tables_numbered():
    doc = parse_text("| a | 1 |\n|---|---|\n| b | 2 |\n\ntext\n| c | 3 |")
    assert doc.format == "markdown"
    assert [ln.table for ln in doc.lines if ln.table is not None] == [0, 0, 1]
    assert [c.text for c in doc.lines[1].cells] == ["b", "2"]


def test_layout_text_splits_cells_at_column_gaps_and_drops_page_numbers():
    text = "一、本年新收政府信息公开申请数量      3001    53   0\n-4-\n\f      （七）总计    2932  53\n"
    doc = parse_text(text)
    assert [c.text for c in doc.lines[0].cells] == ["一、本年新收政府信息公开申请数量", "3001", "53", "0"]
    assert len(doc.lines) == 2, "the page number line '-4-' is not a row"
    assert [c.text for c in doc.lines[1].cells] == ["（七）总计", "2932", "53"]


def test_layout_text_separates_a_label_from_a_number_one_space_away():
    doc = parse_text("行政许可 97")
    assert [c.text for c in doc.lines[0].cells] == ["行政许可", "97"]


def test_crawler_text_splits_rows_at_numeric_runs_and_keeps_numbering_with_the_next_label():
    line = (
        "三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量21710000218二、上年结转政府信息公开申请数量"
        "0000000三、本年度办理结果（一）予以公开710000071（三）不予公开1.属于国家秘密40000042.其他法律行政法规禁止公开0000000"
    )
    doc = parse_text(line)
    assert doc.format == "text-crawler"
    rows = [(ln.cells[0].text, [c.text for c in ln.cells[1:]]) for ln in doc.lines if len(ln.cells) > 1]
    assert rows[-2] == ("（三）不予公开1.属于国家秘密", ["4000004"])
    assert rows[-1] == ("2.其他法律行政法规禁止公开", ["0000000"])
    assert all(c.joined for ln in doc.lines for c in ln.cells[1:])


def test_crawler_text_treats_spaces_and_minus_signs_as_hard_cell_boundaries():
    line = (
        "一、本年新收政府信息公开申请数量230 000023二、上年结转政府信息公开申请数量0000000（一）予以公开0000000"
        "（二）部分公开0000000行政许可396442278行政处罚2648-18538四、结转下年度继续办理0000000"
    )
    doc = parse_text(line)
    runs = [[c.text for c in ln.cells[1:]] for ln in doc.lines if len(ln.cells) > 1]
    assert ["230", "000023"] in runs
    assert ["2648", "-18538"] in runs


def test_crawler_header_gives_title_and_publisher():
    doc = parse_text("标题: 平潭综合实验区2024年度政府信息公开工作年度报告\n发布机构: 平潭综合实验区管委会办公室\n正文")
    assert doc.title == "平潭综合实验区2024年度政府信息公开工作年度报告"
    assert doc.meta["发布机构"] == "平潭综合实验区管委会办公室"
