"""Text dumps of a report page as common tools make them (issue 9, "text forms that crawlers
and converters make"):

* `text-tab` — browser innerText / copy-paste: one line per table row, origin cells apart by tabs;
* `text-box` — `w3m -dump`: a box-drawing grid (┌─┬─┐ │ ├─┼─┤ └─┴─┘), long labels wrapped
  inside their column;
* `text-cells` — plain `pdftotext`: every non-empty cell on its own line;
* `text-grid` / `text-grid-narrow` — pandoc grid tables (`+---+`, `|`, `+===+` under the head);
  the narrow form wraps every long label over several lines.

Spans are drawn as the tools draw them: a colspan is one wide cell, a rowspan prints its text
in its first row and leaves the rows below empty with no rule between them.
"""

from __future__ import annotations

import random
import unicodedata

from disclosure.synth.document import Block, GTable, expand
from disclosure.synth.spec import Spec

Rendered = tuple[bytes, list[str], list[str]]


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, limit: int) -> list[str]:
    """Cut text into lines of at most `limit` display columns (CJK = 2)."""
    if not text:
        return [""]
    lines, line, used = [], "", 0
    for ch in text:
        w = width(ch)
        if used + w > limit and line:
            lines.append(line)
            line, used = "", 0
        line += ch
        used += w
    lines.append(line)
    return lines


# ---------------------------------------------------------------- tab-separated
def tab_lines(table: GTable) -> list[str]:
    return ["\t".join(c.text for c in cells) for cells in table.rows]


# ---------------------------------------------------------------- boxes
BOX = {"h": "─", "v": "│", "x": "┼", "tl": "┌", "tm": "┬", "tr": "┐", "ml": "├", "mr": "┤", "bl": "└", "bm": "┴",
       "br": "┘", "head": "─"}
ASCII = {"h": "-", "v": "|", "x": "+", "tl": "+", "tm": "+", "tr": "+", "ml": "+", "mr": "+", "bl": "+", "bm": "+",
         "br": "+", "head": "="}


def boxed(table: GTable, chars: dict[str, str], label_cap: int, value_cap: int = 10) -> list[str]:
    grid = expand(table)
    n = table.width
    widths = [2] * n
    for slots in grid:
        for j, (cell, origin) in enumerate(slots):
            if cell is not None and origin and cell.cs == 1:
                cap = label_cap if cell.kind != "value" else value_cap
                widths[j] = max(widths[j], min(cap, width(cell.text)))
    # origin row of each slot's cell, to know where a rowspan continues
    first_row: dict[int, int] = {}
    for r, slots in enumerate(grid):
        for cell, _ in slots:
            if cell is not None:
                first_row.setdefault(id(cell), r)

    def cell_width(j: int, cs: int) -> int:
        return sum(widths[j:j + cs]) + 3 * (cs - 1)

    def continued(upper: int | None, lower: int | None, j: int) -> bool:
        """Whether a rowspan runs on across this rule at column j (no line drawn there)."""
        if upper is None or lower is None:
            return False
        cell = grid[lower][j][0]
        return cell is not None and first_row.get(id(cell)) != lower

    def rule(upper: int | None, lower: int | None) -> str:
        top, bottom = upper is None, lower is None
        out = chars["v"] if continued(upper, lower, 0) else chars["tl"] if top else chars["bl"] if bottom else chars["ml"]
        for j in range(n):
            here = continued(upper, lower, j)
            fill = " " if here else (chars["head"] if upper == head_end else chars["h"])
            out += fill * (widths[j] + 2)
            if j == n - 1:
                break
            nxt = continued(upper, lower, j + 1)
            boundary = any(grid[x][j][0] is not grid[x][j + 1][0] for x in (upper, lower) if x is not None)
            if here and nxt:
                out += chars["v"] if boundary else " "
            elif here:
                out += chars["ml"]
            elif nxt:
                out += chars["mr"]
            elif boundary:
                out += chars["tm"] if top else chars["bm"] if bottom else chars["x"]
            else:
                out += fill
        last = continued(upper, lower, n - 1)
        return out + (chars["v"] if last else chars["tr"] if top else chars["br"] if bottom else chars["mr"])

    head_end = max((r for r, cells in enumerate(table.rows) if cells and all(c.kind == "header" for c in cells)),
                   default=-1)
    lines = [rule(None, 0)]
    for r, slots in enumerate(grid):
        content: list[tuple[int, int, list[str]]] = []  # (col, cs, lines)
        j = 0
        while j < n:
            cell, origin = slots[j]
            cs = cell.cs if cell is not None and origin else 1
            if cell is not None and not origin:  # covered by a colspan (or a rowspan from above)
                cs = 1
                k = j + 1
                while k < n and slots[k][0] is cell:
                    cs += 1
                    k += 1
            text = cell.text if cell is not None and first_row.get(id(cell)) == r and (origin or slots[j][0] is not None) else ""
            content.append((j, cs, wrap(text, cell_width(j, cs))))
            j += cs
        height = max(len(x[2]) for x in content)
        for h in range(height):
            line = chars["v"]
            for j, cs, texts in content:
                t = texts[h] if h < len(texts) else ""
                line += " " + t + " " * (cell_width(j, cs) - width(t)) + " " + chars["v"]
            lines.append(line)
        lines.append(rule(r, r + 1 if r + 1 < len(grid) else None))
    return lines


# ---------------------------------------------------------------- one cell per line
def cell_lines(table: GTable, rng: random.Random) -> list[str]:
    out: list[str] = []
    for cells in table.rows:
        for c in cells:
            if not c.text:
                continue
            if c.kind != "value" and width(c.text) > 30 and rng.random() < 0.5:
                out += wrap(c.text, 30)  # a long label broken over two text lines
            else:
                out.append(c.text)
    return out


# ---------------------------------------------------------------- renderers
def _render(spec: Spec, doc: list[Block], rng: random.Random, table_lines, note: str) -> Rendered:
    lines: list[str] = []
    for kind, item in doc:
        if kind == "table":
            lines += table_lines(item)
        else:
            lines.append(str(item))
        if kind in ("table", "heading") and rng.random() < 0.5:
            lines.append("")
    return "\n".join(lines).encode("utf-8"), [note], []


def render_tab(spec: Spec, doc: list[Block], rng: random.Random) -> Rendered:
    return _render(spec, doc, rng, tab_lines, "Browser innerText / copy-paste: table cells apart by tabs, one row per line.")


def render_box(spec: Spec, doc: list[Block], rng: random.Random) -> Rendered:
    cap = rng.choice((16, 20, 24))
    return _render(spec, doc, rng, lambda t: boxed(t, BOX, cap),
                   f"w3m -dump style box-drawing grid; labels wrapped at {cap} display columns.")


def render_cells(spec: Spec, doc: list[Block], rng: random.Random) -> Rendered:
    return _render(spec, doc, rng, lambda t: cell_lines(t, rng), "Plain pdftotext: one table cell per line.")


def render_grid(spec: Spec, doc: list[Block], rng: random.Random) -> Rendered:
    return _render(spec, doc, rng, lambda t: boxed(t, ASCII, 60, 12), "pandoc grid tables.")


def render_grid_narrow(spec: Spec, doc: list[Block], rng: random.Random) -> Rendered:
    cap = rng.choice((8, 10, 12))
    return _render(spec, doc, rng, lambda t: boxed(t, ASCII, cap, 8),
                   f"pandoc grid tables with labels wrapped at {cap} display columns.")


__all__ = ["render_box", "render_cells", "render_grid", "render_grid_narrow", "render_tab"]
