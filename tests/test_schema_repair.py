"""The schema repair (``schemadiff repair-schema``) end to end on a real PostgreSQL (issue 20).

A small goose history is applied (tables, a foreign key, indexes, functions, constraints, then a
migration that drops two functions); each case damages the database one way, the repair script
is written by the command, run with ``psql -v ON_ERROR_STOP=1 -f``, and ``diff`` and ``check``
must then exit 0 (or, where the repair is rightly withheld, still report what remains).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

import schemadiff
from goose_emulation import goose_up
from pg import PgServer, corpora_path
from schemadiff.differences import Change, Difference, diff_catalogs, ignore_history_tables
from schemadiff.history import replay_migrations, replay_sql
from schemadiff.model import Catalog, Column, Function, Index, Key, Policy, Schema, Table
from schemadiff.schema_repair import plan_schema_repair
from schemadiff.sql.normalize import normalize_expression
from schemadiff.tools import history_tables, read_migrations

MIGRATIONS = {
    "00001_users.sql": """
-- +goose Up
CREATE TABLE users (
    id serial PRIMARY KEY,
    email text NOT NULL,
    name text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_email_lower_idx ON users (lower(email));
COMMENT ON TABLE users IS 'people who order';
""",
    "00002_orders.sql": """
-- +goose Up
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    total numeric(10, 2) NOT NULL DEFAULT 0,
    status order_status NOT NULL DEFAULT 'new',
    note varchar(40)
);
CREATE INDEX orders_user_id_idx ON orders (user_id) WHERE status <> 'shipped';
""",
    "00003_functions.sql": """
-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION order_total(uid integer) RETURNS numeric
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(sum(total), 0) FROM orders WHERE user_id = uid $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION legacy_count() RETURNS bigint LANGUAGE sql
    AS $$ SELECT count(*) FROM users $$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION legacy_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.created_at := now();
    RETURN NEW;
END
$$;
-- +goose StatementEnd
""",
    "00004_constraints.sql": """
-- +goose Up
ALTER TABLE orders ADD CONSTRAINT orders_total_nonnegative CHECK (total >= 0);
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
CREATE TABLE order_lines (
    order_id bigint NOT NULL REFERENCES orders (id),
    line integer NOT NULL,
    sku text NOT NULL,
    PRIMARY KEY (order_id, line)
);
""",
    "00005_drop_legacy.sql": """
-- +goose Up
DROP FUNCTION legacy_count();
DROP FUNCTION legacy_touch();
""",
    "00006_views_triggers_policies.sql": """
-- +goose Up
CREATE DOMAIN sku_code AS text CONSTRAINT sku_code_format CHECK (VALUE ~ '^[A-Z0-9-]+$');
CREATE SEQUENCE invoice_no INCREMENT BY 10 START 1000;
CREATE VIEW paid_orders AS SELECT id, user_id, total FROM orders WHERE status = 'paid';
CREATE VIEW paid_by_user WITH (security_barrier) AS
  SELECT user_id, sum(total) AS paid FROM paid_orders GROUP BY user_id;
-- +goose StatementBegin
CREATE FUNCTION touch_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.created_at := now();
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_user();
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_owner ON orders FOR SELECT USING (user_id = current_setting('app.uid')::int);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_with_orders ON users FOR SELECT
    USING (EXISTS (SELECT 1 FROM orders o WHERE o.user_id = users.id));
COMMENT ON COLUMN users.email IS 'unique, lower-cased by the app';
GRANT SELECT, INSERT ON orders TO sr_reader;
GRANT USAGE ON SEQUENCE invoice_no TO sr_reader WITH GRANT OPTION;
GRANT SELECT ON paid_orders TO sr_reader;
GRANT UPDATE (note) ON orders TO sr_writer;
CREATE VIEW renamed_view AS SELECT id, total FROM orders;
ALTER VIEW renamed_view RENAME COLUMN total TO amount;
REVOKE EXECUTE ON FUNCTION touch_user() FROM PUBLIC;
""",
}
ROLES = ("sr_reader", "sr_writer")  # the grantees: roles are cluster-level

RERUN_00003 = "\n".join(
    line for line in MIGRATIONS["00003_functions.sql"].splitlines() if "+goose" not in line
)


@dataclass(frozen=True)
class Case:
    """A damage, and what the repair must do about it.

    ``clean``: ``diff``/``check`` exit 0 after the repair; otherwise ``remains`` is what they
    still report (a repair rightly withheld) and ``note`` what the command says about it.
    """

    name: str
    damage: str
    unsafe: bool = False
    clean: bool = True
    wrote: tuple[str, ...] = ()  # text the script holds
    remains: str = ""
    note: str = ""
    dump: bool = False  # read a schema-only pg_dump (no history) instead of the database
    flags: tuple[str, ...] = ()  # given to every command


CASES = [
    Case("dropped index", "DROP INDEX users_email_lower_idx;",
         wrote=("-- missing index public.users_email_lower_idx: created by migration 1 (",
                "CREATE INDEX users_email_lower_idx ON public.users")),
    Case("dropped column", "ALTER TABLE users DROP COLUMN name;",
         wrote=("ALTER TABLE public.users ADD COLUMN name text;",)),
    # the canonical default drops the sequence's schema: written with it
    Case("dropped serial default", "ALTER TABLE users ALTER COLUMN id DROP DEFAULT;",
         wrote=("ALTER COLUMN id SET DEFAULT NEXTVAL('public.users_id_seq');",)),
    Case("edited function body",
         "CREATE OR REPLACE FUNCTION order_total(uid integer) RETURNS numeric LANGUAGE sql "
         "STABLE PARALLEL SAFE AS $$ SELECT 42::numeric $$;",
         wrote=("CREATE OR REPLACE FUNCTION public.order_total(",
                "SELECT coalesce(sum(total), 0) FROM orders WHERE user_id = uid")),
    Case("function made volatile and unsafe",
         "ALTER FUNCTION order_total(integer) VOLATILE PARALLEL UNSAFE;"),
    Case("dropped check constraint", "ALTER TABLE orders DROP CONSTRAINT orders_total_nonnegative;",
         wrote=("ADD CONSTRAINT orders_total_nonnegative CHECK",)),
    Case("dropped foreign key", "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;",
         wrote=("FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE",)),
    Case("dropped unique key, changed default and NOT NULL",
         "ALTER TABLE users DROP CONSTRAINT users_email_key; "
         "ALTER TABLE orders ALTER COLUMN total SET DEFAULT 1, ALTER COLUMN status DROP NOT NULL;",
         wrote=("ALTER TABLE public.orders ALTER COLUMN status SET NOT NULL;",)),
    Case("dropped tables, in dependency order",
         "DROP TABLE order_lines; DROP TABLE orders CASCADE; DROP TYPE order_status;",
         note="are recorded but their effects are absent"),
    Case("extra hand-made table, --unsafe",
         "CREATE TABLE scratch (id int PRIMARY KEY, note text); CREATE INDEX ON scratch (note);",
         unsafe=True, wrote=("DROP TABLE public.scratch;",)),
    Case("extra hand-made table, safe: the drop is commented out",
         "CREATE TABLE scratch (id int PRIMARY KEY, note text);",
         clean=False, wrote=("-- DROP TABLE public.scratch;",), remains="scratch",
         note="table public.scratch: dropping it loses data"),
    Case("extra index and function", "CREATE INDEX orders_total_idx ON orders (total); "
         "CREATE FUNCTION helper() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
         wrote=("DROP INDEX public.orders_total_idx;", "DROP FUNCTION public.helper();")),
    Case("functions resurrected by re-running an idempotent migration", RERUN_00003,
         wrote=("a re-run of migration 3 brought it back after 5", "DROP FUNCTION public.legacy_count();",
                "DROP FUNCTION public.legacy_touch();")),
    Case("changed column type: withheld, named", "ALTER TABLE orders ALTER COLUMN note TYPE text;",
         clean=False, remains="note",
         wrote=("-- ALTER TABLE public.orders ALTER COLUMN note TYPE character varying(40)",),
         note="column public.orders.note: a type change rewrites the table"),
    Case("changed column type, --unsafe", "ALTER TABLE orders ALTER COLUMN note TYPE text;",
         unsafe=True),
    Case("dropped views, one reading the other", "DROP VIEW paid_orders CASCADE;",
         wrote=("CREATE VIEW public.paid_orders AS",
                "CREATE VIEW public.paid_by_user WITH (security_barrier=true) AS")),
    Case("view redefined while another view reads it: replaced in place",
         "CREATE OR REPLACE VIEW paid_orders AS SELECT id, user_id, total "
         "FROM orders WHERE status = 'paid' UNION ALL SELECT 0, 0, 0::numeric(10, 2) FROM users;"
         " CREATE VIEW big_paid AS SELECT * FROM paid_orders WHERE total > 100;",
         wrote=("CREATE OR REPLACE VIEW public.paid_orders AS", "DROP VIEW public.big_paid;")),
    Case("view options changed by hand: each view replaced with its own",
         "ALTER VIEW paid_orders SET (security_invoker = true, check_option = local);"
         " ALTER VIEW paid_by_user RESET (security_barrier);",
         wrote=("CREATE OR REPLACE VIEW public.paid_orders AS",
                "CREATE OR REPLACE VIEW public.paid_by_user WITH (security_barrier=true) AS")),
    Case("a view whose column a migration renamed, dropped: re-created with that name",
         "DROP VIEW paid_by_user; DROP VIEW renamed_view;",
         wrote=("CREATE VIEW public.renamed_view (id, amount) AS",)),
    Case("view columns renamed by hand, and one re-created with a column less",
         "ALTER VIEW paid_orders RENAME COLUMN total TO amount;"
         " ALTER VIEW paid_orders RENAME COLUMN user_id TO customer;"
         " DROP VIEW paid_by_user; CREATE VIEW paid_by_user WITH (security_barrier) AS"
         " SELECT customer FROM paid_orders GROUP BY customer;",
         wrote=("ALTER VIEW public.paid_orders RENAME COLUMN customer TO user_id;",
                "ALTER VIEW public.paid_orders RENAME COLUMN amount TO total;")),
    Case("column privileges changed by hand",
         "REVOKE UPDATE (note) ON orders FROM sr_writer; GRANT SELECT (email) ON users TO sr_reader;",
         wrote=("GRANT UPDATE (note) ON TABLE public.orders TO sr_writer;",
                "REVOKE SELECT (email) ON TABLE public.users FROM sr_reader;")),
    Case("replica identity changed by hand", "ALTER TABLE orders REPLICA IDENTITY FULL;",
         wrote=("ALTER TABLE public.orders REPLICA IDENTITY DEFAULT;",)),
    Case("trigger function dropped with its trigger: function first",
         "DROP FUNCTION touch_user() CASCADE;"),
    Case("trigger disabled", "ALTER TABLE users DISABLE TRIGGER users_touch;",
         wrote=("ALTER TABLE public.users ENABLE TRIGGER users_touch;",)),
    Case("policy dropped and row level security off",
         "DROP POLICY orders_owner ON orders; ALTER TABLE orders DISABLE ROW LEVEL SECURITY;"),
    # unqualified, ``user_id = id`` would read the subquery's own ``orders.id``
    Case("policy with a correlated subquery dropped: re-created as written",
         "DROP POLICY users_with_orders ON users;",
         wrote=("USING (EXISTS (SELECT 1 FROM orders o WHERE o.user_id = users.id));",)),
    Case("comment edited, sequence and domain changed",
         "COMMENT ON COLUMN users.email IS 'whatever'; ALTER SEQUENCE invoice_no INCREMENT BY 1;"
         " ALTER DOMAIN sku_code DROP CONSTRAINT sku_code_format;"),
    Case("enum label added by hand: withheld, named",
         "ALTER TYPE order_status ADD VALUE 'refunded';", clean=False, remains="refunded",
         note="enum labels cannot be removed"),
    Case("index and table renamed by hand",
         "ALTER INDEX users_email_lower_idx RENAME TO users_email_idx2; "
         "ALTER TABLE order_lines RENAME TO order_items;",
         wrote=("ALTER INDEX public.users_email_idx2 RENAME TO users_email_lower_idx;",
                "ALTER TABLE public.order_items RENAME TO order_lines;")),
    Case("several at once, from a dump without history: partial migrations completed",
         "DROP INDEX users_email_lower_idx; ALTER TABLE orders DROP CONSTRAINT "
         "orders_total_nonnegative;", dump=True,
         note="partially applied migration(s) 1, 4: their absent objects are re-created"),
    Case("extra table ignored by a rule: untouched, counted",
         "CREATE TABLE scratch (id int); DROP INDEX users_email_lower_idx;",
         flags=("--ignore", "table public.scratch"),
         note="left out by ignore rule 'table public.scratch': not repaired"),
    Case("privileges: revoked, widened, a grant option dropped, a default given back",
         "REVOKE INSERT ON orders FROM sr_reader; GRANT UPDATE ON orders TO sr_writer; "
         "REVOKE GRANT OPTION FOR USAGE ON SEQUENCE invoice_no FROM sr_reader; "
         "GRANT EXECUTE ON FUNCTION touch_user() TO PUBLIC;",
         wrote=("GRANT INSERT ON TABLE public.orders TO sr_reader;",
                "REVOKE UPDATE ON TABLE public.orders FROM sr_writer;",
                "GRANT USAGE ON SEQUENCE public.invoice_no TO sr_reader WITH GRANT OPTION;",
                "REVOKE EXECUTE ON ROUTINE public.touch_user() FROM PUBLIC;")),
    Case("dropped view: re-created, then granted again", "DROP VIEW paid_orders CASCADE;",
         wrote=("GRANT SELECT ON TABLE public.paid_orders TO sr_reader;",)),
    Case("several at once",
         "DROP INDEX orders_user_id_idx; ALTER TABLE users DROP COLUMN created_at; "
         "ALTER TABLE orders DROP CONSTRAINT orders_total_nonnegative; " + RERUN_00003),
]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("schema_repair") / "migrations"
    root.mkdir()
    for name, text in MIGRATIONS.items():
        (root / name).write_text(text.lstrip())
    return root


@pytest.fixture(scope="module")
def built(pg: PgServer, history: Path) -> str:
    """The database the whole history builds (a template: each case copies it)."""
    with pg.connect_db("postgres", autocommit=True) as conn:
        for role in ROLES:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f"CREATE ROLE {role}")  # type: ignore[arg-type]
    db = pg.create_database("schema_repair_base")
    with pg.connect_db(db, autocommit=True) as conn:
        goose_up(conn, history)
    return db


def test_the_history_builds_clean(pg: PgServer, history: Path, built: str) -> None:
    base = ["--migrations", str(history), "--tool", "goose", "--dsn", pg.dsn(built)]
    assert _cli("check", *base).returncode == 0
    repair = _cli("repair-schema", *base)
    assert repair.returncode == 0, repair.stderr
    assert "nothing to repair" in repair.stdout


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_schema_repair(pg: PgServer, history: Path, built: str, tmp_path: Path,
                       case: Case) -> None:
    db = pg.create_database("schema_repair", template=built)
    pg.psql(db, case.damage)
    base = ["--migrations", str(history), "--tool", "goose", *case.flags]

    def source() -> list[str]:
        if not case.dump:
            return [*base, "--dsn", pg.dsn(db)]
        dump = tmp_path / "schema.sql"
        dump.write_text(pg.pg_dump_schema(db))
        return [*base, "--schema-file", str(dump)]

    assert _cli("check", *source(), "--fail-on", "drift,partial").returncode == 1, "seen"

    script = tmp_path / "repair.sql"
    repair = _cli("repair-schema", *source(), "--out", str(script),
                  *(["--unsafe"] if case.unsafe else []))
    assert repair.returncode == 0, repair.stderr
    text = script.read_text()
    for wanted in case.wrote:
        assert wanted in text, text
    if case.note:
        assert case.note in repair.stderr
    else:
        assert repair.stderr == "", repair.stderr
    run = subprocess.run([str(pg.psql_bin), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                          pg.dsn(db), "-f", str(script)], capture_output=True, text=True)
    assert run.returncode == 0, text + run.stderr

    after = source()
    diff = _cli("diff", *after)
    # a schema-only dump has no history rows: the gate is on what the schema shows
    check = _cli("check", *after, *(["--fail-on", "drift,partial"] if case.dump else []))
    if case.clean:
        assert diff.returncode == 0, text + diff.stdout
        assert check.returncode == 0, text + check.stdout
        again = _cli("repair-schema", *after)
        assert "nothing to repair" in again.stdout
    else:
        assert diff.returncode == 1 and case.remains in diff.stdout, diff.stdout
        assert check.returncode == 1


# ------------------------------------------------------------------------------ pure


def test_what_has_no_record_is_written_commented_with_the_reason() -> None:
    key = Key("index", "public", "gone_idx")
    repair = plan_schema_repair([Difference(key, Change.MISSING, migration="7")], Catalog(),
                                Catalog())
    assert repair.statements == []
    assert repair.notes == ["index public.gone_idx: not repaired: the applied migrations hold "
                            "no record of it"]
    assert "-- missing index public.gone_idx: created by migration 7" in repair.text


def test_a_policy_subquery_is_not_written_without_its_qualifiers() -> None:
    """The compared form of ``EXISTS (... WHERE m.uid = t.id)`` drops the qualifiers; with
    the text as written unknown (a rename since), the repair is withheld, not guessed."""
    table = Table("public", "t")
    canonical = normalize_expression("EXISTS (SELECT 1 FROM m WHERE m.uid = t.id)")
    written = Policy("public", "t", "p", using=canonical,
                     using_text="EXISTS (SELECT 1 FROM m WHERE m.uid = t.id)")
    for policy, writes in ((written, True), (replace(written, using_text=None), False),
                           (replace(written, using_text="EXISTS (SELECT 1 FROM m2 WHERE "
                                    "m2.uid = t.id)"), False)):
        expected = Catalog({o.key: o for o in (table, policy)})
        repair = plan_schema_repair([Difference(policy.key, Change.MISSING, "1", policy)],
                                    expected, Catalog({table.key: table}))
        assert ("m.uid = t.id" in "".join(repair.statements)) is writes, repair.text
        assert bool(repair.notes) is not writes
        if not writes:
            assert "column qualifiers" in repair.notes[0]


def test_a_rename_leaves_no_stale_policy_text() -> None:
    sql = """CREATE TABLE t (id int); CREATE TABLE m (uid int, id int);
CREATE POLICY p ON t USING (EXISTS (SELECT 1 FROM m WHERE m.uid = t.id));
CREATE POLICY q ON t USING (id > 0);"""
    before = replay_sql(sql, "m.sql").catalog
    assert before.get(Key("policy", "public", "t", "p")).using_text == (  # type: ignore[union-attr]
        "EXISTS (SELECT 1 FROM m WHERE m.uid = t.id)")
    after = replay_sql(sql + "\nALTER TABLE m RENAME TO m2;", "m.sql").catalog
    assert after.get(Key("policy", "public", "t", "p")).using_text is None  # type: ignore[union-attr]
    assert after.get(Key("policy", "public", "t", "q")).using_text == "id > 0"  # type: ignore[union-attr]


def test_order_follows_dependencies_not_the_drift_order() -> None:
    users = Table("public", "users")
    col = Column("public", "users", "id", "integer", not_null=True)
    idx = Index("public", "users_id_idx", "users", keys=("id",))
    fn = Function("public", "f", "", returns="integer", body=" SELECT 1 ")
    expected = Catalog({o.key: o for o in (users, col, idx)})
    actual = Catalog({fn.key: fn})
    drift = [Difference(idx.key, Change.MISSING, None, idx),
             Difference(fn.key, Change.EXTRA, None, None, fn),
             Difference(users.key, Change.MISSING, None, users)]
    repair = plan_schema_repair(drift, expected, actual)
    assert [(s.action, s.key.kind) for s in repair.steps] == [
        ("drop", "function"), ("create", "table"), ("create", "index")]
    assert repair.text.index("BEGIN;") < repair.text.index("DROP FUNCTION public.f();")
    assert repair.text.rstrip().endswith("COMMIT;")


# ------------------------------------------------------------------------------ corpora


CORPORA = sorted(p.name for p in corpora_path().glob("*") if (p / "corpus.json").is_file())


@pytest.mark.parametrize("name", CORPORA)
def test_every_corpus_rebuilds_from_its_records(pg: PgServer, corpora_dir: Path,
                                                name: str) -> None:
    """The hardest repair: everything missing. The script re-creates a real history's whole
    schema (tables, keys, indexes on materialized views, functions used by defaults,
    extensions...) from the records alone, in an order PostgreSQL accepts, and the result is
    what the migrations build: the DDL is executable and faithful, not only readable."""
    corpus = corpora_dir / name
    tool = json.loads((corpus / "corpus.json").read_text())["format"]
    _, migrations = read_migrations(corpus / "migrations", tool)
    replay = replay_migrations(migrations)
    public = Schema("public")
    empty = Catalog({public.key: public})
    drift = diff_catalogs(replay.catalog, empty, replay.effects,
                          ignore_history_tables(history_tables()))
    repair = plan_schema_repair(drift, replay.catalog, empty, replay.effects)
    assert repair.notes == []
    assert len(repair.steps) > len(drift) > 5
    db = pg.create_database("schema_repair_corpus")
    pg.psql(db, repair.text, single_transaction=False)
    result = schemadiff.diff(corpus / "migrations", tool=tool, dsn=pg.dsn(db))
    assert [str(d.key) for d in result.differences] == []

    # and the other way: everything extra, dropped (--unsafe), dependents first
    actual = schemadiff.inspect(dsn=pg.dsn(db))
    extra = diff_catalogs(empty, actual, (), ignore_history_tables(history_tables()))
    safe = plan_schema_repair(extra, empty, actual)
    assert all("DROP TABLE" not in s for s in safe.statements)
    assert any("dropping it loses data" in note for note in safe.notes)
    pg.psql(db, safe.text, single_transaction=False)  # what it keeps, it keeps whole
    actual = schemadiff.inspect(dsn=pg.dsn(db))
    extra = diff_catalogs(empty, actual, (), ignore_history_tables(history_tables()))
    drop = plan_schema_repair(extra, empty, actual, unsafe=True)
    assert drop.notes == []
    pg.psql(db, drop.text, single_transaction=False)
    assert [str(k) for k in schemadiff.inspect(dsn=pg.dsn(db)).objects] == ["schema public"]
