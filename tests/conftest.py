from __future__ import annotations

import json
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
