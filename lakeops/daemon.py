"""`dagster-daemon` with a configurable backfill evaluation interval and workspace reload.

Dagster 1.13's backfill daemon sleeps a hard-coded 30 s (``DEFAULT_DAEMON_INTERVAL_SECONDS``)
between evaluations, so every backfill waits up to 30 s at launch, at each hand-over between
assets and at completion. `DISCLOSURE_BACKFILL_INTERVAL_SECONDS` lowers it (the end-to-end test
and the benchmark use 5 s).

The daemon also reloads its workspace every 60 s (``RELOAD_WORKSPACE_INTERVAL``), and for a
`python_module` code location a reload is a new code server process: every minute one more
interpreter imports dagster, pandas, pyarrow and the definitions (2–3 s of CPU here), and the
sensors' in-process caches (the inbox state, a parsed national manifest) start cold.
`DISCLOSURE_WORKSPACE_RELOAD_SECONDS` sets that period; `lakeops.service` (`make ui`, the
end-to-end tests, the bench) uses 600 s. The price: code edited while the daemon runs reaches
its sensors and new runs within 10 minutes instead of one, and a code server that died is
replaced as late. Unset, the daemon is Dagster's own, unchanged.

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
    reload = os.environ.get("DISCLOSURE_WORKSPACE_RELOAD_SECONDS")
    if reload:
        import dagster._daemon.controller as controller

        # Read by `check_workspace_freshness` on every check (a module global), so it applies.
        controller.RELOAD_WORKSPACE_INTERVAL = max(10, int(float(reload)))  # type: ignore[assignment]
    from dagster._daemon.cli import main as daemon_main

    sys.argv[0] = "dagster-daemon"
    return daemon_main()


if __name__ == "__main__":
    sys.exit(main())
