"""Reading every tool's history: live (``read_history``), from a dump, from a list.

Each tool's rows are interpreted the way the tool's source does: goose's latest row per
version and its version-0 row, golang-migrate's single (dirty) row, Flyway's SCHEMA, BASELINE,
DELETE and failed rows, Prisma's rolled-back and unfinished attempts, Atlas's identifier row,
partial and baseline revisions.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from pg import PgServer
from schemadiff.errors import SourceError
from schemadiff.migration import Migration
from schemadiff.recorded import Recorded, RecordedVersion
from schemadiff.repair import render_sync
from schemadiff.sources.history import (
    locate_history_table,
    read_history,
    read_history_file,
    read_history_from_dump,
)
from schemadiff.tools import TOOLS
from test_sync import CASES, GOLANG, GOOSE, Case, _write


def _read(pg: PgServer, db: str, tool: str, migrations: Sequence[Migration] = (),
          table: str | None = None) -> Recorded:
    with pg.connect_db(db) as conn:
        return read_history(conn, tool, migrations, table=table)


def _versions(recorded: Recorded) -> list[tuple[str, bool]]:
    return [(v.version, v.success) for v in recorded.versions]


@pytest.mark.parametrize("tool", list(TOOLS))
def test_missing_table_is_a_state_not_an_error(pg: PgServer, tool: str) -> None:
    db = pg.create_database("hist_none")
    recorded = _read(pg, db, tool)
    assert recorded == Recorded(tool, "live", False, (), recorded.notes)
    assert recorded.applied == {}


def test_goose_version_zero_and_latest_row_wins(pg: PgServer) -> None:
    db = pg.create_database("hist_goose")
    pg.psql(db, GOOSE.ddl + """
        INSERT INTO goose_db_version (version_id, is_applied) VALUES
            (1, true), (2, true), (3, false), (2, false), (3, true), (4, true);""")
    recorded = _read(pg, db, "goose")
    # deciding-row order; 2, rolled back by goose v2, keeps a row goose v3 counts: not applied
    assert _versions(recorded) == [("1", True), ("2", False), ("3", True), ("4", True)]
    assert set(recorded.applied) == {"1", "3", "4"}
    assert "0" not in recorded.applied
    assert any("version 2 was rolled back" in n for n in recorded.notes)


def test_goose_empty_table_is_noted(pg: PgServer) -> None:
    db = pg.create_database("hist_goose_empty")
    pg.psql(db, GOOSE.ddl + "DELETE FROM goose_db_version;")
    recorded = _read(pg, db, "goose")
    assert recorded.table_exists and recorded.versions == ()
    assert any("empty" in n for n in recorded.notes)


def test_golang_migrate_single_row_expands_and_dirty(pg: PgServer, tmp_path: Path) -> None:
    migrations = TOOLS["golang-migrate"].list_migrations(_write(tmp_path / "m", GOLANG.files))
    db = pg.create_database("hist_golang")
    pg.psql(db, GOLANG.ddl + "INSERT INTO schema_migrations VALUES (3, false);")
    assert _versions(_read(pg, db, "golang-migrate", migrations)) == [
        ("1", True), ("2", True), ("3", True)]
    assert _versions(_read(pg, db, "golang-migrate")) == [("3", True)]  # without the files
    pg.psql(db, "UPDATE schema_migrations SET version = 2, dirty = true;")
    recorded = _read(pg, db, "golang-migrate", migrations)
    assert _versions(recorded) == [("1", True), ("2", False)]
    assert set(recorded.applied) == {"1"}
    assert any("dirty" in n for n in recorded.notes)
    # the sync replaces the dirty row by the highest applied version
    script = render_sync("golang-migrate", [migrations[1]], recorded, migrations=migrations)
    pg.psql(db, script.text, single_transaction=False)
    with pg.connect_db(db) as conn:
        assert conn.execute("SELECT version, dirty FROM schema_migrations").fetchall() == [
            (2, False)]


def test_prisma_rolled_back_and_failed_rows(pg: PgServer) -> None:
    db = pg.create_database("hist_prisma")
    ddl = next(c for c in CASES if c.tool == "prisma").ddl
    pg.psql(db, ddl + """
        INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at,
                                        started_at, applied_steps_count) VALUES
        ('1', 'aa', now(), 'm1_init', NULL, now() - interval '5 min', 1),
        ('2', 'bb', NULL, 'm2_failed_then_fixed', now(), now() - interval '4 min', 0),
        ('3', 'bc', now(), 'm2_failed_then_fixed', NULL, now() - interval '3 min', 1),
        ('4', 'cc', NULL, 'm3_rolled_back', now(), now() - interval '2 min', 0),
        ('5', 'dd', NULL, 'm4_failed', NULL, now() - interval '1 min', 0);""")
    recorded = _read(pg, db, "prisma")
    assert recorded.versions == (
        RecordedVersion("m1_init", "aa"), RecordedVersion("m2_failed_then_fixed", "bc"),
        RecordedVersion("m4_failed", "dd", success=False))
    assert set(recorded.applied) == {"m1_init", "m2_failed_then_fixed"}
    assert any("m3_rolled_back was rolled back" in n for n in recorded.notes)
    assert any("m4_failed failed" in n for n in recorded.notes)


def test_flyway_schema_baseline_delete_failed_and_repeatable_rows(
        pg: PgServer, tmp_path: Path) -> None:
    files = {"V1__a.sql": b"SELECT 1;\n", "V2__b.sql": b"SELECT 2;\n", "V3__c.sql": b"SELECT 3;\n",
             "V4__d.sql": b"SELECT 4;\n", "V5__e.sql": b"SELECT 5;\n", "R__v.sql": b"SELECT 6;\n"}
    migrations = TOOLS["flyway"].list_migrations(_write(tmp_path / "m", files))
    db = pg.create_database("hist_flyway")
    ddl = next(c for c in CASES if c.tool == "flyway").ddl
    pg.psql(db, ddl + """
        INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,
            checksum, installed_by, execution_time, success) VALUES
        (0, NULL, '<< Flyway Schema Creation >>', 'SCHEMA', '"public"', NULL, 'me', 0, true),
        (1, '2', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'me', 0, true),
        (2, '3', 'c', 'SQL', 'V3__c.sql', 11, 'me', 5, true),
        (3, NULL, 'v', 'SQL', 'R__v.sql', 1, 'me', 5, true),
        (4, '4', 'd', 'SQL', 'V4__d.sql', 12, 'me', 5, false),
        (5, '3', 'c', 'DELETE', 'V3__c.sql', 11, 'me', 0, true),
        (6, NULL, 'v', 'SQL', 'R__v.sql', 2, 'me', 5, true);""")
    recorded = _read(pg, db, "flyway", migrations)
    assert [(v.version, v.checksum, v.success) for v in recorded.versions] == [
        ("1", None, True), ("2", None, True), ("4", "12", False), ("R__v", "2", True)]
    assert set(recorded.applied) == {"1", "2", "R__v"}
    assert any("3: its latest row is DELETE" in n for n in recorded.notes)
    assert any("baseline 2" in n for n in recorded.notes)


def test_atlas_identifier_partial_and_baseline_revisions(pg: PgServer, tmp_path: Path) -> None:
    files = {f"2024010{i}000000_f{i}.sql": b"SELECT 1;\n" for i in range(1, 6)}
    migrations = TOOLS["atlas"].list_migrations(_write(tmp_path / "m", files))
    db = pg.create_database("hist_atlas")
    ddl = next(c for c in CASES if c.tool == "atlas").ddl
    pg.psql(db, ddl + """
        INSERT INTO atlas_schema_revisions.atlas_schema_revisions (version, description, type,
            applied, total, executed_at, execution_time, error, hash, operator_version) VALUES
        ('.atlas_cloud_identifiers', 'id', 0, 0, 0, now(), 0, NULL, '', 'v'),
        ('20240102000000', 'f2', 1, 0, 0, now(), 0, NULL, '', 'v'),
        ('20240103000000', 'f3', 2, 2, 2, now(), 1, NULL, 'h3', 'v'),
        ('20240104000000', 'f4', 2, 1, 3, now(), 1, 'boom', 'h4', 'v'),
        ('20240105000000', 'f5', 6, 1, 3, now(), 1, 'fixed by hand', 'h5', 'v');""")
    recorded = _read(pg, db, "atlas", migrations)
    assert _versions(recorded) == [("20240101000000", True), ("20240102000000", True),
                                   ("20240103000000", True), ("20240104000000", False),
                                   ("20240105000000", True)]
    assert any("partly applied (1 of 3 statements, error: boom)" in n for n in recorded.notes)


def test_search_path_decides_where_an_unqualified_table_is(pg: PgServer) -> None:
    db = pg.create_database("hist_search_path")
    pg.psql(db, "CREATE SCHEMA app; SET search_path = app;\n" + GOOSE.ddl
            + "INSERT INTO goose_db_version (version_id, is_applied) VALUES (7, true);")
    assert not _read(pg, db, "goose").table_exists  # public first: no table there
    with pg.connect_db(db, options="-c search_path=app,public") as conn:
        assert locate_history_table(conn, "goose") == ("app", "goose_db_version")
        recorded = read_history(conn, "goose")
    assert list(recorded.applied) == ["7"]
    assert _read(pg, db, "goose", table="app.goose_db_version").applied.keys() == {"7"}


def test_a_table_of_another_shape_is_an_error(pg: PgServer) -> None:
    db = pg.create_database("hist_shape")
    pg.psql(db, "CREATE TABLE schema_migrations (version text PRIMARY KEY);")
    with pg.connect_db(db) as conn:
        with pytest.raises(SourceError, match="not golang-migrate's history table"):
            read_history(conn, "golang-migrate")
        assert read_history(conn, "dbmate").table_exists  # the session is still usable


def test_history_file(tmp_path: Path) -> None:
    path = tmp_path / "applied.txt"
    path.write_text("\ufeff# applied in prod\n20240101\n\n  20240102  # by hand\n20240101\n",
                    encoding="utf-8")
    recorded = read_history_file(path, "dbmate")
    assert recorded.source == "file" and recorded.table_exists
    assert list(recorded.applied) == ["20240101", "20240102"]
    with pytest.raises(SourceError):
        read_history_file(tmp_path / "nope.txt", "dbmate")


def test_dbmate_schema_sql_insert_lines() -> None:
    text = (
        "CREATE TABLE public.schema_migrations (\n    version character varying(255) NOT NULL\n);\n"
        "\n--\n-- Dbmate schema migrations\n--\n\n"
        "INSERT INTO public.schema_migrations (version) VALUES\n"
        "    ('20240101120000'),\n    ('20240102120000'),\n    (E'2024\\\\x');\n"
    )
    recorded = read_history_from_dump(text, "dbmate")
    assert list(recorded.applied) == ["20240101120000", "20240102120000", "2024\\x"]


def _pg_dump(pg: PgServer, db: str, *args: str) -> str:
    proc = subprocess.run([str(pg.pg_dump_bin), *args, "-d", pg.dsn(db)], capture_output=True,
                          text=True, check=True, encoding="utf-8")
    return proc.stdout


@pytest.mark.parametrize("case", CASES, ids=[c.tool for c in CASES])
def test_dump_rows_read_like_the_live_table(pg: PgServer, tmp_path: Path, case: Case) -> None:
    migrations = TOOLS[case.tool].list_migrations(_write(tmp_path / "m", case.files))
    db = pg.create_database(f"hist_dump_{case.tool}")
    pg.psql(db, case.ddl + "\n" + case.prior)
    live = _read(pg, db, case.tool, migrations)
    missing = [m for m in migrations if m.version in case.missing]
    pg.psql(db, render_sync(case.tool, missing, live, migrations=migrations).text,
            single_transaction=False)
    live = _read(pg, db, case.tool, migrations)
    for args in (("--no-owner",), ("--no-owner", "--column-inserts")):
        dumped = read_history_from_dump(_pg_dump(pg, db, *args), case.tool, migrations)
        assert dumped.source == "dump" and dumped.table_exists
        assert dumped.versions == live.versions, args
    schema_only = read_history_from_dump(_pg_dump(pg, db, "--schema-only"), case.tool, migrations)
    assert schema_only.table_exists and schema_only.versions == ()
    assert any("--schema-only" in n for n in schema_only.notes)


def test_dump_without_the_table() -> None:
    recorded = read_history_from_dump("CREATE TABLE public.users (id int);\n", "goose")
    assert not recorded.table_exists and recorded.source == "dump"


def test_reads_in_a_read_only_session(pg: PgServer) -> None:
    db = pg.create_database("hist_read_only")
    pg.psql(db, GOOSE.ddl + GOOSE.prior)
    with pg.connect_db(db, options="-c default_transaction_read_only=on") as conn:
        recorded = read_history(conn, "goose")
        assert conn.execute("SHOW transaction_read_only").fetchone() == ("on",)
    assert list(recorded.applied) == ["1"]


def test_dump_prefers_the_tools_own_schema_then_public() -> None:
    copy = ("COPY {t} (version, description, type, applied, total, executed_at, "
            "execution_time, error, error_stmt, hash, partial_hashes, operator_version) "
            "FROM stdin;\n{v}\tx\t2\t1\t1\t2024-01-01 00:00:00+00\t1\t\\N\t\\N\th\t"
            "\\N\tv\n\\.\n\n")
    text = (copy.format(t="public.atlas_schema_revisions", v="1")
            + copy.format(t="atlas_schema_revisions.atlas_schema_revisions", v="2"))
    assert list(read_history_from_dump(text, "atlas").applied) == ["2"]
    goose = ("COPY {s}.goose_db_version (id, version_id, is_applied, tstamp) FROM stdin;\n"
             "1\t{v}\tt\t2024-01-01 00:00:00\n\\.\n")
    text = goose.format(s="app", v="5") + goose.format(s="public", v="6")
    assert list(read_history_from_dump(text, "goose").applied) == ["6"]
