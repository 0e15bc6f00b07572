"""The review refresh sensor and a large backfill (issue 14: few, uninterrupted runs)."""

from __future__ import annotations

import time
from pathlib import Path

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill

import pipelines.defs.review.sensors as rs
from pipelines.resources import LakeResource

STALE = dg.RunRequest(run_key="review_pages:x", job_name="review_pages_job")


@dg.asset(partitions_def=dg.StaticPartitionsDefinition(["a", "b"]))
def _part(): ...


def _backfill(instance: dg.DagsterInstance) -> PartitionBackfill:
    bf = PartitionBackfill.from_asset_partitions(
        backfill_id="bench", asset_graph=AssetGraph.from_assets([_part]), partition_names=["a", "b"],
        asset_selection=[_part.key], backfill_timestamp=time.time(), tags={}, dynamic_partitions_store=instance,
        all_partitions=False, title=None, description=None, run_config=None,
    )
    instance.add_backfill(bf)
    return bf


def _requests(instance: dg.DagsterInstance, root: Path) -> list[dg.RunRequest]:
    ctx = dg.build_sensor_context(instance=instance, resources={"lake": LakeResource(root=str(root))})
    return list(rs.review_refresh_sensor(ctx) or [])


def test_review_refresh_waits_while_a_backfill_is_requesting_runs(monkeypatch, tmp_path: Path) -> None:
    # The bug: the sensor only waited for runs of curated_job, but a backfill's runs are of the
    # asset job (and between two of them none is in flight), so it rebuilt review pages in the
    # middle of a 20k-agency-year backfill, taking a run slot and CPU from it.
    monkeypatch.setattr(rs, "refresh_requests", lambda lake, ordered: [STALE])
    with dg.instance_for_test() as instance:
        bf = _backfill(instance)
        assert rs.curation_in_flight(instance)
        assert _requests(instance, tmp_path) == []
        instance.update_backfill(bf.with_status(BulkActionStatus.COMPLETED_SUCCESS))
        assert not rs.curation_in_flight(instance)
        assert [r.run_key for r in _requests(instance, tmp_path)] == [STALE.run_key]
