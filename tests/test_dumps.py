"""Corpus pages as real tools dump them (tests/fixtures/dumps/, rebuilt by build.py there):
every cell equals the source report's golden value or is flagged — never silently wrong —
and each dump reads at least as well as it did when this test was written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import golden_cells as cells
from conftest import load_golden
from conftest import same_value as same

from disclosure.parse import parse_bytes

DUMPS = Path(__file__).parent / "fixtures" / "dumps"
GOLDEN = Path(__file__).parent / "fixtures" / "reports" / "expected"

# Cells exact per dump, as measured (out of 198 for the 2019 template, 200 for 2021). A drop
# is a regression; plain pdftotext (one cell per line, columns read out of order) is not read
# yet, but every one of its cells is flagged.
FLOOR = {
    "huaian-gov-2024.pdftotext.txt": 0,
    "sh-gov-office-2019.html2text.md": 198, "sh-gov-office-2019.innertext.txt": 188,
    "sh-gov-office-2019.lynx.txt": 135, "sh-gov-office-2019.markitdown.md": 176,
    "sh-gov-office-2019.pandoc-grid.md": 176, "sh-gov-office-2019.w3m.txt": 198,
    "shuyang-fgj-2023.html2text.md": 200, "shuyang-fgj-2023.innertext.txt": 200,
    "shuyang-fgj-2023.lynx.txt": 140, "shuyang-fgj-2023.markitdown.md": 200,
    "shuyang-fgj-2023.pandoc-grid.md": 200, "shuyang-fgj-2023.w3m.txt": 200,
    "synthetic-ceshishi-2025.html2text.md": 200, "synthetic-ceshishi-2025.innertext.txt": 200,
    "synthetic-ceshishi-2025.lynx.txt": 200, "synthetic-ceshishi-2025.markitdown.md": 200,
    "synthetic-ceshishi-2025.pandoc-grid.md": 200, "synthetic-ceshishi-2025.w3m.txt": 200,
}


def _golden_for(dump: str) -> Path:
    stem, tool = dump.split(".")[0], dump.split(".")[1]
    return GOLDEN / f"{stem}.{'pdf' if tool == 'pdftotext' else 'html'}.json"


@pytest.mark.parametrize("name", sorted(FLOOR))
def test_tool_dump_cells_are_golden_or_flagged_and_keep_their_accuracy(name):
    gold = load_golden(_golden_for(name))
    got = parse_bytes((DUMPS / name).read_bytes(), name, agency=gold["agency"], year=gold["year"]).to_json_dict()
    have, flags = dict(cells(got)), got["flags"]
    silent = [f"{p}: want {w!r} got {have.get(p)!r}" for p, w in cells(gold) if not same(have.get(p), w) and not flags.get(p)]
    assert not silent, "silent errors:\n" + "\n".join(silent)
    exact = sum(1 for p, w in cells(gold) if same(have.get(p), w))
    assert exact >= FLOOR[name]


def test_every_dump_in_the_folder_is_scored():
    assert {p.name for p in DUMPS.iterdir() if p.suffix != ".py"} == set(FLOOR)
