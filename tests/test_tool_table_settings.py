"""The history table a tool is told to use by its environment: ``DBMATE_MIGRATIONS_TABLE``
(dbmate), ``GOOSE_TABLE`` (goose's command line), from the environment or the project's
``.env`` (which both load), as they read it: read, left out of the drift, written by ``sync``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pg import PgServer
from schemadiff import api
from schemadiff.tools import ProjectConfig, dbmate, goose
from schemadiff.tools._dotenv import setting

#: (name, the environment, the .env files (path under the project -> text), the value)
SETTINGS = [
    ("unset", {}, {}, None),
    ("the environment", {"X_TABLE": "ops.t"}, {".env": "X_TABLE=other\n"}, "ops.t"),
    (".env at the project's root, quoted, after export",
     {}, {".env": "# db\nexport X_TABLE='ops.t'\nOTHER=1\n"}, "ops.t"),
    ("the nearest .env wins", {}, {".env": "X_TABLE=far\n", "db/.env": "X_TABLE=near # c\n"},
     "near"),
    ("nothing above the repository's root", {}, {"../.env": "X_TABLE=outside\n"}, None),
]


@pytest.mark.parametrize(("name", "environ", "files", "value"), SETTINGS,
                         ids=[c[0] for c in SETTINGS])
def test_a_setting_comes_from_the_environment_else_the_nearest_env_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, environ: dict[str, str],
        files: dict[str, str], value: str | None) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    root = project / "db" / "migrations"
    root.mkdir(parents=True)
    monkeypatch.delenv("X_TABLE", raising=False)
    for key, text in environ.items():
        monkeypatch.setenv(key, text)
    for path, text in files.items():
        (project / path).write_text(text)
    assert setting(root, "X_TABLE") == value


def test_goose_and_dbmate_take_their_table_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.delenv("DBMATE_MIGRATIONS_TABLE", raising=False)
    monkeypatch.setenv("GOOSE_TABLE", "ops.goose_versions")
    (tmp_path / ".env").write_text("DBMATE_MIGRATIONS_TABLE=ops.dbmate_versions\n")
    assert goose.configured(tmp_path) == ProjectConfig("ops.goose_versions", (), "GOOSE_TABLE")
    assert dbmate.configured(tmp_path) == ProjectConfig(
        "ops.dbmate_versions", (), "DBMATE_MIGRATIONS_TABLE")


MIGRATIONS = {
    "20240101000000_users.sql": "-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY);\n"
                                "-- migrate:down\nDROP TABLE users;\n",
    "20240102000000_orders.sql": "-- migrate:up\nCREATE TABLE orders (id int REFERENCES users);\n"
                                 "-- migrate:down\nDROP TABLE orders;\n",
}


@pytest.mark.pg
def test_dbmate_with_its_table_in_the_projects_env(
        pg: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dbmate told by ``.env`` to keep its history in ``ops.versions``: that table is read
    (both versions recorded), not drift, and ``sync`` writes its rows back into it."""
    monkeypatch.delenv("DBMATE_MIGRATIONS_TABLE", raising=False)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".env").write_text("DBMATE_MIGRATIONS_TABLE=ops.versions\n")
    root = tmp_path / "db" / "migrations"
    root.mkdir(parents=True)
    for name, text in MIGRATIONS.items():
        (root / name).write_text(text)
    db = pg.create_database("dbmate_table_env")
    where = ["-m", str(root), "--dsn", pg.dsn(db), "--no-cache"]
    try:
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA ops")
            conn.execute("CREATE TABLE ops.versions (version varchar(255) PRIMARY KEY)")
            conn.execute("CREATE TABLE users (id int PRIMARY KEY);"
                         "CREATE TABLE orders (id int REFERENCES users)")
            conn.execute("INSERT INTO ops.versions VALUES ('20240101000000'), "
                         "('20240102000000')")
        result = api.infer(root, dsn=pg.dsn(db), cache=False)
        assert (result.tool, result.drift) == ("dbmate", [])
        assert [(v.migration.version, v.proven, v.recorded) for v in result.verdicts] == [
            ("20240101000000", True, True), ("20240102000000", True, True)]
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("DELETE FROM ops.versions")
        cmd = [sys.executable, "-m", "schemadiff"]
        script = subprocess.run([*cmd, "sync", *where], capture_output=True, text=True,
                                check=True).stdout
        assert "INSERT INTO ops.versions" in script
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute(script.encode())
        out = subprocess.run([*cmd, "check", *where, "-f", "json"], capture_output=True,
                             text=True, check=False)
        assert out.returncode == 0 and json.loads(out.stdout)["ok"] is True, out.stderr
    finally:
        pg.drop_database(db)
