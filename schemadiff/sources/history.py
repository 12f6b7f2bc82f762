"""A migration tool's history, read from a database, a pg_dump file or a plain list.

Every reader returns a :class:`~schemadiff.recorded.Recorded` interpreted the way the tool's
own source interprets its table (each tool module's ``parse_history``): goose's latest row per
version, golang-migrate's single row standing for every version up to it, Flyway's failed,
deleted, undone and baseline rows, Prisma's rolled-back and unfinished attempts, Atlas's
partial and baseline revisions.

- :func:`read_history` reads a live database over an open psycopg 3 connection. It only
  sends ``SELECT`` statements; the table is found with ``to_regclass``, so an unqualified name
  resolves through the session's ``search_path`` exactly as the tool resolves it. A missing
  table is ``Recorded(table_exists=False)``, not an error.
- :func:`read_history_file` reads ``--history-file``: one version per line, ``#`` comments.
- :func:`read_history_from_dump` reads the ``COPY ... FROM stdin;`` data of a full pg_dump and
  ``INSERT INTO ... VALUES`` lines (dbmate's ``schema.sql``, ``pg_dump --column-inserts``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from schemadiff.errors import Location, SourceError
from schemadiff.migration import Migration
from schemadiff.recorded import Recorded
from schemadiff.sql.quote import qualified

if TYPE_CHECKING:  # psycopg is imported only when a live database is read
    import psycopg

__all__ = [
    "locate_history_table",
    "read_history",
    "read_history_file",
    "read_history_from_dump",
]

_LOCATE = """
SELECT n.nspname AS schema, c.relname AS name
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.oid = to_regclass(%(name)s)
"""


def _module(tool: str) -> ModuleType:
    """The tool's reader module (raises :class:`SourceError` for an unknown tool)."""
    from schemadiff.tools import TOOLS

    module = TOOLS.get(tool)
    if module is None:
        raise SourceError(f"unknown tool {tool!r}; known tools: {', '.join(TOOLS)}")
    return module


def _candidates(module: ModuleType, table: str | None) -> list[tuple[str, str]]:
    """The ``(schema or "", name)`` places to look, in order: the table given, else the tool's
    defaults, schema-qualified ones first (Atlas's own schema before the current one)."""
    if table:
        schema, dot, name = table.rpartition(".")
        return [(schema, name) if dot else ("", table)]
    return sorted(module.HISTORY_TABLES, key=lambda t: (t[0] == "", t))


def _regclass_text(schema: str, name: str) -> str:
    """The text ``to_regclass`` parses for ``schema.name`` (each part quoted)."""
    return qualified(schema or None, name)


def locate_history_table(
    conn: psycopg.Connection[Any], tool: str, table: str | None = None
) -> tuple[str, str] | None:
    """Where ``tool``'s history table is on this session, as ``(schema, name)``, or None.

    Args:
        conn: an open connection; its ``search_path`` resolves unqualified names.
        tool: a ``--tool`` name.
        table: the table when not the tool's default (``"name"`` or ``"schema.name"``, as
            goose's ``-table`` or dbmate's ``--migrations-table``).
    """
    from psycopg.rows import dict_row

    module = _module(tool)
    with conn.cursor(row_factory=dict_row) as cur:
        for schema, name in _candidates(module, table):
            row = cur.execute(_LOCATE, {"name": _regclass_text(schema, name)}).fetchone()
            if row is not None:
                return str(row["schema"]), str(row["name"])
    return None


def read_history(
    conn: psycopg.Connection[Any],
    tool: str,
    migrations: Sequence[Migration] = (),
    *,
    table: str | None = None,
) -> Recorded:
    """Read ``tool``'s history table over an open connection.

    Only ``SELECT`` statements are sent; run it in a read-only session (the caller's).

    Args:
        conn: an open psycopg 3 connection.
        tool: a ``--tool`` name (``goose``, ``sqlx``, ``golang-migrate``, ``dbmate``,
            ``flyway``, ``diesel``, ``prisma``, ``atlas``).
        migrations: the directory's migrations in the tool's order. golang-migrate's single
            row, and Flyway and Atlas baselines, stand for every version up to theirs: these
            are expanded to the migrations at or below it.
        table: the table when not the tool's default (``"name"`` or ``"schema.name"``).

    Returns:
        The history, ``source="live"``; ``table_exists=False`` when there is no such table.

    Raises:
        SourceError: an unknown tool, a table of that name without the tool's columns, or one
            the session may not read (one line, no password).
    """
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg import sql as pg_sql
    from psycopg.rows import dict_row

    module = _module(tool)
    found = locate_history_table(conn, tool, table)
    if found is None:
        return Recorded(tool, "live", False, (), (f"no {tool} history table found",))
    query = pg_sql.SQL(module.HISTORY_QUERY).format(table=pg_sql.Identifier(*found))
    where = ".".join(found)
    try:
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(query).fetchall()
    except (pg_errors.UndefinedColumn, pg_errors.UndefinedFunction,
            pg_errors.DatatypeMismatch, pg_errors.CannotCoerce) as exc:
        _rollback_if_failed(conn)
        raise SourceError(f"{where} is not {tool}'s history table: "
                          f"{_one_line(exc)}") from None
    except psycopg.Error as exc:
        _rollback_if_failed(conn)
        raise SourceError(f"cannot read {tool}'s history table {where}: "
                          f"{_one_line(exc)}") from None
    return _recorded(module, tool, "live", rows, migrations, f"read from {where}")


def _rollback_if_failed(conn: psycopg.Connection[Any]) -> None:
    """Leave the caller's session usable after a failed read (an aborted transaction)."""
    import psycopg

    if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
        conn.rollback()


def _one_line(exc: BaseException) -> str:
    """The first line of an error message."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _recorded(module: ModuleType, tool: str, source: str, rows: Iterable[Mapping[str, object]],
              migrations: Sequence[Migration], where: str) -> Recorded:
    """Rows -> :class:`Recorded` through the tool's ``parse_history``."""
    versions, notes = module.parse_history(list(rows), migrations)
    return Recorded(tool, source, True, tuple(versions), (where, *notes))


# -- --history-file --------------------------------------------------------------------------


def read_history_file(path: str | Path, tool: str) -> Recorded:
    """A list of applied versions: one per line, blank lines and ``#`` comments ignored.

    Each line must be a version of ``tool`` (its ``normalize_version``): the tool's own
    spelling is kept (``00042`` is goose's ``42``; dbmate keeps the digits as written), and a
    version this code does not have stays a version (``recorded_not_in_code``). goose's
    version 0 (its own first row) is skipped. For golang-migrate, list every applied version,
    not only the current one.

    Raises:
        SourceError: an unknown tool, a file that cannot be read as UTF-8 text, or a line that
            is not a version of ``tool`` (``path:line``: a pasted table header, a file name).
    """
    from schemadiff.recorded import RecordedVersion

    module = _module(tool)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read history file: {exc}", Location(str(path))) from None
    versions: dict[str, RecordedVersion] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        written = line.split("#", 1)[0].strip()
        if not written:
            continue
        version = module.normalize_version(written)
        if version is None:
            raise SourceError(
                f"{written!r} is not a {tool} version ({module.VERSION_SYNTAX}); write one "
                "version per line",
                Location(str(path), number),
            )
        if version:
            versions.setdefault(version, RecordedVersion(version))
    return Recorded(tool, "file", True, tuple(versions.values()), (f"read from {path}",))


# -- pg_dump and dbmate schema.sql -----------------------------------------------------------

_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_COPY_RE = (
    rf"^COPY\s+(?P<table>{_IDENT}(?:\.{_IDENT})?)\s*\((?P<cols>[^)]*)\)\s+FROM\s+stdin;[ \t]*\r?$",
    re.MULTILINE | re.IGNORECASE,
)
_INSERT_RE = (
    rf"^INSERT\s+INTO\s+(?P<table>{_IDENT}(?:\.{_IDENT})?)\s*\((?P<cols>[^)]*)\)\s*VALUES\s*",
    re.MULTILINE | re.IGNORECASE,
)
_CREATE_RE = (
    rf"^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<table>{_IDENT}(?:\.{_IDENT})?)\s*\(",
    re.MULTILINE | re.IGNORECASE,
)


@functools.cache
def _pattern(spec: tuple[str, int]) -> re.Pattern[str]:
    """Compiled on first use: most runs never look for history rows in a dump."""
    return re.compile(*spec)


_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _name_parts(text: str) -> tuple[str, str]:
    """``schema.table`` (either part maybe quoted) -> raw ``(schema or "", table)``."""
    parts = [p[1:-1].replace('""', '"') if p.startswith('"') else p.lower()
             for p in re.findall(_IDENT, text)]
    return (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])


def _columns(text: str) -> list[str]:
    """A column list ``(a, "B", c)`` -> raw names."""
    return [_name_parts(part.strip())[1] for part in text.split(",") if part.strip()]


def _matches(table: tuple[str, str], wanted: list[tuple[str, str]]) -> bool:
    """Whether a dumped table is one of the tool's (an unqualified wanted name matches any
    schema)."""
    return any(name == table[1] and (not schema or schema == table[0]) for schema, name in wanted)


def _pick(tables: list[tuple[str, str]], wanted: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The history table among ``tables``: the first wanted name that matches, an unqualified
    one preferring ``public`` (the first schema of a default ``search_path``)."""
    for schema, name in wanted:
        hits = [t for t in tables if t[1] == name and (not schema or t[0] == schema)]
        if hits:
            return next((t for t in hits if t[0] == "public"), hits[0])
    return None


def _copy_field(field: str) -> str | None:
    """One field of COPY's text format: ``\\N`` is NULL; backslash escapes decoded."""
    if field == "\\N":
        return None
    if "\\" not in field:
        return field
    out: list[str] = []
    i = 0
    while i < len(field):
        ch = field[i]
        if ch != "\\" or i + 1 == len(field):
            out.append(ch)
            i += 1
            continue
        nxt = field[i + 1]
        if nxt in _COPY_ESCAPES:
            out.append(_COPY_ESCAPES[nxt])
            i += 2
        elif nxt in "01234567":
            digits = re.match(r"[0-7]{1,3}", field[i + 1:])
            assert digits is not None
            out.append(chr(int(digits.group(0), 8)))
            i += 1 + len(digits.group(0))
        elif nxt == "x" and re.match(r"[0-9a-fA-F]", field[i + 2:i + 3] or "-"):
            digits = re.match(r"[0-9a-fA-F]{1,2}", field[i + 2:])
            assert digits is not None
            out.append(chr(int(digits.group(0), 16)))
            i += 2 + len(digits.group(0))
        else:
            out.append(nxt)
            i += 2
    return "".join(out)


def _copy_rows(text: str, start: int, columns: list[str]) -> list[dict[str, str | None]]:
    """The data lines of a COPY block starting at offset ``start``, up to ``\\.``."""
    rows = []
    for line in text[start:].split("\n"):
        line = line.removesuffix("\r")
        if line == "\\.":
            break
        fields = line.split("\t")
        rows.append(dict(zip(columns, (_copy_field(f) for f in fields))))
    return rows


_VALUE = re.compile(
    r"\s*(?:(?P<e>[Ee])?'(?P<s>(?:[^'\\]|''|\\.)*)'(?:::[\w .\"\[\]]+)?"
    r"|(?P<null>NULL)|(?P<bool>true|false)|(?P<num>[+-]?\d+(?:\.\d+)?))\s*",
    re.IGNORECASE | re.DOTALL,
)


def _string_value(escaped: bool, body: str) -> str:
    """The value of a SQL string literal's body (``E''`` escapes when ``escaped``)."""
    if not escaped:
        return body.replace("''", "'")
    return _copy_field(body.replace("''", "'")) or ""


def _insert_rows(text: str, start: int, columns: list[str]) -> tuple[list[dict[str, str | None]],
                                                                     int]:
    """Parse ``(v, ...), (v, ...);`` from offset ``start``; returns the rows and the offset after
    the terminating semicolon (rows stop at the first tuple that cannot be read)."""
    rows: list[dict[str, str | None]] = []
    pos = start
    while True:
        open_paren = re.compile(r"\s*\(").match(text, pos)
        if open_paren is None:
            break
        pos = open_paren.end()
        values: list[str | None] = []
        while True:
            m = _VALUE.match(text, pos)
            if m is None:
                return rows, pos
            if m.group("s") is not None:
                values.append(_string_value(bool(m.group("e")), m.group("s")))
            elif m.group("null"):
                values.append(None)
            else:
                values.append(m.group("bool") or m.group("num"))
            pos = m.end()
            if text.startswith(",", pos):
                pos += 1
                continue
            if text.startswith(")", pos):
                pos += 1
                break
            return rows, pos
        rows.append(dict(zip(columns, values)))
        sep = re.compile(r"\s*([,;])").match(text, pos)
        if sep is None:
            break
        pos = sep.end()
        if sep.group(1) == ";":
            break
    return rows, pos


def read_history_from_dump(
    text: str, tool: str, migrations: Sequence[Migration] = (), *, table: str | None = None
) -> Recorded:
    """The history rows held in a SQL dump.

    Reads the ``COPY <history table> (...) FROM stdin;`` data block of a full (not
    schema-only) ``pg_dump``, and ``INSERT INTO <history table> (...) VALUES (...), ...;``
    statements: dbmate's ``schema.sql`` (``INSERT INTO public.schema_migrations (version)
    VALUES ('...'), ...;``) or ``pg_dump --column-inserts``.

    Args:
        text: the dump's text.
        tool: a ``--tool`` name.
        migrations: as for :func:`read_history` (golang-migrate, baselines).
        table: the table when not the tool's default.

    Returns:
        The history, ``source="dump"``. No table and no rows: ``table_exists=False``. The
        table defined but no rows (a ``--schema-only`` dump): ``table_exists=True``, no
        versions, and a note saying the rows are not in the dump.

    Raises:
        SourceError: an unknown tool.
    """
    module = _module(tool)
    wanted = _candidates(module, table)
    blocks: dict[tuple[str, str], list[dict[str, str | None]]] = {}
    lowered = text.lower()
    if not any(name.lower() in lowered for _, name in wanted):
        # the usual case for a schema-only dump; three regex passes over it cost far more
        return Recorded(tool, "dump", False, (), (f"the dump holds no {tool} history table",))
    for m in _pattern(_COPY_RE).finditer(text):
        name = _name_parts(m.group("table"))
        if _matches(name, wanted):
            blocks.setdefault(name, []).extend(
                _copy_rows(text, m.end() + 1, _columns(m.group("cols"))))
    for m in _pattern(_INSERT_RE).finditer(text):
        name = _name_parts(m.group("table"))
        if _matches(name, wanted):
            blocks.setdefault(name, []).extend(
                _insert_rows(text, m.end(), _columns(m.group("cols")))[0])
    found = _pick(list(blocks), wanted)
    if found is None:
        creates = _pattern(_CREATE_RE).finditer(text)
        defined = _pick([_name_parts(m.group("table")) for m in creates], wanted)
        if defined is None:
            return Recorded(tool, "dump", False, (), (f"the dump holds no {tool} history table",))
        where = ".".join(p for p in defined if p)
        return Recorded(tool, "dump", True, (), (
            f"the dump defines {where} but holds none of its rows (a --schema-only dump?): "
            "use a full dump, --history-file or --dsn",))
    rows = blocks[found]
    try:
        return _recorded(module, tool, "dump", rows, migrations,
                         f"read from the dump's {'.'.join(p for p in found if p)} rows")
    except (KeyError, ValueError) as exc:
        raise SourceError(f"the dump's {'.'.join(p for p in found if p)} rows are not "
                          f"{tool}'s history: {exc}") from None


def read_history_live(dsn: str, tool: str, migrations: Sequence[Migration] = (), *,
                      table: str | None = None) -> Recorded:
    """Read ``tool``'s history table over a new read-only session on ``dsn``.

    The catalog reader empties ``search_path`` so that expressions come back qualified as
    pg_dump prints them; the tool itself finds its table through the role's default
    ``search_path``, so that is restored here before looking.
    """
    from schemadiff.sources.live import open_session

    with open_session(dsn) as conn:
        conn.execute("RESET search_path")
        return read_history(conn, tool, migrations, table=table)
