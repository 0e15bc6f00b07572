"""Dagster partitions are division-years, the lake stays agency-years: one run per division-year
of a tick, one materialization per division-year naming its agencies, and one agency
re-materialized alone through the run config (what the UI's Materialize… with config does)."""

from __future__ import annotations

import warnings

import dagster as dg
import pytest

from disclosure.keys import UNKNOWN_DIVISION, division_of
from disclosure.lake import Lake
from disclosure.registry import Agency, Registry, default_registry
from lakeops.runner import RunSummary, _run_range, materialize_all
from pipelines.definitions import build_defs
from pipelines.defs.raw.sensors import ingest_tick
from pipelines.partitions import agency_years_of, curated_run_config
from pipelines.resources import LakeResource
from tests.pipeline_helpers import PINGTAN, stage

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

GOV, ZRZ = "平潭综合实验区", "平潭综合实验区自然资源与生态环境局"
KEY = f"{PINGTAN}|2024"


@pytest.mark.parametrize(("agency", "division"), [
    ("平潭综合实验区", "350128 平潭县"),  # county code: the county's name
    ("淮安市人民政府", "320800 淮安市"),  # prefecture code
    ("上海市人民政府办公厅", "310000 上海市"),  # province code
    ("江北区人民政府", UNKNOWN_DIVISION),  # registered without a code: not guessed from 重庆市
    ("测试市人民政府", UNKNOWN_DIVISION),  # unregistered
    ("淮安市洪泽区人民政府", UNKNOWN_DIVISION),  # an alias is not a lake key: only canonical names have a division
])
def test_division_of_an_agency_key_comes_from_its_registry_row_only(agency: str, division: str) -> None:
    assert division_of(agency, default_registry()) == division


def test_a_lake_override_of_the_registry_moves_an_agency_to_its_division() -> None:
    reg = Registry({"x": Agency("x", "测试市人民政府", province="福建省", prefecture="测试市", division_code="350900")})
    assert division_of("测试市人民政府", reg) == "350900 测试市"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("lake")
    lake = Lake(root)
    lake.ensure()
    stage(lake.inbox, "pingtan-2024.txt", "pingtan-zrz-2024.txt")
    first = ingest_tick(lake, None, requests_runs=True, max_files=100)
    tick = ingest_tick(lake, first.cursor, requests_runs=True, max_files=100)
    defs = build_defs(LakeResource(root=str(root)))
    with dg.instance_for_test() as instance:
        for req in tick.dynamic_partitions_requests:  # what the sensor daemon does with the tick
            instance.add_dynamic_partitions(req.partitions_def_name, list(req.partition_keys))
        summary = materialize_all(defs, instance, lake, year_job_name=None)
        gov_file, zrz_file = lake.curated_path("applications", 2024, GOV), lake.curated_path("applications", 2024, ZRZ)
        before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (gov_file, zrz_file)}
        one = RunSummary()
        _run_range(defs.resolve_job_def("curated_job"), instance, KEY, KEY, one, curated_run_config([ZRZ]))
        after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (gov_file, zrz_file)}
        mats = [r.asset_materialization for r in instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("curated"), asset_partitions=[KEY]), limit=5).records]
        yield {"lake": lake, "tick": tick, "summary": summary, "one": one, "before": before, "after": after,
               "gov": gov_file, "zrz": zrz_file, "mats": mats}


def test_two_agencies_of_one_division_year_arrive_as_one_run_restricted_to_them(run) -> None:
    (req,) = run["tick"].run_requests
    assert req.partition_key == KEY
    assert req.run_config == curated_run_config([GOV, ZRZ])
    assert agency_years_of(run["lake"], [KEY]) == [(GOV, 2024), (ZRZ, 2024)]


def test_the_division_year_is_one_materialization_naming_each_agency(run) -> None:
    assert run["summary"].runs == 1 and run["summary"].failed_runs == 0
    first = run["mats"][-1]  # newest first: the last is the full run
    md = first.metadata
    assert md["agencies"].value == 2 and "agency" not in md
    assert GOV in md["agency_years"].value and ZRZ in md["agency_years"].value
    assert {f["agency"] for f in md["files"].value} == {GOV, ZRZ}
    assert run["gov"].parent.name == f"agency={GOV}" and run["gov"].parent.parent.name == "year=2024"


def test_one_agency_is_re_materialized_alone_and_the_others_files_are_untouched(run) -> None:
    assert run["one"].runs == 1 and run["one"].failed_runs == 0
    newest = run["mats"][0].metadata
    assert newest["agencies"].value == 1 and newest["agency"].value == ZRZ
    gov, zrz = run["gov"], run["zrz"]
    assert run["after"][gov] == run["before"][gov]  # same bytes, not even rewritten
    assert run["after"][zrz][0] == run["before"][zrz][0]  # rewritten with the same bytes (idempotent)
    assert run["after"][zrz][1] > run["before"][zrz][1]


def test_a_one_agency_run_reports_the_whole_division_years_row_count(run) -> None:
    """The UI shows the latest materialization's `dagster/row_count`: after a run restricted to
    one agency it still counts every agency's curated rows of the division-year (the bug: 175 of
    700 shown after a one-agency run from the launchpad)."""
    import pyarrow.parquet as pq

    newest, full = run["mats"][0].metadata, run["mats"][-1].metadata
    held = sum(pq.ParquetFile(p).metadata.num_rows for p in (run["gov"], run["zrz"]))
    assert newest["dagster/row_count"].value == full["dagster/row_count"].value == held
    assert newest["agencies_in_partition"].value == 2 and newest["agencies"].value == 1
