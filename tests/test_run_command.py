"""`disclosure-lake run`: one in-process pass over the inbox that exits 0 only when every input is
accounted for, with the sensor daemon's own cursor (`make ui` on SIGTERM: tests/scale/test_service_signals.py)."""

from __future__ import annotations

import warnings
from pathlib import Path

import dagster as dg
import pytest

from lakeops.cli import EXIT_OK, EXIT_PROBLEM, run_command
from lakeops.runner import read_sensor_cursor
from tests.pipeline_helpers import stage

warnings.filterwarnings("ignore")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def lake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "lake"
    monkeypatch.setenv("DISCLOSURE_LAKE_ROOT", str(root))
    monkeypatch.setenv("DAGSTER_HOME", str(root / ".dagster"))
    return root


def _daemon_sensor(instance: dg.DagsterInstance):
    """The inbox sensor as the daemon sees it: loaded from workspace.yaml through a code server."""
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget

    with WorkspaceProcessContext(instance, WorkspaceFileTarget([str(REPO / "workspace.yaml")])) as ctx:
        location = ctx.create_request_context().get_code_location("disclosure_lake")
        (repo,) = location.get_repositories().values()
        return repo.get_sensor("inbox_sensor")


def test_run_exits_0_only_when_every_input_is_accounted_for_and_keeps_the_daemons_cursor(
    lake_env: Path, capsys
) -> None:
    from dagster._core.scheduler.instigation import InstigatorType

    from disclosure.lake import Lake

    lake = Lake.at(lake_env)
    lake.ensure()
    stage(lake.inbox, "hongze-gov-2023.txt")
    (lake.inbox / "notes.txt").write_text("会议纪要：本周无事。\n" * 20, "utf-8")  # not a report
    assert run_command(lake_env) == EXIT_OK
    out = capsys.readouterr().out
    assert "every input file is accounted for" in out and "notes.txt: not_a_report" in out
    # The cursor is the one the sensor daemon reads: its state is found by Dagster's own selector.
    with dg.DagsterInstance.from_config(str(lake_env / ".dagster")) as instance:
        sensor = _daemon_sensor(instance)
        stored = {s.selector_id: s for s in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)}
        state = stored[sensor.selector_id]
        assert state.instigator_origin_id == sensor.get_remote_origin_id()
        assert state.instigator_data.cursor and state.instigator_data.cursor == read_sensor_cursor(instance)
    # A curated file corrupted behind the lake's back: nothing new to run, but the audit names it
    # and the exit code says so.
    part = next(lake.curated.glob("applications/year=*/agency=*/part-0.parquet"))
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x01
    part.write_bytes(bytes(data))
    assert run_command(lake_env) == EXIT_PROBLEM
    out = capsys.readouterr().out
    assert "runs: 0 (0 failed)" in out and "accepted 0 new/changed" in out
    assert "content_hash_mismatch" in out
