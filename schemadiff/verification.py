"""``schemadiff verify``: the static replay checked against PostgreSQL, migration by migration.

Pure comparison logic (no I/O): the static replay's catalog after every migration
(:func:`static_snapshots`, one replay, a snapshot per migration) is compared with the shadow
database's catalog after the same migration (fed in by ``sources.shadow`` through
:meth:`Comparison.observe`). The first migration after which they differ is where the model and
PostgreSQL part; everything after it inherits the difference, so the comparison stops there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemadiff.differences import Difference, diff_catalogs
from schemadiff.errors import Diagnostic
from schemadiff.history import ParsedMigration, Replay
from schemadiff.migration import Migration
from schemadiff.model import Catalog


@dataclass(slots=True)
class Snapshots:
    """The static replay, and its catalog after each migration.

    Attributes:
        replay: the replay of every migration (as ``history.replay_parsed`` gives it).
        catalogs: ``catalogs[i]``: the schema after migrations ``0..i``.
        effects_end: ``effects_end[i]``: how many of ``replay.effects`` migrations ``0..i`` made.
        diagnostics_end: the same for ``replay.diagnostics`` (unmodeled statements).
    """

    replay: Replay
    catalogs: list[Catalog]
    effects_end: list[int]
    diagnostics_end: list[int]


def static_snapshots(parsed: list[ParsedMigration]) -> Snapshots:
    """Replay ``parsed`` once, keeping a copy of the catalog after every migration.

    Objects are immutable, so a snapshot is a shallow copy of the key -> object mapping.
    """
    from schemadiff.sql.replay import Replayer  # the parser and sqlglot: only when verifying
    replayer = Replayer()
    catalogs: list[Catalog] = []
    effects_end: list[int] = []
    diagnostics_end: list[int] = []
    for pm in parsed:
        replayer.reset_search_path(pm.migration.search_path, pm.migration.tool_schemas)
        version = pm.migration.version
        for stmt, op in pm.statements:
            replayer.apply(op, version, stmt.location, stmt.text)
        catalogs.append(Catalog(dict(replayer.catalog.objects)))
        effects_end.append(len(replayer.effects))
        diagnostics_end.append(len(replayer.diagnostics))
    replay = Replay(
        replayer.catalog,
        replayer.effects,
        replayer.diagnostics,
        migrations=[pm.migration for pm in parsed],
    )
    return Snapshots(replay, catalogs, effects_end, diagnostics_end)


@dataclass(slots=True)
class Divergence:
    """The first migration after which the static replay and the shadow differ.

    Attributes:
        position: 0-based position of the migration in apply order.
        migration: the migration.
        differences: expected = static replay, actual = shadow database.
        unmodeled: statements of this migration the static replay could not model (often why).
    """

    position: int
    migration: Migration
    differences: list[Difference]
    unmodeled: list[Diagnostic]


@dataclass(slots=True)
class Comparison:
    """Compares the shadow's catalogs, as they come, with the static snapshots."""

    snapshots: Snapshots
    compared: int = 0
    divergence: Divergence | None = None
    shadow_diagnostics: list[Diagnostic] = field(default_factory=list)

    def observe(self, position: int, migration: Migration, shadow: Catalog) -> bool:
        """Compare after migration ``position``; True (stop) at the first difference."""
        snaps = self.snapshots
        effects = snaps.replay.effects[: snaps.effects_end[position]]
        diffs = diff_catalogs(snaps.catalogs[position], shadow, effects)
        self.compared = position + 1
        if not diffs:
            return False
        start = snaps.diagnostics_end[position - 1] if position else 0
        unmodeled = snaps.replay.diagnostics[start : snaps.diagnostics_end[position]]
        self.divergence = Divergence(position, migration, diffs, list(unmodeled))
        return True

    @property
    def agree(self) -> bool:
        """Whether every migration compared equal."""
        return self.divergence is None and self.compared == len(self.snapshots.catalogs)


# ------------------------------------------------------------------------------ renderings


@dataclass(slots=True)
class Verification:
    """``verify``'s answer: the comparison, for which tool, against which shadow, how long."""

    comparison: Comparison
    tool: str
    shadow: str  # described for people, no password
    timings: dict[str, float] = field(default_factory=dict)  # seconds: static, shadow
