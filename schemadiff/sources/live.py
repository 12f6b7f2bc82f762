"""A live PostgreSQL database as a schema source, read from ``pg_catalog`` over psycopg.

One set-based query per object kind (``sources/catalog/<kind>.sql``), all of them in one
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
NN, ``<kind>.sql`` the newest ones (see :func:`catalog_query`).

psycopg is imported here only: the engine never needs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row, tuple_row

from schemadiff.errors import SourceError
from schemadiff.history import Replay
from schemadiff.model import (
    Catalog,
    Column,
    CompositeType,
    Constraint,
    Domain,
    Enum,
    Extension,
    Function,
    Index,
    Policy,
    Schema,
    SchemaObject,
    Table,
    Trigger,
    View,
)
from schemadiff.model import (
    Sequence as SequenceObject,
)
from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    TypeRef,
    canonical_default,
    normalize_expression,
    quote_ident,
    referenced_relations,
)
from schemadiff.sql.parse import parse_statement
from schemadiff.sql.parse_routine import arguments as parse_arguments
from schemadiff.sql.tokens import Stream, SyntaxProblem

#: The catalog queries, one file each in ``sources/catalog`` (a catalog is filled in this
#: order whatever order they run in).
KINDS: tuple[str, ...] = (
    "schemas",
    "extensions",
    "enums",
    "domains",
    "composites",
    "sequences",
    "tables",
    "columns",
    "constraints",
    "indexes",
    "views",
    "functions",
    "triggers",
    "policies",
)

#: The order one session reads them in: the server's heaviest first.
_BY_COST: tuple[str, ...] = (
    "constraints", "columns", "indexes", "tables", "sequences", "views", "composites",
    "domains", "enums", "functions", "triggers", "policies", "schemas", "extensions",
)
assert sorted(_BY_COST) == sorted(KINDS)

APPLICATION_NAME = "schemadiff"
MIN_SERVER_VERSION = 120000  # attgenerated, pg_get_partkeydef, tgparentid-or-internal clones
_DEFAULT_PUBLIC_COMMENT = "standard public schema"
_VARIANT = re.compile(r"(?P<kind>[a-z_]+)\.pg(?P<major>\d+)\.sql\Z")
_VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}
_PARALLEL = {"s": "safe", "r": "restricted", "u": "unsafe"}
_POLICY_COMMANDS = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}
_IDENTITY = {"a": "always", "d": "by default"}


# ------------------------------------------------------------------------------ queries


def catalog_query(kind: str, server_version_num: int) -> str:
    """The SQL of one catalog query for a server version.

    ``<kind>.pg<NN>.sql`` is used for servers whose major version is at most NN (the smallest
    such NN wins); ``<kind>.sql`` for every newer server.

    Args:
        kind: one of :data:`KINDS`.
        server_version_num: e.g. ``150020``.
    """
    major = server_version_num // 10000
    folder = resources.files("schemadiff.sources").joinpath("catalog")
    variants = sorted(
        int(m["major"])
        for entry in folder.iterdir()
        if (m := _VARIANT.match(entry.name)) and m["kind"] == kind
    )
    chosen = next((v for v in variants if major <= v), None)
    name = f"{kind}.pg{chosen}.sql" if chosen is not None else f"{kind}.sql"
    return folder.joinpath(name).read_text(encoding="utf-8")


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
    for kind in KINDS:  # the same insertion order as a sequential read
        catalog.objects.load(objects.get(kind, ()))
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
            objects.update(helper.result())
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

    The largest kinds (:data:`_TUPLE_KINDS`) come back as tuples in a :class:`_Rows` that
    knows the column names: building a dict per row costs a third of their reading time.
    """
    factory = tuple_row if kind in _TUPLE_KINDS else dict_row
    cur = conn.cursor(row_factory=factory).execute(catalog_query(kind, version), params)  # type: ignore[arg-type]
    rows = cur.fetchall()
    if kind in _TUPLE_KINDS:
        return _Rows(rows, [d.name for d in cur.description or ()])  # type: ignore[arg-type]
    return rows


_TUPLE_KINDS = frozenset({"columns", "indexes"})


class _Rows(list):  # type: ignore[type-arg]
    """A query's rows as tuples, with the position of each column by name."""

    def __init__(self, rows: list[tuple[Any, ...]], names: list[str]) -> None:
        super().__init__(rows)
        self.at = {name: i for i, name in enumerate(names)}

    def positions(self, *names: str) -> tuple[int, ...]:
        try:
            return tuple(self.at[name] for name in names)
        except KeyError as exc:
            raise SourceError(f"catalog query returned no column {exc}") from None


class _Helper:
    """A second read-only session on the same snapshot, reading some kinds in a thread.

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
        self._objects: dict[str, list[SchemaObject]] = {}
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
                self._objects = _read_kinds(conn, self.kinds, version, params)
        except _SnapshotRefused:  # a server that will not share it: not an error
            self.failed = True
        except (psycopg.Error, SourceError) as exc:  # the queries or the build failed
            self._error = exc
        finally:
            session.__exit__(None, None, None)

    def result(self) -> dict[str, list[SchemaObject]]:
        """The helper's objects by kind (none when it failed); re-raises its errors."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._objects


# ------------------------------------------------------------------------------ rows -> model


@lru_cache(maxsize=4096)
def _type_ref(text: str) -> TypeRef:
    """A ``format_type`` text read by the same grammar that reads types in a dump."""
    return g.data_type(Stream(text))


def _render_type(t: TypeRef, keep_modifiers: bool = True) -> str:
    """A type as the replay of a dump renders it (``Replayer._type_text``).

    Types pg_catalog does not name as builtins and that ``format_type`` prints unqualified
    (``"char"``) resolve, as in the dump replay (whose ``search_path`` is empty), to ``public``.
    """
    render = t.render if keep_modifiers else t.render_bare
    if t.builtin:
        return render()
    return render(t.schema or "public")


@lru_cache(maxsize=4096)
def _type_text(text: str) -> str:
    return _render_type(_type_ref(text))


def _collation(schema: str | None, name: str | None) -> str | None:
    """``COLLATE pg_catalog."C"`` is ``C``; other collations are ``schema.name``."""
    if name is None:
        return None
    if schema in (None, "pg_catalog"):
        return name
    return f"{schema}.{name}"


def _check_expression(definition: str) -> str:
    """``CHECK ((VALUE > 0)) NOT VALID`` -> the normalized expression inside."""
    s = Stream(definition)
    s.expect("CHECK")
    return normalize_expression(s.paren_text())


def _schemas(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        comment = r["comment"]
        if r["name"] == "public" and comment == _DEFAULT_PUBLIC_COMMENT:
            comment = None  # initdb's comment: pg_dump leaves it out, migrations never write it
        yield Schema(r["name"], comment=comment)


def _extensions(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        yield Extension(r["name"], r["schema"])


def _enums(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        yield Enum(r["schema"], r["name"], tuple(r["labels"]), comment=r["comment"])


def _domains(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        checks = tuple(sorted(
            (name, _check_expression(d)) for name, d in zip(r["check_names"], r["check_defs"])
        ))
        default = normalize_expression(r["default"]) if r["default"] is not None else None
        yield Domain(r["schema"], r["name"], _type_text(r["type"]), r["not_null"], default,
                     _collation(r["collation_schema"], r["collation"]), checks,
                     comment=r["comment"])


def _composites(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        pairs = zip(r["attribute_names"], r["attribute_types"])
        attrs = tuple((n, _type_text(t)) for n, t in pairs)
        yield CompositeType(r["schema"], r["name"], attrs, comment=r["comment"])


def _sequences(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        owned = f"{r['owned_table']}.{r['owned_column']}" if r["owned_table"] else None
        yield SequenceObject(r["schema"], r["name"], _type_text(r["data_type"]), r["start"],
                             r["increment"], r["min_value"], r["max_value"], r["cache"],
                             r["cycle"], owned, comment=r["comment"])


def _partition_by(text: str | None) -> str | None:
    """``RANGE (created_at)`` -> strategy and normalized key, as the dump replay reads it."""
    if text is None:
        return None
    return g.partition_key(Stream(text))


def _partition_bound(text: str | None) -> str | None:
    """``FOR VALUES FROM (...) TO (...)`` -> ``FROM (...) TO (...)``, as the dump replay reads
    it; ``DEFAULT`` stays."""
    if text is None:
        return None
    return g.partition_bound(Stream(text))


def _tables(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        parent = f"{r['parent_schema']}.{r['parent_name']}" if r["parent_name"] else None
        yield Table(
            r["schema"], r["name"], "unlogged" if r["persistence"] == "u" else "permanent",
            _partition_by(r["partition_by"]), parent, _partition_bound(r["partition_bound"]),
            tuple(r["inherits"]), _type_text(r["of_type"]) if r["of_type"] else None,
            r["rls_enabled"], r["rls_forced"], comment=r["comment"],
        )


_NEXTVAL = re.compile(r"nextval\('((?:[^'\\]|'')+)'::regclass\)\Z")
_SEQUENCE_PART = re.compile(r'"((?:[^"]|"")*)"|([^."]+)')
_PLACEHOLDER = "sd_placeholder_seq"


@lru_cache(maxsize=1)
def _nextval_template() -> str:
    return normalize_expression(f"nextval('{_PLACEHOLDER}'::regclass)")


def _column_default(text: str) -> str:
    """``normalize_expression`` of a default, with a fast path for the most common one.

    Every serial column has its own ``nextval('schema.table_col_seq'::regclass)``, so caching
    does not help and sqlglot would parse thousands of them; the normalizer's answer for one
    is the same text with another (unqualified) sequence name.
    """
    m = _NEXTVAL.match(text)
    if m is None:
        return normalize_expression(text)
    parts = [p[1].replace('""', '"') if p[1] is not None else p[2].lower()
             for p in _SEQUENCE_PART.finditer(m.group(1).replace("''", "'"))]
    name = parts[-1] if parts else ""
    if not re.fullmatch(r"[A-Za-z0-9_$ ]+", name) or _PLACEHOLDER not in _nextval_template():
        return normalize_expression(text)
    return _nextval_template().replace(_PLACEHOLDER, name)


def _columns(rows: _Rows) -> Iterator[SchemaObject]:
    (schema, table, name, position, type_, not_null, default_, generated_, identity,
     coll_schema, coll, comment) = rows.positions(
        "schema", "table", "name", "position", "type", "not_null", "default", "generated",
        "identity", "collation_schema", "collation", "comment")
    for r in rows:
        type_text = _type_text(r[type_])
        default = None
        if r[default_] is not None:
            default = canonical_default(_column_default(r[default_]), type_text)
        generated = normalize_expression(r[generated_]) if r[generated_] is not None else None
        yield Column(r[schema], r[table], r[name], type_text, r[not_null], default,
                     _IDENTITY.get(r[identity] or ""), generated,
                     _collation(r[coll_schema], r[coll]),
                     position=r[position], comment=r[comment])


_FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL",
               "d": "SET DEFAULT"}
_FK_MATCH = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}
_CONSTRAINT_TYPES = {"p": "primary key", "u": "unique", "f": "foreign key", "c": "check"}


def _constraints(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        if r["type"] == "x":  # exclusion: its USING ... (... WITH ...) text is the model's
            c = g.table_constraint(Stream(r["definition"]))
            yield Constraint(
                r["schema"], r["table"], r["name"], c.type, tuple(c.columns), c.expression,
                include=c.include, deferrable=c.deferrable,
                initially_deferred=c.initially_deferred, validated=not c.not_valid,
                index_comment=r["index_comment"], comment=r["comment"],
            )
            continue
        kind = _CONSTRAINT_TYPES[r["type"]]
        expression = None
        if kind == "check":
            expression = normalize_expression(r["check_expression"])
        ref_table = f"{r['ref_schema']}.{r['ref_table']}" if kind == "foreign key" else None
        foreign = kind == "foreign key"
        yield Constraint(
            r["schema"], r["table"], r["name"], kind,
            () if kind == "check" else tuple(r["columns"]), expression, ref_table,
            tuple(r["ref_columns"]) if foreign else (),
            _FK_ACTIONS[r["on_update"]] if foreign else "NO ACTION",
            _FK_ACTIONS[r["on_delete"]] if foreign else "NO ACTION",
            _FK_MATCH[r["match"]] if foreign else "SIMPLE",
            tuple(r["include"]), r["nulls_not_distinct"], r["deferrable"],
            r["initially_deferred"], r["validated"], kind == "check" and r["no_inherit"],
            r["index_comment"], comment=r["comment"],
        )


def _index_key(column: str | None, expression: str | None, option: int) -> str:
    """One key as ``grammar.index_element`` reads it back from pg_get_indexdef's text."""
    if column is not None:
        key = quote_ident(column)
    else:
        text = expression or ""
        # PostgreSQL wraps every key but a function-like one in parentheses: "(a + 1)".
        inner = text[1:-1] if text.startswith("(") and text.endswith(")") else text
        key = "(" + normalize_expression(inner) + ")"
    if option & 1:  # INDOPTION_DESC; DESC defaults to NULLS FIRST
        return key + (" DESC" if option & 2 else " DESC NULLS LAST")
    return key + (" NULLS FIRST" if option & 2 else "")


def _indexes(rows: _Rows) -> Iterator[SchemaObject]:
    (schema, table, name, unique, method, columns, expressions, options, include, predicate_,
     nulls_not_distinct, simple, definition, comment) = rows.positions(
        "schema", "table", "name", "unique", "method", "key_columns", "key_expressions",
        "key_options", "include", "predicate", "nulls_not_distinct", "simple", "definition",
        "comment")
    for r in rows:
        if not r[simple]:  # a non-default opclass or collation: read pg_dump's text
            op = parse_statement(r[definition])
            if not isinstance(op, ops.CreateIndex):
                raise SourceError(f"cannot read index {r[schema]}.{r[name]}: {r[definition]}")
            keys = tuple(k.expression + k.suffix for k in op.keys)
            yield Index(r[schema], r[name], r[table], op.unique, op.method, keys,
                        op.include, op.predicate, op.nulls_not_distinct, comment=r[comment])
            continue
        keys = tuple(_index_key(c, e, o) for c, e, o in
                     zip(r[columns], r[expressions], r[options]))
        predicate = normalize_expression(r[predicate_]) if r[predicate_] is not None else None
        yield Index(r[schema], r[name], r[table], r[unique], r[method], keys,
                    tuple(r[include]), predicate, r[nulls_not_distinct], comment=r[comment])


def _views(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        query = (r["definition"] or "").strip().rstrip(";").strip()
        yield View(r["schema"], r["name"], r["materialized"], referenced_relations(query),
                   definition=query, comment=r["comment"])


def _argument_text(a: ops.Argument) -> str:
    mode = "" if a.mode == "IN" else a.mode + " "
    name = quote_ident(a.name) + " " if a.name else ""
    default = " DEFAULT " + a.default if a.default else ""
    return f"{mode}{name}{_render_type(a.type, False)}{default}"


def _returns(result: str | None) -> str | None:
    """``pg_get_function_result`` text in the replay's form (``TABLE(...)``, ``SETOF t``)."""
    if result is None:
        return None
    s = Stream(result)
    if s.accept("TABLE"):
        s.expect_punct("(")
        cols = []
        for a, b in s.comma_items():
            item = s.sub(a, b)
            name = item.ident()
            cols.append(f"{quote_ident(name)} {_render_type(g.data_type(item), False)}")
        return "TABLE(" + ", ".join(cols) + ")"
    setof = s.accept("SETOF")
    return ("SETOF " if setof else "") + _render_type(g.data_type(s), False)


def _body(r: dict[str, Any]) -> str:
    """The body as the dump replay reads it back from ``AS ...`` or a SQL-standard body."""
    sql_body = r["sql_body"]
    if sql_body is not None:
        # RETURN expr / BEGIN ATOMIC ... END: read by the grammar that reads them in a dump
        op = parse_statement("CREATE FUNCTION f() " + sql_body.strip().rstrip(";"))
        if isinstance(op, ops.CreateFunction):
            return op.body
        return " ".join(sql_body.split())
    source = r["source"] or ""
    binary = r["binary"]
    if binary and binary != "-":
        return binary if source == r["name"] else f"{binary}, {source}"
    return source


def _config(entries: list[str] | None) -> tuple[str, ...]:
    """``proconfig`` entries as the dump replay spells ``SET name TO value`` clauses."""
    out = []
    for entry in entries or ():
        name, _, value = entry.partition("=")
        if name.lower() in ("search_path", "temp_tablespaces", "local_preload_libraries",
                            "session_preload_libraries", "shared_preload_libraries"):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            value = ", ".join(p[1:-1].replace('""', '"') if p.startswith('"') else p for p in parts)
        out.append(f"{name}={value}")
    return tuple(out)


def _functions(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        args = parse_arguments(Stream("(" + (r["arguments"] or "") + ")"))
        identity = ", ".join(_render_type(a.type, False) for a in args if a.mode != "OUT")
        routine = {"p": "procedure", "w": "window"}.get(r["kind"], "function")
        returns = None if routine == "procedure" else _returns(r["result"])
        yield Function(
            r["schema"], r["name"], identity, routine, ", ".join(_argument_text(a) for a in args),
            returns, r["language"], _body(r), _VOLATILITY[r["volatility"]], r["strict"],
            r["security_definer"], r["leakproof"], _PARALLEL[r["parallel"]], _config(r["config"]),
            comment=r["comment"],
        )


def _triggers(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        op = parse_statement(r["definition"])
        if not isinstance(op, ops.CreateTrigger):
            raise SourceError(f"cannot read trigger {r['name']} on {r['schema']}.{r['table']}")
        yield Trigger(r["schema"], r["table"], r["name"], op.timing, op.events, op.level,
                      f"{r['function_schema']}.{r['function_name']}", op.arguments, op.when,
                      op.constraint, op.deferrable, op.initially_deferred, r["enabled"],
                      comment=r["comment"])


def _policies(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        using = normalize_expression(r["using"]) if r["using"] is not None else None
        check = normalize_expression(r["with_check"]) if r["with_check"] is not None else None
        yield Policy(r["schema"], r["table"], r["name"], r["permissive"],
                     _POLICY_COMMANDS[r["command"]], tuple(sorted(r["roles"])), using, check,
                     comment=r["comment"])


_BUILDERS = {
    "schemas": _schemas,
    "extensions": _extensions,
    "enums": _enums,
    "domains": _domains,
    "composites": _composites,
    "sequences": _sequences,
    "tables": _tables,
    "columns": _columns,
    "constraints": _constraints,
    "indexes": _indexes,
    "views": _views,
    "functions": _functions,
    "triggers": _triggers,
    "policies": _policies,
}


def _build_kind(kind: str, rows: list[dict[str, Any]]) -> list[SchemaObject]:
    try:
        return list(_BUILDERS[kind](rows))
    except SyntaxProblem as exc:
        raise SourceError(f"cannot read the catalog's {kind}: {exc}") from None
