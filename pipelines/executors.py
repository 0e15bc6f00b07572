"""Where a run's steps execute: in the run's own process (default), or on a dask.distributed
cluster when ``DISCLOSURE_DASK_SCHEDULER`` names its scheduler (``tcp://host:8786``; needs the
``scale`` extra). Every process that loads the code location (daemon, webserver, run workers,
dask workers) must see the same value. See docs/scaling.md."""

from __future__ import annotations

import os
from typing import Any
from unittest import mock

import dagster as dg


def executor_from_env() -> dg.ExecutorDefinition:
    address = os.environ.get("DISCLOSURE_DASK_SCHEDULER")
    if not address:
        # One step per run: running it in the run's own process saves a second Python start-up.
        return dg.in_process_executor
    return run_scoped_dask_executor.configured({"address": address})


def _run_scoped_dask_executor(init_context: dg.InitExecutorContext) -> dg.Executor:
    from dagster_dask.executor import DaskExecutor

    class RunScopedDaskExecutor(DaskExecutor):
        """dagster-dask names each task ``<job>.<step>``: two runs of the same job on one cluster
        (every backfill run is ``__ASSET_JOB.curated``) get the same dask key, and dask hands
        the second run the first run's result without executing its step. Appending the run id
        to the key keeps each run's step its own task."""

        def execute(self, plan_context: Any, execution_plan: Any):  # type: ignore[override]
            import distributed

            run_id = plan_context.dagster_run.run_id
            submit = distributed.Client.submit

            def run_scoped_submit(client: Any, *args: Any, key: str | None = None, **kwargs: Any) -> Any:
                return submit(client, *args, key=f"{key}.{run_id}" if key else None, **kwargs)

            # The run process executes one run, so the patch is scoped to it.
            with mock.patch.object(distributed.Client, "submit", run_scoped_submit):
                yield from super().execute(plan_context, execution_plan)

    return RunScopedDaskExecutor(cluster_type="existing", cluster_configuration=dict(init_context.executor_config))


run_scoped_dask_executor = dg.ExecutorDefinition(
    name="dask",
    config_schema={"address": dg.Field(dg.StringSource, description="the dask scheduler, tcp://host:port")},
    requirements=dg.multiple_process_executor_requirements(),
    executor_creation_fn=_run_scoped_dask_executor,
)
