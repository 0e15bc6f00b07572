"""Resources: where the lake lives."""

from __future__ import annotations

import os

import dagster as dg
from pydantic import field_validator

from disclosure.lake import Lake, default_root


class LakeResource(dg.ConfigurableResource):
    """The lake root (a local folder; see docs/pipeline.md for object storage)."""

    root: str = str(default_root())
    # When False the inbox sensor registers and copies files but requests no runs: bulk loads
    # then go through one backfill (make demo, bench).
    sensor_requests_runs: bool = True
    # Files the inbox sensor reads per tick (keeps a tick well under the 60 s sensor timeout).
    max_files_per_tick: int = 500
    # Seconds after which a tick starts no new file (the rest wait for the next tick): Dagster
    # discards a tick that outlives its 60 s sensor timeout and re-runs it from the old cursor.
    tick_seconds: float = 40.0
    # Above this many accepted files in one tick, one summary observation replaces the
    # per-partition raw_reports materializations (each event is a SQLite write).
    raw_events_per_tick: int = 100
    # Worker processes that identify a bulk tick's files (disclosure.ingest.POOL_MIN_FILES or
    # more); 0 = one per core. Identifying is 80 % of a tick's CPU; the rest stays in the sensor.
    ingest_workers: int = 0
    # year_refresh_sensor rebuilds year-level assets after curated partitions change.
    year_refresh: bool = True
    # Share of wall time the listings of an idle inbox may take (raw/sensors.next_listing_in):
    # at 200,000 files a listing costs 1.6 s, so after an idle tick the next waits 80 s. 1.0
    # lists on every tick.
    inbox_listing_duty: float = 0.02

    @field_validator("inbox_listing_duty")
    @classmethod
    def _duty_is_a_share(cls, v: float) -> float:
        if not 0 < v <= 1:
            raise ValueError(f"inbox_listing_duty (DISCLOSURE_INBOX_LISTING_DUTY) must be in (0, 1], got {v!r}")
        return v

    @property
    def lake(self) -> Lake:
        return Lake.at(self.root)

    @property
    def identify_workers(self) -> int:
        return self.ingest_workers if self.ingest_workers > 0 else (os.cpu_count() or 1)


def lake_resource_from_env() -> LakeResource:
    return LakeResource(
        root=os.environ.get("DISCLOSURE_LAKE_ROOT", str(default_root())),
        sensor_requests_runs=os.environ.get("DISCLOSURE_SENSOR_RUNS", "1") != "0",
        max_files_per_tick=int(os.environ.get("DISCLOSURE_MAX_FILES_PER_TICK", "500")),
        tick_seconds=float(os.environ.get("DISCLOSURE_TICK_SECONDS", "40")),
        raw_events_per_tick=int(os.environ.get("DISCLOSURE_RAW_EVENTS_PER_TICK", "100")),
        ingest_workers=int(os.environ.get("DISCLOSURE_INGEST_WORKERS", "0")),
        year_refresh=os.environ.get("DISCLOSURE_YEAR_REFRESH", "1") != "0",
        inbox_listing_duty=float(os.environ.get("DISCLOSURE_INBOX_LISTING_DUTY", "0.02")),
    )
