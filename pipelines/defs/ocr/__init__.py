"""OCR layer: scanned files the text readers refused, read by OCR and filed or quarantined."""

import dagster as dg

from .assets import ocr_job, ocr_reads
from .sensors import ocr_sensor

defs = dg.Definitions(assets=[ocr_reads], jobs=[ocr_job], sensors=[ocr_sensor])
