"""Core: agency-year partitions parsed into the curated zone, and per-year warehouse copies.

`curated` hands the run's partitions (a backfill run covers up to `BATCH_SIZE` agency-years) to
the Dagster-free `disclosure.curate.curate` and turns its outcome per partition into events:
one materialization per written partition, with that partition's own metadata (rows, source
file, report_id, file hashes), and one evaluation of each check per partition, naming what
failed. A partition held back (parser or schema) is quarantined and not materialized; an
agency-year without a raw file is neither materialized nor checked.
"""


import dagster as dg
import pandas as pd

from disclosure.curate import PartitionOutcome, curate
from disclosure.lake import Lake, compact_year
from disclosure.schema import TABLES
from pipelines.keys import CURATED_KEY, RAW_KEY, WAREHOUSE_KEYS
from pipelines.metadata import md_table
from pipelines.partitions import BATCH_SIZE, agency_year_partitions, partition_key, split_key, year_partitions
from pipelines.resources import LakeResource

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



_CURATED_DESCRIPTION = (
    "The six curated long tables of one agency-year, parsed from its current raw file by the core "
    "batch API: "
    + "; ".join(f"**{t.name}** — {t.description}" for t in TABLES.values())
    + " Files: `data_lake/curated/{table}/year=YYYY/agency={agency_key}/part-0.parquet` (written atomically; "
    "a re-run replaces the partition). year and agency are hive partition columns. A partition is "
    "materialized only when its report was received and passed; its checks are evaluated per partition."
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
            partitions_def=agency_year_partitions,
            description="Every table passes its pandera schema (generated from disclosure/schema.py, with "
            "the table keys unique); a failing partition is held back (quarantined, not written).",
        ),
        dg.AssetCheckSpec(
            CHECK_IDENTITIES,
            asset=CURATED_KEY,
            partitions_def=agency_year_partitions,
            description="The report's own identities (vocabulary.md) hold; failures list the printed numbers.",
        ),
        dg.AssetCheckSpec(
            CHECK_AMBIGUOUS,
            asset=CURATED_KEY,
            partitions_def=agency_year_partitions,
            description="No cell is flagged ambiguous (digit runs with several splits).",
        ),
        dg.AssetCheckSpec(
            CHECK_PARSED,
            asset=CURATED_KEY,
            partitions_def=agency_year_partitions,
            description="The partition's current raw file was parsed (not rejected).",
        ),
    ],
    output_required=False,
)
def curated(context: dg.AssetExecutionContext, lake: LakeResource):
    lk: Lake = lake.lake
    outcomes = curate(lk, [split_key(k) for k in context.partition_keys])
    counts = dict.fromkeys(("written", "held", "absent"), 0)
    for out in outcomes:
        counts[out.status] += 1
        if out.status == "absent":
            continue  # never materialized, never checked: "missing" in the UI
        key = partition_key(out.agency, out.year)
        if out.status == "written":
            yield dg.AssetMaterialization(asset_key=CURATED_KEY, partition=key, metadata=partition_metadata(out))
        yield from partition_checks(out, key)
    # Every check output is emitted once (the evaluations above carry the partitions).
    for name in context.assets_def.check_specs_by_output_name:
        yield dg.Output(None, output_name=name)
    context.log.info(
        f"curated: {counts['written']} partition(s) written, {counts['held']} held back (quarantined), "
        f"{counts['absent']} without a raw file (not materialized)"
    )


# Items listed in a check description / metadata table (the counts are exact).
_KEEP = 30


def _listed(items: list[str], limit: int = 5) -> str:
    return ", ".join(items[:limit]) + (f", … ({len(items) - limit} more)" if len(items) > limit else "")


def partition_metadata(out: PartitionOutcome) -> dict[str, object]:
    """The materialization metadata of one partition: its own rows, source, report_id and files."""
    rows = out.rows
    app = next((w for w in out.writes if w.table == "applications"), None)
    return {
        "dagster/row_count": rows.get("applications", 0),
        **{f"rows.{t}": n for t, n in rows.items()},
        "source_file": out.source_file or "",
        "report_id": out.report_id or "",
        "flags": out.flagged_cells,
        "path": dg.MetadataValue.path(app.path if app else ""),
        "files": dg.MetadataValue.json(
            [{"table": w.table, "path": w.path, "rows": w.rows, "sha256": w.sha256, "n_bytes": w.n_bytes} for w in out.writes]
        ),
    }


def partition_checks(out: PartitionOutcome, key: str) -> list[dg.AssetCheckEvaluation]:
    """The four check evaluations of one partition, each saying what failed."""

    def ev(name: str, passed: bool, description: str, severity=dg.AssetCheckSeverity.WARN, **md) -> dg.AssetCheckEvaluation:
        return dg.AssetCheckEvaluation(
            asset_key=CURATED_KEY, check_name=name, passed=passed, partition=key, description=description,
            severity=severity, blocking=False, metadata={"partition": key, **md},
        )

    schema_failed = out.reason_code == "schema_violation"
    fc = [f"{f['table']}.{f['column']} {f['check']} ({f['failure_case']})" for f in out.schema_failures]
    ids = [
        f"{f['check']} {f['scope'] or ''}: {f['lhs']} vs {f['rhs']}".replace(" :", ":") for f in out.failed_identities
    ]
    parsed = out.status != "held" or schema_failed
    checks = [
        ev(CHECK_SCHEMA, not schema_failed,
           (f"{len(fc)} schema failure(s), held back: {_listed(fc)}" if schema_failed else "all tables pass"),
           severity=dg.AssetCheckSeverity.ERROR, failures=len(fc),
           failure_cases=dg.MetadataValue.md(md_table(pd.DataFrame(out.schema_failures[:_KEEP])) if fc else "none")),
        ev(CHECK_PARSED, parsed,
           "parsed" if parsed else f"rejected {out.reason_code}: {out.reason}",
           source_file=out.source_file or "", report_id=out.report_id or ""),
    ]
    if out.status == "written":
        checks += [
            ev(CHECK_IDENTITIES, not ids,
               f"{len(ids)} failed identit{'y' if len(ids) == 1 else 'ies'}: {_listed(ids)}" if ids
               else f"{out.identities_evaluated} evaluated, none failed",
               failed=len(ids), evaluated=out.identities_evaluated,
               failures=dg.MetadataValue.md(md_table(pd.DataFrame(out.failed_identities[:_KEEP])) if ids else "none")),
            ev(CHECK_AMBIGUOUS, not out.ambiguous_cells,
               f"{len(out.ambiguous_cells)} ambiguous cell(s): {_listed(out.ambiguous_cells)}" if out.ambiguous_cells
               else "no ambiguous cell",
               ambiguous_cells=len(out.ambiguous_cells),
               cells=", ".join(out.ambiguous_cells[:_KEEP]) or "none"),
        ]
    return checks


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


__all__ = ["CURATED_KEY", "WAREHOUSE_KEYS", "curated", "table_schema", "warehouse"]
