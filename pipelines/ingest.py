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

from disclosure.collisions import record as record_decision
from disclosure.intake import admit, identity_stamp, registry_stamp, second_report
from disclosure.lake import (
    Lake,
    QuarantineEntry,
    RawFile,
    agency_key_problem,
    current_raw,
    join_key,
    quarantine,
    raw_history,
    read_inbox_file,
    read_raw,
    scan_inbox,
    sha256_bytes,
    store_raw,
    year_problem,
)
from disclosure.manifest import ManifestProblem, read_manifests
from disclosure.model import RejectedReport
from disclosure.registry import lake_registry

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
    # "collision" when another report already holds the partition (both kept; see collisions.py).
    decision: str | None = None


@dataclass
class IngestResult:
    accepted: list[Accepted] = field(default_factory=list)
    quarantined: list[QuarantineEntry] = field(default_factory=list)
    unchanged: int = 0
    pending: int = 0  # changed files left for the next tick
    manifest_problems: list[ManifestProblem] = field(default_factory=list)
    state: State = field(default_factory=dict)


def ingest_inbox(lake: Lake, state: State, *, years: list[str], max_files: int = 500) -> IngestResult:
    """Process new / changed inbox files (at most `max_files` reads per call)."""
    result = IngestResult(state=dict(state))
    listing = scan_inbox(lake.inbox)
    manifests = read_manifests(lake.inbox) if listing else None
    manifest = manifests.entries if manifests else {}
    result.manifest_problems = list(manifests.problems) if manifests else []
    registry = lake_registry(lake.root)
    reads = 0
    override = registry_stamp(lake.root)
    for rel, (size, mtime) in listing.items():
        old = state.get(rel)
        stamp = identity_stamp(rel, manifests, override, held=bool(old and len(old) > 3 and str(old[3]).startswith("held")))
        if old and old[0] == size and old[1] == mtime and (len(old) < 4 or old[3] == stamp):
            result.unchanged += 1
            continue
        if reads >= max_files:
            result.pending += 1
            continue
        reads += 1
        data = read_inbox_file(lake.inbox / rel)
        sha = sha256_bytes(data)
        result.state[rel] = [size, mtime, sha, identity_stamp(rel, manifests, override, held=False)]
        if old and old[2] == sha and (len(old) < 4 or old[3] == stamp):  # touched, same content and manifest row
            result.unchanged += 1
            continue
        name = Path(rel).name
        entry = manifest.get(rel)
        try:
            adm = admit(data, rel, entry, registry=registry,
                        manifest_conflict=manifests.conflicts.get(rel) if manifests else None)
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
        agency, year, a_src, y_src = adm.agency, adm.year, adm.agency_source, adm.year_source
        if adm.code is not None:  # uncertain_identity / manifest_conflict: not a partition
            # Re-read when its manifest row or the registry override changes (they release it).
            result.state[rel][3] = identity_stamp(rel, manifests, override, held=True)
            result.quarantined.append(
                quarantine(lake, source_file=rel, code=adm.code, reason=adm.reason, data=data, sha256=sha, agency=agency, year=year)
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
        if before is not None and before.sha256 != sha and any(r.sha256 == sha for r in raw_history(lake, agency, year)):
            before = None  # these bytes were filed here before: nothing new to decide
        raw = store_raw(
            lake,
            data,
            agency=agency,
            year=year,
            source_file=name,
            url=entry.url if entry else None,
            agency_source=a_src,
            year_source=y_src,
            inbox_path=rel,
            durable=False,
        )
        superseded = before if before is not None and before.sha256 != raw.sha256 else None
        decision = None
        if superseded is not None:  # a second report for this agency-year: revision or collision
            d = second_report(join_key(agency, year), data, name, adm.identity, raw.sha256,
                              read_raw(lake, superseded), superseded.source_file, superseded.sha256,
                              same_path=superseded.inbox_path == rel or bool(old and old[2] == superseded.sha256))
            record_decision(lake, d)
            decision = d.kind
            if d.curated != raw.sha256:
                superseded = None  # the partition stays curated from the earlier file
        result.accepted.append(Accepted(raw=raw, inbox_path=rel, superseded=superseded, decision=decision))
    if result.accepted and lake.is_local:
        # One flush for the tick instead of two fsyncs per file, before the sensor records anything.
        os.sync()
    # Files that left the inbox are forgotten (their raw copies stay).
    for rel in list(result.state):
        if rel not in listing:
            del result.state[rel]
    return result
