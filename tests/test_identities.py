"""The report's identities are declared once (disclosure/identities.py) and read by every consumer."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest

from disclosure import identities as ids
from disclosure import marts, splitter
from disclosure import vocabulary as v
from disclosure.synth import identity_failures, make_report

CORE = Path(__file__).parents[1] / "disclosure"


def test_each_layout_has_the_identities_vocabulary_md_promises():
    for layout, rows in ids.LAYOUT_ROWS.items():
        table3 = ids.APPLICATION_IDENTITIES[layout]
        assert len(table3) == 2 * len(v.APPLICANTS) + len(rows)
        assert {i.check for i in table3} == {ids.BALANCE, ids.RESULTS_TOTAL, ids.ROW_TOTAL}
    assert [i.scope for i in ids.REVIEW_IDENTITIES] == list(v.PROCEEDINGS)
    results = next(i for i in ids.APPLICATION_IDENTITIES["one_row_other"] if i.check == ids.RESULTS_TOTAL)
    assert ("other_handling", results.scope) in results.rhs


@pytest.mark.parametrize(("identity", "message"), [
    (ids.Identity(ids.ROW_TOTAL, "x", "applications", (("granted", "totl"),), (("granted", "natural_person"),)),
     "not cells of applications"),
    (ids.Identity(ids.ROW_TOTAL, "x", "applications", (), (("granted", "natural_person"),)), "empty side"),
    (ids.Identity("applications.sum", "x", "applications", (("granted", "total"),), (("granted", "other_org"),)),
     "unknown check"),
    (ids.Identity(ids.ROW_TOTAL, "x", "applications", (("granted", "total"),), (("granted", "total"),)),
     "both sides"),
])
def test_a_malformed_identity_is_refused_when_the_table_is_built(identity, message):
    with pytest.raises(ValueError, match=message):
        ids._validated((identity,))
    with pytest.raises(ValueError, match="declared twice"):
        ids._validated(ids.REVIEW_IDENTITIES[:1] * 2)


def test_the_splitter_and_the_marts_read_the_same_identities():
    for layout, rows in ids.LAYOUT_ROWS.items():
        declared = ids.APPLICATION_IDENTITIES[layout]
        assert [(i.name, i.lhs, i.rhs) for i in splitter.application_identities(rows)] == \
            [(i.name, i.lhs, i.rhs) for i in declared]
    rl = splitter.review_litigation_identities("t4")
    assert [i.name for i in rl] == [i.name for i in ids.REVIEW_IDENTITIES]
    assert rl[0].lhs == (("t4", "review.total"),)
    for mart_layout, layout in (("one_row", "one_row_other"), ("sub_rows", "2021")):
        declared = ids.report_identities(layout)
        got = marts.report_identities(mart_layout)
        assert [(x.lhs, x.rhs) for x in got] == [
            (tuple((i.table, *o) for o in i.lhs), tuple((i.table, *o) for o in i.rhs)) for i in declared
        ]


def test_the_generator_checks_its_golden_files_with_the_declared_identities():
    golden = next(g for i in range(50) if None not in (g := make_report(7, i, "html")[2])["applications"]["granted"].values()
                  and "SOURCE VIOLATES" not in g["notes"])
    assert identity_failures(golden) == []
    broken = copy.deepcopy(golden)
    broken["applications"]["granted"]["total"] = (broken["applications"]["granted"]["total"] or 0) + 1
    assert any(f.startswith("applications.row_total[granted]") for f in identity_failures(broken))


def _runtime_imports(path: Path) -> set[str]:
    """Modules imported by a file outside `if TYPE_CHECKING:` blocks (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
               for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_tables_and_checks_no_longer_import_each_other():
    assert "disclosure.checks" not in _runtime_imports(CORE / "tables.py")
    assert "disclosure.tables" not in _runtime_imports(CORE / "checks.py")
