"""notebooks/explore.ipynb runs top to bottom on a small hive-partitioned lake."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from golden_frames import frames_from_golden, golden_paths
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"
PARTITIONS = ("year", "agency")
# An agency name that needs percent-encoding in a directory name (`/`, `%`, space).
ODD_AGENCY = "测试市/试点 100%"
_UNSAFE = set('/\\%=:*?"<>|# ')


def encode_agency(name: str) -> str:
    """Percent-encode only what a directory name cannot hold; Chinese stays readable."""
    return "".join(f"%{ord(c):02X}" if c in _UNSAFE or not c.isprintable() else c for c in name)


def _write(frame: pd.DataFrame, folder: Path) -> None:
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "part-0.parquet")


def write_curated(frames: dict[str, pd.DataFrame], zone: Path) -> None:
    """<zone>/<table>/year=YYYY/agency=<encoded>/part-0.parquet, partition columns not in the file."""
    for table, frame in frames.items():
        for (year, agency), part in frame.groupby(list(PARTITIONS)):
            folder = zone / table / f"year={year}" / f"agency={encode_agency(agency)}"
            _write(part.drop(columns=list(PARTITIONS)), folder)


def write_warehouse(frames: dict[str, pd.DataFrame], zone: Path) -> None:
    """<zone>/<table>/year=YYYY/part-0.parquet with agency as a column (disclosure/lake/parquet.py)."""
    for table, frame in frames.items():
        for year, part in frame.groupby("year"):
            _write(part.drop(columns=["year"]), zone / table / f"year={year}")


def sample_frames() -> dict[str, pd.DataFrame]:
    frames = frames_from_golden(golden_paths())
    synthetic = frames["reports"].loc[frames["reports"].agency == "测试市", "report_id"].item()
    for frame in frames.values():
        frame.loc[frame.report_id == synthetic, "agency"] = ODD_AGENCY
    return frames


def execute(lake: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    mp = pytest.MonkeyPatch()
    mp.setenv("DISCLOSURE_LAKE", str(lake))
    mp.setenv("MPLBACKEND", "Agg")
    try:
        client = NotebookClient(
            nb, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(NOTEBOOK.parent)}}
        )
        client.execute()
    finally:
        mp.undo()
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    root = tmp_path_factory.mktemp("lake")
    write_curated(sample_frames(), root / "curated")
    return execute(root)


def _outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def _text(nb: nbformat.NotebookNode) -> str:
    chunks = []
    for o in _outputs(nb):
        chunks.append(o.get("text", ""))
        chunks.append(o.get("data", {}).get("text/plain", ""))
    return "\n".join(chunks)


def test_python3_kernel_is_this_venvs_python() -> None:
    argv = KernelSpecManager().get_kernel_spec("python3").argv
    # jupyter_client replaces a bare "python" with sys.executable when it launches the kernel.
    assert argv[0] in {"python", "python3", sys.executable}, argv
    assert Path(sys.executable).parent == Path(sys.prefix) / "bin"


def test_notebook_runs_without_errors(executed: nbformat.NotebookNode) -> None:
    errors = [o for o in _outputs(executed) if o.output_type == "error"]
    assert errors == []


def test_notebook_shows_huaian_2024_new_requests(executed: nbformat.NotebookNode) -> None:
    # The requests table: agency, year, n_reports, new_received (total column).
    assert re.search(r"淮安市人民政府\s+2024\s+\d+\s+3119\b", _text(executed))


def test_notebook_reads_percent_encoded_agency_back(executed: nbformat.NotebookNode) -> None:
    assert ODD_AGENCY in _text(executed)


def test_notebook_draws_two_plots(executed: nbformat.NotebookNode) -> None:
    images = [o for o in _outputs(executed) if "image/png" in o.get("data", {})]
    assert len(images) >= 2


def test_notebook_prefers_the_warehouse_zone_with_agency_as_a_column(tmp_path: Path) -> None:
    frames = sample_frames()
    write_curated({"reports": frames["reports"]}, tmp_path / "curated")  # stale: would be ignored
    write_warehouse(frames, tmp_path / "warehouse")
    nb = execute(tmp_path)
    assert [o for o in _outputs(nb) if o.output_type == "error"] == []
    text = _text(nb)
    assert f"lake zone: {tmp_path.resolve() / 'warehouse'}" in text
    assert re.search(r"淮安市人民政府\s+2024\s+\d+\s+3119\b", text)
