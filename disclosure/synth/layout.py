"""`pdftotext -layout` style text (huaian-gov-2024, hongze-gov-2023): columns by spaces,
labels wrapped over lines with the numbers on a line of their own, the vertical cell
三、本年度办理结果 one character per line, group labels broken in two, shredded headers,
page-number lines ('-3-', '— 4 —') followed by a form feed, digits spaced in prose."""

from __future__ import annotations

import random
import re

from disclosure import vocabulary as v
from disclosure.synth.document import Block, GTable, application_rows
from disclosure.synth.labels import APPLICANT_HEADERS, KEEP_CHECK, RESULT_SECTION, TOP_ROWS, result_label
from disclosure.synth.spec import Spec

# Typesetting never starts a line with closing punctuation (kinsoku).
_NO_LINE_START = frozenset("，。、；：）》”’！？")
_DIGIT_EDGE = re.compile(r"(?<=[^\x00-\x7f])(?=\d)|(?<=\d)(?=[^\x00-\x7f])")


def width(text: str) -> int:
    """Display columns: CJK (3-byte UTF-8) characters take two."""
    return len(text) + (len(text.encode("utf-8")) - len(text)) // 2


def place(items: list[tuple[int, str]]) -> str:
    """Put texts at display columns; a text never starts closer than 2 spaces to the previous."""
    out = ""
    for x, text in sorted(items, key=lambda it: it[0]):
        if not text:
            continue
        cur = width(out)
        gap = x - cur if cur == 0 else max(2, x - cur)
        out += " " * max(0, gap) + text
    return out


def wrap(text: str, limit: int) -> list[str]:
    """Cut a label into fragments of at most `limit` display columns."""
    parts: list[str] = []
    start, used = 0, 0
    for i, ch in enumerate(text):
        w = 1 if ch < "\x80" else 2
        if used + w > limit and i > start and ch not in _NO_LINE_START:
            parts.append(text[start:i])
            start, used = i, 0
        used += w
    if start < len(text):
        parts.append(text[start:])
    return parts


def space_digits(text: str) -> str:
    """pdftotext puts spaces around numbers set in another font: '2024 年'."""
    return _DIGIT_EDGE.sub(" ", text)


def prose_lines(text: str, rng: random.Random, cols: int) -> list[str]:
    frags = wrap(space_digits(text), cols)
    return ["   " + frags[0], *frags[1:]] if frags else []


class Layout:
    def __init__(self, spec: Spec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        self.label_w = rng.randint(36, 46)
        self.col_w = rng.randint(7, 10)
        self.item_indent = rng.randint(11, 17)
        self.wrap_mode = rng.choice(("values_first", "values_middle", "values_after"))
        self.vertical = rng.choice(("chars", "chars", "spaced", "inline"))
        self.label_limit = rng.randint(24, 30)
        self.xs = [self.label_w + i * self.col_w for i in range(7)]


    def values_line(self, texts: list[str], prefix: list[tuple[int, str]] | None = None) -> str:
        items = list(prefix or [])
        rnd = self.rng.random
        items += [(x + int(rnd() * 3), t) for x, t in zip(self.xs, texts, strict=True)]
        return place(items)

    # ---------------------------------------------------------- table 二
    def active(self, table: GTable) -> list[str]:
        out: list[str] = []
        lw, cw = self.rng.randint(16, 30), self.rng.randint(12, 18)
        for cells in table.rows:
            if len(cells) == 1:
                out += ["", " " * self.rng.randint(0, 14) + cells[0].text.replace("第二十条第", "第二十条 第" if self.rng.random() < 0.5 else "第二十条第"), ""]
                continue
            out.append(place([(0, cells[0].text)] + [(lw + i * cw, c.text) for i, c in enumerate(cells[1:])]))
            out.append("")
        return out

    # ---------------------------------------------------------- table 三
    def header(self) -> list[str]:
        xs = self.xs
        check = wrap(KEEP_CHECK, self.label_w - 4)
        org_pieces = [wrap(APPLICANT_HEADERS[c], 6) for c in v.ORG_APPLICANTS]
        lines = [place([(xs[3], "申请人情况")]), "", place([(0, check[0]), (xs[2], "法人或其他组织")])]
        lines += check[1:]
        lines.append(place([(xs[0], APPLICANT_HEADERS["natural_person"]), (xs[6], APPLICANT_HEADERS["total"])]))
        depth = max(len(p) for p in org_pieces)
        for d in range(depth):
            lines.append(place([(xs[1 + i], p[d]) for i, p in enumerate(org_pieces) if d < len(p)]))
        return [*lines, ""]

    def row_lines(self, indent: int, label: str, texts: list[str], prefix: str | None) -> list[str]:
        # Top rows span all three label columns and fit on one line (as in every corpus PDF).
        limit = self.label_w - 2 if indent == 0 else self.label_limit if indent < 10 else self.label_w - indent - 2
        frags = wrap(label, max(8, limit))
        pre = [(0, prefix)] if prefix else []
        if len(frags) == 1:
            return [self.values_line(texts, [*pre, (indent, frags[0])])]
        if self.wrap_mode == "values_first":
            return [self.values_line(texts, [*pre, (indent, frags[0])])] + [" " * indent + f for f in frags[1:]]
        if self.wrap_mode == "values_middle":
            return [place([*pre, (indent, frags[0])]), self.values_line(texts)] + [" " * indent + f for f in frags[1:]]
        return [place([*pre, (indent, frags[0])])] + [" " * indent + f for f in frags[1:]] + [self.values_line(texts)]

    def applications(self) -> list[str]:
        spec = self.spec
        rows = application_rows(spec)
        result_rows = [r for r in rows if r not in TOP_ROWS]
        vertical = ["三、", *RESULT_SECTION[2:]]
        slots = sorted(self.rng.sample(range(len(result_rows)), len(vertical)))
        out = self.header()
        group_seen: dict[str, int] = {}
        group_sizes: dict[str, int] = {}
        for r in result_rows:
            g, _ = result_label(spec.labels, r)
            if g:
                group_sizes[g] = group_sizes.get(g, 0) + 1
        for r in rows:
            texts = [spec.apps_text[r][c] for c in v.APPLICANTS]
            if r in TOP_ROWS:
                out += self.row_lines(0, TOP_ROWS[r], texts, None)
                out.append("")
                continue
            j = result_rows.index(r)
            prefix = None
            if self.vertical in ("chars",) and j in slots:
                char = vertical[slots.index(j)]
                if self.rng.random() < 0.5:
                    out.append(char)
                else:
                    prefix = char
            if self.vertical == "spaced" and j == len(result_rows) // 3:
                out.append(" " + " ".join(RESULT_SECTION))
            group, item = result_label(spec.labels, r)
            if self.vertical == "inline" and j == 0:
                prefix = RESULT_SECTION
            if group is None:
                out += self.row_lines(6, item, texts, prefix)
            else:
                n = group_seen.get(group, 0)
                group_seen[group] = n + 1
                if n == group_sizes[group] // 2:
                    for piece in wrap(group, self.rng.choice((8, 10, 14))):
                        out.append(" " * 6 + piece)
                out += self.row_lines(self.item_indent, item, texts, prefix)
            if self.rng.random() < 0.4:
                out.append("")
        return out

    # ---------------------------------------------------------- table 四
    def review(self) -> list[str]:
        cw = self.rng.randint(5, 8)
        xs = [i * cw for i in range(15)]
        heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
        top = [wrap(h, 4) if h != "总计" else ["", "总计"] for h in heads]
        out = [place([(0, "行政复议"), (xs[5] + 4, "行政诉讼")]), "",
               place([(xs[5], "未经复议直接起诉"), (xs[10], "复议后起诉")]), ""]
        for d in range(2):
            out.append(place([(xs[i], top[i % 5][d]) for i in range(15) if d < len(top[i % 5])]))
        out += ["", ""]
        texts = [self.spec.review_text[k] for k in v.REVIEW_LITIGATION_KEYS]
        out.append(place([(x, t) for x, t in zip(xs, texts, strict=True)]))
        return [*out, ""]

    # ---------------------------------------------------------- document
    def render(self, doc: list[Block]) -> list[str]:
        spec, rng = self.spec, self.rng
        cols = rng.randint(58, 62)
        out: list[str] = []
        for kind, item in doc:
            if kind == "title":
                if spec.title.startswith(spec.agency.name):
                    rest = spec.title[len(spec.agency.name):]
                    out += [" " * rng.randint(8, 16) + spec.agency.name, " " * rng.randint(3, 6) + space_digits(rest).strip(), "", ""]
                else:
                    if not spec.title_has_agency:
                        out.append(" " * rng.randint(8, 16) + spec.agency.name)
                    out += [" " * rng.randint(3, 6) + f for f in wrap(space_digits(spec.title), 44)] + ["", ""]
            elif kind == "meta":
                continue
            elif kind == "heading":
                out.append(" " * rng.randint(3, 6) + str(item))
            elif kind == "para":
                out += prose_lines(str(item), rng, cols)
            else:
                table: GTable = item  # type: ignore[assignment]
                if table.name == "active":
                    out += self.active(table)
                elif table.name == "applications":
                    out += self.applications()
                else:
                    out += self.review()
        return paginate(out, rng)


def paginate(lines: list[str], rng: random.Random) -> list[str]:
    """Insert page-number lines and form feeds every 40-50 lines (also inside tables)."""
    out: list[str] = []
    page, count, per_page = 1, 0, rng.randint(40, 50)
    style = rng.choice(("-{n}-", "— {n} —", "- {n} -"))
    for line in lines:
        if count >= per_page:
            out += ["", " " * rng.choice((0, 40, 70)) + style.format(n=page)]
            page += 1
            count = 0
            line = "\f" + line
        out.append(line)
        count += 1
    out += ["", "", style.format(n=page)]
    return out


def render_layout(spec: Spec, doc: list[Block], rng: random.Random) -> tuple[bytes, list[str], list[str]]:
    layout = Layout(spec, rng)
    text = "\n".join(layout.render(doc)) + "\n"
    notes = [f"pdftotext -layout style text: long labels wrapped ({layout.wrap_mode}), vertical cell "
             f"三、本年度办理结果 printed {layout.vertical}, page-number lines with form feeds."]
    return text.encode("utf-8"), notes, []
