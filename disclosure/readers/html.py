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
* What a browser does not show is not read: `display:none`, `visibility:hidden`, `mso-hide:all`,
  `hidden`, and Word's `<![if !supportLists]>` list markers in number cells. An unclosed
  `<embed>`/`<object>` does not hide what follows it.
* A `<sup>`/`<sub>` mark right after a cell's number (`87<sup>2</sup>`) is kept apart, on
  `Cell.footnote`, so it never joins the number (872).
* `<div>` tables (ARIA roles, `display:table…`, a CSS grid with a fixed column count) are read as
  tables; a grid whose columns cannot be known is rejected (`no_statistical_tables`, with the
  reason); statistical tables printed as images are rejected `needs_ocr`.

Table and row indices in `Line.table` / `Line.where` count from 0 in document order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from operator import attrgetter
from typing import Any

from lxml import etree

from disclosure.model import Cell, Document, Line, RejectedReport
from disclosure.readers.encoding import declared_charset, decode_to_utf8

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
    "script style noscript template select option button textarea iframe param "
    "svg canvas audio video map nav xml".split()
)
# HTML block tags that end an <svg> in a browser (HTML's "breakout" rule for foreign content).
_SVG_BREAKOUT_TAGS = ("p", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "blockquote",
                      "pre", "center", "section", "article")
# Not skipped: <embed> and <object>. libxml2 nests everything after an unclosed `<embed …>` or
# `<object>` inside it, while browsers treat embed as void and show object's fallback content,
# so their children are read like any other (their <param>s are skipped).
CELL_TAGS = ("td", "th")
# Elements that break a line or hide text: a subtree without any is read in one C call.
SPECIAL_TAGS = tuple(sorted(BLOCK_TAGS | SKIP_TAGS | {"br"}))
SECTION_TAGS = frozenset(("thead", "tbody", "tfoot"))
# A block that, alone in a cell and with no special element inside, is read as the cell's text.
_INLINE_BLOCK_TAGS = BLOCK_TAGS - {"table"}

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

# Invisible text: inline styles that hide an element (Word's mso-hide too), and the `hidden`
# attribute. The XPath only preselects in C; the pattern decides.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
_HIDDEN_CANDIDATES = etree.XPath(
    "//*[@hidden" + "".join(f" or contains(@style, '{w}')" for w in ("none", "None", "NONE", "idden", "IDDEN", "mso-hide"))
    + "]"
)
# Word's list markers: `<![if !supportLists]>1.<![endif]>` (or the `<!--[if …]-->` form) is an
# automatic list number, not cell content; in a value cell it turned 1234 into 1.1234. The block
# is kept as an <x-mso-list> element, dropped where it sits in a cell of numbers (see
# `_drop_list_markers`), and read as text elsewhere (a heading's 二、, a label's 1.).
_MSO_LIST_BLOCK = re.compile(
    r"<!(?:--)?\[if\s+!supportLists\](?:--)?>(.*?)<!(?:--)?\[endif\](?:--)?>", re.S | re.I
)
MSO_LIST_TAG = "x-mso-list"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# A <sup>/<sub> whose whole text is one of these, printed right after a cell's number, is a
# footnote mark (`87<sup>2</sup>` is 87 with mark 2, not 872); elsewhere (m<sup>2</sup> in a
# label) it stays text.
_FOOTNOTE_MARK = re.compile(r"[0-9A-Za-z*#†‡※①-⑳\[\]()（）注]{1,4}")

# <div> tables: ARIA roles and CSS `display` values that make an element a table, row or cell.
_DIV_TABLE_ROLES = {"table": "table", "grid": "table", "treegrid": "table", "row": "tr", "rowgroup": "",
                    "cell": "td", "gridcell": "td", "columnheader": "th", "rowheader": "th"}
_DISPLAY = re.compile(r"display\s*:\s*(table-row-group|table-header-group|table-footer-group|table-row|"
                      r"table-cell|inline-table|table|inline-grid|grid)\b", re.I)
_DISPLAY_ROLES = {"table": "table", "inline-table": "table", "table-row": "tr", "table-cell": "td",
                  "table-row-group": "", "table-header-group": "", "table-footer-group": "",
                  "grid": "grid", "inline-grid": "grid"}
_DIV_TABLE_CANDIDATES = etree.XPath("//*[@role or contains(@style, 'isplay') or contains(@style, 'ISPLAY')]")
_GRID_COLUMNS = re.compile(r"grid-template-columns\s*:\s*([^;]+)", re.I)
_GRID_REPEAT = re.compile(r"repeat\(\s*(\d+)\s*,", re.I)
_GRID_SPAN = re.compile(r"grid-column\s*:\s*(?:span\s+(\d+)|(\d+)\s*/\s*(?:span\s+(\d+)|(\d+)))", re.I)
MAX_GRID_COLUMNS = 64

# Statistical section headings: a page with these but no number under them and images where
# the tables should be printed its tables as pictures.
STAT_HEADINGS = re.compile(r"主动公开政府信息情况|收到和处理政府信息公开申请情况|政府信息公开行政复议|行政复议、行政诉讼情况")
_DIGIT = re.compile(r"[0-9０-９]")

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
    """Collapse whitespace to single spaces; a line break between two CJK characters vanishes.

    Same rule as `_clean_text_reference`, without a regex scan of long paragraphs: the text is
    cut at its line breaks, and each maximal white-space run holding a break is exactly the
    seam between two stripped, non-empty pieces.
    """
    if raw.isascii():  # O(1) check; no CJK and no invisible characters to care about
        return " ".join(raw.split())
    if _INVISIBLE.search(raw):
        raw = _INVISIBLE.sub("", raw)
    if "\r" in raw:
        raw = raw.replace("\r", "\n")
    if "\n" not in raw:
        return " ".join(raw.split())
    pieces = [p for p in (q.strip() for q in raw.split("\n")) if p]
    if not pieces:
        return ""
    out = [pieces[0]]
    for prev, piece in pairwise(pieces):
        if not (_wide(prev[-1]) and _wide(piece[0])):
            out.append(" ")
        out.append(piece)
    return " ".join("".join(out).split())


# Cell texts repeat within and across reports ('0', '\n    0\n', a Word label's spacing): a cache
# is cheaper than cleaning them again. Paragraphs (long, unique) go through clean_text itself.
_clean_cell = lru_cache(maxsize=32768)(clean_text)


def _clean_text_reference(raw: str) -> str:
    """`clean_text` as first written (a callback per white-space run): the tests compare the two."""
    if _INVISIBLE.search(raw):
        raw = _INVISIBLE.sub("", raw)
    return _WS.sub(_segment_break, raw.replace("\r", "\n")).strip()


# ---------------------------------------------------------------------------------------
# Small element helpers.


def _tag(el: etree._Element) -> str | None:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else None


_CELL_COL = attrgetter("col")  # sort key of a row's cells (C-level, the row loop is hot)


def _span(value: str | None, limit: int) -> int:
    """A colspan/rowspan attribute as browsers read it: leading digits, else 1; 0 kept."""
    m = _LEADING_INT.match(value or "")
    if not m:
        return 1
    return min(int(m.group(1)[:9]), limit)


@lru_cache(maxsize=4096)
def _spans_of(colspan_attr: str | None, rowspan_attr: str | None, rows_left: int) -> tuple[int, int, bool]:
    """(colspan, rowspan, clamped) of a cell; a page repeats few distinct values, hence the cache."""
    colspan = max(_span(colspan_attr, MAX_COLSPAN), 1)
    rowspan = _span(rowspan_attr, MAX_ROWSPAN)
    rowspan = rows_left if rowspan == 0 else min(rowspan, rows_left)
    clamped = bool(colspan_attr and str(colspan) != colspan_attr.strip()) or bool(
        rowspan_attr and str(rowspan) != rowspan_attr.strip()
    )
    return colspan, rowspan, clamped


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


def _outermost_below(el: etree._Element, top: etree._Element) -> bool:
    """No element of _SVG_BREAKOUT_TAGS between el and top (top holds the proxy, so `is` is exact)."""
    parent = el.getparent()
    while parent is not None and parent is not top:
        if parent.tag in _SVG_BREAKOUT_TAGS:
            return False
        parent = parent.getparent()
    return True


def _single_cell(table: etree._Element) -> bool:
    """A table of exactly one cell (CMS editors box a value this way)."""
    cells = 0
    for _ in table.iter("td", "th", "table"):
        cells += 1
        if cells > 2:  # the table itself is the first hit
            return False
    return cells == 2


_tostring = etree.tostring


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
# Before the walk: what a browser would not show, footnote marks, <div> tables.


def _drop(el: etree._Element) -> None:
    """Remove el and its content from the tree; the text after it (its tail) stays."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _drop_hidden(root: etree._Element) -> int:
    """Drop elements hidden by `display:none`, `visibility:hidden`, `mso-hide:all` or `hidden`."""
    hidden = [
        el for el in _HIDDEN_CANDIDATES(root)
        if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or "")
    ]
    for el in hidden:
        _drop(el)
    return len(hidden)


def _drop_list_markers(root: etree._Element) -> None:
    """Word list markers in a cell without words (a number cell) go; elsewhere they are text."""
    for el in list(root.iter(MSO_LIST_TAG)):
        cell = next(el.iterancestors("td", "th", "table"), None)
        if cell is not None and cell.tag != "table":
            rest = _plain_text(cell).replace(_plain_text(el), "", 1)
            if not _CJK.search(rest):
                _drop(el)


def _footnote_marks(root: etree._Element) -> dict[etree._Element, str]:
    """Cells whose number is followed by a <sup>/<sub> footnote mark: the mark, taken out of the text.

    The dict keeps the cell proxies alive, so lookups by the walk's elements are exact.
    """
    marks: dict[etree._Element, str] = {}
    for el in reversed(list(root.iter("sup", "sub"))):  # last first: `87<sup>1</sup><sup>2</sup>`
        mark = _plain_text(el).strip()
        if not _FOOTNOTE_MARK.fullmatch(mark) or (el.tail or "").strip():
            continue
        cell = next(el.iterancestors("td", "th", "table"), None)
        if cell is None or cell.tag == "table":
            continue
        text = _plain_text(cell).rstrip()
        if not text.endswith(mark) or not text[: -len(mark)].rstrip()[-1:].isdigit():
            continue
        marks[cell] = f"<{el.tag}>{mark}</{el.tag}>" + marks.get(cell, "")
        _drop(el)
    return marks


def _div_role(el: etree._Element) -> str | None:
    """"table", "tr", "td", "th", "grid", "" (a row group) or None, from role= or display:."""
    role = el.get("role")
    if role and role.strip().lower() in _DIV_TABLE_ROLES:
        return _DIV_TABLE_ROLES[role.strip().lower()]
    style = el.get("style")
    if style and (m := _DISPLAY.search(style)):
        return _DISPLAY_ROLES[m.group(1).lower()]
    return None


def _grid_column_count(template: str) -> int:
    """Tracks of a `grid-template-columns` value; 0 when not fixed (auto-fill, auto-fit, subgrid)."""
    low = template.lower()
    if "auto-fill" in low or "auto-fit" in low or "subgrid" in low or "masonry" in low:
        return 0
    count, depth, token = 0, 0, ""
    for ch in low + " ":
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch.isspace() and depth == 0:
            if token.startswith("repeat("):
                m = _GRID_REPEAT.match(token)
                inner = token[token.index(",") + 1 : -1] if m else ""
                if not m:
                    return 0
                count += int(m.group(1)) * max(_grid_column_count(inner), 1)
            elif token and not token.startswith("["):  # [line-names] are not tracks
                count += 1
            token = ""
        else:
            token += ch
    return count if 0 < count <= MAX_GRID_COLUMNS else 0


def _grid_span(el: etree._Element, columns: int) -> int:
    m = _GRID_SPAN.search(el.get("style") or "")
    if not m:
        span = 1
    elif m.group(1):
        span = int(m.group(1))
    elif m.group(3):
        span = int(m.group(3))
    else:
        span = int(m.group(4)) - int(m.group(2))
    return min(max(span, 1), columns)


def _retag_div_table(el: etree._Element) -> bool:
    """An ARIA / display:table <div> table becomes table/tbody/tr/td in place; False if it has no rows."""
    rows: list[etree._Element] = []
    groups: list[etree._Element] = []

    def collect(container: etree._Element) -> None:
        for child in container:
            if not isinstance(child.tag, str):
                continue
            role = _div_role(child)
            if role == "tr":
                rows.append(child)
            elif role == "":
                groups.append(child)
                collect(child)

    collect(el)
    if not rows:
        return False
    el.tag = "table"
    for group in groups:
        group.tag = "tbody"
    for row in rows:
        row.tag = "tr"
        for cell in row:
            if isinstance(cell.tag, str) and (role := _div_role(cell)) in ("td", "th"):
                cell.tag = role
                for aria, attr in (("aria-colspan", "colspan"), ("aria-rowspan", "rowspan")):
                    if cell.get(aria) and not cell.get(attr):
                        cell.set(attr, cell.get(aria))
    return True


def _retag_css_grid(el: etree._Element) -> bool:
    """A CSS grid with a fixed column count becomes a table of rows of that many columns."""
    columns = _grid_column_count(m.group(1)) if (m := _GRID_COLUMNS.search(el.get("style") or "")) else 0
    if not columns:
        return False
    children = [c for c in el if isinstance(c.tag, str)]
    rows: list[list[tuple[etree._Element, int]]] = [[]]
    used = 0
    for child in children:
        span = _grid_span(child, columns)
        if used + span > columns and rows[-1]:
            rows.append([])
            used = 0
        rows[-1].append((child, span))
        used += span
        if used >= columns:
            rows.append([])
            used = 0
    el.tag = "table"
    for child in children:
        el.remove(child)  # its tail goes with it
    for row in rows:
        if not row:
            continue
        tr = etree.SubElement(el, "tr")
        for child, span in row:
            child.tag = "th" if _div_role(child) == "th" else "td"
            if span > 1:
                child.set("colspan", str(span))
            tr.append(child)
    return True


def _div_tables(root: etree._Element) -> list[etree._Element]:
    """Read <div> tables as tables; return the ones that could not be (a grid without column count)."""
    unread: list[etree._Element] = []
    for el in _DIV_TABLE_CANDIDATES(root):  # document order: an outer table is retagged first
        if el.tag in ("table", "tr", "td", "th", "tbody"):
            continue
        role = _div_role(el)
        if role == "table" and not _retag_div_table(el):
            unread.append(el)
        elif role == "grid" and not _retag_css_grid(el):
            unread.append(el)
    return unread


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
    # Cells whose number is followed by a footnote mark (see `_footnote_marks`).
    footnotes: dict[etree._Element, str] = field(default_factory=dict)
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
                if tag == "svg":
                    self._svg_breakout(child)
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

    def _svg_breakout(self, svg: etree._Element) -> None:
        """HTML blocks that libxml2 nested inside an unclosed <svg> (an icon): read, as browsers do.

        In a browser an HTML block tag ends foreign content, so the article after an unclosed
        `<svg>` is shown; the SVG's own text (`<text>`) stays unread.
        """
        for el in svg.iter(*_SVG_BREAKOUT_TAGS):
            if _outermost_below(el, svg):
                if el.tag == "table":
                    self.flush()
                    self.table(el)
                else:
                    self._flow_element(el)

    def _flow_element(self, el: etree._Element) -> None:
        """Content read as paragraphs inside a table (caption, misplaced <p>, layout cell)."""
        self.flush()
        self._blocks.append(el)
        self.flow(el)
        self.flush()
        self._blocks.pop()

    def _spans(self, colspan_attr: str | None, rowspan_attr: str | None, rows_left: int) -> tuple[int, int]:
        colspan, rowspan, clamped = _spans_of(colspan_attr, rowspan_attr, rows_left)
        self.clamped += clamped
        return colspan, rowspan

    def _row(
        self, row: list[etree._Element], index: int, r: int, rows_left: int, carries: list[_Carry]
    ) -> tuple[list[_Carry], list[_Item]]:
        """Emit one row; return the spans still open below it and nested content to read next.

        The hot loop of the reader (one pass per cell): locals only, no calls for plain cells.
        """
        covered: set[int] | None = None
        if carries:
            covered = set()
            for carry in carries:
                covered.update(range(carry.col, carry.col + carry.colspan))
        cells: list[Cell] = []
        new_carries: list[_Carry] = []
        deferred: list[_Item] = []
        footnotes, complex_, append = self.footnotes, self.complex, cells.append
        col = 0
        for td in row:
            tag = td.tag
            tail = td.tail
            if tail and not tail.isspace():
                deferred.append(("text", tail))  # text between cells: kept, after the row
            if tag != "td" and tag != "th":
                if tag.__class__ is str and tag not in SKIP_TAGS:
                    deferred.append(("flow", td))
                continue
            if covered:
                while col in covered:
                    col += 1
            colspan_attr = td.get("colspan")
            rowspan_attr = td.get("rowspan")
            if colspan_attr is None and rowspan_attr is None:
                colspan = rowspan = 1
            else:
                colspan, rowspan = self._spans(colspan_attr, rowspan_attr, rows_left)
            if not len(td):  # no child elements (clean HTML): the text is td.text
                raw = td.text
                text = _clean_cell(raw) if raw else ""
            elif td in complex_:
                # Word's cell, `<td><p><span>…</span></p></td>` (one plain block, blank around it),
                # is most cells of most reports: tested here, without a call (see `_cell_text`).
                if (
                    len(td) == 1
                    and (block := td[0]).tag in _INLINE_BLOCK_TAGS
                    and block not in complex_
                    and (not (raw := td.text) or raw.isspace())
                    and (not (raw := block.tail) or raw.isspace())
                ):
                    text = _clean_cell(_tostring(td, method="text", encoding="unicode", with_tail=False))
                else:
                    text = self._cell_text(td, deferred)
            else:  # only inline markup inside: lxml joins the text in C
                text = _clean_cell(_plain_text(td))
            if footnotes and td in footnotes:
                append(Cell(text, col, colspan, footnote=footnotes[td]))
            else:
                append(Cell(text, col, colspan))
            if rowspan > 1:
                new_carries.append(_Carry(col, colspan, text, rowspan - 1))
            col += colspan
        if carries:
            if cells:
                cells.extend([Cell(c.text, c.col, c.colspan, True) for c in carries])
                cells.sort(key=_CELL_COL)
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
        """The text of a cell with block or special elements inside, other than Word's one-block
        cell (`_row` reads that one itself)."""
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


def _reject_image_tables(root: etree._Element, lines: list[Line], path: str) -> None:
    """needs_ocr when the statistical tables are pictures: images, headings, no number under them."""
    if any(_DIGIT.search(c.text) for ln in lines if ln.table is not None for c in ln.cells):
        return
    images = sum(1 for _ in root.iter("img"))
    if not images:
        return
    headings = [i for i, ln in enumerate(lines) if ln.table is None and STAT_HEADINGS.search(ln.text)]
    if not headings:
        return
    ends = [*headings[1:], len(lines)]
    for start, end in zip(headings, ends, strict=True):
        if not any(_DIGIT.search(ln.text) for ln in lines[start + 1 : end]):
            raise RejectedReport(
                "needs_ocr",
                f"the statistical tables are images ({images} <img>, no table and no number under "
                f"'{lines[start].text[:40]}'); OCR them first",
                path,
            )


def _parse(raw: bytes, text: str, path: str) -> tuple[etree._Element, list[str]]:
    """The lxml tree of `text` (given as its UTF-8 `raw`) and notes on what libxml2 had to give up."""
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        root = etree.fromstring(raw, parser)
    except (etree.ParserError, ValueError) as exc:
        raise RejectedReport("corrupt_file", f"HTML could not be parsed: {exc}", path) from exc
    if root is None or not text or text.isspace():  # (not `text.strip()`: that copies the page)
        raise RejectedReport("empty_file", "the HTML has no content", path)
    notes = []
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        notes.append("html: markup nested deeper than the parser allows; text below that depth is lost")
    return root, notes


# Gates over the page source, so the passes above cost nothing on pages without such markup:
# the source bytes are lower-cased once (ASCII only, fast), a literal is found with bytes.find,
# and only a short window around it is matched. A case-insensitive regex or an XPath over the
# whole page costs more than the walk itself.
_WINDOW = 200
_GATES: dict[str, tuple[tuple[bytes, ...], re.Pattern[bytes]]] = {
    # inline style that hides, or the hidden attribute, inside a start tag
    "hidden": (
        (b"display", b"visibility", b"mso-hide", b"hidden"),
        re.compile(
            rb"style\s*=\s*[\"']?[^<>\"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all)"
            rb"|<[a-z][^<>]*\shidden(?:[\s>/=]|$)"
        ),
    ),
    # ARIA table roles, or display:table… / display:grid in an inline style
    "div_table": (
        (b"role", b"display"),
        re.compile(
            rb"role\s*=\s*[\"']?(?:table|grid|treegrid)\b"
            rb"|style\s*=\s*[\"']?[^<>\"']*display\s*:\s*(?:inline-)?(?:table|grid)"
        ),
    ),
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _gate_source(data: bytes, raw: bytes) -> bytes:
    """ASCII-lowered page bytes (UTF-16 pages as their UTF-8 `raw`, so ASCII markup is findable)."""
    return (raw if data.startswith(_UTF16_BOMS) else data).lower()


def _gate(src: bytes, name: str, firsts: dict[bytes, int]) -> bool:
    """Whether the lowered page source has the markup of `_GATES[name]` (literal, then its window).

    `firsts` holds each literal's first position, shared by the gates: on a long CJK page one
    `bytes.find` costs ~60 µs, and two gates look for "display".
    """
    words, pattern = _GATES[name]
    for word in words:
        i = firsts.get(word)
        if i is None:
            i = firsts[word] = src.find(word)
        while i != -1:
            if pattern.search(src[max(0, i - _WINDOW) : i + len(word) + 24]):
                return True
            i = src.find(word, i + 1)
    return False


def read_html(data: bytes, path: str = "") -> Document:
    """Read an HTML page or fragment into lines of cells (see the module docstring)."""
    if not data.strip():
        raise RejectedReport("empty_file", "the file is empty", path)
    # `raw` is `text` in UTF-8, what lxml parses. The literal tests below run on it: an ASCII
    # substring of the text is exactly that substring of its UTF-8 bytes, and a bytes scan is
    # several times cheaper than one of a CJK str (for a single byte, memchr: ~50x).
    text, note, raw = decode_to_utf8(data, path, declared=declared_charset(data))
    if b"\x00" in raw:  # U+0000, and only it, is a 0 byte in UTF-8
        text = text.replace("\x00", "")
        raw = raw.replace(b"\x00", b"")
    list_markers = (b"<![" in raw or b"<!--[" in raw) and b"supportLists" in raw
    if list_markers:
        text = _MSO_LIST_BLOCK.sub(rf"<{MSO_LIST_TAG}>\1</{MSO_LIST_TAG}>", text)
        raw = text.encode("utf-8", "surrogatepass")
    root, parse_notes = _parse(raw, text, path)
    if list_markers:
        _drop_list_markers(root)
    # Cheap substring gates (a case-insensitive regex over the page costs more than the walk).
    src = _gate_source(data, raw)
    firsts: dict[bytes, int] = {}
    hidden = _drop_hidden(root) if _gate(src, "hidden", firsts) else 0
    unread_grids = _div_tables(root) if _gate(src, "div_table", firsts) else []
    # <sup>/<sub> are found by a C-level tag walk of the tree (~3 µs), cheaper than any source scan.
    footnotes = _footnote_marks(root)
    reader = _Reader(notes=[note, *parse_notes], complex=_complex_elements(root), footnotes=footnotes)
    try:
        reader.flow(root)
    except RecursionError as exc:
        raise RejectedReport("corrupt_file", "HTML nested too deeply to read", path) from exc
    reader.flush()
    if any(_DIGIT.search(_plain_text(grid)) for grid in unread_grids):
        raise RejectedReport(
            "no_statistical_tables",
            "the tables are built from <div>s laid out by CSS (a grid without a fixed column count in "
            "grid-template-columns, or a display:table without rows), so their columns cannot be read",
            path,
        )
    _reject_image_tables(root, reader.lines, path)
    if hidden:
        reader.notes.append(f"html: dropped {hidden} invisible element(s) (display:none, visibility:hidden)")
    if footnotes:
        reader.notes.append(f"html: {len(footnotes)} footnote mark(s) after a cell's number kept apart")
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
