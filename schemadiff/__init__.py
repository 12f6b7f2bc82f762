"""schemadiff: schema drift between PostgreSQL and its migration history, and the repair.

The public API (everything else is internal and may change)::

    from schemadiff import load_migrations, replay_migrations, read_dump, diff_catalogs

    tool, migrations = load_migrations("migrations")          # reader chosen from the layout
    expected = replay_migrations(migrations)                   # Replay: catalog + effects
    actual = read_dump("actual_schema.sql")                    # the same graph from pg_dump
    for d in diff_catalogs(expected.catalog, actual.catalog, expected.effects):
        print(d.change, d.key, d.attribute, d.expected, d.actual, d.migration)
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Imported on first use, so that `schemadiff --help` does not pay for the whole engine.
_LAZY = {
    "Catalog": "schemadiff.model",
    "Key": "schemadiff.model",
    "Difference": "schemadiff.diff",
    "diff_catalogs": "schemadiff.diff",
    "SchemaDiffError": "schemadiff.errors",
    "Replay": "schemadiff.history",
    "replay_migrations": "schemadiff.history",
    "replay_sql": "schemadiff.history",
    "Migration": "schemadiff.migration",
    "read_dump": "schemadiff.sources.dump",
}

if TYPE_CHECKING:
    from schemadiff.diff import Difference, diff_catalogs
    from schemadiff.errors import SchemaDiffError
    from schemadiff.history import Replay, replay_migrations, replay_sql
    from schemadiff.migration import Migration
    from schemadiff.model import Catalog, Key
    from schemadiff.sources.dump import read_dump

__all__ = [
    "Catalog",
    "Difference",
    "Key",
    "Migration",
    "Replay",
    "SchemaDiffError",
    "diff_catalogs",
    "load_migrations",
    "read_dump",
    "replay_migrations",
    "replay_sql",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'schemadiff' has no attribute {name!r}")
    return getattr(import_module(module), name)


def load_migrations(root: str | Path, tool: str | None = None) -> tuple[str, list[Migration]]:
    """Read a migration directory with its tool's rules (detected when ``tool`` is None)."""
    from schemadiff.tools import read_migrations

    return read_migrations(Path(root), tool)
