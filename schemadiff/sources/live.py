"""A live PostgreSQL database as a schema source, read from ``pg_catalog`` over psycopg.

One set-based query per object kind (the PostgreSQL dialect's, ``dialect/postgres/catalog/``:
see :mod:`schemadiff.dialect.postgres.kinds`), all of them in one
read-only ``REPEATABLE READ`` transaction (one snapshot), sent in a single pipeline. The
session is read-only from its first statement, with ``statement_timeout``, ``lock_timeout``,
``application_name=schemadiff`` and an empty ``search_path``, so that the catalog's deparsers
(``pg_get_expr``, ``pg_get_constraintdef``, ``pg_get_indexdef``, ...) qualify names exactly as
they do for ``pg_dump``.

The rows become the same :class:`~schemadiff.model.Catalog` the replay of a ``pg_dump
--schema-only`` file of that database gives: every text the catalog deparses goes through the
functions the replay applies to the same text in a dump (``normalize_expression``,
``canonical_default``, the type, index, constraint, trigger and argument grammars).

Version differences are whole files: ``<kind>.pg<NN>.sql`` serves servers up to major version
NN, ``<kind>.sql`` the newest ones (``catalog_query``). The rows become records through each
kind's builder (:mod:`schemadiff.dialect.postgres.rows`).

psycopg is imported here only: the engine never needs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row, tuple_row

from schemadiff.dialect.postgres.kinds import BY_QUERY, PG_KINDS, catalog_query
from schemadiff.dialect.postgres.rows import Rows
from schemadiff.errors import SourceError
from schemadiff.history import Replay
from schemadiff.model import (
    Catalog,
    SchemaObject,
)
from schemadiff.sql.tokens import SyntaxProblem

#: The order one session reads them in: the server's heaviest first.
_BY_COST: tuple[str, ...] = (
    "constraints", "columns", "indexes", "tables", "sequences", "views", "composites",
    "domains", "enums", "functions", "privileges", "triggers", "policies", "schemas",
    "extensions", "statistics", "event_triggers",
)
assert sorted(_BY_COST) == sorted(BY_QUERY)

APPLICATION_NAME = "schemadiff"
MIN_SERVER_VERSION = 120000  # attgenerated, pg_get_partkeydef, tgparentid-or-internal clones


# ------------------------------------------------------------------------------ queries


# ------------------------------------------------------------------------------ connection


def _dsn_parts(dsn: str) -> tuple[str, str, str | None]:
    """``(host, dbname, password)`` of a connection string, for messages (never raises)."""
    try:
        params = conninfo_to_dict(dsn)
    except (psycopg.Error, ValueError, TypeError):
        params = {}
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    if params.get("port"):
        host += f":{params['port']}"
    dbname = str(params.get("dbname") or params.get("user") or "")
    password = params.get("password")
    return host, dbname, str(password) if password else None


def _scrub(text: str, password: str | None) -> str:
    """Remove a password from a message: the literal value, URL userinfo and ``password=``."""
    if password:
        text = text.replace(password, "***")
    text = re.sub(r"(://[^:/@\s]*):[^@\s]*@", r"\1:***@", text)
    text = re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)", r"\1***", text, flags=re.I)
    return text


def _one_line(exc: BaseException) -> str:
    """libpq's message on one line: its first line, without the ``connection failed:`` and
    ``connection to server at ... failed:`` preambles (host and database are named already)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = " ".join(lines[0].split()) if lines else ""
    text = re.sub(r"^connection failed:\s*", "", text)
    text = re.sub(r"connection to server (at|on) .*? failed:\s*", "", text)
    text = re.sub(r"^(FATAL|ERROR):\s*", "", text)
    return text.strip() or type(exc).__name__


def _source_error(dsn: str, what: str, exc: BaseException) -> SourceError:
    host, dbname, password = _dsn_parts(dsn)
    where = f"database {dbname!r} on {host}" if dbname else f"server {host}"
    return SourceError(_scrub(f"{what} {where}: {_one_line(exc)}", password))


@contextmanager
def open_session(
    dsn: str,
    *,
    statement_timeout_ms: int = 30000,
    lock_timeout_ms: int = 5000,
    connect_timeout_s: int = 10,
) -> Iterator[psycopg.Connection[dict[str, Any]]]:
    """A read-only session on ``dsn``, closed on exit.

    Every transaction of the session is ``READ ONLY`` (``SET SESSION CHARACTERISTICS``), with
    the given timeouts, ``application_name=schemadiff``, ``search_path = ''`` (catalog
    deparsers then qualify every name, as for pg_dump) and ``TimeZone = 'UTC'``.

    Raises:
        SourceError: the server cannot be reached, refuses the login, has no such database or
            does not answer in time. The message is one line naming host and database; it never
            holds the password.
    """
    try:
        conn = psycopg.connect(
            dsn,
            application_name=APPLICATION_NAME,
            connect_timeout=max(2, int(connect_timeout_s)),
            autocommit=True,
            row_factory=dict_row,
        )
    except (psycopg.Error, ValueError, TypeError) as exc:
        raise _source_error(dsn, "cannot connect to", exc) from None
    try:
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        conn.execute(
            "SELECT set_config('default_transaction_read_only', 'on', false),"
            " set_config('statement_timeout', %s, false),"
            " set_config('lock_timeout', %s, false),"
            " set_config('search_path', '', false),"
            " set_config('TimeZone', 'UTC', false),"
            " set_config('application_name', %s, false)",
            (f"{int(statement_timeout_ms)}ms", f"{int(lock_timeout_ms)}ms", APPLICATION_NAME),
        )
    except psycopg.Error as exc:
        conn.close()
        raise _source_error(dsn, "cannot set up a read-only session on", exc) from None
    try:
        yield conn
    finally:
        conn.close()


def read_live(
    dsn: str,
    *,
    schemas: Sequence[str] = (),
    exclude_schemas: Sequence[str] = (),
    statement_timeout_ms: int = 30000,
    lock_timeout_ms: int = 5000,
    connect_timeout_s: int = 10,
    parallel: bool = True,
) -> Replay:
    """Read a database's schema into a catalog, read-only.

    Args:
        dsn: a libpq connection string (URL or ``key=value``).
        schemas: only these schemas (empty: every user schema).
        exclude_schemas: leave these schemas out.
        statement_timeout_ms: ``statement_timeout`` of the session.
        lock_timeout_ms: ``lock_timeout`` of the session.
        connect_timeout_s: libpq ``connect_timeout`` (at least 2 seconds).
        parallel: read the largest kinds on a second session sharing the first one's
            snapshot (falls back to one session when a second cannot be had).

    Returns:
        A :class:`~schemadiff.history.Replay` with the catalog filled and no effects or
        diagnostics.

    Raises:
        SourceError: connection failures (see :func:`open_session`), or a catalog query that
            failed (a timeout, a permission the role lacks).
    """
    timeouts = {"statement_timeout_ms": statement_timeout_ms, "lock_timeout_ms": lock_timeout_ms,
                "connect_timeout_s": connect_timeout_s}
    with open_session(dsn, **timeouts) as conn:
        return read_catalog(conn, dsn, schemas=schemas, exclude_schemas=exclude_schemas,
                            timeouts=timeouts, parallel=parallel)


def read_catalog(
    conn: psycopg.Connection[dict[str, Any]],
    dsn: str,
    *,
    schemas: Sequence[str] = (),
    exclude_schemas: Sequence[str] = (),
    timeouts: dict[str, int] | None = None,
    parallel: bool = True,
) -> Replay:
    """:func:`read_live` on an open session (:func:`open_session`'s); ``dsn`` opens the
    second session of a parallel read, with the same ``timeouts``."""
    params = {"include": list(schemas), "exclude": list(exclude_schemas)}
    timeouts = timeouts or {}
    version = conn.info.server_version
    if version < MIN_SERVER_VERSION:
        host, dbname, _ = _dsn_parts(dsn)
        raise SourceError(f"database {dbname!r} on {host}: PostgreSQL {version // 10000} is "
                          "not supported (12 or later)")
    try:
        try:
            objects = _read_catalog(conn, dsn, version, params, timeouts, parallel)
        except _SnapshotRefused:  # e.g. a hot standby that cannot export one
            objects = _read_catalog(conn, dsn, version, params, timeouts, False)
    except pg_errors.QueryCanceled as exc:
        limit = timeouts.get("statement_timeout_ms", 30000)
        raise _source_error(
            dsn, f"statement_timeout ({limit} ms) reading the catalog of", exc
        ) from None
    except psycopg.Error as exc:
        raise _source_error(dsn, "cannot read the catalog of", exc) from None
    catalog = Catalog()
    for kind in PG_KINDS.values():  # the same insertion order as a sequential read
        catalog.objects.load(objects.get(kind.query, ()))
    return Replay(catalog=catalog, effects=[], diagnostics=[])


class _SnapshotRefused(Exception):
    """pg_export_snapshot() failed: read with one session instead."""


def _read_catalog(
    conn: psycopg.Connection[dict[str, Any]],
    dsn: str,
    version: int,
    params: dict[str, list[str]],
    timeouts: dict[str, int],
    parallel: bool,
) -> dict[str, list[SchemaObject]]:
    """Every kind's objects, read in one REPEATABLE READ snapshot (shared with a helper)."""
    objects: dict[str, list[SchemaObject]] = {}
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        helper = _Helper.start(dsn, conn, version, params, timeouts) if parallel else None
        own = [kind for kind in _BY_COST if helper is None or kind not in helper.kinds]
        objects.update(_read_kinds(conn, own, version, params))
        if helper is not None:
            # its rows become records here: sqlglot, which normalizes them, is not thread-safe
            # (a race in its lazy set-up once normalized now() as NOW() in one run of ~100)
            objects.update({q: _build_kind(q, rows) for q, rows in helper.result().items()})
            if helper.failed:  # no second session: read its kinds here, same snapshot
                objects.update(_read_kinds(conn, helper.kinds, version, params))
    return objects


def _read_kinds(
    conn: psycopg.Connection[dict[str, Any]],
    kinds: Sequence[str],
    version: int,
    params: dict[str, list[str]],
) -> dict[str, list[SchemaObject]]:
    """Query and build each kind in turn: while this thread builds, the other session's query
    runs on the server (one query at a time, not a pipeline: psycopg's pipeline hands back no
    result before the last one is in, and was slower here)."""
    return {kind: _build_kind(kind, _fetch(conn, kind, version, params)) for kind in kinds}


def _fetch(
    conn: psycopg.Connection[dict[str, Any]],
    kind: str,
    version: int,
    params: dict[str, list[str]],
) -> list[Any]:
    """Run one kind's catalog query; its rows.

    The largest kinds (``tuple_rows``) come back as tuples in a ``Rows`` that knows the
    column names: building a dict per row costs a third of their reading time.
    """
    tuples = BY_QUERY[kind].tuple_rows
    factory = tuple_row if tuples else dict_row
    cur = conn.cursor(row_factory=factory).execute(catalog_query(kind, version), params)  # type: ignore[arg-type]
    found = cur.fetchall()
    if tuples:
        return Rows(found, [d.name for d in cur.description or ()])  # type: ignore[arg-type]
    return found


class _Helper:
    """A second read-only session on the same snapshot, running some kinds' queries in a
    thread (only the queries: their rows are built into records by the caller's thread).

    pg_dump -j's technique: the first session exports its snapshot (``pg_export_snapshot``)
    and the second adopts it (``SET TRANSACTION SNAPSHOT``), so both read one consistent
    catalog while the server works on two queries at once. When no second session can be had
    (connection limit, a server that refuses the snapshot), :attr:`failed` says so and the
    first session reads those kinds itself.
    """

    #: About half of the server's work on a wide schema (columns, then indexes).
    KINDS: tuple[str, ...] = ("columns", "indexes")

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self.kinds = kinds
        self.failed = False
        self._rows: dict[str, Any] = {}
        self._error: BaseException | None = None
        self._thread: Any = None

    @classmethod
    def start(
        cls,
        dsn: str,
        conn: psycopg.Connection[dict[str, Any]],
        version: int,
        params: dict[str, list[str]],
        timeouts: dict[str, int],
    ) -> _Helper:
        """Export ``conn``'s snapshot (its transaction's first query) and start the thread."""
        import threading

        helper = cls(cls.KINDS)
        try:
            row = conn.execute("SELECT pg_export_snapshot() AS id").fetchone()
        except psycopg.Error as exc:
            raise _SnapshotRefused(str(exc)) from exc
        helper._thread = threading.Thread(
            target=helper._run, args=(dsn, row["id"], version, params, timeouts),  # type: ignore[index]
            name="schemadiff-catalog", daemon=True,
        )
        helper._thread.start()
        return helper

    def _run(self, dsn: str, snapshot: str, version: int, params: dict[str, list[str]],
             timeouts: dict[str, int]) -> None:
        from psycopg import sql

        session = open_session(dsn, **timeouts)
        try:
            conn = session.__enter__()
        except SourceError:  # no second session (connection limit): the first one reads
            self.failed = True
            return
        try:
            with conn.transaction():
                try:
                    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(
                        sql.Literal(snapshot)))
                except psycopg.Error as exc:
                    raise _SnapshotRefused(str(exc)) from exc
                self._rows = {q: _fetch(conn, q, version, params) for q in self.kinds}
        except _SnapshotRefused:  # a server that will not share it: not an error
            self.failed = True
        except (psycopg.Error, SourceError) as exc:  # the queries or the build failed
            self._error = exc
        finally:
            session.__exit__(None, None, None)

    def result(self) -> dict[str, Any]:
        """The rows the helper read, by query (none when it failed); re-raises its errors."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._rows


def _build_kind(query: str, found: Any) -> list[SchemaObject]:
    try:
        return list(BY_QUERY[query].build(found))
    except SyntaxProblem as exc:
        raise SourceError(f"cannot read the catalog's {query}: {exc}") from None
