"""Raw layer: reports as received and the quarantine ledger, fed by the inbox sensor."""

import dagster as dg

from .assets import quarantine_ledger, raw_reports
from .sensors import inbox_sensor

defs = dg.Definitions(assets=[raw_reports, quarantine_ledger], sensors=[inbox_sensor])
