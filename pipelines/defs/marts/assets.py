"""Marts (per statistical year): KPIs per agency-year with the cross-year soft checks, and the
great-expectations suite whose Data Docs are built into data_lake/docs/."""


import html
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow as pa

from disclosure.lake import (
    _atomic_write_bytes,
    read_warehouse,
    read_year,
    warehouse_frames,
    write_parquet_atomic,
)
from pipelines.keys import GX_KEY, KPIS_KEY, WAREHOUSE_KEYS
from pipelines.metadata import md_table
from pipelines.partitions import year_partitions
from pipelines.resources import LakeResource

CHECK_CROSS_YEAR = "cross_year_soft_checks"
CHECK_GX = "expectation_suite"


def _kpi_columns() -> list[dg.TableColumn]:
    from disclosure.marts import KPIS

    cols = [
        dg.TableColumn("agency", "string", description="reporting body"),
        dg.TableColumn("year", "Int64", description="statistical year (hive partition column)"),
        dg.TableColumn("report_id", "string", description="SHA-256 of the raw file"),
    ]
    return cols + [
        dg.TableColumn(k.name, "Float64" if k.is_rate else "Int64", description=k.description) for k in KPIS
    ]


@dg.asset(
    key=KPIS_KEY,
    group_name="marts",
    partitions_def=year_partitions,
    deps=WAREHOUSE_KEYS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"parquet", "pandas"},
    description="KPIs of every agency-year report (disclosure/marts.py, docs/marts.md): one row per "
    "(agency, year, report_id). data_lake/marts/agency_year_kpis/year=YYYY/part-0.parquet. The check "
    "evaluates vocabulary.md's soft cross-year identities against the year before.",
    metadata={"dagster/column_schema": dg.TableSchema(columns=_kpi_columns())},
    check_specs=[
        dg.AssetCheckSpec(
            CHECK_CROSS_YEAR,
            asset=KPIS_KEY,
            description="carried_over(y) = carried_forward(y-1); in_force and prev_items roll forward "
            "(soft: reorganisations break them, so a mismatch is a warning).",
        )
    ],
)
def agency_year_kpis(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    from disclosure.marts import CROSS_YEAR_TABLES, KPI_TABLES, cross_year_checks, cross_year_inputs
    from disclosure.marts import agency_year_kpis as kpis_of

    lk = lake.lake
    years = [int(k) for k in context.partition_keys]
    total = 0
    paths = []
    files: list[dict] = []
    checks = []
    preview = pd.DataFrame()
    for y in years:
        # Only the tables the KPIs and the checks read (a national year's other two are a third of it).
        cur = {t: read_warehouse(lk, t, y) for t in dict.fromkeys((*KPI_TABLES, *CROSS_YEAR_TABLES))}
        kpis = kpis_of(cur)
        table = pa.Table.from_pandas(kpis.drop(columns=["year"]), preserve_index=False)
        path = lk.mart_path("agency_year_kpis", y)
        sha, _ = write_parquet_atomic(path, table, lake=lk)
        paths.append(str(path))
        files.append({"path": str(path), "rows": len(kpis), "sha256": sha})
        total += len(kpis)
        preview = kpis if preview.empty else preview
        # The year before: its warehouse copy where that is current, else its curated partitions
        # (the copy may not be built yet, or lag a re-curated agency).
        # Each year cut to the rows the checks read before the two are joined: the join of two
        # whole national years was the largest memory peak of the year run.
        prev = cross_year_inputs({t: read_year(lk, t, y - 1) for t in CROSS_YEAR_TABLES})
        now = cross_year_inputs(cur)
        del cur
        res = cross_year_checks({t: pd.concat([prev[t], now[t]], ignore_index=True) for t in CROSS_YEAR_TABLES})
        checks.append(res[res["year"] == y])
    cy = pd.concat(checks, ignore_index=True) if checks else pd.DataFrame(columns=["status"])
    failed = cy[cy["status"] == "fail"]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": total,
            "path": dg.MetadataValue.path(paths[0] if len(paths) == 1 else str(lk.marts / "agency_year_kpis")),
            "preview": dg.MetadataValue.md(md_table(preview, limit=10)),
            "files": dg.MetadataValue.json(files),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=CHECK_CROSS_YEAR,
                passed=len(failed) == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "evaluated": len(cy),
                    "failed": len(failed),
                    "not_assessable": int((cy["status"] == "not_assessable").sum()) if len(cy) else 0,
                    "failures": dg.MetadataValue.md(md_table(failed, limit=30) if len(failed) else "none"),
                },
            )
        ],
    )


def write_docs_index(docs: Path) -> Path:
    """`docs/index.html`: a link to the Data Docs site of every year built (written atomically)."""
    years = sorted((p.name.removeprefix("year=") for p in docs.glob("year=*") if (p / "index.html").exists()),
                   reverse=True)
    items = "".join(f'<li><a href="year={y}/index.html">{html.escape(y)}</a></li>' for y in years)
    page = ("<!doctype html><meta charset='utf-8'><title>disclosure-lake Data Docs</title>"
            f"<h1>Data Docs by statistical year</h1><ul>{items or '<li>none built yet</li>'}</ul>")
    target = docs / "index.html"
    _atomic_write_bytes(target, page.encode("utf-8"))
    return target


@dg.asset(
    key=GX_KEY,
    group_name="marts",
    partitions_def=year_partitions,
    deps=WAREHOUSE_KEYS,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"great_expectations"},
    description="A great-expectations 1.x suite over the year's warehouse tables "
    "(disclosure/expectations.py); Data Docs are built into data_lake/docs/.",
    metadata={
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn("table", "string", description="lake table validated"),
                dg.TableColumn("success", "bool", description="every expectation of the table passed"),
                dg.TableColumn("evaluated", "int", description="expectations evaluated"),
                dg.TableColumn("failed", "list", description="labels of the failed expectations"),
            ]
        )
    },
    check_specs=[
        dg.AssetCheckSpec(CHECK_GX, asset=GX_KEY, description="Every expectation of the year's suite passed.")
    ],
)
def expectations(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    from disclosure.expectations import run_suite

    lk = lake.lake
    results = {}
    for key in context.partition_keys:
        y = int(key)
        # One site per year, all kept (`docs/year=YYYY/`), and an index over them.
        results[y] = run_suite(warehouse_frames(lk, y), lk.docs / f"year={y}", y)
    write_docs_index(lk.docs)
    ok = all(r.get("success") for r in results.values())
    failed = {
        f"{y}.{t}": tr.get("failed")
        for y, r in results.items()
        for t, tr in (r.get("tables") or {}).items()
        if not tr.get("success")
    }
    first = next(iter(results.values()))
    return dg.MaterializeResult(
        metadata={
            "success": ok,
            "docs_index": dg.MetadataValue.path(str(first.get("docs_index"))),
            "results": dg.MetadataValue.json({str(y): r.get("tables") for y, r in results.items()}),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=CHECK_GX,
                passed=ok,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"failed": dg.MetadataValue.json(failed)},
            )
        ],
    )
