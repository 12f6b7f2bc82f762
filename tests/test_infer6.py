"""Damaged databases the fuzzers and real incidents made: no proven claim the truth refutes.

Each case builds a database on a real server (sqlx files; what ran, whole or as SQL run by
hand; the history rows, or none) and checks every verdict ``schemadiff infer`` calls proven,
and what ``sync`` would record or prune, against the truth the case built (the helper of
``tests/test_infer_overwritten.py``). A wrong ``applied`` makes the tool skip a migration for
ever, a wrong ``pending`` or ``partial`` makes it run one again on a live database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from test_infer_overwritten import Case, check_claims

TABLE = "CREATE TABLE t (id int PRIMARY KEY, status text DEFAULT 'a', note text);"
A, P = "applied", "pending"


def _truth(n: int, *applied: int) -> dict[int, str]:
    return {v: A if v in applied else P for v in range(1, n + 1)}


CASES = [
    # fuzz_infer seed 2026: DROP TABLE parent CASCADE took the inheriting table, and with
    # it a function returning SETOF the child's row type; the replay kept the function, so
    # the migration that made it read as a proven partial
    Case(
        "a function over an inheriting table's row type, the parent dropped with CASCADE",
        (TABLE + "\nCREATE TABLE p (id int);\nCREATE TABLE c (extra int) INHERITS (p);",
         "CREATE FUNCTION f() RETURNS SETOF c LANGUAGE sql STABLE AS 'SELECT * FROM c';\n"
         "CREATE TABLE x (id int);",
         "DROP TABLE p CASCADE;"),
        (1, 2, 3),
        _truth(3, 1, 2, 3),
    ),
    Case(
        "a function over a partition's row type, the partitioned table dropped with CASCADE",
        (TABLE + "\nCREATE TABLE p (id int) PARTITION BY RANGE (id);\n"
         "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);",
         "CREATE FUNCTION g(r p1) RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
         "CREATE TABLE x (id int);",
         "DROP TABLE p CASCADE;"),
        (1, 2, 3),
        _truth(3, 1, 2, 3),
    ),
    # a migration applied by another tool (or by hand) under the constraint name PostgreSQL
    # chooses: the constraint is there under another name, which is no proof of absence
    Case(
        "a unique constraint made by hand under PostgreSQL's name, not recorded",
        (TABLE, "ALTER TABLE t ADD CONSTRAINT t_note_uq UNIQUE (note);"),
        (1, "ALTER TABLE t ADD UNIQUE (note);"),
        _truth(2, 1, 2),
        recorded=(1,),
    ),
    Case(
        "a check constraint made by hand under another name, and a later migration",
        (TABLE, "ALTER TABLE t ADD CONSTRAINT status_ok CHECK (status <> '');",
         "CREATE TABLE x (id int);"),
        (1, "ALTER TABLE t ADD CHECK (status <> '');", 3),
        _truth(3, 1, 2, 3),
    ),
    Case(
        "a foreign key renamed by hand, the history recording the others",
        (TABLE + "\nCREATE TABLE c (id int, t_id int);",
         "ALTER TABLE c ADD CONSTRAINT c_t_fk FOREIGN KEY (t_id) REFERENCES t (id);",
         "CREATE TABLE x (id int);"),
        (1, 2, 3, "ALTER TABLE c RENAME CONSTRAINT c_t_fk TO fk_c_t;"),
        _truth(3, 1, 2, 3),
        recorded=(1, 3),
    ),
]


DEFAULT = "ALTER TABLE t ALTER COLUMN status SET DEFAULT '{}';"
CASES += [
    # a branch's migration 2 merged after 3 was deployed, then applied out of order (goose
    # -allow-missing, dbmate's default, Flyway outOfOrder), the history truncated since: the
    # schema holds 2's default, as if 3 never ran; a proven pending (or partial) would have
    # the tool run 3 again
    Case(
        "an earlier migration run after a later one, setting what it set; history truncated",
        (TABLE, DEFAULT.format("b"), DEFAULT.format("c")),
        (1, 3, 2),
        _truth(3, 1, 2, 3),
        recorded=(1,),
    ),
    Case(
        "the same, the later one also making a table",
        (TABLE, DEFAULT.format("b") + "\nCREATE TABLE x (id int);",
         DEFAULT.format("c") + "\nCREATE TABLE y (id int);"),
        (1, 3, 2),
        _truth(3, 1, 2, 3),
        recorded=(1,),
    ),
    Case(
        "a comment set by an earlier migration run after a later one; history truncated",
        (TABLE, "COMMENT ON TABLE t IS 'b';", "COMMENT ON TABLE t IS 'c';",
         "CREATE TABLE x (id int);"),
        (1, 3, 2, 4),
        _truth(4, 1, 2, 3, 4),
        recorded=(1,),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_wrong_proven_claim(pg: PgServer, tmp_path: Path, case: Case) -> None:
    check_claims(pg, tmp_path, case)


#: (case, version, the verdict it must get): the fixes keep the proof where it is due
VERDICTS = [
    (CASES[0], 2, ("applied", True)),
    (CASES[1], 2, ("applied", True)),
    (CASES[2], 2, ("applied", False)),
    (CASES[3], 2, ("applied", False)),
    # the history records 2 and not 3: 3 skipped is the story it tells, still proven
    (Case("an earlier migration's default, the later one skipped, the history recording it",
          (TABLE, DEFAULT.format("b"), DEFAULT.format("c"), "CREATE TABLE x (id int);"),
          (1, 2, 4), _truth(4, 1, 2, 4), recorded=(1, 2, 4)), 3, ("pending", True)),
]


@pytest.mark.parametrize(("case", "version", "verdict"), VERDICTS,
                         ids=[c.name for c, _, _ in VERDICTS])
def test_verdict(pg: PgServer, tmp_path: Path, case: Case, version: int,
                 verdict: tuple[str, bool]) -> None:
    doc = check_claims(pg, tmp_path, case)
    got = {int(m["version"]): (m["status"], m["proven"]) for m in doc["migrations"]}
    assert got[version] == verdict, got
