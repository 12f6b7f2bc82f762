"""Values that differ only in a form the schema explains (:mod:`schemadiff.equivalence`).

Each row pairs the canonical text of what a migration writes with that of what PostgreSQL
stores, which the context-free normalizer cannot tell equal; the real-server cases are in
``test_wild_histories`` (no false difference) and ``test_missed_drift`` (a hand change still
reported).
"""

from __future__ import annotations

from typing import Any

import pytest

from schemadiff.equivalence import Equivalence, read_once, without_promotions
from schemadiff.model import Catalog, Column, Constraint
from schemadiff.sql.normalize import normalize_expression

#: (id, written, stored, integer functions of the schema) -> the same without promotions
PROMOTED_CALLS: list[tuple[str, str, str, frozenset[str]]] = [
    ("check", "my_int_fn(a) > 1.5", "((my_int_fn(a))::numeric > 1.5)", frozenset({"my_int_fn"})),
    ("default", "my_int0() * 1.5", "((my_int0())::numeric * 1.5)", frozenset({"my_int0"})),
    ("qualified", "public.f(a) > 1.5", "((public.f(a))::double precision > 1.5)", frozenset({"f"})),
    (
        "coalesce",
        "coalesce(f(a), 0) * 1.5 > 1",
        "(((COALESCE(f(a), 0))::numeric * 1.5) > (1)::numeric)",
        frozenset({"f"}),
    ),
]


@pytest.mark.parametrize(
    ("written", "stored", "names"),
    [r[1:] for r in PROMOTED_CALLS],
    ids=[r[0] for r in PROMOTED_CALLS],
)
def test_promotion_over_schema_function(written: str, stored: str, names: frozenset[str]) -> None:
    one, other = normalize_expression(written), normalize_expression(stored)
    assert one != other  # the normalizer alone cannot know f's type
    assert without_promotions(one, names) == without_promotions(other, names)
    assert without_promotions(other, frozenset()) == other  # nor without the schema


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("f(a)::numeric(4,1) > 1.5", "f(a) > 1.5"),  # a modifier rounds: it converts
        ("f(a)::text = '1'", "f(a) = '1'"),
        ("g(a)::numeric > 1.5", "g(a) > 1.5"),  # g is not known to return an integer
    ],
)
def test_promotion_kept(one: str, other: str) -> None:
    names = frozenset({"f"})
    assert without_promotions(normalize_expression(one), names) != without_promotions(
        normalize_expression(other), names
    )


def _column(type_text: str) -> Any:
    return Column("public", "t", "d", type_text)


@pytest.mark.parametrize(
    ("type_text", "written", "stored", "same"),
    [
        ("date", "'today'", "'2024-05-01'", True),
        ("timestamp with time zone", "'now'", "'2024-05-01 10:00:00.123456+00'", True),
        ("time without time zone", "'now'", "'10:00:00.5'", True),
        ("date", "'yesterday'", "'2999-01-01'", False),  # later than the word could give
        ("date", "'today'", "CURRENT_DATE", False),  # an expression, changed by hand
        ("date", "'today'", "'infinity'", False),
        ("text", "'today'", "'2024-05-01'", False),  # a string, not a date
    ],
)
def test_frozen_date_default(type_text: str, written: str, stored: str, same: bool) -> None:
    assert Equivalence(Catalog())(_column(type_text), "default", written, stored) is same


@pytest.mark.parametrize(
    ("written", "stored", "same"),
    [
        ("d <= 'today'", "(d <= '2024-05-01'::date)", True),
        (
            "ts < 'now'::timestamptz + interval '1 year'",
            "(ts < ('2024-05-01 10:00:00.5+00'::timestamp with time zone + '1 year'::interval))",
            True,
        ),
        ("d > 'epoch'", "(d > '1970-01-01'::date)", True),
        ("d > 'epoch'", "(d > '1970-01-02'::date)", False),
        ("d <= 'today'", "(d <= CURRENT_DATE)", False),
        ("d <= 'today'", "(d <= '2999-01-01'::date)", False),
        ("d <= 'today'", "(d < '2024-05-01'::date)", False),  # the rest of the text must match
    ],
)
def test_frozen_date_in_expression(written: str, stored: str, same: bool) -> None:
    check = Constraint("public", "t", "k", "check")
    one, other = normalize_expression(written), normalize_expression(stored)
    assert Equivalence(Catalog())(check, "expression", one, other) is same


@pytest.mark.parametrize(
    ("value", "weak"),
    [
        ("'today'", True),
        ("'NOW'", True),
        ("(d <= 'tomorrow'::date)", True),
        (("a", "'yesterday'"), True),
        ("'epoch'", False),  # always 1970-01-01: a proof like any constant
        ("'2024-05-01'", False),
        ("CURRENT_DATE", False),
        ("today", False),  # a column named so, not the word in quotes
        (None, False),
    ],
)
def test_read_once(value: Any, weak: bool) -> None:
    assert read_once(value) is weak


@pytest.mark.parametrize(("type_text", "written", "stored", "same"), [
    ("public.m", "'(2,GBP)'", "'(2.00,GBP)'", True),
    ("public.m", "'(2.005,GBP)'", "'(2.01,GBP)'", True),  # rounded to the attribute's scale
    ("public.m", "'(2,GBP)'", "'(2.01,GBP)'", False),
    ("public.m", "'(2,GBP)'", "'(2.00,\" GBP\")'", False),  # blanks are a text field's own
    ("public.m", "'(,)'", "'(,)'", True),
    ("public.m", "'(,)'", "'(,\"\")'", False),  # NULL is not the empty string
    ("public.m[]", "'{\"(1,x)\",\"(3.1,y)\"}'", "'{\"(1.00,x)\",\"(3.10,y)\"}'", True),
    ("public.m[]", "'{\"(1,x)\"}'", "'{\"(1.00,x)\",\"(3.10,y)\"}'", False),
    ("public.other", "'(2,GBP)'", "'(2.00,GBP)'", False),  # not a composite of the schema
])
def test_composite_default_by_field(type_text: str, written: str, stored: str, same: bool
                                    ) -> None:
    from schemadiff.model import CompositeType

    row = CompositeType("public", "m", (("amount", "numeric(10,2)"), ("cur", "text")))
    catalog = Catalog({row.key: row})
    column = Column("public", "t", "c", type_text)
    assert Equivalence(catalog)(column, "default", written, stored) is same
