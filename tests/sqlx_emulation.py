"""sqlx's ``migrate run`` (``Migrator::run``), emulated over psycopg the way sqlx's source does it.

sqlx is a Rust library and CLI that cannot be installed here, so the scenario benchmark drives
this emulation of launchbadge/sqlx (``sqlx-core/src/migrate/migrator.rs``: ``Migrator::run``,
``validate_applied_migrations``; ``sqlx-postgres/src/migrate.rs``: ``ensure_migrations_table``,
``dirty_version``, ``list_applied_migrations``, ``apply``):

1. resolve the migrations of the directory (schemadiff's sqlx reader follows sqlx's
   ``resolve``: ``<version>_<desc>.sql`` / ``.up.sql``, SHA-384 checksum, ``-- no-transaction``);
2. ``CREATE TABLE IF NOT EXISTS _sqlx_migrations`` with sqlx's columns;
3. a row with ``success = false`` stops everything (``MigrateError::Dirty``);
4. every applied version must be in the directory (``VersionMissing``, unless
   ``ignore_missing``);
5. for every migration in version order: applied -> its checksum must equal the file's
   (``VersionMismatch``); not applied -> run it: the SQL and the row ``(version,
   description, TRUE, checksum, -1)`` in one transaction (without one for ``no_tx``), then
   ``execution_time`` updated. sqlx runs *every* migration without a row, whatever the highest
   applied version (no out-of-order check).

The SQL is sent as one simple-protocol query, as sqlx's ``execute`` of a whole file does.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg

from schemadiff.tools import sqlx as sqlx_reader

TABLE = "_sqlx_migrations"


class SqlxError(RuntimeError):
    """What ``sqlx migrate run`` would print and exit 1 with.

    Attributes:
        kind: ``dirty``, ``missing``, ``mismatch`` or ``failed`` (a migration's SQL failed).
        version: the version concerned.
    """

    def __init__(self, kind: str, version: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.version = kind, version


def _ensure_table(conn: psycopg.Connection[Any]) -> None:
    conn.execute(f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        version BIGINT PRIMARY KEY,
        description TEXT NOT NULL,
        installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
        success BOOLEAN NOT NULL,
        checksum BYTEA NOT NULL,
        execution_time BIGINT NOT NULL)""")


def sqlx_migrate_run(conn: psycopg.Connection[Any], dirpath: Path, *,
                     ignore_missing: bool = False) -> list[str]:
    """``sqlx migrate run``; returns the versions applied, in order.

    ``conn`` must be in autocommit mode.

    Raises:
        SqlxError: a dirty row, an applied version missing from the directory, a changed
            file, or a migration that fails (those before it stay applied).
    """
    migrations = sqlx_reader.list_migrations(dirpath)
    _ensure_table(conn)
    dirty = conn.execute(
        f"SELECT version FROM {TABLE} WHERE success = false ORDER BY version LIMIT 1").fetchone()
    if dirty is not None:
        raise SqlxError("dirty", str(dirty[0]), f"migration {dirty[0]} is partially applied; "
                        "fix and remove row from `_sqlx_migrations` table")
    applied = {str(v): bytes(c).hex() for v, c in conn.execute(
        f"SELECT version, checksum FROM {TABLE} ORDER BY version").fetchall()}
    known = {m.version for m in migrations}
    if not ignore_missing:
        for version in applied:
            if version not in known:
                raise SqlxError("missing", version, f"migration {version} was previously "
                                "applied but is missing in the resolved migrations")
    ran = []
    for m in migrations:
        if m.version in applied:
            if (m.checksum or "").lower() != applied[m.version]:
                raise SqlxError("mismatch", m.version, f"migration {m.version} was previously "
                                "applied but has been modified")
            continue
        start = time.perf_counter_ns()
        try:
            if m.in_transaction:
                with conn.transaction():
                    _execute(conn, m)
            else:
                _execute(conn, m)
        except psycopg.Error as exc:
            raise SqlxError("failed", m.version, f"while executing migration {m.version}: "
                            f"{str(exc).splitlines()[0]}") from exc
        conn.execute(f"UPDATE {TABLE} SET execution_time = %s WHERE version = %s",
                     (time.perf_counter_ns() - start, int(m.version)))
        ran.append(m.version)
    return ran


def _execute(conn: psycopg.Connection[Any], m: Any) -> None:
    """``execute_migration``: the file's SQL, then the row with ``success = TRUE``."""
    if m.sql.strip():
        conn.execute(m.sql.encode())
    conn.execute(
        f"INSERT INTO {TABLE} (version, description, success, checksum, execution_time) "
        "VALUES (%s, %s, TRUE, %s, -1)",
        (int(m.version), m.description, bytes.fromhex(m.checksum or "")))
