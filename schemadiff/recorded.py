"""What a migration tool's history table says has been applied.

Each tool keeps its own table (``goose_db_version``, ``_sqlx_migrations``,
``schema_migrations``, ``flyway_schema_history`` ...) with its own rules; the tool readers turn
its rows into one :class:`Recorded` value, already interpreted the way the tool interprets them
(goose: the latest row per version decides; golang-migrate: one row meaning "everything up to
here"; Flyway: failed rows and undo rows do not count).
"""

from __future__ import annotations

from dataclasses import field

from schemadiff.records import record


@record
class RecordedVersion:
    """One version the history table records as applied (or as failed, ``success=False``).

    Attributes:
        version: spelled as the tool writes it (the same spelling as ``Migration.version``).
        checksum: as the tool stores it (sqlx: hex of the SHA-384 bytes; Flyway: signed CRC32
            as decimal text; Prisma: SHA-256 hex), None when the tool keeps none.
        description: as recorded, when the tool records one.
        success: False for a row the tool marks failed (sqlx ``success = false``, Flyway
            ``success = false``, Prisma ``finished_at IS NULL``, golang-migrate ``dirty``).
        baseline: the version of the baseline row that stands for it when it has no row of
            its own (Flyway's ``BASELINE``, Atlas's baseline revision: the tool never runs
            the versions below it); None for a version with its own row.
        marked_ran: the tool marked it run without running it (Liquibase's ``EXECTYPE
            MARK_RAN``: a precondition's ``onFail``/``onError="MARK_RAN"``, or
            ``changelog-sync``): its effects may be absent by the tool's own choice.
    """

    version: str
    checksum: str | None = None
    description: str | None = None
    success: bool = True
    baseline: str | None = None
    marked_ran: bool = False


#: How a history note about a row marked run without running starts (a saved ``infer``
#: document keeps the notes, not the rows: ``repair`` reads it back).
MARKED_RAN = "marked ran "


@record
class Recorded:
    """A tool's history as read from a database, a dump or a file.

    Attributes:
        tool: the tool whose table this is.
        source: ``live``, ``dump``, ``file`` or ``none``.
        table_exists: False when the history table is absent (a state, not an error).
        versions: the applied versions in the order recorded.
        notes: anything worth telling the user (a dirty golang-migrate row, goose's version 0).
    """

    tool: str
    source: str = "none"
    table_exists: bool = False
    versions: tuple[RecordedVersion, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def applied(self) -> dict[str, RecordedVersion]:
        """Versions recorded as successfully applied, by version."""
        return {v.version: v for v in self.versions if v.success}

    @classmethod
    def none(cls, tool: str) -> Recorded:
        """No history available at all (inference then works from the schema alone)."""
        return cls(tool, "none", False, ())
