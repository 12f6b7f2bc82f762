"""Statements on kinds of object the model does not hold: recognized, not compared.

Operators and their classes and families, aggregates, casts, conversions, text search
objects, publications, foreign-data wrappers, servers and user mappings, languages,
transforms, access methods, rules, collations and foreign tables are neither read from a
database (``sources/live``) nor kept by the replay, on the migrations' side or the dump's:
their statements become :class:`~schemadiff.sql.ops.Uncompared` rather than unmodeled
diagnostics. What they do to objects the model does hold is not modelled (``DROP COLLATION
... CASCADE`` dropping a column shows as a difference).

Foreign tables keep their names (``space="relation"``): ``ALTER TABLE``, ``COMMENT ON
COLUMN`` and ``DROP`` on them are then recognized too. Collations keep theirs
(``space="collation"``) so that a column's unqualified ``COLLATE name`` resolves, through the
search path, to the schema the collation was created in, as the database reports it."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.tokens import Stream

#: Nouns, longest first (``OPERATOR CLASS`` before ``OPERATOR``), as they follow CREATE,
#: ALTER, DROP or COMMENT ON.
NOUNS: tuple[tuple[str, ...], ...] = (
    ("OPERATOR", "CLASS"), ("OPERATOR", "FAMILY"), ("OPERATOR",),
    ("AGGREGATE",), ("CAST",), ("DEFAULT", "CONVERSION"), ("CONVERSION",),
    ("TEXT", "SEARCH", "CONFIGURATION"), ("TEXT", "SEARCH", "DICTIONARY"),
    ("TEXT", "SEARCH", "PARSER"), ("TEXT", "SEARCH", "TEMPLATE"),
    ("PUBLICATION",), ("FOREIGN", "DATA", "WRAPPER"), ("SERVER",), ("USER", "MAPPING"),
    ("TRUSTED", "PROCEDURAL", "LANGUAGE"), ("TRUSTED", "LANGUAGE"),
    ("PROCEDURAL", "LANGUAGE"), ("LANGUAGE",), ("TRANSFORM",), ("ACCESS", "METHOD"),
    ("RULE",), ("COLLATION",), ("LARGE", "OBJECT"),
)
#: :data:`NOUNS` by their first word, in their order: a statement's noun is looked up, not
#: tried against each (every CREATE, ALTER, DROP and COMMENT ON passes here)
_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(words for words in NOUNS if words[0] == first)
    for first in dict.fromkeys(words[0] for words in NOUNS)
}


def uncompared(s: Stream, verb: str) -> ops.Op | None:
    """At the noun after ``verb`` (CREATE [OR REPLACE], ALTER, DROP, COMMENT ON): the op of an
    uncompared kind, the stream consumed; None (nothing consumed) for any other noun."""
    nouns = _BY_FIRST.get(s.word() or "")
    if nouns is None:
        return None
    if s.at("FOREIGN", "TABLE"):
        s.next()
        s.next()
        return _foreign_table(s, verb)
    if s.at("COLLATION"):
        s.next()
        return _collation(s, verb)
    if verb == "CREATE" and s.at("RULE"):
        view = _return_rule(s)
        if view is not None:
            return view
    for words in nouns:
        if s.at(*words):
            while not s.done():
                s.next()
            return ops.Uncompared("uncompared", f"{verb} {' '.join(words)}")
    return None


def _foreign_table(s: Stream, verb: str) -> ops.Op:
    detail = f"{verb} FOREIGN TABLE"
    if verb == "COMMENT ON":
        s.rest()
        return ops.Uncompared("uncompared", detail)
    if_exists = s.accept("IF", "EXISTS") or s.accept("IF", "NOT", "EXISTS")
    del if_exists  # an absent foreign table is as uncompared as a present one
    if verb == "DROP":
        names = tuple(g.qname_list(s))
        cascade = s.accept("CASCADE")
        s.rest()
        return ops.Uncompared("uncompared", detail, "relation", names, "drop", cascade=cascade)
    s.accept("ONLY")
    name = g.qname(s)
    s.accept_punct("*")
    return _named(s, verb, detail, "relation", name)


def _collation(s: Stream, verb: str) -> ops.Op:
    """``CREATE COLLATION [IF NOT EXISTS] name ...``, ``ALTER COLLATION name RENAME TO | SET
    SCHEMA ...``, ``DROP COLLATION [IF EXISTS] name [, ...]``: the names, for the search path."""
    detail = f"{verb} COLLATION"
    if verb == "COMMENT ON":
        s.rest()
        return ops.Uncompared("uncompared", detail)
    if verb == "DROP":
        s.accept("IF", "EXISTS")
        names = tuple(g.qname_list(s))
        s.rest()
        return ops.Uncompared("uncompared", detail, "collation", names, "drop")
    if verb == "CREATE":
        s.accept("IF", "NOT", "EXISTS")
    name = g.qname(s)
    return _named(s, verb, detail, "collation", name)


def _named(s: Stream, verb: str, detail: str, kind: str, name: ops.QName) -> ops.Op:
    """The rest of ``CREATE`` / ``ALTER ... RENAME TO | SET SCHEMA`` of a named object, for the
    search path (any other ``ALTER`` is read past)."""
    action, new = "", ""
    if verb == "CREATE":
        action = "create"
    elif s.accept("RENAME", "TO"):
        action, new = "rename", s.ident()
    elif s.accept("SET", "SCHEMA"):
        action, new = "set_schema", s.ident()
    s.rest()
    return ops.Uncompared("uncompared", detail, kind, (name,), action, new)


def _return_rule(s: Stream) -> ops.Op | None:
    """``RULE "_RETURN" AS ON SELECT TO t DO INSTEAD query`` -> :class:`ConvertToView`."""
    start = s.i
    s.next()
    t = s.peek()
    if t is None or t.kind != "ident" or t.text != "_RETURN":
        s.i = start
        return None
    s.next()
    if not (s.accept("AS", "ON", "SELECT", "TO")):
        s.i = start
        return None
    name = g.qname(s)
    if not s.accept("DO", "INSTEAD"):
        s.i = start
        return None
    return ops.ConvertToView(name, s.rest())

