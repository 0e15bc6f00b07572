"""Jobs the sensors and schedules target."""

from __future__ import annotations

import dagster as dg

from assets.core.assets import CURATED_KEY, WAREHOUSE_KEYS
from assets.marts.assets import MART_KEYS
from assets.marts.comparisons import COMPARISON_KEYS

curated_job = dg.define_asset_job(
    "curated_job",
    selection=dg.AssetSelection.assets(CURATED_KEY),
    description="Parse agency-year partitions into the curated zone.",
)

year_job = dg.define_asset_job(
    "year_job",
    selection=dg.AssetSelection.assets(*WAREHOUSE_KEYS, *MART_KEYS, *COMPARISON_KEYS),
    description="Compact one year's curated tables into the warehouse and build its marts and Data Docs.",
)
