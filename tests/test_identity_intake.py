"""The inbox's identity gate: uncertain identity is held, collisions are kept and reported, one body is one partition."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from disclosure.audit import audit_lake
from disclosure.collisions import read_decisions
from disclosure.ingest import IngestResult, ingest_inbox
from disclosure.lake import Lake, current_raw, raw_history, read_quarantine

CORPUS = Path(__file__).parent / "fixtures" / "reports"
YEARS = [str(y) for y in range(2019, 2026)]
TABLES = (CORPUS / "pingtan-spp-2022.txt").read_text("utf-8")


def _settled(lake, state) -> IngestResult:
    """Ticks until the inbox has settled (a file is read once it held still for two ticks)."""
    res = ingest_inbox(lake, state, years=YEARS)
    accepted, quarantined = list(res.accepted), list(res.quarantined)
    while res.settling:
        res = ingest_inbox(lake, res.state, years=YEARS)
        accepted += res.accepted
        quarantined += res.quarantined
    res.accepted, res.quarantined = accepted, quarantined
    return res


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lk = Lake.at(tmp_path / "lake")
    lk.ensure()
    return lk


def put(lake: Lake, name: str, text: str | None = None, src: str | None = None) -> None:
    path = lake.inbox / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if src:
        shutil.copy(CORPUS / src, path)
    else:
        path.write_text(text or "", "utf-8")


def _body_without_title(text: str) -> str:
    """The spp-2022 report with every line naming it removed (its tables and prose stay)."""
    start = text.index("一、总体情况")
    return text[start:].replace("平潭综合实验区苏平片区管理局", "我局").replace("2022", "本")


def test_a_report_whose_identity_rests_on_chrome_is_held_as_uncertain_identity(lake: Lake):
    put(lake, "page.txt", "今天是2026年3月2日 星期一\n" + _body_without_title(TABLES))
    res = _settled(lake, {})
    assert res.accepted == []
    [q] = res.quarantined
    assert q.code in ("uncertain_identity", "bad_agency_key")
    assert "今天是" not in (q.agency or "") and q.year != 2026


def test_uncertain_identity_names_its_candidates_and_a_manifest_row_releases_it(lake: Lake):
    # Title without a year and nothing else that states the year: one weak file-name year only.
    text = TABLES.replace("平潭综合实验区苏平片区管理局2022年度政府信息公开工作年度报告", "平潭综合实验区苏平片区管理局政府信息公开工作年度报告")
    text = text.replace("2022", "本")
    put(lake, "spp-2022.txt", text)
    res = _settled(lake, {})
    [q] = res.quarantined
    assert q.code == "uncertain_identity"
    assert "filename=2022" in q.reason and "manifest row" in q.reason
    # The operator adds a manifest row: the next tick reads the file again and files it.
    (lake.inbox / "manifest.csv").write_text("file,agency,year\nspp-2022.txt,平潭综合实验区苏平片区管理局,2022\n", "utf-8")
    res2 = _settled(lake, res.state)
    [acc] = res2.accepted
    assert (acc.raw.agency, acc.raw.year) == ("平潭综合实验区苏平片区管理局", 2022)
    assert acc.raw.year_source.startswith("manifest")


def test_conflicting_manifest_rows_hold_the_file_and_name_both_rows(lake: Lake):
    put(lake, "a.txt", src="pingtan-2022.txt")
    (lake.inbox / "manifest.csv").write_text("file,agency,year\na.txt,平潭综合实验区,2022\na.txt,平潭县,2022\n", "utf-8")
    res = _settled(lake, {})
    [q] = res.quarantined
    assert q.code == "manifest_conflict" and "rows 2 and 3" in q.reason
    assert [p.code for p in res.manifest_problems] == ["duplicate_row"]


def test_a_manifest_that_contradicts_the_report_is_obeyed_and_the_conflict_recorded(lake: Lake):
    from disclosure.intake import admit
    from disclosure.manifest import ManifestEntry

    data = (CORPUS / "pingtan-2022.txt").read_bytes()
    adm = admit(data, "a.txt", ManifestEntry("平潭综合实验区", 2023, None))
    assert (adm.agency, adm.year, adm.code) == ("平潭综合实验区", 2023, None)
    assert any(c.startswith("identity_conflict: year manifest 2023 vs report 2022") for c in adm.identity.conflicts)


def test_two_different_reports_for_one_partition_collide_both_kept_and_audit_fails(lake: Lake):
    put(lake, "a/page.txt", src="pingtan-zrz-2023.txt")
    _settled(lake, {})
    first = current_raw(lake, "平潭综合实验区自然资源与生态环境局", 2023)
    # A different report that names the same body and year (a mis-filed or mis-titled page).
    other = (CORPUS / "pingtan-nyn-2023.txt").read_text("utf-8").replace("平潭综合实验区农业农村局", "平潭综合实验区自然资源与生态环境局")
    put(lake, "b/page.txt", other)
    res = _settled(lake, {})
    acc = [a for a in res.accepted if a.inbox_path == "b/page.txt"]
    assert acc and acc[0].decision == "collision" and acc[0].superseded is None
    hist = raw_history(lake, "平潭综合实验区自然资源与生态环境局", 2023)
    assert len(hist) == 2  # both raw files kept
    assert current_raw(lake, "平潭综合实验区自然资源与生态环境局", 2023).sha256 == first.sha256  # first received stays
    [d] = [d for d in read_decisions(lake) if d.kind == "collision"]
    assert d.curated == first.sha256
    problems = [(f.kind, f.subject) for f in audit_lake(lake).problems]
    assert ("identity_collision", "平潭综合实验区自然资源与生态环境局|2023") in problems


def test_a_corrected_edition_supersedes_and_the_decision_is_recorded(lake: Lake):
    put(lake, "zrz-2023.txt", src="pingtan-zrz-2023.txt")
    _settled(lake, {})
    text = (CORPUS / "pingtan-zrz-2023.txt").read_text("utf-8")
    text = text.replace("2023年政府信息公开工作年度报告", "2023年政府信息公开工作年度报告（更正版）", 1).replace("0000", "0001", 1)
    put(lake, "zrz-2023-更正版.txt", text)
    res = _settled(lake, {})
    [acc] = [a for a in res.accepted if a.inbox_path == "zrz-2023-更正版.txt"]
    assert acc.decision == "supersedes" and acc.superseded is not None
    assert current_raw(lake, "平潭综合实验区自然资源与生态环境局", 2023).sha256 == acc.raw.sha256
    assert not [f for f in audit_lake(lake).problems if f.kind == "identity_collision"]


def test_one_report_as_pdf_and_as_text_is_no_collision(lake: Lake):
    put(lake, "huaian-gov-2024.pdf", src="huaian-gov-2024.pdf")
    put(lake, "huaian-gov-2024.txt", src="huaian-gov-2024.txt")
    res = _settled(lake, {})
    assert sorted(a.decision or "" for a in res.accepted) == ["", "same_report"]
    assert not [f for f in audit_lake(lake).problems if f.kind == "identity_collision"]


def test_hongze_with_and_without_its_prefecture_is_one_partition(lake: Lake):
    put(lake, "hongze-gov-2023.txt", src="hongze-gov-2023.txt")
    put(lake, "hongze-gov-2024.txt", src="hongze-gov-2024.txt")
    res = _settled(lake, {})
    assert sorted((a.raw.agency, a.raw.year) for a in res.accepted) == [("洪泽区人民政府", 2023), ("洪泽区人民政府", 2024)]
    assert read_quarantine(lake) == []


def test_cross_year_checks_treat_hongze_2023_and_2024_as_one_series():
    from disclosure.batch import BatchItem, parse_batch
    from disclosure.marts import cross_year_checks

    batch = parse_batch([BatchItem(path=CORPUS / "hongze-gov-2023.txt"), BatchItem(path=CORPUS / "hongze-gov-2024.txt")])
    reports = batch.frames["reports"]
    assert set(reports["agency"]) == {"洪泽区人民政府"}
    assert set(reports["printed_agency"]) == {"洪泽区人民政府", "淮安市洪泽区人民政府"}
    notes = cross_year_checks(batch.frames)
    series = notes[(notes["agency"] == "洪泽区人民政府") & (notes["year"] == 2024)]
    assert len(series) > 0  # 2024 is checked against 2023 of the same body
    assert "淮安市洪泽区人民政府" not in set(notes["agency"])


def test_a_registry_override_row_releases_an_uncertain_agency(lake: Lake):
    body = TABLES[TABLES.index("一、总体情况"):].replace("平潭综合实验区苏平片区管理局", "我乡")
    text = "2022年度政府信息公开工作年度报告\n本报告由某某乡人民政府编制。\n" + body
    put(lake, "town.txt", text)
    res = _settled(lake, {})
    assert [q.code for q in res.quarantined] == ["uncertain_identity"], [a.raw for a in res.accepted]
    (lake.root / "registry").mkdir()
    (lake.root / "registry" / "agencies.csv").write_text(
        "id,canonical_name,aliases,province,prefecture,county,division_code,level,type,parent_id,source\n"
        "local-town,某某乡人民政府,,,,,,township,township,,operator\n", "utf-8")
    res2 = _settled(lake, res.state)
    [acc] = res2.accepted
    assert acc.raw.agency == "某某乡人民政府" and "registry_override" in acc.raw.agency_source
