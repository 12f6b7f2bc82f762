"""Statement text -> :mod:`~schemadiff.sql.ops` values.

The parser reads PostgreSQL's DDL grammar from sqlglot's tokens (``sql.tokens``); expressions
go through sqlglot's own parser (``sql.normalize``). sqlglot's statement parser is not used for
DDL: it turns much of PostgreSQL's DDL into an opaque ``Command`` (``CREATE FUNCTION`` bodies,
``ALTER TYPE ... ADD VALUE``, policies, domains) and raises on some valid statements
(``DROP FUNCTION f(IN a int)``, ``CREATE INDEX ... ON ONLY t``), each a lost object for a drift
tool. Anything not understood here becomes :class:`~schemadiff.sql.ops.Unsupported`, never an
exception."""

from __future__ import annotations

from collections.abc import Callable

from schemadiff.sql import ops
from schemadiff.sql.parse import (
    alter_table,
    comments,
    do_blocks,
    drops,
    event_triggers,
    functions,
    indexes,
    policies,
    privileges,
    schemas,
    sequences,
    session,
    statistics,
    tables,
    triggers,
    types,
    views,
)
from schemadiff.sql.parse.uncompared import uncompared
from schemadiff.sql.tokens import Stream, SyntaxProblem

__all__ = ["parse_statement"]


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a table written as one string."""
    return frozenset(text.split())


_DATA = _words(
    """INSERT UPDATE DELETE MERGE TRUNCATE COPY SELECT WITH VALUES TABLE LOCK ANALYZE ANALYSE
    VACUUM REFRESH NOTIFY LISTEN UNLISTEN CLUSTER REINDEX CHECKPOINT DISCARD PREPARE EXECUTE
    DEALLOCATE CALL FETCH MOVE CLOSE DECLARE LOAD EXPLAIN"""
)
_TRANSACTION = _words("BEGIN COMMIT END ROLLBACK START SAVEPOINT RELEASE ABORT PREPARE")
_ACL = frozenset({"GRANT", "REVOKE", "SECURITY", "REASSIGN"})
_IGNORED_CREATE = frozenset({"ROLE", "USER", "GROUP", "DATABASE", "TABLESPACE", "PUBLICATION",
                             "SUBSCRIPTION", "SERVER", "USER MAPPING"})
_IGNORED_ALTER = frozenset({"DEFAULT", "ROLE", "USER", "GROUP", "DATABASE", "SYSTEM",
                            "TABLESPACE"})


def parse_statement(text: str) -> ops.Op:
    """Parse one statement (as ``sql.split`` yields it). Never raises."""
    try:
        s = Stream(text)
        if s.done():
            return ops.NoEffect("empty")
        return _statement(s)
    except SyntaxProblem as exc:
        return ops.Unsupported(str(exc))
    except RecursionError:
        return ops.Unsupported("statement too deeply nested")


def _statement(s: Stream) -> ops.Op:
    w = s.word()
    handler = _STATEMENTS.get(w or "")
    if handler is not None:
        return handler(s)
    if w == "SELECT" and session.is_set_config(s):
        return session.set_config(s)
    if w in _TRANSACTION:
        return ops.NoEffect("transaction", w)
    if w == "SHOW":
        return ops.NoEffect("session", w)
    if w == "IMPORT":  # IMPORT FOREIGN SCHEMA: foreign tables, not compared
        return ops.Uncompared("uncompared", "IMPORT FOREIGN SCHEMA")
    if w in ("SELECT", "WITH") or s.at_punct("("):
        into = session.select_into(s)
        if into is not None:
            return into
    if w in _DATA or s.at_punct("("):
        return ops.NoEffect("data", w or "(")
    if w in _ACL:
        return ops.NoEffect("acl", w)
    got = s.peek()
    return ops.Unsupported(f"unknown statement {got.raw if got else ''}")


# ------------------------------------------------------------------------------ CREATE

#: The noun after ``CREATE [OR REPLACE] [TEMP | UNLOGGED]`` -> its parser, given the stream at
#: the noun, OR REPLACE and the persistence; None: not a statement of that noun after all.
_CREATE: dict[str, Callable[[Stream, bool, str], ops.Op | None]] = {
    "TABLE": lambda s, _, persistence: tables.create_table(s, persistence),
    "UNIQUE": lambda s, _, __: indexes.create_index(s),
    "INDEX": lambda s, _, __: indexes.create_index(s),
    "MATERIALIZED": lambda s, replace, p: views.create_view(s, replace, p == "temporary"),
    "RECURSIVE": lambda s, replace, p: views.create_view(s, replace, p == "temporary"),
    "VIEW": lambda s, replace, p: views.create_view(s, replace, p == "temporary"),
    "SEQUENCE": lambda s, _, p: sequences.create_sequence(s, temporary=p == "temporary",
                                                          persistence=p),
    "TYPE": lambda s, _, __: types.create_type(s),
    "DOMAIN": lambda s, _, __: types.create_domain(s),
    "SCHEMA": lambda s, _, __: schemas.create_schema(s, _statement),
    "EXTENSION": lambda s, _, __: schemas.create_extension(s),
    "FUNCTION": lambda s, replace, _: functions.create_function(s, replace),
    "PROCEDURE": lambda s, replace, _: functions.create_function(s, replace),
    "TRIGGER": lambda s, replace, _: triggers.create_trigger(s, replace),
    "CONSTRAINT": lambda s, replace, _: triggers.create_trigger(s, replace),
    "POLICY": lambda s, _, __: policies.create_policy(s),
    "STATISTICS": lambda s, _, __: statistics.create_statistics(s),
    "EVENT": lambda s, _, __: event_triggers.create_event_trigger(s),
}


def _create(s: Stream) -> ops.Op:
    s.expect("CREATE")
    or_replace = s.accept("OR", "REPLACE")
    persistence = "permanent"
    if (s.accept_any("TEMP", "TEMPORARY") or s.accept("GLOBAL", "TEMPORARY")
            or s.accept("LOCAL", "TEMPORARY")):
        persistence = "temporary"
    elif s.accept("UNLOGGED"):
        persistence = "unlogged"
    if (other := uncompared(s, "CREATE")) is not None:
        return other
    w = s.word()
    handler = _CREATE.get(w or "")
    if handler is not None and (op := handler(s, or_replace, persistence)) is not None:
        return op
    if w in ("ROLE", "USER", "GROUP") and s.word(1) != "MAPPING" and s.peek(1) is not None:
        s.next()
        return ops.CreateRole("acl", f"CREATE {w}", role=s.ident())
    if w in _IGNORED_CREATE:
        return ops.NoEffect("acl", f"CREATE {w}")
    got = s.peek()
    return ops.Unsupported(f"CREATE {got.raw if got else ''} is not modelled")


# ------------------------------------------------------------------------------ ALTER

#: The noun after ``ALTER`` -> its parser, given the stream at the noun; None: not a
#: statement of that noun after all (``ALTER DEFAULT`` without ``PRIVILEGES``).
_ALTER: dict[str, Callable[[Stream], ops.Op | None]] = {
    "TABLE": alter_table.alter_table,
    "MATERIALIZED": alter_table.alter_table,
    "VIEW": alter_table.alter_table,
    "INDEX": indexes.alter_index,
    "SEQUENCE": sequences.alter_sequence,
    "TYPE": types.alter_type,
    "DOMAIN": types.alter_type,
    "FUNCTION": functions.alter_function,
    "PROCEDURE": functions.alter_function,
    "ROUTINE": functions.alter_function,
    "TRIGGER": triggers.alter_trigger,
    "POLICY": policies.alter_policy,
    "SCHEMA": schemas.alter_schema,
    "EXTENSION": schemas.alter_extension,
    "DEFAULT": privileges.default_privileges,
    "STATISTICS": statistics.alter_statistics,
    "EVENT": event_triggers.alter_event_trigger,
}


def _alter(s: Stream) -> ops.Op:
    s.expect("ALTER")
    if (other := uncompared(s, "ALTER")) is not None:
        return other
    w = s.word()
    handler = _ALTER.get(w or "")
    if handler is not None and (op := handler(s)) is not None:
        return op
    if w in _IGNORED_ALTER:
        return ops.NoEffect("acl", f"ALTER {w}")
    got = s.peek()
    return ops.Unsupported(f"ALTER {got.raw if got else ''} is not modelled")


#: The first word of a statement -> its parser (the rest is decided in :func:`_statement`).
_STATEMENTS: dict[str, Callable[[Stream], ops.Op]] = {
    "CREATE": _create,
    "ALTER": _alter,
    "DROP": drops.drop,
    "COMMENT": comments.comment,
    "SET": session.set_or_reset,
    "RESET": session.set_or_reset,
    "DO": lambda s: do_blocks.do_block(s, parse_statement),
    "GRANT": privileges.grant,
    "REVOKE": privileges.grant,
    "CLUSTER": alter_table.cluster,
}
