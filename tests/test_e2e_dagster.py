"""End to end: the real webserver and daemon on 127.0.0.1, a backfill launched through GraphQL,
results read with DuckDB and compared with the hand-checked golden files."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from pipelines.service import launch_backfill, running_services, wait_backfill, wait_partitions
from tests.pipeline_helpers import assert_cells_match_golden, lake_cells, stage

KEYS = {"平潭综合实验区|2022", "平潭综合实验区|2023", "平潭综合实验区|2024"}


@pytest.mark.skipif(os.environ.get("DISCLOSURE_SKIP_E2E") == "1", reason="DISCLOSURE_SKIP_E2E=1")
def test_backfill_launched_through_graphql_lands_golden_values_in_the_lake(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    stage(lake / "inbox", "pingtan-2022.txt", "pingtan-2023.txt", "pingtan-2024.txt")
    env = {"DISCLOSURE_SENSOR_RUNS": "0", "DISCLOSURE_YEAR_REFRESH": "0"}
    with running_services(lake, tmp_path / "home", env=env, backfill_interval_seconds=3) as svc:
        # the inbox sensor (running by default in the daemon) registers the partitions
        wait_partitions(svc, KEYS, timeout=240)
        backfill_id = launch_backfill(svc, [["curated"]], sorted(KEYS), title="e2e")
        result = wait_backfill(svc, backfill_id, timeout=420)
    assert result["status"] in ("COMPLETED", "COMPLETED_SUCCESS"), result
    # contiguous agency-years of one agency: one run for the batch (BackfillPolicy.multi_run)
    assert len(result["runs"]) == 1 and result["runs"][0]["status"] == "SUCCESS"
    glob = str(lake / "curated") + "/{table}/*/*/*.parquet"
    for year in (2022, 2023, 2024):
        assert_cells_match_golden(f"pingtan-{year}.txt", lake_cells(glob, "平潭综合实验区", year))
    n = duckdb.connect().execute(
        f"select count(distinct year) from read_parquet('{lake}/curated/reports/*/*/*.parquet', hive_partitioning=true)"
    ).fetchone()
    assert n == (3,)
