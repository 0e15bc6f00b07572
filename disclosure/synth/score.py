"""Score a parser's JSON against a golden file: every cell must be exact or flagged.

A cell is *exact* when the parsed value equals the golden one (money within 1e-9 relative),
*flagged* when it differs but carries a warning flag (vocabulary.WARNING_FLAGS: the parser
said it is unsure), and *wrong* otherwise. Cells listed under the golden's `ambiguous` may
legitimately be flagged; a warning flag elsewhere is counted as `unexpected_flags`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from disclosure.synth.golden import Golden, cell_keys, cell_value
from disclosure.vocabulary import WARNING_FLAGS


@dataclass
class Score:
    file: str
    n_cells: int = 0
    exact: int = 0
    flagged: int = 0  # differ, but with a warning flag
    wrong: list[str] = field(default_factory=list)  # differ without a warning flag: "key: parsed != golden"
    unexpected_flags: list[str] = field(default_factory=list)
    identity_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.wrong and not self.identity_errors


def same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def parsed_value(parsed: dict, key: str) -> object:
    table, rest = key.split(".", 1)
    if table == "applications":
        row, col = rest.rsplit(".", 1)
        return parsed.get("applications", {}).get(row, {}).get(col)
    return parsed.get(table, {}).get(rest)


def score(golden: Golden, parsed: dict) -> Score:
    result = Score(file=str(golden["file"]))
    flags: dict[str, list[str]] = parsed.get("flags", {})
    allowed = set(golden.get("ambiguous", ()))  # type: ignore[arg-type]
    for key in cell_keys(golden):
        want, got = cell_value(golden, key), parsed_value(parsed, key)
        warned = bool(WARNING_FLAGS.intersection(flags.get(key, ())))
        result.n_cells += 1
        if same(want, got):
            result.exact += 1
        elif warned:
            result.flagged += 1
        else:
            result.wrong.append(f"{key}: parsed {got!r} != golden {want!r}")
        if warned and key not in allowed and not same(want, got):
            continue
        if warned and key not in allowed:
            result.unexpected_flags.append(key)
    for field_name in ("agency", "year"):
        if parsed.get(field_name) != golden[field_name]:
            result.identity_errors.append(f"{field_name}: parsed {parsed.get(field_name)!r} != golden {golden[field_name]!r}")
    return result
