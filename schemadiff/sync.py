"""Repair a migration tool's history: the SQL that makes its table agree with the schema.

:func:`render_sync` turns an inference result (the versions applied but not recorded, and
optionally recorded versions to prune) into a script in the tool's own row format, through the
tool module's ``render_sync`` (:class:`~schemadiff.tools.protocol.Tool`).

Every script is meant for ``psql -v ON_ERROR_STOP=1 -f``: one transaction (``BEGIN`` ...
``COMMIT``), idempotent (each row is inserted by ``INSERT ... SELECT ... WHERE NOT EXISTS``, so a
second run changes nothing), every literal quoted. The module is pure: no database, no files;
checksums come from :attr:`Migration.checksum`, which the readers compute from the files'
exact bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from schemadiff.migration import Migration
from schemadiff.recorded import Recorded
from schemadiff.tools import TOOLS
from schemadiff.tools.protocol import STYLES, SyncContext, SyncError, SyncScript

__all__ = ["SyncError", "SyncScript", "render_sync"]


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

