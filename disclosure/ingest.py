"""Inbox → raw zone, without Dagster: what the inbox sensor does with each new or changed file.

State (the sensor cursor) maps each inbox path to (size, mtime_ns, sha256) once read, and each
path still settling to the (size, mtime_ns) last seen. A file is read only once its size and
mtime are the same on two consecutive ticks (a file still being copied is never accepted), and
counts as changed only when its content hash did.

Every failure is per file and the rest of the tick goes on: every file ends in the raw zone,
in the quarantine ledger with a reason (unreadable, odd entry, bad manifest, duplicate, not a
report, …), or, while it settles or waits for its manifest to be fixed, in the tick's summary.
The ledger never records the same fact twice (see `disclosure.lake.quarantine`).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from disclosure.collisions import record as record_decision
from disclosure.intake import Admission, admit, identity_stamp, registry_stamp, second_report
from disclosure.lake import (
    Lake,
    QuarantineEntry,
    RawFile,
    _atomic_write_bytes,
    agency_key_problem,
    current_raw,
    join_key,
    list_inbox,
    quarantine,
    raw_history,
    read_inbox_file,
    read_ledger,
    read_raw,
    sha256_bytes,
    store_raw,
    year_problem,
)
from disclosure.manifest import ManifestEntry, ManifestProblem, ManifestRead, read_manifests
from disclosure.model import RejectedReport, parser_error_message
from disclosure.registry import Registry, default_registry, lake_registry


@dataclass
class State:
    """The inbox sensor's cursor: files read (path → [size, mtime_ns, sha256]) and files settling."""

    files: dict[str, list] = field(default_factory=dict)
    settling: dict[str, list] = field(default_factory=dict)  # path -> [size, mtime_ns] seen last tick


STATE_DIR = ".inbox_state"
"""Under the lake root: the inbox sensor's state (every inbox file read, and the files settling),
one JSON file per tick named by its SHA-256. The sensor's Dagster cursor names that file
(`{"state_file": …}`) rather than holding the state: a cursor naming every inbox file is stored
again with every tick, which at 100,000 files was 1.6 GiB of tick history in DAGSTER_HOME.
Hidden: it is the sensor's bookkeeping, not lake data."""


_STATE_CACHE: list[tuple[tuple[str, int, int, int], State]] = []
"""The last state file read or written in this process, keyed by its path and its stat (size,
mtime, inode). The sensor runs in the long-lived code server and its next tick names the file
its last tick wrote: parsing it again cost about 0.4 s of CPU per tick at 200,000 inbox files.
The stat is taken every time, so a file deleted or rewritten is read (or missed) as before; the
name is the content's hash, so the key cannot match different content. Inner lists are never
mutated by a tick (`ingest_inbox` puts fresh lists in its state), so copies of the two dicts are
enough."""


def _state_file_key(path: Path) -> tuple[str, int, int, int]:
    st = os.stat(path)
    return (os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ino)


def _cached_state(key: tuple[str, int, int, int]) -> State | None:
    hit = _STATE_CACHE[0] if _STATE_CACHE else None
    return hit[1] if hit is not None and hit[0] == key else None


def _remember_state(key: tuple[str, int, int, int], state: State) -> None:
    _STATE_CACHE[:] = [(key, state)]


def load_state(cursor: str | dict | State | None, lake: Lake | None = None) -> State:
    """Parse a cursor: the state file it names (in `lake`), or a state held in the cursor itself
    (the form before `STATE_DIR`, and the older bare path → [size, mtime_ns, sha256] map).

    A state file that is gone or unreadable gives an empty state: every inbox file settles and
    is read again, and files already in the raw zone are recognised by their receipts (nothing
    is filed twice), at the cost of re-reading the inbox once.
    """
    raw = json.loads(cursor) if isinstance(cursor, str) and cursor else (cursor or {})
    if isinstance(raw, State):
        return State(dict(raw.files), dict(raw.settling))
    if isinstance(raw, dict) and "state_file" in raw:
        if lake is None:
            raise ValueError(f"the cursor names the state file {raw['state_file']!r}: pass the lake to read it")
        path = lake.root / STATE_DIR / str(raw["state_file"])
        key = None
        try:
            if lake.is_local:
                key = _state_file_key(path)
                cached = _cached_state(key)
                if cached is not None:
                    return State(dict(cached.files), dict(cached.settling))
            raw = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return State()
        if key is not None and isinstance(raw, dict) and set(raw) <= {"files", "settling"} \
                and all(isinstance(v, dict) for v in raw.values()):
            _remember_state(key, State(dict(raw.get("files", {})), dict(raw.get("settling", {}))))
    if set(raw) <= {"files", "settling"} and all(isinstance(v, dict) for v in raw.values()):
        return State(dict(raw.get("files", {})), dict(raw.get("settling", {})))
    return State(files=dict(raw))


def dump_state(state: State) -> str:
    return json.dumps(
        {"files": state.files, "settling": state.settling}, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    )


def save_state(lake: Lake, state: State, previous: str | None = None) -> str:
    """Write `state` to the lake's `STATE_DIR` and return the cursor that names it.

    The state file the `previous` cursor names is kept: Dagster throws away a tick that outlives
    the sensor timeout and evaluates again from the previous cursor, which must still resolve.
    Every other state file is deleted, so at most two are kept.
    """
    folder = lake.root / STATE_DIR
    try:
        before = json.loads(previous) if previous else None
    except ValueError:
        before = None
    named = str(before["state_file"]) if isinstance(before, dict) and "state_file" in before else None
    if named is not None and lake.is_local:
        # An idle tick: the state is the one the previous cursor names, as loaded this tick.
        # Compared in memory, not dumped and hashed again (about 0.5 s at 200,000 files).
        try:
            cached = _cached_state(_state_file_key(folder / named))
        except OSError:
            cached = None
        if cached is not None and cached.files == state.files and cached.settling == state.settling:
            return json.dumps({"state_file": named, "files": len(state.files), "settling": len(state.settling)})
    data = dump_state(state).encode("utf-8")
    name = f"{sha256_bytes(data)}.json"
    keep = {name} | ({named} if named else set())
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / name).exists():  # an idle tick's state is the previous one: not written again
        _atomic_write_bytes(folder / name, data)
    if lake.is_local:
        _remember_state(_state_file_key(folder / name), State(dict(state.files), dict(state.settling)))
    for path in folder.iterdir():
        if path.name.endswith(".json") and path.name not in keep:
            path.unlink(missing_ok=True)
    return json.dumps({"state_file": name, "files": len(state.files), "settling": len(state.settling)})


@dataclass(frozen=True)
class Accepted:
    raw: RawFile
    inbox_path: str
    superseded: RawFile | None  # the raw file this one replaces as the partition's current one
    # "collision" when another report already holds the partition (both kept; see collisions.py).
    decision: str | None = None


@dataclass(frozen=True)
class Waiting:
    """A file left for a later tick, and why (it leaves this trace in the tick's summary)."""

    path: str
    reason: str


@dataclass
class IngestResult:
    accepted: list[Accepted] = field(default_factory=list)
    quarantined: list[QuarantineEntry] = field(default_factory=list)
    unchanged: int = 0
    pending: int = 0  # stable files left for the next tick (max_files or the time budget reached)
    settling: list[str] = field(default_factory=list)  # size or mtime changed since the last tick
    waiting: list[Waiting] = field(default_factory=list)  # held (bad manifest) or failed to store
    ledger_torn_lines: list[int] = field(default_factory=list)
    manifest_problems: list[ManifestProblem] = field(default_factory=list)
    state: State = field(default_factory=State)

    @property
    def busy(self) -> bool:
        """Files remain that a later tick will take (settling, over the per-tick limit, waiting)."""
        return bool(self.settling or self.pending or self.waiting)


def _held_by(rel: str, problems: list[ManifestProblem]) -> ManifestProblem | None:
    """The unreadable manifest whose folder holds `rel` (its agency/year may come from it)."""
    parts = PurePosixPath(rel).parts
    for p in problems:
        if p.code != "unreadable_manifest":
            continue  # a bad or duplicate row is skipped alone (see disclosure.manifest)
        folder = PurePosixPath(p.manifest).parent.parts
        if parts[: len(folder)] == folder:
            return p
    return None


def _no_agency(data: bytes, rel: str, year: int | None) -> tuple[str, str]:
    """(code, reason) for a file no evidence names an agency for.

    A file without the statistical tables is not a report at all (a garbage .txt); a report
    whose agency (or year) nothing on the page states is held as `uncertain_identity` until a
    manifest row or a registry override names it. Only this rare path pays for a parse.
    """
    from disclosure.parse import parse_bytes

    try:
        parse_bytes(data, rel)
    except RejectedReport as err:
        return err.code, err.message
    except Exception as err:  # a parser bug: say so, never a guess at the identity
        return "parser_error", parser_error_message(err)
    missing = "agency" if year is not None else "agency and year"
    return ("uncertain_identity",
            f"no evidence on the page names the {missing}. A manifest row (file,agency,year) or a registry "
            "override releases it")


Outcome = Admission | tuple[str, str]
"""What identifying one file gave: its `Admission`, or (quarantine code, reason) when no reader
could read it (`RejectedReport`) or a reader failed (`parser_error`)."""

POOL_MIN_FILES = 2000
"""Fewest files a tick must read before it identifies them in worker processes. Starting a
spawned worker (a fresh interpreter importing the readers) costs about 0.8 s here, the time
to identify 400 files in process; from 2,000 files (about 4 s in process) two workers save
more than a second. The sensor's default 500 files per tick stays in process; a bulk load
that raises `DISCLOSURE_MAX_FILES_PER_TICK` gets the workers."""

POOL_CHUNK_PER_WORKER = 32
"""Files per worker between two checks of the tick's time budget (identifying one takes about
2 ms, so a chunk is well under a second)."""

_WORKER_REGISTRY: Registry | None = None

_log = logging.getLogger(__name__)


def _admit_one(data: bytes, rel: str, entry: ManifestEntry | None, conflict: str | None, registry: Registry) -> Outcome:
    try:
        return admit(data, rel, entry, registry=registry, manifest_conflict=conflict)
    except RejectedReport as err:
        return err.code, err.message
    except Exception as err:  # a reader bug must not stop the inbox: quarantine with the error
        return "parser_error", parser_error_message(err)


def _init_worker(registry: Registry) -> None:
    global _WORKER_REGISTRY
    _WORKER_REGISTRY = registry


def _admit_in_worker(item: tuple[str, bytes, ManifestEntry | None, str | None]) -> Outcome:
    rel, data, entry, conflict = item
    assert _WORKER_REGISTRY is not None
    return _admit_one(data, rel, entry, conflict, _WORKER_REGISTRY)


def _identify_pool(workers: int, registry: Registry) -> ProcessPoolExecutor | None:
    """Worker processes for one tick (shut down when the tick ends), or None for one worker.

    Spawned, not forked: the sensor runs in Dagster's code server, a threaded gRPC server that
    a fork could copy mid-lock. Each worker gets the tick's registry, so it identifies with
    exactly what the tick started with."""
    if workers <= 1:
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(registry,))


PIPELINE_DEPTH = 2
"""Chunks in the pool at once. While the workers identify one chunk, this process reads and
hashes the next and files the one before: with a single chunk in flight the two took turns,
and a tick on two cores ran at about 1.9 ms a file where its CPU allowed 1.2."""


@dataclass
class _Chunk:
    """One chunk of a tick's candidates: its bytes read (or why not), and its identification
    under way in the pool (`pending`, an iterator of outcomes) or not yet started."""

    rows: list[tuple[str, int, int, list | None, str]]
    fetched: list[tuple[bytes, str] | BaseException]
    todo: list[tuple[str, bytes, ManifestEntry | None, str | None]]
    pending: Iterator[Outcome] | None = None


def _fetch(lake: Lake, rel: str) -> tuple[bytes, str] | Exception:
    """A file's bytes and SHA-256, or the error reading it: no side effect, so a chunk can be
    read ahead while the chunk before is still being filed."""
    try:
        data = read_inbox_file(lake.inbox / rel)
        return data, sha256_bytes(data)
    except Exception as err:  # recorded (OSError) or retried next tick, when the chunk is filed
        return err


def _unchanged(old: list | None, sha: str, stamp: str) -> bool:
    """Touched, with the same content and manifest row as when it was read before."""
    return bool(old and old[2] == sha and (len(old) < 4 or old[3] == stamp))


def _start_chunk(lake: Lake, rows: list[tuple[str, int, int, list | None, str]], manifests: ManifestRead,
                 pool: ProcessPoolExecutor | None, workers: int) -> _Chunk:
    """Read a chunk's files and hand the ones to identify to the pool (without waiting)."""
    fetched = [_fetch(lake, rel) for rel, *_ in rows]
    todo = [(rel, f[0], manifests.entries.get(rel), manifests.conflicts.get(rel))
            for (rel, _size, _mtime, old, stamp), f in zip(rows, fetched, strict=True)
            if isinstance(f, tuple) and not _unchanged(old, f[1], stamp)]
    chunk = _Chunk(rows, fetched, todo)
    if pool is not None and todo:
        try:
            # Executor.map submits every task now; the outcomes are collected in _outcomes.
            chunk.pending = pool.map(_admit_in_worker, todo, chunksize=max(1, len(todo) // (2 * workers)))
        except Exception as err:  # a pool already broken: _outcomes says so and identifies in process
            chunk.pending = _raising(err)
    return chunk


def _raising(err: Exception) -> Iterator[Outcome]:
    """Outcomes that fail as the submission did, so `_outcomes` drops the pool in one place."""
    raise err
    yield  # a generator: raises when read, not when made


def _outcomes(pool: ProcessPoolExecutor | None, chunk: _Chunk,
              registry: Registry) -> tuple[ProcessPoolExecutor | None, dict[str, Outcome]]:
    """A chunk's outcomes, from the pool when it identified them. A pool that breaks (a worker
    killed, out of memory) is dropped and the chunk identified in process: the same outcomes,
    slower, and the tick goes on."""
    if chunk.pending is not None:
        try:
            outcomes = list(chunk.pending)
            return pool, dict(zip((t[0] for t in chunk.todo), outcomes, strict=True))
        except Exception as err:
            if pool is not None:
                # Said, not raised: a tick identified in process files the same, only slower. A
                # script that spawns without an `if __name__ == "__main__":` guard lands here too.
                _log.warning("ingest: the identify pool broke (%s: %s); identifying in process for the rest of "
                             "the tick", type(err).__name__, err)
                pool.shutdown(wait=False, cancel_futures=True)
            pool = None
    return pool, {rel: _admit_one(data, rel, entry, conflict, registry) for rel, data, entry, conflict in chunk.todo}


def _was_held(old: list | None) -> bool:
    return bool(old and len(old) > 3 and str(old[3]).startswith("held"))


def ingest_inbox(lake: Lake, state: State | dict, *, years: list[str], max_files: int = 500,
                 time_budget_s: float | None = None, workers: int = 1) -> IngestResult:
    """Process new / changed inbox files (at most `max_files` reads per call).

    With `time_budget_s`, no new file is started once that many seconds have passed (at least
    one file is always read, so every call makes progress); the rest are `pending` for the next
    call. A sensor tick that outlives Dagster's sensor timeout is thrown away and re-run from the
    old cursor, so a count limit alone can loop forever on a slow or loaded machine.

    With `workers` > 1 and at least `POOL_MIN_FILES` files to read, the files are identified in
    that many worker processes (`_identify_pool`), chunk by chunk; everything else (reading,
    hashing, the raw zone, the ledger, decisions) stays in this process and in listing order, so
    the result is the same as with one worker."""
    started = time.monotonic()
    old_state = load_state(state)
    result = IngestResult(state=State(dict(old_state.files), {}))
    listing = list_inbox(lake.inbox)
    manifests = read_manifests(lake.inbox, listing.manifests) if listing.files else ManifestRead()
    result.manifest_problems = list(manifests.problems)
    override = registry_stamp(lake.root)
    ledger = read_ledger(lake)
    known = ledger.keys()
    result.ledger_torn_lines = ledger.torn_lines

    def record(**kw) -> None:
        """Quarantine one fact; only a fact new to the ledger is reported by this tick."""
        before = len(known)
        entry = quarantine(lake, known=known, **kw)
        if len(known) > before:
            result.quarantined.append(entry)

    for odd in listing.odd:
        record(source_file=odd.path, code=odd.code, reason=odd.reason)
    for mp in manifests.problems:
        if mp.code != "unreadable_manifest":
            continue  # row problems are reported with the tick (IngestResult.manifest_problems)
        try:
            data: bytes | None = read_inbox_file(lake.inbox / mp.manifest)
        except OSError:
            data = None
        folder = PurePosixPath(mp.manifest).parent.as_posix()
        record(source_file=mp.manifest, code="bad_manifest",
               reason=f"{mp.message}; files under {'the inbox' if folder == '.' else folder + '/'} wait until it is fixed",
               data=data)

    # Which stable files this tick reads, in listing order; the reads themselves come below.
    candidates: list[tuple[str, int, int, list | None, str]] = []
    for rel, (size, mtime) in listing.files.items():
        old = old_state.files.get(rel)
        stamp = identity_stamp(rel, manifests, override, held=_was_held(old))
        if old and old[0] == size and old[1] == mtime and (len(old) < 4 or old[3] == stamp):
            result.unchanged += 1
            continue
        if old_state.settling.get(rel) != [size, mtime] and not (old and old[0] == size and old[1] == mtime):
            # new or still changing: look again next tick (a file whose manifest row or registry
            # override changed is already settled)
            result.state.settling[rel] = [size, mtime]
            result.settling.append(rel)
            continue
        held = _held_by(rel, manifests.problems)
        if held is not None:
            result.state.settling[rel] = [size, mtime]
            result.waiting.append(Waiting(rel, f"its manifest {held.manifest} cannot be read"))
            continue
        if len(candidates) >= max_files:
            result.state.settling[rel] = [size, mtime]
            result.pending += 1
            continue
        candidates.append((rel, size, mtime, old, stamp))

    # Parsed only when a file is to be identified: an idle tick skips a national override
    # (28,000 rows, about 0.4 s). Read after the stamp above, so an override rewritten in
    # between makes the next tick read its held files again.
    registry = lake_registry(lake.root) if candidates else default_registry()
    pool = _identify_pool(workers, registry) if len(candidates) >= POOL_MIN_FILES else None
    step = POOL_CHUNK_PER_WORKER * workers if pool is not None else 1
    depth = PIPELINE_DEPTH if pool is not None else 1
    inflight: deque[_Chunk] = deque()
    at, stop = 0, len(candidates)
    try:
        while inflight or at < stop:
            if at < stop and len(inflight) < depth:
                if at and time_budget_s is not None and time.monotonic() - started >= time_budget_s:
                    stop = at  # no new file after the budget; the rest are pending (below)
                    continue
                inflight.append(_start_chunk(lake, candidates[at:at + step], manifests, pool, workers))
                at += step
                continue
            chunk = inflight.popleft()
            pool, outcomes = _outcomes(pool, chunk, registry)
            _file_chunk(lake, chunk, outcomes, manifests, override, years, result, record)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    for rel, size, mtime, _old, _stamp in candidates[stop:]:
        result.state.settling[rel] = [size, mtime]
        result.pending += 1
    if result.accepted and lake.is_local:
        # One flush for the tick instead of two fsyncs per file, before the sensor records anything.
        os.sync()
    # Files that left the inbox are forgotten (their raw copies stay).
    for rel in list(result.state.files):
        if rel not in listing.files:
            del result.state.files[rel]
    return result


def _retry_next_tick(result: IngestResult, rel: str, size: int, mtime: int, old: list | None, err: Exception) -> None:
    """Leave a file as the tick found it, to be read again next tick, and say why."""
    result.state.settling[rel] = [size, mtime]
    if old:
        result.state.files[rel] = old
    else:
        result.state.files.pop(rel, None)
    result.waiting.append(Waiting(rel, f"{type(err).__name__}: {err}"))


def _file_chunk(lake: Lake, chunk: _Chunk, outcomes: dict[str, Outcome], manifests: ManifestRead,
                override: str, years: list[str], result: IngestResult, record) -> None:
    """File a chunk's files in listing order, as if each were read, identified and filed in turn."""
    for (rel, size, mtime, old, stamp), fetched in zip(chunk.rows, chunk.fetched, strict=True):
        try:
            read = _read_stable(rel, size, mtime, old, stamp, fetched, manifests, override, result, record)
        except Exception as err:  # e.g. out of memory on a huge file: next tick, say why
            _retry_next_tick(result, rel, size, mtime, old, err)
            continue
        if read is None:
            continue
        try:
            _file_read(lake, rel, old, read[0], read[1], outcomes[rel], manifests, override, years, result, record)
        except Exception as err:  # e.g. a full disk: keep the file for the next tick, say why
            _retry_next_tick(result, rel, size, mtime, old, err)


def _read_stable(rel: str, size: int, mtime: int, old: list | None, stamp: str,
                 fetched: tuple[bytes, str] | BaseException, manifests: ManifestRead, override: str,
                 result: IngestResult, record) -> tuple[bytes, str] | None:
    """One stable file read (`_fetch`): (bytes, sha256) when it needs identifying, None when it is
    done with (unreadable: recorded; the same bytes and manifest row as before: unchanged)."""
    if isinstance(fetched, OSError):  # unreadable (permissions, vanished, …): retried every tick, recorded once
        result.state.settling[rel] = [size, mtime]
        record(source_file=rel, code="unreadable_file", reason=f"cannot read the file: {fetched.strerror or fetched}")
        return None
    if isinstance(fetched, BaseException):
        raise fetched
    data, sha = fetched
    result.state.files[rel] = [size, mtime, sha, identity_stamp(rel, manifests, override, held=False)]
    if _unchanged(old, sha, stamp):
        result.unchanged += 1
        return None
    return data, sha


def _file_read(lake: Lake, rel: str, old: list | None, data: bytes, sha: str, outcome: Outcome,
               manifests: ManifestRead, override: str, years: list[str], result: IngestResult, record) -> None:
    """One file read and identified: store it in the raw zone or record why not."""
    name = Path(rel).name
    entry: ManifestEntry | None = manifests.entries.get(rel)
    if isinstance(outcome, tuple):
        code, message = outcome
        record(source_file=rel, code=code, reason=message, data=data, sha256=sha)
        return
    adm = outcome
    agency, year, a_src, y_src = adm.agency, adm.year, adm.agency_source, adm.year_source
    if adm.code is not None:  # uncertain_identity / manifest_conflict: not a partition
        # Re-read when its manifest row or the registry override changes (they release it).
        result.state.files[rel][3] = identity_stamp(rel, manifests, override, held=True)
        record(source_file=rel, code=adm.code, reason=adm.reason, data=data, sha256=sha, agency=agency, year=year)
        return
    if agency is None:
        code, why = _no_agency(data, rel, year)
        if code == "uncertain_identity":  # re-read when a manifest row or override names it
            result.state.files[rel][3] = identity_stamp(rel, manifests, override, held=True)
        record(source_file=rel, code=code, reason=why, data=data, sha256=sha, year=year)
        return
    problem = agency_key_problem(agency)
    if problem:
        record(source_file=rel, code="bad_agency_key", reason=problem, data=data, sha256=sha, agency=agency, year=year)
        return
    yproblem = year_problem(year, years)
    if yproblem:
        record(source_file=rel, code="bad_year", reason=yproblem, data=data, sha256=sha, agency=agency, year=year)
        return
    assert agency is not None and year is not None
    receipt = lake.raw_dir(year, agency) / f"{sha}.json"
    if receipt.exists():
        first = RawFile(**json.loads(receipt.read_text("utf-8")))
        if first.source_file != name:  # a renamed copy: say which file it repeats
            record(source_file=rel, code="duplicate", reason=f"duplicate_of {sha} (received as {first.source_file})",
                   sha256=sha, agency=agency, year=year)
        elif not lake.curated_path("reports", year, agency).exists():
            # Stored by a tick that died before its run was requested (or ran): request it again,
            # or the partition would never be curated. Curation is idempotent.
            result.accepted.append(Accepted(raw=first, inbox_path=rel, superseded=None))
        else:
            result.unchanged += 1
        return
    before = current_raw(lake, agency, year)
    if before is not None and before.sha256 != sha and any(r.sha256 == sha for r in raw_history(lake, agency, year)):
        before = None  # these bytes were filed here before: nothing new to decide
    raw = store_raw(
        lake,
        data,
        agency=agency,
        year=year,
        source_file=name,
        url=entry.url if entry else None,
        agency_source=a_src,
        year_source=y_src,
        inbox_path=rel,
        durable=False,
    )
    superseded = before if before is not None and before.sha256 != raw.sha256 else None
    decision = None
    if superseded is not None:  # a second report for this agency-year: revision or collision
        d = second_report(join_key(agency, year), data, name, adm.identity, raw.sha256,
                          read_raw(lake, superseded), superseded.source_file, superseded.sha256,
                          same_path=superseded.inbox_path == rel or bool(old and old[2] == superseded.sha256))
        record_decision(lake, d)
        decision = d.kind
        if d.curated != raw.sha256:
            superseded = None  # the partition stays curated from the earlier file
    result.accepted.append(Accepted(raw=raw, inbox_path=rel, superseded=superseded, decision=decision))
