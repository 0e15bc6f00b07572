"""Printed labels of tables 二/三/四 and the variants real reports use (data)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

# Table 三 row layout: key -> (group label or None, item label). Group None with a "top"
# section means the label spans all three label columns.
TOP_ROWS: dict[str, str] = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "carried_forward": "四、结转下年度继续办理",
}
RESULT_SECTION = "三、本年度办理结果"
RESULT_ROWS: dict[str, tuple[str | None, str]] = {
    "granted": (None, "{o1}一{c1}予以公开"),
    "partially_granted": (None, "{o1}二{c1}部分公开{o2}区分处理的，只计这一情形，不计其他情形{c2}"),
    "withheld.state_secret": ("{o1}三{c1}不予公开", "1{n}属于国家秘密"),
    "withheld.prohibited_by_law": ("{o1}三{c1}不予公开", "2{n}{prohibited}"),
    "withheld.endangers_security": ("{o1}三{c1}不予公开", "3{n}危及{q1}三安全一稳定{q2}"),
    "withheld.third_party_rights": ("{o1}三{c1}不予公开", "4{n}保护第三方合法权益"),
    "withheld.internal_affairs": ("{o1}三{c1}不予公开", "5{n}属于三类内部事务信息"),
    "withheld.process_info": ("{o1}三{c1}不予公开", "6{n}属于四类过程性信息"),
    "withheld.enforcement_file": ("{o1}三{c1}不予公开", "7{n}属于行政执法案卷"),
    "withheld.administrative_query": ("{o1}三{c1}不予公开", "8{n}属于行政查询事项"),
    "unable.not_held": ("{o1}四{c1}无法提供", "1{n}本机关不掌握相关政府信息"),
    "unable.needs_creation": ("{o1}四{c1}无法提供", "2{n}没有现成信息需要另行制作"),
    "unable.unclear_after_correction": ("{o1}四{c1}无法提供", "3{n}补正后申请内容仍不明确"),
    "not_processed.petition": ("{o1}五{c1}不予处理", "1{n}信访举报投诉类申请"),
    "not_processed.duplicate": ("{o1}五{c1}不予处理", "2{n}重复申请"),
    "not_processed.publication": ("{o1}五{c1}不予处理", "3{n}要求提供公开出版物"),
    "not_processed.mass_repetitive": ("{o1}五{c1}不予处理", "4{n}无正当理由大量反复申请"),
    "not_processed.confirm_or_reissue": ("{o1}五{c1}不予处理", "5{n}要求行政机关确认或重新出具已获取信息"),
    "other_handling.overdue_correction": (
        "{o1}六{c1}其他处理",
        "1{n6}申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    "other_handling.overdue_fee": (
        "{o1}六{c1}其他处理",
        "2{n6}申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    "other_handling.other": ("{o1}六{c1}其他处理", "3{n6}其他"),
    "other_handling": (None, "{o1}六{c1}其他处理"),
    "results_total": (None, "{o1}七{c1}总计"),
}
KEEP_CHECK = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEADERS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "social_welfare_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
ORG_GROUP = "法人或其他组织"
APPLICANTS_GROUP = "申请人情况"

# Table 二.
ACTIVE_ITEMS_2021: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    # (第二十条 item, metric headers, (category key, label) rows)
    ("第二十条第{o1}一{c1}项", ("本年制发件数", "本年废止件数", "现行有效件数"),
     (("regulations", "规章"), ("normative_documents", "{normative}"))),
    ("第二十条第{o1}五{c1}项", ("本年处理决定数量",), (("licensing", "行政许可"),)),
    ("第二十条第{o1}六{c1}项", ("本年处理决定数量",), (("punishment", "行政处罚"), ("enforcement", "行政强制"))),
    ("第二十条第{o1}八{c1}项", ("本年收费金额{o1}单位：万元{c1}",), (("fees", "行政事业性收费"),)),
)
ACTIVE_ITEMS_2019: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    ("第二十条第{o1}一{c1}项", ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
     (("regulations", "规章"), ("normative_documents", "规范性文件"))),
    ("第二十条第{o1}五{c1}项", ("上一年项目数量", "本年增/减", "处理决定数量"),
     (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
    ("第二十条第{o1}六{c1}项", ("上一年项目数量", "本年增/减", "处理决定数量"),
     (("punishment", "行政处罚"), ("enforcement", "行政强制"))),
    ("第二十条第{o1}八{c1}项", ("上一年项目数量", "本年增/减"), (("fees", "行政事业性收费"),)),
    ("第二十条第{o1}九{c1}项", ("采购项目数量", "采购总金额"), (("procurement", "政府集中采购"),)),
)

# Table 四.
PROCEEDING_HEADERS = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉")
OUTCOME_HEADERS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "overview": ("一、总体情况",),
    "active": ("二、主动公开政府信息情况",),
    "applications": ("三、收到和处理政府信息公开申请情况",),
    "review": ("四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
               "四、政府信息公开行政复议、行政诉讼情况"),
    "problems": ("五、存在的主要问题及改进情况", "五、政府信息公开工作存在的主要问题及改进情况"),
    "other": ("六、其他需要报告的事项",),
}


@dataclass(frozen=True, eq=False)  # identity hash: cheap lru_cache keys
class LabelStyle:
    o1: str  # opening bracket of （一）
    c1: str
    o2: str  # bracket inside 部分公开（…）
    c2: str
    n: str  # item numbering after the digit: "." or "、" or "．"
    n6: str  # numbering inside 其他处理 (huaian uses 1、 there only)
    q1: str
    q2: str
    prohibited: str
    normative: str  # 行政规范性文件 or 规范性文件 (2021 table 二)
    review_heading: str
    problems_heading: str

    @lru_cache(maxsize=65536)  # noqa: B019 - styles are interned and identity-hashed; bounded
    def fmt(self, text: str) -> str:
        return text.format(o1=self.o1, c1=self.c1, o2=self.o2, c2=self.c2, n=self.n, n6=self.n6, q1=self.q1,
                           q2=self.q2, prohibited=self.prohibited, normative=self.normative)


_INTERNED: dict[tuple[str, ...], LabelStyle] = {}


def random_label_style(rng: random.Random) -> LabelStyle:
    """A style drawn at random; equal styles are the same object (so label caches hit)."""
    rnd = rng.random
    full = rnd() < 0.8
    n = rng.choice((".", ".", ".", "、", "．"))
    fields = (
        "（" if full else "(",
        "）" if full else ")",
        "（" if full or rnd() < 0.5 else "(",
        "）" if full or rnd() < 0.5 else ")",
        n,
        n if rnd() < 0.8 else "、",
        "“" if rnd() < 0.9 else '"',
        "”" if rnd() < 0.9 else '"',
        "其他法律行政止公开" if rnd() < 0.1 else "其他法律行政法规禁止公开",
        "规范性文件" if rnd() < 0.25 else "行政规范性文件",
        rng.choice(SECTION_HEADINGS["review"]),
        rng.choice(SECTION_HEADINGS["problems"]),
    )
    style = _INTERNED.get(fields)
    if style is None:
        style = _INTERNED[fields] = LabelStyle(*fields)
    return style


@lru_cache(maxsize=65536)
def result_label(style: LabelStyle, key: str) -> tuple[str | None, str]:
    group, item = RESULT_ROWS[key]
    return (style.fmt(group) if group else None), style.fmt(item)
