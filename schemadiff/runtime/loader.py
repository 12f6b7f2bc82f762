"""The runtime's :class:`~schemadiff.loading.Loader`: replays through the parse cache, the
uncached files parsed in worker processes.

A run over inputs that have not changed loads the finished replays from the cache (see
:mod:`schemadiff.runtime.cache`) instead of parsing and replaying again, and so never imports
the parser at all; what it returns is exactly what :class:`~schemadiff.loading.DirectLoader`
would.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff.history import ParsedMigration, Replay, ServerRun, replay_hybrid, replay_parsed
from schemadiff.loading import Expected, Steps
from schemadiff.migration import Migration
from schemadiff.runtime.cache import (
    ParseCache,
    detect_key,
    dump_key,
    entry_key,
    facts_key,
    hybrid_key,
    replay_key,
    tree_stamp,
)

if TYPE_CHECKING:
    from schemadiff.differences import Scope
    from schemadiff.inference import FactTable


@dataclass(slots=True)
class CachedExpected(Expected):
    """:class:`~schemadiff.loading.Expected` whose parses, subsets and fact tables go through
    the cache."""

    cache: ParseCache | None = None
    keys: list[str] = field(default_factory=list)  # per migration
    key: str | None = None  # the whole replay's
    jobs: int | None = None

    def parse(self) -> list[ParsedMigration]:
        if self.parsed is None:
            from schemadiff.runtime.parallel import parse_all  # workers: not on a warm run

            self.parsed = list(parse_all(self.migrations, self.keys, self.cache, jobs=self.jobs))
        return self.parsed

    def subset(self, indexes: Sequence[int]) -> Replay:
        chosen = list(indexes)
        if (chosen == list(range(len(self.migrations))) or self.cache is None
                or any(st.server for st in self.replay.stats.values())):
            return Expected.subset(self, chosen)  # a hybrid replay's subsets: not cached
        key = replay_key(
            [self.keys[i] for i in chosen],
            [self.migrations[i].version + self.migrations[i].session for i in chosen],
            self.strict,
        )
        replay = self.cache.get(key, expect=Replay)
        if replay is None:
            parsed = self.parse()
            replay = replay_parsed([parsed[i] for i in chosen], strict=self.strict)
            self.cache.put(key, replay)
        return replay  # type: ignore[no-any-return]

    def facts(self, scope: Scope) -> FactTable:
        from schemadiff.inference import FactTable

        if self.cache is None or self.key is None:
            return Expected.facts(self, scope)
        key = facts_key(self.key, scope.spec)
        table = self.cache.get(key, expect=FactTable)
        if table is None:
            table = Expected.facts(self, scope)
            self.cache.put(key, table)
        return table  # type: ignore[no-any-return]


@dataclass(slots=True)
class CachedLoader:
    """Replays through ``cache`` (None: parse and replay everything, in workers when there
    are enough files); ``jobs`` as :func:`~schemadiff.runtime.parallel.worker_count`."""

    cache: ParseCache | None = None
    jobs: int | None = None
    #: the worker pool a dump went to (:meth:`start_dump`); the migrations' parsing borrows it
    _pool: Any = None
    #: the dumps it replays, by path and strictness: the future of the pickled replay
    _pending: dict[tuple[str, bool], Any] = field(default_factory=dict)

    def detect(self, root: Path) -> dict[str, int]:
        from schemadiff.tools import detect_scores

        cache = self.cache
        stamp = tree_stamp(root) if cache is not None else None
        if cache is None or stamp is None:
            return detect_scores(root)
        key = detect_key(os.path.abspath(root), stamp)
        scores = cache.get(key, expect=dict)
        if scores is None:
            scores = detect_scores(root)
            cache.put(key, scores)
        return scores  # type: ignore[no-any-return]

    def expected(
        self, migrations: list[Migration], *, strict: bool = False, steps: Steps | None = None
    ) -> CachedExpected:
        cache = self.cache
        keys = [entry_key(m.path, m.sql) for m in migrations] if cache is not None else []
        key = (replay_key(keys, [m.version + m.session for m in migrations], strict)
               if keys else None)
        replay = cache.get(key, expect=Replay) if cache is not None and key else None
        expected = CachedExpected(list(migrations), replay, strict, None, cache, keys, key,  # type: ignore[arg-type]
                                  self.jobs)
        if replay is not None:
            return expected
        from schemadiff.runtime.parallel import parse_all  # workers: not on a warm run

        advance = steps("parsing and replaying migrations", len(migrations)) if steps else None
        parsed: list[ParsedMigration] = []

        def collect() -> Iterator[ParsedMigration]:  # replayed as each one comes
            for pm in parse_all(migrations, keys or [None] * len(migrations), cache,
                                jobs=self.jobs, pool=self._pool):
                parsed.append(pm)
                yield pm

        expected.replay = replay_parsed(collect(), strict=strict, progress=advance)
        expected.parsed = parsed
        if cache is not None and key is not None:
            cache.put(key, expected.replay)
        return expected

    def parse(self, migrations: list[Migration]) -> list[ParsedMigration]:
        from schemadiff.runtime.parallel import parse_all

        keys = [entry_key(m.path, m.sql) for m in migrations] if self.cache is not None else []
        return list(parse_all(migrations, keys or [None] * len(migrations), self.cache,
                              jobs=self.jobs))

    def hybrid(self, expected: Expected, run: ServerRun, candidates: set[str],
               server: str) -> CachedExpected:
        """As :meth:`DirectLoader.hybrid <schemadiff.loading.DirectLoader.hybrid>`, the result
        cached by the migrations' content and the server (a warm run starts no server)."""
        cache = self.cache
        keys = getattr(expected, "keys", None) or (
            [entry_key(m.path, m.sql) for m in expected.migrations] if cache is not None else [])
        base = getattr(expected, "key", None)
        key = None
        if cache is not None and base:  # strict: a result with unmodeled statements raises
            key = hybrid_key(base, f"{server}\0{int(expected.strict)}")
        replay = cache.get(key, expect=Replay) if cache is not None and key else None
        result = CachedExpected(list(expected.migrations), replay, expected.strict,  # type: ignore[arg-type]
                                expected.parsed, cache, keys, key, self.jobs)
        if replay is None:
            result.replay = replay_hybrid(result.parse(), run, candidates,
                                          strict=expected.strict)
            if cache is not None and key is not None and not result.replay.diagnostics:
                cache.put(key, result.replay)  # a server that failed is asked again next time
        return result

    def start_dump(self, path: str, text: str, data: bytes, *, strict: bool = False) -> None:
        """A large dump the cache lacks is replayed by a forked worker from now on, beside the
        migrations' reading, parsing and replay in this process; :meth:`dump` takes it."""
        cache = self.cache
        key = dump_key(path, data, strict) if cache is not None else None
        if self._pool is not None or (cache is not None and cache.has(key)):
            return
        from schemadiff.runtime.parallel import start_dump  # workers: not on a warm run

        started = start_dump(path, text, strict, key, cache, self.jobs)
        if started is not None:
            self._pool, self._pending[(path, strict)] = started

    def dump(self, path: str, text: str, data: bytes, *, strict: bool = False) -> Replay:
        from schemadiff.history import replay_sql

        cache = self.cache
        key = dump_key(path, data, strict) if cache is not None else None
        pending = self._pending.pop((path, strict), None)
        if pending is not None:
            replay = _worker_replay(pending)
            pool, self._pool = self._pool, None
            if pool is not None:  # idle: the migrations' chunks are all taken by now
                pool.shutdown(wait=True, cancel_futures=True)
            if replay is not None:
                return replay
        replay = cache.get(key, expect=Replay) if cache is not None and key else None
        if replay is None:
            replay = replay_sql(text, path, strict=strict, effects=False)
            if cache is not None and key is not None:
                cache.put(key, replay)
        return replay  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the dump's workers at once, whatever they are doing: a run that failed before
        it asked for the dump does not wait for its replay (nor exits only after it)."""
        pool, self._pool = self._pool, None
        self._pending.clear()
        if pool is None:
            return
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()  # (ProcessPoolExecutor has no public way before 3.14)
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_replay(future: Any) -> Replay | None:
    """A dump worker's replay; None when it failed (the caller replays here, raising the
    error in its place)."""
    try:
        replay = pickle.loads(future.result())
    except Exception:
        replay = None
    return replay if isinstance(replay, Replay) else None
