"""KPI mart and cross-year checks, against values worked out by hand from the golden files."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
from golden_frames import REPORTS_DIR, frames_from_golden, golden_paths

from disclosure.marts import (
    CONFLICT,
    CROSS_YEAR_CHECKS,
    CROSS_YEAR_TABLES,
    KPIS,
    Ambiguous,
    Identity,
    agency_year_kpis,
    cross_year_checks,
    merge_reports,
    zeros_shown,
)
from disclosure.schema import TABLES

DOCS = Path(__file__).resolve().parents[1] / "docs" / "marts.md"
PINGTAN = tuple(f"pingtan-{y}.txt" for y in range(2019, 2026))


@pytest.fixture(scope="module")
def golden() -> dict[str, pd.DataFrame]:
    return frames_from_golden(golden_paths())


@pytest.fixture(scope="module")
def kpis(golden: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return agency_year_kpis(golden)


def kpi(kpis: pd.DataFrame, agency: str, year: int) -> pd.Series:
    (row,) = kpis[(kpis.agency == agency) & (kpis.year == year)].drop_duplicates(["agency", "year"]).index
    return kpis.loc[row]


def set_total(
    frames: dict[str, pd.DataFrame], row: str, value: object, column: str = "value"
) -> dict[str, pd.DataFrame]:
    apps = frames["applications"].copy()
    hit = (apps.row == row) & (apps.applicant == "total")
    if isinstance(value, list):  # a list cell (flags) cannot go through .loc
        apps[column] = pd.array([value if h else x for h, x in zip(hit, apps[column].tolist(), strict=True)],
                                dtype=apps[column].dtype)
    else:
        apps.loc[hit, column] = value
    return {**frames, "applications": apps}


def flag_active(frames: dict[str, pd.DataFrame], year: int, key: str) -> dict[str, pd.DataFrame]:
    active = frames["active_disclosure"].copy()
    category, metric = key.split(".")
    hit = (active.year == year) & (active.category == category) & (active.metric == metric)
    active["flags"] = pd.array([["ambiguous", "split_digits"] if h else x for h, x in zip(hit, active["flags"].tolist(), strict=True)],
                               dtype=active["flags"].dtype)
    return {**frames, "active_disclosure": active}


# --------------------------------------------------------------------------- KPI values


def test_one_kpi_row_per_report_sorted(golden: dict[str, pd.DataFrame], kpis: pd.DataFrame) -> None:
    assert len(kpis) == len(golden["reports"])
    assert list(kpis.columns[:3]) == ["agency", "year", "report_id"]
    assert kpis[["agency", "year", "report_id"]].equals(
        kpis[["agency", "year", "report_id"]].sort_values(["agency", "year", "report_id"], ignore_index=True)
    )


def test_huaian_2024_kpis_match_the_printed_table(kpis: pd.DataFrame) -> None:
    k = kpi(kpis, "淮安市人民政府", 2024)
    assert (k.new_received_natural_person, k.new_received_organisations, k.new_received_total) == (
        3001,
        118,
        3119,
    )
    assert k.total_handled == 3119 + 34
    assert k.results_total == 3050
    assert k.disclosure_rate == pytest.approx((1362 + 454) / 3050)
    assert k.withheld_rate == pytest.approx((2 + 31 + 5 + 6 + 8 + 12 + 9 + 105) / 3050)
    assert k.unable_rate == pytest.approx((769 + 11 + 1) / 3050)
    assert k.not_processed_rate == pytest.approx((62 + 25 + 0 + 0 + 1) / 3050)
    assert k.other_handling_rate == pytest.approx((71 + 6 + 110) / 3050)
    assert k.carry_forward_rate == pytest.approx(103 / (3119 + 34))
    assert (k.review_total, k.litigation_total) == (351, 26 + 20)
    assert k.review_correction_rate == pytest.approx(64 / 351)
    assert k.litigation_correction_rate == pytest.approx((4 + 1) / (26 + 20))


def test_outcome_shares_add_up_to_one_where_the_report_balances(kpis: pd.DataFrame) -> None:
    k = kpi(kpis, "平潭综合实验区", 2025)
    shares = ["disclosure_rate", "withheld_rate", "unable_rate", "not_processed_rate", "other_handling_rate"]
    assert float(k[shares].sum()) == pytest.approx(1.0)
    assert k.disclosure_rate == pytest.approx(71 / 148)


def test_one_row_other_handling_is_used_when_the_report_prints_it_so(kpis: pd.DataFrame) -> None:
    # hongze-gov-2023: 2021 template but 三(六) printed as one row (0); its sub-rows are blank.
    k = kpi(kpis, "洪泽区人民政府", 2023)
    assert k.other_handling_rate == 0.0
    assert k.disclosure_rate == pytest.approx((0 + 4) / 21)


def test_zero_denominator_gives_null_rate_not_error(kpis: pd.DataFrame) -> None:
    xining = kpi(kpis, "西宁经济技术开发区", 2022)  # no applications at all
    assert xining.new_received_total == 0 and xining.results_total == 0
    assert pd.isna(xining.disclosure_rate) and pd.isna(xining.carry_forward_rate)
    hongze = kpi(kpis, "洪泽区人民政府", 2023)  # review total printed 0 (with 10 + 1 parts)
    assert hongze.review_total == 0 and pd.isna(hongze.review_correction_rate)


# --------------------------------------------------------------------------- the null rule


def test_blank_outcome_cell_counts_as_zero_when_the_printed_total_says_so(
    golden: dict[str, pd.DataFrame],
) -> None:
    huaian = frames_from_golden(golden_paths("huaian-gov-2024.txt"))
    # state_secret (2) left blank and 总计 printed as 3048 = the sum of the printed cells.
    frames = set_total(set_total(huaian, "withheld.state_secret", pd.NA), "results_total", 3048)
    k = agency_year_kpis(frames).iloc[0]
    assert k.withheld_rate == pytest.approx((31 + 5 + 6 + 8 + 12 + 9 + 105) / 3048)


def test_blank_outcome_cell_stays_null_when_the_printed_total_disagrees() -> None:
    huaian = frames_from_golden(golden_paths("huaian-gov-2024.txt"))
    frames = set_total(huaian, "withheld.state_secret", pd.NA)  # 总计 still 3050: the blank meant 2
    k = agency_year_kpis(frames).iloc[0]
    assert pd.isna(k.withheld_rate)
    assert k.disclosure_rate == pytest.approx((1362 + 454) / 3050)  # does not need the blank cell


def test_report_with_blank_total_column_keeps_outcome_rates_null(kpis: pd.DataFrame) -> None:
    # sh-gov-office-2019 prints no 总计 for 三(一)–三(六): nothing shows what they were.
    k = kpi(kpis, "上海市人民政府办公厅", 2019)
    assert k.results_total == 805
    assert pd.isna(k.disclosure_rate) and pd.isna(k.withheld_rate)
    # Its row 一 prints 总计 859 = 821 + 35 + 2 + 1, so the blank organisation cells are 0.
    assert k.new_received_organisations == 35 + 2 + 1
    # 行政复议 total 7 = upheld 5 + pending 2 → blank corrected is 0; 复议后起诉 is all blank.
    assert k.review_correction_rate == 0.0
    assert pd.isna(k.litigation_total) and pd.isna(k.litigation_correction_rate)
    assert k.carry_forward_rate == pytest.approx(72 / (859 + 18))


def test_blank_that_the_totals_show_is_not_zero_stays_null(kpis: pd.DataFrame) -> None:
    # sh-kewei-2024: 结转 总计 blank; 34 + 2 = 35 + blank means it was 1, not 0.
    k = kpi(kpis, "上海市科委", 2024)
    assert pd.isna(k.carry_forward_rate)
    assert k.disclosure_rate == pytest.approx(9 / 35)


def test_blank_columns_of_a_row_are_zero_when_its_total_matches(kpis: pd.DataFrame) -> None:
    # shuyang-fgj-2023: the five organisation columns are blank everywhere; 自然人 = 总计.
    assert kpi(kpis, "沭阳县发展和改革局", 2023).new_received_organisations == 0


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"t": 5, "a": 5, "b": None}, {"b"}),  # printed parts already balance: blank is 0
        ({"t": 5, "a": 3, "b": None}, set()),  # blank must be 2
        ({"t": None, "a": 0, "b": 0}, {"t"}),  # parts all 0 → total 0
        ({"t": None, "a": 0, "b": None}, set()),  # blanks on both sides could cancel
        ({"t": 5, "a": 5, "b": 0}, set()),  # nothing blank
    ],
)
def test_zeros_shown_only_when_the_printed_operands_balance(cells: dict, expected: set) -> None:
    key = {k: ("applications", k, "total") for k in "tab"}
    identity = Identity((key["t"],), (key["a"], key["b"]))
    shown = zeros_shown(identity, {key[k]: x for k, x in cells.items()})
    assert shown == {key[k] for k in expected}


def test_cell_flagged_ambiguous_is_unknown_not_a_number() -> None:
    huaian = frames_from_golden(golden_paths("huaian-gov-2024.txt"))
    k = agency_year_kpis(set_total(huaian, "granted", ["ambiguous", "split_digits"], column="flags")).iloc[0]
    assert pd.isna(k.disclosure_rate)
    assert k.withheld_rate == pytest.approx(178 / 3050)  # other KPIs unaffected


# --------------------------------------------------------------------------- cross-year checks


@pytest.fixture(scope="module")
def pingtan_checks() -> pd.DataFrame:
    return cross_year_checks(frames_from_golden(golden_paths(*PINGTAN)))


def test_cross_year_checks_need_only_the_cross_year_tables(pingtan_checks: pd.DataFrame) -> None:
    frames = frames_from_golden(golden_paths(*PINGTAN))
    assert set(CROSS_YEAR_TABLES) < set(frames)  # the agency_year_kpis asset reads only these for y-1
    only = cross_year_checks({t: frames[t] for t in CROSS_YEAR_TABLES})
    pd.testing.assert_frame_equal(only, pingtan_checks)
    assert len(only)


def check(checks: pd.DataFrame, year: int, name: str) -> pd.Series:
    (row,) = checks[(checks.year == year) & (checks.check == name)].index
    return checks.loc[row]


def test_carried_over_matches_last_years_carried_forward(pingtan_checks: pd.DataFrame) -> None:
    c = check(pingtan_checks, 2022, "carried_over_rolls_forward")
    assert (c.status, c.lhs, c.rhs) == ("pass", 1.0, 1.0)


def test_in_force_clean_up_is_reported_as_a_failed_soft_check(pingtan_checks: pd.DataFrame) -> None:
    c = check(pingtan_checks, 2023, "in_force_rolls_forward.normative_documents")
    assert (c.status, c.lhs, c.rhs) == ("fail", 470.0, 698 + 77 - 132)
    assert "470" in c.detail and "698" in c.detail and "132" in c.detail
    ok = check(pingtan_checks, 2022, "in_force_rolls_forward.normative_documents")
    assert (ok.status, ok.lhs, ok.rhs) == ("pass", 698.0, 665 + 88 - 55)


def test_2019_template_prev_items_roll_forward(pingtan_checks: pd.DataFrame) -> None:
    c = check(pingtan_checks, 2020, "prev_items_rolls_forward.punishment")
    assert (c.status, c.lhs, c.rhs) == ("pass", 2648.0, 2648.0)


def test_template_change_makes_table_two_checks_not_assessable(pingtan_checks: pd.DataFrame) -> None:
    at_2021 = pingtan_checks[pingtan_checks.year == 2021].set_index("check").status
    assert at_2021["carried_over_rolls_forward"] == "pass"
    assert set(at_2021.drop("carried_over_rolls_forward")) == {"not_assessable"}
    assert len(at_2021) == len(CROSS_YEAR_CHECKS)


def test_first_year_and_single_reports_get_no_cross_year_rows(pingtan_checks: pd.DataFrame) -> None:
    assert 2019 not in set(pingtan_checks.year)
    sh = cross_year_checks(
        frames_from_golden(golden_paths("sh-gov-office-2019.html", "sh-gov-office-2025.md"))
    )
    assert sh.empty and list(sh.columns) == ["agency", "year", "check", "status", "lhs", "rhs", "detail"]


def test_blank_operand_is_not_assessable_not_failed() -> None:
    frames = frames_from_golden(golden_paths("pingtan-2021.txt", "pingtan-2022.txt"))
    apps = frames["applications"]
    year_2021 = frames["reports"].loc[frames["reports"].year == 2021, "report_id"].item()
    blank = (apps.report_id == year_2021) & (apps.row == "carried_forward") & (apps.applicant == "total")
    apps = apps.copy()
    apps.loc[blank, "value"] = pd.NA
    c = check(cross_year_checks({**frames, "applications": apps}), 2022, "carried_over_rolls_forward")
    assert c.status == "not_assessable" and pd.isna(c.lhs) and "blank" in c.detail


def test_cross_year_checks_do_not_depend_on_input_order(pingtan_checks: pd.DataFrame) -> None:
    frames = frames_from_golden(golden_paths(*reversed(PINGTAN)))
    shuffled = {name: f.sample(frac=1.0, random_state=7) for name, f in frames.items()}
    pd.testing.assert_frame_equal(cross_year_checks(shuffled), pingtan_checks)


def test_ambiguous_operand_is_not_assessable_but_says_what_the_candidates_give() -> None:
    frames = flag_active(
        frames_from_golden(golden_paths("pingtan-2022.txt", "pingtan-2023.txt")),
        2023,
        "normative_documents.in_force",
    )
    c = check(cross_year_checks(frames), 2023, "in_force_rolls_forward.normative_documents")
    assert c.status == "not_assessable" and pd.isna(c.lhs)
    assert "470 (ambiguous)" in c.detail and "would fail" in c.detail


def test_an_ambiguous_rolling_cell_of_table_three_is_not_assessable_and_names_its_candidate() -> None:
    """Table 三's carried_forward read as ambiguous digits: the roll-forward check must not pass
    or fail on it, and must say the value was ambiguous (the cross-year values look only at
    the rolling rows' printed cells for this)."""
    frames = frames_from_golden(golden_paths("pingtan-2021.txt", "pingtan-2022.txt"))
    apps = frames["applications"].copy()
    year_2021 = frames["reports"].loc[frames["reports"].year == 2021, "report_id"].item()
    hit = ((apps.report_id == year_2021) & (apps.row == "carried_forward") & (apps.applicant == "total")).tolist()
    assert sum(hit) == 1
    apps["flags"] = pd.Series([["ambiguous", "split_digits"] if h else list(x) for h, x in zip(hit, apps["flags"], strict=True)],
                              index=apps.index, dtype=apps["flags"].dtype)
    c = check(cross_year_checks({**frames, "applications": apps}), 2022, "carried_over_rolls_forward")
    assert c.status == "not_assessable" and pd.isna(c.lhs)
    assert "(ambiguous)" in c.detail and "ambiguous operand" in c.detail


def test_clear_value_wins_over_an_ambiguous_one_of_the_same_year() -> None:
    merged = merge_reports([{"k": Ambiguous(12.0)}, {"k": 126.0}])
    assert merged == {"k": 126.0}


def test_reports_of_one_year_that_disagree_are_flagged() -> None:
    merged = merge_reports(
        [{"applications:carried_over": 1, "x": None}, {"applications:carried_over": 2, "x": 3}]
    )
    assert merged == {"applications:carried_over": CONFLICT, "x": 3}


# --------------------------------------------------------------------------- docs


def test_every_kpi_and_check_is_defined_in_docs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    names = [k.name for k in KPIS] + [c.name for c in CROSS_YEAR_CHECKS]
    missing = [n for n in names if not re.search(rf"`{re.escape(n)}`", text)]
    assert missing == []


def test_golden_frames_have_the_lake_schema_and_raw_file_ids(golden: dict[str, pd.DataFrame]) -> None:
    for name, table in TABLES.items():
        assert list(golden[name].columns) == table.column_names
        assert [str(t) for t in golden[name].dtypes] == [str(c.pandas_dtype) for c in table.columns]
    reports = golden["reports"].set_index("source_file")
    raw = REPORTS_DIR / "pingtan-2022.txt"
    assert reports.loc["pingtan-2022.txt", "report_id"] == hashlib.sha256(raw.read_bytes()).hexdigest()
