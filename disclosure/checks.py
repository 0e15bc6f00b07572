"""The identities a report promises (vocabulary.md), evaluated on its printed numbers.

A failed identity is a finding about the report, not an error of ours: the printed numbers
stay. An identity with a null operand is `not_assessable`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from disclosure import vocabulary as v
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


def _evaluate(check: str, scope: str, lhs: list[tuple[str, float | None]], rhs: list[tuple[str, float | None]]) -> CheckResult:
    if any(val is None for _, val in lhs) or any(val is None for _, val in rhs):
        blanks = [name for name, val in lhs + rhs if val is None]
        return CheckResult(check, scope, "not_assessable", None, None,
                           f"{_formula(lhs, rhs)}: blank {', '.join(blanks)}")
    left = sum(val for _, val in lhs)  # type: ignore[misc]
    right = sum(val for _, val in rhs)  # type: ignore[misc]
    if abs(left - right) < 1e-9:
        return CheckResult(check, scope, "pass", float(left), float(right), f"{_num(left)} = {_num(right)}")
    return CheckResult(check, scope, "fail", float(left), float(right),
                       f"{_formula(lhs, rhs)}: {_num(left)} ≠ {_num(right)}")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _formula(lhs, rhs) -> str:
    def side(items):
        return " + ".join(f"{name}={'null' if val is None else _num(val)}" for name, val in items)

    return f"{side(lhs)} vs {side(rhs)}"


def run_checks(t: Tables) -> list[CheckResult]:
    results: list[CheckResult] = []
    apps = t.applications
    if "applications" in t.found:
        grid = {row: {a: c.value for a, c in cols.items()} for row, cols in apps.items()}

        def val(row: str, a: str) -> float | None:
            return grid.get(row, {}).get(a)

        layout_rows = v.APPLICATION_ROWS_2021 if t.applications_layout == "2021" else v.APPLICATION_ROWS_ONE_ROW_OTHER
        outcome_rows = v.OUTCOME_ROWS_2021 if t.applications_layout == "2021" else v.OUTCOME_ROWS_ONE_ROW_OTHER
        for a in v.APPLICANTS:
            results.append(_evaluate(
                "applications.balance", a,
                [("new_received", val("new_received", a)), ("carried_over", val("carried_over", a))],
                [("results_total", val("results_total", a)), ("carried_forward", val("carried_forward", a))],
            ))
            results.append(_evaluate(
                "applications.results_total", a,
                [("results_total", val("results_total", a))],
                [(r, val(r, a)) for r in outcome_rows],
            ))
        for r in layout_rows:
            results.append(_evaluate(
                "applications.row_total", r,
                [("total", val(r, "total"))],
                [(a, val(r, a)) for a in v.APPLICANTS[:6]],
            ))
    if "review" in t.found:
        for p in v.PROCEEDINGS:
            def rv(o: str, p: str = p) -> float | None:
                c = t.review.get(f"{p}.{o}")
                return c.value if c else None

            results.append(_evaluate(
                "review_litigation.total", p,
                [("total", rv("total"))],
                [(o, rv(o)) for o in v.OUTCOMES[:4]],
            ))
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
