"""``CREATE [CONSTRAINT] TRIGGER`` (sql-createtrigger.html)."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    normalize_expression,
    quote_ident,
)
from schemadiff.sql.tokens import Stream, SyntaxProblem


def create_trigger(s: Stream, or_replace: bool) -> ops.Op | None:
    if s.at("CONSTRAINT") and not s.at("CONSTRAINT", "TRIGGER"):
        return None
    constraint = s.accept("CONSTRAINT")
    s.expect("TRIGGER")
    name = s.ident()
    if s.accept("INSTEAD", "OF"):
        timing = "INSTEAD OF"
    else:
        timing = s.next().text
        if timing not in ("BEFORE", "AFTER"):
            raise SyntaxProblem(f"unknown trigger timing {timing}")
    events: list[str] = []
    while True:
        ev = s.next().text
        if ev == "UPDATE" and s.accept("OF"):
            cols = [s.ident()]
            while s.accept_punct(","):
                cols.append(s.ident())
            ev = "UPDATE OF " + ", ".join(quote_ident(c) for c in cols)
        events.append(ev)
        if not s.accept("OR"):
            break
    s.expect("ON")
    table = g.qname(s)
    d: dict[str, object] = {}
    level = "STATEMENT"
    when = None
    referencing: list[str] = []
    while not s.at("EXECUTE"):
        if s.accept("FROM"):
            g.qname(s)
        elif s.at("DEFERRABLE") or s.at("NOT", "DEFERRABLE") or s.at("INITIALLY"):
            g._deferral(s, d)
        elif s.accept("REFERENCING"):
            while (which := s.accept_any("OLD", "NEW")) is not None:
                s.accept_any("TABLE", "ROW")  # ROW: the standard's, which PostgreSQL refuses
                s.accept("AS")
                referencing.append(f"{which} TABLE AS {quote_ident(s.ident())}")
        elif s.accept("FOR"):
            s.accept("EACH")
            level = s.next().text
        elif s.accept("WHEN"):
            when = normalize_expression(s.paren_text())
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE TRIGGER")
    s.expect("EXECUTE")
    s.accept_any("FUNCTION", "PROCEDURE")
    function = g.qname(s)
    s.expect_punct("(")
    args: list[str] = []
    for a, b in s.comma_items():
        item = s.sub(a, b)
        t = item.next()
        if t.kind in ("string", "ident"):
            args.append(t.text)
        else:
            args.append(t.raw.lower() if t.kind == "word" else t.raw)
    return ops.CreateTrigger(name, table, timing, tuple(sorted(events)), level, function,
                             tuple(args), when, or_replace, constraint,
                             bool(d.get("deferrable")), bool(d.get("initially_deferred")),
                             tuple(sorted(referencing)))



def alter_trigger(s: Stream) -> ops.Op:
    """``ALTER TRIGGER name ON table RENAME TO new`` (other forms change no modelled state)."""
    s.expect("TRIGGER")
    name = s.ident()
    s.expect("ON")
    table = g.qname(s)
    if s.accept("RENAME", "TO"):
        return ops.AlterTrigger(name, table, s.ident())
    return ops.NoEffect("session", "ALTER TRIGGER")
