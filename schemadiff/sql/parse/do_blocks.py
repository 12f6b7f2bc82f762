"""``DO`` blocks: the DDL a block runs, when it can be read without running it (sql-do.html)."""

from __future__ import annotations

import re
from collections.abc import Callable

from schemadiff.errors import ParseError
from schemadiff.sql import ops
from schemadiff.sql.lexer import Tok
from schemadiff.sql.tokens import Stream, SyntaxProblem

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
                        branches.ran(op)
                break
    if recreates:
        # DROP x ... EXECUTE format('CREATE VIEW x AS %s', <its old definition>): the block
        # puts back what it dropped, so neither the drop nor the re-creation changes the model.
        kept = [op for op in found
                if not (isinstance(op, ops.Drop) and any(n.name in recreates for n in op.names))]
        if len(kept) == len(found):
            opaque = True
        found = kept
    return ops.DoBlock(tuple(found), opaque, conditional)


class _Branches:
    """Where a PL/pgSQL body is: in an ``IF``'s first branch (its DDL is replayed: the guards
    of idempotent migrations test for the object), or under an ``ELSE`` / ``ELSIF``, a ``CASE``
    or an ``EXCEPTION`` handler, which run on what the database holds at run time."""

    def __init__(self) -> None:
        self.stack: list[str] = []  # "if", "else", "case", "begin", "handler"
        self.then: list[list[ops.Op]] = []  # each open IF's first-branch DDL

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

