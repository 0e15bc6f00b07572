"""Corrections are data: a person's decision on a cell, kept in the lake and applied by curation.

`corrections/corrections.jsonl` holds one JSON object per line, appended, never edited:

    {"agency": "平潭综合实验区", "year": 2023, "report_id": "9f…", "cell": "applications.granted.natural_person",
     "value": 12, "reviewer": "li", "reason": "the PDF prints 12 | 3; the text dump ran them together",
     "date": "2026-12-01T23:10:00+00:00", "override": false}

* the target is `report_id` (that report only) or `agency` + `year` (whatever report is current
  for that agency-year); the CLI writes all three;
* `cell` is a cell key `<table>.<a>.<b>` (disclosure.review.split_cell_key); `value` is a number,
  or null for "printed blank";
* a value that is not among an ambiguous cell's candidates is refused unless `override` is true;
* for one target and cell the last line wins; earlier lines are `superseded`.

`read_corrections` validates every line (bad JSON, missing fields, unknown cell keys, a
non-integer count → `CorrectionError` naming the file and line). `apply_corrections` is pure:
it returns the frames with each correction applied (value set, flags `['corrected']`, the
parser's value and flags kept in `original_value` / `original_flags`) and one `Outcome` per line.
Curation calls `corrected_frames`; `audit_corrections` says, for each line, whether the lake
shows it (applied) or why not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from disclosure.lake import Lake, _atomic_write_bytes
from disclosure.review import CELL_TABLES, key_columns, read_partition, split_cell_key
from disclosure.schema import TABLES

CORRECTED = "corrected"
"""The flag of a corrected cell (vocabulary.INFO_FLAGS)."""

REQUIRED_FIELDS: tuple[str, ...] = ("cell", "value", "reviewer", "reason", "date")
"""Fields every line must have (besides a target: report_id, or agency and year)."""

STATUSES: dict[str, str] = {
    "applied": "the curated cell shows the correction",
    "superseded": "a later line corrects the same cell of the same target",
    "pending": "valid, but its partition was not re-curated since (the corrections sensor requests it)",
    "no_partition": "no curated partition for its agency-year",
    "stale_report": "names a report that is no longer the current one of its agency-year",
    "unknown_cell": "the report has no such cell",
    "not_a_candidate": "the value is not among the ambiguous cell's candidates (and override is not set)",
    "invalid": "the line is not a valid correction",
}
"""What became of a correction line (`disclosure audit` counts them; all but applied/superseded are named)."""


WARNING_STATUSES: dict[str, str] = {"pending": "correction_pending", "stale_report": "correction_stale"}
"""Statuses the audit reports as warnings (the sensor will apply it; the report was replaced); every
other status but applied/superseded is a problem, `correction_rejected`: a person has to fix the line."""


class CorrectionError(ValueError):
    """A correction line that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Correction:
    cell: str
    value: float | None
    reviewer: str
    reason: str
    date: str
    report_id: str | None = None
    agency: str | None = None
    year: int | None = None
    override: bool = False
    line: int = 0  # 1-based line of the corrections file (0: not yet written)

    @property
    def table(self) -> str:
        return self.cell.split(".", 1)[0]

    @property
    def target(self) -> str:
        return self.report_id or f"{self.agency}|{self.year}"

    def to_json(self) -> str:
        d = {k: x for k, x in asdict(self).items() if k != "line"}
        if d["value"] is not None and float(d["value"]).is_integer():
            d["value"] = int(d["value"])
        return json.dumps(d, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Outcome:
    line: int
    status: str  # one of STATUSES
    detail: str
    correction: Correction | None = None


def corrections_path(lake: Lake) -> Path:
    return lake.root / "corrections" / "corrections.jsonl"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _is_count_table(table: str) -> bool:
    return next(c for c in TABLES[table].columns if c.name == "value").dtype == "Int64"


def parse_line(text: str, line: int, where: str = "corrections.jsonl") -> Correction:
    """One line → a Correction, or CorrectionError naming `where:line` and what is wrong."""
    at = f"{where}:{line}"
    try:
        d = json.loads(text)
    except ValueError as e:
        raise CorrectionError(f"{at}: not a JSON object ({e})") from None
    if not isinstance(d, dict):
        raise CorrectionError(f"{at}: not a JSON object")
    missing = [k for k in REQUIRED_FIELDS if k not in d]
    if missing:
        raise CorrectionError(f"{at}: missing field(s) {', '.join(missing)}")
    if not d.get("report_id") and not (d.get("agency") and d.get("year") is not None):
        raise CorrectionError(f"{at}: names no target (report_id, or agency and year)")
    try:
        table, _, _ = split_cell_key(str(d["cell"]))
    except ValueError as e:
        raise CorrectionError(f"{at}: {e}") from None
    value = d["value"]
    if value is not None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CorrectionError(f"{at}: value {value!r} is not a number (or null)")
        if _is_count_table(table) and (not float(value).is_integer() or value < 0):
            raise CorrectionError(f"{at}: {d['cell']} is a count: value {value!r} must be a whole number ≥ 0")
    for k in ("reviewer", "reason"):
        if not str(d[k] or "").strip():
            raise CorrectionError(f"{at}: {k} is empty (say who decided, and why)")
    try:
        datetime.fromisoformat(str(d["date"]))
    except ValueError:
        raise CorrectionError(f"{at}: date {d['date']!r} is not an ISO date") from None
    year = d.get("year")
    if year is not None and (isinstance(year, bool) or not str(year).isdigit()):
        raise CorrectionError(f"{at}: year {year!r} is not a year")
    return Correction(cell=str(d["cell"]), value=None if value is None else float(value), reviewer=str(d["reviewer"]),
                      reason=str(d["reason"]), date=str(d["date"]), report_id=d.get("report_id") or None,
                      agency=d.get("agency") or None, year=None if year is None else int(year),
                      override=bool(d.get("override", False)), line=line)


@dataclass
class CorrectionsFile:
    """Every line of the corrections file: the valid ones, and the invalid ones with their error."""

    corrections: list[Correction] = field(default_factory=list)
    invalid: list[Outcome] = field(default_factory=list)
    sha256: str = ""
    n_lines: int = 0


def read_corrections(lake: Lake) -> CorrectionsFile:
    """Parse the corrections file (missing file: no corrections). Invalid lines are kept as Outcomes."""
    import hashlib

    path = corrections_path(lake)
    out = CorrectionsFile()
    if not path.exists():
        return out
    data = path.read_bytes()
    out.sha256 = hashlib.sha256(data).hexdigest()
    for i, text in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        out.n_lines = i
        if not text.strip():
            continue
        try:
            out.corrections.append(parse_line(text, i, str(path)))
        except CorrectionError as e:
            out.invalid.append(Outcome(i, "invalid", str(e)))
    return out


def append_correction(lake: Lake, c: Correction) -> Correction:
    """Append one correction (validated first) to the file: the whole file is rewritten atomically
    under a lock, so a reader sees the old file or the new one, and two writers never lose a line."""
    import fcntl

    parse_line(c.to_json(), 0, "new correction")  # the same validation as a line of the file
    path = corrections_path(lake)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.parent / ".corrections.lock"
    with open(lock, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        old = path.read_bytes() if path.exists() else b""
        if old and not old.endswith(b"\n"):
            old += b"\n"  # a torn last line stays a line of its own (reported as invalid)
        line = old.count(b"\n") + 1
        _atomic_write_bytes(path, old + (c.to_json() + "\n").encode("utf-8"))
    return Correction(**{**asdict(c), "line": line})


# --------------------------------------------------------------------------- applying


def _matches(c: Correction, report_id: str, agency: str, year: int) -> bool:
    if c.report_id is not None:
        return c.report_id == report_id and (c.agency is None or c.agency == agency) and (c.year is None or c.year == year)
    return c.agency == agency and c.year == year


def latest(corrections: Iterable[Correction]) -> tuple[dict[tuple[str, str], Correction], list[Outcome]]:
    """The last correction per (target, cell), and `superseded` outcomes for the earlier ones."""
    last: dict[tuple[str, str], Correction] = {}
    superseded: list[Outcome] = []
    for c in corrections:
        k = (c.target, c.cell)
        if k in last:
            superseded.append(Outcome(last[k].line, "superseded", f"superseded by line {c.line}", last[k]))
        last[k] = c
    return last, superseded


def _candidates(x: object) -> list[float]:
    if x is None or x is pd.NA or isinstance(x, float):
        return []
    return [float(y) for y in x]  # type: ignore[union-attr]


def _flags(x: object) -> list[str]:
    if x is None or x is pd.NA or isinstance(x, float):
        return []
    return [str(f) for f in x]  # type: ignore[union-attr]


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and x != x)


def _show(x: float | None) -> str:
    return "null" if x is None else f"{x:g}"


def apply_corrections(frames: Mapping[str, pd.DataFrame], corrections: Sequence[Correction]
                      ) -> tuple[dict[str, pd.DataFrame], list[Outcome]]:
    """The frames with the corrections applied, and what became of each correction (pure).

    `frames` are curated tables (the cell tables are changed, the others passed through). A
    correction whose target has no rows in `frames` gets no outcome here (it belongs to another
    batch). The last line per target and cell wins."""
    last, outcomes = latest(corrections)
    out = dict(frames)
    by_table: dict[str, list[Correction]] = {}
    for c in last.values():
        by_table.setdefault(c.table, []).append(c)
    for table, cs in by_table.items():
        df = frames.get(table)
        if df is None or not len(df):
            continue
        a_col, b_col = key_columns(table)
        reports = df[["report_id", "agency", "year"]].drop_duplicates().to_dict("records")
        cols = {c: df[c].tolist() for c in ("value", "flags", "candidates", "original_value", "original_flags")}
        changed = False
        index = {(str(r), str(a), str(b)): i for i, (r, a, b) in
                 enumerate(zip(df["report_id"], df[a_col], df[b_col], strict=True))}
        for c in cs:
            targets = [r for r in reports if _matches(c, str(r["report_id"]), str(r["agency"]), int(r["year"]))]
            if not targets:
                continue
            _, a, b = split_cell_key(c.cell)
            for r in targets:
                i = index.get((str(r["report_id"]), a, b))
                if i is None:
                    outcomes.append(Outcome(c.line, "unknown_cell", f"report {str(r['report_id'])[:12]} "
                                            f"({r['agency']} {r['year']}) has no cell {c.cell}", c))
                    continue
                flags = _flags(cols["flags"][i])
                cands = _candidates(cols["candidates"][i])
                if "ambiguous" in flags and cands and c.value not in cands and not c.override:
                    outcomes.append(Outcome(c.line, "not_a_candidate", f"{c.cell} is ambiguous: value "
                                            f"{_show(c.value)} is not among its candidates "
                                            f"{[_show(x) for x in cands]} (set override to true to enter another "
                                            "value)", c))
                    continue
                if CORRECTED not in flags:  # a re-applied correction keeps the parser's originals
                    cols["original_value"][i] = cols["value"][i]
                    cols["original_flags"][i] = flags
                cols["value"][i] = c.value
                cols["flags"][i] = [CORRECTED]
                changed = True
                outcomes.append(Outcome(c.line, "applied", f"{c.cell} of {r['agency']} {r['year']} = "
                                        f"{_show(c.value)} ({c.reviewer}: {c.reason})", c))
        if changed:
            df = df.copy()
            dtypes = {col.name: col.pandas_dtype for col in TABLES[table].columns}
            for name, data in cols.items():
                df[name] = pd.array([None if _missing(x) else x for x in data], dtype=dtypes[name])
            out[table] = df
    return out, outcomes


def corrected_frames(lake: Lake, frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Curation's hook: `frames` with the lake's valid corrections applied (unchanged without a file)."""
    if not corrections_path(lake).exists():
        return dict(frames)
    return apply_corrections(frames, read_corrections(lake).corrections)[0]


# --------------------------------------------------------------------------- where corrections point


def partition_of(lake: Lake, c: Correction) -> tuple[str, int] | None:
    """The agency-year a correction belongs to: its own fields, or the raw file named report_id."""
    if c.agency and c.year is not None:
        return c.agency, c.year
    from disclosure.lake import decode_agency_key

    for p in lake.raw.glob(f"year=*/agency=*/{c.report_id}.json"):
        return decode_agency_key(p.parent.name.split("=", 1)[1]), int(p.parent.parent.name.split("=", 1)[1])
    return None


def affected_partitions(lake: Lake, corrections: Iterable[Correction]) -> list[tuple[str, int]]:
    """The agency-years whose curated partition must be re-materialized for `corrections`."""
    out: list[tuple[str, int]] = []
    for c in corrections:
        p = partition_of(lake, c)
        if p is not None and p not in out:
            out.append(p)
    return out


def audit_corrections(lake: Lake) -> list[Outcome]:
    """What became of every line of the corrections file, judged on the curated zone."""
    f = read_corrections(lake)
    last, outcomes = latest(f.corrections)
    outcomes = [*f.invalid, *outcomes]
    cache: dict[tuple[str, int], dict[str, pd.DataFrame] | None] = {}
    for c in last.values():
        part = partition_of(lake, c)
        if part is None:
            outcomes.append(Outcome(c.line, "no_partition", f"no raw file is named {c.report_id}", c))
            continue
        if part not in cache:
            cache[part] = read_partition(lake, *part, tables=("reports", *CELL_TABLES))
        frames = cache[part]
        if frames is None or not len(frames["reports"]):
            outcomes.append(Outcome(c.line, "no_partition", f"no curated partition {part[0]}|{part[1]}", c))
            continue
        rid = str(frames["reports"]["report_id"].iloc[0])
        if c.report_id is not None and c.report_id != rid:
            outcomes.append(Outcome(c.line, "stale_report", f"names report {c.report_id[:12]}, the current report of "
                                    f"{part[0]}|{part[1]} is {rid[:12]}", c))
            continue
        df = frames[c.table]
        _, a, b = split_cell_key(c.cell)
        a_col, b_col = key_columns(c.table)
        row = df[(df[a_col] == a) & (df[b_col] == b)]
        if not len(row):
            outcomes.append(Outcome(c.line, "unknown_cell", f"report {rid[:12]} has no cell {c.cell}", c))
            continue
        r = row.iloc[0]
        flags = _flags(r["flags"])
        value = None if pd.isna(r["value"]) else float(r["value"])
        if CORRECTED in flags and value == c.value:
            outcomes.append(Outcome(c.line, "applied", f"{c.cell} = {value}", c))
            continue
        cands = _candidates(r["candidates"])
        if "ambiguous" in flags and cands and c.value not in cands and not c.override:
            outcomes.append(Outcome(c.line, "not_a_candidate", f"value {c.value} is not among {cands}", c))
            continue
        outcomes.append(Outcome(c.line, "pending", f"{part[0]}|{part[1]} not re-curated since the correction", c))
    return sorted(outcomes, key=lambda o: o.line)


def write_all(lake: Lake, corrections: Iterable[Correction]) -> None:
    """Tests and tools: write a corrections file from scratch (atomically)."""
    path = corrections_path(lake)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_bytes(path, "".join(c.to_json() + "\n" for c in corrections).encode("utf-8"))


__all__ = [
    "CORRECTED", "STATUSES", "Correction", "CorrectionError", "CorrectionsFile", "Outcome", "affected_partitions",
    "append_correction", "apply_corrections", "audit_corrections", "corrected_frames", "corrections_path",
    "parse_line", "read_corrections",
]
