"""The year step in process, without Dagster: what the `warehouse` and `agency_year_kpis` assets
do for one statistical year, timed part by part (CPU seconds, and per agency).

    .venv/bin/python bench/bench_year_step.py --agencies 3000            # build the lake, then time
    .venv/bin/python bench/bench_year_step.py --agencies 3000 --reuse    # time an existing lake again
    .venv/bin/python bench/bench_year_step.py --agencies 3000 --reuse --profile  # + cProfile dump

The lake (`--out`, default bench/out/year-step-N/) holds N generated agencies × 2023–2024
(`run_all.build_inbox`, seed 20260101), ingested and curated in process. Parts timed on 2024,
with 2023 as the year before: compaction of every table (`compact_year`), the KPIs
(`marts.agency_year_kpis`), the previous year's cross-year inputs, this year's, and the
cross-year checks (as `pipelines/defs/marts/assets.py` calls them). GX is left out (`--gx` adds
it: `expectations.run_suite` over the year's warehouse frames).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import run_all  # noqa: E402

YEARS = (2023, 2024)
YEAR = 2024


def build(root: Path, agencies: int) -> None:
    from disclosure.curate import curate
    from disclosure.ingest import State, ingest_inbox
    from disclosure.lake import Lake

    shutil.rmtree(root, ignore_errors=True)
    run_all.YEARS = list(YEARS)
    _, keys = run_all.build_inbox(root / "inbox", agencies * len(YEARS))
    lk = Lake.at(root)
    lk.ensure()
    years = [str(y) for y in YEARS]
    st = ingest_inbox(lk, State(), years=years, max_files=10**9).state
    ingest_inbox(lk, st, years=years, max_files=10**9)
    pairs = [(k.split("|")[0], int(k.split("|")[1])) for k in keys]
    curate(lk, pairs)


def time_parts(root: Path, *, gx: bool, prof: cProfile.Profile | None) -> list[tuple[str, float]]:
    import pandas as pd

    from disclosure.lake import Lake, compact_year, read_warehouse, read_year
    from disclosure.marts import (
        CROSS_YEAR_TABLES,
        KPI_TABLES,
        agency_year_kpis,
        cross_year_checks,
        cross_year_inputs,
    )
    from disclosure.schema import TABLES

    lk = Lake.at(root)
    parts: list[tuple[str, float]] = []

    def timed(label: str, fn):
        if prof:
            prof.enable()
        c0 = time.process_time()
        out = fn()
        parts.append((label, time.process_time() - c0))
        if prof:
            prof.disable()
        return out

    for t in TABLES:
        timed(f"compact {t}", lambda t=t: compact_year(lk, t, YEAR))
    cur = timed("read the KPI tables", lambda: {t: read_warehouse(lk, t, YEAR)
                                              for t in dict.fromkeys((*KPI_TABLES, *CROSS_YEAR_TABLES))})
    kpis = timed("KPIs (agency_year_kpis)", lambda: agency_year_kpis(cur))
    prev = timed("previous year's cross-year inputs", lambda: cross_year_inputs(
        {t: read_year(lk, t, YEAR - 1) for t in CROSS_YEAR_TABLES}))
    now = timed("this year's cross-year inputs", lambda: cross_year_inputs(cur))
    timed("cross-year checks", lambda: cross_year_checks(
        {t: pd.concat([prev[t], now[t]], ignore_index=True) for t in CROSS_YEAR_TABLES}))
    if gx:
        from disclosure.expectations import run_suite
        from disclosure.lake import warehouse_frames

        timed("GX suite", lambda: run_suite(warehouse_frames(lk, YEAR), lk.docs / "bench", YEAR))
    parts.append(("(KPI rows)", float(len(kpis))))
    return parts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agencies", type=int, default=3000)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--reuse", action="store_true", help="time the lake already at --out")
    ap.add_argument("--profile", action="store_true", help="also dump cProfile stats beside the lake")
    ap.add_argument("--gx", action="store_true")
    args = ap.parse_args(argv)
    root = args.out or REPO / "bench" / "out" / f"year-step-{args.agencies}"
    if not args.reuse:
        c0, w0 = time.process_time(), time.perf_counter()
        build(root, args.agencies)
        print(f"built {root}: {time.process_time() - c0:.0f} s CPU, {time.perf_counter() - w0:.0f} s wall")
    prof = cProfile.Profile(time.process_time) if args.profile else None
    parts = time_parts(root, gx=args.gx, prof=prof)
    rows = dict(parts).pop("(KPI rows)")
    print(f"\nyear {YEAR}, {int(rows):,} reports; load {os.getloadavg()[0]:.1f}\n")
    print("| part | CPU s | ms per report |\n|---|---:|---:|")
    for label, sec in parts:
        if not label.startswith("("):
            print(f"| {label} | {sec:.2f} | {sec / rows * 1000:.2f} |")
    if prof:
        dump = root / "year-step.prof"
        prof.dump_stats(str(dump))
        print(f"\nprofile: {dump}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
