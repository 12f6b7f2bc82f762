"""``CREATE SEQUENCE`` and ``ALTER SEQUENCE``."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.tokens import Stream


def create_sequence(s: Stream, temporary: bool = False, persistence: str = "permanent"
                    ) -> ops.Op:
    s.expect("SEQUENCE")
    ine = s.accept("IF", "NOT", "EXISTS")
    name = g.qname(s)
    return ops.CreateSequence(name, g.sequence_options(s), ine, temporary,
                              "unlogged" if persistence == "unlogged" else "permanent")


def alter_sequence(s: Stream) -> ops.Op:
    s.expect("SEQUENCE")
    ie = s.accept("IF", "EXISTS")
    name = g.qname(s)
    if s.accept("RENAME", "TO"):
        return ops.AlterSequence(name, rename=s.ident(), if_exists=ie)
    if s.accept("SET", "SCHEMA"):
        return ops.AlterSequence(name, set_schema=s.ident(), if_exists=ie)
    if s.accept("OWNER", "TO"):
        return g.owner_to("relation", name, s)
    if s.accept("SET", "LOGGED"):
        return ops.AlterSequence(name, if_exists=ie, persistence="permanent")
    if s.accept("SET", "UNLOGGED"):
        return ops.AlterSequence(name, if_exists=ie, persistence="unlogged")
    return ops.AlterSequence(name, g.sequence_options(s), if_exists=ie)

