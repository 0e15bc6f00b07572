"""Make scanned (image-only) versions of a few corpus and office-made PDFs: tests/fixtures/scans/.

Each source PDF is rasterised with `pdftoppm` (Debian's poppler-utils) and degraded the way a
scanner and a web site's re-encoding degrade a printed report: grey paper, a page turned by up to
1.5°, slight blur, sensor noise, JPEG at quality 60–80. The pages are written back as a PDF with
no text layer (one JPEG image per page, embedded as is by PDFium). The degradation is seeded per
file, so a rebuild makes the same files.

The golden file of a scan is its source report's golden file with only `file` changed: the scan
prints the same numbers. Run: `.venv/bin/python scripts/make_scan_fixtures.py` (needs pdftoppm).
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "scans"


@dataclass(frozen=True)
class Degradation:
    """How one scan is degraded (validated when built)."""

    dpi: int = 200
    angle: float = 0.8  # degrees, counter-clockwise
    paper: int = 232  # grey level of the paper (255: white)
    blur: float = 0.6  # Gaussian blur radius in pixels
    noise: float = 4.0  # standard deviation of the sensor noise (grey levels)
    quality: int = 70  # JPEG quality

    def __post_init__(self) -> None:
        if not 150 <= self.dpi <= 300:
            raise ValueError(f"dpi {self.dpi}: scans are made at 150–300 dpi")
        if abs(self.angle) > 1.5:
            raise ValueError(f"angle {self.angle}: at most 1.5°")
        if not 60 <= self.quality <= 80:
            raise ValueError(f"JPEG quality {self.quality}: 60–80")


@dataclass(frozen=True)
class Source:
    """One scan to make: the source PDF, its golden file, the pages to keep (None: all)."""

    name: str
    pdf: str
    golden: str
    degradation: Degradation
    pages: tuple[int, ...] | None = None


SOURCES: tuple[Source, ...] = (
    Source("huaian-gov-2024-scan.pdf", "tests/fixtures/reports/huaian-gov-2024.pdf",
           "tests/fixtures/reports/expected/huaian-gov-2024.pdf.json", Degradation(dpi=200, angle=1.2, quality=65), pages=(1, 3, 4, 5)),
    Source("xining-etdz-2022-lo-scan.pdf", "tests/fixtures/pdf/office-lo/shuyang-fgj-2023-filled-xining-etdz-2022.pdf",
           "tests/fixtures/pdf/office-lo/expected/shuyang-fgj-2023-filled-xining-etdz-2022.pdf.json",
           Degradation(dpi=150, angle=-0.9, quality=70, paper=226)),
    Source("sh-gov-office-2019-word-scan.pdf", "tests/fixtures/pdf/office-word/sh-gov-office-2019.pdf",
           "tests/fixtures/pdf/office-word/expected/sh-gov-office-2019.pdf.json",
           Degradation(dpi=200, angle=0.5, quality=60, blur=0.8), pages=(1, 2, 3)),
    Source("shuyang-fgj-2023-unruled-scan.pdf", "tests/fixtures/pdf/office-chrome-unruled/shuyang-fgj-2023.pdf",
           "tests/fixtures/pdf/office-chrome-unruled/expected/shuyang-fgj-2023.pdf.json",
           Degradation(dpi=170, angle=-1.4, quality=62, noise=6.0)),
)
"""The scans: a real corpus PDF and office-made PDFs (LibreOffice, Word, a borderless table)."""


def rasterise(pdf: Path, dpi: int) -> list[Image.Image]:
    """The pages as greyscale images, rendered by pdftoppm."""
    with tempfile.TemporaryDirectory(prefix="scan-") as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), f"{tmp}/p"], check=True)
        return [Image.open(p).convert("L") for p in sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem[2:]))]


def degrade(page: Image.Image, how: Degradation, rng: random.Random) -> bytes:
    """One page as a degraded scan: JPEG bytes."""
    grey = np.asarray(page, dtype=np.float32) * (how.paper / 255.0)
    img = Image.fromarray(grey.clip(0, 255).astype(np.uint8), "L")
    img = img.rotate(how.angle + rng.uniform(-0.1, 0.1), resample=Image.Resampling.BICUBIC, expand=False,
                     fillcolor=how.paper)
    arr = np.asarray(img, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, how.noise, arr.shape)
    img = Image.fromarray((arr + noise).clip(0, 255).astype(np.uint8), "L")
    img = img.filter(ImageFilter.GaussianBlur(how.blur))  # after the noise: the optics blur the grain too
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=how.quality, optimize=True)
    return buf.getvalue()


def image_pdf(jpegs: list[bytes], dpi: int) -> bytes:
    """A PDF of JPEG pages and nothing else (no text layer), each page sized for its dpi."""
    pdf = pdfium.PdfDocument.new()
    for data in jpegs:
        image = pdfium.PdfImage.new(pdf)
        image.load_jpeg(io.BytesIO(data), inline=True)
        w, h = Image.open(io.BytesIO(data)).size
        width, height = w * 72 / dpi, h * 72 / dpi
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page = pdf.new_page(width, height)
        page.insert_obj(image)
        page.gen_content()
        page.close()
    buf = io.BytesIO()
    pdf.save(buf)
    pdf.close()
    return buf.getvalue()


def make(source: Source) -> Path:
    rng = random.Random(int(hashlib.sha256(source.name.encode()).hexdigest()[:8], 16))
    pages = rasterise(ROOT / source.pdf, source.degradation.dpi)
    if source.pages:
        pages = [pages[i - 1] for i in source.pages]
    data = image_pdf([degrade(p, source.degradation, rng) for p in pages], source.degradation.dpi)
    out = OUT / source.name
    out.write_bytes(data)
    gold = json.loads((ROOT / source.golden).read_text(encoding="utf-8"))
    gold["file"] = source.name
    (OUT / "expected" / f"{source.name}.json").write_text(
        json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


def main() -> int:
    (OUT / "expected").mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        out = make(source)
        print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
