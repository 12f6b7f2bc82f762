"""A tool's setting from the environment, or from the ``.env`` file the tool loads.

dbmate and goose's command line load ``.env`` from the directory they run in (the project's
root, above its migrations) without overriding what the environment already sets. The file
looked at is the nearest ``.env`` from the migration directory up to the repository's root.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from schemadiff.tools import _common
from schemadiff.tools.protocol import ProjectConfig

__all__ = ["setting", "table_config"]

_LINE = re.compile(r"""^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$""")


def setting(root: Path, name: str) -> str | None:
    """``name`` from the environment, else from the nearest ``.env`` above ``root``; None
    when neither sets it (or sets it empty)."""
    value = os.environ.get(name)
    if value:
        return value
    path = _common.nearest(root, (".env",))
    return (_read(path).get(name) or None) if path is not None else None


def table_config(root: Path, name: str) -> ProjectConfig:
    """The history table the setting ``name`` gives (``GOOSE_TABLE``,
    ``DBMATE_MIGRATIONS_TABLE``); the tool's default when it gives none."""
    table = setting(root, name)
    return ProjectConfig(table, (), name) if table else ProjectConfig()


def _read(path: Path) -> dict[str, str]:
    """``KEY=value`` lines (``export`` allowed; quotes removed; ``#`` comments after a blank
    in an unquoted value)."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return {}
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _LINE.match(line)
        if m is None or line.lstrip().startswith("#"):
            continue
        value = m.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = re.sub(r"\s+#.*$", "", value)
        out[m.group(1)] = value
    return out
