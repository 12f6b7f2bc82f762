"""``CREATE`` / ``ALTER EVENT TRIGGER`` (``DROP`` and ``COMMENT ON`` are the generic ones)."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.tokens import Stream, SyntaxProblem


def create_event_trigger(s: Stream) -> ops.Op:
    """``EVENT TRIGGER name ON event [WHEN TAG IN ('A', ...) [AND ...]] EXECUTE { FUNCTION |
    PROCEDURE } f()``."""
    s.expect("EVENT", "TRIGGER")
    name = s.ident()
    s.expect("ON")
    event = s.ident().lower()
    tags: list[str] = []
    if s.accept("WHEN"):
        while True:
            variable = s.ident().lower()
            s.expect("IN")
            a, b = s.paren_span()
            if variable == "tag":
                tags += [t.text.upper() for t in s.toks[a:b] if t.kind == "string"]
            if not s.accept("AND"):
                break
    s.expect("EXECUTE")
    if not (s.accept("FUNCTION") or s.accept("PROCEDURE")):
        raise SyntaxProblem("EXECUTE FUNCTION expected")
    function = g.qname(s)
    if s.at_punct("("):
        s.paren_span()
    return ops.CreateEventTrigger(name, event, tuple(sorted(set(tags))), function)


def alter_event_trigger(s: Stream) -> ops.Op:
    s.expect("EVENT", "TRIGGER")
    name = s.ident()
    if s.accept("DISABLE"):
        return ops.AlterEventTrigger(name, enabled="D")
    if s.accept("ENABLE"):
        state = "R" if s.accept("REPLICA") else "A" if s.accept("ALWAYS") else "O"
        return ops.AlterEventTrigger(name, enabled=state)
    if s.accept("RENAME", "TO"):
        return ops.AlterEventTrigger(name, rename=s.ident())
    if s.accept("OWNER", "TO"):
        s.rest()
        return ops.NoEffect("acl", "ALTER EVENT TRIGGER OWNER TO")
    got = s.peek()
    raise SyntaxProblem(f"unknown ALTER EVENT TRIGGER action {got.raw if got else ''}")
