"""CREATE FUNCTION / PROCEDURE / TRIGGER / POLICY, their ALTERs, and DO blocks.

These are the statements sqlglot leaves as an opaque ``Command``; they are read here from
tokens, following https://www.postgresql.org/docs/current/sql-createfunction.html,
sql-createtrigger.html, sql-createpolicy.html and sql-do.html.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from schemadiff.errors import ParseError
from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    TypeRef,
    normalize_expression,
    normalize_statement,
    quote_ident,
)
from schemadiff.sql.tokens import Stream, SyntaxProblem

_MODES = ("IN", "OUT", "INOUT", "VARIADIC")
_DDL_STARTS = frozenset({"CREATE", "ALTER", "DROP", "COMMENT"})


def _argument(s: Stream) -> ops.Argument:
    """``[mode] [name] type [DEFAULT expr | = expr]`` over a stream holding exactly one argument."""
    mode = "IN"
    if s.word() in _MODES and s.peek(1) is not None and not s.at_punct(",", 1):
        # "in" could be an argument name only if nothing but a type follows; PostgreSQL's
        # grammar reads it as the mode there too.
        mode = s.next().text
    # try "type" alone first; if tokens remain (other than DEFAULT), it was "name type".
    start = s.i
    default = None
    try:
        t = g.data_type(s)
        if s.done() or s.at("DEFAULT") or s.at_punct("="):
            name = None
        else:
            raise SyntaxProblem("name")
    except SyntaxProblem:
        s.i = start
        name = s.ident()
        if mode == "IN" and s.word() in _MODES and s.peek(1) is not None:
            mode = s.next().text  # "name OUT type": PostgreSQL takes the mode after the name too
        t = g.data_type(s)
    if s.accept("DEFAULT") or s.accept_punct("="):
        default = normalize_expression(s.rest())
    if not s.done():
        got = s.peek()
        raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in argument")
    return ops.Argument(mode, name, t, default)


def arguments(s: Stream) -> tuple[ops.Argument, ...]:
    a, b = s.paren_span()
    inner = s.sub(a, b)
    return tuple(_argument(inner.sub(x, y)) for x, y in g.split_items(inner))


def argument_types(s: Stream) -> tuple[TypeRef, ...]:
    """The identity argument types of ``(args)`` in DROP / COMMENT / ALTER FUNCTION."""
    return tuple(a.type for a in arguments(s) if a.mode != "OUT")


def create_function(s: Stream, or_replace: bool) -> ops.Op:
    routine = "procedure" if s.accept("PROCEDURE") else "function"
    if routine == "function":
        s.expect("FUNCTION")
    name = g.qname(s)
    args = arguments(s)
    f: dict[str, object] = {"name": name, "arguments": args, "routine": routine,
                            "or_replace": or_replace}
    config: list[str] = []
    body_parts: list[str] = []
    while not s.done():
        if s.accept("RETURNS", "NULL", "ON", "NULL", "INPUT"):
            f["strict"] = True
        elif s.accept("RETURNS"):
            if s.accept("TABLE"):
                s.expect_punct("(")
                cols = []
                for a, b in s.comma_items():
                    item = s.sub(a, b)
                    col = item.ident()
                    cols.append((col, g.data_type(item)))
                f["returns_table"] = tuple(cols)
            else:
                f["returns_setof"] = s.accept("SETOF")
                f["returns"] = g.data_type(s)
        elif s.accept("LANGUAGE"):
            t = s.next()
            f["language"] = t.text.lower() if t.kind == "string" else t.raw.lower()
        elif s.accept("AS"):
            body_parts.append(s.string())
            while s.accept_punct(","):
                body_parts.append(s.string())
        elif s.at("BEGIN", "ATOMIC"):
            f["body"] = _atomic_body(s.rest())
            f.setdefault("language", "sql")
        elif s.accept("RETURN"):
            f["body"] = "RETURN " + normalize_expression(s.rest())
            f.setdefault("language", "sql")
        elif s.accept_any("IMMUTABLE", "STABLE", "VOLATILE"):
            f["volatility"] = s.toks[s.i - 1].text.lower()
        elif s.accept("STRICT"):
            f["strict"] = True
        elif s.accept("CALLED", "ON", "NULL", "INPUT"):
            f["strict"] = False
        elif s.accept("EXTERNAL"):
            pass
        elif s.accept("SECURITY", "DEFINER"):
            f["security_definer"] = True
        elif s.accept("SECURITY", "INVOKER"):
            f["security_definer"] = False
        elif s.accept("NOT", "LEAKPROOF"):
            f["leakproof"] = False
        elif s.accept("LEAKPROOF"):
            f["leakproof"] = True
        elif s.accept("PARALLEL"):
            f["parallel"] = s.next().raw.lower()
        elif s.accept_any("COST", "ROWS"):
            s.number()
        elif s.accept("SUPPORT"):
            g.qname(s)
        elif s.accept("WINDOW"):
            f["routine"] = "window"  # prokind 'w
        elif s.accept("TRANSFORM"):
            while s.accept("FOR", "TYPE"):
                g.data_type(s)
                s.accept_punct(",")
        elif s.accept("SET"):
            config.append(_config_setting(s))
        else:
            got = s.peek()
            where = f"CREATE {routine.upper()}"
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in {where}")
    if body_parts:
        f["body"] = body_parts[0] if len(body_parts) == 1 else ", ".join(body_parts)
    f["config"] = tuple(config)
    return ops.CreateFunction(**f)  # type: ignore[arg-type]


def _atomic_body(text: str) -> str:
    """``BEGIN ATOMIC s1; s2; END`` with each statement normalized.

    The catalog keeps a parsed body and pg_dump prints its deparse (``SELECT (a + 1);``), so
    the statements go through the expression normalizer like any other deparsed SQL.
    """
    from schemadiff.sql.split import split

    inner = text.strip()
    head = re.match(r"(?is)BEGIN\s+ATOMIC\b", inner)
    tail = re.search(r"(?is)\bEND\s*\Z", inner)
    if head is None or tail is None:
        return " ".join(text.split())
    try:
        statements = split(inner[head.end() : tail.start()])
    except ParseError:
        return " ".join(text.split())
    body = " ".join(normalize_statement(st.text) + ";" for st in statements if not st.meta)
    return f"BEGIN ATOMIC {body} END" if body else "BEGIN ATOMIC END"


def _option_start(s: Stream) -> bool:
    return s.word() in ("AS", "LANGUAGE", "IMMUTABLE", "STABLE", "VOLATILE", "STRICT", "SECURITY",
                        "RESET", "RESTRICT",
                        "PARALLEL", "COST", "ROWS", "SET", "RETURNS", "CALLED", "LEAKPROOF", "NOT",
                        "EXTERNAL", "SUPPORT", "WINDOW", "BEGIN", "RETURN", "TRANSFORM")


def _config_setting(s: Stream) -> str:
    """After ``SET``: ``param {TO | =} value [, ...]`` or ``param FROM CURRENT``.

    Returns the ``proconfig`` entry: ``search_path=public, pg_temp``.
    """
    param = guc_name(s.ident())
    if s.accept("FROM", "CURRENT"):
        return f"{param} FROM CURRENT"
    s.accept("TO") or s.accept_punct("=")
    values = []
    while not s.done() and not _option_start(s):
        t = s.next()
        if t.kind != "punct":  # a bare word is an identifier: folded to lower case
            values.append(t.text if t.kind in ("string", "ident") else
                          t.raw.lower() if t.kind == "word" else t.raw)
    return f"{param}={', '.join(values)}"


#: The settings whose names are not all lower case; proconfig stores the canonical spelling.
_GUC_NAMES = {"datestyle": "DateStyle", "intervalstyle": "IntervalStyle", "timezone": "TimeZone"}


def guc_name(name: str) -> str:
    """A setting's name as PostgreSQL stores it (GUCArrayAdd: ``datestyle`` is ``DateStyle``)."""
    return _GUC_NAMES.get(name.lower(), name)


def _alter_options(s: Stream) -> tuple[tuple[str, object], ...]:
    """The actions of ``ALTER FUNCTION f(...) action [...] [RESTRICT]`` as (field, value)."""
    out: list[tuple[str, object]] = []
    while not s.done():
        if s.accept_any("IMMUTABLE", "STABLE", "VOLATILE"):
            out.append(("volatility", s.toks[s.i - 1].text.lower()))
        elif s.accept("STRICT") or s.accept("RETURNS", "NULL", "ON", "NULL", "INPUT"):
            out.append(("strict", True))
        elif s.accept("CALLED", "ON", "NULL", "INPUT"):
            out.append(("strict", False))
        elif s.accept("NOT", "LEAKPROOF"):
            out.append(("leakproof", False))
        elif s.accept("LEAKPROOF"):
            out.append(("leakproof", True))
        elif s.accept("EXTERNAL") or s.accept("RESTRICT"):
            pass
        elif s.accept("SECURITY", "DEFINER"):
            out.append(("security_definer", True))
        elif s.accept("SECURITY", "INVOKER"):
            out.append(("security_definer", False))
        elif s.accept("PARALLEL"):
            out.append(("parallel", s.next().raw.lower()))
        elif s.accept_any("COST", "ROWS"):
            s.number()
        elif s.accept("SUPPORT"):
            g.qname(s)
        elif s.accept("RESET", "ALL"):
            out.append(("reset_all", None))
        elif s.accept("RESET"):
            out.append(("reset", guc_name(s.ident())))
        elif s.accept("SET"):
            out.append(("set", _config_setting(s)))
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in ALTER FUNCTION")
    return tuple(out)


def alter_function(s: Stream) -> ops.Op:
    routine = "procedure" if s.accept("PROCEDURE") else "function"
    if routine == "function" and not s.accept("FUNCTION"):
        s.expect("ROUTINE")
    ie = s.accept("IF", "EXISTS")
    name = g.qname(s)
    args = argument_types(s) if s.at_punct("(") else None
    if s.accept("RENAME", "TO"):
        return ops.AlterFunction(name, args, rename=s.ident(), routine=routine, if_exists=ie)
    if s.accept("SET", "SCHEMA"):
        return ops.AlterFunction(name, args, set_schema=s.ident(), routine=routine, if_exists=ie)
    if s.accept("OWNER", "TO"):
        return ops.NoEffect("acl", "ALTER FUNCTION OWNER")
    if s.accept("NO", "DEPENDS") or s.accept("DEPENDS"):
        return ops.NoEffect("extension", "ALTER FUNCTION DEPENDS ON EXTENSION")
    options = _alter_options(s)
    return ops.AlterFunction(name, args, routine=routine, if_exists=ie, options=options)


# ------------------------------------------------------------------------------ triggers


def create_trigger(s: Stream, or_replace: bool) -> ops.Op:
    constraint = s.accept("CONSTRAINT")
    s.expect("TRIGGER")
    name = s.ident()
    if s.accept("INSTEAD", "OF"):
        timing = "INSTEAD OF"
    else:
        timing = s.next().text
        if timing not in ("BEFORE", "AFTER"):
            raise SyntaxProblem(f"unknown trigger timing {timing}")
    events: list[str] = []
    while True:
        ev = s.next().text
        if ev == "UPDATE" and s.accept("OF"):
            cols = [s.ident()]
            while s.accept_punct(","):
                cols.append(s.ident())
            ev = "UPDATE OF " + ", ".join(quote_ident(c) for c in cols)
        events.append(ev)
        if not s.accept("OR"):
            break
    s.expect("ON")
    table = g.qname(s)
    d: dict[str, object] = {}
    level = "STATEMENT"
    when = None
    while not s.at("EXECUTE"):
        if s.accept("FROM"):
            g.qname(s)
        elif s.at("DEFERRABLE") or s.at("NOT", "DEFERRABLE") or s.at("INITIALLY"):
            g._deferral(s, d)
        elif s.accept("REFERENCING"):
            while s.accept_any("OLD", "NEW"):
                s.accept_any("TABLE", "ROW")
                s.accept("AS")
                s.ident()
        elif s.accept("FOR"):
            s.accept("EACH")
            level = s.next().text
        elif s.accept("WHEN"):
            when = normalize_expression(s.paren_text())
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE TRIGGER")
    s.expect("EXECUTE")
    s.accept_any("FUNCTION", "PROCEDURE")
    function = g.qname(s)
    s.expect_punct("(")
    args: list[str] = []
    for a, b in s.comma_items():
        item = s.sub(a, b)
        t = item.next()
        if t.kind in ("string", "ident"):
            args.append(t.text)
        else:
            args.append(t.raw.lower() if t.kind == "word" else t.raw)
    return ops.CreateTrigger(name, table, timing, tuple(sorted(events)), level, function,
                             tuple(args), when, or_replace, constraint,
                             bool(d.get("deferrable")), bool(d.get("initially_deferred")))


# ------------------------------------------------------------------------------ policies


def _roles(s: Stream) -> tuple[str, ...]:
    roles = []
    while True:
        t = s.next()
        roles.append(t.text if t.kind == "ident" else t.raw.lower())
        if not s.accept_punct(","):
            break
    return tuple(sorted(roles))


def create_policy(s: Stream) -> ops.Op:
    name = s.ident()
    s.expect("ON")
    table = g.qname(s)
    p: dict[str, object] = {"name": name, "table": table}
    while not s.done():
        if s.accept("AS"):
            p["permissive"] = s.next().text != "RESTRICTIVE"
        elif s.accept("FOR"):
            p["command"] = s.next().text
        elif s.accept("TO"):
            p["roles"] = _roles(s)
        elif s.accept("USING"):
            p["using"] = normalize_expression(s.paren_text())
        elif s.accept("WITH", "CHECK"):
            p["with_check"] = normalize_expression(s.paren_text())
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE POLICY")
    return ops.CreatePolicy(**p)  # type: ignore[arg-type]


def alter_policy(s: Stream) -> ops.Op:
    name = s.ident()
    s.expect("ON")
    table = g.qname(s)
    if s.accept("RENAME", "TO"):
        return ops.AlterPolicy(name, table, rename=s.ident())
    p: dict[str, object] = {}
    while not s.done():
        if s.accept("TO"):
            p["roles"] = _roles(s)
        elif s.accept("USING"):
            p["using"] = normalize_expression(s.paren_text())
        elif s.accept("WITH", "CHECK"):
            p["with_check"] = normalize_expression(s.paren_text())
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in ALTER POLICY")
    return ops.AlterPolicy(name, table, **p)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ DO


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
    opaque = False
    recreates: set[str] = set()
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
            elif depth == 0 and t.kind == "word" and t.text == "EXECUTE":
                # sqlglot reads what follows EXECUTE as one raw string: take it from the text
                literal = _string_literal(chunk.text[t.end :])
                if literal is not None:
                    found.append(parse_statement(literal))
                else:
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
                    if not isinstance(op, ops.NoEffect):
                        found.append(op)
                break
    if recreates:
        # DROP x ... EXECUTE format('CREATE VIEW x AS %s', <its old definition>): the block
        # puts back what it dropped, so neither the drop nor the re-creation changes the model.
        kept = [op for op in found
                if not (isinstance(op, ops.Drop) and any(n.name in recreates for n in op.names))]
        if len(kept) == len(found):
            opaque = True
        found = kept
    return ops.DoBlock(tuple(found), opaque)


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
