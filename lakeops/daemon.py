"""`dagster-daemon` with a configurable backfill evaluation interval.

Dagster 1.13's backfill daemon sleeps a hard-coded 30 s (``DEFAULT_DAEMON_INTERVAL_SECONDS``)
between evaluations, so every backfill waits up to 30 s at launch, at each hand-over between
assets and at completion. `DISCLOSURE_BACKFILL_INTERVAL_SECONDS` lowers it (the end-to-end test
and the benchmark use 5 s); unset, the daemon is Dagster's own, unchanged.

    python -m lakeops.daemon run -w workspace.yaml
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    interval = os.environ.get("DISCLOSURE_BACKFILL_INTERVAL_SECONDS")
    if interval:
        import dagster._daemon.controller as controller

        # Read by the backfill loop at start-up (imported inside the function), so setting it
        # before the daemon starts is enough.
        controller.DEFAULT_DAEMON_INTERVAL_SECONDS = max(1.0, float(interval))  # type: ignore[assignment]
    from dagster._daemon.cli import main as daemon_main

    sys.argv[0] = "dagster-daemon"
    return daemon_main()


if __name__ == "__main__":
    sys.exit(main())
