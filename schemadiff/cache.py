"""A content-addressed cache of parsed migration files (DESIGN §8).

Applied migration files do not change, so what the parser makes of one (its list of
``(Statement, Op)``) is stored under a key derived from everything that can change the result:

- a cache format number (:data:`FORMAT`), bumped when the entry layout changes;
- the schemadiff version and a fingerprint of the parser's own source files (an editable
  checkout whose parser changed never reads stale entries), and the sqlglot version;
- the file's path (statement locations carry it) and its exact SQL text.

Each entry is one file, ``<dir>/v<FORMAT>/<key[:2]>/<key>.pickle`` (a header naming its key,
then the pickled statements), written to a temporary
file in the same directory and moved into place with :func:`os.replace`, so readers see either
no entry or a whole one and concurrent runs writing the same entry do not interfere (they write
the same bytes). An entry that cannot be read back (truncated, corrupted, from an incompatible
build) counts as a miss and is rewritten; an entry owned by another user is never unpickled
(pickles run code). A directory that cannot be written to turns the cache
into a read-only (or no-op) one: it never makes a run fail.

The directory is ``$SCHEMADIFF_CACHE_DIR``, else ``$XDG_CACHE_HOME/schemadiff``, else
``~/.cache/schemadiff``. ``SCHEMADIFF_NO_CACHE=1`` (or ``--no-cache``) disables it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1
"""Bumped whenever the layout of an entry changes."""

CACHE_DIR_ENV = "SCHEMADIFF_CACHE_DIR"
NO_CACHE_ENV = "SCHEMADIFF_NO_CACHE"

# The modules whose code decides what a file parses to: a change in any of them is a new key.
_PARSER_MODULES = (
    "sql/split.py",
    "sql/tokens.py",
    "sql/grammar.py",
    "sql/names.py",
    "sql/normalize.py",
    "sql/ops.py",
    "sql/parse.py",
    "sql/parse_routine.py",
    "history.py",
)

_fingerprint: str | None = None
_UID: int | None = os.getuid() if hasattr(os, "getuid") else None


def default_cache_dir() -> Path:
    """``$SCHEMADIFF_CACHE_DIR``, else ``$XDG_CACHE_HOME/schemadiff``, else ``~/.cache/...``."""
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "schemadiff"


def cache_disabled_by_env() -> bool:
    """Whether ``SCHEMADIFF_NO_CACHE`` asks for no cache (any value but ``""``/``0``)."""
    return os.environ.get(NO_CACHE_ENV, "").strip() not in ("", "0")


def code_fingerprint() -> str:
    """What identifies the parser build: versions plus a hash of the parser's source files.

    Computed once per process (a few milliseconds: the files are small).
    """
    global _fingerprint
    if _fingerprint is None:
        import sqlglot

        import schemadiff

        h = hashlib.sha256()
        h.update(f"schemadiff {schemadiff.__version__}\0".encode())
        h.update(f"sqlglot {getattr(sqlglot, '__version__', '?')}\0".encode())
        root = Path(schemadiff.__file__).resolve().parent
        for rel in _PARSER_MODULES:
            try:
                h.update(rel.encode() + b"\0" + (root / rel).read_bytes() + b"\0")
            except OSError:  # an installed build without sources: versions decide alone
                h.update(rel.encode() + b"\0-\0")
        _fingerprint = h.hexdigest()
    return _fingerprint


def entry_key(path: str, sql: str) -> str:
    """The cache key (hex SHA-256) of a migration file's parse."""
    h = hashlib.sha256()
    h.update(f"schemadiff-parse-cache {FORMAT}\0{code_fingerprint()}\0".encode())
    h.update(path.encode("utf-8", "surrogatepass") + b"\0")
    h.update(sql.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@dataclass(slots=True)
class CacheStats:
    """Counters of one cache's use (what tests and benchmarks look at; no timings)."""

    hits: int = 0
    misses: int = 0
    writes: int = 0
    corrupt: int = 0  # entries present but unreadable (then rewritten)
    write_errors: int = 0
    untrusted: int = 0  # entries owned by another user (never unpickled)


class ParseCache:
    """Parsed statements of migration files, on disk, keyed by content.

    Args:
        directory: the cache root (default :func:`default_cache_dir`).
        read_only: never write (entries are still read).
    """

    def __init__(self, directory: str | Path | None = None, *, read_only: bool = False) -> None:
        self.root = Path(directory) if directory is not None else default_cache_dir()
        self.directory = self.root / f"v{FORMAT}"
        self.read_only = read_only
        self.stats = CacheStats()
        self._writable: bool | None = None

    def _entry(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> Any | None:
        """The stored statements for ``key``, or None (missing or unreadable: a miss)."""
        try:
            with open(self._entry(key), "rb") as fh:
                # entries are pickles: only ones this user wrote are trusted
                if _UID is not None and os.fstat(fh.fileno()).st_uid != _UID:
                    self.stats.misses += 1
                    self.stats.untrusted += 1
                    return None
                blob = fh.read()
        except OSError:
            self.stats.misses += 1
            return None
        value = self.decode(key, blob)
        if value is None:
            self.stats.corrupt += 1
            self.stats.misses += 1
            return None
        self.stats.hits += 1
        return value

    @staticmethod
    def header(key: str) -> bytes:
        """What an entry starts with: magic, format and its own key (checked on read)."""
        return b"SDPC%d:" % FORMAT + key.encode("ascii") + b"\n"

    @staticmethod
    def decode(key: str, blob: bytes) -> Any | None:
        """Read an entry back; None when it is not a whole, matching entry."""
        head = ParseCache.header(key)
        if not blob.startswith(head):
            return None
        try:
            statements = pickle.loads(memoryview(blob)[len(head) :])
        except Exception:  # truncated, corrupted or from an incompatible build: any error
            return None
        return statements if isinstance(statements, list) else None

    def put(self, key: str, statements: Any, *, blob: bytes | None = None) -> None:
        """Store ``statements`` under ``key`` atomically (errors are counted, never raised).

        Args:
            key: from :func:`entry_key`.
            statements: the value to store.
            blob: ``pickle.dumps(statements)`` when the caller already has it.
        """
        if self.read_only or self._writable is False:
            return
        target = self._entry(key)
        tmp: str | None = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if blob is None:
                blob = pickle.dumps(statements, protocol=pickle.HIGHEST_PROTOCOL)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(self.header(key))
                fh.write(blob)
            os.replace(tmp, target)
            tmp = None
            self._writable = True
            self.stats.writes += 1
        except OSError:
            self.stats.write_errors += 1
            if self._writable is None:
                self._writable = False  # read-only directory: stop trying for this run
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


NO_CACHE_META = "schemadiff.no_cache"
"""The click context ``meta`` key the CLI's ``--no-cache`` flag sets."""


def command_cache() -> ParseCache | None:
    """The parse cache for the running command, or None under ``--no-cache`` / the env switch."""
    if cache_disabled_by_env():
        return None
    import sys

    click = sys.modules.get("click")  # only a CLI run has a context to look at
    if click is not None:
        ctx = click.get_current_context(silent=True)
        if ctx is not None and ctx.meta.get(NO_CACHE_META):
            return None
    return ParseCache()
