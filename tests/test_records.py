"""``records.record`` behaves as ``dataclass(frozen=True, slots=True)`` on the same classes."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field  # noqa: F401  (the class bodies below use them)
from typing import Any, ClassVar  # noqa: F401

import pytest

from schemadiff.records import record, record_fields  # noqa: F401

_BODIES = """
@DECORATOR
class PlainSUFFIX:
    a: str
    b: int = 0

@DECORATOR
class FactoriesSUFFIX:
    \"\"\"With factories.\"\"\"
    items: list[int] = field(default_factory=list)
    names: tuple[str, ...] = ()
    hidden: dict[str, int] = field(default_factory=dict, compare=False)
    quiet: str = field(default="", repr=False)
    unhashed: int = field(default=0, hash=False)

@DECORATOR
class BaseSUFFIX:
    comment: str | None = field(default=None, kw_only=True)
    KIND: ClassVar[str] = ""

@DECORATOR
class ChildSUFFIX(BaseSUFFIX):
    name: str
    size: int = 1

@DECORATOR
class DerivedSUFFIX:
    x: int
    doubled: int = field(init=False, repr=False, compare=False)
    seen: list[int] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "doubled", self.x * 2)

@DECORATOR
class OwnSUFFIX:
    v: int

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OwnSUFFIX) and abs(self.v - other.v) < 2

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "own"
"""
_NAMES = ("Plain", "Factories", "Base", "Child", "Derived", "Own")


def _define(decorator: str, suffix: str) -> dict[str, type]:
    """The same class bodies under ``decorator``, defined in this module (so they pickle)."""
    source = _BODIES.replace("DECORATOR", decorator).replace("SUFFIX", suffix)
    exec(compile("from __future__ import annotations\n" + source, __file__, "exec"), globals())
    return {name: globals()[name + suffix] for name in _NAMES}


RECORDS = _define("record", "R")
DATACLASSES = _define("dataclass(frozen=True, slots=True)", "D")

# (class, positional args, keyword args)
CASES: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("Plain", ("x",), {}),
    ("Plain", ("x", 3), {}),
    ("Plain", (), {"a": "y", "b": 4}),
    ("Factories", (), {}),
    ("Factories", ([1, 2], ("n",), {"k": 1}, "q", 5), {}),
    ("Base", (), {"comment": "c"}),
    ("Child", ("t",), {}),
    ("Child", ("t", 2), {"comment": "hi"}),
    ("Derived", (21,), {}),
    ("Own", (1,), {}),
]


def _pair(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    return RECORDS[name](*copy.deepcopy(args), **copy.deepcopy(kwargs)), DATACLASSES[name](
        *copy.deepcopy(args), **copy.deepcopy(kwargs)
    )


def _values(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, f.name) for f in dataclasses.fields(obj) if hasattr(obj, f.name))


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES)
def test_same_fields_values_repr_and_hash(name: str, args: tuple[Any, ...],
                                          kwargs: dict[str, Any]) -> None:
    rec, dc = _pair(name, args, kwargs)
    assert [(f.name, f.init, f.compare, f.repr, f.kw_only) for f in dataclasses.fields(rec)] == [
        (f.name, f.init, f.compare, f.repr, f.kw_only) for f in dataclasses.fields(dc)
    ]
    assert _values(rec) == _values(dc)
    assert repr(rec).replace("R(", "(", 1) == repr(dc).replace("D(", "(", 1)
    assert type(rec).__match_args__ == type(dc).__match_args__
    if all(not isinstance(v, (list, dict)) for v in _values(rec)):
        assert hash(rec) == hash(dc)
    assert record_fields(type(rec)) == tuple(f.name for f in dataclasses.fields(dc))
    assert record_fields(type(dc)) is None


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES)
def test_same_equality_and_frozenness(name: str, args: tuple[Any, ...],
                                      kwargs: dict[str, Any]) -> None:
    rec, dc = _pair(name, args, kwargs)
    rec2, dc2 = _pair(name, args, kwargs)
    assert (rec == rec2) == (dc == dc2)
    assert (rec != rec2) == (dc != dc2)
    assert (rec == dc) is False  # another class: NotImplemented both ways
    first = dataclasses.fields(rec)[0].name if dataclasses.fields(rec) else "a"
    for obj in (rec, dc):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, first, None)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(obj, first)


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES)
def test_pickle_copy_replace_asdict(name: str, args: tuple[Any, ...],
                                    kwargs: dict[str, Any]) -> None:
    rec, dc = _pair(name, args, kwargs)
    for proto in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(rec, proto))
        assert type(back) is type(rec)
        assert _values(back) == _values(rec)
    assert _values(copy.copy(rec)) == _values(rec)
    assert _values(copy.deepcopy(rec)) == _values(rec)
    assert dataclasses.asdict(rec) == dataclasses.asdict(dc)
    assert _values(dataclasses.replace(rec)) == _values(dataclasses.replace(dc))


def test_unequal_values_and_compare_false() -> None:
    f = RECORDS["Factories"]
    assert f(hidden={"a": 1}) == f(hidden={"b": 2})  # compare=False
    assert f(names=("a",)) != f(names=("b",))
    one, two = f(items=(), unhashed=1), f(items=(), unhashed=2)  # type: ignore[arg-type]
    assert hash(one) == hash(two)  # hash=False: the same hash, yet not equal
    assert one != two
    assert f().items is not f().items  # a fresh factory value per object


def test_init_signature_errors_match() -> None:
    for classes in (RECORDS, DATACLASSES):
        with pytest.raises(TypeError):
            classes["Plain"]()  # a required argument missing
        with pytest.raises(TypeError):
            classes["Child"]("t", 1, "c")  # comment is keyword-only
        with pytest.raises(TypeError):
            classes["Derived"](1, 2)  # doubled is init=False


def test_explicit_methods_kept() -> None:
    own = RECORDS["Own"]
    assert own(1) == own(2)
    assert hash(own(5)) == 0
    assert repr(own(1)) == "own"


def test_a_plain_subclass_is_not_frozen_for_its_own_attributes() -> None:
    plain = RECORDS["Plain"]

    class Sub(plain):  # type: ignore[misc, valid-type]
        pass  # no __slots__: instances get a __dict__

    obj = Sub("x")
    obj.extra = 1  # not a field, not the record's own class: allowed (as the dataclass does)
    assert obj.extra == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.a = "y"  # type: ignore[misc]
