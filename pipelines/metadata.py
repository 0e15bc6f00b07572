"""Markdown tables for Dagster metadata (the one home of the helper every layer uses)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd


def _cell(x: object) -> str:
    if hasattr(x, "__len__") and not isinstance(x, str):  # a list column (flags, candidates)
        return ", ".join(map(str, x))  # type: ignore[call-overload]
    return "" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x)  # type: ignore[arg-type]


def md_table(rows: pd.DataFrame | Sequence[dict[str, Any]], columns: Sequence[str] | None = None,
             limit: int = 15, width: int = 80) -> str:
    """A Markdown table of the first `limit` rows (a frame, or dicts read by `columns`), with a
    "… N more rows" line; `|` and newlines in cells are escaped, cells cut at `width`."""
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows), columns=columns)
    if columns is not None:
        df = df.reindex(columns=list(columns))
    if df.empty:
        return "_(no rows)_"
    head = df.head(limit)
    cols = [str(c) for c in head.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in head.itertuples(index=False):
        cells = [_cell(x).replace("|", "\\|").replace("\n", " ")[:width] for x in row]
        lines.append("| " + " | ".join(cells) + " |")
    if len(df) > limit:
        lines.append(f"\n… {len(df) - limit} more rows")
    return "\n".join(lines)
