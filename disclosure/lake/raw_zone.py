"""The raw zone: one immutable copy per content hash, with its receipt; the current file of an agency-year."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from disclosure.keys import join_key

from .fs import Lake, _atomic_write_bytes, _ext, _now, sha256_bytes


@dataclass(frozen=True)
class RawFile:
    sha256: str
    agency: str
    year: int
    ext: str
    source_file: str
    received_at: str
    n_bytes: int
    url: str | None = None
    agency_source: str | None = None
    year_source: str | None = None
    # Path in the inbox it arrived at: new bytes at the same path are a revision (collisions.py).
    inbox_path: str | None = None

    def path(self, lake: Lake) -> Path:
        return lake.raw_dir(self.year, self.agency) / f"{self.sha256}.{self.ext}"


def store_raw(
    lake: Lake,
    data: bytes,
    *,
    agency: str,
    year: int,
    source_file: str,
    url: str | None = None,
    agency_source: str | None = None,
    year_source: str | None = None,
    inbox_path: str | None = None,
    received_at: str | None = None,
    durable: bool = True,
) -> RawFile:
    """Copy `data` into the immutable raw zone; return its receipt.

    The file is named by its SHA-256, so the same bytes are stored once; a receipt already
    present is returned unchanged (the first arrival keeps its time). Files are read-only.
    `durable=False` skips the two fsyncs; the caller then calls `os.sync()` before it records
    the files anywhere (the inbox sensor does, once per tick).
    """
    sha = sha256_bytes(data)
    directory = lake.raw_dir(year, agency)
    receipt_path = directory / f"{sha}.json"
    if receipt_path.exists():
        return RawFile(**json.loads(receipt_path.read_text("utf-8")))
    rf = RawFile(
        sha256=sha,
        agency=agency,
        year=year,
        ext=_ext(source_file),
        source_file=source_file,
        received_at=received_at or _now(),
        n_bytes=len(data),
        url=url,
        agency_source=agency_source,
        year_source=year_source,
        inbox_path=inbox_path,
    )
    target = rf.path(lake)
    if not target.exists():
        _atomic_write_bytes(target, data, mode=0o444, durable=durable)
    # The receipt is written last: a raw file counts only once its receipt exists.
    _atomic_write_bytes(
        receipt_path, json.dumps(asdict(rf), ensure_ascii=False).encode("utf-8"), mode=0o444, durable=durable
    )
    return rf


def raw_history(lake: Lake, agency: str, year: int) -> list[RawFile]:
    """Every raw file received for one agency-year, oldest first (the last one is current)."""
    directory = lake.raw_dir(year, agency)
    if not directory.is_dir():
        return []
    out = [RawFile(**json.loads(p.read_text("utf-8"))) for p in directory.glob("*.json")]
    return sorted(out, key=lambda r: (r.received_at, r.sha256))


def current_raw(lake: Lake, agency: str, year: int) -> RawFile | None:
    """The raw file an agency-year is curated from: the newest (a revision supersedes the old one),
    unless a collision decision kept the earlier one (disclosure/collisions.py)."""
    hist = raw_history(lake, agency, year)
    if len(hist) < 2:
        return hist[-1] if hist else None
    from disclosure.collisions import choose_current, decisions_by_partition

    return choose_current(hist, decisions_by_partition(lake).get(join_key(agency, year), []))


def read_raw(lake: Lake, rf: RawFile) -> bytes:
    data = rf.path(lake).read_bytes()
    if sha256_bytes(data) != rf.sha256:
        raise OSError(f"raw file {rf.path(lake)} does not match its hash")
    return data


# --------------------------------------------------------------------------- quarantine

