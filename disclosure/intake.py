"""Which partition an inbox file goes to, or why it goes to the quarantine (Dagster-free).

The inbox sensor (pipelines/ingest.py) asks `admit` about each new file and `second_report`
when the partition already holds another file. The rules:

* the manifest row (if any) is the caller: it overrides the report, and a disagreement is kept
  as an `identity_conflict` on the identity; two manifest rows that disagree about the file hold
  it as `manifest_conflict`;
* a field the caller did not give must reach `UNCERTAIN_IDENTITY_THRESHOLD` from the report's
  own evidence, else the file is quarantined as `uncertain_identity` with its candidates; a
  manifest row, or a row for the printed name in the lake's registry override file, releases it;
* the partition key is the registry's canonical name of the body (`registry.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from disclosure.collisions import Decision, decide, evidence_of
from disclosure.identify import UNCERTAIN_IDENTITY_THRESHOLD, Identity, identify_file
from disclosure.manifest import ManifestEntry
from disclosure.registry import Registry, Resolution, default_registry


@dataclass(frozen=True)
class Admission:
    agency: str | None  # canonical name: the partition key
    year: int | None
    agency_source: str
    year_source: str
    identity: Identity | None
    resolution: Resolution | None
    # Quarantine code and reason when the file is not admitted.
    code: str | None = None
    reason: str = ""


def _candidates_text(ident: Identity, field: str) -> str:
    cands = [c for c in ident.candidates if c.field == field]
    if not cands:
        return "no candidates"
    return ", ".join(f"{c.source}={c.value!r} (w={c.weight:g})" for c in cands)


def admit(data: bytes, name: str, entry: ManifestEntry | None, *, registry: Registry | None = None,
          manifest_conflict: str | None = None) -> Admission:
    """Decide the identity of one inbox file; raises RejectedReport when no reader can read it."""
    reg = registry or default_registry()
    if manifest_conflict:
        return Admission(None, None, "manifest", "manifest", None, None, "manifest_conflict", manifest_conflict)
    m_agency = entry.agency if entry else None
    m_year = entry.year if entry else None
    ident = identify_file(data, name, agency=m_agency, year=m_year, caller_source="manifest")
    agency, year = ident.agency, ident.year
    a_src, y_src = ident.agency_source, ident.year_source
    a_conf, y_conf = ident.agency_confidence, ident.year_confidence
    resolution = reg.resolve(agency) if agency else None
    if resolution is not None and resolution.overridden and not m_agency:
        # The lake's registry override names this body: a person vouched for the printed name.
        a_src, a_conf = f"{a_src}+registry_override", max(a_conf, UNCERTAIN_IDENTITY_THRESHOLD)
    weak = []
    if not m_agency and ident.candidates and any(c.field == "agency" for c in ident.candidates) \
            and a_conf < UNCERTAIN_IDENTITY_THRESHOLD:
        weak.append(f"agency {agency!r} at confidence {a_conf:g} (candidates: {_candidates_text(ident, 'agency')})")
    if not m_year and any(c.field == "year" for c in ident.candidates) and y_conf < UNCERTAIN_IDENTITY_THRESHOLD:
        weak.append(f"year {year!r} at confidence {y_conf:g} (candidates: {_candidates_text(ident, 'year')})")
    canonical = resolution.canonical_name if resolution else agency
    if weak:
        reason = (f"identity below {UNCERTAIN_IDENTITY_THRESHOLD:g}: " + "; ".join(weak)
                  + ("; conflicts: " + "; ".join(ident.conflicts) if ident.conflicts else "")
                  + ". A manifest row (file,agency,year) or a registry override releases it")
        return Admission(canonical, year, a_src, y_src, ident, resolution, "uncertain_identity", reason)
    return Admission(canonical, year, a_src, y_src, ident, resolution)


def second_report(partition: str, new_data: bytes, new_name: str, new_ident: Identity | None, new_sha: str,
                  old_data: bytes, old_name: str, old_sha: str) -> Decision:
    """A second raw file for `partition`: revision (supersedes) or collision (see collisions.py)."""
    old_ident = identify_file(old_data, old_name)
    if new_ident is None:
        new_ident = identify_file(new_data, new_name)
    return decide(partition, evidence_of(new_ident, new_sha, new_name), evidence_of(old_ident, old_sha, old_name))


def admission_metadata(adm: Admission) -> dict[str, Any]:
    """What the raw receipt and the sensor's event record about the decision."""
    ident = adm.identity
    return {
        "printed_agency": ident.printed_agency if ident else None,
        "agency_match": adm.resolution.match if adm.resolution else None,
        "identity_conflicts": list(ident.conflicts) if ident else [],
    }
