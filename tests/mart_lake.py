"""A small lake with marts, built without Dagster from the hand-checked golden files.

Raw files are stored with their receipts (url from the fixtures' manifest, so timeliness can read
the CMS date stamp), the long tables come from the golden JSON (not from the parser), then the
warehouse is compacted and every mart is built with `disclosure.mart_store.build_lake_marts`.
One cell is flagged on purpose (`FLAGGED`), so that flags have something to show.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from golden_frames import REPORTS_DIR, frames_from_golden, golden_paths

from disclosure.lake import Lake, compact_year, store_raw, write_partitions
from disclosure.mart_store import build_lake_marts
from disclosure.schema import TABLES

PINGTAN = tuple(f"pingtan-{y}.txt" for y in range(2019, 2026))
FILES = (*PINGTAN, "pingtan-zrz-2022.txt", "pingtan-zrz-2023.txt", "pingtan-zrz-2024.txt", "pingtan-gaj-2022.txt",
         "pingtan-spp-2022.txt", "huaian-gov-2024.txt", "hongze-gov-2023.txt", "sh-gov-office-2019.html")
BODY = "平潭综合实验区"
FLAGGED = (BODY, 2023, "granted", "total", "position_assumed")
"""(agency, year, row, applicant, flag): a warning flag set on one 表三 cell of the test lake."""


def manifest_urls() -> dict[str, str]:
    out = {}
    with (REPORTS_DIR / "manifest.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            url = next((p.strip() for p in row["source"].split(";") if "orig http" in p), "")
            out[row["file"]] = url.replace("orig ", "").strip()
    return out


def flag_cell(frames: dict[str, pd.DataFrame], agency: str, year: int, row: str, applicant: str, flag: str) -> None:
    app = frames["applications"]
    hit = (app.agency == agency) & (app.year == year) & (app.row == row) & (app.applicant == applicant)
    assert hit.sum() == 1, (agency, year, row, applicant)
    app["flags"] = pd.array([[flag] if h else x for h, x in zip(hit, app["flags"].tolist(), strict=True)],
                            dtype=app["flags"].dtype)


def build(root: Path, files: tuple[str, ...] = FILES) -> Lake:
    lake = Lake(root)
    lake.ensure()
    frames = frames_from_golden(golden_paths(*files))
    flag_cell(frames, *FLAGGED)
    urls = manifest_urls()
    reports = frames["reports"]
    for name in files:
        data = (REPORTS_DIR / name).read_bytes()
        import hashlib

        rid = hashlib.sha256(data).hexdigest()
        rec = reports[reports.report_id == rid].iloc[0]
        store_raw(lake, data, agency=rec.agency, year=int(rec.year), source_file=name, url=urls.get(name) or None,
                  durable=False)
    write_partitions(lake, frames, durable=False)
    for year in sorted({int(y) for y in reports.year}):
        for t in TABLES:
            compact_year(lake, t, year)
    build_lake_marts(lake)
    return lake
