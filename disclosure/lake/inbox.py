"""The inbox: listing candidate report files (and odd entries) and reading one safely."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
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

    # Plain strings and `os.scandir`, not pathlib or `os.walk`: at 200,000 files in 28,000
    # folders, pathlib's parsing and then `os.walk`'s per-folder `relpath`, `islink` and path
    # joins were most of an idle tick. The order is `os.walk`'s top-down one: a folder's files,
    # then its subfolders, each sorted by name. A stack, not recursion: a folder nested deeper
    # than Python's recursion limit must not stop the tick.
    stack: list[tuple[str, str]] = [(os.fspath(inbox), "")]
    while stack:
        dirpath, prefix = stack.pop()
        try:
            with os.scandir(dirpath) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            odd.append(OddEntry(prefix.rstrip("/") or ".", "unreadable_directory",
                                f"cannot list the folder: {err.strerror or err}"))
            continue
        subdirs: list[os.DirEntry] = []
        names: list[os.DirEntry] = []
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                is_dir = e.is_dir()  # follows a symlink, as os.walk's folder test does
            except OSError:
                is_dir = False
            (subdirs if is_dir else names).append(e)
        keep = []
        for d in subdirs:
            if d.is_symlink():  # never followed; say so
                odd.append(OddEntry(prefix + d.name, "symlink_refused", "a symlinked folder in the inbox is never followed"))
                continue
            if d.name == MANIFEST_NAME:  # a folder named like a manifest: read as one, it fails and says so
                manifests.append(prefix + d.name)
            keep.append(d)
        for e in names:
            rel = prefix + e.name
            if e.name == MANIFEST_NAME:
                manifests.append(rel)
                continue
            try:
                st = e.stat(follow_symlinks=False)
            except OSError as err:  # vanished between listing and stat: the next tick sees it
                odd.append(OddEntry(rel, "unreadable_file", f"cannot stat: {err.strerror or err}"))
                continue
            if stat.S_ISLNK(st.st_mode):
                odd.append(OddEntry(rel, "symlink_refused", "a symlink in the inbox is never followed (copy the file in)"))
            elif not stat.S_ISREG(st.st_mode):
                odd.append(OddEntry(rel, "not_a_regular_file", "not a regular file (FIFO, socket or device): never read"))
            else:
                files[rel] = (st.st_size, st.st_mtime_ns)
        stack.extend((d.path, prefix + d.name + "/") for d in reversed(keep))
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

