"""Format sniffing and dispatch: raw bytes → Document."""

from __future__ import annotations

from pathlib import PurePath

from disclosure.model import Document, RejectedReport

MAX_BYTES = 50 * 1024 * 1024 - 1  # a 50 MB input is refused before it is read into a parser

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes, path: str = "") -> str:
    ext = PurePath(path).suffix.lower()
    head = data[:2048].lstrip()
    if data.startswith(b"%PDF") or ext == ".pdf":
        return "pdf"
    if data.startswith(b"PK\x03\x04") or ext == ".docx":
        return "docx"
    if data.startswith(_OLE) or ext in (".doc", ".wps", ".xls", ".et"):
        return "ole"
    low = head[:2048].lower()
    if ext in (".html", ".htm", ".shtml", ".xhtml") or low.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in data[:200000].lower():
        return "html"
    return "text"


def read(data: bytes, path: str = "") -> Document:
    """Read one raw file. Raises RejectedReport for what no reader can read."""
    if len(data) > MAX_BYTES:
        raise RejectedReport("too_large", f"{len(data):,} bytes; reports are at most {MAX_BYTES + 1:,} bytes", path)
    if not data.strip():
        raise RejectedReport("empty_file", "the file is empty", path)
    kind = sniff(data, path)
    if kind == "ole":
        raise RejectedReport(
            "unsupported_format",
            "old binary Word/WPS document; convert it first: libreoffice --headless --convert-to docx FILE",
            path,
        )
    if kind == "pdf":
        from disclosure.readers.pdf import read_pdf

        return read_pdf(data, path)
    if kind == "docx":
        from disclosure.readers.docx import read_docx

        return read_docx(data, path)
    if kind == "html":
        from disclosure.readers.html import read_html

        return read_html(data, path)
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RejectedReport("unsupported_format", "binary data, not a text, HTML, PDF or DOCX report", path)
    from disclosure.readers.text import read_text

    return read_text(data, path)
