"""The digit-run splitter after the core speed work (2026-12-02) gives exactly what it gave
before: `solve` against the frozen copy in tests/test_core_speed_splitter_oracle.py, on every
run the fixtures feed it and on random tables (consistent, broken, signed, with known and
blank cells), field by field and in the same order."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from disclosure import splitter
from disclosure.identities import LAYOUT_ROWS
from disclosure.parse import parse_bytes
from disclosure.vocabulary import APPLICANTS

FIXTURES = Path(__file__).parent / "fixtures"
_spec = importlib.util.spec_from_file_location("splitter_oracle", Path(__file__).parent / "test_core_speed_splitter_oracle.py")
assert _spec is not None and _spec.loader is not None
oracle = importlib.util.module_from_spec(_spec)
sys.modules["splitter_oracle"] = oracle  # its dataclasses look their module up there
_spec.loader.exec_module(oracle)


def _as_oracle(rows, identities):
    o_rows = [oracle.RunRow(r.row, tuple(r.columns), tuple(r.segments), r.signed) for r in rows]
    o_ids = [oracle.Identity(i.name, tuple(i.lhs), tuple(i.rhs)) for i in identities]
    return o_rows, o_ids


def _outcome(fn, rows, known, identities, **kw):
    """Everything a SplitResult says, in its order (dict orders included), or the error."""
    try:
        r = fn(rows, known, identities, **kw)
    except ValueError as err:
        return ("ValueError", str(err))
    return (
        [list(s.items()) for s in r.solutions], r.truncated, r.unsatisfied, r.relaxed, r.n_solutions,
        list(r.candidate_sets.items()), sorted(r.ambiguous), list(r.determined.items()),
    )


def assert_same(rows, known, identities, **kw) -> None:
    o_rows, o_ids = _as_oracle(rows, identities)
    splitter._row_text_of.cache_clear()
    cold = _outcome(splitter.solve, rows, known, identities, **kw)
    warm = _outcome(splitter.solve, rows, known, identities, **kw)  # rows now shared from the cache
    want = _outcome(oracle.solve, o_rows, known, o_ids, **kw)
    assert cold == want
    assert warm == want


def _fixture_calls() -> list[tuple]:
    """The arguments of every `solve` call while the fixtures are parsed."""
    calls: list[tuple] = []
    real = splitter.solve

    def record(rows, known, identities, **kw):
        calls.append((list(rows), dict(known), list(identities), kw))
        return real(rows, known, identities, **kw)

    splitter.solve = record
    try:
        for p in sorted(FIXTURES.rglob("*")):
            if p.suffix in (".txt", ".md", ".html", ".htm"):
                try:
                    parse_bytes(p.read_bytes(), p.name)
                except Exception:  # a rejected fixture feeds the splitter nothing
                    pass
    finally:
        splitter.solve = real
    return calls


def test_every_fixture_run_splits_as_before() -> None:
    calls = _fixture_calls()
    assert len(calls) >= 40  # the crawler reports of the corpus: tables 三 and 四 each
    for rows, known, identities, kw in calls:
        assert_same(rows, known, identities, **kw)


def _printed(values: list[int], rng: random.Random, signed: bool = False) -> tuple[str, ...]:
    """Cells run together, with a surviving space now and then (a hard boundary)."""
    texts = [(f"+{v}" if signed and v > 0 and rng.random() < 0.5 else str(v)) for v in values]
    segs, cur = [], ""
    for t in texts:
        cur += t
        if rng.random() < 0.15:
            segs.append(cur)
            cur = ""
    segs.append(cur)
    if rng.random() < 0.1:
        segs.insert(rng.randrange(len(segs) + 1), "")
    return tuple(segs)


def _random_table3(rng: random.Random) -> tuple[list, dict, list]:
    layout = rng.choice(sorted(LAYOUT_ROWS))
    keys = LAYOUT_ROWS[layout]
    identities = splitter.application_identities(keys)
    values = {k: [rng.choice([0, 0, 0, 1, 2, 3, 12, 40, 105]) for _ in APPLICANTS[:-1]] for k in keys}
    for vals in values.values():
        vals.append(sum(vals))
    rows, known = [], {}
    for k in keys:
        r = rng.random()
        if r < 0.2:
            for a, x in zip(APPLICANTS, values[k], strict=True):
                known[(k, a)] = None if rng.random() < 0.05 else x
        elif r < 0.25:
            continue  # a row the report does not print
        else:
            vals = list(values[k])
            if rng.random() < 0.08:
                vals[rng.randrange(len(vals))] += rng.choice([1, 10])  # the report's own arithmetic is wrong
            rows.append(splitter.RunRow(k, tuple(APPLICANTS), _printed(vals, rng)))
    return rows, known, identities


@pytest.mark.parametrize("seed", range(6))
def test_random_table3_splits_as_before(seed: int) -> None:
    rng = random.Random(20261202 + seed)
    for _ in range(40):
        rows, known, identities = _random_table3(rng)
        assert_same(rows, known, identities, max_solutions=rng.choice([0, 1, 64]))


def test_random_table4_and_signed_rows_split_as_before() -> None:
    rng = random.Random(7)
    ids4 = splitter.review_litigation_identities()
    for _ in range(150):
        # table 四 as one row of 15 cells, consistent or not
        cells = [rng.choice([0, 0, 1, 2, 5, 11]) for _ in range(15)]
        cols = [v[1] for i in ids4 for v in (*i.lhs, *i.rhs)]
        row = splitter.RunRow("review_litigation", tuple(dict.fromkeys(cols)), _printed(cells, rng))
        assert_same([row], {}, ids4)
        # a signed row whose last cell is the sum of the others
        vals = [rng.choice([-3, 0, 2, 7, 15]) for _ in range(3)]
        vals.append(sum(vals))
        cols = ("a", "b", "c", "t")
        srow = splitter.RunRow("change", cols, _printed(vals, rng, signed=True), signed=True)
        ident = splitter.Identity("t", (("change", "t"),), tuple(("change", c) for c in cols[:3]))
        assert_same([srow], {}, [ident])


def test_errors_and_tiny_budgets_are_as_before() -> None:
    rng = random.Random(11)
    for _ in range(30):
        rows, known, identities = _random_table3(rng)
        assert_same(rows, known, identities, max_work=rng.choice([10, 200, 3000]))
    bad = splitter.RunRow("granted", tuple(APPLICANTS), ("12a4",))
    assert_same([bad], {}, [])
    twice = [splitter.RunRow("granted", tuple(APPLICANTS), ("1234567",))] * 2
    assert_same(twice, {}, [])
