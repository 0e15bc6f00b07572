"""Agency, year and title of a report, each with the source it came from and a confidence."""

from __future__ import annotations

import re
from dataclasses import dataclass

from disclosure.labels import fold_space, normalise
from disclosure.model import Document

# Place names that OCR and conversions get wrong; the canonical spelling is recorded.
KNOWN_NAME_TYPOS: dict[str, str] = {"沐阳县": "沭阳县"}

_TITLE_WORDS = re.compile(r"政府信息公开(?:工作)?年度报告|信息公开(?:工作)?年度报告|年度报告")
_YEAR_IN_TITLE = re.compile(r"(?<!\d)(\d{4})\s*年\s*度?")
_PERIOD = re.compile(r"统计期限[^。]{0,30}?(\d{4})\s*年\s*1\s*月\s*1\s*日")
_GUIDE = re.compile(r"《([^《》]{2,40}?)政府信息公开指南》")
_BODY_YEAR = re.compile(r"(20[12]\d)\s*年")
_BODY_BODY = re.compile(r"本报告由([^《》，。]{2,40}?)(?:办公室|办公厅)?根据")
_COMPILED_BY = re.compile(r"本报告由((?:(?!根据)[^《》，。]){2,40}?)(?:负责)?编制")
_PUBLISHER_LINE = re.compile(r"(?:发布机构|发布单位|发文机关)[:：]\s*([^\s:：，。|]{2,40})")
_PUBLISHES = re.compile(r"(?:现向社会公布|现予公布|特发布|公布)([^《》，。、]{2,40}?)\d{4}年度?政府信息公开")


@dataclass(frozen=True)
class Identity:
    agency: str | None
    agency_source: str
    agency_confidence: float
    year: int | None
    year_source: str
    year_confidence: float
    title: str | None


def find_title(doc: Document) -> str | None:
    if doc.title and _TITLE_WORDS.search(normalise(doc.title)):
        return fold_space(doc.title)
    # Printed titles span the first few lines ('洪泽区人民政府' / '2023 年政府信息公开工作年度报告').
    head: list[str] = []
    for line in doc.lines[:8]:
        text = line.text.strip().lstrip("#").strip()
        if not text or text in ("正文",):
            continue
        if re.search(r"[。，,；;]", text):
            break  # a sentence of the body, not a title
        head.append(text)
        joined = "".join(head)
        if _TITLE_WORDS.search(normalise(joined)) and len(normalise(joined)) <= 80:
            # The shortest run of lines ending here that names a year and a body is the
            # title; lines further up may be page furniture ('栏目导航').
            spans = [head[k:] for k in range(len(head) - 1, max(-1, len(head) - 4), -1)]
            for span in spans:
                t = fold_space(" ".join(span))
                if _YEAR_IN_TITLE.search(normalise(t)) and agency_from_title(t):
                    return t
            for span in spans:
                t = fold_space(" ".join(span))
                if _YEAR_IN_TITLE.search(normalise(t)):
                    return t
            return fold_space(head[-1])
        if len(head) >= 4 or len(text) > 60:
            break
    return doc.title


def agency_from_title(title: str) -> str | None:
    t = normalise(title).lstrip("#")
    m = _TITLE_WORDS.search(t)
    if not m:
        return None
    before = t[: m.start()]
    ym = _YEAR_IN_TITLE.search(before)
    if ym:
        candidate = before[: ym.start()] or before[ym.end() :]
    else:
        candidate = before
    candidate = candidate.strip("：:（）()《》 ")
    candidate = re.sub(r"^关于", "", candidate)
    if len(candidate) < 2:
        return None
    return fix_typos(candidate)


def fix_typos(name: str) -> str:
    for wrong, right in KNOWN_NAME_TYPOS.items():
        name = name.replace(wrong, right)
    return name


def _publisher(doc: Document, body: str) -> str | None:
    for key in ("发布机构", "发布单位", "发文机关"):
        if doc.meta.get(key, "").strip():
            return doc.meta[key].strip()
    m = _PUBLISHER_LINE.search(body[:5000])
    return m.group(1) if m else None


def identify(doc: Document, body: str, *, agency: str | None = None, year: int | None = None) -> Identity:
    title = find_title(doc)
    # Body patterns need no width folding beyond spaces (full-width brackets are matched as printed).
    norm_body = "".join(body[:20000].split())
    # Agency: caller > title > 发布机构 > a body sentence naming the body.
    if agency:
        a, a_src, a_conf = agency, "caller", 1.0
    else:
        a, a_src, a_conf = None, "none", 0.0
        if title and (t := agency_from_title(title)):
            a, a_src, a_conf = t, "title", 0.95
        elif publisher := _publisher(doc, body):
            a, a_src, a_conf = fix_typos(publisher), "publisher", 0.7
        elif m := _COMPILED_BY.search(norm_body):
            a, a_src, a_conf = fix_typos(m.group(1)), "body", 0.6
        elif m := _GUIDE.search(norm_body):
            a, a_src, a_conf = fix_typos(m.group(1)), "body", 0.6
        elif m := _PUBLISHES.search(norm_body):
            a, a_src, a_conf = fix_typos(m.group(1)), "body", 0.6
        elif m := _BODY_BODY.search(norm_body):
            a, a_src, a_conf = fix_typos(m.group(1)), "body", 0.5
    # Year: caller > title > 统计期限 > first YYYY年 of the body.
    if year:
        y, y_src, y_conf = year, "caller", 1.0
    else:
        y, y_src, y_conf = None, "none", 0.0
        tm = _YEAR_IN_TITLE.search(normalise(title)) if title else None
        if tm:
            y, y_src, y_conf = int(tm.group(1)), "title", 0.95
        elif m := _PERIOD.search(norm_body):
            y, y_src, y_conf = int(m.group(1)), "period", 0.9
        elif m := _BODY_YEAR.search(norm_body):
            y, y_src, y_conf = int(m.group(1)), "body", 0.4
    return Identity(a, a_src, a_conf, y, y_src, y_conf, title)


def identify_file(data: bytes, path: str = "") -> Identity:
    """Agency and year of a raw file without extracting its tables (the inbox sensor's question).

    Raises RejectedReport when no reader can read the file.
    """
    from disclosure.readers import read

    doc = read(data, path)
    return identify(doc, "\n".join(line.text for line in doc.lines))
