"""Label normalisation and matching: labels vary in width, spacing, numbering and typos."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
# NFKC maps full-width brackets/digits/colons to ASCII; quotes and dashes need their own map.
_CHAR_MAP = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "〔": "[", "〕": "]", "﹙": "(", "﹚": ")", "．": ".", "，": ","})


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Comparable form of a label: NFKC, no whitespace, unified quotes and brackets."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_CHAR_MAP)


def fold_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


_TABLES: dict[int, tuple[re.Pattern[str], dict[str, str]]] = {}


def _compiled(signatures: Mapping[str, tuple[str, ...]]) -> tuple[re.Pattern[str], dict[str, str]]:
    entry = _TABLES.get(id(signatures))
    if entry is None:
        owner = {sig: key for key, sigs in signatures.items() for sig in sigs}
        # Longest first so that a signature inside another (规章 / 规范性文件) loses the tie.
        pattern = re.compile("|".join(re.escape(s) for s in sorted(owner, key=len, reverse=True)))
        entry = _TABLES[id(signatures)] = (pattern, owner)
    return entry


def last_signature(label: str, signatures: Mapping[str, tuple[str, ...]]) -> tuple[str | None, int]:
    pattern, _owner = _compiled(signatures)
    return _last_signature(label, pattern, id(signatures))


@lru_cache(maxsize=32768)
def _last_signature(label: str, pattern: re.Pattern[str], table_id: int) -> tuple[str | None, int]:
    owner = _TABLES[table_id][1]
    best: tuple[str | None, int] = (None, -1)
    # Overlapping matches matter (a short signature may end after a long one starts), so
    # search from every start position where a match can begin.
    pos = 0
    while True:
        m = pattern.search(label, pos)
        if m is None:
            break
        if m.end() >= best[1]:
            if m.end() > best[1] or best[0] is None:
                best = (owner[m.group(0)], m.end())
        pos = m.start() + 1
    return best
