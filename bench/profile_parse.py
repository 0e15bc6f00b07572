"""Where parse time goes, per raw form (cProfile over `parse_batch`, the forms of speed_floor.py).

    .venv/bin/python bench/profile_parse.py                 # every form, top 25 by own time
    .venv/bin/python bench/profile_parse.py html --n 120 --top 40 --sort cumulative

Inputs are the corpus files of tests/fixtures/reports named in FORMS (as speed_floor.py
names them), copied N times with a differing tail so no copy is dropped as a duplicate.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

from disclosure.batch import BatchItem, parse_batch

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reports"
FORMS = {
    "html": ["sh-gov-office-2019.html", "shuyang-fgj-2023.html", "synthetic-ceshishi-2025.html"],
    "text-pipe": ["xining-etdz-2022.txt"],
    "text-layout": ["huaian-gov-2024.txt", "hongze-gov-2023.txt", "hongze-gov-2024.txt"],
    "text-crawler": ["pingtan-2022.txt", "pingtan-2024.txt", "pingtan-zrz-2022.txt", "pingtan-gaj-2022.txt"],
    "markdown": ["sh-kewei-2024.md", "sh-gov-office-2025.md"],
}


def copies(names: list[str], n: int) -> list[BatchItem]:
    out = []
    for i in range(n):
        p = CORPUS / names[i % len(names)]
        tail = f"\n<!-- copy {i} -->\n".encode() if p.suffix == ".html" else b"\n" + b" " * i
        out.append(BatchItem(path=p, data=p.read_bytes() + tail, source_name=f"{i}-{p.name}"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("forms", nargs="*", default=list(FORMS))
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sort", default="tottime")
    a = ap.parse_args()
    for form in a.forms:
        items = copies(FORMS[form], a.n)
        parse_batch(items[:3])  # warm imports and caches
        prof = cProfile.Profile(time.process_time)  # CPU time: other jobs on the machine do not count
        prof.enable()
        parse_batch(items)
        prof.disable()
        print(f"===== {form} ({a.n} reports)")
        pstats.Stats(prof).sort_stats(a.sort).print_stats(a.top)


if __name__ == "__main__":
    main()
