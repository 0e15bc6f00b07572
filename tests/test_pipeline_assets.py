"""In-process materialization: inbox → raw → curated → warehouse → marts, values as in the golden files."""

from __future__ import annotations

import warnings
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from disclosure.lake import Lake, current_raw, read_quarantine
from lakeops.runner import apply_sensor_tick, materialize_all
from pipelines.definitions import build_defs
from pipelines.defs.core.assets import warehouse
from pipelines.defs.marts.assets import agency_year_kpis
from pipelines.resources import LakeResource
from tests.pipeline_helpers import HONGZE, PINGTAN, SHANGHAI, assert_cells_match_golden, lake_cells, stage

warnings.filterwarnings("ignore", category=dg.BetaWarning)

FILES = ("pingtan-2022.txt", "pingtan-2023.txt", "sh-gov-office-2019.html", "hongze-gov-2023.txt")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("lake")
    lake = Lake(root)
    lake.ensure()
    stage(lake.inbox, *FILES)
    (lake.inbox / "junk.md").write_text("# 会议纪要\n\n没有任何表格。\n", "utf-8")
    resource = LakeResource(root=str(root))
    defs = build_defs(resource)
    with dg.instance_for_test() as instance:
        tick = apply_sensor_tick(instance, lake, root / ".state")
        summary = materialize_all(defs, instance, lake, year_job_name=None)
        years = dg.materialize(
            [warehouse, agency_year_kpis],
            instance=instance,
            partition_key="2023",
            resources={"lake": resource},
            raise_on_error=False,
        )
        first = (lake.curated / "applications").rglob("*.parquet")
        before = {p: p.read_bytes() for p in first}
        again = materialize_all(defs, instance, lake, year_job_name=None)
        after = {p: p.read_bytes() for p in (lake.curated / "applications").rglob("*.parquet")}
        yield {"lake": lake, "tick": tick, "summary": summary, "years": years, "before": before, "after": after,
               "again": again, "instance": instance}


def test_every_dropped_file_is_curated_or_quarantined(run) -> None:
    lake: Lake = run["lake"]
    assert sorted(run["tick"].accepted) == sorted(
        ["平潭综合实验区|2022", "平潭综合实验区|2023", "上海市人民政府办公厅|2019", "洪泽区人民政府|2023"]
    )
    assert [q.source_file for q in read_quarantine(lake)] == ["junk.md"]
    assert run["summary"].failed_runs == 0


def test_neighbouring_agencies_of_one_year_run_as_one_batch(run) -> None:
    # Ranges are boxes (divisions × years), built year by year: 2019 上海; 2022 平潭; 2023 洪泽+平潭
    # (neighbouring divisions in registration order) in one run.
    assert run["summary"].runs == 3


def test_curated_cells_read_with_duckdb_match_the_golden_files(run) -> None:
    glob = str(run["lake"].curated) + "/{table}/*/*/*.parquet"
    assert_cells_match_golden("pingtan-2022.txt", lake_cells(glob, "平潭综合实验区", 2022))
    assert_cells_match_golden("pingtan-2023.txt", lake_cells(glob, "平潭综合实验区", 2023))
    assert_cells_match_golden("sh-gov-office-2019.html", lake_cells(glob, "上海市人民政府办公厅", 2019))
    assert_cells_match_golden("hongze-gov-2023.txt", lake_cells(glob, "洪泽区人民政府", 2023))


def test_rerun_replaces_partitions_without_duplicating_rows(run) -> None:
    assert set(run["before"]) == set(run["after"]) and len(run["after"]) == 4
    con = duckdb.connect()
    dup = con.execute(
        f"select count(*) from (select report_id, row, applicant, count(*) n from read_parquet("
        f"'{run['lake'].curated}/applications/*/*/*.parquet', hive_partitioning=true) group by all having n > 1)"
    ).fetchone()[0]
    assert dup == 0


def test_checks_report_identity_failures_with_the_printed_numbers(run) -> None:
    checks = run["summary"].checks
    # one evaluation per division-year (4 agency-years in 4 division-years)
    assert checks["curated:pandera_schema"] == {"passed": 4, "failed": 0}
    # hongze-gov-2023 violates its own 表四 identities (golden notes): only its partition fails the check.
    assert checks["curated:report_identities"]["failed"] == 1
    inst: dg.DagsterInstance = run["instance"]
    recs = inst.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(dg.AssetKey("curated"), "report_identities"), limit=20
    )
    texts = [str(r.event.dagster_event.event_specific_data.metadata["failures"].value) for r in recs
             if r.event and r.event.dagster_event and not r.event.dagster_event.event_specific_data.passed]
    assert any("review" in t for t in texts)
    failed = [r for r in recs if r.event and not r.event.dagster_event.event_specific_data.passed]
    assert {r.event.dagster_event.event_specific_data.partition for r in failed} == {f"{HONGZE}|2023"}
    desc = failed[0].event.dagster_event.event_specific_data.description
    assert ("failed identit" in desc) and "洪泽区人民政府: " in desc, desc


def test_year_assets_compact_the_curated_year_and_build_kpis(run) -> None:
    lake: Lake = run["lake"]
    assert run["years"].success
    con = duckdb.connect()
    n_wh = con.execute(f"select count(*) from read_parquet('{lake.warehouse_path('applications', 2023)}')").fetchone()[0]
    n_cur = con.execute(
        f"select count(*) from read_parquet('{lake.curated}/applications/year=2023/*/*.parquet')"
    ).fetchone()[0]
    assert n_wh == n_cur > 0
    # The warehouse asset writes the wide values file beside its year and names it: one row per report.
    wide_files = [m.materialization.metadata["wide_files"].value for m in run["years"].get_asset_materialization_events()
                  if "wide_files" in m.materialization.metadata]
    assert len(wide_files) == 1 and len(wide_files[0]) == 1 and Path(wide_files[0][0]).exists()
    n_reports = con.execute(f"select count(distinct report_id) from read_parquet('{lake.warehouse_path('applications', 2023)}')").fetchone()[0]
    assert con.execute(f"select count(*) from read_parquet('{wide_files[0][0]}')").fetchone()[0] == n_reports
    kpis = con.execute(
        f"select agency from read_parquet('{lake.mart_path('agency_year_kpis', 2023)}') order by agency"
    ).fetchall()
    assert sorted(kpis) == sorted([("平潭综合实验区",), ("洪泽区人民政府",)])
    ev = run["years"].get_asset_check_evaluations()
    cross = [e for e in ev if e.check_name == "cross_year_soft_checks"]
    assert cross and cross[0].metadata["evaluated"].value > 0  # 2023 vs 2022 of 平潭


def test_each_partition_s_metadata_is_its_own_rows_source_file_report_id_and_file_hashes(run) -> None:
    inst: dg.DagsterInstance = run["instance"]
    lake: Lake = run["lake"]
    for key, agency, name in ((f"{PINGTAN}|2022", "平潭综合实验区", "pingtan-2022.txt"),
                              (f"{HONGZE}|2023", "洪泽区人民政府", "hongze-gov-2023.txt")):
        recs = inst.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("curated"), asset_partitions=[key]), limit=1).records
        md = recs[0].asset_materialization.metadata
        assert md["source_file"].value == name and md["agency"].value == agency and md["agencies"].value == 1
        year = key.split("|")[1]
        raw = current_raw(lake, agency, int(year))
        assert md["report_id"].value == raw.sha256
        n_app = duckdb.connect().execute(
            f"select count(*) from read_parquet('{lake.curated_path('applications', int(year), agency)}')").fetchone()[0]
        assert md["dagster/row_count"].value == md["rows.applications"].value == n_app
        files = md["files"].value
        assert len(files) == 6 and all(Path(f["path"]).exists() and len(f["sha256"]) == 64 for f in files)
        assert all(f"agency={agency}" in f["path"] for f in files)


def test_an_agency_year_without_a_report_is_never_materialized(run) -> None:
    inst: dg.DagsterInstance = run["instance"]
    done = inst.get_materialized_partitions(dg.AssetKey("curated"))
    assert done == {f"{PINGTAN}|2022", f"{PINGTAN}|2023", f"{SHANGHAI}|2019", f"{HONGZE}|2023"}


def test_schedules_request_the_previous_year_and_the_changed_partitions(run) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from disclosure.lake import store_raw
    from pipelines.defs.core.schedules import daily_catch_up, yearly_backfill
    from tests.pipeline_helpers import REPORTS

    lake: Lake = run["lake"]
    res = {"lake": LakeResource(root=str(lake.root))}
    when = datetime(2024, 2, 1, 3, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    ctx = dg.build_schedule_context(instance=run["instance"], scheduled_execution_time=when, resources=res)
    yearly = list(yearly_backfill(ctx))
    spans = {(r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"]) for r in yearly}
    assert spans == {(f"{HONGZE}|2023", f"{PINGTAN}|2023")}
    # nothing changed yet: the daily catch-up has nothing to do
    assert list(daily_catch_up(dg.build_schedule_context(instance=run["instance"], scheduled_execution_time=when, resources=res))) == []
    # a corrected re-publication of 平潭 2023 arrives in the raw zone
    store_raw(lake, (REPORTS / "pingtan-2023.txt").read_bytes() + "\n更正\n".encode(), agency="平潭综合实验区",
              year=2023, source_file="pingtan-2023-corrected.txt")
    daily = list(daily_catch_up(dg.build_schedule_context(instance=run["instance"], scheduled_execution_time=when, resources=res)))
    assert [(r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"]) for r in daily] == [
        (f"{PINGTAN}|2023", f"{PINGTAN}|2023")
    ]
    # restricted to the agency whose raw file changed (its division's other agencies are not re-parsed)
    assert daily[0].run_config == {"ops": {"curated": {"config": {"agencies": ["平潭综合实验区"]}}}}


def test_duckdb_sum_of_value_includes_no_ambiguous_candidate(run) -> None:
    """Lake and JSON agree: a cell flagged ambiguous / unparsed / not_found has a null value
    (its candidates in their own list column), so summing `value` never adds a guess."""
    con = duckdb.connect()
    totals = {}
    for table in ("active_disclosure", "applications", "review_litigation"):
        src = f"read_parquet('{run['lake'].curated}/{table}/*/*/*.parquet', hive_partitioning=true)"
        guessed, ambiguous, with_candidates = con.execute(
            f"select count(*) filter (where value is not null and list_has_any(flags, ['ambiguous', 'unparsed', 'not_found'])),"
            f" count(*) filter (where list_contains(flags, 'ambiguous')),"
            f" count(*) filter (where list_contains(flags, 'ambiguous') and len(candidates) > 0) from {src}"
        ).fetchone()
        assert guessed == 0, f"{table}: {guessed} flagged cells carry a value"
        totals[table] = (ambiguous, with_candidates)
        everything, unflagged_only = con.execute(
            f"select sum(value), sum(value) filter (where not list_has_any(flags, ['ambiguous', 'unparsed', 'not_found']))"
            f" from {src}"
        ).fetchone()
        assert everything == unflagged_only
    # pingtan-2022/2023 are crawler text with ambiguous digit runs in table 二: the test bites.
    assert totals["active_disclosure"][0] > 0 and totals["active_disclosure"][1] > 0
