"""The runtime wing: what makes a command fast and pleasant, and nothing the engine needs.

- :mod:`~schemadiff.runtime.cache`: parses and replays cached by content, on disk;
- :mod:`~schemadiff.runtime.parallel`: uncached files parsed in worker processes;
- :mod:`~schemadiff.runtime.loader`: the :class:`~schemadiff.loading.Loader` made of the two;
- :mod:`~schemadiff.runtime.progress`: the progress bar of long steps.

The engine (model, sql, history, diff, infer, tools, sources, repair) never imports this
package (``tests/test_architecture.py``); the API and the command line hand the loader in.
"""
