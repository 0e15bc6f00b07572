"""OCR of page images: words with boxes and confidences, ruling lines, deskew, a result cache.

Engine: RapidOCR (PP-OCRv6 small detection and recognition models in ONNX, run by onnxruntime;
Apache-2.0). The `rapidocr` wheel carries its models inside the package, so nothing is fetched at
run time; it installs from PyPI alone (no apt package). Chosen by measurement against Debian's
tesseract-ocr + tesseract-ocr-chi-sim on rasterised corpus pages, see bench/bench_ocr.py: it
reads more table cells exactly and is faster per page on this machine. `TesseractEngine` is kept
for that comparison only.

A page is read as: greyscale image -> deskew (the angle whose horizontal projection is
sharpest) -> ruling lines (long thin dark runs, found by morphology) -> text boxes, each with its
characters' boxes and confidences -> for a box holding a doubtful digit, the engine's readings of
that box on re-rendered crops, as alternatives. Results are cached by the page image's content
hash, the engine and the settings, so a re-run never reads the same page twice.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import subprocess
import tempfile
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

CACHE_ENV = "DISCLOSURE_OCR_CACHE"
"""Environment variable naming the OCR cache folder (default: ~/.cache/disclosure-lake/ocr)."""
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """How pages are read; validated when built."""

    dpi: int = 200  # rendering resolution of PDF pages (an image file keeps its own pixels)
    min_digit_confidence: float = 0.90  # a digit read below this is doubtful: its cell is `ambiguous`
    max_skew: float = 2.0  # degrees searched for deskew, either way
    skew_step: float = 0.1  # degrees
    threads: int = 1  # onnxruntime threads per process (parallelise by processes instead)
    timeout_s: float = 600.0  # per file: a scan taking longer is rejected, not half-read
    cache_dir: str | None = None  # None: $DISCLOSURE_OCR_CACHE or ~/.cache/disclosure-lake/ocr

    def __post_init__(self) -> None:
        if not 100 <= self.dpi <= 400:
            raise ValueError(f"dpi {self.dpi}: OCR needs 100–400 dpi")
        if not 0.0 < self.min_digit_confidence <= 1.0:
            raise ValueError(f"min_digit_confidence {self.min_digit_confidence}: in (0, 1]")
        if self.max_skew <= 0 or self.skew_step <= 0:
            raise ValueError("max_skew and skew_step must be positive")
        if self.threads < 1 or self.timeout_s <= 0:
            raise ValueError("threads must be >= 1 and timeout_s > 0")

    def key(self) -> str:
        """What in these settings changes a page's reading (the cache key's part)."""
        return f"skew{self.max_skew}/{self.skew_step};conf{self.min_digit_confidence};missed1"


@dataclass(slots=True)
class OcrChar:
    """One recognised character: its horizontal extent (pixels) and confidence."""

    ch: str
    x0: float
    x1: float
    conf: float


@dataclass(slots=True)
class OcrWord:
    """One text box the engine found: its text, box (pixels, y down), characters, and for a box
    holding a doubtful digit the other readings the engine gave of it."""

    text: str
    conf: float
    x0: float
    y0: float
    x1: float
    y1: float
    chars: list[OcrChar]
    alternatives: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OcrPage:
    """One page read: size (pixels, after deskew), the deskew angle, words and ruling lines."""

    width: int
    height: int
    angle: float
    words: list[OcrWord]
    vrules: list[tuple[float, float, float]]  # (x, y0, y1) pixels, y down
    hrules: list[tuple[float, float, float]]  # (y, x0, x1)
    engine: str = ""
    cached: bool = False

    def to_json(self) -> str:
        """The engine's reading (the rules are found again from the image: cheap, and a better
        rule finder then needs no new cache)."""
        d = asdict(self)
        d.pop("cached")
        d["vrules"], d["hrules"] = [], []
        return json.dumps(d, ensure_ascii=False)

    @staticmethod
    def from_json(text: str) -> OcrPage:
        d = json.loads(text)
        words = [OcrWord(**{**w, "chars": [OcrChar(**c) for c in w["chars"]]}) for w in d.pop("words")]
        return OcrPage(words=words, vrules=[tuple(r) for r in d.pop("vrules")],
                       hrules=[tuple(r) for r in d.pop("hrules")], cached=True, **d)


class Engine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> list[OcrWord]:
        """Text boxes of a greyscale page image."""

    def reread(self, crop: np.ndarray) -> tuple[str, float]:
        """The reading of one cropped text box (no detection)."""


# --------------------------------------------------------------------------- engines


class RapidOcrEngine:
    """RapidOCR with its bundled PP-OCRv6 models (one instance per process, loaded lazily)."""

    def __init__(self, threads: int = 1) -> None:
        from rapidocr import RapidOCR

        self.name = default_engine_name()
        self._ocr = RapidOCR(params={
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
        self._lock = threading.Lock()

    def read(self, image: np.ndarray) -> list[OcrWord]:
        rgb = np.repeat(image[:, :, None], 3, axis=2) if image.ndim == 2 else image
        with self._lock:
            # rapidocr keeps call options for the next call: state every one each time. No
            # direction classifier: a scanned page is upright once deskewed.
            out = self._ocr(rgb, use_det=True, use_cls=False, use_rec=True, return_word_box=True)
        if getattr(out, "boxes", None) is None:  # nothing detected (rapidocr then answers a bare result)
            return []
        words = []
        for box, text, score, chars in zip(out.boxes, out.txts, out.scores, out.word_results or [None] * len(out.txts),
                                           strict=True):
            xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
            words.append(OcrWord(text, float(score), min(xs), min(ys), max(xs), max(ys),
                                 _chars(text, float(score), min(xs), max(xs), chars)))
        return words

    def reread(self, crop: np.ndarray) -> tuple[str, float]:
        rgb = np.repeat(crop[:, :, None], 3, axis=2) if crop.ndim == 2 else crop
        with self._lock:
            out = self._ocr(rgb, use_det=False, use_cls=False, use_rec=True, return_word_box=False)
        if not out.txts:
            return "", 0.0
        return str(out.txts[0]), float(out.scores[0])


def _chars(text: str, score: float, x0: float, x1: float, found) -> list[OcrChar]:
    """Characters of one box: the engine's own character boxes and confidences when it gave one
    per character, else the box cut evenly (each character with the box's confidence)."""
    got = [c for c in (found or ()) if c and c[0]]
    if got and "".join(c[0] for c in got) == text.replace(" ", ""):
        out = []
        for ch, conf, quad in got:
            qx = [float(p[0]) for p in quad]
            for k, sub in enumerate(ch):  # a multi-character "word" (a digit run): cut evenly
                w = (max(qx) - min(qx)) / len(ch)
                out.append(OcrChar(sub, min(qx) + k * w, min(qx) + (k + 1) * w, float(conf)))
        return out
    chars = [c for c in text if not c.isspace()]
    w = (x1 - x0) / max(len(text), 1)
    out, k = [], 0
    for ch in text:
        if not ch.isspace():
            out.append(OcrChar(ch, x0 + k * w, x0 + (k + 1) * w, score))
        k += 1
    return out if chars else []


class TesseractEngine:
    """Debian's tesseract-ocr with chi_sim, through its command line (bench/bench_ocr.py only)."""

    def __init__(self, lang: str = "chi_sim", psm: int = 11) -> None:
        version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=True)
        self.name = f"tesseract-{version.stdout.split()[1]}-{lang}-psm{psm}"
        self.lang, self.psm = lang, psm

    def _tsv(self, image: np.ndarray, psm: int) -> list[list[str]]:
        from PIL import Image

        with tempfile.TemporaryDirectory(prefix="tess-") as tmp:
            Image.fromarray(image).save(f"{tmp}/p.png")
            res = subprocess.run(["tesseract", f"{tmp}/p.png", "stdout", "-l", self.lang, "--psm", str(psm), "tsv"],
                                 capture_output=True, text=True, check=True)
        return [line.split("\t") for line in res.stdout.splitlines()[1:] if line.count("\t") >= 11]

    def read(self, image: np.ndarray) -> list[OcrWord]:
        words = []
        for f in self._tsv(image, self.psm):
            text = f[11].strip()
            if not text or float(f[10]) < 0:
                continue
            x, y, w, h, conf = int(f[6]), int(f[7]), int(f[8]), int(f[9]), float(f[10]) / 100
            words.append(OcrWord(text, conf, x, y, x + w, y + h, _chars(text, conf, x, x + w, None)))
        return _join_tesseract_words(words)

    def reread(self, crop: np.ndarray) -> tuple[str, float]:
        got = [f for f in self._tsv(crop, 7) if f[11].strip() and float(f[10]) >= 0]
        if not got:
            return "", 0.0
        return "".join(f[11].strip() for f in got), min(float(f[10]) for f in got) / 100


def _join_tesseract_words(words: list[OcrWord]) -> list[OcrWord]:
    """tesseract reads Chinese one character per word: join touching words on one line into a
    box, as a detection engine gives them (a gap over half the text height parts two boxes)."""
    words = sorted(words, key=lambda w: ((w.y0 + w.y1) / 2, w.x0))
    out: list[OcrWord] = []
    for w in words:
        last = out[-1] if out else None
        h = w.y1 - w.y0
        if last and abs((last.y0 + last.y1) / 2 - (w.y0 + w.y1) / 2) < 0.5 * h and 0 <= w.x0 - last.x1 < 0.5 * h:
            last.text += w.text
            last.chars.extend(w.chars)
            last.conf = min(last.conf, w.conf)
            last.x1, last.y0, last.y1 = w.x1, min(last.y0, w.y0), max(last.y1, w.y1)
        else:
            out.append(w)
    return out


_ENGINES: dict[tuple[str, int], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def default_engine_name() -> str:
    """The default engine's name (its part of the cache key) without loading its models."""
    from rapidocr._version import __version__

    return f"rapidocr-{__version__}"


def default_engine(threads: int = 1) -> Engine:
    """The process's RapidOCR engine (models load once per process)."""
    with _ENGINES_LOCK:
        key = ("rapidocr", threads)
        if key not in _ENGINES:
            _ENGINES[key] = RapidOcrEngine(threads)
        return _ENGINES[key]


# --------------------------------------------------------------------------- image geometry

SKEW_WIDTH = 1000  # pixels: deskew measures on the page scaled to this width
RULE_SHARE = 0.04  # a ruling line is a dark run at least this share of the page width (or height)
RULE_MAX_THICKNESS = 8  # pixels at 200 dpi: thicker dark runs are pictures, not rules


def _dark(image: np.ndarray) -> np.ndarray:
    """Ink as 1, paper as 0: Otsu's threshold (grey paper and noise shift no fixed level)."""
    import cv2

    _, ink = cv2.threshold(image, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def skew_angle(image: np.ndarray, settings: OcrSettings) -> float:
    """The page's skew in degrees (counter-clockwise positive): the rotation that makes the rows
    of ink sharpest (text lines and table rules are horizontal on a straight page)."""
    import cv2

    scale = SKEW_WIDTH / image.shape[1]
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
    ink = _dark(small).astype(np.float32)
    h, w = ink.shape
    best, best_score = 0.0, -1.0
    n = round(settings.max_skew / settings.skew_step)
    for k in range(-n, n + 1):
        angle = k * settings.skew_step
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rows = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST).sum(axis=1)
        score = float(np.square(np.diff(rows)).sum())
        if score > best_score:
            best, best_score = angle, score
    return best


def rotate(image: np.ndarray, angle: float) -> np.ndarray:
    """The page turned by `angle` degrees about its centre, the corners filled with its paper."""
    import cv2

    if not angle:
        return image
    h, w = image.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    paper = int(np.percentile(image, 90))
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=paper)


def ruling_lines(image: np.ndarray, words: list[OcrWord] = ()) -> tuple[list[tuple[float, float, float]],
                                                                      list[tuple[float, float, float]]]:
    """Vertical (x, y0, y1) and horizontal (y, x0, x1) table rules of a deskewed page: runs of
    ink longer than RULE_SHARE of the page and thin, kept by a morphological opening with a
    line-shaped kernel. The inside of every text box the engine found is blanked first, so that
    strokes of characters side by side never join into a rule."""
    import cv2

    ink = _dark(image)
    h, w = ink.shape
    for word in words:
        inset = 0.2 * (word.y1 - word.y0)
        ink[int(word.y0 + inset) : int(np.ceil(word.y1 - inset)), int(word.x0 + inset) : max(int(word.x1 - inset), 0)] = 0
    out_v: list[tuple[float, float, float]] = []
    out_h: list[tuple[float, float, float]] = []
    for vertical in (True, False):
        length = max(int(RULE_SHARE * (h if vertical else w)), 15)
        # first close the pinholes that noise and JPEG leave along a rule: a rule broken into
        # runs shorter than the kernel would vanish in the opening
        along = cv2.getStructuringElement(cv2.MORPH_RECT, (1, 7) if vertical else (7, 1))
        closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, along)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (1, length) if vertical else (length, 1))
        lines = cv2.morphologyEx(closed, cv2.MORPH_OPEN, kernel)
        # bridge breaks left by noise and JPEG blocks along a rule
        lines = cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5) if vertical else (5, 1)))
        n, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for i in range(1, n):
            x, y, bw, bh, _area = stats[i]
            thick = bw if vertical else bh
            if thick > RULE_MAX_THICKNESS * image.shape[1] / 1654:
                continue
            if vertical:
                out_v.append((x + bw / 2, float(y), float(y + bh)))
            else:
                out_h.append((y + bh / 2, float(x), float(x + bw)))
    return out_v, out_h


INK_SPECK = 2
"""pixels: ink is what survives an opening by a square this wide (a speck of noise or a JPEG
ringing pixel is no stroke; the thinnest stroke at 150–300 dpi, 一's, is wider)."""


def _opened(ink: np.ndarray) -> np.ndarray:
    """Ink without specks: an opening by an INK_SPECK square, its erosion and dilation anchored at
    opposite corners (OpenCV's own opening by an even square moves the ink by a pixel)."""
    import cv2

    square = np.ones((INK_SPECK, INK_SPECK), np.uint8)
    last = INK_SPECK - 1
    return cv2.dilate(cv2.erode(ink, square, anchor=(0, 0)), square, anchor=(last, last))


def ink_columns(image: np.ndarray, word: OcrWord, others: Sequence[OcrWord] = ()) -> np.ndarray:
    """Which pixel columns of one text box hold ink (bool per column, x0 .. x1), leaving out
    where other boxes overlap it (a value the detector boxed apart, reaching into a label's box)."""

    x0, x1 = max(0, int(word.x0)), min(image.shape[1], int(np.ceil(word.x1)))
    y0, y1 = max(0, int(word.y0)), min(image.shape[0], int(np.ceil(word.y1)))
    if x1 <= x0 or y1 <= y0:
        return np.zeros(0, dtype=bool)
    ink = _opened(_dark(image[y0:y1, x0:x1]))
    for o in others:
        if o is not word and o.x0 < x1 and o.x1 > x0 and o.y0 < y1 and o.y1 > y0:
            ink[max(int(o.y0) - y0, 0) : max(int(np.ceil(o.y1)) - y0, 0), max(int(o.x0) - x0, 0) : max(int(np.ceil(o.x1)) - x0, 0)] = 0
    return ink.sum(axis=0) >= INK_SPECK


def fit_chars_to_ink(image: np.ndarray, word: OcrWord, others: Sequence[OcrWord] = ()) -> None:
    """Shrink each character's box to the ink it covers on the page.

    The engine places a character at the centre of its recognition step and gives every
    character of a box the same average width, so the characters of one detected box touch
    even where the print leaves a column's width of paper between them (two header cells the
    detector joined into one box: "社会公法律服" is 社会公益组织 and 法律服务机构 side by side).
    The page itself shows the gap: a character's extent is the ink within its share of the box
    (from half-way to the previous character's centre to half-way to the next). The cells are
    never widened, so a gap only appears where the paper is blank."""
    if len(word.chars) < 2:
        return
    ink = ink_columns(image, word, others)
    if not ink.any():
        return
    units = _units(word.chars)
    centres = [(u[0].x0 + u[-1].x1) / 2 for u in units]
    if any(b < a for a, b in itertools.pairwise(centres)):
        return  # not left to right: leave the engine's boxes
    base = max(0, int(word.x0))
    bounds = [word.x0, *((a + b) / 2 for a, b in itertools.pairwise(centres)), word.x1]
    for unit, lo, hi in zip(units, bounds, bounds[1:], strict=False):
        a, b = max(int(lo) - base, 0), min(int(np.ceil(hi)) - base, len(ink))
        cols = np.flatnonzero(ink[a:b])
        if cols.size:
            x0, w = float(base + a + cols[0]), float(cols[-1] + 1 - cols[0]) / len(unit)
            for k, c in enumerate(unit):
                c.x0, c.x1 = x0 + k * w, x0 + (k + 1) * w


def _units(chars: list[OcrChar]) -> list[list[OcrChar]]:
    """A box's characters as the units fitted to the ink: each CJK character alone, a run of
    other characters (the digits of a number, "12.5%") together, so that a narrow "1" keeps
    touching its neighbours and a number is never parted."""
    units: list[list[OcrChar]] = []
    for c in chars:
        if units and not _wide(c.ch) and not _wide(units[-1][-1].ch):
            units[-1].append(c)
        else:
            units.append([c])
    return units


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"  # as the PDF reader tells CJK from the rest


# --------------------------------------------------------------------------- cache


class OcrCache:
    """Page readings on disk, one JSON file per (image content, engine, settings) hash.

    Writes are atomic (temporary file, then rename), so concurrent processes never see half a
    file; a damaged entry is read again rather than trusted."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root or os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "disclosure-lake" / "ocr")

    @staticmethod
    def key(image: np.ndarray, engine: str, settings: OcrSettings) -> str:
        h = hashlib.sha256()
        h.update(f"{engine}|{settings.key()}|{image.shape}".encode())
        h.update(np.ascontiguousarray(image).tobytes())
        return h.hexdigest()

    def get(self, key: str) -> OcrPage | None:
        path = self.root / key[:2] / f"{key}.json"
        try:
            return OcrPage.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def put(self, key: str, page: OcrPage) -> None:
        folder = self.root / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page.to_json())
        os.replace(tmp, folder / f"{key}.json")


# --------------------------------------------------------------------------- one page


def doubtful(word: OcrWord, settings: OcrSettings) -> bool:
    """Does the box hold a digit read below the confidence threshold?"""
    return any(c.ch.isdigit() and c.conf < settings.min_digit_confidence for c in word.chars)


def alternatives(image: np.ndarray, word: OcrWord, engine: Engine) -> list[str]:
    """Other readings of one box by the engine: the crop enlarged, and binarised (Otsu)."""
    import cv2

    pad = max(2, int(0.15 * (word.y1 - word.y0)))
    y0, y1 = max(0, int(word.y0) - pad), min(image.shape[0], int(word.y1) + pad)
    x0, x1 = max(0, int(word.x0) - pad), min(image.shape[1], int(word.x1) + pad)
    crop = image[y0:y1, x0:x1]
    if crop.size == 0:
        return []
    big = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    binary = (1 - _dark(crop)) * 255
    seen = []
    for variant in (big, binary.astype(np.uint8)):
        text, _conf = engine.reread(variant)
        text = text.replace(" ", "")
        if text and text != word.text.replace(" ", "") and text not in seen:
            seen.append(text)
    return seen


MISSED_HEIGHT = (0.3, 1.2)
"""A patch of ink no text box covers is read again when it is this high, as shares of the page's
median text-box height (a digit's ink is about half its box; specks and whole pictures are not)."""
MISSED_MAX_WIDTH = 6.0
"""... and at most this many box heights wide (a number, not a line of text)."""
MISSED_MIN_ASPECT = 0.25
"""... and at least this share of its height wide: the narrowest digit, 1, is about a third as
wide as high with its flag or foot; a rule's stub is a bar a tenth as wide."""
_NUMBER_READ = re.compile(r"^\d[\d,.]*%?$")


def missed_numbers(image: np.ndarray, words: list[OcrWord], engine: Engine) -> list[OcrWord]:
    """Numbers the detector passed over: patches of ink outside every text box and off the
    ruling lines, each read by the engine on its own (recognition only). Only a reading that is
    a number is kept: a lone "0" in a borderless table's column is what detection misses on a
    scan, and a missed one would be a blank the page does not show."""
    import cv2

    if not words:
        return []
    height = float(np.median([w.y1 - w.y0 for w in words]))
    ink = _opened(_dark(image))
    for w in words:
        ink[max(int(w.y0) - 2, 0) : int(np.ceil(w.y1)) + 2, max(int(w.x0) - 2, 0) : int(np.ceil(w.x1)) + 2] = 0
    vrules, hrules = ruling_lines(image, words)
    margin = RULE_MAX_THICKNESS * image.shape[1] / 1654
    for x, y0, y1 in vrules:
        ink[int(y0) : int(np.ceil(y1)) + 1, max(int(x - margin), 0) : int(x + margin) + 1] = 0
    for y, x0, x1 in hrules:
        ink[max(int(y - margin), 0) : int(y + margin) + 1, int(x0) : int(np.ceil(x1)) + 1] = 0
    # the digits of one number are a patch: join them across their spacing
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (max(int(0.3 * height), 3), 3)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    found = []
    for i in range(1, n):
        x, y, bw, bh, _area = (int(v) for v in stats[i])
        cols = np.flatnonzero(ink[y : y + bh, x : x + bw].any(axis=0))
        if not cols.size:
            continue
        x, bw = x + int(cols[0]), int(cols[-1] - cols[0] + 1)  # the ink's own extent, undilated
        if not MISSED_HEIGHT[0] * height <= bh <= MISSED_HEIGHT[1] * height or bw > MISSED_MAX_WIDTH * height:
            continue
        if bw < MISSED_MIN_ASPECT * bh:
            continue  # a bar: the stub of a rule too short to be found as one (a header cell's side)
        pad = max(2, int(0.25 * height))
        y0, y1 = max(0, y - pad), min(image.shape[0], y + bh + pad)
        x0, x1 = max(0, x - pad), min(image.shape[1], x + bw + pad)
        text, conf = engine.reread(image[y0:y1, x0:x1])
        text = text.replace(" ", "")
        if not _NUMBER_READ.match(text):
            continue
        # the box as the detector draws one: the ink padded to a text box's height
        cy = y + bh / 2
        box = (float(x), cy - height / 2, float(x + bw), cy + height / 2)
        found.append(OcrWord(text, conf, *box, chars=_chars(text, conf, box[0], box[2], None)))
    return found


def read_page(image: np.ndarray, settings: OcrSettings, engine: Engine | None = None,
              cache: OcrCache | None = None) -> OcrPage:
    """One greyscale page image read: deskewed, its words, rules and doubtful digits' alternatives."""
    cache = cache or OcrCache(settings.cache_dir)
    key = OcrCache.key(image, engine.name if engine is not None else default_engine_name(), settings)
    hit = cache.get(key)
    if hit is not None:  # the engine's reading is cached; the (cheap) geometry is redone
        straight = rotate(image, hit.angle)
        _page_geometry(straight, hit)
        return hit
    engine = engine or default_engine(settings.threads)  # models load only when a page is read
    angle = skew_angle(image, settings)
    straight = rotate(image, angle)
    words = engine.read(straight)
    words += missed_numbers(straight, words, engine)
    for word in words:
        if doubtful(word, settings) and _DIGIT.search(word.text):
            word.alternatives = alternatives(straight, word, engine)
    page = OcrPage(straight.shape[1], straight.shape[0], angle, words, [], [], engine.name)
    cache.put(key, page)
    _page_geometry(straight, page)
    return page


def _page_geometry(straight: np.ndarray, page: OcrPage) -> None:
    """What is measured on the deskewed image rather than read by the engine (never cached):
    the characters' extents on the ink, and the ruling lines."""
    for word in page.words:
        fit_chars_to_ink(straight, word, page.words)
    page.vrules, page.hrules = ruling_lines(straight, page.words)
