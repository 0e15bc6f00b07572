"""Decode bytes from Chinese government sites: UTF-8, GBK/GB18030, BIG5 — declared or not.

Sites often copy a template's meta tag, so a declared charset is only a hint: strict UTF-8
is tried first (valid multi-byte UTF-8 is almost never an accident), then the declared
charset, then GB18030 and BIG5. GB18030 and BIG5 decode each other's bytes without error
most of the time, so legacy decodings are compared by how much of their non-ASCII text is
*common* Chinese (GB2312 hanzi, BIG5 level-1 hanzi, CJK punctuation): a wrong multi-byte
decoding yields kana, box drawing, private-use and rare characters.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from disclosure.model import RejectedReport

_META_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([a-z0-9_\-]+)""")
# GB2312 and GBK are subsets of GB18030; decoding as the superset never loses characters.
_SUPERSET = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "hz": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
}
# Labels seen in the wild that Python's codec registry does not know.
_ALIASES = {
    "gb_2312-80": "gb2312",
    "gb_2312": "gb2312",
    "ms936": "gbk",
    "windows-936": "gbk",
    "x-big5": "big5",
}
_LEGACY = ("gb18030", "big5hkscs")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Head of a page that is searched for a meta/XML charset declaration.
_DECLARATION_WINDOW = 16384
# Non-ASCII characters scored per candidate decoding (enough to decide, cheap on big files).
_SAMPLE = 4000
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# A legacy decoding is accepted only if this share of its non-ASCII text is common Chinese.
_MIN_COMMON_SHARE = 0.6
# UTF-8 with a few broken sequences (a truncated last character, one bad byte) is still UTF-8.
_MAX_UTF8_ERRORS = 3
_MAX_UTF8_ERROR_SHARE = 0.002


def _norm(name: str | bytes) -> str | None:
    label = (name.decode("ascii", "ignore") if isinstance(name, bytes) else name).strip().lower()
    label = _ALIASES.get(label, label)
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSET.get(codec, codec)


def _decode_rows(codec: str, leads: range, trails: tuple[range, ...]) -> set[str]:
    chars: set[str] = set()
    for lead in leads:
        for trail_range in trails:
            for trail in trail_range:
                try:
                    chars.add(bytes((lead, trail)).decode(codec))
                except UnicodeDecodeError:
                    pass
    return chars


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    """GB2312 and BIG5 level-1 hanzi and punctuation (built once, a few ms).

    Level 2 is left out on purpose: UTF-8 bytes misread as GBK land mostly there.
    """
    gb = _decode_rows("gb2312", range(0xB0, 0xD8), (range(0xA1, 0xFF),))  # level 1 hanzi
    gb |= _decode_rows("gb2312", range(0xA1, 0xA2), (range(0xA1, 0xFF),))  # 、。“”《》…
    gb |= _decode_rows("gb2312", range(0xA3, 0xA4), (range(0xA1, 0xFF),))  # full-width ASCII
    big5_trails = (range(0x40, 0x7F), range(0xA1, 0xFF))
    b5 = _decode_rows("big5", range(0xA4, 0xC6), big5_trails)  # level 1 hanzi
    b5 |= _decode_rows("big5", range(0xA1, 0xA3), big5_trails)  # punctuation
    return frozenset(gb | b5 | {"\u3000", "\u00a0"})


def common_share(text: str) -> float:
    """Share of the (sampled) non-ASCII characters of `text` that are common Chinese."""
    sample = "".join(_NON_ASCII.findall(text, 0, 200_000))[:_SAMPLE]
    if not sample:
        return 0.0
    common = _common_chars()
    return sum(1 for ch in sample if ch in common) / len(sample)


def declared_charset(data: bytes) -> str | None:
    """The charset a meta tag / XML declaration in the head of `data` names, normalised."""
    head = data[:_DECLARATION_WINDOW].lower()
    for word in (b"charset", b"encoding"):
        # bytes.find is a C scan; the regex only runs where the word occurs.
        at = head.find(word)
        while at != -1:
            m = _META_CHARSET.match(head, at)
            if m:
                return _norm(m.group(1))
            at = head.find(word, at + 1)
    return None


def _from_bom(data: bytes) -> tuple[str, str] | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc).lstrip("\ufeff"), f"encoding: BOM {enc}"
            except UnicodeDecodeError:
                return None
    return None


def _nearly_utf8(data: bytes) -> tuple[str, int] | None:
    """UTF-8 text with a handful of broken sequences, and how many were replaced."""
    text = data.decode("utf-8", "replace")
    errors = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    non_ascii = sum(len(run) for run in _NON_ASCII.findall(text))
    if 0 < errors <= max(_MAX_UTF8_ERRORS, _MAX_UTF8_ERROR_SHARE * non_ascii) and non_ascii > 2 * errors:
        return text, errors
    return None


def decode(data: bytes, path: str = "", declared: str | None = None) -> tuple[str, str]:
    """Return (text, note). Tries BOM, UTF-8 (strict, then with a few broken sequences),
    the declared charset, GB18030, BIG5.

    Of the legacy decodings that succeed strictly, the declared one is taken if its text is
    common Chinese; otherwise the one with the highest common-Chinese share wins.
    """
    bom = _from_bom(data)
    if bom is not None:
        return bom
    declared_note = f" (declared {declared})" if declared and declared != "utf-8" else ""
    try:
        return data.decode("utf-8"), "encoding: utf-8" + declared_note
    except UnicodeDecodeError:
        pass
    nearly = _nearly_utf8(data)
    if nearly is not None:
        text, errors = nearly
        return (
            text,
            f"encoding: utf-8 with {errors} undecodable byte sequence(s) replaced by U+FFFD" + declared_note,
        )
    order = [declared] if declared and declared not in ("utf-8", *_LEGACY) else []
    order += sorted(_LEGACY, key=lambda enc: enc != declared)
    tried = ["utf-8"]
    best: tuple[float, str, str] | None = None
    for enc in order:
        tried.append(enc)
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        share = common_share(text)
        if enc == declared and share >= _MIN_COMMON_SHARE:
            return text, f"encoding: {enc} (declared)"
        if best is None or share > best[0]:
            best = (share, enc, text)
    if best is not None and best[0] >= _MIN_COMMON_SHARE:
        share, enc, text = best
        return text, f"encoding: {enc} (detected, {share:.0%} common Chinese; declared {declared or 'none'})"
    raise RejectedReport(
        "unreadable_encoding",
        f"bytes decode as none of {', '.join(tried)} with Chinese text"
        f"{' (declared ' + declared + ')' if declared else ''}; expected a UTF-8, GBK/GB18030 or BIG5 report",
        path,
    )
