"""Parsing many migration files: from the cache where it has them, the rest in worker processes,
handed back in apply order as they become ready.

A :class:`ParseStream` starts its workers when it is made and is consumed later, so that the
caller works while they parse: the CLI reads a live database and replays each migration as
soon as it arrives. The workers write their files' cache entries themselves, one pack per
chunk; this process only unpickles what they send, and when it would wait for a worker it takes
the last chunk no worker has started and parses that itself. On two CPUs that overlap is what
wins: splitting the parsing over both CPUs with this process waiting was measured slower than
parsing here alone (the results' pickling costs a third of the parse).

A *lead* task turns the order round, for work that needs a CPU as much as the parsing does
(a dump to parse and replay): a worker takes it first, the other workers and then that one
take chunks from the last file backwards, and this process parses and replays from the first
file forwards, taking over every chunk no worker has started. Both ends meet where the work
is even, and this process unpickles only the chunks the workers finished.
"""

from __future__ import annotations

import math
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
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
        cpus = cpu_count()
        try:  # on a saturated machine workers cost more than they save
            if os.getloadavg()[0] >= cpus:
                return 0
        except OSError:
            pass
        # The load average trails by a minute: scaling workers down by it (an earlier rule)
        # made a two-CPU machine parse serially right after any other job, 1.3x slower.
        jobs = cpus - 1
    elif jobs > 1:
        jobs -= 1  # jobs counts this process too
    else:
        return 0
    return max(0, min(jobs, -(-files // CHUNK)))


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
        lead: ``(function, args)`` for a worker to run before any parsing (see the module's
            docstring); its return value is :meth:`lead_result`. Only run when workers are.
    """

    def __init__(
        self,
        migrations: Sequence[Migration],
        *,
        cache: ParseCache | None = None,
        jobs: int | None = None,
        keys: Sequence[str] | None = None,
        lead: tuple[Callable[..., Any], tuple[Any, ...]] | None = None,
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
        self._futures: list[Any] = []
        self._chunks: list[list[int]] = []
        self._taken: set[int] = set()  # chunks this process parsed itself
        self._tail = -1
        self._lead: Any = None  # the lead task's future
        workers = worker_count(len(todo), jobs)
        if workers:
            self._start(todo, workers, lead)

    def _start(
        self,
        todo: list[int],
        workers: int,
        lead: tuple[Callable[..., Any], tuple[Any, ...]] | None,
    ) -> None:
        import multiprocessing
        import threading
        from concurrent.futures import ProcessPoolExecutor

        # fork shares the imported parser with the workers (no re-import); it is only safe
        # while this process runs a single thread
        if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
            return
        self._chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
        # with a lead, workers go from the last chunk backwards and this process never steals
        self._tail = len(self._chunks) - 1 if lead is None else -1
        root = str(self.cache.root) if self.cache is not None else None
        read_only = self.cache.read_only if self.cache is not None else True
        order = range(len(self._chunks)) if lead is None else range(len(self._chunks) - 1, -1, -1)
        try:
            self._pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("fork")
            )
            if lead is not None:
                self._lead = self._pool.submit(lead[0], *lead[1])
            futures = {
                c: self._pool.submit(
                    _parse_chunk,
                    ([self.migrations[i] for i in self._chunks[c]],
                     [self.keys[i] for i in self._chunks[c]], root, read_only),
                )
                for c in order
            }  # fmt: skip
            self._futures = [futures[c] for c in range(len(self._chunks))]
        except (OSError, RuntimeError):
            self.close()
            self._lead = None

    @property
    def leading(self) -> bool:
        """A worker runs (or has run) the lead task."""
        return self._lead is not None

    def lead_result(self) -> Any:
        """The lead task's return value (waiting for it); None when no worker ran it or it
        failed: the caller then does that work itself (and meets the error, if any)."""
        future, self._lead = self._lead, None
        if future is None:
            return None
        try:
            return future.result()
        except Exception:
            return None
        finally:
            self.close()

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
        """Stop the workers (unstarted tasks are cancelled); idempotent."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


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
