"""Atlas versioned migrations: ``<version>_<name>.sql`` files and an ``atlas.sum`` file.

Rules (``sql/migrate/dir.go``: ``LocalDir.Files``, ``LocalFile.Version``/``Desc``, ``HashFile``):

- every top-level ``*.sql`` file is a migration, run in file-name order; other files
  (``atlas.sum``, ``README.md``) are not.
- the version is the file name without ``.sql`` up to the first ``_``; the description is what
  follows that ``_`` (both as ``atlas_schema_revisions`` records them).
- a header directive ``-- atlas:txmode none`` (in the comment block that opens the file and
  ends with an empty line) runs the file without a transaction; by default each file runs in
  its own.
- **checksum**: ``atlas.sum`` holds, per file, ``base64(sha256(...))`` of a hash that runs over
  the names and contents of *all files up to and including that one*, and
  ``atlas_schema_revisions.hash`` stores that value. It depends on the whole directory, so
  :func:`checksum` of one file's bytes is None; :func:`list_migrations` fills
  :attr:`Migration.checksum` with the value Atlas would compute for the directory as it is, and
  ``extra["atlas.sum"]`` with the line recorded in ``atlas.sum`` (absent when the file is not
  listed there). A file whose first line is ``-- atlas:sum ignore`` is hashed by name only and
  gets no entry (checksum None).

An ``atlas.sum`` out of step with the files makes Atlas refuse to run; that is reported through
the two values above rather than as an error, so drift can still be analysed.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.tools import _common, _script
from schemadiff.tools.protocol import ProjectConfig, SyncContext, SyncScript, ToolOptions

NAME = "atlas"
SQL_FROM_TOOL = False
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset(
    {("atlas_schema_revisions", "atlas_schema_revisions"), ("", "atlas_schema_revisions")}
)

#: What marks a directory as Atlas's, and what an Atlas version is (for messages).
LAYOUT = "an atlas.sum file"
VERSION_SYNTAX = "a file name up to its first '_' (no blank)"

SUM_FILE = "atlas.sum"
_REVISIONS_SCHEMA = re.compile(r'\brevisions_schema\s*=\s*"([^"]+)"')
_DIRECTIVE = re.compile(r"^([ -~]*)atlas:(\w+)(?: +([ -~]*))*")


def configured(root: Path) -> ProjectConfig:
    """The ``revisions_schema`` of the nearest ``atlas.hcl`` above the directory, when every
    ``env`` that sets one sets the same (its table is ``atlas_schema_revisions`` there)."""
    path = _common.nearest(root, ("atlas.hcl",), levels=3)
    if path is None:
        return ProjectConfig()
    schemas = set(_REVISIONS_SCHEMA.findall(
        _common.read_bytes(path).decode("utf-8", errors="replace")))
    if len(schemas) != 1:
        return ProjectConfig()
    return ProjectConfig(f"{schemas.pop()}.atlas_schema_revisions", (),
                         "atlas.hcl revisions_schema")


def checksum(data: bytes) -> str | None:
    """None: an Atlas file hash depends on every earlier file (see the module docstring)."""
    return None


def sum_entries(files: list[tuple[str, bytes]]) -> dict[str, str]:
    """The ``atlas.sum`` hash of each file, ``{name: base64 hash}`` (no ``h1:`` prefix).

    Args:
        files: ``(name, content)`` of every migration file, in Atlas's (file-name) order.
    """
    running = hashlib.sha256()
    sums = {}
    for name, data in files:
        running.update(name.encode("utf-8"))
        if _directive(data.decode("utf-8", errors="replace"), "sum") == "ignore":
            continue
        running.update(data)
        sums[name] = base64.b64encode(running.copy().digest()).decode("ascii")
    return sums


def read_sum_file(path: Path) -> dict[str, str]:
    """The per-file entries of an ``atlas.sum`` file (its first, total line left out)."""
    entries = {}
    lines = path.read_text("utf-8", errors="replace").splitlines()
    for line in lines[1:]:
        name, sep, value = line.partition("h1:")
        if sep:
            entries[name.strip()] = value
    return entries


def _directive(content: str, name: str) -> str | None:
    """The argument of an ``atlas:<name>`` directive opening ``content``, or None."""
    m = _DIRECTIVE.match(content)
    if m is not None and m.group(2) == name:
        return m.group(3) or ""
    return None


def _header_comments(text: str) -> list[str]:
    """The comment lines opening ``text`` when an empty line separates them from the rest."""
    comments = []
    while text.startswith(("#", "--")):
        idx = text.find("\n")
        if idx == -1:
            return [text]
        comments.append(text[:idx].strip())
        text = text[idx + 1 :]
    return comments if text.startswith("\n") else []


def _sql_files(root: Path) -> list[Path]:
    """Atlas's migration files: top-level ``*.sql`` files in file-name order."""
    return [p for p in _common.entries(root)  # sorted by name
            if p.name.endswith(".sql") and _common.is_migration_file(p)]


def detect(root: Path) -> int:
    """90 for ``atlas.sum`` beside plain ``<version>_<name>.sql`` files, else 0.

    Atlas also writes ``atlas.sum`` into directories it generates for other tools
    (golang-migrate ``.up.sql``/``.down.sql``, goose or dbmate annotations, Flyway ``V1__``
    names); those directories belong to the other tool.
    """
    if not _common.is_file(root / SUM_FILE):
        return 0
    plain = [
        p
        for p in _sql_files(root)
        if _common.NUMBERED_SQL.match(p.name) and not _common.UP_DOWN_SQL.match(p.name)
    ]
    if not plain or _common.has_tool_markers(plain):
        return 0
    return 90


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The Atlas migrations of ``root`` in file-name order.

    Raises:
        MigrationError: two files with one version, or a file that is not valid UTF-8.
    """
    _common.require_dir(root)
    files = [(path, _common.read_bytes(path)) for path in _sql_files(root)]
    sums = sum_entries([(path.name, data) for path, data in files])
    sum_file = root / SUM_FILE
    recorded = read_sum_file(sum_file) if sum_file.is_file() else {}
    migrations = []
    for path, data in files:
        text = _common.decode(data, path).removeprefix(_common.BOM)
        stem = path.name[: -len(".sql")]
        version, _, description = stem.partition("_")
        txmode = next(
            (d for c in _header_comments(text) if (d := _directive(c, "txmode")) is not None),
            None,
        )
        extra = {"atlas.sum": recorded[path.name]} if path.name in recorded else {}
        migrations.append(
            Migration(
                version=version,
                description=description,
                path=str(path),
                sql=text,
                in_transaction=txmode != "none",
                checksum=sums.get(path.name),
                extra=extra,
            )
        )
    _common.check_unique(migrations)
    return migrations


# -- history table and sync ------------------------------------------------------------------
#
# atlas_schema_revisions (cmd/atlas/internal/migrate/ent/schema/revision.go), by default in its
# own schema atlas_schema_revisions: version (primary key), description, type (bits: 1
# baseline, 2 executed, 4 resolved by hand), applied and total (statements run of the file's
# total), executed_at, execution_time (ns), error, error_stmt, hash (the file's atlas.sum
# hash), partial_hashes, operator_version. A revision is done when resolved, or when every
# statement ran without error; a baseline revision stands for every file up to it. The row
# ``.atlas_cloud_identifiers`` holds Atlas's own id, not a migration. ``atlas migrate set``
# records a file as type 4 (resolved) with its atlas.sum hash; a sync writes the same.

#: The columns a history reader needs, as text (``{table}``: the quoted table name).
HISTORY_QUERY = (
    "SELECT version, description, type::text AS type, applied::text AS applied, "
    "total::text AS total, error, hash FROM {table}"
)

_BASELINE, _EXECUTE, _RESOLVED = 1, 2, 4


def create_table_sql(table: str, schema: str) -> str:
    """atlas_schema_revisions as Atlas creates it (``IF NOT EXISTS`` added).

    Args:
        table: the quoted, possibly schema-qualified table name.
        schema: the bare schema name ("" when unqualified): created when absent, as Atlas does.
    """
    create_schema = (f"CREATE SCHEMA IF NOT EXISTS {_script.identifier(schema)};\n"
                     if schema else "")
    return create_schema + f"""CREATE TABLE IF NOT EXISTS {table} (
    version character varying NOT NULL,
    description character varying NOT NULL,
    type bigint NOT NULL DEFAULT 2,
    applied bigint NOT NULL DEFAULT 0,
    total bigint NOT NULL DEFAULT 0,
    executed_at timestamptz NOT NULL,
    execution_time bigint NOT NULL,
    error text NULL,
    error_stmt text NULL,
    hash character varying NOT NULL,
    partial_hashes jsonb NULL,
    operator_version character varying NOT NULL,
    PRIMARY KEY (version)
);"""


#: The columns that make a table Atlas's history (tool detection).
HISTORY_COLUMNS = frozenset({"version", "description", "type", "applied", "total", "hash"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list (as written); None when it is not an Atlas
    version (it starts with a digit, holds no blank and no ``_``)."""
    return text if re.fullmatch(r"[0-9][^\s_]*", text) else None


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The revisions of an atlas_schema_revisions table, in version order, as Atlas reads them.

    Args:
        rows: mappings with ``version``, ``description``, ``type``, ``applied``, ``total``,
            ``error`` and ``hash``.
        migrations: the directory's migrations; with a baseline revision, the files below it
            are listed as recorded (Atlas never runs them), with a note.

    Returns:
        The revisions (a partly applied or failed one with ``success=False``), and notes.
    """
    by_version = {str(r["version"]): r for r in rows if not str(r["version"]).startswith(".")}
    versions: list[RecordedVersion] = []
    notes: list[str] = []
    for version in sorted(by_version):
        row = by_version[version]
        kind = int(str(row.get("type") or _EXECUTE))
        applied = int(str(row.get("applied") or 0))
        total = int(str(row.get("total") or 0))
        error = _common.row_text(row.get("error")) or ""
        done = bool(kind & _RESOLVED) or (applied >= total and not error)
        if kind & _BASELINE and migrations:
            below = [m for m in migrations if m.version < version and m.version not in by_version]
            versions += [RecordedVersion(m.version, None, m.description, baseline=version)
                         for m in below]
            notes.append(f"baseline {version}: Atlas never runs the {len(below)} file(s) below "
                         "it; they count as recorded")
        if not done:
            notes.append(f"{version} is partly applied ({applied} of {total} statements"
                         + (f", error: {error.splitlines()[0]}" if error else "") + ")")
        # Atlas compares a revision's hash with the file's only to resume a partly applied
        # one; a done revision's hash is history (cumulative over the directory: adding a
        # file below it changes it), so it is no checksum to verify
        recorded_hash = None if done else _common.row_text(row.get("hash")) or None
        versions.append(RecordedVersion(version, recorded_hash,
                                        _common.row_text(row.get("description")), done))
    return tuple(versions), tuple(notes)


def render_sync(ctx: SyncContext) -> SyncScript:
    """Atlas's repair script: one revision per missing file, as ``atlas migrate set`` writes.

    Each revision: the version and description, type 4 (resolved), applied = total = 0,
    ``executed_at = now()``, the file's atlas.sum hash, operator ``schemadiff sync``. A
    partly applied revision of a missing version is marked resolved (type | 4), as
    ``migrate set`` does; ``prune`` deletes revisions.
    """
    table = _script.qualified(ctx.table)
    body: list[str] = []
    if not ctx.recorded.table_exists:
        body.append(create_table_sql(table, ctx.table[0]))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    for version in ctx.prune:
        body.append(f"DELETE FROM {table} WHERE version = {_script.literal(version)};")
    failed = ctx.failed
    warnings = []
    for m in sorted(ctx.missing, key=lambda m: m.version):
        v = _script.literal(m.version)
        if m.version in failed:
            body.append(f"UPDATE {table} SET type = type | {_RESOLVED} WHERE version = {v};")
        recorded_sum = m.extra.get("atlas.sum")
        if recorded_sum is not None and m.checksum is not None and recorded_sum != m.checksum:
            warnings.append(f"atlas.sum is stale for {Path(m.path).name}: run atlas migrate "
                            "hash (Atlas refuses the directory until then)")
        body.append(
            f"-- {_script.comment_text(m.label)}\n"
            f"INSERT INTO {table} (version, description, type, applied, total, executed_at, "
            "execution_time, error, error_stmt, hash, partial_hashes, operator_version)\n"
            f"SELECT {v}, {_script.literal(m.description)}, {_RESOLVED}, 0, 0, now(), 0, "
            f"NULL, NULL, {_script.literal(m.checksum or '')}, NULL, 'schemadiff sync'\n"
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE version = {v});")
    highest = max(ctx.applied_after, default="")
    below = [m.version for m in ctx.pending_after if m.version < highest]
    if below:
        warnings.append(f"pending migration(s) {', '.join(below)} lie below the highest "
                        f"revision {highest}: atlas migrate apply refuses them as out of order "
                        "unless --exec-order non-linear")
    return SyncScript(
        NAME, "script", _script.frame(ctx, "backfill atlas_schema_revisions", body),
        commands=("atlas migrate apply",) if ctx.pending_after else (),
        warnings=tuple(warnings),
        inserted=tuple(m.version for m in ctx.missing),
        pruned=ctx.prune,
    )
