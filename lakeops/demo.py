"""`make demo`: the bundled sample reports through the whole pipeline, via Dagster, into data_lake/.

    disclosure-lake demo [--lake DIR]        (= python -m lakeops.demo)

Copies tests/fixtures/reports/ into {lake}/inbox/ (with a manifest.csv), then does exactly what
`disclosure-lake run --lake DIR` does (lakeops.runner.run_once): the inbox sensor's ticks with the
daemon's own cursor on the lake's instance {lake}/.dagster, the curated runs of every partition
still owed, the year assets, the audit. Running it again finds nothing new and changes nothing;
a `make ui` afterwards starts from the same sensor cursor.
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


def report(root: Path, outcome) -> None:
    """Print what the lake holds after a run: partitions, rows, checks, quarantined files, audit."""
    import duckdb

    from disclosure.lake import Lake, read_quarantine
    from disclosure.schema import TABLES

    lake = Lake.at(root)
    tick, summary = outcome.tick, outcome.runs
    con = duckdb.connect()
    wh = lake.warehouse
    print()
    print(f"disclosure-lake — lake at {root}")
    print(f"  inbox: this run accepted {len(tick.accepted)} new/changed file(s) in {tick.ticks} tick(s), "
          f"quarantined {tick.quarantined}; curated {len(outcome.curated_keys)} agency-year(s)")
    if any(wh.glob("reports/*/*.parquet")):
        parts = con.execute(
            f"select count(*), count(distinct agency), min(year), max(year) "
            f"from read_parquet('{wh}/reports/*/*.parquet', hive_partitioning=true)"
        ).fetchone()
        print(f"  partitions (agency-years) in the warehouse: {parts[0]}  agencies: {parts[1]}  years: {parts[2]}–{parts[3]}")
        print("  rows (warehouse):")
        for t in TABLES:
            n = con.execute(f"select count(*) from read_parquet('{wh}/{t}/*/*.parquet', hive_partitioning=true)").fetchone()[0]
            print(f"    {t:<20} {n:>7}")
    print(f"  runs: {summary.runs} ({summary.failed_runs} failed); curated {summary.seconds_curated:.1f} s, "
          f"year assets {summary.seconds_year:.1f} s")
    if summary.checks:
        print("  checks (evaluations passed / failed):")
        for name, c in sorted(summary.checks.items()):
            print(f"    {name:<45} {c['passed']:>3} passed {c['failed']:>3} failed")
    q = read_quarantine(lake)
    print(f"  quarantined files (ledger {lake.quarantine_ledger}): {len(q)}")
    for e in q[-10:]:
        print(f"    {e.source_file}: {e.code}: {e.reason}")
    for w in tick.settling:
        print(f"  still settling (size or mtime changed): {w}")
    for w in tick.waiting:
        print(f"  waiting: {w}")
    print("  " + outcome.audit.summary().replace("\n", "\n  "))
    print()
    home = root / ".dagster"
    print(f"Open the UI: make ui LAKE={root}   (or: DAGSTER_HOME={home} DISCLOSURE_LAKE_ROOT={root} "
          ".venv/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000)   → http://127.0.0.1:3000")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lake", default=os.environ.get("DISCLOSURE_LAKE_ROOT", str(REPO / "data_lake")))
    args = ap.parse_args(argv)
    root = Path(args.lake).resolve()
    warnings.filterwarnings("ignore")
    from disclosure.lake import Lake

    staged = stage_corpus(Lake.at(root).inbox)
    print(f"staged {staged} sample reports and their manifest into {root / 'inbox'}")
    from lakeops.cli import run_command

    return run_command(root)


if __name__ == "__main__":
    sys.exit(main())
