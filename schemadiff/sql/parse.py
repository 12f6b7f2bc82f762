"""Statement text -> :mod:`~schemadiff.sql.ops` values.

The parser reads PostgreSQL's DDL grammar from sqlglot's tokens (``sql.tokens``); expressions
go through sqlglot's own parser (``sql.normalize``). sqlglot's statement parser is not used for
DDL: it turns much of PostgreSQL's DDL into an opaque ``Command`` (``CREATE FUNCTION`` bodies,
``ALTER TYPE ... ADD VALUE``, policies, domains) and raises on some valid statements
(``DROP FUNCTION f(IN a int)``, ``CREATE INDEX ... ON ONLY t``), each a lost object for a drift
tool. Anything not understood here becomes :class:`~schemadiff.sql.ops.Unsupported`, never an
exception.
"""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import TypeRef, normalize_expression, quote_ident
from schemadiff.sql.parse_uncompared import uncompared
from schemadiff.sql.tokens import Stream, SyntaxProblem


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
}


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
    if w == "CREATE":
        return _create(s)
    if w == "ALTER":
        return _alter(s)
    if w == "DROP":
        return _drop(s)
    if w == "COMMENT":
        return _comment(s)
    if w in ("SET", "RESET"):
        return _set(s)
    if w == "SELECT" and _is_set_config(s):
        return _set_config(s)
    if w == "DO":
        from schemadiff.sql.parse_routine import do_block

        return do_block(s, parse_statement)
    if w in _TRANSACTION:
        return ops.NoEffect("transaction", w)
    if w == "SHOW":
        return ops.NoEffect("session", w)
    if w == "IMPORT":  # IMPORT FOREIGN SCHEMA: foreign tables, not compared
        return ops.Uncompared("uncompared", "IMPORT FOREIGN SCHEMA")
    if w in ("SELECT", "WITH") or s.at_punct("("):
        into = _select_into(s)
        if into is not None:
            return into
    if w in _DATA or s.at_punct("("):
        return ops.NoEffect("data", w or "(")
    if w in ("GRANT", "REVOKE"):
        return _grant(s)
    if w in _ACL:
        return ops.NoEffect("acl", w)
    got = s.peek()
    return ops.Unsupported(f"unknown statement {got.raw if got else ''}")


# ------------------------------------------------------------------------------ SELECT INTO


def _select_into(s: Stream) -> ops.Op | None:
    """``SELECT ... INTO [TEMP | UNLOGGED] [TABLE] name FROM ...``: CREATE TABLE name AS the
    query without its INTO clause. None when the statement has no INTO of its own."""
    depth = 0
    for k, t in enumerate(s.toks):
        if t.kind == "punct" and t.text in ("(", "["):
            depth += 1
        elif t.kind == "punct" and t.text in (")", "]"):
            depth -= 1
        elif depth == 0 and s.words[k] == "INTO" and k and s.words[k - 1] not in (
                "INSERT", "MERGE"):
            rest = s.sub(k + 1, len(s.toks))
            persistence = "permanent"
            while rest.word() in ("TEMP", "TEMPORARY", "UNLOGGED", "TABLE", "GLOBAL", "LOCAL"):
                w = rest.next().text
                if w in ("TEMP", "TEMPORARY"):
                    persistence = "temporary"
                elif w == "UNLOGGED":
                    persistence = "unlogged"
            name = g.qname(rest)
            end = k + 1 + rest.i
            query = s.text[: t.start] + " " + s.text[s.toks[end - 1].end:]
            return ops.CreateTableAs(name, " ".join(query.split()), (), False, persistence)
    return None


# ------------------------------------------------------------------------------ SET


def _set(s: Stream) -> ops.Op:
    if s.accept("RESET"):
        if s.accept("SEARCH_PATH") or s.accept("ALL"):
            return ops.SetSearchPath(None)
        return ops.NoEffect("session")
    s.expect("SET")
    s.accept_any("SESSION", "LOCAL")
    if not s.accept("SEARCH_PATH"):
        return ops.NoEffect("session")
    if not (s.accept("TO") or s.accept_punct("=")):
        return ops.NoEffect("session")
    if s.accept("DEFAULT"):
        return ops.SetSearchPath(None)
    schemas: list[str] = []
    while not s.done():
        t = s.next()
        if t.kind == "string":
            schemas.extend(p.strip().strip('"') for p in t.text.split(",") if p.strip())
        elif t.kind == "ident":
            schemas.append(t.text)
        elif t.kind == "word":
            schemas.append(t.raw.lower())
    return ops.SetSearchPath(tuple(schemas))


def _is_set_config(s: Stream) -> bool:
    return any(t.kind == "word" and t.text == "SET_CONFIG" for t in s.toks[:6])


def _set_config(s: Stream) -> ops.Op:
    strings = [t.text for t in s.toks if t.kind == "string"]
    if len(strings) >= 2 and strings[0].lower() == "search_path":
        parts = (p.strip().strip('"') for p in strings[1].split(","))
        return ops.SetSearchPath(tuple(p for p in parts if p))
    return ops.NoEffect("session")


# ------------------------------------------------------------------------------ CREATE


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
    if s.accept("TABLE"):
        return _create_table(s, persistence)
    if s.at("UNIQUE") or s.at("INDEX"):
        return _create_index(s)
    if s.accept("MATERIALIZED", "VIEW"):
        return _create_view(s, materialized=True, or_replace=or_replace)
    if s.accept("RECURSIVE", "VIEW"):
        return _create_view(s, materialized=False, or_replace=or_replace, recursive=True,
                            temporary=persistence == "temporary")
    if s.accept("VIEW"):
        return _create_view(s, materialized=False, or_replace=or_replace,
                            temporary=persistence == "temporary")
    if s.accept("SEQUENCE"):
        return _create_sequence(s, temporary=persistence == "temporary")
    if s.accept("TYPE"):
        return _create_type(s)
    if s.accept("DOMAIN"):
        return _create_domain(s)
    if s.accept("SCHEMA"):
        return _create_schema(s)
    if s.accept("EXTENSION"):
        ine = s.accept("IF", "NOT", "EXISTS")
        name = s.ident()
        schema = version = None
        while not s.done():
            if s.accept("SCHEMA"):
                schema = s.ident()
            elif s.accept("VERSION"):
                version = _extension_version(s)
            else:
                s.next()
        return ops.CreateExtension(name, schema, ine, version)
    if s.at("FUNCTION") or s.at("PROCEDURE") or s.at("TRIGGER") or s.at("CONSTRAINT", "TRIGGER"):
        from schemadiff.sql import parse_routine

        if s.at("FUNCTION") or s.at("PROCEDURE"):
            return parse_routine.create_function(s, or_replace)
        return parse_routine.create_trigger(s, or_replace)
    if s.accept("POLICY"):
        from schemadiff.sql.parse_routine import create_policy

        return create_policy(s)
    w = s.word()
    if w in _IGNORED_CREATE:
        return ops.NoEffect("acl", f"CREATE {w}")
    return ops.Unsupported(f"CREATE {s.peek().raw if s.peek() else ''} is not modelled")  # type: ignore[union-attr]


_ROLE_SPECS = frozenset({"CURRENT_ROLE", "CURRENT_USER", "SESSION_USER"})


_GRANT_TARGETS = {"TABLE": "table", "SEQUENCE": "sequence", "FUNCTION": "function",
                  "PROCEDURE": "procedure", "ROUTINE": "routine", "SCHEMA": "schema"}
_GRANT_ALL_IN = {"TABLES": "table", "SEQUENCES": "sequence", "FUNCTIONS": "function",
                 "PROCEDURES": "procedure", "ROUTINES": "routine"}


def _grant(s: Stream) -> ops.Op:
    """``GRANT privileges ON target TO roles`` / ``REVOKE [GRANT OPTION FOR] ... FROM roles``.

    Role membership (no ``ON``), column privileges and other objects' privileges (types,
    databases, languages...) have no effect on the compared schema.
    """
    revoke = s.next().text == "REVOKE"
    option = revoke and s.accept("GRANT", "OPTION", "FOR")
    privileges: list[str] = []
    while not s.done() and not s.at("ON"):
        t = s.next()
        if t.kind == "punct" and t.text == "(":
            return ops.NoEffect("acl", "column privileges")
        if t.kind == "word" and t.text not in ("PRIVILEGES",):
            privileges.append(t.text)
    if not s.accept("ON") or not privileges:
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
            from schemadiff.sql.parse_routine import argument_types

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
                     tuple(schemas), tuple(grantees), option)


def _default_privileges(s: Stream) -> ops.Op:
    """``ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT|REVOKE ... ON TABLES ...``:
    what objects created afterwards get (the role is taken to be the migrating one)."""
    s.expect("DEFAULT", "PRIVILEGES")
    schemas: list[str] = []
    while s.at("FOR") or s.at("IN"):
        if s.accept("FOR"):
            s.next()  # ROLE | USER
            s.ident()
            while s.accept_punct(","):
                s.ident()
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
    op = _grant(rest)
    if not isinstance(op, ops.Grant):
        return op
    return ops.DefaultPrivileges(tuple(schemas), ops.Grant(
        op.revoke, op.privileges, target, (), (), (), op.grantees, op.grant_option))


def _extension_version(s: Stream) -> str:
    """``'1.1'``, ``"1.1"`` or a bare word: the version as the catalog stores it."""
    t = s.peek()
    if t is not None and t.kind == "string":
        return s.string()
    if t is not None and t.kind == "number":
        return s.next().text
    return s.ident()


def _create_schema(s: Stream) -> ops.Op:
    """``CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role] [element ...]`` (or
    ``AUTHORIZATION role`` alone: the schema takes the role's name)."""
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
        elements.append(_statement(s.sub(a, b)))
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


def _create_table(s: Stream, persistence: str) -> ops.Op:
    ine = s.accept("IF", "NOT", "EXISTS")
    name = g.qname(s)
    if persistence == "temporary":  # session state: only its name matters
        s.rest()
        return ops.CreateTable(name, if_not_exists=ine, persistence=persistence)
    if s.accept("PARTITION", "OF"):
        parent = g.qname(s)
        columns, constraints = ([], [])
        if s.at_punct("("):
            columns, constraints = _table_elements(s)
        bound = g.partition_bound(s)
        partition_by = None
        while not s.done():  # PARTITION BY, USING method, WITH (...), TABLESPACE, ON COMMIT
            if s.at("PARTITION", "BY"):
                partition_by = _partition_by(s)
            elif s.at_punct("("):
                s.paren_span()
            else:
                s.next()
        return ops.CreateTable(name, tuple(columns), tuple(constraints), ine, persistence,
                               partition_by, parent, bound)
    if s.accept("OF"):
        type_name = g.qname(s)  # a composite type: no modifiers, the ( ... ) are the columns
        of_type = TypeRef(type_name.name, type_name.schema, builtin=False)
        columns, constraints = ([], [])
        if s.at_punct("("):
            columns, constraints = _table_elements(s)
        partition_by = None
        while not s.done():  # PARTITION BY, USING method, WITH (...), TABLESPACE, ON COMMIT
            if s.at("PARTITION", "BY"):
                partition_by = _partition_by(s)
            elif s.at_punct("("):
                s.paren_span()
            else:
                s.next()
        return ops.CreateTable(name, tuple(columns), tuple(constraints), ine, persistence,
                               partition_by, of_type=of_type)
    if s.at("AS") or s.at("ON", "COMMIT") or s.at("WITH") or s.at("USING") or (
        s.at_punct("(") and _is_table_as(s)
    ):
        cols: tuple[str, ...] = ()
        if s.at_punct("("):
            cols = g.ident_list_in_parens(s)
        while not s.at("AS"):  # USING method, WITH (...), ON COMMIT ..., TABLESPACE t
            if s.at_punct("("):
                s.paren_span()
            else:
                s.next()
        s.expect("AS")
        query = s.rest()
        return ops.CreateTableAs(name, _strip_with_data(query), cols, ine, persistence)
    columns, constraints = _table_elements(s)
    inherits: tuple[ops.QName, ...] = ()
    partition_by = None
    while not s.done():
        if s.accept("INHERITS"):
            s.expect_punct("(")
            inherits = tuple(g.qname_list(s))
            s.expect_punct(")")
        elif s.at("PARTITION", "BY"):
            partition_by = _partition_by(s)
        elif s.accept("WITH") or s.accept("WITHOUT", "OIDS"):
            if s.at_punct("("):
                s.paren_span()
        elif s.accept("USING") or s.accept("TABLESPACE"):
            s.ident()
        elif s.accept("ON", "COMMIT"):
            s.next()
            s.accept("ROWS")
        else:
            got = s.peek()
            raise SyntaxProblem(
                f"unexpected {got.raw if got else 'end'} after CREATE TABLE columns")
    like = tuple((c.ref_table, c.include) for c in constraints if c.type == "like" and c.ref_table)
    constraints = [c for c in constraints if c.type != "like"]
    return ops.CreateTable(name, tuple(columns), tuple(constraints), ine, persistence,
                           partition_by, None, None, inherits, like)


def _is_table_as(s: Stream) -> bool:
    depth = 0
    for k in range(s.i, len(s.toks)):
        t = s.toks[k]
        if t.kind == "punct" and t.text == "(":
            depth += 1
        elif t.kind == "punct" and t.text == ")":
            depth -= 1
            if depth == 0:
                return k + 1 < len(s.toks) and s.toks[k + 1].text == "AS"
    return False


def _strip_with_data(query: str) -> str:
    q = query.rstrip()
    for tail in ("WITH NO DATA", "WITH DATA"):
        if q.upper().endswith(tail):
            return q[: -len(tail)].rstrip()
    return q


def _table_elements(s: Stream) -> tuple[list[ops.ColumnDef], list[ops.ConstraintDef]]:
    s.expect_punct("(")
    columns: list[ops.ColumnDef] = []
    constraints: list[ops.ConstraintDef] = []
    for a, b in s.comma_items():
        item = s.sub(a, b)
        if (item.word() in g.TABLE_CONSTRAINT_WORDS
                and not _is_column_named_like_keyword(item)) or item.at("NOT", "NULL"):
            constraints.append(g.table_constraint(item))
        elif item.accept("LIKE"):
            source = g.qname(item)
            constraints.append(ops.ConstraintDef("like", ref_table=source,
                                                 include=_like_options(item)))
        else:
            columns.append(g.column_def(item))
        if not item.done():
            got = item.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in table definition")
    return columns, constraints


_LIKE_MODELLED = frozenset({"DEFAULTS", "GENERATED", "IDENTITY", "CONSTRAINTS", "COMMENTS",
                            "STORAGE", "COMPRESSION", "STATISTICS", "INDEXES"})
_LIKE_ALL = ("COMMENTS", "COMPRESSION", "CONSTRAINTS", "DEFAULTS", "GENERATED", "IDENTITY",
             "INDEXES", "STATISTICS", "STORAGE")


def _like_options(s: Stream) -> tuple[str, ...]:
    """``LIKE t INCLUDING x EXCLUDING y ...`` -> the sorted set of what is included."""
    included: set[str] = set()
    while not s.done():
        including = s.accept("INCLUDING")
        if not including:
            s.expect("EXCLUDING")
        w = s.next().text
        parts = _LIKE_ALL if w == "ALL" else (w,)
        if including:
            included.update(parts)
        else:
            included.difference_update(parts)
    unmodelled = included - _LIKE_MODELLED
    if unmodelled:
        raise SyntaxProblem(f"LIKE ... INCLUDING {', '.join(sorted(unmodelled))} is not modelled")
    return tuple(sorted(included))


def _is_column_named_like_keyword(item: Stream) -> bool:
    """``check text`` is a column named check; ``CHECK (x > 0)`` is a constraint."""
    nxt = item.peek(1)
    w = item.word()
    if w == "CONSTRAINT":
        return nxt is not None and nxt.kind == "word" and nxt.text in ("TEXT", "VARCHAR", "INTEGER")
    if w in ("PRIMARY", "FOREIGN"):
        return not (nxt is not None and nxt.text == "KEY")
    if w in ("CHECK", "UNIQUE", "EXCLUDE"):
        return (nxt is not None and nxt.kind in ("word", "ident")
                and nxt.text not in ("NULLS", "USING"))
    return False


def _partition_by(s: Stream) -> str | None:
    if not s.accept("PARTITION", "BY"):
        return None
    return g.partition_key(s)


def _create_index(s: Stream) -> ops.Op:
    unique = s.accept("UNIQUE")
    s.expect("INDEX")
    s.accept("CONCURRENTLY")
    ine = s.accept("IF", "NOT", "EXISTS")
    name = None
    schema = None
    if not s.at("ON"):
        parts = s.names()
        name = parts[-1]
        schema = parts[-2] if len(parts) > 1 else None
    s.expect("ON")
    only = s.accept("ONLY")
    table = g.qname(s)
    method = "btree"
    if s.accept("USING"):
        method = s.ident()
    a, b = s.paren_span()
    keys = []
    key_names = []
    inner = s.sub(a, b)
    for ea, eb in g.split_items(inner):
        key, key_name = g.index_element(inner.sub(ea, eb), method.lower())
        keys.append(key)
        key_names.append(key_name)
    include: tuple[str, ...] = ()
    nnd = False
    predicate = None
    while not s.done():
        if s.accept("INCLUDE"):
            include = g.ident_list_in_parens(s)
        elif s.accept("NULLS", "NOT", "DISTINCT"):
            nnd = True
        elif s.accept("NULLS", "DISTINCT"):
            pass
        elif s.accept("WITH"):
            s.paren_span()
        elif s.accept("TABLESPACE"):
            s.ident()
        elif s.accept("WHERE"):
            predicate = normalize_expression(s.rest())
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE INDEX")
    return ops.CreateIndex(name, table, tuple(keys), unique, method.lower(), include, predicate,
                           nnd, ine, schema, tuple(key_names), only)


def _create_view(s: Stream, materialized: bool, or_replace: bool, recursive: bool = False,
                 temporary: bool = False) -> ops.Op:
    ine = s.accept("IF", "NOT", "EXISTS")
    name = g.qname(s)
    cols: tuple[str, ...] = ()
    if s.at_punct("("):
        cols = g.ident_list_in_parens(s)
    while not s.at("AS"):
        if s.accept("WITH"):
            s.paren_span()
        elif s.accept("USING") or s.accept("TABLESPACE"):
            s.ident()
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE VIEW")
    s.expect("AS")
    query = _strip_with_data(s.rest())
    for tail in ("WITH CASCADED CHECK OPTION", "WITH LOCAL CHECK OPTION", "WITH CHECK OPTION"):
        if query.upper().endswith(tail):
            query = query[: -len(tail)].rstrip()
    if recursive:  # what PostgreSQL makes of it, and pg_dump prints
        names = ", ".join(quote_ident(c) for c in cols)
        query = (f"WITH RECURSIVE {quote_ident(name.name)}({names}) AS ({query}) "
                 f"SELECT {names} FROM {quote_ident(name.name)}")
    return ops.CreateView(name, query, materialized, or_replace, ine, cols, temporary)


def _create_sequence(s: Stream, temporary: bool = False) -> ops.Op:
    ine = s.accept("IF", "NOT", "EXISTS")
    name = g.qname(s)
    return ops.CreateSequence(name, g.sequence_options(s), ine, temporary)


def _create_type(s: Stream) -> ops.Op:
    name = g.qname(s)
    if s.done() or s.at_punct("(") or s.at("AS", "RANGE"):
        # a shell type, a base type (INPUT = ..., OUTPUT = ...), a range type: not compared
        kind = "shell" if s.done() else "range" if s.at("AS") else "base"
        s.rest()
        return ops.Uncompared("uncompared", f"CREATE TYPE ({kind})", "type", (name,), "create")
    s.expect("AS")
    if s.accept("ENUM"):
        s.expect_punct("(")
        labels: list[str] = []
        if not s.accept_punct(")"):
            labels.append(s.string())
            while s.accept_punct(","):
                labels.append(s.string())
            s.expect_punct(")")
        return ops.CreateEnum(name, tuple(labels))
    if s.at_punct("("):
        s.expect_punct("(")
        attrs = []
        for a, b in s.comma_items():
            item = s.sub(a, b)
            attr = item.ident()
            attrs.append((attr, g.data_type(item)))
        return ops.CreateComposite(name, tuple(attrs))
    return ops.Unsupported(f"CREATE TYPE ... AS {s.peek().raw if s.peek() else ''} is not modelled")  # type: ignore[union-attr]


def _create_domain(s: Stream) -> ops.Op:
    name = g.qname(s)
    s.accept("AS")
    base = g.data_type(s)
    not_null = False
    default = None
    collation = None
    checks: list[tuple[str | None, str]] = []
    while not s.done():
        cname = s.ident() if s.accept("CONSTRAINT") else None
        if s.accept("NOT", "NULL"):
            not_null = True
        elif s.accept("NULL"):
            not_null = False
        elif s.accept("DEFAULT"):
            stop = frozenset({"CONSTRAINT", "NOT", "NULL", "CHECK", "COLLATE"})
            default = normalize_expression(s.until(stop))
        elif s.accept("COLLATE"):
            collation = g.collation(s)
        elif s.accept("CHECK"):
            checks.append((cname, normalize_expression(s.paren_text())))
            s.accept("NOT", "VALID")
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE DOMAIN")
    return ops.CreateDomain(name, base, not_null, default, collation, tuple(checks))


# ------------------------------------------------------------------------------ ALTER


def _alter(s: Stream) -> ops.Op:
    s.expect("ALTER")
    if (other := uncompared(s, "ALTER")) is not None:
        return other
    if s.accept("TABLE"):
        return _alter_table(s, "table")
    if s.accept("MATERIALIZED", "VIEW"):
        return _alter_table(s, "materialized view")
    if s.accept("VIEW"):
        return _alter_table(s, "view")
    if s.accept("INDEX"):
        return _alter_index(s)
    if s.accept("SEQUENCE"):
        return _alter_sequence(s)
    if s.accept("TYPE"):
        return _alter_type(s, domain=False)
    if s.accept("DOMAIN"):
        return _alter_type(s, domain=True)
    if s.at("FUNCTION") or s.at("PROCEDURE") or s.at("ROUTINE"):
        from schemadiff.sql.parse_routine import alter_function

        return alter_function(s)
    if s.accept("TRIGGER"):
        name = s.ident()
        s.expect("ON")
        table = g.qname(s)
        if s.accept("RENAME", "TO"):
            return ops.AlterTrigger(name, table, s.ident())
        return ops.NoEffect("session", "ALTER TRIGGER")
    if s.accept("POLICY"):
        from schemadiff.sql.parse_routine import alter_policy

        return alter_policy(s)
    if s.accept("SCHEMA"):
        old = s.ident()
        if s.accept("RENAME", "TO"):
            return ops.RenameSchema(old, s.ident())
        return ops.NoEffect("acl", "ALTER SCHEMA")
    if s.accept("EXTENSION"):
        name = s.ident()
        if s.accept("UPDATE"):
            version = _extension_version(s) if s.accept("TO") else None
            return ops.AlterExtension(name, update=True, version=version)
        if s.accept("SET", "SCHEMA"):
            return ops.AlterExtension(name, set_schema=s.ident())
        return ops.NoEffect("extension", "ALTER EXTENSION")  # ADD / DROP a member object
    w = s.word()
    if w == "DEFAULT" and s.at("DEFAULT", "PRIVILEGES"):
        return _default_privileges(s)
    if w in ("DEFAULT", "ROLE", "USER", "GROUP", "DATABASE", "SYSTEM", "TABLESPACE"):
        return ops.NoEffect("acl", f"ALTER {w}")
    return ops.Unsupported(f"ALTER {s.peek().raw if s.peek() else ''} is not modelled")  # type: ignore[union-attr]


def _alter_table(s: Stream, relkind: str) -> ops.Op:
    if s.at("ALL", "IN"):
        return ops.NoEffect("session", "ALTER TABLE ALL IN TABLESPACE")
    if_exists = s.accept("IF", "EXISTS")
    only = s.accept("ONLY")
    name = g.qname(s)
    s.accept_punct("*")
    actions: list[ops.Action] = []
    rest = s.sub(s.i, len(s.toks))
    for a, b in g.split_items(rest):
        item = rest.sub(a, b)
        actions.append(_table_action(item))
        if not item.done():
            got = item.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in ALTER TABLE")
    return ops.AlterTable(name, tuple(actions), if_exists, relkind, only)


_NOOP = ops.SetTableFlag("noop", None)


def _table_action(s: Stream) -> ops.Action:
    if s.accept("RENAME"):
        if s.accept("TO"):
            return ops.RenameTo(s.ident())
        if s.accept("CONSTRAINT"):
            old = s.ident()
            s.expect("TO")
            return ops.RenameConstraint(old, s.ident())
        s.accept("COLUMN")
        old = s.ident()
        s.expect("TO")
        return ops.RenameColumn(old, s.ident())
    if s.accept("SET", "SCHEMA"):
        return ops.SetSchema(s.ident())
    if s.accept("ADD"):
        nxt = s.peek(1)
        if (s.word() in g.TABLE_CONSTRAINT_WORDS and not (
            s.at("CHECK") and nxt is not None and nxt.kind != "punct"
        )) or s.at("NOT", "NULL"):
            return ops.AddConstraint(g.table_constraint(s))
        s.accept("COLUMN")
        ine = s.accept("IF", "NOT", "EXISTS")
        return ops.AddColumn(g.column_def(s), ine)
    if s.accept("DROP"):
        if s.accept("CONSTRAINT"):
            ie = s.accept("IF", "EXISTS")
            name = s.ident()
            cascade = s.accept("CASCADE")
            s.accept("RESTRICT")
            return ops.DropConstraint(name, ie, cascade)
        s.accept("COLUMN")
        ie = s.accept("IF", "EXISTS")
        name = s.ident()
        cascade = s.accept("CASCADE")
        s.accept("RESTRICT")
        return ops.DropColumn(name, ie, cascade)
    if s.accept("ALTER"):
        if s.accept("CONSTRAINT"):
            name = s.ident()
            d: dict[str, object] = {}
            g._deferral(s, d)
            return ops.AlterColumn(name, "constraint_deferral", d)
        s.accept("COLUMN")
        col = s.ident()
        return _alter_column(s, col)
    if s.accept("VALIDATE", "CONSTRAINT"):
        return ops.ValidateConstraint(s.ident())
    if s.accept("ENABLE", "ROW", "LEVEL", "SECURITY"):
        return ops.SetTableFlag("rls_enabled", True)
    if s.accept("DISABLE", "ROW", "LEVEL", "SECURITY"):
        return ops.SetTableFlag("rls_enabled", False)
    if s.accept("FORCE", "ROW", "LEVEL", "SECURITY"):
        return ops.SetTableFlag("rls_forced", True)
    if s.accept("NO", "FORCE", "ROW", "LEVEL", "SECURITY"):
        return ops.SetTableFlag("rls_forced", False)
    for words, state in ((("ENABLE", "REPLICA", "TRIGGER"), "R"),
                         (("ENABLE", "ALWAYS", "TRIGGER"), "A"),
                         (("ENABLE", "TRIGGER"), "O"), (("DISABLE", "TRIGGER"), "D")):
        if s.accept(*words):
            which = s.ident() if s.word() not in ("ALL", "USER") else s.next().text
            return ops.SetTriggerState(which, state)
    if s.accept("SET", "LOGGED"):
        return ops.SetTableFlag("persistence", "permanent")
    if s.accept("SET", "UNLOGGED"):
        return ops.SetTableFlag("persistence", "unlogged")
    if s.accept("OF"):
        type_name = g.qname(s)
        return ops.SetOfType(TypeRef(type_name.name, type_name.schema, builtin=False))
    if s.accept("NOT", "OF"):
        return ops.SetOfType(None)
    if s.accept("INHERIT"):
        return ops.SetInherit(g.qname(s))
    if s.accept("NO", "INHERIT"):
        return ops.SetInherit(g.qname(s), remove=True)
    if s.accept("ATTACH", "PARTITION"):
        part = g.qname(s)
        return ops.AttachPartition(part, g.partition_bound(s))
    if s.accept("DETACH", "PARTITION"):
        part = g.qname(s)
        s.accept_any("CONCURRENTLY", "FINALIZE")
        return ops.AttachPartition(part, None, detach=True)
    # Storage and ownership details that are not part of the model.
    for words in (("OWNER", "TO"), ("CLUSTER", "ON"), ("SET", "WITHOUT"), ("SET", "TABLESPACE"),
                  ("SET", "ACCESS", "METHOD"), ("REPLICA", "IDENTITY"), ("SET",), ("RESET",),
                  ("ENABLE", "RULE"), ("DISABLE", "RULE"), ("ENABLE", "REPLICA", "RULE"),
                  ("ENABLE", "ALWAYS", "RULE")):
        if s.accept(*words):
            while not s.done():
                s.next()
            return _NOOP
    got = s.peek()
    raise SyntaxProblem(f"unknown ALTER TABLE action {got.raw if got else ''}")


def _alter_column(s: Stream, col: str) -> ops.Action:
    if s.accept("SET", "DATA", "TYPE") or s.accept("TYPE"):
        t = g.data_type(s)
        collation = None
        if s.accept("COLLATE"):
            collation = g.collation(s)
        using = None
        if s.accept("USING"):
            using = s.rest()
        return ops.AlterColumn(col, "type", (t, collation, using))
    if s.accept("SET", "DEFAULT"):
        return ops.AlterColumn(col, "default", normalize_expression(s.rest()))
    if s.accept("DROP", "DEFAULT"):
        return ops.AlterColumn(col, "default", None)
    if s.accept("SET", "NOT", "NULL"):
        return ops.AlterColumn(col, "not_null", True)
    if s.accept("DROP", "NOT", "NULL"):
        return ops.AlterColumn(col, "not_null", False)
    if s.accept("ADD", "GENERATED"):
        kind = "always" if s.accept("ALWAYS") else "by default"
        if kind == "by default":
            s.expect("BY", "DEFAULT")
        s.expect("AS", "IDENTITY")
        g.identity_options(s)
        return ops.AlterColumn(col, "identity", kind)
    if s.accept("DROP", "IDENTITY"):
        s.accept("IF", "EXISTS")
        return ops.AlterColumn(col, "identity", None)
    if s.accept("DROP", "EXPRESSION"):
        s.accept("IF", "EXISTS")
        return ops.AlterColumn(col, "generated", None)
    if s.accept("SET", "EXPRESSION", "AS"):
        return ops.AlterColumn(col, "generated", normalize_expression(s.paren_text()))
    if s.at("SET", "GENERATED"):
        s.next()
        s.next()
        kind = "always" if s.accept("ALWAYS") else "by default"
        if kind == "by default":
            s.expect("BY", "DEFAULT")
        while not s.done():
            s.next()
        return ops.AlterColumn(col, "identity_kind", kind)
    for words in (("SET", "STATISTICS"), ("SET", "STORAGE"), ("SET", "COMPRESSION"), ("SET",),
                  ("RESET",), ("RESTART",)):
        if s.accept(*words):
            while not s.done():
                s.next()
            return ops.AlterColumn(col, "noop")
    got = s.peek()
    raise SyntaxProblem(f"unknown ALTER COLUMN action {got.raw if got else ''}")


def _alter_index(s: Stream) -> ops.Op:
    if s.at("ALL", "IN"):
        return ops.NoEffect("session", "ALTER INDEX ALL IN TABLESPACE")
    ie = s.accept("IF", "EXISTS")
    name = g.qname(s)
    if s.accept("RENAME", "TO"):
        return ops.AlterIndex(name, rename=s.ident(), if_exists=ie)
    if s.accept("SET", "SCHEMA"):
        return ops.AlterIndex(name, set_schema=s.ident(), if_exists=ie)
    return ops.NoEffect("storage", "ALTER INDEX")


def _alter_sequence(s: Stream) -> ops.Op:
    ie = s.accept("IF", "EXISTS")
    name = g.qname(s)
    if s.accept("RENAME", "TO"):
        return ops.AlterSequence(name, rename=s.ident(), if_exists=ie)
    if s.accept("SET", "SCHEMA"):
        return ops.AlterSequence(name, set_schema=s.ident(), if_exists=ie)
    if s.accept("OWNER", "TO") or s.at("SET", "LOGGED") or s.at("SET", "UNLOGGED"):
        return ops.NoEffect("acl", "ALTER SEQUENCE OWNER")
    return ops.AlterSequence(name, g.sequence_options(s), if_exists=ie)


def _alter_type(s: Stream, domain: bool) -> ops.Op:
    ie = s.accept("IF", "EXISTS")
    name = g.qname(s)
    rest = s.sub(s.i, len(s.toks))
    items = g.split_items(rest) if rest.word() in ("ADD", "DROP", "ALTER") else []
    if len(items) > 1:  # ALTER TYPE t DROP ATTRIBUTE a, ADD ATTRIBUTE b int
        return ops.Batch(tuple(_alter_type_action(rest.sub(a, b), name, domain, ie)
                               for a, b in items))
    return _alter_type_action(s, name, domain, ie)


def _alter_type_action(s: Stream, name: ops.QName, domain: bool, ie: bool) -> ops.Op:
    def op(action: str, *args: object) -> ops.AlterType:
        return ops.AlterType(name, action, tuple(args), domain, ie)
    if s.accept("ADD", "VALUE"):
        ine = s.accept("IF", "NOT", "EXISTS")
        label = s.string()
        before = after = None
        if s.accept("BEFORE"):
            before = s.string()
        elif s.accept("AFTER"):
            after = s.string()
        return op("add_value", label, before, after, ine)
    if s.accept("RENAME", "VALUE"):
        old = s.string()
        s.expect("TO")
        return op("rename_value", old, s.string())
    if s.accept("RENAME", "TO"):
        return op("rename", s.ident())
    if s.accept("RENAME", "ATTRIBUTE"):
        old = s.ident()
        s.expect("TO")
        return op("rename_attribute", old, s.ident())
    if s.accept("SET", "SCHEMA"):
        return op("set_schema", s.ident())
    if s.accept("ADD", "ATTRIBUTE"):
        attr = s.ident()
        return op("add_attribute", attr, g.data_type(s))
    if s.accept("DROP", "ATTRIBUTE"):
        s.accept("IF", "EXISTS")
        return op("drop_attribute", s.ident())
    if s.accept("ALTER", "ATTRIBUTE"):
        attr = s.ident()
        s.accept("SET", "DATA")
        s.expect("TYPE")
        return op("alter_attribute", attr, g.data_type(s))
    if domain:
        if s.accept("SET", "DEFAULT"):
            return op("set_default", normalize_expression(s.rest()))
        if s.accept("DROP", "DEFAULT"):
            return op("set_default", None)
        if s.accept("SET", "NOT", "NULL"):
            return op("set_not_null", True)
        if s.accept("DROP", "NOT", "NULL"):
            return op("set_not_null", False)
        if s.accept("ADD"):
            cname = s.ident() if s.accept("CONSTRAINT") else None
            s.expect("CHECK")
            expr = normalize_expression(s.paren_text())
            s.accept("NOT", "VALID")
            return op("add_check", cname, expr)
        if s.accept("DROP", "CONSTRAINT"):
            s.accept("IF", "EXISTS")
            return op("drop_constraint", s.ident())
        if s.accept("RENAME", "CONSTRAINT"):
            old = s.ident()
            s.expect("TO")
            return op("rename_constraint", old, s.ident())
        if s.accept("VALIDATE", "CONSTRAINT"):
            return op("noop")
    if s.accept("OWNER", "TO") or (not domain and s.at("SET") and s.at_punct("(", 1)):
        s.rest()  # ALTER TYPE base SET (storage = ...): a base type's properties, not compared
        return op("noop")
    return ops.Unsupported(f"ALTER {'DOMAIN' if domain else 'TYPE'} action is not modelled")


# ------------------------------------------------------------------------------ DROP


def _drop(s: Stream) -> ops.Op:
    s.expect("DROP")
    if (other := uncompared(s, "DROP")) is not None:
        return other
    if s.accept("MATERIALIZED", "VIEW"):
        kind = "materialized view"
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
        from schemadiff.sql.parse_routine import argument_types

        names: list[ops.QName] = []
        args: list[tuple | None] = []
        while True:
            names.append(g.qname(s))
            args.append(argument_types(s) if s.at_punct("(") else None)
            if not s.accept_punct(","):
                break
        cascade = s.accept("CASCADE")
        return ops.Drop(kind, tuple(names), ie, cascade, args=tuple(args))
    if kind in ("schema", "extension"):
        names = [ops.QName(None, s.ident())]
        while s.accept_punct(","):
            names.append(ops.QName(None, s.ident()))
    else:
        names = g.qname_list(s)
    cascade = s.accept("CASCADE")
    s.accept("RESTRICT")
    return ops.Drop(kind, tuple(names), ie, cascade)


# ------------------------------------------------------------------------------ COMMENT


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
}


def _comment(s: Stream) -> ops.Op:
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
        from schemadiff.sql.parse_routine import argument_types

        name = g.qname(s)
        args = argument_types(s) if s.at_punct("(") else None
    elif target in ("schema", "extension"):
        name = ops.QName(None, s.ident())
    else:
        name = g.qname(s)
    s.expect("IS")
    text = None if s.accept("NULL") else s.string()
    return ops.Comment(target, name, text, sub, args)
