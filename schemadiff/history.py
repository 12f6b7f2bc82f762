"""Replay SQL into a catalog: a migration history, or any SQL script (a pg_dump file).

This is the pure entry into the engine: text in, :class:`Replay` out. Reading files and
choosing a tool happen at the edges (``tools``, ``sources``, ``cli``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from schemadiff.errors import Diagnostic, ParseError
from schemadiff.migration import Migration
from schemadiff.model import Catalog, Effect
from schemadiff.sql import ops
from schemadiff.sql.parse import parse_statement
from schemadiff.sql.replay import Replayer
from schemadiff.sql.split import Statement, split


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
    effects: list[Effect]
    diagnostics: list[Diagnostic]
    stats: dict[str, MigrationStats] = field(default_factory=dict)
    migrations: list[Migration] = field(default_factory=list)


@dataclass(slots=True)
class ParsedMigration:
    """A migration split and parsed once, ready to be replayed any number of times."""

    migration: Migration
    statements: list[tuple[Statement, ops.Op]]


def parse_migration(m: Migration) -> ParsedMigration:
    """Split and parse one migration (raises ParseError on an unterminated quote)."""
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


def replay_parsed(parsed: list[ParsedMigration], *, strict: bool = False) -> Replay:
    """Replay already-parsed migrations in order."""
    replayer = Replayer()
    stats: dict[str, MigrationStats] = {}
    for pm in parsed:
        st = stats.setdefault(pm.migration.version, MigrationStats())
        replayer.reset_search_path()
        _replay_statements(replayer, pm.statements, pm.migration.version, st, strict)
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


def replay_sql(text: str, path: str = "<sql>", *, strict: bool = False) -> Replay:
    """Replay one SQL script (a ``pg_dump --schema-only`` file) in a single session."""
    replayer = Replayer()
    st = MigrationStats()
    statements = [(s, parse_statement(s.text)) for s in split(text, path) if not s.meta]
    _replay_statements(replayer, statements, "", st, strict)
    return Replay(replayer.catalog, replayer.effects, replayer.diagnostics, {"": st})
