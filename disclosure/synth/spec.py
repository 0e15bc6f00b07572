"""What one synthetic report prints: identity, printed cell texts and golden values.

`build_spec(seed, index, fmt)` draws every choice from one RNG seeded by (seed, index), so
report i is the same whatever n or the other formats are. The golden values are the
printed numbers (blank → None) — never derived from any parser.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from disclosure import vocabulary as v
from disclosure.synth import names, values
from disclosure.synth.labels import LabelStyle, random_label_style
from disclosure.synth.values import AppTable, as_number

FORMATS: tuple[str, ...] = ("html", "text-pipe", "text-layout", "text-crawler", "markdown")
EXTENSIONS: dict[str, str] = {
    "html": "html", "text-pipe": "txt", "text-layout": "txt", "text-crawler": "txt", "markdown": "md", "docx": "docx",
    # dump formats of issue 9 (opt-in, never in the default round robin)
    "text-tab": "txt", "text-box": "txt", "text-cells": "txt", "text-grid": "txt", "text-grid-narrow": "txt",
}
# Which blank styles each format can print without losing cell positions.
BLANK_STYLES: dict[str, tuple[tuple[str, float], ...]] = {
    "html": (("full", 0.38), ("blank_zero", 0.18), ("total_blank_results", 0.1), ("only_total", 0.08),
             ("org_blank", 0.12), ("dash_zero", 0.14)),
    "markdown": (("full", 0.5), ("blank_zero", 0.2), ("only_total", 0.08), ("org_blank", 0.1), ("dash_zero", 0.12)),
    "text-pipe": (("full", 0.45), ("blank_zero", 0.2), ("merged_zero", 0.2), ("dash_zero", 0.15)),
    "text-layout": (("full", 0.75), ("dash_zero", 0.25)),
    "text-crawler": (("full", 1.0),),
    "docx": (("full", 0.5), ("blank_zero", 0.25), ("dash_zero", 0.25)),
    "text-tab": (("full", 0.5), ("blank_zero", 0.25), ("dash_zero", 0.25)),
    "text-box": (("full", 0.5), ("blank_zero", 0.25), ("dash_zero", 0.25)),
    "text-cells": (("full", 0.75), ("dash_zero", 0.25)),  # one cell per line: a blank cell leaves no trace
    "text-grid": (("full", 0.5), ("blank_zero", 0.25), ("dash_zero", 0.25)),
    "text-grid-narrow": (("full", 0.5), ("blank_zero", 0.25), ("dash_zero", 0.25)),
}
DASHES = ("-", "—", "/", "无", "－")
BREAK_RATE = 0.06
OUTCOME_ROWS = frozenset(v.OUTCOME_ROWS_2021) | {"other_handling"}


@dataclass
class Spec:
    seed: int
    index: int
    fmt: str
    name: str
    agency: names.Agency
    year: int
    template: str  # "2019" or "2021" (table 二 headers and table 三 layout agree here)
    one_row_other: bool  # table 三 prints 三(六) 其他处理 as one row
    title: str
    title_has_agency: bool
    published: str
    labels: LabelStyle
    blank_style: str
    null_text: str  # how this report prints a blank cell ("" for empty, or a dash)
    # Golden values (printed numbers, None for blanks) and the text printed in each cell.
    active: dict[str, int | float | None]
    active_text: dict[str, str]
    apps: AppTable  # rows in printed order
    apps_text: dict[str, dict[str, str]]
    review: dict[str, int | None]
    review_text: dict[str, str]
    merged_rows: frozenset[str] = frozenset()  # pipe: rows printed as one merged "0"
    raw_text: dict[str, str] = field(default_factory=dict)
    breaks: list[str] = field(default_factory=list)  # identities deliberately violated
    notes: list[str] = field(default_factory=list)
    true_new_total: int = 0
    # Variations (disclosure.synth.variations): raw HTML for some value cells (key -> markup),
    # and the unit printed outside a 表二 money cell (key -> (unit, "header" | "row label")).
    markup: dict[str, str] = field(default_factory=dict)
    unit_notes: dict[str, tuple[str, str]] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random, repr=False)


def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random() * sum(p for _, p in options)
    for name, p in options:
        if roll < p:
            return name
        roll -= p
    return options[-1][0]


def _cell(value: int | float | None, null_text: str) -> str:
    return null_text if value is None else str(value)


def _blank_applications(table: AppTable, style: str) -> AppTable:
    if style == "full":
        return {row: dict(cells) for row, cells in table.items()}
    out: AppTable = {}
    for row, cells in table.items():
        printed: dict[str, int | None] = {}
        for col, val in cells.items():
            blank = (
                (style in ("blank_zero", "dash_zero", "total_blank_results") and val == 0)
                or (style == "only_total" and col != "total")
                or (style == "org_blank" and col in v.ORG_APPLICANTS)
                or (style == "total_blank_results" and col == "total" and row in OUTCOME_ROWS)
            )
            printed[col] = None if blank else val
        out[row] = printed
    return out


def _merged_zero(table: AppTable) -> tuple[AppTable, frozenset[str]]:
    """Seed style (xining): all-zero table; top rows print one merged 0, sub-rows nothing."""
    merged = {"new_received", "carried_over", "granted", "partially_granted", "carried_forward"}
    out: AppTable = {}
    for row, cells in table.items():
        if row in merged or row == "results_total":
            out[row] = dict.fromkeys(cells, 0)
        else:
            out[row] = dict.fromkeys(cells, None)
    return out, frozenset(merged)


def _break(rng: random.Random, apps: AppTable, review: dict[str, int | None]) -> str | None:
    """Violate one identity the way real reports do; returns the note or None."""
    kind = rng.choice(("results_total", "carried_forward", "review_total"))
    parts = [review[f"review.{o}"] or 0 for o in ("upheld", "corrected", "other", "pending")]
    if kind == "review_total" and sum(parts) > 0:
        review["review.total"] = 0
        return (f"SOURCE VIOLATES 表四 identity (deliberate): 行政复议 parts sum to {sum(parts)} but 总计 printed 0. "
                "Printed numbers kept.")
    row = "results_total" if kind == "results_total" else "carried_forward"
    delta = rng.choice((-6, -3, -2, -1, 1, 2, 4, 7))
    np_val, total = apps[row]["natural_person"], apps[row]["total"]
    if np_val is None or total is None or np_val + delta < 0:
        delta = abs(delta)
    if np_val is None or total is None:
        return None
    apps[row]["natural_person"] = np_val + delta
    apps[row]["total"] = total + delta
    what = "三(七) 总计" if row == "results_total" else "四 结转下年度继续办理"
    return (f"SOURCE VIOLATES 表三 identities (deliberate): {what} printed {np_val + delta}/{total + delta} "
            f"(natural_person/total) where the report's own rows give {np_val}/{total}. Printed numbers kept.")


def _print_active(rng: random.Random, spec_fmt: str, template: str, size: str, agency: names.Agency,
                  blank_zero: bool, null_text: str) -> tuple[dict, dict, dict, list[str]]:
    true = values.true_active(rng, template, size, agency.is_government)
    golden: dict[str, int | float | None] = {}
    text: dict[str, str] = {}
    raw: dict[str, str] = {}
    notes: list[str] = []
    textual = spec_fmt in ("html", "markdown", "text-pipe", "docx")
    for key, val in true.items():
        if key == "procurement.amount_10k_yuan":
            if rng.random() < 0.6:
                yuan = Decimal(rng.randint(0, 90_000_000)) if rng.random() < 0.85 else Decimal(0)
                if rng.random() < 0.4:
                    yuan += Decimal(rng.randint(0, 99)) / 100
                    yuan = yuan.quantize(Decimal("0.01"))
                printed = f"{yuan}元"
                golden[key] = values.yuan_to_10k(yuan)
                text[key], raw[f"active_disclosure.{key}"] = printed, printed
                notes.append(f"Procurement amount printed in yuan '{printed}' -> {golden[key]} 万元.")
            else:
                amount = Decimal(rng.randint(0, 9000_0000)) / 10000
                golden[key], text[key] = as_number(amount.normalize()), str(amount.normalize())
            continue
        number = as_number(val)
        if blank_zero and number == 0:
            golden[key], text[key] = None, null_text
            continue
        golden[key] = number
        text[key] = str(val)
        if key.endswith(".change") and isinstance(number, int) and number > 0 and textual and rng.random() < 0.3:
            text[key] = f"+{number}"
    if template == "2021" and textual and rng.random() < 0.1:
        key, fmt = rng.choice((("regulations.issued", "{v}（其中修订{k}件）"),
                               ("normative_documents.abolished", "{v}（含自然失效{k}件）"),
                               ("normative_documents.issued", "{v}（其中修订{k}件）")))
        number = golden[key]
        if isinstance(number, int) and number > 1:
            text[key] = fmt.format(v=number, k=rng.randint(1, number - 1))
            raw[f"active_disclosure.{key}"] = text[key]
            notes.append(f"Table 二 cell with an annotation '{text[key]}' (value {number}).")
    return golden, text, raw, notes


def build_spec(seed: int, index: int, fmt: str) -> Spec:
    rng = random.Random(f"disclosure.synth:{seed}:{index}")
    agency = names.random_agency(rng)
    year = rng.randint(2019, 2025)
    template = "2019" if year <= 2020 else "2021"
    one_row_other = template == "2019" or rng.random() < 0.1
    blank_style = _weighted(rng, BLANK_STYLES[fmt])
    size, n_new = values.pick_size(rng)
    if blank_style == "merged_zero":
        size, n_new = "none", 0
    org_share = 0.0 if blank_style == "org_blank" or rng.random() < 0.3 else rng.uniform(0, 0.15)
    true_apps = values.true_applications(rng, n_new, org_share)
    review_true = values.true_review(rng, size, n_new)
    if blank_style == "merged_zero":
        review_true = dict.fromkeys(review_true, 0)
    null_text = rng.choice(DASHES) if blank_style == "dash_zero" else ""

    layout = values.one_row_other(true_apps) if one_row_other else true_apps
    merged: frozenset[str] = frozenset()
    if blank_style == "merged_zero":
        apps, merged = _merged_zero(layout)
    else:
        apps = _blank_applications(layout, blank_style)
    review: dict[str, int | None] = {
        k: (None if blank_style in ("blank_zero", "dash_zero", "total_blank_results") and val == 0 else val)
        for k, val in review_true.items()
    }
    breaks: list[str] = []
    if blank_style == "full" and rng.random() < BREAK_RATE:
        note = _break(rng, apps, review)
        if note:
            breaks.append(note)

    blank_active = blank_style in ("blank_zero", "dash_zero") and rng.random() < 0.4
    active, active_text, raw, active_notes = _print_active(rng, fmt, template, size, agency, blank_active, null_text)
    with_agency = rng.random() < 0.8
    title = names.title_for(rng, agency.name, year, with_agency)
    published = f"{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
    spec = Spec(
        seed=seed, index=index, fmt=fmt,
        name=f"synth-{seed}-{index:06d}.{EXTENSIONS[fmt]}",
        agency=agency, year=year, template=template, one_row_other=one_row_other,
        title=title, title_has_agency=with_agency, published=published,
        labels=random_label_style(rng), blank_style=blank_style, null_text=null_text,
        active=active, active_text=active_text,
        apps=apps, apps_text={r: {c: _cell(x, null_text) for c, x in cells.items()} for r, cells in apps.items()},
        review=review, review_text={k: _cell(x, null_text) for k, x in review.items()},
        merged_rows=merged, raw_text=raw, breaks=breaks, notes=active_notes,
        true_new_total=true_apps["new_received"]["total"] or 0, rng=rng,
    )
    return spec
