"""Where schemadiff keeps files between runs: ``$SCHEMADIFF_CACHE_DIR``, else
``$XDG_CACHE_HOME/schemadiff``, else ``~/.cache/schemadiff``. The parse cache lives there
(:mod:`schemadiff.runtime.cache`), and so does SQL a tool rendered (Alembic, Django)."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_DIR_ENV = "SCHEMADIFF_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$SCHEMADIFF_CACHE_DIR``, else ``$XDG_CACHE_HOME/schemadiff``, else ``~/.cache/...``."""
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "schemadiff"
