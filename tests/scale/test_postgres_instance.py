"""dagster-postgres instance storage end to end: the real webserver and daemon on a real
PostgreSQL server (started by the test), the inbox sensor registering partitions, a backfill
launched through GraphQL, golden values in the lake, and the run history in PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg2

from lakeops.service import launch_backfill, running_services, wait_backfill, wait_partitions
from tests.pipeline_helpers import assert_cells_match_golden, lake_cells, stage
from tests.scale.conftest import libpq_url

AGENCY = "平潭综合实验区"
AGENCY_YEARS = {f"{AGENCY}|{y}" for y in (2022, 2023, 2024)}
KEYS = {f"350128 平潭县|{y}" for y in (2022, 2023, 2024)}  # their division-year partitions


def test_backfill_on_postgres_instance_storage_lands_golden_values_and_records_runs_in_postgres(
    tmp_path: Path, postgres_url: str
) -> None:
    lake = tmp_path / "lake"
    stage(lake / "inbox", *(f"pingtan-{y}.txt" for y in (2022, 2023, 2024)))
    env = {"DISCLOSURE_SENSOR_RUNS": "0", "DISCLOSURE_YEAR_REFRESH": "0",
           "DAGSTER_GRPC_TIMEOUT_SECONDS": "300"}  # a busy 2-core CI machine: code-server calls > 60 s
    with running_services(lake, tmp_path / "home", env=env, storage="postgres", postgres_url=postgres_url,
                          backfill_interval_seconds=2) as svc:
        assert "postgres" in (tmp_path / "home" / "dagster.yaml").read_text("utf-8")
        wait_partitions(svc, AGENCY_YEARS, timeout=480, lake=lake)  # the sensor daemon wrote the dynamic partitions to PostgreSQL
        backfill_id = launch_backfill(svc, [["curated"]], sorted(KEYS), title="postgres")
        result = wait_backfill(svc, backfill_id, timeout=420)
    assert result["status"] in ("COMPLETED", "COMPLETED_SUCCESS"), result
    assert [r["status"] for r in result["runs"]] == ["SUCCESS"]
    glob = str(lake / "curated") + "/{table}/*/*/*.parquet"
    for year in (2022, 2023, 2024):
        assert_cells_match_golden(f"pingtan-{year}.txt", lake_cells(glob, AGENCY, year))
    # No SQLite files: the run, its events, the partitions and the backfill live in PostgreSQL.
    assert not list((tmp_path / "home").rglob("*.db"))
    con = psycopg2.connect(libpq_url(postgres_url))
    with con, con.cursor() as cur:
        cur.execute("select status from runs where run_id = %s", (result["runs"][0]["runId"],))
        assert cur.fetchall() == [("SUCCESS",)]
        cur.execute("select partition from dynamic_partitions where partitions_def_name = 'division'")
        assert cur.fetchall() == [("350128 平潭县",)]
        cur.execute("select count(distinct partition) from event_logs where dagster_event_type = "
                    "'ASSET_MATERIALIZATION' and asset_key = %s", ('["curated"]',))
        assert cur.fetchone() == (3,)
        cur.execute("select status from bulk_actions where key = %s", (backfill_id,))
        assert cur.fetchone()[0] in ("COMPLETED", "COMPLETED_SUCCESS")
    con.close()
