"""Build the office-made PDF and DOCX fixtures from the corpus reports' own markup.

    .venv/bin/python scripts/make_office_fixtures.py       # writes tests/fixtures/{pdf,docx}/office-*/

Needs (fixture building only, never the tests): Debian `libreoffice-writer-nogui`,
`libreoffice-calc-nogui` (the .et fixture), `fonts-noto-cjk`, `fonts-wqy-zenhei` and `chromium`. Each source is a corpus report that has a table form: the
HTML reports as published (Word-exported HTML with `valign=center` cells and narrow, wrapping
label columns among them), the markdown reports' pipe tables as HTML tables, and the
Word-exported markup of shuyang-fgj-2023 filled with the numbers of other 2021-template reports
(the values slot by slot; a slot is filled only after the source's own golden values are found
in exactly those slots, so the markup's meaning is checked, never guessed).

Producers, one folder each (with `expected/` so score_golden.py scores a folder):

* `docx/office-lo/`     HTML -> DOCX by LibreOffice Writer (what an agency's Word file holds);
* `pdf/office-word/`    that DOCX -> PDF by LibreOffice (a Word-like export of a .docx);
* `pdf/office-lo/`      HTML -> PDF by LibreOffice Writer directly (the page opened, exported);
* `pdf/office-chrome/`  HTML -> PDF by headless Chromium's print-to-PDF, with the browser's
                        own page header (date, title) and footer (file URL, "1/3") left on;
* `pdf/office-chrome-unruled/`  the same without table borders (no ruling lines at all).

Golden values are the SOURCE report's golden file (the donor's for filled markup, with the
markup's agency and year, which the filled page still prints), with only "file" changed.
Also writes `docx/office-doc/*.doc` (Word 97 from the DOCX) and `docx/office-doc/table-2-calc.et`
(an Excel 97 workbook by LibreOffice Calc) for the conversion tests.

    .venv/bin/python scripts/make_office_fixtures.py --corpus   # writes tests/fixtures/office-corpus.tar.xz

`--corpus`: every corpus report that has a table form, each in the markup of its layout filled
with its golden values (31 reports besides the folders above): the markup above for the
2021-template reports whose 表三 has its rows; the same with 三(六) 其他处理 merged into one row
for hongze's 表三 (the 2019 row in a 2021 report); and sh-gov-office-2019's own markup for
the 2019 template (its 表二, whole rows blank, the procurement amount printed in yuan). Each
made by the three PDF producers (Word-like, LibreOffice, browser print) and as DOCX, one folder
per producer under `office-corpus/` (each with `expected/`), committed as one xz tarball: the
PDFs embed nearly the same font subsets, which xz stores once (about 21 MB of files in 4.4 MB).
The filled pages print the markup's agency and year, which their golden files carry.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lxml import etree
from lxml import html as lhtml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "reports"
PDF = ROOT / "tests" / "fixtures" / "pdf"
DOCX = ROOT / "tests" / "fixtures" / "docx"
APPLICANTS = (
    "natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
    "legal_service_org", "other_org", "total",
)
HTML_SOURCES = ["sh-gov-office-2019.html", "shuyang-fgj-2023.html", "synthetic-ceshishi-2025.html"]
# The markdown reports are text dumps of PDFs whose pipe tables hold the numbers without their
# row labels (printed as loose lines around them): not a table an office program exports.
MD_SOURCES: list[str] = []
# Word-exported markup (valign=center, wrapped labels) filled with other reports' numbers.
FILL_MARKUP = "shuyang-fgj-2023.html"
FILL_DONORS = ["huaian-gov-2024.pdf.json", "xining-etdz-2022.txt.json"]  # large numbers; many blanks
UNRULED = ["sh-gov-office-2019", "shuyang-fgj-2023", "shuyang-fgj-2023-filled-huaian-gov-2024"]
"""The sources also printed without borders (fixture size: each PDF embeds its glyphs)."""
NUMBER = re.compile(r"^\s*[-+]?\d[\d,]*(\.\d+)?\s*$")
CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
TIMEOUT = 180
NOTO = "Noto Sans CJK SC"  # fonts-noto-cjk, for LibreOffice
# Chromium embeds the CFF-based Noto CJK as Type 3 fonts (~400 KB a report); the TrueType
# WenQuanYi Zen Hei (fonts-wqy-zenhei) is embedded as a subset (~60 KB).
BROWSER_FONT = "WenQuanYi Zen Hei"


def golden(name: str) -> dict:
    return json.loads((CORPUS / "expected" / name).read_text(encoding="utf-8"))


def value_sequence(gold: dict) -> list[object]:
    """The golden cells in the order the national template prints them."""
    out: list[object] = list(gold["active_disclosure"].values())
    for row in gold["applications"].values():
        out.extend(row[a] for a in APPLICANTS)
    out.extend(gold["review_litigation"].values())
    return out


def value_slots(root: etree._Element) -> list[etree._Element]:
    """The <td>s that hold a statistical value: numeric or blank cells of rows holding a number."""
    slots: list[etree._Element] = []
    for table in root.iter("table"):
        for tr in table.iter("tr"):
            tds = tr.findall("td")
            texts = [td.text_content().replace("\xa0", " ").strip() for td in tds]
            if not any(NUMBER.match(t) for t in texts):
                continue
            first = next(i for i, t in enumerate(texts) if NUMBER.match(t) or not t)
            slots.extend(td for td, t in zip(tds[first:], texts[first:], strict=True) if NUMBER.match(t) or not t)
    return slots


MONEY = re.compile(r"^\s*\d[\d,]*(\.\d+)?元\s*$")
"""A 2019 amount printed in yuan with its unit in the cell (sh-gov-office-2019: '251000元')."""


def grid_slots(root: etree._Element) -> list[etree._Element]:
    """The <td>s that hold a statistical value, blank rows included: the trailing run of
    numeric, money or blank cells of every row (the 2019 markup leaves whole rows blank)."""
    slots: list[etree._Element] = []
    for table in root.iter("table"):
        for tr in table.iter("tr"):
            tds = tr.findall("td")
            texts = [td.text_content().replace("\xa0", " ").strip() for td in tds]
            start = len(texts)
            while start and (not texts[start - 1] or NUMBER.match(texts[start - 1]) or MONEY.match(texts[start - 1])):
                start -= 1
            if start == 0 and not any(texts):
                continue  # a spacer row
            slots.extend(tds[start:])
    return slots


def printed_yuan(amount_10k: object) -> str:
    """An amount in 万元 printed as the 2019 markup prints it: yuan with the unit ('251000元')."""
    if amount_10k is None:
        return ""
    from decimal import Decimal

    yuan = (Decimal(str(amount_10k)) * 10000).normalize()
    return f"{yuan:f}元"


def printed(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _set_text(td: etree._Element, text: str) -> None:
    """Replace the printed text of a cell, keeping its innermost formatting element."""
    inner = td
    while len(inner) and inner[0].tag in ("p", "span", "font", "b"):
        inner = inner[0]
    for child in list(inner):
        inner.remove(child)
    inner.text = text


def filled_markup(markup: str, source: dict, donor: dict) -> str:
    root = lhtml.fromstring(markup)
    slots = value_slots(root)
    own = [printed(v) for v in value_sequence(source)]
    seen = [td.text_content().replace("\xa0", " ").strip() for td in slots]
    if seen != own:
        raise SystemExit(f"{source['file']}: value slots do not hold the golden values in template order")
    for td, value in zip(slots, value_sequence(donor), strict=True):
        _set_text(td, printed(value))
    return lhtml.tostring(root, encoding="unicode")


FILL_MARKUP_2019 = "sh-gov-office-2019.html"
"""The corpus's one 2019-template markup (its own 表二 rows, blank cells as &nbsp;)."""


def printed_2019(gold: dict) -> list[str]:
    """The golden cells as the 2019 markup prints them, in template order (the procurement
    amount in yuan with its unit, blanks empty)."""
    out = [printed_yuan(v) if key == "procurement.amount_10k_yuan" else printed(v) for key, v in gold["active_disclosure"].items()]
    for row in gold["applications"].values():
        out.extend(printed(row[a]) for a in APPLICANTS)
    out.extend(printed(v) for v in gold["review_litigation"].values())
    return out


def markup_2019() -> str:
    raw = (CORPUS / FILL_MARKUP_2019).read_text(encoding="utf-8")
    return fit_width(page(re.sub(r"(</?)ucapcontent", r"\1div", raw), None))


def filled_markup_2019(markup: str, source: dict, donor: dict) -> str:
    """The 2019 markup with a 2019-template report's numbers, slot by slot; a slot is filled
    only after the markup's own golden values are found in exactly those slots."""
    root = lhtml.fromstring(markup)
    slots = grid_slots(root)
    seen = [td.text_content().replace("\xa0", " ").strip() for td in slots]
    if seen != printed_2019(source):
        raise SystemExit(f"{source['file']}: 2019 value slots do not hold the golden values in template order")
    for td, text in zip(slots, printed_2019(donor), strict=True):
        _set_text(td, text)
    return lhtml.tostring(root, encoding="unicode")


def as_2021_rows(donor: dict) -> dict:
    """A report whose 表三 prints 三(六) 其他处理 as one row (hongze: 'other_handling', the 2019
    layout in a 2021 report) seen through the 2021 markup: that row's numbers in the first
    sub-row's slots, the other two sub-rows blank (merge_other_handling then drops them)."""
    apps = dict(donor["applications"])
    apps["other_handling.overdue_correction"] = apps.pop("other_handling")
    return {**donor, "applications": apps}


def merge_other_handling(markup: str) -> str:
    """The 2021 markup's three 三(六) sub-rows made into the one row 'other_handling' prints:
    the 其他处理 label spans both label columns, sub-rows 2 and 3 are removed."""
    root = lhtml.fromstring(markup)
    for tr in root.iter("tr"):
        tds = tr.findall("td")
        if tds and "".join(tds[0].text_content().split()).startswith("（六）其他处理") and tds[0].get("rowspan") == "3":
            tds[0].attrib.pop("rowspan")
            tds[0].set("colspan", "2")
            tr.remove(tds[1])
            for _ in range(2):
                nxt = tr.getnext()
                nxt.getparent().remove(nxt)
            break
    else:
        raise SystemExit("markup: no three-row 三(六) 其他处理")
    for td in root.iter("td"):
        if "".join(td.text_content().split()).startswith("三、本年度办理结果") and td.get("rowspan"):
            td.set("rowspan", str(int(td.get("rowspan")) - 2))
    return lhtml.tostring(root, encoding="unicode")


def md_to_html(text: str) -> str:
    """Paragraph lines as <p>, pipe tables as bordered tables (header separator rows dropped)."""
    out: list[str] = []
    rows: list[str] = []

    def flush() -> None:
        if rows:
            out.append('<table border="1" style="border-collapse:collapse">' + "".join(rows) + "</table>")
            rows.clear()

    for line in text.splitlines():
        s = line.strip()
        if s.startswith("|"):
            cells = [c.strip() for c in s.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            continue
        flush()
        if s:
            out.append(f"<p>{html.escape(s)}</p>")
    flush()
    return "\n".join(out)


def page(body: str, title: str | None, one_weight: bool = False) -> str:
    head = f"<title>{html.escape(title)}</title>" if title else ""
    # One font for everything (a page naming 微软雅黑 would embed a fallback font besides);
    # with `one_weight`, one weight too (each weight embeds its own glyphs).
    weight = "font-weight:normal !important;" if one_weight else ""
    style = f"<style>*{{font-family:'{NOTO}' !important;{weight}}} body{{font-size:12pt}}</style>"
    if one_weight:  # LibreOffice maps 方正仿宋_GBK (face=, font-family:) to a serif font, embedded besides
        body = re.sub(r'\sface="[^"]*"|font-family:\s*[^;"]*;?', "", body)
        style += f"<style>body,p,td,span,font,div{{font-family:'{NOTO}'}}</style>"
    return f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}{style}</head><body>{body}</body></html>'


def fit_width(markup: str) -> str:
    """Tables without a width get the page's width (as Word fits them to the window), else
    LibreOffice lays a wide 表三 past the page edges and the printed text is cut off."""
    root = lhtml.fromstring(markup)
    for table in root.iter("table"):
        if "width" not in table.attrib and "width" not in (table.get("style") or ""):
            table.set("width", "100%")
    for td in root.iter("td"):
        td.attrib.pop("nowrap", None)  # a label that may not wrap pushes 表三 off the page
    return lhtml.tostring(root, encoding="unicode")


KEEP_HEAD = 3  # paragraphs kept before 二、主动公开 (title, the 统计期限 sentence)
KEEP_TAIL = 3  # paragraphs kept at the end (signature and date)


def shortened(markup: str) -> str:
    """The report with the prose of sections 一, 五 and 六 cut to a few paragraphs: the
    tables, the title, the opening and the closing lines stay as published. Keeps the
    fixtures small (every distinct CJK glyph costs its outline in each PDF)."""
    root = lhtml.fromstring(markup)
    paras = [p for p in root.iter("p") if not any(a.tag == "table" for a in p.iterancestors())]
    texts = [p.text_content().replace(" ", "") for p in paras]
    start = next((i for i, t in enumerate(texts) if t.startswith("二、主动公开")), None)
    end = next((i for i, t in enumerate(texts) if t.startswith("五、") and "问题" in t), None)
    if start is None or end is None or end <= start:
        return markup
    drop = [*paras[KEEP_HEAD:start], *paras[end + 2 : max(end + 2, len(paras) - KEEP_TAIL)]]
    for p in drop:
        p.getparent().remove(p)
    return lhtml.tostring(root, encoding="unicode")


def unruled(markup: str) -> str:
    root = lhtml.fromstring(markup)
    for table in root.iter("table"):
        for attr in ("border", "bordercolor"):
            table.attrib.pop(attr, None)
        table.set("style", "border:none")
    return lhtml.tostring(root, encoding="unicode")


def sources() -> list[tuple[str, str, dict]]:
    """(fixture stem, full HTML page, golden) for every source."""
    out: list[tuple[str, str, dict]] = []
    for name in HTML_SOURCES:
        raw = (CORPUS / name).read_text(encoding="utf-8")
        gold = golden(name + ".json")
        body = raw if "<html" in raw[:500].lower() else page(re.sub(r"(</?)ucapcontent", r"\1div", raw), None)
        out.append((Path(name).stem, fit_width(body), gold))
    for name in MD_SOURCES:
        gold = golden(name + ".json")
        body = page(md_to_html((CORPUS / name).read_text(encoding="utf-8")), None)
        out.append((Path(name).stem + "-md", fit_width(body), gold))
    markup = (CORPUS / FILL_MARKUP).read_text(encoding="utf-8")
    source = golden(FILL_MARKUP + ".json")
    for donor_name in FILL_DONORS:
        donor = golden(donor_name)
        if donor["template"] != source["template"] or list(donor["applications"]) != list(source["applications"]):
            raise SystemExit(f"{donor_name}: not the markup's template layout")
        gold = {**donor, "agency": source["agency"], "year": source["year"]}
        gold.pop("raw_text", None)
        stem = f"shuyang-fgj-2023-filled-{donor_name.split('.')[0]}"
        out.append((stem, page(filled_markup(markup, source, donor), None), gold))
    return [(stem, shortened(body), gold) for stem, body, gold in out]


def soffice(args: list[str], profile: Path) -> None:
    cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", *args]
    subprocess.run(cmd, check=True, timeout=TIMEOUT, capture_output=True)


def chrome(src: Path, out: Path, profile: Path) -> None:
    cmd = ["chromium", *CHROME_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={out}", src.as_uri()]
    subprocess.run(cmd, check=True, timeout=TIMEOUT, capture_output=True)


def write_gold(folder: Path, name: str, gold: dict) -> None:
    (folder / "expected").mkdir(parents=True, exist_ok=True)
    doc = {**gold, "file": name}
    (folder / "expected" / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


OFFICE_CORPUS_TAR = ROOT / "tests" / "fixtures" / "office-corpus.tar.xz"
CORPUS_PRODUCERS = ("docx", "pdf-word", "pdf-lo", "pdf-chrome")


def corpus_donors() -> list[str]:
    """Golden files of every corpus report the Word-exported markup can print: 2021 template,
    the markup's 表三 rows; neither the markup's own report nor a second copy of a donor above
    (huaian-gov-2024.txt holds the numbers of huaian-gov-2024.pdf)."""
    source = golden(FILL_MARKUP + ".json")
    out = []
    for path in sorted((CORPUS / "expected").glob("*.json")):
        donor = json.loads(path.read_text(encoding="utf-8"))
        if path.name in (FILL_MARKUP + ".json", "huaian-gov-2024.txt.json", *FILL_DONORS):
            continue
        if donor.get("template") == source["template"] and list(donor.get("applications") or {}) == list(source["applications"]):
            out.append(path.name)
    return out


def corpus_donors_2019() -> list[str]:
    """Golden files of every 2019-template corpus report (the markup's own report included:
    its corpus fixture is the markup with its own numbers written back)."""
    return [p.name for p in sorted((CORPUS / "expected").glob("*.json"))
            if json.loads(p.read_text(encoding="utf-8")).get("template") == "2019"]


def corpus_donors_one_other() -> list[str]:
    """2021-template reports whose 表三 prints 三(六) as one row (hongze): the markup's rows
    plus 'other_handling', the three sub-rows null."""
    source = list(golden(FILL_MARKUP + ".json")["applications"])
    out = []
    for path in sorted((CORPUS / "expected").glob("*.json")):
        donor = json.loads(path.read_text(encoding="utf-8"))
        apps = donor.get("applications") or {}
        if donor.get("template") == "2021" and list(apps) == [*source, "other_handling"]:
            if any(v is not None for k in source if k.startswith("other_handling.") for v in apps[k].values()):
                raise SystemExit(f"{path.name}: both 三(六) layouts hold numbers")
            out.append(path.name)
    return out


def corpus_items() -> list[tuple[str, str, dict]]:
    """(stem, page, golden) of every corpus report with a table form, each in the markup of
    its layout: 2021 rows, 2019 rows, 2021 rows with one 三(六) row. The golden file is the
    donor's, with the markup's agency and year (which the filled page prints)."""
    markup = (CORPUS / FILL_MARKUP).read_text(encoding="utf-8")
    source = golden(FILL_MARKUP + ".json")
    m2019 = markup_2019()
    s2019 = golden(FILL_MARKUP_2019 + ".json")
    items = []

    def add(donor_name: str, body: str, src: dict) -> None:
        gold = {**golden(donor_name), "agency": src["agency"], "year": src["year"]}
        gold.pop("raw_text", None)
        items.append((f"filled-{donor_name.rsplit('.', 2)[0]}", shortened(page(body, None, one_weight=True)), gold))

    for donor_name in corpus_donors():
        add(donor_name, filled_markup(markup, source, golden(donor_name)), source)
    for donor_name in corpus_donors_2019():
        add(donor_name, filled_markup_2019(m2019, s2019, golden(donor_name)), s2019)
    for donor_name in corpus_donors_one_other():
        add(donor_name, merge_other_handling(filled_markup(markup, source, as_2021_rows(golden(donor_name)))), source)
    return items


def corpus_main() -> None:
    """Every corpus donor through every producer, into tests/fixtures/office-corpus/."""
    out_dir = Path(tempfile.mkdtemp(prefix="f-office-corpus-"))
    folders = {name: out_dir / "office-corpus" / name for name in CORPUS_PRODUCERS}
    for folder in folders.values():
        folder.mkdir(parents=True)
    items = corpus_items()
    with tempfile.TemporaryDirectory(prefix="f-office-") as tmp_name:
        tmp = Path(tmp_name)
        html_dir, docx_dir, lo_dir = tmp / "html", tmp / "docx", tmp / "lo"
        for d in (html_dir, docx_dir, lo_dir):
            d.mkdir()
        for stem, body, _ in items:
            (html_dir / f"{stem}.html").write_text(body, encoding="utf-8")
            (html_dir / f"{stem}-browser.html").write_text(body.replace(NOTO, BROWSER_FONT), encoding="utf-8")
        plain = [str(html_dir / f"{stem}.html") for stem, _, _ in items]
        profile = tmp / "profile"
        soffice(["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(docx_dir), *plain], profile)
        soffice(["--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(lo_dir), *plain], profile)
        docxs = [str(docx_dir / f"{stem}.docx") for stem, _, _ in items]
        soffice(["--convert-to", "pdf:writer_pdf_Export", "--outdir", str(folders["pdf-word"]), *docxs], profile)
        for stem, _, gold in items:
            shutil.copy(docx_dir / f"{stem}.docx", folders["docx"] / f"{stem}.docx")
            write_gold(folders["docx"], f"{stem}.docx", gold)
            shutil.copy(lo_dir / f"{stem}.pdf", folders["pdf-lo"] / f"{stem}.pdf")
            write_gold(folders["pdf-lo"], f"{stem}.pdf", gold)
            write_gold(folders["pdf-word"], f"{stem}.pdf", gold)
            chrome(html_dir / f"{stem}-browser.html", folders["pdf-chrome"] / f"{stem}.pdf", tmp / "chrome")
            write_gold(folders["pdf-chrome"], f"{stem}.pdf", gold)
    total = sum(p.stat().st_size for f in folders.values() for p in f.rglob("*") if p.is_file())
    pack(out_dir / "office-corpus", OFFICE_CORPUS_TAR)
    shutil.rmtree(out_dir)
    print(f"wrote {len(items)} reports x {len(folders)} producers, {total / 2**20:.1f} MB "
          f"as {OFFICE_CORPUS_TAR.name} ({OFFICE_CORPUS_TAR.stat().st_size / 2**20:.1f} MB)")


def pack(folder: Path, target: Path) -> None:
    """A reproducible xz tarball of a folder (sorted names, no owners or times)."""
    import lzma
    import tarfile

    def clean(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = 0
        return info

    with lzma.open(target, "wb", preset=9 | lzma.PRESET_EXTREME) as xz, tarfile.open(fileobj=xz, mode="w") as tar:
        for path in sorted(folder.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(folder.parent)), recursive=False, filter=clean)


SHEET_ROWS = "信息内容,本年新制作数量,本年新公开数量,对外公开总数量\n规章,13,13,524\n规范性文件,60,60,368\n"


def make_sheet(folder: Path, tmp: Path, profile: Path) -> None:
    """表二's first rows as an old binary workbook (Excel 97 / BIFF8, what WPS's .et holds),
    saved by LibreOffice Calc (Debian `libreoffice-calc-nogui`), for the .et conversion test."""
    csv = tmp / "table-2-calc.csv"
    csv.write_text(SHEET_ROWS, encoding="utf-8")
    # CSV filter options: comma, double quote, UTF-8 (76), from line 1.
    soffice(["--infilter=CSV:44,34,76,1", "--convert-to", "xls:MS Excel 97", "--outdir", str(tmp), str(csv)], profile)
    shutil.copy(tmp / "table-2-calc.xls", folder / "table-2-calc.et")


def check_tools() -> None:
    """The programs and the two fonts the fixtures are made with. Without WenQuanYi Zen Hei,
    Chromium falls back to Noto CJK, embedded as Type 3 fonts: twice the size, and a different
    fixture from the committed one (seen: the tarball grew from 2.6 to 4.4 MB)."""
    for tool in ("soffice", "chromium", "fc-match"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui "
                     "fonts-noto-cjk fonts-wqy-zenhei chromium")
    for font in (NOTO, BROWSER_FONT):
        found = subprocess.run(["fc-match", "-f", "%{family}", font], capture_output=True, text=True, check=True).stdout
        if font not in found:
            sys.exit(f"font {font!r} not installed (fc-match gives {found!r}): apt-get install fonts-noto-cjk fonts-wqy-zenhei")


def main() -> None:
    check_tools()
    if "--corpus" in sys.argv[1:]:
        corpus_main()
        return
    folders = {
        "docx": DOCX / "office-lo", "word": PDF / "office-word", "lo": PDF / "office-lo",
        "chrome": PDF / "office-chrome", "unruled": PDF / "office-chrome-unruled", "doc": DOCX / "office-doc",
    }
    for folder in folders.values():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="f-office-") as tmp_name:
        tmp = Path(tmp_name)
        profile = tmp / "profile"
        html_dir, docx_dir, lo_dir = tmp / "html", tmp / "docx", tmp / "lo"
        for d in (html_dir, docx_dir, lo_dir):
            d.mkdir()
        items = sources()
        for stem, body, _ in items:
            (html_dir / f"{stem}.html").write_text(body, encoding="utf-8")
            browser = body.replace(NOTO, BROWSER_FONT)
            (html_dir / f"{stem}-browser.html").write_text(browser, encoding="utf-8")
            (html_dir / f"{stem}-unruled.html").write_text(unruled(browser), encoding="utf-8")
        plain = [str(html_dir / f"{stem}.html") for stem, _, _ in items]
        soffice(["--convert-to", "docx:MS Word 2007 XML", "--outdir", str(docx_dir), *plain], profile)
        # HTML opened in Writer (not Writer/Web, whose PDF export loses the first page's text).
        soffice(["--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(lo_dir), *plain], profile)
        docxs = [str(docx_dir / f"{stem}.docx") for stem, _, _ in items]
        soffice(["--convert-to", "pdf:writer_pdf_Export", "--outdir", str(folders["word"]), *docxs], profile)
        soffice(["--convert-to", "doc:MS Word 97", "--outdir", str(folders["doc"]), docxs[1]], profile)
        for stem, _, gold in items:
            shutil.copy(docx_dir / f"{stem}.docx", folders["docx"] / f"{stem}.docx")
            write_gold(folders["docx"], f"{stem}.docx", gold)
            shutil.copy(lo_dir / f"{stem}.pdf", folders["lo"] / f"{stem}.pdf")
            write_gold(folders["lo"], f"{stem}.pdf", gold)
            write_gold(folders["word"], f"{stem}.pdf", gold)
            chrome(html_dir / f"{stem}-browser.html", folders["chrome"] / f"{stem}.pdf", tmp / "chrome")
            write_gold(folders["chrome"], f"{stem}.pdf", gold)
            if stem in UNRULED:
                chrome(html_dir / f"{stem}-unruled.html", folders["unruled"] / f"{stem}.pdf", tmp / "chrome")
                write_gold(folders["unruled"], f"{stem}.pdf", gold)
        make_sheet(folders["doc"], tmp, profile)
        doc_name = Path(docxs[1]).stem + ".doc"
        write_gold(folders["doc"], doc_name, items[1][2])
    total = sum(p.stat().st_size for f in folders.values() for p in f.rglob("*") if p.is_file())
    print(f"wrote {len(items)} reports x {len(folders)} producers, {total / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
