"""Cell text → value. Blank, dash and slash cells are None (never 0); units become 万元."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

BLANK_TEXTS = frozenset({"", "-", "—", "–", "——", "－", "/", "／", "\\", "无", "&nbsp;", "空", "——/"})
_NUMBER = re.compile(
    r"""^(?P<sign>[+\-]?)\s*(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*
        (?P<unit>万元|元|件|个|项|次|条)?\s*
        (?P<note>[(（\[【].*)?$""",
    re.X | re.S,
)
_JOINED_DIGITS = re.compile(r"^[\d\s+\-.]+$")


@dataclass(frozen=True, slots=True)
class CellValue:
    value: float | int | None
    raw: str
    blank: bool = False
    unit: str | None = None
    annotated: bool = False


def clean(text: str) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", " ", unicodedata.normalize("NFKC", text)).strip()


@lru_cache(maxsize=65536)
def parse_value(text: str) -> CellValue | None:
    """Parse a printed cell. Returns None when the text is not a value cell at all (a label)."""
    raw = text
    t = clean(text)
    if t in BLANK_TEXTS or t.replace(" ", "") in BLANK_TEXTS:
        return CellValue(None, raw, blank=True)
    m = _NUMBER.match(t)
    if not m:
        return None
    num = m.group("num").replace(",", "")
    value: float | int = float(num) if "." in num else int(num)
    if m.group("sign") == "-":
        value = -value
    return CellValue(value, raw, unit=m.group("unit"), annotated=bool(m.group("note")))


def is_value_text(text: str) -> bool:
    return parse_value(text) is not None


@lru_cache(maxsize=65536)
def is_blank_text(text: str) -> bool:
    t = clean(text)
    return t in BLANK_TEXTS or t.replace(" ", "") in BLANK_TEXTS


def to_10k_yuan(cell: CellValue) -> tuple[float | int | None, list[str]]:
    """Money in 万元. A printed 元 is converted; with no unit the number is taken as 万元."""
    if cell.value is None:
        return None, []
    if cell.unit == "元":
        return round(cell.value / 10000, 10), ["unit_converted"]
    if cell.unit == "万元":
        return cell.value, []
    return cell.value, ["unit_assumed"]
