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
_ASCII_RUN = re.compile(r"[\x00-\x7f]+")
_SAMPLE_WINDOW = 50_000  # characters searched for the sample first
# A legacy decoding is accepted only if this share of its non-ASCII text is common Chinese.
_MIN_COMMON_SHARE = 0.6
# ... and one this common is taken at once (a wrong decoding stays far below: ~0.25-0.55).
_SURE_SHARE = 0.9
# A decoding with a few broken sequences (a truncated last character, one stray byte) counts.
_MAX_ERRORS = 3
_MAX_ERROR_SHARE = 0.10  # a GBK sentence pasted into a UTF-8 page; a wrong codec breaks most characters


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
    sample = _ASCII_RUN.sub("", text[:_SAMPLE_WINDOW])[:_SAMPLE]
    if len(sample) < _SAMPLE // 8 and len(text) > _SAMPLE_WINDOW:  # a long ASCII head
        sample = _ASCII_RUN.sub("", text)[:_SAMPLE]
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


def _decode_tolerant(data: bytes, enc: str) -> tuple[str, int] | None:
    """Decode strictly, or with a handful of broken sequences replaced by U+FFFD.

    Crawled pages often carry a truncated last character or one stray byte; a few of those
    must not cost the whole report. Returns (text, number of replaced sequences).
    """
    try:
        return data.decode(enc), 0
    except LookupError:
        return None
    except UnicodeDecodeError:
        pass
    text = data.decode(enc, "replace")
    errors = text.count("\ufffd")  # (a literal U+FFFD in the source counts too: harmless)
    if errors > max(_MAX_ERRORS, _MAX_ERROR_SHARE * len(text)):  # cheap bound first
        return None
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if errors <= max(_MAX_ERRORS, _MAX_ERROR_SHARE * non_ascii) and non_ascii > 2 * errors:
        return text, errors
    return None


def _replaced(errors: int) -> str:
    return f", {errors} undecodable byte sequence(s) replaced by U+FFFD" if errors else ""


def decode(data: bytes, path: str = "", declared: str | None = None) -> tuple[str, str]:
    """Return (text, note). Tries BOM, UTF-8, the declared charset, GB18030, BIG5.

    UTF-8 that decodes (strictly, or with a few broken sequences) wins. Of the legacy
    decodings, the declared one is taken if its text is common Chinese; otherwise the one
    with the highest common-Chinese share wins.
    """
    text, note, _ = _decode(data, path, declared)
    return text, note


def decode_to_utf8(data: bytes, path: str = "", declared: str | None = None) -> tuple[str, str, bytes]:
    """`decode`, plus the text as UTF-8 bytes (lone surrogates passed through) for a parser.

    Most pages are strict UTF-8 already: their bytes are `data` itself, not re-encoded (on a
    100 KB Chinese page encoding the text again costs as much as decoding it).
    """
    text, note, strict_utf8 = _decode(data, path, declared)
    return text, note, data if strict_utf8 else text.encode("utf-8", "surrogatepass")


def _decode(data: bytes, path: str, declared: str | None) -> tuple[str, str, bool]:
    """(text, note, whether text is exactly `data` decoded as strict UTF-8): see `decode`."""
    bom = _from_bom(data)
    if bom is not None:
        return *bom, False
    if data.startswith(codecs.BOM_UTF8):
        # A UTF-8 BOM in front of bytes that are not UTF-8 (an editor added it to a GBK file).
        data = data[len(codecs.BOM_UTF8) :]
        stripped = True
    else:
        stripped = False
    declared_note = f" (declared {declared})" if declared and declared != "utf-8" else ""
    utf8 = _decode_tolerant(data, "utf-8")
    if utf8 is not None:
        text, errors = utf8
        return text, "encoding: utf-8" + declared_note + _replaced(errors), not errors and not stripped
    order = [declared] if declared and declared not in ("utf-8", *_LEGACY) else []
    order += sorted(_LEGACY, key=lambda enc: enc != declared)
    tried = ["utf-8"]
    best: tuple[float, int, str, str] | None = None
    for enc in order:
        tried.append(enc)
        decoded = _decode_tolerant(data, enc)
        if decoded is None:
            continue
        text, errors = decoded
        share = common_share(text)
        if enc == declared and share >= _MIN_COMMON_SHARE:
            return text, f"encoding: {enc} (declared{_replaced(errors)})", False
        if share >= _SURE_SHARE and not errors:  # no other decoding can read better
            return (
                text,
                f"encoding: {enc} (detected, {share:.0%} common Chinese; declared {declared or 'none'})",
                False,
            )
        if best is None or (share, -errors) > (best[0], -best[1]):
            best = (share, errors, enc, text)
    if best is not None and best[0] >= _MIN_COMMON_SHARE:
        share, errors, enc, text = best
        return text, (
            f"encoding: {enc} (detected, {share:.0%} common Chinese; "
            f"declared {declared or 'none'}{_replaced(errors)})"
        ), False
    raise RejectedReport(
        "unreadable_encoding",
        f"bytes decode as none of {', '.join(tried)} with Chinese text"
        f"{' (declared ' + declared + ')' if declared else ''}; expected a UTF-8, GBK/GB18030 or BIG5 report",
        path,
    )
