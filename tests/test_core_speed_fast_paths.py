"""The parser core's fast paths give what the code they replace gives (core speed work, 2026-12-02)."""

from __future__ import annotations

import random

import numpy as np

from disclosure import vocabulary as v
from disclosure.model import Cell
from disclosure.readers.text import (
    _grid_style,
    _split_number_tail,
    _split_number_tail_texts,
    _split_one_line_body,
)
from disclosure.tables import _dp_align, _dp_align_lists, _signature_tests


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


def test_number_tail_split_of_texts_matches_the_split_of_cells():
    texts = ["结果 3", "合计 2 0 0", "2 0 0", "一、总体情况", "12", "3.", "第 1 项 5", "a\u00a05", "1. 2"]
    assert [(c.text, c.col) for c in _split_number_tail_texts(texts)] == \
        [(c.text, c.col) for c in _split_number_tail([Cell(t, i * 3) for i, t in enumerate(texts)])]
    # a label and its number apart by a no-break space: the regex path, no plain space in the text
    assert [c.text for c in _split_number_tail_texts(["结果\u00a03"])] == ["结果", "3"]


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
