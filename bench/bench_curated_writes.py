"""What one curated agency-year file costs to encode, per codec and option (CPU, in memory).

    .venv/bin/python bench/bench_curated_writes.py LAKE [--files 600] [--rounds 3]

Reads up to --files curated Parquet files of LAKE (e.g. the `stages-N-plain` lake that
`bench/run_all.py --stages N` leaves in its --out folder), then encodes each again into memory
with pyarrow under each setting: CPU ms per file (best of --rounds) and mean bytes per file.
The choice it informed is `disclosure.lake.parquet.CURATED_COMPRESSION`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SETTINGS: list[dict] = [
    {"compression": "zstd"},
    {"compression": "zstd", "compression_level": 1},
    {"compression": "zstd", "use_dictionary": False},
    {"compression": "zstd", "write_statistics": False},
    {"compression": "snappy"},
    {"compression": "snappy", "use_dictionary": False},
    {"compression": "lz4"},
    {"compression": "none"},
]
"""pyarrow.parquet.write_table options compared (the lake's zstd first)."""


def encode(tables: list[pa.Table], options: dict) -> tuple[float, float]:
    """(CPU ms per file, mean bytes per file) of writing every table to memory with `options`."""
    n_bytes = 0
    t0 = time.process_time()
    for table in tables:
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, **options)
        n_bytes += len(sink.getvalue())
    return (time.process_time() - t0) / len(tables) * 1000, n_bytes / len(tables)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lake", type=Path)
    ap.add_argument("--files", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    files = sorted((args.lake / "curated").glob("*/year=*/agency=*/*.parquet"))[: args.files]
    if not files:
        raise SystemExit(f"{args.lake}: no curated Parquet files under curated/")
    tables = [pq.read_table(f) for f in files]
    rows = sum(t.num_rows for t in tables) / len(tables)
    print(f"{len(tables)} files, {rows:.0f} rows on average\n")
    print("| options | CPU ms per file | bytes per file |\n|---|---:|---:|")
    for options in SETTINGS:
        runs = [encode(tables, options) for _ in range(args.rounds)]
        ms = min(r[0] for r in runs)
        print(f"| {options} | {ms:.3f} | {runs[0][1]:,.0f} |")


if __name__ == "__main__":
    main()
