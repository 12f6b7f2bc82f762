"""diesel's ``migration run`` (``MigrationHarness::run_pending_migrations``), emulated over psycopg.

The diesel CLI is a Rust program that cannot be installed here, so the scenario benchmark
drives this emulation of diesel-rs/diesel (``diesel_migrations/src/migration_harness.rs``:
``run_pending_migrations``, ``pending_migrations``, ``run_migration``,
``applied_migrations``; ``setup_migration_table.sql``; ``file_based_migrations.rs``):

1. ``CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY
   NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)``;
2. the pending migrations are those of the directory whose version has no row, sorted by
   version (a string): diesel runs every one of them, whatever the highest applied version,
   and never complains about rows whose directory is gone;
3. each one: its ``up.sql`` (sent whole, as ``batch_execute`` does) and ``INSERT INTO
   __diesel_schema_migrations (version)``, in one transaction unless its ``metadata.toml``
   says ``run_in_transaction = false``. The first failure stops the run.

Versions, order and the transaction flag come from schemadiff's diesel reader, which follows
diesel's ``version_from_string`` and ``metadata.toml`` rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from schemadiff.tools import diesel as diesel_reader

TABLE = "__diesel_schema_migrations"


class DieselError(RuntimeError):
    """What ``diesel migration run`` would print and exit 1 with.

    Attributes:
        kind: ``failed`` (a migration's SQL failed).
        version: the version concerned.
    """

    def __init__(self, kind: str, version: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.version = kind, version


def run_pending_migrations(conn: psycopg.Connection[Any], dirpath: Path) -> list[str]:
    """``diesel migration run``; returns the versions applied, in order.

    ``conn`` must be in autocommit mode.

    Raises:
        DieselError: a failing migration (those before it stay applied).
    """
    conn.execute(f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        version VARCHAR(50) PRIMARY KEY NOT NULL,
        run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)""")
    applied = {r[0] for r in conn.execute(
        f"SELECT version FROM {TABLE} ORDER BY version DESC").fetchall()}
    pending = sorted((m for m in diesel_reader.list_migrations(dirpath)
                      if m.version not in applied), key=lambda m: m.version)
    ran = []
    for m in pending:
        try:
            if m.in_transaction:
                with conn.transaction():
                    _apply(conn, m)
            else:
                _apply(conn, m)
        except psycopg.Error as exc:
            raise DieselError("failed", m.version, f"Failed to run {m.extra.get('directory')} "
                              f"with: {str(exc).splitlines()[0]}") from exc
        ran.append(m.version)
    return ran


def _apply(conn: psycopg.Connection[Any], m: Any) -> None:
    conn.execute(m.sql.encode())
    conn.execute(f"INSERT INTO {TABLE} (version) VALUES (%s)", (m.version,))
