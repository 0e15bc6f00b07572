"""`make ui` under a supervisor: SIGTERM to make stops the webserver and the daemon (no orphans).
Real services (≈30–60 s), so it runs with `make test-scale`."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _descendants(pid: int) -> set[int]:
    """Every live process whose parent chain reaches `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - out
        out |= frontier
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_sigterm_to_make_ui_stops_the_webserver_and_the_daemon(tmp_path: Path) -> None:
    from lakeops.service import free_port

    port = free_port()
    proc = subprocess.Popen(["make", "--no-print-directory", "ui", f"PORT={port}", f"LAKE={tmp_path / 'lake'}"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        children: set[int] = set()
        for line in proc.stdout:  # type: ignore[union-attr]
            children |= _descendants(proc.pid)
            if "Dagster UI:" in line or time.monotonic() > deadline:
                break
        children |= _descendants(proc.pid)
        assert proc.poll() is None, "make ui exited before serving"
        assert len(children) >= 3  # the service, the daemon, the webserver (and their children)
        proc.send_signal(signal.SIGTERM)  # to make alone, as a supervisor would
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in children) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not [p for p in children if _alive(p)], "orphaned after SIGTERM"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for p in _descendants(proc.pid):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
