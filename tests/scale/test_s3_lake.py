"""The lake on object storage: the pipeline writes and reads a lake on ``s3://`` through s3fs,
against moto's S3 server (a real HTTP endpoint started by the test), and gives the same tables
as on a local folder."""

from __future__ import annotations

import warnings
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow.dataset as ds

from disclosure.lake import Lake, read_curated, read_quarantine, read_warehouse
from disclosure.schema import TABLES
from lakeops.runner import apply_sensor_tick, materialize_all
from pipelines.definitions import build_defs
from pipelines.resources import LakeResource
from tests.pipeline_helpers import REPORTS

warnings.filterwarnings("ignore", category=dg.BetaWarning)

FILES = ("pingtan-2024.txt", "hongze-gov-2024.txt")


def run_pipeline(root: str, state: Path) -> Lake:
    """Inbox → curated → warehouse in-process, as `make demo` does, on the lake at `root`."""
    lake = Lake.at(root)
    lake.ensure()
    for name in FILES:
        (lake.inbox / name).write_bytes((REPORTS / name).read_bytes())
    (lake.inbox / "not-a-report.txt").write_bytes("会议通知\n".encode())
    with dg.instance_for_test() as instance:
        apply_sensor_tick(instance, lake, state)
        summary = materialize_all(build_defs(LakeResource(root=root)), instance, lake)
    assert summary.failed_runs == 0, summary
    return lake


def test_pipeline_on_an_s3_lake_writes_the_same_tables_as_on_a_local_lake(tmp_path: Path, s3: str, s3_bucket: str) -> None:
    import s3fs

    root = f"s3://{s3_bucket}/lake"
    on_s3 = run_pipeline(root, tmp_path / "s3-state")
    local = run_pipeline(str(tmp_path / "local"), tmp_path / "local-state")
    # The objects are really in the bucket, on the server (a fresh client sees them).
    fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": s3}, skip_instance_cache=True)
    curated = fs.glob(f"{s3_bucket}/lake/curated/applications/year=*/agency=*/*.parquet")
    assert len(curated) == len(FILES), curated
    assert fs.ls(f"{s3_bucket}/lake/raw")
    for table in TABLES:
        a, b = read_curated(on_s3, table), read_curated(local, table)
        assert len(a) > 0 or table in ("validation_issues",), table
        pd.testing.assert_frame_equal(a, b, check_dtype=True)
        pd.testing.assert_frame_equal(read_warehouse(on_s3, table, 2024), read_warehouse(local, table, 2024))
    assert [q.code for q in read_quarantine(on_s3)] == [q.code for q in read_quarantine(local)] != []
    # A reader that knows nothing of the pipeline: pyarrow's hive dataset over s3fs.
    got = ds.dataset(f"{s3_bucket}/lake/curated/applications", filesystem=fs, format="parquet",
                     partitioning="hive").to_table().num_rows
    assert got == len(read_curated(local, "applications"))
