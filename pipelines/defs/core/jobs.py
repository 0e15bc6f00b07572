"""The curated job, which the inbox sensor and the catch-up schedules target."""

from __future__ import annotations

import dagster as dg

from pipelines.keys import CURATED_JOB, CURATED_KEY

curated_job = dg.define_asset_job(
    CURATED_JOB,
    selection=dg.AssetSelection.assets(CURATED_KEY),
    description="Parse division-year partitions (their agency-years, or the agencies of run config `agencies`) into the curated zone.",
)
