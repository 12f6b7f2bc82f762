"""``GRANT`` / ``REVOKE`` and ``ALTER DEFAULT PRIVILEGES``."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.parse.functions import argument_types
from schemadiff.sql.tokens import Stream

_GRANT_TARGETS = {"TABLE": "table", "SEQUENCE": "sequence", "FUNCTION": "function",
                  "PROCEDURE": "procedure", "ROUTINE": "routine", "SCHEMA": "schema"}


_GRANT_ALL_IN = {"TABLES": "table", "SEQUENCES": "sequence", "FUNCTIONS": "function",
                 "PROCEDURES": "procedure", "ROUTINES": "routine"}


def grant(s: Stream) -> ops.Op:
    """``GRANT privileges ON target TO roles`` / ``REVOKE [GRANT OPTION FOR] ... FROM roles``.

    Role membership (no ``ON``) and other objects' privileges (types, databases,
    languages...) have no effect on the compared schema.
    """
    revoke = s.next().text == "REVOKE"
    option = revoke and s.accept("GRANT", "OPTION", "FOR")
    privileges: list[str] = []
    columns: list[tuple[str, tuple[str, ...]]] = []  # SELECT (a, b): a column privilege
    while not s.done() and not s.at("ON"):
        if s.at_punct("(") and privileges:
            columns.append((privileges.pop(), g.ident_list_in_parens(s)))
            continue
        t = s.next()
        if t.kind == "word" and t.text not in ("PRIVILEGES",):
            privileges.append(t.text)
    if not s.accept("ON") or not (privileges or columns):
        return ops.NoEffect("acl", "role membership")
    names: list[ops.QName] = []
    args: list[tuple | None] = []
    schemas: list[str] = []
    if s.accept("ALL"):
        w = s.word()
        if w not in _GRANT_ALL_IN:
            return ops.NoEffect("acl", f"GRANT ON ALL {w}")
        target = _GRANT_ALL_IN[s.next().text]
        s.expect("IN", "SCHEMA")
        schemas.append(s.ident())
        while s.accept_punct(","):
            schemas.append(s.ident())
    else:
        w = s.word()
        if w in _GRANT_TARGETS:
            s.next()
            target = _GRANT_TARGETS[w]
        elif w is None or s.peek(1) is None or s.at_punct(".", 1) or s.peek(1).text in (  # type: ignore[union-attr]
                ",", "TO", "FROM"):
            target = "table"  # GRANT SELECT ON t: a table
        else:
            return ops.NoEffect("acl", f"GRANT ON {w}")
        if target in ("function", "procedure", "routine"):

            while True:
                names.append(g.qname(s))
                args.append(argument_types(s) if s.at_punct("(") else None)
                if not s.accept_punct(","):
                    break
        elif target == "schema":
            names.append(ops.QName(None, s.ident()))
            while s.accept_punct(","):
                names.append(ops.QName(None, s.ident()))
        else:
            names.append(g.qname(s))
            while s.accept_punct(","):
                names.append(g.qname(s))
    if not s.accept("FROM" if revoke else "TO"):
        return ops.NoEffect("acl", "GRANT")
    grantees: list[str] = []
    while True:
        s.accept("GROUP")
        if s.at("PUBLIC"):
            s.next()
            grantees.append("PUBLIC")
        elif s.word() in ("CURRENT_USER", "SESSION_USER", "CURRENT_ROLE"):
            s.next()  # the migrating role: the owner, whose own privileges are not compared
        else:
            grantees.append(s.ident())
        if not s.accept_punct(","):
            break
    if not revoke and s.accept("WITH", "GRANT", "OPTION"):
        option = True
    return ops.Grant(revoke, tuple(privileges), target, tuple(names), tuple(args),
                     tuple(schemas), tuple(grantees), option, tuple(columns))


def default_privileges(s: Stream) -> ops.Op | None:
    """``ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT|REVOKE ... ON TABLES ...``:
    what objects created afterwards get (the role is taken to be the migrating one)."""
    if not s.accept("DEFAULT", "PRIVILEGES"):
        return None  # ALTER DEFAULT ROLE ... and the like
    schemas: list[str] = []
    roles: list[str] = []
    while s.at("FOR") or s.at("IN"):
        if s.accept("FOR"):
            s.next()  # ROLE | USER
            roles.append(_role_spec(s))
            while s.accept_punct(","):
                roles.append(_role_spec(s))
        else:
            s.expect("IN", "SCHEMA")
            schemas.append(s.ident())
            while s.accept_punct(","):
                schemas.append(s.ident())
    rest = Stream(s.text)
    rest._set(s.toks[s.i:])
    w = rest.word()
    if w not in ("GRANT", "REVOKE"):
        return ops.NoEffect("acl", "ALTER DEFAULT PRIVILEGES")
    # the object type in plural (ON TABLES) as GRANT's ALL ... IN SCHEMA form reads it
    j = next((k for k in range(len(rest.toks)) if rest.words[k] == "ON"), None)
    types = {**_GRANT_ALL_IN, "SCHEMAS": "schema"}
    if j is None or j + 1 >= len(rest.toks) or rest.words[j + 1] not in types:
        return ops.NoEffect("acl", "ALTER DEFAULT PRIVILEGES")  # ON TYPES: not compared
    target = types[rest.words[j + 1]]  # type: ignore[index]
    toks = rest.toks[: j + 1] + rest.toks[j + 2:]
    # GRANT privileges ON <nothing> TO ...: parse as GRANT ON SCHEMA x, then take its parts
    rest._set(toks[: j + 1] + Stream("SCHEMA _").toks + toks[j + 1:])
    op = grant(rest)
    if not isinstance(op, ops.Grant):
        return op
    return ops.DefaultPrivileges(tuple(schemas), ops.Grant(
        op.revoke, op.privileges, target, (), (), (), op.grantees, op.grant_option),
        tuple(roles))


def _role_spec(s: Stream) -> str:
    """A role name, or ``CURRENT_USER`` / ``CURRENT_ROLE`` / ``SESSION_USER`` as such."""
    if s.word() in ("CURRENT_USER", "SESSION_USER", "CURRENT_ROLE"):
        return s.next().text
    return s.ident()

