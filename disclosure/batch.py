"""Batch API: many raw files → one long DataFrame per table, validated once per batch.

    from disclosure.batch import BatchItem, parse_batch
    batch = parse_batch([BatchItem(path=p) for p in paths])
    batch.frames["applications"]      # long table, columns as in schema.TABLES
    batch.rejected                    # [Rejection(source_file, report_id, code, message)]
    batch.reports                     # [ParsedReport] (for JSON / provenance), accepted reports in input order

Every input ends up either in `frames` (as one row of `reports` and its cells) or in
`rejected` with a reason code; `parse_batch` never raises for bad input. Validation is one
pandera call per table per batch; a report any of whose rows breaks its schema is moved
to `rejected` (code `schema_violation`) so nothing with a wrong schema reaches the lake.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from disclosure import schema
from disclosure.identify import identity_summary
from disclosure.model import RejectedReport, parser_error_message, report_id
from disclosure.parse import ParsedReport, parse_bytes
from disclosure.readers import refuse_too_large
from disclosure.vocabulary import WARNING_FLAGS

if TYPE_CHECKING:
    from disclosure.ocr import OcrSettings


@dataclass(frozen=True)
class BatchItem:
    path: Path | str
    # Caller-supplied identity (manifest, sensor); overrides what the report says.
    agency: str | None = None
    year: int | None = None
    # What the caller's identity is: "manifest" (a manifest row), "partition" (the raw zone), "caller".
    caller_source: str = "caller"
    # Raw bytes when the caller already holds them (avoids reading the file twice).
    data: bytes | None = None
    # Name to record as source_file (defaults to the path's name).
    source_name: str | None = None
    # OCR settings: a scanned PDF or page image is read by OCR (through its page cache).
    ocr: OcrSettings | None = None


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
    reports: list[ParsedReport] = field(default_factory=list)
    # pandera failure cases (table, column, check, failure_case, report_id)
    schema_errors: pd.DataFrame | None = None


def _read(item: BatchItem) -> bytes:
    if item.data is not None:
        return item.data
    p = Path(item.path)
    refuse_too_large(p.stat().st_size, str(p))
    return p.read_bytes()


def parse_one(item: BatchItem) -> ParsedReport | Rejection:
    name = item.source_name or Path(item.path).name
    data: bytes | None = None
    try:
        data = _read(item)
        report = parse_bytes(data, item.path, agency=item.agency, year=item.year, caller_source=item.caller_source,
                             ocr=item.ocr)
    except RejectedReport as e:
        rid = report_id(data) if data is not None else None
        return Rejection(name, rid, e.code, e.message)
    except OSError as e:
        return Rejection(name, None, "unreadable_file", f"cannot read {name}: {e.strerror or e}")
    except Exception as e:  # a bug of ours must not lose the input: it is recorded with its reason
        rid = report_id(data) if data is not None else None
        return Rejection(name, rid, "parser_error", parser_error_message(e))
    report.source_file = name
    if report.identity.agency is None or report.identity.year is None:
        missing = " and ".join(x for x, val in (("agency", report.identity.agency), ("year", report.identity.year)) if val is None)
        return Rejection(name, report.report_id, "bad_identity", f"could not identify the {missing} of {name}; pass it in a manifest")
    return report


_CELL_COLUMNS = ("value", "candidates", "raw_text", "where", "flags")
"""The per-cell columns, in the order `_cell_row` gives them."""
_KEY_COLUMNS = {"active_disclosure": ("template", "category", "metric"), "applications": ("row", "applicant"),
                "review_litigation": ("proceeding", "outcome")}
"""The columns that place a cell in its table, in the order frames_for gives them."""


@lru_cache(maxsize=1024)
def _split_key(key: str) -> tuple[str, str]:
    """'regulations.issued' → ('regulations', 'issued'): the few keys repeat in every report."""
    a, b = key.split(".", 1)
    return a, b


def frames_for(reports: list[ParsedReport]) -> dict[str, pd.DataFrame]:
    """The long tables of a batch of reports, columns and dtypes as in schema.TABLES.

    One tuple per cell, turned into columns once per batch (a list append per column and cell
    cost more than the parse of a text report). Raises whatever a report's cells make pandas
    raise (a decimal or a 20-digit count in an Int64 column); `safe_frames` turns that into a
    rejection of the one report."""
    rows: dict[str, list[tuple]] = {t: [] for t in _KEY_COLUMNS}
    # (report_id, agency, year, number of rows) per report and table: the report's own columns
    runs: dict[str, list[tuple]] = {t: [] for t in _KEY_COLUMNS}
    cols: dict[str, dict[str, list]] = {"reports": {c: [] for c in schema.TABLES["reports"].column_names}}
    sections: list[tuple] = []  # rows of report_sections, columns in schema order
    issues: list[tuple] = []  # rows of validation_issues, columns in schema order
    warning = WARNING_FLAGS
    lake_value = schema.lake_value
    for r in reports:
        rid, year = r.report_id, r.identity.year
        res = r.resolution  # a registry look-up: once per report
        agency = res.canonical_name if res else r.identity.agency  # the partition key
        n_cells = n_null = n_flagged = 0
        template_active = r.tables.template_active or r.template
        ad, ap, rl = rows["active_disclosure"], rows["applications"], rows["review_litigation"]
        before = {t: len(out) for t, out in rows.items()}
        for table, key, applicant, c in r.cells():
            n_cells += 1
            value = c.value
            if value is None:
                n_null += 1
            flags = c.flags
            if flags:
                flags = sorted(set(flags))
                n_flagged += not warning.isdisjoint(flags)
                value = lake_value(value, flags)
            else:
                flags = []
            cell = (value, list(c.candidates) if c.candidates else None, c.raw, c.where or None, flags)
            if table == "applications":
                ap.append((key, applicant, *cell))
            elif table == "active_disclosure":
                ad.append((template_active, *_split_key(key), *cell))
            else:
                rl.append((*_split_key(key), *cell))
        for t, out in rows.items():
            runs[t].append((rid, agency, year, len(out) - before[t]))
        sections += [(rid, agency, year, section, text) for section, text in r.sections.items()]
        issues += [(rid, agency, year, ch.check, ch.scope, ch.status, "warning" if ch.status == "fail" else "info",
                    ch.lhs, ch.rhs, ch.detail) for ch in r.checks]
        n_failed = sum(ch.status == "fail" for ch in r.checks)
        i = r.identity
        row = {"report_id": rid, "agency": agency, "year": year, "template": r.template,
               "printed_agency": i.printed_agency, "agency_id": res.agency_id if res else None,
               "agency_match": res.match if res else "new_agency", **identity_summary(i),
               "template_active": r.tables.template_active, "source_file": r.source_file, "source_format": r.doc_format,
               "title": i.title, "agency_source": i.agency_source, "agency_confidence": i.agency_confidence,
               "year_source": i.year_source, "year_confidence": i.year_confidence, "n_cells": n_cells,
               "n_null_cells": n_null, "n_flagged_cells": n_flagged, "n_checks_failed": n_failed, "n_bytes": r.n_bytes}
        for k, col in cols["reports"].items():
            col.append(row[k])
    for t, table_rows in (("report_sections", sections), ("validation_issues", issues)):
        names = schema.TABLES[t].column_names
        cols[t] = dict(zip(names, map(list, zip(*table_rows, strict=True)), strict=True)) if table_rows \
            else {c: [] for c in names}
    for t, table_rows in rows.items():
        data = cols[t] = dict(zip((*_KEY_COLUMNS[t], *_CELL_COLUMNS), map(list, zip(*table_rows, strict=True)), strict=True)) \
            if table_rows else {c: [] for c in (*_KEY_COLUMNS[t], *_CELL_COLUMNS)}
        for k in ("report_id", "agency", "year"):
            i = ("report_id", "agency", "year").index(k)
            data[k] = [x for run in runs[t] for x in [run[i]] * run[3]]
        n = len(table_rows)
        data["original_value"] = [None] * n  # set only by a correction (disclosure/corrections.py)
        data["original_flags"] = [None] * n
    return {
        t: pd.DataFrame({c.name: _column(cols[t][c.name], c.pandas_dtype) for c in schema.TABLES[t].columns}, copy=False)
        for t in schema.TABLES
    }


def _column(values: list, dtype) -> pd.api.extensions.ExtensionArray:
    """`pd.array(values, dtype=dtype)`; a string column through Arrow, twice as fast. Anything
    Arrow refuses as a string (a number, NaN, pd.NA) takes pandas' own path, so the result is
    pandas' in every case."""
    if dtype == "string":
        import pyarrow as pa

        try:
            return pd.array(pa.array(values, type=pa.large_string()), dtype=dtype)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    return pd.array(values, dtype=dtype)


def safe_frames(reports: list[ParsedReport]) -> tuple[dict[str, pd.DataFrame], list[ParsedReport], list[Rejection]]:
    """frames_for, where a report whose cells cannot be framed is rejected (`parser_error`)
    instead of failing the batch. The fast path builds the batch at once; only when that
    raises is each report framed alone to find the culprits."""
    try:
        return frames_for(reports), reports, []
    except Exception:  # narrowed to the guilty reports below
        pass
    good: list[ParsedReport] = []
    rejected: list[Rejection] = []
    for r in reports:
        try:
            frames_for([r])
        except Exception as e:  # one bad report never fails the batch
            rejected.append(Rejection(r.source_file, r.report_id, "parser_error",
                                      f"cannot build the lake rows of {r.source_file}: {parser_error_message(e)}"))
        else:
            good.append(r)
    return frames_for(good), good, rejected


def validate_frames(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One pandera validation per table; failure cases mapped back to their report_id."""
    failures = []
    for t, df in frames.items():
        fc = schema.validate_frame(t, df)
        if len(fc):
            idx = pd.to_numeric(fc["index"], errors="coerce")
            fc["report_id"] = [df["report_id"].iloc[int(i)] if pd.notna(i) and int(i) < len(df) else None for i in idx]
            failures.append(fc)
    if not failures:
        return pd.DataFrame(columns=["table", "column", "check", "failure_case", "index", "report_id"])
    return pd.concat(failures, ignore_index=True)


GC_EVERY = 200
"""Reports parsed between two collections of the young generations while a batch runs (see `_gc_paused`)."""


@contextmanager
def _gc_paused():
    """The cyclic garbage collector off while a batch parses, collecting young objects every
    GC_EVERY reports instead. A batch allocates millions of small objects that live until its
    frames are built (cells, lines); the automatic collections scanned them again and again,
    10-25 % of a batch's CPU time. Reference counting still frees everything else at once."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_batch(items: Iterable[BatchItem | str | Path], *, validate: bool = True) -> Batch:
    with _gc_paused():
        return _parse_batch(items, validate=validate)


def _parse_batch(items: Iterable[BatchItem | str | Path], *, validate: bool) -> Batch:
    reports: list[ParsedReport] = []
    rejected: list[Rejection] = []
    seen: dict[str, str] = {}
    for n, item in enumerate(items, 1):
        if n % GC_EVERY == 0:
            gc.collect(1)
        if not isinstance(item, BatchItem):
            item = BatchItem(path=item)
        result = parse_one(item)
        if isinstance(result, Rejection):
            rejected.append(result)
        elif result.report_id in seen:
            rejected.append(Rejection(result.source_file, result.report_id, "duplicate",
                                      f"same bytes as {seen[result.report_id]} in this batch"))
        else:
            seen[result.report_id] = result.source_file
            reports.append(result)
    frames, reports, unframed = safe_frames(reports)
    rejected.extend(unframed)
    errors = validate_frames(frames) if validate else None
    if errors is not None and len(errors):
        bad = {rid for rid in errors["report_id"].dropna()}
        # Failures that cannot be tied to a row (a missing column) block the whole batch.
        if errors["report_id"].isna().any():
            bad = {r.report_id for r in reports}
        for r in reports:
            if r.report_id in bad:
                mine = errors[errors["report_id"] == r.report_id] if r.report_id in set(errors["report_id"]) else errors
                first = mine.iloc[0]
                rejected.append(Rejection(r.source_file, r.report_id, "schema_violation",
                                          f"{len(mine)} schema failures, first: {first['table']}.{first['column']} "
                                          f"{first['check']} ({first['failure_case']!r})"))
        reports = [r for r in reports if r.report_id not in bad]
        frames = {t: df[~df["report_id"].isin(bad)].reset_index(drop=True) for t, df in frames.items()}
    return Batch(frames=frames, rejected=rejected, reports=reports, schema_errors=errors)
