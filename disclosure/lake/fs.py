"""Filesystem of the lake: local folder or fsspec URL, atomic writes, file modes, the lake's paths."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from disclosure.keys import encode_agency_key
from disclosure.model import report_id

if TYPE_CHECKING:
    from upath import UPath

    LakePath: TypeAlias = Path | UPath
else:
    LakePath: TypeAlias = Any


PARTITION_COLUMNS = ("year", "agency")
LAKE_FILE_MODE = 0o644
"""Mode of every file the lake writes (raw and quarantined bytes are 0444)."""
HASHES_NAME = "hashes.jsonl"
"""The lake manifest: one JSON line per curated, warehouse or mart file written (path, sha256)."""
PART_FILE = "part-0.parquet"
_EXT_RE = re.compile(r"^[a-z0-9]{1,8}$")


def default_root() -> LakePath:
    env = os.environ.get("DISCLOSURE_LAKE_ROOT")
    if env:
        return lake_path(env)
    return Path(__file__).resolve().parents[2] / "data_lake"


def is_url(root: object) -> bool:
    return isinstance(root, str) and "://" in root


def lake_path(root: str | os.PathLike[str]) -> LakePath:
    """A local path as `pathlib.Path`, an fsspec URL (``scheme://…``) as `upath.UPath`."""
    if isinstance(root, Path) or hasattr(root, "fs"):
        return root  # a Path, or already a UPath
    if is_url(root):
        from upath import UPath

        return UPath(str(root))
    return Path(root)


def is_local_path(path: object) -> bool:
    """True for a plain local path (temp file + rename, fsync, O_APPEND apply)."""
    return isinstance(path, Path) and getattr(path, "protocol", "") in ("", None)


def _fs_and_path(path: LakePath) -> tuple[Any, str]:
    """(filesystem for pyarrow, path on it): None and the path for local paths."""
    if is_local_path(path):
        return None, str(path)
    return path.fs, path.path


sha256_bytes = report_id
"""SHA-256 hex digest of bytes (one helper: `disclosure.model.report_id`)."""


def _ext(name: str) -> str:
    ext = Path(name).suffix.lower().lstrip(".")
    return ext if _EXT_RE.match(ext) else "bin"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _create_temp(path: Path) -> tuple[int, str]:
    """A new hidden temp file beside `path` (`.<name>.<pid>.<random>.tmp`, which `disclosure audit`
    finds if a crash leaves one), its folder made only when missing.

    What `tempfile.mkstemp` does, minus its per-call overhead and the `mkdir` of a folder that is
    already there: a quarter of a curated write's own cost, six files per agency-year.
    """
    tmp = f"{path.parent}/.{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(tmp, flags, 0o600), tmp
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(tmp, flags, 0o600), tmp


def _atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None, durable: bool = True) -> None:
    """Write `data` to `path` via a hidden temp file in the same directory and a rename.

    Readers see the old file or the new one, never a partial one. `durable=False` skips the
    per-file fsync (≈4 ms here); callers writing many files then call `os.sync()` once.
    On an fsspec URL the object is written whole (one PUT, atomic on object stores); on the
    local ``file://`` filesystem through a hidden temp file and a move, as for local paths.
    """
    if not is_local_path(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.protocol in ("file", "local"):
            tmp_path = path.parent / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
            tmp_path.write_bytes(data)
            path.fs.mv(tmp_path.path, path.path)
        else:
            path.write_bytes(data)
        return
    fd, tmp = _create_temp(path)
    try:
        with open(fd, "wb") as fh:
            # Created 0600, which would hide lake files from a notebook server running as another
            # user: lake files are world-readable, raw and quarantined bytes read-only (0444).
            os.fchmod(fh.fileno(), LAKE_FILE_MODE if mode is None else mode)
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise



@dataclass(frozen=True)
class Lake:
    root: LakePath

    @classmethod
    def at(cls, root: str | LakePath | None = None) -> Lake:
        return cls(lake_path(root) if root is not None else default_root())

    @property
    def is_local(self) -> bool:
        """A local folder (not an fsspec URL)."""
        return is_local_path(self.root)

    @property
    def url(self) -> str:
        """The root as DuckDB / pyarrow take it: a local path or ``scheme://…``."""
        return str(self.root)

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def curated(self) -> Path:
        return self.root / "curated"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    @property
    def quarantine_ledger(self) -> Path:
        return self.quarantine_dir / "ledger.jsonl"

    @property
    def marts(self) -> Path:
        return self.root / "marts"

    @property
    def docs(self) -> Path:
        """Data Docs (great-expectations writes a local site): under the root when it is local,
        else ``DISCLOSURE_DOCS_DIR`` or a folder in the system temp directory."""
        if self.is_local:
            return self.root / "docs"
        env = os.environ.get("DISCLOSURE_DOCS_DIR")
        if env:
            return Path(env)
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", self.url)
        return Path(tempfile.gettempdir()) / "disclosure-docs" / name

    def raw_dir(self, year: int, agency: str) -> Path:
        return self.raw / f"year={year}" / f"agency={encode_agency_key(agency)}"

    def curated_path(self, table: str, year: int, agency: str) -> Path:
        return self.curated / table / f"year={year}" / f"agency={encode_agency_key(agency)}" / PART_FILE

    def warehouse_path(self, table: str, year: int) -> Path:
        return self.warehouse / table / f"year={year}" / PART_FILE

    def mart_path(self, name: str, year: int) -> Path:
        return self.marts / name / f"year={year}" / PART_FILE

    def ensure(self) -> None:
        for p in (self.inbox, self.raw, self.curated, self.warehouse, self.quarantine_dir, self.docs):
            p.mkdir(parents=True, exist_ok=True)


