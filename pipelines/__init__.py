"""The Dagster package of disclosure-lake: `defs/<layer>/` folders (raw, core, marts, audit), each
exporting its defs; keys, partitions, resources and the executor at the root; `definitions.py`
merges. Tooling (services, the in-process runner, demo, backfill CLI, instance tweaks) is `lakeops`."""
