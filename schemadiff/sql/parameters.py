"""A SQL-standard routine body's ``p.x`` where ``p`` is a parameter (of a composite type):
PostgreSQL reads it as the field selection ``(p).x`` and the catalog prints it so, where no
relation of the body's queries is named ``p``."""

from __future__ import annotations

_SOURCES = ("Table", "Subquery", "Unnest", "Lateral", "TableAlias")


def parameter_fields(sql: str, parameters: frozenset[str]) -> str:
    """``sql`` (a ``RETURN`` expression or one statement of a ``BEGIN ATOMIC`` body) with each
    ``p.x`` naming a parameter ``p`` (not a relation of a query holding it) as ``(p).x``; as
    it is when there is none."""
    if not parameters or "." not in sql:
        return sql
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        tree = sqlglot.parse_one(sql, read="postgres")
    except SqlglotError:
        return sql
    changed = False
    for column in list(tree.find_all(exp.Column)):
        table = column.args.get("table")
        if (not isinstance(table, exp.Identifier) or column.args.get("db")
                or not isinstance(column.this, exp.Identifier)):
            continue
        name = table.this if table.quoted else table.this.lower()
        if name not in parameters or _names_a_relation(column, name):
            continue
        field = exp.Dot(this=exp.Paren(this=exp.Column(this=table.copy())),
                        expression=column.this.copy())
        if column is tree:
            tree = field
        else:
            column.replace(field)
        changed = True
    return tree.sql(dialect="postgres") if changed else sql


def _names_a_relation(node: object, name: str) -> bool:
    """Whether a query or statement holding ``node`` reads a relation (or names a source)
    ``name``: then ``name.x`` is its column (any nested scope counts, erring that way)."""
    from sqlglot import exp

    sources = tuple(getattr(exp, s) for s in _SOURCES)
    parent = getattr(node, "parent", None)
    while parent is not None:
        if isinstance(parent, (exp.Query, exp.Update, exp.Delete, exp.Insert)) and any(
                source.alias_or_name.lower() == name.lower()
                for source in parent.find_all(*sources)):
            return True
        parent = parent.parent
    return False
