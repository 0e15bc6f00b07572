"""The identities a report promises (declared in `disclosure.identities`), evaluated on its printed numbers.

A failed identity is a finding about the report, not an error of ours: the printed numbers
stay. An identity with a null operand is `not_assessable`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from disclosure import identities as ids
from disclosure.identities import Operand

if TYPE_CHECKING:
    from disclosure.tables import Tables


@dataclass(frozen=True)
class CheckResult:
    check: str
    scope: str
    status: str  # pass / fail / not_assessable
    lhs: float | None
    rhs: float | None
    detail: str

    def as_dict(self) -> dict:
        return {"check": self.check, "scope": self.scope, "status": self.status, "lhs": self.lhs, "rhs": self.rhs, "detail": self.detail}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@lru_cache(maxsize=4096)
def _pass_detail(left: float, right: float) -> str:
    """'12 = 12': the same few small totals pass in report after report."""
    return f"{_num(left)} = {_num(right)}"


def _evaluate(check: str, scope: str, lhs: tuple[Operand, ...], rhs: tuple[Operand, ...], get) -> CheckResult:
    left_vals = [*map(get, lhs)]
    right_vals = [*map(get, rhs)]
    if None in left_vals or None in right_vals:
        blanks = [k[0] if k[1] == scope else k[1] for k, x in zip(lhs + rhs, left_vals + right_vals, strict=True) if x is None]
        return CheckResult(check, scope, "not_assessable", None, None, f"blank: {', '.join(blanks)}")
    left, right = sum(left_vals), sum(right_vals)
    if abs(left - right) < 1e-9:
        return CheckResult(check, scope, "pass", float(left), float(right), _pass_detail(left, right))
    names = [k[0] if k[1] == scope else k[1] for k in lhs + rhs]
    values = left_vals + right_vals
    terms = [f"{n}={_num(x)}" for n, x in zip(names, values, strict=True)]
    formula = " + ".join(terms[: len(lhs)]) + " vs " + " + ".join(terms[len(lhs) :])
    return CheckResult(check, scope, "fail", float(left), float(right), f"{formula}: {_num(left)} ≠ {_num(right)}")


def run_checks(t: Tables) -> list[CheckResult]:
    results: list[CheckResult] = []
    if "applications" in t.found:
        grid = {(row, a): c.value for row, cols in t.applications.items() for a, c in cols.items()}
        get = grid.get
        results += [_evaluate(i.check, i.scope, i.lhs, i.rhs, get) for i in ids.APPLICATION_IDENTITIES[t.applications_layout]]
    if "review" in t.found:
        review = {tuple(k.split(".", 1)): c.value for k, c in t.review.items()}
        get = review.get
        results += [_evaluate(i.check, i.scope, i.lhs, i.rhs, get) for i in ids.REVIEW_IDENTITIES]
    return results


_PROSE_RECEIVED = re.compile(r"(?:收到|受理|新收)[^。；;]{0,20}?申请[^。；;，,0-9]{0,4}?(\d+)\s*件")


def narrative_checks(t: Tables, prose: str) -> list[CheckResult]:
    """The prose's count of applications received against table 三 (a report that contradicts
    itself is reported, not corrected). Prose that counts the carried-over ones too agrees."""
    m = _PROSE_RECEIVED.search("".join(prose.split()))
    if not m or "applications" not in t.found:
        return []
    said = float(m.group(1))
    new = t.applications.get("new_received", {}).get("total")
    carried = t.applications.get("carried_over", {}).get("total")
    new_v = new.value if new else None
    if new_v is None:
        return [CheckResult("narrative.new_received", "total", "not_assessable", said, None,
                            f"prose says {m.group(0)!r}; table 三 new_received total is blank")]
    with_carried = new_v + carried.value if carried and carried.value is not None else None
    if said == new_v:
        status, note = "pass", ""
    elif with_carried is not None and said == with_carried:
        status, note = "pass", f" (= new_received {_num(new_v)} + carried_over {_num(carried.value)})"  # type: ignore[union-attr]
    else:
        status, note = "fail", ""
    return [CheckResult("narrative.new_received", "total", status, said, float(new_v),
                        f"prose says {m.group(0)!r}: {_num(said)} vs table 三 new_received total {_num(new_v)}{note}")]
