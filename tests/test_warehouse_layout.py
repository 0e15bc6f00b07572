"""The warehouse's layout: what a year's file promises its readers.

Built from four real 2022 reports of the fixtures, parsed by the core (`parse_batch`: the printed
text and where it was found are what the provenance promise is about), written to the curated
zone and compacted with `compact_year`.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from golden_frames import REPORTS_DIR

from disclosure.batch import BatchItem, parse_batch
from disclosure.lake import Lake, compact_year, read_curated, read_warehouse, write_partitions
from disclosure.lake.parquet import warehouse_sort
from disclosure.schema import TABLES

FILES = ("pingtan-2022.txt", "pingtan-zrz-2022.txt", "pingtan-gaj-2022.txt", "pingtan-spp-2022.txt")
YEAR = 2022
SMALL_GROUPS = 40
"""Rows per row group in these tests: a 2022 year of 4 agencies (≈ 700 `applications` rows) then
has ≈ 18 row groups, as a national year has hundreds at `WAREHOUSE_ROW_GROUP_ROWS`."""


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Lake:
    lake = Lake(tmp_path_factory.mktemp("warehouse-layout"))
    lake.ensure()
    batch = parse_batch([BatchItem(path=REPORTS_DIR / f, year=YEAR) for f in FILES])
    write_partitions(lake, batch.frames, durable=False)
    for t in TABLES:
        compact_year(lake, t, YEAR, row_group_size=SMALL_GROUPS)
    return lake


def test_the_applications_warehouse_is_sorted_by_row_applicant_agency_and_declares_it(lake: Lake) -> None:
    assert warehouse_sort("applications") == ["row", "applicant", "agency", "report_id"]
    path = lake.warehouse_path("applications", YEAR)
    t = pq.read_table(path)
    keys = list(zip(*(t[c].to_pylist() for c in ("row", "applicant", "agency", "report_id")), strict=True))
    assert len(set(t["agency"].to_pylist())) == len(FILES) and keys == sorted(keys)
    md = pq.ParquetFile(path).metadata
    declared = [t.schema.names[s.column_index] for s in md.row_group(0).sorting_columns]
    assert declared == ["row", "applicant", "agency", "report_id"]


def test_every_warehouse_table_is_sorted_by_its_key_then_agency(lake: Lake) -> None:
    for table in TABLES:
        order = warehouse_sort(table)
        assert order[-2:] == ["agency", "report_id"] and set(order) <= set(TABLES[table].column_names)
        t = pq.read_table(lake.warehouse_path(table, YEAR), columns=order)
        keys = list(zip(*(t[c].to_pylist() for c in order), strict=True))
        assert keys == sorted(keys), table


def test_a_filtered_read_touches_only_the_row_groups_that_hold_the_row(lake: Lake) -> None:
    path = lake.warehouse_path("applications", YEAR)
    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    i_row, i_app = names.index("row"), names.index("applicant")

    def may_hold(rg: int) -> bool:
        """What a reader's min/max pruning keeps for `row = 'new_received' and applicant = 'total'`."""
        r, a = pf.metadata.row_group(rg).column(i_row).statistics, pf.metadata.row_group(rg).column(i_app).statistics
        return r.min <= "new_received" <= r.max and a.min <= "total" <= a.max

    kept = [rg for rg in range(pf.num_row_groups) if may_hold(rg)]
    hits = pf.read_row_groups(kept, columns=["row", "applicant"])
    n = sum(1 for r, a in zip(hits["row"].to_pylist(), hits["applicant"].to_pylist(), strict=True)
            if (r, a) == ("new_received", "total"))
    assert pf.num_row_groups >= 10 and n == len(FILES)
    # the 4 matching rows are contiguous: at most 2 row groups can hold them
    assert 1 <= len(kept) <= 2, kept
    got = duckdb.connect().execute(
        f"select agency, value from read_parquet('{path}') where row = 'new_received' and applicant = 'total' "
        "order by agency").df()
    cur = read_curated(lake, "applications", year=YEAR)
    want = cur[(cur.row == "new_received") & (cur.applicant == "total")].sort_values("agency")
    assert got["agency"].tolist() == want["agency"].tolist()
    assert got["value"].tolist() == want["value"].astype(object).tolist()


def test_the_warehouse_keeps_every_curated_column_and_value(lake: Lake) -> None:
    assert len(read_warehouse(lake, "applications", YEAR)) > 600
    for table in TABLES:
        wh = read_warehouse(lake, table, YEAR)
        cur = read_curated(lake, table, year=YEAR)
        assert list(wh.columns) == TABLES[table].column_names and len(wh) == len(cur), table
        order = warehouse_sort(table)
        pd.testing.assert_frame_equal(wh.reset_index(drop=True),
                                      cur.sort_values(order, kind="stable").reset_index(drop=True), obj=table)


def test_every_warehouse_value_traces_to_its_source_file_and_printed_text(lake: Lake) -> None:
    """The documented read (docs/pipeline.md): one join on report_id gives each cell's file."""
    wh = lake.warehouse
    rows = duckdb.connect().execute(f"""
        select a.value, a.raw_text, a."where", r.source_file
        from read_parquet('{wh}/applications/*/*.parquet', hive_partitioning = true) a
        left join read_parquet('{wh}/reports/*/*.parquet', hive_partitioning = true) r using (report_id, year)
        where a.year = {YEAR}""").df()
    assert len(rows) > 0 and rows["source_file"].notna().all()
    assert set(rows["source_file"]) == set(FILES)
    printed = rows[rows["value"].notna()]
    assert printed["raw_text"].notna().all() and printed["where"].notna().all()



def test_the_warehouse_sort_in_arrow_is_pandas_stable_sort_with_nulls_last() -> None:
    """compact_year sorts in Arrow (`_sorted`); the order must be the one pandas' stable sort
    gave: ties keep their curated order, nulls go last in every key, CJK and ASCII strings in
    code-point order."""
    import random

    import pyarrow as pa

    from disclosure.lake.parquet import _sorted

    rng = random.Random(20261204)
    words = ["一", "二", "三", "其他处理", "a", "B", "申请", "é", "", None]
    n = 3000
    df = pd.DataFrame({
        "row": pd.array([rng.choice(words) for _ in range(n)], dtype="string[pyarrow]"),
        "applicant": pd.array([rng.choice([*words[:4], None]) for _ in range(n)], dtype="string[pyarrow]"),
        "agency": pd.array([rng.choice(["甲局", "乙局", "A局"]) for _ in range(n)], dtype="string[pyarrow]"),
        "position": pd.array(list(range(n)), dtype="Int64"),  # tells a stable order from another
    })
    order = ["row", "applicant", "agency"]
    expected = df.sort_values(order, kind="stable")["position"].tolist()
    got = _sorted(pa.Table.from_pandas(df, preserve_index=False), order).column("position").to_pylist()
    assert got == expected
