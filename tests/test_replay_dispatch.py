"""The replay's dispatch table (every statement op has exactly one handler, in the module of
its noun, so a new op without a replay fails here instead of as a diagnostic at run time), and
statements PostgreSQL refuses that once crashed the replay instead of being reported."""

from __future__ import annotations

import inspect

import pytest

from schemadiff.history import replay_sql
from schemadiff.model import Key
from schemadiff.sql import ops
from schemadiff.sql.parse import parse_statement
from schemadiff.sql.replay import Replayer, core


def _op_types() -> list[type]:
    return [c for _, c in inspect.getmembers(ops, inspect.isclass)
            if issubclass(c, ops.Op) and c is not ops.Op and c.__module__ == ops.__name__]


def test_every_op_has_a_handler() -> None:
    missing = [c.__name__ for c in _op_types() if c not in Replayer.HANDLERS]
    assert missing == []


def test_handlers_are_the_composed_replayers_methods() -> None:
    for op_type, handler in Replayer.HANDLERS.items():
        owner = handler.__qualname__.split(".")[0]
        assert any(base.__name__ == owner for base in Replayer.__mro__), (op_type, owner)


def test_no_op_is_handled_twice() -> None:
    from schemadiff.sql import replay

    seen: dict[type, str] = {}
    for name in dir(replay):
        module = getattr(replay, name)
        table = getattr(module, "HANDLERS", None)
        if not inspect.ismodule(module) or table is None or module is core:
            continue
        for op_type in table:
            assert op_type not in seen, (op_type, seen.get(op_type), name)
            seen[op_type] = name
    assert set(seen) == set(Replayer.HANDLERS)


def test_an_op_without_a_handler_is_a_diagnostic_not_a_crash() -> None:
    class Unknown(ops.Op):
        pass

    r = Replayer()
    r.apply(Unknown(), "1_x.sql")
    assert [d.message for d in r.diagnostics] == ["no replay for Unknown"]


@pytest.mark.parametrize("sql, conflict", [
    ("CREATE TABLE a (x int); CREATE TABLE b () INHERITS (a); ALTER TABLE a INHERIT b;",
     'circular inheritance not allowed: "a" is already an ancestor of "b"'),
    ("CREATE TABLE a (x int); ALTER TABLE a INHERIT a;",
     'circular inheritance not allowed: "a" is already an ancestor of "a"'),
    ("CREATE TABLE p (x int) PARTITION BY LIST (x);"
     "CREATE TABLE c PARTITION OF p FOR VALUES IN (1) PARTITION BY LIST (x);"
     "ALTER TABLE c ATTACH PARTITION p FOR VALUES IN (1);",
     'circular inheritance not allowed: "p" is already an ancestor of "c"'),
])
def test_a_cycle_of_parents_is_a_conflict_not_a_crash(sql: str, conflict: str) -> None:
    """PostgreSQL refuses a table as its own ancestor; the replay says so, and a later DROP
    ... CASCADE (which walks the children) still ends."""
    replay = replay_sql(sql + " DROP TABLE IF EXISTS a, p CASCADE;")
    assert [d.message for d in replay.diagnostics][:1] == [conflict]
    assert Key("table", "public", "a") not in replay.catalog.objects


def test_an_escape_beyond_unicode_is_unsupported_not_a_crash() -> None:
    op = parse_statement("SELECT E'wrong: \\U002FFFFF'")
    assert op == ops.Unsupported("cannot tokenize: invalid Unicode escape value")
