"""notebooks/explore.ipynb runs top to bottom on a small lake with marts (tests/mart_lake.py):
it reads the marts, shows coverage, leaves flagged cells out and saves its four figures."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from mart_lake import BODY, FLAGGED
from nbclient import NotebookClient

from disclosure.lake import Lake

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"
FIGURES = ("coverage", "body_time_series", "peer_distribution", "refusal_reasons")


def execute(lake: Path, figures: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    mp = pytest.MonkeyPatch()
    mp.setenv("DISCLOSURE_LAKE", str(lake))
    mp.setenv("DISCLOSURE_FIGURES", str(figures))
    mp.setenv("MPLBACKEND", "Agg")
    try:
        NotebookClient(nb, kernel_name="python3", timeout=180,
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        mp.undo()
    return nb


@pytest.fixture(scope="module")
def run(mart_lake: Lake, tmp_path_factory: pytest.TempPathFactory) -> tuple[nbformat.NotebookNode, Path]:
    figures = tmp_path_factory.mktemp("figures")
    return execute(mart_lake.root, figures), figures


def _outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def _text(nb: nbformat.NotebookNode) -> str:
    return "\n".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in _outputs(nb))


def test_python3_kernel_is_this_venvs_python() -> None:
    argv = KernelSpecManager().get_kernel_spec("python3").argv
    assert argv[0] in {"python", "python3", sys.executable}, argv


def test_notebook_runs_without_errors(run) -> None:
    nb, _ = run
    assert [o for o in _outputs(nb) if o.output_type == "error"] == []


def test_notebook_reads_the_marts_and_computes_no_kpi() -> None:
    source = "\n".join(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code")
    assert "read_mart" in source
    assert "agency_year_kpis(" not in source and "cross_year_checks(" not in source


def test_notebook_says_in_markdown_that_flagged_cells_are_left_out(run) -> None:
    nb, _ = run
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Flagged cells are left out" in markdown and "len(flags) = 0" in markdown


def test_notebook_lists_the_report_whose_kpi_a_flag_nulled(run) -> None:
    nb, _ = run
    _agency, _year, *_ = FLAGGED
    text = _text(nb)
    assert "1 of 15 reports have at least one KPI nulled by a flagged input cell" in text
    assert "disclosure_rate:position_assumed" in text and BODY in text


def test_notebook_shows_coverage_per_province(run) -> None:
    nb, _ = run
    text = _text(nb)
    assert "福建省" in text and "n_without_report" in text


def test_notebook_saves_its_four_figures_as_pngs(run) -> None:
    nb, figures = run
    for name in FIGURES:
        data = (figures / f"{name}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, name
    assert sum("image/png" in o.get("data", {}) for o in _outputs(nb)) == len(FIGURES)
