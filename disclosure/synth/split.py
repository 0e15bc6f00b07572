"""How many ways a run of digits whose separators were lost can be read (crawler text).

A run is unambiguous only when exactly one split satisfies the identities and it is the
printed one; otherwise the golden file lists the run's cells as `ambiguous`. Spaces left
in a run are ignored here (the conservative reading: a parser may also ignore them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

_TOKEN = re.compile(r"[-+]?(?:0|[1-9]\d*)(?:\.\d+)?")
CAP = 2


def _prefix_tokens(s: str, pos: int) -> Iterator[int]:
    """End positions of every number that may start at `pos` (sign, no leading zero, decimals)."""
    i = pos
    if i < len(s) and s[i] in "+-":
        i += 1
    if i >= len(s) or not s[i].isdigit():
        return
    if s[i] == "0":
        ends = [i + 1]
    else:
        j = i + 1
        while j < len(s) and s[j].isdigit():
            j += 1
        ends = list(range(i + 1, j + 1))
    for end in ends:
        yield end
        if end < len(s) and s[end] == ".":
            k = end + 1
            while k < len(s) and s[k].isdigit():
                k += 1
                yield k


def count_free_splits(run: str, k: int) -> int:
    """Splits of `run` into k numbers with no identity to choose between them (table 二)."""
    run = run.replace(" ", "")

    def go(pos: int, left: int) -> int:
        if left == 0:
            return 1 if pos == len(run) else 0
        found = 0
        for end in _prefix_tokens(run, pos):
            found += go(end, left - 1)
            if found >= CAP:
                return found
        return found

    return go(0, k)


def _counter(s: str):
    """count(k, total, start, stop): splits of s[start:stop] into k integers summing to total
    (no leading zeros), capped at CAP; memoised per run."""

    @cache
    def count(k: int, total: int, start: int, stop: int) -> int:
        if k == 0:
            return 1 if start == stop and total == 0 else 0
        if stop - start < k:
            return 0
        if total == 0:
            return 1 if stop - start == k and s.count("0", start, stop) == k else 0
        if stop - start > k * len(str(total)):
            return 0
        if s[start] == "0":
            return count(k - 1, total, start + 1, stop) if k > 1 or start + 1 == stop else 0
        found = 0
        value = 0
        for end in range(start + 1, stop - k + 2):
            value = value * 10 + ord(s[end - 1]) - 48
            if value > total:
                break
            rest, digits = total - value, stop - end
            if k > 1:
                if rest > 10 ** (digits - k + 2) + 9 * (k - 2):
                    continue  # the remaining digits cannot make up the rest of the total
                if digits > (k - 1) * len(str(rest)):
                    continue  # every remaining part is <= rest, so it has no more digits than rest
            found += count(k - 1, rest, end, stop)
            if found >= CAP:
                return CAP
        return found

    return count


def _total_at(s: str, stop: int, end: int) -> int | None:
    tail = s[stop:end]
    if not tail or (len(tail) > 1 and tail[0] == "0"):
        return None
    return int(tail)


def count_sum_row(run: str, n_parts: int) -> int:
    """Readings of `run` as n_parts numbers followed by their total (a table 三 row), capped."""
    s = run.replace(" ", "")
    if not s.isdigit():
        return 0
    count = _counter(s)
    found = 0
    for stop in range(n_parts, len(s)):
        total = _total_at(s, stop, len(s))
        if total is not None:
            found += count(n_parts, total, 0, stop)
            if found >= CAP:
                return CAP
    return found


def count_grouped(run: str, groups: int, n_parts: int, max_total_digits: int = 7) -> int:
    """Readings of `run` as `groups` blocks of n_parts numbers plus their total (table 四), capped."""
    s = run.replace(" ", "")
    if not s.isdigit():
        return 0
    count = _counter(s)

    @cache
    def go(pos: int, g: int) -> int:
        if g == groups:
            return 1 if pos == len(s) else 0
        need_after = (groups - g - 1) * (n_parts + 1)
        found = 0
        for length in range(1, max_total_digits + 1):
            for stop in range(pos + n_parts, min(pos + n_parts * length, len(s) - need_after - length) + 1):
                end = stop + length
                total = _total_at(s, stop, end)
                if total is None:
                    continue
                ways = count(n_parts, total, pos, stop)
                if ways:
                    found += ways * go(end, g + 1)
                    if found >= CAP:
                        return CAP
        return found

    return go(0, 0)
