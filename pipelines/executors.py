"""Where a run's steps execute: in the run's own process (default), or on a dask.distributed
cluster when ``DISCLOSURE_DASK_SCHEDULER`` names its scheduler (``tcp://host:8786``; needs the
``scale`` extra). Every process that loads the code location (daemon, webserver, run workers,
dask workers) must see the same value. See docs/scaling.md."""

from __future__ import annotations

import os

import dagster as dg


def executor_from_env() -> dg.ExecutorDefinition:
    address = os.environ.get("DISCLOSURE_DASK_SCHEDULER")
    if not address:
        # One step per run: running it in the run's own process saves a second Python start-up.
        return dg.in_process_executor
    from dagster_dask import dask_executor

    return dask_executor.configured({"cluster": {"existing": {"address": address}}})
