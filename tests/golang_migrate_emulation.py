"""golang-migrate's ``migrate up`` (``Migrate.Up``), emulated over psycopg as its source does it.

The Go binary cannot be installed here, so the scenario benchmark drives this emulation of
golang-migrate/migrate v4 (``migrate.go``: ``Up``, ``readUp``, ``versionExists``,
``runMigrations``; ``database/postgres/postgres.go``: ``Version``, ``SetVersion``, ``Run``,
``ensureVersionTable``; ``source/file``: ``First``/``Next``/``ReadUp``):

1. ``CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key,
   dirty boolean not null)``; the database's version is its one row (``LIMIT 1``), or none
   (``NilVersion``);
2. ``dirty = true`` stops everything: "Dirty database version N. Fix and force version.";
3. a current version with neither an up nor a down file in the directory stops everything:
   "no migration found for version N";
4. ``readUp``: from the current version, ``Next`` version after version in numeric order
   (from the first one when there is none): every version *above* the current one, and only
   those -- a pending version below it is never run, and nothing says so;
5. each one: ``SetVersion(v, dirty=true)`` (``TRUNCATE`` and ``INSERT`` in one transaction),
   the up file sent as one query (PostgreSQL runs a multi-statement query as one implicit
   transaction), then ``SetVersion(v, false)``. A failure leaves ``v`` dirty.

Nothing to run is ``ErrNoChange``, which the CLI prints as "no change" and exits 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from schemadiff.tools import golang_migrate as gm_reader

TABLE = "schema_migrations"


class MigrateError(RuntimeError):
    """What ``migrate up`` would print and exit 1 with.

    Attributes:
        kind: ``dirty``, ``unknown-version`` (the current version has no file) or ``failed``.
        version: the version concerned.
    """

    def __init__(self, kind: str, version: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.version = kind, version


def _versions(dirpath: Path) -> tuple[dict[int, Path], set[int]]:
    """Up files by version, and every version with an up or a down file."""
    ups: dict[int, Path] = {}
    every: set[int] = set()
    for path in sorted(dirpath.iterdir()):
        parsed = gm_reader.parse_name(path.name) if path.is_file() else None
        if parsed is None:
            continue
        version, _, direction = parsed
        every.add(version)
        if direction == "up":
            ups[version] = path
    return ups, every


def _set_version(conn: psycopg.Connection[Any], version: int, dirty: bool) -> None:
    with conn.transaction():
        conn.execute(f"TRUNCATE {TABLE}")
        conn.execute(f"INSERT INTO {TABLE} (version, dirty) VALUES (%s, %s)", (version, dirty))


def migrate_up(conn: psycopg.Connection[Any], dirpath: Path) -> list[str]:
    """``migrate -path DIR -database URL up``; returns the versions applied, in order.

    ``conn`` must be in autocommit mode.

    Raises:
        MigrateError: a dirty database, a current version without a file, or a failing
            migration (left dirty; those before it stay applied).
    """
    conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} "
                 "(version bigint not null primary key, dirty boolean not null)")
    row = conn.execute(f"SELECT version, dirty FROM {TABLE} LIMIT 1").fetchone()
    current = -1 if row is None else int(row[0])
    if row is not None and row[1]:
        raise MigrateError("dirty", str(current),
                           f"Dirty database version {current}. Fix and force version.")
    ups, every = _versions(dirpath)
    if current >= 0 and current not in every:
        raise MigrateError("unknown-version", str(current),
                           f"no migration found for version {current}: read down for version "
                           f"{current} migrations: file does not exist")
    ran = []
    for version in sorted(v for v in every if v > current):
        _set_version(conn, version, True)
        path = ups.get(version)
        if path is not None:  # a version with only a down file is an empty migration
            body = path.read_bytes()
            try:
                if body.strip():
                    conn.execute(body)
            except psycopg.Error as exc:
                raise MigrateError("failed", str(version), f"migration failed in line 0: "
                                   f"{str(exc).splitlines()[0]} (details: {path.name})") from exc
        _set_version(conn, version, False)
        ran.append(str(version))
    return ran
