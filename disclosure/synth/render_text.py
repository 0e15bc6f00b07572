"""Text renderers: flattened ' | ' crawl text (xining-etdz-2022), markdown pipe tables and
crawler page.txt with cell separators lost (pingtan-*)."""

from __future__ import annotations

import random

from disclosure import vocabulary as v
from disclosure.synth import split
from disclosure.synth.document import Block, GCell, GTable, expand
from disclosure.synth.labels import RESULT_SECTION
from disclosure.synth.spec import Spec

Rendered = tuple[bytes, list[str], list[str]]


# ---------------------------------------------------------------- pipe text
def pipe_row(cells: list[GCell], width: int) -> str:
    """Origin cells in order, padded with empty cells to the table width, as the seed prints."""
    entries = [c.text for c in cells] + [""] * max(0, width - len(cells))
    return "".join(f"{t} | " if t else "|" for t in entries).rstrip()


def render_pipe(spec: Spec, doc: list[Block], rng: random.Random) -> Rendered:
    lines: list[str] = []
    with_title = rng.random() < 0.6
    for kind, item in doc:
        if kind == "title":
            if with_title:
                lines.append(str(item))
            elif spec.title_has_agency:  # no title and no 发布机构 line: name the body in the text
                lines.append(f"发布机构：{spec.agency.name}" if rng.random() < 0.5 else
                             f"本报告由{spec.agency.name}编制。")
        elif kind == "table":
            table: GTable = item  # type: ignore[assignment]
            lines += [pipe_row(cells, table.width) for cells in table.rows]
        else:
            lines.append(str(item))
    notes = ["Flattened ' | ' crawl text: origin cells in order, padded with empty cells to the table width"
             + ("" if with_title else "; no title line (agency from 发布机构 or body)") + "."]
    return "\n".join(lines).encode("utf-8"), notes, []


# ---------------------------------------------------------------- markdown
def md_row(texts: list[str]) -> str:
    return "| " + " | ".join(t.replace("|", "｜") for t in texts) + " |"


def md_table(table: GTable, repeat_labels: bool) -> list[str]:
    out: list[str] = []
    for r, slots in enumerate(expand(table)):
        texts = []
        for cell, origin in slots:
            if cell is None:
                texts.append("")
            elif origin or (repeat_labels and cell.kind == "label"):
                texts.append(cell.text)
            else:
                texts.append("")
        out.append(md_row(texts))
        if r == 0:
            out.append(md_row(["---"] * table.width).replace(" --- ", "---"))
    return out


def md_active_split(table: GTable) -> list[str]:
    """Table 二 as one small table per 第二十条 item under a heading (shuyang-gov-2025)."""
    out: list[str] = []
    for cells in table.rows:
        if len(cells) == 1:
            out += ["", f"### {cells[0].text}"]
            continue
        out.append(md_row([c.text for c in cells]))
        if cells[0].text == "信息内容":
            out.append(md_row(["---"] * len(cells)).replace(" --- ", "---"))
    return out


def render_markdown(spec: Spec, doc: list[Block], rng: random.Random) -> Rendered:
    repeat_labels = rng.random() < 0.3
    split_active = rng.random() < 0.5
    heading_marks = rng.random() < 0.7
    lines: list[str] = []
    for kind, item in doc:
        if kind == "title":
            lines += [f"# {item}", ""]
        elif kind == "heading":
            lines += [f"## {item}" if heading_marks else str(item), ""]
        elif kind == "table":
            table: GTable = item  # type: ignore[assignment]
            if table.name == "active" and split_active:
                lines += md_active_split(table)
            else:
                lines += md_table(table, repeat_labels)
            lines.append("")
        else:
            lines += [str(item), ""]
    notes = [f"Markdown pipe tables (spanned slots {'repeat row labels' if repeat_labels else 'left empty'}"
             f"{'; 表二 split into one table per 第二十条 item' if split_active else ''})."]
    return "\n".join(lines).encode("utf-8"), notes, []


# ---------------------------------------------------------------- crawler page.txt
def _runs(cells: list[GCell], rng: random.Random, nbsp_rate: float) -> str:
    out = []
    for c in cells:
        out.append(c.text)
        if c.kind == "value" and rng.random() < nbsp_rate:
            out.append(" ")  # a trailing &nbsp; survives as a space
    return "".join(out)


def _active_ambiguous(table: GTable) -> list[str]:
    flagged: list[str] = []
    for cells in table.rows:
        vals = [c for c in cells if c.kind == "value"]
        if len(vals) > 1:
            run = "".join(c.text for c in vals).replace("元", "")
            if split.count_free_splits(run, len(vals)) != 1:
                flagged += [c.key for c in vals if c.key]
    return flagged


def _applications_ambiguous(spec: Spec) -> list[str]:
    flagged: list[str] = []
    for row, cells in spec.apps.items():
        nums = [cells[c] for c in v.APPLICANTS]
        if any(x is None for x in nums):
            continue
        truth_ok = sum(nums[:6]) == nums[6]  # type: ignore[arg-type]
        run = "".join(str(x) for x in nums)
        if not (truth_ok and split.count_sum_row(run, 6) == 1):
            flagged += [f"applications.{row}.{c}" for c in v.APPLICANTS]
    return flagged


def _review_ambiguous(spec: Spec) -> list[str]:
    nums = [spec.review[k] for k in v.REVIEW_LITIGATION_KEYS]
    if any(x is None for x in nums):
        return []
    truth_ok = all(sum(nums[i:i + 4]) == nums[i + 4] for i in (0, 5, 10))  # type: ignore[arg-type]
    if truth_ok and split.count_grouped("".join(str(x) for x in nums), 3, 4) == 1:
        return []
    return [f"review_litigation.{k}" for k in v.REVIEW_LITIGATION_KEYS]


def render_crawler(spec: Spec, doc: list[Block], rng: random.Random) -> Rendered:
    nbsp_rate = rng.choice((0.0, 0.0, 0.15, 0.4))
    split_section = rng.random() < 0.3
    publisher = spec.agency.name if (not spec.title_has_agency or rng.random() < 0.4) else ""
    page_title = spec.title if spec.title_has_agency else f"{spec.agency.name}{spec.year}年度政府信息公开工作年度报告"
    body: list[str] = []
    ambiguous: list[str] = []
    for kind, item in doc:
        if kind == "meta":
            continue
        if kind != "table":
            body.append(str(item))
            continue
        table: GTable = item  # type: ignore[assignment]
        parts = []
        for cells in table.rows:
            text = _runs(cells, rng, nbsp_rate)
            if split_section and table.name == "applications" and cells[0].text.startswith(spec.labels.fmt("{o1}四{c1}")):
                text = RESULT_SECTION + text  # the vertical cell split in two rowspans (pingtan-2019)
            parts.append(text)
        body.append("".join(parts))
        if table.name == "active":
            ambiguous += _active_ambiguous(table)
    ambiguous += _applications_ambiguous(spec) + _review_ambiguous(spec)
    header = [
        f"标题: {page_title}",
        f"发布时间: {spec.published} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}",
        "文号: ",
        f"发布机构: {publisher}",
        "栏目: 政府信息公开年报",
        f"原文链接: https://www.example.gov.cn/zwgk/zfxxgk/zfxxgknb/{spec.published[:7].replace('-', '')}/t{spec.published.replace('-', '')}_{spec.index}.htm",
        f"本地目录: zwgk/zfxxgk/zfxxgknb/{spec.index}_{page_title}",
        "页面链接与图片详见 links.tsv(同目录)",
        "==================== 正文 ====================",
    ]
    text = "\n".join(header) + "\n" + "".join(body)
    notes = ["Crawler page.txt: table cells concatenated with no separator"
             + (" (some cells followed by a stray space from &nbsp;)" if nbsp_rate else "")
             + (f"; {len(set(ambiguous))} cells whose digit split is not unique by the identities are listed under 'ambiguous'" if ambiguous else
                "; every digit run has a unique split by the identities")
             + "."]
    return text.encode("utf-8"), notes, ambiguous
