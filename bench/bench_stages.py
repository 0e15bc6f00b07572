"""Where a report's parse time goes, per raw form, as a ratio to speed_floor.py's lxml floor.

    .venv/bin/python bench/bench_stages.py                  # every form, 60 reports a round, 5 rounds
    .venv/bin/python bench/bench_stages.py html --n 60 --rounds 7

Stages, CPU time per report (median of rounds), each divided by the floor per HTML report
measured in the same round: `read` (readers.read: decode + reader), `extract`
(tables.extract), `rest` (the rest of parse_document: identity, checks, sections),
`frames` (batch.frames_for) and `pandera` (batch.validate_frames, one call per round's
batch, so its fixed cost is spread over --n reports, as in speed_floor.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))
from profile_parse import CORPUS, FORMS, copies

from disclosure.batch import _gc_paused, frames_for, validate_frames
from disclosure.parse import body_text, parse_document
from disclosure.readers import read
from disclosure.tables import extract


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("forms", nargs="*", default=list(FORMS))
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    pages = [(CORPUS / f).read_bytes() for f in FORMS["html"]]

    def floor() -> float:
        t = time.process_time()
        for _ in range(10):
            for b in pages:
                root = lxml.html.fromstring(b)
                for td in root.iter("td", "th"):
                    td.text_content()
        return (time.process_time() - t) / (10 * len(pages))

    floor()
    print(f"{'form':13s} {'read':>6s} {'extract':>8s} {'rest':>6s} {'frames':>7s} {'pandera':>8s} {'total':>6s}  reports/s (cpu)")
    for form in a.forms:
        items = copies(FORMS[form], a.n)
        stage: dict[str, list[float]] = {k: [] for k in ("read", "extract", "rest", "frames", "pandera")}
        for _ in range(a.rounds):
            f = floor()
            with _gc_paused():  # as parse_batch runs
                times = _round(items)
            t0, t1, t2, t3, t4, t5 = times
            n = len(items)
            stage["read"].append((t1 - t0) / n / f)
            stage["extract"].append((t2 - t1) / n / f)
            stage["rest"].append(max(0.0, (t3 - t2) - (t2 - t1)) / n / f)  # parse_document re-runs extract
            stage["frames"].append((t4 - t3) / n / f)
            stage["pandera"].append((t5 - t4) / n / f)
        med = {k: statistics.median(xs) for k, xs in stage.items()}
        total = sum(med.values())
        print(f"{form:13s} {med['read']:6.2f} {med['extract']:8.2f} {med['rest']:6.2f} {med['frames']:7.2f} "
              f"{med['pandera']:8.2f} {total:6.2f}  (floor 1.6 ms → {1 / (total * 0.0016):.0f}/s)")


def _round(items) -> tuple[float, ...]:
    """CPU-time stamps around each stage of one batch."""
    t0 = time.process_time()
    docs = [read(it.data, str(it.path)) for it in items]
    t1 = time.process_time()
    for doc in docs:
        texts = [ln.text for ln in doc.lines]
        extract(doc, body_text(doc, texts), texts)
    t2 = time.process_time()
    reports = []
    for it, doc in zip(items, docs, strict=True):
        r = parse_document(doc, it.data, str(it.path))
        r.source_file = it.source_name
        reports.append(r)
    t3 = time.process_time()
    frames = frames_for(reports)
    t4 = time.process_time()
    validate_frames(frames)
    t5 = time.process_time()
    return t0, t1, t2, t3, t4, t5


if __name__ == "__main__":
    main()
