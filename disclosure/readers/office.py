"""Old binary office formats (.doc, .wps, .et/.xls): detected, converted by LibreOffice when
it is installed, otherwise refused with the exact command to run.

Conversion runs `soffice` in a subprocess with a timeout, its own process group (killed whole
on timeout) and a private, throw-away profile directory (`-env:UserInstallation`), so parallel
conversions never share LibreOffice's profile lock and nothing persists between files. The
converted file is read by the ordinary reader with all its size and bomb checks. A process per
file is acceptable here only because old formats are rare; everything else is read in-process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from disclosure.model import Document, RejectedReport

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RTF_MAGIC = b"{\\rtf"
CONVERT_TIMEOUT = 60.0  # seconds for one conversion (LibreOffice starts in ~2 s)


@dataclass(frozen=True, slots=True)
class OldFormat:
    """One old binary format: what it is, what LibreOffice turns it into, and which reader reads that."""

    name: str
    target: str  # LibreOffice --convert-to argument
    suffix: str  # suffix of the converted file


WORD = OldFormat("old binary Word/WPS document (.doc/.wps)", "docx:MS Word 2007 XML", ".docx")
SHEET = OldFormat("old binary spreadsheet (.et/.xls)", "html:HTML (StarCalc)", ".html")
FORMATS_BY_SUFFIX = {".doc": WORD, ".wps": WORD, ".wpt": WORD, ".dot": WORD, ".et": SHEET, ".xls": SHEET, ".ett": SHEET}
"""File endings of the old formats; content decides first (the OLE streams named below)."""
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_SHEET_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))


def old_format(data: bytes, path: str) -> OldFormat | None:
    """Which old format these bytes are: an OLE2 file by its streams, RTF saved as .doc/.wps
    as Word; None for anything else (an OLE2 container without a document stream included)."""
    if data.startswith(RTF_MAGIC):
        return WORD
    if not data.startswith(OLE_MAGIC):
        return None
    if _WORD_STREAM in data:
        return WORD
    if any(s in data for s in _SHEET_STREAMS):
        return SHEET
    return None


def find_soffice() -> str | None:
    """LibreOffice's command line, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_command(fmt: OldFormat, path: str, soffice: str = "soffice", outdir: str = "OUTDIR") -> list[str]:
    """The conversion command (also what a refusal tells the user to run)."""
    return [soffice, "--headless", "--norestore", "--convert-to", fmt.target, "--outdir", outdir, path]


def read_old_office(data: bytes, path: str) -> Document:
    """Convert an old binary office file with LibreOffice and read the result; refuse without it."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise RejectedReport("encrypted", "the Office file is protected with a password", path)
    fmt = old_format(data, path)
    if fmt is None:
        head = data[:2048].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in data[:200000].lower():
            from disclosure.readers.html import read_html  # a web page saved with a .doc name

            return read_html(data, path)
        raise RejectedReport(
            "unsupported_format",
            "an OLE2/old office container holding no Word document or workbook stream (not a .doc, .wps or .et report)",
            path,
        )
    soffice = find_soffice()
    shown = path or "FILE"
    if soffice is None:
        cmd = " ".join(convert_command(fmt, f"'{shown}'"))
        raise RejectedReport(
            "unsupported_format",
            f"{fmt.name}; LibreOffice is not installed here; convert it first: {cmd} "
            "(apt-get install libreoffice-writer-nogui), then parse the converted file",
            path,
        )
    converted = convert(data, fmt, soffice, path)
    from disclosure.readers import read

    doc = read(converted, str(PurePath(path or "converted").with_suffix(fmt.suffix)))
    doc.notes.insert(0, f"{fmt.name}: converted by LibreOffice ({fmt.target.split(':')[0]})")
    return doc


def convert(data: bytes, fmt: OldFormat, soffice: str, path: str = "", timeout: float = CONVERT_TIMEOUT) -> bytes:
    """Run LibreOffice on a private copy of the bytes; return the converted file's bytes."""
    with tempfile.TemporaryDirectory(prefix="disclosure-lo-") as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / ("in" + (PurePath(path).suffix.lower() or ".doc"))
        source.write_bytes(data)
        out = tmp / "out"
        cmd = convert_command(fmt, str(source), soffice, str(out))
        cmd.insert(1, f"-env:UserInstallation={(tmp / 'profile').as_uri()}")
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
            env={**os.environ, "HOME": str(tmp)},
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RejectedReport("unreadable_file", f"LibreOffice did not convert the file within {timeout:.0f} s", path) from None
        result = out / ("in" + fmt.suffix)
        if proc.returncode != 0 or not result.exists():
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise RejectedReport("corrupt_file", f"LibreOffice cannot convert this {fmt.name} ({detail[0]})", path)
        return result.read_bytes()
