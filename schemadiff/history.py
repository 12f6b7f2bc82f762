"""Replay SQL into a catalog: a migration history, or any SQL script (a pg_dump file).

This is the pure entry into the engine: text in, :class:`Replay` out. Reading files and
choosing a tool happen at the edges (``tools``, ``sources``, ``cli``).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemadiff.errors import Diagnostic, ParseError
from schemadiff.migration import Migration
from schemadiff.model import Catalog, Effect

# The parser and the replayer (and with them sqlglot) are imported by the functions that use
# them: unpickling a cached Replay needs this module's classes, not the engine.
if TYPE_CHECKING:
    from schemadiff.cache import ParseCache
    from schemadiff.sql import ops
    from schemadiff.sql.replay import Replayer
    from schemadiff.sql.split import Statement


@dataclass(slots=True)
class MigrationStats:
    """What one migration's statements were, as the replay saw them."""

    statements: int = 0
    schema: int = 0  # statements with a schema effect
    data: int = 0  # DML and other statements without one
    unmodeled: int = 0


@dataclass(slots=True)
class Replay:
    """The result of a replay: the catalog, its provenance and what could not be modelled."""

    catalog: Catalog
    effects: Sequence[Effect]
    diagnostics: list[Diagnostic]
    stats: dict[str, MigrationStats] = field(default_factory=dict)
    migrations: list[Migration] = field(default_factory=list)

    def __reduce__(self) -> tuple[Any, ...]:
        # The effect log is pickled apart and read back only when used: a cached replay is
        # mostly compared by its catalog, and the log is the larger half of it.
        effects = list(self.effects)
        blob = pickle.dumps(effects, protocol=pickle.HIGHEST_PROTOCOL)
        return (
            _restore_replay,
            (self.catalog, blob, len(effects), self.diagnostics, self.stats, self.migrations),
        )


def _restore_replay(
    catalog: Catalog,
    blob: bytes,
    count: int,
    diagnostics: list[Diagnostic],
    stats: dict[str, MigrationStats],
    migrations: list[Migration],
) -> Replay:
    return Replay(catalog, DeferredEffects(blob, count), diagnostics, stats, migrations)


class DeferredEffects(Sequence[Effect]):
    """An unpickled replay's effect log, itself unpickled the first time it is read."""

    __slots__ = ("_blob", "_count", "_items")

    def __init__(self, blob: bytes, count: int) -> None:
        self._blob: bytes | None = blob
        self._count = count
        self._items: list[Effect] | None = None

    def _load(self) -> list[Effect]:
        if self._items is None:
            assert self._blob is not None
            self._items, self._blob = pickle.loads(self._blob), None
        return self._items

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self._load()[index]

    def __iter__(self) -> Iterator[Effect]:
        return iter(self._load())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return self._load() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (self._load(),))


@dataclass(slots=True)
class ParsedMigration:
    """A migration split and parsed once, ready to be replayed any number of times."""

    migration: Migration
    statements: list[tuple[Statement, ops.Op]]


def parse_migration(m: Migration) -> ParsedMigration:
    """Split and parse one migration (raises ParseError on an unterminated quote)."""
    from schemadiff.sql.parse import parse_statement
    from schemadiff.sql.split import split

    if m.opaque:
        return ParsedMigration(m, [])
    return ParsedMigration(
        m, [(st, parse_statement(st.text)) for st in split(m.sql, m.path) if not st.meta]
    )


def _replay_statements(
    replayer: Replayer,
    statements: Iterable[tuple[Statement, ops.Op]],
    version: str,
    stats: MigrationStats,
    strict: bool,
) -> None:
    from schemadiff.sql import ops

    for stmt, op in statements:
        stats.statements += 1
        before = len(replayer.diagnostics)
        replayer.apply(op, version, stmt.location, stmt.text)
        if len(replayer.diagnostics) > before:
            stats.unmodeled += 1
            if strict:
                d = replayer.diagnostics[-1]
                raise ParseError(d.message, d.location)
        elif isinstance(op, ops.NoEffect):
            stats.data += op.category == "data"
        else:
            stats.schema += 1


def replay_parsed(
    parsed: list[ParsedMigration],
    *,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Replay:
    """Replay already-parsed migrations in order (``progress(1)`` after each one)."""
    from schemadiff.sql.replay import Replayer

    replayer = Replayer()
    stats: dict[str, MigrationStats] = {}
    for pm in parsed:
        st = stats.setdefault(pm.migration.version, MigrationStats())
        replayer.reset_search_path()
        _replay_statements(replayer, pm.statements, pm.migration.version, st, strict)
        if progress is not None:
            progress(1)
    return Replay(
        replayer.catalog,
        replayer.effects,
        replayer.diagnostics,
        stats,
        [pm.migration for pm in parsed],
    )


def replay_migrations(migrations: list[Migration], *, strict: bool = False) -> Replay:
    """Replay migrations in order into the catalog they build.

    Args:
        migrations: as a tool reader returns them, in apply order.
        strict: raise :class:`~schemadiff.errors.ParseError` on the first statement that
            cannot be modelled instead of reporting it.

    Raises:
        ParseError: a file that cannot be split (unterminated quote), or any unmodeled
            statement when ``strict``.
    """
    return replay_parsed([parse_migration(m) for m in migrations], strict=strict)


PARALLEL_THRESHOLD = 40
"""Parse in worker processes only when more files than this need parsing (and there are CPUs)."""


def parse_migrations(
    migrations: Sequence[Migration],
    *,
    cache: ParseCache | None = None,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ParsedMigration]:
    """Parse many migrations: from the parse cache where it has them, the rest in parallel.

    The result is exactly ``[parse_migration(m) for m in migrations]`` (same order, same
    values, the same first error); only the work differs. Files are independent, so files the
    cache lacks are parsed in worker processes when there are more than
    :data:`PARALLEL_THRESHOLD` of them and more than one idle CPU (CPUs minus the 1-minute load
    average), sequentially otherwise.

    Args:
        migrations: in apply order.
        cache: a :class:`~schemadiff.cache.ParseCache`, or None to parse everything.
        jobs: worker processes; None = one per idle CPU when worth it; 1 = never in parallel.
        progress: called with the number of migrations just made ready (for a progress bar).

    Raises:
        ParseError: as :func:`parse_migration` would, for the first file in order that fails.
    """
    from schemadiff.cache import entry_key

    out: list[ParsedMigration | None] = [None] * len(migrations)
    todo: list[tuple[int, str | None]] = []  # (index, cache key)
    for i, m in enumerate(migrations):
        if m.opaque:
            out[i] = ParsedMigration(m, [])
            continue
        key = entry_key(m.path, m.sql) if cache is not None else None
        statements = cache.get(key) if cache is not None and key is not None else None
        if statements is not None:
            out[i] = ParsedMigration(m, statements)
        else:
            todo.append((i, key))
    if progress is not None and len(todo) < len(migrations):
        progress(len(migrations) - len(todo))
    workers = _worker_count(len(todo), jobs)
    blobs = _parse_in_workers([migrations[i] for i, _ in todo], workers) if workers > 1 else None
    for n, (i, key) in enumerate(todo):
        m = migrations[i]
        blob = blobs[n] if blobs is not None else None
        if blob is not None:
            statements = pickle.loads(blob)
        else:  # sequential, or the worker failed on it: parse here (raises the real error)
            statements = parse_migration(m).statements
        out[i] = ParsedMigration(m, statements)
        if cache is not None and key is not None:
            cache.put(key, statements, blob=blob)
        if progress is not None:
            progress(1)
    return [pm for pm in out if pm is not None]


def _worker_count(files: int, jobs: int | None) -> int:
    """How many processes parse ``files`` uncached files (1: in this process)."""
    if jobs is None:
        if files <= PARALLEL_THRESHOLD:
            return 1
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        try:  # only the idle CPUs: on a saturated machine workers cost more than they save
            idle = int((cpus or 1) - os.getloadavg()[0] + 0.5)
        except OSError:
            idle = cpus or 1
        jobs = max(1, min(cpus or 1, idle))
    return max(1, min(jobs, files // 8 or 1))


def _parse_chunk(migrations: list[Migration]) -> list[bytes | None]:
    """Worker: parse each migration; its statements pickled, or None where parsing failed."""
    out: list[bytes | None] = []
    for m in migrations:
        try:
            statements = parse_migration(m).statements
            out.append(pickle.dumps(statements, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # re-parsed by the caller, in order, to raise the real error
            out.append(None)
    return out


def _parse_in_workers(migrations: list[Migration], workers: int) -> list[bytes | None] | None:
    """Parse in a process pool; None if no pool can be had (the caller parses sequentially)."""
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # fork shares the imported parser with the workers (no re-import per worker); it is only
    # safe while this process runs a single thread.
    methods = multiprocessing.get_all_start_methods()
    context = (
        multiprocessing.get_context("fork")
        if "fork" in methods and threading.active_count() == 1
        else None
    )
    chunks = max(workers * 4, 1)
    # round-robin spreads the large files over the chunks; results are put back in order
    groups = [migrations[c::chunks] for c in range(chunks)]
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(_parse_chunk, groups))
    except (OSError, BrokenProcessPool, pickle.PicklingError):
        return None
    blobs: list[bytes | None] = [None] * len(migrations)
    for c, result in enumerate(results):
        for j, blob in enumerate(result):
            blobs[c + j * chunks] = blob
    return blobs


def replay_sql(text: str, path: str = "<sql>", *, strict: bool = False) -> Replay:
    """Replay one SQL script (a ``pg_dump --schema-only`` file) in a single session."""
    from schemadiff.sql.parse import parse_statement
    from schemadiff.sql.replay import Replayer
    from schemadiff.sql.split import iter_split

    replayer = Replayer()
    st = MigrationStats()
    # Streamed, not listed: a large dump's statements and ops are not all held at once.
    statements = ((s, parse_statement(s.text)) for s in iter_split(text, path) if not s.meta)
    _replay_statements(replayer, statements, "", st, strict)
    return Replay(replayer.catalog, replayer.effects, replayer.diagnostics, {"": st})
