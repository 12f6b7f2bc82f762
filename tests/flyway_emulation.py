"""Flyway's ``migrate`` (validate on migrate, then the pending migrations), emulated over psycopg.

Flyway is a Java program that cannot be installed here, so the scenario benchmark drives this
emulation of flyway/flyway (``internal/info/MigrationInfoServiceImpl.refresh``,
``MigrationInfoImpl.getState`` and ``validate``, ``internal/command/DbMigrate``, default
configuration: ``validateOnMigrate=true``, ``outOfOrder=false``, ``ignoreMigrationPatterns =
*:future``, ``baselineOnMigrate=false``):

1. no ``flyway_schema_history`` table in a schema that holds tables: "Found non-empty
   schema(s) ... but no schema history table" (baseline needed); an empty schema gets the table;
2. the applied migrations are the rows by ``installed_rank``; for each version the latest row
   decides; ``lastApplied`` is the highest applied version; a ``BASELINE`` row at version V
   makes every resolved version below V ``BELOW_BASELINE`` (never run);
3. each resolved versioned migration without a row is ``PENDING`` when its version is above
   ``lastApplied`` (or with ``outOfOrder``), else ``IGNORED``;
4. validate, in info order, stops at the first of: a failed row ("Detected failed migration to
   version V"), an applied version with no script below the highest resolved one ("Detected
   applied migration not resolved locally: V"; a higher one is a future migration, allowed),
   an ``IGNORED`` one ("Detected resolved migration not applied to database: V"), a checksum
   or description differing from the script's ("Migration checksum mismatch for migration
   version V");
5. migrate runs the pending versioned migrations in version order, then every repeatable whose
   description has no row or whose latest row has another checksum, in description order.
   Each runs in one transaction (its statements, then its row: next ``installed_rank``,
   version, description, ``SQL``, script, checksum, ``current_user``, time, ``true``); a
   script Flyway marks non-transactional runs statement by statement without one, and its
   failure leaves a row with ``success = false``.

Versions, order, checksums and the transaction flag come from schemadiff's Flyway reader,
which follows Flyway's ``ResourceNameParser``, ``MigrationVersion`` and
``ChecksumCalculator``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg

from schemadiff.sql.split import split
from schemadiff.tools import flyway as fw

TABLE = "flyway_schema_history"


class FlywayError(RuntimeError):
    """What ``flyway migrate`` would print and exit 1 with.

    Attributes:
        kind: ``not-baselined``, ``failed-row``, ``missing``, ``ignored`` (a pending migration
            below the highest applied one: Flyway's out-of-order refusal), ``mismatch`` or
            ``failed`` (a migration's SQL failed).
        version: the version concerned ("" when none).
    """

    def __init__(self, kind: str, version: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.version = kind, version


def _table_exists(conn: psycopg.Connection[Any]) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TABLE,)).fetchone()[0]


def _schema_is_empty(conn: psycopg.Connection[Any]) -> bool:
    return conn.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p', 'S'))"
    ).fetchone()[0]


def _rows(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    cur = conn.execute(f"SELECT installed_rank, version, description, type, checksum, success "
                       f"FROM {TABLE} ORDER BY installed_rank")
    names = [d.name for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def flyway_migrate(conn: psycopg.Connection[Any], dirpath: Path, *,
                   out_of_order: bool = False) -> list[str]:
    """``flyway migrate`` (``-outOfOrder=true`` with ``out_of_order``); returns the versions
    applied, in order (repeatables as ``R__<description>``).

    ``conn`` must be in autocommit mode.

    Raises:
        FlywayError: what validate refuses, or a failing migration.
    """
    resolved = fw.list_migrations(dirpath)
    if not _table_exists(conn):
        if not _schema_is_empty(conn):
            raise FlywayError("not-baselined", "", "Found non-empty schema(s) without schema "
                              "history table! Use baseline() or set baselineOnMigrate to true "
                              "to initialize the schema history table.")
        conn.execute(fw.create_table_sql(TABLE, TABLE))
    latest: dict[str, dict[str, Any]] = {}
    repeat_latest: dict[str, dict[str, Any]] = {}
    baseline: fw.Version | None = None
    for row in _rows(conn):
        if row["type"] == "SCHEMA":
            continue
        if row["version"] is None:
            repeat_latest[row["description"]] = row
            continue
        latest[_key(row["version"])] = row
        if row["type"] == "BASELINE":
            baseline = fw.Version(row["version"])
    applied = {v: r for v, r in latest.items() if r["type"] not in fw._UNDONE}
    last_applied = max((fw.Version(v) for v in applied), default=None)
    versioned = [m for m in resolved if not m.repeatable]
    last_resolved = max((fw.Version(m.version) for m in versioned), default=None)
    by_version = {_key(m.version): m for m in versioned}

    pending = []
    for version, row in sorted(applied.items(), key=lambda item: fw.Version(item[0])):
        m = by_version.get(version)
        if not row["success"]:
            raise FlywayError("failed-row", version, f"Detected failed migration to version "
                              f"{version} ({row['description']})")
        if row["type"] == "BASELINE":
            continue
        if m is None:
            if last_resolved is not None and fw.Version(version) < last_resolved:
                raise FlywayError("missing", version, "Detected applied migration not resolved "
                                  f"locally: {version}")
            continue  # a future migration: allowed by default
        if row["checksum"] is not None and str(row["checksum"]) != m.checksum:
            raise FlywayError("mismatch", version, "Migration checksum mismatch for migration "
                              f"version {version}")
        if row["description"] != fw.abbreviate(m.description, 200):
            raise FlywayError("mismatch", version, "Migration description mismatch for "
                              f"migration version {version}")
    for m in versioned:
        v = fw.Version(m.version)
        if _key(m.version) in applied or (baseline is not None and v < baseline):
            continue
        if last_applied is not None and v < last_applied and not out_of_order:
            raise FlywayError("ignored", m.version, "Detected resolved migration not applied to "
                              f"database: {m.version}")
        pending.append(m)
    for m in (m for m in resolved if m.repeatable):
        row = repeat_latest.get(m.description)
        if row is None or str(row["checksum"]) != m.checksum:
            pending.append(m)
    ran = []
    for m in pending:
        _run(conn, m)
        ran.append(m.version)
    return ran


def _key(version: str) -> str:
    """One spelling per version, as Flyway's MigrationVersion compares them (numerically part
    by part, trailing zero parts dropped: "1.010" is "1.10", "1.0" is "1")."""
    return ".".join(map(str, fw.Version(version).parts))


def _insert_row(conn: psycopg.Connection[Any], m: Any, millis: int, success: bool) -> None:
    conn.execute(
        f"INSERT INTO {TABLE} (installed_rank, version, description, type, script, checksum, "
        f"installed_by, execution_time, success) SELECT COALESCE(max(installed_rank), 0) + 1, "
        f"%s, %s, 'SQL', %s, %s, current_user, %s, %s FROM {TABLE}",
        (None if m.repeatable else m.version, fw.abbreviate(m.description, 200),
         Path(m.path).name, int(m.checksum), millis, success))


def _run(conn: psycopg.Connection[Any], m: Any) -> None:
    """``DbMigrate.doMigrateGroup`` for one script, then its history row."""
    start = time.perf_counter()
    try:
        if m.in_transaction:
            with conn.transaction():
                if m.sql.strip():
                    conn.execute(m.sql.encode())
                _insert_row(conn, m, int((time.perf_counter() - start) * 1000), True)
            return
        try:
            for statement in split(m.sql, m.path):
                if not statement.meta:
                    conn.execute(statement.text.encode())
        except psycopg.Error:
            _insert_row(conn, m, int((time.perf_counter() - start) * 1000), False)
            raise
        _insert_row(conn, m, int((time.perf_counter() - start) * 1000), True)
    except psycopg.Error as exc:
        raise FlywayError("failed", m.version, f"Migration {Path(m.path).name} failed: "
                          f"{str(exc).splitlines()[0]}") from exc
