"""Inference on patterns found in real migration histories, against a real server.

Each case is a goose history, the SQL that built the database (all of it, or some
migrations and statements run by hand), the versions its history records, and the status
each version must be inferred to have.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from schemadiff.differences import ignore_history_tables
from schemadiff.history import parse_migration, replay_parsed
from schemadiff.inference import Inference, infer_applied
from schemadiff.recorded import Recorded, RecordedVersion
from schemadiff.sources.live import read_live
from schemadiff.tools import history_tables, read_migrations

KEEP = ignore_history_tables(history_tables())

RENAMED_BACK = [
    "CREATE TABLE charges (id int PRIMARY KEY, amount numeric);\n"
    "CREATE VIEW payments AS SELECT id, amount FROM charges;\n",
    "DROP VIEW payments;\n"
    "CREATE VIEW payments WITH (security_barrier) AS SELECT id, amount FROM charges;\n"
    "ALTER TABLE charges RENAME COLUMN amount TO gross_amount;\n",
    "ALTER TABLE charges RENAME COLUMN gross_amount TO amount;\n",
]
RECREATED = [
    "CREATE TABLE m (id int PRIMARY KEY, name text);\n"
    "CREATE VIEW volume AS SELECT id, name FROM m;\n",
    "CREATE TABLE payouts (id int PRIMARY KEY, m_id int);\n"
    "DROP VIEW volume;\n"
    "ALTER TABLE m ADD COLUMN country text;\n"
    "CREATE VIEW volume AS SELECT m.id, m.name, m.country FROM m JOIN payouts p ON p.m_id = m.id;\n",
    "CREATE TABLE addresses (m_id int PRIMARY KEY, city text);\n"
    "DROP VIEW volume;\n"
    "CREATE VIEW volume AS SELECT m.id, a.city FROM m JOIN addresses a ON a.m_id = m.id;\n",
]
REINDEXED = [
    "CREATE TABLE merchants (id int PRIMARY KEY, name text, status text);\n",
    "ALTER TABLE merchants ADD COLUMN country char(2);\n"
    "CREATE INDEX merchants_name_idx ON merchants (lower(name) text_pattern_ops);\n"
    "DROP INDEX merchants_name_idx;\n"
    "CREATE INDEX merchants_name_idx ON merchants (lower(name) varchar_pattern_ops)"
    " WHERE status <> 'closed';\n",
]

#: (id, migrations, SQL run on the database, versions recorded, statuses)
CASES: list[tuple[str, list[str], list[str], list[str], list[str]]] = [
    # a column renamed under a view leaves its query undecided; renamed back, the view reads
    # as it did: the undecided query is no evidence that the rename did not run
    ("view-query-undecided-by-rename", RENAMED_BACK, RENAMED_BACK, [],
     ["applied", "applied", "applied"]),
    # a migration dropping a view and creating it again, of which only the DROP was run by
    # hand: the view missing is that statement's trace (and no later migration's that drops
    # and creates it too)
    ("drop-of-a-recreated-view-run-by-hand", RECREATED,
     [RECREATED[0], "DROP VIEW volume;"], ["1"], ["applied", "partial", "pending"]),
    # the same with an index created, dropped and created otherwise: the first form in the
    # schema is the first CREATE's trace
    ("first-of-a-recreated-index-run-by-hand", REINDEXED,
     [REINDEXED[0], "CREATE INDEX merchants_name_idx ON merchants (lower(name) text_pattern_ops);"],
     ["1"], ["applied", "partial"]),
]


@pytest.mark.parametrize(("files", "built", "recorded", "statuses"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_inferred_status(pg: PgServer, tmp_path: Path, files: list[str], built: list[str],
                         recorded: list[str], statuses: list[str]) -> None:
    result = _inference(pg, tmp_path, files, built, recorded)
    assert [str(v.status) for v in result.verdicts] == statuses


def _infer(pg: PgServer, tmp_path: Path, files: list[str], built: list[str],
           recorded: list[str]) -> list[tuple[str, str, bool]]:
    """Each migration's (status, confidence, proven) on a database built by ``built``."""
    result = _inference(pg, tmp_path, files, built, recorded)
    return [(str(v.status), str(v.confidence), v.proven) for v in result.verdicts]


def _inference(pg: PgServer, tmp_path: Path, files: list[str], built: list[str],
               recorded: list[str]) -> Inference:
    for i, sql in enumerate(files, 1):
        head = "" if sql.startswith("-- +goose") else "-- +goose Up\n"
        (tmp_path / f"{i:05d}_m.sql").write_text(head + sql, encoding="utf-8")
    _, migrations = read_migrations(tmp_path, "goose")
    parsed = [parse_migration(m) for m in migrations]
    dbname = pg.create_database("infer_wild")
    try:
        for sql in built:
            with pg.connect_db(dbname, autocommit=True) as conn:
                conn.execute(sql)  # type: ignore[arg-type]
        actual = read_live(pg.dsn(dbname)).catalog
    finally:
        pg.drop_database(dbname)
    history = (Recorded("goose", "file", True, tuple(RecordedVersion(v) for v in recorded))
               if recorded else Recorded.none("goose"))
    result = infer_applied(
        "goose", migrations, replay_parsed(parsed), actual, history, KEEP,
        replay_subset=lambda indexes: replay_parsed([parsed[i] for i in indexes]),
    )
    return result


RENAMED_BESIDE_A_VIEW = [
    "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n"
    "CREATE VIEW va AS SELECT id, a FROM t;\n"
    "CREATE VIEW vb AS SELECT id, b FROM t;\n",
    "ALTER TABLE t RENAME COLUMN b TO c;\n",
    "CREATE OR REPLACE VIEW va AS SELECT id, a FROM t WHERE a > 0;\n",
]


@pytest.mark.parametrize(("built", "statuses"), [
    (RENAMED_BESIDE_A_VIEW[:2], ["applied", "applied", "pending"]),
    (RENAMED_BESIDE_A_VIEW, ["applied", "applied", "applied"]),
], ids=["replace-not-run", "replace-run"])
def test_rename_leaves_views_not_reading_the_column_decided(
        pg: PgServer, tmp_path: Path, built: list[str], statuses: list[str]) -> None:
    """A column renamed on a table leaves undecided only the views that read it: ``va``
    does not read ``b``, so its query after the rename is the migrations' and the later
    CREATE OR REPLACE of it is observed either way."""
    verdicts = _infer(pg, tmp_path, RENAMED_BESIDE_A_VIEW, built, [])
    assert [v[0] for v in verdicts] == statuses
    assert verdicts[2][1:] == ("observed", True)


DATA_GUARDED = [
    "CREATE TABLE t (id int PRIMARY KEY, a int);\n",
    "DO $$ BEGIN\n"
    "  IF (SELECT count(*) FROM t) = 0 THEN ALTER TABLE t ADD COLUMN c int; END IF;\n"
    "END $$;\n"
    "CREATE TABLE u (id int PRIMARY KEY);\n",
    "CREATE INDEX t_a ON t (a);\n",
]


@pytest.mark.parametrize(("rows", "recorded"), [
    (False, []), (True, []), (False, ["1", "2", "3"]), (True, ["1", "2", "3"]),
], ids=["taken", "not-taken", "taken-recorded", "not-taken-recorded"])
def test_data_guarded_ddl_is_undecided(pg: PgServer, tmp_path: Path, rows: bool,
                                       recorded: list[str]) -> None:
    """DDL under an IF on a table's rows may or may not have run: the column it adds is no
    evidence either way (the migration is applied by its other statement, not partial when
    the table had rows) and its absence or presence is no drift."""
    built = [DATA_GUARDED[0], *(["INSERT INTO t VALUES (1, 1);"] if rows else []),
             *DATA_GUARDED[1:]]
    result = _inference(pg, tmp_path, DATA_GUARDED, built, recorded)
    assert [str(v.status) for v in result.verdicts] == ["applied"] * 3
    assert [v.proven for v in result.verdicts] == [True] * 3
    assert result.drift == []
    assert any("whether it ran is undecided" in d.message for d in result.unmodeled)


def test_existence_guarded_ddl_stays_evidence(pg: PgServer, tmp_path: Path) -> None:
    """An IF on the catalogs (an existence test) is decided by the schema: its DDL is the
    migration's evidence, as before."""
    files = [
        "CREATE TABLE t (id int PRIMARY KEY, a int);\n",
        "DO $$ BEGIN\n"
        "  IF NOT EXISTS (SELECT 1 FROM information_schema.columns\n"
        "                 WHERE table_name = 't' AND column_name = 'c') THEN\n"
        "    ALTER TABLE t ADD COLUMN c int;\n"
        "  END IF;\n"
        "END $$;\n",
    ]
    result = _inference(pg, tmp_path, files, files[:1], [])
    assert [(str(v.status), v.proven) for v in result.verdicts] == [
        ("applied", True), ("pending", True)]


_BLOCKS = {
    "rows": ("IF (SELECT count(*) FROM t) = 0 THEN ALTER TABLE t ADD COLUMN c int; END IF;",
             (0,)),
    "pg_type": ("IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'm') THEN "
                "CREATE TYPE m AS ENUM ('a'); END IF;", ()),
    "regclass": ("IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conname = 'x' "
                 "AND conrelid = 't'::regclass) THEN ALTER TABLE t ADD CONSTRAINT x "
                 "CHECK (a > 0); END IF;", ()),
    "catalog-variable": ("SELECT EXISTS (SELECT * FROM information_schema.views WHERE "
                         "table_name = 'v') INTO e; IF e THEN DROP VIEW v; END IF;", ()),
    "data-variable": ("SELECT count(*) INTO n FROM t; IF n = 0 THEN "
                      "ALTER TABLE t ADD COLUMN c int; END IF;", (0,)),
    "found-catalog": ("PERFORM 1 FROM pg_type WHERE typname = 'm'; IF NOT FOUND THEN "
                      "CREATE TYPE m AS ENUM ('a'); END IF;", ()),
    "found-data": ("PERFORM 1 FROM t WHERE a > 0; IF NOT FOUND THEN "
                   "ALTER TABLE t ADD COLUMN c int; END IF;", (0,)),
    "to_regclass": ("IF to_regclass('public.t_a') IS NULL THEN CREATE INDEX t_a ON t (a); "
                    "END IF;", ()),
    "setting": ("IF current_setting('server_version_num')::int >= 150000 THEN "
                "ALTER TABLE t ADD COLUMN c int; END IF;", (0,)),
    "return-on-data": ("IF EXISTS (SELECT 1 FROM t) THEN RETURN; END IF; "
                       "ALTER TABLE t ADD COLUMN c int;", (0,)),
    "nested": ("IF (SELECT count(*) FROM t) = 0 THEN IF NOT EXISTS (SELECT 1 FROM pg_type "
               "WHERE typname = 'm') THEN CREATE TYPE m AS ENUM ('a'); END IF; END IF; "
               "CREATE TABLE z (a int);", (0,)),
}


@pytest.mark.parametrize(("body", "guarded"), list(_BLOCKS.values()), ids=list(_BLOCKS))
def test_do_block_guards_that_read_more_than_the_catalogs(body: str,
                                                          guarded: tuple[int, ...]) -> None:
    from schemadiff.sql import ops
    from schemadiff.sql.parse import parse_statement

    op = parse_statement(f"DO $$ DECLARE e bool; n int; BEGIN {body} END $$")
    assert isinstance(op, ops.DoBlock) and not op.opaque and not op.conditional
    assert op.guarded == guarded


REINDEXED_OUTSIDE_A_TRANSACTION = [
    "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n"
    "CREATE INDEX x ON t (a);\n",
    "-- +goose NO TRANSACTION\n-- +goose Up\n"
    "DROP INDEX CONCURRENTLY IF EXISTS x;\n"
    "CREATE INDEX CONCURRENTLY x ON t (a, b);\n",
    "CREATE TABLE u (id int PRIMARY KEY);\n",
]


@pytest.mark.parametrize("recorded", [[], ["1"]], ids=["no-history", "recorded"])
def test_no_transaction_reindex_stopped_after_the_drop(pg: PgServer, tmp_path: Path,
                                                       recorded: list[str]) -> None:
    """A migration run outside a transaction that stopped after its DROP INDEX: the index
    is absent. Its drop is its trace (partial); the earlier transactional migration that
    created the index ran whole (its table is there), with or without a history. Without
    one that is the likelier story, not a proven one (that migration run in part by hand
    leaves the same schema)."""
    built = [REINDEXED_OUTSIDE_A_TRANSACTION[0], "DROP INDEX x;"]
    result = _inference(pg, tmp_path, REINDEXED_OUTSIDE_A_TRANSACTION, built, recorded)
    assert [str(v.status) for v in result.verdicts] == ["applied", "partial", "pending"]
    assert result.verdicts[0].proven is bool(recorded) and result.verdicts[2].proven


DEFAULT_SET_BACK = [
    "CREATE TABLE t (id int PRIMARY KEY, s text DEFAULT 'a');\n",
    "ALTER TABLE t ALTER COLUMN s SET DEFAULT 'b';\n",
    "ALTER TABLE t ALTER COLUMN s SET DEFAULT 'a';\n",
]


@pytest.mark.parametrize("built", [
    [*DEFAULT_SET_BACK, "ALTER TABLE t ALTER COLUMN s SET DEFAULT 'b';"],
    DEFAULT_SET_BACK[:2],
], ids=["old-default-run-again-by-hand", "never-ran"])
def test_set_back_default_without_a_history_is_unproven(
        pg: PgServer, tmp_path: Path, built: list[str]) -> None:
    """Without a history, the default an earlier migration set is there either because the
    one setting it back never ran or because the earlier one's statement ran again after it:
    the schema cannot tell, so that later migration is pending but unproven."""
    verdicts = _infer(pg, tmp_path, DEFAULT_SET_BACK, built, [])
    assert [v[0] for v in verdicts] == ["applied", "applied", "pending"]
    assert verdicts[2][2] is False


ACCT = "CREATE TABLE acct (id int PRIMARY KEY, name text NOT NULL);\n"
REMADE = [ACCT, "CREATE TABLE IF NOT EXISTS k (id int PRIMARY KEY, a text);\n",
          "CREATE TABLE IF NOT EXISTS k (id int PRIMARY KEY, b int);\n"]
DEFAULTED = [ACCT, "ALTER TABLE acct ADD COLUMN status text NOT NULL DEFAULT 'new';\n"]
INDEXED = [ACCT + "ALTER TABLE acct ADD COLUMN email text;\n",
           "CREATE INDEX acct_ne ON acct (name, email);\n"]

#: (id, migrations, SQL run, versions recorded, the version that never ran as written)
NEVER_RAN: list[tuple[str, list[str], list[str], list[str], str]] = [
    # a later CREATE TABLE IF NOT EXISTS made the table, otherwise
    ("table-made-by-a-later-if-not-exists", REMADE, [ACCT, REMADE[2]], ["1", "3"], "2"),
    # the later migration's objects made by hand otherwise: no proof that it ran
    ("column-made-by-hand-with-another-default", DEFAULTED,
     [ACCT, "ALTER TABLE acct ADD COLUMN status text NOT NULL DEFAULT 'old';"], ["1"], "2"),
    ("index-made-by-hand-in-another-column-order", INDEXED,
     [INDEXED[0], "CREATE INDEX acct_ne ON acct (email, name);"], ["1"], "2"),
]


@pytest.mark.parametrize(("files", "built", "recorded", "version"),
                         [c[1:] for c in NEVER_RAN], ids=[c[0] for c in NEVER_RAN])
def test_what_the_schema_cannot_decide_is_not_recorded(
        pg: PgServer, tmp_path: Path, files: list[str], built: list[str], recorded: list[str],
        version: str) -> None:
    """A migration that never ran, whose objects are in the schema otherwise than it makes
    them (a person, or a later ``IF NOT EXISTS`` of another shape, made them), is not proven
    applied: ``sync`` must not record it (the tool would skip it for ever)."""
    result = _inference(pg, tmp_path, files, built, recorded)
    verdict = next(v for v in result.verdicts if v.migration.version == version)
    assert verdict.status != "applied" or not verdict.proven, verdict.reason
    assert version not in result.missing_from_history
    assert all(v.proven for v in result.verdicts
               if v.migration.version != version and v.confidence == "observed")


def test_recorded_migration_changed_by_hand_stays_applied(pg: PgServer, tmp_path: Path) -> None:
    """Recorded, the migration ran: its object changed by hand since is drift, not doubt."""
    built = [ACCT, "ALTER TABLE acct ADD COLUMN status text NOT NULL DEFAULT 'old';"]
    result = _inference(pg, tmp_path, DEFAULTED, built, ["1", "2"])
    assert [(str(v.status), v.proven) for v in result.verdicts] == [("applied", True)] * 2
    assert [(d.change, d.attribute) for d in result.drift] == [("changed", "default")]
