"""Inference across renames and moves: what a skipped migration made on an object that a later
one renamed or moved is looked for under the new name.

``ALTER TABLE t RENAME TO u`` takes t's columns, constraints and indexes along; ``SET SCHEMA``
and ``ALTER SCHEMA ... RENAME`` move what is in them. Where an earlier migration that added a
column, an index or a comment to t never ran and the rename did, the schema shows it plainly
(u has no such column). The rename was once taken to need every earlier change of t, so the
skipped migration was proven applied "by dependency", and ``sync`` would have recorded it:
its tool would never have run it. Each case builds that database on a real server and checks
that every verdict is proven and is the truth.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from test_infer_overwritten import Case, check_claims

TABLE = "CREATE TABLE t (id int PRIMARY KEY, note text);"
TRUTH_SKIPPED_2 = {1: "applied", 2: "pending", 3: "applied"}

CASES = [
    Case("an index on a table renamed later",
         (TABLE, "CREATE INDEX t_note ON t (note);", "ALTER TABLE t RENAME TO u;"),
         (1, 3), TRUTH_SKIPPED_2),
    Case("a column of a table moved to another schema later",
         (TABLE, "ALTER TABLE t ADD COLUMN extra numeric;",
          "CREATE SCHEMA s;\nALTER TABLE t SET SCHEMA s;"),
         (1, 3), TRUTH_SKIPPED_2),
    Case("a comment on a table renamed later",
         (TABLE, "COMMENT ON TABLE t IS 'notes';", "ALTER TABLE t RENAME TO u;"),
         (1, 3), TRUTH_SKIPPED_2),
    Case("a default of a column renamed later",
         (TABLE, "ALTER TABLE t ALTER COLUMN note SET DEFAULT 'n';",
          "ALTER TABLE t RENAME COLUMN note TO memo;"),
         (1, 3), TRUTH_SKIPPED_2),
    Case("a column of a table renamed, then moved",
         (TABLE, "ALTER TABLE t ADD COLUMN extra int;\nCREATE INDEX t_extra ON t (extra);",
          "ALTER TABLE t RENAME TO u;", "CREATE SCHEMA s;\nALTER TABLE u SET SCHEMA s;"),
         (1, 3, 4), {1: "applied", 2: "pending", 3: "applied", 4: "applied"}),
    Case("the same history run whole",
         (TABLE, "ALTER TABLE t ADD COLUMN extra int;\nCREATE INDEX t_extra ON t (extra);",
          "ALTER TABLE t RENAME TO u;", "CREATE SCHEMA s;\nALTER TABLE u SET SCHEMA s;"),
         (1, 2, 3, 4), {1: "applied", 2: "applied", 3: "applied", 4: "applied"}),
    Case("the same history, the last move not run",
         (TABLE, "ALTER TABLE t ADD COLUMN extra int;\nCREATE INDEX t_extra ON t (extra);",
          "ALTER TABLE t RENAME TO u;", "CREATE SCHEMA s;\nALTER TABLE u SET SCHEMA s;"),
         (1, 2, 3), {1: "applied", 2: "applied", 3: "applied", 4: "pending"}),
    Case("an index in a schema renamed later",
         ("CREATE SCHEMA a;\nCREATE TABLE a.t (id int PRIMARY KEY, note text);",
          "CREATE INDEX t_note ON a.t (note);", "ALTER SCHEMA a RENAME TO b;"),
         (1, 3), TRUTH_SKIPPED_2),
    Case("a comment on a function moved later",
         ("CREATE SCHEMA s;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
          "COMMENT ON FUNCTION f() IS 'one';", "ALTER FUNCTION f() SET SCHEMA s;"),
         (1, 3), TRUTH_SKIPPED_2),
    Case("a history recording the skipped one",
         (TABLE, "CREATE INDEX t_note ON t (note);", "ALTER TABLE t RENAME TO u;"),
         (1, 3), TRUTH_SKIPPED_2, recorded=(1, 2, 3), not_applied=(2,)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_what_a_rename_carried_decides_the_migration_that_made_it(
    pg: PgServer, tmp_path: Path, case: Case
) -> None:
    doc = check_claims(pg, tmp_path, case)
    verdicts = {int(m["version"]): (m["status"], m["proven"]) for m in doc["migrations"]}
    assert verdicts == {v: (status, True) for v, status in case.truth.items()}


RENAMED_BACK = (TABLE, "ALTER TABLE t RENAME TO u;", "ALTER TABLE u ADD COLUMN extra int;",
                "ALTER TABLE u RENAME TO t;", "CREATE INDEX t_note ON t (note);")


@pytest.mark.parametrize(("steps", "extra"), [((1, 2, 3, 4, 5), "applied"),
                                              ((1, 2, 4, 5), "pending")])
def test_a_column_added_between_a_rename_and_the_rename_back(
    pg: PgServer, tmp_path: Path, steps: tuple[int, ...], extra: str
) -> None:
    """The column is looked for on t, through both renames. Whether the two renames ran is
    not asked here: run both or neither, they leave the same schema."""
    truth = {v: "applied" if v in steps else "pending" for v in range(1, 6)}
    doc = check_claims(pg, tmp_path, Case("renamed back", RENAMED_BACK, steps, truth))
    column = next(m for m in doc["migrations"] if m["version"] == "3")
    assert (column["status"], column["proven"]) == (extra, True)


GRANT_REVOKED = [
    Case(f"a grant revoked before the table was {how}, the revoke skipped",
         (TABLE, "GRANT DELETE ON t TO PUBLIC;\nGRANT UPDATE (note) ON t TO PUBLIC;",
          "REVOKE ALL ON t FROM PUBLIC;\nREVOKE UPDATE (note) ON t FROM PUBLIC;", move),
         (1, 2, 4), {1: "applied", 2: "applied", 3: "pending", 4: "applied"})
    for how, move in (("renamed", "ALTER TABLE t RENAME TO u;"),
                      ("moved", "CREATE SCHEMA s;\nALTER TABLE t SET SCHEMA s;"))
]


@pytest.mark.parametrize("case", GRANT_REVOKED, ids=[c.name for c in GRANT_REVOKED])
def test_a_rename_takes_the_grants_a_skipped_revoke_left(
    pg: PgServer, tmp_path: Path, case: Case
) -> None:
    """The whole history's replay revokes the grant before the move: nothing to take along.
    Where the revoke never ran, the move took the grant to the new name, and the old name
    holds none, as if the revoke had run: that absence is no proof of it (fuzz_infer seed
    1511)."""
    doc = check_claims(pg, tmp_path, case)
    revoke = next(m for m in doc["migrations"] if m["version"] == "3")
    assert not (revoke["status"] == "applied" and revoke["proven"])


def test_a_drop_of_what_a_skipped_rename_would_have_made(pg: PgServer, tmp_path: Path) -> None:
    """2 renames the index and 3 drops it under its new name; both skipped, while 4, which
    drops with CASCADE the table 3's view reads, ran. The search took 2 and 3 in with 4 (a
    drop of what 3 made reads as needing it), and 3 was judged against 2 run: its DROP INDEX
    read as run (the new name is absent), a proven partial, though 2's own statements prove
    it never ran (fuzz_infer seed 1523)."""
    case = Case(
        "a drop of what a skipped rename would have made",
        (TABLE + "\nCREATE INDEX i1 ON t (note);\nCREATE TABLE k (id int);",
         "ALTER INDEX i1 RENAME TO i2;",
         "CREATE VIEW kv AS SELECT id FROM k;\nDROP INDEX i2;\nCREATE TABLE y (id int);",
         "DROP TABLE k CASCADE;\nCREATE TABLE z1 (id int);\nCREATE TABLE z2 (id int);"),
        (1, 4), {1: "applied", 2: "pending", 3: "pending", 4: "applied"})
    doc = check_claims(pg, tmp_path, case)
    verdicts = {int(m["version"]): (m["status"], m["proven"]) for m in doc["migrations"]}
    assert verdicts[3] == ("pending", True), verdicts
