"""Which partition an inbox file goes to, or why it goes to the quarantine (Dagster-free).

The inbox sensor (disclosure/ingest.py) asks `admit` about each new file and `second_report`
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
          manifest_conflict: str | None = None, ocr: Any = None) -> Admission:
    """Decide the identity of one inbox file; raises RejectedReport when no reader can read it."""
    reg = registry or default_registry()
    if manifest_conflict:
        return Admission(None, None, "manifest", "manifest", None, None, "manifest_conflict", manifest_conflict)
    m_agency = entry.agency if entry else None
    m_year = entry.year if entry else None
    ident = identify_file(data, name, agency=m_agency, year=m_year, caller_source="manifest", ocr=ocr)
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
                  old_data: bytes, old_name: str, old_sha: str, *, same_path: bool = False) -> Decision:
    """A second raw file for `partition`: revision (supersedes) or collision (see collisions.py).

    `same_path`: the new bytes replaced the old ones at the same inbox path (a re-download of
    the same page or document), which is a revision by itself."""
    if same_path:
        return decide(partition, _plain(new_sha, new_name), _plain(old_sha, old_name), same_path=True)
    old_ident = identify_file(old_data, old_name)
    if new_ident is None:
        new_ident = identify_file(new_data, new_name)
    return decide(partition, evidence_of(new_ident, new_sha, new_name), evidence_of(old_ident, old_sha, old_name),
                  same_tables=_same_tables(new_data, new_name, old_data, old_name))


def _plain(sha: str, name: str):
    from disclosure.collisions import Evidence

    return Evidence(sha, name, None, None, 0.0)


def _same_tables(a: bytes, a_name: str, b: bytes, b_name: str) -> bool:
    """True when both files parse to the same statistical values (one report in two formats)."""
    from disclosure.model import RejectedReport
    from disclosure.parse import parse_bytes

    def values(data: bytes, name: str) -> dict | None:
        try:
            r = parse_bytes(data, name)
        except RejectedReport:
            return None
        return {(t, k, ap): c.value for t, k, ap, c in r.cells()}

    va, vb = values(a, a_name), values(b, b_name)
    return va is not None and va == vb and any(v is not None for v in va.values())


def admission_metadata(adm: Admission) -> dict[str, Any]:
    """What the raw receipt and the sensor's event record about the decision."""
    ident = adm.identity
    return {
        "printed_agency": ident.printed_agency if ident else None,
        "agency_match": adm.resolution.match if adm.resolution else None,
        "identity_conflicts": list(ident.conflicts) if ident else [],
    }


def registry_stamp(lake_root: Any) -> str:
    """Change stamp of the lake's registry override file ('' when there is none)."""
    from disclosure.registry import OVERRIDE_NAME

    try:
        st = (lake_root / OVERRIDE_NAME).stat()
    except (OSError, TypeError):
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}"


def identity_stamp(rel: str, manifests: Any, override: str, *, held: bool) -> str:
    """What the sensor cursor keeps beside a file's hash so that a file is read again when what
    decides its identity changes: its manifest row, and for a held file the registry override."""
    entry = manifests.entries.get(rel) if manifests else None
    conflict = manifests.conflicts.get(rel) if manifests else None
    row = f"{entry.agency}|{entry.year}" if entry else ("conflict" if conflict else "")
    return f"held|{row}|{override}" if held else row
