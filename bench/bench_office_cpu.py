"""Parse rate per core in CPU time (time.process_time) over the office-made fixture folders: the
figure issue 11's targets speak of (PDF ≥ 20 reports/s, DOCX ≥ 150 reports/s per core), less
sensitive than wall time to other jobs on the machine.

    .venv/bin/python bench/bench_office_cpu.py [FOLDER ...]
"""

from __future__ import annotations

import sys
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
    for folder in [Path(a) for a in argv] or DEFAULT:
        print(f"{folder.relative_to(FIXTURES) if folder.is_relative_to(FIXTURES) else folder}: "
              f"{rate(folder):.1f} reports/s per core (CPU time)")


if __name__ == "__main__":
    main(sys.argv[1:])
