"""One metadata source for the long tables of the lake.

Every column of every table is described once here; the pandera models used by the batch
validation, the Parquet (pyarrow) schemas of the lake, and the pipeline's asset checks and
column metadata are all generated from `TABLES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from disclosure import vocabulary as v
from disclosure.keys import FIRST_YEAR


@dataclass(frozen=True)
class Column:
    name: str
    # "string", "Int64", "Float64", "boolean", or a list of one of them: "list[string]" …
    dtype: str
    description: str
    nullable: bool = False
    isin: tuple[str, ...] | None = None  # for a list column: what each element may be
    ge: float | None = None

    @property
    def pandas_dtype(self):
        """The pandas dtype (a pyarrow-backed list dtype for list columns)."""
        return pandas_dtype(self.dtype)

    @property
    def arrow_type(self):
        """The Parquet (pyarrow) type."""
        return arrow_type(self.dtype)


_SCALAR_ARROW = {"string": "string", "Int64": "int64", "Float64": "float64", "boolean": "bool_"}


def arrow_type(dtype: str):
    import pyarrow as pa

    if dtype.startswith("list[") and dtype.endswith("]"):
        return pa.list_(arrow_type(dtype[5:-1]))
    return getattr(pa, _SCALAR_ARROW[dtype])()


def pandas_dtype(dtype: str):
    """"Int64" stays a pandas string alias; "list[…]" becomes pd.ArrowDtype(list<…>)."""
    if dtype.startswith("list["):
        import pandas as pd

        return pd.ArrowDtype(arrow_type(dtype))
    return dtype


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    # Columns that identify one row within a report.
    key: tuple[str, ...] = ()
    extra_checks: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


_ID = (
    Column("report_id", "string", "SHA-256 of the raw file's bytes"),
    Column("agency", "string", "reporting body (canonical agency name; hive partition column)"),
    Column("year", "Int64", "statistical year of the report (hive partition column)", ge=FIRST_YEAR),
)
_CELL = (
    Column("raw_text", "string", "the cell's text as printed (None when the report has no such cell)", nullable=True),
    Column("where", "string", "where the text was found in the source (line / table row / page)", nullable=True),
    Column("flags", "list[string]", "the cell's flags, sorted (empty list when none): ambiguous, not_found, "
           "unit_converted, …; `len(flags) = 0` keeps only unflagged cells", isin=tuple(sorted(v.WARNING_FLAGS | v.INFO_FLAGS))),
)


def _candidates(dtype: str) -> Column:
    return Column("candidates", f"list[{dtype}]", "the values a cell flagged ambiguous could have (digits that ran "
                  "together, or two printings that disagree); None otherwise. `value` is then None", nullable=True)


def _originals(dtype: str) -> tuple[Column, ...]:
    """What the parser stored before a person's correction (disclosure/corrections.py) replaced it."""
    return (
        Column("original_value", dtype, "the value the parser stored before a correction (None when the cell is not "
               "corrected, or the parser stored none, e.g. an ambiguous cell)", nullable=True),
        Column("original_flags", "list[string]", "the parser's flags before a correction (None when the cell is not "
               "corrected); the corrected cell's `flags` are then ['corrected']", nullable=True,
               isin=tuple(sorted(v.WARNING_FLAGS | v.INFO_FLAGS))),
    )


# A stored value must be justified by the page: a cell carrying one of these flags has no
# value in the lake (nor in the JSON), whatever candidate the parser considered.
NULL_VALUE_FLAGS: frozenset[str] = frozenset({"ambiguous", "unparsed", "not_found"})


def lake_value(value, flags) -> object:
    """The value stored for a cell: None when a flag says the page does not justify one."""
    return None if value is None or not NULL_VALUE_FLAGS.isdisjoint(flags) else value

_ACTIVE_CATEGORIES = tuple(v.ACTIVE_CATEGORY_SIGNATURES)
_ACTIVE_METRICS = tuple(sorted({m for t in v.ACTIVE_METRICS.values() for ms in t.values() for m in ms}))

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "reports",
            "One row per parsed report: identity (with the source of each value) and counts.",
            (
                *_ID,
                Column("template", "string", "template of table 三 (2019 or 2021)", isin=("2019", "2021")),
                Column("template_active", "string", "template of table 二, decided from its headers", nullable=True, isin=("2019", "2021")),
                Column("source_file", "string", "file name as received"),
                Column("source_format", "string", "reader that read it (html, text-pipe, text-layout, text-crawler, markdown, pdf, docx)"),
                Column("title", "string", "title of the report as printed", nullable=True),
                Column("printed_agency", "string", "the body as the report prints it (agency is the registry's canonical name)", nullable=True),
                Column("agency_id", "string", "registry id of the body (None for a body not in the registry: new_agency)", nullable=True),
                Column("agency_match", "string", "how the printed name was resolved: exact_alias, parent_prefix_added, parent_prefix_dropped, new_agency",
                       isin=("exact_alias", "parent_prefix_added", "parent_prefix_dropped", "new_agency")),
                Column("agency_source", "string", "sources that agree with the agency, '+'-joined: caller/manifest, title, publisher, signature, body, metadata, filename"),
                Column("agency_confidence", "Float64", "0–1: agreement of the sources (disclosure/identify.py)", ge=0),
                Column("year_source", "string", "sources that agree with the year, '+'-joined: caller/manifest, title, period, signature_date, publication_date, body, filename"),
                Column("year_confidence", "Float64", "0–1: agreement of the sources (disclosure/identify.py)", ge=0),
                Column("identity_conflicts", "string", "'; '-joined identity_conflict (caller vs report) and evidence_conflict findings", nullable=True),
                Column("identity_candidates", "string", "JSON list of every candidate: field, value, source, weight, text"),
                Column("n_cells", "Int64", "statistical cells extracted", ge=0),
                Column("n_null_cells", "Int64", "cells printed blank / dash / slash", ge=0),
                Column("n_flagged_cells", "Int64", "cells carrying a warning flag (ambiguous, not_found, …)", ge=0),
                Column("n_checks_failed", "Int64", "identities the report's own numbers violate", ge=0),
                Column("n_bytes", "Int64", "size of the raw file", ge=0),
            ),
            key=("report_id",),
        ),
        Table(
            "active_disclosure",
            "Table 二 (主动公开政府信息情况) in long form: one row per category × metric.",
            (
                *_ID,
                Column("template", "string", "template of table 二", isin=("2019", "2021")),
                Column("category", "string", "canonical category (regulations, licensing, …)", isin=_ACTIVE_CATEGORIES),
                Column("metric", "string", "canonical metric (issued, in_force, decisions, amount_10k_yuan, …)", isin=_ACTIVE_METRICS),
                Column("value", "Float64", "value; money in 万元; None when printed blank or flagged ambiguous, "
                       "unparsed or not_found (unless a person's correction gave it: flag corrected)", nullable=True),
                _candidates("Float64"),
                *_CELL,
                *_originals("Float64"),
            ),
            key=("report_id", "category", "metric"),
        ),
        Table(
            "applications",
            "Table 三 (收到和处理政府信息公开申请情况) in long form: one row per row × applicant.",
            (
                *_ID,
                Column("row", "string", "canonical row key (new_received, granted, withheld.state_secret, …)", isin=v.ALL_APPLICATION_ROWS),
                Column("applicant", "string", "applicant column (natural_person, …, total)", isin=v.APPLICANTS),
                Column("value", "Int64", "number of applications; None when printed blank or flagged ambiguous, "
                       "unparsed or not_found (unless a person's correction gave it: flag corrected)", nullable=True, ge=0),
                _candidates("Int64"),
                *_CELL,
                *_originals("Int64"),
            ),
            key=("report_id", "row", "applicant"),
        ),
        Table(
            "review_litigation",
            "Table 四 (行政复议、行政诉讼情况) in long form: one row per proceeding × outcome.",
            (
                *_ID,
                Column("proceeding", "string", "review, litigation_direct, litigation_after_review", isin=v.PROCEEDINGS),
                Column("outcome", "string", "upheld, corrected, other, pending, total", isin=v.OUTCOMES),
                Column("value", "Int64", "number of cases; None when printed blank or flagged ambiguous, "
                       "unparsed or not_found (unless a person's correction gave it: flag corrected)", nullable=True, ge=0),
                _candidates("Int64"),
                *_CELL,
                *_originals("Int64"),
            ),
            key=("report_id", "proceeding", "outcome"),
        ),
        Table(
            "report_sections",
            "Narrative sections of the report (一 总体情况, 五 问题与改进, 六 其他事项) as text.",
            (
                *_ID,
                Column("section", "string", "overview, problems, other_matters", isin=("overview", "problems", "other_matters")),
                Column("text", "string", "the section's text as printed (whitespace folded)"),
            ),
            key=("report_id", "section"),
        ),
        Table(
            "validation_issues",
            "Every identity of vocabulary.md evaluated on every report: pass / fail / not_assessable with the numbers.",
            (
                *_ID,
                Column("check", "string", "identity name, e.g. applications.balance, applications.row_total"),
                Column("scope", "string", "what it was evaluated on, e.g. the applicant column or row"),
                Column("status", "string", "pass, fail or not_assessable", isin=("pass", "fail", "not_assessable")),
                Column("severity", "string", "warning (a finding about the report) or info", isin=("warning", "info")),
                Column("lhs", "Float64", "left-hand side as printed (None when not assessable)", nullable=True),
                Column("rhs", "Float64", "right-hand side as printed", nullable=True),
                Column("detail", "string", "the formula with the report's numbers"),
            ),
            key=("report_id", "check", "scope"),
        ),
    )
}

CURATED_TABLES: tuple[str, ...] = tuple(TABLES)


# --------------------------------------------------------------------------- generated models

def empty_frame(table: str):
    import pandas as pd

    t = TABLES[table]
    return pd.DataFrame({c.name: pd.Series([], dtype=c.pandas_dtype) for c in t.columns})


_MODELS: dict[str, type] = {}


def pandera_model(table: str):
    """A pandera DataFrameModel generated from the table's metadata (cached)."""
    if table in _MODELS:
        return _MODELS[table]
    from typing import Annotated

    _string_dtype_check_as_bool()

    import pandas as pd
    import pandera.pandas as pa
    from pandera.typing import Series

    series_types = {"string": Series[pd.StringDtype], "Int64": Series[pd.Int64Dtype], "Float64": Series[pd.Float64Dtype],
                    "boolean": Series[pd.BooleanDtype]}
    t = TABLES[table]
    annotations: dict[str, object] = {}
    attrs: dict[str, object] = {"__annotations__": annotations, "__doc__": t.description}
    for c in t.columns:
        is_list = c.dtype.startswith("list[")
        annotations[c.name] = Series[Annotated[pd.ArrowDtype, c.arrow_type]] if is_list else series_types[c.dtype]
        kwargs: dict[str, object] = {"nullable": c.nullable, "description": c.description}
        if c.isin is not None and is_list:
            attrs[f"_{c.name}_elements_isin"] = _elements_isin(pa, c.name, frozenset(c.isin))
        elif c.isin is not None:
            kwargs["isin"] = list(c.isin)
        if c.ge is not None:
            kwargs["ge"] = c.ge
        attrs[c.name] = pa.Field(**kwargs)
    config = type("Config", (), {"strict": True, "coerce": False, "name": table,
                                 "unique": list(t.key) if t.key else None})
    attrs["Config"] = config
    model = type(f"{''.join(p.title() for p in table.split('_'))}Model", (pa.DataFrameModel,), attrs)
    _MODELS[table] = model
    return model


def _elements_isin(pa, column: str, allowed: frozenset[str]):
    """A pandera column check: every element of every list in `column` is one of `allowed`.

    Vectorised with pyarrow (one `is_in` over the flattened lists): a Python test per row cost
    more than the rest of a batch's validation."""
    value_set = sorted(allowed)

    def check(cls, series):
        if not hasattr(series.array, "__arrow_array__"):  # not Arrow-backed: the plain test per row
            return series.map(lambda xs: xs is None or xs is pd_NA() or set(xs) <= allowed, na_action=None).astype(bool)
        import numpy as np
        import pandas as pd
        import pyarrow as pa_
        import pyarrow.compute as pc

        lists = series.array.__arrow_array__()
        if isinstance(lists, pa_.ChunkedArray):
            lists = lists.combine_chunks()
        ok = np.ones(len(lists), dtype=bool)
        flat = pc.list_flatten(lists)
        if len(flat):
            bad = pc.invert(pc.is_in(flat, value_set=pa_.array(value_set, type=flat.type)))  # a null element is bad
            parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
            ok[parents[bad.to_numpy(zero_copy_only=False)]] = False
        return pd.Series(ok, index=series.index)

    check.__name__ = f"{column}_elements_isin"
    return pa.check(column, name="elements_isin")(check)


def _string_dtype_check_as_bool() -> None:
    """pandera 0.35 answers the dtype check of a string column of the right dtype with an
    element-wise all-True array, and `check_dtype` then builds an (empty) failure-case frame
    for every string column: half of a batch's validation time. An all-True answer is the
    same verdict as `True`; any other answer is passed on unchanged."""
    from pandera.engines import pandas_engine

    string = pandas_engine.STRING
    if getattr(string.check, "_as_bool", False):
        return
    element_wise = string.check

    def check(self, pandera_dtype, data_container=None):
        result = element_wise(self, pandera_dtype, data_container)
        if not isinstance(result, bool) and data_container is not None and bool(result.all()):
            return True
        return result

    check._as_bool = True  # type: ignore[attr-defined]
    string.check = check


def pd_NA():
    import pandas as pd

    return pd.NA


_PLANS: dict[str, tuple] = {}


def _pass_plan(table: str) -> tuple | None:
    """What `certainly_valid` tests, read off the pandera schema of the table (its one source).

    (column names, [(name, pandas dtype, nullable, [(check kind, argument)])], unique columns),
    or None when the schema holds anything the plan does not understand (pandera then decides)."""
    if table in _PLANS:
        return _PLANS[table]
    s = pandera_model(table).to_schema()
    plan: tuple | None = None
    simple = (s.strict is True and not s.checks and s.index is None and not s.coerce and not s.ordered
              and not getattr(s, "add_missing_columns", False) and s.dtype is None)
    columns = []
    for name, col in s.columns.items() if simple else ():
        if col.regex or col.coerce or col.unique or not col.required:
            simple = False
            break
        checks = []
        for ch in col.checks:
            if ch.groupby is not None or ch.element_wise or not ch.ignore_na or ch.raise_warning:
                simple = False
            elif ch.name == "isin":
                checks.append(("isin", list(ch.statistics["allowed_values"])))
            elif ch.name == "greater_than_or_equal_to":
                checks.append(("ge", ch.statistics["min_value"]))
            else:  # a custom vectorised check (elements_isin): called as pandera calls it
                checks.append(("call", ch._check_fn))
        columns.append((name, col.dtype, col.nullable, checks))
    if simple:
        unique = list(s.unique) if s.unique else []
        plan = (list(s.columns), columns, unique)
    _PLANS[table] = plan
    return plan


def certainly_valid(table: str, df) -> bool:
    """True only when `df` passes the table's pandera schema: same columns (strict), each column's
    dtype the schema's (pandera's own dtype test), no null where not nullable, every check true on
    the non-null values, key columns unique. False means "not proven": pandera itself then
    validates, so a failure is always reported by pandera, with its failure cases.

    pandera's fixed cost (~15 ms a table, 6 tables a batch) was more than parsing a batch of
    text reports; these are the same tests, run in Arrow on each column once."""
    import pyarrow as pa_
    import pyarrow.compute as pc

    plan = _pass_plan(table)
    if plan is None:
        return False
    names, columns, unique = plan
    if len(df.columns) != len(names) or set(df.columns) != set(names) or df.columns.duplicated().any():
        return False
    arrays = {}
    for name, dtype, nullable, checks in columns:
        series = df[name]
        if not _dtype_ok(name, dtype, series):
            return False
        to_arrow = getattr(series.array, "__arrow_array__", None)
        if to_arrow is None:  # a numpy column pandera may accept (int64 for Int64): pandera decides
            return False
        arr = to_arrow()
        if isinstance(arr, pa_.ChunkedArray):
            arr = arr.combine_chunks()
        arrays[name] = arr
        if arr.null_count and not nullable:
            return False
        if pa_.types.is_floating(arr.type) and pc.any(pc.is_nan(arr)).as_py():
            return False  # NaN and NA differ for pandera's null test: not worth proving
        if not checks:
            continue
        values = pc.drop_null(arr) if arr.null_count else arr
        for kind, arg in checks:
            if kind == "isin":
                ok = not len(values) or pc.all(pc.is_in(values, value_set=pa_.array(arg, type=values.type))).as_py()
            elif kind == "ge":
                ok = not len(values) or pc.min(values).as_py() >= arg
            else:  # a vectorised custom check, given the non-null values as pandera gives them
                series_values = series[series.notna()] if arr.null_count else series
                result = arg(series_values)
                ok = result if isinstance(result, bool) else bool(result.all())
            if not ok:
                return False
    return not (unique and len(df) > 1 and _has_duplicate_keys([arrays[k] for k in unique]))


def _has_duplicate_keys(columns) -> bool:
    """Whether two rows share the key: each column dictionary-encoded, the codes packed in one int64."""
    import numpy as np
    import pyarrow.compute as pc

    packed = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        enc = pc.dictionary_encode(col, null_encoding="encode")
        width = len(enc.dictionary) + 1
        if packed.max(initial=0) > (np.iinfo(np.int64).max - width) // width:
            return True  # the codes would not fit in an int64: not proven unique
        packed = packed * width + enc.indices.to_numpy(zero_copy_only=False)
    return pc.count_distinct(packed).as_py() != len(packed)


_DTYPE_VERDICTS: dict[tuple, bool] = {}


def _dtype_ok(name: str, dtype, series) -> bool:
    """pandera's dtype test of a column. For a non-object dtype it depends on the dtype alone, so
    the verdict is remembered; an object column is left to pandera (its test reads the data)."""
    if series.dtype == object:
        return False
    key = (name, dtype, series.dtype)
    if key not in _DTYPE_VERDICTS:
        from pandera.engines.pandas_engine import Engine

        verdict = dtype.check(Engine.dtype(series.dtype), series)
        _DTYPE_VERDICTS[key] = verdict if isinstance(verdict, bool) else bool(verdict.all())
    return _DTYPE_VERDICTS[key]


def validate_frame(table: str, df):
    """Validate one table; returns a DataFrame of failure cases (empty when valid).

    Columns of the result: table, column, check, failure_case, index (row index in df).
    A frame `certainly_valid` proves valid is not handed to pandera again (same verdict).
    """
    import pandas as pd
    import pandera.pandas as pa

    if certainly_valid(table, df):
        return pd.DataFrame(columns=["table", "column", "check", "failure_case", "index"])
    try:
        pandera_model(table).validate(df, lazy=True)
    except pa.errors.SchemaErrors as e:
        fc = e.failure_cases.copy()
        fc.insert(0, "table", table)
        return fc[["table", "column", "check", "failure_case", "index"]].reset_index(drop=True)
    return pd.DataFrame(columns=["table", "column", "check", "failure_case", "index"])


# --------------------------------------------------------------------------- marts
# The comparison marts (disclosure/marts.py) are lake tables too: one home for their columns,
# used by the mart writer, the Dagster column schemas, the exports and the release's data dictionary.

def _kpi_table() -> Table:
    from disclosure.marts import KPIS

    return Table(
        "agency_year_kpis",
        "KPIs per report (docs/marts.md). A KPI is null when a cell it needs is blank (and the report's "
        "totals do not show it to be 0) or carries a warning flag; `flagged_kpis` names the latter.",
        (
            *_ID[1:3],
            _ID[0],
            *(Column(k.name, "Float64" if k.is_rate else "Int64", k.description, nullable=True, ge=0) for k in KPIS),
            Column("flagged_kpis", "list[string]", "'<kpi>:<flag>' for every KPI nulled because one of its input "
                   "cells carries a warning flag (ambiguous, position_assumed, …); [] when none"),
        ),
        key=("report_id",),
    )


_KPI_NAME = Column("kpi", "string", "KPI name (disclosure.marts.KPIS)")
_STATUS_YOY = ("ok", "no_previous_report", "blank_input", "flagged_input", "conflicting_reports")


def _mart_tables() -> dict[str, Table]:
    body = (
        Column("agency", "string", "reporting body (canonical name)"),
        Column("year", "Int64", "statistical year (hive partition column)", ge=FIRST_YEAR),
    )
    registry = (
        Column("agency_id", "string", "registry id (None for a body not in the registry)", nullable=True),
        Column("province", "string", "province of the body (registry)", nullable=True),
        Column("division_code", "string", "GB/T 2260 code of the body's province (registry; peer division)", nullable=True),
        Column("level", "string", "administrative level (registry): province, prefecture, county, township", nullable=True),
        Column("type", "string", "body type (registry): government, department, management_committee, township, "
               "subdistrict", nullable=True),
    )
    tables = (
        _kpi_table(),
        Table(
            "year_on_year",
            "The change of every KPI of a body from year y-1 to y (one row per body, year y and KPI; "
            "only years whose year before has a report).",
            (
                *body,
                _KPI_NAME,
                Column("previous", "Float64", "the KPI in y-1 (None: blank, flagged or conflicting)", nullable=True),
                Column("current", "Float64", "the KPI in y", nullable=True),
                Column("change", "Float64", "current - previous (None unless both are known)", nullable=True),
                Column("relative_change", "Float64", "change / previous (None when previous is 0 or unknown)",
                       nullable=True),
                Column("status", "string", "ok, blank_input, flagged_input (a warning-flagged input cell in "
                       "either year), conflicting_reports (two reports of one year disagree)",
                       isin=_STATUS_YOY),
                Column("detail", "string", "which year and which flag made the change unknown", nullable=True),
            ),
            key=("agency", "kpi"),
        ),
        Table(
            "cross_year_rolls",
            "vocabulary.md's soft checks between consecutive years: carried_over(y) = carried_forward(y-1), "
            "the in-force roll of regulations and normative documents (2021 template), prev_items (2019).",
            (
                *body,
                Column("check", "string", "carried_over_rolls_forward, in_force_rolls_forward.<category>, "
                       "prev_items_rolls_forward.<category>"),
                Column("status", "string", "pass, fail or not_assessable", isin=("pass", "fail", "not_assessable")),
                Column("lhs", "Float64", "the year-y side (None when not assessable)", nullable=True),
                Column("rhs", "Float64", "the roll from y-1", nullable=True),
                Column("detail", "string", "the formula with both years' numbers"),
            ),
            key=("agency", "check"),
        ),
        Table(
            "peer_benchmarks",
            "P25/P50/P75 of each KPI per year, division (province) and peer group (registry level × type), "
            "over the bodies whose KPI is known (flagged and blank KPIs left out); fences by OUTLIER_RULE.",
            (
                Column("year", "Int64", "statistical year (hive partition column)", ge=FIRST_YEAR),
                Column("division_code", "string", "GB/T 2260 code of the province"),
                Column("province", "string", "province name"),
                Column("level", "string", "registry level of the peer group"),
                Column("type", "string", "registry type of the peer group"),
                _KPI_NAME,
                Column("n", "Int64", "bodies with a known KPI", ge=0),
                Column("n_unknown", "Int64", "bodies of the group whose KPI is null (blank or flagged)", ge=0),
                Column("p25", "Float64", "25th percentile (linear interpolation)", nullable=True),
                Column("p50", "Float64", "median", nullable=True),
                Column("p75", "Float64", "75th percentile", nullable=True),
                Column("low_fence", "Float64", "p25 - k·IQR (None when n < min_peers)", nullable=True),
                Column("high_fence", "Float64", "p75 + k·IQR (None when n < min_peers)", nullable=True),
            ),
            key=("division_code", "level", "type", "kpi"),
        ),
        Table(
            "peer_positions",
            "Each body's KPI against its peer group: percentile rank and outlier verdict (OUTLIER_RULE).",
            (
                *body,
                *registry,
                _KPI_NAME,
                Column("value", "Float64", "the body's KPI (None: blank or flagged)", nullable=True),
                Column("n_peers", "Int64", "bodies of the group with a known KPI (the body included)", ge=0),
                Column("percentile_rank", "Float64", "share of the group's known values ≤ the body's (0–1)",
                       nullable=True, ge=0),
                Column("outlier", "string", "low, high, none, or not_assessable (value unknown, or fewer than "
                       "min_peers peers)", isin=("low", "high", "none", "not_assessable")),
            ),
            key=("agency", "kpi"),
        ),
        Table(
            "publication_timeliness",
            "When each report was published, against the 31 January deadline of year y+1 (条例第五十条).",
            (
                *body,
                _ID[0],
                Column("published_on", "string", "publication date (ISO), None when unknown", nullable=True),
                Column("published_source", "string", "page (发布日期 printed on the page) or url_date_stamp (the "
                       "CMS's t<YYYYMMDD>_ name in the manifest's url)", nullable=True,
                       isin=("page", "url_date_stamp")),
                Column("published_text", "string", "the text the date was read from", nullable=True),
                Column("deadline", "string", "31 January of y+1 (ISO)"),
                Column("days_after_deadline", "Int64", "published_on - deadline in days (≤ 0: on time)", nullable=True),
                Column("status", "string", "on_time, late, or unknown (no dated evidence)",
                       isin=("on_time", "late", "unknown")),
            ),
            key=("report_id",),
        ),
        Table(
            "coverage",
            "Every registry body (and every unregistered body with a report) per year: whether the lake "
            "holds a report.",
            (
                *body,
                *registry,
                Column("prefecture", "string", "prefecture of the body (registry)", nullable=True),
                Column("in_registry", "boolean", "the body is in the registry"),
                Column("n_reports", "Int64", "reports of the body and year in the lake", ge=0),
                Column("has_report", "boolean", "n_reports > 0"),
            ),
            key=("agency",),
        ),
        Table(
            "coverage_summary",
            "Per year and division (province): registry bodies with a report and without.",
            (
                Column("year", "Int64", "statistical year (hive partition column)", ge=FIRST_YEAR),
                Column("division_code", "string", "GB/T 2260 code of the province (None: unregistered bodies)",
                       nullable=True),
                Column("province", "string", "province name", nullable=True),
                Column("n_bodies", "Int64", "registry bodies of the division", ge=0),
                Column("n_with_report", "Int64", "of them, with a report in the lake", ge=0),
                Column("n_without_report", "Int64", "of them, without", ge=0),
                Column("share_with_report", "Float64", "n_with_report / n_bodies", nullable=True, ge=0),
                Column("n_unregistered_with_report", "Int64", "bodies not in the registry that filed a report",
                       ge=0),
            ),
            key=("division_code",),
        ),
    )
    return {t.name: t for t in tables}


MART_TABLES: dict[str, Table] = _mart_tables()
"""The marts, by name: data_lake/marts/<name>/year=YYYY/part-0.parquet (`year` is the partition column)."""
