"""The history tables' own edge cases, per tool, against a real server.

Each case builds a database with real SQL, writes the tool's history rows exactly as the tool
writes them (a failed attempt, a baseline), and checks what ``infer`` and ``sync`` say: a
wrong "applied" makes the tool skip a migration for ever, a wrong "not applied" makes it run
one again, and a row left in place that stops the tool is no repair.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from flyway_emulation import flyway_migrate
from goose_emulation import GooseError, goose_db_version, goose_up
from pg import PgServer
from schemadiff import api
from schemadiff.contract import infer_document
from sqlx_emulation import SqlxError, sqlx_migrate_run
from test_sync import FLYWAY, GOLANG, GOOSE, PRISMA, SQLX, flyway_checksum, sqlx_checksum

SQLX_FILES = {
    "20240101000000_a.sql": b"CREATE TABLE a (id int);\n",
    "20240102000000_b.sql": b"CREATE TABLE b (id int);\n",
}
FLYWAY_FILES = {
    "V1__a.sql": b"CREATE TABLE a (id int);\n",
    "V2__b.sql": b"CREATE TABLE b (id int);\n",
    "V3__c.sql": b"CREATE TABLE c (id int);\n",
}
PRISMA_FILES = {
    "20240101000000_a/migration.sql": b"CREATE TABLE a (id int);\n",
    "20240102000000_b/migration.sql": b"CREATE TABLE b (id int);\n",
}


def _flyway_row(rank: int, version: str | None, description: str, kind: str, script: str,
                checksum: int | None, success: bool) -> str:
    return ("INSERT INTO flyway_schema_history (installed_rank, version, description, type, "
            f"script, checksum, installed_by, execution_time, success) VALUES ({rank}, "
            f"{'NULL' if version is None else repr(version)}, '{description}', '{kind}', '{script}', "
            f"{'NULL' if checksum is None else checksum}, 'me', 0, {str(success).lower()});")


def _sqlx_rows() -> str:
    a, b = (sqlx_checksum(SQLX_FILES[n]) for n in sorted(SQLX_FILES))
    return ("INSERT INTO _sqlx_migrations (version, description, success, checksum, "
            f"execution_time) VALUES (20240101000000, 'a', true, decode('{a}', 'hex'), 3), "
            f"(20240102000000, 'b', false, decode('{b}', 'hex'), -1);")


def _flyway_failed_rows() -> str:
    ck = {n: flyway_checksum(d) for n, d in FLYWAY_FILES.items()}
    return (_flyway_row(1, "1", "a", "SQL", "V1__a.sql", ck["V1__a.sql"], True)
            + _flyway_row(2, "2", "b", "SQL", "V2__b.sql", ck["V2__b.sql"], True)
            + _flyway_row(3, "3", "c", "SQL", "V3__c.sql", ck["V3__c.sql"], False))


def _prisma_rows() -> str:
    a, b = (hashlib.sha256(PRISMA_FILES[n]).hexdigest() for n in sorted(PRISMA_FILES))
    return ("INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, "
            "rolled_back_at, started_at, applied_steps_count) VALUES "
            f"('1', '{a}', now(), '20240101000000_a', NULL, now() - interval '2 min', 1), "
            f"('2', '{b}', NULL, '20240102000000_b', NULL, now() - interval '1 min', 0);")


#: (tool, files, the schema built, the history rows, the failed version, what must be left)
FAILED = [
    ("sqlx", SQLX_FILES, "CREATE TABLE a (id int);", SQLX.ddl + _sqlx_rows(),
     "20240102000000", "SELECT count(*) FROM _sqlx_migrations WHERE NOT success"),
    ("flyway", FLYWAY_FILES, "CREATE TABLE a (id int); CREATE TABLE b (id int);",
     FLYWAY.ddl + _flyway_failed_rows(), "3",
     "SELECT count(*) FROM flyway_schema_history WHERE NOT success"),
    ("prisma", PRISMA_FILES, "CREATE TABLE a (id int);", PRISMA.ddl + _prisma_rows(),
     "20240102000000_b", "SELECT count(*) FROM _prisma_migrations "
     "WHERE finished_at IS NULL AND rolled_back_at IS NULL"),
]


def _build(pg: PgServer, tmp_path: Path, files: dict[str, bytes], sql: str) -> tuple[Path, str]:
    root = tmp_path / "migrations"
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    db = pg.create_database("i3_history_rows")
    pg.psql(db, sql)
    return root, db


@pytest.mark.parametrize(("tool", "files", "schema", "rows", "failed", "left"), FAILED,
                         ids=[c[0] for c in FAILED])
def test_failed_attempt_of_a_pending_migration_is_a_finding_and_pruned(
        pg: PgServer, tmp_path: Path, tool: str, files: dict[str, bytes], schema: str,
        rows: str, failed: str, left: str) -> None:
    """A failed attempt's row (sqlx ``success = false``, Flyway's failed row, Prisma's
    unfinished one) of a migration whose effects are absent: the tool refuses to run anything
    until that row goes. ``infer`` must not say all is well; ``sync --prune`` removes the row
    as the tool's own repair does, and the tool then runs the migration."""
    root, db = _build(pg, tmp_path, files, schema + rows)
    result = api.infer(root, tool=tool, dsn=pg.dsn(db), cache=False)
    verdict = next(v for v in result.verdicts if v.migration.version == failed)
    assert (str(verdict.status), verdict.proven) == ("pending", True)
    assert result.recorded_not_applied == [failed]
    assert result.has_findings
    kept = api.sync(root, tool=tool, dsn=pg.dsn(db), cache=False)
    assert kept.repair.script.pruned == ()
    assert any("failed or rolled-back attempt" in n and failed in n for n in kept.repair.notes)
    pruned = api.sync(root, tool=tool, dsn=pg.dsn(db), cache=False, prune=True)
    assert pruned.repair.script.pruned == (failed,)
    if tool == "sqlx":  # sqlx itself refuses the row, and runs the migration once it goes
        with (pg.connect_db(db, autocommit=True) as conn,
              pytest.raises(SqlxError, match="partially applied")):
            sqlx_migrate_run(conn, root)
    pg.psql(db, pruned.repair.text, single_transaction=False)
    with pg.connect_db(db, autocommit=True) as conn:
        assert conn.execute(left).fetchone() == (0,)
        if tool == "sqlx":
            assert sqlx_migrate_run(conn, root) == [failed]
        elif tool == "flyway":
            assert flyway_migrate(conn, root) == [failed]
    if tool == "prisma":
        again = api.infer(root, tool=tool, dsn=pg.dsn(db), cache=False)
        assert not again.has_findings and again.recorded_not_applied == []


def _flyway_baseline(version: str) -> str:
    return FLYWAY.ddl + _flyway_row(1, version, "<< Flyway Baseline >>", "BASELINE",
                                    "<< Flyway Baseline >>", None, True)


#: (the schema built under a BASELINE row at version 2, what the prune deletes, the notes'
#: versions left alone, the rows left, what Flyway then runs)
BASELINE = [
    # V1 ran, V2 did not: deleting the baseline row would make Flyway run V1 again
    ("v1-applied-v2-absent", "CREATE TABLE a (id int);", (), "2: its row is the baseline", 1,
     ["3"]),
    # V1 never ran: it has no row of its own, and the baseline row (V2 ran) stays
    ("v1-absent-v2-applied", "CREATE TABLE b (id int);", (), "1: it has no row of its own", 1,
     ["3"]),
    # neither ran: the baseline row goes, and Flyway runs both
    ("both-absent", "", ("1", "2"), None, 0, ["1", "2", "3"]),
]


@pytest.mark.parametrize(("schema", "pruned", "held", "rows", "runs"),
                         [c[1:] for c in BASELINE], ids=[c[0] for c in BASELINE])
def test_prune_under_a_flyway_baseline(pg: PgServer, tmp_path: Path, schema: str,
                                       pruned: tuple[str, ...], held: str | None,
                                       rows: int, runs: list[str]) -> None:
    """A BASELINE row at version 2 stands for version 1 too, which has no row of its own:
    deleting the row of 1 changes nothing (Flyway still never runs it), and deleting the
    baseline row while 1 is applied makes Flyway run 1 again on the live database."""
    root, db = _build(pg, tmp_path, FLYWAY_FILES, schema + _flyway_baseline("2"))
    saved = tmp_path / "infer.json"
    saved.write_text(json.dumps(infer_document(api.infer(root, tool="flyway", dsn=pg.dsn(db),
                                                         cache=False))))
    # from the database, and from a saved infer document (sync --from-json)
    for result in (api.sync(root, tool="flyway", dsn=pg.dsn(db), cache=False, prune=True),
                   api.sync(root, tool="flyway", from_json=saved, cache=False, prune=True)):
        assert result.repair.script.pruned == pruned
        if held is not None:
            assert any(n.startswith(f"not pruned: {held}") for n in result.repair.notes)
    pg.psql(db, result.repair.text, single_transaction=False)
    with pg.connect_db(db, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM flyway_schema_history").fetchone() == (rows,)
        # Flyway runs what is not applied above the baseline, never V1 again
        assert flyway_migrate(conn, root) == runs


GOOSE_FILES = {f"0000{i}_m{i}.sql": (f"-- +goose Up\nCREATE TABLE t{i} (id int);\n"
                                     f"-- +goose Down\nDROP TABLE t{i};\n").encode()
               for i in range(1, 4)}


@pytest.mark.parametrize("present", [False, True], ids=["absent", "present"])
def test_goose_row_rolled_back_by_an_older_goose(pg: PgServer, tmp_path: Path,
                                                 present: bool) -> None:
    """goose v2 recorded a ``down`` as a row with ``is_applied = false``; goose v3's ``up``
    counts every row whatever ``is_applied`` says, so it never runs version 3 again. With
    3's table absent, ``infer`` said 3 pending and nothing else (goose would skip it for
    ever); now the row is a finding and ``--prune`` deletes it, after which goose runs 3.
    With the table present, the row goose reads as applied is written."""
    schema = "CREATE TABLE t1 (id int); CREATE TABLE t2 (id int);"
    if present:
        schema += "CREATE TABLE t3 (id int);"
    root, db = _build(pg, tmp_path, GOOSE_FILES, schema + GOOSE.ddl + (
        "INSERT INTO goose_db_version (version_id, is_applied) VALUES "
        "(1, true), (2, true), (3, true), (3, false);"))
    with pg.connect_db(db, autocommit=True) as conn:
        before = goose_db_version(conn)
    result = api.infer(root, tool="goose", dsn=pg.dsn(db), cache=False)
    assert result.recorded_not_applied == ([] if present else ["3"])
    assert result.missing_from_history == (["3"] if present else [])
    synced = api.sync(root, tool="goose", dsn=pg.dsn(db), cache=False, prune=True)
    pg.psql(db, synced.repair.text, single_transaction=False)
    with pg.connect_db(db, autocommit=True) as conn:
        assert goose_up(conn, root) == ([] if present else [3])
        assert goose_db_version(conn)[:len(before) - (0 if present else 2)] == (
            before if present else before[:-2])
    assert not api.infer(root, tool="goose", dsn=pg.dsn(db), cache=False).has_findings


def test_golang_migrate_dirty_row_of_a_pending_migration(pg: PgServer, tmp_path: Path) -> None:
    """golang-migrate's one row, dirty at 3, whose transaction rolled back (3's table absent):
    golang-migrate refuses to run until forced. ``infer`` must say so (it exited 0), and the
    sync, which replaces the row by 2, must say the dirty row goes (it said "nothing to
    sync")."""
    root, db = _build(pg, tmp_path, GOLANG.files, "CREATE TABLE g1 (id int); "
                      "CREATE TABLE g2 (id int);" + GOLANG.ddl
                      + "INSERT INTO schema_migrations VALUES (3, true);")
    result = api.infer(root, tool="golang-migrate", dsn=pg.dsn(db), cache=False)
    assert result.recorded_not_applied == ["3"] and result.has_findings
    synced = api.sync(root, tool="golang-migrate", dsn=pg.dsn(db), cache=False)
    assert synced.repair.script.pruned == ("3",)
    assert not any("nothing to sync" in n or "not pruned" in n for n in synced.repair.notes)
    pg.psql(db, synced.repair.text, single_transaction=False)
    with pg.connect_db(db) as conn:
        assert conn.execute("SELECT version, dirty FROM schema_migrations").fetchall() == [
            (2, False)]


def test_flyway_repeatable_changed_since_it_ran_is_run_again_not_refused(
        pg: PgServer, tmp_path: Path) -> None:
    """A Flyway ``R__`` migration whose file changed since its row was written is no
    validation failure: Flyway runs it again on its next migrate. The sync said Flyway
    refuses to run until the checksums agree, and that recording the file's checksum would
    leave the old view for ever (``--repair-checksums`` does not touch repeatables)."""
    old = b"CREATE OR REPLACE VIEW v AS SELECT id FROM a;\n"
    files = {"V1__a.sql": b"CREATE TABLE a (id int, name text);\n",
             "R__v.sql": b"CREATE OR REPLACE VIEW v AS SELECT id, name FROM a;\n"}
    root, db = _build(pg, tmp_path, files, files["V1__a.sql"].decode() + old.decode()
                      + FLYWAY.ddl
                      + _flyway_row(1, "1", "a", "SQL", "V1__a.sql",
                                    flyway_checksum(files["V1__a.sql"]), True)
                      + _flyway_row(2, None, "v", "SQL", "R__v.sql", flyway_checksum(old), True))
    result = api.infer(root, tool="flyway", dsn=pg.dsn(db), cache=False)
    assert result.checksum_mismatch == ["R__v"]
    notes = api.sync(root, tool="flyway", dsn=pg.dsn(db), cache=False).repair.notes
    assert not any("refuses" in n or "for ever" in n for n in notes), notes
    assert any("R__v: repeatable, so the tool runs them again" in n for n in notes)


def test_flyway_history_in_its_own_schema_is_pointed_at(pg: PgServer, tmp_path: Path) -> None:
    """Flyway keeps ``flyway_schema_history`` in the first of its ``schemas`` (here ``app``),
    which the search path does not reach: schemadiff found no history, called version 1
    missing and would write ``public.flyway_schema_history``, which Flyway never reads,
    without a word (the table has more columns than a renamed history is looked for with).
    It is named now, and read with ``--history-table``."""
    files = {"V1__a.sql": b"CREATE TABLE app.a (id int);\n",
             "V2__b.sql": b"CREATE TABLE app.b (id int);\n"}
    ddl = FLYWAY.ddl.replace('"public"', '"app"')
    row = _flyway_row(1, "1", "a", "SQL", "V1__a.sql", flyway_checksum(files["V1__a.sql"]), True)
    row = row.replace("INTO flyway_schema_history", "INTO app.flyway_schema_history")
    root, db = _build(pg, tmp_path, files,
                      "CREATE SCHEMA app; CREATE TABLE app.a (id int);" + ddl + row)
    hint = "pass --history-table app.flyway_schema_history"
    synced = api.sync(root, tool="flyway", dsn=pg.dsn(db), cache=False)
    assert any(hint in n for n in synced.repair.notes), synced.repair.notes
    result = api.infer(root, tool="flyway", dsn=pg.dsn(db), cache=False,
                       history_table="app.flyway_schema_history")
    assert result.missing_from_history == [] and not result.has_findings


def test_goose_rolled_back_row_still_sets_gooses_highest_version(
        pg: PgServer, tmp_path: Path) -> None:
    """goose v3 takes its highest version over every row, ``is_applied`` or not: a row
    rolled back by goose v2 at 5 makes the pending 3 and 4 "missing" to ``goose up``. The
    sync kept that row (no ``--prune``) and said nothing of it."""
    files = {f"0000{i}_m{i}.sql": (f"-- +goose Up\nCREATE TABLE t{i} (id int);\n"
                                   f"-- +goose Down\nDROP TABLE t{i};\n").encode()
             for i in range(1, 6)}
    root, db = _build(pg, tmp_path, files, "CREATE TABLE t1 (id int); CREATE TABLE t2 (id int);"
                      + GOOSE.ddl + "INSERT INTO goose_db_version (version_id, is_applied) "
                      "VALUES (1, true), (2, true), (5, true), (5, false);")
    synced = api.sync(root, tool="goose", dsn=pg.dsn(db), cache=False)
    assert any("3, 4 lie below the new highest recorded version 5" in w
               for w in synced.repair.script.warnings)
    with pg.connect_db(db, autocommit=True) as conn, pytest.raises(GooseError, match="missing"):
        goose_up(conn, root)
    pruned = api.sync(root, tool="goose", dsn=pg.dsn(db), cache=False, prune=True)
    assert pruned.repair.script.warnings == ()
    pg.psql(db, pruned.repair.text, single_transaction=False)
    with pg.connect_db(db, autocommit=True) as conn:
        assert goose_up(conn, root) == [3, 4, 5]


def test_failed_attempt_outside_a_transaction_with_data_is_not_pruned(
        pg: PgServer, tmp_path: Path) -> None:
    """A sqlx ``-- no-transaction`` migration that inserts a row, then creates a table, failed
    (``success = false``); its table is absent. Its INSERT may have run before it stopped and
    leaves no schema trace: deleting the row would make sqlx run it again, inserting twice.
    Still a finding, but not proven: ``--prune`` leaves the row and says why."""
    files = {"20240101000000_a.sql": b"CREATE TABLE a (id int);\n",
             "20240102000000_b.sql": b"-- no-transaction\nINSERT INTO a VALUES (1);\n"
                                     b"CREATE TABLE b (id int);\n"}
    a, b = (sqlx_checksum(files[n]) for n in sorted(files))
    root, db = _build(pg, tmp_path, files, "CREATE TABLE a (id int); INSERT INTO a VALUES (1);"
                      + SQLX.ddl + "INSERT INTO _sqlx_migrations (version, description, "
                      f"success, checksum, execution_time) VALUES (20240101000000, 'a', true, "
                      f"decode('{a}', 'hex'), 3), (20240102000000, 'b', false, "
                      f"decode('{b}', 'hex'), -1);")
    result = api.infer(root, tool="sqlx", dsn=pg.dsn(db), cache=False)
    verdict = result.verdicts[1]
    assert (str(verdict.status), verdict.proven) == ("pending", False)
    assert result.recorded_not_applied == ["20240102000000"]
    synced = api.sync(root, tool="sqlx", dsn=pg.dsn(db), cache=False, prune=True)
    assert synced.repair.script.pruned == ()
    assert synced.repair.not_pruned == ["20240102000000"]


def test_failed_attempt_of_a_version_the_code_lacks_is_reported(
        pg: PgServer, tmp_path: Path) -> None:
    """golang-migrate dirty at 5, a version newer code ran and failed: golang-migrate refuses
    to run, and 5 may have run part way. ``infer`` listed nothing (the row is not an applied
    one, and the code has no 5) and exited 0."""
    files = {k: v for k, v in GOLANG.files.items() if k[:7] in ("000001_", "000002_")}
    root, db = _build(pg, tmp_path, files, "CREATE TABLE g1 (id int); CREATE TABLE g2 (id int);"
                      + GOLANG.ddl + "INSERT INTO schema_migrations VALUES (5, true);")
    result = api.infer(root, tool="golang-migrate", dsn=pg.dsn(db), cache=False)
    assert result.recorded_not_in_code == ["5"] and result.has_findings


SPELLED_FILES = {
    "V1__a.sql": b"CREATE TABLE a (id int);\n",
    "V1.1__b.sql": b"CREATE TABLE b (id int);\n",
    "V1.10__c.sql": b"CREATE TABLE c (id int);\n",
    "V2__d.sql": b"CREATE TABLE d (id int);\n",
}

#: (rows as (version spelled, file), tables built, missing_from_history, recorded_not_applied,
#: what Flyway runs after the sync)
SPELLINGS = [
    # "1.0" is V1, "1.010" is V1.10 (not V1.1), "2.0.0" is V2: only V1.1 lacks its row
    ([("1.0", "V1__a.sql"), ("1.010", "V1.10__c.sql"), ("2.0.0", "V2__d.sql")], "abcd",
     ["1.1"], [], []),
    # "01.1" is V1.1, whose table is absent: a phantom row, pruned under its own spelling
    ([("1", "V1__a.sql"), ("01.1", "V1.1__b.sql")], "a", [], ["1.1"], ["1.1", "1.10", "2"]),
]


@pytest.mark.parametrize(("rows", "tables", "missing", "phantom", "runs"), SPELLINGS)
def test_flyway_rows_match_files_as_flyway_compares_versions(
        pg: PgServer, tmp_path: Path, rows: list[tuple[str, str]], tables: str,
        missing: list[str], phantom: list[str], runs: list[str]) -> None:
    """Flyway's MigrationVersion compares versions numerically part by part: a row spelled
    ``1.010`` is ``V1.10``'s and ``1.0`` is ``V1``'s. Read as text, such rows were versions the
    code lacks and their files unrecorded: sync recorded them again (Flyway then refuses the
    duplicate) and could not prune a phantom row spelled otherwise."""
    ck = {n: flyway_checksum(d) for n, d in SPELLED_FILES.items()}
    history = "".join(
        _flyway_row(rank, v, n.split("__")[1][:-4], "SQL", n, ck[n], True)
        for rank, (v, n) in enumerate(rows, 1))
    root, db = _build(pg, tmp_path, SPELLED_FILES, "".join(
        f"CREATE TABLE {t} (id int);" for t in tables) + FLYWAY.ddl + history)
    result = api.infer(root, tool="flyway", dsn=pg.dsn(db), cache=False)
    assert result.missing_from_history == missing
    assert result.recorded_not_applied == phantom
    assert result.recorded_not_in_code == []
    synced = api.sync(root, tool="flyway", dsn=pg.dsn(db), cache=False, prune=True)
    pg.psql(db, synced.repair.text, single_transaction=False)
    with pg.connect_db(db, autocommit=True) as conn:
        left = conn.execute("SELECT count(*) FROM flyway_schema_history").fetchone()
        assert left == (len(rows) + len(missing) - len(phantom),)
        assert flyway_migrate(conn, root) == runs


LIQUIBASE_CHANGELOG = b"""--liquibase formatted sql
--changeset me:1
CREATE TABLE a (id int);
--changeset me:2
CREATE TABLE b (id int);
--changeset me:3
CREATE TABLE c (id int);
--changeset me:4
CREATE TABLE d (id int);
"""


def _liquibase_rows(kinds: dict[str, str]) -> str:
    from schemadiff.tools.liquibase import _CREATE_TABLE

    return _CREATE_TABLE.format(table="databasechangelog") + "".join(
        "INSERT INTO databasechangelog (id, author, filename, dateexecuted, orderexecuted, "
        f"exectype) VALUES ('{i}', 'me', 'changelog.sql', now(), {i}, '{kind}');"
        for i, kind in kinds.items())


@pytest.mark.parametrize("source", ["dsn", "json"])
@pytest.mark.parametrize(("flag", "pruned"), [
    (False, ("changelog.sql::4::me",)),
    (True, ("changelog.sql::2::me", "changelog.sql::4::me")),
])
def test_liquibase_mark_ran_row_is_no_phantom_to_prune(
        pg: PgServer, tmp_path: Path, source: str, flag: bool, pruned: tuple[str, ...]) -> None:
    """Liquibase writes ``EXECTYPE MARK_RAN`` for a changeset it chose not to run (a
    precondition's ``onFail: MARK_RAN``, ``changelog-sync``): its effects are absent by design.
    ``infer`` says what the row is; ``sync --prune`` deletes it only with
    ``--prune-marked-ran`` (Liquibase would then run the changeset), while the phantom row of
    changeset 4 (EXECUTED, its table absent) is pruned either way."""
    root, db = _build(pg, tmp_path, {"changelog.sql": LIQUIBASE_CHANGELOG},
                      "CREATE TABLE a (id int); CREATE TABLE c (id int);" + _liquibase_rows(
                          {"1": "EXECUTED", "2": "MARK_RAN", "3": "EXECUTED", "4": "EXECUTED"}))
    marked = "changelog.sql::2::me"
    result = api.infer(root, tool="liquibase", dsn=pg.dsn(db), cache=False)
    assert result.recorded_not_applied == [marked, "changelog.sql::4::me"]
    assert any(n.startswith(f"marked ran {marked}: EXECTYPE MARK_RAN")
               for n in result.recorded.notes), result.recorded.notes
    inputs: dict[str, object] = {"dsn": pg.dsn(db)}
    if source == "json":
        saved = tmp_path / "infer.json"
        saved.write_text(json.dumps(infer_document(result)))
        inputs = {"from_json": saved}
    synced = api.sync(root, tool="liquibase", cache=False, prune=True, prune_marked_ran=flag,
                      **inputs)  # type: ignore[arg-type]
    assert synced.repair.script.pruned == pruned
    assert flag or any(f"not pruned: {marked}: the tool marked it run" in n
                       for n in synced.repair.notes), synced.repair.notes
