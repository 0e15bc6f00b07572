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
import itertools
import operator
import re
import statistics
import threading
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from disclosure.model import Cell, Document, Line, OcrRead, RejectedReport
from disclosure.readers.docmeta import closing_signature, heading_of, is_heading
from disclosure.vocabulary import APPLICANT_SIGNATURES

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
_DASHES = frozenset("-—–")  # the first character of a PAGE_NUMBER
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
class HRule:
    """A horizontal ruling line (table border) at height y from x0 to x1."""

    y: float
    x0: float
    x1: float


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
    # em: how far off a column's left edge a number may begin and still begin that column when
    # it touches the label before it (0: a text layer's positions are exact; OCR's are not).
    start_slack: ClassVar[float] = 0.0


def _median(values: Iterable[float]) -> float:
    """statistics.median without its overhead (same value: the middle, or the mean of the two
    middles); the reader takes tens of thousands of medians of short lists per report."""
    data = sorted(values)
    n = len(data)
    if not n:
        raise statistics.StatisticsError("no median for empty data")
    i = n // 2
    return data[i] if n % 2 else (data[i - 1] + data[i]) / 2


_X0 = operator.attrgetter("x0")
_BASE = operator.attrgetter("base")
_Y = operator.attrgetter("y")
_XPOS = operator.attrgetter("x")
_Y0, _Y1 = operator.attrgetter("y0"), operator.attrgetter("y1")


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
            rows, notes, heading = _read_pages(pdf, path)
            info = _info(pdf)
        finally:
            pdf.close()
    lines = emit_lines(rows)
    metadata = {k: v for k, v in info.items() if v}
    if heading:
        metadata["heading"] = heading
    last_page = len(lines) - next((i for i, line in enumerate(reversed(lines)) if line.text == "\f"), len(lines))
    metadata.update(closing_signature([line.text for line in lines[last_page:]]))
    return Document(lines=lines, format="pdf", title=metadata.get("title"), notes=notes, metadata=metadata)


def _read_pages(pdf: pdfium.PdfDocument, path: str) -> tuple[list[PageRow | None], list[str], str]:
    n_pages = len(pdf)
    if n_pages == 0:
        raise RejectedReport("corrupt_file", "the PDF has no pages", path)
    if n_pages > MAX_PAGES:
        raise RejectedReport("too_large", f"{n_pages} pages (limit {MAX_PAGES})", path)
    n_glyphs = n_unmapped = 0
    textless: list[int] = []
    pages: list[list[PageRow]] = []
    n_tables = 0
    for index in range(n_pages):
        content = _page_content(pdf, index, path)
        glyphs = content.glyphs
        if index == 0:
            heading = first_page_heading(glyphs, content.bottom, content.top)
        n_glyphs += len(glyphs)
        n_unmapped += unmapped(glyphs)
        if not glyphs:
            textless.append(index + 1)
        pages.append(page_rows(glyphs, content.rules, page=index + 1, flat=content.flat, first_table=n_tables))
        n_tables += len({r.table for r in pages[-1] if r.table is not None})
        pages[-1] = mark_margins(pages[-1], content.bottom, content.top)
    rows, dropped = lay_out(pages)
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
    if dropped:
        notes.append(f"pdf: {dropped} page header/footer/page-number line(s) dropped")
    if textless:
        notes.append(
            f"pdf: page(s) {', '.join(map(str, textless))} have no text layer (scanned?): "
            "tables printed there need OCR"
        )
    if pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1:
        notes.append("pdf: encrypted with an owner password only; read without a password")
    return rows, notes, heading


def lay_out(pages: list[list[PageRow]]) -> tuple[list[PageRow | None], int]:
    """The pages' rows as one document: page chrome dropped, borderless tables re-cut by their
    learnt (or header) columns, a None between pages; and how many chrome lines were dropped.
    Shared with the image reader (readers/image.py), whose OCR'd words arrive as glyphs."""
    dropped = drop_page_chrome(pages)
    loose = [r for page in pages for r in page if r.grid is None]
    learnt = learn_columns(loose)
    for spec in HEADER_SPECS:
        if not any(len(c.starts) == spec.columns for c in learnt):
            learnt += header_columns(loose, spec)
    place_by_columns(loose, sorted(learnt, key=lambda c: -len(c.starts)))
    rows: list[PageRow | None] = []
    for index, page in enumerate(pages):
        if index:
            rows.append(None)  # page break
        rows.extend(r for r in page if r.grid is not None or r.cells)
    return rows, dropped


HEADING_EM = 1.15
"""A title line is printed at least this much larger than the page's body text."""
HEADING_LINES = 5
"""Lines heading_of reads (its limit + 2): the other rows of the first page need no cells."""


def first_page_heading(glyphs: list[Glyph], bottom: float, top: float) -> str:
    """The first page's title: the leading lines set larger than the body text, joined (a long
    title wraps); without a larger font, the leading lines up to the one naming the report."""
    if not glyphs:
        return ""
    rows = [r for r in group_rows(glyphs) if bottom + MARGIN * (top - bottom) < r[0].base < top - MARGIN * (top - bottom)]
    if not rows:
        return ""
    body = _median(g.em for g in glyphs)
    picked: list[str] = []
    for row in rows[:6]:
        big = _median(g.em for g in row) >= HEADING_EM * body
        if big:
            picked.append("".join(c.text for c in split_cells(row)).replace(" ", ""))
        elif picked:
            break
    if picked and is_heading("".join(picked)):  # a larger font alone may be a table's digits
        return "".join(picked)
    return heading_of([" ".join(c.text for c in split_cells(r)) for r in rows[:HEADING_LINES]])


def unmapped(glyphs: list[Glyph]) -> int:
    """How many glyphs carry no real character (U+FFFD, private use): a font without ToUnicode.
    A glyph counted begins with such a character, so text holding none counts none: one
    search of the joined text settles the usual page."""
    if not _UNMAPPED.search("".join(map(_CH, glyphs))):
        return 0
    return sum(1 for g in glyphs if g.ch == "\ufffd" or "\ue000" <= g.ch <= "\uf8ff")


_UNMAPPED = re.compile("[\ufffd\ue000-\uf8ff]")
_CH = operator.attrgetter("ch")


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
    # The first piece ends just past the stream's `endstream`: at the end of its data zlib
    # copies whatever input follows into unused_data, so feeding a whole 1 MB window cost a
    # copy of the rest of the file per stream (a browser's PDF has ~900 streams). A stream
    # running past that point (a forged keyword) is fed on in INFLATE_STEP pieces, with the
    # same result: zlib's output does not depend on how its input is cut.
    end = data.find(b"endstream", start, start + INFLATE_STEP)
    pending: bytes | memoryview = view[: INFLATE_STEP if end < 0 else end - start + 16]
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
    consumed = offset - len(inflater.unconsumed_tail) - len(inflater.unused_data)
    return size, consumed


_INFO_KEYS = {"Title": "title", "Creator": "creator", "Producer": "producer"}


def _info(pdf: pdfium.PdfDocument) -> dict[str, str]:
    """The document information dictionary's title and exporting application."""
    try:
        info = pdf.get_metadata_dict()
    except (pdfium.PdfiumError, UnicodeDecodeError, ValueError):  # damaged metadata: none
        return {}
    return {ours: (info.get(theirs) or "").strip() for theirs, ours in _INFO_KEYS.items()}


def _page_content(pdf: pdfium.PdfDocument, index: int, path: str) -> PageContent:
    """The printed (non-blank) glyphs of one page, its ruling lines and its shown height."""
    # Raw page and text page handles, closed here: pypdfium2's wrappers register a weakref
    # finalizer each, which cost more than the close itself.
    raw = pdfium_c.FPDF_LoadPage(pdf.raw, index)
    if not raw:  # (the message pdf[index] gives)
        raise RejectedReport("corrupt_file", f"page {index + 1} cannot be loaded (Failed to load page.)", path)
    page = _RawPage(raw)
    textpage = pdfium_c.FPDFText_LoadPage(raw)
    try:
        if not textpage:
            raise pdfium.PdfiumError("Failed to load text page.")  # as page.get_textpage()
        view = PageView.of(page)
        rules, flat = page_rules(page, view)
        _left, bottom, _right, top = view.rect(*page.get_mediabox())
        return PageContent(_glyphs(textpage, view), rules, flat, bottom, top)
    finally:
        if textpage:
            pdfium_c.FPDFText_ClosePage(textpage)
        pdfium_c.FPDF_ClosePage(raw)


@dataclass(frozen=True, slots=True)
class _RawPage:
    """A loaded page handle with what the reader asks of pdfium.PdfPage (raw, get_mediabox)."""

    raw: object

    def get_mediabox(self) -> tuple[float, float, float, float]:
        """As PdfPage.get_mediabox(): the MediaBox, or ANSI A when the page defines none."""
        left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
        if not pdfium_c.FPDFPage_GetMediaBox(self.raw, left, bottom, right, top):
            return (0, 0, 612, 792)
        return (left.value, bottom.value, right.value, top.value)


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
    """Vertical table rules: thin path objects, and the sides of drawn rectangles."""
    return page_rules(page, view)[0]


def page_rules(page: pdfium.PdfPage, view: PageView = PageView()) -> tuple[list[Rule], list[HRule]]:
    """Vertical and horizontal table rules: thin path objects, and the sides of rectangles.

    Walks the page's objects through the raw API (no Python wrapper per object: a page holds
    thousands of text objects) and looks one level into form XObjects.
    """
    rules: list[Rule] = []
    flat: list[HRule] = []
    box = (ctypes.c_float * 4)()  # left, bottom, right, top
    refs = [ctypes.byref(box, 4 * k) for k in range(4)]
    # The four floats read at once (floats.tolist()): indexing the ctypes array four times and
    # unpacking *refs for every object cost more than the bounds call itself.
    floats = memoryview(box).cast("B").cast("f")
    left_ref, bottom_ref, right_ref, top_ref = refs
    turned = view.quarter_turns != 0
    get_type, get_bounds = _bare("FPDFPageObj_GetType"), _bare("FPDFPageObj_GetBounds")
    count_in_form, get_in_form = _bare("FPDFFormObj_CountObjects"), _bare("FPDFFormObj_GetObject", _Pointer)
    count_segments = _bare("FPDFPath_CountSegments")
    path_kind, form_kind = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM

    def visit(parent: ctypes.c_void_p, count: int, get_object: object, depth: int) -> None:
        for i in range(count):  # (a text object, half of a page's objects, costs two calls)
            obj = get_object(parent, i)
            kind = get_type(obj)
            if kind != path_kind:
                if kind == form_kind and depth < 2:
                    visit(obj, count_in_form(obj), get_in_form, depth + 1)
                continue
            if not get_bounds(obj, left_ref, bottom_ref, right_ref, top_ref):
                continue
            left, bottom, right, top = view.rect(*floats.tolist()) if turned else floats.tolist()
            tall, wide = top - bottom, right - left
            if tall < 4 and wide < 4:
                continue
            if wide <= RULE_WIDTH:
                rules.append(Rule((left + right) / 2, bottom, top))
            elif tall <= RULE_WIDTH:
                flat.append(HRule((bottom + top) / 2, left, right))
            elif count_segments(obj) in (4, 5):  # a rectangle: its four sides
                rules.extend((Rule(left, bottom, top), Rule(right, bottom, top)))
                flat.extend((HRule(bottom, left, right), HRule(top, left, right)))
            else:  # one path drawing many borders (a browser's collapsed table borders)
                _path_edges(obj, view, rules, flat)

    raw = ctypes.cast(page.raw, ctypes.c_void_p)
    visit(raw, _bare("FPDFPage_CountObjects")(raw), _bare("FPDFPage_GetObject", _Pointer), 0)
    return rules, flat


class _Pointer(ctypes.c_void_p):
    """A pointer result kept as a ctypes object (ctypes turns a plain c_void_p result into an
    int, which would need wrapping again to be passed back: one Python object per page object)."""


MAX_PATH_SEGMENTS = 4000  # a path with more segments is a drawing, not table borders


def _path_edges(obj: ctypes.c_void_p, view: PageView, rules: list[Rule], flat: list[HRule]) -> None:
    """Vertical and horizontal straight segments of a path object, in page space."""
    n = _bare("FPDFPath_CountSegments")(obj)
    if n <= 0 or n > MAX_PATH_SEGMENTS:
        return
    m = pdfium_c.FS_MATRIX()
    if not _bare("FPDFPageObj_GetMatrix")(obj, ctypes.byref(m)):
        return
    x, y = ctypes.c_float(), ctypes.c_float()
    xr, yr = ctypes.byref(x), ctypes.byref(y)
    line_to, move_to = pdfium_c.FPDF_SEGMENT_LINETO, pdfium_c.FPDF_SEGMENT_MOVETO
    get_segment = _bare("FPDFPath_GetPathSegment", ctypes.c_void_p)
    get_point, get_kind = _bare("FPDFPathSegment_GetPoint"), _bare("FPDFPathSegment_GetType")
    get_close = _bare("FPDFPathSegment_GetClose")
    path = obj
    ma, mb, mc, md, me, mf = m.a, m.b, m.c, m.d, m.e, m.f
    prev: tuple[float, float] | None = None
    start: tuple[float, float] | None = None
    for i in range(n):
        seg = get_segment(path, i)
        if not seg:
            continue  # (the wrapped call would fail in GetPoint on a null segment too)
        seg = ctypes.c_void_p(seg)
        if not get_point(seg, xr, yr):
            continue
        px, py = ma * x.value + mc * y.value + me, mb * x.value + md * y.value + mf
        kind = get_kind(seg)
        point = (px, py)
        if kind == move_to:
            prev = start = point
            continue
        if kind == line_to and prev is not None:
            _edge(prev, point, view, rules, flat)
            if get_close(seg) and start is not None:
                _edge(point, start, view, rules, flat)
        prev = point


def _edge(a: tuple[float, float], b: tuple[float, float], view: PageView, rules: list[Rule], flat: list[HRule]) -> None:
    left, bottom, right, top = view.rect(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
    if right - left <= 0.5 and top - bottom > 4:
        rules.append(Rule((left + right) / 2, bottom, top))
    elif top - bottom <= 0.5 and right - left > 4:
        flat.append(HRule((bottom + top) / 2, left, right))


def _glyphs(raw_textpage: object, view: PageView = PageView()) -> list[Glyph]:
    n = pdfium_c.FPDFText_CountChars(raw_textpage)
    if n <= 0:
        return []
    # A buffer of a power-of-two length (> n: room for the NUL): a few array types in all, where
    # create_string_buffer made (or looked up) one per page length.
    buf = (ctypes.c_ushort * (1 << n.bit_length()))()
    got = pdfium_c.FPDFText_GetText(raw_textpage, 0, n, buf)
    text = ctypes.string_at(buf, max(got - 1, 0) * 2).decode("utf-16-le", errors="replace")
    if len(text) != n:  # characters outside the BMP: fall back to one call per character
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw_textpage, i) or 0xFFFD) for i in range(n))
    # The box (FS_RECTF: left, top, right, bottom) and origin (x, y) land in buffers read
    # through memoryviews: cheaper than ctypes' field and .value descriptors, glyph by glyph.
    box = (ctypes.c_float * 4)()
    box_ref = ctypes.byref(box)
    origin = (ctypes.c_double * 2)()
    ox_ref, oy_ref = ctypes.byref(origin), ctypes.byref(origin, 8)
    box_f, origin_f = memoryview(box).cast("B").cast("f"), memoryview(origin).cast("B").cast("d")
    get_box, get_origin = _bare_calls()
    page = ctypes.cast(raw_textpage, ctypes.c_void_p)
    turned = view.quarter_turns != 0
    printed = _PRINTED
    out: list[Glyph] = []
    append = out.append
    for i, ch in enumerate(text):
        kept = printed.get(ch, False)
        if kept is False:
            kept = printed[ch] = _printed(ch)
        if kept is None:
            continue
        if not get_box(page, i, box_ref) or not get_origin(page, i, ox_ref, oy_ref):
            continue
        if turned:
            x0, _, x1, _ = view.rect(box_f[0], box_f[3], box_f[2], box_f[1])
            base = view.baseline(origin_f[0], origin_f[1])
        else:
            x0, x1, base = box_f[0], box_f[2], origin_f[1]
        if x1 <= x0:
            continue
        append(Glyph(kept[0], x0, x1, base, kept[1] * (x1 - x0)))  # em_of(ch, x1 - x0)
    return _fill_em(out)


def _printed(ch: str) -> tuple[str, float] | None:
    """A text page character as a glyph (its character, _em_factor), or None when it prints
    nothing (a space, a control or format character)."""
    if ch == _LINE_END_HYPHEN:
        ch = "-"
    elif ch in _SPACES or not ch.isprintable():
        return None
    return ch, _em_factor(ch)


_PRINTED: dict[str, tuple[str, float] | None] = {}
"""_printed by text page character, filled as pages are read (a report prints a few hundred)."""


def _bare_calls() -> tuple[object, object]:
    """FPDFText_GetLooseCharBox and FPDFText_GetCharOrigin, bare (see _bare)."""
    return _bare("FPDFText_GetLooseCharBox"), _bare("FPDFText_GetCharOrigin")


@functools.cache
def _bare(name: str, restype: type = ctypes.c_int) -> object:
    """A PDFium function called without ctypes' argument conversion (argtypes), which costs
    more than the call itself when made for every glyph or path segment. Callers pass exactly
    the C types it takes: void pointers (ctypes.c_void_p), C ints, byrefs.

    Made with PYFUNCTYPE (the C calling convention, keeping the GIL): these calls return in
    well under a microsecond, and releasing and taking back the GIL around each was about a
    tenth of its cost. PDFium never calls back into Python here, and its calls are serialised
    by _PDFIUM_LOCK anyway."""
    fn = getattr(pdfium_c, name)
    bare = ctypes.PYFUNCTYPE(restype)(ctypes.cast(fn, ctypes.c_void_p).value)
    bare.argtypes = None
    return bare


def _fill_em(glyphs: list[Glyph]) -> list[Glyph]:
    """Give glyphs whose width tells no font size (Latin, punctuation) the page's median em."""
    known = [g.em for g in glyphs if g.em > 0]
    default = _median(known) if known else 2 * _median(g.x1 - g.x0 for g in glyphs or [])
    for g in glyphs:
        if g.em <= 0:
            g.em = default
    return glyphs


@dataclass(slots=True)
class PageContent:
    """What one page gives: glyphs, vertical and horizontal rules, shown bottom and top."""

    glyphs: list[Glyph]
    rules: list[Rule]
    flat: list[HRule]
    bottom: float
    top: float


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
    # A row of a ruled grid (cells placed by the rules: grid columns, spans, blanks kept).
    grid: list[Cell] | None = None
    table: int | None = None
    # Height on the page (top of a grid row, baseline of a text line), for ordering.
    y: float = 0.0
    # Within MARGIN of the page's top or bottom edge: page chrome if it repeats or is a number.
    margin: bool = False
    # The line's glyphs (text lines only), for re-cutting by the columns of a borderless table.
    glyphs: list[Glyph] = field(default_factory=list)


# --------------------------------------------------------------------------- ruled grids

GRID_MIN_BAND = 2.0  # rules closer than this (pt) bound no row: a double border
GRID_COVER = 0.5  # a horizontal rule covering this share of a slot closes the cell there
MARGIN = 0.08  # share of the page height at top and bottom where page headers/footers sit
CHROME_MIN_PAGES = 2  # a margin line (digits ignored) on this many pages is a running header/footer
_PAGE_MARK = re.compile(r"^(第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|[-—–]?\s*\d+\s*[-—–]?|page \d+( of \d+)?)$", re.I)
_DIGIT_RUN = re.compile(r"\d+")


@dataclass(slots=True)
class GridCell:
    """One ruled cell: bands top..bottom (inclusive) and grid columns c0..c1 (boundaries)."""

    top: int
    bottom: int
    c0: int
    c1: int
    glyphs: list[Glyph] = field(default_factory=list)


@dataclass(slots=True)
class GridTable:
    """A table whose cells are drawn: column boundaries xs (left to right), band edges ys
    (top to bottom), and its cells."""

    xs: list[float]
    ys: list[float]
    cells: list[GridCell]
    # band index -> the cells crossing that band, left to right
    by_band: list[list[GridCell]] = field(default_factory=list)
    ys_up: list[float] = field(default_factory=list)  # ys bottom to top, for bisect (cached)

    def contains(self, x: float, y: float) -> bool:
        return self.xs[0] - 1 <= x <= self.xs[-1] + 1 and self.ys[-1] - 1 <= y <= self.ys[0] + 1

    def cell_at(self, x: float, y: float) -> GridCell | None:
        ys = self.ys
        if not ys[-1] <= y <= ys[0]:
            return None
        if len(self.ys_up) != len(ys):
            self.ys_up = ys[::-1]
        i = len(ys) - bisect.bisect_left(self.ys_up, y)  # as _band_of
        band = min(max(i - 1, 0), len(ys) - 2)
        xs = self.xs
        for cell in self.by_band[band]:
            if xs[cell.c0] - 1 <= x <= xs[cell.c1] + 1:
                return cell
        return None


def _band_of(ys: list[float], y: float) -> int | None:
    """Index of the band (between ys[i] and ys[i+1], ys descending) holding height y."""
    if not ys[-1] <= y <= ys[0]:
        return None
    i = len(ys) - bisect.bisect_left(ys[::-1], y)  # first edge below y, counted from the top
    return min(max(i - 1, 0), len(ys) - 2)


def _merge_positions(values: list[float], gap: float = RULE_MERGE) -> list[float]:
    merged: list[float] = []
    for v in sorted(values):
        if not merged or v - merged[-1] > gap:
            merged.append(v)
    return merged


def ruled_tables(rules: list[Rule], flat: list[HRule]) -> list[GridTable]:
    """Tables drawn with both vertical and horizontal rules, as grids of cells.

    Bands are the strips between consecutive horizontal rule heights; a band crossed by two or
    more vertical rules is a table row band, and consecutive such bands are one table. Within
    a band the vertical rules crossing it cut the slots (a rule missing = a cell spanning
    columns); a slot not closed by a horizontal rule at the band's lower edge continues into
    the next band (a cell spanning rows: a group label, the vertical 三、本年度办理结果).
    """
    if not rules or not flat:
        return []
    rules = rules + open_sides(rules, flat)
    flat = flat + open_edges(rules, flat)
    heights = sorted(_merge_positions([h.y for h in flat]), reverse=True)
    bands: list[tuple[float, float, list[float]]] = []
    # The rules crossing a band start below its bottom and end above its top: of the rules
    # sorted by start and by end, the shorter of those two runs is searched (same rules).
    by_start = sorted(rules, key=_Y0)
    starts = [r.y0 for r in by_start]
    by_end = sorted(rules, key=_Y1)
    ends = [r.y1 for r in by_end]
    for top, bottom in itertools.pairwise(heights):
        if top - bottom < GRID_MIN_BAND:
            continue
        below = bisect.bisect_right(starts, bottom + 1.5)  # by_start[:below]: y0 <= bottom + 1.5
        above = bisect.bisect_left(ends, top - 1.5)  # by_end[above:]: y1 >= top - 1.5
        if below <= len(ends) - above:
            crossing = [r.x for r in by_start[:below] if r.y1 >= top - 1.5]
        else:
            crossing = [r.x for r in by_end[above:] if r.y0 <= bottom + 1.5]
        xs = _merge_positions(crossing)
        bands.append((top, bottom, xs))
    tables: list[GridTable] = []
    run: list[tuple[float, float, list[float]]] = []
    for band in [*bands, (0.0, 0.0, [])]:
        joined = bool(run) and abs(run[-1][1] - band[0]) < GRID_MIN_BAND + RULE_MERGE
        if len(band[2]) >= 2 and (not run or (joined and _overlap(run[-1][2], band[2]))):
            run.append(band)
            continue
        if run:
            table = _grid_of(run, flat)
            if table is not None:
                tables.append(table)
        run = [band] if len(band[2]) >= 2 else []
    return tables


class _Sorted:
    """Items sorted by one coordinate, for "those within tol of v" in O(log n + k): the grid
    logic asks this for every rule end and every cell edge (quadratic scans were most of the
    PDF reader's time)."""

    __slots__ = ("items", "keys")

    def __init__(self, items: Sequence, key) -> None:
        self.items = sorted(items, key=key)
        self.keys = [key(i) for i in self.items]

    def near(self, v: float, tol: float) -> list:
        return self.items[bisect.bisect_left(self.keys, v - tol):bisect.bisect_right(self.keys, v + tol)]


def open_edges(rules: list[Rule], flat: list[HRule]) -> list[HRule]:
    """Closing edges for a table cut by a page break: where vertical rules end with no
    horizontal rule there (a browser draws no border where a row continues on the next page),
    a virtual rule from the leftmost to the rightmost of them closes the grid."""
    ends: list[tuple[float, float]] = []  # (height, x) of rule ends no horizontal rule meets
    by_y = _Sorted(flat, key=_Y)
    spans: dict[float, list[tuple[float, float]]] = {}  # rule end height -> (x0, x1) of the rules near it
    for r in rules:
        x = r.x
        for y in (r.y0, r.y1):
            near = spans.get(y)
            if near is None:
                near = spans[y] = [(h.x0 - 2, h.x1 + 2) for h in by_y.near(y, RULE_MERGE + 1)]
            for x0, x1 in near:
                if x0 <= x <= x1:
                    break
            else:
                ends.append((y, x))
    out: list[HRule] = []
    ends.sort()
    group: list[tuple[float, float]] = []
    for end in [*ends, (float("inf"), 0.0)]:
        if group and end[0] - group[0][0] > RULE_MERGE:
            if len(group) >= 2:
                xs = [x for _, x in group]
                out.append(HRule(statistics.fmean(y for y, _ in group), min(xs), max(xs)))
            group = []
        group.append(end)
    return out


def open_sides(rules: list[Rule], flat: list[HRule]) -> list[Rule]:
    """Missing outer sides: where three or more horizontal rules end at one x with no vertical
    rule there and nothing ruled beyond (a browser leaves out a collapsed border), a virtual
    vertical rule joins them. Inner ends (a group label's column spanning rows) never count."""
    ends: list[tuple[float, float]] = []  # (x, height) of outer rule ends no vertical rule meets
    by_y = _Sorted(flat, key=_Y)
    by_x = _Sorted(rules, key=_XPOS)
    extent: dict[float, tuple[float, float]] = {}  # height -> leftmost start, rightmost end of its rules
    for h in flat:
        if h.y not in extent:
            level = by_y.near(h.y, RULE_MERGE)  # holds h itself: never empty
            extent[h.y] = min(o.x0 for o in level), max(o.x1 for o in level)
        lowest, highest = extent[h.y]
        for x, outer in ((h.x0, lowest >= h.x0 - RULE_MERGE), (h.x1, highest <= h.x1 + RULE_MERGE)):
            if outer and not any(r.y0 - 2 <= h.y <= r.y1 + 2 for r in by_x.near(x, RULE_MERGE + 1)):
                ends.append((x, h.y))
    out: list[Rule] = []
    ends.sort()
    group: list[tuple[float, float]] = []
    for end in [*ends, (float("inf"), 0.0)]:
        if group and end[0] - group[0][0] > RULE_MERGE:
            if len(group) >= 3:
                ys = [y for _, y in group]
                out.append(Rule(statistics.fmean(x for x, _ in group), min(ys), max(ys)))
            group = []
        group.append(end)
    return out


def _overlap(a: list[float], b: list[float]) -> bool:
    return min(a[-1], b[-1]) - max(a[0], b[0]) > 0


def _covered(level: list[tuple[float, float]], x0: float, x1: float) -> bool:
    """Do the horizontal rules (x0, x1) at one height cover the slot x0..x1, GRID_COVER of it?
    (their overlaps summed in order; a rule beside the slot adds nothing). The sum only grows
    (each term is positive), so it stops once the slot is covered: the same answer as the
    whole sum."""
    need = GRID_COVER * (x1 - x0)
    cover = 0.0
    for h0, h1 in level:
        d = (h1 if h1 <= x1 else x1) - (h0 if h0 >= x0 else x0)
        if d > 0.0:
            cover += d
            if cover >= need:
                return True
    return cover >= need


def _grid_of(bands: list[tuple[float, float, list[float]]], flat: list[HRule]) -> GridTable | None:
    if len(bands) < 2:
        return None  # one ruled box is a frame or a note, not a statistics table
    xs = _merge_positions([x for _, _, band_xs in bands for x in band_xs])
    ys = [bands[0][0], *(b[1] for b in bands)]

    def col(x: float) -> int:
        i = bisect.bisect_left(xs, x)  # the nearest of the sorted xs: i or its left neighbour
        return i - 1 if i == len(xs) or (i and x - xs[i - 1] <= xs[i] - x) else i

    by_y = _Sorted(flat, key=_Y)

    cells: list[GridCell] = []
    open_cells: dict[tuple[int, int], GridCell] = {}
    for b, (_, bottom, band_xs) in enumerate(bands):
        slots = [(col(x0), col(x1)) for x0, x1 in itertools.pairwise(band_xs)]
        still_open: dict[tuple[int, int], GridCell] = {}
        level = [(h.x0, h.x1) for h in by_y.near(bottom, RULE_MERGE)]
        for c0, c1 in slots:
            if c1 <= c0:
                continue
            cell = open_cells.get((c0, c1))
            if cell is None:
                cell = GridCell(b, b, c0, c1)
                cells.append(cell)
            cell.bottom = b
            if not _covered(level, xs[c0], xs[c1]):
                still_open[(c0, c1)] = cell
        open_cells = still_open
    table = GridTable(xs, ys, cells)
    table.by_band = [[] for _ in bands]
    for cell in cells:
        for b in range(cell.top, cell.bottom + 1):
            table.by_band[b].append(cell)
    for row in table.by_band:
        row.sort(key=lambda c: c.c0)
    return table


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def ocr_read(glyphs: Sequence[Glyph]) -> OcrRead | None:
    """How OCR read the glyphs of one cell (None for a text layer's glyphs): the lowest
    confidence, any doubtful digit, and the alternatives of the boxes they came from."""
    if not glyphs or getattr(glyphs[0], "ocr", None) is None:  # a text layer: no glyph was OCR'd
        return None
    reads = [r for g in glyphs if (r := getattr(g, "ocr", None)) is not None]
    alternatives = tuple(dict.fromkeys(a for r in reads for a in r.alternatives))
    return OcrRead(min(r.confidence for r in reads), any(r.doubtful for r in reads), alternatives)


def _ocr_read(glyphs: list[Glyph]) -> OcrRead | None:
    """ocr_read, without its look-ups for a text layer's glyph (a plain Glyph has no OCR read)."""
    return None if type(glyphs[0]) is Glyph else ocr_read(glyphs)


def cell_text(glyphs: list[Glyph]) -> str:
    """The text of one ruled cell: its lines top to bottom, a wrapped CJK label joined without
    a space (the wrap is the page's, not the writer's)."""
    if not glyphs:
        return ""
    if len(glyphs) == 1:  # most ruled cells hold one digit or none
        return line_text(glyphs)
    out = ""
    for line in group_rows(glyphs):
        text = line_text(line)
        if out and not (_wide(out[-1]) or _wide(text[0])):
            out += " "
        out += text
    return out


def grid_rows(table: GridTable, page: int, index: int) -> list[PageRow]:
    """One PageRow per band: every cell crossing it, a spanning cell's later bands as copies."""
    out: list[PageRow] = []
    texts = {id(cell): cell_text(cell.glyphs) for cell in table.cells}
    for b, band_cells in enumerate(table.by_band):
        cells = [
            Cell(texts[id(c)], col=c.c0, colspan=c.c1 - c.c0, rowspan_copy=c.top != b,
                 ocr=None if not c.glyphs or type(c.glyphs[0]) is Glyph else ocr_read(c.glyphs))
            for c in band_cells
        ]
        if not any(c.text for c in cells if not c.rowspan_copy):
            continue  # nothing starts in this band (all its text belongs to spanning cells)
        out.append(PageRow(cells=[], where=f"page {page} table {index + 1} row {b + 1}", grid=cells,
                           table=index, y=table.ys[b]))
    return out


def _place_in_grids(glyphs: list[Glyph], tables: list[GridTable]) -> list[Glyph]:
    """Put each glyph inside a ruled grid into its cell (GridTable.contains, then .cell_at,
    inlined: this runs for every glyph of a page); return the glyphs outside every grid."""
    loose: list[Glyph] = []
    bounds = [
        (t.xs[0] - 1, t.xs[-1] + 1, t.ys[-1], t.ys[0], t.ys[::-1], _band_edges(t))
        for t in tables
    ]
    # (contains' test of y, ys[-1] - 1 <= y <= ys[0] + 1, is implied by cell_at's ys[-1] <= y <= ys[0])
    bisect_left = bisect.bisect_left
    for g in glyphs:
        x, y = (g.x0 + g.x1) / 2, g.base + 0.35 * g.em
        for x0, x1, low, high, ys_up, edges in bounds:
            if x0 <= x <= x1 and low <= y <= high:
                n = len(ys_up)
                band = min(max(n - bisect_left(ys_up, y) - 1, 0), n - 2)  # as _band_of
                lefts, rights, cells = edges[band]
                if lefts is None:  # cells out of order: cell_at's scan
                    cell = next((c for c, lo, hi in zip(cells, *rights, strict=True) if lo <= x <= hi), None)
                else:
                    k = bisect_left(rights, x)
                    cell = cells[k] if k < len(cells) and lefts[k] <= x else None
                if cell is None:
                    continue  # in no cell of this grid: the next grid, or loose
                cell.glyphs.append(g)
                break
        else:
            loose.append(g)
    return loose


def _band_edges(table: GridTable) -> list[tuple]:
    """Per band: its cells' left and right edges as cell_at tests them (xs[c0] - 1, xs[c1] + 1),
    and the cells. cell_at takes the first cell, left to right, whose edges hold x; where both
    edge lists ascend that is the first cell whose right edge is at or beyond x, if its left
    edge is not beyond x (every later left edge is further right): one bisect instead of a scan.
    A band whose edges do not ascend gets (None, (lefts, rights), cells): scanned as cell_at."""
    xs = table.xs
    out: list[tuple] = []
    for cells in table.by_band:
        lefts = [xs[c.c0] - 1 for c in cells]
        rights = [xs[c.c1] + 1 for c in cells]
        ascending = all(a <= b for a, b in itertools.pairwise(lefts)) and all(a <= b for a, b in itertools.pairwise(rights))
        out.append((lefts, rights, cells) if ascending else (None, (lefts, rights), cells))
    return out


def page_rows(
    glyphs: list[Glyph], rules: list[Rule], page: int, flat: list[HRule] | None = None, first_table: int = 0
) -> list[PageRow]:
    """Group glyphs into lines (top to bottom), each cut into cells (left to right).

    Glyphs inside a ruled grid (vertical and horizontal rules) are placed in its cells by
    position instead: a row is a band between rules whatever the baselines inside it.
    """
    tables = ruled_tables(rules, flat or [])
    loose = glyphs if not tables else _place_in_grids(glyphs, tables)
    out = []
    for n, row in enumerate(group_rows(loose), start=1):
        item = PageRow(split_cells(row), f"page {page} line {n}", y=_median(g.base for g in row), glyphs=row)
        if rules and any(g.ch in _DIGITS for g in row):  # only rows holding numbers are cut
            xs = rule_positions(row, rules)
            if xs:
                _cut_at_rules(item, row, xs)
        out.append(item)
    for k, table in enumerate(tables):
        out.extend(grid_rows(table, page, first_table + k))
    out.sort(key=lambda r: -r.y)
    return out


def mark_margins(rows: list[PageRow], bottom: float, top: float) -> list[PageRow]:
    """Mark text lines in the page's top and bottom margins (candidates for page chrome)."""
    if top <= bottom:
        return rows
    band = MARGIN * (top - bottom)
    for row in rows:
        if row.grid is None and (row.y >= top - band or row.y <= bottom + band):
            row.margin = True
    return rows


def _row_text(row: PageRow) -> str:
    return " ".join(c.text for c in row.cells).strip()


def drop_page_chrome(pages: list[list[PageRow]]) -> int:
    """Drop page numbers and running headers/footers (margin lines repeated on several pages,
    digits ignored: a date, "1/3", a file URL); return how many lines were dropped."""
    def key(row: PageRow) -> str:
        return _DIGIT_RUN.sub("#", "".join(c.text for c in row.cells).replace(" ", ""))

    seen: dict[str, int] = {}
    offsets: dict[int, int] = {}  # bare margin number minus page index -> pages printing it
    for i, rows in enumerate(pages):
        for k in {key(r) for r in rows if r.margin}:
            seen[k] = seen.get(k, 0) + 1
        for off in {int(t) - i for r in rows if r.margin and (t := _row_text(r)).isdigit() and len(t) < 6}:
            offsets[off] = offsets.get(off, 0) + 1
    numbering = {off for off, n in offsets.items() if n >= CHROME_MIN_PAGES}
    dropped = 0
    for i, rows in enumerate(pages):
        kept = []
        for row in rows:
            text = _row_text(row)
            if text.isdigit():
                # A bare number is a page number only where the pages count up with it: at the
                # top of a page it may as well be a table row's value continued from the last.
                is_mark = len(text) < 6 and int(text) - i in numbering
            else:
                is_mark = bool(_PAGE_MARK.match(text))
            if row.margin and (
                is_mark
                or (not text.isdigit() and len(pages) >= CHROME_MIN_PAGES and seen.get(key(row), 0) >= CHROME_MIN_PAGES)
            ):
                dropped += 1
                continue
            kept.append(row)
        pages[i] = kept
    return dropped


def rule_positions(row: list[Glyph], rules: list[Rule]) -> list[float]:
    """x positions of the vertical rules crossing the line (at least 3, i.e. two slots)."""
    if not rules:
        return []
    em = _median(g.em for g in row)
    mid = _median(g.base for g in row) + 0.35 * em
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
    texts = [line_text(s) if s else "" for s in slots]
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
        if row.grid is not None:
            lines.append(Line(cells=row.grid, where=row.where, table=row.table))
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
    line: list[Glyph] = []
    base = em = 0.0
    for g in sorted(glyphs, key=_BASE, reverse=True):  # stable, as the key -base
        g_em = g.em
        if line and base - g.base < LINE_TOLERANCE * (em if em < g_em else g_em):
            line.append(g)
        else:
            line = [g]
            rows.append(line)
        base, em = g.base, g_em
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


def line_text(row: list[Glyph]) -> str:
    """" ".join of the texts of split_cells(row), without building the cells: a word gap and a
    cell gap both print as one space (every cell gap is at least a word gap), so the text is the
    glyphs left to right with a space at each gap of WORD_GAP em or more. Only a cell beginning
    with a dash (a page number "- 4 -" loses its spaces) needs the cells: then they are built."""
    if len(row) == 1:
        ch = row[0].ch
        return ch if ch[:1] not in _DASHES else " ".join(c.text for c in split_cells(row))
    row = sorted(row, key=_X0)
    size = _median([g.em for g in row])
    word = WORD_GAP * size
    if not (MIXED_GAP * size >= word and CELL_GAP * size >= word):  # a negative em: no shortcut
        return " ".join(c.text for c in split_cells(row))
    first = row[0]
    parts: list[str] = [first.ch]
    right = first.x1
    for g in itertools.islice(row, 1, None):
        if g.x0 - right >= word:
            parts.append(" ")
        parts.append(g.ch)
        if g.x1 > right:
            right = g.x1
    text = "".join(parts)
    if not _DASHES.isdisjoint(text):  # a cell may be a page number
        return " ".join(c.text for c in split_cells(row))
    return text


def split_cells(row: list[Glyph]) -> list[Cell]:
    """Join one line's glyphs into words and cells by the horizontal gaps between them."""
    return [cell for cell, _ in cells_with_glyphs(row)]


def cells_with_glyphs(row: list[Glyph], starts: Sequence[float] = ()) -> list[tuple[Cell, list[Glyph]]]:
    """split_cells, keeping each cell's glyphs; a glyph that begins exactly at one of the
    column `starts` (a borderless table whose cells touch) also begins a new cell."""
    # The hottest loop of the reader: the gap rule of _cell_gap with its thresholds in points.
    row = sorted(row, key=_X0)
    size = _median([g.em for g in row])
    word, mixed, apart = WORD_GAP * size, MIXED_GAP * size, CELL_GAP * size
    cells: list[tuple[Cell, list[Glyph]]] = []
    first = row[0]
    parts: list[str] = [first.ch]
    members: list[Glyph] = [first]
    right = first.x1
    prev_num = first.ch in _NUMERIC
    for g in itertools.islice(row, 1, None):
        ch, x0 = g.ch, g.x0
        gap = x0 - right
        num = ch in _NUMERIC
        # A number touching the label before it begins at a column's edge: within the glyph
        # source's position error of it (Glyph.start_slack).
        if gap >= (word if prev_num and num else mixed if prev_num or num else apart) or (
            starts and ch in _DIGITS and right <= x0 + START_TOLERANCE
            and any(abs(x0 - x) <= START_TOLERANCE + (g.start_slack * size if not prev_num else 0.0) for x in starts)
        ):
            cells.append((Cell("".join(parts), col=len(cells), ocr=_ocr_read(members)), members))
            parts, members = [ch], [g]
        elif gap >= word:
            parts.append(" ")
            parts.append(ch)
            members.append(g)
        else:
            parts.append(ch)
            members.append(g)
        if g.x1 > right:
            right = g.x1
        prev_num = num
    cells.append((Cell("".join(parts), col=len(cells), ocr=_ocr_read(members)), members))
    for cell, _ in cells:
        if cell.text[0] in _DASHES and PAGE_NUMBER.match(cell.text):
            cell.text = cell.text.replace(" ", "")
    return cells


# --------------------------------------------------------------------------- borderless tables

UNRULED_MIN_COLUMNS = 5  # value columns of 表三 (7) and 表四 (15); 表二's rows print every cell
START_TOLERANCE = 0.6  # pt: a glyph this close to a column's left edge begins that column
_PRINTED_BLANK = frozenset({"-", "—", "–", "/", "无", "－"})


def _value_tail(cells: list[tuple[Cell, list[Glyph]]]) -> int:
    """Index where the trailing run of value cells (numbers, printed blanks) begins."""
    k = len(cells)
    while k and (NUMBER.fullmatch(cells[k - 1][0].text) or cells[k - 1][0].text in _PRINTED_BLANK):
        k -= 1
    return k


@dataclass(slots=True)
class Columns:
    """Value columns of a borderless table learnt from its complete rows: left edges and centres."""

    starts: list[float]
    centres: list[float]
    # Lines (indices into the document's text lines) the table may cover: from its header
    # (申请人情况) or first complete row to TABLE_TAIL lines after its last complete row.
    first: int = 0
    last: int = 1 << 30
    # Rows of the table carry a row label (表三); 表四's one row of values has none, so there a
    # row without a label is still placed by position.
    labelled: bool = True


def learn_columns(rows: list[PageRow]) -> list[Columns]:
    """Columns of borderless tables: for each count n >= UNRULED_MIN_COLUMNS of values printed
    in two or more rows at the same positions, the median left edge and centre of each."""
    by_count: dict[int, list[list[list[Glyph]]]] = {}
    at: dict[int, list[int]] = {}
    for j, row in enumerate(rows):
        if not row.glyphs or sum(1 for c in row.cells if NUMBER.fullmatch(c.text)) < UNRULED_MIN_COLUMNS - 1:
            continue  # fewer numbers than columns even counting touching cells as one
        cells = cells_with_glyphs(row.glyphs)
        values = [g for _, g in cells[_value_tail(cells):]]
        if len(values) >= UNRULED_MIN_COLUMNS:
            by_count.setdefault(len(values), []).append(values)
            at.setdefault(len(values), []).append(j)
    out = []
    for n, groups in sorted(by_count.items(), reverse=True):
        if len(groups) < 2:
            continue
        starts = [_median(min(g.x0 for g in v[i]) for v in groups) for i in range(n)]
        centres = [_median((min(g.x0 for g in v[i]) + max(g.x1 for g in v[i])) / 2 for v in groups) for i in range(n)]
        first, last = min(at[n]), max(at[n])
        header = next((k for k in range(first - 1, max(first - TABLE_HEAD, -1), -1) if _is_header_start(rows[k])), first)
        out.append(Columns(starts, centres, header, last + TABLE_TAIL))
    return out


TABLE_HEAD = 20
"""Lines above a borderless table's first complete row where its header (申请人情况) may begin;
the rows between (all with blanks) are the table's too."""
TABLE_TAIL = 3
"""Lines below its last complete row still placed by its columns (a last row with blanks);
further down, a row is kept as printed and the table logic flags what it cannot place."""


def _is_header_start(row: PageRow, start: str = "申请人情况") -> bool:
    return bool(row.glyphs) and start in "".join(c.text for c in row.cells).replace(" ", "")


@dataclass(slots=True)
class _Cut:
    """A borderless table row re-cut: its label cells and its values by column (None: blank)."""

    row: PageRow
    labels: list[Cell]
    slots: list[Cell | None] | None  # None: the values cannot be placed (two claim one column)
    n_values: int
    cols: Columns
    # Left edge and right edge of each placed value (None for a blank slot).
    x0s: list[float | None] = field(default_factory=list)
    x1s: list[float | None] = field(default_factory=list)


def _cut(row: PageRow, cols: Columns) -> _Cut | None:
    cells = cells_with_glyphs(row.glyphs, cols.starts)
    tail = _value_tail(cells)
    values = cells[tail:]
    if not values:
        row.cells = [c for c, _ in cells]
        return None
    slots: list[Cell | None] | None = [None] * len(cols.centres)
    x0s: list[float | None] = [None] * len(cols.centres)
    x1s: list[float | None] = [None] * len(cols.centres)
    if len(values) > len(cols.centres):
        slots = None
    else:
        for cell, glyphs in values:
            left, right = min(g.x0 for g in glyphs), max(g.x1 for g in glyphs)
            k = min(range(len(cols.centres)), key=lambda i: abs(cols.centres[i] - (left + right) / 2))
            if slots[k] is not None:
                slots = None
                break
            slots[k], x0s[k], x1s[k] = cell, left, right
    if slots is None:
        row.cells = [c for c, _ in cells]
    return _Cut(row, [c for c, _ in cells[:tail]], slots, len(values), cols, x0s, x1s)


@dataclass(frozen=True, slots=True)
class HeaderSpec:
    """A table whose value columns can be read off its printed header."""

    start: str  # the header begins at the line holding this text
    spanning: tuple[str, ...]  # header cells spanning several columns: they tell no column's extent
    columns: int  # leaf headers (value columns) the template prints
    labelled: bool  # its value rows carry a row label
    words: tuple[str, ...]  # the leaf headers' printed words


HEADER_SPECS = (
    HeaderSpec("申请人情况", ("申请人情况", "法人或其他组织"), 7, labelled=True,
               words=tuple(sig[0] for sig in APPLICANT_SIGNATURES.values())),
    HeaderSpec("行政复议", ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"), 15, labelled=False,
               words=("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")),
)
"""表三 (自然人, 商业企业 … 总计 under 申请人情况 / 法人或其他组织) and 表四 (结果维持 … 总计 under
行政复议, and twice under 行政诉讼's 未经复议直接起诉 / 复议后起诉)."""
APPLICANT_COLUMNS = HEADER_SPECS[0].columns
HEADER_GAP = 0.15  # em: header glyphs closer than this are one column's (its text touches)


def header_columns(rows: list[PageRow], spec: HeaderSpec = HEADER_SPECS[0]) -> list[Columns]:
    """A table's value columns from its printed header when no two rows print all its values
    (a 表三 whose organisation columns are blank throughout; 表四's single row): the x-extents
    of the leaf header texts (自然人 … 总计, 结果维持 … 总计, each perhaps wrapped over lines),
    found as the clusters of header glyphs right of the row labels."""
    out: list[Columns] = []
    for i, row in enumerate(rows):
        if not _is_header_start(row, spec.start):
            continue
        header_cells: list[list[Glyph]] = []
        first_values: PageRow | None = None
        for other in rows[i + 1 : i + 12]:
            cells = cells_with_glyphs(other.glyphs) if other.glyphs else []
            if cells and _value_tail(cells) < len(cells):
                first_values = other
                break
            header_cells.extend(gl for c, gl in cells if not any(h in c.text.replace(" ", "") for h in spec.spanning))
        if first_values is None or not header_cells:
            continue
        cells = cells_with_glyphs(first_values.glyphs)
        value_glyphs = [g for _, gl in cells[_value_tail(cells):] for g in gl]
        left = min(g.x0 for g in value_glyphs) - 2 * _median(g.em for g in value_glyphs)
        # A header cell begins right of the row labels; the tail of a wrapped note in the label
        # column ("…等于第三项加第四项之和）") reaching into it is no column's.
        header = [g for gl in header_cells if gl[0].x0 >= left for g in gl]
        clusters = _word_clusters(_x_clusters(header), spec.words)
        if len(clusters) == spec.columns:
            out.append(Columns([c[0] for c in clusters], [(c[0] + c[1]) / 2 for c in clusters], i,
                               labelled=spec.labelled))
    return out


def _x_clusters(header: list[Glyph]) -> list[list]:
    """[x0, x1, chars] of header glyphs grouped by x: a header cell's lines stack in its column."""
    clusters: list[list] = []
    for g in sorted(header, key=lambda g: g.x0):
        if clusters and g.x0 <= clusters[-1][1] + HEADER_GAP * g.em:
            clusters[-1][1] = max(clusters[-1][1], g.x1)
            clusters[-1][2] += g.ch
        else:
            clusters.append([g.x0, g.x1, g.ch])
    return clusters


def _word_clusters(clusters: list[list], words: tuple[str, ...]) -> list[list]:
    """Regroup x-clusters by the header's printed words: a word printed letter-spaced ("自 然" /
    "人") is one column, not two; text left of the first header word (a wrapped note's tail in
    the label column) is none."""
    def sub(chars: str) -> bool:  # the characters are (part of) one header word
        return any(not Counter(chars) - Counter(w) for w in words)

    def whole(chars: str) -> bool:
        return any(Counter(chars) == Counter(w) for w in words)

    first = next((k for k, c in enumerate(clusters) if sub(c[2])), len(clusters))
    out = [list(c) for c in clusters[first:]]
    k = 0
    while k < len(out) - 1:
        a, b = out[k], out[k + 1]
        if not (whole(a[2]) and whole(b[2])) and sub(a[2] + b[2]):
            out[k : k + 2] = [[a[0], max(a[1], b[1]), a[2] + b[2]]]
        else:
            k += 1
    return out


def place_by_columns(rows: list[PageRow], tables: list[Columns]) -> None:
    """Re-cut borderless table rows by the learnt columns.

    * Touching cells are parted at a column's left edge.
    * A line of values alone, printed under a row whose values leave exactly its columns free
      (Word's vertically centred 自然人 and 总计 cells sit a text line below a row whose label
      wraps), is that row's: its values join the row and the line is dropped.
    * A row then printing fewer values than columns gets its blanks by position. If a line of
      values alone could not be joined to a row, the rows next to it keep their values as
      printed (the table logic flags them) rather than blanks that may be that line's values.
    """
    if not tables:
        return
    cuts: list[_Cut] = []
    for j, row in enumerate(rows):
        if not row.glyphs or row.grid is not None or row.signature or not any(g.ch in _DIGITS for g in row.glyphs):
            continue
        cols = next((c for c in tables if c.first <= j <= c.last and _within_columns(row, c)), None)
        if cols is None:
            continue
        cut = _cut(row, cols)
        if cut is not None:
            cuts.append(cut)
    join_wrapped_numbers(cuts)
    join_row_halves(cuts)
    label_centred_values(rows, cuts)
    join_wrapped_item_labels(rows, cuts)
    unsafe: set[int] = set()
    extras: dict[int, list[Cell]] = {}
    for i, cut in enumerate(cuts):
        if cut.slots is None or all(s is not None for s in cut.slots) or not i:
            continue
        h = next((k for k in range(i - 1, -1, -1) if cuts[k].slots is not None), None)
        if h is None:
            continue
        host = cuts[h]  # the nearest row above still holding values (merged lines skipped)
        if not cut.labels and _overlaps(host, cut):
            # Values alone under values in the same columns: the end of numbers wrapped in
            # narrow columns ("1361" / "2"), or another row's: nobody can tell. The rows on
            # both sides get these values too, so that the table logic flags them.
            extra = [Cell(c.text) for c in cut.slots if c is not None]
            for k in (h, i + 1):
                if 0 <= k < len(cuts) and _page_of_row(cuts[k].row) == _page_of_row(cut.row):
                    extras[k] = extras.get(k, []) + extra
            cut.slots = None
            cut.row.cells = []
            continue
        if (
            host.slots is None
            or len(host.slots) != len(cut.slots)
            or _page_of_row(host.row) != _page_of_row(cut.row)
            or not all(a is None or b is None for a, b in zip(host.slots, cut.slots, strict=True))
        ):
            continue
        merged = [a if a is not None else b for a, b in zip(host.slots, cut.slots, strict=True)]
        if cut.labels and not all(m is not None for m in merged):
            unsafe.update((h, i))  # a labelled line filling some of the row's gaps: unclear
            continue
        host.slots = merged
        cut.slots = None
        cut.row.cells = cut.labels  # a wrapped label's fragment stays a fragment
    for i, cut in enumerate(cuts):
        if cut.slots is None:
            continue
        if i in extras:
            cut.row.cells = [*cut.labels, *(c for c in cut.slots if c is not None), *extras[i]]
        elif i in unsafe or (not cut.labels and cut.cols.labelled):
            # Keep as printed (values in order, no blanks): no position is trusted here.
            cut.row.cells = [*cut.labels, *(c for c in cut.slots if c is not None)]
        else:
            cut.row.cells = [*cut.labels, *(c if c is not None else Cell("") for c in cut.slots)]
        for k, cell in enumerate(cut.row.cells):
            cell.col = k


WRAP_LEADING = 1.6
"""em: a number's wrapped end sits one text line below its start (single-spaced leading is about
1.2–1.5 em); a table row further below is another row."""
WRAP_ALIGN = 0.3
"""em: a wrapped end begins where its number begins (left-aligned cell text); further off, it is
not the same cell's text."""


COLUMN_ALIGN = 1.0
"""em: a value of a borderless table begins this close to a column's left edge, or is centred
this close to a column's centre."""


def _within_columns(row: PageRow, cols: Columns) -> bool:
    """Does the line's run of values lie in these columns? A value left of the first value
    column, or aligned with none of them, is another table's (表二 printed on a page that also
    holds 表三's columns)."""
    cells = cells_with_glyphs(row.glyphs, cols.starts)
    values = [gl for _, gl in cells[_value_tail(cells):]]
    if not values:
        return False
    em = _median(g.em for gl in values for g in gl)
    if min(g.x0 for gl in values for g in gl) < cols.starts[0] - em:
        return False
    # Each value begins at a column's left edge or is centred on a column (表二's wider
    # columns under the same page width print their values elsewhere).
    return all(
        min(min(abs(gl[0].x0 - s), abs((gl[0].x0 + gl[-1].x1) / 2 - c)) for s, c in zip(cols.starts, cols.centres, strict=True))
        <= COLUMN_ALIGN * em
        for gl in values
    )


def join_wrapped_numbers(cuts: list[_Cut]) -> None:
    """Join the ends of numbers wrapped in narrow columns ("1361" over "2") to their starts.

    A label printed on the wrapped line (vertically centred in the two-line row, "（七）总计")
    labels the row when the first line has none; otherwise it stays a label fragment.
    """
    widest: dict[int, float] = {}  # per column count and column: the widest value printed on one line
    for c in cuts:
        for k, (x0, x1) in enumerate(zip(c.x0s, c.x1s, strict=True)):
            if x0 is not None and x1 is not None:
                key = len(c.x0s) * 100 + k
                widest[key] = max(widest.get(key, 0.0), x1 - x0)
    for i, cut in enumerate(cuts):
        if cut.slots is None:
            continue
        # The number's start is on the line above, or two above when the row's vertically
        # centred cells (and its label) print on a line between the two halves.
        host = next((h for h in cuts[max(i - 2, 0):i][::-1]
                     if h.slots is not None and _wrapped_digits(h, cut, widest)), None)
        if host is None or (host is cuts[i - 2] and _overlaps(cuts[i - 1], cut)):
            continue
        if host.labels and cut.labels:
            continue  # a line with a label of its own is its own row
        for k, frag in enumerate(cut.slots):
            if frag is not None:
                host.slots[k] = Cell(host.slots[k].text + frag.text, wrapped=True)
        if not host.labels:
            host.labels, cut.labels = cut.labels, []
        cut.slots = None
        cut.row.cells = cut.labels


_ROW_NUMBER = re.compile(r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|[一二三四五六七八九十\d]+\s*[、.．])")
"""A 表三 row label begins with its number ((二), 3., 四、); a line of label text that does not is
the continuation of the label above it."""


def join_wrapped_item_labels(rows: list[PageRow], cuts: list[_Cut]) -> None:
    """A row label wrapped over three lines with the values on the middle one (LibreOffice:
    "（二）部分公开（区分处理" / "的，只计这一情形，不计其他" + values / "情形）"): the item label's parts
    above and below, left-aligned with it in its column, join it. Only a middle part that does
    not begin with a row number is a continuation; a below part that begins with one is the
    next row's."""
    index = {id(r): j for j, r in enumerate(rows)}
    for cut in cuts:
        if cut.slots is None or not cut.labels or not cut.row.glyphs:
            continue
        item = cut.labels[-1]
        if _ROW_NUMBER.match(item.text):
            continue
        j = index[id(cut.row)]
        cells = cells_with_glyphs(cut.row.glyphs, cut.cols.starts)
        glyphs = next((gl for c, gl in cells if c.text == item.text), None)
        if not glyphs or not 0 < j < len(rows) - 1:
            continue
        left = glyphs[0].x0
        values_left = min((x for x in cut.x0s if x is not None), default=left)
        em = _median(g.em for g in glyphs)
        above = _column_part(rows[j - 1], cut.row, left, values_left, em)
        if above is None:
            continue
        below = _column_part(rows[j + 1], cut.row, left, values_left, em)
        if below is not None and _ROW_NUMBER.match(below[0]):
            below = None
        joined = above[0] + item.text + (below[0] if below else "")
        cut.labels[-1] = Cell(joined, col=item.col)
        for row, part in ((rows[j - 1], above), (rows[j + 1], below)):
            if part is not None:
                row.cells = [c for c, _ in cells_with_glyphs(part[1])] if part[1] else []


def _column_part(row: PageRow, values_row: PageRow, left: float, values_left: float, em: float) -> tuple[str, list[Glyph]] | None:
    """(text of a label line's part in the item label column, the line's other glyphs), when the
    line is label text only, one text line from the values' line on the same page, and its part
    begins where the item label begins."""
    if not _label_fragment(row, values_left) or _page_of_row(row) != _page_of_row(values_row):
        return None
    if abs(row.y - values_row.y) > WRAP_LEADING * em:
        return None
    part = sorted((g for g in row.glyphs if g.x0 >= left - WRAP_ALIGN * em), key=lambda g: g.x0)
    if not part or abs(part[0].x0 - left) > WRAP_ALIGN * em:
        return None
    rest = [g for g in row.glyphs if g.x0 < left - WRAP_ALIGN * em]
    return "".join(c.text for c, _ in cells_with_glyphs(part)), rest


def label_centred_values(rows: list[PageRow], cuts: list[_Cut]) -> None:
    """A line of values alone, vertically centred in a row whose label wraps around it: the
    label's first line directly above, its next line directly below, both one text line away
    and both in the label column. The label's first line moves onto the values' line (as a
    label printed beside its values), so the values are that row's, not their neighbours'."""
    index = {id(r): j for j, r in enumerate(rows)}
    for cut in cuts:
        if cut.labels or cut.slots is None or not cut.row.glyphs:
            continue
        j = index[id(cut.row)]
        if not 0 < j < len(rows) - 1:
            continue
        above, below = rows[j - 1], rows[j + 1]
        left = min((x for x in cut.x0s if x is not None), default=0.0)
        em = _median(g.em for g in cut.row.glyphs)
        if not all(_label_fragment(r, left) for r in (above, below)):
            continue
        if above.y - cut.row.y > WRAP_LEADING * em or cut.row.y - below.y > WRAP_LEADING * em:
            continue
        if _page_of_row(above) != _page_of_row(cut.row) or _page_of_row(below) != _page_of_row(cut.row):
            continue
        cut.labels, above.cells = above.cells, []


def _label_fragment(row: PageRow, values_left: float) -> bool:
    """A line of label text only (no values), all of it left of the table's values."""
    if not row.glyphs or row.grid is not None or not row.cells:
        return False
    cells = cells_with_glyphs(row.glyphs)
    return _value_tail(cells) == len(cells) and max(g.x1 for g in row.glyphs) < values_left


def join_row_halves(cuts: list[_Cut]) -> None:
    """A row printed over two lines, unlabelled values first: the tops of wrapped numbers, then
    the row's vertically centred cells with its label one line lower. The first line's values
    join the second's when together they fill every column exactly once, one text line apart."""
    for first, second in itertools.pairwise(cuts):
        if first.labels or first.slots is None or second.slots is None or len(first.slots) != len(second.slots):
            continue
        if _page_of_row(first.row) != _page_of_row(second.row) or not second.row.glyphs:
            continue
        em = _median(g.em for g in second.row.glyphs)
        pairs = list(zip(first.slots, second.slots, strict=True))
        if first.row.y - second.row.y > WRAP_LEADING * em or not all((a is None) != (b is None) for a, b in pairs):
            continue
        second.slots = [a if a is not None else b for a, b in pairs]
        second.x0s = [a if a is not None else b for a, b in zip(first.x0s, second.x0s, strict=True)]
        second.x1s = [a if a is not None else b for a, b in zip(first.x1s, second.x1s, strict=True)]
        first.slots = None
        first.row.cells = []


def _wrapped_digits(host: _Cut, cut: _Cut, widest: dict[int, float]) -> bool:
    """Is a line of values the wrapped ends of the numbers above it? Only when the page shows
    it: every value sits under a number of the row above, left-aligned with it, one text line
    below it (not a row below); both are plain digit runs; and each number above fills its
    column (no number printed on one line in that column is wider: a shorter one would have
    left room for the next digit)."""
    if not _overlaps(host, cut) or not cut.row.glyphs or not host.row.glyphs:
        return False
    em = _median(g.em for g in cut.row.glyphs)
    if host.row.y - cut.row.y > WRAP_LEADING * em:
        return False
    for k, frag in enumerate(cut.slots):
        if frag is None:
            continue
        above = host.slots[k]
        if above is None or not (frag.text.isdigit() and above.text.isdigit()):
            return False
        if abs((cut.x0s[k] or 0.0) - (host.x0s[k] or 0.0)) > WRAP_ALIGN * em:
            return False
        width = (host.x1s[k] or 0.0) - (host.x0s[k] or 0.0)
        if width < widest.get(len(host.x0s) * 100 + k, 0.0) - WRAP_ALIGN * em:
            return False
    return True


def _overlaps(host: _Cut, cut: _Cut) -> bool:
    """Do the two rows print values in a common column (same page)?"""
    if host.slots is None or cut.slots is None or len(host.slots) != len(cut.slots):
        return False
    if _page_of_row(host.row) != _page_of_row(cut.row):
        return False
    return any(a is not None and b is not None for a, b in zip(host.slots, cut.slots, strict=True))


def _page_of_row(row: PageRow) -> str:
    return row.where.split(" line ")[0]
