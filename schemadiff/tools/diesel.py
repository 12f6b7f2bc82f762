"""diesel: a directory per migration, ``<version>_<name>/up.sql`` (+ down.sql, metadata.toml).

Rules (``diesel_migrations/src/file_based_migrations.rs``, ``migrations_internals``,
``migration_harness.rs``):

- every top-level entry that is not a file and whose name does not start with ``.`` is a
  migration directory and must contain ``up.sql`` (diesel refuses the directory otherwise).
  Top-level files (``README.md``, a stray data ``.sql``) are not migrations.
- the version is the directory name up to its first ``_`` with every ``-`` removed:
  ``2017-09-23-182408_add_emails`` -> ``"20170923182408"``, ``00000000000000_diesel_initial_setup``
  -> ``"00000000000000"``. Migrations run in the order of that version *as a string*, so mixed
  spellings sort correctly while plain directory names would not.
- ``metadata.toml`` controls the transaction: absent or unparsable -> in a transaction; parsed,
  ``run_in_transaction`` is used, and a parsed file *without* that key means false (the field is
  ``#[serde(default)] bool``).
- an empty ``up.sql`` (zero bytes) is refused by diesel at run time; it is an error here too.

diesel records ``__diesel_schema_migrations(version, run_on)``, no checksum.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.tools import _common, _script
from schemadiff.tools.protocol import SyncContext, SyncScript, ToolOptions

NAME = "diesel"
SQL_FROM_TOOL = False
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "__diesel_schema_migrations")})
#: What marks a directory as diesel's, and what a diesel version is (for messages).
LAYOUT = "'<version>_<name>/up.sql' directories"
VERSION_SYNTAX = "a migration directory's name up to its first '_' (dashes dropped)"


def checksum(data: bytes) -> str | None:
    """diesel records no checksum."""
    return None


def version_of(directory_name: str) -> str:
    """diesel's version for a migration directory name (``migrations_internals``)."""
    return directory_name.split("_", 1)[0].replace("-", "")


def _migration_dirs(root: Path) -> list[Path]:
    """The entries diesel takes for migration directories (not files, no leading dot)."""
    return [p for p in _common.entries(root)
            if not p.name.startswith(".") and not _common.is_file(p)]


def detect(root: Path) -> int:
    """90 when ``root`` has sub-directories holding an ``up.sql``, else 0."""
    return 90 if any(_common.is_file(d / "up.sql") for d in _migration_dirs(root)) else 0


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The diesel migrations of ``root`` in version order.

    Raises:
        MigrationError: a directory without ``up.sql``, an empty ``up.sql``, invalid UTF-8, or
            two directories with one version.
    """
    _common.require_dir(root)
    migrations = []
    for directory in _migration_dirs(root):
        up = directory / "up.sql"
        if not up.exists():
            raise _common.fail("not a diesel migration: no up.sql in this directory", directory)
        data, text = _common.read_text(up)
        if not data:
            raise _common.fail("empty migration (diesel refuses to run it)", up)
        _, _, name = directory.name.partition("_")
        migrations.append(
            Migration(
                version=version_of(directory.name),
                description=name,
                path=str(up),
                sql=text,
                in_transaction=run_in_transaction(directory / "metadata.toml"),
                extra={"directory": directory.name},
            )
        )
    migrations.sort(key=lambda m: m.version)
    _common.check_unique(migrations)
    return migrations


def run_in_transaction(metadata: Path) -> bool:
    """What diesel reads from a migration's ``metadata.toml`` (see the module docstring)."""
    if sys.version_info >= (3, 11):  # imported here: only a metadata.toml needs it
        import tomllib
    else:  # pragma: no cover - Python 3.10: the same parser, as a package (a dependency there)
        import tomli as tomllib
    try:
        text = metadata.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return True
    try:
        value = tomllib.loads(text).get("run_in_transaction", False)
    except tomllib.TOMLDecodeError:
        return True
    return value if isinstance(value, bool) else True


# -- history table and sync ------------------------------------------------------------------
#
# __diesel_schema_migrations (diesel_migrations setup_migration_table.sql): version
# varchar(50) primary key, run_on timestamp default CURRENT_TIMESTAMP. diesel runs every
# migration whose version has no row, in version order, whatever the highest applied one.

#: The column a history reader needs (``{table}``: the quoted table name).
HISTORY_QUERY = "SELECT version::text AS version FROM {table}"

#: __diesel_schema_migrations as diesel creates it.
_CREATE_TABLE = """CREATE TABLE IF NOT EXISTS {table} (
    version VARCHAR(50) PRIMARY KEY NOT NULL,
    run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);"""


#: The columns that make a table diesel's history (tool detection).
HISTORY_COLUMNS = frozenset({"version", "run_on"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list, spelled as diesel records it
    (``"2017-09-23-182408"`` -> ``"20170923182408"``); None when it is not a diesel version
    (it starts with a digit and holds letters, digits and dashes)."""
    if not re.fullmatch(r"[0-9][0-9A-Za-z-]*", text):
        return None
    return version_of(text)


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The versions of a __diesel_schema_migrations table, in version (string) order.

    Args:
        rows: mappings with ``version``.
        migrations: unused (every reader takes them).
    """
    return _common.version_rows(rows)


def render_sync(ctx: SyncContext) -> SyncScript:
    """diesel's repair script: one row per missing version (``run_on`` defaults to now);
    ``prune`` deletes rows (what ``diesel migration revert`` does to its row)."""
    body = _common.version_row_statements(ctx, _CREATE_TABLE)
    return SyncScript(
        NAME, "script", _script.frame(ctx, "backfill __diesel_schema_migrations", body),
        commands=("diesel migration run",) if ctx.pending_after else (),
        inserted=tuple(m.version for m in ctx.missing),
        pruned=ctx.prune,
    )
