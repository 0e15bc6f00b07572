"""Past one machine on an existing engine: Dagster's dask executor on a real dask.distributed
cluster (a scheduler and two worker processes started by the test), with the instance in a real
PostgreSQL and the lake on S3 (moto's server) — what several machines would share. A backfill
launched through the webserver is spread over both workers and gives byte-identical Parquet to a
single-process run of the same inbox."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import dagster as dg
import pandas as pd
import psycopg2
import s3fs

from disclosure.lake import Lake, read_curated
from disclosure.schema import TABLES
from lakeops.runner import apply_sensor_tick, materialize_all
from lakeops.service import launch_backfill, running_services, wait_backfill, wait_partitions
from pipelines.definitions import build_defs
from pipelines.resources import LakeResource
from tests.pipeline_helpers import REPORTS
from tests.scale.conftest import libpq_url
from tests.scale.servers import dask_cluster

warnings.filterwarnings("ignore", category=dg.BetaWarning)

AGENCY = "平潭综合实验区"
YEARS = (2021, 2022, 2023, 2024)
AGENCY_YEARS = {f"{AGENCY}|{y}" for y in YEARS}
KEYS = {f"350128 平潭县|{y}" for y in YEARS}  # their division-year partitions
SCALE_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "FSSPEC_S3_ENDPOINT_URL")


def parquet_digests(fs, root: str) -> dict[str, str]:
    """Relative path → sha256 of every curated Parquet file under `root`."""
    base = root.rstrip("/") + "/curated/"
    out = {}
    for f in fs.glob(base + "*/year=*/agency=*/*.parquet"):
        out[f.removeprefix(base.removeprefix("s3://"))] = hashlib.sha256(fs.cat_file(f)).hexdigest()
    return out


def test_backfill_spread_over_two_dask_workers_gives_the_single_process_lake_byte_for_byte(
    tmp_path: Path, postgres_url: str, s3: str, s3_bucket: str, scale_logs: Path
) -> None:
    root = f"s3://{s3_bucket}/lake"
    fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": s3}, skip_instance_cache=True)
    for y in YEARS:
        fs.pipe(f"{s3_bucket}/lake/inbox/pingtan-{y}.txt", (REPORTS / f"pingtan-{y}.txt").read_bytes())

    home = tmp_path / "home"
    env = {k: os.environ[k] for k in SCALE_ENV}
    env.update({"DISCLOSURE_LAKE_ROOT": root, "DAGSTER_HOME": str(home), "PYTHONWARNINGS": "ignore",
                "DISCLOSURE_SENSOR_RUNS": "0", "DISCLOSURE_YEAR_REFRESH": "0",
                "DAGSTER_GRPC_TIMEOUT_SECONDS": "300",  # a busy 2-core CI machine: code-server calls > 60 s
                "DISCLOSURE_BATCH_SIZE": "1"})  # one division-year per run: four runs for the workers
    worker_env = {**os.environ, **env}
    with dask_cluster(scale_logs, workers=2, env=worker_env) as (address, worker_pids):
        env["DISCLOSURE_DASK_SCHEDULER"] = address
        with running_services(root, home, env=env, storage="postgres", postgres_url=postgres_url,  # type: ignore[arg-type]
                              backfill_interval_seconds=2, max_concurrent_runs=2) as svc:
            wait_partitions(svc, AGENCY_YEARS, timeout=480, lake=root)
            backfill_id = launch_backfill(svc, [["curated"]], sorted(KEYS), title="dask")
            result = wait_backfill(svc, backfill_id, timeout=900)
    assert result["status"] in ("COMPLETED", "COMPLETED_SUCCESS"), result
    assert sorted(r["status"] for r in result["runs"]) == ["SUCCESS"] * len(YEARS)

    # Each of the backfill's runs executed its step inside a dask worker process, and both
    # workers took steps. Only the backfill's runs count: a sensor the daemon runs (review pages
    # after curated changed) may start a run of its own in the meantime.
    run_ids = [r["runId"] for r in result["runs"]]
    con = psycopg2.connect(libpq_url(postgres_url))
    with con, con.cursor() as cur:
        cur.execute("select event from event_logs where dagster_event_type = 'STEP_START' and run_id = any(%s)",
                    (run_ids,))
        step_pids = [dg.deserialize_value(row[0]).dagster_event.pid for row in cur.fetchall()]
    con.close()
    assert len(step_pids) == len(YEARS)
    assert set(step_pids) <= set(worker_pids), (step_pids, worker_pids)
    assert len(set(step_pids)) == 2, step_pids

    # The same inbox through one process (in-process executor, local lake): the same files.
    local = Lake.at(str(tmp_path / "single"))
    local.ensure()
    for y in YEARS:
        (local.inbox / f"pingtan-{y}.txt").write_bytes((REPORTS / f"pingtan-{y}.txt").read_bytes())
    with dg.instance_for_test() as instance:
        apply_sensor_tick(instance, local, tmp_path / "state")
        assert materialize_all(build_defs(LakeResource(root=str(local.root))), instance, local,
                               year_job_name=None).failed_runs == 0
    import fsspec

    single = parquet_digests(fsspec.filesystem("file"), str(local.root))
    spread = parquet_digests(fs, root)
    assert {k.split("/")[1] for k in single} == {f"year={y}" for y in YEARS}
    assert spread == single
    on_s3 = Lake.at(root)
    for t in TABLES:
        pd.testing.assert_frame_equal(read_curated(on_s3, t), read_curated(local, t))
