"""Identity evidence a document prints about itself: its heading and its closing signature.

Format-free helpers for the PDF and DOCX readers. They only collect text as printed; which
agency and year it names is decided by the identity logic (disclosure/identify.py), which
weighs these against the other sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

DATE = re.compile(
    r"^\s*(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月"
    r"\s*([\d一二三四五六七八九十]{1,3})\s*日\s*$"
)
"""A closing date line: "2025年1月20日" or "二〇二五年一月二十日", nothing else on the line."""

SIGNATURE_MAX = 40
"""A signing body's name is short; a longer closing line is prose."""

CLOSING_WINDOW = 8
"""How many of the last non-empty lines are searched for the date."""

_SENTENCE = re.compile(r"[。；;，,：:]")


def closing_signature(texts: Sequence[str]) -> dict[str, str]:
    """{"date": ..., "signature": ...} from the last lines: a date line and the short line
    above it that is not a sentence (the signing body), when the document ends that way."""
    lines = [t.strip() for t in texts if t.strip() and t.strip() != "\f"]
    out: dict[str, str] = {}
    tail = lines[-CLOSING_WINDOW:]
    for i in range(len(tail) - 1, -1, -1):
        if DATE.match(tail[i]):
            out["date"] = re.sub(r"\s+", "", tail[i])
            above = tail[i - 1] if i > 0 else ""
            if above and len(above) <= SIGNATURE_MAX and not _SENTENCE.search(above) and not DATE.match(above):
                out["signature"] = re.sub(r"\s+", "", above)
            break
    return out


def heading_of(texts: Sequence[str], limit: int = 3) -> str:
    """The title printed first: the leading lines up to the one naming the report (年度报告),
    joined (a title wraps over two or three lines); empty when the first lines name none or
    what they name is a sentence of the body (is_heading)."""
    lines = [t.strip() for t in texts[: limit + 2] if t.strip() and t.strip() != "\f"][:limit]
    joined = ""
    for line in lines:
        joined += re.sub(r"\s+", "", line)
        if "报告" in line:
            return joined if is_heading(joined) else ""
    return ""


_BODY_SENTENCE = re.compile(r"[。，,；;：:]")


def is_heading(text: str) -> bool:
    """Could this be a report's title? It names a report and holds no sentence punctuation (the
    opening sentence '现向社会公布…年度报告。' names the report too, but is the body)."""
    return "报告" in text and not _BODY_SENTENCE.search(text)
