"""Building the scenarios in a real PostgreSQL: databases, code directories, history tables.

A :class:`Builder` holds, per history, template databases at the prefixes the scenarios start
from (each built once, migration by migration through ``psql`` as the tool runs it, and copied
with ``CREATE DATABASE ... TEMPLATE``), and builds each scenario's database from one of them
by its steps. :func:`prepare_code` writes the scenario's code directory (a copy of the
corpus, with a migration added, made no-transaction or removed), :func:`write_history` the
tool's history table in the tool's own row format, in apply order.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
from scenario_design import History, Scenario, Step

from pg import PgServer, PsqlError
from schemadiff.history import parse_migration
from schemadiff.migration import Migration
from schemadiff.recorded import Recorded
from schemadiff.repair import render_sync
from schemadiff.tools import read_migrations

_NOT_IN_TRANSACTION = "cannot run inside a transaction block"

#: Seconds spent per phase of the whole run (printed with the summary).
TIMES: dict[str, float] = defaultdict(float)
_DROPS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop")
_pending_drops: list[Future[None]] = []


_TIMES_LOCK = threading.Lock()


@contextmanager
def timed(phase: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        with _TIMES_LOCK:
            TIMES[phase] += time.perf_counter() - start


def drop_later(pg: PgServer, db: str) -> None:
    """Drop ``db`` in the background: a DROP DATABASE waits for a checkpoint, which on a
    busy server takes seconds the run need not wait for."""
    _pending_drops.append(_DROPS.submit(pg.drop_database, db))


def wait_for_drops() -> None:
    for future in _pending_drops:
        future.result()
    _pending_drops.clear()


class Refused(RuntimeError):
    """PostgreSQL refused a step of the scenario (another construction may be tried)."""


class Builder:
    """Template databases of one history's prefixes, and scenario databases built from them."""

    def __init__(self, pg: PgServer, history: History, prefixes: set[int]) -> None:
        self.pg, self.h = pg, history
        self.wanted = sorted(prefixes)
        self.templates: dict[int, str] = {}

    def close(self) -> None:
        for db in self.templates.values():
            drop_later(self.pg, db)
        self.templates.clear()

    def apply(self, db: str, i: int) -> None:
        """Migration ``i`` as its tool runs it: one transaction, or statement by statement."""
        m = self.h.migrations[i]
        try:
            self.pg.psql(db, m.sql, single_transaction=m.in_transaction, what=m.path)
        except PsqlError as exc:
            if m.in_transaction and _NOT_IN_TRANSACTION in exc.stderr:
                self.pg.psql(db, m.sql, single_transaction=False, what=m.path)  # as Flyway does
            else:
                raise Refused(str(exc)) from exc

    def template(self, k: int) -> str:
        """A database holding migrations ``0..k-1``, applied in order (kept as a template;
        every wanted prefix met on the way is kept too)."""
        if k in self.templates:
            return self.templates[k]
        below = [p for p in self.templates if p < k]
        start = max(below, default=0)
        work = self.pg.create_database(f"scn_{self.h.name}_work",
                                       template=self.templates.get(start))
        for i in range(start, k):
            self.apply(work, i)
            if i + 1 in self.wanted and i + 1 < k and i + 1 not in self.templates:
                self.templates[i + 1] = self.pg.create_database(
                    f"scn_{self.h.name}_{i + 1}", template=work)
        self.templates[k] = work
        return work

    def build(self, sc: Scenario) -> str:
        """The database of scenario ``sc``.

        Raises:
            Refused: PostgreSQL refused a step (the database is dropped).
        """
        first = sc.steps[0]
        if first.kind == "restore":
            db = self.pg.create_database(f"scn_{sc.name}")
        else:
            db = self.pg.create_database(f"scn_{sc.name}", template=self.template(first.index))
        try:
            if first.kind == "restore":
                dump = self.pg.pg_dump_schema(self.template(first.index), privileges=True)
                self.pg.psql(db, dump, single_transaction=False, what="schema-only dump")
            for step in sc.steps[1:]:
                self._step(db, step)
        except (Refused, PsqlError) as exc:
            drop_later(self.pg, db)
            raise Refused(str(exc)) from exc
        return db

    def _step(self, db: str, step: Step) -> None:
        if step.kind == "apply":
            self.apply(db, step.index)
        elif step.kind == "statements":
            statements = self.h.parsed[step.index].statements
            text = "".join(statements[s][0].text + "\n;\n" for s in step.statements)
            self.pg.psql(db, text, single_transaction=False, what="statements run by hand")
        elif step.kind == "sql":
            self.pg.psql(db, step.sql, single_transaction=True, what="hand-made change")
        elif step.kind == "rerun":
            m = self.h.migrations[step.index]
            self.pg.psql(db, m.sql, single_transaction=True, what=f"re-run of {m.path}")
        elif step.kind == "rerun-fails":
            m = self.h.migrations[step.index]
            with self.pg.connect_db(db) as conn:
                try:
                    conn.execute(m.sql.encode())
                except psycopg.Error:
                    conn.rollback()
                    return
                conn.rollback()
            raise Refused(f"re-running {m.path} does not fail")
        else:
            raise ValueError(f"unknown step {step.kind}")


def build_first_possible(builder: Builder, sc: Scenario) -> tuple[Scenario, str]:
    """Build ``sc``, or the first of its alternatives PostgreSQL accepts."""
    last: Exception | None = None
    for choice in [sc, *sc.alternatives]:
        try:
            return choice, builder.build(choice)
        except Refused as exc:
            last = exc
    raise Refused(f"no construction of {sc.name} works: {last}")


# ------------------------------------------------------------------------------ code


def mark_no_transaction(tool: str, m: Migration, code: Path, root: Path) -> None:
    """Make migration ``m`` (read from ``root``) a no-transaction one in the copy ``code``."""
    rel = Path(m.path).relative_to(root)
    path = code / rel
    if tool == "diesel":
        (path.parent / "metadata.toml").write_text("run_in_transaction = false\n")
    elif tool == "goose":
        text = path.read_text()
        path.write_text(text.replace("-- +goose Up", "-- +goose NO TRANSACTION\n-- +goose Up", 1))
    elif tool == "sqlx":
        path.write_text("-- no-transaction\n" + path.read_text())
    elif tool == "dbmate":
        text = path.read_text()
        path.write_text(text.replace("-- migrate:up", "-- migrate:up transaction:false", 1))


def _write_added(tool: str, code: Path, version: str, name: str, sql: str) -> None:
    """A new migration file in the tool's layout (``atlas.sum`` re-hashed for Atlas)."""
    if tool == "goose":
        (code / f"{version}_{name}.sql").write_text(f"-- +goose Up\n{sql}")
    elif tool in ("sqlx", "atlas"):
        (code / f"{version}_{name}.sql").write_text(sql)
    elif tool == "golang-migrate":
        (code / f"{version}_{name}.up.sql").write_text(sql)
        (code / f"{version}_{name}.down.sql").write_text("SELECT 1;\n")
    elif tool == "dbmate":
        (code / f"{version}_{name}.sql").write_text(f"-- migrate:up\n{sql}\n-- migrate:down\n")
    elif tool == "flyway":
        (code / f"V{version}__{name}.sql").write_text(sql)
    elif tool == "diesel":
        directory = code / f"{version}_{name}"
        directory.mkdir()
        (directory / "up.sql").write_text(sql)
        (directory / "down.sql").write_text("SELECT 1;\n")
    else:
        raise ValueError(f"no layout for a new {tool} migration")


def prepare_code(h: History, root: Path, sc: Scenario, tmp: Path) -> tuple[Path, list[Migration]]:
    """The scenario's code directory (a copy of ``root``), and its migrations as read back."""
    code = tmp / "migrations"
    shutil.copytree(root, code)
    for i in sc.no_tx:
        mark_no_transaction(h.tool, h.migrations[i], code, root)
    for m in h.migrations[len(h.migrations) - sc.code_drop:]:
        top = code / Path(m.path).relative_to(root).parts[0]
        shutil.rmtree(top) if top.is_dir() else top.unlink()
    if sc.added is not None:
        a = sc.added
        _write_added(h.tool, code, a.version, a.name, a.sql)
    if h.tool == "atlas" and (sc.code_drop or sc.added is not None):
        from atlas_emulation import sum_file_text  # the code as `atlas migrate hash` left it

        (code / "atlas.sum").write_text(sum_file_text(code))
    _, migrations = read_migrations(code, h.tool)
    by_version = {m.version: m for m in migrations}
    for version, (ran, not_run, pattern) in list(sc.expect.partial.items()):
        lines = [st.location.line for st, _ in parse_migration(by_version[version]).statements]
        sc.expect.partial[version] = ({lines[s] for s in ran}, {lines[s] for s in not_run},
                                      pattern)
    if sc.added is not None:
        at = [m.version for m in migrations].index(sc.added.version)
        if at != sc.added.position:
            raise Refused(f"added version {sc.added.version} lands at {at}, "
                          f"not {sc.added.position}")
    return code, migrations


def convert_to_dbmate(migrations: list[Migration], dest: Path) -> None:
    """The same history as dbmate files (``<version>_<name>.sql``, ``-- migrate:up``), for
    the real dbmate binary: every version must be digits."""
    dest.mkdir(parents=True)
    for m in migrations:
        name = "_".join(m.description.split()) or "migration"
        mode = "" if m.in_transaction else " transaction:false"
        (dest / f"{m.version}_{name}.sql").write_text(
            f"-- migrate:up{mode}\n{m.sql.rstrip()}\n\n-- migrate:down\n")


# ------------------------------------------------------------------------------ history


def write_history(pg: PgServer, db: str, tool: str, migrations: list[Migration],
                  recorded: list[str]) -> None:
    """The tool's history table holding ``recorded``, rows in that (apply) order, in the
    tool's own format (golang-migrate: its one row, the highest version)."""
    by_version = {m.version: m for m in migrations}
    if tool == "golang-migrate":  # its one row, whatever lies pending below it (a sync
        # refuses to write that state; the builder makes it)
        top = max((int(v) for v in recorded), default=None)
        pg.psql(db, "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, "
                "dirty boolean NOT NULL);" + (f"INSERT INTO schema_migrations VALUES ({top}, "
                "false);" if top is not None else ""), what="golang-migrate history")
        return
    runs: list[list[str]] = []
    order = {m.version: i for i, m in enumerate(migrations)}
    for v in recorded:
        if v not in by_version:
            continue
        if runs and (tool == "golang-migrate" or order[v] > order[runs[-1][-1]]):
            runs[-1].append(v)
        else:
            runs.append([v])
    texts = []
    table_exists = False
    for run in runs or [[]]:
        rows = [by_version[v] for v in run]
        state = Recorded(tool, "live" if table_exists else "none", table_exists, ())
        texts.append(render_sync(tool, rows, state, migrations=migrations).text)
        table_exists = True
    extra = [v for v in recorded if v not in by_version]
    if extra:  # versions the code lacks (the "behind" scenario): rows for them too
        gone = [Migration(v, "gone", f"{v}_gone.sql", "") for v in extra]
        texts.append(render_sync(tool, gone, Recorded(tool, "live", True, ()),
                                 migrations=[*migrations, *gone]).text)
    pg.psql(db, "\n".join(texts), single_transaction=False, what=f"{tool} history")
