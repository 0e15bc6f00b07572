"""Label normalisation and matching: labels vary in width, spacing, numbering and typos."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# NFKC maps full-width brackets/digits/colons to ASCII; quotes and dashes need their own map.
_CHAR_MAP = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "〔": "[", "〕": "]", "﹙": "(", "﹚": ")", "．": ".", "，": ","})


def normalise(text: str) -> str:
    """Comparable form of a label: NFKC, no whitespace, unified quotes and brackets."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_CHAR_MAP)


def fold_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def last_signature(label: str, signatures: Mapping[str, tuple[str, ...]]) -> tuple[str | None, int]:
    """The key whose signature ends last in `label` (the label's leaf, nearest its values).

    Rows that inherit group labels (HTML rowspan, crawler text that glues the header to the
    first row) carry several signatures; the one printed last names the row.
    Returns (key, end position) or (None, -1).
    """
    best: tuple[str | None, int, int] = (None, -1, 0)
    for key, sigs in signatures.items():
        for sig in sigs:
            pos = label.rfind(sig)
            if pos < 0:
                continue
            end = pos + len(sig)
            # Ties (one signature inside another, e.g. 规范性文件 vs 规章) go to the longer one.
            if end > best[1] or (end == best[1] and len(sig) > best[2]):
                best = (key, end, len(sig))
    return best[0], best[1]


def all_signatures(label: str, signatures: Mapping[str, tuple[str, ...]]) -> set[str]:
    return {key for key, sigs in signatures.items() if any(sig in label for sig in sigs)}
