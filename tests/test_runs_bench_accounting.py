"""The run benchmark's accounting (bench/run_all.py): which process a CPU second is charged to."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from run_all import cpu_between, process_kind  # noqa: E402

PY = "/work/x/.venv/bin/python"
PG_REF = ('{"__class__": "InstanceRef", "run_storage_data": {"module_name": "dagster_postgres", '
          '"config_yaml": "postgres_url: postgresql://postgres@127.0.0.1:5432/bench"}}')


def test_code_server_of_a_postgres_instance_is_not_charged_to_postgres() -> None:
    # The bug: a code server's command line carries the instance ref, which names PostgreSQL, so
    # every code server's CPU was reported as the database's.
    cmd = [PY, "-m", "dagster", "api", "grpc", "--lazy-load-user-code", "--instance-ref", PG_REF]
    assert process_kind(cmd, "python") == "code server"


def test_run_worker_spawned_by_a_code_server_is_a_run_worker() -> None:
    cmd = [PY, "-B", "-Wignore", "-c", "from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=12)",
           "--multiprocessing-fork"]
    assert process_kind(cmd, "python") == "run worker"


def test_postgres_server_and_its_backends_are_postgres() -> None:
    assert process_kind(["/x/pginstall/bin/postgres", "-D", "/tmp/pg"], "postgres") == "postgres"
    assert process_kind(["postgres: postgres bench 127.0.0.1(47356) idle"], "postgres") == "postgres"


def test_daemon_and_webserver_are_told_apart() -> None:
    assert process_kind([PY, "-m", "lakeops.daemon", "run", "-w", "workspace.yaml"], "python") == "daemon"
    assert process_kind([PY, "/x/.venv/bin/dagster-webserver", "-h", "127.0.0.1"], "python3.11") == "webserver"


def test_cpu_between_is_per_kind_difference_and_drops_idle_kinds() -> None:
    a = {"daemon": 10.0, "webserver": 5.0}
    b = {"daemon": 14.5, "webserver": 5.01, "run worker": 30.0}
    assert cpu_between(a, b) == {"daemon": 4.5, "run worker": 30.0}


def test_a_run_launch_that_times_out_under_load_is_retried_not_failed(tmp_path: Path) -> None:
    # The bug: under load ~20 a review run's launch call to the code server timed out
    # ("Unexpected error in IPC client") and Dagster's queue failed the run at once (0 retries);
    # a backfill's run failing so fails the backfill. The services' instance retries 3 times.
    import dagster as dg

    from lakeops.storage import instance_yaml

    (tmp_path / "dagster.yaml").write_text(instance_yaml(tmp_path, user_code_retries=3), "utf-8")
    with dg.DagsterInstance.from_config(str(tmp_path)) as inst:
        cfg = inst.get_concurrency_config().run_queue_config
        assert cfg.max_user_code_failure_retries == 3 and cfg.user_code_failure_retry_delay == 10
    assert "max_user_code_failure_retries" not in instance_yaml(tmp_path)  # the repository's own stays stock
