"""Lake I/O without Dagster, one module per concern: `fs` (local or fsspec root, atomic writes,
modes, paths), `raw_zone`, `ledger` (quarantine), `inbox`, `parquet` (curated, warehouse, marts,
the hash manifest). Every public name is re-exported here: ``from disclosure.lake import X``.

Layout under the lake root (``data_lake/`` by default, ``DISCLOSURE_LAKE_ROOT`` overrides)::

    inbox/                                   users drop report files here (+ optional manifest.csv)
    raw/year=YYYY/agency=<key>/<sha256>.<ext>    immutable copy of every accepted file
    raw/year=YYYY/agency=<key>/<sha256>.json     its receipt (source file, time, url)
    quarantine/ledger.jsonl                  one JSON line per file that could not be accepted
    quarantine/files/<sha256>.<ext>          the quarantined bytes
    curated/<table>/year=YYYY/agency=<key>/part-0.parquet
    warehouse/<table>/year=YYYY/part-0.parquet   compacted copy of one year (agency as a column)
    docs/                                    great-expectations Data Docs

The root is a local folder or any fsspec URL (``s3://bucket/lake``, ``gs://…``, ``memory://lake``,
``file:///srv/lake``): local roots are ``pathlib.Path`` objects, URLs ``upath.UPath`` objects
with the same methods. Writes to a URL are one ``PUT`` of the whole object (object stores
replace an object atomically); local writes use a temp file and a rename (see docs/scaling.md).

``<key>`` is the agency name itself (Chinese stays readable), with the few characters that a
path or a hive reader would misread percent-encoded. Names that cannot be a partition key at
all (``| , / ...``, newlines, too long for a directory name) are refused with a reason.

The curated files do not store ``year`` / ``agency``: they are hive partition columns, read
back from the path by pyarrow (``partitioning="hive"``) and DuckDB (``hive_partitioning``).
"""

from disclosure.keys import (  # noqa: F401  (re-exported: lake's public names before keys.py)
    FIRST_YEAR,
    MAX_DIR_NAME_BYTES,
    AgencyKeyError,
    agency_key_problem,
    decode_agency_key,
    encode_agency_key,
    join_key,
    year_problem,
)
from disclosure.manifest import MANIFEST_NAME, ManifestEntry, read_manifest  # noqa: F401 (re-exported)

from .fs import (  # noqa: F401
    HASHES_NAME,
    LAKE_FILE_MODE,
    PART_FILE,
    PARTITION_COLUMNS,
    Lake,
    LakePath,
    _atomic_write_bytes,
    _ext,
    _fs_and_path,
    _now,
    default_root,
    is_local_path,
    is_url,
    lake_path,
    sha256_bytes,
)
from .inbox import InboxListing, OddEntry, list_inbox, read_inbox_file, scan_inbox  # noqa: F401
from .ledger import Ledger, QuarantineEntry, quarantine, read_ledger, read_quarantine  # noqa: F401
from .parquet import (  # noqa: F401
    WriteResult,
    arrow_schema,
    compact_year,
    frames_by_partition,
    read_curated,
    read_hashes,
    read_warehouse,
    read_year,
    record_hashes,
    warehouse_frames,
    write_parquet_atomic,
    write_partition,
    write_partitions,
)
from .raw_zone import RawFile, current_raw, raw_history, read_raw, store_raw  # noqa: F401
