"""Build the committed PDF and DOCX fixtures from the corpus golden files.

    .venv/bin/python scripts/make_fixtures.py            # writes tests/fixtures/{pdf,docx}/

Each fixture lays out one corpus report's statistical tables from its golden JSON (blank for
null, the printed `raw_text` where the golden file records one) in the national template's
table shapes, with a title and the 统计期限 sentence, and is written with real tools:

* DOCX: python-docx, with merged cells as Word makes them (gridSpan for the header groups,
  vMerge for 三、本年度办理结果 and the group labels （三）不予公开 … （六）其他处理).
* PDF: WeasyPrint with the Debian font fonts-wqy-zenhei (subset into the file); the HTML
  repeats table headers (<thead>) after a page break, the vertical label 三、本年度办理结果 is
  a one-character-wide cell, and filler prose pushes 表三 across a page break.

The golden JSON of each fixture is the SOURCE report's golden file with only "file" changed.
The rejection fixtures are built here too (scanned-like image-only PDF, encrypted PDF,
truncated PDF, a .doc with an OLE2 header). Needs (dev only): python-docx, weasyprint, pypdf,
pillow and fonts-wqy-zenhei.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "reports"
PDF_DIR = ROOT / "tests" / "fixtures" / "pdf"
DOCX_DIR = ROOT / "tests" / "fixtures" / "docx"
PDF_REJECT_DIR = PDF_DIR / "reject"
DOCX_REJECT_DIR = DOCX_DIR / "reject"
FONT_FAMILY = "WenQuanYi Zen Hei"

# (source golden file, fixture name, whether 表三 must cross a page break)
PDF_REPORTS = [
    ("huaian-gov-2024.pdf.json", "huaian-gov-2024-weasy.pdf", True),
    ("sh-gov-office-2019.html.json", "sh-gov-office-2019-weasy.pdf", True),
    ("hongze-gov-2023.txt.json", "hongze-gov-2023-weasy.pdf", False),
]
# (source golden file, fixture name, whether 表三's labels are numbered by Word (w:numPr))
DOCX_REPORTS = [
    ("huaian-gov-2024.pdf.json", "huaian-gov-2024-word.docx", False),
    ("sh-gov-office-2019.html.json", "sh-gov-office-2019-word.docx", False),
    ("pingtan-2021.txt.json", "pingtan-2021-word.docx", True),
    ("hongze-gov-2024.txt.json", "hongze-gov-2024-word.docx", False),
]

APPLICANTS = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
]
WITHHELD = [
    ("state_secret", "1.属于国家秘密"),
    ("prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("endangers_security", "3.危及“三安全一稳定”"),
    ("third_party_rights", "4.保护第三方合法权益"),
    ("internal_affairs", "5.属于三类内部事务信息"),
    ("process_info", "6.属于四类过程性信息"),
    ("enforcement_file", "7.属于行政执法案卷"),
    ("administrative_query", "8.属于行政查询事项"),
]
UNABLE = [
    ("not_held", "1.本机关不掌握相关政府信息"),
    ("needs_creation", "2.没有现成信息需要另行制作"),
    ("unclear_after_correction", "3.补正后申请内容仍不明确"),
]
NOT_PROCESSED = [
    ("petition", "1.信访举报投诉类申请"),
    ("duplicate", "2.重复申请"),
    ("publication", "3.要求提供公开出版物"),
    ("mass_repetitive", "4.无正当理由大量反复申请"),
    ("confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
]
OTHER_HANDLING = [
    ("overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("overdue_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other", "3.其他"),
]
REVIEW_HEAD = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]
FILLER = (
    "本机关坚持以公开为常态、不公开为例外，围绕重点领域信息公开，持续完善公开目录，规范公开流程，"
    "加强政策解读与回应关切，推动政务公开标准化规范化建设，不断提升政府信息公开工作质量和公众满意度。"
)


@dataclass(frozen=True)
class Grid:
    """A table as rows of (text, colspan, rowspan) cells, HTML-style (covered slots omitted)."""

    rows: list[list[tuple[str, int, int]]]
    head_rows: int = 0


def printed(gold: dict, table: str, key: str, value: object) -> str:
    """The text a report prints for one golden value."""
    raw = (gold.get("raw_text") or {}).get(f"{table}.{key}")
    if raw is not None:
        return str(raw)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table_two(gold: dict) -> Grid:
    ad = gold["active_disclosure"]

    def v(key: str) -> str:
        return printed(gold, "active_disclosure", key, ad.get(key))

    if gold["template"] == "2021":
        rows = [
            [("第二十条第（一）项", 4, 1)],
            [("信息内容", 1, 1), ("本年制发件数", 1, 1), ("本年废止件数", 1, 1), ("现行有效件数", 1, 1)],
            [
                ("规章", 1, 1),
                (v("regulations.issued"), 1, 1),
                (v("regulations.abolished"), 1, 1),
                (v("regulations.in_force"), 1, 1),
            ],
            [
                ("行政规范性文件", 1, 1),
                (v("normative_documents.issued"), 1, 1),
                (v("normative_documents.abolished"), 1, 1),
                (v("normative_documents.in_force"), 1, 1),
            ],
            [("第二十条第（五）项", 4, 1)],
            [("信息内容", 1, 1), ("本年处理决定数量", 3, 1)],
            [("行政许可", 1, 1), (v("licensing.decisions"), 3, 1)],
            [("第二十条第（六）项", 4, 1)],
            [("信息内容", 1, 1), ("本年处理决定数量", 3, 1)],
            [("行政处罚", 1, 1), (v("punishment.decisions"), 3, 1)],
            [("行政强制", 1, 1), (v("enforcement.decisions"), 3, 1)],
            [("第二十条第（八）项", 4, 1)],
            [("信息内容", 1, 1), ("本年收费金额（单位：万元）", 3, 1)],
            [("行政事业性收费", 1, 1), (v("fees.amount_10k_yuan"), 3, 1)],
        ]
        return Grid(rows)
    services = [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")]
    sanctions = [("punishment", "行政处罚"), ("enforcement", "行政强制")]
    head = [("信息内容", 1, 1), ("上一年项目数量", 1, 1), ("本年增/减", 1, 1), ("处理决定数量", 1, 1)]
    rows = [
        [("第二十条第（一）项", 4, 1)],
        [("信息内容", 1, 1), ("本年新制作数量", 1, 1), ("本年新公开数量", 1, 1), ("对外公开总数量", 1, 1)],
        *[
            [
                (label, 1, 1),
                (v(f"{k}.made"), 1, 1),
                (v(f"{k}.published"), 1, 1),
                (v(f"{k}.total_public"), 1, 1),
            ]
            for k, label in (("regulations", "规章"), ("normative_documents", "规范性文件"))
        ],
        [("第二十条第（五）项", 4, 1)],
        head,
        *[
            [
                (label, 1, 1),
                (v(f"{k}.prev_items"), 1, 1),
                (v(f"{k}.change"), 1, 1),
                (v(f"{k}.decisions"), 1, 1),
            ]
            for k, label in services
        ],
        [("第二十条第（六）项", 4, 1)],
        head,
        *[
            [
                (label, 1, 1),
                (v(f"{k}.prev_items"), 1, 1),
                (v(f"{k}.change"), 1, 1),
                (v(f"{k}.decisions"), 1, 1),
            ]
            for k, label in sanctions
        ],
        [("第二十条第（八）项", 4, 1)],
        [("信息内容", 1, 1), ("上一年项目数量", 1, 1), ("本年增/减", 2, 1)],
        [("行政事业性收费", 1, 1), (v("fees.prev_items"), 1, 1), (v("fees.change"), 2, 1)],
        [("第二十条第（九）项", 4, 1)],
        [("信息内容", 1, 1), ("采购项目数量", 1, 1), ("采购总金额", 2, 1)],
        [("政府集中采购", 1, 1), (v("procurement.items"), 1, 1), (v("procurement.amount_10k_yuan"), 2, 1)],
    ]
    return Grid(rows)


def table_three(gold: dict) -> Grid:
    apps = gold["applications"]

    def values(row: str) -> list[tuple[str, int, int]]:
        cols = apps.get(row) or {}
        return [(printed(gold, "applications", f"{row}.{c}", cols.get(c)), 1, 1) for c in APPLICANTS]

    one_other_row = "other_handling" in apps
    groups = [
        ("（三）不予公开", "withheld", WITHHELD),
        ("（四）无法提供", "unable", UNABLE),
        ("（五）不予处理", "not_processed", NOT_PROCESSED),
    ]
    if not one_other_row:
        groups.append(("（六）其他处理", "other_handling", OTHER_HANDLING))
    n_results = 3 + sum(len(items) for _, _, items in groups) + (1 if one_other_row else 0)
    rows: list[list[tuple[str, int, int]]] = [
        [
            ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
            ("申请人情况", 7, 1),
        ],
        [("自然人", 1, 2), ("法人或其他组织", 5, 1), ("总计", 1, 2)],
        [
            ("商业企业", 1, 1),
            ("科研机构", 1, 1),
            ("社会公益组织", 1, 1),
            ("法律服务机构", 1, 1),
            ("其他", 1, 1),
        ],
        [("一、本年新收政府信息公开申请数量", 3, 1), *values("new_received")],
        [("二、上年结转政府信息公开申请数量", 3, 1), *values("carried_over")],
        [("三、本年度办理结果", 1, n_results), ("（一）予以公开", 2, 1), *values("granted")],
        [("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 2, 1), *values("partially_granted")],
    ]
    for group_label, prefix, items in groups:
        for i, (key, label) in enumerate(items):
            lead = [(group_label, 1, len(items))] if i == 0 else []
            rows.append([*lead, (label, 1, 1), *values(f"{prefix}.{key}")])
    if one_other_row:
        rows.append([("（六）其他处理", 2, 1), *values("other_handling")])
    rows.append([("（七）总计", 2, 1), *values("results_total")])
    rows.append([("四、结转下年度继续办理", 3, 1), *values("carried_forward")])
    return Grid(rows, head_rows=3)


def table_four(gold: dict) -> Grid:
    rl = gold["review_litigation"]
    data = [
        (printed(gold, "review_litigation", f"{p}.{o}", rl.get(f"{p}.{o}")), 1, 1)
        for p in ("review", "litigation_direct", "litigation_after_review")
        for o in OUTCOMES
    ]
    rows = [
        [("行政复议", 5, 1), ("行政诉讼", 10, 1)],
        [*[(h, 1, 2) for h in REVIEW_HEAD], ("未经复议直接起诉", 5, 1), ("复议后起诉", 5, 1)],
        [(h, 1, 1) for h in REVIEW_HEAD * 2],
        data,
    ]
    return Grid(rows, head_rows=3)


def prose(gold: dict) -> tuple[str, list[str]]:
    year, agency = gold["year"], gold["agency"]
    title = f"{agency}{year}年政府信息公开工作年度报告"
    intro = (
        f"本报告根据《中华人民共和国政府信息公开条例》规定编制。报告所列统计期限自{year}年1月1日至"
        f"{year}年12月31日。"
    )
    return title, [intro, "一、总体情况", FILLER]


# --------------------------------------------------------------------------- DOCX


def build_docx(gold: dict, numbered: bool = False) -> bytes:
    from docx import Document as WordDocument
    from docx.shared import Pt

    doc = WordDocument()
    style = doc.styles["Normal"]
    style.font.size = Pt(10.5)
    title, paragraphs = prose(gold)
    doc.core_properties.title = title
    doc.add_paragraph(title)
    for text in paragraphs:
        doc.add_paragraph(text)
    sections = [
        ("二、主动公开政府信息情况", table_two(gold)),
        ("三、收到和处理政府信息公开申请情况", table_three(gold)),
        ("四、政府信息公开行政复议、行政诉讼情况", table_four(gold)),
    ]
    numbering = WordNumbering(doc) if numbered else None
    for heading, grid in sections:
        doc.add_paragraph(heading)
        _docx_table(doc, grid, numbering if "申请" in heading else None)
    doc.add_paragraph("五、存在的主要问题及改进情况")
    doc.add_paragraph(FILLER)
    out = io.BytesIO()
    doc.save(out)
    return fixed_zip_times(out.getvalue())


def fixed_zip_times(data: bytes) -> bytes:
    """The same zip with every member dated 1980-01-01, so rebuilding gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


class WordNumbering:
    """Word auto-numbering for 表三's labels: （一）…（七） in one list, 1. 2. … restarting
    in each group, so the printed numbers exist only as w:numPr (the reader must render them)."""

    GROUP = re.compile(r"^（([一二三四五六七])）")
    ITEM = re.compile(r"^(\d)\.")

    def __init__(self, doc: object) -> None:
        from docx.oxml import parse_xml

        self._parse = parse_xml
        self._root = doc.part.numbering_part.element  # type: ignore[attr-defined]
        self._next_id = 900
        self.groups = self._new_list("chineseCounting", "（%1）")
        self.items: int | None = None

    def _new_list(self, fmt: str, text: str) -> int:
        ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        self._next_id += 1
        abstract = self._parse(
            f'<w:abstractNum {ns} w:abstractNumId="{self._next_id}"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl></w:abstractNum>'
        )
        num = self._parse(
            f'<w:num {ns} w:numId="{self._next_id}"><w:abstractNumId w:val="{self._next_id}"/></w:num>'
        )
        first_num = self._root.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
        if first_num is not None:
            first_num.addprevious(abstract)  # abstractNum elements come before num elements
        else:
            self._root.append(abstract)
        self._root.append(num)
        return self._next_id

    def write(self, cell: object, text: str) -> None:
        """Write a label into a cell, its leading number as Word auto-numbering."""
        from docx.oxml import parse_xml

        ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        if self.GROUP.match(text):
            num_id, text = self.groups, self.GROUP.sub("", text)
            self.items = None  # the next "1." starts a new list
        elif self.ITEM.match(text):
            if self.items is None:
                self.items = self._new_list("decimal", "%1.")
            num_id, text = self.items, self.ITEM.sub("", text)
        else:
            num_id = 0
        cell.text = text  # type: ignore[attr-defined]
        if num_id:
            ppr = cell.paragraphs[0]._p.get_or_add_pPr()  # type: ignore[attr-defined]
            ppr.append(parse_xml(f'<w:numPr {ns}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _docx_table(doc: object, grid: Grid, numbering: WordNumbering | None = None) -> None:
    """Lay an HTML-style grid into a Word table, merging cells as Word does."""
    n_cols = sum(span for _, span, _ in grid.rows[-1]) if grid.rows else 0
    n_cols = max(n_cols, max(sum(s for _, s, _ in row) for row in grid.rows))
    placed = _place(grid)
    table = doc.add_table(rows=len(grid.rows), cols=n_cols)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for r, c, text, colspan, rowspan in placed:
        cell = table.cell(r, c)
        if colspan > 1 or rowspan > 1:
            cell = cell.merge(table.cell(r + rowspan - 1, c + colspan - 1))
        if numbering is not None:
            numbering.write(cell, text)
        else:
            cell.text = text


def _place(grid: Grid) -> list[tuple[int, int, str, int, int]]:
    """Grid positions of HTML-style cells (row, col, text, colspan, rowspan)."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(grid.rows):
        c = 0
        for text, colspan, rowspan in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, text, colspan, rowspan))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            c += colspan
    return out


# --------------------------------------------------------------------------- PDF

CSS = f"""
@page {{ size: A4; margin: 22mm 20mm; @bottom-center {{ content: "-" counter(page) "-"; font-size: 9pt; }} }}
body {{ font-family: "{FONT_FAMILY}"; font-size: 10.5pt; line-height: 1.6; }}
h1 {{ font-size: 16pt; text-align: center; font-weight: normal; }}
p {{ text-indent: 2em; margin: 0.2em 0; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.5em 0; font-size: 9pt; }}
td {{ border: 0.6pt solid black; padding: 3pt 4pt; text-align: center; vertical-align: middle; }}
td.label {{ text-align: left; }}
td.vertical {{ width: 1em; padding: 2pt 1pt; }}
tr {{ page-break-inside: avoid; }}
"""


def _html_table(grid: Grid, vertical: str | None = None) -> str:
    def row_html(row: list[tuple[str, int, int]]) -> str:
        cells = []
        for text, colspan, rowspan in row:
            attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (
                f' rowspan="{rowspan}"' if rowspan > 1 else ""
            )
            is_number = text.replace(".", "").replace("-", "").replace("+", "").isdigit() or text == ""
            cls = "vertical" if text == vertical else ("" if is_number else "label")
            cells.append(f'<td class="{cls}"{attrs}>{html.escape(text)}</td>')
        return "<tr>" + "".join(cells) + "</tr>"

    head = "".join(row_html(r) for r in grid.rows[: grid.head_rows])
    body = "".join(row_html(r) for r in grid.rows[grid.head_rows :])
    return f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"


FIXED_DATES = (
    "<meta name='dcterms.created' content='2025-01-01'><meta name='dcterms.modified' content='2025-01-01'>"
)


def build_pdf(gold: dict, filler: int) -> bytes:
    from weasyprint import HTML

    title, paragraphs = prose(gold)
    parts = [f"<h1>{html.escape(title)}</h1>"]
    parts += [f"<p>{html.escape(t)}</p>" for t in paragraphs]
    parts.append("<p>二、主动公开政府信息情况</p>")
    parts.append(_html_table(table_two(gold)))
    parts += [f"<p>{html.escape(FILLER)}</p>"] * filler
    parts.append("<p>三、收到和处理政府信息公开申请情况</p>")
    parts.append(_html_table(table_three(gold), vertical="三、本年度办理结果"))
    parts.append("<p>四、政府信息公开行政复议、行政诉讼情况</p>")
    parts.append(_html_table(table_four(gold)))
    parts.append("<p>五、存在的主要问题及改进情况</p>")
    parts.append(f"<p>{html.escape(FILLER)}</p>")
    document = f"<html><head><meta charset='utf-8'>{FIXED_DATES}<title>{html.escape(title)}</title><style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    # a fixed identifier and dates make the build reproducible (same bytes on every run)
    return HTML(string=document).write_pdf(pdf_identifier=b"disclosure-lake-fixture")


def table_three_pages(data: bytes) -> tuple[int, int]:
    """Pages (1-based) holding the first and the last data row of 表三."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    first = last = 0
    for i in range(len(pdf)):
        text = pdf[i].get_textpage().get_text_range().replace(" ", "")
        if "（一）予以公开" in text and not first:
            first = i + 1
        if "四、结转下年度继续办理" in text:
            last = i + 1
    pdf.close()
    return first, last


def _filler_for_break(gold: dict) -> int:
    """The least filler that puts 表三's rows on two pages with several rows after the break."""
    for filler in range(0, 30):
        data = build_pdf(gold, filler)
        first, last = table_three_pages(data)
        # the break must fall between rows of （三）… and （六）…: check 1.属于国家秘密 stays before
        if first and last > first and _page_of(data, "1.属于国家秘密") == first:
            return filler
    raise RuntimeError("could not make 表三 cross a page break")


def _page_of(data: bytes, needle: str) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            if needle in pdf[i].get_textpage().get_text_range().replace(" ", ""):
                return i + 1
        return 0
    finally:
        pdf.close()


# --------------------------------------------------------------------------- rejections


def scanned_pdf() -> bytes:
    """Two pages that are only images of text (no text layer), as a scanner makes them."""
    from PIL import Image, ImageDraw

    pages = []
    for n in range(2):
        img = Image.new("L", (420, 595), 255)
        draw = ImageDraw.Draw(img)
        for y in range(60, 560, 18):
            draw.line((40, y, 380 - (n * 37 + y) % 90, y), fill=0, width=6)
        pages.append(img)
    out = io.BytesIO()
    when = time.gmtime(1735689600)  # fixed dates: the same bytes on every build
    pages[0].save(
        out,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=50.0,
        creationDate=when,
        modDate=when,
    )
    return out.getvalue()


def encrypted_pdf(source: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password="secret", owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def turned_pdf(source: bytes) -> bytes:
    """Every page drawn turned a quarter left in user space and shown upright by /Rotate 90,
    as landscape-table pages of some exported reports are."""
    from pypdf import PdfReader, PdfWriter, Transformation

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        page.add_transformation(Transformation().rotate(90).translate(tx=height, ty=0))
        page.mediabox.upper_right = (height, width)
        page.rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def owner_locked_pdf(source: bytes) -> bytes:
    """Encrypted with an owner password only (no password to open): must still be read."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def fake_doc() -> bytes:
    """The first sector of an OLE2 compound file, as old .doc/.wps files start."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1C] = b"\x3e\x00\x03\x00"  # minor/major version
    header[0x1C:0x1E] = b"\xfe\xff"  # byte order
    header[0x1E:0x20] = b"\x09\x00"  # sector shift (512)
    body = "WordDocument 淮安市人民政府2024年政府信息公开工作年度报告".encode("utf-16-le")
    return bytes(header) + body + bytes(512 - len(body) % 512)


# --------------------------------------------------------------------------- main


def write_golden(folder: Path, source: str, name: str) -> dict:
    gold = json.loads((CORPUS / "expected" / source).read_text(encoding="utf-8"))
    copy = dict(gold)
    copy["file"] = name
    (folder / "expected").mkdir(parents=True, exist_ok=True)
    (folder / "expected" / f"{name}.json").write_text(
        json.dumps(copy, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return gold


def main() -> None:
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1735689600")  # fontTools stamps subset fonts with it
    PDF_DIR.mkdir(parents=True, exist_ok=True)
    DOCX_DIR.mkdir(parents=True, exist_ok=True)
    PDF_REJECT_DIR.mkdir(parents=True, exist_ok=True)
    DOCX_REJECT_DIR.mkdir(parents=True, exist_ok=True)
    for source, name, cross in PDF_REPORTS:
        gold = write_golden(PDF_DIR, source, name)
        data = build_pdf(gold, _filler_for_break(gold) if cross else 0)
        (PDF_DIR / name).write_bytes(data)
        print(f"{name}: {len(data) // 1024} KB")
    for source, name, numbered in DOCX_REPORTS:
        gold = write_golden(DOCX_DIR, source, name)
        data = build_docx(gold, numbered)
        (DOCX_DIR / name).write_bytes(data)
        print(f"{name}: {len(data) // 1024} KB")
    first = (PDF_DIR / PDF_REPORTS[0][1]).read_bytes()
    variants = {
        "huaian-gov-2024-weasy-rotated.pdf": turned_pdf(first),
        "huaian-gov-2024-weasy-owner-locked.pdf": owner_locked_pdf(first),
    }
    for name, data in variants.items():
        write_golden(PDF_DIR, PDF_REPORTS[0][0], name)
        (PDF_DIR / name).write_bytes(data)
        print(f"{name}: {len(data) // 1024} KB")
    rejects = {
        PDF_REJECT_DIR / "scanned.pdf": scanned_pdf(),
        PDF_REJECT_DIR / "encrypted.pdf": encrypted_pdf(first),
        PDF_REJECT_DIR / "truncated.pdf": first[: len(first) // 2],
        DOCX_REJECT_DIR / "old-word.doc": fake_doc(),
    }
    for target, data in rejects.items():
        target.write_bytes(data)
        print(f"{target.relative_to(ROOT)}: {len(data) // 1024} KB")


if __name__ == "__main__":
    main()
