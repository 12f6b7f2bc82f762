"""``CREATE TABLE``: columns, constraints, ``LIKE``, ``PARTITION BY``/``OF``, ``AS``."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import TypeRef
from schemadiff.sql.tokens import Stream, SyntaxProblem


def _trailing_options(s: Stream) -> tuple[str | None, tuple[tuple[str, str | None], ...],
                                           str | None]:
    """What follows a partition's or typed table's elements (PARTITION BY, USING method, WITH
    (...), TABLESPACE, ON COMMIT): the PARTITION BY clause, the storage parameters and the
    access method, the rest skipped."""
    partition_by = None
    options: tuple[tuple[str, str | None], ...] = ()
    method = None
    while not s.done():
        if s.at("PARTITION", "BY"):
            partition_by = _partition_by(s)
        elif s.at("WITH") and s.at_punct("(", 1):
            s.next()
            options += g.reloptions(s)
        elif s.accept("USING"):
            method = s.ident()
        elif s.at_punct("("):
            s.paren_span()
        else:
            s.next()
    return partition_by, options, method


def create_table(s: Stream, persistence: str) -> ops.Op:
    s.expect("TABLE")
    ine = s.accept("IF", "NOT", "EXISTS")
    name = g.qname(s)
    if persistence == "temporary":  # session state: only its name matters
        s.rest()
        return ops.CreateTable(name, if_not_exists=ine, persistence=persistence)
    if s.accept("PARTITION", "OF"):
        parent = g.qname(s)
        columns, constraints = ([], [])
        if s.at_punct("("):
            columns, constraints = _table_elements(s)
        bound = g.partition_bound(s)
        partition_by, options, method = _trailing_options(s)
        return ops.CreateTable(name, tuple(columns), tuple(constraints), ine, persistence,
                               partition_by, parent, bound, options=options,
                               access_method=method)
    if s.accept("OF"):
        type_name = g.qname(s)  # a composite type: no modifiers, the ( ... ) are the columns
        of_type = TypeRef(type_name.name, type_name.schema, builtin=False)
        columns, constraints = ([], [])
        if s.at_punct("("):
            columns, constraints = _table_elements(s)
        partition_by, options, method = _trailing_options(s)
        return ops.CreateTable(name, tuple(columns), tuple(constraints), ine, persistence,
                               partition_by, of_type=of_type, options=options,
                               access_method=method)
    if s.at("AS") or s.at("ON", "COMMIT") or s.at("WITH") or s.at("USING") or (
        s.at_punct("(") and _is_table_as(s)
    ):
        cols: tuple[str, ...] = ()
        if s.at_punct("("):
            cols = g.ident_list_in_parens(s)
        options: tuple[tuple[str, str | None], ...] = ()
        method = None
        while not s.at("AS"):  # USING method, WITH (...), ON COMMIT ..., TABLESPACE t
            if s.at("WITH") and s.at_punct("(", 1):
                s.next()
                options += g.reloptions(s)
            elif s.accept("USING"):
                method = s.ident()
            elif s.at_punct("("):
                s.paren_span()
            else:
                s.next()
        s.expect("AS")
        query = s.rest()
        return ops.CreateTableAs(name, strip_with_data(query), cols, ine, persistence, options,
                                 method)
    columns, constraints = _table_elements(s)
    inherits: tuple[ops.QName, ...] = ()
    partition_by = None
    options: tuple[tuple[str, str | None], ...] = ()
    method = None
    while not s.done():
        if s.accept("INHERITS"):
            s.expect_punct("(")
            inherits = tuple(g.qname_list(s))
            s.expect_punct(")")
        elif s.at("PARTITION", "BY"):
            partition_by = _partition_by(s)
        elif s.accept("WITH") or s.accept("WITHOUT", "OIDS"):
            if s.at_punct("("):
                options += g.reloptions(s)
        elif s.accept("USING"):
            method = s.ident()
        elif s.accept("TABLESPACE"):
            s.ident()
        elif s.accept("ON", "COMMIT"):
            s.next()
            s.accept("ROWS")
        else:
            got = s.peek()
            raise SyntaxProblem(
                f"unexpected {got.raw if got else 'end'} after CREATE TABLE columns")
    like = tuple((c.ref_table, c.include) for c in constraints if c.type == "like" and c.ref_table)
    constraints = [c for c in constraints if c.type != "like"]
    return ops.CreateTable(name, tuple(columns), tuple(constraints), ine, persistence,
                           partition_by, None, None, inherits, like, options=options,
                           access_method=method)


def _is_table_as(s: Stream) -> bool:
    depth = 0
    for k in range(s.i, len(s.toks)):
        t = s.toks[k]
        if t.kind == "punct" and t.text == "(":
            depth += 1
        elif t.kind == "punct" and t.text == ")":
            depth -= 1
            if depth == 0:
                return k + 1 < len(s.toks) and s.toks[k + 1].text == "AS"
    return False


def strip_with_data(query: str) -> str:
    q = query.rstrip()
    for tail in ("WITH NO DATA", "WITH DATA"):
        if q.upper().endswith(tail):
            return q[: -len(tail)].rstrip()
    return q


def _table_elements(s: Stream) -> tuple[list[ops.ColumnDef], list[ops.ConstraintDef]]:
    s.expect_punct("(")
    columns: list[ops.ColumnDef] = []
    constraints: list[ops.ConstraintDef] = []
    for a, b in s.comma_items():
        item = s.sub(a, b)
        if (item.word() in g.TABLE_CONSTRAINT_WORDS
                and not _is_column_named_like_keyword(item)) or item.at("NOT", "NULL"):
            constraints.append(g.table_constraint(item))
        elif item.accept("LIKE"):
            source = g.qname(item)
            constraints.append(ops.ConstraintDef("like", ref_table=source,
                                                 include=_like_options(item)))
        else:
            columns.append(g.column_def(item))
        if not item.done():
            got = item.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in table definition")
    return columns, constraints


_LIKE_MODELLED = frozenset({"DEFAULTS", "GENERATED", "IDENTITY", "CONSTRAINTS", "COMMENTS",
                            "STORAGE", "COMPRESSION", "STATISTICS", "INDEXES"})


_LIKE_ALL = ("COMMENTS", "COMPRESSION", "CONSTRAINTS", "DEFAULTS", "GENERATED", "IDENTITY",
             "INDEXES", "STATISTICS", "STORAGE")


def _like_options(s: Stream) -> tuple[str, ...]:
    """``LIKE t INCLUDING x EXCLUDING y ...`` -> the sorted set of what is included."""
    included: set[str] = set()
    while not s.done():
        including = s.accept("INCLUDING")
        if not including:
            s.expect("EXCLUDING")
        w = s.next().text
        parts = _LIKE_ALL if w == "ALL" else (w,)
        if including:
            included.update(parts)
        else:
            included.difference_update(parts)
    unmodelled = included - _LIKE_MODELLED
    if unmodelled:
        raise SyntaxProblem(f"LIKE ... INCLUDING {', '.join(sorted(unmodelled))} is not modelled")
    return tuple(sorted(included))


def _is_column_named_like_keyword(item: Stream) -> bool:
    """``check text`` is a column named check; ``CHECK (x > 0)`` is a constraint."""
    nxt = item.peek(1)
    w = item.word()
    if w == "CONSTRAINT":
        return nxt is not None and nxt.kind == "word" and nxt.text in ("TEXT", "VARCHAR", "INTEGER")
    if w in ("PRIMARY", "FOREIGN"):
        return not (nxt is not None and nxt.text == "KEY")
    if w in ("CHECK", "UNIQUE", "EXCLUDE"):
        return (nxt is not None and nxt.kind in ("word", "ident")
                and nxt.text not in ("NULLS", "USING"))
    return False


def _partition_by(s: Stream) -> str | None:
    if not s.accept("PARTITION", "BY"):
        return None
    return g.partition_key(s)

