"""Golden JSON in exactly the shape of tests/fixtures/reports/expected/*.json, and the
identities of vocabulary.md evaluated on golden values (to test the generator itself)."""

from __future__ import annotations

from collections.abc import Iterable

from disclosure import vocabulary as v
from disclosure.synth.spec import Spec

Golden = dict[str, object]


def golden_applications(spec: Spec) -> dict[str, dict[str, int | None]]:
    """Row keys as the corpus records them: 2019 template → the one-row layout only;
    2021 with one-row 其他处理 → all 25 rows (sub-rows null) plus `other_handling` last."""
    if spec.template == "2019":
        return {row: dict(spec.apps[row]) for row in v.APPLICATION_ROWS_ONE_ROW_OTHER}
    nulls = dict.fromkeys(v.APPLICANTS)
    out = {row: dict(spec.apps[row]) if row in spec.apps else dict(nulls) for row in v.APPLICATION_ROWS_2021}
    if spec.one_row_other:
        out["other_handling"] = dict(spec.apps["other_handling"])
    return out


def build_golden(spec: Spec, fmt_notes: Iterable[str], ambiguous: Iterable[str]) -> Golden:
    notes = [f"SYNTHETIC report from disclosure.synth (seed {spec.seed}, index {spec.index}); format {spec.fmt}."]
    notes += list(fmt_notes)
    notes.append(f"Table 三 blank style: {spec.blank_style}" + (f" (blank cells print {spec.null_text!r})" if spec.null_text else "") + ".")
    if spec.one_row_other and spec.template == "2021":
        notes.append("2021-template report printing 三(六) 其他处理 as ONE row: recorded as 'other_handling', sub-rows null.")
    if spec.merged_rows:
        notes.append("Rows printed as a single merged '0' are 0 in every applicant column; rows printed empty are null.")
    notes += spec.notes
    notes += spec.breaks
    if not spec.breaks:
        notes.append("All identities hold (identities with a null operand are not assessable).")
    golden: Golden = {
        "file": spec.name,
        "agency": spec.agency.name,
        "year": spec.year,
        "template": spec.template,
        "active_disclosure": {k: spec.active[k] for k in v.active_keys(spec.template)},
        "applications": golden_applications(spec),
        "review_litigation": {k: spec.review[k] for k in v.REVIEW_LITIGATION_KEYS},
        "notes": " ".join(notes),
    }
    if spec.raw_text:
        golden["raw_text"] = dict(spec.raw_text)
    amb = sorted(set(ambiguous))
    if amb:
        golden["ambiguous"] = amb
    return golden


def _sum(values: Iterable[int | float | None]) -> float | None:
    total = 0.0
    for x in values:
        if x is None:
            return None
        total += x
    return total


def identity_failures(golden: Golden) -> list[str]:
    """Hard identities of vocabulary.md that the golden values violate (null → not assessable)."""
    apps: dict[str, dict[str, int | None]] = golden["applications"]  # type: ignore[assignment]
    one_row = "other_handling" in apps
    outcome_rows = v.OUTCOME_ROWS_ONE_ROW_OTHER if one_row else v.OUTCOME_ROWS_2021
    failures: list[str] = []
    for col in v.APPLICANTS:
        lhs = _sum([apps["new_received"][col], apps["carried_over"][col]])
        rhs = _sum([apps["results_total"][col], apps["carried_forward"][col]])
        if lhs is not None and rhs is not None and lhs != rhs:
            failures.append(f"applications.balance.{col}: {lhs} != {rhs}")
        parts = _sum([apps[r][col] for r in outcome_rows])
        total = apps["results_total"][col]
        if parts is not None and total is not None and parts != total:
            failures.append(f"applications.results_total.{col}: {parts} != {total}")
    for row, cells in apps.items():
        parts = _sum([cells[c] for c in v.APPLICANTS[:6]])
        if parts is not None and cells["total"] is not None and parts != cells["total"]:
            failures.append(f"applications.row_total.{row}: {parts} != {cells['total']}")
    review: dict[str, int | None] = golden["review_litigation"]  # type: ignore[assignment]
    for proc in v.PROCEEDINGS:
        parts = _sum([review[f"{proc}.{o}"] for o in v.OUTCOMES[:4]])
        total = review[f"{proc}.total"]
        if parts is not None and total is not None and parts != total:
            failures.append(f"review_litigation.{proc}: {parts} != {total}")
    return failures


def cell_keys(golden: Golden) -> list[str]:
    """Every statistical cell of a golden file as '<table>.<key>[.<applicant>]' (the flags keys)."""
    keys = [f"active_disclosure.{k}" for k in golden["active_disclosure"]]  # type: ignore[union-attr]
    for row, cells in golden["applications"].items():  # type: ignore[union-attr]
        keys += [f"applications.{row}.{c}" for c in cells]
    keys += [f"review_litigation.{k}" for k in golden["review_litigation"]]  # type: ignore[union-attr]
    return keys


def cell_value(golden: Golden, key: str) -> int | float | None:
    table, rest = key.split(".", 1)
    if table == "applications":
        row, col = rest.rsplit(".", 1)
        return golden["applications"][row][col]  # type: ignore[index]
    return golden[table][rest]  # type: ignore[index]
