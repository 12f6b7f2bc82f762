"""pressly/goose: ``<version>_<name>.sql`` files with ``-- +goose`` annotations, and ``.go`` files.

Rules (goose v3: ``NumericComponent``, ``collectFilesystemSources``,
``internal/sqlparser/parser.go``):

- a migration is a top-level ``*.sql`` or ``*.go`` file (not ``*_test.go``) whose name is
  ``<int64 > 0>_...``; other files are skipped, as goose's provider does. The version is the
  integer in decimal (``00001_init.sql`` -> ``"1"``); migrations run in numeric order.
- a ``.sql`` file is read line by line with goose's state machine: ``-- +goose Up`` (exactly
  once, first), ``-- +goose Down``, ``StatementBegin``/``StatementEnd``, ``NO TRANSACTION``,
  ``ENVSUB ON``/``OFF``; annotations are case-insensitive, must not be indented, and an unknown
  ``+goose`` annotation, SQL before ``Up``, an unterminated statement or a missing ``Up`` is an
  error, as it is for goose (it parses both directions of every file).
- ``NO TRANSACTION`` anywhere runs the file outside a transaction.
- ``ENVSUB ON`` makes goose substitute ``$VAR`` and ``${VAR...}`` in each line it adds to a
  statement, from its environment (:mod:`schemadiff.tools._envsub`). They are substituted here
  from schemadiff's environment with ``--placeholder NAME=VALUE`` over it; a line needing a
  variable neither sets is kept as written, with a ``path:line`` warning
  (``extra["warning"]``). ``extra["envsub"]`` is ``"on"`` when the file turns it on.
- a ``.go`` migration is listed with ``opaque=True`` and empty ``sql``; it runs without a
  transaction when the file registers it with ``AddMigrationNoTx``.

See https://pressly.github.io/goose/documentation/annotations/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum, auto
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.tools import _common, _dotenv, _envsub, _script
from schemadiff.tools.protocol import (
    ProjectConfig,
    SyncContext,
    SyncError,
    SyncScript,
    ToolOptions,
)

NAME = "goose"
SQL_FROM_TOOL = False
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "goose_db_version")})
#: What marks a directory as goose's, and what a goose version is (for messages).
LAYOUT = "'-- +goose Up' annotations"
VERSION_SYNTAX = "an integer (goose_db_version.version_id)"

_INT64_MAX = 2**63 - 1
_NAME = re.compile(r"^([+-]?[0-9]+)_(.*)\.(sql|go)$", re.DOTALL)
_NO_TX_GO = re.compile(r"\bAddNamedMigrationNoTx(?:Context)?\b|\bAddMigrationNoTx(?:Context)?\b")


class _State(Enum):
    """The states of goose's parser (``parserState`` in ``parser.go``)."""

    START = auto()
    UP = auto()
    BEGIN_UP = auto()
    END_UP = auto()
    DOWN = auto()
    BEGIN_DOWN = auto()
    END_DOWN = auto()


_UP_STATES = (_State.UP, _State.BEGIN_UP, _State.END_UP)
_DOWN_STATES = (_State.DOWN, _State.BEGIN_DOWN, _State.END_DOWN)
_ANNOTATIONS = {
    "up": "Up",
    "down": "Down",
    "statementbegin": "StatementBegin",
    "statementend": "StatementEnd",
    "no transaction": "NO TRANSACTION",
    "envsub on": "ENVSUB ON",
    "envsub off": "ENVSUB OFF",
}


def checksum(data: bytes) -> str | None:
    """goose records no checksum."""
    return None


def parse_version(name: str) -> tuple[int, str] | None:
    """``(version, description)`` for a goose file name, or None when goose skips the file.

    Args:
        name: a base name such as ``"00001_create_users.sql"``.
    """
    if name.endswith("_test.go"):
        return None
    m = _NAME.match(name)
    if m is None:
        return None
    version = int(m.group(1))
    if not 0 < version <= _INT64_MAX:
        return None
    return version, m.group(2)


def configured(root: Path) -> ProjectConfig:
    """The history table ``GOOSE_TABLE`` names, as goose's command line reads it: the
    environment, else the project's ``.env`` (None: the default)."""
    return _dotenv.table_config(root, "GOOSE_TABLE")


def detect(root: Path) -> int:
    """100 when a numbered ``.sql`` file carries a ``-- +goose Up`` annotation, else 0."""
    files = [p for p in _common.entries(root) if p.suffix == ".sql" and parse_version(p.name)]
    return 100 if _common.any_file_contains(files, _common.GOOSE_UP_MARKER) else 0


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The goose migrations of ``root`` in version order.

    Raises:
        MigrationError: a file goose would reject (see the module docstring), or two files with
            the same version.
    """
    _common.require_dir(root)
    found: list[tuple[int, Migration]] = []
    for path in _common.entries(root):
        parsed = parse_version(path.name)
        if parsed is None or not _common.is_migration_file(path):
            continue
        version, description = parsed
        if path.suffix == ".go":
            migration = _go_migration(path, version, description)
        else:
            migration = _sql_migration(path, version, description, options)
        found.append((version, migration))
    found.sort(key=lambda item: item[0])
    migrations = [m for _, m in found]
    _common.check_unique(migrations)
    return migrations


def _go_migration(path: Path, version: int, description: str) -> Migration:
    """A ``.go`` migration: opaque; without a transaction when registered ``NoTx``."""
    text = _common.decode(_common.read_bytes(path), path)
    return Migration(
        version=str(version),
        description=description,
        path=str(path),
        sql="",
        in_transaction=_NO_TX_GO.search(text) is None,
        opaque=True,
    )


def _sql_migration(path: Path, version: int, description: str,
                   options: ToolOptions | None = None) -> Migration:
    """A ``.sql`` migration, parsed with goose's rules (both directions, like goose)."""
    _, text = _common.read_text(path)
    lines = _common.split_lines(text)
    up_lines, use_tx, envsub = _parse(lines, path, up=True)
    _parse(lines, path, up=False)  # goose validates the down direction too
    extra: dict[str, str] = {}
    if envsub:
        extra["envsub"] = "on"
        lines, warnings = _substitute(lines, envsub, path, options)
        if warnings:
            extra["warning"] = "\n".join(warnings)
    return Migration(
        version=str(version),
        description=description,
        path=str(path),
        sql=_common.keep_lines(lines, up_lines.__contains__),
        in_transaction=use_tx,
        extra=extra,
    )


def _substitute(lines: list[str], envsub: set[int], path: Path,
                options: ToolOptions | None) -> tuple[list[str], list[str]]:
    """``lines`` with the variables of the lines ``envsub`` names substituted (``ENVSUB ON``),
    and a ``path:line`` warning for each line kept as written."""
    env: dict[str, str] = dict(os.environ)
    env.update(options.placeholders if options is not None else ())
    out, warnings = list(lines), []
    for index in sorted(envsub):
        raw = lines[index]
        line = _common.strip_eol(raw)
        try:
            expanded = _envsub.expand_line(line, env)
        except _envsub.Unresolved as exc:
            warnings.append(f"{path}:{index + 1}: ENVSUB ON: {exc}; the line is kept as written "
                            "(set the variable, or give --placeholder NAME=VALUE)")
            continue
        out[index] = expanded + raw[len(line):]
    return out, warnings


def _annotation(line: str, path: Path, lineno: int) -> str:
    """The canonical annotation of a ``-- +goose ...`` line (goose's ``extractAnnotation``)."""
    if line.startswith((" ", "\t")):
        raise _common.fail(f"annotation {line!r} contains leading whitespace", path, lineno)
    cmd = line.replace("--", "").replace("+goose", "", 1)
    if "+goose" in cmd:
        raise _common.fail(f"{line!r} contains multiple '+goose' annotations", path, lineno)
    cmd = cmd.strip()
    if not cmd:
        raise _common.fail("empty goose annotation", path, lineno)
    canonical = _ANNOTATIONS.get(cmd.lower())
    if canonical is None:
        raise _common.fail(f"unknown goose annotation {cmd!r}", path, lineno)
    return canonical


def _ends_with_semicolon(line: str) -> bool:
    """Whether the last word before any ``--`` word ends with ``;`` (goose's rule)."""
    prev = ""
    for word in line.split():
        if word.startswith("--"):
            break
        prev = word
    return prev.endswith(";")


def _parse(lines: list[str], path: Path, *, up: bool) -> tuple[set[int], bool, set[int]]:
    """Run goose's parser over ``lines`` for one direction.

    Returns:
        The 0-based indexes of the lines that belong to the UP part (annotations excluded),
        whether the file runs in a transaction, and the indexes of the UP lines goose adds
        to a statement while ``ENVSUB ON`` holds (the lines it substitutes variables in).

    Raises:
        MigrationError: the file breaks one of goose's rules, at the offending line.
    """
    state = _State.START
    use_tx, envsub = True, False
    envsub_lines: set[int] = set()
    buf: list[str] = []
    up_lines: set[int] = set()
    for index, raw in enumerate(lines):
        lineno = index + 1
        line = _common.strip_eol(raw)
        if state is _State.START and not line.strip():
            continue
        if line.strip().startswith("--") and "+goose" in line:
            cmd = _annotation(line, path, lineno)
            if cmd == "Up":
                if state is not _State.START:
                    raise _common.fail("duplicate '-- +goose Up' annotation", path, lineno)
                state = _State.UP
                continue
            if cmd == "Down":
                if state not in (_State.UP, _State.END_UP):
                    raise _common.fail("'-- +goose Down' must follow '-- +goose Up'", path, lineno)
                if "".join(buf).strip():
                    raise _common.fail("unfinished SQL statement: missing semicolon?", path, lineno)
                state = _State.DOWN
                continue
            if cmd == "StatementBegin":
                if state in (_State.UP, _State.END_UP):
                    state = _State.BEGIN_UP
                elif state in (_State.DOWN, _State.END_DOWN):
                    state = _State.BEGIN_DOWN
                else:
                    raise _common.fail(
                        "'-- +goose StatementBegin' must follow an Up or Down annotation",
                        path,
                        lineno,
                    )
                continue
            if cmd == "StatementEnd":
                if state is _State.BEGIN_UP:
                    state = _State.END_UP
                elif state is _State.BEGIN_DOWN:
                    state = _State.END_DOWN
                else:
                    raise _common.fail(
                        "'-- +goose StatementEnd' must follow '-- +goose StatementBegin'",
                        path,
                        lineno,
                    )
            elif cmd == "NO TRANSACTION":
                use_tx = False
                continue
            else:  # ENVSUB ON / OFF
                envsub = cmd == "ENVSUB ON"
                continue
        elif state in _UP_STATES:
            up_lines.add(index)
        if not buf and (line.strip().startswith("--") or line == ""):
            continue
        if state not in (_State.END_UP, _State.END_DOWN):
            buf.append(line)
            if envsub and state in _UP_STATES:
                envsub_lines.add(index)
        if state is _State.START:
            raise _common.fail(
                "SQL before the '-- +goose Up' annotation (a goose file must start with it)",
                path,
                lineno,
            )
        if (state in _UP_STATES) != up:
            buf.clear()
            continue
        if state in (_State.UP, _State.DOWN):
            if _ends_with_semicolon(line):
                buf.clear()
        elif state is _State.END_UP:
            buf.clear()
            state = _State.UP
        elif state is _State.END_DOWN:
            buf.clear()
            state = _State.DOWN
    if state is _State.START:
        raise _common.fail("missing '-- +goose Up' annotation", path)
    if state in (_State.BEGIN_UP, _State.BEGIN_DOWN):
        raise _common.fail("missing '-- +goose StatementEnd' annotation", path, len(lines))
    if "".join(buf).strip():
        raise _common.fail("unfinished SQL statement: missing semicolon?", path, len(lines))
    return up_lines, use_tx, envsub_lines


# -- history table and sync ------------------------------------------------------------------
#
# goose_db_version (goose v3, database/dialect/postgres.go): id integer identity, version_id
# bigint, is_applied boolean, tstamp timestamp. goose writes a row per up (is_applied true)
# and, since v3, deletes the row on down; older versions wrote is_applied = false instead. The
# latest row (highest id) of a version decides whether it is applied (EnsureDBVersion). When
# goose creates the table it also inserts version 0: that row is goose's, not a migration.

#: The columns of goose_db_version a history reader needs, as text. ``{table}`` is filled in
#: with the quoted table name (psycopg.sql).
HISTORY_QUERY = (
    "SELECT id::text AS id, version_id::text AS version_id, is_applied::text AS is_applied "
    "FROM {table}"
)

#: goose_db_version as goose creates it on PostgreSQL (``IF NOT EXISTS`` added so that a sync
#: script can run twice).
_CREATE_TABLE = """CREATE TABLE IF NOT EXISTS {table} (
    id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
    version_id bigint NOT NULL,
    is_applied boolean NOT NULL,
    tstamp timestamp NOT NULL DEFAULT now()
);"""


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The applied versions of a goose_db_version, and notes.

    The latest row (highest ``id``) of each ``version_id`` decides: ``is_applied = false``
    there means the version was rolled back (goose v2 wrote such a row on ``down``; v3 deletes
    the rows instead). It is listed with ``success=False``, not as applied: goose v3's ``up``
    lists every row whatever its ``is_applied`` (``listAllDBVersions``), so it never runs that
    version again while the row is there. Version 0 is goose's own initial row and never
    listed.

    Args:
        rows: mappings with ``id``, ``version_id`` and ``is_applied`` (text or typed values).
        migrations: unused (every reader takes them; goose records each version).

    Returns:
        The applied versions in the order of their deciding rows, and notes for the user.
    """
    latest: dict[int, tuple[int, bool]] = {}
    count = 0
    for position, row in enumerate(rows):
        count += 1
        version = int(str(row["version_id"]))
        raw_id = _common.row_text(row.get("id"))
        row_id = int(raw_id) if raw_id is not None else position
        applied = bool(_common.row_bool(row["is_applied"]))
        if version not in latest or row_id > latest[version][0]:
            latest[version] = (row_id, applied)
    notes: list[str] = []
    if count == 0:
        notes.append("goose_db_version is empty: goose expects at least its version-0 row")
    versions = []
    for version, (_, applied) in sorted(latest.items(), key=lambda item: item[1][0]):
        if version == 0:
            continue
        if applied:
            versions.append(RecordedVersion(str(version)))
        else:
            versions.append(RecordedVersion(str(version), success=False))
            notes.append(f"version {version} was rolled back (its latest row has is_applied = "
                         "false); goose v3 counts any row as applied and will not run it "
                         "again while the row is there")
    return tuple(versions), tuple(notes)


#: The columns that make a table goose's history (tool detection).
HISTORY_COLUMNS = frozenset({"version_id", "is_applied"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list, spelled as goose records it (``"00042"`` ->
    ``"42"``); ``""`` for 0, goose's own initial row; None when it is not a goose version."""
    if not re.fullmatch(r"[+-]?[0-9]+", text) or not 0 <= int(text) <= _INT64_MAX:
        return None
    return str(int(text)) if int(text) else ""


def _latest_applied(table: str, version: str) -> str:
    """SQL: true when the latest goose_db_version row of ``version`` says applied."""
    return (f"COALESCE((SELECT g.is_applied FROM {table} AS g WHERE g.version_id = {version} "
            "ORDER BY g.id DESC LIMIT 1), false)")


def render_sync(ctx: SyncContext) -> SyncScript:
    """goose's repair: a psql script, or (``style="migration"``) a goose migration file.

    Script: create the table and its version-0 row when absent (or empty), then one guarded
    ``INSERT (version_id, is_applied) ... true`` per missing version; ``prune`` deletes the
    versions' rows, as ``goose down`` does.

    Migration: the file a person would write by hand (a ``DO`` block inserting every missing
    version that is not applied yet, inside ``StatementBegin``/``StatementEnd``, and a Down
    deleting them), versioned strictly between the highest recorded version and the lowest
    missing one. goose fixes the list of migrations to run before it runs the first, so a
    single ``goose up`` would run the sync and then re-run the backfilled migrations: the
    commands are ``goose up-to <sync version>``, then ``goose up``.

    Raises:
        SyncError: a non-integer version, or no free integer version for the sync migration.
    """
    table = _script.qualified(ctx.table)
    for version in [m.version for m in ctx.missing] + list(ctx.prune):
        if not version.lstrip("-").isdigit():
            raise SyncError(f"goose versions are integers; cannot record {version!r}")
    if ctx.style == "migration":
        return _render_migration(ctx, table)
    body: list[str] = []
    if not ctx.recorded.table_exists:
        body.append(_CREATE_TABLE.format(table=table))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    # goose inserts version 0 when it creates the table; an empty table makes goose fail.
    body.append(f"INSERT INTO {table} (version_id, is_applied)\n"
                f"SELECT 0, true WHERE NOT EXISTS (SELECT 1 FROM {table});")
    for version in ctx.prune:
        body.append(f"DELETE FROM {table} WHERE version_id = {int(version)};")
    for m in sorted(ctx.missing, key=lambda m: int(m.version)):
        v = int(m.version)
        body.append(f"-- {_script.comment_text(m.label)}\n"
                    f"INSERT INTO {table} (version_id, is_applied)\n"
                    f"SELECT {v}, true WHERE NOT {_latest_applied(table, str(v))};")
    # goose v3 takes the highest version of every row, is_applied or not
    rows = {v.version for v in ctx.recorded.versions} - set(ctx.prune)
    new_max = max((int(v) for v in ctx.applied_after | rows), default=0)
    warnings = _missing_warnings(ctx, new_max, covered=set())
    text = _script.frame(ctx, "backfill goose_db_version", body)
    return SyncScript(
        NAME, "script", text,
        commands=("goose up",) if ctx.pending_after else (),
        warnings=tuple(warnings),
        inserted=tuple(m.version for m in ctx.missing),
        pruned=ctx.prune,
    )


def _missing_warnings(ctx: SyncContext, new_max: int, covered: set[int]) -> list[str]:
    """Warnings for pending migrations goose will call missing (below its new highest
    version), except those in ``covered`` (run by ``up-to`` before the highest moves)."""
    below = [m for m in ctx.pending_after
             if int(m.version) < new_max and int(m.version) not in covered]
    if not below:
        return []
    listed = ", ".join(m.version for m in below)
    return [f"pending migration(s) {listed} lie below the new highest recorded version "
            f"{new_max}: goose up will call them missing and stop; review them, then run "
            "goose up -allow-missing to apply them out of order"]


def _render_migration(ctx: SyncContext, table: str) -> SyncScript:
    """The goose migration file of :func:`render_sync` (``style="migration"``)."""
    if not ctx.missing:
        raise SyncError("nothing to record: no sync migration is needed")
    # every row counts for goose v3's highest version, is_applied or not
    recorded = {int(v.version) for v in ctx.recorded.versions} - {int(v) for v in ctx.prune}
    highest = max(recorded, default=0)
    lowest = min(int(m.version) for m in ctx.missing)
    taken = {int(m.version) for m in ctx.migrations}
    sync_version = lowest - 1
    while sync_version > highest and sync_version in taken:
        sync_version -= 1
    if sync_version <= highest:
        if lowest <= highest:
            why = (f"the lowest missing version {lowest} lies below the highest recorded "
                   f"version {highest}")
        else:
            why = (f"every integer between the highest recorded version {highest} and the "
                   f"lowest missing version {lowest} is taken or none exists")
        raise SyncError(
            f"no goose version fits a sync migration: {why}. A sync migration must sort after "
            "every recorded version (else goose calls it missing) and before every missing "
            "one (else goose re-runs them first). Use --style script instead: it writes the "
            "rows directly.")
    versions = sorted(int(m.version) for m in ctx.missing)
    width = _prefix_width(ctx.missing, lowest)
    filename = f"{sync_version:0{width}d}_schemadiff_sync_goose_db_version.sql"
    array = ",\n".join(f"      {v}" for v in versions)
    in_list = ",\n".join(f"  {v}" for v in versions)
    # no header line may look like an annotation to goose's parser
    header = [line.replace("+goose", "+ goose")
              for line in _script.header(ctx, f"goose sync migration {sync_version}")]
    lines = ["-- +goose Up", *header,
             f"-- Run: goose up-to {sync_version}, then goose up (goose fixes the list of "
             "migrations before running the first).",
             ""]
    for version in ctx.prune:
        lines.append(f"DELETE FROM {table} WHERE version_id = {int(version)};")
    lines += [
        "-- +goose StatementBegin",
        "DO $schemadiff$",
        "DECLARE",
        "  v_version_id bigint;",
        "BEGIN",
        "  FOR v_version_id IN",
        "    SELECT unnest(ARRAY[",
        array,
        "    ]::bigint[])",
        "  LOOP",
        f"    IF NOT EXISTS (SELECT 1 FROM (SELECT g.is_applied FROM {table} AS g",
        "                                  WHERE g.version_id = v_version_id",
        "                                  ORDER BY g.id DESC LIMIT 1) AS latest",
        "                   WHERE latest.is_applied) THEN",
        f"      INSERT INTO {table} (version_id, is_applied) VALUES (v_version_id, true);",
        "    END IF;",
        "  END LOOP;",
        "END",
        "$schemadiff$;",
        "-- +goose StatementEnd",
        "",
        "-- +goose Down",
    ]
    if ctx.prune:
        lines.append("-- The rows deleted above (pruned versions) are not restored.")
    lines += [f"DELETE FROM {table} WHERE version_id IN (", in_list, ");", ""]
    covered = {int(m.version) for m in ctx.pending_after if highest < int(m.version) < sync_version}
    new_max = max([*recorded, *versions, sync_version])
    warnings = _missing_warnings(ctx, new_max, covered)
    stuck = [m.version for m in ctx.pending_after if int(m.version) < highest]
    if stuck:
        warnings.insert(0, f"pending migration(s) {', '.join(stuck)} already lie below the "
                        f"highest recorded version {highest}: goose up-to will call them "
                        "missing too (-allow-missing)")
    return SyncScript(
        NAME, "migration", "\n".join(lines),
        filename=filename,
        version=str(sync_version),
        commands=(f"goose up-to {sync_version}", "goose up"),
        warnings=tuple(warnings),
        inserted=tuple(str(v) for v in versions),
        pruned=ctx.prune,
    )


def _prefix_width(missing: Iterable[Migration], version: int) -> int:
    """The digit count of the numeric prefix of the file holding ``version`` (zero padding
    as the directory writes it), else 1."""
    for m in missing:
        if int(m.version) == version:
            name = Path(m.path).name
            digits = len(name) - len(name.lstrip("+-0123456789"))
            return max(digits, 1)
    return 1
