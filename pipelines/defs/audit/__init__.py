"""Audit layer: the lake accounting check (inbox ↔ raw ↔ curated ↔ quarantine) and its job."""

import dagster as dg

from .checks import audit_job, lake_accounting

defs = dg.Definitions(asset_checks=[lake_accounting], jobs=[audit_job])
