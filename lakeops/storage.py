"""SQLite event log storage that writes a batch of asset events in one transaction per database.

Dagster already hands partitioned asset events to the storage in batches (the planned events of
a run, and the materializations of a ranged step) when ``DAGSTER_EVENT_BATCH_SIZE`` is set, but
the stock SQLite storage stores them one by one: for every event it opens the run's database,
commits, opens the index database, inspects its schema and commits again (≈10–20 ms an event
here, two events per agency-year). This subclass keeps the same files, tables and rows and does
one multi-row insert into the run shard and one transaction on the index shard per batch.

Enable it in ``dagster.yaml`` (``lakeops.service`` and ``lakeops.runner`` write it; see
docs/scaling.md)::

    run_storage:      {module: dagster._core.storage.runs, class: SqliteRunStorage, config: {base_dir: …/history}}
    event_log_storage: {module: lakeops.storage, class: BatchedSqliteEventLogStorage, config: {base_dir: …/history/runs}}
    schedule_storage: {module: dagster._core.storage.schedules, class: SqliteScheduleStorage, config: {base_dir: …/schedules}}

Creating the storage sets ``DAGSTER_EVENT_BATCH_SIZE`` (default 500) in the process when it is
unset, so every process that opens the instance (daemon, webserver, run workers) batches.
PostgreSQL (dagster-postgres) implements batches itself and needs none of this.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from dagster._core.events import ASSET_EVENTS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlalchemy_compat import db_result

DEFAULT_EVENT_BATCH_SIZE = "500"


class BatchedSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` with a real `store_event_batch` for asset events."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", DEFAULT_EVENT_BATCH_SIZE)
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> BatchedSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Consecutive asset events of one run in one write per database; anything else (check
        and run events) one by one through `store_event`, in order."""
        segment: list[EventLogEntry] = []
        for e in events:
            if self._batchable(e) and (not segment or segment[0].run_id == e.run_id):
                segment.append(e)
                continue
            self._store_asset_events(segment)
            segment = []
            if self._batchable(e):
                segment.append(e)
            else:
                self.store_event(e)
        self._store_asset_events(segment)

    @staticmethod
    def _batchable(e: EventLogEntry) -> bool:
        return bool(
            e.is_dagster_event and e.dagster_event_type in ASSET_EVENTS and e.get_dagster_event().asset_key
        )

    def _store_asset_events(self, events: Sequence[EventLogEntry]) -> None:
        if len(events) <= 1:
            for e in events:
                self.store_event(e)
            return
        with self.run_connection(events[0].run_id) as conn:
            conn.execute(self.prepare_insert_event_batch(events))
        with self.index_transaction() as conn:
            ids: list[int] = []
            for e in events:
                with db_result(conn, self.prepare_insert_event(e)) as result:
                    ids.append(int(result.inserted_primary_key[0]))
            self._store_asset_event_tags(conn, events, ids)
            # The asset-key row keeps only the latest event of each kind: apply the last one.
            last: dict[tuple[str, Any], tuple[EventLogEntry, int]] = {}
            for e, i in zip(events, ids, strict=True):
                key = e.get_dagster_event().asset_key
                last[(key.to_string() if key else "", e.dagster_event_type)] = (e, i)
            for e, i in sorted(last.values(), key=lambda pair: pair[1]):
                self._store_asset_event(conn, e, i)

def instance_yaml(
    home: str | os.PathLike[str],
    *,
    max_concurrent_runs: int = 2,
    storage: str = "sqlite",
    postgres_url: str | None = None,
    dequeue_interval_seconds: int | None = None,
    sensor_threads: bool = False,
    absolute: bool = True,
    user_code_retries: int = 0,
) -> str:
    """A ``dagster.yaml`` for `home`.

    storage: ``sqlite`` (the stock SQLite files under `home`, event batches written by
    `BatchedSqliteEventLogStorage`), ``sqlite-stock`` (Dagster's own SQLite storage, one write
    per event) or ``postgres`` (dagster-postgres; `postgres_url` such as
    ``postgresql://user:pw@host:5432/db``).
    """
    # Relative (absolute=False) only for the repository's own dagster.yaml: `dagster dev` started in
    # the repository root reads it and resolves the paths against that root (see root_instance_yaml).
    home = os.path.abspath(home) if absolute else os.fspath(home)
    coordinator = (
        "run_coordinator:\n"
        "  module: dagster._core.run_coordinator\n"
        "  class: QueuedRunCoordinator\n"
        "  config:\n"
        f"    max_concurrent_runs: {max_concurrent_runs}\n"
        + (f"    dequeue_interval_seconds: {dequeue_interval_seconds}\n" if dequeue_interval_seconds else "")
        # A run whose launch call to the code server times out (a loaded machine) is re-queued
        # instead of failed: Dagster's default (0 retries) fails the run, and so the backfill.
        + (f"    max_user_code_failure_retries: {user_code_retries}\n    user_code_failure_retry_delay: 10\n"
           if user_code_retries else "")
    )
    if storage == "sqlite":
        store = (
            "run_storage:\n"
            "  module: dagster._core.storage.runs\n"
            "  class: SqliteRunStorage\n"
            f"  config: {{base_dir: {os.path.join(home, 'history')}}}\n"
            "event_log_storage:\n"
            "  module: lakeops.storage\n"
            "  class: BatchedSqliteEventLogStorage\n"
            f"  config: {{base_dir: {os.path.join(home, 'history', 'runs')}}}\n"
            "schedule_storage:\n"
            "  module: dagster._core.storage.schedules\n"
            "  class: SqliteScheduleStorage\n"
            f"  config: {{base_dir: {os.path.join(home, 'schedules')}}}\n"
        )
    elif storage == "sqlite-stock":
        store = f"storage:\n  sqlite:\n    base_dir: {home}\n"
    elif storage == "postgres":
        if not postgres_url:
            raise ValueError("storage='postgres' needs postgres_url")
        store = f"storage:\n  postgres:\n    postgres_url: {postgres_url}\n"
    else:
        raise ValueError(f"unknown storage {storage!r}")
    sensors = "sensors:\n  use_threads: true\n  num_workers: 2\n" if sensor_threads else ""
    return "telemetry:\n  enabled: false\n" + coordinator + store + sensors


ROOT_INSTANCE_HOME = "data_lake/.dagster"
"""Where the repository root's `dagster.yaml` puts the instance: the lake's own (`make demo`,
`make ui`, `disclosure-lake run` use DAGSTER_HOME=data_lake/.dagster with the same storages)."""


def root_instance_yaml() -> str:
    """The repository root's `dagster.yaml`. Plain `dagster dev` in the root (no DAGSTER_HOME)
    makes a temporary home but reads its configuration from the current folder, so with this
    file its runs, event log and schedule storage (the sensor cursors) are the lake's."""
    return (
        "# Generated by lakeops.storage.root_instance_yaml (tests/test_defs.py checks it): plain\n"
        "# `dagster dev` in the repository root uses the lake's instance, data_lake/.dagster.\n"
        + instance_yaml(ROOT_INSTANCE_HOME, absolute=False)
    )


if __name__ == "__main__":  # python -m lakeops.storage > dagster.yaml
    print(root_instance_yaml(), end="")
