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
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.tools import _common

NAME = "prisma"
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "_prisma_migrations")})

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
    return [p for p in _common.entries(root) if p.is_dir() and not p.name.startswith(".")]


def detect(root: Path) -> int:
    """100 for ``*/migration.sql`` with ``migration_lock.toml``, 90 without the lock file."""
    if not any((d / SCRIPT).is_file() for d in _migration_dirs(root)):
        return 0
    return 100 if (root / LOCK_FILE).is_file() else 90


def list_migrations(root: Path) -> list[Migration]:
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
