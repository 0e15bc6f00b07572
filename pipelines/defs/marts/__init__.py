"""Marts layer: per-year KPIs, the expectation suite and its Data Docs, and the year refresh."""

import dagster as dg

from .assets import agency_year_kpis, expectations
from .comparisons import comparison_marts
from .jobs import year_job
from .schedules import yearly_year_assets
from .sensors import year_refresh_sensor

defs = dg.Definitions(
    assets=[agency_year_kpis, expectations, comparison_marts],
    jobs=[year_job],
    sensors=[year_refresh_sensor],
    schedules=[yearly_year_assets],
)
