"""Benchmark: the cost `compact_year` adds by writing the wide values file beside a warehouse year.

    python bench/bench_read_national.py --layout warehouse --agencies 20000 --out /tmp/wb --keep
    python bench/bench_wide_build.py /tmp/wb/warehouse/applications/year=2024/part-0.parquet

Reads the long warehouse file (as `compact_year` has it in memory when it writes the wide file),
then times `wide_values` (the pivot) and the Parquet write with `write_wide_values`' settings,
median of `--repeat`, CPU (`process_time`, every thread) and wall. Prints ms and ms per report.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from disclosure.lake.parquet import (
    WIDE_COMPRESSION,
    WIDE_ROW_GROUP_ROWS,
    WIDE_SORT,
    wide_values,
)


def _timed(fn, *a, **kw) -> tuple[float, float, object]:
    w, c = time.perf_counter(), time.process_time()
    out = fn(*a, **kw)
    return (time.perf_counter() - w) * 1000, (time.process_time() - c) * 1000, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("long_file", type=Path)
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    long = pq.read_table(args.long_file)
    pivot, write = [], []
    for _ in range(args.repeat):
        w, c, wide = _timed(wide_values, long, "applications", args.year)
        pivot.append((w, c))
        sorting = [pq.SortingColumn(wide.schema.get_field_index(col)) for col in WIDE_SORT]
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "part-0.parquet"
            w, c, _ = _timed(pq.write_table, wide, target, compression=WIDE_COMPRESSION,
                             row_group_size=WIDE_ROW_GROUP_ROWS, write_page_index=True, sorting_columns=sorting)
            write.append((w, c))
    n = wide.num_rows
    print(f"long rows {long.num_rows:,}, reports {n:,}, wide columns {wide.num_columns}")
    for name, xs in (("wide_values (pivot)", pivot), ("Parquet write", write)):
        w = statistics.median(x[0] for x in xs)
        c = statistics.median(x[1] for x in xs)
        print(f"{name}: {w:,.0f} ms wall, {c:,.0f} ms CPU ({c / n * 1000:.1f} µs CPU per report)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
