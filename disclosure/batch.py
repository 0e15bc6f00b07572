"""Batch API: many raw files → one long DataFrame per table, validated once per batch.

    from disclosure.batch import BatchItem, parse_batch
    batch = parse_batch([BatchItem(path=p) for p in paths])
    batch.frames["applications"]      # long table, columns as in schema.TABLES
    batch.rejected                    # [Rejection(source_file, report_id, code, message)]
    batch.reports                     # [ParsedReport] (for JSON / provenance), same order as accepted items

Every input ends up either in `frames` (as one row of `reports` and its cells) or in
`rejected` with a reason code; `parse_batch` never raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class BatchItem:
    path: Path | str
    # Caller-supplied identity (manifest, sensor); overrides what the report says.
    agency: str | None = None
    year: int | None = None
    # Raw bytes when the caller already holds them (avoids reading the file twice).
    data: bytes | None = None
    # Name to record as source_file (defaults to the path's name).
    source_name: str | None = None


@dataclass(frozen=True)
class Rejection:
    source_file: str
    report_id: str | None
    code: str
    message: str


@dataclass
class Batch:
    frames: dict[str, pd.DataFrame]
    rejected: list[Rejection] = field(default_factory=list)
    reports: list = field(default_factory=list)
