"""Moves that cancel out: what no schema can tell apart is never proven.

``ALTER TABLE t RENAME TO u`` in one migration and ``ALTER TABLE u RENAME TO t`` in a later
one (a column, an index, ``SET SCHEMA`` and back, a rename and a move that end where they
began) leave the same schema whether both ran or neither: each judged on its own was
proven, one way or the other, and ``sync`` would have recorded (or pruned) a row the schema
cannot vouch for. Where only the first ran, the schema shows the new name, and that is still
proven. Each case builds the database on a real server and checks every proven claim against
the truth; the verdicts on the moves themselves are checked too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from test_infer_overwritten import Case, check_claims

TABLE = (
    "CREATE SCHEMA s;\nCREATE TABLE t (id int PRIMARY KEY, note text);\n"
    "CREATE INDEX t_note ON t (note);"
)
AFTER = "CREATE TABLE x (id int);"

#: (name, the move, the move back)
MOVES = [
    ("a table", "ALTER TABLE t RENAME TO u;", "ALTER TABLE u RENAME TO t;"),
    ("a column", "ALTER TABLE t RENAME COLUMN note TO memo;",
     "ALTER TABLE t RENAME COLUMN memo TO note;"),
    ("an index", "ALTER INDEX t_note RENAME TO t_memo;", "ALTER INDEX t_memo RENAME TO t_note;"),
    ("a table moved to a schema and back", "ALTER TABLE t SET SCHEMA s;",
     "ALTER TABLE s.t SET SCHEMA public;"),
    ("a table renamed, then moved and renamed back",
     "ALTER TABLE t RENAME TO u;",
     "ALTER TABLE u SET SCHEMA s;\nALTER TABLE s.u RENAME TO t;\nALTER TABLE s.t SET SCHEMA public;"),
]


def _case(name: str, move: str, back: str, steps: tuple[int, ...], after: str = AFTER,
          **kw: object) -> Case:
    migrations = (TABLE, move, back, after)
    truth = {v: "applied" if v in steps else "pending" for v in range(1, 5)}
    return Case(name, migrations, steps, truth, **kw)  # type: ignore[arg-type]


CANCELLED = [
    _case(f"{what}, both moves run", move, back, (1, 2, 3, 4))
    for what, move, back in MOVES
] + [
    _case(f"{what}, neither move run", move, back, (1, 4))
    for what, move, back in MOVES
] + [
    _case(f"{what}, neither move run, the history recording both", move, back, (1, 4),
          recorded=(1, 2, 3, 4))
    for what, move, back in MOVES[:1]
] + [
    _case(f"{what}, both moves run, the history recording neither", move, back, (1, 2, 3, 4),
          recorded=(1, 4))
    for what, move, back in MOVES[:1]
] + [
    # the later migration builds on the table: on what made it, under either story
    _case(f"{what}, {which}, a later index on the table", move, back, steps,
          after="CREATE INDEX t_id ON t (id);")
    for what, move, back in MOVES[:1]
    for which, steps in (("both moves run", (1, 2, 3, 4)), ("neither move run", (1, 4)))
]


@pytest.mark.parametrize("case", CANCELLED, ids=[c.name for c in CANCELLED])
def test_moves_that_cancel_out_are_not_proven(
    pg: PgServer, tmp_path: Path, case: Case
) -> None:
    doc = check_claims(pg, tmp_path, case)
    verdicts = {int(m["version"]): (m["status"], m["proven"]) for m in doc["migrations"]}
    assert not verdicts[2][1] and not verdicts[3][1], verdicts
    assert verdicts[1] == ("applied", True) and verdicts[4] == ("applied", True), verdicts


#: the move back also adds a column: run both or neither, the column tells them apart
BACK_AND_MORE = ("ALTER TABLE t RENAME TO u;", "ALTER TABLE u RENAME TO t;\n"
                 "ALTER TABLE t ADD COLUMN extra int;")
ONE_WAY = [_case(f"{what}, only the first move run", move, back, (1, 2, 4))
           for what, move, back in MOVES] + [
    _case(f"a table renamed back with a column added, {which}", *BACK_AND_MORE, steps)
    for which, steps in (("both run", (1, 2, 3, 4)), ("neither run", (1, 4)),
                         ("only the first run", (1, 2, 4)))
]


@pytest.mark.parametrize("case", ONE_WAY, ids=[c.name for c in ONE_WAY])
def test_a_move_not_cancelled_is_still_proven(
    pg: PgServer, tmp_path: Path, case: Case
) -> None:
    doc = check_claims(pg, tmp_path, case)
    verdicts = {int(m["version"]): (m["status"], m["proven"]) for m in doc["migrations"]}
    assert verdicts == {v: (status, True) for v, status in case.truth.items()}
