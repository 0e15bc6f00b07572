"""`disclosure-lake`: operating the lake (the Dagster side; `disclosure` is the Dagster-free core CLI).

    disclosure-lake run --lake DIR     process the inbox once, in process; exit 0 only when every
                                       input is accounted for (unattended runs, cron, CI)
    disclosure-lake demo [--lake DIR]  stage the bundled samples into the inbox, then `run`
    disclosure-lake ui [--port N]      webserver + daemon over the lake (lakeops.service)

Exit codes of `run` and `demo`: 0 every input accounted for; 1 a run failed or the audit found a
problem (the summary says which file); 3 files still settling or waiting (run again later).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_PROBLEM, EXIT_NOT_SETTLED = 0, 1, 3


def run_command(root: Path, *, settle_seconds: float = 0.0) -> int:
    """`disclosure-lake run`: `lakeops.runner.run_once`, its report, and the exit code."""
    warnings.filterwarnings("ignore")
    root = Path(root).resolve()
    # Every process that loads the definitions reads the lake root and instance from here.
    os.environ["DISCLOSURE_LAKE_ROOT"] = str(root)
    os.environ["DAGSTER_HOME"] = str(root / ".dagster")
    from lakeops.demo import report
    from lakeops.runner import run_once

    outcome = run_once(root, settle_seconds=settle_seconds)
    report(root, outcome)
    if outcome.runs.failed_runs or not outcome.audit.ok:
        return EXIT_PROBLEM
    if outcome.tick.settling or outcome.tick.waiting:
        return EXIT_NOT_SETTLED
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="disclosure-lake", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    default_lake = os.environ.get("DISCLOSURE_LAKE_ROOT", str(REPO / "data_lake"))
    r = sub.add_parser("run", help="process the inbox once; exit 0 only when every input is accounted for")
    r.add_argument("--lake", default=default_lake)
    r.add_argument("--settle-seconds", type=float, default=1.0,
                   help="pause between the inbox ticks while files are still changing (default 1 s)")
    d = sub.add_parser("demo", help="the bundled sample reports through the whole pipeline")
    d.add_argument("--lake", default=default_lake)
    u = sub.add_parser("ui", help="Dagster webserver + daemon over the lake")
    u.add_argument("--lake", default=default_lake)
    u.add_argument("--port", type=int, default=3000)
    args = ap.parse_args(argv)
    if args.command == "run":
        return run_command(Path(args.lake), settle_seconds=args.settle_seconds)
    if args.command == "demo":
        from lakeops.demo import main as demo_main

        return demo_main(["--lake", args.lake])
    from lakeops.service import main as service_main

    return service_main(["--lake", args.lake, "--port", str(args.port)])


if __name__ == "__main__":
    sys.exit(main())
