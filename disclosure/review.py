"""The review queue: every cell and identity a person has to look at, without Dagster.

A row of the queue is one of

* a **cell** whose flags include one of `REVIEW_FLAGS` (the parser could not justify its value,
  or justified it only by an assumption), or a cell a person already corrected (flag
  `corrected`, status `corrected`, with the parser's flags in `original_flags`);
* a **failed identity** of the report's own arithmetic (`validation_issues.status = fail`):
  the printed numbers stay, the failure is shown with both sums.

Each row carries what a reviewer needs: the printed text, the candidates, where the text was
found (`where`, a `Line.where` of the reader's Document) and the source file (raw path and
SHA-256). The queue is a lake table, `review/queue/year=YYYY/part-0.parquet` (one file per
year, written atomically); `build_queue(lake, year)` rebuilds it from the curated zone, so it is
never more than a view of the lake.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from disclosure import identities as ids
from disclosure.lake import PART_FILE, Lake, WriteResult, raw_history, read_curated, write_parquet_atomic
from disclosure.schema import TABLES, Column

REVIEW_FLAGS: dict[str, str] = {
    "ambiguous": "choose among the candidates (the digits ran together, or two printings disagree)",
    "not_found": "the cell was not found on the page: read it from the source, or confirm it is absent",
    "unparsed": "the printed text fits no number form: read the number, or confirm there is none",
    "conflicting_duplicate": "the cell is printed twice with different numbers: choose the right one",
    "negative": "a count printed negative: confirm or correct it",
    "unit_assumed": "no unit printed for a money cell: confirm the unit (万元) or correct the value",
    "implausible": "far beyond anything one body prints: confirm or correct it",
    "position_assumed": "placed by template order (the column header was unreadable): confirm the column",
    "header_mismatch": "the printed column header does not fit the template: read the right value",
}
"""Cell flags that need a person, and what the person has to decide.

All the parser's *warning* flags (vocabulary.WARNING_FLAGS) are here: each says the value is null
or rests on an assumption the page does not justify. The *info* flags (split_digits, annotated,
unit_converted, merged_row, merged_cell, blank_placed, footnote) are left out: they record how a
justified value was read (its printed text is kept) and need no decision. `corrected` is the
outcome of a review, listed with status `corrected`."""

IDENTITY_FLAG = "identity_failed"
"""The `flags` of a queue row for a failed identity."""

CELL_TABLES: tuple[str, ...] = ("active_disclosure", "applications", "review_litigation")
"""Tables of printed cells. A cell is named `<table>.<a>.<b>`, `a`, `b` being the table's key
columns after report_id (schema.TABLES[...].key), e.g. applications.granted.natural_person."""


def key_columns(table: str) -> tuple[str, str]:
    """The two columns that name a cell of `table` (from the schema's table key)."""
    a, b = TABLES[table].key[1:]
    return a, b


def cell_key(table: str, a: str, b: str) -> str:
    return f"{table}.{a}.{b}"


def split_cell_key(key: str) -> tuple[str, str, str]:
    """`applications.withheld.state_secret.total` → (applications, withheld.state_secret, total).

    Raises ValueError naming the key when it is no cell of a cell table."""
    table, _, rest = key.partition(".")
    if table not in CELL_TABLES or "." not in rest:
        raise ValueError(f"{key!r} is not a cell key (<table>.<a>.<b>, table one of {', '.join(CELL_TABLES)})")
    if table == "applications":  # row keys may contain a dot (withheld.state_secret): the applicant is last
        a, _, b = rest.rpartition(".")
    else:
        a, _, b = rest.partition(".")
    ca, cb = (c for c in TABLES[table].columns if c.name in key_columns(table))
    if (ca.isin is not None and a not in ca.isin) or (cb.isin is not None and b not in cb.isin):
        raise ValueError(f"{key!r} is not a cell of {table}: {ca.name} {a!r} / {cb.name} {b!r} unknown")
    return table, a, b


QUEUE_COLUMNS: tuple[Column, ...] = (
    Column("year", "Int64", "statistical year (hive partition column of the queue)"),
    Column("agency", "string", "reporting body (partition key)"),
    Column("report_id", "string", "SHA-256 of the raw file"),
    Column("item", "string", "cell or identity", isin=("cell", "identity")),
    Column("key", "string", "cell key (applications.granted.natural_person) or identity name (applications.balance[total])"),
    Column("status", "string", "open (needs a person) or corrected (a correction was applied)", isin=("open", "corrected")),
    Column("flags", "list[string]", "the review flags of the cell (REVIEW_FLAGS), or identity_failed"),
    Column("reason", "string", "what the person has to decide"),
    Column("value", "Float64", "the value in the lake (None for a null cell; Σ lhs for an identity)", nullable=True),
    Column("candidates", "list[Float64]", "the values an ambiguous cell could have", nullable=True),
    Column("raw_text", "string", "the cell's text as printed", nullable=True),
    Column("where", "string", "where the text was found in the source (line / table row / page)", nullable=True),
    Column("original_value", "Float64", "the parser's value before a correction", nullable=True),
    Column("original_flags", "list[string]", "the parser's flags before a correction", nullable=True),
    Column("lhs", "Float64", "identity: left-hand side as printed", nullable=True),
    Column("rhs", "Float64", "identity: right-hand side as printed", nullable=True),
    Column("detail", "string", "identity: the formula with the report's numbers", nullable=True),
    Column("cells", "list[string]", "identity: the cells it sums (cell keys)", nullable=True),
    Column("source_file", "string", "the file name as received", nullable=True),
    Column("raw_path", "string", "the raw file in the lake, relative to the lake root", nullable=True),
)
"""Columns of `review/queue/year=YYYY/part-0.parquet` (described once, as the lake tables in schema.py)."""


def queue_path(lake: Lake, year: int) -> Path:
    return lake.root / "review" / "queue" / f"year={year}" / PART_FILE


def empty_queue() -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series([], dtype=c.pandas_dtype) for c in QUEUE_COLUMNS})


def _flags(x: object) -> list[str]:
    return [str(f) for f in x] if x is not None and not isinstance(x, float) and x is not pd.NA else []


def _opt(x: object) -> object:
    if x is None or x is pd.NA or (isinstance(x, float) and x != x):
        return None
    return x


def _floats(xs: object) -> list[float] | None:
    if xs is None or xs is pd.NA or isinstance(xs, float):
        return None
    return [float(x) for x in xs]  # type: ignore[union-attr]


@dataclass(frozen=True)
class Source:
    """Where a report came from: the file as received and its raw copy (relative to the lake root)."""

    source_file: str | None
    raw_path: str | None


def review_flags(flags: Iterable[str]) -> list[str]:
    """The flags of a cell that need a person, in REVIEW_FLAGS order."""
    have = set(flags)
    return [f for f in REVIEW_FLAGS if f in have]


def cell_items(frames: Mapping[str, pd.DataFrame], sources: Mapping[str, Source]) -> list[dict]:
    """Queue rows of the flagged and corrected cells of `frames` (curated cell tables)."""
    out: list[dict] = []
    for table in CELL_TABLES:
        df = frames.get(table)
        if df is None or not len(df):
            continue
        a_col, b_col = key_columns(table)
        for r in df.to_dict("records"):
            flags = _flags(r["flags"])
            corrected = "corrected" in flags
            need = review_flags(flags)
            if not need and not corrected:
                continue
            original = _flags(r.get("original_flags"))
            src = sources.get(str(r["report_id"]), Source(None, None))
            out.append({
                "year": int(r["year"]), "agency": str(r["agency"]), "report_id": str(r["report_id"]), "item": "cell",
                "key": cell_key(table, r[a_col], r[b_col]), "status": "corrected" if corrected else "open",
                "flags": need if not corrected else ["corrected"],
                "reason": ("corrected by a person (was: " + (", ".join(original) or "no flag") + ")") if corrected
                else "; ".join(REVIEW_FLAGS[f] for f in need),
                "value": _opt(r["value"]), "candidates": _floats(r.get("candidates")), "raw_text": _opt(r["raw_text"]),
                "where": _opt(r["where"]), "original_value": _opt(r.get("original_value")),
                "original_flags": original if corrected else None, "lhs": None, "rhs": None, "detail": None,
                "cells": None, "source_file": src.source_file, "raw_path": src.raw_path,
            })
    return out


def identity_cells(check: str, scope: str, rows: Iterable[str]) -> list[str]:
    """The cell keys an identity sums (both sides), for the report's table 三 layout."""
    layout = ids.layout_of_rows(rows)
    for i in ids.report_identities(layout):
        if i.check == check and i.scope == scope:
            return [cell_key(i.table, a, b) for a, b in i.operands]
    return []


def identity_items(frames: Mapping[str, pd.DataFrame], sources: Mapping[str, Source]) -> list[dict]:
    """Queue rows of the failed identities (validation_issues with status fail)."""
    issues = frames.get("validation_issues")
    if issues is None or not len(issues):
        return []
    fails = issues[issues["status"] == "fail"]
    apps = frames.get("applications")
    rows_of: dict[str, set[str]] = {}
    if apps is not None and len(apps):
        for rid, part in apps.groupby("report_id", sort=False):
            rows_of[str(rid)] = set(part["row"].astype(str))
    out = []
    for r in fails.to_dict("records"):
        rid = str(r["report_id"])
        src = sources.get(rid, Source(None, None))
        lhs, rhs = _opt(r["lhs"]), _opt(r["rhs"])
        diff = f" (differ by {abs(float(lhs) - float(rhs)):g})" if lhs is not None and rhs is not None else ""
        out.append({
            "year": int(r["year"]), "agency": str(r["agency"]), "report_id": rid, "item": "identity",
            "key": f"{r['check']}[{r['scope']}]", "status": "open", "flags": [IDENTITY_FLAG],
            "reason": f"the report's own numbers do not balance{diff}: check the printed cells, or confirm the report is wrong",
            "value": lhs, "candidates": None, "raw_text": None, "where": None, "original_value": None,
            "original_flags": None, "lhs": lhs, "rhs": rhs, "detail": _opt(r["detail"]),
            "cells": identity_cells(str(r["check"]), str(r["scope"]), rows_of.get(rid, ())),
            "source_file": src.source_file, "raw_path": src.raw_path,
        })
    return out


def queue_frame(frames: Mapping[str, pd.DataFrame], sources: Mapping[str, Source]) -> pd.DataFrame:
    """The queue of one batch of curated frames (pure): cells first, then identities, per report."""
    rows = cell_items(frames, sources) + identity_items(frames, sources)
    if not rows:
        return empty_queue()
    df = pd.DataFrame.from_records(rows, columns=[c.name for c in QUEUE_COLUMNS])
    df = df.sort_values(["year", "agency", "item", "key"], kind="stable").reset_index(drop=True)
    return pd.DataFrame({c.name: pd.array(df[c.name].tolist(), dtype=c.pandas_dtype) for c in QUEUE_COLUMNS})


def sources_of(lake: Lake, reports: pd.DataFrame) -> dict[str, Source]:
    """report_id → its source file and raw path, from the curated `reports` rows and the raw receipts."""
    out: dict[str, Source] = {}
    for r in reports[["report_id", "agency", "year", "source_file"]].to_dict("records"):
        rid = str(r["report_id"])
        raw = next((f for f in raw_history(lake, str(r["agency"]), int(r["year"])) if f.sha256 == rid), None)
        rel = Path(raw.path(lake)).relative_to(Path(str(lake.root))).as_posix() if raw else None
        out[rid] = Source(_opt(r["source_file"]), rel)  # type: ignore[arg-type]
    return out


def curated_frames(lake: Lake, year: int) -> dict[str, pd.DataFrame]:
    """The curated tables the queue reads, for one year."""
    return {t: read_curated(lake, t, year=year) for t in REVIEW_TABLES}


REVIEW_TABLES: tuple[str, ...] = ("reports", *CELL_TABLES, "validation_issues")
"""The curated tables the queue and the pages read (not the narrative sections)."""


def read_partition(lake: Lake, agency: str, year: int, tables: Iterable[str] = REVIEW_TABLES
                   ) -> dict[str, pd.DataFrame] | None:
    """The curated tables of one agency-year (None when its `reports` file is missing).

    Columns are the schema's, as pyarrow-backed pandas dtypes (no per-column cast: a page reads
    five small files, and the cast cost more than the rest of the page)."""
    import pyarrow.parquet as pq

    from disclosure.lake import arrow_schema

    if not lake.curated_path("reports", year, agency).exists():
        return None
    out = {}
    for t in tables:
        path = lake.curated_path(t, year, agency)
        if not path.exists():
            out[t] = pd.DataFrame({c.name: pd.Series([], dtype=c.pandas_dtype) for c in TABLES[t].columns})
            continue
        df = pq.read_table(str(path), schema=arrow_schema(t)).to_pandas(types_mapper=pd.ArrowDtype)
        df.insert(0, "agency", agency)
        df.insert(0, "year", year)
        out[t] = df[TABLES[t].column_names]
    return out


def build_queue_for(lake: Lake, frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The queue of some curated frames (one partition, one year), with their sources."""
    return queue_frame(frames, sources_of(lake, frames["reports"]))


def build_queue(lake: Lake, year: int) -> pd.DataFrame:
    """The review queue of one year, from the curated zone."""
    return build_queue_for(lake, curated_frames(lake, year))


def queue_arrow_schema():
    import pyarrow as pa

    return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in QUEUE_COLUMNS if c.name != "year"])


def write_queue(lake: Lake, year: int, queue: pd.DataFrame) -> WriteResult:
    """Write one year's queue atomically (`year` is the hive partition column, not stored)."""
    import pyarrow as pa

    schema = queue_arrow_schema()
    arrow = pa.Table.from_pandas(queue[schema.names], schema=schema, preserve_index=False)
    path = queue_path(lake, year)
    sha, n = write_parquet_atomic(path, arrow, lake=lake)
    return WriteResult(table="review_queue", path=str(path), rows=arrow.num_rows, sha256=sha, n_bytes=n)


def read_queue(lake: Lake, year: int) -> pd.DataFrame | None:
    """One year's stored queue (None when it was not built)."""
    import pyarrow.parquet as pq

    path = queue_path(lake, year)
    if not path.exists():
        return None
    df = pq.read_table(str(path)).to_pandas(types_mapper=pd.ArrowDtype)
    df.insert(0, "year", year)
    return pd.DataFrame({c.name: df[c.name].astype(c.pandas_dtype) for c in QUEUE_COLUMNS})


def curated_years(lake: Lake) -> list[int]:
    base = lake.curated / "reports"
    return sorted(int(p.name.split("=", 1)[1]) for p in base.glob("year=*") if p.is_dir()) if base.is_dir() else []


def filter_queue(queue: pd.DataFrame, *, agency: str | None = None, flag: str | None = None,
                 status: str | None = None) -> pd.DataFrame:
    """The queue rows of one agency, carrying one flag, or in one status."""
    keep = pd.Series(True, index=queue.index)
    if agency is not None:
        keep &= queue["agency"] == agency
    if flag is not None:
        keep &= pd.Series([flag in _flags(f) for f in queue["flags"]], index=queue.index)
    if status is not None:
        keep &= queue["status"] == status
    return queue[keep.astype(bool)].reset_index(drop=True)


# --------------------------------------------------------------------------- source excerpts


@dataclass(frozen=True)
class Excerpt:
    """The printed lines around a cell: (where, text) pairs, and the index of the cell's own line."""

    lines: tuple[tuple[str, str], ...]
    hit: int | None

    def text(self, mark: str = "▶ ", raw_text: str | None = None) -> str:
        pad = " " * len(mark)
        return "\n".join(
            f"{mark if i == self.hit else pad}{w}: "
            + clip(t, raw_text if i == self.hit else None, EXCERPT_HIT_CHARS if i == self.hit else EXCERPT_CHARS)
            for i, (w, t) in enumerate(self.lines))


EXCERPT_CHARS = 160
EXCERPT_HIT_CHARS = 400
"""Characters of an excerpt line kept around the cell (crawler text puts a whole page on one line)."""


def clip(text: str, around: str | None, limit: int) -> str:
    """`text` cut to `limit` characters, centred on `around` when it is printed there."""
    if len(text) <= limit:
        return text
    at = text.find(around) if around else -1
    start = 0 if at < 0 else max(0, min(at - limit // 2, len(text) - limit))
    return ("…" if start else "") + text[start:start + limit] + ("…" if start + limit < len(text) else "")


def line_text(cells) -> str:
    """A Line's printed text, cells separated by ' | ' (rowspan copies left out)."""
    return " | ".join(c.text for c in cells if not getattr(c, "rowspan_copy", False))


def excerpt(doc, where: str | None, raw_text: str | None = None, *, context: int = 2) -> Excerpt:
    """The lines of `doc` (a reader Document) around the line `where` names.

    A cell found by position has its Line's `where`; a cell with no `where` (not found) is
    looked up by its printed text; failing both, the excerpt is empty (hit None)."""
    lines = doc.lines
    idx = next((i for i, ln in enumerate(lines) if where and ln.where == where), None)
    if idx is None and raw_text:
        idx = next((i for i, ln in enumerate(lines) if raw_text in line_text(ln.cells)), None)
    if idx is None:
        return Excerpt((), None)
    lo, hi = max(0, idx - context), min(len(lines), idx + context + 1)
    return Excerpt(tuple((ln.where, line_text(ln.cells)) for ln in lines[lo:hi]), idx - lo)


def read_document(lake: Lake, raw_path: str):
    """The reader's Document of a raw file (format sniffed as the parser does)."""
    from disclosure.readers import read

    path = Path(str(lake.root)) / raw_path
    return read(path.read_bytes(), str(path))


__all__ = [
    "CELL_TABLES", "IDENTITY_FLAG", "QUEUE_COLUMNS", "REVIEW_FLAGS", "Excerpt", "Source", "build_queue", "cell_key",
    "excerpt", "filter_queue", "queue_frame", "queue_path", "read_document", "read_queue", "split_cell_key",
    "write_queue",
]
