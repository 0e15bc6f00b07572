"""The cell grammar (numbers.py) and the cell rules of tables.cell_out: a printed cell is a
value only when its whole text fits a known form; anything else is null and flagged."""

from __future__ import annotations

import pytest

from disclosure.model import Cell
from disclosure.numbers import chinese_number, parse_value, to_10k_yuan
from disclosure.tables import cell_out


def count(text: str, table: str = "applications"):
    c = cell_out(Cell(text), "t", table=table)
    return c.value, c.flags


@pytest.mark.parametrize("text", ["1234①", "1234⑳", "1234*", "1234※", "1234[1]", "1234注1", "①1234", "1234²"])
def test_a_footnote_mark_glued_to_a_number_is_stripped_flagged_and_its_raw_text_kept(text):
    c = cell_out(Cell(text), "t")
    assert (c.value, c.flags, c.raw) == (1234, ["footnote"], text)


@pytest.mark.parametrize("text", ["注112", "12①3", "1 234"])
def test_a_mark_or_space_inside_the_digits_is_not_stripped_the_cell_is_unparsed(text):
    assert count(text) == (None, ["unparsed"])


def test_digit_by_digit_chinese_numerals_read_every_digit():
    assert chinese_number("一〇一") == 101
    assert parse_value("一〇一").value == 101
    assert parse_value("二〇").value == 20
    assert parse_value("一百零五").value == 105
    assert parse_value("2〇1").value == 201


def test_full_width_digits_and_valid_thousands_groups_are_read():
    assert count("１２３") == (123, [])
    assert count("3,517") == (3517, [])
    assert count("1,234,567", "active_disclosure") == (1234567, [])


@pytest.mark.parametrize("text", ["35,17", "3,5170", ",517"])
def test_an_invalid_thousands_grouping_is_unparsed_never_a_joined_number(text):
    assert count(text) == (None, ["unparsed"])


@pytest.mark.parametrize("text", ["9.5", "5.345", "1.1234"])
def test_a_decimal_in_a_count_column_is_unparsed_not_a_count(text):
    # '1.1234' is what a Word list marker ('1.') left before the number 1234.
    assert count(text) == (None, ["unparsed"])


def test_a_decimal_in_a_money_column_is_an_amount():
    c = cell_out(Cell("5.345"), "t", money=True, unit="万元")
    assert (c.value, c.flags) == (5.345, [])


def test_known_annotations_are_read_and_unknown_ones_unparsed():
    assert count("22（其中修订16件）", "active_disclosure") == (22, ["annotated"])
    assert count("55（含自然失效29件）", "active_disclosure") == (55, ["annotated"])
    assert count("22（另有3件）", "active_disclosure") == (None, ["unparsed"])


def test_words_in_a_value_cell_are_unparsed_not_blank():
    assert count("详见附件") == (None, ["unparsed"])
    assert count("") == (None, [])
    assert count("—") == (None, [])


def test_an_implausible_count_is_flagged_and_an_unrepresentable_one_dropped():
    # Thresholds: vocabulary.IMPLAUSIBLE_COUNT (10⁶ per 表三 cell) and UNREPRESENTABLE (10¹⁵).
    assert count("2000000") == (2000000, ["implausible"])
    assert count("12345678901234567890") == (None, ["implausible", "unparsed"])
    assert count("999999") == (999999, [])


@pytest.mark.parametrize(
    ("text", "context", "want", "flags"),
    [
        ("251000元", None, 25.1, ["unit_converted"]),
        ("251000", "元", 25.1, ["unit_converted"]),
        ("1.5", "亿元", 15000, ["unit_converted"]),
        ("1.5", "万元", 1.5, []),
        ("1.5", None, 1.5, ["unit_assumed"]),
        ("3万元", "元", 3, []),  # the cell's own unit wins over the header's
    ],
)
def test_money_is_converted_to_10k_yuan_from_the_unit_of_the_cell_or_around_it(text, context, want, flags):
    value, got = to_10k_yuan(parse_value(text), context)
    assert value == pytest.approx(want) and got == flags


def test_a_count_unit_in_a_money_column_is_unparsed():
    c = cell_out(Cell("3件"), "t", money=True)
    assert (c.value, c.flags) == (None, ["unparsed"])
