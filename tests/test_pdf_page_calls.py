"""The PDF reader's cheaper PDFium walks (issue 11, seventh session) give what the walks they
replace gave: page objects into rules, text page characters into glyphs, glyphs into ruled
cells, the cover test of a ruled slot and the count of unmapped glyphs. The replaced code is
kept here as the reference."""

from __future__ import annotations

import ctypes
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from test_pdf_fast_paths import _cell_at_placement

from disclosure.readers import pdf as P
from disclosure.readers.pdf import Glyph, GridCell, GridTable, HRule, PageView, Rule

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"


def _fixture_pdfs() -> list[Path]:
    """Every readable PDF fixture: the WeasyPrint ones (one turned by /Rotate) and every
    office producer's (Word-like, LibreOffice, Chromium ruled and borderless)."""
    paths = sorted(FIXTURES.glob("*.pdf")) + sorted(FIXTURES.glob("office-*/*.pdf"))
    assert any("rotated" in p.name for p in paths) and any("office-chrome" in str(p) for p in paths)
    return paths


def _pages() -> Iterator[tuple[str, P._RawPage, object, PageView]]:
    """(name, page, raw text page, view) of every fixture page."""
    for path in _fixture_pdfs():
        pdf = pdfium.PdfDocument(path.read_bytes())
        try:
            for index in range(len(pdf)):
                raw = pdfium_c.FPDF_LoadPage(pdf.raw, index)
                textpage = pdfium_c.FPDFText_LoadPage(raw)
                page = P._RawPage(raw)
                try:
                    yield f"{path.name} page {index + 1}", page, textpage, PageView.of(page)
                finally:
                    pdfium_c.FPDFText_ClosePage(textpage)
                    pdfium_c.FPDF_ClosePage(raw)
        finally:
            pdf.close()


# --------------------------------------------------------------------------- the references


def reference_page_rules(page: P._RawPage, view: PageView) -> tuple[list[Rule], list[HRule]]:
    """page_rules as it was: the ctypes float array read by index, a wrapper per form child."""
    rules: list[Rule] = []
    flat: list[HRule] = []
    box = (ctypes.c_float * 4)()
    refs = [ctypes.byref(box, 4 * k) for k in range(4)]
    turned = view.quarter_turns != 0
    get_type, get_bounds = P._bare("FPDFPageObj_GetType"), P._bare("FPDFPageObj_GetBounds")
    count_in_form, get_in_form = P._bare("FPDFFormObj_CountObjects"), P._bare("FPDFFormObj_GetObject", P._Pointer)
    count_segments = P._bare("FPDFPath_CountSegments")

    def visit(objects: Iterable, depth: int) -> None:
        for obj in objects:
            kind = get_type(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 2:
                visit([get_in_form(obj, j) for j in range(count_in_form(obj))], depth + 1)
                continue
            if kind != pdfium_c.FPDF_PAGEOBJ_PATH or not get_bounds(obj, *refs):
                continue
            left, bottom, right, top = view.rect(*box) if turned else box
            tall, wide = top - bottom, right - left
            if tall < 4 and wide < 4:
                continue
            if wide <= P.RULE_WIDTH:
                rules.append(Rule((left + right) / 2, bottom, top))
            elif tall <= P.RULE_WIDTH:
                flat.append(HRule((bottom + top) / 2, left, right))
            elif count_segments(obj) in (4, 5):
                rules.extend((Rule(left, bottom, top), Rule(right, bottom, top)))
                flat.extend((HRule(bottom, left, right), HRule(top, left, right)))
            else:
                P._path_edges(obj, view, rules, flat)

    raw = ctypes.cast(page.raw, ctypes.c_void_p)
    get_object = P._bare("FPDFPage_GetObject", P._Pointer)
    visit((get_object(raw, i) for i in range(P._bare("FPDFPage_CountObjects")(raw))), 0)
    return rules, flat


def reference_glyphs(raw_textpage: object, view: PageView) -> list[Glyph]:
    """_glyphs as it was: create_string_buffer, FS_RECTF fields, c_double values."""
    n = pdfium_c.FPDFText_CountChars(raw_textpage)
    if n <= 0:
        return []
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = pdfium_c.FPDFText_GetText(raw_textpage, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: max(got - 1, 0) * 2].decode("utf-16-le", errors="replace")
    if len(text) != n:
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw_textpage, i) or 0xFFFD) for i in range(n))
    rect = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    out: list[Glyph] = []
    for i, ch in enumerate(text):
        if ch == P._LINE_END_HYPHEN:
            ch = "-"
        elif ch in P._SPACES or not ch.isprintable():
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(raw_textpage, i, rect):
            continue
        if not pdfium_c.FPDFText_GetCharOrigin(raw_textpage, i, ox, oy):
            continue
        if view.quarter_turns:
            x0, _, x1, _ = view.rect(rect.left, rect.bottom, rect.right, rect.top)
            base = view.baseline(ox.value, oy.value)
        else:
            x0, x1, base = rect.left, rect.right, oy.value
        if x1 <= x0:
            continue
        out.append(Glyph(ch, x0, x1, base, P.em_of(ch, x1 - x0)))
    return P._fill_em(out)


def reference_covered(level: list[tuple[float, float]], x0: float, x1: float) -> bool:
    """The slot's cover test as it was (_grid_of's closed): every overlap summed, then compared."""
    cover = 0.0
    for h0, h1 in level:
        d = (h1 if h1 <= x1 else x1) - (h0 if h0 >= x0 else x0)
        if d > 0.0:
            cover += d
    return cover >= P.GRID_COVER * (x1 - x0)


def reference_unmapped(glyphs: list[Glyph]) -> int:
    return sum(1 for g in glyphs if g.ch == "\ufffd" or "\ue000" <= g.ch <= "\uf8ff")


# --------------------------------------------------------------------------- the comparisons


def test_page_rules_and_glyphs_are_the_reference_walks_on_every_fixture_page():
    n_rules = n_glyphs = n_turned = 0
    for name, page, textpage, view in _pages():
        assert P.page_rules(page, view) == reference_page_rules(page, view), name
        glyphs = P._glyphs(textpage, view)
        assert glyphs == reference_glyphs(textpage, view), name
        n_rules += len(P.page_rules(page, view)[0])
        n_glyphs += len(glyphs)
        n_turned += view.quarter_turns != 0
    assert n_rules > 1000 and n_glyphs > 10_000 and n_turned  # ruled tables, text, a turned page


def test_glyphs_of_real_grids_go_where_cell_at_puts_them():
    n_placed = 0
    for name, page, textpage, view in _pages():
        rules, flat = P.page_rules(page, view)
        glyphs = P._glyphs(textpage, view)
        tables = P.ruled_tables(rules, flat)
        if not tables:
            continue
        want_loose, want_placed = _cell_at_placement(glyphs, tables)
        assert P._place_in_grids(glyphs, tables) == want_loose, name
        assert [c.glyphs for t in tables for c in t.cells] == want_placed, name
        n_placed += sum(map(len, want_placed))
    assert n_placed > 5000


def test_a_band_whose_cells_are_out_of_order_is_scanned_as_cell_at_scans_it():
    # Cells listed right to left (no ruled grid gives this order; a hand-made table may).
    cells = [GridCell(0, 0, 1, 2), GridCell(0, 0, 0, 1)]
    table = GridTable([0.0, 50.0, 100.0], [100.0, 0.0], cells, by_band=[cells])
    glyphs = [Glyph("1", x, x + 4, 40.0, 8.0) for x in (10.0, 48.0, 49.0, 60.0, 97.0, 120.0)]
    want_loose, want_placed = _cell_at_placement(glyphs, [table])
    assert P._place_in_grids(glyphs, [table]) == want_loose
    assert [c.glyphs for c in cells] == want_placed
    assert cells[0].glyphs and cells[1].glyphs and want_loose


def test_a_slot_is_covered_exactly_when_the_whole_sum_covers_it():
    rng = random.Random(11)
    for _ in range(20_000):
        x0 = rng.uniform(0, 100)
        x1 = x0 + rng.choice([rng.uniform(0, 60), 0.0, 1e-9])
        level = []
        for _ in range(rng.randint(0, 8)):
            h0 = rng.choice([x0, x1, rng.uniform(-20, 140)]) + rng.choice([0.0, 0.0, rng.uniform(-5, 5)])
            level.append((h0, h0 + rng.choice([rng.uniform(0, 50), 0.0, x1 - x0])))
        assert P._covered(level, x0, x1) == reference_covered(level, x0, x1), (level, x0, x1)
    nan = float("nan")
    for level, x0, x1 in (([(nan, 5.0)], 0.0, 10.0), ([(0.0, 10.0)], nan, 10.0), ([(0.0, nan), (0.0, 10.0)], 0.0, 10.0)):
        assert P._covered(level, x0, x1) == reference_covered(level, x0, x1)


def test_unmapped_counts_what_the_reference_counts():
    rng = random.Random(5)
    alphabet = ["a", "1", "年", "\ufffd", "\ue000", "\ue123", "\uf8ff", "\uf900", "\ue000x", "\uf8ffx", "ab", ""]
    for _ in range(5000):
        glyphs = [Glyph(rng.choice(alphabet), 0, 1, 0, 1) for _ in range(rng.randint(0, 6))]
        assert P.unmapped(glyphs) == reference_unmapped(glyphs)
