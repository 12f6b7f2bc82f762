"""``CREATE POLICY`` / ``ALTER POLICY`` (sql-createpolicy.html)."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    normalize_expression,
)
from schemadiff.sql.tokens import Stream, SyntaxProblem

#: the role specifications PostgreSQL resolves when the policy is made (kept upper-case:
#: a role named so is written quoted)
_ROLE_SPECS = frozenset({"CURRENT_USER", "CURRENT_ROLE", "SESSION_USER"})


def _roles(s: Stream) -> tuple[str, ...]:
    roles = []
    while True:
        word = s.word()
        t = s.next()
        if word is not None and word in _ROLE_SPECS:
            roles.append(word)
        else:
            roles.append(t.text if t.kind == "ident" else t.raw.lower())
        if not s.accept_punct(","):
            break
    return tuple(sorted(roles))


def create_policy(s: Stream) -> ops.Op:
    s.expect("POLICY")
    name = s.ident()
    s.expect("ON")
    table = g.qname(s)
    p: dict[str, object] = {"name": name, "table": table}
    while not s.done():
        if s.accept("AS"):
            p["permissive"] = s.next().text != "RESTRICTIVE"
        elif s.accept("FOR"):
            p["command"] = s.next().text
        else:
            _clause(s, p, "CREATE POLICY")
    return ops.CreatePolicy(**p)  # type: ignore[arg-type]


def alter_policy(s: Stream) -> ops.Op:
    s.expect("POLICY")
    name = s.ident()
    s.expect("ON")
    table = g.qname(s)
    if s.accept("RENAME", "TO"):
        return ops.AlterPolicy(name, table, rename=s.ident())
    p: dict[str, object] = {}
    while not s.done():
        _clause(s, p, "ALTER POLICY")
    return ops.AlterPolicy(name, table, **p)  # type: ignore[arg-type]


def _clause(s: Stream, p: dict[str, object], statement: str) -> None:
    """One of the clauses CREATE and ALTER POLICY share: ``TO roles``, ``USING (...)``,
    ``WITH CHECK (...)``, into ``p``."""
    if s.accept("TO"):
        p["roles"] = _roles(s)
    elif s.accept("USING"):
        p["using_text"] = s.paren_text()
        p["using"] = normalize_expression(p["using_text"])
    elif s.accept("WITH", "CHECK"):
        p["check_text"] = s.paren_text()
        p["with_check"] = normalize_expression(p["check_text"])
    else:
        got = s.peek()
        raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in {statement}")

