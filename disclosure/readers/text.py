"""Plain-text reports: flattened ' | ' web text, markdown pipe tables, tab-separated text
(browser innerText, copy-paste), box-drawing grids (w3m -dump) and pandoc grid tables,
pdftotext -layout output, and crawler text whose table cells were run together with no
separator.

Grid text (pipes, tabs, box lines) is read as a grid: a table's rows are aligned on its
widest row and the empty slots a label's column span leaves between the label and the
first value column are folded into the label (never read as blank values); a row of a box
or grid table printed over several physical lines (a wrapped label) is joined cell by cell
between its rule lines, so its values stay on the row the grid puts them in."""

from __future__ import annotations

import re

from disclosure import vocabulary as v
from disclosure.labels import last_signature, normalise
from disclosure.model import Cell, Document, Line
from disclosure.numbers import is_blank_text
from disclosure.readers.encoding import decode

_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LAYOUT_GAP = re.compile(r"\s{2,}|\t|\u3000+")
_PAGE_NUMBER = re.compile(r"^\s*[-—–]\s*\d{1,3}\s*[-—–]\s*$|^\s*第\s*\d+\s*页")
_PAGE_OR_RULE_STARTS = frozenset("-—–第=_")
r"""The characters a stripped line that `_PAGE_NUMBER` or `_RULE` matches starts with (their
leading \s* matches nothing after str.strip: both use the same whitespace): any other line is
neither, without the two regex calls."""
_CRAWLER_HEADER = re.compile(r"^(标题|发布时间|发布机构|文号|栏目|原文链接|本地目录|来源)\s*[:：]\s*(.*)$")
# A numeric run in crawler text: digits with the spaces, signs and decimal points that may
# sit between cells, plus a unit printed right after the number.
_RUN = re.compile(r"[+\-]?\d[\d\s.+\-]*(?:万元|元)?")
# "...0000003.危及" — the last digit and the dot are the next label's numbering, not a value.
_NUMBERING_TAIL = re.compile(r"(\d)[.、．]$")
_HAS_DIGIT = re.compile(r"\d")
_RULE = re.compile(r"[=\-_—]{3,}")  # a horizontal rule; a row of '-' cells has spaces between
_GLUED = re.compile(r"[\u4e00-\u9fff）)“”\"]\d")
# Box-drawing and grid-table rules: a line of nothing but rule characters (at least one
# horizontal stroke) separates the rows of a w3m / pandoc grid table.
_BOX_RULE = re.compile(r"^[\s+\-=:─━═┄┈│┃║|┌┐└┘├┤┬┴┼┏┓┗┛┣┫┳┻╋╔╗╚╝╠╣╦╩╬╞╡╪╤╧╒╕╘╛]*[\-=─━═][\s+\-=:─━═┄┈│┃║|┌┐└┘├┤┬┴┼┏┓┗┛┣┫┳┻╋╔╗╚╝╠╣╦╩╬╞╡╪╤╧╒╕╘╛]*$")
_BOX_BAR = re.compile(r"[│┃║]")
_GRID_TABLE_RULE = re.compile(r"^\s*\+[-=:+]+\+\s*$")  # pandoc grid table: +----+----+
_BOX_STROKES = re.compile(r"[─━═]{2,}")
_BOX_JUNCTIONS = re.compile(r"[├┤┼┬┴┌┐└┘┣┫╋┳┻╠╣╬╦╩─━═]+")
# pandoc's markdown keeps inline styles as bracketed spans: [0]{style="font-family: …"}
_PANDOC_SPAN = re.compile(r"\[([^\[\]]*)\]\{[^{}]*\}")
_NUMERIC_CELL = re.compile(r"^[+\-]?[\d,，.．]+(?:万元|元)?$")
# A layout cell that is a label and its numbers with one space between ('结果 3', '合计 2 0 0').
_PLAIN_NUMBERS_SPACED = re.compile(r"[+\-]?\d+(?:\.\d+)?(?: [+\-]?\d+(?:\.\d+)?)*")
"""Plain numbers ('3', '-2', '1.5') with one space between each: every part of
`text.split(" ")` a plain number, tested in one match (a double space gives an empty part:
no match)."""
_LABEL_THEN_NUMBERS = re.compile(r"(.*[^\d\s.+\-])\s+((?:[+\-]?\d+(?:\.\d+)?\s*)+)")
_NUMBERED_END = re.compile(r"\d[.、．]$")
_PROSE_NUMBER_UNIT = re.compile(r"[年月日号%个件项条次期名人家万亿]")
_CJK_OR_QUOTE = re.compile(r"[\u4e00-\u9fff“\"]")
_CRAWLER_SEGMENT = re.compile(r"[+\-]?[\d.]+(?:万元|元)?")


def read_text(data: bytes, path: str = "") -> Document:
    text, note = decode(data, path)
    return parse_text(text, path, notes=[note])


def parse_text(text: str, path: str = "", notes: list[str] | None = None) -> Document:
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    raw_lines = _split_one_line_body(raw_lines)
    style = _grid_style(raw_lines)
    if style == "tab":
        raw_lines = _unwrap_paragraph_cells("\n".join(raw_lines)).split("\n")
    meta: dict[str, str] = {}
    title: str | None = None
    lines: list[Line] = []
    table = -1
    in_table = False
    kinds: set[str] = set()
    pipe_lines = framed = 0
    group: list[tuple[list[str], str]] = []  # physical lines of one box / grid-table row

    def open_table() -> None:
        nonlocal table, in_table
        if not in_table:
            table += 1
            in_table = True

    def flush_group() -> None:
        if group:
            lines.extend(_join_row_lines(group, table))
            group.clear()

    for n, raw in enumerate(raw_lines, 1):
        where = f"line {n}"
        header = _CRAWLER_HEADER.match(raw.strip()) if n <= 12 else None
        if header:
            meta[header.group(1)] = header.group(2).strip()
            if header.group(1) == "标题":
                title = header.group(2).strip()
            continue
        for page in raw.split("\f") if "\f" in raw else (raw,):
            stripped = page.strip()
            if style in ("box", "grid-table") and stripped and _BOX_RULE.match(stripped):
                flush_group()  # a rule ends the row above it
                open_table()
                kinds.add(style)
                continue
            if style == "box" and _BOX_BAR.search(stripped) and _BOX_STROKES.search(stripped):
                # A rule under some columns while a cell spanning rows goes on in others
                # ('│ │（六）其他处 ├────┼──'): the row above ends; the spanning text is a
                # label fragment of its own.
                flush_group()
                open_table()
                parts = [t for t in _bar_cells(_BOX_JUNCTIONS.sub("│", stripped), _BOX_BAR) if t]
                if parts:
                    lines.append(Line([Cell(t, i) for i, t in enumerate(parts)], where, table))
                continue
            if style == "box" and _BOX_BAR.search(stripped):
                open_table()
                group.append((_bar_cells(stripped, _BOX_BAR), where))
                continue
            if style == "grid-table" and stripped.startswith("|") and in_table:
                group.append((_bar_cells(stripped, "|"), where))
                continue
            if group:
                flush_group()
            if not stripped or (
                stripped[0] in _PAGE_OR_RULE_STARTS and (_PAGE_NUMBER.match(stripped) or _RULE.fullmatch(stripped))
            ):
                continue
            if style == "tab" and "\t" in page:
                open_table()
                kinds.add("tab")
                lines.append(Line([Cell(t.strip(), i) for i, t in enumerate(page.strip("\n ").split("\t"))], where, table))
                continue
            if "|" in stripped and _is_pipe_row(stripped):
                if _MD_SEPARATOR.match(stripped):
                    kinds.add("markdown")  # only markdown tables have |---| rows
                    continue
                open_table()
                kinds.add("pipe")
                pipe_lines += 1
                framed += stripped.startswith("|") and stripped.endswith("|")
                lines.append(Line(_pipe_cells(stripped), where, table))
                continue
            in_table = False
            if len(stripped) >= _CRAWLER_MIN_LENGTH and _is_crawler_line(stripped):
                kinds.add("crawler")
                lines.extend(_crawler_lines(stripped, where))
            else:
                if not _HAS_DIGIT.search(stripped):
                    parts = [t for t in _LAYOUT_GAP.split(stripped) if t]
                    lines.append(Line([Cell(t, i) for i, t in enumerate(parts)], where))
                    continue
                texts = [t for t in _LAYOUT_GAP.split(stripped) if t]
                if len(texts) > 1:
                    kinds.add("layout")
                lines.append(Line(_split_number_tail_texts(texts), where))
    flush_group()
    if pipe_lines and framed * 2 > pipe_lines:
        kinds.add("markdown")  # rows framed by pipes on both sides, as markdown writes them
    fmt = _format_name(kinds)
    grid = fmt in _GRID_FORMATS
    if grid and fmt not in _SPANS_LOST:
        # Flattened text pads every row on the right and drops rowspan-covered slots on the
        # left, so no edge aligns its rows: there tables.spread_row places the values.
        lines = _fold_label_spans(lines)
    return Document(lines=lines, format=fmt, title=title, meta=meta, notes=list(notes or []),
                    grid=grid, spans_lost=fmt in _SPANS_LOST)


_GRID_FORMATS = frozenset({"markdown", "text-pipe", "text-tab", "text-box", "text-grid"})
"""Text formats whose tables are true grids: an empty cell is a blank cell of its own."""
_SPANS_LOST = frozenset({"text-pipe", "text-tab"})
"""Formats that flatten a merged cell to one slot: a lone value in a row may be a merged row."""


_ONE_LINE_MIN_CELLS = 40
"""Cell separators on one physical line from which it is a whole table (or body) whose line
breaks were lost, not a row: a row of table 四, the widest, has 16 cells."""
_NUMBER_THEN_LABEL = re.compile(r"^([+\-]?\d(?:[\d,，.．]*\d)?(?:万元|元)?)\s*([\u4e00-\u9fff（(“\"].*)$")


def _split_one_line_body(raw_lines: list[str]) -> list[str]:
    """A body printed on one line (line breaks lost, replaced by nothing or a space) whose
    cells are still apart ('|' or tabs): put the row breaks back. The printed separators are
    the cells; a row of the template's grid is its label cells, then its value cells, so a
    label after a value (or an empty cell) starts the next row. A value glued to the next
    row's label ('185二、上年结转…', the tab form loses the break) is cut where the label's
    words begin; a run of digits glued to numbering ('15、属于…') is left to the label, and
    the row before it is then a cell short (flagged by the tables, never guessed)."""
    out: list[str] = []
    for line in raw_lines:
        # (A line shorter than the threshold cannot print that many separators: most lines.)
        sep = None if len(line) < _ONE_LINE_MIN_CELLS else "\t" if line.count("\t") >= _ONE_LINE_MIN_CELLS \
            else "|" if line.count("|") >= _ONE_LINE_MIN_CELLS else None
        if sep is None:
            out.append(line)
            continue
        rows: list[list[str]] = []
        row: list[str] = []
        after_value = False
        for token in line.split(sep):
            text = token.strip()
            m = _NUMBER_THEN_LABEL.match(text) if sep == "\t" else None
            # '2025年…' is prose, not a cell and a label
            cut = m is not None and not _PROSE_NUMBER_UNIT.match(m.group(2))
            parts = [m.group(1), m.group(2)] if cut else _cut_glued_cells(text) if sep == "\t" else [text]
            for k, part in enumerate(parts):
                is_label = bool(part) and not _NUMERIC_CELL.match(part) and not is_blank_text(part)
                if is_label and after_value and row:
                    if sep == "\t" and k == 0 and not part[0].isdigit():
                        # Tab text ends a row with its last cell, no tab: a label right after
                        # a tab is glued to an empty last cell ('…\t\t' + '五、…'), printed blank.
                        row.append("")
                    rows.append(row)
                    row = []
                row.append(part)
                after_value = not is_label
        if row:
            rows.append(row)
        joiner = "\t" if sep == "\t" else " | "
        for r in rows:
            # The prose before a table (title, 一、总体情况 …) or after it went into a label
            # cell: its sentences are lines of their own again, the row keeps the last one.
            *sentences, last = _SENTENCE_END.split(r[0])
            out.extend(x for x in sentences if x.strip())
            out.append(joiner.join([last, *r[1:]]) + ("" if sep == "\t" else " |"))
    return out


_SENTENCE_END = re.compile(r"(?<=[。！？])")
_DIGITS_THEN_NUMBERED_LABEL = re.compile(r"^(\d+)([.、．][\u4e00-\u9fff“\"].*)$")
_DIGITS_SPACE_LABEL = re.compile(r"^([+\-]?\d[\d,，.．]*)\s+(\d[.、．][\u4e00-\u9fff“\"].*)$")
_DASH_THEN_LABEL = re.compile(r"^([-—–/／－]+)\s*([\u4e00-\u9fff（(“\"].*)$")
_HEAD_THEN_DIGITS = re.compile(r"^(.*总计)(\d+)$")


def _cut_glued_cells(text: str) -> list[str]:
    """Two cells of adjacent rows glued where the break between them was lost (tab text):
    a count and the next sub-row's numbered label ('15、属于三类内部事务信息': the template
    numbers 属于三类内部事务信息 5, so the count is 1), or table 四's last head and its first
    value ('总计1'). Cut only where the template's printed words say where; else one cell."""
    m = _DASH_THEN_LABEL.match(text)
    if m and is_blank_text(m.group(1)):  # a blank cell printed as a dash: '-四、政府信息公开…'
        return [m.group(1), m.group(2)]
    m = _DIGITS_SPACE_LABEL.match(text)
    if m:  # the break was printed as a space: '0 2、其他法律…'
        return [m.group(1), m.group(2)]
    m = _DIGITS_THEN_NUMBERED_LABEL.match(text)
    if m:
        digits, rest = m.groups()
        key, _ = last_signature(normalise(rest), v.APPLICATION_ROW_SIGNATURES)
        number = str(v.SUBROW_NUMBERS.get(key or "", ""))
        if number and len(digits) > len(number) and digits.endswith(number):
            return [digits[: -len(number)], number + rest]
        return [text]
    m = _HEAD_THEN_DIGITS.match(text)
    return [m.group(1), m.group(2)] if m else [text]


def _grid_style(raw_lines: list[str]) -> str | None:
    """The grid form of a whole text, decided once: box-drawing bars (w3m), pandoc grid
    tables (+---+ rules), or tab-separated cells (innerText); None for other text."""
    # A line can match a form only if the whole text holds its character: one scan of the
    # text in C rules out the forms a report does not use (most reports: all three).
    text = "\n".join(raw_lines)
    boxes = sum(1 for line in raw_lines if _BOX_BAR.search(line)) if _BOX_BAR.search(text) else 0
    tabs = sum(1 for line in raw_lines if "\t" in line) if "\t" in text else 0
    grid_rules = sum(1 for line in raw_lines if _GRID_TABLE_RULE.match(line)) if "+" in text else 0
    if boxes >= 5:
        return "box"
    if grid_rules >= 5:
        return "grid-table"
    if tabs >= 5:
        return "tab"
    return None


def _unwrap_paragraph_cells(text: str) -> str:
    """innerText of cells holding <p>s: a cell separator is printed as '\n\n\t\n\n' and a row
    break as three newlines or more. Join the cells of a row back onto one line (only in a
    text that prints its cells so, or an empty last cell would glue two rows together)."""
    if text.count("\n\n\t") + text.count("\t\n\n") < 10:
        return text
    text = re.sub(r"\n{1,2}[ \u00a0]*\t", "\t", text)
    return re.sub(r"\t[ \u00a0]*\n{1,2}(?=[^\n])", "\t", text)


def _is_pipe_row(line: str) -> bool:
    """A row of ' | ' cells, not prose that prints one '|' (a headline 'A|B' in a paragraph)."""
    n = line.count("|")
    return n >= 2 or (n == 1 and len(line) <= 120)


def _bar_cells(line: str, bar: re.Pattern[str] | str) -> list[str]:
    parts = bar.split(line) if isinstance(bar, re.Pattern) else line.split(bar)
    if parts and not parts[0].strip():
        parts = parts[1:]
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return [p.strip() for p in parts]


def _join_row_lines(group: list[tuple[list[str], str]], table: int) -> list[Line]:
    """One box / grid-table row printed over several physical lines (a wrapped label):
    join the lines cell by cell. Lines whose cell counts differ stay apart."""
    counts = {len(cells) for cells, _ in group}
    if len(group) == 1 or len(counts) != 1:
        return [Line([Cell(_PANDOC_SPAN.sub(r"\1", t), i) for i, t in enumerate(cells)], where, table)
                for cells, where in group]
    joined = [_PANDOC_SPAN.sub(r"\1", "".join(parts[i] for parts, _ in group)) for i in range(counts.pop())]
    where = group[0][1] if len(group) == 1 else f"{group[0][1]}-{group[-1][1].removeprefix('line ')}"
    return [Line([Cell(t, i) for i, t in enumerate(joined)], where, table)]


def _is_numeric(text: str) -> bool:
    return bool(_NUMERIC_CELL.match(text))


def _fold_label_spans(lines: list[Line]) -> list[Line]:
    """Fold the empty slots of a label spanning several grid columns into the label.

    Rows are aligned on the right edge of their table's widest row (a converter drops the
    slots of a cell spanning rows from above at the left, never at the right). The first
    value column of the table is the leftmost column where any row prints a number; an
    empty slot left of it that directly follows a label is that label's span, not a blank
    value. Rows keep their printed blank values, which sit at or right of that column."""
    by_table: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if line.table is not None:
            by_table.setdefault(line.table, []).append(i)
    numeric = _NUMERIC_CELL.match
    for idx in by_table.values():
        width = max(len(lines[i].cells) for i in idx)
        first_value = width
        for i in idx:
            cells = lines[i].cells
            offset = width - len(cells)
            for j, c in enumerate(cells):
                if numeric(c.text):
                    first_value = min(first_value, offset + j)
                    break
        if first_value == width:
            continue
        for i in idx:
            cells = lines[i].cells
            offset = width - len(cells)
            kept: list[Cell] = []
            for j, c in enumerate(cells):
                col = offset + j
                prev = kept[-1] if kept else None
                if (not c.text and col < first_value and prev is not None and prev.text
                        and not _is_numeric(prev.text)):
                    prev.colspan += 1
                    continue
                c.col = col
                kept.append(c)
            lines[i].cells = kept
    return lines


def _format_name(kinds: set[str]) -> str:
    for kind, name in (("box", "text-box"), ("grid-table", "text-grid"), ("tab", "text-tab"), ("crawler", "text-crawler"),
                       ("markdown", "markdown"), ("pipe", "text-pipe"), ("layout", "text-layout")):
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


def _split_number_tail_texts(texts: list[str]) -> list[Cell]:
    """Layout text sometimes leaves one space between numbers ('2 0 0'): split such cell texts
    into cells, numbered by their position in the result."""
    out: list[Cell] = []
    plain_spaced = _PLAIN_NUMBERS_SPACED.fullmatch
    for text in texts:
        # (A text with no space is one part: only the label-then-numbers test applies.)
        if " " in text and plain_spaced(text):
            parts = text.split(" ")
            # (The start is taken first: `extend` grows `out` while it consumes the generator.)
            start = len(out)
            out.extend(Cell(p, start + i) for i, p in enumerate(parts))
        else:
            # A label and its first number separated by one space ('结果 3') keep apart too.
            # (Only a text ending in a digit or space can match: skip the regex for the rest.)
            last = text[-1:]
            m = _LABEL_THEN_NUMBERS.fullmatch(text) if last.isdigit() or last.isspace() else None
            if m and not _NUMBERED_END.search(m.group(1)):
                out.append(Cell(m.group(1), len(out)))
                start = len(out)
                out.extend(Cell(p, start + i) for i, p in enumerate(m.group(2).split()))
            else:
                out.append(Cell(text, len(out)))
    return out


_CRAWLER_MIN_LENGTH = 80
"""Characters from which a line may be crawler rows (several labels and their numbers)."""


def _is_crawler_line(line: str) -> bool:
    """A line that holds table rows glued to their numbers (several labels, digits right after)."""
    if len(line) < _CRAWLER_MIN_LENGTH:
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
        if nxt and _PROSE_NUMBER_UNIT.match(nxt) and not run.endswith("元"):
            continue
        tail_numbering = ""
        body = run.rstrip()
        tm = _NUMBERING_TAIL.search(body)
        after = line[end + 1 : end + 2]
        if tm and nxt and _CJK_OR_QUOTE.match(nxt):
            tail_numbering = body[tm.start() :]
            body = body[: tm.start()]
        elif nxt in ("．", "、") and body[-1:].isdigit() and _CJK_OR_QUOTE.match(after):
            # '…1400001152．申请人' / '…232、申请人': the digit before the dot numbers the next label.
            tail_numbering = body[-1]
            body = body[:-1]
        elif _NUMBERED_END.search(body) and not nxt:
            body = body[:-1]
        label = carry + line[label_start:start]
        carry = tail_numbering
        label_start = end
        body = body.strip()
        if not body:
            carry = label + carry
            continue
        # Spaces and signs are hard boundaries: a cell never spans them.
        segments = _CRAWLER_SEGMENT.findall(body)
        cells = [Cell(label.strip(), 0)] + [Cell(s, i + 1, joined=True) for i, s in enumerate(segments)]
        out.append(Line(cells, f"{where} char {start}"))
    rest = carry + line[label_start:]
    if rest.strip():
        out.append(Line([Cell(rest.strip(), 0)], f"{where} char {label_start}"))
    return out
