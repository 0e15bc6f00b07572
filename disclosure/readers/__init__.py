"""Format sniffing and dispatch: raw bytes → Document."""

from __future__ import annotations

import re
from pathlib import PurePath

from disclosure.model import Document, RejectedReport

MAX_BYTES = 50 * 1024 * 1024 - 1  # a 50 MB input is refused before it is read into a parser

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1f]")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF")


def sniff(data: bytes, path: str = "") -> str:
    """The reader for these bytes: content (magic bytes) first, the file name second."""
    ext = PurePath(path).suffix.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.startswith(_OLE):
        # An encrypted .docx is an OLE container too; its reader says so precisely.
        return "docx" if ext == ".docx" else "ole"
    if ext == ".pdf":
        return "pdf"  # its reader names the damage (no %PDF header, truncated, …)
    if ext == ".docx":
        return "docx"
    if ext in (".doc", ".wps", ".xls", ".et"):
        return "ole"
    if data.startswith(_IMAGE_MAGIC) or _looks_binary(data):
        return "binary"
    low = data[:2048].lstrip().lower()
    if ext in (".html", ".htm", ".shtml", ".xhtml") or low.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in data[:200000].lower():
        return "html"
    return "text"


def _looks_binary(data: bytes) -> bool:
    if data.startswith(_BOMS[1:]):
        return False  # UTF-16 text has NULs by design
    head = data[:8192]
    if b"\x00" in head:
        return True
    return len(_CONTROL_BYTES.findall(head)) > len(head) * 0.01


def refuse_too_large(n_bytes: int, path: str = "") -> None:
    """The one `too_large` rule: an input over MAX_BYTES is refused (before it is read, where the
    size is known first)."""
    if n_bytes > MAX_BYTES:
        raise RejectedReport("too_large", f"{n_bytes:,} bytes; reports are at most {MAX_BYTES + 1:,} bytes", path)


def read(data: bytes, path: str = "") -> Document:
    """Read one raw file. Raises RejectedReport for what no reader can read."""
    refuse_too_large(len(data), path)
    stripped = data
    for bom in _BOMS:
        stripped = stripped.removeprefix(bom)
    if not stripped.strip():
        raise RejectedReport("empty_file", "the file is empty (nothing but white space or a byte-order mark)", path)
    kind = sniff(data, path)
    if kind == "binary":
        raise RejectedReport("unsupported_format", "binary data (an image or garbage), not a text, HTML, PDF or DOCX report", path)
    if kind == "ole":
        from disclosure.readers.office import read_old_office

        return read_old_office(data, path)
    if kind == "pdf":
        from disclosure.readers.pdf import read_pdf

        return read_pdf(data, path)
    if kind == "docx":
        from disclosure.readers.docx import read_docx

        return read_docx(data, path)
    if kind == "html":
        from disclosure.readers.html import read_html

        return read_html(data, path)
    from disclosure.readers.text import read_text

    return read_text(data, path)
