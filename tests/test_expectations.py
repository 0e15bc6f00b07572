"""The Great Expectations suite: passes on the golden tables, catches what the schema forbids."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from golden_frames import frames_from_golden, golden_paths

from disclosure.expectations import run_suite, suite_rules
from disclosure.schema import TABLES

YEAR = 2024


def year_frames(year: int) -> dict[str, pd.DataFrame]:
    frames = frames_from_golden(golden_paths())
    return {name: f[f.year == year].reset_index(drop=True) for name, f in frames.items()}


@pytest.fixture(scope="module")
def passing(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    docs = tmp_path_factory.mktemp("docs_pass")
    return run_suite(year_frames(YEAR), docs, YEAR)


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    frames = year_frames(YEAR)
    apps = frames["applications"].copy()
    apps.loc[0, "value"] = -3  # a negative count
    apps.loc[1, "row"] = "granted_maybe"  # a key outside the vocabulary
    active = frames["active_disclosure"].copy()
    active.loc[0, "metric"] = "made"  # a 2019-template metric in a 2021-template table
    review = frames["review_litigation"].drop(columns=["where"])  # a (nullable) column missing
    bad = {**frames, "applications": apps, "active_disclosure": active, "review_litigation": review}
    docs = tmp_path_factory.mktemp("docs_fail")
    return run_suite(bad, docs, YEAR, tables=("applications", "active_disclosure", "review_litigation"))


def test_suite_passes_on_golden_tables(passing: dict[str, Any]) -> None:
    failures = {t: r["failed"] for t, r in passing["tables"].items() if r["failed"]}
    assert failures == {}
    assert passing["success"] is True
    assert set(passing["tables"]) == set(TABLES)
    assert all(r["evaluated"] == len(suite_rules(YEAR)[t]) for t, r in passing["tables"].items())


def test_suite_catches_negative_count_and_unknown_key(failing: dict[str, Any]) -> None:
    assert failing["success"] is False
    apps = failing["tables"]["applications"]
    assert sorted(apps["failed"]) == [
        "applications: ExpectColumnValuesToBeBetween(value)",
        "applications: ExpectColumnValuesToBeInSet(row)",
    ]
    assert apps["unexpected"]["applications: ExpectColumnValuesToBeInSet(row)"] == ["granted_maybe"]


def test_suite_catches_metric_of_the_wrong_template(failing: dict[str, Any]) -> None:
    (label,) = failing["tables"]["active_disclosure"]["failed"]
    assert "ExpectColumnValuesToBeInSet(metric) where template == 2021" in label


def test_suite_catches_missing_column(failing: dict[str, Any]) -> None:
    (label,) = failing["tables"]["review_litigation"]["failed"]
    assert label.startswith("review_litigation: ExpectTableColumnsToMatchOrderedList")


def test_suite_catches_rows_of_another_year(tmp_path: Path) -> None:
    frames = year_frames(YEAR)
    result = run_suite(frames, tmp_path, YEAR + 1, tables=("reports",))
    assert "reports: ExpectColumnValuesToBeInSet(year)" in result["tables"]["reports"]["failed"]


def test_data_docs_are_written_as_static_html(passing: dict[str, Any]) -> None:
    index = Path(passing["docs_index"])
    assert index.name == "index.html" and index.is_file()
    pages = sorted(p.relative_to(index.parent).parts[:2] for p in index.parent.glob("validations/**/*.html"))
    assert {p[1] for p in pages} == set(TABLES)


def test_the_suite_skips_the_pickled_frame_fingerprint_and_leaves_gx_as_it_found_it(passing: dict[str, Any]) -> None:
    """GX's batch fingerprint pickled every frame with list columns (a quarter of the suite's
    time); run_suite turns it off for its own batches only."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    index = Path(passing["docs_index"])
    pages = [p.read_text("utf-8") for p in index.parent.glob("validations/**/*.html")]
    assert pages and not any("pandas_data_fingerprint" in page for page in pages)
    assert engine.HASH_THRESHOLD == 1e9, "the GX module constant must be restored after the run"


def test_data_docs_are_readable_offline_every_script_style_and_icon_local(passing: dict[str, Any]) -> None:
    """No page fetches anything from the network; every script and style it loads exists in the
    site (from the pinned XStatic packages), Font Awesome's pass/fail glyphs included."""
    import re

    from disclosure.datadocs import external_resources

    site = Path(passing["docs_index"]).parent
    pages = list(site.rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert external_resources(html) == [], page
        local = re.findall(r"<(?:script|img)\b[^>]*\bsrc=[\"']([^\"'#?]+)", html) + re.findall(
            r"<link\b[^>]*\bhref=[\"']([^\"'#?]+)", html)
        missing = [ref for ref in local if not (page.parent / ref).resolve().is_file()]
        assert not missing, (page, missing)
        assert "integrity=" not in re.sub(r"data-integrity=", "", html) or "vendor" not in html
    fa = site / "static/vendor/font_awesome/css/all.min.css"
    assert ".fa-check-circle" in fa.read_text(encoding="utf-8")
    assert (site / "static/vendor/font_awesome/webfonts/fa-solid-900.woff2").is_file()
    assert "fa-check-circle" in next(site.glob("validations/**/*.html")).read_text(encoding="utf-8")


def test_importing_the_suite_does_not_import_great_expectations() -> None:
    code = "import sys, disclosure.expectations; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_schema_rule_is_in_the_suite() -> None:
    rules = suite_rules(YEAR)
    for name, table in TABLES.items():
        labels = {r.label for r in rules[name]}
        assert len(labels) == len(rules[name]), "rule labels identify failures: they must be unique"
        for c in table.columns:
            assert (f"{name}: ExpectColumnValuesToNotBeNull({c.name})" in labels) == (not c.nullable)
            assert (f"{name}: ExpectColumnValuesToBeInSet({c.name})" in labels) == (
                (c.isin is not None and not c.dtype.startswith("list[")) or c.name == "year"
            )
        assert any("Unique" in r.expectation for r in rules[name])


def test_a_failed_docs_build_leaves_the_previous_site_whole(tmp_path: Path, monkeypatch) -> None:
    site = tmp_path / "year=2024"
    first = run_suite(year_frames(YEAR), site, YEAR, tables=("reports",))
    before = {p: p.read_bytes() for p in site.rglob("*.html")}
    assert first["docs_index"] and before

    import great_expectations as gx

    def full_disk(self, *a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gx.data_context.AbstractDataContext, "build_data_docs", full_disk)
    with pytest.raises(OSError):
        run_suite(year_frames(YEAR), site, YEAR, tables=("reports",))
    assert {p: p.read_bytes() for p in site.rglob("*.html")} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temp folder left behind"


def test_data_docs_show_their_pass_fail_icons_in_a_browser_without_network(passing: dict[str, Any], browser_page) -> None:
    """Opened from disk in headless Chromium with every network request refused: the status icons
    are drawn with the local Font Awesome font and Bootstrap's layout applies."""
    site = Path(passing["docs_index"]).parent
    page_path = next(site.glob("validations/**/*.html"))
    refused: list[str] = []
    failed: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    browser_page.route("**/*", route)
    browser_page.on("requestfailed", lambda req: failed.append(req.url))
    browser_page.goto(page_path.as_uri())
    browser_page.wait_for_load_state("load")
    icon = browser_page.evaluate(
        """async () => {
            await document.fonts.ready;
            const i = document.querySelector('i.fa-check-circle');
            const before = getComputedStyle(i, '::before');
            return {family: before.fontFamily, content: before.content, width: i.getBoundingClientRect().width,
                    loaded: document.fonts.check('900 16px "Font Awesome 6 Free"'),
                    bootstrap: getComputedStyle(document.querySelector('.container-fluid, .container, body')).boxSizing};
        }"""
    )
    assert refused == [] and failed == []
    assert "Font Awesome" in icon["family"] and icon["content"] not in ("none", "normal", "")
    assert icon["loaded"] and icon["width"] > 0
    assert icon["bootstrap"] == "border-box"
