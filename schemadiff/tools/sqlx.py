"""launchbadge/sqlx: ``<version>_<description>.sql`` and reversible ``.up.sql``/``.down.sql``.

Rules (``sqlx-core/src/migrate/source.rs``, ``migration.rs``, ``migration_type.rs``):

- every regular top-level file whose name splits at its first ``_`` into two parts, the second
  ending in ``.sql``, is a migration; other files are ignored. The first part must parse as an
  ``i64`` (an optional sign, then digits), else sqlx refuses the directory. The version is
  that integer in decimal; migrations run in numeric order.
- ``*.down.sql`` files are the revert halves of reversible migrations: not UP units.
- the description is the second part with its type suffix (``.up.sql``, ``.down.sql`` or
  ``.sql``, removed as often as it repeats, like Rust's ``trim_end_matches``) taken off and
  every ``_`` turned into a space: ``20210425153745_create_history.sql`` -> ``"create history"``.
- a file whose text starts with ``-- no-transaction`` (first bytes, so not after a BOM) runs
  outside a transaction; that comment line is blanked in ``sql``.
- the checksum is the SHA-384 of the file's exact bytes, stored as ``bytea``: here lowercase
  hex (compare with ``encode(checksum, 'hex')``).
- sqlx 0.9's ``sqlx.toml`` (the nearest above the directory, ``[migrate]``; ``config/migrate.rs``):
  ``ignored-chars`` are dropped from the text before it is hashed (``checksum_fragments``),
  ``table-name`` moves the history table (``--history-table`` wins), ``create-schemas`` are made
  by sqlx before it migrates (expected, made by no migration).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.tools import _common, _script
from schemadiff.tools.protocol import (
    ProjectConfig,
    SyncContext,
    SyncError,
    SyncScript,
    ToolOptions,
)

NAME = "sqlx"
SQL_FROM_TOOL = False
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "_sqlx_migrations")})
#: What marks a directory as sqlx's, and what a sqlx version is (for messages).
LAYOUT = "'<version>_<description>.sql' files"
VERSION_SYNTAX = "a 64-bit integer (_sqlx_migrations.version)"

_INT64 = re.compile(r"^[+-]?[0-9]+$")
_NO_TX = b"-- no-transaction"
_SUFFIXES = (".up.sql", ".down.sql", ".sql")


def checksum(data: bytes) -> str | None:
    """SHA-384 of the exact file bytes, lowercase hex (what ``_sqlx_migrations.checksum`` holds)."""
    return hashlib.sha384(data).hexdigest()


def _hashed(text: str, ignored: str) -> bytes:
    """What sqlx hashes with ``ignored-chars``: the text without them."""
    return text.translate({ord(c): None for c in ignored}).encode("utf-8")


def parse_name(name: str) -> tuple[str, str, str] | None:
    """``(version part, type suffix, description)`` of a sqlx file name, or None if ignored.

    The version part is not validated here (see :func:`list_migrations`).
    """
    version, sep, rest = name.partition("_")
    if not sep or not rest.endswith(".sql"):
        return None
    suffix = next(s for s in _SUFFIXES if rest.endswith(s))
    description = rest
    while description.endswith(suffix):
        description = description[: -len(suffix)]
    return version, suffix, description.replace("_", " ")


def _candidates(root: Path) -> list[tuple[Path, tuple[str, str, str]]]:
    """Regular files of ``root`` whose names have sqlx's shape, with :func:`parse_name`."""
    found = []
    for path in _common.entries(root):
        parsed = parse_name(path.name)
        if parsed is not None and _common.is_migration_file(path):
            found.append((path, parsed))
    return found


def detect(root: Path) -> int:
    """How much ``root`` looks like a sqlx directory.

    Plain ``<int>_<desc>.sql`` files without goose or dbmate annotations score 50; with
    reversible files beside them, or a ``-- no-transaction`` header, 75; reversible files alone
    (a layout golang-migrate shares) 30.
    """
    files = [(p, parsed) for p, parsed in _candidates(root) if _INT64.match(parsed[0])]
    if not files or _common.has_tool_markers(p for p, _ in files):
        return 0
    plain = any(suffix == ".sql" for _, (_, suffix, _) in files)
    reversible = any(suffix != ".sql" for _, (_, suffix, _) in files)
    no_tx = any(_common.head_bytes(p).startswith(_NO_TX) for p, _ in files)
    if (plain and reversible) or no_tx:
        return 75
    return 50 if plain else 30


def _settings(root: Path) -> dict[str, object]:
    """The ``[migrate]`` table of the nearest ``sqlx.toml`` above ``root`` (empty: none, or
    one that does not parse, as sqlx would refuse it)."""
    path = _common.nearest(root, ("sqlx.toml",))
    if path is None:
        return {}
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text("utf-8", errors="replace"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    migrate = data.get("migrate")
    return migrate if isinstance(migrate, dict) else {}


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def configured(root: Path) -> ProjectConfig:
    """``sqlx.toml``'s ``table-name`` (quotes dropped) and ``create-schemas``."""
    settings = _settings(root)
    table = settings.get("table-name")
    return ProjectConfig(str(table).replace('"', "") if table else None,
                         _strings(settings.get("create-schemas")),
                         "sqlx.toml table-name" if table else "")


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The sqlx UP migrations of ``root`` in version order.

    Raises:
        MigrationError: a file name whose version part is not an ``i64``, invalid UTF-8, or two
            UP files with the same version.
    """
    _common.require_dir(root)
    settings = _settings(root)
    ignored = "".join(c for c in _strings(settings.get("ignored-chars")) if len(c) == 1)
    made = _strings(settings.get("create-schemas"))
    found: list[tuple[int, Migration]] = []
    for path, (version_text, suffix, description) in _candidates(root):
        if not _INT64.match(version_text) or not -(2**63) <= int(version_text) < 2**63:
            raise _common.fail("sqlx expects an integer version prefix (e.g. 01_foo.sql)", path)
        if suffix == ".down.sql":
            continue
        data = _common.read_bytes(path)
        raw = _common.decode(data, path)
        lines = _common.split_lines(raw.removeprefix(_common.BOM))
        no_tx = data.startswith(_NO_TX)  # raw is data decoded: the same prefix
        if no_tx:  # the -- no-transaction line is an annotation: blank it
            lines[0] = _common.blank(lines[0])
        version = int(version_text)
        found.append(
            (
                version,
                Migration(
                    version=str(version),
                    description=description,
                    path=str(path),
                    sql="".join(lines),
                    in_transaction=not no_tx,
                    checksum=checksum(_hashed(raw, ignored) if ignored else data),
                    tool_schemas=made,
                ),
            )
        )
    found.sort(key=lambda item: item[0])
    migrations = [m for _, m in found]
    _common.check_unique(migrations)
    return migrations


# -- history table and sync ------------------------------------------------------------------
#
# _sqlx_migrations (sqlx-postgres/src/migrate.rs): version bigint primary key, description,
# installed_on, success, checksum bytea, execution_time bigint. sqlx inserts the row with
# success = true and execution_time = -1 in the migration's transaction, then updates the
# time. On start it refuses a row with success = false (Dirty), an applied version with no
# file (VersionMissing) and a checksum that differs from the file's (VersionMismatch).

#: The columns a history reader needs, as text (``{table}``: the quoted table name).
HISTORY_QUERY = (
    "SELECT version::text AS version, description, success::text AS success, "
    "encode(checksum, 'hex') AS checksum FROM {table}"
)

#: _sqlx_migrations as sqlx creates it.
_CREATE_TABLE = """CREATE TABLE IF NOT EXISTS {table} (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
);"""


#: The columns that make a table sqlx's history (tool detection).
HISTORY_COLUMNS = frozenset({"version", "description", "success", "checksum", "execution_time"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list, spelled as sqlx records it (``"007"`` -> ``"7"``);
    None when it is not a sqlx version."""
    if not _INT64.match(text) or not -(2**63) <= int(text) < 2**63:
        return None
    return str(int(text))


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The versions of a _sqlx_migrations table, in version order, and notes.

    Args:
        rows: mappings with ``version``, ``description``, ``success`` and ``checksum`` (hex,
            ``\\x`` hex or bytes).
        migrations: unused (every reader takes them).
    """
    found = []
    notes = []
    for row in rows:
        version = int(str(row["version"]))
        success = _common.row_bool(row["success"]) is not False
        found.append((version, RecordedVersion(
            str(version), _common.row_hex(row.get("checksum")),
            _common.row_text(row.get("description")), success)))
        if not success:
            notes.append(f"version {version} failed (success = false): sqlx refuses to run "
                         "until the row is fixed")
    found.sort(key=lambda item: item[0])
    return tuple(v for _, v in found), tuple(notes)


def render_sync(ctx: SyncContext) -> SyncScript:
    """sqlx's repair script: one ``_sqlx_migrations`` row per missing version.

    Each row is what sqlx itself writes: the version, the description from the file name,
    ``success = true``, the SHA-384 of the file's exact bytes (CRLF and BOM included) as
    bytea, and ``execution_time = -1`` (sqlx's own value before it measures; sqlx never reads
    it back). A failed row of a missing version is deleted first; ``prune`` deletes rows.

    Raises:
        SyncError: a migration without a checksum (not read by the sqlx reader).
    """
    table = _script.qualified(ctx.table)
    body: list[str] = []
    if not ctx.recorded.table_exists:
        body.append(_CREATE_TABLE.format(table=table))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    for version in ctx.prune:
        body.append(f"DELETE FROM {table} WHERE version = {int(version)};")
    failed = ctx.failed
    for m in sorted(ctx.missing, key=lambda m: int(m.version)):
        if not m.checksum:
            raise SyncError(f"migration {m.label} has no sqlx checksum ({m.path})")
        v = int(m.version)
        if m.version in failed:
            body.append(f"DELETE FROM {table} WHERE version = {v} AND NOT success;")
        body.append(
            f"-- {_script.comment_text(m.label)}\n"
            f"INSERT INTO {table} (version, description, success, checksum, execution_time)\n"
            f"SELECT {v}, {_script.literal(m.description)}, true, "
            f"decode({_script.literal(m.checksum)}, 'hex'), -1\n"
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE version = {v});")
    body += checksum_repair(ctx)
    warnings = []
    if ctx.migrations:
        known = {m.version for m in ctx.migrations}
        orphans = sorted(set(ctx.recorded.applied) - set(ctx.prune) - known, key=int)
        if orphans:
            warnings.append(f"recorded version(s) {', '.join(orphans)} have no file: sqlx "
                            "refuses to start (VersionMissing) unless ignore_missing is set")
    return SyncScript(
        NAME, "script", _script.frame(ctx, "backfill _sqlx_migrations", body),
        warnings=tuple(warnings),
        inserted=tuple(m.version for m in ctx.missing),
        pruned=ctx.prune,
        updated=tuple(m.version for m in ctx.checksums),
    )


def checksum_repair(ctx: SyncContext) -> list[str]:
    """``--repair-checksums``: set each changed migration's recorded checksum to the SHA-384
    of its file as it is now, which is what sqlx compares (``VersionMismatch``) before it
    runs anything. Only successful rows: a failed one is sqlx's ``Dirty`` state, not this."""
    table = _script.qualified(ctx.table)
    out = []
    for m in sorted(ctx.checksums, key=lambda m: int(m.version)):
        if not m.checksum:
            raise SyncError(f"migration {m.label} has no sqlx checksum ({m.path})")
        out.append(
            f"-- {_script.comment_text(m.label)}: recorded "
            f"{_script.comment_text(str(ctx.recorded_checksum(m.version)))}\n"
            f"UPDATE {table} SET checksum = decode({_script.literal(m.checksum)}, 'hex')\n"
            f"WHERE version = {int(m.version)} AND success;")
    return out
