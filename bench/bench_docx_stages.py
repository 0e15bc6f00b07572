"""Where a DOCX report's CPU time goes, stage by stage, and the rate per core (issue 11: ≥ 150/s).

    PYTHONPATH=. .venv/bin/python bench/bench_docx_stages.py [--rounds 5] [FOLDER_OR_FILE ...]

Default files: every DOCX of tests/fixtures/docx (Word-like and LibreOffice) and of the corpus-wide
office fixtures (tests/fixtures/office-corpus.tar.xz, unpacked to a temporary folder). One process,
one thread, CPU time (`time.process_time`): the machine is shared, so wall time measures the
neighbours; give `uptime` beside the figures. Each stage is timed over all files in a round and
the median round is reported, in ms per report:

* zip      opening the container and reading the parts (`_open_parts`)
* fast     the streaming pass (`_fast_lines`) where it applies, else 0; `fast n/N` says how often
* tree     the tree walk (`_tree_lines`: formatting strip, lxml parse, walk), timed on every file
           so the two can be compared; a report pays fast *or* tree, not both
* meta     title, page header, heading and signature (`_finish`)
* reader   `read_docx` as shipped, end to end
* parse    `parse_document` on the reader's Document (shared core, not the reader's)
* total    `parse_bytes` end to end, and the rate that gives
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from disclosure.parse import parse_bytes, parse_document  # noqa: E402
from disclosure.readers import docx  # noqa: E402


def docx_files(args: list[str], tmp: Path) -> list[Path]:
    if args:
        out: list[Path] = []
        for a in map(Path, args):
            out += sorted(a.rglob("*.docx")) if a.is_dir() else [a]
        return out
    from office_scores import unpack_corpus

    corpus = unpack_corpus(tmp)
    return sorted((ROOT / "tests" / "fixtures" / "docx").rglob("*.docx")) + sorted((corpus / "docx").glob("*.docx"))


def per_report(fn: Callable[[bytes, str], object], blobs: list[tuple[bytes, str]]) -> float:
    """CPU ms per report of fn over all blobs (one round)."""
    start = time.process_time()
    for data, name in blobs:
        fn(data, name)
    return (time.process_time() - start) * 1000 / len(blobs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("paths", nargs="*")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-docx-") as tmp:
        files = docx_files(a.paths, Path(tmp))
        blobs = [(f.read_bytes(), f.name) for f in files]
        parts = {name: docx._open_parts(data, name) for data, name in blobs}
        docs = {name: docx.read_docx(data, name) for data, name in blobs}
        numbering = {n: docx._numbering(parts[n], n) for _, n in blobs}
        fast_ok = sum(docx._fast_lines(parts[n], n, numbering[n]) is not None for _, n in blobs)

        def fast(_data: bytes, name: str) -> object:
            return docx._fast_lines(parts[name], name, numbering[name])

        def tree(_data: bytes, name: str) -> object:
            return docx._tree_lines(parts[name], name, numbering[name])

        def meta(_data: bytes, name: str) -> object:
            lines, notes = docs[name].lines, list(docs[name].notes)
            return docx._finish(parts[name], name, lines, notes)

        stages: dict[str, Callable[[bytes, str], object]] = {
            "zip": docx._open_parts,
            "fast": fast,
            "tree": tree,
            "meta": meta,
            "reader": docx.read_docx,
            "parse": lambda data, name: parse_document(docs[name], data, name),
            "total": parse_bytes,
        }
        for fn in stages.values():  # warm caches (regexes, the registry)
            per_report(fn, blobs)
        rounds: dict[str, list[float]] = {k: [] for k in stages}
        for _ in range(a.rounds):
            for k, fn in stages.items():
                rounds[k].append(per_report(fn, blobs))
    med = {k: statistics.median(v) for k, v in rounds.items()}
    print(f"{len(blobs)} DOCX files, fast path on {fast_ok}/{len(blobs)}; CPU ms per report, median of {a.rounds} rounds")
    for k, v in med.items():
        spread = f"{min(rounds[k]):.2f}–{max(rounds[k]):.2f}"
        print(f"  {k:7} {v:7.2f}   ({spread})")
    print(f"reader alone: {1000 / med['reader']:.0f} reports/s per core; "
          f"reader + parse: {1000 / med['total']:.0f} reports/s per core (CPU time)")


if __name__ == "__main__":
    main()
