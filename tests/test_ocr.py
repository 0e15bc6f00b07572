"""Scanned reports read by OCR (issue 12): exactly or flagged, cached, refused with the page.

The engine tests read two pages of one scanned fixture with the real engine (rapidocr, models
inside the wheel) and share one OCR cache, so every other test that needs those pages reads
them from the cache; the rules around the engine (ambiguity, label matching, rejection, deskew)
are tested with a stand-in engine on drawn images. The full scanned set: `make bench-ocr`.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from conftest import golden_cells, same_value

from disclosure.model import Cell, Document, Line, OcrRead, RejectedReport
from disclosure.ocr import OcrCache, OcrSettings, OcrWord, default_engine, read_page, rotate, skew_angle
from disclosure.ocr_cells import closest_signature, mark_cells, match_labels
from disclosure.parse import parse_bytes, parse_document
from disclosure.readers import read
from disclosure.readers.image import read_images, read_scanned_pdf
from disclosure.tables import CellOut, Tables
from disclosure.vocabulary import INFO_FLAGS, WARNING_FLAGS

SCANS = Path(__file__).parent / "fixtures" / "scans"
SCAN = SCANS / "huaian-gov-2024-scan.pdf"
TABLE_PAGES = (3, 4)  # the scan's pages holding 表三 and 表四 (the source report's pages 4 and 5)


def _pages(path: Path, pages: tuple[int, ...]) -> bytes:
    """A PDF of some pages of another (the image-only pages as they are)."""
    src = pdfium.PdfDocument(path.read_bytes())
    out = pdfium.PdfDocument.new()
    out.import_pages(src, [p - 1 for p in pages])
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


class CountingEngine:
    """The real engine, counting the pages it is asked to read."""

    def __init__(self) -> None:
        self.inner = default_engine(threads=2)  # CI has two cores and runs one test at a time
        self.name = self.inner.name
        self.reads = 0

    def read(self, image):
        self.reads += 1
        return self.inner.read(image)

    def reread(self, crop):
        return self.inner.reread(crop)


class ScriptedEngine:
    """A stand-in engine answering with given words (no model): for the rules around OCR."""

    name = "scripted"

    def __init__(self, words: list[OcrWord]) -> None:
        self.words = words

    def read(self, image):
        return list(self.words)

    def reread(self, crop):
        return "", 0.0


@pytest.fixture(scope="module")
def ocr_cache(tmp_path_factory) -> OcrCache:
    return OcrCache(tmp_path_factory.mktemp("ocr-cache"))


@pytest.fixture(scope="module")
def table_pages(ocr_cache) -> tuple[bytes, dict, CountingEngine]:
    data = _pages(SCAN, TABLE_PAGES)
    engine = CountingEngine()
    doc = read_scanned_pdf(data, "huaian-scan-tables.pdf", OcrSettings(), cache=ocr_cache, engine=engine)
    got = parse_document(doc, data, "huaian-scan-tables.pdf").to_json_dict()
    return data, got, engine


def test_scanned_table_pages_read_97_percent_exact_and_nothing_silently_wrong(table_pages) -> None:
    _data, got, _engine = table_pages
    gold = json.loads((SCANS / "expected" / f"{SCAN.name}.json").read_text(encoding="utf-8"))
    have = dict(golden_cells(got))
    flags = got["flags"]
    keys = [(k, w) for k, w in golden_cells(gold) if not k.startswith("active_disclosure")]  # on other pages
    exact = [k for k, w in keys if same_value(have.get(k), w)]
    silent = [k for k, w in keys if not same_value(have.get(k), w) and not WARNING_FLAGS.intersection(flags.get(k, ()))]
    assert len(exact) >= 0.97 * len(keys), f"{len(exact)}/{len(keys)} exact"
    assert silent == []
    # The pages carry no title: the identity is null (-> uncertain_identity), never a guess.
    assert got["agency"] in (None, gold["agency"]) and got["year"] in (None, gold["year"])


def test_every_ocr_cell_is_flagged_ocr_with_the_engine_confidence(table_pages) -> None:
    _data, got, _engine = table_pages
    printed = [p for p, entry in got["provenance"].items() if entry.get("text")]
    assert printed
    for p in printed:
        assert "ocr" in got["flags"][p], p
        assert 0.0 < got["provenance"][p]["confidence"] <= 1.0, p
    assert "ocr" in INFO_FLAGS


def test_a_rerun_reads_no_page_twice(table_pages, ocr_cache) -> None:
    data, got, first = table_pages
    assert first.reads == len(TABLE_PAGES)
    again = CountingEngine()
    doc = read_scanned_pdf(data, "huaian-scan-tables.pdf", OcrSettings(), cache=ocr_cache, engine=again)
    assert again.reads == 0
    assert parse_document(doc, data, "x.pdf").to_json_dict()["applications"] == got["applications"]


def test_a_png_page_image_is_read_like_the_scanned_pdf_page(table_pages, ocr_cache, monkeypatch) -> None:
    _data, got, _engine = table_pages
    page = pdfium.PdfDocument(SCAN.read_bytes())[TABLE_PAGES[0] - 1]
    image = page.render(scale=OcrSettings().dpi / 72, grayscale=True).to_pil().convert("L")
    buf = io.BytesIO()
    image.save(buf, "PNG")
    engine = CountingEngine()
    monkeypatch.setattr("disclosure.ocr.default_engine", lambda threads=1: engine)
    doc = read(buf.getvalue(), "page.png", ocr=OcrSettings(cache_dir=str(ocr_cache.root)))
    assert engine.reads == 0  # the same pixels as the PDF page: read from the cache
    assert doc.format == "ocr"
    report = parse_document(doc, buf.getvalue(), "page.png").to_json_dict()
    assert report["applications"]["new_received"] == got["applications"]["new_received"]


def test_without_ocr_a_scan_is_still_rejected_needs_ocr_and_an_image_unsupported() -> None:
    with pytest.raises(RejectedReport) as err:
        parse_bytes(SCAN.read_bytes(), SCAN.name)
    assert err.value.code == "needs_ocr"
    with pytest.raises(RejectedReport) as err:
        read(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "page.png")
    assert err.value.code == "unsupported_format"


def _line(cells: list[Cell], where: str = "page 1 table 1 row 3") -> Line:
    return Line(cells=cells, where=where, table=0)


def test_a_doubtful_digit_makes_its_cell_ambiguous_with_the_engine_readings_as_candidates() -> None:
    doc = Document(lines=[_line([Cell("(一)予以公开", ocr=OcrRead(0.99)), Cell("3", ocr=OcrRead(0.61, True, ("8",))),
                                 Cell("12", ocr=OcrRead(0.998))])], format="ocr")
    tables = Tables(applications={"granted": {
        "natural_person": CellOut(3, "3", "page 1 table 1 row 3"),
        "commercial_enterprise": CellOut(12, "12", "page 1 table 1 row 3"),
    }})
    assert mark_cells(tables, doc) == 1
    doubtful, sure = tables.applications["granted"]["natural_person"], tables.applications["granted"]["commercial_enterprise"]
    assert doubtful.value is None and "ambiguous" in doubtful.flags and doubtful.candidates == [3, 8]
    assert sure.value == 12 and sure.flags == ["ocr"] and sure.confidence == 0.998


def test_a_label_misread_by_one_character_is_matched_and_the_match_noted() -> None:
    misread = Cell("(一)予以公幵", ocr=OcrRead(0.62))
    confident = Cell("(一)予以公幵", ocr=OcrRead(0.99))
    notes = match_labels([_line([misread]), _line([confident])])
    assert misread.text == "(一)予以公开"
    assert confident.text == "(一)予以公幵"  # read with confidence: taken as printed
    assert len(notes) == 1 and "予以公开" in notes[0] and "page 1 table 1 row 3" in notes[0]


def test_a_label_near_two_signatures_or_another_row_is_not_matched() -> None:
    assert closest_signature("(三)不予公开") is None  # two characters from 予以公开: another row
    assert closest_signature("本年收费金额(单位:万元)") is None


def _grid_page(width: int = 1654, height: int = 2339) -> np.ndarray:
    page = np.full((height, width), 235, np.uint8)
    for y in range(400, 1401, 100):
        page[y : y + 3, 200:1400] = 20
    for x in range(200, 1401, 200):
        page[400:1403, x : x + 3] = 20
    return page


def test_a_page_whose_ruled_table_yields_no_text_is_rejected_with_its_page_number(tmp_path) -> None:
    blank = np.full((2339, 1654), 235, np.uint8)
    engine = ScriptedEngine([])
    with pytest.raises(RejectedReport) as err:
        read_images([(blank, 0.36), (_grid_page(), 0.36)], "scan.pdf", OcrSettings(), cache=OcrCache(tmp_path),
                    engine=engine)
    assert err.value.code == "no_statistical_tables"
    assert "page 2" in err.value.message and "60 cells" in err.value.message


def test_deskew_finds_the_angle_the_page_was_scanned_at(tmp_path) -> None:
    page = _grid_page()
    for y in range(1500, 2200, 40):  # text-like lines
        page[y : y + 12, 200:1400:3] = 30
    tilted = rotate(page, 1.2)
    assert skew_angle(tilted, OcrSettings()) == pytest.approx(-1.2, abs=0.15)
    read = read_page(tilted, OcrSettings(), engine=ScriptedEngine([]), cache=OcrCache(tmp_path))
    assert read.angle == pytest.approx(-1.2, abs=0.15)
    assert len(read.vrules) == 7 and len(read.hrules) == 11  # the drawn grid, found straight
