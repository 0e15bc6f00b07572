"""Benchmark: one backfill of ~2,000 agency-years from inbox to marts through the real Dagster daemon.

    python bench/bench_pipeline.py [--agency-years 2000] [--batch-size 250] [--no-gx] [--out bench/out]

The corpus (tests/fixtures/reports/) is repeated under generated agency names: every generated
agency gets one report for each year 2019–2025, taken in turn from the corpus reports of that
year (real files, real years, plus one trailing line that makes the bytes unique; the manifest
gives the generated agency). Steps timed:
  1. ingest: the daemon's inbox sensor identifies every file, copies it to the raw zone and
     registers the partitions (SQLite instance storage, as a laptop would have);
  2. backfill: one backfill of all partitions of curated + warehouse + marts, launched through
     GraphQL; curated runs use BackfillPolicy.multi_run(batch size);
  3. query: DuckDB reads one year of `applications` from the warehouse into Arrow (median of 7).
Prints a JSON line with the numbers and writes it to <out>/bench_pipeline.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CORPUS = REPO / "tests" / "fixtures" / "reports"
YEARS = list(range(2019, 2026))


def build_inbox(inbox: Path, agency_years: int) -> int:
    by_year: dict[int, list[str]] = defaultdict(list)
    with (CORPUS / "manifest.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row["file"].endswith(".pdf"):  # its text twin huaian-gov-2024.txt stands for it
                by_year[int(row["year"])].append(row["file"])
    n_agencies = math.ceil(agency_years / len(YEARS))
    inbox.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n_agencies):
        agency = f"基准测试机构{i:04d}"
        folder = inbox / f"a{i:04d}"
        folder.mkdir(exist_ok=True)
        for y in YEARS:
            src = by_year[y][i % len(by_year[y])]
            dst = folder / f"{y}-{src}"
            # A trailing line makes every copy's bytes (and so its report_id) unique; the core
            # treats identical bytes in one batch as one report.
            dst.write_bytes((CORPUS / src).read_bytes() + f"\n\n（基准测试副本 {i:04d}）\n".encode())
            rows.append([f"a{i:04d}/{dst.name}", agency, y, ""])
    with (inbox / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "agency", "year", "url"])
        w.writerows(rows)
    return len(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agency-years", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=int(os.environ.get("DISCLOSURE_BATCH_SIZE", "300")))
    ap.add_argument("--max-concurrent-runs", type=int, default=2)
    ap.add_argument("--no-gx", action="store_true", help="leave the great-expectations asset out of the backfill")
    ap.add_argument("--out", default=str(REPO / "bench" / "out"))
    args = ap.parse_args()

    out = Path(args.out).resolve()
    work = out / "pipeline"
    shutil.rmtree(work, ignore_errors=True)
    lake, home = work / "lake", work / "home"
    n_files = build_inbox(lake / "inbox", args.agency_years)

    from lakeops.service import launch_backfill, running_services, wait_backfill, wait_partitions

    env = {
        "DISCLOSURE_SENSOR_RUNS": "0",
        "DISCLOSURE_YEAR_REFRESH": "0",
        "DISCLOSURE_MAX_FILES_PER_TICK": str(n_files + 10),
        "DISCLOSURE_LAST_YEAR": str(YEARS[-1]),
        "DISCLOSURE_BATCH_SIZE": str(args.batch_size),
    }
    os.environ.update(env)
    assets = [["curated"], *(["warehouse", t] for t in (
        "reports", "active_disclosure", "applications", "review_litigation", "report_sections", "validation_issues"
    )), ["agency_year_kpis"]]
    if not args.no_gx:
        assets.append(["expectations"])
    expected = {f"基准测试机构{i:04d}|{y}" for i in range(math.ceil(args.agency_years / len(YEARS))) for y in YEARS}
    t0 = time.perf_counter()  # the daemon's inbox sensor starts ticking while the webserver starts
    with running_services(lake, home, env=env, max_concurrent_runs=args.max_concurrent_runs) as svc:
        t_services = time.perf_counter() - t0
        wait_partitions(svc, expected, timeout=1800, lake=lake)
        t_ingest = time.perf_counter() - t0
        t1 = time.perf_counter()
        bid = launch_backfill(svc, assets, all_partitions=True, title="bench")
        result = wait_backfill(svc, bid, timeout=3600)
        t_backfill = time.perf_counter() - t1
    import duckdb

    con = duckdb.connect()
    path = lake / "warehouse" / "applications" / "year=2024" / "part-0.parquet"
    times = []
    rows = 0
    for _ in range(7):
        q0 = time.perf_counter()
        rows = con.sql(f"select * from read_parquet('{path}')").to_arrow_table().num_rows
        times.append(time.perf_counter() - q0)
    curated_reports = con.execute(
        f"select count(*) from read_parquet('{lake}/curated/reports/*/*/*.parquet', hive_partitioning=true)"
    ).fetchone()[0]
    report = {
        "agency_years": len(expected),
        "files": n_files,
        "batch_size": args.batch_size,
        "max_concurrent_runs": args.max_concurrent_runs,
        "gx": not args.no_gx,
        "backfill_status": result["status"],
        "runs": len(result["runs"]),
        "failed_runs": sum(r["status"] != "SUCCESS" for r in result["runs"]),
        "curated_reports": curated_reports,
        "seconds_services_start": round(t_services, 1),
        "seconds_ingest_incl_start": round(t_ingest, 1),
        "seconds_backfill": round(t_backfill, 1),
        "seconds_inbox_to_marts": round(t_ingest + t_backfill, 1),
        "duckdb_year_applications_ms": round(statistics.median(times) * 1000, 1),
        "duckdb_rows": rows,
        "cpus": os.cpu_count(),
        "load_avg_1m_at_end": os.getloadavg()[0],
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_pipeline.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    print(json.dumps(report, ensure_ascii=False))
    return 0 if result["status"] in ("COMPLETED", "COMPLETED_SUCCESS") else 1


if __name__ == "__main__":
    sys.exit(main())
