"""Prisma Migrate: one directory per migration, ``<timestamp>_<name>/migration.sql``.

Rules (prisma-engines ``schema-engine/connectors/schema-connector/src/migrations_directory.rs``,
``checksum.rs``):

- every sub-directory of the migrations directory is a migration and must hold a
  ``migration.sql``; files beside them (``migration_lock.toml``, a README) are not migrations.
  Directories whose name starts with ``.`` are skipped (Prisma never creates them).
- the version is the directory name (``_prisma_migrations.migration_name``); migrations run in
  directory-name order. The description is the part after the first ``_``.
- the checksum is the SHA-256 of ``migration.sql``'s bytes as 64 lowercase hex digits. Prisma
  also accepts a stored checksum computed with LF or CRLF line endings swapped and, from old
  versions, one without zero padding: see :func:`checksum_matches`.
- Prisma sends the file as one multi-statement query, which PostgreSQL runs as one implicit
  transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.tools import _common, _script
from schemadiff.tools.protocol import SyncContext, SyncError, SyncScript, ToolOptions

NAME = "prisma"
SQL_FROM_TOOL = False
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "_prisma_migrations")})
#: What marks a directory as Prisma's, and what a Prisma version is (for messages).
LAYOUT = "'<name>/migration.sql' directories"
VERSION_SYNTAX = "a migration directory's name"

SCRIPT = "migration.sql"
LOCK_FILE = "migration_lock.toml"


def checksum(data: bytes) -> str | None:
    """SHA-256 of ``migration.sql``'s bytes, lowercase hex (``_prisma_migrations.checksum``)."""
    return hashlib.sha256(data).hexdigest()


def checksum_matches(data: bytes, stored: str) -> bool:
    """Whether Prisma would accept ``stored`` as the checksum of a script with bytes ``data``.

    Prisma tries the script as is, with CRLF turned into LF and with LF turned into CRLF, and
    compares unpadded hex (``{:x}`` per byte) when the stored value is not 64 characters long.
    """
    variants = (data, data.replace(b"\r\n", b"\n"), data.replace(b"\n", b"\r\n"))
    for variant in variants:
        digest = hashlib.sha256(variant).digest()
        rendered = digest.hex() if len(stored) in (0, 64) else "".join(f"{b:x}" for b in digest)
        if rendered == stored:
            return True
    return False


def _migration_dirs(root: Path) -> list[Path]:
    """The migration directories of ``root``, by name."""
    return [p for p in _common.entries(root) if not p.name.startswith(".") and _common.is_dir(p)]


def detect(root: Path) -> int:
    """100 for ``*/migration.sql`` with ``migration_lock.toml``, 90 without the lock file."""
    if not any(_common.is_file(d / SCRIPT) for d in _migration_dirs(root)):
        return 0
    return 100 if _common.is_file(root / LOCK_FILE) else 90


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The Prisma migrations of ``root`` in directory-name order.

    Raises:
        MigrationError: a directory without ``migration.sql``, invalid UTF-8, or (impossible
            for distinct directories, kept for symmetry) a duplicate name.
    """
    _common.require_dir(root)
    migrations = []
    for directory in _migration_dirs(root):
        script = directory / SCRIPT
        if not script.is_file():
            raise _common.fail(f"Prisma migration directory without {SCRIPT}", directory)
        data, text = _common.read_text(script)
        _, _, name = directory.name.partition("_")
        migrations.append(
            Migration(directory.name, name, str(script), text, checksum=checksum(data))
        )
    migrations.sort(key=lambda m: m.version)
    _common.check_unique(migrations)
    return migrations


# -- history table and sync ------------------------------------------------------------------
#
# _prisma_migrations (schema-engine's create_migrations_table): id varchar(36) primary key,
# checksum varchar(64), finished_at, migration_name, logs, rolled_back_at, started_at,
# applied_steps_count. A migration counts as applied when one of its rows finished and was
# not rolled back; a row that neither finished nor was rolled back is a failed migration
# (``migrate deploy`` stops, P3009, until ``migrate resolve``); rolled-back rows do not count.

#: The columns a history reader needs, as text (``{table}``: the quoted table name).
HISTORY_QUERY = (
    "SELECT id, migration_name, checksum, finished_at::text AS finished_at, "
    "rolled_back_at::text AS rolled_back_at, started_at::text AS started_at FROM {table}"
)

#: _prisma_migrations as Prisma creates it (``IF NOT EXISTS`` added).
_CREATE_TABLE = """CREATE TABLE IF NOT EXISTS {table} (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);"""


#: The columns that make a table Prisma's history (tool detection).
HISTORY_COLUMNS = frozenset({"id", "checksum", "migration_name", "finished_at"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list: a directory name (no blank, no slash); None
    when it is not one."""
    return text if re.fullmatch(r"[^\s/\\]+", text) else None


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The migrations a _prisma_migrations table records, as Prisma reads them.

    Args:
        rows: mappings with ``migration_name``, ``checksum``, ``finished_at``,
            ``rolled_back_at`` and ``started_at``.
        migrations: unused (every reader takes them).

    Returns:
        One entry per applied migration (its finished row's checksum), one with
        ``success=False`` per failed migration, in the order of their first attempt; notes.
    """
    ordered = sorted(rows, key=lambda r: str(r.get("started_at") or ""))
    applied: dict[str, Mapping[str, object]] = {}
    failed: dict[str, Mapping[str, object]] = {}
    rolled_back: list[str] = []
    first: dict[str, int] = {}
    for index, row in enumerate(ordered):
        name = str(row["migration_name"])
        first.setdefault(name, index)
        if row.get("rolled_back_at") is not None:
            rolled_back.append(name)
        elif row.get("finished_at") is not None:
            applied[name] = row
        else:
            failed[name] = row
    versions: list[RecordedVersion] = []
    notes: list[str] = []
    for name in sorted(first, key=first.__getitem__):
        if name in applied:
            versions.append(RecordedVersion(name, _common.row_text(applied[name]["checksum"])))
        if name in failed:
            versions.append(RecordedVersion(name, _common.row_text(failed[name]["checksum"]),
                                            success=False))
            notes.append(f"{name} failed (not finished, not rolled back): prisma migrate "
                         "deploy stops (P3009) until prisma migrate resolve")
        if name not in applied and name not in failed:
            notes.append(f"{name} was rolled back: not applied")
    return tuple(versions), tuple(notes)


def render_sync(ctx: SyncContext) -> SyncScript:
    """Prisma's repair script: one finished ``_prisma_migrations`` row per missing migration.

    Each row holds a fresh id (an MD5-based UUID, no extension needed), the SHA-256 of
    ``migration.sql`` as Prisma checks it, ``started_at = finished_at = now()`` and
    ``applied_steps_count = 1``. A failed attempt of a missing migration is marked rolled
    back first (what ``prisma migrate resolve --rolled-back`` does); ``prune`` deletes rows.

    Raises:
        SyncError: a migration without a checksum (not read by the Prisma reader).
    """
    table = _script.qualified(ctx.table)
    body: list[str] = []
    if not ctx.recorded.table_exists:
        body.append(_CREATE_TABLE.format(table=table))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    for name in ctx.prune:
        body.append(f"DELETE FROM {table} WHERE migration_name = {_script.literal(name)};")
    failed = ctx.failed
    for m in sorted(ctx.missing, key=lambda m: m.version):
        if not m.checksum:
            raise SyncError(f"migration {m.label} has no Prisma checksum ({m.path})")
        name = _script.literal(m.version)
        if m.version in failed:
            body.append(f"UPDATE {table} SET rolled_back_at = now() WHERE migration_name = "
                        f"{name} AND finished_at IS NULL AND rolled_back_at IS NULL;")
        body.append(
            f"-- {_script.comment_text(m.version)}\n"
            f"INSERT INTO {table} (id, checksum, finished_at, migration_name, logs, "
            "rolled_back_at, started_at, applied_steps_count)\n"
            f"SELECT md5(random()::text || clock_timestamp()::text || {name})::uuid::text, "
            f"{_script.literal(m.checksum)}, now(), {name}, NULL, NULL, now(), 1\n"
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE migration_name = {name} "
            "AND finished_at IS NOT NULL AND rolled_back_at IS NULL);")
    body += checksum_repair(ctx)
    return SyncScript(
        NAME, "script", _script.frame(ctx, "backfill _prisma_migrations", body),
        commands=("prisma migrate deploy",) if ctx.pending_after else (),
        inserted=tuple(m.version for m in ctx.missing),
        pruned=ctx.prune,
        updated=tuple(m.version for m in ctx.checksums),
    )


def checksum_repair(ctx: SyncContext) -> list[str]:
    """``--repair-checksums``: set the checksum of each changed migration's finished row
    (the one Prisma compares, "was modified after it was applied") to the SHA-256 of its
    ``migration.sql`` as it is now; rolled-back and unfinished attempts are left as they are."""
    table = _script.qualified(ctx.table)
    out = []
    for m in sorted(ctx.checksums, key=lambda m: m.version):
        if not m.checksum:
            raise SyncError(f"migration {m.label} has no Prisma checksum ({m.path})")
        out.append(
            f"-- {_script.comment_text(m.version)}: recorded "
            f"{_script.comment_text(str(ctx.recorded_checksum(m.version)))}\n"
            f"UPDATE {table} SET checksum = {_script.literal(m.checksum)}\n"
            f"WHERE migration_name = {_script.literal(m.version)} AND finished_at IS NOT NULL "
            "AND rolled_back_at IS NULL;")
    return out
