"""PDF reader: the text layer of each page laid out as lines of cells.

Engine: PDFium through pypdfium2 (BSD-3/Apache-2.0, one self-contained wheel, no process per
report; chosen by measurement, see bench/bench_pdf_docx.py). For every printed glyph we take
its loose box and baseline origin and rebuild what `pdftotext -layout` prints, plus the table
columns that a text layout loses:

* lines: glyphs whose baselines are within `LINE_TOLERANCE` em of the previous glyph's form one
  line; lines come top to bottom, so a vertical one-character-per-line label interleaves with
  the table rows just as in the layout text (pages turned by /Rotate are turned back first);
* cells: inside a line, glyphs closer than `WORD_GAP` em are one word (the digits of
  "3985758" touch, so a number is never split), a wider gap is one space, and a gap of
  `CELL_GAP` em (`MIXED_GAP` between a number and text; any word gap between two numbers)
  starts a new cell, the layout text's run of 2+ spaces;
* ruled tables: a line holding numbers that crosses vertical table rules is cut at the rules,
  and from the table's first number column on a slot with nothing printed is kept as
  `Cell("")`, so a value keeps its column where blank cells sit between values;
* every page after the first starts with a `Line([Cell("\f")])`, like pdftotext's form feed.

Whatever cannot be read is rejected with a reason: no text layer -> `needs_ocr` (with the page
count), a password -> `encrypted`, a damaged or truncated file -> `corrupt_file`, a stream that
inflates absurdly -> `zip_bomb` (checked before PDFium inflates anything).
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import re
import statistics
import threading
import unicodedata
import zlib
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from disclosure.model import Cell, Document, Line, RejectedReport

# Gaps between glyphs, as fractions of the line's median em (font size).
WORD_GAP = 0.2  # below: same word (CJK glyphs and the digits of a number touch)
CELL_GAP = 1.0  # at or above: a new cell (pdftotext's run of 2+ spaces)
MIXED_GAP = 0.6  # ... between a number and text ("2024 年" is one cell, "规章   1" two)
LINE_TOLERANCE = 0.4  # baselines closer than this x em share a line
RULE_WIDTH = 3.0  # a path object at most this wide (pt) and taller than 4 pt is a vertical rule
RULE_MERGE = 2.5  # rules closer than this (pt) are one (double borders, both sides of a thin rect)
NUMBER = re.compile(r"[-+]?\d[\d,，]*(\.\d+)?\s*(万元|元|件|个|%)?")
MAX_STREAM_INFLATED = 64 * 2**20  # one non-image stream may inflate this much ...
MAX_RATIO = 200  # ... unless it also compresses better than this (a decompression bomb)
MAX_TOTAL_INFLATED = 256 * 2**20  # all non-image streams together
INFLATE_STEP = 1 << 20
MAX_PAGES = 400  # longer files are no annual report; refuse before reading them
MAX_UNMAPPED_SHARE = 0.3  # more glyphs than this without Unicode: the text layer is unusable
MIN_GLYPHS_PER_PAGE = 5  # fewer printed glyphs on average: scanned pages, needs OCR
PDF_MAGIC = b"%PDF-"
EOF_MARK = b"%%EOF"
PAGE_NUMBER = re.compile(r"^[-—–] ?\d+ ?[-—–]$")  # "- 4 -" is written "-4-" as pdftotext does
_PDFIUM_LOCK = threading.Lock()
_DIGITS = frozenset("0123456789")
_NUMERIC = frozenset("0123456789.,%")
_SPACES = frozenset(" \t\r\n\x00\u3000\u00a0\uffff")
# PDFium reports a hyphen that ends a line as U+FFFE ("may join the next line"); in a report
# it is usually a printed "-" (a blank cell, a page number "-3-"), so it is kept as "-".
_LINE_END_HYPHEN = "\ufffe"


@dataclass(slots=True)
class Rule:
    """A vertical ruling line (table border) from y0 to y1 at x."""

    x: float
    y0: float
    y1: float


@dataclass(slots=True)
class Glyph:
    """One printed character: its horizontal extent and baseline (PDF user space, y up)."""

    ch: str
    x0: float
    x1: float
    base: float
    # Estimated em size: the advance of a full-width (CJK) glyph, twice that of a
    # half-width one (digits and Latin letters are about half an em wide).
    em: float


def em_of(ch: str, width: float) -> float:
    """Estimate the font size from one glyph's advance width (0 when the glyph can't tell)."""
    return _em_factor(ch) * width


@functools.lru_cache(maxsize=8192)
def _em_factor(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if ch in _DIGITS:
        return 2.0
    return 0.0


def read_pdf(data: bytes, path: str) -> Document:
    """Read a PDF with a text layer into layout lines; reject what cannot be read.

    PDFium is not thread-safe: calls are serialised in a process (run processes in parallel).
    """
    check_bytes(data, path)
    with _PDFIUM_LOCK:
        pdf = _open(data, path)
        try:
            rows, notes = _read_pages(pdf, path)
            title = _title(pdf)
        finally:
            pdf.close()
    return Document(lines=emit_lines(rows), format="pdf", title=title, notes=notes)


def _read_pages(pdf: pdfium.PdfDocument, path: str) -> tuple[list[PageRow | None], list[str]]:
    n_pages = len(pdf)
    if n_pages == 0:
        raise RejectedReport("corrupt_file", "the PDF has no pages", path)
    if n_pages > MAX_PAGES:
        raise RejectedReport("too_large", f"{n_pages} pages (limit {MAX_PAGES})", path)
    rows: list[PageRow | None] = []
    n_glyphs = n_unmapped = 0
    textless: list[int] = []
    for index in range(n_pages):
        glyphs, rules = _page_content(pdf, index, path)
        n_glyphs += len(glyphs)
        n_unmapped += unmapped(glyphs)
        if not glyphs:
            textless.append(index + 1)
        if index:
            rows.append(None)  # page break
        rows.extend(page_rows(glyphs, rules, page=index + 1))
    if n_glyphs < MIN_GLYPHS_PER_PAGE * n_pages:
        raise RejectedReport(
            "needs_ocr",
            f"no text layer ({n_glyphs} characters on {n_pages} page{'s' if n_pages != 1 else ''}): "
            "the PDF is scanned images; run OCR first (e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`)",
            path,
        )
    if n_unmapped > MAX_UNMAPPED_SHARE * n_glyphs:
        raise RejectedReport(
            "needs_ocr",
            f"the text layer has no usable Unicode ({n_unmapped} of {n_glyphs} characters on {n_pages} "
            "pages map to no character: fonts without a ToUnicode map); run OCR on the rendered pages",
            path,
        )
    notes = [f"pdf: {n_pages} pages, {n_glyphs} characters (PDFium text layer)"]
    if textless:
        notes.append(
            f"pdf: page(s) {', '.join(map(str, textless))} have no text layer (scanned?): "
            "tables printed there need OCR"
        )
    if pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
        notes.append("pdf: encrypted with an owner password only; read without a password")
    return rows, notes


def unmapped(glyphs: list[Glyph]) -> int:
    """How many glyphs carry no real character (U+FFFD, private use): a font without ToUnicode."""
    return sum(1 for g in glyphs if g.ch == "\ufffd" or "\ue000" <= g.ch <= "\uf8ff")


def check_bytes(data: bytes, path: str) -> None:
    """What can be told from the bytes alone, before PDFium sees them."""
    if not data:
        raise RejectedReport("empty_file", "the file is empty", path)
    head = data[:1024]
    if PDF_MAGIC not in head:
        raise RejectedReport("corrupt_file", "no %PDF- header: not a PDF file", path)
    if EOF_MARK not in data[-16384:]:
        raise RejectedReport("corrupt_file", "no %%EOF marker at the end: the PDF is truncated", path)
    check_inflation(data, path)


def _open(data: bytes, path: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = pdfium_c.FPDF_GetLastError()
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise RejectedReport(
                "encrypted", "the PDF is encrypted with a password; ask the publisher for an open copy", path
            ) from None
        raise RejectedReport("corrupt_file", f"PDFium cannot open the file ({exc})", path) from None


_STREAM = re.compile(rb"stream\r?\n")


def check_inflation(data: bytes, path: str) -> None:
    """Refuse a decompression bomb before PDFium inflates it into memory.

    PDFium inflates a page's content streams and fonts whole; a 500 KB file can hold a stream
    of 500 MB of spaces. Every Flate stream that is not an image (images are never decoded:
    nothing is rendered) is inflated here in 1 MB steps and only counted, so memory stays
    bounded; one stream beyond MAX_STREAM_INFLATED at a ratio above MAX_RATIO, or all of them
    together beyond MAX_TOTAL_INFLATED, is refused.
    """
    total = 0
    for match in _STREAM.finditer(data):
        head = data[max(0, match.start() - 400) : match.start()]
        head = head[head.rfind(b"obj") + 1 :] if b"obj" in head else head
        if b"FlateDecode" not in head or b"/Image" in head:
            continue
        inflated, consumed = _inflated_size(data, match.end(), MAX_STREAM_INFLATED + 1)
        total += inflated
        if inflated > MAX_STREAM_INFLATED and inflated > MAX_RATIO * max(consumed, 1):
            raise RejectedReport(
                "zip_bomb",
                f"a PDF stream inflates beyond {MAX_STREAM_INFLATED // 2**20} MB from "
                f"{consumed // 1024} KB (decompression bomb)",
                path,
            )
        if total > MAX_TOTAL_INFLATED:
            raise RejectedReport(
                "zip_bomb", f"PDF streams inflate beyond {MAX_TOTAL_INFLATED // 2**20} MB in all", path
            )


def _inflated_size(data: bytes, start: int, cap: int) -> tuple[int, int]:
    """(bytes inflated, bytes consumed) of the zlib stream at `start`, stopping past `cap`."""
    inflater = zlib.decompressobj()
    size = 0
    view = memoryview(data)[start:]
    pending: bytes | memoryview = view[:INFLATE_STEP]
    offset = len(pending)
    try:
        while size <= cap:
            size += len(inflater.decompress(pending, INFLATE_STEP))
            if inflater.eof:
                break
            pending = inflater.unconsumed_tail
            if not pending:
                if offset >= len(view):
                    break
                pending = view[offset : offset + INFLATE_STEP]
                offset += len(pending)
    except zlib.error:
        pass  # a damaged stream: PDFium decides what to make of it
    consumed = offset - len(inflater.unconsumed_tail)
    return size, consumed


def _title(pdf: pdfium.PdfDocument) -> str | None:
    try:
        title = (pdf.get_metadata_dict().get("Title") or "").strip()
    except (pdfium.PdfiumError, UnicodeDecodeError, ValueError):  # damaged metadata: no title
        return None
    return title or None


def _page_content(pdf: pdfium.PdfDocument, index: int, path: str) -> tuple[list[Glyph], list[Rule]]:
    """The printed (non-blank) glyphs of one page and its vertical ruling lines."""
    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise RejectedReport("corrupt_file", f"page {index + 1} cannot be loaded ({exc})", path) from None
    textpage = page.get_textpage()
    try:
        view = PageView.of(page)
        return _glyphs(textpage.raw, view), vertical_rules(page, view)
    finally:
        textpage.close()
        page.close()


@dataclass(frozen=True, slots=True)
class PageView:
    """How the page is shown: its /Rotate (quarter turns clockwise) and unrotated size.

    Glyph and rule positions come in PDF user space; a landscape table printed on a portrait
    page turned by /Rotate runs top to bottom there, so positions are turned to the view.
    """

    quarter_turns: int = 0
    width: float = 0.0
    height: float = 0.0
    left: float = 0.0
    bottom: float = 0.0

    @staticmethod
    def of(page: pdfium.PdfPage) -> PageView:
        turns = pdfium_c.FPDFPage_GetRotation(page.raw) % 4
        if not turns:
            return PageView()
        left, bottom, right, top = page.get_mediabox()
        return PageView(turns, right - left, top - bottom, left, bottom)

    def rect(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        """A user-space rectangle as shown (left, bottom, right, top)."""
        if not self.quarter_turns:
            return left, bottom, right, top
        x0, y0, x1, y1 = left - self.left, bottom - self.bottom, right - self.left, top - self.bottom
        w, h = self.width, self.height
        if self.quarter_turns == 1:  # (x, y) -> (y, w - x)
            return y0, w - x1, y1, w - x0
        if self.quarter_turns == 2:  # (x, y) -> (w - x, h - y)
            return w - x1, h - y1, w - x0, h - y0
        return h - y1, x0, h - y0, x1  # (x, y) -> (h - y, x)

    def baseline(self, x: float, y: float) -> float:
        """The shown height of a glyph's origin."""
        if self.quarter_turns == 1:
            return self.width - (x - self.left)
        if self.quarter_turns == 2:
            return self.height - (y - self.bottom)
        if self.quarter_turns == 3:
            return x - self.left
        return y


def vertical_rules(page: pdfium.PdfPage, view: PageView = PageView()) -> list[Rule]:
    """Vertical table rules: thin path objects, and the sides of drawn rectangles.

    Walks the page's objects through the raw API (no Python wrapper per object: a page holds
    thousands of text objects) and looks one level into form XObjects.
    """
    rules: list[Rule] = []
    box = [ctypes.c_float() for _ in range(4)]
    refs = [ctypes.byref(v) for v in box]
    get_type, get_bounds = pdfium_c.FPDFPageObj_GetType, pdfium_c.FPDFPageObj_GetBounds
    path_kind, form_kind = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM

    def visit(objects: list[object], depth: int) -> None:
        for obj in objects:
            kind = get_type(obj)
            if kind == form_kind and depth < 2:
                count = pdfium_c.FPDFFormObj_CountObjects(obj)
                visit([pdfium_c.FPDFFormObj_GetObject(obj, j) for j in range(count)], depth + 1)
                continue
            if kind != path_kind or not get_bounds(obj, *refs):
                continue
            left, bottom, right, top = view.rect(box[0].value, box[1].value, box[2].value, box[3].value)
            if top - bottom < 4:
                continue
            if right - left <= RULE_WIDTH:
                rules.append(Rule((left + right) / 2, bottom, top))
            elif pdfium_c.FPDFPath_CountSegments(obj) in (4, 5):  # a rectangle: its two sides
                rules.extend((Rule(left, bottom, top), Rule(right, bottom, top)))

    raw = page.raw
    get_object = pdfium_c.FPDFPage_GetObject
    visit([get_object(raw, i) for i in range(pdfium_c.FPDFPage_CountObjects(raw))], 0)
    return rules


def _glyphs(raw_textpage: object, view: PageView = PageView()) -> list[Glyph]:
    n = pdfium_c.FPDFText_CountChars(raw_textpage)
    if n <= 0:
        return []
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = pdfium_c.FPDFText_GetText(raw_textpage, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: max(got - 1, 0) * 2].decode("utf-16-le", errors="replace")
    if len(text) != n:  # characters outside the BMP: fall back to one call per character
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw_textpage, i) or 0xFFFD) for i in range(n))
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    ox_ref, oy_ref = ctypes.byref(ox), ctypes.byref(oy)
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    get_origin = pdfium_c.FPDFText_GetCharOrigin
    out: list[Glyph] = []
    for i, ch in enumerate(text):
        if ch == _LINE_END_HYPHEN:
            ch = "-"
        elif ch in _SPACES or not ch.isprintable():
            continue
        if not get_box(raw_textpage, i, rect_ref) or not get_origin(raw_textpage, i, ox_ref, oy_ref):
            continue
        if view.quarter_turns:
            x0, _, x1, _ = view.rect(rect.left, rect.bottom, rect.right, rect.top)
            base = view.baseline(ox.value, oy.value)
        else:
            x0, x1, base = rect.left, rect.right, oy.value
        if x1 <= x0:
            continue
        out.append(Glyph(ch, x0, x1, base, em_of(ch, x1 - x0)))
    return _fill_em(out)


def _fill_em(glyphs: list[Glyph]) -> list[Glyph]:
    """Give glyphs whose width tells no font size (Latin, punctuation) the page's median em."""
    known = [g.em for g in glyphs if g.em > 0]
    default = statistics.median(known) if known else 2 * statistics.median(g.x1 - g.x0 for g in glyphs or [])
    for g in glyphs:
        if g.em <= 0:
            g.em = default
    return glyphs


@dataclass(slots=True)
class PageRow:
    """One layout line of a page, with its cells cut at the table rules crossing it (if any)."""

    cells: list[Cell]
    where: str
    # For a line crossing a ruled table row holding numbers: the rules' x positions (rounded,
    # the table's column signature) and the text of each slot between two rules.
    signature: tuple[int, ...] = ()
    slots: list[str] = field(default_factory=list)
    before: list[Cell] = field(default_factory=list)
    after: list[Cell] = field(default_factory=list)


def page_rows(glyphs: list[Glyph], rules: list[Rule], page: int) -> list[PageRow]:
    """Group glyphs into lines (top to bottom), each cut into cells (left to right)."""
    out = []
    for n, row in enumerate(group_rows(glyphs), start=1):
        item = PageRow(split_cells(row), f"page {page} line {n}")
        if rules and any(g.ch in _DIGITS for g in row):  # only rows holding numbers are cut
            xs = rule_positions(row, rules)
            if xs:
                _cut_at_rules(item, row, xs)
        out.append(item)
    return out


def rule_positions(row: list[Glyph], rules: list[Rule]) -> list[float]:
    """x positions of the vertical rules crossing the line (at least 3, i.e. two slots)."""
    if not rules:
        return []
    em = statistics.median(g.em for g in row)
    mid = statistics.median(g.base for g in row) + 0.35 * em
    xs = sorted(r.x for r in rules if r.y0 - 1 <= mid <= r.y1 + 1)
    merged: list[float] = []
    for x in xs:
        if not merged or x - merged[-1] > RULE_MERGE:
            merged.append(x)
    return merged if len(merged) >= 3 else []


def _cut_at_rules(item: PageRow, row: list[Glyph], xs: list[float]) -> None:
    """Cut a line at the rules; keep the cut only when some slot holds a number."""
    slots: list[list[Glyph]] = [[] for _ in range(len(xs) - 1)]
    before: list[Glyph] = []
    after: list[Glyph] = []
    for g in row:
        centre = (g.x0 + g.x1) / 2
        if centre < xs[0]:
            before.append(g)
        elif centre > xs[-1]:
            after.append(g)
        else:
            k = min(bisect.bisect_right(xs, centre) - 1, len(slots) - 1)
            slots[k].append(g)
    texts = [" ".join(c.text for c in split_cells(s)) if s else "" for s in slots]
    if not any(NUMBER.fullmatch(t) for t in texts):
        return
    item.signature = tuple(round(x) for x in xs)
    item.slots = texts
    item.before = split_cells(before) if before else []
    item.after = split_cells(after) if after else []


def emit_lines(rows: list[PageRow | None]) -> list[Line]:
    """Lines for the document: ruled number rows as grid slots, the rest as layout cells.

    In a ruled row, the slots from the table's first number column on are kept even when
    blank (`Cell("")`), so a value keeps its column; empty slots left of it belong to labels
    spanning rows (a vertical label, a wrapped label) and are dropped, as in the layout text.
    The first number column is learnt per column signature over the whole document.
    """
    first_value: dict[tuple[int, ...], int] = {}
    for row in rows:
        if row is not None and row.signature:
            k = next(i for i, t in enumerate(row.slots) if NUMBER.fullmatch(t))
            first_value[row.signature] = min(k, first_value.get(row.signature, k))
    lines: list[Line] = []
    page = 1
    for row in rows:
        if row is None:
            page += 1
            lines.append(Line(cells=[Cell("\f")], where=f"page {page} start"))
            continue
        if not row.signature:
            lines.append(Line(cells=row.cells, where=row.where))
            continue
        start = first_value[row.signature]
        texts = [t for t in row.slots[:start] if t] + row.slots[start:]
        cells = [*row.before, *(Cell(t) for t in texts), *row.after]
        for i, cell in enumerate(cells):
            cell.col = i
        lines.append(Line(cells=cells, where=row.where))
    return lines


def group_rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Cluster glyphs top to bottom; a glyph whose baseline is within LINE_TOLERANCE x em of the
    previous glyph's joins its line (cells of one table row may sit a little higher or lower)."""
    rows: list[list[Glyph]] = []
    base = em = 0.0
    for g in sorted(glyphs, key=lambda g: -g.base):
        if rows and base - g.base < LINE_TOLERANCE * min(em, g.em):
            rows[-1].append(g)
        else:
            rows.append([g])
        base, em = g.base, g.em
    return rows


def _cell_gap(left: str, right: str) -> float:
    """The gap (in em) that separates two cells between these two glyphs.

    Two numbers are never one cell: digits of one number touch, so any word gap between
    digits parts two cells. A label and a number part at a narrower gap than two words.
    """
    left_num, right_num = left in _NUMERIC, right in _NUMERIC
    if left_num and right_num:
        return WORD_GAP
    if left_num or right_num:
        return MIXED_GAP
    return CELL_GAP


def split_cells(row: list[Glyph]) -> list[Cell]:
    """Join one line's glyphs into words and cells by the horizontal gaps between them."""
    row = sorted(row, key=lambda g: g.x0)
    size = statistics.median(g.em for g in row)
    cells: list[Cell] = []
    parts: list[str] = [row[0].ch]
    right = row[0].x1
    prev = row[0]
    for g in row[1:]:
        gap = g.x0 - right
        if gap >= _cell_gap(prev.ch, g.ch) * size:
            cells.append(Cell("".join(parts), col=len(cells)))
            parts = [g.ch]
        elif gap >= WORD_GAP * size:
            parts.extend((" ", g.ch))
        else:
            parts.append(g.ch)
        right = max(right, g.x1)
        prev = g
    cells.append(Cell("".join(parts), col=len(cells)))
    for cell in cells:
        if PAGE_NUMBER.match(cell.text):
            cell.text = cell.text.replace(" ", "")
    return cells
