"""`make demo`: the bundled sample reports through the whole pipeline, via Dagster, into data_lake/.

    python -m pipelines.demo [--lake DIR]

Copies tests/fixtures/reports/ into <lake>/inbox/ (with a manifest.csv), evaluates the inbox
sensor against the persistent instance in <lake>/.dagster, materializes every agency-year in
ranged runs of the curated job and the year job, and prints partitions, rows, checks and
quarantined files. Running it again changes nothing but re-materializes (idempotent writes).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sys
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "fixtures" / "reports"
SUFFIXES = (".txt", ".html", ".md", ".pdf", ".docx")


def stage_corpus(inbox: Path, corpus: Path = CORPUS) -> int:
    """Copy the corpus reports and a file,agency,year,url manifest into `inbox` (unchanged files stay)."""
    inbox.mkdir(parents=True, exist_ok=True)
    n = 0
    for src in sorted(corpus.iterdir()):
        if src.suffix not in SUFFIXES or src.name.startswith("README"):  # the corpus notes are not reports
            continue
        dst = inbox / src.name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copy2(src, dst)
        n += 1
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["file", "agency", "year", "url"])
    with (corpus / "manifest.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            url = next((p.strip() for p in row["source"].split(";") if "orig http" in p), "")
            w.writerow([row["file"], row["agency"], row["year"], url.replace("orig ", "").strip()])
    manifest = inbox / "manifest.csv"
    if not manifest.exists() or manifest.read_text("utf-8") != out.getvalue():
        manifest.write_text(out.getvalue(), "utf-8")
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lake", default=os.environ.get("DISCLOSURE_LAKE_ROOT", str(REPO / "data_lake")))
    args = ap.parse_args(argv)
    root = Path(args.lake).resolve()
    os.environ["DISCLOSURE_LAKE_ROOT"] = str(root)
    home = root / ".dagster"
    os.environ["DAGSTER_HOME"] = str(home)
    warnings.filterwarnings("ignore")

    import dagster as dg
    import duckdb

    from disclosure.lake import Lake, read_quarantine
    from pipelines.review_sensors import materialize_review
    from pipelines.runner import apply_sensor_tick, ensure_dagster_home, materialize_all

    ensure_dagster_home(home)
    lake = Lake.at(root)
    lake.ensure()
    staged = stage_corpus(lake.inbox)
    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        tick = apply_sensor_tick(instance, lake, home)
        summary = materialize_all(defs, instance, lake)
        review = materialize_review(defs, instance, lake)  # review queue and pages (pipelines/review_sensors.py)

    con = duckdb.connect()
    wh = lake.warehouse
    print()
    print(f"disclosure-lake demo — lake at {root}")
    print(f"  inbox: {staged} sample reports; this tick accepted {len(tick.accepted)} new/changed file(s), "
          f"quarantined {tick.quarantined}")
    parts = con.execute(
        f"select count(*), count(distinct agency), min(year), max(year) "
        f"from read_parquet('{wh}/reports/*/*.parquet', hive_partitioning=true)"
    ).fetchone()
    print(f"  partitions (agency-years) curated: {parts[0]}  agencies: {parts[1]}  years: {parts[2]}–{parts[3]}")
    print(f"  runs: {summary.runs} ({summary.failed_runs} failed); curated {summary.seconds_curated:.1f} s, "
          f"year assets {summary.seconds_year:.1f} s")
    print("  rows (warehouse):")
    from disclosure.schema import TABLES

    for t in TABLES:
        n = con.execute(f"select count(*) from read_parquet('{wh}/{t}/*/*.parquet', hive_partitioning=true)").fetchone()[0]
        print(f"    {t:<20} {n:>7}")
    print("  checks (evaluations passed / failed):")
    for name, c in sorted(summary.checks.items()):
        print(f"    {name:<45} {c['passed']:>3} passed {c['failed']:>3} failed")
    n_pages = len(list((lake.root / "review" / "pages").glob("year=*/*.html")))
    print(f"  review: {n_pages} review page(s) under {lake.root / 'review' / 'pages'}, queue under "
          f"{lake.root / 'review' / 'queue'} ({review.runs} run(s), {review.failed_runs} failed); "
          "`disclosure review list` lists it")
    q = read_quarantine(lake)
    print(f"  quarantined files (ledger {lake.quarantine_ledger}): {len(q)}")
    for e in q[-10:]:
        print(f"    {e.source_file}: {e.code}: {e.reason}")
    print()
    print("Open the UI:  DAGSTER_HOME=" + str(home) + " DISCLOSURE_LAKE_ROOT=" + str(root)
          + " .venv/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000   → http://127.0.0.1:3000")
    return 1 if summary.failed_runs or review.failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
