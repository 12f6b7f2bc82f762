"""End to end with drizzle-orm's own migrator (npm ``drizzle-orm``, ``drizzle-kit``, ``pg``).

For the fixture history and the real laminar history (``../shared/corpora-pending``): the
migrator builds the database with every migration but the last, the history is damaged (wiped,
a gap, a phantom row for the pending migration), ``infer`` must name exactly what is missing
or phantom, ``sync`` repairs it, the migrator then applies exactly the pending migration (one
new row, nothing re-run) and ``check`` exits 0. Runs on each server the suite runs on.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from pg import PgServer
from real_tools import DRIZZLE_PACKAGES, npm_prefix

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "tools" / "drizzle"
LAMINAR = ROOT.parent / "shared" / "corpora-pending" / "laminar"
MIGRATE_JS = """\
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
const client = new pg.Client();  // PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD
await client.connect();
try {
  const options = { migrationsFolder: process.argv[2] };
  if (process.argv[3]) options.migrationsTable = process.argv[3];
  if (process.argv[4]) options.migrationsSchema = process.argv[4];
  await migrate(drizzle(client), options);
} finally {
  await client.end();
}
"""


@pytest.fixture(scope="session")
def drizzle_migrate() -> Path:
    """A node script running drizzle-orm's ``migrate()`` on a folder."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    prefix = npm_prefix(DRIZZLE_PACKAGES)
    script = prefix / "migrate.mjs"
    if not script.exists() or script.read_text() != MIGRATE_JS:
        script.write_text(MIGRATE_JS)
    return script


def _migrate(script: Path, pg: PgServer, db: str, folder: Path, *table: str) -> None:
    info = conninfo_to_dict(pg.dsn(db))
    env = dict(os.environ, PGHOST=str(info.get("host") or "localhost"),
               PGPORT=str(info.get("port") or 5432), PGUSER=str(info.get("user") or "postgres"),
               PGDATABASE=db)
    if info.get("password"):
        env["PGPASSWORD"] = str(info["password"])
    proc = subprocess.run(["node", str(script), str(folder), *table], capture_output=True,
                          text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, f"drizzle migrate failed:\n{proc.stdout}\n{proc.stderr}"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], capture_output=True,
                          text=True, timeout=600, check=False)


def _rows(pg: PgServer, db: str) -> list[int]:
    with pg.connect_db(db) as conn:
        return [int(r[0]) for r in conn.execute(
            "SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY id").fetchall()]


HISTORIES = {
    "fixture": FIXTURE,
    "laminar": LAMINAR / "migrations",
}


@pytest.mark.parametrize("damage", ["wipe", "gap", "phantom"])
@pytest.mark.parametrize("history", sorted(HISTORIES))
def test_drizzle_history_repaired(pg: PgServer, drizzle_migrate: Path, tmp_path: Path,
                                  history: str, damage: str) -> None:
    source = HISTORIES[history]
    if not source.is_dir():
        pytest.skip(f"{source} is absent")
    work = tmp_path / "migrations"
    shutil.copytree(source, work)
    journal_path = work / "meta" / "_journal.json"
    journal = json.loads(journal_path.read_text())
    whens = [int(e["when"]) for e in journal["entries"]]
    applied, pending = whens[:-1], whens[-1]

    # 1. the real migrator builds the database with all but the last migration
    journal_path.write_text(json.dumps({**journal, "entries": journal["entries"][:-1]}))
    db = pg.create_database("drizzle_e2e")
    _migrate(drizzle_migrate, pg, db, work)
    assert _rows(pg, db) == applied
    journal_path.write_text(json.dumps(journal))

    # 2. the damage
    table = "drizzle.__drizzle_migrations"
    gap = applied[len(applied) // 2]
    if damage == "wipe":
        pg.psql(db, f"DELETE FROM {table};")
        missing, phantom = applied, []
    elif damage == "gap":
        pg.psql(db, f"DELETE FROM {table} WHERE created_at = {gap};")
        missing, phantom = [gap], []
    else:  # a row for the pending migration: the migrator would skip it for ever
        pg.psql(db, f"INSERT INTO {table} (hash, created_at) VALUES ('phantom', {pending});")
        missing, phantom = [], [pending]

    # 3. infer names exactly that
    base = ["--migrations", str(work), "--dsn", pg.dsn(db)]
    infer = _cli("infer", *base, "--format", "json")
    assert infer.returncode == 1, infer.stderr
    doc = json.loads(infer.stdout)
    assert doc["tool"] == "drizzle"
    assert doc["missing_from_history"] == [str(v) for v in missing]
    assert doc["recorded_not_applied"] == [str(v) for v in phantom]
    assert [m["version"] for m in doc["migrations"] if m["status"] != "applied"] == [str(pending)]
    assert doc["drift"] == [] and doc["recorded_not_in_code"] == []

    # 4. sync, run twice (idempotent)
    out = tmp_path / "sync.sql"
    sync = _cli("sync", *base, "--out", str(out), *(["--prune"] if phantom else []))
    assert sync.returncode == 0, sync.stderr
    assert "skip" not in sync.stderr, sync.stderr  # no migration left for the migrator to skip
    for _ in range(2):
        pg.psql(db, out, single_transaction=False)
    assert sorted(_rows(pg, db)) == applied

    # 5. the migrator applies exactly the pending migration; check passes
    _migrate(drizzle_migrate, pg, db, work)
    rows = _rows(pg, db)
    assert sorted(rows) == whens and rows[-1] == pending, "the migrator re-ran or skipped one"
    check = _cli("check", *base)
    assert check.returncode == 0, check.stdout + check.stderr


def test_drizzle_backfill_that_skips_a_pending_migration_is_named(pg: PgServer,
                                                                   drizzle_migrate: Path,
                                                                   tmp_path: Path) -> None:
    """Migration 3 applied by hand past a pending migration 2: recording 3 makes drizzle skip 2
    for ever, and the sync says so."""
    work = tmp_path / "migrations"
    shutil.copytree(FIXTURE, work)
    journal = json.loads((work / "meta" / "_journal.json").read_text())
    tags = [e["tag"] for e in journal["entries"]]
    db = pg.create_database("drizzle_skip")
    for tag in tags[:2] + tags[3:]:  # 0002 never ran; 0003 does not need it
        pg.psql(db, (work / f"{tag}.sql").read_text().replace("--> statement-breakpoint", ""))
    out = tmp_path / "sync.sql"
    sync = _cli("sync", "--migrations", str(work), "--dsn", pg.dsn(db), "--out", str(out))
    assert sync.returncode == 0, sync.stderr
    assert "skip pending migration(s) 0002_late_nova for ever" in sync.stderr, sync.stderr


def test_laminar_replays_to_zero_differences(pg: PgServer, drizzle_migrate: Path,
                                             tmp_path: Path) -> None:
    """The real laminar history: 0 differences and 0 unmodeled statements against its pg_dump
    and against a database drizzle's migrator built."""
    if not LAMINAR.is_dir():
        pytest.skip(f"{LAMINAR} is absent")
    migrations = LAMINAR / "migrations"
    dump = _cli("diff", "--migrations", str(migrations), "--schema-file",
                str(LAMINAR / "expected_schema.sql"), "--format", "json")
    assert dump.returncode == 0, dump.stdout + dump.stderr
    assert json.loads(dump.stdout)["summary"]["unmodeled"] == 0
    db = pg.create_database("laminar")
    _migrate(drizzle_migrate, pg, db, migrations)
    assert len(_rows(pg, db)) == 99
    live = _cli("diff", "--migrations", str(migrations), "--dsn", pg.dsn(db), "--format", "json")
    assert live.returncode == 0, live.stdout + live.stderr
    assert json.loads(live.stdout)["summary"] == {
        "differences": 0, "missing": 0, "extra": 0, "changed": 0, "renamed": 0,
        "unmodeled": 0}


def test_drizzle_config_moves_the_history_table(pg: PgServer, drizzle_migrate: Path,
                                                tmp_path: Path) -> None:
    """drizzle.config.ts's ``migrations: { table, schema }``, which the project's migrator is
    given too: the table is read (every migration recorded), not drift, and synced into."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "drizzle.config.ts").write_text(
        'import { defineConfig } from "drizzle-kit";\nexport default defineConfig({\n'
        '  dialect: "postgresql",\n  out: "./migrations",\n'
        '  migrations: { table: "journal", schema: "ops" },\n});\n')
    work = tmp_path / "migrations"
    shutil.copytree(FIXTURE, work)
    db = pg.create_database("drizzle_config")
    _migrate(drizzle_migrate, pg, db, work, "journal", "ops")
    base = ["--migrations", str(work), "--dsn", pg.dsn(db)]
    infer = _cli("infer", *base, "--format", "json")
    assert infer.returncode == 0, infer.stdout + infer.stderr
    doc = json.loads(infer.stdout)
    assert doc["drift"] == [] and doc["missing_from_history"] == []
    assert all(m["recorded"] for m in doc["migrations"])
    pg.psql(db, "DELETE FROM ops.journal;")
    out = tmp_path / "sync.sql"
    sync = _cli("sync", *base, "--out", str(out))
    assert sync.returncode == 0, sync.stderr
    assert "INSERT INTO ops.journal" in out.read_text()
    pg.psql(db, out, single_transaction=False)
    check = _cli("check", *base)
    assert check.returncode == 0, check.stdout + check.stderr
