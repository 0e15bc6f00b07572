"""A synthetic report as format-free blocks: headings, paragraphs and table grids.

Grids keep colspan/rowspan like the printed Word/HTML tables; each format renderer turns
the same blocks into its own bytes (HTML, pipe text, markdown, crawler text, layout text).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from disclosure import vocabulary as v
from disclosure.synth import prose
from disclosure.synth.labels import (
    ACTIVE_ITEMS_2019,
    ACTIVE_ITEMS_2021,
    APPLICANT_HEADERS,
    APPLICANTS_GROUP,
    KEEP_CHECK,
    ORG_GROUP,
    OUTCOME_HEADERS,
    PROCEEDING_HEADERS,
    RESULT_SECTION,
    TOP_ROWS,
    LabelStyle,
    result_label,
)
from disclosure.synth.spec import Spec


@dataclass(slots=True)
class GCell:
    text: str
    cs: int = 1
    rs: int = 1
    kind: str = "label"  # label, header, value
    key: str | None = None  # golden cell key of a value cell


@dataclass(slots=True)
class GTable:
    name: str  # active, applications, review
    width: int
    rows: list[list[GCell]]


Block = tuple[str, object]  # ("title"|"meta"|"heading"|"para", str) or ("table", GTable)


def _spans(n_metrics: int, width: int) -> list[int]:
    """Column spans of the metric cells of a table 二 row within `width - 1` columns."""
    free = width - 1
    if n_metrics == 1:
        return [free]
    spans = [1] * n_metrics
    spans[-1] += free - n_metrics
    return spans


def active_table(spec: Spec) -> GTable:
    items = ACTIVE_ITEMS_2021 if spec.template == "2021" else ACTIVE_ITEMS_2019
    metrics = v.ACTIVE_METRICS[spec.template]
    width = 4
    rows: list[list[GCell]] = []
    for item, headers, cats in items:
        rows.append([GCell(spec.labels.fmt(item), cs=width, kind="header")])
        spans = _spans(len(headers), width)
        rows.append([GCell("信息内容", kind="header")] + [GCell(spec.labels.fmt(h), cs=s, kind="header")
                                                         for h, s in zip(headers, spans, strict=True)])
        for cat, label in cats:
            keys = [f"{cat}.{m}" for m in metrics[cat]]
            row = [GCell(spec.labels.fmt(label))]
            row += [value_cell(spec.active_text[k], f"active_disclosure.{k}") if s == 1 else
                    GCell(spec.active_text[k], cs=s, kind="value", key=f"active_disclosure.{k}")
                    for k, s in zip(keys, spans, strict=True)]
            rows.append(row)
    return GTable("active", width, rows)


_APP_KEYS: dict[str, tuple[str, ...]] = {row: tuple(f"applications.{row}.{c}" for c in v.APPLICANTS)
                                          for row in v.ALL_APPLICATION_ROWS}
# Value cells are immutable once made; most texts repeat ('0', '1', ''), so they are shared.
_VALUE_CELLS: dict[tuple[str, str], GCell] = {}


def value_cell(text: str, key: str) -> GCell:
    cell = _VALUE_CELLS.get((text, key))
    if cell is None:
        if len(_VALUE_CELLS) > 200_000:
            _VALUE_CELLS.clear()
        cell = _VALUE_CELLS[(text, key)] = GCell(text, 1, 1, "value", key)
    return cell


def _value_cells(spec: Spec, row: str) -> list[GCell]:
    if row in spec.merged_rows:
        return [GCell("0", 7, 1, "value", f"applications.{row}.*")]
    texts = spec.apps_text[row]
    return [value_cell(texts[c], key) for c, key in zip(v.APPLICANTS, _APP_KEYS[row], strict=True)]


def application_rows(spec: Spec) -> tuple[str, ...]:
    return v.APPLICATION_ROWS_ONE_ROW_OTHER if spec.one_row_other else v.APPLICATION_ROWS_2021


def _applicant_header(header_rowspan: bool) -> list[list[GCell]]:
    h = APPLICANT_HEADERS
    rows = [[GCell(KEEP_CHECK, cs=3, rs=3, kind="header"), GCell(APPLICANTS_GROUP, cs=7, kind="header")]]
    if header_rowspan:
        rows.append([GCell(h["natural_person"], rs=2, kind="header"), GCell(ORG_GROUP, cs=5, kind="header"),
                     GCell(h["total"], rs=2, kind="header")])
        rows.append([GCell(h[c], kind="header") for c in v.ORG_APPLICANTS])
    else:  # placeholders instead of rowspan (synthetic-ceshishi style)
        rows.append([GCell(h["natural_person"], kind="header"), GCell(ORG_GROUP, cs=5, kind="header"),
                     GCell(h["total"], kind="header")])
        rows.append([GCell("", kind="header")] + [GCell(h[c], kind="header") for c in v.ORG_APPLICANTS]
                    + [GCell("", kind="header")])
    return rows


@lru_cache(maxsize=1024)
def _applications_skeleton(labels: LabelStyle, one_row_other: bool, header_rowspan: bool
                           ) -> tuple[list[list[GCell]], tuple[tuple[str, list[GCell]], ...]]:
    """Header rows and (row key, label cells) of table 三 — shared by reports of one style."""
    order = v.APPLICATION_ROWS_ONE_ROW_OTHER if one_row_other else v.APPLICATION_ROWS_2021
    result_rows = [r for r in order if r not in TOP_ROWS]
    groups: dict[str, int] = {}
    for r in result_rows:
        group, _ = result_label(labels, r)
        if group:
            groups[group] = groups.get(group, 0) + 1
    seen: set[str] = set()
    body: list[tuple[str, list[GCell]]] = []
    for r in order:
        if r in TOP_ROWS:
            body.append((r, [GCell(TOP_ROWS[r], cs=3)]))
            continue
        line: list[GCell] = []
        if r == result_rows[0]:
            line.append(GCell(RESULT_SECTION, rs=len(result_rows)))
        group, item = result_label(labels, r)
        if group is None:
            line.append(GCell(item, cs=2))
        else:
            if group not in seen:
                seen.add(group)
                line.append(GCell(group, rs=groups[group]))
            line.append(GCell(item))
        body.append((r, line))
    return _applicant_header(header_rowspan), tuple(body)


def applications_table(spec: Spec, header_rowspan: bool) -> GTable:
    header, body = _applications_skeleton(spec.labels, spec.one_row_other, header_rowspan)
    rows = [list(r) for r in header]
    rows += [labels + _value_cells(spec, r) for r, labels in body]
    return GTable("applications", 10, rows)


_REVIEW_KEYS = tuple((k, f"review_litigation.{k}") for k in v.REVIEW_LITIGATION_KEYS)


def review_table(spec: Spec, header_rowspan: bool) -> GTable:
    rev, lit, direct, after = PROCEEDING_HEADERS
    rows = [[GCell(rev, cs=5, kind="header"), GCell(lit, cs=10, kind="header")]]
    if header_rowspan:
        rows.append([GCell(o, rs=2, kind="header") for o in OUTCOME_HEADERS]
                    + [GCell(direct, cs=5, kind="header"), GCell(after, cs=5, kind="header")])
        rows.append([GCell(o, kind="header") for o in OUTCOME_HEADERS * 2])
    else:
        rows.append([GCell(o, kind="header") for o in OUTCOME_HEADERS]
                    + [GCell(direct, cs=5, kind="header"), GCell(after, cs=5, kind="header")])
        rows.append([GCell("", kind="header") for _ in range(5)] + [GCell(o, kind="header") for o in OUTCOME_HEADERS * 2])
    rows.append([value_cell(spec.review_text[k], key) for k, key in _REVIEW_KEYS])
    return GTable("review", 15, rows)


def context(spec: Spec, rng: random.Random) -> dict[str, object]:
    return {"year": spec.year, "next": spec.year + 1, "agency": spec.agency.name, "self": spec.agency.short_self,
            "apps": spec.true_new_total, **prose.numbers(rng)}


def blocks(spec: Spec, rng: random.Random, header_rowspan: bool = True) -> list[Block]:
    """The whole report in document order."""
    ctx = context(spec, rng)
    st = spec.labels
    out: list[Block] = [("title", spec.title)]
    if not spec.title_has_agency:
        out.append(("meta", f"发布机构：{spec.agency.name}"))
    out.append(("para", prose.preamble(rng, ctx)))
    out.append(("heading", "一、总体情况"))
    out += [("para", p) for p in prose.overview(rng, ctx, (st.o1, st.c1))]
    out.append(("heading", "二、主动公开政府信息情况"))
    out.append(("table", active_table(spec)))
    out.append(("heading", "三、收到和处理政府信息公开申请情况"))
    out.append(("table", applications_table(spec, header_rowspan)))
    out.append(("heading", st.review_heading))
    out.append(("table", review_table(spec, header_rowspan)))
    out.append(("heading", st.problems_heading))
    out += [("para", p) for p in prose.problems(rng, ctx)]
    out.append(("heading", "六、其他需要报告的事项"))
    out += [("para", p) for p in prose.other_matters(rng, ctx)]
    return out


def expand(table: GTable) -> list[list[tuple[GCell | None, bool]]]:
    """Grid expansion: each row as `width` slots of (origin cell, is_origin_slot)."""
    grid: list[list[tuple[GCell | None, bool]]] = []
    pending: dict[tuple[int, int], GCell] = {}
    for r, cells in enumerate(table.rows):
        row: list[tuple[GCell | None, bool]] = []
        it = iter(cells)
        col = 0
        while col < table.width:
            if (r, col) in pending:
                row.append((pending.pop((r, col)), False))
                col += 1
                continue
            cell = next(it, None)
            if cell is None:
                row.append((None, False))
                col += 1
                continue
            for dc in range(cell.cs):
                row.append((cell, dc == 0))
                for dr in range(1, cell.rs):
                    pending[(r + dr, col + dc)] = cell
            col += cell.cs
        grid.append(row[: table.width])
    return grid
