"""What a migration tool reader produces: a tool-neutral list of migrations.

A reader (``schemadiff.tools.<tool>``) knows its tool's file layout, naming and annotations; it
hands the engine :class:`Migration` values in the order the tool applies them. The engine never
looks at file names again.
"""

from __future__ import annotations

from dataclasses import field

from schemadiff.records import record


@record
class Migration:
    """One UP unit of a migration history.

    Attributes:
        version: exactly what the tool writes into its history table (``"1"`` for goose's
            ``00001_init.sql``; ``"2.1"`` for Flyway's ``V2_1__x.sql``; the directory name for
            Prisma). Flyway repeatables have no version: ``version`` is ``"R__<description>"``
            and ``repeatable`` is true.
        description: the human part of the name (``"create users"``), as the tool records it.
        path: the file holding the UP SQL (for diesel and Prisma, the ``up.sql`` /
            ``migration.sql`` inside the migration's directory), as given (not resolved).
        sql: the UP SQL text. Tool annotations and the DOWN part are blanked out, not removed,
            so that line numbers in ``sql`` are line numbers in ``path``.
        in_transaction: whether the tool runs it inside one transaction.
        checksum: the tool's own checksum of the file, in the form its history table stores
            (sqlx: SHA-384 hex; Flyway: signed CRC32 as int text; Prisma: SHA-256 hex), or None.
        opaque: the effects cannot be read (a goose ``.go`` migration, a Java Flyway migration).
        repeatable: a Flyway ``R__`` migration (applied after the versioned ones, on change).
        requires: for tools whose migrations form a graph rather than a sequence (Alembic's
            ``down_revision`` and ``depends_on``, Django's ``dependencies``), the versions this
            one declares it needs applied first; None for tools that apply in file order
            (then every earlier migration is its prerequisite).
        search_path: the schemas of the ``search_path`` the tool sets before it runs the
            migration, ``$user`` included (Flyway: its default schema first); None: the
            server's default.
        tool_schemas: schemas the tool creates itself before it migrates, made by no
            migration (Flyway's ``createSchemas``).
        extra: tool-specific facts a tool module keeps for itself (goose ``envsub``, Django's
            ``replaces``); the engine never reads them.
    """

    version: str
    description: str
    path: str
    sql: str
    in_transaction: bool = True
    checksum: str | None = None
    opaque: bool = False
    repeatable: bool = False
    requires: tuple[str, ...] | None = None
    search_path: tuple[str, ...] | None = None
    tool_schemas: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def session(self) -> str:
        """What the migration starts in besides its text (for cache keys): "" by default."""
        if self.search_path is None and not self.tool_schemas:
            return ""
        path = ",".join(self.search_path) if self.search_path is not None else ""
        return f"search_path={path}\0schemas={','.join(self.tool_schemas)}"

    @property
    def label(self) -> str:
        """``version_description`` for messages."""
        return f"{self.version} {self.description}".strip()
