"""``COMMENT ON``."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.parse.functions import argument_types
from schemadiff.sql.parse.uncompared import uncompared
from schemadiff.sql.tokens import Stream, SyntaxProblem

_COMMENT_TARGETS = {
    "TABLE": "table",
    "VIEW": "view",
    "MATERIALIZED VIEW": "view",
    "INDEX": "index",
    "SEQUENCE": "sequence",
    "TYPE": "type",
    "DOMAIN": "domain",
    "SCHEMA": "schema",
    "EXTENSION": "extension",
    "COLUMN": "column",
    "FUNCTION": "function",
    "PROCEDURE": "function",
    "ROUTINE": "function",
    "TRIGGER": "trigger",
    "POLICY": "policy",
    "CONSTRAINT": "constraint",
    "STATISTICS": "statistics",
    "EVENT TRIGGER": "event_trigger",
}


def comment(s: Stream) -> ops.Op:
    s.expect("COMMENT", "ON")
    if (other := uncompared(s, "COMMENT ON")) is not None:
        return other
    if s.word() in ("ROLE", "DATABASE", "TABLESPACE", "SUBSCRIPTION"):
        return ops.NoEffect("acl", f"COMMENT ON {s.word()}")
    target = None
    for words, kind in _COMMENT_TARGETS.items():
        if s.accept(*words.split()):
            target = kind
            break
    if target is None:
        return ops.Unsupported(f"COMMENT ON {s.peek().raw if s.peek() else ''} is not modelled")  # type: ignore[union-attr]
    sub = ""
    args = None
    if target == "column":
        parts = s.names()
        if len(parts) < 2:
            raise SyntaxProblem("COMMENT ON COLUMN needs table.column")
        name = ops.QName(parts[-3] if len(parts) > 2 else None, parts[-2])
        sub = parts[-1]
    elif target in ("trigger", "policy", "constraint"):
        sub = s.ident()
        s.expect("ON")
        if target == "constraint" and s.accept("DOMAIN"):
            target = "domain constraint"
        name = g.qname(s)
    elif target == "function":

        name = g.qname(s)
        args = argument_types(s) if s.at_punct("(") else None
    elif target in ("schema", "extension", "event_trigger"):
        name = ops.QName(None, s.ident())
    else:
        name = g.qname(s)
    s.expect("IS")
    text = None if s.accept("NULL") else s.string()
    return ops.Comment(target, name, text, sub, args)

