"""``DO`` blocks: the DDL a block runs, when it can be read without running it (sql-do.html)."""

from __future__ import annotations

import re
from collections.abc import Callable

from schemadiff.errors import ParseError
from schemadiff.sql import ops
from schemadiff.sql.lexer import Tok
from schemadiff.sql.tokens import Stream, SyntaxProblem
from schemadiff.uncertain import executes_query

_DDL_STARTS = frozenset({"CREATE", "ALTER", "DROP", "COMMENT"})


_DO_BODY = re.compile(
    r"\s*(?:LANGUAGE\s+\S+\s+)?(?:(?P<tag>\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$)(?P<dollar>.*?)(?P=tag)"
    r"|[Ee]?'(?P<quoted>(?:[^']|'')*)')\s*(?:LANGUAGE\s+\S+)?\s*\Z",
    re.DOTALL | re.IGNORECASE,
)


def _do_body(s: Stream) -> str | None:
    """The code of ``DO [LANGUAGE l] body [LANGUAGE l]``, read from the source text.

    sqlglot's tokenizer reads everything after ``DO`` as one raw string, quotes included, so
    the body is taken from the text: a dollar-quoted or single-quoted string.
    """
    start = s.toks[s.i - 1].end
    s.i = len(s.toks)
    m = _DO_BODY.match(s.text[start:])
    if m is None:
        return None
    if m.group("tag") is not None:
        return m.group("dollar")
    return m.group("quoted").replace("''", "'")


def do_block(s: Stream, parse_statement: Callable[[str], ops.Op]) -> ops.Op:
    """Extract the DDL a DO block runs.

    Migrations wrap idempotent DDL in DO blocks (``IF NOT EXISTS (...) THEN CREATE TYPE ...``,
    ``EXCEPTION WHEN duplicate_object``, ``EXECUTE 'ALTER TABLE ...'``). The guards test for
    the object's existence, so replaying the DDL with IF NOT EXISTS semantics gives the same
    result; DDL built at run time (``EXECUTE format(...)``) makes the block opaque.
    ``parse_statement`` parses the statements found inside (the block's own parser).
    """
    from schemadiff.sql.split import split

    s.expect("DO")
    body = _do_body(s)
    if body is None:
        return ops.DoBlock((), opaque=True)
    try:
        chunks = split(body)
    except ParseError:
        return ops.DoBlock((), opaque=True)
    found: list[ops.Op] = []
    guarded: list[int] = []  # indexes in ``found`` of DDL the schema cannot say ran
    opaque = conditional = False
    recreates: set[str] = set()
    branches = _Branches()
    for chunk in chunks:
        try:
            cs = Stream(chunk.text)
        except SyntaxProblem:
            opaque = True
            continue
        depth = 0
        for k, t in enumerate(cs.toks):
            if t.kind == "punct" and t.text == "(":
                depth += 1
            elif t.kind == "punct" and t.text == ")":
                depth -= 1
            elif depth == 0 and t.kind == "word" and branches.control(cs.toks, k):
                continue
            elif depth == 0 and t.kind == "word" and branches.assigns(cs.toks, k):
                break
            elif (depth == 0 and t.kind == "word" and t.text in _DDL_STARTS | {"EXECUTE"}
                  and branches.conditional()):
                # an ELSE that repeats its IF's DDL (both branches make the same change)
                op = parse_statement(chunk.text[t.start :]) if t.text != "EXECUTE" else None
                conditional = conditional or not branches.repeats(op)
                break
            elif depth == 0 and t.kind == "word" and t.text == "EXECUTE":
                # sqlglot reads what follows EXECUTE as one raw string: take it from the text
                literal = _string_literal(chunk.text[t.end :])
                if literal is not None:
                    if branches.undecidable():
                        guarded.append(len(found))
                    found.append(parse_statement(literal))
                elif not executes_query(chunk.text[t.end :]):
                    recreated = _recreated_name(chunk.text[t.end :])
                    if recreated is not None:
                        recreates.add(recreated)
                    else:
                        opaque = True
                break
            elif depth == 0 and t.kind == "word" and t.text in _DDL_STARTS:
                prev = cs.toks[k - 1] if k else None
                if prev is None or prev.kind == "word":
                    op = parse_statement(chunk.text[t.start :])
                    if isinstance(op, ops.CreateRole):  # a role made: not the migrating one
                        found.append(op)
                    elif not isinstance(op, ops.NoEffect):
                        if branches.undecidable():
                            guarded.append(len(found))
                        found.append(op)
                        branches.ran(op)
                break
    if recreates:
        # DROP x ... EXECUTE format('CREATE VIEW x AS %s', <its old definition>): the block
        # puts back what it dropped, so neither the drop nor the re-creation changes the model.
        kept = [i for i, op in enumerate(found)
                if not (isinstance(op, ops.Drop) and any(n.name in recreates for n in op.names))]
        if len(kept) == len(found):
            opaque = True
        guarded = [kept.index(i) for i in guarded if i in kept]
        found = [found[i] for i in kept]
    return ops.DoBlock(tuple(found), opaque, conditional, tuple(guarded))


class _Branches:
    """Where a PL/pgSQL body is: in an ``IF``'s first branch (its DDL is replayed: the guards
    of idempotent migrations test for the object), or under an ``ELSE`` / ``ELSIF``, a ``CASE``
    or an ``EXCEPTION`` handler, which run on what the database holds at run time."""

    def __init__(self) -> None:
        self.stack: list[str] = []  # "if", "else", "case", "begin", "handler"
        self.then: list[list[ops.Op]] = []  # each open IF's first-branch DDL
        # per open IF: whether its condition reads only the catalogs (see _reads_catalogs)
        self.decided: list[bool] = []
        # plpgsql variables (upper-cased) a statement set from the catalogs alone; "FOUND"
        # when the last query read only them
        self.catalog_vars: set[str] = set()
        # a RETURN / EXIT under an undecidable IF: what follows may not run
        self.may_leave = False

    def undecidable(self) -> bool:
        """DDL here runs or not on what the schema cannot tell: under an IF whose condition
        reads data (or anything but the catalogs), or after a RETURN under one."""
        return self.may_leave or not all(self.decided)

    def assigns(self, toks: list[Tok], k: int) -> bool:
        """Follow the statement at ``toks[k]`` (depth 0) when it sets variables or FOUND
        (``SELECT ... INTO v``, ``PERFORM ...``, ``v := ...``) or leaves the block; False:
        not one of those (DDL is then looked for)."""
        word = toks[k].text
        prev = toks[k - 1] if k else None
        if prev is not None and not (prev.kind == "word" and prev.text in _STATEMENT_AFTER):
            return False  # inside a condition or a statement
        nxt = toks[k + 1].text if k + 1 < len(toks) else None
        if word in ("RETURN", "EXIT") and self.stack and not all(self.decided):
            self.may_leave = True
            return True
        if word in ("INSERT", "UPDATE", "DELETE", "MERGE", "WITH"):
            self.catalog_vars.discard("FOUND")
            return True
        if word in ("SELECT", "PERFORM"):
            rest = toks[k + 1:]
            into = _at_depth_0(rest, 0, "INTO")
            targets: list[str] = []
            if into < len(rest):
                j = into + 1
                if j < len(rest) and rest[j].text == "STRICT":
                    j += 1
                while j < len(rest) and rest[j].kind in ("word", "ident"):
                    targets.append(rest[j].text.upper())
                    if j + 1 < len(rest) and rest[j + 1].text == ",":
                        j += 2
                    else:
                        break
                rest = rest[:into] + rest[j + 1:]
            decided = _reads_catalogs([toks[k], *rest], self.catalog_vars)
            for name in [*targets, "FOUND"]:
                if decided:
                    self.catalog_vars.add(name)
                else:
                    self.catalog_vars.discard(name)
            return True
        if toks[k].kind in ("word", "ident") and nxt in (":=", "="):
            name = toks[k].text.upper()
            if _reads_catalogs(toks[k + 2:], self.catalog_vars):
                self.catalog_vars.add(name)
            else:
                self.catalog_vars.discard(name)
            return True
        return False

    def conditional(self) -> bool:
        return any(f in ("else", "case", "handler") for f in self.stack)

    def ran(self, op: ops.Op) -> None:
        """``op`` is replayed: under an IF's first branch, remember it there."""
        if self.then and self.stack and self.stack[-1] == "if":
            self.then[-1].append(op)

    def repeats(self, op: ops.Op | None) -> bool:
        """``op``, under the innermost ELSE, is DDL its IF's first branch ran too."""
        return (op is not None and bool(self.stack) and self.stack[-1] == "else"
                and self.conditional_frames() == 1 and op in self.then[-1])

    def conditional_frames(self) -> int:
        return sum(f in ("else", "case", "handler") for f in self.stack)

    def control(self, toks: list[Tok], k: int) -> bool:
        """Follow the control word at ``toks[k]`` (depth 0); False: not one."""
        word = toks[k].text
        prev = toks[k - 1].text if k else None
        nxt = toks[k + 1].text if k + 1 < len(toks) else None
        stack = self.stack
        if word == "IF" and prev in (None, "THEN", "ELSE", "LOOP", "BEGIN"):
            stack.append("if")
            self.then.append([])
            then = _at_depth_0(toks, k + 1, "THEN")
            self.decided.append(_reads_catalogs(toks[k + 1:then], self.catalog_vars))
        elif word in ("ELSIF", "ELSE") and stack and stack[-1] in ("if", "else"):
            stack[-1] = "else"
        elif word == "CASE":
            stack.append("case")
        elif word == "BEGIN" and prev in (None, "THEN", "ELSE", "LOOP", "BEGIN", "DECLARE"):
            stack.append("begin")
        elif word == "EXCEPTION" and prev is None and "begin" in stack:
            while stack and stack[-1] != "begin":
                self._pop()
            stack[-1] = "handler"
        elif word == "END":
            closes = {"IF": ("if", "else"), "CASE": ("case",)}.get(nxt or "", ())
            if nxt == "LOOP":
                return True
            if not closes:
                closes = ("case",) if stack and stack[-1] == "case" else ("begin", "handler")
            while stack and stack[-1] not in closes:
                self._pop()
            if stack:
                self._pop()
        else:
            return False
        return True

    def _pop(self) -> None:
        if self.stack.pop() in ("if", "else"):
            self.then.pop()
            self.decided.pop()


#: Relations a guard may read and still test only the schema: the system catalogs and views.
_CATALOG_SCHEMAS = frozenset({"PG_CATALOG", "INFORMATION_SCHEMA"})
#: Words a guard's condition may hold outside its queries (keywords, literals, operators'
#: words) and the functions it may call there (they look the schema up by name).
_CONDITION_WORDS = frozenset({
    "NOT", "EXISTS", "AND", "OR", "IS", "NULL", "TRUE", "FALSE", "IN", "DISTINCT", "FROM",
    "SELECT", "PERFORM", "LIKE", "ILIKE", "BETWEEN", "ANY", "ALL", "SOME", "UNKNOWN",
})
_SCHEMA_LOOKUPS = frozenset({
    "TO_REGCLASS", "TO_REGTYPE", "TO_REGPROC", "TO_REGPROCEDURE", "TO_REGNAMESPACE",
    "TO_REGOPER", "TO_REGOPERATOR", "TO_REGCOLLATION", "TO_REGROLE", "CURRENT_SCHEMA",
    "LOWER", "UPPER", "COALESCE", "FORMAT", "QUOTE_IDENT", "CONCAT",
})
#: The words after which a PL/pgSQL statement starts (a chunk starts with one, or after them).
_STATEMENT_AFTER = frozenset({"THEN", "ELSE", "LOOP", "BEGIN"})
_CLAUSE_ENDS = frozenset({"WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION",
                          "INTERSECT", "EXCEPT", "WINDOW", "FOR", "INTO"})


def _at_depth_0(toks: list[Tok], start: int, word: str) -> int:
    """The index of the first ``word`` from ``toks[start]`` outside the parentheses opened
    there (``len(toks)``: none)."""
    depth = 0
    for i in range(start, len(toks)):
        t = toks[i]
        if t.kind == "punct" and t.text in ("(", ")"):
            depth += 1 if t.text == "(" else -1
        elif depth == 0 and t.kind == "word" and t.text == word:
            return i
    return len(toks)


def _reads_catalogs(toks: list[Tok], catalog_vars: set[str], *, query: bool = False) -> bool:
    """Whether an IF's condition (or, ``query``, a ``SELECT`` / ``PERFORM``) reads nothing
    but the system catalogs: its queries read only ``pg_*`` and ``information_schema``
    relations, and outside them it holds only keywords, literals, schema look-ups by name
    (``to_regclass``) and variables set from the catalogs. Anything else (a table's rows, a
    setting, a function of the migrations) may change the outcome without the schema
    showing it."""
    depth = 0
    for t in toks:
        if t.kind == "punct" and t.text in ("(", ")"):
            depth += 1 if t.text == "(" else -1
            if depth < 0:
                return False
    return depth == 0 and _group_reads_catalogs(toks, catalog_vars, query=query)


def _group_reads_catalogs(toks: list[Tok], catalog_vars: set[str], *, query: bool) -> bool:
    level: list[tuple[Tok, int]] = []  # this group's own tokens, with their index in toks
    depth = 0
    subgroups: list[list[Tok]] = []
    start = 0
    for i, t in enumerate(toks):
        if t.kind == "punct" and t.text == "(":
            if depth == 0:
                start = i + 1
                level.append((t, i))
            depth += 1
        elif t.kind == "punct" and t.text == ")":
            depth -= 1
            if depth == 0:
                subgroups.append(toks[start:i])
        elif depth == 0:
            level.append((t, i))
    words = [t for t, _ in level]
    # a query's own words are its columns and functions; its relations are checked. Outside
    # queries (``query``: a subgroup of one) every word is.
    is_query = query or any(t.kind == "word" and t.text == "FROM" for t in words)
    if is_query:
        in_from = False
        for j, t in enumerate(words):
            if t.kind == "word" and t.text in ("FROM", "JOIN"):
                in_from = True
                if not _catalog_relation(words, j + 1):
                    return False
            elif t.kind == "word" and t.text in _CLAUSE_ENDS:
                in_from = False
            elif (in_from and t.kind == "punct" and t.text == ","
                  and not _catalog_relation(words, j + 1)):
                return False
    else:
        for j, t in enumerate(words):
            if t.kind not in ("word", "ident"):
                continue
            prev = words[j - 1] if j else None
            nxt = words[j + 1] if j + 1 < len(words) else None
            if prev is not None and prev.kind == "punct" and prev.text == "::":
                continue  # a type name
            if nxt is not None and nxt.kind == "punct" and nxt.text == "(":
                if t.kind != "word" or t.text not in _SCHEMA_LOOKUPS | _CONDITION_WORDS:
                    return False
            elif t.kind != "word" or (t.text not in _CONDITION_WORDS
                                      and t.text not in catalog_vars):
                return False
    return all(_group_reads_catalogs(g, catalog_vars, query=is_query) for g in subgroups)


def _catalog_relation(words: list[Tok], j: int) -> bool:
    """``words[j]`` starts the name of a system catalog or view (``pg_class``,
    ``pg_catalog.pg_type``, ``information_schema.columns``); a subquery (``(``) is judged on
    its own."""
    if j >= len(words):
        return False
    t = words[j]
    if t.kind == "punct" and t.text == "(":
        return True
    if t.kind not in ("word", "ident"):
        return False
    name = t.text.upper()
    if j + 2 < len(words) and words[j + 1].text == "." and words[j + 2].kind in ("word", "ident"):
        return name in _CATALOG_SCHEMAS
    return name.startswith("PG_") and not (j + 1 < len(words) and words[j + 1].text == "(")


_STRING_LITERAL = re.compile(
    r"\s*(?:(?P<tag>\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$)(?P<dollar>.*?)(?P=tag)"
    r"|(?P<e>[Ee]?)'(?P<quoted>(?:[^']|'')*)')\s*\Z",
    re.DOTALL,
)


_FORMAT_CREATE = re.compile(
    r"\s*format\s*\(\s*'\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?VIEW\s+"
    r"(?:\w+\.)?(?P<name>\w+)\s+AS\s+%s\s*'",
    re.IGNORECASE,
)


def _string_literal(text: str) -> str | None:
    """The value of ``text`` when it is exactly one string constant (``'...'`` or ``$$...$$``)."""
    m = _STRING_LITERAL.match(text)
    if m is None or (m.group("e") and "\\" in (m.group("quoted") or "")):
        return None
    if m.group("tag") is not None:
        return m.group("dollar")
    return m.group("quoted").replace("''", "'")


def _recreated_name(text: str) -> str | None:
    """``format('CREATE VIEW v AS %s', def)``: the view a dynamic statement re-creates."""
    m = _FORMAT_CREATE.match(text)
    return m.group("name").lower() if m else None

