"""Flyway: ``V<version>__<description>.sql`` and repeatable ``R__<description>.sql``.

Rules (``ResourceNameParser``, ``MigrationVersion``, ``ChecksumCalculator``,
``PostgreSQLParser``; default configuration):

- Flyway scans its location recursively for ``*.sql`` files. A name is split at the prefix
  (``V`` versioned, ``R`` repeatable, case-sensitive) and the first ``__``. A ``V`` name needs a
  version Flyway can parse, an ``R`` name none; a name that does not fit (``README.sql``,
  ``U1__undo.sql`` undo scripts of Flyway Teams, callbacks such as ``afterMigrate.sql``) is not a
  migration and is skipped, as Flyway does when ``validateMigrationNaming`` is off (the default).
- the version is the text before ``__`` with ``_`` read as ``.`` (``V2_1__x.sql`` -> ``"2.1"``),
  which is what ``flyway_schema_history.version`` holds. Versions compare numerically part by
  part, trailing zero parts ignored: ``2.1 < 10`` and ``1 == 1.0`` (a duplicate).
- the description is the text after ``__`` with ``_`` read as a space.
- versioned migrations run in version order, then repeatables in description order.
  **Repeatables have no version** (``NULL`` in the history table). A :class:`Migration` needs
  one, so a repeatable's ``version`` is ``"R__" + description`` (``R__Jobs_view.sql`` ->
  ``"R__Jobs view"``) with ``repeatable=True``; match it to history rows by description.
- the checksum is Flyway's CRC-32: the file read line by line (``\\n``, ``\\r\\n`` and ``\\r`` end a
  line), a BOM removed from the first line, each line's UTF-8 bytes without terminator fed to
  one CRC-32, the result taken as a signed 32-bit ``int``; here as decimal text.
- a migration runs without a transaction when a ``<file>.conf`` beside it sets
  ``executeInTransaction=false``, or when it holds a statement PostgreSQL refuses inside one
  (Flyway's list: ``CREATE|DROP DATABASE|TABLESPACE|SUBSCRIPTION``, ``ALTER SYSTEM``,
  ``CREATE [UNIQUE] INDEX CONCURRENTLY``, ``DROP INDEX CONCURRENTLY``,
  ``REINDEX [VERBOSE] SCHEMA|DATABASE|SYSTEM``, ``VACUUM``, ``DISCARD ALL``; ``ALTER TYPE ... ADD
  VALUE`` only before PostgreSQL 12, so not here). Flyway refuses a migration that mixes both
  kinds unless its ``mixed`` option is on; such a file is listed with ``in_transaction=False``
  (the option lives in configuration this reader cannot see).
"""

from __future__ import annotations

import contextlib
import functools
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemadiff.errors import ParseError
from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.tools import _common, _flyway_config, _script
from schemadiff.tools.protocol import (
    ProjectConfig,
    SyncContext,
    SyncError,
    SyncScript,
    ToolOptions,
)

NAME = "flyway"
SQL_FROM_TOOL = False
_DEFAULT_TABLE = "flyway_schema_history"
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", _DEFAULT_TABLE)})
#: What marks a directory as Flyway's, and what a Flyway version is (for messages).
LAYOUT = "'V<version>__<description>.sql' scripts"
VERSION_SYNTAX = "numbers separated by '.' or '_' ('2.1'), or 'R__<description>' for a repeatable"

REPEATABLE_PREFIX = "R__"
_SEPARATOR = "__"
_VERSION_PART_SPLIT = re.compile(r"\.(?=\d)")
_BIGINT = re.compile(r"[+-]?[0-9]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_COMMENTS = re.compile(r"/\*.*?\*/|--[^\n]*", re.DOTALL)
# PostgreSQLParser.detectCanExecuteInTransaction, matched against the first keywords.
_NON_TRANSACTIONAL = re.compile(
    r"(?:CREATE|DROP) (?:DATABASE|TABLESPACE|SUBSCRIPTION) "
    r"|ALTER SYSTEM "
    r"|(?:CREATE|DROP)(?: UNIQUE)? INDEX CONCURRENTLY "
    r"|REINDEX(?: VERBOSE)? (?:SCHEMA|DATABASE|SYSTEM) "
    r"|VACUUM "
    r"|DISCARD ALL "
)
_CONF_FALSE = re.compile(r"^\s*executeInTransaction\s*=\s*false\s*$", re.MULTILINE | re.IGNORECASE)


def checksum(data: bytes) -> str | None:
    """Flyway's CRC-32 of a script, as the signed decimal ``flyway_schema_history`` holds.

    Args:
        data: the raw file bytes (UTF-8).
    """
    text = data.decode("utf-8", errors="replace").removeprefix(_common.BOM)
    crc = 0
    for line in _LINE_BREAK.split(text):
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return str(crc - 2**32 if crc >= 2**31 else crc)


@functools.total_ordering
class Version:
    """A Flyway migration version: numeric parts compared one by one, missing parts as 0.

    Attributes:
        text: the version as Flyway displays and stores it (``_`` already read as ``.``).
        parts: the numeric parts, trailing zero parts removed.
    """

    __slots__ = ("parts", "text")

    def __init__(self, raw: str) -> None:
        """Parse ``raw`` (``"2_1"``, ``"17.1"``, ``"005"``).

        Raises:
            ValueError: a part is not a number (Flyway rejects the name).
        """
        self.text = raw.replace("_", ".")
        parts = []
        for part in _VERSION_PART_SPLIT.split(self.text):
            if not _BIGINT.fullmatch(part):
                raise ValueError(f"invalid Flyway version {raw!r}")
            parts.append(int(part))
        while len(parts) > 1 and parts[-1] == 0:
            parts.pop()
        self.parts = tuple(parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.parts == other.parts

    def __lt__(self, other: Version) -> bool:
        width = max(len(self.parts), len(other.parts))
        mine = self.parts + (0,) * (width - len(self.parts))
        theirs = other.parts + (0,) * (width - len(other.parts))
        return mine < theirs

    def __hash__(self) -> int:
        return hash(self.parts)

    def __repr__(self) -> str:
        return f"Version({self.text!r})"


def parse_name(name: str) -> tuple[Version | None, str] | None:
    """``(version or None for a repeatable, description)`` of a script name, or None.

    Args:
        name: a base name such as ``"V2_1__add_index.sql"``.
    """
    if not name.endswith(".sql"):
        return None
    stem = name[: -len(".sql")]
    if stem.startswith("V"):
        raw, sep, description = stem[1:].partition(_SEPARATOR)
        if not raw:
            return None
        try:
            version = Version(raw)
        except ValueError:
            return None
        return version, (description if sep else "").replace("_", " ")
    if stem.startswith(REPEATABLE_PREFIX):
        return None, stem[len(REPEATABLE_PREFIX) :].replace("_", " ")
    return None


def _scripts(root: Path) -> list[tuple[Path, Version | None, str]]:
    """``(path, version or None, description)`` of every script under ``root``."""
    found = []
    named = [(p, parsed) for p in _common.tree(root, parse_name) if (parsed := parse_name(p.name))]
    for path, parsed in sorted(named, key=lambda item: item[0]):  # only Flyway's names sorted
        if _common.is_migration_file(path):
            found.append((path, *parsed))
    return found


def detect(root: Path) -> int:
    """90 when ``root`` (or a folder below it) holds ``V<version>__`` or ``R__`` scripts."""
    return 90 if _scripts(root) else 0


def configured(root: Path) -> ProjectConfig:
    """Where Flyway's configuration for ``root`` puts its history table (``table`` in
    ``defaultSchema``, else in the first of ``schemas``), and the schemas it creates before
    migrating (``schemas`` and ``defaultSchema``, unless ``createSchemas`` is false)."""
    return _configured(_flyway_config.settings(root))


def _configured(found: Mapping[str, str]) -> ProjectConfig:
    listed = _flyway_config.schemas(found)
    current = _flyway_config.current_schema(found)  # the URL's: it exists before Flyway runs
    default = found.get("defaultSchema") or (listed[0] if listed else None) or current
    table = found.get("table")
    history = f"{default}.{table or _DEFAULT_TABLE}" if default else table
    made: tuple[str, ...] = ()
    if found.get("createSchemas", "true").strip().lower() != "false":
        made = tuple(dict.fromkeys([*([default] if default else []), *listed]))
    elif default and default == current:
        made = (current,)
    source = ("defaultSchema" if found.get("defaultSchema") else "schemas" if listed
              else "url currentSchema" if current else "table")
    return ProjectConfig(history, made, f"flyway.{source}" if history else "", default)


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The Flyway migrations of ``root``: versioned in version order, then repeatables.

    Raises:
        MigrationError: two scripts with one version (or one repeatable description), or a file
            that is not valid UTF-8.
    """
    _common.require_dir(root)
    opts = options or ToolOptions()
    found = _flyway_config.settings(root)
    marks = _flyway_config.placeholders(root, opts.placeholders, opts.history_table,
                                        configured=found)
    session = _configured(found)  # Flyway makes its schemas, then sets its search_path
    versioned: list[tuple[Version, Migration]] = []
    repeatable: list[Migration] = []
    for path, version, description in _scripts(root):
        data, text = _common.read_text(path)
        warnings: list[str] = []
        replaced = False
        if marks.enabled and marks.prefix in text and _flyway_config.script_enabled(path):
            text, missing = marks.replace(text, path.name)
            replaced = True
            warnings = [
                f"{path}:{line}: no value for the placeholder {marks.prefix}{name}"
                f"{marks.suffix} (Flyway refuses to run the script without one): give it "
                f"with --placeholder {name}=VALUE or in flyway.conf" for line, name in missing]
        migration = Migration(
            version=REPEATABLE_PREFIX + description if version is None else version.text,
            description=description,
            path=str(path),
            sql=text,
            in_transaction=_in_transaction(path, text),
            # a repeatable's is of its text with the placeholders replaced, so that a new value
            # runs it again (SqlMigrationResolver); a versioned one's of the file as written
            checksum=checksum(text.encode("utf-8") if replaced and version is None else data),
            repeatable=version is None,
            search_path=session.search_path,
            tool_schemas=session.schemas,
            extra={"warning": "\n".join(warnings)} if warnings else {},
        )
        if version is None:
            repeatable.append(migration)
        else:
            versioned.append((version, migration))
    versioned.sort(key=lambda item: item[0])
    ordered = [m for _, m in versioned]
    _common.check_unique(ordered, key=lambda m: Version(m.version))
    repeatable.sort(key=lambda m: m.description)
    _common.check_unique(repeatable)
    return ordered + repeatable


def _in_transaction(path: Path, text: str) -> bool:
    """Whether Flyway runs the script ``path`` (text ``text``) in a transaction."""
    conf = path.with_name(path.name + ".conf")
    if conf.is_file() and _CONF_FALSE.search(conf.read_text("utf-8", errors="replace")):
        return False
    from schemadiff.sql.split import split  # its regexes cost a few ms: only for Flyway dirs

    try:
        statements = split(text, str(path))
    except ParseError:
        return True  # Flyway fails on it too; nothing to say about transactions
    return not any(_non_transactional(s.text) for s in statements)


def _non_transactional(statement: str) -> bool:
    """Whether Flyway's PostgreSQL parser marks ``statement`` as not runnable in a transaction."""
    words = [w.upper() for w in _WORD.findall(_COMMENTS.sub(" ", statement[:300]))[:4]]
    head = " ".join(words) + " "
    return _NON_TRANSACTIONAL.match(head) is not None


# -- history table and sync ------------------------------------------------------------------
#
# flyway_schema_history (createMetaDataTable.sql for PostgreSQL): installed_rank (primary
# key), version (NULL for repeatables), description, type, script, checksum, installed_by,
# installed_on, execution_time, success. The latest row (highest installed_rank) of a
# migration decides: a DELETE row (``flyway repair``) or an UNDO row takes it back, a row
# with success = false is a failed migration Flyway refuses to go past, and a BASELINE row at
# version V means Flyway will not run the migrations below V. The SCHEMA row (rank 0) records
# that Flyway created the schema: not a migration. Flyway's validate compares, per applied
# migration, the type, the checksum and the description (abbreviated to 200 characters).

#: The columns a history reader needs, as text (``{table}``: the quoted table name).
HISTORY_QUERY = (
    "SELECT installed_rank::text AS installed_rank, version, description, type, script, "
    "checksum::text AS checksum, success::text AS success FROM {table}"
)

_UNDONE = ("DELETE", "UNDO_SQL", "UNDO_JDBC", "UNDO_SCRIPT")
_DESCRIPTION_MAX = 200
_SCRIPT_MAX = 1000


def create_table_sql(table: str, name: str) -> str:
    """flyway_schema_history as Flyway creates it on PostgreSQL (``IF NOT EXISTS`` added).

    Args:
        table: the quoted (possibly schema-qualified) table name.
        name: the bare table name, for the constraint and index names Flyway derives.
    """
    pk = _script.identifier(f"{name}_pk")
    idx = _script.identifier(f"{name}_s_idx")
    return f"""CREATE TABLE IF NOT EXISTS {table} (
    installed_rank INT NOT NULL,
    version VARCHAR(50),
    description VARCHAR(200) NOT NULL,
    type VARCHAR(20) NOT NULL,
    script VARCHAR(1000) NOT NULL,
    checksum INTEGER,
    installed_by VARCHAR(100) NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT now(),
    execution_time INTEGER NOT NULL,
    success BOOLEAN NOT NULL,
    CONSTRAINT {pk} PRIMARY KEY (installed_rank)
);
CREATE INDEX IF NOT EXISTS {idx} ON {table} (success);"""


def abbreviate(text: str, limit: int) -> str:
    """Flyway's ``AbbreviationUtils``: longer than ``limit`` -> cut, ending with ``...``."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: The columns that make a table Flyway's history (tool detection).
HISTORY_COLUMNS = frozenset({"installed_rank", "version", "type", "script", "checksum", "success"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list, spelled as Flyway records it (``"2_1"`` ->
    ``"2.1"``; a repeatable as ``R__<description>``); None when it is not a Flyway version."""
    if text.startswith(REPEATABLE_PREFIX):
        return text if len(text) > len(REPEATABLE_PREFIX) else None
    try:
        return Version(text).text
    except ValueError:
        return None


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The migrations a flyway_schema_history records, interpreted as Flyway does.

    Args:
        rows: mappings with ``installed_rank``, ``version``, ``description``, ``type``,
            ``script``, ``checksum`` and ``success``.
        migrations: the directory's migrations; with a BASELINE row, those below its version
            are listed as recorded (Flyway will not run them) with a note.

    Returns:
        The versions in installed_rank order (repeatables keyed ``R__<description>`` as the
        reader names them; a failed row with ``success=False``), and notes.
    """
    ordered = sorted(rows, key=lambda r: int(str(r["installed_rank"])))
    # Flyway matches a row to a script by MigrationVersion, numerically part by part
    # ("1.010" is "1.10", "1.0" is "1"): a row takes its script's spelling, else the first
    # row's spelling of that version
    spelled: dict[Version, str] = {Version(m.version): m.version for m in migrations
                                   if not m.repeatable}
    latest: dict[str, Mapping[str, object]] = {}
    for row in ordered:
        kind = str(row["type"])
        if kind == "SCHEMA":
            continue
        version = _common.row_text(row.get("version"))
        if version is not None:
            with contextlib.suppress(ValueError):
                version = spelled.setdefault(Version(version), version)
        key = version if version is not None else REPEATABLE_PREFIX + str(row["description"])
        latest.pop(key, None)  # re-insert: dict order = order of the deciding rows
        latest[key] = row
    versions: list[RecordedVersion] = []
    notes: list[str] = []
    for key, row in latest.items():
        kind = str(row["type"])
        if kind in _UNDONE:
            notes.append(f"{key}: its latest row is {kind}: not applied")
            continue
        success = _common.row_bool(row["success"]) is not False
        if not success:
            notes.append(f"{key} failed (success = false): Flyway refuses to migrate until "
                         "`flyway repair`")
        if kind == "BASELINE" and migrations:
            base = Version(key)
            below = [m for m in migrations if not m.repeatable and Version(m.version) < base
                     and m.version not in latest]
            versions += [RecordedVersion(m.version, None, m.description, baseline=key)
                         for m in below]
            notes.append(f"baseline {key}: Flyway will not run the {len(below)} migration(s) "
                         "below it; they count as recorded")
        versions.append(RecordedVersion(key, _common.row_text(row.get("checksum")),
                                        _common.row_text(row.get("description")), success))
    return tuple(versions), tuple(notes)


def _latest_applied(table: str, where: str, also: str = "") -> str:
    """SQL: true when the latest row matching ``where`` is an applied migration."""
    return (f"COALESCE((SELECT h.success AND h.type NOT IN "
            f"({', '.join(_script.literal(t) for t in _UNDONE)}){also} FROM {table} AS h "
            f"WHERE {where} ORDER BY h.installed_rank DESC LIMIT 1), false)")


def render_sync(ctx: SyncContext) -> SyncScript:
    """Flyway's repair script: one ``flyway_schema_history`` row per missing migration.

    Each row is what Flyway writes after running a SQL migration: the next installed_rank,
    the version (NULL for a repeatable), the description (abbreviated to 200 characters), type
    ``SQL``, the script's file name, Flyway's CRC-32 checksum, ``installed_by =
    current_user``, ``execution_time = 0`` and ``success = true``. Failed rows of a missing
    version are deleted first (what ``flyway repair`` does); ``prune`` deletes the rows of the
    versions given.

    Raises:
        SyncError: a migration without a checksum (not read by the Flyway reader).
    """
    table = _script.qualified(ctx.table)
    body: list[str] = []
    if not ctx.recorded.table_exists:
        body.append(create_table_sql(table, ctx.table[1]))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    for key in ctx.prune:
        body.append(f"DELETE FROM {table} WHERE {_where(key)};")
    failed = ctx.failed
    versioned = sorted((m for m in ctx.missing if not m.repeatable),
                       key=lambda m: Version(m.version))
    repeatable = sorted((m for m in ctx.missing if m.repeatable), key=lambda m: m.description)
    for m in versioned + repeatable:
        if m.checksum is None:
            raise SyncError(f"migration {m.label} has no Flyway checksum ({m.path})")
        key = m.version if not m.repeatable else REPEATABLE_PREFIX + m.description
        where = _where(key)
        if m.version in failed:
            body.append(f"DELETE FROM {table} WHERE {where} AND NOT success;")
        also = f" AND h.checksum = {int(m.checksum)}" if m.repeatable else ""
        version = "NULL" if m.repeatable else _script.literal(m.version)
        body.append(
            f"-- {_script.comment_text(m.label)}\n"
            f"INSERT INTO {table} (installed_rank, version, description, type, script, "
            "checksum, installed_by, execution_time, success)\n"
            f"SELECT (SELECT COALESCE(max(installed_rank), 0) + 1 FROM {table}), {version}, "
            f"{_script.literal(abbreviate(m.description, _DESCRIPTION_MAX))}, 'SQL', "
            f"{_script.literal(abbreviate(Path(m.path).name, _SCRIPT_MAX))}, "
            f"{int(m.checksum)}, current_user, 0, true\n"
            f"WHERE NOT {_latest_applied(table, _where(key, 'h.'), also)};")
    body += checksum_repair(ctx)
    warnings = []
    applied = [Version(v) for v in ctx.applied_after if not v.startswith(REPEATABLE_PREFIX)]
    if applied:
        top = max(applied)
        below = [m.version for m in ctx.pending_after
                 if not m.repeatable and Version(m.version) < top]
        if below:
            warnings.append(f"pending migration(s) {', '.join(below)} lie below the highest "
                            f"applied version {top.text}: Flyway ignores them and validate "
                            "fails unless -outOfOrder=true")
    return SyncScript(
        NAME, "script", _script.frame(ctx, "backfill flyway_schema_history", body),
        commands=("flyway migrate",) if ctx.pending_after else (),
        warnings=tuple(warnings),
        inserted=tuple(m.version for m in versioned + repeatable),
        pruned=ctx.prune,
        updated=tuple(m.version for m in ctx.checksums if not m.repeatable),
    )


def checksum_repair(ctx: SyncContext) -> list[str]:
    """``--repair-checksums``, as ``flyway repair`` does it (``JdbcTableSchemaHistory.update``
    and ``removeFailedMigrations``): the failed rows are deleted, and the applied row of each
    changed versioned migration gets the description, type (``SQL``) and CRC-32 checksum of its
    file as it is now, which is what validate compares. A repeatable migration whose file
    changed is not realigned: Flyway re-runs it on the next migrate."""
    if not ctx.checksums:
        return []
    table = _script.qualified(ctx.table)
    out = []
    if ctx.failed:
        out.append(f"-- flyway repair: failed rows go\nDELETE FROM {table} WHERE NOT success;")
    for m in sorted((m for m in ctx.checksums if not m.repeatable),
                    key=lambda m: Version(m.version)):
        if m.checksum is None:
            raise SyncError(f"migration {m.label} has no Flyway checksum ({m.path})")
        out.append(
            f"-- {_script.comment_text(m.label)}: recorded "
            f"{_script.comment_text(str(ctx.recorded_checksum(m.version)))}\n"
            f"UPDATE {table} SET description = "
            f"{_script.literal(abbreviate(m.description, _DESCRIPTION_MAX))}, type = 'SQL', "
            f"checksum = {int(m.checksum)}\n"
            f"WHERE installed_rank = (SELECT max(h.installed_rank) FROM {table} AS h "
            f"WHERE {_where(m.version, 'h.')} AND h.success AND h.type NOT IN "
            f"({', '.join(_script.literal(t) for t in _UNDONE)}));")
    return out


def _where(key: str, alias: str = "") -> str:
    """SQL condition selecting the rows of migration ``key`` (``R__<description>`` for a
    repeatable, whose rows have a NULL version); ``alias`` prefixes the column names."""
    if key.startswith(REPEATABLE_PREFIX):
        return (f"{alias}version IS NULL AND {alias}description = "
                f"{_script.literal(key[len(REPEATABLE_PREFIX):])}")
    # any spelling of the version (Flyway's MigrationVersion): leading zeros of a part and
    # trailing zero parts do not count
    spelling = (f"regexp_replace(regexp_replace({alias}version, '(^|\\.)0+(?=[0-9])', '\\1', "
                f"'g'), '(\\.0)+$', '')")
    try:
        return f"{spelling} = {_script.literal('.'.join(map(str, Version(key).parts)))}"
    except ValueError:  # not a version Flyway reads: only that spelling
        return f"{alias}version = {_script.literal(key)}"
