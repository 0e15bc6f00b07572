"""The comparison marts in the lake: build one year's marts from the warehouse, write and read them.

    data_lake/marts/<name>/year=YYYY/part-0.parquet   (`year` is the hive partition column)

Columns and types come from `schema.MART_TABLES` (one home); writes are atomic and recorded in
the lake manifest (`lake.record_hashes`), so `disclosure audit` re-hashes them; a re-run with the
same inputs writes the same bytes. Dagster-free: the assets in `pipelines/defs/marts/comparisons.py`, the
CLI's `export`/`release` and the tests call these functions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from disclosure import marts as m
from disclosure.lake import Lake, read_curated, read_warehouse, write_parquet_atomic
from disclosure.schema import MART_TABLES, TABLES

COMPARISON_MARTS: tuple[str, ...] = (
    "year_on_year", "cross_year_rolls", "peer_benchmarks", "peer_positions", "publication_timeliness",
    "coverage", "coverage_summary",
)
"""Marts built per year by `build_year` (agency_year_kpis has its own asset)."""


def mart_arrow_schema(name: str) -> pa.Schema:
    """Parquet schema of a mart file (`year` left out: it is the partition column)."""
    return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable)
                      for c in MART_TABLES[name].columns if c.name != "year"])


def write_mart(lake: Lake, name: str, year: int, frame: pd.DataFrame) -> tuple[Path, str, int]:
    """Replace one year of a mart; returns (path, sha256, rows)."""
    frame = m.typed_mart(name, frame)
    if len(frame) and not (frame["year"] == year).all():
        raise ValueError(f"mart {name}: rows of another year passed for year={year}")
    schema = mart_arrow_schema(name)
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    path = lake.mart_path(name, year)
    sha, _ = write_parquet_atomic(path, table, lake=lake)
    return path, sha, table.num_rows


def mart_years(lake: Lake, name: str) -> list[int]:
    base = lake.marts / name
    return sorted(int(p.name.removeprefix("year=")) for p in base.glob("year=*") if (p / "part-0.parquet").exists())


def read_mart(lake: Lake, name: str, years: Iterable[int] | None = None) -> pd.DataFrame:
    """A mart (every year, or `years`) typed as in `schema.MART_TABLES`."""
    frames = []
    for y in years if years is not None else mart_years(lake, name):
        path = lake.mart_path(name, y)
        if path.exists():
            df = pq.read_table(path).to_pandas(types_mapper=pd.ArrowDtype)
            df["year"] = y
            frames.append(df)
    if not frames:
        return m.typed_mart(name, [])
    return m.typed_mart(name, pd.concat(frames, ignore_index=True))


def receipt_urls(lake: Lake, year: int) -> dict[str, str | None]:
    """report_id (the raw file's SHA-256) → the url its receipt records (from the manifest)."""
    out: dict[str, str | None] = {}
    for receipt in sorted((lake.raw / f"year={year}").glob("agency=*/*.json")):
        try:
            d = json.loads(receipt.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        out[d.get("sha256") or receipt.stem] = d.get("url")
    return out


def year_frames(lake: Lake, year: int) -> dict[str, pd.DataFrame]:
    """The warehouse tables of `year` (the curated zone when the warehouse file is missing)."""
    out = {}
    for t in TABLES:
        frame = read_warehouse(lake, t, year)
        out[t] = frame if len(frame) or lake.warehouse_path(t, year).exists() else read_curated(lake, t, year=year)
    return out


def build_year(lake: Lake, year: int, *, registry=None, frames: dict[int, dict[str, pd.DataFrame]] | None = None
               ) -> dict[str, pd.DataFrame]:
    """Every comparison mart of `year` (year y-1 read from the curated zone for the year-on-year ones:
    its warehouse copy may not be built yet). `frames` caches the tables read, by year."""
    from disclosure.registry import lake_registry

    registry = registry or lake_registry(lake.root)
    frames = {} if frames is None else frames
    if year not in frames:
        frames[year] = year_frames(lake, year)
    cur = frames[year]
    prev = frames.get(year - 1) or {t: read_curated(lake, t, year=year - 1) for t in TABLES}
    both = {t: pd.concat([prev[t], cur[t]], ignore_index=True) for t in TABLES}
    kpis = m.agency_year_kpis(both)
    yoy = m.year_on_year(kpis)
    rolls = m.cross_year_rolls(both)
    bench, positions = m.peer_benchmarks(kpis[kpis["year"] == year], registry=registry)
    detail, summary = m.coverage(cur["reports"], [year], registry=registry)
    return {
        "year_on_year": yoy[yoy["year"] == year],
        "cross_year_rolls": rolls[rolls["year"] == year],
        "peer_benchmarks": bench,
        "peer_positions": positions,
        "publication_timeliness": m.publication_timeliness(cur["reports"], receipt_urls(lake, year)),
        "coverage": detail,
        "coverage_summary": summary,
    }


def write_year(lake: Lake, year: int, *, registry=None, frames: dict[int, dict[str, pd.DataFrame]] | None = None
               ) -> dict[str, tuple[Path, str, int]]:
    """`build_year` written to the lake: {mart: (path, sha256, rows)}."""
    built = build_year(lake, year, registry=registry, frames=frames)
    return {name: write_mart(lake, name, year, frame) for name, frame in built.items()}


def lake_years(lake: Lake) -> list[int]:
    """Statistical years with a warehouse or curated `reports` table."""
    years = {int(p.name.removeprefix("year=")) for z in (lake.warehouse, lake.curated)
             for p in (z / "reports").glob("year=*")}
    return sorted(years)


__all__ = ["COMPARISON_MARTS", "build_lake_marts", "build_year", "lake_years", "mart_years", "read_mart", "write_mart", "write_year"]


def build_lake_marts(lake: Lake, years: Iterable[int] | None = None) -> list[tuple[Path, str, int]]:
    """Every mart (agency_year_kpis and the comparison marts) of `years` (default: every lake year),
    without Dagster; the same files the year assets write."""
    from disclosure.registry import lake_registry

    registry = lake_registry(lake.root)
    frames: dict[int, dict[str, pd.DataFrame]] = {}
    out = []
    for y in sorted(years if years is not None else lake_years(lake)):
        frames[y] = year_frames(lake, y)
        out.append(write_mart(lake, "agency_year_kpis", y, m.agency_year_kpis(frames[y])))
        out += write_year(lake, y, registry=registry, frames=frames).values()
    return out
