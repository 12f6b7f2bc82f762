"""``CREATE`` / ``ALTER STATISTICS``: extended statistics objects (``DROP`` and ``COMMENT
ON`` are the generic ones)."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import normalize_expression
from schemadiff.sql.tokens import Stream, SyntaxProblem


def create_statistics(s: Stream) -> ops.Op:
    """``STATISTICS [IF NOT EXISTS] [name] [(kind, ...)] ON key, ... FROM table``: a key is a
    column, a function call or a parenthesized expression (PostgreSQL 14)."""
    s.expect("STATISTICS")
    ine = s.accept("IF", "NOT", "EXISTS")
    name = None if s.at("ON") or s.at_punct("(") else g.qname(s)
    kinds = None
    if s.at_punct("("):
        a, b = s.paren_span()
        kinds = tuple(sorted(t.text.lower() for t in s.toks[a:b] if t.kind != "punct"))
    s.expect("ON")
    keys: list[str] = []
    while True:
        keys.append(_key(s))
        if not s.accept_punct(","):
            break
    s.expect("FROM")
    table = g.qname(s)
    if not s.done():
        got = s.peek()
        raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE STATISTICS")
    return ops.CreateStatistics(name, table, tuple(keys), kinds, ine)


def _key(s: Stream) -> str:
    """One key up to its comma or ``FROM``: a column's name, or ``(expression)``."""
    start = s.i
    depth = 0
    while not s.done():
        t = s.peek()
        assert t is not None
        if t.kind == "punct" and t.text in ("(", "["):
            depth += 1
        elif t.kind == "punct" and t.text in (")", "]"):
            depth -= 1
        elif depth == 0 and ((t.kind == "punct" and t.text == ",") or s.at("FROM")):
            break
        s.next()
    if s.i == start:
        raise SyntaxProblem("a statistics key expected")
    if s.i == start + 1 and s.toks[start].kind in ("word", "ident"):
        return Stream(s.text[s.toks[start].start:s.toks[start].end]).ident()
    text = s.text[s.toks[start].start:s.toks[s.i - 1].end].strip()
    inner = Stream(text)
    if inner.at_punct("("):
        a, b = inner.paren_span()
        if inner.done():
            text = text[inner.toks[a].start - inner.toks[0].start:
                        inner.toks[b - 1].end - inner.toks[0].start]
    return "(" + normalize_expression(text) + ")"


def alter_statistics(s: Stream) -> ops.Op:
    s.expect("STATISTICS")
    ie = s.accept("IF", "EXISTS")
    name = g.qname(s)
    if s.accept("RENAME", "TO"):
        return ops.AlterStatistics(name, rename=s.ident(), if_exists=ie)
    if s.accept("SET", "SCHEMA"):
        return ops.AlterStatistics(name, set_schema=s.ident(), if_exists=ie)
    if s.accept("SET", "STATISTICS"):
        if s.accept("DEFAULT"):  # PostgreSQL 17
            return ops.AlterStatistics(name, target=(None,), if_exists=ie)
        sign = -1 if s.accept_punct("-") else 1
        target = sign * int(s.next().text)
        return ops.AlterStatistics(name, target=(None if target < 0 else target,),
                                   if_exists=ie)
    if s.accept("OWNER", "TO"):
        s.rest()
        return ops.NoEffect("acl", "ALTER STATISTICS OWNER TO")
    got = s.peek()
    raise SyntaxProblem(f"unknown ALTER STATISTICS action {got.raw if got else ''}")
