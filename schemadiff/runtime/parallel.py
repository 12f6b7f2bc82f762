"""Parsing many migration files: from the cache where it has them, the rest in worker
processes, handed back in apply order.

Files the cache lacks go in chunks of :data:`CHUNK` to a process pool (forked once the parser
is imported: the workers share it); each worker writes its chunk's cache entries as one pack.
The chunks are submitted last first and this process takes part from the first one: walking
the chunks in order, it parses a chunk no worker has started (its future still cancels) and
waits for one a worker has, so the two meet near the end. Parsing is what a cold run spends
its CPU on, so both CPUs stay busy to the last chunk; the replay, which must be sequential,
follows the chunks in order.

A large dump the cache lacks is replayed by a worker of its own pool from the start of the
comparison (:func:`start_dump`); the migrations' chunks then go to that pool, its worker taking
them (from the last) once the dump is done.

``SCHEMADIFF_JOBS=N`` sets the number of processes, this one included (``1``: no workers).
Unset, one worker per CPU but this process's own (the affinity mask, capped by a container's
CPU quota), none for :data:`PARALLEL_THRESHOLD` files or fewer or on a saturated machine.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from schemadiff.errors import SchemaDiffError
from schemadiff.history import ParsedMigration, parse_migration
from schemadiff.migration import Migration
from schemadiff.runtime.cache import ParseCache, register_records

JOBS_ENV = "SCHEMADIFF_JOBS"
PARALLEL_THRESHOLD = 40
"""Parse in worker processes only when more files than this need parsing."""
CHUNK = 16
"""Files per task (and per cache pack)."""


def worker_count(files: int, jobs: int | None = None) -> int:
    """How many worker processes parse ``files`` uncached files (0: parse here).

    Raises:
        SchemaDiffError: ``$SCHEMADIFF_JOBS`` is not a whole number of at least 1.
    """
    if jobs is None:
        jobs = _jobs_from_env()
    if jobs is None:
        if files <= PARALLEL_THRESHOLD:
            return 0
        cpus = cpu_count()
        try:
            if os.getloadavg()[0] >= cpus:  # every CPU busy: workers cost more than they save
                return 0
        except OSError:
            pass
        jobs = cpus
    if jobs <= 1 or not hasattr(os, "fork"):
        return 0
    return max(0, min(jobs - 1, -(-files // CHUNK)))  # jobs counts this process too


DUMP_WORKER_BYTES = 32 * 1024
"""A dump at least this large is replayed in a worker while the migrations are read (a small
one costs less than a fork)."""


def start_dump(
    path: str, text: str, strict: bool, key: str | None, cache: ParseCache | None,
    jobs: int | None = None,
) -> tuple[ProcessPoolExecutor, Future[bytes]] | None:
    """Replay a dump file in a forked worker (it writes the cache entry under ``key``): the
    pool, for :func:`parse_all` to borrow once the dump is done, and the future of the
    pickled replay; None when no worker is worth it (a small dump, one CPU, a busy machine)."""
    workers = worker_count(PARALLEL_THRESHOLD + 1, jobs) if len(text) >= DUMP_WORKER_BYTES else 0
    if not workers:
        return None
    _load_parser()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    root = str(cache.root) if cache is not None else None
    read_only = cache.read_only if cache is not None else True
    return pool, pool.submit(_replay_dump, path, text, strict, key, root, read_only)


def _load_parser() -> None:
    """Import the parser and the replayer (sqlglot with them) before forking: the workers
    inherit them instead of each importing them again (~0.1 s of CPU a process), and this
    process needs them anyway (it parses the first chunk, or waits for the dump)."""
    import importlib

    # sqlglot loads a dialect's module at its first use (~10 ms): load it here, once for all
    for module in ("schemadiff.sql.parse", "schemadiff.sql.replay", "schemadiff.sql.split",
                   "sqlglot.dialects.postgres"):
        importlib.import_module(module)


def _replay_dump(
    path: str, text: str, strict: bool, key: str | None, root: str | None, read_only: bool
) -> bytes:
    """Worker: the dump's replay, pickled, and cached under ``key``."""
    from schemadiff.history import replay_sql

    replay = replay_sql(text, path, strict=strict, effects=False)
    register_records()
    blob = pickle.dumps(replay, pickle.HIGHEST_PROTOCOL)
    if root is not None and key is not None:
        ParseCache(root, read_only=read_only).put_pickled(key, blob)
    return blob


def _jobs_from_env() -> int | None:
    value = os.environ.get(JOBS_ENV, "").strip()
    if not value:
        return None
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise SchemaDiffError(
            f"{JOBS_ENV}={value!r}: expected a whole number of processes, 1 for no workers"
        )
    return jobs


def cpu_count(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may use: its affinity mask, capped by a cgroup CPU quota (a
    container limited with ``--cpus`` sees every CPU of its host in its mask). Both cgroup
    versions are read; a fraction of a CPU counts as one."""
    if hasattr(os, "sched_getaffinity"):
        cpus = len(os.sched_getaffinity(0))
    else:  # pragma: no cover - macOS, Windows
        cpus = os.cpu_count() or 1
    quota = _cgroup_quota(cgroup)
    if quota is not None:
        cpus = min(cpus, math.ceil(quota))
    return max(1, cpus)


def _cgroup_quota(root: Path) -> float | None:
    """CPUs' worth of quota (``quota / period``), or None: no limit or no cgroup files."""
    try:
        fields = (root / "cpu.max").read_text().split()  # v2: "max 100000", "150000 100000"
    except OSError:
        try:  # v1
            quota = (root / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (root / "cpu" / "cpu.cfs_period_us").read_text().strip()
        except OSError:
            return None
        fields = [quota, period]
    try:
        q, p = int(fields[0]), int(fields[1])
    except (ValueError, IndexError):  # "max": no limit (v1 says -1)
        return None
    return q / p if q > 0 and p > 0 else None


def parse_all(
    migrations: Sequence[Migration],
    keys: Sequence[str | None],
    cache: ParseCache | None,
    *,
    jobs: int | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> Iterator[ParsedMigration]:
    """``parse_migration`` of each migration, in order: from the cache under ``keys`` (one
    per migration, None: not cached), else parsed (in workers when there are enough; in
    ``pool``'s when given, a pool this call borrows and leaves open). The first file that
    fails raises, here and in order, the error parsing it here raises.

    The chunks go to the workers last first: this process parses from the first chunk on
    and replays as it goes, the workers from the end (after what the pool was busy with),
    until the two meet."""
    register_records()  # parsed statements go to the cache and between processes, pickled
    ready: dict[int, ParsedMigration] = {}
    todo: list[int] = []
    for i, m in enumerate(migrations):
        statements = cache.get(keys[i], expect=list) if cache is not None and keys[i] else None
        if statements is None:
            todo.append(i)
        else:
            ready[i] = ParsedMigration(m, statements)
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    owned = None
    if pool is None and chunks and worker_count(len(todo), jobs):
        _load_parser()
        pool = owned = ProcessPoolExecutor(
            worker_count(len(todo), jobs), mp_context=multiprocessing.get_context("fork")
        )
    futures: list[Future[list[bytes | None]] | None] | None = None
    if pool is not None and len(chunks) > 1:  # the first chunk is this process's anyway
        root = str(cache.root) if cache is not None else None
        read_only = cache.read_only if cache is not None else True
        futures = [None] * len(chunks)
        for c in range(len(chunks) - 1, 0, -1):
            futures[c] = pool.submit(
                _parse_chunk,
                [migrations[i] for i in chunks[c]], [keys[i] for i in chunks[c]], root,
                read_only,
            )
    try:
        position = 0
        for c, chunk in enumerate(chunks):
            future = futures[c] if futures is not None else None
            ready.update(zip(chunk, _chunk_here_or_there(migrations, keys, chunk, future, cache)))
            for i in range(position, chunk[-1] + 1):  # cached ones sit between a chunk's
                yield ready.pop(i)
            position = chunk[-1] + 1
        for i in range(position, len(migrations)):
            yield ready.pop(i)
    finally:
        if futures is not None:
            for f in futures:
                if f is not None:
                    f.cancel()
        if owned is not None:
            owned.shutdown(wait=True, cancel_futures=True)


def _chunk_here_or_there(
    migrations: Sequence[Migration],
    keys: Sequence[str | None],
    chunk: list[int],
    future: Future[list[bytes | None]] | None,
    cache: ParseCache | None,
) -> list[ParsedMigration]:
    """A chunk's migrations: a worker's results when one has started it, else parsed here
    (a failed one is always parsed here, to raise its error in order)."""
    blobs: list[bytes | None] = [None] * len(chunk)
    if future is not None and not future.cancel():
        try:
            blobs = future.result()
        except Exception:  # a worker that died: parse here
            blobs = [None] * len(chunk)
    out: list[ParsedMigration] = []
    parsed_here: list[tuple[str, bytes]] = []
    for i, blob in zip(chunk, blobs):
        m = migrations[i]
        if blob is not None:
            out.append(ParsedMigration(m, pickle.loads(blob)))
            continue
        pm = parse_migration(m)
        register_records()
        if cache is not None and keys[i]:
            parsed_here.append((keys[i], pickle.dumps(pm.statements, pickle.HIGHEST_PROTOCOL)))  # type: ignore[arg-type]
        out.append(pm)
    if cache is not None and parsed_here:
        cache.put_many(parsed_here)
    return out


def _parse_chunk(
    migrations: list[Migration], keys: list[str | None], root: str | None, read_only: bool
) -> list[bytes | None]:
    """Worker: parse each migration and cache the chunk as one pack; the pickled statements,
    None for a file that failed (parsed again by the caller, in order, to raise its error)."""
    blobs: list[bytes | None] = []
    for m in migrations:
        try:
            statements = parse_migration(m).statements
            register_records()  # the parser's records, imported by the first parse
            blobs.append(pickle.dumps(statements, pickle.HIGHEST_PROTOCOL))
        except Exception:
            blobs.append(None)
    if root is not None:
        stored = [(k, b) for k, b in zip(keys, blobs) if k is not None and b is not None]
        ParseCache(root, read_only=read_only).put_many(stored)
    return blobs
