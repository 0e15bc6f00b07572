"""A versioned, citeable release of the lake: `disclosure release --lake DIR --out DIR`.

    <out>/disclosure-lake-<YYYY-MM-DD>/
        warehouse/<table>/year=YYYY/part-0.parquet   the warehouse, as in the lake
        marts/<mart>/year=YYYY/part-0.parquet        every mart
        data_dictionary.md / .csv / .json            every column, generated from schema.TABLES and MART_TABLES
        release.json                                 date, package version, files (path, bytes, sha256), row counts
        SHA256SUMS                                   `sha256sum -c` format, every file above
        README.md                                    what it is and how to cite it (with the content digest)

* Checked: every Parquet file's SHA-256 must be one the lake manifest recorded when the file was
  written (`lake.read_hashes`); a file that changed since is refused, naming it.
* Atomic: built in a hidden temporary folder beside the target and renamed into place.
* Idempotent: the content depends only on the lake's files and the date, so a re-run on the same
  day writes nothing when the release there is identical, and replaces it (atomically) when the
  lake changed since.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path

from disclosure.lake import Lake, read_hashes
from disclosure.lake.parquet import WIDE_TABLES, wide_table, wide_table_name
from disclosure.schema import MART_TABLES, TABLES, Table

ZONES: tuple[str, ...] = ("warehouse", "marts")
"""Lake zones a release carries (raw files and the curated per-agency files stay in the lake)."""


class ReleaseError(Exception):
    """The lake cannot be released as it is (no files, or a file that changed since it was written)."""


@dataclass(frozen=True)
class ReleaseResult:
    path: Path
    written: bool  # False when an identical release was already there
    n_files: int
    digest: str  # the content digest (`content_digest`): one number that names the release


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def warehouse_tables() -> dict[str, Table]:
    """Every table of the released warehouse: the long tables, then the wide values files."""
    return {**TABLES, **{wide_table_name(t): wide_table(t) for t in WIDE_TABLES}}


def dictionary_records() -> list[dict[str, object]]:
    """Every column of every released table (warehouse tables, then marts)."""
    def rows(zone: str, tables: dict[str, Table]):
        for t in tables.values():
            for c in t.columns:
                yield {"zone": zone, "table": t.name, "column": c.name, "type": c.dtype, "nullable": c.nullable,
                       "allowed": "|".join(c.isin) if c.isin else "", "min": "" if c.ge is None else c.ge,
                       "description": c.description}
    return [*rows("warehouse", warehouse_tables()), *rows("marts", MART_TABLES)]


def dictionary_markdown() -> str:
    lines = ["# Data dictionary", "", "Generated from `disclosure/schema.py` (`TABLES`, `MART_TABLES`). "
             "`year` is a hive partition column (in the path, not in the file); in the warehouse `agency` is "
             "stored in the file.", ""]
    for zone, tables in (("warehouse", warehouse_tables()), ("marts", MART_TABLES)):
        for t in tables.values():
            lines += [f"## {zone}/{t.name}", "", t.description, "", "| column | type | null | description |",
                      "|---|---|---|---|"]
            for c in t.columns:
                extra = f" Allowed: {', '.join(c.isin)}." if c.isin else ""
                desc = (c.description + extra).replace("|", "\\|").replace("\n", " ")
                lines.append(f"| `{c.name}` | {c.dtype} | {'yes' if c.nullable else 'no'} | {desc} |")
            lines.append("")
    return "\n".join(lines)


def dictionary_csv() -> str:
    buf = io.StringIO()
    recs = dictionary_records()
    w = csv.DictWriter(buf, fieldnames=list(recs[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(recs)
    return buf.getvalue()


def lake_files(lake: Lake) -> list[tuple[str, Path]]:
    """(release path, lake file) of every Parquet file of the released zones, sorted."""
    out = []
    for zone in ZONES:
        base = lake.root / zone
        for p in sorted(base.glob("*/year=*/part-0.parquet")):
            out.append((p.relative_to(lake.root).as_posix(), p))
    return out


def _row_count(data: bytes) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(io.BytesIO(data)).metadata.num_rows


def release_contents(lake: Lake, day: Date) -> dict[str, bytes]:
    """Every file of the release (path → bytes), deterministic for a lake and a date."""
    files = lake_files(lake)
    if not files:
        raise ReleaseError(f"{lake.root}: no warehouse or mart files to release (run the pipeline first)")
    recorded = read_hashes(lake)
    contents: dict[str, bytes] = {}
    entries = []
    for rel, path in files:
        data = path.read_bytes()
        sha = _sha(data)
        if sha not in recorded.get(rel, set()):
            raise ReleaseError(f"{path}: SHA-256 {sha[:12]}… is not the one the lake manifest recorded for it "
                               "(changed or corrupted since it was written; rebuild it before releasing)")
        contents[rel] = data
        entries.append({"path": rel, "n_bytes": len(data), "sha256": sha, "rows": _row_count(data)})
    contents["data_dictionary.md"] = dictionary_markdown().encode("utf-8")
    contents["data_dictionary.csv"] = dictionary_csv().encode("utf-8")
    contents["data_dictionary.json"] = json.dumps(dictionary_records(), ensure_ascii=False, indent=1).encode("utf-8")
    from importlib.metadata import PackageNotFoundError, version

    try:
        pkg = version("disclosure-lake")
    except PackageNotFoundError:
        pkg = "unknown"
    tables: dict[str, int] = {}
    for e in entries:
        zone, table = e["path"].split("/")[:2]
        tables[f"{zone}/{table}"] = tables.get(f"{zone}/{table}", 0) + int(e["rows"])
    meta = {"name": f"disclosure-lake-{day.isoformat()}", "date": day.isoformat(), "package_version": pkg,
            "rows": tables, "files": entries}
    contents["release.json"] = json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8")
    sums = "".join(f"{_sha(data)}  {rel}\n" for rel, data in sorted(contents.items()))
    digest = _sha(sums.encode("utf-8"))
    contents["README.md"] = (
        f"# disclosure-lake release {day.isoformat()}\n\n"
        "Government information-disclosure annual reports (政府信息公开工作年度报告) as Parquet: the warehouse "
        "(one file per table and year) and the marts. Columns: `data_dictionary.md`. Check the files with "
        "`sha256sum -c SHA256SUMS`.\n\n"
        f"Cite as: disclosure-lake, release {day.isoformat()} (content digest sha256:{digest}, the SHA-256 of the "
        "checksum lines of every file but README.md and SHA256SUMS).\n"
    ).encode()
    contents["SHA256SUMS"] = "".join(f"{_sha(data)}  {rel}\n" for rel, data in sorted(contents.items())).encode()
    return contents


def content_digest(contents: dict[str, bytes]) -> str:
    """The release's content digest (as printed in its README)."""
    sums = "".join(f"{_sha(data)}  {rel}\n" for rel, data in sorted(contents.items())
                   if rel not in ("README.md", "SHA256SUMS"))
    return _sha(sums.encode("utf-8"))


def _same(target: Path, contents: dict[str, bytes]) -> bool:
    sums = target / "SHA256SUMS"
    return sums.is_file() and sums.read_bytes() == contents["SHA256SUMS"] and all(
        (target / rel).is_file() for rel in contents)


def write_release(lake: Lake, out: Path, *, day: Date | None = None) -> ReleaseResult:
    """Write (or keep) `<out>/disclosure-lake-<day>/`; see the module docstring."""
    day = day or datetime.now(UTC).date()
    contents = release_contents(lake, day)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"disclosure-lake-{day.isoformat()}"
    digest = content_digest(contents)
    if _same(target, contents):
        return ReleaseResult(target, False, len(contents), digest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=out))
    try:
        for rel, data in contents.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            with open(p, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)
        if target.exists():  # replace: move the old one aside first, so the name is never half-written
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=out))
            os.rename(target, old / "release")
            os.rename(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ReleaseResult(target, True, len(contents), digest)


__all__ = ["ReleaseError", "ReleaseResult", "dictionary_markdown", "dictionary_records", "release_contents",
           "warehouse_tables", "write_release"]
