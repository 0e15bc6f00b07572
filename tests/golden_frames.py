"""Long lake tables built from the hand-checked golden JSON files (not from parser output).

Lets the marts, the expectation suite and the notebook be tested before (and independently
of) the parser: `frames_from_golden(paths)` returns one DataFrame per table of
`schema.TABLES`, with exactly its columns and dtypes. A golden `null` becomes `pd.NA`;
`where` and `flags` are null (the golden files record neither) and `raw_text` is set only
where the golden file's top-level `raw_text` gives the printed text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from disclosure.schema import TABLES

REPORTS_DIR = Path(__file__).parent / "fixtures" / "reports"
GOLDEN_DIR = REPORTS_DIR / "expected"

# Stand-in for the reader that would have read the file (the golden files do not say).
_FORMAT_BY_SUFFIX = {".html": "html", ".md": "markdown", ".pdf": "pdf", ".txt": "text", ".docx": "docx"}

Record = dict[str, Any]


def golden_paths(*stems: str) -> list[Path]:
    """Golden files by raw-file name (e.g. "pingtan-2022.txt"); all of them when none given."""
    if not stems:
        return sorted(GOLDEN_DIR.glob("*.json"))
    return [GOLDEN_DIR / f"{s}.json" for s in stems]


def empty_frame(table: str) -> pd.DataFrame:
    return typed_frame(table, [])


def typed_frame(table: str, records: list[Record]) -> pd.DataFrame:
    """A frame with exactly the columns (in order) and dtypes of `schema.TABLES[table]`."""
    columns = TABLES[table].columns
    frame = pd.DataFrame.from_records(records, columns=[c.name for c in columns])
    return frame.astype({c.name: c.pandas_dtype for c in columns})


def _value(x: Any) -> Any:
    return pd.NA if x is None else x


def _template_active(golden: Record) -> str:
    return (
        "2019" if any(k.endswith((".made", ".prev_items")) for k in golden["active_disclosure"]) else "2021"
    )


def _identity(golden: Record, report_id: str) -> Record:
    # The lake files a report under the registry's canonical name of its body.
    from disclosure.registry import default_registry

    return {"report_id": report_id, "agency": default_registry().resolve(golden["agency"]).canonical_name,
            "year": golden["year"]}


def _cell(golden: Record, key: str) -> Record:
    raw = golden.get("raw_text", {}).get(key)
    return {"candidates": None, "raw_text": raw, "where": None, "flags": [], "original_value": None, "original_flags": None}


def _active_rows(golden: Record, ident: Record) -> Iterator[Record]:
    template = _template_active(golden)
    for key, value in golden["active_disclosure"].items():
        category, metric = key.split(".", 1)
        yield {
            **ident,
            "template": template,
            "category": category,
            "metric": metric,
            "value": _value(value),
            **_cell(golden, f"active_disclosure.{key}"),
        }


def _application_rows(golden: Record, ident: Record) -> Iterator[Record]:
    for row, by_applicant in golden["applications"].items():
        for applicant, value in by_applicant.items():
            yield {
                **ident,
                "row": row,
                "applicant": applicant,
                "value": _value(value),
                **_cell(golden, f"applications.{row}.{applicant}"),
            }


def _review_rows(golden: Record, ident: Record) -> Iterator[Record]:
    for key, value in golden["review_litigation"].items():
        proceeding, outcome = key.split(".", 1)
        yield {
            **ident,
            "proceeding": proceeding,
            "outcome": outcome,
            "value": _value(value),
            **_cell(golden, f"review_litigation.{key}"),
        }


def _report_row(golden: Record, ident: Record, raw: bytes, cells: list[Record]) -> Record:
    from disclosure.registry import default_registry

    source = REPORTS_DIR / golden["file"]
    return {
        **ident,
        "template": golden["template"],
        "template_active": _template_active(golden),
        "source_file": golden["file"],
        "source_format": _FORMAT_BY_SUFFIX.get(source.suffix, "text"),
        "title": None,
        "printed_agency": golden["agency"],
        "agency_id": default_registry().resolve(golden["agency"]).agency_id,
        "agency_match": default_registry().resolve(golden["agency"]).match,
        "agency_source": "manifest",
        "agency_confidence": 1.0,
        "year_source": "manifest",
        "year_confidence": 1.0,
        "identity_conflicts": None,
        "identity_candidates": "[]",
        "n_cells": len(cells),
        "n_null_cells": sum(c["value"] is pd.NA for c in cells),
        "n_flagged_cells": 0,
        "n_checks_failed": 0,
        "n_bytes": len(raw),
    }


def frames_from_golden(paths: Iterable[Path]) -> dict[str, pd.DataFrame]:
    """One long DataFrame per lake table from golden JSON files; report_id = sha256(raw bytes)."""
    records: dict[str, list[Record]] = {name: [] for name in TABLES}
    for path in paths:
        golden = json.loads(Path(path).read_text(encoding="utf-8"))
        raw = (REPORTS_DIR / golden["file"]).read_bytes()
        ident = _identity(golden, hashlib.sha256(raw).hexdigest())
        active = list(_active_rows(golden, ident))
        applications = list(_application_rows(golden, ident))
        review = list(_review_rows(golden, ident))
        records["active_disclosure"] += active
        records["applications"] += applications
        records["review_litigation"] += review
        records["reports"].append(_report_row(golden, ident, raw, active + applications + review))
    return {name: typed_frame(name, rows) for name, rows in records.items()}
