"""Parse rate per core in CPU time (time.process_time) over the office-made fixture folders: the
figure issue 11's targets speak of (PDF ≥ 20 reports/s, DOCX ≥ 150 reports/s per core), less
sensitive than wall time to other jobs on the machine.

    .venv/bin/python bench/bench_office_cpu.py [FOLDER ...]

By default: the office-made fixture folders, then every producer of the corpus-wide fixtures
(tests/fixtures/office-corpus.tar.xz, unpacked to a temporary folder), each with its count.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from disclosure.parse import parse_file

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
DEFAULT = [FIXTURES / "pdf" / p for p in ("office-lo", "office-word", "office-chrome", "office-chrome-unruled")]
DEFAULT.append(FIXTURES / "docx" / "office-lo")
REPEATS = 3


def rate(folder: Path) -> float:
    files = sorted(p for p in folder.iterdir() if p.is_file())
    for f in files:  # warm caches (fonts, regexes, the registry)
        parse_file(f)
    start = time.process_time()
    for _ in range(REPEATS):
        for f in files:
            parse_file(f)
    return REPEATS * len(files) / (time.process_time() - start)


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-office-") as tmp:
        folders = [Path(a) for a in argv]
        if not folders:
            sys.path.insert(0, str(FIXTURES.parent))
            from office_scores import CORPUS_PRODUCERS, unpack_corpus

            corpus = unpack_corpus(Path(tmp))
            folders = [*DEFAULT, *(corpus / p for p in CORPUS_PRODUCERS)]
        for folder in folders:
            name = folder.relative_to(FIXTURES) if folder.is_relative_to(FIXTURES) else f"office-corpus/{folder.name}"
            n = sum(1 for p in folder.iterdir() if p.is_file())
            print(f"{name} ({n} reports): {rate(folder):.1f} reports/s per core (CPU time)")


if __name__ == "__main__":
    main(sys.argv[1:])
