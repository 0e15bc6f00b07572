"""OCR of many scanned files at once: pages spread over a pool of processes (Dagster-free).

The OCR step of the pipeline (pipelines/defs/ocr/) and anything else with a batch of scans
call `ocr_files`. Every page of every file is one task of a `ProcessPoolExecutor`, so the
pages of one long scan use every worker and many short scans share them; each worker loads
the engine's models once (one process start-up per worker, none per report, and none at all
when no file needs OCR). Each page is read through the content-hash cache
(`OcrSettings.cache_dir`), so a re-run reads no page twice: a cached page costs its geometry
only (~0.3 s). `progress` is called in the calling process once per page read.

A file whose pages together took longer than `settings.timeout_s` (the engine's own time,
not time spent waiting for a worker) is refused whole (`too_large`): its pages not started
are cancelled, and nothing of it is kept. A file no page of which can be rendered, or whose
pages yield no table, is refused with the reader's reason and page number.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from disclosure.model import Document, RejectedReport, parser_error_message
from disclosure.ocr import OcrCache, OcrPage, OcrSettings, read_page

PAGE_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
"""PNG and JPEG: the page images the image reader takes as they are."""


@dataclass(frozen=True, slots=True)
class PageDone:
    """One page read, as reported to `progress`."""

    name: str
    page: int  # 1-based
    pages: int
    seconds: float  # the worker's time on it (CPU-bound: wall time of the task)
    cached: bool


@dataclass(slots=True)
class OcrOutcome:
    """One file: its Document, or why it was refused."""

    name: str
    path: str
    pages: int = 0
    cached: int = 0
    seconds: float = 0.0
    document: Document | None = None
    rejected: RejectedReport | None = None
    _read: dict[int, tuple[OcrPage, float]] = field(default_factory=dict, repr=False)


def page_count(data: bytes, path: str) -> int:
    """Pages of a scanned PDF, or frames of a page image; RejectedReport if neither can be opened."""
    if data.startswith(PAGE_IMAGE_MAGIC):
        from PIL import Image, UnidentifiedImageError

        try:
            import io

            return getattr(Image.open(io.BytesIO(data)), "n_frames", 1)
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            raise RejectedReport("corrupt_file", f"the image cannot be decoded ({exc})", path) from None
    from disclosure.readers import pdf as P

    with P._PDFIUM_LOCK:
        pdf = P._open(data, path)
        try:
            n = len(pdf)
        finally:
            pdf.close()
    if n > P.MAX_PAGES:
        raise RejectedReport("too_large", f"{n} pages (limit {P.MAX_PAGES})", path)
    return n


def render_page(data: bytes, path: str, index: int, settings: OcrSettings):
    """(greyscale image, points per pixel) of one page of a scanned PDF or one image frame."""
    import numpy as np

    if data.startswith(PAGE_IMAGE_MAGIC):
        import io

        from PIL import Image, ImageSequence

        from disclosure.readers.image import IMAGE_WIDTH_PT

        frame = next(f for k, f in enumerate(ImageSequence.Iterator(Image.open(io.BytesIO(data)))) if k == index)
        image = np.asarray(frame.convert("L"))
        return image, IMAGE_WIDTH_PT / image.shape[1]
    import pypdfium2 as pdfium

    from disclosure.readers import pdf as P

    with P._PDFIUM_LOCK:
        pdf = P._open(data, path)
        try:
            page = pdf[index]
            try:
                width_pt = page.get_width()
                image = np.asarray(page.render(scale=settings.dpi / 72, grayscale=True).to_pil().convert("L"))
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise RejectedReport("corrupt_file", f"page {index + 1} cannot be rendered ({exc})", path) from None
        finally:
            pdf.close()
    return image, width_pt / image.shape[1]


def _read_one_page(path: str, index: int, settings: OcrSettings) -> tuple[OcrPage | None, float, float, tuple[str, str] | None]:
    """A worker's task: render and read one page (through the cache). Returns the page, its
    points per pixel, the seconds it took, and (code, message) if the page was refused (a
    RejectedReport does not cross a process boundary as itself)."""
    start = time.monotonic()
    try:
        image, scale = render_page(Path(path).read_bytes(), path, index, settings)
    except RejectedReport as exc:
        return None, 0.0, time.monotonic() - start, (exc.code, exc.message)
    page = read_page(image, settings, cache=OcrCache(settings.cache_dir))
    return page, scale, time.monotonic() - start, None


def ocr_files(files: Sequence[tuple[str, str]], settings: OcrSettings, *, max_workers: int = 2,
              progress: Callable[[PageDone], None] | None = None) -> list[OcrOutcome]:
    """OCR every page of the given (name, path) files over `max_workers` processes."""
    from disclosure.readers.image import document_from_pages

    if max_workers < 1:
        raise ValueError(f"max_workers {max_workers}: at least 1")
    outcomes = [OcrOutcome(name, str(path)) for name, path in files]
    tasks: dict[cf.Future, tuple[OcrOutcome, int]] = {}
    if not outcomes:
        return outcomes
    # spawn, not fork: the caller (a Dagster run) has threads, and a forked copy of their locks
    # can deadlock; each worker imports the reader once and loads the models on its first page.
    with cf.ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for out in outcomes:
            try:
                out.pages = page_count(Path(out.path).read_bytes(), out.name)
            except RejectedReport as exc:
                out.rejected = exc
                continue
            except OSError as exc:
                out.rejected = RejectedReport("unreadable_file", f"cannot read the file: {exc}", out.name)
                continue
            for index in range(out.pages):
                tasks[pool.submit(_read_one_page, out.path, index, settings)] = (out, index)
        for future in cf.as_completed(tasks):
            out, index = tasks[future]
            if out.rejected is not None or future.cancelled():
                continue
            try:
                page, scale, seconds, refused = future.result()
            except Exception as exc:  # a worker died or the engine failed: the file is kept, with why
                out.rejected = RejectedReport("parser_error", f"OCR of page {index + 1}: {parser_error_message(exc)}", out.name)
                page, refused = None, None
            if refused is not None:
                out.rejected = RejectedReport(*refused, out.name)
            elif page is not None:
                out._read[index] = (page, scale)
                out.seconds += seconds
                out.cached += page.cached
                if progress is not None:
                    progress(PageDone(out.name, index + 1, out.pages, seconds, page.cached))
                if out.seconds > settings.timeout_s and len(out._read) < out.pages:
                    out.rejected = RejectedReport(
                        "too_large", f"OCR of {len(out._read)} of {out.pages} pages took {out.seconds:.0f} s, past the "
                        f"per-file timeout of {settings.timeout_s:.0f} s; nothing of the file was kept", out.name)
            if out.rejected is not None:  # the file's pages not started are not read
                for other, (o, _) in tasks.items():
                    if o is out:
                        other.cancel()
    for out in outcomes:
        if out.rejected is None and out.pages:
            try:
                out.document = document_from_pages([out._read[k] for k in range(out.pages)], out.name, settings)
            except RejectedReport as exc:
                out.rejected = exc
        out._read = {}
    return outcomes


# --------------------------------------------------------------------------- the pipeline's OCR step

OCR_CODES = ("needs_ocr",)
"""Ledger codes of files the OCR step reads: scanned PDFs the text readers refused."""
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
"""... and page images, refused as `unsupported_format` by the text readers."""


def lake_ocr_settings(lake, **kw) -> OcrSettings:
    """OCR settings whose page cache is the lake's own (`<lake>/ocr/pages`), so the OCR step and
    the curation of a scanned raw file share it; a remote lake uses the local default cache."""
    cache = str(lake.root / "ocr" / "pages") if lake.is_local else None
    return OcrSettings(cache_dir=cache, **kw)


@dataclass(slots=True)
class StepResult:
    """What one OCR step did: files filed into the raw zone, files quarantined (with the reason
    after OCR), files already handled by an earlier step, and pages read / from the cache."""

    accepted: list[dict] = field(default_factory=list)  # file, sha256, agency, year
    quarantined: list[dict] = field(default_factory=list)  # file, sha256, code, reason
    already_done: int = 0
    pages: int = 0
    pages_cached: int = 0


def waiting_scans(lake) -> tuple[list, int]:
    """Ledger entries of files refused for want of OCR not yet handled (one per content), and how
    many there are in all."""
    from disclosure.lake import read_ledger

    done = lake.root / "ocr" / "done"
    out, seen = [], set()
    for e in read_ledger(lake).entries:
        if not e.sha256 or not e.stored_as or e.sha256 in seen:
            continue
        if e.code in OCR_CODES or (e.code == "unsupported_format" and Path(e.stored_as).suffix.lower() in IMAGE_SUFFIXES):
            seen.add(e.sha256)
            out.append(e)
    return [e for e in out if not (done / f"{e.sha256}.json").exists()], len(out)


def filed_scans(lake) -> set[str]:
    """Content hashes of the scans the OCR step filed into the raw zone: their `needs_ocr` ledger
    entry records the first refusal, not where the file ended up, so it no longer holds them."""
    import json

    done = lake.root / "ocr" / "done"
    if not done.is_dir():
        return set()
    out = set()
    for marker in done.glob("*.json"):
        try:
            if json.loads(marker.read_text("utf-8")).get("code") is None:
                out.add(marker.stem)
        except (OSError, ValueError):
            continue  # a torn marker: the step re-reads that file (from the page cache)
    return out


def ocr_quarantined(lake, settings: OcrSettings, *, years: Sequence[str | int], max_workers: int = 2,
                    progress: Callable[[PageDone], None] | None = None) -> StepResult:
    """Read by OCR every file the ledger holds as `needs_ocr` (or a page image), then file each
    into the raw zone under the agency and year its pages state (the inbox's own admission,
    disclosure/intake.py, on the OCR'd text), or record in the ledger why not: a page without
    a table, the timeout, an identity nothing on the pages states. A file is handled once (a
    marker per content hash under `<lake>/ocr/done/`); its pages are cached either way."""
    import json

    from disclosure.intake import admit
    from disclosure.keys import agency_key_problem, year_problem
    from disclosure.lake import current_raw, quarantine, read_ledger, store_raw

    waiting, total = waiting_scans(lake)
    result = StepResult(already_done=total - len(waiting))
    paths = {e.sha256: lake.quarantine_dir / e.stored_as for e in waiting}
    outcomes = ocr_files([(e.source_file, str(paths[e.sha256])) for e in waiting], settings,
                         max_workers=max_workers, progress=progress)
    known = read_ledger(lake).keys()
    done = lake.root / "ocr" / "done"
    done.mkdir(parents=True, exist_ok=True)
    for entry, out in zip(waiting, outcomes, strict=True):
        data = paths[entry.sha256].read_bytes()
        result.pages += out.pages
        result.pages_cached += out.cached
        code, reason, agency, year = _admit(out, data, entry.source_file, settings, years, admit, agency_key_problem,
                                            year_problem)
        if code is None:
            held = current_raw(lake, agency, year)
            if held is not None and held.sha256 != entry.sha256:
                code, reason = "duplicate", (f"after OCR: {agency} {year} already has the raw file {held.source_file} "
                                             f"({held.sha256[:12]}); the scan is not filed over it")
        row = {"file": entry.source_file, "sha256": entry.sha256}
        if code is None:
            store_raw(lake, data, agency=agency, year=year, source_file=Path(entry.source_file).name,
                      agency_source="ocr", year_source="ocr", inbox_path=entry.source_file)
            result.accepted.append({**row, "agency": agency, "year": year})
        else:
            quarantine(lake, source_file=entry.source_file, code=code, reason=reason, sha256=entry.sha256,
                       agency=agency, year=year, known=known)
            result.quarantined.append({**row, "code": code, "reason": reason})
        tmp = done / f".{entry.sha256}.part"
        tmp.write_text(json.dumps({**row, "code": code, "reason": reason, "agency": agency, "year": year},
                                  ensure_ascii=False), encoding="utf-8")
        tmp.replace(done / f"{entry.sha256}.json")
    return result


def _admit(out: OcrOutcome, data: bytes, name: str, settings: OcrSettings, years, admit, agency_key_problem,
           year_problem) -> tuple[str | None, str, str | None, int | None]:
    """(code, reason, agency, year) of one OCR'd file: code None when it is filed."""
    if out.rejected is not None:
        return out.rejected.code, f"after OCR: {out.rejected.message}", None, None
    try:
        adm = admit(data, name, None, ocr=settings)  # the pages come from the cache just filled
    except RejectedReport as exc:
        return exc.code, f"after OCR: {exc.message}", None, None
    except Exception as exc:  # a reader bug must not stop the step: the file is recorded with it
        return "parser_error", parser_error_message(exc), None, None
    if adm.code is not None:
        return adm.code, f"after OCR: {adm.reason}", adm.agency, adm.year
    if adm.agency is None or adm.year is None:
        return ("uncertain_identity", "after OCR: no evidence on the pages names the "
                + " and ".join(k for k, v in (("agency", adm.agency), ("year", adm.year)) if v is None), adm.agency, adm.year)
    problem = agency_key_problem(adm.agency)
    if problem:
        return "bad_agency_key", problem, adm.agency, adm.year
    problem = year_problem(adm.year, years)
    if problem:
        return "bad_year", problem, adm.agency, adm.year
    return None, "", adm.agency, adm.year
