"""The runtime wing: what makes a command fast and pleasant, and nothing the engine needs.

- :mod:`~schemadiff.runtime.cache`: parses and replays cached by content, on disk;
- :mod:`~schemadiff.runtime.parallel`: uncached files parsed in worker processes;
- :mod:`~schemadiff.runtime.loader`: the :class:`~schemadiff.loading.Loader` made of the two;
- :mod:`~schemadiff.runtime.progress`: the progress bar of long steps.

The engine (model, sql, history, diff, infer, tools, sources, repair) never imports this
package (``tests/test_architecture.py``); the API and the command line hand the loader in.
"""

import gc

GC_THRESHOLD = (200_000, 20, 100)
"""A run builds large graphs of small acyclic objects (unpickled replays, facts, catalog rows,
parsed statements) and then exits: the cyclic collector's passes over them are pure overhead
at the default threshold (700 allocations). Measured (benchmarks/results/AB_MACHINERY.md):
22 % of a cold and 45 % of a warm 10,000-migration run. Garbage cycles (sqlglot's trees) wait
for at most 200,000 allocations: a few MiB."""


def tune_gc() -> None:
    """Set :data:`GC_THRESHOLD` for this process (the command, :func:`schemadiff.__main__.run`,
    does, once, before it imports the command line; a library call leaves the host program's
    collector alone)."""
    gc.set_threshold(*GC_THRESHOLD)
