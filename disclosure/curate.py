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
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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


IDENTITY_FIELDS = ("check", "scope", "lhs", "rhs", "detail")
"""What a failed identity carries into its partition's outcome (the `validation_issues` columns)."""


def _native(value: object) -> object:
    """A cell as the outcome keeps it: None for a missing value (NaN, NA, None)."""
    return None if pd.isna(value) else value


def _flagged_positions(flags: pd.Series) -> np.ndarray:
    """Positions of the rows whose `flags` list is not empty (the flags read in C++ where Arrow)."""
    if isinstance(flags.dtype, pd.ArrowDtype) and pa.types.is_list(flags.dtype.pyarrow_dtype):
        arr = pa.array(flags)
        return np.flatnonzero(pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False) > 0)
    return np.flatnonzero([f is not None and not isinstance(f, float) and len(f) > 0 for f in flags.tolist()])


def _evidence_by_report(frames: Mapping[str, pd.DataFrame], wanted: Mapping[str, PartitionOutcome]) -> None:
    """Fill each outcome in `wanted` (by report_id) with its report's evidence, in one pass per table.

    The batch's frames are read as column lists once, not cut into per-report frames: cutting a
    250-report chunk into 1,500 small frames and filtering each cost a third of curation. Only
    the failed identities and the flagged cells reach Python row by row (the identities are
    counted per report): visiting every cell of the chunk was a twentieth of curation.
    Rows keep their order within a report (identities as the report checked them, ambiguous
    cells table by table in `CELL_TABLES` order).
    """
    issues = frames.get("validation_issues")
    if issues is not None and len(issues):
        rids = issues["report_id"].tolist()
        for rid, n in Counter(rids).items():
            if (out := wanted.get(str(rid))) is not None:
                out.identities_evaluated += n
        failed = np.flatnonzero((issues["status"] == "fail").to_numpy(dtype=bool, na_value=False))
        columns = [issues[c].iloc[failed].tolist() for c in IDENTITY_FIELDS]
        for i, at in enumerate(failed.tolist()):
            if (out := wanted.get(str(rids[at]))) is not None:
                out.failed_identities.append({k: _native(col[i]) for k, col in zip(IDENTITY_FIELDS, columns, strict=True)})
    for table, (a, b) in CELL_TABLES.items():
        df = frames.get(table)
        if df is None or not len(df):
            continue
        flagged = df.iloc[_flagged_positions(df["flags"])]
        rows = zip(flagged["report_id"].tolist(), _flag_lists(flagged["flags"]), flagged[a].tolist(),
                   flagged[b].tolist(), strict=True)
        for rid, flags, x, y in rows:
            out = wanted.get(str(rid))
            if out is None:
                continue
            out.flagged_cells += 1
            if "ambiguous" in flags:
                out.ambiguous_cells.append(f"{table}.{x}.{y}")


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
    _evidence_by_report(frames, outcomes)
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
