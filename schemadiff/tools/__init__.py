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
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

from schemadiff.errors import Location, MigrationError
from schemadiff.migration import Migration
from schemadiff.tool_choice import STRONG, ToolChoice, ToolEvidence, choose_tool, claims, owners
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
from schemadiff.tools._common import one_look
from schemadiff.tools.protocol import ProjectConfig, ToolOptions

__all__ = [
    "STRONG",
    "TOOLS",
    "ProjectConfig",
    "ToolOptions",
    "choose_and_read",
    "detect_scores",
    "detect_tool",
    "history_tables",
    "one_look",
    "project_config",
    "read_migrations",
]

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

# STRONG (from tool_choice): a ``detect`` score at or above it is a layout only that tool uses
# (its annotations, its directory shape); below it, a generic shape several tools share.


def detect_scores(root: Path) -> dict[str, int]:
    """Every tool's ``detect`` score for ``root`` (0 = not that tool's layout at all)."""
    with one_look():
        return {name: module.detect(root) for name, module in TOOLS.items()}


def detect_tool(root: Path) -> str:
    """The tool whose layout ``root`` has (from the files alone).

    A tool with a distinctive layout (score >= :data:`STRONG`) wins over generic ones: a goose
    directory is also a valid list of sqlx file names. Two distinctive layouts, or a tie between
    the best generic ones, are ambiguous.

    Raises:
        MigrationError: ``root`` is missing or empty, matches no tool, or is ambiguous; the
            message asks for ``--tool`` and names the candidates.
    """
    _require_nonempty(root)
    return choose_tool(str(root), detect_scores(root), {}).tool


def choose_and_read(
    root: Path,
    tool: str | None = None,
    *,
    evidence: ToolEvidence | None = None,
    force: bool = False,
    options: ToolOptions | None = None,
    scores: Mapping[str, int] | None = None,
) -> tuple[ToolChoice, list[Migration]]:
    """The tool for ``root``, weighing its files and the database's history tables, and its
    migrations (see :func:`schemadiff.tool_choice.choose_tool` for the rules).

    Each tool that owns a history table in ``evidence`` reads the directory once, to see
    whether the table's versions are these files' versions; the chosen tool's reading is the
    one returned.

    Args:
        root: the migration directory.
        tool: ``--tool``, checked against the evidence unless ``force``.
        evidence: the database's history tables (None: no database).
        force: ``--force-tool``: take ``tool`` whatever the evidence says.
        options: where the SQL comes from for a tool that renders it (``SQL_FROM_TOOL``),
            and ``--history-table`` when the table is not the tool's default.
        scores: :func:`detect_scores` of ``root``, when the caller has them (None: read).

    Raises:
        MigrationError: as :func:`read_migrations`, and when the evidence contradicts ``tool``
            or itself, or is ambiguous (the message names the candidates and the flag).
    """
    if tool is not None and tool not in TOOLS:
        raise MigrationError(f"unknown tool {tool!r}; known tools: {', '.join(TOOLS)}")
    with one_look():
        return _choose_and_read(root, tool, evidence, force, options, scores)


def _choose_and_read(
    root: Path,
    tool: str | None,
    evidence: ToolEvidence | None,
    force: bool,
    options: ToolOptions | None,
    scores: Mapping[str, int] | None,
) -> tuple[ToolChoice, list[Migration]]:
    _require_nonempty(root)
    history_table = options.history_table if options is not None else None
    if scores is None:
        scores = detect_scores(root)
    owning = set()
    if evidence is not None:
        owning = {t for table in evidence.tables for t in owners(table, TOOLS, history_table)}
    read: dict[str, list[Migration] | MigrationError] = {}
    for name in TOOLS:
        if name in owning:
            try:
                read[name] = _list(name, root, options)
            except MigrationError as exc:
                read[name] = exc
    versions = {
        name: frozenset(m.version for m in found)
        for name, found in read.items()
        if not isinstance(found, MigrationError)
    }
    layouts = {name: module.LAYOUT for name, module in TOOLS.items()}
    choice = choose_tool(
        str(root),
        scores,
        claims(evidence, TOOLS, versions, history_table),
        explicit=tool,
        force=force,
        layouts=layouts,
    )
    found = read.get(choice.tool)
    if found is None:
        found = _list(choice.tool, root, options)
    if isinstance(found, MigrationError):
        raise found
    if not found:
        raise MigrationError(f"no {choice.tool} migrations found", Location(str(root)))
    return choice, found


def _list(name: str, root: Path, options: ToolOptions | None) -> list[Migration]:
    """``name``'s reading of ``root``; generation options are an error for a tool that reads
    its SQL from its files."""
    module = TOOLS[name]
    given = options is not None and (options.config or options.sql or options.scratch_dsn)
    if given and not module.SQL_FROM_TOOL:
        raise MigrationError(f"{name} reads its SQL from its files: --alembic-* and "
                             "--django-* options do not apply", Location(str(root)))
    return module.list_migrations(root, options)


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
    if tool is None:
        choice, migrations = choose_and_read(root, None, options=options)
        return choice.tool, migrations
    if tool not in TOOLS:
        raise MigrationError(f"unknown tool {tool!r}; known tools: {', '.join(TOOLS)}")
    _require_nonempty(root)
    migrations = _list(tool, root, options)
    if not migrations:
        raise MigrationError(f"no {tool} migrations found", Location(str(root)))
    return tool, migrations


def project_config(tool: str, root: Path) -> ProjectConfig:
    """What ``tool``'s own configuration for the directory ``root`` says of the database (its
    module's optional ``configured``; nothing for a tool that has none)."""
    configured = getattr(TOOLS.get(tool), "configured", None)
    return configured(root) if configured is not None and root.is_dir() else ProjectConfig()


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
