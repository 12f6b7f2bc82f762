"""A multirange constant as ``multirange_out`` prints it, from its range type's output.

``multirange_in`` reads each range as the range type reads it, drops the empty ones, sorts
them by lower bound and merges those that overlap or touch (``[1,2)`` and ``[2,3)``;
``(1,2)`` and ``(2,3)`` do not touch); ``multirange_out`` prints them comma-separated, with
no spaces: ``'{[2020-01-01, 2020-02-01], [2020-01-15,2020-03-01)}'`` on a datemultirange is
``{[2020-01-01,2020-03-01)}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: one range of a multirange's text: its brackets and what they hold (a bound may be quoted)
_ITEM = re.compile(r'[\[(](?:"(?:[^"\\]|\\.)*"|[^\])"])*[\])]|empty', re.IGNORECASE)
#: a range as a range type's output prints it: the brackets and each bound's raw text
_PRINTED = re.compile(r'([\[(])((?:"(?:[^"\\]|\\.)*"|[^,"])*),((?:"(?:[^"\\]|\\.)*"|[^,"])*)'
                      r"([\])])\Z")

#: a bound's sort key: (0,) the unbounded lower side, (1, key) a value, (2,) the unbounded upper
_Key = tuple


def multirange_output(range_out: Callable[[str], str | None],
                      bound_key: Callable[[str], object | None]) -> Callable[[str], str | None]:
    """The output function of a multirange type whose range type prints a range as
    ``range_out`` does; ``bound_key``: a printed bound's sort key (None: not modelled)."""

    def key(raw: str, side: int) -> _Key | None:
        if not raw:
            return (side,)
        text = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\") if raw[:1] == '"' else raw
        found = bound_key(text)
        return None if found is None else (1, found)

    def canonical(value: str) -> str | None:
        text = value.strip()
        if not (text.startswith("{") and text.endswith("}")):
            return None
        inner = text[1:-1]
        if re.sub(r"[\s,]", "", _ITEM.sub("", inner)):
            return None
        ranges: list[tuple[str, str, _Key, str, str, _Key]] = []
        for item in _ITEM.findall(inner):
            out = range_out(item)
            if out is None:
                return None
            if out == "empty":
                continue
            m = _PRINTED.match(out)
            low = m and key(m.group(2), 0)
            high = m and key(m.group(3), 2)
            if m is None or low is None or high is None:
                return None
            ranges.append((m.group(1), m.group(2), low, m.group(3), m.group(4), high))
        try:
            ranges.sort(key=lambda r: (r[2], r[0] != "["))
        except TypeError:
            return None
        merged: list[list[object]] = []
        for low_bracket, low_raw, low, high_raw, high_bracket, high in ranges:
            last = merged[-1] if merged else None
            touches = last is not None and low == last[5] and (low_bracket == "[" or last[4] == "]")
            if last is not None and (low < last[5] or touches):  # type: ignore[operator]
                if high > last[5] or (high == last[5] and high_bracket == "]"):  # type: ignore[operator]
                    last[3:6] = [high_raw, high_bracket, high]
                continue
            merged.append([low_bracket, low_raw, low, high_raw, high_bracket, high])
        return "{" + ",".join(f"{r[0]}{r[1]},{r[3]}{r[4]}" for r in merged) + "}"

    return canonical
