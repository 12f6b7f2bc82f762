"""Everything that touches SQL text. ``normalize`` is where sqlglot is imported (through
``imports``)."""
