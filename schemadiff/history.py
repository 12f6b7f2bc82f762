"""Replay SQL into a catalog: a migration history, or any SQL script (a pg_dump file).

This is the pure entry into the engine: text in, :class:`Replay` out. Reading files and
choosing a tool happen at the edges (``tools``, ``sources``, ``cli``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from schemadiff.errors import Diagnostic, ParseError
from schemadiff.migration import Migration
from schemadiff.model import Catalog, Effect, Key, Move
from schemadiff.uncertain import UNDECIDED_GUARD

# The parser and the replayer (and with them sqlglot) are imported by the functions that use
# them: unpickling a cached Replay needs this module's classes, not the engine.
if TYPE_CHECKING:
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
    rerunnable: bool = True  # every statement can run again without error (sql.ops.rerunnable)
    server: bool = False  # its effects are what a scratch server made of it (hybrid replay)


@dataclass(slots=True)
class Replay:
    """The result of a replay: the catalog, its provenance and what could not be modelled."""

    catalog: Catalog
    effects: Sequence[Effect]
    diagnostics: list[Diagnostic]
    stats: dict[str, MigrationStats] = field(default_factory=dict)
    migrations: list[Migration] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)  # what a scratch server said
    #: objects DDL the schema cannot say ran touched (a DO block's IF on a table's rows):
    #: neither evidence for inference nor drift
    undecided: frozenset[Key] = frozenset()
    #: statements that set something to the value it already had (an ``IF NOT EXISTS`` of
    #: what exists, the same ``CREATE OR REPLACE`` again): not changes, so not ``effects``;
    #: inference counts them as setters, since without the earlier ones they set it
    rewrites: Sequence[Effect] = ()
    #: objects statements renamed or moved (see :class:`~schemadiff.model.Move`)
    moves: Sequence[Move] = ()


@dataclass(slots=True)
class ServerResult:
    """One migration as a scratch server ran it (the hybrid replay's I/O, done elsewhere).

    Attributes:
        effects: what it changed, as :class:`~schemadiff.model.Effect` values whose
            ``index`` counts from 0 within the migration.
        after: the catalog the server read after it (the objects the effects touch).
        notes: what the server said (an extension it lacks...).
    """

    effects: list[Effect]
    after: Catalog
    notes: list[Diagnostic] = field(default_factory=list)


#: Runs one migration in a scratch database seeded with the catalog before it; None: it
#: could not be run there (the static replay's result stands).
ServerRun = Callable[[Catalog, Migration], "ServerResult | None"]


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
        stats.rerunnable = stats.rerunnable and ops.rerunnable(op)
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
    parsed: Iterable[ParsedMigration],
    *,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Replay:
    """Replay already-parsed migrations in order (``progress(1)`` after each one).

    ``parsed`` may be a stream (the runtime's parallel parse): each migration is replayed as
    it arrives.
    """
    from schemadiff.sql.replay import Replayer

    replayer = Replayer()
    stats: dict[str, MigrationStats] = {}
    migrations: list[Migration] = []
    for pm in parsed:
        migrations.append(pm.migration)
        st = stats.setdefault(pm.migration.version, MigrationStats())
        replayer.reset_search_path(pm.migration.search_path, pm.migration.tool_schemas)
        _replay_statements(replayer, pm.statements, pm.migration.version, st, strict)
        if progress is not None:
            progress(1)
    return Replay(replayer.catalog, replayer.effects, replayer.diagnostics, stats, migrations,
                  undecided=frozenset(replayer.undecided), rewrites=replayer.rewrites,
                  moves=replayer.moves)


def replay_hybrid(
    parsed: Iterable[ParsedMigration],
    run: ServerRun,
    candidates: set[str],
    *,
    strict: bool = False,
) -> Replay:
    """Replay statically, but run on a scratch server each migration of ``candidates``
    (versions) whose statements the static replay cannot all model.

    Such a migration's static effects are dropped; the server's (what it made of the
    migration, applied to the static state before it) are recorded in their place, and the
    static replay goes on from there: a later statement on an object a ``DO`` block made is
    modelled again. A migration of ``candidates`` that replays cleanly (its unmodeled
    statements were cascades of an earlier one) is never sent to the server.

    ``strict``: a statement that stays unmodeled (the server could not run its migration, or
    it is not a candidate) raises :class:`~schemadiff.errors.ParseError`.
    """
    from schemadiff.sql.replay import Replayer

    replayer = Replayer()
    stats: dict[str, MigrationStats] = {}
    migrations: list[Migration] = []
    notes: list[Diagnostic] = []
    for pm in parsed:
        m = pm.migration
        migrations.append(m)
        st = stats.setdefault(m.version, MigrationStats())
        replayer.reset_search_path(m.search_path, m.tool_schemas)
        state = replayer.snapshot() if m.version in candidates and not m.opaque else None
        diagnostics = len(replayer.diagnostics)
        _replay_statements(replayer, pm.statements, m.version, st, strict and state is None)
        if state is None or not st.unmodeled:
            continue
        if all(UNDECIDED_GUARD in d.message for d in replayer.diagnostics[diagnostics:]):
            continue  # the data decides those, not a server's empty tables
        result = run(state[0], m)
        if result is None:
            if strict:
                d = replayer.diagnostics[diagnostics]
                raise ParseError(d.message, d.location)
            continue
        replayer.restore(state)
        replayer.adopt(result.effects, result.after, len(pm.statements))
        st.schema, st.unmodeled, st.server = st.schema + st.unmodeled, 0, True
        notes += result.notes
    return Replay(replayer.catalog, replayer.effects, replayer.diagnostics, stats, migrations,
                  notes, frozenset(replayer.undecided), replayer.rewrites, replayer.moves)


def server_versions(replay: Replay) -> set[str]:
    """The migrations a hybrid replay took from a scratch server."""
    return {v for v, st in replay.stats.items() if st.server}


def recorded_run(replay: Replay) -> ServerRun:
    """A :data:`ServerRun` that gives each migration a scratch server ran in ``replay`` the
    effects recorded there, applied to the catalog it is given: the replay of a subset of the
    migrations (inference's) without a server again."""
    import dataclasses

    ran = server_versions(replay)
    by_version: dict[str, list[Effect]] = {}
    for e in replay.effects:
        if e.migration in ran:
            by_version.setdefault(e.migration, []).append(e)

    def run(catalog: Catalog, m: Migration) -> ServerResult | None:
        if m.version not in ran:
            return None
        effects = by_version.get(m.version, [])
        base = min((e.index for e in effects), default=0)
        after = Catalog(dict(catalog.objects))
        out: list[Effect] = []
        for e in effects:
            current = after.objects.get(e.key)
            if e.attribute == "*":
                new = e.after
            elif current is None:
                continue
            else:
                new = dataclasses.replace(current, **{e.attribute: e.after})
            if new is None:
                after.objects.pop(e.key, None)
            else:
                after.objects[e.key] = new
            out.append(dataclasses.replace(e, index=e.index - base))
        return ServerResult(out, after)

    return run


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


def replay_sql(
    text: str, path: str = "<sql>", *, strict: bool = False, effects: bool = True
) -> Replay:
    """Replay one SQL script (a ``pg_dump --schema-only`` file) in a single session.

    ``effects=False`` leaves the effect log empty: a dump is compared by its catalog, and
    the log would cost a tenth of its replay and most of its cache entry.
    """
    from schemadiff.sql.parse import parse_statement
    from schemadiff.sql.replay import Replayer
    from schemadiff.sql.split import iter_split

    replayer = Replayer(record_effects=effects)
    st = MigrationStats()
    # Streamed, not listed: a large dump's statements and ops are not all held at once.
    statements = ((s, parse_statement(s.text)) for s in iter_split(text, path) if not s.meta)
    _replay_statements(replayer, statements, "", st, strict)
    return Replay(replayer.catalog, replayer.effects, replayer.diagnostics, {"": st},
                  rewrites=replayer.rewrites, moves=replayer.moves)
