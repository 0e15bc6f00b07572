"""The OCR sensor: a run of the OCR step when the ledger holds scans not yet read."""

from __future__ import annotations

import hashlib

import dagster as dg

from disclosure.ocr_batch import waiting_scans
from pipelines.keys import OCR_JOB
from pipelines.resources import LakeResource


@dg.sensor(
    name="ocr_sensor",
    job_name=OCR_JOB,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests the OCR step when the quarantine ledger holds scanned files (needs_ocr) or page "
    "images the step has not read; the run key is the set of their hashes, so each set runs once.",
)
def ocr_sensor(context: dg.SensorEvaluationContext, lake: LakeResource) -> dg.SensorResult:
    shas = sorted(e.sha256 for e in waiting_scans(lake.lake)[0])
    if not shas:
        return dg.SensorResult(skip_reason="no scanned file waiting for OCR")
    key = hashlib.sha256(" ".join(shas).encode()).hexdigest()
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=f"ocr-{key[:16]}", tags={"disclosure/scans": str(len(shas))})])
