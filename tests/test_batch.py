"""parse_batch's promise: every input ends in the frames or in `rejected`, and it never raises."""

from __future__ import annotations

import pytest

from disclosure.batch import BatchItem, parse_batch, parse_one
from tests.report_text import consistent_table, report


def _item(name: str, table3: dict[str, list]) -> BatchItem:
    return BatchItem(path=name, data=report(table3).encode(), agency="测试县教育局", year=2023)


def _with_granted(value: object) -> dict[str, list]:
    rows = consistent_table()
    rows["granted"][0] = value
    return rows


@pytest.mark.parametrize("printed", ["9.5", "12345678901234567890"], ids=["decimal-count", "20-digit-count"])
def test_parse_batch_never_raises_on_a_decimal_or_a_20_digit_count(printed):
    batch = parse_batch([_item("good.txt", consistent_table()), _item("bad.txt", _with_granted(printed))])
    assert "good.txt" in [r.source_file for r in batch.reports]
    kept = {r.source_file for r in batch.reports} | {r.source_file for r in batch.rejected}
    assert kept == {"good.txt", "bad.txt"}
    for r in batch.rejected:
        assert r.code in {"parser_error", "schema_violation"} and r.message


@pytest.mark.parametrize("value", [9.5, 10**20], ids=["decimal", "overflow"])
def test_a_report_whose_cells_cannot_be_framed_is_rejected_as_parser_error_not_the_batch(value):
    good = parse_one(_item("good.txt", consistent_table()))
    bad = parse_one(_item("bad.txt", _with_granted(3)))
    bad.tables.applications["granted"]["natural_person"].value = value  # what a reader bug could leave
    from disclosure import batch as b

    frames, reports, rejected = b.safe_frames([good, bad])
    assert [r.source_file for r in reports] == ["good.txt"]
    assert [(r.source_file, r.code) for r in rejected] == [("bad.txt", "parser_error")]
    assert "bad.txt" in rejected[0].message and ("TypeError" in rejected[0].message or "Overflow" in rejected[0].message)
    assert set(frames["applications"]["report_id"]) == {good.report_id}
