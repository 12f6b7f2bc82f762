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
- ``ENVSUB ON`` makes goose substitute ``${VAR}`` from its environment at run time; the text is
  kept as written and ``extra["envsub"]`` is ``"on"``.
- a ``.go`` migration is listed with ``opaque=True`` and empty ``sql``; it runs without a
  transaction when the file registers it with ``AddMigrationNoTx``.

See https://pressly.github.io/goose/documentation/annotations/.
"""

from __future__ import annotations

import re
from enum import Enum, auto
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.tools import _common

NAME = "goose"
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "goose_db_version")})

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


def detect(root: Path) -> int:
    """100 when a numbered ``.sql`` file carries a ``-- +goose Up`` annotation, else 0."""
    files = [p for p in _common.entries(root) if p.suffix == ".sql" and parse_version(p.name)]
    return 100 if _common.any_file_contains(files, _common.GOOSE_UP_MARKER) else 0


def list_migrations(root: Path) -> list[Migration]:
    """The goose migrations of ``root`` in version order.

    Raises:
        MigrationError: a file goose would reject (see the module docstring), or two files with
            the same version.
    """
    _common.require_dir(root)
    found: list[tuple[int, Migration]] = []
    for path in _common.entries(root):
        parsed = parse_version(path.name)
        if parsed is None or not path.is_file():
            continue
        version, description = parsed
        if path.suffix == ".go":
            migration = _go_migration(path, version, description)
        else:
            migration = _sql_migration(path, version, description)
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


def _sql_migration(path: Path, version: int, description: str) -> Migration:
    """A ``.sql`` migration, parsed with goose's rules (both directions, like goose)."""
    _, text = _common.read_text(path)
    lines = _common.split_lines(text)
    up_lines, use_tx, envsub = _parse(lines, path, up=True)
    _parse(lines, path, up=False)  # goose validates the down direction too
    return Migration(
        version=str(version),
        description=description,
        path=str(path),
        sql=_common.keep_lines(lines, up_lines.__contains__),
        in_transaction=use_tx,
        extra={"envsub": "on"} if envsub else {},
    )


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


def _parse(lines: list[str], path: Path, *, up: bool) -> tuple[set[int], bool, bool]:
    """Run goose's parser over ``lines`` for one direction.

    Returns:
        The 0-based indexes of the lines that belong to the UP part (annotations excluded),
        whether the file runs in a transaction, and whether ``ENVSUB ON`` was seen in it.

    Raises:
        MigrationError: the file breaks one of goose's rules, at the offending line.
    """
    state = _State.START
    use_tx, envsub, envsub_used = True, False, False
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
            envsub_used = envsub_used or envsub
        if not buf and (line.strip().startswith("--") or line == ""):
            continue
        if state not in (_State.END_UP, _State.END_DOWN):
            buf.append(line)
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
    return up_lines, use_tx, envsub_used
