"""Tools' own configuration files, read for where they keep their history: drizzle-kit's
``drizzle.config.*`` (``migrations: { table, schema }``), Atlas's ``atlas.hcl``
(``revisions_schema``), Liquibase's ``liquibase.properties`` and Spring's ``spring.liquibase.*``
(``defaultSchemaName``, ``liquibaseSchemaName``, ``databaseChangeLogTableName``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemadiff.tools import ProjectConfig, atlas, drizzle, liquibase

DRIZZLE = "drizzle.config migrations"
ATLAS = "atlas.hcl revisions_schema"

#: (name, the file beside the migrations' folder, its text, what it configures)
CASES = [
    ("drizzle: table and schema", "drizzle.config.ts",
     'export default defineConfig({\n  schema: "./src/db.ts",\n  out: "./migrations",\n'
     "  migrations: {\n    table: 'journal', // ours\n    schema: \"ops\",\n  },\n});\n",
     ProjectConfig("ops.journal", (), DRIZZLE)),
    ("drizzle: a table alone stays in drizzle's schema", "drizzle.config.js",
     "module.exports = { migrations: { table: `my_migrations` } };\n",
     ProjectConfig("drizzle.my_migrations", (), DRIZZLE)),
    ("drizzle: JSON", "drizzle.config.json", '{"migrations": {"schema": "public"}}',
     ProjectConfig("public.__drizzle_migrations", (), DRIZZLE)),
    ("drizzle: no migrations block (schema is the ORM's file)", "drizzle.config.ts",
     'export default { schema: "./src/schema.ts", out: "./migrations" };\n', ProjectConfig()),
    ("atlas: one revisions_schema", "atlas.hcl",
     'env "prod" {\n  url = env("DATABASE_URL")\n  migration {\n    dir = "file://migrations"\n'
     '    revisions_schema = "ops"\n  }\n}\n',
     ProjectConfig("ops.atlas_schema_revisions", (), ATLAS)),
    ("atlas: envs that disagree decide nothing", "atlas.hcl",
     'env "a" {\n  migration {\n    revisions_schema = "x"\n  }\n}\n'
     'env "b" {\n  migration {\n    revisions_schema = "y"\n  }\n}\n', ProjectConfig()),
]


LIQUIBASE_CASES = [
    ("liquibase: defaultSchemaName", "migrations/liquibase.properties",
     "changeLogFile=m.sql\ndefaultSchemaName=app\n",
     ProjectConfig("app.databasechangelog", ("app",), "liquibase defaultSchemaName", "app")),
    ("liquibase: its own schema and table, prefixed and kebab-case",
     "migrations/liquibase.properties",
     "liquibase.command.default-schema-name: app\nliquibase.liquibaseSchemaName=meta\n"
     "databaseChangeLogTableName=ChangeLog\n",
     ProjectConfig("meta.changelog", ("app",), "liquibase liquibaseSchemaName", "app")),
    ("liquibase: Spring Boot's spring.liquibase.*", "application.yml",
     "spring:\n  liquibase:\n    default-schema: core\n",
     ProjectConfig("core.databasechangelog", ("core",), "liquibase defaultSchemaName", "core")),
    ("liquibase: nothing set", "migrations/liquibase.properties", "changeLogFile=m.sql\n",
     ProjectConfig()),
]
CASES += LIQUIBASE_CASES


@pytest.mark.parametrize(("name", "file", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_tools_configuration_names_its_history_table(tmp_path: Path, name: str, file: str,
                                                       text: str, expected: ProjectConfig
                                                       ) -> None:
    (tmp_path / ".git").mkdir()
    root = tmp_path / "migrations"
    root.mkdir()
    (tmp_path / file).write_text(text)
    module = (drizzle if file.startswith("drizzle") else
              atlas if file.startswith("atlas") else liquibase)
    assert module.configured(root) == expected
