"""Operating the lake: the webserver + daemon service, the in-process runner (`disclosure-lake run`,
make demo), the backfill CLI and the Dagster instance tweaks (batched SQLite event storage, the
configurable backfill daemon interval). Imports `pipelines`, never the reverse."""
