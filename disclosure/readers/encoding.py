"""Decode bytes from Chinese government sites: UTF-8, GBK/GB18030, BIG5 — declared or not."""

from __future__ import annotations

import codecs
import re

from disclosure.model import RejectedReport

_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# GB2312 and GBK are subsets of GB18030; decoding as the superset never loses characters.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs"}
_CANDIDATES = ("utf-8", "gb18030", "big5hkscs")


def _norm(name: str) -> str | None:
    try:
        codec = codecs.lookup(name.decode("ascii", "ignore") if isinstance(name, bytes) else name).name
    except LookupError:
        return None
    return _SUPERSET.get(codec, codec)


def _cjk_share(text: str) -> float:
    if not text:
        return 0.0
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return cjk / len(text)


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return _norm(m.group(1)) if m else None


def decode(data: bytes, path: str = "", declared: str | None = None) -> tuple[str, str]:
    """Return (text, note). Tries BOM, the declared charset, then UTF-8 / GB18030 / BIG5.

    A declared charset that fails to decode strictly is treated as wrong (sites often copy a
    template's meta tag); of the strict decodings the one with the most common CJK
    characters wins, because a wrong multi-byte decoding produces rare or private-use ones.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), f"encoding: BOM {enc}"
            except UnicodeDecodeError:
                break
    tried: list[str] = []
    # Strict UTF-8 first even when something else is declared: valid multi-byte UTF-8 is
    # almost never an accident, while GB18030 decodes nearly any byte string.
    order = ["utf-8"] + ([declared] if declared and declared != "utf-8" else [])
    order += [c for c in _CANDIDATES if c not in order]
    best: tuple[float, str, str] | None = None
    for enc in order:
        tried.append(enc)
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "utf-8":
            # Strict UTF-8 success on non-ASCII data is overwhelmingly reliable.
            return text, "encoding: utf-8" + ("" if not declared or declared == "utf-8" else f" (declared {declared})")
        score = _cjk_share(text)
        if best is None or score > best[0]:
            best = (score, enc, text)
        if enc == declared and score > 0.05:
            return text, f"encoding: {enc} (declared)"
    if best is not None and best[0] > 0.0:
        return best[2], f"encoding: {best[1]} (detected; tried {', '.join(tried)})"
    raise RejectedReport(
        "unreadable_encoding",
        f"bytes decode as none of {', '.join(tried)} with Chinese text; expected a UTF-8, GBK/GB18030 or BIG5 report",
        path,
    )
