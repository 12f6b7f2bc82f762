"""Flyway's placeholders: ``${name}`` replaced as Flyway replaces it before running a script.

The values come from configuration files found from the migration directory upwards, the
environment (``FLYWAY_PLACEHOLDERS_<NAME>``) and ``--placeholder``; Flyway's own
(``flyway:defaultSchema``, ``flyway:table``, ``flyway:filename``) are known; a name with no value
is kept as written, with a warning naming the file and line. The checksum stays Flyway's, of
the file as written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flyway_emulation import flyway_migrate
from pg import PgServer
from schemadiff import api
from schemadiff.tools import ToolOptions, flyway
from schemadiff.tools._flyway_config import placeholders

SCRIPT = "CREATE TABLE ${schema}.t (id int);\n"

#: (name, files beside the migrations' directory "db/migration", environment, --placeholder
#: pairs, the script, the SQL read, the names left without a value (line, name))
CASES = [
    ("flyway.conf", {"flyway.conf": "flyway.placeholders.schema=app\n"}, {}, (), SCRIPT,
     "CREATE TABLE app.t (id int);\n", []),
    ("conf/flyway.conf above, a nearer flyway.conf wins",
     {"../conf/flyway.conf": "flyway.placeholders.schema = far\nflyway.placeholders.x=1\n",
      "flyway.conf": "flyway.placeholders.schema: near\n"}, {}, (),
     "CREATE TABLE ${schema}.t (id int DEFAULT ${x});\n",
     "CREATE TABLE near.t (id int DEFAULT 1);\n", []),
    ("flyway.toml", {"../flyway.toml": '[flyway]\ndefaultSchema = "core"\n'
                     '[flyway.placeholders]\nschema = "app"\n'}, {}, (),
     "CREATE TABLE ${flyway:defaultSchema}.a (id int);\nCREATE TABLE ${schema}.b (id int);\n",
     "CREATE TABLE core.a (id int);\nCREATE TABLE app.b (id int);\n", []),
    ("Spring Boot's application.properties",
     {"../application.properties": "spring.flyway.placeholders.owner=svc\n"
      "spring.flyway.default-schema=billing\n"}, {}, (),
     "ALTER TABLE ${flyway:defaultSchema}.t OWNER TO ${owner};\n",
     "ALTER TABLE billing.t OWNER TO svc;\n", []),
    ("Spring Boot's application.yml, its profiles left out, ${NAME:default} resolved",
     {"../application.yml": "spring:\n  flyway:\n    default-schema: billing  # ours\n"
      "    placeholders:\n      owner: 'svc'\n      reader: ${SD_TEST_READER:ro}\n"
      "      writer: ${SD_TEST_WRITER:rw}\n"
      "---\nspring:\n  config:\n    activate:\n      on-profile: prod\n"
      "  flyway:\n    placeholders:\n      owner: prod\n"}, {"SD_TEST_WRITER": "app_rw"}, (),
     "ALTER TABLE ${flyway:defaultSchema}.t OWNER TO ${owner};\n"
     "GRANT SELECT ON t TO ${reader}, ${writer};\n",
     "ALTER TABLE billing.t OWNER TO svc;\nGRANT SELECT ON t TO ro, app_rw;\n", []),
    ("application.properties over application.yml beside it; schemas as a YAML list",
     {"../application.properties": "spring.flyway.placeholders.owner=props\n",
      "../application.yaml": "spring:\n  flyway:\n    schemas:\n    - app\n    - audit\n"
      "    placeholders:\n      owner: yaml\n"}, {}, (),
     "CREATE TABLE ${flyway:defaultSchema}.t (o text DEFAULT '${owner}');\n",
     "CREATE TABLE app.t (o text DEFAULT 'props');\n", []),
    ("the environment over the files, --placeholder over both",
     {"flyway.conf": "flyway.placeholders.schema=file\nflyway.placeholders.role=file\n"},
     {"FLYWAY_PLACEHOLDERS_SCHEMA": "env", "FLYWAY_PLACEHOLDERS_ROLE": "env"},
     (("role", "cli"),), "GRANT USAGE ON SCHEMA ${schema} TO ${role};\n",
     "GRANT USAGE ON SCHEMA env TO cli;\n", []),
    ("Flyway's own: the default schema, its table, the file's name", {}, {}, (),
     "CREATE TABLE ${flyway:defaultSchema}.log (t text DEFAULT '${flyway:filename}');\n"
     "COMMENT ON TABLE log IS 'after ${flyway:table}';\n",
     "CREATE TABLE public.log (t text DEFAULT 'V1__init.sql');\n"
     "COMMENT ON TABLE log IS 'after flyway_schema_history';\n", []),
    ("the first of flyway.schemas is the default schema",
     {"flyway.conf": "flyway.schemas=app,audit\n"}, {}, (),
     "CREATE TABLE ${flyway:defaultSchema}.a (id int);\n", "CREATE TABLE app.a (id int);\n", []),
    ("other marks", {"flyway.conf": "flyway.placeholderPrefix=#[\nflyway.placeholderSuffix=]\n"
                     "flyway.placeholders.schema=app\n"}, {}, (),
     "CREATE TABLE #[schema].t (id int, c text DEFAULT '${schema}');\n",
     "CREATE TABLE app.t (id int, c text DEFAULT '${schema}');\n", []),
    ("replacement off", {"flyway.conf": "flyway.placeholderReplacement=false\n"
                         "flyway.placeholders.schema=app\n"}, {}, (), SCRIPT, SCRIPT, []),
    ("replacement off for one script", {"db/migration/V1__init.sql.conf":
                                        "placeholderReplacement=false\n",
                                        "flyway.conf": "flyway.placeholders.schema=app\n"},
     {}, (), SCRIPT, SCRIPT, []),
    ("no value: kept, with the line", {}, {}, (),
     "CREATE SCHEMA IF NOT EXISTS a;\nCREATE TABLE ${schema}.t (id int);\n"
     "-- run at ${flyway:timestamp}\n",
     "CREATE SCHEMA IF NOT EXISTS a;\nCREATE TABLE ${schema}.t (id int);\n"
     "-- run at ${flyway:timestamp}\n", [(2, "schema"), (3, "flyway:timestamp")]),
]


def _write(root: Path, files: dict[str, str]) -> None:
    """``../x`` lands beside the migrations' directory ``db/migration``, ``db/...`` under
    ``root``, a bare name in the migrations' directory."""
    for name, text in files.items():
        if name.startswith("../"):
            path = root / "db" / name[3:]
        elif name.startswith("db/"):
            path = root / name
        else:
            path = root / "db" / "migration" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize(("name", "files", "env", "given", "script", "sql", "missing"), CASES,
                         ids=[c[0] for c in CASES])
def test_placeholders_are_replaced_as_flyway_replaces_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, files: dict[str, str],
        env: dict[str, str], given: tuple[tuple[str, str], ...], script: str, sql: str,
        missing: list[tuple[int, str]]) -> None:
    (tmp_path / ".git").mkdir()  # the repository's root: nothing above it is read
    _write(tmp_path, {**files, "V1__init.sql": script})
    for key in [k for k in os.environ if k.startswith("FLYWAY_PLACEHOLDERS_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "db" / "migration"
    [m] = flyway.list_migrations(root, ToolOptions(placeholders=given))
    assert m.sql == sql
    warnings = m.extra.get("warning", "")
    assert [w.split(": no value for the placeholder ")[0] for w in warnings.splitlines() if w] \
        == [f"{root / 'V1__init.sql'}:{line}" for line, _ in missing]
    for _, placeholder in missing:
        assert f"--placeholder {placeholder}=VALUE" in warnings
    assert m.checksum == flyway.checksum((root / "V1__init.sql").read_bytes())  # as written


def test_a_repeatables_checksum_is_of_its_replaced_text(tmp_path: Path) -> None:
    """Flyway checksums a repeatable after replacing its placeholders (a new value runs it
    again), a versioned script as written."""
    (tmp_path / ".git").mkdir()
    root = tmp_path / "db"
    _write(tmp_path, {"flyway.conf": "flyway.placeholders.schema=app\n",
                      "V1__t.sql": SCRIPT, "R__v.sql": "CREATE VIEW ${schema}.v AS SELECT 1;\n"})
    versioned, repeatable = flyway.list_migrations(root / "migration")
    assert versioned.checksum == flyway.checksum(SCRIPT.encode())
    assert repeatable.checksum == flyway.checksum(b"CREATE VIEW app.v AS SELECT 1;\n")
    assert repeatable.checksum != flyway.checksum(b"CREATE VIEW ${schema}.v AS SELECT 1;\n")


def test_history_table_option_is_flyways_table(tmp_path: Path) -> None:
    marks = placeholders(tmp_path, history_table="meta.schema_history", environ={})
    assert marks.values["flyway:table"] == "schema_history"


FILES = {
    "flyway.conf": "flyway.placeholders.schema=app\nflyway.placeholders.reader=app_reader\n",
    "V1__schema.sql": "CREATE SCHEMA ${schema};\nCREATE ROLE ${reader};\n",
    "V2__users.sql": "CREATE TABLE ${schema}.users (id int PRIMARY KEY,\n"
                     "  created_by text DEFAULT '${flyway:filename}');\n"
                     "GRANT SELECT ON ${schema}.users TO ${reader};\n",
    "V3__orders.sql": "CREATE TABLE ${flyway:defaultSchema}.orders (id int,\n"
                      "  user_id int REFERENCES ${schema}.users);\n",
}


@pytest.mark.pg
def test_a_history_with_placeholders_replays_and_infers_clean(pg: PgServer, tmp_path: Path
                                                              ) -> None:
    """Migrated by (the emulation of) Flyway, which replaces the placeholders from the same
    flyway.conf: no difference, nothing unmodeled, every version proven applied, and the
    recorded checksums are the reader's. Then the history is wiped: the schema proves all."""
    root = tmp_path / "migrations"
    root.mkdir()
    (tmp_path / ".git").mkdir()
    role = "schemadiff_placeholder_reader"
    files = {**FILES, "flyway.conf": FILES["flyway.conf"].replace("app_reader", role)}
    for name, text in files.items():
        (root / name).write_text(text)
    db = pg.create_database("flyway_placeholders")
    try:
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")
            assert flyway_migrate(conn, root) == ["1", "2", "3"]
            rows = dict(conn.execute(
                "SELECT version, checksum::text FROM flyway_schema_history").fetchall())
        read = {m.version: m.checksum for m in flyway.list_migrations(root)}
        assert rows == read
        result = api.infer(root, tool="flyway", dsn=pg.dsn(db), cache=False)
        assert result.drift == [] and result.unmodeled == []
        assert [(v.migration.version, str(v.status), v.proven) for v in result.verdicts] == [
            ("1", "applied", True), ("2", "applied", True), ("3", "applied", True)]
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("TRUNCATE flyway_schema_history")
        out = subprocess.run(
            [sys.executable, "-m", "schemadiff", "infer", "-m", str(root), "-t", "flyway",
             "--dsn", pg.dsn(db), "-f", "json", "--no-cache"],
            capture_output=True, text=True, check=False)
        doc = json.loads(out.stdout)
        assert doc["missing_from_history"] == ["1", "2", "3"], out.stderr
        assert all(m["proven"] for m in doc["migrations"])
    finally:
        pg.drop_database(db)
        with pg.connect_db("postgres", autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def test_a_placeholder_without_value_says_why_its_migration_is_unproven(tmp_path: Path) -> None:
    """The statement is unmodeled, and the migration's reason says so rather than "no schema
    effect"."""
    (tmp_path / ".git").mkdir()
    root = tmp_path / "migrations"
    root.mkdir()
    (root / "V1__users.sql").write_text("CREATE TABLE ${schema}.users (id int);\n")
    (root / "V2__orders.sql").write_text("CREATE TABLE orders (id int);\n")
    dump = tmp_path / "dump.sql"
    dump.write_text("CREATE TABLE public.orders (id integer);\n")
    result = api.infer(root, tool="flyway", schema_file=dump, cache=False, hybrid=None)
    [first, second] = result.verdicts
    assert (str(first.status), first.proven) == ("applied", False)
    assert first.reason is not None and "(1 statement(s) unmodeled)" in first.reason
    assert (str(second.status), second.proven) == ("applied", True)
