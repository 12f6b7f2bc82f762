"""Parsing many migration files: from the cache where it has them, the rest in worker processes,
handed back in apply order as they become ready.

A :class:`ParseStream` starts its workers when it is made and is consumed later, so that the
caller works while they parse: the CLI reads a live database and replays each migration as
soon as it arrives. The workers write their files' cache entries themselves, one pack per
chunk; this process only unpickles what they send, and when it would wait for a worker it takes
the last chunk no worker has started and parses that itself. On two CPUs that overlap is what
wins: splitting the parsing over both CPUs with this process waiting was measured slower than
parsing here alone (the results' pickling costs a third of the parse).

A dump to parse and replay (it needs a CPU as much as the parsing does) turns the order
round: a worker is forked for it before the migrations are even read (:func:`fork_pool`), and
the stream is then given that pool. Its workers take chunks from the last file backwards once
the dump is done, and this process parses and replays from the first file forwards, taking over
every chunk no worker has started. Both ends meet where the work is even, and this process
unpickles only the chunks the workers finished.
"""

from __future__ import annotations

import math
import os
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff.migration import Migration

if TYPE_CHECKING:
    from schemadiff.cache import ParseCache
    from schemadiff.history import ParsedMigration

JOBS_ENV = "SCHEMADIFF_JOBS"
"""Processes to parse with, this one included (1: no workers); unset, :func:`worker_count`
chooses."""

PARALLEL_THRESHOLD = 40
"""Parse in worker processes only when more files than this need parsing (and there are CPUs)."""

CHUNK = 16
"""Files per task: small enough that the first results come back early."""

LEAD_BYTES = 32 * 1024
"""A dump at least this large is parsed in a worker (when :func:`lead_workers` chooses). A
smaller one parses in a few milliseconds, less than forking a worker (~12 ms with its imports)
and pickling its replay back."""


def worker_count(files: int, jobs: int | None) -> int:
    """How many worker processes parse ``files`` uncached files (0: parse in this process).

    ``jobs=None`` takes ``$SCHEMADIFF_JOBS`` when it is set, else chooses: none for a few
    files, else one per CPU (:func:`cpu_count`) other than this process's own (busy reading
    the other schema and replaying meanwhile), none when every CPU is already busy (1-minute
    load average at least the CPU count).

    Raises:
        SchemaDiffError: ``$SCHEMADIFF_JOBS`` is not a whole number of at least 1.
    """
    if jobs is None:
        jobs = _jobs_from_env()
    if jobs is None:
        if files <= PARALLEL_THRESHOLD:
            return 0
        jobs = _spare_cpus()
    elif jobs > 1:
        jobs -= 1  # jobs counts this process too
    else:
        return 0
    return max(0, min(jobs, -(-files // CHUNK)))


def lead_workers(size: int, jobs: int | None) -> int:
    """How many worker processes to fork for a lead task over ``size`` bytes of SQL (a dump),
    before the migrations are read (0: do it here).

    As :func:`worker_count` chooses, with the dump's size in place of the files' count: one
    worker per CPU other than this process's own, none for a small dump or a busy machine;
    ``jobs`` (or ``$SCHEMADIFF_JOBS``) counts this process too.

    Raises:
        SchemaDiffError: ``$SCHEMADIFF_JOBS`` is not a whole number of at least 1.
    """
    if jobs is None:
        jobs = _jobs_from_env()
    if jobs is not None:
        return max(0, jobs - 1)
    if size < LEAD_BYTES:
        return 0
    return _spare_cpus()


def _spare_cpus() -> int:
    """One worker per CPU but this process's own; none on a saturated machine, where workers
    cost more than they save.

    The load average trails by a minute: scaling workers down by it (an earlier rule) made a
    two-CPU machine parse serially right after any other job, 1.3x slower.
    """
    cpus = cpu_count()
    try:
        if os.getloadavg()[0] >= cpus:
            return 0
    except OSError:
        pass
    return cpus - 1


def fork_pool(workers: int) -> Any:
    """A pool of ``workers`` processes (a ``ProcessPoolExecutor``), forked at its first task so
    that they share what this process has imported; None when there is nothing to fork or it
    is unsafe: no ``fork`` on this platform, or this process runs threads."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    if workers < 1:
        return None
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return None
    try:
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("fork")
        )
    except (OSError, RuntimeError):
        return None


def _jobs_from_env() -> int | None:
    value = os.environ.get(JOBS_ENV, "").strip()
    if not value:
        return None
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        from schemadiff.errors import SchemaDiffError

        raise SchemaDiffError(
            f"{JOBS_ENV}={value!r}: expected a whole number of processes, 1 for no workers"
        )
    return jobs


def cpu_count(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may use: its affinity mask, capped by a cgroup CPU quota.

    A container limited with ``--cpus`` (a CFS quota) sees every CPU of its host in its
    affinity mask; forking a worker per host CPU there would only queue them on its quota.
    Both cgroup versions are read: v2's ``cpu.max``, v1's ``cpu/cpu.cfs_quota_us`` and
    ``cpu.cfs_period_us``. A fraction of a CPU counts as one.
    """
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
            quota_text = (root / "cpu" / "cpu.cfs_quota_us").read_text()
            period_text = (root / "cpu" / "cpu.cfs_period_us").read_text()
        except OSError:
            return None
        fields = [quota_text.strip(), period_text.strip()]
    try:
        quota, period = int(fields[0]), int(fields[1])
    except (ValueError, IndexError):  # "max": no limit (v1 says -1)
        return None
    if quota <= 0 or period <= 0:
        return None
    return quota / period


class ParseStream:
    """The migrations parsed, in order (iterate once). Close it if it is not consumed.

    Args:
        migrations: in apply order.
        cache: a :class:`~schemadiff.cache.ParseCache`, or None to parse everything.
        jobs: processes, this one included; None chooses (:func:`worker_count`); 1 = none.
        keys: the files' parse-cache keys, when the caller has computed them already.
        pool: a pool from :func:`fork_pool` whose workers are busy with a lead task (a dump):
            they take chunks from the last file backwards once it is done. The stream
            borrows it: closing the stream cancels its own tasks, the caller shuts it down.
    """

    def __init__(
        self,
        migrations: Sequence[Migration],
        *,
        cache: ParseCache | None = None,
        jobs: int | None = None,
        keys: Sequence[str] | None = None,
        pool: Any = None,
    ) -> None:
        from schemadiff.cache import entry_key

        self.migrations = list(migrations)
        self.cache = cache
        if keys is None:
            keys = [entry_key(m.path, m.sql) for m in self.migrations] if cache is not None else []
        self.keys: list[str | None] = [
            keys[i] if cache is not None and not m.opaque else None
            for i, m in enumerate(self.migrations)
        ]
        # what the cache lacks (an entry that exists but cannot be read is parsed here later)
        todo = [
            i for i, m in enumerate(self.migrations)
            if not m.opaque and not (cache is not None and cache.has(self.keys[i]))
        ]  # fmt: skip
        self.parsed_here = 0
        self._unsaved: list[tuple[str, bytes]] = []  # parsed here, not yet in the cache
        self._pool: Any = None
        self._owned = pool is None  # shut down on close (else: only this stream's tasks)
        self._futures: list[Any] = []
        self._chunks: list[list[int]] = []
        self._taken: set[int] = set()  # chunks this process parsed itself
        self._tail = -1
        if pool is not None:
            if todo:
                self._submit(pool, todo, backwards=True)
        else:
            workers = worker_count(len(todo), jobs)
            if workers:
                self._submit(fork_pool(workers), todo, backwards=False)

    def _submit(self, pool: Any, todo: list[int], *, backwards: bool) -> None:
        """Chunks of ``todo`` to ``pool``'s workers: from the first (this process steals from
        the end) or, behind a lead task, from the last (this process goes from the front)."""
        if pool is None:
            return
        self._pool = pool
        self._chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
        self._tail = -1 if backwards else len(self._chunks) - 1
        root = str(self.cache.root) if self.cache is not None else None
        read_only = self.cache.read_only if self.cache is not None else True
        n = len(self._chunks)
        order = range(n - 1, -1, -1) if backwards else range(n)
        try:
            futures = {
                c: pool.submit(
                    _parse_chunk,
                    ([self.migrations[i] for i in self._chunks[c]],
                     [self.keys[i] for i in self._chunks[c]], root, read_only),
                )
                for c in order
            }  # fmt: skip
        except (OSError, RuntimeError):  # a broken or shut-down pool: parse here
            self.close()
            self._chunks = []
            return
        self._futures = [futures[c] for c in range(n)]

    def __iter__(self) -> Iterator[ParsedMigration]:
        from schemadiff.history import ParsedMigration, parse_migration

        chunk_of = {i: c for c, chunk in enumerate(self._chunks) for i in chunk}
        ready: dict[int, Any] = {}  # file -> pickled statements (a worker's), statements, None
        try:
            for i, m in enumerate(self.migrations):
                if m.opaque:
                    yield ParsedMigration(m, [])
                    continue
                if i in chunk_of and i not in ready:
                    self._obtain(chunk_of[i], ready)
                got = ready.pop(i, None)
                statements = pickle.loads(got) if isinstance(got, bytes) else got
                if statements is None and self.cache is not None:
                    statements = self.cache.get(self.keys[i])  # type: ignore[arg-type]
                if statements is None:  # uncached, or it failed: parse here (the real
                    statements = parse_migration(m).statements  # error, in order)
                    self.parsed_here += 1
                    self._store(self.keys[i], statements)
                yield ParsedMigration(m, statements)
        finally:
            self._flush()
            self.close()

    def _store(self, key: str | None, statements: list[Any]) -> None:
        """Queue a file parsed here for the cache: written a pack of :data:`CHUNK` at a time."""
        if self.cache is None or key is None:
            return
        self._unsaved.append((key, pickle.dumps(statements, protocol=pickle.HIGHEST_PROTOCOL)))
        if len(self._unsaved) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        unsaved, self._unsaved = self._unsaved, []
        if self.cache is not None and unsaved:
            self.cache.put_many(unsaved)

    def _obtain(self, chunk: int, ready: dict[int, Any]) -> None:
        """Chunk ``chunk``'s results into ``ready``. While a worker is still on it, this
        process does not wait idle: it takes the last chunk no worker has started and parses
        it itself (or this one, if no worker has started it yet)."""
        from concurrent.futures import CancelledError, wait
        from concurrent.futures.process import BrokenProcessPool

        if self._pool is None:
            return  # closed: the caller parses what is left
        future = self._futures[chunk]
        while not future.done():
            if future.cancel():  # queued, not started: do it here, now
                self._parse_here(chunk, ready)
                return
            stolen = self._steal(chunk)
            if stolen is None:
                wait([future])
            else:
                self._parse_here(stolen, ready)
        try:
            results = future.result()
        except (BrokenProcessPool, OSError, CancelledError):
            self.close()
            return
        for index, (blob, wrote) in zip(self._chunks[chunk], results):
            ready[index] = blob
            if wrote and self.cache is not None:
                self.cache.stats.misses += 1
                self.cache.stats.writes += 1

    def _steal(self, after: int) -> int | None:
        """The last chunk after ``after`` that no worker has started, now cancelled there.

        Workers take chunks in order, so once one cannot be cancelled, no earlier one can.
        """
        while self._tail > after:
            j = self._tail
            self._tail -= 1
            if j in self._taken:
                continue
            if self._futures[j].cancel():
                return j
            self._tail = after  # started: so are all before it
            return None
        return None

    def _parse_here(self, chunk: int, ready: dict[int, Any]) -> None:
        from schemadiff.history import parse_migration

        self._taken.add(chunk)
        for i in self._chunks[chunk]:
            try:
                statements = parse_migration(self.migrations[i]).statements
            except Exception:  # raised again, in order, when the caller reaches it
                ready[i] = None
                continue
            self.parsed_here += 1
            if self.cache is not None:
                self.cache.stats.misses += 1
            self._store(self.keys[i], statements)
            ready[i] = statements
        self._flush()  # the chunk as one pack, as a worker writes it

    def close(self) -> None:
        """Stop the workers (unstarted tasks are cancelled); idempotent. A borrowed pool
        keeps running: only this stream's unstarted tasks are cancelled."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if self._owned:
            pool.shutdown(wait=True, cancel_futures=True)
        else:
            for future in self._futures:
                future.cancel()


def _parse_chunk(
    task: tuple[list[Migration], list[str | None], str | None, bool],
) -> list[tuple[bytes | None, bool]]:
    """Worker: parse each migration, cache it; (pickled statements or None, written)."""
    from schemadiff.cache import ParseCache
    from schemadiff.history import parse_migration

    migrations, keys, root, read_only = task
    cache = ParseCache(root, read_only=read_only) if root is not None else None
    blobs: list[bytes | None] = []
    for m in migrations:
        try:
            statements = parse_migration(m).statements
            blobs.append(pickle.dumps(statements, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # parsed again by the caller, in order, to raise the real error
            blobs.append(None)
    stored = [(key, blob) for key, blob in zip(keys, blobs) if key is not None and blob is not None]
    wrote = cache is not None and cache.put_many(stored) > 0  # the chunk: one pack
    packed = {key for key, _ in stored} if wrote else set()
    return [(blob, key in packed) for key, blob in zip(keys, blobs)]
