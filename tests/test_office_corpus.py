"""Office-made fixtures of every corpus report that has a table form (issue 11), each in the
markup of its layout filled with its golden values: the Word-exported markup of shuyang-fgj-2023
(2021 template), the same with 三(六) 其他处理 as one row (hongze's 表三), and the markup of
sh-gov-office-2019 (2019 template, whole rows blank, the amount in yuan). Each made into DOCX, a
Word-like PDF (LibreOffice from the .docx), LibreOffice's PDF of the HTML and Chromium's
print-to-PDF. Golden values are the source reports' (scripts/make_office_fixtures.py --corpus)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from office_scores import CORPUS_PRODUCERS, score_folder, unpack_corpus

REPORTS = Path(__file__).parent / "fixtures" / "reports"
IN_FOLDERS = {"shuyang-fgj-2023", "huaian-gov-2024", "xining-etdz-2022"}
"""Made by every producer in tests/fixtures/{pdf,docx}/office-*/ (the markup's own report and the
two donors filled there; huaian-gov-2024.txt holds the numbers of huaian-gov-2024.pdf)."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return unpack_corpus(tmp_path_factory.mktemp("office-corpus"))


def _stem(name: str) -> str:
    return name.split(".", 1)[0]


def test_every_corpus_report_with_a_table_form_has_an_office_made_fixture_of_each_producer(corpus):
    reports = {_stem(p.name) for p in (REPORTS / "expected").glob("*.json")}
    for producer in CORPUS_PRODUCERS:
        made = {_stem(p.name).removeprefix("filled-") for p in (corpus / producer / "expected").glob("*.json")}
        assert made == reports - IN_FOLDERS, producer


def test_both_templates_and_the_one_row_other_handling_layout_are_among_them(corpus):
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in (corpus / "docx" / "expected").glob("*.json")]
    assert sum(g["template"] == "2019" for g in golds) == 8
    assert sum("other_handling" in g["applications"] and g["template"] == "2021" for g in golds) == 2


@pytest.mark.parametrize("producer", CORPUS_PRODUCERS)
def test_every_corpus_report_made_by_each_producer_reads_exact_with_no_silent_error(corpus, producer):
    score = score_folder(corpus / producer)
    assert score.files == 31, f"{producer}: {score.files} reports"
    assert not score.silent, score.silent[:5]
    assert not score.wrong_identity, score.wrong_identity[:5]
    assert score.accuracy >= 0.995, f"{producer}: {score.exact}/{score.cells}"
