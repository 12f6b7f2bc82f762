"""Migration tool readers: one module per tool, each a :class:`~schemadiff.tools.protocol.Tool`.

A module names its tool (``NAME``), its history table(s) and the query reading them
(``HISTORY_TABLES``, ``HISTORY_QUERY``), and implements ``detect``, ``list_migrations``,
``checksum``, ``parse_history`` and ``render_sync`` as the protocol documents them (a
tool whose SQL comes from running the tool itself, Alembic or Django, says so with
``SQL_FROM_TOOL`` and reads it as its :class:`ToolOptions` say);
``tests/test_tool_protocol.py`` checks every registered module against it. Adding a tool means
adding a module and one line in ``_MODULES``; the engine is not touched.
"""

from __future__ import annotations

import errno
from pathlib import Path
from types import ModuleType

from schemadiff.errors import Location, MigrationError
from schemadiff.migration import Migration
from schemadiff.tools import (
    alembic,
    atlas,
    dbmate,
    diesel,
    django,
    drizzle,
    flyway,
    golang_migrate,
    goose,
    liquibase,
    prisma,
    sqlx,
)
from schemadiff.tools.protocol import ToolOptions

__all__ = ["TOOLS", "ToolOptions", "detect_tool", "history_tables", "read_migrations"]

_MODULES: tuple[ModuleType, ...] = (
    goose,
    sqlx,
    golang_migrate,
    dbmate,
    flyway,
    diesel,
    prisma,
    atlas,
    drizzle,
    liquibase,
    alembic,
    django,
)

#: The readers by ``--tool`` name, in a fixed order.
TOOLS: dict[str, ModuleType] = {module.NAME: module for module in _MODULES}

#: A score from ``detect`` at or above this is a layout only that tool uses (its annotations,
#: its directory shape); below it, a generic shape several tools share.
STRONG = 80


def detect_tool(root: Path) -> str:
    """The tool whose layout ``root`` has.

    A tool with a distinctive layout (score >= :data:`STRONG`) wins over generic ones: a goose
    directory is also a valid list of sqlx file names. Two distinctive layouts, or a tie between
    the best generic ones, are ambiguous.

    Raises:
        MigrationError: ``root`` is missing or empty, matches no tool, or is ambiguous; the
            message asks for ``--tool`` and names the candidates.
    """
    _require_nonempty(root)
    scores = {name: module.detect(root) for name, module in TOOLS.items()}
    strong = [name for name, score in scores.items() if score >= STRONG]
    if len(strong) == 1:
        return strong[0]
    if len(strong) > 1:
        raise _ambiguous(root, strong)
    best = max(scores.values())
    if best <= 0:
        raise MigrationError(
            f"no known migration layout; pass --tool (one of: {', '.join(TOOLS)})",
            Location(str(root)),
        )
    top = [name for name, score in scores.items() if score == best]
    if len(top) > 1:
        raise _ambiguous(root, top)
    return top[0]


def read_migrations(
    root: Path, tool: str | None = None, options: ToolOptions | None = None
) -> tuple[str, list[Migration]]:
    """The migrations of ``root`` in the order its tool applies them.

    Args:
        root: the migration directory.
        tool: a name from :data:`TOOLS`; None to detect it with :func:`detect_tool`.
        options: for tools whose SQL comes from running the tool (``SQL_FROM_TOOL``): where
            it comes from. Its ``config``/``sql``/``scratch_dsn`` are an error for any other tool.

    Returns:
        The tool's name and its migrations.

    Raises:
        MigrationError: an unknown tool name (the message lists the known ones), a missing or
            empty directory, a directory holding no migration of that tool, or whatever the
            tool itself would refuse.
    """
    if tool is not None and tool not in TOOLS:
        raise MigrationError(f"unknown tool {tool!r}; known tools: {', '.join(TOOLS)}")
    _require_nonempty(root)
    name = tool if tool is not None else detect_tool(root)
    module = TOOLS[name]
    given = options is not None and (options.config or options.sql or options.scratch_dsn)
    if given and not module.SQL_FROM_TOOL:
        raise MigrationError(f"{name} reads its SQL from its files: --alembic-* and "
                             "--django-* options do not apply", Location(str(root)))
    migrations = module.list_migrations(root, options)
    if not migrations:
        raise MigrationError(f"no {name} migrations found", Location(str(root)))
    return name, migrations


def history_tables() -> set[tuple[str, str]]:
    """Every tool's history table(s) as ``(schema or "", table)``, to leave out of comparisons."""
    return {table for module in _MODULES for table in module.HISTORY_TABLES}


def _require_nonempty(root: Path) -> None:
    """Raise :class:`MigrationError` unless ``root`` is a directory with something in it."""
    where = Location(str(root))
    try:
        root.stat()
    except OSError as exc:  # missing, a symlink loop, a broken symlink, no permission
        if exc.errno == errno.ENOENT and not root.is_symlink():
            raise MigrationError("migration directory does not exist", where) from None
        what = "broken symbolic link" if exc.errno == errno.ENOENT else exc.strerror or str(exc)
        raise MigrationError(f"cannot open migration directory: {what}", where) from None
    if not root.is_dir():
        raise MigrationError("not a directory", Location(str(root)))
    try:
        empty = next(root.iterdir(), None) is None
    except OSError as exc:
        what = exc.strerror or str(exc)
        raise MigrationError(f"cannot list migration directory: {what}", where) from None
    if empty:
        raise MigrationError("migration directory is empty", Location(str(root)))


def _ambiguous(root: Path, names: list[str]) -> MigrationError:
    """The error for a directory that looks like several tools' layouts."""
    return MigrationError(
        f"ambiguous migration layout: looks like {' and '.join(names)}; pass --tool "
        f"({' or '.join(names)})",
        Location(str(root)),
    )
