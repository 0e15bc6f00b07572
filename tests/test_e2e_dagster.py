"""End to end: the real webserver and daemon on 127.0.0.1, a backfill launched through GraphQL,
results read with DuckDB and compared with the hand-checked golden files."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from lakeops.service import launch_backfill, running_services, wait_backfill, wait_partitions
from tests.pipeline_helpers import PINGTAN, assert_cells_match_golden, lake_cells, stage

AGENCY_YEARS = {"平潭综合实验区|2022", "平潭综合实验区|2023", "平潭综合实验区|2024"}
KEYS = {f"{PINGTAN}|{y}" for y in (2022, 2023, 2024)}  # their division-year partitions


@pytest.mark.skipif(os.environ.get("DISCLOSURE_SKIP_E2E") == "1", reason="DISCLOSURE_SKIP_E2E=1")
def test_backfill_launched_through_graphql_lands_golden_values_in_the_lake(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    stage(lake / "inbox", "pingtan-2022.txt", "pingtan-2023.txt", "pingtan-2024.txt")
    env = {"DISCLOSURE_SENSOR_RUNS": "0", "DISCLOSURE_YEAR_REFRESH": "0"}
    with running_services(lake, tmp_path / "home", env=env, backfill_interval_seconds=3) as svc:
        # the inbox sensor (running by default in the daemon) registers the partitions
        wait_partitions(svc, AGENCY_YEARS, timeout=480, lake=lake)
        backfill_id = launch_backfill(svc, [["curated"]], sorted(KEYS), title="e2e")
        result = wait_backfill(svc, backfill_id, timeout=420)
        per_partition = {k: _partition_view(svc, k) for k in sorted(KEYS)}
    assert result["status"] in ("COMPLETED", "COMPLETED_SUCCESS"), result
    # contiguous division-years of one division: one run for the batch (BackfillPolicy.multi_run)
    assert len(result["runs"]) == 1 and result["runs"][0]["status"] == "SUCCESS"
    glob = str(lake / "curated") + "/{table}/*/*/*.parquet"
    for year in (2022, 2023, 2024):
        assert_cells_match_golden(f"pingtan-{year}.txt", lake_cells(glob, "平潭综合实验区", year))
    n = duckdb.connect().execute(
        f"select count(distinct year) from read_parquet('{lake}/curated/reports/*/*/*.parquet', hive_partitioning=true)"
    ).fetchone()
    assert n == (3,)
    # What the webserver serves per partition: its own metadata and its own check results.
    for key, view in per_partition.items():
        year = key.split("|")[1]
        (mat,) = view["materializations"]
        md = {e["label"]: e.get("text") or e.get("intValue") or e.get("path") for e in mat["metadataEntries"]}
        assert mat["partition"] == key and md["source_file"] == f"pingtan-{year}.txt", md
        assert len(md["report_id"]) == 64
        n_app = duckdb.connect().execute(
            f"select count(*) from read_parquet('{lake}/curated/applications/year={year}/*/*.parquet')").fetchone()[0]
        assert md["dagster/row_count"] == n_app
        for check, evals in view["checks"].items():
            assert [e["partition"] for e in evals] == [key], (check, evals)
            (ev,) = evals
            assert ev["description"], (check, ev)
            if not ev["success"] and check == "ambiguous_cells":
                assert ev["description"].split(" ")[1:3] == ["ambiguous", "cell(s):"], ev["description"]
                assert "applications." in ev["description"] or "review_litigation." in ev["description"] or \
                    "active_disclosure." in ev["description"]
    assert {c for v in per_partition.values() for c in v["checks"]} == {
        "pandera_schema", "report_identities", "ambiguous_cells", "all_reports_parsed"}


_PARTITION_QUERY = """
query ($key: String!, $check: String!) {
  assetOrError(assetKey: {path: ["curated"]}) {
    ... on Asset {
      assetMaterializations(partitions: [$key]) {
        partition
        metadataEntries {
          label
          ... on TextMetadataEntry { text }
          ... on IntMetadataEntry { intValue }
          ... on PathMetadataEntry { path }
        }
      }
    }
  }
  assetCheckExecutions(assetKey: {path: ["curated"]}, checkName: $check, partition: $key, limit: 10) {
    status
    evaluation { partition success description }
  }
}
"""


def _partition_view(svc, key: str) -> dict:
    out: dict = {"checks": {}}
    for check in ("pandera_schema", "report_identities", "ambiguous_cells", "all_reports_parsed"):
        data = svc.graphql(_PARTITION_QUERY, {"key": key, "check": check})
        data = data.get("data", data)
        out["materializations"] = data["assetOrError"]["assetMaterializations"]
        out["checks"][check] = [x["evaluation"] for x in data["assetCheckExecutions"] if x["evaluation"]]
    return out
