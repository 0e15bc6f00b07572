"""The OCR step: files the ledger holds as `needs_ocr` (scans) or page images, read by OCR.

The work is Dagster-free (disclosure/ocr_batch.py `ocr_quarantined`): every page of every
waiting file is a task of a process pool (`max_workers`), read through the lake's page cache
(`<lake>/ocr/pages`, by content hash), so a re-run reads no page twice; a file whose OCR passes
`timeout_s` is refused whole. Each page read is logged here as it completes. A file then goes
into the raw zone under the agency and year its pages state (the inbox's admission on the OCR'd
text), or into the ledger with the reason after OCR. Its agency-year is curated by the next
curated run (the daily catch-up takes every partition whose raw file changed), which reads the
scan from the same page cache.
"""


import dagster as dg

from disclosure.ocr_batch import PageDone, lake_ocr_settings, ocr_quarantined
from pipelines.keys import OCR_JOB, OCR_KEY, QUARANTINE_KEY
from pipelines.metadata import md_table
from pipelines.partitions import DivisionMap, division_partitions, open_years
from pipelines.resources import LakeResource

CHECK_ACCOUNTED = "every_scan_filed_or_quarantined"


class OcrConfig(dg.Config):
    """How the OCR step runs (validated again by disclosure.ocr.OcrSettings)."""

    max_workers: int = 2  # processes reading pages (the machine's cores; the engine uses one thread each)
    timeout_s: float = 600.0  # per file: the engine's time over its pages
    dpi: int = 200  # rendering resolution of scanned PDF pages


@dg.asset(
    key=OCR_KEY,
    group_name="ocr",
    deps=[QUARANTINE_KEY],
    description=(
        "Scanned PDFs (`needs_ocr`) and page images from the quarantine ledger, read offline by OCR "
        "(disclosure/ocr.py, rapidocr with its bundled models) over a process pool, page results cached "
        "by content hash under `data_lake/ocr/pages/`. Each file is filed into the raw zone under the "
        "agency and year its pages state, or recorded in the ledger with the reason after OCR; one "
        "marker per file under `data_lake/ocr/done/`."
    ),
    kinds={"python"},
    check_specs=[dg.AssetCheckSpec(
        CHECK_ACCOUNTED, asset=OCR_KEY,
        description="Every file the step read is in the raw zone or has a ledger entry with its reason after OCR.",
    )],
)
def ocr_reads(context: dg.AssetExecutionContext, config: OcrConfig, lake: LakeResource) -> dg.MaterializeResult:
    lk = lake.lake
    settings = lake_ocr_settings(lk, dpi=config.dpi, timeout_s=config.timeout_s)

    def progress(p: PageDone) -> None:
        context.log.info(f"OCR {p.name}: page {p.page}/{p.pages} in {p.seconds:.1f} s"
                         + (" (from the cache)" if p.cached else ""))

    res = ocr_quarantined(lk, settings, years=open_years(), max_workers=config.max_workers, progress=progress)
    divisions = DivisionMap(lk)  # the filed agency-years' division-year partitions (pipelines/partitions.py)
    new_divisions = sorted({divisions(a["agency"]) for a in res.accepted}
                           - set(context.instance.get_dynamic_partitions(division_partitions.name)))
    if new_divisions:
        context.instance.add_dynamic_partitions(division_partitions.name, new_divisions)
    from disclosure.lake import current_raw, read_ledger

    ledger = {(e.sha256, e.code) for e in read_ledger(lk).entries}
    unaccounted = [a["file"] for a in res.accepted if (r := current_raw(lk, a["agency"], a["year"])) is None
                   or r.sha256 != a["sha256"]]
    unaccounted += [q["file"] for q in res.quarantined if (q["sha256"], q["code"]) not in ledger]
    return dg.MaterializeResult(
        metadata={
            "files_read": len(res.accepted) + len(res.quarantined),
            "filed": len(res.accepted),
            "quarantined": len(res.quarantined),
            "already_done": res.already_done,
            "pages": res.pages,
            "pages_from_cache": res.pages_cached,
            "partitions": ", ".join(f"{a['agency']}|{a['year']}" for a in res.accepted),
            "files": dg.MetadataValue.md(md_table(
                [{"file": a["file"], "outcome": f"{a['agency']} {a['year']}"} for a in res.accepted]
                + [{"file": q["file"], "outcome": f"{q['code']}: {q['reason']}"} for q in res.quarantined],
                ["file", "outcome"], limit=50)),
        },
        check_results=[dg.AssetCheckResult(
            check_name=CHECK_ACCOUNTED, passed=not unaccounted,
            metadata={"unaccounted": ", ".join(unaccounted) or "none"},
        )],
    )


ocr_job = dg.define_asset_job(OCR_JOB, selection=[OCR_KEY], description="The OCR step alone.")
