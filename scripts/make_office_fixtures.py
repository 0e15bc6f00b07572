"""Build the office-made PDF and DOCX fixtures from the corpus reports' own markup.

    .venv/bin/python scripts/make_office_fixtures.py       # writes tests/fixtures/{pdf,docx}/office-*/

Needs (fixture building only, never the tests): Debian `libreoffice-writer-nogui`,
`fonts-noto-cjk`, `fonts-wqy-zenhei` and `chromium`. Each source is a corpus report that has a table form: the
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
Also writes `docx/office-doc/*.doc` (Word 97 from the DOCX) for the conversion test.

    .venv/bin/python scripts/make_office_fixtures.py --corpus   # writes tests/fixtures/office-corpus.tar.xz

`--corpus`: the same markup filled with EVERY corpus report on the 2021 template whose 表三 has
the markup's rows (21 reports besides the folders above), each made by the
three PDF producers (Word-like, LibreOffice, browser print) and as DOCX, one folder per
producer under `office-corpus/` (each with `expected/`), committed as one xz tarball: the
PDFs embed nearly the same font subsets, which xz stores once (about 11 MB of PDFs in a few MB). The 2019-template reports have no
Word-exported markup in the corpus to fill (sh-gov-office-2019's 表二 is laid out otherwise),
and hongze's 表三 prints an extra row; they are left out.
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


def corpus_main() -> None:
    """Every corpus donor through every producer, into tests/fixtures/office-corpus/."""
    markup = (CORPUS / FILL_MARKUP).read_text(encoding="utf-8")
    source = golden(FILL_MARKUP + ".json")
    out_dir = Path(tempfile.mkdtemp(prefix="f-office-corpus-"))
    folders = {name: out_dir / "office-corpus" / name for name in CORPUS_PRODUCERS}
    for folder in folders.values():
        folder.mkdir(parents=True)
    items = []
    for donor_name in corpus_donors():
        gold = {**golden(donor_name), "agency": source["agency"], "year": source["year"]}
        gold.pop("raw_text", None)
        stem = f"filled-{donor_name.rsplit('.', 2)[0]}"
        body = page(filled_markup(markup, source, golden(donor_name)), None, one_weight=True)
        items.append((stem, shortened(body), gold))
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


def main() -> None:
    if "--corpus" in sys.argv[1:]:
        corpus_main()
        return
    for tool in ("soffice", "chromium"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: apt-get install libreoffice-writer-nogui fonts-noto-cjk chromium")
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
        doc_name = Path(docxs[1]).stem + ".doc"
        write_gold(folders["doc"], doc_name, items[1][2])
    total = sum(p.stat().st_size for f in folders.values() for p in f.rglob("*") if p.is_file())
    print(f"wrote {len(items)} reports x {len(folders)} producers, {total / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
