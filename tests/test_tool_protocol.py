"""Every tool module implements the tool protocol (issue 18): the names and signatures the
engine calls, checked here as Atlas checks its drivers at build time."""

from __future__ import annotations

import inspect

import pytest

from schemadiff.tools import TOOLS
from schemadiff.tools.protocol import Tool

MEMBERS = [*Tool.__annotations__, *(n for n, v in vars(Tool).items()
                                     if callable(v) and not n.startswith("_"))]


def test_the_protocol_names_what_the_engine_calls() -> None:
    assert sorted(MEMBERS) == sorted(
        ["NAME", "HISTORY_TABLES", "HISTORY_QUERY", "SQL_FROM_TOOL", "LAYOUT", "VERSION_SYNTAX",
         "HISTORY_COLUMNS", "detect", "list_migrations", "normalize_version", "checksum",
         "parse_history", "render_sync"]
    )


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_tool_module_implements_the_protocol(name: str) -> None:
    module = TOOLS[name]
    assert isinstance(module, Tool), f"{module.__name__} lacks a protocol member"
    assert name == module.NAME
    assert module.HISTORY_TABLES and all(
        isinstance(t, tuple) and len(t) == 2 for t in module.HISTORY_TABLES
    )
    assert "{table}" in module.HISTORY_QUERY
    for member in MEMBERS:
        expected = getattr(Tool, member, None)
        if not callable(expected):
            assert hasattr(module, member), f"{module.__name__} lacks {member}"
            continue
        want = [p for p in inspect.signature(expected).parameters if p != "self"]
        got = list(inspect.signature(getattr(module, member)).parameters)
        assert got == want, f"{module.__name__}.{member}{got} != protocol {want}"


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_tool_module_never_imports_the_sync_command(name: str) -> None:
    """The tools depend on their protocol, not on the command that uses them."""
    source = inspect.getsource(TOOLS[name])
    assert "schemadiff.sync" not in source and "schemadiff import sync" not in source
