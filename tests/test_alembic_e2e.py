"""End to end with real Alembic (from PyPI, the ``test`` extra) on a real public history.

``fixtures/tools/alembic`` holds microblog's nine revisions. Alembic builds the database;
its history is damaged (wiped, a phantom head, a head behind the schema); ``infer`` must name
exactly the applied revisions; the ``sync`` script, run with psql, repairs alembic_version;
``alembic upgrade heads`` then runs exactly the pending revisions and ``check`` exits 0. The
``alembic stamp`` command that sync names does the same to the table as the script. A schema
that skipped a revision (a gap alembic_version cannot express) makes sync refuse, naming it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from psycopg.conninfo import conninfo_to_dict

from pg import PgServer

pytest.importorskip("alembic")

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tools" / "alembic"
INI = FIXTURE / "alembic.ini"
REVS = ["e517276bb1c2", "780739b227a7", "37f06a334dbf", "ae346256b650", "2b017edaa91f",
        "d049de007ccf", "f7ac3d27bb1d", "c81bac34faab", "834b1a697901"]
TOOL = ["--migrations", str(FIXTURE), "--alembic-ini", str(INI)]


def sqlalchemy_url(pg: PgServer, dbname: str) -> str:
    """The database as a SQLAlchemy URL (psycopg 3 driver), TCP or a unix socket."""
    info = conninfo_to_dict(pg.dsn(dbname))
    user = quote(str(info.get("user") or "postgres"), safe="")
    password = info.get("password")
    auth = user + (":" + quote(str(password), safe="") if password else "")
    host = str(info.get("host") or "localhost")
    port = str(info.get("port") or "5432")
    if host.startswith("/"):
        return f"postgresql+psycopg://{auth}@/{dbname}?{urlencode({'host': host, 'port': port})}"
    return f"postgresql+psycopg://{auth}@{host}:{port}/{dbname}"


def alembic(pg: PgServer, db: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``alembic -c fixtures/tools/alembic/alembic.ini ARGS`` against ``db``."""
    env = dict(os.environ, SCHEMADIFF_ALEMBIC_URL=sqlalchemy_url(pg, db))
    proc = subprocess.run([sys.executable, "-m", "alembic", "-c", str(INI), *args],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def upgraded(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The revisions an ``alembic upgrade`` ran, from its log."""
    return re.findall(r"Running upgrade .*? -> (\w+)", proc.stderr)


def schemadiff(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], capture_output=True,
                          text=True, env=env, timeout=300, check=False)


def heads(pg: PgServer, db: str) -> set[str]:
    with pg.connect_db(db) as conn:
        return {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}


def test_real_history_replays_to_zero_differences(pg: PgServer) -> None:
    db = pg.create_database("alembic_real")
    assert upgraded(alembic(pg, db, "upgrade", "heads")) == REVS
    diff = schemadiff("diff", *TOOL, "--dsn", pg.dsn(db))
    assert diff.returncode == 0, diff.stdout + diff.stderr
    check = schemadiff("check", *TOOL, "--dsn", pg.dsn(db))
    assert check.returncode == 0, check.stdout + check.stderr


# damage -> (SQL on alembic_version, recorded-but-not-applied, needs --prune)
DAMAGE = {
    "wipe": ("DELETE FROM alembic_version", [], False),
    "phantom": (f"UPDATE alembic_version SET version_num = '{REVS[7]}'", REVS[6:8], True),
    "behind": (f"UPDATE alembic_version SET version_num = '{REVS[2]}'", [], False),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_history_is_inferred_and_repaired(pg: PgServer, damage: str) -> None:
    sql, phantom, prune = DAMAGE[damage]
    applied = REVS[:6]
    db = pg.create_database(f"alembic_{damage}")
    assert upgraded(alembic(pg, db, "upgrade", REVS[5])) == applied
    pg.psql(db, sql + ";")

    infer = schemadiff("infer", *TOOL, "--dsn", pg.dsn(db), "--format", "json")
    assert infer.returncode == 1, infer.stderr
    doc = json.loads(infer.stdout)
    status = {m["version"]: m["status"] for m in doc["migrations"]}
    assert [v for v in REVS if status[v] == "applied"] == applied
    recorded = set(doc["history"]["versions"])
    assert doc["missing_from_history"] == [v for v in applied if v not in recorded]
    assert doc["recorded_not_applied"] == phantom
    assert doc["drift"] == [] and doc["recorded_not_in_code"] == []

    copy = pg.create_database(f"alembic_{damage}_stamp", template=db)
    sync = schemadiff("sync", *TOOL, "--dsn", pg.dsn(db), *(["--prune"] if prune else []))
    assert sync.returncode == 0, sync.stderr
    assert "UPDATE alembic_version SET version_num='d049de007ccf'" in sync.stdout or \
        damage == "wipe"
    pg.psql(db, sync.stdout, single_transaction=False)
    assert heads(pg, db) == {REVS[5]}
    pg.psql(db, sync.stdout, single_transaction=False)  # idempotent
    assert heads(pg, db) == {REVS[5]}

    # the alembic stamp command sync names does the same to the table
    stamp = re.search(r"with the tool itself: alembic (stamp [^\n;]+)", sync.stderr)
    assert stamp is not None, sync.stderr
    alembic(pg, copy, *stamp.group(1).split())
    assert heads(pg, copy) == heads(pg, db)

    assert upgraded(alembic(pg, db, "upgrade", "heads")) == REVS[6:]
    check = schemadiff("check", *TOOL, "--dsn", pg.dsn(db))
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_skipped_revision_is_a_gap_sync_refuses(pg: PgServer, tmp_path: Path) -> None:
    from schemadiff.tools import ToolOptions, read_migrations

    db = pg.create_database("alembic_gap")
    alembic(pg, db, "upgrade", REVS[4])
    _, migrations = read_migrations(FIXTURE, "alembic", ToolOptions(config=str(INI)))
    notifications = next(m for m in migrations if m.version == REVS[6])
    body = "\n".join(line for line in notifications.sql.splitlines()
                     if "alembic_version" not in line)
    pg.psql(db, body)  # revision 7 by hand, revision 6 never run

    infer = schemadiff("infer", *TOOL, "--dsn", pg.dsn(db), "--format", "json")
    doc = json.loads(infer.stdout)
    status = {m["version"]: m["status"] for m in doc["migrations"]}
    assert [v for v in REVS if status[v] == "applied"] == [*REVS[:5], REVS[6]]
    sync = schemadiff("sync", *TOOL, "--dsn", pg.dsn(db))
    assert sync.returncode == 2 and sync.stdout == ""
    assert sync.stderr.strip().splitlines() == [
        f"schemadiff: error: revision {REVS[6]} is applied but {REVS[5]}, which it needs, is "
        "not: alembic_version records heads only and cannot express this gap; apply "
        f"{REVS[5]}'s changes (or revert {REVS[6]}'s) first, then sync again"]
