"""Start the real Dagster webserver + daemon on 127.0.0.1 and drive them through GraphQL.

Used by the end-to-end test and the benchmark; also handy by hand:

    python -m lakeops.service --lake data_lake --port 3000     # runs until Ctrl-C
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent



WORKSPACE_RELOAD_SECONDS = 600
"""How often the daemon started here replaces its code server (Dagster's default is 60 s)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Services:
    url: str
    home: Path
    procs: list[subprocess.Popen]

    def graphql(self, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        req = urllib.request.Request(self.url + "/graphql", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            out = json.loads(resp.read())
        if out.get("errors"):
            raise RuntimeError(out["errors"])
        return out["data"]


def _env(home: Path, lake_root: Path, extra: dict[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DAGSTER_HOME": str(home), "DISCLOSURE_LAKE_ROOT": str(lake_root), "PYTHONWARNINGS": "ignore"})
    # Partitioned asset events reach the storage in batches (see lakeops/storage.py).
    env.setdefault("DAGSTER_EVENT_BATCH_SIZE", "500")
    # A new code server every 10 minutes, not every minute (lakeops/daemon.py says why).
    env.setdefault("DISCLOSURE_WORKSPACE_RELOAD_SECONDS", str(WORKSPACE_RELOAD_SECONDS))
    env.update(extra or {})
    return env


def wait_until_up(svc: Services, *, timeout: float, log_dir: Path) -> None:
    """Poll GraphQL until the webserver answers; raise as soon as a service exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            svc.graphql("{ version }", timeout=5)
            return
        except Exception:
            if time.monotonic() > deadline or any(p.poll() is not None for p in svc.procs):
                raise RuntimeError(f"dagster services did not start; see {log_dir}/*.log") from None
            time.sleep(1)


def stop_groups(procs: list[subprocess.Popen], timeout: float = 30) -> None:
    """SIGTERM each process group (started with start_new_session), SIGKILL what outlives `timeout`."""
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@contextmanager
def running_services(
    lake_root: Path,
    home: Path,
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    max_concurrent_runs: int = 2,
    log_dir: Path | None = None,
    storage: str = "sqlite",
    postgres_url: str | None = None,
    host: str = "127.0.0.1",
    backfill_interval_seconds: float | None = None,
) -> Iterator[Services]:
    """Webserver + daemon, the UI on `host` (127.0.0.1 unless asked otherwise; own process
    groups; stopped on exit).

    `storage`: see `lakeops.storage.instance_yaml` (``sqlite``, ``sqlite-stock``, ``postgres``).
    """
    from lakeops.storage import instance_yaml

    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(
        instance_yaml(
            home,
            max_concurrent_runs=max_concurrent_runs,
            storage=storage,
            postgres_url=postgres_url,
            dequeue_interval_seconds=1,
            sensor_threads=True,
            user_code_retries=3,
        ),
        "utf-8",
    )
    # Create the SQLite schema once: two processes creating it at the same time race (alembic heads).
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)):
        pass
    port = port or free_port()
    e = _env(home, lake_root, env)
    if backfill_interval_seconds is not None:
        e["DISCLOSURE_BACKFILL_INTERVAL_SECONDS"] = str(backfill_interval_seconds)
    log_dir = log_dir or home
    procs: list[subprocess.Popen] = []
    try:
        for name, cmd in (
            ("daemon", [str(BIN / "python"), "-m", "lakeops.daemon", "run", "-w", str(REPO / "workspace.yaml")]),
            ("webserver", [str(BIN / "dagster-webserver"), "-h", host, "-p", str(port), "-w", str(REPO / "workspace.yaml")]),
        ):
            log = (log_dir / f"{name}.log").open("ab")
            procs.append(subprocess.Popen(cmd, cwd=REPO, env=e, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        # GraphQL goes to the loopback address whatever the UI listens on.
        svc = Services(url=f"http://127.0.0.1:{port}", home=home, procs=procs)
        wait_until_up(svc, timeout=180, log_dir=log_dir)
        yield svc
    finally:
        stop_groups(procs)


LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message stack }
    ... on InvalidStepError { invalidStepKey }
    ... on InvalidOutputError { invalidOutputName }
    ... on UnauthorizedError { message }
  }
}"""

BACKFILL_STATUS = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill { id status numPartitions runs(limit: 1000) { runId status } }
    ... on PythonError { message }
  }
}"""

PARTITIONS = """
query {
  assetNodeOrError(assetKey: {path: ["curated"]}) {
    ... on AssetNode { partitionKeys }
  }
}"""


def launch_backfill(svc: Services, asset_paths: list[list[str]], partition_names: list[str] | None = None,
                    *, all_partitions: bool = False, title: str = "") -> str:
    params: dict = {"assetSelection": [{"path": p} for p in asset_paths], "title": title or None}
    if all_partitions:
        params["allPartitions"] = True
    else:
        params["partitionNames"] = partition_names
    res = svc.graphql(LAUNCH_BACKFILL, {"params": params})["launchPartitionBackfill"]
    if res["__typename"] != "LaunchBackfillSuccess":
        raise RuntimeError(res)
    return res["backfillId"]


def wait_backfill(svc: Services, backfill_id: str, timeout: float = 900, poll: float = 1.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        b = svc.graphql(BACKFILL_STATUS, {"id": backfill_id})["partitionBackfillOrError"]
        if b.get("status") in ("COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"):
            return b
        if time.monotonic() > deadline:
            raise TimeoutError(f"backfill {backfill_id} still {b.get('status')} after {timeout} s")
        time.sleep(poll)


def wait_partitions(svc: Services, expected: set[str], timeout: float = 300, *, lake: object) -> list[str]:
    """Wait until the inbox sensor has taken in every expected agency-year (`agency|year`): its
    raw receipt is in the lake at `lake` (a path or URL) and its division-year partition is
    registered. Returns the registered `division|year` keys."""
    from disclosure.lake import Lake
    from pipelines.partitions import division_keys, split_key

    lk = Lake.at(lake) if not isinstance(lake, Lake) else lake
    wanted = [split_key(k) for k in expected]
    pending = list(wanted)
    deadline = time.monotonic() + timeout
    fs = None if lk.is_local else getattr(lk.root, "fs", None)
    while True:
        if fs is not None:
            # s3fs caches directory listings with no expiry: a folder listed while the sensor was
            # still writing its receipt stayed empty in this process for good (test_dask_workers
            # timed out on one agency-year whose receipt was on S3 since the first tick).
            fs.invalidate_cache()
        # Only up to the first agency-year still missing: a pass that listed every pending raw
        # folder cost the 200k bench 52 s of CPU beside the sensor it waits for. The sensor files
        # in inbox order, so most passes stop early; the receipts found are dropped for good.
        done = 0
        while done < len(pending) and any(lk.raw_dir(pending[done][1], pending[done][0]).glob("*.json")):
            done += 1
        pending = pending[done:]
        if not pending:
            keys = (svc.graphql(PARTITIONS)["assetNodeOrError"] or {}).get("partitionKeys") or []
            missing = set(division_keys(lk, wanted)) - set(keys)
            if not missing:
                return keys
        if time.monotonic() > deadline:
            raise TimeoutError(f"agency-years not taken in: {pending[:5]}" if pending
                               else f"division partitions not registered: {sorted(missing)[:5]}")
        time.sleep(min(5.0, 1.0 + len(pending) / 4000))


def _interrupt(signum: int, frame: object) -> None:
    # Once: a second signal must not cut short the stopping of the children.
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """`make ui`: serve until Ctrl-C, SIGTERM or SIGHUP, then stop the webserver's and the daemon's
    process groups (they run in their own sessions, so a signal to this process alone would
    otherwise leave them orphaned)."""
    ap = argparse.ArgumentParser(description="Run the Dagster webserver and daemon on 127.0.0.1")
    ap.add_argument("--lake", default=str(REPO / "data_lake"))
    ap.add_argument("--port", type=int, default=3000)
    ap.add_argument(
        "--host",
        default=os.environ.get("DISCLOSURE_UI_HOST", "127.0.0.1"),
        help="address the UI listens on (default 127.0.0.1, or $DISCLOSURE_UI_HOST); any other address exposes it beyond this machine",
    )
    args = ap.parse_args(argv)
    lake = Path(args.lake).resolve()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    try:
        with running_services(lake, lake / ".dagster", port=args.port, host=args.host) as svc:
            print(f"Dagster UI: http://{args.host}:{args.port}  (Ctrl-C to stop)", flush=True)
            while all(p.poll() is None for p in svc.procs):
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
