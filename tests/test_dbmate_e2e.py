"""End to end with the real dbmate binary (``npm install dbmate``).

A real history is applied in part with dbmate, history rows are deleted (the incident), and
``dbmate up`` fails with "already exists"; the generated sync script, run with psql, repairs
the history; ``dbmate up`` then applies only the genuinely pending migration, and a second
sync changes nothing.

The binary comes from the npm registry once per test session (a session temporary
directory). The test skips only when npm itself is not installed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbmate_binary import install_dbmate, run_dbmate
from pg import PgServer
from schemadiff.repair import render_sync
from schemadiff.sources.history import read_history
from schemadiff.tools import TOOLS

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tools" / "dbmate"
FILES = sorted(p.name for p in FIXTURE.glob("*.sql"))


@pytest.fixture(scope="session")
def dbmate_bin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The dbmate binary, installed from npm into a session temporary directory."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: cannot fetch the dbmate binary (npm install dbmate)")
    yield install_dbmate(tmp_path_factory.mktemp("dbmate-npm"))


def _versions(pg: PgServer, db: str) -> list[str]:
    with pg.connect_db(db) as conn:
        return [r[0] for r in conn.execute(
            "SELECT version FROM schema_migrations ORDER BY version").fetchall()]


def test_dbmate_up_fails_then_sync_repairs_it(
        pg: PgServer, dbmate_bin: Path, tmp_path: Path) -> None:
    assert len(FILES) == 4, "fixtures/tools/dbmate changed"
    migrations_dir = tmp_path / "db" / "migrations"
    migrations_dir.mkdir(parents=True)
    for name in FILES[:3]:
        shutil.copy(FIXTURE / name, migrations_dir / name)
    db = pg.create_database("dbmate_e2e")
    url = pg.dsn(db)

    # 1. dbmate applies part of the history
    up = run_dbmate(dbmate_bin, url, migrations_dir, "up")
    assert up.returncode == 0, up.stderr
    versions = [name.split("_", 1)[0] for name in FILES]
    assert _versions(pg, db) == versions[:3]

    # 2. the history loses two rows; a fourth migration arrives; dbmate up fails
    pg.psql(db, f"DELETE FROM schema_migrations WHERE version IN ('{versions[1]}', "
            f"'{versions[2]}');")
    shutil.copy(FIXTURE / FILES[3], migrations_dir / FILES[3])
    failed = run_dbmate(dbmate_bin, url, migrations_dir, "up")
    assert failed.returncode != 0
    assert "already exists" in failed.stdout + failed.stderr
    assert _versions(pg, db) == versions[:1]

    # 3. the sync script, run with psql
    migrations = TOOLS["dbmate"].list_migrations(migrations_dir)
    with pg.connect_db(db) as conn:
        recorded = read_history(conn, "dbmate", migrations)
    assert list(recorded.applied) == versions[:1]
    missing = [m for m in migrations if m.version in versions[1:3]]
    script = render_sync("dbmate", missing, recorded, migrations=migrations,
                         origin="test: versions 2 and 3 applied, rows deleted")
    assert script.commands == ("dbmate up",) and script.warnings == ()
    sync_file = tmp_path / "sync.sql"
    sync_file.write_text(script.text, encoding="utf-8")
    pg.psql(db, sync_file, single_transaction=False)
    assert _versions(pg, db) == versions[:3]

    # 4. dbmate up now applies only the genuinely pending migration
    up = run_dbmate(dbmate_bin, url, migrations_dir, "up")
    assert up.returncode == 0, up.stdout + up.stderr
    assert FILES[3] in up.stdout and FILES[1] not in up.stdout
    assert _versions(pg, db) == versions
    status = run_dbmate(dbmate_bin, url, migrations_dir, "status")
    assert status.returncode == 0 and "Pending: 0" in status.stdout, status.stdout

    # 5. a second sync is a no-op: the same script again, and a fresh one from the new history
    pg.psql(db, sync_file, single_transaction=False)
    with pg.connect_db(db) as conn:
        after = read_history(conn, "dbmate", migrations)
    assert list(after.applied) == versions
    fresh = render_sync("dbmate", [m for m in migrations if m.version not in after.applied],
                        after, migrations=migrations)
    assert fresh.inserted == () and fresh.commands == ()
    pg.psql(db, fresh.text, single_transaction=False)
    assert _versions(pg, db) == versions
    again = run_dbmate(dbmate_bin, url, migrations_dir, "up")
    assert again.returncode == 0 and _versions(pg, db) == versions
