"""Which HTML engine, and where an HTML report's parse time goes (CPU time, one core).

    .venv/bin/python bench/bench_html_engine.py                 # the corpus's HTML pages
    .venv/bin/python bench/bench_html_engine.py --n 60 --rounds 5

1. **Engine comparison** on the same decoded pages, the same work: parse the page and build the
   table grid (every `<td>`/`<th>` of every table as `(table, row, col, colspan, text)`, colspan/
   rowspan expanded as the reader does), whitespace collapsed. The two grids are checked equal
   before anything is timed, so each engine is measured doing the same job:
   * `floor`: speed_floor.py's floor (lxml.html.fromstring + `text_content()` per cell);
   * `lxml`: libxml2 via lxml.etree, cells read with `tostring(method="text")` (C-level);
   * `lexbor`: selectolax's lexbor backend, cells read with `node.text()`;
   * each engine's bare parse, to separate parsing from walking.
2. **Breakdown of one HTML report** through the real code: decode + `read_html` (the reader),
   `tables.extract`, the rest of `parse_bytes` (identity, checks), and `frames_for` +
   `validate_frames` (batch frames + pandera) per report, against the floor per report.
3. **The reader's own phases**, `read_html`'s steps run one by one: decode, the lxml parse, the
   source gates and the passes they open, `_complex_elements`, the walk (`_Reader.flow`:
   paragraphs and the table grid) and the rest (image-table check, title, meta). This is what
   an engine port could save: only the parse is the engine's, the walk is Python per node in
   either engine (selectolax wraps each node in a Python object as lxml does).

Median of `--rounds` rounds; the machine is shared, so compare ratios, not absolute ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import lxml.html
from lxml import etree

from disclosure.batch import frames_for, validate_frames
from disclosure.parse import parse_bytes
from disclosure.readers import html as html_reader
from disclosure.readers.encoding import declared_charset, decode, decode_to_utf8
from disclosure.readers.html import read_html
from disclosure.tables import extract

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reports"
PAGES = ["sh-gov-office-2019.html", "shuyang-fgj-2023.html", "synthetic-ceshishi-2025.html"]

Grid = list[tuple[int, int, int, int, str]]


def _expand(tables: list[list[list[tuple[int, int, str]]]]) -> Grid:
    """(colspan, rowspan, text) rows per table → grid cells with their origin column."""
    out: Grid = []
    for t, rows in enumerate(tables):
        covered: dict[int, int] = {}  # col → rows still covered
        for r, row in enumerate(rows):
            col = 0
            for colspan, rowspan, text in row:
                while covered.get(col, 0) > 0:
                    col += 1
                out.append((t, r, col, colspan, text))
                if rowspan > 1:
                    for c in range(col, col + colspan):
                        covered[c] = rowspan
                col += colspan
            covered = {c: n - 1 for c, n in covered.items() if n > 1}
    return out


def _int(v: str | None) -> int:
    return int(v) if v and v.strip().isdigit() else 1


def grid_floor(data: bytes) -> int:
    root = lxml.html.fromstring(data)
    return sum(1 for td in root.iter("td", "th") if td.text_content() is not None)


def grid_lxml(text: str) -> Grid:
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True)
    root = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser)
    tostring = etree.tostring
    tables = []
    for tbl in root.iter("table"):
        rows = []
        for tr in tbl.iter("tr"):
            if tr.getparent() is not tbl and tr.getparent().getparent() is not tbl:
                continue  # a nested table's row
            rows.append([
                (_int(td.get("colspan")), _int(td.get("rowspan")),
                 " ".join(tostring(td, method="text", encoding="unicode", with_tail=False).split()))
                for td in tr if td.tag in ("td", "th")
            ])
        tables.append(rows)
    return _expand(tables)


def grid_lexbor(text: str) -> Grid:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    tables = []
    for tbl in tree.css("table"):
        rows = []
        for tr in tbl.css("tr"):
            owner = tr.parent
            while owner is not None and owner.tag != "table":
                owner = owner.parent
            if owner is None or owner.mem_id != tbl.mem_id:
                continue
            rows.append([
                (_int(td.attributes.get("colspan")), _int(td.attributes.get("rowspan")),
                 " ".join((td.text(deep=True) or "").split()))
                for td in tr.iter() if td.tag in ("td", "th")
            ])
        tables.append(rows)
    return _expand(tables)


def parse_lxml(text: str) -> object:
    return etree.fromstring(text.encode("utf-8", "surrogatepass"), etree.HTMLParser(encoding="utf-8"))


def parse_lexbor(text: str) -> object:
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(text)


READER_PHASES = ("decode", "parse", "gates", "complex", "walk", "rest")


def reader_phases(data: bytes) -> list[float]:
    """CPU seconds of each of READER_PHASES for one page: read_html's steps, one by one."""
    h = html_reader
    marks = [time.process_time()]
    text, note, raw = decode_to_utf8(data, "", declared=declared_charset(data))
    marks.append(time.process_time())
    root, _ = h._parse(raw, text, "")
    marks.append(time.process_time())
    src, firsts = h._gate_source(data, raw), {}
    if h._gate(src, "hidden", firsts):
        h._drop_hidden(root)
    if h._gate(src, "div_table", firsts):
        h._div_tables(root)
    footnotes = h._footnote_marks(root)
    marks.append(time.process_time())
    complex_ = h._complex_elements(root)
    marks.append(time.process_time())
    reader = h._Reader(notes=[note], complex=complex_, footnotes=footnotes)
    reader.flow(root)
    reader.flush()
    marks.append(time.process_time())
    h._reject_image_tables(root, reader.lines, "")
    h._title(root, reader)
    h._meta(reader.lines)
    marks.append(time.process_time())
    return [b - a for a, b in pairwise(marks)]


def cpu_ms(fn: Callable[[], object], n: int, rounds: int) -> float:
    fn()  # warm
    runs = []
    for _ in range(rounds):
        t = time.process_time()
        for _ in range(n):
            fn()
        runs.append((time.process_time() - t) / n * 1000)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--n", type=int, default=30, help="repetitions per page per round")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    pages = [(name, (a.corpus / name).read_bytes()) for name in PAGES]
    decoded = [(name, data, decode(data, name, declared=declared_charset(data))[0]) for name, data in pages]

    print("1. engine comparison, ms CPU per page (same grid checked equal)")
    print(f"{'page':32} {'floor':>7} {'lxml':>7} {'lexbor':>7} | {'parse lxml':>10} {'parse lexbor':>12}")
    total = dict.fromkeys(("floor", "lxml", "lexbor", "plxml", "plexbor"), 0.0)
    for name, data, text in decoded:
        g1, g2 = grid_lxml(text), grid_lexbor(text)
        if g1 != g2:
            diff = next(i for i, (x, y) in enumerate(zip(g1, g2, strict=False)) if x != y) if len(g1) == len(g2) else None
            print(f"  {name}: grids differ ({len(g1)} vs {len(g2)} cells, first at {diff})")
        row = {
            "floor": cpu_ms(lambda d=data: grid_floor(d), a.n, a.rounds),
            "lxml": cpu_ms(lambda t=text: grid_lxml(t), a.n, a.rounds),
            "lexbor": cpu_ms(lambda t=text: grid_lexbor(t), a.n, a.rounds),
            "plxml": cpu_ms(lambda t=text: parse_lxml(t), a.n, a.rounds),
            "plexbor": cpu_ms(lambda t=text: parse_lexbor(t), a.n, a.rounds),
        }
        for k, v in row.items():
            total[k] += v / len(decoded)
        print(f"{name:32} {row['floor']:7.2f} {row['lxml']:7.2f} {row['lexbor']:7.2f} | {row['plxml']:10.2f} {row['plexbor']:12.2f}")
    print(f"{'mean per report':32} {total['floor']:7.2f} {total['lxml']:7.2f} {total['lexbor']:7.2f} | "
          f"{total['plxml']:10.2f} {total['plexbor']:12.2f}")

    print("\n2. breakdown of an HTML report, ms CPU per report (mean over the pages)")
    docs = [read_html(data, name) for name, data in pages]
    floor = total["floor"]
    reader = statistics.mean(cpu_ms(lambda d=data, n=name: read_html(d, n), a.n, a.rounds) for name, data in pages)
    tables = statistics.mean(cpu_ms(lambda d=doc: extract(d), a.n, a.rounds) for doc in docs)
    whole = statistics.mean(cpu_ms(lambda d=data, n=name: parse_bytes(d, n), a.n, a.rounds) for name, data in pages)
    # Distinct reports (a trailing comment per copy, as speed_floor.py does): duplicates would
    # fail the schema's uniqueness checks and time pandera's failure reporting instead.
    many = [parse_bytes(data + f"<!-- copy {i} -->".encode(), name)
            for i in range(50) for name, data in pages]
    frames_ms = cpu_ms(lambda: frames_for(many), 1, a.rounds) / len(many)
    frames = frames_for(many)
    pandera_ms = cpu_ms(lambda: validate_frames(frames), 1, a.rounds) / len(many)
    rows = [
        ("floor (speed_floor.py)", floor),
        ("reader (decode + read_html)", reader),
        ("tables.extract", tables),
        ("rest of parse_bytes", whole - reader - tables),
        (f"batch frames ({len(many)} reports)", frames_ms),
        ("pandera validation", pandera_ms),
    ]
    total_ms = whole + frames_ms + pandera_ms
    for label, ms in rows:
        print(f"  {label:34} {ms:7.2f} ms  {ms / floor:5.2f}x floor")
    print(f"  {'total':34} {total_ms:7.2f} ms  {total_ms / floor:5.2f}x floor (limit 1.6x)")

    print("\n3. the reader's phases, ms CPU per page (median of the runs)")
    print(f"{'page':32} " + " ".join(f"{p:>8}" for p in READER_PHASES) + f" {'sum':>8}")
    for name, data in pages:
        reader_phases(data)  # warm
        runs = [reader_phases(data) for _ in range(a.n * a.rounds)]
        med = [statistics.median(col) * 1000 for col in zip(*runs, strict=True)]
        print(f"{name:32} " + " ".join(f"{m:8.2f}" for m in med) + f" {sum(med):8.2f}")


if __name__ == "__main__":
    main()
