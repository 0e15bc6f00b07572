"""Wall time of one bulk inbox tick with the files identified in process and in worker processes.

    .venv/bin/python bench/bench_ingest_workers.py --n 4000 --workers 1,2

For each worker count: a fresh lake whose inbox holds `run_all.build_inbox`'s generated reports
(⌈N/7⌉ agencies × 2019–2025), a first tick (the files settle), then the timed tick that reads and
files them all (`ingest_inbox`, as the sensor runs it with a large `DISCLOSURE_MAX_FILES_PER_TICK`).
Prints wall seconds, ms per file, CPU of this process and of the workers, and what was filed, which
must be the same for every worker count.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from run_all import YEARS, build_inbox  # noqa: E402

from disclosure.ingest import State, ingest_inbox  # noqa: E402
from disclosure.lake import Lake  # noqa: E402


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def one(root: Path, n: int, workers: int) -> tuple[float, float, float, int, list]:
    shutil.rmtree(root, ignore_errors=True)
    build_inbox(root / "inbox", n)
    lake = Lake.at(root)
    lake.ensure()
    years = [str(y) for y in YEARS]
    state = ingest_inbox(lake, State(), years=years, max_files=10**9, workers=workers).state
    c0, k0, w0 = time.process_time(), children_cpu(), time.perf_counter()
    res = ingest_inbox(lake, state, years=years, max_files=10**9, workers=workers)
    wall = time.perf_counter() - w0
    filed = sorted((a.raw.agency, a.raw.year, a.raw.sha256) for a in res.accepted)
    return wall, time.process_time() - c0, children_cpu() - k0, len(res.accepted), filed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4000, help="agency-years in the inbox")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--out", default=str(REPO / "bench" / "out" / "ingest-workers"))
    args = ap.parse_args()
    out = Path(args.out)
    reference = None
    print(f"load average at start {os.getloadavg()[0]:.1f}")
    for w in (int(x) for x in args.workers.split(",")):
        wall, cpu, kids, accepted, filed = one(out / f"w{w}", args.n, w)
        same = "" if reference is None else (" same as the first" if filed == reference else " DIFFERENT")
        reference = reference or filed
        print(f"workers {w}: {accepted} files filed in {wall:.1f} s wall ({wall / accepted * 1000:.2f} ms a file); "
              f"CPU this process {cpu:.1f} s, workers {kids:.1f} s;{same}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
