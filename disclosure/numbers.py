"""Cell text → value: one strict grammar for every printed cell.

A cell is a value only when its whole text fits a known form (docs/vocabulary.md):

* digits — ASCII, full-width or 〇 — with thousands separators only where the grouping is
  valid (``3,517``, never ``35,17``); a decimal point is read, but only a money column may
  keep a fraction (tables.py decides: a decimal count is ``unparsed``);
* Chinese numerals, positional (``十二``, ``一百零五``) or digit by digit (``一〇一``);
* an optional unit (``元 / 万元 / 亿元`` for money, ``件 / 个 / 项 / 笔 …`` for counts) and a
  known annotation (``（其中…）``, ``（含…）``);
* footnote marks (①–⑳, superscript digits, ``*``, ``※``, ``注``, ``[1]``) before or after the
  number are stripped only when nothing else could be meant; the value then carries
  ``footnote`` and the raw text is kept.

Blank, dash and slash cells are blank (``None``, never 0). Text that looks like a value (digits
and no words outside brackets) but fits none of the forms is ``unparsed``: value ``None``, raw
text kept. Text with words is a label (``parse_value`` returns ``None``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from disclosure import vocabulary as v

BLANK_TEXTS = frozenset({"", "-", "—", "–", "——", "－", "/", "／", "\\", "无", "&nbsp;", "空", "——/"})

# Footnote marks, matched on the raw text BEFORE NFKC (NFKC turns ① and ² into digits).
_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①–⑳
_SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_MARK_CHARS = frozenset(_CIRCLED + _SUPERSCRIPT)
_BRACKETED = r"[\[［〔]\s*[0-9０-９]{1,2}\s*[\]］〕]"
# Before the number only marks that cannot run into its digits; after it also 注1 / superscripts.
_LEADING_MARK = re.compile(rf"^\s*(?:[{_CIRCLED}]+|[*＊※]+|{_BRACKETED}|注(?![0-9０-９]))\s*(?=[0-9０-９])")
_TRAILING_MARK = re.compile(
    rf"(?<=[0-9０-９元件个项次条笔宗起家)）])\s*(?:[{_CIRCLED}{_SUPERSCRIPT}]+|[*＊※]+|{_BRACKETED}|注\s*[0-9０-９{_CIRCLED}]*)\s*$"
)

_NUMBER = re.compile(
    r"""^(?P<sign>[+\-]?)\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*
        (?P<unit>亿元|万元|千元|元|件|个|项|次|条|笔|宗|起|家)?\s*
        (?P<note>\((?:其中|含)[^()]*\))?$""",
    re.X,
)
_IN_WORDS = re.compile(r"^([零〇一二两三四五六七八九十百千万]+)\s*(件|个|项|次|条|笔|宗|起|家)?$")
# Value-like: no CJK outside brackets other than unit and numeral characters, and a digit.
_WORDS_OUTSIDE_BRACKETS = re.compile(r"[\u4e00-\u9fff]")
_LIST_MARKER = re.compile(r"^\d{1,2}[.、]$")  # '1.' / '2、': a numbered label's head, not a value
_UNIT_CHARS = frozenset("亿万千元件个项次条笔宗起家注〇")
_DIGIT_WORDS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT_WORDS = {"十": 10, "百": 100, "千": 1000}
COUNT_UNITS = frozenset({"件", "个", "项", "次", "条", "笔", "宗", "起", "家"})
MONEY_UNITS = {"元": 1e-4, "千元": 0.1, "万元": 1, "亿元": 1e4}
"""Factor that turns an amount in the unit into 万元, the lake's money unit."""


def chinese_number(text: str) -> int:
    """'三' → 3, '十二' → 12, '一百零五' → 105, '两万三千' → 23000; digit by digit when no
    place word is printed: '一〇一' → 101, '二〇' → 20."""
    if len(text) > 1 and not any(ch in _UNIT_WORDS or ch == "万" for ch in text):
        return int("".join(str(_DIGIT_WORDS[ch]) for ch in text))
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
    footnote: bool = False  # a footnote mark was stripped (raw keeps it)
    unparsed: bool = False  # looks like a value but fits no form of the grammar
    decimal: bool = False  # printed with a fraction: a value only in a money column


def clean(text: str) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", " ", unicodedata.normalize("NFKC", text)).strip()


def _strip_marks(text: str) -> tuple[str, bool]:
    stripped = _TRAILING_MARK.sub("", _LEADING_MARK.sub("", text))
    return stripped, stripped != text


def _value_like(t: str) -> bool:
    """Digits and no words outside brackets: meant as a value, whether or not it parses."""
    outside = re.sub(r"\([^()]*\)?", "", t).strip()
    if not any(ch.isdigit() for ch in outside) or _LIST_MARKER.match(outside):
        return False
    return not any(ch not in _UNIT_CHARS for ch in _WORDS_OUTSIDE_BRACKETS.findall(outside))


@lru_cache(maxsize=65536)
def parse_value(text: str) -> CellValue | None:
    """Parse a printed cell. Returns None when the text is not a value cell at all (a label)."""
    raw = text
    if is_blank_text(text):
        return CellValue(None, raw, blank=True)
    body, footnote = _strip_marks(text)
    if _MARK_CHARS.intersection(body) and _value_like(clean(text)):
        return CellValue(None, raw, unparsed=True)  # a mark among the digits (NFKC would make it one)
    t = clean(body)
    if "〇" in t and any(ch in "0123456789" for ch in t):
        t = t.replace("〇", "0")  # 〇 printed as a digit among ASCII ones ('2〇1')
    m = _NUMBER.match(t)
    if not m:
        words = _IN_WORDS.match(t)
        # A lone numeral such as '三' may be a fragment of a label ('三、本年度…' broken over
        # lines); without a unit only 零 is taken as a value.
        if words and (words.group(2) or len(words.group(1)) > 1 or words.group(1) in "零〇"):
            return CellValue(chinese_number(words.group(1)), raw, unit=words.group(2), footnote=footnote)
        if _value_like(clean(text)):
            return CellValue(None, raw, unparsed=True)
        return None
    num = m.group("num").replace(",", "")
    value: float | int = float(num) if "." in num else int(num)
    if m.group("sign") == "-":
        value = -value
    return CellValue(value, raw, unit=m.group("unit"), annotated=bool(m.group("note")), footnote=footnote,
                     decimal="." in num)


@lru_cache(maxsize=65536)
def is_blank_text(text: str) -> bool:
    t = clean(text)
    return t in BLANK_TEXTS or t.replace(" ", "") in BLANK_TEXTS


def to_10k_yuan(cell: CellValue, context_unit: str | None = None) -> tuple[float | int | None, list[str]]:
    """Money in 万元. The cell's own unit wins, then the unit printed around it (column header,
    row label, table note: ``context_unit``); a unit other than 万元 is converted
    (``unit_converted``); with no unit printed anywhere the number is taken as 万元
    (``unit_assumed``)."""
    if cell.value is None:
        return None, []
    unit = cell.unit if cell.unit in MONEY_UNITS else context_unit
    if unit is None:
        return cell.value, ["unit_assumed"]
    if unit == "万元":
        return cell.value, []
    return round(cell.value * MONEY_UNITS[unit], 10), ["unit_converted"]


def implausible(value: float | int | None, table: str, money: bool = False) -> bool:
    """Above the thresholds of vocabulary.IMPLAUSIBLE (a misread, not a report's number)."""
    if value is None:
        return False
    limit = v.IMPLAUSIBLE_AMOUNT_10K_YUAN if money else v.IMPLAUSIBLE_COUNT[table]
    return abs(value) > limit
