"""A composite value written as a string (``'(2,GBP)'``), and arrays of them, by field value.

``record_in`` reads each field with its attribute's type, so the catalog prints the value the
types made of it: ``'(2,GBP)'`` on ``(amount numeric(10,2), cur text)`` is stored as
``'(2.00,GBP)'``. Two such strings are the same value when each field is, read by its type
where this module knows how (numbers with their scale, integers, booleans, floats,
``character(n)``); any other field is compared as written, so a field that differs in value
is never taken for the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_NUMERIC = re.compile(r"numeric(?:\((\d+)(?:,\s*(-?\d+))?\))?\Z")
_INTEGERS = frozenset({"smallint", "integer", "bigint"})
_TRUE, _FALSE = ("t", "true", "y", "yes", "on", "1"), ("f", "false", "n", "no", "off", "0")

#: the attributes ``(name, type)`` of a composite type named as a column's type, or None
Fields = Callable[[str], "tuple[tuple[str, str], ...] | None"]


def same_rows(expected: str, actual: str, type_text: str, fields: Fields) -> bool:
    """Whether two string constants of a composite type (or a one-dimensional array of one)
    hold the same value, field by field."""
    array = type_text.endswith("[]")
    attributes = fields(type_text.removesuffix("[]"))
    values = [_literal(t) for t in (expected, actual)]
    if attributes is None or None in values:
        return False
    rows: list[list[list[str | None] | None]] = []
    for value in values:
        items = _items(value, "{}") if array else [value]  # type: ignore[arg-type]
        if items is None or any(i is None for i in items):
            return False
        rows.append([_items(i, "()") for i in items])  # type: ignore[arg-type]
    if len(rows[0]) != len(rows[1]):
        return False
    for e, a in zip(*rows, strict=True):
        if e is None or a is None or len(e) != len(a) or len(e) != len(attributes):
            return False
        if any(_value(x, t) != _value(y, t) for x, y, (_, t) in zip(e, a, attributes,
                                                                       strict=True)):
            return False
    return True


def _literal(text: str) -> str | None:
    m = re.fullmatch(r"'((?:[^']|'')*)'", text)
    return m.group(1).replace("''", "'") if m else None


def _items(text: str, brackets: str) -> list[str | None] | None:
    """The items of ``(a,"b c",)`` or ``{"(1,x)",NULL}``: unquoted, None for NULL (an empty
    field of a row, an unquoted NULL of an array); None when it is not one such text."""
    if len(text) < 2 or text[0] != brackets[0] or text[-1] != brackets[1]:
        return None
    body, out, i = text[1:-1], [], 0
    if brackets == "{}" and not body.strip():
        return []
    while True:
        value, quoted = "", False
        while i < len(body) and body[i] != ",":
            c = body[i]
            if c == '"':
                quoted, i = True, i + 1
                while i < len(body) and not (body[i] == '"' and body[i + 1:i + 2] != '"'):
                    if body[i] == "\\" or body[i] == '"':  # \x, and "" inside quotes
                        i += 1
                    value += body[i:i + 1]
                    i += 1
                if i >= len(body):
                    return None
            elif c == "\\":
                value += body[i + 1:i + 2]
                i += 1
            elif c in "{}()" and brackets == "{}":
                return None  # a nested array, or a row not quoted: not read here
            else:
                value += c
            i += 1
        if brackets == "{}":
            value = value if quoted else value.strip()
            out.append(None if not quoted and value.upper() == "NULL" else value)
        else:
            out.append(None if not quoted and value == "" else value)
        if i >= len(body):
            return out
        i += 1


def _value(text: str | None, type_text: str) -> object:
    """A field as its type reads it (as written where the type is not one known here)."""
    if text is None:
        return None
    m = _NUMERIC.match(type_text)
    try:
        if m is not None:
            value = Decimal(text.strip())
            if m.group(2) is not None:
                value = value.quantize(Decimal(1).scaleb(-int(m.group(2))), ROUND_HALF_UP)
            return value
        if type_text in _INTEGERS:
            return int(text.strip())
        if type_text in ("real", "double precision"):
            return float(text.strip())
    except (InvalidOperation, ValueError):
        return text
    if type_text == "boolean" and text.strip().lower() in _TRUE + _FALSE:
        return text.strip().lower() in _TRUE
    if re.fullmatch(r"character(?:\(\d+\))?", type_text):
        return text.rstrip(" ")  # bpchar: trailing blanks are padding
    return text
