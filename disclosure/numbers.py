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
_IN_WORDS = re.compile(r"^([零〇一二两三四五六七八九十百千万]+)\s*(件|个|项|次|条)?$")
_DIGIT_WORDS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT_WORDS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int:
    """'三' → 3, '十二' → 12, '一百零五' → 105, '两万三千' → 23000 (cells written in words)."""
    total, section, digit = 0, 0, 0
    for ch in text:
        if ch in _DIGIT_WORDS:
            digit = _DIGIT_WORDS[ch]
        elif ch in _UNIT_WORDS:
            section += (digit or 1) * _UNIT_WORDS[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
    return total + section + digit


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
        words = _IN_WORDS.match(t)
        # A lone numeral such as '三' may be a fragment of a label ('三、本年度…' broken over
        # lines); without a unit only 零 is taken as a value.
        if words and (words.group(2) or len(words.group(1)) > 1 or words.group(1) in "零〇"):
            return CellValue(chinese_number(words.group(1)), raw, unit=words.group(2))
        return None
    num = m.group("num").replace(",", "")
    value: float | int = float(num) if "." in num else int(num)
    if m.group("sign") == "-":
        value = -value
    return CellValue(value, raw, unit=m.group("unit"), annotated=bool(m.group("note")))


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
