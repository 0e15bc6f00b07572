"""The DOCX reader's one-pass transform (`_fast_lines`) reads exactly what the tree walk reads,
and declines every layout it does not handle so that the tree walk reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from office_scores import unpack_corpus
from test_reader_docx import make_docx, p, tc

from disclosure.model import Line
from disclosure.readers import docx

FIXTURES = Path(__file__).parent / "fixtures" / "docx"


def _shape(lines: list[Line]) -> list[tuple]:
    return [
        (line.where, line.table, [(c.text, c.col, c.colspan, c.rowspan_copy) for c in line.cells]) for line in lines
    ]


def _both(data: bytes) -> tuple[tuple[list[Line], int] | None, tuple[list[Line], int]]:
    parts = docx._open_parts(data, "x.docx")
    numbering = docx._numbering(parts, "x.docx")
    return docx._fast_lines(parts, "x.docx", numbering), docx._tree_lines(parts, "x.docx", numbering)


@pytest.fixture(scope="module")
def every_docx(tmp_path_factory) -> list[Path]:
    corpus = unpack_corpus(tmp_path_factory.mktemp("office-corpus"))
    return sorted(FIXTURES.rglob("*.docx")) + sorted((corpus / "docx").glob("*.docx"))


def test_fast_path_reads_every_docx_fixture_exactly_as_the_tree_walk(every_docx):
    fast_read = 0
    for path in every_docx:
        fast, tree = _both(path.read_bytes())
        if fast is None:
            continue
        fast_read += 1
        assert fast[1] == tree[1], path.name
        assert _shape(fast[0]) == _shape(tree[0]), path.name
    assert fast_read >= len(every_docx) - 1  # all but the auto-numbered pingtan-2021-word.docx


def test_fast_path_reads_merges_spans_tabs_breaks_and_entities_as_the_tree_walk():
    restart, cont, span2 = '<w:vMerge w:val="restart"/>', "<w:vMerge/>", '<w:gridSpan w:val="2"/>'
    rows = [
        tc("三、本年度办理结果", restart) + tc("（一）予以公开", span2) + tc("5"),
        tc("", cont) + tc("（三）不予公开", restart) + tc("1") + tc(""),
        tc("", cont) + tc("", cont) + tc("0") + tc("2"),
        tc("x", '<w:gridSpan w:val="abc"/>') + tc("y", '<w:gridSpan w:val="-3"/>') + "<w:tc></w:tc>",
    ]
    body = (
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="1"/></w:tabs></w:pPr><w:r><w:t>a</w:t><w:tab/>'
        "<w:t>&lt;b&amp;&#x4E00;</w:t><w:br/><w:t xml:space=\"preserve\"> c </w:t></w:r></w:p>"
        + p("  ")
        + "<w:tbl><w:tblPr/><w:tblGrid/>"
        + "".join(f"<w:tr>{r}</w:tr>" for r in rows)
        + "</w:tbl><w:tbl><w:tr></w:tr></w:tbl>"
        + p("二、主动公开")
        + "<w:sectPr/>"
    )
    fast, tree = _both(make_docx(body))
    assert fast is not None
    assert _shape(fast[0]) == _shape(tree[0]) and fast[1] == tree[1] == 2
    assert fast[0][0].text == "a <b&一  c "


NUMBERING = (
    '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
    '<w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
)
ROW = f"<w:tr>{tc('规章')}{tc('3')}</w:tr>"
FALLBACKS = {
    "nested table": f"<w:tbl><w:tr><w:tc><w:tbl>{ROW}</w:tbl></w:tc></w:tr></w:tbl>",
    "text box": f"<w:p><w:r><w:txbxContent>{p('框')}</w:txbxContent></w:r></w:p>",
    "content control": f"<w:sdt><w:sdtContent>{p('控')}</w:sdtContent></w:sdt>",
    "markup compatibility": "<w:p><w:r><mc:AlternateContent xmlns:mc='http://schemas.openxmlformats.org/"
    "markup-compatibility/2006'><mc:Fallback><w:t>x</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>",
    "comment": f"<!-- <w:p><w:r><w:t>not text</w:t></w:r></w:p> -->{p('a')}",
    "processing instruction": "<w:p><w:r><w:t>a<?pi x?>b</w:t></w:r></w:p>",
    "tracked insertion": f"<w:ins w:id='1'>{p('插')}</w:ins>",
    "symbol": "<w:p><w:r><w:sym w:char='F0B7'/></w:r></w:p>",
    "legacy horizontal merge": f"<w:tbl><w:tr>{tc('a', '<w:hMerge/>')}</w:tr></w:tbl>",
    "grid offset": f"<w:tbl><w:tr><w:trPr><w:gridBefore w:val='1'/></w:trPr>{tc('a')}</w:tr></w:tbl>",
    "odd table child": f"<w:tbl><w:bookmarkStart w:id='0'/>{ROW}</w:tbl>",
    "text with a child element": "<w:p><w:r><w:t>a<w:x/>b</w:t></w:r></w:p>",
    "paragraph in a paragraph": f"<w:p><w:r>{p('内')}</w:r></w:p>",
    "separator character in the text": p("a\ufdd3b"),
}


@pytest.mark.parametrize("layout", sorted(FALLBACKS))
def test_layouts_the_fast_path_does_not_read_fall_back_to_the_tree_walk(layout):
    data = make_docx(FALLBACKS[layout])
    fast, _ = _both(data)
    assert fast is None
    docx.read_docx(data, "x.docx")  # and the reader still reads them (through the tree walk)


@pytest.mark.parametrize("layout", ["nested table", "paragraph in a paragraph", "odd table child"])
def test_a_part_the_fast_path_parsed_and_declined_is_not_parsed_again(layout, monkeypatch):
    data = make_docx(FALLBACKS[layout])
    _, tree = _both(data)
    calls: list[str] = []
    parse = docx._parse_document
    monkeypatch.setattr(docx, "_parse_document", lambda d, path: calls.append(path) or parse(d, path))
    read = docx.read_docx(data, "x.docx")
    assert calls == ["x.docx"]
    assert _shape(read.lines) == _shape(tree[0])


def test_auto_numbered_paragraphs_fall_back_to_the_tree_walk():
    data = make_docx(p("属于国家秘密", (1, 0)), NUMBERING)
    fast, _ = _both(data)
    assert fast is None
    assert [line.text for line in docx.read_docx(data, "n.docx").lines] == ["1.属于国家秘密"]


def test_a_second_binding_of_the_main_namespace_falls_back():
    body = f'<x:p xmlns:x="{docx.W}"><x:r><x:t>a</x:t></x:r></x:p>'
    fast, _ = _both(make_docx(body))
    assert fast is None


def test_a_damaged_part_is_refused_the_same_way_on_both_paths():
    data = make_docx("<w:p><w:r><w:t>a</w:r></w:p>")
    with pytest.raises(docx.RejectedReport) as err:
        docx.read_docx(data, "x.docx")
    assert err.value.code == "corrupt_file"
