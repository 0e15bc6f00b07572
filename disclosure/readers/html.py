"""HTML reader: web pages, Word-exported HTML and bare fragments → `Document` (format "html").

* Bytes are decoded by `encoding.decode` (the meta charset is only a hint) and handed to
  lxml as UTF-8 with the encoding forced, so lxml never guesses again.
* Every `<table>` becomes one `Line` per `<tr>` with the colspan/rowspan grid expanded:
  one `Cell` per origin cell at its grid column, plus a `rowspan_copy` cell wherever a
  cell from an earlier row spans into the row. Blank cells stay as `Cell("")`.
* Text outside tables becomes one-cell `Line`s split at block boundaries.
* Cell and paragraph text joins all inline pieces (Word splits labels over many spans);
  a line break (source newline, `<br>`, a block inside a cell) between two CJK characters
  vanishes — the CSS segment-break rule — and is a space elsewhere.
* Page chrome (navigation, share buttons, breadcrumbs, footers) is dropped only when it is
  recognisable cheaply and carries no report text.

Table and row indices in `Line.table` / `Line.where` count from 0 in document order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from disclosure.model import Cell, Document, Line, RejectedReport
from disclosure.readers.encoding import declared_charset, decode

# ---------------------------------------------------------------------------------------
# Data: which tags mean what.

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html "
    "legend li main menu nav ol p pre section summary title ul tr td th tbody thead tfoot "
    "table".split()
)
# Never text of the report.
SKIP_TAGS = frozenset(
    "script style noscript template select option button textarea iframe object embed "
    "svg canvas audio video map nav xml".split()
)
CELL_TAGS = ("td", "th")
# Elements that break a line or hide text: a subtree without any is read in one C call.
SPECIAL_TAGS = tuple(sorted(BLOCK_TAGS | SKIP_TAGS | {"br"}))
SECTION_TAGS = frozenset(("thead", "tbody", "tfoot"))

MAX_COLSPAN = 64
MAX_ROWSPAN = 65534  # HTML's own limit; also clamped to the rows left in the table
# A cell whose own text is longer than this and has block structure is a page-layout cell
# (old sites put the whole article in one <td>): its content is read as paragraphs.
LAYOUT_CELL_CHARS = 200

# class / id tokens of page chrome; an element carrying one is dropped only if it has no
# table and no report heading (see `_is_droppable_chrome`).
CHROME_TOKENS = frozenset(
    "nav navbar navigation menu menus breadcrumb breadcrumbs crumb crumbs position location "
    "dqwz share bdshare bdsharebuttonbox sharebox footer foot copyright sidebar topbar skip "
    "toolbar footer aside".split()
)
CHROME_MAX_CHARS = 1500
REPORT_MARKERS = re.compile(
    r"总体情况|主动公开政府信息情况|收到和处理政府信息公开申请|行政复议|年度报告|年报|"
    r"總體情況|主動公開|年度報告"
)
# A nav list: ≥ this many <li>, each consisting only of link text.
NAV_LIST_MIN_ITEMS = 3
# Paragraph lines that are page chrome by their text alone.
BREADCRUMB = re.compile(
    r"^(?:(?:当前位置|您现在的位置|您的位置|你的位置|所在位置|当前的位置|位置)\s*[:：]"
    r"|(?:网站)?首页\s*[>»›/＞→].{0,80}$)"
)
SHARE_WORDS = frozenset(
    "分享到 分享 微信 微博 新浪微博 腾讯微博 QQ空间 QQ好友 人人网 豆瓣 打印 打印本页 关闭 "
    "关闭窗口 关闭本页 收藏 字号 大 中 小 默认 【 】 [ ] 【打印】 【关闭】 【大】 【中】 【小】 "
    "| ： : 扫一扫 扫一扫在手机打开当前页 【打印本页】 【关闭窗口】 保存 纠错".split()
)

META_KEYS = (
    "发布机构",
    "发布单位",
    "发文机关",
    "发布日期",
    "发布时间",
    "成文日期",
    "信息来源",
    "来源",
    "索引号",
)
META_LINE_MAX_CHARS = 300
_META_FIRST_CHARS = frozenset(key[0] for key in META_KEYS)
_META_PATTERN = re.compile(
    r"(?:^|(?<=[\s|｜]))(" + "|".join(META_KEYS) + r")\s*[:：]\s*(.*?)"
    r"(?=\s+[\u4e00-\u9fff]{2,6}\s*[:：]|\s*[|｜]|$)"
)
TITLE_MARKER = "年度报告"
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|bolder|[6-9]00)", re.I)
_CENTER_STYLE = re.compile(r"text-align\s*:\s*center", re.I)
_LEADING_INT = re.compile(r"\s*\+?(\d+)")
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")

# ---------------------------------------------------------------------------------------
# Text normalisation.

_WS = re.compile(r"\s+")  # str patterns: includes U+00A0 and U+3000
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_AMBIGUOUS_WIDE = frozenset("‘’“”…—·")


def _wide(ch: str) -> bool:
    o = ord(ch)
    return (
        0x2E80 <= o <= 0xA4CF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFF60
        or 0xFFE0 <= o <= 0xFFE6
        or 0x20000 <= o <= 0x3FFFD
        or ch in _AMBIGUOUS_WIDE
    )


def _segment_break(m: re.Match[str]) -> str:
    run, s = m.group(), m.string
    if "\n" in run and m.start() > 0 and m.end() < len(s) and _wide(s[m.start() - 1]) and _wide(s[m.end()]):
        return ""
    return " "


def clean_text(raw: str) -> str:
    """Collapse whitespace to single spaces; a line break between two CJK characters vanishes."""
    if raw.isascii():  # O(1) check; no CJK and no invisible characters to care about
        return " ".join(raw.split())
    if _INVISIBLE.search(raw):
        raw = _INVISIBLE.sub("", raw)
    if "\n" not in raw and "\r" not in raw:
        return " ".join(raw.split())
    raw = raw.replace("\r", "\n")
    return _WS.sub(_segment_break, raw).strip()


# ---------------------------------------------------------------------------------------
# Small element helpers.


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


def _col(cell: Cell) -> int:
    return cell.col


def _span(value: str | None, limit: int) -> int:
    """A colspan/rowspan attribute as browsers read it: leading digits, else 1; 0 kept."""
    m = _LEADING_INT.match(value or "")
    if not m:
        return 1
    return min(int(m.group(1)[:9]), limit)


def _complex_elements(root: etree._Element) -> set[etree._Element]:
    """Elements with a SPECIAL_TAGS descendant; any other subtree is plain inline text.

    One C-level pass over the special elements, walking up until a known ancestor. The set
    keeps the proxies alive, so lxml hands out the same objects and membership is exact.
    """
    found: set[etree._Element] = set()
    for el in root.iter(*SPECIAL_TAGS):
        parent = el.getparent()
        while parent is not None and parent not in found:
            found.add(parent)
            parent = parent.getparent()
    return found


def _single_cell(table: etree._Element) -> bool:
    """A table of exactly one cell (CMS editors box a value this way)."""
    cells = 0
    for _ in table.iter("td", "th", "table"):
        cells += 1
        if cells > 2:  # the table itself is the first hit
            return False
    return cells == 2


def _plain_text(el: etree._Element) -> str:
    """All text inside el (not its tail), joined in C: several times faster than itertext()."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def _tokens(el: etree._Element) -> set[str]:
    """Tag name plus class / id words (split at spaces, '-' and '_')."""
    words = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if words.isspace():
        return {el.tag}
    return set(_TOKEN_SPLIT.split(words)) | set(words.split()) | {el.tag}


def _text_length(el: etree._Element) -> int:
    return sum(len(t.strip()) for t in el.itertext())


def _is_droppable_chrome(el: etree._Element) -> bool:
    """Chrome by class/id, and safe to drop: no table, short, no report heading."""
    if not (_tokens(el) & CHROME_TOKENS):
        return False
    if el.find(".//table") is not None:
        return False
    text = "".join(el.itertext())
    return len(text) <= CHROME_MAX_CHARS and not REPORT_MARKERS.search(text)


def _is_nav_list(el: etree._Element) -> bool:
    items = [li for li in el if _tag(li) == "li"]
    if len(items) < NAV_LIST_MIN_ITEMS:
        return False
    for li in items:
        own = _text_length(li)
        linked = sum(_text_length(a) for a in li.iter("a"))
        if own == 0 or linked < own:
            return False
    return not REPORT_MARKERS.search("".join(el.itertext()))


def _is_chrome_line(text: str) -> bool:
    if BREADCRUMB.match(text):
        return True
    words = text.split()
    return bool(words) and all(w in SHARE_WORDS for w in words) and any(len(w) > 1 for w in words)


# ---------------------------------------------------------------------------------------
# Cell text.


def _collect(el: etree._Element, out: list[str], nested: list[etree._Element]) -> None:
    """Append the text pieces of el's content to out; nested tables go to `nested`.

    Iterative (an explicit stack), so absurdly deep markup cannot exhaust Python's stack.
    """
    if el.text:
        out.append(el.text)
    stack = [(el, iter(el))]
    while stack:
        parent, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack:
                if parent.tag in BLOCK_TAGS:
                    out.append("\n")
                if parent.tail:
                    out.append(parent.tail)
            continue
        tag = child.tag
        if tag.__class__ is not str or tag in SKIP_TAGS:
            pass
        elif tag == "table" and not _single_cell(child):
            nested.append(child)
            out.append("\n")
        elif tag == "br":
            out.append("\n")
        else:  # (a one-cell table inside a cell is just a box around its text: read inline)
            if tag in BLOCK_TAGS:
                out.append("\n")
            if child.text:
                out.append(child.text)
            stack.append((child, iter(child)))
            continue  # its tail is appended when it is popped
        if child.tail:
            out.append(child.tail)


# ("row", [cell elements]) | ("flow", element) | ("text", str) | ("table", element)
_Item = tuple[str, Any]


def _table_items(container: etree._Element, items: list[_Item]) -> None:
    """A table's content in order: ("row", [cells]), ("flow", element), ("text", str).

    Rows come from <tr> in the table or its thead/tbody/tfoot; cells sitting directly in a
    table or section (libxml2 does not repair this) form an implicit row. Text outside any
    cell is kept as ("text", ...).
    """
    if container.text and not container.text.isspace():
        items.append(("text", container.text))
    loose: list[etree._Element] = []
    for child in container:
        tag = child.tag
        if tag in CELL_TAGS:
            loose.append(child)
            continue
        if loose:
            items.append(("row", loose))
            loose = []
        if tag == "tr":
            if child.text and not child.text.isspace():
                items.append(("text", child.text))
            items.append(("row", list(child)))
        elif tag in SECTION_TAGS and container.tag == "table":
            _table_items(child, items)
        elif tag.__class__ is str and tag not in SKIP_TAGS:
            items.append(("flow", child))
        if child.tail and not child.tail.isspace():
            items.append(("text", child.tail))
    if loose:
        items.append(("row", loose))


# ---------------------------------------------------------------------------------------
# The walk.


@dataclass
class _Carry:
    """A cell spanning rows: repeated as a rowspan copy in the next `rows_left` rows."""

    col: int
    colspan: int
    text: str
    rows_left: int


@dataclass
class _Reader:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: int = 0
    paragraphs: int = 0
    dropped: int = 0
    clamped: int = 0
    first_block: etree._Element | None = None
    # Elements whose text needs the walk (see `_complex_elements`); others are read in one C call.
    complex: set[etree._Element] = field(default_factory=set)
    _buf: list[str] = field(default_factory=list)
    _blocks: list[etree._Element] = field(default_factory=list)

    # -- paragraphs ------------------------------------------------------------------

    def flush(self) -> None:
        if not self._buf:
            return
        text = clean_text("".join(self._buf))
        self._buf.clear()
        if not text:
            return
        if _is_chrome_line(text):
            self.dropped += 1
            return
        if self.first_block is None and self._blocks:
            self.first_block = self._blocks[-1]
        self.lines.append(Line([Cell(text)], where=f"paragraph {self.paragraphs}"))
        self.paragraphs += 1

    def flow(self, el: etree._Element) -> None:
        """Read el's content (not el itself) as paragraphs and tables.

        Iterative (an explicit stack), so absurdly deep markup cannot exhaust Python's stack.
        """
        buf = self._buf
        if el.text:
            buf.append(el.text)
        stack = [(el, iter(el))]
        while stack:
            parent, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if stack:
                    if parent.tag in BLOCK_TAGS:
                        self.flush()
                        self._blocks.pop()
                    if parent.tail:
                        buf.append(parent.tail)
                continue
            tag = child.tag
            if tag.__class__ is not str or tag in SKIP_TAGS:
                pass
            elif tag == "br":
                self.flush()
            elif tag == "table":
                self.flush()
                self.table(child)
            elif tag in BLOCK_TAGS and (
                _is_droppable_chrome(child) or (tag in ("ul", "ol") and _is_nav_list(child))
            ):
                self.dropped += 1
            elif child not in self.complex:  # only inline elements inside: lxml joins the text
                if tag in BLOCK_TAGS:
                    self.flush()
                    self._blocks.append(child)
                    buf.append(_plain_text(child))
                    self.flush()
                    self._blocks.pop()
                else:
                    buf.append(_plain_text(child))
            else:
                if tag in BLOCK_TAGS:
                    self.flush()
                    self._blocks.append(child)
                if child.text:
                    buf.append(child.text)
                stack.append((child, iter(child)))
                continue  # its tail is read when it is popped
            if child.tail:
                buf.append(child.tail)

    # -- tables ----------------------------------------------------------------------

    def table(self, tbl: etree._Element) -> None:
        index = self.tables
        self.tables += 1
        items: list[_Item] = []
        _table_items(tbl, items)
        rows_total = sum(1 for kind, _ in items if kind == "row")
        carries: list[_Carry] = []
        r = 0
        for kind, item in items:
            if kind == "text":
                self._buf.append(item)
                self.flush()
            elif kind == "flow":
                self._flow_element(item)
            else:
                carries, deferred = self._row(item, index, r, rows_total - r, carries)
                r += 1
                for kind_d, inner in deferred:
                    if kind_d == "table":
                        self.table(inner)
                    elif kind_d == "flow":  # a layout cell or a stray element, read as paragraphs
                        self._flow_element(inner)
                    else:  # stray text between the row's cells
                        self._buf.append(inner)
                        self.flush()

    def _flow_element(self, el: etree._Element) -> None:
        """Content read as paragraphs inside a table (caption, misplaced <p>, layout cell)."""
        self.flush()
        self._blocks.append(el)
        self.flow(el)
        self.flush()
        self._blocks.pop()

    def _spans(self, colspan_attr: str | None, rowspan_attr: str | None, rows_left: int) -> tuple[int, int]:
        colspan = max(_span(colspan_attr, MAX_COLSPAN), 1)
        rowspan = _span(rowspan_attr, MAX_ROWSPAN)
        rowspan = rows_left if rowspan == 0 else min(rowspan, rows_left)
        if (colspan_attr and str(colspan) != colspan_attr.strip()) or (
            rowspan_attr and str(rowspan) != rowspan_attr.strip()
        ):
            self.clamped += 1
        return colspan, rowspan

    def _row(
        self, row: list[etree._Element], index: int, r: int, rows_left: int, carries: list[_Carry]
    ) -> tuple[list[_Carry], list[_Item]]:
        """Emit one row; return the spans still open below it and nested content to read next."""
        covered: set[int] = set()
        for carry in carries:
            covered.update(range(carry.col, carry.col + carry.colspan))
        cells: list[Cell] = []
        new_carries: list[_Carry] = []
        deferred: list[_Item] = []
        col = 0
        for td in row:
            tail = td.tail
            if tail and not tail.isspace():
                deferred.append(("text", tail))  # text between cells: kept, after the row
            if td.tag not in CELL_TAGS:
                if td.tag.__class__ is str and td.tag not in SKIP_TAGS:
                    deferred.append(("flow", td))
                continue
            while col in covered:
                col += 1
            colspan_attr, rowspan_attr = td.get("colspan"), td.get("rowspan")
            if colspan_attr is None and rowspan_attr is None:
                colspan = rowspan = 1
            else:
                colspan, rowspan = self._spans(colspan_attr, rowspan_attr, rows_left)
            # Cells without child elements (clean HTML) skip the piece collector.
            text = self._cell_text(td, deferred) if len(td) else clean_text(td.text or "")
            cells.append(Cell(text, col, colspan))
            if rowspan > 1:
                new_carries.append(_Carry(col, colspan, text, rowspan - 1))
            col += colspan
        if carries:
            if cells:
                cells.extend(Cell(c.text, c.col, c.colspan, True) for c in carries)
                cells.sort(key=_col)
            carries = self._advance(carries)
        if cells:  # a row with nothing of its own (spacer row) prints no line
            self.lines.append(Line(cells, f"table {index} row {r}", index))
        return carries + new_carries, deferred

    @staticmethod
    def _advance(carries: list[_Carry]) -> list[_Carry]:
        for carry in carries:
            carry.rows_left -= 1
        return [c for c in carries if c.rows_left > 0]

    def _cell_text(self, td: etree._Element, deferred: list[_Item]) -> str:
        if td not in self.complex:
            return clean_text(_plain_text(td))
        if len(td) == 1:  # Word: <td><p><span>…</span><o:p></o:p></p></td>
            block = td[0]
            if (
                block.tag in BLOCK_TAGS
                and block.tag != "table"
                and not (td.text or "").strip()
                and not (block.tail or "").strip()
                and block not in self.complex
            ):
                return clean_text(_plain_text(td))
        pieces: list[str] = []
        nested: list[etree._Element] = []
        _collect(td, pieces, nested)
        raw = "".join(pieces)
        text = clean_text(raw)
        if len(text) > LAYOUT_CELL_CHARS and "\n" in raw:
            # A layout cell: its paragraphs (and tables) follow the row as their own lines.
            deferred.append(("flow", td))
            return ""
        deferred.extend(("table", t) for t in nested)
        return text


# ---------------------------------------------------------------------------------------
# Title and meta.


def _element_text(el: etree._Element) -> str:
    pieces: list[str] = []
    _collect(el, pieces, [])
    return clean_text("".join(pieces))


def _looks_bold(el: etree._Element) -> bool:
    if _tag(el) in ("b", "strong", "h1", "h2", "h3") or _BOLD_STYLE.search(el.get("style") or ""):
        return True
    text_len = _text_length(el)
    return any(
        (_tag(d) in ("b", "strong") or _BOLD_STYLE.search(d.get("style") or ""))
        and _text_length(d) * 2 >= text_len
        for d in el.iterdescendants()
        if _tag(d) is not None
    )


def _looks_centered(el: etree._Element) -> bool:
    node: etree._Element | None = el
    for _ in range(3):
        if node is None:
            return False
        if (
            _tag(node) == "center"
            or (node.get("align") or "").lower() == "center"
            or _CENTER_STYLE.search(node.get("style") or "")
        ):
            return True
        node = node.getparent()
    return any(
        (d.get("align") or "").lower() == "center" or _CENTER_STYLE.search(d.get("style") or "")
        for d in el.iterdescendants()
        if _tag(d) is not None
    )


def _title(root: etree._Element, reader: _Reader) -> str | None:
    for tags in (("title",), ("h1", "h2")):
        for el in root.iter(*tags):
            text = _element_text(el)
            if text:
                return text
    block = reader.first_block
    first = next((ln for ln in reader.lines if ln.table is None), None)
    if block is not None and first is not None and TITLE_MARKER in first.text:
        if _looks_centered(block) and _looks_bold(block):
            return first.text
    return None


def _meta(lines: list[Line]) -> dict[str, str]:
    """'发布机构：xxx 发布日期：yyyy' in a line, or a key cell followed by its value cell."""
    meta: dict[str, str] = {}
    for line in lines:
        cells = line.cells
        for i, cell in enumerate(cells):
            text = cell.text
            if not text or cell.rowspan_copy or len(text) > META_LINE_MAX_CHARS:
                continue
            if text[0] in _META_FIRST_CHARS:
                key = text.rstrip(":：").strip()
                if key in META_KEYS:
                    value = next((c.text for c in cells[i + 1 :] if not c.rowspan_copy), "")
                    if value:
                        meta.setdefault(key, value)
                    continue
            if "：" in text or ":" in text:
                for m in _META_PATTERN.finditer(text):
                    value = m.group(2).strip()
                    if value:
                        meta.setdefault(m.group(1), value)
    return meta


# ---------------------------------------------------------------------------------------
# Entry point.


def _parse(text: str, path: str) -> tuple[etree._Element, list[str]]:
    """The lxml tree of `text` and notes on what libxml2 had to give up."""
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser)
    except (etree.ParserError, ValueError) as exc:
        raise RejectedReport("corrupt_file", f"HTML could not be parsed: {exc}", path) from exc
    if root is None or not text.strip():
        raise RejectedReport("empty_file", "the HTML has no content", path)
    notes = []
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        notes.append("html: markup nested deeper than the parser allows; text below that depth is lost")
    return root, notes


def read_html(data: bytes, path: str = "") -> Document:
    """Read an HTML page or fragment into lines of cells (see the module docstring)."""
    if not data.strip():
        raise RejectedReport("empty_file", "the file is empty", path)
    text, note = decode(data, path, declared=declared_charset(data))
    if "\x00" in text:
        text = text.replace("\x00", "")
    root, parse_notes = _parse(text, path)
    reader = _Reader(notes=[note, *parse_notes], complex=_complex_elements(root))
    try:
        reader.flow(root)
    except RecursionError as exc:
        raise RejectedReport("corrupt_file", "HTML nested too deeply to read", path) from exc
    reader.flush()
    if reader.dropped:
        reader.notes.append(f"html: dropped {reader.dropped} page-chrome block(s)")
    if reader.clamped:
        reader.notes.append(f"html: {reader.clamped} malformed colspan/rowspan value(s) clamped")
    return Document(
        lines=reader.lines,
        format="html",
        title=_title(root, reader),
        meta=_meta(reader.lines),
        notes=reader.notes, grid=True,
    )
