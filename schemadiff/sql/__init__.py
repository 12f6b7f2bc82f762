"""Everything that touches SQL text. ``parse`` is the only module that imports sqlglot."""
