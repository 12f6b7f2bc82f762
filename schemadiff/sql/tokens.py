"""A cursor over sqlglot's PostgreSQL tokens, with the raw source text at hand.

The DDL parser reads statement structure from tokens (PostgreSQL's grammar, as the docs give
it) and hands sub-expressions, as raw source slices, to sqlglot's expression parser through
``normalize``. sqlglot merges some keyword pairs into one token (``PRIMARY KEY``, ``DOUBLE
PRECISION``); they are split back into words here so the grammar sees one word per token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from schemadiff.sql.normalize import truncate_identifier

_WORD = re.compile(r"[A-Za-z_\x80-\uffff][A-Za-z0-9_$\x80-\uffff]*\Z")
STRING_TYPES = frozenset(
    {
        TokenType.STRING,
        TokenType.HEREDOC_STRING,
        TokenType.BYTE_STRING,
        TokenType.NATIONAL_STRING,
        TokenType.RAW_STRING,
        TokenType.BIT_STRING,
        TokenType.HEX_STRING,
        TokenType.UNICODE_STRING,
    }
)
_TOKENIZER = Postgres().tokenizer()


class SyntaxProblem(Exception):
    """The statement does not follow the grammar the parser expects (becomes Unsupported)."""


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str  # word | ident | string | number | punct
    text: str  # word: upper-cased; ident: raw name; string: value; punct/number: as written
    raw: str  # the word as written (for identifiers made of keywords)
    start: int
    end: int  # exclusive
    dollar: bool = False  # a dollar-quoted string


def tokenize(text: str) -> list[Tok]:
    try:
        raw_tokens = _TOKENIZER.tokenize(text)
    except (SqlglotError, ValueError, IndexError) as exc:
        raise SyntaxProblem(f"cannot tokenize: {exc}") from None
    out: list[Tok] = []
    for t in raw_tokens:
        start, end = t.start, t.end + 1
        if t.token_type == TokenType.IDENTIFIER:
            out.append(Tok("ident", t.text, t.text, start, end))
        elif t.token_type in STRING_TYPES:
            dollar = t.token_type == TokenType.HEREDOC_STRING
            out.append(Tok("string", t.text, text[start:end], start, end, dollar))
        elif t.token_type == TokenType.NUMBER:
            out.append(Tok("number", t.text, t.text, start, end))
        elif " " in t.text.strip() and all(_WORD.match(w) for w in t.text.split()):
            for m in re.finditer(r"\S+", text[start:end]):
                w = m.group()
                out.append(Tok("word", w.upper(), w, start + m.start(), start + m.end()))
        elif _WORD.match(t.text):
            out.append(Tok("word", t.text.upper(), t.text, start, end))
        else:
            out.append(Tok("punct", t.text, t.text, start, end))
    return out


class Stream:
    """A cursor over the tokens of one statement."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0

    # ------------------------------------------------------------------ looking
    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def word(self, k: int = 0) -> str | None:
        t = self.peek(k)
        return t.text if t is not None and t.kind == "word" else None

    def at(self, *words: str) -> bool:
        return all(self.word(k) == w for k, w in enumerate(words))

    def at_punct(self, p: str, k: int = 0) -> bool:
        t = self.peek(k)
        return t is not None and t.kind == "punct" and t.text == p

    def done(self) -> bool:
        return self.i >= len(self.toks)

    # ------------------------------------------------------------------ consuming
    def next(self) -> Tok:
        t = self.peek()
        if t is None:
            raise SyntaxProblem("unexpected end of statement")
        self.i += 1
        return t

    def accept(self, *words: str) -> bool:
        if self.at(*words):
            self.i += len(words)
            return True
        return False

    def accept_any(self, *words: str) -> str | None:
        w = self.word()
        if w in words:
            self.i += 1
            return w
        return None

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            got = self.peek()
            raise SyntaxProblem(f"expected {' '.join(words)}, got {got.raw if got else 'end'}")

    def accept_punct(self, p: str) -> bool:
        if self.at_punct(p):
            self.i += 1
            return True
        return False

    def expect_punct(self, p: str) -> None:
        if not self.accept_punct(p):
            got = self.peek()
            raise SyntaxProblem(f"expected {p!r}, got {got.raw if got else 'end'}")

    def ident(self) -> str:
        """An identifier: quoted names verbatim, bare words lower-cased, truncated to 63 bytes."""
        t = self.next()
        if t.kind == "ident":
            return truncate_identifier(t.text)
        if t.kind == "word":
            return truncate_identifier(t.raw.lower())
        raise SyntaxProblem(f"expected a name, got {t.raw!r}")

    def names(self) -> list[str]:
        """``a.b.c`` -> ["a", "b", "c"]."""
        parts = [self.ident()]
        while self.at_punct(".") and self.peek(1) is not None and self.peek(1).kind != "punct":  # type: ignore[union-attr]
            self.i += 1
            parts.append(self.ident())
        return parts

    def string(self) -> str:
        t = self.next()
        if t.kind != "string":
            raise SyntaxProblem(f"expected a string, got {t.raw!r}")
        return t.text

    def number(self) -> int:
        neg = self.accept_punct("-")
        self.accept_punct("+")
        t = self.next()
        if t.kind != "number":
            raise SyntaxProblem(f"expected a number, got {t.raw!r}")
        value = int(float(t.text)) if not t.text.isdigit() else int(t.text)
        return -value if neg else value

    # ------------------------------------------------------------------ raw slices
    def paren_span(self) -> tuple[int, int]:
        """Consume a balanced ``( ... )``; return the token index range inside it."""
        self.expect_punct("(")
        first = self.i
        depth = 1
        while depth:
            t = self.next()
            if t.kind == "punct":
                if t.text in ("(", "["):
                    depth += 1
                elif t.text in (")", "]"):
                    depth -= 1
        return first, self.i - 1

    def paren_span_bracket(self) -> None:
        """Consume a balanced ``[ ... ]`` (array bounds in a type)."""
        self.expect_punct("[")
        depth = 1
        while depth:
            t = self.next()
            if t.kind == "punct" and t.text in ("(", "["):
                depth += 1
            elif t.kind == "punct" and t.text in (")", "]"):
                depth -= 1

    def paren_text(self) -> str:
        a, b = self.paren_span()
        return self.slice(a, b)

    def slice(self, a: int, b: int) -> str:
        """Source text of tokens ``a`` up to (excluding) ``b``."""
        if a >= b:
            return ""
        return self.text[self.toks[a].start : self.toks[b - 1].end]

    def rest(self) -> str:
        text = self.slice(self.i, len(self.toks))
        self.i = len(self.toks)
        return text

    def until(self, stop_words: frozenset[str] = frozenset(), stop_puncts: str = ",") -> str:
        """Source text up to a stop word or punctuation at depth 0, or the enclosing ``)``.

        A stop word is only honoured after the first token (``DEFAULT NULL NOT NULL``).
        """
        start = self.i
        depth = 0
        while not self.done():
            t = self.toks[self.i]
            if t.kind == "punct" and t.text in ("(", "["):
                depth += 1
            elif t.kind == "punct" and t.text in (")", "]"):
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (
                (t.kind == "punct" and t.text in stop_puncts)
                or (self.i > start and t.kind == "word" and t.text in stop_words)
            ):
                break
            self.i += 1
        return self.slice(start, self.i)

    def comma_items(self) -> list[tuple[int, int]]:
        """Inside parens already consumed up to ``(``: split the group at depth-0 commas.

        Consumes through the closing ``)``. Returns token index ranges per item.
        """
        items: list[tuple[int, int]] = []
        start = self.i
        depth = 0
        while True:
            t = self.next()
            if t.kind != "punct":
                continue
            if t.text in ("(", "["):
                depth += 1
            elif t.text in (")", "]"):
                if depth == 0:
                    if self.i - 1 > start:
                        items.append((start, self.i - 1))
                    return items
                depth -= 1
            elif t.text == "," and depth == 0:
                items.append((start, self.i - 1))
                start = self.i

    def sub(self, a: int, b: int) -> Stream:
        """A stream over tokens ``a..b`` of this one (sharing the source text)."""
        s = Stream.__new__(Stream)
        s.text = self.text
        s.toks = self.toks[a:b]
        s.i = 0
        return s
