"""``ALTER TABLE`` (and views, materialized views): one action per comma-separated item."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import TypeRef, normalize_expression
from schemadiff.sql.tokens import Stream, SyntaxProblem


def alter_table(s: Stream) -> ops.Op | None:
    """``ALTER TABLE | VIEW | MATERIALIZED VIEW ...`` (None when MATERIALIZED is not a view's)."""
    if s.accept("TABLE"):
        relkind = "table"
    elif s.accept("MATERIALIZED", "VIEW"):
        relkind = "materialized view"
    elif s.accept("VIEW"):
        relkind = "view"
    else:
        return None
    if s.at("ALL", "IN"):
        return ops.NoEffect("session", "ALTER TABLE ALL IN TABLESPACE")
    if_exists = s.accept("IF", "EXISTS")
    only = s.accept("ONLY")
    name = g.qname(s)
    s.accept_punct("*")
    if s.at("OWNER", "TO") and not s.at_punct(",", 3):
        s.accept("OWNER", "TO")
        return g.owner_to("relation", name, s)
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
            if "deferrable" in d or "initially_deferred" in d:
                # the server sets both from the command, an attribute not written being
                # false (processCASbits): DEFERRABLE alone makes it INITIALLY IMMEDIATE
                d = {"deferrable": False, "initially_deferred": False, **d}
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
    if s.accept("REPLICA", "IDENTITY"):
        if s.accept("USING", "INDEX"):
            return ops.SetTableFlag("replica_identity", f"index {s.ident()}")
        word = s.accept_any("DEFAULT", "FULL", "NOTHING")
        if word is None:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in REPLICA IDENTITY")
        return ops.SetTableFlag("replica_identity", word.lower())
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
        mode = s.accept_any("CONCURRENTLY", "FINALIZE")
        return ops.AttachPartition(part, None, detach=True, concurrently=mode == "CONCURRENTLY")
    if s.accept("SET", "ACCESS", "METHOD"):
        return ops.SetAccessMethod(None if s.accept("DEFAULT") else s.ident())
    if s.accept("CLUSTER", "ON"):
        return ops.SetTableFlag("clustered_on", s.ident())
    if s.accept("SET", "WITHOUT", "CLUSTER"):
        return ops.SetTableFlag("clustered_on", None)
    if s.at("SET") and s.at_punct("(", 1):
        s.next()
        return ops.SetRelOptions(g.reloptions(s))
    if s.at("RESET") and s.at_punct("(", 1):
        s.next()
        return ops.SetRelOptions(g.reloptions(s), reset=True)
    # Storage and ownership details that are not part of the model.
    for words in (("OWNER", "TO"), ("SET", "WITHOUT"), ("SET", "TABLESPACE"),
                  ("SET",), ("RESET",),
                  ("ENABLE", "RULE"), ("DISABLE", "RULE"), ("ENABLE", "REPLICA", "RULE"),
                  ("ENABLE", "ALWAYS", "RULE")):
        if s.accept(*words):
            while not s.done():
                s.next()
            return _NOOP
    got = s.peek()
    raise SyntaxProblem(f"unknown ALTER TABLE action {got.raw if got else ''}")


def cluster(s: Stream) -> ops.Op:
    """``CLUSTER [VERBOSE] [(options)] t USING i`` marks ``i`` as the index ``t`` is clustered
    on, as ``ALTER TABLE t CLUSTER ON i`` does; without ``USING`` it only reorders rows."""
    s.expect("CLUSTER")
    s.accept("VERBOSE")
    if s.at_punct("("):
        s.paren_span()
    if s.done():
        return ops.NoEffect("data", "CLUSTER")
    table = g.qname(s)
    if not s.accept("USING"):
        return ops.NoEffect("data", "CLUSTER")
    return ops.AlterTable(table, (ops.SetTableFlag("clustered_on", s.ident()),))


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
        options = g.identity_options(s)
        return ops.AlterColumn(col, "identity", kind,
                               sequence=options.sequence_name if options else None,
                               options=options)
    if s.accept("DROP", "IDENTITY"):
        s.accept("IF", "EXISTS")
        return ops.AlterColumn(col, "identity", None)
    if s.accept("DROP", "EXPRESSION"):
        s.accept("IF", "EXISTS")
        return ops.AlterColumn(col, "generated", None)
    if s.accept("SET", "EXPRESSION", "AS"):
        return ops.AlterColumn(col, "generated", normalize_expression(s.paren_text()))
    if s.at("SET") or s.at("RESTART"):
        listed = _identity_option_list(s)
        if listed is not None:
            kind, options = listed
            return ops.AlterColumn(col, "identity_options", kind, options=options)
    if s.accept("SET", "STATISTICS"):
        if s.accept("DEFAULT"):  # PostgreSQL 17
            return ops.AlterColumn(col, "statistics", None)
        sign = -1 if s.accept_punct("-") else 1
        target = sign * int(s.next().text)
        return ops.AlterColumn(col, "statistics", None if target < 0 else target)
    if s.accept("SET", "STORAGE"):
        return ops.AlterColumn(col, "storage", s.next().text.lower())
    if (s.at("SET") or s.at("RESET")) and s.at_punct("(", 1):
        reset = s.next().text.upper() == "RESET"
        return ops.AlterColumn(col, "options", (g.reloptions(s), reset))
    if s.accept("SET", "COMPRESSION"):
        return ops.AlterColumn(col, "compression", s.next().text.lower())
    for words in (("SET",), ("RESET",), ("RESTART",)):
        if s.accept(*words):
            while not s.done():
                s.next()
            return ops.AlterColumn(col, "noop")
    got = s.peek()
    raise SyntaxProblem(f"unknown ALTER COLUMN action {got.raw if got else ''}")


#: the sequence options ``ALTER COLUMN ... SET <option>`` takes on an identity column
_IDENTITY_SET = frozenset({"INCREMENT", "START", "MINVALUE", "MAXVALUE", "NO", "CACHE",
                           "CYCLE", "AS", "SEQUENCE", "GENERATED"})


def _identity_option_list(s: Stream) -> tuple[str | None, ops.SequenceOptions] | None:
    """An identity option list (``alter_identity_column_option_list``): ``SET GENERATED
    ...``, ``SET <sequence option>``, ``RESTART [[WITH] n]``, in any order, each applied:
    the kind the last ``SET GENERATED`` sets (None: none) and the sequence options, or None
    (the stream as it was) where the action is no such list (``SET DEFAULT``, ``SET (...)``).
    ``RESTART`` only moves the next value, which is data, not schema.
    """
    start = s.i
    kind: str | None = None
    words: list[str] = []
    while not s.done():
        if s.accept("SET", "GENERATED"):
            kind = "always" if s.accept("ALWAYS") else "by default"
            if kind == "by default":
                s.expect("BY", "DEFAULT")
        elif s.accept("RESTART"):
            s.accept("WITH")
            t = s.peek()
            if t is not None and (t.kind == "number" or s.at_punct("-")):
                s.accept_punct("-")
                s.next()
        elif s.word(0) == "SET" and s.word(1) in _IDENTITY_SET:
            s.next()
            first = s.i
            while not s.done() and not s.at("SET") and not s.at("RESTART"):
                s.next()
            words.append(s.text[s.toks[first].start:s.toks[s.i - 1].end])
        else:
            s.i = start
            return None
    options = g.sequence_options(Stream(" ".join(words)))
    return kind, options

