"""Comparison marts (issue 15): flagged inputs, year on year, peers, timeliness, coverage — on frames
built from the golden files (not from parser output)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from golden_frames import frames_from_golden, golden_paths
from mart_lake import PINGTAN, flag_cell

from disclosure import marts as m
from disclosure.registry import default_registry
from disclosure.schema import MART_TABLES


def golden(*files: str) -> dict:
    return json.loads((golden_paths(*files)[0]).read_text("utf-8"))


def columns_and_dtypes_match(name: str, frame: pd.DataFrame) -> None:
    cols = MART_TABLES[name].columns
    assert list(frame.columns) == [c.name for c in cols]
    assert [str(frame[c.name].dtype) for c in cols] == [str(c.pandas_dtype) for c in cols]


# --------------------------------------------------------------------------- flagged inputs


@pytest.fixture(scope="module")
def huaian() -> dict[str, pd.DataFrame]:
    return frames_from_golden(golden_paths("huaian-gov-2024.txt"))


def test_kpi_with_a_warning_flagged_input_is_null_and_named_in_flagged_kpis(huaian) -> None:
    frames = {t: f.copy() for t, f in huaian.items()}
    flag_cell(frames, "淮安市人民政府", 2024, "granted", "total", "position_assumed")
    k = m.agency_year_kpis(frames).iloc[0]
    assert pd.isna(k.disclosure_rate)  # its numerator reads the flagged cell
    assert list(k.flagged_kpis) == ["disclosure_rate:position_assumed"]
    assert k.withheld_rate == pytest.approx(178 / 3050)  # KPIs that do not read it are unaffected
    assert k.new_received_total == 3119


def test_info_flag_does_not_keep_a_cell_out_of_a_kpi(huaian) -> None:
    frames = {t: f.copy() for t, f in huaian.items()}
    flag_cell(frames, "淮安市人民政府", 2024, "granted", "total", "split_digits")
    k = m.agency_year_kpis(frames).iloc[0]
    assert k.disclosure_rate == pytest.approx(m.agency_year_kpis(huaian).iloc[0].disclosure_rate)
    assert list(k.flagged_kpis) == []


def test_flagged_cell_shows_no_blank_to_be_zero() -> None:
    # The null rule must not read a flagged printed value as evidence: with results_total flagged,
    # a blank outcome cell stays null (so the rates that read it are null), not 0.
    frames = frames_from_golden(golden_paths("pingtan-2022.txt"))
    app = frames["applications"]
    hit = (app.row == "withheld.state_secret") & (app.applicant == "total")
    app.loc[hit, "value"] = pd.NA
    flag_cell(frames, "平潭综合实验区", 2022, "results_total", "total", "implausible")
    k = m.agency_year_kpis(frames).iloc[0]
    assert pd.isna(k.withheld_rate) and pd.isna(k.results_total)
    assert "results_total:implausible" in list(k.flagged_kpis)


def test_kpi_mart_has_the_schema_metadata_columns(huaian) -> None:
    columns_and_dtypes_match("agency_year_kpis", m.agency_year_kpis(huaian))


# --------------------------------------------------------------------------- year on year


@pytest.fixture(scope="module")
def pingtan() -> dict[str, pd.DataFrame]:
    return frames_from_golden(golden_paths(*PINGTAN))


def test_year_on_year_change_is_the_difference_of_the_printed_totals(pingtan) -> None:
    yoy = m.year_on_year(m.agency_year_kpis(pingtan))
    columns_and_dtypes_match("year_on_year", yoy)
    new = {y: golden(f"pingtan-{y}.txt")["applications"]["new_received"]["total"] for y in (2022, 2023)}
    row = yoy[(yoy.year == 2023) & (yoy.kpi == "new_received_total")].iloc[0]
    assert (row.previous, row.current, row.change) == (new[2022], new[2023], new[2023] - new[2022])
    assert row.status == "ok"
    assert 2019 not in set(yoy.year)  # no year before 2019 in the frames: no row


def test_year_on_year_with_a_flagged_input_has_no_change_and_says_which_year(pingtan) -> None:
    frames = {t: f.copy() for t, f in pingtan.items()}
    flag_cell(frames, "平潭综合实验区", 2023, "granted", "total", "negative")
    yoy = m.year_on_year(m.agency_year_kpis(frames))
    for year in (2023, 2024):  # 2023 is `current` of one pair and `previous` of the next
        row = yoy[(yoy.year == year) & (yoy.kpi == "disclosure_rate")].iloc[0]
        assert pd.isna(row.change) and row.status == "flagged_input"
        assert "2023: input cell flagged negative" in row.detail


def test_two_reports_of_one_year_that_disagree_give_conflicting_reports(pingtan) -> None:
    kpis = m.agency_year_kpis(pingtan)
    twin = kpis[kpis.year == 2023].assign(report_id="twin", new_received_total=999)
    yoy = m.year_on_year(pd.concat([kpis, twin], ignore_index=True))
    row = yoy[(yoy.year == 2023) & (yoy.kpi == "new_received_total")].iloc[0]
    assert row.status == "conflicting_reports" and pd.isna(row.current) and "999" in row.detail


def test_cross_year_rolls_carry_the_carried_over_check(pingtan) -> None:
    rolls = m.cross_year_rolls(pingtan)
    columns_and_dtypes_match("cross_year_rolls", rolls)
    # manifest: pingtan-2022 carried_over 1 = 2021 carried_forward 1
    row = rolls[(rolls.year == 2022) & (rolls.check == "carried_over_rolls_forward")].iloc[0]
    assert row.status == "pass" and row.lhs == 1


# --------------------------------------------------------------------------- peers


def peer_bodies(n: int) -> list[str]:
    """n registry bodies of one peer group (Fujian, county level, departments)."""
    names = sorted(a.canonical_name for a in default_registry().agencies.values()
                   if a.division_code.startswith("35") and a.level == "county" and a.type == "department")
    return names[:n]


def kpi_frame(values: dict[str, float | None], flagged: dict[str, str] | None = None) -> pd.DataFrame:
    rows = [{"agency": a, "year": 2024, "report_id": f"r{i}", "disclosure_rate": x,
             "flagged_kpis": [f"disclosure_rate:{flagged[a]}"] if flagged and a in flagged else []}
            for i, (a, x) in enumerate(values.items())]
    return m.typed_mart("agency_year_kpis", rows)


def test_peer_quartiles_and_a_high_outlier_by_the_iqr_rule() -> None:
    bodies = peer_bodies(7)
    values = dict(zip(bodies, [0.10, 0.20, 0.20, 0.25, 0.30, 0.95, None], strict=True))
    bench, pos = m.peer_benchmarks(kpi_frame(values, {bodies[6]: "ambiguous"}))
    columns_and_dtypes_match("peer_benchmarks", bench)
    columns_and_dtypes_match("peer_positions", pos)
    b = bench[bench.kpi == "disclosure_rate"].iloc[0]
    assert (b.division_code, b.level, b.type) == ("350000", "county", "department")
    assert (b.n, b.n_unknown) == (6, 1)  # the flagged body is left out of the quartiles, and counted
    assert (b.p25, b.p50, b.p75) == pytest.approx((0.2, 0.225, 0.2875))
    assert b.high_fence == pytest.approx(0.2875 + 1.5 * 0.0875)
    verdict = dict(zip(pos[pos.kpi == "disclosure_rate"].agency, pos[pos.kpi == "disclosure_rate"].outlier,
                       strict=True))
    assert verdict[bodies[5]] == "high" and verdict[bodies[0]] == "none"
    assert verdict[bodies[6]] == "not_assessable"  # unknown value: no verdict


def test_fewer_peers_than_the_rule_needs_give_quartiles_but_no_outliers() -> None:
    bodies = peer_bodies(m.OUTLIER_RULE.min_peers - 1)
    bench, pos = m.peer_benchmarks(kpi_frame(dict(zip(bodies, [0.1, 0.2, 0.3, 5.0], strict=True))))
    b = bench[bench.kpi == "disclosure_rate"].iloc[0]
    assert b.p50 == pytest.approx(0.25) and pd.isna(b.high_fence)
    assert set(pos[pos.kpi == "disclosure_rate"].outlier) == {"not_assessable"}


def test_a_body_not_in_the_registry_is_compared_with_no_one() -> None:
    bench, pos = m.peer_benchmarks(kpi_frame({"某某不存在的机关": 0.5}))
    assert bench.empty
    assert set(pos.outlier) == {"not_assessable"} and pos.division_code.isna().all()


# --------------------------------------------------------------------------- timeliness


def reports_with(cands: list[dict], rid: str = "r1", year: int = 2019) -> pd.DataFrame:
    return pd.DataFrame({"report_id": [rid], "agency": ["平潭综合实验区"], "year": [year],
                         "identity_candidates": [json.dumps(cands, ensure_ascii=False)]})


PAGE_DATE = {"field": "year", "value": 2019, "source": "publication_date", "weight": 0.4, "text": "发布日期：2020-01-31"}


def test_a_date_printed_on_the_page_on_the_deadline_is_on_time() -> None:
    t = m.publication_timeliness(reports_with([PAGE_DATE])).iloc[0]
    assert (t.published_on, t.published_source, t.days_after_deadline, t.status) == ("2020-01-31", "page", 0, "on_time")
    assert t.deadline == "2020-01-31"


def test_the_pages_date_wins_over_the_urls_stamp_and_a_late_stamp_is_late() -> None:
    url = {"r1": "https://www.pingtan.gov.cn/zwgk/202003/t20200305_80595.htm"}
    assert m.publication_timeliness(reports_with([PAGE_DATE]), url).iloc[0].published_source == "page"
    t = m.publication_timeliness(reports_with([]), url).iloc[0]
    assert (t.published_on, t.published_source, t.days_after_deadline, t.status) == (
        "2020-03-05", "url_date_stamp", 34, "late")


def test_a_signature_date_or_a_month_without_a_day_is_no_publication_date() -> None:
    cands = [{"field": "year", "value": 2019, "source": "signature_date", "weight": 0.5, "text": "2020年1月20日"},
             {"field": "year", "value": 2019, "source": "publication_date", "weight": 0.4, "text": "发布时间：2020年1月"}]
    t = m.publication_timeliness(reports_with(cands)).iloc[0]
    assert t.status == "unknown" and pd.isna(t.published_on)


# --------------------------------------------------------------------------- coverage


def test_coverage_counts_every_registry_body_and_the_unregistered_filers() -> None:
    reports = pd.DataFrame({"agency": ["平潭综合实验区", "平潭综合实验区", "某某不存在的机关"], "year": [2024, 2024, 2024],
                            "report_id": ["a", "b", "c"]})
    detail, summary = m.coverage(reports, [2024])
    columns_and_dtypes_match("coverage", detail)
    columns_and_dtypes_match("coverage_summary", summary)
    assert int(detail.in_registry.sum()) == len(default_registry())
    pt = detail[detail.agency == "平潭综合实验区"].iloc[0]
    assert (pt.n_reports, pt.has_report, pt.division_code) == (2, True, "350000")
    fj = summary[summary.division_code == "350000"].iloc[0]
    assert fj.n_with_report == 1 and fj.n_without_report == fj.n_bodies - 1
    assert int(summary.n_bodies.sum()) == len(default_registry())
    assert int(summary.n_unregistered_with_report.sum()) == 1
