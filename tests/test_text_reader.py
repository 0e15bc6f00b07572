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


# --------------------------------------------------------------------------- grids in text


def _values(doc, label_word):
    """Texts of the cells after the label of the first line whose text holds label_word."""
    line = next(ln for ln in doc.lines if label_word in ln.text)
    texts = [c.text for c in line.cells]
    last_label = max(i for i, t in enumerate(texts) if t and not t.replace(",", "").isdigit())
    return texts[last_label + 1 :]


def test_pipe_label_spanning_two_grid_columns_does_not_shift_its_values_right():
    # markitdown / pandoc write a label with colspan=2 as the label plus an empty slot; the
    # 总计 cell of the row is blank. Values belong to the 7 applicant columns, not one right.
    text = "\n".join([
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | | | 申请人情况 | | | | | | |",
        "| 一、本年新收政府信息公开申请数量 | | | 821 | 35 |  |  | 2 | 1 | 859 |",
        "| 三、本年度办理结果 | （一）予以公开 | | 258 | 12 |  |  | 1 | 1 |  |",
        "| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | | 3 |  |  |  |  |  |  |",
        "| 2.其他法律行政法规禁止公开 |  |  |  |  |  |  |  |",
    ])
    doc = parse_text(text)
    assert doc.grid
    assert _values(doc, "予以公开") == ["258", "12", "", "", "1", "1", ""]
    assert _values(doc, "部分公开") == ["3", "", "", "", "", "", ""]
    assert _values(doc, "本年新收") == ["821", "35", "", "", "2", "1", "859"]
    assert _values(doc, "禁止公开") == [""] * 7  # blank values are not a label's span


def test_prose_printing_one_pipe_is_not_a_table_row():
    body = "我局发布365篇《我为群众办实事|食用农产品快速检测结果天天报》系列文章，" + "累计抽检农产品，" * 12
    doc = parse_text(body)
    assert doc.format != "text-pipe" and len(doc.lines[0].cells) == 1


def test_tab_separated_inner_text_keeps_empty_cells_and_joins_paragraph_cells():
    # Cells holding <p>s: innerText prints '\n\n\t\n\n' between cells, 3+ newlines between rows.
    header = "自然人\n\n\t\n\n法人或其他组织\n\n\t\n\n总计"
    rows = "\n\n\n\n".join(f"{i}、行\n\n\t\n\n1\n\n\t\n\n\t\n\n2" for i in range(3))
    doc = parse_text(f"申请人情况\n\n\n\n{header}\n\n\n\n{rows}")
    assert doc.format == "text-tab" and doc.grid
    got = [[c.text for c in ln.cells] for ln in doc.lines]
    assert got[1] == ["自然人", "法人或其他组织", "总计"]
    assert got[2:] == [[f"{i}、行", "1", "", "2"] for i in range(3)]


def test_box_grid_joins_a_wrapped_label_and_keeps_its_values_on_its_row():
    text = "\n".join([
        "┌──────────────┬─────┬─────┐",
        "│ 1.申请人无正当│ 0   │ 0   │",
        "│ 理由逾期不补正│     │     │",
        "├──────────────┼─────┼─────┤",
        "│ 3.其他       │     │ 71  │",
        "├──────────────┼─────┼─────┤",
        "│ （七）总计   │ 5   │ 5   │",
        "│ （六）其他处 ├─────┼─────┤",
        "│              │ 2   │ 2   │",
        "└──────────────┴─────┴─────┘",
    ])
    doc = parse_text(text)
    assert doc.format == "text-box" and doc.grid
    got = [[c.text for c in ln.cells] for ln in doc.lines]
    assert got[0] == ["1.申请人无正当理由逾期不补正", "0", "0"]
    assert got[1] == ["3.其他", "", "71"]  # the blank stays blank, the 71 stays on its row
    assert ["（六）其他处"] in got  # text of a cell spanning a partial rule: a label fragment


def test_pandoc_grid_table_rows_are_joined_and_attribute_spans_dropped():
    rule = "+--------------------+----------------------+"
    text = "\n".join([
        "二、主动公开政府信息情况", rule,
        "| [行政许可]{style=\"font-family: | [120]{style=\"font-family: |",
        "|  微软雅黑;\"}                    |  微软雅黑;\"}              |", rule,
        "| 一                 | 3                    |",
        "| 、本年新收         |                      |", rule,
    ] + [rule] * 4)
    doc = parse_text(text)
    assert doc.format == "text-grid"
    got = [[c.text for c in ln.cells] for ln in doc.lines if ln.table is not None]
    assert got == [["行政许可", "120"], ["一、本年新收", "3"]]


def test_a_report_body_printed_as_one_line_is_read_like_any_other():
    # pingtan-scj-2023.txt (real): the whole body, tables included, is one line of 2,952
    # characters with one '|' in its prose; it was rejected no_statistical_tables.
    from pathlib import Path

    from disclosure.parse import parse_file

    doc = parse_file(Path(__file__).parent / "fixtures" / "reports" / "pingtan-scj-2023.txt").to_json_dict()
    assert doc["applications"]["new_received"]["natural_person"] == 1
    assert doc["applications"]["results_total"]["total"] == 1
    assert doc["active_disclosure"]["punishment.decisions"] == 135
