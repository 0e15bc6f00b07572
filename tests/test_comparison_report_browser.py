"""The comparison report in headless Chromium (Debian's, via playwright): what a person sees.

Charts are drawn (SVG with non-zero size, lines and points), every link resolves (anchors and the
tables pages, and back), and flags are visible: the flagged KPI in the report, the flagged cell
coloured in the tables page. Screenshots: docs/screenshots/comparison_report.png and
docs/screenshots/report_tables.png (overwritten by each run).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from mart_lake import BODY, FLAGGED

from disclosure.exports import WARNING_FILL, export_comparison_report, tables_stem
from disclosure.lake import Lake

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def report(mart_lake: Lake, tmp_path_factory: pytest.TempPathFactory) -> Path:
    page, *_ = export_comparison_report(mart_lake, BODY, tmp_path_factory.mktemp("report"))
    return page


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


def test_comparison_report_draws_its_charts_with_lines_and_points(browser_page, report: Path) -> None:
    page = browser_page
    page.goto(report.as_uri())
    charts = page.locator("svg.chart")
    assert charts.count() == 5  # three time series, two peer charts
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
    lines = page.locator("svg.chart polyline.series")
    assert lines.count() >= 5
    assert all((lines.nth(i).bounding_box() or {}).get("width", 0) > 0 for i in range(lines.count()))
    assert page.locator("svg.chart circle.point").count() >= 7 * 3
    assert page.locator("svg.chart .peer-range").count() >= 1
    assert page.console_errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "comparison_report.png"), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1500})


def test_the_flagged_kpi_is_shown_as_unknown_never_as_a_number(browser_page, report: Path) -> None:
    page = browser_page
    page.goto(report.as_uri())
    _agency, year, *_ = FLAGGED
    row = page.locator("#flags + table tr", has_text="disclosure_rate").filter(has_text=str(year))
    assert row.count() == 1 and "flagged_input" in row.inner_text() and "position_assumed" in row.inner_text()
    assert row.locator("td.flagged").evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(WARNING_FILL)
    marker = page.locator("svg.chart g.unknown", has_text=f"disclosure_rate {year}")
    assert marker.count() == 1 and marker.bounding_box()["width"] > 0
    yoy = page.locator("#yoy + table tr", has_text="disclosure_rate").filter(has_text=f"{year}")
    assert "flagged_input" in yoy.first.inner_text()


def test_every_link_of_the_report_resolves_and_the_tables_page_shows_the_flagged_cell(browser_page, report: Path
                                                                                       ) -> None:
    page = browser_page
    page.goto(report.as_uri())
    anchors = page.eval_on_selector_all("nav a", "as => as.map(a => a.getAttribute('href'))")
    assert anchors and all(page.locator(h).count() == 1 for h in anchors)
    links = page.locator("a.tables-link")
    assert links.count() == 7
    for i in range(links.count()):  # each tables page exists and is a page with three tables
        href = links.nth(i).get_attribute("href")
        assert (report.parent / href).is_file(), href
    agency, year, row, applicant, flag = FLAGGED
    page.locator("a.tables-link", has_text=f"{year}:").click()
    page.wait_for_load_state()
    assert unquote(page.url).endswith(f"{tables_stem(agency, year)}.html")
    assert page.locator("h3").count() >= 3 + 1
    cell = page.locator(f'td[data-key="{row}.{applicant}"]')
    assert cell.get_attribute("data-flags") == flag and flag in cell.get_attribute("title")
    assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(WARNING_FILL)
    assert cell.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "report_tables.png"), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1300})
    page.locator("nav a").first.click()  # ← comparison report
    page.wait_for_load_state()
    assert unquote(page.url) == unquote(report.as_uri())


def test_comparison_report_is_self_contained(report: Path) -> None:
    text = report.read_text("utf-8")
    assert "<script" not in text and "<link" not in text and " src=" not in text  # no CDN, no script
    hrefs = re.findall(r'href="([^"]+)"', text)
    assert hrefs and all(h.startswith("#") or (report.parent / h).is_file() for h in hrefs), hrefs
    assert {p.suffix for p in report.parent.iterdir()} == {".html", ".xlsx"}
