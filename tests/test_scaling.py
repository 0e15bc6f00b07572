"""Past one machine: the lake on fsspec URLs, the instance configurations of docs/scaling.md, the
batched SQLite event storage, and the benchmark corpus (generated reports, unique agencies)."""

from __future__ import annotations

import sys
import uuid
import warnings
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from disclosure.batch import BatchItem, parse_batch
from disclosure.lake import (
    Lake,
    compact_year,
    current_raw,
    quarantine,
    read_curated,
    read_quarantine,
    read_raw,
    read_warehouse,
    scan_inbox,
    store_raw,
    write_partition,
    write_partitions,
)
from disclosure.schema import TABLES
from lakeops.runner import apply_sensor_tick, materialize_all
from lakeops.storage import BatchedSqliteEventLogStorage, instance_yaml
from pipelines.definitions import build_defs
from pipelines.resources import LakeResource

warnings.filterwarnings("ignore", category=dg.BetaWarning)

CORPUS = Path(__file__).parent / "fixtures" / "reports"
AGENCY = "平潭综合实验区"
REPO = Path(__file__).resolve().parent.parent


def _frames(*names: str) -> dict:
    items = [BatchItem(path=n, agency=AGENCY, year=int(n[-8:-4]), data=(CORPUS / n).read_bytes()) for n in names]
    batch = parse_batch(items, validate=False)
    return {t: batch.frames[t] for t in TABLES}


@pytest.fixture(params=["memory", "file"])
def url_lake(request: pytest.FixtureRequest, tmp_path: Path) -> Lake:
    root = f"memory://lake-{uuid.uuid4().hex}" if request.param == "memory" else f"file://{tmp_path}/lake"
    lake = Lake.at(root)
    assert not lake.is_local and not isinstance(lake.root, Path)
    lake.ensure()
    return lake


def test_lake_round_trips_on_an_fsspec_url(url_lake: Lake) -> None:
    lake = url_lake
    data = (CORPUS / "pingtan-2023.txt").read_bytes()
    rf = store_raw(lake, data, agency=AGENCY, year=2023, source_file="pingtan-2023.txt")
    assert current_raw(lake, AGENCY, 2023) == rf and read_raw(lake, rf) == data
    assert store_raw(lake, data, agency=AGENCY, year=2023, source_file="again.txt") == rf  # same bytes: stored once
    frames = _frames("pingtan-2022.txt", "pingtan-2023.txt")
    writes = write_partitions(lake, frames, durable=False)
    assert len(writes) == 2 * len(TABLES)
    got = read_curated(lake, "applications")
    assert sorted(got["year"].unique().tolist()) == [2022, 2023] and len(got) == len(frames["applications"])
    res = compact_year(lake, "applications", 2023)
    assert res.rows == len(read_warehouse(lake, "applications", 2023)) > 0
    quarantine(lake, source_file="junk.md", code="not_a_report", reason="r", data=b"junk")
    quarantine(lake, source_file="other.md", code="not_a_report", reason="r")
    assert [q.source_file for q in read_quarantine(lake)] == ["junk.md", "other.md"]
    (lake.inbox / "x").mkdir(parents=True, exist_ok=True)
    (lake.inbox / "x" / "a.txt").write_bytes(b"abc")
    (lake.inbox / ".hidden").write_bytes(b"abc")
    listing = scan_inbox(lake.inbox)
    assert list(listing) == ["x/a.txt"] and listing["x/a.txt"][0] == 3


def test_file_url_lake_is_readable_by_duckdb(tmp_path: Path) -> None:
    lake = Lake.at(f"file://{tmp_path}")
    write_partitions(lake, _frames("pingtan-2024.txt"))
    n = duckdb.connect().execute(
        f"select count(*) from read_parquet('{tmp_path}/curated/applications/*/*/*.parquet', hive_partitioning=true)"
    ).fetchone()
    assert n is not None and n[0] > 0


def test_write_partitions_writes_the_same_files_as_write_partition(tmp_path: Path) -> None:
    frames = _frames("pingtan-2022.txt", "pingtan-2023.txt")
    one = Lake(tmp_path / "one")
    many = Lake(tmp_path / "many")
    expected = []
    for year in (2022, 2023):
        for t, df in frames.items():
            part = df[df["year"] == year].reset_index(drop=True)
            expected.append(write_partition(one, t, part, year=year, agency=AGENCY).sha256)
    got = write_partitions(many, frames, skip=[(2023, AGENCY)])
    assert len(got) == len(TABLES) and all(w.path.count("year=2022") for w in got)
    got += write_partitions(many, {t: df[df["year"] == 2023] for t, df in frames.items()})
    assert sorted(w.sha256 for w in got) == sorted(expected)


def test_partitions_written_from_a_slice_of_the_batch_have_the_bytes_of_their_own_frame(tmp_path: Path) -> None:
    """write_partitions cuts each partition out of the batch's Arrow table as a zero-copy slice
    (its rows stand together); a slice at an offset must encode as the partition's own rows do."""
    years = (2021, 2022, 2023, 2024)
    frames = _frames(*(f"pingtan-{y}.txt" for y in years))
    assert (frames["applications"]["year"].diff().fillna(0) >= 0).all()  # one run per partition, in order
    expected = sorted(
        write_partition(Lake(tmp_path / "one"), t, df[df["year"] == y].reset_index(drop=True), year=y,
                        agency=AGENCY).sha256
        for y in years for t, df in frames.items()
    )
    got = write_partitions(Lake(tmp_path / "many"), frames, shards=False)
    assert sorted(w.sha256 for w in got) == expected


def test_pipeline_runs_in_process_on_a_memory_lake(tmp_path: Path) -> None:
    root = f"memory://pipeline-{uuid.uuid4().hex}"
    lake = Lake.at(root)
    lake.ensure()
    for name in ("pingtan-2022.txt", "pingtan-2023.txt"):
        (lake.inbox / name).write_bytes((CORPUS / name).read_bytes())
    defs = build_defs(LakeResource(root=root))
    with dg.instance_for_test() as instance:
        tick = apply_sensor_tick(instance, lake, tmp_path / "state")
        assert sorted(tick.accepted) == [f"{AGENCY}|2022", f"{AGENCY}|2023"]
        summary = materialize_all(defs, instance, lake, year_job_name=None)
    assert summary.failed_runs == 0
    app = read_curated(lake, "applications", year=2023)
    assert len(app) > 0 and set(app["agency"]) == {AGENCY}


@pytest.mark.parametrize("storage", ["sqlite", "sqlite-stock", "postgres"])
def test_instance_yaml_is_a_valid_dagster_instance_config(tmp_path: Path, storage: str) -> None:
    from dagster._core.instance.config import dagster_instance_config

    text = instance_yaml(tmp_path, storage=storage, postgres_url="postgresql://u:p@localhost:5432/dagster")
    (tmp_path / "dagster.yaml").write_text(text, "utf-8")
    cfg, _ = dagster_instance_config(str(tmp_path))
    assert ("storage" in cfg) != (storage == "sqlite")
    assert yaml.safe_load(text)["run_coordinator"]["config"]["max_concurrent_runs"] == 2


def test_docs_scaling_yaml_examples_are_valid(tmp_path: Path) -> None:
    """Every ```yaml block of docs/scaling.md that is a dagster.yaml validates against Dagster's schema."""
    from dagster._config import validate_config
    from dagster._core.instance.config import dagster_instance_config_schema

    text = (REPO / "docs" / "scaling.md").read_text("utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```yaml\n")[1:]]
    checked = 0
    for block in blocks:
        if not block.lstrip().startswith("# dagster.yaml"):
            continue
        res = validate_config(dagster_instance_config_schema(), yaml.safe_load(block))
        assert res.success, (block, [e.message for e in res.errors])
        checked += 1
    assert checked >= 3


def test_batched_sqlite_storage_stores_the_same_events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "500")
    parts = dg.StaticPartitionsDefinition([f"p{i}" for i in range(12)])

    @dg.asset(partitions_def=parts, backfill_policy=dg.BackfillPolicy.single_run())
    def thing(context) -> dg.MaterializeResult:  # untyped: dagster rejects a string annotation here
        return dg.MaterializeResult(metadata={"n": len(context.partition_keys)})

    (tmp_path / "dagster.yaml").write_text(instance_yaml(tmp_path), "utf-8")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert isinstance(instance.event_log_storage, BatchedSqliteEventLogStorage)
        job = dg.Definitions(assets=[thing]).resolve_implicit_global_asset_job_def()
        res = job.execute_in_process(
            instance=instance, tags={"dagster/asset_partition_range_start": "p0", "dagster/asset_partition_range_end": "p9"}
        )
        assert res.success
        mats = instance.get_event_records(dg.EventRecordsFilter(dg.DagsterEventType.ASSET_MATERIALIZATION, dg.AssetKey("thing")))
        planned = instance.get_event_records(
            dg.EventRecordsFilter(dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED, dg.AssetKey("thing"))
        )
        assert sorted(r.partition_key for r in mats) == sorted(f"p{i}" for i in range(10))
        assert len(planned) == 10
        status = instance.get_status_by_partition(dg.AssetKey("thing"), parts.get_partition_keys(), parts)
        assert status is not None and sum(s == dg.AssetPartitionStatus.MATERIALIZED for s in status.values()) == 10
        latest = instance.get_latest_materialization_event(dg.AssetKey("thing"))
        assert latest is not None and latest.dagster_event.partition == mats[0].partition_key


def test_bench_corpus_has_unique_agencies_and_reports_of_their_year(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from run_all import YEARS, build_inbox

    from disclosure.identify import identify_file

    n, keys = build_inbox(tmp_path, 21)
    assert n == 21 and len(set(keys)) == 21 and len({k.split("|")[0] for k in keys}) == 3
    rows = (tmp_path / "manifest.csv").read_text("utf-8").splitlines()[1:]
    assert sorted({int(r.split(",")[2]) for r in rows}) == YEARS
    for r in rows[:7]:
        file, _, year, _ = r.split(",")
        found = identify_file((tmp_path / file).read_bytes(), file)
        assert found.year is None or found.year == int(year), (file, found.year, year)

