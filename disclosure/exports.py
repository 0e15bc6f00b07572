"""Exports for people who do not write code (`disclosure export …`).

* `export_marts` — every mart as CSV (UTF-8 with BOM, so Excel opens it) and one .xlsx workbook
  (a sheet per mart and a `dictionary` sheet from `schema.MART_TABLES`).
* `body_tables` — a report's 表二/表三/表四 laid out as the template prints them (labels from
  `vocabulary.py`), every cell with its printed text and flags; `tables_html` / `tables_xlsx`
  render it with flagged cells coloured (HTML: class + title; xlsx: fill + comment).
* `comparison_report_html` — one body across its years: KPI time series and peers as inline SVG,
  the year-on-year table, cross-year rolls, timeliness, with every flagged or unknown KPI shown
  as such. Self-contained (no script, no CDN, no external file but the tables pages it links).

Nothing here computes a KPI: everything is read from the marts (`disclosure.mart_store`).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from disclosure import vocabulary as v
from disclosure.lake import Lake, _atomic_write_bytes
from disclosure.schema import MART_TABLES

WARNING_FILL = "F8CBAD"  # a warning flag: do not trust without looking (xlsx fill, HTML class flag-warning)
INFO_FILL = "FFF2CC"  # an info flag: how the value was read
CJK_FONT_STACK = "'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Zen Hei','Source Han Sans SC',sans-serif"


# --------------------------------------------------------------------------- marts → CSV / xlsx


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """List columns joined with '; ', nulls as empty: what a spreadsheet can hold."""
    out = frame.copy()
    for c in _list_columns(frame):
        out[c] = [("; ".join(map(str, x)) if isinstance(x, list | tuple) or hasattr(x, "tolist") else x)
                  for x in frame[c].tolist()]
    return out.astype(object).where(out.notna(), None)


def _list_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if isinstance(frame[c].dtype, pd.ArrowDtype)
            and str(frame[c].dtype).startswith("list")]


def dictionary_rows(tables: Mapping | None = None) -> list[dict[str, object]]:
    """One row per (mart, column): the data dictionary generated from `schema.MART_TABLES`."""
    tables = tables or MART_TABLES
    return [{"table": t.name, "column": c.name, "type": c.dtype, "nullable": c.nullable,
             "allowed": ", ".join(c.isin) if c.isin else "", "description": c.description,
             "table_description": t.description}
            for t in tables.values() for c in t.columns]


def export_marts(lake: Lake, out: Path, formats: Sequence[str] = ("csv", "xlsx")) -> list[Path]:
    """Every mart of the lake (all years) as <out>/<mart>.csv and <out>/marts.xlsx; returns the files."""
    from disclosure.mart_store import read_mart

    out.mkdir(parents=True, exist_ok=True)
    frames = {name: plain(read_mart(lake, name)) for name in MART_TABLES}
    written = []
    if "csv" in formats:
        for name, frame in frames.items():
            path = out / f"{name}.csv"
            _atomic_write_bytes(path, frame.to_csv(index=False).encode("utf-8-sig"), durable=False)
            written.append(path)
    if "xlsx" in formats:
        path = out / "marts.xlsx"
        _atomic_write_bytes(path, marts_workbook(frames), durable=False)
        written.append(path)
    return written


def _autosize(ws, widths: Iterable[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, min(60, w + 2))


def marts_workbook(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """A workbook: a `dictionary` sheet, then one sheet per mart (bold, frozen header row).

    Written in openpyxl's streaming (write-only) mode: the per-body `coverage` mart has a row per
    registry body and year (6,125 × years)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    wb = Workbook(write_only=True)

    def sheet(title: str, head: list[str], rows: Iterable[Sequence[object]], widths: Sequence[int]) -> None:
        ws = wb.create_sheet(title[:31])
        ws.freeze_panes = "A2"
        _autosize(ws, widths)
        header = []
        for h in head:
            c = WriteOnlyCell(ws, value=h)
            c.font = bold
            header.append(c)
        ws.append(header)
        for r in rows:
            ws.append(r)

    rows = dictionary_rows()
    head = list(rows[0])
    sheet("dictionary", head, ([r[h] for h in head] for r in rows), [12, 22, 12, 8, 20, 60, 30])
    for name, frame in frames.items():
        columns = [frame[c].tolist() for c in frame.columns]
        sheet(name, list(frame.columns), ([_xl(x) for x in rec] for rec in zip(*columns, strict=True)),
              [max(len(str(c)), 10) for c in frame.columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xl(x: object) -> object:
    if x is None or x is pd.NA:
        return None
    if isinstance(x, float) and x != x:
        return None
    return x.item() if hasattr(x, "item") else x


# --------------------------------------------------------------------------- a report's tables as printed


def exact(x: float | int) -> str:
    """A value as stored, without rounding (24252.311082 stays so; 3119.0 prints 3119)."""
    if isinstance(x, float) and not x.is_integer():
        return repr(x)
    return str(int(x))


@dataclass(frozen=True)
class PrintedCell:
    """One statistical cell in the template's layout."""

    key: str  # e.g. applications:granted.total
    value: float | None
    raw_text: str | None
    flags: tuple[str, ...] = ()
    candidates: tuple[float, ...] = ()
    where: str | None = None

    @property
    def severity(self) -> str | None:
        if v.WARNING_FLAGS.intersection(self.flags):
            return "warning"
        return "info" if self.flags else None

    @property
    def shown(self) -> str:
        """The value the lake holds, or — when it holds none — the printed text in brackets."""
        if self.value is not None:
            return exact(self.value)
        return f"[{self.raw_text}]" if self.raw_text else ""

    @property
    def note(self) -> str:
        parts = []
        if self.flags:
            parts.append("flags: " + ", ".join(self.flags))
        if self.raw_text is not None:
            parts.append(f"printed: {self.raw_text}")
        if self.candidates:
            parts.append("candidates: " + ", ".join(exact(c) for c in self.candidates))
        if self.where:
            parts.append(f"where: {self.where}")
        return " | ".join(parts)


@dataclass(frozen=True)
class Header:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class PrintedTable:
    title: str
    header: list[list[Header]]
    rows: list[tuple[str, list[PrintedCell | None]]] = field(default_factory=list)


@dataclass
class ReportTables:
    agency: str
    year: int
    report_id: str
    source_file: str
    tables: list[PrintedTable]

    @property
    def flagged(self) -> list[PrintedCell]:
        return [c for t in self.tables for _, cells in t.rows for c in cells if c is not None and c.flags]


def _cell_index(frame: pd.DataFrame, a: str, b: str) -> dict[tuple[str, str], PrintedCell]:
    out = {}
    for x, y, value, raw, flags, cands, where in zip(
        *(frame[c].tolist() for c in (a, b, "value", "raw_text", "flags", "candidates", "where")), strict=True
    ):
        out[(x, y)] = PrintedCell(
            key=f"{x}.{y}", value=None if value is None or value is pd.NA else value,
            raw_text=None if raw is None or raw is pd.NA else raw,
            flags=tuple(flags) if isinstance(flags, list | tuple) else (),
            candidates=tuple(cands) if isinstance(cands, list | tuple) else (),
            where=None if where is None or where is pd.NA else where,
        )
    return out


def _table_two(frame: pd.DataFrame) -> PrintedTable:
    template = str(frame["template"].iloc[0]) if len(frame) else "2021"
    cells = _cell_index(frame, "category", "metric")
    metrics = v.ACTIVE_METRICS.get(template, v.ACTIVE_METRICS["2021"])
    table = PrintedTable(f"二、主动公开政府信息情况（{template} 年版模板）", [])
    groups: list[tuple[tuple[str, ...], list[str]]] = []
    for category, ms in metrics.items():
        if groups and groups[-1][0] == ms:
            groups[-1][1].append(category)
        else:
            groups.append((ms, [category]))
    width = max(len(ms) for ms in metrics.values())
    for ms, categories in groups:  # each sub-table repeats its head row, as printed
        table.rows.append(("§" + "|".join(v.ACTIVE_METRIC_LABELS[m] for m in ms), []))
        for c in categories:
            row = [cells.get((c, m)) or PrintedCell(f"{c}.{m}", None, None, ("not_in_lake",)) for m in ms]
            table.rows.append((v.ACTIVE_CATEGORY_LABELS[c], row + [None] * (width - len(ms))))
    return table  # no header above the first sub-table: each prints its own head row


def _table_three(frame: pd.DataFrame) -> PrintedTable:
    cells = _cell_index(frame, "row", "applicant")
    rows_present = {r for r, _ in cells}
    order = v.APPLICATION_ROWS_ONE_ROW_OTHER if "other_handling" in rows_present else v.APPLICATION_ROWS_2021
    table = PrintedTable("三、收到和处理政府信息公开申请情况", [
        [Header("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3),
         Header("申请人情况", colspan=7)],
        [Header("自然人", rowspan=2), Header("法人或其他组织", colspan=5), Header("总计", rowspan=2)],
        [Header(v.APPLICANT_LABELS[a]) for a in v.ORG_APPLICANTS],
    ])
    for r in order:
        table.rows.append((v.APPLICATION_ROW_LABELS[r], [cells.get((r, a)) for a in v.APPLICANTS]))
    return table


def _table_four(frame: pd.DataFrame) -> PrintedTable:
    cells = _cell_index(frame, "proceeding", "outcome")
    table = PrintedTable("四、政府信息公开行政复议、行政诉讼情况", [
        [Header("行政复议", colspan=5, rowspan=2), Header("行政诉讼", colspan=10)],
        [Header("未经复议直接起诉", colspan=5), Header("复议后起诉", colspan=5)],
        [Header(v.OUTCOME_LABELS[o]) for _ in v.PROCEEDINGS for o in v.OUTCOMES],
    ])
    table.rows.append(("", [cells.get((p, o)) for p in v.PROCEEDINGS for o in v.OUTCOMES]))
    return table


def body_tables(frames: Mapping[str, pd.DataFrame], agency: str, year: int) -> list[ReportTables]:
    """Every report of (agency, year) in `frames` (a lake year's tables), laid out as printed."""
    reports = frames["reports"]
    mine = reports[(reports["agency"] == agency) & (reports["year"] == year)].sort_values("report_id")
    out = []
    for rid, source in zip(mine["report_id"].tolist(), mine["source_file"].tolist(), strict=True):
        part = {t: f[f["report_id"] == rid] for t, f in frames.items()}
        out.append(ReportTables(agency, year, rid, source, [
            _table_two(part["active_disclosure"]), _table_three(part["applications"]),
            _table_four(part["review_litigation"]),
        ]))
    return out


_PAGE_CSS = f"""
body{{font-family:{CJK_FONT_STACK};margin:24px;color:#222;max-width:1200px}}
table{{border-collapse:collapse;margin:8px 0 24px;font-size:13px}}
th,td{{border:1px solid #888;padding:3px 6px}} th{{background:#eef}} td.num{{text-align:right;min-width:42px}}
td.label{{max-width:420px}} tr.subhead th{{background:#f4f4f4;font-weight:normal}}
td.flag-warning{{background:#{WARNING_FILL};outline:2px solid #c0392b}} td.flag-info{{background:#{INFO_FILL}}}
.legend span{{display:inline-block;padding:2px 8px;margin-right:8px;border:1px solid #888}}
.flaglist td{{font-size:12px}} h1{{font-size:22px}} h2{{font-size:18px;margin-top:28px}}
.chart{{margin:8px 0 16px}} .muted{{color:#666;font-size:12px}} td.status-ok{{color:#2d6a2d}}
td.status-bad{{background:#{WARNING_FILL}}} nav a{{margin-right:12px}}
"""


def _td(cell: PrintedCell | None) -> str:
    if cell is None:
        return "<td></td>"
    cls = "num" + (f" flag-{cell.severity}" if cell.severity else "")
    flags = f' data-flags="{html.escape(",".join(cell.flags))}"' if cell.flags else ""
    return (f'<td class="{cls}" data-key="{html.escape(cell.key)}"{flags} title="{html.escape(cell.note)}">'
            f"{html.escape(cell.shown)}</td>")


def _table_html(t: PrintedTable) -> str:
    parts = [f"<h3>{html.escape(t.title)}</h3><table>"]
    for hrow in t.header:
        parts.append("<tr>" + "".join(
            f'<th colspan="{h.colspan}" rowspan="{h.rowspan}">{html.escape(h.text)}</th>' for h in hrow) + "</tr>")
    for label, cells in t.rows:
        if label.startswith("§"):  # a sub-table's own head row (表二)
            heads = label[1:].split("|")
            parts.append('<tr class="subhead"><th>信息内容</th>' + "".join(f"<th>{html.escape(h)}</th>" for h in heads)
                         + "</tr>")
            continue
        parts.append(f'<tr><td class="label">{html.escape(label)}</td>' + "".join(_td(c) for c in cells) + "</tr>")
    parts.append("</table>")
    return "".join(parts)


def _flag_list(report: ReportTables) -> str:
    if not report.flagged:
        return "<p>No cell of this report carries a flag.</p>"
    rows = "".join(
        f'<tr><td>{html.escape(c.key)}</td><td class="flag-{c.severity}">{html.escape(", ".join(c.flags))}</td>'
        f"<td>{html.escape(c.raw_text or '')}</td><td>{html.escape(c.shown)}</td>"
        f"<td>{html.escape(', '.join(exact(x) for x in c.candidates))}</td></tr>"
        for c in report.flagged)
    return ('<table class="flaglist"><tr><th>cell</th><th>flags</th><th>printed</th><th>in the lake</th>'
            f"<th>candidates</th></tr>{rows}</table>")


def tables_html(reports: Sequence[ReportTables], *, back_link: str | None = None) -> str:
    """A page with each report's three tables as printed; flagged cells coloured, hover for details."""
    if not reports:
        raise ValueError("no report to lay out")
    first = reports[0]
    title = f"{first.agency} {first.year} 年度报告 表二/表三/表四"
    body = [f"<h1>{html.escape(title)}</h1>"]
    if back_link:
        body.append(f'<nav><a href="{html.escape(back_link)}">← comparison report</a></nav>')
    body.append('<p class="legend"><span class="flag-warning" style="background:#'
                f'{WARNING_FILL}">warning flag: value not trusted (null in the KPIs)</span>'
                f'<span style="background:#{INFO_FILL}">info flag: how the value was read</span>'
                "[text] = printed text of a cell the lake holds no value for. Hover a cell for its flags, "
                "printed text, candidates and position.</p>")
    for r in reports:
        body.append(f'<h2 id="report-{r.report_id[:12]}">{html.escape(r.source_file)} '
                    f'<span class="muted">report_id {html.escape(r.report_id[:12])}…</span></h2>')
        body += [_table_html(t) for t in r.tables]
        body.append("<h3>Flagged cells</h3>" + _flag_list(r))
    return _page(title, "".join(body))


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_PAGE_CSS}</style></head><body>{body}</body></html>")


def tables_xlsx(reports: Sequence[ReportTables]) -> bytes:
    """One sheet per report and table, laid out as printed; flagged cells filled and commented."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    fills = {"warning": PatternFill("solid", fgColor=WARNING_FILL), "info": PatternFill("solid", fgColor=INFO_FILL)}
    for n, r in enumerate(reports, start=1):
        for t, short in zip(r.tables, ("表二", "表三", "表四"), strict=True):
            ws = wb.create_sheet(f"{short}" + (f" ({n})" if len(reports) > 1 else ""))
            ws.append([f"{r.agency} {r.year} · {r.source_file}"])
            ws.append([t.title])
            ws["A1"].font = Font(bold=True)
            row0 = 3
            taken: set[tuple[int, int]] = set()
            for i, hrow in enumerate(t.header):
                col = 1
                for h in hrow:
                    while (row0 + i, col) in taken:
                        col += 1
                    ws.cell(row0 + i, col, h.text).font = Font(bold=True)
                    if h.colspan > 1 or h.rowspan > 1:
                        ws.merge_cells(start_row=row0 + i, start_column=col,
                                       end_row=row0 + i + h.rowspan - 1, end_column=col + h.colspan - 1)
                    for dr in range(h.rowspan):
                        for dc in range(h.colspan):
                            taken.add((row0 + i + dr, col + dc))
                    col += h.colspan
            rr = row0 + len(t.header)
            for label, cells in t.rows:
                if label.startswith("§"):
                    for j, text in enumerate(["信息内容", *label[1:].split("|")], start=1):
                        ws.cell(rr, j, text).font = Font(bold=True)
                    rr += 1
                    continue
                ws.cell(rr, 1, label).alignment = Alignment(wrap_text=True)
                for j, c in enumerate(cells, start=2):
                    if c is None:
                        continue
                    xc = ws.cell(rr, j, c.value if c.value is not None else (f"[{c.raw_text}]" if c.raw_text else None))
                    if c.severity:
                        xc.fill = fills[c.severity]
                    if c.flags:
                        xc.comment = Comment(c.note, "disclosure-lake")
                rr += 1
            ws.column_dimensions["A"].width = 48
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_body_tables(lake: Lake, agency: str, year: int, out: Path, *, back_link: str | None = None
                       ) -> list[Path]:
    """<out>/<agency>-<year>-tables.html and .xlsx for one agency-year; raises LookupError if absent."""
    from disclosure.mart_store import year_frames

    reports = body_tables(year_frames(lake, year), agency, year)
    if not reports:
        raise LookupError(f"no report of {agency!r} for {year} in {lake.root}")
    out.mkdir(parents=True, exist_ok=True)
    stem = tables_stem(agency, year)
    page, book = out / f"{stem}.html", out / f"{stem}.xlsx"
    _atomic_write_bytes(page, tables_html(reports, back_link=back_link).encode("utf-8"), durable=False)
    _atomic_write_bytes(book, tables_xlsx(reports), durable=False)
    return [page, book]


def tables_stem(agency: str, year: int) -> str:
    from disclosure.keys import encode_agency_key

    return f"tables-{encode_agency_key(agency).replace('%', '_')}-{year}"


# --------------------------------------------------------------------------- SVG charts (hand-made, inline)


def _nice_max(x: float) -> float:
    """The smallest 4 × (a round step × 10ⁿ) ≥ x: an axis with four round ticks."""
    if x <= 0:
        return 1.0
    import math

    quarter = x / 4
    mag = 10 ** math.floor(math.log10(quarter))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if quarter <= step * mag + 1e-12:
            return 4 * step * mag
    return 40 * mag


def _fmt_num(x: float, rate: bool) -> str:
    return f"{x:.0%}" if rate else (f"{x:,.0f}" if abs(x) >= 10 else f"{x:g}")


def _svg_frame(title: str, width: int, height: int, left: float, w: float, ymax: float, rate: bool,
               py: Callable[[float], float]) -> list[str]:
    """The opening of a chart: the <svg> element, its title and five horizontal grid lines with
    their y-axis labels."""
    out = [f'<svg class="chart" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}" '
           f'font-family="{html.escape(CJK_FONT_STACK)}" font-size="11">',
           f'<text x="{left}" y="16" font-size="13" font-weight="bold">{html.escape(title)}</text>']
    for k in range(5):
        y = ymax * k / 4
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{_fmt_num(y, rate)}</text>')
    return out


def svg_line_chart(title: str, years: Sequence[int], series: Mapping[str, Sequence[float | None]], *,
                   rate: bool = False, unknown: Mapping[str, Sequence[str | None]] | None = None,
                   width: int = 560, height: int = 240) -> str:
    """A line chart over years; a year whose value is unknown gets a hollow ✕ marker at the axis with
    its reason as a tooltip (flagged or blank input), never an interpolated point."""
    colours = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")
    left, right, top, bottom = 58, 150, 28, 30
    w, h = width - left - right, height - top - bottom
    known = [x for s in series.values() for x in s if x is not None]
    ymax = 1.0 if rate and (not known or max(known) <= 1) else _nice_max(max(known, default=1))
    ymax = ymax if rate else max(ymax, 4.0)  # counts: whole-number ticks
    n = max(len(years), 1)

    def px(i: int) -> float:
        return left + (w * (i + 0.5) / n)

    def py(y: float) -> float:
        return top + h - h * (y / ymax if ymax else 0)

    out = _svg_frame(title, width, height, left, w, ymax, rate, py)
    for i, yr in enumerate(years):
        out.append(f'<text x="{px(i):.1f}" y="{top + h + 18}" text-anchor="middle">{yr}</text>')
    for si, (name, values) in enumerate(series.items()):
        colour = colours[si % len(colours)]
        pts = [(px(i), py(x)) for i, x in enumerate(values) if x is not None]
        segments, cur = [], []
        for i, x in enumerate(values):  # a gap (unknown year) breaks the line
            if x is None:
                if cur:
                    segments.append(cur)
                cur = []
            else:
                cur.append((px(i), py(x)))
        if cur:
            segments.append(cur)
        for seg in segments:
            if len(seg) > 1:
                d = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
                out.append(f'<polyline class="series" points="{d}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for (x, y), val in zip(pts, [x for x in values if x is not None], strict=True):
            out.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                       f"<title>{html.escape(name)}: {_fmt_num(val, rate) if rate else f'{val:g}'}</title></circle>")
        reasons = (unknown or {}).get(name, [None] * len(values))
        for i, x in enumerate(values):
            if x is None and i < len(reasons) and reasons[i]:
                cx, cy = px(i), top + 8 + 12 * si  # along the top: a dashed guide down to the axis
                out.append(f'<g class="unknown" stroke="{colour}" stroke-width="2.5"><title>{html.escape(name)} '
                           f"{years[i]}: unknown ({html.escape(str(reasons[i]))})</title>"
                           f'<line x1="{cx:.1f}" y1="{cy + 6:.1f}" x2="{cx:.1f}" y2="{top + h:.1f}" '
                           'stroke-width="1" stroke-dasharray="3,3"/>'
                           f'<line x1="{cx - 5:.1f}" y1="{cy - 5:.1f}" x2="{cx + 5:.1f}" y2="{cy + 5:.1f}"/>'
                           f'<line x1="{cx - 5:.1f}" y1="{cy + 5:.1f}" x2="{cx + 5:.1f}" y2="{cy - 5:.1f}"/></g>')
        ly = top + 14 + 16 * si
        out.append(f'<rect x="{left + w + 12}" y="{ly - 9}" width="12" height="3" fill="{colour}"/>'
                   f'<text x="{left + w + 28}" y="{ly - 4}">{html.escape(name)}</text>')
    if unknown and any(any(r) for r in unknown.values()):
        out.append(f'<text x="{left + w + 12}" y="{top + h - 14}" fill="#444">✕ = unknown KPI</text>'
                   f'<text x="{left + w + 12}" y="{top + h}" fill="#444">(flagged or blank input)</text>')
    out.append("</svg>")
    return "".join(out)


def svg_peer_chart(title: str, rows: Sequence[Mapping[str, object]], *, rate: bool,
                   width: int = 560, height: int = 240) -> str:
    """Per year: the peer group's P25–P75 as a bar, the median as a tick, the body as a dot."""
    left, right, top, bottom = 58, 150, 28, 30
    w, h = width - left - right, height - top - bottom
    vals = [float(x) for r in rows for x in (r.get("p75"), r.get("value")) if x is not None]
    ymax = 1.0 if rate and (not vals or max(vals) <= 1) else _nice_max(max(vals, default=1))
    n = max(len(rows), 1)

    def py(y: float) -> float:
        return top + h - h * (y / ymax if ymax else 0)

    out = _svg_frame(title, width, height, left, w, ymax, rate, py)
    for i, r in enumerate(rows):
        cx = left + w * (i + 0.5) / n
        out.append(f'<text x="{cx:.1f}" y="{top + h + 18}" text-anchor="middle">{r["year"]}</text>')
        if r.get("p25") is not None and r.get("p75") is not None:
            y1, y2 = py(float(r["p75"])), py(float(r["p25"]))
            out.append(f'<rect class="peer-range" x="{cx - 12:.1f}" y="{y1:.1f}" width="24" '
                       f'height="{max(y2 - y1, 2):.1f}" fill="#c6dbef"><title>peers (n={r.get("n_peers")}): '
                       f'P25 {r["p25"]:.3g}, P50 {r.get("p50", 0):.3g}, P75 {r["p75"]:.3g}</title></rect>'
                       f'<line x1="{cx - 12:.1f}" x2="{cx + 12:.1f}" y1="{py(float(r["p50"])):.1f}" '
                       f'y2="{py(float(r["p50"])):.1f}" stroke="#08519c" stroke-width="2"/>')
        if r.get("value") is not None:
            colour = "#d62728" if r.get("outlier") in ("low", "high") else "#222"
            out.append(f'<circle class="point" cx="{cx:.1f}" cy="{py(float(r["value"])):.1f}" r="4.5" '
                       f'fill="{colour}"><title>this body: {float(r["value"]):.3g} ({r.get("outlier")})</title></circle>')
    out.append(f'<rect x="{left + w + 12}" y="{top + 4}" width="12" height="10" fill="#c6dbef"/>'
               f'<text x="{left + w + 28}" y="{top + 13}">peers P25–P75</text>'
               f'<circle cx="{left + w + 18}" cy="{top + 28}" r="4" fill="#222"/>'
               f'<text x="{left + w + 28}" y="{top + 32}">this body</text>'
               f'<circle cx="{left + w + 18}" cy="{top + 46}" r="4" fill="#d62728"/>'
               f'<text x="{left + w + 28}" y="{top + 50}">outlier (1.5×IQR)</text></svg>')
    return "".join(out)


# --------------------------------------------------------------------------- the comparison report

REPORT_SERIES: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("Requests (表三)", ("new_received_total", "results_total", "total_handled"), False),
    ("Outcome shares (表三)", ("disclosure_rate", "withheld_rate", "unable_rate", "not_processed_rate",
                               "other_handling_rate"), True),
    ("Reviews and lawsuits (表四)", ("review_total", "litigation_total"), False),
)
"""The report's time-series charts: (title, KPIs, is a rate)."""
PEER_KPIS: tuple[str, ...] = ("new_received_total", "disclosure_rate")
"""KPIs shown against the body's peers."""


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def comparison_report_html(marts: Mapping[str, pd.DataFrame], agency: str, *,
                           tables_links: Mapping[int, str] | None = None) -> str:
    """One body's comparison report from the marts (`read_mart` frames by name)."""
    from disclosure.marts import KPI_NAMES, agency_year_kpi_values

    kpis = marts["agency_year_kpis"]
    mine = kpis[kpis["agency"] == agency]
    if mine.empty:
        raise LookupError(f"no report of {agency!r} in the marts")
    values = {y: vals for (a, y), vals in agency_year_kpi_values(mine).items() if a == agency}
    years = sorted(values)
    links = tables_links or {}
    sections = [("series", "Time series"), ("flags", "Flagged and unknown KPIs"), ("yoy", "Year on year"),
                ("rolls", "Cross-year rolls"), ("peers", "Peers"), ("timeliness", "Timeliness"),
                ("tables", "Tables as printed")]
    body = [f"<h1>{html.escape(agency)} — comparison report {years[0]}–{years[-1]}</h1>",
            "<nav>" + "".join(f'<a href="#{a}">{html.escape(t)}</a>' for a, t in sections) + "</nav>",
            '<p class="muted">Read from the lake\'s marts (disclosure/marts.py). A KPI whose input cell carries a '
            "warning flag, or that needs a blank cell, is unknown: it is drawn as ✕ and never as a number.</p>"]
    positions = marts["peer_positions"]
    pos = positions[positions["agency"] == agency]
    if len(pos):
        p = _records(pos.head(1))[0]
        body.append(f"<p>Registry: {html.escape(str(p.get('agency_id')))} · {html.escape(str(p.get('province')))} · "
                    f"level {html.escape(str(p.get('level')))} · type {html.escape(str(p.get('type')))}</p>")
    body.append('<h2 id="series">Time series</h2>')
    for title, names, rate in REPORT_SERIES:
        series = {k: [values[y][k].value for y in years] for k in names}
        unknown = {k: [None if values[y][k].state == "ok" else values[y][k].state for y in years] for k in names}
        body.append(svg_line_chart(title, years, series, rate=rate, unknown=unknown))
    flagged = [(y, k, values[y][k]) for y in years for k in KPI_NAMES if values[y][k].state != "ok"]
    body.append('<h2 id="flags">Flagged and unknown KPIs</h2>')
    if flagged:
        body.append("<table><tr><th>year</th><th>KPI</th><th>why unknown</th><th>detail</th></tr>" + "".join(
            f'<tr><td>{y}</td><td>{k}</td><td class="status-bad flagged">{html.escape(x.state)}</td>'
            f"<td>{html.escape(x.detail or '')}</td></tr>" for y, k, x in flagged) + "</table>")
    else:
        body.append("<p>Every KPI of every year is known.</p>")
    yoy = marts["year_on_year"]
    mine_yoy = _records(yoy[yoy["agency"] == agency])
    body.append('<h2 id="yoy">Year on year</h2>')
    if mine_yoy:
        body.append("<table><tr><th>year</th><th>KPI</th><th>previous</th><th>current</th><th>change</th>"
                    "<th>relative</th><th>status</th></tr>" + "".join(
                        f"<tr><td>{r['year']}</td><td>{r['kpi']}</td><td>{_cellnum(r['previous'])}</td>"
                        f"<td>{_cellnum(r['current'])}</td><td>{_cellnum(r['change'])}</td>"
                        f"<td>{_pct(r['relative_change'], signed=True)}</td>"
                        f'<td class="status-{"ok" if r["status"] == "ok" else "bad"}" '
                        f'title="{html.escape(r["detail"] or "")}">{r["status"]}</td></tr>' for r in mine_yoy)
                    + "</table>")
    else:
        body.append("<p>No two consecutive years in the lake.</p>")
    rolls = marts["cross_year_rolls"]
    mine_rolls = _records(rolls[rolls["agency"] == agency])
    body.append('<h2 id="rolls">Cross-year rolls</h2>')
    body.append("<table><tr><th>year</th><th>check</th><th>status</th><th>detail</th></tr>" + "".join(
        f"<tr><td>{r['year']}</td><td>{r['check']}</td>"
        f'<td class="status-{"ok" if r["status"] == "pass" else "bad"}">{r["status"]}</td>'
        f"<td>{html.escape(r['detail'] or '')}</td></tr>" for r in mine_rolls) + "</table>"
        if mine_rolls else "<p>No two consecutive years in the lake.</p>")
    body.append('<h2 id="peers">Peers</h2><p class="muted">Peers: same province, registry level and type; '
                "quartiles over the peers whose KPI is known; outlier = outside 1.5×IQR with at least 5 peers.</p>")
    bench = marts["peer_benchmarks"]
    for k in PEER_KPIS:
        rows = []
        for r in _records(pos[pos["kpi"] == k].sort_values("year")):
            b = bench[(bench["year"] == r["year"]) & (bench["division_code"] == r["division_code"])
                      & (bench["level"] == r["level"]) & (bench["type"] == r["type"]) & (bench["kpi"] == k)]
            rows.append({**r, **({x: _records(b)[0][x] for x in ("p25", "p50", "p75")} if len(b) else {})})
        if rows:
            body.append(svg_peer_chart(f"{k} against peers", rows, rate=k.endswith("_rate")))
    body.append("<table><tr><th>year</th><th>KPI</th><th>value</th><th>peers</th><th>percentile</th>"
                "<th>outlier</th></tr>" + "".join(
                    f"<tr><td>{r['year']}</td><td>{r['kpi']}</td><td>{_cellnum(r['value'])}</td><td>{r['n_peers']}</td>"
                    f"<td>{_pct(r['percentile_rank'])}</td>"
                    f"<td>{r['outlier']}</td></tr>" for r in _records(pos[pos["kpi"].isin(PEER_KPIS)])) + "</table>")
    tl = marts["publication_timeliness"]
    body.append('<h2 id="timeliness">Timeliness (deadline 31 January of the following year)</h2>')
    body.append("<table><tr><th>year</th><th>published</th><th>source</th><th>days after deadline</th>"
                "<th>status</th></tr>" + "".join(
                    f"<tr><td>{r['year']}</td><td>{r['published_on'] or ''}</td><td>{r['published_source'] or ''}</td>"
                    f"<td>{'' if r['days_after_deadline'] is None else r['days_after_deadline']}</td>"
                    f'<td class="status-{"bad" if r["status"] == "late" else "ok"}" '
                    f'title="{html.escape(r["published_text"] or "")}">{r["status"]}</td></tr>'
                    for r in _records(tl[tl["agency"] == agency])) + "</table>")
    body.append('<h2 id="tables">Tables as printed</h2><ul>' + "".join(
        f'<li><a class="tables-link" href="{html.escape(links[y])}">{y}: 表二/表三/表四 with flags</a></li>'
        for y in years if y in links) + "</ul>")
    return _page(f"{agency} comparison report", "".join(body))


def _pct(x: object, *, signed: bool = False) -> str:
    if x is None:
        return ""
    return f"{float(x):+.0%}" if signed else f"{float(x):.0%}"  # type: ignore[arg-type]


def _cellnum(x: object) -> str:
    if x is None:
        return "—"
    x = float(x)  # type: ignore[arg-type]
    return f"{x:,.0f}" if x.is_integer() else f"{x:.3f}"


def export_comparison_report(lake: Lake, agency: str, out: Path) -> list[Path]:
    """<out>/report-<agency>.html plus the tables page (.html, .xlsx) of each of the body's years."""
    from disclosure.mart_store import read_mart

    marts = {name: read_mart(lake, name) for name in MART_TABLES}
    kpis = marts["agency_year_kpis"]
    years = sorted({int(y) for y in kpis.loc[kpis["agency"] == agency, "year"].tolist()})
    if not years:
        raise LookupError(f"no report of {agency!r} in the marts of {lake.root} (run the pipeline first)")
    out.mkdir(parents=True, exist_ok=True)
    stem = f"report-{tables_stem(agency, 0).removeprefix('tables-').removesuffix('-0')}"
    written, links = [], {}
    for y in years:
        written += export_body_tables(lake, agency, y, out, back_link=f"{stem}.html")
        links[y] = f"{tables_stem(agency, y)}.html"
    page = out / f"{stem}.html"
    _atomic_write_bytes(page, comparison_report_html(marts, agency, tables_links=links).encode("utf-8"), durable=False)
    return [page, *written]


__all__ = ["body_tables", "comparison_report_html", "export_body_tables", "export_comparison_report",
           "export_marts", "tables_html", "tables_xlsx"]
