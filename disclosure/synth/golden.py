"""Golden JSON in exactly the shape of tests/fixtures/reports/expected/*.json, and the
identities of `disclosure.identities` evaluated on golden values (to test the generator itself)."""

from __future__ import annotations

from collections.abc import Iterable

from disclosure import identities as ids
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


def identity_failures(golden: Golden) -> list[str]:
    """The identities (`disclosure.identities`) that the golden values violate, evaluated on the
    printed numbers (an identity with a null operand is not assessable)."""
    apps: dict[str, dict[str, int | None]] = golden["applications"]  # type: ignore[assignment]
    review: dict[str, int | None] = golden["review_litigation"]  # type: ignore[assignment]
    layout = ids.layout_of_rows(apps)

    def app(operand: tuple[str, str]) -> int | None:
        return apps.get(operand[0], {}).get(operand[1])

    def rl(operand: tuple[str, str]) -> int | None:
        return review.get(".".join(operand))

    return ids.failures(ids.APPLICATION_IDENTITIES[layout], app) + ids.failures(ids.REVIEW_IDENTITIES, rl)


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
