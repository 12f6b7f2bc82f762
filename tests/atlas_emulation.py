"""Atlas's ``migrate apply`` (``Executor.Pending`` and ``Execute``), emulated over psycopg.

The Atlas binary cannot be installed here, so the scenario benchmark drives this emulation of
ariga/atlas (``sql/migrate/migrate.go``: ``Executor.Pending``, ``Execute``, ``ValidateDir``,
``ExecOrder``; ``sql/migrate/dir.go``: ``HashFile``; ``cmd/atlas/internal/migrate/ent``: the
``atlas_schema_revisions`` table; the PostgreSQL driver's ``CheckClean``), with the CLI's
defaults (database URL, so revisions live in schema ``atlas_schema_revisions``; ``--tx-mode
file``; ``--exec-order linear``):

1. the directory must match its ``atlas.sum`` (else "checksum mismatch": run ``atlas migrate
   hash``);
2. no revisions: the database must be clean (no table outside the revisions schema), else
   "connected database is not clean ... baseline version or allow-dirty is required";
3. revisions in version order; the last one decides where to go on: the files after it
   (with the last one again when it is partly applied, ``applied < total``);
4. files between the first and the last revision without a revision of their own were added
   out of order: ``linear`` refuses ("migration file X was added out of order"),
   ``non-linear`` runs them first;
5. each file in one transaction: its statements one by one, then its revision (type 2
   "execute", ``applied = total`` = its statement count, the ``atlas.sum`` hash). A failure
   rolls the transaction back, revision included.

Statements are split by schemadiff's splitter; versions, order and hashes come from
schemadiff's Atlas reader (``LocalFile.Version``, ``HashFile``).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import psycopg

from schemadiff.sql.split import split
from schemadiff.tools import atlas as atlas_reader

SCHEMA = "atlas_schema_revisions"
TABLE = f"{SCHEMA}.atlas_schema_revisions"


class AtlasError(RuntimeError):
    """What ``atlas migrate apply`` would print and exit 1 with.

    Attributes:
        kind: ``checksum``, ``not-clean``, ``out-of-order`` or ``failed``.
        version: the version concerned ("" when none).
    """

    def __init__(self, kind: str, version: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.version = kind, version


def sum_file_text(dirpath: Path) -> str:
    """What ``atlas migrate hash`` writes into ``atlas.sum`` for the directory as it is."""
    files = sorted(p for p in dirpath.glob("*.sql") if p.is_file())
    entries = atlas_reader.sum_entries([(p.name, p.read_bytes()) for p in files])
    total = hashlib.sha256()
    for name, value in entries.items():
        total.update(name.encode())
        total.update(value.encode())
    head = "h1:" + base64.b64encode(total.digest()).decode()
    return head + "\n" + "".join(f"{n} h1:{v}\n" for n, v in entries.items())


def _is_clean(conn: psycopg.Connection[Any]) -> str | None:
    row = conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname <> %s AND n.nspname NOT LIKE 'pg\\_%%' "
        "AND n.nspname <> 'information_schema' ORDER BY 1, 2 LIMIT 1", (SCHEMA,)).fetchone()
    return None if row is None else f"found table {row[1]!r} in schema {row[0]!r}"


def _revisions(conn: psycopg.Connection[Any]) -> list[tuple[str, int, int]]:
    exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TABLE,)).fetchone()[0]
    if not exists:
        return []
    return [(v, int(a), int(t)) for v, a, t in conn.execute(
        f"SELECT version, applied, total FROM {TABLE} WHERE version NOT LIKE '.%%' "
        "ORDER BY version").fetchall()]


def migrate_apply(conn: psycopg.Connection[Any], dirpath: Path, *,
                  exec_order: str = "linear") -> list[str]:
    """``atlas migrate apply --dir file://DIR --url URL [--exec-order non-linear]``; returns
    the versions applied, in order.

    ``conn`` must be in autocommit mode.

    Raises:
        AtlasError: a stale atlas.sum, a dirty database without revisions, files added out of
            order (linear), or a failing file (rolled back; those before it stay applied).
    """
    sum_path = dirpath / atlas_reader.SUM_FILE
    if not sum_path.is_file() or sum_path.read_text() != sum_file_text(dirpath):
        raise AtlasError("checksum", "", "You have a checksum error in your migration "
                         "directory. Please run 'atlas migrate hash' to re-hash the contents")
    files = atlas_reader.list_migrations(dirpath)
    revs = _revisions(conn)
    if not revs:
        dirty = _is_clean(conn)
        if dirty is not None:
            raise AtlasError("not-clean", "", f"sql/migrate: connected database is not clean: "
                             f"{dirty}. baseline version or allow-dirty is required")
        pending = files
    else:
        last_version, applied, total = revs[-1]
        partly = applied != total
        idx = max((i for i, f in enumerate(files)
                   if (f.version == last_version if partly else f.version <= last_version)),
                  default=-1)
        if idx == -1:
            pending = files
        else:
            if not partly:
                idx += 1
            pending = files[idx:]
            recorded = {v for v, _, _ in revs}
            first = next((i for i, f in enumerate(files[:idx]) if f.version >= revs[0][0]), -1)
            skipped = [f for f in files[first:idx] if f.version not in recorded] if first >= 0 \
                else []
            if skipped and exec_order == "linear":
                names = ", ".join(Path(f.path).name for f in skipped)
                raise AtlasError("out-of-order", skipped[0].version,
                                 f"migration file {names} was added out of order. See: "
                                 "https://atlasgo.io/versioned/apply#non-linear-error")
            if exec_order == "non-linear":
                pending = skipped + pending
    done = {v: a for v, a, _ in revs}
    ran = []
    for f in pending:
        statements = [s.text for s in split(f.sql, f.path) if not s.meta]
        try:
            with conn.transaction():
                for text in statements[done.get(f.version, 0):]:  # a partly applied file
                    conn.execute(text.encode())                   # goes on where it stopped
                conn.execute(atlas_reader.create_table_sql(TABLE, SCHEMA))
                conn.execute(
                    f"INSERT INTO {TABLE} (version, description, type, applied, total, "
                    "executed_at, execution_time, hash, operator_version) VALUES "
                    "(%s, %s, 2, %s, %s, now(), 0, %s, 'Atlas emulation') ON CONFLICT (version) "
                    "DO UPDATE SET applied = EXCLUDED.applied, total = EXCLUDED.total, "
                    "error = NULL, error_stmt = NULL",
                    (f.version, f.description, len(statements), len(statements),
                     f.checksum or ""))
        except psycopg.Error as exc:
            raise AtlasError("failed", f.version, f"sql/migrate: executing statement from "
                             f"version {f.version!r}: {str(exc).splitlines()[0]}") from exc
        ran.append(f.version)
    return ran
