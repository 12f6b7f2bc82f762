"""PostgreSQL's own name choices: makeObjectName, ChooseRelationName and friends.

The pure rows pin the algorithm (63-byte limit, the longer part shortened first, whole UTF-8
characters only, collision suffixes); ``test_names_match_server`` asks a real server for the
names it chose in the same situations.
"""

from __future__ import annotations

from typing import Any

import pytest

from schemadiff.sql.names import (
    choose_name,
    index_column_names,
    make_object_name,
    name_addition,
)

A40, B40 = "a" * 40, "b" * 40
U40 = "ü" * 40  # 80 bytes

# (id, name1, name2, label, expected)
OBJECT_NAMES: list[tuple[str, str, str | None, str | None, str]] = [
    ("simple", "t", "a", "key", "t_a_key"),
    ("no-name2", "t", None, "pkey", "t_pkey"),
    ("no-label", "t", "a", None, "t_a"),
    ("exactly-63", "t" * 59, None, "key", "t" * 59 + "_key"),
    ("name1-shortened", "t" * 70, None, "pkey", "t" * 58 + "_pkey"),
    ("both-long-even", A40, B40, "key", "a" * 29 + "_" + "b" * 29 + "_key"),
    ("longer-first", "a" * 50, "b" * 10, "fkey", "a" * 47 + "_" + "b" * 10 + "_fkey"),
    ("name2-longer", "a" * 10, "b" * 50, "idx", "a" * 10 + "_" + "b" * 48 + "_idx"),
    ("multibyte", U40, None, "pkey", "ü" * 29 + "_pkey"),
    ("multibyte-not-split", "a" + U40, None, "pkey", "a" + "ü" * 28 + "_pkey"),
]


@pytest.mark.parametrize(("name1", "name2", "label", "expected"),
                         [row[1:] for row in OBJECT_NAMES], ids=[row[0] for row in OBJECT_NAMES])
def test_make_object_name(name1: str, name2: str | None, label: str | None, expected: str) -> None:
    got = make_object_name(name1, name2, label)
    assert got == expected
    assert len(got.encode()) <= 63


# (id, name1, name2, label, taken, expected)
CHOSEN: list[tuple[str, str, str | None, str, set[str], str]] = [
    ("free", "t", "a", "idx", set(), "t_a_idx"),
    ("taken-once", "t", "a", "idx", {"t_a_idx"}, "t_a_idx1"),
    ("taken-twice", "t", "a", "idx", {"t_a_idx", "t_a_idx1"}, "t_a_idx2"),
    ("other-label-free", "t", "a", "key", {"t_a_idx"}, "t_a_key"),
    ("suffix-shortens-name", "t" * 59, None, "key", {"t" * 59 + "_key"}, "t" * 58 + "_key1"),
    ("seq", "t", "id", "seq", {"t_id_seq"}, "t_id_seq1"),
]


@pytest.mark.parametrize(("name1", "name2", "label", "taken", "expected"),
                         [row[1:] for row in CHOSEN], ids=[row[0] for row in CHOSEN])
def test_choose_name(name1: str, name2: str | None, label: str, taken: set[str],
                     expected: str) -> None:
    assert choose_name(name1, name2, label, taken.__contains__) == expected


@pytest.mark.parametrize(("names", "expected"), [
    (["a"], "a"),
    (["a", "b", "c"], "a_b_c"),
    (["lower", "expr"], "lower_expr"),
    ([], ""),
], ids=["one", "three", "expressions", "none"])
def test_name_addition(names: list[str], expected: str) -> None:
    assert name_addition(names) == expected


def test_name_addition_stops_past_the_limit() -> None:
    out = name_addition(["x" * 40, "y" * 40, "z" * 40])
    assert out == "x" * 40 + "_" + "y" * 40  # the third name is never reached


@pytest.mark.parametrize(("names", "expected"), [
    (["a", "b"], ["a", "b"]),
    (["expr", "expr", "expr"], ["expr", "expr1", "expr2"]),
    (["lower", "lower"], ["lower", "lower1"]),
    (["a", "a1", "a"], ["a", "a1", "a2"]),
], ids=["distinct", "expr", "functions", "skips-existing"])
def test_index_column_names(names: list[str], expected: list[str]) -> None:
    assert index_column_names(names) == expected


# Each statement creates one object whose name PostgreSQL chooses; the row says the name
# make_object_name / choose_name predict. Run in one database, in order.
SERVER_ROWS: list[tuple[str, str, str]] = [
    ("CREATE TABLE t (a int, b int)", "", ""),
    ("ALTER TABLE t ADD PRIMARY KEY (a)", "constraint", make_object_name("t", None, "pkey")),
    ("CREATE INDEX ON t (a, b)", "index", make_object_name("t", "a_b", "idx")),
    ("CREATE INDEX ON t (a, b)", "index", choose_name("t", "a_b", "idx", {"t_a_b_idx"}.__contains__)),
    (f'CREATE TABLE "{U40}" (x int PRIMARY KEY)', "constraint", make_object_name(U40, None, "pkey")),
    (f"CREATE TABLE {A40} ({B40} int UNIQUE)", "constraint", make_object_name(A40, B40, "key")),
    (f"CREATE TABLE {'t' * 59} (x int PRIMARY KEY)", "constraint",
     make_object_name("t" * 59, None, "pkey")),
    (f"CREATE INDEX ON {'t' * 59} ((x + 1))", "index", make_object_name("t" * 59, "expr", "idx")),
    (f"CREATE INDEX ON {'t' * 59} ((x + 1))", "index",
     choose_name("t" * 59, "expr", "idx", {make_object_name("t" * 59, "expr", "idx")}.__contains__)),
]


def test_names_match_server(pg: Any) -> None:
    """The server chooses the same names for the same statements."""
    db = pg.create_database("names")
    try:
        with pg.connect_db(db, autocommit=True) as conn:
            for sql, kind, expected in SERVER_ROWS:
                before = _names(conn, kind) if kind else set()
                conn.execute(sql)
                if kind:
                    assert _names(conn, kind) - before == {expected}, sql
    finally:
        pg.drop_database(db)


def _names(conn: Any, kind: str) -> set[str]:
    if kind == "constraint":
        query = ("SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
                 " WHERE n.nspname = 'public' AND c.contype <> 'n'")  # PG18: NOT NULL
    else:
        query = ("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                 " WHERE n.nspname = 'public' AND relkind = 'i'")
    return {r[0] for r in conn.execute(query).fetchall()}
