"""The PDF reader's fast paths (issue 11, speed) give what the general code they stand in for gives."""

from __future__ import annotations

import random
from pathlib import Path

import pypdfium2 as pdfium

from disclosure.readers.pdf import (
    Glyph,
    GridCell,
    GridTable,
    _place_in_grids,
    _RawPage,
    cell_text,
    line_text,
    split_cells,
)

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
CHARS = list("0123456789.,%-—–年度件个元abc（）一二三自然人")


def _random_row(rng: random.Random) -> list[Glyph]:
    row, x = [], rng.uniform(0, 50)
    for _ in range(rng.randint(1, 8)):
        width = rng.choice([3.0, 6.0, 12.0, rng.uniform(0.5, 12)])
        x += rng.choice([0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, rng.uniform(-3, 15)])
        em = rng.choice([12.0, 6.0, rng.uniform(1, 14)])
        row.append(Glyph(rng.choice(CHARS), x, x + width, rng.choice([100.0, 100.5, 101.0]), em))
        x += width
    return row


def test_line_text_is_the_joined_text_of_the_lines_cells_for_any_glyphs():
    # Page numbers ("- 4 -" -> "-4-"), touching digits, numbers beside labels, overlapping glyphs.
    rng = random.Random(20261202)
    for _ in range(20_000):
        row = _random_row(rng)
        assert line_text(row) == " ".join(c.text for c in split_cells(row)), row


def test_a_page_number_in_a_line_loses_its_spaces_as_in_its_cell():
    row = [Glyph("-", 0, 3, 0, 6), Glyph("4", 5, 8, 0, 6), Glyph("-", 10, 13, 0, 6)]
    assert line_text(row) == "-4-"
    assert cell_text(row) == "-4-"


def _cell_at_placement(glyphs: list[Glyph], tables: list[GridTable]) -> tuple[list[Glyph], list[list[Glyph]]]:
    """The placement as GridTable.contains and .cell_at define it."""
    loose, placed = [], [[] for t in tables for _ in t.cells]
    index = {id(c): k for k, c in enumerate(c for t in tables for c in t.cells)}
    for g in glyphs:
        x, y = (g.x0 + g.x1) / 2, g.base + 0.35 * g.em
        for t in tables:
            if t.contains(x, y) and (cell := t.cell_at(x, y)) is not None:
                placed[index[id(cell)]].append(g)
                break
        else:
            loose.append(g)
    return loose, placed


def _grid(xs: list[float], ys: list[float]) -> GridTable:
    cells = [GridCell(b, b, c, c + 1) for b in range(len(ys) - 1) for c in range(len(xs) - 1)]
    table = GridTable(xs, ys, cells)
    table.by_band = [[c for c in cells if c.top == b] for b in range(len(ys) - 1)]
    return table


def test_glyphs_go_to_the_grid_cell_that_cell_at_names_or_stay_loose():
    rng = random.Random(7)
    tables = [_grid([50, 120, 200, 260], [700, 680, 650, 640]), _grid([300, 350, 420], [500, 470, 430])]
    glyphs = []
    for _ in range(3000):
        x, y = rng.uniform(30, 450), rng.uniform(400, 720)
        glyphs.append(Glyph(rng.choice(CHARS), x, x + rng.uniform(1, 8), y, rng.uniform(4, 12)))
    want_loose, want_placed = _cell_at_placement(glyphs, tables)
    loose = _place_in_grids(glyphs, tables)
    assert loose == want_loose
    assert [c.glyphs for t in tables for c in t.cells] == want_placed
    assert sum(map(len, want_placed)) > 300 and len(want_loose) > 300  # both outcomes were tried


def test_a_raw_page_reports_the_mediabox_pypdfium2_reports():
    for path in (FIXTURES / "huaian-gov-2024-weasy-rotated.pdf", FIXTURES / "hongze-gov-2023-weasy.pdf"):
        pdf = pdfium.PdfDocument(path.read_bytes())
        for index in range(len(pdf)):
            page = pdf[index]
            assert _RawPage(page.raw).get_mediabox() == page.get_mediabox()
            page.close()
        pdf.close()
