"""Word (.docx) reader: paragraphs and tables of the main document part, in document order.

Reads the OOXML directly with lxml (entities unresolved, no network, no DTD) after checking
the zip's declared sizes and compression ratios, so a zip bomb is refused before anything is
inflated, and every part is read through a capped stream in case the declared sizes lie.

* A paragraph is a one-cell `Line`; its automatic numbering (`w:numPr`, e.g. "1." or "（三）")
  is rendered in front of its text, since a label like "1.属于国家秘密" depends on it.
* A table row is a `Line` with `table` set: one `Cell` per origin cell in grid order
  (`col` = grid column, `colspan` from `w:gridSpan`), a `rowspan_copy=True` cell with the
  origin's text where a `w:vMerge` continuation covers the row, and blank cells as `Cell("")`.

Old binary Word (.doc / .wps, OLE2) is refused as `unsupported_format` with the conversion to
run; a password-protected Word file (also OLE2, holding an `EncryptedPackage`) as `encrypted`.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from disclosure.model import Cell, Document, Line, RejectedReport
from disclosure.readers.docmeta import closing_signature, heading_of

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_TOTAL_UNCOMPRESSED = 50 * 1024 * 1024  # all parts together, as declared
MAX_PART = 30 * 1024 * 1024  # one part we actually read
MAX_RATIO = 100  # declared uncompressed / compressed size of a large part
RATIO_FLOOR = 1024 * 1024  # parts smaller than this may compress as well as they like
MAX_MEMBERS = 5000
DOCUMENT_PART = "word/document.xml"
HEADER_PART = re.compile(r"word/header\d*\.xml")
STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
CONVERT_HINT = "convert it first: `libreoffice --headless --convert-to docx FILE`"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


@dataclass(slots=True)
class Numbering:
    """Auto-numbering definitions (numbering.xml) and the running counters."""

    # (numId, ilvl) -> (numFmt, lvlText, start)
    levels: dict[tuple[str, int], tuple[str, str, int]] = field(default_factory=dict)
    # numId -> abstractNumId, so lists sharing an abstract definition share counters
    abstract: dict[str, str] = field(default_factory=dict)
    counters: dict[str, list[int]] = field(default_factory=dict)
    # style id -> (numId, ilvl) for paragraph styles that carry numbering
    styles: dict[str, tuple[str, int]] = field(default_factory=dict)


def read_docx(data: bytes, path: str) -> Document:
    """Read a .docx into Lines; reject old binary Word, encrypted files and zip bombs."""
    parts = _open_parts(data, path)
    notes: list[str] = []
    try:
        numbering = _numbering(parts, path)
    except RejectedReport as exc:  # a damaged numbering or styles part costs only the numbers
        numbering = Numbering()
        notes.append(f"docx: automatic numbering not restored ({exc.message})")
    # The streaming pass reads the common layout several times faster than the tree walk; it
    # declines (None) whatever it cannot read exactly as the walk does, numbering included.
    parsed: list[etree._Element] = []  # the part, when the fast pass parsed it and then declined
    fast = _fast_lines(parts, path, numbering, keep=parsed)
    lines, tables = fast if fast is not None else _tree_lines(parts, path, numbering, parsed[0] if parsed else None)
    notes.insert(0, f"docx: {tables} tables")
    return _finish(parts, path, lines, notes)


def _tree_lines(parts: dict[str, bytes], path: str, numbering: Numbering,
                root: etree._Element | None = None) -> tuple[list[Line], int]:
    """The body's Lines and table count by the tree walk (reads every layout).

    `root` is the main part as `_parse_document` parsed it, when the fast pass already did:
    parsing a 180 KB part again cost about 6 ms (the XSLT pass leaves the tree unchanged)."""
    if root is None:
        root = _parse_document(parts.get(DOCUMENT_PART), path)
    _drop_fallbacks(root)
    body = root.find(f"{_W}body")
    if body is None:
        raise RejectedReport("corrupt_file", "word/document.xml has no w:body", path)
    lines: list[Line] = []
    tables = _emit_blocks(body, numbering, lines, 0)
    return lines, tables


def _finish(parts: dict[str, bytes], path: str, lines: list[Line], notes: list[str]) -> Document:
    """The Document: Lines plus title, page header, heading and closing signature."""
    title = _title(parts, path)
    metadata = {"title": title or "", "page_header": _page_header(parts, path)}
    texts = [line.text for line in lines if line.table is None]
    metadata["heading"] = heading_of(texts)
    metadata.update(closing_signature(texts))
    metadata = {k: v for k, v in metadata.items() if v}
    return Document(lines=lines, format="docx", title=title, notes=notes, metadata=metadata, grid=True)


def _emit_blocks(container: etree._Element, numbering: Numbering, lines: list[Line], tables: int) -> int:
    """Append the Lines of a container's paragraphs and tables; return the next table index.

    A table whose cells hold tables is page layout (a report wrapped in a one-cell frame, as
    web-to-Word exports do): its cells are read as blocks in order instead of as a grid.
    """
    for kind, el in _blocks(container):
        if kind == "p":
            boxes = _detach_text_boxes(el)
            text = paragraph_text(el, numbering)
            if text.strip():
                lines.append(Line(cells=[Cell(text)], where=f"line {len(lines) + 1}"))
            for box in boxes:  # a text box's paragraphs and tables follow its anchor paragraph
                tables = _emit_blocks(box, numbering, lines, tables)
        elif _is_layout_table(el):
            for cell in el.iter(f"{_W}tc"):
                if _owning_table(cell) is el:
                    tables = _emit_blocks(cell, numbering, lines, tables)
        else:
            lines.extend(table_lines(el, tables, numbering))
            tables += 1
    return tables


_TEXT_BOX = f"{_W}txbxContent"


def _detach_text_boxes(paragraph: etree._Element) -> list[etree._Element]:
    """Take the outermost text boxes out of a paragraph (their text is not the paragraph's:
    a box may hold whole tables), to be read as blocks of their own."""
    boxes = []
    for box in paragraph.iter(_TEXT_BOX):
        parent = box.getparent()
        while parent is not None and parent is not paragraph and parent.tag != _TEXT_BOX:
            parent = parent.getparent()
        if parent is paragraph:
            boxes.append(box)
    for box in boxes:
        box.getparent().remove(box)
    return boxes


def _is_layout_table(table: etree._Element) -> bool:
    """Does one of the table's own cells hold a table (a layout table around the report's)?"""
    for inner in table.iter(f"{_W}tbl"):
        cell = inner.getparent()
        if inner is not table and cell is not None and cell.tag == f"{_W}tc" and _owning_table(cell) is table:
            return True
    return False


# --------------------------------------------------------------------------- container


def _open_parts(data: bytes, path: str) -> dict[str, bytes]:
    """Check the container and read the parts we need, with sizes capped."""
    if not data:
        raise RejectedReport("empty_file", "the file is empty", path)
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise RejectedReport("encrypted", "the Word file is protected with a password", path)
        raise RejectedReport(
            "unsupported_format", f"old binary Word/WPS file (.doc/.wps, OLE2); {CONVERT_HINT}", path
        )
    if not data.startswith(ZIP_MAGIC):
        raise RejectedReport("corrupt_file", "not a .docx (no zip header)", path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise RejectedReport("corrupt_file", f"damaged zip container ({exc})", path) from None
    check_zip_bomb(infos, path)
    wanted = {DOCUMENT_PART, "word/numbering.xml", "word/styles.xml", "docProps/core.xml"}
    names = {info.filename for info in infos}
    wanted |= {n for n in names if HEADER_PART.fullmatch(n)}
    if DOCUMENT_PART not in names:
        raise RejectedReport("corrupt_file", "zip without word/document.xml: not a Word document", path)
    parts: dict[str, bytes] = {}
    for info in infos:
        if info.filename in wanted:
            data = _read_capped(archive, info, path)
            # Strict OOXML (an option of WPS and Word) only renames the namespace.
            parts[info.filename] = data.replace(STRICT_W, W.encode()) if STRICT_W in data else data
    return parts


def check_zip_bomb(infos: list[zipfile.ZipInfo], path: str) -> None:
    """Refuse archives whose declared sizes or compression ratios are absurd."""
    if len(infos) > MAX_MEMBERS:
        raise RejectedReport("zip_bomb", f"{len(infos)} zip members (limit {MAX_MEMBERS})", path)
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise RejectedReport(
            "zip_bomb",
            f"declared uncompressed size {total / 2**20:.0f} MB exceeds {MAX_TOTAL_UNCOMPRESSED // 2**20} MB",
            path,
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise RejectedReport(
                "zip_bomb", f"{info.filename} compresses {ratio:.0f}:1 (limit {MAX_RATIO}:1)", path
            )


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> bytes:
    """Read one member, never inflating more than MAX_PART bytes whatever its header says."""
    try:
        with archive.open(info) as stream:
            data = stream.read(MAX_PART + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as exc:
        code = "encrypted" if info.flag_bits & 0x1 else "corrupt_file"
        raise RejectedReport(code, f"cannot read {info.filename} ({exc})", path) from None
    if len(data) > MAX_PART:
        raise RejectedReport("zip_bomb", f"{info.filename} inflates beyond {MAX_PART // 2**20} MB", path)
    return data


def _parse(data: bytes | None, path: str, part: str) -> etree._Element:
    if data is None:
        raise RejectedReport("corrupt_file", f"missing {part}", path)
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise RejectedReport("corrupt_file", f"{part} is not well-formed XML ({exc})", path) from None


_W_DECLARED = f'xmlns:w="{W}"'.encode()
_UNTIL = rb"[^<]*(?:<(?!/w:%s>)[^<]*)*"  # anything up to the closing tag (no nesting)
_FORMATTING = re.compile(
    rb"<w:tcBorders>" + _UNTIL % b"tcBorders" + rb"</w:tcBorders>"
    + rb"|<w:rPr>" + _UNTIL % b"rPr" + rb"</w:rPr>"
    + rb'|<w:(?:jc|bidi|spacing|tcW|vAlign|shd|ind)(?:\s+[\w:]+="[^"]*")*\s*/>'
)
"""Formatting the reader never looks at: run properties (fonts, sizes), cell borders, and the
empty layout elements Word and LibreOffice write into every paragraph and cell. They are most
of a document part's elements, so parsing without them is several times faster."""


def _parse_document(data: bytes | None, path: str) -> etree._Element:
    """The main document part, parsed without its formatting (see _FORMATTING) where that is
    certain to change nothing read: the usual `w` prefix, no CDATA (text that may look like
    markup), no tracked property changes (a w:rPr nested in w:rPrChange). Should the slimmed
    bytes not parse, the part is parsed as it is (and its own error reported)."""
    if data is None or _W_DECLARED not in data[:4096] or b"<![CDATA[" in data or b"PrChange" in data:
        return _parse(data, path, DOCUMENT_PART)
    try:
        return etree.fromstring(_FORMATTING.sub(b"", data), parser=_PARSER)
    except etree.XMLSyntaxError:
        return _parse(data, path, DOCUMENT_PART)


def _drop_fallbacks(root: etree._Element) -> None:
    """Remove mc:Fallback copies (e.g. VML text boxes repeating a DrawingML one's text)."""
    for fallback in list(root.iter(f"{{{MC}}}Fallback")):
        parent = fallback.getparent()
        if parent is not None:
            parent.remove(fallback)


def _title(parts: dict[str, bytes], path: str) -> str | None:
    data = parts.get("docProps/core.xml")
    if not data:
        return None
    try:
        root = _parse(data, path, "docProps/core.xml")
    except RejectedReport:
        return None
    node = root.find("{http://purl.org/dc/elements/1.1/}title")
    text = (node.text or "").strip() if node is not None else ""
    return text or None


def _page_header(parts: dict[str, bytes], path: str) -> str:
    """The text of the first non-empty page header part (a body's name often sits there)."""
    for name in sorted(n for n in parts if HEADER_PART.fullmatch(n)):
        try:
            root = _parse(parts[name], path, name)
        except RejectedReport:
            continue
        text = " ".join(t for p in root.iter(f"{_W}p") if (t := run_text(p).strip()))
        if text:
            return text
    return ""


# --------------------------------------------------------------------------- body


def _blocks(container: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """Paragraphs and tables in document order, looking through content controls etc."""
    for el in container:
        tag = el.tag
        if tag == f"{_W}p":
            yield "p", el
        elif tag == f"{_W}tbl":
            yield "tbl", el
        elif tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}ins", f"{_W}smartTag"):
            yield from _blocks(el)


def run_text(paragraph: etree._Element) -> str:
    """The text of a paragraph's runs (deleted text excluded; tabs and breaks as spaces)."""
    out: list[str] = []
    for el in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen", f"{_W}sym"):
        tag = el.tag
        if tag == f"{_W}t":
            out.append(el.text or "")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
        elif tag == f"{_W}sym":
            char = el.get(f"{_W}char") or ""
            out.append(_sym(char))
        elif tag == f"{_W}tab" and el.getparent() is not None and el.getparent().tag == f"{_W}tabs":
            continue  # a tab stop definition in w:pPr, not a printed tab
        else:
            out.append(" ")
    return "".join(out)


def _sym(char: str) -> str:
    try:
        code = int(char, 16)
    except ValueError:
        return ""
    if 0xF000 <= code <= 0xF0FF:  # symbol-font private use area
        code -= 0xF000
    return chr(code) if code >= 0x20 else ""


def paragraph_text(paragraph: etree._Element, numbering: Numbering) -> str:
    """Paragraph text with its automatic number rendered in front."""
    return number_label(paragraph, numbering) + run_text(paragraph)


def table_lines(table: etree._Element, index: int, numbering: Numbering) -> list[Line]:
    """Expand one w:tbl into grid rows: origin cells, rowspan copies for vMerge, blanks kept."""
    lines: list[Line] = []
    # grid column -> (text, colspan) of the cell that started a vertical merge there
    open_merges: dict[int, tuple[str, int]] = {}
    rows = []
    for el in table:
        tag = el.tag
        if tag == _TR:
            rows.append(el)
        elif tag != _TBL_PR and tag != _TBL_GRID:
            rows = [el for el in table.iter(_TR) if _owning_table(el) is table]  # rows in content controls
            break
    for r, row in enumerate(rows):
        col = _grid_skip(row, "gridBefore")
        cells: list[Cell] = []
        for tc in row.iterchildren(f"{_W}tc", f"{_W}sdt", f"{_W}customXml"):
            for cell_el in _cells_of(tc):
                span, merge, hmerge = _cell_props(cell_el)
                if hmerge and cells and not cells[-1].rowspan_copy:
                    cells[-1].colspan += span  # legacy w:hMerge continuation: widen its origin
                    col += span
                    continue
                if (
                    merge is not None
                    and merge.get(f"{_W}val", "continue") != "restart"
                    and col in open_merges
                ):
                    text, _ = open_merges[col]
                    cells.append(Cell(text, col=col, colspan=span, rowspan_copy=True))
                else:
                    text = cell_text(cell_el, numbering)
                    cells.append(Cell(text, col=col, colspan=span))
                    if merge is not None:
                        open_merges[col] = (text, span)
                    else:
                        open_merges.pop(col, None)
                col += span
        lines.append(Line(cells=cells, where=f"table {index + 1} row {r + 1}", table=index))
    return lines


_TC_PR, _GRID_SPAN, _V_MERGE, _H_MERGE = f"{_W}tcPr", f"{_W}gridSpan", f"{_W}vMerge", f"{_W}hMerge"
_TR, _TBL_PR, _TBL_GRID, _P = f"{_W}tr", f"{_W}tblPr", f"{_W}tblGrid", f"{_W}p"


def _cell_props(tc: etree._Element) -> tuple[int, etree._Element | None, bool]:
    """(gridSpan, vMerge element or None, is a w:hMerge continuation) of a w:tc."""
    span, merge, hmerge = 1, None, False
    for child in tc:
        if child.tag == _TC_PR:
            for prop in child:
                if prop.tag == _GRID_SPAN:
                    span = max(_int_attr(prop, 1), 1)
                elif prop.tag == _V_MERGE:
                    merge = prop
                elif prop.tag == _H_MERGE:
                    hmerge = prop.get(f"{_W}val", "continue") != "restart"
            break
    return span, merge, hmerge


def _cells_of(el: etree._Element) -> Iterator[etree._Element]:
    if el.tag == f"{_W}tc":
        yield el
        return
    for child in el.iter(f"{_W}tc"):
        if _owning_row(child) is _owning_row(el) or _owning_row(el) is None:
            yield child


def _owning_table(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != f"{_W}tbl":
        parent = parent.getparent()
    return parent


def _owning_row(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != f"{_W}tr":
        parent = parent.getparent()
    return parent


def _grid_skip(row: etree._Element, what: str) -> int:
    return _int_attr(row.find(f"{_W}trPr/{_W}{what}"), 0)


def _int_attr(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(int(el.get(f"{_W}val", default)), 0)
    except ValueError:
        return default


def cell_text(tc: etree._Element, numbering: Numbering) -> str:
    """The text of a table cell: its paragraphs (and nested tables) joined by spaces."""
    texts: list[str] = []
    children = list(tc)
    if all(el.tag == _P or el.tag == _TC_PR for el in children):  # the usual cell (else _blocks looks deeper)
        texts = [paragraph_text(el, numbering).strip() for el in children if el.tag == _P]
        return " ".join(t for t in texts if t)
    for kind, el in _blocks(tc):
        if kind == "p":
            texts.append(paragraph_text(el, numbering).strip())
        else:
            for line in table_lines(el, -1, numbering):
                texts.append(line.text.strip())
    return " ".join(t for t in texts if t)


# --------------------------------------------------------------------------- fast path

_FAST_REFUSED = re.compile(
    rb"<(?:w:(?:sdt|customXml|smartTag|ins[\s>]|moveTo|moveFrom|sym|noBreakHyphen|cr[\s/>]|subDoc|altChunk"
    rb"|hMerge|gridBefore)|!|\?)"
)
_FAST_REFUSED_ANY_PREFIX = (b"txbxContent", b"AlternateContent", "\ufdd0".encode()[:2])
"""What the one-pass transform does not read, so the tree walk reads it: content controls and
other block wrappers, tracked insertions and moves, symbols, legacy merges, grid offsets;
comments, CDATA, DTDs and processing instructions (searched from offset 1, past the XML
declaration's `<`); text boxes and markup-compatibility blocks under any prefix; and the
separators the transform writes (U+FDD0-U+FDDF: their UTF-8 starts with EF B7). One regex
anchored on `<` and three substring searches: a search per marker cost 2 ms on a 180 KB part."""

_S_P, _S_TBL, _S_TR, _S_TC, _S_FIELD, _S_CELL_P, _S_UNSURE, _S_TBL_END = (chr(0xFDD0 + i) for i in range(8))
_FAST_XSLT = etree.XSLT(etree.XML(f"""<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:w="{W}">
 <xsl:output method="text" encoding="utf-8"/>
 <xsl:template match="/">
  <xsl:if test="count(w:document/w:body) != 1 or //w:tbl//w:tbl or //w:t[*] or //w:p//w:p
      or //w:tbl/*[not(self::w:tr or self::w:tblPr or self::w:tblGrid)]">{_S_UNSURE}</xsl:if>
  <xsl:for-each select="w:document/w:body/*">
   <xsl:choose>
    <xsl:when test="self::w:p"><xsl:call-template name="p"/>{_S_P}</xsl:when>
    <xsl:when test="self::w:tbl">{_S_TBL}<xsl:for-each select="w:tr">{_S_TR}<xsl:for-each select="w:tc">{_S_TC}<xsl:choose>
       <xsl:when test="w:tcPr[1]/w:gridSpan[last()]/@w:val"><xsl:value-of select="w:tcPr[1]/w:gridSpan[last()]/@w:val"/></xsl:when>
       <xsl:otherwise>1</xsl:otherwise></xsl:choose>{_S_FIELD}<xsl:choose>
       <xsl:when test="not(w:tcPr[1]/w:vMerge)">N</xsl:when>
       <xsl:when test="w:tcPr[1]/w:vMerge[last()]/@w:val = 'restart'">R</xsl:when>
       <xsl:otherwise>C</xsl:otherwise></xsl:choose>{_S_FIELD}<xsl:for-each select="w:p"><xsl:call-template name="p"/>{_S_CELL_P}</xsl:for-each></xsl:for-each></xsl:for-each>{_S_TBL_END}</xsl:when>
   </xsl:choose>
  </xsl:for-each>
 </xsl:template>
 <xsl:template name="p"><xsl:apply-templates mode="t"/></xsl:template>
 <xsl:template mode="t" match="*"><xsl:apply-templates mode="t"/></xsl:template>
 <xsl:template mode="t" match="text()"/>
 <xsl:template mode="t" match="w:t"><xsl:value-of select="."/></xsl:template>
 <xsl:template mode="t" match="w:tab|w:br"><xsl:text> </xsl:text></xsl:template>
 <xsl:template mode="t" match="w:tabs/w:tab"/>
</xsl:stylesheet>""".encode()))
"""The body as text in one pass in C (lxml's XSLT; a paragraph's text as run_text reads it: w:t
text, a space per w:tab outside w:tabs and per w:br, in document order): each body paragraph's text then _S_P; each
table as _S_TBL, per row _S_TR, per cell _S_TC gridSpan _S_FIELD vMerge (N none, R restart, C continue)
_S_FIELD and its paragraphs each ended by _S_CELL_P, then _S_TBL_END. _S_UNSURE first when the part
holds a layout the tree walk reads differently (nested tables or paragraphs, odd table
children, w:t with children, no body or two)."""


def _fast_lines(parts: dict[str, bytes], path: str, numbering: Numbering,
                keep: list[etree._Element] | None = None) -> tuple[list[Line], int] | None:
    """The body's Lines and table count by one XSLT pass, or None where that pass cannot be sure
    to read what the tree walk reads (then the tree walk reads the part). A part it parsed
    before declining is appended to `keep`, for the tree walk to read without parsing it again.

    It reads the common layout: paragraphs and flat tables in the body, runs' text, tabs and
    breaks, gridSpan and vMerge, without automatic numbering; the part is parsed as for the
    tree walk, so a damaged part is refused the same way.
    """
    data = parts.get(DOCUMENT_PART)
    if numbering.levels or not data or _FAST_REFUSED.search(data, 1):
        return None
    if any(marker in data for marker in _FAST_REFUSED_ANY_PREFIX):
        return None
    if data.count(W.encode()) != 1 or _W_DECLARED not in data[:4096]:
        return None  # `w` is not the one prefix of the main namespace: the markers above assume it
    root = _parse_document(data, path)
    out = str(_FAST_XSLT(root))
    if out.startswith(_S_UNSURE):
        if keep is not None:
            keep.append(root)
        return None
    return _lines_of(out)


def _span(text: str) -> int:
    """gridSpan as _cell_props reads it (at least 1; 1 when it is not a number)."""
    try:
        return max(int(text), 1)
    except ValueError:
        return 1


def _cell_join(paras: str) -> str:
    """A cell's paragraphs (each ended by _S_CELL_P) as cell_text joins them."""
    return " ".join(t for p in paras.split(_S_CELL_P)[:-1] if (t := p.strip()))


def _lines_of(out: str) -> tuple[list[Line], int]:
    """Lines from the transform's text (see _FAST_XSLT), built as table_lines builds them."""
    lines: list[Line] = []
    tables = 0
    for chunk in out.split(_S_TBL_END):
        para_part, table_mark, table = chunk.partition(_S_TBL)
        for para in para_part.split(_S_P)[:-1] if para_part else ():
            if para.strip():
                lines.append(Line(cells=[Cell(para)], where=f"line {len(lines) + 1}"))
        if not table_mark:  # the last chunk: paragraphs after the last table
            continue
        open_merges: dict[int, str] = {}
        for r, row in enumerate(table.split(_S_TR)[1:]):
            cells: list[Cell] = []
            col = 0
            for tc in row.split(_S_TC)[1:]:
                span_text, merge, paras = tc.split(_S_FIELD, 2)
                span = 1 if span_text == "1" else _span(span_text)
                if merge == "C" and col in open_merges:
                    cells.append(Cell(open_merges[col], col=col, colspan=span, rowspan_copy=True))
                else:
                    text = paras[:-1].strip() if paras.count(_S_CELL_P) == 1 else _cell_join(paras)
                    cells.append(Cell(text, col=col, colspan=span))
                    if merge != "N":
                        open_merges[col] = text
                    else:
                        open_merges.pop(col, None)
                col += span
            lines.append(Line(cells=cells, where=f"table {tables + 1} row {r + 1}", table=tables))
        tables += 1
    return lines, tables


# --------------------------------------------------------------------------- numbering


def _numbering(parts: dict[str, bytes], path: str) -> Numbering:
    numbering = Numbering()
    document = parts.get(DOCUMENT_PART, b"")
    styles = _numbered_styles(parts.get("word/styles.xml"), document)
    if b"numPr" not in document and styles is None:
        return numbering  # nothing in the document is auto-numbered
    data = parts.get("word/numbering.xml")
    if data:
        root = _parse(data, path, "word/numbering.xml")
        abstract_levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        for absnum in root.iterfind(f"{_W}abstractNum"):
            aid = absnum.get(f"{_W}abstractNumId", "")
            abstract_levels[aid] = {
                _int_attr_raw(lvl.get(f"{_W}ilvl")): _level(lvl) for lvl in absnum.iterfind(f"{_W}lvl")
            }
        for num in root.iterfind(f"{_W}num"):
            nid = num.get(f"{_W}numId", "")
            ref = num.find(f"{_W}abstractNumId")
            aid = ref.get(f"{_W}val", "") if ref is not None else ""
            numbering.abstract[nid] = aid
            for ilvl, level in abstract_levels.get(aid, {}).items():
                numbering.levels[(nid, ilvl)] = level
            for override in num.iterfind(f"{_W}lvlOverride"):
                ilvl = _int_attr_raw(override.get(f"{_W}ilvl"))
                lvl = override.find(f"{_W}lvl")
                if lvl is not None:
                    numbering.levels[(nid, ilvl)] = _level(lvl)
    if styles:
        root = _parse(styles, path, "word/styles.xml")
        for style in root.iterfind(f"{_W}style"):
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            if num_pr is not None:
                nid = _val(num_pr.find(f"{_W}numId"))
                if nid:
                    ilvl = _int_attr(num_pr.find(f"{_W}ilvl"), 0)
                    numbering.styles[style.get(f"{_W}styleId", "")] = (nid, ilvl)
    return numbering


def _numbered_styles(styles: bytes | None, document: bytes) -> bytes | None:
    """The styles part, or None when no paragraph style the document uses carries numbering.

    Word's styles part is large (hundreds of KB) and rarely matters, so it is only parsed when
    a style that the document names has a w:numPr of its own.
    """
    if not styles or b"numPr" not in styles:
        return None
    used = set(re.findall(rb'<w:pStyle w:val="([^"]+)"', document))
    if not used:
        return None
    if b"<w:style " not in styles:
        return styles  # an unusual namespace prefix: parse it all
    for style_id in used:
        pattern = rb'<w:style [^>]*w:styleId="' + re.escape(style_id) + rb'".*?</w:style>'
        match = re.search(pattern, styles, re.S)
        if match and b"numPr" in match.group(0):
            return styles
    return None


def _val(el: etree._Element | None) -> str:
    return el.get(f"{_W}val", "") if el is not None else ""


def _int_attr_raw(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _level(lvl: etree._Element) -> tuple[str, str, int]:
    return (
        _val(lvl.find(f"{_W}numFmt")) or "decimal",
        _val(lvl.find(f"{_W}lvlText")),
        _int_attr(lvl.find(f"{_W}start"), 1),
    )


_P_PR = f"{_W}pPr"


def number_label(paragraph: etree._Element, numbering: Numbering) -> str:
    """Render and advance the paragraph's automatic number ('' when it has none)."""
    if not numbering.levels:
        return ""  # nothing in the document is auto-numbered
    ppr = paragraph.find(_P_PR)
    if ppr is None:
        return ""
    num_pr = ppr.find(f"{_W}numPr")
    if num_pr is not None:
        nid = _val(num_pr.find(f"{_W}numId"))
        ilvl = _int_attr(num_pr.find(f"{_W}ilvl"), 0)
    else:
        style = _val(ppr.find(f"{_W}pStyle"))
        if style not in numbering.styles:
            return ""
        nid, ilvl = numbering.styles[style]
    if not nid or nid == "0" or (nid, ilvl) not in numbering.levels:
        return ""
    key = numbering.abstract.get(nid, nid)
    counters = numbering.counters.setdefault(key, [])
    while len(counters) <= ilvl:
        level = numbering.levels.get((nid, len(counters)))
        counters.append((level[2] if level else 1) - 1)
    counters[ilvl] += 1
    for deeper in range(ilvl + 1, len(counters)):  # a new item restarts the levels below it
        level = numbering.levels.get((nid, deeper))
        counters[deeper] = (level[2] if level else 1) - 1
    fmt, text, _ = numbering.levels[(nid, ilvl)]
    if fmt == "bullet" or fmt == "none":
        return ""

    def placeholder(match: re.Match[str]) -> str:
        level = int(match.group(1)) - 1
        if level >= len(counters):
            return ""
        level_fmt = numbering.levels.get((nid, level), (fmt, "", 1))[0]
        return format_number(max(counters[level], 0), level_fmt)

    return re.sub(r"%(\d)", placeholder, text)


_CN_DIGITS = "〇一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def format_number(n: int, fmt: str) -> str:
    """One counter in a Word number format (the formats Chinese reports use, else decimal)."""
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "ideographTraditional",
        "chineseLegalSimplified",
    ):
        return chinese_number(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 1 <= n <= len(_CIRCLED) else str(n)
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalFullWidth":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return str(n)


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (as Word counts)."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + _CN_DIGITS[rest] if rest < 10 else _cn_tens(rest))
        return _CN_DIGITS[n // 100] + "百" + tail
    return str(n)


def _cn_tens(n: int) -> str:
    return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")


def _roman(n: int) -> str:
    out = []
    for value, sym in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)
