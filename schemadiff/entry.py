"""The console entry point: a parse worker forked first when the command will want one, then
the command line.

A command given a large dump (``diff``, ``infer``, ``check``, ``sync`` with ``-s FILE``) parses
it in a worker while this process parses the migrations. Forked here, before the command line
is imported (click alone takes ~15 ms), the worker imports the parser while this process
imports the rest and reads its inputs. No worker is forked for a dump the cache has seen
(:meth:`~schemadiff.cache.ParseCache.dump_seen`: same path, size, time and inode), whose
replay a warm run loads instead: forked for nothing, it cost a warm run ~10 ms (the fork, and
the pages of this process copied while it lived). A guess from ``argv`` that turns out wrong
costs at most that: an unused worker is killed at exit.
"""

from __future__ import annotations

import gc
import os
import sys

GC_THRESHOLD = (200_000, 20, 100)
"""A run builds large graphs of small acyclic objects (unpickled replays, facts, catalog
rows, parsed statements) and then exits: the cyclic collector's passes over them are pure
overhead at the default threshold (700 allocations). It still runs, just far less often:
at 50,000 its young-generation passes still took 18 ms of a cold openmeter run (two of them,
over the parsed statements that all survive); at 200,000, none. Garbage cycles (sqlglot's
trees) wait for at most 200,000 allocations: a few MiB. Set before any worker is forked."""

DUMP_COMMANDS = frozenset({"diff", "infer", "check", "sync"})
"""The commands that parse a dump (``-s``/``--schema-file``) beside the migrations."""


def run() -> None:
    """``schemadiff``: :func:`schemadiff.cli.run`, a worker forked first for a dump the cache
    has not seen."""
    gc.set_threshold(*GC_THRESHOLD)
    argv = sys.argv[1:]
    path = dump_path(argv)
    if path is not None and not _replay_cached(path, argv):
        from schemadiff.parallel import fork_early

        fork_early(os.stat(path).st_size)
    from schemadiff.cli import run as run_cli

    run_cli()


def dump_path(argv: list[str]) -> str | None:
    """The dump file a command line gives to a command that parses one, else None (no such
    command, no dump, help asked for, no such file)."""
    if not argv or argv[0] not in DUMP_COMMANDS or "-h" in argv or "--help" in argv:
        return None
    path = None
    for i, arg in enumerate(argv):
        if arg in ("-s", "--schema-file") and i + 1 < len(argv):
            path = argv[i + 1]
        elif arg.startswith("--schema-file="):
            path = arg.partition("=")[2]
        elif arg.startswith("-s") and len(arg) > 2 and not arg.startswith("--"):
            path = arg[2:]
    if path is None:
        return None
    try:
        os.stat(path)
    except (OSError, ValueError):
        return None
    return path


def _replay_cached(path: str, argv: list[str]) -> bool:
    """Whether the cache says it holds this dump's replay (a warm run: no worker to fork).
    The cache is imported here, before the fork, at no cost: the worker needs it too."""
    from schemadiff.cache import ParseCache, cache_disabled_by_env

    if "--no-cache" in argv or cache_disabled_by_env():
        return False
    return ParseCache().dump_seen(path)
