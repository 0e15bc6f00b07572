"""What OCR changes in a parsed report: labels matched with tolerance, cells flagged as read.

* `match_labels` (reader side): an OCR'd label that misses its row's or column's signature by
  a character or two (a misread stroke) is matched to it within `LABEL_TOLERANCE` edits, so the
  table logic finds the row; every such match is returned as a note for the report's warnings.
* `mark_cells` (after the table logic): every statistical cell read from OCR'd text is flagged
  `ocr` and carries the engine's confidence (`provenance.<cell>.confidence`); a cell holding a
  digit read below the confidence threshold is `ambiguous`: null, with the engine's readings
  (the printed one and the alternatives) as candidates.
* `resolve_by_identities`: the report's identities choose between those candidates only when
  exactly one combination of them satisfies every identity the doubtful cells take part in;
  the cell then carries CHOSEN_FLAG (and still `ocr`, its confidence and its candidates).
"""

from __future__ import annotations

import functools
import itertools
import math
import re

from disclosure import identities as ids
from disclosure import vocabulary as v
from disclosure.identities import Operand
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
    """Flag every statistical cell read by OCR; doubtful digits make the cell ambiguous, unless
    the report's identities leave exactly one of the engine's readings (`resolve_by_identities`).
    Returns how many cells stay ambiguous by OCR."""
    by_text, by_line = _index(doc)
    if not by_line:
        return 0
    doubted: list[CellOut] = []
    for cell in _cells(tables):
        if cell.raw is None:
            continue
        read = by_text.get((cell.where, cell.raw.strip()))
        if read is None:  # the table logic re-cut or joined the printed text: the line's least certain cell
            line_reads = by_line.get(cell.where)
            if not line_reads:
                continue
            read = _merge(line_reads)
        if _flag(cell, read):
            doubted.append(cell)
    chosen = resolve_by_identities(tables, doubted)
    return len(doubted) - chosen


def _flag(cell: CellOut, read: OcrRead) -> bool:
    """Flag one cell as read by OCR; True when a doubtful digit made it ambiguous."""
    if "ocr" not in cell.flags:
        cell.flags.append("ocr")
    cell.confidence = round(read.confidence, 4)
    if read.doubtful and cell.value is not None and "ambiguous" not in cell.flags:
        cell.candidates = _candidates(cell.raw or "", read.alternatives)
        cell.value = None
        cell.flags.append("ambiguous")
        return True
    return False


# --------------------------------------------------------------------------- choosing by identities

MAX_COMBINATIONS = 4096
"""Candidate combinations tried for one group of doubtful cells tied by identities; a larger
group stays ambiguous (nothing is chosen that was not checked against every combination)."""
CHOSEN_FLAG = "ocr_identity_choice"
"""The flag of a cell whose value is the one OCR reading the report's identities allow."""


def _operand_cells(tables: Tables) -> dict[tuple[str, Operand], CellOut]:
    out: dict[tuple[str, Operand], CellOut] = {}
    for row, cols in tables.applications.items():
        for col, cell in cols.items():
            out["applications", (row, col)] = cell
    for key, cell in tables.review.items():
        proceeding, _, outcome = key.partition(".")
        out["review_litigation", (proceeding, outcome)] = cell
    return out


def resolve_by_identities(tables: Tables, doubted: list[CellOut]) -> int:
    """Give a doubtful cell a value when exactly one combination of the engine's readings of
    the doubtful cells satisfies every identity (disclosure/identities.py) they take part in.

    Doubtful cells are grouped by the identities joining them; an identity counts only when
    each of its other operands is printed (a blank leaves it unassessable). A group where no
    combination fits, or more than one does, or one too many to try, stays ambiguous. A chosen
    cell keeps `ocr` and its candidates, and is flagged CHOSEN_FLAG. Returns how many were chosen."""
    if not doubted:
        return 0
    cells = _operand_cells(tables)
    unknown = {id(c) for c in doubted if c.candidates}
    identities = []
    for identity in ids.report_identities(tables.applications_layout):
        ops = [cells.get((identity.table, o)) for o in identity.operands]
        if any(c is None or (c.value is None and id(c) not in unknown) for c in ops):
            continue
        if any(id(c) in unknown for c in ops):
            identities.append((identity, ops))
    groups = _groups(identities)
    chosen = 0
    for group in groups:
        members = list({id(c): c for _, ops in group for c in ops if id(c) in unknown}.values())
        if math.prod(len(c.candidates) for c in members) > MAX_COMBINATIONS:
            continue
        fits = []
        for combo in itertools.product(*(c.candidates for c in members)):
            value = {id(c): v for c, v in zip(members, combo, strict=True)}
            if all(_holds(identity, ops, value) for identity, ops in group):
                fits.append(combo)
                if len(fits) > 1:
                    break
        if len(fits) != 1:
            continue
        for cell, reading in zip(members, fits[0], strict=True):
            cell.value = reading
            cell.flags.remove("ambiguous")
            cell.flags.append(CHOSEN_FLAG)
            chosen += 1
    return chosen


def _groups(identities: list) -> list[list]:
    """The identities as groups joined by shared doubtful cells (union-find on the identities)."""
    parent = list(range(len(identities)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[int, int] = {}
    for i, (_, ops) in enumerate(identities):
        for c in ops:
            if c.value is None:
                j = owner.setdefault(id(c), i)
                parent[root(i)] = root(j)
    out: dict[int, list] = {}
    for i, item in enumerate(identities):
        out.setdefault(root(i), []).append(item)
    return list(out.values())


def _holds(identity, ops: list[CellOut], value: dict[int, float]) -> bool:
    got = [value[id(c)] if id(c) in value else c.value for c in ops]
    n = len(identity.lhs)
    return abs(sum(got[:n]) - sum(got[n:])) <= 1e-9
