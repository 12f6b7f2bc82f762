"""schemadiff: schema drift between PostgreSQL and its migration history, and the repair.

The public API: each command as a typed function (keyword arguments, the command's defaults),
its result turned into the command's JSON by :mod:`schemadiff.contract`::

    import schemadiff

    result = schemadiff.infer("migrations", schema_file="actual_schema.sql",
                              history_file="recorded_versions.txt")
    print(result.missing_from_history)            # what `schemadiff sync` would record
    for v in result.verdicts:
        print(v.migration.version, v.status, v.confidence, v.proven)

    repair = schemadiff.sync("migrations", dsn="postgresql://...").repair
    print(repair.text)                            # the script; nothing is run

``diff``, ``infer``, ``check``, ``sync``, ``inspect`` and ``verify`` raise
:class:`SchemaDiffError` (one line, located) on bad input. The building blocks (reading a
directory, replaying, diffing two catalogs) are exported too; everything else is internal.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff._version import __version__ as __version__

# Imported on first use, so that `schemadiff --help` does not pay for the whole engine.
_LAZY = {
    "diff": "schemadiff.api",
    "Inputs": "schemadiff.api",
    "infer": "schemadiff.api",
    "check": "schemadiff.api",
    "sync": "schemadiff.api",
    "repair_schema": "schemadiff.api",
    "SchemaRepair": "schemadiff.schema_repair",
    "inspect": "schemadiff.api",
    "verify": "schemadiff.api",
    "DiffResult": "schemadiff.api",
    "CheckResult": "schemadiff.api",
    "SyncResult": "schemadiff.api",
    "SyncRefused": "schemadiff.api",
    "Inference": "schemadiff.inference",
    "Verdict": "schemadiff.inference",
    "Status": "schemadiff.inference",
    "Confidence": "schemadiff.inference",
    "Change": "schemadiff.differences",
    "Category": "schemadiff.gate",
    "Shadow": "schemadiff.pipeline",
    "Hybrid": "schemadiff.pipeline",
    "ToolOptions": "schemadiff.tools",
    "Catalog": "schemadiff.model",
    "Key": "schemadiff.model",
    "Difference": "schemadiff.differences",
    "diff_catalogs": "schemadiff.differences",
    "SchemaDiffError": "schemadiff.errors",
    "Replay": "schemadiff.history",
    "replay_migrations": "schemadiff.history",
    "replay_sql": "schemadiff.history",
    "Migration": "schemadiff.migration",
    "read_dump": "schemadiff.sources.dump",
}

if TYPE_CHECKING:
    from schemadiff.api import (
        CheckResult,
        DiffResult,
        Inputs,
        SyncRefused,
        SyncResult,
        check,
        diff,
        infer,
        inspect,
        repair_schema,
        sync,
        verify,
    )
    from schemadiff.differences import Change, Difference, diff_catalogs
    from schemadiff.errors import SchemaDiffError
    from schemadiff.gate import Category
    from schemadiff.history import Replay, replay_migrations, replay_sql
    from schemadiff.inference import Confidence, Inference, Status, Verdict
    from schemadiff.migration import Migration
    from schemadiff.model import Catalog, Key
    from schemadiff.pipeline import Hybrid, Shadow
    from schemadiff.schema_repair import SchemaRepair
    from schemadiff.sources.dump import read_dump
    from schemadiff.tools import ToolOptions

__all__ = [
    "Catalog",
    "Category",
    "Change",
    "CheckResult",
    "Confidence",
    "DiffResult",
    "Difference",
    "Hybrid",
    "Inference",
    "Inputs",
    "Key",
    "Migration",
    "Replay",
    "SchemaDiffError",
    "SchemaRepair",
    "Shadow",
    "Status",
    "SyncRefused",
    "SyncResult",
    "ToolOptions",
    "Verdict",
    "check",
    "diff",
    "diff_catalogs",
    "infer",
    "inspect",
    "load_migrations",
    "read_dump",
    "repair_schema",
    "replay_migrations",
    "replay_sql",
    "sync",
    "verify",
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
