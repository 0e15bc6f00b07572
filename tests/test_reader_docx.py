"""Word reader: merged cells expanded into the grid, numbering restored, bad files refused."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from conftest import golden_cells as _cells
from conftest import same_value as _same

from disclosure.model import Document, RejectedReport
from disclosure.parse import parse_file
from disclosure.readers.docx import chinese_number, read_docx

FIXTURES = Path(__file__).parent / "fixtures" / "docx"
GOLDS = sorted((FIXTURES / "expected").glob("*.json"))
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(body: str, numbering: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx whose body is the given WordprocessingML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>')
        if numbering:
            z.writestr("word/numbering.xml", f'<w:numbering xmlns:w="{W_NS}">{numbering}</w:numbering>')
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def p(text: str, num: tuple[int, int] | None = None) -> str:
    ppr = (
        f'<w:pPr><w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr></w:pPr>'
        if num
        else ""
    )
    return f"<w:p>{ppr}<w:r><w:t>{text}</w:t></w:r></w:p>"


def cells_of(doc: Document, startswith: str) -> list:
    return next(
        line.cells
        for line in doc.lines
        if line.text.startswith(startswith)
        or any(c.text.startswith(startswith) and not c.rowspan_copy for c in line.cells)
    )


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda g: g.stem)
def test_word_fixture_parses_to_the_source_reports_golden_values(gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    got = parse_file(FIXTURES / gold["file"]).to_json_dict()
    have = dict(_cells(got))
    wrong = [f"{k}: want {v!r} got {have.get(k)!r}" for k, v in _cells(gold) if not _same(have.get(k), v)]
    assert not wrong, wrong
    assert (got["agency"], got["year"], got["template"]) == (gold["agency"], gold["year"], gold["template"])


def test_vertically_merged_labels_repeat_as_rowspan_copies_in_their_grid_column():
    doc = read_docx((FIXTURES / "huaian-gov-2024-word.docx").read_bytes(), "x.docx")
    first = cells_of(doc, "1.属于国家秘密")
    second = cells_of(doc, "2.其他法律行政法规禁止公开")
    assert [(c.text, c.col, c.rowspan_copy) for c in first[:3]] == [
        ("三、本年度办理结果", 0, True),
        ("（三）不予公开", 1, False),
        ("1.属于国家秘密", 2, False),
    ]
    assert [(c.text, c.col, c.rowspan_copy) for c in second[:3]] == [
        ("三、本年度办理结果", 0, True),
        ("（三）不予公开", 1, True),
        ("2.其他法律行政法规禁止公开", 2, False),
    ]
    assert [c.text for c in first[3:]] == ["2", "0", "0", "0", "0", "0", "2"]
    assert second[0].text == first[0].text  # label logic may read the copy; values never count it


def test_horizontally_merged_cells_keep_their_span_and_following_grid_columns():
    doc = read_docx((FIXTURES / "huaian-gov-2024-word.docx").read_bytes(), "x.docx")
    row = cells_of(doc, "一、本年新收政府信息公开申请数量")
    assert (row[0].colspan, row[0].col) == (3, 0)
    assert [c.col for c in row[1:]] == list(range(3, 10))
    assert all(line.table is not None for line in doc.lines if "本年新收" in line.text)


def test_blank_cells_are_kept_so_positions_survive():
    doc = read_docx((FIXTURES / "sh-gov-office-2019-word.docx").read_bytes(), "x.docx")
    row = cells_of(doc, "二、上年结转政府信息公开申请数量")
    assert [c.text for c in row[1:]] == ["18", "", "", "", "", "", "18"]


def test_auto_numbering_is_rendered_in_front_of_labels():
    numbering = (
        '<w:abstractNum w:abstractNumId="0">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%1）"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>'
        "</w:abstractNum>"
        '<w:num w:numId="5"><w:abstractNumId w:val="0"/></w:num>'
    )
    body = "".join(
        [
            p("予以公开", (5, 0)),
            p("部分公开", (5, 0)),
            p("不予公开", (5, 0)),
            p("属于国家秘密", (5, 1)),
            p("其他法律行政法规禁止公开", (5, 1)),
            p("无法提供", (5, 0)),
            p("本机关不掌握相关政府信息", (5, 1)),
        ]
    )
    doc = read_docx(make_docx(body, numbering), "n.docx")
    assert [line.text for line in doc.lines] == [
        "（一）予以公开",
        "（二）部分公开",
        "（三）不予公开",
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "（四）无法提供",
        "1.本机关不掌握相关政府信息",  # a new upper item restarts the level below
    ]


def test_chinese_counting_matches_word():
    assert [chinese_number(n) for n in (1, 10, 12, 20, 35, 105)] == [
        "一",
        "十",
        "十二",
        "二十",
        "三十五",
        "一百零五",
    ]


def test_runs_are_joined_and_deleted_text_left_out():
    body = (
        "<w:p><w:r><w:t>三、收到和处理</w:t></w:r><w:ins><w:r><w:t>政府信息</w:t></w:r></w:ins>"
        "<w:del><w:r><w:delText>删除</w:delText></w:r></w:del><w:r><w:t>公开申请情况</w:t></w:r></w:p>"
    )
    doc = read_docx(make_docx(body), "r.docx")
    assert [line.text for line in doc.lines] == ["三、收到和处理政府信息公开申请情况"]


def test_entities_are_not_expanded():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "AAAAAAAAAA">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>x&c;&ext;y</w:t></w:r></w:p></w:body></w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", laughs)
    try:
        doc = read_docx(out.getvalue(), "e.docx")
    except RejectedReport as exc:
        assert exc.code == "corrupt_file"
        return
    text = "".join(line.text for line in doc.lines)
    assert "AAAA" not in text and "root:" not in text


def test_old_binary_word_is_refused_naming_the_conversion():
    with pytest.raises(RejectedReport) as err:
        read_docx((FIXTURES / "reject" / "old-word.doc").read_bytes(), "old.doc")
    assert err.value.code == "unsupported_format"
    assert "libreoffice --headless --convert-to docx" in err.value.message
    assert err.value.path == "old.doc"


def test_password_protected_word_is_refused_as_encrypted():
    ole = (FIXTURES / "reject" / "old-word.doc").read_bytes() + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(RejectedReport) as err:
        read_docx(ole, "locked.docx")
    assert err.value.code == "encrypted"


def test_zip_bomb_is_refused_by_compression_ratio_quickly():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<" + b" " * (8 * 2**20))  # 8 MB of spaces, ~8 KB packed
    start = time.process_time()  # CPU time: a loaded machine must not fail it
    with pytest.raises(RejectedReport) as err:
        read_docx(out.getvalue(), "bomb.docx")
    assert err.value.code == "zip_bomb"
    assert time.process_time() - start < 0.5


def test_zip_bomb_is_refused_by_declared_total_size_before_inflating():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W_NS}"><w:body/></w:document>')
    raw = bytearray(out.getvalue())
    # forge the central directory's uncompressed size (offset 24 in the entry) to 60 MB
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = (60 * 2**20).to_bytes(4, "little")
    with pytest.raises(RejectedReport) as err:
        read_docx(bytes(raw), "lie.docx")
    assert err.value.code == "zip_bomb"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"PK\x03\x04 this is not really a zip", "corrupt_file"),
        (b"hello", "corrupt_file"),
    ],
)
def test_damaged_or_empty_word_files_are_refused_with_a_reason(data, code):
    with pytest.raises(RejectedReport) as err:
        read_docx(data, "bad.docx")
    assert err.value.code == code


def test_zip_without_a_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(RejectedReport) as err:
        read_docx(out.getvalue(), "book.xlsx")
    assert err.value.code == "corrupt_file"


def tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{p(text)}</w:tc>"


def test_hand_written_merges_expand_like_the_html_reader():
    restart, cont = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    h_restart, h_cont = '<w:hMerge w:val="restart"/>', "<w:hMerge/>"
    span2 = '<w:gridSpan w:val="2"/>'
    rows_xml = [
        tc("三、本年度办理结果", restart) + tc("（一）予以公开", span2) + tc("5") + tc(""),
        tc("", cont) + tc("（三）不予公开", restart) + tc("1.属于国家秘密") + tc("1") + tc(""),
        tc("", cont) + tc("", cont) + tc("2.其他法律行政法规禁止公开") + tc("0") + tc("2"),
        tc("四、结转下年度继续办理", h_restart) + tc("", h_cont) + tc("", h_cont) + tc("3") + tc("4"),
    ]
    body = "<w:tbl><w:tblGrid/>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows_xml) + "</w:tbl>"
    doc = read_docx(make_docx(body), "t.docx")
    rows = [[(c.text, c.col, c.colspan, c.rowspan_copy) for c in line.cells] for line in doc.lines]
    assert rows == [
        [
            ("三、本年度办理结果", 0, 1, False),
            ("（一）予以公开", 1, 2, False),
            ("5", 3, 1, False),
            ("", 4, 1, False),
        ],
        [
            ("三、本年度办理结果", 0, 1, True),
            ("（三）不予公开", 1, 1, False),
            ("1.属于国家秘密", 2, 1, False),
            ("1", 3, 1, False),
            ("", 4, 1, False),
        ],
        [
            ("三、本年度办理结果", 0, 1, True),
            ("（三）不予公开", 1, 1, True),
            ("2.其他法律行政法规禁止公开", 2, 1, False),
            ("0", 3, 1, False),
            ("2", 4, 1, False),
        ],
        [("四、结转下年度继续办理", 0, 3, False), ("3", 3, 1, False), ("4", 4, 1, False)],
    ]
    assert {line.table for line in doc.lines} == {0}


def test_text_box_fallback_copies_are_not_read_twice():
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    body = (
        f'<w:p xmlns:mc="{mc}"><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
        "<w:txbxContent><w:p><w:r><w:t>淮安市人民政府</w:t></w:r></w:p></w:txbxContent></mc:Choice>"
        "<mc:Fallback><w:txbxContent><w:p><w:r><w:t>淮安市人民政府</w:t></w:r></w:p></w:txbxContent>"
        "</mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    doc = read_docx(make_docx(body), "b.docx")
    assert [line.text for line in doc.lines] == ["淮安市人民政府"]


def test_labels_numbered_by_word_keep_their_numbers():
    doc = read_docx((FIXTURES / "pingtan-2021-word.docx").read_bytes(), "p.docx")
    labels = [c.text for line in doc.lines if line.table == 1 for c in line.cells[1:3] if not c.rowspan_copy]
    assert "（一）予以公开" in labels
    assert "（三）不予公开" in labels
    assert "1.属于国家秘密" in labels and "8.属于行政查询事项" in labels
    assert "1.本机关不掌握相关政府信息" in labels  # each group's list starts again at 1
    assert "（七）总计" in labels


def test_a_report_wrapped_in_a_layout_table_is_read_as_its_paragraphs_and_tables():
    inner = (
        f"<w:tbl><w:tr>{tc('信息内容')}{tc('本年制发件数')}</w:tr><w:tr>{tc('规章')}{tc('3')}</w:tr></w:tbl>"
    )
    body = (
        "<w:tbl><w:tr><w:tc>"
        + p("二、主动公开政府信息情况")
        + inner
        + p("三、收到和处理政府信息公开申请情况")
        + "</w:tc></w:tr></w:tbl>"
    )
    doc = read_docx(make_docx(body), "frame.docx")
    assert [([c.text for c in line.cells], line.table) for line in doc.lines] == [
        (["二、主动公开政府信息情况"], None),
        (["信息内容", "本年制发件数"], 0),
        (["规章", "3"], 0),
        (["三、收到和处理政府信息公开申请情况"], None),
    ]


# --------------------------------------------------------------------------- office-made DOCX

from office_scores import Score, score_file, score_folder  # noqa: E402

from disclosure.readers import office, read  # noqa: E402

OFFICE_DOCX = FIXTURES / "office-lo"
OLD_DOC = FIXTURES / "office-doc"


@pytest.mark.parametrize("gold_path", sorted((OFFICE_DOCX / "expected").glob("*.json")), ids=lambda g: g.stem)
def test_office_made_docx_reads_to_the_source_reports_golden_values(gold_path):
    score = Score()
    score_file(gold_path, OFFICE_DOCX, score)
    assert not score.silent and not score.wrong_identity, (score.silent, score.wrong_identity)
    assert score.flagged == 0 and score.exact == score.cells


def test_office_made_docx_are_all_exact():
    score = score_folder(OFFICE_DOCX)
    assert score.files >= 3 and score.accuracy == 1.0


W_HDR = f'<w:hdr xmlns:w="{W_NS}"><w:p><w:r><w:t>沭阳县发展和改革局</w:t></w:r></w:p></w:hdr>'
CORE = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>沭阳县发展和改革局2023年度政府信息公开年度报告</dc:title>'
    "</cp:coreProperties>"
)


def test_title_page_header_heading_and_closing_signature_go_to_metadata():
    body = p("沭阳县发展和改革局") + p("2023年政府信息公开工作年度报告") + p("正文。") + p("沭阳县发展和改革局") + p("2024年1月17日")
    doc = read_docx(make_docx(body, extra={"word/header1.xml": W_HDR, "docProps/core.xml": CORE}), "m.docx")
    assert doc.metadata == {
        "title": "沭阳县发展和改革局2023年度政府信息公开年度报告",
        "page_header": "沭阳县发展和改革局",
        "heading": "沭阳县发展和改革局2023年政府信息公开工作年度报告",
        "date": "2024年1月17日",
        "signature": "沭阳县发展和改革局",
    }


def test_a_table_inside_a_text_box_is_read_as_a_table_not_as_the_paragraphs_text():
    table = f"<w:tbl><w:tr>{tc('规章')}{tc('3')}{tc('0')}{tc('7')}</w:tr></w:tbl>"
    body = (
        "<w:p><w:r><w:t>二、主动公开政府信息情况</w:t></w:r><w:r><w:drawing><wp:inline "
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
        f"<w:txbxContent>{p('第二十条第（一）项')}{table}</w:txbxContent></wp:inline></w:drawing></w:r></w:p>"
    )
    doc = read_docx(make_docx(body), "t.docx")
    assert [line.text for line in doc.lines] == ["二、主动公开政府信息情况", "第二十条第（一）项", "规章 3 0 7"]
    assert doc.lines[-1].table == 0 and [c.col for c in doc.lines[-1].cells] == [0, 1, 2, 3]


def test_table_rows_inside_content_controls_and_strict_namespace_are_read():
    strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    row = f"<w:tr>{tc('规章')}{tc('3')}</w:tr>"
    body = f"<w:sdt><w:sdtContent><w:tbl><w:sdt><w:sdtContent>{row}</w:sdtContent></w:sdt></w:tbl></w:sdtContent></w:sdt>"
    data = make_docx(body).replace(W_NS.encode(), strict.encode())
    doc = read_docx(data, "wps.docx")
    assert [[c.text for c in line.cells] for line in doc.lines] == [["规章", "3"]]


def test_old_word_without_libreoffice_is_refused_with_the_exact_command(monkeypatch):
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    data = next(OLD_DOC.glob("*.doc")).read_bytes()
    with pytest.raises(RejectedReport) as err:
        read(data, "/data/raw/report.doc")
    assert err.value.code == "unsupported_format"
    assert "soffice --headless --norestore --convert-to docx:MS Word 2007 XML --outdir OUTDIR '/data/raw/report.doc'" in (
        err.value.message
    )


def test_ole_container_without_a_document_stream_is_not_sent_to_libreoffice(monkeypatch):
    monkeypatch.setattr(office, "find_soffice", lambda: pytest.fail("must not convert"))
    with pytest.raises(RejectedReport) as err:
        read(office.OLE_MAGIC + b"\x00" * 600, "x.doc")
    assert err.value.code == "unsupported_format"


@pytest.mark.skipif(office.find_soffice() is None, reason="LibreOffice (soffice) not installed")
def test_old_word_is_converted_by_libreoffice_in_a_private_profile_and_parsed():
    gold_path = next((OLD_DOC / "expected").glob("*.json"))
    score = Score()
    score_file(gold_path, OLD_DOC, score)
    assert not score.silent and not score.wrong_identity
    assert score.accuracy >= 0.995


# --------------------------------------------------------------------------- formatting skipped


FORMATTED_ROW = (
    "<w:tbl><w:tr>"
    + tc("自然人", '<w:tcW w:w="1200" w:type="dxa"/><w:tcBorders><w:top w:val="single" w:sz="4"/></w:tcBorders>'
         '<w:vAlign w:val="center"/>')
    + tc("12", '<w:gridSpan w:val="2"/><w:shd w:val="clear" w:fill="auto"/>')
    + "</w:tr></w:tbl>"
    '<w:p><w:pPr><w:spacing w:line="480"/><w:jc w:val="both"/><w:rPr><w:b/></w:rPr></w:pPr>'
    '<w:r><w:rPr><w:rFonts w:eastAsia="方正仿宋_GBK"/><w:sz w:val="32"/></w:rPr><w:t>四、行政复议</w:t></w:r>'
    '<w:r><w:rPr><w:b/></w:rPr><w:tab/><w:t>情况</w:t></w:r></w:p>'
)


def _read_texts(body: str) -> list[tuple[str, int]]:
    doc = read_docx(make_docx(body), "f.docx")
    return [(c.text, c.colspan) for line in doc.lines for c in line.cells]


def test_formatting_the_reader_skips_changes_nothing_it_reads():
    assert _read_texts(FORMATTED_ROW) == [("自然人", 1), ("12", 2), ("四、行政复议 情况", 1)]


def test_tracked_property_changes_are_read_from_the_part_as_it_is():
    # A w:rPr nested in w:rPrChange: the formatting is not cut (no nesting-unsafe edit); same text.
    changed = FORMATTED_ROW.replace('<w:sz w:val="32"/></w:rPr>', '<w:sz w:val="32"/><w:rPrChange w:id="1">'
                                    '<w:rPr><w:b/></w:rPr></w:rPrChange></w:rPr>')
    assert "rPrChange" in changed
    assert _read_texts(changed) == _read_texts(FORMATTED_ROW)
