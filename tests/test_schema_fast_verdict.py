"""The fast pass verdict (`schema.certainly_valid`) never passes what pandera would fail.

Every mutation below breaks one rule of a table's pandera schema; the fast verdict must then
say "not proven", and `validate_frame` must return pandera's own failure cases."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from disclosure import schema
from disclosure.batch import frames_for, parse_batch

REPORTS = Path(__file__).parent / "fixtures" / "reports"


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    files = [REPORTS / n for n in ("xining-etdz-2022.txt", "sh-kewei-2024.md", "shuyang-fgj-2023.html")]
    return frames_for(parse_batch(files, validate=False).reports)


def _pandera_failures(table: str, df: pd.DataFrame) -> pd.DataFrame | None:
    try:
        schema.pandera_model(table).validate(df, lazy=True)
    except pa.errors.SchemaErrors as e:
        return e.failure_cases
    return None


def test_fast_verdict_passes_a_parsed_batch_that_pandera_passes(frames) -> None:
    for table, df in frames.items():
        assert _pandera_failures(table, df) is None, table
        assert schema.certainly_valid(table, df), table
        assert schema.validate_frame(table, df).empty


def _mutations(frames):
    ap, rep = frames["applications"], frames["reports"]
    yield "applications", ap.assign(extra=1)  # strict: an unknown column
    yield "applications", ap.drop(columns=["where"])  # a missing column
    yield "applications", ap.assign(value=ap["value"].astype("Float64"))  # wrong dtype
    bad = ap.copy()
    bad.loc[3, "value"] = -1  # ge 0
    yield "applications", bad
    bad = ap.copy()
    bad.loc[0, "applicant"] = "martian"  # isin
    yield "applications", bad
    bad = ap.copy()
    bad.loc[1, "agency"] = None  # not nullable
    yield "applications", bad
    bad = ap.copy()
    bad["flags"] = pd.array([["no_such_flag"]] + [[]] * (len(ap) - 1), dtype=ap["flags"].dtype)  # elements_isin
    yield "applications", bad
    yield "applications", pd.concat([ap, ap.iloc[[5]]], ignore_index=True)  # unique key
    bad = rep.copy()
    bad.loc[0, "year"] = 2010  # ge FIRST_YEAR
    yield "reports", bad
    yield "reports", pd.concat([rep, rep.iloc[[0]]], ignore_index=True)  # unique report_id


def test_fast_verdict_refuses_every_frame_pandera_fails_and_pandera_then_reports_it(frames) -> None:
    n = 0
    for table, df in _mutations(frames):
        expected = _pandera_failures(table, df)
        assert expected is not None, (table, list(df.columns))
        assert not schema.certainly_valid(table, df), (table, list(df.columns))
        got = schema.validate_frame(table, df)
        assert len(got) == len(expected)
        n += 1
    assert n == 10


def test_a_frame_the_fast_verdict_cannot_read_goes_to_pandera_with_the_same_answer(frames) -> None:
    ap = frames["applications"]
    ad = frames["active_disclosure"]
    for table, df in (("applications", ap.assign(year=ap["year"].astype("int64"))),  # numpy int64 for Int64
                      ("applications", ap.assign(raw_text=ap["raw_text"].astype(object))),  # object strings
                      ("active_disclosure", ad.assign(value=ad["value"].astype("float64")))):  # NaN, not NA
        assert not schema.certainly_valid(table, df)
        assert schema.validate_frame(table, df).empty == (_pandera_failures(table, df) is None)


def test_fast_verdict_understands_every_lake_schema() -> None:
    """No table silently loses the fast path (a schema feature it does not read sends it to pandera)."""
    assert all(schema._pass_plan(t) is not None for t in schema.TABLES)
