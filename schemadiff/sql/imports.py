"""Importing sqlglot without ``importlib.metadata``.

sqlglot's dialect module imports ``importlib.metadata`` at its top for one call,
``entry_points()``, which it makes only when asked for a dialect by a name it does not ship (a
plugin). That import (email parsing, zipfile, csv: ~10 ms) lands in every process that parses,
on both CPUs' path in a cold run, and schemadiff only ever asks for ``postgres``.

While sqlglot is imported, :func:`metadata_deferred` puts a stand-in in ``sys.modules``: its
``entry_points`` (or any other attribute, asked for) imports the real module then. The
stand-in is gone once the import is done: everyone else gets the real module.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

_NAME = "importlib.metadata"


class _StandIn(ModuleType):
    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # the import system's probes (``__path__``): not asked for
            raise AttributeError(attr)
        return getattr(_real(), attr)


def _real() -> ModuleType:
    if isinstance(sys.modules.get(_NAME), _StandIn):
        del sys.modules[_NAME]
    return importlib.import_module(_NAME)


def _entry_points(**params: Any) -> Any:
    """``importlib.metadata.entry_points``, imported when first called."""
    return _real().entry_points(**params)


@contextmanager
def metadata_deferred() -> Iterator[None]:
    """Within: ``from importlib.metadata import entry_points`` gets :func:`_entry_points`
    (unless the real module is imported already)."""
    if _NAME in sys.modules:
        yield
        return
    stand_in = _StandIn(_NAME, "A stand-in while sqlglot is imported (schemadiff.sql.imports).")
    stand_in.entry_points = _entry_points  # type: ignore[attr-defined]
    sys.modules[_NAME] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(_NAME) is stand_in:
            del sys.modules[_NAME]
