"""The quarantine ledger: one JSON line per fact (file, bytes, reason code), never duplicated."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from .fs import Lake, _atomic_write_bytes, _ext, _now, sha256_bytes


@dataclass(frozen=True)
class QuarantineEntry:
    received_at: str
    source_file: str
    sha256: str | None
    code: str
    reason: str
    stored_as: str | None = None
    agency: str | None = None
    year: int | None = None


def _ledger_key(e: QuarantineEntry) -> tuple[str, str | None, str]:
    """What makes two ledger lines the same fact: this file, these bytes, this reason code."""
    return (e.source_file, e.sha256, e.code)


def quarantine(
    lake: Lake,
    *,
    source_file: str,
    code: str,
    reason: str,
    data: bytes | None = None,
    sha256: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    known: set[tuple[str, str | None, str]] | None = None,
) -> QuarantineEntry:
    """Record a file that was not accepted (and keep its bytes); nothing is dropped silently.

    A fact already in the ledger (same source file, bytes and code) is not written again, so
    a re-run or a re-evaluated tick never duplicates lines. `known` is the set of ledger keys
    the caller already read (one ledger read per tick); without it the ledger is read here.
    """
    stored_as = None
    if data is not None:
        sha256 = sha256 or sha256_bytes(data)
        rel = Path("files") / f"{sha256}.{_ext(source_file)}"
        target = lake.quarantine_dir / "files" / rel.name
        if not target.exists():
            _atomic_write_bytes(target, data, mode=0o444)
        stored_as = str(rel)
    entry = QuarantineEntry(
        received_at=_now(),
        source_file=source_file,
        sha256=sha256,
        code=code,
        reason=reason,
        stored_as=stored_as,
        agency=agency,
        year=year,
    )
    if known is None:
        known = {_ledger_key(e) for e in read_quarantine(lake)}
    if _ledger_key(entry) in known:
        return entry
    known.add(_ledger_key(entry))
    lake.quarantine_dir.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
    if not lake.is_local:
        # fsspec append (object stores rewrite the object: one ledger writer at a time there).
        with lake.quarantine_ledger.open("ab") as fh:
            fh.write(line.encode("utf-8"))
        return entry
    # One write() of a short line with O_APPEND: lines from concurrent writers do not interleave.
    fd = os.open(lake.quarantine_ledger, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        # A torn last line (a writer killed mid-line) is closed first, so this line stays whole
        # and parseable; the torn one is skipped by `read_ledger` and reported by the audit.
        if os.fstat(fd).st_size and os.pread(fd, 1, os.fstat(fd).st_size - 1) != b"\n":
            line = "\n" + line
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
    return entry


@dataclass(frozen=True)
class Ledger:
    """The quarantine ledger as read: its entries, and the lines that do not parse (1-based)."""

    entries: list[QuarantineEntry]
    torn_lines: list[int]

    def keys(self) -> set[tuple[str, str | None, str]]:
        return {_ledger_key(e) for e in self.entries}


def read_ledger(lake: Lake) -> Ledger:
    """Every parseable ledger line; a torn or foreign line is skipped and its number kept."""
    if not lake.quarantine_ledger.exists():
        return Ledger([], [])
    entries: list[QuarantineEntry] = []
    torn: list[int] = []
    text = lake.quarantine_ledger.read_bytes().decode("utf-8", "replace")
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(QuarantineEntry(**json.loads(line)))
        except (ValueError, TypeError):
            torn.append(n)
    return Ledger(entries, torn)


def read_quarantine(lake: Lake) -> list[QuarantineEntry]:
    """The ledger's entries (torn lines skipped: see `read_ledger`)."""
    return read_ledger(lake).entries


