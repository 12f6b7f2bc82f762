"""``CREATE SCHEMA`` (with its schema elements) and extension versions."""

from __future__ import annotations

from collections.abc import Callable

from schemadiff.sql import ops
from schemadiff.sql.grammar import owner_to
from schemadiff.sql.tokens import Stream, SyntaxProblem

_ROLE_SPECS = frozenset({"CURRENT_ROLE", "CURRENT_USER", "SESSION_USER"})


def extension_version(s: Stream) -> str:
    """``'1.1'``, ``"1.1"`` or a bare word: the version as the catalog stores it."""
    t = s.peek()
    if t is not None and t.kind == "string":
        return s.string()
    if t is not None and t.kind == "number":
        return s.next().text
    return s.ident()


def create_schema(s: Stream, statement: Callable[[Stream], ops.Op]) -> ops.Op:
    """``CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role] [element ...]`` (or
    ``AUTHORIZATION role`` alone: the schema takes the role's name). ``statement`` parses each
    schema element."""
    s.expect("SCHEMA")
    ine = s.accept("IF", "NOT", "EXISTS")
    if s.accept("AUTHORIZATION"):
        if s.word() in _ROLE_SPECS:
            return ops.Unsupported("a schema named after the current role is not modelled")
        name = s.ident()
    else:
        name = s.ident()
        if s.accept("AUTHORIZATION"):
            s.next()
    elements: list[ops.Op] = []
    starts = [k for k in range(s.i, len(s.toks)) if s.words[k] in ("CREATE", "GRANT")
              and _depth_zero(s, k)]
    for a, b in zip(starts, [*starts[1:], len(s.toks)]):
        elements.append(statement(s.sub(a, b)))
    if (starts[0] if starts else len(s.toks)) != s.i:
        got = s.peek()
        raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE SCHEMA")
    return ops.CreateSchema(name, ine, tuple(elements))


def _depth_zero(s: Stream, k: int) -> bool:
    depth = 0
    for t in s.toks[s.i:k]:
        if t.kind == "punct" and t.text in ("(", "["):
            depth += 1
        elif t.kind == "punct" and t.text in (")", "]"):
            depth -= 1
    return depth == 0



def alter_schema(s: Stream) -> ops.Op:
    """``ALTER SCHEMA name RENAME TO new | OWNER TO role``."""
    s.expect("SCHEMA")
    old = s.ident()
    if s.accept("RENAME", "TO"):
        return ops.RenameSchema(old, s.ident())
    if s.accept("OWNER", "TO"):
        return owner_to("schema", ops.QName(None, old), s)
    return ops.NoEffect("acl", "ALTER SCHEMA")


def create_extension(s: Stream) -> ops.Op:
    """``CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v] [CASCADE]``."""
    s.expect("EXTENSION")
    ine = s.accept("IF", "NOT", "EXISTS")
    name = s.ident()
    schema = version = None
    while not s.done():
        if s.accept("SCHEMA"):
            schema = s.ident()
        elif s.accept("VERSION"):
            version = extension_version(s)
        else:
            s.next()
    return ops.CreateExtension(name, schema, ine, version)


def alter_extension(s: Stream) -> ops.Op:
    """``ALTER EXTENSION name UPDATE [TO v] | SET SCHEMA s`` (ADD / DROP of a member object
    changes nothing compared)."""
    s.expect("EXTENSION")
    name = s.ident()
    if s.accept("UPDATE"):
        version = extension_version(s) if s.accept("TO") else None
        return ops.AlterExtension(name, update=True, version=version)
    if s.accept("SET", "SCHEMA"):
        return ops.AlterExtension(name, set_schema=s.ident())
    return ops.NoEffect("extension", "ALTER EXTENSION")
