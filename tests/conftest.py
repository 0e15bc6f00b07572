from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

REPORTS = Path(__file__).parent / "fixtures" / "reports"


def golden_files(skip_ext: tuple[str, ...] = ()) -> list[Path]:
    return sorted(g for g in (REPORTS / "expected").glob("*.json") if not g.stem.endswith(skip_ext))


@pytest.fixture(scope="session")
def reports_dir() -> Path:
    return REPORTS


def load_golden(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def golden_cells(doc: dict):
    """(path, value) for every statistical cell of a document in the golden files' shape."""
    for key, val in (doc.get("active_disclosure") or {}).items():
        yield f"active_disclosure.{key}", val
    for row, cols in (doc.get("applications") or {}).items():
        for col, val in (cols or {}).items():
            yield f"applications.{row}.{col}", val
    for key, val in (doc.get("review_litigation") or {}).items():
        yield f"review_litigation.{key}", val


def same_value(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-6)


# --- headless Chromium (Debian's `chromium`, driven by playwright) ------------------------------
# Tests that check what a person sees open generated pages in a real browser. `make test` runs
# scripts/ensure_chromium.sh first, so a missing browser is an install step, never a skip.
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium for the whole session (start-up costs ~2 s)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/ensure_chromium.sh` (apt package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture()
def browser_page(chromium_browser):
    """A fresh page (1280×900) per test; it records console errors in `page.console_errors`."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    yield page
    context.close()


@pytest.fixture(scope="session")
def mart_lake(tmp_path_factory):
    """A small lake with every mart, built once per session without Dagster (tests/mart_lake.py)."""
    from mart_lake import build

    return build(tmp_path_factory.mktemp("mart-lake"))
@pytest.fixture(autouse=True)
def _no_stale_dagster_defs_state_storage():
    """Each DagsterInstance sets Dagster's defs-state storage context variable while open and
    restores the previous value when closed; instances closed out of order (a module fixture's
    and a test's) restore one already closed, and the next test that builds a repository fails
    with "undefined DagsterInstance weakref". The project has no state-backed definitions, so
    the variable is cleared around every test."""
    import sys

    def clear() -> None:
        if "dagster" in sys.modules:
            from dagster._core.storage.defs_state.base import _current_storage

            _current_storage.set(None)

    clear()
    yield
    clear()
