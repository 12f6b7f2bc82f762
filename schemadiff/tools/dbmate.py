"""amacneil/dbmate: ``<digits>...sql`` files with ``-- migrate:up`` / ``-- migrate:down`` blocks.

Rules (``pkg/dbmate/db.go`` ``FindMigrations``, ``pkg/dbmate/migration.go``):

- a top-level file whose name matches ``^(\\d+).*\\.sql$`` is a migration; its version is the
  leading digits as written (``"20240101120000"``, ``"001"``); files run in file-name order.
- a file holds one or more sections, each starting at a ``-- migrate:up`` line (dbmate's regex:
  ``(?m)^--\\s*migrate:up(\\s*$|\\s+\\S+)``) and holding exactly one later ``-- migrate:down``
  line. Only blank and ``--`` comment lines may precede the first ``up``.
- what current dbmate refuses but an older release accepted, and histories written then still
  hold, is read as that release read it, with a warning (``Migration.extra["warning"]``, one
  ``path:line: message`` per line) naming the release that refuses it: no ``down`` (dbmate
  1.x ran the rest of the file as ``up``; refused since 2.0.0), a ``down`` before the ``up``
  (1.x ran from ``up`` to the end; refused since 2.0.0), two ``down`` lines in a section
  (the ``up`` block ends at the first; refused once a file could hold several sections),
  statements before the first directive (ignored by 1.4 and earlier; refused since May 2019),
  no ``up`` at all (1.4 and earlier recorded the file and ran none of it; refused since 1.5).
- options follow the directive on its line: ``-- migrate:up transaction:false`` runs that
  section outside a transaction. The migration's ``in_transaction`` is false when any UP
  section runs outside one.
- ``sql`` keeps the UP blocks; the directive lines, the DOWN blocks and anything before the
  first directive are blanked.

dbmate records versions only (``schema_migrations.version``), no checksum.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.tools import _common, _dotenv, _script
from schemadiff.tools.protocol import ProjectConfig, SyncContext, SyncScript, ToolOptions

NAME = "dbmate"
SQL_FROM_TOOL = False
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "schema_migrations")})
#: What marks a directory as dbmate's, and what a dbmate version is (for messages).
LAYOUT = "'-- migrate:up' directives"
VERSION_SYNTAX = "the digits a file name starts with, as written"

_FILE = re.compile(r"([0-9]+)[^\n]*\.sql")
_WS = "[\t\n\f\r ]"  # Go's \s
_UP = re.compile(rf"^--{_WS}*migrate:up(?:{_WS}*$|{_WS}+[^\t\n\f\r ]+)", re.MULTILINE)
_DOWN = re.compile(rf"^--{_WS}*migrate:down(?:{_WS}*$|{_WS}+[^\t\n\f\r ]+)", re.MULTILINE)
_DIRECTIVE = re.compile(rf"^--{_WS}*migrate:(?:up|down)")
_BLANK_OR_COMMENT = re.compile(rf"^{_WS}*$|^{_WS}*--")


def checksum(data: bytes) -> str | None:
    """dbmate records no checksum."""
    return None


def configured(root: Path) -> ProjectConfig:
    """The history table ``DBMATE_MIGRATIONS_TABLE`` names, as dbmate reads it: the
    environment, else the project's ``.env`` (None: the default)."""
    return _dotenv.table_config(root, "DBMATE_MIGRATIONS_TABLE")


def detect(root: Path) -> int:
    """100 when a migration-named file carries a ``-- migrate:up`` directive, else 0."""
    files = [p for p in _common.entries(root) if _FILE.fullmatch(p.name)]
    return 100 if _common.any_file_contains(files, _common.DBMATE_UP_MARKER) else 0


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The dbmate migrations of ``root`` in file-name order.

    Raises:
        MigrationError: a file dbmate would refuse to parse, invalid UTF-8, or two files with
            the same version.
    """
    _common.require_dir(root)
    migrations = []
    for path in _common.entries(root):
        m = _FILE.fullmatch(path.name)
        if m is None or path.is_dir():
            continue
        _, text = _common.read_text(path)
        sql, in_tx, warnings = parse(text, path)
        description = path.name[len(m.group(1)) : -len(".sql")].removeprefix("_")
        extra = {"warning": "\n".join(warnings)} if warnings else {}
        migrations.append(Migration(m.group(1), description, str(path), sql, in_tx, extra=extra))
    _common.check_unique(migrations)
    return migrations


def parse(text: str, path: Path) -> tuple[str, bool, list[str]]:
    """The UP SQL of a dbmate file (other lines blanked), whether it runs in a transaction, and
    warnings (``path:line: message``) for what only an older dbmate accepted (see the module
    docstring)."""
    warnings: list[str] = []

    def warn(offset: int, message: str) -> None:
        warnings.append(f"{path}:{_line(text, offset)}: {message}")

    ups = [m.start() for m in _UP.finditer(text)]
    if not ups:
        warn(0, "no '-- migrate:up' block: dbmate refuses this file since 1.5; 1.4 and earlier "
             "recorded it and ran none of it (nothing of it is replayed here)")
        return _blank_outside(text, []), True, warnings
    down_first = _DOWN.search(text, 0, ups[0])
    head_end = down_first.start() if down_first else ups[0]
    for number, line in enumerate(text[:head_end].split("\n"), start=1):
        if not _BLANK_OR_COMMENT.match(line):
            warnings.append(
                f"{path}:{number}: statements before the first '-- migrate:' directive: dbmate "
                "refuses this file since May 2019 (1.5/1.6); 1.4 and earlier ignored them, and "
                "so does this reading"
            )
            break
    if down_first:
        warn(down_first.start(), "'-- migrate:down' comes before '-- migrate:up': dbmate "
             "refuses this file since 2.0.0; 1.x ran from '-- migrate:up' to the end")
    keep: list[tuple[int, int]] = []  # UP blocks, as [start, end) offsets in text
    in_tx = True
    for start, end in zip(ups, [*ups[1:], len(text)]):
        section = text[start:end]
        downs = [m.start() for m in _DOWN.finditer(section)]
        if len(downs) > 1:
            warn(start + downs[1], "a second '-- migrate:down' in one section: dbmate refuses "
                 "this file since a file may hold several sections; before, the up block ended "
                 "at the first")
        if not downs and not down_first:
            warn(start, "no '-- migrate:down' block: dbmate refuses this file since 2.0.0; 1.x "
                 "ran everything after '-- migrate:up' as the up migration")
        in_tx = in_tx and _transaction(section)
        keep.append((start, start + downs[0] if downs else end))
    return _blank_outside(text, keep), in_tx, warnings


def _transaction(section: str) -> bool:
    """Whether a section's options let it run in a transaction (``transaction:false`` does not)."""
    first = section.split("\n", 1)[0]
    options = _DIRECTIVE.sub("", first, count=1).strip()
    pairs = [item.split(":") for item in re.split(r"[\t\n\f\r ]+", options)]
    values = {pair[0]: pair[1] for pair in pairs if len(pair) == 2}
    return values.get("transaction") != "false"


def _line(text: str, offset: int) -> int:
    """The 1-based line number of character ``offset`` of ``text``."""
    return text.count("\n", 0, offset) + 1


def _blank_outside(text: str, blocks: list[tuple[int, int]]) -> str:
    """Keep the lines inside ``blocks`` except each block's first (directive) line."""
    lines = _common.split_lines(text)
    keep: set[int] = set()
    for start, end in blocks:
        first, last = _line(text, start), _line(text, end)  # 1-based; end is a line start
        if end == len(text) and not text.endswith("\n"):
            last += 1  # the block ends with the file's last line, unterminated
        keep.update(range(first, last - 1))  # 0-based indexes first .. last-2
    return _common.keep_lines(lines, keep.__contains__)


# -- history table and sync ------------------------------------------------------------------
#
# schema_migrations (pkg/driver/postgres/postgres.go): version varchar(255) primary key, one
# row per applied version, in the schema of the URL's search_path (else current_schema()).
# dbmate applies every file whose version has no row; with --strict it refuses to apply one
# below the highest applied version.

#: The column a history reader needs (``{table}``: the quoted table name).
HISTORY_QUERY = "SELECT version::text AS version FROM {table}"

#: schema_migrations as dbmate creates it.
_CREATE_TABLE = "CREATE TABLE IF NOT EXISTS {table} (version varchar(255) PRIMARY KEY);"


#: The columns that make a table dbmate's history (tool detection; golang-migrate's table of
#: the same name also has ``dirty``).
HISTORY_COLUMNS = frozenset({"version"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list (dbmate keeps the digits as written, leading
    zeros too); None when it is not a dbmate version."""
    return text if text.isascii() and text.isdigit() else None


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The versions of a dbmate schema_migrations table, in dbmate's (string) order.

    Args:
        rows: mappings with ``version``.
        migrations: unused (every reader takes them).
    """
    return _common.version_rows(rows)


def render_sync(ctx: SyncContext) -> SyncScript:
    """dbmate's repair script: one ``schema_migrations`` row per missing version; ``prune``
    deletes rows (what ``dbmate rollback`` does to its row)."""
    body = _common.version_row_statements(ctx, _CREATE_TABLE)
    highest = max(ctx.applied_after, default="")
    below = [m.version for m in ctx.pending_after if m.version < highest]
    warnings = []
    if below:
        warnings.append(f"pending migration(s) {', '.join(below)} lie below the highest "
                        f"recorded version {highest}: dbmate up applies them, dbmate --strict "
                        "refuses")
    return SyncScript(
        NAME, "script", _script.frame(ctx, "backfill schema_migrations", body),
        commands=("dbmate up",) if ctx.pending_after else (),
        warnings=tuple(warnings),
        inserted=tuple(m.version for m in ctx.missing),
        pruned=ctx.prune,
    )
