"""``real`` and ``double precision`` constants as PostgreSQL's output functions print them.

A string constant stored for a float column (``DEFAULT '0.10'``, ``'1e6'::real``) is folded to
the float, and the catalog prints it back as ``float8out`` / ``float4out`` do with the default
``extra_float_digits = 1``: the shortest digits that read back as the same float, in fixed
notation when the decimal exponent is from -4 to under 15 (``real``: under 6), else as
``d.ddde+XX``. Past the integers a float holds exactly (2**53, 2**24) PostgreSQL's digits are
not always the shortest (its Ryu takes a narrower interval there): such a value is left as
written (None). A number written without quotes is a ``numeric`` constant and is stored as
written, so only string constants go through here.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal

_EXACT_INTEGERS = 2.0 ** 53
_SPECIAL = {"nan": "NaN", "infinity": "Infinity", "+infinity": "Infinity", "inf": "Infinity",
            "+inf": "Infinity", "-infinity": "-Infinity", "-inf": "-Infinity"}


def canonical_float8(value: str) -> str | None:
    """``value`` read as ``double precision`` and printed as the catalog does; None when the
    server would refuse it (not a number, out of range)."""
    parsed = _parse(value)
    if parsed is None or isinstance(parsed, str):
        return parsed
    if abs(parsed) >= _EXACT_INTEGERS:
        return None  # whole numbers past 2**53: float8out's digits there are not the shortest
    return _format(repr(parsed), 15)


def canonical_float4(value: str) -> str | None:
    """As :func:`canonical_float8`, for ``real``."""
    parsed = _parse(value)
    if parsed is None or isinstance(parsed, str):
        return parsed
    try:
        single = struct.unpack("f", struct.pack("f", parsed))[0]
    except OverflowError:
        return None
    if math.isinf(single) or (single == 0.0 and parsed != 0.0):
        return None  # out of real's range (over or under): the server refuses it
    if abs(single) >= 2.0 ** 24:
        return None  # whole numbers past 2**24: float4out's digits there are not the shortest
    for digits in range(1, 10):  # the shortest that reads back as the same real
        text = f"{single:.{digits - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return _format(text, 6)
    return _format(repr(single), 6)


def _parse(value: str) -> float | str | None:
    """The float ``value`` denotes, or the name of a special value as printed; None when it
    is none (``strtod`` would stop early or the value is out of range)."""
    text = value.strip()
    special = _SPECIAL.get(text.lower())
    if special is not None:
        return special
    try:
        number = float(text)
        exact = Decimal(text)
    except (ValueError, ArithmeticError):
        return None
    if math.isinf(number) or math.isnan(number):
        return None  # '1e400', or a spelling Python reads and strtod does not
    if number == 0.0 and exact != 0:
        return None  # underflow: the server reports it out of range
    return number


def _format(shortest: str, fixed_below: int) -> str:
    """The digits of ``shortest`` (a repr or ``%e`` text) in PostgreSQL's notation."""
    sign, digits, exponent = Decimal(shortest).normalize().as_tuple()
    text = "".join(map(str, digits)) if digits != (0,) else "0"
    assert isinstance(exponent, int)
    point = exponent + len(text) - 1  # the decimal exponent of the first digit
    prefix = "-" if sign else ""
    if text == "0":
        return prefix + "0"
    if -4 <= point < fixed_below:
        if point >= len(text) - 1:
            return prefix + text + "0" * (point - len(text) + 1)
        if point >= 0:
            return prefix + text[: point + 1] + "." + text[point + 1:]
        return prefix + "0." + "0" * (-point - 1) + text
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{prefix}{mantissa}e{'+' if point >= 0 else '-'}{abs(point):02d}"
