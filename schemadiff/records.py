"""Frozen records: ``@dataclass(frozen=True, slots=True)``, defined for a fifth of the cost.

Every object of the model, every parsed statement and most results are frozen slotted
dataclasses, and every run defines them all before doing anything: the decorator writes six
methods per class as source text and compiles each (``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__``, ``__delattr__``), 0.5 ms a class, ~35 ms of a warm ``infer``
(a sixth of it) and more where the parser is loaded. :func:`record` compiles only
``__init__`` (what makes an object, millions of times in a large replay, stays generated code)
and makes the other five as closures over the field names, which cost nothing to define.

They behave as the dataclass's own: the same fields (:func:`dataclasses.fields`,
:func:`dataclasses.replace` and :func:`dataclasses.asdict` work), the same ``__init__``
signature (defaults, ``default_factory``, ``kw_only``, ``init=False``, ``__post_init__``),
equality and hash over the ``compare`` fields (``hash=`` honoured) for objects of exactly
the same class, ``Name(field=value, ...)`` over the ``repr`` fields, ``FrozenInstanceError``
on assignment, and pickling and copying by a tuple of the fields. A method the class body
defines itself is kept, as the decorator keeps it. ``InitVar`` pseudo-fields are not supported
(no record has one). ``tests/test_records.py`` compares both decorators on the same classes.
"""

from __future__ import annotations

import dataclasses
import operator
import sys
from collections.abc import Callable
from typing import Any, TypeVar

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # Python 3.10: the decorator only informs type checkers

    def dataclass_transform(**_: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return lambda fn: fn


__all__ = ["record", "record_fields"]

T = TypeVar("T", bound=type)

_set = object.__setattr__
_FIELDS_ATTR = "__record_fields__"
_MISSING = dataclasses.MISSING
_HAS_FACTORY = object()  # the default of an __init__ argument whose field has a factory


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: T) -> T:
    """``@dataclass(frozen=True, slots=True)``, its methods but ``__init__`` made as closures."""
    if cls.__doc__ is None:
        cls.__doc__ = cls.__name__  # the decorator would render inspect.signature(cls)
    own = dict(cls.__dict__)
    made: T = dataclasses.dataclass(  # fields and slots only: no method is generated
        cls, init=False, repr=False, eq=False, frozen=False, slots=True
    )
    fields = dataclasses.fields(made)
    names = tuple(f.name for f in fields)
    setattr(made, _FIELDS_ATTR, names)
    if "__init__" not in own:
        made.__init__ = _init(made, fields)  # type: ignore[misc]
    compared = _getter(tuple(f.name for f in fields if f.compare))
    if "__eq__" not in own:

        def __eq__(self: Any, other: object) -> bool:
            if other.__class__ is self.__class__:
                return compared(self) == compared(other)  # type: ignore[no-any-return]
            return NotImplemented

        made.__eq__ = __eq__  # type: ignore[assignment]
    if own.get("__hash__") is None:
        hashed = _getter(
            tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
        )

        def __hash__(self: Any) -> int:
            return hash(hashed(self))

        made.__hash__ = __hash__  # type: ignore[assignment]
    if "__repr__" not in own:
        shown = tuple(f.name for f in fields if f.repr)

        def __repr__(self: Any) -> str:
            inner = ", ".join([f"{n}={getattr(self, n)!r}" for n in shown])
            return f"{self.__class__.__qualname__}({inner})"

        made.__repr__ = __repr__  # type: ignore[assignment]
    _freeze(made, frozenset(names))
    _state(made, names)
    return made


def record_fields(cls: type) -> tuple[str, ...] | None:
    """The field names of a :func:`record` class, in order; None for any other class."""
    return cls.__dict__.get(_FIELDS_ATTR)


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """``__init__`` as the decorator writes it for a frozen slotted class (one compile)."""
    env: dict[str, Any] = {"_set": _set, "_HAS_FACTORY": _HAS_FACTORY}
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    for f in fields:
        default = f"_dflt_{f.name}"
        if f.default_factory is not _MISSING:
            env[default] = f.default_factory
            value = (f"{default}() if {f.name} is _HAS_FACTORY else {f.name}"
                     if f.init else f"{default}()")
            param = f"{f.name}=_HAS_FACTORY"
        elif f.default is not _MISSING:
            env[default] = f.default
            value = f.name if f.init else default
            param = f"{f.name}={default}"
        elif f.init:
            value = param = f.name
        else:
            continue  # init=False without a default: left unset, as the decorator does
        if f.init:
            (keyword if f.kw_only else positional).append(param)
        body.append(f"    _set(self, {f.name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    params = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    source = f"def __init__({params}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(compile(source, f"<record {cls.__qualname__}>", "exec"), env)
    init: Callable[..., None] = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


def _freeze(cls: type, names: frozenset[str]) -> None:
    """The frozen dataclass's ``__setattr__``/``__delattr__``."""

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    cls.__setattr__ = __setattr__  # type: ignore[method-assign]
    cls.__delattr__ = __delattr__  # type: ignore[method-assign]


def _state(cls: type, names: tuple[str, ...]) -> None:
    """Pickling and copying by the tuple of the fields (slots hold no ``__dict__``)."""
    get = _getter(names)

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return get(self)  # type: ignore[no-any-return]

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state):
            _set(self, name, value)

    cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of these attributes of an object (built in C by attrgetter)."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()
