"""A migration tool's database URL (``$DATABASE_URL``) taken as the tool takes it: what libpq
refuses is read out (``?search_path=app``, golang-migrate's ``x-migrations-table``) or left out
and named, instead of the connection failing on it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from psycopg.conninfo import conninfo_to_dict

from pg import PgServer
from schemadiff import api
from schemadiff.sources.dsn import ToolDsn, tool_dsn

#: (URL, what is read of it)
URLS = [
    ("postgresql://u@h/db", ToolDsn("postgresql://u@h/db")),
    ("postgres://u:p@h:5432/db?sslmode=disable&x-migrations-table=gm&search_path=app,public",
     ToolDsn("postgres://u:p@h:5432/db?sslmode=disable&options=-c%20search_path%3Dapp%2Cpublic",
             ("app", "public"), "gm")),
    ("postgres://u@h/db?search_path=%22My%20Schema%22,App",
     ToolDsn("postgres://u@h/db?options=-c%20search_path%3D%22My%5C%20Schema%22%2CApp",
             ("My Schema", "app"))),
    ("postgres://u@h/db?options=-c%20search_path%3Dapp&pool_max_conns=10&x-multi-statement=1",
     ToolDsn("postgres://u@h/db?options=-c%20search_path%3Dapp", ("app",), None,
             ("pool_max_conns", "x-multi-statement"))),
    ("postgresql://u@h:5432/db?schema=app&connection_limit=5",
     ToolDsn("postgresql://u@h:5432/db?options=-c%20search_path%3Dapp", ("app",), None,
             ("connection_limit",))),
    ("host=h dbname=db options='-c search_path=app'",
     ToolDsn("host=h dbname=db options='-c search_path=app'", ("app",))),
]


@pytest.mark.parametrize(("url", "read"), URLS, ids=[u for u, _ in URLS])
def test_a_tool_url_is_read_as_the_tool_reads_it(url: str, read: ToolDsn) -> None:
    assert tool_dsn(url) == read


def _url(dsn: str) -> str:
    """The test server's connection string as a URL without parameters (a tool's form)."""
    params = conninfo_to_dict(dsn)
    user = quote(str(params.get("user") or "postgres"), safe="")
    password = params.get("password")
    auth = f"{user}:{quote(str(password), safe='')}" if password else user
    host = quote(str(params.get("host") or "localhost"), safe="")
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgresql://{auth}@{host}{port}/{quote(str(params['dbname']), safe='')}"


MIGRATIONS = {
    "1_users.up.sql": "CREATE TABLE users (id int PRIMARY KEY);\n",
    "2_orders.up.sql": "CREATE TABLE orders (id int, user_id int REFERENCES users);\n"
                       "CREATE INDEX ON orders (user_id);\n",
}


@pytest.mark.pg
def test_a_url_with_search_path_and_a_migrations_table(pg: PgServer, tmp_path: Path) -> None:
    """golang-migrate over ``?search_path=app&x-migrations-table=gm``: its table and every
    unqualified table are ``app``'s. Read over the same URL: no difference, both versions
    proven and recorded; with the row gone, ``sync`` writes ``app.gm`` back and ``check``
    passes."""
    for name, text in MIGRATIONS.items():
        (tmp_path / name).write_text(text)
    db = pg.create_database("tool_url")
    url = _url(pg.dsn(db)) + "?search_path=app&x-migrations-table=gm&x-multi-statement=true"
    where = ["-m", str(tmp_path), "--dsn", url, "--no-cache"]
    try:
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA app; SET search_path TO app")
            conn.execute("CREATE TABLE gm (version bigint PRIMARY KEY, dirty boolean NOT NULL)")
            for text in MIGRATIONS.values():
                conn.execute(text)
            conn.execute("INSERT INTO gm VALUES (2, false)")
        result = api.infer(tmp_path, dsn=url, cache=False)
        assert (result.tool, result.drift, result.unmodeled) == ("golang-migrate", [], [])
        assert [(v.migration.version, str(v.status), v.proven, v.recorded)
                for v in result.verdicts] == [("1", "applied", True, True),
                                              ("2", "applied", True, True)]
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("DELETE FROM app.gm")
        cmd = [sys.executable, "-m", "schemadiff"]
        script = subprocess.run([*cmd, "sync", *where], capture_output=True, text=True,
                                check=True).stdout
        assert "INSERT INTO app.gm (version, dirty) VALUES (2, false)" in script
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute(script.encode())
        out = subprocess.run([*cmd, "check", *where, "-f", "json"], capture_output=True,
                             text=True, check=False)
        assert out.returncode == 0 and json.loads(out.stdout)["ok"] is True, out.stderr
        assert "x-multi-statement left out" in out.stderr
    finally:
        pg.drop_database(db)
