"""No missed drift, sixth sweep: hand changes on a real server that went unreported.

Built as ``test_missed_drift``: the database is built from the migrations, changed by hand
(``drift``), and the replay of the migrations is compared with the live catalog and with the
server's ``pg_dump``; the same migrations without the hand change compare clean on both.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from goose_emulation import goose_up
from pg import PgServer
from test_missed_drift import (  # noqa: F401 (roles: autouse)
    Case,
    assert_clean,
    assert_reported,
    roles,
)

KEYS = """
CREATE TABLE users (id int PRIMARY KEY, boss int REFERENCES users);
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users ON DELETE CASCADE,
                     code text, CONSTRAINT orders_code UNIQUE (code) DEFERRABLE);
CREATE TABLE plain (id int PRIMARY KEY, code text UNIQUE);
"""

CASES = [
    Case(
        # a bulk load's DISABLE TRIGGER ALL left behind: the foreign keys' checks and actions
        # and a deferrable key's recheck no longer run (pg_dump never prints internal triggers)
        "constraint triggers disabled by hand",
        KEYS,
        "ALTER TABLE orders DISABLE TRIGGER ALL; ALTER TABLE users DISABLE TRIGGER ALL;"
        "ALTER TABLE users ENABLE TRIGGER ALL; ALTER TABLE users DISABLE TRIGGER ALL;",
        (("constraint", "public.orders.orders_user_id_fkey", "changed", "disabled_triggers"),
         ("constraint", "public.orders.orders_code", "changed", "disabled_triggers"),
         ("constraint", "public.users.users_boss_fkey", "changed", "disabled_triggers")),
        dump=(),
    ),
    Case(
        "constraint triggers the migrations left disabled, enabled by hand",
        KEYS + "ALTER TABLE users DISABLE TRIGGER ALL;\n",
        "ALTER TABLE users ENABLE TRIGGER ALL;",
        (("constraint", "public.orders.orders_user_id_fkey", "changed", "disabled_triggers"),
         ("constraint", "public.users.users_boss_fkey", "changed", "disabled_triggers")),
        dump=(),
    ),
    Case(
        # was a partition's trigger_states naming the clones by their OIDs (RI_ConstraintTrigger_c_
        # 12345), which no replay can hold, and a false difference where migrations did it
        "a partition's foreign key triggers disabled by hand",
        "CREATE TABLE users (id int PRIMARY KEY);\n"
        "CREATE TABLE ev (id int, user_id int REFERENCES users) PARTITION BY RANGE (id);\n"
        "CREATE TABLE ev1 PARTITION OF ev FOR VALUES FROM (0) TO (10);\n",
        "ALTER TABLE ev1 DISABLE TRIGGER ALL;",
        (("constraint", "public.ev.ev_user_id_fkey", "changed", "disabled_triggers"),),
        dump=(),
    ),
    Case(
        "view and materialized view column comments changed by hand",
        "CREATE TABLE t (id int, name text);\n"
        "CREATE VIEW v AS SELECT id, name FROM t;\n"
        "COMMENT ON COLUMN v.id IS 'key';\nCOMMENT ON COLUMN v.name IS 'who';\n"
        "CREATE MATERIALIZED VIEW m AS SELECT id FROM t;\n"
        "CREATE VIEW w AS SELECT id FROM t;\n",
        "COMMENT ON COLUMN v.id IS 'the key'; COMMENT ON COLUMN v.name IS NULL;"
        "COMMENT ON COLUMN m.id IS 'new'; ALTER VIEW w RENAME COLUMN id TO ident;"
        "COMMENT ON COLUMN w.ident IS 'x';",
        (("view", "public.v", "changed", "column_comments"),
         ("view", "public.m", "changed", "column_comments"),
         ("view", "public.w", "changed", "column_comments"),
         ("view", "public.w", "changed", "names")),
    ),
    Case(
        "composite type attribute comments changed by hand",
        "CREATE TYPE addr AS (street text, zip text, city text);\n"
        "COMMENT ON COLUMN addr.zip IS 'postal code';\nCOMMENT ON COLUMN addr.city IS 'town';\n"
        "CREATE TYPE pt AS (x int);\n",
        "COMMENT ON COLUMN addr.zip IS 'post code'; COMMENT ON COLUMN addr.street IS 'road';"
        "COMMENT ON COLUMN addr.city IS NULL; COMMENT ON COLUMN pt.x IS 'x';",
        (("composite", "public.addr", "changed", "attribute_comments"),
         ("composite", "public.pt", "changed", "attribute_comments")),
    ),
    Case(
        "domain check comments changed by hand",
        "CREATE DOMAIN pos AS int CONSTRAINT pos_gt CHECK (VALUE > 0) CHECK (VALUE < 100);\n"
        "COMMENT ON CONSTRAINT pos_gt ON DOMAIN pos IS 'positive';\n",
        "COMMENT ON CONSTRAINT pos_gt ON DOMAIN pos IS 'strictly positive';"
        "COMMENT ON CONSTRAINT pos_check ON DOMAIN pos IS 'small';",
        (("domain", "public.pos", "changed", "check_comments"),),
    ),
]

CLEAN = [
    KEYS + "ALTER TABLE orders DISABLE TRIGGER ALL;\nALTER TABLE orders ENABLE TRIGGER ALL;\n"
           "ALTER TABLE users DISABLE TRIGGER USER;\n",
    KEYS + "ALTER TABLE users DISABLE TRIGGER ALL;\nALTER TABLE orders DISABLE TRIGGER ALL;\n"
           "ALTER TABLE plain DISABLE TRIGGER ALL;\n"
           "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\n"
           "ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;\n",
    # partitions: which clone's triggers a DISABLE TRIGGER ALL reaches is not modelled
    "CREATE TABLE users (id int PRIMARY KEY);\n"
    "CREATE TABLE ev (id int, user_id int REFERENCES users) PARTITION BY RANGE (id);\n"
    "CREATE TABLE ev1 PARTITION OF ev FOR VALUES FROM (0) TO (10);\n"
    "ALTER TABLE ev1 DISABLE TRIGGER ALL;\n",
]
CLEAN += [
    "CREATE TABLE t (id int, name text);\n"
    "CREATE VIEW v AS SELECT id, name FROM t;\n"
    "COMMENT ON COLUMN v.id IS 'key';\nCOMMENT ON COLUMN v.name IS 'who';\n"
    "CREATE OR REPLACE VIEW v AS SELECT id, name, 1 AS one FROM t;\n"
    "ALTER VIEW v RENAME COLUMN name TO full_name;\nCOMMENT ON COLUMN v.id IS '';\n"
    "ALTER VIEW v RENAME TO v2;\n"
    "CREATE MATERIALIZED VIEW m AS SELECT id FROM t;\nCOMMENT ON COLUMN m.id IS 'k';\n"
    "CREATE VIEW gone AS SELECT id FROM t;\nCOMMENT ON COLUMN gone.id IS 'k';\n"
    "DROP VIEW gone;\nCREATE VIEW gone AS SELECT id FROM t;\n",
]
CLEAN += [
    "CREATE TYPE addr AS (street text, zip text, city text, gone text);\n"
    "COMMENT ON COLUMN addr.zip IS 'postal code';\nCOMMENT ON COLUMN addr.gone IS 'x';\n"
    "COMMENT ON COLUMN addr.street IS 'road';\nCOMMENT ON COLUMN addr.street IS '';\n"
    "ALTER TYPE addr RENAME ATTRIBUTE zip TO postcode;\nALTER TYPE addr DROP ATTRIBUTE gone;\n"
    "ALTER TYPE addr ADD ATTRIBUTE gone text;\nALTER TYPE addr RENAME TO address;\n"
    "CREATE DOMAIN d AS text;\nCREATE TYPE uses AS (a int, b d);\n"
    "COMMENT ON COLUMN uses.b IS 'b';\nDROP DOMAIN d CASCADE;\n",
]
CLEAN += [
    "CREATE DOMAIN pos AS int CONSTRAINT pos_gt CHECK (VALUE > 0) CHECK (VALUE < 100);\n"
    "COMMENT ON CONSTRAINT pos_gt ON DOMAIN pos IS 'positive';\n"
    "COMMENT ON CONSTRAINT pos_check ON DOMAIN pos IS 'small';\n"
    "ALTER DOMAIN pos RENAME CONSTRAINT pos_gt TO pos_positive;\n"
    "ALTER DOMAIN pos DROP CONSTRAINT pos_check;\n"
    "ALTER DOMAIN pos ADD CONSTRAINT pos_check CHECK (VALUE < 1000);\n"
    "ALTER DOMAIN pos RENAME TO positive;\n",
]
CLEAN_IDS = ["constraint-triggers", "constraint-triggers-left-disabled",
             "constraint-triggers-partitions", "view-column-comments", "composite-comments",
             "domain-check-comments"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hand_change_is_reported(pg: PgServer, tmp_path: Path, case: Case) -> None:
    assert_reported(pg, tmp_path, case, "drift6")


@pytest.mark.parametrize("migrations", CLEAN, ids=CLEAN_IDS)
def test_no_false_difference(pg: PgServer, tmp_path: Path, migrations: str) -> None:
    assert_clean(pg, tmp_path, migrations, "drift6")


GOOSE = """-- +goose Up
CREATE TABLE users (id int PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users ON DELETE CASCADE);
CREATE VIEW v AS SELECT id, user_id FROM orders;
COMMENT ON COLUMN v.user_id IS 'who';
CREATE TYPE addr AS (zip text);
CREATE DOMAIN pos AS int CONSTRAINT pos_gt CHECK (VALUE > 0);
"""


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], capture_output=True,
                          text=True, timeout=300)


def test_commands_report_infer_and_repair(pg: PgServer, tmp_path: Path) -> None:
    """``diff`` and ``check`` report the hand changes, ``infer`` keeps the migration applied
    (a bulk load's DISABLE TRIGGER ALL is no migration unapplied) and ``repair-schema``
    writes what sets them back."""
    history = tmp_path / "migrations"
    history.mkdir()
    (history / "00001_init.sql").write_text(GOOSE)
    db = pg.create_database("drift6")
    try:
        with pg.connect_db(db, autocommit=True) as conn:
            goose_up(conn, history)
            conn.execute("ALTER TABLE orders DISABLE TRIGGER ALL;"
                         "COMMENT ON COLUMN v.user_id IS 'the buyer'; COMMENT ON COLUMN v.id IS 'k';"
                         "COMMENT ON COLUMN addr.zip IS 'z';"
                         "COMMENT ON CONSTRAINT pos_gt ON DOMAIN pos IS 'p'")
        base = ["--migrations", str(history), "--tool", "goose", "--dsn", pg.dsn(db)]
        found = json.loads(_cli("diff", *base, "--format", "json").stdout)["differences"]
        assert {(d["kind"], d["object"], d["attribute"]) for d in found} == {
            ("constraint", "public.orders.orders_user_id_fkey", "disabled_triggers"),
            ("view", "public.v", "column_comments"),
            ("composite", "public.addr", "attribute_comments"),
            ("domain", "public.pos", "check_comments")}
        assert _cli("check", *base).returncode == 1
        infer = json.loads(_cli("infer", *base, "--format", "json").stdout)
        assert [(m["version"], m["status"]) for m in infer["migrations"]] == [("1", "applied")]
        script = tmp_path / "repair.sql"
        repair = _cli("repair-schema", *base, "--out", str(script))
        assert repair.returncode == 0, repair.stderr
        run = subprocess.run([str(pg.psql_bin), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                              pg.dsn(db), "-f", str(script)], capture_output=True, text=True)
        assert run.returncode == 0, script.read_text() + run.stderr
        assert _cli("diff", *base).returncode == 0, script.read_text()
    finally:
        pg.drop_database(db)


def test_not_enforced_foreign_keys_have_no_triggers(pg: PgServer, tmp_path: Path) -> None:
    """PostgreSQL 18: a NOT ENFORCED foreign key has no triggers to disable; made ENFORCED its
    triggers are new (enabled), whatever its table's were."""
    if pg.major < 18:
        pytest.skip("NOT ENFORCED is PostgreSQL 18's")
    migrations = (KEYS + "ALTER TABLE orders ADD CONSTRAINT loose FOREIGN KEY (id) "
                  "REFERENCES users NOT ENFORCED;\nALTER TABLE orders DISABLE TRIGGER ALL;\n"
                  "ALTER TABLE orders ALTER CONSTRAINT orders_user_id_fkey NOT ENFORCED;\n"
                  "ALTER TABLE orders ALTER CONSTRAINT orders_user_id_fkey ENFORCED;\n")
    test_no_false_difference(pg, tmp_path, migrations)
