"""A year's readers take an agency's rows from a chunk's shard only while the agency's own curated
file is the one the shard was written beside; every other agency is read from its file. Reading
with shards gives the same rows, and the same warehouse bytes, as reading every file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from golden_frames import REPORTS_DIR

from disclosure.batch import BatchItem, parse_batch
from disclosure.lake import Lake, compact_year, read_curated, write_partition, write_partitions
from disclosure.lake.parquet import SHARDS_NAME, shard_dir
from disclosure.schema import TABLES

FILES = sorted(p.name for p in REPORTS_DIR.glob("*.txt"))
AGENCY, YEAR = "平潭综合实验区", 2022


def _sorted(df: pd.DataFrame, table: str) -> pd.DataFrame:
    return df.sort_values(["agency", *TABLES[table].key], ignore_index=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A lake written in three chunks (three shards a year, as three curation chunks write)."""
    lake = Lake(tmp_path_factory.mktemp("shards") / "lake")
    lake.ensure()
    for i in range(3):
        batch = parse_batch([BatchItem(path=REPORTS_DIR / f) for f in FILES[i::3]])
        write_partitions(lake, batch.frames, durable=False)
    return lake.root


@pytest.fixture
def lake(built: Path, tmp_path: Path) -> Lake:
    shutil.copytree(built, tmp_path / "lake", copy_function=shutil.copy2)  # mtimes kept: shards current
    return Lake(tmp_path / "lake")


def _years(lake: Lake) -> list[int]:
    return sorted(int(p.name.removeprefix("year=")) for p in (lake.curated / "reports").glob("year=*"))


def test_every_year_read_through_its_shards_has_the_rows_of_its_files(lake: Lake) -> None:
    assert len(list(shard_dir(lake, "applications", YEAR).iterdir())) >= 2
    for year in _years(lake):
        for t in TABLES:
            pd.testing.assert_frame_equal(_sorted(read_curated(lake, t, year=year), t),
                                          _sorted(read_curated(lake, t, year=year, shards=False), t))


def test_a_year_compacted_from_shards_is_byte_identical_to_one_compacted_from_the_files(
        lake: Lake, tmp_path: Path) -> None:
    plain = Lake(tmp_path / "plain")
    shutil.copytree(lake.root, plain.root, copy_function=shutil.copy2)
    shutil.rmtree(plain.root / SHARDS_NAME)
    for year in _years(lake):
        for t in TABLES:
            assert compact_year(lake, t, year).sha256 == compact_year(plain, t, year).sha256, (t, year)


def test_a_rewritten_agency_is_read_from_its_new_file_not_from_the_shard(lake: Lake) -> None:
    before = read_curated(lake, "applications", year=YEAR)
    mine = before[before["agency"] == AGENCY].reset_index(drop=True)
    assert len(mine)
    changed = mine.assign(value=mine["value"].fillna(0) + 1000)
    write_partition(lake, "applications", changed, year=YEAR, agency=AGENCY, durable=False)  # writes no shard
    after = read_curated(lake, "applications", year=YEAR)
    got = after[after["agency"] == AGENCY].sort_values(["row", "applicant"], ignore_index=True)
    assert got["value"].tolist() == changed.sort_values(["row", "applicant"], ignore_index=True)["value"].tolist()
    assert len(after) == len(before)  # the agency's shard rows are not read as well
    others = after[after["agency"] != AGENCY]
    pd.testing.assert_frame_equal(_sorted(others, "applications"),
                                  _sorted(before[before["agency"] != AGENCY], "applications"))


def test_the_same_bytes_rewritten_still_make_the_shard_entry_stale(lake: Lake) -> None:
    path = lake.curated_path("reports", YEAR, AGENCY)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))  # as a rename of new bytes does
    pd.testing.assert_frame_equal(_sorted(read_curated(lake, "reports", year=YEAR), "reports"),
                                  _sorted(read_curated(lake, "reports", year=YEAR, shards=False), "reports"))


def test_a_removed_agency_is_not_read_from_its_shard(lake: Lake) -> None:
    shutil.rmtree(lake.curated_path("reports", YEAR, AGENCY).parent)
    got = read_curated(lake, "reports", year=YEAR)
    assert AGENCY not in set(got["agency"]) and len(got)
    pd.testing.assert_frame_equal(_sorted(got, "reports"),
                                  _sorted(read_curated(lake, "reports", year=YEAR, shards=False), "reports"))


def test_a_torn_shard_is_skipped_and_its_agencies_read_from_their_files(lake: Lake) -> None:
    for shard in shard_dir(lake, "applications", YEAR).iterdir():
        shard.write_bytes(shard.read_bytes()[:100])
    pd.testing.assert_frame_equal(
        _sorted(read_curated(lake, "applications", year=YEAR), "applications"),
        _sorted(read_curated(lake, "applications", year=YEAR, shards=False), "applications"))


def test_a_shard_without_a_current_agency_is_deleted(lake: Lake) -> None:
    folder = shard_dir(lake, "reports", YEAR)
    count = len(list(folder.iterdir()))
    for agency in read_curated(lake, "reports", year=YEAR)["agency"]:
        path = lake.curated_path("reports", YEAR, agency)
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert count and len(read_curated(lake, "reports", year=YEAR))
    assert list(folder.iterdir()) == []


def test_a_rerun_of_the_same_chunk_replaces_its_shard(lake: Lake) -> None:
    folder = shard_dir(lake, "reports", YEAR)
    names = sorted(p.name for p in folder.iterdir())
    batch = parse_batch([BatchItem(path=REPORTS_DIR / f) for f in FILES[0::3]])
    write_partitions(lake, batch.frames, durable=False)
    assert sorted(p.name for p in folder.iterdir()) == names
    pd.testing.assert_frame_equal(_sorted(read_curated(lake, "reports", year=YEAR), "reports"),
                                  _sorted(read_curated(lake, "reports", year=YEAR, shards=False), "reports"))


def test_an_object_store_lake_writes_no_shards() -> None:
    lake = Lake.at("memory://shards-test")
    batch = parse_batch([BatchItem(path=REPORTS_DIR / FILES[0])])
    write_partitions(lake, batch.frames, durable=False)
    assert not Path(str(lake.root / SHARDS_NAME)).exists()
    assert len(read_curated(lake, "reports"))
