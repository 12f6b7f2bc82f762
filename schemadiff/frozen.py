"""Frozen records: ``@dataclass(frozen=True, slots=True)`` made cheaper to define and to pickle.

:func:`record` is that dataclass, with the methods the decorator would write as source code and
compile (``__eq__``, ``__hash__``, ``__repr__``) made instead as closures over the class's
field names, and a cheaper pickled state. Every class the parser, the model and the replay
define is one, and every process that parses imports them all: the decorator's code
generation was 27 ms of the statement IR's import (47 classes, six functions compiled for
each), in the main process and in every parse worker; the closures take half of that.

They behave as the generated ones do: equality and hash over the ``compare`` fields, for
objects of exactly the same class; the repr ``Name(field=value, ...)`` of the ``repr`` fields.

The pickled state is the tuple of every field's value: ``dataclass(slots=True)``'s own
``__getstate__``/``__setstate__`` call :func:`dataclasses.fields` for every object, and loading
a cached replay of a few thousand objects spent most of its time there.
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

_set = object.__setattr__

T = TypeVar("T", bound=type)


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: T) -> T:
    """``@dataclass(frozen=True, slots=True)``, its methods made without code generation.

    A class without a docstring gets its name as one (the decorator would render its
    signature: ``inspect.signature`` for every class). Methods the class defines itself are
    kept.
    """
    if cls.__doc__ is None:
        cls.__doc__ = cls.__name__
    made: T = dataclasses.dataclass(frozen=True, slots=True, eq=False, repr=False)(cls)
    _record_methods(made)
    return made


def _record_methods(cls: type) -> None:
    fields = dataclasses.fields(cls)
    own = cls.__dict__

    compared = _getter(tuple(f.name for f in fields if f.compare))
    if "__eq__" not in own:

        def __eq__(self: Any, other: object) -> bool:
            if other.__class__ is self.__class__:
                return compared(self) == compared(other)  # type: ignore[no-any-return]
            return NotImplemented

        cls.__eq__ = __eq__  # type: ignore[assignment]
    if "__hash__" not in own or own["__hash__"] is None:

        def __hash__(self: Any) -> int:
            return hash(compared(self))

        cls.__hash__ = __hash__  # type: ignore[assignment]
    if "__repr__" not in own:
        shown = tuple(f.name for f in fields if f.repr)
        name = cls.__qualname__

        def __repr__(self: Any) -> str:
            inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
            return f"{name}({inner})"

        cls.__repr__ = __repr__  # type: ignore[assignment]
    fast_pickling(cls)


def fast_pickling(cls: type) -> None:
    """Give a frozen slotted dataclass (not its subclasses) a cheaper pickled state."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    get = _getter(names)

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return get(self)  # type: ignore[no-any-return]

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state):
            _set(self, name, value)

    cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of these attributes of an object.

    attrgetter builds it in C: half the cost of a comprehension (a cold run pickles every
    parsed statement and the whole replay); it returns a bare value for one name.
    """
    if len(names) > 1:
        return operator.attrgetter(*names)
    return lambda obj: tuple([getattr(obj, name) for name in names])
