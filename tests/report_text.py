"""Small report texts for unit tests (built by hand from the template, not from parser output)."""

from __future__ import annotations

ROWS_2021 = [
    ("一、本年新收政府信息公开申请数量", "new_received"),
    ("二、上年结转政府信息公开申请数量", "carried_over"),
    ("三、本年度办理结果 | （一）予以公开", "granted"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
    ("（三）不予公开 | 1.属于国家秘密", "withheld.state_secret"),
    ("2.其他法律行政法规禁止公开", "withheld.prohibited_by_law"),
    ("3.危及“三安全一稳定”", "withheld.endangers_security"),
    ("4.保护第三方合法权益", "withheld.third_party_rights"),
    ("5.属于三类内部事务信息", "withheld.internal_affairs"),
    ("6.属于四类过程性信息", "withheld.process_info"),
    ("7.属于行政执法案卷", "withheld.enforcement_file"),
    ("8.属于行政查询事项", "withheld.administrative_query"),
    ("（四）无法提供 | 1.本机关不掌握相关政府信息", "unable.not_held"),
    ("2.没有现成信息需要另行制作", "unable.needs_creation"),
    ("3.补正后申请内容仍不明确", "unable.unclear_after_correction"),
    ("（五）不予处理 | 1.信访举报投诉类申请", "not_processed.petition"),
    ("2.重复申请", "not_processed.duplicate"),
    ("3.要求提供公开出版物", "not_processed.publication"),
    ("4.无正当理由大量反复申请", "not_processed.mass_repetitive"),
    ("5.要求行政机关确认或重新出具已获取信息", "not_processed.confirm_or_reissue"),
    ("（六）其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_handling.overdue_correction"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_handling.overdue_fee"),
    ("3.其他", "other_handling.other"),
    ("（七）总计", "results_total"),
    ("四、结转下年度继续办理", "carried_forward"),
]


def consistent_table(granted: int = 5, not_held: int = 2, carried: int = 1) -> dict[str, list[int]]:
    """A table 三 whose identities hold: natural persons only, totals derived."""
    rows = {key: [0] * 7 for _, key in ROWS_2021}
    rows["granted"][0] = granted
    rows["unable.not_held"][0] = not_held
    rows["results_total"][0] = granted + not_held
    rows["carried_forward"][0] = carried
    rows["new_received"][0] = granted + not_held + carried
    for values in rows.values():
        values[6] = sum(values[:6])
    return rows


def report(
    table3: dict[str, list] | None = None,
    *,
    title: str = "测试县教育局2023年政府信息公开工作年度报告",
    active_rows: str | None = None,
    review_row: str = "| 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
    drop: tuple[str, ...] = (),
) -> str:
    table3 = table3 or consistent_table()
    lines = [
        title,
        "本报告所列数据统计期限为2023年1月1日至2023年12月31日。",
        "一、总体情况",
        "全年主动公开政府信息。",
        "二、主动公开政府信息情况",
        "| 第二十条第（一）项 | | | |",
        "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |",
    ]
    lines += (active_rows or "| 规章 | 0 | 0 | 3 |\n| 行政规范性文件 | 2 | 1 | 40 |\n| 第二十条第（五）项 | | | |\n"
              "| 信息内容 | 本年处理决定数量 | | |\n| 行政许可 | 120 | | |\n| 行政处罚 | 7 | | |\n| 行政强制 | 0 | | |\n"
              "| 第二十条第（八）项 | | | |\n| 信息内容 | 本年收费金额（单位：万元） | | |\n| 行政事业性收费 | 1.5 | | |").split("\n")
    lines += [
        "三、收到和处理政府信息公开申请情况",
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | | | | | | |",
        "| | 自然人 | 法人或其他组织 | | | | | 总计 |",
        "| | | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |",
    ]
    for label, key in ROWS_2021:
        if key in drop:
            continue
        values = table3[key]
        lines.append(f"| {label} | " + " | ".join("" if x is None else str(x) for x in values) + " |")
    lines += [
        "四、政府信息公开行政复议、行政诉讼情况",
        "| 行政复议 | | | | | 行政诉讼 | | | | | | | | | |",
        "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | | | | | 复议后起诉 | | | | |",
        review_row,
        "五、存在的主要问题及改进情况",
        "问题与改进。",
        "六、其他需要报告的事项",
        "无。",
    ]
    return "\n".join(lines)
