"""Calls of functions whose last parameter is ``VARIADIC t[]`` (t not ``"any"``), as stored.

The parser merges the trailing arguments of such a call into one array and marks the call
variadic, and the deparser prints it so: ``jsonb_extract_path(j, 'a', 'b')`` reads back as
``jsonb_extract_path(j, VARIADIC ARRAY['a', 'b'])``. A ``VARIADIC "any"`` function
(``format``, ``concat``, ``json_build_object``) keeps its arguments as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from schemadiff.sql.lexer import LexError, Tok, closing, lex, top_level

#: built-in functions with a ``VARIADIC t[]`` parameter (t not "any"), and how many fixed
#: parameters come before it (pg_proc.provariadic); the pg_logical_slot_* ones are left out
VARIADIC_ARRAY_FUNCTIONS: dict[str, int] = {
    "json_extract_path": 1, "json_extract_path_text": 1, "jsonb_extract_path": 1,
    "jsonb_extract_path_text": 1, "jsonb_delete": 1,
}

#: a multirange constructor: one per multirange type, built-in (int4multirange) or made by
#: CREATE TYPE ... AS RANGE (floatmultirange, float_range_multirange). Each also has a
#: zero- and a one-argument form that is not variadic.
_MULTIRANGE = re.compile(r"[a-z_0-9]*multirange\Z")

_HINT = re.compile(r"(?i)_path|jsonb_delete|multirange")


def _spread(name: str, own: Mapping[str, int]) -> tuple[int, int] | None:
    """How many arguments a call of ``name`` (lower-case) passes before the variadic ones,
    and the fewest arguments a call that merges them passes (None: not a variadic-array
    function); a multirange constructor takes two or more ranges variadic."""
    if name in own:
        return own[name], own[name] + 1
    if name in VARIADIC_ARRAY_FUNCTIONS:
        return VARIADIC_ARRAY_FUNCTIONS[name], VARIADIC_ARRAY_FUNCTIONS[name] + 1
    if _MULTIRANGE.match(name):
        return 0, 2
    return None


def _arguments(toks: list[Tok], a: int, b: int) -> list[tuple[int, int]]:
    """The token spans of the top-level comma-separated items of ``toks[a:b]``."""
    out: list[tuple[int, int]] = []
    begin = a
    for k, t in top_level(toks, a, b):
        if t.kind == "punct" and t.text == ",":
            out.append((begin, k))
            begin = k + 1
    if begin < b:
        out.append((begin, b))
    return out


def _variadic_call(text: str, toks: list[Tok], i: int,
                   own: Mapping[str, int]) -> tuple[str, int] | None:
    """The call whose name is ``toks[i]``, rewritten with its trailing arguments in one
    ``VARIADIC ARRAY[...]``, and the index of its closing parenthesis; None where the call
    is no such call, or is written so already."""
    t = toks[i]
    name = (t.text if t.kind == "ident" else t.raw).lower()
    spread = _spread(name, own)
    if spread is None or i + 1 >= len(toks) or toks[i + 1].text != "(":
        return None
    fixed, least = spread
    qualified = i > 1 and toks[i - 1].text == "."
    if (qualified and name in VARIADIC_ARRAY_FUNCTIONS and name not in own
            and toks[i - 2].text.lower() != "pg_catalog"):
        return None  # another schema's function (a multirange type's may be in any)
    close = closing(toks, i + 1)
    if close < 0:
        return None
    spans = _arguments(toks, i + 2, close)
    if len(spans) < least:
        return None  # a multirange of none or one range: the non-variadic constructor
    if any(toks[a].kind == "word" and toks[a].text == "VARIADIC" for a, _ in spans):
        return None
    if any(toks[k].text == "=>" for a, b in spans for k in range(a, b)):
        return None  # named arguments: left as written
    items = [normalize_variadic_calls(text[toks[a].start:toks[b - 1].end], own)
             for a, b in spans]
    head = text[t.start:toks[i + 1].end]
    rewritten = (head + ", ".join(items[:fixed]) + (", " if fixed else "")
                 + "VARIADIC ARRAY[" + ", ".join(items[fixed:]) + "])")
    return rewritten, close


def normalize_variadic_calls(text: str, own: Mapping[str, int] | None = None) -> str:
    """``text`` with every call of a variadic-array function written as the deparser prints
    it (see the module's docstring); unchanged where it lexes badly. ``own``: the schema's
    own variadic-array functions (lower-case name: fixed arguments), which the comparison
    knows (:mod:`schemadiff.equivalence`)."""
    own = own or {}
    if not own and not _HINT.search(text):
        return text
    try:
        toks = lex(text)
    except LexError:
        return text
    out: list[str] = []
    pos, i = 0, 0
    while i < len(toks):
        t = toks[i]
        call = _variadic_call(text, toks, i, own) if t.kind in ("word", "ident") else None
        if call is None:
            i += 1
            continue
        rewritten, close = call
        out.append(text[pos:t.start])
        out.append(rewritten)
        pos = toks[close].end
        i = close + 1
    out.append(text[pos:])
    return "".join(out)
