"""What OCR changes in a parsed report: labels matched with tolerance, cells flagged as read.

* `match_labels` (reader side): an OCR'd label that misses its row's or column's signature by
  a character or two (a misread stroke) is matched to it within `LABEL_TOLERANCE` edits, so the
  table logic finds the row; every such match is returned as a note for the report's warnings.
* `mark_cells` (after the table logic): every statistical cell read from OCR'd text is flagged
  `ocr` and carries the engine's confidence (`provenance.<cell>.confidence`); a cell holding a
  digit read below the confidence threshold is `ambiguous`: null, with the engine's readings
  (the printed one and the alternatives) as candidates. Nothing here picks an alternative.
"""

from __future__ import annotations

import functools
import re

from disclosure import vocabulary as v
from disclosure.labels import normalise
from disclosure.model import Document, Line, OcrRead
from disclosure.numbers import parse_value
from disclosure.tables import CellOut, Tables

LABEL_TOLERANCE: tuple[tuple[int, int], ...] = ((4, 1), (8, 2))
"""(signature length at least, characters that may differ): signatures of 4–7 characters
match with one misread character, longer ones with two. Shorter ones (规章, 自然人) are never
matched loosely: one character is a third of them."""
LABEL_DOUBT = 0.97
"""Only a label the engine itself doubted (some character below this confidence) is matched
loosely: a label read with confidence is taken as printed, however close it is to another."""
LABEL_SIGNATURE_TABLES = (
    v.APPLICATION_ROW_SIGNATURES,
    v.APPLICANT_SIGNATURES,
    v.ACTIVE_CATEGORY_SIGNATURES,
    v.TEMPLATE_HEADER_SIGNATURES,
    v.REGION_STARTS,
)
"""The label vocabularies an OCR'd label is matched against (one home: disclosure/vocabulary.py)."""
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _tolerance(n: int) -> int:
    allowed = 0
    for length, edits in LABEL_TOLERANCE:
        if n >= length:
            allowed = edits
    return allowed


@functools.cache
def _signatures() -> tuple[tuple[str, int], ...]:
    sigs = {normalise(s) for table in LABEL_SIGNATURE_TABLES for group in table.values() for s in group}
    return tuple(sorted(((s, _tolerance(len(s))) for s in sigs if _tolerance(len(s)) > 0),
                        key=lambda p: -len(p[0])))


def misread(a: str, b: str) -> int:
    """How many characters differ between two strings of one length (a misread character is
    a substitution: OCR of a printed label neither drops nor adds characters in its middle)."""
    return sum(x != y for x, y in zip(a, b, strict=True))


def closest_signature(text: str) -> tuple[str, int, int, int] | None:
    """(signature, start, end, characters misread) of the one signature this label misses by
    fewest misread characters (within tolerance); None when it holds a signature exactly, none
    is near, or two are equally near (no guess between them)."""
    if any(s in text for s, _ in _signatures()):
        return None
    found: list[tuple[str, int, int, int]] = []
    chars = set(text)
    for sig, tol in _signatures():
        if len(set(sig) & chars) < len(set(sig)) - tol:
            continue  # too few of its characters were read at all
        for start in range(0, len(text) - len(sig) + 1):
            d = misread(text[start : start + len(sig)], sig)
            if 0 < d <= tol:
                found.append((sig, start, start + len(sig), d))
    if not found:
        return None
    best = min(d for *_, d in found)
    nearest = {f[0] for f in found if f[3] == best}
    if len(nearest) != 1:
        return None
    return next(f for f in found if f[3] == best)


def match_labels(lines: list[Line]) -> list[str]:
    """Correct OCR'd labels that miss a vocabulary signature by a few edits; a note per match."""
    notes = []
    for line in lines:
        for cell in line.cells:
            if (cell.ocr is None or cell.ocr.confidence >= LABEL_DOUBT or not _CJK.search(cell.text)
                    or parse_value(cell.text) is not None):
                continue
            text = normalise(cell.text)
            match = closest_signature(text)
            if match is None:
                continue
            sig, start, end, edits = match
            cell.text = text[:start] + sig + text[end:]
            notes.append(f"ocr label: {text!r} matched {sig!r} ({edits} edit{'s' if edits > 1 else ''}) at {line.where}")
    return notes


def _merge(reads: list[OcrRead]) -> OcrRead:
    """Several OCR'd cells one statistical cell may stand for: the least certain reading wins."""
    alternatives = tuple(dict.fromkeys(a for r in reads for a in r.alternatives))
    return OcrRead(min(r.confidence for r in reads), any(r.doubtful for r in reads), alternatives)


def _index(doc: Document) -> tuple[dict[tuple[str, str], OcrRead], dict[str, list[OcrRead]]]:
    by_text: dict[tuple[str, str], list[OcrRead]] = {}
    by_line: dict[str, list[OcrRead]] = {}
    for line in doc.lines:
        for cell in line.cells:
            if cell.ocr is not None:
                by_text.setdefault((line.where, cell.text.strip()), []).append(cell.ocr)
                by_line.setdefault(line.where, []).append(cell.ocr)
    return {k: _merge(r) for k, r in by_text.items()}, by_line


def _cells(tables: Tables):
    yield from tables.active.values()
    for cols in tables.applications.values():
        yield from cols.values()
    yield from tables.review.values()


def _candidates(printed: str, alternatives: tuple[str, ...]) -> list:
    out = []
    for text in (printed, *alternatives):
        parsed = parse_value(text)
        if parsed is not None and parsed.value is not None and parsed.value not in out:
            out.append(parsed.value)
    return out


def mark_cells(tables: Tables, doc: Document) -> int:
    """Flag every statistical cell read by OCR; doubtful digits make the cell ambiguous.
    Returns how many cells were made ambiguous."""
    by_text, by_line = _index(doc)
    if not by_line:
        return 0
    n_ambiguous = 0
    for cell in _cells(tables):
        if cell.raw is None:
            continue
        read = by_text.get((cell.where, cell.raw.strip()))
        if read is None:  # the table logic re-cut or joined the printed text: the line's least certain cell
            line_reads = by_line.get(cell.where)
            if not line_reads:
                continue
            read = _merge(line_reads)
        _flag(cell, read)
        n_ambiguous += "ambiguous" in cell.flags
    return n_ambiguous


def _flag(cell: CellOut, read: OcrRead) -> None:
    if "ocr" not in cell.flags:
        cell.flags.append("ocr")
    cell.confidence = round(read.confidence, 4)
    if read.doubtful and cell.value is not None and "ambiguous" not in cell.flags:
        cell.candidates = _candidates(cell.raw or "", read.alternatives)
        cell.value = None
        cell.flags.append("ambiguous")
