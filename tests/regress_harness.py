"""PostgreSQL's own regression suite as a differential oracle for the replay (issue 19).

``../shared/pg-regress/sql`` holds the 217 SQL scripts of PostgreSQL's regression suite. For
each script (see :func:`run_script`):

1. a scratch database is copied from a template that ran ``test_setup.sql`` (the objects most
   scripts expect);
2. the script is split with schemadiff's own splitter and sent statement by statement, in
   autocommit, on one session (as ``psql`` would, minus its meta-commands); each statement is
   *accepted* (the server ran it), *rejected* (the server refused it: the suite tests errors
   on purpose) or *skipped* (see :func:`skip_reason`: transaction control, cluster-level
   statements, ``COPY``, and a few calls that reach beyond the scratch database);
3. the accepted statements, in order, at their own lines, make one migration (and the
   accepted part of ``test_setup.sql`` one before it); its static replay is compared with the
   replay of the database's ``pg_dump --schema-only`` and with the live catalog
   (``schemadiff.sources.live``);
4. every difference and every unmodeled diagnostic is attributed to a statement: the one the
   replay's effect log names as the last setter of that object or attribute, else (an object
   the replay never made) the last accepted statement naming it. A statement *replays exactly*
   when nothing is attributed to it.

Roles are cluster-wide, so none is created: statements that need the suite's ``regress_*``
roles fail on the server and are not part of the history (``SET ROLE`` / ``SET SESSION
AUTHORIZATION`` fail the same way: the session stays the superuser's).

Nothing here filters a difference: the numbers are the engine's, whole.
"""

from __future__ import annotations

import logging
import os
import re
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq

from pg import PgServer
from schemadiff.differences import Difference, diff_catalogs
from schemadiff.errors import Location
from schemadiff.history import Replay, replay_migrations, replay_sql
from schemadiff.migration import Migration
from schemadiff.model import Catalog, Effect, Key
from schemadiff.sql.split import Statement, split

logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its "falling back to Command" notes

REGRESS_ENV = "SCHEMADIFF_PG_REGRESS_DIR"
"""Environment variable overriding where the suite's ``sql/`` directory is."""

SETUP = "test_setup"
STATEMENT_TIMEOUT_MS = 5000

#: A fixed sample for CI: the scripts richest in DDL, a few seconds each.
SAMPLE: tuple[str, ...] = (
    "create_table", "alter_table", "create_index", "constraints", "domain", "enum",
    "create_view", "create_function_sql", "triggers", "inherit", "indexing", "generated",
    "identity", "sequence", "create_type", "rowsecurity", "foreign_key", "create_table_like",
    "collate", "stats_ext",
)


def regress_path() -> Path:
    """``$SCHEMADIFF_PG_REGRESS_DIR``, else ``../shared/pg-regress/sql`` beside the checkout."""
    override = os.environ.get(REGRESS_ENV, "").strip()
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "pg-regress" / "sql"


def script_names(root: Path | None = None) -> list[str]:
    """The suite's scripts (without ``.sql``), sorted; ``test_setup`` excluded; [] if absent."""
    root = root or regress_path()
    if not root.is_dir():
        return []
    return sorted(p.stem for p in root.glob("*.sql") if p.stem != SETUP)


def read_script(path: Path) -> str:
    """A script's text (UTF-8; the one WIN1252 script of the suite decoded as such)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


# ------------------------------------------------------------------------------ what to skip

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*|\"(?:[^\"]|\"\")*\"|\S")
_TRANSACTION = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE"}
_CLUSTER_NOUNS = {"ROLE", "USER", "GROUP", "DATABASE", "TABLESPACE", "SUBSCRIPTION"}
_SHARED_TARGETS = {"ROLE", "DATABASE", "TABLESPACE"}
#: Functions whose effects reach beyond the scratch database (other sessions, server files,
#: the server's configuration or shared statistics): a statement naming one is not sent.
_BEYOND = re.compile(
    r"(?i)\b(pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile"
    r"|pg_promote|pg_switch_wal|pg_create_restore_point|lo_import|lo_export"
    r"|pg_stat_reset_shared|pg_stat_reset_slru|pg_stat_reset_replication_slot"
    r"|pg_create_(?:logical|physical)_replication_slot|pg_drop_replication_slot"
    r"|pg_file_write|pg_log_backend_memory_contexts)\s*\("
)


def _words(text: str, n: int = 6) -> list[str]:
    out = []
    for m in _WORD.finditer(text):
        out.append(m.group().upper())
        if len(out) == n:
            break
    return out


def skip_reason(text: str) -> str | None:
    """Why a statement is not sent to the server, or None to send it.

    - ``transaction``: BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION...: every
      statement runs in autocommit, so the history is exactly what each one did on its own;
    - ``cluster``: roles, databases, tablespaces, subscriptions, ``ALTER SYSTEM``, role
      membership grants, ``DROP``/``REASSIGN OWNED``, comments and labels on shared objects,
      ``CHECKPOINT`` (shared by every database of the server);
    - ``copy``: ``COPY`` (data only; its files are the server's);
    - ``beyond``: a call whose effect leaves the scratch database (other backends, server
      files, configuration).
    """
    w = _words(text)
    if not w:
        return "empty"
    head = w[0]
    if head in _TRANSACTION or (head == "PREPARE" and w[1:2] == ["TRANSACTION"]):
        return "transaction"
    if head in ("COMMIT", "ROLLBACK") or w[:2] in (["COMMIT", "PREPARED"],):
        return "transaction"
    if head == "CHECKPOINT":
        return "cluster"
    if head in ("CREATE", "ALTER", "DROP"):
        noun = w[1:2]
        if head == "CREATE" and w[1:2] == ["OR"]:
            noun = w[3:4]
        if noun and noun[0] in _CLUSTER_NOUNS and not (
            noun[0] == "USER" and w[2:3] == ["MAPPING"]
        ):
            return "cluster"
        if head == "ALTER" and noun == ["SYSTEM"]:
            return "cluster"
        if head == "DROP" and noun == ["OWNED"]:
            return "cluster"
    if head == "REASSIGN":
        return "cluster"
    if head in ("COMMENT", "SECURITY") and any(x in _SHARED_TARGETS for x in w[2:5]):
        return "cluster"
    if head in ("GRANT", "REVOKE") and _is_role_grant(text):
        return "cluster"
    if head in ("GRANT", "REVOKE") and re.search(
            r"(?i)\bON\s+(DATABASE|TABLESPACE|PARAMETER)\b", text):
        return "cluster"
    if head == "COPY" or (head == "\\COPY"):
        return "copy"
    if _BEYOND.search(text):
        return "beyond"
    return None


def _is_role_grant(text: str) -> bool:
    """``GRANT a TO b`` / ``REVOKE a FROM b`` (role membership: no ``ON`` before TO/FROM)."""
    depth = 0
    for m in _WORD.finditer(text):
        tok = m.group().upper()
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif depth == 0 and tok == "ON":
            return False
        elif depth == 0 and tok in ("TO", "FROM"):
            return True
    return False


_DDL = {"CREATE", "ALTER", "DROP", "COMMENT", "GRANT", "REVOKE", "SECURITY", "IMPORT", "DO"}


def is_ddl(text: str) -> bool:
    """A statement whose purpose is the schema (the denominator of exactness): CREATE, ALTER,
    DROP, COMMENT, GRANT, REVOKE, SECURITY LABEL, IMPORT FOREIGN SCHEMA, and DO blocks."""
    w = _words(text, 1)
    return bool(w) and w[0] in _DDL


# ------------------------------------------------------------------------------ running


@dataclass
class Stmt:
    """One statement of a script and what became of it."""

    index: int
    line: int
    col: int
    text: str
    status: str = ""  # accepted | rejected | skipped | meta
    reason: str = ""  # skip reason, or the server's error (first line)
    ddl: bool = False
    differences: list[dict[str, Any]] = field(default_factory=list)
    unmodeled: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return self.status == "accepted" and not self.differences and not self.unmodeled


def execute(conn: psycopg.Connection[Any], statements: Sequence[Statement]) -> list[Stmt]:
    """Send each statement on ``conn`` (autocommit, simple query protocol, as psql does)."""
    out: list[Stmt] = []
    pgconn = conn.pgconn
    for i, s in enumerate(statements):
        st = Stmt(i, s.location.line, s.location.col, s.text)
        out.append(st)
        if s.meta:
            st.status = "meta"
            continue
        st.ddl = is_ddl(s.text)
        reason = skip_reason(s.text)
        if reason is not None:
            st.status, st.reason = "skipped", reason
            continue
        res = pgconn.exec_(s.text.encode("utf-8"))
        status = res.status
        if status == pq.ExecStatus.COPY_IN:  # a COPY the skip rules missed: end it, refused
            pgconn.put_copy_end(b"not sent by the harness")
            while pgconn.get_result() is not None:
                pass
            st.status, st.reason = "rejected", "COPY FROM STDIN"
        elif status == pq.ExecStatus.COPY_OUT:
            while pgconn.get_copy_data(0)[0] >= 0:
                pass
            while pgconn.get_result() is not None:
                pass
            st.status = "accepted"
        elif status == pq.ExecStatus.FATAL_ERROR:
            message = res.error_field(pq.DiagnosticField.MESSAGE_PRIMARY) or b""
            st.status, st.reason = "rejected", message.decode("utf-8", "replace")
        else:
            st.status = "accepted"
        if pgconn.transaction_status != pq.TransactionStatus.IDLE:
            # a statement that opened a transaction (the skip rules missed it): keep what it did
            pgconn.exec_(b"COMMIT")
    return out


def connect(pg: PgServer, dbname: str) -> psycopg.Connection[Any]:
    """A session like psql's for a script: autocommit, with a statement timeout that ``RESET``
    and ``RESET ALL`` come back to."""
    return pg.connect_db(
        dbname, autocommit=True,
        options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout=2000"
                " -c client_min_messages=error",
    )


def masked(text: str, keep: Iterable[Stmt]) -> str:
    """``text`` with everything blanked but the kept statements (and their terminating ``;``),
    each at its own line and column: the migration's locations are the script's."""
    line_starts = [0]
    for m in re.finditer("\n", text):
        line_starts.append(m.end())
    out = [c if c == "\n" else " " for c in text]
    for st in keep:
        start = line_starts[st.line - 1] + st.col - 1
        end = start + len(st.text)
        assert text[start:end] == st.text, (st.line, st.col)
        out[start:end] = text[start:end]
        after = end
        while after < len(text) and text[after] in " \t\r\n":
            after += 1
        if after < len(text) and text[after] in ";\\":
            out[after] = ";"
        else:
            out.insert(end, ";")  # the end of the text: past every kept offset
    return "".join(out)


@dataclass
class Script:
    """A script run against the server: its statements and the migration of the accepted ones."""

    name: str
    path: Path
    text: str
    statements: list[Statement]
    stmts: list[Stmt]
    seconds: float = 0.0

    def migration(self, version: str) -> Migration:
        accepted = [s for s in self.stmts if s.status == "accepted"]
        return Migration(version, self.name, f"{self.name}.sql",
                         masked(self.text, accepted))


def run_statements(pg: PgServer, dbname: str, name: str, path: Path) -> Script:
    """Split the script and send its statements to ``dbname``."""
    text = read_script(path)
    statements = split(text, f"{name}.sql")
    started = time.perf_counter()
    with connect(pg, dbname) as conn:
        stmts = execute(conn, statements)
    return Script(name, path, text, statements, stmts, time.perf_counter() - started)


# ------------------------------------------------------------------------------ comparing


@dataclass
class Comparison:
    """One script's result."""

    name: str
    statements: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    accepted: int = 0
    accepted_ddl: int = 0
    exact_ddl: int = 0
    # of those, statements whose objects no side compares (Uncompared ops: operators, rules,
    # publications...; and privileges / ownership, never compared)
    exact_uncompared: int = 0
    uncompared_ddl: int = 0  # accepted DDL statements on objects no side compares
    blamed_other: int = 0  # accepted non-DDL statements something is attributed to
    differences_dump: int = 0
    differences_live: int = 0
    differences_dump_live: int = 0  # the two sources disagree (a source bug, not the replay's)
    unmodeled: int = 0  # diagnostics of the migration's replay (this script's statements)
    via_setup: int = 0  # differences and diagnostics attributed to test_setup's statements
    dump_unmodeled: int = 0  # diagnostics of the dump's replay
    # views whose queries are compared (both sides canonical) and those left to their
    # relations (the canonical query undecided on a side: the counted fallbacks)
    view_queries_compared: int = 0
    view_queries_undecided: int = 0
    attribution: dict[str, int] = field(default_factory=dict)  # effect | name | setup | none
    crashes: list[str] = field(default_factory=list)
    seconds_server: float = 0.0
    seconds_engine: float = 0.0
    details: list[dict[str, Any]] = field(default_factory=list)  # per non-exact statement
    unattributed: list[dict[str, Any]] = field(default_factory=list)
    dump_diagnostics: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _effect_index(effects: Iterable[Effect]) -> dict[tuple[Key, str], Effect]:
    last: dict[tuple[Key, str], Effect] = {}
    for e in effects:
        last[(e.key, e.attribute)] = e
        if e.attribute == "*" and e.after is not None:
            for attr in e.after.attributes():
                last[(e.key, attr)] = e
    return last


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return None  # a whole object (missing / extra)


def _mentions(stmt: Stmt, name: str) -> bool:
    if not name:
        return False
    pattern = r"(?<![A-Za-z0-9_$])" + re.escape(name) + r"(?![A-Za-z0-9_$])"
    return re.search(pattern, stmt.text, re.IGNORECASE) is not None


class Attributor:
    """Finds the statement a difference or diagnostic belongs to."""

    def __init__(self, replay: Replay, scripts: Sequence[Script]) -> None:
        self.last = _effect_index(replay.effects)
        self.by_location: dict[tuple[str, int, int], Stmt] = {}
        self.accepted: list[Stmt] = []
        for script in scripts:
            for st in script.stmts:
                self.by_location[(f"{script.name}.sql", st.line, st.col)] = st
                if st.status == "accepted":
                    self.accepted.append(st)
        self.script_of = {id(st): sc.name for sc in scripts for st in sc.stmts}

    def statement_at(self, location: Location | None) -> Stmt | None:
        if location is None:
            return None
        return self.by_location.get((location.path, location.line, location.col))

    def blame(self, d: Difference) -> tuple[Stmt | None, str]:
        attr = d.attribute or "*"
        effect = self.last.get((d.key, attr)) or self.last.get((d.key, "*"))
        if effect is not None:
            st = self.statement_at(effect.location)
            if st is not None:
                return st, "effect"
        obj = d.expected if d.expected is not None else d.actual
        names = [d.key.sub or d.key.name]
        if d.key.sub:
            names.append(d.key.name)
        table = getattr(obj, "table", None)
        if isinstance(table, str):
            names.append(table)
        for name in names:
            for st in reversed(self.accepted):
                if _mentions(st, name):
                    return st, "name"
        return None, "none"


def compare(
    pg: PgServer,
    dbname: str,
    scripts: Sequence[Script],
    *,
    live: bool = True,
) -> Comparison:
    """Replay the scripts' accepted statements (one migration each, in order) and compare
    with the database's dump and live catalog; attribute every finding to a statement.

    The last script is the one reported; the ones before it (``test_setup``) only provide
    the objects it starts from: findings attributed to them are counted, not blamed.
    """
    from schemadiff.sources.live import read_live

    own = scripts[-1]
    result = Comparison(own.name)
    crashes = result.crashes
    started = time.perf_counter()
    dump_text = pg.pg_dump_schema(dbname, privileges=True)
    live_replay = None
    if live:
        try:
            live_replay = read_live(pg.dsn(dbname))
        except Exception as exc:  # a crash of the live source
            crashes.append(f"read_live: {_crash(exc)}")
    result.seconds_server = time.perf_counter() - started
    started = time.perf_counter()
    try:
        expected = replay_migrations([s.migration(str(i)) for i, s in enumerate(scripts)])
    except Exception as exc:
        crashes.append(f"replay: {_crash(exc)}")
        _count_statements(result, own)
        return result
    try:
        dumped = replay_sql(dump_text, "<dump>", effects=False)
    except Exception as exc:
        crashes.append(f"dump replay: {_crash(exc)}")
        _count_statements(result, own)
        return result
    attributor = Attributor(expected, scripts)
    _count_view_queries(result, expected.catalog, dumped.catalog)
    # a dump without privileges (none survived: GRANTs to the suite's roles fail) leaves them
    # out, as the pipeline does for such a schema file
    no_acl = None if dumped.catalog.of_kind("privilege") else _not_privileges
    for source, actual in (("dump", dumped), ("live", live_replay)):
        if actual is None:
            continue
        try:
            keep = no_acl if source == "dump" else None
            diffs = diff_catalogs(expected.catalog, actual.catalog, expected.effects, keep)
        except Exception as exc:
            crashes.append(f"diff with {source}: {_crash(exc)}")
            continue
        count = 0
        for d in diffs:
            st, how = attributor.blame(d)
            owner = attributor.script_of.get(id(st)) if st is not None else None
            if st is not None and owner != own.name:
                result.via_setup += 1
                continue
            count += 1
            result.attribution[how] = result.attribution.get(how, 0) + 1
            item = {"source": source, "kind": d.key.kind, "object": d.key.display,
                    "change": d.change, "attribute": d.attribute,
                    "expected": _plain(d.expected), "actual": _plain(d.actual), "how": how}
            if st is None:
                result.unattributed.append(item)
            else:
                st.differences.append(item)
        setattr(result, f"differences_{source}", count)
    if live_replay is not None:
        try:
            result.differences_dump_live = len(
                diff_catalogs(dumped.catalog, live_replay.catalog, keep=no_acl))
        except Exception as exc:
            crashes.append(f"diff dump with live: {_crash(exc)}")
    for diag in expected.diagnostics:
        st = attributor.statement_at(diag.location)
        if st is not None and attributor.script_of.get(id(st)) != own.name:
            result.via_setup += 1
            continue
        result.unmodeled += 1
        if st is not None:
            st.unmodeled.append(diag.message)
    result.dump_unmodeled = len(dumped.diagnostics)
    result.dump_diagnostics = [f"{d.message} [{d.statement[:120]}]" for d in dumped.diagnostics]
    result.seconds_engine = time.perf_counter() - started
    _count_statements(result, own)
    return result


def _not_privileges(key: Key) -> bool:
    return key.kind != "privilege"


def _count_view_queries(result: Comparison, expected: Catalog, actual: Catalog) -> None:
    for view in expected.of_kind("view"):
        other = actual.get(view.key)
        if other is None:
            continue
        if view.query is not None and other.query is not None:  # type: ignore[attr-defined]
            result.view_queries_compared += 1
        else:
            result.view_queries_undecided += 1


def _count_statements(result: Comparison, script: Script) -> None:
    skipped: Counter[str] = Counter()
    for st in script.stmts:
        if st.status == "meta":
            continue
        result.statements += 1
        if st.status == "skipped":
            skipped[st.reason] += 1
        elif st.status == "rejected":
            result.rejected += 1
        elif st.status == "accepted":
            result.accepted += 1
            if st.ddl:
                result.accepted_ddl += 1
                result.exact_ddl += st.exact
                if not compared(st.text):
                    result.uncompared_ddl += 1
                    result.exact_uncompared += st.exact
            elif not st.exact:
                result.blamed_other += 1
            if not st.exact:
                result.details.append({
                    "line": st.line, "ddl": st.ddl, "statement": st.text[:300],
                    "differences": st.differences, "unmodeled": st.unmodeled,
                })
    result.skipped = dict(skipped)


def compared(text: str) -> bool:
    """Whether the statement's effect is on objects the model compares (not an Uncompared
    op, not a privilege or ownership change)."""
    from schemadiff.sql import ops
    from schemadiff.sql.parse import parse_statement

    op = parse_statement(text)
    if isinstance(op, ops.Uncompared):
        return False
    return not (isinstance(op, ops.NoEffect) and op.category == "acl")


def _crash(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?"
    return f"{type(exc).__name__}: {str(exc)[:300]} at {where}"


# ------------------------------------------------------------------------------ a whole run


@dataclass
class Setup:
    """The template database that ran ``test_setup.sql``."""

    dbname: str
    script: Script


def build_setup(pg: PgServer, root: Path) -> Setup:
    dbname = pg.create_database("regress_setup")
    script = run_statements(pg, dbname, SETUP, root / f"{SETUP}.sql")
    return Setup(dbname, script)


def run_script(pg: PgServer, setup: Setup, name: str, root: Path, *, live: bool = True
               ) -> Comparison:
    """One script, start to end, in its own scratch database (dropped afterwards)."""
    if name == SETUP:
        result = compare(pg, setup.dbname, [setup.script], live=live)
        result.seconds_server += setup.script.seconds
        return result
    dbname = pg.create_database(f"regress_{name}", template=setup.dbname)
    try:
        try:
            script = run_statements(pg, dbname, name, root / f"{name}.sql")
        except psycopg.OperationalError as exc:  # the session died (e.g. the server restarted)
            result = Comparison(name)
            result.crashes.append(f"session: {exc}")
            return result
        result = compare(pg, dbname, [setup.script, script], live=live)
        result.seconds_server += script.seconds
        return result
    finally:
        pg.drop_database(dbname)


def run_suite(
    pg: PgServer,
    names: Sequence[str],
    root: Path | None = None,
    *,
    live: bool = True,
    progress: Callable[[Comparison], None] | None = None,
) -> list[Comparison]:
    """Every named script (``test_setup`` included once, first)."""
    root = root or regress_path()
    setup = build_setup(pg, root)
    try:
        results = []
        for name in [SETUP, *[n for n in names if n != SETUP]]:
            result = run_script(pg, setup, name, root, live=live)
            results.append(result)
            if progress is not None:
                progress(result)
        return results
    finally:
        pg.drop_database(setup.dbname)


def totals(results: Sequence[Comparison]) -> dict[str, Any]:
    """The suite's numbers summed (and the headline ratio)."""
    out: dict[str, Any] = {"scripts": len(results)}
    for name in ("statements", "rejected", "accepted", "accepted_ddl", "exact_ddl",
                 "exact_uncompared", "uncompared_ddl",
                 "blamed_other", "differences_dump", "differences_live",
                 "differences_dump_live", "unmodeled", "dump_unmodeled", "via_setup",
                 "view_queries_compared", "view_queries_undecided"):
        out[name] = sum(getattr(r, name) for r in results)
    skipped: Counter[str] = Counter()
    attribution: Counter[str] = Counter()
    for r in results:
        skipped.update(r.skipped)
        attribution.update(r.attribution)
    out["skipped"] = dict(skipped)
    out["attribution"] = dict(attribution)
    out["crashes"] = sum(len(r.crashes) for r in results)
    out["exact_ratio"] = out["exact_ddl"] / out["accepted_ddl"] if out["accepted_ddl"] else 1.0
    compared_ddl = out["accepted_ddl"] - out["uncompared_ddl"]
    out["exact_compared_ratio"] = ((out["exact_ddl"] - out["exact_uncompared"]) / compared_ddl
                                   if compared_ddl else 1.0)
    return out
