"""Lake I/O without Dagster: agency keys, the raw zone, the quarantine ledger, curated Parquet.

Layout under the lake root (``data_lake/`` by default, ``DISCLOSURE_LAKE_ROOT`` overrides)::

    inbox/                                   users drop report files here (+ optional manifest.csv)
    raw/year=YYYY/agency=<key>/<sha256>.<ext>    immutable copy of every accepted file
    raw/year=YYYY/agency=<key>/<sha256>.json     its receipt (source file, time, url)
    quarantine/ledger.jsonl                  one JSON line per file that could not be accepted
    quarantine/files/<sha256>.<ext>          the quarantined bytes
    curated/<table>/year=YYYY/agency=<key>/part-0.parquet
    warehouse/<table>/year=YYYY/part-0.parquet   compacted copy of one year (agency as a column)
    docs/                                    great-expectations Data Docs

The root is a local folder or any fsspec URL (``s3://bucket/lake``, ``gs://…``, ``memory://lake``,
``file:///srv/lake``): local roots are ``pathlib.Path`` objects, URLs ``upath.UPath`` objects
with the same methods. Writes to a URL are one ``PUT`` of the whole object (object stores
replace an object atomically); local writes use a temp file and a rename (see docs/scaling.md).

``<key>`` is the agency name itself (Chinese stays readable), with the few characters that a
path or a hive reader would misread percent-encoded. Names that cannot be a partition key at
all (``| , / ...``, newlines, too long for a directory name) are refused with a reason.

The curated files do not store ``year`` / ``agency``: they are hive partition columns, read
back from the path by pyarrow (``partitioning="hive"``) and DuckDB (``hive_partitioning``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeAlias

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from disclosure.keys import (  # noqa: F401  (re-exported: lake.py's public names before keys.py)
    FIRST_YEAR,
    MAX_DIR_NAME_BYTES,
    AgencyKeyError,
    agency_key_problem,
    decode_agency_key,
    encode_agency_key,
    join_key,
    year_problem,
)
from disclosure.manifest import MANIFEST_NAME, ManifestEntry, read_manifest  # noqa: F401 (re-exported)
from disclosure.schema import TABLES

if TYPE_CHECKING:
    from upath import UPath

    LakePath: TypeAlias = Path | UPath
else:
    LakePath: TypeAlias = Any

PARTITION_COLUMNS = ("year", "agency")
PART_FILE = "part-0.parquet"
_EXT_RE = re.compile(r"^[a-z0-9]{1,8}$")


def default_root() -> LakePath:
    env = os.environ.get("DISCLOSURE_LAKE_ROOT")
    if env:
        return lake_path(env)
    return Path(__file__).resolve().parent.parent / "data_lake"


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


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _ext(name: str) -> str:
    ext = Path(name).suffix.lower().lstrip(".")
    return ext if _EXT_RE.match(ext) else "bin"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None, durable: bool = True) -> None:
    """Write `data` to `path` via a hidden temp file in the same directory and a rename.

    Readers see the old file or the new one, never a partial one. `durable=False` skips the
    per-file fsync (≈4 ms here); callers writing many files then call `os.sync()` once.
    On an fsspec URL the object is written whole (one PUT, atomic on object stores); on the
    local ``file://`` filesystem through a hidden temp file and a move, as for local paths.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not is_local_path(path):
        if path.protocol in ("file", "local"):
            tmp_path = path.parent / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
            tmp_path.write_bytes(data)
            path.fs.mv(tmp_path.path, path.path)
        else:
            path.write_bytes(data)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- lake paths


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


# --------------------------------------------------------------------------- raw zone


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
) -> QuarantineEntry:
    """Record a file that was not accepted (and keep its bytes); nothing is dropped silently."""
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
    lake.quarantine_dir.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
    if not lake.is_local:
        # fsspec append (object stores rewrite the object: one ledger writer at a time there).
        with lake.quarantine_ledger.open("ab") as fh:
            fh.write(line.encode("utf-8"))
        return entry
    # One write() of a short line with O_APPEND: lines from concurrent writers do not interleave.
    fd = os.open(lake.quarantine_ledger, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
    return entry


def read_quarantine(lake: Lake) -> list[QuarantineEntry]:
    if not lake.quarantine_ledger.exists():
        return []
    out = []
    for line in lake.quarantine_ledger.read_text("utf-8").splitlines():
        if line.strip():
            out.append(QuarantineEntry(**json.loads(line)))
    return out


# --------------------------------------------------------------------------- inbox


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


def scan_inbox(inbox: LakePath) -> dict[str, tuple[int, int]]:
    """relative path → (size, mtime_ns) of every candidate report file (hidden files and manifests skipped)."""
    out: dict[str, tuple[int, int]] = {}
    if not inbox.is_dir():
        return out
    if not is_local_path(inbox):
        base = PurePosixPath(inbox.path)
        for full, info in sorted(inbox.fs.find(inbox.path, detail=True).items()):
            rel = PurePosixPath(full).relative_to(base)
            if any(part.startswith(".") for part in rel.parts) or rel.name == MANIFEST_NAME:
                continue
            out[rel.as_posix()] = (int(info.get("size") or 0), _mtime_ns(info))
        return out
    for dirpath, dirnames, filenames in os.walk(inbox):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name == MANIFEST_NAME:
                continue
            p = Path(dirpath) / name
            # A symlink could point anywhere on the machine: never follow one out of the inbox.
            if p.is_symlink() or not p.is_file():
                continue
            st = p.stat()
            out[p.relative_to(inbox).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


# --------------------------------------------------------------------------- curated Parquet

def arrow_schema(table: str, *, with_partition_columns: bool = False, with_agency: bool = False) -> pa.Schema:
    """pyarrow schema of a lake table, generated from `disclosure.schema.TABLES`.

    Curated files leave out the hive partition columns; warehouse files keep `agency`.
    """
    fields = []
    for col in TABLES[table].columns:
        if col.name in PARTITION_COLUMNS and not with_partition_columns:
            if not (with_agency and col.name == "agency"):
                continue
        fields.append(pa.field(col.name, col.arrow_type, nullable=col.nullable))
    return pa.schema(fields)


@dataclass(frozen=True)
class WriteResult:
    table: str
    path: str
    rows: int
    sha256: str
    n_bytes: int


def _to_arrow(df: pd.DataFrame, table: str, schema: pa.Schema) -> pa.Table:
    expected = TABLES[table].column_names
    if list(df.columns) != expected:
        raise ValueError(f"{table}: columns {list(df.columns)} differ from the schema {expected}")
    return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)


def write_parquet_atomic(path: LakePath, table: pa.Table, *, durable: bool = True) -> tuple[str, int]:
    """Write `table` to `path` atomically (temp file in the same folder, rename); returns (sha256, bytes)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data = sink.getvalue().to_pybytes()
    _atomic_write_bytes(path, data, durable=durable)
    return sha256_bytes(data), len(data)


def write_partition(
    lake: Lake, table: str, df: pd.DataFrame, *, year: int, agency: str, durable: bool = True
) -> WriteResult:
    """Replace one agency-year partition of a curated table (never appends; 0 rows writes an empty file).

    `df` must have exactly the columns of the table's schema, and every row must belong to
    (`year`, `agency`).
    """
    path = lake.curated_path(table, year, agency)  # validates the agency key
    if len(df):
        if not (df["year"] == year).all() or not (df["agency"] == agency).all():
            raise ValueError(f"{table}: rows of another partition passed for year={year} agency={agency}")
    arrow = _to_arrow(df, table, arrow_schema(table))
    sha, n = write_parquet_atomic(path, arrow, durable=durable)
    return WriteResult(table=table, path=str(path), rows=arrow.num_rows, sha256=sha, n_bytes=n)


def write_partitions(
    lake: Lake,
    frames: Mapping[str, pd.DataFrame],
    *,
    skip: Iterable[tuple[int, str]] = (),
    durable: bool = True,
) -> list[WriteResult]:
    """`write_partition` for every (year, agency) present in any of `frames`, every table each.

    The same files as calling `write_partition` per partition and table (a partition missing from
    a table gets an empty file), but each table is converted to Arrow once and cut into
    partitions by row indices: per file only the Parquet encoding and the write remain.
    Partitions in `skip` are not written.
    """
    skipped = set(skip)
    arrows: dict[str, pa.Table] = {}
    groups: dict[str, dict[tuple[int, str], object]] = {}
    keys: set[tuple[int, str]] = set()
    for table, df in frames.items():
        expected = TABLES[table].column_names
        if list(df.columns) != expected:
            raise ValueError(f"{table}: columns {list(df.columns)} differ from the schema {expected}")
        schema = arrow_schema(table)
        arrows[table] = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
        idx = df.groupby(["year", "agency"], sort=False, dropna=False).indices if len(df) else {}
        groups[table] = {(int(y), str(a)): rows for (y, a), rows in idx.items()}
        keys |= set(groups[table])
    out: list[WriteResult] = []
    for year, agency in sorted(keys - skipped):
        for table, arrow in arrows.items():
            rows = groups[table].get((year, agency))
            part = arrow.take(pa.array(rows)) if rows is not None else arrow.schema.empty_table()
            path = lake.curated_path(table, year, agency)
            sha, n = write_parquet_atomic(path, part, durable=durable)
            out.append(WriteResult(table=table, path=str(path), rows=part.num_rows, sha256=sha, n_bytes=n))
    return out


def _dtypes(table: str) -> dict[str, str]:
    return {c.name: c.pandas_dtype for c in TABLES[table].columns}


def read_curated(lake: Lake, table: str, *, year: int | None = None) -> pd.DataFrame:
    """A curated table (optionally one year) as pandas with the schema's columns and dtypes."""
    base = lake.curated / table
    cols = TABLES[table].column_names
    files = sorted(base.glob(f"year={year if year is not None else '*'}/agency=*/{PART_FILE}"))
    if not files:
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in _dtypes(table).items()})[cols]
    part = ds.partitioning(pa.schema([("year", pa.int64()), ("agency", pa.string())]), flavor="hive")
    fs, base_path = _fs_and_path(base)
    dataset = ds.dataset(
        [_fs_and_path(f)[1] for f in files],
        format="parquet",
        partitioning=part,
        partition_base_dir=base_path,
        schema=arrow_schema(table, with_partition_columns=True),
        filesystem=fs,
    )
    df = dataset.to_table().to_pandas(types_mapper=pd.ArrowDtype)
    return _with_dtypes(df[cols], table)


def _with_dtypes(df: pd.DataFrame, table: str) -> pd.DataFrame:
    out = {}
    for c, d in _dtypes(table).items():
        s = df[c]
        out[c] = s.astype(d)
    return pd.DataFrame(out)


def compact_year(lake: Lake, table: str, year: int) -> WriteResult:
    """Write one sorted file with every agency of a year (agency kept as a column) to the warehouse."""
    df = read_curated(lake, table, year=year)
    key = [k for k in TABLES[table].key if k in df.columns]
    df = df.sort_values(["agency", *key], kind="stable") if len(df) else df
    schema = arrow_schema(table, with_agency=True)
    arrow = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    path = lake.warehouse_path(table, year)
    sha, n = write_parquet_atomic(path, arrow)
    return WriteResult(table=table, path=str(path), rows=arrow.num_rows, sha256=sha, n_bytes=n)


def read_warehouse(lake: Lake, table: str, year: int) -> pd.DataFrame:
    path = lake.warehouse_path(table, year)
    cols = TABLES[table].column_names
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in _dtypes(table).items()})[cols]
    fs, where = _fs_and_path(path)
    df = pq.read_table(where, filesystem=fs).to_pandas(types_mapper=pd.ArrowDtype)
    df["year"] = year
    return _with_dtypes(df[cols], table)


def frames_by_partition(frames: Mapping[str, pd.DataFrame]) -> dict[tuple[int, str], dict[str, pd.DataFrame]]:
    """Split batch frames into {(year, agency): {table: rows}} (every table present, maybe empty)."""
    keys: set[tuple[int, str]] = set()
    groups: dict[str, dict[tuple[int, str], pd.DataFrame]] = {}
    for name, df in frames.items():
        g: dict[tuple[int, str], pd.DataFrame] = {}
        if len(df):
            for (y, a), part in df.groupby(["year", "agency"], sort=False, dropna=False):
                g[(int(y), str(a))] = part.reset_index(drop=True)
        groups[name] = g
        keys |= set(g)
    out: dict[tuple[int, str], dict[str, pd.DataFrame]] = {}
    for k in keys:
        out[k] = {name: groups[name].get(k, frames[name].iloc[0:0]) for name in frames}
    return out


# --------------------------------------------------------------------------- validation


def pandera_schema(table: str):  # -> pandera.pandas.DataFrameSchema
    """The pandera schema of a lake table, generated from `disclosure.schema.TABLES`."""
    import pandera.pandas as pa_

    cols = {}
    for c in TABLES[table].columns:
        checks = []
        if c.isin is not None:
            checks.append(pa_.Check.isin(list(c.isin)))
        if c.ge is not None:
            checks.append(pa_.Check.ge(c.ge))
        cols[c.name] = pa_.Column(c.pandas_dtype, checks=checks if not c.dtype.startswith("list[") else [],
                                  nullable=c.nullable)
    return pa_.DataFrameSchema(cols, strict=True, ordered=True, name=table)


def schema_failures(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Validate every table once (lazily); return {table: failure cases} for the tables that fail.

    Failure cases carry `report_id` where the failing row is known, so the caller can hold
    back exactly the partitions concerned.
    """
    import pandera.errors as pe

    out: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        df = frames.get(name)
        if df is None:
            out[name] = pd.DataFrame([{"check": "table missing", "failure_case": name, "report_id": None}])
            continue
        try:
            pandera_schema(name).validate(df, lazy=True)
        except pe.SchemaErrors as err:
            fc = err.failure_cases.copy()
            idx = pd.to_numeric(fc.get("index"), errors="coerce") if "index" in fc else None
            rid = []
            for i in idx if idx is not None else [None] * len(fc):
                rid.append(str(df["report_id"].iloc[int(i)]) if i == i and i is not None and "report_id" in df and int(i) < len(df) else None)
            fc["report_id"] = rid
            out[name] = fc
    return out


def read_inbox_file(path: LakePath) -> bytes:
    """The bytes of an inbox file; a local file swapped for a symlink after listing is refused."""
    if not is_local_path(path):
        return path.read_bytes()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        return f.read()
