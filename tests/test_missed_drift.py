"""No missed drift (issue 19, part 3): what was changed by hand on a real server is reported.

Each case builds a database from its migrations, then changes it by hand (``drift``), and
compares the replay of the migrations with the live catalog and with the server's
``pg_dump``. The same migrations without the hand change must compare clean on both sources
(no false difference). Every case here went unreported before its comparison existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from pg import PgServer
from schemadiff.differences import diff_catalogs
from schemadiff.history import replay_sql
from schemadiff.sources.dump import read_dump
from schemadiff.sources.live import read_live


@dataclass(frozen=True)
class Case:
    name: str
    migrations: str
    drift: str
    #: (kind, object, change, attribute) found against the live catalog
    live: tuple[tuple[str, str, str, str | None], ...]
    #: the same against pg_dump (None: as live)
    dump: tuple[tuple[str, str, str, str | None], ...] | None = None
    #: the database is built from this instead of the migrations (then ``drift``)
    built_from: str | None = None


USERS = """
CREATE TABLE users (id int PRIMARY KEY, name varchar(40), active boolean, score int);
CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users, total numeric(10,2));
"""

CASES = [
    Case(
        "float default changed to another float",
        "CREATE TABLE m (id int, rate double precision DEFAULT '0.10', w real DEFAULT 1.5);\n",
        "ALTER TABLE m ALTER COLUMN rate SET DEFAULT 0.11; ALTER TABLE m ALTER COLUMN w "
        "SET DEFAULT '1.50000001';",
        (("column", "public.m.rate", "changed", "default"),),
    ),
    Case(
        "view query changed, same relations",
        USERS + "CREATE VIEW active_users AS SELECT id, name FROM users WHERE active;\n",
        "CREATE OR REPLACE VIEW active_users AS SELECT id, name FROM users WHERE NOT active;",
        (("view", "public.active_users", "changed", "query"),),
    ),
    Case(
        "view constant changed",
        USERS + "CREATE VIEW big AS SELECT u.id, sum(o.total) AS total FROM users u "
                "JOIN orders o ON o.user_id = u.id GROUP BY 1 HAVING sum(o.total) > 100;\n",
        "CREATE OR REPLACE VIEW big AS SELECT u.id, sum(o.total) AS total FROM users u "
        "JOIN orders o ON o.user_id = u.id GROUP BY 1 HAVING sum(o.total) > 1000;",
        (("view", "public.big", "changed", "query"),),
    ),
    Case(
        "materialized view filter changed",
        USERS + "CREATE MATERIALIZED VIEW scores AS SELECT id, score FROM users "
                "WHERE score IN (1, 2, 3);\n",
        "DROP MATERIALIZED VIEW scores; CREATE MATERIALIZED VIEW scores AS "
        "SELECT id, score FROM users WHERE score IN (1, 2);",
        (("view", "public.scores", "changed", "query"),),
    ),
    Case(
        "extension version updated by hand",
        "CREATE EXTENSION ltree VERSION '1.1';\n",
        "ALTER EXTENSION ltree UPDATE TO '1.2';",
        (("extension", "ltree", "changed", "version"),),
        dump=(),  # pg_dump never prints an extension's version
    ),
    Case(
        "extension update the migrations ran, missing",
        "CREATE EXTENSION ltree VERSION '1.1';\nALTER EXTENSION ltree UPDATE TO '1.2';\n",
        "",
        (("extension", "ltree", "changed", "version"),),
        dump=(),
        built_from="CREATE EXTENSION ltree VERSION '1.1';",
    ),
]

CASES += [
    Case(
        "GRANT by hand",
        USERS + "CREATE SCHEMA app;\nGRANT SELECT ON users TO md_reader;\n",
        "GRANT INSERT ON users TO md_reader; GRANT USAGE ON SCHEMA app TO md_writer;"
        "GRANT SELECT ON orders TO PUBLIC;",
        (("privilege", "on table public.users to md_reader", "changed", "privileges"),
         ("privilege", "on schema app to md_writer", "extra", None),
         ("privilege", "on table public.orders to PUBLIC", "extra", None)),
    ),
    Case(
        "REVOKE by hand",
        USERS + "GRANT SELECT ON users TO md_reader;\n"
                "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
        "REVOKE SELECT ON users FROM md_reader; REVOKE EXECUTE ON FUNCTION f(int) FROM PUBLIC;",
        (("privilege", "on table public.users to md_reader", "missing", None),
         ("privilege", "on function public.f(integer) to PUBLIC", "extra", None)),
    ),
    Case(
        # three nested operators: the normalizer lost the grouping of the innermost one
        "check regrouped by hand",
        "CREATE TABLE k (a int, b int, c int, d int,\n"
        "    CONSTRAINT k_c CHECK ((a + b) * c / d > 0));\n",
        "ALTER TABLE k DROP CONSTRAINT k_c, ADD CONSTRAINT k_c CHECK ((a + b * c) / d > 0);",
        (("constraint", "public.k.k_c", "changed", "expression"),),
    ),
    Case(
        # jsonpath constants are compared in the form PostgreSQL reads them into
        "jsonpath changed by hand",
        "CREATE TABLE jp (j jsonb,\n"
        "    CONSTRAINT jp_a CHECK (jsonb_path_exists(j, '$.a ? (@ > 1)')),\n"
        "    CONSTRAINT jp_b CHECK (j @? 'strict $.b'));\n",
        "ALTER TABLE jp DROP CONSTRAINT jp_a, DROP CONSTRAINT jp_b,"
        " ADD CONSTRAINT jp_a CHECK (jsonb_path_exists(j, '$.a ? (@ > 2)')),"
        " ADD CONSTRAINT jp_b CHECK (j @? '$.b');",
        (("constraint", "public.jp.jp_a", "changed", "expression"),
         ("constraint", "public.jp.jp_b", "changed", "expression")),
    ),
    Case(
        # the alias of jsonb_array_elements_text is its column, not the table's column e
        "view reads the table's column instead of the function's",
        "CREATE TABLE doc (j jsonb, e text);\n"
        "CREATE VIEW doc_e AS SELECT x AS e FROM doc d, jsonb_array_elements_text(d.j) AS x;\n",
        "CREATE OR REPLACE VIEW doc_e AS SELECT d.e FROM doc d, jsonb_array_elements_text(d.j) AS x;",
        (("view", "public.doc_e", "changed", "query"),),
    ),
    Case(
        # SELECT * in a RETURN body's subquery is compared as the columns it read
        "function body's subquery changed by hand",
        "CREATE TABLE t (x int, y text);\n"
        "CREATE FUNCTION n_rows() RETURNS bigint LANGUAGE sql STABLE\n"
        "    RETURN (SELECT count(*) FROM (SELECT * FROM t) s);\n",
        "CREATE OR REPLACE FUNCTION n_rows() RETURNS bigint LANGUAGE sql STABLE"
        " RETURN (SELECT count(*) FROM (SELECT x FROM t) s);",
        (("function", "public.n_rows()", "changed", "body"),),
    ),
    Case(
        # ORDER BY 1 is compared as the column it names, not dropped
        "function body's ORDER BY changed by hand",
        "CREATE TABLE t (id int, x int);\n"
        "CREATE FUNCTION ordered() RETURNS SETOF int LANGUAGE sql STABLE\n"
        "BEGIN ATOMIC SELECT id FROM t ORDER BY 1; END;\n",
        "CREATE OR REPLACE FUNCTION ordered() RETURNS SETOF int LANGUAGE sql STABLE"
        " BEGIN ATOMIC SELECT id FROM t ORDER BY x; END;",
        (("function", "public.ordered()", "changed", "body"),),
    ),
    Case(
        # 'today' matches the day it was read as, not an expression or a day to come
        "frozen date default changed by hand",
        "CREATE DOMAIN day_d AS date DEFAULT 'today';\n"
        "CREATE TABLE td (d date DEFAULT 'today', e date DEFAULT 'today',"
        " t timestamptz DEFAULT 'now', f day_d DEFAULT 'yesterday');\n",
        "ALTER TABLE td ALTER COLUMN d SET DEFAULT CURRENT_DATE,"
        " ALTER COLUMN e SET DEFAULT '2999-01-01', ALTER COLUMN t DROP DEFAULT,"
        " ALTER COLUMN f SET DEFAULT now();"
        " ALTER DOMAIN day_d SET DEFAULT CURRENT_DATE;",
        (("column", "public.td.d", "changed", "default"),
         ("column", "public.td.e", "changed", "default"),
         ("column", "public.td.t", "changed", "default"),
         ("column", "public.td.f", "changed", "default"),
         ("domain", "public.day_d", "changed", "default")),
    ),
    Case(
        # a 'today' in a CHECK or a predicate matches the day it was read as, nothing else
        "frozen date in a check changed by hand",
        "CREATE TABLE tc (d date, CONSTRAINT k1 CHECK (d <= 'today'),\n"
        "    CONSTRAINT k2 CHECK (d > 'epoch'));\n"
        "CREATE INDEX tc_recent ON tc (d) WHERE d > 'yesterday';\n",
        "ALTER TABLE tc DROP CONSTRAINT k1, DROP CONSTRAINT k2,"
        " ADD CONSTRAINT k1 CHECK (d <= CURRENT_DATE), ADD CONSTRAINT k2 CHECK (d > '1970-01-02');"
        " DROP INDEX tc_recent; CREATE INDEX tc_recent ON tc (d) WHERE d > '2999-01-01';",
        (("constraint", "public.tc.k1", "changed", "expression"),
         ("constraint", "public.tc.k2", "changed", "expression"),
         ("index", "public.tc_recent", "changed", "predicate")),
    ),
    Case(
        # the promotion cast over the schema's integer function is left out, not the constant
        "check over a schema function changed by hand",
        "CREATE FUNCTION my_int_fn(a int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + 1;\n"
        "CREATE TABLE u (a int, CONSTRAINT k CHECK (my_int_fn(a) > 1.5),\n"
        "    CONSTRAINT r CHECK (my_int_fn(a) * 1.5 < 100));\n",
        "ALTER TABLE u DROP CONSTRAINT k, DROP CONSTRAINT r,"
        " ADD CONSTRAINT k CHECK (my_int_fn(a) > 2.5),"
        " ADD CONSTRAINT r CHECK (my_int_fn(a)::numeric(4,1) * 1.5 < 100);",
        (("constraint", "public.u.k", "changed", "expression"),
         ("constraint", "public.u.r", "changed", "expression")),
    ),
    Case(
        # what a view's options change: whose privileges it runs with, what it lets leak,
        # which rows an insert through it may write
        "view options set and reset by hand",
        USERS + "CREATE VIEW v1 AS SELECT id, name FROM users WHERE active;\n"
                "CREATE VIEW v2 WITH (security_invoker = true) AS SELECT id FROM users;\n"
                "CREATE VIEW v3 AS SELECT id, score FROM users WHERE score > 0\n"
                "  WITH LOCAL CHECK OPTION;\n"
                "CREATE VIEW v4 AS SELECT id FROM users;\n"
                "ALTER VIEW v4 SET (security_barrier);\n",
        "ALTER VIEW v1 SET (security_invoker = on); ALTER VIEW v2 RESET (security_invoker);"
        " CREATE OR REPLACE VIEW v3 AS SELECT id, score FROM users WHERE score > 0"
        "  WITH CASCADED CHECK OPTION;"
        " CREATE OR REPLACE VIEW v4 AS SELECT id FROM users;",
        (("view", "public.v1", "changed", "options"), ("view", "public.v2", "changed", "options"),
         ("view", "public.v3", "changed", "options"), ("view", "public.v4", "changed", "options")),
    ),
    Case(
        # column privileges: what a role may read or write column by column (the form
        # Supabase's column-level security takes)
        "column privileges changed by hand",
        USERS + "GRANT SELECT (id, name), UPDATE (name) ON users TO md_reader;\n"
                "GRANT INSERT (total) ON orders TO md_writer;\n",
        "GRANT UPDATE (score) ON users TO md_reader; REVOKE UPDATE (name) ON users FROM md_reader;"
        " REVOKE INSERT ON orders FROM md_writer; GRANT SELECT (id) ON orders TO PUBLIC;",
        (("privilege", "on column public.users.score to md_reader", "extra", None),
         ("privilege", "on column public.users.name to md_reader", "changed", "privileges"),
         ("privilege", "on column public.orders.total to md_writer", "missing", None),
         ("privilege", "on column public.orders.id to PUBLIC", "extra", None)),
    ),
    Case(
        # the names an application reads a view's columns by
        "view columns renamed by hand",
        USERS + "CREATE VIEW n1 AS SELECT id, name AS label FROM users;\n"
                "CREATE VIEW n2 (key, label) AS SELECT id, name FROM users;\n"
                "CREATE MATERIALIZED VIEW n3 AS SELECT user_id, sum(total) FROM orders\n"
                "  GROUP BY user_id;\n"
                "CREATE VIEW n4 AS SELECT * FROM users;\n"
                "ALTER VIEW n4 RENAME COLUMN score TO points;\n",
        "ALTER VIEW n1 RENAME COLUMN label TO title; ALTER VIEW n2 RENAME COLUMN key TO id;"
        " ALTER MATERIALIZED VIEW n3 RENAME COLUMN sum TO total;"
        " ALTER VIEW n4 RENAME COLUMN points TO score;",
        (("view", "public.n1", "changed", "names"), ("view", "public.n2", "changed", "names"),
         ("view", "public.n3", "changed", "names"), ("view", "public.n4", "changed", "names")),
    ),
    Case(
        # what logical replication (and every CDC tool reading it) sends of an updated row
        "replica identity changed by hand",
        USERS + "CREATE UNIQUE INDEX users_email ON users (id, score);\n"
                "ALTER TABLE users ALTER score SET NOT NULL;\n"
                "ALTER TABLE orders REPLICA IDENTITY FULL;\n",
        "ALTER TABLE users REPLICA IDENTITY USING INDEX users_email;"
        " ALTER TABLE orders REPLICA IDENTITY DEFAULT;",
        (("table", "public.users", "changed", "replica_identity"),
         ("table", "public.orders", "changed", "replica_identity")),
    ),
    Case(
        # which columns ON DELETE SET NULL (a) sets (PostgreSQL 15), a trigger's transition
        # tables, a domain CHECK validated or not: each changes what the schema does
        "referential action columns, transition tables, domain check validity by hand",
        "CREATE TABLE t (id int PRIMARY KEY, k int, UNIQUE (id, k));\n"
        "CREATE TABLE r (id int, t_id int, t_k int,\n"
        "    CONSTRAINT r_fk FOREIGN KEY (t_id, t_k) REFERENCES t (id, k) ON DELETE SET NULL (t_k));\n"
        "CREATE FUNCTION trf() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;\n"
        "CREATE TRIGGER t_tr AFTER UPDATE ON t REFERENCING OLD TABLE AS o NEW TABLE AS n\n"
        "    FOR EACH STATEMENT EXECUTE FUNCTION trf();\n"
        "CREATE DOMAIN dnv AS text;\n"
        "ALTER DOMAIN dnv ADD CONSTRAINT dnv_len CHECK (length(VALUE) < 10) NOT VALID;\n"
        "ALTER DOMAIN dnv ADD CONSTRAINT dnv_a CHECK (VALUE <> 'a') NOT VALID;\n"
        "ALTER DOMAIN dnv VALIDATE CONSTRAINT dnv_a;\n"
        "ALTER DOMAIN dnv RENAME CONSTRAINT dnv_len TO dnv_length;\n",
        "ALTER TABLE r DROP CONSTRAINT r_fk, ADD CONSTRAINT r_fk FOREIGN KEY (t_id, t_k)"
        " REFERENCES t (id, k) ON DELETE SET NULL;"
        " DROP TRIGGER t_tr ON t; CREATE TRIGGER t_tr AFTER UPDATE ON t"
        " REFERENCING OLD TABLE AS o NEW TABLE AS n2 FOR EACH STATEMENT EXECUTE FUNCTION trf();"
        " ALTER DOMAIN dnv VALIDATE CONSTRAINT dnv_length;",
        (("constraint", "public.r.r_fk", "changed", "on_delete_columns"),
         ("trigger", "public.t.t_tr", "changed", "referencing"),
         ("domain", "public.dnv", "changed", "not_valid")),
    ),
    Case(
        # the control file's comment, which CREATE EXTENSION sets, is not compared; a comment
        # the migrations set, or one set by hand over the control file's (live), is
        "extension comments changed by hand",
        "CREATE EXTENSION ltree;\nCREATE EXTENSION hstore;\nCREATE EXTENSION citext;\n"
        "COMMENT ON EXTENSION hstore IS 'key/value pairs';\n",
        "COMMENT ON EXTENSION ltree IS 'paths'; COMMENT ON EXTENSION hstore IS 'pairs';"
        " COMMENT ON EXTENSION citext IS NULL;",
        (("extension", "ltree", "changed", "comment"),
         ("extension", "hstore", "changed", "comment"),
         ("extension", "citext", "changed", "comment")),
        # a dump cannot tell the control file's comment from another
        dump=(("extension", "hstore", "changed", "comment"),),
    ),
    Case(
        # an INHERITS child's own default of a column it inherits only: set on the child with
        # or without ONLY (its inheritors follow without), or left behind by ONLY on the parent
        "inherited column defaults changed by hand",
        "CREATE TABLE parent (id int, pv text DEFAULT 'p', q int, z int DEFAULT 9);\n"
        "CREATE TABLE child (extra int) INHERITS (parent);\n"
        "CREATE TABLE grand () INHERITS (child);\n"
        "CREATE TABLE p2 (a int DEFAULT 1);\nCREATE TABLE c2 () INHERITS (p2);\n",
        "ALTER TABLE ONLY child ALTER COLUMN pv SET DEFAULT 'c';"
        " ALTER TABLE child ALTER COLUMN q SET DEFAULT 5;"
        " ALTER TABLE ONLY parent ALTER COLUMN z SET DEFAULT 10;"
        " ALTER TABLE c2 ALTER COLUMN a DROP DEFAULT;",
        (("table", "public.child", "changed", "inherited_defaults"),
         ("table", "public.grand", "changed", "inherited_defaults"),
         ("column", "public.parent.z", "changed", "default"),
         ("table", "public.c2", "changed", "inherited_defaults")),
    ),
    Case(
        # an INHERITS child's own comment on a column it inherits only
        "inherited column comments changed by hand",
        "CREATE TABLE parent (id int, a text, b int);\n"
        "CREATE TABLE child (extra int) INHERITS (parent);\n"
        "COMMENT ON COLUMN child.a IS 'mine';\n",
        "COMMENT ON COLUMN child.a IS 'changed'; COMMENT ON COLUMN child.b IS 'new';",
        (("table", "public.child", "changed", "inherited_comments"),),
    ),
    Case(
        # an INHERITS child's own NOT NULL of a column it inherits only
        "inherited column NOT NULL changed by hand",
        "CREATE TABLE parent (id int, a text, b int NOT NULL);\n"
        "CREATE TABLE child (extra int) INHERITS (parent);\n",
        "ALTER TABLE ONLY child ALTER COLUMN a SET NOT NULL;",
        (("table", "public.child", "changed", "inherited_not_null"),),
    ),
    Case(
        # a partition's clone of its parent's row trigger disabled (or enabled otherwise) alone
        "partition's cloned trigger disabled by hand",
        "CREATE TABLE pt (id int, d date) PARTITION BY RANGE (d);\n"
        "CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\n"
        "CREATE TABLE pt2 PARTITION OF pt FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');\n"
        "CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n"
        "CREATE TRIGGER trg BEFORE INSERT ON pt FOR EACH ROW EXECUTE FUNCTION tf();\n"
        "ALTER TABLE pt2 DISABLE TRIGGER trg;\n",
        "ALTER TABLE pt1 DISABLE TRIGGER trg; ALTER TABLE pt2 ENABLE REPLICA TRIGGER trg;",
        (("table", "public.pt1", "changed", "trigger_states"),
         ("table", "public.pt2", "changed", "trigger_states")),
    ),
    Case(
        # a number-looking constant is a number only where its type is one: on text, '010'
        # is not '10', nor '1e3' '1000'
        "number-looking text constants respelled by hand",
        "CREATE TABLE nx (s text DEFAULT '010', j jsonb,\n"
        "    CONSTRAINT k1 CHECK (s <> '010'), CONSTRAINT k3 CHECK (j ->> 'a' <> '1e3'));\n"
        "CREATE INDEX nx_p ON nx (s) WHERE s <> '00';\n",
        "ALTER TABLE nx ALTER COLUMN s SET DEFAULT '10',"
        " DROP CONSTRAINT k1, ADD CONSTRAINT k1 CHECK (s <> '10'),"
        " DROP CONSTRAINT k3, ADD CONSTRAINT k3 CHECK (j ->> 'a' <> '1000');"
        " DROP INDEX nx_p; CREATE INDEX nx_p ON nx (s) WHERE s <> '0';",
        (("column", "public.nx.s", "changed", "default"),
         ("constraint", "public.nx.k1", "changed", "expression"),
         ("constraint", "public.nx.k3", "changed", "expression"),
         ("index", "public.nx_p", "changed", "predicate")),
    ),
    Case(
        # an ISO-looking constant is a date only where its type is one: on text, its spelling
        "ISO-looking text constants respelled by hand",
        "CREATE TABLE tx (s text, v varchar(30), ts timestamptz,\n"
        "    s2 text DEFAULT '2020-01-01'::text, v2 varchar(20) DEFAULT '2020-01-01 10:00:00',\n"
        "    CONSTRAINT ck1 CHECK (s = '2020-01-01 00:00:00'),\n"
        "    CONSTRAINT ck2 CHECK (v IN ('2020-01-01', '2021-01-01 00:00')));\n"
        "CREATE INDEX tx_p ON tx (s) WHERE s <> '2020-01-01';\n"
        "CREATE DOMAIN sday AS text CHECK (VALUE <> '2020-01-01 00:00:00');\n"
        "ALTER TABLE tx ENABLE ROW LEVEL SECURITY;\n"
        "CREATE POLICY p ON tx USING (s <> '2020-01-01 00:00:00');\n",
        "ALTER TABLE tx DROP CONSTRAINT ck1, DROP CONSTRAINT ck2,"
        " ADD CONSTRAINT ck1 CHECK (s = '2020-01-01'),"
        " ADD CONSTRAINT ck2 CHECK (v IN ('2020-01-01 00:00:00', '2021-01-01 00:00')),"
        " ALTER COLUMN s2 SET DEFAULT '2020-01-01 00:00:00'::text,"
        " ALTER COLUMN v2 SET DEFAULT '2020-01-01T10:00:00';"
        " DROP INDEX tx_p; CREATE INDEX tx_p ON tx (s) WHERE s <> '2020-01-01 00:00';"
        " ALTER DOMAIN sday DROP CONSTRAINT sday_check;"
        " ALTER DOMAIN sday ADD CONSTRAINT sday_check CHECK (VALUE <> '2020-01-01');"
        " ALTER POLICY p ON tx USING (s <> '2020-01-01');",
        (("constraint", "public.tx.ck1", "changed", "expression"),
         ("constraint", "public.tx.ck2", "changed", "expression"),
         ("column", "public.tx.s2", "changed", "default"),
         ("column", "public.tx.v2", "changed", "default"),
         ("index", "public.tx_p", "changed", "predicate"),
         ("domain", "public.sday", "changed", "checks"),
         ("policy", "public.tx.p", "changed", "using")),
    ),
]

CASES += [
    Case(
        # a column the view does not read renamed: its query stays decided, count(*) and a
        # multiplication being no * projection
        "view filter changed after an unrelated column's rename",
        USERS + "CREATE VIEW ranked AS SELECT u.id, u.score * 2 AS doubled,"
                " (SELECT count(*) FROM orders o WHERE o.user_id = u.id) AS n"
                " FROM users u WHERE u.active IS TRUE;\n"
                "ALTER TABLE users RENAME COLUMN name TO full_name;\n",
        "CREATE OR REPLACE VIEW ranked AS SELECT u.id, u.score * 2 AS doubled,"
        " (SELECT count(*) FROM orders o WHERE o.user_id = u.id) AS n FROM users u;",
        (("view", "public.ranked", "changed", "query"),),
    ),
]

CASES += [
    Case(
        # TO CURRENT_USER matches the migrating role's name, not PUBLIC nor a second role
        "policy of the current user given to others by hand",
        USERS + "ALTER TABLE users ENABLE ROW LEVEL SECURITY;\n"
                "CREATE POLICY own ON users TO CURRENT_USER USING (true);\n"
                "CREATE POLICY own2 ON users TO CURRENT_USER USING (true);\n",
        "ALTER POLICY own ON users TO PUBLIC; ALTER POLICY own2 ON users TO CURRENT_USER, md_reader;",
        (("policy", "public.users.own", "changed", "roles"),
         ("policy", "public.users.own2", "changed", "roles")),
    ),
]

CASES += [
    Case(
        # a view over a table renamed under it: its query follows the new name
        "view filter changed after its table's rename",
        USERS + "CREATE VIEW active AS SELECT u.id, u.name FROM users u WHERE u.active;\n"
                "ALTER TABLE users RENAME TO members;\n",
        "CREATE OR REPLACE VIEW active AS SELECT u.id, u.name FROM members u;",
        (("view", "public.active", "changed", "query"),),
    ),
]

CASES += [
    Case(
        # a money constant compared by its amount, not by the text cash_out prints
        "money constant in a CHECK changed by hand",
        "CREATE TABLE w (amount money, CONSTRAINT positive CHECK (amount > '0'));\n",
        "ALTER TABLE w DROP CONSTRAINT positive, ADD CONSTRAINT positive CHECK (amount > '5');",
        (("constraint", "public.w.positive", "changed", "expression"),),
    ),
]

CASES += [
    Case(
        # storage parameters: what autovacuum, HOT updates and the planner do with a relation
        "storage parameters changed by hand",
        USERS + "ALTER TABLE orders SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.01);\n"
                "CREATE INDEX orders_total ON orders (total) WITH (fillfactor = 70);\n"
                "CREATE INDEX users_name ON users (name);\n"
                "CREATE MATERIALIZED VIEW totals WITH (fillfactor = 50) AS\n"
                "  SELECT user_id, sum(total) FROM orders GROUP BY user_id;\n",
        "ALTER TABLE users SET (autovacuum_enabled = off);"
        " ALTER TABLE orders RESET (autovacuum_vacuum_scale_factor);"
        " ALTER INDEX orders_total SET (fillfactor = 90); ALTER INDEX users_name SET (fillfactor = 60);"
        " ALTER MATERIALIZED VIEW totals RESET (fillfactor);",
        (("table", "public.users", "changed", "options"),
         ("table", "public.orders", "changed", "options"),
         ("index", "public.orders_total", "changed", "options"),
         ("index", "public.users_name", "changed", "options"),
         ("view", "public.totals", "changed", "options")),
    ),
    Case(
        # a column's statistics target (the planner's estimates) and its storage (TOAST)
        "column statistics and storage changed by hand",
        USERS + "ALTER TABLE users ALTER COLUMN score SET STATISTICS 500,\n"
                "  ALTER COLUMN name SET STORAGE EXTERNAL;\n",
        "ALTER TABLE users ALTER COLUMN score SET STATISTICS -1,"
        " ALTER COLUMN name SET STORAGE EXTENDED;"
        " ALTER TABLE orders ALTER COLUMN user_id SET STATISTICS 1000,"
        " ALTER COLUMN total SET STORAGE EXTERNAL, ALTER COLUMN user_id SET (n_distinct = -0.5);",
        (("column", "public.users.score", "changed", "statistics"),
         ("column", "public.users.name", "changed", "storage"),
         ("column", "public.orders.user_id", "changed", "statistics"),
         ("column", "public.orders.user_id", "changed", "options"),
         ("column", "public.orders.total", "changed", "storage")),
    ),
    Case(
        # what a failed CREATE INDEX CONCURRENTLY leaves: an index the planner never uses
        "index left invalid",
        USERS + "CREATE INDEX users_name ON users (name);\n",
        "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'users_name'::regclass;",
        (("index", "public.users_name", "changed", "valid"),),
        dump=(("index", "public.users_name", "missing", None),),  # pg_dump leaves it out
    ),
]

CASES += [
    Case(
        # the index CLUSTER reorders the table by (indisclustered): set, moved, cleared
        "CLUSTER ON changed by hand",
        USERS + "CREATE INDEX users_name ON users (name);\n"
                "CREATE INDEX orders_total ON orders (total);\n"
                "ALTER TABLE users CLUSTER ON users_name;\n"
                "CLUSTER orders USING orders_total;\n",
        "ALTER TABLE users CLUSTER ON users_pkey; ALTER TABLE orders SET WITHOUT CLUSTER;"
        " CREATE TABLE later (id int PRIMARY KEY); CLUSTER later USING later_pkey;",
        (("table", "public.users", "changed", "clustered_on"),
         ("table", "public.orders", "changed", "clustered_on"),
         ("table", "public.later", "extra", None)),
    ),
    Case(
        # a column's TOAST compression (pglz: the embedded server has no lz4), set and reset
        "column compression changed by hand",
        USERS + "CREATE TABLE notes (id int, body text COMPRESSION pglz, extra text);\n",
        "ALTER TABLE notes ALTER COLUMN body SET COMPRESSION default,"
        " ALTER COLUMN extra SET COMPRESSION pglz;"
        " ALTER TABLE users ALTER COLUMN name SET COMPRESSION pglz;",
        (("column", "public.notes.body", "changed", "compression"),
         ("column", "public.notes.extra", "changed", "compression"),
         ("column", "public.users.name", "changed", "compression")),
    ),
    Case(
        # a table's access method (only heap is built in: heap2 is heap under another name)
        "table access method changed by hand",
        "CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler;\n"
        + USERS + "CREATE TABLE notes (id int) USING heap2;\n",
        "ALTER TABLE users SET ACCESS METHOD heap2; ALTER TABLE notes SET ACCESS METHOD heap;",
        (("table", "public.users", "changed", "access_method"),
         ("table", "public.notes", "changed", "access_method")),
    ),
    Case(
        # the TOAST table's storage parameters (autovacuum of the out-of-line values)
        "TOAST storage parameters changed by hand",
        "CREATE TABLE docs (id int, body text);\n"
        "CREATE TABLE logs (id int, line text) WITH (toast.autovacuum_enabled = false);\n",
        "ALTER TABLE docs SET (toast.autovacuum_enabled = false);"
        " ALTER TABLE logs RESET (toast.autovacuum_enabled);",
        (("table", "public.docs", "changed", "options"),
         ("table", "public.logs", "changed", "options")),
    ),
    Case(
        # an identity column's sequence options (RESTART only moves the next value: data)
        "identity sequence options changed by hand",
        "CREATE TABLE a (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, b text);\n"
        "CREATE TABLE b (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 5));\n"
        "CREATE TABLE c (id int GENERATED ALWAYS AS IDENTITY (CACHE 10));\n"
        "CREATE TABLE d (id smallint GENERATED ALWAYS AS IDENTITY);\n",
        "ALTER TABLE a ALTER COLUMN id SET INCREMENT BY 5 RESTART WITH 100;"
        " ALTER TABLE b ALTER COLUMN id SET START WITH 1 SET INCREMENT BY 1;"
        " ALTER SEQUENCE c_id_seq CACHE 1 MAXVALUE 5000;"
        " ALTER TABLE d ALTER COLUMN id RESTART WITH 10;",
        (("column", "public.a.id", "changed", "identity_options"),
         ("column", "public.b.id", "changed", "identity_options"),
         ("column", "public.c.id", "changed", "identity_options")),
    ),
    Case(
        # the storage parameters of the index behind a primary key or unique constraint
        "constraint index storage parameters changed by hand",
        "CREATE TABLE t (id int PRIMARY KEY, a int, b text, UNIQUE (a) WITH (fillfactor = 70));\n",
        "ALTER INDEX t_pkey SET (fillfactor = 50); ALTER INDEX t_a_key RESET (fillfactor);",
        (("constraint", "public.t.t_pkey", "changed", "index_options"),
         ("constraint", "public.t.t_a_key", "changed", "index_options")),
    ),
    Case(
        # an index expression's statistics target (the planner's sample of its values)
        "index key statistics changed by hand",
        "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n"
        "CREATE INDEX t_e ON t ((a + 1), (b * 2));\n"
        "ALTER INDEX t_e ALTER COLUMN 2 SET STATISTICS 300;\n",
        "ALTER INDEX t_e ALTER COLUMN 1 SET STATISTICS 500;"
        " ALTER INDEX t_e ALTER COLUMN 2 SET STATISTICS -1;",
        (("index", "public.t_e", "changed", "statistics"),),
    ),
    Case(
        # a view's column defaults: what an INSERT through the view fills in
        "view column defaults changed by hand",
        "CREATE TABLE t (id int, a int, s text);\n"
        "CREATE VIEW v AS SELECT id, a, s FROM t;\n"
        "CREATE VIEW w AS SELECT id, a FROM t;\n"
        "ALTER VIEW v ALTER COLUMN a SET DEFAULT 5;\n"
        "ALTER VIEW w ALTER COLUMN a SET DEFAULT 5;\n",
        "ALTER VIEW v ALTER COLUMN a SET DEFAULT 6; ALTER VIEW v ALTER COLUMN s SET DEFAULT 'x';"
        " ALTER VIEW w ALTER COLUMN a DROP DEFAULT;",
        (("view", "public.v", "changed", "defaults"), ("view", "public.w", "changed", "defaults")),
    ),
    Case(
        # a routine's planner estimates (COST, and ROWS of a set-returning one)
        "function COST and ROWS changed by hand",
        "CREATE FUNCTION f() RETURNS SETOF int LANGUAGE sql AS 'SELECT 1';\n"
        "CREATE FUNCTION g() RETURNS int LANGUAGE sql COST 5 AS 'SELECT 1';\n",
        "ALTER FUNCTION f() COST 500 ROWS 10; ALTER FUNCTION g() COST 100;",
        (("function", "public.f()", "changed", "cost"), ("function", "public.f()", "changed", "rows"),
         ("function", "public.g()", "changed", "cost")),
    ),
    Case(
        # a sequence made unlogged (PostgreSQL 15) or logged again by hand
        "sequence persistence changed by hand",
        "CREATE SEQUENCE s;\nCREATE UNLOGGED SEQUENCE s2;\n",
        "ALTER SEQUENCE s SET UNLOGGED; ALTER SEQUENCE s2 SET LOGGED;",
        (("sequence", "public.s", "changed", "persistence"),
         ("sequence", "public.s2", "changed", "persistence")),
    ),
    Case(
        # extended statistics objects made, dropped, re-made with other kinds, re-targeted
        "extended statistics changed by hand",
        "CREATE TABLE t (id int, a int, b int, c text);\n"
        "CREATE STATISTICS st1 ON a, b FROM t;\n"
        "CREATE STATISTICS st2 (ndistinct) ON a, c FROM t;\n"
        "CREATE STATISTICS st4 ON a, b FROM t;\n",
        "CREATE STATISTICS st3 ON (a + b), c FROM t; DROP STATISTICS st2;"
        " ALTER STATISTICS st1 SET STATISTICS 500;"
        " DROP STATISTICS st4; CREATE STATISTICS st4 (dependencies) ON a, b FROM t;",
        (("statistics", "public.st1", "changed", "target"),
         ("statistics", "public.st2", "missing", None),
         ("statistics", "public.st3", "extra", None),
         ("statistics", "public.st4", "changed", "kinds")),
    ),
    Case(
        # event triggers (database-wide): made, disabled, dropped, re-made on another function
        "event triggers changed by hand",
        "CREATE FUNCTION et() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n"
        "CREATE FUNCTION et2() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n"
        "CREATE EVENT TRIGGER etr ON ddl_command_start EXECUTE FUNCTION et();\n"
        "CREATE EVENT TRIGGER etr2 ON ddl_command_end WHEN TAG IN ('CREATE TABLE')\n"
        "  EXECUTE PROCEDURE et();\n"
        "CREATE EVENT TRIGGER etr4 ON sql_drop EXECUTE FUNCTION et();\n",
        "CREATE EVENT TRIGGER etr3 ON sql_drop EXECUTE FUNCTION et();"
        " ALTER EVENT TRIGGER etr DISABLE; DROP EVENT TRIGGER etr2;"
        " DROP EVENT TRIGGER etr4; CREATE EVENT TRIGGER etr4 ON sql_drop"
        " WHEN TAG IN ('DROP TABLE') EXECUTE FUNCTION et2();",
        (("event_trigger", "etr", "changed", "enabled"),
         ("event_trigger", "etr2", "missing", None),
         ("event_trigger", "etr3", "extra", None),
         ("event_trigger", "etr4", "changed", "function"),
         ("event_trigger", "etr4", "changed", "tags")),
    ),
]

#: Migrations that must compare clean against what they build (no false difference).
CLEAN = [
    USERS + """
CREATE VIEW v1 AS SELECT u.id, u.name AS n, count(o.id) FROM users u LEFT OUTER JOIN orders o
  ON o.user_id = u.id WHERE u.name LIKE 'a%' AND u.score BETWEEN 1 AND 10 GROUP BY 1, 2
  ORDER BY 3 DESC;
CREATE VIEW v2 AS SELECT * FROM users;
CREATE VIEW v3 AS SELECT id::text AS t, -1 AS m, now() - interval '1 day' AS since,
  coalesce(name, 'x') FROM public.users WHERE id IN (1, 2) AND name NOT IN ('a', 'b');
CREATE VIEW v4 AS SELECT id FROM users WHERE EXISTS (SELECT 1 FROM orders
  WHERE orders.user_id = users.id) UNION SELECT user_id FROM orders;
CREATE VIEW v5 AS SELECT id, score FROM users;
ALTER TABLE users RENAME COLUMN score TO points;
CREATE VIEW v6 AS SELECT name FROM users;
ALTER TABLE users RENAME TO people;
""",
    "CREATE EXTENSION ltree;\nCREATE EXTENSION pg_trgm VERSION '1.5';\n"
    "CREATE EXTENSION hstore;\nCOMMENT ON EXTENSION hstore IS 'pairs';\n"
    "CREATE EXTENSION citext;\nCOMMENT ON EXTENSION citext IS NULL;\n",
    "CREATE EXTENSION ltree VERSION '1.1';\nALTER EXTENSION ltree UPDATE;\n",
    USERS + """
CREATE SCHEMA app;
CREATE TABLE app.t (id int);
CREATE SEQUENCE app.s;
CREATE VIEW v AS SELECT id FROM users;
CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';
GRANT SELECT, INSERT ON users, orders TO md_reader;
GRANT ALL PRIVILEGES ON TABLE app.t TO md_writer WITH GRANT OPTION;
REVOKE GRANT OPTION FOR DELETE ON app.t FROM md_writer;
GRANT USAGE, CREATE ON SCHEMA app TO md_reader, md_writer;
GRANT SELECT ON v TO PUBLIC;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA app TO md_writer;
REVOKE EXECUTE ON FUNCTION f(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION f TO md_reader;
REVOKE ALL ON PROCEDURE p FROM PUBLIC;
GRANT EXECUTE ON FUNCTION f(integer) TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA app TO md_reader;
REVOKE INSERT ON orders FROM md_reader;
GRANT ALL ON users TO CURRENT_USER;
GRANT SELECT (name) ON users TO md_writer;
ALTER TABLE users RENAME TO people;
ALTER SCHEMA app RENAME TO app2;
ALTER FUNCTION f(int) RENAME TO f2;
GRANT USAGE ON SCHEMA public TO md_reader;
DROP VIEW v;
ALTER DEFAULT PRIVILEGES IN SCHEMA app2 GRANT SELECT ON TABLES TO md_reader;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO md_writer;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT ALL ON SCHEMAS TO md_writer;
CREATE TABLE app2.later (id serial);
CREATE VIEW app2.later_v AS SELECT id FROM app2.later;
CREATE FUNCTION app2.g() RETURNS int LANGUAGE sql AS 'SELECT 2';
CREATE SCHEMA other;
ALTER TABLE app2.later RENAME TO later2;
ALTER DEFAULT PRIVILEGES IN SCHEMA app2 REVOKE SELECT ON TABLES FROM md_reader;
ALTER DEFAULT PRIVILEGES REVOKE USAGE ON SEQUENCES FROM md_writer;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE ALL ON SCHEMAS FROM md_writer;
""",
    # forms the catalog deparses differently from how migrations in the wild write them
    r"""
CREATE COLLATION nocase FROM "C";
CREATE TABLE e (id int PRIMARY KEY, lo int, hi int, s text COLLATE nocase, b boolean, n numeric,
  t2 text DEFAULT E'line\nbreak', m numeric DEFAULT 1.5e2);
ALTER TABLE e ADD CONSTRAINT c1 CHECK (lo BETWEEN SYMMETRIC 0 AND hi);
ALTER TABLE e ADD CONSTRAINT c2 CHECK (lo NOT BETWEEN 0 AND hi);
ALTER TABLE e ADD CONSTRAINT c3 CHECK (lo NOT BETWEEN SYMMETRIC 0 AND hi);
ALTER TABLE e ADD CONSTRAINT c4 CHECK (s IS NOT DISTINCT FROM t2 OR s <> E'\t');
ALTER TABLE e ADD CONSTRAINT c5 CHECK (n <> 1e3 AND (id, n) < (1, 2) AND t2 SIMILAR TO '(a|b)%');
ALTER TABLE e ALTER COLUMN t2 TYPE varchar(20) COLLATE "C";
ALTER TABLE e ALTER COLUMN t2 TYPE varchar(30);
CREATE INDEX e_i ON e (id) WHERE b IS NOT DISTINCT FROM true;
CREATE VIEW w1 AS SELECT id FROM e WHERE lo = ANY (SELECT hi FROM e);
CREATE VIEW w2 AS SELECT id FROM e INTERSECT SELECT lo FROM e EXCEPT SELECT hi FROM e;
CREATE VIEW w3 AS SELECT id, row_number() OVER (ORDER BY id rows between unbounded preceding
  and current row) FROM e;
CREATE TABLE js (id int, j jsonb, s text);
ALTER TABLE js ADD CONSTRAINT js_c CHECK (CASE WHEN id > 0 THEN s LIKE 'a!%' ESCAPE '!' END);
CREATE INDEX js_i ON js ((CASE WHEN id > 0 THEN s END));
CREATE VIEW w4 AS SELECT js.id, x.value FROM js, jsonb_array_elements(js.j) x
  WHERE js.id = SOME (SELECT id FROM e) AND s NOT ILIKE 'b#_' ESCAPE '#';
CREATE VIEW w5 AS SELECT e.id, row_to_json(e) AS r, to_jsonb(x) AS t FROM e JOIN js x ON x.id = e.id;
""",
    # ALTER ... OWNER TO: the new owner's privileges are the owner's, never compared (dumped
    # schemas write OWNER TO and then GRANT ALL to the owner itself)
    """
CREATE TABLE "public"."x" ("id" bigint NOT NULL);
GRANT SELECT, INSERT ON TABLE x TO md_writer;
ALTER TABLE "public"."x" OWNER TO md_writer;
GRANT ALL ON TABLE "public"."x" TO "md_writer";
GRANT ALL ON TABLE "public"."x" TO "md_reader";
CREATE FUNCTION "public"."fn"() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER FUNCTION "public"."fn"() OWNER TO "md_writer";
GRANT ALL ON FUNCTION "public"."fn"() TO "md_writer";
CREATE SEQUENCE "public"."s";
ALTER SEQUENCE "public"."s" OWNER TO "md_writer";
GRANT ALL ON SEQUENCE "public"."s" TO "md_writer";
CREATE VIEW vx AS SELECT id FROM x;
ALTER VIEW vx OWNER TO md_writer;
ALTER VIEW vx RENAME TO vx2;
GRANT SELECT ON vx2 TO md_writer;
CREATE SCHEMA "app";
ALTER SCHEMA "app" OWNER TO "md_writer";
GRANT USAGE ON SCHEMA "app" TO "md_writer";
GRANT USAGE ON SCHEMA "app" TO "md_reader";
""",
    # view options as migrations write them: every spelling of a boolean, a false one (the
    # default), the clause and the option, ALTER TABLE on a view, a replace that clears them,
    # a materialized view's and a table's storage parameters (not compared)
    USERS + """
CREATE VIEW o1 WITH (security_barrier, security_invoker = 'yes') AS SELECT id FROM users;
CREATE VIEW o2 WITH (security_invoker = false) AS SELECT id FROM users WHERE active
  WITH CHECK OPTION;
CREATE VIEW o3 WITH (check_option = local) AS SELECT id FROM users WHERE active;
ALTER TABLE o3 SET (security_barrier = 1, security_invoker = t);
ALTER VIEW o3 RESET (security_barrier);
CREATE VIEW o4 WITH (security_invoker = on) AS SELECT id FROM users;
CREATE OR REPLACE VIEW o4 AS SELECT id FROM users;
CREATE MATERIALIZED VIEW o5 WITH (fillfactor = 50) AS SELECT id FROM users;
ALTER MATERIALIZED VIEW o5 SET (autovacuum_enabled = false);
ALTER TABLE orders SET (fillfactor = 70, toast.autovacuum_enabled = false);
ALTER TABLE orders RESET (fillfactor);
""",
    # replica identity: the index it names renamed (as an index, as a constraint, through
    # ALTER INDEX on a constraint's index) or dropped; not recursed to partitions, new ones
    # at the default; a materialized view's is not compared
    """
CREATE TABLE r1 (a int PRIMARY KEY, b int NOT NULL);
CREATE UNIQUE INDEX r1_b ON r1 (b);
ALTER TABLE r1 REPLICA IDENTITY USING INDEX r1_b;
ALTER INDEX r1_b RENAME TO r1_b2;
CREATE TABLE r2 (a int NOT NULL CONSTRAINT r2_a_key UNIQUE);
ALTER TABLE r2 REPLICA IDENTITY USING INDEX r2_a_key;
ALTER TABLE r2 RENAME CONSTRAINT r2_a_key TO r2_a_uq;
ALTER INDEX r2_a_uq RENAME TO r2_a_unique;
ALTER TABLE r2 RENAME TO r2_renamed;
CREATE TABLE r3 (a int NOT NULL);
CREATE UNIQUE INDEX r3_a ON r3 (a);
ALTER TABLE r3 REPLICA IDENTITY USING INDEX r3_a;
DROP INDEX r3_a;
CREATE TABLE r4 (a int NOT NULL, d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE r4_1 PARTITION OF r4 FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER TABLE r4 REPLICA IDENTITY FULL;
ALTER TABLE ONLY r4_1 REPLICA IDENTITY NOTHING;
CREATE TABLE r4_2 PARTITION OF r4 FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE MATERIALIZED VIEW r5 AS SELECT 1 AS x;
ALTER MATERIALIZED VIEW r5 REPLICA IDENTITY FULL;
""",
    # column privileges through every change that moves or removes them: a table-level
    # REVOKE, column and table renames, a schema move, a dropped column and table, an owner
    """CREATE TABLE t (a int, b int, c int);
GRANT SELECT (a, b), UPDATE (c) ON t TO md_reader;
GRANT INSERT (a) ON t TO md_reader WITH GRANT OPTION;
REVOKE SELECT ON t FROM md_reader;
GRANT ALL (b) ON t TO md_writer;
GRANT SELECT ON t TO md_writer;
GRANT SELECT (c) ON t TO md_writer;
CREATE VIEW v AS SELECT a, b FROM t;
GRANT SELECT (a) ON v TO md_reader;
ALTER VIEW v RENAME COLUMN a TO aa;
GRANT UPDATE (b), REFERENCES (c) ON t TO PUBLIC;
ALTER TABLE t RENAME b TO bb;
CREATE TABLE u (x int, y int);
GRANT SELECT (x, y) ON u TO md_reader;
ALTER TABLE u DROP COLUMN y;
ALTER TABLE u RENAME TO u2;
CREATE SCHEMA s2;
ALTER TABLE u2 SET SCHEMA s2;
CREATE TABLE gone (g int);
GRANT SELECT (g) ON gone TO md_reader;
DROP TABLE gone;
CREATE TABLE g2 (g int);
GRANT UPDATE (g) ON g2 TO md_reader;
REVOKE ALL ON g2 FROM md_reader;
CREATE TABLE o (z int);
GRANT SELECT (z) ON o TO md_writer;
ALTER TABLE o OWNER TO md_writer;
""",
    # date/time constants spelled unlike the catalog prints them, where only their type (a
    # column's, a parameter's, a cast's) says they are dates: no difference
    """CREATE TABLE dt (id int, tz timestamptz DEFAULT '2020-01-01 00:00',
  tz2 timestamptz DEFAULT '2020-01-01T10:00:00+02', ts timestamp DEFAULT '2020-01-01 00:00:00',
  d date DEFAULT '2020-01-01', s text DEFAULT '2020-01-01 00:00',
  CONSTRAINT c1 CHECK (tz > '2020-01-01 00:00:00'), CONSTRAINT c2 CHECK (tz2 < '2030-01-01T00:00:00Z'),
  CONSTRAINT c3 CHECK (d BETWEEN '2000-01-01' AND '2100-01-01 00:00:00'),
  CONSTRAINT c4 CHECK (tz IN ('2020-01-01 00:00:00', '2021-01-01T00:00:00+00')),
  CONSTRAINT c5 CHECK (COALESCE(tz, '2020-01-01 00:00') > '2019-01-01'),
  CONSTRAINT c6 CHECK (now() > '2000-01-01 00:00:00'),
  CONSTRAINT c7 CHECK (age(tz, '2000-01-01 00:00:00') > '1 day'),
  CONSTRAINT c8 CHECK (tstzrange(tz, '2040-01-01 00:00') <> 'empty'));
CREATE INDEX dt_b ON dt (date_bin('15 minutes', ts, '2001-01-01 00:00:00'));
CREATE INDEX dt_b2 ON dt (date_bin('15 minutes', tz, '2001-01-01 00:00:00+00'));
CREATE TABLE ev (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE ev_2020 PARTITION OF ev FOR VALUES FROM ('2020-01-01 00:00:00') TO ('2021-01-01T00:00:00+00');
CREATE DOMAIN recent AS timestamptz DEFAULT '2020-01-01 00:00' CHECK (VALUE > '2000-01-01 00:00:00');
CREATE FUNCTION f(a timestamptz DEFAULT '2020-01-01 00:00', c date DEFAULT '2020-01-01')
  RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE VIEW v AS SELECT id FROM dt WHERE tz > '2020-01-01 00:00:00' AND s <> '2020-01-01';
ALTER TABLE dt ENABLE ROW LEVEL SECURITY;
CREATE POLICY p1 ON dt USING (tz > '2020-01-01 00:00:00');
CREATE POLICY p2 ON dt USING (EXISTS (SELECT 1 FROM ev WHERE ev.at > '2020-01-01 00:00'));
ALTER POLICY p1 ON dt WITH CHECK (tz2 > '2020-01-01 00:00:00');
CREATE TABLE g (id int, tz timestamptz,
  gen boolean GENERATED ALWAYS AS (tz > '2020-01-01 00:00:00') STORED);
CREATE FUNCTION body() RETURNS bigint LANGUAGE sql STABLE
  RETURN (SELECT count(*) FROM dt WHERE tz > '2020-01-01 00:00:00');
CREATE FUNCTION trf() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER trg BEFORE UPDATE ON g FOR EACH ROW
  WHEN (NEW.tz > '2020-01-01 00:00:00') EXECUTE FUNCTION trf();
""",
    # numbers written as strings where only their type (a column's, in arithmetic too) says so
    """CREATE TABLE nn (id int, n int DEFAULT '10', m numeric(10,2) DEFAULT '1.50',
  f float8 DEFAULT '1e3', b bigint DEFAULT '-5', g interval, s text DEFAULT '010',
  CONSTRAINT k1 CHECK (n > '0'), CONSTRAINT k2 CHECK (m BETWEEN '0' AND '1e6'),
  CONSTRAINT k3 CHECK (n IN ('1', '02', '3')), CONSTRAINT k4 CHECK (n * '2' < '1000'),
  CONSTRAINT k5 CHECK (m + '1' > '0.5'), CONSTRAINT k6 CHECK (g * '2' < '2 days'),
  CONSTRAINT k7 CHECK (COALESCE(n, '0') >= '0'), CONSTRAINT k8 CHECK (n - 1 > '-5'),
  CONSTRAINT k9 CHECK (length(s) < '100'), CONSTRAINT k10 CHECK (n % '2' = '0'));
CREATE INDEX nn_p ON nn (id) WHERE n > '5';
CREATE DOMAIN dn AS int DEFAULT '5' CHECK (VALUE > '0');
CREATE FUNCTION fn(a int DEFAULT '3', b numeric DEFAULT '1e2', c text DEFAULT '007')
  RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE VIEW nv AS SELECT id FROM nn WHERE n > '5' AND s <> '010';
ALTER TABLE nn ENABLE ROW LEVEL SECURITY;
CREATE POLICY np ON nn USING (n > '1');
CREATE TABLE ng (n int, d int GENERATED ALWAYS AS (n * '2') STORED);
CREATE TABLE np2 (k int NOT NULL) PARTITION BY RANGE (k);
CREATE TABLE np2_a PARTITION OF np2 FOR VALUES FROM ('1') TO ('010');
""",
    # storage parameters however written, set, reset, copied to partitions' indexes, through
    # renames; OIDS=FALSE is not compared
    """CREATE TABLE a (id int, t text) WITH (fillfactor = 70, autovacuum_enabled = off,
  toast.autovacuum_enabled = false);
CREATE TABLE b (id int) WITH (OIDS=FALSE);
CREATE TABLE c (id int);
ALTER TABLE c SET (autovacuum_vacuum_scale_factor = 0.010, parallel_workers = 2);
ALTER TABLE c RESET (parallel_workers);
ALTER TABLE c SET (toast.autovacuum_enabled = false);
CREATE INDEX a_id ON a (id) WITH (fillfactor = 50);
CREATE INDEX a_id2 ON a (id);
ALTER INDEX a_id2 SET (fillfactor = '60');
CREATE INDEX a_t ON a USING gin (to_tsvector('simple', t)) WITH (fastupdate = FALSE);
CREATE MATERIALIZED VIEW m WITH (fillfactor = 40) AS SELECT id FROM a;
CREATE MATERIALIZED VIEW m2 AS SELECT id FROM a;
ALTER MATERIALIZED VIEW m2 SET (autovacuum_enabled = false);
CREATE TABLE ct WITH (fillfactor = 80) AS SELECT 1 AS x;
CREATE TABLE p (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')
  WITH (fillfactor = 90);
CREATE INDEX p_id ON p (id) WITH (fillfactor = 30);
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE TABLE l (LIKE a INCLUDING ALL);
CREATE TABLE e (id int) WITH (autovacuum_enabled);
ALTER TABLE a RENAME TO a2;
ALTER INDEX a_id RENAME TO a_id_r;
""",
    # columns' statistics targets and storage, however written, recursed to partitions,
    # copied to new ones (storage), by LIKE ... INCLUDING STORAGE, reset by a type change
    """CREATE TABLE a (id int, t text, n numeric, j jsonb, v varchar(10));
ALTER TABLE a ALTER COLUMN t SET STORAGE EXTERNAL, ALTER COLUMN n SET STORAGE MAIN,
  ALTER COLUMN j SET STORAGE EXTENDED;
ALTER TABLE a ALTER COLUMN id SET STATISTICS 500, ALTER COLUMN v SET STATISTICS 200;
ALTER TABLE a ALTER COLUMN v SET STATISTICS -1;
ALTER TABLE a ALTER COLUMN id SET STORAGE PLAIN;
CREATE TABLE p (id int, t text, d date) PARTITION BY RANGE (d);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER TABLE p ALTER COLUMN t SET STORAGE EXTERNAL, ALTER COLUMN t SET STATISTICS 300;
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE TABLE p3 (id int, t text, d date);
ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
ALTER TABLE ONLY p ALTER COLUMN id SET STATISTICS 10;
CREATE TABLE l (LIKE p INCLUDING ALL);
CREATE TABLE l2 (LIKE p);
CREATE TABLE ty (t text, n numeric);
ALTER TABLE ty ALTER COLUMN t SET STATISTICS 100, ALTER COLUMN t SET STORAGE MAIN;
ALTER TABLE ty ALTER COLUMN t TYPE varchar(10);
CREATE TYPE mood AS ENUM ('a');
CREATE DOMAIN dt AS text;
CREATE TABLE u (m mood, d dt);
ALTER TABLE u ALTER COLUMN m SET STORAGE PLAIN, ALTER COLUMN d SET STORAGE EXTERNAL;
CREATE TABLE par (a text);
CREATE TABLE chi (b int) INHERITS (par);
ALTER TABLE par ALTER COLUMN a SET STORAGE EXTERNAL, ALTER COLUMN a SET STATISTICS 50;
ALTER TABLE p ALTER COLUMN t SET (n_distinct = 100.0, n_distinct_inherited = -0.2);
CREATE TABLE p4 PARTITION OF p FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE l3 (LIKE p INCLUDING ALL);
ALTER TABLE ty ALTER COLUMN n SET (n_distinct = 5), ALTER COLUMN n TYPE numeric(12,2);
ALTER TABLE ty ALTER COLUMN t SET (n_distinct = 3);
ALTER TABLE ty ALTER COLUMN t RESET (n_distinct);
""",
    # an INHERITS child's own defaults of the columns it inherits only, through ONLY or not on
    # the parent and the child, renames, NO INHERIT, ONLY DROP COLUMN, serial and merged ones
    """CREATE TABLE parent (id serial, pv text DEFAULT 'p', q int, r int DEFAULT 1, z int DEFAULT 9);
CREATE TABLE child (extra int) INHERITS (parent);
CREATE TABLE grand () INHERITS (child);
ALTER TABLE ONLY parent ALTER COLUMN pv SET DEFAULT 'p2';
ALTER TABLE ONLY child ALTER COLUMN q SET DEFAULT 5;
ALTER TABLE parent ALTER COLUMN r SET DEFAULT 2;
ALTER TABLE grand ALTER COLUMN r DROP DEFAULT;
ALTER TABLE parent RENAME COLUMN q TO qq;
CREATE TABLE p2 (a int DEFAULT 1, b int DEFAULT 2);
CREATE TABLE c2 () INHERITS (p2);
ALTER TABLE ONLY p2 ALTER COLUMN a SET DEFAULT 10;
ALTER TABLE c2 NO INHERIT p2;
CREATE TABLE p3 (a int DEFAULT 1, b int);
CREATE TABLE c3 () INHERITS (p3);
ALTER TABLE ONLY p3 ALTER COLUMN a SET DEFAULT 3;
ALTER TABLE ONLY p3 DROP COLUMN a;
ALTER TABLE ONLY p3 ALTER COLUMN b SET DEFAULT 4;
ALTER TABLE ONLY p3 ALTER COLUMN b DROP DEFAULT;
CREATE TABLE p4 (a int DEFAULT 1);
CREATE TABLE c4 (a int DEFAULT 7) INHERITS (p4);
ALTER TABLE ONLY p4 ALTER COLUMN a SET DEFAULT 2;
CREATE TABLE p5 (a int DEFAULT 1);
CREATE TABLE c5 (a int DEFAULT 1) INHERITS (p5);
CREATE TABLE g5 () INHERITS (c5);
ALTER TABLE ONLY c5 ALTER COLUMN a SET DEFAULT 5;
ALTER TABLE p5 ALTER COLUMN a SET DEFAULT 3;
""",
]


CLEAN_IDS = ["views", "extensions", "update", "privileges", "wild-forms", "owner", "view-options",
             "replica-identity", "column-privileges", "datetime-constants", "number-constants",
             "storage-parameters", "column-tuning", "inherited-defaults"]

CLEAN += [
    # CLUSTER ON through renames of its index (as an index, as a constraint, its table), a
    # type change that rebuilds it, the index dropped, CLUSTER t USING i, a plain CLUSTER
    """CREATE TABLE t (id int PRIMARY KEY, c int);
CREATE INDEX t_c ON t (c);
ALTER TABLE t CLUSTER ON t_c;
ALTER INDEX t_c RENAME TO t_c2;
CREATE TABLE u (id int CONSTRAINT u_pk PRIMARY KEY);
CLUSTER VERBOSE u USING u_pk;
ALTER TABLE u RENAME CONSTRAINT u_pk TO u_pk2;
CREATE TABLE w (id int PRIMARY KEY, x int);
CREATE INDEX w_x ON w (x);
ALTER TABLE w CLUSTER ON w_x;
DROP INDEX w_x;
CREATE TABLE y (id int PRIMARY KEY, x int);
ALTER TABLE y CLUSTER ON y_pkey;
ALTER TABLE y ALTER COLUMN id TYPE bigint;
ALTER TABLE y RENAME TO y2;
CLUSTER t;
CREATE TABLE z (id int PRIMARY KEY);
ALTER TABLE z CLUSTER ON z_pkey;
ALTER TABLE z SET WITHOUT CLUSTER;
""",
]
CLEAN_IDS += ["cluster-on"]

CLEAN += [
    # compression: not recursed to partitions, copied to new ones, by LIKE ... INCLUDING
    # COMPRESSION and to an inheritor's merged column, none after a type change (15 to 18)
    """CREATE TABLE p (id int, t text, d date) PARTITION BY RANGE (d);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER TABLE p ALTER COLUMN t SET COMPRESSION pglz;
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE TABLE p3 (id int, t text, d date);
ALTER TABLE p ATTACH PARTITION p3 FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
CREATE TABLE l (LIKE p INCLUDING ALL);
CREATE TABLE l2 (LIKE p);
CREATE TABLE l3 (LIKE p INCLUDING COMPRESSION);
CREATE TABLE ty (t text COMPRESSION pglz, v text COMPRESSION pglz);
ALTER TABLE ty ALTER COLUMN t TYPE varchar(10);
ALTER TABLE ty ALTER COLUMN v SET COMPRESSION default;
CREATE TABLE par (a text COMPRESSION pglz);
CREATE TABLE chi (b int) INHERITS (par);
CREATE TABLE chi2 (a text) INHERITS (par);
ALTER TABLE par ADD COLUMN z text COMPRESSION pglz;
ALTER TABLE p ADD COLUMN z text COMPRESSION pglz;
ALTER TABLE ONLY p ALTER COLUMN t SET COMPRESSION default;
""",
]
CLEAN_IDS += ["compression"]

CLEAN += [
    # access methods: USING, SET ACCESS METHOD, the session's default_table_access_method
    # (SET, RESET, DEFAULT, SET LOCAL until COMMIT), which a partitioned table does not take
    """CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler;
CREATE TABLE a (id int) USING heap2;
CREATE TABLE b (id int);
ALTER TABLE b SET ACCESS METHOD heap2;
SET default_table_access_method = heap2;
CREATE TABLE c (id int);
CREATE TABLE c2 AS SELECT 1 AS x;
CREATE TABLE p (id int, d date) PARTITION BY RANGE (d);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
RESET default_table_access_method;
CREATE TABLE p2 PARTITION OF p FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
CREATE TABLE e (id int) USING heap;
SET default_table_access_method TO 'heap2';
CREATE TABLE f (id int);
SET default_table_access_method TO DEFAULT;
CREATE TABLE g (id int);
CREATE MATERIALIZED VIEW mv USING heap2 AS SELECT 1 AS x;
BEGIN;
SET LOCAL default_table_access_method = 'heap2';
CREATE TABLE h (id int);
COMMIT;
CREATE TABLE i (id int);
""",
]
CLEAN_IDS += ["access-method"]

CLEAN += [
    # toast.* storage parameters: kept where the table has a TOAST table (a column to toast:
    # unbounded, or bounded past the threshold; an enum's, a domain's own storage), dropped
    # where it has none, as the server does; a materialized view's are not compared
    """CREATE TYPE mood AS ENUM ('a');
CREATE DOMAIN dt AS text;
CREATE TABLE a (id int, t text) WITH (fillfactor = 70, toast.autovacuum_enabled = false);
CREATE TABLE b (id int, v varchar(10), n numeric(10,2), m mood)
  WITH (toast.autovacuum_enabled = false);
CREATE TABLE c (id int, d dt);
ALTER TABLE c SET (toast.autovacuum_vacuum_scale_factor = 0.2, toast.autovacuum_enabled = off);
ALTER TABLE c RESET (toast.autovacuum_enabled);
CREATE TABLE d (id int, big varchar(1000)) WITH (toast.autovacuum_enabled = false);
CREATE TABLE e (id int, n numeric) WITH (toast.autovacuum_enabled = false);
CREATE TABLE f (id int, a int[]);
ALTER TABLE f SET (toast.autovacuum_enabled = false);
CREATE TABLE g WITH (toast.autovacuum_enabled = false) AS SELECT 'x'::text AS t;
CREATE MATERIALIZED VIEW mv WITH (toast.autovacuum_enabled = false) AS SELECT t FROM a;
CREATE TABLE p (id int, t text, d date) PARTITION BY RANGE (d);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')
  WITH (toast.autovacuum_enabled = false);
CREATE TABLE h (id int);
ALTER TABLE h SET (toast.autovacuum_enabled = false);
ALTER TABLE h ADD COLUMN t text;
""",
]
CLEAN_IDS += ["toast-parameters"]

CLEAN += [
    # identity sequence options: GENERATED ... (options), ADD GENERATED, SET ... lists with
    # SET GENERATED and RESTART, ALTER SEQUENCE by its name, a descending one, a type change
    # (the sequence's bounds follow), LIKE INCLUDING IDENTITY (a bigint sequence bounded by the
    # column's type), DROP IDENTITY and again, a table renamed, a partitioned table's
    """CREATE TABLE a (id int GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 5
  CACHE 10));
CREATE TABLE b (id smallint GENERATED ALWAYS AS IDENTITY (INCREMENT BY -1));
CREATE TABLE c (id int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME c_seq MAXVALUE 1000 CYCLE));
ALTER TABLE c ALTER COLUMN id SET INCREMENT BY 2 SET GENERATED BY DEFAULT RESTART WITH 50;
CREATE TABLE d (id int NOT NULL);
ALTER TABLE d ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (START 7);
ALTER SEQUENCE d_id_seq CACHE 5 RESTART;
ALTER TABLE d ALTER COLUMN id TYPE bigint;
CREATE TABLE e (id int GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY -3));
ALTER TABLE e ALTER COLUMN id TYPE bigint;
CREATE TABLE f (id bigint GENERATED BY DEFAULT AS IDENTITY (MINVALUE 0 START WITH 0));
ALTER TABLE f ALTER COLUMN id SET NO MINVALUE SET START 1 RESTART;
CREATE TABLE g (LIKE a INCLUDING IDENTITY);
CREATE TABLE h (LIKE a);
ALTER TABLE a ADD COLUMN k bigint GENERATED ALWAYS AS IDENTITY (CACHE 3);
CREATE TABLE i (id int GENERATED BY DEFAULT AS IDENTITY (MAXVALUE 10));
ALTER TABLE i ALTER COLUMN id DROP IDENTITY;
ALTER TABLE i ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
ALTER TABLE i RENAME TO i2;
ALTER SEQUENCE i_id_seq INCREMENT 4;
CREATE TABLE p (id int GENERATED BY DEFAULT AS IDENTITY (CACHE 4), d date) PARTITION BY RANGE (d);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
""",
]
CLEAN_IDS += ["identity-options"]

CLEAN += [
    # a constraint's index's storage parameters: WITH in a column's and a table's constraint,
    # an exclusion's before its WHERE, ALTER INDEX SET / RESET, USING INDEX, renames, copied to
    # partitions and by LIKE
    """CREATE EXTENSION btree_gist;
CREATE TABLE t (id int PRIMARY KEY WITH (fillfactor = 80), a int, b int,
  CONSTRAINT t_a UNIQUE (a) WITH (fillfactor = 60, deduplicate_items = off),
  CONSTRAINT t_ex EXCLUDE USING gist (b WITH =) WITH (fillfactor = 50) WHERE (b > 0));
ALTER INDEX t_pkey SET (fillfactor = 90);
CREATE UNIQUE INDEX t_b ON t (b) WITH (fillfactor = 40);
ALTER TABLE t ADD CONSTRAINT t_b_u UNIQUE USING INDEX t_b;
ALTER TABLE t RENAME CONSTRAINT t_a TO t_a2;
ALTER INDEX t_a2 RESET (deduplicate_items);
CREATE TABLE p (id int, d date, PRIMARY KEY (id, d) WITH (fillfactor = 70)) PARTITION BY RANGE (d);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
CREATE TABLE l (LIKE t INCLUDING ALL);
ALTER TABLE t ADD CONSTRAINT t_ab UNIQUE (a, b) WITH (fillfactor = 30);
""",
]
CLEAN_IDS += ["constraint-index-options"]

CLEAN += [
    # index keys' statistics targets: set, through a rename; not copied to a partition's
    # index nor by LIKE
    """CREATE TABLE t (id int PRIMARY KEY, a int, b int);
CREATE INDEX t_e ON t ((a + 1), (b * 2));
ALTER INDEX t_e ALTER COLUMN 2 SET STATISTICS 300;
CREATE INDEX t_f ON t (a, (b + 1));
ALTER INDEX t_f ALTER 2 SET STATISTICS 0;
ALTER INDEX t_e RENAME TO t_e2;
CREATE TABLE p (id int, d date) PARTITION BY RANGE (d);
CREATE INDEX p_e ON p ((id + 1));
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER INDEX p1_expr_idx ALTER COLUMN 1 SET STATISTICS 50;
CREATE TABLE l (LIKE t INCLUDING INDEXES);
""",
]
CLEAN_IDS += ["index-statistics"]

CLEAN += [
    # view column defaults: constants typed by the view's column, ALTER TABLE on a view, kept
    # by CREATE OR REPLACE, through a column's rename, dropped again
    """CREATE TABLE t (id int, a int, s text, ts timestamptz);
CREATE VIEW v AS SELECT id, a, s, ts FROM t;
ALTER VIEW v ALTER COLUMN a SET DEFAULT 5;
ALTER VIEW v ALTER COLUMN s SET DEFAULT 'x';
ALTER TABLE v ALTER COLUMN ts SET DEFAULT now();
ALTER VIEW v ALTER COLUMN id SET DEFAULT '7';
CREATE OR REPLACE VIEW v AS SELECT id, a, s, ts, 1 AS extra FROM t;
ALTER VIEW v RENAME COLUMN s TO s2;
CREATE VIEW w AS SELECT * FROM t;
ALTER VIEW w ALTER COLUMN ts SET DEFAULT '2020-01-01 00:00';
ALTER VIEW w ALTER COLUMN a SET DEFAULT 1;
ALTER VIEW w ALTER COLUMN a DROP DEFAULT;
""",
]
CLEAN_IDS += ["view-defaults"]

CLEAN += [
    # COST and ROWS: at their defaults (100, 1000 for a set-returning routine) or not, as
    # numbers however written, reset by CREATE OR REPLACE, ALTER FUNCTION, through a rename
    """CREATE FUNCTION f() RETURNS SETOF int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION g() RETURNS int LANGUAGE sql COST 5 AS 'SELECT 1';
CREATE FUNCTION h() RETURNS TABLE (a int) LANGUAGE sql ROWS 20 COST 0.5 AS 'SELECT 1';
CREATE FUNCTION k() RETURNS int LANGUAGE plpgsql COST 100 AS $$BEGIN RETURN 1; END$$;
CREATE OR REPLACE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 2';
ALTER FUNCTION f() ROWS 1e3;
ALTER FUNCTION k() COST 10000;
CREATE FUNCTION m() RETURNS SETOF int LANGUAGE sql ROWS 1 AS 'SELECT 1';
ALTER FUNCTION m() RENAME TO m2;
""",
]
CLEAN_IDS += ["function-estimates"]

CLEAN += [
    # sequence persistence: an unlogged table's serial sequences are unlogged, ALTER TABLE
    # ... SET [UN]LOGGED takes the sequences its columns own along (not one owned by another
    # table's column), CREATE UNLOGGED SEQUENCE, ALTER SEQUENCE SET [UN]LOGGED
    """CREATE UNLOGGED TABLE u (id serial, j int GENERATED ALWAYS AS IDENTITY);
CREATE TABLE t (id serial);
ALTER TABLE t SET UNLOGGED;
CREATE TABLE w (id int);
CREATE SEQUENCE ws OWNED BY w.id;
ALTER TABLE w SET UNLOGGED;
CREATE UNLOGGED TABLE x (id int);
CREATE SEQUENCE xs OWNED BY x.id;
CREATE UNLOGGED TABLE z (id int);
ALTER TABLE z ADD COLUMN s serial;
CREATE UNLOGGED SEQUENCE s1;
CREATE SEQUENCE s2;
ALTER SEQUENCE s2 SET UNLOGGED;
ALTER SEQUENCE s1 SET LOGGED;
CREATE UNLOGGED TABLE b (id bigserial);
ALTER TABLE b SET LOGGED;
""",
]
CLEAN_IDS += ["sequence-persistence"]

CLEAN += [
    # extended statistics: columns and expressions, kinds given or not, IF NOT EXISTS, a
    # target, renamed, moved, through a column's and its table's rename, dropped with a
    # column it uses and with its table, a comment, on a materialized view, a type change;
    # on a foreign table, not compared
    """CREATE TABLE t (id int, a int, b int, c text);
CREATE STATISTICS st1 ON a, b FROM t;
CREATE STATISTICS st2 (ndistinct) ON a, c FROM t;
CREATE STATISTICS s3 ON (a + b), upper(c) FROM t;
CREATE STATISTICS s4 ON (a * 2) FROM t;
CREATE STATISTICS IF NOT EXISTS st1 ON a, b FROM t;
CREATE SCHEMA x;
CREATE STATISTICS x.s5 (mcv, ndistinct) ON b, c FROM t;
ALTER STATISTICS s4 SET STATISTICS 300;
ALTER STATISTICS s4 RENAME TO s4b;
ALTER STATISTICS st2 SET SCHEMA x;
ALTER TABLE t RENAME COLUMN a TO aa;
ALTER TABLE t RENAME TO t2;
CREATE TABLE u (p int, q int);
CREATE STATISTICS su ON p, q FROM u;
ALTER TABLE u DROP COLUMN q;
CREATE TABLE w (p int, q int);
CREATE STATISTICS sw ON p, q FROM w;
DROP TABLE w;
COMMENT ON STATISTICS st1 IS 'planner';
CREATE FOREIGN DATA WRAPPER w;
CREATE SERVER s FOREIGN DATA WRAPPER w;
CREATE FOREIGN TABLE f (a int, b int) SERVER s;
CREATE STATISTICS sf ON a, b FROM f;
CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a, 2 AS b;
CREATE STATISTICS smv ON a, b FROM mv;
ALTER TABLE t2 ALTER COLUMN b TYPE bigint;
""",
]
CLEAN_IDS += ["extended-statistics"]

CLEAN += [
    # event triggers: tags however spelled, EXECUTE PROCEDURE, enable states, a rename, a
    # comment, through its function's rename, dropped (IF EXISTS of none)
    """CREATE FUNCTION et() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE FUNCTION et2() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER etr ON ddl_command_start EXECUTE FUNCTION et();
CREATE EVENT TRIGGER etr2 ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE PROCEDURE et();
CREATE EVENT TRIGGER etr3 ON sql_drop WHEN TAG IN ('drop table', 'DROP INDEX')
  EXECUTE FUNCTION public.et2();
ALTER EVENT TRIGGER etr3 ENABLE REPLICA;
ALTER EVENT TRIGGER etr2 DISABLE;
ALTER EVENT TRIGGER etr2 ENABLE ALWAYS;
ALTER EVENT TRIGGER etr3 RENAME TO etr4;
COMMENT ON EVENT TRIGGER etr IS 'audit';
ALTER FUNCTION et2() RENAME TO et3;
CREATE EVENT TRIGGER gone ON ddl_command_start EXECUTE FUNCTION et();
DROP EVENT TRIGGER gone;
DROP EVENT TRIGGER IF EXISTS nothing;
""",
]
CLEAN_IDS += ["event-triggers"]


def test_sequence_persistence_undecided_in_a_dump_before_15(tmp_path: Path) -> None:
    """A server before 15 has no unlogged sequence: an unlogged table's serial one, which the
    replay makes unlogged, is undecided in its dump (no false difference)."""
    migrations = "CREATE UNLOGGED TABLE u (id serial);\n"
    dump = tmp_path / "old.sql"
    dump.write_text("--\n-- PostgreSQL database dump\n--\n\n"
                    "-- Dumped from database version 14.12\n-- Dumped by pg_dump version 14.12\n\n"
                    "CREATE UNLOGGED TABLE public.u (id integer NOT NULL);\n"
                    "CREATE SEQUENCE public.u_id_seq AS integer START WITH 1 INCREMENT BY 1\n"
                    "    NO MINVALUE NO MAXVALUE CACHE 1;\n"
                    "ALTER SEQUENCE public.u_id_seq OWNED BY public.u.id;\n"
                    "ALTER TABLE ONLY public.u ALTER COLUMN id SET DEFAULT "
                    "nextval('public.u_id_seq'::regclass);\n", encoding="utf-8")
    expected = replay_sql(migrations, "m.sql")
    assert _found(diff_catalogs(expected.catalog, read_dump(dump).catalog,
                                expected.effects)) == set()
    newer = tmp_path / "new.sql"
    newer.write_text(dump.read_text().replace("version 14.12", "version 15.8"), encoding="utf-8")
    assert _found(diff_catalogs(expected.catalog, read_dump(newer).catalog, expected.effects)) \
        == {("sequence", "public.u_id_seq", "changed", "persistence")}


def _found(diffs: list) -> set[tuple[str, str, str, str | None]]:  # type: ignore[type-arg]
    return {(d.key.kind, d.key.display, str(d.change), d.attribute) for d in diffs}


def _sources(pg: PgServer, dbname: str, tmp_path: Path) -> dict[str, object]:
    dump = tmp_path / "dump.sql"
    dump.write_text(pg.pg_dump_schema(dbname, privileges=True), encoding="utf-8")
    return {"live": read_live(pg.dsn(dbname)).catalog, "dump": read_dump(dump).catalog}


ROLES = ("md_reader", "md_writer")


@pytest.fixture(scope="module", autouse=True)
def roles(pg: PgServer) -> None:
    """The grantees (roles are cluster-level: a GRANT to a missing role fails)."""
    with pg.connect_db("postgres", autocommit=True) as conn:
        for role in ROLES:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f"CREATE ROLE {role}")  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hand_change_is_reported(pg: PgServer, tmp_path: Path, case: Case) -> None:
    assert_reported(pg, tmp_path, case, "missed_drift")


def assert_reported(pg: PgServer, tmp_path: Path, case: Case, prefix: str) -> None:
    """``case.drift`` on a database built from its migrations is what ``case`` says, live and
    through ``pg_dump`` (shared with later sweeps' tables)."""
    dbname = pg.create_database(prefix)
    try:
        with pg.connect_db(dbname, autocommit=True) as conn:
            conn.execute(case.built_from or case.migrations)  # type: ignore[arg-type]
            if case.drift:
                conn.execute(case.drift)  # type: ignore[arg-type]
        expected = replay_sql(case.migrations, "m.sql")
        assert not expected.diagnostics
        for source, actual in _sources(pg, dbname, tmp_path).items():
            want = case.live if source == "live" or case.dump is None else case.dump
            found = _found(diff_catalogs(expected.catalog, actual, expected.effects))  # type: ignore[arg-type]
            assert found == set(want), source
    finally:
        pg.drop_database(dbname)


@pytest.mark.parametrize("migrations", CLEAN, ids=CLEAN_IDS)
def test_no_false_difference(pg: PgServer, tmp_path: Path, migrations: str) -> None:
    assert_clean(pg, tmp_path, migrations, "missed_drift")


def assert_clean(pg: PgServer, tmp_path: Path, migrations: str, prefix: str) -> None:
    """A database built from ``migrations`` compares clean with their replay, live and
    through ``pg_dump``."""
    dbname = pg.create_database(prefix)
    try:
        with pg.connect_db(dbname, autocommit=True) as conn:
            conn.execute(migrations)  # type: ignore[arg-type]
        expected = replay_sql(migrations, "m.sql")
        assert not expected.diagnostics
        for source, actual in _sources(pg, dbname, tmp_path).items():
            assert _found(diff_catalogs(expected.catalog, actual, expected.effects)) == set(), \
                source  # type: ignore[arg-type]
    finally:
        pg.drop_database(dbname)


PARTITIONED = """
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, body text,
                     PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE INDEX events_body ON events (body);
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE FUNCTION create_partitions(start date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE d date := date_trunc('month', start);
BEGIN
  FOR i IN 0..1 LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
                   'events_' || to_char(d, 'YYYY_MM'), d, d + interval '1 month');
    d := d + interval '1 month';
  END LOOP;
END $$;
"""


def test_no_privileges_leaves_grants_out(pg: PgServer, tmp_path: Path) -> None:
    """``--no-privileges``: a grant made by hand is not a difference for teams that manage
    grants elsewhere (and is one by default)."""
    import json
    import os
    import subprocess
    import sys

    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "000001_users.up.sql").write_text(USERS)
    (migrations / "000001_users.down.sql").write_text("DROP TABLE orders, users;")
    dbname = pg.create_database("missed_drift")
    try:
        with pg.connect_db(dbname, autocommit=True) as conn:
            conn.execute(USERS)  # type: ignore[arg-type]
            conn.execute("GRANT SELECT ON users TO md_reader")
        env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "DATABASE_URL")}
        found = {}
        for flag in ((), ("--no-privileges",)):
            proc = subprocess.run(
                [sys.executable, "-m", "schemadiff", "diff", "-m", str(migrations), "--tool",
                 "golang-migrate", "--dsn", pg.dsn(dbname), "--format", "json", *flag],
                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
            found[flag] = [(d["kind"], d["object"]) for d in
                           json.loads(proc.stdout)["differences"]]
        assert found[()] == [("privilege", "on table public.users to md_reader")]
        assert found[("--no-privileges",)] == []
    finally:
        pg.drop_database(dbname)


def test_runtime_partitions_are_reported_as_such_and_do_not_fail_check(
        pg: PgServer, tmp_path: Path) -> None:
    """Partitions the migrations' own function created at run time are ``runtime-partition``
    findings (``partition of public.events``), not drift: ``check`` passes unless asked to fail
    on them; a table made by hand beside them is still drift."""
    import json
    import os
    import subprocess
    import sys

    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "000001_events.up.sql").write_text(PARTITIONED)
    (migrations / "000001_events.down.sql").write_text("DROP TABLE events;")
    dbname = pg.create_database("missed_drift")
    try:
        with pg.connect_db(dbname, autocommit=True) as conn:
            conn.execute(PARTITIONED)  # type: ignore[arg-type]
            conn.execute("SELECT create_partitions('2026-01-15')")
            conn.execute("CREATE TABLE schema_migrations (version bigint PRIMARY KEY, "
                         "dirty boolean NOT NULL)")
            conn.execute("INSERT INTO schema_migrations VALUES (1, false)")
        expected = replay_sql(PARTITIONED, "m.sql")
        want = {("runtime-partition", f"public.events_2026_{m}", "extra", None)
                for m in ("01", "02")}
        for source, actual in _sources(pg, dbname, tmp_path).items():
            diffs = diff_catalogs(expected.catalog, actual, expected.effects)  # type: ignore[arg-type]
            assert _found(diffs) - {("table", "public.schema_migrations", "extra", None)} \
                == want, source
            assert {d.actual for d in diffs if d.key.kind == "runtime-partition"} \
                == {"partition of public.events"}

        env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "DATABASE_URL")}

        def check(*extra: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "schemadiff", "check", "-m", str(migrations), "--tool",
                 "golang-migrate", "--dsn", pg.dsn(dbname), *extra],
                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

        proc = check("--format", "json")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        drift = json.loads(proc.stdout)["inference"]["drift"] \
            if "inference" in json.loads(proc.stdout) else json.loads(proc.stdout)["drift"]
        assert {(d["kind"], d["object"]) for d in drift} == {
            ("runtime-partition", "public.events_2026_01"),
            ("runtime-partition", "public.events_2026_02")}
        proc = check("--fail-on", "runtime-partitions")
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "2 partition(s) created at run time" in proc.stdout
        with pg.connect_db(dbname, autocommit=True) as conn:
            conn.execute("CREATE TABLE events_manual PARTITION OF events "
                         "FOR VALUES FROM ('2030-01-01') TO ('2030-02-01')")
            conn.execute("CREATE TABLE by_hand (id int)")
        proc = check()
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "table public.by_hand" in proc.stdout
    finally:
        pg.drop_database(dbname)
