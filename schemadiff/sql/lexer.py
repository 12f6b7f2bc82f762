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
import sys
from collections.abc import Iterator
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

# scan.l's ident_start [A-Za-z\200-\377_] and ident_cont (plus 0-9 and $), every non-ASCII
# character included. Written as negated classes, as the ASCII characters they leave out: a
# class holding the range \x80-\U0010ffff costs re.compile 3 ms (a tenth of the lexer's
# import, in every process that parses), its complement next to nothing.
_IDENT_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"  # A-Z a-z _ and non-ASCII
_IDENT_CONT = r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"  # ... 0-9 $
_TAG_CONT = r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"  # A-Z a-z 0-9 _ non-ASCII
_OP_CHARS = r"+\-*/<>=~!@#%^&|`?"

# Each match skips the whitespace and line comments before a token (possessively: a long run
# of blanks before a token that cannot match is not backtracked into, or a blank would come
# back as an ``other`` token) and matches the token: one match per token, not two. Python
# 3.10 has no possessive quantifier: there a lookahead (atomic) takes the blanks and a
# backreference consumes exactly them.
if sys.version_info >= (3, 11):
    _BLANKS = r"(?:[ \t\n\r\f\v]|--[^\n]*)*+"
else:  # pragma: no cover - Python 3.10
    _BLANKS = r"(?=(?P<blanks>(?:[ \t\n\r\f\v]|--[^\n]*)*))(?P=blanks)"
_LEX = re.compile(
    rf"""
    {_BLANKS}
    (?:
      (?P<block>/\*)
      | (?P<estring>[eE]'(?:[^'\\]|''|\\.)*')
      | (?P<pstring>[bBxXnN]'(?:[^']|'')*')
      | (?P<ustring>[uU]&'(?:[^']|'')*')
      | (?P<uident>[uU]&"(?:[^"]|"")*")
      | (?P<unterminated>[eEbBxXnN]'|[uU]&['"])
      | (?P<word>{_IDENT_START}{_IDENT_CONT}*)
      | (?P<ident>"(?:[^"]|"")*")
      | (?P<string>'(?:[^']|'')*')
      | (?P<dollar>\$(?:{_IDENT_START}{_TAG_CONT}*)?\$)
      | (?P<param>\$[0-9]+)
      | (?P<number>
          0[xX][0-9A-Fa-f_]+ | 0[oO][0-7_]+ | 0[bB][01_]+
          | (?: [0-9][0-9_]* (?:\.(?!\.)[0-9_]*)? | \.[0-9][0-9_]* ) (?:[eE][+-]?[0-9]+)?
        )
      | (?P<punct>::|:=|\.\.|[,()\[\];:.]|[{_OP_CHARS}]+)
      | (?P<other>[^'"])
      | (?P<eof>\Z)
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_SPACE = re.compile(_BLANKS)
_NON_SQL_OP = frozenset("~!@#%^&|`?")
_BLOCK_EDGE = re.compile(r"/\*|\*/")
_E_PART = re.compile(
    r"''|\\(?:(?P<oct>[0-7]{1,3})|x(?P<hex>[0-9A-Fa-f]{1,2})|u(?P<u4>[0-9A-Fa-f]{4})"
    r"|U(?P<u8>[0-9A-Fa-f]{8})|(?P<other>.))",
    re.DOTALL,
)
_E_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
# UESCAPE 'c' after a U&'...' string or U&"..." identifier: the escape character it uses
# (plain blanks: the clause is matched whole, nothing to backtrack into; and on Python 3.10
# the atomic form's group name could not appear twice)
_UESCAPE_BLANKS = r"(?:[ \t\n\r\f\v]|--[^\n]*)*"
_UESCAPE = re.compile(_UESCAPE_BLANKS + r"[uU][eE][sS][cC][aA][pP][eE]" + _UESCAPE_BLANKS
                      + r"'([^']|'')'")


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
        if m is None:  # an unterminated quote, after any blanks
            raise LexError(_refusal(text, _SPACE.match(text, pos).end()))  # type: ignore[union-attr]
        kind = m.lastgroup
        end = m.end()
        if kind == "word":
            raw = m.group(kind)
            append(_tok(Tok, ("word", raw.upper(), raw, end - len(raw), end, False)))
        elif kind == "punct":
            op = m.group(kind)
            start = end - len(op)
            if len(op) > 1 and op not in ("::", ":=", ".."):
                op = _operator(op)
                end = start + len(op)
            append(_tok(Tok, ("punct", op, op, start, end, False)))
        elif kind == "ident":
            raw = m.group(kind)
            name = raw[1:-1].replace('""', '"')
            append(_tok(Tok, ("ident", name, name, end - len(raw), end, False)))
        elif kind == "string":
            raw = m.group(kind)
            value = raw[1:-1].replace("''", "'")
            append(_tok(Tok, ("string", value, raw, end - len(raw), end, False)))
        elif kind == "number":
            raw = m.group(kind)
            append(_tok(Tok, ("number", raw, raw, end - len(raw), end, False)))
        elif kind == "eof":
            break
        elif kind == "dollar":
            delim = m.group(kind)
            start = end - len(delim)
            close = text.find(delim, end)
            if close < 0:
                raise LexError(f"unterminated dollar-quoted string {delim}")
            stop = close + len(delim)
            append(_tok(Tok, ("string", text[end:close], text[start:stop], start, stop, True)))
            end = stop
        elif kind == "block":
            end = _block_end(text, end - 2)
        elif kind == "estring":
            raw = m.group(kind)
            append(_tok(Tok, ("string", _e_value(raw[2:-1]), raw, end - len(raw), end, False)))
        elif kind == "ustring":
            raw = m.group(kind)
            start = end - len(raw)
            value, end = _unicode_token(text, raw[3:-1].replace("''", "'"), end)
            append(_tok(Tok, ("string", value, text[start:end], start, end, False)))
        elif kind == "pstring":
            raw = m.group(kind)
            body = raw[raw.index("'") + 1 : -1].replace("''", "'")
            append(_tok(Tok, ("string", body, raw, end - len(raw), end, False)))
        elif kind == "unterminated":
            raise LexError(_refusal(text, end - 1))
        elif kind == "uident":
            raw = m.group(kind)
            start = end - len(raw)
            name, end = _unicode_token(text, raw[3:-1].replace('""', '"'), end)
            append(_tok(Tok, ("ident", name, name, start, end, False)))
        else:  # a parameter ($1), or a character no token starts with (as scan.l does, it is
            raw = m.group(kind)  # a token of its own, for the grammar to refuse)
            append(_tok(Tok, ("punct", raw, raw, end - len(raw), end, False)))
        pos = end
    return out


def closing(toks: list[Tok], i: int, end: int | None = None) -> int:
    """The index of the ``)`` or ``]`` that closes the bracket at ``toks[i]``, looking no
    further than ``end`` (-1: none)."""
    depth = 0
    for k in range(i, len(toks) if end is None else end):
        t = toks[k]
        if t.kind == "punct" and t.text in ("(", "["):
            depth += 1
        elif t.kind == "punct" and t.text in (")", "]"):
            depth -= 1
            if depth == 0:
                return k
    return -1


def top_level(toks: list[Tok], a: int, b: int) -> Iterator[tuple[int, Tok]]:
    """The tokens of ``toks[a:b]`` outside any parentheses or brackets, with their index."""
    depth = 0
    for k in range(a, b):
        t = toks[k]
        if t.kind == "punct" and t.text in ("(", "["):
            depth += 1
        elif t.kind == "punct" and t.text in (")", "]"):
            depth -= 1
        elif depth == 0:
            yield k, t


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
        code = int(hexa, 16)
        if code > 0x10FFFF:
            raise LexError("invalid Unicode escape value")  # as PostgreSQL refuses it
        return chr(code)
    other = m.group("other")
    return _E_SIMPLE.get(other, other)


def _unicode_token(text: str, body: str, end: int) -> tuple[str, int]:
    """The value of a ``U&`` string or identifier's body (its ``''`` / ``""`` resolved) and
    where the token ends: after a ``UESCAPE 'c'`` clause when one follows."""
    escape = "\\"
    m = _UESCAPE.match(text, end)
    if m is not None:
        escape, end = m.group(1).replace("''", "'"), m.end()
    value = unicode_value(body, escape)
    return (body if value is None else value), end  # None: PostgreSQL refuses the statement


def unicode_value(body: str, escape: str = "\\") -> str | None:
    """The value of a ``U&'...'`` body (quotes resolved) with escape character ``escape``:
    ``\\XXXX`` and ``\\+XXXXXX`` are code points (a UTF-16 surrogate pair written as two
    escapes is one), the escape doubled is itself; None where PostgreSQL refuses it (another
    escape, a lone surrogate, an escape character that is a hex digit, ``+``, a quote or
    a blank)."""
    if len(escape) != 1 or escape in "0123456789abcdefABCDEF+'\" \t\n\r\f":
        return None
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c != escape:
            out.append(c)
            i += 1
            continue
        if body[i + 1 : i + 2] == escape:
            out.append(escape)
            i += 2
            continue
        m = re.match(r"\+([0-9A-Fa-f]{6})|([0-9A-Fa-f]{4})", body[i + 1 : i + 8])
        if m is None:
            return None
        code = int(m.group(1) or m.group(2), 16)
        i += 1 + len(m.group())
        if 0xD800 <= code < 0xDC00:  # a high surrogate: its low half must follow
            low = re.match(re.escape(escape) + r"(?:\+([0-9A-Fa-f]{6})|([0-9A-Fa-f]{4}))",
                           body[i:])
            second = int(low.group(1) or low.group(2), 16) if low else 0
            if not 0xDC00 <= second < 0xE000:
                return None
            code = 0x10000 + ((code - 0xD800) << 10) + (second - 0xDC00)
            i += len(low.group())  # type: ignore[union-attr]
        elif 0xDC00 <= code < 0xE000 or code > 0x10FFFF or code == 0:
            return None
        out.append(chr(code))
    return "".join(out)


def _refusal(text: str, pos: int) -> str:
    if text[pos] == '"':
        return "unterminated quoted identifier"
    return "unterminated quoted string"
