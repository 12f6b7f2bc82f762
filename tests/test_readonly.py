"""The read-only promise, proven: no command that takes ``--dsn`` writes to the database.

The database is set up so that any write by schemadiff's session would fail or be recorded:

- an event trigger on ``ddl_command_start`` and statement triggers on every table (``INSERT``,
  ``UPDATE``, ``DELETE``, ``TRUNCATE``) append to ``sd_audit.events`` (through a ``SECURITY
  DEFINER`` function, so a write by any role is recorded once it commits);
- a role with only ``CONNECT``, ``USAGE`` and ``SELECT`` and ``default_transaction_read_only =
  on``: a write fails there and the command exits 2.

Every command (diff, infer, check, sync, inspect) runs once as that role and once as the
superuser (whose writes would succeed and be recorded); afterwards the audit table is empty and
``pg_stat_user_tables`` shows no row inserted, updated or deleted. ``sync`` only prints.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pg import PgServer

BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad"
COMMANDS = ("diff", "infer", "check", "sync", "inspect")

SETUP = """
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
INSERT INTO schema_migrations VALUES (1, false);
CREATE SCHEMA sd_audit;
CREATE TABLE sd_audit.events (
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    who text NOT NULL DEFAULT session_user,
    app text DEFAULT current_setting('application_name'),
    what text NOT NULL
);
CREATE FUNCTION sd_audit.on_ddl() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO sd_audit.events (what) VALUES ('ddl ' || tg_tag);
END $$;
CREATE EVENT TRIGGER sd_audit_ddl ON ddl_command_start EXECUTE FUNCTION sd_audit.on_ddl();
CREATE FUNCTION sd_audit.on_dml() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO sd_audit.events (what) VALUES (tg_op || ' ' || tg_table_name);
    RETURN NULL;
END $$;
CREATE TRIGGER audit_users AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION sd_audit.on_dml();
CREATE TRIGGER audit_history AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON schema_migrations
    FOR EACH STATEMENT EXECUTE FUNCTION sd_audit.on_dml();
"""


def _as_role(dsn: str, role: str) -> str:
    """``dsn`` logging in as ``role`` (no password: the test servers trust local logins)."""
    if "://" in dsn:
        parts = urlsplit(dsn)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{role}@{host}"))
    return make_conninfo(dsn, user=role)


@pytest.fixture(scope="module")
def guarded(pg: PgServer) -> Iterator[tuple[str, str]]:
    """``(dbname, restricted role)``: the audited database and its read-only role."""
    db = pg.create_database("sd_readonly")
    pg.psql(db, SETUP)
    role = f"sd_ro_{uuid.uuid4().hex[:8]}"
    with pg.connect_db(db, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT CONNECT ON DATABASE "{db}" TO "{role}"')
        conn.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
        conn.execute(f'ALTER ROLE "{role}" SET default_transaction_read_only = on')
        conn.execute("DELETE FROM sd_audit.events")  # the setup's own DDL
    try:
        yield db, role
    finally:
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def _counters(pg: PgServer, db: str) -> dict[str, tuple[Any, ...]]:
    """Rows inserted, updated and deleted per table, and the audit log."""
    with pg.connect_db(db, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        stats = conn.execute(
            "SELECT schemaname || '.' || relname, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd"
            " FROM pg_stat_user_tables ORDER BY 1"
        ).fetchall()
        audit = conn.execute("SELECT who, app, what FROM sd_audit.events ORDER BY at").fetchall()
    result: dict[str, tuple[Any, ...]] = {row[0]: tuple(row[1:]) for row in stats}
    result["audit"] = tuple(audit)
    return result


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SCHEMADIFF_DEBUG", "DATABASE_URL") and not k.startswith("PG")}
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args], cwd=cwd, env=env, capture_output=True,
        text=True, encoding="utf-8", errors="replace", timeout=180, check=False,
    )


def _command(command: str, dsn: str) -> list[str]:
    if command == "inspect":
        return ["inspect", "--dsn", dsn, "--out", "out/inspect.json"]
    args = [command, "-m", "m", "-t", "golang-migrate", "--dsn", dsn]
    if command != "sync":
        args += ["--exclude-schema", "sd_audit"]
    return args + (["--out", f"out/{command}.txt"] if command != "check" else [])


@pytest.mark.parametrize("who", ["restricted-role", "superuser"])
def test_no_command_writes_to_the_database(
    who: str, pg: PgServer, guarded: tuple[str, str], tmp_path: Path
) -> None:
    db, role = guarded
    dsn = pg.dsn(db) if who == "superuser" else _as_role(pg.dsn(db), role)
    shutil.copytree(BAD / "ok", tmp_path / "m")
    (tmp_path / "out").mkdir()
    before = _counters(pg, db)
    assert before["audit"] == ()
    for command in COMMANDS:
        proc = _run(_command(command, dsn), tmp_path)
        assert "Traceback" not in proc.stderr, proc.stderr
        # 0 or 1: the audit triggers on public.users are drift; 2 would be trouble
        assert proc.returncode in (0, 1), f"{command} exit {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    assert (tmp_path / "out" / "sync.txt").is_file()  # sync printed its script; nothing ran
    time.sleep(1.5)  # backends flush their statistics when they exit
    after = _counters(pg, db)
    assert after["audit"] == (), f"writes were recorded: {after['audit']}"
    assert after == before


def test_the_guard_records_writes(pg: PgServer, guarded: tuple[str, str]) -> None:
    """The audit is live: a real write by the superuser is recorded; the role cannot write."""
    db, role = guarded

    with psycopg.connect(_as_role(pg.dsn(db), role), connect_timeout=10) as conn:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("CREATE TABLE nope (a int)")
        conn.rollback()
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("DELETE FROM schema_migrations")
    with pg.connect_db(db) as conn:  # one transaction, rolled back: the audit stays empty
        conn.execute("UPDATE schema_migrations SET dirty = false")
        conn.execute("CREATE TABLE scratch (a int)")
        seen = conn.execute("SELECT what FROM sd_audit.events ORDER BY at").fetchall()
        conn.rollback()
    assert [r[0] for r in seen] == ["UPDATE schema_migrations", "ddl CREATE TABLE"]
