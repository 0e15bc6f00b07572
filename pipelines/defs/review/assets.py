"""Review: the queue of cells and identities a person must look at, and a static page per report.

* `review/queue` (per year): every flagged cell and failed identity of the year's curated
  partitions (disclosure/review.py) → `review/queue/year=YYYY/part-0.parquet`.
* `review/pages` (per agency-year): the partition's review page (disclosure/review_page.py) →
  `review/pages/year=YYYY/agency=<key>.html`, linked from the materialization (path and file URL).

`corrections_job` re-curates partitions (curation applies corrections/corrections.jsonl); the
corrections sensor (pipelines/defs/review/sensors.py) requests it when the file changes. Pages and
queues are rebuilt by their own runs, which the review refresh sensor requests once curated
partitions are newer than them (a run of the curated asset emits no output, so an asset after
it in the same run would be skipped).
"""


from pathlib import Path

import dagster as dg

from disclosure.lake import Lake
from disclosure.review import build_queue, curated_years, queue_path, write_queue
from disclosure.review_page import page_path, write_page
from pipelines.keys import CURATED_KEY
from pipelines.partitions import (
    BATCH_SIZE,
    AgencySelection,
    agency_years_of,
    division_year_partitions,
    year_partitions,
)
from pipelines.resources import LakeResource

REVIEW_QUEUE_KEY = dg.AssetKey(["review", "queue"])
REVIEW_PAGES_KEY = dg.AssetKey(["review", "pages"])


def page_metadata(path: Path, n_open: int, n_corrected: int, n_identities: int) -> dict[str, object]:
    """Materialization metadata of one page: where it is (path, and a URL a browser opens)."""
    return {
        "page": dg.MetadataValue.path(str(path)),
        "page_url": dg.MetadataValue.url(path.resolve().as_uri()),
        "flagged_cells": n_open,
        "corrected_cells": n_corrected,
        "failed_identities": n_identities,
    }


def _counts(lk: Lake, agency: str, year: int) -> tuple[int, int, int]:
    from disclosure.review import build_queue_for, read_partition

    frames = read_partition(lk, agency, year)
    if frames is None:
        return 0, 0, 0
    q = build_queue_for(lk, frames)
    cells = q[q["item"] == "cell"]
    return int((cells["status"] == "open").sum()), int((cells["status"] == "corrected").sum()), int(
        (q["item"] == "identity").sum())


@dg.asset(
    key=REVIEW_PAGES_KEY,
    group_name="review",
    partitions_def=division_year_partitions,
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=BATCH_SIZE),
    deps=[CURATED_KEY],
    description="A static HTML review page per agency-year (review/pages/year=YYYY/agency={agency_key}.html), one "
    "materialization per division-year (run config `agencies` restricts a run to some agencies): tables "
    "二/三/四 as printed, flagged cells highlighted with printed text and candidates, failed identities with "
    "their sums, the source excerpt of each flagged cell. Self-contained (no script, no CDN).",
    kinds={"html"},
    output_required=False,
)
def review_pages(context: dg.AssetExecutionContext, lake: LakeResource, config: AgencySelection):
    lk: Lake = lake.lake
    from pipelines.partitions import DivisionMap

    divisions = DivisionMap(lk)
    pages: dict[str, list[tuple[str, str, tuple[int, int, int]]]] = {}
    agency_years = agency_years_of(lk, context.partition_keys, config.agencies)
    for agency, year in agency_years:
        path = write_page(lk, agency, year)
        if path is None:
            continue  # not curated (no raw file, or held back): no page
        pages.setdefault(str(divisions.key(agency, year)), []).append((agency, path, _counts(lk, agency, year)))
    for key, written in pages.items():  # one materialization per division-year with a page
        if len(written) == 1:
            md = {"agency": written[0][0], **page_metadata(written[0][1], *written[0][2])}
        else:
            md = {"pages": len(written), "open_cells": sum(c[0] for _, _, c in written),
                  "corrected_cells": sum(c[1] for _, _, c in written),
                  "failed_identities": sum(c[2] for _, _, c in written),
                  "agencies": ", ".join(a for a, _, _ in written[:30]) + (" …" if len(written) > 30 else "")}
        yield dg.AssetMaterialization(asset_key=REVIEW_PAGES_KEY, partition=key, metadata=md)
    context.log.info(f"review pages: {sum(map(len, pages.values()))} written of {len(agency_years)} agency-year(s) "
                     f"in {len(context.partition_keys)} division-year(s)")


def stale_pages(lk: Lake) -> list[tuple[str, int]]:
    """Agency-years whose review page is missing or older than their curated `reports` file."""
    from disclosure.lake import decode_agency_key

    out = []
    for year in curated_years(lk):
        for reports in sorted((lk.curated / "reports" / f"year={year}").glob("agency=*/part-0.parquet")):
            agency = decode_agency_key(reports.parent.name.split("=", 1)[1])
            page = page_path(lk, year, agency)
            if not page.exists() or page.stat().st_mtime_ns < reports.stat().st_mtime_ns:
                out.append((agency, year))
    return out


@dg.asset(
    key=REVIEW_QUEUE_KEY,
    group_name="review",
    partitions_def=year_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[dg.AssetDep(CURATED_KEY, partition_mapping=dg.MultiToSingleDimensionPartitionMapping("year"))],
    description="The review queue of a year (review/queue/year=YYYY/part-0.parquet): every cell flagged for a "
    "person (disclosure.review.REVIEW_FLAGS) or corrected, and every failed identity, with printed text, "
    "candidates, source file (raw path, SHA-256) and position.",
    kinds={"parquet"},
    output_required=False,
)
def review_queue(context: dg.AssetExecutionContext, lake: LakeResource):
    lk: Lake = lake.lake
    have = set(curated_years(lk))
    for key in context.partition_keys:
        year = int(key)
        if year not in have:
            continue
        q = build_queue(lk, year)
        w = write_queue(lk, year, q)
        by_flag: dict[str, int] = {}
        for flags in q["flags"]:
            for f in flags:
                by_flag[f] = by_flag.get(f, 0) + 1
        yield dg.AssetMaterialization(
            asset_key=REVIEW_QUEUE_KEY, partition=key,
            metadata={
                "dagster/row_count": w.rows,
                "path": dg.MetadataValue.path(w.path),
                "open": int((q["status"] == "open").sum()),
                "corrected": int((q["status"] == "corrected").sum()),
                "by_flag": dg.MetadataValue.json(dict(sorted(by_flag.items()))),
                "pages": dg.MetadataValue.path(str(queue_path(lk, year).parents[2] / "pages" / f"year={year}")),
            },
        )


corrections_job = dg.define_asset_job(
    "corrections_job",
    selection=dg.AssetSelection.assets(CURATED_KEY),
    description="Re-curate agency-years whose corrections changed (curation applies corrections/corrections.jsonl).",
)
review_pages_job = dg.define_asset_job(
    "review_pages_job", selection=dg.AssetSelection.assets(REVIEW_PAGES_KEY),
    description="Rebuild the review pages of agency-years.")
review_queue_job = dg.define_asset_job(
    "review_queue_job", selection=dg.AssetSelection.assets(REVIEW_QUEUE_KEY),
    description="Rebuild a year's review queue.")

REVIEW_ASSETS = [review_pages, review_queue]
REVIEW_JOBS = [corrections_job, review_pages_job, review_queue_job]

__all__ = ["REVIEW_ASSETS", "REVIEW_JOBS", "REVIEW_PAGES_KEY", "REVIEW_QUEUE_KEY", "corrections_job", "review_pages",
           "review_pages_job", "review_queue", "review_queue_job", "stale_pages"]
