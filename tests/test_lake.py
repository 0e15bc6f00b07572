"""The lake's write path: agency keys, atomic and idempotent partition writes, raw zone, quarantine."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pytest

from disclosure import keys as K
from disclosure import lake as L
from disclosure.schema import TABLES


def _rows(agency: str, year: int, values: list[int | None], report_id: str = "r1") -> pd.DataFrame:
    """A review_litigation partition with arbitrary numbers (writer test data, not parsed values)."""
    outcomes = ["upheld", "corrected", "other", "pending", "total"]
    recs = [
        {
            "report_id": report_id,
            "agency": agency,
            "year": year,
            "proceeding": "review",
            "outcome": outcomes[i],
            "value": v,
            "raw_text": None if v is None else str(v),
            "where": f"line {i}",
            "candidates": None,
            "flags": [],
            "original_value": None,
            "original_flags": None,
        }
        for i, v in enumerate(values)
    ]
    cols = TABLES["review_litigation"].columns
    return pd.DataFrame.from_records(recs, columns=[c.name for c in cols]).astype({c.name: c.pandas_dtype for c in cols})


@pytest.mark.parametrize(
    "agency",
    ["上海市人民政府办公厅", "平潭综合实验区", "A&B 局", "百分比%=局", "（试点）管委会", "Ünïcode-区"],
)
def test_agency_directory_keeps_chinese_readable_and_round_trips_through_pyarrow_and_duckdb(tmp_path: Path, agency: str) -> None:
    lake = L.Lake(tmp_path)
    res = L.write_partition(lake, "review_litigation", _rows(agency, 2024, [1, 2, 3, 0, 6]), year=2024, agency=agency)
    folder = Path(res.path).parent.name
    assert folder.startswith("agency=")
    for ch in agency:
        if ch not in K._ENCODE:
            assert ch in folder  # Chinese (and ordinary) characters stay as they are
    base = lake.curated / "review_litigation"
    pa_agencies = ds.dataset(str(base), format="parquet", partitioning="hive").to_table().column("agency").to_pylist()
    assert set(pa_agencies) == {agency}
    got = duckdb.connect().execute(
        f"select distinct agency, year from read_parquet('{base}/*/*/*.parquet', hive_partitioning=true)"
    ).fetchall()
    assert got == [(agency, 2024)]
    assert L.read_curated(lake, "review_litigation")["agency"].unique().tolist() == [agency]


@pytest.mark.parametrize(
    ("agency", "fragment"),
    [
        ("甲|乙", "'|'"),
        ("甲,乙", "','"),
        ("甲/乙", "'/'"),
        ("甲...乙", "'...'"),
        ("甲\n乙", "control"),
        ("", "empty"),
        (" 甲", "whitespace"),
        ("局" * 90, "bytes"),
    ],
)
def test_agency_that_cannot_be_a_partition_key_is_refused_with_a_reason(agency: str, fragment: str) -> None:
    problem = L.agency_key_problem(agency)
    assert problem is not None and fragment in problem
    with pytest.raises(L.AgencyKeyError):
        L.encode_agency_key(agency)


def test_longest_accepted_agency_fits_a_directory_name(tmp_path: Path) -> None:
    agency = "局" * 82  # 7 + 82*3 = 253 bytes
    assert L.agency_key_problem(agency) is None
    res = L.write_partition(L.Lake(tmp_path), "review_litigation", _rows(agency, 2023, [1]), year=2023, agency=agency)
    assert Path(res.path).exists()


def test_rewriting_a_partition_replaces_it_and_never_duplicates_rows(tmp_path: Path) -> None:
    lake = L.Lake(tmp_path)
    first = L.write_partition(lake, "review_litigation", _rows("甲局", 2022, [1, 1, 1, 1, 4]), year=2022, agency="甲局")
    L.write_partition(lake, "review_litigation", _rows("乙局", 2022, [9]), year=2022, agency="乙局")
    again = L.write_partition(lake, "review_litigation", _rows("甲局", 2022, [1, 1, 1, 1, 4]), year=2022, agency="甲局")
    assert again.sha256 == first.sha256 and again.rows == 5
    newer = L.write_partition(lake, "review_litigation", _rows("甲局", 2022, [2, 2], "r2"), year=2022, agency="甲局")
    df = L.read_curated(lake, "review_litigation", year=2022)
    assert len(df) == 3
    assert sorted(df[df["agency"] == "甲局"]["value"].tolist()) == [2, 2]
    assert set(df[df["agency"] == "甲局"]["report_id"]) == {"r2"}
    assert newer.rows == 2 and newer.path == first.path
    # no temp files left behind
    assert [p.name for p in Path(first.path).parent.iterdir()] == [L.PART_FILE]


def test_write_result_records_rows_path_and_the_hash_of_the_file(tmp_path: Path) -> None:
    import hashlib

    res = L.write_partition(L.Lake(tmp_path), "review_litigation", _rows("甲局", 2021, [3, None]), year=2021, agency="甲局")
    data = Path(res.path).read_bytes()
    assert res.rows == 2 and res.n_bytes == len(data) and res.sha256 == hashlib.sha256(data).hexdigest()


def test_failed_write_leaves_the_previous_partition_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = L.Lake(tmp_path)
    ok = L.write_partition(lake, "review_litigation", _rows("甲局", 2020, [5]), year=2020, agency="甲局")
    before = Path(ok.path).read_bytes()

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        L.write_partition(lake, "review_litigation", _rows("甲局", 2020, [7, 7, 7]), year=2020, agency="甲局")
    monkeypatch.undo()
    assert Path(ok.path).read_bytes() == before
    assert [p.name for p in Path(ok.path).parent.iterdir()] == [L.PART_FILE]
    assert L.read_curated(lake, "review_litigation")["value"].tolist() == [5]


def test_rows_of_another_partition_or_wrong_columns_are_refused(tmp_path: Path) -> None:
    lake = L.Lake(tmp_path)
    with pytest.raises(ValueError, match="another partition"):
        L.write_partition(lake, "review_litigation", _rows("乙局", 2020, [1]), year=2020, agency="甲局")
    bad = _rows("甲局", 2020, [1]).drop(columns=["flags"])
    with pytest.raises(ValueError, match="columns"):
        L.write_partition(lake, "review_litigation", bad, year=2020, agency="甲局")
    assert not (lake.curated / "review_litigation").exists()


def test_pandera_schema_from_schema_py_catches_wrong_values_and_names_the_report(tmp_path: Path) -> None:
    from disclosure.batch import validate_frames

    good = _rows("甲局", 2020, [1, 2])
    assert validate_frames({"review_litigation": good}).empty
    bad = pd.concat([good, _rows("甲局", 2020, [-3], "bad-report")], ignore_index=True)
    bad.loc[2, "outcome"] = "upheld"
    fails = validate_frames({"review_litigation": bad})
    assert "bad-report" in set(fails["report_id"])


def test_the_one_validator_refuses_duplicate_table_keys(tmp_path: Path) -> None:
    """The pipeline's blocking check and the schema are one validator: duplicate keys fail it."""
    from disclosure.batch import validate_frames

    good = _rows("甲局", 2020, [1, 2])
    dup = pd.concat([good, good.iloc[[0]]], ignore_index=True)
    fails = validate_frames({"review_litigation": dup})
    assert len(fails) and fails["check"].astype(str).str.contains("unique|duplicate").any(), fails
    assert not hasattr(L, "schema_failures") and not hasattr(L, "pandera_schema")


def test_warehouse_compacts_a_year_into_one_sorted_file_with_agency_column(tmp_path: Path) -> None:
    lake = L.Lake(tmp_path)
    for ag in ("乙局", "甲局"):
        L.write_partition(lake, "review_litigation", _rows(ag, 2024, [1, 2]), year=2024, agency=ag)
    L.write_partition(lake, "review_litigation", _rows("甲局", 2023, [8]), year=2023, agency="甲局")
    res = L.compact_year(lake, "review_litigation", 2024)
    assert res.rows == 4
    df = L.read_warehouse(lake, "review_litigation", 2024)
    keys = list(zip(df["proceeding"], df["outcome"], df["agency"], strict=True))  # the table's key, then agency
    assert keys == sorted(keys) and set(df["year"]) == {2024}
    n = duckdb.connect().execute(
        f"select count(*) from read_parquet('{lake.warehouse}/review_litigation/*/*.parquet', hive_partitioning=true) where year=2024"
    ).fetchone()
    assert n == (4,)


def test_raw_zone_is_content_addressed_immutable_and_newest_file_wins(tmp_path: Path) -> None:
    lake = L.Lake(tmp_path)
    a = L.store_raw(lake, b"v1", agency="甲局", year=2024, source_file="x/report.HTML", received_at="2025-01-01T00:00:00")
    again = L.store_raw(lake, b"v1", agency="甲局", year=2024, source_file="other.html")
    assert again == a  # same bytes: stored once, first receipt kept
    b = L.store_raw(lake, b"v2", agency="甲局", year=2024, source_file="report.html", received_at="2025-02-01T00:00:00")
    assert a.path(lake).name == f"{L.sha256_bytes(b'v1')}.html"
    assert L.current_raw(lake, "甲局", 2024) == b
    assert [r.sha256 for r in L.raw_history(lake, "甲局", 2024)] == [a.sha256, b.sha256]
    assert a.path(lake).read_bytes() == b"v1"
    assert oct(a.path(lake).stat().st_mode & 0o777) == oct(0o444)


def test_quarantine_ledger_keeps_reason_and_bytes(tmp_path: Path) -> None:
    lake = L.Lake(tmp_path)
    e = L.quarantine(lake, source_file="sub/bad.pdf", code="needs_ocr", reason="no text layer", data=b"%PDF-")
    L.quarantine(lake, source_file="x.txt", code="bad_agency_key", reason="'|' separates …", agency="甲|乙")
    got = L.read_quarantine(lake)
    assert [q.code for q in got] == ["needs_ocr", "bad_agency_key"]
    assert (lake.quarantine_dir / e.stored_as).read_bytes() == b"%PDF-"
    assert got[1].agency == "甲|乙"


def test_manifest_in_any_folder_maps_files_relative_to_it(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "sub" / "manifest.csv").write_text("file,agency,year,url\na.txt,甲局,2023,http://x\n", "utf-8")
    (inbox / "sub" / "a.txt").write_text("x", "utf-8")
    (inbox / ".hidden").write_text("x", "utf-8")
    m = L.read_manifest(inbox)
    assert m == {"sub/a.txt": L.ManifestEntry("甲局", 2023, "http://x")}
    assert list(L.scan_inbox(inbox)) == ["sub/a.txt"]
