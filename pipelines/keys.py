"""Asset keys and job names of the code location: the one place the layers name each other.

Each layer (`pipelines/defs/<layer>/`) imports these, never another layer's modules, so imports
run one way: definitions → defs/<layer> → keys, partitions, resources → disclosure.
"""

from __future__ import annotations

import dagster as dg

from disclosure.mart_store import COMPARISON_MARTS
from disclosure.schema import TABLES

RAW_KEY = dg.AssetKey("raw_reports")
"""Report files as received (raw layer; materialized by the inbox sensor)."""
QUARANTINE_KEY = dg.AssetKey("quarantine")
"""The quarantine ledger (raw layer; written by the inbox sensor and by `curated`)."""
OCR_KEY = dg.AssetKey("ocr_reads")
"""Scanned files read by OCR and filed into the raw zone or the ledger (ocr layer)."""
CURATED_KEY = dg.AssetKey("curated")
"""The six curated tables of one agency-year (core layer)."""
WAREHOUSE_KEYS = [dg.AssetKey(["warehouse", t]) for t in TABLES]
"""One compacted Parquet file per year and table (core layer)."""
KPIS_KEY = dg.AssetKey("agency_year_kpis")
"""KPIs per agency-year (marts layer)."""
GX_KEY = dg.AssetKey("expectations")
"""The great-expectations suite and its Data Docs (marts layer)."""
COMPARISON_KEYS = [dg.AssetKey(n) for n in COMPARISON_MARTS]
"""The comparison marts: year on year, rolls, peers, timeliness, coverage (marts layer, one multi-asset)."""
MART_KEYS = [KPIS_KEY, GX_KEY, *COMPARISON_KEYS]

CURATED_JOB = "curated_job"
"""Targeted by the inbox sensor and the catch-up schedules (defined in the core layer)."""
YEAR_JOB = "year_job"
"""Warehouse, marts and Data Docs of a year (defined in the marts layer)."""
OCR_JOB = "ocr_job"
"""The OCR step alone (ocr layer; requested by the OCR sensor)."""
AUDIT_JOB = "audit_job"
"""The lake accounting check alone (audit layer)."""
