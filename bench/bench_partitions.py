"""Benchmark: the UI's partition queries and the backfill daemon's evaluation at national scale,
for today's partitioning (year × dynamic agency) and for year × division.

    python bench/bench_partitions.py [--agency-years 20000,200000,1400000] [--designs agency,division]
                                     [--storage sqlite|postgres --postgres-url URL] [--out bench/out]

Partition registration only, nothing is parsed: for each size, agencies are synthesized
(agency-years / 7 years) and given a county-level division from a synthetic registry of 3,000
divisions (agency i → division i mod 3,000). The dynamic partitions are added to a fresh
instance, then the real webserver and daemon (lakeops.daemon, 1 s backfill interval) serve
bench/partition_location.py. Timed through GraphQL, median of 3 (the first call, which warms
the webserver's caches, reported separately):
  * asset page: partition keys by dimension and partition stats (AssetView's queries);
  * partitions page: assetPartitionStatuses (the partition health bar: PartitionHealthQuery);
  * one partition: its latest materialization (the partition detail panel);
  * backfill of one year (every agency or division of 2024), launched as the UI does: the
    launch mutation, then the daemon's evaluation: time to its first submitted run, and seconds
    per further run over the first 8 (extrapolated to all; runs stay queued: max_concurrent_runs
    0, so no run executes).
Prints one JSON line per (design, size) and writes them to <out>/bench_partitions.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lakeops.service import Services, free_port, launch_backfill, stop_groups, wait_until_up  # noqa: E402

YEARS = 7
DIVISIONS = 3000
MAX_OBSERVED = 8  # runs of a backfill timed before extrapolating
BIN = Path(sys.executable).parent

ASSET_PAGE = """query { assetNodeOrError(assetKey: {path: ["curated"]}) { ... on AssetNode {
  id partitionKeysByDimension { name type partitionKeys }
  partitionStats { numMaterialized numMaterializing numFailed numPartitions } } } }"""
PARTITIONS_PAGE = """query { assetNodeOrError(assetKey: {path: ["curated"]}) { ... on AssetNode {
  id partitionKeysByDimension { name type partitionKeys }
  assetPartitionStatuses { __typename
    ... on MultiPartitionStatuses { primaryDimensionName ranges { primaryDimStartKey primaryDimEndKey
      secondaryDim { __typename ... on DefaultPartitionStatuses { materializedPartitions failedPartitions
        unmaterializedPartitions materializingPartitions } } } }
    ... on DefaultPartitionStatuses { materializedPartitions failedPartitions materializingPartitions } } } } }"""
ONE_PARTITION = """query($p: String!) { assetNodeOrError(assetKey: {path: ["curated"]}) { ... on AssetNode {
  assetMaterializations(partitions: [$p], limit: 1) { runId timestamp } } } }"""
RUN_COUNT = """query($id: String!) { runsOrError(filter: {tags: [{key: "dagster/backfill", value: $id}]}) {
  ... on Runs { count } } }"""


def synthesize(agency_years: int, design: str) -> tuple[list[str], list[str]]:
    """(dimension partition names, keys of one partition of year 2024) for a size and a design."""
    agencies = [f"县{i // DIVISIONS:03d}-{i % DIVISIONS:04d}局" for i in range(agency_years // YEARS)]
    if design == "agency":
        return agencies, agencies
    divisions = sorted({f"{i % DIVISIONS:04d}" for i in range(len(agencies))})  # registry: agency i → i mod 3000
    return divisions, divisions


def run_size_for(design: str, agency_years: int, division_run_size: int | None = None) -> int:
    """Partitions per backfill run: today's 300 agency-years; per division either
    `division_run_size` division-years (the pipeline's BATCH_SIZE, 50) or, when None, the same
    300 agency-years, i.e. 300 // (agencies a division)."""
    if design == "agency":
        return 300
    if division_run_size:
        return division_run_size
    agencies = agency_years // YEARS
    return max(1, 300 * min(agencies, DIVISIONS) // agencies)


QUERY_TIMEOUT = float(os.environ.get("BENCH_QUERY_TIMEOUT", "1800"))


def timed(svc: Services, query: str, variables: dict | None = None, n: int = 3) -> tuple[float, float]:
    """(first call, median of the next n) in seconds; a call past QUERY_TIMEOUT raises TimeoutError."""
    def once() -> float:
        t = time.perf_counter()
        svc.graphql(query, variables, timeout=QUERY_TIMEOUT)
        return time.perf_counter() - t

    first = once()
    return first, statistics.median(once() for _ in range(n))


def rss_mib(pid: int) -> float:
    import psutil

    p = psutil.Process(pid)
    return sum(q.memory_info().rss for q in [p, *p.children(recursive=True)]) / 2**20


def bench_one(design: str, agency_years: int, storage: str, postgres_url: str | None, work: Path,
              division_run_size: int | None = None, pages_only: bool = False) -> dict:
    import dagster as dg

    from lakeops.storage import instance_yaml

    home = work / f"{design}-{agency_years}"
    home.mkdir(parents=True)
    yaml = instance_yaml(home, max_concurrent_runs=0, storage=storage, postgres_url=postgres_url,
                         dequeue_interval_seconds=1)
    (home / "dagster.yaml").write_text(yaml, "utf-8")
    (home / "workspace.yaml").write_text(
        f"load_from:\n  - python_file:\n      relative_path: {REPO / 'bench' / 'partition_location.py'}\n"
        f"      working_directory: {REPO}\n", "utf-8")
    names, year_keys = synthesize(agency_years, design)
    dim = "agency" if design == "agency" else "division"
    t = time.perf_counter()
    with dg.DagsterInstance.from_config(str(home)) as inst:
        for i in range(0, len(names), 10_000):
            inst.add_dynamic_partitions(dim, names[i:i + 10_000])
    register_s = time.perf_counter() - t
    run_size = run_size_for(design, agency_years, division_run_size)
    env = {**os.environ, "DAGSTER_HOME": str(home), "BENCH_PARTITION_DESIGN": design, "PYTHONWARNINGS": "ignore",
           "BENCH_RUN_SIZE": str(run_size),
           "DISCLOSURE_BACKFILL_INTERVAL_SECONDS": "1"}
    port = free_port()
    procs = []
    try:
        for name, cmd in (
            ("daemon", [str(BIN / "python"), "-m", "lakeops.daemon", "run", "-w", str(home / "workspace.yaml")]),
            ("webserver", [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-w", str(home / "workspace.yaml")]),
        ):
            log = (home / f"{name}.log").open("ab")
            procs.append(subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        svc = Services(url=f"http://127.0.0.1:{port}", home=home, procs=procs)
        wait_until_up(svc, timeout=300, log_dir=home)
        out: dict = {"design": design, "agency_years": agency_years, "storage": storage,
                     "partitions": len(names) * YEARS, "register_s": round(register_s, 2)}
        out["run_size"] = run_size
        for label, q, v in (("asset_page", ASSET_PAGE, None), ("partitions_page", PARTITIONS_PAGE, None),
                            ("one_partition", ONE_PARTITION, {"p": f"{names[0]}|2024"})):
            try:
                first, med = timed(svc, q, v)
            except (TimeoutError, OSError) as err:  # urllib's socket timeout is an OSError
                out[f"{label}_s"] = f"> {QUERY_TIMEOUT:.0f} s ({type(err).__name__})"
                print(json.dumps(out), flush=True)
                return out
            out[f"{label}_first_s"], out[f"{label}_s"] = round(first, 3), round(med, 3)
        if pages_only:
            return out
        # Backfill of one year, as the UI's launch dialog does (partition names of that year).
        one_year = [f"{k}|2024" for k in year_keys]
        expected_runs = -(-len(one_year) // run_size)
        t = time.perf_counter()
        bid = launch_backfill(svc, [["curated"]], one_year, title="bench")
        out["backfill_launch_s"] = round(time.perf_counter() - t, 3)
        # The daemon submits the runs one after the other: time the first MAX_OBSERVED runs and
        # extrapolate (at 1.4M agency-years today's design needs ~670 runs for one year).
        watch = min(expected_runs, MAX_OBSERVED)
        n, first_run_s = 0, None
        deadline = time.monotonic() + 1800
        while n < watch and time.monotonic() < deadline:
            n = svc.graphql(RUN_COUNT, {"id": bid}, timeout=600)["runsOrError"]["count"]
            if n and first_run_s is None:
                first_run_s = time.perf_counter() - t
            time.sleep(0.5)
        observed_s = time.perf_counter() - t
        per_run = (observed_s - (first_run_s or 0)) / max(n - 1, 1)
        out.update(backfill_expected_runs=expected_runs, backfill_runs_observed=n,
                   backfill_first_run_s=round(first_run_s or -1, 2),
                   backfill_s_per_run=round(per_run, 2),
                   backfill_all_runs_est_s=round((first_run_s or 0) + per_run * (expected_runs - 1)),
                   rss_webserver_mib=round(rss_mib(procs[1].pid)), rss_daemon_mib=round(rss_mib(procs[0].pid)))
        return out
    finally:
        stop_groups(procs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agency-years", default="20000,200000,1400000")
    ap.add_argument("--designs", default="agency,division")
    ap.add_argument("--storage", default="sqlite", choices=["sqlite", "postgres"])
    ap.add_argument("--postgres-url", help="server URL without a database (one database per case is created)")
    ap.add_argument("--division-run-size", type=int, default=50,
                    help="division-years per backfill run (the pipeline's BATCH_SIZE); 0: 300 agency-years' worth")
    ap.add_argument("--pages-only", action="store_true", help="time the UI's queries only, no backfill")
    ap.add_argument("--out", default=str(REPO / "bench" / "out"))
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-partitions-") as work:
        for size in (int(s) for s in args.agency_years.split(",")):
            for design in args.designs.split(","):
                url = None
                if args.storage == "postgres":
                    import psycopg2

                    db = f"bench_{design}_{size}"
                    con = psycopg2.connect(args.postgres_url + "/postgres")
                    con.autocommit = True
                    with con.cursor() as cur:
                        cur.execute(f"drop database if exists {db}")
                        cur.execute(f"create database {db}")
                    con.close()
                    url = f"{args.postgres_url}/{db}"
                res = bench_one(design, size, args.storage, url, Path(work), args.division_run_size or None,
                                args.pages_only)
                print(json.dumps(res), flush=True)
                results.append(res)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_partitions.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
