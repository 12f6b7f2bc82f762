"""No false difference on row-level security policies as real (Supabase-style) histories
write them, and no missed one.

Each case builds a minimal repro on a real server: the database must compare clean, live and
through ``pg_dump``, against the replay of the same SQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from schemadiff.differences import diff_catalogs
from schemadiff.history import replay_sql
from schemadiff.sources.dump import read_dump
from schemadiff.sources.live import read_live
from test_wild_histories import _assert_clean, _found, replay_built_clean

CASES: list[tuple[str, str]] = [
    # the deparser prints the policy's own table inside its subquery as "t t_1"
    ("subquery-reads-own-table", """
CREATE TABLE t (id int, org int);
CREATE POLICY p ON t USING (org IN (SELECT org FROM t));
CREATE POLICY p2 ON t USING (EXISTS (SELECT 1 FROM t WHERE t.org = 1));
CREATE POLICY p3 ON t FOR INSERT WITH CHECK (org IN (SELECT t.org FROM t));
"""),
    # a self-join in the subquery: the user's alias, and the deparser's for the other side
    ("subquery-self-join", """
CREATE TABLE t (id int, a int);
CREATE TABLE u (id int);
CREATE POLICY p ON u USING (id IN (SELECT t.id FROM t JOIN u u2 ON u2.id = t.a));
CREATE POLICY q ON u USING (id IN (SELECT u.id FROM u JOIN t ON t.a = u.id));
"""),
    # the catalog keeps the subquery's relation by oid: the deparser prints its new name
    ("subquery-table-renamed", """
CREATE TABLE t (id int);
CREATE TABLE u (id int);
CREATE POLICY p ON u USING (id IN (SELECT id FROM t));
CREATE POLICY q ON t USING (id IN (SELECT id FROM t WHERE id > 0));
ALTER TABLE t RENAME TO t2;
"""),
    ("subquery-view-renamed", """
CREATE TABLE u (id int);
CREATE VIEW v AS SELECT id FROM u;
CREATE POLICY p ON u USING (id IN (SELECT id FROM v));
ALTER VIEW v RENAME TO v2;
"""),
    ("subquery-table-moved", """
CREATE SCHEMA x;
CREATE TABLE t (id int);
CREATE TABLE u (id int);
CREATE POLICY p ON u USING (id IN (SELECT id FROM t));
ALTER TABLE t SET SCHEMA x;
"""),
    # a column of another table, read in a subquery, renamed
    ("subquery-column-renamed", """
CREATE TABLE t (id int, org int);
CREATE TABLE m (org int, uid int);
CREATE POLICY p ON t USING (org IN (SELECT m.org FROM m WHERE m.uid = 1));
ALTER TABLE m RENAME COLUMN uid TO user_id;
"""),
    # the column's name read from another table in the subquery is that table's: kept
    ("column-renamed-not-the-subquerys", """
CREATE TABLE m (org int, uid int);
CREATE TABLE k (org int, uid int);
CREATE POLICY p ON m USING (uid = 1 AND org IN (SELECT org FROM k WHERE uid = 2));
CREATE POLICY q ON k USING (org IN (SELECT org FROM m WHERE uid = 3));
ALTER TABLE m RENAME COLUMN uid TO user_id;
"""),
    # the outer table's column, read inside a subquery over a table without it
    ("column-renamed-outer-reference", """
CREATE TABLE m (org int, uid int);
CREATE TABLE k (org int);
CREATE POLICY p ON m USING (EXISTS (SELECT 1 FROM k WHERE k.org = uid));
ALTER TABLE m RENAME COLUMN uid TO user_id;
"""),
    ("column-renamed-both", """
CREATE TABLE m (org int, uid int);
CREATE POLICY p ON m USING (org IN (SELECT org FROM m WHERE uid = 1));
ALTER TABLE m RENAME COLUMN uid TO user_id;
ALTER TABLE m RENAME TO members;
"""),
    # COMMENT ... IS '' removes the comment, on a policy as on anything else
    ("empty-comment-removes", """
CREATE TABLE u (id int);
CREATE POLICY p ON u USING (id > 0);
COMMENT ON POLICY p ON u IS 'who may read';
COMMENT ON POLICY p ON u IS '';
COMMENT ON TABLE u IS '';
COMMENT ON COLUMN u.id IS 'x';
COMMENT ON COLUMN u.id IS '';
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';
COMMENT ON FUNCTION f() IS '';
"""),
]


@pytest.mark.parametrize("migrations", [m for _, m in CASES], ids=[i for i, _ in CASES])
def test_no_false_difference(pg: PgServer, tmp_path: Path, migrations: str) -> None:
    assert not replay_built_clean(pg, tmp_path, migrations, "wildpol").diagnostics


# (id, migrations, the hand change a database then gets; the policy p on t must be reported)
HAND_CHANGES: list[tuple[str, str, str]] = [
    ("subquery-reads-another-table", """
CREATE TABLE t (id int, org int);
CREATE TABLE t2 (org int);
CREATE POLICY p ON t USING (org IN (SELECT org FROM t));
""", "ALTER POLICY p ON t USING (org IN (SELECT org FROM t2))"),
    ("self-subquery-condition", """
CREATE TABLE t (id int, org int);
CREATE POLICY p ON t USING (EXISTS (SELECT 1 FROM t WHERE t.org = 1));
""", "ALTER POLICY p ON t USING (EXISTS (SELECT 1 FROM t WHERE t.org = 2))"),
    ("renamed-then-another-table", """
CREATE TABLE t (id int, org int);
CREATE TABLE m (org int, uid int);
CREATE TABLE k (org int, uid int);
CREATE POLICY p ON t USING (org IN (SELECT org FROM m WHERE uid = 1));
ALTER TABLE m RENAME COLUMN uid TO user_id;
ALTER TABLE m RENAME TO members;
""", "ALTER POLICY p ON t USING (org IN (SELECT org FROM k WHERE uid = 1))"),
]


@pytest.mark.parametrize(("migrations", "change"), [(m, c) for _, m, c in HAND_CHANGES],
                         ids=[i for i, _, _ in HAND_CHANGES])
def test_hand_change_reported(pg: PgServer, tmp_path: Path, migrations: str, change: str) -> None:
    dbname = pg.create_database("wildpol")
    try:
        with pg.connect_db(dbname, autocommit=True) as conn:
            conn.execute(migrations)  # type: ignore[arg-type]
        expected = replay_sql(migrations, "m.sql")
        _assert_clean(pg, dbname, tmp_path, expected)
        with pg.connect_db(dbname, autocommit=True) as conn:
            conn.execute(change)  # type: ignore[arg-type]
        dump = tmp_path / "changed.sql"
        dump.write_text(pg.pg_dump_schema(dbname, privileges=True), encoding="utf-8")
        for actual in (read_live(pg.dsn(dbname)).catalog, read_dump(dump).catalog):
            found = _found(diff_catalogs(expected.catalog, actual, expected.effects))  # type: ignore[arg-type]
            assert found == {("policy", "public.t.p", "changed", "using")}
    finally:
        pg.drop_database(dbname)
