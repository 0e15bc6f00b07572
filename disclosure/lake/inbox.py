"""The inbox: listing candidate report files (and odd entries) and reading one safely."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from disclosure.manifest import MANIFEST_NAME

from .fs import LakePath, is_local_path


def _mtime_ns(info: Mapping[str, Any]) -> int:
    """A change stamp from an fsspec info dict (mtime, LastModified, updated, or the ETag)."""
    for k in ("mtime", "LastModified", "last_modified", "updated", "created"):
        v = info.get(k)
        if isinstance(v, datetime):
            return int(v.timestamp() * 1e9)
        if isinstance(v, int | float):
            return int(v * 1e9)
        if isinstance(v, str) and v:
            try:
                return int(datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp() * 1e9)
            except ValueError:
                pass
    etag = str(info.get("ETag") or info.get("etag") or "")
    return int(hashlib.sha256(etag.encode()).hexdigest()[:15], 16) if etag else 0


@dataclass(frozen=True)
class OddEntry:
    """An inbox entry that is not a regular report file: recorded, never read."""

    path: str  # relative to the inbox
    code: str  # `symlink_refused`, `not_a_regular_file`, `unreadable_directory`
    reason: str


@dataclass(frozen=True)
class InboxListing:
    files: dict[str, tuple[int, int]]  # relative path -> (size, mtime_ns)
    odd: list[OddEntry]
    # Manifests found by the walk (relative paths), None where the listing did not walk (object
    # stores): `read_manifests` then searches for them itself.
    manifests: list[str] | None = None


def list_inbox(inbox: LakePath) -> InboxListing:
    """Every candidate report file (hidden files and manifests skipped) and every odd entry.

    Symlinks (they could point anywhere on the machine), FIFOs, sockets and devices (reading
    one could block the sensor) and folders that cannot be listed are returned as `odd`.
    """
    files: dict[str, tuple[int, int]] = {}
    odd: list[OddEntry] = []
    manifests: list[str] = []
    if not inbox.is_dir():
        return InboxListing(files, odd, manifests)
    if not is_local_path(inbox):
        base = PurePosixPath(inbox.path)
        for full, info in sorted(inbox.fs.find(inbox.path, detail=True).items()):
            rel = PurePosixPath(full).relative_to(base)
            if any(part.startswith(".") for part in rel.parts) or rel.name == MANIFEST_NAME:
                continue
            files[rel.as_posix()] = (int(info.get("size") or 0), _mtime_ns(info))
        return InboxListing(files, odd)

    def on_error(err: OSError) -> None:
        rel = Path(err.filename).relative_to(inbox).as_posix() if err.filename else "?"
        odd.append(OddEntry(rel, "unreadable_directory", f"cannot list the folder: {err.strerror or err}"))

    # Plain strings, not pathlib: at 200,000 files pathlib's parsing was most of an idle tick.
    root = os.fspath(inbox)
    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        prefix = os.path.relpath(dirpath, root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            if os.path.islink(os.path.join(dirpath, d)):  # os.walk does not follow it; say so
                odd.append(OddEntry(prefix + d, "symlink_refused", "a symlinked folder in the inbox is never followed"))
                continue
            if d == MANIFEST_NAME:  # a folder named like a manifest: read as one, it fails and says so
                manifests.append(prefix + d)
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            rel = prefix + name
            if name == MANIFEST_NAME:
                manifests.append(rel)
                continue
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError as err:  # vanished between listing and stat: the next tick sees it
                odd.append(OddEntry(rel, "unreadable_file", f"cannot stat: {err.strerror or err}"))
                continue
            if stat.S_ISLNK(st.st_mode):
                odd.append(OddEntry(rel, "symlink_refused", "a symlink in the inbox is never followed (copy the file in)"))
            elif not stat.S_ISREG(st.st_mode):
                odd.append(OddEntry(rel, "not_a_regular_file", "not a regular file (FIFO, socket or device): never read"))
            else:
                files[rel] = (st.st_size, st.st_mtime_ns)
    return InboxListing(files, odd, manifests)


def scan_inbox(inbox: LakePath) -> dict[str, tuple[int, int]]:
    """relative path → (size, mtime_ns) of every candidate report file (see `list_inbox`)."""
    return list_inbox(inbox).files



def read_inbox_file(path: LakePath) -> bytes:
    """The bytes of an inbox file; a local file swapped for a symlink after listing is refused."""
    if not is_local_path(path):
        return path.read_bytes()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        return f.read()

