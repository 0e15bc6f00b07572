"""The digit-run splitter as it was before the core speed work of 2026-12-02 (main ffe0f27):
the oracle that tests/test_core_speed_splitter.py compares `disclosure.splitter.solve` with.
Frozen: do not edit (it holds no tests; pytest collects nothing here)."""
from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from disclosure import identities as ids

Var = tuple[str, str]  # (row_key, column_key)

_DIGITS = frozenset("0123456789")
# Longest cell solve() considers: no count in a report comes near 10**15, and the cap keeps
# the cut graph of an absurdly long run linear in its length.
MAX_CELL_DIGITS = 15
_SIGNS = frozenset("+-")


@dataclass(frozen=True)
class Identity:
    """``sum(lhs) == sum(rhs)``; a var may appear on both sides or several times."""

    name: str
    lhs: tuple[Var, ...]
    rhs: tuple[Var, ...]


@dataclass(frozen=True)
class RunRow:
    """One printed row whose cells ran together.

    ``segments`` are the digit strings between hard boundaries (surviving spaces), e.g.
    ``("230", "000023")``; empty segments are ignored.
    """

    row: str
    columns: tuple[str, ...]
    segments: tuple[str, ...]
    signed: bool = False  # a cell may carry a leading '-'/'+' (本年增/减)

    @cached_property
    def vars(self) -> tuple[Var, ...]:
        return tuple((self.row, c) for c in self.columns)


@dataclass
class SplitResult:
    """What :func:`solve` found.

    ``solutions`` holds up to ``max_solutions`` full assignments (product of the components'
    solutions); ``n_solutions`` is their exact number (0 when truncated). The per-cell
    queries below use the exact per-row candidate sets, not the capped list. When a
    ``SplitResult`` is built by hand from ``solutions`` alone, they are derived from it.
    """

    solutions: list[dict[Var, int]]
    truncated: bool
    unsatisfied: list[str] = field(default_factory=list)
    relaxed: list[str] = field(default_factory=list)
    n_solutions: int = 0
    candidate_sets: dict[Var, tuple[int, ...]] | None = None
    ambiguous: frozenset[Var] | None = None
    determined: dict[Var, int] | None = None

    def __post_init__(self) -> None:
        if self.candidate_sets is None:
            cands = _candidates_from_solutions(self.solutions)
            self.candidate_sets = cands
            uncertain = self.truncated or not self.solutions
            self.ambiguous = frozenset(v for v, c in cands.items() if uncertain or len(c) != 1)
            self.determined = {} if uncertain else {v: c[0] for v, c in cands.items() if len(c) == 1}
            self.n_solutions = self.n_solutions or len(self.solutions)

    def value(self, var: Var) -> int | None:
        """The value when every consistent split agrees on this cell (and its component's
        search finished), else None. A cell of an ambiguous row may still have a value here
        when all candidate cuts of the row agree on it; ``ambiguous_vars`` is row-wise."""
        assert self.determined is not None
        return self.determined.get(var)

    def candidates(self, var: Var) -> list[int]:
        """Sorted distinct values of this cell over all consistent splits."""
        assert self.candidate_sets is not None
        return list(self.candidate_sets.get(var, ()))

    def ambiguous_vars(self) -> set[Var]:
        """Every cell of a row with more than one candidate cut, of a row that cannot be
        cut at all, and of a component whose search was truncated."""
        assert self.ambiguous is not None
        return set(self.ambiguous)


def _candidates_from_solutions(solutions: Iterable[Mapping[Var, int]]) -> dict[Var, tuple[int, ...]]:
    seen: dict[Var, set[int]] = {}
    for sol in solutions:
        for var, val in sol.items():
            seen.setdefault(var, set()).add(val)
    return {var: tuple(sorted(vals)) for var, vals in seen.items()}


# --------------------------------------------------------------------------- cells


def cell_value(text: str, signed: bool = False) -> int | None:
    """The integer a cell printed as ``text`` holds, or None if it is not a canonical cell."""
    body = text[1:] if signed and text[:1] in _SIGNS else text
    if not body or not _DIGITS.issuperset(body):
        return None
    if len(body) > 1 and body[0] == "0":
        return None
    if text[0] == "-" and body == "0":
        return None
    return int(text)


def _check_chars(text: str, signed: bool) -> None:
    allowed = _DIGITS | _SIGNS if signed else _DIGITS
    if not allowed.issuperset(text):
        raise ValueError(f"not a digit run: {text!r}" + ("" if signed else " (signed=False)"))


def split_segment(digits: str, n: int, *, signed: bool = False) -> Iterator[tuple[int, ...]]:
    """Every way to cut ``digits`` into ``n`` canonical integers, lazily, in lexicographic
    order of cut positions (no leading zeros; ``signed`` allows a leading sign on a cell).
    Raises ValueError at once for a character other than a digit (or sign when signed)."""
    _check_chars(digits, signed)
    return _cuts(digits, 0, n, signed) if n >= 0 else iter(())


def _cuts(s: str, i: int, n: int, signed: bool) -> Iterator[tuple[int, ...]]:
    if n == 0:
        if i == len(s):
            yield ()
        return
    for j in range(i + 1, len(s) - (n - 1) + 1):
        v = cell_value(s[i:j], signed)
        if v is not None:
            for tail in _cuts(s, j, n - 1, signed):
                yield (v, *tail)


# --------------------------------------------------------------------------- budget


class _WorkCapExceeded(Exception):
    pass


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise _WorkCapExceeded


# --------------------------------------------------------------------------- one row


@dataclass(frozen=True)
class _Form:
    """``sum(coef[var] * var) + const == 0`` over run vars (known values folded into const)."""

    name: str
    coef: tuple[tuple[Var, int], ...]
    const: int
    # Run rows the form involves (a var's row key is its run row's key). Set once at
    # construction: every form's rows are read, and a cached_property pays a lock per first read.
    rows: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", frozenset([v[0] for v, _c in self.coef]))


class _RowText:
    """A run row as one string; a cell is an edge between two positions of it."""

    def __init__(self, row: RunRow) -> None:
        segs = [s for s in row.segments if s]
        for s in segs:
            _check_chars(s, row.signed)
        self.text = "".join(segs)
        self.n = len(row.columns)
        length = len(self.text)
        ends: list[int] = []
        pos = 0
        for s in segs:
            pos += len(s)
            ends.extend([pos] * len(s))
        # forward[i]: (j, value) of every cell text[i:j]; backward[j]: (i, value) likewise
        self.forward: list[list[tuple[int, int]]] = [[] for _ in range(length + 1)]
        self.backward: list[list[tuple[int, int]]] = [[] for _ in range(length + 1)]
        text, signed, forward, backward = self.text, row.signed, self.forward, self.backward
        for i in range(length):
            cells = forward[i] = _cells_at(text, i, ends[i], signed)  # a new list per call
            for j, v in cells:
                backward[j].append((i, v))
        self.splittable = _splittable(self)


def _cells_at(text: str, i: int, stop: int, signed: bool) -> list[tuple[int, int]]:
    """(end, value) of every canonical cell text[i:end] with end <= stop and at most
    MAX_CELL_DIGITS digits."""
    stop = min(stop, i + MAX_CELL_DIGITS + (1 if text[i] in _SIGNS else 0))
    if not signed:
        if text[i] == "0":
            return [(i + 1, 0)]
        return [(j, int(text[i:j])) for j in range(i + 1, stop + 1)]
    return [(j, v) for j in range(i + 1, stop + 1) if (v := cell_value(text[i:j], True)) is not None]


def _splittable(rt: _RowText) -> bool:
    """Whether the row can be cut into its number of cells at all (no identities)."""
    reach = {0}
    for _ in range(rt.n):
        reach = {j for i in reach for j, _v in rt.forward[i]}
    return len(rt.text) in reach


def _direction_is_backward(coefs: Sequence[Sequence[int]], n_forms: int) -> bool:
    """Visit cells right to left when the odd-signed cell of each identity (its total) is
    printed last, as in both national templates: fixing the total first lets the exact
    bounds on the remaining cells prune almost every dead branch."""
    score = 0
    for f in range(n_forms):
        pos = [k for k, c in enumerate(coefs) if c[f] > 0]
        neg = [k for k, c in enumerate(coefs) if c[f] < 0]
        odd = pos if len(pos) < len(neg) else neg
        for k in odd:
            score += k - (len(coefs) - 1 - k)
    return score > 0


Interval = tuple[tuple[int, ...], tuple[int, ...]]


def _bounds(
    edges: Sequence[Sequence[tuple[int, int]]],
    start: int,
    end: int,
    order_coefs: Sequence[tuple[int, ...]],
    n_forms: int,
    budget: _Budget,
) -> list[dict[int, Interval]]:
    """bounds[t][pos]: exact (min, max) per form of what cells t.. add when they complete
    the row from ``pos`` (reached from ``start`` after t cells); positions with no
    completion are absent."""
    n = len(order_coefs)
    reach = [{start}]
    for t in range(1, n + 1):
        # keep at least one character for each cell still to come
        room = n - t
        step = {npos for pos in reach[-1] for npos, _v in edges[pos] if abs(end - npos) >= room}
        reach.append(step)
        budget.spend(len(step))
    zero = tuple(0 for _ in range(n_forms))
    bounds: list[dict[int, Interval]] = [{} for _ in range(n + 1)]
    if end in reach[n]:
        bounds[n][end] = (zero, zero)
    for t in range(n - 1, -1, -1):
        coef = order_coefs[t]
        nxt = bounds[t + 1]
        here: dict[int, Interval] = {}
        for pos in reach[t]:
            budget.spend(len(edges[pos]))
            for npos, v in edges[pos]:
                tail = nxt.get(npos)
                if tail is None:
                    continue
                lo = tuple(c * v + x for c, x in zip(coef, tail[0], strict=True))
                hi = tuple(c * v + x for c, x in zip(coef, tail[1], strict=True))
                old = here.get(pos)
                if old is not None:
                    lo = tuple(map(min, lo, old[0]))
                    hi = tuple(map(max, hi, old[1]))
                here[pos] = (lo, hi)
        bounds[t] = here
    return bounds


class _RowSearch:
    """Cuts of one row under linear forms over its own cells.

    Depth-first over cells with memo on (position, cell, residual) and exact interval
    pruning: a branch survives only if the residual lies within the min/max the remaining
    cells can still add (see ``_bounds``).
    """

    def __init__(self, row: RunRow, rt: _RowText, forms: Sequence[_Form], budget: _Budget) -> None:
        col_index = {v: k for k, v in enumerate(row.vars)}
        coefs = [[0] * len(forms) for _ in range(rt.n)]
        for f, form in enumerate(forms):
            for var, c in form.coef:
                coefs[col_index[var]][f] += c
        self.backward = _direction_is_backward(coefs, len(forms))
        order = list(range(rt.n))[::-1] if self.backward else list(range(rt.n))
        self.coefs = [tuple(coefs[k]) for k in order]
        self.edges = rt.backward if self.backward else rt.forward
        self.start, end = (len(rt.text), 0) if self.backward else (0, len(rt.text))
        self.n = rt.n
        self.budget = budget
        self.bounds = _bounds(self.edges, self.start, end, self.coefs, len(forms), budget)
        self.target = tuple(-form.const for form in forms)

    def _moves(self, pos: int, t: int, res: tuple[int, ...]) -> list[tuple[int, int, tuple[int, ...]]]:
        """(next position, cell value, next residual) of every cell that keeps the row viable."""
        self.budget.spend(len(self.edges[pos]))
        coef = self.coefs[t]
        nxt = self.bounds[t + 1]
        out = []
        for npos, v in self.edges[pos]:
            interval = nxt.get(npos)
            if interval is None:
                continue
            nres = tuple(r - c * v for r, c in zip(res, coef, strict=True))
            if all(a <= r <= b for r, a, b in zip(nres, interval[0], interval[1], strict=True)):
                out.append((npos, v, nres))
        return out

    def _viable_start(self) -> bool:
        interval = self.bounds[0].get(self.start)
        return interval is not None and all(
            a <= r <= b for r, a, b in zip(self.target, interval[0], interval[1], strict=True)
        )

    def cuts(self) -> list[tuple[int, ...]]:
        memo: dict[tuple[int, int, tuple[int, ...]], list[tuple[int, ...]]] = {}
        weight = 1 + self.n // 4  # building a result tuple costs about its length

        def go(pos: int, t: int, res: tuple[int, ...]) -> list[tuple[int, ...]]:
            if t == self.n:
                return [()]
            key = (pos, t, res)
            hit = memo.get(key)
            if hit is None:
                hit = []
                for npos, v, nres in self._moves(pos, t, res):
                    tails = go(npos, t + 1, nres)
                    self.budget.spend(len(tails) * weight)
                    hit.extend((v, *tail) for tail in tails)
                memo[key] = hit
            return hit

        found = go(self.start, 0, self.target) if self._viable_start() else []
        return [cut[::-1] for cut in found] if self.backward else found

    def exists(self) -> bool:
        dead: set[tuple[int, int, tuple[int, ...]]] = set()

        def go(pos: int, t: int, res: tuple[int, ...]) -> bool:
            if t == self.n:
                return True
            key = (pos, t, res)
            if key in dead:
                return False
            if any(go(npos, t + 1, nres) for npos, _v, nres in self._moves(pos, t, res)):
                return True
            dead.add(key)
            return False

        return self._viable_start() and go(self.start, 0, self.target)


def _row_splits(row: RunRow, rt: _RowText, forms: Sequence[_Form], budget: _Budget) -> list[tuple[int, ...]]:
    """Every cut of ``row`` satisfying all ``forms`` (each involving only this row's vars)."""
    if len(rt.text) >= rt.n >= 1 and math.comb(len(rt.text) - 1, rt.n - 1) <= _SMALL_ROW_CUTS:
        # few cuts exist at all (e.g. 9 digits in 7 cells): listing them beats the search
        cuts = _all_cuts(rt)
        budget.spend(len(cuts) * rt.n)
        return [cut for cut in cuts if _satisfies(row, cut, forms)]
    return _RowSearch(row, rt, forms, budget).cuts()


_SMALL_ROW_CUTS = 64


def _all_cuts(rt: _RowText) -> list[tuple[int, ...]]:
    """Every cut of a short row, ignoring identities."""
    length = len(rt.text)

    def go(pos: int, left: int) -> list[tuple[int, ...]]:
        if left == 0:
            return [()] if pos == length else []
        return [
            (v, *tail)
            for npos, v in rt.forward[pos]
            if length - npos >= left - 1
            for tail in go(npos, left - 1)
        ]

    return go(0, rt.n)


def _row_satisfiable(row: RunRow, rt: _RowText, forms: Sequence[_Form], budget: _Budget) -> bool:
    """Whether some cut of ``row`` satisfies all ``forms`` (without listing the cuts)."""
    if len(rt.text) >= rt.n >= 1 and math.comb(len(rt.text) - 1, rt.n - 1) <= _SMALL_ROW_CUTS:
        return bool(_row_splits(row, rt, forms, budget))
    return _RowSearch(row, rt, forms, budget).exists()


def _satisfies(row: RunRow, cut: tuple[int, ...], forms: Sequence[_Form]) -> bool:
    values = dict(zip(row.vars, cut, strict=True))
    return all(sum(c * values[v] for v, c in form.coef) + form.const == 0 for form in forms)


def _row_candidates(
    row: RunRow, rt: _RowText, forms: Sequence[_Form], budget: _Budget
) -> tuple[list[tuple[int, ...]], list[str], list[str]]:
    """Cuts of the row under the row-level identities that can hold.

    Returns (cuts, failed, dropped): ``failed`` identities no cut satisfies on its own;
    ``dropped`` ones satisfiable alone but not together with the others.
    """
    cuts = _row_splits(row, rt, forms, budget)
    if cuts or not forms:
        return cuts, [], []
    failed = [f for f in forms if not _row_satisfiable(row, rt, [f], budget)]
    kept = [f for f in forms if f not in failed]
    if _row_satisfiable(row, rt, kept, budget):
        return _row_splits(row, rt, kept, budget), [f.name for f in failed], []
    return _row_splits(row, rt, [], budget), [f.name for f in failed], [f.name for f in kept]


# --------------------------------------------------------------------------- rows together


@dataclass
class _Dp:
    """Outcome of the dynamic programme over the rows of one component."""

    feasible: bool
    count: int = 0
    possible: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)
    paths: list[dict[str, tuple[int, ...]]] = field(default_factory=list)


def _row_coefs(
    row: RunRow, var_forms: Mapping[Var, list[tuple[int, int]]], n_forms: int
) -> list[list[tuple[int, int]]]:
    """Per form, the (cell index, coefficient) pairs of this row's cells."""
    out: list[list[tuple[int, int]]] = [[] for _ in range(n_forms)]
    for k, var in enumerate(row.vars):
        for f, c in var_forms.get(var, ()):
            out[f].append((k, c))
    return out


def _contribution(cut: tuple[int, ...], row_coefs: Sequence[Sequence[tuple[int, int]]]) -> tuple[int, ...]:
    return tuple([sum([c * cut[k] for k, c in pairs]) for pairs in row_coefs])


def _dp(
    rows: Sequence[RunRow],
    cuts: Mapping[str, list[tuple[int, ...]]],
    forms: Sequence[_Form],
    budget: _Budget,
    max_paths: int,
) -> _Dp:
    """Which cuts of each row take part in an assignment satisfying every form.

    Rows whose cuts all contribute alike are folded into a constant; the others are visited
    in order of increasing branching with state = partial sums of the forms, deduplicated,
    pruned by the min/max the remaining rows can still add.
    """
    grouped: list[tuple[RunRow, dict[tuple[int, ...], list[tuple[int, ...]]]]] = []
    const = [form.const for form in forms]
    fixed: list[RunRow] = []
    var_forms: dict[Var, list[tuple[int, int]]] = {}
    for f, form in enumerate(forms):
        for var, c in form.coef:
            var_forms.setdefault(var, []).append((f, c))
    if any(not cuts[row.row] for row in rows):
        return _Dp(feasible=False)
    for row in rows:
        groups: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
        row_coefs = _row_coefs(row, var_forms, len(forms))
        budget.spend(len(cuts[row.row]))
        for cut in cuts[row.row]:
            groups.setdefault(_contribution(cut, row_coefs), []).append(cut)
        if len(groups) == 1:
            (contrib,) = groups
            const = [a + b for a, b in zip(const, contrib, strict=True)]
            fixed.append(row)
        else:
            grouped.append((row, groups))
    grouped.sort(key=lambda rg: len(rg[1]))
    dims = sorted({f for _row, g in grouped for c in g for f, x in enumerate(c) if x})
    if any(const[f] for f in range(len(forms)) if f not in dims):
        return _Dp(feasible=False)
    branch = [(row, _reduce(g, dims)) for row, g in grouped]
    m = len(branch)
    lo = [[0] * len(dims) for _ in range(m + 1)]
    hi = [[0] * len(dims) for _ in range(m + 1)]
    for t in range(m - 1, -1, -1):
        contribs = list(branch[t][1])
        for d in range(len(dims)):
            lo[t][d] = lo[t + 1][d] + min(c[d] for c in contribs)
            hi[t][d] = hi[t + 1][d] + max(c[d] for c in contribs)

    layers: list[dict[tuple[int, ...], int]] = [{tuple(const[f] for f in dims): 1}]
    for t, (_row, groups) in enumerate(branch):
        nxt: dict[tuple[int, ...], int] = {}
        lo_t, hi_t = lo[t + 1], hi[t + 1]
        for state, count in layers[-1].items():
            budget.spend(len(groups))
            for contrib, members in groups.items():
                ns = tuple(a + b for a, b in zip(state, contrib, strict=True))
                if all(lo_t[d] <= -ns[d] <= hi_t[d] for d in range(len(dims))):
                    nxt[ns] = nxt.get(ns, 0) + count * len(members)
        layers.append(nxt)
    zero = tuple(0 for _ in dims)
    if zero not in layers[m]:
        return _Dp(feasible=False)

    alive: list[set[tuple[int, ...]]] = [set() for _ in range(m + 1)]
    alive[m] = {zero}
    steps: list[dict[tuple[int, ...], list[tuple[int, ...]]]] = [{} for _ in range(m)]
    possible: dict[str, list[tuple[int, ...]]] = {row.row: list(cuts[row.row]) for row in fixed}
    for t in range(m - 1, -1, -1):
        row, groups = branch[t]
        used: set[tuple[int, ...]] = set()
        for state in layers[t]:
            budget.spend(len(groups))
            ok = [c for c in groups if tuple(a + b for a, b in zip(state, c, strict=True)) in alive[t + 1]]
            if ok:
                alive[t].add(state)
                steps[t][state] = ok
                used.update(ok)
        possible[row.row] = [cut for c in groups if c in used for cut in groups[c]]
    paths = _paths(branch, steps, layers[0], fixed, cuts, max_paths)
    count = layers[m][zero] * _product(len(cuts[row.row]) for row in fixed)
    return _Dp(feasible=True, count=count, possible=possible, paths=paths)


def _reduce(
    groups: Mapping[tuple[int, ...], list[tuple[int, ...]]], dims: Sequence[int]
) -> dict[tuple[int, ...], list[tuple[int, ...]]]:
    """Regroup cuts by their contribution restricted to ``dims``."""
    merged: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
    for contrib, members in groups.items():
        merged.setdefault(tuple(contrib[f] for f in dims), []).extend(members)
    return merged


def _paths(
    branch: Sequence[tuple[RunRow, Mapping[tuple[int, ...], list[tuple[int, ...]]]]],
    steps: Sequence[Mapping[tuple[int, ...], list[tuple[int, ...]]]],
    start_layer: Mapping[tuple[int, ...], int],
    fixed: Sequence[RunRow],
    cuts: Mapping[str, list[tuple[int, ...]]],
    limit: int,
) -> list[dict[str, tuple[int, ...]]]:
    """Up to ``limit`` full assignments (row -> cut); every alive state completes."""
    out: list[dict[str, tuple[int, ...]]] = []
    (start,) = start_layer
    fixed_choices = [[(row.row, c) for c in cuts[row.row]] for row in fixed]

    def walk(t: int, state: tuple[int, ...], chosen: list[tuple[str, list[tuple[int, ...]]]]) -> None:
        if len(out) >= limit:
            return
        if t == len(branch):
            per_row = [[(name, c) for c in members] for name, members in chosen]
            for combo in itertools.product(*per_row, *fixed_choices):
                out.append(dict(combo))
                if len(out) >= limit:
                    return
            return
        row, groups = branch[t]
        for contrib in steps[t].get(state, ()):
            ns = tuple(a + b for a, b in zip(state, contrib, strict=True))
            walk(t + 1, ns, [*chosen, (row.row, groups[contrib])])

    if limit > 0:
        walk(0, start, [])
    return out


# --------------------------------------------------------------------------- solve


@dataclass
class _Component:
    rows: list[RunRow]
    cross: list[_Form]
    row_forms: dict[str, list[_Form]]


@dataclass
class _Solved:
    possible: dict[str, list[tuple[int, ...]]]
    count: int
    paths: list[dict[str, tuple[int, ...]]]
    truncated: bool = False
    unsatisfied: list[str] = field(default_factory=list)
    relaxed: list[str] = field(default_factory=list)


def _to_form(identity: Identity, owner: Mapping[Var, str], known: Mapping[Var, int | None]) -> _Form | None:
    """The identity as a linear form, or None when it is not assessable."""
    coef: dict[Var, int] = {}
    const = 0
    for sign, side in ((1, identity.lhs), (-1, identity.rhs)):
        for var in side:
            if var in owner:
                coef[var] = coef.get(var, 0) + sign
                continue
            value = known.get(var)
            if value is not None:
                const += sign * value
            else:
                return None
    return _Form(identity.name, tuple((v, c) for v, c in coef.items() if c), const)


def _components(rows: Sequence[RunRow], forms: Sequence[_Form]) -> list[_Component]:
    parent = {row.row: row.row for row in rows}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for form in forms:
        first, *rest = sorted(form.rows)
        for other in rest:
            parent[find(other)] = find(first)
    by_root: dict[str, _Component] = {}
    for row in rows:
        root = find(row.row)
        if root not in by_root:
            by_root[root] = _Component([], [], {})
        by_root[root].rows.append(row)
    for form in forms:
        names = form.rows
        comp = by_root[find(next(iter(names)))]
        if len(names) == 1:
            comp.row_forms.setdefault(next(iter(names)), []).append(form)
        else:
            comp.cross.append(form)
    return list(by_root.values())


def _solve_component(
    comp: _Component, texts: Mapping[str, _RowText], budget: _Budget, max_solutions: int
) -> _Solved:
    cuts: dict[str, list[tuple[int, ...]]] = {}
    failed: list[str] = []
    dropped: list[str] = []
    for row in comp.rows:
        try:
            row_cuts, row_failed, row_dropped = _row_candidates(
                row, texts[row.row], comp.row_forms.get(row.row, []), budget
            )
        except _WorkCapExceeded:
            return _Solved(possible=cuts, count=0, paths=[], truncated=True)
        cuts[row.row] = row_cuts
        failed += row_failed
        dropped += row_dropped
    if not failed and not dropped:
        try:
            dp = _dp(comp.rows, cuts, comp.cross, budget, max_solutions)
        except _WorkCapExceeded:
            return _Solved(possible=cuts, count=0, paths=[], truncated=True)
        if dp.feasible:
            return _Solved(possible=dp.possible, count=dp.count, paths=dp.paths)
    # Fallback: only the row-level identities that can hold (already applied to `cuts`).
    for form in comp.cross:
        try:
            holds = _dp([r for r in comp.rows if r.row in form.rows], cuts, [form], budget, 0).feasible
        except _WorkCapExceeded:
            holds = True  # cannot tell: report it as not enforced, not as failed
        (dropped if holds else failed).append(form.name)
    count = 1
    for row in comp.rows:
        count *= len(cuts[row.row])
    paths = [
        dict(combo)
        for combo in itertools.islice(
            itertools.product(*[[(row.row, c) for c in cuts[row.row]] for row in comp.rows]), max_solutions
        )
    ]
    return _Solved(possible=cuts, count=count, paths=paths, unsatisfied=failed, relaxed=dropped)


def solve(
    rows: Sequence[RunRow],
    known: Mapping[Var, int | None],
    identities: Sequence[Identity],
    *,
    max_solutions: int = 64,
    max_work: int = 2_000_000,
) -> SplitResult:
    """Cut every run row into its cells so that the assessable identities hold.

    See the module docstring for the rules. ``max_work`` bounds the total work of one call
    (row enumeration and dynamic programme together); components are solved smallest first
    so a pathological run does not starve the others.
    """
    owner: dict[Var, str] = {}
    names: set[str] = set()
    for row in rows:
        if row.row in names:
            raise ValueError(f"row {row.row!r} given twice")
        names.add(row.row)
        for var in row.vars:
            if var in owner:
                raise ValueError(f"cell {var!r} given twice")
            if var in known:
                raise ValueError(f"cell {var!r} is both a run cell and known")
            owner[var] = row.row
    texts = {row.row: _RowText(row) for row in rows}
    live = [row for row in rows if texts[row.row].splittable]
    live_names = {row.row for row in live}
    live_owner = {v: r for v, r in owner.items() if r in live_names}
    unknown = {v: None for v in owner if v not in live_owner}  # vars of rows that cannot be cut
    known_all: dict[Var, int | None] = {**known, **unknown}

    unsatisfied: list[str] = []
    forms: list[_Form] = []
    for identity in identities:
        form = _to_form(identity, live_owner, known_all)
        if form is None:
            continue
        if form.coef:
            forms.append(form)
        elif form.const != 0:
            unsatisfied.append(identity.name)

    comps = _components(live, forms)
    comps.sort(key=lambda c: sum(len(texts[r.row].text) for r in c.rows))
    budget = _Budget(max_work)
    solved = [_solve_component(c, texts, budget, max_solutions) for c in comps]
    order = {identity.name: i for i, identity in reversed(list(enumerate(identities)))}
    return _assemble(rows, solved, unsatisfied, order, max_solutions)


def _assemble(
    rows: Sequence[RunRow],
    solved: Sequence[_Solved],
    unsatisfied: list[str],
    order: Mapping[str, int],
    max_solutions: int,
) -> SplitResult:
    by_name = {row.row: row for row in rows}
    candidate_sets: dict[Var, tuple[int, ...]] = {v: () for row in rows for v in row.vars}
    ambiguous: set[Var] = {v for row in rows for v in row.vars}
    determined: dict[Var, int] = {}
    failed = list(unsatisfied)
    relaxed: list[str] = []
    for res in solved:
        failed += res.unsatisfied
        relaxed += res.relaxed
        for name, cuts in res.possible.items():
            row = by_name[name]
            for k, var in enumerate(row.vars):
                vals = sorted({cut[k] for cut in cuts})
                candidate_sets[var] = tuple(vals)
                if not res.truncated and len(vals) == 1:
                    determined[var] = vals[0]
            if not res.truncated and len(cuts) == 1:
                ambiguous.difference_update(row.vars)
    truncated = any(res.truncated for res in solved)
    count = 0 if truncated else _product(res.count for res in solved)
    solutions: list[dict[Var, int]] = []
    if not truncated:
        for combo in itertools.islice(itertools.product(*[res.paths for res in solved]), max_solutions):
            sol: dict[Var, int] = {}
            for part in combo:
                for name, cut in part.items():
                    sol.update(zip(by_name[name].vars, cut, strict=True))
            solutions.append(sol)
    return SplitResult(
        solutions=solutions,
        truncated=truncated,
        unsatisfied=sorted(set(failed), key=order.__getitem__),
        relaxed=sorted(set(relaxed), key=order.__getitem__),
        n_solutions=count,
        candidate_sets=candidate_sets,
        ambiguous=frozenset(ambiguous),
        determined=determined,
    )


def _product(values: Iterable[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


# --------------------------------------------------------------------------- identities


def application_identities(row_keys: Sequence[str]) -> list[Identity]:
    """Table 三's identities (declared in `disclosure.identities`) as equations over
    ``(row, applicant)`` vars, for the layout the rows show (one ``other_handling`` row:
    the one-row 其他处理 layout; else three sub-rows). Identities over rows the caller has
    neither as runs nor as known cells are simply not assessable."""
    layout = ids.layout_of_rows(row_keys)
    return [Identity(i.name, i.lhs, i.rhs) for i in ids.APPLICATION_IDENTITIES[layout]]


def review_litigation_identities(row_key: str = "review_litigation") -> list[Identity]:
    """Table 四's identities as equations over ``(row_key, "proceeding.outcome")`` vars: the
    whole table is one printed row."""

    def var(operand: tuple[str, str]) -> Var:
        return (row_key, ".".join(operand))

    return [Identity(i.name, tuple(map(var, i.lhs)), tuple(map(var, i.rhs))) for i in ids.REVIEW_IDENTITIES]
