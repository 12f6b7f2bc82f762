"""diff: history tables are never drift; folding of objects on missing tables."""

from __future__ import annotations

from schemadiff.differences import diff_catalogs, ignore_history_tables
from schemadiff.history import replay_sql
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
