"""How a comparison gets its replays: the seam between the engine and the runtime wing.

A :class:`Loader` turns migrations into an :class:`Expected` (their replay, the replay of any
subset, inference's fact table) and a dump file into its replay. :class:`DirectLoader` does it
here and keeps nothing: the engine needs nothing else. The runtime wing
(``schemadiff.runtime.loader``) implements the same protocol with the parse cache and worker
processes; the engine never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from schemadiff.history import (
    ParsedMigration,
    Replay,
    ServerRun,
    parse_migration,
    recorded_run,
    replay_hybrid,
    replay_parsed,
    server_versions,
)
from schemadiff.migration import Migration

if TYPE_CHECKING:
    from schemadiff.differences import Scope
    from schemadiff.inference import FactTable

#: ``steps(label, total) -> advance(n)``: a long step's progress (a progress bar's ``step``).
Steps = Callable[[str, int], Callable[[int], None]]


@dataclass(slots=True)
class Expected:
    """The migrations, the replay of all of them, and what inference asks of them.

    ``parsed`` is filled when the migrations were parsed (a loaded replay has none until a
    subset asks: :meth:`parse` parses them then).
    """

    migrations: list[Migration]
    replay: Replay
    strict: bool = False
    parsed: list[ParsedMigration] | None = field(default=None, repr=False)

    def parse(self) -> list[ParsedMigration]:
        if self.parsed is None:
            self.parsed = [parse_migration(m) for m in self.migrations]
        return self.parsed

    def subset(self, indexes: Sequence[int]) -> Replay:
        """The replay of the migrations at ``indexes`` (in order)."""
        chosen = list(indexes)
        if chosen == list(range(len(self.migrations))):
            return self.replay
        parsed = self.parse()
        ran = server_versions(self.replay)
        if ran:  # a hybrid replay: what the server made of a migration, again
            return replay_hybrid([parsed[i] for i in chosen], recorded_run(self.replay), ran,
                                 strict=self.strict)
        return replay_parsed([parsed[i] for i in chosen], strict=self.strict)

    def facts(self, scope: Scope) -> FactTable:
        """Inference's expected side under ``scope``."""
        from schemadiff.differences import decided_only
        from schemadiff.inference import FactTable, version_index

        return FactTable.build(self.replay.effects, version_index(self.migrations),
                               decided_only(scope, self.replay.undecided),
                               self.replay.rewrites, self.replay.moves)


class Loader(Protocol):
    """What the pipeline asks for replays (see the module docstring)."""

    def detect(self, root: Path) -> dict[str, int]:
        """Every tool's ``detect`` score for the migration directory ``root``
        (:func:`schemadiff.tools.detect_scores`)."""
        ...

    def expected(
        self, migrations: list[Migration], *, strict: bool = False, steps: Steps | None = None
    ) -> Expected:
        """Parse and replay ``migrations`` in order (``steps`` shows the progress)."""
        ...

    def dump(self, path: str, text: str, data: bytes, *, strict: bool = False) -> Replay:
        """The replay of a dump file, given its text and bytes (read and checked already)."""
        ...

    def start_dump(self, path: str, text: str, data: bytes, *, strict: bool = False) -> None:
        """A hint that :meth:`dump` will be asked for this file: a loader may start on it now,
        while the migrations are read and replayed (one that does not, does nothing)."""
        ...

    def close(self) -> None:
        """Stop whatever :meth:`start_dump` started and :meth:`dump` did not collect (the
        comparison failed in between)."""
        ...

    def parse(self, migrations: list[Migration]) -> list[ParsedMigration]:
        """Every migration parsed, in order (nothing replayed)."""
        ...

    def hybrid(self, expected: Expected, run: ServerRun, candidates: set[str],
               server: str) -> Expected:
        """``expected`` again, the ``candidates`` it cannot model run by ``run``
        (:func:`~schemadiff.history.replay_hybrid`); ``server`` names the server (a cached
        result is only reused for the same one)."""
        ...


class DirectLoader:
    """The engine's own loader: parse and replay in this process, keep nothing."""

    def detect(self, root: Path) -> dict[str, int]:
        from schemadiff.tools import detect_scores

        return detect_scores(root)

    def expected(
        self, migrations: list[Migration], *, strict: bool = False, steps: Steps | None = None
    ) -> Expected:
        advance = steps("parsing and replaying migrations", len(migrations)) if steps else None
        parsed = [parse_migration(m) for m in migrations]
        replay = replay_parsed(parsed, strict=strict, progress=advance)
        return Expected(list(migrations), replay, strict, parsed)

    def dump(self, path: str, text: str, data: bytes, *, strict: bool = False) -> Replay:
        from schemadiff.history import replay_sql

        return replay_sql(text, path, strict=strict, effects=False)

    def start_dump(self, path: str, text: str, data: bytes, *, strict: bool = False) -> None:
        pass  # one process: the dump is replayed when asked

    def close(self) -> None:
        pass

    def parse(self, migrations: list[Migration]) -> list[ParsedMigration]:
        return [parse_migration(m) for m in migrations]

    def hybrid(self, expected: Expected, run: ServerRun, candidates: set[str],
               server: str) -> Expected:
        parsed = expected.parse()
        replay = replay_hybrid(parsed, run, candidates, strict=expected.strict)
        return Expected(list(expected.migrations), replay, expected.strict, parsed)
