"""Plain-text reports: flattened ' | ' web text, markdown pipe tables, pdftotext -layout
output, and crawler text whose table cells were run together with no separator."""

from __future__ import annotations

import re

from disclosure.model import Cell, Document, Line
from disclosure.readers.encoding import decode

_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LAYOUT_GAP = re.compile(r"\s{2,}|\t|\u3000+")
_PAGE_NUMBER = re.compile(r"^\s*[-—–]\s*\d{1,3}\s*[-—–]\s*$|^\s*第\s*\d+\s*页")
_CRAWLER_HEADER = re.compile(r"^(标题|发布时间|发布机构|文号|栏目|原文链接|本地目录|来源)\s*[:：]\s*(.*)$")
# A numeric run in crawler text: digits with the spaces, signs and decimal points that may
# sit between cells, plus a unit printed right after the number.
_RUN = re.compile(r"[+\-]?\d[\d\s.+\-]*(?:万元|元)?")
# "...0000003.危及" — the last digit and the dot are the next label's numbering, not a value.
_NUMBERING_TAIL = re.compile(r"(\d)[.、．]$")
_HAS_DIGIT = re.compile(r"\d")
_RULE = re.compile(r"[=\-_—]{3,}")  # a horizontal rule; a row of '-' cells has spaces between
_GLUED = re.compile(r"[\u4e00-\u9fff）)“”\"]\d")


def read_text(data: bytes, path: str = "") -> Document:
    text, note = decode(data, path)
    return parse_text(text, path, notes=[note])


def parse_text(text: str, path: str = "", notes: list[str] | None = None) -> Document:
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta: dict[str, str] = {}
    title: str | None = None
    lines: list[Line] = []
    table = -1
    in_table = False
    kinds: set[str] = set()
    pipe_lines = framed = 0
    for n, raw in enumerate(raw_lines, 1):
        where = f"line {n}"
        header = _CRAWLER_HEADER.match(raw.strip()) if n <= 12 else None
        if header:
            meta[header.group(1)] = header.group(2).strip()
            if header.group(1) == "标题":
                title = header.group(2).strip()
            continue
        for page in raw.split("\f"):
            stripped = page.strip()
            if not stripped or _PAGE_NUMBER.match(stripped) or _RULE.fullmatch(stripped):
                continue
            if "|" in stripped:
                if _MD_SEPARATOR.match(stripped):
                    kinds.add("markdown")  # only markdown tables have |---| rows
                    continue
                if not in_table:
                    table += 1
                    in_table = True
                kinds.add("pipe")
                pipe_lines += 1
                framed += stripped.startswith("|") and stripped.endswith("|")
                lines.append(Line(_pipe_cells(stripped), where, table))
                continue
            in_table = False
            if _is_crawler_line(stripped):
                kinds.add("crawler")
                lines.extend(_crawler_lines(stripped, where))
            else:
                if not _HAS_DIGIT.search(stripped):
                    parts = [t for t in _LAYOUT_GAP.split(stripped) if t]
                    lines.append(Line([Cell(t, i) for i, t in enumerate(parts)], where))
                    continue
                cells = [Cell(t, i) for i, t in enumerate(_LAYOUT_GAP.split(stripped)) if t]
                if len(cells) > 1:
                    kinds.add("layout")
                lines.append(Line(_split_number_tail(cells), where))
    if pipe_lines and framed * 2 > pipe_lines:
        kinds.add("markdown")  # rows framed by pipes on both sides, as markdown writes them
    fmt = _format_name(kinds)
    return Document(lines=lines, format=fmt, title=title, meta=meta, notes=list(notes or []),
                    grid=fmt in ("markdown", "text-pipe"), spans_lost=fmt == "text-pipe")


def _format_name(kinds: set[str]) -> str:
    for kind, name in (("crawler", "text-crawler"), ("markdown", "markdown"), ("pipe", "text-pipe"), ("layout", "text-layout")):
        if kind in kinds:
            return name
    return "text"


def _pipe_cells(line: str) -> list[Cell]:
    parts = line.split("|")
    if line.startswith("|"):
        parts = parts[1:]
    if line.endswith("|") and line.startswith("|"):
        parts = parts[:-1]
    return [Cell(p.strip(), i) for i, p in enumerate(parts)]


def _split_number_tail(cells: list[Cell]) -> list[Cell]:
    """Layout text sometimes leaves one space between numbers ('2 0 0'): split such cells."""
    out: list[Cell] = []
    for c in cells:
        parts = c.text.split(" ")
        if len(parts) > 1 and all(re.fullmatch(r"[+\-]?\d+(\.\d+)?", p) for p in parts):
            out.extend(Cell(p, len(out) + i) for i, p in enumerate(parts))
        else:
            # A label and its first number separated by one space ('结果 3') keep apart too.
            m = re.fullmatch(r"(.*[^\d\s.+\-])\s+((?:[+\-]?\d+(?:\.\d+)?\s*)+)", c.text)
            if m and not re.search(r"\d[.、．]$", m.group(1)):
                out.append(Cell(m.group(1), len(out)))
                out.extend(Cell(p, len(out) + i) for i, p in enumerate(m.group(2).split()))
            else:
                out.append(Cell(c.text, len(out)))
    return out


def _is_crawler_line(line: str) -> bool:
    """A line that holds table rows glued to their numbers (several labels, digits right after)."""
    if len(line) < 80:
        return False
    hits = sum(1 for w in ("本年新收", "上年结转", "予以公开", "部分公开", "结转下年", "行政许可", "行政处罚") if w in line)
    return hits >= 3 and len(_GLUED.findall(line)) >= 5


def _crawler_lines(line: str, where: str) -> list[Line]:
    """Split a crawler line into (label, joined digits) rows at every numeric run."""
    out: list[Line] = []
    label_start = 0
    carry = ""
    for m in _RUN.finditer(line):
        run = m.group(0)
        start, end = m.span()
        nxt = line[end : end + 1]
        # Numbers inside prose ("2024年", "第711号") are not table cells: keep them in the label.
        if nxt and re.match(r"[年月日号%个件项条次期名人家万亿]", nxt) and not run.endswith("元"):
            continue
        tail_numbering = ""
        body = run.rstrip()
        tm = _NUMBERING_TAIL.search(body)
        after = line[end + 1 : end + 2]
        if tm and nxt and re.match(r"[\u4e00-\u9fff“\"]", nxt):
            tail_numbering = body[tm.start() :]
            body = body[: tm.start()]
        elif nxt in ("．", "、") and body[-1:].isdigit() and re.match(r"[\u4e00-\u9fff“\"]", after):
            # '…1400001152．申请人' / '…232、申请人': the digit before the dot numbers the next label.
            tail_numbering = body[-1]
            body = body[:-1]
        elif re.search(r"\d[.、．]$", body) and not nxt:
            body = body[:-1]
        label = carry + line[label_start:start]
        carry = tail_numbering
        label_start = end
        body = body.strip()
        if not body:
            carry = label + carry
            continue
        # Spaces and signs are hard boundaries: a cell never spans them.
        segments = re.findall(r"[+\-]?[\d.]+(?:万元|元)?", body)
        cells = [Cell(label.strip(), 0)] + [Cell(s, i + 1, joined=True) for i, s in enumerate(segments)]
        out.append(Line(cells, f"{where} char {start}"))
    rest = carry + line[label_start:]
    if rest.strip():
        out.append(Line([Cell(rest.strip(), 0)], f"{where} char {label_start}"))
    return out
