"""drizzle-kit (PostgreSQL): ``meta/_journal.json`` and ``<NNNN>_<tag>.sql`` files.

Rules (drizzle-orm ``migrator.ts`` ``readMigrationFiles`` and ``pg-core/dialect.ts``
``migrate``, read at drizzle-orm 0.45):

- the journal decides the set and the order: every entry of ``entries`` names a file
  ``<tag>.sql`` beside ``meta/``, and the migrator reads them in the journal's array order. A
  ``.sql`` file the journal does not name is not a migration (drizzle never reads it); an entry
  whose file is missing makes the migrator fail (``No file <path> found``), and is an error here.
- a file is split on every ``--> statement-breakpoint`` (a plain text split, whatever the
  journal's ``breakpoints`` flag says) and each chunk is sent as one query. In ``sql`` each
  marker becomes ``;-- statement-breakpoint`` (same length, same lines): a statement ends there
  as it does for drizzle. ``-->statement-breakpoint`` without the space is no marker, just a
  comment.
- ``migrate()`` runs every pending migration in ONE transaction (all or nothing).
- **version**: the entry's ``when`` (milliseconds) in decimal, which is what the migrator writes
  into ``created_at`` and the only thing it compares; ``description`` is the tag; ``checksum`` is
  the SHA-256 of the file's text (lowercase hex), what it writes into ``hash``.

The history table is ``drizzle.__drizzle_migrations (id serial, hash text, created_at bigint)``
(``migrationsSchema`` / ``migrationsTable`` change it). The migrator reads only the row with the
greatest ``created_at`` and applies the migrations whose ``when`` is greater; it never compares
hashes. So a missing row below the newest one changes nothing for drizzle, while a row recorded
for a later migration makes every earlier pending one be skipped for ever.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemadiff.errors import Location, MigrationError
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

NAME = "drizzle"
LAYOUT = "'meta/_journal.json' and '--> statement-breakpoint' files"
VERSION_SYNTAX = "the journal entry's 'when' in milliseconds (created_at)"
SQL_FROM_TOOL = False
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("drizzle", "__drizzle_migrations")})

JOURNAL = Path("meta") / "_journal.json"
BREAKPOINT = "--> statement-breakpoint"
_AS_SQL = ";-- statement-breakpoint"  # same length: columns and lines stay put
assert len(_AS_SQL) == len(BREAKPOINT)
_ENTRIES = re.compile(r'"entries"\s*:\s*\[')


def checksum(data: bytes) -> str | None:
    """SHA-256 of the file, lowercase hex (``__drizzle_migrations.hash``)."""
    return hashlib.sha256(data).hexdigest()


def detect(root: Path) -> int:
    """100 when ``root`` holds drizzle-kit's ``meta/_journal.json``, else 0."""
    return 100 if _common.is_file(root / JOURNAL) else 0


_CONFIG_NAMES = ("drizzle.config.ts", "drizzle.config.js", "drizzle.config.mjs",
                 "drizzle.config.cjs", "drizzle.config.json")
_MIGRATIONS_BLOCK = re.compile(r"""["']?migrations["']?\s*:\s*\{([^{}]*)\}""")
_SETTING = re.compile(r"""["']?(table|schema)["']?\s*:\s*(["'`])([^"'`]+)\2""")


def configured(root: Path) -> ProjectConfig:
    """``migrations.table`` / ``migrations.schema`` of the nearest ``drizzle.config.*`` above
    the migrations folder (drizzle-kit's; read as text: only literal strings count)."""
    path = _common.nearest(root, _CONFIG_NAMES, levels=3)
    if path is None:
        return ProjectConfig()
    return _config_of(_common.read_bytes(path).decode("utf-8", errors="replace"))


def _config_of(text: str) -> ProjectConfig:
    block = _MIGRATIONS_BLOCK.search(text)
    found = dict((m.group(1), m.group(3)) for m in _SETTING.finditer(block.group(1))) if block \
        else {}
    if not found:
        return ProjectConfig()
    schema = found.get("schema", "drizzle")
    table = found.get("table", "__drizzle_migrations")
    return ProjectConfig(f"{schema}.{table}", (), "drizzle.config migrations")


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The migrations ``meta/_journal.json`` lists, in its order.

    Raises:
        MigrationError: no journal, a journal that is not JSON or lacks ``entries``, an entry
            without a ``tag`` or an integer ``when``, an entry whose file is missing, two
            entries with the same ``when``; located at the journal's line.
    """
    _common.require_dir(root)
    journal = root / JOURNAL
    if not journal.is_file():
        raise _common.fail(f"no {JOURNAL.as_posix()}: drizzle's migrator reads the set and order "
                           "of migrations from it", root)
    _, text = _common.read_text(journal)
    entries = _journal_entries(text, journal)
    migrations = []
    seen: dict[int, str] = {}
    for line, entry in entries:
        tag, when = entry.get("tag"), entry.get("when")
        if not isinstance(tag, str) or not tag:
            raise _common.fail("journal entry without a tag", journal, line)
        if isinstance(when, bool) or not isinstance(when, int):
            raise _common.fail(f"journal entry {tag!r}: 'when' is not an integer ({when!r})",
                               journal, line)
        if when in seen:
            raise _common.fail(f"journal entries {seen[when]!r} and {tag!r} have the same 'when' "
                               f"{when}: drizzle's migrator cannot tell them apart", journal, line)
        seen[when] = tag
        path = root / f"{tag}.sql"
        if not path.is_file():
            raise _common.fail(f"journal entry {tag!r} has no file {path.name} (drizzle's migrator "
                               "fails: No file found)", journal, line)
        data, sql = _common.read_text(path)
        migrations.append(Migration(
            version=str(when),
            description=tag,
            path=str(path),
            sql=sql.replace(BREAKPOINT, _AS_SQL),
            in_transaction=True,
            checksum=checksum(data),
            extra={"tag": tag, "idx": str(entry.get("idx", "")),
                   "breakpoints": str(entry.get("breakpoints", "")).lower()},
        ))
    return migrations


def _journal_entries(text: str, path: Path) -> list[tuple[int, dict[str, object]]]:
    """The journal's entries, each with the line it starts on.

    Raises:
        MigrationError: invalid JSON (at its line and column), or no ``entries`` list.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MigrationError(
            f"journal is not valid JSON: {exc.msg}",
            Location(str(path), exc.lineno, exc.colno)) from None
    entries = doc.get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise _common.fail("journal has no 'entries' list", path, 1)
    lines = _entry_lines(text, len(entries))
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise _common.fail(f"journal entry {i} is not an object", path, lines[i])
        out.append((lines[i], entry))
    return out


def _entry_lines(text: str, count: int) -> list[int]:
    """The 1-based line each element of the ``entries`` array starts on (1 when unknown)."""
    m = _ENTRIES.search(text)
    if m is None:
        return [1] * count
    decoder = json.JSONDecoder()
    pos, lines = m.end(), []
    for _ in range(count):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        lines.append(text.count("\n", 0, pos) + 1)
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return lines + [1] * (count - len(lines))
    return lines


# -- history table and sync ------------------------------------------------------------------
#
# drizzle.__drizzle_migrations (pg-core/dialect.ts): id serial primary key, hash text not null,
# created_at bigint. ``migrate()`` creates the schema and the table, reads
# ``select id, hash, created_at ... order by created_at desc limit 1`` and, in one
# transaction, runs each journal migration with ``lastRow.created_at < when`` (all of them when
# the table is empty), inserting ``(hash, created_at = when)`` after each. ORDER BY ... DESC
# puts NULLs first: a row with a NULL created_at makes every migration run again.

#: The columns a history reader needs, as text (``{table}``: the quoted table name).
HISTORY_QUERY = "SELECT id::text AS id, hash, created_at::text AS created_at FROM {table}"

#: The columns that make a table drizzle's history (tool detection).
HISTORY_COLUMNS = frozenset({"id", "hash", "created_at"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list: the journal's ``when`` (``created_at``)."""
    return str(int(text)) if re.fullmatch(r"[0-9]+", text) else None


def create_table_sql(table: str, schema: str) -> str:
    """``__drizzle_migrations`` and its schema as ``migrate()`` creates them.

    Args:
        table: the quoted, possibly schema-qualified table name.
        schema: the bare schema name ("" when unqualified).
    """
    create_schema = (f"CREATE SCHEMA IF NOT EXISTS {_script.identifier(schema)};\n"
                     if schema else "")
    return create_schema + (f"CREATE TABLE IF NOT EXISTS {table} (\n"
                            "    id SERIAL PRIMARY KEY,\n"
                            "    hash text NOT NULL,\n"
                            "    created_at bigint\n"
                            ");")


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The rows of ``__drizzle_migrations`` by ``created_at`` (the journal's ``when``), and
    notes on what the migrator will make of them.

    Args:
        rows: mappings with ``id``, ``hash`` and ``created_at``.
        migrations: the journal's migrations; used to name those the migrator will skip.
    """
    by_when: dict[int, RecordedVersion] = {}
    notes: list[str] = []
    nulls = 0
    for row in rows:
        created = _common.row_text(row.get("created_at"))
        if created is None or not created.strip():
            nulls += 1
            continue
        when = int(created)
        by_when.setdefault(when, RecordedVersion(str(when), _common.row_text(row.get("hash"))))
    if nulls:
        notes.append(f"{nulls} row(s) have no created_at: drizzle's migrator takes such a row as "
                     "the newest (NULLs sort first) and runs every migration again")
    newest = max(by_when, default=None)
    if newest is not None and migrations:
        skipped = [m.description for m in migrations
                   if _when(m) is not None and _when(m) <= newest and _when(m) not in by_when]
        if skipped:
            notes.append(f"{len(skipped)} migration(s) without a row lie at or below the newest "
                         f"created_at {newest}: drizzle's migrator never runs them "
                         f"({', '.join(skipped)})")
    highest = None
    for m in migrations:
        when = _when(m)
        if when is None:
            continue
        if highest is not None and when <= highest:
            notes.append(f"journal entry {m.description} has a 'when' ({when}) not above an "
                         "earlier entry's: drizzle's migrator skips it on every database that "
                         "applied the earlier one")
        highest = when if highest is None else max(highest, when)
    return tuple(by_when[w] for w in sorted(by_when)), tuple(notes)


def _when(m: Migration) -> int | None:
    """A migration's ``when`` (its version), None when it is not an integer."""
    try:
        return int(m.version)
    except ValueError:
        return None


def render_sync(ctx: SyncContext) -> SyncScript:
    """drizzle's repair script: one ``(hash, created_at)`` row per missing migration.

    Rows are inserted in ``when`` order, so ``id`` grows with ``created_at`` as when the
    migrator writes them; ``prune`` deletes rows by ``created_at``. A genuinely pending
    migration whose ``when`` is not above the newest ``created_at`` after the repair is one the
    migrator will never run: each is named in a warning, saying whether this backfill causes it.

    Raises:
        SyncError: a migration without a hash (not read by the drizzle reader).
    """
    table = _script.qualified(ctx.table)
    body: list[str] = []
    if not ctx.recorded.table_exists:
        body.append(create_table_sql(table, ctx.table[0]))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    for version in ctx.prune:
        body.append(f"DELETE FROM {table} WHERE created_at = {_int(version)};")
    for m in sorted(ctx.missing, key=lambda m: _int(m.version)):
        if not m.checksum:
            raise SyncError(f"migration {m.label} has no drizzle hash ({m.path})")
        when = _int(m.version)
        body.append(
            f"-- {_script.comment_text(m.label)}\n"
            f"INSERT INTO {table} (hash, created_at)\n"
            f"SELECT {_script.literal(m.checksum)}, {when}\n"
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE created_at = {when});")
    before = [_int(v) for v in set(ctx.recorded.applied) - set(ctx.prune)]
    after = [_int(v) for v in ctx.applied_after]
    newest_before, newest_after = max(before, default=-1), max(after, default=-1)
    warnings = []
    skipped = [m for m in ctx.pending_after if _int(m.version) <= newest_after]
    caused = [m.description for m in skipped if _int(m.version) > newest_before]
    already = [m.description for m in skipped if _int(m.version) <= newest_before]
    if caused:
        warnings.append(f"recording these rows makes drizzle's migrator skip pending "
                        f"migration(s) {', '.join(caused)} for ever (it applies only migrations "
                        f"whose 'when' is above the newest created_at, {newest_after}): apply "
                        "their SQL by hand, then run schemadiff sync again")
    if already:
        warnings.append(f"pending migration(s) {', '.join(already)} lie below the newest "
                        f"recorded created_at {newest_before}: drizzle's migrator already skips "
                        "them; apply their SQL by hand, then run schemadiff sync again")
    return SyncScript(
        NAME, "script", _script.frame(ctx, "backfill __drizzle_migrations", body),
        commands=("drizzle-kit migrate",) if ctx.pending_after else (),
        warnings=tuple(warnings),
        inserted=tuple(m.version for m in sorted(ctx.missing, key=lambda m: _int(m.version))),
        pruned=ctx.prune,
    )


def _int(version: str) -> int:
    """A drizzle version (``created_at``) as an integer, for SQL and ordering."""
    try:
        return int(version)
    except ValueError:
        raise SyncError(f"{version!r} is not a drizzle version (the journal's 'when', an "
                        "integer)") from None
