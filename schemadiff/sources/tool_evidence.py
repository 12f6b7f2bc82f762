"""The history tables a database holds, as evidence of which migration tool used it.

:func:`read_evidence` asks a live database over a read-only session (``SELECT`` statements
only: one catalog query for the tables named like a tool's history table, then each readable
one's rows as text); :func:`evidence_from_dump` reads the same from a pg_dump file or dbmate's
``schema.sql`` (``CREATE TABLE`` for the columns, ``COPY`` or ``INSERT`` data for the rows).
What the evidence means is decided in :mod:`schemadiff.tool_choice`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from schemadiff.sources.history import (
    _COPY_RE,
    _IDENT,
    _INSERT_RE,
    _columns,
    _copy_rows,
    _insert_rows,
    _name_parts,
    _pattern,
)
from schemadiff.sql.quote import split_top
from schemadiff.tool_choice import HistoryTable, ToolEvidence

if TYPE_CHECKING:
    import psycopg

__all__ = ["evidence_from_dump", "history_table_names", "read_evidence", "read_evidence_live"]

#: Rows read per table at most: history tables are small; a huge table of that name is not one.
ROW_LIMIT = 100_000

_TABLES = """
SELECT n.nspname AS schema, c.relname AS name,
       array_agg(a.attname::text ORDER BY a.attnum) AS columns,
       has_table_privilege(c.oid, 'SELECT') AS readable
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute AS a
  ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND c.relname = ANY(%(names)s)
  AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
GROUP BY n.nspname, c.relname, c.oid
ORDER BY 1, 2
"""


def history_table_names(history_table: str | None = None) -> list[str]:
    """Every tool's history table name, and ``history_table``'s (``[schema.]name``)."""
    from schemadiff.tools import TOOLS

    names = {name for module in TOOLS.values() for _, name in module.HISTORY_TABLES}
    if history_table:
        names.add(history_table.rpartition(".")[2])
    return sorted(names)


def read_evidence(conn: psycopg.Connection[Any], history_table: str | None = None) -> ToolEvidence:
    """The tables of this database named like a history table, their columns and rows.

    Only ``SELECT`` statements are sent. A table the session may not read is listed with
    ``rows=None``; so is one whose read fails (the session stays usable).
    """
    import psycopg
    from psycopg import sql as pg_sql
    from psycopg.rows import dict_row

    tables = []
    with conn.cursor(row_factory=dict_row) as cur:
        found = cur.execute(_TABLES, {"names": history_table_names(history_table)}).fetchall()
        for t in found:
            columns = [str(c) for c in t["columns"]]
            rows: tuple[dict[str, str | None], ...] | None = None
            if t["readable"]:
                query = pg_sql.SQL("SELECT {} FROM {} LIMIT {}").format(
                    pg_sql.SQL(", ").join(
                        pg_sql.SQL("{}::text AS {}").format(
                            pg_sql.Identifier(c), pg_sql.Identifier(c)
                        )
                        for c in columns
                    ),
                    pg_sql.Identifier(t["schema"], t["name"]),
                    pg_sql.Literal(ROW_LIMIT),
                )
                try:
                    rows = tuple(cur.execute(query).fetchall())
                except psycopg.Error:
                    if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
                        conn.rollback()
            tables.append(HistoryTable(str(t["schema"]), str(t["name"]), frozenset(columns), rows))
    return ToolEvidence("live", tuple(tables))


def read_evidence_live(dsn: str, history_table: str | None = None) -> ToolEvidence:
    """:func:`read_evidence` over a new read-only session on ``dsn``."""
    from schemadiff.sources.live import open_session

    with open_session(dsn) as conn:
        return read_evidence(conn, history_table)


def evidence_from_dump(text: str, history_table: str | None = None) -> ToolEvidence:
    """The history tables a dump defines, their columns and (from COPY or INSERT) rows.

    A table the dump defines without any data for it (a ``--schema-only`` dump) has
    ``rows=None``; a full dump's empty table has an empty COPY block, so ``rows=()``.
    """
    columns: dict[tuple[str, str], list[str]] = {}
    rows: dict[tuple[str, str], list[dict[str, str | None]]] = {}
    for name in history_table_names(history_table):
        start = text.find(name)
        while start >= 0:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            _read_line(text, line, line_start, name, columns, rows)
            start = text.find(name, line_end) if line_end >= 0 else -1
    tables = [
        HistoryTable(
            schema,
            name,
            frozenset(columns.get((schema, name)) or _row_columns(rows[(schema, name)])),
            tuple(rows[(schema, name)]) if (schema, name) in rows else None,
        )
        for schema, name in sorted(columns.keys() | rows.keys())
    ]
    return ToolEvidence("dump", tuple(tables))


def _read_line(
    text: str,
    line: str,
    offset: int,
    name: str,
    columns: dict[tuple[str, str], list[str]],
    rows: dict[tuple[str, str], list[dict[str, str | None]]],
) -> None:
    """One line of a dump that mentions a history table's name: its definition or its data."""
    head = line.lstrip()[:12].upper()
    if head.startswith("CREATE TABLE"):
        m = _CREATE.match(line)
        if m is None or _name_parts(m.group("table"))[1] != name:
            return
        columns[_name_parts(m.group("table"))] = _defined_columns(text, offset + m.end())
    elif head.startswith("COPY"):
        m = _pattern(_COPY_RE).match(line + "\n")
        if m is not None and _name_parts(m.group("table"))[1] == name:
            table = _name_parts(m.group("table"))
            end = offset + len(line) + 1
            rows.setdefault(table, []).extend(_copy_rows(text, end, _columns(m.group("cols"))))
    elif head.startswith("INSERT"):
        m = _pattern(_INSERT_RE).match(text, offset)
        if m is not None and _name_parts(m.group("table"))[1] == name:
            table = _name_parts(m.group("table"))
            found, _ = _insert_rows(text, m.end(), _columns(m.group("cols")))
            rows.setdefault(table, []).extend(found)


_CREATE = re.compile(
    rf"\s*CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    rf"(?P<table>{_IDENT}(?:\.{_IDENT})?)\s*\(",
    re.IGNORECASE,
)
_TABLE_CONSTRAINTS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE", "LIKE"}
_ITEM_NAME = re.compile(rf"\s*({_IDENT})")


def _defined_columns(text: str, start: int) -> list[str]:
    """The column names of a ``CREATE TABLE`` whose column list starts at ``start`` (after its
    parenthesis): the top-level items up to the closing one, table constraints left out."""
    items, _ = split_top(text, start)
    out = []
    for item in items:
        m = _ITEM_NAME.match(item)
        if m is None or m.group(1).upper() in _TABLE_CONSTRAINTS:  # not "checksum"
            continue
        out.append(_name_parts(m.group(1))[1])
    return out


def _row_columns(rows: list[dict[str, str | None]]) -> list[str]:
    """The columns of data rows (a table the dump fills without defining it)."""
    return sorted({c for row in rows for c in row})
