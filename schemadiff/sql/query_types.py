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

from sqlglot import exp

from schemadiff.sql.normalize import _parse_expression

#: ``relation(schema or None, name)`` -> its columns ``[(name, type)]`` in order, or None.
Relations = Callable[[str | None, str], "list[tuple[str, str]] | None"]
#: ``resolve(type as written)`` -> the canonical type text (user types qualified), or None.
Resolve = Callable[[str], "str | None"]

_INTEGERS = ("smallint", "integer", "bigint")
_NUMBERS = (*_INTEGERS, "numeric")
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
})
_FUNCTION_TYPES = {
    "count": "bigint", "row_number": "bigint", "rank": "bigint", "dense_rank": "bigint",
    "length": "integer", "char_length": "integer", "strpos": "integer", "ascii": "integer",
    "now": "timestamp with time zone", "random": "double precision",
    "current_timestamp": "timestamp with time zone", "current_date": "date",
    "percent_rank": "double precision", "cume_dist": "double precision",
}
# sqlglot's classes for functions it gives one name whatever PostgreSQL spelling was used
# (lpad and rpad are Pad; now() is CurrentTimestamp): the type is known, the name is not.
_AMBIGUOUS = frozenset({"Pad", "Length", "Substring", "CurrentTimestamp", "GroupConcat",
                        "TimeToStr", "StrPosition", "Rand"})
_CLASS_TYPES = {
    "Pad": "text", "Substring": "text", "GroupConcat": "text", "TimeToStr": "text",
    "Upper": "text", "Lower": "text", "Trim": "text", "Concat": "text", "Repeat": "text",
    "MD5": "text", "Left": "text", "Right": "text", "Initcap": "text", "Replace": "text",
    "Chr": "text", "Length": "integer", "StrPosition": "integer", "Ascii": "integer",
    "CurrentTimestamp": "timestamp with time zone", "CurrentDate": "date",
    "Rand": "double precision", "Count": "bigint", "RowNumber": "bigint", "Rank": "bigint",
    "DenseRank": "bigint",
}
_SAME_AS_ARGUMENT = frozenset({"min", "max", "abs", "any_value", "generate_series"})


class _Unknown(Exception):
    """An expression whose name or type this module does not work out."""


def output_columns(query: str, relations: Relations, resolve: Resolve
                   ) -> list[tuple[str, str]] | None:
    """``[(name, type)]`` of the query's output, or None when any is unknown."""
    tree = _parse_expression(query)
    if tree is None:
        return None
    try:
        return _shape(tree, relations, resolve)
    except _Unknown:
        return None


def _ident(node: exp.Expression | None) -> str:
    if node is None:
        raise _Unknown("no name")
    ident = node if isinstance(node, exp.Identifier) else node.args.get("this")
    if isinstance(ident, exp.Identifier):
        return ident.this if ident.quoted else ident.this.lower()
    return node.name.lower()


def _shape(tree: exp.Expression, relations: Relations, resolve: Resolve
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
        types = [_type(e, {}, resolve) for e in first]
        for row in rows[1:]:
            if [_type(e, {}, resolve) for e in row.expressions] != types:
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
    sources = _sources(tree, relations, resolve)
    out: list[tuple[str, str]] = []
    for e in tree.expressions:
        target = e.this if isinstance(e, exp.Alias) else e
        if isinstance(target, exp.Star):
            for columns in sources.values():
                out += columns
            continue
        if isinstance(target, exp.Column) and isinstance(target.this, exp.Star):
            columns = sources.get(_ident(target.args.get("table")))
            if columns is None:
                raise _Unknown("star of an unknown source")
            out += columns
            continue
        name = _ident(e.args.get("alias")) if isinstance(e, exp.Alias) else _colname(target)
        out.append((name, _type(target, sources, resolve)))
    return out


def _sources(tree: exp.Select, relations: Relations, resolve: Resolve
             ) -> dict[str, list[tuple[str, str]]]:
    """Each FROM / JOIN item's alias and its columns."""
    from_ = tree.args.get("from") or tree.args.get("from_")
    items = [from_.this] if from_ is not None else []
    items += [j.this for j in tree.args.get("joins") or []]
    sources: dict[str, list[tuple[str, str]]] = {}
    for t in items:
        alias_node = t.args.get("alias")
        alias = _ident(alias_node.this) if alias_node is not None and alias_node.this else None
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
            columns = [(alias, _type(t.this, {}, resolve))]
        else:
            raise _Unknown("FROM item")
        if alias_node is not None and alias_node.columns:
            renamed = [_ident(c) for c in alias_node.columns]
            columns = [(renamed[i] if i < len(renamed) else n, ty)
                       for i, (n, ty) in enumerate(columns)]
        sources[alias or name] = columns
    return sources


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
    if isinstance(e, exp.Window):
        return _figure(e.this)
    if isinstance(e, exp.Anonymous):
        return e.name.lower(), 2
    if isinstance(e, exp.Func):
        if type(e).__name__ in _AMBIGUOUS:
            raise _Unknown("sqlglot merges several functions under this name")
        names = e.sql_names()
        name = names[0].lower() if names else type(e).__name__.lower()
        return {"exploding_generate_series": "generate_series"}.get(name, name), 2
    if isinstance(e, (exp.Literal, exp.Binary, exp.Neg, exp.Not, exp.Null, exp.Boolean,
                      exp.ByteString, exp.BitString, exp.HexString)):
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


def _type(e: exp.Expression, sources: dict[str, list[tuple[str, str]]], resolve: Resolve
          ) -> str:
    """The type of an expression, or _Unknown."""
    if isinstance(e, exp.Paren):
        return _type(e.this, sources, resolve)
    if isinstance(e, exp.Alias):
        return _type(e.this, sources, resolve)
    if isinstance(e, exp.Column):
        name = _ident(e.this)
        qualifier = _ident(e.args["table"]) if e.args.get("table") else None
        found = [t for alias, cols in sources.items() if qualifier in (None, alias)
                 for n, t in cols if n == name]
        if len(found) != 1:
            raise _Unknown(f"column {name}")
        return found[0]
    if isinstance(e, exp.Cast):
        to = e.args["to"]
        text = to.name if isinstance(to, exp.ObjectIdentifier) else to.sql(dialect="postgres")
        resolved = resolve(text)
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
    if isinstance(e, exp.Neg):
        return _type(e.this, sources, resolve)
    if isinstance(e, (exp.Boolean, exp.Predicate, exp.Not, exp.And, exp.Or)):
        return "boolean"
    if isinstance(e, exp.Null):
        return "text"
    if isinstance(e, exp.DPipe):
        sides = {_type(e.this, sources, resolve), _type(e.expression, sources, resolve)}
        if "text" in sides or sides <= {"text", "character varying"}:
            return "text"
        raise _Unknown("||")
    if isinstance(e, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)):
        a, b = _type(e.this, sources, resolve), _type(e.expression, sources, resolve)
        if a in _NUMBERS and b in _NUMBERS:
            if "numeric" in (a, b):
                return "numeric"
            return max(a, b, key=_INTEGERS.index)
        raise _Unknown("arithmetic")
    if isinstance(e, exp.Case):
        results = [b.args["true"] for b in e.args.get("ifs") or []]
        if e.args.get("default") is not None:
            results.append(e.args["default"])
        return _common([_type(r, sources, resolve) for r in results], "CASE")
    if isinstance(e, (exp.Coalesce, exp.Greatest, exp.Least, exp.Nullif)):
        args = [a for a in e.iter_expressions()]
        return _common([_type(a, sources, resolve) for a in args], "COALESCE")
    if isinstance(e, exp.Window):
        return _type(e.this, sources, resolve)
    if isinstance(e, exp.Func):
        args = [a for a in e.iter_expressions() if not isinstance(a, exp.Star)]
        cls = type(e).__name__
        if cls in _CLASS_TYPES:
            return _CLASS_TYPES[cls]
        if cls == "ArrayAgg" and args:
            return _type(args[0], sources, resolve) + "[]"
        name = e.name.lower() if isinstance(e, exp.Anonymous) else _colname(e)
        if name in _FUNCTION_TYPES:
            return _FUNCTION_TYPES[name]
        if name in _TEXT_FUNCTIONS:
            return "text"
        if name in _SAME_AS_ARGUMENT and args:  # a function's result has no type modifier
            return _without_typmod(_type(args[0], sources, resolve))
        if name == "sum" and args:
            t = _without_typmod(_type(args[0], sources, resolve))
            return {"smallint": "bigint", "integer": "bigint", "bigint": "numeric",
                    "numeric": "numeric", "real": "real",
                    "double precision": "double precision"}.get(t) or _raise("sum")
        if name == "avg" and args:
            t = _without_typmod(_type(args[0], sources, resolve))
            return "numeric" if t in _NUMBERS else _raise("avg")
    raise _Unknown(f"type of {type(e).__name__}")


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
    if not types:
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
