"""Shared helpers of the pipeline tests: a temporary lake, staged corpus files, golden cells."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

REPORTS = Path(__file__).parent / "fixtures" / "reports"
GOLDEN = REPORTS / "expected"

# Dagster division partitions of the fixture bodies (registry code + name, disclosure/data/agencies.csv).
PINGTAN = "350128 平潭县"  # 平潭综合实验区 (a management committee with the county's code)
HONGZE = "320813 洪泽区"  # 洪泽区人民政府
SHANGHAI = "310000 上海市"  # 上海市人民政府办公厅 (province level)


def stage(inbox: Path, *names: str, sub: str = "") -> list[Path]:
    target = inbox / sub
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for n in names:
        shutil.copy2(REPORTS / n, target / n)
        out.append(target / n)
    return out


def golden(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))


def golden_cells(name: str) -> dict[tuple[str, str, str], float | None]:
    """(table, a, b) → value from a hand-checked golden file."""
    g = golden(name)
    cells: dict[tuple[str, str, str], float | None] = {}
    for k, v in g["active_disclosure"].items():
        cat, metric = k.split(".", 1)
        cells[("active_disclosure", cat, metric)] = v
    for row, by_app in g["applications"].items():
        for app, v in by_app.items():
            cells[("applications", row, app)] = v
    for k, v in g["review_litigation"].items():
        proc, outcome = k.split(".", 1)
        cells[("review_litigation", proc, outcome)] = v
    return cells


FLAGGED_NULL = "flagged-null"  # a cell the lake stores as null because a flag says the page does not justify a value


def lake_cells(glob: str, agency: str, year: int) -> dict[tuple[str, str, str], float | str | None]:
    """The same cells read back from Parquet files with DuckDB's hive reader (FLAGGED_NULL
    for a null value flagged ambiguous, unparsed or not_found)."""
    con = duckdb.connect()
    out: dict[tuple[str, str, str], float | None] = {}
    cols = {"active_disclosure": ("category", "metric"), "applications": ("row", "applicant"),
            "review_litigation": ("proceeding", "outcome")}
    for table, (a, b) in cols.items():
        rows = con.execute(
            f"select {a}, {b}, value, list_has_any(flags, ['ambiguous', 'unparsed', 'not_found']) "
            f"from read_parquet('{glob.format(table=table)}', hive_partitioning=true) where agency = ? and year = ?",
            [agency, year],
        ).fetchall()
        for x, y, v, withheld in rows:
            out[(table, x, y)] = FLAGGED_NULL if v is None and withheld else None if v is None else float(v)
    return out


def assert_cells_match_golden(name: str, got: dict[tuple[str, str, str], float | None]) -> None:
    want = golden_cells(name)
    wrong = {k: (got.get(k, "missing"), v) for k, v in want.items()
             if got.get(k, "missing") not in ((None if v is None else float(v)), FLAGGED_NULL)}
    assert not wrong, f"{name}: {len(wrong)} cell(s) differ from the golden file (got, want): {dict(list(wrong.items())[:10])}"


def stage_manifest(inbox: Path, *names: str) -> Path:
    """A manifest.csv naming `names` with the corpus manifest's agency and year.

    Needed for reports whose own evidence is too weak to be a partition (xining-etdz-2022 has no
    title: its identity is held as uncertain_identity without a manifest row)."""
    import csv

    rows = {r["file"]: r for r in csv.DictReader((REPORTS / "manifest.csv").open(encoding="utf-8"))}
    lines = ["file,agency,year"] + [f"{n},{rows[n]['agency']},{rows[n]['year']}" for n in names]
    path = inbox / "manifest.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path
