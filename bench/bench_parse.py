"""Benchmark of the core batch API (disclosure.batch.parse_batch), single process.

    .venv/bin/python bench/bench_parse.py                 # 1,000 generated reports per format
    .venv/bin/python bench/bench_parse.py --n 300 --quick # smaller run

Prints, per format, reports/second over distinct generated reports (wall clock and CPU
time: the CPU figure is the one to compare on a shared machine), the same for the real
corpus repeated to ≥ 1,000 parses, the resident memory after streaming N=500 and N=2000
reports through parse_batch in chunks (should be flat), the growth of one big batch, and
how fast a 50 MB input is refused (too_large). See bench/README.md for measured figures.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import psutil

from disclosure.batch import BatchItem, parse_batch
from disclosure.synth import FORMATS, iter_reports

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "reports"
CORPUS_SUFFIXES = (".txt", ".html", ".md")
TARGET = 300.0  # reports/s per format (text, HTML, markdown)


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def generated_items(n: int, seed: int, fmt: str) -> Iterator[BatchItem]:
    for name, data, _ in iter_reports(n, seed, (fmt,)):
        yield BatchItem(path=name, data=data)


def timed_batch(items: list[BatchItem]) -> tuple[float, float, int, int]:
    """(wall s, cpu s, accepted, rejected) of one parse_batch call."""
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    batch = parse_batch(items)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return wall, cpu, len(batch.reports), len(batch.rejected)


def bench_formats(n: int, seed: int) -> dict[str, float]:
    print(f"== generated reports: {n} distinct reports per format, one parse_batch call each")
    print(f"{'format':<14}{'reports':>8}{'wall s':>9}{'cpu s':>8}{'rep/s wall':>12}{'rep/s cpu':>11}{'rejected':>10}")
    cpu_rates: dict[str, float] = {}
    for fmt in FORMATS:
        items = list(generated_items(n, seed, fmt))
        wall, cpu, _, bad = timed_batch(items)
        cpu_rates[fmt] = n / cpu
        print(f"{fmt:<14}{n:>8}{wall:>9.2f}{cpu:>8.2f}{n / wall:>12.0f}{n / cpu:>11.0f}{bad:>10}")
    return cpu_rates


def corpus_items(total: int) -> list[BatchItem]:
    """The real corpus (text/HTML/markdown) repeated; each copy differs by trailing whitespace
    so that parse_batch does not drop it as a duplicate."""
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in CORPUS_SUFFIXES and p.name != "README.md")
    items: list[BatchItem] = []
    k = 0
    while len(items) < total:
        for p in files:
            pad = b" " * (k % 64) + b"\n" * (k // 64 + 1)
            items.append(BatchItem(path=p, data=p.read_bytes() + pad, source_name=f"{k}-{p.name}"))
        k += 1
    return items[:total]


def bench_corpus(total: int) -> None:
    items = corpus_items(total)
    wall, cpu, ok, bad = timed_batch(items)
    print(f"== real corpus ({len({i.source_name.split('-', 1)[1] for i in items if i.source_name})} files) repeated to {total} parses: "
          f"{total / wall:.0f} rep/s wall, {total / cpu:.0f} rep/s cpu, accepted {ok}, rejected {bad}")


def stream(n: int, seed: int, chunk: int) -> float:
    """Parse n generated reports (all formats) in parse_batch chunks, keeping nothing."""
    it = iter_reports(n, seed)
    while True:
        items = [BatchItem(path=name, data=data) for name, data, _ in islice(it, chunk)]
        if not items:
            break
        parse_batch(items)
        del items
    gc.collect()
    return rss_mb()


def bench_memory(seed: int, chunk: int) -> None:
    print(f"== memory (all formats mixed, parse_batch chunks of {chunk})")
    base = rss_mb()
    small = stream(500, seed, chunk)
    large = stream(2000, seed + 1, chunk)
    print(f"RSS before {base:.0f} MB; after streaming N=500: {small:.0f} MB; after N=2000: {large:.0f} MB "
          f"(difference {large - small:+.1f} MB); peak RSS so far {peak_rss_mb():.0f} MB")
    before = rss_mb()
    items = [BatchItem(path=name, data=data) for name, data, _ in iter_reports(1000, seed + 2)]
    batch = parse_batch(items)
    after = rss_mb()
    print(f"one parse_batch of 1000 reports holds its frames and reports: +{after - before:.0f} MB "
          f"(~{(after - before) * 1024 / 1000:.0f} KiB per report incl. the input bytes); "
          f"{sum(len(df) for df in batch.frames.values()):,} rows")
    del batch, items
    gc.collect()


def bench_too_large() -> None:
    print("== 50 MB input")
    big = b"a" * (50 * 2**20)
    t0 = time.perf_counter()
    batch = parse_batch([BatchItem(path="big.txt", data=big)])
    in_memory = time.perf_counter() - t0
    codes = [r.code for r in batch.rejected]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.html"
        path.write_bytes(big)
        t0 = time.perf_counter()
        on_disk = parse_batch([path])
        from_disk = time.perf_counter() - t0
    print(f"bytes in memory: rejected {codes} in {in_memory * 1000:.1f} ms; "
          f"file on disk: rejected {[r.code for r in on_disk.rejected]} in {from_disk * 1000:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000, help="distinct generated reports per format (default 1000)")
    ap.add_argument("--corpus", type=int, default=1000, help="parses of the repeated real corpus (default 1000)")
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--chunk", type=int, default=250, help="parse_batch chunk size of the memory test")
    ap.add_argument("--quick", action="store_true", help="skip the memory test")
    args = ap.parse_args(argv)
    print(f"python {sys.version.split()[0]}, single process, pid {psutil.Process().pid}, "
          f"load average {psutil.getloadavg()[0]:.1f} on {psutil.cpu_count()} CPUs")
    rates = bench_formats(args.n, args.seed)
    bench_corpus(args.corpus)
    if not args.quick:
        bench_memory(args.seed, args.chunk)
    bench_too_large()
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    slow = {f: round(r) for f, r in rates.items() if r < TARGET}
    print("target >= 300 rep/s (cpu) per format: " + ("met" if not slow else f"NOT met for {slow}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
