"""``CREATE FUNCTION`` / ``PROCEDURE`` and ``ALTER FUNCTION``: arguments, options, bodies.

sqlglot leaves these as an opaque ``Command``; they are read here from tokens, following
https://www.postgresql.org/docs/current/sql-createfunction.html."""

from __future__ import annotations

import re

from schemadiff.errors import ParseError
from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    TypeRef,
    normalize_expression,
    normalize_statement,
)
from schemadiff.sql.parameters import parameter_fields
from schemadiff.sql.quote import quote_ident
from schemadiff.sql.tokens import Stream, SyntaxProblem

_MODES = ("IN", "OUT", "INOUT", "VARIADIC")


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


def _estimate(s: Stream) -> str:
    """The number after ``COST`` or ``ROWS`` as written (``0.5``, ``1e3``)."""
    t = s.next()
    if t.kind != "number":
        raise SyntaxProblem(f"expected a number, got {t.raw!r}")
    return t.text


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
            f["body"] = _atomic_body(s.rest(), _parameter_names(args))
            f.setdefault("language", "sql")
        elif s.accept("RETURN"):
            f["body"] = "RETURN " + normalize_expression(
                parameter_fields(s.rest(), _parameter_names(args)))
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
        elif s.at("COST") or s.at("ROWS"):
            word = s.next().text.lower()
            f[word] = _estimate(s)
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


def _parameter_names(args: tuple[ops.Argument, ...]) -> frozenset[str]:
    return frozenset(a.name for a in args if a.name and a.mode != "OUT")


def _atomic_body(text: str, parameters: frozenset[str] = frozenset()) -> str:
    """``BEGIN ATOMIC s1; s2; END`` with each statement normalized (``p.x`` of a parameter
    ``p`` as the field selection ``(p).x``).

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
    body = " ".join(normalize_statement(parameter_fields(st.text, parameters)) + ";"
                    for st in statements if not st.meta)
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
    names = param.lower() in LIST_QUOTE_SETTINGS
    while not s.done() and not _option_start(s):
        t = s.next()
        if t.kind == "punct":
            continue
        # a bare word is an identifier: folded to lower case
        value = (t.text if t.kind in ("string", "ident") else
                 t.raw.lower() if t.kind == "word" else t.raw)
        values.append(quote_ident(value) if names and t.kind != "number" else value)
    return f"{param}={', '.join(values)}"


#: The list settings whose elements are names: PostgreSQL stores each one (a string constant
#: too, which is one element, commas and all) as quote_identifier prints it (GUC_LIST_QUOTE).
LIST_QUOTE_SETTINGS = frozenset({"search_path", "temp_tablespaces", "local_preload_libraries",
                                 "session_preload_libraries", "shared_preload_libraries"})


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
        elif s.at("COST") or s.at("ROWS"):
            out.append((s.next().text.lower(), _estimate(s)))
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
        return g.owner_to("function", name, s, args)
    if s.accept("NO", "DEPENDS") or s.accept("DEPENDS"):
        return ops.NoEffect("extension", "ALTER FUNCTION DEPENDS ON EXTENSION")
    options = _alter_options(s)
    return ops.AlterFunction(name, args, routine=routine, if_exists=ie, options=options)

