"""Faster pickling for frozen, slotted dataclasses (the model's objects, effects, locations).

``dataclass(frozen=True, slots=True)`` pickles through ``__getstate__``/``__setstate__``
functions that call :func:`dataclasses.fields` for every object; loading a cached replay of a
few thousand objects spent most of its time there. These do the same with the field names
looked up once per class.
"""

from __future__ import annotations

import dataclasses
from typing import Any

_set = object.__setattr__


def fast_pickling(cls: type) -> None:
    """Give a frozen slotted dataclass (not its subclasses) a cheaper pickled state."""
    names = tuple(f.name for f in dataclasses.fields(cls))

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in names])

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state):
            _set(self, name, value)

    cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]


def fast_pickling_tree(root: type) -> None:
    """:func:`fast_pickling` for ``root`` and every dataclass below it."""
    todo = [root]
    while todo:
        cls = todo.pop()
        if dataclasses.is_dataclass(cls):
            fast_pickling(cls)
        todo.extend(cls.__subclasses__())
