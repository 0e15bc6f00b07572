"""Core layer: curated agency-year partitions and the per-year warehouse copies."""

import dagster as dg

from .assets import curated, warehouse
from .jobs import curated_job
from .schedules import daily_catch_up, yearly_backfill

defs = dg.Definitions(assets=[curated, warehouse], jobs=[curated_job], schedules=[yearly_backfill, daily_catch_up])
