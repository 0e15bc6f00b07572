"""The lake accounting as an asset check: inbox ↔ raw zone ↔ curated ↔ quarantine ledger.

`lake_accounting` runs `disclosure.audit.audit_lake` (the same reconciliation as
`disclosure audit`) and fails, with severity ERROR, when any input file is unaccounted for.
Execute it from the UI (Assets → quarantine → Checks → Execute) or with `audit_job`.

It hangs on the `quarantine` ledger asset, not on `curated`: attached to `curated` it ran inside
every curated run and backfill, re-reading the whole lake each time (≈ 10 ms per curated
partition of the lake per run — quadratic in a backfill) and failing mid-backfill for the
partitions not yet processed.
"""

import dagster as dg

from disclosure.audit import AuditResult, audit_lake
from pipelines.keys import AUDIT_JOB, QUARANTINE_KEY
from pipelines.metadata import md_table
from pipelines.resources import LakeResource

CHECK_ACCOUNTING = "lake_accounting"


def _findings_md(result: AuditResult, limit: int = 30) -> str:
    import pandas as pd

    rows = [{"severity": "problem", **vars(f)} for f in result.problems]
    rows += [{"severity": "warning", **vars(f)} for f in result.warnings]
    return md_table(pd.DataFrame(rows), limit=limit) if rows else "none"


@dg.asset_check(
    asset=QUARANTINE_KEY,
    name=CHECK_ACCOUNTING,
    blocking=False,
    description="Every inbox file is in the raw zone or the quarantine ledger; every current raw file is "
    "curated (complete partition, its report_id) or quarantined; no orphan, stale, mixed or duplicated "
    "curated partition (disclosure/audit.py, also `disclosure audit`).",
)
def lake_accounting(lake: LakeResource) -> dg.AssetCheckResult:
    result = audit_lake(lake.lake)
    return dg.AssetCheckResult(
        passed=result.ok,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            **{k: dg.MetadataValue.int(v) for k, v in result.counts().items()},
            "problems": len(result.problems),
            "warnings": len(result.warnings),
            "findings": dg.MetadataValue.md(_findings_md(result)),
            "summary": dg.MetadataValue.text(result.summary()),
        },
    )


audit_job = dg.define_asset_job(
    AUDIT_JOB,
    selection=dg.AssetSelection.checks(lake_accounting),
    description="Runs the lake accounting check only (nothing is materialized).",
)

__all__ = ["CHECK_ACCOUNTING", "audit_job", "lake_accounting"]
