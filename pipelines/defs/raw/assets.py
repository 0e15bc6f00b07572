"""Raw zone: reports as received (materialized by the inbox sensor, never by a run)."""

from __future__ import annotations

import dagster as dg

from pipelines.keys import CURATED_KEY, QUARANTINE_KEY, RAW_KEY
from pipelines.partitions import division_year_partitions

raw_reports = dg.AssetSpec(
    RAW_KEY,
    group_name="raw",
    partitions_def=division_year_partitions,
    description=(
        "Report files as received, one immutable copy per content hash under "
        "`data_lake/raw/year=YYYY/agency={agency_key}/{sha256}.{ext}` with a `{sha256}.json` receipt "
        "(source file, time received, url, where agency/year came from). The newest file of an "
        "agency-year is current; older ones are kept. Recorded by the inbox sensor, one materialization "
        "per file on the file's division-year partition (`division|year`, the agency in its metadata)."
    ),
    metadata={
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn("sha256", "string", description="SHA-256 of the bytes (= report_id downstream)"),
                dg.TableColumn("source_file", "string", description="path in the inbox"),
                dg.TableColumn("received_at", "string", description="UTC time the sensor copied it"),
                dg.TableColumn("url", "string", description="manifest url, if any"),
                dg.TableColumn("agency_source", "string", description="manifest, title, publisher, body, …"),
                dg.TableColumn("year_source", "string", description="manifest, title, period, body, …"),
            ]
        ),
    },
)

quarantine_ledger = dg.AssetSpec(
    QUARANTINE_KEY,
    group_name="raw",
    # Written by the inbox sensor (files not accepted) and by `curated` (reports held back):
    # the lineage shows both edges (keys from pipelines.keys: layers never import each other).
    deps=[RAW_KEY, CURATED_KEY],
    description=(
        "Files that were not accepted, each with a reason code and message: unreadable or "
        "unidentifiable files (reader codes such as not_a_report, pre2019_template, needs_ocr), "
        "agency names that cannot be a partition key (bad_agency_key), years outside the open "
        "years (bad_year), and reports the parser or the schema rejected. Ledger: "
        "`data_lake/quarantine/ledger.jsonl`; bytes kept in `data_lake/quarantine/files/`."
    ),
    metadata={
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn("received_at", "string"),
                dg.TableColumn("source_file", "string"),
                dg.TableColumn("sha256", "string"),
                dg.TableColumn("code", "string", description="stable reason code"),
                dg.TableColumn("reason", "string"),
                dg.TableColumn("stored_as", "string", description="copy under data_lake/quarantine/"),
            ]
        ),
    },
)
