"""``CREATE INDEX`` and ``ALTER INDEX``."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import normalize_expression
from schemadiff.sql.tokens import Stream, SyntaxProblem


def create_index(s: Stream) -> ops.Op:
    unique = s.accept("UNIQUE")
    s.expect("INDEX")
    s.accept("CONCURRENTLY")
    ine = s.accept("IF", "NOT", "EXISTS")
    name = None
    schema = None
    if not s.at("ON"):
        parts = s.names()
        name = parts[-1]
        schema = parts[-2] if len(parts) > 1 else None
    s.expect("ON")
    only = s.accept("ONLY")
    table = g.qname(s)
    method = "btree"
    if s.accept("USING"):
        method = s.ident()
    a, b = s.paren_span()
    keys = []
    key_names = []
    inner = s.sub(a, b)
    for ea, eb in g.split_items(inner):
        key, key_name = g.index_element(inner.sub(ea, eb), method.lower())
        keys.append(key)
        key_names.append(key_name)
    include: tuple[str, ...] = ()
    nnd = False
    predicate = None
    options: tuple[tuple[str, str | None], ...] = ()
    while not s.done():
        if s.accept("INCLUDE"):
            include = g.ident_list_in_parens(s)
        elif s.accept("NULLS", "NOT", "DISTINCT"):
            nnd = True
        elif s.accept("NULLS", "DISTINCT"):
            pass
        elif s.accept("WITH"):
            options += g.reloptions(s)
        elif s.accept("TABLESPACE"):
            s.ident()
        elif s.accept("WHERE"):
            predicate = normalize_expression(s.rest())
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE INDEX")
    return ops.CreateIndex(name, table, tuple(keys), unique, method.lower(), include, predicate,
                           nnd, ine, schema, tuple(key_names), only, options)


def alter_index(s: Stream) -> ops.Op:
    s.expect("INDEX")
    if s.at("ALL", "IN"):
        return ops.NoEffect("session", "ALTER INDEX ALL IN TABLESPACE")
    ie = s.accept("IF", "EXISTS")
    name = g.qname(s)
    if s.accept("RENAME", "TO"):
        return ops.AlterIndex(name, rename=s.ident(), if_exists=ie)
    if s.accept("SET", "SCHEMA"):
        return ops.AlterIndex(name, set_schema=s.ident(), if_exists=ie)
    if (s.at("SET") or s.at("RESET")) and s.at_punct("(", 1):
        reset = s.next().text.upper() == "RESET"
        return ops.AlterIndex(name, if_exists=ie, options=g.reloptions(s), reset=reset)
    if s.accept("ALTER"):  # ALTER [COLUMN] n SET STATISTICS t: an expression key's
        s.accept("COLUMN")
        t = s.peek()
        if t is not None and t.kind == "number":
            number = int(s.next().text)
            if s.accept("SET", "STATISTICS"):
                if s.accept("DEFAULT"):  # PostgreSQL 17
                    return ops.AlterIndex(name, if_exists=ie, statistics=(number, None))
                sign = -1 if s.accept_punct("-") else 1
                target = sign * int(s.next().text)
                return ops.AlterIndex(name, if_exists=ie,
                                      statistics=(number, None if target < 0 else target))
    return ops.NoEffect("storage", "ALTER INDEX")

