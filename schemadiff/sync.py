"""Repair a migration tool's history: the SQL that makes its table agree with the schema.

:func:`render_sync` turns an inference result (the versions applied but not recorded, and
optionally recorded versions to prune) into a script in the tool's own row format. Each tool
module (``schemadiff.tools.<tool>``) owns its format through a ``render_sync`` function; this
module holds what they share: the :class:`SyncScript` value, safe SQL literals and identifiers,
the header comment and the transaction frame.

Every script is meant for ``psql -v ON_ERROR_STOP=1 -f``: one transaction (``BEGIN`` ...
``COMMIT``), idempotent (each row is inserted by ``INSERT ... SELECT ... WHERE NOT EXISTS``, so a
second run changes nothing), every literal quoted here. The module is pure: no database, no
files; checksums come from :attr:`Migration.checksum`, which the readers compute from the
files' exact bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import field

from schemadiff.errors import SchemaDiffError
from schemadiff.frozen import record
from schemadiff.migration import Migration
from schemadiff.recorded import Recorded

__all__ = [
    "STYLES",
    "SyncContext",
    "SyncError",
    "SyncScript",
    "comment_text",
    "frame",
    "header",
    "identifier",
    "literal",
    "qualified",
    "render_sync",
]

#: ``--style`` values: ``script`` (every tool) and ``migration`` (goose).
STYLES = ("script", "migration")

# Identifiers that can stay unquoted: lowercase, not starting with a digit, no keyword we might
# meet as a table or schema name (the tools' own names are plain words).
_PLAIN_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_KEYWORDS = frozenset(
    {"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "both", "case", "cast",
     "check", "collate", "column", "constraint", "create", "current_user", "default",
     "desc", "distinct", "do", "else", "end", "except", "false", "for", "foreign", "from",
     "grant", "group", "having", "in", "into", "is", "join", "leading", "limit", "not", "null",
     "offset", "on", "only", "or", "order", "primary", "references", "select", "session_user",
     "table", "then", "to", "true", "union", "unique", "user", "using", "when", "where",
     "window", "with"}
)
_COMMENT_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


class SyncError(SchemaDiffError):
    """A sync that cannot be written as asked (the message says why and what to do instead)."""


@record
class SyncScript:
    """A generated repair of a tool's history table.

    Attributes:
        tool: the ``--tool`` name.
        style: ``script`` (run it with ``psql -v ON_ERROR_STOP=1 -f``) or ``migration`` (a
            migration file for the tool itself to run; goose only).
        text: the SQL (script style) or the migration file's content.
        filename: for ``migration`` style, the file name to write into the migration
            directory (``20251223999999_schemadiff_sync.sql``); None for scripts.
        version: for ``migration`` style, the sync migration's own version.
        commands: what to run afterwards, in order (goose: ``up-to <sync version>`` then
            ``up``); empty when the script is the whole repair.
        warnings: what the tool will still object to after the repair (a genuinely pending
            migration below the new highest version, ...), one sentence each.
        inserted: the versions the script records, in order.
        pruned: the versions the script deletes.
        equivalent: the tool's own commands that make the same repair instead of the
            script (``alembic stamp <heads>``, Django's ``migrate <app> <name> --fake``).
    """

    tool: str
    style: str
    text: str
    filename: str | None = None
    version: str | None = None
    commands: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    inserted: tuple[str, ...] = ()
    pruned: tuple[str, ...] = ()
    equivalent: tuple[str, ...] = ()


@record
class SyncContext:
    """Everything a tool's ``render_sync`` needs, already checked by :func:`render_sync`.

    Attributes:
        tool: the ``--tool`` name.
        missing: migrations to record, in the tool's order (no duplicates).
        recorded: the history as read (tells whether the table exists, which rows failed).
        prune: versions to delete from the history (``recorded_not_applied`` when asked).
        migrations: every migration of the directory, in the tool's order; may be empty when
            the caller does not have them (then no warning about pending migrations is given).
        table: ``(schema or "", name)`` of the history table; ``""`` = unqualified, found
            through ``search_path`` as the tool itself finds it.
        style: ``script`` or ``migration``.
        origin: where the inference came from, for the header (``"infer --dsn ... --tool
            goose"``); may be empty.
        notes: extra header lines a tool's ``render_sync`` adds before framing the script.
    """

    tool: str
    missing: tuple[Migration, ...]
    recorded: Recorded
    prune: tuple[str, ...] = ()
    migrations: tuple[Migration, ...] = ()
    table: tuple[str, str] = ("", "")
    style: str = "script"
    origin: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> set[str]:
        """Versions the history records as failed (``success = false`` and the like)."""
        return {v.version for v in self.recorded.versions if not v.success}

    @property
    def applied_after(self) -> set[str]:
        """Versions recorded as applied once the sync has run (pruned ones removed, missing
        ones added)."""
        kept = set(self.recorded.applied) - set(self.prune)
        return kept | {m.version for m in self.missing}

    @property
    def pending_after(self) -> list[Migration]:
        """Migrations of the directory still unrecorded once the sync has run, in order."""
        done = self.applied_after
        return [m for m in self.migrations if m.version not in done]


def literal(value: str | int | bool | None) -> str:
    """``value`` as a SQL literal safe in any session.

    Strings become ``'...'`` with quotes doubled, or ``E'...'`` with backslashes doubled too
    when they hold a backslash, so the result reads the same whether
    ``standard_conforming_strings`` is on or off. psql never interpolates variables inside a
    quoted literal, so ``:name`` in a description is inert.

    Raises:
        SyncError: a string holding a NUL character (PostgreSQL cannot store one in text).
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if "\x00" in value:
        raise SyncError(f"cannot write a NUL character into a SQL literal: {value!r}")
    quoted = value.replace("'", "''")
    if "\\" in value:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return "'" + quoted + "'"


def identifier(name: str) -> str:
    """``name`` as a SQL identifier: bare when it is a plain lowercase word, else quoted."""
    if _PLAIN_IDENT.match(name) and name not in _KEYWORDS:
        return name
    if "\x00" in name:
        raise SyncError(f"cannot write a NUL character into an identifier: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def qualified(table: tuple[str, str]) -> str:
    """``schema.name`` (or ``name`` alone when the schema is ``""``), each part quoted."""
    schema, name = table
    return f"{identifier(schema)}.{identifier(name)}" if schema else identifier(name)


def comment_text(text: str) -> str:
    """``text`` made safe inside a ``--`` comment: line breaks and control characters become
    spaces, so nothing after them can escape the comment."""
    return _COMMENT_UNSAFE.sub(" ", text)


def header(ctx: SyncContext, what: str) -> list[str]:
    """The header comment lines of a script (``-- ...``)."""
    lines = [
        f"schemadiff sync for {ctx.tool}: {what}",
        f"history table: {qualified(ctx.table)}"
        + ("" if ctx.recorded.table_exists else " (absent: created here as the tool creates it)"),
    ]
    if ctx.origin:
        lines.append(f"from: {ctx.origin}")
    lines.append(
        f"recorded before: {len(ctx.recorded.applied)} applied version(s) "
        f"(read from {ctx.recorded.source})"
    )
    lines.append(f"records {len(ctx.missing)} version(s) applied but missing from the history"
                 + (":" if ctx.missing else "."))
    lines += [f"  {m.version} {m.description}".rstrip() for m in ctx.missing]
    if ctx.prune:
        lines.append(f"deletes {len(ctx.prune)} recorded version(s) the schema shows as not "
                     "applied (--prune):")
        lines += [f"  {v}" for v in ctx.prune]
    lines += ctx.notes
    return ["-- " + comment_text(line) if line else "--" for line in lines]


def frame(ctx: SyncContext, what: str, body: Iterable[str]) -> str:
    """A psql script: the header, then ``BEGIN;``, ``body``, ``COMMIT;``.

    Args:
        ctx: the sync being written.
        what: one line saying what the script does (for the header).
        body: SQL statements, each a complete string ending with ``;`` (comments allowed).
    """
    lines = header(ctx, what)
    lines += [
        "-- Run with: psql -v ON_ERROR_STOP=1 -f <this file>. Idempotent: a second run changes",
        "-- nothing.",
        "",
        "BEGIN;",
        "",
    ]
    for statement in body:
        lines.append(statement)
    lines += ["", "COMMIT;", ""]
    return "\n".join(lines)


def render_sync(
    tool: str,
    missing: Sequence[Migration],
    recorded: Recorded,
    *,
    prune: Sequence[str] = (),
    style: str = "script",
    migrations: Sequence[Migration] = (),
    table: tuple[str, str] | str | None = None,
    origin: str = "",
) -> SyncScript:
    """The repair of ``tool``'s history table, in the tool's own row format.

    Args:
        tool: a ``--tool`` name (``goose``, ``sqlx``, ``golang-migrate``, ``dbmate``,
            ``flyway``, ``diesel``, ``prisma``, ``atlas``).
        missing: the migrations applied but not recorded (``missing_from_history``), as the
            tool's reader lists them (their checksums are what the rows store).
        recorded: the history as read (:mod:`schemadiff.sources.history`): whether the table
            exists, which rows failed.
        prune: recorded versions to delete (``recorded_not_applied``, only with ``--prune``).
        style: ``script`` (default, every tool) or ``migration`` (goose: a migration file).
        migrations: every migration of the directory in the tool's order; used to warn about
            genuinely pending migrations the tool will then refuse, and to pick a goose sync
            version that no file has.
        table: the history table when not the tool's default: ``"schema.name"``, ``"name"``
            or ``(schema, name)``.
        origin: where the inference came from, for the header comment.

    Returns:
        The script (or migration file) and what to tell the user.

    Raises:
        SyncError: an unknown tool or style, a migration style the tool has no form for, a
            version both to record and to prune, or a goose sync version that cannot exist
            (the message explains and names the alternative).
    """
    from schemadiff.tools import TOOLS  # the tool modules import this module

    module = TOOLS.get(tool)
    if module is None:
        raise SyncError(f"unknown tool {tool!r}; known tools: {', '.join(TOOLS)}")
    if style not in STYLES:
        raise SyncError(f"unknown sync style {style!r}; use one of: {', '.join(STYLES)}")
    seen: dict[str, Migration] = {}
    for m in missing:
        seen.setdefault(m.version, m)
    both = sorted(set(seen) & set(prune))
    if both:
        raise SyncError(f"version(s) both to record and to prune: {', '.join(both)}")
    ctx = SyncContext(
        tool=tool,
        missing=tuple(seen.values()),
        recorded=recorded,
        prune=tuple(dict.fromkeys(prune)),
        migrations=tuple(migrations),
        table=_table(table, module.HISTORY_TABLES),
        style=style,
        origin=origin,
    )
    result: SyncScript = module.render_sync(ctx)
    return result


def _table(table: tuple[str, str] | str | None,
           defaults: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The history table to write to: the one given, else the tool's first default (a schema
    it names first, e.g. Atlas's ``atlas_schema_revisions``)."""
    if isinstance(table, tuple):
        return table
    if isinstance(table, str):
        schema, dot, name = table.rpartition(".")
        return (schema, name) if dot else ("", table)
    return sorted(defaults, key=lambda t: (t[0] == "", t))[0]

