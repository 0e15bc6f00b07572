"""Inbox manifests (`manifest.csv`): the caller's word on a file's agency, year and URL.

Dagster-free. A manifest is what a person saved from a spreadsheet, so it is read the way Excel
on a Chinese Windows writes it (UTF-8 with or without BOM, GBK/GB18030, UTF-16 "Unicode text"
with tabs) and a bad row is reported and skipped, never fatal. Two rows naming the same file
with different identities are an error that names both rows: neither is used, and the file
waits in the quarantine (`manifest_conflict`) until the manifest is fixed.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST_NAME = "manifest.csv"

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "file": ("file", "filename", "file_name", "path", "文件", "文件名", "文件名称"),
    "agency": ("agency", "agency_name", "机构", "机关", "单位", "发布机构", "机构名称"),
    "year": ("year", "年度", "年份", "报告年度"),
    "url": ("url", "link", "链接", "网址", "原文链接"),
}
"""Column names accepted for each manifest field (case- and space-insensitive)."""

_YEAR = re.compile(r"^\s*(\d{4})\s*(?:年度?)?\s*$")


@dataclass(frozen=True)
class ManifestEntry:
    agency: str | None
    year: int | None
    url: str | None
    # Where the row is ("inbox/sub/manifest.csv row 3"); not part of the identity.
    row: str = field(default="", compare=False)


@dataclass(frozen=True)
class ManifestProblem:
    """A manifest row (or whole manifest) that was not used; `code`: bad_row, duplicate_row, unreadable_manifest."""

    manifest: str
    row: int | None
    code: str
    message: str


@dataclass
class ManifestRead:
    entries: dict[str, ManifestEntry] = field(default_factory=dict)
    problems: list[ManifestProblem] = field(default_factory=list)
    # file -> message naming both rows: files whose rows disagree (no entry is used for them).
    conflicts: dict[str, str] = field(default_factory=dict)


def decode_manifest(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a manifest's bytes: BOMs first, then UTF-8, UTF-16 without BOM, GB18030.

    GB18030 is a superset of GBK and GB2312, so one attempt covers all three.
    """
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4:  # ASCII-heavy UTF-16-LE without BOM
        try:
            return data.decode("utf-16-le"), "utf-16-le"
        except UnicodeDecodeError:
            pass
    return data.decode("gb18030"), "gb18030"  # raises UnicodeDecodeError when it is none of these


def _canonical_header(name: str) -> str | None:
    key = re.sub(r"\s+", "", name or "").lower()
    for canon, aliases in HEADER_ALIASES.items():
        if key in aliases:
            return canon
    return None


def parse_manifest_text(text: str, *, where: str = MANIFEST_NAME, base: str = "") -> ManifestRead:
    """Rows of one manifest's text; file names are made relative to the inbox with `base`."""
    out = ManifestRead()
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return out
    cols = [_canonical_header(h) for h in header]
    if "file" not in cols:
        out.problems.append(ManifestProblem(where, 1, "unreadable_manifest",
                                            f"{where}: no 'file' column in the header {header!r}"))
        return out
    seen: dict[str, tuple[int, ManifestEntry]] = {}
    for lineno, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row: dict[str, str] = {}
        for c, v in zip(cols, values, strict=False):
            if c is not None:
                row[c] = v.strip()
        name = row.get("file", "").replace("\\", "/").strip("/")
        problem = None
        if not name:
            problem = "no file name"
        elif ".." in PurePosixPath(name).parts:
            problem = f"file {name!r} points outside the manifest's folder"
        year: int | None = None
        if problem is None and row.get("year"):
            m = _YEAR.match(row["year"])
            if not m:
                problem = f"year {row['year']!r} is not a four-digit year"
            else:
                year = int(m.group(1))
        if problem is not None:
            out.problems.append(ManifestProblem(where, lineno, "bad_row", f"{where} row {lineno}: {problem}; row skipped"))
            continue
        rel = f"{base}/{name}" if base else name
        entry = ManifestEntry(agency=row.get("agency") or None, year=year, url=row.get("url") or None,
                              row=f"{where} row {lineno}")
        if rel in seen:
            prev_line, prev = seen[rel]
            if prev == entry or rel in out.conflicts:
                if rel in out.conflicts:
                    out.conflicts[rel] += f"; also row {lineno}"
                continue
            msg = (f"{where}: rows {prev_line} and {lineno} both name {name!r} with different identities "
                   f"({prev.agency!r} {prev.year} vs {entry.agency!r} {entry.year}); neither row is used")
            out.conflicts[rel] = msg
            out.problems.append(ManifestProblem(where, lineno, "duplicate_row", msg))
            out.entries.pop(rel, None)
            continue
        seen[rel] = (lineno, entry)
        out.entries[rel] = entry
    return out


_PARSED: dict[str, tuple[tuple[int, int], ManifestRead]] = {}
"""Parsed local manifests by path, with the (bytes, mtime in ns) they were parsed at. The inbox
sensor reads every manifest on every tick; a national bulk load's manifest is 200,000 rows (3 s
to parse), and an unchanged file (same size and mtime) is not parsed again."""


def read_manifests(inbox: Any, found: Iterable[str] | None = None) -> ManifestRead:
    """Every manifest.csv in the inbox (any folder): file (relative to the inbox) → entry, plus problems.

    `found`: the manifests' paths relative to the inbox, as the inbox listing's walk found them
    (it skips hidden and symlinked folders, whose files are never read); else they are searched.
    """
    out = ManifestRead()
    paths = sorted(inbox / rel for rel in found) if found is not None else sorted(inbox.rglob(MANIFEST_NAME))
    for mpath in paths:
        base = mpath.parent.relative_to(inbox).as_posix()
        base = "" if base == "." else base
        where = (PurePosixPath(base) / MANIFEST_NAME).as_posix()
        key = None
        try:
            if isinstance(mpath, Path):
                st = os.stat(mpath)
                key = (st.st_size, st.st_mtime_ns)
            cached = _PARSED.get(str(mpath))
            if key is not None and cached is not None and cached[0] == key:
                one = cached[1]
            else:
                text, _ = decode_manifest(mpath.read_bytes())
                one = parse_manifest_text(text, where=where, base=base)
                if key is not None:
                    _PARSED[str(mpath)] = (key, one)
        except (OSError, UnicodeDecodeError) as err:
            out.problems.append(ManifestProblem(where, None, "unreadable_manifest", f"{where}: {err}"))
            continue
        out.problems.extend(one.problems)
        if not out.entries and not out.conflicts:
            # The first manifest: its entries and conflicts are disjoint, nothing to merge row by
            # row (a national manifest holds 200,000 rows and is read on every tick).
            out.entries.update(one.entries)
            out.conflicts.update(one.conflicts)
            continue
        for rel, msg in one.conflicts.items():
            out.conflicts[rel] = msg
            out.entries.pop(rel, None)
        for rel, entry in one.entries.items():
            if rel in out.conflicts:
                continue
            prev = out.entries.get(rel)
            if prev is not None and prev != entry:
                msg = (f"{prev.row} and {entry.row} both name {rel!r} with different identities "
                       f"({prev.agency!r} {prev.year} vs {entry.agency!r} {entry.year}); neither row is used")
                out.conflicts[rel] = msg
                out.problems.append(ManifestProblem(where, None, "duplicate_row", msg))
                del out.entries[rel]
                continue
            out.entries[rel] = entry
    return out


def read_manifest(inbox: Any) -> dict[str, ManifestEntry]:
    """file (relative to the inbox) → entry; bad and conflicting rows left out (see `read_manifests`)."""
    return read_manifests(inbox).entries
