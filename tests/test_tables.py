"""Table logic: labels matched by text, blanks null, merged rows, units, annotations, checks."""

from __future__ import annotations

import pytest
from report_text import consistent_table, report

from disclosure.parse import parse_bytes
from disclosure.readers.text import parse_text
from disclosure.tables import extract


def parse(text: str, name: str = "r.md"):
    return parse_bytes(text.encode("utf-8"), name).to_json_dict()


def test_a_consistent_report_parses_exactly_and_all_identities_pass():
    doc = parse(report())
    assert doc["agency"] == "测试县教育局" and doc["year"] == 2023 and doc["template"] == "2021"
    assert doc["applications"]["granted"]["natural_person"] == 5
    assert doc["applications"]["new_received"]["total"] == 8
    assert doc["active_disclosure"]["normative_documents.in_force"] == 40
    assert doc["active_disclosure"]["fees.amount_10k_yuan"] == 1.5
    assert doc["review_litigation"]["review.upheld"] == 1
    statuses = {c["status"] for c in doc["checks"]}
    assert statuses == {"pass"}
    assert not doc["flags"]


def test_blank_dash_and_slash_cells_are_null_never_zero():
    t = consistent_table()
    t["withheld.state_secret"] = [None, "-", "/", "—", "&nbsp;", "无", None]
    doc = parse(report(t))
    assert set(doc["applications"]["withheld.state_secret"].values()) == {None}
    assert doc["provenance"]["applications.withheld.state_secret.commercial_enterprise"]["text"] == "-"


def test_an_identity_with_a_null_operand_is_not_assessable_not_failed():
    t = consistent_table()
    t["results_total"][6] = None
    doc = parse(report(t))
    balance_total = next(c for c in doc["checks"] if c["check"] == "applications.balance" and c["scope"] == "total")
    assert balance_total["status"] == "not_assessable"


def test_a_report_whose_arithmetic_fails_keeps_its_printed_numbers_and_says_so():
    t = consistent_table()
    t["results_total"][0] = 99  # printed wrong
    doc = parse(report(t))
    assert doc["applications"]["results_total"]["natural_person"] == 99
    failed = [c for c in doc["checks"] if c["status"] == "fail"]
    assert any(c["check"] == "applications.results_total" and c["scope"] == "natural_person" for c in failed)
    assert any("99" in c["detail"] for c in failed)


def test_rows_are_found_by_label_not_position_even_when_reordered():
    t = consistent_table()
    text = report(t).replace(
        "| 2.重复申请 |", "| 2.重 复 申 请 |"
    ).replace("（一）予以公开", "(一)予以公开")
    doc = parse(text)
    assert doc["applications"]["granted"]["natural_person"] == 5
    assert doc["applications"]["not_processed.duplicate"]["natural_person"] == 0


def test_a_missing_row_is_null_and_flagged_not_found_and_its_neighbours_stay_right():
    doc = parse(report(drop=("withheld.process_info",)))
    assert set(doc["applications"]["withheld.process_info"].values()) == {None}
    assert doc["flags"]["applications.withheld.process_info.total"] == ["not_found"]
    assert doc["applications"]["unable.not_held"]["natural_person"] == 2


def test_other_handling_printed_as_one_row_goes_to_other_handling_and_sub_rows_are_null():
    text = report().replace(
        "| （六）其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 |", "| （六）其他处理 |"
    )
    text = "\n".join(
        ln for ln in text.split("\n") if not ln.startswith(("| 2.申请人逾期未按收费通知", "| 3.其他 |"))
    )
    doc = parse(text)
    assert doc["applications"]["other_handling"]["total"] == 0
    assert set(doc["applications"]["other_handling.other"].values()) == {None}
    assert doc["applications_layout"] == "one_row_other"


def test_flattened_lone_zero_followed_by_empty_cells_is_a_merged_row_of_zeros():
    text = "\n".join([
        "三、收到和处理政府信息公开申请情况",
        "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 | ||||||||",
        "一、本年新收政府信息公开申请数量 | 0 | ||||||||",
        "二、上年结转政府信息公开申请数量 | 5 | ||||||||",
    ])
    tables = extract(parse_text(text))
    new = tables.applications["new_received"]
    assert {c.value for c in new.values()} == {0}
    assert all("merged_row" in c.flags for c in new.values())
    carried = tables.applications["carried_over"]
    assert {c.value for c in carried.values()} == {None}, "a lone non-zero value cannot be attributed"
    assert all("ambiguous" in c.flags for c in carried.values())


@pytest.mark.parametrize(
    ("cell", "value", "flag"),
    [("251000元", 25.1, "unit_converted"), ("75394432.52元", 7539.443252, "unit_converted"), ("12.5万元", 12.5, None),
     ("30", 30, "unit_assumed")],
)
def test_procurement_amounts_are_converted_to_10k_yuan_and_keep_their_printed_text(cell, value, flag):
    rows = (
        "| 规章 | 1 | 1 | 5 |\n| 规范性文件 | 2 | 2 | 9 |\n| 信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n"
        "| 行政许可 | 10 | +3 | 4 |\n| 行政处罚 | 8 | -2 | 1 |\n"
        f"| 信息内容 | 采购项目数量 | 采购总金额 | |\n| 政府集中采购 | 6 | {cell} | |"
    )
    text = report(active_rows=rows).replace("本年制发件数 | 本年废止件数 | 现行有效件数", "本年新制作数量 | 本年新公开数量 | 对外公开总数量")
    doc = parse(text)
    assert doc["template"] == "2019"
    assert doc["active_disclosure"]["procurement.amount_10k_yuan"] == pytest.approx(value)
    assert doc["provenance"]["active_disclosure.procurement.amount_10k_yuan"]["text"] == cell
    assert doc["active_disclosure"]["licensing.change"] == 3
    assert doc["active_disclosure"]["punishment.change"] == -2
    flags = doc["flags"].get("active_disclosure.procurement.amount_10k_yuan", [])
    assert (flag in flags) if flag else not flags


def test_annotated_cells_take_the_leading_number_and_keep_the_text():
    rows = "| 规章 | 22（其中修订16件） | 0 | 235 |\n| 规范性文件 | 34 | 55（含自然失效29件） | 189 |"
    doc = parse(report(active_rows=rows))
    assert doc["active_disclosure"]["regulations.issued"] == 22
    assert doc["active_disclosure"]["normative_documents.abolished"] == 55
    assert doc["raw_text"]["active_disclosure.regulations.issued"] == "22（其中修订16件）"


def test_a_row_with_too_few_numbers_is_flagged_ambiguous_not_guessed():
    t = consistent_table()
    text = report(t).replace("| 2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "| 2.重复申请 | 0 | 0 |")
    doc = parse(text)
    assert set(doc["applications"]["not_processed.duplicate"].values()) == {None}
    assert "ambiguous" in doc["flags"]["applications.not_processed.duplicate.total"]


def test_table_four_with_the_wrong_number_of_cells_is_flagged():
    doc = parse(report(review_row="| 1 | 0 | 0 | 1 |"))
    assert doc["review_litigation"]["review.upheld"] is None
    assert "ambiguous" in doc["flags"]["review_litigation.review.upheld"]


# --------------------------------------------------------------------------- issue 9: cells


from conftest import REPORTS, load_golden  # noqa: E402


def _corpus(name: str, *edits: tuple[str, str]) -> dict:
    text = (REPORTS / name).read_text("utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return parse_bytes(text.encode("utf-8"), name).to_json_dict()


def test_crawler_thousands_separators_end_no_run_行政许可3517_行政处罚1208():
    doc = _corpus("pingtan-2023.txt", ("行政许可2629", "行政许可3,517 "), ("行政处罚1330", "行政处罚1,208"))
    assert doc["active_disclosure"]["licensing.decisions"] == 3517
    assert doc["active_disclosure"]["punishment.decisions"] == 1208
    assert "active_disclosure.licensing.decisions" not in doc["flags"]


def test_crawler_invalid_thousands_grouping_is_unparsed_not_a_number():
    doc = _corpus("pingtan-2023.txt", ("行政许可2629", "行政许可26,29"))
    assert doc["active_disclosure"]["licensing.decisions"] is None
    assert doc["flags"]["active_disclosure.licensing.decisions"] == ["unparsed"]


def test_money_unit_printed_in_the_column_header_is_converted_to_10k_yuan():
    # pingtan-2023 prints 本年收费金额（单位：万元） 5949.088667; printed in 元 or 亿元 it converts.
    doc = _corpus("pingtan-2023.txt", ("本年收费金额（单位：万元）", "本年收费金额（单位：元）"))
    assert doc["active_disclosure"]["fees.amount_10k_yuan"] == pytest.approx(0.5949088667)
    assert doc["flags"]["active_disclosure.fees.amount_10k_yuan"] == ["unit_converted"]
    doc = _corpus("pingtan-2023.txt", ("本年收费金额（单位：万元）", "本年收费金额（亿元）"))
    assert doc["active_disclosure"]["fees.amount_10k_yuan"] == pytest.approx(59490886.67)
    doc = _corpus("pingtan-2023.txt")
    assert doc["active_disclosure"]["fees.amount_10k_yuan"] == 5949.088667
    assert "active_disclosure.fees.amount_10k_yuan" not in doc["flags"]


def test_money_with_no_unit_printed_anywhere_is_unit_assumed():
    doc = _corpus("pingtan-2023.txt", ("本年收费金额（单位：万元）", "本年收费金额"))
    assert doc["active_disclosure"]["fees.amount_10k_yuan"] == 5949.088667
    assert doc["flags"]["active_disclosure.fees.amount_10k_yuan"] == ["unit_assumed"]


def test_money_unit_printed_in_the_row_label_is_converted():
    # pingtan-gaj-2019 prints 政府集中采购00 (0 items, 0); a 2019 variation with 采购总金额 in 元.
    doc = _corpus("pingtan-gaj-2019.txt", ("政府集中采购00", "政府集中采购（元）3 1274000"))
    assert doc["active_disclosure"]["procurement.items"] == 3
    assert doc["active_disclosure"]["procurement.amount_10k_yuan"] == pytest.approx(127.4)
    assert "unit_converted" in doc["flags"]["active_disclosure.procurement.amount_10k_yuan"]


def test_crawler_procurement_count_run_into_its_amount_is_flagged_never_split_by_guess():
    doc = _corpus("pingtan-gaj-2019.txt", ("政府集中采购00", "政府集中采购31274000元"))
    for k in ("procurement.items", "procurement.amount_10k_yuan"):
        assert "ambiguous" in doc["flags"][f"active_disclosure.{k}"]


def test_crawler_count_unit_on_the_next_line_closes_the_count_cell_czj_2020():
    # pingtan-czj-2020 prints '政府集中采购 2笔 984361元' (manifest: unit suffix on the count).
    gold = load_golden(REPORTS / "expected" / "pingtan-czj-2020.txt.json")["active_disclosure"]
    doc = _corpus("pingtan-czj-2020.txt")
    assert doc["active_disclosure"]["procurement.items"] == gold["procurement.items"] == 2
    assert doc["active_disclosure"]["procurement.amount_10k_yuan"] == pytest.approx(98.4361)
    assert doc["flags"]["active_disclosure.procurement.amount_10k_yuan"] == ["unit_converted"]


def test_crawler_row_digits_glued_to_a_year_in_the_prose_are_split_at_the_year_scj_2025():
    # '行政事业性收费02025年，我局…' and '结转下年度继续办理20000022025年，我局…' (manifest notes).
    doc = _corpus("pingtan-scj-2025.txt")
    assert doc["active_disclosure"]["fees.amount_10k_yuan"] == 0
    assert doc["applications"]["carried_forward"] == {
        "natural_person": 2, "commercial_enterprise": 0, "research_institution": 0, "social_welfare_org": 0,
        "legal_service_org": 0, "other_org": 0, "total": 2,
    }


def test_prose_digits_before_a_year_without_a_row_label_are_left_alone():
    from disclosure.model import Cell, Line
    from disclosure.tables import split_glued_years

    line = Line([Cell("全年共办理12020年度事项")])
    assert split_glued_years([line]) == [line]


def test_crawler_blank_cell_printed_as_the_runs_only_space_is_null_gaj_2019():
    # pingtan-gaj-2019 row 一 prints '0 00000': six digits for seven cells, 商业企业 '&nbsp;'.
    doc = _corpus("pingtan-gaj-2019.txt")
    row = doc["applications"]["new_received"]
    assert row["commercial_enterprise"] is None
    assert [row[a] for a in ("natural_person", "research_institution", "social_welfare_org", "legal_service_org",
                             "other_org", "total")] == [0] * 6


# --------------------------------------------------------------------------- issue 9: columns by header


def _swap(text: str, a: str, b: str) -> str:
    return text.replace(a, "\0").replace(b, a).replace("\0", b)


def test_table_3_applicant_columns_follow_the_printed_header_not_the_template_order():
    # sh-gov-office-2019.html with its header cells 商业企业 and 法律服务机构 swapped: the numbers
    # printed under 法律服务机构 (second column) are that column's.
    gold = load_golden(REPORTS / "expected" / "sh-gov-office-2019.html.json")["applications"]
    text = _swap((REPORTS / "sh-gov-office-2019.html").read_text("utf-8"), ">商业企业<", ">法律服务机构<")
    doc = parse_bytes(text.encode("utf-8"), "sh-gov-office-2019.html").to_json_dict()
    for row, cells in gold.items():
        got = doc["applications"][row]
        assert got["legal_service_org"] == cells["commercial_enterprise"], row
        assert got["commercial_enterprise"] == cells["legal_service_org"], row
        assert got["natural_person"] == cells["natural_person"], row
    assert not any("position_assumed" in f or "header_mismatch" in f for f in doc["flags"].values())


def test_table_3_header_with_total_printed_first_names_total_the_first_column():
    from disclosure.model import Cell, Line
    from disclosure.tables import applicant_columns, row_view

    # Crawler form of the header (pingtan-2022: '申请人情况 自然人 法人或其他组织 总计 商业 企业 …')
    # with 总计 moved to the front.
    views = [row_view(0, Line([Cell("申请人情况 总计 自然人 法人或其他组织 商业 企业 科研 机构 社会公益组织 法律服务机构 其他")]))]
    rows = [row_view(1, Line([Cell("一、本年新收政府信息公开申请数量")]))]
    order, flag = applicant_columns(views, rows)
    assert order == ("total", "natural_person", "commercial_enterprise", "research_institution",
                     "social_welfare_org", "legal_service_org", "other_org") and flag is None


def test_table_3_header_missing_or_garbled_assumes_the_template_order_and_says_so():
    from disclosure.model import Cell, Line
    from disclosure.tables import applicant_columns, row_view

    rows = [row_view(1, Line([Cell("一、本年新收政府信息公开申请数量")]))]
    assert applicant_columns([], rows)[1] == "position_assumed"
    # sh-gov-office-2025.md: the PDF→md conversion printed 社会/法律/其他 above 自然人.
    doc = _corpus("sh-gov-office-2025.md")
    assert "position_assumed" in doc["flags"]["applications.granted.natural_person"]


def test_table_3_header_wrapped_over_lines_is_read_where_its_legible_words_agree_with_the_template():
    from disclosure.model import Cell, Line
    from disclosure.tables import applicant_columns, row_view

    rows = [row_view(1, Line([Cell("一、本年新收政府信息公开申请数量")]))]
    wrapped = [row_view(0, Line([Cell("申请人情况 自然人 社会 法律 总计 商业 科研 公益 服务 其他")]))]
    assert applicant_columns(wrapped, rows) == (applicant_columns([], rows)[0], None)
    swapped = [row_view(0, Line([Cell("申请人情况 其他 自然人 总计")]))]
    assert applicant_columns(swapped, rows)[1] == "position_assumed"
    doc = _corpus("hongze-gov-2024.txt")  # pdftotext -layout: 自然人 … 总计 … 其他 legible
    assert not any(k.startswith("applications") for k in doc["flags"])


def test_table_3_header_naming_a_column_twice_is_not_read():
    from disclosure.model import Cell, Line
    from disclosure.tables import applicant_columns, row_view

    views = [row_view(0, Line([Cell("申请人情况自然人法人或其他组织总计商业企业商业企业科研机构社会公益组织法律服务机构其他")]))]
    rows = [row_view(1, Line([Cell("一、本年新收政府信息公开申请数量")]))]
    assert applicant_columns(views, rows)[1] == "header_mismatch"


def test_table_4_blocks_follow_the_printed_header_when_after_review_is_printed_first():
    # sh-gov-office-2019.html with the heads 未经复议直接起诉 and 复议后起诉 swapped: the block
    # printed second (8 / - / - / 1 / 9) is now the after-review block.
    gold = load_golden(REPORTS / "expected" / "sh-gov-office-2019.html.json")["review_litigation"]
    text = _swap((REPORTS / "sh-gov-office-2019.html").read_text("utf-8"), "未经复议直接起诉", "复议后起诉")
    doc = parse_bytes(text.encode("utf-8"), "sh-gov-office-2019.html").to_json_dict()
    for o in ("upheld", "corrected", "other", "pending", "total"):
        assert doc["review_litigation"][f"litigation_after_review.{o}"] == gold[f"litigation_direct.{o}"]
        assert doc["review_litigation"][f"litigation_direct.{o}"] == gold[f"litigation_after_review.{o}"]
        assert doc["review_litigation"][f"review.{o}"] == gold[f"review.{o}"]
    assert not any(k.startswith("review_litigation") for k in doc["flags"])


def test_table_4_outcome_columns_follow_their_printed_heads():
    from disclosure.tables import review_columns

    head = "行政复议行政诉讼总计结果维持结果纠正其他结果尚未审结未经复议直接起诉复议后起诉" + "结果维持结果纠正其他结果尚未审结总计" * 2
    keys, flag = review_columns(head)
    assert flag is None
    assert keys[:5] == ("review.total", "review.upheld", "review.corrected", "review.other", "review.pending")
    assert keys[5] == "litigation_direct.upheld"


def test_table_4_header_wrapped_over_lines_is_read_where_its_heads_agree_with_the_template():
    from disclosure.tables import review_columns

    doc = _corpus("hongze-gov-2024.txt")  # outcome heads split over lines, block heads legible
    assert not any(k.startswith("review_litigation") for k in doc["flags"])
    assert review_columns("表四")[1] == "position_assumed"
    assert review_columns("复议后起诉未经复议直接起诉结果")[1] == "position_assumed"


def test_table_4_note_under_the_table_is_not_read_as_its_header():
    # sh-gov-office-2025.md prints 注：行政复议、行政诉讼数量含上年度结转数量 inside the header block.
    doc = _corpus("sh-gov-office-2025.md")
    gold = load_golden(REPORTS / "expected" / "sh-gov-office-2025.md.json")["review_litigation"]
    assert doc["review_litigation"] == gold


def test_table_2_metric_columns_follow_the_printed_heads():
    # pingtan-2023 prints 本年制发件数 本年废止件数 现行有效件数 once for 规章 and 规范性文件, and
    # 规范性文件 as the run '77132470' (77 / 132 / 470 in page.html). No identity splits the run,
    # so the cells are null and ambiguous; their candidates show which printed column each is:
    # the first head takes the run's leading digits. Printed 现行有效件数 first, the stock in force
    # is the first cell.
    key = "active_disclosure.normative_documents"
    doc = _corpus("pingtan-2023.txt")
    assert doc["active_disclosure"]["normative_documents.issued"] is None
    assert "ambiguous" in doc["flags"][f"{key}.issued"]
    assert 77 in doc["provenance"][f"{key}.issued"]["candidates"]
    assert 470 in doc["provenance"][f"{key}.in_force"]["candidates"]
    text = _swap((REPORTS / "pingtan-2023.txt").read_text("utf-8"), "本年制发件数", "现行有效件数")
    doc = parse_bytes(text.encode("utf-8"), "pingtan-2023.txt").to_json_dict()
    assert 77 in doc["provenance"][f"{key}.in_force"]["candidates"]
    assert 470 in doc["provenance"][f"{key}.issued"]["candidates"]
    assert 470 not in doc["provenance"][f"{key}.in_force"]["candidates"]


def test_visual_line_text_never_reorders_columns_from_its_header():
    from disclosure.model import Cell, Line
    from disclosure.tables import applicant_columns, row_view

    # pdftotext -layout may print 法人或其他组织 on a line of its own above 自然人 (vertically
    # centred cells), so a header that would reorder the columns is not trusted there.
    views = [row_view(0, Line([Cell("申请人情况 法人或其他组织")])),
             row_view(1, Line([Cell("自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计")]))]
    rows = [row_view(2, Line([Cell("一、本年新收政府信息公开申请数量")]))]
    # Row-major text that prints 自然人 / 总计 on another line than 法人或其他组织 cannot order them
    # by offset either (w3m/lynx dumps centre them vertically): the template's order, said.
    assert applicant_columns(views, rows, row_major=True) == (applicant_columns([], rows)[0], "position_assumed")
    assert applicant_columns(views, rows, row_major=False)[1] is None  # one-row order: the template's
    views[1] = row_view(1, Line([Cell("总计 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他")]))
    assert applicant_columns(views, rows, row_major=False) == (applicant_columns([], rows)[0], "position_assumed")


def test_a_2019_template_report_whose_table_3_cannot_be_read_flags_its_one_row_other_handling_not_found():
    # sh-gov-office-2019.html (2019 template) with table 三's <table> replaced by an image.
    text = (REPORTS / "sh-gov-office-2019.html").read_text("utf-8")
    a = text.rindex("<table", 0, text.index("本年新收"))
    b = text.index("</table>", a) + len("</table>")
    text = text[:a] + '<p>申请人情况</p><p><img src="table3.png"></p>' + text[b:]
    doc = parse_bytes(text.encode("utf-8"), "sh-gov-office-2019.html").to_json_dict()
    assert doc["template"] == "2019" and doc["applications_layout"] == "one_row_other"
    assert doc["applications"]["other_handling"]["natural_person"] is None
    assert doc["flags"]["applications.other_handling.natural_person"] == ["not_found"]
    assert doc["flags"]["applications.granted.total"] == ["not_found"]


def test_every_cell_of_a_table_that_is_not_printed_at_all_is_null_and_not_found():
    text = (REPORTS / "pingtan-gaj-2019.txt").read_text("utf-8")
    a, b = text.index("二、主动公开政府信息情况"), text.index("三、收到和处理政府信息公开申请情况")
    doc = parse_bytes((text[:a] + text[b:]).encode("utf-8"), "pingtan-gaj-2019.txt").to_json_dict()
    from disclosure.vocabulary import active_keys

    for key in active_keys("2019"):
        assert doc["active_disclosure"][key] is None
        assert doc["flags"][f"active_disclosure.{key}"] == ["not_found"]


# --------------------------------------------------------------------------- issue 9: layout by labels


def _golden_misses(doc: dict, name: str) -> list:
    from conftest import golden_cells, same_value

    got = dict(golden_cells(doc))
    gold = load_golden(REPORTS / "expected" / f"{name}.json")
    return [(p, w, got.get(p)) for p, w in golden_cells(gold) if not same_value(got.get(p), w)]


def test_table_3_header_rows_repeated_mid_table_keep_the_2021_layout_and_every_cell():
    # shuyang-fgj-2023.html (2021 template) with table 三's header rows printed again before
    # (五)不予处理, as a page break repeats them: the rows after it keep their keys.
    name = "shuyang-fgj-2023.html"
    text = (REPORTS / name).read_text("utf-8")
    first = text.index("本年新收")
    head = text[text.index("<tr", text.rindex("<table", 0, first)) : text.rindex("<tr", 0, first)]
    at = text.rindex("<tr", 0, text.index("不予处理", first))
    doc = parse_bytes((text[:at] + head + text[at:]).encode("utf-8"), name).to_json_dict()
    assert doc["applications_layout"] == "2021"
    assert _golden_misses(doc, name) == []


def test_table_3_header_lines_repeated_mid_table_in_layout_text_are_skipped():
    name = "hongze-gov-2024.txt"  # pdftotext -layout, one-row 其他处理
    lines = (REPORTS / name).read_text("utf-8").split("\n")
    s = next(i for i, t in enumerate(lines) if "申请人情况" in t)
    e = next(i for i, t in enumerate(lines) if "本年新收" in t)
    j = next(i for i, t in enumerate(lines) if "（五）不予处理" in t and i > e)
    text = "\n".join([*lines[:j], "", "（续表）", *lines[s:e], *lines[j:]])
    doc = parse_bytes(text.encode("utf-8"), name).to_json_dict()
    assert doc["applications_layout"] == "one_row_other"
    assert _golden_misses(doc, name) == []


def test_a_sub_row_label_with_the_spanning_其他处理_glued_after_it_is_that_sub_row():
    from disclosure.tables import _key_for_label

    assert _key_for_label("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请(六)其他处理") == (
        "other_handling.overdue_fee"
    )
    assert _key_for_label("3.其他(六)其他处理") == "other_handling.other"
    assert _key_for_label("三、本年度办理结果(六)其他处理") == "other_handling"
    assert _key_for_label("(六)其他处理") == "other_handling"


def test_a_blank_total_in_layout_text_does_not_null_the_six_printed_applicant_cells():
    # hongze-gov-2024.txt row （一）予以公开 '50 0 0 0 0 0 50' printed with its 总计 blank: 50 is
    # not the sum of five zeros, so the blank can only be 总计.
    name = "hongze-gov-2024.txt"
    lines = (REPORTS / name).read_text("utf-8").split("\n")
    i = next(n for n, t in enumerate(lines) if "（一）予以公开" in t)
    assert lines[i].split()[-7:] == ["50", "0", "0", "0", "0", "0", "50"]
    lines[i] = lines[i].rstrip()[:-2].rstrip()
    doc = parse_bytes("\n".join(lines).encode("utf-8"), name).to_json_dict()
    assert doc["applications"]["granted"] == {
        "natural_person": 50, "commercial_enterprise": 0, "research_institution": 0, "social_welfare_org": 0,
        "legal_service_org": 0, "other_org": 0, "total": None,
    }
    # All zeros: the blank could be any cell, so the row stays unread and flagged.
    lines[i] = lines[i].replace("50", "0")
    doc = parse_bytes("\n".join(lines).encode("utf-8"), name).to_json_dict()
    assert doc["applications"]["granted"]["natural_person"] is None
    assert "ambiguous" in doc["flags"]["applications.granted.natural_person"]


def test_a_unit_run_into_a_digit_run_is_unparsed_not_a_crash():
    # A one-line body: after 表四's empty cells the prose runs on ('…共收取信息处理费100元'); the
    # digit-run splitter accepts digits only, so such a run is `unparsed`, never a crash.
    from disclosure.parse import parse_bytes
    from disclosure.synth import iter_variations

    for _, name, data, _golden in iter_variations(3000, 2027, ["one_line_body"]):
        if name == "synth-2027-000037-one_line_body.txt":
            parse_bytes(data, name)  # raised ValueError("not a digit run: '100元'") before
            break
    else:
        pytest.fail("the generator no longer makes the fixture report")


def test_a_lone_chinese_numeral_in_a_value_cell_holds_its_place():
    # '2.重复申请 | 一 | … | 1': the lone 一 is no value of the cell grammar (it may be a label's
    # fragment), but it must not join the label: that shifted 总计's 1 into 其他 with no flag.
    from disclosure.parse import parse_bytes
    from disclosure.synth import iter_variations

    for _, name, data, _golden in iter_variations(3000, 2027, ["chinese_digits"]):
        if name == "synth-2027-000002-chinese_digits.txt":
            got = parse_bytes(data, name).to_json_dict()
            row = got["applications"]["not_processed.duplicate"]
            assert row["total"] == 1 and row["other_org"] is None
            assert "unparsed" in got["flags"]["applications.not_processed.duplicate.natural_person"]
            break
    else:
        pytest.fail("the generator no longer makes the fixture report")
