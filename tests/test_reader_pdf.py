"""PDF reader: the published PDF and the WeasyPrint fixtures come out right; bad PDFs are refused."""

from __future__ import annotations

import io
import json
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import golden_cells as _cells
from conftest import same_value as _same

from disclosure.model import Document, RejectedReport
from disclosure.parse import parse_file
from disclosure.readers.pdf import Glyph, Rule, emit_lines, page_rows, read_pdf, split_cells, unmapped

HERE = Path(__file__).parent / "fixtures"
PUBLISHED = HERE / "reports" / "huaian-gov-2024.pdf"
FIXTURES = HERE / "pdf"
REJECT = FIXTURES / "reject"
GOLDS = [
    HERE / "reports" / "expected" / "huaian-gov-2024.pdf.json",
    *sorted((FIXTURES / "expected").glob("*.json")),
]


def _read(path: Path) -> Document:
    return read_pdf(path.read_bytes(), str(path))


@pytest.fixture(scope="module")
def published() -> Document:
    return _read(PUBLISHED)


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda g: g.stem)
def test_pdf_parses_to_the_source_reports_golden_values(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    folder = PUBLISHED.parent if gold_path.parent.parent.name == "reports" else FIXTURES
    got = parse_file(folder / gold["file"]).to_json_dict()
    have = dict(_cells(got))
    wrong = [f"{k}: want {v!r} got {have.get(k)!r}" for k, v in _cells(gold) if not _same(have.get(k), v)]
    assert not wrong, wrong
    assert (got["agency"], got["year"], got["template"]) == (gold["agency"], gold["year"], gold["template"])


def test_digits_of_one_number_stay_together(published):
    texts = {c.text for line in published.lines for c in line.cells}
    assert {"3985758", "447228", "88283", "96171.6", "3119", "3050"} <= texts


def test_pages_are_separated_by_form_feed_lines_and_page_numbers_dropped(published):
    breaks = [i for i, line in enumerate(published.lines) if [c.text for c in line.cells] == ["\f"]]
    assert len(breaks) == 5  # six pages
    assert not any(line.text in {"-1-", "- 1 -", "-6-"} for line in published.lines)
    assert any("6 page header/footer/page-number line(s) dropped" in n for n in published.notes)


def test_vertical_label_in_a_ruled_grid_is_one_cell_spanning_its_rows(published):
    rows = [line for line in published.lines if line.table is not None and "1.属于国家秘密" in line.text]
    assert rows
    first = rows[0].cells[0]
    assert first.text == "三、本年度办理结果" and first.rowspan_copy  # its origin is a row above


def test_table_row_keeps_label_and_numbers_on_one_line(published):
    row = next(line for line in published.lines if "1.属于国家秘密" in line.text)
    assert [c.text for c in row.cells][-7:] == ["2", "0", "0", "0", "0", "0", "2"]


def test_table_three_crossing_a_page_break_repeats_its_header_rows():
    doc = _read(FIXTURES / "huaian-gov-2024-weasy.pdf")
    texts = [line.text.replace(" ", "") for line in doc.lines]
    start = next(i for i, t in enumerate(texts) if "（一）予以公开" in t)
    end = next(i for i, t in enumerate(texts) if "四、结转下年度继续办理" in t)
    assert any(t == "\f" for t in texts[start:end]), "表三 must cross a page in this fixture"
    assert sum("申请人情况" in t for t in texts) == 2  # header printed again after the break


def test_blank_cells_in_ruled_tables_keep_their_column():
    doc = _read(FIXTURES / "sh-gov-office-2019-weasy.pdf")
    row = next(line for line in doc.lines if "二、上年结转" in line.text)
    assert [c.text for c in row.cells][-7:] == ["18", "", "", "", "", "", "18"]


def _glyphs(text: str, x: float, base: float = 100.0, width: float = 5.0, em: float = 10.0) -> list[Glyph]:
    return [Glyph(ch, x + i * width, x + (i + 1) * width, base, em) for i, ch in enumerate(text)]


def test_glyphs_closer_than_a_word_gap_are_one_number():
    row = _glyphs("10", 0) + _glyphs("26", 30)  # "10", a gap of 2 em, "26"
    assert [c.text for c in split_cells(row)] == ["10", "26"]
    loose = [Glyph("1", 0, 5, 100, 10), Glyph("0", 6.5, 11.5, 100, 10)]  # 0.15 em apart: kerning
    assert [c.text for c in split_cells(loose)] == ["10"]


def test_two_numbers_in_narrow_columns_are_never_one_cell():
    row = _glyphs("12", 0) + _glyphs("0", 13) + _glyphs("规章", 30, width=10) + _glyphs("7", 58)
    # "12" and "0" 0.3 em apart; "规章" then "7" 0.8 em apart
    assert [c.text for c in split_cells(row)] == ["12", "0", "规章", "7"]
    prose = _glyphs("2024", 0) + _glyphs("年", 22.5, width=10)  # a word space inside a sentence
    assert [c.text for c in split_cells(prose)] == ["2024 年"]


def test_empty_slots_left_of_the_numbers_are_label_space_right_of_them_blank_values():
    rules = [Rule(x, 0, 200) for x in (0, 60, 120, 150, 180, 210)]
    wrapped = _glyphs("12", 125, base=150) + _glyphs("3", 185, base=150)  # label column empty
    labelled = _glyphs("规章", 5, base=120) + _glyphs("1", 125, base=120) + _glyphs("2", 155, base=120)
    lines = emit_lines(page_rows(wrapped + labelled, rules, page=1))
    assert [[c.text for c in line.cells] for line in lines] == [["12", "", "3"], ["规章", "1", "2", ""]]


def test_scanned_pdf_needs_ocr_and_says_how_many_pages():
    with pytest.raises(RejectedReport) as err:
        _read(REJECT / "scanned.pdf")
    assert err.value.code == "needs_ocr"
    assert "2 pages" in err.value.message


def test_encrypted_pdf_is_refused_as_encrypted():
    with pytest.raises(RejectedReport) as err:
        _read(REJECT / "encrypted.pdf")
    assert err.value.code == "encrypted"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ((REJECT / "truncated.pdf").read_bytes(), "corrupt_file"),
        (b"%PDF-1.7\n garbage garbage\n%%EOF\n", "corrupt_file"),
        (b"<html>not a pdf</html>", "corrupt_file"),
        (b"", "empty_file"),
    ],
    ids=["truncated", "garbage", "not-pdf", "empty"],
)
def test_damaged_pdf_is_refused_quickly_with_a_reason(data, code):
    start = time.process_time()  # CPU time: a loaded machine must not fail it
    with pytest.raises(RejectedReport) as err:
        read_pdf(data, "bad.pdf")
    assert err.value.code == code
    assert err.value.path == "bad.pdf"
    assert time.process_time() - start < 1.0


def assemble_pdf(objs: list[bytes]) -> bytes:
    """A PDF file of the numbered objects `objs` (object 1 the catalog), with its xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def minimal_pdf(content: bytes, *, compress: bool = True) -> bytes:
    """A one-page PDF whose page content stream is `content` (Flate-compressed by default)."""
    stream = zlib.compress(content, 9) if compress else content
    flt = b" /Filter /FlateDecode" if compress else b""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), flt) + stream + b"\nendstream",
    ]
    return assemble_pdf(objs)


def test_decompression_bomb_is_refused_before_pdfium_inflates_it(monkeypatch):
    # Not timed (a wall-clock limit failed under load): PDFium must never be asked to open the
    # file, and the check itself must never hold the inflated stream (80 MB) in memory.
    import tracemalloc

    import disclosure.readers.pdf as pdf_reader

    def no_pdfium(*args, **kwargs):
        raise AssertionError("PDFium was asked to open a decompression bomb")

    monkeypatch.setattr(pdf_reader.pdfium, "PdfDocument", no_pdfium)
    bomb = minimal_pdf(b" " * (80 * 2**20))  # 80 MB of spaces in ~80 KB
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(RejectedReport) as err:
            read_pdf(bomb, "bomb.pdf")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.value.code == "zip_bomb"
    assert peak < 16 * 2**20


def test_page_without_any_text_is_a_scan_needing_ocr():
    with pytest.raises(RejectedReport) as err:
        read_pdf(minimal_pdf(b"0 0 m 100 100 l S"), "one.pdf")
    assert err.value.code == "needs_ocr"
    assert "1 page)" in err.value.message


def test_pdf_locked_only_against_editing_is_read_and_noted():
    doc = _read(FIXTURES / "huaian-gov-2024-weasy-owner-locked.pdf")
    assert any("owner password" in note for note in doc.notes)
    assert any(c.text == "3985758" for line in doc.lines for c in line.cells)


def test_landscape_pages_turned_by_rotate_read_left_to_right():
    doc = _read(FIXTURES / "huaian-gov-2024-weasy-rotated.pdf")
    plain = _read(FIXTURES / "huaian-gov-2024-weasy.pdf")
    assert [line.text for line in doc.lines] == [line.text for line in plain.lines]


def test_readers_in_threads_give_the_same_lines():
    data = (FIXTURES / "huaian-gov-2024-weasy.pdf").read_bytes()
    want = [line.text for line in read_pdf(data, "a.pdf").lines]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: [line.text for line in read_pdf(data, "a.pdf").lines], range(8)))
    assert all(r == want for r in results)


def text_pdf(lines: list[bytes]) -> bytes:
    """A one-page PDF printing ASCII lines in Helvetica, 14 pt apart."""
    ops = b"BT /F1 12 Tf 14 TL 72 700 Td " + b" ".join(b"(%s) Tj T*" % line for line in lines) + b" ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return assemble_pdf(objs)


def test_a_hyphen_ending_a_line_is_kept_as_printed():
    # PDFium reports such a hyphen as U+FFFE (a soft line-break hyphen); a report's "-" is a cell
    doc = read_pdf(text_pdf([b"Licensing manip-", b"ulation 12    -", b"Totals   3    4"]), "h.pdf")
    assert [[c.text for c in line.cells] for line in doc.lines] == [
        ["Licensing manip-"],
        ["ulation 12", "-"],
        ["Totals", "3", "4"],
    ]


def test_glyphs_without_unicode_are_counted_as_unmapped():
    glyphs = _glyphs("\ufffd\ue001规章1", 0)
    assert unmapped(glyphs) == 2


def test_a_scanned_page_inside_a_text_pdf_is_noted():
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument((FIXTURES / "huaian-gov-2024-weasy.pdf").read_bytes()))
    mixed.import_pages(pdfium.PdfDocument((REJECT / "scanned.pdf").read_bytes()), [0])
    out = io.BytesIO()
    mixed.save(out)
    doc = read_pdf(out.getvalue(), "mixed.pdf")
    assert any("page(s) 4 have no text layer" in note for note in doc.notes)


# --------------------------------------------------------------------------- office-made PDFs

from office_scores import score_file, score_folder  # noqa: E402

OFFICE = {
    "word-like": FIXTURES / "office-word",
    "libreoffice": FIXTURES / "office-lo",
    "browser-print": FIXTURES / "office-chrome",
    "browser-print-unruled": FIXTURES / "office-chrome-unruled",
}
OFFICE_GOLDS = [(name, g) for name, folder in OFFICE.items() for g in sorted((folder / "expected").glob("*.json"))]


@pytest.mark.parametrize(("producer", "gold_path"), OFFICE_GOLDS, ids=lambda x: x if isinstance(x, str) else x.stem)
def test_office_made_pdf_has_no_silent_error_and_the_right_identity(producer, gold_path):
    from office_scores import Score

    score = Score()
    score_file(gold_path, OFFICE[producer], score)
    assert not score.silent, score.silent
    assert not score.wrong_identity, score.wrong_identity


@pytest.mark.parametrize("producer", ["word-like", "libreoffice", "browser-print", "browser-print-unruled"])
def test_office_made_pdfs_of_each_producer_are_at_least_995_per_mille_exact(producer):
    score = score_folder(OFFICE[producer])
    assert score.files >= 3
    assert score.accuracy >= 0.995, f"{producer}: {score.exact}/{score.cells}"


def test_vertically_centred_cells_a_line_below_their_row_are_placed_in_it():
    # Word-made HTML centres 自然人 and 总计 vertically: with a two-line label they print one
    # text line below the row's other values. The ruled grid puts them in their row.
    doc = _read(FIXTURES / "office-word" / "shuyang-fgj-2023-filled-huaian-gov-2024.pdf")
    row = next(line for line in doc.lines if any(c.text.startswith("2.其他法律行政法规禁止") for c in line.cells))
    values = [c.text for c in row.cells if not c.rowspan_copy][-7:]
    assert values == ["30", "1", "0", "0", "0", "0", "31"]


def test_borderless_table_joins_vertically_centred_cells_to_their_row():
    # Without rules, 自然人 and 总计 of "2.其他法律行政法规禁止公开" print a line below its
    # other values; they join the row by their free columns instead of being dropped.
    doc = _read(FIXTURES / "office-chrome-unruled" / "shuyang-fgj-2023-filled-huaian-gov-2024.pdf")
    row = next(line for line in doc.lines if line.cells and line.cells[0].text.startswith("2.其他法律行政法规禁止"))
    assert [c.text for c in row.cells][-7:] == ["30", "1", "0", "0", "0", "0", "31"]


def _row_values(doc, label: str) -> list[str]:
    row = next(line for line in doc.lines if any(c.text.startswith(label) for c in line.cells))
    return [c.text for c in row.cells if not c.text.startswith(label)]


def test_numbers_wrapped_in_narrow_borderless_columns_are_joined_and_flagged():
    # Word wraps 13612 as "1361" over "2" in the 自然人 column (and 14069 in 总计); the row's
    # vertically centred cells and its label print on the line between the two halves.
    path = FIXTURES / "office-word" / "synthetic-ceshishi-2025.pdf"
    doc = _read(path)
    assert _row_values(doc, "一、本年新收") == ["13612", "252", "0", "45", "128", "32", "14069"]
    assert _row_values(doc, "（七）总计") == ["13364", "252", "0", "44", "121", "29", "13810"]
    got = parse_file(path).to_json_dict()
    assert got["applications"]["new_received"]["natural_person"] == 13612
    assert "wrapped_number" in got["flags"]["applications.new_received.natural_person"]
    assert "applications.new_received.commercial_enterprise" not in got["flags"]


def test_a_row_one_text_line_below_a_full_number_is_not_taken_for_its_wrapped_end():
    # Browser print packs rows one text line apart: 535 (上年结转) sits under 13612 (新收),
    # left-aligned, but it has a label of its own, and in LibreOffice's PDF 535 is narrower than
    # the column's widest number, so it is no wrapped end.
    for producer in ("office-chrome", "office-lo"):
        doc = _read(FIXTURES / producer / "synthetic-ceshishi-2025.pdf")
        assert _row_values(doc, "二、上年结转")[-7:] == ["535", "6", "0", "1", "18", "0", "560"], producer
        assert _row_values(doc, "一、本年新收")[-7:] == ["13612", "252", "0", "45", "128", "32", "14069"], producer


def test_a_table_above_a_borderless_table_is_not_cut_by_its_columns():
    # 表二's 规章 row prints its values left of 表三's first value column: not re-cut into 表三's
    # seven slots (which made the row ambiguous).
    doc = _read(FIXTURES / "office-word" / "synthetic-ceshishi-2025.pdf")
    assert _row_values(doc, "规章") == ["3", "5", "74"]


def test_table_two_rows_above_a_borderless_table_three_keep_their_own_columns():
    # Browser print without borders: 表二's rows (规章 13 13 524; 行政许可 0 0 0) sit on the page
    # that holds 表三, some values by chance under 表三's columns. They lie above 表三's header,
    # so 表三's columns do not cut them (which made them ambiguous).
    doc = _read(FIXTURES / "office-chrome-unruled" / "sh-gov-office-2019.pdf")
    assert _row_values(doc, "规章") == ["13", "13", "524"]
    assert _row_values(doc, "行政许可") == ["0", "0", "0"]


def test_borderless_header_columns_ignore_a_wrapped_note_reaching_into_them():
    # 表三's organisation columns are blank throughout, so its seven columns come from the printed
    # header; the note "（本列数据的勾稽关系为：…之和）" wraps in the label column and its tail
    # must not count as an eighth column. With the seven columns, blanks are placed by position.
    doc = _read(FIXTURES / "office-chrome-unruled" / "sh-gov-office-2019.pdf")
    assert _row_values(doc, "二、上年结转") == ["18", "", "", "", "", "", "18"]


def test_a_value_at_the_top_of_a_page_is_not_dropped_as_a_page_number():
    # 表三 continues on page 2, whose first line is the lone value 3 of （二）部分公开. A bare
    # number in the margin is a page number only where the pages count up with it.
    doc = _read(FIXTURES / "office-chrome-unruled" / "sh-gov-office-2019.pdf")
    assert _row_values(doc, "度办 （二）部分公开") == ["3", "", "", "", "", "", ""]


def test_borderless_values_centred_between_their_wrapped_label_lines_are_that_rows():
    # "1.本机关不掌握相关政" / "府信息" wrap around the row's values (252 12 … 1): the values
    # are this row's, not spread over the rows above and below.
    doc = _read(FIXTURES / "office-chrome-unruled" / "sh-gov-office-2019.pdf")
    assert _row_values(doc, "1.本机关不掌握相关政") == ["252", "12", "", "", "1", "", ""]
    assert _row_values(doc, "8.属于行政查询事项") == ["10", "2", "", "", "", "", ""]


def test_borderless_table_four_places_its_blanks_by_its_printed_header():
    # 表四 is one row of values with no label and blanks (5 _ _ 2 7 | 8 _ _ 1 9 | …): its fifteen
    # columns come from the leaf headers under 行政复议 / 未经复议直接起诉 / 复议后起诉.
    path = FIXTURES / "office-chrome-unruled" / "sh-gov-office-2019.pdf"
    got = parse_file(path).to_json_dict()["review_litigation"]
    assert (got["review.upheld"], got["review.corrected"], got["review.pending"], got["review.total"]) == (5, None, 2, 7)
    assert (got["litigation_direct.upheld"], got["litigation_direct.pending"], got["litigation_direct.total"]) == (8, 1, 9)


def test_letter_spaced_header_words_are_one_column_each():
    # Browser print of 表三 with blank organisation columns: "自 然" / "人" is printed letter-spaced
    # (its 然 nearer 商业 than 自); the header's printed words regroup it into one column.
    doc = _read(FIXTURES / "office-chrome-unruled" / "shuyang-fgj-2023.pdf")
    assert _row_values(doc, "一、本年新收") == ["26", "", "", "", "", "", "26"]


def test_a_label_wrapped_over_three_lines_around_its_values_is_one_label():
    # LibreOffice, borderless: "（二）部分公开（区分处理" / "的，只计这一情形，不计其他" + values /
    # "情形）". The middle part, which begins with no row number, joins the parts above and
    # below it; alone, its "不计其他" was read as the row 其他.
    doc = _read(FIXTURES / "office-lo" / "synthetic-ceshishi-2025.pdf")
    labels = [c.text for line in doc.lines for c in line.cells]
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in labels
    got = parse_file(FIXTURES / "office-lo" / "synthetic-ceshishi-2025.pdf").to_json_dict()
    assert got["applications"]["partially_granted"]["total"] == 2168
    assert got["applications"]["other_handling.other"]["total"] == 965


def test_wrapped_label_in_a_ruled_cell_is_one_label():
    doc = _read(FIXTURES / "office-lo" / "shuyang-fgj-2023.pdf")
    labels = {c.text for line in doc.lines if line.table is not None for c in line.cells}
    assert "5.要求行政机关确认或重新出具已获取信息" in labels


def test_browser_page_header_and_footer_are_dropped():
    doc = _read(FIXTURES / "office-chrome" / "shuyang-fgj-2023.pdf")
    texts = [line.text for line in doc.lines]
    assert not any("file://" in t for t in texts)
    assert any("header/footer" in n for n in doc.notes)


def test_document_identity_evidence_is_exposed_in_metadata(published):
    assert published.metadata["title"] == "政府信息公开工作年度报告"
    assert published.metadata["heading"] == "淮安市人民政府2024年政府信息公开工作年度报告"
    assert published.metadata["creator"].startswith("WPS")
    signed = _read(FIXTURES / "office-word" / "shuyang-fgj-2023.pdf")
    assert signed.metadata["signature"] == "沭阳县发展和改革局"
    assert signed.metadata["date"] == "2024年1月17日"


def test_a_ruled_table_continued_on_the_next_page_is_still_read_as_a_grid():
    doc = _read(FIXTURES / "office-chrome" / "shuyang-fgj-2023-filled-huaian-gov-2024.pdf")
    after = [doc.lines[i + 1] for i, line in enumerate(doc.lines[:-1]) if line.text == "\f"]
    row = next(line for line in after if "3.要求提供公开出版物" in line.text)
    assert row.table is not None
    assert [c.text for c in row.cells if not c.rowspan_copy][-7:] == ["0", "0", "0", "0", "0", "0", "0"]


def test_a_table_whose_outer_border_is_not_drawn_keeps_its_last_column():
    # Chromium leaves out the right border of 表三 here; the rows' horizontal rules end at the
    # same x, which closes the grid, so the 总计 column (859) is a cell of its row.
    doc = _read(FIXTURES / "office-chrome" / "sh-gov-office-2019.pdf")
    row = next(line for line in doc.lines if line.table is not None and "一、本年新收" in line.text)
    assert [c.text for c in row.cells][-7:] == ["821", "35", "", "", "2", "1", "859"]
