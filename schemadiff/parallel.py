"""Parsing many migration files: from the cache where it has them, the rest in worker processes,
handed back in apply order as they become ready.

A :class:`ParseStream` hands its workers (:class:`~schemadiff.workers.Workers`) the files the
cache lacks when it is made, and is consumed later, so that the caller works meanwhile: the
CLI reads a live database, or a worker is still on the dump. The files go in chunks that the
workers and this process take in order, each the first chunk nobody has taken; the workers
write their files' cache entries themselves, one pack per chunk. This process consumes in
order: it parses and replays a chunk nobody has taken, replays a worker's as it comes back,
and while one it needs is still in a worker it parses the next free chunk rather than wait.
So both CPUs stay busy to the last chunk, and the workers' results are replayed as they come,
not all at the end (taking chunks from opposite ends, an earlier design, left the replay of
every worker-parsed file to the end, on one CPU: 25-35 ms of a cold openmeter run).

A dump to parse and replay needs a CPU as much as the parsing does: its worker is forked as the
process starts (:func:`fork_early`, for a command given a dump) or before the migrations are
read (:func:`start_workers`), is given the dump first, and the stream is then given that
worker: it takes chunks once the dump is done.
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
    from schemadiff.workers import Job, Workers

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


WARM = (
    "schemadiff.cache",
    "schemadiff.history",
    "schemadiff.inputs",
    "schemadiff.sql.parse",
    "schemadiff.sql.replay",
)
"""What a parse worker imports before its first task (the parser, sqlglot, is most of it)."""

_early: Workers | None = None


def start_workers(count: int) -> Workers | None:
    """``count`` parse workers: the ones forked as the process started (:func:`fork_early`)
    if there are any, else forked now; None when there is nothing to fork or it is unsafe: no
    ``fork`` on this platform, or this process runs threads (a progress bar's)."""
    global _early
    early, _early = _early, None
    if early is not None:
        if count >= 1:
            return early
        early.close()
    import threading

    if threading.active_count() > 1:
        return None
    return _fork(count)


def fork_early(dump_size: int) -> None:
    """Fork the workers a dump of ``dump_size`` bytes will want (:func:`lead_workers`) now, as
    the process starts, so that they import the parser while this process imports the rest;
    :func:`start_workers` hands them out. Unused, they are killed at exit."""
    global _early
    from schemadiff.errors import SchemaDiffError

    if _early is not None:
        return
    try:
        count = lead_workers(dump_size, None)
    except SchemaDiffError:  # a bad $SCHEMADIFF_JOBS: the command reports it
        return
    _early = _fork(count)
    if _early is not None:
        import atexit

        atexit.register(_discard_early)


def _fork(count: int) -> Workers | None:
    if count < 1 or not hasattr(os, "fork"):
        return None
    from schemadiff.workers import Workers

    try:
        return Workers(count, WARM)
    except OSError:
        return None


def _discard_early() -> None:
    global _early
    early, _early = _early, None
    if early is not None:
        early.close()


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
        workers: :class:`~schemadiff.workers.Workers` that may be busy with a lead task (a
            dump); they take chunks once it is done. The stream borrows them: closing it
            ends its own job, the caller closes them.
    """

    def __init__(
        self,
        migrations: Sequence[Migration],
        *,
        cache: ParseCache | None = None,
        jobs: int | None = None,
        keys: Sequence[str] | None = None,
        workers: Workers | None = None,
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
        self._workers: Workers | None = None
        self._owned = workers is None  # closed with the stream (else: only its job ends)
        self._job: Job | None = None
        self._chunks: list[list[int]] = []
        if todo and workers is None:
            workers = start_workers(worker_count(len(todo), jobs))
        if todo and workers is not None:
            self._share(workers, todo)

    def _share(self, workers: Workers, todo: list[int]) -> None:
        """Chunks of ``todo`` as a job: the workers and this process (:meth:`_obtain`) each
        take the first one nobody has."""
        from schemadiff.workers import MAX_CHUNKS

        self._workers = workers
        size = max(CHUNK, -(-len(todo) // MAX_CHUNKS))
        self._chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        root = str(self.cache.root) if self.cache is not None else None
        read_only = self.cache.read_only if self.cache is not None else True
        tasks = [
            ([self.migrations[i] for i in chunk], [self.keys[i] for i in chunk], root, read_only)
            for chunk in self._chunks
        ]
        try:
            self._job = workers.share(_parse_chunk, tasks)
        except (OSError, RuntimeError):  # closed or broken workers: parse here
            self.close()
            self._chunks = []

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
        """Chunk ``chunk``'s results into ``ready``. Nobody has taken it: it is parsed here. A
        worker's is waited for only when no chunk is left to take: until it comes, this
        process parses the next free chunk itself (its results kept for their turn)."""
        from schemadiff.workers import HERE, WorkerFailed

        job = self._job
        if job is None:
            return  # closed: the caller parses what is left
        while True:
            owner = job.owner(chunk)
            if owner == HERE:
                return  # parsed here ahead of its turn
            if owner != 0 and job.ready(chunk):
                break
            taken = job.take()  # this chunk if nobody has it (all before it are taken)
            if taken is None:  # none left: a worker took this one meanwhile, or it ended
                if job.owner(chunk) in (0, HERE):
                    return  # cancelled: the caller parses what is left
                break  # nothing left to do meanwhile: wait for the worker
            self._parse_here(taken, ready)
        try:
            results = job.result(chunk)
        except WorkerFailed:  # parsed here when the caller reaches each file
            return
        for index, (blob, wrote) in zip(self._chunks[chunk], results):
            ready[index] = blob
            if wrote and self.cache is not None:
                self.cache.stats.misses += 1
                self.cache.stats.writes += 1

    def _parse_here(self, chunk: int, ready: dict[int, Any]) -> None:
        from schemadiff.history import parse_migration

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
        """End the job (chunks no worker has started are not done) and, if the stream
        started its workers, end them; idempotent. Borrowed workers keep running."""
        job, self._job = self._job, None
        workers, self._workers = self._workers, None
        if job is not None:
            job.cancel()
        if workers is not None and self._owned:
            workers.close()


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
