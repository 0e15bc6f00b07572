"""OCR engines on the scanned fixtures: cell accuracy and seconds per page (issue 12).

Each engine reads every page of tests/fixtures/scans/*.pdf (image-only, degraded scans of corpus
and office-made reports; scripts/make_scan_fixtures.py) through the same image reader
(readers/image.py: deskew, ruling lines, the PDF reader's layout) and the same table logic, and
the parsed cells are scored against the scans' golden files (their source reports' values):

* exact: the golden value; flagged: differs (or null) with a warning flag (ambiguous, …);
  silent: differs with no warning flag, the worst case; identity: agency and year right, null
  (-> uncertain_identity), or wrong.
* seconds per page: wall time and CPU time of this process and its children (tesseract runs as
  a child process), so that a loaded machine shows in the wall time but not in the CPU time.

    .venv/bin/python bench/bench_ocr.py                      # rapidocr and tesseract, no cache
    .venv/bin/python bench/bench_ocr.py --engines rapidocr --cache /tmp/ocr-cache   # re-runs free

tesseract needs Debian's tesseract-ocr and tesseract-ocr-chi-sim (apt-get install -y ...); an
engine that is not installed is reported as such and skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import golden_cells, same_value  # noqa: E402  the tests' one golden-cell comparison

from disclosure.model import RejectedReport  # noqa: E402
from disclosure.ocr import OcrCache, OcrSettings, RapidOcrEngine, TesseractEngine  # noqa: E402
from disclosure.parse import parse_document  # noqa: E402
from disclosure.readers.image import read_scanned_pdf  # noqa: E402
from disclosure.vocabulary import WARNING_FLAGS  # noqa: E402

SCANS = ROOT / "tests" / "fixtures" / "scans"


@dataclass
class Result:
    engine: str
    files: int = 0
    pages: int = 0
    cells: int = 0
    exact: int = 0
    flagged: int = 0
    silent: list[str] = field(default_factory=list)
    identity_right: int = 0
    identity_null: int = 0
    identity_wrong: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at the start and the end


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def score(gold: dict, got: dict, into: Result) -> None:
    have = dict(golden_cells(got))
    flags = got.get("flags") or {}
    for key, want in golden_cells(gold):
        into.cells += 1
        if same_value(have.get(key), want):
            into.exact += 1
        elif WARNING_FLAGS.intersection(flags.get(key, ())):
            into.flagged += 1
        else:
            into.silent.append(f"{gold['file']} {key}: want {want!r} got {have.get(key)!r}")
    ident = (got["agency"], got["year"])
    if ident == (gold["agency"], gold["year"]):
        into.identity_right += 1
    elif None in ident and all(g in (None, w) for g, w in zip(ident, (gold["agency"], gold["year"]), strict=True)):
        into.identity_null += 1
    else:
        into.identity_wrong.append(f"{gold['file']}: {ident}")


def run(engine_name: str, files: list[Path], settings: OcrSettings, cache_dir: Path) -> Result | None:
    try:
        engine = RapidOcrEngine(settings.threads) if engine_name == "rapidocr" else TesseractEngine()
    except (ImportError, FileNotFoundError, OSError) as exc:
        print(f"{engine_name}: not installed ({exc}); skipped")
        return None
    out = Result(engine.name)
    load_start = os.getloadavg()[0]
    cache = OcrCache(cache_dir / engine.name)
    for path in files:
        gold = json.loads((SCANS / "expected" / f"{path.name}.json").read_text(encoding="utf-8"))
        data = path.read_bytes()
        pages = [0]
        wall, cpu = time.perf_counter(), _cpu()

        def progress(done: int, total: int, _page, pages=pages) -> None:
            pages[0] = total

        try:
            doc = read_scanned_pdf(data, str(path), settings, cache=cache, engine=engine, progress=progress)
            got = parse_document(doc, data, str(path)).to_json_dict()
        except RejectedReport as exc:
            out.rejected.append(f"{path.name}: {exc.code}: {exc.message}")
            continue
        finally:
            out.wall += time.perf_counter() - wall
            out.cpu += _cpu() - cpu
        out.files += 1
        out.pages += pages[0]
        score(gold, got, out)
        print(f"  {engine.name} {path.name}: {pages[0]} pages, {time.perf_counter() - wall:.1f} s", flush=True)
    out.load = (load_start, os.getloadavg()[0])
    return out


def report(r: Result) -> str:
    per_page = r.wall / max(r.pages, 1)
    cpu_page = r.cpu / max(r.pages, 1)
    lines = [
        f"{r.engine}: {r.files} files, {r.pages} pages",
        f"  cells exact {r.exact}/{r.cells} = {r.exact / max(r.cells, 1):.1%}, flagged {r.flagged}, silent wrong {len(r.silent)}",
        f"  identity right {r.identity_right}, null {r.identity_null}, wrong {len(r.identity_wrong)}",
        f"  {per_page:.1f} s/page wall ({3600 / max(per_page, 1e-9):.0f} pages/hour), "
        f"{cpu_page:.1f} s/page CPU ({3600 / max(cpu_page, 1e-9):.0f} pages/hour per core)",
        f"  load average (1 min) {r.load[0]:.2f} at start, {r.load[1]:.2f} at end, on {os.cpu_count()} cores",
    ]
    lines += [f"  silent: {s}" for s in r.silent[:20]]
    lines += [f"  identity wrong: {s}" for s in r.identity_wrong]
    lines += [f"  rejected: {s}" for s in r.rejected]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="rapidocr,tesseract")
    ap.add_argument("--files", nargs="*", help="scanned PDFs (default: tests/fixtures/scans/*.pdf)")
    ap.add_argument("--cache", help="OCR cache folder (default: a fresh one, so every page is read)")
    ap.add_argument("--dpi", type=int, default=OcrSettings().dpi)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    files = [Path(f) for f in args.files] if args.files else sorted(SCANS.glob("*.pdf"))
    settings = OcrSettings(dpi=args.dpi, threads=args.threads)
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
        cache_dir = Path(args.cache) if args.cache else Path(tmp)
        results = [r for name in args.engines.split(",") if (r := run(name, files, settings, cache_dir))]
    for r in results:
        print(report(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
