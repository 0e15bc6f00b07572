"""Office-made fixtures of every corpus report that has the markup's table form (issue 11): the
Word-exported markup of shuyang-fgj-2023 filled with each 2021-template report's golden values,
made into DOCX, a Word-like PDF (LibreOffice from the .docx), LibreOffice's PDF of the HTML and
Chromium's print-to-PDF. Golden values are the source reports' (scripts/make_office_fixtures.py)."""

from __future__ import annotations

import pytest
from office_scores import CORPUS_PRODUCERS, score_folder, unpack_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return unpack_corpus(tmp_path_factory.mktemp("office-corpus"))


@pytest.mark.parametrize("producer", CORPUS_PRODUCERS)
def test_every_corpus_report_made_by_each_producer_reads_exact_with_no_silent_error(corpus, producer):
    score = score_folder(corpus / producer)
    assert score.files >= 20, f"{producer}: only {score.files} reports"
    assert not score.silent, score.silent[:5]
    assert not score.wrong_identity, score.wrong_identity[:5]
    assert score.accuracy >= 0.995, f"{producer}: {score.exact}/{score.cells}"
