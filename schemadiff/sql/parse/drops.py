"""``DROP`` of every modelled kind."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.parse.functions import argument_types
from schemadiff.sql.parse.uncompared import uncompared
from schemadiff.sql.tokens import Stream

_RELKINDS = {
    "TABLE": "table",
    "VIEW": "view",
    "INDEX": "index",
    "SEQUENCE": "sequence",
    "TYPE": "type",
    "DOMAIN": "domain",
    "SCHEMA": "schema",
    "EXTENSION": "extension",
    "FUNCTION": "function",
    "PROCEDURE": "procedure",
    "ROUTINE": "function",
    "TRIGGER": "trigger",
    "POLICY": "policy",
    "STATISTICS": "statistics",
}


def drop(s: Stream) -> ops.Op:
    s.expect("DROP")
    if (other := uncompared(s, "DROP")) is not None:
        return other
    if s.accept("MATERIALIZED", "VIEW"):
        kind = "materialized view"
    elif s.accept("EVENT", "TRIGGER"):
        kind = "event_trigger"
    else:
        w = s.word()
        if w in ("ROLE", "USER", "GROUP", "DATABASE", "TABLESPACE", "OWNED", "PUBLICATION",
                 "SUBSCRIPTION", "SERVER"):
            return ops.NoEffect("acl", f"DROP {w}")
        if w not in _RELKINDS:
            return ops.Unsupported(f"DROP {s.peek().raw if s.peek() else ''} is not modelled")  # type: ignore[union-attr]
        s.next()
        kind = _RELKINDS[w]
    s.accept("CONCURRENTLY")
    ie = s.accept("IF", "EXISTS")
    if kind in ("trigger", "policy"):
        name = s.ident()
        s.expect("ON")
        table = g.qname(s)
        cascade = s.accept("CASCADE")
        return ops.Drop(kind, (ops.QName(None, name),), ie, cascade, on=table)
    if kind in ("function", "procedure"):

        names: list[ops.QName] = []
        args: list[tuple | None] = []
        while True:
            names.append(g.qname(s))
            args.append(argument_types(s) if s.at_punct("(") else None)
            if not s.accept_punct(","):
                break
        cascade = s.accept("CASCADE")
        return ops.Drop(kind, tuple(names), ie, cascade, args=tuple(args))
    if kind in ("schema", "extension", "event_trigger"):
        names = [ops.QName(None, s.ident())]
        while s.accept_punct(","):
            names.append(ops.QName(None, s.ident()))
    else:
        names = g.qname_list(s)
    cascade = s.accept("CASCADE")
    s.accept("RESTRICT")
    return ops.Drop(kind, tuple(names), ie, cascade)

