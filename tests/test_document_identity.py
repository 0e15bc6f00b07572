"""Identity from what a PDF or DOCX says about itself (Document.metadata, filled by the readers):
the first page's heading and the signature and date closing the last page are evidence where
the text lines give none, and never count twice where they do."""

from __future__ import annotations

from pathlib import Path

from disclosure.identify import identify
from disclosure.model import Cell, Document, Line
from disclosure.readers.pdf import read_pdf

FIXTURES = Path(__file__).parent / "fixtures"
BODY = "一、总体情况\n全年主动公开信息若干条。"


def _doc(texts: list[str], **metadata: str) -> Document:
    lines = [Line(cells=[Cell(t)], where=f"line {i + 1}") for i, t in enumerate(texts)]
    return Document(lines=lines, format="pdf", metadata=dict(metadata))


def test_the_first_pages_heading_names_agency_and_year_when_no_text_line_is_a_title():
    doc = _doc(["一、总体情况", "全年主动公开信息若干条。"], heading="某某县财政局2023年政府信息公开工作年度报告")
    i = identify(doc, BODY)
    assert (i.agency, i.year) == ("某某县财政局", 2023)
    assert i.agency_source == "title" and i.title == "某某县财政局2023年政府信息公开工作年度报告"


def test_the_last_pages_signature_and_date_are_evidence_when_the_lines_do_not_end_with_them():
    # The closing lines sit in a layout the text lines do not end with (a footer table, columns).
    doc = _doc(["一、总体情况", "全年主动公开信息若干条。", "附件：统计表"], signature="某某县财政局", date="2024年1月20日")
    i = identify(doc, BODY)
    assert (i.agency, i.agency_source) == ("某某县财政局", "signature")
    assert (i.year, i.year_source) == (2023, "signature_date")


def test_a_signature_in_the_metadata_and_in_the_lines_counts_once():
    texts = ["一、总体情况", "全年主动公开信息若干条。", "某某县财政局", "2024年1月20日"]
    with_meta = identify(_doc(texts, signature="某某县财政局", date="2024年1月20日"), BODY)
    without = identify(_doc(texts), BODY)
    assert (with_meta.agency, with_meta.agency_confidence) == (without.agency, without.agency_confidence)
    assert [c.source for c in with_meta.candidates] == [c.source for c in without.candidates]


def test_a_metadata_signature_that_names_no_body_is_not_evidence():
    doc = _doc(["一、总体情况", "全年主动公开信息若干条。"], signature="特此报告", date="2024年1月20日")
    assert identify(doc, BODY).agency is None


def test_a_heading_that_is_the_opening_sentence_is_no_title():
    doc = _doc(["一、总体情况"], heading="现向社会公布某某县财政局2023年度政府信息公开年度报告。本年度报告所列数据")
    assert identify(doc, BODY).agency is None


def test_the_pdf_reader_fills_heading_signature_and_date_from_the_pages():
    titled = FIXTURES / "pdf" / "sh-gov-office-2019-weasy.pdf"
    assert read_pdf(titled.read_bytes(), titled.name).metadata["heading"] == "上海市人民政府办公厅2019年政府信息公开工作年度报告"
    untitled = FIXTURES / "pdf" / "office-word" / "shuyang-fgj-2023.pdf"  # opens with a sentence
    meta = read_pdf(untitled.read_bytes(), untitled.name).metadata
    assert "heading" not in meta
    assert (meta["signature"], meta["date"]) == ("沭阳县发展和改革局", "2024年1月17日")
