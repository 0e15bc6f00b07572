"""The intermediate form every reader produces and the table logic consumes.

A reader turns raw bytes (HTML, text, markdown, PDF, DOCX) into a `Document`: an ordered
list of `Line`s, each a row of `Cell`s with the printed text and where it was found. The
table logic never knows which format a line came from; everything format-specific (grid
expansion, column gaps, encodings) stays in the readers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class OcrRead:
    """How OCR read a cell (None on a cell of a text layer): the engine's lowest character
    confidence in it, whether a digit in it was read below the threshold, and the other readings
    the engine gave of its text box."""

    confidence: float
    doubtful: bool = False
    alternatives: tuple[str, ...] = ()


@dataclass(slots=True)
class Cell:
    """One printed cell (or text fragment) of a line."""

    text: str
    # Grid column of the cell's origin for grid formats (HTML, DOCX, markdown, pipe text);
    # ordinal position of the fragment for layout text.
    col: int = 0
    colspan: int = 1
    # True when this slot repeats a cell spanning rows from above (HTML rowspan, DOCX
    # vMerge): label logic may use its text, value logic must not count it twice.
    rowspan_copy: bool = False
    # True when the separators between several cells were lost (crawler text): the digits
    # of several numbers run together and must be split with the report's identities.
    joined: bool = False
    # A footnote mark printed apart from the number it follows (HTML `87<sup>2</sup>`), as printed.
    footnote: str | None = None
    # The number's digits were printed over two text lines of one cell (a narrow PDF column
    # wrapped "13612" as "1361" / "2"); the reader joined them.
    wrapped: bool = False
    # Set by the image reader: the cell was read by OCR (disclosure/ocr.py).
    ocr: OcrRead | None = None


@dataclass(slots=True)
class Line:
    """A row of cells (a table row) or a paragraph (one cell)."""

    cells: list[Cell]
    # Human-readable location, e.g. "line 123", "table 2 row 5", "page 3 line 12".
    where: str = ""
    # Index of the source table when the reader knows table boundaries (HTML, DOCX,
    # markdown); None for free text lines.
    table: int | None = None

    @property
    def text(self) -> str:
        cells = self.cells
        if len(cells) == 1:  # a paragraph: most lines of a text report (no join, no generator)
            c = cells[0]
            return "" if c.rowspan_copy else c.text
        return " ".join([c.text for c in cells if not c.rowspan_copy])


@dataclass(slots=True)
class Document:
    """What a reader extracted from one raw file."""

    lines: list[Line]
    format: str  # "html", "text-pipe", "text-layout", "text-crawler", "markdown", "pdf", "docx", "ocr"
    # Title as the container states it (HTML <title>, crawler "标题:" header, PDF metadata).
    title: str | None = None
    # Page metadata such as 发布机构 / 发布时间 / 原文链接 when the container carries it.
    meta: dict[str, str] = field(default_factory=dict)
    # Things the reader noticed (e.g. "encoding: declared gbk, decoded as gb18030").
    notes: list[str] = field(default_factory=list)
    # What the document says about itself, as printed or stored (identity evidence, never
    # values): "title" (PDF /Title, DOCX dc:title), "heading" (the first page's or first
    # paragraphs' title lines), "page_header" (DOCX header part), "signature" and "date" (the
    # signing body and date closing the last page), "creator"/"producer" (the exporting app).
    metadata: dict[str, str] = field(default_factory=dict)
    # What the reader knows about the table cells, declared by the reader so that the table
    # logic never tests format names:
    # `grid` — cells sit in a true grid: a blank cell is an empty cell of its own (HTML,
    # DOCX, markdown, pipe/tab/box text), not a missing fragment as in layout text.
    grid: bool = False
    # `spans_lost` — merged cells were flattened to one slot each (a merged value is one
    # value followed by empty slots), so a lone value in a row may stand for the whole row.
    spans_lost: bool = False


def report_id(data: bytes) -> str:
    """The SHA-256 hex digest of a file's bytes: its report_id, raw file name and lake hash (the
    one SHA-256 helper of the project)."""
    return hashlib.sha256(data).hexdigest()


def parser_error_message(err: BaseException) -> str:
    """The message of `parser_error`, the one reason code of an unexpected exception while a
    report is read or parsed (a bug of ours: the input is kept and recorded, never lost):
    the exception and where it was raised."""
    import traceback
    from pathlib import Path

    where = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
    at = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
    return f"{type(err).__name__}: {err}{at}"


class RejectedReport(Exception):
    """A raw file that cannot be read as a report; `code` is a stable reason code."""

    CODES = (
        "not_a_report",
        "no_statistical_tables",
        "pre2019_template",
        "unreadable_encoding",
        "unsupported_format",
        "too_large",
        "needs_ocr",
        "encrypted",
        "corrupt_file",
        "zip_bomb",
        "empty_file",
        "bad_identity",
        "unreadable_file",
        "parser_error",
        "schema_violation",
        "duplicate",
    )

    def __init__(self, code: str, message: str, path: str | None = None) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown rejection code {code!r}")
        self.code = code
        self.path = path
        self.message = message
        super().__init__(f"{path + ': ' if path else ''}{code}: {message}")
