"""sqlx 0.9's ``sqlx.toml`` (``[migrate]``): ``ignored-chars`` change what sqlx hashes,
``table-name`` where it keeps its history, ``create-schemas`` what it makes before migrating.

The expected checksums are computed here from the file's text, as ``checksum_fragments``
hashes the fragments between ignored characters, not by the reader under test.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pg import PgServer
from schemadiff import api
from schemadiff.tools import ProjectConfig, sqlx

CRLF = "CREATE TABLE users (\r\n  id bigint PRIMARY KEY\r\n);\r\n"

#: (name, sqlx.toml, the file's text, the checksum sqlx records)
CHECKSUMS = [
    ("no sqlx.toml: the bytes", None, CRLF, hashlib.sha384(CRLF.encode()).hexdigest()),
    ("ignored CR", '[migrate]\nignored-chars = ["\\r"]\n', CRLF,
     hashlib.sha384(CRLF.replace("\r", "").encode()).hexdigest()),
    ("all whitespace ignored", '[migrate]\nignored-chars = [" ", "\\t", "\\r", "\\n"]\n', CRLF,
     hashlib.sha384(b"CREATETABLEusers(idbigintPRIMARYKEY);").hexdigest()),
    ("other sections only", '[common]\ndatabase-url-var = "X"\n', CRLF,
     hashlib.sha384(CRLF.encode()).hexdigest()),
]


@pytest.mark.parametrize(("name", "toml", "text", "expected"), CHECKSUMS,
                         ids=[c[0] for c in CHECKSUMS])
def test_the_checksum_is_what_sqlx_hashes(tmp_path: Path, name: str, toml: str | None,
                                          text: str, expected: str) -> None:
    (tmp_path / ".git").mkdir()
    if toml is not None:
        (tmp_path / "sqlx.toml").write_text(toml)
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "1_users.sql").write_bytes(text.encode())
    [m] = sqlx.list_migrations(root)
    assert m.checksum == expected


def test_table_name_and_create_schemas(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "sqlx.toml").write_text(
        '[migrate]\ntable-name = "\\"ops\\"._sqlx_migrations"\ncreate-schemas = ["ops"]\n')
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "1_users.sql").write_text("SELECT 1;\n")
    assert sqlx.configured(root) == ProjectConfig("ops._sqlx_migrations", ("ops",),
                                                  "sqlx.toml table-name")
    assert sqlx.list_migrations(root)[0].tool_schemas == ("ops",)


@pytest.mark.pg
def test_a_project_with_sqlx_toml_is_read_and_synced_as_sqlx_does(pg: PgServer,
                                                                  tmp_path: Path) -> None:
    """CRLF files hashed without CR, the history in ``ops`` which sqlx created: recorded with
    matching checksums, ``ops`` not drift; with the rows gone, ``sync`` writes them back into
    ``ops._sqlx_migrations`` with sqlx's checksums and ``check`` passes."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "sqlx.toml").write_text('[migrate]\nignored-chars = ["\\r"]\n'
                                        'table-name = "ops._sqlx_migrations"\n'
                                        'create-schemas = ["ops"]\n')
    root = tmp_path / "migrations"
    root.mkdir()
    files = {"1_users.sql": CRLF,
             "2_orders.sql": "CREATE TABLE orders (\r\n  user_id bigint REFERENCES users\r\n);\r\n"}
    for name, text in files.items():
        (root / name).write_bytes(text.encode())
    db = pg.create_database("sqlx_toml")
    where = ["-m", str(root), "--dsn", pg.dsn(db), "--no-cache"]
    try:
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA ops")
            conn.execute("CREATE TABLE ops._sqlx_migrations (version BIGINT PRIMARY KEY, "
                         "description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT "
                         "now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, "
                         "execution_time BIGINT NOT NULL)")
            for name, text in files.items():
                conn.execute(text)
                conn.execute("INSERT INTO ops._sqlx_migrations (version, description, success,"
                             " checksum, execution_time) VALUES (%s, %s, true, %s, 1)",
                             (int(name[0]), name[2:-4],
                              hashlib.sha384(text.replace("\r", "").encode()).digest()))
        result = api.infer(root, dsn=pg.dsn(db), cache=False)
        assert (result.tool, result.drift, result.checksum_mismatch) == ("sqlx", [], [])
        assert [(v.migration.version, v.proven, v.recorded) for v in result.verdicts] == [
            ("1", True, True), ("2", True, True)]
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("DELETE FROM ops._sqlx_migrations")
        cmd = [sys.executable, "-m", "schemadiff"]
        script = subprocess.run([*cmd, "sync", *where], capture_output=True, text=True,
                                check=True).stdout
        assert "INSERT INTO ops._sqlx_migrations" in script
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute(script.encode())
            stored = conn.execute("SELECT encode(checksum, 'hex') FROM ops._sqlx_migrations "
                                  "ORDER BY version").fetchall()
        assert stored == [(hashlib.sha384(t.replace("\r", "").encode()).hexdigest(),)
                          for t in files.values()]
        out = subprocess.run([*cmd, "check", *where, "-f", "json"], capture_output=True,
                             text=True, check=False)
        assert out.returncode == 0 and json.loads(out.stdout)["ok"] is True, out.stderr
    finally:
        pg.drop_database(db)
