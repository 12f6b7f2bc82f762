"""diff: history tables are never drift; folding of objects on missing tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemadiff.differences import Scope, diff_catalogs, ignore_history_tables
from schemadiff.history import replay_migrations, replay_sql
from schemadiff.migration import Migration
from schemadiff.tools import history_tables

FLYWAY_TABLE = """
CREATE TABLE public.flyway_schema_history (installed_rank integer NOT NULL, version varchar(50),
  description varchar(200) NOT NULL, success boolean NOT NULL);
ALTER TABLE ONLY public.flyway_schema_history
  ADD CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank);
CREATE INDEX flyway_schema_history_s_idx ON public.flyway_schema_history USING btree (success);
CREATE TABLE public.goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL);
"""


def test_history_tables_and_their_indexes_are_not_drift() -> None:
    expected = replay_sql("CREATE TABLE t (id int PRIMARY KEY);")
    actual = replay_sql("CREATE TABLE t (id int PRIMARY KEY);" + FLYWAY_TABLE
                        + "CREATE INDEX hand_made_idx ON t (id);")
    diffs = diff_catalogs(expected.catalog, actual.catalog, (), ignore_history_tables(history_tables()))
    assert [(d.change, str(d.key)) for d in diffs] == [("extra", "index public.hand_made_idx")]


def test_privileges_on_history_tables_are_not_drift() -> None:
    """The tool creates its table after the migrations' ALTER DEFAULT PRIVILEGES: the
    grants it gets, on the table, its columns and its sequence, go with the table."""
    expected = replay_sql("CREATE TABLE t (id int PRIMARY KEY);")
    actual = replay_sql(
        "CREATE TABLE t (id int PRIMARY KEY);"
        "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO analyst;"
        "ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO analyst;" + FLYWAY_TABLE
        + "GRANT UPDATE (version_id) ON goose_db_version TO analyst;"
        "GRANT INSERT ON t TO analyst;")
    diffs = diff_catalogs(expected.catalog, actual.catalog, (), ignore_history_tables(history_tables()))
    assert [(d.change, str(d.key)) for d in diffs] == [
        ("extra", "privilege on table public.t to analyst")]


def test_objects_on_a_missing_table_fold_into_it() -> None:
    expected = replay_sql("CREATE TABLE t (id serial PRIMARY KEY, a text UNIQUE);"
                          "CREATE INDEX ON t (a);")
    actual = replay_sql("")
    diffs = diff_catalogs(expected.catalog, actual.catalog)
    assert [(d.change, str(d.key)) for d in diffs] == [("missing", "table public.t")]


MOVED = [
    # (what the migrations do after 1 made t(id, note), the actual schema, the finding, who)
    ("table renamed: its column", "ALTER TABLE t RENAME TO u;",
     "CREATE TABLE u (id int);", ("missing", "column public.u.note", None), "1"),
    ("table moved: its column's type", "CREATE SCHEMA s; ALTER TABLE t SET SCHEMA s;",
     "CREATE SCHEMA s; CREATE TABLE s.t (id int, note varchar(5));",
     ("changed", "column s.t.note", "type"), "1"),
    ("column renamed: the column as a whole is the renamer's",
     "ALTER TABLE t RENAME COLUMN note TO body;", "CREATE TABLE t (id int);",
     ("missing", "column public.t.body", None), "2"),
    ("column renamed: its type stays its maker's", "ALTER TABLE t RENAME COLUMN note TO body;",
     "CREATE TABLE t (id int, body varchar(5));", ("changed", "column public.t.body", "type"),
     "1"),
    ("renamed, then changed: the change's", "ALTER TABLE t RENAME TO u;",
     "CREATE TABLE u (id int, note text);", ("changed", "column public.u.note", "type"), "3"),
    ("the old name, extra: what moved it away", "ALTER TABLE t RENAME TO u;",
     "CREATE TABLE t (id int, note text);", ("extra", "table public.t", None), "2"),
]


@pytest.mark.parametrize(("name", "later", "actual", "finding", "who"), MOVED,
                         ids=[m[0] for m in MOVED])
def test_a_moved_objects_drift_names_the_migration_that_set_it(
        name: str, later: str, actual: str, finding: tuple[str, str, str | None], who: str) -> None:
    """A rename re-keys what it moves; the drift line names who made or set the attribute."""
    third = ("ALTER TABLE u ALTER COLUMN note TYPE varchar(9);" if name.startswith("renamed,")
             else "SELECT 1;")
    migrations = [Migration("1", "init", Path("1.sql"), "CREATE TABLE t (id int, note text);"),
                  Migration("2", "move", Path("2.sql"), later),
                  Migration("3", "more", Path("3.sql"), third)]
    replay = replay_migrations(migrations)
    diffs = diff_catalogs(replay.catalog, replay_sql(actual).catalog, replay.effects,
                          moves=replay.moves)
    found = {(str(d.change), str(d.key), d.attribute): d.migration for d in diffs}
    assert finding in found, found
    assert found[finding] == who


@pytest.mark.parametrize(("scope", "reported"), [
    (Scope(), True),
    (Scope(exclude=("extensions",)), False),  # a platform's own (Supabase's pgrst_ddl_watch)
    (Scope(include=("public",)), False),
    (Scope(include=("public", "extensions")), True),
])
def test_an_event_trigger_is_compared_where_its_function_is(scope: Scope, reported: bool
                                                             ) -> None:
    """An event trigger is in no schema; a comparison limited to some schemas takes it when
    it takes its function's."""
    actual = replay_sql(
        "CREATE SCHEMA extensions;"
        "CREATE FUNCTION extensions.watch() RETURNS event_trigger LANGUAGE plpgsql AS $$"
        " BEGIN NULL; END $$;"
        "CREATE EVENT TRIGGER pgrst_ddl_watch ON ddl_command_end"
        " EXECUTE FUNCTION extensions.watch();")
    diffs = diff_catalogs(replay_sql("SELECT 1;").catalog, actual.catalog, (), scope)
    found = [str(d.key) for d in diffs if d.key.kind == "event_trigger"]
    assert found == (["event_trigger pgrst_ddl_watch"] if reported else [])
