"""End to end with the real Liquibase CLI (npm ``liquibase`` bundles Liquibase 4.28; Java 17).

Two changelogs: ``fixtures/tools/liquibase`` (written for the tests) and the real published one
in ``fixtures/liquibase_extrack`` (its MANIFEST says where from). Liquibase builds the whole
real history and ``diff`` finds 0 differences (and CRLF or lone CR line ends, in formatted and
plain files, replay as Liquibase sends them). For each changelog, ``liquibase update-count``
builds the database with every changeset but the last; the history is damaged (wiped, a gap,
a phantom row for the pending changeset); ``infer`` must name exactly what is missing or
phantom; ``sync`` writes the rows ``changelog-sync`` would write (checked against rows Liquibase
wrote itself); ``liquibase update`` then runs exactly the pending changeset, ``liquibase
status`` reports nothing pending and ``check`` exits 0. Runs on each server the suite runs on
(a loopback relay reaches a socket-only server over TCP).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pg import PgServer
from real_tools import LIQUIBASE_PACKAGES, npm_prefix, tcp_address
from schemadiff.tools import read_migrations

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "tools" / "liquibase"
EXTRACK = ROOT / "fixtures" / "liquibase_extrack"
# name -> (directory, root changelog, data-only changesets)
CHANGELOGS: dict[str, tuple[Path, str, tuple[str, ...]]] = {
    "fixture": (FIXTURE, "db.changelog-master.yaml", ()),
    "extrack": (EXTRACK, "db-changelog.yaml", (
        "001_public/001_tables/001_roles/fill/001_fill_admin_user.sql::1::agalimianov",
        "001_public/001_tables/009_operation_types/fill/001_common_types.sql::1::agalimianov")),
}
MASTER = CHANGELOGS["fixture"][1]


@pytest.fixture(scope="session")
def liquibase_cli() -> Path:
    """The ``liquibase`` launcher script shipped inside the npm package."""
    if shutil.which("java") is None:
        pytest.skip("java is not installed: the Liquibase CLI needs it")
    prefix = npm_prefix(LIQUIBASE_PACKAGES)
    script = prefix / "node_modules" / "liquibase" / "dist" / "liquibase" / "liquibase"
    assert script.is_file(), f"the npm liquibase package has no CLI at {script}"
    return script


def _liquibase(cli: Path, url: str, user: str, workdir: Path, *args: str,
               master: str = MASTER) -> str:
    proc = subprocess.run(
        ["sh", str(cli), f"--url={url}", f"--username={user}", f"--changelog-file={master}",
         "--show-banner=false", *args],
        cwd=workdir, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"liquibase {args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], capture_output=True,
                          text=True, timeout=600, check=False)


def _rows(pg: PgServer, db: str) -> list[tuple[str, ...]]:
    with pg.connect_db(db) as conn:
        return [tuple("" if v is None else str(v) for v in r) for r in conn.execute(
            "SELECT filename || '::' || id || '::' || author, md5sum, exectype, description, "
            "comments, contexts, labels FROM databasechangelog ORDER BY orderexecuted"
        ).fetchall()]


def test_real_history_replays_to_zero_differences(pg: PgServer, liquibase_cli: Path) -> None:
    """ExTrack's published changelog, built by Liquibase itself: the replay explains the whole
    schema (CRLF function bodies included) and every MD5SUM Liquibase wrote is ours."""
    source, master, _ = CHANGELOGS["extrack"]
    _, migrations = read_migrations(source, "liquibase")
    db = pg.create_database("liquibase_extrack")
    with tcp_address(pg.dsn(db)) as (host, port, user):
        url = f"jdbc:postgresql://{host}:{port}/{db}"
        _liquibase(liquibase_cli, url, user, source, "update", master=master)
    rows = _rows(pg, db)
    assert [r[0] for r in rows] == [m.version for m in migrations] and len(rows) == 28
    assert [r[1] for r in rows] == [m.checksum for m in migrations]
    base = ["--migrations", str(source), "--dsn", pg.dsn(db)]
    diff = _cli("diff", *base, "--format", "json")
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert json.loads(diff.stdout)["summary"] == {
        "differences": 0, "missing": 0, "extra": 0, "changed": 0, "renamed": 0,
        "unmodeled": 0}
    check = _cli("check", *base)
    assert check.returncode == 0, check.stdout + check.stderr


def test_line_ends_replay_as_liquibase_sends_them(pg: PgServer, liquibase_cli: Path,
                                                  tmp_path: Path) -> None:
    """CRLF and a lone CR inside function bodies, in a formatted file (lines joined with LF)
    and in a plain one (every CR dropped): what Liquibase builds is what the replay builds."""
    work = tmp_path / "changelog"
    (work / "later").mkdir(parents=True)
    (work / "master.yaml").write_text("databaseChangeLog:\n  - include:\n      file: f.sql\n"
                                      "  - includeAll:\n      path: later/\n")
    body = b"AS $$SELECT 'a\rb' || 'c\r\nd'$$ LANGUAGE sql;\r\n"
    (work / "f.sql").write_bytes(b"--liquibase formatted sql\r\n--changeset x:1\r\n"
                                 b"CREATE FUNCTION f() RETURNS text " + body)
    (work / "later" / "g.sql").write_bytes(b"CREATE FUNCTION g() RETURNS text " + body)
    db = pg.create_database("liquibase_eol")
    with tcp_address(pg.dsn(db)) as (host, port, user):
        _liquibase(liquibase_cli, f"jdbc:postgresql://{host}:{port}/{db}", user, work, "update",
                   master="master.yaml")
    with pg.connect_db(db) as conn:
        assert dict(conn.execute("SELECT proname, prosrc FROM pg_proc WHERE proname IN "
                                 "('f', 'g')").fetchall()) == {
            "f": "SELECT 'a\nb' || 'c\nd'", "g": "SELECT 'ab' || 'c\nd'"}
    diff = _cli("diff", "--migrations", str(work), "--dsn", pg.dsn(db), "--format", "json")
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert json.loads(diff.stdout)["summary"]["differences"] == 0


@pytest.mark.parametrize("damage", ["wipe", "gap", "phantom"])
@pytest.mark.parametrize("changelog", sorted(CHANGELOGS))
def test_liquibase_history_repaired(pg: PgServer, liquibase_cli: Path, tmp_path: Path,
                                    changelog: str, damage: str) -> None:
    source, master, data_only = CHANGELOGS[changelog]
    work = tmp_path / "changelog"
    shutil.copytree(source, work)
    _, migrations = read_migrations(work, "liquibase")
    versions = [m.version for m in migrations]
    applied, pending = versions[:-1], versions[-1]
    db = pg.create_database("liquibase_e2e")
    with tcp_address(pg.dsn(db)) as (host, port, user):
        url = f"jdbc:postgresql://{host}:{port}/{db}"

        # 1. Liquibase builds all but the last changeset; its rows are our reference
        _liquibase(liquibase_cli, url, user, work, "update-count", f"--count={len(applied)}",
                   master=master)
        written = _rows(pg, db)
        assert [r[0] for r in written] == applied
        assert [r[1] for r in written] == [m.checksum for m in migrations[:-1]]

        # 2. the damage
        # a data-only changeset (INSERT) leaves no schema evidence: a lost row for it is
        # "unverified", recorded only with --assume-applied
        unverified: list[str] = []
        if damage == "wipe":
            pg.psql(db, "DELETE FROM databasechangelog;")
            missing = [v for v in applied if v not in data_only]
            unverified, phantom = [v for v in applied if v in data_only], []
        elif damage == "gap":  # (id, author) repeats across files: the filename is needed too
            gap = migrations[len(applied) // 2]
            assert gap.version not in data_only
            pg.psql(db, f"DELETE FROM databasechangelog WHERE id = '{gap.extra['id']}' "
                        f"AND author = '{gap.extra['author']}' "
                        f"AND filename = '{gap.extra['filename']}';")
            missing, phantom = [gap.version], []
        else:  # a row for the pending changeset: Liquibase would never run it
            last = migrations[-1]
            pg.psql(db, "INSERT INTO databasechangelog (id, author, filename, dateexecuted, "
                        "orderexecuted, exectype) VALUES "
                        f"('{last.extra['id']}', '{last.extra['author']}', "
                        f"'{last.extra['filename']}', now(), 99, 'EXECUTED');")
            missing, phantom = [], [pending]

        # 3. infer names exactly that
        base = ["--migrations", str(work), "--dsn", pg.dsn(db)]
        infer = _cli("infer", *base, "--format", "json")
        assert infer.returncode == 1, infer.stderr
        doc = json.loads(infer.stdout)
        assert doc["tool"] == "liquibase"
        assert doc["missing_from_history"] == missing
        assert doc["unverified"] == unverified
        assert doc["recorded_not_applied"] == phantom
        assert [m["version"] for m in doc["migrations"] if m["status"] != "applied"] == [pending]
        assert doc["drift"] == [] and doc["checksum_mismatch"] == []

        # 4. sync, twice (idempotent): the rows Liquibase itself wrote
        out = tmp_path / "sync.sql"
        sync = _cli("sync", *base, "--out", str(out), *(["--prune"] if phantom else []),
                    *(["--assume-applied", "unobservable"] if unverified else []))
        assert sync.returncode == 0, sync.stderr
        for _ in range(2):
            pg.psql(db, out, single_transaction=False)
        assert sorted(_rows(pg, db)) == sorted(written)

        # 5. Liquibase runs exactly the pending changeset; nothing is left; check passes
        update = _liquibase(liquibase_cli, url, user, work, "update", master=master)
        assert "Rows affected: 1" in update or "Run:                          1" in update, update
        rows = _rows(pg, db)
        assert [r[0] for r in rows][-1] == pending and sorted(r[0] for r in rows) == sorted(
            versions)
        status = _liquibase(liquibase_cli, url, user, work, "status", master=master)
        assert "is up to date" in status, status
        check = _cli("check", *base)
        assert check.returncode == 0, check.stdout + check.stderr


def test_sync_refuses_while_liquibase_holds_its_lock(pg: PgServer, liquibase_cli: Path,
                                                     tmp_path: Path) -> None:
    work = tmp_path / "changelog"
    shutil.copytree(FIXTURE, work)
    db = pg.create_database("liquibase_lock")
    with tcp_address(pg.dsn(db)) as (host, port, user):
        url = f"jdbc:postgresql://{host}:{port}/{db}"
        _liquibase(liquibase_cli, url, user, work, "update")
    pg.psql(db, "DELETE FROM databasechangelog; UPDATE databasechangeloglock SET locked = true, "
                "lockgranted = now(), lockedby = 'deploy-7 (10.0.0.7)';")
    out = tmp_path / "sync.sql"
    sync = _cli("sync", "--migrations", str(work), "--dsn", pg.dsn(db), "--out", str(out))
    assert sync.returncode == 0, sync.stderr
    proc = subprocess.run([str(pg.psql_bin), "-v", "ON_ERROR_STOP=1", "-X", "-q", "-d",
                           pg.dsn(db), "-f", str(out)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode != 0 and "Liquibase holds its lock (locked by deploy-7" in proc.stderr
    with pg.connect_db(db) as conn:
        assert conn.execute("SELECT count(*) FROM databasechangelog").fetchone() == (0,)


def test_default_schema_as_liquibase_uses_it(pg: PgServer, liquibase_cli: Path,
                                             tmp_path: Path) -> None:
    """``defaultSchemaName=app`` in liquibase.properties: Liquibase keeps databasechangelog in
    ``app`` and runs the changesets with ``app`` first in the search_path. Read the same way:
    no difference, every changeset recorded; with the rows gone, ``sync`` writes them into
    ``app.databasechangelog`` and ``check`` passes."""
    work = tmp_path / "changelog"
    work.mkdir()
    (work / "liquibase.properties").write_text("changeLogFile=master.sql\n"
                                              "defaultSchemaName=app\n")
    (work / "master.sql").write_text(
        "--liquibase formatted sql\n--changeset ann:1\nCREATE TABLE users (id int PRIMARY KEY);\n"
        "--changeset ann:2\nCREATE TABLE orders (id int, user_id int REFERENCES users);\n"
        "CREATE INDEX orders_user ON orders (user_id);\n")
    db = pg.create_database("liquibase_schema")
    pg.psql(db, "CREATE SCHEMA app;")
    with tcp_address(pg.dsn(db)) as (host, port, user):
        _liquibase(liquibase_cli, f"jdbc:postgresql://{host}:{port}/{db}", user, work, "update",
                   "--default-schema-name=app", master="master.sql")
    with pg.connect_db(db) as conn:
        assert conn.execute("SELECT to_regclass('app.orders') IS NOT NULL, "
                            "to_regclass('app.databasechangelog') IS NOT NULL").fetchone() == (
            True, True)
    base = ["--migrations", str(work), "--dsn", pg.dsn(db)]
    infer = _cli("infer", *base, "--format", "json")
    assert infer.returncode == 0, infer.stdout + infer.stderr
    doc = json.loads(infer.stdout)
    assert doc["drift"] == [] and doc["missing_from_history"] == []
    assert [m["recorded"] for m in doc["migrations"]] == [True, True]
    pg.psql(db, "DELETE FROM app.databasechangelog;")
    out = tmp_path / "sync.sql"
    sync = _cli("sync", *base, "--out", str(out))
    assert sync.returncode == 0, sync.stderr
    assert "INSERT INTO app.databasechangelog" in out.read_text()
    pg.psql(db, out, single_transaction=False)
    check = _cli("check", *base)
    assert check.returncode == 0, check.stdout + check.stderr
