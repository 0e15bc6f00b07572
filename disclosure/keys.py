"""Partition-key rules: the one home for what an agency key and a report year may be.

An agency key is a hive directory name (`agency=<key>`) and half of an agency-year key
(`agency|year`, how the lake, the audit and the ledger name an agency-year), and it must stay a
valid Dagster partition key; the year range starts with the 2019 national template. Dagster's
partitions are division × year (`division|year`, pipelines/partitions.py): a division key is
`<GB/T 2260 code> <name>` of the agency's registry division. Everything that builds, checks,
encodes or decodes a key imports it from here.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Iterable
from datetime import date
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

INVISIBLE_CHARACTERS: dict[str, str] = {
    **{ch: "a bidi control character" for ch in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"},
    **{ch: "a zero-width character" for ch in "\u200b\u200c\u200d\u2060\ufeff\u180e"},
}
"""Characters that change how a key is displayed without being seen: two agency keys that look the
same must be the same key, so these are refused rather than stripped (a bidi override can make
`局A` display as `A局`; a zero-width space makes two identical-looking partitions)."""


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
    for ch in agency:
        if ch in INVISIBLE_CHARACTERS:
            return f"agency contains {INVISIBLE_CHARACTERS[ch]} (U+{ord(ch):04X})"
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn"):
            return f"agency contains a control, format or unassigned character (U+{ord(ch):04X})"
    if agency in (".", ".."):
        return "agency cannot be '.' or '..'"
    n = len(("agency=" + _encode(agency)).encode("utf-8"))
    if n > MAX_DIR_NAME_BYTES:
        return f"directory name agency=<key> would be {n} bytes (> {MAX_DIR_NAME_BYTES})"
    return None


def _encode(agency: str) -> str:
    return "".join(quote(ch, safe="") if ch in _ENCODE else ch for ch in agency)


@functools.lru_cache(maxsize=1 << 16)
def encode_agency_key(agency: str) -> str:
    """Directory value of `agency` (readable; percent-encodes only what a hive path needs).

    Cached: a curated run asks for each agency's key about a dozen times (six tables, raw zone,
    outcomes), and the check walks every character. A refused key raises, and is not cached."""
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


# --------------------------------------------------------------------------- years and keys

KEY_SEPARATOR = "|"
"""Separator of a multi-partition key: Dagster sorts dimensions by name, so keys read `agency|year`."""


def open_years(today: date | None = None) -> list[str]:
    """Statistical years that can hold reports: 2019 … last completed year.

    The report on year Y is published by 31 January of Y+1, so year Y opens on 1 January Y+1.
    ``DISCLOSURE_LAST_YEAR`` pins the last year (tests, benchmarks).
    """
    pinned = os.environ.get("DISCLOSURE_LAST_YEAR")
    last = int(pinned) if pinned else (today or date.today()).year - 1
    return [str(y) for y in range(FIRST_YEAR, last + 1)]


def join_key(agency: str, year: int | str) -> str:
    """The `agency|year` string of a partition (what Dagster shows and backfills take)."""
    return f"{agency}{KEY_SEPARATOR}{year}"


def split_key(key: str) -> tuple[str, int]:
    """``agency|year`` → (agency, year). Agency keys never contain ``|`` (checked on ingest)."""
    agency, year = key.rsplit(KEY_SEPARATOR, 1)
    return agency, int(year)


# --------------------------------------------------------------------------- divisions

UNKNOWN_DIVISION = "000000 区划不明"
"""Division key of a body with no registry division (unregistered, or registered without a
GB/T 2260 code). Never guessed from the name: such bodies share this one partition per year."""


def division_key(code: str, name: str) -> str:
    """`350128 平潭县`: the code sorts and finds a county, the name is what the UI shows."""
    return f"{code} {name}"


def division_of(agency: str, registry: object) -> str:
    """Division key of the agency key `agency` in `registry` (a disclosure.registry.Registry).

    Only a body registered under exactly this canonical name has a division; its code's level
    picks the name (county when the code's last two digits are not 00, else prefecture, else
    province), so a province-level department sits in its province's partition.
    """
    res = registry.resolve(agency)  # type: ignore[attr-defined]
    body = registry.agencies.get(res.agency_id) if res.canonical_name == agency else None  # type: ignore[attr-defined]
    code = body.division_code if body is not None else ""
    if len(code) != 6 or not code.isdigit():
        return UNKNOWN_DIVISION
    if code[4:] != "00":
        name = body.county or body.prefecture or body.province
    elif code[2:4] != "00":
        name = body.prefecture or body.province
    else:
        name = body.province
    if not name or agency_key_problem(name):
        return UNKNOWN_DIVISION
    return division_key(code, name)
