"""``ALTER TYPE ... RENAME VALUE``: PostgreSQL stores an enum constant as the label's oid, so
every stored expression holding one prints the new label, and only those: a string spelled
like the old label that is not of the enum (compared to a text column) keeps its text.
``ALTER TYPE ... RENAME ATTRIBUTE`` likewise: a field selection stores the attribute's number.

Each case builds a history on a real server: it must compare clean, live and through
``pg_dump``, against the replay of the same SQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from schemadiff.history import replay_sql
from schemadiff.model import Constraint, Key
from schemadiff.sql.normalize import _array_elements, rename_enum_label, rename_field
from test_wild_histories import replay_built_clean

CASES: list[tuple[str, str]] = [
    # a label holding a quote: expressions hold it written with the quote doubled
    ("label-with-a-quote", """
CREATE TYPE k AS ENUM ('it''s', 'x');
CREATE DOMAIN dk AS k DEFAULT 'it''s' CHECK (VALUE <> 'it''s');
CREATE TABLE t (id int, kind k DEFAULT 'it''s', ks k[] DEFAULT '{it''s}',
    CHECK (kind <> 'it''s'));
CREATE VIEW v AS SELECT id FROM t WHERE kind = 'it''s';
CREATE FUNCTION f(a k DEFAULT 'it''s') RETURNS int LANGUAGE sql RETURN 1;
ALTER TYPE k RENAME VALUE 'it''s' TO 'its';
"""),
    # a CHECK on a text column of a table that has an enum column keeps its string
    ("text-check-beside-enum", """
CREATE TYPE k AS ENUM ('active');
CREATE TABLE t (kind k, status text CHECK (status <> 'active'));
ALTER TYPE k RENAME VALUE 'active' TO 'enabled';
"""),
    ("view-star", """
CREATE TYPE k AS ENUM ('a', 'b');
CREATE TABLE t (kind k);
CREATE VIEW v AS SELECT * FROM t WHERE kind = 'a';
ALTER TYPE k RENAME VALUE 'a' TO 'alpha';
"""),
    ("view-column", """
CREATE TYPE e AS ENUM ('a', 'b');
CREATE TABLE t (x e);
CREATE VIEW v AS SELECT x FROM t WHERE x = 'a';
ALTER TYPE e RENAME VALUE 'a' TO 'aa';
"""),
    ("generated-column", """
CREATE TYPE k AS ENUM ('a', 'b');
CREATE TABLE t (kind k, g boolean GENERATED ALWAYS AS (kind = 'a') STORED);
ALTER TYPE k RENAME VALUE 'a' TO 'alpha';
"""),
    ("array-default", """
CREATE TYPE k AS ENUM ('a');
CREATE TABLE t (kinds k[] DEFAULT '{a}');
ALTER TYPE k RENAME VALUE 'a' TO 'alpha';
"""),
    ("domain-default", """
CREATE TYPE k AS ENUM ('a');
CREATE DOMAIN dk AS k DEFAULT 'a';
ALTER TYPE k RENAME VALUE 'a' TO 'alpha';
"""),
    ("domain-check-function-default-case", """
CREATE TYPE k AS ENUM ('a', 'b');
CREATE TABLE t (kind k NOT NULL DEFAULT 'a',
    g text GENERATED ALWAYS AS (CASE WHEN kind = 'b' THEN 'x' END) STORED);
CREATE FUNCTION f(x k DEFAULT 'a') RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE DOMAIN dk AS k DEFAULT 'b' CHECK (VALUE <> 'a');
ALTER TYPE k RENAME VALUE 'a' TO 'alpha';
ALTER TYPE k RENAME VALUE 'b' TO 'beta';
"""),
    ("column-of-domain", """
CREATE TYPE k AS ENUM ('a', 'b');
CREATE DOMAIN dk AS k;
CREATE TABLE t (kind dk DEFAULT 'a', kinds k[] DEFAULT '{a}', k2 k DEFAULT 'a'::k);
ALTER TYPE k RENAME VALUE 'a' TO 'alpha';
"""),
    # every place an expression is stored; the text strings beside them stay
    ("everywhere", """
CREATE TYPE k AS ENUM ('a', 'b');
CREATE DOMAIN dk AS k CHECK (VALUE IN ('a', 'b'));
CREATE TABLE t (id int, kind k, dkind dk DEFAULT 'a', note text DEFAULT 'a',
    kinds k[] DEFAULT '{a,b}',
    CHECK (kind IN ('a', 'b')), CHECK (note <> 'a'), CHECK (kind <> 'a' OR note = 'a'));
CREATE INDEX ti ON t (id) WHERE kind = 'a';
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON t USING (kind = 'a') WITH CHECK (kind <> 'b' AND note <> 'a');
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW WHEN (NEW.kind = 'a') EXECUTE FUNCTION trg();
CREATE FUNCTION f(x k[] DEFAULT '{a}', y text DEFAULT 'a', z dk DEFAULT 'a') RETURNS int
    LANGUAGE sql AS 'SELECT 1';
CREATE VIEW v1 AS SELECT id FROM t WHERE kind IN ('a', 'b') AND note = 'a';
CREATE MATERIALIZED VIEW v2 AS SELECT id, CASE kind WHEN 'a' THEN 1 ELSE 2 END AS c FROM t;
CREATE VIEW v3 AS SELECT id FROM t WHERE kind::text = 'a';
CREATE VIEW v4 AS SELECT id FROM t WHERE 'a' = ANY (kinds);
ALTER TYPE k RENAME VALUE 'a' TO 'alpha';
"""),
    # a view over two tables, one column name of the enum in one and text in the other
    ("view-join-same-name", """
CREATE TYPE k AS ENUM ('a');
CREATE TABLE t (kind k);
CREATE TABLE u (kind text);
CREATE VIEW v AS SELECT t.kind FROM t JOIN u ON true WHERE u.kind = 'a';
ALTER TYPE k RENAME VALUE 'a' TO 'alpha';
ALTER TYPE k RENAME VALUE 'alpha' TO 'beta';
"""),
    ("attribute-in-view", """
CREATE TYPE money_amount AS (amount_cents bigint, currency char(3));
CREATE TABLE charges (price money_amount);
CREATE VIEW v AS SELECT (price).amount_cents AS cents FROM charges;
ALTER TYPE money_amount RENAME ATTRIBUTE amount_cents TO amount_minor;
"""),
    ("attribute-in-index-and-check", """
CREATE TYPE money_amount AS (amount_cents bigint, currency char(3));
CREATE TABLE charges (price money_amount);
CREATE INDEX ci ON charges (((price).amount_cents));
ALTER TABLE charges ADD CONSTRAINT pos CHECK ((price).amount_cents >= 0);
ALTER TYPE money_amount RENAME ATTRIBUTE amount_cents TO amount_minor;
"""),
    # the same attribute name in another composite type stays
    ("attribute-everywhere", """
CREATE TYPE money_amount AS (amount_cents bigint, currency char(3));
CREATE TYPE other AS (amount_cents bigint);
CREATE TABLE charges (id int, price money_amount, o other,
    cents bigint GENERATED ALWAYS AS ((price).amount_cents) STORED,
    CONSTRAINT oc CHECK ((o).amount_cents >= 0),
    CONSTRAINT pc CHECK ((price).amount_cents >= 0 AND (price).currency <> ''));
CREATE INDEX ci ON charges (((price).amount_cents)) WHERE (price).amount_cents > 0;
CREATE INDEX ci2 ON charges (((o).amount_cents));
ALTER TABLE charges ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON charges USING ((price).amount_cents > 0);
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER tr BEFORE UPDATE ON charges FOR EACH ROW
    WHEN ((NEW.price).amount_cents > 0) EXECUTE FUNCTION trg();
CREATE VIEW v AS SELECT (c.price).amount_cents AS cents, (o).amount_cents AS oc FROM charges c;
CREATE TABLE refunds (id int, price other);
CREATE VIEW w AS SELECT (c.price).amount_cents AS a FROM charges c JOIN refunds r USING (id);
ALTER TYPE money_amount RENAME ATTRIBUTE amount_cents TO amount_minor;
"""),
]


@pytest.mark.parametrize("migrations", [m for _, m in CASES], ids=[i for i, _ in CASES])
def test_no_false_difference(pg: PgServer, tmp_path: Path, migrations: str) -> None:
    assert not replay_built_clean(pg, tmp_path, migrations, "wild").diagnostics


def test_text_check_keeps_its_string() -> None:
    replay = replay_sql(dict(CASES)["text-check-beside-enum"], "m.sql")
    check = replay.catalog.objects[Key("constraint", "public", "t", "t_status_check")]
    assert isinstance(check, Constraint)
    assert check.expression == "status <> 'active'"


def test_undecided_constant_is_left_and_reported() -> None:
    replay = replay_sql("""
CREATE TYPE k AS ENUM ('a');
CREATE TABLE t (kind k, status text, CONSTRAINT c CHECK (upper(status) = 'a' OR kind = 'a'));
ALTER TYPE k RENAME VALUE 'a' TO 'alpha';
""", "m.sql")
    check = replay.catalog.objects[Key("constraint", "public", "t", "c")]
    assert isinstance(check, Constraint)
    assert check.expression == "(UPPER(status) = 'a') OR (kind = 'alpha')"
    assert [d.message for d in replay.diagnostics] == [
        "RENAME VALUE 'a': whether the 'a' of constraint public.t.c is the enum's label the "
        "text does not tell; left as it was"]


ENUM = {"kind": True, "kinds": True, "status": False}
LABEL_CASES: list[tuple[str, str, bool, str | None, str, bool]] = [
    # (id, expression, whole, source, expected, undecided)
    ("text-column", "status <> 'a'", False, None, "status <> 'a'", False),
    ("enum-column", "kind = 'a'", False, None, "kind = 'alpha'", False),
    ("constant-first", "'a' = kind", False, None, "'alpha' = kind", False),
    ("any-array", "kind = ANY ARRAY['a', 'b']", False, None, "kind = ANY ARRAY['alpha', 'b']",
     False),
    ("any-array-constant", "kind = ANY '{a,b}'", False, None, "kind = ANY '{alpha,b}'", False),
    ("any-of-array-column", "'a' = ANY kinds", False, None, "'alpha' = ANY kinds", False),
    ("case-operand", "CASE kind WHEN 'a' THEN 1 ELSE NULL END", False, None,
     "CASE kind WHEN 'alpha' THEN 1 ELSE NULL END", False),
    ("case-result", "CASE kind WHEN 'b' THEN 'a' ELSE NULL END", False, None,
     "CASE kind WHEN 'b' THEN 'a' ELSE NULL END", True),
    ("function-result", "UPPER(status) = 'a'", False, None, "UPPER(status) = 'a'", True),
    ("unknown-column", "other = 'a'", False, None, "other = 'a'", True),
    ("ambiguous-column", "both = 'a'", False, None, "both = 'a'", True),
    ("cast-to-enum", "'a'::k = f(x)", False, None, "CAST('alpha' AS k) = F(x)", False),
    ("cast-to-text", "CAST('a' AS TEXT) = f(x)", False, None, "CAST('a' AS TEXT) = f(x)",
     False),
    ("whole-default", "'a'", True, None, "'alpha'", False),
    ("whole-array-default", "'{a,\"b c\"}'", True, None, "'{alpha,\"b c\"}'", False),
    ("not-whole-alone", "'a'", False, None, "'a'", True),
    ("other-label", "kind = 'ab'", False, None, "kind = 'ab'", False),
    ("view-with-column-cast", "SELECT x FROM t WHERE kind = 'a'", False,
     "SELECT x FROM t WHERE kind::text = 'a'", "SELECT x FROM t WHERE kind = 'a'", True),
    ("view-with-constant-cast", "SELECT x FROM t WHERE kind = 'a'", False,
     "SELECT x FROM t WHERE kind = 'a'::k", "SELECT x FROM t WHERE kind = 'alpha'", False),
]


@pytest.mark.parametrize(("expression", "whole", "source", "expected", "undecided"),
                         [c[1:] for c in LABEL_CASES], ids=[c[0] for c in LABEL_CASES])
def test_rename_enum_label(expression: str, whole: bool, source: str | None, expected: str,
                           undecided: bool) -> None:
    columns: dict[str, bool | None] = {**ENUM, "both": None}
    assert rename_enum_label(expression, "a", "alpha", columns, frozenset({"k", "public.k"}),
                             whole, source) == (expected, undecided)


@pytest.mark.parametrize(("text", "elements"), [
    ("{}", []), ("{a}", ["a"]), ('{a, "b c" ,d}', ["a", "b c", "d"]), ('{"x\\"y"}', ['x"y']),
    ("{a,NULL}", None), ("{{a}}", None), ("a", None), ('{"a}', None),
])
def test_array_elements(text: str, elements: list[str] | None) -> None:
    assert _array_elements(text) == elements


FIELD_CASES: list[tuple[str, str, str, tuple[str, bool]]] = [
    # (id, expression, rows, expected (text, undecided))
    ("of-the-type", "(price.a) >= 0", "", ("(price.b) >= 0", False)),
    ("of-another-type", "(o.a) >= 0", "", ("(o.a) >= 0", False)),
    ("plain-column", "a >= 0", "", ("a >= 0", False)),
    ("unknown-column", "x.a >= 0", "", ("x.a >= 0", True)),
    ("ambiguous-column", "both.a >= 0", "", ("both.a >= 0", True)),
    ("trigger-row", "(new.price.a) > 0", "new", ("(new.price.b) > 0", False)),
    ("not-a-row", "(s.price.a) > 0", "new", ("(s.price.a) > 0", True)),
    ("other-field", "price.c > 0", "", ("price.c > 0", False)),
    ("view", "SELECT price.a, o.a FROM t", "", ("SELECT price.b, o.a FROM t", False)),
]


@pytest.mark.parametrize(("expression", "rows", "expected"), [c[1:] for c in FIELD_CASES],
                         ids=[c[0] for c in FIELD_CASES])
def test_rename_field(expression: str, rows: str, expected: tuple[str, bool]) -> None:
    columns: dict[str, bool | None] = {"price": True, "o": False, "both": None}
    assert rename_field(expression, "a", "b", columns, frozenset(rows.split())) == expected
