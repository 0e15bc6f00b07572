"""The comparison-mart assets (pipelines/defs/marts/comparisons.py) materialize one year and report their checks."""

from __future__ import annotations

import warnings

import dagster as dg

from disclosure.lake import Lake, read_hashes
from pipelines.definitions import defs
from pipelines.defs.marts.comparisons import comparison_marts
from pipelines.keys import COMPARISON_KEYS
from pipelines.resources import LakeResource

warnings.filterwarnings("ignore", category=dg.BetaWarning)


def test_year_job_builds_the_comparison_marts() -> None:
    selected = defs.resolve_job_def("year_job").asset_layer.selected_asset_keys
    assert set(COMPARISON_KEYS) <= set(selected)


def test_comparison_marts_materialize_a_year_with_their_checks(mart_lake: Lake) -> None:
    with dg.instance_for_test() as instance:
        result = dg.materialize([comparison_marts], instance=instance, partition_key="2023",
                                resources={"lake": LakeResource(root=str(mart_lake.root))})
    assert result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == set(COMPARISON_KEYS)
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["flagged_inputs_give_no_change"] is True
    assert checks["late_publications"] is False  # pingtan 2023 went up on 2024-03-08 (url stamp)
    recorded = read_hashes(mart_lake)
    assert "marts/year_on_year/year=2023/part-0.parquet" in recorded
