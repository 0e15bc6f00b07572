"""Find tables 二, 三 and 四 in a Document and map their cells to canonical keys.

Format-free: works on Lines of Cells. Rows are recognised by label signatures (never by
position alone); rows whose labels were lost are placed by a monotonic alignment of the
value rows to the template's printed row order, anchored by the rows whose labels survived.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from disclosure import vocabulary as v
from disclosure.labels import last_signature, normalise
from disclosure.model import Cell, Document, Line
from disclosure.numbers import (
    COUNT_UNITS,
    MONEY_UNITS,
    CellValue,
    implausible,
    is_blank_text,
    parse_value,
    to_10k_yuan,
)


@dataclass(slots=True)
class CellOut:
    value: float | int | None
    raw: str | None
    where: str
    flags: list[str] = field(default_factory=list)
    candidates: list | None = None
    confidence: float | None = None  # OCR'd cells: the engine's lowest character confidence


@dataclass
class Tables:
    template_active: str | None = None
    active: dict[str, CellOut] = field(default_factory=dict)
    # "2021" (三(六) as three sub-rows) or "one_row_other" (其他处理 printed as one row)
    applications_layout: str = "2021"
    # False when no printed label decided the layout (no 其他处理 row or sub-row was read): the
    # rows of both layouts are then in the output, the unread ones null and `not_found`.
    layout_decided: bool = True
    applications: dict[str, dict[str, CellOut]] = field(default_factory=dict)
    review: dict[str, CellOut] = field(default_factory=dict)
    found: set[str] = field(default_factory=set)  # which of "active", "applications", "review"
    warnings: list[str] = field(default_factory=list)
    # Solver results kept for provenance of split digit runs: var → candidates.
    regions: dict[str, tuple[int, int]] = field(default_factory=dict)


# --------------------------------------------------------------------------- line anatomy


@dataclass(slots=True)
class RowView:
    """A line seen as label + value cells."""

    index: int
    line: Line
    label: str  # normalised label text (all label cells, rowspan copies included)
    values: list[Cell]  # value cells in order (numeric, blank or joined digit runs)
    joined: bool  # some value cell is a digit run whose separators were lost
    n_numbers: int  # value cells that print something other than a blank


_LONE_NUMERAL = re.compile(r"[一二两三四五六七八九十]")
"""A cell that is one Chinese numeral, after a line's first cell: the grammar does not take it
as a value (it may be a label's fragment), but it holds a value's place, so it is a value cell
(`unparsed`, null) rather than part of the label, which would shift every value after it."""


@lru_cache(maxsize=65536)
def _is_label_text(text: str) -> bool:
    """Words, not a value or a blank (one cached look-up per cell instead of two)."""
    return not is_blank_text(text) and parse_value(text) is None


def row_view(index: int, line: Line) -> RowView:
    cells = line.cells
    # The last label cell: scanned from the right, the value cells after it are all a row
    # usually has to look at (the test is pure, so the first hit is the last label).
    last_label = -1
    lone_numeral = _LONE_NUMERAL.fullmatch
    for i in range(len(cells) - 1, -1, -1):
        c = cells[i]
        if not c.joined and _is_label_text(c.text) and not (i and lone_numeral(c.text.strip())):
            last_label = i
            break
    label = normalise("".join([c.text for c in cells[: last_label + 1]])) if last_label >= 0 else ""
    # The value cells, whether one is a joined run and how many print something: one pass.
    values: list[Cell] = []
    joined = False
    n_numbers = 0
    for c in cells[last_label + 1 :]:
        if c.rowspan_copy:
            continue
        values.append(c)
        if c.joined:
            joined = True
            n_numbers += 1
        elif not is_blank_text(c.text):
            n_numbers += 1
    return RowView(index, line, label, values, joined, n_numbers)


# --------------------------------------------------------------------------- regions

_T2_START = v.REGION_STARTS["active"]
_T3_START = v.REGION_STARTS["applications"]
_T4_START = v.REGION_STARTS["review"]
_END = v.REGION_ENDS


def find_regions(norms: Sequence[str]) -> dict[str, tuple[int, int]]:
    n = len(norms)
    # One string with a line index per character offset: str.find runs in C.
    joined = "\n".join(norms)
    starts = list(itertools.accumulate((len(t) + 1 for t in norms[:-1]), initial=0))

    def first(words: tuple[str, ...], start: int, stop: int = n) -> int | None:
        if start >= n:
            return None
        lo = starts[start]
        hi = starts[stop] if stop < n else len(joined)
        hits = [pos for w in words if (pos := joined.find(w, lo, hi)) >= 0]
        return bisect.bisect_right(starts, min(hits)) - 1 if hits else None

    i3 = first(_T3_START, 0)
    i2 = first(_T2_START, 0, i3 if i3 is not None else n)
    regions: dict[str, tuple[int, int]] = {}
    if i3 is not None:
        # Table 三 ends at the first line after its 结转下年度 row that speaks of 复议.
        i4 = first(_T4_START, i3 + 1)
        end3 = i4 if i4 is not None else (first(_END, i3 + 1) or n)
        regions["applications"] = (i3, end3)
        if i4 is not None:
            end4 = first(_END, i4 + 1) or n
            regions["review"] = (i4, end4)
    if i2 is not None:
        regions["active"] = (i2, i3 if i3 is not None else (first(_END, i2 + 1) or n))
    return regions


# --------------------------------------------------------------------------- values


def cell_out(cell: Cell, where: str, *, money: bool = False, allow_negative: bool = False,
             unit: str | None = None, table: str = "active_disclosure") -> CellOut:
    """One printed cell through the cell grammar (numbers.py). ``unit`` is the money unit
    printed around the cell (column header, row label, table note), None when none is."""
    pv = parse_value(cell.text)
    if pv is None:
        # Words where the table has a value: not a form of the grammar.
        pv = CellValue(None, cell.text, unparsed=not is_blank_text(cell.text), blank=is_blank_text(cell.text))
    value = pv.value
    if cell.footnote:  # a mark the reader kept apart (87<sup>2</sup>): flagged, raw text as printed
        out = cell_out(replace(cell, footnote=None), where, money=money, allow_negative=allow_negative,
                       unit=unit, table=table)
        return CellOut(out.value, cell.text + cell.footnote, where, [*out.flags, "footnote"])
    if cell.wrapped:  # digits the reader joined over two printed lines of one cell
        out = cell_out(replace(cell, wrapped=False), where, money=money, allow_negative=allow_negative,
                       unit=unit, table=table)
        return CellOut(out.value, out.raw, where, [*out.flags, "wrapped_number"])
    if (not money and not pv.annotated and not pv.footnote and not pv.unparsed and not pv.decimal
            and (value is None or 0 <= value <= v.IMPLAUSIBLE_COUNT[table]) and pv.unit is None):
        return CellOut(value, cell.text, where, [])  # the common case: a plain count or a blank
    flags: list[str] = []
    if pv.unparsed:
        return CellOut(None, cell.text, where, ["unparsed"])
    if money:
        if pv.unit in COUNT_UNITS:
            return CellOut(None, cell.text, where, ["unparsed"])  # '3件' where an amount belongs
        value, flags = to_10k_yuan(pv, unit)
    elif pv.decimal or pv.unit in MONEY_UNITS:
        return CellOut(None, cell.text, where, ["unparsed"])  # a count is a whole number
    if value is not None and abs(value) > v.UNREPRESENTABLE:
        return CellOut(None, cell.text, where, ["implausible", "unparsed"])
    if implausible(value, table, money):
        flags.append("implausible")
    if pv.annotated:
        flags.append("annotated")
    if pv.footnote:
        flags.append("footnote")
    if value is not None and value < 0 and not allow_negative:
        flags.append("negative")
    return CellOut(value, cell.text, where, flags)


def _trim(values: list[Cell], want: int) -> list[Cell]:
    """Drop trailing blank cells beyond the expected count (flattened text keeps empty columns)."""
    out = list(values)
    while len(out) > want and is_blank_text(out[-1].text) and not out[-1].joined:
        out.pop()
    return out


def spread_row(
    values: list[Cell], columns: Sequence[str], where: str, *, spans_lost: bool, money: set[str] = frozenset(),
    signed: set[str] = frozenset(), unit: str | None = None, table: str = "active_disclosure",
) -> dict[str, CellOut]:
    """Assign a row's value cells to its columns, or flag the row when that is not possible."""
    want = len(columns)

    def assign(cells: list[Cell]) -> dict[str, CellOut]:
        return {
            col: cell_out(c, where, money=col in money, allow_negative=col in signed, unit=unit, table=table)
            for col, c in zip(columns, cells, strict=True)
        }

    non_blank = [c for c in values if not is_blank_text(c.text)]
    if spans_lost and len(non_blank) == 1 and values[0] is non_blank[0] and len(values) > 1 and want > 1:
        # Flattened text lost a merged cell: a lone value followed by empty cells.
        return _merged(non_blank[0], columns, where)
    if spans_lost and len(values) > want:
        starts = _value_windows(values, want)
        if len(starts) > 1 and table == "applications":
            fits = [s for s in starts if _row_total_fits(values[s : s + want], columns)]
            if len(fits) == 1:
                # Exactly one placement makes the row add up (总计 = the six applicants): the
                # printed 总计 decides, and says so.
                out = assign(values[fits[0] : fits[0] + want])
                for c in out.values():
                    c.flags.append("placed_by_identity")
                return out
        if len(starts) > 1:
            # Empty slots before and after the numbers: a converter's copies of a spanning
            # label's slots, blank cells and padding all print as ''. More than one placement
            # of the printed numbers fits the columns: the page does not say which.
            printed = " | ".join(c.text for c in values)
            return {col: CellOut(None, printed, where, ["ambiguous"]) for col in columns}
    cells = _trim(values, want)
    while len(cells) > want and is_blank_text(cells[0].text) and not cells[0].text.strip():
        # Empty slots of a label spanning several columns ('| 一、… |  |  | 32 | …').
        cells = cells[1:]
    if len(cells) == want:
        # Origin cells match the columns one to one; a colspan here is layout, not a merge
        # (reports put colspan on different columns in header and value rows).
        return assign(cells)
    if len(cells) < want and sum(min(c.colspan, 64) for c in cells) == want:
        if len(cells) == 1:
            return _merged(cells[0], columns, where)
        expanded = [c for c in cells for _ in range(min(c.colspan, 64))]
        out = assign(expanded)
        for c in out.values():
            c.flags.append("merged_cell")
        return out
    if not non_blank:
        return {col: CellOut(None, values[i].text if i < len(values) else None, where) for i, col in enumerate(columns)}
    printed = " | ".join(c.text for c in values)
    return {col: CellOut(None, printed, where, ["ambiguous"]) for col in columns}


def _value_windows(values: Sequence[Cell], want: int) -> list[int]:
    """Where the `want` columns may start among a flattened row's cells: every window of
    `want` cells that holds all printed (non-empty) cells and leaves only truly empty cells
    ('', no dash) outside it. One start: the placement is the page's; several: it is not."""
    printed = [i for i, c in enumerate(values) if c.text.strip() or c.joined]
    if not printed:
        return []
    lo = max(0, printed[-1] - want + 1)
    hi = min(printed[0], len(values) - want)
    return list(range(lo, hi + 1))


def _row_total_fits(cells: Sequence[Cell], columns: Sequence[str]) -> bool:
    """Table 三's row identity (identities.ROW_TOTAL) on one placement of a row: its 总计 is
    printed and equals the sum of the other cells (blank cells add nothing)."""
    if "total" not in columns:
        return False
    nums: dict[str, int] = {}
    for col, c in zip(columns, cells, strict=True):
        if is_blank_text(c.text):
            continue
        pv = parse_value(c.text)
        if pv is None or not isinstance(pv.value, int) or pv.unparsed or pv.decimal:
            return False
        nums[col] = pv.value
    if "total" not in nums:
        return False
    return sum(x for col, x in nums.items() if col != "total") == nums["total"]


def _merged(cell: Cell, columns: Sequence[str], where: str) -> dict[str, CellOut]:
    pv = parse_value(cell.text)
    if pv is not None and pv.value == 0:
        return {col: CellOut(0, cell.text, where, ["merged_row"]) for col in columns}
    # A non-zero value merged across a row cannot be attributed to one column.
    return {col: CellOut(None, cell.text, where, ["merged_row", "ambiguous"]) for col in columns}


# --------------------------------------------------------------------------- table 二


def detect_active_template(norm_text: str, categories: set[str]) -> str | None:
    for template, sigs in v.TEMPLATE_HEADER_SIGNATURES.items():
        if any(s in norm_text for s in sigs):
            return template
    for template, words in v.TEMPLATE_FALLBACK_WORDS.items():
        if any(w in norm_text for w in words) or set(v.TEMPLATE_ONLY_CATEGORIES.get(template, ())) & categories:
            return template
    return None


def extract_active(views: Sequence[RowView], norms: Sequence[str], spans_lost: bool, out: Tables, body: str) -> None:
    region_text = "".join(norms)
    rows: list[tuple[str, RowView]] = []
    for n, view in enumerate(views):
        key, _ = last_signature(view.label, v.ACTIVE_CATEGORY_SIGNATURES)
        if key is None or not view.values:
            continue
        if n + 1 < len(views) and view.joined:
            view = _with_unit_carried_over(view, views[n + 1])
        rows.append((key, view))
    template = detect_active_template(region_text, {k for k, _ in rows})
    headers = active_headers(views, norms)
    if template is None:
        if rows:
            out.warnings.append("table 二: template not recognised from its headers")
        return
    out.template_active = template
    out.found.add("active")
    metrics = v.ACTIVE_METRICS[template]
    for key, view in rows:
        if key not in metrics:
            out.warnings.append(f"table 二: row {key} does not belong to the {template} template ({view.line.where})")
            continue
        header = headers.get(view.index, ActiveHeader())
        cols, header_flag = active_columns(header.head_text, metrics[key])
        if view.joined:
            cells = split_active_run(view, cols, body, key, header.unit)
        else:
            cells = spread_row(view.values, cols, view.line.where, spans_lost=spans_lost,
                               money=set(v.MONEY_METRICS), signed=set(v.SIGNED_METRICS),
                               unit=header.unit)
        if header_flag:
            for cell in cells.values():
                cell.flags.append(header_flag)
        for metric, cell in cells.items():
            k = f"{key}.{metric}"
            if k in out.active and out.active[k].value != cell.value:
                cell.flags.append("conflicting_duplicate")
            out.active[k] = cell
    for category, cols in metrics.items():
        for metric in cols:
            out.active.setdefault(f"{category}.{metric}", CellOut(None, None, "", ["not_found"]))


def _with_unit_carried_over(view: RowView, nxt: RowView) -> RowView:
    """'政府集中采购 2' + '笔 984361元' (a crawler broke the row after the count): the count's unit
    starts the next line. The unit closes the count cell and the amount follows it, so the row
    is its two printed cells, no longer a run to split."""
    if nxt.label not in COUNT_UNITS or len(nxt.values) != 1 or not view.values[-1].joined:
        return view
    count = Cell(view.values[-1].text + nxt.label)
    amount = Cell(nxt.values[0].text)
    values = [*view.values[:-1], count, amount]
    if any(c.joined for c in values):
        return view
    return RowView(view.index, view.line, view.label, values, False, view.n_numbers + 1)


@dataclass(slots=True)
class ActiveHeader:
    """What table 二 prints above one row: its money unit and its sub-table's column heads."""

    unit: str | None = None
    head_text: str = ""  # normalised text from the sub-table's head (信息内容) to the row label


def active_headers(views: Sequence[RowView], norms: Sequence[str]) -> dict[int, ActiveHeader]:
    """The header context of each row of table 二 (line index → ActiveHeader).

    A sub-table starts at its head (信息内容 …); its column heads and unit notes printed after
    the head hold for every row below it until the next head (a header printed once carries
    over). A unit note printed before the first head holds for the whole table (（单位：元）),
    one in the row's own label (政府集中采购（元）) for that row."""
    offsets = list(itertools.accumulate((len(t) for t in norms), initial=0))
    text = "".join(norms)
    heads = sorted(m.start() for w in v.ACTIVE_SUBTABLE_HEADS for m in re.finditer(re.escape(w), text))
    notes = [(m.start(), m.group(1) or m.group(2)) for m in v.UNIT_NOTE.finditer(text)]
    first_head = heads[0] if heads else len(text)
    table_note = next((u for q, u in reversed(notes) if q < first_head), None)
    base = views[0].index if views else 0
    out: dict[int, ActiveHeader] = {}
    for view in views:
        i = view.index - base
        if not view.label or i >= len(norms):
            continue
        at = norms[i].find(view.label[:8])
        p = offsets[i] + (at if at >= 0 else 0) + len(view.label)
        h = heads[bisect.bisect_right(heads, p) - 1] if heads and heads[0] < p else 0
        own = [u for q, u in notes if h <= q < p]
        out[view.index] = ActiveHeader(own[-1] if own else table_note, text[h:p])
    return out


def active_columns(head_text: str, template_cols: Sequence[str]) -> tuple[tuple[str, ...], str | None]:
    """A table 二 row's metric columns in the order its sub-table's heads print them.

    Heads naming exactly the template's metrics give their order; no head (or only heads of
    other metrics) leaves the template's order; heads that name some of the metrics in another
    order make the position uncertain (`position_assumed`)."""
    found = [v.ACTIVE_METRIC_HEADS[m.group(0)] for m in _word_pattern(v.ACTIVE_METRIC_HEADS).finditer(head_text)]
    found = [m for m in found if m in template_cols]
    seen: list[str] = []
    for m in found:
        if m not in seen:
            seen.append(m)
    if sorted(seen) == sorted(template_cols) and len(seen) == len(found):
        return tuple(seen), None
    if not seen or _agrees_with_template(seen, (tuple(template_cols),)):
        return tuple(template_cols), None
    return tuple(template_cols), "position_assumed"


_LABEL_WORD = v.PROSE_CATEGORY_WORDS


def split_active_run(view: RowView, cols: Sequence[str], body: str, category: str,
                     unit: str | None = None) -> dict[str, CellOut]:
    """Table 二 rows have no identity: a run of digits is accepted only when its split is unique."""
    from disclosure.splitter import split_segment

    where = view.line.where
    segments = [c.text for c in view.values if c.joined]
    printed = " ".join(segments)
    money_unit = ""
    if segments and segments[-1].endswith(("万元", "元")):
        money_unit = "万元" if segments[-1].endswith("万元") else "元"
        segments[-1] = segments[-1][: -len(money_unit)]
    if len(cols) == 1 or (segments and any("." in s for s in segments)):
        # One cell, or a decimal amount: only the undivided text can be trusted as one value.
        if len(cols) == 1 and len(segments) == 1:
            pv = parse_value(segments[0] + money_unit)
            c = cell_out(Cell(segments[0] + money_unit), where, money=cols[0] in v.MONEY_METRICS, unit=unit)
            c.raw = printed
            return {cols[0]: c} if pv else {cols[0]: CellOut(None, printed, where, ["ambiguous"])}
        return _split_with_decimal(segments, money_unit, cols, printed, where, unit)
    candidates = [
        c for c in _split_candidates(segments, len(cols), split_segment)
        if all(x >= 0 or col in v.SIGNED_METRICS for x, col in zip(c, cols, strict=True))
    ]
    def money(val: int | None, col: str, flags: list[str]) -> CellOut:
        if val is None or col not in v.MONEY_METRICS:
            return CellOut(val, printed, where, flags)
        converted, unit_flags = to_10k_yuan(CellValue(val, printed, unit=money_unit or None), unit)
        return CellOut(converted, printed, where, flags + unit_flags)

    if len(candidates) == 1:
        return {col: money(val, col, ["split_digits"]) for col, val in zip(cols, candidates[0], strict=True)}
    best = _best_guess(candidates, body, cols, _LABEL_WORD.get(category, category)) if candidates else None
    out = {col: money(best[i] if best else None, col, ["ambiguous"]) for i, col in enumerate(cols)}
    for i, col in enumerate(cols):
        out[col].candidates = sorted({c[i] for c in candidates})
    return out


def _split_with_decimal(
    segments: list[str], unit: str, cols: Sequence[str], printed: str, where: str, context_unit: str | None
) -> dict[str, CellOut]:
    """'13575394432.52元' = items + amount: the split point of the integer part is unknown
    unless only one cut leaves both numbers without a leading zero ('00.54元' = 0 | 0.54)."""
    if len(segments) == 1 and len(cols) == 2 and cols[-1] in v.MONEY_METRICS and "." in segments[0]:
        whole, frac = segments[0].split(".", 1)
        def plain(digits: str) -> bool:  # a printed integer part: no leading zero but '0' itself
            return bool(digits) and (digits == "0" or digits[0] != "0")

        cuts = [(whole[:k], whole[k:] + "." + frac) for k in range(1, len(whole)) if plain(whole[:k]) and plain(whole[k:])]
        if len(cuts) == 1:
            items, amount = cuts[0]
            out = {
                cols[0]: CellOut(int(items), printed, where, ["split_digits"]),
                cols[1]: cell_out(Cell(amount + unit), where, money=True, unit=context_unit),
            }
            out[cols[1]].raw = printed
            out[cols[1]].flags.append("split_digits")
            return out
    if len(segments) == len(cols):
        return {
            col: cell_out(Cell(s + (unit if i == len(cols) - 1 else "")), where, money=col in v.MONEY_METRICS,
                          unit=context_unit)
            for i, (col, s) in enumerate(zip(cols, segments, strict=True))
        }
    return {col: CellOut(None, printed, where, ["ambiguous"]) for col in cols}


def _split_candidates(segments: list[str], n: int, split_segment) -> list[tuple[int, ...]]:
    """All splits of hard-separated digit segments into n cells (each segment ≥ 1 cell)."""
    results: list[tuple[int, ...]] = []

    def rec(i: int, left: int, acc: tuple[int, ...]) -> None:
        if len(results) > 500:
            return
        if i == len(segments):
            if left == 0:
                results.append(acc)
            return
        remaining = len(segments) - i - 1
        seg = segments[i].lstrip("+")
        sign = -1 if seg.startswith("-") else 1
        seg = seg.lstrip("-")
        for k in range(1, left - remaining + 1):
            for parts in split_segment(seg, k):
                rec(i + 1, left - k, acc + ((sign * parts[0], *parts[1:]) if parts else ()))

    rec(0, n, ())
    return results


@lru_cache(maxsize=256)
def _mention_pattern(label_word: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(label_word)}[^。；0-9]{{0,12}}?(?<!\d)(\d+)件")


def _numbers_said_about(label_word: str, body: str) -> set[int]:
    """Numbers the prose states about a category ('制发行政规范性文件62件')."""
    return {int(x) for x in _mention_pattern(label_word).findall(body)}


def _best_guess(candidates: list[tuple[int, ...]], body: str, cols: Sequence[str], label_word: str) -> tuple[int, ...]:
    """The candidate most supported by the report's prose (numbers it repeats), then the most
    plausible and even split. Only a guess: the cells stay flagged `ambiguous`."""

    said = _numbers_said_about(label_word, body)

    def score(c: tuple[int, ...]) -> tuple[int, int, int]:
        mentioned = sum(1 for x in c if x >= 10 and x in said)
        plausible = 0
        if "in_force" in cols:  # a stock of documents in force outnumbers a year's flow
            plausible = int(c[cols.index("in_force")] >= max(c))
        elif "change" in cols:  # most items lists do not change from one year to the next
            plausible = int(c[cols.index("change")] == 0)
        lengths = [len(str(abs(x))) for x in c]
        return (mentioned, plausible, -(max(lengths) - min(lengths)))

    return max(candidates, key=score)


# --------------------------------------------------------------------------- table 三


@lru_cache(maxsize=4096)
def _key_for_label(label: str) -> str | None:
    if not label:
        return None
    if label.endswith(v.OTHER_HANDLING_WORD):
        # '(六)其他处理' alone is the one-row 其他处理; a sub-row's label with the group's
        # spanning cell glued after it ('2.…缴纳费用…(六)其他处理', '3.其他(六)其他处理') is
        # that sub-row: the labels present decide, not where the spanning cell's text fell.
        rest = _OTHER_HANDLING_TAIL.sub("", label)
        sub = _key_for_label(rest) if rest else None
        return sub if sub in v.OTHER_HANDLING_SUBROWS else "other_handling"
    stripped = label.rstrip(")）")
    if stripped.endswith(v.OTHER_WORD) and not stripped.endswith(v.OTHER_NOT_A_ROW):
        return "other_handling.other"
    key, _ = last_signature(label, v.APPLICATION_ROW_SIGNATURES)
    return key


_OTHER_HANDLING_TAIL = re.compile(r"[(（]?[六6]?[)）]?" + re.escape(v.OTHER_HANDLING_WORD) + "$")


_HEADER_WORDS = v.APPLICATION_HEADER_WORDS


def _value_rows(views: Sequence[RowView], grid: bool) -> tuple[list[RowView], list[list[str]]]:
    """Value rows of a table and, before each, the label-only fragments since the previous one."""
    rows: list[RowView] = []
    fragments: list[list[str]] = [[]]
    for view in views:
        # A bare number or two with no label (a stray '1' between markdown tables) is not a
        # row of a seven-column table.
        has_number = view.n_numbers >= 3 or view.joined or (view.n_numbers > 0 and bool(view.label))
        # Blank cells are visible in grids; in layout text only as printed dashes ('无', '-'),
        # and a row of printed dashes is a row even when its label wrapped onto other lines.
        blank_row = False
        if not has_number and view.values:
            printed_blanks = sum(1 for c in view.values if c.text.strip() and is_blank_text(c.text))
            blank_row = (
                (bool(view.label) and (len(view.values) > 0 if grid else len(view.values) >= 3)) or printed_blanks >= 5
            ) and not any(w in view.label for w in _HEADER_WORDS)
        if has_number or blank_row:
            rows.append(view)
            fragments.append([])
        elif view.label:
            fragments[-1].append(view.label)
    return rows, fragments


_OTHER_HANDLING_KEYS = frozenset(("other_handling", "other_handling.other"))
_OTHER_HANDLING = object()
"""Marks a key of `_OTHER_HANDLING_KEYS` in `_signature_tests`."""


@lru_cache(maxsize=64)
def _signature_tests(keys: tuple[str, ...]) -> list:
    """Per key of an alignment: `_OTHER_HANDLING`, None (no signature), or a test of a text
    for any of the key's signatures (one regex search of literal words in C, in place of an
    `any(s in text ...)` per key and row; the keys are the few template layouts)."""
    out: list = []
    for key in keys:
        sigs = v.APPLICATION_ROW_SIGNATURES.get(key, ())
        if key in _OTHER_HANDLING_KEYS:
            out.append(_OTHER_HANDLING)
        elif not sigs:
            out.append(None)
        else:
            out.append(re.compile("|".join(re.escape(s) for s in sigs)).search)
    return out


@lru_cache(maxsize=1024)
def _named_key_scores(named: str, keys: tuple[str, ...]) -> tuple[float, ...]:
    """The scores of a row that names key `named`: 10 for it, -12 for every other key. The
    same few keys and layouts recur in every report (read-only: shared between rows)."""
    return tuple([10.0 if key == named else -12.0 for key in keys])


def _align(rows: list[RowView], fragments: list[list[str]], keys: Sequence[str]) -> tuple[float, list[tuple[int, str]]]:
    """Monotonic alignment of value rows to template keys (maximum total score)."""
    n, m = len(rows), len(keys)
    own = [_key_for_label(r.label) for r in rows]
    if all(k is not None for k in own) and len(set(own)) == n:
        # Every row names its key, each once, in template order: the alignment is the labels.
        order = {k: j for j, k in enumerate(keys)}
        positions = [order.get(k, -1) for k in own]
        if -1 not in positions and positions == sorted(positions):
            return 10.0 * n - (m - n), [(i, k) for i, k in enumerate(own)]  # type: ignore[misc]
    context = []
    for i, r in enumerate(rows):
        pre = "".join(fragments[i])
        post = "".join(fragments[i + 1])
        context.append(pre + r.label + post)

    # Score of row i as key j: its own label's key (10, another key -12), else the words around
    # it: 其他 for the 其他处理 rows (2), a signature of the key (3). Built row by row.
    matrix: list[Sequence[float]] = []
    tests = _signature_tests(tuple(keys))
    for i in range(n):
        o = own[i]
        if o is not None:
            # The row names another key; "other_handling" vs its sub-rows are near misses.
            matrix.append(_named_key_scores(o, tuple(keys)))
            continue
        ctx = context[i]
        other = 2.0 if v.OTHER_WORD in ctx else 0.0
        matrix.append([
            other if test is _OTHER_HANDLING else (3.0 if test is not None and test(ctx) else 0.0)
            for test in tests
        ])
    skip_costs = [
        -9.0 if own[i] is not None else (-1.0 if r.n_numbers < 3 and not r.joined else -4.0) for i, r in enumerate(rows)
    ]
    return _dp_align_lists(matrix, skip_costs, keys)


def _dp_align_lists(scores: Sequence[Sequence[float]], skip_costs: Sequence[float],
                    keys: Sequence[str]) -> tuple[float, list[tuple[int, str]]]:
    """Alignment DP: per row, assign / skip the row, then skip keys (cost 1 each).
    Plain lists, not numpy: a table has some 25 rows and keys, where numpy's per-call cost
    outweighed its loops. Ties resolve as `np.maximum.accumulate` would: the later operand wins
    when neither is greater (the numpy version is the oracle in tests/test_core_speed_fast_paths.py).

    Key 0 (no key assigned yet) is set before each row's loop: it can only skip the row."""
    m = len(keys)
    prev = [-float(j) for j in range(m + 1)]  # before any row: skipping the first j keys
    took_rows: list[list[bool]] = []
    came_rows: list[list[int]] = []
    cols = range(1, m + 1)
    for row, skip_cost in zip(scores, skip_costs, strict=True):
        acc = prev[0] + skip_cost  # j = 0: nothing to assign, skip the row
        took = [False]
        came = [0]
        new = [acc]
        came_max = 0
        for j, before, here, score in zip(cols, prev, prev[1:], row, strict=False):  # prev: m + 1 entries
            assign = before + score
            skip = here + skip_cost
            if assign > skip:
                took.append(True)
                t = assign + j
            else:
                took.append(False)
                t = skip + j
            # Skipping keys after this row: new[j] = max_{j' <= j} best[j'] - (j - j'); a tie
            # moves the maximum (and where it came from) to the later j.
            if t >= acc:
                acc = t
                came_max = j
            came.append(came_max)
            new.append(acc - j)
        took_rows.append(took)
        came_rows.append(came)
        prev = new
    pairs: list[tuple[int, str]] = []
    j = m
    for i in range(len(scores) - 1, -1, -1):
        j = came_rows[i][j]
        if took_rows[i][j]:
            pairs.append((i, keys[j - 1]))
            j -= 1
    pairs.reverse()
    return float(prev[m]), pairs


def extract_applications(views: Sequence[RowView], grid: bool, spans_lost: bool, out: Tables,
                         row_major: bool = True) -> None:
    rows, fragments = _value_rows(views, grid)
    if not rows:
        out.warnings.append("table 三: heading found but no rows with numbers")
        _fill_missing_applications(out, None)  # no labels read: either layout's rows are missing
        return
    best: tuple[float, list[tuple[int, str]], str] | None = None
    layouts = [("2021", v.APPLICATION_ROWS_2021), ("one_row_other", v.APPLICATION_ROWS_ONE_ROW_OTHER)]
    own_keys = {_key_for_label(r.label) for r in rows}
    if "other_handling" not in own_keys:
        layouts = layouts[:1]
    elif own_keys & set(v.OTHER_HANDLING_SUBROWS):
        pass  # both printed: let the alignment decide
    else:
        layouts = layouts[1:]
    for layout, keys in layouts:
        score, pairs = _align(rows, fragments, keys)
        if best is None or score > best[0]:
            best = (score, pairs, layout)
    assert best is not None
    _, pairs, layout = best
    out.applications_layout = layout
    out.found.add("applications")
    row_keys = v.APPLICATION_ROWS_2021 if layout == "2021" else v.APPLICATION_ROWS_ONE_ROW_OTHER
    pairs = _place_leftover_rows(rows, pairs, row_keys)
    subtotal_at = _subtotal_column(views, rows)
    columns, header_flag = applicant_columns(views, rows, row_major)
    every_column = not grid and header_shows_every_applicant(views, rows)
    runs: dict[str, RowView] = {}
    for i, key in pairs:
        view = rows[i]
        if view.joined:
            runs[key] = view
            continue
        values = view.values
        if subtotal_at is not None and len(_trim(values, len(v.APPLICANTS) + 1)) == len(v.APPLICANTS) + 1:
            # A 法人或其他组织小计 column is not in the template; its value is the sum of the
            # organisation columns and is left out.
            values = values[:subtotal_at] + values[subtotal_at + 1 :]
        if not grid and columns[-1] == "total" and every_column and _blank_total_by_identity(values, len(columns)):
            values = [*values, Cell("")]  # layout text prints no trace of the blank 总计 cell
            cells = spread_row(values, columns, view.line.where, spans_lost=spans_lost, table="applications")
            for c in cells.values():
                c.flags.append("blank_placed")
        else:
            cells = spread_row(values, columns, view.line.where, spans_lost=spans_lost, table="applications")
        if key in out.applications:
            _mark_conflicts(out.applications[key], cells)
            continue
        out.applications[key] = cells
    if runs:
        _solve_application_runs(runs, out, layout, columns)
    if header_flag == "header_mismatch":
        out.warnings.append("table 三: the applicant header does not fit the template; its cells are not read")
        for key in list(out.applications):
            out.applications[key] = {
                a: CellOut(None, c.raw, c.where, ["header_mismatch"]) for a, c in out.applications[key].items()
            }
    elif header_flag == "position_assumed":
        for cells in out.applications.values():
            for c in cells.values():
                c.flags.append("position_assumed")
    # The layout is the labels': without a printed 其他处理 row or sub-row, either may be the
    # report's, so the rows of both that were not read are flagged.
    layout_printed = bool(own_keys & _OTHER_HANDLING_ROWS)
    out.layout_decided = layout_printed
    _fill_missing_applications(out, layout if layout_printed else None)


_OTHER_HANDLING_ROWS = frozenset(("other_handling", *v.OTHER_HANDLING_SUBROWS))


def applicant_columns(
    views: Sequence[RowView], rows: Sequence[RowView], row_major: bool = True
) -> tuple[tuple[str, ...], str | None]:
    """Table 三's value columns in printed order, read from the header printed above the first
    value row (printed once, it holds for the whole table, over page breaks too).

    The template's header is two rows: 自然人 | 法人或其他组织 | 总计 over the five organisation
    columns, so in row-major text (grids, crawled HTML) the organisations come after the first
    row and stand in the group's place. Visual-line text (pdftotext -layout, PDF) prints a
    vertically centred cell on any line, so there the header may confirm the template's order
    but never reorder it. Returns (columns, flag): flag None when the header gives the order,
    `position_assumed` when it is missing or too garbled to agree with the template (the
    template's order is used and said), `header_mismatch` when it names a column twice.
    """
    if not rows:
        return v.APPLICANTS, None
    text = _applicant_header_text(views, rows)
    tokens = [(m.start(), _APPLICANT_OWNER[m.group(0)]) for m in _word_pattern(_APPLICANT_OWNER).finditer(text)]
    found = [k for _, k in tokens]
    if sorted(found) != sorted(v.APPLICANTS):
        if set(found) == set(v.APPLICANTS):
            return v.APPLICANTS, "header_mismatch"  # every word, some twice: not the template's columns
        if not found:  # nothing whole legible: the first halves of wrapped heads (自然 / 人)
            found = [v.APPLICANT_HEAD_FRAGMENTS[m.group(0)] for m in _word_pattern(v.APPLICANT_HEAD_FRAGMENTS).finditer(text)]
        # Words lost or wrapped over lines (layout text, PDF conversions): the template's order
        # stands when every legible word agrees with it, and is assumed (and said) when not.
        agrees = bool(found) and _agrees_with_template(found, _APPLICANT_PRINTED_ORDERS)
        return v.APPLICANTS, None if agrees else "position_assumed"
    order = tuple(found)
    if not row_major:
        return v.APPLICANTS, None if order in _APPLICANT_PRINTED_ORDERS else "position_assumed"
    first_org = next(p for p, k in tokens if k in v.ORG_APPLICANTS)
    group = text.find("§", 0, first_org)
    if group >= 0 and not _group_line_holds_the_other_heads(views, rows):
        # 自然人 / 总计 span both header rows and a text dump (w3m, lynx) prints them vertically
        # centred, on a line below 法人或其他组织: their offsets in the text say nothing of their
        # columns, so the template's order is assumed (and said), never inferred from them.
        return v.APPLICANTS, "position_assumed"
    if group >= 0:
        # Two header rows: the organisations stand where 法人或其他组织 was printed.
        row1 = [(p, k) for p, k in tokens if k not in v.ORG_APPLICANTS]
        orgs = [k for k in found if k in v.ORG_APPLICANTS]
        return (*[k for p, k in row1 if p < group], *orgs, *[k for p, k in row1 if p > group]), None
    if order == _APPLICANT_PRINTED_ORDERS[0]:
        # The template's two header rows with their 法人或其他组织 lost, or one header row with
        # 总计 second: the text cannot tell, the template can.
        return v.APPLICANTS, "position_assumed"
    return order, None


def _applicant_header_text(views: Sequence[RowView], rows: Sequence[RowView]) -> str:
    """Table 三's header as printed above its first value row, 法人或其他组织 marked '§'."""
    first = rows[0].index
    # Printed header cells only: a rowspan copy repeats a cell of the row above.
    text = "".join(
        normalise("".join(c.text for c in view.line.cells if not c.rowspan_copy)) for view in views if view.index < first
    ) + rows[0].label
    start = max(text.rfind(w) for w in v.APPLICANT_HEADER_STARTS)
    text = text[start:] if start >= 0 else text
    for w in v.APPLICANT_GROUP_WORDS:
        text = text.replace(w, "§")
    return text.replace(v.SUBTOTAL_WORD, "")  # a 小计 column is handled by _subtotal_column


def _group_line_holds_the_other_heads(views: Sequence[RowView], rows: Sequence[RowView]) -> bool:
    """True when the header line that prints 法人或其他组织 also prints every non-organisation
    head (自然人, 总计) found in the header: only then do their offsets order the columns."""
    first = rows[0].index
    lines = [normalise("".join(c.text for c in view.line.cells if not c.rowspan_copy))
             for view in views if view.index < first]
    pattern = _word_pattern(_APPLICANT_OWNER)
    others = {_APPLICANT_OWNER[m.group(0)] for t in lines for m in pattern.finditer(t)} - set(v.ORG_APPLICANTS)
    for t in lines:
        if any(w in t for w in v.APPLICANT_GROUP_WORDS):
            here = {_APPLICANT_OWNER[m.group(0)] for m in pattern.finditer(t)}
            return others <= here
    return True  # the group word is in the first value row's label: one line


def header_shows_every_applicant(views: Sequence[RowView], rows: Sequence[RowView]) -> bool:
    """Every column of table 三 is printed in the header, whole or as a wrapped first half:
    a row with a number fewer has a blank cell, not a missing column."""
    if not rows:
        return False
    text = _applicant_header_text(views, rows)
    shown = {_APPLICANT_OWNER[m.group(0)] for m in _word_pattern(_APPLICANT_OWNER).finditer(text)}
    shown |= {v.APPLICANT_HEAD_FRAGMENTS[m.group(0)] for m in _word_pattern(v.APPLICANT_HEAD_FRAGMENTS).finditer(text)}
    return shown == set(v.APPLICANTS)


_APPLICANT_PRINTED_ORDERS = (
    ("natural_person", "total", *v.ORG_APPLICANTS),  # two header rows
    v.APPLICANTS,  # one header row
)


def _agrees_with_template(found: Sequence[str], printed_orders: Sequence[Sequence[str]]) -> bool:
    """The legible header words, each once, stand in one of the template's printed orders."""
    if len(set(found)) != len(found):
        return False
    for printed in printed_orders:
        at = [printed.index(k) for k in found if k in printed]
        if len(at) == len(found) and at == sorted(at):
            return True
    return False


_APPLICANT_OWNER = {sig: key for key, sigs in v.APPLICANT_SIGNATURES.items() for sig in sigs}


def _blank_total_by_identity(values: Sequence[Cell], n: int) -> bool:
    """Six printed numbers for seven columns in text that shows no blank cell ('（一）予以公开
    71 0 0 0 0 0'): one cell is blank. Were it an applicant's, the sixth number would be the
    总计 of the five others, so when it is not, only 总计 can be the blank one."""
    if len(values) != n - 1:
        return False
    parsed = [parse_value(c.text) for c in values]
    if any(p is None or p.blank or not isinstance(p.value, int) or p.unparsed for p in parsed):
        return False
    nums = [p.value for p in parsed]  # type: ignore[union-attr]
    return sum(nums[:-1]) != nums[-1]


def _fill_missing_applications(out: Tables, layout: str | None) -> None:
    """Every row the template defines is in the output: a row of the layout (of either layout
    when the labels did not decide it, `layout` None) that was not read is null, `not_found`."""
    if layout is None:
        row_keys: Sequence[str] = v.ALL_APPLICATION_ROWS
    else:
        row_keys = v.APPLICATION_ROWS_2021 if layout == "2021" else v.APPLICATION_ROWS_ONE_ROW_OTHER
    for key in v.ALL_APPLICATION_ROWS:
        if key in out.applications:
            continue
        flags = [] if key not in row_keys else ["not_found"]
        out.applications[key] = {a: CellOut(None, None, "", list(flags)) for a in v.APPLICANTS}


def _place_leftover_rows(rows: list[RowView], pairs: list[tuple[int, str]], keys: Sequence[str]) -> list[tuple[int, str]]:
    """Rows the order-preserving alignment left out but whose own label names a key: a row
    printed out of template order, or a second printing of a row (checked for conflicts)."""
    placed = {i for i, _ in pairs}
    allowed = set(keys)
    extra = []
    for i, r in enumerate(rows):
        if i in placed:
            continue
        key = _key_for_label(r.label)
        if key in allowed:
            extra.append((i, key))
    # A key's first printing wins; later printings are compared with it.
    return sorted(pairs + extra)


def _mark_conflicts(first: dict[str, CellOut], again: dict[str, CellOut]) -> None:
    for a, cell in first.items():
        other = again.get(a)
        if other is not None and other.value != cell.value:
            cell.flags.append("conflicting_duplicate")
            cell.candidates = sorted({x for x in (cell.value, other.value) if x is not None})


_COMMERCIAL = v.APPLICANT_SIGNATURES["commercial_enterprise"][0]


def _subtotal_column(views: Sequence[RowView], rows: list[RowView]) -> int | None:
    """Index among the value cells of a 法人或其他组织小计 column, from the header rows."""
    first_value = rows[0].index if rows else None
    for view in views:
        if first_value is not None and view.index >= first_value:
            break
        label = view.label
        if v.SUBTOTAL_WORD not in label:
            continue
        sub = label.index(v.SUBTOTAL_WORD)
        if v.OTHER_WORD in label and label.rindex(v.OTHER_WORD) < sub:
            return 6  # natural_person, five organisations, 小计, total
        if _COMMERCIAL in label and label.index(_COMMERCIAL) > sub:
            return 1
    return None


@lru_cache(maxsize=8)
def _split_identities(layout: str | None) -> tuple:
    """The report's identities (`disclosure.identities`, the one definition of vocabulary.md's
    promises) as the splitter's equations: table 三's for a layout, or table 四's when layout is None.
    Built once per layout (a tuple of frozen identities: the same for every report)."""
    from disclosure.identities import LAYOUT_ROWS
    from disclosure.splitter import application_identities, review_litigation_identities

    if layout is not None:
        return tuple(application_identities(LAYOUT_ROWS[layout]))
    return tuple(review_litigation_identities("review_litigation"))


def _digits_around_blank_cells(view: RowView, n: int) -> list[int | None] | None:
    """'0 00000' for seven columns: six digits cannot fill seven cells, so a cell is blank, and
    the crawler printed a blank cell (&nbsp;) as the only space of the run. When the digits
    plus the spaces are exactly the columns, every digit is one cell and every space one
    blank cell; nothing else fits."""
    segments = [c.text for c in view.values if c.joined]
    if len(segments) < 2 or not all(s.isdigit() for s in segments):
        return None
    if sum(map(len, segments)) + len(segments) - 1 != n:
        return None
    cells: list[int | None] = []
    for i, seg in enumerate(segments):
        if i:
            cells.append(None)
        cells.extend(int(ch) for ch in seg)
    return cells


_ASCII_DIGITS = frozenset("0123456789")


def _solve_application_runs(runs: dict[str, RowView], out: Tables, layout: str,
                            columns: Sequence[str] = v.APPLICANTS) -> None:
    from disclosure.splitter import RunRow, solve

    known: dict[tuple[str, str], int | None] = {}
    for key, cells in out.applications.items():
        for a, c in cells.items():
            if c.value is not None or c.raw is not None:
                known[(key, a)] = c.value  # type: ignore[assignment]
    for key in list(runs):
        blanks = _digits_around_blank_cells(runs[key], len(columns))
        if blanks is not None:
            view = runs.pop(key)
            printed = " ".join(c.text for c in view.values if c.joined)
            out.applications[key] = {
                a: CellOut(x, printed, view.line.where, ["split_digits"]) for a, x in zip(columns, blanks, strict=True)
            }
            known.update({(key, a): x for a, x in zip(columns, blanks, strict=True)})
    for key in list(runs):
        printed_runs = [c.text for c in runs[key].values if c.joined]
        if not all(_ASCII_DIGITS.issuperset(t) for t in printed_runs):
            # Words or a unit ran into the digits ('…信息处理费100元' at the end of a one-line
            # body): no split of this text is a row of counts.
            view = runs.pop(key)
            out.applications[key] = {
                a: CellOut(None, " ".join(printed_runs), view.line.where, ["unparsed"]) for a in columns
            }
    run_rows = [RunRow(key, tuple(columns), tuple(c.text for c in view.values if c.joined)) for key, view in runs.items()]
    result = solve(run_rows, known, _split_identities(layout))
    ambiguous = result.ambiguous_vars()
    for key, view in runs.items():
        printed = " ".join(c.text for c in view.values if c.joined)
        row: dict[str, CellOut] = {}
        for a in v.APPLICANTS:
            var = (key, a)
            if _not_forced(result, var, ambiguous):
                cands = result.candidates(var)
                row[a] = CellOut(cands[0] if len(cands) == 1 else None, printed, view.line.where, ["ambiguous"], cands)
            else:
                row[a] = CellOut(result.value(var), printed, view.line.where, ["split_digits"])
        out.applications[key] = row
    unsatisfied = getattr(result, "unsatisfied", None)
    if unsatisfied:
        out.warnings.append("table 三: digit runs split without the identities the report breaks: " + ", ".join(unsatisfied))


def _not_forced(result, var, ambiguous: set) -> bool:
    """A cell of a split digit run is read only when every cut the identities allow gives it
    the same value: its row's cut may still be open elsewhere (pingtan-shs-2024 表四: no cut
    balances 复议后起诉, so that block stays open, while 行政复议 and 未经复议直接起诉 balance in
    one way only). A truncated search determines nothing (`value` is then None)."""
    return result.value(var) is None or (var in ambiguous and result.truncated)


# --------------------------------------------------------------------------- table 四


def extract_review(views: Sequence[RowView], spans_lost: bool, out: Tables, row_major: bool = True) -> None:
    cells: list[Cell] = []
    where: list[str] = []
    header: list[str] = []
    # Header words printed between value lines (one cell per line): their order is no evidence.
    words_after_values = interleaved = False
    for view in views:
        if view.n_numbers == 0 or view.label.startswith(v.NOTE_WORDS):
            is_note = view.label.startswith(v.NOTE_WORDS)
            words_after_values |= bool(cells) and bool(view.label) and not is_note
            if not cells and not is_note:
                header.append(normalise("".join(c.text for c in view.line.cells if not c.rowspan_copy)))
            continue
        interleaved |= words_after_values or (bool(cells) and bool(view.label))
        if not cells:
            header.append(view.label)
        cells.extend(view.values)
        where.extend([view.line.where] * len(view.values))
    if not cells:
        return
    out.found.add("review")
    keys, header_flag = review_columns("".join(header))
    if not row_major and header_flag is None and keys != v.REVIEW_LITIGATION_KEYS:
        keys, header_flag = v.REVIEW_LITIGATION_KEYS, "position_assumed"  # visual lines never reorder
    if header_flag == "header_mismatch":
        out.warnings.append("table 四: the header does not fit the template; its cells are not read")
        printed = " | ".join(c.text for c in cells)
        for k in v.REVIEW_LITIGATION_KEYS:
            out.review[k] = CellOut(None, printed, where[0], ["header_mismatch"])
        return
    if any(c.joined for c in cells):
        _solve_review_run(cells, where[0], out, keys)
    else:
        starts = _value_windows(cells, len(keys)) if spans_lost and len(cells) > len(keys) else []
        if len(starts) == 1:
            # Flattened text: empty slots before the numbers (a header row's padding, with the
            # value row run onto it) and after them; only one placement fits.
            cells = cells[starts[0] : starts[0] + len(keys)]
            where = where[starts[0] : starts[0] + len(keys)]
        trimmed = _trim(cells, len(keys))
        if len(starts) > 1:
            printed = " | ".join(c.text for c in cells)
            out.warnings.append(f"table 四: {len(starts)} placements of the printed cells fit its {len(keys)} columns")
            for k in keys:
                out.review[k] = CellOut(None, printed, where[0], ["ambiguous"])
        elif len(trimmed) == len(keys) and not interleaved:
            for k, c, w in zip(keys, trimmed, where, strict=False):
                out.review[k] = cell_out(c, w, table="review_litigation")
        else:
            printed = " | ".join(c.text for c in cells)
            out.warnings.append(f"table 四: expected {len(keys)} cells, found {len(trimmed)}")
            for k in keys:
                out.review[k] = CellOut(None, printed, where[0], ["ambiguous"])
    if header_flag == "position_assumed":
        for c in out.review.values():
            c.flags.append("position_assumed")


def review_columns(header: str) -> tuple[tuple[str, ...], str | None]:
    """Table 四's fifteen value columns in printed order, from its header.

    The template prints three header rows: 行政复议 | 行政诉讼; the review's five outcomes
    (spanning rows) | 未经复议直接起诉 | 复议后起诉; the two litigation blocks' outcomes. In
    text order the review's outcomes therefore come first, then each litigation block's in the
    order its head was printed. Returns (keys, flag) as applicant_columns does."""
    for w in v.REVIEW_HEADER_STARTS:
        at = header.rfind(w)
        if at >= 0:
            header = header[at + len(w) :]
            break
    procs = [(m.start(), v.REVIEW_PROCEEDING_WORDS[m.group(0)]) for m in _word_pattern(v.REVIEW_PROCEEDING_WORDS).finditer(header)]
    outcomes = [v.REVIEW_OUTCOME_WORDS[m.group(0)] for m in _word_pattern(v.REVIEW_OUTCOME_WORDS).finditer(header)]
    if not procs and not outcomes:
        return v.REVIEW_LITIGATION_KEYS, "position_assumed"
    names = [k for _, k in procs]
    litigation = [k for k in names if k.startswith("litigation_")]
    heads_ok = sorted(names) == sorted(("review", "litigation", "litigation_direct", "litigation_after_review"))
    if heads_ok and len(outcomes) == len(v.OUTCOMES):
        outcomes = outcomes * 3  # outcome heads printed once, for every block
    complete = heads_ok and len(outcomes) == 3 * len(v.OUTCOMES)
    if not complete:
        if len(set(names)) != len(names) or len(outcomes) > 3 * len(v.OUTCOMES):
            return v.REVIEW_LITIGATION_KEYS, "header_mismatch"
        agrees = bool(names) and _agrees_with_template(names, (_REVIEW_PRINTED_ORDER,))
        return v.REVIEW_LITIGATION_KEYS, None if agrees else "position_assumed"
    blocks = [outcomes[i : i + len(v.OUTCOMES)] for i in range(0, len(outcomes), len(v.OUTCOMES))]
    if any(sorted(b) != sorted(v.OUTCOMES) for b in blocks):
        return v.REVIEW_LITIGATION_KEYS, "header_mismatch"
    by_proc = {"review": blocks[0], litigation[0]: blocks[1], litigation[1]: blocks[2]}
    review_first = names.index("review") < names.index("litigation")
    order = ["review", *litigation] if review_first else [*litigation, "review"]
    return tuple(f"{p}.{o}" for p in order for o in by_proc[p]), None


_REVIEW_PRINTED_ORDER = ("review", "litigation", "litigation_direct", "litigation_after_review")


@lru_cache(maxsize=8)
def _word_pattern_cached(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def _word_pattern(words: dict[str, str]) -> re.Pattern[str]:
    return _word_pattern_cached(tuple(words))


def _solve_review_run(cells: list[Cell], where: str, out: Tables,
                      keys: Sequence[str] = v.REVIEW_LITIGATION_KEYS) -> None:
    from disclosure.splitter import RunRow, solve

    segments = tuple(c.text for c in cells if c.joined or not is_blank_text(c.text))
    printed = " ".join(segments)
    if not all(_ASCII_DIGITS.issuperset(t) for t in segments):
        # Words or a unit ran into the digits (the body after 表四 on one line: '…处理费3940元').
        for k in v.REVIEW_LITIGATION_KEYS:
            out.review[k] = CellOut(None, printed, where, ["unparsed"])
        return
    run = RunRow("review_litigation", tuple(keys), segments)
    ids = _split_identities(None)
    result = solve([run], {}, ids)
    ambiguous = result.ambiguous_vars()
    for k in v.REVIEW_LITIGATION_KEYS:
        var = ("review_litigation", k)
        if _not_forced(result, var, ambiguous):
            cands = result.candidates(var)
            out.review[k] = CellOut(cands[0] if len(cands) == 1 else None, printed, where, ["ambiguous"], cands)
        else:
            out.review[k] = CellOut(result.value(var), printed, where, ["split_digits"])


# --------------------------------------------------------------------------- crawler text

def join_thousands_groups(lines: Sequence[Line]) -> list[Line]:
    """'行政许可3,517 行政处罚1,208': the crawler reader ends a run at the comma, so ',517' comes
    back as the next line (label ',', run '517'). The comma is part of the printed number: put
    it back, and let the cell grammar (numbers.py) or the splitter judge the grouping."""
    out: list[Line] = []
    for line in lines:
        cells = line.cells
        prev = out[-1].cells if out else None
        if (
            prev and prev[-1].joined and prev[-1].text.isdigit() and len(cells) >= 2
            and cells[0].text.strip() in v.THOUSANDS_SEPARATORS and cells[1].joined
        ):
            merged = Cell(prev[-1].text + "," + cells[1].text, prev[-1].col, joined=True)
            out[-1] = Line([*prev[:-1], merged, *cells[2:]], out[-1].where, out[-1].table)
            continue
        out.append(line)
    return out


_GLUED_YEAR = re.compile(r"(\d+)(?=年)")


def split_glued_years(lines: Sequence[Line]) -> list[Line]:
    """Crawler text glues a row's last digits to the prose after the table
    ('四、结转下年度继续办理2000002' + '2025年，我局…' printed as '…办理20000022025年，我局…').

    The printed 年 makes the last four digits a year (no cell of the tables is a number of
    years); the digits before it are the row's cells. Split only where a row label of the
    template ends just before the digits, so that prose such as '共办理12020年' is left alone.
    """
    out: list[Line] = []
    for line in lines:
        first = line.cells[0] if line.cells else None
        split = None
        if first is not None and not first.joined and "年" in first.text:
            for m in _GLUED_YEAR.finditer(first.text):
                digits = m.group(1)
                year = int(digits[-4:]) if len(digits) > 4 else 0
                if not v.YEAR_RANGE[0] <= year <= v.YEAR_RANGE[1]:
                    continue
                if _ends_with_row_label(normalise(first.text[: m.start()])):
                    split = (m.start(), m.end() - 4)
                    break
        if split is None:
            out.append(line)
            continue
        a, b = split
        out.append(Line([Cell(first.text[:a]), Cell(first.text[a:b], joined=True)], line.where, line.table))
        out.append(Line([Cell(first.text[b:]), *line.cells[1:]], line.where, line.table))
    return out


def _ends_with_row_label(prefix: str) -> bool:
    for sigs in (v.APPLICATION_ROW_SIGNATURES, v.ACTIVE_CATEGORY_SIGNATURES):
        key, end = last_signature(prefix, sigs)
        if key is not None and len(prefix) - end <= v.MAX_LABEL_TAIL and not any(ch.isdigit() for ch in prefix[end:]):
            return True
    return False


# --------------------------------------------------------------------------- entry point


def extract(doc: Document, body: str = "", texts: Sequence[str] | None = None) -> Tables:
    # Region detection only needs a few CJK words, so a cheap whitespace strip will do; full
    # normalisation and row anatomy are computed for the lines inside the tables only.
    if texts is None:
        texts = [line.text for line in doc.lines]
    if doc.format == "text-crawler":
        lines = split_glued_years(join_thousands_groups(doc.lines))
        if len(lines) != len(doc.lines):
            doc = replace(doc, lines=lines)
            texts = [line.text for line in lines]
    squeezed = ["".join(t.split()) for t in texts]
    out = Tables()
    out.regions = find_regions(squeezed)
    views: list[RowView] = [None] * len(doc.lines)  # type: ignore[list-item]
    norms: list[str] = [""] * len(doc.lines)
    for a, b in out.regions.values():
        for i in range(a, b):
            if views[i] is None:
                views[i] = row_view(i, doc.lines[i])
                norms[i] = normalise(texts[i])
    grid, spans_lost = doc.grid, doc.spans_lost  # declared by the reader
    # Text in the order of the table's cells, row by row (grids, crawled HTML), as opposed to
    # visual lines (pdftotext -layout, PDF) where a vertically centred cell sits on any line.
    row_major = grid or doc.format in v.ROW_MAJOR_TEXT_FORMATS
    if "active" in out.regions:
        a, b = out.regions["active"]
        extract_active(views[a:b], norms[a:b], spans_lost, out, body)
    if "applications" in out.regions:
        a, b = out.regions["applications"]
        extract_applications(views[a:b], grid, spans_lost, out, row_major)
    if "review" in out.regions:
        a, b = out.regions["review"]
        extract_review(views[a:b], spans_lost, out, row_major)
    for k in v.REVIEW_LITIGATION_KEYS:
        out.review.setdefault(k, CellOut(None, None, "", ["not_found"]))
    return out
