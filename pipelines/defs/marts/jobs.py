"""The year job: a year's warehouse copies (core), its marts and Data Docs."""

from __future__ import annotations

import dagster as dg

from pipelines.keys import MART_KEYS, WAREHOUSE_KEYS, YEAR_JOB

year_job = dg.define_asset_job(
    YEAR_JOB,
    selection=dg.AssetSelection.assets(*WAREHOUSE_KEYS, *MART_KEYS),
    description="Compact one year's curated tables into the warehouse and build its marts and Data Docs.",
)
