"""Review queue and pages: seconds to rebuild them for every curated partition of a lake.

    .venv/bin/python bench/bench_review.py --lake /tmp/review-demo   # a lake `make demo` built
"""

from __future__ import annotations

import argparse
import time

from disclosure.lake import Lake, decode_agency_key
from disclosure.review import build_queue, curated_years, write_queue
from disclosure.review_page import write_page


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lake", default="data_lake")
    lake = Lake.at(ap.parse_args().lake)
    years = curated_years(lake)
    t0 = time.perf_counter()
    rows = sum(write_queue(lake, y, build_queue(lake, y)).rows for y in years)
    t1 = time.perf_counter()
    pages = 0
    for y in years:
        for d in sorted((lake.curated / "reports" / f"year={y}").glob("agency=*")):
            pages += write_page(lake, decode_agency_key(d.name.split("=", 1)[1]), y) is not None
    t2 = time.perf_counter()
    print(f"queue: {rows} item(s) over {len(years)} year(s) in {t1 - t0:.2f} s")
    print(f"pages: {pages} in {t2 - t1:.2f} s ({(t2 - t1) / max(pages, 1) * 1000:.0f} ms per page, raw file re-read "
          "for the excerpts)")


if __name__ == "__main__":
    main()
