"""Variations of issue 9: printed forms a user's crawler or an agency's CMS produces.

Each variation is a seeded, documented option of the generator (docs/synth.md):

    make_report(seed, index, fmt, variation="applicant_order_swap")
    iter_variations(3000, seed)   # round robin over VARIATIONS, each in its own formats

A variation draws from its own RNG (`random.Random("disclosure.synth.variation:s:i:name")`),
so report i of seed s without a variation keeps its bytes, and report i with one is the same
whatever else is generated. It edits at most three things, in this order:

* `spec` — the printed texts and values of the report, *before* any rendering; the golden
  file is built from the spec afterwards, so it holds the generator's own values (a value
  printed in 元 is still golden in 万元; a cell printed blank is null);
* `table` — the grid of one table (column order, repeated header rows, spans);
* `page` — the rendered text (an unclosed `<embed>`, the line breaks lost).

A variation that cannot apply to a report (`applies` is false: e.g. 政府集中采购 exists only
in the 2019 template) is skipped by `iter_variations`, which takes the next index instead.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from disclosure import vocabulary as v
from disclosure.synth.document import GCell, GTable
from disclosure.synth.labels import APPLICANT_HEADERS, APPLICANTS_GROUP, KEEP_CHECK, ORG_GROUP, RESULT_SECTION
from disclosure.synth.spec import Spec

SpecEdit = Callable[[Spec, random.Random], list[str]]  # returns notes for the golden file
TableEdit = Callable[[GTable, Spec, random.Random], GTable]
PageEdit = Callable[[bytes, Spec, random.Random], bytes]  # ASCII-only edits: safe in GBK too

GRID_FORMATS = ("html", "markdown", "text-pipe", "text-tab")
CELL_FORMATS = ("html", "markdown", "text-pipe", "text-layout", "text-tab")


@dataclass(frozen=True)
class Variation:
    name: str
    klass: str  # the issue 9 class it exercises
    formats: tuple[str, ...]
    doc: str
    spec: SpecEdit | None = None
    table: TableEdit | None = None
    page: PageEdit | None = None
    applies: Callable[[Spec], bool] | None = None  # None: applies to every report


def variation_rng(seed: int, index: int, name: str) -> random.Random:
    return random.Random(f"disclosure.synth.variation:{seed}:{index}:{name}")


# --------------------------------------------------------------------------- helpers


def _printed_value_keys(spec: Spec, tables: tuple[str, ...] = ("applications", "review_litigation")) -> list[str]:
    """Golden keys of cells printed with a non-negative integer."""
    keys: list[str] = []
    if "applications" in tables:
        for row, cells in spec.apps.items():
            if row in spec.merged_rows:
                continue
            keys += [f"applications.{row}.{c}" for c, x in cells.items() if isinstance(x, int) and x >= 0]
    if "review_litigation" in tables:
        keys += [f"review_litigation.{k}" for k, x in spec.review.items() if isinstance(x, int) and x >= 0]
    return keys


def _value(spec: Spec, key: str) -> int | float | None:
    table, rest = key.split(".", 1)
    if table == "applications":
        row, col = rest.rsplit(".", 1)
        return spec.apps[row][col]
    if table == "review_litigation":
        return spec.review[rest]
    return spec.active[rest]


def _set_text(spec: Spec, key: str, text: str) -> None:
    table, rest = key.split(".", 1)
    if table == "applications":
        row, col = rest.rsplit(".", 1)
        spec.apps_text[row][col] = text
    elif table == "review_litigation":
        spec.review_text[rest] = text
    else:
        spec.active_text[rest] = text


def _pick(rng: random.Random, keys: list[str], k: int, prefer: Callable[[str], bool]) -> list[str]:
    good = [key for key in keys if prefer(key)] or keys
    return rng.sample(good, min(k, len(good)))


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def _money_key(spec: Spec) -> str:
    return "fees.amount_10k_yuan" if spec.template == "2021" else "procurement.amount_10k_yuan"


# --------------------------------------------------------------------------- columns by header


def _applicant_header(order: tuple[str, ...], rowspan: bool) -> list[list[GCell]]:
    h = APPLICANT_HEADERS
    top = [GCell(KEEP_CHECK, cs=3, rs=3, kind="header"), GCell(APPLICANTS_GROUP, cs=7, kind="header")]
    second: list[GCell] = []
    third: list[GCell] = []
    for c in order:
        if c in v.ORG_APPLICANTS:
            if not any(x.text == ORG_GROUP for x in second):
                second.append(GCell(ORG_GROUP, cs=5, kind="header"))
            third.append(GCell(h[c], kind="header"))
        else:
            second.append(GCell(h[c], rs=2 if rowspan else 1, kind="header"))
            if not rowspan:
                third.append(GCell("", kind="header"))
    return [top, second, third]


def _reorder_applicants(order: tuple[str, ...]) -> TableEdit:
    def edit(table: GTable, spec: Spec, rng: random.Random) -> GTable:
        if table.name != "applications":
            return table
        rowspan = table.rows[1][0].rs == 2
        rows = _applicant_header(order, rowspan)
        for cells in table.rows[3:]:
            values = {c.key.rsplit(".", 1)[1]: c for c in cells if c.kind == "value" and c.key and c.cs == 1}
            labels = [c for c in cells if c.kind != "value"]
            if len(values) != 7:  # a merged all-zero row: the same in any order
                rows.append(list(cells))
                continue
            rows.append(labels + [values[c] for c in order])
        return GTable(table.name, table.width, rows)

    return edit


SWAPPED = tuple({"commercial_enterprise": "legal_service_org", "legal_service_org": "commercial_enterprise"}.get(c, c)
                for c in v.APPLICANTS)
TOTAL_FIRST = ("total", *v.APPLICANTS[:6])


def _review_after_first(table: GTable, spec: Spec, rng: random.Random) -> GTable:
    if table.name != "review":
        return table
    rows = [list(r) for r in table.rows]
    second = rows[1]
    rows[1] = [*second[:-2], second[-1], second[-2]]  # 复议后起诉 block header before 未经复议直接起诉
    values = rows[-1]
    rows[-1] = values[:5] + values[10:15] + values[5:10]
    return GTable(table.name, table.width, rows)


# --------------------------------------------------------------------------- cell grammar

CIRCLED = "①②③④⑤⑥⑦⑧⑨"


def _footnote_circled(spec: Spec, rng: random.Random) -> list[str]:
    keys = _pick(rng, _printed_value_keys(spec), rng.randint(1, 3), lambda k: (_value(spec, k) or 0) > 0)
    for n, key in enumerate(keys):
        mark = rng.choice((CIRCLED[n], "*", f"[{n + 1}]", "※"))
        _set_text(spec, key, f"{_value(spec, key)}{mark}")
    return [f"Footnote marks glued to the numbers of {', '.join(keys)} (values as printed without the mark)."]


def _markup_edit(kind: str) -> SpecEdit:
    def edit(spec: Spec, rng: random.Random) -> list[str]:
        keys = _pick(rng, _printed_value_keys(spec), rng.randint(1, 3), lambda k: (_value(spec, k) or 0) > 0)
        for n, key in enumerate(keys):
            number = _value(spec, key)
            if kind == "sup":
                spec.markup[key] = f"{number}<sup>{n + 1}</sup>"
            elif kind == "hidden":
                hidden = f'<span style="display:none">{rng.randint(1, 9)}</span>'
                spec.markup[key] = f"{hidden}{number}" if rng.random() < 0.5 else f"{number}{hidden}"
            else:
                spec.markup[key] = f'<![if !supportLists]><span style="mso-list:Ignore">{n + 1}.</span><![endif]>{number}'
        return [f"HTML {kind} markup in the cells {', '.join(keys)} (values as a browser shows them without it)."]

    return edit


_CN = "〇一二三四五六七八九"


def _chinese_digits(spec: Spec, rng: random.Random) -> list[str]:
    keys = _printed_value_keys(spec)
    pick = _pick(rng, keys, rng.randint(1, 2), lambda k: (_value(spec, k) or 0) >= 100) if keys else []
    for key in pick:
        _set_text(spec, key, "".join(_CN[int(d)] for d in str(_value(spec, key))))
    return [f"Digit-by-digit Chinese numerals (一〇一 = 101) in {', '.join(pick)}."]


_SINGLE_METRIC = ("licensing.decisions", "punishment.decisions", "enforcement.decisions")


def _thousands(spec: Spec, rng: random.Random) -> list[str]:
    keys = [k for k in _SINGLE_METRIC if k in spec.active]
    for key in keys:
        if not isinstance(spec.active[key], int) or spec.active[key] < 1000:  # type: ignore[operator]
            spec.active[key] = rng.randint(1000, 99_999)
        spec.active_text[key] = f"{spec.active[key]:,} "
    return [f"Thousands separators in 表二 ({', '.join(f'{spec.active[k]:,}' for k in keys)}), each followed by a space."]


# --------------------------------------------------------------------------- units


def _money_in(unit: str, where: str) -> SpecEdit:
    factor = {"元": Decimal(10_000), "亿元": Decimal(1) / Decimal(10_000)}[unit]

    def edit(spec: Spec, rng: random.Random) -> list[str]:
        key = _money_key(spec)
        value = spec.active[key]
        if value is None:
            return []
        if spec.active_text[key].endswith("元"):  # already printed in 元 in the cell (golden raw_text)
            spec.unit_notes[key] = ("元", where)
            return [f"表二 money cell printed with its unit {spec.active_text[key]!r}; the {where} says 元 too."]
        spec.active_text[key] = _plain(Decimal(str(value)) * factor)
        spec.unit_notes[key] = (unit, where)
        return [f"表二 {key} printed in {unit} ({spec.active_text[key]!r}) with the unit in the {where}; golden in 万元."]

    return edit


def _unit_table(table: GTable, spec: Spec, rng: random.Random) -> GTable:
    """Put the unit note of `spec.unit_notes` into the metric header or the row label."""
    if table.name != "active" or not spec.unit_notes:
        return table
    (key, (unit, where)), = spec.unit_notes.items()
    rows = [list(r) for r in table.rows]
    o, c = ("（", "）") if rng.random() < 0.7 else ("(", ")")
    for r, cells in enumerate(rows):
        keys = [x.key for x in cells if x.kind == "value"]
        if f"active_disclosure.{key}" not in keys:
            continue
        if where == "row label":
            label = cells[0]
            cells[0] = GCell(f"{label.text}{o}{unit}{c}", label.cs, label.rs, label.kind)
            return GTable(table.name, table.width, rows)
        header = rows[r - 1]  # the 信息内容 row of this 第二十条 item
        slot = keys.index(f"active_disclosure.{key}") + 1
        cell = header[slot]
        text = cell.text
        for old in ("（单位：万元）", "(单位：万元)", "（万元）"):
            text = text.replace(old, "")
        header[slot] = GCell(f"{text}{o}单位：{unit}{c}", cell.cs, cell.rs, cell.kind)
        return GTable(table.name, table.width, rows)
    return table


def _procurement_run(spec: Spec, rng: random.Random) -> list[str]:
    if spec.active["procurement.items"] in (None, 0):
        spec.active["procurement.items"] = rng.randint(1, 9)
        spec.active_text["procurement.items"] = str(spec.active["procurement.items"])
    yuan = Decimal(rng.randint(1_000, 90_000_000))
    spec.active["procurement.amount_10k_yuan"] = float(yuan / 10_000) if yuan % 10_000 else int(yuan / 10_000)
    spec.active_text["procurement.amount_10k_yuan"] = f"{yuan}元"
    spec.raw_text["active_disclosure.procurement.amount_10k_yuan"] = f"{yuan}元"
    return [f"Crawler procurement: count {spec.active['procurement.items']} runs into the amount {yuan}元."]


# --------------------------------------------------------------------------- layout


def _repeat_header(table: GTable, spec: Spec, rng: random.Random) -> GTable:
    """A page break that repeats 表三's three header rows mid-table, as Word prints a table split
    over pages: inside 三、本年度办理结果 (its vertical cell split in two, the second part empty)
    at a group boundary, or before 四、结转下年度继续办理."""
    if table.name != "applications":
        return table
    rows = [list(r) for r in table.rows]
    head = [list(r) for r in rows[:3]]
    first = next(i for i, r in enumerate(rows) if r and r[0].text == RESULT_SECTION)
    section = rows[first][0]
    last = first + section.rs  # first row after the results block (四、)
    starts = [i for i in range(first + 1, last) if rows[i][0].rs > 1 or rows[i][0].cs == 2]
    at = rng.choice([*starts, last])
    if at < last:
        rows[first][0] = GCell(section.text, section.cs, at - first, section.kind)
        rows[at] = [GCell("", 1, last - at, "label"), *rows[at]]
    spec.notes.append(f"表三 header rows repeated before body row {at - 3} (page-break style).")
    return GTable(table.name, table.width, rows[:at] + head + rows[at:])


def _blank_total(spec: Spec, rng: random.Random) -> list[str]:
    rows = [r for r in ("granted", "partially_granted") if r in spec.apps]
    for row in rows:
        spec.apps[row]["total"] = None
        spec.apps_text[row]["total"] = spec.null_text
    return ["表三 三(一)/三(二) printed with a blank 总计 cell (null); the six applicant cells are printed."]


def _label_span_pipe(table: GTable, spec: Spec, rng: random.Random) -> GTable:
    """Pipe text from a converter that keeps a spanning label's covered grid slots as empty cells."""
    if table.name != "applications":
        return table
    rows = []
    for cells in table.rows:
        out: list[GCell] = []
        for c in cells:
            out.append(c)
            if c.kind == "label" and c.cs > 1:
                out += [GCell("", kind="label") for _ in range(c.cs - 1)]
        rows.append(out)
    return GTable(table.name, table.width, rows)


# --------------------------------------------------------------------------- pages


def _unclosed_embed(page: bytes, spec: Spec, rng: random.Random) -> bytes:
    embed = rng.choice((
        '<embed src="/flash/player.swf" width="600" height="400" type="application/x-shockwave-flash">',
        '<object width="600" height="80"><embed src="/audio/report.mp3" autostart="false">',
        '<embed src="/attach/nb.pdf" type="application/pdf" width="100%" height="600px">',
    ))
    anchor = b'<div id="zoom"'
    if anchor in page:
        return page.replace(anchor, embed.encode() + b"\n" + anchor, 1)
    return embed.encode() + b"\n" + page


def _one_line(page: bytes, spec: Spec, rng: random.Random) -> bytes:
    return page.replace(b"\r", b"").replace(b"\n", rng.choice((b"", b" ")))


def _has_apps(spec: Spec) -> bool:
    return not spec.merged_rows


VARIATIONS: tuple[Variation, ...] = (
    Variation("applicant_order_swap", "columns", GRID_FORMATS,
              "表三 applicant columns 商业企业 and 法律服务机构 swapped (header and values together).",
              table=_reorder_applicants(SWAPPED)),
    Variation("applicant_order_total_first", "columns", GRID_FORMATS,
              "表三 总计 column printed first, before 自然人.", table=_reorder_applicants(TOTAL_FIRST)),
    Variation("review_after_first", "columns", GRID_FORMATS,
              "表四 复议后起诉 block printed before 未经复议直接起诉.", table=_review_after_first),
    Variation("footnote_glued", "cell_grammar", CELL_FORMATS,
              "Footnote marks glued to numbers: `1234①`, `56*`, `7[1]`, `8※`.", spec=_footnote_circled),
    Variation("footnote_sup", "cell_grammar", ("html",),
              "HTML superscript footnote in a value cell: `87<sup>2</sup>`.", spec=_markup_edit("sup")),
    Variation("hidden_span", "cell_grammar", ("html",),
              "A `display:none` span inside a value cell.", spec=_markup_edit("hidden")),
    Variation("word_list_marker", "cell_grammar", ("html",),
              "A Word `<![if !supportLists]>1.<![endif]>` list marker before a value.", spec=_markup_edit("mso")),
    Variation("chinese_digits", "cell_grammar", CELL_FORMATS,
              "Digit-by-digit Chinese numerals with 〇 (一〇一).", spec=_chinese_digits),
    Variation("thousands_crawler", "cell_grammar", ("text-crawler",),
              "Crawler text with thousands separators in 表二: `行政许可3,517 行政处罚1,208`.", spec=_thousands,
              applies=lambda s: s.template == "2021"),
    Variation("unit_yuan_header", "units", CELL_FORMATS,
              "表二 money metric printed in 元 with `（单位：元）` in its header.", spec=_money_in("元", "header"),
              table=_unit_table),
    Variation("unit_yiyuan_header", "units", CELL_FORMATS,
              "表二 money metric printed in 亿元 with `（单位：亿元）` in its header.", spec=_money_in("亿元", "header"),
              table=_unit_table),
    Variation("unit_row_label", "units", CELL_FORMATS,
              "表二 money metric printed in 元 with the unit in the row label (`政府集中采购（元）`).",
              spec=_money_in("元", "row label"), table=_unit_table),
    Variation("procurement_run", "units", ("text-crawler",),
              "Crawler 2019 表二: procurement count run into its amount (`31274000元` = 3 items, 1274000元).",
              spec=_procurement_run, applies=lambda s: s.template == "2019"),
    Variation("pipe_label_span", "pipe_spans", ("text-pipe",),
              "Pipe text keeping the covered slots of a spanning 表三 label as empty cells.",
              table=_label_span_pipe),
    Variation("dump_tab", "text_dumps", ("text-tab",), "Browser innerText / copy-paste: cells apart by tabs."),
    Variation("dump_box", "text_dumps", ("text-box",), "`w3m -dump`: box-drawing grid, long labels wrapped."),
    Variation("dump_cells", "text_dumps", ("text-cells",), "Plain `pdftotext`: one cell per line."),
    Variation("dump_grid", "text_dumps", ("text-grid",), "pandoc grid tables (`+---+`, `|`, `+===+`)."),
    Variation("wrapped_labels", "text_dumps", ("text-grid-narrow",),
              "Grid tables with a narrow label column: every long label wraps over several lines."),
    Variation("one_line_body", "one_line_body", ("text-pipe", "text-tab"),
              "The whole page on one line (line breaks lost, replaced by nothing or a space).", page=_one_line),
    Variation("repeated_header", "layout_labels", GRID_FORMATS,
              "表三 header rows repeated mid-table (page break).", table=_repeat_header, applies=_has_apps),
    Variation("blank_total_granted", "layout_labels", GRID_FORMATS,
              "表三 三(一)/三(二) with a blank 总计 cell.", spec=_blank_total,
              applies=lambda s: _has_apps(s) and s.apps["granted"]["total"] is not None),
    Variation("unclosed_embed", "html", ("html",), "An unclosed `<embed …>` before the article.", page=_unclosed_embed),
)
BY_NAME: dict[str, Variation] = {x.name: x for x in VARIATIONS}


def variation_cases(n: int, seed: int, names: tuple[str, ...] | None = None) -> Iterator[tuple[str, int, str]]:
    """(variation, index, format) for n reports, round robin over the variations and their
    formats; indices where a variation does not apply are skipped (deterministic)."""
    from disclosure.synth.spec import build_spec

    chosen = [BY_NAME[x] for x in names] if names else list(VARIATIONS)
    next_index = dict.fromkeys((x.name for x in chosen), 0)
    made = dict.fromkeys((x.name for x in chosen), 0)
    for i in range(n):
        var = chosen[i % len(chosen)]
        fmt = var.formats[made[var.name] % len(var.formats)]
        index = next_index[var.name]
        while var.applies is not None and not var.applies(build_spec(seed, index, fmt)):
            index += 1
        next_index[var.name] = index + 1
        made[var.name] += 1
        yield var.name, index, fmt
