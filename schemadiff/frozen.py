"""Faster pickling for frozen, slotted dataclasses (the model's objects, effects, locations).

``dataclass(frozen=True, slots=True)`` pickles through ``__getstate__``/``__setstate__``
functions that call :func:`dataclasses.fields` for every object; loading a cached replay of a
few thousand objects spent most of its time there. These do the same with the field names
looked up once per class.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any

_set = object.__setattr__


def fast_pickling(cls: type) -> None:
    """Give a frozen slotted dataclass (not its subclasses) a cheaper pickled state."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    # attrgetter builds the tuple in C: half the cost of a comprehension (a cold run pickles
    # every parsed statement and the whole replay)
    get = operator.attrgetter(*names) if len(names) > 1 else _singleton_getter(names)

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return get(self)  # type: ignore[no-any-return]

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state):
            _set(self, name, value)

    cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]


def _singleton_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A getter of the state tuple of a class with at most one field."""
    return lambda obj: tuple([getattr(obj, name) for name in names])


def fast_pickling_tree(root: type) -> None:
    """:func:`fast_pickling` for ``root`` and every dataclass below it."""
    todo = [root]
    while todo:
        cls = todo.pop()
        if dataclasses.is_dataclass(cls):
            fast_pickling(cls)
        todo.extend(cls.__subclasses__())
