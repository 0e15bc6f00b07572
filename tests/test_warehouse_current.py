"""A warehouse year file is read in place of its curated partitions only while it is current:
written with the fingerprint beside it, and that fingerprint still the curated files' own."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from golden_frames import REPORTS_DIR

from disclosure.batch import BatchItem, parse_batch
from disclosure.lake import Lake, compact_year, read_curated, read_year, write_partitions
from disclosure.lake.parquet import WAREHOUSE_INPUTS_NAME, curated_fingerprint, warehouse_is_current
from disclosure.marts import CROSS_YEAR_TABLES, cross_year_checks
from disclosure.schema import TABLES

FILES = ("pingtan-2021.txt", "pingtan-zrz-2021.txt", "pingtan-2022.txt", "pingtan-zrz-2022.txt",
         "pingtan-gaj-2022.txt")
YEAR = 2021


def _build(root: Path) -> Lake:
    lake = Lake(root)
    lake.ensure()
    batch = parse_batch([BatchItem(path=REPORTS_DIR / f) for f in FILES])
    write_partitions(lake, batch.frames, durable=False)
    for t in TABLES:
        compact_year(lake, t, YEAR)
    return lake


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("warehouse-current") / "lake").root


@pytest.fixture
def lake(built: Path, tmp_path: Path) -> Lake:
    """A copy of the built lake (mtimes kept), for a test to change."""
    shutil.copytree(built, tmp_path / "lake", copy_function=shutil.copy2)
    return Lake(tmp_path / "lake")


def test_a_freshly_compacted_year_is_current_and_reads_the_same_rows_as_its_partitions(lake: Lake) -> None:
    for t in TABLES:
        assert warehouse_is_current(lake, t, YEAR), t
        key = [*TABLES[t].key]
        a = read_year(lake, t, YEAR).sort_values(key, ignore_index=True)
        b = read_curated(lake, t, year=YEAR).sort_values(key, ignore_index=True)
        pd.testing.assert_frame_equal(a, b)


def test_the_cross_year_checks_are_the_same_from_the_warehouse_as_from_the_partitions(lake: Lake) -> None:
    def checks(read) -> pd.DataFrame:
        frames = {t: pd.concat([read(t, YEAR), read_curated(lake, t, year=YEAR + 1)], ignore_index=True)
                  for t in CROSS_YEAR_TABLES}
        return cross_year_checks(frames)

    from_warehouse = checks(lambda t, y: read_year(lake, t, y))
    assert len(from_warehouse) and all(warehouse_is_current(lake, t, YEAR) for t in CROSS_YEAR_TABLES)
    pd.testing.assert_frame_equal(from_warehouse, checks(lambda t, y: read_curated(lake, t, year=y)))


def test_a_rewritten_partition_makes_its_year_stale_even_with_the_same_bytes(lake: Lake) -> None:
    path = lake.curated_path("applications", YEAR, "平潭综合实验区")
    data = path.read_bytes()
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1))  # as a rename of new bytes does
    assert path.read_bytes() == data
    assert not warehouse_is_current(lake, "applications", YEAR)
    assert warehouse_is_current(lake, "reports", YEAR)  # the other tables' files did not change


def test_a_new_or_removed_agency_makes_its_year_stale(lake: Lake) -> None:
    folder = lake.curated_path("reports", YEAR, "平潭综合实验区").parent
    shutil.copytree(folder, folder.with_name("agency=新机关"), copy_function=shutil.copy2)
    assert not warehouse_is_current(lake, "reports", YEAR)
    shutil.rmtree(folder.with_name("agency=新机关"))
    assert warehouse_is_current(lake, "reports", YEAR)
    shutil.rmtree(folder)
    assert not warehouse_is_current(lake, "reports", YEAR)


def test_a_replaced_warehouse_file_or_a_lost_fingerprint_is_not_current(lake: Lake) -> None:
    wh = lake.warehouse_path("reports", YEAR)
    st = wh.stat()
    os.utime(wh, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert not warehouse_is_current(lake, "reports", YEAR)
    (lake.warehouse_path("applications", YEAR).parent / WAREHOUSE_INPUTS_NAME).unlink()
    assert not warehouse_is_current(lake, "applications", YEAR)
    (lake.warehouse_path("active_disclosure", YEAR).parent / WAREHOUSE_INPUTS_NAME).write_text("{not json")
    assert not warehouse_is_current(lake, "active_disclosure", YEAR)


def test_a_stale_year_is_read_from_its_partitions(lake: Lake) -> None:
    stale = lake.warehouse_path("applications", YEAR)
    stale.unlink()  # what read_year reads then must still be the curated rows, all of them
    assert not warehouse_is_current(lake, "applications", YEAR)
    assert len(read_year(lake, "applications", YEAR)) == len(read_curated(lake, "applications", year=YEAR)) > 0


def test_an_object_store_lake_has_no_fingerprint() -> None:
    lake = Lake.at("memory://warehouse-current")
    assert curated_fingerprint(lake, "reports", YEAR) is None
    assert not warehouse_is_current(lake, "reports", YEAR)


def test_the_year_refresh_asks_for_a_year_once_per_state_of_its_partitions_and_sees_a_removed_agency(
        lake: Lake) -> None:
    # The refresh rule was "newest curated mtime newer than the warehouse file": a removed agency
    # (or a partition restored with an older mtime) left a warehouse that still served its rows.
    from pipelines.defs.marts.sensors import stale_year

    assert stale_year(lake, str(YEAR)) is None  # freshly compacted
    assert stale_year(lake, "2030") is None  # nothing curated: nothing to refresh
    folder = lake.curated_path("reports", YEAR, "平潭综合实验区").parent
    shutil.rmtree(folder)
    removed = stale_year(lake, str(YEAR))
    assert removed is not None and removed.startswith(f"{YEAR}:")
    assert stale_year(lake, str(YEAR)) == removed  # the same state: the same run key (one run)
    part = next(folder.parent.glob("agency=*/part-0.parquet"))  # an agency still there
    os.utime(part, ns=(part.stat().st_atime_ns, part.stat().st_mtime_ns - 10**9))  # older, not newer
    again = stale_year(lake, str(YEAR))
    assert again is not None and again != removed
    for t in TABLES:
        compact_year(lake, t, YEAR)
    assert stale_year(lake, str(YEAR)) is None
