"""Two reports for one agency-year: a revision supersedes, anything else is a collision.

Dagster-free. When a second raw file (other bytes) arrives for a partition that already has one:

* **revision** — the newcomer replaced the current file at the same inbox path (a re-download),
  or it says it is a corrected / revised edition (更正版, 修订版, 更正, 修正版
  in its title or file name), or it was published later than the current file (publication
  dates of both known): it supersedes the current file. The decision is recorded.
* **same report** — both files give the same statistical tables (one report as PDF and as text):
  both raw files are kept, the first received stays curated, and it is no problem;
* **collision** — anything else (two bodies whose pages share a chrome line, a mis-filed
  report, a second report of the same body with no sign of being a revision): both raw files
  are kept, and the curated file is chosen by `CURATED_RULE`. The collision stays a problem
  (`identity_collision` in `disclosure audit`, hence a failed `lake_accounting` check in the
  UI) until one file is removed or a manifest / registry override gives it another identity.

Decisions are one JSON line each in `<lake>/identity/decisions.jsonl` (append-only).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

REVISION_MARKERS = re.compile(r"更正版|修订版|修正版|更正稿|（更正）|\(更正\)|（修订）|\(修订\)|更新版|重新发布")
"""Words by which a republished report says it replaces the earlier edition."""

CURATED_RULE = (
    "on a collision the file already curated stays curated (first received wins) unless the newcomer's "
    "identity is more certain (higher min(agency_confidence, year_confidence))"
)
"""Which raw file of a colliding agency-year is curated: a newcomer must prove itself."""

DECISIONS_NAME = "identity/decisions.jsonl"


@dataclass(frozen=True)
class Evidence:
    """What the decision needs to know about one raw file."""

    sha256: str
    source_file: str
    title: str | None
    publication: str | None  # "YYYY-MM" of the 发布日期 / signature date, when printed
    confidence: float  # min(agency_confidence, year_confidence)
    received_at: str = ""


@dataclass(frozen=True)
class Decision:
    partition: str
    kind: str  # "supersedes", "same_report" or "collision"
    new: str  # sha256
    old: str
    curated: str  # sha256 of the file the curated partition is built from
    reason: str
    decided_at: str = ""


def is_revision(new: Evidence, old: Evidence, *, same_path: bool = False) -> str | None:
    """Why `new` is a later edition of `old`'s report, or None."""
    if same_path:
        return f"{new.source_file} replaced {old.source_file} at the same inbox path"
    for text in (new.title or "", new.source_file):
        if m := REVISION_MARKERS.search(text):
            return f"{new.source_file} says {m.group(0)}"
    if new.publication and old.publication and new.publication > old.publication:
        return f"published {new.publication}, after {old.publication}"
    return None


def decide(partition: str, new: Evidence, old: Evidence, *, same_tables: bool = False,
           same_path: bool = False) -> Decision:
    why = is_revision(new, old, same_path=same_path)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if same_tables and not why:
        return Decision(partition, "same_report", new.sha256, old.sha256, old.sha256,
                        f"{new.source_file} gives the same tables as {old.source_file} (another copy of one report)", now)
    if why:
        return Decision(partition, "supersedes", new.sha256, old.sha256, new.sha256, f"revision: {why}", now)
    curated = new.sha256 if new.confidence > old.confidence else old.sha256
    return Decision(partition, "collision", new.sha256, old.sha256, curated,
                    f"{new.source_file} and {old.source_file} both identify as {partition} and neither is a revision "
                    f"of the other; curated: {'newcomer' if curated == new.sha256 else 'first received'} ({CURATED_RULE})",
                    now)


def evidence_of(ident: Any, sha256: str, source_file: str, received_at: str = "") -> Evidence:
    """Evidence from an `identify.Identity` (duck-typed to keep this module import-light)."""
    pub = None
    for c in getattr(ident, "candidates", ()):
        if c.source in ("publication_date", "signature_date"):
            m = re.search(r"(\d{4})\s*[-年/.]\s*(\d{1,2})", c.text)
            if m:
                pub = max(pub or "", f"{m.group(1)}-{int(m.group(2)):02d}")
    conf = min(getattr(ident, "agency_confidence", 0.0), getattr(ident, "year_confidence", 0.0))
    return Evidence(sha256, source_file, getattr(ident, "title", None), pub, conf, received_at)


# --------------------------------------------------------------------------- the ledger


def decisions_path(lake: Any) -> Any:
    return lake.root / DECISIONS_NAME


def record(lake: Any, decision: Decision) -> None:
    path = decisions_path(lake)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(asdict(decision), ensure_ascii=False) + "\n").encode("utf-8")
    if not getattr(lake, "is_local", True):
        with path.open("ab") as fh:
            fh.write(line)
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_decisions(lake: Any) -> list[Decision]:
    path = decisions_path(lake)
    try:
        if not path.exists():
            return []
        text = path.read_text("utf-8")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        if line.strip():
            try:
                out.append(Decision(**json.loads(line)))
            except (ValueError, TypeError):
                continue  # a torn last line: the audit's ledger check is for the quarantine ledger
    return out


def decisions_by_partition(lake: Any) -> dict[str, list[Decision]]:
    out: dict[str, list[Decision]] = {}
    for d in read_decisions(lake):
        out.setdefault(d.partition, []).append(d)
    return out


def choose_current(history: list[Any], decisions: list[Decision]) -> Any:
    """The raw file a partition is curated from: the newest, unless a collision kept another.

    `history` is oldest first (lake.raw_history). The last decision about the newest file
    decides; files no decision mentions follow the old rule (newest wins).
    """
    if not history:
        return None
    newest = history[-1]
    about = [d for d in decisions if d.new == newest.sha256]
    if not about:
        return newest
    chosen = about[-1].curated
    return next((r for r in history if r.sha256 == chosen), newest)


def open_collisions(decisions: list[Decision], history_shas: set[str]) -> list[Decision]:
    """Collisions whose two files are both still in the raw zone (unresolved)."""
    return [d for d in decisions if d.kind == "collision" and d.new in history_shas and d.old in history_shas]
