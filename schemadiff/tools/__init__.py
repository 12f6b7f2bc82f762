"""Migration tool readers: one module per tool, one small interface.

Each module defines:

- ``NAME``: the ``--tool`` name (``"goose"``);
- ``HISTORY_TABLES``: the ``(schema or "", table)`` names of its history table(s), excluded from
  schema comparisons (``""`` = the first schema of ``search_path``);
- ``detect(root) -> int``: how strongly a directory looks like this tool's layout (0 = not at all);
- ``list_migrations(root) -> list[Migration]``: the UP units in the order the tool applies them,
  raising :class:`~schemadiff.errors.MigrationError` where the tool itself would refuse.

Adding a tool means adding a module and one line in ``_MODULES``; the engine is not touched.
"""
