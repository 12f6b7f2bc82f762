"""``DROP ... CASCADE`` takes what PostgreSQL's dependency tracking (pg_depend) ties to the
dropped object: a database built by running the SQL compares clean, live and through
``pg_dump``, against the replay of the same SQL. Where the replay cannot know what depends
(an extension's members, a call of an overloaded name), it says so instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from schemadiff.history import replay_sql
from schemadiff.model import Key
from test_wild_histories import replay_built_clean

#: (id, SQL): each builds clean and replays without a diagnostic
CLEAN = [
    ("function_default", """
CREATE FUNCTION f() RETURNS text LANGUAGE sql AS 'SELECT 1::text';
CREATE TABLE t (c text DEFAULT f());
DROP FUNCTION f() CASCADE;
"""),
    ("function_policy", """
CREATE TABLE t (id int);
CREATE FUNCTION ok(int) RETURNS boolean LANGUAGE sql AS 'select true';
CREATE POLICY p ON t USING (ok(id));
DROP FUNCTION ok(int) CASCADE;
"""),
    ("function_check_generated_indexes", """
CREATE FUNCTION ok(int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'select true';
CREATE FUNCTION f2(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'select $1';
CREATE TABLE u (id int CHECK (ok(id)), n int, g int GENERATED ALWAYS AS (f2(n)) STORED, k int);
CREATE INDEX u_f2 ON u (f2(id));
CREATE INDEX u_p ON u (id) WHERE ok(id);
CREATE INDEX u_k ON u (k);
DROP FUNCTION ok(int) CASCADE;
DROP FUNCTION f2(int) CASCADE;
"""),
    ("function_views_on_views", """
CREATE FUNCTION f() RETURNS text LANGUAGE sql AS 'SELECT 1::text';
CREATE VIEW v AS SELECT f() AS x;
CREATE VIEW vv AS SELECT x FROM v;
CREATE VIEW other AS SELECT 1 AS one;
DROP FUNCTION f() CASCADE;
"""),
    ("function_only_its_callers", """
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 2';
CREATE TABLE t (a int DEFAULT f(), b int DEFAULT g(), s text DEFAULT 'f()');
DROP FUNCTION f() CASCADE;
"""),
    ("function_in_other_schema", """
CREATE SCHEMA s;
CREATE FUNCTION s.f() RETURNS text LANGUAGE sql AS 'SELECT 1::text';
CREATE TABLE t (c text DEFAULT s.f());
CREATE VIEW v AS SELECT s.f() AS x;
DROP FUNCTION s.f() CASCADE;
"""),
    ("unique_index_foreign_key", """
CREATE TABLE a (code text);
CREATE UNIQUE INDEX a_code_idx ON a (code);
CREATE TABLE b (a_code text REFERENCES a (code));
DROP INDEX a_code_idx CASCADE;
"""),
    ("table_same_name_other_schema", """
CREATE SCHEMA archive;
CREATE TABLE archive.events (id int);
CREATE TABLE events (id int);
CREATE VIEW recent_events AS SELECT id FROM events;
CREATE VIEW archived AS SELECT id FROM archive.events;
DROP TABLE archive.events CASCADE;
"""),
    ("table_same_name_view_made_under_another_path", """
CREATE SCHEMA archive;
CREATE TABLE archive.events (id int);
CREATE TABLE events (id int);
SET search_path = archive, public;
CREATE VIEW public.archived AS SELECT id FROM events;
RESET search_path;
CREATE VIEW recent_events AS SELECT id FROM events;
DROP TABLE archive.events CASCADE;
"""),
    ("schema_type_column", """
CREATE SCHEMA s; CREATE TYPE s.e AS ENUM ('a'); CREATE TABLE t (id int, x s.e);
DROP SCHEMA s CASCADE;
"""),
    ("schema_table_view", """
CREATE SCHEMA legacy; CREATE TABLE legacy.t (id int PRIMARY KEY);
CREATE VIEW v AS SELECT id FROM legacy.t; DROP SCHEMA legacy CASCADE;
"""),
    ("schema_function_default", """
CREATE SCHEMA s;
CREATE FUNCTION s.f() RETURNS text LANGUAGE sql AS 'SELECT 1::text';
CREATE TABLE t (c text DEFAULT s.f(), d int);
DROP SCHEMA s CASCADE;
"""),
    ("schema_overloaded_functions", """
CREATE SCHEMA s;
CREATE FUNCTION s.f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION s.f(text) RETURNS int LANGUAGE sql AS 'SELECT 2';
CREATE TABLE t (a int DEFAULT s.f(1), b int DEFAULT s.f('x'), c int);
DROP SCHEMA s CASCADE;
"""),
    ("schema_sequence_default", """
CREATE SCHEMA s; CREATE SEQUENCE s.q;
CREATE TABLE t (id bigint DEFAULT nextval('s.q'), b int);
DROP SCHEMA s CASCADE;
"""),
    ("extension_alone", """
CREATE EXTENSION citext;
DROP EXTENSION citext CASCADE;
"""),
    # the views' text names the columns as they were when the views were made
    ("column_renamed_under_views", """
CREATE TABLE t (id int PRIMARY KEY, a jsonb, b text, c int);
CREATE VIEW reads_a AS SELECT a, id FROM t WHERE id IN (1, 2);
CREATE VIEW reads_b AS SELECT b FROM t;
CREATE VIEW reads_c AS SELECT t.c AS x FROM t;
ALTER TABLE t RENAME COLUMN a TO gone;
ALTER TABLE t RENAME COLUMN b TO a;
ALTER TABLE t ADD COLUMN b int;
ALTER TABLE t DROP COLUMN gone CASCADE;
ALTER TABLE t DROP COLUMN b CASCADE;
ALTER TABLE t RENAME COLUMN c TO c2;
ALTER TABLE t RENAME COLUMN c2 TO c3;
ALTER TABLE t DROP COLUMN c3 CASCADE;
"""),
    # and the relation as it was named: renamed or moved to another schema since
    ("relation_moved_under_views", """
CREATE TABLE t (id int, a text, b text);
CREATE VIEW v1 AS SELECT a FROM t;
CREATE VIEW v2 AS SELECT t.b FROM t;
ALTER TABLE t RENAME COLUMN a TO a2;
CREATE SCHEMA s;
ALTER TABLE t SET SCHEMA s;
ALTER TABLE s.t RENAME TO u;
ALTER TABLE s.u DROP COLUMN a2 CASCADE;
ALTER TABLE s.u RENAME COLUMN b TO b2;
ALTER TABLE s.u DROP COLUMN id CASCADE;
ALTER TABLE s.u DROP COLUMN b2 CASCADE;
CREATE TABLE m (id int, x int);
CREATE MATERIALIZED VIEW mv AS SELECT x, count(*) AS n FROM m GROUP BY x WITH NO DATA;
ALTER TABLE m RENAME COLUMN id TO id2;
ALTER TABLE m SET SCHEMA s;
ALTER TABLE s.m DROP COLUMN id2 CASCADE;
ALTER TABLE s.m DROP COLUMN x CASCADE;
"""),
    ("trigger_when_reads_column", """
CREATE TABLE t (id int, a int, b int);
CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER on_a BEFORE INSERT ON t FOR EACH ROW WHEN (NEW.a IS NOT NULL) EXECUTE FUNCTION tf();
CREATE TRIGGER on_b BEFORE UPDATE ON t FOR EACH ROW WHEN (OLD.b IS DISTINCT FROM NEW.b)
    EXECUTE FUNCTION tf();
ALTER TABLE t DROP COLUMN a CASCADE;
"""),
    # the view's text names the table, and the column, as they were
    ("renamed_under_view_table", """
CREATE TABLE b (id int, x int);
CREATE VIEW v AS SELECT id, x FROM b;
ALTER TABLE b RENAME TO a;
ALTER TABLE a DROP COLUMN x CASCADE;
"""),
    ("renamed_under_view_column_and_table", """
CREATE TABLE b (id int, y int);
CREATE VIEW v AS SELECT id, y FROM b;
ALTER TABLE b RENAME COLUMN y TO x;
ALTER TABLE b RENAME TO a;
ALTER TABLE a DROP COLUMN x CASCADE;
"""),
    ("renamed_under_view_qualified_by_old_name", """
CREATE TABLE b (id int, x int);
CREATE VIEW v AS SELECT b.id, b.x FROM b;
ALTER TABLE b RENAME TO a;
ALTER TABLE a DROP COLUMN x CASCADE;
"""),
    ("column_renamed_then_view_replaced", """
CREATE TABLE t (id int, a text, b text);
CREATE VIEW v AS SELECT a FROM t;
ALTER TABLE t RENAME COLUMN a TO x;
CREATE OR REPLACE VIEW v AS SELECT x AS a FROM t;
ALTER TABLE t RENAME COLUMN b TO a;
ALTER TABLE t DROP COLUMN a CASCADE;
"""),
]


@pytest.mark.parametrize("sql", [s for _, s in CLEAN], ids=[i for i, _ in CLEAN])
def test_cascade_compares_clean(pg: PgServer, tmp_path: Path, sql: str) -> None:
    assert not replay_built_clean(pg, tmp_path, sql, "cascade").diagnostics


_EXTENSION_SAID = ("what depends on the extension's functions and operator classes (defaults, "
                   "indexes, views calling or using them) is not modelled; it is kept")

#: (id, SQL, the diagnostics' messages, what the replay keeps though PostgreSQL drops it)
SAID = [
    ("function_overloaded", """
CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'SELECT 2';
CREATE TABLE t (a int DEFAULT f(1));
DROP FUNCTION f(text) CASCADE;
""", ['DROP FUNCTION f(text) CASCADE: whether the default of column "t.a" calls this "f" or '
      "another of that name is not modelled; it is kept"], None),
    ("extension_operator_class", """
CREATE EXTENSION pg_trgm;
CREATE TABLE t (name text);
CREATE INDEX t_trgm ON t USING gin (name gin_trgm_ops);
DROP EXTENSION pg_trgm CASCADE;
""", [f"DROP EXTENSION pg_trgm CASCADE: {_EXTENSION_SAID}"], Key("index", "public", "t_trgm")),
    ("extension_function_default", """
CREATE EXTENSION "uuid-ossp";
CREATE TABLE t (id uuid DEFAULT uuid_generate_v4());
DROP EXTENSION "uuid-ossp" CASCADE;
""", [f"DROP EXTENSION uuid-ossp CASCADE: {_EXTENSION_SAID}"], None),
]


@pytest.mark.parametrize(("sql", "said", "kept"), [(s, d, k) for _, s, d, k in SAID],
                         ids=[i for i, *_ in SAID])
def test_cascade_not_modelled_is_said(sql: str, said: list[str], kept: Key | None) -> None:
    replay = replay_sql(sql, "m.sql")
    assert [d.message for d in replay.diagnostics] == said
    if kept is not None:
        assert kept in replay.catalog.objects


def test_extension_type_columns_go(pg: PgServer, tmp_path: Path) -> None:
    """A column of a type no statement made, in the extension's schema where no other
    extension lives, is the extension's: it goes (what calls its functions is still said)."""
    sql = """
CREATE SCHEMA ext;
CREATE EXTENSION citext WITH SCHEMA ext;
CREATE TABLE t (id int, email ext.citext, emails ext.citext[]);
DROP EXTENSION citext CASCADE;
"""
    expected = replay_built_clean(pg, tmp_path, sql, "cascade")
    assert [d.message for d in expected.diagnostics] == [
        f"DROP EXTENSION citext CASCADE: {_EXTENSION_SAID}"]
