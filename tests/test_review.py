"""Review end to end on a real report: the queue and page assets in Dagster, the `disclosure review`
CLI, a correction re-curated by the corrections sensor's run, the audit, and the page in Chromium.

pingtan-zrz-2021.txt (a crawler dump) has three ambiguous cells in table 二 (规范性文件 printed
"5066": issued / abolished / in_force ran together) and four failed identities in table 三. Its
golden file says issued = 5 (hand-checked), which is the correction a reviewer records here.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg
import pytest

from disclosure.cli import main
from disclosure.corrections import audit_corrections, corrections_path, write_all
from disclosure.lake import Lake
from disclosure.review import read_partition, read_queue
from disclosure.review_page import page_path
from lakeops.runner import RunSummary, _run_range, apply_sensor_tick
from pipelines.definitions import build_defs
from pipelines.defs.review.assets import corrections_job
from pipelines.defs.review.sensors import corrections_tick, refresh_requests
from pipelines.partitions import division_year_partitions, join_key
from pipelines.resources import LakeResource
from tests.pipeline_helpers import PINGTAN, stage

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

AGENCY, YEAR = "平潭综合实验区自然资源与生态环境局", 2021
KEY = f"{PINGTAN}|{YEAR}"  # the agency-year's division-year partition
CELL = "active_disclosure.normative_documents.issued"
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "review_page.png"


def _cell(lake: Lake, cell: str = CELL) -> dict:
    frames = read_partition(lake, AGENCY, YEAR)
    assert frames is not None
    table, a, b = cell.split(".", 2)
    df = frames[table]
    cols = ("category", "metric") if table == "active_disclosure" else ("row", "applicant")
    return df[(df[cols[0]] == a) & (df[cols[1]] == b)].iloc[0].to_dict()


def _page_materializations(instance) -> list:
    recs = instance.fetch_materializations(dg.AssetKey(["review", "pages"]), limit=10).records
    return [r.asset_materialization for r in recs]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory):
    """The inbox tick, one corrections_job run (curated + page), the year's queue; then a
    correction through the CLI, the corrections sensor's tick, and the run it requests."""
    root = tmp_path_factory.mktemp("review-lake")
    lake = Lake(root)
    lake.ensure()
    stage(lake.inbox, "pingtan-zrz-2021.txt")
    defs = build_defs(LakeResource(root=str(root)))
    out: dict = {"lake": lake}
    with dg.instance_for_test() as instance:
        apply_sensor_tick(instance, lake, root / ".state")
        summary = RunSummary()

        def refresh() -> list[dg.RunRequest]:
            ordered = [str(k) for k in division_year_partitions.get_partition_keys(dynamic_partitions_store=instance)]
            requests = refresh_requests(lake, ordered)
            for r in requests:  # what the daemon does with the sensor's requests
                start = r.tags.get("dagster/asset_partition_range_start", str(r.partition_key))
                end = r.tags.get("dagster/asset_partition_range_end", str(r.partition_key))
                _run_range(defs.resolve_job_def(r.job_name), instance, start, end, summary, r.run_config or None)
            return requests

        _run_range(defs.resolve_job_def("corrections_job"), instance, KEY, KEY, summary)
        out["refresh_first"] = refresh()
        out["refresh_settled"] = refresh_requests(lake, [KEY])
        out["before_queue"] = read_queue(lake, YEAR)
        out["before_page"] = page_path(lake, YEAR, AGENCY).read_text("utf-8")
        out["before_cell"] = _cell(lake)
        out["materializations"] = _page_materializations(instance)
        out["audit_clean"] = audit_corrections(lake)
        out["tick_before"] = corrections_tick(lake, None)
        out["accept_wrong"] = main(["review", "accept", "--lake", str(root), "--agency", AGENCY, "--year", str(YEAR),
                                    "--cell", CELL, "--candidate", "66", "--reviewer", "li", "--reason", "x"])
        out["accept"] = main(["review", "accept", "--lake", str(root), "--agency", AGENCY, "--year", str(YEAR),
                              "--cell", CELL, "--candidate", "5", "--reviewer", "li",
                              "--reason", "规范性文件 5 | 0 | 66 as the PDF prints it"])
        out["audit_pending"] = audit_corrections(lake)
        requests, cursor, problems = corrections_tick(lake, out["tick_before"][1])
        out["requests"], out["problems"] = requests, problems
        out["tick_again"] = corrections_tick(lake, cursor)
        for r in requests:
            _run_range(defs.resolve_job_def(corrections_job.name), instance, str(r.partition_key),
                       str(r.partition_key), summary, r.run_config)
        out["refresh_after"] = refresh()
        out["after_cell"] = _cell(lake)
        out["after_queue"] = read_queue(lake, YEAR)
        out["after_page"] = page_path(lake, YEAR, AGENCY).read_text("utf-8")
        out["audit_applied"] = audit_corrections(lake)
        out["summary"] = summary
    yield out


def test_the_runs_succeed(pipeline) -> None:
    assert pipeline["summary"].runs == 6 and pipeline["summary"].failed_runs == 0


def test_the_refresh_sensor_requests_the_stale_page_and_queue_and_then_nothing(pipeline) -> None:
    first = pipeline["refresh_first"]
    assert sorted(r.job_name for r in first) == ["review_pages_job", "review_queue_job"]
    pages = next(r for r in first if r.job_name == "review_pages_job")
    assert (pages.tags["dagster/asset_partition_range_start"], pages.tags["dagster/asset_partition_range_end"]) == (KEY, KEY)
    queue = next(r for r in first if r.job_name == "review_queue_job")
    assert queue.tags["dagster/asset_partition_range_start"] == queue.tags["dagster/asset_partition_range_end"] == str(YEAR)
    assert pipeline["refresh_settled"] == []
    assert sorted(r.job_name for r in pipeline["refresh_after"]) == ["review_pages_job", "review_queue_job"]


def test_the_queue_lists_the_ambiguous_cells_and_failed_identities_with_their_source(pipeline) -> None:
    q = pipeline["before_queue"]
    lake = pipeline["lake"]
    cells = q[q["item"] == "cell"]
    assert sorted(cells["key"]) == [f"active_disclosure.normative_documents.{m}" for m in ("abolished", "in_force", "issued")]
    issued = cells[cells["key"] == CELL].iloc[0]
    assert issued["raw_text"] == "5066" and list(issued["candidates"]) == [5.0, 50.0] and issued["where"]
    raw = Path(lake.root) / issued["raw_path"]
    assert hashlib.sha256(raw.read_bytes()).hexdigest() == issued["report_id"]
    ids = q[q["item"] == "identity"]
    assert "applications.balance[natural_person]" in set(ids["key"])
    bal = ids[ids["key"] == "applications.balance[natural_person]"].iloc[0]
    assert (bal["lhs"], bal["rhs"]) == (16.0, 18.0) and "16" in bal["detail"]


def test_each_page_materialization_links_its_page(pipeline) -> None:
    mats = pipeline["materializations"]
    assert mats and all(m.partition == KEY for m in mats)
    md = mats[-1].metadata
    assert Path(md["page"].value).is_file() and md["page_url"].value.startswith("file://")
    assert Path(unquote(urlparse(md["page_url"].value).path)) == Path(md["page"].value).resolve()
    assert md["flagged_cells"].value == 3 and md["failed_identities"].value == 4


def test_accept_refuses_a_value_that_is_no_candidate_and_records_one_that_is(pipeline, capsys) -> None:
    assert pipeline["accept_wrong"] == 2 and pipeline["accept"] == 0
    lines = corrections_path(pipeline["lake"]).read_text("utf-8").splitlines()
    assert len(lines) == 1
    d = json.loads(lines[0])
    assert (d["cell"], d["value"], d["reviewer"], d["agency"], d["year"]) == (CELL, 5, "li", AGENCY, YEAR)
    assert d["report_id"] == pipeline["before_cell"]["report_id"] and d["date"] and d["reason"]


def test_the_sensor_requests_the_corrected_partition_once(pipeline) -> None:
    assert pipeline["tick_before"][0] == []  # no corrections file yet
    assert [str(r.partition_key) for r in pipeline["requests"]] == [KEY] and pipeline["problems"] == []
    # the correction re-curates only its own agency of the division-year
    assert [r.run_config["ops"]["curated"]["config"]["agencies"] for r in pipeline["requests"]] == [[AGENCY]]
    assert pipeline["tick_again"][0] == []  # same bytes: nothing requested twice


def test_the_corrected_cell_is_flagged_corrected_and_keeps_the_original(pipeline) -> None:
    before, after = pipeline["before_cell"], pipeline["after_cell"]
    assert before["value"] is None or before["value"] != before["value"] or str(before["value"]) == "<NA>"
    assert after["value"] == 5 and list(after["flags"]) == ["corrected"]
    assert list(after["original_flags"]) == ["ambiguous"] and str(after["original_value"]) in ("<NA>", "None", "nan")
    assert after["raw_text"] == before["raw_text"] == "5066"


def test_the_queue_and_page_follow_the_correction(pipeline) -> None:
    q = pipeline["after_queue"]
    row = q[q["key"] == CELL].iloc[0]
    assert row["status"] == "corrected" and row["value"] == 5 and list(row["original_flags"]) == ["ambiguous"]
    assert (q["status"] == "open").sum() == len(pipeline["before_queue"]) - 1
    assert 'id="n-corrected">0 corrected' in pipeline["before_page"]
    assert 'id="n-corrected">1 corrected' in pipeline["after_page"]


def test_the_audit_accounts_for_the_correction(pipeline) -> None:
    assert pipeline["audit_clean"] == []
    assert [o.status for o in pipeline["audit_pending"]] == ["pending"]
    assert [o.status for o in pipeline["audit_applied"]] == ["applied"]


def test_the_audit_names_a_correction_that_cannot_apply(pipeline, tmp_path: Path, capsys) -> None:
    import shutil

    from disclosure.corrections import Correction, read_corrections

    lake = Lake(tmp_path / "lake")
    shutil.copytree(pipeline["lake"].root, lake.root, ignore=shutil.ignore_patterns(".dagster", ".state"))
    good = read_corrections(lake).corrections[0]
    args = {**good.__dict__, "line": 0}
    write_all(lake, [good, Correction(**{**args, "cell": "applications.carried_over.legal_service_org", "value": 3.0,
                                         "report_id": "f" * 64})])
    with corrections_path(lake).open("a", encoding="utf-8") as fh:
        fh.write("{torn\n")
    assert main(["audit", "--lake", str(lake.root)]) == 1
    out = capsys.readouterr().out
    assert "corrections: 3 line(s) — 1 applied" in out
    assert "correction_stale: corrections.jsonl:2" in out and "correction_rejected: corrections.jsonl:3" in out


def test_review_list_and_show_print_the_cell_and_its_source_excerpt(pipeline, capsys) -> None:
    root = str(pipeline["lake"].root)
    assert main(["review", "list", "--lake", root, "--flag", "ambiguous"]) == 0
    out = capsys.readouterr().out
    assert "normative_documents.abolished" in out and CELL not in out  # corrected: no longer open
    assert main(["review", "list", "--lake", root, "--flag", "identity_failed", "--year", str(YEAR)]) == 0
    assert "applications.balance[natural_person]" in capsys.readouterr().out
    assert main(["review", "show", "--lake", root, "--agency", AGENCY, "--year", str(YEAR),
                 "--cell", "active_disclosure.normative_documents.in_force"]) == 0
    out = capsys.readouterr().out
    assert "printed:    '5066'" in out and "▶" in out and "规范性文件" in out.split("▶", 1)[1].splitlines()[0]


def test_set_needs_an_override_for_a_value_no_candidate_allows(pipeline, tmp_path: Path, capsys) -> None:
    import shutil

    lake = Lake(tmp_path / "lake")
    shutil.copytree(pipeline["lake"].root, lake.root, ignore=shutil.ignore_patterns(".dagster", ".state"))
    base = ["review", "set", "--lake", str(lake.root), "--agency", AGENCY, "--year", str(YEAR),
            "--cell", "active_disclosure.normative_documents.in_force", "--value", "7", "--reviewer", "li", "--reason", "r"]
    assert main(base) == 2 and "pass --override" in capsys.readouterr().err
    assert main([*base, "--override"]) == 0
    assert json.loads(corrections_path(lake).read_text("utf-8").splitlines()[-1])["override"] is True


# --------------------------------------------------------------------------- the page in a browser


def test_the_review_page_shows_flagged_cells_candidates_identities_and_links_that_resolve(pipeline, browser_page) -> None:
    page = browser_page
    path = page_path(pipeline["lake"], YEAR, AGENCY)
    page.goto(path.resolve().as_uri())
    assert page.title().startswith(AGENCY)
    # the three tables as printed, with the template's labels
    for title in ("表二", "表三", "表四"):
        assert page.locator("h2", has_text=title).count() == 1
    assert page.locator("table[data-table=applications] th", has_text="本年新收").count() == 1
    # flagged cells are highlighted (computed style), with printed text and candidates
    flagged = page.locator("td.flagged")
    assert flagged.count() == 2
    bg = flagged.first.evaluate("e => getComputedStyle(e).backgroundColor")
    plain = page.locator("table[data-table=applications] td.num:not(.flagged)").first.evaluate(
        "e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(255, 214, 102)" and plain != bg
    in_force = page.locator('td[data-cell="active_disclosure.normative_documents.in_force"]')
    assert "5066" in in_force.inner_text() and "?" in in_force.inner_text()
    corrected = page.locator(f'td[data-cell="{CELL}"]')
    assert "corrected" in corrected.get_attribute("class") and corrected.inner_text().startswith("5")
    # failed identities with their numbers; operand cells outlined
    ident = page.locator("section.identity", has_text="applications.balance[natural_person]")
    assert "16" in ident.inner_text() and "18" in ident.inner_text() and "相差 2" in ident.inner_text()
    assert page.locator("td.operand").count() > 0
    # the source excerpt of each flagged cell, the cell's text marked
    section = page.locator("section.cell", has_text="normative_documents.in_force")
    assert "5066" in section.locator("pre.excerpt mark").inner_text()
    # every in-page link has its target, and the link to the raw file opens it
    hrefs = page.eval_on_selector_all("a[href^='#']", "els => els.map(e => e.getAttribute('href').slice(1))")
    assert hrefs and all(page.locator(f"[id='{h}']").count() == 1 for h in hrefs)
    raw = page.locator("#raw-link")
    target = Path(unquote(urlparse(raw.evaluate("e => e.href")).path))
    assert target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == pipeline["after_cell"]["report_id"]
    assert page.console_errors == []
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)


# --------------------------------------------------------------------------- the Dagster definitions


def test_the_code_location_has_the_review_assets_jobs_and_sensors(tmp_path: Path) -> None:
    defs = build_defs(LakeResource(root=str(tmp_path)))
    # read from the definitions as declared (resolving them would open a Dagster instance)
    keys = {k.to_user_string() for a in defs.assets for k in (a.keys if hasattr(a, "keys") else [a.key])}
    assert {"review/queue", "review/pages", "curated"} <= keys
    assert {"corrections_job", "review_pages_job", "review_queue_job"} <= {j.name for j in defs.jobs}
    assert {"corrections_sensor", "review_refresh_sensor", "inbox_sensor"} <= {s.name for s in defs.sensors}


def test_the_corrections_sensor_names_an_invalid_line_and_requests_nothing_for_it(tmp_path: Path) -> None:
    from pipelines.defs.review.sensors import corrections_sensor

    lake = Lake(tmp_path)
    corrections_path(lake).parent.mkdir(parents=True)
    corrections_path(lake).write_text('{"cell": "applications.granted.nobody"}\n', encoding="utf-8")
    ctx = dg.build_sensor_context(resources={"lake": LakeResource(root=str(tmp_path))})
    result = corrections_sensor(ctx)
    assert not result.run_requests and "corrections.jsonl:1: missing field" in result.skip_reason.skip_message
    assert json.loads(result.cursor)["lines"] == 1


def test_stale_pages_are_rebuilt_in_one_ranged_run_per_year_and_span(monkeypatch, tmp_path: Path) -> None:
    import pipelines.defs.review.sensors as rs
    from tests.pipeline_helpers import HONGZE, SHANGHAI

    lake = Lake(tmp_path)
    ordered = [join_key(d, y) for d in (SHANGHAI, HONGZE, PINGTAN, "000000 区划不明") for y in (2020, 2021)]
    # 沭阳县 (321322) is not a registered partition yet: a range of its own
    stale = [("上海市人民政府办公厅", 2020), (AGENCY, 2020), ("平潭综合实验区", 2020), ("洪泽区人民政府", 2021),
             ("沭阳县发展和改革局", 2021)]
    assert rs.page_ranges(lake, stale, ordered) == [
        ("321322 沭阳县|2021", "321322 沭阳县|2021"), (f"{SHANGHAI}|2020", f"{SHANGHAI}|2020"),
        (f"{PINGTAN}|2020", f"{PINGTAN}|2020"), (f"{HONGZE}|2021", f"{HONGZE}|2021")]
    monkeypatch.setattr(rs, "BATCH_SIZE", 2)
    assert rs.page_ranges(lake, [("上海市人民政府办公厅", 2020), ("洪泽区人民政府", 2020), ("测试市", 2020)], ordered) == [
        (f"{SHANGHAI}|2020", f"{HONGZE}|2020"), ("000000 区划不明|2020", "000000 区划不明|2020")]
