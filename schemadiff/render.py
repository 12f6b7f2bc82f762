"""The normalized graph as readable SQL (``schemadiff inspect --format sql``).

This shows what schemadiff believes is there, in the canonical forms it compares (types as
``format_type`` prints them, normalized expressions), one statement per object, in
dependency-friendly order. It is for reading and diffing with ordinary tools, not a
restorable dump. Pure: a catalog in, text out.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemadiff.dialect.postgres.ddl import comment_on
from schemadiff.dialect.postgres.kinds import create_sql
from schemadiff.model import Catalog


def iter_sql(catalog: Catalog) -> Iterator[str]:
    for obj in catalog.sorted():
        statement = create_sql(obj, catalog)
        if statement:
            yield statement
        comment = comment_on(obj)
        if comment:
            yield comment


def render_sql(catalog: Catalog) -> str:
    """Every object as one readable statement, in kind order."""
    return "\n\n".join(iter_sql(catalog)) + "\n"
