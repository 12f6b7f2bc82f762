"""Rewrites: statements that set something to the value it already had.

They change nothing in the replay, so they are not effects; but in a database where the
earlier setter never ran, they are what set it, so inference counts them as setters (see
``test_infer_overwritten.py`` for the verdicts on a real server). Each case replays a few
statements and lists the rewrites of the last one: (kind, name, attribute).
"""

from __future__ import annotations

import pytest

from schemadiff.history import replay_sql
from schemadiff.inference import FactTable, dependency_edges

T = "CREATE TABLE t (id int PRIMARY KEY, note text);\n"
FN = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"

CASES: list[tuple[str, str, set[tuple[str, str, str]]]] = [
    ("extension again", "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
     "CREATE EXTENSION IF NOT EXISTS pgcrypto;", {("extension", "pgcrypto", "*")}),
    ("schema again", "CREATE SCHEMA IF NOT EXISTS s;\nCREATE SCHEMA IF NOT EXISTS s;",
     {("schema", "s", "*")}),
    ("table again", T + "CREATE TABLE IF NOT EXISTS t (id int);", {("table", "t", "*")}),
    ("index again", T + "CREATE INDEX IF NOT EXISTS i ON t (note);\n"
     "CREATE INDEX IF NOT EXISTS i ON t (note);", {("index", "i", "*")}),
    ("column again", T + "ALTER TABLE t ADD COLUMN IF NOT EXISTS note text;",
     {("column", "t", "*")}),
    ("sequence again", "CREATE SEQUENCE IF NOT EXISTS q;\nCREATE SEQUENCE IF NOT EXISTS q;",
     {("sequence", "q", "*")}),
    ("dropped table again", T + "DROP TABLE t;\nDROP TABLE IF EXISTS t;", {("table", "t", "*")}),
    ("dropped column again", T + "ALTER TABLE t DROP COLUMN note;\n"
     "ALTER TABLE t DROP COLUMN IF EXISTS note;", {("column", "t", "*")}),
    ("dropped extension again", "CREATE EXTENSION pgcrypto;\nDROP EXTENSION pgcrypto;\n"
     "DROP EXTENSION IF EXISTS pgcrypto;", {("extension", "pgcrypto", "*")}),
    ("the same comment", T + "COMMENT ON TABLE t IS 'x';\nCOMMENT ON TABLE t IS 'x';",
     {("table", "t", "comment")}),
    # the same function again: its existence and every attribute but its comment
    ("the same function", FN + FN, {("function", "f", "*"), ("function", "f", "body")}),
    # what really changes is an effect, not a rewrite: only the rest is rewritten
    ("a changed function", FN + FN.replace("SELECT 1", "SELECT 2"), {("function", "f", "*")}),
    ("another comment", T + "COMMENT ON TABLE t IS 'x';\nCOMMENT ON TABLE t IS 'y';", set()),
    ("a new table", "CREATE TABLE IF NOT EXISTS t (id int);", set()),
    ("nothing to drop", "DROP TABLE IF EXISTS t;", {("table", "t", "*")}),
    # a view dropped before: the later drop of what it read would have taken it along
    ("a gone view's column", T + "CREATE VIEW v AS SELECT id, note FROM t;\nDROP VIEW v;\n"
     "ALTER TABLE t DROP COLUMN note CASCADE;", {("view", "v", "*")}),
    ("a gone view's table", T + "CREATE VIEW v AS SELECT id FROM t;\nDROP VIEW v;\n"
     "DROP TABLE t CASCADE;", {("view", "v", "*")}),
    ("a column a gone view did not read", T + "CREATE VIEW v AS SELECT id FROM t;\n"
     "DROP VIEW v;\nALTER TABLE t DROP COLUMN note;", set()),
    ("a view made again", T + "CREATE VIEW v AS SELECT id FROM t;\nDROP VIEW v;\n"
     "CREATE VIEW v AS SELECT 1 AS one;\nDROP TABLE t;", set()),
]


@pytest.mark.parametrize(("sql", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rewrites_of_the_last_statement(sql: str, expected: set[tuple[str, str, str]]) -> None:
    replay = replay_sql(sql)
    last = max((e.index for e in replay.rewrites), default=-1)
    statements = sql.count(";") - 1
    found = {(e.key.kind, e.key.name, e.attribute) for e in replay.rewrites if e.index == last}
    if expected:
        assert last == statements
    if any(kind == "function" for kind, _, _ in expected):  # of its attributes, body is named
        found = {f for f in found if f[2] in ("*", "body")}
    assert found == expected


def _facts(sql_by_migration: list[str]) -> tuple[FactTable, list[str]]:
    from schemadiff.history import replay_migrations
    from schemadiff.migration import Migration

    migrations = [Migration(str(i), f"m{i}", f"{i}.sql", sql)
                  for i, sql in enumerate(sql_by_migration, 1)]
    replay = replay_migrations(migrations)
    index = {m.version: i for i, m in enumerate(migrations)}
    return FactTable.build(replay.effects, index, None, replay.rewrites), [
        m.version for m in migrations]


def test_a_rewrite_is_a_setter_of_what_an_earlier_migration_set() -> None:
    table, _ = _facts(["CREATE EXTENSION IF NOT EXISTS pgcrypto;", "CREATE TABLE x (id int);",
                       "CREATE EXTENSION IF NOT EXISTS pgcrypto;"])
    (fid,) = [i for i, (key, attr) in enumerate(table.names) if key.kind == "extension"]
    assert [mi for mi, _ in table.setters[fid]] == [0, 2]


def test_a_rewrite_of_what_no_earlier_migration_set_is_no_setter() -> None:
    # DROP TABLE IF EXISTS t; CREATE TABLE t: the drop says nothing about a t before it
    table, _ = _facts(["DROP TABLE IF EXISTS t;\nCREATE TABLE t (id int);"])
    (fid,) = [i for i, (key, attr) in enumerate(table.names) if (key.kind, attr) == ("table", "*")]
    assert [mi for mi, _ in table.setters[fid]] == [0]


def test_a_change_of_one_attribute_needs_only_the_last_change_of_that_attribute() -> None:
    from schemadiff.history import replay_migrations
    from schemadiff.migration import Migration

    sqls = [T, "COMMENT ON TABLE t IS 'x';", "ALTER TABLE t ENABLE ROW LEVEL SECURITY;",
            "COMMENT ON TABLE t IS 'y';", "DROP TABLE t;"]
    migrations = [Migration(str(i), f"m{i}", f"{i}.sql", sql) for i, sql in enumerate(sqls)]
    replay = replay_migrations(migrations)
    edges = dependency_edges(replay.effects, {m.version: i for i, m in enumerate(migrations)})
    assert edges[0] == {1, 2, 3, 4}  # what made t: everything after builds on it
    assert edges[1] == {3}  # the comment: the next comment (the drop builds on that), not RLS
    assert edges[2] == {4}
    assert edges[3] == {4}
