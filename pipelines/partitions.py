"""Partitions: statistical year × registry division (dynamic), and year alone for the year-level assets.

Dagster tracks **division-years**, the lake stays **agency-years** (`year=/agency=`): at national
scale year × agency is ~1.4 million partitions (Dagster advises ≤ 100,000 per asset), year ×
division ~3,400 × 7 (measured in bench/bench_partitions.py, docs/scaling.md). The division of an
agency is its registry division (`disclosure.keys.division_of`, the lake's registry with its
overrides); bodies without one share `UNKNOWN_DIVISION`.

Multi-partition keys read ``division|year`` (Dagster sorts dimensions by name), ordered division
by division (in the order divisions were registered), then year. A backfill run covers one
contiguous range of that order. A run of a division-year curates the agencies of that division
that have a raw file for the year, or only those named in the run config (`agencies`), which is
how one agency is re-materialized from the UI.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import dagster as dg

from disclosure.keys import (  # noqa: F401 (re-exported)
    FIRST_YEAR,
    UNKNOWN_DIVISION,
    decode_agency_key,
    division_of,
    join_key,
    open_years,
    split_key,
)

TIMEZONE = "Asia/Shanghai"
"""Schedules run on the reporting bodies' clock (the 31 January deadline is Beijing time)."""

DIVISION_DIMENSION = "division"
YEAR_DIMENSION = "year"

division_partitions = dg.DynamicPartitionsDefinition(name="division")
year_partitions = dg.StaticPartitionsDefinition(open_years())
division_year_partitions = dg.MultiPartitionsDefinition(
    {YEAR_DIMENSION: year_partitions, DIVISION_DIMENSION: division_partitions}
)

# Division-years per backfill run. A county has ~70 reporting bodies at national scale, so 50
# division-years are ~3,500 agency-years a run (runs start in ≈ 5–10 s; `curated` streams its
# agency-years in chunks of DISCLOSURE_CHUNK_SIZE, so a run's memory does not grow with it).
BATCH_SIZE = int(os.environ.get("DISCLOSURE_BATCH_SIZE", "50"))

AGENCIES_TAG = "disclosure/agencies"
"""Run tag naming the agencies a run was restricted to (run config `agencies`), for the run list."""


def partition_key(division: str, year: int | str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({DIVISION_DIMENSION: division, YEAR_DIMENSION: str(year)})


class AgencySelection(dg.Config):
    """Run config of an asset partitioned by division-year (`curated`, `review_pages`):
    `agencies` restricts the run to these agency keys of its division-years (empty: every agency
    of the division with a raw file for the year). This is how one agency is re-materialized from
    the UI: Materialize… its division-year with `agencies: [<agency>]`; the division's other
    agencies' files are left as they are."""

    agencies: list[str] = []  # noqa: RUF012 (a pydantic field: copied per instance)


def curated_run_config(agencies: Iterable[str], op: str = "curated") -> dict:
    """Run config of a run of `op` restricted to `agencies` (of the run's division-years); `op` is
    the asset key as a Python identifier (`review/pages` → `review__pages`)."""
    return {"ops": {op: {"config": {"agencies": sorted(set(agencies))}}}}


class DivisionMap:
    """agency → division key of one lake, with the lake's registry loaded once."""

    def __init__(self, lake: object) -> None:
        self._root = lake.root  # type: ignore[attr-defined]
        self._registry = None  # loaded on the first lookup: an idle inbox tick makes none, and a
        # national override takes about 0.4 s to parse
        self._cache: dict[str, str] = {}

    def __call__(self, agency: str) -> str:
        d = self._cache.get(agency)
        if d is None:
            if self._registry is None:
                from disclosure.registry import lake_registry

                self._registry = lake_registry(self._root)
            d = self._cache[agency] = division_of(agency, self._registry)
        return d

    def key(self, agency: str, year: int | str) -> dg.MultiPartitionKey:
        """The Dagster partition of an agency-year."""
        return partition_key(self(agency), year)


def raw_agencies(lake: object, year: int) -> list[str]:
    """Agency keys with a raw-zone directory for `year` (listing only; `current_raw` decides)."""
    base = lake.raw / f"year={year}"  # type: ignore[attr-defined]
    if not base.is_dir():
        return []
    return sorted(decode_agency_key(p.name.split("=", 1)[1]) for p in base.iterdir() if p.name.startswith("agency="))


def agency_years_of(lake: object, keys: Iterable[str], agencies: Iterable[str] = ()) -> list[tuple[str, int]]:
    """The agency-years of the division-year keys `keys`: agencies of the division with a raw
    directory for the year, restricted to `agencies` when given."""
    only = set(agencies)
    divisions = DivisionMap(lake)
    wanted: dict[int, set[str]] = {}
    for k in keys:
        division, year = split_key(str(k))
        wanted.setdefault(year, set()).add(division)
    out: list[tuple[str, int]] = []
    for year in sorted(wanted):
        for agency in raw_agencies(lake, year):
            if divisions(agency) in wanted[year] and (not only or agency in only):
                out.append((agency, year))
    return out


def division_keys(lake: object, agency_years: Iterable[tuple[str, int]]) -> list[str]:
    """The division-year keys holding `agency_years` (sorted, unique)."""
    divisions = DivisionMap(lake)
    return sorted({join_key(divisions(a), y) for a, y in agency_years})


def contiguous_ranges(keys: list[str], ordered: list[str], max_len: int) -> list[tuple[str, str]]:
    """Ranges (start, end) covering exactly `keys`, each at most `max_len` partitions.

    A range of a multi-partitioned asset is a box: divisions start..end × years start..end. So
    the ranges are built year by year, over runs of consecutive divisions (in the order of
    `ordered`, i.e. registration order) that all have that year, as Dagster's backfill does.
    """
    wanted = set(keys)
    firsts: list[str] = []
    seen: set[str] = set()
    years: set[int] = set()
    for k in ordered:
        a, y = split_key(k)
        years.add(y)
        if a not in seen:
            seen.add(a)
            firsts.append(a)
    out: list[tuple[str, str]] = []
    for y in sorted(years):
        run: list[str] = []
        for a in firsts:
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
