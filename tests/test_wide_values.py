"""The wide values file beside the `applications` warehouse year: one row per report, one Int64
column per cell (`disclosure.lake.parquet.wide_values`), derived only from the curated long rows.

Built from the same four real 2022 reports as tests/test_warehouse_layout.py, parsed by the core.
"""

from __future__ import annotations

import os

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from golden_frames import REPORTS_DIR

from disclosure import vocabulary as v
from disclosure.batch import BatchItem, parse_batch
from disclosure.lake import Lake, compact_year, read_curated, write_partitions
from disclosure.lake.parquet import read_hashes, wide_cells, wide_path, wide_schema, wide_values

FILES = ("pingtan-2022.txt", "pingtan-zrz-2022.txt", "pingtan-gaj-2022.txt", "pingtan-spp-2022.txt")
YEAR = 2022


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Lake:
    lake = Lake(tmp_path_factory.mktemp("wide-values"))
    lake.ensure()
    batch = parse_batch([BatchItem(path=REPORTS_DIR / f, year=YEAR) for f in FILES])
    frames = dict(batch.frames)
    apps = frames["applications"].copy()
    # These four reports print every cell: blank one report's `carried_over` row (a null long value,
    # as a printed dash or an ambiguous cell gives) so nulls and zeros can be told apart below.
    blank = (apps["report_id"] == apps["report_id"].iloc[0]) & (apps["row"] == "carried_over")
    apps.loc[blank, "value"] = pd.NA
    frames["applications"] = apps
    write_partitions(lake, frames, durable=False)
    compact_year(lake, "applications", YEAR)
    return lake


def _long_cells(lake: Lake) -> dict[tuple[str, str, str], object]:
    cur = read_curated(lake, "applications", year=YEAR)
    return {(r.report_id, r.row, r.applicant): (None if pd.isna(r.value) else int(r.value))
            for r in cur[["report_id", "row", "applicant", "value"]].itertuples()}


def test_the_wide_columns_are_the_vocabulary_grid_in_printed_order() -> None:
    names = wide_schema("applications").names
    assert names[:3] == ["report_id", "agency", "year"]
    want = [(r, a) for r in v.ALL_APPLICATION_ROWS for a in v.APPLICANTS]
    assert [(row, app) for _, row, app in wide_cells("applications")] == want and len(names) == 3 + 182
    assert names[3] == "new_received__natural_person" and "withheld_state_secret__total" in names
    assert len(set(names)) == len(names) and all(n.isidentifier() for n in names)
    field = wide_schema("applications").field("other_handling_other__other_org")
    assert field.type == pa.int64() and field.metadata == {b"row": b"other_handling.other", b"applicant": b"other_org"}


def test_the_wide_file_holds_every_long_value_once_with_nulls_kept_apart_from_zeros(lake: Lake) -> None:
    long = _long_cells(lake)
    wide = pq.read_table(wide_path(lake, "applications", YEAR))
    assert wide.schema.remove_metadata() == wide_schema("applications").remove_metadata()
    assert wide.num_rows == len({k[0] for k in long}) == len(FILES)
    assert wide["report_id"].to_pylist() == [r for _, r in sorted(zip(wide["agency"].to_pylist(),
                                                                      wide["report_id"].to_pylist(), strict=True))]
    seen = 0
    for name, row, app in wide_cells("applications"):
        for rid, got in zip(wide["report_id"].to_pylist(), wide[name].to_pylist(), strict=True):
            key = (rid, row, app)
            if key in long:
                assert got == long[key], key  # None stays None, 0 stays 0
                seen += 1
            else:
                assert got is None, key  # no such row in this report's template
    assert seen == len(long)
    values = list(long.values())
    assert None in values and 0 in values  # the fixture has both blanks and printed zeros


def test_duckdb_joins_every_wide_cell_back_to_exactly_one_long_row(lake: Lake) -> None:
    wh, wide = lake.warehouse_path("applications", YEAR), wide_path(lake, "applications", YEAR)
    unpivot = " union all ".join(
        f"select report_id, '{row}' as row, '{app}' as applicant, {name} as value from read_parquet('{wide}')"
        for name, row, app in wide_cells("applications"))
    bad = duckdb.connect().execute(f"""
        with w as ({unpivot}), l as (select report_id, row, applicant, value, raw_text from read_parquet('{wh}'))
        select count(*) filter (where l.report_id is null and w.value is not null) as orphan_values,
               count(*) filter (where l.report_id is not null and w.value is distinct from l.value) as differ,
               count(*) filter (where l.report_id is not null) as joined
        from w left join l using (report_id, row, applicant)""").fetchone()
    n_long = duckdb.connect().execute(f"select count(*) from read_parquet('{wh}')").fetchone()[0]
    assert bad == (0, 0, n_long)


def test_the_wide_file_names_the_long_file_it_was_derived_from(lake: Lake) -> None:
    wh, wide = lake.warehouse_path("applications", YEAR), wide_path(lake, "applications", YEAR)
    meta = pq.ParquetFile(wide).schema_arrow.metadata
    long_sha = read_hashes(lake)[wh.relative_to(lake.root).as_posix()]
    assert meta[b"disclosure.long_sha256"].decode() in long_sha
    assert wide.relative_to(lake.root).as_posix() in read_hashes(lake)  # the audit checks its bytes


def test_compacting_again_writes_the_same_bytes(lake: Lake) -> None:
    path = wide_path(lake, "applications", YEAR)
    before = path.read_bytes()
    compact_year(lake, "applications", YEAR)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["part-0.parquet"]


def test_a_crash_before_the_rename_leaves_the_previous_wide_file_and_no_partial_one(lake: Lake, monkeypatch) -> None:
    path = wide_path(lake, "applications", YEAR)
    before = path.read_bytes()
    real_replace = os.replace
    written: list[int] = []

    def crash_on_the_wide_file(src, dst):
        if os.fspath(dst) == os.fspath(path):
            written.append(os.path.getsize(src))  # the temp file was complete and still not visible
            raise OSError("killed before the rename")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_the_wide_file)
    with pytest.raises(OSError, match="killed"):
        compact_year(lake, "applications", YEAR)
    monkeypatch.undo()
    assert written and written[0] > 0
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["part-0.parquet"]  # the temp file was removed


def test_a_duplicate_cell_or_a_key_outside_the_vocabulary_is_refused() -> None:
    row = {"report_id": ["r"], "agency": ["a"], "row": ["granted"], "applicant": ["total"], "value": [1]}
    one = pa.table(row)
    assert wide_values(one, "applications", YEAR)["granted__total"].to_pylist() == [1]
    with pytest.raises(ValueError, match="duplicate"):
        wide_values(pa.concat_tables([one, one]), "applications", YEAR)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        wide_values(pa.table({**row, "row": ["granted.extra"]}), "applications", YEAR)


def test_an_empty_year_writes_an_empty_wide_file_with_every_column(tmp_path) -> None:
    empty = pa.table({"report_id": pa.array([], pa.string()), "agency": pa.array([], pa.string()),
                      "row": pa.array([], pa.string()), "applicant": pa.array([], pa.string()),
                      "value": pa.array([], pa.int64())})
    t = wide_values(empty, "applications", YEAR)
    assert t.num_rows == 0 and t.schema == wide_schema("applications")
