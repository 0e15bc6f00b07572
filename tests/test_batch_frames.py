"""frames_for builds the lake rows from one tuple per cell: same rows as the cell-by-cell build."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from disclosure import schema
from disclosure.batch import frames_for, parse_batch
from disclosure.identify import Candidate

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def test_candidate_as_dict_is_dataclasses_asdict() -> None:
    c = Candidate("agency", "某某局", "title", 0.5, "某某局2024年政府信息公开工作年度报告")
    assert c.as_dict() == dataclasses.asdict(c)
    assert list(c.as_dict()) == [f.name for f in dataclasses.fields(Candidate)]


def test_frames_of_a_batch_are_the_frames_of_each_report_stacked() -> None:
    files = [REPORTS / n for n in ("xining-etdz-2022.txt", "sh-kewei-2024.md", "shuyang-fgj-2023.html", "pingtan-2019.txt")]
    reports = parse_batch(files, validate=False).reports
    together = frames_for(reports)
    alone = [frames_for([r]) for r in reports]
    for t in schema.TABLES:
        assert list(together[t].columns) == schema.TABLES[t].column_names
        stacked = [f[t] for f in alone]
        assert len(together[t]) == sum(map(len, stacked)), t
        for df in stacked:  # every report's rows carry its own report_id, agency and year
            assert df["report_id"].nunique() <= 1
    ap = together["applications"]
    first = reports[0]
    rows = ap[ap["report_id"] == first.report_id]
    cells = [(k, a, c) for table, k, a, c in first.cells() if table == "applications"]
    assert len(rows) == len(cells)
    for (k, a, c), (_, row) in zip(cells, rows.iterrows(), strict=True):
        assert (row["row"], row["applicant"], row["raw_text"]) == (k, a, c.raw)
        assert list(row["flags"]) == sorted(set(c.flags))


def test_string_column_through_arrow_is_pandas_own_array_even_for_values_arrow_refuses() -> None:
    import pandas as pd

    from disclosure.batch import _column

    for values in (["a", None, "表三"], [], ["a", 3], ["x", float("nan")], [pd.NA, "y"]):
        got, want = _column(list(values), "string"), pd.array(list(values), dtype="string")
        assert got.dtype == want.dtype and got.equals(want), values
