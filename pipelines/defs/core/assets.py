"""Core: division-year partitions parsed into the curated zone (one agency-year per hive
partition), and per-year warehouse copies.

`curated` expands the run's division-years (a backfill run covers up to `BATCH_SIZE` of them)
into the agency-years that have a raw file, hands them to the Dagster-free
`disclosure.curate.curate`, and turns its outcome into events: one materialization per
division-year with at least one agency-year written (metadata: each agency's rows, source file,
report_id), and one evaluation of each check per division-year, naming the agencies and what
failed. An agency-year held back (parser or schema) is quarantined and not written; a
division-year with nothing written is not materialized.
"""


import dagster as dg
import pandas as pd

from disclosure.curate import PartitionOutcome, curate
from disclosure.lake import Lake, compact_year
from disclosure.lake.parquet import (
    WAREHOUSE_ROW_GROUP_ROWS,
    WIDE_TABLES,
    warehouse_sort,
    wide_path,
    wide_table_name,
)
from disclosure.schema import TABLES
from pipelines.keys import CURATED_KEY, RAW_KEY, WAREHOUSE_KEYS
from pipelines.metadata import md_table
from pipelines.partitions import (
    BATCH_SIZE,
    AgencySelection,
    DivisionMap,
    agency_years_of,
    division_year_partitions,
    year_partitions,
)
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
    "a re-run replaces the agency-year). year and agency are hive partition columns. Dagster's partition is the "
    "division-year (`division|year`, division from the agency registry): it is materialized when at least one of "
    "its agency-years was received and passed, its checks are evaluated per division-year and name the agencies. "
    "One agency: Materialize… its division-year with run config `agencies: [{agency}]`."
)


@dg.asset(
    key=CURATED_KEY,
    group_name="core",
    partitions_def=division_year_partitions,
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
            partitions_def=division_year_partitions,
            description="Every table of every agency-year the run curated passes its pandera schema (generated "
            "from disclosure/schema.py, with the table keys unique); a failing agency-year is held back "
            "(quarantined, not written).",
        ),
        dg.AssetCheckSpec(
            CHECK_IDENTITIES,
            asset=CURATED_KEY,
            partitions_def=division_year_partitions,
            description="The reports' own identities (vocabulary.md) hold; failures list the agency and the printed numbers.",
        ),
        dg.AssetCheckSpec(
            CHECK_AMBIGUOUS,
            asset=CURATED_KEY,
            partitions_def=division_year_partitions,
            description="No cell is flagged ambiguous (digit runs with several splits).",
        ),
        dg.AssetCheckSpec(
            CHECK_PARSED,
            asset=CURATED_KEY,
            partitions_def=division_year_partitions,
            description="The current raw file of every agency-year the run curated was parsed (not rejected).",
        ),
    ],
    output_required=False,
)
def curated(context: dg.AssetExecutionContext, lake: LakeResource, config: AgencySelection):
    lk: Lake = lake.lake
    outcomes = curate(lk, agency_years_of(lk, context.partition_keys, config.agencies))
    counts = dict.fromkeys(("written", "held", "absent"), 0)
    divisions = DivisionMap(lk)
    groups: dict[str, list[PartitionOutcome]] = {}
    for out in outcomes:
        counts[out.status] += 1
        if out.status == "absent":
            continue  # never materialized, never checked: "missing" in the UI
        groups.setdefault(str(divisions.key(out.agency, out.year)), []).append(out)
    for key, outs in groups.items():
        if any(o.status == "written" for o in outs):
            md = partition_metadata(outs)
            if config.agencies:  # a run restricted to some agencies: the partition holds the others too
                md.update(partition_totals(lk, key))
            yield dg.AssetMaterialization(asset_key=CURATED_KEY, partition=key, metadata=md)
        yield from partition_checks(outs, key)
    # Every check output is emitted once (the evaluations above carry the partitions).
    for name in context.assets_def.check_specs_by_output_name:
        yield dg.Output(None, output_name=name)
    context.log.info(
        f"curated: {counts['written']} agency-year(s) written, {counts['held']} held back (quarantined), "
        f"{counts['absent']} without a raw file (not materialized), in {len(groups)} division-year(s)"
        + (f"; restricted to {len(config.agencies)} agenc(ies)" if config.agencies else "")
    )


# Items listed in a check description / metadata table (the counts are exact).
_KEEP = 30
# Agencies of a division-year whose file list is copied into the materialization's metadata.
_FILES_OF = 10


def _listed(items: list[str], limit: int = 5) -> str:
    return ", ".join(items[:limit]) + (f", … ({len(items) - limit} more)" if len(items) > limit else "")


def partition_metadata(outs: list[PartitionOutcome]) -> dict[str, object]:
    """The materialization metadata of one division-year: per agency written, its rows, source
    file and report_id; the row counts summed (`agencies` = written by this run); the files of
    the first few agencies."""
    written = [o for o in outs if o.status == "written"]
    rows: dict[str, int] = {}
    for o in written:
        for t, n in o.rows.items():
            rows[t] = rows.get(t, 0) + n
    md: dict[str, object] = {
        "dagster/row_count": rows.get("applications", 0),
        **{f"rows.{t}": n for t, n in rows.items()},
        "agencies": len(written),
        "flags": sum(o.flagged_cells for o in written),
        "agency_years": dg.MetadataValue.md(md_table(
            [{"agency": o.agency, "year": o.year, "report_id": (o.report_id or "")[:12], "source_file": o.source_file or "",
              "applications": o.rows.get("applications", 0)} for o in written],
            ["agency", "year", "report_id", "source_file", "applications"], limit=100)),
        "files": dg.MetadataValue.json(
            [{"agency": o.agency, "table": w.table, "path": w.path, "rows": w.rows, "sha256": w.sha256,
              "n_bytes": w.n_bytes} for o in written[:_FILES_OF] for w in o.writes]
        ),
    }
    if len(written) == 1:  # the one agency's own identity, as a field of its own
        o = written[0]
        app = next((w for w in o.writes if w.table == "applications"), None)
        md.update(agency=o.agency, source_file=o.source_file or "", report_id=o.report_id or "",
                  path=dg.MetadataValue.path(app.path if app else ""))
    return md


def partition_totals(lk: Lake, key: str) -> dict[str, object]:
    """What a division-year holds after a run restricted to some of its agencies: the UI shows the
    latest materialization's `dagster/row_count`, which must count every agency's curated rows,
    not only the ones this run wrote (read from the Parquet footers, not the data)."""
    import pyarrow.parquet as pq

    agencies, rows = 0, 0
    for agency, year in agency_years_of(lk, [key]):
        path = lk.curated_path("applications", year, agency)
        if path.exists():
            agencies += 1
            rows += pq.ParquetFile(path).metadata.num_rows
    return {"dagster/row_count": rows, "agencies_in_partition": agencies}


def partition_checks(outs: list[PartitionOutcome], key: str) -> list[dg.AssetCheckEvaluation]:
    """The four check evaluations of one division-year over the agency-years the run curated,
    each naming the agencies and what failed."""

    def ev(name: str, passed: bool, description: str, severity=dg.AssetCheckSeverity.WARN, **md) -> dg.AssetCheckEvaluation:
        return dg.AssetCheckEvaluation(
            asset_key=CURATED_KEY, check_name=name, passed=passed, partition=key, description=description,
            severity=severity, blocking=False,
            metadata={"partition": key, "agencies": _listed(sorted(o.agency for o in outs), _KEEP), **md},
        )

    schema_failed = [o for o in outs if o.reason_code == "schema_violation"]
    fc = [f"{o.agency}: {f['table']}.{f['column']} {f['check']} ({f['failure_case']})"
          for o in schema_failed for f in o.schema_failures]
    rejected = [o for o in outs if o.status == "held" and o.reason_code != "schema_violation"]
    written = [o for o in outs if o.status == "written"]
    checks = [
        ev(CHECK_SCHEMA, not schema_failed,
           (f"{len(fc)} schema failure(s), {len(schema_failed)} agency-year(s) held back: {_listed(fc)}"
            if schema_failed else f"all tables of {len(outs)} agency-year(s) pass"),
           severity=dg.AssetCheckSeverity.ERROR, failures=len(fc),
           failure_cases=dg.MetadataValue.md(md_table(pd.DataFrame(
               [{"agency": o.agency, **f} for o in schema_failed for f in o.schema_failures][:_KEEP])) if fc else "none")),
        ev(CHECK_PARSED, not rejected,
           (f"{len(rejected)} rejected: " + _listed([f"{o.agency} {o.reason_code}: {o.reason}" for o in rejected])
            if rejected else f"{len(outs)} parsed"),
           source_file=_listed([o.source_file or "" for o in outs], _KEEP),
           report_id=_listed([o.report_id or "" for o in outs], _KEEP)),
    ]
    if written:
        ids = [f"{o.agency}: " + f"{f['check']} {f['scope'] or ''}: {f['lhs']} vs {f['rhs']}".replace(" :", ":")
               for o in written for f in o.failed_identities]
        cells = [f"{o.agency}: {c}" for o in written for c in o.ambiguous_cells]
        evaluated = sum(o.identities_evaluated for o in written)
        checks += [
            ev(CHECK_IDENTITIES, not ids,
               f"{len(ids)} failed identit{'y' if len(ids) == 1 else 'ies'}: {_listed(ids)}" if ids
               else f"{evaluated} evaluated, none failed",
               failed=len(ids), evaluated=evaluated,
               failures=dg.MetadataValue.md(md_table(pd.DataFrame(
                   [{"agency": o.agency, **f} for o in written for f in o.failed_identities][:_KEEP])) if ids else "none")),
            ev(CHECK_AMBIGUOUS, not cells,
               f"{len(cells)} ambiguous cell(s): {_listed(cells)}" if cells else "no ambiguous cell",
               ambiguous_cells=len(cells), cells=", ".join(cells[:_KEEP]) or "none"),
        ]
    return checks


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="core",
            partitions_def=year_partitions,
            deps=[dg.AssetDep(CURATED_KEY, partition_mapping=dg.MultiToSingleDimensionPartitionMapping("year"))],
            description=f"One compacted Parquet file per year of the curated **{t}** table "
            f"(agency kept as a column) for fast reads, sorted by ({', '.join(warehouse_sort(t))}) in "
            f"row groups of {WAREHOUSE_ROW_GROUP_ROWS:,} rows, so a filter on the key reads only its row groups: "
            f"data_lake/warehouse/{t}/year=YYYY/part-0.parquet. "
            + (f"Beside it, the wide values file (one row per report, one Int64 column per cell, derived "
               f"only from these rows): data_lake/warehouse/{wide_table_name(t)}/year=YYYY/part-0.parquet. "
               if t in WIDE_TABLES else "")
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
                **({"wide_files": dg.MetadataValue.json([str(wide_path(lk, t, y)) for y in years])}
                   if t in WIDE_TABLES else {}),
            },
        )


__all__ = ["CURATED_KEY", "WAREHOUSE_KEYS", "curated", "table_schema", "warehouse"]
