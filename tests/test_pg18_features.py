"""Syntax and catalog columns of PostgreSQL 16 to 18, modelled exactly.

Each real-server case builds a database on the session's server (skipped where the server is
older than the syntax) and requires it to compare clean against the replay, live and through
``pg_dump``; each drift case builds one schema, replays another differing only in the new
feature, and requires the difference to be found both ways: no silent equality.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from schemadiff.differences import diff_catalogs
from schemadiff.history import replay_sql
from schemadiff.model import Constraint, Key
from schemadiff.sources.dump import read_dump
from schemadiff.sources.live import read_live
from schemadiff.sql import grammar as g
from schemadiff.sql.tokens import Stream
from test_wild_histories import replay_built_clean

TEMPORAL = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE room (id int, valid tstzrange, PRIMARY KEY (id, valid WITHOUT OVERLAPS));
CREATE TABLE booking (
    id int, room_id int, valid tstzrange,
    UNIQUE (id, valid WITHOUT OVERLAPS),
    FOREIGN KEY (room_id, PERIOD valid) REFERENCES room (id, PERIOD valid)
);
"""

NOT_ENFORCED = """
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE t (
    id int PRIMARY KEY, p_id int REFERENCES p (id) NOT ENFORCED,
    a int CHECK (a > 1) NOT ENFORCED,
    CONSTRAINT a_pos CHECK (a > 0) NOT ENFORCED,
    CONSTRAINT t_p_fk FOREIGN KEY (p_id) REFERENCES p (id) NOT ENFORCED
);
ALTER TABLE t ADD CONSTRAINT a_small CHECK (a < 100) NOT ENFORCED;
ALTER TABLE t ALTER CONSTRAINT t_p_fk ENFORCED;
ALTER TABLE t ADD CONSTRAINT t_p2 FOREIGN KEY (p_id) REFERENCES p (id);
ALTER TABLE t ALTER CONSTRAINT t_p2 NOT ENFORCED;
"""

#: (id, the oldest major version with the syntax, SQL)
CASES: list[tuple[str, int, str]] = [
    ("temporal-keys", 18, TEMPORAL),
    ("not-enforced", 18, NOT_ENFORCED),
]


def _need(pg: PgServer, major: int) -> None:
    if pg.major < major:
        pytest.skip(f"PostgreSQL {pg.major}: the syntax is PostgreSQL {major}'s")


@pytest.mark.parametrize(("major", "sql"), [(m, s) for _, m, s in CASES],
                         ids=[i for i, _, _ in CASES])
def test_no_false_difference(pg: PgServer, tmp_path: Path, major: int, sql: str) -> None:
    _need(pg, major)
    assert not replay_built_clean(pg, tmp_path, sql, prefix="pg18").diagnostics


#: (id, oldest major, SQL the database runs, SQL the history says, the attribute that differs)
DRIFT: list[tuple[str, int, str, str, tuple[str, str]]] = [
    ("without-overlaps", 18, TEMPORAL,
     TEMPORAL.replace("valid WITHOUT OVERLAPS)", "valid)").replace("PERIOD ", ""),
     ("room_pkey", "period")),
    ("not-enforced-check", 18,
     "CREATE TABLE t (a int, CONSTRAINT c CHECK (a > 0) NOT ENFORCED);",
     "CREATE TABLE t (a int, CONSTRAINT c CHECK (a > 0));", ("c", "enforced")),
    ("altered-to-not-enforced", 18,
     "CREATE TABLE p (id int PRIMARY KEY);\n"
     "CREATE TABLE t (p_id int CONSTRAINT f REFERENCES p);\n"
     "ALTER TABLE t ALTER CONSTRAINT f NOT ENFORCED;",
     "CREATE TABLE p (id int PRIMARY KEY);\n"
     "CREATE TABLE t (p_id int CONSTRAINT f REFERENCES p);", ("f", "enforced")),
]


@pytest.mark.parametrize(("major", "built", "history", "expected"),
                         [d[1:] for d in DRIFT], ids=[d[0] for d in DRIFT])
def test_drift_is_found(pg: PgServer, tmp_path: Path, major: int, built: str, history: str,
                        expected: tuple[str, str]) -> None:
    _need(pg, major)
    dbname = pg.create_database("pg18drift")
    try:
        with pg.connect_db(dbname, autocommit=True) as conn:
            conn.execute(built)  # type: ignore[arg-type]
        replay = replay_sql(history, "m.sql")
        assert not replay.diagnostics
        dump = tmp_path / "dump.sql"
        dump.write_text(pg.pg_dump_schema(dbname, privileges=True), encoding="utf-8")
        for source, actual in (("live", read_live(pg.dsn(dbname)).catalog),
                               ("dump", read_dump(dump).catalog)):
            found = {(d.key.sub, d.attribute)
                     for d in diff_catalogs(replay.catalog, actual, replay.effects)}
            assert expected in found, (source, found)
    finally:
        pg.drop_database(dbname)


@pytest.mark.parametrize(("text", "columns", "ref_columns", "period"), [
    ("PRIMARY KEY (id, valid WITHOUT OVERLAPS)", ("id", "valid"), (), True),
    ("UNIQUE (id, valid WITHOUT OVERLAPS) DEFERRABLE", ("id", "valid"), (), True),
    ("UNIQUE (id, valid)", ("id", "valid"), (), False),
    ("FOREIGN KEY (r, PERIOD valid) REFERENCES room (id, PERIOD valid)",
     ("r", "valid"), ("id", "valid"), True),
    ('FOREIGN KEY (period, "PERIOD") REFERENCES room (period, "PERIOD")',
     ("period", "PERIOD"), ("period", "PERIOD"), False),
])
def test_temporal_key_grammar(text: str, columns: tuple[str, ...],
                              ref_columns: tuple[str, ...], period: bool) -> None:
    c = g.table_constraint(Stream(text))
    assert (c.columns, c.ref_columns, c.period) == (columns, ref_columns, period)


@pytest.mark.parametrize(("sql", "enforced", "validated"), [
    ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED;", False, False),
    ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) ENFORCED;", True, True),
    ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT ENFORCED;\n"
     "ALTER TABLE t ALTER CONSTRAINT c ENFORCED;", True, True),
    ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);\n"
     "ALTER TABLE t ALTER CONSTRAINT c NOT ENFORCED;", False, False),
    ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;", True, False),
])
def test_enforcement_replay(sql: str, enforced: bool, validated: bool) -> None:
    replay = replay_sql("CREATE TABLE t (a int);\n" + sql, "m.sql")
    c = replay.catalog.objects[Key("constraint", "public", "t", "c")]
    assert isinstance(c, Constraint)
    assert (c.enforced, c.validated) == (enforced, validated)
