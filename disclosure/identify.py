"""Agency and year of a report, decided from agreeing evidence.

Every place a report states its identity gives a `Candidate` (value, source, weight, the text
it was read from): the title, the 统计期限 sentence, the 发布机构 / 来源 line, the signature and
its date at the end, body sentences (《…政府信息公开指南》, 本报告由…编制, 以下简称本机关), the
file name, the PDF/DOCX metadata and the caller (manifest). Page chrome (今天是…, 当前日期,
breadcrumbs, browser print headers) is recognised and never becomes a candidate; a publication
or signature date early in year Y+1 supports report year Y.

The decision is by agreement: candidates for the same value (for agencies: the same body,
e.g. with or without the parent division) support each other, the others oppose it:

    support    = 1 - Π(1 - w)  over the sources that agree with the value
    opposition = 1 - Π(1 - w)  over the sources that name another value
    confidence = support × (1 - opposition)

The value with the highest confidence wins; below `DECIDE_THRESHOLD` no value is given (null,
never a guess). A caller value (manifest, partition) always wins; a disagreement with the
report's own evidence is recorded as an `identity_conflict`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath

from disclosure.labels import fold_space, normalise
from disclosure.model import Document
from disclosure.readers.docmeta import is_heading

KNOWN_NAME_TYPOS: dict[str, str] = {"沐阳县": "沭阳县"}
"""Place names that OCR and conversions get wrong; the canonical spelling is recorded."""

SOURCE_WEIGHTS: dict[str, float] = {
    "title": 0.9,           # the report's printed title (or the page's 标题)
    "period": 0.9,          # 本报告所列数据的统计期限自 Y 年 1 月 1 日…
    "metadata": 0.6,        # PDF/DOCX document properties (title)
    "publisher": 0.6,       # 发布机构 / 来源 line of the page
    "signature": 0.7,       # the body named above the date at the end
    "signature_date": 0.5,  # that date, early in Y+1 → Y
    "publication_date": 0.4,  # 发布日期 / 发布时间, early in Y+1 → Y
    "body": 0.5,            # 本报告由…编制, 《…指南》, 现向社会公布…, 以下简称本机关
    "body_year": 0.35,      # the first "YYYY年" of the body (weak)
    "filename": 0.3,        # the file name
    "caller": 0.95,         # a manifest row or the partition the file was stored under
}
"""How much one source is believed on its own (0–1). Combined by the formula in the module doc."""

OPPOSITION_WEIGHTS: dict[str, float] = {"publisher": 0.2, "publication_date": 0.2, "body_year": 0.2, "filename": 0.3}
"""How much a source counts *against* another value, where less than its weight: the page's
publisher is often the body's office (平潭综合实验区管委会办公室 posts the 管委会's report), a
publication date may be a late re-post, a file name is whatever the crawler chose."""

DECIDE_THRESHOLD = 0.3
"""Below this confidence the identity has no value (null) rather than a guess."""

UNCERTAIN_IDENTITY_THRESHOLD = 0.6
"""Below this confidence the inbox sensor quarantines a file as `uncertain_identity` (with its
candidates) instead of making it a partition; a manifest row or a registry override releases it."""

EARLY_MONTHS = 6
"""A publication or signature date in months 1..EARLY_MONTHS of Y+1 supports report year Y
(reports are due by 31 January; many appear in February or March, corrections later)."""

# --------------------------------------------------------------------------- chrome

CHROME_PATTERNS: tuple[str, ...] = (
    r"今天是", r"今日是", r"当前日期", r"当前时间", r"当前位置", r"您现在的位置", r"你现在的位置", r"您的位置",
    r"您当前的位置", r"首页\s*[>＞»›/]", r"网站首页", r"设为首页", r"加入收藏", r"无障碍", r"繁體", r"简体版",
    r"打印本页", r"关闭窗口", r"【?\s*字体", r"字号\s*[:：]", r"分享到", r"扫一扫", r"登录\s*\|", r"English\b",
)
"""Line openings of page chrome: dates of the visit, breadcrumbs, toolbars. Never evidence."""

_CHROME_LINE = re.compile(r"^\s*(?:" + "|".join(CHROME_PATTERNS) + ")")
# Dates of the visit inside a line ("今天是2026年3月2日 星期一", "当前日期：2026-03-02").
_CHROME_DATE = re.compile(
    r"(?:今天是|今日是|当前日期|当前时间)\s*[:：]?\s*\d{4}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?"
    r"(?:\s*(?:星期|周)[一二三四五六日天])?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
# A browser's print header: "2025/2/14 09:30 某某县人民政府" (date, time, page title).
_PRINT_HEADER = re.compile(
    r"^\s*\d{4}/\d{1,2}/\d{1,2}\s*(?:(?:上午|下午)\s*)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?\s*"
)
_META_LINE = re.compile(r"^\s*(?:发布机构|发布单位|发文机关|信息来源|来源|索引号|文号|发布日期|发布时间|发文日期|成文日期|"
                        r"公开日期|生成日期|公开方式|公开范围|主题分类|栏目|浏览次数|访问量|标题|原文链接|本地目录)\s*[:：]")


def is_chrome(line: str) -> bool:
    """True for a line of page chrome (visit dates, breadcrumbs, toolbars, print headers)."""
    text = line.strip()
    if _CHROME_LINE.match(text):
        return True
    m = _PRINT_HEADER.match(text)
    return bool(m) and not _TITLE_WORDS.search(normalise(text[m.end():]))


_PRINT_STAMP = re.compile(r"\d{4}/\d{1,2}/\d{1,2}\s*(?:(?:上午|下午)\s*)?\d{1,2}:\d{2}(?::\d{2})?")
"""A browser's print stamp anywhere in a text ('2025/2/14 09:30')."""


def strip_chrome(text: str) -> str:
    """`text` with visit dates and print-header stamps removed (so no date of theirs is read)."""
    text = _CHROME_DATE.sub(" ", text)
    # A stamp holds a '/' and a ':': without both no search is needed. The search is led by
    # \d, which the regex engine tries at every offset (~45 µs on a 3,000-character body).
    if "/" not in text or ":" not in text:
        return text
    return _PRINT_STAMP.sub(" ", text)


# --------------------------------------------------------------------------- years

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_YEAR = "[〇○零Ｏ一二三四五六七八九]{4}"
YEAR_TEXT = rf"(?:(?<!\d)\d{{4}}(?!\d)|{_CN_YEAR})"
"""A year as printed: 2024, ２０２４ (after NFKC) or 二〇二四 / 二零二四."""

_TITLE_WORDS = re.compile(r"信息公开(?:工作)?(?:年度)?(?:工作)?报告|政务公开(?:工作)?年度报告|年度报告")
_YEAR_IN_TITLE = re.compile(rf"({YEAR_TEXT})\s*年\s*度?")
_PERIOD = re.compile(r"统计期限[^。]{0,30}?(\d{4})\s*年\s*1\s*月\s*1\s*日")
_DATE = re.compile(r"(\d{4}|" + _CN_YEAR + r")\s*[年/.-]\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*[月/.-]\s*"
                   r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日?")
_PUBLICATION = re.compile(r"(?:发布日期|发布时间|发文日期|成文日期|公开日期|印发日期)\s*[:：]\s*(\d{4})\s*[-年/.]\s*(\d{1,2})")
_BODY_YEAR = re.compile(r"(20[12]\d)\s*年")


def year_value(text: str) -> int | None:
    """2024 from '2024', '２０２４', '二〇二四' or '二零二四'."""
    t = unicodedata.normalize("NFKC", text)
    if t.isdigit() and len(t) == 4:
        return int(t)
    if len(text) == 4 and all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    return None


def _cn_small(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    table = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + table.get(text[1:], 0)
    if "十" in text:
        a, _, b = text.partition("十")
        return table.get(a, 0) * 10 + (table.get(b, 0) if b else 0)
    return table.get(text)


def report_year_of_date(year: int, month: int) -> int | None:
    """The report year a publication or signature date supports: Y for a date early in Y+1."""
    return year - 1 if 1 <= month <= EARLY_MONTHS else None


# --------------------------------------------------------------------------- agency names

ORG_SUFFIXES: tuple[str, ...] = (
    "人民政府", "政府", "办公厅", "办公室", "委员会", "管委会", "管理委员会", "管理局", "局", "厅", "委", "办",
    "办事处", "街道", "中心", "院", "所", "处", "署", "站", "队", "馆", "社", "会", "部", "行", "区", "县", "市", "州",
    "镇", "乡", "旗", "盟", "片区",
)
"""Endings of a body's name; a candidate that ends otherwise ('福建学生资助', '1') is not a body."""

SITE_SUFFIXES = re.compile(r"(?:门户网站|政府门户网|政务服务网|政府网站|网站|政府网|门户|官网)$")
"""Trailing site names ('某某县人民政府门户网站'); removed from names read next to page titles."""

_NAME_EDGE = " \t　:：_＿-—–|｜·•、，,。.()（）[]【】《》〈〉<>「」『』“”\"'‘’"
_CONNECTORS_TAIL = re.compile(r"(?:关于|的|之)+$")
_CONNECTORS_HEAD = re.compile(r"^(?:关于|年度|年|此函|此复|特此报告|特此公告|特此说明|附件|附表)+")


def fix_typos(name: str) -> str:
    for wrong, right in KNOWN_NAME_TYPOS.items():
        name = name.replace(wrong, right)
    return name


def clean_agency(text: str | None) -> str | None:
    """A body's name from the text printed before (or around) the title words, by rule.

    Removes print headers, bracket and underscore decorations, years in any numeral system,
    年度, the connecting words 关于 / 的, and trailing site names; never cuts inside a name (the
    title words are matched so that 人民政府 stays whole, see `agency_from_title`).
    """
    if not text:
        return None
    t = unicodedata.normalize("NFKC", text)
    t = _PRINT_HEADER.sub("", t)
    t = re.sub(r"\s+", "", t)
    prev = None
    while prev != t:
        prev = t
        t = t.strip(_NAME_EDGE)
        t = re.sub(rf"{YEAR_TEXT}\s*年?度?$", "", t)
        t = re.sub(rf"^{YEAR_TEXT}\s*年?度?", "", t)
        t = _CONNECTORS_TAIL.sub("", t)
        t = _CONNECTORS_HEAD.sub("", t)
        t = SITE_SUFFIXES.sub("", t) if len(t) > 4 else t
    if len(t) < 2 or not re.search(r"[\u4e00-\u9fff]", t):
        return None
    return fix_typos(t)


def looks_like_body(name: str | None) -> bool:
    return bool(name) and len(name) >= 2 and name.endswith(ORG_SUFFIXES) and not re.search(r"\d", name)


def agency_from_title(title: str) -> str | None:
    """The body printed in a title, or None.

    '某某县人民政府信息公开工作年度报告': the title words are 信息公开…报告, so 人民政府 stays
    in the name; '某某县政府信息公开…' gives 某某县 (政府 belongs to 政府信息公开).
    """
    t = _PRINT_HEADER.sub("", unicodedata.normalize("NFKC", title))
    t = normalise(t).lstrip("#")
    m = _TITLE_WORDS.search(t)
    if not m:
        return None
    before = t[: m.start()]
    if before.endswith("政府") and not before.endswith("人民政府"):
        before = before[: -len("政府")]
    years = list(_YEAR_IN_TITLE.finditer(before))
    ym = years[-1] if years else None  # the last year before the title words
    if ym:
        head, tail = before[: ym.start()], before[ym.end():]
        candidate = head if clean_agency(head) else tail
    else:
        candidate = before
    name = clean_agency(candidate)
    if name is None:
        # '2024年度政府信息公开工作年度报告_某某县人民政府': the body after the title, as a page title has it.
        after = re.split(r"[_|｜\-—–]", t[m.end():])
        name = clean_agency(after[-1]) if len(after) > 1 else None
    return name


def same_body(a: str, b: str) -> bool:
    """Rule-based equivalence of two printed names (no registry): equal, or equal once a parent
    division prefix (…省 / …市 / …州 …) or a 人民政府 / 管理委员会 ending is added or dropped."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if long_.endswith(short) and re.search(r"(?:省|市|州|盟|地区|自治区)$", long_[: -len(short)]):
        return True
    if long_.startswith(short) and long_[len(short):] in ("人民政府", "管理委员会", "管委会"):
        return True
    return False


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class Candidate:
    """One statement of the report's identity: what it says, where, and how much it is believed."""

    field: str  # "agency" or "year"
    value: str | int
    source: str  # a key of SOURCE_WEIGHTS
    weight: float
    text: str  # the evidence as printed (shortened)

    def as_dict(self) -> dict:
        # asdict deep-copies field by field: written out, as it runs for every candidate of every report
        return {"field": self.field, "value": self.value, "source": self.source, "weight": self.weight, "text": self.text}


@dataclass(frozen=True)
class Identity:
    agency: str | None
    agency_source: str
    agency_confidence: float
    year: int | None
    year_source: str
    year_confidence: float
    title: str | None
    # The body as the report prints it (the evidence's winner), whatever the caller said.
    printed_agency: str | None = None
    candidates: tuple[Candidate, ...] = ()
    # "identity_conflict: …" (caller vs report) and "evidence_conflict: …" (report vs itself).
    conflicts: tuple[str, ...] = ()

    @property
    def uncertain(self) -> bool:
        """True when agency or year is below UNCERTAIN_IDENTITY_THRESHOLD (not a partition)."""
        return min(self.agency_confidence, self.year_confidence) < UNCERTAIN_IDENTITY_THRESHOLD

    def sources_dict(self) -> dict:
        return {
            "agency": {"value": self.agency, "source": self.agency_source, "confidence": self.agency_confidence,
                       "printed": self.printed_agency},
            "year": {"value": self.year, "source": self.year_source, "confidence": self.year_confidence},
            "title": self.title,
            "candidates": [c.as_dict() for c in self.candidates],
            "conflicts": list(self.conflicts),
        }


def _short(text: str, n: int = 60) -> str:
    text = fold_space(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _title_lines(doc: Document) -> list[str]:
    out = []
    for line in doc.lines[:12]:
        text = line.text.strip().lstrip("#").strip()
        if not text or text in ("正文",) or is_chrome(text) or _META_LINE.match(text):
            continue
        m = _PRINT_HEADER.match(text)
        out.append(text[m.end():] if m else text)
    return out


RUN_IN_FOLLOWERS = ("本报告", "根据", "依据", "按照", "一、", "发布机构", "发布日期", "发布时间", "来源")
"""What follows a title run into its body: the body's first words or the page's metadata."""
RUN_IN_TITLE_MAX = 60
"""Characters a title may take at the start of a body printed as one line (no line breaks)."""
_RUN_IN_END = re.compile(r"(?:信息公开|政务公开)(?:工作)?(?:年度)?(?:工作)?报告")


def run_in_title(text: str) -> str | None:
    """The title at the very start of a line that runs on into the body ('双流区人民政府办公室2020年
    政府信息公开工作年度报告本报告由…'): up to the first title words, when that names a year and a
    body and holds no sentence punctuation."""
    m = _RUN_IN_END.search(text[: RUN_IN_TITLE_MAX + 12])
    if not m or m.end() > RUN_IN_TITLE_MAX + 12:
        return None
    title = text[: m.end()].strip()
    if re.search(r"[。，,；;：:]", title) or not _YEAR_IN_TITLE.search(normalise(title)):
        return None
    if not text[m.end():].lstrip().startswith(RUN_IN_FOLLOWERS):
        return None  # '现向社会公布…年度报告。' is a sentence naming the report, not its title
    return fold_space(title) if agency_from_title(title) else None


def find_title(doc: Document) -> str | None:
    if doc.title and _TITLE_WORDS.search(normalise(doc.title)) and not is_chrome(doc.title) \
            and agency_from_title(doc.title):
        return fold_space(_PRINT_HEADER.sub("", doc.title))
    # Printed titles span the first few lines ('洪泽区人民政府' / '2023 年政府信息公开工作年度报告').
    head: list[str] = []
    for text in _title_lines(doc)[:8]:
        if re.search(r"[。，,；;]", text):
            if not head and (run_in := run_in_title(text)):
                return run_in  # the body printed on one line right after its title
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
                if agency_from_title(t):
                    return t
            return fold_space(head[-1])
        if len(head) >= 4 or len(text) > 60:
            break
    if doc.title and not is_chrome(doc.title):
        return doc.title
    return None


_GUIDE = re.compile(r"《([^《》]{2,40}?)政府信息公开指南》")
_COMPILED_BY = re.compile(r"本报告由((?:(?!根据)[^《》，。]){2,40}?)(?:负责)?编制")
_BODY_BODY = re.compile(r"本报告由([^《》，。]{2,40}?)(?:办公室|办公厅)?根据")
_SELF_NAME = re.compile(r"([^《》，。：:；（(]{2,40}?)[（(]以下简称[“\"]?本(?:机关|局|委|办|单位)[”\"]?[）)]")
_SELF_NAME_GATE = re.compile(r"以下简称[“\"]?本")
"""What every _SELF_NAME match contains: a literal-led test, where _SELF_NAME itself is slow to fail."""
_PUBLISHES = re.compile(rf"(?:现向社会公布|现予公布|特发布|公布)([^《》，。、]{{2,40}}?)({YEAR_TEXT})年度?政府信息公开")
BODY_STARTS = ("本报告", "根据", "依据", "按照", "一、")
"""Words a report body begins with: where a one-line page runs the 发布机构 line on into the
body ('发布机构：增城区人民政府本报告根据…'), the name ends right before one of them."""


def _publisher_name(run: str) -> str:
    """The publisher as printed on its line, or cut where the body runs on after it."""
    if looks_like_body(clean_agency(run) or ""):
        return run
    for word in BODY_STARTS:
        k = run.find(word)
        if k >= 2 and looks_like_body(run[:k]):
            return run[:k]
    return run


_PUBLISHER_LINE = re.compile(r"(?:发布机构|发布单位|发文机关|信息来源|来源)\s*[:：]\s*([^\s:：，。|]{2,40})")
_SIG_SUFFIX = "|".join(sorted((re.escape(s) for s in ORG_SUFFIXES if len(s) > 1 or s in "局厅委办院"), key=len, reverse=True))
_SIGNATURE = re.compile(rf"(?:^|[。！；;\s:：）)])([^。！；;，,：:\s\d《》（）()]{{2,40}}?(?:{_SIG_SUFFIX}))\s*"
                        rf"((?:\d{{4}}|{_CN_YEAR})\s*年\s*(?:\d{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*月\s*"
                        rf"(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*日)")


def _cand(field_: str, value: str | int | None, source: str, text: str, weight: float | None = None) -> Candidate | None:
    if value is None:
        return None
    w = SOURCE_WEIGHTS[source] if weight is None else weight
    return Candidate(field_, value, source, w, _short(text))


def _agency_cand(name: str | None, source: str, text: str) -> Candidate | None:
    name = clean_agency(name)
    if name is None:
        return None
    # A crawl's 发布机构 can be junk ('1', '福建学生资助'): kept, but believed only when it names a body.
    return _cand("agency", name, source, text, SOURCE_WEIGHTS[source] if looks_like_body(name) else 0.0)


def _title_cands(title: str | None, source: str) -> list[Candidate | None]:
    if not title:
        return []
    out: list[Candidate | None] = [_agency_cand(agency_from_title(title), source, title)]
    t = normalise(_PRINT_HEADER.sub("", unicodedata.normalize("NFKC", title)))
    m = _TITLE_WORDS.search(t)
    years = list(_YEAR_IN_TITLE.finditer(t[: m.start()] if m else t))
    if years:
        out.append(_cand("year", year_value(years[-1].group(1)), source, title))
    return out


def _date_cand(source: str, year: int | None, month: int | None, text: str) -> Candidate | None:
    if year is None or month is None:
        return None
    supported = report_year_of_date(year, month)
    if supported is None:  # a date later in the year: recorded, supports no year
        return _cand("year", year, source, text, 0.0)
    return _cand("year", supported, source, text)


def collect_candidates(doc: Document, body: str, *, path: str = "") -> tuple[str | None, list[Candidate]]:
    """(title, every candidate the document offers) — chrome excluded."""
    cands: list[Candidate | None] = []
    title = find_title(doc)
    metadata = getattr(doc, "metadata", None) or {}
    if title is None and _document_text(metadata, "heading") and is_heading(metadata["heading"]):
        title = fold_space(metadata["heading"])  # the first page's title as the reader laid it out
    cands += _title_cands(title, "title")
    meta_title = metadata.get("title")
    if isinstance(meta_title, str) and meta_title.strip() and fold_space(meta_title) != title:
        cands += _title_cands(meta_title, "metadata")
    clean_body = strip_chrome(body[:40000])
    norm_body = "".join(clean_body.split())
    if m := _PERIOD.search(norm_body):
        cands.append(_cand("year", int(m.group(1)), "period", m.group(0)))
    # 发布机构 / 来源: the reader's page metadata first, then a line of the text.
    publisher = next((doc.meta[k].strip() for k in ("发布机构", "发布单位", "发文机关", "信息来源", "来源")
                      if doc.meta.get(k, "").strip()), None)
    if publisher is None and (m := _PUBLISHER_LINE.search(clean_body[:5000])):
        publisher = _publisher_name(m.group(1))
    if publisher:
        cands.append(_agency_cand(publisher, "publisher", publisher))
    pub = next((doc.meta[k] for k in ("发布日期", "发布时间", "发文日期", "成文日期") if doc.meta.get(k)), None)
    if pub and (m := re.match(r"\s*(\d{4})\s*[-年/.]\s*(\d{1,2})", pub)):
        cands.append(_date_cand("publication_date", int(m.group(1)), int(m.group(2)), pub))
    elif m := _PUBLICATION.search(clean_body[:5000]):
        cands.append(_date_cand("publication_date", int(m.group(1)), int(m.group(2)), m.group(0)))
    # Signature and date at the end.
    sig = _signature(doc, clean_body, [c.value for c in cands if c is not None and c.field == "agency"])
    if sig is None:
        sig = _metadata_signature(metadata)
    if sig is not None:
        name, weight, text, date_text = sig
        cands.append(_cand("agency", name, "signature", text, weight))
        d = _DATE.match(date_text)
        if d:
            cands.append(_date_cand("signature_date", year_value(d.group(1)), _cn_small(d.group(2)), date_text))
    for pattern in (_COMPILED_BY, _GUIDE, _SELF_NAME, _BODY_BODY):
        if pattern is _SELF_NAME and not _SELF_NAME_GATE.search(norm_body):
            continue  # cannot match; its search (a lazy run tried at every offset) cost ~2 ms a report
        if m := pattern.search(norm_body):
            cands.append(_agency_cand(m.group(1), "body", m.group(0)))
            break
    if m := _PUBLISHES.search(norm_body):
        cands.append(_agency_cand(m.group(1), "body", m.group(0)))
        cands.append(_cand("year", year_value(m.group(2)), "body", m.group(0)))
    elif not any(c is not None and c.field == "year" and c.source in ("title", "period", "metadata") for c in cands):
        # Fallback only: the first year of the text once the title is taken out (beside a title or
        # 统计期限 it would count the same sentence twice).
        rest = norm_body.replace("".join(title.split()), " ", 1) if title else norm_body
        rest = re.sub(r"(?:发布日期|发布时间|发文日期|成文日期|公开日期|印发日期|生成日期)[:：]?\d{4}", " ", rest)
        if m := _BODY_YEAR.search(rest):
            cands.append(_cand("year", int(m.group(1)), "body_year", rest[max(0, m.start() - 10): m.end() + 10]))
    if path:
        cands += filename_candidates(path)
    return title, [c for c in cands if c is not None]


_DATE_LINE = re.compile(rf"^\s*((?:\d{{4}}|{_CN_YEAR})\s*年\s*(?:\d{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*月\s*"
                        rf"(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*日)\s*$")


def _document_text(metadata: Mapping[str, object], key: str) -> bool:
    value = metadata.get(key)
    return isinstance(value, str) and bool(value.strip()) and not is_chrome(value)


def _metadata_signature(metadata: Mapping[str, object]) -> tuple[str, float, str, str] | None:
    """The signature and date the PDF/DOCX reader found closing the last page (a date line and
    the body's name above it, docmeta.closing_signature), where the document's text lines gave
    none: a page laid out in cells or columns need not end with them as lines."""
    if not (_document_text(metadata, "signature") and _document_text(metadata, "date")):
        return None
    name, date = clean_agency(str(metadata["signature"])), str(metadata["date"])
    if not name or not looks_like_body(name) or len(name) > 40 or not _DATE_LINE.match(date):
        return None
    return name, SOURCE_WEIGHTS["signature"], f"{metadata['signature']} {date}", _DATE_LINE.match(date).group(1)


def _signature(doc: Document, clean_body: str, others: list[object]) -> tuple[str, float, str, str] | None:
    """(name, weight, evidence, date) of the signature above the closing date.

    On a line of its own above a date line the name is believed as printed. In flattened text
    (a crawl puts the report on one line) the name's start is lost ('…事项无平潭…局2022年1月10日'):
    there only a suffix that is a registered body, or another candidate, is believed.
    """
    texts = [ln.text.strip() for ln in doc.lines[-20:] if ln.text.strip()]
    for i in range(len(texts) - 1, 0, -1):
        m = _DATE_LINE.match(strip_chrome(texts[i]))
        if m:
            name = clean_agency(texts[i - 1])
            if name and looks_like_body(name) and len(name) <= 40:
                return name, SOURCE_WEIGHTS["signature"], f"{texts[i - 1]} {texts[i]}", m.group(1)
            break
    tail = "".join(clean_body[-3000:].split())[-600:]
    sigs = list(_SIGNATURE.finditer(tail))
    if not sigs:
        return None
    s = sigs[-1]
    run = clean_agency(s.group(1)) or s.group(1)
    try:
        from disclosure.registry import default_registry

        registered = default_registry().resolve
    except ImportError:  # pragma: no cover
        registered = None
    for k in range(len(run) - 1):  # the longest suffix first
        suffix = run[k:]
        if any(isinstance(o, str) and same_body(suffix, o) for o in others) or (
            registered is not None and not registered(suffix).is_new
        ):
            return suffix, SOURCE_WEIGHTS["signature"], s.group(0), s.group(2)
    return run, 0.0, s.group(0), s.group(2)


def filename_candidates(path: str) -> list[Candidate]:
    """Agency (when the name reads like a title) and year from a file name; dates are not years."""
    stem = PurePath(path).name.rsplit(".", 1)[0]
    out: list[Candidate | None] = []
    if _TITLE_WORDS.search(normalise(stem)):
        out.append(_agency_cand(agency_from_title(stem), "filename", stem))
    undated = re.sub(r"(?<!\d)\d{4}[-_.]?\d{2}[-_.]?\d{2}(?!\d)", " ", stem)
    years = {int(y) for y in re.findall(r"(?<!\d)(20[1-4]\d)(?!\d)", undated)}
    if len(years) == 1:
        out.append(_cand("year", years.pop(), "filename", stem))
    return [c for c in out if c is not None]


# --------------------------------------------------------------------------- decision


def _combine(weights: Iterable[float]) -> float:
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return 1.0 - p


def decide(cands: list[Candidate], equal: Callable[[object, object], bool]) -> tuple[object | None, str, float, list[str]]:
    """(value, sources, confidence, conflicts) by agreement; see the module docstring."""
    live = [c for c in cands if c.weight > 0]
    if not live:
        return None, "none", 0.0, []
    best: tuple[float, int, Candidate] | None = None
    for i, c in enumerate(live):
        agree = {}
        oppose = {}
        for d in live:
            if equal(c.value, d.value):
                agree[d.source] = max(agree.get(d.source, 0.0), d.weight)
            else:
                w = min(d.weight, OPPOSITION_WEIGHTS.get(d.source, d.weight))
                oppose[d.source] = max(oppose.get(d.source, 0.0), w)
        conf = _combine(agree.values()) * (1.0 - _combine(oppose.values()))
        key = (round(conf, 6), -i)
        if best is None or key > best[:2]:
            best = (key[0], key[1], c)
    assert best is not None
    conf, _, winner = best
    agreeing = [c for c in live if equal(winner.value, c.value)]
    # The printed value of the strongest agreeing source (the title before the signature).
    winner = max(agreeing, key=lambda c: c.weight)
    sources = "+".join(dict.fromkeys(c.source for c in sorted(agreeing, key=lambda c: -c.weight)))
    others = [c for c in live if not equal(winner.value, c.value)]
    conflicts = [f"{c.source} says {c.value!r} ({c.text})" for c in others]
    if conf < DECIDE_THRESHOLD:
        return None, "none", round(conf, 3), conflicts
    return winner.value, sources, round(conf, 3), conflicts


def _agency_equal(registry_same: Callable[[str, str], bool] | None) -> Callable[[object, object], bool]:
    def eq(a: object, b: object) -> bool:
        if not isinstance(a, str) or not isinstance(b, str):
            return False
        return same_body(a, b) or bool(registry_same and registry_same(a, b))

    return eq


def _registry_same() -> Callable[[str, str], bool] | None:
    try:
        from disclosure.registry import default_registry
    except ImportError:  # pragma: no cover - registry module absent
        return None
    return default_registry().same_body


def identify(
    doc: Document,
    body: str,
    *,
    agency: str | None = None,
    year: int | None = None,
    path: str = "",
    caller_source: str = "caller",
    extra: Iterable[Candidate] = (),
) -> Identity:
    """The report's identity from its evidence; caller values (manifest, partition) override."""
    title, cands = collect_candidates(doc, body, path=path)
    cands += list(extra)
    a_eq = _agency_equal(_registry_same())
    y_eq: Callable[[object, object], bool] = lambda a, b: a == b  # noqa: E731
    a_cands = [c for c in cands if c.field == "agency"]
    y_cands = [c for c in cands if c.field == "year"]
    a_val, a_src, a_conf, a_conf_list = decide(a_cands, a_eq)
    y_val, y_src, y_conf, y_conf_list = decide(y_cands, y_eq)
    conflicts = [f"evidence_conflict: agency {a_val!r} but {m}" for m in a_conf_list]
    conflicts += [f"evidence_conflict: year {y_val!r} but {m}" for m in y_conf_list]
    printed = a_val if isinstance(a_val, str) else None
    all_cands = list(cands)
    if agency:
        c = Candidate("agency", agency, caller_source, SOURCE_WEIGHTS["caller"], agency)
        all_cands.append(c)
        if a_val is not None and not a_eq(agency, a_val):
            conflicts.append(f"identity_conflict: agency {caller_source} {agency!r} vs report {a_val!r} ({a_src})")
        a_val, a_src, a_conf = _with_caller(agency, caller_source, a_cands, a_eq)
    if year:
        all_cands.append(Candidate("year", year, caller_source, SOURCE_WEIGHTS["caller"], str(year)))
        if y_val is not None and y_val != year:
            conflicts.append(f"identity_conflict: year {caller_source} {year} vs report {y_val} ({y_src})")
        y_val, y_src, y_conf = _with_caller(year, caller_source, y_cands, y_eq)
    return Identity(
        agency=a_val if isinstance(a_val, str) else None, agency_source=a_src, agency_confidence=a_conf,
        year=y_val if isinstance(y_val, int) else None, year_source=y_src, year_confidence=y_conf,
        title=title, printed_agency=printed, candidates=tuple(all_cands), conflicts=tuple(conflicts),
    )


def _with_caller(value: object, source: str, cands: list[Candidate], equal) -> tuple[object, str, float]:
    """A caller value wins; its confidence still says how much the report agrees with it."""
    agree = {c.source: c.weight for c in cands if c.weight > 0 and equal(value, c.value)}
    oppose = {c.source: min(c.weight, OPPOSITION_WEIGHTS.get(c.source, c.weight))
              for c in cands if c.weight > 0 and not equal(value, c.value)}
    agree[source] = SOURCE_WEIGHTS["caller"]
    conf = _combine(agree.values()) * (1.0 - _combine(oppose.values()))
    sources = "+".join([source, *(s for s in agree if s != source)])
    return value, sources, round(conf, 3)


def identify_file(data: bytes, path: str = "", ocr: object = None, **kw: object) -> Identity:
    """Agency and year of a raw file without extracting its tables (the inbox sensor's question).
    With `ocr` settings a scanned file is read by OCR (the OCR step, disclosure/ocr_batch.py).

    Raises RejectedReport when no reader can read the file.
    """
    from disclosure.readers import read

    doc = read(data, path, ocr=ocr)  # type: ignore[arg-type]
    return identify(doc, "\n".join(line.text for line in doc.lines), path=path, **kw)  # type: ignore[arg-type]


def identity_summary(ident: Identity) -> Mapping[str, object]:
    """The identity columns of the `reports` table (see schema.py)."""
    import json

    return {
        "printed_agency": ident.printed_agency,
        "identity_conflicts": "; ".join(ident.conflicts) or None,
        "identity_candidates": json.dumps([c.as_dict() for c in ident.candidates], ensure_ascii=False),
    }


__all__ = [
    "DECIDE_THRESHOLD", "SOURCE_WEIGHTS", "UNCERTAIN_IDENTITY_THRESHOLD", "Candidate", "Identity", "agency_from_title",
    "clean_agency", "collect_candidates", "decide", "find_title", "identify", "identify_file", "is_chrome",
    "same_body", "strip_chrome",
]
