"""The output columns of a query, as CREATE TABLE AS makes them (no server: the real-server
check of the same forms is ``test_wild_histories.py``'s ``create-table-as-expressions``)."""

from __future__ import annotations

import pytest

from schemadiff.sql.query_types import output_columns

T = [("id", "integer"), ("kind", "character varying(20)"), ("at", "timestamp(3) without time zone"),
     ("amount", "numeric(12,2)"), ("f", "double precision"), ("r", "real"), ("ok", "boolean"),
     ("body", "jsonb"), ("span", "interval"), ("c", "character(4)")]
U = [("id", "bigint"), ("kind", "character varying(20)"), ("n", "text")]


def _relations(schema: str | None, name: str) -> list[tuple[str, str]] | None:
    return {"t": T, "u": U}.get(name)


def _resolve(text: str) -> str | None:
    return {"int": "integer", "text": "text", "numeric(5,1)": "numeric(5,1)"}.get(text.lower())


# (select list over t, the column it makes; None: not worked out, said unmodelled)
CASES = [
    ("amount * 2", ("?column?", "numeric")),  # an operator's result has no modifier
    ("-amount", ("?column?", "numeric")),
    ("r * r", ("?column?", "real")),
    ("r * 2", ("?column?", "double precision")),
    ("id ^ 2 AS p", ("p", "double precision")),
    ("amount ^ 2 AS p", ("p", "numeric")),
    ("f % 2 AS m", None),  # no float8 % operator
    ("at - at AS d", ("d", "interval")),
    ("at + span AS d", ("d", "timestamp without time zone")),
    ("span / 2 AS d", ("d", "interval")),
    ("2 / span AS d", None),
    ("CASE WHEN ok THEN amount END", ("case", "numeric")),  # the implicit ELSE NULL
    ("CASE WHEN ok THEN amount ELSE amount END", ("case", "numeric(12,2)")),
    ("coalesce(kind, 'x')", ("coalesce", "character varying")),
    ("coalesce(kind, kind)", ("coalesce", "character varying(20)")),
    ("nullif(kind, kind)", ("nullif", "text")),  # compared as text
    ("nullif(c, 'x')", None),
    ("nullif(amount, 0)", None),
    ("array[kind]", ("array", "character varying(20)[]")),
    ("array[kind, 'x']", ("array", "character varying[]")),
    ("array_agg(kind)", ("array_agg", "character varying[]")),
    ("kind || id", ("?column?", "text")),
    ("'a' || body", None),  # the constant is read as jsonb: jsonb || jsonb
    ("(SELECT max(id) FROM u)", ("max", "bigint")),
    ("(SELECT max(id) AS top FROM u)::text", ("top", "text")),
    ("(SELECT id, kind FROM u) AS two", None),
    ("body->>'k' AS k", ("k", "text")),
    ("body->'k' AS k", ("k", "jsonb")),
    ("kind->'k' AS k", None),
    ("at AT TIME ZONE 'UTC'", ("timezone", "timestamp with time zone")),
    ("date_trunc('day', at)", ("date_trunc", "timestamp without time zone")),
    ("round(id)", ("round", "double precision")),
    ("round(f, 2)", None),
    ("localtimestamp", ("localtimestamp", "timestamp without time zone")),
    ("current_timestamp(0) AS t", None),  # the precision is the type's modifier
    # sqlglot reads several spellings as one: the name PostgreSQL gives is not known
    ("mod(id, 2)", None),
    ("id % 2", ("?column?", "integer")),  # the text has no mod(: the operator
    ("ceil(f)", None),
    ("body->>'k'", None),
    ("kind ~ 'x'", None),
    ("mod(id, 2) AS m", ("m", "integer")),
    ("ceil(f) AS c", ("c", "double precision")),
    ("id IN (1, 2)", ("?column?", "boolean")),
    ("interval '1' day AS i", None),  # its fields are the type's modifier
]


@pytest.mark.parametrize(("select", "expected"), CASES, ids=[c[0] for c in CASES])
def test_output_column(select: str, expected: tuple[str, str] | None) -> None:
    found = output_columns(f"SELECT {select} FROM t", _relations, _resolve)
    assert found == (None if expected is None else [expected])


def test_using_merges_the_join_columns() -> None:
    found = output_columns("SELECT * FROM u JOIN t USING (id, kind)", _relations, _resolve)
    assert found == [("id", "bigint"), ("kind", "character varying(20)"), ("n", "text"), *T[2:]]
    natural = output_columns("SELECT * FROM t NATURAL JOIN u", _relations, _resolve)
    assert natural == [("id", "bigint"), ("kind", "character varying(20)"), *T[2:], ("n", "text")]
    assert output_columns("SELECT * FROM t JOIN u USING (n)", _relations, _resolve) is None
    assert output_columns("SELECT id FROM t JOIN u USING (id)", _relations, _resolve) == [
        ("id", "bigint")]


def test_a_subquery_without_an_alias() -> None:
    # PostgreSQL 16+ accepts a FROM subquery without an alias: its columns are still the star's
    found = output_columns("SELECT * FROM (SELECT id, n FROM u)", _relations, _resolve)
    assert found == [("id", "bigint"), ("n", "text")]
    joined = output_columns("SELECT * FROM (SELECT id FROM u) JOIN t USING (id)", _relations,
                            _resolve)
    assert joined == [("id", "bigint"), *T[1:]]
