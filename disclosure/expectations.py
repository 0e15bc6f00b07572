"""Great Expectations (1.x) suite over one year's lake tables, with static Data Docs.

The expectations are data (`suite_rules`), derived from `schema.TABLES` and the vocabulary,
so they can be listed and tested without importing GX; `run_suite` imports GX lazily (it
takes seconds to import) and validates in-memory DataFrames with an ephemeral context:

    from disclosure.expectations import run_suite
    result = run_suite(frames, Path("build/data_docs"), year=2024)
    result["success"], result["tables"]["applications"]["failed"], result["docs_index"]
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from disclosure import vocabulary as v
from disclosure.datadocs import localize_site
from disclosure.schema import TABLES, Table

SITE_NAME = "disclosure_lake"

Condition = tuple[str, str, Any]


@dataclass(frozen=True)
class Rule:
    """One expectation as data: GX class name, its arguments, an optional row filter."""

    table: str
    expectation: str  # class name in great_expectations.expectations
    kwargs: dict[str, Any]
    # Row filter: (column, operator, value) conditions, ANDed; operator "==" or "not_in".
    where: tuple[Condition, ...] = ()
    notes: str = ""

    @property
    def label(self) -> str:
        target = self.kwargs.get("column") or self.kwargs.get("column_list") or self.kwargs.get("column_A")
        where = " and ".join(f"{c} {op} {value}" for c, op, value in self.where)
        where = f" where {where}" if where else ""
        return f"{self.table}: {self.expectation}({target}){where}"


def _column_rules(table: Table, year: int) -> Iterator[Rule]:
    for c in table.columns:
        if not c.nullable:
            yield Rule(table.name, "ExpectColumnValuesToNotBeNull", {"column": c.name})
        if c.isin is not None and not c.dtype.startswith("list["):  # list elements: checked by pandera
            yield Rule(
                table.name, "ExpectColumnValuesToBeInSet", {"column": c.name, "value_set": list(c.isin)}
            )
        if c.ge is not None and c.name != "year":
            yield Rule(table.name, "ExpectColumnValuesToBeBetween", {"column": c.name, "min_value": c.ge})
    yield Rule(
        table.name,
        "ExpectColumnValuesToBeInSet",
        {"column": "year", "value_set": [year]},
        notes="one year's tables: every row belongs to the validated year",
    )
    yield Rule(
        table.name,
        "ExpectColumnValuesToMatchRegex",
        {"column": "report_id", "regex": r"^[0-9a-f]{64}$"},
        notes="report_id is a SHA-256 hex digest",
    )


def _key_rule(table: Table) -> Rule:
    if len(table.key) == 1:
        return Rule(table.name, "ExpectColumnValuesToBeUnique", {"column": table.key[0]})
    return Rule(table.name, "ExpectCompoundColumnsToBeUnique", {"column_list": list(table.key)})


def _active_disclosure_rules() -> Iterator[Rule]:
    """category.metric must be a key of the row's table-二 template; values ≥ 0 except signed metrics.

    (One rule per template and category: GX 1.24's ExpectColumnPairValuesToBeInSet errors
    when a row_condition leaves no rows, single-column expectations do not.)
    """
    for template, categories in v.ACTIVE_METRICS.items():
        yield Rule(
            "active_disclosure",
            "ExpectColumnValuesToBeInSet",
            {"column": "category", "value_set": list(categories)},
            where=(("template", "==", template),),
            notes=f"categories of the {template} template of table 二",
        )
        for category, metrics in categories.items():
            yield Rule(
                "active_disclosure",
                "ExpectColumnValuesToBeInSet",
                {"column": "metric", "value_set": list(metrics)},
                where=(("template", "==", template), ("category", "==", category)),
                notes=f"metrics of {category} in the {template} template of table 二",
            )
    yield Rule(
        "active_disclosure",
        "ExpectColumnValuesToBeBetween",
        {"column": "value", "min_value": 0},
        where=(("metric", "not_in", sorted(v.SIGNED_METRICS)),),
        notes="only 本年增/减 (change) may be negative",
    )


def suite_rules(year: int) -> dict[str, list[Rule]]:
    """Every expectation of the suite, per table of `schema.TABLES` (GX-free)."""
    rules: dict[str, list[Rule]] = {}
    for name, table in TABLES.items():
        rules[name] = [
            Rule(name, "ExpectTableColumnsToMatchOrderedList", {"column_list": table.column_names}),
            *_column_rules(table, year),
            _key_rule(table),
        ]
    rules["active_disclosure"] += list(_active_disclosure_rules())
    return rules


# --------------------------------------------------------------------------- GX


def _condition(condition: Condition) -> Any:
    from great_expectations.expectations.row_conditions import Column

    column, op, value = condition
    if op == "==":
        return Column(column) == value
    if op == "not_in":
        return Column(column).is_not_in(value)
    raise ValueError(f"unsupported operator {op!r}")


def _row_condition(where: tuple[Condition, ...]) -> Any:
    conditions = [_condition(c) for c in where]
    combined = conditions[0]
    for c in conditions[1:]:
        combined = combined & c
    return combined


def _expectation(rule: Rule) -> Any:
    import great_expectations.expectations as gxe

    kwargs = dict(rule.kwargs)
    if rule.where:
        kwargs["row_condition"] = _row_condition(rule.where)
    meta = {"rule": rule.label, **({"notes": rule.notes} if rule.notes else {})}
    return getattr(gxe, rule.expectation)(**kwargs, meta=meta)


def _site_config(docs_dir: Path) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
    }


@dataclass
class _TableResult:
    success: bool
    evaluated: int
    failed: list[str] = field(default_factory=list)
    # Rule label → a few offending values (GX's partial_unexpected_list), when GX gives them.
    unexpected: dict[str, list[Any]] = field(default_factory=dict)


def _summarise(result: Any) -> _TableResult:
    failed = sorted(
        (r for r in result.results if not r.success), key=lambda r: r.expectation_config.meta["rule"]
    )
    return _TableResult(
        success=bool(result.success),
        evaluated=len(result.results),
        failed=[r.expectation_config.meta["rule"] for r in failed],
        unexpected={
            r.expectation_config.meta["rule"]: list(r.result.get("partial_unexpected_list", []))[:5]
            for r in failed
        },
    )


def _context(docs_dir: Path) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(site_name=SITE_NAME, site_config=_site_config(docs_dir))
    return context


def _validation(context: Any, source: Any, name: str, rules: list[Rule], year: int) -> Any:
    import great_expectations as gx

    suite = context.suites.add(gx.ExpectationSuite(name=f"{name}.{year}"))
    for rule in rules:
        suite.add_expectation(_expectation(rule))
    batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(f"{name}.{year}")
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}.{year}", data=batch, suite=suite)
    )


@contextmanager
def _without_frame_fingerprint() -> Iterator[None]:
    """GX without its in-memory batch fingerprint (the "pandas_data_fingerprint" batch marker).

    GX md5-hashes every frame under `HASH_THRESHOLD` bytes to mark the batch; a frame with list
    columns (`flags`, `candidates`) cannot go through `hash_pandas_object`, so GX pickles it
    whole first. That was a quarter of the suite's time on a year (0.64 of 1.69 s for 527,000
    `applications` rows), for a marker nothing reads: each validated frame is a warehouse year
    file whose SHA-256 the lake manifest already holds. The module constant is read at each
    batch, so setting it for the run and restoring it after affects nothing else."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    saved = engine.HASH_THRESHOLD
    engine.HASH_THRESHOLD = 0  # `memory_usage().sum() < 0` never holds: no fingerprint
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = saved


def _swap_in(built: Path, final: Path) -> None:
    """Replace `final` by `built` with two renames (readers see the old site or the new one)."""
    for p in built.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    os.chmod(built, 0o755)
    old = final.with_name(f".{final.name}.old.{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(built, final)
    shutil.rmtree(old, ignore_errors=True)


def run_suite(
    frames: Mapping[str, pd.DataFrame], docs_dir: Path, year: int, tables: Iterable[str] | None = None
) -> dict[str, Any]:
    """Validate one year's tables with GX and build static Data Docs into `docs_dir`.

    Returns {"success", "year", "seconds", "docs_index", "tables": {table: {"success",
    "evaluated", "failed": [rule labels], "unexpected": {label: [a few values]}}}}.
    `tables` limits the run to some tables (default: all of `schema.TABLES`). A table
    missing from `frames` is validated as an empty frame without columns, so it fails.

    One ValidationDefinition per table, each run with its own DataFrame, then the Data Docs
    site is built once. (A Checkpoint passes one `batch_parameters` — one DataFrame — to all
    its validation definitions, and a Checkpoint per table with UpdateDataDocsAction rebuilds
    the whole site after every table, which took about half of the run time.)
    """
    started = time.perf_counter()
    final_dir = Path(docs_dir).resolve()
    # The site is built in a hidden sibling folder and swapped in whole: a failed build (a full
    # disk) leaves the previous site intact, never 0-byte pages.
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    docs_dir = Path(tempfile.mkdtemp(prefix=f".{final_dir.name}.", suffix=".tmp", dir=final_dir.parent))
    context = _context(docs_dir)
    source = context.data_sources.add_pandas(name="lake")
    selected = set(TABLES if tables is None else tables)
    results: dict[str, _TableResult] = {}
    with _without_frame_fingerprint():
        for name, rules in suite_rules(year).items():
            if name in selected:
                validation = _validation(context, source, name, rules, year)
                result = validation.run(
                    batch_parameters={"dataframe": frames.get(name, pd.DataFrame())},
                    result_format={"result_format": "SUMMARY"},
                )
                results[name] = _summarise(result)
    try:
        context.build_data_docs(site_names=[SITE_NAME])
        localize_site(docs_dir)  # readable offline: no CDN script, style or image
        _swap_in(docs_dir, final_dir)
    finally:
        shutil.rmtree(docs_dir, ignore_errors=True)
    index = final_dir / "index.html"
    return {
        "success": all(t.success for t in results.values()),
        "year": year,
        "seconds": round(time.perf_counter() - started, 2),
        "docs_index": str(index) if index.exists() else None,
        "tables": {name: vars(t) for name, t in results.items()},
    }
