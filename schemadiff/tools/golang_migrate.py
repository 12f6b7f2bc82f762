"""golang-migrate/migrate: ``<version>_<name>.up.<ext>`` / ``.down.<ext>`` pairs.

Rules (``source/parse.go``, the ``file``/``iofs`` source drivers, ``database/postgres``):

- a top-level file whose whole name matches ``^([0-9]+)_(.*)\\.(down|up)\\.(.*)$`` is a
  migration half; anything else (``atlas.sum``, ``README.md``) is skipped. A version that does
  not fit an unsigned 64-bit integer makes the name unparsable, so the file is skipped too.
- the version is that integer in decimal (``000001_init.up.sql`` -> ``"1"``); migrations run in
  numeric order. Two ``up`` files with one version are an error, as in golang-migrate.
- only ``up`` files are UP units; the whole file is the UP SQL (no annotations).
- the PostgreSQL driver sends a file as one multi-statement query, which PostgreSQL runs as one
  implicit transaction: ``in_transaction`` is true.
"""

from __future__ import annotations

import re
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.tools import _common

NAME = "golang-migrate"
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "schema_migrations")})

_NAME = re.compile(r"([0-9]+)_(.*)\.(down|up)\.(.*)", re.DOTALL)
_UINT64_MAX = 2**64 - 1


def checksum(data: bytes) -> str | None:
    """golang-migrate records no checksum."""
    return None


def parse_name(name: str) -> tuple[int, str, str] | None:
    """``(version, identifier, direction)`` of a golang-migrate file name, or None if skipped."""
    m = _NAME.fullmatch(name)
    if m is None or int(m.group(1)) > _UINT64_MAX:
        return None
    return int(m.group(1)), m.group(2), m.group(3)


def detect(root: Path) -> int:
    """70 when ``root`` holds numbered ``.up.sql``/``.down.sql`` files, else 0."""
    return 70 if any(_common.UP_DOWN_SQL.match(p.name) for p in _common.entries(root)) else 0


def list_migrations(root: Path) -> list[Migration]:
    """The ``up`` migrations of ``root`` in version order.

    Raises:
        MigrationError: two ``up`` files share a version, or a file is not valid UTF-8.
    """
    _common.require_dir(root)
    found: list[tuple[int, Migration]] = []
    for path in _common.entries(root):
        parsed = parse_name(path.name)
        if parsed is None or parsed[2] != "up" or not path.is_file():
            continue
        version, identifier, _ = parsed
        _, text = _common.read_text(path)
        found.append(
            (version, Migration(str(version), identifier, str(path), text, in_transaction=True))
        )
    found.sort(key=lambda item: item[0])
    migrations = [m for _, m in found]
    _common.check_unique(migrations)
    return migrations
