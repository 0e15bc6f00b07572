"""Snapshot of the code location (dagster-open-platform's test_defs): asset keys, checks, jobs,
sensors and schedules with their crons. A change here is a change of the operator's contract:
update the snapshot on purpose, never to make the test pass."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import dagster as dg

from pipelines.definitions import defs

REPO = Path(__file__).resolve().parent.parent

ASSET_KEYS = {
    "raw_reports", "quarantine", "ocr_reads", "curated",
    "warehouse/reports", "warehouse/active_disclosure", "warehouse/applications",
    "warehouse/review_litigation", "warehouse/report_sections", "warehouse/validation_issues",
    "agency_year_kpis", "expectations",
    "year_on_year", "cross_year_rolls", "peer_benchmarks", "peer_positions", "publication_timeliness",
    "coverage", "coverage_summary",
    "review/pages", "review/queue",
}
CHECKS = {
    ("curated", "pandera_schema"), ("curated", "report_identities"), ("curated", "ambiguous_cells"),
    ("curated", "all_reports_parsed"), ("agency_year_kpis", "cross_year_soft_checks"),
    ("expectations", "expectation_suite"), ("quarantine", "lake_accounting"),
    ("year_on_year", "flagged_inputs_give_no_change"), ("peer_positions", "peer_outliers"),
    ("publication_timeliness", "late_publications"), ("ocr_reads", "every_scan_filed_or_quarantined"),
}
JOBS = {"curated_job", "ocr_job", "year_job", "audit_job", "corrections_job", "review_pages_job", "review_queue_job"}
SCHEDULES = {  # name -> (cron, timezone, job, default status)
    "yearly_backfill": ("0 3 1 2 *", "Asia/Shanghai", "curated_job", "RUNNING"),
    "daily_catch_up": ("30 2 * * *", "Asia/Shanghai", "curated_job", "RUNNING"),
    "yearly_year_assets": ("0 6 1 2 *", "Asia/Shanghai", "year_job", "STOPPED"),
}
SENSORS = {  # name -> (minimum interval in seconds, job)
    "inbox_sensor": (15, "curated_job"),
    "ocr_sensor": (60, "ocr_job"),
    "year_refresh_sensor": (30, "year_job"),
    "corrections_sensor": (15, "corrections_job"),
    "review_refresh_sensor": (30, None),  # two jobs: review_pages_job, review_queue_job
}
LAYERS = ("raw", "ocr", "core", "marts", "audit", "review")
DIVISION_YEAR = {"raw_reports", "curated", "review/pages"}
"""Assets partitioned by division × year (`division|year`, ≤ ~3,400 × years at national scale);
every other asset but the quarantine ledger and the OCR step is partitioned by year alone."""


def test_definitions_snapshot_asset_keys_and_checks():
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert keys == ASSET_KEYS
    checks = {(k.asset_key.to_user_string(), k.name) for k in repo.asset_graph.asset_check_keys}
    assert checks == CHECKS


def test_definitions_snapshot_partitions_are_division_year_or_year_never_agency():
    repo = defs.get_repository_def()
    dims = {}
    for k in repo.asset_graph.get_all_asset_keys():
        p = repo.asset_graph.get(k).partitions_def
        dims[k.to_user_string()] = (None if p is None else tuple(d.name for d in p.partitions_defs)
                                    if isinstance(p, dg.MultiPartitionsDefinition) else (type(p).__name__,))
    assert {k for k, d in dims.items() if d == ("division", "year")} == DIVISION_YEAR
    assert {k for k, d in dims.items() if d is None} == {"quarantine", "ocr_reads"}
    assert {d for k, d in dims.items() if k not in DIVISION_YEAR | {"quarantine", "ocr_reads"}} == {("StaticPartitionsDefinition",)}


def test_definitions_snapshot_jobs_schedules_and_sensors():
    repo = defs.get_repository_def()
    jobs = {j.name for j in repo.get_all_jobs() if not j.name.startswith("__")}
    assert jobs == JOBS
    got = {
        s.name: (s.cron_schedule, s.execution_timezone, s.job_name, s.default_status.value)
        for s in repo.schedule_defs
    }
    assert got == SCHEDULES
    sensors = {s.name: (s.minimum_interval_seconds, s.job_name if len(s.targets) == 1 else None) for s in repo.sensor_defs}
    assert sensors == SENSORS


def test_quarantine_has_lineage_from_raw_and_curated():
    graph = defs.get_repository_def().asset_graph
    parents = {k.to_user_string() for k in graph.get(dg.AssetKey("quarantine")).parent_keys}
    assert parents == {"raw_reports", "curated"}


def test_each_layer_exports_its_own_defs_and_the_location_only_merges_them():
    import importlib

    seen: set[str] = set()
    for layer in LAYERS:
        mod = importlib.import_module(f"pipelines.defs.{layer}")
        assert isinstance(mod.defs, dg.Definitions), layer
        keys = {
            k.to_user_string()
            for a in mod.defs.assets or []
            for k in (a.keys if isinstance(a, dg.AssetsDefinition) else [a.key])
        }
        assert not keys & seen, f"{layer} redefines {keys & seen}"
        seen |= keys
    assert seen == ASSET_KEYS


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


def test_imports_run_one_way_layers_never_import_each_other_or_the_tooling():
    """definitions → defs/<layer> → root (keys, partitions, resources, metadata) → disclosure."""
    root = REPO / "pipelines"
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).parts
        mods = _imports(path)
        assert not {m for m in mods if m == "lakeops" or m.startswith("lakeops.")}, path
        assert not {m for m in mods if m == "assets" or m.startswith("assets.")}, path
        if rel[0] == "defs" and len(rel) > 2:
            own = rel[1]
            other = {m for m in mods if m.startswith("pipelines.defs.") and m.split(".")[2] != own}
            assert not other, f"{path}: imports another layer {other}"
            assert "pipelines.definitions" not in mods, path
        elif rel[0] != "definitions.py" and rel[0] != "defs":
            assert not {m for m in mods if m.startswith("pipelines.defs") or m == "pipelines.definitions"}, (
                f"{path}: a root module imports a layer")
    for path in (REPO / "disclosure").rglob("*.py"):
        mods = _imports(path)
        assert not {m for m in mods if m.split(".")[0] in {"dagster", "pipelines", "lakeops"}}, (
            f"{path}: the core is Dagster-free")


def test_descriptions_keep_their_placeholders_visible():
    """The UI renders descriptions as Markdown with HTML: `<key>` would vanish."""
    repo = defs.get_repository_def()
    texts = [(k.to_user_string(), repo.asset_graph.get(k).description or "") for k in repo.asset_graph.get_all_asset_keys()]
    texts += [(s.name, s.description or "") for s in repo.sensor_defs]
    texts += [(s.name, s.description or "") for s in repo.schedule_defs]
    texts += [(f"{k.asset_key.to_user_string()}:{k.name}", repo.asset_graph.get_check_spec(k).description or "")
              for k in repo.asset_graph.asset_check_keys]
    bad = [(name, m.group(0)) for name, text in texts for m in re.finditer(r"<[A-Za-z_][\w-]*>", text)]
    assert not bad


def test_plain_dagster_dev_in_the_repository_root_uses_the_lakes_instance(tmp_path: Path):
    """`dagster dev` without DAGSTER_HOME makes a temporary home but reads `dagster.yaml` from the
    current folder: the committed file points its storages at data_lake/.dagster."""
    from dagster._core.instance.ref import InstanceRef

    from lakeops.storage import root_instance_yaml

    assert (REPO / "dagster.yaml").read_text("utf-8") == root_instance_yaml()
    ref = InstanceRef.from_dir(str(tmp_path), config_dir=str(REPO))
    for data in (ref.run_storage_data, ref.event_storage_data, ref.schedule_storage_data):
        assert "base_dir: data_lake/.dagster/" in data.config_yaml, data
