"""goose's ``-- +goose ENVSUB ON``: ``$VAR`` and ``${VAR...}`` in a line, from the environment.

goose (v3.16 and later, ``internal/sqlparser/parser.go``) runs every line it adds to a
statement while ``ENVSUB`` is on through ``interpolate.Interpolate`` (mfridman/interpolate,
a fork of buildkite/interpolate), one line at a time. That library's grammar, followed here:

- ``\\\\`` stays ``\\\\``; ``\\$`` and ``$$`` are a ``$``; ``$(`` stays as written; a ``$``
  that ends the line is text;
- ``$NAME`` and ``${NAME}``: the value, or nothing when unset; a name starts with a letter and
  goes on with letters, digits and ``_`` (``$1`` is an error: goose refuses the file);
- ``${NAME:-word}`` (unset or empty), ``${NAME-word}`` (unset): ``word``, itself expanded;
- ``${NAME:offset}``, ``${NAME:offset:length}``: a substring, bash's way (negative counts from
  the end);
- ``${NAME?word}``: an error when unset.

schemadiff does not know the environment goose ran in. It takes the one it runs in, with
``--placeholder NAME=VALUE`` over it; a line that needs a variable neither gives a value
(outside a default) is kept as written and said (:class:`Unresolved`), as is a line goose
would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Unresolved", "expand_line"]


class Unresolved(Exception):
    """The line cannot be expanded here: a variable without a value, or text goose refuses."""


def expand_line(line: str, env: Mapping[str, str]) -> str:
    """``line`` as goose's ENVSUB makes it with the environment ``env``.

    Raises:
        Unresolved: a variable ``env`` lacks is needed (its message names it), or the line is
            one goose refuses (``$1``, ``${A?}`` unset, a malformed ``${...}``).
    """
    if "$" not in line:
        return line
    return _Expander(line, env).expression(0, "")[0]


class _Expander:
    """A recursive-descent reading of one line, expanding as it goes."""

    def __init__(self, text: str, env: Mapping[str, str]) -> None:
        self.text = text
        self.env = env
        self.strict = True  # False: reading a default goose will not use (no value needed)

    def expression(self, pos: int, stop: str) -> tuple[str, int]:
        """The expansion of ``text[pos:]`` up to a character of ``stop`` (or the end)."""
        text, n = self.text, len(self.text)
        out: list[str] = []
        while pos < n and text[pos] not in stop:
            two = text[pos:pos + 2]
            if two == "\\\\":
                out.append(two)
                pos += 2
            elif two in ("\\$", "$$"):
                out.append("$")
                pos += 2
            elif two == "$(":
                out.append(two)
                pos += 2
            elif text[pos] == "$" and pos < n - 1:
                value, pos = self.expansion(pos + 1)
                out.append(value)
            else:
                end = pos + 1
                while end < n and text[end] not in "$\\" and text[end] not in stop:
                    end += 1
                out.append(text[pos:end])
                pos = end
        return "".join(out), pos

    def expansion(self, pos: int) -> tuple[str, int]:
        """After a ``$``: ``NAME`` or ``{...}``."""
        if self.text[pos] != "{":
            name, pos = self.identifier(pos)
            return self.value(name), pos
        name, pos = self.identifier(pos + 1)
        op = self.text[pos:pos + 1]
        if op == "}":
            return self.value(name), pos + 1
        if self.text.startswith(":-", pos):
            op, pos = ":-", pos + 2
        elif op in (":", "-", "?"):
            pos += 1
        else:
            raise Unresolved(f"${{{name}{op}...}}: goose expects an operator or '}}'")
        if op == ":":
            value, pos = self.substring(name, pos)
        else:
            value, pos = self.operation(name, op, pos)
        if self.text[pos:pos + 1] != "}":
            raise Unresolved(f"${{{name}...: goose expects '}}'")
        return value, pos + 1

    def identifier(self, pos: int) -> tuple[str, int]:
        text = self.text
        if pos >= len(text) or not text[pos].isalpha():
            raise Unresolved(f"'${text[pos:pos + 1]}...': a variable name must start with a "
                             "letter (goose refuses the line)")
        end = pos + 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        return text[pos:end], end

    def value(self, name: str) -> str:
        value = self.env.get(name)
        if value is None:
            if self.strict:
                raise Unresolved(f"${{{name}}} has no value here")
            return ""
        return value

    def operation(self, name: str, op: str, pos: int) -> tuple[str, int]:
        """``${NAME:-word}``, ``${NAME-word}`` or ``${NAME?word}`` from ``word`` at ``pos``:
        the word is expanded only where goose uses it (its variables need no value else)."""
        value = self.env.get(name)
        uses_word = (not value) if op == ":-" else value is None
        strict = self.strict
        self.strict = strict and uses_word and op != "?"
        try:
            word, end = self.expression(pos, "}")
        finally:
            self.strict = strict
        if not uses_word:
            return value or "", end
        if op == "?":
            if strict:
                raise Unresolved(f"${{{name}?}}: goose refuses to run without it")
            return "", end
        return word, end

    def substring(self, name: str, pos: int) -> tuple[str, int]:
        text = self.text
        end = pos
        while end < len(text) and text[end] not in ":}":
            end += 1
        offset = _integer(text[pos:end], name)
        length: int | None = None
        if text[end:end + 1] == ":":
            pos = end + 1
            end = text.find("}", pos)
            end = len(text) if end < 0 else end
            length = _integer(text[pos:end], name)
        value = self.value(name)  # goose: nothing when unset, whatever the offsets
        n = len(value)
        start = max(n + offset, 0) if offset < 0 else offset
        if start > n:
            return "", end
        stop = n if length is None else (start + length if length >= 0 else n + length)
        return (value[start:stop] if stop > start else ""), end


def _integer(text: str, name: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise Unresolved(f"${{{name}:{text}...}}: not a number (goose refuses the line)") from None
