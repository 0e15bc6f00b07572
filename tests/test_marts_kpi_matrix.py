"""The KPI mart and the cross-year checks on a reports × cells matrix give what the per-report
definition gives (`agency_year_kpis_per_report`, `effective_cells` of each report's cells).

The golden frames, then the same frames perturbed at random: blanks, ambiguous and warning
flags, cells dropped or printed twice, 其他处理 in either layout, zero totals, reports without
cells and cells without a report, with the `flags` column both as Python lists and Arrow lists.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from golden_frames import frames_from_golden, golden_paths

from disclosure import marts
from disclosure import vocabulary as v
from disclosure.marts import agency_year_kpis, agency_year_kpis_per_report, cross_year_checks

FLAG_CHOICES = (["ambiguous", "split_digits"], ["not_found"], ["split_digits"], ["negative", "implausible"],
                ["position_assumed"], ["merged_cell"])


@pytest.fixture(scope="module")
def golden() -> dict[str, pd.DataFrame]:
    return frames_from_golden(golden_paths())


def _with_flags(frame: pd.DataFrame, flags: list, arrow: bool) -> pd.DataFrame:
    out = frame.copy()
    out["flags"] = pd.array(flags, dtype=pd.ArrowDtype(pa.list_(pa.string()))) if arrow \
        else pd.Series(flags, index=frame.index, dtype=object)
    return out


def _perturb(frames: dict[str, pd.DataFrame], rng: random.Random, *, arrow: bool) -> dict[str, pd.DataFrame]:
    out = dict(frames)
    for table, row_col in (("applications", "row"), ("review_litigation", "proceeding")):
        f = frames[table].reset_index(drop=True)
        values = f["value"].astype("object").tolist()
        flags = [list(x) if isinstance(x, list | tuple | np.ndarray) else [] for x in f["flags"].tolist()]
        rows = f[row_col].astype("object").tolist()
        for i in range(len(f)):
            roll = rng.random()
            if roll < 0.08:
                values[i] = None
            elif roll < 0.10:
                values[i] = 0
            elif roll < 0.13:
                flags[i] = list(rng.choice(FLAG_CHOICES))
            elif roll < 0.15 and table == "applications" and rows[i] in v.OTHER_HANDLING_SUBROWS:
                values[i] = None  # 其他处理 sub-rows blank: the one-row layout may win
        f = f.assign(value=pd.array(values, dtype=f["value"].dtype))
        f = _with_flags(f, flags, arrow)
        keep = [rng.random() > 0.03 for _ in range(len(f))]
        f = f[keep]
        twice = f.sample(n=min(5, len(f)), random_state=rng.randrange(10**6))  # a key printed twice
        twice = twice.assign(value=pd.array([rng.choice([None, 0, 7]) for _ in range(len(twice))],
                                            dtype=f["value"].dtype))
        f = pd.concat([f, twice], ignore_index=True) if rng.random() < 0.5 else f
        out[table] = f.reset_index(drop=True)
    apps = out["applications"]
    if rng.random() < 0.5:  # a one-row 其他处理 printed where the template has sub-rows
        extra = apps[apps["row"] == "other_handling.overdue_correction"].head(7).copy()
        extra["row"] = "other_handling"
        extra["value"] = pd.array([rng.choice([None, 1, 4]) for _ in range(len(extra))], dtype=apps["value"].dtype)
        out["applications"] = pd.concat([apps, extra], ignore_index=True)
    orphan = out["applications"].head(3).assign(report_id="not-a-listed-report")
    out["applications"] = pd.concat([out["applications"], orphan], ignore_index=True)
    reports = frames["reports"]
    if rng.random() < 0.5:  # a report with no cells at all
        bare = reports.head(1).assign(report_id="f" * 64, agency="无表格机关")
        out["reports"] = pd.concat([reports, bare], ignore_index=True)
    return out


def _assert_same_kpis(frames: dict[str, pd.DataFrame]) -> None:
    pd.testing.assert_frame_equal(agency_year_kpis(frames), agency_year_kpis_per_report(frames))


def test_matrix_kpis_equal_the_per_report_definition_on_the_golden_frames(golden) -> None:
    _assert_same_kpis(golden)


@pytest.mark.parametrize("arrow", [False, True])
def test_matrix_kpis_equal_the_per_report_definition_on_perturbed_frames(golden, arrow: bool) -> None:
    rng = random.Random(20261204 + arrow)
    for _ in range(12):
        _assert_same_kpis(_perturb(golden, rng, arrow=arrow))


def _rolling_effective_per_report(frames, rids):
    """The definition: `effective_cells` of each report's known cells."""
    cells = marts.cells_by_report(frames)
    return {rid: marts.effective_cells(marts.known(cells.get(rid, {}))) for rid in rids}


@pytest.mark.parametrize("arrow", [False, True])
def test_cross_year_checks_on_the_matrix_equal_the_per_report_null_rule(golden, monkeypatch, arrow: bool) -> None:
    rng = random.Random(1204 + arrow)
    pingtan = frames_from_golden(golden_paths(*(f"pingtan-{y}.txt" for y in range(2019, 2026))))
    for frames in [pingtan, golden, *(_perturb(pingtan, rng, arrow=arrow) for _ in range(8))]:
        fast = cross_year_checks(frames)
        with monkeypatch.context() as m:
            m.setattr(marts, "_rolling_effective", _rolling_effective_per_report)
            slow = cross_year_checks(frames)
        pd.testing.assert_frame_equal(fast, slow)
        assert len(fast)


def test_a_perturbed_frame_does_change_the_kpis(golden) -> None:
    """The perturbations reach the KPIs (else the equality tests above would prove little)."""
    base = agency_year_kpis(golden)
    moved = agency_year_kpis(_perturb(golden, random.Random(3), arrow=True))
    moved = moved[moved["report_id"].isin(base["report_id"])].drop_duplicates("report_id").reset_index(drop=True)
    base = base.drop_duplicates("report_id").reset_index(drop=True)
    assert (base["disclosure_rate"].isna() != moved["disclosure_rate"].isna()).any()
    assert moved["flagged_kpis"].map(len).sum() > base["flagged_kpis"].map(len).sum()


def test_an_ambiguous_operand_shows_no_blank_rolling_cell_to_be_zero() -> None:
    """carried_forward's row blank, and 总计 ambiguous with a candidate that would balance
    new + carried_over = results + carried_forward: the candidate is not what the report says,
    so the blank stays blank and the next year's check is not assessable (not a pass or a fail)."""
    frames = frames_from_golden(golden_paths("pingtan-2023.txt", "pingtan-2024.txt"))
    apps = frames["applications"].copy()
    rid = frames["reports"].loc[frames["reports"]["year"] == 2023, "report_id"].iloc[0]

    def at(row: str) -> pd.Series:
        return (apps["report_id"] == rid) & (apps["row"] == row) & (apps["applicant"] == "total")

    balanced = int(apps.loc[at("new_received"), "value"].iloc[0] + apps.loc[at("carried_over"), "value"].iloc[0])
    apps.loc[(apps["report_id"] == rid) & (apps["row"] == "carried_forward"), "value"] = pd.NA  # the whole row
    apps.loc[at("results_total"), "value"] = balanced
    apps["flags"] = pd.Series([["ambiguous", "split_digits"] if hit else list(x)
                               for hit, x in zip(at("results_total"), apps["flags"].tolist(), strict=True)],
                              index=apps.index, dtype=object)
    checks = cross_year_checks({**frames, "applications": apps})
    (row,) = checks[(checks["year"] == 2024) & (checks["check"] == "carried_over_rolls_forward")].itertuples()
    assert row.status == "not_assessable" and "blank" in row.detail


def test_a_count_kpi_from_cells_that_are_not_whole_numbers_raises_not_truncates() -> None:
    frames = frames_from_golden(golden_paths("huaian-gov-2024.txt"))
    apps = frames["applications"].copy()
    apps["value"] = apps["value"].astype("Float64")
    apps.loc[(apps["row"] == "new_received") & (apps["applicant"] == "natural_person"), "value"] = 2.5
    with pytest.raises(ValueError, match="not a whole number"):
        agency_year_kpis({**frames, "applications": apps})
