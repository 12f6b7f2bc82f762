"""Inference on patterns found in real migration histories, against a real server.

Each case is a history built whole on PostgreSQL with its history table wiped: every
version must be inferred applied, none pending or partial.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from schemadiff.differences import ignore_history_tables
from schemadiff.history import parse_migration, replay_parsed
from schemadiff.inference import infer_applied
from schemadiff.recorded import Recorded
from schemadiff.sources.live import read_live
from schemadiff.tools import history_tables, read_migrations

KEEP = ignore_history_tables(history_tables())

CASES: list[tuple[str, list[str]]] = [
    # a column renamed under a view leaves its query undecided; renamed back, the view reads
    # as it did: the undecided query is no evidence that the rename did not run
    ("view-query-undecided-by-rename", [
        "CREATE TABLE charges (id int PRIMARY KEY, amount numeric);\n"
        "CREATE VIEW payments AS SELECT id, amount FROM charges;\n",
        "DROP VIEW payments;\n"
        "CREATE VIEW payments WITH (security_barrier) AS SELECT id, amount FROM charges;\n"
        "ALTER TABLE charges RENAME COLUMN amount TO gross_amount;\n",
        "ALTER TABLE charges RENAME COLUMN gross_amount TO amount;\n",
    ]),
]


@pytest.mark.parametrize("files", [f for _, f in CASES], ids=[i for i, _ in CASES])
def test_history_built_whole_is_applied(pg: PgServer, tmp_path: Path, files: list[str]) -> None:
    for i, sql in enumerate(files, 1):
        (tmp_path / f"{i:05d}_m.sql").write_text(f"-- +goose Up\n{sql}", encoding="utf-8")
    _, migrations = read_migrations(tmp_path, "goose")
    parsed = [parse_migration(m) for m in migrations]
    dbname = pg.create_database("infer_wild")
    try:
        for sql in files:
            with pg.connect_db(dbname, autocommit=True) as conn:
                conn.execute(sql)  # type: ignore[arg-type]
        actual = read_live(pg.dsn(dbname)).catalog
    finally:
        pg.drop_database(dbname)
    result = infer_applied(
        "goose", migrations, replay_parsed(parsed), actual, Recorded.none("goose"), KEEP,
        replay_subset=lambda indexes: replay_parsed([parsed[i] for i in indexes]),
    )
    assert {v.migration.version: str(v.status) for v in result.verdicts} == {
        m.version: "applied" for m in migrations
    }
