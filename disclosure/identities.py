"""The sums a report must balance (docs/vocabulary.md, "Identities"), declared once as data.

Every consumer reads them from here: `checks.py` evaluates them on the printed numbers,
`splitter.py` turns them into the equations that cut crawler digit runs (via `tables.py`),
`marts.py` uses them for its null rule (a blank read as 0 only when an identity shows it),
`synth/golden.py` re-checks the generator's golden values with them, and the tests of all four
import them. The tables below are built from `vocabulary.py`'s keys and validated once, when
this module is imported (`_validated`): an operand that names no cell of its table, an empty
side, a repeated name or an operand on both sides is a programming error, raised at import.

An operand is a pair of keys: `(row, applicant)` in table 三 (`applications`), `(proceeding,
outcome)` in table 四 (`review_litigation`, stored as `"proceeding.outcome"`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from disclosure import vocabulary as v

Operand = tuple[str, str]
Table = Literal["applications", "review_litigation"]
Layout = Literal["2021", "one_row_other"]


@dataclass(frozen=True)
class Identity:
    """`sum(lhs) == sum(rhs)` over the printed cells of one table of one report."""

    check: str  # one of CHECKS, e.g. "applications.balance"
    scope: str  # the applicant column, row or proceeding it is about
    table: Table
    lhs: tuple[Operand, ...]
    rhs: tuple[Operand, ...]

    @property
    def name(self) -> str:
        """Unique within a layout, e.g. `applications.balance[natural_person]`."""
        return f"{self.check}[{self.scope}]"

    @property
    def operands(self) -> tuple[Operand, ...]:
        return self.lhs + self.rhs


# --------------------------------------------------------------------------- the rules

BALANCE = "applications.balance"
"""Per applicant column of table 三: 一 本年新收 + 二 上年结转 = 三(七) 总计 + 四 结转下年度继续办理
(the rule the template prints in its head: 第一项加第二项之和，等于第三项加第四项之和)."""

RESULTS_TOTAL = "applications.results_total"
"""Per applicant column of table 三: 三(七) 总计 = the sum of the outcome rows 三(一)…三(六) of the
layout (三(六) 其他处理 as three sub-rows in the 2021 layout, as one row otherwise)."""

ROW_TOTAL = "applications.row_total"
"""Per row of table 三: 总计 = 自然人 + the five 法人或其他组织 columns."""

REVIEW_TOTAL = "review_litigation.total"
"""Per proceeding of table 四 (行政复议, 未经复议直接起诉, 复议后起诉): 总计 = 结果维持 + 结果纠正 +
其他结果 + 尚未审结."""

CHECKS: tuple[str, ...] = (BALANCE, RESULTS_TOTAL, ROW_TOTAL, REVIEW_TOTAL)
"""Every check name a report can carry, in report order."""

ROW_TOTAL_PARTS: tuple[str, ...] = v.APPLICANTS[:6]
"""The applicant columns ROW_TOTAL sums (all but 总计)."""

REVIEW_TOTAL_PARTS: tuple[str, ...] = v.OUTCOMES[:4]
"""The outcomes REVIEW_TOTAL sums (all but 总计)."""

LAYOUT_ROWS: dict[str, tuple[str, ...]] = {
    "2021": v.APPLICATION_ROWS_2021,
    "one_row_other": v.APPLICATION_ROWS_ONE_ROW_OTHER,
}
"""Table 三's rows per 其他处理 layout (`Tables.applications_layout`)."""

LAYOUT_OUTCOME_ROWS: dict[str, tuple[str, ...]] = {
    "2021": v.OUTCOME_ROWS_2021,
    "one_row_other": v.OUTCOME_ROWS_ONE_ROW_OTHER,
}
"""The outcome rows RESULTS_TOTAL sums, per layout."""


def _application_identities(layout: str) -> tuple[Identity, ...]:
    out: list[Identity] = []
    for a in v.APPLICANTS:
        out.append(Identity(BALANCE, a, "applications", (("new_received", a), ("carried_over", a)),
                            (("results_total", a), ("carried_forward", a))))
        out.append(Identity(RESULTS_TOTAL, a, "applications", (("results_total", a),),
                            tuple((r, a) for r in LAYOUT_OUTCOME_ROWS[layout])))
    for r in LAYOUT_ROWS[layout]:
        out.append(Identity(ROW_TOTAL, r, "applications", ((r, "total"),), tuple((r, a) for a in ROW_TOTAL_PARTS)))
    return tuple(out)


def _review_identities() -> tuple[Identity, ...]:
    return tuple(
        Identity(REVIEW_TOTAL, p, "review_litigation", ((p, "total"),), tuple((p, o) for o in REVIEW_TOTAL_PARTS))
        for p in v.PROCEEDINGS
    )


def _validated(identities: tuple[Identity, ...]) -> tuple[Identity, ...]:
    """Raise if an identity names a cell its table does not have, or is malformed."""
    cells: dict[str, set[Operand]] = {
        "applications": {(r, a) for r in v.ALL_APPLICATION_ROWS for a in v.APPLICANTS},
        "review_litigation": {tuple(k.split(".", 1)) for k in v.REVIEW_LITIGATION_KEYS},  # type: ignore[misc]
    }
    names: set[str] = set()
    for i in identities:
        if i.check not in CHECKS:
            raise ValueError(f"identity {i.name}: unknown check {i.check!r}")
        if not i.lhs or not i.rhs:
            raise ValueError(f"identity {i.name}: empty side")
        unknown = [o for o in i.operands if o not in cells[i.table]]
        if unknown:
            raise ValueError(f"identity {i.name}: operands {unknown} are not cells of {i.table}")
        if set(i.lhs) & set(i.rhs):
            raise ValueError(f"identity {i.name}: operand on both sides")
        if i.name in names:
            raise ValueError(f"identity {i.name}: declared twice")
        names.add(i.name)
    return identities


APPLICATION_IDENTITIES: dict[str, tuple[Identity, ...]] = {
    layout: _validated(_application_identities(layout)) for layout in LAYOUT_ROWS
}
"""Table 三's identities per layout, in report order (per column BALANCE, RESULTS_TOTAL; then
ROW_TOTAL per row)."""

REVIEW_IDENTITIES: tuple[Identity, ...] = _validated(_review_identities())
"""Table 四's identities: REVIEW_TOTAL per proceeding."""


def report_identities(layout: str) -> tuple[Identity, ...]:
    """All identities of one report whose table 三 has the given layout."""
    return APPLICATION_IDENTITIES[layout] + REVIEW_IDENTITIES


def layout_of_rows(rows: Iterable[str]) -> Layout:
    """`one_row_other` when the rows include the one-row 三(六) `other_handling`."""
    return "one_row_other" if "other_handling" in set(rows) else "2021"


def sides(identity: Identity, get: Callable[[Operand], float | None]) -> tuple[float, float] | None:
    """(Σ lhs, Σ rhs) of the printed operands, or None when one of them is blank (not assessable)."""
    values = [get(o) for o in identity.operands]
    if any(x is None for x in values):
        return None
    n = len(identity.lhs)
    return float(sum(values[:n])), float(sum(values[n:]))  # type: ignore[arg-type]


def failures(identities: Sequence[Identity], get: Callable[[Operand], float | None]) -> list[str]:
    """Names of the assessable identities that do not hold, with their two sums."""
    out = []
    for i in identities:
        s = sides(i, get)
        if s is not None and abs(s[0] - s[1]) > 1e-9:
            out.append(f"{i.name}: {s[0]:g} != {s[1]:g}")
    return out
