"""Throughput, memory and accuracy of the PDF and DOCX readers, and of the PDF engines compared.

    .venv/bin/python bench/bench_pdf_docx.py [--seconds 3]

One process, one thread; rates are reports per CPU second (per core, including the CPU of
child processes), since wall time on a shared machine measures the neighbours. Reports:
* pdfium reader (the one shipped) on the published huaian-gov-2024.pdf (6 pages) and on an
  8-page PDF made from it (its pages plus two fixture pages), reader alone and reader + parse;
* the alternatives measured the same way when installed: poppler `pdftotext -layout`
  (a subprocess per report, then the text reader) and pdfplumber's layout text;
* cells right against the golden file for each engine;
* DOCX reader alone and reader + parse;
* per producer of the office-made fixtures (Word-like = LibreOffice's PDF of a .docx,
  LibreOffice's own HTML export, browser print-to-PDF ruled and borderless, and the DOCX; then
  the same producers over every corpus report with a table form, tests/fixtures/office-corpus.tar.xz):
  cells exact / flagged / silent, identity right, and parse rate over the folder's reports;
* resident memory after many reports (it must stay flat: no growth per report).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pypdfium2 as pdfium

from disclosure.parse import parse_bytes
from disclosure.readers.docx import read_docx
from disclosure.readers.pdf import read_pdf

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "tests" / "fixtures" / "reports" / "huaian-gov-2024.pdf"
GOLD = ROOT / "tests" / "fixtures" / "reports" / "expected" / "huaian-gov-2024.pdf.json"
EXTRA = ROOT / "tests" / "fixtures" / "pdf" / "hongze-gov-2023-weasy.pdf"
# a ruled table with blank cells: text-only layouts lose which column a value is in
BLANKS = ROOT / "tests" / "fixtures" / "pdf" / "sh-gov-office-2019-weasy.pdf"
BLANKS_GOLD = ROOT / "tests" / "fixtures" / "pdf" / "expected" / "sh-gov-office-2019-weasy.pdf.json"
DOCX = ROOT / "tests" / "fixtures" / "docx" / "huaian-gov-2024-word.docx"


def eight_pages() -> bytes:
    """The published report's 6 pages followed by 2 pages of another report: a typical 8 pages."""
    out = pdfium.PdfDocument.new()
    out.import_pages(pdfium.PdfDocument(PDF.read_bytes()))
    out.import_pages(pdfium.PdfDocument(EXTRA.read_bytes()), [0, 1])
    import io

    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def cpu() -> float:
    """CPU seconds of this process and its finished children (pdftotext runs as a child)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Reports per CPU second (per core): wall time is meaningless on a shared, busy machine."""
    fn()  # warm up
    n, start, wall = 0, cpu(), time.perf_counter()
    while time.perf_counter() - wall < seconds or n < 3:
        fn()
        n += 1
    return n / max(cpu() - start, 1e-9)


def cells_right(got: dict, gold_path: Path = GOLD) -> str:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))

    def flat(doc: dict) -> dict:
        out = {f"a.{k}": v for k, v in (doc.get("active_disclosure") or {}).items()}
        for row, cols in (doc.get("applications") or {}).items():
            out.update({f"b.{row}.{c}": v for c, v in (cols or {}).items()})
        out.update({f"c.{k}": v for k, v in (doc.get("review_litigation") or {}).items()})
        return out

    want, have = flat(gold), flat(got)
    ok = sum(
        1
        for k, v in want.items()
        if have.get(k) == v
        or (v is not None and have.get(k) is not None and abs(float(have[k]) - float(v)) < 1e-6)
    )
    return f"{ok}/{len(want)}"


def pdftotext_text(data: bytes) -> bytes:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout


def pdfplumber_text(data: bytes) -> bytes:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\f".join(page.extract_text(layout=True) or "" for page in pdf.pages).encode("utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    a = ap.parse_args()
    six = PDF.read_bytes()
    eight = eight_pages()
    print(f"8-page PDF: {len(eight) // 1024} KB")
    rows = []

    blanks = BLANKS.read_bytes()

    def engine(name: str, to_report: Callable[[bytes], object], parse: Callable[[bytes], dict]) -> None:
        acc = f"{cells_right(parse(six))} {cells_right(parse(blanks), BLANKS_GOLD)}"
        r6 = rate(lambda: to_report(six), a.seconds)
        r8 = rate(lambda: to_report(eight), a.seconds)
        p8 = rate(lambda: parse(eight), a.seconds)
        rows.append((name, acc, r6, r8, p8))

    engine(
        "pdfium (pypdfium2)", lambda d: read_pdf(d, "x.pdf"), lambda d: parse_bytes(d, "x.pdf").to_json_dict()
    )
    if shutil.which("pdftotext"):
        engine(
            "poppler pdftotext -layout",
            pdftotext_text,
            lambda d: parse_bytes(pdftotext_text(d), "x.txt").to_json_dict(),
        )
    try:
        import pdfplumber  # noqa: F401

        engine(
            "pdfplumber layout text",
            pdfplumber_text,
            lambda d: parse_bytes(pdfplumber_text(d), "x.txt").to_json_dict(),
        )
    except ImportError:
        pass
    print("cells right: huaian-gov-2024.pdf (published) / sh-gov-office-2019-weasy.pdf (blank cells)")
    print(f"{'PDF engine':28} {'cells right':>15} {'6p read/s':>10} {'8p read/s':>10} {'8p parse/s':>11}")
    for name, acc, r6, r8, p8 in rows:
        print(f"{name:28} {acc:>15} {r6:10.1f} {r8:10.1f} {p8:11.1f}")

    docx = DOCX.read_bytes()
    print(
        f"DOCX reader: {rate(lambda: read_docx(docx, 'x.docx'), a.seconds):.0f} reports/s; "
        f"reader + parse: {rate(lambda: parse_bytes(docx, 'x.docx'), a.seconds):.0f} reports/s"
    )

    producers(a.seconds)

    proc = psutil.Process()
    for _ in range(20):
        read_pdf(eight, "x.pdf")
        read_docx(docx, "x.docx")
    before = proc.memory_info().rss
    for _ in range(200):
        read_pdf(eight, "x.pdf")
        read_docx(docx, "x.docx")
    after = proc.memory_info().rss
    print(
        f"RSS after 20 reports {before / 2**20:.0f} MB, after 200 more {after / 2**20:.0f} MB "
        f"(growth {(after - before) / 2**20:+.1f} MB)"
    )


OFFICE = {
    "Word-like PDF (LibreOffice, from .docx)": ROOT / "tests/fixtures/pdf/office-word",
    "LibreOffice PDF (from HTML)": ROOT / "tests/fixtures/pdf/office-lo",
    "browser print-to-PDF (Chromium)": ROOT / "tests/fixtures/pdf/office-chrome",
    "browser print, borderless": ROOT / "tests/fixtures/pdf/office-chrome-unruled",
    "DOCX (LibreOffice, from HTML)": ROOT / "tests/fixtures/docx/office-lo",
}


CORPUS_NAMES = {
    "pdf-word": "corpus: Word-like PDF", "pdf-lo": "corpus: LibreOffice PDF",
    "pdf-chrome": "corpus: browser print-to-PDF", "docx": "corpus: DOCX",
}
"""The producers of tests/fixtures/office-corpus.tar.xz (every 2021-template corpus report)."""


def producers(seconds: float) -> None:
    """Accuracy and parse rate per producer of the office-made fixtures (the folders, then the
    corpus-wide tarball unpacked to a temporary folder)."""
    import sys
    import tempfile

    sys.path.insert(0, str(ROOT / "tests"))
    from office_scores import CORPUS_PRODUCERS, score_folder, unpack_corpus

    tmp = tempfile.TemporaryDirectory(prefix="bench-office-")
    corpus = unpack_corpus(Path(tmp.name))
    folders = {**OFFICE, **{CORPUS_NAMES[p]: corpus / p for p in CORPUS_PRODUCERS}}
    print(f"{'producer':42} {'files':>5} {'cells exact':>17} {'flagged':>7} {'silent':>6} {'identity':>8} {'parse/s':>8}")
    for name, folder in folders.items():
        files = sorted(p for p in folder.iterdir() if p.is_file())
        if not files:
            continue
        datas = [(f.read_bytes(), f.name) for f in files]
        score = score_folder(folder)

        def all_files(datas: list[tuple[bytes, str]] = datas) -> None:
            for data, fname in datas:
                parse_bytes(data, fname)

        per_s = rate(all_files, seconds) * len(datas)
        ident = f"{score.files - len(score.wrong_identity)}/{score.files}"
        print(
            f"{name:42} {score.files:5d} {score.exact:>6}/{score.cells:<5} {score.accuracy:6.2%} "
            f"{score.flagged:7d} {len(score.silent):6d} {ident:>8} {per_s:8.1f}"
        )
    tmp.cleanup()


if __name__ == "__main__":
    main()
