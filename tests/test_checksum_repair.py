"""``sync --repair-checksums`` (issue 20): an applied migration's file edited afterwards; the
script sets the recorded checksum to the file's in each tool's own sense, and the tool (its
emulation, which follows its source) accepts the history again. Real PostgreSQL, real psql."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from jsonschema import Draft202012Validator

from flyway_emulation import FlywayError, flyway_migrate
from pg import PgServer
from sqlx_emulation import SqlxError, sqlx_migrate_run


@dataclass(frozen=True)
class Case:
    tool: str
    files: dict[str, str]
    edited: str  # the file edited after it ran
    migrate: Callable[[psycopg.Connection[Any], Path], object]  # the tool: apply / validate
    refused: type[Exception]  # what the tool raises on the changed file


SQLX = Case(
    "sqlx",
    {"20240101000000_init.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
     "20240102000000_posts.sql": "CREATE TABLE posts (id bigint PRIMARY KEY);\n"},
    "20240101000000_init.sql",
    lambda conn, d: sqlx_migrate_run(conn, d),
    SqlxError,
)
FLYWAY = Case(
    "flyway",
    {"V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
     "V2__posts.sql": "CREATE TABLE posts (id bigint PRIMARY KEY);\n"},
    "V1__init.sql",
    lambda conn, d: flyway_migrate(conn, d),
    FlywayError,
)
EDIT = "-- reviewed: a comment added after it ran\n"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], capture_output=True,
                          text=True, timeout=300, env=env)


@pytest.mark.parametrize("case", [SQLX, FLYWAY], ids=lambda c: c.tool)
def test_repair_makes_the_tool_accept_the_history(pg: PgServer, tmp_path: Path,
                                                  case: Case) -> None:
    d = tmp_path / "migrations"
    d.mkdir()
    for name, sql in case.files.items():
        (d / name).write_text(sql)
    db = pg.create_database(f"config_cks_{case.tool}")
    with pg.connect_db(db, autocommit=True) as conn:
        case.migrate(conn, d)
        (d / case.edited).write_text(EDIT + case.files[case.edited])
        with pytest.raises(case.refused):
            case.migrate(conn, d)
    args = ["sync", "-m", str(d), "--tool", case.tool, "--dsn", pg.dsn(db)]

    plain = _run(*args)
    assert plain.returncode == 0, plain.stderr
    assert "UPDATE" not in plain.stdout
    assert "--repair-checksums" in plain.stderr and "recorded" in plain.stderr

    repaired = _run(*args, "--repair-checksums", "--format", "json")
    assert repaired.returncode == 0, repaired.stderr
    doc = json.loads(repaired.stdout)
    validate("sync", doc)
    version = doc["checksums"][0]["version"]
    assert doc["updated"] == [version] and doc["inserted"] == [] and doc["pruned"] == []
    row = doc["checksums"][0]
    assert row["repaired"] is True and row["recorded"] != row["file"]
    assert any("checksum mismatch" in n for n in doc["notes"])
    assert not any("earlier text" in n for n in doc["notes"])  # a comment: same schema
    assert doc["script"].count("UPDATE ") == 1

    pg.psql(db, doc["script"], single_transaction=False)
    with pg.connect_db(db, autocommit=True) as conn:
        assert case.migrate(conn, d) == []  # validates, nothing left to run
    after = _run("infer", "-m", str(d), "--tool", case.tool, "--dsn", pg.dsn(db), "-f", "json")
    assert after.returncode == 0, after.stdout + after.stderr
    assert json.loads(after.stdout)["checksum_mismatch"] == []
    again = _run(*args, "--repair-checksums", "--format", "json")
    assert json.loads(again.stdout)["updated"] == []  # nothing more to repair


def test_flyway_repair_deletes_failed_rows(pg: PgServer, tmp_path: Path) -> None:
    """``flyway repair`` also removes failed rows: with them left, migrate stops at them."""
    d = tmp_path / "migrations"
    d.mkdir()
    for name, sql in FLYWAY.files.items():
        (d / name).write_text(sql)
    db = pg.create_database("config_cks_flyway_failed")
    with pg.connect_db(db, autocommit=True) as conn:
        flyway_migrate(conn, d)
        conn.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, "
                     "type, script, checksum, installed_by, execution_time, success) VALUES "
                     "(3, '3', 'half', 'SQL', 'V3__half.sql', 1, 'me', 0, false)")
        with pytest.raises(FlywayError, match="failed migration to version 3"):
            flyway_migrate(conn, d)
        (d / "V1__init.sql").write_text(EDIT + FLYWAY.files["V1__init.sql"])
    proc = _run("sync", "-m", str(d), "--tool", "flyway", "--dsn", pg.dsn(db),
                "--repair-checksums")
    assert proc.returncode == 0, proc.stderr
    pg.psql(db, proc.stdout, single_transaction=False)
    with pg.connect_db(db, autocommit=True) as conn:
        assert flyway_migrate(conn, d) == []
        assert conn.execute("SELECT count(*) FROM flyway_schema_history WHERE NOT success"
                            ).fetchone() == (0,)


PRISMA_SQL = "CREATE TABLE users (id bigint PRIMARY KEY);\n"
PRISMA_TABLE = """CREATE TABLE _prisma_migrations (
    id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL,
    finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT,
    rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count INTEGER NOT NULL DEFAULT 0);"""


def test_prisma_finished_row_gets_the_files_checksum(pg: PgServer, tmp_path: Path) -> None:
    """No Prisma emulation: the finished row must hold the SHA-256 of migration.sql as it is
    now (what Prisma compares), and the rolled-back attempt is left alone."""
    d = tmp_path / "prisma" / "migrations"
    (d / "20240101000000_init").mkdir(parents=True)
    (d / "migration_lock.toml").write_text('provider = "postgresql"\n')
    script = d / "20240101000000_init" / "migration.sql"
    db = pg.create_database("config_cks_prisma")
    old = hashlib.sha256(PRISMA_SQL.encode()).hexdigest()
    pg.psql(db, PRISMA_SQL + PRISMA_TABLE + (
        "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, "
        f"applied_steps_count) VALUES ('1', '{old}', now(), '20240101000000_init', 1), "
        f"('2', '{old}', NULL, '20240101000000_init', 0);"
        "UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = '2';"))
    script.write_text(EDIT + PRISMA_SQL)
    new = hashlib.sha256((EDIT + PRISMA_SQL).encode()).hexdigest()
    proc = _run("sync", "-m", str(d), "--tool", "prisma", "--dsn", pg.dsn(db),
                "--repair-checksums")
    assert proc.returncode == 0, proc.stderr
    assert f"{old}" in proc.stderr and f"{new}" in proc.stderr  # side by side
    pg.psql(db, proc.stdout, single_transaction=False)
    with pg.connect_db(db) as conn:
        rows = dict(conn.execute("SELECT id, checksum FROM _prisma_migrations").fetchall())
    assert rows == {"1": new, "2": old}


def test_atlas_is_refused_with_the_tools_own_way(tmp_path: Path) -> None:
    from schemadiff.migration import Migration
    from schemadiff.recorded import Recorded
    from schemadiff.repair import render_sync
    from schemadiff.tools.protocol import SyncError

    m = Migration("1", "init", str(tmp_path / "1_init.sql"), "", checksum="x")
    with pytest.raises(SyncError, match="atlas migrate hash"):
        render_sync("atlas", [], Recorded.none("atlas"), checksums=[m])


def validate(command: str, document: object) -> None:
    """``document`` against the shipped JSON Schema of ``command``."""
    from schemadiff import contract

    schema = json.loads((contract.SCHEMA_DIR / f"{command}.schema.json").read_text())
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_repair_of_an_edit_the_schema_lacks_says_so(pg: PgServer, tmp_path: Path) -> None:
    """A file edited after it ran so that it makes something else (a column added to its
    table): the schema holds the earlier text's effect. Repairing the checksum makes the tool
    accept the file and never run the new text, so sync says what is left to do by hand."""
    d = tmp_path / "migrations"
    d.mkdir()
    for name, sql in SQLX.files.items():
        (d / name).write_text(sql)
    db = pg.create_database("config_cks_edited")
    with pg.connect_db(db, autocommit=True) as conn:
        sqlx_migrate_run(conn, d)
    (d / "20240102000000_posts.sql").write_text(
        "CREATE TABLE posts (id bigint PRIMARY KEY, title text);\n")
    args = ["sync", "-m", str(d), "--tool", "sqlx", "--dsn", pg.dsn(db), "--format", "json"]
    for flags, words in (((), "would leave it so"), (("--repair-checksums",), "by hand")):
        doc = json.loads(_run(*args, *flags).stdout)
        notes = [n for n in doc["notes"] if "earlier text" in n]
        assert len(notes) == 1 and "20240102000000: " in notes[0], doc["notes"]
        assert "column public.posts.title" in notes[0] and words in notes[0]
