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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.tools import _common, _script
from schemadiff.tools.protocol import (
    SyncContext,
    SyncError,
    SyncRefusal,
    SyncScript,
    ToolOptions,
)

NAME = "golang-migrate"
SQL_FROM_TOOL = False
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "schema_migrations")})
#: What marks a directory as golang-migrate's, and what its version is (for messages).
LAYOUT = "'<version>_<name>.up.sql' / '.down.sql' files"
VERSION_SYNTAX = "an unsigned integer (schema_migrations.version)"

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


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The ``up`` migrations of ``root`` in version order.

    Raises:
        MigrationError: two ``up`` files share a version, or a file is not valid UTF-8.
    """
    _common.require_dir(root)
    found: list[tuple[int, Migration]] = []
    for path in _common.entries(root):
        parsed = parse_name(path.name)
        if parsed is None or parsed[2] != "up" or not _common.is_migration_file(path):
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


# -- history table and sync ------------------------------------------------------------------
#
# schema_migrations (database/postgres/postgres.go): version bigint primary key, dirty
# boolean; SetVersion truncates the table and inserts ONE row. That row means every migration
# up to and including ``version`` is applied; ``dirty`` means that last one failed part way
# and golang-migrate refuses to run until it is forced. Versions below it are never run.

#: The columns a history reader needs, as text (``{table}``: the quoted table name).
HISTORY_QUERY = "SELECT version::text AS version, dirty::text AS dirty FROM {table}"

#: schema_migrations as golang-migrate creates it.
_CREATE_TABLE = ("CREATE TABLE IF NOT EXISTS {table} "
                "(version bigint not null primary key, dirty boolean not null);")


#: The columns that make a table golang-migrate's history (tool detection).
HISTORY_COLUMNS = frozenset({"version", "dirty"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list, spelled as golang-migrate records it
    (``"000001"`` -> ``"1"``); None when it is not a golang-migrate version."""
    if not text.isascii() or not text.isdigit() or int(text) > _UINT64_MAX:
        return None
    return str(int(text))


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """golang-migrate's single row, expanded to the versions it stands for.

    Args:
        rows: mappings with ``version`` and ``dirty`` (golang-migrate reads one row; several
            are noted and the highest is used).
        migrations: the directory's migrations: every one at or below the recorded version is
            recorded as applied. Without them, only the recorded version is listed.

    Returns:
        The versions (a dirty row's own version with ``success=False``), and notes.
    """
    found = [(int(str(row["version"])), bool(_common.row_bool(row["dirty"]))) for row in rows]
    notes: list[str] = []
    if not found:
        return (), ()
    if len(found) > 1:
        notes.append(f"schema_migrations holds {len(found)} rows; golang-migrate keeps one "
                     "(the highest is used here)")
    current, dirty = max(found)
    if current < 0:
        return (), (f"version {current} (no migration applied){' and dirty' if dirty else ''}",)
    below = sorted({int(m.version) for m in migrations if int(m.version) < current})
    versions = [RecordedVersion(str(v)) for v in below]
    versions.append(RecordedVersion(str(current), success=not dirty))
    if dirty:
        notes.append(f"version {current} is dirty: it failed part way; golang-migrate refuses "
                     f"to run until `migrate force` (its effects may be partly present)")
    if migrations:
        notes.append(f"one row, version {current}: versions up to it count as applied")
    return tuple(versions), tuple(notes)


def render_sync(ctx: SyncContext) -> SyncScript:
    """golang-migrate's repair script: its single row set to the highest applied version
    (``dirty = false``), or removed when nothing is applied.

    The row replaces whatever is there (a dirty row too), as golang-migrate's own
    ``SetVersion`` does; running the script twice leaves the same row.
    """
    table = _script.qualified(ctx.table)
    for version in [m.version for m in ctx.missing] + list(ctx.prune):
        if not version.lstrip("-").isdigit():
            raise SyncError(f"golang-migrate versions are integers; cannot record {version!r}")
    target = max((int(v) for v in ctx.applied_after), default=None)
    below = [m.version for m in ctx.pending_after if target is not None and int(m.version) < target]
    if below:
        raise SyncRefusal(
            f"sync refused: golang-migrate keeps one row, and version {target} would mark the "
            f"pending migration(s) {', '.join(below)} below it as applied: golang-migrate "
            "would never run them. Apply them first (by hand, in order), then sync again; "
            "those the schema cannot verify (no schema effect) are recorded with "
            "--assume-applied VERSION once you know they ran"
        )
    body: list[str] = []
    if not ctx.recorded.table_exists:
        body.append(_CREATE_TABLE.format(table=table))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    body.append(f"DELETE FROM {table};")
    if target is not None:
        body.append(f"INSERT INTO {table} (version, dirty) VALUES ({target}, false);")
    # the dirty row of a version not applied goes with the row it is replaced by
    dropped = [v.version for v in ctx.recorded.versions
               if not v.success and v.version not in ctx.applied_after]
    ctx.notes.append(f"golang-migrate keeps one row: version {target} means every migration up "
                     "to it is applied" if target is not None else
                     "no applied version remains: the row is removed")
    return SyncScript(
        NAME, "script", _script.frame(ctx, "set schema_migrations", body),
        commands=("migrate up",) if any(int(m.version) > (target or 0)
                                        for m in ctx.pending_after) else (),
        inserted=(str(target),) if target is not None else (),
        pruned=tuple(dict.fromkeys([*ctx.prune, *dropped])),
    )
