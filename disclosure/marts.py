"""Marts over the lake's long tables: KPIs per report and soft cross-year checks per agency.

Dagster-free and pure: every function takes the long frames of `schema.TABLES` (as read
from the lake or returned by `batch.parse_batch`) and returns a new DataFrame.

    from disclosure.marts import agency_year_kpis, cross_year_checks
    kpis = agency_year_kpis(frames)      # one row per (agency, year, report_id)
    notes = cross_year_checks(frames)    # one row per (agency, year, check)

Null rule (docs/vocabulary.md: "Downstream marts may read null as 0 only where the
report's own totals show that this is what it meant"). A blank cell is read as 0 only
when one of the report's own identities, evaluated on its *printed* numbers, shows it:
all blank operands of the identity stand on the same side, and the printed operands
already balance (so the blanks, being counts ≥ 0, must all be 0). The identities used are
those of vocabulary.md, declared once in `disclosure.identities` (per applicant column
`results_total = Σ outcome rows` and `new_received + carried_over = results_total +
carried_forward`; per row `total = Σ applicant columns`; per proceeding `total = upheld +
corrected + other + pending`).
The rule is applied once, on printed values only (no chaining of inferred zeros), so the
result does not depend on evaluation order. Every other blank stays null, and every KPI
that needs it is null. A rate whose denominator is 0 is null. A cell flagged `ambiguous`
(its value is one candidate split, not what the report says) counts as unknown (null).
See docs/marts.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from disclosure import identities as ids
from disclosure import vocabulary as v

# A statistical cell of one report: ("applications", row, applicant) or
# ("review_litigation", proceeding, outcome).
CellKey = tuple[str, str, str]
Cells = dict[CellKey, float | None]

APP = "applications"
RL = "review_litigation"


@dataclass(frozen=True)
class Ambiguous:
    """A cell flagged `ambiguous` (a digit split the identities did not pin).

    Its `value` is only a candidate, so the marts treat the cell as unknown (null) and say so
    in the cross-year details.
    """

    value: float | None


# Stands for 三(六) 其他处理 in whichever layout the report printed (see `_resolve`).
OTHER_HANDLING = (APP, "other_handling*", "total")


def _app(row: str, applicant: str = "total") -> CellKey:
    return (APP, row, applicant)


def _rl(proceeding: str, outcome: str) -> CellKey:
    return (RL, proceeding, outcome)


def _rows_with_prefix(prefix: str) -> tuple[str, ...]:
    return tuple(r for r in v.APPLICATION_ROWS_2021 if r.startswith(prefix))


WITHHELD_ROWS = _rows_with_prefix("withheld.")
UNABLE_ROWS = _rows_with_prefix("unable.")
NOT_PROCESSED_ROWS = _rows_with_prefix("not_processed.")
LITIGATION = ("litigation_direct", "litigation_after_review")


# --------------------------------------------------------------------------- KPIs as data


@dataclass(frozen=True)
class Kpi:
    name: str
    numerator: tuple[CellKey, ...]
    denominator: tuple[CellKey, ...] = ()  # empty: a count (the numerator's sum), not a rate
    description: str = ""

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)


_RESULTS = (_app("results_total"),)

KPIS: tuple[Kpi, ...] = (
    Kpi(
        "new_received_natural_person",
        (_app("new_received", "natural_person"),),
        description="new requests from natural persons",
    ),
    Kpi(
        "new_received_organisations",
        tuple(_app("new_received", a) for a in v.ORG_APPLICANTS),
        description="new requests from legal persons / other organisations (5 columns)",
    ),
    Kpi("new_received_total", (_app("new_received"),), description="new requests, total column"),
    Kpi(
        "total_handled",
        (_app("new_received"), _app("carried_over")),
        description="requests to handle this year: new + carried over",
    ),
    Kpi("results_total", _RESULTS, description="requests answered this year (三(七) 总计)"),
    Kpi(
        "disclosure_rate",
        (_app("granted"), _app("partially_granted")),
        _RESULTS,
        description="share answered with full or partial disclosure",
    ),
    Kpi(
        "withheld_rate",
        tuple(_app(r) for r in WITHHELD_ROWS),
        _RESULTS,
        description="share refused: 不予公开 (8 reasons)",
    ),
    Kpi(
        "unable_rate",
        tuple(_app(r) for r in UNABLE_ROWS),
        _RESULTS,
        description="share not providable: 无法提供 (3 reasons)",
    ),
    Kpi(
        "not_processed_rate",
        tuple(_app(r) for r in NOT_PROCESSED_ROWS),
        _RESULTS,
        description="share not processed: 不予处理 (5 reasons)",
    ),
    Kpi(
        "other_handling_rate",
        (OTHER_HANDLING,),
        _RESULTS,
        description="share closed otherwise: 其他处理 (one row or its 3 sub-rows)",
    ),
    Kpi(
        "carry_forward_rate",
        (_app("carried_forward"),),
        (_app("new_received"), _app("carried_over")),
        description="share of requests to handle that is carried into next year",
    ),
    Kpi("review_total", (_rl("review", "total"),), description="administrative reviews (行政复议)"),
    Kpi(
        "litigation_total",
        tuple(_rl(p, "total") for p in LITIGATION),
        description="lawsuits, direct + after review (行政诉讼)",
    ),
    Kpi(
        "review_correction_rate",
        (_rl("review", "corrected"),),
        (_rl("review", "total"),),
        description="share of reviews whose result was corrected",
    ),
    Kpi(
        "litigation_correction_rate",
        tuple(_rl(p, "corrected") for p in LITIGATION),
        tuple(_rl(p, "total") for p in LITIGATION),
        description="share of lawsuits (both kinds) whose result was corrected",
    ),
)

ID_COLUMNS = ("agency", "year", "report_id")


# --------------------------------------------------------------------------- identities


@dataclass(frozen=True)
class Identity:
    """An identity of `disclosure.identities` with its operands as the marts' cell keys."""

    lhs: tuple[CellKey, ...]
    rhs: tuple[CellKey, ...]


_SUB_ROWS = frozenset(v.OTHER_HANDLING_SUBROWS)


def other_handling_layout(cells: Mapping[CellKey, float | None]) -> Literal["one_row", "sub_rows"]:
    """`one_row` when the report printed 三(六) as one row (2019 layout), else `sub_rows`: a
    printed one-row cell, or one-row cells and no printed sub-row cell.

    One pass over the cells (it runs once or twice per report of a national year)."""
    one_row = sub_rows_printed = False
    for (table, row, _), x in cells.items():
        if table != APP:
            continue
        if row == "other_handling":
            if x is not None:
                return "one_row"
            one_row = True
        elif x is not None and row in _SUB_ROWS:
            sub_rows_printed = True
    return "one_row" if one_row and not sub_rows_printed else "sub_rows"


_LAYOUT_OF = {"one_row": "one_row_other", "sub_rows": "2021"}


@cache
def report_identities(layout: str) -> tuple[Identity, ...]:
    """The report's identities (`disclosure.identities`) over the marts' cell keys, in the given
    其他处理 layout (`one_row` / `sub_rows`)."""
    return tuple(
        Identity(tuple((i.table, *o) for o in i.lhs), tuple((i.table, *o) for o in i.rhs))  # type: ignore[misc]
        for i in ids.report_identities(_LAYOUT_OF[layout])
    )


def _blanks_and_sum(keys: tuple[CellKey, ...], cells: Mapping[CellKey, float | None]) -> tuple[list[CellKey], float]:
    """(the blank operands, Σ of the printed ones), in one pass."""
    blanks: list[CellKey] = []
    total = 0
    for k in keys:
        x = cells.get(k)
        if x is None:
            blanks.append(k)
        else:
            total += x
    return blanks, total


def zeros_shown(identity: Identity, cells: Mapping[CellKey, float | None]) -> frozenset[CellKey]:
    """Blank operands that the identity's printed operands show to be 0.

    All blanks must stand on one side (blanks on both sides could cancel out) and the
    printed operands must balance on their own; since counts are ≥ 0, the blanks are 0.
    """
    lhs_blank, lhs_sum = _blanks_and_sum(identity.lhs, cells)
    rhs_blank, rhs_sum = _blanks_and_sum(identity.rhs, cells)
    if bool(lhs_blank) == bool(rhs_blank):  # nothing to infer, or blanks on both sides
        return frozenset()
    if lhs_sum != rhs_sum:
        return frozenset()
    return frozenset(lhs_blank + rhs_blank)


def effective_cells(cells: Mapping[CellKey, float | None]) -> Cells:
    """Printed cells with the blanks that the report's own totals show to be 0 set to 0.

    Cells the frame does not hold at all (e.g. a row the layout lacks) are added as 0 only
    when an identity shows them to be 0; otherwise they stay absent (= null).
    """
    out = dict(cells)
    for identity in report_identities(other_handling_layout(cells)):
        out.update(dict.fromkeys(zeros_shown(identity, cells), 0))
    return out


# --------------------------------------------------------------------------- KPI evaluation


def _resolve(key: CellKey, layout: str) -> tuple[CellKey, ...]:
    if key != OTHER_HANDLING:
        return (key,)
    if layout == "one_row":
        return (_app("other_handling"),)
    return tuple(_app(r) for r in v.OTHER_HANDLING_SUBROWS)


@cache
def _resolved(keys: tuple[CellKey, ...], layout: str) -> tuple[CellKey, ...]:
    return tuple(k for key in keys for k in _resolve(key, layout))


def _sum_of(keys: tuple[CellKey, ...], cells: Mapping[CellKey, float | None]) -> float | None:
    total = 0
    for k in keys:
        x = cells.get(k)
        if x is None:
            return None
        total += x
    return total


def sum_or_null(keys: Iterable[CellKey], cells: Mapping[CellKey, float | None], layout: str) -> float | None:
    """Σ of the cells, or None when any of them is blank (after the null rule) or missing."""
    return _sum_of(_resolved(tuple(keys), layout), cells)


def kpi_value(kpi: Kpi, cells: Mapping[CellKey, float | None], layout: str) -> float | None:
    numerator = _sum_of(_resolved(kpi.numerator, layout), cells)
    if not kpi.is_rate:
        return numerator
    denominator = _sum_of(_resolved(kpi.denominator, layout), cells)
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _value_or_none(x: object) -> float | None:
    return None if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)) else x  # type: ignore[return-value]


def _cell_value(value: object, flags: object) -> float | Ambiguous | None:
    printed = _value_or_none(value)
    if isinstance(flags, list | tuple) and "ambiguous" in flags:  # flags: a list column
        return Ambiguous(printed)
    return printed


def _values(column: pd.Series) -> list[float | None]:
    """A `value` column as Python numbers, every blank (None, NA, NaN) as None: `_value_or_none`
    of each cell, worked out by pyarrow in C++ (pandas' null semantics) where it can."""
    try:
        values = pa.array(column, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return [_value_or_none(x) for x in column.tolist()]
    if pa.types.is_floating(values.type):  # an Arrow-backed float column keeps NaN as a value
        values = pc.if_else(pc.is_nan(values), pa.scalar(None, values.type), values)
    return values.to_pylist()


def known(cells: Mapping[CellKey, object]) -> Cells:
    """Cells with the ambiguous ones as unknown (None)."""
    return {k: (None if isinstance(x, Ambiguous) else x) for k, x in cells.items()}  # type: ignore[misc]


def _pylist(column: pd.Series) -> list:
    """A column's values as Python objects. An Arrow-backed column goes through pyarrow's
    `to_pylist`, in C++: pandas' `tolist` on it iterates value by value. Nulls come out as None
    there and as pd.NA elsewhere; every reader here takes both as blank."""
    if isinstance(column.dtype, pd.ArrowDtype):
        return pa.array(column).to_pylist()
    return column.tolist()


_NO_FLAGS: tuple[str, ...] = ()


def _flag_hits(column: pd.Series, wanted: frozenset[str]) -> dict[int, tuple[str, ...]]:
    """Position → the flags out of `wanted` that the cell carries, for the cells carrying any.

    Worked out on the Arrow list in C++ (flatten, match, parent index): a fifth of a national
    year's cells carry some flag, and turning every list into Python objects was half the KPI
    and cross-year time. Only the cells with a wanted flag are touched in Python.
    """
    out: dict[int, tuple[str, ...]] = {}
    if not (isinstance(column.dtype, pd.ArrowDtype) and pa.types.is_list(column.dtype.pyarrow_dtype)):
        for i, x in enumerate(column.tolist()):
            if isinstance(x, list | tuple) and (hit := tuple(f for f in x if f in wanted)):
                out[i] = hit
        return out
    flags = pa.array(column)
    if isinstance(flags, pa.ChunkedArray):
        flags = flags.combine_chunks()
    flat = pc.list_flatten(flags)
    hit = pc.is_in(flat, value_set=pa.array(sorted(wanted), flat.type))
    rows = pc.list_parent_indices(flags).filter(hit).to_pylist()
    for i, flag in zip(rows, flat.filter(hit).to_pylist(), strict=True):
        out[i] = (*out.get(i, _NO_FLAGS), flag)
    return out


def _flags_among(column: pd.Series, wanted: frozenset[str]) -> list[tuple[str, ...]]:
    """Per cell of a `flags` column, the flags it carries out of `wanted` (a tuple, `()` for none)."""
    out: list[tuple[str, ...]] = [_NO_FLAGS] * len(column)
    for i, hit in _flag_hits(column, wanted).items():
        out[i] = hit
    return out


def _columns(frame: pd.DataFrame, names: tuple[str, ...], *, flags: frozenset[str] = frozenset()
             ) -> Iterator[tuple]:
    """Rows of some columns as plain Python tuples (much faster than itertuples on Arrow strings);
    a `flags` column gives each cell's flags out of `flags` (see `_flags_among`)."""
    return zip(*(_flags_among(frame[n], flags) if n == "flags" else _pylist(frame[n]) for n in names),
               strict=True)


_AMBIGUOUS = frozenset({"ambiguous"})


def cells_by_report(frames: Mapping[str, pd.DataFrame]) -> dict[str, Cells]:
    """Printed cells of tables 三 and 四, per report_id."""
    out: dict[str, Cells] = {}
    for table, a, b in ((APP, "row", "applicant"), (RL, "proceeding", "outcome")):
        frame = frames[table]
        values: list[object] = _values(frame["value"])  # type: ignore[assignment]
        for i in _flag_hits(frame["flags"], _AMBIGUOUS):  # a cell flagged ambiguous: `_cell_value`
            values[i] = Ambiguous(values[i])  # type: ignore[arg-type]
        last, cells = None, {}
        for rid, x, y, value in zip(_pylist(frame["report_id"]), _pylist(frame[a]), _pylist(frame[b]), values,
                                    strict=True):
            if rid != last:  # a report's cells stand together: one dict lookup per report, not per cell
                last, cells = rid, out.setdefault(rid, {})
            cells[(table, x, y)] = value  # type: ignore[assignment]
    return out


def report_cells(frames: Mapping[str, pd.DataFrame]) -> Iterator[tuple[tuple[str, int, str], Cells]]:
    """((agency, year, report_id), printed cells of tables 三 and 四) per report in `reports`."""
    cells = cells_by_report(frames)
    for agency, year, report_id in _columns(frames["reports"], ID_COLUMNS):
        yield (agency, int(year), report_id), cells.get(report_id, {})


KPI_EXCLUDING_FLAGS: frozenset[str] = v.WARNING_FLAGS
"""Cell flags that keep a cell out of every KPI. A KPI with such an input cell is null, and the
report's `flagged_kpis` says `<kpi>:<flag>` (null + a flag column, never a silent number). The
cell is also unknown to the null rule (like `ambiguous`): its printed value shows no blank to be 0.
Info flags (split_digits, unit_converted, …) say how a value was read and do not exclude it."""

CellFlags = dict[CellKey, frozenset[str]]


def flags_by_report(frames: Mapping[str, pd.DataFrame]) -> dict[str, CellFlags]:
    """Warning flags (`KPI_EXCLUDING_FLAGS`) of the cells of tables 三 and 四 that carry any, per report_id."""
    out: dict[str, CellFlags] = {}
    for table, a, b in ((APP, "row", "applicant"), (RL, "proceeding", "outcome")):
        frame = frames[table]
        hits = _flag_hits(frame["flags"], KPI_EXCLUDING_FLAGS)
        if not hits:
            continue
        rows = frame.iloc[list(hits)]  # only the flagged cells reach Python
        for rid, x, y, warn in zip(_pylist(rows["report_id"]), _pylist(rows[a]), _pylist(rows[b]), hits.values(),
                                   strict=True):
            out.setdefault(rid, {})[(table, x, y)] = frozenset(warn)
    return out


@cache
def kpi_inputs(kpi: Kpi, layout: str) -> tuple[CellKey, ...]:
    """The cells a KPI reads, in the report's 其他处理 layout."""
    return tuple(k for key in (*kpi.numerator, *kpi.denominator) for k in _resolve(key, layout))


def kpi_row(printed: Mapping[CellKey, object], flags: Mapping[CellKey, frozenset[str]] | None = None
            ) -> dict[str, object]:
    """The KPIs of one report; with `flags`, a KPI reading a warning-flagged cell is null and named
    in `flagged_kpis` (see `KPI_EXCLUDING_FLAGS`)."""
    if flags:
        cells = known({k: (None if k in flags else x) for k, x in printed.items()})
        layout = other_handling_layout(known(printed))
    else:
        cells = known(printed)
        layout = other_handling_layout(cells)
    effective = effective_cells(cells)
    row: dict[str, object] = {}
    flagged: list[str] = []
    for k in KPIS:
        hits = sorted({f for c in kpi_inputs(k, layout) for f in flags.get(c, ())}) if flags else ()
        row[k.name] = None if hits else kpi_value(k, effective, layout)
        flagged += [f"{k.name}:{f}" for f in hits]
    row["flagged_kpis"] = flagged
    return row


def kpi_columns() -> list[str]:
    return [*ID_COLUMNS, *(k.name for k in KPIS)]


KPI_TABLES: tuple[str, ...] = ("reports", APP, RL)
"""The tables `agency_year_kpis` reads (the asset reads only these, and table 二 for the checks)."""


def agency_year_kpis_per_report(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """`agency_year_kpis` one report at a time through `kpi_row`: the definition, in the words
    of the module doc, which the matrix version must match (tests/test_marts_kpi_matrix.py)."""
    from disclosure.schema import MART_TABLES

    flags = flags_by_report(frames)
    rows = [
        {"agency": agency, "year": year, "report_id": rid, **kpi_row(cells, flags.get(rid))}
        for (agency, year, rid), cells in report_cells(frames)
    ]
    return typed_mart("agency_year_kpis", rows, MART_TABLES).sort_values(list(ID_COLUMNS), ignore_index=True)


_LAYOUTS: tuple[str, ...] = ("one_row", "sub_rows")
_KEY_SEP = "\x1f"  # between row and column label in a matrix key (no label holds a control character)


@cache
def _matrix_keys() -> tuple[CellKey, ...]:
    """The matrix's columns: every cell that an identity or a KPI reads, in either layout."""
    keys: dict[CellKey, None] = {}
    for layout in _LAYOUTS:
        for identity in report_identities(layout):
            keys.update(dict.fromkeys((*identity.lhs, *identity.rhs)))
        for kpi in KPIS:
            keys.update(dict.fromkeys(kpi_inputs(kpi, layout)))
    return tuple(keys)


@cache
def _matrix_columns() -> dict[CellKey, int]:
    """Cell key → its column in the matrix."""
    return {k: j for j, k in enumerate(_matrix_keys())}


@cache
def _matrix_plan(layout: str) -> tuple[tuple[tuple[np.ndarray, np.ndarray], ...], tuple[tuple[np.ndarray, np.ndarray], ...]]:
    """A layout's identities as (lhs, rhs) and its KPIs as (numerator, denominator) column indices."""
    col = _matrix_columns()

    def idx(keys: Iterable[CellKey]) -> np.ndarray:
        return np.array([col[k] for k in keys], dtype=np.intp)

    identities = tuple((idx(i.lhs), idx(i.rhs)) for i in report_identities(layout))
    kpis = tuple((idx(_resolved(k.numerator, layout)), idx(_resolved(k.denominator, layout))) for k in KPIS)
    return identities, kpis


def _key_codes(table: str, labels: pa.Array) -> np.ndarray:
    """Per cell (`labels`: row and column label joined by `_KEY_SEP`), its column in the matrix
    (`_matrix_keys`), -1 for a cell no KPI or identity reads."""
    at = [j for j, k in enumerate(_matrix_keys()) if k[0] == table]
    wanted = pa.array([f"{a}{_KEY_SEP}{b}" for _, a, b in (_matrix_keys()[j] for j in at)], pa.string())
    codes = pc.index_in(labels, value_set=wanted)
    found = pc.fill_null(codes, -1).to_numpy(zero_copy_only=False).astype(np.intp)
    return np.where(found >= 0, np.array([*at, -1], dtype=np.intp)[found], -1)


def _arrow(column: pd.Series) -> pa.Array:
    out = pa.array(column, from_pandas=True)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _cell_matrix(frames: Mapping[str, pd.DataFrame], rids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """(printed values: reports × `_matrix_keys`, NaN where blank, missing or ambiguous;
    per report, whether it printed 其他处理 as one row: `other_handling_layout` of its cells).

    The cells are those `cells_by_report` gives (a key printed twice: its last row)."""
    values = np.full((len(rids), len(_matrix_keys())), np.nan)
    one_row_printed = np.zeros(len(rids), bool)
    one_row_present = np.zeros(len(rids), bool)
    sub_rows_printed = np.zeros(len(rids), bool)
    for table, a, b in ((APP, "row", "applicant"), (RL, "proceeding", "outcome")):
        frame = frames[table]
        if not len(frame):
            continue
        report = rids.get_indexer(frame["report_id"])
        rows, columns = _arrow(frame[a]).cast(pa.string()), _arrow(frame[b]).cast(pa.string())
        labels = pc.binary_join_element_wise(rows, columns, _KEY_SEP)
        code = _key_codes(table, labels)
        value = _arrow(frame["value"]).cast(pa.float64()).to_numpy(zero_copy_only=False)  # nulls: NaN
        ambiguous = np.zeros(len(frame), bool)
        ambiguous[list(_flag_hits(frame["flags"], _AMBIGUOUS))] = True
        one_row = sub_row = np.zeros(len(frame), bool)
        if table == APP:
            one_row = pc.fill_null(pc.equal(rows, "other_handling"), False).to_numpy(zero_copy_only=False)
            sub_row = pc.is_in(rows, value_set=pa.array(sorted(_SUB_ROWS))).to_numpy(zero_copy_only=False)
        # Only cells a KPI, an identity or the layout reads; a key printed twice keeps its last row.
        at = np.flatnonzero((report >= 0) & ((code >= 0) | one_row | sub_row))
        label = pc.dictionary_encode(labels.take(pa.array(at)))
        cell = report[at].astype(np.int64) * (len(label.dictionary) + 1) + label.indices.to_numpy(zero_copy_only=False)
        at = at[~pd.Series(cell).duplicated(keep="last").to_numpy()]
        known = ~np.isnan(value[at]) & ~ambiguous[at]
        np.logical_or.at(one_row_printed, report[at], one_row[at] & known)
        np.logical_or.at(one_row_present, report[at], one_row[at])
        np.logical_or.at(sub_rows_printed, report[at], sub_row[at] & known)
        matrix = at[code[at] >= 0]
        values[report[matrix], code[matrix]] = np.where(ambiguous[matrix], np.nan, value[matrix])
    return values, one_row_printed | (one_row_present & ~sub_rows_printed)


def _effective(cells: np.ndarray, one_row: np.ndarray) -> np.ndarray:
    """`effective_cells` of every report at once: a blank operand is 0 where an identity of the
    report's layout, on its printed numbers, has all blanks on one side and balances without them."""
    blank = np.isnan(cells)
    printed = np.where(blank, 0.0, cells)
    shown = np.zeros_like(blank)
    for layout, rows in (("one_row", one_row), ("sub_rows", ~one_row)):
        for lhs, rhs in _matrix_plan(layout)[0]:
            lhs_blank, rhs_blank = blank[:, lhs].any(axis=1), blank[:, rhs].any(axis=1)
            # Counts are whole numbers far below 2**53: float sums are exact, as Python's int sums.
            balances = printed[:, lhs].sum(axis=1) == printed[:, rhs].sum(axis=1)
            holds = rows & (lhs_blank != rhs_blank) & balances
            operands = np.concatenate([lhs, rhs])
            shown[:, operands] |= holds[:, None] & blank[:, operands]
    return np.where(shown, 0.0, cells)


def agency_year_kpis(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (agency, year, report_id) with the KPIs of `KPIS` (docs/marts.md) and
    `flagged_kpis` (schema: `schema.MART_TABLES["agency_year_kpis"]`).

    The same as `agency_year_kpis_per_report`, on a reports × cells matrix: a national year is
    some 30,000 reports, and the per-report Python dicts were most of the KPI asset's time."""
    from disclosure.schema import MART_TABLES

    reports = frames["reports"]
    ids_ = {c: _pylist(reports[c]) for c in ID_COLUMNS}
    position = {rid: i for i, rid in enumerate(dict.fromkeys(ids_["report_id"]))}
    rids = pd.Index(list(position), dtype=object)
    cells, one_row = _cell_matrix(frames, rids)
    flags = {position[rid]: f for rid, f in flags_by_report(frames).items() if rid in position}
    column = _matrix_columns()
    for r, cell_flags in flags.items():  # a warning-flagged cell is unknown (`kpi_row`)
        cells[r, [j for k in cell_flags if (j := column.get(k)) is not None]] = np.nan
    effective = _effective(cells, one_row)
    out: dict[str, object] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for k, plans in zip(KPIS, zip(*(_matrix_plan(layout)[1] for layout in _LAYOUTS), strict=True), strict=True):
            by_layout = []
            for numerator, denominator in plans:
                num = effective[:, numerator].sum(axis=1)  # NaN when any input is
                if k.is_rate:
                    den = effective[:, denominator].sum(axis=1)
                    num = np.where(np.isnan(den) | (den == 0), np.nan, num / den)
                by_layout.append(num)
            out[k.name] = np.where(one_row, *by_layout)
    flagged: list[list[str]] = [[] for _ in range(len(rids))]
    for r, cell_flags in flags.items():  # as `kpi_row`: a KPI reading a flagged cell is null and named
        layout = "one_row" if one_row[r] else "sub_rows"
        for k in KPIS:
            hits = sorted({f for c in kpi_inputs(k, layout) for f in cell_flags.get(c, ())})
            if hits:
                out[k.name][r] = np.nan  # type: ignore[index]
                flagged[r] += [f"{k.name}:{f}" for f in hits]
    at = np.array([position[rid] for rid in ids_["report_id"]], dtype=np.intp)
    frame = pd.DataFrame({
        **ids_,
        **{k.name: _nullable(out[k.name][at], rate=k.is_rate) for k in KPIS},  # type: ignore[index]
        "flagged_kpis": [flagged[r] for r in at],
    })
    return typed_mart("agency_year_kpis", frame, MART_TABLES).sort_values(list(ID_COLUMNS), ignore_index=True)


def _nullable(values: np.ndarray, *, rate: bool) -> pd.api.extensions.ExtensionArray:
    """NaN as NA: Float64 for a rate, Int64 for a count (whole numbers)."""
    mask = np.isnan(values)
    if rate:
        return pd.arrays.FloatingArray(np.where(mask, 0.0, values), mask)
    filled = np.where(mask, 0.0, values)
    if (filled % 1).any():  # a count from cells that are not whole numbers: never truncate one
        raise ValueError(f"a count KPI is not a whole number: {filled[(filled % 1) != 0][:3].tolist()}")
    return pd.arrays.IntegerArray(filled.astype(np.int64), mask)


def typed_mart(name: str, rows: list[dict] | pd.DataFrame, tables: Mapping | None = None) -> pd.DataFrame:
    """Rows as a frame with exactly the mart's columns and dtypes (`schema.MART_TABLES`)."""
    if tables is None:
        from disclosure.schema import MART_TABLES as tables
    columns = tables[name].columns
    frame = pd.DataFrame.from_records(rows, columns=[c.name for c in columns]) if isinstance(rows, list) \
        else rows.reindex(columns=[c.name for c in columns])
    out = {}
    for c in columns:
        s = frame[c.name]
        if c.dtype.startswith("list["):
            if s.dtype != c.pandas_dtype:
                s = pd.Series(pd.array([as_list(x) for x in s.tolist()], dtype=c.pandas_dtype), index=frame.index)
        elif str(s.dtype) != str(c.pandas_dtype):
            try:
                s = s.astype(c.pandas_dtype)
            except (TypeError, ValueError):
                s = s.astype("object").where(s.notna(), None).astype(c.pandas_dtype)
        out[c.name] = s
    return pd.DataFrame(out, index=frame.index)


# --------------------------------------------------------------------------- cross-year checks


@dataclass(frozen=True)
class Term:
    when: Literal["y", "y-1"]
    key: str  # "applications:<row>" (total column) or "active_disclosure:<category>.<metric>"
    sign: int = 1


@dataclass(frozen=True)
class CrossYearCheck:
    name: str
    lhs: Term
    rhs: tuple[Term, ...]
    template: str | None = None  # template of table 二 both years must have (None: table 三)


_IN_FORCE_CATEGORIES = ("regulations", "normative_documents")
_PREV_ITEMS_CATEGORIES = tuple(c for c, ms in v.ACTIVE_METRICS["2019"].items() if "prev_items" in ms)

CROSS_YEAR_CHECKS: tuple[CrossYearCheck, ...] = (
    CrossYearCheck(
        "carried_over_rolls_forward",
        Term("y", "applications:carried_over"),
        (Term("y-1", "applications:carried_forward"),),
    ),
    *(
        CrossYearCheck(
            f"in_force_rolls_forward.{c}",
            Term("y", f"active_disclosure:{c}.in_force"),
            (
                Term("y-1", f"active_disclosure:{c}.in_force"),
                Term("y", f"active_disclosure:{c}.issued"),
                Term("y", f"active_disclosure:{c}.abolished", -1),
            ),
            template="2021",
        )
        for c in _IN_FORCE_CATEGORIES
    ),
    *(
        CrossYearCheck(
            f"prev_items_rolls_forward.{c}",
            Term("y", f"active_disclosure:{c}.prev_items"),
            (Term("y-1", f"active_disclosure:{c}.prev_items"), Term("y-1", f"active_disclosure:{c}.change")),
            template="2019",
        )
        for c in _PREV_ITEMS_CATEGORIES
    ),
)

CROSS_YEAR_COLUMNS = ("agency", "year", "check", "status", "lhs", "rhs", "detail")


class _Conflict:
    """Marks a value on which two reports of the same agency and year disagree."""

    def __repr__(self) -> str:
        return "conflicting"


CONFLICT = _Conflict()
# key → float | Ambiguous | None | CONFLICT; "template" → str | None | CONFLICT
YearValues = dict[str, object]


_ROLLING_ROWS = ("carried_over", "carried_forward")
"""The rows of table 三 (total column) that the cross-year checks read."""


def _rolling_cells(frames: Mapping[str, pd.DataFrame]) -> Mapping[str, pd.DataFrame]:
    """`frames` with table 三 cut to the total cells of `_ROLLING_ROWS` and table 四 emptied: the
    only printed cells `_report_values` looks up (is a rolling cell ambiguous?). Building every
    report's dict of some 50 operand cells for two lookups was a third of the cross-year values."""
    app = frames[APP]
    keep = (app["row"].isin(_ROLLING_ROWS) & (app["applicant"] == "total")).fillna(False).to_numpy(bool)
    return {**frames, APP: app[keep], RL: _empty_cells(RL)}


def _report_values(cells: Cells, effective: Mapping[CellKey, float | None], table_two: dict[str, object],
                   template: str | None) -> YearValues:
    """One report's values for the checks: table 三's rolling rows after the null rule
    (`effective_cells` of its known cells; an ambiguous cell stays `Ambiguous`), and table 二."""
    applications = {
        f"applications:{r}": x if isinstance(x := cells.get(_app(r)), Ambiguous) else effective.get(_app(r))
        for r in _ROLLING_ROWS
    }
    return {"template": template, **applications, **table_two}


def _number(x: float) -> float | int | None:
    """A matrix value as the cells hold it: None for NaN, an int for a whole number."""
    return None if math.isnan(x) else int(x) if x.is_integer() else x


def _rolling_effective(frames: Mapping[str, pd.DataFrame], rids: list[str]) -> dict[str, dict[CellKey, float | None]]:
    """Per report, `_ROLLING_ROWS` after the null rule, on the matrix (`_effective`)."""
    effective = _effective(*_cell_matrix(frames, pd.Index(rids, dtype=object)))
    cols = {_matrix_columns()[_app(r)]: _app(r) for r in _ROLLING_ROWS}
    picked = effective[:, list(cols)].tolist()
    return {rid: {k: _number(x) for k, x in zip(cols.values(), row, strict=True)} for rid, row in zip(rids, picked, strict=True)}


def table_two_by_report(frames: Mapping[str, pd.DataFrame]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    columns = ("report_id", "category", "metric", "value", "flags")
    for rid, c, m, value, flags in _columns(frames["active_disclosure"], columns, flags=_AMBIGUOUS):
        out.setdefault(rid, {})[f"active_disclosure:{c}.{m}"] = _cell_value(value, flags)
    return out


def merge_reports(values: list[YearValues]) -> YearValues:
    """Values of one agency-year: a key's one printed value, None, or CONFLICT if reports disagree.

    A clear value wins over an ambiguous one of another report (e.g. a PDF and its text).
    """
    merged: YearValues = {}
    for key in sorted({k for vs in values for k in vs}):
        printed = {vs[key] for vs in values if vs.get(key) is not None}
        candidates = {x for x in printed if not isinstance(x, Ambiguous)} or printed
        merged[key] = None if not candidates else candidates.pop() if len(candidates) == 1 else CONFLICT
    return merged


def _table_two_template(frames: Mapping[str, pd.DataFrame]) -> dict[str, str | None]:
    active = frames["active_disclosure"]
    from_active = active.drop_duplicates("report_id").set_index("report_id")["template"]
    active_of = dict(zip(_pylist(from_active.index.to_series()), _pylist(from_active), strict=True))
    reports = frames["reports"]
    fallback = dict(zip(_pylist(reports["report_id"]), _pylist(reports["template_active"].fillna(reports["template"])),
                        strict=True))
    return {rid: _value_or_none(active_of.get(rid, x)) for rid, x in fallback.items()}


def agency_year_values(frames: Mapping[str, pd.DataFrame]) -> dict[tuple[str, int], YearValues]:
    templates = _table_two_template(frames)
    table_two = table_two_by_report(frames)
    effective = _rolling_effective(frames, list(dict.fromkeys(_pylist(frames["reports"]["report_id"]))))
    by_year: dict[tuple[str, int], list[YearValues]] = {}
    for (agency, year, rid), cells in report_cells(_rolling_cells(frames)):
        by_year.setdefault((agency, year), []).append(
            _report_values(cells, effective[rid], table_two.get(rid, {}), templates[rid])
        )
    return {k: merge_reports(vs) for k, vs in by_year.items()}


def _term_text(term: Term, year: int, value: object) -> str:
    y = year if term.when == "y" else year - 1
    return f"{term.key.split(':', 1)[1]}({y})={_fmt(value)}"


def _fmt(value: object) -> str:
    if isinstance(value, Ambiguous):
        return f"{_fmt(value.value)} (ambiguous)"
    return f"{value:g}" if isinstance(value, int | float) else ("blank" if value is None else str(value))


def formula_text(check: CrossYearCheck, year: int, values: list[object]) -> str:
    """E.g. `in_force(2023)=470 vs in_force(2022)=698 + issued(2023)=77 - abolished(2023)=132`."""
    lhs = _term_text(check.lhs, year, values[0])
    rhs = [
        ("- " if t.sign < 0 else "+ " if i else "") + _term_text(t, year, x)
        for i, (t, x) in enumerate(zip(check.rhs, values[1:], strict=True))
    ]
    return f"{lhs} vs {' '.join(rhs)}"


def _compare(check: CrossYearCheck, values: list[float]) -> tuple[str, float, float]:
    lhs = float(values[0])
    rhs = float(sum(t.sign * x for t, x in zip(check.rhs, values[1:], strict=True)))
    return ("pass" if math.isclose(lhs, rhs, abs_tol=1e-6) else "fail"), lhs, rhs


def evaluate_check(check: CrossYearCheck, year: int, cur: YearValues, prev: YearValues) -> dict[str, object]:
    """One soft check between the report(s) of `year` and `year - 1` of one agency."""
    row: dict[str, object] = {"year": year, "check": check.name, "lhs": None, "rhs": None}
    terms = (check.lhs, *check.rhs)
    values = [(cur if t.when == "y" else prev).get(t.key) for t in terms]
    formula = formula_text(check, year, values)
    if check.template is not None and (prev.get("template"), cur.get("template")) != (check.template,) * 2:
        detail = f"table 二 template {year - 1}: {prev.get('template')}, {year}: {cur.get('template')}"
        return row | {
            "status": "not_assessable",
            "detail": f"needs template {check.template} in both years; {detail}",
        }
    if any(x is CONFLICT for x in values):
        return row | {"status": "not_assessable", "detail": f"reports of one year disagree: {formula}"}
    candidates = [x.value if isinstance(x, Ambiguous) else x for x in values]
    if any(x is None for x in candidates):
        return row | {"status": "not_assessable", "detail": f"blank operand: {formula}"}
    status, lhs, rhs = _compare(check, candidates)  # type: ignore[arg-type]
    if any(isinstance(x, Ambiguous) for x in values):
        would = f"{formula} = {rhs:g} (the candidate split would {status})"
        return row | {"status": "not_assessable", "detail": f"ambiguous operand: {would}"}
    return row | {"status": status, "lhs": lhs, "rhs": rhs, "detail": f"{formula} = {rhs:g}"}


def _applies(check: CrossYearCheck, cur: YearValues, prev: YearValues) -> bool:
    return check.template is None or check.template in (cur.get("template"), prev.get("template"))


CROSS_YEAR_TABLES: tuple[str, ...] = ("reports", "active_disclosure", APP)
"""The tables `cross_year_checks` reads (none of table 四's cells enters a check or an identity of
their operands). The agency_year_kpis asset reads only these for the year before."""


@cache
def cross_year_operands() -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The rows of table 三 and the (category, metric) cells of table 二 that the checks read.

    Table 三: the checks' own rows, every row of an identity (either 其他处理 layout) that holds
    one of them (the null rule may show a blank operand to be 0 only through such an identity),
    and the 其他处理 rows that decide the layout.
    """
    terms = {tuple(t.key.split(":", 1)) for c in CROSS_YEAR_CHECKS for t in (c.lhs, *c.rhs)}
    app_keys = {_app(k) for table, k in terms if table == APP}
    rows = {"other_handling", *v.OTHER_HANDLING_SUBROWS}
    for layout in ("one_row", "sub_rows"):
        for identity in report_identities(layout):
            operands = (*identity.lhs, *identity.rhs)
            if app_keys.intersection(operands):
                rows |= {k[1] for k in operands}
    active = {tuple(k.split(".", 1)) for table, k in terms if table == "active_disclosure"}
    return frozenset(rows), frozenset(active)  # type: ignore[arg-type]


def cross_year_inputs(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The rows of `CROSS_YEAR_TABLES` that the cross-year checks read (their result is the same
    as from the whole frames). A national year is millions of cells, of which the checks read
    about one in twenty: filtering first keeps the per-cell Python work off the rest."""
    app_rows, active_cells = cross_year_operands()
    app, active = frames[APP], frames["active_disclosure"]
    keys = active["category"].astype("string") + "." + active["metric"].astype("string")
    wanted = [f"{c}.{m}" for c, m in sorted(active_cells)]
    return {
        "reports": frames["reports"],
        APP: app[app["row"].isin(sorted(app_rows)).fillna(False).to_numpy(bool)],
        "active_disclosure": active[keys.isin(wanted).fillna(False).to_numpy(bool)],
        RL: frames[RL].iloc[0:0] if RL in frames else _empty_cells(RL),
    }


def _empty_cells(table: str) -> pd.DataFrame:
    a, b = ("row", "applicant") if table == APP else ("proceeding", "outcome")
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ("report_id", a, b, "value", "flags")})


def cross_year_checks(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """vocabulary.md's soft checks between consecutive years of one agency (sorted, deterministic).

    A check is emitted for every year y of an agency that also has a report for y-1;
    template-specific checks are emitted when either year has that table-二 template (and
    are not_assessable unless both have it). A gap year yields no row.
    """
    values = agency_year_values(cross_year_inputs(frames))
    rows = [
        {"agency": agency, **evaluate_check(check, year, cur, values[(agency, year - 1)])}
        for (agency, year), cur in sorted(values.items())
        if (agency, year - 1) in values
        for check in CROSS_YEAR_CHECKS
        if _applies(check, cur, values[(agency, year - 1)])
    ]
    frame = pd.DataFrame.from_records(rows, columns=list(CROSS_YEAR_COLUMNS))
    dtypes = {
        "agency": "string",
        "year": "Int64",
        "check": "string",
        "status": "string",
        "lhs": "Float64",
        "rhs": "Float64",
        "detail": "string",
    }
    return frame.astype(dtypes).sort_values(["agency", "year", "check"], ignore_index=True)


# =========================================================================== comparison marts
# Year on year, peers, timeliness and coverage (issue 15). Each returns a frame with exactly the
# columns of `schema.MART_TABLES[<name>]`, sorted, so that a re-run writes identical bytes.

KPI_NAMES: tuple[str, ...] = tuple(k.name for k in KPIS)


@dataclass(frozen=True)
class KnownValue:
    """One KPI of one agency-year after merging its reports: a value, or why there is none."""

    value: float | None
    state: Literal["ok", "blank_input", "flagged_input", "conflicting_reports"]
    detail: str | None = None


def as_list(x: object) -> list:
    """A list cell as a Python list (lists, tuples, numpy/pyarrow arrays; [] for null)."""
    if x is None or x is pd.NA:
        return []
    if isinstance(x, list | tuple):
        return list(x)
    if hasattr(x, "tolist"):
        return list(x.tolist())
    return [] if isinstance(x, float) and math.isnan(x) else list(x)  # type: ignore[call-overload]


def _flagged_by_kpi(flagged: object) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in as_list(flagged):
        kpi, _, flag = str(item).partition(":")
        out.setdefault(kpi, []).append(flag)
    return out


def merge_kpi(values: list[float | None], flags: list[list[str]]) -> KnownValue:
    """The KPI of one agency-year from its report(s) (e.g. a PDF and its text extraction).

    Known values that agree give the value; known values that disagree are `conflicting_reports`.
    With no known value: `flagged_input` when a report's input was flagged, else `blank_input`.
    A report's known value wins over another report's unknown one (as in `merge_reports`).
    """
    printed = sorted({float(x) for x in values if x is not None})
    if len(printed) == 1:
        return KnownValue(printed[0], "ok")
    if len(printed) > 1:
        return KnownValue(None, "conflicting_reports", "reports disagree: " + ", ".join(f"{x:g}" for x in printed))
    hit = sorted({f for fs in flags for f in fs})
    if hit:
        return KnownValue(None, "flagged_input", "input cell flagged " + ", ".join(hit))
    return KnownValue(None, "blank_input", None)


def agency_year_kpi_values(kpis: pd.DataFrame) -> dict[tuple[str, int], dict[str, KnownValue]]:
    """{(agency, year): {kpi: KnownValue}} from the `agency_year_kpis` mart (any number of years)."""
    grouped: dict[tuple[str, int], list[dict]] = {}
    for rec in kpis.astype(object).where(kpis.notna(), None).to_dict("records"):
        grouped.setdefault((rec["agency"], int(rec["year"])), []).append(rec)
    out: dict[tuple[str, int], dict[str, KnownValue]] = {}
    for key, recs in grouped.items():
        flagged = [_flagged_by_kpi(r.get("flagged_kpis")) for r in recs]
        out[key] = {k: merge_kpi([r[k] for r in recs], [f.get(k, []) for f in flagged]) for k in KPI_NAMES}
    return out


_STATE_ORDER = ("conflicting_reports", "flagged_input", "blank_input", "ok")


def year_on_year(kpis: pd.DataFrame) -> pd.DataFrame:
    """The change of every KPI per body between consecutive years (mart `year_on_year`).

    Only a year whose year before also has a report gets rows. `change` is null unless both
    years' KPI is known; `status` says why not (the worse of the two years, in the order
    conflicting_reports, flagged_input, blank_input) and `detail` which year it was.
    """
    values = agency_year_kpi_values(kpis)
    rows = []
    for (agency, year), cur in sorted(values.items()):
        prev = values.get((agency, year - 1))
        if prev is None:
            continue
        for k in KPI_NAMES:
            a, b = prev[k], cur[k]
            state = min(a.state, b.state, key=_STATE_ORDER.index)
            detail = "; ".join(f"{y}: {x.detail or x.state}" for y, x in ((year - 1, a), (year, b)) if x.state != "ok")
            change = b.value - a.value if a.value is not None and b.value is not None else None
            rel = change / a.value if change is not None and a.value else None
            rows.append({"agency": agency, "year": year, "kpi": k, "previous": a.value, "current": b.value,
                         "change": change, "relative_change": rel,
                         "status": "ok" if state == "ok" else state, "detail": detail or None})
    return typed_mart("year_on_year", rows).sort_values(["agency", "year", "kpi"], ignore_index=True)


def cross_year_rolls(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """`cross_year_checks` as a mart (carried_forward vs carried_over, the in-force roll)."""
    return typed_mart("cross_year_rolls", cross_year_checks(frames))


# --------------------------------------------------------------------------- peers


@dataclass(frozen=True)
class OutlierRule:
    """Tukey's fences: a value below p25 - k·IQR or above p75 + k·IQR is an outlier among its peers.

    Only judged when at least `min_peers` comparable bodies have a known KPI; with fewer, the
    quartiles are printed but every body is `not_assessable` (four numbers have no outliers).
    """

    k: float = 1.5
    min_peers: int = 5


OUTLIER_RULE = OutlierRule()
"""The rule of `peer_benchmarks` / `peer_positions` (1.5×IQR, at least 5 peers)."""

PEER_GROUP: tuple[str, ...] = ("division_code", "level", "type")
"""Comparable bodies: same province (GB/T 2260 code of the province), same registry level and type.
A body not in the registry has neither and is compared with no one."""


def province_code(division_code: str) -> str | None:
    """GB/T 2260: the first two digits name the province (320812 → 320000)."""
    return f"{division_code[:2]}0000" if len(division_code) == 6 and division_code.isdigit() else None


def body_attributes(agency: str, registry=None) -> dict[str, str | None]:
    """Registry id, province, division (province code), level and type of a canonical agency name."""
    from disclosure.registry import default_registry

    reg = registry or default_registry()
    res = reg.resolve(agency)
    a = reg.agencies.get(res.agency_id) if res.agency_id else None
    if a is None:
        return {"agency_id": None, "province": None, "division_code": None, "level": None, "type": None,
                "prefecture": None}
    return {"agency_id": a.id, "province": a.province or None, "division_code": province_code(a.division_code),
            "level": a.level or None, "type": a.type or None, "prefecture": a.prefecture or None}


def _quantiles(xs: list[float]) -> tuple[float, float, float]:
    import numpy as np

    q = np.quantile(np.asarray(xs, dtype=float), [0.25, 0.5, 0.75])
    return float(q[0]), float(q[1]), float(q[2])


def _fences(p25: float, p75: float, n: int, rule: OutlierRule) -> tuple[float | None, float | None]:
    if n < rule.min_peers:
        return None, None
    iqr = p75 - p25
    return p25 - rule.k * iqr, p75 + rule.k * iqr


def _peer_rows(kpis: pd.DataFrame, registry=None) -> list[dict]:
    values = agency_year_kpi_values(kpis)
    rows = []
    for (agency, year), by_kpi in sorted(values.items()):
        attrs = body_attributes(agency, registry)
        for k in KPI_NAMES:
            rows.append({"agency": agency, "year": year, **attrs, "kpi": k, "value": by_kpi[k].value})
    return rows


def peer_benchmarks(kpis: pd.DataFrame, *, registry=None, rule: OutlierRule = OUTLIER_RULE
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(`peer_benchmarks`, `peer_positions`): quartiles per year × peer group × KPI, and each body's
    place in its group. Unknown KPIs (blank, flagged, conflicting) are left out of the quartiles
    and counted in `n_unknown`."""
    rows = _peer_rows(kpis, registry)
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["division_code"] is not None and r["level"] and r["type"]:
            groups.setdefault((r["year"], r["division_code"], r["level"], r["type"], r["kpi"]), []).append(r)
    bench, fences = [], {}
    for (year, division, level, type_, kpi), members in sorted(groups.items()):
        xs = [m["value"] for m in members if m["value"] is not None]
        p25 = p50 = p75 = lo = hi = None
        if xs:
            p25, p50, p75 = _quantiles(xs)
            lo, hi = _fences(p25, p75, len(xs), rule)
        fences[(year, division, level, type_, kpi)] = (xs, lo, hi)
        bench.append({"year": year, "division_code": division, "province": members[0]["province"], "level": level,
                      "type": type_, "kpi": kpi, "n": len(xs), "n_unknown": len(members) - len(xs),
                      "p25": p25, "p50": p50, "p75": p75, "low_fence": lo, "high_fence": hi})
    positions = []
    for r in rows:
        xs, lo, hi = fences.get((r["year"], r["division_code"], r["level"], r["type"], r["kpi"]), ([], None, None))
        x = r["value"]
        rank = sum(1 for y in xs if y <= x) / len(xs) if x is not None and xs else None
        if x is None or lo is None or hi is None:
            verdict = "not_assessable"
        else:
            verdict = "low" if x < lo else "high" if x > hi else "none"
        positions.append({**r, "n_peers": len(xs), "percentile_rank": rank, "outlier": verdict})
    b = typed_mart("peer_benchmarks", bench).sort_values(["year", "division_code", "level", "type", "kpi"],
                                                        ignore_index=True)
    p = typed_mart("peer_positions", positions).sort_values(["agency", "year", "kpi"], ignore_index=True)
    return b, p


# --------------------------------------------------------------------------- timeliness

DEADLINE_MONTH_DAY = (1, 31)
"""条例第五十条: the annual report is published by 31 January of the following year."""

_FULL_DATE = re.compile(r"(20\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_URL_STAMP = re.compile(r"/t(20\d{2})(\d{2})(\d{2})_\d+\.[a-z]*html?$")
"""TRS-style CMS pages (most gov.cn sites) are named t<YYYYMMDD>_<id>.htm by their publication date."""


def _date(y: str, m: str, d: str):
    from datetime import date

    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def page_publication_date(identity_candidates: str | None):
    """(date, text) of a full 发布日期 printed on the page (identify.py's `publication_date` candidate)."""
    import json

    try:
        cands = json.loads(identity_candidates or "[]")
    except ValueError:
        return None
    for c in cands if isinstance(cands, list) else ():
        if isinstance(c, dict) and c.get("source") == "publication_date" and (m := _FULL_DATE.search(str(c.get("text")))):
            if (d := _date(*m.groups())) is not None:
                return d, str(c.get("text"))
    return None


def url_publication_date(url: str | None):
    """(date, url) from a CMS date stamp in the url the manifest gave, or None."""
    if url and (m := _URL_STAMP.search(url.split("?")[0])) and (d := _date(*m.groups())) is not None:
        return d, url
    return None


def publication_timeliness(reports: pd.DataFrame, urls: Mapping[str, str | None] | None = None) -> pd.DataFrame:
    """Mart `publication_timeliness`: one row per report. The date printed on the page wins over the
    url's stamp; a report with neither is `unknown` (a signature date is when it was signed, not
    published, and is not used)."""
    from datetime import date

    urls = urls or {}
    rows = []
    for rid, agency, year, cands in _columns(reports, ("report_id", "agency", "year", "identity_candidates")):
        deadline = date(int(year) + 1, *DEADLINE_MONTH_DAY)
        found = page_publication_date(cands)
        source = "page" if found else None
        if found is None and (found := url_publication_date(urls.get(rid))):
            source = "url_date_stamp"
        days = (found[0] - deadline).days if found else None
        rows.append({"agency": agency, "year": int(year), "report_id": rid,
                     "published_on": found[0].isoformat() if found else None, "published_source": source,
                     "published_text": found[1] if found else None, "deadline": deadline.isoformat(),
                     "days_after_deadline": days,
                     "status": "unknown" if days is None else "on_time" if days <= 0 else "late"})
    return typed_mart("publication_timeliness", rows).sort_values(["agency", "year", "report_id"],
                                                                 ignore_index=True)


# --------------------------------------------------------------------------- coverage


_REGISTRY_FRAMES: dict[int, tuple[object, pd.DataFrame]] = {}


def _registry_frame(registry) -> pd.DataFrame:
    """The registry's bodies as a frame (cached per registry object)."""
    hit = _REGISTRY_FRAMES.get(id(registry))
    if hit is not None and hit[0] is registry:
        return hit[1]
    bodies = sorted(registry.agencies.values(), key=lambda a: a.canonical_name)
    frame = pd.DataFrame({
        "agency": [a.canonical_name for a in bodies], "agency_id": [a.id for a in bodies],
        "province": [a.province or None for a in bodies],
        "division_code": [province_code(a.division_code) for a in bodies],
        "level": [a.level or None for a in bodies], "type": [a.type or None for a in bodies],
        "prefecture": [a.prefecture or None for a in bodies],
    })
    _REGISTRY_FRAMES[id(registry)] = (registry, frame)
    return frame


def coverage(reports: pd.DataFrame, years: Iterable[int], *, registry=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(`coverage`, `coverage_summary`) for `years`: every registry body per year with its number of
    reports in the lake, plus every unregistered body that filed one. The registry has no dates of
    creation or abolition, so every body is expected every year."""
    from disclosure.registry import default_registry

    reg = _registry_frame(registry or default_registry())
    counts = reports.groupby(["agency", "year"]).size() if len(reports) else pd.Series(dtype="int64")
    frames = []
    for year in sorted(set(years)):
        n = {a: int(c) for (a, y), c in counts.items() if int(y) == year}
        body = reg.assign(year=year, in_registry=True, n_reports=[n.pop(a, 0) for a in reg["agency"]])
        extra = pd.DataFrame({"agency": sorted(n), "year": year, "in_registry": False,
                              "n_reports": [n[a] for a in sorted(n)]})
        frames += [body, extra] if len(extra) else [body]
    detail = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["n_reports"])
    detail["has_report"] = detail["n_reports"] > 0
    detail = typed_mart("coverage", detail).sort_values(["year", "agency"], ignore_index=True)
    summary = []
    for (year, division), g in detail.groupby(["year", detail["division_code"].fillna("")], sort=True):
        reg_rows = g[g["in_registry"]]
        total, with_report = len(reg_rows), int(reg_rows["has_report"].sum())
        province = reg_rows["province"].dropna()
        summary.append({"year": year, "division_code": division or None,
                        "province": province.iloc[0] if len(province) else None,
                        "n_bodies": total, "n_with_report": with_report, "n_without_report": total - with_report,
                        "share_with_report": with_report / total if total else None,
                        "n_unregistered_with_report": int((~g["in_registry"]).sum())})
    return detail, typed_mart("coverage_summary", summary)
