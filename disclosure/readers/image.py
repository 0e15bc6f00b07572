"""Image reader: scanned (image-only) PDF pages and PNG/JPEG page images, read by OCR.

Each page is rendered (PDFium, greyscale), read by disclosure/ocr.py (deskew, words with boxes
and confidences, ruling lines), and then laid out by the PDF reader's own logic: every OCR'd
character becomes a glyph (pixels turned to points, y up), every ruling line a `Rule`/`HRule`,
so ruled grids, lines, cells and the borderless tables' columns (learnt from rows, or from the
x-extents of 表三's header) come from the same functions as for a text layer (pdf.page_rows,
pdf.lay_out, pdf.emit_lines). There is one column logic, not two.

What OCR adds, and the table logic never has to know:
* every cell made from OCR'd glyphs carries `Cell.ocr` (lowest confidence, a doubtful digit,
  the engine's other readings), turned into the `ocr` / `ambiguous` flags by ocr_cells.py;
* a label the engine misread by a character or two is matched to its row's signature with
  edit-distance tolerance (ocr_cells.match_labels), and each such match is noted;
* a page whose ruled table yields (almost) no text is rejected with its page number rather
  than half-read; a file taking longer than the per-file timeout is rejected whole.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from disclosure.model import Document, OcrRead, RejectedReport
from disclosure.ocr import OcrCache, OcrPage, OcrSettings, doubtful, read_page
from disclosure.readers import pdf as P
from disclosure.readers.docmeta import closing_signature

MIN_GRID_TEXT_SHARE = 0.05
"""A ruled table whose cells hold text in fewer than this share was not read (a faded scan whose
rules show but not its print; a table of blanks still prints its labels): the page is refused."""
BOX_HEIGHT_PER_EM = 1.3
"""A detected text box is this many times the font size high (the detector pads the ink by a
share of its size): measured on the scans, where CJK characters advance 33–34 px under boxes
43 px high at 200 dpi, and a lone digit's box is as high. The PDF reader's gaps are in em, so a
glyph's em is its box's height over this; with the box height itself every gap looked a third
narrower than printed, and a label ran into the value beside it."""
IMAGE_WIDTH_PT = 595.0
"""An image file is taken as an A4 page this wide (points): what a scanned report page is."""


@dataclass(slots=True)
class OcrGlyph(P.Glyph):
    """A glyph read by OCR: the PDF reader's glyph plus how it was read."""

    ocr: OcrRead | None = None
    start_slack: ClassVar[float] = 0.5
    """em: OCR'd glyphs sit up to this far from where the print puts them (a digit's ink begins
    its side-bearing right of the header's ink above it), so a number the detector joined to the
    label before it ("…行政机关不再处理其0") still begins the column whose left edge it is this
    close to; the PDF reader parts it there, as it does touching cells of a text layer."""


def page_glyphs(page: OcrPage, settings: OcrSettings, scale: float) -> list[P.Glyph]:
    """The page's characters as glyphs in points (y up), each with its OCR reading."""
    out: list[P.Glyph] = []
    height = page.height
    for word in page.words:
        em = (word.y1 - word.y0) * scale / BOX_HEIGHT_PER_EM
        base = (height - word.y1) * scale
        alternatives = tuple(word.alternatives)
        word_doubtful = doubtful(word, settings)
        for c in word.chars:
            if not c.ch.strip() or c.x1 <= c.x0:
                continue
            read = OcrRead(c.conf, word_doubtful and c.ch.isdigit() and c.conf < settings.min_digit_confidence,
                           alternatives)
            out.append(OcrGlyph(c.ch, c.x0 * scale, c.x1 * scale, base, em, read))
    return out


def page_rules(page: OcrPage, scale: float) -> tuple[list[P.Rule], list[P.HRule]]:
    """The page's ruling lines in points (y up)."""
    h = page.height
    rules = [P.Rule(x * scale, (h - y1) * scale, (h - y0) * scale) for x, y0, y1 in page.vrules]
    flat = [P.HRule((h - y) * scale, x0 * scale, x1 * scale) for y, x0, x1 in page.hrules]
    return rules, flat


def check_grids(glyphs: list[P.Glyph], rules: list[P.Rule], flat: list[P.HRule],
                page: int, path: str) -> None:
    """Refuse a page whose ruled table the OCR did not read (text in too few of its cells)."""
    for table in P.ruled_tables(rules, flat):
        if len(table.cells) < 6:
            continue
        filled = {id(c) for g in glyphs
                  if table.contains(x := (g.x0 + g.x1) / 2, y := g.base + 0.35 * g.em)
                  and (c := table.cell_at(x, y)) is not None}
        if len(filled) < MIN_GRID_TEXT_SHARE * len(table.cells):
            raise RejectedReport(
                "no_statistical_tables",
                f"page {page}: a ruled table of {len(table.cells)} cells was found but OCR read text in only "
                f"{len(filled)} of them (the scan is too poor to read; nothing of the file was kept)",
                path,
            )


def read_images(images: list[tuple[np.ndarray, float]], path: str, settings: OcrSettings,
                cache: OcrCache | None = None, engine=None, progress=None) -> Document:
    """Pages given as (greyscale image, points per pixel) into a Document, as the PDF reader makes one."""
    start = time.monotonic()
    pages: list[tuple[OcrPage, float]] = []
    for index, (image, scale) in enumerate(images):
        check_timeout(start, index, len(images), settings, path)
        page = read_page(image, settings, engine=engine, cache=cache)
        pages.append((page, scale))
        if progress is not None:
            progress(index + 1, len(images), page)
    return document_from_pages(pages, path, settings)


def check_timeout(start: float, index: int, n_pages: int, settings: OcrSettings, path: str) -> None:
    """Refuse the whole file once its OCR has run past the per-file timeout (checked between pages)."""
    if time.monotonic() - start > settings.timeout_s:
        raise RejectedReport("too_large", f"OCR of page {index + 1} of {n_pages} passed the per-file "
                             f"timeout of {settings.timeout_s:.0f} s; nothing of the file was kept", path)


def document_from_pages(read: list[tuple[OcrPage, float]], path: str, settings: OcrSettings) -> Document:
    """Pages read by OCR (each with its points per pixel) laid out by the PDF reader's logic."""
    pages: list[list[P.PageRow]] = []
    heading = ""
    n_chars = n_doubtful = 0
    angles: list[float] = []
    cached = 0
    engine_name = ""
    for index, (page, scale) in enumerate(read):
        cached += page.cached
        engine_name = page.engine or engine_name
        angles.append(page.angle)
        glyphs = page_glyphs(page, settings, scale)
        rules, flat = page_rules(page, scale)
        top = page.height * scale
        n_chars += len(glyphs)
        n_doubtful += sum(1 for g in glyphs if g.ocr is not None and g.ocr.doubtful)
        if index == 0:
            heading = P.first_page_heading(glyphs, 0.0, top)
        rows = P.page_rows(glyphs, rules, page=index + 1, flat=flat,
                           first_table=sum(len({r.table for r in p if r.table is not None}) for p in pages))
        check_grids(glyphs, rules, flat, index + 1, path)
        pages.append(P.mark_margins(rows, 0.0, top))
    if n_chars == 0:
        raise RejectedReport("no_statistical_tables", f"OCR found no text on {len(read)} page(s)", path)
    rows, dropped = P.lay_out(pages)
    lines = P.emit_lines(rows)
    metadata = {"heading": heading} if heading else {}
    last_page = len(lines) - next((i for i, line in enumerate(reversed(lines)) if line.text == "\f"), len(lines))
    metadata.update(closing_signature([line.text for line in lines[last_page:]]))
    from disclosure.ocr_cells import match_labels

    notes = [
        f"ocr: {len(read)} page(s), {n_chars} characters read by {engine_name} "
        f"({cached} page(s) from the cache), deskewed by {', '.join(f'{a:+.1f}°' for a in angles)}; "
        f"{n_doubtful} digit(s) below confidence {settings.min_digit_confidence}",
        *match_labels(lines),
    ]
    if dropped:
        notes.append(f"ocr: {dropped} page header/footer/page-number line(s) dropped")
    return Document(lines=lines, format="ocr", title=None, notes=notes, metadata=metadata)


def read_scanned_pdf(data: bytes, path: str, settings: OcrSettings | None = None, cache: OcrCache | None = None,
                     engine=None, progress=None) -> Document:
    """An image-only PDF: its pages rendered at settings.dpi and read by OCR."""
    import pypdfium2 as pdfium

    settings = settings or OcrSettings()
    with P._PDFIUM_LOCK:
        pdf = P._open(data, path)
        try:
            if len(pdf) > P.MAX_PAGES:
                raise RejectedReport("too_large", f"{len(pdf)} pages (limit {P.MAX_PAGES})", path)
            images = []
            for i in range(len(pdf)):
                page = pdf[i]
                try:
                    width_pt = page.get_width()
                    bitmap = page.render(scale=settings.dpi / 72, grayscale=True)
                    image = np.asarray(bitmap.to_pil().convert("L"))
                finally:
                    page.close()
                images.append((image, width_pt / image.shape[1]))
        except pdfium.PdfiumError as exc:
            raise RejectedReport("corrupt_file", f"a page cannot be rendered ({exc})", path) from None
        finally:
            pdf.close()
    return read_images(images, path, settings, cache=cache, engine=engine, progress=progress)


def read_image(data: bytes, path: str, settings: OcrSettings | None = None, cache: OcrCache | None = None,
               engine=None) -> Document:
    """A PNG or JPEG page image (one page; a multi-frame TIFF or GIF: every frame a page)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    settings = settings or OcrSettings()
    try:
        img = Image.open(io.BytesIO(data))
        frames = [np.asarray(f.convert("L")) for f in ImageSequence.Iterator(img)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise RejectedReport("corrupt_file", f"the image cannot be decoded ({exc})", path) from None
    return read_images([(f, IMAGE_WIDTH_PT / f.shape[1]) for f in frames], path, settings, cache=cache, engine=engine)
