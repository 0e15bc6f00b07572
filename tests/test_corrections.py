"""Corrections as data, and the review queue, on hand-built frames (no parser, no Dagster)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pandas as pd
import pytest

from disclosure import vocabulary as v
from disclosure.corrections import (
    Correction,
    CorrectionError,
    append_correction,
    apply_corrections,
    corrections_path,
    parse_line,
    read_corrections,
)
from disclosure.lake import Lake
from disclosure.review import (
    REVIEW_FLAGS,
    Excerpt,
    Source,
    excerpt,
    queue_frame,
    split_cell_key,
)
from disclosure.schema import TABLES

RID = "a" * 64


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    cols = TABLES[table].columns
    base = {"report_id": RID, "agency": "甲局", "year": 2023, "candidates": None, "raw_text": None, "where": None,
            "flags": [], "original_value": None, "original_flags": None, "value": None}
    recs = [{**base, **r} for r in rows]
    return pd.DataFrame({c.name: pd.array([r.get(c.name) for r in recs], dtype=c.pandas_dtype) for c in cols})


def _apps() -> pd.DataFrame:
    return _frame("applications", [
        {"row": "granted", "applicant": "natural_person", "value": None, "candidates": [1, 12], "raw_text": "123",
         "where": "line 7", "flags": ["ambiguous", "split_digits"]},
        {"row": "granted", "applicant": "total", "value": 3, "raw_text": "3", "where": "line 7", "flags": []},
        {"row": "new_received", "applicant": "total", "value": 5, "raw_text": "5", "where": "line 5",
         "flags": ["footnote"]},
    ])


def _c(**kw) -> Correction:
    base = {"cell": "applications.granted.natural_person", "value": 12.0, "reviewer": "li", "reason": "PDF prints 12",
            "date": "2026-12-01T23:00:00+00:00", "agency": "甲局", "year": 2023, "line": 1}
    return Correction(**{**base, **kw})


# --------------------------------------------------------------------------- the queue


def test_every_warning_flag_needs_a_person_and_no_info_flag_does() -> None:
    assert set(REVIEW_FLAGS) == set(v.WARNING_FLAGS)
    assert not set(REVIEW_FLAGS) & set(v.INFO_FLAGS)


def test_the_queue_lists_flagged_cells_with_printed_text_candidates_source_and_position() -> None:
    issues = _frame_issues()
    q = queue_frame({"applications": _apps(), "validation_issues": issues},
                    {RID: Source("jia-2023.txt", f"raw/year=2023/agency=甲局/{RID}.txt")})
    cells = q[q["item"] == "cell"]
    assert list(cells["key"]) == ["applications.granted.natural_person"]  # footnote alone needs nobody
    row = cells.iloc[0]
    assert row["raw_text"] == "123" and list(row["candidates"]) == [1.0, 12.0] and row["where"] == "line 7"
    assert list(row["flags"]) == ["ambiguous"] and row["status"] == "open"
    assert row["raw_path"].endswith(f"{RID}.txt") and row["source_file"] == "jia-2023.txt"
    ident = q[q["item"] == "identity"].iloc[0]
    assert ident["key"] == "applications.row_total[granted]" and (ident["lhs"], ident["rhs"]) == (3.0, 4.0)
    assert "applications.granted.total" in list(ident["cells"]) and "differ by 1" in ident["reason"]


def _frame_issues() -> pd.DataFrame:
    cols = TABLES["validation_issues"].columns
    rec = {"report_id": RID, "agency": "甲局", "year": 2023, "check": "applications.row_total", "scope": "granted",
           "status": "fail", "severity": "warning", "lhs": 3.0, "rhs": 4.0, "detail": "3 = 1 + 3"}
    ok = {**rec, "scope": "new_received", "status": "pass", "severity": "info"}
    return pd.DataFrame({c.name: pd.array([rec[c.name], ok[c.name]], dtype=c.pandas_dtype) for c in cols})


def test_a_cell_key_that_names_no_cell_is_refused_with_the_key() -> None:
    assert split_cell_key("applications.withheld.state_secret.total") == ("applications", "withheld.state_secret", "total")
    with pytest.raises(ValueError, match=r"granted\.nobody"):
        split_cell_key("applications.granted.nobody")
    with pytest.raises(ValueError, match="not a cell key"):
        split_cell_key("reports.agency")


class _Doc:
    def __init__(self, lines):
        self.lines = lines


class _Line:
    def __init__(self, where, text):
        self.where, self.cells = where, [type("C", (), {"text": text, "rowspan_copy": False})()]


def test_the_excerpt_is_the_printed_lines_around_the_cells_line() -> None:
    doc = _Doc([_Line(f"line {i}", f"text {i}") for i in range(1, 10)])
    ex = excerpt(doc, "line 5", "text 5", context=2)
    assert [w for w, _ in ex.lines] == ["line 3", "line 4", "line 5", "line 6", "line 7"] and ex.hit == 2
    assert excerpt(doc, None, "text 8").lines[ex.hit][0] == "line 8"  # no position: found by its printed text
    assert excerpt(doc, "line 99", "nowhere") == Excerpt((), None)


# --------------------------------------------------------------------------- the file


def test_a_bad_line_is_an_error_naming_the_file_and_line() -> None:
    good = _c().to_json()
    assert parse_line(good, 3).value == 12.0
    cases = {
        "{not json": "x.jsonl:4: not a JSON object",
        json.dumps({**json.loads(good), "cell": "applications.granted.nobody"}): "x.jsonl:4: .*not a cell of applications",
        json.dumps({**json.loads(good), "value": 1.5}): "x.jsonl:4: .*count: value 1.5 must be a whole number",
        json.dumps({**json.loads(good), "reviewer": " "}): "x.jsonl:4: reviewer is empty",
        json.dumps({k: x for k, x in json.loads(good).items() if k != "reason"}): "x.jsonl:4: missing field.*reason",
        json.dumps({**json.loads(good), "agency": None, "report_id": None}): "x.jsonl:4: names no target",
    }
    for text, message in cases.items():
        with pytest.raises(CorrectionError, match=message):
            parse_line(text, 4, "x.jsonl")


def test_concurrent_appends_keep_every_line_and_number_them(tmp_path: Path) -> None:
    lake = Lake.at(tmp_path)
    lines: list[int] = []
    threads = [threading.Thread(target=lambda i=i: lines.append(append_correction(lake, _c(value=float(i))).line))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    f = read_corrections(lake)
    assert sorted(lines) == list(range(1, 9)) and len(f.corrections) == 8 and not f.invalid
    assert sorted(c.value for c in f.corrections) == [float(i) for i in range(8)]


def test_an_invalid_line_in_the_file_is_kept_as_invalid_and_the_others_read(tmp_path: Path) -> None:
    lake = Lake.at(tmp_path)
    append_correction(lake, _c())
    with corrections_path(lake).open("a", encoding="utf-8") as fh:
        fh.write('{"cell": "applications.granted"}\n')
    append_correction(lake, _c(value=1.0))
    f = read_corrections(lake)
    assert [c.line for c in f.corrections] == [1, 3]
    assert [(o.line, o.status) for o in f.invalid] == [(2, "invalid")] and ":2: missing field" in f.invalid[0].detail


# --------------------------------------------------------------------------- applying


def test_a_correction_sets_the_value_flags_it_corrected_and_keeps_the_original() -> None:
    frames = {"applications": _apps()}
    out, outcomes = apply_corrections(frames, [_c()])
    df = out["applications"]
    r = df[(df["row"] == "granted") & (df["applicant"] == "natural_person")].iloc[0]
    assert r["value"] == 12 and list(r["flags"]) == ["corrected"] and pd.isna(r["original_value"])
    assert list(r["original_flags"]) == ["ambiguous", "split_digits"] and r["raw_text"] == "123"
    assert [o.status for o in outcomes] == ["applied"]
    assert [str(t) for t in df.dtypes] == [str(c.pandas_dtype) for c in TABLES["applications"].columns]
    other = df[(df["applicant"] == "total") & (df["row"] == "granted")].iloc[0]
    assert other["value"] == 3 and pd.isna(other["original_value"])
    # the input frames are not changed (pure)
    assert list(frames["applications"]["flags"].iloc[0]) == ["ambiguous", "split_digits"]


def test_a_value_not_among_an_ambiguous_cells_candidates_needs_an_override() -> None:
    out, outcomes = apply_corrections({"applications": _apps()}, [_c(value=5.0)])
    assert [o.status for o in outcomes] == ["not_a_candidate"] and "not among its candidates ['1', '12']" in outcomes[0].detail
    assert list(out["applications"]["flags"].iloc[0]) == ["ambiguous", "split_digits"]
    out, outcomes = apply_corrections({"applications": _apps()}, [_c(value=5.0, override=True)])
    assert [o.status for o in outcomes] == ["applied"] and out["applications"]["value"].iloc[0] == 5


def test_the_last_line_for_a_cell_wins_and_earlier_ones_are_superseded() -> None:
    out, outcomes = apply_corrections({"applications": _apps()}, [_c(line=1, value=1.0), _c(line=2, value=12.0)])
    assert out["applications"]["value"].iloc[0] == 12
    assert sorted((o.line, o.status) for o in outcomes) == [(1, "superseded"), (2, "applied")]


def test_a_correction_of_another_report_or_an_unknown_cell_is_not_applied() -> None:
    frames = {"applications": _apps()}
    out, outcomes = apply_corrections(frames, [_c(report_id="b" * 64, agency=None, year=None)])
    assert outcomes == [] and out["applications"] is frames["applications"]
    _, outcomes = apply_corrections(frames, [_c(cell="applications.carried_over.total")])
    assert [o.status for o in outcomes] == ["unknown_cell"] and "has no cell applications.carried_over.total" in outcomes[0].detail


def test_an_unflagged_cell_the_parser_got_wrong_can_be_corrected() -> None:
    out, _ = apply_corrections({"applications": _apps()}, [_c(cell="applications.granted.total", value=4.0)])
    r = out["applications"].iloc[1]
    assert r["value"] == 4 and r["original_value"] == 3 and list(r["original_flags"]) == []
