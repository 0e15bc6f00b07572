"""Core: agency-year partitions parsed into the curated zone, and per-year warehouse copies.

`curated` runs the core batch API once per run over every partition of the run (a backfill
run covers up to `BATCH_SIZE` agency-years), validates each table once with the pandera
schemas generated from `disclosure.schema`, and writes only partitions whose rows pass.
Its checks are returned with the materialization (few events per run): in a one-partition
run (the inbox sensor's) they are that partition's checks; in a backfill run they cover the
run's batch and list the failing partitions.
"""


import os
from dataclasses import dataclass, field

import dagster as dg
import pandas as pd

from assets.raw.assets import RAW_KEY
from disclosure.lake import (
    Lake,
    WriteResult,
    compact_year,
    current_raw,
    quarantine,
    read_raw,
    schema_failures,
    write_partitions,
)
from disclosure.schema import TABLES
from pipelines.partitions import BATCH_SIZE, agency_year_partitions, split_key, year_partitions
from pipelines.resources import LakeResource

CURATED_KEY = dg.AssetKey("curated")
WAREHOUSE_KEYS = [dg.AssetKey(["warehouse", t]) for t in TABLES]
CELL_TABLES = ("active_disclosure", "applications", "review_litigation")

CHECK_SCHEMA = "pandera_schema"
CHECK_IDENTITIES = "report_identities"
CHECK_AMBIGUOUS = "ambiguous_cells"
CHECK_PARSED = "all_reports_parsed"


def table_schema(table: str, *, prefix: str = "", skip: tuple[str, ...] = ()) -> list[dg.TableColumn]:
    cols = []
    for c in TABLES[table].columns:
        if c.name in skip:
            continue
        constraints = dg.TableColumnConstraints(
            nullable=c.nullable,
            other=[x for x in (f"isin {list(c.isin)}" if c.isin else None, f">= {c.ge:g}" if c.ge is not None else None) if x],
        )
        cols.append(dg.TableColumn(prefix + c.name, c.dtype, description=c.description, constraints=constraints))
    return cols


def _md_cell(x: object) -> str:
    if hasattr(x, "__len__") and not isinstance(x, str):  # a list column (flags, candidates)
        return ", ".join(map(str, x))  # type: ignore[call-overload]
    return "" if pd.isna(x) else str(x)  # type: ignore[arg-type]


def md_table(df: pd.DataFrame, limit: int = 15) -> str:
    if df.empty:
        return "_(no rows)_"
    head = df.head(limit)
    cols = [str(c) for c in head.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in head.itertuples(index=False):
        cells = [_md_cell(x).replace("|", "\\|").replace("\n", " ")[:80] for x in row]
        lines.append("| " + " | ".join(cells) + " |")
    if len(df) > limit:
        lines.append(f"\n… {len(df) - limit} more rows")
    return "\n".join(lines)


_CURATED_DESCRIPTION = (
    "The six curated long tables of one agency-year, parsed from its current raw file by the core "
    "batch API: "
    + "; ".join(f"**{t.name}** — {t.description}" for t in TABLES.values())
    + " Files: data_lake/curated/<table>/year=YYYY/agency=<key>/part-0.parquet (written atomically; "
    "a re-run replaces the partition). year and agency are hive partition columns."
)


@dg.asset(
    key=CURATED_KEY,
    group_name="core",
    partitions_def=agency_year_partitions,
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=BATCH_SIZE),
    deps=[RAW_KEY],
    description=_CURATED_DESCRIPTION,
    kinds={"parquet", "pandas"},
    metadata={
        "dagster/column_schema": dg.TableSchema(
            columns=[c for t in TABLES for c in table_schema(t, prefix=f"{t}.")]
        ),
        **{f"columns: {t}": dg.TableSchema(columns=table_schema(t)) for t in TABLES},
    },
    check_specs=[
        dg.AssetCheckSpec(
            CHECK_SCHEMA,
            asset=CURATED_KEY,
            blocking=True,
            description="Every table passes its pandera schema (generated from disclosure/schema.py); "
            "partitions with failing rows are not written.",
        ),
        dg.AssetCheckSpec(
            CHECK_IDENTITIES,
            asset=CURATED_KEY,
            description="The report's own identities (vocabulary.md) hold; failures list the printed numbers.",
        ),
        dg.AssetCheckSpec(
            CHECK_AMBIGUOUS, asset=CURATED_KEY, description="No cell is flagged ambiguous (digit runs with several splits)."
        ),
        dg.AssetCheckSpec(
            CHECK_PARSED, asset=CURATED_KEY, description="Every current raw file of the run was parsed (none rejected)."
        ),
    ],
)
def curated(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    lk: Lake = lake.lake
    keys = list(context.partition_keys)
    acc = _Accumulator()
    # Stream the run's partitions through the core in chunks: memory stays flat whatever the
    # run's size (a backfill run may cover thousands of agency-years to save run start-ups).
    for i in range(0, len(keys), CHUNK_SIZE):
        _curate_chunk(lk, keys[i : i + CHUNK_SIZE], acc)
    if lk.is_local:
        os.sync()  # one flush for the whole run instead of an fsync per file
    return acc.result(context, lk, keys)


# Agency-years parsed, validated and written at a time inside one run (env DISCLOSURE_CHUNK_SIZE).
CHUNK_SIZE = int(os.environ.get("DISCLOSURE_CHUNK_SIZE", "250"))
# Rows kept for the check tables (the counts are exact).
_KEEP = 30


@dataclass
class _Accumulator:
    """What the checks and the materialization report, summed over the chunks of a run."""

    absent: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    held: set[tuple[int, str]] = field(default_factory=set)
    failures: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    rejected: list[object] = field(default_factory=list)
    evaluated: int = 0
    failed_ids: list[pd.DataFrame] = field(default_factory=list)
    n_failed_ids: int = 0
    flagged: dict[str, list[pd.DataFrame]] = field(default_factory=dict)
    n_ambiguous: int = 0
    n_flags: int = 0
    n_files: int = 0
    writes: list[WriteResult] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    written: list[tuple[int, str]] = field(default_factory=list)
    preview: str | None = None

    def result(self, context: dg.AssetExecutionContext, lk: Lake, keys: list[str]) -> dg.MaterializeResult:
        failures = {t: pd.concat(fcs, ignore_index=True) for t, fcs in self.failures.items()}
        failed_ids = (
            pd.concat(self.failed_ids, ignore_index=True).head(_KEEP) if self.failed_ids else pd.DataFrame()
        )
        flagged = {t: pd.concat(dfs, ignore_index=True).head(20) for t, dfs in self.flagged.items()}
        written = sorted(self.written)
        check_results = [
            dg.AssetCheckResult(
                check_name=CHECK_SCHEMA,
                passed=not failures,
                metadata={
                    "failing_tables": ", ".join(sorted(failures)) or "none",
                    "held_back_partitions": len(self.held),
                    "failure_cases": dg.MetadataValue.md(
                        "\n\n".join(f"**{t}**\n\n" + md_table(fc.astype(str)) for t, fc in failures.items()) or "none"
                    ),
                },
            ),
            dg.AssetCheckResult(
                check_name=CHECK_IDENTITIES,
                passed=self.n_failed_ids == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "failed": self.n_failed_ids,
                    "evaluated": self.evaluated,
                    "failures": dg.MetadataValue.md(
                        md_table(failed_ids[["agency", "year", "check", "scope", "lhs", "rhs", "detail"]], limit=_KEEP)
                        if self.n_failed_ids
                        else "none"
                    ),
                },
            ),
            dg.AssetCheckResult(
                check_name=CHECK_AMBIGUOUS,
                passed=self.n_ambiguous == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "ambiguous_cells": self.n_ambiguous,
                    "cells": dg.MetadataValue.md(
                        "\n\n".join(
                            f"**{t}**\n\n" + md_table(df.drop(columns=["report_id"]), limit=20)
                            for t, df in flagged.items()
                            if len(df)
                        )
                        or "none"
                    ),
                },
            ),
            dg.AssetCheckResult(
                check_name=CHECK_PARSED,
                passed=not self.rejected and not self.absent,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "rejected": len(self.rejected),
                    "no_raw_file": len(self.absent),
                    "details": dg.MetadataValue.md(
                        "\n".join(f"- {r.source_file}: {r.code}: {r.message}" for r in self.rejected[:_KEEP])  # type: ignore[attr-defined]
                        + "".join(f"\n- {k}: no raw file for this agency-year" for k in self.absent[:_KEEP])
                        or "none"
                    ),
                },
            ),
        ]
        # Dagster copies this metadata onto the materialization of every partition of the run, so
        # it stays small: counts, and the file list only for runs of a few partitions.
        metadata: dict[str, object] = {
            "dagster/row_count": self.rows.get("applications", 0),
            "partitions_written": len(written),
            "partitions_requested": len(keys),
            **{f"rows.{t}": n for t, n in self.rows.items()},
            "flags": self.n_flags,
            "files_written": self.n_files,
            "source_files": ", ".join(sorted(self.sources)[:20]) + (" …" if len(self.sources) > 20 else ""),
            "path": dg.MetadataValue.path(
                str(lk.curated_path("applications", *written[0])) if len(written) == 1 else str(lk.curated)
            ),
        }
        if len(keys) <= SMALL_RUN:
            metadata["writes"] = dg.MetadataValue.json(
                [{"table": w.table, "path": w.path, "rows": w.rows, "sha256": w.sha256} for w in self.writes[:60]]
            )
            if self.preview:
                metadata["preview"] = dg.MetadataValue.md(self.preview)
        context.log.info(
            f"curated: {len(written)} partition(s) written, {len(self.held)} held (schema), "
            f"{len(self.rejected)} rejected, {len(self.absent)} without raw file"
        )
        return dg.MaterializeResult(metadata=metadata, check_results=check_results)


# Runs of at most this many partitions carry the file list and a preview in their metadata.
SMALL_RUN = 10


def _curate_chunk(lk: Lake, keys: list[str], acc: _Accumulator) -> None:
    from disclosure.batch import BatchItem, parse_batch

    items: list[BatchItem] = []
    sources: dict[tuple[int, str], str] = {}
    for key in keys:
        agency, year = split_key(key)
        rf = current_raw(lk, agency, year)
        if rf is None:
            acc.absent.append(key)
            continue
        sources[(year, agency)] = rf.source_file
        items.append(
            BatchItem(path=rf.path(lk), agency=agency, year=year, data=read_raw(lk, rf), source_name=rf.source_file,
                      caller_source="manifest" if (rf.agency_source or "").startswith("manifest") else "partition")
        )
    acc.sources.extend(sources.values())
    if not items:
        return
    batch = parse_batch(items, validate=False)
    del items
    frames = {t: batch.frames[t] for t in TABLES if t in batch.frames}

    # --- pandera (blocking): one validation per table for the whole chunk.
    failures = schema_failures(frames)
    held: set[tuple[int, str]] = set()
    if failures:
        bad_ids = {r for fc in failures.values() for r in fc["report_id"].tolist() if r}
        whole_batch = any(fc["report_id"].isna().any() for fc in failures.values())
        reports = frames.get("reports", pd.DataFrame(columns=["report_id", "year", "agency"]))
        for r in reports.itertuples(index=False):
            if whole_batch or r.report_id in bad_ids:
                held.add((int(r.year), str(r.agency)))
        for year, agency in sorted(held):
            quarantine(
                lk,
                source_file=sources.get((year, agency), f"{agency}|{year}"),
                code="schema_violation",
                reason="curated rows fail the pandera schema: "
                + "; ".join(f"{t}: {len(fc)} failure(s)" for t, fc in failures.items()),
                agency=agency,
                year=year,
            )
        for t, fc in failures.items():
            acc.failures.setdefault(t, []).append(fc.head(_KEEP))
        acc.held |= held

    # --- rejected by the parser: quarantine (the partition keeps its previous curated files).
    for rej in batch.rejected:
        quarantine(lk, source_file=rej.source_file, code=rej.code, reason=rej.message, sha256=rej.report_id)
    acc.rejected.extend(batch.rejected)

    # --- write every partition that passed, six tables each (atomic, replaces the partition).
    if len(TABLES) == len(frames):
        writes = write_partitions(lk, frames, skip=held, durable=False)
        acc.n_files += len(writes)
        for w in writes:
            acc.rows[w.table] += w.rows
        if len(acc.writes) < 60:
            acc.writes.extend(writes[: 60 - len(acc.writes)])
        reports = frames["reports"]
        acc.written.extend(
            (int(y), str(a)) for y, a in zip(reports["year"], reports["agency"], strict=True) if (int(y), str(a)) not in held
        )

    # --- check inputs (kept small: counts plus the first rows).
    issues = frames.get("validation_issues", pd.DataFrame(columns=["status"]))
    acc.evaluated += len(issues)
    fails = issues[issues["status"] == "fail"] if len(issues) else issues
    acc.n_failed_ids += len(fails)
    if len(fails) and sum(len(f) for f in acc.failed_ids) < _KEEP:
        acc.failed_ids.append(fails.head(_KEEP))
    for t in CELL_TABLES:
        if t not in frames or not len(frames[t]):
            continue
        flags = frames[t]["flags"]
        acc.n_flags += int((flags.list.len() > 0).sum())  # flags: a list column, [] when none
        amb = frames[t][[("ambiguous" in f) for f in flags.tolist()]]
        acc.n_ambiguous += len(amb)
        if len(amb) and sum(len(d) for d in acc.flagged.get(t, [])) < 20:
            acc.flagged.setdefault(t, []).append(amb.head(20))
    if acc.preview is None and "applications" in frames and acc.written:
        y0, a0 = acc.written[0]
        app = frames["applications"]
        sample = app[(app["year"] == y0) & (app["agency"] == a0)]
        acc.preview = f"**applications** {a0} {y0} (total column)\n\n" + md_table(
            sample[sample["applicant"] == "total"][["row", "value", "raw_text", "flags"]], limit=30
        )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="core",
            partitions_def=year_partitions,
            deps=[dg.AssetDep(CURATED_KEY, partition_mapping=dg.MultiToSingleDimensionPartitionMapping("year"))],
            description=f"One compacted, sorted Parquet file per year of the curated **{t}** table "
            f"(agency kept as a column) for fast reads: data_lake/warehouse/{t}/year=YYYY/part-0.parquet. "
            + TABLES[t].description,
            kinds={"parquet"},
            metadata={"dagster/column_schema": dg.TableSchema(columns=table_schema(t))},
        )
        for key, t in zip(WAREHOUSE_KEYS, TABLES, strict=True)
    ],
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def warehouse(context: dg.AssetExecutionContext, lake: LakeResource):
    lk = lake.lake
    years = [int(k) for k in context.partition_keys]
    for key, t in zip(WAREHOUSE_KEYS, TABLES, strict=True):
        results = [compact_year(lk, t, y) for y in years]
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "dagster/row_count": sum(r.rows for r in results),
                "path": dg.MetadataValue.path(results[0].path if len(results) == 1 else str(lk.warehouse / t)),
                "files": dg.MetadataValue.json([{"path": r.path, "rows": r.rows, "sha256": r.sha256} for r in results]),
            },
        )


def warehouse_frames(lk: Lake, year: int) -> dict[str, pd.DataFrame]:
    from disclosure.lake import read_warehouse

    return {t: read_warehouse(lk, t, year) for t in TABLES}


__all__ = ["CURATED_KEY", "WAREHOUSE_KEYS", "curated", "warehouse", "warehouse_frames"]
