"""Curation of agency-year partitions, without Dagster: parse → validate → hold back → write → evidence.

`curate(lake, partitions)` parses the current raw file of each agency-year with the core batch
API (one pandera validation per table per chunk, `disclosure.batch`), holds back every report
the parser or the schema rejects (quarantined with its reason; the partition keeps its previous
files), writes the others (six tables each, atomically) and returns one `PartitionOutcome`
per partition: its own rows, source file, report_id, file hashes, and the evidence its checks
are judged on. The Dagster asset only turns these outcomes into events.

An agency-year without a raw file is `absent`: nothing is written for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from disclosure.corrections import corrected_frames
from disclosure.lake import (
    Lake,
    WriteResult,
    current_raw,
    quarantine,
    read_ledger,
    read_raw,
    write_partitions,
)
from disclosure.schema import TABLES

CELL_TABLES = {
    "active_disclosure": ("category", "metric"),
    "applications": ("row", "applicant"),
    "review_litigation": ("proceeding", "outcome"),
}
"""Tables of printed cells, and the two columns that name a cell (table.a.b)."""

CHUNK_SIZE = int(os.environ.get("DISCLOSURE_CHUNK_SIZE", "250"))
"""Agency-years parsed, validated and written at a time (memory stays flat whatever the run's size)."""


@dataclass
class PartitionOutcome:
    """What curation did with one agency-year, and the evidence its checks are judged on."""

    agency: str
    year: int
    status: str  # "written", "held" (rejected by the parser or the schema) or "absent" (no raw file)
    source_file: str | None = None
    report_id: str | None = None
    reason_code: str | None = None  # why it was held
    reason: str | None = None
    writes: list[WriteResult] = field(default_factory=list)
    failed_identities: list[dict] = field(default_factory=list)  # check, scope, lhs, rhs, detail
    identities_evaluated: int = 0
    ambiguous_cells: list[str] = field(default_factory=list)  # "applications.granted.natural_person"
    flagged_cells: int = 0
    schema_failures: list[dict] = field(default_factory=list)  # table, column, check, failure_case

    @property
    def key(self) -> str:
        """The agency-year key (``agency|year``; its Dagster partition is its division-year)."""
        return f"{self.agency}|{self.year}"

    @property
    def rows(self) -> dict[str, int]:
        return {w.table: w.rows for w in self.writes}


def _flag_lists(flags: pd.Series) -> list[list[str]]:
    """The flags of each row as a list of strings (the schema's list column; [] when none)."""
    return [list(f) if f is not None and not isinstance(f, float) else [] for f in flags.tolist()]


def _flag_mask(flags: pd.Series, flag: str) -> list[bool]:
    """Rows whose flags name `flag`."""
    return [flag in f for f in _flag_lists(flags)]


def _cell_names(df: pd.DataFrame, table: str) -> list[str]:
    a, b = CELL_TABLES[table]
    return [f"{table}.{x}.{y}" for x, y in zip(df[a], df[b], strict=True)]


def _evidence(out: PartitionOutcome, frames: dict[str, pd.DataFrame]) -> None:
    issues = frames.get("validation_issues")
    if issues is not None and len(issues):
        out.identities_evaluated = len(issues)
        fails = issues[issues["status"] == "fail"]
        out.failed_identities = [
            {k: (None if pd.isna(v) else v) for k, v in r.items()}
            for r in fails[["check", "scope", "lhs", "rhs", "detail"]].to_dict("records")
        ]
    for table in CELL_TABLES:
        df = frames.get(table)
        if df is None or not len(df):
            continue
        out.flagged_cells += sum(1 for f in _flag_lists(df["flags"]) if f)
        amb = df[_flag_mask(df["flags"], "ambiguous")]
        out.ambiguous_cells.extend(_cell_names(amb, table))


def _split(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    """Batch frames → {report_id: {table: its rows}}."""
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for t, df in frames.items():
        if not len(df):
            continue
        for rid, part in df.groupby("report_id", sort=False):
            out.setdefault(str(rid), {})[t] = part
    return out


def curate_chunk(lake: Lake, partitions: list[tuple[str, int]], known: set | None = None) -> list[PartitionOutcome]:
    """Curate up to a chunk of agency-years (see the module doc)."""
    from disclosure.batch import BatchItem, parse_batch

    outcomes: dict[str, PartitionOutcome] = {}  # by report_id
    absent: list[PartitionOutcome] = []
    items: list[BatchItem] = []
    from disclosure.ocr_batch import lake_ocr_settings

    ocr = lake_ocr_settings(lake)  # a scanned raw file (filed by the OCR step) is read from its page cache
    for agency, year in partitions:
        rf = current_raw(lake, agency, year)
        if rf is None:
            absent.append(PartitionOutcome(agency, year, "absent", reason="no raw file for this agency-year"))
            continue
        outcomes[rf.sha256] = PartitionOutcome(agency, year, "written", source_file=rf.source_file, report_id=rf.sha256)
        # The partition's agency and year came from the manifest or were decided at intake: the
        # parse records which, so the report's own evidence is kept beside it (identity_conflict).
        caller = "manifest" if (rf.agency_source or "").startswith("manifest") else "partition"
        items.append(BatchItem(path=rf.path(lake), agency=agency, year=year, data=read_raw(lake, rf),
                               source_name=rf.source_file, caller_source=caller, ocr=ocr))
    if not items:
        return absent
    # --- parse and validate (one pandera call per table); rejected reports are held back.
    batch = parse_batch(items, validate=True)
    del items
    errors = batch.schema_errors
    known = read_ledger(lake).keys() if known is None else known
    for rej in batch.rejected:
        out = outcomes.get(rej.report_id or "")
        if out is None:  # cannot happen for items built from raw files; never drop it silently
            quarantine(lake, source_file=rej.source_file, code=rej.code, reason=rej.message, sha256=rej.report_id,
                       known=known)
            continue
        out.status, out.reason_code, out.reason = "held", rej.code, rej.message
        if errors is not None and len(errors) and rej.code == "schema_violation":
            mine = errors[errors["report_id"] == rej.report_id]
            out.schema_failures = mine[["table", "column", "check", "failure_case"]].astype(str).to_dict("records")
        quarantine(lake, source_file=rej.source_file, code=rej.code, reason=rej.message, sha256=rej.report_id,
                   agency=out.agency, year=out.year, known=known)
    # --- write every partition that passed, six tables each (atomic, replaces the partition).
    frames = corrected_frames(lake, {t: batch.frames[t] for t in TABLES if t in batch.frames})  # a person's corrections
    if len(frames) == len(TABLES) and len(frames["reports"]):
        by_path = {str(lake.curated_path(t, o.year, o.agency)): o for o in outcomes.values() for t in TABLES}
        for w in write_partitions(lake, frames, durable=False):
            by_path[w.path].writes.append(w)
    # --- evidence per partition.
    for rid, parts in _split(frames).items():
        if rid in outcomes:
            _evidence(outcomes[rid], parts)
    return [*outcomes.values(), *absent]


def curate(lake: Lake, partitions: Iterable[tuple[str, int]], *, chunk_size: int = CHUNK_SIZE) -> list[PartitionOutcome]:
    """`curate_chunk` over `partitions` in chunks, then one flush to disk (local lakes) before the
    caller records anything."""
    parts = list(partitions)
    known = read_ledger(lake).keys()
    out: list[PartitionOutcome] = []
    for i in range(0, len(parts), chunk_size):
        out.extend(curate_chunk(lake, parts[i : i + chunk_size], known))
    if lake.is_local:
        os.sync()  # one flush for the whole run instead of an fsync per file
    return out
