"""Partition-key rules: the one home for what an agency key and a report year may be.

An agency key is a Dagster partition key (a dimension of the `agency|year` multi-partition
key) and a hive directory name (`agency=<key>`), so it must satisfy both; the year range starts
with the 2019 national template. Everything that builds, checks, encodes or decodes a key
imports it from here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import quote, unquote

FIRST_YEAR = 2019
MAX_DIR_NAME_BYTES = 255

# Substrings a Dagster partition key (or a multi-partition dimension) cannot hold, and
# characters that would break a path. Checked before anything is written.
_FORBIDDEN_SUBSTRINGS: tuple[tuple[str, str], ...] = (
    ("|", "'|' separates the dimensions of a multi-partition key"),
    (",", "',' separates partition keys in ranges and selections"),
    ("/", "'/' would make a sub-directory"),
    ("\\", "'\\' is a path separator on Windows"),
    ("...", "'...' is not allowed in a Dagster partition key"),
    ("[", "'[' is not allowed in a multi-partition key"),
    ("]", "']' is not allowed in a multi-partition key"),
)
# Characters kept in the directory name but percent-encoded (hive readers decode them).
_ENCODE = set('%=:*?"<>#&+ ') | {chr(c) for c in range(32)} | {"\x7f"}


class AgencyKeyError(ValueError):
    """An agency name that cannot be a partition key; `reason` says why, for the quarantine."""

    def __init__(self, agency: str, reason: str) -> None:
        self.agency = agency
        self.reason = reason
        super().__init__(f"agency {agency!r} cannot be a partition key: {reason}")


def agency_key_problem(agency: str | None) -> str | None:
    """Why `agency` cannot be a partition key, or None when it can."""
    if agency is None or not agency.strip():
        return "agency is empty"
    if agency != agency.strip():
        return "agency has leading or trailing whitespace"
    if unicodedata.normalize("NFC", agency) != agency:
        return "agency is not in Unicode NFC form"
    for sub, why in _FORBIDDEN_SUBSTRINGS:
        if sub in agency:
            return why
    if any(ch in agency for ch in "\n\r\t\v\f\0\a\b"):
        return "agency contains a newline or control character"
    if agency in (".", ".."):
        return "agency cannot be '.' or '..'"
    n = len(("agency=" + _encode(agency)).encode("utf-8"))
    if n > MAX_DIR_NAME_BYTES:
        return f"directory name agency=<key> would be {n} bytes (> {MAX_DIR_NAME_BYTES})"
    return None


def _encode(agency: str) -> str:
    return "".join(quote(ch, safe="") if ch in _ENCODE else ch for ch in agency)


def encode_agency_key(agency: str) -> str:
    """Directory value of `agency` (readable; percent-encodes only what a hive path needs)."""
    problem = agency_key_problem(agency)
    if problem:
        raise AgencyKeyError(agency, problem)
    return _encode(agency)


def decode_agency_key(key: str) -> str:
    return unquote(key)


def year_problem(year: int | None, years: Iterable[str | int] | None = None) -> str | None:
    if year is None:
        return "year could not be identified"
    if year < FIRST_YEAR:
        return f"year {year} predates the 2019 national template"
    if years is not None and str(year) not in {str(y) for y in years}:
        return f"year {year} is not an open partition year ({min(years)}–{max(years)})"
    return None
