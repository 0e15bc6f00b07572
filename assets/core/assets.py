"""Core: agency-year partitions parsed into the curated zone, and per-year warehouse copies.

`curated` runs the core batch API once per run over every partition of the run (a backfill
run covers up to `BATCH_SIZE` agency-years), validates each table once with the pandera
schemas generated from `disclosure.schema`, and writes only partitions whose rows pass.
Its checks are returned with the materialization (few events per run): in a one-partition
run (the inbox sensor's) they are that partition's checks; in a backfill run they cover the
run's batch and list the failing partitions.
"""


import os

import dagster as dg
import pandas as pd

from assets.raw.assets import RAW_KEY
from disclosure.lake import (
    Lake,
    WriteResult,
    compact_year,
    current_raw,
    frames_by_partition,
    quarantine,
    read_raw,
    schema_failures,
    write_partition,
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


def md_table(df: pd.DataFrame, limit: int = 15) -> str:
    if df.empty:
        return "_(no rows)_"
    head = df.head(limit)
    cols = [str(c) for c in head.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in head.itertuples(index=False):
        cells = ["" if pd.isna(x) else str(x).replace("|", "\\|").replace("\n", " ")[:80] for x in row]
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
    from disclosure.batch import BatchItem, parse_batch

    lk: Lake = lake.lake
    keys = list(context.partition_keys)
    items: list[BatchItem] = []
    absent: list[str] = []
    sources: dict[tuple[int, str], str] = {}
    for key in keys:
        agency, year = split_key(key)
        rf = current_raw(lk, agency, year)
        if rf is None:
            absent.append(key)
            continue
        sources[(year, agency)] = rf.source_file
        items.append(
            BatchItem(path=rf.path(lk), agency=agency, year=year, data=read_raw(lk, rf), source_name=rf.source_file)
        )
    batch = parse_batch(items, validate=False)
    frames = {t: batch.frames[t] for t in TABLES if t in batch.frames}

    # --- pandera (blocking): one validation per table for the whole batch.
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

    # --- rejected by the parser: quarantine (the partition keeps its previous curated files).
    for rej in batch.rejected:
        quarantine(lk, source_file=rej.source_file, code=rej.code, reason=rej.message, sha256=rej.report_id)

    # --- write every partition that passed, six tables each (atomic, replaces the partition).
    writes: list[WriteResult] = []
    parts = frames_by_partition(frames) if frames else {}
    for (year, agency), tables in parts.items():
        if (year, agency) in held:
            continue
        for t in TABLES:
            writes.append(write_partition(lk, t, tables[t], year=year, agency=agency, durable=False))
    os.sync()  # one flush for the whole batch instead of an fsync per file
    written = sorted({(y, a) for (y, a) in parts if (y, a) not in held})

    # --- checks (one evaluation each for the run).
    issues = frames.get("validation_issues", pd.DataFrame(columns=["status"]))
    failed_ids = issues[issues["status"] == "fail"] if len(issues) else issues
    flagged = {
        t: frames[t][frames[t]["flags"].fillna("").str.contains("ambiguous")]
        for t in CELL_TABLES
        if t in frames and len(frames[t])
    }
    n_ambiguous = sum(len(df) for df in flagged.values())
    n_flags = sum(int(frames[t]["flags"].notna().sum()) for t in CELL_TABLES if t in frames)
    check_results = [
        dg.AssetCheckResult(
            check_name=CHECK_SCHEMA,
            passed=not failures,
            metadata={
                "failing_tables": ", ".join(sorted(failures)) or "none",
                "held_back_partitions": len(held),
                "failure_cases": dg.MetadataValue.md(
                    "\n\n".join(f"**{t}**\n\n" + md_table(fc.astype(str)) for t, fc in failures.items()) or "none"
                ),
            },
        ),
        dg.AssetCheckResult(
            check_name=CHECK_IDENTITIES,
            passed=len(failed_ids) == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "failed": len(failed_ids),
                "evaluated": len(issues),
                "failures": dg.MetadataValue.md(
                    md_table(failed_ids[["agency", "year", "check", "scope", "lhs", "rhs", "detail"]], limit=30)
                    if len(failed_ids)
                    else "none"
                ),
            },
        ),
        dg.AssetCheckResult(
            check_name=CHECK_AMBIGUOUS,
            passed=n_ambiguous == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "ambiguous_cells": n_ambiguous,
                "cells": dg.MetadataValue.md(
                    "\n\n".join(
                        f"**{t}**\n\n" + md_table(df.drop(columns=["report_id"]), limit=20) for t, df in flagged.items() if len(df)
                    )
                    or "none"
                ),
            },
        ),
        dg.AssetCheckResult(
            check_name=CHECK_PARSED,
            passed=not batch.rejected and not absent,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "rejected": len(batch.rejected),
                "no_raw_file": len(absent),
                "details": dg.MetadataValue.md(
                    "\n".join(f"- {r.source_file}: {r.code}: {r.message}" for r in batch.rejected[:30])
                    + "".join(f"\n- {k}: no raw file for this agency-year" for k in absent[:30])
                    or "none"
                ),
            },
        ),
    ]

    rows = {t: sum(w.rows for w in writes if w.table == t) for t in TABLES}
    metadata: dict[str, object] = {
        "dagster/row_count": rows.get("applications", 0),
        "partitions_written": len(written),
        "partitions_requested": len(keys),
        **{f"rows.{t}": n for t, n in rows.items()},
        "flags": n_flags,
        "source_files": ", ".join(sorted(sources.values())[:20]) + (" …" if len(sources) > 20 else ""),
        "path": dg.MetadataValue.path(
            str(lk.curated_path("applications", *written[0])) if len(written) == 1 else str(lk.curated)
        ),
        "writes": dg.MetadataValue.json(
            [{"table": w.table, "path": w.path, "rows": w.rows, "sha256": w.sha256} for w in writes[:60]]
        ),
    }
    if written and "applications" in frames:
        y0, a0 = written[0]
        app = frames["applications"]
        sample = app[(app["year"] == y0) & (app["agency"] == a0)]
        metadata["preview"] = dg.MetadataValue.md(
            f"**applications** {a0} {y0} (total column)\n\n"
            + md_table(sample[sample["applicant"] == "total"][["row", "value", "raw_text", "flags"]], limit=30)
        )
    context.log.info(
        f"curated: {len(written)} partition(s) written, {len(held)} held (schema), "
        f"{len(batch.rejected)} rejected, {len(absent)} without raw file"
    )
    return dg.MaterializeResult(metadata=metadata, check_results=check_results)


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
