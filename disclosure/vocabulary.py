"""Canonical keys of every statistical cell (docs/vocabulary.md), as data.

Labels are matched by *signatures*: short normalised substrings that identify a row or
column however the report wraps, numbers or misspells it. Order matters: the tuples below
are in printed template order, which the table logic uses to place rows whose labels were
lost.
"""

from __future__ import annotations

import re

APPLICANTS: tuple[str, ...] = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
ORG_APPLICANTS = APPLICANTS[1:6]

# Table 三 rows in printed order (2021 template). `other_handling` (one row, 2019 layout)
# stands where the three 其他处理 sub-rows would.
APPLICATION_ROWS_2021: tuple[str, ...] = (
    "new_received",
    "carried_over",
    "granted",
    "partially_granted",
    "withheld.state_secret",
    "withheld.prohibited_by_law",
    "withheld.endangers_security",
    "withheld.third_party_rights",
    "withheld.internal_affairs",
    "withheld.process_info",
    "withheld.enforcement_file",
    "withheld.administrative_query",
    "unable.not_held",
    "unable.needs_creation",
    "unable.unclear_after_correction",
    "not_processed.petition",
    "not_processed.duplicate",
    "not_processed.publication",
    "not_processed.mass_repetitive",
    "not_processed.confirm_or_reissue",
    "other_handling.overdue_correction",
    "other_handling.overdue_fee",
    "other_handling.other",
    "results_total",
    "carried_forward",
)
OTHER_HANDLING_SUBROWS = (
    "other_handling.overdue_correction",
    "other_handling.overdue_fee",
    "other_handling.other",
)
APPLICATION_ROWS_ONE_ROW_OTHER: tuple[str, ...] = tuple(
    "other_handling" if r == "other_handling.overdue_correction" else r
    for r in APPLICATION_ROWS_2021
    if r not in OTHER_HANDLING_SUBROWS[1:]
)
ALL_APPLICATION_ROWS: tuple[str, ...] = (*APPLICATION_ROWS_2021, "other_handling")
SUBROW_NUMBERS: dict[str, int] = {
    key: [r for r in APPLICATION_ROWS_2021 if r.split(".")[0] == key.split(".")[0]].index(key) + 1
    for key in APPLICATION_ROWS_2021 if "." in key
}
"""The number the template prints before each sub-row of table 三 (1.属于国家秘密 … 8.属于行政查询事项,
1.本机关不掌握… 3.补正后…): a count glued to it in text that lost its breaks ('15、属于三类内部事务信息'
= 1 | 5、…) is cut where the template's number begins."""

# Outcome rows whose sum is results_total, per layout.
OUTCOME_ROWS_2021 = APPLICATION_ROWS_2021[2:23]
OUTCOME_ROWS_ONE_ROW_OTHER = APPLICATION_ROWS_ONE_ROW_OTHER[2:21]

# Signatures of table 三 row labels (normalised text, see labels.normalise). A label
# matches a row when it contains one of the row's signatures; `other_handling` and
# `other_handling.other` are told apart by the label's ending (see tables.py).
APPLICATION_ROW_SIGNATURES: dict[str, tuple[str, ...]] = {
    "new_received": ("本年新收",),
    "carried_over": ("上年结转",),
    "granted": ("予以公开",),
    "partially_granted": ("部分公开",),
    "withheld.state_secret": ("国家秘密",),
    "withheld.prohibited_by_law": ("禁止公开", "行政止公开", "法律行政法规"),
    "withheld.endangers_security": ("三安全一稳定", "危及"),
    "withheld.third_party_rights": ("第三方",),
    "withheld.internal_affairs": ("内部事务",),
    "withheld.process_info": ("过程性",),
    "withheld.enforcement_file": ("执法案卷",),
    "withheld.administrative_query": ("行政查询",),
    "unable.not_held": ("不掌握",),
    "unable.needs_creation": ("另行制作", "没有现成"),
    "unable.unclear_after_correction": ("仍不明确", "补正后"),
    "not_processed.petition": ("信访", "举报投诉"),
    "not_processed.duplicate": ("重复申请",),
    "not_processed.publication": ("出版物",),
    "not_processed.mass_repetitive": ("大量反复",),
    "not_processed.confirm_or_reissue": ("重新出具", "确认或"),
    "other_handling.overdue_correction": ("不补正",),
    "other_handling.overdue_fee": ("缴纳费用", "收费通知"),
    "results_total": ("总计",),
    "carried_forward": ("结转下年",),
}

OTHER_HANDLING_WORD = "其他处理"
"""Label of 三(六): a row of its own in the 2019 layout, the head of three sub-rows in 2021's."""
OTHER_WORD = "其他"
"""A label ending so is the sub-row 三(六)3 其他 (other_handling.other)…"""
OTHER_NOT_A_ROW = ("其他情形",)
SUBTOTAL_WORD = "小计"
"""A 法人或其他组织小计 column some reports add to table 三 (not in the template: left out)."""
"""…except these endings ((二)部分公开（…不计其他情形）)."""

APPLICANT_SIGNATURES: dict[str, tuple[str, ...]] = {
    "natural_person": ("自然人",),
    "commercial_enterprise": ("商业企业",),
    "research_institution": ("科研机构",),
    "social_welfare_org": ("社会公益组织",),
    "legal_service_org": ("法律服务机构",),
    "other_org": ("其他",),
    "total": ("总计",),
}

APPLICANT_HEAD_FRAGMENTS: dict[str, str] = {
    "自然": "natural_person",
    "商业": "commercial_enterprise",
    "科研": "research_institution",
    "社会": "social_welfare_org",
    "法律": "legal_service_org",
}
"""First halves of applicant heads that layout text and PDFs wrap over two lines (自然 / 人,
商业 / 企业): legible enough to place the column. 总 / 计 and 其 / 他 are too short to trust."""
APPLICANT_GROUP_WORDS: tuple[str, ...] = ("法人或其他组织", "法人或者其他组织", "法人和其他组织")
"""The header cell spanning the five organisation columns (its 其他 is not 其他 the column)."""
APPLICANT_HEADER_STARTS: tuple[str, ...] = ("申请人情况",)
"""Where table 三's column header starts (text before it, e.g. prose glued by a crawler, is not header)."""

# Table 二.
ACTIVE_CATEGORY_SIGNATURES: dict[str, tuple[str, ...]] = {
    "normative_documents": ("规范性文件",),
    "regulations": ("规章",),
    "licensing": ("行政许可",),
    "other_services": ("其他对外管理服务事项", "对外管理服务"),
    "punishment": ("行政处罚",),
    "enforcement": ("行政强制",),
    "fees": ("行政事业性收费", "事业性收费"),
    "procurement": ("政府集中采购", "集中采购"),
}

ACTIVE_METRICS: dict[str, dict[str, tuple[str, ...]]] = {
    "2021": {
        "regulations": ("issued", "abolished", "in_force"),
        "normative_documents": ("issued", "abolished", "in_force"),
        "licensing": ("decisions",),
        "punishment": ("decisions",),
        "enforcement": ("decisions",),
        "fees": ("amount_10k_yuan",),
    },
    "2019": {
        "regulations": ("made", "published", "total_public"),
        "normative_documents": ("made", "published", "total_public"),
        "licensing": ("prev_items", "change", "decisions"),
        "other_services": ("prev_items", "change", "decisions"),
        "punishment": ("prev_items", "change", "decisions"),
        "enforcement": ("prev_items", "change", "decisions"),
        "fees": ("prev_items", "change"),
        "procurement": ("items", "amount_10k_yuan"),
    },
}

ACTIVE_METRIC_HEADS: dict[str, str] = {
    "本年制发件数": "issued",
    "本年废止件数": "abolished",
    "现行有效件数": "in_force",
    "本年新制作数量": "made",
    "本年新公开数量": "published",
    "本年公开数量": "published",  # printed so by pingtan-zrz-2020 [sic]
    "对外公开总数量": "total_public",
    "上一年项目数量": "prev_items",
    "本年增/减": "change",
    "本年增减": "change",
    "本年处理决定数量": "decisions",
    "处理决定数量": "decisions",
    "本年收费金额": "amount_10k_yuan",
    "采购项目数量": "items",
    "采购总金额": "amount_10k_yuan",
}
"""Table 二's column heads (normalised text) → metric; tables.active_columns orders a row's
cells by them."""

# Where the tables are (tables.find_regions), as printed words of normalised text.
REGION_STARTS: dict[str, tuple[str, ...]] = {
    "active": ("第二十条", "信息内容"),
    "applications": ("勾稽关系", "申请人情况", "本年新收"),
    "review": ("行政复议", "复议"),
}
"""First words of tables 二, 三 and 四: a table starts on the first line holding one (table 三
first; table 二 before it; table 四 after it, on the first line after table 三's start)."""
REGION_ENDS: tuple[str, ...] = ("存在的主要问题", "主要问题", "改进情况", "其他需要报告")
"""Headings of the narrative sections after the tables: the last table ends before them."""
APPLICATION_HEADER_WORDS: tuple[str, ...] = ("自然人", "商业企业", "科研机构", "申请人情况", "勾稽关系")
"""Words of table 三's header: a line holding them is a header row, never a blank value row."""
TEMPLATE_FALLBACK_WORDS: dict[str, tuple[str, ...]] = {
    "2019": ("上一年项目数量",),
    "2021": ("本年处理决定数量",),
}
"""Column heads that tell table 二's template when its first header (TEMPLATE_HEADER_SIGNATURES) was lost."""
TEMPLATE_ONLY_CATEGORIES: dict[str, tuple[str, ...]] = {"2019": ("other_services", "procurement")}
"""Rows only one template of table 二 has."""
PROSE_CATEGORY_WORDS: dict[str, str] = {"regulations": "规章", "normative_documents": "规范性文件"}
"""How the narrative names a table 二 category when it repeats its numbers ('制发规范性文件62件')."""
PRE2019_MARKERS: tuple[str, ...] = ("当面申请", "同意公开", "同意部分公开", "网络申请", "信函申请", "传真申请")
"""Labels of the pre-2019 national practice (channels and outcomes the 2019 template dropped)."""

# Column headers that decide the template of table 二 (per table, not per year).
TEMPLATE_HEADER_SIGNATURES: dict[str, tuple[str, ...]] = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数"),
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
}

# Printed words of table 二's layout.
ACTIVE_SUBTABLE_HEADS: tuple[str, ...] = ("信息内容",)
"""Head of each sub-table of table 二 (第二十条第（X）项 信息内容 | column headers): a unit
note printed after it belongs to that sub-table only."""
UNIT_NOTE = re.compile(r"\((?:单位[:：]?)?(亿元|万元|千元|元)\)|单位[:：]?(亿元|万元|千元|元)")
"""A money unit note on normalised text: （单位：万元）, （元）, 单位：亿元."""

# Metrics whose value may be negative (本年增/减) or fractional (money).
SIGNED_METRICS = frozenset({"change"})
MONEY_METRICS = frozenset({"amount_10k_yuan"})

# Table 四.
PROCEEDINGS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
OUTCOMES: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
REVIEW_LITIGATION_KEYS: tuple[str, ...] = tuple(f"{p}.{o}" for p in PROCEEDINGS for o in OUTCOMES)
REVIEW_PROCEEDING_WORDS: dict[str, str] = {
    "行政复议": "review",
    "行政法复议": "review",  # typo printed by pingtan-shs-2024
    "行政诉讼": "litigation",
    "未经复议直接起诉": "litigation_direct",
    "复议后起诉": "litigation_after_review",
}
"""Table 四's proceeding heads (normalised text) → block; 行政诉讼 spans the two litigation blocks."""
REVIEW_OUTCOME_WORDS: dict[str, str] = {
    "结果维持": "upheld",
    "结果纠正": "corrected",
    "其他结果": "other",
    "尚未审结": "pending",
    "总计": "total",
}
"""Table 四's outcome column heads, printed once per proceeding block."""
NOTE_WORDS: tuple[str, ...] = ("注", "备注", "说明")
"""A line starting so is a note under a table (注：行政复议…数量含上年度结转数量), not a row or header."""
REVIEW_HEADER_STARTS: tuple[str, ...] = ("行政诉讼情况", "行政诉讼的情况")
"""End of table 四's heading (四、…行政复议、行政诉讼情况): its 行政复议 is not a column head."""


def active_keys(template: str) -> list[str]:
    return [f"{c}.{m}" for c, ms in ACTIVE_METRICS[template].items() for m in ms]


# Cell flags. Warnings mean "do not trust this value without looking"; the others record how a
# value was read (its printed text is always kept).
WARNING_FLAGS = frozenset({
    "ambiguous", "not_found", "conflicting_duplicate", "negative", "unit_assumed",
    "unparsed",  # looks like a value but fits no form of the cell grammar (numbers.py): null
    "implausible",  # beyond IMPLAUSIBLE_COUNT / IMPLAUSIBLE_AMOUNT_10K_YUAN
    "position_assumed",  # the column header was missing or unreadable: placed by template order
    "header_mismatch",  # the printed column header does not fit the template: null
})
INFO_FLAGS = frozenset({
    "split_digits", "annotated", "unit_converted", "merged_row", "merged_cell",
    "blank_placed",  # the blank cell invisible in layout text placed by the row identity (总计)
    "placed_by_identity",  # flattened text fits several placements; the row identity (总计) fits one
    "footnote",  # a footnote mark (①, *, ※, 注, [1], superscript) was stripped; raw text kept
    "wrapped_number",  # the digits were printed over two lines of one cell (PDF) and joined
    "corrected",  # a person's correction set the value (disclosure/corrections.py); the parser's in original_*
    "ocr",  # read by OCR from a page image; the engine's confidence is in provenance (ocr_cells.py)
    "ocr_identity_choice",  # a doubtful OCR digit: the one engine reading the report's identities allow
})

# Plausibility (numbers.implausible). A cell above these is flagged `implausible` (its value is
# kept: it may be true, but it is far beyond anything printed by one body).
IMPLAUSIBLE_COUNT: dict[str, int] = {
    "active_disclosure": 100_000_000,
    "applications": 1_000_000,
    "review_litigation": 100_000,
}
"""Largest believable count per table. The corpus maxima are 11,398,889 (a 表二 count of
行政许可 decisions), a few thousand requests per cell in 表三 and tens in 表四."""
IMPLAUSIBLE_AMOUNT_10K_YUAN = 100_000_000
"""Largest believable amount: 1万亿元 (10⁸ 万元); the corpus maximum is 316,441 万元."""
UNREPRESENTABLE = 10**15
"""Counts beyond this cannot be a cell of any report (a run of digits read as one number):
the value is dropped (null, `implausible` and `unparsed`) rather than stored."""

YEAR_RANGE: tuple[int, int] = (1990, 2099)
"""Years a report's prose may print right after a table row (tables.split_glued_years)."""
MAX_LABEL_TAIL = 6
"""Characters a row label may print after its signature (结转下年 + 度继续办理)."""
THOUSANDS_SEPARATORS = frozenset({",", "，"})
"""Printed thousands separators (numbers.py accepts them only in valid 3-digit groups)."""
ROW_MAJOR_TEXT_FORMATS = frozenset({"text-crawler"})
"""Text formats (besides the grid ones) whose table text runs cell by cell, row by row, so
that a header's text order is its column order (tables.applicant_columns)."""


# Printed labels of the national template (docs/vocabulary.md), for laying a report's tables out
# as printed (disclosure/exports.py). Matching uses the signatures above, never these.
ACTIVE_CATEGORY_LABELS: dict[str, str] = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "punishment": "行政处罚",
    "enforcement": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
"""表二 row heads (信息内容)."""
ACTIVE_METRIC_LABELS: dict[str, str] = {
    "issued": "本年制发件数", "abolished": "本年废止件数", "in_force": "现行有效件数",
    "made": "本年新制作数量", "published": "本年新公开数量", "total_public": "对外公开总数量",
    "prev_items": "上一年项目数量", "change": "本年增/减", "decisions": "本年处理决定数量",
    "amount_10k_yuan": "金额（万元）", "items": "采购项目数量",
}
"""表二 column heads."""
APPLICATION_ROW_LABELS: dict[str, str] = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "三(一) 予以公开",
    "partially_granted": "三(二) 部分公开（区分处理的，只计这一情形，不计其他情形）",
    "withheld.state_secret": "三(三)1 属于国家秘密",
    "withheld.prohibited_by_law": "三(三)2 其他法律行政法规禁止公开",
    "withheld.endangers_security": "三(三)3 危及“三安全一稳定”",
    "withheld.third_party_rights": "三(三)4 保护第三方合法权益",
    "withheld.internal_affairs": "三(三)5 属于三类内部事务信息",
    "withheld.process_info": "三(三)6 属于四类过程性信息",
    "withheld.enforcement_file": "三(三)7 属于行政执法案卷",
    "withheld.administrative_query": "三(三)8 属于行政查询事项",
    "unable.not_held": "三(四)1 本机关不掌握相关政府信息",
    "unable.needs_creation": "三(四)2 没有现成信息需要另行制作",
    "unable.unclear_after_correction": "三(四)3 补正后申请内容仍不明确",
    "not_processed.petition": "三(五)1 信访举报投诉类申请",
    "not_processed.duplicate": "三(五)2 重复申请",
    "not_processed.publication": "三(五)3 要求提供公开出版物",
    "not_processed.mass_repetitive": "三(五)4 无正当理由大量反复申请",
    "not_processed.confirm_or_reissue": "三(五)5 要求行政机关确认或重新出具已获取信息",
    "other_handling": "三(六) 其他处理",
    "other_handling.overdue_correction": "三(六)1 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_handling.overdue_fee": "三(六)2 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_handling.other": "三(六)3 其他",
    "results_total": "三(七) 总计",
    "carried_forward": "四、结转下年度继续办理",
}
"""表三 row labels as the template prints them."""
APPLICANT_LABELS: dict[str, str] = {
    "natural_person": "自然人", "commercial_enterprise": "商业企业", "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织", "legal_service_org": "法律服务机构", "other_org": "其他", "total": "总计",
}
"""表三 column heads (the five organisation columns stand under 法人或其他组织)."""
PROCEEDING_LABELS: dict[str, str] = {
    "review": "行政复议", "litigation_direct": "行政诉讼 · 未经复议直接起诉",
    "litigation_after_review": "行政诉讼 · 复议后起诉",
}
"""表四 blocks."""
OUTCOME_LABELS: dict[str, str] = {
    "upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计",
}
"""表四 column heads (printed once per block)."""
