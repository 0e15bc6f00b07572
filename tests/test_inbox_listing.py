"""The inbox listing keeps `os.walk`'s top-down order (a folder's files, then its sorted
subfolders): the first-listed copy of duplicate bytes is the one filed, so a faster walk must
list the same files, odd entries and manifests in the same order."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from disclosure.lake.inbox import MANIFEST_NAME, list_inbox


def reference(inbox: Path) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """The listing as `os.walk` gives it (the implementation before `os.scandir`)."""
    files, odd, manifests = [], [], []
    root = os.fspath(inbox)
    for dirpath, dirnames, filenames in os.walk(root):
        prefix = os.path.relpath(dirpath, root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            if os.path.islink(os.path.join(dirpath, d)):
                odd.append((prefix + d, "symlink_refused"))
                continue
            if d == MANIFEST_NAME:
                manifests.append(prefix + d)
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if name == MANIFEST_NAME:
                manifests.append(prefix + name)
                continue
            st = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISLNK(st.st_mode):
                odd.append((prefix + name, "symlink_refused"))
            elif not stat.S_ISREG(st.st_mode):
                odd.append((prefix + name, "not_a_regular_file"))
            else:
                files.append(prefix + name)
    return files, odd, manifests


def test_the_listing_keeps_os_walk_order_files_odd_entries_and_manifests(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for rel in ("z.html", "a.txt", "b/2.txt", "b/1.txt", "b/c/x.md", "a-dir/y.txt", "aa/q.txt",
                ".hidden/h.txt", "b/.h.txt", f"m/{MANIFEST_NAME}", "报告/平潭.txt"):
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_text(rel, "utf-8")
    (inbox / "b" / "c" / MANIFEST_NAME).mkdir()  # a folder named like a manifest
    (inbox / "link.txt").symlink_to(inbox / "a.txt")
    (inbox / "dangling.txt").symlink_to(tmp_path / "nowhere")
    (inbox / "b" / "linked-dir").symlink_to(inbox / "aa", target_is_directory=True)
    os.mkfifo(inbox / "b" / "pipe.txt")
    got = list_inbox(inbox)
    files, odd, manifests = reference(inbox)
    assert list(got.files) == files and len(files) == 8
    assert [(o.path, o.code) for o in got.odd] == odd and len(odd) == 4
    assert got.manifests == manifests == ["b/c/" + MANIFEST_NAME, "m/" + MANIFEST_NAME]


def test_a_folder_nested_deeper_than_the_recursion_limit_is_listed_not_fatal(tmp_path: Path) -> None:
    import inspect
    import sys

    # The limit is lowered for the listing instead of nesting past the usual 1,000: pytest
    # removes old temp folders with the recursive shutil.rmtree, which a tree that deep breaks.
    headroom = 100
    deep = tmp_path / "inbox"
    deep.mkdir()
    for _ in range(4 * headroom):
        deep = deep / "d"
        deep.mkdir()
    (deep / "report.txt").write_text("x", "utf-8")
    (tmp_path / "inbox" / "top.txt").write_text("y", "utf-8")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + headroom)
    try:
        got = list_inbox(tmp_path / "inbox")
    finally:
        sys.setrecursionlimit(limit)
    assert list(got.files) == ["top.txt", deep.relative_to(tmp_path / "inbox").as_posix() + "/report.txt"]
