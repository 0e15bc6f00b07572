"""Comparison marts per statistical year (issue 15): year on year, cross-year rolls, peer benchmarks
and positions, publication timeliness, coverage. One asset per mart (one multi-asset: they share
their inputs); the computation is `disclosure.mart_store.build_year`, columns from
`schema.MART_TABLES`."""


import dagster as dg

from pipelines.keys import COMPARISON_KEYS, KPIS_KEY, WAREHOUSE_KEYS
from pipelines.metadata import md_table
from pipelines.partitions import year_partitions
from pipelines.resources import LakeResource

CHECK_OUTLIERS = "peer_outliers"
CHECK_LATE = "late_publications"
CHECK_FLAGGED = "flagged_inputs_give_no_change"


def _schema(name: str) -> dg.TableSchema:
    from disclosure.schema import MART_TABLES

    return dg.TableSchema(columns=[dg.TableColumn(c.name, c.dtype, description=c.description)
                                   for c in MART_TABLES[name].columns])


def _spec(key: dg.AssetKey) -> dg.AssetSpec:
    from disclosure.schema import MART_TABLES

    name = key.path[-1]
    return dg.AssetSpec(
        key, deps=[*WAREHOUSE_KEYS, KPIS_KEY], group_name="marts", kinds={"parquet", "pandas"},
        description=f"{MART_TABLES[name].description} data_lake/marts/{name}/year=YYYY/part-0.parquet "
        "(disclosure/marts.py, docs/marts.md).",
        metadata={"dagster/column_schema": _schema(name)},
    )


@dg.multi_asset(
    name="comparison_marts",
    specs=[_spec(k) for k in COMPARISON_KEYS],
    partitions_def=year_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=[
        dg.AssetCheckSpec(CHECK_FLAGGED, asset="year_on_year",
                          description="A KPI change is computed only from known, unflagged KPIs of both years."),
        dg.AssetCheckSpec(CHECK_OUTLIERS, asset="peer_positions",
                          description="Bodies outside their peer group's 1.5×IQR fences (a note, not an error)."),
        dg.AssetCheckSpec(CHECK_LATE, asset="publication_timeliness",
                          description="Reports published after 31 January of the following year (a note)."),
    ],
)
def comparison_marts(context: dg.AssetExecutionContext, lake: LakeResource):
    import pandas as pd

    from disclosure.mart_store import build_year, write_mart

    lk = lake.lake
    built: dict[str, list[pd.DataFrame]] = {k.path[-1]: [] for k in COMPARISON_KEYS}
    files: dict[str, list[dict]] = {k: [] for k in built}
    for key in context.partition_keys:
        year = int(key)
        for name, frame in build_year(lk, year).items():
            path, sha, rows = write_mart(lk, name, year, frame)
            built[name].append(frame)
            files[name].append({"path": str(path), "rows": rows, "sha256": sha})
    frames = {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in built.items()}
    for key in COMPARISON_KEYS:
        name = key.path[-1]
        frame = frames[name]
        checks = []
        if name == "year_on_year":
            bad = frame[(frame["status"] != "ok") & frame["change"].notna()] if len(frame) else frame
            checks.append(dg.AssetCheckResult(asset_key=key, check_name=CHECK_FLAGGED, passed=len(bad) == 0,
                                              metadata={"violations": len(bad)}))
        if name == "peer_positions":
            out = frame[frame["outlier"].isin(["low", "high"])] if len(frame) else frame
            checks.append(dg.AssetCheckResult(
                asset_key=key, check_name=CHECK_OUTLIERS, passed=len(out) == 0, severity=dg.AssetCheckSeverity.WARN,
                metadata={"outliers": len(out), "list": dg.MetadataValue.md(md_table(out, limit=30) if len(out) else "none")}))
        if name == "publication_timeliness":
            late = frame[frame["status"] == "late"] if len(frame) else frame
            checks.append(dg.AssetCheckResult(
                asset_key=key, check_name=CHECK_LATE, passed=len(late) == 0, severity=dg.AssetCheckSeverity.WARN,
                metadata={"late": len(late), "unknown": int((frame["status"] == "unknown").sum()) if len(frame) else 0}))
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={"dagster/row_count": len(frame), "files": dg.MetadataValue.json(files[name]),
                      "preview": dg.MetadataValue.md(md_table(frame, limit=10) if len(frame) else "empty")},
            check_results=checks,
        )


__all__ = ["COMPARISON_KEYS", "comparison_marts"]
