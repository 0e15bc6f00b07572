"""Inbox → raw zone, without Dagster: what the inbox sensor does with each new or changed file.

State (the sensor cursor) maps each inbox path to (size, mtime_ns, sha256). A file is read
only when its size or mtime changed, and counts as changed only when its content hash did.
Every file ends either in the raw zone or in the quarantine ledger with a reason.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from disclosure.lake import (
    Lake,
    ManifestEntry,
    QuarantineEntry,
    RawFile,
    agency_key_problem,
    current_raw,
    quarantine,
    read_inbox_file,
    read_manifest,
    scan_inbox,
    sha256_bytes,
    store_raw,
    year_problem,
)
from disclosure.model import RejectedReport

State = dict[str, list]  # relpath -> [size, mtime_ns, sha256]


def load_state(cursor: str | None) -> State:
    return json.loads(cursor) if cursor else {}


def dump_state(state: State) -> str:
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True)
class Accepted:
    raw: RawFile
    inbox_path: str
    superseded: RawFile | None  # the raw file this one replaces as the partition's current one


@dataclass
class IngestResult:
    accepted: list[Accepted] = field(default_factory=list)
    quarantined: list[QuarantineEntry] = field(default_factory=list)
    unchanged: int = 0
    pending: int = 0  # changed files left for the next tick
    state: State = field(default_factory=dict)


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


def ingest_inbox(lake: Lake, state: State, *, years: list[str], max_files: int = 500) -> IngestResult:
    """Process new / changed inbox files (at most `max_files` reads per call)."""
    result = IngestResult(state=dict(state))
    listing = scan_inbox(lake.inbox)
    manifest = read_manifest(lake.inbox) if listing else {}
    reads = 0
    for rel, (size, mtime) in listing.items():
        old = state.get(rel)
        if old and old[0] == size and old[1] == mtime:
            result.unchanged += 1
            continue
        if reads >= max_files:
            result.pending += 1
            continue
        reads += 1
        data = read_inbox_file(lake.inbox / rel)
        sha = sha256_bytes(data)
        result.state[rel] = [size, mtime, sha]
        if old and old[2] == sha:  # touched, same content
            result.unchanged += 1
            continue
        name = Path(rel).name
        entry = manifest.get(rel)
        try:
            agency, year, a_src, y_src = _identify(data, rel, entry)
        except RejectedReport as err:
            result.quarantined.append(
                quarantine(lake, source_file=rel, code=err.code, reason=err.message, data=data, sha256=sha)
            )
            continue
        except Exception as err:  # a reader bug must not stop the inbox: quarantine with the error
            result.quarantined.append(
                quarantine(lake, source_file=rel, code="corrupt_file", reason=f"{type(err).__name__}: {err}", data=data, sha256=sha)
            )
            continue
        problem = agency_key_problem(agency)
        if problem:
            result.quarantined.append(
                quarantine(lake, source_file=rel, code="bad_agency_key", reason=problem, data=data, sha256=sha, agency=agency, year=year)
            )
            continue
        yproblem = year_problem(year, years)
        if yproblem:
            result.quarantined.append(
                quarantine(lake, source_file=rel, code="bad_year", reason=yproblem, data=data, sha256=sha, agency=agency, year=year)
            )
            continue
        assert agency is not None and year is not None
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
    if result.accepted and lake.is_local:
        # One flush for the tick instead of two fsyncs per file, before the sensor records anything.
        os.sync()
    # Files that left the inbox are forgotten (their raw copies stay).
    for rel in list(result.state):
        if rel not in listing:
            del result.state[rel]
    return result
