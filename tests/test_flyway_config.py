"""Flyway's configuration of the database side: its history table in its default schema, the
schemas it creates itself (``createSchemas``) and the ``search_path`` it runs the scripts
with (its default schema first: ``PostgreSQLConnection.changeCurrentSchemaTo``).

Without it, a project with ``flyway.schemas=app`` had every unqualified table expected in
``public``, its schemas reported extra, and its history read from (and synced into) a
``public.flyway_schema_history`` Flyway never reads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flyway_emulation import flyway_migrate
from pg import PgServer
from schemadiff import api
from schemadiff.tools import ProjectConfig, flyway

#: (name, configuration files beside the migrations' directory, what Flyway is configured to)
CASES = [
    ("nothing configured", {}, ProjectConfig()),
    ("schemas: the first holds the history, all are created",
     {"flyway.conf": "flyway.schemas=app,audit\n"},
     ProjectConfig("app.flyway_schema_history", ("app", "audit"), "flyway.schemas", "app")),
    ("defaultSchema over schemas, and another table name",
     {"flyway.conf": "flyway.schemas=audit\nflyway.defaultSchema=core\nflyway.table=history\n"},
     ProjectConfig("core.history", ("core", "audit"), "flyway.defaultSchema", "core")),
    ("a table name alone stays in the connection's schema",
     {"flyway.conf": "flyway.table=history\n"}, ProjectConfig("history", (), "flyway.table")),
    ("createSchemas off: none is created",
     {"flyway.conf": "flyway.schemas=app\nflyway.createSchemas=false\n"},
     ProjectConfig("app.flyway_schema_history", (), "flyway.schemas", "app")),
    ("the JDBC URL's currentSchema, the datasource's under Spring",
     {"application.properties": "spring.datasource.url=jdbc:postgresql://db:5432/shop"
      "?currentSchema=billing,public&ssl=false\n"},
     ProjectConfig("billing.flyway_schema_history", ("billing",), "flyway.url currentSchema",
                   "billing")),
    ("Spring Boot's application.yml",
     {"application.yml": "spring:\n  flyway:\n    schemas: shop\n"},
     ProjectConfig("shop.flyway_schema_history", ("shop",), "flyway.schemas", "shop")),
]


@pytest.mark.parametrize(("name", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_configuration_says_where_the_history_is_and_what_flyway_creates(
        tmp_path: Path, name: str, files: dict[str, str], expected: ProjectConfig) -> None:
    (tmp_path / ".git").mkdir()
    root = tmp_path / "migration"
    root.mkdir()
    (root / "V1__init.sql").write_text("SELECT 1;\n")
    for file, text in files.items():
        (tmp_path / file).write_text(text)
    assert flyway.configured(root) == expected
    [m] = flyway.list_migrations(root)
    assert m.tool_schemas == expected.schemas
    default = expected.default_schema
    assert m.search_path == ((default, "$user", "public") if default else None)


FILES = {
    "V1__users.sql": "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n",
    "V2__audit.sql": "CREATE TABLE audit.log (id bigint, user_id int REFERENCES users);\n"
                     "CREATE INDEX ON users (name);\n",
}


@pytest.mark.pg
def test_a_project_with_its_own_schemas_diffs_clean_and_syncs_into_flywayss_table(
        pg: PgServer, tmp_path: Path) -> None:
    """Migrated as Flyway migrates with ``flyway.schemas=app,audit``: the schemas made first,
    the scripts run with ``app`` first in the search path, the history in ``app``. No
    difference, every version proven recorded; with the rows gone, ``sync`` writes them back
    into ``app.flyway_schema_history`` and ``check`` passes."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "flyway.conf").write_text("flyway.schemas=app,audit\n")
    root = tmp_path / "migration"
    root.mkdir()
    for name, text in FILES.items():
        (root / name).write_text(text)
    db = pg.create_database("flyway_config")
    cmd = [sys.executable, "-m", "schemadiff"]
    where = ["-m", str(root), "--dsn", pg.dsn(db), "--no-cache"]
    try:
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA app; CREATE SCHEMA audit")
            conn.execute("""SELECT set_config('search_path', '"app", "$user", public', false)""")
            assert flyway_migrate(conn, root) == ["1", "2"]
            assert conn.execute("SELECT to_regclass('app.users') IS NOT NULL").fetchone() == (
                True,)
        result = api.infer(root, dsn=pg.dsn(db), cache=False)
        assert (result.tool, result.drift, result.unmodeled) == ("flyway", [], [])
        assert [(v.migration.version, str(v.status), v.proven, v.recorded)
                for v in result.verdicts] == [("1", "applied", True, True),
                                              ("2", "applied", True, True)]
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("DELETE FROM app.flyway_schema_history")
        script = subprocess.run([*cmd, "sync", *where], capture_output=True, text=True,
                                check=True).stdout
        assert "INSERT INTO app.flyway_schema_history" in script
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute(script.encode())
        out = subprocess.run([*cmd, "check", *where, "-f", "json"], capture_output=True,
                             text=True, check=False)
        assert out.returncode == 0, out.stdout + out.stderr
        assert json.loads(out.stdout)["ok"] is True
        assert "flyway keeps its history in app.flyway_schema_history" in out.stderr
    finally:
        pg.drop_database(db)


def test_a_schema_flyway_made_stays_dropped_once_a_migration_drops_it(tmp_path: Path) -> None:
    """Flyway creates its schemas once, before the first script: a later ``DROP SCHEMA`` of
    one is not undone by the next script's session."""
    from schemadiff.history import parse_migration, replay_parsed

    (tmp_path / ".git").mkdir()
    (tmp_path / "flyway.conf").write_text("flyway.schemas=app,scratch\n")
    root = tmp_path / "migration"
    root.mkdir()
    (root / "V1__t.sql").write_text("CREATE TABLE t (id int);\n")
    (root / "V2__drop.sql").write_text("DROP SCHEMA scratch;\n")
    (root / "V3__u.sql").write_text("CREATE TABLE u (id int);\n")
    replay = replay_parsed([parse_migration(m) for m in flyway.list_migrations(root)])
    schemas = {k.name for k in replay.catalog.objects if k.kind == "schema"}
    assert schemas == {"public", "app"}
    assert {(k.schema, k.name) for k in replay.catalog.objects if k.kind == "table"} == {
        ("app", "t"), ("app", "u")}
    assert not replay.diagnostics
