"""The truth per partition: one bad report fails only its own partition; checks name the partition.

One ranged run of the curated job over three agency-years (plus one without a report), with a
schema fault injected into one report's rows (a duplicated cell: the table key must be unique).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import dagster as dg
import pytest

import disclosure.batch as batch
from disclosure.lake import Lake, read_curated, read_quarantine
from lakeops.runner import RunSummary, _run_range, apply_sensor_tick
from pipelines.definitions import build_defs
from pipelines.resources import LakeResource
from tests.pipeline_helpers import PINGTAN, stage

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

# one agency per division-year here, so a division-year's truth is its agency-year's
BAD = f"{PINGTAN}|2023"
GOOD = {f"{PINGTAN}|2022", f"{PINGTAN}|2024"}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("lake")
    lake = Lake(root)
    lake.ensure()
    stage(lake.inbox, "pingtan-2022.txt", "pingtan-2023.txt", "pingtan-2024.txt")
    real = batch.frames_for

    def frames_with_a_duplicated_cell(reports):
        frames = real(reports)
        app = frames["applications"]
        bad = app[(app["year"] == 2023)].head(1)
        frames["applications"] = batch.pd.concat([app, bad], ignore_index=True)
        return frames

    mp = pytest.MonkeyPatch()
    mp.setattr(batch, "frames_for", frames_with_a_duplicated_cell)
    defs = build_defs(LakeResource(root=str(root)))
    with dg.instance_for_test() as instance:
        apply_sensor_tick(instance, lake, root / ".state")
        summary = RunSummary()
        # one ranged run: the box 平潭县 × 2021…2024 (2021 has no report)
        _run_range(defs.resolve_job_def("curated_job"), instance, f"{PINGTAN}|2021", f"{PINGTAN}|2024", summary)
        mp.undo()
        evals = {}
        for name in ("pandera_schema", "report_identities", "ambiguous_cells", "all_reports_parsed"):
            recs = instance.event_log_storage.get_asset_check_execution_history(
                dg.AssetCheckKey(dg.AssetKey("curated"), name), limit=50)
            data = [r.event.dagster_event.event_specific_data for r in recs if r.event and r.event.dagster_event]
            evals[name] = {d.partition: d for d in data if isinstance(d, dg.AssetCheckEvaluation)}
        yield {"lake": lake, "summary": summary, "instance": instance, "evals": evals}


def test_the_run_succeeds_and_only_the_bad_partition_is_held_back_and_quarantined(run) -> None:
    lake: Lake = run["lake"]
    assert run["summary"].runs == 1 and run["summary"].failed_runs == 0
    done = run["instance"].get_materialized_partitions(dg.AssetKey("curated"))
    assert done == GOOD
    assert sorted(read_curated(lake, "reports")["year"].tolist()) == [2022, 2024]
    (q,) = read_quarantine(lake)
    assert (q.source_file, q.code, q.agency, q.year) == ("pingtan-2023.txt", "schema_violation", "平潭综合实验区", 2023)


def test_every_check_result_names_its_partition_and_what_failed(run) -> None:
    schema = run["evals"]["pandera_schema"]
    assert set(schema) == GOOD | {BAD}, "one evaluation per received partition; none for the one without a report"
    assert not schema[BAD].passed and all(schema[k].passed for k in GOOD)
    assert "held back" in schema[BAD].description and "applications" in schema[BAD].description
    assert schema[BAD].metadata["partition"].value == BAD
    parsed = run["evals"]["all_reports_parsed"]
    assert all(parsed[k].passed for k in GOOD | {BAD})
    amb = run["evals"]["ambiguous_cells"]
    assert set(amb) == GOOD and all(e.description for e in amb.values())


def test_an_agency_year_without_a_report_is_neither_materialized_nor_checked(run) -> None:
    assert all(f"{PINGTAN}|2021" not in e for e in run["evals"].values())
    assert f"{PINGTAN}|2021" not in run["instance"].get_materialized_partitions(dg.AssetKey("curated"))


def test_a_rerun_adds_no_ledger_line(run) -> None:
    lake: Lake = run["lake"]
    before = lake.quarantine_ledger.read_bytes()
    from disclosure.curate import curate

    curate(lake, [("平潭综合实验区", 2022)])
    assert lake.quarantine_ledger.read_bytes() == before
    assert Path(lake.quarantine_ledger).stat().st_mode & 0o777 == 0o644
