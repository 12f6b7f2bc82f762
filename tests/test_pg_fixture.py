"""The test PostgreSQL fixture (``tests/pg.py``): server, databases, psql, pg_dump, corpora."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from pg import (
    DSN_ENV,
    PgServer,
    PsqlError,
    corpus_names,
    dump_table_names,
    read_order,
    redact,
    start_server,
    with_dbname,
)

# -- connection strings (no server needed) -------------------------------------------------


@pytest.mark.parametrize(
    ("dsn", "dbname", "expected"),
    [
        pytest.param(
            "postgresql://postgres@127.0.0.1:5432/postgres",
            "corpus_atuin_1",
            "postgresql://postgres@127.0.0.1:5432/corpus_atuin_1",
            id="url",
        ),
        pytest.param(
            "postgresql://postgres:@/postgres?host=/tmp/x/pgdata",
            "d",
            "postgresql://postgres:@/d?host=/tmp/x/pgdata",
            id="unix-socket-url",
        ),
        pytest.param(
            "postgresql://u@h/postgres?dbname=other&sslmode=disable",
            "d",
            "postgresql://u@h/d?sslmode=disable",
            id="dbname-in-query",
        ),
        pytest.param("host=h port=5 dbname=postgres", "d", "host=h port=5 dbname=d", id="kv"),
    ],
)
def test_with_dbname(dsn: str, dbname: str, expected: str) -> None:
    got = with_dbname(dsn, dbname)
    if "://" in dsn:
        assert got == expected
    else:
        assert conninfo_to_dict(got) == conninfo_to_dict(expected)


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        pytest.param("postgresql://u:s3cret@h/db", "postgresql://u:***@h/db", id="url"),
        pytest.param("postgresql://u@h/db?password=s3cret", "postgresql://u@h/db?password=***",
                     id="url-query"),
        pytest.param("host=h password=s3cret dbname=d", "host=h password=*** dbname=d", id="kv"),
        pytest.param("postgresql://u@h/db", "postgresql://u@h/db", id="none"),
    ],
)
def test_redact(dsn: str, expected: str) -> None:
    assert redact(dsn) == expected


# -- the server ----------------------------------------------------------------------------


def test_connects_and_reports_version(pg: PgServer) -> None:
    with pg.connect_db() as conn:
        row = conn.execute("SELECT current_setting('server_version_num')::int").fetchone()
    assert row is not None
    assert pg.version_num == row[0]
    assert pg.version_num >= 120000
    assert pg.major == pg.version_num // 10000


def test_client_binaries_can_dump_the_server(pg: PgServer) -> None:
    """pg_dump refuses servers newer than itself: ours is the server's major or newer."""
    for binary in (pg.psql_bin, pg.pg_dump_bin):
        assert binary.is_file(), binary
    out = subprocess.run([str(pg.pg_dump_bin), "--version"], capture_output=True, text=True,
                         check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    assert match is not None, out
    assert int(match.group(1)) >= pg.major


def test_created_database_is_reachable_through_dsn(pg: PgServer) -> None:
    name = pg.create_database("sdtest Fixture-Check")
    assert re.fullmatch(r"sdtest_fixture_check_[0-9a-f]{12}", name)
    assert name in pg.created_databases
    with pg.connect_db(name) as conn:
        row = conn.execute("SELECT current_database()").fetchone()
    assert row == (name,)


def test_created_databases_are_unique(pg: PgServer) -> None:
    assert pg.create_database("same") != pg.create_database("same")


def test_session_end_force_drops_created_databases(
    pg: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``start_server`` creates is gone when it ends, even with a connection still open."""
    monkeypatch.setenv(DSN_ENV, pg.dsn())  # a second session on the same server
    session = start_server()
    inner = next(session)
    name = inner.create_database("sdtest_teardown")
    still_open = psycopg.connect(inner.dsn(name), autocommit=True)
    try:
        with pytest.raises(StopIteration):
            next(session)  # ends the session: its teardown runs
    finally:
        still_open.close()
    with pg.connect_db() as conn:
        row = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()
    assert row == (0,)
    assert inner.created_databases == ()


def test_refuses_to_drop_what_it_did_not_create(pg: PgServer) -> None:
    with pytest.raises(ValueError, match="not created by this fixture"):
        pg.drop_database("postgres")
    with pytest.raises(ValueError, match="not created by this fixture"):
        pg.create_database("copy", template="template1")


def test_copy_of_a_created_database(pg: PgServer) -> None:
    src = pg.create_database("sdtest_src")
    pg.psql(src, "CREATE TABLE kept (id int);")
    copy = pg.create_database("sdtest_copy", template=src)
    assert "public.kept" in dump_table_names(pg.pg_dump_schema(copy))


# -- psql ----------------------------------------------------------------------------------


def _tables(pg: PgServer, dbname: str) -> set[str]:
    with pg.connect_db(dbname) as conn:
        rows = conn.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        ).fetchall()
    return {r[0] for r in rows}


def test_psql_single_transaction_rolls_back_on_error(pg: PgServer) -> None:
    db = pg.create_database("sdtest_tx")
    with pytest.raises(PsqlError, match="division by zero"):
        pg.psql(db, "CREATE TABLE a (id int);\nSELECT 1/0;\nCREATE TABLE b (id int);\n",
                single_transaction=True)
    assert _tables(pg, db) == set()


def test_psql_autocommit_keeps_what_ran_and_stops_at_error(pg: PgServer) -> None:
    db = pg.create_database("sdtest_notx")
    with pytest.raises(PsqlError) as info:
        pg.psql(db, "CREATE TABLE a (id int);\nSELECT 1/0;\nCREATE TABLE b (id int);\n",
                single_transaction=False, what="m1")
    assert "m1" in str(info.value)
    assert _tables(pg, db) == {"a"}  # ON_ERROR_STOP: b never ran


def test_psql_autocommit_allows_create_index_concurrently(pg: PgServer) -> None:
    db = pg.create_database("sdtest_conc")
    pg.psql(db, "CREATE TABLE t (id int);")
    with pytest.raises(PsqlError, match="cannot run inside a transaction block"):
        pg.psql(db, "CREATE INDEX CONCURRENTLY t_id ON t (id);", single_transaction=True)
    pg.psql(db, "CREATE INDEX CONCURRENTLY t_id ON t (id);", single_transaction=False)
    assert "CREATE INDEX t_id ON public.t" in pg.pg_dump_schema(db)


def test_psql_runs_a_file_and_ignores_psqlrc(pg: PgServer, tmp_path: Path) -> None:
    db = pg.create_database("sdtest_file")
    script = tmp_path / "m.sql"
    script.write_text("CREATE TABLE from_file (id int);\nSELECT 42 AS answer;\n")
    out = pg.psql(db, script)
    assert "42" in out
    assert _tables(pg, db) == {"from_file"}


# -- pg_dump -------------------------------------------------------------------------------


def test_pg_dump_schema_is_schema_only_and_reproducible(pg: PgServer) -> None:
    db = pg.create_database("sdtest_dump")
    pg.psql(db, "CREATE TABLE t (id int PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'row');\n")
    first = pg.pg_dump_schema(db)
    assert dump_table_names(first) == {"public.t"}
    assert "COPY public.t" not in first and "'row'" not in first  # no data
    assert "OWNER TO" not in first and "GRANT " not in first  # --no-owner --no-privileges
    assert pg.pg_dump_schema(db) == first


# -- corpora -------------------------------------------------------------------------------

_TOC = re.compile(r"^-- Name: (.*); Type: (.*); Schema: (.*); Owner: .*$", re.MULTILINE)


def toc_entries(dump: str) -> list[tuple[str, str, str]]:
    """pg_dump's table of contents: ``(name, type, schema)`` of every object, sorted."""
    return sorted(_TOC.findall(dump))


def test_read_order(corpora_dir: Path) -> None:
    rows = read_order(corpora_dir / "atuin")
    assert [r.index for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].id == "20210425153745"
    assert rows[0].files == ("20210425153745_create_history.sql",)
    assert all(r.in_transaction for r in rows)


def test_build_corpus_atuin(
    pg: PgServer, corpora_dir: Path, corpus_db: Callable[[str], str]
) -> None:
    """The smallest corpus, built by the fixture, dumps to the corpus's expected tables."""
    dbname = corpus_db("atuin")
    assert corpus_db("atuin") == dbname  # built once per session
    dump = pg.pg_dump_schema(dbname)
    expected = (corpora_dir / "atuin" / "expected_schema.sql").read_text(encoding="utf-8")
    tables = dump_table_names(dump)
    assert len(tables) == 7  # MANIFEST.txt: tables=7
    assert tables == dump_table_names(expected)


@pytest.mark.slow
@pytest.mark.parametrize("name", corpus_names() or ["<no corpora>"])
def test_build_corpus_matches_expected_schema(
    pg: PgServer, corpora_dir: Path, corpus_db: Callable[[str], str], name: str
) -> None:
    """Every corpus builds, and its dump lists the same objects as ``expected_schema.sql``.

    ``expected_schema.sql`` is a PostgreSQL 15 dump: on a PostgreSQL 15 server the whole dump must
    be identical but for the version header and the ``\\restrict`` key.
    """
    dump = pg.pg_dump_schema(corpus_db(name))
    expected = (corpora_dir / name / "expected_schema.sql").read_text(encoding="utf-8")
    assert dump_table_names(dump) == dump_table_names(expected)
    assert toc_entries(dump) == toc_entries(expected)
    if pg.major == 15:

        def body(text: str) -> list[str]:
            skip = ("-- Dumped from", "-- Dumped by", "\\restrict", "\\unrestrict")
            return [line for line in text.splitlines() if not line.startswith(skip)]

        assert body(dump) == body(expected)
