"""The seed incident repaired end to end: infer -> sync -> psql -> check (issue 5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pg import PgServer
from schemadiff.tools import read_migrations

INCIDENT = Path(__file__).resolve().parents[1] / "fixtures" / "incident_goose"
GOOSE_TABLE = """
CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL,
                               is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
INSERT INTO goose_db_version (version_id, is_applied)
VALUES (0, true), (20251220000000, true), (20251221000000, true);
"""


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args], capture_output=True, text=True, timeout=300
    )


def _full_dump(pg: PgServer, db: str, path: Path) -> Path:
    proc = subprocess.run(
        [str(pg.pg_dump_bin), "--no-owner", "--no-privileges", "-d", pg.dsn(db)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    path.write_text(proc.stdout)
    return path


def test_seed_incident_repaired(pg: PgServer, tmp_path: Path) -> None:
    _, migrations = read_migrations(INCIDENT, "goose")
    db = pg.create_database("incident")
    for m in migrations[:27]:
        pg.psql(db, m.sql, single_transaction=m.in_transaction, what=m.path)
    pg.psql(db, GOOSE_TABLE)
    base = ["--migrations", str(INCIDENT), "--tool", "goose"]

    dump = _full_dump(pg, db, tmp_path / "before.sql")
    infer = _cli("infer", *base, "--schema-file", str(dump), "--format", "json")
    assert infer.returncode == 1, infer.stderr
    doc = json.loads(infer.stdout)
    assert doc["missing_from_history"] == [m.version for m in migrations[2:27]]
    assert [m["version"] for m in doc["migrations"] if m["status"] == "pending"] == [
        m.version for m in migrations[27:]
    ]

    (tmp_path / "infer.json").write_text(infer.stdout)
    sync = _cli(
        "sync",
        *base,
        "--from-json",
        str(tmp_path / "infer.json"),
        "--out",
        str(tmp_path / "sync.sql"),
    )
    assert sync.returncode == 0, sync.stderr
    for _ in range(2):  # idempotent: running it twice equals once
        pg.psql(db, tmp_path / "sync.sql", single_transaction=False)
    with pg.connect_db(db) as conn:
        rows = conn.execute(
            "SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY version_id"
        ).fetchall()
    assert [str(r[0]) for r in rows] == [m.version for m in migrations[:27]]

    after = _full_dump(pg, db, tmp_path / "after.sql")
    check = _cli("check", *base, "--schema-file", str(after))
    assert check.returncode == 0, check.stdout + check.stderr
    again = _cli("sync", *base, "--schema-file", str(after))
    assert again.returncode == 0
    assert "nothing to sync" in again.stderr


def test_partial_migration_stops_the_sync(tmp_path: Path) -> None:
    saved = {
        "tool": "goose",
        "history": {"source": "file", "table_exists": True, "versions": ["20251220000000"]},
        "migrations": [
            {
                "version": "20251221000000",
                "status": "partial",
                "statements": {"present": [3], "absent": [9]},
            }
        ],
        "missing_from_history": [],
        "recorded_not_applied": [],
        "partial": ["20251221000000"],
    }
    path = tmp_path / "infer.json"
    path.write_text(json.dumps(saved))
    proc = _cli("sync", "--migrations", str(INCIDENT), "--tool", "goose", "--from-json", str(path))
    assert proc.returncode == 1
    assert "partially applied migration(s) 20251221000000" in proc.stderr
    proc = _cli(
        "sync",
        "--migrations",
        str(INCIDENT),
        "--tool",
        "goose",
        "--from-json",
        str(path),
        "--complete-partial",
    )
    assert proc.returncode == 0, proc.stderr
    assert "Partial migration 20251221000000" in proc.stdout
