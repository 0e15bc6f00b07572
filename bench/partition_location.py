"""The code location of bench/bench_partitions.py: one no-op asset with the partitioning under
test, so the webserver and the backfill daemon see the partition counts of national scale
without parsing anything.

``BENCH_PARTITION_DESIGN``: ``agency`` (today's design: year × dynamic agency) or ``division``
(year × dynamic division, the division of each agency taken from an agency registry).
"""

from __future__ import annotations

import os

import dagster as dg

YEARS = [str(y) for y in range(2019, 2026)]
DESIGN = os.environ.get("BENCH_PARTITION_DESIGN", "agency")
DIMENSION = "agency" if DESIGN == "agency" else "division"
partitions = dg.MultiPartitionsDefinition(
    {"year": dg.StaticPartitionsDefinition(YEARS), DIMENSION: dg.DynamicPartitionsDefinition(name=DIMENSION)}
)
# today's curated: BackfillPolicy.multi_run(300) agency-years; per division the bench passes
# 300 // (agencies per division) (at 1.4M agency-years ~67 agencies a division: 4 divisions a run)
BATCH = int(os.environ.get("BENCH_RUN_SIZE", "300"))


@dg.asset(partitions_def=partitions, backfill_policy=dg.BackfillPolicy.multi_run(BATCH))
def curated() -> None:
    """Never materialised by the bench (its runs stay queued)."""


defs = dg.Definitions(assets=[curated], executor=dg.in_process_executor)
