"""One raw file → ParsedReport (the golden files' JSON shape plus flags, checks, provenance)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from disclosure import vocabulary as v
from disclosure.checks import CheckResult, narrative_checks, run_checks
from disclosure.identify import Identity, identify
from disclosure.keys import FIRST_YEAR
from disclosure.labels import fold_space
from disclosure.model import Document, RejectedReport, report_id  # report_id: re-exported (its one home)
from disclosure.readers import read
from disclosure.schema import lake_value
from disclosure.tables import CellOut, Tables, extract

if TYPE_CHECKING:
    from disclosure.ocr import OcrSettings

_PRE2019_MARKERS = v.PRE2019_MARKERS


@dataclass
class ParsedReport:
    report_id: str
    source_file: str
    n_bytes: int
    doc_format: str
    identity: Identity
    tables: Tables
    checks: list[CheckResult]
    sections: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def template(self) -> str:
        if self.tables.template_active:
            return self.tables.template_active
        return "2021" if (self.identity.year or 0) >= 2021 else "2019"

    @property
    def resolution(self):
        """The registry's canonical body for the printed agency (None without an agency)."""
        from disclosure.registry import default_registry

        name = self.identity.agency
        return default_registry().resolve(name) if name else None

    def resolution_dict(self) -> dict | None:
        r = self.resolution
        if r is None:
            return None
        return {"canonical_name": r.canonical_name, "agency_id": r.agency_id, "match": r.match}

    def cells(self):
        """(table, key, applicant | None, CellOut) for every statistical cell."""
        for key, c in self.tables.active.items():
            yield "active_disclosure", key, None, c
        for row, cols in self.tables.applications.items():
            if row == "other_handling" and self.tables.applications_layout == "2021" and self.tables.layout_decided:
                continue  # the 2021 layout has no one-row 其他处理; its sub-rows carry it
            for a, c in cols.items():
                yield "applications", row, a, c
        for key, c in self.tables.review.items():
            yield "review_litigation", key, None, c

    def to_json_dict(self) -> dict:
        def path(table: str, key: str, a: str | None) -> str:
            return f"{table}.{key}" + (f".{a}" if a else "")

        flags: dict[str, list[str]] = {}
        provenance: dict[str, dict] = {}
        raw_text: dict[str, str] = {}
        for table, key, a, c in self.cells():
            p = path(table, key, a)
            if c.flags:
                flags[p] = sorted(set(c.flags))
            if c.raw is not None:
                entry = {"text": c.raw, "where": c.where}
                if c.candidates is not None:
                    entry["candidates"] = c.candidates
                if c.confidence is not None:
                    entry["confidence"] = c.confidence
                provenance[p] = entry
            if table == "active_disclosure" and c.raw is not None and ("unit_converted" in c.flags or "annotated" in c.flags):
                raw_text[p] = c.raw
        ident = self.identity
        apps: dict[str, dict] = {}
        for row in v.ALL_APPLICATION_ROWS:
            if row == "other_handling" and self.tables.applications_layout == "2021" and self.tables.layout_decided:
                continue
            cells = self.tables.applications.get(row, {})
            apps[row] = {a: lake_value(cells[a].value, cells[a].flags) if a in cells else None for a in v.APPLICANTS}
        return {
            "file": self.source_file,
            "report_id": self.report_id,
            "agency": ident.agency,
            "year": ident.year,
            "template": self.template,
            "active_disclosure": {k: lake_value(c.value, c.flags) for k, c in self.tables.active.items()},
            "applications": apps,
            "review_litigation": {k: lake_value(self.tables.review[k].value, self.tables.review[k].flags)
                                  for k in v.REVIEW_LITIGATION_KEYS},
            "raw_text": raw_text,
            "flags": flags,
            "checks": [c.as_dict() for c in self.checks],
            "provenance": provenance,
            "identity_sources": {
                **ident.sources_dict(),
                "registry": self.resolution_dict(),
                "template": {"value": self.template, "source": "table 二 headers" if self.tables.template_active else "year"},
            },
            "format": self.doc_format,
            "applications_layout": self.tables.applications_layout,
            "warnings": self.tables.warnings + self.notes,
        }


def body_text(doc: Document, texts: list[str] | None = None) -> str:
    return "\n".join(texts if texts is not None else [line.text for line in doc.lines])


_HEADINGS = {
    "overview": re.compile(r"[一1]\s*[、.．]\s*总\s*体\s*情\s*况"),
    "active": re.compile(r"[二2一]\s*[、.．]\s*主动公开政府信息情况"),
    "problems": re.compile(r"[五5三四]\s*[、.．]\s*(?:政府信息公开工作)?存在的主要问题"),
    "other_matters": re.compile(r"[六6五]\s*[、.．]\s*其他需要报告的事项"),
}


def split_sections(body: str) -> dict[str, str]:
    """Narrative sections 一 (overview), 五 (problems), 六 (other matters) as folded text.

    Works on the whole body rather than on lines: crawler text holds a report on one line.
    """
    found: dict[str, re.Match[str]] = {}
    pos = 0
    for name, pattern in _HEADINGS.items():
        m = pattern.search(body, pos)
        if m:
            found[name] = m
            pos = m.end()
    out: dict[str, str] = {}
    if "overview" in found:
        stop = found["active"].start() if "active" in found else found["overview"].end() + 5000
        out["overview"] = body[found["overview"].start() : stop]
    if "problems" in found:
        stop = found["other_matters"].start() if "other_matters" in found else len(body)
        out["problems"] = body[found["problems"].start() : stop]
    if "other_matters" in found:
        out["other_matters"] = body[found["other_matters"].start() :]
    return {k: folded for k, t in out.items() if (folded := fold_space(t))}  # each section folded once


_REPORT_TITLE = re.compile(r"(\d{4})\s*年\s*度?[^。，]{0,30}?年度报告")


def _second_report(texts: list[str], tables: Tables) -> str | None:
    """The title of another report printed after this one's tables, if any."""
    end = max((b for _, b in tables.regions.values()), default=0)
    for t in texts[end:]:
        if len(t) <= 80 and _REPORT_TITLE.search(t) and not re.search(r"[。，,；;]", t):
            return t.strip()
    return None


def _flag_cells_not_found(tables: Tables, year: int | None) -> None:
    """Every cell the report's template defines is in the output: a table that was not found
    or not read still lists its cells, null and flagged `not_found`. The template is table 二's
    when its headers told it, else the year's; a 2019-template table 三 has the one-row 其他处理."""
    template = tables.template_active or ("2021" if (year or 0) >= 2021 else "2019")
    if "active" not in tables.found:
        for key in v.active_keys(template):
            tables.active.setdefault(key, CellOut(None, None, "", ["not_found"]))
    if "applications" not in tables.found:
        # A 2021-template report may print 其他处理 as one row too: with no label read, the
        # rows of both layouts are listed, all `not_found`.
        layout = "one_row_other" if template == "2019" else "2021"
        tables.applications_layout = layout
        tables.layout_decided = template == "2019"
        rows = v.APPLICATION_ROWS_ONE_ROW_OTHER if template == "2019" else v.ALL_APPLICATION_ROWS
        for key in v.ALL_APPLICATION_ROWS:
            flags = ["not_found"] if key in rows else []
            tables.applications[key] = {a: CellOut(None, None, "", list(flags)) for a in v.APPLICANTS}


TEMPLATE_YEARS: dict[str, tuple[int, int]] = {"2019": (2019, 2020), "2021": (2021, 9999)}
"""Report years each national template was prescribed for (the 2021 template from the reports on 2021)."""


def template_warnings(tables: Tables, year: int | None) -> list[str]:
    """A table on a template that was not in force for the report's year: a finding, not a fix."""
    out = []
    if year is None:
        return out
    for what, template in (("table 二", tables.template_active), ("table 三", tables.applications_layout)):
        span = TEMPLATE_YEARS.get(template or "")
        if span and not span[0] <= year <= span[1]:
            out.append(f"template_year_mismatch: {what} uses the {template} template but the report is on {year}")
    return out


def parse_bytes(data: bytes, path: str | Path = "", *, agency: str | None = None, year: int | None = None,
                caller_source: str = "caller", ocr: OcrSettings | None = None) -> ParsedReport:
    """Parse one report. Raises RejectedReport (with a reason code) for what it cannot read.
    With `ocr` settings, scanned PDFs and page images are read by OCR (readers/image.py)."""
    path = str(path)
    doc = read(data, path, ocr=ocr)
    return parse_document(doc, data, path, agency=agency, year=year, caller_source=caller_source)


def _squeezed(body: str) -> str:
    """The body without whitespace: words a page breaks over lines or spaces read whole."""
    return "".join(body.split())


def mentions_disclosure(body: str) -> bool:
    """Whether the body names 信息公开 (政府信息公开 holds it), whitespace taken out. Printed
    whole it is in the body as it stands: the whitespace-free copy (~0.15 ms on a long page)
    is made only when it is not."""
    return "信息公开" in body or "信息公开" in _squeezed(body)


def _pre2019(body: str) -> bool:
    """Whether the body prints the pre-2019 template's words (two of them or more)."""
    norm = _squeezed(body)
    return sum(m in norm for m in _PRE2019_MARKERS) >= 2


def parse_document(doc: Document, data: bytes, path: str, *, agency: str | None = None, year: int | None = None,
                   caller_source: str = "caller") -> ParsedReport:
    texts = [line.text for line in doc.lines]
    body = body_text(doc, texts)
    if not mentions_disclosure(body):
        raise RejectedReport("not_a_report", "no mention of 政府信息公开: not a disclosure annual report", path)
    tables = extract(doc, body, texts)
    if doc.format == "ocr":
        from disclosure.ocr_cells import mark_cells

        mark_cells(tables, doc)
    if not tables.found:
        if _pre2019(body):
            raise RejectedReport("pre2019_template", "tables use the pre-2019 layout (当面申请/同意公开…), which has no canonical keys", path)
        raise RejectedReport("no_statistical_tables", "found none of table 二 (主动公开), 三 (申请情况) or 四 (复议诉讼)", path)
    if "applications" not in tables.found and _pre2019(body):
        raise RejectedReport("pre2019_template", "tables use the pre-2019 layout (当面申请/同意公开…), which has no canonical keys", path)
    ident = identify(doc, body, agency=agency, year=year, path=path, caller_source=caller_source)
    _flag_cells_not_found(tables, ident.year)
    notes = list(doc.notes)
    sections = split_sections(body)
    second = _second_report(texts, tables)
    notes += template_warnings(tables, ident.year)
    if second:
        notes.append(f"the file holds a second report after the first ({second!r}); only the first was parsed")
    if ident.year is not None and ident.year < FIRST_YEAR and year is None:
        raise RejectedReport("pre2019_template", f"report on {ident.year}: reports before 2019 follow no national table", path)
    return ParsedReport(
        report_id=report_id(data),
        source_file=Path(path).name,
        n_bytes=len(data),
        doc_format=doc.format,
        identity=ident,
        tables=tables,
        checks=run_checks(tables) + narrative_checks(tables, sections.get("overview", body[:20000])),
        sections=sections,
        notes=notes,
    )


def parse_file(path: str | Path, *, agency: str | None = None, year: int | None = None,
               ocr: OcrSettings | None = None) -> ParsedReport:
    p = Path(path)
    from disclosure.readers import refuse_too_large

    refuse_too_large(p.stat().st_size, str(p))
    return parse_bytes(p.read_bytes(), p, agency=agency, year=year, ocr=ocr)

