"""Inbox → raw zone, without Dagster: what the inbox sensor does with each new or changed file.

State (the sensor cursor) maps each inbox path to (size, mtime_ns, sha256) once read, and each
path still settling to the (size, mtime_ns) last seen. A file is read only once its size and
mtime are the same on two consecutive ticks (a file still being copied is never accepted), and
counts as changed only when its content hash did.

Every failure is per file and the rest of the tick goes on: every file ends in the raw zone,
in the quarantine ledger with a reason (unreadable, odd entry, bad manifest, duplicate, not a
report, …), or, while it settles or waits for its manifest to be fixed, in the tick's summary.
The ledger never records the same fact twice (see `disclosure.lake.quarantine`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from disclosure.lake import (
    Lake,
    ManifestEntry,
    ManifestProblem,
    QuarantineEntry,
    RawFile,
    agency_key_problem,
    current_raw,
    list_inbox,
    quarantine,
    read_inbox_file,
    read_ledger,
    read_manifests,
    sha256_bytes,
    store_raw,
    year_problem,
)
from disclosure.model import RejectedReport


@dataclass
class State:
    """The inbox sensor's cursor: files read (path → [size, mtime_ns, sha256]) and files settling."""

    files: dict[str, list] = field(default_factory=dict)
    settling: dict[str, list] = field(default_factory=dict)  # path -> [size, mtime_ns] seen last tick


def load_state(cursor: str | dict | State | None) -> State:
    """Parse a cursor (also the older form: a bare path → [size, mtime_ns, sha256] map)."""
    raw = json.loads(cursor) if isinstance(cursor, str) and cursor else (cursor or {})
    if isinstance(raw, State):
        return State(dict(raw.files), dict(raw.settling))
    if set(raw) <= {"files", "settling"} and all(isinstance(v, dict) for v in raw.values()):
        return State(dict(raw.get("files", {})), dict(raw.get("settling", {})))
    return State(files=dict(raw))


def dump_state(state: State) -> str:
    return json.dumps(
        {"files": state.files, "settling": state.settling}, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )


@dataclass(frozen=True)
class Accepted:
    raw: RawFile
    inbox_path: str
    superseded: RawFile | None  # the raw file this one replaces as the partition's current one


@dataclass(frozen=True)
class Waiting:
    """A file left for a later tick, and why (it leaves this trace in the tick's summary)."""

    path: str
    reason: str


@dataclass
class IngestResult:
    accepted: list[Accepted] = field(default_factory=list)
    quarantined: list[QuarantineEntry] = field(default_factory=list)
    unchanged: int = 0
    pending: int = 0  # stable files left for the next tick (max_files reached)
    settling: list[str] = field(default_factory=list)  # size or mtime changed since the last tick
    waiting: list[Waiting] = field(default_factory=list)  # held (bad manifest) or failed to store
    ledger_torn_lines: list[int] = field(default_factory=list)
    state: State = field(default_factory=State)

    @property
    def busy(self) -> bool:
        """Files remain that a later tick will take (settling, over the per-tick limit, waiting)."""
        return bool(self.settling or self.pending or self.waiting)


def _identify_file():
    """The core's `identify_file(data, path) -> Identity` (raises RejectedReport when unreadable)."""
    try:
        from disclosure.identify import identify_file

        return identify_file
    except ImportError:  # older core: read + identify (same result, no table extraction)
        from disclosure.identify import identify
        from disclosure.parse import body_text
        from disclosure.readers import read

        def identify_file(data: bytes, path: str):
            doc = read(data, path)
            return identify(doc, body_text(doc))

        return identify_file


def _identify(data: bytes, name: str, manifest: ManifestEntry | None) -> tuple[str | None, int | None, str, str]:
    """(agency, year, agency_source, year_source); raises RejectedReport for unreadable files."""
    identify_file = _identify_file()
    m_agency = manifest.agency if manifest else None
    m_year = manifest.year if manifest else None
    try:
        ident = identify_file(data, name)
    except RejectedReport as err:
        # A manifest may name a report whose title lacks agency/year, never an unreadable one.
        if err.code == "bad_identity" and m_agency and m_year:
            return m_agency, m_year, "manifest", "manifest"
        raise
    agency, a_src = (m_agency, "manifest") if m_agency else (ident.agency, ident.agency_source)
    year, y_src = (m_year, "manifest") if m_year else (ident.year, ident.year_source)
    return agency, year, a_src, y_src


def _held_by(rel: str, problems: list[ManifestProblem]) -> ManifestProblem | None:
    """The unreadable manifest whose folder holds `rel` (its agency/year may come from it)."""
    parts = PurePosixPath(rel).parts
    for p in problems:
        folder = PurePosixPath(p.folder).parts if p.folder else ()
        if parts[: len(folder)] == folder:
            return p
    return None


def ingest_inbox(lake: Lake, state: State | dict, *, years: list[str], max_files: int = 500) -> IngestResult:
    """Process new / changed inbox files (at most `max_files` reads per call)."""
    old_state = load_state(state)
    result = IngestResult(state=State(dict(old_state.files), {}))
    listing = list_inbox(lake.inbox)
    manifest, manifest_problems = read_manifests(lake.inbox) if listing.files else ({}, [])
    ledger = read_ledger(lake)
    known = ledger.keys()
    result.ledger_torn_lines = ledger.torn_lines

    def record(**kw) -> None:
        """Quarantine one fact; only a fact new to the ledger is reported by this tick."""
        before = len(known)
        entry = quarantine(lake, known=known, **kw)
        if len(known) > before:
            result.quarantined.append(entry)

    for odd in listing.odd:
        record(source_file=odd.path, code=odd.code, reason=odd.reason)
    for mp in manifest_problems:
        try:
            data: bytes | None = read_inbox_file(lake.inbox / mp.manifest)
        except OSError:
            data = None
        record(source_file=mp.manifest, code="bad_manifest",
               reason=f"{mp.reason}; files under {mp.folder or 'the inbox'}/ wait until it is fixed", data=data)

    reads = 0
    for rel, (size, mtime) in listing.files.items():
        old = old_state.files.get(rel)
        if old and old[0] == size and old[1] == mtime:
            result.unchanged += 1
            continue
        if old_state.settling.get(rel) != [size, mtime]:  # new or still changing: look again next tick
            result.state.settling[rel] = [size, mtime]
            result.settling.append(rel)
            continue
        held = _held_by(rel, manifest_problems)
        if held is not None:
            result.state.settling[rel] = [size, mtime]
            result.waiting.append(Waiting(rel, f"its manifest {held.manifest} cannot be read"))
            continue
        if reads >= max_files:
            result.state.settling[rel] = [size, mtime]
            result.pending += 1
            continue
        reads += 1
        try:
            _ingest_file(lake, rel, size, mtime, old, manifest.get(rel), years, result, record)
        except Exception as err:  # e.g. a full disk: keep the file for the next tick, say why
            result.state.settling[rel] = [size, mtime]
            if old:
                result.state.files[rel] = old
            else:
                result.state.files.pop(rel, None)
            result.waiting.append(Waiting(rel, f"{type(err).__name__}: {err}"))
    if result.accepted and lake.is_local:
        # One flush for the tick instead of two fsyncs per file, before the sensor records anything.
        os.sync()
    # Files that left the inbox are forgotten (their raw copies stay).
    for rel in list(result.state.files):
        if rel not in listing.files:
            del result.state.files[rel]
    return result


def _ingest_file(lake: Lake, rel: str, size: int, mtime: int, old: list | None, entry: ManifestEntry | None,
                 years: list[str], result: IngestResult, record) -> None:
    """One stable file: read, identify, and store it in the raw zone or record why not."""
    try:
        data = read_inbox_file(lake.inbox / rel)
    except OSError as err:  # unreadable (permissions, vanished, …): retried every tick, recorded once
        result.state.settling[rel] = [size, mtime]
        record(source_file=rel, code="unreadable_file", reason=f"cannot read the file: {err.strerror or err}")
        return
    sha = sha256_bytes(data)
    result.state.files[rel] = [size, mtime, sha]
    if old and old[2] == sha:  # touched, same content
        result.unchanged += 1
        return
    name = Path(rel).name
    if entry is not None and entry.problem:
        record(source_file=rel, code="bad_year", reason=entry.problem, data=data, sha256=sha, agency=entry.agency)
        return
    try:
        agency, year, a_src, y_src = _identify(data, rel, entry)
    except RejectedReport as err:
        record(source_file=rel, code=err.code, reason=err.message, data=data, sha256=sha)
        return
    except Exception as err:  # a reader bug must not stop the inbox: quarantine with the error
        record(source_file=rel, code="corrupt_file", reason=f"{type(err).__name__}: {err}", data=data, sha256=sha)
        return
    if agency is None:
        # No title, publisher or body rule found an agency: with no year either, the file is not
        # a report at all (a garbage .txt); with a year, a report whose agency must be supplied.
        code, why = (("not_a_report", "no agency and no year found: not a disclosure annual report")
                     if year is None else ("bad_identity", "could not identify the agency; pass it in a manifest"))
        record(source_file=rel, code=code, reason=why, data=data, sha256=sha, year=year)
        return
    problem = agency_key_problem(agency)
    if problem:
        record(source_file=rel, code="bad_agency_key", reason=problem, data=data, sha256=sha, agency=agency, year=year)
        return
    yproblem = year_problem(year, years)
    if yproblem:
        record(source_file=rel, code="bad_year", reason=yproblem, data=data, sha256=sha, agency=agency, year=year)
        return
    assert agency is not None and year is not None
    receipt = lake.raw_dir(year, agency) / f"{sha}.json"
    if receipt.exists():
        first = RawFile(**json.loads(receipt.read_text("utf-8")))
        if first.source_file != name:  # a renamed copy: say which file it repeats
            record(source_file=rel, code="duplicate", reason=f"duplicate_of {sha} (received as {first.source_file})",
                   sha256=sha, agency=agency, year=year)
        else:
            result.unchanged += 1
        return
    before = current_raw(lake, agency, year)
    raw = store_raw(
        lake,
        data,
        agency=agency,
        year=year,
        source_file=name,
        url=entry.url if entry else None,
        agency_source=a_src,
        year_source=y_src,
        durable=False,
    )
    superseded = before if before is not None and before.sha256 != raw.sha256 else None
    result.accepted.append(Accepted(raw=raw, inbox_path=rel, superseded=superseded))
