"""The contract between the engine and a migration tool module.

Every module in ``schemadiff.tools`` is a :class:`Tool`: it reads its tool's migration
directory, says how its history table is found and read, and writes the repair of that table
in the tool's own row format. ``tests/test_tool_protocol.py`` checks that every registered
module satisfies it (names, signatures), as Atlas's ``var _ Inspector = (*inspect)(nil)``
does at build time.

The values a module's ``render_sync`` works with live here too (:class:`SyncContext` in,
:class:`SyncScript` out), so that the tools never import the sync command's module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from pathlib import Path
from typing import Protocol, runtime_checkable

from schemadiff.errors import SchemaDiffError
from schemadiff.migration import Migration
from schemadiff.recorded import Recorded, RecordedVersion
from schemadiff.records import record

__all__ = ["STYLES", "ProjectConfig", "SyncContext", "SyncError", "SyncScript", "Tool",
           "ToolOptions"]


@record
class ToolOptions:
    """What a reader of a tool that renders its own SQL needs besides the directory.

    Attributes:
        config: the tool's configuration: Alembic's ``alembic.ini`` path; Django's settings
            module. Given, schemadiff runs the tool to produce the SQL.
        sql: SQL the user produced with the tool: Alembic's offline output file.
        scratch_dsn: Django: a server where a scratch database may be created and dropped,
            for ``sqlmigrate`` to read (None: the embedded server).
        history_table: the history table when not the tool's default (``--history-table``).
        placeholders: ``(name, value)`` pairs the tool substitutes at run time, given by the
            user (``--placeholder``): Flyway's ``${name}`` placeholders; goose's ``ENVSUB``
            variables (over the environment).
    """

    config: str | None = None
    sql: str | None = None
    scratch_dsn: str | None = None
    history_table: str | None = None
    placeholders: tuple[tuple[str, str], ...] = ()


@record
class ProjectConfig:
    """What a tool's own configuration in the project says of the database (a tool module's
    optional ``configured(root)``: Flyway's ``flyway.conf``, ``flyway.toml``, Spring's
    ``application.*``).

    Attributes:
        history_table: where the tool keeps its history (``schema.name``) when its
            configuration moves it from the default; ``--history-table`` wins over it.
        schemas: schemas the tool creates itself before it migrates (Flyway's
            ``createSchemas``, on by default): made by no migration, yet not drift.
        source: the setting's name, for the notice (``"flyway.schemas"``).
        default_schema: the schema the tool makes current before it migrates (Flyway's
            ``defaultSchema``, else the first of ``schemas``).
    """

    history_table: str | None = None
    schemas: tuple[str, ...] = ()
    source: str = ""
    default_schema: str | None = None

    @property
    def search_path(self) -> tuple[str, ...] | None:
        """The ``search_path`` the tool runs migrations with: its default schema before the
        server's (Flyway's ``changeCurrentSchemaTo``, Liquibase's ``initializeDatabase``);
        None: the server's own."""
        default = self.default_schema
        return (default, "$user", "public") if default and default != "public" else None


@runtime_checkable
class Tool(Protocol):
    """A migration tool, as a module of ``schemadiff.tools`` implements it.

    Attributes:
        NAME: the ``--tool`` name (``"goose"``).
        HISTORY_TABLES: ``(schema or "", table)`` of its history table(s), left out of schema
            comparisons; ``""`` is the first schema of ``search_path``, as the tool finds it.
        HISTORY_QUERY: the ``SELECT`` that reads the table (``{table}`` stands for it),
            returning the columns ``parse_history`` reads.
        SQL_FROM_TOOL: whether the SQL of a migration comes from running the tool (Alembic's
            offline mode, Django's ``sqlmigrate``), as :class:`ToolOptions` say, rather than
            from the files.
        LAYOUT: what marks the tool's files, for messages (``"'-- +goose Up' annotations"``).
        VERSION_SYNTAX: what a version looks like, for messages.
        HISTORY_COLUMNS: the columns that make a table this tool's history (tool detection).

    Optional functions a module may define besides: ``configured(root) -> ProjectConfig``
    (what the tool's own settings for the project say of the database: Flyway, sqlx, dbmate,
    goose, drizzle, Atlas) and ``checksum_repair(ctx) -> list[str]`` (see
    :class:`SyncContext`).
    """

    NAME: str
    HISTORY_TABLES: frozenset[tuple[str, str]] | tuple[tuple[str, str], ...]
    HISTORY_QUERY: str
    SQL_FROM_TOOL: bool
    LAYOUT: str
    VERSION_SYNTAX: str
    HISTORY_COLUMNS: frozenset[str]

    def detect(self, root: Path) -> int:
        """How strongly ``root`` looks like this tool's layout: 0 not at all; 80 or more, a
        layout only this tool uses (its annotations, its directory shape)."""
        ...

    def list_migrations(self, root: Path, options: ToolOptions | None = None) -> list[Migration]:
        """The UP units in the order the tool applies them; raises ``MigrationError`` where
        the tool itself would refuse the directory. ``options`` matter only to a tool whose
        SQL comes from the tool (``SQL_FROM_TOOL``)."""
        ...

    def normalize_version(self, text: str) -> str | None:
        """A version as a person writes it (``--history-file``), spelled as the tool records
        it; None when it is not one of this tool's versions."""
        ...

    def checksum(self, data: bytes) -> str | None:
        """The tool's checksum of a file's bytes, as its history table stores it (None: the
        tool keeps none)."""
        ...

    def parse_history(
        self, rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
    ) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
        """The rows of ``HISTORY_QUERY`` as the tool interprets them, and notes for the user;
        ``migrations`` (the directory's, in order) for tools whose one row stands for many."""
        ...

    def render_sync(self, ctx: SyncContext) -> SyncScript:
        """The repair of the history table in the tool's own row format."""
        ...


#: ``--style`` values: ``script`` (every tool) and ``migration`` (goose).
STYLES = ("script", "migration")

class SyncError(SchemaDiffError):
    """A sync that cannot be written as asked (the message says why and what to do instead)."""


class SyncRefusal(SyncError):
    """A sync that could be written but would tell the tool something false (a row that marks
    a pending migration applied): refused, not an input error (the command exits 1)."""


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
        updated: the versions whose recorded checksum the script sets to the file's
            (``--repair-checksums``).
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
    updated: tuple[str, ...] = ()


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
        checksums: applied migrations whose recorded checksum differs from their file's, to
            be set to the file's (``--repair-checksums``); only a tool module with a
            ``checksum_repair(ctx) -> list[str]`` function is given any.
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
    checksums: tuple[Migration, ...] = ()

    def recorded_checksum(self, version: str) -> str | None:
        """The checksum the history records for ``version`` (None: none recorded)."""
        row = self.recorded.applied.get(version)
        return row.checksum if row is not None else None

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
