"""PostgreSQL's lexical rules (``scan.l``): SQL text to a flat list of tokens.

The DDL grammar reads statement structure from these tokens and hands sub-expressions to
sqlglot as raw source slices (``normalize``), so the lexer needs no sqlglot: it is one
compiled regular expression and a loop, about three times faster than converting sqlglot's
tokens, and it follows PostgreSQL where sqlglot does not (``.5`` and ``0x1F`` are numbers,
``$1`` a parameter, block comments nest, ``=-`` is ``=`` then ``-``).

A token is ``(kind, text, raw, start, end, dollar)``; ``kind`` is one of ``word`` (a bare
identifier or keyword; ``text`` upper-cased, ``raw`` as written), ``ident`` (a quoted
identifier; ``text`` its name), ``string`` (``text`` its value, escapes resolved; ``raw`` the
literal as written; ``dollar`` for ``$tag$...$tag$``), ``number`` and ``punct`` (operators,
punctuation and ``$n`` parameters). Whitespace and comments are skipped.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class LexError(Exception):
    """Text PostgreSQL's lexer would refuse (an unterminated quote or comment)."""


class Tok(NamedTuple):
    kind: str  # word | ident | string | number | punct
    text: str  # word: upper-cased; ident: the name; string: its value; punct/number: as written
    raw: str  # as written (for identifiers made of keywords, and string literals)
    start: int
    end: int  # exclusive
    dollar: bool = False  # a dollar-quoted string


_tok = tuple.__new__  # Tok(...) without NamedTuple's Python-level __new__: the lexer's hot path

_IDENT_START = r"A-Za-z_\x80-\U0010ffff"
_IDENT_CONT = r"A-Za-z0-9_$\x80-\U0010ffff"
_OP_CHARS = r"+\-*/<>=~!@#%^&|`?"

_LEX = re.compile(
    rf"""
    (?P<space>[ \t\n\r\f\v]+ | --[^\n]*)
    | (?P<block>/\*)
    | (?P<estring>[eE]'(?:[^'\\]|''|\\.)*')
    | (?P<pstring>[bBxXnN]'(?:[^']|'')*')
    | (?P<ustring>[uU]&'(?:[^']|'')*')
    | (?P<uident>[uU]&"(?:[^"]|"")*")
    | (?P<unterminated>[eEbBxXnN]'|[uU]&['"])
    | (?P<word>[{_IDENT_START}][{_IDENT_CONT}]*)
    | (?P<ident>"(?:[^"]|"")*")
    | (?P<string>'(?:[^']|'')*')
    | (?P<dollar>\$(?:[{_IDENT_START}][A-Za-z0-9_\x80-\U0010ffff]*)?\$)
    | (?P<param>\$[0-9]+)
    | (?P<number>
        0[xX][0-9A-Fa-f_]+ | 0[oO][0-7_]+ | 0[bB][01_]+
        | (?: [0-9][0-9_]* (?:\.(?!\.)[0-9_]*)? | \.[0-9][0-9_]* ) (?:[eE][+-]?[0-9]+)?
      )
    | (?P<punct>::|:=|\.\.|[,()\[\];:.]|[{_OP_CHARS}]+)
    | (?P<other>[^'"])
    """,
    re.VERBOSE | re.DOTALL,
)
_NON_SQL_OP = frozenset("~!@#%^&|`?")
_BLOCK_EDGE = re.compile(r"/\*|\*/")
_E_PART = re.compile(
    r"''|\\(?:(?P<oct>[0-7]{1,3})|x(?P<hex>[0-9A-Fa-f]{1,2})|u(?P<u4>[0-9A-Fa-f]{4})"
    r"|U(?P<u8>[0-9A-Fa-f]{8})|(?P<other>.))",
    re.DOTALL,
)
_E_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def lex(text: str) -> list[Tok]:
    """The tokens of ``text``.

    Raises:
        LexError: an unterminated string, quoted identifier or comment.
    """
    out: list[Tok] = []
    append = out.append
    match = _LEX.match
    pos, n = 0, len(text)
    while pos < n:
        m = match(text, pos)
        if m is None:
            raise LexError(_refusal(text, pos))
        kind = m.lastgroup
        end = m.end()
        if kind == "word":
            raw = m.group()
            append(_tok(Tok, ("word", raw.upper(), raw, pos, end, False)))
        elif kind == "space":
            pass
        elif kind == "punct":
            op = m.group()
            if len(op) > 1 and op not in ("::", ":=", ".."):
                op = _operator(op)
                end = pos + len(op)
            append(_tok(Tok, ("punct", op, op, pos, end, False)))
        elif kind == "ident":
            raw = m.group()
            name = raw[1:-1].replace('""', '"')
            append(_tok(Tok, ("ident", name, name, pos, end, False)))
        elif kind == "string":
            raw = m.group()
            append(_tok(Tok, ("string", raw[1:-1].replace("''", "'"), raw, pos, end, False)))
        elif kind == "number":
            raw = m.group()
            append(_tok(Tok, ("number", raw, raw, pos, end, False)))
        elif kind == "dollar":
            delim = m.group()
            close = text.find(delim, end)
            if close < 0:
                raise LexError(f"unterminated dollar-quoted string {delim}")
            stop = close + len(delim)
            append(_tok(Tok, ("string", text[end:close], text[pos:stop], pos, stop, True)))
            end = stop
        elif kind == "block":
            end = _block_end(text, pos)
        elif kind == "estring":
            raw = m.group()
            append(_tok(Tok, ("string", _e_value(raw[2:-1]), raw, pos, end, False)))
        elif kind in ("pstring", "ustring"):
            raw = m.group()
            body = raw[raw.index("'") + 1 : -1].replace("''", "'")
            append(_tok(Tok, ("string", body, raw, pos, end, False)))
        elif kind == "unterminated":
            raise LexError(_refusal(text, end - 1))
        elif kind == "uident":
            name = m.group()[3:-1].replace('""', '"')
            append(_tok(Tok, ("ident", name, name, pos, end, False)))
        else:  # a parameter ($1), or a character no token starts with (as scan.l does, it is
            raw = m.group()  # a token of its own, for the grammar to refuse)
            append(_tok(Tok, ("punct", raw, raw, pos, end, False)))
        pos = end
    return out


def _operator(op: str) -> str:
    """PostgreSQL's operator rule: a comment start ends an operator, and a trailing ``+``/``-``
    is dropped unless the operator holds a character no SQL-standard operator has
    (``=-1`` is ``=`` then ``-1``; ``@-`` stays whole)."""
    for start in ("--", "/*"):
        cut = op.find(start, 1)
        if cut > 0:
            op = op[:cut]
    if len(op) > 1 and op[-1] in "+-" and not _NON_SQL_OP.intersection(op):
        op = op.rstrip("+-") or op[0]
    return op


def _block_end(text: str, pos: int) -> int:
    """Where the (nesting) block comment that opens at ``pos`` ends."""
    depth = 0
    for m in _BLOCK_EDGE.finditer(text, pos):
        depth += 1 if m.group() == "/*" else -1
        if depth == 0:
            return m.end()
    raise LexError("unterminated /* comment")


def _e_value(body: str) -> str:
    """The value of an ``E'...'`` string's body: backslash escapes and ``''`` resolved."""
    if "\\" not in body:
        return body.replace("''", "'")
    return _E_PART.sub(_e_escape, body)


def _e_escape(m: re.Match[str]) -> str:
    if m.group() == "''":
        return "'"
    if m.group("oct") is not None:
        return chr(int(m.group("oct"), 8) & 0xFF)
    hexa = m.group("hex") or m.group("u4") or m.group("u8")
    if hexa is not None:
        return chr(int(hexa, 16))
    other = m.group("other")
    return _E_SIMPLE.get(other, other)


def _refusal(text: str, pos: int) -> str:
    if text[pos] == '"':
        return "unterminated quoted identifier"
    return "unterminated quoted string"
