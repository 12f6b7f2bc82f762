"""The emulated ``up`` of sqlx, golang-migrate, diesel, Flyway and Atlas, on a real PostgreSQL.

Each emulation (``tests/<tool>_emulation.py``) follows its tool's source; these tests pin the
decisions the scenario benchmark relies on: what runs, in which order, what is recorded, and
what each tool refuses (a pending migration below the highest applied one, a dirty row, a
changed file, an applied version the directory lacks).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from atlas_emulation import AtlasError, migrate_apply, sum_file_text
from diesel_emulation import DieselError, run_pending_migrations
from flyway_emulation import FlywayError, flyway_migrate
from golang_migrate_emulation import MigrateError, migrate_up
from pg import PgServer
from schemadiff.sources.history import read_history_live
from sqlx_emulation import SqlxError, sqlx_migrate_run

TOOLS = ["sqlx", "golang-migrate", "diesel", "flyway", "atlas"]
# three independent migrations: tables a, b, c
STEPS = [(1, "a"), (2, "b"), (3, "c")]


def version(tool: str, n: int) -> str:
    """The version string the tool records for step ``n``."""
    return f"2024010100000{n}" if tool in ("diesel", "atlas") else str(n)


def write(tool: str, root: Path, steps: list[tuple[int, str]]) -> None:
    """The steps as migration files in ``tool``'s layout (``atlas.sum`` re-hashed)."""
    root.mkdir(exist_ok=True)
    for n, table in steps:
        sql = f"CREATE TABLE {table} (id int PRIMARY KEY);\n"
        v = version(tool, n)
        if tool == "sqlx":
            (root / f"{v}_create_{table}.sql").write_text(sql)
        elif tool == "golang-migrate":
            (root / f"{v:0>6}_create_{table}.up.sql").write_text(sql)
            (root / f"{v:0>6}_create_{table}.down.sql").write_text(f"DROP TABLE {table};\n")
        elif tool == "diesel":
            d = root / f"{v}_create_{table}"
            d.mkdir(exist_ok=True)
            (d / "up.sql").write_text(sql)
            (d / "down.sql").write_text(f"DROP TABLE {table};\n")
        elif tool == "flyway":
            (root / f"V{v}__create_{table}.sql").write_text(sql)
        elif tool == "atlas":
            (root / f"{v}_create_{table}.sql").write_text(sql)
    if tool == "atlas":
        (root / "atlas.sum").write_text(sum_file_text(root))


def up(tool: str, conn: psycopg.Connection[Any], root: Path, *, out_of_order: bool = False
       ) -> list[str]:
    runners: dict[str, Callable[[], list[str]]] = {
        "sqlx": lambda: sqlx_migrate_run(conn, root),
        "golang-migrate": lambda: migrate_up(conn, root),
        "diesel": lambda: run_pending_migrations(conn, root),
        "flyway": lambda: flyway_migrate(conn, root, out_of_order=out_of_order),
        "atlas": lambda: migrate_apply(conn, root,
                                       exec_order="non-linear" if out_of_order else "linear"),
    }
    return runners[tool]()


def recorded(pg: PgServer, db: str, tool: str, root: Path) -> list[str]:
    from schemadiff.tools import read_migrations

    _, migrations = read_migrations(root, tool)
    return sorted(read_history_live(pg.dsn(db), tool, migrations).applied)


def tables(conn: psycopg.Connection[Any]) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()}


@pytest.mark.parametrize("tool", TOOLS)
def test_up_runs_every_migration_in_order_once(pg: PgServer, tmp_path: Path, tool: str) -> None:
    root = tmp_path / "m"
    write(tool, root, STEPS)
    db = pg.create_database("emu_up")
    with pg.connect_db(db, autocommit=True) as conn:
        assert up(tool, conn, root) == [version(tool, n) for n, _ in STEPS]
        assert {"a", "b", "c"} <= tables(conn)
        assert up(tool, conn, root) == []
    assert recorded(pg, db, tool, root) == sorted(version(tool, n) for n, _ in STEPS)


# What each tool does with a migration added below the highest applied one (merged branch):
# run it, skip it silently, or refuse ("kind" of the error), and with the out-of-order flag.
OUT_OF_ORDER = {
    "sqlx": ("runs", None),
    "diesel": ("runs", None),
    "golang-migrate": ("skips", None),
    "flyway": ("ignored", "runs"),
    "atlas": ("out-of-order", "runs"),
}


@pytest.mark.parametrize("tool", TOOLS)
def test_a_migration_added_below_the_highest_applied_one(pg: PgServer, tmp_path: Path,
                                                         tool: str) -> None:
    root = tmp_path / "m"
    write(tool, root, [STEPS[0], STEPS[2]])
    db = pg.create_database("emu_ooo")
    default, flagged = OUT_OF_ORDER[tool]
    with pg.connect_db(db, autocommit=True) as conn:
        up(tool, conn, root)
        write(tool, root, STEPS)
        middle = version(tool, 2)
        if default == "runs":
            assert up(tool, conn, root) == [middle]
        elif default == "skips":
            assert up(tool, conn, root) == []
            assert "b" not in tables(conn)
        else:
            with pytest.raises((FlywayError, AtlasError)) as info:
                up(tool, conn, root)
            assert info.value.kind == default and info.value.version == middle
            assert up(tool, conn, root, out_of_order=True) == [middle]
            assert flagged == "runs"


@pytest.mark.parametrize("tool", ["sqlx", "diesel", "flyway", "golang-migrate"])
def test_a_lost_history_row_makes_the_tool_run_it_again(pg: PgServer, tmp_path: Path,
                                                        tool: str) -> None:
    root = tmp_path / "m"
    write(tool, root, STEPS)
    db = pg.create_database("emu_lost")
    with pg.connect_db(db, autocommit=True) as conn:
        up(tool, conn, root)
        if tool == "golang-migrate":  # its one row says version 1: 2 and 3 run again
            conn.execute("UPDATE schema_migrations SET version = 1")
        else:
            table = {"sqlx": "_sqlx_migrations", "diesel": "__diesel_schema_migrations",
                     "flyway": "flyway_schema_history"}[tool]
            conn.execute(f"DELETE FROM {table} WHERE version = %s",
                         (int(version(tool, 2)) if tool == "sqlx" else version(tool, 2),))
        errors = (SqlxError, DieselError, FlywayError, MigrateError)
        with pytest.raises(errors) as info:
            up(tool, conn, root, out_of_order=True)
        assert info.value.kind == "failed" and info.value.version == version(tool, 2)
        assert "already exists" in str(info.value)
        if tool == "golang-migrate":
            row = conn.execute("SELECT version, dirty FROM schema_migrations").fetchone()
            assert row == (2, True)  # left dirty, as golang-migrate does


def test_sqlx_refuses_dirty_missing_and_changed(pg: PgServer, tmp_path: Path) -> None:
    root = tmp_path / "m"
    write("sqlx", root, STEPS)
    db = pg.create_database("emu_sqlx")
    with pg.connect_db(db, autocommit=True) as conn:
        sqlx_migrate_run(conn, root)
        (root / "2_create_b.sql").write_text("CREATE TABLE b (id int PRIMARY KEY); -- edited\n")
        with pytest.raises(SqlxError) as info:
            sqlx_migrate_run(conn, root)
        assert (info.value.kind, info.value.version) == ("mismatch", "2")
        (root / "2_create_b.sql").unlink()
        with pytest.raises(SqlxError) as info:
            sqlx_migrate_run(conn, root)
        assert (info.value.kind, info.value.version) == ("missing", "2")
        assert sqlx_migrate_run(conn, root, ignore_missing=True) == []
        conn.execute("UPDATE _sqlx_migrations SET success = false WHERE version = 3")
        with pytest.raises(SqlxError) as info:
            sqlx_migrate_run(conn, root, ignore_missing=True)
        assert (info.value.kind, info.value.version) == ("dirty", "3")


def test_golang_migrate_refuses_dirty_and_unknown_versions(pg: PgServer, tmp_path: Path) -> None:
    root = tmp_path / "m"
    write("golang-migrate", root, STEPS)
    db = pg.create_database("emu_gm")
    with pg.connect_db(db, autocommit=True) as conn:
        migrate_up(conn, root)
        conn.execute("UPDATE schema_migrations SET version = 7")
        with pytest.raises(MigrateError) as info:
            migrate_up(conn, root)
        assert (info.value.kind, info.value.version) == ("unknown-version", "7")
        conn.execute("UPDATE schema_migrations SET version = 3, dirty = true")
        with pytest.raises(MigrateError) as info:
            migrate_up(conn, root)
        assert info.value.kind == "dirty"


def test_flyway_validate_refusals(pg: PgServer, tmp_path: Path) -> None:
    root = tmp_path / "m"
    write("flyway", root, STEPS)
    db = pg.create_database("emu_fw")
    with pg.connect_db(db, autocommit=True) as conn:
        conn.execute("CREATE TABLE before_flyway (id int)")
        with pytest.raises(FlywayError) as info:
            flyway_migrate(conn, root)
        assert info.value.kind == "not-baselined"
        conn.execute("DROP TABLE before_flyway")
        assert flyway_migrate(conn, root) == ["1", "2", "3"]
        (root / "V2__create_b.sql").write_text("CREATE TABLE b (id int PRIMARY KEY);\n-- x\n")
        with pytest.raises(FlywayError) as info:
            flyway_migrate(conn, root)
        assert (info.value.kind, info.value.version) == ("mismatch", "2")
        (root / "V2__create_b.sql").unlink()
        with pytest.raises(FlywayError) as info:
            flyway_migrate(conn, root)
        assert (info.value.kind, info.value.version) == ("missing", "2")
        write("flyway", root, STEPS)
        conn.execute("UPDATE flyway_schema_history SET success = false WHERE version = '3'")
        with pytest.raises(FlywayError) as info:
            flyway_migrate(conn, root)
        assert (info.value.kind, info.value.version) == ("failed-row", "3")


def test_atlas_refuses_a_stale_sum_and_a_dirty_database(pg: PgServer, tmp_path: Path) -> None:
    root = tmp_path / "m"
    write("atlas", root, STEPS)
    db = pg.create_database("emu_atlas")
    with pg.connect_db(db, autocommit=True) as conn:
        conn.execute("CREATE TABLE made_by_hand (id int)")
        with pytest.raises(AtlasError) as info:
            migrate_apply(conn, root)
        assert info.value.kind == "not-clean"
        conn.execute("DROP TABLE made_by_hand")
        (root / f"{version('atlas', 3)}_create_c.sql").write_text("CREATE TABLE c (id int);\n")
        with pytest.raises(AtlasError) as info:
            migrate_apply(conn, root)
        assert info.value.kind == "checksum"
        (root / "atlas.sum").write_text(sum_file_text(root))
        assert migrate_apply(conn, root) == [version("atlas", n) for n, _ in STEPS]
        row = conn.execute("SELECT type, applied, total FROM atlas_schema_revisions."
                           "atlas_schema_revisions WHERE version = %s",
                           (version("atlas", 1),)).fetchone()
        assert row == (2, 1, 1)
