"""Curation's evidence per partition, computed in one pass over the batch's frames, equals the
evidence of cutting the batch into per-report frames (the code it replaced, kept here as the oracle)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from disclosure.batch import BatchItem, parse_batch
from disclosure.curate import CELL_TABLES, PartitionOutcome, _evidence_by_report, _flag_lists
from disclosure.synth import iter_variations

REPORTS = Path(__file__).parent / "fixtures" / "reports"
PARSED = {".txt", ".html", ".htm", ".md", ".pdf", ".docx"}


def _oracle_split(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for t, df in frames.items():
        if not len(df):
            continue
        for rid, part in df.groupby("report_id", sort=False):
            out.setdefault(str(rid), {})[t] = part
    return out


def _oracle_evidence(out: PartitionOutcome, frames: dict[str, pd.DataFrame]) -> None:
    issues = frames.get("validation_issues")
    if issues is not None and len(issues):
        out.identities_evaluated = len(issues)
        fails = issues[issues["status"] == "fail"]
        out.failed_identities = [
            {k: (None if pd.isna(v) else v) for k, v in r.items()}
            for r in fails[["check", "scope", "lhs", "rhs", "detail"]].to_dict("records")
        ]
    for table in CELL_TABLES:
        df = frames.get(table)
        if df is None or not len(df):
            continue
        out.flagged_cells += sum(1 for f in _flag_lists(df["flags"]) if f)
        a, b = CELL_TABLES[table]
        amb = df[["ambiguous" in f for f in _flag_lists(df["flags"])]]
        out.ambiguous_cells.extend(f"{table}.{x}.{y}" for x, y in zip(amb[a], amb[b], strict=True))


@pytest.fixture(scope="module")
def batch_frames() -> dict[str, pd.DataFrame]:
    items = [BatchItem(path=p) for p in sorted(REPORTS.iterdir()) if p.suffix in PARSED]
    # Issue 9's variations add failed identities and flagged cells of every kind.
    items += [BatchItem(path=name, data=data) for _, name, data, _ in iter_variations(120, seed=7)]
    batch = parse_batch(items, validate=True)
    return batch.frames


def _outcomes(frames: dict[str, pd.DataFrame]) -> dict[str, PartitionOutcome]:
    return {str(r): PartitionOutcome("a", 2024, "written", report_id=str(r)) for r in frames["reports"]["report_id"]}


def test_batch_evidence_equals_per_report_evidence(batch_frames):
    new, old = _outcomes(batch_frames), _outcomes(batch_frames)
    _evidence_by_report(batch_frames, new)
    for rid, parts in _oracle_split(batch_frames).items():
        if rid in old:
            _oracle_evidence(old[rid], parts)
    assert new == old
    # The comparison covers every kind of evidence, so it cannot pass on empty outcomes.
    assert sum(o.identities_evaluated for o in new.values()) > 0
    assert any(o.failed_identities for o in new.values())
    assert any(o.ambiguous_cells for o in new.values())
    assert sum(o.flagged_cells for o in new.values()) > sum(len(o.ambiguous_cells) for o in new.values())


def test_evidence_of_a_report_outside_the_wanted_set_is_not_recorded(batch_frames):
    wanted = dict(list(_outcomes(batch_frames).items())[:1])
    _evidence_by_report(batch_frames, wanted)
    (rid, out), = wanted.items()
    oracle = PartitionOutcome("a", 2024, "written", report_id=rid)
    _oracle_evidence(oracle, _oracle_split(batch_frames)[rid])
    assert out == oracle


def test_batch_evidence_is_the_same_with_flags_as_python_lists(batch_frames):
    """`flags` as an object column of lists (frames built by hand, not by the batch) takes the
    Python path of `_flagged_positions`; the evidence must not depend on it."""
    as_lists = {t: (df.assign(flags=pd.Series([list(f) for f in df["flags"].tolist()], index=df.index, dtype=object))
                    if "flags" in df else df) for t, df in batch_frames.items()}
    arrow, python = _outcomes(batch_frames), _outcomes(batch_frames)
    _evidence_by_report(batch_frames, arrow)
    _evidence_by_report(as_lists, python)
    assert python == arrow
    assert any(o.ambiguous_cells for o in python.values())
