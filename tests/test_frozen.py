"""``frozen.record`` behaves as ``dataclass(frozen=True, slots=True)`` does, without its code
generation: equality, hash, repr, immutability, pickling; and every record class of the package
has its own methods (a subclass must not compare by its parent's fields)."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any

import pytest

import schemadiff
from schemadiff.frozen import record


def _pair(body: dict[str, Any], annotations: dict[str, str], base: tuple[type, ...] = ()) -> Any:
    """The same class made by ``record`` and by the dataclass decorator."""
    made = []
    for decorate in (record, dataclass(frozen=True, slots=True)):
        ns = dict(body, __annotations__=dict(annotations), __module__=__name__)
        made.append(decorate(type("Thing", base, ns)))
    return made


_SHAPES = [
    pytest.param({}, {"a": "int"}, [(1,), (2,)], id="one-field"),
    pytest.param({"b": "x"}, {"a": "int", "b": "str"}, [(1, "x"), (1, "y"), (2, "x")],
                 id="default"),
    pytest.param({"b": field(default=0, compare=False)}, {"a": "int", "b": "int"},
                 [(1, 0), (1, 5), (2, 0)], id="compare-false"),
    pytest.param({"b": field(default="h", repr=False)}, {"a": "int", "b": "str"},
                 [(1, "h"), (1, "i")], id="repr-false"),
    pytest.param({"b": ()}, {"a": "str | None", "b": "tuple[str, ...]"},
                 [(None, ()), ("n", ("p", "q")), ("n", ("p",))], id="none-and-tuples"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "annotations", "values"), _SHAPES)
def test_a_record_behaves_as_the_frozen_dataclass(
    body: dict[str, Any], annotations: dict[str, str], values: list[tuple[Any, ...]]
) -> None:
    ours, theirs = _pair(body, annotations)
    for x in values:
        for y in values:
            assert (ours(*x) == ours(*y)) == (theirs(*x) == theirs(*y)), (x, y)
            assert (ours(*x) != ours(*y)) == (theirs(*x) != theirs(*y)), (x, y)
        assert hash(ours(*x)) == hash(theirs(*x))
        assert repr(ours(*x)) == repr(theirs(*x))
        assert copy.deepcopy(ours(*x)) == ours(*x)  # through __getstate__/__setstate__
        assert dataclasses.astuple(ours(*x)) == dataclasses.astuple(theirs(*x))
    first = ours(*values[0])
    assert first != theirs(*values[0])  # another class, as two dataclasses would be
    assert first != object() and first != values[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.a = 9
    with pytest.raises((AttributeError, TypeError)):
        first.extra = 1  # slots: no instance dict


def test_a_subclass_compares_its_own_fields() -> None:
    (base, _) = _pair({}, {"a": "int"})
    sub = record(type("Sub", (base,), {"__annotations__": {"b": "int"}, "__module__": __name__}))
    assert sub(1, 2) != sub(1, 3) and sub(1, 2) == sub(1, 2)
    assert sub(1, 2) != base(1)
    assert repr(sub(1, 2)) == "Sub(a=1, b=2)"
    assert copy.deepcopy(sub(1, 2)) == sub(1, 2)


def test_methods_a_class_defines_are_kept() -> None:
    def __repr__(self: Any) -> str:
        return "mine"

    (ours, _) = _pair({"__repr__": __repr__}, {"a": "int"})
    assert repr(ours(1)) == "mine" and ours(1) == ours(1)


def _record_classes() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(schemadiff.__path__, "schemadiff."):
        if info.name.endswith(".__main__"):
            continue  # importing it runs the CLI
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and "__dataclass_params__" in vars(value)  # decorated, not a plain subclass
                and value.__dataclass_params__.frozen  # type: ignore[attr-defined]
            ):
                found.append(value)
    return found


def test_every_frozen_class_of_the_package_is_a_record_with_its_own_methods() -> None:
    classes = _record_classes()
    assert len(classes) > 60  # the statement IR and the model at least
    for cls in classes:
        own = vars(cls)
        for name in ("__eq__", "__hash__", "__repr__", "__getstate__", "__setstate__"):
            assert name in own and own[name] is not None, (cls.__qualname__, name)
        # made by record (a plain frozen dataclass would generate its own by code)
        assert own["__eq__"].__qualname__ == "_record_methods.<locals>.__eq__", cls.__qualname__
