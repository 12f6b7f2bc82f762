"""A command's two schemas, read through the cache: the migrations' replay and the dump's.

A run over inputs that have not changed since the last run loads the finished replays from
the cache (see :mod:`schemadiff.cache`) instead of parsing and replaying again, and so never
imports the parser (sqlglot) at all. What it returns is exactly what the uncached functions
(:func:`~schemadiff.history.replay_parsed`, :func:`~schemadiff.sources.dump.read_dump`) would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff.migration import Migration

if TYPE_CHECKING:
    from schemadiff.cache import ParseCache
    from schemadiff.diff import Scope
    from schemadiff.history import ParsedMigration, Replay
    from schemadiff.infer import FactTable
    from schemadiff.workers import Call, Workers

Progress = Callable[[int], None]
Steps = Callable[[str, int], Progress]  # ProgressBar.step: (label, total) -> advance


@dataclass(slots=True)
class Expected:
    """The migrations, the replay of all of them, and replays of any subset on demand."""

    migrations: list[Migration]
    replay: Replay
    strict: bool
    cache: ParseCache | None
    parse_keys: list[str] = field(default_factory=list)  # per migration (with a cache)
    key: str | None = None  # the replay's cache key (with a cache)
    _parsed: list[ParsedMigration] | None = None

    @property
    def parsed(self) -> list[ParsedMigration]:
        """Every migration parsed (from the parse cache where it has them)."""
        if self._parsed is None:
            from schemadiff.history import parse_migrations

            self._parsed = parse_migrations(self.migrations, cache=self.cache)
        return self._parsed

    def subset(self, indexes: Sequence[int]) -> Replay:
        """The replay of the migrations at ``indexes`` (in order), cached like the full one."""
        from schemadiff.history import replay_parsed

        chosen = list(indexes)
        if chosen == list(range(len(self.migrations))):
            return self.replay
        key = None
        if self.cache is not None:
            key = _replay_key(
                [self.parse_keys[i] for i in chosen],
                [self.migrations[i] for i in chosen],
                self.strict,
                self.cache,
            )
        replay = _get(self.cache, key)
        if replay is None:
            replay = replay_parsed([self.parsed[i] for i in chosen], strict=self.strict)
            _put(self.cache, key, replay)
        return replay


def load_expected(
    migrations: list[Migration],
    *,
    strict: bool = False,
    cache: ParseCache | None = None,
    progress: Steps | None = None,
) -> Expected:
    """Parse (through the parse cache) and replay the migrations, or load their replay.

    ``progress`` (``ProgressBar.step``) is told about the parsing and replaying steps.

    Raises:
        ParseError: as :func:`~schemadiff.history.parse_migrations` and, with ``strict``,
            :func:`~schemadiff.history.replay_parsed` would.
    """
    with PendingExpected(migrations, strict=strict, cache=cache, progress=progress) as pending:
        return pending.finish()


class PendingExpected:
    """:func:`load_expected` in two halves: made, it has started the parse workers (if the
    replay is not cached); :meth:`finish` replays each migration as the workers hand it back.
    Between the two the caller reads the other schema. Use it as a context manager (it stops
    the workers if :meth:`finish` is never reached).

    Given a ``dump`` (a :class:`PendingDump`, made first), :meth:`finish_with_dump` gives both
    replays: when a worker parses the dump, this process parses and replays the first
    migrations meanwhile, and the workers take chunks of them once it is done (see
    :mod:`~schemadiff.parallel`). ``jobs`` is :class:`~schemadiff.parallel.ParseStream`'s
    (None chooses).
    """

    def __init__(
        self,
        migrations: list[Migration],
        *,
        strict: bool = False,
        cache: ParseCache | None = None,
        progress: Steps | None = None,
        dump: PendingDump | None = None,
        jobs: int | None = None,
    ) -> None:
        keys: list[str] = []
        if cache is not None:
            from schemadiff.cache import entry_key

            keys = [entry_key(m.path, m.sql) for m in migrations]
        key = _replay_key(keys, migrations, strict, cache)
        self.progress = progress
        replay = _get(cache, key)
        self.expected = Expected(list(migrations), replay, strict, cache, keys, key)  # type: ignore[arg-type]
        self.stream: Any = None
        self._dump = dump
        if replay is None:
            from schemadiff.parallel import ParseStream

            workers = dump.workers if dump is not None else None
            self.stream = ParseStream(
                migrations, cache=cache, keys=keys or None, jobs=jobs, workers=workers
            )

    def finish(self) -> Expected:
        expected = self.expected
        if self.stream is None:
            return expected
        from schemadiff.history import replay_parsed

        n = len(expected.migrations)
        replaying = self.progress("parsing and replaying migrations", n) if self.progress else None
        parsed: list[ParsedMigration] = []

        def collect() -> Iterator[ParsedMigration]:
            for pm in self.stream:
                parsed.append(pm)
                yield pm

        expected.replay = replay_parsed(collect(), strict=expected.strict, progress=replaying)
        expected._parsed = parsed
        self.stream = None
        if expected.cache is not None and expected.key is not None:
            expected.cache.put_behind(expected.key, expected.replay)  # a fork pickles it
        return expected

    def finish_with_dump(self) -> tuple[Expected, Replay]:
        """:meth:`finish`, and the replay of the ``dump`` given when this was made."""
        dump = self._dump
        if dump is None:
            raise TypeError("PendingExpected was made without a dump")
        if dump.leading:  # a worker has it: the migrations here meanwhile
            expected = self.finish()
            return expected, dump.result()
        actual = dump.result()  # read here while any workers parse the migrations
        return self.finish(), actual

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None

    def __enter__(self) -> PendingExpected:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class PendingDump:
    """A dump file read and checked when made (its errors come first); its replay comes from
    the cache, from a worker forked at once (a large dump; :func:`~schemadiff.parallel.lead_workers`
    decides) while the caller reads and parses the migrations, or from this process.

    The worker is handed to :class:`PendingExpected` for the migrations once the worker
    is done with the dump. Use it as a context manager: it stops the workers.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        strict: bool = False,
        cache: ParseCache | None = None,
        jobs: int | None = None,
    ) -> None:
        from schemadiff.sources.dump import read_dump_text

        self.path = str(path)
        self.strict = strict
        self.cache = cache
        self.text, data = read_dump_text(path)  # a missing or binary file fails here, first
        self.key: str | None = None
        if cache is not None:
            from schemadiff.cache import dump_key

            self.key = dump_key(self.path, data, strict)
        self.replay = _get(cache, self.key)
        if self.replay is not None and cache is not None:
            cache.mark_dump_seen(self.path)  # the next run forks no worker for it
        self.workers: Workers | None = None
        self._call: Call | None = None
        if self.replay is None:
            from schemadiff.parallel import lead_workers, start_workers

            self.workers = start_workers(lead_workers(len(data), jobs))
            if self.workers is not None:
                self._start(self.workers)

    def _start(self, workers: Workers) -> None:
        cache = self.cache
        root = str(cache.root) if cache is not None and self.key is not None else None
        read_only = cache.read_only if cache is not None else True
        args = (self.text, self.path, self.strict, self.key, root, read_only)
        try:
            self._call = workers.call(_replay_dump, *args)
        except (OSError, RuntimeError):
            self.close()

    @property
    def leading(self) -> bool:
        """A worker parses (or has parsed) the dump."""
        return self._call is not None

    def result(self) -> Replay:
        """The dump's replay: the cache's, the worker's (waiting for it), else read here (a
        worker that failed, on a strict error say, has the same error met and raised here)."""
        call, self._call = self._call, None
        if call is not None:
            from schemadiff.workers import WorkerFailed

            try:
                blob, wrote = call.result()
            except WorkerFailed:
                blob = None
            finally:
                self.close()
            if blob is not None:
                import pickle

                self.replay = pickle.loads(blob)
                if wrote and self.cache is not None:
                    self.cache.stats.writes += 1
                    self.cache.mark_dump_seen(self.path)
        if self.replay is None:
            from schemadiff.history import replay_sql

            self.replay = replay_sql(self.text, self.path, strict=self.strict, effects=False)
            if self.cache is not None and self.key is not None:
                self.cache.put(self.key, self.replay)
                self.cache.mark_dump_seen(self.path)
        return self.replay

    def close(self) -> None:
        """End the workers (a running task is waited for); idempotent."""
        workers, self.workers = self.workers, None
        if workers is not None:
            workers.close()

    def __enter__(self) -> PendingDump:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _replay_dump(
    text: str, path: str, strict: bool, key: str | None, root: str | None, read_only: bool
) -> tuple[bytes, bool]:
    """Worker: replay a dump, store it in the cache and hand it back, pickled once for both;
    (the pickle, whether the cache took it)."""
    import pickle

    from schemadiff.cache import ParseCache
    from schemadiff.history import replay_sql

    replay = replay_sql(text, path, strict=strict, effects=False)
    blob = pickle.dumps(replay, protocol=pickle.HIGHEST_PROTOCOL)
    wrote = False
    if root is not None and key is not None:
        wrote = ParseCache(root, read_only=read_only).put_pickled(key, blob)
    return blob, wrote


def load_fact_table(expected: Expected, scope: Scope) -> FactTable:
    """Inference's expected side for these migrations under ``scope``, built or cached."""
    from schemadiff.infer import FactTable, version_index

    key = None
    if expected.cache is not None and expected.key is not None:
        from schemadiff.cache import facts_key

        key = facts_key(expected.key, scope.spec)
        table = expected.cache.get(key, expect=FactTable)
        if table is not None:
            return table  # type: ignore[no-any-return]
    table = FactTable.build(expected.replay.effects, version_index(expected.migrations), scope)
    if expected.cache is not None and key is not None:
        expected.cache.put(key, table)
    return table


def load_dump(path: str | Path, *, strict: bool = False, cache: ParseCache | None = None) -> Replay:
    """:func:`~schemadiff.sources.dump.read_dump`, or its cached result for the same bytes."""
    with PendingDump(path, strict=strict, cache=cache, jobs=1) as pending:
        return pending.result()


def _replay_key(
    parse_keys: list[str], migrations: Sequence[Migration], strict: bool, cache: ParseCache | None
) -> str | None:
    if cache is None:
        return None
    from schemadiff.cache import replay_key

    return replay_key(parse_keys, [m.version for m in migrations], strict)


def _get(cache: ParseCache | None, key: str | None) -> Replay | None:
    if cache is None or key is None:
        return None
    from schemadiff.history import Replay

    return cache.get(key, expect=Replay)  # type: ignore[no-any-return]


def _put(cache: ParseCache | None, key: str | None, replay: Replay) -> None:
    if cache is not None and key is not None:
        cache.put(key, replay)
