"""A cursor over the tokens of one statement, with the raw source text at hand.

The DDL parser reads statement structure from tokens (:mod:`~schemadiff.sql.lexer`,
PostgreSQL's lexical rules) and hands sub-expressions, as raw source slices, to sqlglot's
expression parser through ``normalize``.
"""

from __future__ import annotations

from schemadiff.sql.lexer import LexError, Tok, lex
from schemadiff.sql.normalize import truncate_identifier

__all__ = ["Stream", "SyntaxProblem", "Tok", "tokenize"]


class SyntaxProblem(Exception):
    """The statement does not follow the grammar the parser expects (becomes Unsupported)."""


def tokenize(text: str) -> list[Tok]:
    try:
        return lex(text)
    except LexError as exc:
        raise SyntaxProblem(f"cannot tokenize: {exc}") from None


class Stream:
    """A cursor over the tokens of one statement."""

    __slots__ = ("i", "text", "toks", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self._set(tokenize(text))

    def _set(self, toks: list[Tok]) -> None:
        self.toks = toks
        # each token's upper-cased word, None for the other kinds: what at/accept compare,
        # the parser's hottest path
        self.words: list[str | None] = [t.text if t.kind == "word" else None for t in toks]
        self.i = 0

    # ------------------------------------------------------------------ looking
    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def word(self, k: int = 0) -> str | None:
        j = self.i + k
        return self.words[j] if j < len(self.words) else None

    def at(self, *words: str) -> bool:
        i = self.i
        if len(words) == 1:
            return i < len(self.words) and self.words[i] == words[0]
        return self.words[i : i + len(words)] == list(words)

    def at_punct(self, p: str, k: int = 0) -> bool:
        j = self.i + k
        if j >= len(self.toks):
            return False
        t = self.toks[j]
        return t.text == p and t.kind == "punct"

    def done(self) -> bool:
        return self.i >= len(self.toks)

    # ------------------------------------------------------------------ consuming
    def next(self) -> Tok:
        i = self.i
        if i >= len(self.toks):
            raise SyntaxProblem("unexpected end of statement")
        self.i = i + 1
        return self.toks[i]

    def accept(self, *words: str) -> bool:
        i = self.i
        if len(words) == 1:
            if i < len(self.words) and self.words[i] == words[0]:
                self.i = i + 1
                return True
            return False
        if self.words[i : i + len(words)] == list(words):
            self.i = i + len(words)
            return True
        return False

    def accept_any(self, *words: str) -> str | None:
        w = self.word()
        if w is not None and w in words:
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
                or (self.i > start and t.kind == "word" and t.text in stop_words
                    and not self.at_punct(".", 1) and not self.at_punct(".", -1))
            ):  # a word qualifying a name or qualified (storage.f(), x.storage) is no keyword
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
        s.words = self.words[a:b]
        s.i = 0
        return s
