"""Parquet: curated partitions, per-year warehouse copies and marts, written atomically, with
their hashes in the lake manifest (`hashes.jsonl`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from disclosure.schema import TABLES, Column, Table

from .fs import (
    HASHES_NAME,
    LAKE_FILE_MODE,
    PART_FILE,
    PARTITION_COLUMNS,
    Lake,
    LakePath,
    _atomic_write_bytes,
    _fs_and_path,
    _now,
    sha256_bytes,
)


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


CURATED_COMPRESSION = "snappy"
"""Codec of the curated agency-year files (six per report). Measured on 600 of them (95 rows on
average, `bench/bench_curated_writes.py`): zstd makes them no smaller (7,660 against 7,652 bytes
on average: the pages are a hundred values, mostly dictionary-encoded) and costs 0.63–0.73 ms a file
against 0.23–0.30, a sixth of curation's CPU. The year-sized warehouse and mart files keep zstd."""


def _to_arrow(df: pd.DataFrame, table: str, schema: pa.Schema) -> pa.Table:
    expected = TABLES[table].column_names
    if list(df.columns) != expected:
        raise ValueError(f"{table}: columns {list(df.columns)} differ from the schema {expected}")
    return pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)


def write_parquet_atomic(path: LakePath, table: pa.Table, *, durable: bool = True, lake: Lake | None = None,
                         **write_options) -> tuple[str, int]:
    """Write `table` to `path` atomically (temp file in the same folder, rename); returns (sha256, bytes).

    With `lake`, the file's SHA-256 is recorded in the lake manifest (`record_hashes`).
    `write_options` go to `pyarrow.parquet.write_table` (the warehouse's row groups and page index).
    """
    sink = pa.BufferOutputStream()
    write_options.setdefault("compression", "zstd")
    pq.write_table(table, sink, **write_options)
    data = sink.getvalue().to_pybytes()
    _atomic_write_bytes(path, data, durable=durable)
    sha = sha256_bytes(data)
    if lake is not None:
        record_hashes(lake, [(path, sha, len(data))])
    return sha, len(data)


def _rel(lake: Lake, path: LakePath) -> str:
    return PurePosixPath(str(path)).relative_to(PurePosixPath(str(lake.root))).as_posix()


def record_hashes(lake: Lake, files: Iterable[tuple[LakePath, str, int]]) -> None:
    """Append (path, sha256, bytes) of files just written to the lake manifest, in one write.

    `disclosure audit` re-hashes every curated, warehouse and mart file against it, so a flipped
    byte is named even where Parquet still reads (a corrupt value page can read back as nulls).
    """
    now = _now()
    lines = "".join(
        json.dumps({"path": _rel(lake, p), "sha256": sha, "n_bytes": n, "written_at": now}, ensure_ascii=False) + "\n"
        for p, sha, n in files
    )
    if not lines:
        return
    target = lake.root / HASHES_NAME
    if not lake.is_local:
        with target.open("ab") as fh:
            fh.write(lines.encode("utf-8"))
        return
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LAKE_FILE_MODE)
    try:
        os.write(fd, lines.encode("utf-8"))
    finally:
        os.close(fd)


def read_hashes(lake: Lake) -> dict[str, set[str]]:
    """Lake manifest: relative path → every SHA-256 recorded for it (torn lines skipped)."""
    target = lake.root / HASHES_NAME
    out: dict[str, set[str]] = {}
    if not target.exists():
        return out
    for line in target.read_bytes().decode("utf-8", "replace").splitlines():
        try:
            d = json.loads(line)
            out.setdefault(d["path"], set()).add(d["sha256"])
        except (ValueError, KeyError, TypeError):
            continue
    return out


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
    sha, n = write_parquet_atomic(path, arrow, durable=durable, lake=lake, compression=CURATED_COMPRESSION)
    return WriteResult(table=table, path=str(path), rows=arrow.num_rows, sha256=sha, n_bytes=n)


def write_partitions(
    lake: Lake,
    frames: Mapping[str, pd.DataFrame],
    *,
    skip: Iterable[tuple[int, str]] = (),
    durable: bool = True,
    shards: bool = True,
) -> list[WriteResult]:
    """`write_partition` for every (year, agency) present in any of `frames`, every table each.

    The same files as calling `write_partition` per partition and table (a partition missing from
    a table gets an empty file), but each table is converted to Arrow once and cut into
    partitions by row indices: per file only the Parquet encoding and the write remain.
    Partitions in `skip` are not written. On a local lake (and unless `shards=False`) the rows
    written also go to one shard per table-year (`SHARDS_NAME`), for the year's readers.
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
    written = sorted(keys - skipped)
    for year, agency in written:
        for table, arrow in arrows.items():
            rows = groups[table].get((year, agency))
            part = _rows_of(arrow, rows) if rows is not None else arrow.schema.empty_table()
            path = lake.curated_path(table, year, agency)
            sha, n = write_parquet_atomic(path, part, durable=durable, compression=CURATED_COMPRESSION)
            out.append(WriteResult(table=table, path=str(path), rows=part.num_rows, sha256=sha, n_bytes=n))
    record_hashes(lake, [(w.path, w.sha256, w.n_bytes) for w in out])
    if shards and lake.is_local:
        stamps = {(w.table, *k): _stamp(w.path) for w, k in zip(out, (k for k in written for _ in arrows), strict=True)}
        for table, df in frames.items():
            _write_chunk_shards(lake, table, df, arrows[table], groups[table], written, stamps)
    return out


def _rows_of(arrow: pa.Table, rows: np.ndarray) -> pa.Table:
    """The rows at `rows` (ascending, as groupby gives them): a zero-copy slice when they stand
    together, as one partition's rows of a batch do; a copy (`take`) otherwise."""
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
        return arrow.slice(int(rows[0]), len(rows))
    return arrow.take(pa.array(rows))


def _stamp(path: str) -> tuple[str, int, int]:
    """(agency folder, bytes, mtime in ns) of a curated file as it is now."""
    st = os.stat(path)
    return os.path.basename(os.path.dirname(path)), st.st_size, st.st_mtime_ns


def _write_chunk_shards(lake: Lake, table: str, df: pd.DataFrame, arrow: pa.Table,
                        groups: Mapping[tuple[int, str], object], written: list[tuple[int, str]],
                        stamps: Mapping[tuple[str, int, str], tuple[str, int, int]]) -> None:
    """One shard per year of the partitions just written (see `SHARDS_NAME`)."""
    schema = arrow_schema(table, with_agency=True)
    agency_column = pa.array(df["agency"].astype(object).to_numpy(), pa.string()) if len(df) else None
    by_year: dict[int, list[str]] = {}
    for year, agency in written:
        by_year.setdefault(year, []).append(agency)
    for year, agencies in by_year.items():
        index = [rows for a in agencies if (rows := groups.get((year, a))) is not None]
        take = pa.array(np.concatenate(index).astype(np.int64) if index else np.zeros(0, np.int64))
        part = arrow.take(take)
        agency = agency_column.take(take) if agency_column is not None else pa.array([], pa.string())
        columns = {**{name: part.column(name) for name in part.column_names}, "agency": agency}
        rows = pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)
        write_shard(lake, table, year, rows, [(a, *stamps[(table, year, a)]) for a in agencies])


def _dtypes(table: str) -> dict[str, str]:
    return {c.name: c.pandas_dtype for c in TABLES[table].columns}


def read_curated(lake: Lake, table: str, *, year: int | None = None, shards: bool = True) -> pd.DataFrame:
    """A curated table (optionally one year) as pandas with the schema's columns and dtypes.

    One year of a local lake reads its agencies' rows from the year's shards where a shard
    still holds the agency's current file (`read_shards`), and every other agency from its
    own file: the same rows as reading every file (`shards=False`), without opening tens of
    thousands of small files.
    """
    if year is None or not shards or not lake.is_local:
        base = lake.curated / table
        return _read_curated_files(lake, table, sorted(base.glob(f"year={year if year is not None else '*'}/agency=*/{PART_FILE}")))
    return _read_curated_year(lake, table, year, curated_stats(lake, table, year))


def _read_curated_year(lake: Lake, table: str, year: int, stats: Mapping[str, tuple[int, int]]) -> pd.DataFrame:
    """One table-year of a local lake: the agencies of `stats`, from shards where current."""
    from_shards, covered = read_shards(lake, table, year, stats)
    base = lake.curated / table / f"year={year}"
    rest = _read_curated_files(lake, table, [base / f / PART_FILE for f in sorted(stats) if f not in covered])
    if from_shards is None:
        return rest
    shard_rows = from_shards.to_pandas(types_mapper=pd.ArrowDtype)
    shard_rows["year"] = year
    shard_rows = _with_dtypes(shard_rows[TABLES[table].column_names], table)
    return pd.concat([shard_rows, rest], ignore_index=True) if len(rest) else shard_rows


def _read_curated_files(lake: Lake, table: str, files: list) -> pd.DataFrame:
    """Curated files (hive paths: year and agency from the folders) as one frame."""
    base = lake.curated / table
    cols = TABLES[table].column_names
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


# --------------------------------------------------------------------------- shards

SHARDS_NAME = ".shards"
"""Under the lake root: per curated table and year, shard files that each hold the rows of the
agency-years one curation chunk wrote (agency kept as a column), so a year's reader opens a few
hundred files instead of one per agency. A derived cache, never the lake's data: each shard
names, per agency, the size and mtime of the agency file its rows were taken from, and a row is
read from a shard only while that file is unchanged (`read_shards`); any other agency is read
from its own file. Hidden, as temp files are: its stamps hold mtimes, so it stays outside the
promise that a re-run writes the same bytes, and no reader of the zones sees it. Local lakes only
(an object store gives no mtime to trust)."""

SHARD_STAMP_KEY = b"disclosure.shard_inputs"
"""Parquet key-value metadata of a shard: JSON `[[agency, folder, bytes, mtime_ns], …]`."""


def shard_dir(lake: Lake, table: str, year: int) -> LakePath:
    return lake.root / SHARDS_NAME / table / f"year={year}"


def curated_stats(lake: Lake, table: str, year: int) -> dict[str, tuple[int, int]]:
    """`agency=…` folder → (bytes, mtime in ns) of its curated file, for one table-year (one `stat`
    per agency; a folder without its file is left out, as the readers leave it out)."""
    out: dict[str, tuple[int, int]] = {}
    try:
        folders = list(os.scandir(lake.curated / table / f"year={year}"))
    except FileNotFoundError:
        return out
    for folder in folders:
        if not folder.name.startswith("agency="):
            continue
        try:
            st = os.stat(os.path.join(folder.path, PART_FILE))
        except FileNotFoundError:
            continue
        out[folder.name] = (st.st_size, st.st_mtime_ns)
    return out


def write_shard(lake: Lake, table: str, year: int, rows: pa.Table, stamp: list[tuple[str, str, int, int]]) -> None:
    """Write the shard of one chunk's agency-years of a table-year: `rows` (with `agency`) and the
    stamp (agency, `agency=…` folder, bytes, mtime in ns) of each agency's file as it was just
    written. Named after its agencies, so a re-run of the same chunk replaces its shard."""
    stamp = sorted(stamp, key=lambda e: e[1])
    name = "part-" + sha256_bytes("\n".join(e[1] for e in stamp).encode("utf-8"))[:24] + ".parquet"
    meta = {**(rows.schema.metadata or {}), SHARD_STAMP_KEY: json.dumps(stamp, ensure_ascii=False).encode("utf-8")}
    write_parquet_atomic(shard_dir(lake, table, year) / name, rows.replace_schema_metadata(meta), durable=False,
                         compression=CURATED_COMPRESSION)


def read_shards(lake: Lake, table: str, year: int, stats: Mapping[str, tuple[int, int]]
                ) -> tuple[pa.Table | None, set[str]]:
    """The rows of a table-year that its shards hold for agencies whose file is unchanged since the
    shard was written (by `stats`), and the `agency=…` folders they cover. An unreadable shard is
    skipped (its agencies are read from their files); a shard that no longer holds any current
    agency is deleted."""
    pieces: list[pa.Table] = []
    covered: set[str] = set()
    try:
        paths = sorted(p for p in shard_dir(lake, table, year).iterdir() if p.name.startswith("part-"))
    except FileNotFoundError:
        return None, covered
    schema = arrow_schema(table, with_agency=True)
    for path in paths:
        try:
            pf = pq.ParquetFile(path)
            stamp = json.loads(pf.schema_arrow.metadata[SHARD_STAMP_KEY])
        except Exception:  # a torn or foreign file: read its agencies from their files
            continue
        good = [(agency, folder) for agency, folder, size, mtime in stamp
                if folder not in covered and stats.get(folder) == (size, mtime)]
        if not good:
            path.unlink(missing_ok=True)
            continue
        rows = pf.read().select(schema.names).cast(schema)
        if len(good) < len(stamp):
            rows = rows.filter(pc.is_in(rows["agency"], value_set=pa.array(sorted(a for a, _ in good), pa.string())))
        pieces.append(rows)
        covered.update(folder for _, folder in good)
    return (pa.concat_tables(pieces) if pieces else None), covered


def _with_dtypes(df: pd.DataFrame, table: str) -> pd.DataFrame:
    out = {}
    for c, d in _dtypes(table).items():
        s = df[c]
        out[c] = s.astype(d)
    return pd.DataFrame(out)


WAREHOUSE_ROW_GROUP_ROWS = 128 * 1024
"""Rows per warehouse row group. The file is sorted by the table's key first (`warehouse_sort`), so
one `row × applicant` of a national year (200,000 rows) spans 2–3 row groups of this size and a
filter on it skips the rest by their min/max statistics; pyarrow's default (1 M rows) made the
usual query read 5–6× more (bench/bench_read_national.py, docs/benchmarks.md)."""


def warehouse_sort(table: str) -> list[str]:
    """The warehouse's sort order: the table's key columns (what a query filters on: row, applicant,
    proceeding, …), then agency, then report_id — so a year's file is sorted by (row, applicant,
    agency) for `applications`, and each key's rows are contiguous, in agency order."""
    cols = TABLES[table].column_names
    key = [k for k in TABLES[table].key if k in cols and k not in ("report_id", "agency", "year")]
    return [*key, "agency", "report_id"]


def compact_year(lake: Lake, table: str, year: int, *, row_group_size: int = WAREHOUSE_ROW_GROUP_ROWS
                 ) -> WriteResult:
    """Write one sorted file with every agency of a year (agency kept as a column) to the warehouse.

    Every column of the curated table is kept (report_id, raw_text, where, flags, …: each value
    still traces to its source file and printed text). Sorted by `warehouse_sort` (declared in the
    file's `sorting_columns`), in row groups of `row_group_size` rows with a page index, so a
    filter on the key reads only the row groups (and pages) that can hold it.
    """
    # The stats before the read: a file changed during it reads as stale.
    stats = curated_stats(lake, table, year) if lake.is_local else None
    inputs = curated_fingerprint(lake, table, year, stats)
    df = read_curated(lake, table, year=year) if stats is None else _read_curated_year(lake, table, year, stats)
    order = warehouse_sort(table)
    schema = arrow_schema(table, with_agency=True)
    arrow = _sorted(pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False), order)
    sorting = [pq.SortingColumn(schema.get_field_index(c)) for c in order]
    path = lake.warehouse_path(table, year)
    sha, n = write_parquet_atomic(path, arrow, lake=lake, row_group_size=row_group_size,
                                  write_page_index=True, sorting_columns=sorting)
    if table in WIDE_TABLES:
        write_wide_values(lake, table, year, arrow, long_sha256=sha)
    if inputs is not None:  # last: a crash before it leaves the old fingerprint, which reads as stale
        record = {"curated_inputs": inputs, "sha256": sha, "file": _stat_key(path)}
        _atomic_write_bytes(_inputs_path(lake, table, year), json.dumps(record).encode("utf-8"), durable=False)
    return WriteResult(table=table, path=str(path), rows=arrow.num_rows, sha256=sha, n_bytes=n)


def _sorted(arrow: pa.Table, order: list[str]) -> pa.Table:
    """`arrow` stably sorted by `order`, nulls last: the order of pandas' stable `sort_values`
    (strings compare by code point there and byte-wise in Arrow, the same order for UTF-8),
    at a third of its cost on a national year of `applications`."""
    if arrow.num_rows < 2:
        return arrow
    return arrow.take(pc.sort_indices(arrow, sort_keys=[(c, "ascending", "at_end") for c in order]))


WAREHOUSE_INPUTS_NAME = ".inputs.json"
"""Beside each warehouse year file: the fingerprint of the curated files it was compacted from, and
the SHA-256, size and mtime of the file it wrote. A hidden file, as temp files are: it is a
stamp that holds mtimes, not data, so it is outside the lake's promise that a re-run writes the
same bytes (the Parquet file's bytes stay a function of its rows alone), and pyarrow's, DuckDB's
and the release's file discovery never see it."""


def _inputs_path(lake: Lake, table: str, year: int) -> LakePath:
    return lake.warehouse_path(table, year).parent / WAREHOUSE_INPUTS_NAME


def curated_fingerprint(lake: Lake, table: str, year: int, stats: Mapping[str, tuple[int, int]] | None = None
                        ) -> str | None:
    """SHA-256 over (agency folder, bytes, mtime in ns) of every curated file of a table-year, or
    None where the lake is not a local folder (object stores give no reliable mtime).

    Every curated write is a new file renamed into place, so a rewritten partition changes its
    mtime even when its bytes do not: a fingerprint that still matches means not one file of the
    year changed. It costs a `stat` per agency (about 30 ms for 3,000), not a Parquet open (2 s).
    """
    if not lake.is_local:
        return None
    stats = curated_stats(lake, table, year) if stats is None else stats
    entries = [f"{folder}\t{size}\t{mtime}" for folder, (size, mtime) in stats.items()]
    return sha256_bytes("\n".join(sorted(entries)).encode("utf-8"))


def warehouse_is_current(lake: Lake, table: str, year: int, *, fingerprint: str | None = None) -> bool:
    """The warehouse year file holds exactly the year's curated files as they are now: it is the
    file written with the fingerprint recorded beside it, and that fingerprint matches theirs
    (`fingerprint`, when the caller has just taken it, else taken here)."""
    path, inputs = lake.warehouse_path(table, year), _inputs_path(lake, table, year)
    if not lake.is_local or not path.exists() or not inputs.exists():
        return False
    try:
        recorded = json.loads(inputs.read_bytes())
    except ValueError:
        return False
    # The file's size and mtime, not its hash: a national year's file is a gigabyte, and
    # every write replaces the file (the audit re-hashes it against the lake manifest).
    if recorded.get("file") != _stat_key(path):
        return False
    return recorded.get("curated_inputs") == (fingerprint or curated_fingerprint(lake, table, year))


def _stat_key(path: LakePath) -> list[int]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]


def read_year(lake: Lake, table: str, year: int) -> pd.DataFrame:
    """A table's rows of one year: from its warehouse file when that is current (one file), else
    from the curated partitions (one small file per agency)."""
    if warehouse_is_current(lake, table, year):
        return read_warehouse(lake, table, year)
    return read_curated(lake, table, year=year)


WIDE_TABLES: tuple[str, ...] = ("applications",)
"""Long tables that also get a wide values file beside their warehouse year (`wide_values`):
`applications` is a full grid (every row key × every applicant), 26 × 7 = 182 Int64 cells."""
WIDE_SUFFIX = "_wide"
WIDE_ROW_GROUP_ROWS = 64 * 1024
"""Rows (reports) per wide row group: a national year (200,000 reports) is 4 groups, so DuckDB's
threads each decode one; measured in bench/bench_read_national.py (docs/benchmarks.md)."""
WIDE_COMPRESSION = "zstd"
"""zstd as the rest of the lake: snappy and none read within ±15 % of it in the 200k bench (noise level)."""
WIDE_SORT: tuple[str, ...] = ("agency", "report_id")


def wide_table_name(table: str) -> str:
    """The warehouse folder of a table's wide values file: `applications` → `applications_wide`."""
    return table + WIDE_SUFFIX


def wide_path(lake: Lake, table: str, year: int) -> LakePath:
    """warehouse/<table>_wide/year=YYYY/part-0.parquet: a folder of its own, so the documented glob
    `warehouse/<table>/*/*.parquet` never mixes it with the long file."""
    return lake.warehouse / wide_table_name(table) / f"year={year}" / PART_FILE


def _cell_keys(table: str) -> tuple[str, str]:
    """The two key columns (besides report_id) whose product is a table's grid of cells."""
    keys = [k for k in TABLES[table].key if k != "report_id"]
    if len(keys) != 2:
        raise ValueError(f"{table}: a wide file needs a key of report_id + two cell columns, not {keys}")
    return keys[0], keys[1]


def wide_column_name(first: str, second: str) -> str:
    """The wide column of one cell: '.' of a row key becomes '_', the two keys are joined by '__'
    (`withheld.state_secret` × `natural_person` → `withheld_state_secret__natural_person`), so every
    name is a plain SQL and Python identifier, needing no quotes."""
    return f"{first.replace('.', '_')}__{second}"


def wide_cells(table: str) -> list[tuple[str, str, str]]:
    """(column name, first key, second key) of every cell column, in the vocabulary's order (the
    `isin` of the key columns in `disclosure.schema.TABLES`: printed row order, then applicant)."""
    first, second = _cell_keys(table)
    cols = {c.name: c for c in TABLES[table].columns}
    out = [(wide_column_name(a, b), a, b) for a in cols[first].isin for b in cols[second].isin]
    names = [n for n, _, _ in out]
    if len(set(names)) != len(names) or not all(n.isidentifier() for n in names):
        raise ValueError(f"{table}: wide column names are not distinct identifiers")
    return out


def wide_table(table: str) -> Table:
    """The wide values file described as a schema `Table` (for the release's data dictionary):
    report_id, agency, year, then one nullable cell column per `wide_cells` entry."""
    cols = {c.name: c for c in TABLES[table].columns}
    first, second = _cell_keys(table)
    value = cols["value"]
    cells = tuple(
        Column(name, value.dtype, f"`value` of the {table} row with {first} = {a}, {second} = {b} (null: blank, "
               "unread or flagged, or a row the report's template lacks; provenance in the long table, join on "
               "report_id)", nullable=True, ge=value.ge)
        for name, a, b in wide_cells(table))
    return Table(wide_table_name(table), f"{TABLES[table].description} One row per report, one column per cell "
                 "(the wide values file beside the warehouse year; derived only from the long rows).",
                 (cols["report_id"], cols["agency"], cols["year"], *cells), key=("report_id",))


def wide_schema(table: str) -> pa.Schema:
    """report_id, agency, year, then one column per cell of the value's type; each cell field
    carries its two keys as field metadata (so a reader can map a column back without parsing)."""
    first, second = _cell_keys(table)
    cols = {c.name: c for c in TABLES[table].columns}
    value_type = cols["value"].arrow_type
    fields = [pa.field(c, cols[c].arrow_type, nullable=False) for c in ("report_id", "agency", "year")]
    fields += [pa.field(n, value_type, nullable=True, metadata={first: a, second: b})
               for n, a, b in wide_cells(table)]
    return pa.schema(fields)


def wide_values(long: pa.Table, table: str, year: int) -> pa.Table:
    """The long rows of one year as one row per report (sorted by agency, report_id) and one column
    per cell: each non-null wide cell is exactly one long row's `value`; a cell is null where its
    long row's value is null (blank, unread, flagged) or the report has no such row (another
    template). Provenance (raw_text, where, flags, …) stays in the long table: join on report_id.
    A key pair outside the vocabulary or a duplicate (report_id, key, key) raises: never dropped
    or chosen silently."""
    import pyarrow.compute as pc

    first, second = _cell_keys(table)
    cells = wide_cells(table)
    schema = wide_schema(table)
    reports = long.select(["report_id", "agency"]).group_by(["report_id", "agency"]).aggregate([])
    if len(set(reports["report_id"].to_pylist())) != reports.num_rows:
        raise ValueError(f"{table} {year}: a report_id with more than one agency")
    reports = reports.sort_by([(c, "ascending") for c in WIDE_SORT])
    n_rep, n_cell = reports.num_rows, len(cells)
    rep = pc.index_in(long["report_id"], reports["report_id"]).to_numpy(zero_copy_only=False)
    # `wide_cells` is the product first.isin × second.isin in that order, so a row's cell is
    # (index of its first key) × len(second.isin) + (index of its second key): two lookups in
    # short lists, not one in joined strings (which was 3/4 of the pivot at 3.5 M rows).
    firsts = [a for _, a, _ in cells[:: len({b for _, _, b in cells})]]
    seconds = list(dict.fromkeys(b for _, _, b in cells))
    assert [(a, b) for _, a, b in cells] == [(a, b) for a in firsts for b in seconds]
    first_of = pc.index_in(long[first], pa.array(firsts, pa.string()))
    second_of = pc.index_in(long[second], pa.array(seconds, pa.string()))
    outside = pc.sum(pc.or_kleene(pc.is_null(first_of), pc.is_null(second_of))).as_py() or 0
    if outside:
        raise ValueError(f"{table} {year}: {outside} rows with a key outside the vocabulary")
    cell_of = (first_of.to_numpy(zero_copy_only=False).astype(np.int64) * len(seconds)
               + second_of.to_numpy(zero_copy_only=False).astype(np.int64))
    flat = rep.astype(np.int64) * n_cell + cell_of
    occupied = np.zeros(n_rep * n_cell, dtype=bool)
    occupied[flat] = True
    if int(np.count_nonzero(occupied)) != len(flat):  # two rows landed on one cell
        raise ValueError(f"{table} {year}: duplicate ({first}, {second}) rows within a report")
    value = long["value"].combine_chunks() if long.num_rows else pa.array([], schema.field(3).type)
    grid = np.zeros(n_rep * n_cell, dtype=value.type.to_pandas_dtype())
    valid = np.zeros(n_rep * n_cell, dtype=bool)
    grid[flat] = value.fill_null(0).to_numpy(zero_copy_only=False)
    valid[flat] = value.is_valid().to_numpy(zero_copy_only=False)
    grid, valid = grid.reshape(n_rep, n_cell), valid.reshape(n_rep, n_cell)
    arrays = [reports["report_id"], reports["agency"], pa.array(np.full(n_rep, year, dtype=np.int64))]
    arrays += [pa.array(grid[:, j], type=schema.field(3 + j).type, mask=~valid[:, j]) for j in range(n_cell)]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_wide_values(lake: Lake, table: str, year: int, long: pa.Table, *, long_sha256: str,
                      row_group_size: int = WIDE_ROW_GROUP_ROWS) -> WriteResult:
    """Write `wide_values` of a year's long warehouse rows beside it, atomically (as every lake file).

    The file's metadata names the SHA-256 of the long warehouse file it was derived from
    (`disclosure.long_sha256`): a reader can tell a wide file that lags its long file. Every column
    keeps pyarrow's dictionary pages (a column of counts repeats few values; the tiled 200k year
    read 641 vs 803 ms CPU with them, within the machine's noise but not worse)."""
    wide = wide_values(long, table, year)
    wide = wide.replace_schema_metadata({"disclosure.long_sha256": long_sha256, "disclosure.table": table})
    sorting = [pq.SortingColumn(wide.schema.get_field_index(c)) for c in WIDE_SORT]
    path = wide_path(lake, table, year)
    sha, n = write_parquet_atomic(path, wide, lake=lake, row_group_size=row_group_size, compression=WIDE_COMPRESSION,
                                  write_page_index=True,
                                  sorting_columns=sorting)
    return WriteResult(table=wide_table_name(table), path=str(path), rows=wide.num_rows, sha256=sha, n_bytes=n)


def read_wide_values(lake: Lake, table: str, year: int) -> pd.DataFrame:
    """A year's wide values file as pandas (nullable Int64 cells)."""
    fs, where = _fs_and_path(wide_path(lake, table, year))
    return pq.read_table(where, filesystem=fs).to_pandas(types_mapper=pd.ArrowDtype)


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


def warehouse_frames(lake: Lake, year: int) -> dict[str, pd.DataFrame]:
    """Every table's warehouse copy of `year`, by table name."""
    return {t: read_warehouse(lake, t, year) for t in TABLES}

