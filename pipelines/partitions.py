"""Partitions: statistical year × agency (dynamic), and year alone for the year-level assets.

Multi-partition keys read ``agency|year`` (Dagster sorts dimensions by name), ordered agency by
agency (in the order agencies were registered), then year. A backfill run covers one
contiguous range of that order, so the agency-years of one agency batch together.
"""

from __future__ import annotations

import os

import dagster as dg

from disclosure.keys import FIRST_YEAR, join_key, open_years, split_key  # noqa: F401 (re-exported)

TIMEZONE = "Asia/Shanghai"
"""Schedules run on the reporting bodies' clock (the 31 January deadline is Beijing time)."""

AGENCY_DIMENSION = "agency"
YEAR_DIMENSION = "year"

agency_partitions = dg.DynamicPartitionsDefinition(name="agency")
year_partitions = dg.StaticPartitionsDefinition(open_years())
agency_year_partitions = dg.MultiPartitionsDefinition(
    {YEAR_DIMENSION: year_partitions, AGENCY_DIMENSION: agency_partitions}
)

# Agency-years per backfill run (measured with bench/bench_pipeline.py: a run costs ≈13 s of
# start-up plus ≈0.15 s per agency-year; see docs/pipeline.md).
BATCH_SIZE = int(os.environ.get("DISCLOSURE_BATCH_SIZE", "300"))


def partition_key(agency: str, year: int | str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({AGENCY_DIMENSION: agency, YEAR_DIMENSION: str(year)})


def contiguous_ranges(keys: list[str], ordered: list[str], max_len: int) -> list[tuple[str, str]]:
    """Ranges (start, end) covering exactly `keys`, each at most `max_len` partitions.

    A range of a multi-partitioned asset is a box: agencies start..end × years start..end. So
    the ranges are built year by year, over runs of consecutive agencies (in the order of
    `ordered`, i.e. registration order) that all have that year, as Dagster's backfill does.
    """
    wanted = set(keys)
    agencies: list[str] = []
    seen: set[str] = set()
    years: set[int] = set()
    for k in ordered:
        a, y = split_key(k)
        years.add(y)
        if a not in seen:
            seen.add(a)
            agencies.append(a)
    out: list[tuple[str, str]] = []
    for y in sorted(years):
        run: list[str] = []
        for a in agencies:
            k = join_key(a, y)
            if k in wanted and len(run) < max_len:
                run.append(k)
                continue
            if run:
                out.append((run[0], run[-1]))
            run = [k] if k in wanted else []
        if run:
            out.append((run[0], run[-1]))
    return out
