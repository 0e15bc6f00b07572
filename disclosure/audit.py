"""Lake accounting without Dagster: every input file is accounted for, or named.

    from disclosure.audit import audit_lake
    result = audit_lake(Lake.at("data_lake"))
    result.ok, result.problems, result.summary(), result.to_dict()

Reconciles four places, by content hash (SHA-256 of the bytes = `report_id` downstream):

* **inbox** — every file (as the inbox sensor lists it) must be in the raw zone or in the
  quarantine ledger (`inbox_unaccounted` otherwise: the sensor has not read it yet, or it
  was lost);
* **raw zone** — every receipt has its bytes, and the bytes hash to the name
  (`raw_missing_bytes`, `raw_hash_mismatch`); the current file of each agency-year is curated
  (its `reports.report_id`) or quarantined (`not_curated`, `stale_curated` otherwise);
* **curated** — each agency-year partition holds all six tables, one `reports` row, rows of
  one report only, no duplicate keys, and comes from a raw file of its agency-year
  (`incomplete_partition`, `mixed_partition`, `duplicate_keys`, `orphan_curated`,
  `unreadable_parquet`);
* **identity** — no two reports share an agency-year unless one is a revision of the other
  (`identity_collision`: both raw files are kept, one is curated, see disclosure/collisions.py);
* **quarantine ledger** — every line parses and the bytes it kept are there
  (`ledger_corrupt_line`, `quarantine_missing_bytes`);
* **content hashes** — every curated, warehouse and mart file hashes to a SHA-256 the lake
  manifest (`hashes.jsonl`) recorded for it when it was written (`content_hash_mismatch`,
  naming the file; a flipped byte in a value page may still read, as nulls). A file the
  manifest does not know (a lake written before it existed) is a warning, `unrecorded_file`.

Warnings never change the exit status: temp files left by an interrupted write, raw bytes
without a receipt (an interrupted copy, redone by the next tick), a partition still curated
from a superseded file because the current one was rejected, a warehouse year that differs
from its curated partitions (the year refresh has not run yet).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from disclosure.collisions import choose_current, decisions_by_partition, open_collisions
from disclosure.keys import join_key
from disclosure.lake import (
    PART_FILE,
    Lake,
    RawFile,
    decode_agency_key,
    read_hashes,
    scan_inbox,
    sha256_bytes,
)
from disclosure.lake.parquet import WIDE_TABLES, warehouse_is_current, wide_path, wide_table_name
from disclosure.schema import TABLES

PROBLEM_KINDS = (
    "inbox_unaccounted",
    "raw_missing_bytes",
    "raw_hash_mismatch",
    "not_curated",
    "stale_curated",
    "orphan_curated",
    "incomplete_partition",
    "mixed_partition",
    "duplicate_keys",
    "unreadable_parquet",
    "ledger_corrupt_line",
    "quarantine_missing_bytes",
    "identity_collision",
    "content_hash_mismatch",
    "correction_rejected",
)
WARNING_KINDS = ("temp_file_leftover", "raw_orphan_bytes", "curated_from_superseded", "warehouse_stale",
                 "unrecorded_file", "correction_pending", "correction_stale")


@dataclass(frozen=True)
class Finding:
    kind: str
    subject: str
    detail: str


@dataclass
class AuditResult:
    lake_root: str
    inbox_files: int = 0
    inbox_in_raw: int = 0
    inbox_quarantined: int = 0
    raw_files: int = 0
    raw_current: int = 0
    raw_superseded: int = 0
    partitions_curated: int = 0
    partitions_quarantined: int = 0
    quarantine_entries: int = 0
    corrections: int = 0  # lines of corrections/corrections.jsonl (disclosure/corrections.py)
    corrections_applied: int = 0
    corrections_superseded: int = 0
    problems: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def exit_status(self) -> int:
        return 0 if self.ok else 1

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}

    def to_dict(self) -> dict[str, object]:
        return {
            "lake_root": self.lake_root,
            "ok": self.ok,
            **self.counts(),
            "problems": [asdict(f) for f in self.problems],
            "warnings": [asdict(f) for f in self.warnings],
        }

    def summary(self, limit: int = 20) -> str:
        c = self.counts()
        lines = [
            f"lake {self.lake_root}: " + ("every input file is accounted for" if self.ok else
                                          f"{len(self.problems)} problem(s): not everything is accounted for"),
            f"  inbox: {c['inbox_files']} file(s) — {c['inbox_in_raw']} in the raw zone, "
            f"{c['inbox_quarantined']} quarantined",
            f"  raw zone: {c['raw_files']} file(s) — {c['raw_current']} current, {c['raw_superseded']} superseded",
            f"  curated: {c['partitions_curated']} agency-year partition(s); "
            f"{c['partitions_quarantined']} current file(s) rejected and quarantined",
            f"  quarantine ledger: {c['quarantine_entries']} entr(ies)",
            f"  corrections: {c['corrections']} line(s) — {c['corrections_applied']} applied, "
            f"{c['corrections_superseded']} superseded by a later line, "
            f"{c['corrections'] - c['corrections_applied'] - c['corrections_superseded']} not applied (named below)",
        ]
        for title, items in (("problems", self.problems), ("warnings", self.warnings)):
            if items:
                by_kind = Counter(f.kind for f in items)
                lines.append(f"  {title}: " + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())))
                lines += [f"    {f.kind}: {f.subject}: {f.detail}" for f in items[:limit]]
                if len(items) > limit:
                    lines.append(f"    … {len(items) - limit} more")
        return "\n".join(lines)


# --------------------------------------------------------------------------- the four places


@dataclass(frozen=True)
class LedgerLine:
    sha256: str | None
    code: str
    agency: str | None
    year: int | None
    received_at: str
    stored_as: str | None


def _ledger(lake: Lake, res: AuditResult) -> list[LedgerLine]:
    if not lake.quarantine_ledger.exists():
        return []
    out: list[LedgerLine] = []
    for n, line in enumerate(lake.quarantine_ledger.read_bytes().decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(LedgerLine(d.get("sha256"), str(d["code"]), d.get("agency"), d.get("year"),
                                  str(d["received_at"]), d.get("stored_as")))
        except (ValueError, KeyError, TypeError) as err:
            res.problems.append(Finding("ledger_corrupt_line", f"{lake.quarantine_ledger}:{n}", f"{err}"))
    return out


def _check_quarantined_bytes(lake: Lake, ledger: list[LedgerLine], res: AuditResult) -> None:
    for e in {(e.stored_as, e.sha256) for e in ledger if e.stored_as}:
        stored_as, sha = e
        path = (lake.quarantine_dir / str(stored_as)).resolve()
        if not path.is_relative_to(lake.quarantine_dir.resolve()) or not path.is_file():
            res.problems.append(Finding("quarantine_missing_bytes", str(stored_as), "kept bytes are missing"))
        elif sha and sha256_bytes(path.read_bytes()) != sha:
            res.problems.append(Finding("quarantine_missing_bytes", str(stored_as), "kept bytes do not match their hash"))


def _raw_receipts(lake: Lake, res: AuditResult) -> dict[tuple[int, str], list[RawFile]]:
    """(year, agency) → its raw files, oldest first (the last is current); checks bytes and hashes."""
    out: dict[tuple[int, str], list[RawFile]] = {}
    for receipt in sorted(lake.raw.glob("year=*/agency=*/*.json")):
        rf = RawFile(**json.loads(receipt.read_text("utf-8")))
        path = rf.path(lake)
        if not path.is_file():
            res.problems.append(Finding("raw_missing_bytes", str(path), "receipt without its bytes"))
        elif sha256_bytes(path.read_bytes()) != rf.sha256:
            res.problems.append(Finding("raw_hash_mismatch", str(path), "bytes do not hash to the file name"))
        out.setdefault((rf.year, rf.agency), []).append(rf)
    for data in sorted(lake.raw.glob("year=*/agency=*/[!.]*")):
        if data.suffix != ".json" and not data.with_suffix(".json").exists():
            res.warnings.append(Finding("raw_orphan_bytes", str(data), "bytes without a receipt (interrupted copy)"))
    for files in out.values():
        files.sort(key=lambda r: (r.received_at, r.sha256))
    return out


def _partition_dirs(lake: Lake) -> dict[tuple[int, str], dict[str, Path]]:
    """(year, agency) → {table: part file} for every curated partition of any table."""
    out: dict[tuple[int, str], dict[str, Path]] = {}
    for table in TABLES:
        for part in (lake.curated / table).glob(f"year=*/agency=*/{PART_FILE}"):
            year = int(part.parent.parent.name.removeprefix("year="))
            agency = decode_agency_key(part.parent.name.removeprefix("agency="))
            out.setdefault((year, agency), {})[table] = part
    return out


def _key_columns(table: str) -> list[str]:
    return list(dict.fromkeys(["report_id", *TABLES[table].key]))


def _check_partition(key: tuple[int, str], files: dict[str, Path], res: AuditResult) -> str | None:
    """The partition's report_id when it is complete and consistent, else None (findings added)."""
    subject = f"{key[1]}|{key[0]}"
    missing = [t for t in TABLES if t not in files]
    if missing:
        res.problems.append(Finding("incomplete_partition", subject, "missing table(s): " + ", ".join(missing)))
    ids: set[str] = set()
    n_reports = 0
    for table, path in files.items():
        try:
            t = pq.read_table(path, columns=_key_columns(table))
        except Exception as err:  # a torn or foreign file
            res.problems.append(Finding("unreadable_parquet", str(path), f"{type(err).__name__}: {err}"))
            continue
        ids |= set(t.column("report_id").to_pylist())
        keys = list(zip(*(t.column(c).to_pylist() for c in _key_columns(table)), strict=True))
        dups = len(keys) - len(set(keys))
        if dups:
            res.problems.append(Finding("duplicate_keys", str(path), f"{dups} row(s) repeat a key {_key_columns(table)}"))
        if table == "reports":
            n_reports = t.num_rows
    if len(ids) > 1 or ("reports" in files and n_reports != 1):
        res.problems.append(Finding("mixed_partition", subject,
                                    f"{n_reports} reports row(s), rows of {len(ids)} report(s)"))
        return None
    return next(iter(ids)) if ids and not missing else None


def _reconcile_partitions(lake: Lake, raw: dict[tuple[int, str], list[RawFile]], ledger: list[LedgerLine],
                          res: AuditResult) -> None:
    from disclosure.ocr_batch import filed_scans

    # A scan's `needs_ocr` entry records its first refusal; once the OCR step filed it, it is owed
    # to the lake like any raw file.
    rejected = {e.sha256 for e in ledger if e.sha256} - filed_scans(lake)
    schema_held = [e for e in ledger if e.code == "schema_violation"]
    curated = _partition_dirs(lake)
    res.partitions_curated = len(curated)
    for key, files in sorted(curated.items()):
        rid = _check_partition(key, files, res)
        if rid is not None and rid not in {r.sha256 for r in raw.get(key, [])}:
            res.problems.append(Finding("orphan_curated", f"{key[1]}|{key[0]}",
                                        f"report_id {rid[:12]} is no raw file of this agency-year"))
    decisions = decisions_by_partition(lake)
    for key, history in sorted(raw.items()):
        mine = decisions.get(join_key(key[1], key[0]), [])
        current = choose_current(history, mine)
        for d in open_collisions(mine, {r.sha256 for r in history}):
            res.problems.append(Finding("identity_collision", join_key(key[1], key[0]), d.reason))
        res.raw_current += 1
        res.raw_superseded += len(history) - 1
        subject = f"{key[1]}|{key[0]}"
        rid = _curated_id(curated.get(key))
        held = any(e.agency == key[1] and e.year == key[0] and e.received_at >= current.received_at for e in schema_held)
        if current.sha256 in rejected or held:
            res.partitions_quarantined += 1
            if rid is not None and rid != current.sha256:
                res.warnings.append(Finding("curated_from_superseded", subject,
                                            "current file was rejected; the previous file's rows stay curated"))
        elif rid is None and key not in curated:
            res.problems.append(Finding("not_curated", subject, f"current raw file {current.sha256[:12]} "
                                        f"({current.source_file}) is neither curated nor quarantined"))
        elif rid is not None and rid != current.sha256:
            res.problems.append(Finding("stale_curated", subject, f"curated from {rid[:12]}, current raw file is "
                                        f"{current.sha256[:12]} ({current.source_file})"))


def _curated_id(files: dict[str, Path] | None) -> str | None:
    if not files or "reports" not in files:
        return None
    try:
        ids = pq.read_table(files["reports"], columns=["report_id"]).column("report_id").to_pylist()
    except Exception:
        return None
    return ids[0] if len(set(ids)) == 1 else None


def _reconcile_inbox(lake: Lake, raw: dict[tuple[int, str], list[RawFile]], ledger: list[LedgerLine],
                     res: AuditResult) -> None:
    in_raw = {r.sha256 for files in raw.values() for r in files}
    quarantined = {e.sha256 for e in ledger if e.sha256}
    unreadable = {e.source_file for e in ledger if e.code == "unreadable_file"}
    for rel in scan_inbox(lake.inbox):
        res.inbox_files += 1
        try:
            sha = sha256_bytes((lake.inbox / rel).read_bytes())
        except OSError as err:  # one unreadable file never stops the audit
            if rel in unreadable:
                res.inbox_quarantined += 1
            else:
                res.problems.append(Finding("inbox_unaccounted", rel, f"cannot be read ({err.strerror or err}) "
                                            "and the quarantine ledger does not record it"))
            continue
        if sha in in_raw:
            res.inbox_in_raw += 1
        elif sha in quarantined:
            res.inbox_quarantined += 1
        else:
            res.problems.append(Finding("inbox_unaccounted", rel, f"{sha[:12]} is neither in the raw zone nor in "
                                        "the quarantine ledger (not read by the inbox sensor yet?)"))


def _temp_files(lake: Lake) -> Iterator[Path]:
    for base in (lake.raw, lake.curated, lake.warehouse, lake.marts, lake.quarantine_dir):
        if base.is_dir():
            yield from sorted(base.rglob(".*.tmp"))


def _check_warehouse(lake: Lake, res: AuditResult) -> None:
    years: set[int] = set()
    for p in (lake.curated / "reports").glob("year=*"):
        years.add(int(p.name.removeprefix("year=")))
    for year in sorted(years):
        wh = lake.warehouse_path("reports", year)
        if not wh.exists():
            continue  # never compacted: nothing stale to read
        if warehouse_is_current(lake, "reports", year):
            # Its recorded fingerprint is the curated files' own (a stat each): the same files it
            # was compacted from, so their report ids are its own, without opening 28,000 files.
            continue
        if _ids_of(wh) != _year_ids(lake, year):
            res.warnings.append(Finding("warehouse_stale", str(wh), "report_ids differ from the curated partitions "
                                        "of the year (year refresh pending)"))
    _check_wide_files(lake, res)


def _check_wide_files(lake: Lake, res: AuditResult) -> None:
    """A wide values file names the SHA-256 of the long file it was derived from: a crash between
    the two writes leaves it lagging, and its readers would see last run's numbers."""
    for table in WIDE_TABLES:
        for folder in sorted((lake.warehouse / wide_table_name(table)).glob("year=*")):
            year = int(folder.name.removeprefix("year="))
            wide, long = wide_path(lake, table, year), lake.warehouse_path(table, year)
            if not wide.exists():
                continue
            try:
                meta = pq.read_schema(wide).metadata or {}
            except Exception as e:  # an unreadable file is the hash check's problem; say it here too
                res.warnings.append(Finding("warehouse_stale", str(wide), f"wide values file unreadable: {e}"))
                continue
            derived_from = meta.get(b"disclosure.long_sha256", b"").decode()
            now = sha256_bytes(long.read_bytes()) if long.exists() else "(missing)"
            if derived_from != now:
                res.warnings.append(Finding(
                    "warehouse_stale", str(wide), f"wide values derived from long file {derived_from[:12] or '(unnamed)'}, "
                    f"but {long.name} of year {year} now hashes to {now[:12]} (compact the year again)"))


def _year_ids(lake: Lake, year: int) -> set[str]:
    out: set[str] = set()
    for p in (lake.curated / "reports" / f"year={year}").glob(f"agency=*/{PART_FILE}"):
        out |= _ids_of(p)
    return out


def _ids_of(path: Path) -> set[str]:
    try:
        return set(pq.read_table(path, columns=["report_id"]).column("report_id").to_pylist())
    except Exception:
        return set()


def _check_hashes(lake: Lake, res: AuditResult) -> None:
    recorded = read_hashes(lake)
    for zone in (lake.curated, lake.warehouse, lake.marts):
        if not zone.is_dir():
            continue
        for f in sorted(zone.rglob(PART_FILE)):
            rel = f.relative_to(lake.root).as_posix()
            want = recorded.get(rel)
            if want is None:
                res.warnings.append(Finding("unrecorded_file", str(f), "no SHA-256 recorded for it in the lake manifest"))
                continue
            got = sha256_bytes(f.read_bytes())
            if got not in want:
                res.problems.append(Finding("content_hash_mismatch", str(f),
                                            f"bytes hash to {got[:12]}, written as {', '.join(sorted(w[:12] for w in want))}"))


def _check_corrections(lake: Lake, res: AuditResult) -> None:
    """Every correction line is applied, superseded, or named with why not (disclosure/corrections.py)."""
    from disclosure.corrections import WARNING_STATUSES, audit_corrections

    for o in audit_corrections(lake):
        res.corrections += 1
        res.corrections_applied += o.status == "applied"
        res.corrections_superseded += o.status == "superseded"
        if o.status in ("applied", "superseded"):
            continue
        subject = f"corrections.jsonl:{o.line}" + (f" {o.correction.cell}" if o.correction else "")
        kind = WARNING_STATUSES.get(o.status, "correction_rejected")
        (res.warnings if kind != "correction_rejected" else res.problems).append(
            Finding(kind, subject, f"{o.status}: {o.detail}"))


def audit_lake(lake: Lake) -> AuditResult:
    """Reconcile inbox ↔ raw zone ↔ curated `reports` ↔ quarantine ledger (see the module doc)."""
    res = AuditResult(lake_root=str(lake.root))
    ledger = _ledger(lake, res)
    res.quarantine_entries = len(ledger)
    _check_quarantined_bytes(lake, ledger, res)
    raw = _raw_receipts(lake, res)
    res.raw_files = sum(len(v) for v in raw.values())
    _reconcile_inbox(lake, raw, ledger, res)
    _reconcile_partitions(lake, raw, ledger, res)
    _check_warehouse(lake, res)
    _check_hashes(lake, res)
    _check_corrections(lake, res)
    res.warnings += [Finding("temp_file_leftover", str(p), "left by an interrupted write; invisible to readers")
                     for p in _temp_files(lake)]
    return res


def format_findings(findings: Iterable[Finding]) -> str:
    return "\n".join(f"- {f.kind}: {f.subject}: {f.detail}" for f in findings) or "none"
