"""The expression text the replay builds: a detached partition's bound as a CHECK, and whether
the table's own CHECKs imply it (the forms checked against PostgreSQL itself in
``test_wild_histories.py``)."""

from __future__ import annotations

import pytest

from schemadiff.sql.normalize import normalize_expression
from schemadiff.sql.replay.text import (
    bound_check,
    bound_implied,
    typed_constants,
    view_reads_column,
)


@pytest.mark.parametrize(
    ("partition_by", "bound", "check"),
    [
        ("RANGE (d)", "FROM ('2024-01-01') TO ('2025-01-01')",
         "(d IS NOT NULL) AND (d >= '2024-01-01') AND (d < '2025-01-01')"),
        ("RANGE (d)", "FROM (MINVALUE) TO (10)", "(d IS NOT NULL) AND (d < 10)"),
        ("RANGE (d)", "FROM (10) TO (MAXVALUE)", "(d IS NOT NULL) AND (d >= 10)"),
        ("LIST (b)", "IN ('x')", "(b IS NOT NULL) AND (b = 'x')"),
        ("LIST (b)", "IN ('x', 'y y', 'z,\"', '')",
         "(b IS NOT NULL) AND (b = ANY ('{x,\"y y\",\"z,\\\"\",\"\"}'))"),
        ("LIST (b)", "IN (NULL, 'x')", "(b IS NULL) OR (b = 'x')"),
        ("LIST (b)", "IN (NULL)", "(b IS NULL)"),
        ("LIST (n)", "IN (1, 2)", "(n IS NOT NULL) AND (n = ANY ('{1,2}'))"),
        ("LIST (\"B c\")", "IN ('null')", "(\"B c\" IS NOT NULL) AND (\"B c\" = 'null')"),
        # not modelled: said by the replay
        ("RANGE (a, b)", "FROM (1, 1) TO (2, 2)", None),
        ("RANGE ((a + 1))", "FROM (1) TO (2)", None),
        ("RANGE (a)", "FROM (1, 1) TO (2, 2)", None),
        ("HASH (a)", "WITH (modulus 2, remainder 0)", None),
        ("LIST (a)", "DEFAULT", None),
        ("LIST (a)", "IN (now())", None),
        ("LIST (a)", "IN ('x' || 'y')", None),
        ("RANGE (d)", "FROM (now()) TO (MAXVALUE)", None),
        ("RANGE (d)", "FROM ('2024-01-01'::date) TO (MAXVALUE)", None),
        (None, "IN (1)", None),
    ],
)
def test_bound_check(partition_by: str | None, bound: str, check: str | None) -> None:
    assert bound_check(partition_by, bound) == check


_BOUND = normalize_expression("(d IS NOT NULL) AND (d >= 100) AND (d < 200)")


@pytest.mark.parametrize(
    ("checks", "not_null", "implied"),
    [
        (["d >= 100 AND d < 200 AND d IS NOT NULL"], False, True),
        (["d >= 123 AND d < 133"], False, True),  # a comparison implies IS NOT NULL
        (["d >= 100", "d < 200"], False, True),  # across constraints
        (["d = 150"], False, True),
        (["d > 100 AND d <= 199"], False, True),
        (["d >= 50 AND d < 200"], False, False),
        (["d >= 100 AND d < 201"], False, False),
        (["d >= 100"], True, False),
        (["e >= 100 AND e < 200"], True, False),  # another column
        (["d >= 'a' AND d < 'b'"], False, False),  # neither numbers nor days
    ],
)
def test_bound_implied(checks: list[str], not_null: bool, implied: bool) -> None:
    normalized = [normalize_expression(c) for c in checks]
    assert bound_implied(_BOUND, normalized, "d", not_null) is implied


def test_bound_implied_days() -> None:
    bound = normalize_expression("(d IS NOT NULL) AND (d >= '2024-01-01') AND (d < '2025-01-01')")
    pre = normalize_expression("d >= '2024-03-01'::date AND d < '2024-06-01'")
    assert bound_implied(bound, [pre], "d", False)
    assert not bound_implied(bound, [normalize_expression("d >= '2023-12-31'")], "d", True)


@pytest.mark.parametrize(
    ("definition", "reads"),
    [
        ("SELECT id, x FROM a", True),
        ("SELECT id FROM a WHERE x > 0", True),
        ("SELECT id, y FROM a", False),
        ('SELECT id, "X" FROM a', False),  # another column: quoted names keep their case
        ("SELECT t.id FROM a t ORDER BY t.x", True),
        ("SELECT a.id, b.x FROM a JOIN b ON b.a_id = a.id", False),
        ("SELECT a.id FROM a JOIN b ON b.a_id = a.id WHERE a.x > 0", True),
        ("SELECT count(*) FROM a", False),
        ("SELECT * FROM a", None),  # the columns the table had when the view was made
        ("SELECT a.* FROM a", None),
        ("SELECT id FROM a JOIN b USING (id) WHERE x > 0", None),  # x: a's or b's?
        ("SELECT id FROM a WHERE id IN (SELECT a_id FROM b WHERE b.x > 0)", False),
        ("SELECT id FROM (SELECT id, x FROM a) s", None),
    ],
)
def test_view_reads_column(definition: str, reads: bool | None) -> None:
    assert view_reads_column(definition, "a", "x") is reads


TYPES = {"b": "boolean", "t": "time without time zone", "d": "date", "g": "interval",
         "r": "int4range", "v": "tsvector", "x": "xid", "n": "numrange", "tr": "tsrange",
         "ts": "timestamp(3) without time zone", "tz": "timestamp with time zone", "s": "text",
         "ni": "integer", "nm": "numeric(10,2)"}


@pytest.mark.parametrize(
    ("expression", "stored"),
    [
        ("b <> 'f'", "b <> FALSE"),
        ("'f' <> b", "FALSE <> b"),
        ("b IN ('yes', 'no')", "b = ANY (ARRAY[TRUE, FALSE])"),
        ("t < '18:00'", "t < '18:00:00'"),
        ("d >= '2020-1-1'", "d >= '2020-01-01'"),
        ("g < '36 hours'", "g < '36:00:00'"),
        ("ts > '2020-01-01 10:00'", "ts > '2020-01-01 10:00:00'"),
        ("tz > '2020-01-01'", "tz > '2020-01-01'"),  # its output depends on the time zone
        # an instant: compared as its UTC value, the time left out at midnight
        ("tz < '2020-01-01 12:00:00+02'", "tz < '2020-01-01 10:00:00'"),
        ("tz = '2020-01-01 00:00:00'", "tz = '2020-01-01'"),
        ("ts = '2020-01-01T00:00'", "ts = '2020-01-01'"),
        # a number column's string constant is the number, in arithmetic too
        ("ni > '010' AND nm IN ('1', '2.50')", "ni > 10 AND nm = ANY (ARRAY[1, 2.50])"),
        ("ni * '2' < '1e3' AND nm + '1' > '0'", "ni * 2 < 1000 AND nm + 1 > 0"),
        ("length(s) < '100' AND ni % '2' = '0'", "length(s) < 100 AND ni % 2 = 0"),
        ("s <> '010'", "s <> '010'"),
        # a text column's ISO-looking constant is a string: as written
        ("s = '2020-01-01 00:00:00'", "s = '2020-01-01 00:00:00'"),
        ("s IN ('2020-01-01T00:00', '2021-01-01')", "s IN ('2020-01-01T00:00', '2021-01-01')"),
        ("s = 'f'", "s = 'f'"),
        ("b IS DISTINCT FROM 'yes'", "b IS DISTINCT FROM TRUE"),
        ("b = 'maybe'", "b = 'maybe'"),  # not a boolean: left as written
        ("g > '0'", "g > '00:00:00'"),  # a number to the canonical form: still the string
        ("b <> '1'", "b <> TRUE"),
        ("COALESCE(g, '0') < '1 hour'", "COALESCE(g, '00:00:00') < '01:00:00'"),
        ("r && '[1,10]' AND r <> '(,5]'", "r && '[1,11)' AND r <> '(,6)'"),
        ("v @@ 'a & !b'", "v @@ '''a'' & !''b'''"),
        ("v @@ '(a | b) & c'", "v @@ '( ''a'' | ''b'' ) & ''c'''"),
        ("n <> '(1,1)' AND tr && '[2020-01-01,)'", "n <> 'empty' AND tr && '[\"2020-01-01 00:00:00\",)'"),
        # a constant compared to a builtin's result or date/time arithmetic takes its type
        ("age(ts) > '36 hours'", "age(ts) > '36:00:00'"),
        ("age(ts, d) BETWEEN '1 hour' AND '1 day 2 hours'",
         "age(ts, d) >= '01:00:00' AND age(ts, d) <= '1 day 02:00:00'"),
        ("age(x) > '36'", "age(x) > '36'"),  # age(xid) is an integer
        ("now() - tz < '24 hours'", "now() - tz < '24:00:00'"),
        ("localtimestamp - d < '1 week'", "localtimestamp - d < '7 days'"),
        ("ts - g > '1 day'", "ts - g > '1 day'"),  # a timestamp: its output is the same
        ("date_trunc('hour', g) <> '90 minutes'", "date_trunc('hour', g) <> '01:30:00'"),
        ("date_trunc('day', ts) = '2020-1-1 10:00'", "date_trunc('day', ts) = '2020-01-01 10:00:00'"),
        ("justify_hours(g) <> '48 hours'", "justify_hours(g) <> '48:00:00'"),
        ("g * 2 < '36 hours' AND 2 * g < '1 week' AND g / 2 > '90 minutes'",
         "g * 2 < '36:00:00' AND 2 * g < '7 days' AND g / 2 > '01:30:00'"),
        ("d - 1 > '2020-1-1'", "d - 1 > '2020-01-01'"),
        ("2 / g > '90 minutes'", "2 / g > '90 minutes'"),  # no number / interval
        ("to_tsvector('english', s) @@ 'a <-> (b | c)'",
         "to_tsvector('english', s) @@ '''a'' <-> ( ''b'' | ''c'' )'"),
        ("ts + '90 minutes' < tz", "ts + '01:30:00' < tz"),
        ("ts - '90 minutes' < tz", "ts - '90 minutes' < tz"),  # timestamp - timestamp
        ("CAST(x AS TIMESTAMP) + '1 day' > ts", "CAST(x AS TIMESTAMP) + '1 day' > ts"),
        ("GREATEST(g, ts, '1 hour') IS NULL", "GREATEST(g, ts, '1 hour') IS NULL"),  # no one type
        ("d BETWEEN '2020-1-1' AND '2021-1-1'", "d >= '2020-01-01' AND d <= '2021-01-01'"),
    ],
)
def test_typed_constants(expression: str, stored: str) -> None:
    assert typed_constants(normalize_expression(expression), TYPES) == normalize_expression(
        stored)


RELATIONS = {"q": [("id", "integer"), ("slow", "boolean"), ("took", "interval")],
             "r": [("id", "integer"), ("took", "text")]}


@pytest.mark.parametrize(
    ("query", "stored"),
    [
        ("SELECT id FROM s.q WHERE slow = 'yes' AND took > '1 second'",
         "SELECT id FROM q WHERE slow = true AND took > '00:00:01'"),
        ("SELECT x.id FROM q x JOIN r ON r.id = x.id WHERE x.took IN ('1 hour') AND r.took = '1'",
         "SELECT x.id FROM q x JOIN r ON r.id = x.id WHERE x.took = '01:00:00' AND r.took = '1'"),
        # a bare name two tables give two types: not decided, and the view's form is not either
        ("SELECT q.id FROM q JOIN r ON r.id = q.id WHERE took > '1 hour'", None),
        ("WITH w AS (SELECT took FROM q) SELECT took FROM w WHERE took > '1 hour'", None),
        # a constant no such type prints otherwise: as written whatever the column
        ("WITH w AS (SELECT took FROM q) SELECT took FROM w WHERE took > 'abc'",
         "WITH w AS (SELECT took FROM q) SELECT took FROM w WHERE took > 'abc'"),
    ],
)
def test_view_typed_constants(query: str, stored: str | None) -> None:
    from schemadiff.sql.normalize import canonical_view_query
    from schemadiff.sql.query_types import column_typer

    typed = canonical_view_query(
        query, (), lambda tree: column_typer(tree, lambda schema, name: RELATIONS.get(name)))
    assert typed == (canonical_view_query(stored) if stored is not None else None)
