"""The layers of the code location, one folder each (raw → core → marts, and audit), each
exporting its own `defs`; `pipelines/definitions.py` merges them. A layer imports only the root
(`pipelines.keys`, `partitions`, `resources`, `metadata`) and `disclosure`, never another layer."""
