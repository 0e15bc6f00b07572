"""The daemon started by lakeops keeps its code server for 10 minutes, not one: Dagster's
controller reads the reload period on every check, and lakeops.daemon sets it from the env."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import dagster._daemon.controller as controller
import pytest

import lakeops.daemon as daemon
from lakeops.service import WORKSPACE_RELOAD_SECONDS, _env


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def clear_all_grpc_endpoints(self) -> None:
        self.calls.append("clear")

    def refresh_workspace(self) -> None:
        self.calls.append("refresh")


def test_the_daemon_takes_the_reload_period_and_the_backfill_interval_from_the_env(monkeypatch) -> None:
    monkeypatch.setattr(controller, "RELOAD_WORKSPACE_INTERVAL", controller.RELOAD_WORKSPACE_INTERVAL)
    monkeypatch.setattr(controller, "DEFAULT_DAEMON_INTERVAL_SECONDS", controller.DEFAULT_DAEMON_INTERVAL_SECONDS)
    monkeypatch.setenv("DISCLOSURE_WORKSPACE_RELOAD_SECONDS", "600")
    monkeypatch.setenv("DISCLOSURE_BACKFILL_INTERVAL_SECONDS", "5")
    import dagster._daemon.cli as cli

    monkeypatch.setattr(cli, "main", lambda: 0)
    assert daemon.main() == 0
    assert controller.RELOAD_WORKSPACE_INTERVAL == 600
    assert controller.DEFAULT_DAEMON_INTERVAL_SECONDS == 5


@pytest.mark.parametrize(("period", "age", "reloaded"), [(600, 100, False), (600, 700, True), (60, 100, True)])
def test_the_controller_replaces_its_code_servers_only_once_the_period_has_passed(
    monkeypatch, period: int, age: float, reloaded: bool
) -> None:
    # The Dagster code the setting relies on: if an upgrade stops reading the module global at
    # check time, this fails rather than the daemon silently spawning a server a minute again.
    monkeypatch.setattr(controller, "RELOAD_WORKSPACE_INTERVAL", period)
    rec = Recorder()
    fake = SimpleNamespace(_grpc_server_registry=rec, _workspace_process_context=rec, _logger=None)
    last = time.time() - age
    out = controller.DagsterDaemonController.check_workspace_freshness(fake, last)
    assert rec.calls == (["clear", "refresh"] if reloaded else [])
    assert (out > last) is reloaded


def test_services_give_the_daemon_the_ten_minute_period_unless_told_otherwise(tmp_path: Path) -> None:
    assert WORKSPACE_RELOAD_SECONDS == 600
    assert _env(tmp_path, tmp_path, None)["DISCLOSURE_WORKSPACE_RELOAD_SECONDS"] == "600"
    assert _env(tmp_path, tmp_path, {"DISCLOSURE_WORKSPACE_RELOAD_SECONDS": "60"})[
        "DISCLOSURE_WORKSPACE_RELOAD_SECONDS"] == "60"
