"""Where the PDF path's CPU time goes, per producer of the office-made fixtures (issue 11).

    .venv/bin/python bench/profile_pdf.py [--repeats 3] [--cprofile N | --sample N | --against REV] [FOLDER ...]

For each folder: CPU ms per report (time.process_time) of the whole parse, split into the
bomb check (check_bytes), opening the document, each page's load, text page and glyph
extraction, rules, Python-level layout (page_rows, lay_out, emit_lines) and the shared
parse_document; with --cprofile N, the N costliest functions by own time as well (cProfile
inflates functions called often); with --sample N, the N functions most often on top of the
stack and on the stack, sampled every millisecond of CPU time (SIGPROF: no per-call overhead,
so small hot functions are not inflated; the stage timers are off then), and by source line.
With --against REV: read_pdf's CPU ms per report, this tree's reader against the reader at git
revision REV (loaded as a second module), alternating round by round in one process (no timers),
and whether the two give the same lines and metadata for every file.
Default folders: the three PDF producers of tests/fixtures/office-corpus.tar.xz (31 reports
each), unpacked to a temporary folder.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import disclosure.readers.pdf as pdf  # noqa: E402
from disclosure.parse import parse_document  # noqa: E402

STAGES: dict[str, float] = defaultdict(float)


def timed(name: str, fn: Callable) -> Callable:
    """fn, with its CPU time added to STAGES[name] (outermost call only)."""
    depth = [0]

    def wrapper(*args, **kwargs):
        if depth[0]:
            return fn(*args, **kwargs)
        depth[0] += 1
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            STAGES[name] += time.process_time() - start
            depth[0] -= 1

    return wrapper


def instrument() -> None:
    """Wrap the reader's stages in timers (module attributes: the reader calls them by name)."""
    for attr, name in (
        ("check_bytes", "bomb check + header"),
        ("_open", "open document"),
        ("_glyphs", "glyphs (text page calls)"),
        ("page_rules", "rules (page objects)"),
        ("first_page_heading", "heading"),
        ("page_rows", "page_rows (grids, lines, cells)"),
        ("ruled_tables", "  of which ruled_tables"),
        ("_place_in_grids", "  of which _place_in_grids"),
        ("grid_rows", "  of which grid_rows"),
        ("mark_margins", "margins"),
        ("lay_out", "lay_out (chrome, borderless)"),
        ("emit_lines", "emit_lines"),
        ("_info", "metadata"),
    ):
        setattr(pdf, attr, timed(name, getattr(pdf, attr)))
    # The reader loads pages and text pages through the raw API (looked up at call time).
    pdf.pdfium_c.FPDF_LoadPage = timed("page load (FPDF_LoadPage)", pdf.pdfium_c.FPDF_LoadPage)
    pdf.pdfium_c.FPDFText_LoadPage = timed("text page (FPDFText_LoadPage)", pdf.pdfium_c.FPDFText_LoadPage)


class Sampler:
    """Stack samples every `interval` s of CPU time (ITIMER_PROF), by function: own and total."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.own: Counter[str] = Counter()
        self.lines: Counter[str] = Counter()  # own samples by source line
        self.total: Counter[str] = Counter()
        self.n = 0

    def _sample(self, _signum: int, frame) -> None:
        self.n += 1
        seen = set()
        top = True
        while frame is not None:
            code = frame.f_code
            name = f"{Path(code.co_filename).name}:{code.co_firstlineno}({code.co_name})"
            if code.co_filename == "<string>" and frame.f_back is not None:  # a dataclass __init__: whose?
                name += f" from {frame.f_back.f_code.co_name}:{frame.f_back.f_lineno}"
            if top:
                self.own[name] += 1
                self.lines[f"{Path(code.co_filename).name}:{frame.f_lineno} ({code.co_name})"] += 1
                top = False
            if name not in seen:
                self.total[name] += 1
                seen.add(name)
            frame = frame.f_back

    def __enter__(self) -> Sampler:
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *_exc) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)

    def report(self, top: int) -> str:
        lines = [f"  {self.n} samples; own / on stack, share of samples:"]
        for name, k in self.own.most_common(top):
            lines.append(f"  {k / self.n:6.1%} {self.total[name] / self.n:6.1%}  {name}")
        lines.append("  on the stack (cumulative):")
        for name, k in self.total.most_common(top):
            lines.append(f"  {k / self.n:6.1%}  {name}")
        lines.append("  own samples by source line:")
        for name, k in self.lines.most_common(top):
            lines.append(f"  {k / self.n:6.1%}  {name}")
        return "\n".join(lines)


def run(files: list[tuple[bytes, str]]) -> None:
    for data, name in files:
        start = time.process_time()
        doc = pdf.read_pdf(data, name)
        STAGES["read_pdf (all)"] += time.process_time() - start
        start = time.process_time()
        parse_document(doc, data, name)
        STAGES["parse_document (shared)"] += time.process_time() - start


def reader_at(rev: str, tmp: Path):
    """disclosure/readers/pdf.py as of git revision `rev`, imported as its own module."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:disclosure/readers/pdf.py"],
                            check=True, capture_output=True).stdout
    path = tmp / f"pdf_at_{rev.replace('/', '_')}.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def against(folder: Path, files: list[tuple[bytes, str]], base, rounds: int) -> None:
    """CPU ms per report of read_pdf, base and this tree alternating; equal output checked."""
    for data, name in files:
        a, b = base.read_pdf(data, name), pdf.read_pdf(data, name)
        if (a.lines, a.metadata, a.notes) != (b.lines, b.metadata, b.notes):
            print(f"  {name}: OUTPUT DIFFERS")
    times: dict[str, list[float]] = {"base": [], "new": []}
    for _ in range(rounds):
        for label, module in (("base", base), ("new", pdf)):
            start = time.process_time()
            for data, name in files:
                module.read_pdf(data, name)
            times[label].append(1000 * (time.process_time() - start) / len(files))
    b, n = min(times["base"]), min(times["new"])
    print(f"{folder.name}: read_pdf ms/report, best of {rounds}: base {b:.2f}, new {n:.2f} ({n / b - 1:+.1%}); "
          f"all rounds base {' '.join(f'{t:.1f}' for t in times['base'])} / new {' '.join(f'{t:.1f}' for t in times['new'])}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cprofile", type=int, default=0, help="print the N costliest functions (own time)")
    ap.add_argument("--sample", type=int, default=0, help="print the N functions most sampled (no timers)")
    ap.add_argument("--against", metavar="REV", help="compare read_pdf with the reader at git revision REV")
    a = ap.parse_args()
    if not a.sample and not a.against:
        instrument()
    with tempfile.TemporaryDirectory(prefix="profile-pdf-") as tmp:
        folders = a.folders
        if not folders:
            sys.path.insert(0, str(ROOT / "tests"))
            from office_scores import unpack_corpus

            corpus = unpack_corpus(Path(tmp))
            folders = [corpus / p for p in ("pdf-word", "pdf-lo", "pdf-chrome")]
        for folder in folders:
            files = [(p.read_bytes(), p.name) for p in sorted(folder.iterdir()) if p.suffix == ".pdf"]
            if a.against:
                against(folder, files, reader_at(a.against, Path(tmp)), max(a.repeats, 2))
                continue
            run(files)  # warm up
            STAGES.clear()
            prof = cProfile.Profile() if a.cprofile else None
            sampler = Sampler() if a.sample else None
            if prof:
                prof.enable()
            start = time.process_time()
            if sampler:
                with sampler:
                    for _ in range(a.repeats):
                        run(files)
            else:
                for _ in range(a.repeats):
                    run(files)
            total = time.process_time() - start
            if prof:
                prof.disable()
            n = a.repeats * len(files)
            print(f"\n{folder.name}: {n / total:.1f} reports/s per core (CPU, timers included), {1000 * total / n:.1f} ms/report")
            for name, sec in sorted(STAGES.items(), key=lambda kv: -kv[1]):
                print(f"  {name:36} {1000 * sec / n:7.2f} ms  {sec / total:6.1%}")
            if sampler:
                print(sampler.report(a.sample))
            if prof:
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(a.cprofile)
                print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-(a.cprofile + 2) * 120:])


if __name__ == "__main__":
    main()
