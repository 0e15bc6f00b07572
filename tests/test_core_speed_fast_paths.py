"""The parser core's fast paths give what the code they replace gives (core speed work, 2026-12-02)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from disclosure import vocabulary as v
from disclosure.readers.text import (
    _grid_style,
    _split_number_tail_texts,
    _split_one_line_body,
)
from disclosure.tables import _dp_align_lists, _signature_tests


def _dp_align(scores: np.ndarray, skip_costs: np.ndarray, keys: Sequence[str]) -> tuple[float, list[tuple[int, str]]]:
    """Vectorised alignment DP: per row, assign / skip the row, then skip keys (cost 1 each).
    (The numpy version the parser used before `_dp_align_lists`: the oracle for its ties.)"""
    n, m = scores.shape
    ar = np.arange(m + 1, dtype=float)
    prev = -ar  # before any row: skipping the first j keys
    took_assign = np.zeros((n, m + 1), dtype=bool)
    came_from = np.zeros((n, m + 1), dtype=np.int64)
    for i in range(n):
        assign = np.full(m + 1, -np.inf)
        assign[1:] = prev[:-1] + scores[i]
        skip = prev + skip_costs[i]
        took_assign[i] = assign > skip
        best = np.where(took_assign[i], assign, skip)
        # Skipping keys after this row: new[j] = max_{j' <= j} best[j'] - (j - j').
        t = best + ar
        acc = np.maximum.accumulate(t)
        came_from[i] = np.maximum.accumulate(np.where(t >= acc, np.arange(m + 1), 0))
        prev = acc - ar
    pairs: list[tuple[int, str]] = []
    j = m
    for i in range(n - 1, -1, -1):
        j = int(came_from[i][j])
        if took_assign[i][j]:
            pairs.append((i, keys[j - 1]))
            j -= 1
    pairs.reverse()
    return float(prev[m]), pairs


def _random_alignment(rng: random.Random) -> tuple[list[list[float]], list[float], list[str]]:
    n, m = rng.randint(0, 8), rng.randint(1, 8)
    # Few distinct scores, so that ties (where the tie rules matter) are common.
    scores = [[rng.choice((10.0, -12.0, 3.0, 2.0, 0.0)) for _ in range(m)] for _ in range(n)]
    skips = [rng.choice((-9.0, -1.0, -4.0)) for _ in range(n)]
    return scores, skips, [f"k{j}" for j in range(m)]


def test_list_alignment_dp_gives_the_numpy_dp_score_and_pairs_ties_included():
    rng = random.Random(14)
    for _ in range(3000):
        scores, skips, keys = _random_alignment(rng)
        want = _dp_align(np.array(scores, dtype=float).reshape(len(scores), len(keys)),
                         np.array(skips, dtype=float), keys)
        assert _dp_align_lists(scores, skips, keys) == want


def test_signature_tests_find_a_key_signature_exactly_where_a_substring_test_does():
    keys = (*v.APPLICATION_ROW_SIGNATURES, "other_handling", "no_such_key")
    tests = _signature_tests(keys)
    contexts = ["", "本年新收申请", "其他处理", *(s + "尾" for sigs in v.APPLICATION_ROW_SIGNATURES.values() for s in sigs)]
    for key, test in zip(keys, tests, strict=True):
        sigs = v.APPLICATION_ROW_SIGNATURES.get(key, ())
        if key in ("other_handling", "other_handling.other"):
            assert test is not None and not callable(test)
            continue
        for ctx in contexts:
            assert bool(test and test(ctx)) == any(s in ctx for s in sigs)


def test_number_tail_split_splits_spaced_numbers_and_a_label_from_its_numbers_only():
    cases = {
        "结果 3": ["结果", "3"],
        "合计 2 0 0": ["合计", "2", "0", "0"],
        "2 0 0": ["2", "0", "0"],
        "一、总体情况": ["一、总体情况"],
        "12": ["12"],
        "3.": ["3."],
        "第 1 项 5": ["第 1 项", "5"],
        "a\u00a05": ["a", "5"],  # a no-break space: the regex path, no plain space in the text
        "1. 2": ["1. 2"],  # '1.' is a numbering, not a label: nothing to split off
    }
    for text, want in cases.items():
        assert [c.text for c in _split_number_tail_texts([text])] == want, text


def test_number_tail_split_numbers_its_cells_consecutively_across_texts():
    # Bug: `out.extend(Cell(p, len(out) + i) ...)` read len(out) while extend grew it, so
    # '3 4' after two cells was numbered 3, 5 (no parse output changed: bench/snapshot_json.py was identical).
    assert [(c.text, c.col) for c in _split_number_tail_texts(["合计 2", "一、总体情况", "3 4"])] == \
        [("合计", 0), ("2", 1), ("一、总体情况", 2), ("3", 3), ("4", 4)]


def test_short_lines_are_never_taken_for_a_one_line_body_and_long_ones_still_are():
    short = ["|" * 39, "\t" * 39, "a | b | c"]
    assert _split_one_line_body(short) == short
    body = "| 本年新收 | 1 | 2 " + "| x " * 40
    assert _split_one_line_body([body]) != [body]


def test_grid_style_of_a_text_without_the_form_characters_is_none_and_with_them_unchanged():
    assert _grid_style(["plain", "text 1 2"] * 5) is None
    assert _grid_style(["│ a │ 1 │"] * 5) == "box"
    assert _grid_style(["+----+----+"] * 5) == "grid-table"
    assert _grid_style(["a\tb"] * 5) == "tab"
    assert _grid_style(["a\tb"] * 4) is None


def _dp_align_lists_before(scores: list[list[float]], skip_costs: list[float],
                           keys: Sequence[str]) -> tuple[float, list[tuple[int, str]]]:
    """`_dp_align_lists` as it was before its loop over zip (seventh session): the oracle."""
    import math

    m = len(keys)
    prev = [-float(j) for j in range(m + 1)]
    took_rows: list[list[bool]] = []
    came_rows: list[list[int]] = []
    neg_inf = -math.inf
    for row, skip_cost in zip(scores, skip_costs, strict=True):
        took: list[bool] = []
        came: list[int] = []
        new: list[float] = []
        acc = came_max = 0
        for j in range(m + 1):
            assign = prev[j - 1] + row[j - 1] if j else neg_inf
            skip = prev[j] + skip_cost
            took_j = assign > skip
            took.append(took_j)
            t = (assign if took_j else skip) + j
            if j == 0 or not acc > t:
                acc = t
            if j == 0:
                came_max = 0
            elif t >= acc and j > came_max:
                came_max = j
            came.append(came_max)
            new.append(acc - j)
        took_rows.append(took)
        came_rows.append(came)
        prev = new
    pairs: list[tuple[int, str]] = []
    j = m
    for i in range(len(scores) - 1, -1, -1):
        j = came_rows[i][j]
        if took_rows[i][j]:
            pairs.append((i, keys[j - 1]))
            j -= 1
    pairs.reverse()
    return float(prev[m]), pairs


def test_alignment_dp_gives_what_its_previous_loop_gave_on_tables_of_every_size():
    rng = random.Random(1202)
    for _ in range(4000):
        n, m = rng.randint(0, 30), rng.randint(0, 30)
        scores = [[rng.choice((10.0, -12.0, 3.0, 2.0, 0.0)) for _ in range(m)] for _ in range(n)]
        skips = [rng.choice((-9.0, -1.0, -4.0)) for _ in range(n)]
        keys = [f"k{j}" for j in range(m)]
        got = _dp_align_lists(scores, skips, keys)
        want = _dp_align_lists_before(scores, skips, keys)
        assert got == want
        assert repr(got[0]) == repr(want[0])  # the same float, sign of a zero included


def test_named_key_scores_are_the_per_row_list_they_replace():
    from disclosure.identities import LAYOUT_ROWS
    from disclosure.tables import _named_key_scores

    for keys in LAYOUT_ROWS.values():
        for named in (*keys, "not_a_key"):
            assert list(_named_key_scores(named, tuple(keys))) == [10.0 if k == named else -12.0 for k in keys]


def _split_number_tail_texts_before(texts: list[str]) -> list:
    """`_split_number_tail_texts` as it was: each space-separated part tested on its own."""
    import re

    from disclosure.model import Cell
    from disclosure.readers.text import _LABEL_THEN_NUMBERS, _NUMBERED_END

    plain = re.compile(r"[+\-]?\d+(\.\d+)?").fullmatch
    out: list = []
    for text in texts:
        parts = text.split(" ") if " " in text else None
        if parts is not None and all(plain(p) for p in parts):
            start = len(out)
            out.extend(Cell(p, start + i) for i, p in enumerate(parts))
        else:
            last = text[-1:]
            m = _LABEL_THEN_NUMBERS.fullmatch(text) if last.isdigit() or last.isspace() else None
            if m and not _NUMBERED_END.search(m.group(1)):
                out.append(Cell(m.group(1), len(out)))
                start = len(out)
                out.extend(Cell(p, start + i) for i, p in enumerate(m.group(2).split()))
            else:
                out.append(Cell(text, len(out)))
    return out


def test_number_tail_split_cuts_every_fixture_line_and_random_text_as_before():
    from pathlib import Path

    from disclosure.readers.text import _LAYOUT_GAP

    fixtures = Path(__file__).parent / "fixtures"
    n = 0
    for p in sorted(fixtures.rglob("*")):
        if p.suffix in (".txt", ".md"):
            for line in p.read_bytes().decode("utf-8", "replace").splitlines():
                texts = [t for t in _LAYOUT_GAP.split(line.strip()) if t]
                assert _split_number_tail_texts(texts) == _split_number_tail_texts_before(texts)
                n += 1
    assert n > 5000
    rng = random.Random(9)
    pieces = ["1", "0", "23", "-4", "+5", "1.5", ".", " ", "  ", "结果", "合计", "1.", "、", "\u3000", "２", "a"]
    for _ in range(20000):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 7))) for _ in range(rng.randrange(1, 4))]
        assert _split_number_tail_texts(texts) == _split_number_tail_texts_before(texts)


def test_page_number_and_rule_lines_start_with_one_of_the_gate_characters():
    """The gate before `_PAGE_NUMBER` / `_RULE` in parse_text skips only lines neither matches."""
    from pathlib import Path

    from disclosure.readers.text import _PAGE_NUMBER, _PAGE_OR_RULE_STARTS, _RULE

    def skipped_before(stripped: str) -> bool:
        return bool(_PAGE_NUMBER.match(stripped) or _RULE.fullmatch(stripped))

    def skipped_now(stripped: str) -> bool:
        return stripped[0] in _PAGE_OR_RULE_STARTS and skipped_before(stripped)

    spaces = [chr(i) for i in range(0x110000) if chr(i).isspace()]
    rng = random.Random(4)
    pieces = ["-", "—", "–", "第", "页", "=", "_", "1", "23", "x", "  ", *spaces]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 8))) for _ in range(30000)]
    fixtures = Path(__file__).parent / "fixtures"
    for p in sorted(fixtures.rglob("*")):
        if p.suffix in (".txt", ".md"):
            texts += p.read_bytes().decode("utf-8", "replace").split("\n")
    hits = 0
    for text in texts:
        stripped = text.strip()
        if stripped:
            assert skipped_now(stripped) == skipped_before(stripped)
            hits += skipped_before(stripped)
    assert hits > 100
