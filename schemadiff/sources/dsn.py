"""A migration tool's database URL, read as the tool reads it.

Tools take URLs libpq refuses: golang-migrate's own ``x-...`` parameters
(``x-migrations-table``), and a server setting as a parameter (``search_path=app``: dbmate,
goose through pgx, golang-migrate through lib/pq, Atlas pass such a parameter to the server at
connection, so the tool's table and every unqualified name of its migrations land in ``app``;
Prisma's ``schema=app`` does the same).
``$DATABASE_URL`` is usually that URL. :func:`tool_dsn` makes a libpq connection string of it
and keeps what the rest of the comparison needs: the ``search_path`` the tool ran with (also
from ``options=-c search_path=...``) and golang-migrate's history table. Parameters neither
libpq nor this module knows are dropped, and named.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from schemadiff.records import record

__all__ = ["ToolDsn", "tool_dsn"]

_SEARCH_PATH_OPTION = re.compile(r"(?:-c\s*|--)search_path\s*=\s*((?:\\ |[^\s])+)")


@record
class ToolDsn:
    """A connection string libpq takes, and what the tool's URL said besides.

    Attributes:
        dsn: the connection string to open (the URL without what libpq refuses).
        search_path: the schemas of the ``search_path`` the tool connected with (None: the
            server's default).
        history_table: golang-migrate's ``x-migrations-table`` (None: not given).
        dropped: the parameters left out (neither libpq's nor read here).
    """

    dsn: str
    search_path: tuple[str, ...] | None = None
    history_table: str | None = None
    dropped: tuple[str, ...] = ()


def tool_dsn(dsn: str) -> ToolDsn:
    """``dsn`` as libpq takes it, with the tool's own parameters read out (a ``key=value``
    string is taken as it is, but for its ``options``)."""
    if "://" not in dsn:
        return ToolDsn(dsn, _options_search_path(_keyword(dsn, "options")))
    parts = urlsplit(dsn)
    if not parts.query:
        return ToolDsn(dsn)
    known = _libpq_keywords()
    kept: list[tuple[str, str]] = []
    search_path: tuple[str, ...] | None = None
    table: str | None = None
    dropped: list[str] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in ("search_path", "schema"):  # Prisma's ?schema= is its search_path
            search_path = _split_path(value)
            kept.append(("options", _with_option(dict(kept).get("options"), value)))
        elif key == "x-migrations-table":
            table = value.replace('"', "")
        elif key in known:
            if key == "options":
                search_path = search_path or _options_search_path(value)
                value = _with_option(dict(kept).get("options"), None, value)
            kept.append((key, value))
        else:
            dropped.append(key)
    kept = list(dict(kept).items())  # a later "options" holds the earlier ones
    clean = urlunsplit(parts._replace(query=urlencode(kept, quote_via=quote)))
    return ToolDsn(clean, search_path, table, tuple(dropped))


def _libpq_keywords() -> frozenset[str]:
    import psycopg

    return frozenset(o.keyword.decode() for o in psycopg.pq.Conninfo.get_defaults())


def _with_option(options: str | None, search_path: str | None, more: str | None = None) -> str:
    """libpq's ``options`` with ``-c search_path=...`` (spaces escaped) and ``more`` added."""
    parts = [p for p in (options, more) if p]
    if search_path is not None:
        parts.append("-c search_path=" + search_path.replace("\\", "\\\\").replace(" ", "\\ "))
    return " ".join(parts)


def _options_search_path(options: str | None) -> tuple[str, ...] | None:
    m = _SEARCH_PATH_OPTION.search(options or "")
    return _split_path(m.group(1).replace("\\ ", " ")) if m else None


def _split_path(value: str) -> tuple[str, ...]:
    """``app, "My Schema", $user`` -> ``("app", "My Schema", "$user")``: unquoted names
    folded to lower case, as the server folds them."""
    names = []
    for item in re.findall(r'"(?:[^"]|"")*"|[^,]+', unquote(value)):
        item = item.strip()
        if item.startswith('"'):
            names.append(item[1:-1].replace('""', '"'))
        elif item:
            names.append(item.lower())
    return tuple(names)


def _keyword(dsn: str, name: str) -> str | None:
    """A keyword's value in a ``key=value`` connection string (None: absent or unreadable)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        value = conninfo_to_dict(dsn).get(name)
    except Exception:  # a bad string is libpq's to report, at connection
        return None
    return str(value) if value is not None else None
