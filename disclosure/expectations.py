"""Great Expectations (1.x) suite over one year's lake tables, with static Data Docs.

The expectations are data (`suite_rules`), derived from `schema.TABLES` and the vocabulary,
so they can be listed and tested without importing GX; `run_suite` imports GX lazily (it
takes seconds to import) and validates in-memory DataFrames with an ephemeral context:

    from disclosure.expectations import run_suite
    result = run_suite(frames, Path("build/data_docs"), year=2024)
    result["success"], result["tables"]["applications"]["failed"], result["docs_index"]
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from disclosure import vocabulary as v
from disclosure.schema import TABLES, Table

SITE_NAME = "disclosure_lake"


@dataclass(frozen=True)
class Rule:
    """One expectation as data: GX class name, its arguments, an optional row filter."""

    table: str
    expectation: str  # class name in great_expectations.expectations
    kwargs: dict[str, Any]
    # (column, operator, value) with operator "==", "!=" or "not_in"; applied as a row_condition.
    where: tuple[str, str, Any] | None = None
    notes: str = ""

    @property
    def label(self) -> str:
        target = self.kwargs.get("column") or self.kwargs.get("column_list") or self.kwargs.get("column_A")
        where = f" where {self.where[0]} {self.where[1]} {self.where[2]}" if self.where else ""
        return f"{self.table}: {self.expectation}({target}){where}"


def _column_rules(table: Table, year: int) -> Iterator[Rule]:
    for c in table.columns:
        if not c.nullable:
            yield Rule(table.name, "ExpectColumnValuesToNotBeNull", {"column": c.name})
        if c.isin is not None:
            yield Rule(table.name, "ExpectColumnValuesToBeInSet", {"column": c.name, "value_set": list(c.isin)})
        if c.ge is not None and c.name != "year":
            yield Rule(table.name, "ExpectColumnValuesToBeBetween", {"column": c.name, "min_value": c.ge})
    yield Rule(table.name, "ExpectColumnValuesToBeInSet", {"column": "year", "value_set": [year]},
               notes="one year's tables: every row belongs to the validated year")
    yield Rule(table.name, "ExpectColumnValuesToMatchRegex", {"column": "report_id", "regex": r"^[0-9a-f]{64}$"},
               notes="report_id is a SHA-256 hex digest")


def _key_rule(table: Table) -> Rule:
    if len(table.key) == 1:
        return Rule(table.name, "ExpectColumnValuesToBeUnique", {"column": table.key[0]})
    return Rule(table.name, "ExpectCompoundColumnsToBeUnique", {"column_list": list(table.key)})


def _active_disclosure_rules() -> Iterator[Rule]:
    """(category, metric) allowed per template of table 二; values ≥ 0 except signed metrics."""
    for template, categories in v.ACTIVE_METRICS.items():
        pairs = [[c, m] for c, ms in categories.items() for m in ms]
        yield Rule("active_disclosure", "ExpectColumnPairValuesToBeInSet",
                   {"column_A": "category", "column_B": "metric", "value_pairs_set": pairs},
                   where=("template", "==", template),
                   notes=f"category.metric is a key of the {template} template")
    yield Rule("active_disclosure", "ExpectColumnValuesToBeBetween", {"column": "value", "min_value": 0},
               where=("metric", "not_in", sorted(v.SIGNED_METRICS)),
               notes="only 本年增/减 (change) may be negative")


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


def _row_condition(where: tuple[str, str, Any]) -> Any:
    from great_expectations.expectations.row_conditions import Column

    column, op, value = where
    col = Column(column)
    return {"==": lambda: col == value, "!=": lambda: col != value, "not_in": lambda: col.is_not_in(value)}[op]()


def _expectation(rule: Rule) -> Any:
    import great_expectations.expectations as gxe

    kwargs = dict(rule.kwargs)
    if rule.where is not None:
        kwargs["row_condition"] = _row_condition(rule.where)
    return getattr(gxe, rule.expectation)(**kwargs, meta={"notes": rule.notes} if rule.notes else None)


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


def _summarise(rules: list[Rule], result: Any) -> _TableResult:
    failed = [rule.label for rule, r in zip(rules, result.results, strict=True) if not r.success]
    return _TableResult(success=bool(result.success), evaluated=len(result.results), failed=failed)


def _frame_for_gx(frame: pd.DataFrame) -> pd.DataFrame:
    """GX's pandas metrics choke on pd.NA in object comparisons; hand it numpy-friendly dtypes."""
    out = frame.copy()
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.StringDtype):
            out[name] = frame[name].astype(object).where(frame[name].notna(), None)
        elif pd.api.types.is_extension_array_dtype(dtype) and pd.api.types.is_numeric_dtype(dtype):
            out[name] = frame[name].astype("float64")
    return out


def run_suite(frames: Mapping[str, pd.DataFrame], docs_dir: Path, year: int) -> dict[str, Any]:
    """Validate one year's tables with GX and build static Data Docs into `docs_dir`.

    Returns {"success", "year", "seconds", "docs_index", "tables": {table: {"success",
    "evaluated", "failed": [labels]}}}. A table missing from `frames` is validated as an
    empty frame with no columns (so its column expectations fail).
    """
    started = time.perf_counter()
    import great_expectations as gx

    docs_dir = Path(docs_dir).resolve()
    context = gx.get_context(mode="ephemeral")
    context.add_data_docs_site(site_name=SITE_NAME, site_config=_site_config(docs_dir))
    source = context.data_sources.add_pandas(name="lake")
    tables: dict[str, _TableResult] = {}
    for name, rules in suite_rules(year).items():
        suite = context.suites.add(gx.ExpectationSuite(name=f"{name}.{year}"))
        for rule in rules:
            suite.add_expectation(_expectation(rule))
        batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(f"{name}.{year}")
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{name}.{year}", data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{name}.{year}",
                validation_definitions=[validation],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[SITE_NAME])],
                result_format={"result_format": "SUMMARY"},
            )
        )
        frame = _frame_for_gx(frames.get(name, pd.DataFrame()))
        run = checkpoint.run(batch_parameters={"dataframe": frame})
        (result,) = run.run_results.values()
        tables[name] = _summarise(rules, result)
    index = docs_dir / "index.html"
    return {
        "success": all(t.success for t in tables.values()),
        "year": year,
        "seconds": round(time.perf_counter() - started, 2),
        "docs_index": str(index) if index.exists() else None,
        "tables": {name: vars(t) for name, t in tables.items()},
    }
