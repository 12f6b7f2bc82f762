"""Parsing many migration files: from the cache where it has them, the rest in worker processes,
handed back in apply order as they become ready.

A :class:`ParseStream` starts its workers when it is made and is consumed later, so that the
caller works while they parse: the CLI reads the other schema (a dump, a live database) and
replays each migration as soon as it arrives. The workers write their files' cache entries
themselves; this process only unpickles what they send. On two CPUs that overlap is what wins:
splitting the parsing itself over both CPUs, with this process waiting, was measured slower
than parsing here (the results' pickling costs a third of the parse).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from schemadiff.migration import Migration

if TYPE_CHECKING:
    from schemadiff.cache import ParseCache
    from schemadiff.history import ParsedMigration

PARALLEL_THRESHOLD = 40
"""Parse in worker processes only when more files than this need parsing (and there are CPUs)."""

CHUNK = 16
"""Files per task: small enough that the first results come back early."""


def worker_count(files: int, jobs: int | None) -> int:
    """How many worker processes parse ``files`` uncached files (0: parse in this process).

    ``jobs=None`` chooses: none for a few files, else one per idle CPU (CPUs minus the 1-minute
    load average) other than this process's own, which is busy replaying meanwhile.
    """
    if jobs is None:
        if files <= PARALLEL_THRESHOLD:
            return 0
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        cpus = cpus or 1
        try:  # only the idle CPUs: on a saturated machine workers cost more than they save
            idle = int(cpus - os.getloadavg()[0] + 0.5)
        except OSError:
            idle = cpus
        jobs = min(cpus, idle) - 1
    elif jobs > 1:
        jobs -= 1  # jobs counts this process too
    else:
        return 0
    return max(0, min(jobs, -(-files // CHUNK)))


class ParseStream:
    """The migrations parsed, in order (iterate once). Close it if it is not consumed.

    Args:
        migrations: in apply order.
        cache: a :class:`~schemadiff.cache.ParseCache`, or None to parse everything.
        jobs: processes, this one included; None chooses (:func:`worker_count`); 1 = none.
    """

    def __init__(
        self,
        migrations: Sequence[Migration],
        *,
        cache: ParseCache | None = None,
        jobs: int | None = None,
    ) -> None:
        from schemadiff.cache import entry_key

        self.migrations = list(migrations)
        self.cache = cache
        self.keys: list[str | None] = [
            entry_key(m.path, m.sql) if cache is not None and not m.opaque else None
            for m in self.migrations
        ]
        # what the cache lacks (an entry that exists but cannot be read is parsed here later)
        todo = [
            i for i, m in enumerate(self.migrations)
            if not m.opaque and not (cache is not None and cache.has(self.keys[i]))
        ]  # fmt: skip
        self.parsed_here = 0
        self._pool: Any = None
        self._results: Iterator[list[tuple[bytes | None, bool]]] | None = None
        self._chunks: list[list[int]] = []
        self._received = 0
        workers = worker_count(len(todo), jobs)
        if workers:
            self._start(todo, workers)

    def _start(self, todo: list[int], workers: int) -> None:
        import multiprocessing
        import threading
        from concurrent.futures import ProcessPoolExecutor

        # fork shares the imported parser with the workers (no re-import); it is only safe
        # while this process runs a single thread
        if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
            return
        self._chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
        root = str(self.cache.root) if self.cache is not None else None
        read_only = self.cache.read_only if self.cache is not None else True
        tasks = [
            ([self.migrations[i] for i in chunk], [self.keys[i] for i in chunk], root, read_only)
            for chunk in self._chunks
        ]
        try:
            self._pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("fork")
            )
            self._results = self._pool.map(_parse_chunk, tasks)
        except (OSError, RuntimeError):
            self.close()

    def __iter__(self) -> Iterator[ParsedMigration]:
        from schemadiff.history import ParsedMigration, parse_migration

        chunk_of = {i: c for c, chunk in enumerate(self._chunks) for i in chunk}
        from_workers: dict[int, bytes | None] = {}
        try:
            for i, m in enumerate(self.migrations):
                if m.opaque:
                    yield ParsedMigration(m, [])
                    continue
                if i in chunk_of:
                    self._receive_through(chunk_of[i], from_workers)
                blob = from_workers.pop(i, None)
                statements = pickle.loads(blob) if blob is not None else None
                if statements is None and self.cache is not None:
                    statements = self.cache.get(self.keys[i])  # type: ignore[arg-type]
                if statements is None:  # uncached, or a worker failed: parse here (the
                    statements = parse_migration(m).statements  # real error, in order)
                    self.parsed_here += 1
                    if self.cache is not None:
                        self.cache.put(self.keys[i], statements)  # type: ignore[arg-type]
                yield ParsedMigration(m, statements)
        finally:
            self.close()

    def _receive_through(self, chunk: int, into: dict[int, bytes | None]) -> None:
        """Wait for the workers' results up to chunk ``chunk`` (they come back in order)."""
        from concurrent.futures.process import BrokenProcessPool

        while self._received <= chunk and self._results is not None:
            try:
                results = next(self._results)
            except (StopIteration, BrokenProcessPool, OSError):
                self.close()  # what is left is parsed here
                return
            for index, (blob, wrote) in zip(self._chunks[self._received], results):
                into[index] = blob
                if wrote and self.cache is not None:
                    self.cache.stats.misses += 1
                    self.cache.stats.writes += 1
            self._received += 1

    def close(self) -> None:
        """Stop the workers (unstarted tasks are cancelled); idempotent."""
        pool, self._pool, self._results = self._pool, None, None
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
    out: list[tuple[bytes | None, bool]] = []
    for m, key in zip(migrations, keys):
        try:
            statements = parse_migration(m).statements
            blob = pickle.dumps(statements, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # parsed again by the caller, in order, to raise the real error
            out.append((None, False))
            continue
        wrote = False
        if cache is not None and key is not None:
            before = cache.stats.writes
            cache.put(key, statements, blob=blob)
            wrote = cache.stats.writes > before
        out.append((blob, wrote))
    return out
