"""The Dagster code location: only assembles what the other modules define."""

from __future__ import annotations

import dagster as dg

from assets.audit.checks import audit_job, lake_accounting
from assets.core.assets import curated, warehouse
from assets.marts.assets import agency_year_kpis, expectations
from assets.marts.comparisons import comparison_marts
from assets.raw.assets import quarantine_ledger, raw_reports
from pipelines.executors import executor_from_env
from pipelines.jobs import curated_job, year_job
from pipelines.resources import LakeResource, lake_resource_from_env
from pipelines.schedules import daily_catch_up, yearly_backfill, yearly_year_assets
from pipelines.sensors import inbox_sensor, year_refresh_sensor


def build_defs(lake: LakeResource) -> dg.Definitions:
    return dg.Definitions(
        assets=[raw_reports, quarantine_ledger, curated, warehouse, agency_year_kpis, expectations, comparison_marts],
        asset_checks=[lake_accounting],
        jobs=[curated_job, year_job, audit_job],
        sensors=[inbox_sensor, year_refresh_sensor],
        schedules=[yearly_backfill, daily_catch_up, yearly_year_assets],
        resources={"lake": lake},
        executor=executor_from_env(),
    )


defs = build_defs(lake_resource_from_env())
