"""The output columns of a query: names and types, as ``CREATE TABLE ... AS`` makes them.

PostgreSQL names each output column by ``FigureColname`` (the alias, else the column, the
function, or the cast's type name, else ``?column?``) and types it by its expression. This
reads both from the query for the expressions whose type follows from the catalog without a
server: columns of known tables, constants, casts, the arithmetic of integers and numerics,
comparisons, string concatenation and the common functions and aggregates
(:data:`_FUNCTION_TYPES`). Anything else makes the whole shape unknown (None): the statement is
then reported as unmodeled rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlglot import exp
from sqlglot.errors import SqlglotError

from schemadiff.sql.normalize import _parse_expression

#: ``relation(schema or None, name)`` -> its columns ``[(name, type)]`` in order, or None.
Relations = Callable[[str | None, str], "list[tuple[str, str]] | None"]
#: ``resolve(type as written)`` -> the canonical type text (user types qualified), or None.
Resolve = Callable[[str], "str | None"]
_T = TypeVar("_T")

_INTEGERS = ("smallint", "integer", "bigint")
_NUMBERS = (*_INTEGERS, "numeric")
_FLOATS = ("real", "double precision")
# PostgreSQL's own names for what a cast names a column after (``SELECT 1::int`` is int4).
_INTERNAL_NAMES = {
    "smallint": "int2", "integer": "int4", "bigint": "int8", "boolean": "bool",
    "real": "float4", "double precision": "float8", "character varying": "varchar",
    "character": "bpchar", "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz", "time without time zone": "time",
    "time with time zone": "timetz", "bit varying": "varbit",
}
_TEXT_FUNCTIONS = frozenset({
    "lower", "upper", "rpad", "lpad", "concat", "concat_ws", "substr", "substring", "trim",
    "btrim", "ltrim", "rtrim", "replace", "md5", "repeat", "left", "right", "to_char", "initcap",
    "reverse", "translate", "format", "quote_ident", "quote_literal", "string_agg", "chr",
    "split_part", "regexp_replace", "array_to_string", "json_typeof", "jsonb_typeof",
    "jsonb_pretty", "timeofday",
})
_TIMESTAMPTZ = "timestamp with time zone"
_TIMESTAMP = "timestamp without time zone"
_TIME = "time without time zone"
_TIMETZ = "time with time zone"
_FUNCTION_TYPES = {
    "count": "bigint", "row_number": "bigint", "rank": "bigint", "dense_rank": "bigint",
    "length": "integer", "char_length": "integer", "strpos": "integer", "ascii": "integer",
    "octet_length": "integer", "bit_length": "integer", "cardinality": "integer",
    "jsonb_array_length": "integer", "json_array_length": "integer",
    "now": _TIMESTAMPTZ, "random": "double precision", "current_timestamp": _TIMESTAMPTZ,
    "clock_timestamp": _TIMESTAMPTZ, "statement_timestamp": _TIMESTAMPTZ,
    "transaction_timestamp": _TIMESTAMPTZ, "current_date": "date", "age": "interval",
    "percent_rank": "double precision", "cume_dist": "double precision",
    "nextval": "bigint", "currval": "bigint", "lastval": "bigint", "setval": "bigint",
    "every": "boolean", "gen_random_uuid": "uuid", "to_tsvector": "tsvector",
    "to_jsonb": "jsonb", "jsonb_build_object": "jsonb", "jsonb_build_array": "jsonb",
    "jsonb_agg": "jsonb", "jsonb_object_agg": "jsonb", "jsonb_strip_nulls": "jsonb",
    "jsonb_set": "jsonb", "to_json": "json", "json_build_object": "json",
    "json_build_array": "json", "json_agg": "json", "json_object_agg": "json",
    "row_to_json": "json", "array_to_json": "json",
}
# sqlglot's classes for functions it gives one name whatever PostgreSQL spelling was used
# (lpad and rpad are Pad; now() is CurrentTimestamp; ``a % b`` and mod(a, b) are Mod;
# ``a ^ b`` and power(a, b) are Pow; ``->`` and json_extract_path are JSONExtract): the type
# is known, the name PostgreSQL gives an unnamed column is not.
_AMBIGUOUS = frozenset({
    "Pad", "Length", "Substring", "CurrentTimestamp", "GroupConcat", "TimeToStr",
    "StrPosition", "Rand", "Mod", "Pow", "Ceil", "JSONExtract", "JSONExtractScalar",
    "JSONBExtract", "JSONBExtractScalar", "LogicalOr", "LogicalAnd", "JSONArrayAgg",
    "JSONBObjectAgg", "JSONObjectAgg", "StrToTime", "UnixToTime", "StrToDate",
    "ArraySize", "RegexpLike", "ArrayToString", "StringToArray", "Extract",
})
# The name PostgreSQL's one spelling of a sqlglot class gives a column.
_CLASS_NAMES = {"TimestampTrunc": "date_trunc", "Explode": "unnest", "Uuid": "gen_random_uuid"}
_CLASS_TYPES = {
    "Pad": "text", "Substring": "text", "GroupConcat": "text", "TimeToStr": "text",
    "Upper": "text", "Lower": "text", "Trim": "text", "Concat": "text", "Repeat": "text",
    "MD5": "text", "Left": "text", "Right": "text", "Initcap": "text", "Replace": "text",
    "Chr": "text", "SplitPart": "text", "RegexpReplace": "text", "ArrayToString": "text",
    "StringToArray": "text[]", "Length": "integer", "StrPosition": "integer",
    "Ascii": "integer", "ArraySize": "integer", "CurrentDate": "date",
    "Rand": "double precision", "Count": "bigint", "RowNumber": "bigint", "Rank": "bigint",
    "DenseRank": "bigint", "LogicalOr": "boolean", "LogicalAnd": "boolean",
    "JSONArrayAgg": "json", "JSONObjectAgg": "json", "JSONBObjectAgg": "jsonb",
    "Uuid": "uuid", "StrToTime": _TIMESTAMPTZ, "UnixToTime": _TIMESTAMPTZ,
    "StrToDate": "date",
}
# Without a precision: with one, the result has it as its type modifier.
_CLOCKS = {"CurrentTimestamp": _TIMESTAMPTZ, "Localtimestamp": _TIMESTAMP}
_SAME_AS_ARGUMENT = frozenset({"min", "max", "abs", "any_value", "generate_series"})
# the types min and max take as text, having no version of their own
_AS_TEXT = frozenset({"character varying", "name"})
# float8 and numeric versions, an integer taken as float8 (the preferred type of the numbers)
_MATH = frozenset({"Round", "Floor", "Ceil", "Trunc", "Sqrt", "Exp", "Ln"})


class _Unknown(Exception):
    """An expression whose name or type this module does not work out."""


def output_columns(query: str, relations: Relations, resolve: Resolve
                   ) -> list[tuple[str, str]] | None:
    """``[(name, type)]`` of the query's output, or None when any is unknown."""
    shape = output_columns_loose(query, relations, resolve)
    return None if shape is None or any(t is None for _, t in shape) else shape  # type: ignore[return-value]


def output_columns_loose(query: str, relations: Relations, resolve: Resolve
                         ) -> list[tuple[str, str | None]] | None:
    """``[(name, type)]`` of the query's output, a type None where only it is unknown (a
    call of a function this module does not type); None when a name or the list is."""
    return _read(query, lambda tree: _shape(tree, relations, resolve, loose=True))


def output_names(query: str, relations: Relations) -> tuple[str, ...] | None:
    """The names of the query's output columns, as a view gets them (FigureColname), or
    None when any is unknown. Only ``*`` needs the catalog (``relations``)."""
    return _read(query, lambda tree: tuple(_names(tree, relations)))


def _read(query: str, shape: Callable[[exp.Expression], _T]) -> _T | None:
    """``shape`` of the parsed query (its text kept for :func:`_written`), None when the
    query does not parse or any part of it is unknown."""
    tree = _parse_expression(query)
    if tree is None:
        return None
    global _source
    _source = query
    try:
        return shape(tree)
    except _Unknown:
        return None


_source = ""
"""The text of the query being read: sqlglot reads many functions into a class of another
name (``var_samp`` is Variance, ``sha256`` SHA2Digest, ``array_cat`` ArrayConcat), so a
function's name is taken only when the text calls it by that name."""


def _written(name: str) -> bool:
    """``name`` is called (or named, for a function without parentheses) in the text."""
    return re.search(rf"(?<![\w$.\"]){re.escape(name)}(?![\w$\"])", _source, re.IGNORECASE) \
        is not None


def _names(tree: exp.Expression, relations: Relations) -> list[str]:
    if isinstance(tree, exp.Subquery):
        return _names(tree.this, relations)
    if isinstance(tree, (exp.Union, exp.Intersect, exp.Except)):  # the left's names
        return _names(tree.this, relations)
    if isinstance(tree, exp.Values):
        rows = tree.expressions
        if not rows or not isinstance(rows[0], exp.Tuple):
            raise _Unknown("VALUES")
        return [f"column{i}" for i in range(1, len(rows[0].expressions) + 1)]
    if not isinstance(tree, exp.Select):
        raise _Unknown("not a plain SELECT")
    if any(isinstance(e.unalias() if isinstance(e, exp.Alias) else e, exp.Star)
           or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))
           for e in tree.expressions):
        # the sources' columns
        return [n for n, _ in _shape(tree, relations, lambda _: None, loose=True)]
    return [_ident(e.args.get("alias")) if isinstance(e, exp.Alias) else _colname(e)
            for e in tree.expressions]


def _ident(node: exp.Expression | None) -> str:
    if node is None:
        raise _Unknown("no name")
    ident = node if isinstance(node, exp.Identifier) else node.args.get("this")
    if isinstance(ident, exp.Identifier):
        return ident.this if ident.quoted else ident.this.lower()
    return node.name.lower()


def _shape(tree: exp.Expression, relations: Relations, resolve: Resolve, loose: bool = False
           ) -> list[tuple[str, str]]:
    if isinstance(tree, exp.Subquery):
        return _shape(tree.this, relations, resolve)
    if isinstance(tree, exp.Union):  # UNION [ALL]: the left's names, types equal on both sides
        left = _shape(tree.this, relations, resolve)
        right = _shape(tree.expression, relations, resolve)
        if [t for _, t in left] != [t for _, t in right]:
            raise _Unknown("set operation of different types")
        return left
    if isinstance(tree, exp.Values):
        rows = tree.expressions
        first = rows[0].expressions if rows and isinstance(rows[0], exp.Tuple) else []
        if not first:
            raise _Unknown("VALUES")
        scope = _Scope(_From(), relations, resolve)
        types = [scope.type(e) for e in first]
        for row in rows[1:]:
            if [scope.type(e) for e in row.expressions] != types:
                raise _Unknown("VALUES rows of different types")
        return [(f"column{i}", t) for i, t in enumerate(types, start=1)]
    with_ = tree.args.get("with") or tree.args.get("with_")
    if with_ is not None:  # WITH a AS (...): each CTE's shape, visible to those after it
        if with_.args.get("recursive"):
            raise _Unknown("WITH RECURSIVE")
        ctes: dict[str, list[tuple[str, str]]] = {}
        outer = relations

        def relations(schema: str | None, name: str) -> list[tuple[str, str]] | None:
            if schema is None and name in ctes:
                return ctes[name]
            return outer(schema, name)

        for cte in with_.expressions:
            shape = _shape(cte.this, relations, resolve)
            alias = cte.args.get("alias")
            if alias is not None and alias.columns:
                renamed = [_ident(c) for c in alias.columns]
                shape = [(renamed[i] if i < len(renamed) else n, t)
                         for i, (n, t) in enumerate(shape)]
            ctes[_ident(alias.this if alias is not None else None)] = shape
        tree = tree.copy()
        tree.set("with" if tree.args.get("with") is not None else "with_", None)
    if not isinstance(tree, exp.Select):
        raise _Unknown("not a plain SELECT")
    scope = _Scope(_sources(tree, relations, resolve), relations, resolve)
    out: list[tuple[str, str]] = []
    for e in tree.expressions:
        target = e.this if isinstance(e, exp.Alias) else e
        if isinstance(target, exp.Star):
            out += scope.sources.star
            continue
        if isinstance(target, exp.Column) and isinstance(target.this, exp.Star):
            columns = scope.sources.by_alias.get(_ident(target.args.get("table")))
            if columns is None:
                raise _Unknown("star of an unknown source")
            out += columns
            continue
        name = _ident(e.args.get("alias")) if isinstance(e, exp.Alias) else _colname(target)
        try:
            out.append((name, scope.type(target)))
        except _Unknown:
            if not loose:
                raise
            out.append((name, None))  # type: ignore[arg-type]
    if not loose and any(t is None for _, t in out):  # a column of a type not modelled
        raise _Unknown("column type")
    return out


@dataclass
class _From:
    """What a query's FROM list makes visible: each item's columns by its alias, the columns
    ``*`` stands for (a ``USING`` or ``NATURAL`` join's merged columns first, once), and the
    merged columns by name (an unqualified reference to one is the merged column)."""

    by_alias: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    star: list[tuple[str, str]] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)


def _sources(tree: exp.Select, relations: Relations, resolve: Resolve) -> _From:
    """Each FROM / JOIN item's alias and its columns."""
    from_ = tree.args.get("from") or tree.args.get("from_")
    items = [(from_.this, None)] if from_ is not None else []
    items += [(j.this, j) for j in tree.args.get("joins") or []]
    found = _From()
    for t, join in items:
        alias_node = t.args.get("alias")
        alias = _ident(alias_node.this) if alias_node is not None and alias_node.this else None
        name = None  # a subquery without an alias (PostgreSQL 16+) has neither
        if isinstance(t, exp.Table) and isinstance(t.this, exp.Identifier):
            name = _ident(t.this)
            schema = _ident(t.args["db"]) if t.args.get("db") else None
            columns = relations(schema, name)
            if columns is None:
                raise _Unknown(f"columns of {name}")
        elif isinstance(t, exp.Subquery):
            columns = _shape(t.this, relations, resolve)
        elif isinstance(t, exp.Table) and isinstance(t.this, exp.Func) and alias:
            # a function in FROM: one column named for the alias
            columns = [(alias, _Scope(_From(), relations, resolve).type(t.this))]
        else:
            raise _Unknown("FROM item")
        if alias_node is not None and alias_node.columns:
            renamed = [_ident(c) for c in alias_node.columns]
            columns = [(renamed[i] if i < len(renamed) else n, ty)
                       for i, (n, ty) in enumerate(columns)]
        if alias or name:
            found.by_alias[alias or name] = columns
        found.star = _joined(found, columns, join)
    return found


def _joined(found: _From, right: list[tuple[str, str]], join: exp.Join | None
            ) -> list[tuple[str, str]]:
    """The columns ``*`` stands for once ``right`` is joined to what is left of it: a
    ``USING`` (or ``NATURAL``) join's columns once, first, typed as both sides' common type."""
    if join is None:
        return found.star + right
    left = found.star
    if join.args.get("method") == "NATURAL":
        names = [n for n, _ in left if any(n == r for r, _ in right)]
    else:
        names = [_ident(u) for u in join.args.get("using") or []]
    if not names:
        return left + right
    merged = []
    for name in names:
        sides = [[t for n, t in cols if n == name] for cols in (left, right)]
        if any(len(types) != 1 for types in sides) or names.count(name) > 1:
            raise _Unknown(f"join column {name}")  # the server refuses these
        merged.append((name, _common([sides[0][0], sides[1][0]], "USING")))
    found.merged.update(merged)
    return merged + [c for c in left if c[0] not in names] + [c for c in right
                                                              if c[0] not in names]


def _colname(e: exp.Expression) -> str:
    """FigureColname for an expression without an alias."""
    return _figure(e)[0]


def _figure(e: exp.Expression) -> tuple[str, int]:
    """FigureColnameInternal: a name and its strength (2 column or function, 1 a type name
    or ``case``, 0 ``?column?``); a cast names the column after its type only when what it
    casts names nothing stronger."""
    if isinstance(e, exp.Column):
        return _ident(e.this), 2
    if isinstance(e, exp.Paren):
        return _figure(e.this)
    if isinstance(e, exp.Cast):
        name, strength = _figure(e.this)
        if strength <= 1:
            canonical = _without_typmod(_datatype_words(e.args["to"]))
            return _INTERNAL_NAMES.get(canonical, canonical.split(".")[-1]), 1
        return name, strength
    if isinstance(e, exp.Case):
        return "case", 1
    if isinstance(e, exp.Collate):  # a COLLATE clause names nothing itself
        return _figure(e.this)
    if isinstance(e, exp.Connector):  # AND / OR, which sqlglot also counts as functions
        return "?column?", 0
    if isinstance(e, exp.Trim):  # trim(...), btrim, ltrim, rtrim: PostgreSQL's three
        return {"LEADING": "ltrim", "TRAILING": "rtrim"}.get(e.args.get("position"), "btrim"), 2
    if isinstance(e, exp.Window):
        return _figure(e.this)
    if isinstance(e, exp.Subquery) and isinstance(e.this, exp.Select):
        inner = e.this.expressions  # a scalar subquery: its one column's name
        if len(inner) != 1 or isinstance(inner[0].unalias(), exp.Star):
            raise _Unknown("name of a subquery")
        first = inner[0]
        return (_ident(first.args.get("alias")) if isinstance(first, exp.Alias)
                else _colname(first)), 2
    if isinstance(e, exp.AtTimeZone):
        return "timezone", 2
    if isinstance(e, exp.Array):
        return "array", 2
    if isinstance(e, exp.Anonymous):
        return e.name.lower(), 2
    if isinstance(e, exp.Mod) and not _written("mod"):
        return "?column?", 0  # a % b: an operator (sqlglot reads mod(a, b) so too)
    if isinstance(e, exp.Func):
        cls = type(e).__name__
        if cls in _AMBIGUOUS:
            raise _Unknown("sqlglot merges several functions under this name")
        if cls in _CLASS_NAMES:
            return _CLASS_NAMES[cls], 2
        names = e.sql_names()
        name = names[0].lower() if names else cls.lower()
        name = {"exploding_generate_series": "generate_series"}.get(name, name)
        if not _written(name):
            raise _Unknown(f"{name}: sqlglot's name for a function the text names otherwise")
        return name, 2
    if isinstance(e, exp.Mod):
        raise _Unknown("sqlglot reads mod(a, b) as a % b")
    if isinstance(e, exp.Dot) and isinstance(e.expression, exp.Identifier):
        return _ident(e.expression), 2  # (a).field: the field's name
    if isinstance(e, exp.Dot):
        raise _Unknown("(a).*: the fields of a row")
    if isinstance(e, (exp.Literal, exp.Binary, exp.Neg, exp.Not, exp.Null, exp.Boolean,
                      exp.ByteString, exp.BitString, exp.HexString, exp.Predicate)):
        return "?column?", 0
    raise _Unknown(f"name of {type(e).__name__}")


def _datatype_words(dt: exp.Expression) -> str:
    """A sqlglot data type as the canonical type text of the grammar (unresolved)."""
    from schemadiff.sql.grammar import data_type
    from schemadiff.sql.tokens import Stream, SyntaxProblem

    text = dt.name if isinstance(dt, exp.ObjectIdentifier) else dt.sql(dialect="postgres")
    try:
        ref = data_type(Stream(text))
    except SyntaxProblem:
        raise _Unknown("type") from None
    return ref.render() if ref.builtin else (f"{ref.schema}.{ref.name}" if ref.schema
                                             else ref.name)


def _untyped(e: exp.Expression) -> bool:
    """A string constant or NULL: its type is the one of what it meets (an "unknown")."""
    while isinstance(e, exp.Paren):
        e = e.this
    return isinstance(e, exp.Null) or (isinstance(e, exp.Literal) and e.is_string)


@dataclass(frozen=True)
class _Scope:
    """What the expressions of one SELECT see: its FROM list and the catalog."""

    sources: _From
    relations: Relations
    resolve: Resolve

    def type(self, e: exp.Expression) -> str:
        """The type of an expression, or _Unknown."""
        if isinstance(e, (exp.Paren, exp.Alias)):
            return self.type(e.this)
        if isinstance(e, exp.Column):
            return self._column(e)
        if isinstance(e, exp.Cast):
            to = e.args["to"]
            text = to.name if isinstance(to, exp.ObjectIdentifier) else to.sql(dialect="postgres")
            resolved = self.resolve(text)
            if resolved is None:
                raise _Unknown("cast type")
            return resolved
        if isinstance(e, exp.Literal):
            if e.is_string:
                return "text"
            text = e.this
            if text.isdigit():
                value = int(text)
                return ("integer" if value <= 2147483647 else
                        "bigint" if value <= 9223372036854775807 else "numeric")
            return "numeric"
        if isinstance(e, exp.Neg):  # an operator's result: no type modifier
            t = _without_typmod(self.type(e.this))
            return t if t in (*_NUMBERS, *_FLOATS, "interval") else _raise("-")
        if isinstance(e, (exp.Boolean, exp.Predicate, exp.Not, exp.And, exp.Or)):
            return "boolean"
        if isinstance(e, exp.Null):
            return "text"
        if isinstance(e, exp.DPipe):  # a string meeting anything but an array: text
            typed = [_without_typmod(self.type(x)) for x in (e.this, e.expression)
                     if not _untyped(x)]  # a constant alone takes the other side's type
            if not typed or (set(typed) & {"text", "character varying", "bpchar"}
                             and not any(t.endswith("[]") for t in typed)):
                return "text"
            raise _Unknown("||")
        if isinstance(e, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Pow)):
            return self._arithmetic(e)
        if isinstance(e, exp.Case):
            results = [b.args["true"] for b in e.args.get("ifs") or []]
            default = e.args.get("default")
            return self._common([*results, default if default is not None else exp.Null()],
                                "CASE")
        if isinstance(e, (exp.Coalesce, exp.Greatest, exp.Least)):
            return self._common(list(e.iter_expressions()), "COALESCE")
        if isinstance(e, exp.Nullif):
            return self._nullif(e)
        if isinstance(e, exp.Array):
            elements = e.expressions
            if not elements or any(isinstance(x, (exp.Array, exp.Select)) for x in elements):
                raise _Unknown("ARRAY")
            return self._common(elements, "ARRAY") + "[]"
        if isinstance(e, exp.Subquery) and isinstance(e.this, exp.Select):
            shape = _shape(e.this, self.relations, self.resolve)  # a scalar subquery
            return shape[0][1] if len(shape) == 1 else _raise("subquery")
        if isinstance(e, (exp.JSONExtract, exp.JSONBExtract)):  # -> and #>: json or jsonb
            t = self.type(e.this)
            return t if t in ("json", "jsonb") else _raise("->")
        if isinstance(e, (exp.JSONExtractScalar, exp.JSONBExtractScalar)):  # ->> and #>>
            return "text" if self.type(e.this) in ("json", "jsonb") else _raise("->>")
        if isinstance(e, exp.AtTimeZone):
            t = _without_typmod(self.type(e.this))
            return {_TIMESTAMP: _TIMESTAMPTZ, _TIMESTAMPTZ: _TIMESTAMP}.get(t) or _raise("AT")
        if isinstance(e, exp.Window):
            return self.type(e.this)
        if isinstance(e, exp.Func):
            return self._function(e)
        raise _Unknown(f"type of {type(e).__name__}")

    def _column(self, e: exp.Column) -> str:
        name = _ident(e.this)
        qualifier = _ident(e.args["table"]) if e.args.get("table") else None
        if qualifier is None and name in self.sources.merged:
            return self.sources.merged[name]
        found = [t for alias, cols in self.sources.by_alias.items() if qualifier in (None, alias)
                 for n, t in cols if n == name]
        if len(found) != 1 or found[0] is None:
            raise _Unknown(f"column {name}")
        return found[0]

    def _arithmetic(self, e: exp.Binary) -> str:
        """``+ - * / % ^``: numbers as their operators (an integer meets a wider number in
        its type; float8 wins; two reals stay real), dates and times as theirs."""
        if isinstance(e, exp.Add) and (_untyped(e.this) or _untyped(e.expression)):
            # a timestamp plus a string constant: the constant is an interval (the only +
            # of a timestamp), as the canonical form writes INTERVAL '1 day'
            other = e.expression if _untyped(e.this) else e.this
            t = _without_typmod(self.type(other)) if not _untyped(other) else None
            if t in (_TIMESTAMP, _TIMESTAMPTZ):
                return t
        a, b = (self._operand(x) for x in (e.this, e.expression))
        if a in _NUMBERS + _FLOATS and b in _NUMBERS + _FLOATS:
            floats = {a, b} & set(_FLOATS)
            if isinstance(e, exp.Pow):  # float8 unless a numeric meets no float
                return "numeric" if "numeric" in (a, b) and not floats else "double precision"
            if floats:
                if isinstance(e, exp.Mod):
                    raise _Unknown("%")  # no float % float
                return "real" if a == b == "real" else "double precision"
            if "numeric" in (a, b):
                return "numeric"
            return max(a, b, key=_INTEGERS.index)
        op = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/"}.get(type(e))
        if op is None:
            raise _Unknown("arithmetic")
        a, b = ("integer" if t in ("smallint", "integer") else t for t in (a, b))
        found = _TIME_ARITHMETIC.get((a, op, b))
        if found is None and "interval" in (a, b) and op in "*/":  # interval times a number
            other = b if a == "interval" else a
            if (op == "*" or a == "interval") and other in _NUMBERS + _FLOATS:
                found = "interval"
        return found or _raise("arithmetic")

    def _operand(self, e: exp.Expression) -> str:
        """An operand's type without its modifier (``interval '1 day'`` is an interval)."""
        if isinstance(e, exp.Interval):
            return "interval"
        return _without_typmod(self.type(e))

    def _common(self, exprs: list[exp.Expression], what: str) -> str:
        """The type of CASE / COALESCE / ARRAY results (:func:`_common`); a string constant
        or NULL takes the others' type, without the modifier: it is cast to the bare type."""
        typed = [self.type(x) for x in exprs if not _untyped(x)]
        if not typed:
            return "text"
        common = _common(typed, what)
        return _without_typmod(common) if len(typed) < len(exprs) else common

    def _nullif(self, e: exp.Nullif) -> str:
        """NULLIF(a, b): ``a``'s type as the ``=`` between them takes it: a varchar compared
        as text; the same type or a string constant on the other side keep it."""
        first = self.type(e.this)
        other = e.expression
        if not _untyped(other) and _without_typmod(self.type(other)) != _without_typmod(first):
            raise _Unknown("NULLIF of different types")
        if _without_typmod(first) == "character varying":
            return "text"
        return first if _without_typmod(first) not in ("bpchar", "character") else _raise("NULLIF")

    def _function(self, e: exp.Func) -> str:
        args = [a for a in e.iter_expressions() if not isinstance(a, exp.Star)]
        cls = type(e).__name__
        if cls in _CLOCKS:
            return _CLOCKS[cls] if e.this is None else _raise("precision")
        if cls in _CLASS_TYPES:
            return _CLASS_TYPES[cls]
        if cls == "ArrayAgg" and args:  # a function's result has no type modifier
            return _without_typmod(self.type(args[0])) + "[]"
        if cls == "Explode" and len(args) == 1:  # unnest(anyarray)
            t = _without_typmod(self.type(args[0]))
            return t.removesuffix("[]") if t.endswith("[]") else _raise("unnest")
        if cls == "TimestampTrunc" and e.args.get("zone") is None:
            t = _without_typmod(self.type(e.this))
            return {_TIMESTAMP: _TIMESTAMP, _TIMESTAMPTZ: _TIMESTAMPTZ, "date": _TIMESTAMPTZ,
                    "interval": "interval"}.get(t) or _raise("date_trunc")
        if cls in _MATH and args:
            t = _without_typmod(self.type(args[0]))
            if len(args) > 1:  # round(x, n), trunc(x, n): numeric only
                return "numeric" if cls in ("Round", "Trunc") and t in _NUMBERS else _raise(cls)
            return "numeric" if t == "numeric" else (
                "double precision" if t in _INTEGERS + _FLOATS else _raise(cls))
        name = e.name.lower() if isinstance(e, exp.Anonymous) else _colname(e)
        if name in _FUNCTION_TYPES:
            return _FUNCTION_TYPES[name]
        if name in _TEXT_FUNCTIONS:
            return "text"
        if name in _SAME_AS_ARGUMENT and args:  # a function's result has no type modifier
            t = _without_typmod(self.type(args[0]))
            # no max(varchar) nor max(name): the argument is taken as text
            return "text" if name in ("min", "max") and t in _AS_TEXT else t
        if name == "sum" and args:
            t = _without_typmod(self.type(args[0]))
            return {"smallint": "bigint", "integer": "bigint", "bigint": "numeric",
                    "numeric": "numeric", "real": "real",
                    "double precision": "double precision"}.get(t) or _raise("sum")
        if name == "avg" and args:
            t = _without_typmod(self.type(args[0]))
            return ("numeric" if t in _NUMBERS else
                    "double precision" if t in _FLOATS else _raise("avg"))
        raise _Unknown(f"type of {cls}")


# Operators of dates and times by their operands' bare types (smallint taken as integer).
_TIME_ARITHMETIC: dict[tuple[str, str, str], str] = {
    ("date", "+", "integer"): "date", ("integer", "+", "date"): "date",
    ("date", "-", "integer"): "date", ("date", "-", "date"): "integer",
    ("date", "+", "interval"): _TIMESTAMP, ("interval", "+", "date"): _TIMESTAMP,
    ("date", "-", "interval"): _TIMESTAMP, ("interval", "+", "interval"): "interval",
    ("interval", "-", "interval"): "interval",
    ("date", "+", _TIME): _TIMESTAMP, (_TIME, "+", "date"): _TIMESTAMP,
    ("date", "+", _TIMETZ): _TIMESTAMPTZ, (_TIMETZ, "+", "date"): _TIMESTAMPTZ,
    **{(t, op, "interval"): t for t in (_TIMESTAMP, _TIMESTAMPTZ) for op in "+-"},
    **{("interval", "+", t): t for t in (_TIMESTAMP, _TIMESTAMPTZ)},
    **{(a, "-", b): "interval" for a in ("date", _TIMESTAMP, _TIMESTAMPTZ)
       for b in ("date", _TIMESTAMP, _TIMESTAMPTZ) if (a, b) != ("date", "date")},
}


def _raise(what: str) -> str:
    raise _Unknown(what)


_TYPMOD = re.compile(r"\(\d+(?:,\d+)?\)")


def _without_typmod(type_text: str) -> str:
    """``numeric(10,2)`` -> ``numeric``; ``character(4)`` -> ``bpchar`` (what format_type
    prints for the type without a modifier)."""
    bare = _TYPMOD.sub("", type_text)
    return "bpchar" if bare == "character" else bare


def _common(types: list[str], what: str) -> str:
    """The type of CASE / COALESCE results: all the same (modifier kept), all the same but
    for the modifier (dropped); else unknown."""
    if not types or None in types:
        raise _Unknown(what)
    if len(set(types)) == 1:
        return types[0]
    bare = {_without_typmod(t) for t in types}
    if len(bare) == 1:
        return bare.pop()
    if bare <= set(_NUMERIC_PROMOTION):  # select_common_type: the one the others cast to
        return max(bare, key=_NUMERIC_PROMOTION.index)
    raise _Unknown(what)


# The numeric category in the order its implicit casts go (smallint -> ... -> float8, the
# preferred type): the common type of several is the last of them here, without a modifier.
_NUMERIC_PROMOTION = ("smallint", "integer", "bigint", "numeric", "real", "double precision")


def column_typer(tree: exp.Expression, relations: Relations
                 ) -> Callable[[exp.Column], str | None]:
    """The type of each column reference of a query where its tables alone decide it: a
    qualifier naming one plain table of the query (by its alias or name), or a bare name all
    the query's tables that have it give one type, when every FROM item is a plain table the
    catalog knows (a CTE, a subquery, a function or a column alias list in FROM leaves bare
    names undecided). None where undecided."""
    ctes = {_ident(c.args["alias"]) for c in tree.find_all(exp.CTE) if c.args.get("alias")}
    qualified: dict[str, list[tuple[str, str]] | None] = {}
    bare: dict[str, set[str]] = {}
    decided = True
    for source in tree.find_all(exp.From, exp.Join):
        item = source.this
        alias_node = item.args.get("alias")
        if not isinstance(item, exp.Table) or not isinstance(item.this, exp.Identifier):
            decided = False
            continue
        name = _ident(item.this)
        schema = _ident(item.args["db"]) if item.args.get("db") else None
        columns = None if schema is None and name in ctes else relations(schema, name)
        if alias_node is not None and alias_node.columns:
            columns = None
        if columns is None:
            decided = False
        alias = _ident(alias_node.this) if alias_node is not None and alias_node.this else name
        qualified[alias] = None if alias in qualified else columns
        for column, type_text in columns or ():
            bare.setdefault(column, set()).add(type_text)

    def column_type(col: exp.Column) -> str | None:
        name = _ident(col.this)
        qualifier = col.args.get("table")
        if qualifier is not None:
            columns = qualified.get(_ident(qualifier))
            found = {t for n, t in columns or () if n == name}
        else:
            found = bare.get(name, set()) if decided else set()
        return next(iter(found)) if len(found) == 1 else None

    return column_type


#: :func:`derived_collation` of an expression of a type without collations
NOT_COLLATABLE = "-"
_COLLATABLE_TYPE = re.compile(r"(?:text|character varying|character|name)(?:\(\d+\))?(?:\[\])?\Z")
_PLAIN_TYPES = re.compile(
    r"(?:smallint|integer|bigint|numeric|real|double precision|boolean|date|uuid|jsonb?|bytea"
    r"|interval|(?:timestamp|time)(?:\(\d\))? with(?:out)? time zone)(?:\(\d+(?:,\s*\d+)?\))?"
    r"(?:\[\])?\Z")


def derived_collation(expression: str, columns: dict[str, tuple[str | None, str | None]]
                      ) -> str | None:
    """The collation PostgreSQL derives for an expression over a table's columns (``columns``:
    name -> (type, collation, None for the type's default)): ``"default"``, a collation's name,
    :data:`NOT_COLLATABLE`; None where this module does not work it out (a COLLATE in it, a
    comparison, a conflict of two columns' collations, a function it does not know)."""
    tree = _parse_expression(expression)
    if tree is None:
        return None
    try:
        return _derive(tree, columns)
    except _Unknown:
        return None


def _derive(e: exp.Expression, columns: dict[str, tuple[str | None, str | None]]) -> str:
    if isinstance(e, exp.Paren):
        return _derive(e.this, columns)
    if isinstance(e, exp.Column) and isinstance(e.this, exp.Identifier) and not e.table:
        type_text, collation = columns.get(_ident(e.this), (None, None))
        if type_text and _COLLATABLE_TYPE.match(type_text):
            return collation or "default"
        if type_text and _PLAIN_TYPES.match(type_text):
            return NOT_COLLATABLE
        raise _Unknown("column")
    if isinstance(e, exp.Literal):
        return "default" if e.is_string else NOT_COLLATABLE
    if isinstance(e, exp.Cast):
        to = _datatype_words(e.args["to"])
        inner = _derive(e.this, columns)
        if _COLLATABLE_TYPE.match(to):  # a collatable value keeps its collation
            return "default" if inner == NOT_COLLATABLE else inner
        if _PLAIN_TYPES.match(to):
            return NOT_COLLATABLE
        raise _Unknown("cast")
    name = type(e).__name__
    text = (isinstance(e, exp.Anonymous) and e.name.lower() in _TEXT_FUNCTIONS) or (
        _CLASS_TYPES.get(name) == "text") or isinstance(e, exp.DPipe)
    if not text:
        raise _Unknown("expression")
    # a function of a collatable result: its arguments' one non-default collation, if any
    found = {_derive(a, columns) for a in e.iter_expressions()} - {NOT_COLLATABLE, "default"}
    if len(found) > 1:
        raise _Unknown("conflicting collations")
    return found.pop() if found else "default"


def drop_redundant_casts(tree: exp.Expression, columns: list[tuple[str, str]],
                         resolve: Resolve) -> exp.Expression | None:
    """``tree`` without each cast, in an expression over one table's ``columns``, to the very
    type its operand already has, without a modifier: PostgreSQL stores no cast there
    (``(d + t)::timestamp`` of a date and a time is stored ``d + t``). None if none went."""
    scope = _Scope(_From(by_alias={"": list(columns)}), lambda _s, _n: None, resolve)
    dropped = False
    for node in reversed(list(tree.find_all(exp.Cast))):
        if type(node) is not exp.Cast or isinstance(node.this, exp.Literal):
            continue
        to = node.args["to"]
        target = resolve(to.name if isinstance(to, exp.ObjectIdentifier)
                         else to.sql(dialect="postgres"))
        if target is None or "(" in target:
            continue
        try:
            operand = _without_typmod(scope.type(node.this))
        except (_Unknown, SqlglotError, KeyError, AttributeError, TypeError, ValueError):
            continue
        if operand == target:
            if node is tree:
                tree = node.this
            else:
                node.replace(node.this)
            dropped = True
    return tree if dropped else None
