"""Scoring of the office-made fixtures against their golden files (shared by the reader tests
and bench/bench_pdf_docx.py): cells exact, wrong-but-flagged, silent, and identity per file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from conftest import golden_cells, same_value  # the one golden-cell comparison of the tests

from disclosure.parse import parse_file


@dataclass
class Score:
    cells: int = 0
    exact: int = 0
    flagged: int = 0
    silent: list[str] = field(default_factory=list)
    wrong_identity: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def accuracy(self) -> float:
        return self.exact / max(self.cells, 1)


def score_file(gold_path: Path, folder: Path, into: Score) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    got = parse_file(folder / gold["file"]).to_json_dict()
    have = dict(golden_cells(got))
    flags = got.get("flags") or {}
    into.files += 1
    for key, want in golden_cells(gold):
        into.cells += 1
        if same_value(have.get(key), want):
            into.exact += 1
        elif flags.get(key):
            into.flagged += 1
        else:
            into.silent.append(f"{gold['file']} {key}: want {want!r} got {have.get(key)!r}")
    if (got["agency"], got["year"]) != (gold["agency"], gold["year"]):
        into.wrong_identity.append(f"{gold['file']}: {got['agency']} {got['year']}")


def score_folder(folder: Path) -> Score:
    score = Score()
    for gold_path in sorted((folder / "expected").glob("*.json")):
        score_file(gold_path, folder, score)
    return score


CORPUS_TAR = Path(__file__).parent / "fixtures" / "office-corpus.tar.xz"
"""Office-made fixtures of every corpus report the Word-exported markup prints (one folder per
producer: docx, pdf-word, pdf-lo, pdf-chrome), from scripts/make_office_fixtures.py --corpus."""
CORPUS_PRODUCERS = ("docx", "pdf-word", "pdf-lo", "pdf-chrome")


def unpack_corpus(into: Path) -> Path:
    """Unpack CORPUS_TAR under `into`; return the office-corpus folder (its producer folders)."""
    import tarfile

    with tarfile.open(CORPUS_TAR, "r:xz") as tar:
        tar.extractall(into, filter="data")
    return into / "office-corpus"
