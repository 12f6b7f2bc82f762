"""Canonical forms: identifiers, type names and expressions.

A migration writes ``CHECK (amount > 0)``; the catalog deparses it as
``CHECK ((amount > (0)::numeric))``. Both must map to one string. The rules here are the ones
PostgreSQL's deparser (``ruleutils.c``) applies, run in reverse: drop the casts it adds to
constants and columns, the parentheses it adds everywhere, its rewrite of ``IN (...)`` to
``= ANY (ARRAY[...])`` and of ``BETWEEN`` to two comparisons, its schema qualification of
functions (pg_dump runs with an empty ``search_path``), and identifier case and quoting.

Known, deliberate blind spots (documented in the README): a cast on a constant or a column is
not compared (``'1'::text`` equals ``'1'::varchar``), and schema qualification inside
expressions is not compared.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from schemadiff.records import record
from schemadiff.sql.floats import canonical_float4, canonical_float8
from schemadiff.sql.lambdas import without_lambdas
from schemadiff.sql.lexer import LexError, Tok, lex, unicode_value
from schemadiff.sql.multirange import multirange_output
from schemadiff.sql.quote import (
    _RESERVED,
    _SIMPLE_IDENT,
    qualified,
    quote_ident,
    quote_literal,
)
from schemadiff.sql.variadic import normalize_variadic_calls

if TYPE_CHECKING:
    from datetime import datetime

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

# sqlglot logs a warning for text it falls back to parsing as an opaque Command; with no handler
# configured, Python's last resort prints it on stderr, where the command line's output is one
# line per error. schemadiff reports those statements itself (unmodeled, with file and line).
# A NullHandler is the library convention: an application that configures logging still sees
# them.
logging.getLogger("sqlglot").addHandler(logging.NullHandler())


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a table written as one string."""
    return frozenset(text.split())


NAMEDATALEN = 64
_NUMERIC = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")

def truncate_identifier(name: str) -> str:
    """Truncate to NAMEDATALEN-1 bytes as PostgreSQL does, never splitting a UTF-8 character."""
    raw = name.encode()
    if len(raw) < NAMEDATALEN:
        return name
    return raw[: NAMEDATALEN - 1].decode(errors="ignore")


# --------------------------------------------------------------------------------- types

# Builtin type spellings -> the name ``format_type`` prints.
_TYPE_ALIASES: dict[str, str] = {
    "int": "integer",
    "int4": "integer",
    "integer": "integer",
    "serial": "integer",
    "serial4": "integer",
    "int2": "smallint",
    "smallint": "smallint",
    "smallserial": "smallint",
    "serial2": "smallint",
    "int8": "bigint",
    "bigint": "bigint",
    "bigserial": "bigint",
    "serial8": "bigint",
    "float4": "real",
    "real": "real",
    "float8": "double precision",
    "double precision": "double precision",
    "float": "double precision",
    "numeric": "numeric",
    "decimal": "numeric",
    "bool": "boolean",
    "boolean": "boolean",
    "varchar": "character varying",
    "character varying": "character varying",
    "char varying": "character varying",
    "char": "character",
    "character": "character",
    "bpchar": "bpchar",
    "timestamp": "timestamp without time zone",
    "timestamp without time zone": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "timestamp with time zone": "timestamp with time zone",
    "time": "time without time zone",
    "time without time zone": "time without time zone",
    "timetz": "time with time zone",
    "time with time zone": "time with time zone",
    "varbit": "bit varying",
    "bit varying": "bit varying",
    "bit": "bit",
}

# Builtin types whose name is already canonical (pg_catalog, always on the search path).
_BUILTIN_TYPES = _words(
    """text bytea date json jsonb uuid inet cidr macaddr macaddr8 money xml tsvector tsquery
    point line lseg box path polygon circle oid regclass regproc regprocedure regtype regconfig
    regnamespace regrole name interval int4range int8range numrange tsrange tstzrange daterange
    int4multirange int8multirange nummultirange tsmultirange tstzmultirange datemultirange pg_lsn
    txid_snapshot pg_snapshot void trigger event_trigger record anyelement anyarray anynonarray
    anyenum anyrange anymultirange anycompatible anycompatiblearray internal cstring any
    language_handler fdw_handler index_am_handler tsm_handler table_am_handler xid xid8 cid tid
    refcursor aclitem gtsvector jsonpath regoper regoperator regcollation regdictionary
    int2vector oidvector anycompatiblenonarray anycompatiblerange anycompatiblemultirange
    pg_node_tree pg_ndistinct pg_dependencies pg_mcv_list pg_ddl_command unknown"""
)

# The names in pg_type of the builtin types (what a quoted name, "text" or "int4", can name;
# "integer" or "char" quoted is no such name, or another type).
_TYPNAMES = _BUILTIN_TYPES | {
    "int2", "int4", "int8", "float4", "float8", "numeric", "bool", "varchar", "bpchar",
    "timestamp", "timestamptz", "time", "timetz", "varbit", "bit", "interval", "date",
}

# Internal array type names: _int4 -> integer[].
_SERIAL_TYPES = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})


@record
class TypeRef:
    """A type as written: builtin types are canonical already; user types need resolving.

    ``name`` is the canonical builtin name (``"character varying"``) or the raw user type name;
    ``modifiers`` is ``"(255)"`` or ``""``; ``dims`` counts ``[]``.
    """

    name: str
    schema: str | None = None
    modifiers: str = ""
    dims: int = 0
    builtin: bool = True
    serial: bool = False

    def render(self, schema: str | None = None) -> str:
        """The ``format_type`` spelling; user types are qualified with ``schema``."""
        if self.builtin:
            base = _with_modifiers(self.name, self.modifiers)
        else:
            base = qualified(schema or self.schema, self.name) + self.modifiers
        # PostgreSQL does not enforce array dimensions: text[][] is text[] in the catalog
        return base + ("[]" if self.dims else "")

    def render_bare(self, schema: str | None = None) -> str:
        """As ``format_type`` prints the type without a modifier (a routine's arguments and
        result, where PostgreSQL keeps none): ``character`` for ``char(n)`` and ``bpchar``,
        ``bit`` for ``bit(n)``, ``interval`` for ``interval year``."""
        if self.builtin:
            if self.name in ("character", "bpchar", "bit"):
                return ("bit" if self.name == "bit" else "character") + ("[]" if self.dims else "")
            if self.name.startswith("interval"):
                return "interval" + ("[]" if self.dims else "")
        return TypeRef(self.name, self.schema, "", self.dims, self.builtin).render(schema)




def _with_modifiers(name: str, mods: str) -> str:
    if not mods:
        if name == "character":
            return "character(1)"
        if name == "bit":
            return "bit(1)"
        return name
    if name.startswith("timestamp ") or name.startswith("time "):
        head, _, zone = name.partition(" ")
        return f"{head}{mods} {zone}"
    if name == "interval":
        return f"interval{mods}"
    if name == "double precision" or name == "real":
        return name
    return name + mods


def type_ref(words: list[str], modifiers: str = "", dims: int = 0, schema: str | None = None,
             quoted: bool = False) -> TypeRef:
    """Build a :class:`TypeRef` from the words of a type name.

    Args:
        words: the name's words, lower-cased unless quoted (``["double", "precision"]``,
            ``["timestamp", "with", "time", "zone"]``, ``["tenant_type"]``).
        modifiers: the raw ``(...)`` after the name, or "".
        dims: number of ``[]`` (``int[3]`` counts as one).
        schema: an explicit schema qualifier.
        quoted: the (single-word) name was a quoted identifier.
    """
    mods = re.sub(r"\s+", "", modifiers)
    if schema == "pg_catalog":
        schema = None
    if quoted and schema is None and len(words) == 1 and words[0] in _TYPNAMES:
        quoted = False  # "text" is pg_catalog's text: the quotes keep the case, no more
    if schema is None and not quoted:
        key = " ".join(words)
        # "timestamp(6) with time zone" arrives as words without the modifier.
        if key.startswith("_") and len(words) == 1:
            inner = type_ref([key[1:]], mods, 0)
            if inner.builtin:
                return TypeRef(inner.name, None, inner.modifiers, dims + 1)
        if key in ("float",) and mods:
            precision = int(re.sub(r"\D", "", mods) or 53)
            return TypeRef("real" if precision <= 24 else "double precision", dims=dims)
        if key in _TYPE_ALIASES:
            name = _TYPE_ALIASES[key]
            if name == "numeric" and mods:
                mods = mods.replace(" ", "")
                if "," not in mods:  # numeric(5) is numeric(5,0), as format_type prints it
                    mods = mods[:-1] + ",0)"
            return TypeRef(name, None, mods, dims, serial=key in _SERIAL_TYPES)
        if key.startswith("interval"):
            return TypeRef(key, None, mods, dims)
        if key in _BUILTIN_TYPES:
            return TypeRef(key, None, mods, dims)
    name = words[0] if len(words) == 1 else " ".join(words)
    return TypeRef(name, schema, mods, dims, builtin=False)


# --------------------------------------------------------------------------------- expressions

_OPERATORS = (exp.Binary, exp.Not, exp.Neg, exp.BitwiseNot)
_STRIP_CAST_OPERANDS = (exp.Literal, exp.Column, exp.Array, exp.Null, exp.Boolean, exp.Neg)


_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_WIDER_NUMBERS = (exp.DataType.Type.DECIMAL, exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT,
                  exp.DataType.Type.BIGINT)
#: builtins that return an integer, which PostgreSQL promotes where a wider number is expected
_INTEGER_FUNCTIONS = frozenset({
    "length", "char_length", "character_length", "octet_length", "bit_length", "array_length",
    "cardinality", "jsonb_array_length", "json_array_length", "strpos", "ascii", "count",
    "array_ndims", "width_bucket", "position",
    "abs", "sign",  # of an integer argument (what else they return is not promoted implicitly)
})


def _integer_function(node: exp.Expression) -> bool:
    if not isinstance(node, exp.Func) or isinstance(node, (exp.Cast, exp.TryCast)):
        return False
    m = _FUNCTION_NAME.match(node.sql(dialect="postgres"))
    return m is not None and m.group(1).lower() in _INTEGER_FUNCTIONS


def _promotable(node: exp.Expression) -> bool:
    """An integer-valued expression the catalog shows promoted: arithmetic, an integer builtin,
    or a COALESCE/NULLIF of those, columns and integer constants (``n > COALESCE(a, 0)`` comes
    back as ``n > (COALESCE(a, 0))::numeric``)."""
    if isinstance(node, _ARITHMETIC) or _integer_function(node):
        return True
    if isinstance(node, exp.Cast) and _is_type(node.args.get("to"), _INTEGER_CASTS):
        return True  # sign(x)::int ^ 2 comes back as ((sign(x))::integer)::double precision
    if isinstance(node, (exp.Coalesce, exp.Nullif)):
        args = [a for a in node.iter_expressions()]
        return bool(args) and all(
            isinstance(a, exp.Column) or _promotable(a)
            or (isinstance(a, exp.Literal) and not a.is_string and a.this.lstrip("-").isdigit())
            for a in args)
    return False


_INTEGER_CASTS = (exp.DataType.Type.INT, exp.DataType.Type.SMALLINT, exp.DataType.Type.BIGINT)
_TEXT = (exp.DataType.Type.TEXT,)
# the casts whose string constant is a number (money prints in the server's locale: not here)
_NUMBER_CASTS = (*_INTEGER_CASTS, exp.DataType.Type.DECIMAL, exp.DataType.Type.DOUBLE,
                 exp.DataType.Type.FLOAT)
#: the types whose string constants are numbers, by their ``format_type`` name (no typmod)
NUMBER_TYPES = frozenset({"smallint", "integer", "bigint", "numeric", "real",
                          "double precision"})


def number_constant(literal: exp.Expression) -> exp.Expression:
    """A string constant known to be of a number type (by a cast, the column it is compared
    with) as the number (``'1e3'`` is ``1000``, ``'010'`` is ``10``); any other expression as
    it is. A string of another type (text) is never read as a number: ``'010'`` and ``'10'``
    are different strings."""
    if not (isinstance(literal, exp.Literal) and literal.is_string
            and _NUMERIC.match(literal.this.strip())):
        return literal
    return exp.Literal.number(canonical_number(literal.this) or literal.this.strip())
_VARCHAR_OR_TEXT = (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT)


def _is_type(to: exp.Expression | None, types: tuple[exp.DataType.Type, ...]) -> bool:
    return isinstance(to, exp.DataType) and to.this in types


def _string_typed(node: exp.Expression) -> bool:
    """Whether ``node`` is visibly of type varchar or text (not char(n): its text cast trims).

    A cast to either, or a COALESCE of such values, columns, string constants and NULL:
    ``COALESCE(title, '')`` on a varchar column comes back as
    ``(COALESCE(title, ''::character varying))::text`` wherever text is expected. A column's
    type is not known here; its own casts are not compared either (the module's blind spot).
    """
    if isinstance(node, exp.Cast):
        return _is_type(node.args.get("to"), _VARCHAR_OR_TEXT)
    if isinstance(node, exp.Coalesce):
        args = [node.this, *node.expressions]
        return any(_string_typed(a) or isinstance(a, exp.Column) for a in args) and all(
            _string_typed(a) or isinstance(a, (exp.Column, exp.Null))
            or (isinstance(a, exp.Literal) and a.is_string) for a in args)
    return False


def _array_constant(literal: exp.Literal, element: str | None = None) -> exp.Literal:
    canonical = canonical_array_literal(literal.this, element)
    return exp.Literal.string(canonical) if canonical is not None else literal


def canonical_array_literal(text: str, element: str | None = None) -> str | None:
    """An array constant as ``array_out`` prints it: ``'{a, "b"}'`` is ``'{a,b}'``; each
    element as its type, ``element``, prints it (``{yes}`` of booleans is ``{t}``).

    Whitespace around unquoted elements goes, quotes stay only where an element needs them.
    None for what is not a plain array literal (dimension decorations, unbalanced text).
    """
    items = _read_array(text)
    if items is None:
        return None
    if element is not None:
        items = _typed_elements(items, element)
    return _render_array(items)


def _typed_elements(item: object, type_text: str) -> object:
    """Array elements read by :func:`_read_array` as their type's output function prints
    them (as they are where it is not known)."""
    if isinstance(item, list):
        return [_typed_elements(i, type_text) for i in item]
    if not isinstance(item, str):
        return item
    base = type_text.split("(")[0].strip()
    if base == "boolean":
        v = item.strip().lower()
        return "t" if v in _TRUE else "f" if v in _FALSE else item
    if base in _FLOAT_OUTPUT:
        return _FLOAT_OUTPUT[base](item) or item
    if base in NUMBER_TYPES:
        return canonical_number(item) or item
    out = canonical_default(quote_literal(item), type_text)
    if out and len(out) > 1 and out.startswith("'") and out.endswith("'"):
        return out[1:-1].replace("''", "'")
    return item


def _read_array(text: str) -> list[object] | None:
    """The elements of an array constant as ``array_in`` reads them: nested lists, None for
    ``NULL``; None for what is not a plain array literal."""
    pos = 0

    def skip() -> None:
        nonlocal pos
        while pos < len(text) and text[pos].isspace():
            pos += 1

    def element() -> object:
        nonlocal pos
        skip()
        if pos < len(text) and text[pos] == "{":
            return array()
        out: list[str] = []
        if pos < len(text) and text[pos] == '"':
            pos += 1
            while pos < len(text) and text[pos] != '"':
                if text[pos] == "\\":
                    pos += 1
                if pos < len(text):
                    out.append(text[pos])
                    pos += 1
            if pos >= len(text):
                raise ValueError
            pos += 1
            skip()
            return "".join(out)
        while pos < len(text) and text[pos] not in ",}":
            if text[pos] in '{"':
                raise ValueError
            if text[pos] == "\\":
                pos += 1
            if pos < len(text):
                out.append(text[pos])
                pos += 1
        word = "".join(out).strip()
        if not word:
            raise ValueError
        return None if word.upper() == "NULL" else word

    def array() -> list[object]:
        nonlocal pos
        pos += 1  # the opening brace
        items: list[object] = []
        skip()
        if pos < len(text) and text[pos] == "}":
            pos += 1
            return items
        while True:
            items.append(element())
            skip()
            if pos >= len(text):
                raise ValueError
            if text[pos] == "}":
                pos += 1
                return items
            if text[pos] != ",":
                raise ValueError
            pos += 1

    skip()
    if pos >= len(text) or text[pos] != "{":
        return None
    try:
        items = array()
    except ValueError:
        return None
    skip()
    return items if pos == len(text) else None


def _render_array(item: object) -> str:
    """``array_out``'s text of elements read by :func:`_read_array`: an element quoted where
    it needs it."""
    if item is None:
        return "NULL"
    if isinstance(item, list):
        return "{" + ",".join(_render_array(i) for i in item) + "}"
    assert isinstance(item, str)
    if item and item.upper() != "NULL" and not any(c in '{},"\\' or c.isspace() for c in item):
        return item
    return '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'


_JSONPATH_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)'
    r'|(?P<var>\$(?:[A-Za-z_]\w*|"(?:[^"\\]|\\.)*")?)|(?P<word>[A-Za-z_]\w*)'
    r'|(?P<op>==|!=|<>|<=|>=|&&|\|\||\*\*|[.@\[\]()?{},!<>+\-*/%]))')
_JSONPATH_GLUE_AFTER = frozenset({".", "[", "(", "{", ",", "?", "!"})
_JSONPATH_GLUE_BEFORE = frozenset({".", "[", "]", "(", ")", "{", "}", ",", "?"})
#: functions whose second argument is a jsonpath
_JSONPATH_FUNCTIONS = frozenset(
    [f"jsonb_path_{f}{tz}" for f in ("exists", "match", "query", "query_array", "query_first")
     for tz in ("", "_tz")] + ["json_exists"])  # (SQL/JSON's JSON_EXISTS(j, '$.a'))


def canonical_jsonpath(text: str) -> str | None:
    """A jsonpath constant in one spelling: PostgreSQL reads ``'$.a ? (@>1)'`` into its own
    form (``$."a"?(@ > 1)``: keys and variables quoted, ``lax`` left out, ``<>`` as ``!=``,
    numbers as ``numeric`` prints them, the parentheses around a whole expression its own).

    The path is read into its tree and printed with the parentheses the catalog prints
    (:class:`_JsonPath`); what that cannot read is compared by its tokens. None when the text
    is not made of jsonpath tokens.
    """
    tokens: list[tuple[str, str]] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _JSONPATH_TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            return None
        pos = m.end()
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
    if tokens and tokens[0] == ("word", tokens[0][1]) and tokens[0][1].lower() in ("lax",
                                                                                    "strict"):
        mode = tokens.pop(0)[1].lower()
        prefix = "strict " if mode == "strict" else ""
    else:
        prefix = ""
    out: list[str] = []
    for i, (kind, value) in enumerate(tokens):
        after_dot = i > 0 and tokens[i - 1] == ("op", ".")
        method = i + 1 < len(tokens) and tokens[i + 1] == ("op", "(")
        if kind == "word" and after_dot and not method:
            value = f'"{value}"'
        elif kind == "var" and len(value) > 1 and not value.startswith('$"'):
            value = f'$"{value[1:]}"'
        elif kind == "num":
            try:
                value = format(Decimal(value), "f")
            except InvalidOperation:  # pragma: no cover - the pattern reads only numbers
                return None
        elif value == "<>":
            value = "!="
        elif kind == "str":  # "\u0041" is stored as "A": escapes as escape_json writes them
            with contextlib.suppress(ValueError):  # a jsonpath-only escape (\x41): as written
                value = json.dumps(json.loads(value), ensure_ascii=False)
        out.append(value)
    try:
        return prefix + _JsonPath(out).render()
    except (ValueError, IndexError, RecursionError):  # not read as a path: its tokens
        body = _glued(out)
        while body.startswith("(") and body.endswith(")") and _balanced(body[1:-1]):
            body = body[1:-1]
        return prefix + body


def _glued(tokens: list[str]) -> str:
    """Tokens glued as the catalog prints them (``$."a"[*]?(``), spaces elsewhere."""
    body = ""
    for i, value in enumerate(tokens):
        if i and tokens[i - 1] not in _JSONPATH_GLUE_AFTER and value not in _JSONPATH_GLUE_BEFORE:
            body += " "
        body += value
    return body


#: binary jsonpath operators by priority (jsonpath.c's operationPriority)
_JP_PRIORITY = {"||": 0, "&&": 1, "==": 2, "!=": 2, "<": 2, "<=": 2, ">": 2, ">=": 2,
                "+": 3, "-": 3, "*": 4, "/": 4, "%": 4}
_JP_CLOSE = {"(": ")", "[": "]", "{": "}"}


class _JsonPath:
    """A jsonpath expression read into its tree and printed as ``printJsonPathItem`` does:
    an operand in parentheses exactly where its operator binds no tighter than its parent's
    (``@ > 1 && @ < 5 && @ != 3`` is ``(@ > 1 && @ < 5) && @ != 3``, ``(@ > 1) || (@ < 0)``
    is ``@ > 1 || @ < 0``). Raises ValueError on what it cannot read."""

    def __init__(self, tokens: list[str]) -> None:
        self.t = tokens
        self.i = 0

    def render(self) -> str:
        node = self._binary(0)
        if self.i != len(self.t):
            raise ValueError
        return self._print(node)

    def _peek(self) -> str | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def _take(self, expected: str | None = None) -> str:
        tok = self._peek()
        if tok is None or (expected is not None and tok != expected):
            raise ValueError
        self.i += 1
        return tok

    def _binary(self, level: int) -> tuple:  # type: ignore[type-arg]
        if level > 4:
            return self._unary()
        node = self._binary(level + 1)
        if level == 2 and self._peek() == "like_regex":
            self.i += 1
            pattern, flag = self._take(), None
            if self._peek() == "flag":
                self.i += 1
                flag = self._take()
            return ("like", node, pattern, flag)
        if level == 2 and self._peek() == "starts":
            self.i += 1
            self._take("with")
            return ("starts", node, self._binary(3))
        while (op := self._peek()) in _JP_PRIORITY and _JP_PRIORITY[op] == level:
            self.i += 1
            node = ("bin", op, node, self._binary(level + 1))
        return node

    def _unary(self) -> tuple:  # type: ignore[type-arg]
        tok = self._peek()
        if tok in ("+", "-"):
            self.i += 1
            return ("un", tok, self._unary())
        if tok in ("!", "exists") and self.i + 1 < len(self.t) and self.t[self.i + 1] == "(":
            self.i += 2
            inner = self._binary(0)
            self._take(")")
            return ("not" if tok == "!" else "exists", inner)
        return self._chain()

    def _raw(self, open_: str) -> str:
        """A bracketed run (subscripts, method arguments, a .** level) as its glued tokens."""
        start, depth = self.i, 0
        while True:
            tok = self._take()
            depth += tok == open_
            depth -= tok == _JP_CLOSE[open_]
            if depth == 0:
                return _glued(self.t[start:self.i])

    def _chain(self) -> tuple:  # type: ignore[type-arg]
        tok = self._take()
        if tok == "(":
            inner = self._binary(0)
            self._take(")")
            if self._peek() == "is":
                self.i += 1
                self._take("unknown")
                return ("unknown", inner)
            if self._peek() in (".", "[", "?"):
                raise ValueError  # an accessor on a parenthesized expression: not read
            return inner
        if tok in _JP_PRIORITY or tok in (")", "]", "}", ",", ".", "[", "?", "!"):
            raise ValueError
        text = tok
        while (nxt := self._peek()) in (".", "[", "?"):
            if nxt == "[":
                text += self._raw("[")
            elif nxt == "?":
                self.i += 1
                self._take("(")
                inner = self._binary(0)
                self._take(")")
                text += "?(" + self._print(inner) + ")"
            else:
                self.i += 1
                key = self._take()
                text += "." + key
                if self._peek() == "(" or (key == "**" and self._peek() == "{"):
                    text += self._raw(self.t[self.i])
        return ("atom", text)

    @staticmethod
    def _priority(node: tuple) -> int:  # type: ignore[type-arg]
        kind = node[0]
        if kind == "bin":
            return _JP_PRIORITY[node[1]]
        return {"un": 5, "like": 2, "starts": 2}.get(kind, 6)

    def _sub(self, node: tuple, parent: int) -> str:  # type: ignore[type-arg]
        text = self._print(node)
        return f"({text})" if self._priority(node) <= parent else text

    def _print(self, node: tuple) -> str:  # type: ignore[type-arg]
        kind = node[0]
        if kind == "bin":
            level = _JP_PRIORITY[node[1]]
            return f"{self._sub(node[2], level)} {node[1]} {self._sub(node[3], level)}"
        if kind == "un":
            return node[1] + self._sub(node[2], 5)
        if kind == "not":
            return f"!({self._print(node[1])})"
        if kind == "exists":
            return f"exists ({self._print(node[1])})"
        if kind == "like":
            flag = f" flag {node[3]}" if node[3] is not None else ""
            return f"{self._sub(node[1], 2)} like_regex {node[2]}{flag}"
        if kind == "starts":
            return f"{self._sub(node[1], 2)} starts with {self._sub(node[2], 2)}"
        if kind == "unknown":
            return f"({self._print(node[1])}) is unknown"
        return str(node[1])


def _jsonpath_constant(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Literal) and node.is_string:
        canonical = canonical_jsonpath(node.this)
        if canonical is not None:
            return exp.Literal.string(canonical)
    return node


def _function_source(node: exp.Expression | None) -> bool:
    """A function in FROM: ``unnest(x) AS a``, ``generate_series(1, 3) g``."""
    return isinstance(node, exp.Unnest) or (
        isinstance(node, exp.Table) and isinstance(node.this, exp.Func))


def _star_of_function(select: exp.Select) -> None:
    """``SELECT * FROM unnest(x) AS a`` reads one column, named by the alias: the deparser
    prints ``SELECT a FROM unnest(x) a(a)``."""
    from_ = select.args.get("from_") or select.args.get("from")
    if (from_ is None or select.args.get("joins") or len(select.expressions) != 1
            or not isinstance(select.expressions[0], exp.Star)):
        return
    source = from_.this
    alias = source.args.get("alias") if _function_source(source) else None
    if isinstance(alias, exp.TableAlias) and alias.name and not alias.args.get("columns"):
        select.set("expressions", [exp.Column(this=alias.this.copy())])


def _out_column_of_function(select: exp.Select) -> None:
    """``SELECT e FROM jsonb_array_elements_text(j) AS e`` reads the function's one column,
    which an OUT parameter names: the deparser prints ``SELECT e.value AS e FROM
    jsonb_array_elements_text(j) e(value)``. Only where the select reads nothing but such
    functions (a table's column of that name would be read instead: views resolve that with
    the tables' columns, :func:`_function_column_references`)."""
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is None:
        return
    columns: dict[str, str] = {}
    for source in [from_.this, *(j.this for j in select.args.get("joins") or [])]:
        if not _function_source(source) or source.args.get("ordinality"):
            return
        func, alias = source.this, source.args.get("alias")
        if (isinstance(func, exp.Anonymous) and isinstance(alias, exp.TableAlias)
                and not alias.args.get("columns") and func.name.lower() in _OUT_COLUMN):
            name = _identifier_name(alias.this)
            if name:
                alias.set("columns", [exp.to_identifier(_OUT_COLUMN[func.name.lower()])])
                columns[name] = _OUT_COLUMN[func.name.lower()]
    if not columns:
        return
    for node in list(select.find_all(exp.Column)):
        name = _identifier_name(node.this)
        if node.args.get("table") is None and name in columns and node.parent_select is select:
            column = exp.Column(this=exp.to_identifier(columns[name]))
            if node.parent is select:  # the output column keeps the alias's name
                column = exp.Alias(this=column, alias=exp.to_identifier(name))
            node.replace(column)


_FUNCTION_NAME = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)\s*\(")
_NAMED_FORMS: dict[type[exp.Expression], str] = {
    exp.Case: "case", exp.Coalesce: "coalesce", exp.Array: "array", exp.Exists: "exists",
}


def _column_name(node: exp.Expression) -> str | None:
    """The output name PostgreSQL gives an unaliased select item (``FigureColname``), for the
    forms it is known for: a column's name, a function's name, ``case``, ``coalesce`` ..."""
    if isinstance(node, exp.Column):
        ident = node.this
        if isinstance(ident, exp.Identifier):
            return ident.this if ident.quoted else ident.this.lower()
        return None
    if isinstance(node, (exp.Cast, exp.Filter, exp.Window)):  # rank() OVER w: rank
        return _column_name(node.this)
    for form, name in _NAMED_FORMS.items():
        if isinstance(node, form):
            return name
    if isinstance(node, exp.Func):
        m = _FUNCTION_NAME.match(node.sql(dialect="postgres"))
        return m.group(1).lower() if m else None
    return None


def _is_number(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string


def _bare_select_in_parentheses(node: exp.Expression | None) -> bool:
    """A set operation's operand that is a SELECT in parentheses which keep nothing apart: no
    ORDER BY, LIMIT, OFFSET, locking or WITH of its own, no alias."""
    if not isinstance(node, exp.Subquery) or any(v for k, v in node.args.items() if k != "this"):
        return False
    inner = node.this
    return isinstance(inner, exp.Select) and not any(
        inner.args.get(k) for k in ("order", "limit", "offset", "locks", "with_", "with"))


def _set_precedence(node: exp.Expression) -> int:
    """INTERSECT binds tighter than UNION and EXCEPT."""
    return 2 if isinstance(node, exp.Intersect) else 1


# text search functions whose first argument, of two or more, is a regconfig
_REGCONFIG_FIRST = frozenset({
    "to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery",
})


def _rewrite(node: exp.Expression) -> exp.Expression:
    """One bottom-up canonicalization step (children are already canonical)."""
    if isinstance(node, exp.Paren):
        return node.this
    if (isinstance(node, exp.Subquery) and isinstance(node.this, exp.Subquery)
            and not any(v for k, v in node.args.items() if k != "this")):
        # ((SELECT ...)): the deparser doubles a scalar subquery's parentheses under a cast
        # (f(((SELECT count(*) ...))::numeric)), which sqlglot reads as a subquery of one
        return node.this
    if isinstance(node, exp.Interval):
        text = node.this.name if node.this is not None else ""
        unit = node.args.get("unit")  # a qualifier outside the quotes was reduced before parsing
        canonical = canonical_interval(f"{text} {unit.name}" if unit is not None else text)
        return exp.Literal.string(canonical) if canonical is not None else node
    if isinstance(node, exp.BitString):  # B'0101' is the bit string '0101'
        return _rewrite(exp.Literal.string(node.this))
    if isinstance(node, exp.HexString):  # x'1F' is the bit string '00011111'
        try:
            return _rewrite(exp.Literal.string("".join(f"{int(c, 16):04b}" for c in node.this)))
        except ValueError:
            return node
    if isinstance(node, exp.ByteString):
        # E'a\nb' is the constant with a newline: sqlglot's tokenizer resolved the escapes
        return _rewrite(exp.Literal.string(node.this))
    if isinstance(node, exp.UnicodeString):  # U&'d\0061t' is the constant 'dat'
        escape = node.args.get("escape")
        value = unicode_value(node.this, escape.this if isinstance(escape, exp.Literal)
                              else "\\")
        return _rewrite(exp.Literal.string(value)) if value is not None else node
    if isinstance(node, exp.WindowSpec):  # ROWS BETWEEN UNBOUNDED PRECEDING ...: keywords
        for arg in ("kind", "start", "start_side", "end", "end_side"):
            value = node.args.get(arg)
            if isinstance(value, str):
                node.set(arg, value.upper())
        return node
    if (isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any)
            and isinstance(node.expression.this, (exp.Subquery, exp.Query))):
        query = node.expression.this  # = ANY (SELECT ...) and = SOME (SELECT ...) are IN
        if not isinstance(query, exp.Subquery):
            query = exp.Subquery(this=query)
        return exp.In(this=node.this, query=query)
    if isinstance(node, exp.Case) and node.args.get("default") is None:
        node.set("default", exp.Null())  # CASE without ELSE is stored with ELSE NULL
        return node
    if (isinstance(node, (exp.Like, exp.ILike)) and isinstance(node.expression, exp.Anonymous)
            and node.expression.name.lower() == "like_escape"
            and len(node.expression.expressions) == 2):
        # a LIKE p ESCAPE e is stored as a ~~ like_escape(p, e)
        pattern, escape = node.expression.expressions
        return exp.Escape(this=node.__class__(this=node.this, expression=pattern,
                                              negate=node.args.get("negate")),
                          expression=escape)
    if (isinstance(node, exp.Lateral) and not node.args.get("view")
            and not node.args.get("ordinality")
            and isinstance(node.this, (exp.Unnest, exp.Anonymous, exp.ExplodingGenerateSeries))):
        # LATERAL before a function in FROM is implied: the deparser prints it when the call
        # reads a column of an earlier item
        func, alias = node.this, node.args.get("alias")
        if isinstance(alias, exp.TableAlias):
            columns = alias.args.get("columns") or []
            if len(columns) == 1 and columns[0].name == alias.name:
                alias.set("columns", None)  # f(x) AS a(a): as for a function in FROM
        if isinstance(func, exp.Unnest):
            if alias is not None:
                func.set("alias", alias)
            return func
        return exp.Table(this=func, alias=alias)
    if isinstance(node, exp.SetOperation):
        left = node.this
        if (isinstance(left, exp.Subquery) and isinstance(left.this, exp.SetOperation)
                and not any(v for k, v in left.args.items() if k != "this")
                and _set_precedence(left.this) >= _set_precedence(node)):
            node.set("this", left.this)  # (a INTERSECT b) EXCEPT c: the deparser's parentheses
        for side in ("this", "expression"):
            operand = node.args.get(side)
            if _bare_select_in_parentheses(operand):
                node.set(side, operand.this)  # a UNION (SELECT 0): parentheses that change nothing
        right = node.args.get("expression")
        if (isinstance(right, exp.SetOperation)
                and _set_precedence(right) > _set_precedence(node)):
            # a UNION b INTERSECT c is a UNION (b INTERSECT c), which the deparser prints
            node.set("expression", exp.Subquery(this=right))
        return node
    if (isinstance(node, exp.Anonymous) and node.name.upper() == "ROW"
            and len(node.expressions) > 1):  # (a, b) is stored as ROW(a, b)
        return exp.Tuple(expressions=node.expressions)
    if isinstance(node, exp.Literal) and not node.is_string:
        text = canonical_number(node.this)  # 1e3 is the numeric constant 1000, 010 is 10
        return node if text is None or text == node.this else exp.Literal.number(text)
    if (isinstance(node, exp.Anonymous) and isinstance(node.this, str)
            and node.this.lower() in _REGCONFIG_FIRST and len(node.expressions) > 1
            and isinstance(node.expressions[0], exp.Literal) and node.expressions[0].is_string):
        # to_tsvector('pg_catalog.english', x): the constant is the regconfig argument
        canonical = canonical_regconfig(node.expressions[0].this)
        if canonical is not None:
            node.expressions[0].replace(exp.Literal.string(canonical))
        return node
    if isinstance(node, exp.ParseJSON) and node.args.get("is_literal"):
        return node.this  # json '{}' is the constant '{}'::json
    if isinstance(node, exp.Cast):
        inner = node.this
        to = node.args.get("to")
        if _is_type(to, _NUMBER_CASTS) or (
                _is_type(to, (exp.DataType.Type.USERDEFINED,))
                and (to.args.get("kind") is None or to.args["kind"].name.lower() not in _TYPNAMES)):
            # '-1'::integer, '1e3'::numeric: the number; a type of the schema's own (a domain,
            # a base type) is taken for one too, as the catalog prints its constants bare; a
            # builtin sqlglot does not know is not ('1001'::varbit is the bit string)
            number = number_constant(inner)
            if number is not inner:
                node.set("this", number)
                inner = number
        if (isinstance(to, exp.ObjectIdentifier) and isinstance(inner, exp.Literal)
                and inner.is_string and to.name.upper() == "REGCLASS"):
            # 'public.seq'::regclass names the relation; its schema is not compared
            return exp.Literal.string(quote_ident(_unqualify(inner.this)))
        if (isinstance(to, exp.ObjectIdentifier) and isinstance(inner, exp.Literal)
                and inner.is_string and to.name.upper() in ("REGTYPE", "REGCONFIG")):
            # 'int4'::regtype is stored as the type regtypeout names, 'pg_catalog.english'::
            # regconfig as the configuration's name
            canonical = (canonical_regtype if to.name.upper() == "REGTYPE"
                         else canonical_regconfig)(inner.this)
            return exp.Literal.string(canonical) if canonical is not None else inner
        if (isinstance(inner, exp.Literal) and isinstance(to, exp.DataType)
                and to.this == exp.DataType.Type.INTERVAL):  # '0' came up as a number here
            canonical = canonical_interval(inner.this)
            if canonical is not None:
                return exp.Literal.string(canonical)
        if (isinstance(inner, exp.Literal) and inner.is_string and isinstance(to, exp.DataType)
                and to.this == exp.DataType.Type.ARRAY):
            element = to.expressions[0] if to.expressions else None
            return _array_constant(inner, None if not isinstance(element, exp.DataType) else
                                   _CAST_TYPES.get(element.this) or _type_name(element))
        if (isinstance(inner, exp.Literal) and isinstance(to, exp.DataType)
                and to.this == exp.DataType.Type.USERDEFINED
                and to.args.get("kind") is not None and to.args["kind"].name.lower() == "jsonpath"):
            return _jsonpath_constant(inner)  # '$.a'::jsonpath is stored as '$."a"'
        if (isinstance(inner, exp.Literal) and inner.is_string and isinstance(to, exp.DataType)
                and to.this == exp.DataType.Type.JSONB):
            return _jsonb_constant(inner)  # '{"a":1}'::jsonb is stored as jsonb_out prints it
        if (isinstance(inner, exp.Literal) and inner.is_string and isinstance(to, exp.DataType)
                and _type_name(to) in ("hstore", "cube")):
            # 'a=>1'::hstore is stored as '"a"=>"1"', '(0,0)'::cube as '(0, 0)'
            out = _OUTPUT_FUNCTIONS[_type_name(to)](inner.this)
            return exp.Literal.string(out) if out is not None else inner
        if isinstance(inner, exp.Literal) and inner.is_string and isinstance(to, exp.DataType):
            typed = _cast_constant(inner, _type_name(to))
            if to.this in _DATETIME_CAST_TYPES:  # '2020-01-01'::timestamptz: an instant
                typed = datetime_constant(typed)
            if typed is not inner:
                return _rewrite(typed)
        if isinstance(inner, _STRIP_CAST_OPERANDS) or (
            isinstance(inner, exp.Anonymous) and inner.name.lower() == "nextval"
        ):
            return inner
        if (_promotable(inner)
                and isinstance(to, exp.DataType)
                and to.this in _WIDER_NUMBERS and not to.expressions):
            # round(a / b, 2) comes back as round(((a / b))::numeric, 2): the deparser shows
            # the implicit promotion of an integer result to the numeric type expected (like
            # the casts on columns, a blind spot: an explicit such cast is not compared)
            return inner
        if _is_type(to, _TEXT) and _string_typed(inner):
            # PostgreSQL coerces a varchar argument to a text parameter and the deparser shows
            # it: f(CAST(x AS varchar)) comes back as f(((x)::character varying)::text). The
            # text cast of a varchar or text value never changes the value, so it is dropped.
            return inner
        return node
    if isinstance(node, exp.DateBin):
        # date_bin(stride, source, origin): sqlglot reads the origin as a bare word, a column
        # or a constant alike (a constant starts with a digit, a name never does); the stride
        # is an interval in every overload ('5 minutes' is '00:05:00')
        stride, origin = node.this, node.args.get("unit")
        if isinstance(stride, exp.Literal) and stride.is_string:
            canonical = canonical_interval(stride.this)
            stride = exp.Literal.string(canonical) if canonical is not None else stride
        if isinstance(origin, exp.Var) and origin.name[:1].isdigit():  # a name never is
            # the origin is a timestamp or a timestamptz, as the source is
            origin = datetime_constant(exp.Literal.string(origin.name))
        elif isinstance(origin, exp.Literal) and origin.is_string:
            origin = datetime_constant(origin)
        elif isinstance(origin, exp.Var):
            origin = exp.column(origin.name)
        args = [a for a in (stride, node.expression, origin) if a is not None]
        return exp.Anonymous(this="DATE_BIN", expressions=args)
    if isinstance(node, (exp.ArrayContainsAll, exp.ArrayContainedBy)):
        # j @> '{"a":1}': a JSON object constant is a jsonb one (an array or a range constant
        # never reads as a JSON object)
        for arg in ("this", "expression"):
            operand = node.args.get(arg)
            if (isinstance(operand, exp.Literal) and operand.is_string
                    and operand.this.lstrip().startswith("{")):
                node.set(arg, _jsonb_constant(operand))
        return node
    if isinstance(node, exp.JSONValue) and node.args.get("path") is not None:
        node.set("path", _jsonpath_constant(node.args["path"]))  # JSON_VALUE(j, '$.a')
        if not node.args.get("returning"):  # the deparser prints the default RETURNING
            node.set("returning", exp.DataType.build("text"))
        return node
    if isinstance(node, exp.JSONBPathExists):  # j @? '$.a': the operand is a jsonpath
        node.set("expression", _jsonpath_constant(node.expression))
        return node
    if (isinstance(node, exp.MatchAgainst) and isinstance(node.this, exp.Literal)
            and node.this.is_string and node.this.this.lstrip().startswith("$")):
        node.set("this", _jsonpath_constant(node.this))  # j @@ '$.a == 1' (not a tsquery)
        return node
    if (isinstance(node, (exp.JSONBExtractScalar, exp.JSONBExtract, exp.JSONBDeleteAtPath))
            and isinstance(node.expression, exp.Literal) and node.expression.is_string):
        # #>> '{a, b}': the path is a text[] constant, stored as the catalog prints it
        node.set("expression", _array_constant(node.expression))
        return node
    if isinstance(node, exp.Literal) and node.is_string and isinstance(node.parent, exp.Cast):
        # '0.50'::double precision is stored as the float, as float8out prints it ('0.5');
        # a number cast so (0.50::double precision) stays the numeric constant it is
        float_out = _FLOAT_OUTPUT.get(_type_name(node.parent.args.get("to")))
        out = float_out(node.this) if float_out is not None else None
        if out is not None and _NUMERIC.match(out):
            # a float's -0 equals its 0 and is read as the number -0, which a numeric lacks
            return exp.Literal.number("0" if out == "-0" else out)
    if isinstance(node, exp.Neg) and _is_number(node.this):
        text = node.this.this
        text = text[1:] if text.startswith("-") else "-" + text
        return exp.Literal.number(canonical_number(text) or text)  # -0.0 is 0.0: no numeric -0
    if isinstance(node, (exp.In, exp.EQ, exp.NEQ)) and isinstance(node.this, exp.Tuple):
        rows = _row_comparison(node)
        if rows is not None:
            return rows
    if (isinstance(node, (exp.NullSafeNEQ, exp.NullSafeEQ)) and isinstance(node.this, exp.Tuple)
            and isinstance(node.expression, exp.Tuple)
            and len(node.this.expressions) == len(node.expression.expressions)):
        # (a, b) IS DISTINCT FROM (1, 2) is stored column by column, a IS DISTINCT FROM 1 OR
        # b IS DISTINCT FROM 2; IS NOT DISTINCT FROM as NOT (that)
        distinct = _chain(exp.Or, [
            exp.NullSafeNEQ(this=a.copy(), expression=b.copy())
            for a, b in zip(node.this.expressions, node.expression.expressions, strict=True)])
        return distinct if isinstance(node, exp.NullSafeNEQ) else exp.Not(this=distinct)
    if isinstance(node, exp.In) and node.expressions and not node.args.get("query"):
        if len(node.expressions) == 1:  # x IN (a) is parsed as x = a
            return exp.EQ(this=node.this, expression=node.expressions[0])
        array = exp.Array(expressions=node.expressions)
        return exp.EQ(this=node.this, expression=exp.Any(this=array))
    if isinstance(node, exp.Not):
        inner = node.this
        if isinstance(inner, exp.EQ) and isinstance(inner.expression, exp.Any):
            return exp.NEQ(this=inner.this, expression=exp.All(this=inner.expression.this))
        if isinstance(inner, exp.NullSafeNEQ):  # IS NOT DISTINCT FROM is NOT (IS DISTINCT FROM)
            return exp.NullSafeEQ(this=inner.this, expression=inner.expression)
        return node
    if isinstance(node, exp.Between):
        x, low, high = node.this, node.args["low"], node.args["high"]
        forward = exp.And(this=exp.GTE(this=x, expression=low),
                          expression=exp.LTE(this=x.copy(), expression=high))
        if not node.args.get("symmetric"):
            return forward
        # BETWEEN SYMMETRIC: either order of the bounds
        return exp.Or(this=forward, expression=exp.And(
            this=exp.GTE(this=x.copy(), expression=high.copy()),
            expression=exp.LTE(this=x.copy(), expression=low.copy())))
    if (isinstance(node, exp.RegexpLike) and isinstance(node.expression, exp.Anonymous)
            and node.expression.name.lower() in ("similar_to_escape", "similar_escape")):
        # x SIMILAR TO p [ESCAPE e] is stored as x ~ similar_to_escape(p [, e])
        args = node.expression.expressions
        similar = exp.SimilarTo(this=node.this.copy(), expression=args[0].copy())
        if len(args) == 2 and not isinstance(args[1], exp.Null):
            return exp.Escape(this=similar, expression=args[1].copy())
        return similar
    if isinstance(node, exp.Column) and (node.args.get("table") or node.args.get("db")):
        table = node.args.get("table")
        if table is not None and not node.args.get("db") and table.name.lower() in ("old", "new"):
            return exp.Column(this=node.this, table=exp.Identifier(this=table.name.lower()))
        return exp.Column(this=node.this)
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
        return node.expression  # public.f(x) -> f(x)
    if isinstance(node, exp.TableAlias) and _function_source(node.parent):
        columns = node.args.get("columns") or []
        if len(columns) == 1 and columns[0].name == node.name:
            node.set("columns", None)  # unnest(x) AS a(a): the deparser names the one column
        return node
    if isinstance(node, exp.Select):
        _star_of_function(node)
        _out_column_of_function(node)
        _flatten_join_groups(node)  # FROM (a JOIN b ON ...): the deparser's parentheses
        _positional_to_expressions(node)  # ORDER BY 1 is stored as the column it names
        return node
    if isinstance(node, exp.Alias) and isinstance(node.parent, exp.Select):
        ident = node.args.get("alias")
        if isinstance(ident, exp.Identifier):
            name = ident.this if ident.quoted else ident.this.lower()
            if name == _column_name(node.this) or (
                    isinstance(node.this, exp.CurrentTimestamp) and name == "now"):  # now()
                # (SELECT count(*) AS count FROM t): the deparser names every output column;
                # an alias that is the name PostgreSQL would give anyway says nothing
                return node.this
        return node
    if (isinstance(node, exp.DataType) and node.this == exp.DataType.Type.DOUBLE
            and len(node.expressions) == 1):
        # float(p) is real up to 24 binary digits, double precision beyond (the catalog's)
        param = node.expressions[0]
        digits = param.this if isinstance(param, exp.DataTypeParam) else param
        if isinstance(digits, exp.Literal) and digits.this.isdigit():
            single = int(digits.this) <= 24
            return exp.DataType.build("real" if single else "double precision")
    if (isinstance(node, exp.DataType) and node.this == exp.DataType.Type.USERDEFINED
            and isinstance(node.args.get("kind"), exp.Dot)):
        # CAST($1 AS public.mood): the catalog qualifies a type named in a SQL-standard body
        node.set("kind", node.args["kind"].expression)
        return node
    if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
        alias = node.args.get("alias")
        if isinstance(alias, exp.TableAlias) and not alias.args.get("columns"):
            # FROM t AS t_1: the deparser gives a relation a name unique in the whole
            # expression (set_rtable_names), so a policy's subquery reading the policy's own
            # table prints it aliased. Column qualifiers are not compared (above), so an alias
            # that only qualifies says nothing either; one that renames columns stays
            node.set("alias", None)
    if isinstance(node, exp.Table) and (node.args.get("db") or node.args.get("catalog")):
        node.set("db", None)  # FROM public.t in a subquery -> FROM t
        node.set("catalog", None)
        return node
    if isinstance(node, (exp.TimestampTrunc, exp.DateTrunc, exp.Extract)):
        # the unit arrives as Var(DAY) from 'day' and as the literal from the catalog's 'day'::text
        field = "unit" if not isinstance(node, exp.Extract) else "this"
        unit = node.args.get(field)
        if isinstance(unit, (exp.Var, exp.Literal)) and not (isinstance(unit, exp.Literal)
                                                               and not unit.is_string):
            node.set(field, exp.Var(this=unit.name.upper()))
        return node
    if isinstance(node, exp.AtTimeZone):
        return exp.Anonymous(this="timezone", expressions=[node.args["zone"], node.this])
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        args = node.expressions
        if name == "nextval" and args and isinstance(args[0], exp.Literal) and args[0].is_string:
            return exp.Anonymous(
                this=name, expressions=[exp.Literal.string(_unqualify(args[0].this))]
            )
        if name in _JSONPATH_FUNCTIONS and len(args) > 1:
            args = [args[0], _jsonpath_constant(args[1]), *args[2:]]
        if name in ("tstzrange", "tsrange", "daterange"):  # the bounds are their subtype's
            args = [datetime_constant(a) if i < 2 else a for i, a in enumerate(args)]
        if name in ("any", "some") and len(args) == 1:
            return exp.Any(this=args[0])
        if name == "all" and len(args) == 1:
            return exp.All(this=args[0])
        return exp.Anonymous(this=name, expressions=args)
    return node


_ISO_DATETIME = re.compile(
    r"\s*\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?\s*(?:[+-]\d\d(?::?\d\d)?|Z)?\s*\Z"
)


# the casts whose string constant is a date, a timestamp or an instant: compared in one form
_DATETIME_CAST_TYPES = frozenset({exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP,
                                  exp.DataType.Type.TIMESTAMPTZ})


def datetime_constant(literal: exp.Expression) -> exp.Expression:
    """A string constant known to be of a date or time type (by a cast, the column or the
    operand it is compared with, the parameter it is passed to) in the one ISO form of
    :func:`_canonical_datetime_literal`; any other expression as it is. A constant of another
    type (text) is never given that form: ``'2020-01-01'`` and ``'2020-01-01 00:00:00'`` are
    different strings."""
    if not (isinstance(literal, exp.Literal) and literal.is_string
            and _ISO_DATETIME.match(literal.this)):
        return literal
    canonical = _canonical_datetime_literal(literal.this)
    return exp.Literal.string(canonical) if canonical is not None else literal


def bound_value(text: str) -> str:
    """A partition bound's value in canonical form. ``pg_get_expr`` prints a bound's constants
    without their key's type, which the catalog's row does not give: an ISO date/time constant
    is compared in :func:`datetime_constant`'s form whatever the key (a text key's
    ``'2020-01-01'`` and ``'2020-01-01 00:00:00'`` compare equal: a documented blind spot)."""
    out = normalize_expression(text)
    m = _STRING_LITERAL.match(out)
    if m is not None and _NUMERIC.match(m.group(1).strip()):  # '10': a number, as a text key's
        return canonical_number(m.group(1)) or out
    if m is None or not _ISO_DATETIME.match(m.group(1)):
        return out
    canonical = _canonical_datetime_literal(m.group(1))
    return quote_literal(canonical) if canonical is not None else out


_SHORT_FRACTION = re.compile(r"(\.[0-9]{1,5})(?![0-9])")


def _fromisoformat(text: str) -> datetime:
    """:meth:`datetime.fromisoformat`; on Python 3.10, which reads only 3 or 6 fractional
    digits, a shorter fraction is padded first (``.5`` -> ``.500000``)."""
    from datetime import datetime

    if sys.version_info < (3, 11):  # pragma: no cover - Python 3.10
        text = _SHORT_FRACTION.sub(lambda m: m.group(1).ljust(7, "0"), text, count=1)
    return datetime.fromisoformat(text)


def _canonical_datetime_literal(value: str) -> str | None:
    """An ISO date/time constant in one spelling, whatever type it was cast to.

    The catalog prints a constant compared with a ``timestamptz`` column in the server's zone
    (``'2020-01-01'`` comes back as ``'2020-01-01 00:00:00+00'``), with a ``date`` one as the
    bare date. Both map to the UTC instant, the time left out at midnight: ``'2020-01-01'``.
    A zone-less value is read as UTC (the zone pg_dump and the tests run in).
    """
    from datetime import timezone

    text = value.strip().replace("T", " ").replace("Z", "+00:00")
    if re.search(r"[+-]\d\d\Z", text):
        text += ":00"
    elif re.search(r"[+-]\d{4}\Z", text):
        text = text[:-2] + ":" + text[-2:]
    try:
        dt = _fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    if (dt.hour, dt.minute, dt.second, dt.microsecond) == (0, 0, 0, 0):
        return dt.date().isoformat()
    out = dt.strftime("%Y-%m-%d %H:%M:%S")
    if dt.microsecond:
        out += ("." + f"{dt.microsecond:06d}").rstrip("0")
    return out


def _unqualify(regclass_text: str) -> str:
    """``public."Seq"`` -> ``Seq``; ``seq`` -> ``seq`` (the relation name of a regclass literal)."""
    parts = _split_qualified(regclass_text)
    return parts[-1]


def _split_qualified(text: str) -> list[str]:
    parts: list[str] = []
    for m in re.finditer(r'"((?:[^"]|"")*)"|([^."]+)', text):
        quoted = m.group(1)
        parts.append(quoted.replace('""', '"') if quoted is not None else m.group(2).lower())
    return parts or [text]


def _not_between(b: exp.Between) -> exp.Expression:
    """``a NOT BETWEEN x AND y`` as the deparser writes it: ``a < x OR a > y``; SYMMETRIC:
    ``(a < x OR a > y) AND (a < y OR a > x)``."""
    a, low, high = b.this, b.args["low"], b.args["high"]

    def outside(lo: exp.Expression, hi: exp.Expression) -> exp.Expression:
        return exp.Or(this=exp.LT(this=a.copy(), expression=lo.copy()),
                      expression=exp.GT(this=a.copy(), expression=hi.copy()))

    if not b.args.get("symmetric"):
        return outside(low, high)
    return exp.And(this=exp.Paren(this=outside(low, high)),
                   expression=exp.Paren(this=outside(high, low)))


def canonical_number(text: str) -> str | None:
    """A number as numeric_out (and int4out) print it: ``'1e3'`` is ``1000``, ``'010'`` is
    ``10``, ``'.5'`` is ``0.5``, ``'+1.50'`` is ``1.50`` (the scale written is kept, as numeric
    keeps it), ``'-0'`` is ``0``; None when it is not a number."""
    if not _NUMERIC.match(text.strip()):
        return None
    try:
        out = format(Decimal(text.strip()), "f")
    except InvalidOperation:  # pragma: no cover - the pattern reads only numbers
        return None
    return out[1:] if out.startswith("-") and not out.strip("-0.") else out


def _chain(kind: type[exp.Connector], items: list[exp.Expression]) -> exp.Expression:
    out = items[0]
    for item in items[1:]:
        out = kind(this=out, expression=item)
    return out


def _row_comparison(node: exp.Expression, negated: bool = False) -> exp.Expression | None:
    """A row compared with ``=``, ``<>`` or ``[NOT] IN`` as the server stores it: its columns
    compared one by one, ``(a, b) = (1, 2)`` as ``a = 1 AND b = 2``, ``<>`` as ``a <> 1 OR
    b <> 2``, ``IN`` a list of rows as the ``OR`` of their equalities (``NOT IN``: the
    ``AND`` of their inequalities). None: not rows of one width (a subquery, a row
    variable)."""
    left = node.this
    if isinstance(node, exp.In):
        if node.args.get("query") or not node.expressions:
            return None
        rows = list(node.expressions)
        negated = negated or bool(node.args.get("is_not"))
    else:
        rows = [node.expression]
        negated = isinstance(node, exp.NEQ)
    if not all(isinstance(r, exp.Tuple) and len(r.expressions) == len(left.expressions)
               for r in rows):
        return None
    each = []
    for row in rows:
        pairs = [(exp.NEQ if negated else exp.EQ)(this=a.copy(), expression=b.copy())
                 for a, b in zip(left.expressions, row.expressions, strict=True)]
        each.append(_chain(exp.Or if negated else exp.And, pairs))
    return _chain(exp.And if negated else exp.Or, each)


def _canonical_tree(node: exp.Expression) -> exp.Expression:
    if (isinstance(node, exp.Not) and isinstance(node.this, exp.In)
            and isinstance(node.this.this, exp.Tuple)):
        rows = _row_comparison(node.this, negated=True)  # (a, b) NOT IN ((1, 2), ...)
        if rows is not None:
            node = rows
    if (isinstance(node, exp.Not) and isinstance(node.this, exp.In)
            and len(node.this.expressions) == 1 and not node.this.args.get("query")):
        # x NOT IN (a) is parsed as x <> a (and must not read as NOT (x = a))
        node = exp.NEQ(this=node.this.this, expression=node.this.expressions[0])
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Between):
        node = _not_between(node.this)
    for child in list(node.iter_expressions()):
        new = _canonical_tree(child)
        if new is not child:
            child.replace(new)
    return _rewrite(node)


def _finish(tree: exp.Expression) -> exp.Expression:
    """Identifier case and quoting; explicit parentheses wherever operators nest."""
    for node in list(tree.walk()):
        if isinstance(node, exp.Identifier):
            name = node.this if node.quoted else node.this.lower()
            node.set("this", name)
            node.set("quoted", not _SIMPLE_IDENT.match(name) or name in _RESERVED)
    for node in [n for n in tree.walk()
                 if isinstance(n, _OPERATORS) and isinstance(n.parent, _OPERATORS)
                 and not (isinstance(n.parent, exp.Escape) and n.parent.this is n)]:
        # (not x LIKE p of x LIKE p ESCAPE e: (x LIKE p) ESCAPE e does not parse again)
        # wrap the node itself, not a copy: a copy would leave the nodes under it, still to be
        # wrapped, outside the tree ((a + b) * c / d came out as (a + b * c) / d)
        paren = exp.Paren()
        node.replace(paren)
        paren.set("this", node)
    return tree


_MULTIWORD_CASTS = [
    (re.compile(r"::\s*character\s+varying\b", re.I), "::varchar"),
    (re.compile(r"::\s*double\s+precision\b", re.I), "::float8"),
    (re.compile(r"::\s*bit\s+varying\b", re.I), "::varbit"),
    (re.compile(r"::\s*timestamp(\s*\(\d+\))?\s+with\s+time\s+zone\b", re.I), r"::timestamptz\1"),
    (re.compile(r"::\s*timestamp(\s*\(\d+\))?\s+without\s+time\s+zone\b", re.I), r"::timestamp\1"),
    (re.compile(r"::\s*time(\s*\(\d+\))?\s+with\s+time\s+zone\b", re.I), r"::timetz\1"),
    (re.compile(r"::\s*time(\s*\(\d+\))?\s+without\s+time\s+zone\b", re.I), r"::time\1"),
    # an array of oid or of a reg* type, which sqlglot parses only qualified (the deparser
    # writes ``(ARRAY[...])::oid[]`` where a reg* column meets = ANY)
    (re.compile(r"::\s*(oid|reg[a-z]+)\s*\[\]", re.I), r"::pg_catalog.\1[]"),
    # the cube extension's type, a keyword to sqlglot unless qualified (the schema of a
    # constant's type is not compared)
    (re.compile(r"::\s*cube\b", re.I), "::public.cube"),
]


_OPERATOR_SYNTAX = re.compile(
    r"\bOPERATOR\s*\(\s*(?:(?:\"[^\"]*\"|\w+)\s*\.\s*)?([^\s()\w\"]+)\s*\)", re.I
)


_FIELD = r"(?:year|month|day|hour|minute|second)"
_INTERVAL_QUALIFIED = re.compile(
    rf"(?i)\binterval\s+'((?:[^']|'')*)'\s+({_FIELD}(?:\s+to\s+{_FIELD})?)\b"
)


def _interval_range_constant(m: re.Match[str]) -> str:
    """``interval '1.5' hour`` / ``interval '1 day 2:03' hour to minute`` as its value.

    The qualifier outside the quotes truncates (``interval '1.5' hour`` is ``01:00:00``), one
    inside does not (``interval '1.5 hour'`` is ``01:30:00``); sqlglot reads both as the same
    tree, so the qualified form is reduced before it parses.
    """
    canonical = canonical_interval(m.group(1).replace("''", "'"), " ".join(m.group(2).split()))
    return m.group(0) if canonical is None else quote_literal(canonical) + "::interval"


#: type names sqlglot does not read in a typed constant (``box '(0,0),(1,1)'``), which
#: PostgreSQL reads as ``'(0,0),(1,1)'::box``
_TYPED_CONSTANT_NAMES = frozenset({
    "box", "circle", "lseg", "line", "path", "polygon", "cidr", "macaddr", "macaddr8",
    "jsonpath", "tsquery", "tsvector", "varbit", "citext", "ltree", "lquery", "ltxtquery",
    "pg_lsn", "txid_snapshot", "pg_snapshot",
})
_TYPED_CONSTANT_HINT = re.compile(r"(?i)\b(?:" + "|".join(sorted(_TYPED_CONSTANT_NAMES))
                                  + r")\s*'")


def _typed_constants_as_casts(text: str) -> str:
    """``type 'constant'`` written as ``'constant'::type`` for the types sqlglot does not
    read so (see :data:`_TYPED_CONSTANT_NAMES`)."""
    if not _TYPED_CONSTANT_HINT.search(text):
        return text
    try:
        toks = lex(text)
    except LexError:
        return text
    out, pos = [], 0
    for word, const in pairwise(toks):
        if (word.kind == "word" and word.text.lower() in _TYPED_CONSTANT_NAMES
                and const.kind == "string" and not const.dollar):
            out.append(text[pos:word.start] + const.raw + "::" + word.raw)
            pos = const.end
    return "".join(out) + text[pos:]


def _replace_tokens(text: str, replace: Callable[[Tok], str | None]) -> str:
    """``text`` with each token ``replace`` gives a new spelling for (not None) spelled so;
    strings and quoted names stay as they are (text the lexer refuses is returned as is)."""
    try:
        toks = lex(text)
    except LexError:
        return text
    out, pos = [], 0
    for tok in toks:
        new = replace(tok)
        if new is not None:
            out.append(text[pos:tok.start] + new)
            pos = tok.end
    return "".join(out) + text[pos:]


def _named_arguments_arrowed(text: str) -> str:
    """``f(a := 1)``, the older spelling of a named argument, as ``f(a => 1)``, which the
    catalog prints (sqlglot reads ``:=`` as an assignment, and make_interval's as its
    first argument)."""
    if ":=" not in text:
        return text
    return _replace_tokens(text, lambda t: "=>" if t.kind == "punct" and t.text == ":=" else None)


#: binary operators of PostgreSQL's (inet, geometric, text pattern, tsvector) that sqlglot's
#: tokenizer does not know: written OPERATOR(op), which it reads as an operator of their
#: precedence and prints back so
_UNKNOWN_OPERATORS = frozenset({"<<=", ">>=", "~=", "<^", ">^", "?#", "<<|", "|>>", "&<|", "|&>",
                                "?-|", "?||", "##", "<#>", "~>=~", "~<=~", "~>~", "~<~", "@@@"})
_UNKNOWN_OPERATOR_HINT = re.compile(r"<<=|>>=|~=|<\^|>\^|\?#|<<\||\|>>|&<\||\|&>|\?-\|"
                                    r"|\?\|\||##|<#>|~[<>]=?~|@@@")


def _operators_spelled_out(text: str) -> str:
    """``a <<= b`` as ``a OPERATOR(<<=) b`` for the operators of :data:`_UNKNOWN_OPERATORS`
    (outside string constants and quoted names)."""
    if not _UNKNOWN_OPERATOR_HINT.search(text):
        return text
    return _replace_tokens(text, lambda t: f"OPERATOR({t.text})"
                           if t.kind == "punct" and t.text in _UNKNOWN_OPERATORS else None)


_NUMBER_SPELLING_HINT = re.compile(r"\d_\d|\b0[xXoObB]")


def _numbers_in_decimal(text: str) -> str:
    """PostgreSQL 16's integer constants in hexadecimal, octal or binary (``0xFF``, ``0o755``,
    ``0b1010``) and numbers with underscores (``1_000_000``) as the decimal numbers they are,
    which the catalog prints (sqlglot reads ``1_000`` as ``1 AS _000``)."""
    if not _NUMBER_SPELLING_HINT.search(text):
        return text
    return _replace_tokens(text, _decimal)


def _decimal(tok: Tok) -> str | None:
    """A number token spelled otherwise than in plain decimal, in decimal (None: it is)."""
    raw = tok.raw
    based = raw[:2].lower() in ("0x", "0o", "0b")
    if tok.kind != "number" or not ("_" in raw or based):
        return None
    try:
        return str(int(raw, 0)) if based else raw.replace("_", "")
    except ValueError:
        return None


def _parse_expression(text: str) -> exp.Expression | None:
    text = _typed_constants_as_casts(normalize_variadic_calls(_named_arguments_arrowed(
        _numbers_in_decimal(text))))
    if "::" in text:
        for pattern, repl in _MULTIWORD_CASTS:
            text = pattern.sub(repl, text)
    if "interval" in text.lower():
        text = _INTERVAL_QUALIFIED.sub(_interval_range_constant, text)
    if "OPERATOR" in text or "operator" in text:
        # OPERATOR(public.<) -> <: pg_dump qualifies operators outside pg_catalog (schema
        # qualification inside expressions is not compared)
        text = _OPERATOR_SYNTAX.sub(r"\1", text)
    text = _operators_spelled_out(text)
    try:
        tree = sqlglot.parse_one(text, read="postgres")
        if "->" in text:
            tree = without_lambdas(tree)  # f(data -> 'k'): the JSON operator, not a lambda
    except (SqlglotError, ValueError, RecursionError):
        return None
    except (TypeError, AttributeError, IndexError, KeyError):
        return None  # sqlglot's own bugs on input it does not know (``a ?# b``: TypeError)
    return tree


@lru_cache(maxsize=65536)
def normalize_expression(text: str) -> str:
    """The canonical text of a scalar expression (a default, a check, an index key, a WHERE).

    Falls back to whitespace-collapsed text when sqlglot cannot parse the expression, so that
    equal texts still compare equal.
    """
    tree = _parse_expression(text)
    if tree is None:
        return _collapse(text)
    tree = _finish(_canonical_tree(tree))
    try:
        return tree.sql(dialect="postgres", comments=False)
    except (SqlglotError, ValueError):  # pragma: no cover - generator gaps
        return _collapse(text)


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+\Z")


def nextval_default(sequence: str) -> str:
    """The canonical default of a serial column drawing on ``sequence`` (a raw name).

    What :func:`normalize_expression` makes of ``nextval('<sequence>'::regclass)``; a plain
    name is spelled out directly (replaying thousands of serial columns parsed each one),
    anything else takes the parser's way.
    """
    if _PLAIN_NAME.match(sequence):
        return f"NEXTVAL('{sequence}')"
    return normalize_expression(f"nextval({quote_literal(quote_ident(sequence))}::regclass)")


@lru_cache(maxsize=4096)
def normalize_statement(text: str) -> str:
    """A statement of a SQL-standard routine body (``BEGIN ATOMIC ... END``) in canonical form.

    As :func:`normalize_expression`, and the deparser's additions are dropped too: the schema
    of each table (pg_dump prints ``public.t``) and the target column list it writes into
    every ``INSERT`` (a blind spot: the columns an INSERT names are not compared).
    """
    tree = _parse_expression(text)
    if tree is None:
        return _collapse(text)
    for table in list(tree.find_all(exp.Table)):
        table.set("db", None)
        table.set("catalog", None)
    for insert in list(tree.find_all(exp.Insert)):
        target = insert.this
        if isinstance(target, exp.Schema) and isinstance(target.this, exp.Table):
            insert.set("this", target.this)
    tree = _finish(_canonical_tree(tree))
    try:
        return tree.sql(dialect="postgres", comments=False)
    except (SqlglotError, ValueError):  # pragma: no cover - generator gaps
        return _collapse(text)


@lru_cache(maxsize=4096)
def from_functions(query: str) -> tuple[str, ...]:
    """The (lower-case, unqualified) names of the functions a query (or a routine body) reads
    in FROM, whose column an alias may name."""
    text = query[len("RETURN "):] if query.startswith("RETURN ") else query
    if text.startswith("BEGIN ATOMIC ") and text.endswith(" END"):
        text = text[len("BEGIN ATOMIC "):-len(" END")]
    names: set[str] = set()
    for part in text.split(";"):
        tree = _parse_expression(part) if part.strip() else None
        if tree is None:
            continue
        for node in tree.find_all(exp.Table, exp.Lateral):
            if isinstance(node.this, exp.Anonymous):
                names.add(node.this.name.lower())
    return tuple(sorted(names))


def fields_as_selections(tree: exp.Expression) -> exp.Expression:
    """A tree parsed from canonical text, each ``row.field`` in it (a canonical form keeps no
    qualifier but those of field selections, and ``new`` / ``old``) made the field selection
    ``(row).field`` again, so that normalizing it anew keeps it (it would read as the column
    ``field`` of a relation ``row``, whose qualifier the canonical form drops)."""
    for node in list(tree.find_all(exp.Column)):
        table = node.args.get("table")
        if (isinstance(table, exp.Identifier) and isinstance(node.this, exp.Identifier)
                and not node.args.get("db") and table.name.lower() not in ("old", "new")):
            field = exp.Dot(this=exp.Paren(this=exp.Column(this=table.copy())),
                            expression=node.this.copy())
            if node is tree:
                return field
            node.replace(field)
    return tree


def needs_table_columns(body: str) -> bool:
    """Whether :func:`expand_atomic_stars` may change a routine body (a ``*``, or a function
    whose one column an OUT parameter names)."""
    return "*" in body or _OUT_COLUMN_HINT.search(body) is not None


def _with_table_columns(tree: exp.Expression, known: dict[str, tuple[str, ...]]) -> bool:
    """``*`` projections expanded, a function's alias read as its column, in every select of a
    statement; whether anything changed."""
    changed = False
    for select in list(tree.find_all(exp.Select)):
        if any(_is_star_projection(p) for p in select.expressions):
            changed = _expand_star(select, known) or changed
        before = select.sql(dialect="postgres", comments=False)
        _function_column_references(select, known)
        changed = changed or select.sql(dialect="postgres", comments=False) != before
    return changed


def expand_atomic_stars(body: str, columns: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """A normalized ``BEGIN ATOMIC ... END`` or ``RETURN ...`` body with each ``*`` projection
    over plain tables written as their columns (``columns``: table -> its columns in order),
    as the catalog keeps it, in subqueries too (``RETURN (SELECT count(*) FROM (SELECT * FROM
    t) s)``); a statement whose ``*`` cannot be expanded stays as it is. The alias of a
    function whose one column an OUT parameter names is read as that column where the
    tables' columns say it is not one of theirs (:func:`_function_column_references`)."""
    from schemadiff.errors import ParseError
    from schemadiff.sql.split import split

    if body.startswith("RETURN ") and columns:
        tree = _parse_expression(body[len("RETURN "):])
        if tree is None:
            return body
        try:
            tree = fields_as_selections(tree)
            if not _with_table_columns(tree, dict(columns)):
                return body
            return "RETURN " + normalize_expression(tree.sql(dialect="postgres", comments=False))
        except (SqlglotError, ValueError):  # pragma: no cover - generator gaps
            return body
    head, tail = "BEGIN ATOMIC ", " END"
    if not (body.startswith(head) and body.endswith(tail)) or not columns or len(body) < 17:
        return body  # (an empty BEGIN ATOMIC END has no statement)
    try:
        statements = split(body[len(head):-len(tail)])
    except ParseError:
        return body
    known = dict(columns)
    functions = any(name.endswith("()") for name in known)
    out = []
    for st in statements:
        if st.meta:
            continue
        text = st.text.strip().rstrip(";").strip()
        tree = _parse_expression(text) if needs_table_columns(text) or functions else None
        if tree is not None:
            try:
                tree = fields_as_selections(tree)
                _with_table_columns(tree, known)
                text = normalize_statement(tree.sql(dialect="postgres", comments=False))
            except (SqlglotError, ValueError):  # pragma: no cover - generator gaps
                pass
        out.append(text + ";")
    return f"{head}{' '.join(out)}{tail}"


def _collapse(text: str) -> str:
    out = " ".join(text.split())
    while out.startswith("(") and out.endswith(")") and _balanced(out[1:-1]):
        out = out[1:-1].strip()
    return out


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def rename_column(expression: str, old: str, new: str) -> str:
    """Rewrite column references ``old`` -> ``new`` in a canonical expression."""
    tree = _parse_expression(expression)
    if tree is None:
        return expression
    changed = False
    for col in tree.find_all(exp.Column):
        if col.name == old:
            col.set("this", exp.Identifier(this=new, quoted=not _SIMPLE_IDENT.match(new)))
            changed = True
    if not changed:
        return expression
    return _finish(tree).sql(dialect="postgres", comments=False)


def rename_relation(expression: str, old: str, new: str) -> str:
    """Rewrite references to the table or view ``old`` -> ``new`` in a canonical expression
    (a policy's subquery): the catalog keeps the relation's oid, the deparser prints its name
    of the day. A CTE named ``old`` is not the relation; names are compared unqualified, as
    the expression keeps them."""
    tree = _parse_expression(expression)
    if tree is None:
        return expression
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    changed = False
    for table in tree.find_all(exp.Table):
        if (isinstance(table.this, exp.Identifier) and table.name == old
                and old not in ctes):
            table.set("this", exp.Identifier(this=new, quoted=not _SIMPLE_IDENT.match(new)))
            changed = True
    if not changed:
        return expression
    return _finish(tree).sql(dialect="postgres", comments=False)


def _from_items(select: exp.Select | exp.Update | exp.Delete) -> list[exp.Expression]:
    """The relations a SELECT reads, and those an UPDATE or DELETE reads with its target."""
    from_ = select.args.get("from_") or select.args.get("from")
    items = [from_.this] if from_ is not None else []
    if isinstance(select, (exp.Update, exp.Delete)):
        using = select.args.get("using")
        items = [select.this, *items, *(using if isinstance(using, list) else [])]
    return items + [j.this for j in select.args.get("joins") or []]


def _column_owner(column: exp.Column, outer: str | None,
                  columns: Mapping[str, frozenset[str]], ctes: set[str]) -> str | None:
    """The relation an unqualified column reference reads, as PostgreSQL resolves it: the
    innermost select whose FROM items have such a column, else the expression's own table
    ``outer`` ("" when there is none). None: undecided (a FROM item whose columns are not
    known, a subquery, a function, a CTE; or two items with the column, told apart by the
    qualifiers the canonical form no longer has)."""
    name = column.name
    node: exp.Expression | None = column.parent
    while node is not None:
        if isinstance(node, (exp.Select, exp.Update, exp.Delete)):
            owners = []
            for item in _from_items(node):
                if not (isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier)):
                    return None
                if item.name in ctes or item.name not in columns:
                    return None
                if name in columns[item.name]:
                    owners.append(item.name)
            if len(owners) > 1:
                return None
            if owners:
                return owners[0]
        node = node.parent
    return outer or ""


def rename_relation_column(expression: str, relation: str, old: str, new: str,
                           outer: str | None, columns: Mapping[str, frozenset[str]]) -> str:
    """Rewrite the references to column ``old`` of ``relation`` -> ``new`` in a canonical
    expression whose own table (a policy's) is ``outer``, subqueries included: a reference is
    the column it resolves to (:func:`_column_owner`) over the tables' ``columns`` (relation
    name -> its column names, ``relation`` with ``old``). A reference that cannot be resolved
    is renamed when the expression is on ``relation`` itself, as a plain one is. A reference
    projected as it is keeps its output name, as the deparser prints it: ``new AS old``."""
    tree = _parse_expression(expression)
    if tree is None:
        return expression
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    changed = False
    for col in list(tree.find_all(exp.Column)):
        if col.name != old or col.args.get("table") is not None:
            continue
        owner = _column_owner(col, outer, columns, ctes)
        if owner == relation or (owner is None and outer == relation):
            projected = isinstance(col.parent, exp.Select) and col.arg_key == "expressions"
            col.set("this", exp.Identifier(this=new, quoted=not _SIMPLE_IDENT.match(new)))
            if projected:  # the deparser keeps the output column's name: ``new AS old``
                col.replace(exp.alias_(col.copy(), old, quoted=not _SIMPLE_IDENT.match(old)))
            changed = True
    if not changed:
        return expression
    return _finish(tree).sql(dialect="postgres", comments=False)


def _reads_back(text: str) -> exp.Expression | None:
    """The tree of a canonical text, if printing it gives the text back (else a rewrite of
    the tree could change more than what it rewrites)."""
    tree = _parse_expression(text)
    if tree is None:
        return None
    try:
        same = tree.sql(dialect="postgres", comments=False) == text
    except (SqlglotError, ValueError):  # pragma: no cover - generator gaps
        return None
    return tree if same else None


@lru_cache(maxsize=1024)
def _own_function_class(name: str) -> bool:
    """Whether sqlglot reads a call of ``name`` into a class of its own (``left``,
    ``sha256``): its calls are then not told apart as :class:`exp.Anonymous` nodes."""
    tree = _parse_expression(quote_ident(name) + "(1)")
    return tree is not None and not isinstance(tree, exp.Anonymous)


def function_call_arities(text: str, name: str) -> frozenset[int] | None:
    """How many arguments each call of the function ``name`` passes in a canonical
    expression or view query (schema qualifiers are not kept in it); None when that cannot
    be told: the text does not read back to itself, or ``name`` is one sqlglot gives a
    class of its own and the text may call it."""
    if name.lower() not in text.lower():
        return frozenset()
    if _own_function_class(name):
        return None
    tree = _reads_back(text)
    if tree is None:
        return None
    return frozenset(len(node.expressions) for node in tree.find_all(exp.Anonymous)
                     if node.name.lower() == name.lower())


def rename_function(text: str, old: str, new: str, arities: frozenset[int], *,
                    name_columns: bool = True) -> str:
    """Rewrite the calls of function ``old`` that pass one of ``arities`` arguments into
    calls of ``new`` in a canonical expression or view query (the catalog stores a call by
    the function's oid: it prints the new name); column names and string constants equal
    to ``old`` are not calls and stay.

    A call that is a bare output column of a SELECT keeps the column name it was given,
    ``old``: the deparser prints ``SELECT new() AS old``. ``name_columns=False`` for a
    :func:`canonical_view_query`, which keeps no output names.
    """
    tree = _reads_back(text) if arities else None
    if tree is None:
        return text
    changed = False
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.lower() == old.lower() and len(node.expressions) in arities:
            node.set("this", new.lower())  # as _rewrite spells every call's name
            changed = True
            if (name_columns and isinstance(node.parent, exp.Select)
                    and node.arg_key == "expressions"):
                quoted = not _SIMPLE_IDENT.match(old) or old in _RESERVED
                node.replace(exp.Alias(this=node.copy(),
                                       alias=exp.Identifier(this=old, quoted=quoted)))
    return tree.sql(dialect="postgres", comments=False) if changed else text


def _array_elements(text: str) -> list[str] | None:
    """The elements of a one-dimensional array constant (``{a,"b c"}``), None for anything
    else (nested, NULL elements, unbalanced quotes)."""
    items = _read_array(text)
    if items is None or not all(isinstance(i, str) for i in items):
        return None
    return items  # type: ignore[return-value]


def _holds_label(literal: exp.Literal, label: str) -> bool:
    if not literal.is_string:
        return False
    return literal.this == label or label in (_array_elements(literal.this) or ())


def _label_type(literal: exp.Expression, columns: dict[str, bool | None],
                types: frozenset[str]) -> bool | None:
    """Whether a string constant is of the enum (True), of another type (False), or cannot be
    told from the text (None): PostgreSQL types an untyped constant by what it meets, an
    operator's other side, a cast, the ``CASE`` operand it is compared to."""
    def typed(node: exp.Expression | None) -> bool | None:
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.Any):
            return typed(node.this)
        if isinstance(node, exp.Column):
            return columns.get(node.name)
        if isinstance(node, exp.Cast):
            return _type_name(node.to) in types
        return None

    node = literal
    while isinstance(node.parent, (exp.Paren, exp.Array, exp.Any)):
        node = node.parent
    parent = node.parent
    if isinstance(parent, exp.Cast) and parent.this is node:
        return _type_name(parent.to) in types
    if isinstance(parent, _COMPARISONS):
        return typed(parent.expression if parent.this is node else parent.this)
    if isinstance(parent, exp.In) and parent.this is not node:
        return typed(parent.this)
    if isinstance(parent, exp.If) and parent.this is node and isinstance(parent.parent, exp.Case):
        operand = parent.parent.this
        return typed(operand) if operand is not None else None
    return None


def rename_enum_label(expression: str, old: str, new: str, columns: dict[str, bool | None],
                      types: frozenset[str] = frozenset(), whole: bool = False,
                      source: str | None = None) -> tuple[str, bool]:
    """``ALTER TYPE ... RENAME VALUE old TO new`` in a canonical expression: the constants of
    the enum print the new label (PostgreSQL stores them as the label's oid), the other
    ``'old'`` strings stay.

    Args:
        expression: a canonical expression or view query.
        columns: column name -> whether it is of the enum (its array, a domain over it), or
            None where that cannot be told (a name two relations read give different types).
            ``value`` for a domain's CHECK.
        types: the enum's names in a cast (``public.k``, ``k[]``), lower case.
        whole: the expression is of the enum itself (a default of a column, a domain, an
            argument of the enum): a constant that is all of it is a label.
        source: the text ``expression`` was made canonical from (a view's query), where
            casts are still written: one of something other than a constant (``kind::text``)
            may have made a constant compared to it text, which the canonical form (it drops
            casts) no longer shows.

    Returns:
        The expression with the enum's constants renamed (unchanged when it has none), and
        whether an ``'old'`` constant was left because its type cannot be told from the text.
    """
    tree = _parse_expression(expression)
    if tree is None:
        written = old.replace("'", "''")
        return expression, f"'{written}" in expression or f"{written}}}" in expression
    if source is not None and any(_holds_label(lit, old) for lit in tree.find_all(exp.Literal)):
        raw = _parse_expression(source)
        if raw is None or any(not isinstance(c.this, exp.Literal)
                              for c in raw.find_all(exp.Cast, exp.TryCast)):
            return expression, True
    changed = undecided = False
    for lit in list(tree.find_all(exp.Literal)):
        if not _holds_label(lit, old):
            continue
        top: exp.Expression = lit
        while isinstance(top.parent, (exp.Paren, exp.Array)):  # ARRAY['a'] of an enum array
            top = top.parent
        of_enum = True if whole and top is tree else _label_type(lit, columns, types)
        undecided = undecided or of_enum is None
        if of_enum:
            elements = None if lit.this == old else _array_elements(lit.this)
            lit.set("this", new if elements is None else _render_array(
                [new if e == old else e for e in elements]))
            changed = True
    if not changed:
        return expression, undecided
    return _finish(tree).sql(dialect="postgres", comments=False), undecided


def rename_field(expression: str, old: str, new: str, columns: dict[str, bool | None],
                 rows: frozenset[str] = frozenset()) -> tuple[str, bool]:
    """``ALTER TYPE ... RENAME ATTRIBUTE old TO new`` in a canonical expression: a field
    selection ``(col).old`` of a column of the composite type prints the new name
    (PostgreSQL stores the attribute's number); the same name selected from anything else
    stays.

    Args:
        expression: a canonical expression or view query (whose table qualifiers are gone:
            ``a.b`` in it is a field ``b`` of a column ``a``).
        columns: column name -> whether it is of the type, None where that cannot be told.
        rows: qualifiers naming a row whose columns are selected (``new``, ``old`` in a
            trigger's ``WHEN``).

    Returns:
        The expression with the fields renamed (unchanged when it has none), and whether a
        selection of ``old`` was left because what it selects from cannot be told.
    """
    tree = _parse_expression(expression)
    if tree is None:
        return expression, old in expression
    changed = undecided = False
    for node in list(tree.find_all(exp.Column, exp.Dot)):
        if isinstance(node, exp.Dot):
            undecided = undecided or node.name == old
            continue
        table, db = node.args.get("table"), node.args.get("db")
        if node.name != old or table is None:
            continue
        row = db is None or (db.name.lower() in rows and not node.args.get("catalog"))
        of_type = columns.get(table.name) if row else None
        undecided = undecided or of_type is None
        if of_type:
            node.set("this", exp.to_identifier(new))
            changed = True
    if not changed:
        return expression, undecided
    return _finish(tree).sql(dialect="postgres", comments=False), undecided


@lru_cache(maxsize=16384)
def referenced_columns(expression: str) -> frozenset[str]:
    """Column names a canonical expression reads.

    Cached: the replay asks again for every check and partial index of a table each time one
    of its columns is dropped, and for every CHECK it names (each a sqlglot parse).
    """
    tree = _parse_expression(expression)
    if tree is None:
        return frozenset()
    return frozenset(_read_column(c) for c in tree.find_all(exp.Column))


def _read_column(column: exp.Column) -> str:
    """The column a canonical column reference reads: a qualified one is a field selection,
    ``a.b`` (written ``(a).b``) reading column ``a``, since the canonical form drops table
    qualifiers; but ``new.x`` and ``old.x`` (a trigger's ``WHEN``) read ``x``."""
    parts = [p.name for p in (column.args.get(k) for k in ("catalog", "db", "table")) if p]
    if parts and parts[0].lower() in ("new", "old"):
        parts = parts[1:]  # (new.a).b reads a
    return parts[0] if parts else column.name


@lru_cache(maxsize=4096)
def referenced_relations(query: str) -> tuple[str, ...]:
    """Sorted unqualified names of the tables and views a query reads (CTE names excluded)."""
    return tuple(sorted({name for _, name in qualified_relations(query)}))


@lru_cache(maxsize=4096)
def qualified_relations(query: str) -> tuple[tuple[str | None, str], ...]:
    """``(schema or None, name)`` of the tables and views a query reads, as written."""
    tree = _parse_expression(query)
    if tree is None:
        return tuple((None, n) for n in _relations_by_tokens(query))
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    names = set()
    for t in tree.find_all(exp.Table):
        name = t.name if t.this and getattr(t.this, "quoted", False) else t.name.lower()
        db = t.args.get("db")
        schema = None
        if isinstance(db, exp.Identifier):
            schema = db.this if db.quoted else db.this.lower()
        if name and (schema or name not in ctes):
            names.add((schema, name))
    return tuple(sorted(names, key=lambda p: (p[0] or "", p[1])))


def _relations_by_tokens(query: str) -> tuple[str, ...]:
    """What :func:`referenced_relations` finds, read from the tokens of a query sqlglot cannot
    parse (an operator it does not know): the names after FROM and JOIN (and after commas of a
    FROM list) that are not functions, CTE names excluded."""
    from schemadiff.sql.lexer import LexError, lex

    try:
        toks = lex(query)
    except LexError:
        return ()
    n = len(toks)

    def name_at(i: int) -> tuple[str | None, int]:
        """The relation name starting at token i (dotted), and the index after it."""
        last = None
        while i < n and toks[i].kind in ("word", "ident"):
            last = toks[i].text if toks[i].kind == "ident" else toks[i].raw.lower()
            i += 1
            if i < n and toks[i].kind == "punct" and toks[i].text == ".":
                i += 1
                continue
            break
        if i < n and toks[i].kind == "punct" and toks[i].text == "(":
            return None, i  # a function in FROM
        return last, i

    def cte_body_at(i: int) -> bool:
        """Whether ``[(columns)] AS [[NOT] MATERIALIZED] (`` starts at token i."""
        if i < n and toks[i].text == "(":  # a column list
            depth = 0
            while i < n:
                depth += {"(": 1, ")": -1}.get(toks[i].text, 0) if toks[i].kind == "punct" else 0
                i += 1
                if depth == 0:
                    break
        if not (i < n and toks[i].kind == "word" and toks[i].text == "AS"):
            return False
        i += 1
        if i < n and toks[i].kind == "word" and toks[i].text == "NOT":
            i += 1
        if i < n and toks[i].kind == "word" and toks[i].text == "MATERIALIZED":
            i += 1
        return i < n and toks[i].kind == "punct" and toks[i].text == "("

    ctes: set[str] = set()
    names: set[str] = set()
    for i, t in enumerate(toks):
        if (t.kind in ("word", "ident") and cte_body_at(i + 1)
                and (i == 0 or toks[i - 1].text in ("WITH", "RECURSIVE", ","))):
            ctes.add(t.text if t.kind == "ident" else t.raw.lower())
        if t.kind != "word" or t.text not in ("FROM", "JOIN"):
            continue
        j = i + 1
        while j < n:
            while j < n and toks[j].kind == "word" and toks[j].text in ("ONLY", "LATERAL"):
                j += 1
            name, j = name_at(j)
            if name:
                names.add(name)
            while j < n and toks[j].kind in ("word", "ident") and toks[j].text not in (
                    "WHERE", "JOIN", "ON", "GROUP", "ORDER", "LIMIT", "UNION", "LEFT", "RIGHT",
                    "INNER", "FULL", "CROSS", "NATURAL", "HAVING", "WINDOW", "USING"):
                j += 1  # an alias
            if j < n and toks[j].kind == "punct" and toks[j].text == ",":
                j += 1
                continue
            break
    return tuple(sorted(names - ctes))


# --------------------------------------------------------------------------------- literals

_INTERVAL_UNITS = {
    "year": ("months", 12), "years": ("months", 12), "y": ("months", 12), "yr": ("months", 12),
    "yrs": ("months", 12), "mon": ("months", 1), "mons": ("months", 1), "month": ("months", 1),
    "months": ("months", 1), "week": ("days", 7), "weeks": ("days", 7), "w": ("days", 7),
    "day": ("days", 1), "days": ("days", 1), "d": ("days", 1), "hour": ("micros", 3600 * 10**6),
    "hours": ("micros", 3600 * 10**6), "h": ("micros", 3600 * 10**6),
    "hr": ("micros", 3600 * 10**6), "hrs": ("micros", 3600 * 10**6),
    "minute": ("micros", 60 * 10**6), "minutes": ("micros", 60 * 10**6),
    "min": ("micros", 60 * 10**6), "mins": ("micros", 60 * 10**6), "m": ("micros", 60 * 10**6),
    "second": ("micros", 10**6), "seconds": ("micros", 10**6), "sec": ("micros", 10**6),
    "secs": ("micros", 10**6), "s": ("micros", 10**6), "millisecond": ("micros", 1000),
    "milliseconds": ("micros", 1000), "ms": ("micros", 1000), "microsecond": ("micros", 1),
    "microseconds": ("micros", 1),
}
_INTERVAL_PART = re.compile(
    r"([+-]?\d+(?:\.\d+)?)\s*([a-z]+)|([+-]?\d+):(\d\d)(?::(\d\d(?:\.\d+)?))?"
)


def canonical_interval(text: str, fields: str | None = None,
                       precision: int | None = None) -> str | None:
    """An interval literal as PostgreSQL prints it (IntervalStyle postgres): ``'00:10:00'``.

    ``fields`` is the qualifier of ``interval '1.5' hour`` / ``... day to minute``: a bare
    number counts in its last field, and what lies below that field is dropped
    (AdjustIntervalForTypmod: ``interval '1.5' hour`` is ``01:00:00``); ``precision``, the
    digits of seconds kept (``interval(3)``), rounds half away from zero.
    """
    parts = _interval_parts(text, fields)
    if parts is None:
        return None
    months, days, micros = parts
    if fields:
        last = fields.split()[-1].lower()
        hour, minute = 3600 * 10**6, 60 * 10**6
        if last == "year":
            months, days, micros = int(months / 12) * 12, 0, 0
        elif last == "month":
            days, micros = 0, 0
        elif last == "day":
            micros = 0
        elif last == "hour":
            micros = int(micros / hour) * hour
        elif last == "minute":
            micros = int(micros / minute) * minute
    if precision is not None and precision < 6:
        scale = 10 ** (6 - precision)
        magnitude = (abs(micros) + scale // 2) // scale * scale
        micros = magnitude if micros >= 0 else -magnitude
    return _format_interval(months, days, micros)


_FIELD_UNITS = {"year": "years", "month": "mons", "day": "days", "hour": "hours",
                "minute": "minutes", "second": "seconds"}


_ISO_NUMBER = r"([+-]?\d+(?:\.\d+)?)"
_ISO_INTERVAL = re.compile(  # ISO 8601's format with designators: P1Y2M3W4DT5H6M7.5S
    rf"p(?:{_ISO_NUMBER}y)?(?:{_ISO_NUMBER}m)?(?:{_ISO_NUMBER}w)?(?:{_ISO_NUMBER}d)?"
    rf"(?:t(?:{_ISO_NUMBER}h)?(?:{_ISO_NUMBER}m)?(?:{_ISO_NUMBER}s)?)?"
)
_ISO_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")
_YEAR_MONTH = re.compile(r"([+-]?)(\d+)-(\d+)")


def _interval_parts(text: str, fields: str | None) -> tuple[int, int, int] | None:
    """(months, days, microseconds) of an interval's text."""
    t = text.strip().lower().lstrip("@").strip()
    if not t:
        return None
    year_month = _YEAR_MONTH.fullmatch(t)  # SQL standard's 'Y-M' (interval year to month)
    if year_month is not None:
        sign = -1 if year_month.group(1) == "-" else 1
        return sign * (int(year_month.group(2)) * 12 + int(year_month.group(3))), 0, 0
    iso = _ISO_INTERVAL.fullmatch(t) if t.startswith("p") else None
    if iso is not None:  # DecodeISO8601Interval: each designator is that unit's number
        if not any(iso.groups()):
            return None
        t = " ".join(f"{v} {u}" for v, u in zip(iso.groups(), _ISO_UNITS) if v is not None)
    if _NUMERIC.match(t):  # a bare number counts in the last field, else in seconds
        unit = _FIELD_UNITS.get(fields.split()[-1].lower(), "seconds") if fields else "seconds"
        t = f"{t} {unit}"
    months = days = 0
    micros = 0
    pos = 0
    for m in _INTERVAL_PART.finditer(t):
        if t[pos : m.start()].strip() not in ("", ","):
            return None
        pos = m.end()
        if m.group(2):
            unit = _INTERVAL_UNITS.get(m.group(2))
            if unit is None:
                return None
            value = float(m.group(1))
            if unit[1] == 12:  # AdjustFractYears: a fraction of a year is whole months
                months += int(value) * 12 + round((value - int(value)) * 12)
            elif unit[0] == "months":  # a fraction of a month is days of 30, then time
                whole = value * unit[1]
                months += int(whole)
                frac_days = (whole - int(whole)) * 30
                days += int(frac_days)
                micros += round((frac_days - int(frac_days)) * 86400 * 10**6)
            elif unit[0] == "days":  # a fraction of a day is time
                whole = value * unit[1]
                days += int(whole)
                micros += round((whole - int(whole)) * 86400 * 10**6)
            else:
                micros += round(value * unit[1])
        else:
            sign = -1 if m.group(3).startswith("-") else 1
            h = abs(int(m.group(3)))
            secs = float(m.group(5)) if m.group(5) else 0.0
            micros += sign * round((h * 3600 + int(m.group(4)) * 60 + secs) * 10**6)
    if t[pos:].strip() not in ("", "ago"):
        return None
    if t.endswith("ago"):
        months, days, micros = -months, -days, -micros
    return months, days, micros


def _format_interval(months: int, days: int, micros: int) -> str:
    parts = []
    years, mons = divmod(abs(months), 12)
    msign = "-" if months < 0 else ""
    # EncodeInterval's AddPostgresIntPart: the plural unless the value is exactly 1 (-1 days)
    if years:
        parts.append(f"{msign}{years} year{'s' if years != 1 or msign else ''}")
    if mons:
        parts.append(f"{msign}{mons} mon{'s' if mons != 1 or msign else ''}")
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if micros or not parts:
        sign = "-" if micros < 0 else ""
        total = abs(micros)
        h, rem = divmod(total, 3600 * 10**6)
        mi, rem = divmod(rem, 60 * 10**6)
        sec, frac = divmod(rem, 10**6)
        clock = f"{sign}{h:02d}:{mi:02d}:{sec:02d}"
        if frac:
            clock += ("." + f"{frac:06d}").rstrip("0")
        parts.append(clock)
    return " ".join(parts)


#: date/time inputs read relative to the moment they are read
_FROZEN_DATETIMES = frozenset({"now", "today", "yesterday", "tomorrow"})
_STRING_LITERAL = re.compile(r"'((?:[^']|'')*)'\Z")
_TRUE = frozenset({"t", "true", "y", "yes", "on", "1"})
_FALSE = frozenset({"f", "false", "n", "no", "off", "0"})


#: a type named with its schema (as user and extension types are printed), not an array: its
#: name
_USER_TYPE = re.compile(r'(?:"(?:[^"]|"")*"|[^\s."(\[]+)\.([A-Za-z_][\w$]*)\Z')


def canonical_default(expression: str | None, type_text: str | None, written: bool = False
                      ) -> str | None:
    """A column default in the form the catalog prints for that column's type; ``written``:
    as a migration wrote it, not as the catalog printed it (a domain resolved to its base type).

    ``DEFAULT NULL`` is no default (PostgreSQL stores none). A string constant is printed the
    way the type's output function prints it: ``'f'`` on a boolean is ``false``, ``'epoch'`` on
    a timestamp is ``'1970-01-01 00:00:00'``, ``'10 minutes'`` on an interval is ``'00:10:00'``.
    """
    if expression is None or expression.upper() in ("NULL",):
        return None
    if type_text is None:  # a column of a type not modelled: as written
        return expression
    made = _RANGE_OF.fullmatch(type_text)
    if made is not None:
        return range_default(expression, made.group(2), False, bool(made.group(1)))
    if expression.endswith("::" + type_text) and "(" in type_text:
        # a constant of a type with a modifier keeps its cast in the catalog
        # ('1 day'::interval day to second(3))
        expression = expression[: -len(type_text) - 2]
    m = _STRING_LITERAL.match(expression)
    base = type_text.split("(")[0].strip()
    user = _USER_TYPE.match(type_text)
    if user is not None and m is not None:
        if written and _NUMERIC.match(m.group(1).strip()):
            # a type of the schema's own or an extension's (an enum, ltree; not a domain):
            # its constant is printed cast, '0'::ltree, which expressions read as the number
            # when it is one (see _rewrite's casts)
            return canonical_number(m.group(1)) or expression
        if user.group(1) in ("hstore", "cube"):  # as the extension's output function prints it
            base = user.group(1)
    if m is not None:
        value = m.group(1).replace("''", "'")
    elif _NUMERIC.match(expression) and (base == "boolean" or base.startswith("interval")):
        value = expression  # '0' came up as the number 0: no number is a boolean or interval
    else:
        return expression
    if base in _FLOAT_OUTPUT and _NUMERIC.match(value.strip()):
        return _FLOAT_OUTPUT[base](value) or expression  # '1.50' is 1.5, as float8out prints
    if base in NUMBER_TYPES and _NUMERIC.match(value.strip()):
        return canonical_number(value) or expression  # '10' on an integer: the number
    if type_text.endswith("[]"):
        out = canonical_array_literal(value, type_text[:-2])  # as array_out prints it
        return quote_literal(out) if out is not None else expression
    if base == "boolean":
        v = value.strip().lower()
        if v in _TRUE:
            return "TRUE"
        if v in _FALSE:
            return "FALSE"
        return expression
    if value.strip().lower() in _FROZEN_DATETIMES and base.startswith(("date", "time")):
        # read once, when the column is created: compared as such a constant (equivalence.py)
        return quote_literal(value.strip().lower())
    if base.startswith("timestamp") or base == "date" or type_text.startswith("timestamp"):
        out = _canonical_datetime(value, type_text)
        return quote_literal(out) if out is not None else expression
    if type_text.split("(")[0] in ("time", "time without time zone"):
        out = _canonical_time(value)
        return quote_literal(out) if out is not None else expression
    if base == "interval" or type_text.startswith("interval"):
        words = (w.split("(")[0] for w in type_text.split()[1:])  # second(3): its precision
        fields = " ".join(w for w in words if w in _FIELD_UNITS or w == "to")
        precision = re.search(r"\((\d)\)", type_text)
        out = canonical_interval(value, fields or None,
                                 int(precision.group(1)) if precision else None)
        return quote_literal(out) if out is not None else expression
    if base == "jsonb":
        out = canonical_jsonb(value)
        return quote_literal(out) if out is not None else expression
    canonical = _OUTPUT_FUNCTIONS.get(base)
    if canonical is not None:
        out = canonical(value)
        return quote_literal(out) if out is not None else expression
    return expression


# The types whose constants the catalog prints in one form whatever was written, and
# independently of the session (timestamptz output depends on the time zone: not here, its
# constants are compared as instants). A tstzrange's bounds are printed in UTC, the zone the
# live reader sets, and read in it when written without an offset, as timestamptz defaults
# are (a migration run in another zone stored other instants: a difference, never a false
# equality).
_TYPED_CONSTANT_TYPES = ("boolean", "date", "time without time zone",
                         "timestamp without time zone", "interval", "int4range", "int8range",
                         "daterange", "numrange", "tsrange", "tstzrange", "tsquery", "uuid",
                         "macaddr", "inet", "time with time zone", "int4multirange",
                         "int8multirange", "nummultirange", "datemultirange", "tsmultirange",
                         "tstzmultirange")
# the types whose ISO constants are compared in :func:`datetime_constant`'s form
_DATETIME_TYPES = ("date", "timestamp without time zone", "timestamp with time zone")
# binary operators whose unknown-typed operand PostgreSQL takes as the other operand's type
#: the comparisons whose two sides PostgreSQL resolves to one type (an enum's operators)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ,
                exp.NullSafeNEQ, exp.ArrayOverlaps, exp.ArrayContainsAll, exp.ArrayContainedBy)
# what a constant added to (or subtracted from) a column of these types is: an interval
_PLUS_INTERVAL = ("timestamp without time zone", "timestamp with time zone", "interval",
                  "time without time zone")


def type_compared_constants(tree: exp.Expression, column_type: Callable[[exp.Column], str | None]
                            ) -> tuple[bool, bool]:
    """Write each string constant compared to a column (``=``, ``<``, ..., ``= ANY (ARRAY[...])``,
    ``IN``, ``BETWEEN``) as the catalog prints it once cast to the column's type: PostgreSQL
    types an unknown-typed constant by the operator's other side and stores the cast value, so
    ``b <> 'yes'`` is ``b <> TRUE`` and ``d > '1 second'`` is ``d > '00:00:01'`` (the types of
    :data:`_TYPED_CONSTANT_TYPES`; a number here is such a string the canonical form read).

    Args:
        tree: changed in place.
        column_type: a column reference's type, None when the text does not decide it.

    Returns:
        (whether anything changed, whether a constant that one of those types would print
        otherwise is compared to a column whose type is not decided).
    """
    changed = undecided = False
    for typed_side, owner, arg, index in _compared_constants(tree):
        found = _expression_type(typed_side, column_type)
        value = owner.args[arg]
        literal = value[index] if index is not None else value
        if found == "":
            undecided = undecided or (literal.is_string
                                      and _prints_otherwise(literal.this, owner))
            continue
        found = _constant_type(owner, found)
        if found is not None and _bare_type(found) in NUMBER_TYPES:
            new = number_constant(literal)
            printed = _FLOAT_OUTPUT.get(_bare_type(found))
            if new is not literal and printed is not None:  # stored as the float prints
                digits = printed(literal.this)
                if digits is not None and _NUMERIC.match(digits):
                    new = exp.Literal.number(digits)
        elif found in _DATETIME_TYPES:  # a date, a timestamp or an instant: one ISO form
            new = datetime_constant(_typed_constant(literal, found)
                                    if found in _TYPED_CONSTANT_TYPES else literal)
        elif found is None or (found not in _TYPED_CONSTANT_TYPES
                               and not _RANGE_OF.fullmatch(found)):
            continue
        else:
            new = _typed_constant(literal, found)
        if new is not literal:
            if index is not None:
                value[index] = new
                owner.set(arg, value)
            else:
                owner.set(arg, new)
            changed = True
    return changed, undecided


_SAME_TYPE_CALLS = (exp.Coalesce, exp.Greatest, exp.Least, exp.Nullif)
_CAST_TYPES = {
    exp.DataType.Type.TIMESTAMP: "timestamp without time zone",
    exp.DataType.Type.TIMESTAMPTZ: "timestamp with time zone",
    exp.DataType.Type.TIME: "time without time zone", exp.DataType.Type.DATE: "date",
    exp.DataType.Type.INTERVAL: "interval", exp.DataType.Type.BOOLEAN: "boolean",
}


def _expression_type(node: exp.Expression, column_type: Callable[[exp.Column], str | None]
                     ) -> str | None:
    """The type of an expression a constant is compared to or resolved with: a column's, a
    cast's to one of a few types (:data:`_CAST_TYPES`), that of COALESCE, GREATEST, LEAST
    or NULLIF over such expressions when they agree (the constants among their arguments
    take it), of date/time arithmetic or of a builtin function's result
    (:func:`_result_type`); ``""`` when a column's type is not decided, None when it is no
    such expression."""
    if isinstance(node, exp.Paren):
        return _expression_type(node.this, column_type)
    if isinstance(node, exp.Interval):  # interval '1 day'
        return "interval"
    if isinstance(node, (exp.Mul, exp.Div, exp.Mod)):  # i * 2, i / 2: an interval scaled
        sides = (node.this, node.expression) if isinstance(node, exp.Mul) else (node.this,)
        for side in sides:
            other = node.expression if side is node.this else node.this
            if not isinstance(other, exp.Literal):
                continue
            found = _expression_type(side, column_type)
            if found and _bare_type(found) in NUMBER_TYPES:
                return found  # n * 2: n's type (a constant takes it)
            if not other.is_string and (found == "" or (
                    found and _bare_type(found).startswith("interval"))):
                return found if found == "" else "interval"
        return None
    if isinstance(node, exp.Cast) and not node.to.expressions:  # x::timestamp (no typmod)
        return _CAST_TYPES.get(node.to.this)
    if isinstance(node, (exp.Add, exp.Sub)):  # ts + '1 hour' is a timestamp
        for side, constant in ((node.this, node.expression), (node.expression, node.this)):
            first = side is node.this
            if isinstance(constant, exp.Literal) and (first or isinstance(node, exp.Add)):
                found = _expression_type(side, column_type)
                if found == "" or (found and _constant_type(node, found) == "interval"):
                    return found
                if found and _bare_type(found) in NUMBER_TYPES:
                    return found  # n + 1: n's type
                if found == "date" and not constant.is_string and constant.this.isdigit():
                    return "date"  # d - 1: a date
        if any(isinstance(side, exp.Literal) for side in (node.this, node.expression)):
            return None
        return _arithmetic_type(node, _expression_type(node.this, column_type),
                                _expression_type(node.expression, column_type))
    if isinstance(node, exp.Column):
        if not isinstance(node.this, exp.Identifier):
            return None
        found = column_type(node)
        return "" if found is None else found
    if isinstance(node, _SAME_TYPE_CALLS):
        args = [a for a in _call_arguments(node) if not isinstance(a, exp.Literal)]
        types = {_expression_type(a, column_type) for a in args}
        if not args or None in types:
            return None
        return "" if "" in types else types.pop() if len(types) == 1 else None
    if isinstance(node, exp.Func):
        return _result_type(node, column_type)
    return None


_TS, _TSTZ = "timestamp without time zone", "timestamp with time zone"
# the result of date/time ``+`` and ``-`` by the bare types of their operands
_DATETIME_ARITHMETIC: dict[tuple[str, str, str], str] = {
    **{(a, "-", b): "interval" for a in ("date", _TS, _TSTZ) for b in ("date", _TS, _TSTZ)
       if (a, b) != ("date", "date")},
    ("time without time zone", "-", "time without time zone"): "interval",
    ("interval", "+", "interval"): "interval", ("interval", "-", "interval"): "interval",
    **{(t, op, "interval"): t for t in (_TS, _TSTZ, "time without time zone") for op in "+-"},
    **{("interval", "+", t): t for t in (_TS, _TSTZ, "time without time zone")},
    ("date", "+", "interval"): _TS, ("date", "-", "interval"): _TS, ("interval", "+", "date"): _TS,
    ("date", "-", "date"): "integer",
    **{("date", op, n): "date" for n in ("integer", "smallint") for op in "+-"},
    **{(n, "+", "date"): "date" for n in ("integer", "smallint")},
}
# builtin functions (sqlglot's class name or the call's name) whose result type does not
# depend on their arguments. The canonical form keeps no schema on a call, so a user function
# of one of these names would be taken for the builtin: only names applications rarely reuse
# (not strip or setweight); a wrong type there is a false difference, not a hidden one.
_RESULT_TYPES = {
    "JustifyHours": "interval", "JustifyDays": "interval", "JustifyInterval": "interval",
    "MakeInterval": "interval", "CurrentTimestamp": _TSTZ, "Localtimestamp": _TS,
    "CurrentDate": "date", "Localtime": "time without time zone", "UnixToTime": _TSTZ,
    "StrToDate": "date", "Date": "date", "clock_timestamp": _TSTZ,
    "statement_timestamp": _TSTZ, "transaction_timestamp": _TSTZ, "make_date": "date",
    "make_time": "time without time zone", "make_timestamp": _TS, "make_timestamptz": _TSTZ,
    "to_tsvector": "tsvector",
    "array_to_tsvector": "tsvector", "to_tsquery": "tsquery", "plainto_tsquery": "tsquery",
    "phraseto_tsquery": "tsquery", "websearch_to_tsquery": "tsquery",
}


def _bare_type(type_text: str) -> str:
    """A type without its modifiers (``timestamp(3) without time zone``: a timestamp)."""
    return re.sub(r"\(\d+(?:,\d+)?\)", "", type_text)


def _arithmetic_type(node: exp.Expression, left: str | None, right: str | None) -> str | None:
    """The type of a date/time ``+`` or ``-`` between expressions of types ``left`` and
    ``right`` (:data:`_DATETIME_ARITHMETIC`): ``now() - created_at`` is an interval; ``""``
    when a side's type is not decided, None when no such operator."""
    if left is None or right is None:
        return None
    if "" in (left, right):
        return ""
    op = "+" if isinstance(node, exp.Add) else "-"
    return _DATETIME_ARITHMETIC.get((_bare_type(left), op, _bare_type(right)))


def _result_type(node: exp.Func, column_type: Callable[[exp.Column], str | None]
                 ) -> str | None:
    """The result type of a builtin function call a constant is compared to: fixed ones
    (:data:`_RESULT_TYPES`), ``age`` (an interval of timestamps; ``age(xid)`` is an
    integer), ``date_trunc`` (its argument's type; a date's is a timestamptz); ``""`` when
    it turns on a column whose type is not decided, None when not known."""
    name = type(node).__name__
    if isinstance(node, exp.Anonymous):
        if not isinstance(node.this, str):
            return None
        name = node.this if node.this in _RESULT_TYPES else node.this.lower()
    if name in _RESULT_TYPES:
        return _RESULT_TYPES[name]
    if _integer_function(node) and name.lower() not in ("abs", "sign"):
        # length(s) < '100': a number (count's a bigint)
        return "bigint" if name.lower() == "count" else "integer"
    if name == "age":
        args = node.expressions
        if len(args) == 2:
            return "interval"
        found = _expression_type(args[0], column_type) if len(args) == 1 else None
        if found in ("", None):
            return found
        return "interval" if _bare_type(found) in ("date", _TS, _TSTZ) else None
    if isinstance(node, exp.TimestampTrunc):
        if node.args.get("zone") is not None:
            return _TSTZ
        found = _expression_type(node.this, column_type)
        if found in ("", None):
            return found
        return {_TS: _TS, _TSTZ: _TSTZ, "date": _TSTZ, "interval": "interval"}.get(
            _bare_type(found))
    return None


def _call_arguments(node: exp.Expression) -> list[exp.Expression]:
    """The arguments of a COALESCE, GREATEST, LEAST or NULLIF, in order."""
    rest = node.args.get("expressions") or [node.args.get("expression")]
    return [a for a in [node.this, *rest] if a is not None]


def _compared_constants(tree: exp.Expression
                        ) -> list[tuple[exp.Expression, exp.Expression, str, int | None]]:
    """Each constant compared to an expression (or resolved with the other arguments of a
    COALESCE, GREATEST, LEAST or NULLIF): ``(that expression, node holding the constant, its
    arg, its index in that arg's list or None)``."""
    out: list[tuple[exp.Expression, exp.Expression, str, int | None]] = []

    def add(column: exp.Expression, owner: exp.Expression, arg: str) -> None:
        value = owner.args.get(arg)
        if isinstance(value, list):
            out.extend((column, owner, arg, i) for i, v in enumerate(value)
                       if isinstance(v, exp.Literal))
        elif isinstance(value, exp.Literal):
            out.append((column, owner, arg, None))

    for node in tree.find_all(exp.In, exp.Between, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod,
                              exp.MatchAgainst, exp.Anonymous, *_SAME_TYPE_CALLS, *_COMPARISONS):
        if isinstance(node, exp.Anonymous):  # age(ts, '2020-01-01'): both of one type
            args = node.expressions
            if str(node.this).lower() == "age" and len(args) == 2:
                out.extend((args[1 - i], node, "expressions", i) for i in (0, 1)
                           if isinstance(args[i], exp.Literal)
                           and not isinstance(args[1 - i], exp.Literal))
        elif isinstance(node, exp.MatchAgainst):  # v @@ 'a & b' (sqlglot: the constant first)
            if len(node.expressions) == 1:
                add(node.expressions[0], node, "this")
        elif isinstance(node, (exp.Add, exp.Mul, exp.Div, exp.Mod)):
            add(node.this, node, "expression")
            add(node.expression, node, "this")
        elif isinstance(node, exp.Sub):
            add(node.this, node, "expression")
        elif isinstance(node, _SAME_TYPE_CALLS):
            add(node, node, "this")
            add(node, node, "expressions" if node.args.get("expressions") else "expression")
        elif isinstance(node, exp.In):
            if not node.args.get("query"):
                add(node.this, node, "expressions")
        elif isinstance(node, exp.Between):
            add(node.this, node, "low")
            add(node.this, node, "high")
        else:
            for side, other in (("this", "expression"), ("expression", "this")):
                target = node.args[other]
                if isinstance(target, (exp.Any, exp.All)) and isinstance(target.this, exp.Array):
                    add(node.args[side], target.this, "expressions")
                else:
                    add(node.args[side], node, other)
    return out


def _constant_type(owner: exp.Expression, side: str | None) -> str | None:
    """The type PostgreSQL gives a constant that ``owner`` holds beside an expression of type
    ``side`` (typmods dropped): that type, or for ``+`` (``-`` on an interval) beside a
    timestamp, time or interval an interval; None when no one type."""
    if side is None:
        return None
    side = re.sub(r"\(\d+\)", "", side)
    if side.startswith("interval "):  # an interval column with fields: an interval
        side = "interval"
    number = _bare_type(side) in NUMBER_TYPES  # n + '1', n * '2': of n's type
    if isinstance(owner, (exp.Mul, exp.Div, exp.Mod)):
        if number:
            return side
        return "double precision" if side == "interval" and not isinstance(owner, exp.Mod) \
            else None  # interval * '2': a float8
    if isinstance(owner, exp.Add):
        return "interval" if side in _PLUS_INTERVAL else side if number else None
    if isinstance(owner, exp.Sub):  # timestamp - unknown is timestamp - timestamp
        return "interval" if side == "interval" else side if number else None
    if isinstance(owner, exp.MatchAgainst):
        return "tsquery" if side == "tsvector" else None
    return side


def _typed_constant(literal: exp.Literal, type_text: str) -> exp.Expression:
    """A constant as the catalog prints it cast to ``type_text`` (as it is when not one)."""
    out = canonical_default(quote_literal(literal.this), type_text)
    if out in ("TRUE", "FALSE"):
        return exp.Boolean(this=out == "TRUE")
    if out and out.startswith("'") and out.endswith("'") and out != quote_literal(literal.this):
        return exp.Literal.string(out[1:-1].replace("''", "'"))
    return literal


# the types whose constants an explicit cast makes print as their output function prints them
# (independently of the session: not timestamptz, whose constants are compared as instants)
_CAST_CONSTANT_TYPES = frozenset({"boolean", "date", "time without time zone",
                                  "timestamp without time zone"})


def _cast_constant(literal: exp.Literal, type_text: str) -> exp.Expression:
    """A string constant under a cast to ``type_text`` as the catalog stores it: as the type's
    output function prints it (``'t'::boolean`` is ``true``, ``'2020-1-1'::timestamp(0)`` is
    ``'2020-01-01 00:00:00'``). A type modifier does not change the constant (it is read
    without one; the cast that applies it is kept apart), but for an interval's, which
    PostgreSQL reads it with. As it is for other types."""
    m = _REGTYPE_TEXT.match(type_text)
    if m is None or m.group(5):
        return literal
    schema, head, mods, tail = m.group(1), m.group(2), m.group(3), m.group(4)
    words = head.split() + (tail.split() if mods else [])
    if not mods and tail:
        return literal
    ref = type_ref([w.lower() for w in words], mods or "", 0, schema.lower() if schema else None)
    if not ref.builtin or ref.serial:
        return literal
    if ref.name.startswith("interval"):
        return _typed_constant(literal, ref.render())
    bare = ref.render_bare()
    if bare in _CAST_CONSTANT_TYPES or (bare in _OUTPUT_FUNCTIONS and bare != "jsonb"):
        return _typed_constant(literal, bare)
    return literal


def _prints_otherwise(text: str, owner: exp.Expression) -> bool:
    """Whether a constant's canonical form would change cast to one of the types whose
    constants :func:`type_compared_constants` rewrites that ``owner`` (the operator or call
    holding it) may give it."""
    if _NUMERIC.match(text.strip()) and not isinstance(owner, exp.MatchAgainst):
        return True  # a number, if the column is one
    literal = exp.Literal.string(text)
    plain = _rewrite(literal.copy())
    if isinstance(owner, exp.MatchAgainst):
        types: tuple[str, ...] = ("tsquery",)
    elif isinstance(owner, (exp.Add, exp.Sub)):
        types = ("interval",)
    else:
        types = tuple(t for t in _TYPED_CONSTANT_TYPES if t != "tsquery")
    for type_text in types:
        new = _typed_constant(literal, type_text)
        if new is not literal and _rewrite(new).sql() != plain.sql():
            return True
    return False


def _type_name(to: exp.DataType) -> str:
    """A type's name without its schema, lowercased (``public.hstore`` is ``hstore``)."""
    kind = to.args.get("kind")
    if to.this == exp.DataType.Type.USERDEFINED and kind is not None:
        return kind.name.lower()
    return to.sql("postgres").lower()


def _jsonb_constant(literal: exp.Literal) -> exp.Literal:
    """A string constant as jsonb_out prints it, when it is JSON (else as it is)."""
    out = canonical_jsonb(literal.this)
    return exp.Literal.string(out) if out is not None else literal


def argument_text(mode: str, name: str | None, type_text: str, default: str | None) -> str:
    """A routine argument as ``pg_get_function_arguments`` lists it, in canonical form: its
    default constant as the argument's type prints it (``'1 minute'`` is ``'00:01:00'``;
    ``DEFAULT NULL`` is kept, it is a value here)."""
    mode = "" if mode == "IN" else mode + " "
    named = quote_ident(name) + " " if name else ""
    value = (canonical_default(default, type_text) or default) if default else None
    return f"{mode}{named}{type_text}{' DEFAULT ' + value if value else ''}"


def canonical_bytea(value: str) -> str | None:
    """A bytea constant as ``byteaout`` prints it (``bytea_output = hex``): ``'\\x6162'``.
    The input is hex (``\\x...``) or the escape format (``\\nnn`` octal, ``\\\\``, any
    other character as its UTF-8 bytes); None when byteain would refuse it."""
    if value.startswith("\\x"):
        digits = "".join(value[2:].split())
        if len(digits) % 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            return None
        return "\\x" + digits.lower()
    out = bytearray()
    i = 0
    while i < len(value):
        c = value[i]
        if c != "\\":
            out += c.encode()
            i += 1
        elif value[i + 1 : i + 2] == "\\":
            out.append(0x5C)
            i += 2
        elif re.fullmatch(r"[0-3][0-7][0-7]", value[i + 1 : i + 4]):
            out.append(int(value[i + 1 : i + 4], 8))
            i += 4
        else:
            return None
    return "\\x" + out.hex()


def canonical_uuid(value: str) -> str | None:
    """A uuid as ``uuid_out`` prints it: lower case, 8-4-4-4-12 (braces and hyphens after any
    group of four hex digits are accepted on input)."""
    v = value.strip()
    if v.startswith("{") and v.endswith("}"):
        v = v[1:-1]
    digits = v.replace("-", "")
    if len(digits) != 32 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        return None
    d = digits.lower()
    return f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:]}"


def canonical_macaddr(value: str) -> str | None:
    """A macaddr as ``macaddr_out`` prints it: ``08:00:2b:01:02:03``."""
    digits = re.sub(r"[:.\-]", "", value.strip())
    if len(digits) != 12 or any(c not in "0123456789abcdefABCDEF" for c in digits):
        return None
    d = digits.lower()
    return ":".join(d[i : i + 2] for i in range(0, 12, 2))


def canonical_inet(value: str) -> str | None:
    """An inet as ``inet_out`` prints it: the netmask only when it is not the whole address
    (/32, /128); IPv6 compressed. None for what is not modelled: abbreviated IPv4, and IPv6
    that PostgreSQL prints with an embedded IPv4 address (``::ffff:1.2.3.4``)."""
    import ipaddress

    address, _, bits = value.strip().partition("/")
    v4 = re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", address)
    if v4 is not None:
        if any(int(o) > 255 for o in address.split(".")):
            return None
        out, width = ".".join(str(int(o)) for o in address.split(".")), 32
    elif ":" in address and "." not in address:
        try:
            a = ipaddress.IPv6Address(address)
        except ValueError:
            return None
        w = a.packed
        if a.ipv4_mapped is not None or (w[:12] == bytes(12) and w[12:14] != bytes(2)):
            return None
        out, width = a.compressed, 128
    else:
        return None
    if bits and (not bits.isdigit() or int(bits) > width):
        return None
    return out if not bits or int(bits) == width else f"{out}/{int(bits)}"


_RANGE_TEXT = re.compile(r"\s*([\[(])([^,\"]*),([^,\"]*)([\])])\s*\Z")


def _integer_step(text: str, step: int) -> tuple[str, object] | None:
    """An integer range bound moved by ``step``, with its sort key."""
    if not re.fullmatch(r"[+-]?\d+", text):
        return None
    return str(int(text) + step), int(text) + step


def _date_step(text: str, step: int) -> tuple[str, object] | None:
    """A date range bound moved by ``step`` days, with its sort key (a finite ISO date)."""
    from datetime import date, timedelta

    out = _canonical_datetime(text, "date")
    try:
        moved = date.fromisoformat(out or "") + timedelta(days=step)
    except ValueError:
        return None
    return moved.isoformat(), moved


def _discrete_range(bound: Callable[[str, int], tuple[str, object] | None],
                    infinite: bool = False) -> Callable[[str], str | None]:
    """A discrete range type's output: its canonical function makes every range ``[a,b)``
    (``'[1,10]'`` is ``[1,11)``, ``(1,5]`` is ``[2,6)``), an unbounded side ``(`` / ``)``,
    and a range with nothing in it ``empty``. With ``infinite`` (dates) a bound
    ``infinity`` or ``-infinity`` is not moved and keeps its bracket
    (``'(-infinity,2020-01-01]'`` is ``(-infinity,2020-01-02)``)."""

    def side(text: str, bracket: str, lower: bool
             ) -> tuple[str, str, tuple[int, object]] | None:
        """A bound as printed, its bracket and its sort key (None when refused)."""
        if infinite and text.lower() in ("infinity", "-infinity"):
            return text.lower(), bracket, (-1 if text.startswith("-") else 1, 0)
        moved = bound(text, bracket == ("(" if lower else "]"))
        if moved is None:
            return None
        return moved[0], "[" if lower else ")", (0, moved[1])

    def written(text: str) -> tuple[int, object]:
        """A bound's sort key as written (before the canonical function moves it)."""
        found = side(text, "[", True)
        return found[2] if found is not None else (0, 0)

    def canonical(value: str) -> str | None:
        if value.strip().lower() == "empty":
            return "empty"
        m = _RANGE_TEXT.match(value)
        if m is None:
            return None
        low_text, high_text = m.group(2).strip(), m.group(3).strip()
        low = side(low_text, m.group(1), True) if low_text else ("", "(", None)
        high = side(high_text, m.group(4), False) if high_text else ("", ")", None)
        if low is None or high is None:
            return None
        if low_text and high_text and written(low_text) > written(high_text):  # type: ignore[operator]
            return None  # range_in refuses a lower bound above the upper
        if low[2] is not None and high[2] is not None and (
                low[2] > high[2] or (low[2] == high[2] and (low[1], high[1]) != ("[", "]"))):  # type: ignore[operator]
            return "empty"
        return f"{low[1]}{low[0]},{high[0]}{high[1]}"

    return canonical


_int_range = _discrete_range(_integer_step)


_RANGE_BOUND = r'\s*(?:"([^"\\]*)"|([^,"\\()\[\]]*?))\s*'
_RANGE_PARTS = re.compile(r"\s*([\[(])" + _RANGE_BOUND + "," + _RANGE_BOUND + r"([\])])\s*\Z")
_NUMERIC_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")


def _numeric_bound(text: str) -> tuple[str, object] | None:
    """A numeric as ``numeric_out`` prints it (its scale kept: ``1.50`` is ``1.50``, ``1e2``
    is ``100``, ``.5`` is ``0.5``), with its sort key; NaN sorts above every number."""
    if text.lower() == "nan":
        return "NaN", (1, 0)
    if not _NUMERIC_TEXT.match(text):
        return None
    number = Decimal(text)
    out = format(number, "f")
    return (out.lstrip("-") if number == 0 else out), (0, number)


def _timestamp_bound(type_text: str) -> Callable[[str], tuple[str, object] | None]:
    """A timestamp (``type_text``) range bound as ``timestamp_out`` prints it, with its sort key
    (``-infinity`` below every time, ``infinity`` above)."""

    def bound(text: str) -> tuple[str, object] | None:
        out = _canonical_datetime(text, type_text)
        if out is None or not re.match(r"\d{4}-|-?infinity\Z", out):
            return None
        rank = -1 if out == "-infinity" else 1 if out == "infinity" else 0
        return out, (rank, out if rank == 0 else "")

    return bound


def _range_bound_text(text: str) -> str:
    """A range bound as ``range_bound_escape`` prints it: double-quoted when it holds a space,
    a quote, a backslash, a bracket, a parenthesis or a comma."""
    return f'"{text}"' if re.search(r'[\s"\\()\[\],]', text) else text


def _continuous_range(bound: Callable[[str], tuple[str, object] | None]
                      ) -> Callable[[str], str | None]:
    """A range type's output when it has no canonical function (numrange, tsrange, tstzrange):
    each bound as its type prints it, its bracket kept; an unbounded side ``(`` / ``)``; equal
    bounds not both inclusive ``empty``. None for what range_in refuses (a lower bound above
    the upper)."""

    def canonical(value: str) -> str | None:
        if value.strip().lower() == "empty":
            return "empty"
        m = _RANGE_PARTS.match(value)
        if m is None:
            return None
        sides = []
        for quoted, plain in ((m.group(2), m.group(3)), (m.group(4), m.group(5))):
            if quoted is None and not plain:
                sides.append(None)
                continue
            found = bound(quoted if quoted is not None else plain)
            if found is None:
                return None
            sides.append(found)
        low, high = sides
        low_bracket = m.group(1) if low is not None else "("
        high_bracket = m.group(6) if high is not None else ")"
        if low is not None and high is not None:
            if low[1] > high[1]:  # type: ignore[operator]
                return None
            if low[1] == high[1] and (low_bracket, high_bracket) != ("[", "]"):
                return "empty"
        return (low_bracket + ("" if low is None else _range_bound_text(low[0])) + ","
                + ("" if high is None else _range_bound_text(high[0])) + high_bracket)

    return canonical
_TSQUERY_LEXEME = re.compile(r"'((?:[^'\\]|'')+)'|([^\s!&|()<:'\\]+)")
_TSQUERY_OPERATOR = re.compile(r"&|\||<->|<(\d+)>")
# operator priorities as tsqueryout weighs them (tsearch_op_priority): ! binds tightest
_TSQUERY_PRIORITY = {"!": 4, "<>": 3, "&": 2, "|": 1}
_TsNode = tuple  # ("word", text, modifiers) | ("!", child) | (op, distance, left, right)


def _tsquery_tree(value: str) -> _TsNode | None:
    """The tree tsqueryin builds from a tsquery's text: operators left-associative by
    priority, ``!`` right-associative (None for what is not modelled or refused)."""
    pos = 0

    def skip() -> None:
        nonlocal pos
        while pos < len(value) and value[pos].isspace():
            pos += 1

    def operand() -> _TsNode | None:
        nonlocal pos
        skip()
        if value.startswith("!", pos):
            pos += 1
            child = operand()
            return None if child is None else ("!", child)
        if value.startswith("(", pos):
            pos += 1
            inner = expression(1)
            skip()
            if inner is None or not value.startswith(")", pos):
                return None
            pos += 1
            return inner
        m = _TSQUERY_LEXEME.match(value, pos)
        if m is None:
            return None
        pos = m.end()
        word = m.group(2) if m.group(1) is None else m.group(1).replace("''", "'")
        modifiers = ""
        if value.startswith(":", pos):
            found = re.match(r"[*a-dA-D]*", value[pos + 1 :])
            flags = found.group(0).upper() if found else ""
            pos += 1 + len(flags)
            modifiers = ("*" if "*" in flags else "") + "".join(
                w for w in "ABCD" if w in flags)
            if pos < len(value) and not value[pos].isspace() and value[pos] not in "&|)<":
                return None
        return ("word", word, modifiers)

    def expression(floor: int) -> _TsNode | None:
        nonlocal pos
        left = operand()
        while left is not None:
            skip()
            m = _TSQUERY_OPERATOR.match(value, pos)
            if m is None:
                return left
            op = "<>" if m.group(0).startswith("<") else m.group(0)
            distance = int(m.group(1)) if m.group(1) is not None else 1
            if _TSQUERY_PRIORITY[op] < floor or distance > 16384:
                return left if distance <= 16384 else None
            pos = m.end()
            right = expression(_TSQUERY_PRIORITY[op] + 1)
            if right is None:
                return None
            left = (op, distance, left, right)
        return None

    tree = expression(1)
    skip()
    return tree if tree is not None and pos == len(value) else None


def _tsquery_text(node: _TsNode, parent: int = 0, right_of_phrase: bool = False) -> str:
    """A tsquery tree printed as tsqueryout's ``infix`` prints it: each lexeme quoted with its
    ``:*ABCD`` modifiers, ``( `` and `` )`` only round an operator weaker than its parent's
    (or a phrase that is the right operand of a phrase)."""
    if node[0] == "word":
        return "'" + node[1].replace("'", "''") + "'" + (":" + node[2] if node[2] else "")
    if node[0] == "!":
        inner = "!" + _tsquery_text(node[1], _TSQUERY_PRIORITY["!"])
        return f"( {inner} )" if _TSQUERY_PRIORITY["!"] < parent else inner
    op, distance, left, right = node
    priority = _TSQUERY_PRIORITY[op]
    sign = op if op != "<>" else "<->" if distance == 1 else f"<{distance}>"
    text = (f"{_tsquery_text(left, priority)} {sign} "
            f"{_tsquery_text(right, priority, op == '<>')}")
    return f"( {text} )" if priority < parent or (op == "<>" and right_of_phrase) else text


def canonical_tsquery(value: str) -> str | None:
    """A tsquery constant as ``tsqueryout`` prints it: each lexeme quoted, its weights and
    prefix as ``:*AB``, operators spaced, ``<1>`` as ``<->``, parentheses only where the
    tree needs them (``'(a | b) & c'`` is ``( 'a' | 'b' ) & 'c'``, ``'a & (b & c)'`` is
    ``'a' & 'b' & 'c'``); None for what is not modelled (backslashes, an empty query) or
    what tsqueryin refuses."""
    if "\\" in value:
        return None
    tree = _tsquery_tree(value)
    return None if tree is None else _tsquery_text(tree)


def _range_text(r: tuple[int | None, int | None]) -> str:
    lower, upper = r
    return (f"{'(' if lower is None else '['}{'' if lower is None else lower},"
            f"{'' if upper is None else upper})")


def canonical_int_multirange(value: str) -> str | None:
    """An int4multirange or int8multirange as ``multirange_out`` prints it: its ranges
    canonical, sorted, the overlapping and adjacent ones merged, the empty ones gone."""
    v = value.strip()
    if not (v.startswith("{") and v.endswith("}")):
        return None
    items = re.findall(r"[\[(][^\])]*[\])]|empty", v[1:-1], re.IGNORECASE)
    if re.sub(r"[\s,]", "", re.sub(r"[\[(][^\])]*[\])]|empty", "", v[1:-1],
                                   flags=re.IGNORECASE)):
        return None
    ranges = []
    for item in items:
        r = _int_range(item)
        if r is None:
            return None
        if r != "empty":
            lower, upper = r[1:-1].split(",")
            ranges.append((int(lower) if lower else None, int(upper) if upper else None))
    low = -(2**70)
    ranges.sort(key=lambda r: low if r[0] is None else r[0])  # type: ignore[index]
    merged: list[tuple[int | None, int | None]] = []
    for lower, upper in ranges:  # type: ignore[misc]
        if merged and (merged[-1][1] is None or lower is None or lower <= merged[-1][1]):
            top = merged[-1][1]
            merged[-1] = (merged[-1][0],
                          None if top is None or upper is None else max(top, upper))
        else:
            merged.append((lower, upper))
    return "{" + ",".join(_range_text(r) for r in merged) + "}"


def canonical_point(value: str) -> str | None:
    """A point as ``point_out`` prints it, ``(1,2)``, for coordinates written as integers."""
    m = re.fullmatch(r"\s*\(?\s*([+-]?\d+)\s*,\s*([+-]?\d+)\s*\)?\s*", value)
    return None if m is None else f"({int(m.group(1))},{int(m.group(2))})"


def canonical_box(value: str) -> str | None:
    """A box as ``box_out`` prints it, upper right corner first: ``(1,1),(0,0)`` (integer
    coordinates only)."""
    numbers = re.findall(r"[+-]?\d+(?:\.\d*)?", value)
    if len(numbers) != 4 or re.sub(r"[+-]?\d+(?:\.\d*)?|[\s(),]", "", value) \
            or any("." in n for n in numbers):
        return None
    x1, y1, x2, y2 = (int(n) for n in numbers)
    return f"({max(x1, x2)},{max(y1, y2)}),({min(x1, x2)},{min(y1, y2)})"


def canonical_cube(value: str) -> str | None:
    """A cube (the extension's) as ``cube_out`` prints it: ``(0, 0),(1, 1)``, corners as
    written, a point (equal corners) once; written ``[(..),(..)]``, ``(..),(..)``, ``(..)`` or
    bare ``x, y`` (integer coordinates only)."""
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    corners = re.fullmatch(r"\s*\(([^()]*)\)\s*(?:,\s*\(([^()]*)\)\s*)?", text)
    parts = [c for c in corners.groups() if c is not None] if corners else [text]
    if any(not re.fullmatch(r"\s*[+-]?\d+\s*(?:,\s*[+-]?\d+\s*)*", p) for p in parts):
        return None
    points = [tuple(int(n) for n in p.split(",")) for p in parts]
    if len(points) == 2 and (len(points[0]) != len(points[1]) or points[0] == points[1]):
        return None if len(points[0]) != len(points[1]) else f"({', '.join(map(str, points[0]))})"
    return ",".join(f"({', '.join(map(str, p))})" for p in points)


def canonical_circle(value: str) -> str | None:
    """A circle as ``circle_out`` prints it, ``<(0,0),5>``, written ``<(x,y),r>``,
    ``((x,y),r)``, ``(x,y),r`` or ``x,y,r`` (integer coordinates and radius only)."""
    numbers = re.findall(r"[+-]?\d+", value)
    shape = re.sub(r"[+-]?\d+|\s", "", value)
    if len(numbers) != 3 or shape not in ("<(,),>", "((,),)", "(,),", ",,"):
        return None
    x, y, r = (int(n) for n in numbers)
    return None if r < 0 else f"<({x},{y}),{r}>"


_TSVECTOR_ENTRY = re.compile(r"\s*(?:'((?:[^'\\]|'')+)'|([^\s:'\\]+))"
                             r"(?::(\d+[A-Da-d]?(?:,\d+[A-Da-d]?)*))?(?=\s|\Z)")


def canonical_tsvector(value: str) -> str | None:
    """A tsvector as ``tsvectorout`` prints it: each lexeme once, quoted, sorted by bytes; its
    positions (those of each time it was written merged) sorted, each once with the
    strongest weight written for it, capped at 16383, the weight shown unless D
    (``'b:3,1 a:2B b:1C'`` is ``'a':2B 'b':1C,3``); None for backslashes, position 0 or
    more positions than tsvectorin keeps."""
    if "\\" in value or not value.strip():
        return None
    entries: dict[str, dict[int, int]] = {}
    pos = 0
    while pos < len(value.rstrip()):
        m = _TSVECTOR_ENTRY.match(value, pos)
        if m is None:
            return None
        pos = m.end()
        word = m.group(2) if m.group(1) is None else m.group(1).replace("''", "'")
        positions = entries.setdefault(word, {})
        for item in (m.group(3) or "").split(",") if m.group(3) else []:
            number = min(int(item.rstrip("ABCDabcd")), 16383)
            weight = "DCBA".index(item[-1].upper()) if item[-1].isalpha() else 0
            if number == 0:
                return None
            positions[number] = max(positions.get(number, 0), weight)
    if any(len(p) > 255 for p in entries.values()):
        return None
    out = []
    for word in sorted(entries, key=lambda w: w.encode()):
        text = "'" + word.replace("'", "''") + "'"
        if entries[word]:
            text += ":" + ",".join(f"{n}{'DCBA'[w] if w else ''}"
                                   for n, w in sorted(entries[word].items()))
        out.append(text)
    return " ".join(out)


_REGTYPE_TEXT = re.compile(
    r"\s*(?:([A-Za-z_][\w$]*)\s*\.\s*)?([A-Za-z_][\w$]*(?:\s+[A-Za-z_][\w$]*)*)\s*"
    r"(\(\s*\d+\s*(?:,\s*\d+\s*)?\))?\s*((?:[A-Za-z_][\w$]*\s*)*)((?:\[\s*\d*\s*\]\s*)*)\Z")


def canonical_regtype(value: str) -> str | None:
    """A regtype constant as ``regtypeout`` prints it: a builtin type as ``format_type``
    names it without a modifier (``'int4'`` is ``integer``, ``'varchar(10)[]'`` is
    ``character varying[]``); a user type by its name alone (its schema, printed as the
    search path makes it visible, is not compared, as for regclass); None for what is not
    modelled (quoted names, a user type's array)."""
    m = _REGTYPE_TEXT.match(value)
    if m is None:
        return None
    schema, head, mods, tail, dims = m.groups()
    words = (head.split() + tail.split()) if mods else head.split()
    if not mods and tail:
        return None
    words = [w.lower() for w in words]
    ref = type_ref(words, mods or "", dims.count("["), schema.lower() if schema else None)
    if ref.serial:
        return None
    if ref.builtin:
        return ref.render_bare()
    if len(words) != 1 or dims or mods:
        return None
    return quote_ident(words[0])


def canonical_regconfig(value: str) -> str | None:
    """A regconfig (or other reg* name) constant by its object's name: ``'pg_catalog.english'``
    is ``english``, ``'English'`` is ``english`` (its schema, printed as the search path makes
    it visible, is not compared, as for regclass)."""
    return quote_ident(_unqualify(value.strip())) if value.strip() else None


_HSTORE_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|((?:[^\s"\\=>,]|\\.)+))')


def canonical_hstore(value: str) -> str | None:
    """An hstore as ``hstore_out`` prints it: ``"k"=>"v"`` pairs joined by ``", "``, keys
    ordered by length then bytes, a bare ``NULL`` value unquoted; None for what this does not
    read (a key given twice: which one PostgreSQL keeps is not decided here)."""
    pairs: dict[str, str | None] = {}
    pos, end = 0, len(value.rstrip())
    while pos < end:
        key = _HSTORE_TOKEN.match(value, pos)
        if key is None:
            return None
        arrow = re.compile(r"\s*=>").match(value, key.end())
        if arrow is None:
            return None
        val = _HSTORE_TOKEN.match(value, arrow.end())
        if val is None:
            return None
        k = re.sub(r"\\(.)", r"\1", key.group(1) if key.group(1) is not None else key.group(2))
        if k in pairs:
            return None
        if val.group(2) is not None and val.group(2).upper() == "NULL":
            pairs[k] = None
        else:
            pairs[k] = re.sub(r"\\(.)", r"\1", val.group(1) if val.group(1) is not None
                              else val.group(2))
        sep = re.compile(r"\s*(,|\Z)").match(value, val.end())
        if sep is None or (sep.group(1) == "," and sep.end() >= end):
            return None
        pos = sep.end()

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    keys = sorted(pairs, key=lambda k: (len(k.encode()), k.encode()))
    return ", ".join(f"{quoted(k)}=>{'NULL' if pairs[k] is None else quoted(pairs[k] or '')}"
                     for k in keys)


def canonical_timetz(value: str) -> str | None:
    """A time of day with a UTC offset as ``timetz_out`` prints it: ``'12:00+02'`` is
    ``'12:00:00+02'``, ``'1:30 -05:30'`` is ``'01:30:00-05:30'`` (numeric offsets only)."""
    m = re.fullmatch(r"\s*([\d:.]+)\s*([+-])(\d{1,2})(?::?(\d{2}))?(?::(\d{2}))?\s*", value)
    time_of_day = _canonical_time(m.group(1)) if m else None
    if m is None or time_of_day is None:
        return None
    hours, minutes, seconds = int(m.group(3)), int(m.group(4) or 0), int(m.group(5) or 0)
    if hours > 15 or minutes > 59 or seconds > 59:
        return None
    offset = f"{m.group(2)}{hours:02d}" + (f":{minutes:02d}" if minutes or seconds else "")
    return time_of_day + offset + (f":{seconds:02d}" if seconds else "")


def _bound_key(bound: Callable[[str], tuple[str, object] | None]) -> Callable[[str], object]:
    """A printed range bound's sort key, from the function that reads a bound."""
    return lambda text: (found := bound(text)) and found[1]


def _date_key(text: str) -> object:
    """A daterange's printed bound's sort key (``-infinity`` below every date)."""
    if text in ("infinity", "-infinity"):
        return (1 if text == "infinity" else -1, "")
    return (0, text) if re.fullmatch(r"\d{4}-\d\d-\d\d", text) else None


#: the multiranges of the built-in continuous ranges and of daterange (int4multirange's and
#: int8multirange's are :func:`canonical_int_multirange`)
_MULTIRANGE_OUTPUT: dict[str, Callable[[str], str | None]] = {
    "nummultirange": multirange_output(_continuous_range(_numeric_bound),
                                       _bound_key(_numeric_bound)),
    "datemultirange": multirange_output(_discrete_range(_date_step, infinite=True), _date_key),
    **{f"{short}multirange": multirange_output(
        _continuous_range(_timestamp_bound(full)), _bound_key(_timestamp_bound(full)))
       for short, full in (("ts", "timestamp without time zone"),
                           ("tstz", "timestamp with time zone"))},
}
def _float_bound(out: Callable[[str], str | None]) -> Callable[[str], tuple[str, object] | None]:
    """A float range bound as ``out`` (float8out, float4out) prints it, with its sort key."""

    def bound(text: str) -> tuple[str, object] | None:
        printed = out(text)
        return None if printed is None or printed == "NaN" else (printed, float(printed))

    return bound


def _integer_bound(text: str) -> tuple[str, object] | None:
    return _integer_step(text.strip(), 0)


def _date_bound(text: str) -> tuple[str, object] | None:
    printed = _canonical_datetime(text.strip(), "date")
    key = _date_key(printed) if printed else None
    return None if key is None else (printed, key)  # type: ignore[return-value]


#: the subtypes of range types made by the migrations whose bounds are modelled
_SUBTYPE_BOUNDS: dict[str, Callable[[str], tuple[str, object] | None]] = {
    **dict.fromkeys(("smallint", "integer", "bigint"), _integer_bound),
    "numeric": _numeric_bound, "double precision": _float_bound(canonical_float8),
    "real": _float_bound(canonical_float4), "date": _date_bound,
    "timestamp without time zone": _timestamp_bound("timestamp without time zone"),
    "timestamp with time zone": _timestamp_bound("timestamp with time zone"),
}


#: a column of a range type the migrations made, as the replay types constants by it
_RANGE_OF = re.compile(r"(multi)?range of (.+)")


def range_type_text(subtype: str, multi: bool) -> str:
    """What a column of a range type the migrations made (without a CANONICAL function) is
    typed as for the constants compared to it (see :func:`canonical_default`)."""
    return f"{'multi' if multi else ''}range of {subtype}"


def range_default(default: str | None, subtype: str, discrete: bool, multi: bool
                  ) -> str | None:
    """A default on a column of a range type the migrations made (``multi``: of its
    multirange) as range_out prints it: each bound as ``subtype`` prints it, without spaces
    (``'[ 18 , 22.50 )'`` over float8 is ``'[18,22.5)'``). As written where the type has a
    CANONICAL function (not modelled) or its subtype's constants are not modelled."""
    if default is None or default.upper() == "NULL":
        return None
    m = _STRING_LITERAL.match(default)
    bound = None if discrete else _SUBTYPE_BOUNDS.get(subtype)
    if m is None or bound is None:
        return default
    out = _continuous_range(bound)
    if multi:
        out = multirange_output(out, _bound_key(bound))
    canonical = out(m.group(1).replace("''", "'"))
    return default if canonical is None else quote_literal(canonical)


_FLOAT_OUTPUT: dict[str, Callable[[str], str | None]] = {
    "double precision": canonical_float8, "real": canonical_float4}
_OUTPUT_FUNCTIONS: dict[str, Callable[[str], str | None]] = {
    "regtype": canonical_regtype, "regconfig": canonical_regconfig,
    "bytea": canonical_bytea, "uuid": canonical_uuid, "macaddr": canonical_macaddr,
    "inet": canonical_inet, "int4range": _int_range, "int8range": _int_range,
    "daterange": _discrete_range(_date_step, infinite=True),
    "numrange": _continuous_range(_numeric_bound),
    "tsrange": _continuous_range(_timestamp_bound("timestamp without time zone")),
    "tstzrange": _continuous_range(_timestamp_bound("timestamp with time zone")),
    "int4multirange": canonical_int_multirange, "int8multirange": canonical_int_multirange,
    **_MULTIRANGE_OUTPUT,
    "point": canonical_point, "box": canonical_box, "circle": canonical_circle,
    "tsvector": canonical_tsvector,
    "tsquery": canonical_tsquery, "hstore": canonical_hstore, "cube": canonical_cube,
    "time with time zone": canonical_timetz,
    "jsonpath": canonical_jsonpath,
    **_FLOAT_OUTPUT,
}


def canonical_jsonb(value: str) -> str | None:
    """A JSON text as ``jsonb_out`` prints it (None when it is not JSON).

    Object keys are unique (the last wins) and ordered by length, then bytes; ``": "`` and
    ``", "`` separate; numbers are printed as ``numeric`` prints them (``1e2`` is ``100``).
    """

    try:
        doc = json.loads(value, parse_float=Decimal, parse_int=Decimal,
                         parse_constant=lambda _: None)
    except ValueError:
        return None

    def out(v: object) -> str:
        if isinstance(v, dict):
            keys = sorted(v, key=lambda k: (len(k.encode()), k.encode()))
            return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {out(v[k])}"
                                   for k in keys) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(out(x) for x in v) + "]"
        if isinstance(v, Decimal):
            text = format(v, "f")
            return text.lstrip("-") if v == 0 else text
        return json.dumps(v, ensure_ascii=False)

    return out(doc)


def _canonical_time(value: str) -> str | None:
    """A time of day as ``time_out`` prints it: ``'12:00'`` is ``'12:00:00'``."""
    from datetime import time

    try:
        t = time.fromisoformat(value.strip())
    except ValueError:
        return None
    if t.tzinfo is not None:
        return None
    out = t.strftime("%H:%M:%S")
    if t.microsecond:
        out += ("." + f"{t.microsecond:06d}").rstrip("0")
    return out


def _canonical_datetime(value: str, type_text: str) -> str | None:
    from datetime import date, datetime, timezone

    v = value.strip().lower()
    if v in ("infinity", "-infinity"):
        return v
    if v == "epoch":
        dt = datetime(1970, 1, 1, tzinfo=timezone.utc)
    else:
        text = value.strip().replace("T", " ")
        if re.search(r"[+-]\d\d\Z", text):
            text += ":00"
        # '2020-1-1': PostgreSQL reads a year-month-day without the leading zeros too
        text = re.sub(r"\A(\d{4})-(\d{1,2})-(\d{1,2})(?=\D|\Z)",
                      lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text)
        try:
            dt = _fromisoformat(text)
        except ValueError:
            return None
    if type_text == "date":
        return dt.date().isoformat() if isinstance(dt, datetime) else date.isoformat(dt)
    with_zone = "with time zone" in type_text
    if with_zone:
        dt = (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    out = dt.strftime("%Y-%m-%d %H:%M:%S")
    if dt.microsecond:
        out += ("." + f"{dt.microsecond:06d}").rstrip("0")
    return out + ("+00" if with_zone else "")


# --------------------------------------------------------------------------------- view queries

#: Nodes whose presence in a view's query leaves its canonical form undecided: the deparser
#: expands a ``*`` projection into the columns the table had then, and prints a ``VALUES``
#: list and a row-expanding ``(x).*`` in forms the migration does not write.
_UNDECIDED_VIEW_NODES = (exp.Values, exp.Command)


def parse_bool(text: str) -> bool | None:
    """A boolean setting as PostgreSQL's ``parse_bool`` reads it: a prefix of ``true``,
    ``false``, ``yes`` or ``no``, ``on``, ``off`` (or ``of``), ``1``, ``0``; None: not one."""
    t = text.strip().lower()
    if t in ("on", "1"):
        return True
    if t in ("off", "of", "0"):
        return False
    if t and t[0] in "ty" and ("true".startswith(t) or "yes".startswith(t)):
        return True
    if t and t[0] in "fn" and ("false".startswith(t) or "no".startswith(t)):
        return False
    return None


def view_options(pairs: Iterable[tuple[str, str | None]]) -> tuple[str, ...]:
    """A view's options as compared: ``security_barrier`` and ``security_invoker`` when on,
    ``check_option=local|cascaded``; sorted. A boolean off is the default (left out), and
    so is any other option (none applies to a view)."""
    out = set()
    for name, value in pairs:
        name = name.lower()
        if name in ("security_barrier", "security_invoker"):
            if value is None or parse_bool(value):
                out.add(name)
        elif name == "check_option" and value is not None and value.lower() in ("local",
                                                                                 "cascaded"):
            out.add(f"check_option={value.lower()}")
    return tuple(sorted(out))


#: the storage parameters that take a boolean (PostgreSQL keeps any spelling as written)
_BOOLEAN_STORAGE_OPTIONS = frozenset({"autovacuum_enabled", "user_catalog_table",
                                      "vacuum_truncate", "fastupdate", "deduplicate_items",
                                      "vacuum_index_cleanup"})


def altered_storage_options(current: Iterable[str], given: Iterable[tuple[str, str | None]],
                            reset: bool) -> tuple[str, ...]:
    """``current`` (:func:`storage_options`) after ``SET (given)`` or ``RESET (given)``."""
    pairs: dict[str, str | None] = dict(o.partition("=")[::2] for o in current)
    for name, value in given:
        if reset:
            pairs.pop(name.lower(), None)
        else:
            pairs[name.lower()] = value
    return storage_options(pairs.items())


def storage_options(pairs: Iterable[tuple[str, str | None]]) -> tuple[str, ...]:
    """A table's, an index's or a materialized view's storage parameters as compared
    (``fillfactor=70``, ``autovacuum_enabled=false``, ``toast.autovacuum_enabled=false``),
    sorted: a boolean's spelling as ``true`` / ``false`` (a bare name is on), a number's as
    its value (``0.010`` is ``0.01``), any other word in lower case. ``oids`` (``WITH
    (OIDS=FALSE)``, which no release since 12 keeps) is left out. The ``toast.`` ones are kept
    on the TOAST table, which a table without a column to toast does not have (the server
    drops them then): the replay decides (:func:`without_toast`)."""
    out = {}
    for name, value in pairs:
        name = name.lower()
        if name == "oids":
            continue
        text = "true" if value is None else value.strip().lower()
        if name in _BOOLEAN_STORAGE_OPTIONS and parse_bool(text) is not None:
            text = "true" if parse_bool(text) else "false"
        else:
            try:
                number = float(text)
            except ValueError:
                number = None
            if number is not None and number == number:
                text = str(int(number)) if number.is_integer() else repr(number)
        out[name] = text
    return tuple(sorted(f"{k}={v}" for k, v in out.items()))


def function_cost(value: float | str | None, language: str) -> str | None:
    """A routine's ``COST`` as compared: None for its language's default (1 for ``c`` and
    ``internal``, 100 for any other), else the number (a ``real``: ``0.1`` as ``0.1``)."""
    if value is None:
        return None
    number = float(value)
    return None if number == (1.0 if language.lower() in ("c", "internal") else 100.0) \
        else f"{number:g}"


def function_rows(value: float | str | None, returns: str | None) -> str | None:
    """A routine's ``ROWS`` as compared: None for the default (1000 for a set-returning one,
    which alone may say it, 0 for any other), else the number."""
    if value is None:
        return None
    number = float(value)
    set_returning = bool(returns) and returns.startswith(("SETOF ", "TABLE("))  # type: ignore[union-attr]
    return None if number == (1000.0 if set_returning else 0.0) else f"{number:g}"


def statistics_kinds(given: Iterable[str] | None, keys: tuple[str, ...]) -> tuple[str, ...]:
    """An extended statistics object's kinds as compared, sorted: those given, else all
    (``dependencies``, ``mcv``, ``ndistinct``); none for a single expression (its own
    statistics, which every object with an expression gathers, are not a kind here)."""
    if given is not None:
        return tuple(sorted(k.lower() for k in given))
    if len(keys) == 1 and keys[0].startswith("("):
        return ()
    return ("dependencies", "mcv", "ndistinct")


#: the range of each integer type a sequence may be of
INT_RANGES = {
    "smallint": (-32768, 32767),
    "integer": (-2147483648, 2147483647),
    "bigint": (-9223372036854775808, 9223372036854775807),
}


def identity_options(column_type: str, start: int, increment: int, min_value: int,
                     max_value: int, cache: int, cycle: bool) -> tuple[str, ...]:
    """An identity column's sequence as compared: what differs from the sequence
    ``GENERATED ... AS IDENTITY`` makes for a column of ``column_type`` (from 1 up to the
    type's largest value by 1, cache 1, no cycle), sorted: ``cache=20``, ``cycle``,
    ``increment=5``, ``maxvalue=1000``, ``minvalue=0``, ``start=100``; a descending one says
    its bounds and start too. The sequence's own type is not compared: pg_dump never prints
    it (``LIKE ... INCLUDING IDENTITY`` makes a ``bigint`` one, bounded by the column's)."""
    _lo, hi = INT_RANGES.get(column_type, INT_RANGES["bigint"])
    out = []
    for name, value, default in (("cache", cache, 1), ("increment", increment, 1),
                                 ("maxvalue", max_value, hi), ("minvalue", min_value, 1),
                                 ("start", start, 1)):
        if value != default:
            out.append(f"{name}={value}")
    if cycle:
        out.append("cycle")
    return tuple(sorted(out))


def identity_sequence_values(column_type: str, options: tuple[str, ...]
                             ) -> tuple[int, int, int, int, int, bool]:
    """:func:`identity_options` back as ``(start, increment, min_value, max_value, cache,
    cycle)``."""
    given = dict(o.partition("=")[::2] for o in options)
    _lo, hi = INT_RANGES.get(column_type, INT_RANGES["bigint"])
    return (int(given.get("start") or 1), int(given.get("increment") or 1),
            int(given.get("minvalue") or 1), int(given.get("maxvalue") or hi),
            int(given.get("cache") or 1), "cycle" in given)


def without_toast(options: tuple[str, ...]) -> tuple[str, ...]:
    """``options`` (:func:`storage_options`) without the TOAST table's (``toast.``)."""
    return tuple(o for o in options if not o.startswith("toast."))


#: TOAST_TUPLE_THRESHOLD of 8 kB pages: a table whose rows can grow past it gets a TOAST table
TOAST_TUPLE_THRESHOLD = 2032

_BOUNDED = re.compile(r"(character varying|character|bit varying|bit|numeric)\((\d+)(?:,\s*\d+)?\)")


def type_max_size(type_text: str) -> int | None:
    """The largest value of a variable-length type with a length modifier, in bytes, as
    ``type_maximum_size`` counts it (a character as 4 bytes: UTF-8); None for an unbounded
    one (``text``, ``varchar`` without a length, an array, a type the replay does not
    know)."""
    m = _BOUNDED.fullmatch(type_text)
    if m is None:
        return None
    kind, n = m.group(1), int(m.group(2))
    if kind.startswith("character"):
        return n * 4 + 4
    if kind.startswith("bit"):
        return (n + 7) // 8 + 8
    return ((n + 3) // 4 + 2) * 2 + 8  # numeric(p, s): base-10000 digits and a header


#: the storage (``typstorage``) of the built-in types whose own is not ``extended`` or, for
#: a fixed-length one, ``plain``; and the built-in variable-length ones that are ``extended``
_TYPE_STORAGE = {"numeric": "main", "inet": "main", "cidr": "main", "tsquery": "plain",
                 "int2vector": "plain", "oidvector": "plain"}
_EXTENDED = frozenset({
    "bytea", "text", "json", "jsonb", "xml", "path", "polygon", "character", "character varying",
    "bit", "bit varying", "tsvector", "jsonpath", "refcursor", "int4range", "numrange", "tsrange",
    "tstzrange", "daterange", "int8range", "int4multirange", "nummultirange", "tsmultirange",
    "tstzmultirange", "datemultirange", "int8multirange"})
_FIXED = frozenset({
    "smallint", "integer", "bigint", "real", "double precision", "boolean", "date", "money",
    "time without time zone", "time with time zone", "timestamp without time zone",
    "timestamp with time zone", "interval", "uuid", "oid", "macaddr", "macaddr8", "point",
    "line", "lseg", "box", "circle", '"char"', "name", "pg_lsn", "xid", "xid8", "cid", "tid"})


def type_storage(type_text: str) -> str | None:
    """The storage a column of a type has unless set (``typstorage``): ``plain``, ``main`` or
    ``extended``, for a built-in type or an array; None for any other (the replay does not know
    a domain's, an enum's or an extension's)."""
    if type_text.endswith("]"):
        return "extended"
    base = re.sub(r"\(.*?\)", "", type_text).strip()
    if base in _TYPE_STORAGE:
        return _TYPE_STORAGE[base]
    if base in _EXTENDED:
        return "extended"
    return "plain" if base in _FIXED else None


def _is_star_projection(node: exp.Expression) -> bool:
    if isinstance(node, exp.Star):
        return True
    return isinstance(node, exp.Column) and isinstance(node.this, exp.Star)


@lru_cache(maxsize=4096)
def canonical_view_query(
    query: str, columns: tuple[tuple[str, tuple[str, ...]], ...] = (),
    typer: Callable[[exp.Expression], Callable[[exp.Column], str | None]] | None = None,
) -> str | None:
    """A view's query in a form the migration's text and the catalog's ``pg_get_viewdef``
    share, or None when that form cannot be decided with confidence (a difference is then
    not reported: the view is compared by the relations it reads only).

    On top of :func:`normalize_expression`'s rules (casts on constants and columns, the
    deparser's parentheses, ``IN``/``BETWEEN`` rewrites, schema and table qualifiers, case):
    every cast is dropped (the deparser casts arguments to the types it resolved), and so are
    the output aliases (it names every expression column: ``count(*) AS count``) and table
    aliases (qualifiers are not compared), a positional ``GROUP BY``/``ORDER BY`` is the
    expression it names, ``ASC`` and ``INNER``/``OUTER`` are implied, and constants are
    compared as text (``-1`` is ``'-1'::integer``). A ``*`` projection is the columns the
    deparser expanded it into, those of ``columns`` (relation name -> its columns in order, at
    the time the view is created) for the tables it reads; where it reads anything else
    (a view, a subquery, a join ``USING`` that merges columns) the form is undecided.
    ``typer`` (the parsed query -> each column reference's type, None where undecided:
    :func:`schemadiff.sql.query_types.column_typer`), given for a migration's text, types the
    string constants compared to those columns as the server stores them
    (:func:`type_compared_constants`); the catalog's text has them cast already.
    """
    text = query.strip().rstrip(";").strip()
    tree = _parse_expression(text)
    # ``AS (SELECT ...)``, drizzle-kit's form: the parentheses are not kept
    while isinstance(tree, exp.Subquery) and not any(
            v for k, v in tree.args.items() if k != "this"):
        tree = tree.this
    if tree is None or not isinstance(tree, exp.Query):
        return None
    known = dict(columns)
    try:
        for select in list(tree.find_all(exp.Select)):
            if any(_is_star_projection(p) for p in select.expressions) and not _expand_star(
                    select, known):
                return None
        if any(tree.find(t) for t in _UNDECIDED_VIEW_NODES) or any(
                isinstance(d.expression, exp.Star) for d in tree.find_all(exp.Dot)):
            return None  # (a).*: the fields of a row, which the deparser lists
        for select in list(tree.find_all(exp.Select)):
            _whole_row_references(select, known)
            _function_column_references(select, known)
        for select in list(tree.find_all(exp.Select)):
            _positional_to_expressions(select, {k.lower(): v for k, v in known.items()})
            _flatten_join_groups(select)
            if not _plain_limit(select):
                return None
        # before the canonical form drops schema qualifiers; None: a constant the column's
        # unknown type may print otherwise
        if typer is not None and type_compared_constants(tree, typer(tree))[1]:
            return None
        tree = _canonical_tree(tree)
        for node in list(tree.walk()):
            if isinstance(node, (exp.Cast, exp.TryCast)):
                node.replace(node.this)
        for node in list(tree.walk()):
            if isinstance(node, exp.Paren) or (isinstance(node, exp.Alias) and (
                    isinstance(node.parent, exp.Select)
                    or (isinstance(node.this, exp.Column) and node.alias == node.this.name))):
                node.replace(node.this)  # XMLFOREST(name AS name): the deparser names each
            elif isinstance(node, exp.TableAlias):
                node.pop()
            elif isinstance(node, exp.Column) and (node.args.get("table") or node.args.get("db")):
                node.replace(exp.Column(this=node.this))
            elif isinstance(node, exp.Ordered) and not node.args.get("desc"):
                node.set("desc", False)
            elif isinstance(node, exp.Join):
                if (node.args.get("kind") or "").upper() in ("INNER", "OUTER"):
                    node.set("kind", None)
            elif isinstance(node, exp.Literal) and not node.is_string:
                node.replace(exp.Literal.string(node.this))
            elif isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
                node.replace(exp.Literal.string("-" + node.this.this))
        tree = _finish(tree)
        return tree.sql(dialect="postgres", comments=False)
    except (SqlglotError, ValueError, RecursionError, TypeError, AttributeError, KeyError):
        return None


def _expand_star(select: exp.Select, known: dict[str, tuple[str, ...]]) -> bool:
    """``*`` and ``t.*`` as the columns of the plain tables the select reads (False when a
    source is not such a table, or a join merges columns)."""
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is None:
        return False
    joins = list(select.args.get("joins") or [])
    sources: list[tuple[str, tuple[str, ...]]] = []  # (name it is referred to by, columns)
    for source in [from_.this, *(j.this for j in joins)]:
        if (not isinstance(source, exp.Table) or source.args.get("joins")
                or not isinstance(source.this, exp.Identifier)):
            return False  # a function in FROM, a join group
        name = source.name if source.this.quoted else source.name.lower()
        if name not in known:
            return False
        sources.append((source.alias_or_name, known[name]))
    for j in joins:
        if j.args.get("using") or (j.args.get("method") or "").upper() == "NATURAL":
            return False
    out: list[exp.Expression] = []
    for p in select.expressions:
        if isinstance(p, exp.Star):
            out += [exp.column(c, quoted=True) for _, cols in sources for c in cols]
        elif isinstance(p, exp.Column) and isinstance(p.this, exp.Star):
            match = [cols for ref, cols in sources if ref.lower() == p.table.lower()]
            if len(match) != 1:
                return False
            out += [exp.column(c, quoted=True) for c in match[0]]
        else:
            out.append(p)
    select.set("expressions", out)
    return True


def _whole_row_references(select: exp.Select, known: dict[str, tuple[str, ...]]) -> None:
    """``row_to_json(t)`` names the row of ``t``, which the deparser prints as ``t.*``: a bare
    name that is a plain table the select reads (by its alias or name) and none of that
    table's columns. A table whose columns are not known is left alone."""
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is None:
        return
    rows: dict[str, tuple[str, ...]] = {}
    for source in [from_.this, *(j.this for j in select.args.get("joins") or [])]:
        if not isinstance(source, exp.Table) or not isinstance(source.this, exp.Identifier):
            continue
        name = source.name if source.this.quoted else source.name.lower()
        if name in known:
            rows[source.alias_or_name.lower()] = known[name]
    if not rows:
        return
    columns = {c.lower() for cols in rows.values() for c in cols}
    for node in list(select.find_all(exp.Column)):
        if (node.args.get("table") is None and isinstance(node.this, exp.Identifier)
                and node.name.lower() in rows and node.name.lower() not in columns
                and _argument_of_a_call(node) and node.parent_select is select):
            node.replace(exp.Column(this=exp.Star(), table=exp.to_identifier(node.name)))
    for dot in list(select.find_all(exp.Dot)):  # (t).c and (t.*).c: the column c of t
        row = dot.this.unnest() if isinstance(dot.this, exp.Paren) else None
        if (not isinstance(row, exp.Column) or not isinstance(dot.expression, exp.Identifier)
                or dot.parent_select is not select):
            continue
        name = (row.table if isinstance(row.this, exp.Star) else
                row.name if row.args.get("table") is None and row.name.lower() not in columns
                else "").lower()
        if dot.expression.name.lower() in {c.lower() for c in rows.get(name, ())}:
            dot.replace(exp.Column(this=dot.expression.copy(), table=exp.to_identifier(name)))


def _argument_of_a_call(node: exp.Expression) -> bool:
    """An argument of a function call (a cast's too), an aggregate's ordered or DISTINCT one
    included (``jsonb_agg(t ORDER BY t.id)``, ``jsonb_agg(DISTINCT t)``)."""
    parent = node.parent
    while isinstance(parent, (exp.Order, exp.Distinct, exp.Paren)) and (
            not isinstance(parent, exp.Order) or parent.this is node):
        node, parent = parent, parent.parent
    return isinstance(parent, (exp.Func, exp.Anonymous))


#: set-returning builtins whose one output column is named by an OUT parameter, not by the
#: alias: ``jsonb_array_elements_text(j) AS e`` reads the column ``e.value``
_OUT_COLUMN = {name: "value" for name in (
    "jsonb_array_elements", "jsonb_array_elements_text", "json_array_elements",
    "json_array_elements_text")} | {"pg_partition_ancestors": "relid"}
_OUT_COLUMN_HINT = re.compile(r"(?i)\bjsonb?_array_elements|\bpg_partition_ancestors\b")


def _identifier_name(ident: exp.Expression | None) -> str | None:
    if not isinstance(ident, exp.Identifier):
        return None
    return ident.this if ident.quoted else ident.this.lower()


def _function_column_references(select: exp.Select, known: dict[str, tuple[str, ...]]) -> None:
    """``SELECT e FROM t a, jsonb_array_elements_text(a.j) AS e``: a bare ``e`` is the
    function's one column, which the deparser prints as ``e.value`` (``e(value)``); such a
    reference is written as that column, and the alias given its column list. A name that is
    a column of a known table the select reads is that column instead, and is left alone."""
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is None:
        return
    sources = [from_.this, *(j.this for j in select.args.get("joins") or [])]
    columns: dict[str, str] = {}  # alias -> the function's column
    aliases: list[tuple[exp.TableAlias, str, str]] = []
    taken: set[str] = set()
    for source in sources:
        if isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier):
            name = _identifier_name(source.this)
            taken.update(c.lower() for c in known.get(name or "", ()))
            continue
        if not isinstance(source, (exp.Table, exp.Lateral)) or source.args.get("ordinality"):
            continue
        func, alias = source.this, source.args.get("alias")
        if (not isinstance(func, exp.Anonymous) or not isinstance(alias, exp.TableAlias)
                or alias.args.get("columns")):
            continue
        out = _OUT_COLUMN.get(func.name.lower())
        if out is None:  # the migrations' own function: "f()" -> its one named column
            out = next(iter(known.get(func.name.lower() + "()", ())), None)
        name = _identifier_name(alias.this)
        if out is not None and name:
            aliases.append((alias, name, out))
    for alias, name, out in aliases:
        if name not in taken:
            alias.set("columns", [exp.to_identifier(out)])
            columns[name] = out
    if not columns:
        return
    for node in list(select.find_all(exp.Column)):
        name = _identifier_name(node.this)
        if (node.args.get("table") is None and name in columns
                and node.parent_select is select):
            column: exp.Expression = exp.Column(this=exp.to_identifier(columns[name]),
                                                table=exp.to_identifier(name))
            if node.parent is select:  # the output column keeps the alias's name
                column = exp.Alias(this=column, alias=exp.to_identifier(name))
            node.replace(column)


def _plain_limit(select: exp.Select) -> bool:
    """``FETCH FIRST n ROWS ONLY`` as the ``LIMIT n`` the deparser prints, ``LIMIT NULL`` /
    ``FETCH FIRST NULL ROWS`` as its ``LIMIT ALL``; False for ``WITH TIES`` and ``PERCENT``
    (left undecided)."""
    limit = select.args.get("limit")
    if isinstance(limit, exp.Fetch):
        options = limit.args.get("limit_options")
        if options is not None and (options.args.get("with_ties") or options.args.get("percent")):
            return False
        count = limit.args.get("count")
        limit = exp.Limit(expression=count if count is not None else exp.Literal.number(1))
        select.set("limit", limit)
    if isinstance(limit, exp.Limit) and isinstance(limit.expression, exp.Null):
        select.set("limit", exp.Limit(expression=exp.Var(this="ALL")))
    return True


def _input_columns(select: exp.Select, known: Mapping[str, tuple[str, ...]]) -> set[str] | None:
    """The columns of the relations a SELECT reads, when each is a table of ``known``."""
    items = [select.args.get("from_") or select.args.get("from"), *(select.args.get("joins") or [])]
    names: set[str] = set()
    for item in items:
        table = item.this if item is not None else None
        if not isinstance(table, exp.Table) or table.name.lower() not in known:
            return None
        names.update(c.lower() for c in known[table.name.lower()])
    return names


def _positional_to_expressions(select: exp.Select,
                               known: Mapping[str, tuple[str, ...]] | None = None) -> None:
    """``GROUP BY 1`` / ``ORDER BY 2``: the output column they name (the deparser prints it);
    ``GROUP BY bucket`` an output column's name where no input column has it (PostgreSQL takes
    an input column first): decided only when every relation the SELECT reads is a table of
    ``known``."""
    projections = [p.this if isinstance(p, exp.Alias) else p for p in select.expressions]

    def target(node: exp.Expression) -> exp.Expression | None:
        if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
            i = int(node.this) - 1
            if 0 <= i < len(projections):
                return projections[i].copy()
        return None

    aliases = {p.alias.lower(): p.this for p in select.expressions
               if isinstance(p, exp.Alias) and p.alias}
    group = select.args.get("group")
    inputs = _input_columns(select, known or {})
    if group is not None:
        for item in list(group.expressions):
            if isinstance(item, (exp.GroupingSets, exp.Rollup, exp.Cube)):
                # GROUPING SETS ((1, 2), (1)), ROLLUP (1, 2): positions too
                for node in list(_grouping_elements(item)):
                    new = target(node)
                    if new is not None:
                        node.replace(new)
                continue
            new = target(item)
            if (new is None and inputs is not None and isinstance(item, exp.Column)
                    and not item.table and item.name.lower() in aliases
                    and item.name.lower() not in inputs):
                new = aliases[item.name.lower()].copy()
            if new is not None:
                item.replace(new)
    order = select.args.get("order")
    if order is not None:
        for ordered in order.expressions:
            new = target(ordered.this)
            key = ordered.this
            if (new is None and isinstance(key, exp.Column) and not key.table
                    and key.name.lower() in aliases):
                new = aliases[key.name.lower()].copy()  # ORDER BY an output column's name
            if new is not None:
                ordered.set("this", new)


def _grouping_elements(node: exp.Expression) -> Iterator[exp.Expression]:
    """The grouping expressions of ``GROUPING SETS``, ``ROLLUP`` or ``CUBE``, through the
    parentheses and lists that group them (nested sets included)."""
    for child in node.expressions if not isinstance(node, exp.Paren) else [node.this]:
        if isinstance(child, (exp.Tuple, exp.Paren, exp.GroupingSets, exp.Rollup, exp.Cube)):
            yield from _grouping_elements(child)
        else:
            yield child


def _flatten_join_groups(select: exp.Select) -> None:
    """``FROM ((a JOIN b ON ...) JOIN c ON ...)``, as the deparser nests left-deep joins, is
    ``FROM a JOIN b ON ... JOIN c ON ...``."""
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is None:
        return
    node = from_.this
    joins: list[exp.Expression] = []
    while True:
        if (isinstance(node, exp.Subquery) and not node.alias
                and isinstance(node.this, (exp.Subquery, exp.Table))
                and not isinstance(node.this, (exp.Select, exp.SetOperation))):
            joins = list(node.args.get("joins") or []) + joins
            node = node.this
        elif isinstance(node, exp.Table) and node.args.get("joins"):
            joins = list(node.args["joins"]) + joins
            node.set("joins", None)
        else:
            break
    if node is from_.this:
        return
    from_.set("this", node)
    select.set("joins", joins + list(select.args.get("joins") or []))
