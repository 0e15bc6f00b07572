"""A static review page per report (self-contained HTML: no script, no CDN, inline CSS).

`render_page(frames, queue, excerpts, …)` is pure: the report's three tables laid out as the
template prints them (row and column labels from disclosure/vocabulary.py), every flagged cell
highlighted with its printed text and candidates, every failed identity with its two sums, and
the printed lines around each flagged cell from the raw file. `write_page(lake, agency, year)`
reads one curated partition and its raw file and writes
`review/pages/year=YYYY/agency=<key>.html` atomically.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from disclosure import identities as ids
from disclosure import vocabulary as v
from disclosure.lake import Lake, _atomic_write_bytes, encode_agency_key
from disclosure.review import (
    EXCERPT_CHARS,
    EXCERPT_HIT_CHARS,
    Excerpt,
    build_queue_for,
    cell_key,
    clip,
    excerpt,
    read_document,
    read_partition,
)

# --------------------------------------------------------------------------- template labels

ACTIVE_CATEGORY_LABELS: dict[str, str] = {k: sig[0] for k, sig in v.ACTIVE_CATEGORY_SIGNATURES.items()}
"""表二 row labels: each category's first signature (规章, 规范性文件, 行政许可 …)."""
ACTIVE_METRIC_LABELS: dict[str, str] = {}
for _head, _metric in v.ACTIVE_METRIC_HEADS.items():
    ACTIVE_METRIC_LABELS.setdefault(_metric, _head)
"""表二 column labels: the first printed head of each metric (本年制发件数 …)."""

APPLICATION_ROW_LABELS: dict[str, str] = {
    **{k: sig[0] for k, sig in v.APPLICATION_ROW_SIGNATURES.items()},
    "other_handling": v.OTHER_HANDLING_WORD,
    "other_handling.other": v.OTHER_HANDLING_WORD + "·" + v.OTHER_WORD,
}
"""表三 row labels (本年新收, 上年结转, 予以公开 …; 其他处理 in the one-row layout)."""
APPLICANT_LABELS: dict[str, str] = {k: sig[0] for k, sig in v.APPLICANT_SIGNATURES.items()}
"""表三 column labels (自然人, 商业企业 … 其他, 总计)."""

PROCEEDING_LABELS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
"""表四 blocks, as vocabulary.REVIEW_PROCEEDING_WORDS names them (行政诉讼 spans the two litigation blocks)."""
OUTCOME_LABELS: dict[str, str] = {o: w for w, o in v.REVIEW_OUTCOME_WORDS.items()}
"""表四 columns (结果维持, 结果纠正, 其他结果, 尚未审结, 总计)."""

TABLE_TITLES: dict[str, str] = {
    "active_disclosure": "表二 主动公开政府信息情况",
    "applications": "表三 收到和处理政府信息公开申请情况",
    "review_litigation": "表四 政府信息公开行政复议、行政诉讼情况",
}

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em} h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ccc}
table.report{border-collapse:collapse;margin:.5em 0;font-size:.9em}
table.report th,table.report td{border:1px solid #999;padding:2px 6px;vertical-align:top}
table.report th{background:#f0f0f0;font-weight:normal}
td.num{text-align:right;min-width:3.5em}
td.flagged{background-color:rgb(255, 214, 102);outline:2px solid rgb(204, 102, 0)}
td.corrected{background-color:rgb(198, 239, 206)}
td.operand{box-shadow:inset 0 0 0 2px rgb(192, 0, 0)}
.printed{display:block;font-size:.8em;color:#555}
.candidates{display:block;font-size:.8em;color:#8a3b00}
.summary span{margin-right:1.5em}
section.item{border:1px solid #ddd;margin:.6em 0;padding:.4em .8em}
section.identity{border-left:4px solid rgb(192, 0, 0)}
pre.excerpt{background:#fafafa;border:1px solid #eee;padding:.4em;white-space:pre-wrap}
pre.excerpt mark{background:rgb(255, 214, 102)}
code{background:#f4f4f4}
.legend{font-size:.85em;color:#444}
.swatch{padding:0 .4em;margin-right:.2em}
.flagged-swatch{background:rgb(255, 214, 102)} .corrected-swatch{background:rgb(198, 239, 206)}
.operand-swatch{box-shadow:inset 0 0 0 2px rgb(192, 0, 0)}
"""


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x))


def _num(x: object) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and x != x):
        return ""
    f = float(x)  # type: ignore[arg-type]
    return str(int(f)) if f.is_integer() else f"{f:g}"


def anchor(key: str) -> str:
    """The id of a queue item's section (cell key or identity name, made id-safe)."""
    return "item-" + "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in key)


def cell_anchor(key: str) -> str:
    """The id of a cell's <td> in the tables."""
    return "cell-" + anchor(key)[5:]


def _cells(frames: Mapping[str, pd.DataFrame], table: str, a: str, b: str) -> dict[tuple[str, str], dict]:
    df = frames.get(table)
    if df is None or not len(df):
        return {}
    return {(str(r[a]), str(r[b])): r for r in df.to_dict("records")}


def _td(key: str, cell: dict | None, items: Mapping[str, dict], operands: set[str]) -> str:
    if cell is None:
        return f'<td class="num absent" id="{cell_anchor(key)}" data-cell="{_e(key)}">—</td>'
    item = items.get(key)
    cls = ["num"]
    extra = ""
    if item is not None and item["status"] == "open":
        cls.append("flagged")
        extra += f'<span class="printed">印: {_e(cell.get("raw_text") or "∅")}</span>'
        if item.get("candidates"):
            cands = [_num(c) for c in item["candidates"]]
            more = f" … (+{len(cands) - MAX_CELL_CANDIDATES})" if len(cands) > MAX_CELL_CANDIDATES else ""
            extra += f'<span class="candidates">? {" / ".join(cands[:MAX_CELL_CANDIDATES])}{_e(more)}</span>'
    elif item is not None:
        cls.append("corrected")
        extra += f'<span class="printed">原: {_e(_num(cell.get("original_value")) or "∅")}</span>'
    if key in operands:
        cls.append("operand")
    body = _e(_num(cell.get("value"))) or ("·" if item is None else "?")
    if item is not None:
        body = f'<a href="#{anchor(key)}">{body}</a>'
    title = ", ".join(item["flags"]) if item is not None else ""
    return (f'<td class="{" ".join(cls)}" id="{cell_anchor(key)}" data-cell="{_e(key)}" title="{_e(title)}">'
            f"{body}{extra}</td>")


def _grid(title: str, corner: str, rows: list[tuple[str, str]], cols: list[tuple[str, str]], table: str,
          cells: dict[tuple[str, str], dict], items: Mapping[str, dict], operands: set[str],
          applies=lambda r, c: True) -> str:
    head = "".join(f"<th>{_e(label)}</th>" for _, label in cols)
    out = [f'<h2>{_e(title)}</h2><table class="report" data-table="{table}"><tr><th>{_e(corner)}</th>{head}</tr>']
    for r, rlabel in rows:
        tds = "".join(
            _td(cell_key(table, r, c), cells.get((r, c)), items, operands) if applies(r, c) else "<td></td>"
            for c, _ in cols)
        out.append(f"<tr><th>{_e(rlabel)}</th>{tds}</tr>")
    out.append("</table>")
    return "".join(out)


def _active(frames, items, operands) -> str:
    df = frames.get("active_disclosure")
    template = str(df["template"].iloc[0]) if df is not None and len(df) else "2021"
    metrics: dict[str, tuple[str, ...]] = v.ACTIVE_METRICS.get(template, v.ACTIVE_METRICS["2021"])
    cols: list[str] = []
    for ms in metrics.values():
        cols += [m for m in ms if m not in cols]
    cells = _cells(frames, "active_disclosure", "category", "metric")
    return _grid(TABLE_TITLES["active_disclosure"] + f"（{template} 模板）", "信息内容",
                 [(c, ACTIVE_CATEGORY_LABELS[c]) for c in metrics],
                 [(m, ACTIVE_METRIC_LABELS.get(m, m)) for m in cols], "active_disclosure", cells, items, operands,
                 applies=lambda r, c: c in metrics[r])


def _applications(frames, items, operands) -> str:
    cells = _cells(frames, "applications", "row", "applicant")
    layout = ids.layout_of_rows(r for r, _ in cells)
    rows = [(r, APPLICATION_ROW_LABELS[r]) for r in ids.LAYOUT_ROWS[layout]]
    return _grid(TABLE_TITLES["applications"], "申请人情况", rows, [(a, APPLICANT_LABELS[a]) for a in v.APPLICANTS],
                 "applications", cells, items, operands)


def _review(frames, items, operands) -> str:
    cells = _cells(frames, "review_litigation", "proceeding", "outcome")
    return _grid(TABLE_TITLES["review_litigation"], "", [(p, PROCEEDING_LABELS[p]) for p in v.PROCEEDINGS],
                 [(o, OUTCOME_LABELS[o]) for o in v.OUTCOMES], "review_litigation", cells, items, operands)


MAX_CELL_CANDIDATES = 6
"""Candidates shown inside a table cell (all of them are in the cell's section below)."""


def _excerpt_html(ex: Excerpt | None, raw_text: str | None) -> str:
    if ex is None or not ex.lines:
        return '<p class="no-excerpt">（源文件中未找到该单元格的文字 / the printed text was not found in the source）</p>'
    lines = []
    for i, (where, text) in enumerate(ex.lines):
        t = _e(clip(text, raw_text if i == ex.hit else None, EXCERPT_HIT_CHARS if i == ex.hit else EXCERPT_CHARS))
        if i == ex.hit and raw_text and _e(raw_text) in t:
            t = t.replace(_e(raw_text), f"<mark>{_e(raw_text)}</mark>", 1)
        elif i == ex.hit:
            t = f"<mark>{t}</mark>"
        lines.append(f"{_e(where)}: {t}")
    return '<pre class="excerpt">' + "\n".join(lines) + "</pre>"


def _command(item: dict, report_id: str) -> str:
    if item.get("candidates"):
        verb = f"accept --candidate {_num(item['candidates'][0])}"
    else:
        verb = "set --value N"
    return (f"disclosure review {verb} --report {report_id[:12]} --cell {item['key']} "
            "--reviewer NAME --reason '…'")


def _cell_section(item: dict, ex: Excerpt | None, report_id: str) -> str:
    cands = " / ".join(_num(c) for c in item.get("candidates") or []) or "—"
    status = "已更正 corrected" if item["status"] == "corrected" else "待复核 open"
    rows = [("flags", ", ".join(item["flags"])), ("status", status), ("印刷文字 printed", item.get("raw_text") or "∅"),
            ("candidates", cands), ("value in the lake", _num(item.get("value")) or "null"),
            ("where", item.get("where") or "—"), ("what to decide", item["reason"])]
    if item["status"] == "corrected":
        rows.append(("original value / flags", f"{_num(item.get('original_value')) or 'null'} / "
                     f"{', '.join(item.get('original_flags') or [])}"))
    dl = "".join(f"<tr><th>{_e(k)}</th><td>{_e(x)}</td></tr>" for k, x in rows)
    return (f'<section class="item cell" id="{anchor(item["key"])}"><h3><a href="#{cell_anchor(item["key"])}">{_e(item["key"])}</a></h3>'
            f'<table class="report">{dl}</table>{_excerpt_html(ex, item.get("raw_text"))}'
            f"<p>correct it: <code>{_e(_command(item, report_id))}</code></p></section>")


def _identity_section(item: dict) -> str:
    lhs, rhs = _num(item.get("lhs")), _num(item.get("rhs"))
    diff = ""
    if item.get("lhs") is not None and item.get("rhs") is not None:
        diff = f"（相差 {_num(abs(float(item['lhs']) - float(item['rhs'])))}）"
    links = ", ".join(f'<a href="#{cell_anchor(k)}">{_e(k)}</a>' for k in item.get("cells") or [])
    return (f'<section class="item identity" id="{anchor(item["key"])}"><h3>{_e(item["key"])}</h3>'
            f"<p>{_e(item.get('detail'))}</p><p>左边 lhs = <b>{_e(lhs)}</b>，右边 rhs = <b>{_e(rhs)}</b>{_e(diff)}</p>"
            f"<p>cells (outlined in red above): {links}</p>"
            "<p>The printed numbers stay in the lake; the failure is a finding about the report.</p></section>")


def render_page(frames: Mapping[str, pd.DataFrame], queue: pd.DataFrame, excerpts: Mapping[str, Excerpt | None],
                *, raw_href: str | None = None) -> str:
    """The review page of one report (see the module doc); `queue` holds its queue rows."""
    rep = frames["reports"].iloc[0]
    report_id = str(rep["report_id"])
    records = queue.to_dict("records")
    items = {r["key"]: r for r in records if r["item"] == "cell"}
    identities = [r for r in records if r["item"] == "identity"]
    operands = {k for r in identities for k in (r.get("cells") or [])}
    n_open = sum(1 for r in items.values() if r["status"] == "open")
    n_corr = len(items) - n_open
    title = f"{rep['agency']} {rep['year']} 年度报告 — 复核 review"
    src = (f'<a id="raw-link" href="{_e(raw_href)}">{_e(rep["source_file"])}</a>' if raw_href
           else _e(rep["source_file"]))
    parts = [
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>source: {src} · report_id <code>{_e(report_id)}</code> · template {_e(rep['template'])} · "
        f"format {_e(rep['source_format'])}</p>",
        f'<p class="summary"><span id="n-flagged">{n_open} flagged cell(s)</span>'
        f'<span id="n-corrected">{n_corr} corrected</span>'
        f'<span id="n-identities">{len(identities)} failed identit{"y" if len(identities) == 1 else "ies"}</span></p>',
        '<p class="legend"><span class="swatch flagged-swatch">印 printed · ? candidates</span> flagged for review · '
        '<span class="swatch corrected-swatch">原 original</span> corrected by a person · '
        '<span class="swatch operand-swatch">red outline</span> a cell of a failed identity</p>',
        '<div id="cell-table">',
        _active(frames, items, operands),
        _applications(frames, items, operands),
        _review(frames, items, operands),
        "</div>",
        '<h2 id="flagged">Flagged cells</h2>',
        *([_cell_section(r, excerpts.get(r["key"]), report_id) for r in items.values()] or ["<p>none</p>"]),
        '<h2 id="identities">Failed identities</h2>',
        *([_identity_section(r) for r in identities] or ["<p>none</p>"]),
        "</body></html>",
    ]
    return "\n".join(parts)


def page_path(lake: Lake, year: int, agency: str) -> Path:
    return lake.root / "review" / "pages" / f"year={year}" / f"agency={encode_agency_key(agency)}.html"


def raw_href(raw_path: str | None) -> str | None:
    """The raw file's URL relative to a page in review/pages/year=YYYY/ (each segment URL-quoted)."""
    if not raw_path:
        return None
    return "../../../" + "/".join(quote(seg) for seg in raw_path.split("/"))


def write_page(lake: Lake, agency: str, year: int) -> Path | None:
    """Render and write one agency-year's page (None when the partition is not curated)."""
    frames = read_partition(lake, agency, year)
    if frames is None or not len(frames["reports"]):
        return None
    queue = build_queue_for(lake, frames)
    raw_path = next((p for p in queue["raw_path"].dropna()), None) if len(queue) else None
    if raw_path is None:
        from disclosure.review import sources_of

        raw_path = next(iter(sources_of(lake, frames["reports"]).values())).raw_path
    excerpts: dict[str, Excerpt | None] = {}
    cells = queue[queue["item"] == "cell"]
    if len(cells) and raw_path:
        try:
            doc = read_document(lake, raw_path)
        except Exception:  # an unreadable raw file still gets its page, without excerpts
            doc = None
        for r in cells.to_dict("records"):
            excerpts[r["key"]] = excerpt(doc, r["where"], r["raw_text"]) if doc is not None else None
    text = render_page(frames, queue, excerpts, raw_href=raw_href(raw_path))
    path = page_path(lake, year, agency)
    _atomic_write_bytes(path, text.encode("utf-8"))
    return path


__all__ = ["page_path", "raw_href", "render_page", "write_page"]
