"""Launch an asset backfill on a running Dagster webserver (GraphQL) and wait for it.

    python -m lakeops.backfill --url http://127.0.0.1:3000 --year 2024          # one year, every division
    python -m lakeops.backfill --all --with-year-assets                          # everything, to the marts
    python -m lakeops.backfill --partition '350128 平潭县|2024' --partition '000000 区划不明|2025'

Partitions are division-years (`division|year`, pipelines/partitions.py); one agency is re-run by
the UI's Materialize… with run config `agencies: [...]` (docs/scaling.md).
"""

from __future__ import annotations

import argparse
import sys

from disclosure.keys import split_key
from lakeops.service import PARTITIONS, Services, launch_backfill, wait_backfill

YEAR_ASSETS = [
    ["warehouse", t]
    for t in ("reports", "active_disclosure", "applications", "review_litigation", "report_sections", "validation_issues")
] + [["agency_year_kpis"], ["expectations"]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:3000")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--all", action="store_true", help="every partition")
    g.add_argument("--year", type=int, help="every division of one statistical year")
    g.add_argument("--partition", action="append", help="a division|year key (repeatable)")
    ap.add_argument("--with-year-assets", action="store_true", help="also warehouse, marts and expectations")
    ap.add_argument("--no-wait", action="store_true")
    args = ap.parse_args(argv)
    svc = Services(url=args.url.rstrip("/"), home=None, procs=[])  # type: ignore[arg-type]
    assets = [["curated"], *(YEAR_ASSETS if args.with_year_assets else [])]
    if args.all:
        bid = launch_backfill(svc, assets, all_partitions=True, title="cli: all")
    else:
        if args.year is not None:
            keys = svc.graphql(PARTITIONS)["assetNodeOrError"]["partitionKeys"]
            names = [k for k in keys if split_key(k)[1] == args.year]
        else:
            names = args.partition
        if args.with_year_assets:
            print("--with-year-assets needs --all (a backfill takes one partition list for all assets)", file=sys.stderr)
            return 2
        bid = launch_backfill(svc, assets, names, title=f"cli: {len(names)} partition(s)")
    print(f"backfill {bid}: {args.url}/runs/b/{bid}")
    if args.no_wait:
        return 0
    res = wait_backfill(svc, bid, timeout=24 * 3600, poll=5)
    print(f"{res['status']}: {len(res['runs'])} run(s)")
    return 0 if res["status"] in ("COMPLETED", "COMPLETED_SUCCESS") else 1


if __name__ == "__main__":
    sys.exit(main())
