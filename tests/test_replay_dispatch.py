"""The replay's dispatch table: every statement op has exactly one handler, in the module of
its noun, so a new op without a replay fails here instead of as a diagnostic at run time."""

from __future__ import annotations

import inspect

from schemadiff.sql import ops
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
