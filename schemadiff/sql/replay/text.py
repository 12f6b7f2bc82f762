"""Edits of expression text the replay keeps as strings: index keys, exclusion constraints,
partition keys and trigger events, renamed or retyped."""

from __future__ import annotations

import re
from collections.abc import Callable

from schemadiff.model import (
    Index,
)
from schemadiff.sql.grammar import figure_colname
from schemadiff.sql.normalize import (
    quote_ident,
    referenced_columns,
    rename_column,
    type_ref,
)
from schemadiff.sql.quote import split_top
from schemadiff.sql.tokens import Stream


def body_edited(body: str, edit: Callable[[str], str]) -> str:
    """A SQL-standard body (``RETURN e``, ``BEGIN ATOMIC s1; s2; END``) with ``edit``
    applied to its expression or to each statement; any other body is kept."""
    if body.startswith("RETURN "):
        return "RETURN " + edit(body[len("RETURN "):])
    if not (body.startswith("BEGIN ATOMIC ") and body.endswith(" END")) or len(body) < 17:
        return body  # (an empty BEGIN ATOMIC END has no statement to edit)
    parts = body[len("BEGIN ATOMIC "):-len(" END")].split(";")
    for i, part in enumerate(parts):
        statement = part.strip()
        if statement:  # the part is blanks around the statement: it holds it once
            parts[i] = part.replace(statement, edit(statement), 1)
    return "BEGIN ATOMIC " + ";".join(parts) + " END"


def retype_argument(argument: str, sub: Callable[[str], str]) -> str:
    """``OUT name type DEFAULT x``: the type part through ``sub``."""
    head, sep, default = argument.partition(" DEFAULT ")
    words = head.split(" ")
    for i in range(len(words)):  # the type is the longest tail ``sub`` changes
        tail = " ".join(words[i:])
        if sub(tail) != tail:
            return " ".join([*words[:i], sub(tail)]) + sep + default
    return argument


def top_items(text: str) -> list[str]:
    """Split at depth-0 commas (parentheses and quotes respected)."""
    return split_top(text)[0]


def exclusion_parts(expression: str) -> tuple[str, list[str], str] | None:
    """``USING gist (a WITH &&, (lower(b)) WITH =) WHERE (p)`` -> (method, elements, pred)."""
    m = re.match(r"USING (\S+) \(", expression)
    if m is None:
        return None
    depth, end = 0, -1
    for i in range(m.end() - 1, len(expression)):
        depth += expression[i] == "("
        depth -= expression[i] == ")"
        if depth == 0:
            end = i
            break
    if end < 0:
        return None
    rest = expression[end + 1 :].strip()
    pred = rest[len("WHERE (") : -1] if rest.startswith("WHERE (") else ""
    return m.group(1), top_items(expression[m.end() : end]), pred


def _rename_in_exclusion(expression: str, old: str, new: str) -> str:
    """Rename a column in an exclusion constraint's ``USING ... (...) WHERE (...)``."""
    parts = exclusion_parts(expression)
    if parts is None:
        return expression
    method, elements, pred = parts
    renamed = []
    for element in elements:
        key, sep, op = element.rpartition(" WITH ")
        renamed.append(_rename_key(key, old, new) + sep + op if sep else element)
    out = f"USING {method} ({', '.join(renamed)})"
    return out + (f" WHERE ({rename_column(pred, old, new)})" if pred else "")


def key_edited(key: str, edit: Callable[[str], str]) -> str:
    """An index key with ``edit`` applied to its expression (``(lower(b)) DESC``); a plain
    column key is kept."""
    expr, is_expr, suffix = split_index_key(key)
    return "(" + edit(expr) + ")" + suffix if is_expr else key


def exclusion_edited(expression: str, edit: Callable[[str], str]) -> str:
    """An exclusion constraint with ``edit`` applied to its key expressions and predicate."""
    parts = exclusion_parts(expression)
    if parts is None:
        return edit(expression)  # not understood: the caller's edit decides what it does
    method, elements, pred = parts
    edited = []
    for element in elements:
        key, sep, op = element.rpartition(" WITH ")
        edited.append(key_edited(key, edit) + sep + op if sep else element)
    out = f"USING {method} ({', '.join(edited)})"
    return out + (f" WHERE ({edit(pred)})" if pred else "")


def partition_by_edited(partition_by: str, edit: Callable[[str], str]) -> str:
    """``RANGE (f(a), b)`` with ``edit`` applied to each key."""
    strategy, _, inner = partition_by.partition(" ")
    if not (inner.startswith("(") and inner.endswith(")")):
        return edit(partition_by)
    return f"{strategy} ({', '.join(edit(p.strip()) for p in top_items(inner[1:-1]))})"


def exclusion_columns(expression: str) -> set[str]:
    """The columns an exclusion constraint's elements and predicate use."""
    parts = exclusion_parts(expression)
    if parts is None:
        return set()
    _, elements, pred = parts
    out: set[str] = set()
    for element in elements:
        key = element.rpartition(" WITH ")[0]
        expr, is_expr, _ = split_index_key(key)
        if is_expr:
            out |= referenced_columns(expr)
        else:
            out.add(expr[1:-1].replace('""', '"') if expr.startswith('"') else expr)
    return out | (referenced_columns(pred) if pred else set())


def partition_key_columns(partition_by: str) -> set[str]:
    """The columns a partition key (``RANGE (a, (plusone(b)))``) uses."""
    _, _, inner = partition_by.partition(" ")
    out: set[str] = set()
    for part in top_items(inner[1:-1]):
        expr, is_expr, _ = split_index_key(part)
        if is_expr:
            out |= referenced_columns(expr)
        else:
            out.add(expr[1:-1].replace('""', '"') if expr.startswith('"') else expr)
    return out


def _rename_in_partition_by(partition_by: str, old: str, new: str) -> str:
    """``LIST (v)`` -> ``LIST (w)`` when column v is renamed to w."""
    strategy, _, inner = partition_by.partition(" ")
    if not (inner.startswith("(") and inner.endswith(")")):
        return partition_by
    parts, depth, start, body = [], 0, 0, inner[1:-1]
    for i, ch in enumerate(body):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return f"{strategy} ({', '.join(rename_column(p.strip(), old, new) for p in parts)})"


def same_index(a: Index, b: Index) -> bool:
    """Whether two indexes are interchangeable (what ATTACH PARTITION matches on)."""
    return (a.unique, a.method, a.keys, a.include, a.predicate, a.nulls_not_distinct) == (
        b.unique, b.method, b.keys, b.include, b.predicate, b.nulls_not_distinct)


def key_names(keys: tuple[str, ...]) -> list[str]:
    """The column names PostgreSQL gives the keys of a cloned index (as for ``CREATE INDEX``)."""
    out = []
    for key in keys:
        expr, is_expr, _ = split_index_key(key)
        if is_expr:
            out.append(figure_colname(Stream(expr)) or "expr")
        elif expr.startswith('"'):
            out.append(expr[1:-1].replace('""', '"'))
        else:
            out.append(expr)
    return out


def split_index_key(key: str) -> tuple[str, bool, str]:
    """Split an index key into expression, whether it is one, and suffix.

    ``"(lower(email)) DESC"`` -> ("lower(email)", True, " DESC");
    ``"email"`` -> ("email", False, "").
    """
    if key.startswith("("):
        depth = 0
        for i, ch in enumerate(key):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0:
                return key[1:i], True, key[i + 1 :]
    head, sep, rest = key.partition(" ")
    return head, False, sep + rest


def index_uses(idx: Index, column: str) -> bool:
    if column in idx.include:
        return True
    for key in idx.keys:
        expr, is_expr, _ = split_index_key(key)
        if is_expr and column in referenced_columns(expr):
            return True
        if not is_expr and expr == quote_ident(column):
            return True
    return bool(idx.predicate and column in referenced_columns(idx.predicate))


_SELF_CAST = re.compile(
    r'(?:CAST\(("?[^()"]+?"?) AS ([^()]+)\)|([A-Za-z_][A-Za-z0-9_ ]*)\(("?[^()"]+"?)\))'
)


def fold_self_cast(key: str, column: str, type_text: str) -> str:
    """``(DATE(date))`` -> ``date`` when column ``date`` is now of type date."""
    expr, is_expr, suffix = split_index_key(key)
    if not is_expr:
        return key
    m = _SELF_CAST.fullmatch(expr.strip())
    if m is None:
        return key
    arg, type_name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    if arg.strip('"') != column:
        return key
    cast_type = type_ref([w.lower() for w in type_name.split()])
    if not cast_type.builtin or cast_type.render() != type_text.split("(")[0]:
        return key
    return quote_ident(column) + suffix


def _rename_key(key: str, old: str, new: str) -> str:
    """Rename a column inside an index key (``col DESC`` / ``(lower(col))`` / ``col opclass``)."""
    expr, is_expr, suffix = split_index_key(key)
    if is_expr:
        return "(" + rename_column(expr, old, new) + ")" + suffix
    return (quote_ident(new) if expr == quote_ident(old) else expr) + suffix


def _rename_event(event: str, old: str, new: str) -> str:
    if not event.startswith("UPDATE OF "):
        return event
    cols = [c.strip() for c in event[len("UPDATE OF "):].split(",")]
    return "UPDATE OF " + ", ".join(quote_ident(new) if c == quote_ident(old) else c for c in cols)


_RANGE_BOUND = re.compile(r"FROM \((.*)\) TO \((.*)\)\Z", re.DOTALL)
_QUOTED_NAME = re.compile(r'"(?:[^"]|"")*"\Z')
_PLAIN_CONSTANT = re.compile(r"(?:'(?:[^']|'')*'|-?\d+(?:\.\d+)?)\Z")


def bound_check(partition_by: str | None, bound: str | None) -> str | None:
    """The CHECK expression PostgreSQL keeps on a partition detached ``CONCURRENTLY``: its
    partition constraint (``(d IS NOT NULL) AND (d >= lo) AND (d < hi)``, a list as
    ``= ANY ('{...}')``, the constant array the catalog prints). None where it is not
    modelled: a key of more than one column or of an expression, a hash or default bound,
    bounds other than string and number constants (an expression is stored as its value)."""
    if not partition_by or not bound:
        return None
    method, _, inner = partition_by.partition(" ")
    keys = top_items(inner[1:-1])
    if len(keys) != 1:
        return None
    column = keys[0].strip()
    if not _QUOTED_NAME.match(column):
        column, is_expr, rest = split_index_key(column)
        if is_expr or rest.strip():
            return None
    if method == "RANGE" and (m := _RANGE_BOUND.match(bound)):
        lo, hi = m.group(1).strip(), m.group(2).strip()
        if not all(v.upper() in ("MINVALUE", "MAXVALUE") or _PLAIN_CONSTANT.match(v)
                   for v in (lo, hi)):
            return None  # several values (a key of one column has one), or an expression
        parts = [f"({column} IS NOT NULL)"]
        if lo.upper() != "MINVALUE":
            parts.append(f"({column} >= {lo})")
        if hi.upper() != "MAXVALUE":
            parts.append(f"({column} < {hi})")
        return " AND ".join(parts)
    if method == "LIST" and bound.startswith("IN (") and bound.endswith(")"):
        values = [v.strip() for v in top_items(bound[4:-1])]
        others = [v for v in values if v.upper() != "NULL"]
        if not all(_PLAIN_CONSTANT.match(v) for v in others):
            return None
        if not others:
            return f"({column} IS NULL)"
        if len(others) == 1:
            test = f"({column} = {others[0]})"
        else:
            literal = "{" + ",".join(_array_element(v) for v in others) + "}"
            test = f"({column} = ANY ({_quote_string(literal)}))"
        if len(others) < len(values):
            return f"({column} IS NULL) OR {test}"
        return f"({column} IS NOT NULL) AND {test}"
    return None


def _array_element(constant: str) -> str:
    """A constant as ``array_out`` writes it inside ``{...}``: quoted when it is empty, ``NULL``
    or holds a brace, comma, quote, backslash or white space."""
    value = constant[1:-1].replace("''", "'") if constant.startswith("'") else constant
    if value == "" or value.upper() == "NULL" or any(c in value for c in '{},"\\') or any(
        c.isspace() for c in value
    ):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _quote_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d\Z")


def bound_implied(bound: str, checks: list[str], name: str, not_null: bool) -> bool:
    """Whether a table's CHECK expressions (and the NOT NULL of its key column ``name``, as
    the catalog names it, unquoted) imply the expression :func:`bound_check` made, as
    PostgreSQL's predicate test finds for these forms (it then adds no CHECK on detaching):
    each of the bound's conjuncts implied by one of theirs: ``IS NOT NULL`` by any comparison
    of the column, a lower or an upper bound by one as tight on numbers or ISO dates, any
    other conjunct by the same one."""
    from decimal import Decimal, InvalidOperation

    import sqlglot
    from sqlglot import exp

    def conjuncts(text: str) -> list[exp.Expression]:
        out: list[exp.Expression] = []
        todo = [sqlglot.parse_one(text, read="postgres")]
        while todo:
            node = todo.pop().unnest()
            if isinstance(node, exp.And):
                todo += [node.this, node.expression]
            else:
                out.append(node)
        return out

    def comparison(node: exp.Expression) -> tuple[str, Decimal | str] | None:
        ops = {exp.GTE: ">=", exp.GT: ">", exp.LTE: "<=", exp.LT: "<", exp.EQ: "="}
        op = ops.get(type(node))
        left, right = node.args.get("this"), node.args.get("expression")
        while isinstance(right, exp.Cast):
            right = right.this
        if (op is None or not isinstance(left, exp.Column) or left.name != name
                or not isinstance(right, exp.Literal)):
            return None
        if right.is_number:
            try:
                return op, Decimal(right.name)
            except InvalidOperation:
                return None
        return (op, right.name) if _ISO_DAY.match(right.name) else None

    def is_not_null(node: exp.Expression) -> bool:  # NOT (x IS NULL), or IS with negate
        inner = node.this if isinstance(node, exp.Not) else None
        if isinstance(node, exp.Is) and node.args.get("negate"):
            inner = node
        return (isinstance(inner, exp.Is) and isinstance(inner.this, exp.Column)
                and inner.this.name == name and isinstance(inner.expression, exp.Null))

    try:
        facts = [c for text in checks for c in conjuncts(text)]
        wanted = conjuncts(bound)
    except sqlglot.errors.SqlglotError:
        return False
    known = [(c, comparison(c)) for c in facts]

    def implied(node: exp.Expression) -> bool:
        if is_not_null(node):
            return not_null or any(is_not_null(c) or cmp is not None for c, cmp in known)
        want = comparison(node)
        for c, have in known:
            if c == node:
                return True
            if want is None or have is None or type(want[1]) is not type(have[1]):
                continue
            (op, v), (hop, hv) = want, have
            if op == ">=" and (hop in (">=", ">", "=") and hv >= v):  # type: ignore[operator]
                return True
            if op == "<" and ((hop == "<" and hv <= v) or (hop in ("<=", "=") and hv < v)):  # type: ignore[operator]
                return True
        return False

    return all(implied(node) for node in wanted)


def view_reads_column(definition: str, table: str, column: str,
                      owner: Callable[[str], bool | None] | None = None) -> bool | None:
    """Whether a view's query reads ``column`` of ``table`` (raw names), as PostgreSQL records
    a view's dependencies: a column named anywhere in the query through ``table`` or one of its
    aliases, or unqualified where ``table`` is all the query reads. None where the text does
    not decide it: a ``*`` (its columns are those the table had when the view was made), an
    unqualified name in a query that reads something else too, a ``NATURAL`` join, text that
    does not parse. ``owner(name)``, given where every item of the query's FROM is a table
    whose columns are known, tells whether an unqualified ``name`` is ``table``'s (None:
    another table's could be too)."""
    from sqlglot import exp

    from schemadiff.sql.normalize import _parse_expression

    tree = _parse_expression(definition)
    if tree is None:
        return None

    def name(node: exp.Expression | None) -> str | None:
        if not isinstance(node, exp.Identifier):
            return None
        return node.this if node.quoted else node.this.lower()

    tables = list(tree.find_all(exp.Table))
    aliases = {table} | {name(t.args["alias"].this) for t in tables
                         if name(t.this) == table and t.args.get("alias") is not None}
    alone = (all(name(t.this) == table for t in tables)
             and not any(tree.find_all(exp.Subquery, exp.CTE)))
    undecided = False
    for star in tree.find_all(exp.Star):
        if not isinstance(star.parent, exp.Func):  # count(*) reads no column
            return None
    if any(j.args.get("method") for j in tree.find_all(exp.Join)):
        return None  # a NATURAL join reads the columns both sides have, named nowhere
    for col in tree.find_all(exp.Column):
        if isinstance(col.this, exp.Star) or name(col.this) != column:
            continue
        qualifier = name(col.args.get("table"))
        if qualifier is not None:
            if qualifier in aliases:
                return True
        elif alone:
            return True
        elif owner is not None and not any(tree.find_all(exp.Subquery, exp.CTE)) and all(
                isinstance(t.this, exp.Identifier) for t in tables):
            outputs = {a.alias for a in tree.find_all(exp.Alias)}  # ORDER BY an output's
            mine = None if column in outputs else owner(column)
            if mine:
                return True
            undecided = undecided or mine is None
        else:
            undecided = True
    return None if undecided else False


def one_table_query_reads(query: str, column: str) -> bool | None:
    """Whether a canonical view query reading one table (its ``*`` expanded to the columns
    the table had when the view was made, its qualifiers gone: ``a.b`` is a field of column
    ``a``) names ``column``; None where a subquery, a CTE or a ``*`` is left in it."""
    from sqlglot import exp

    from schemadiff.sql.normalize import _parse_expression, referenced_columns

    tree = _parse_expression(query)
    if tree is None or any(tree.find_all(exp.Subquery, exp.CTE)) or any(
            not isinstance(s.parent, exp.Func) for s in tree.find_all(exp.Star)):
        return None
    return column in referenced_columns(query)


def typed_constants(expression: str, types: dict[str, str]) -> str:
    """A canonical CHECK or predicate with each string constant compared to a column of
    ``types`` (name -> type) written as the catalog prints it once cast to that type:
    ``b <> 'f'`` is ``b <> FALSE``, ``t < '18:00'`` is ``t < '18:00:00'``, ``g < '36 hours'``
    is ``g < '36:00:00'`` (PostgreSQL casts the constant when it stores the expression)."""
    casts = "CAST(" in expression
    if "'" not in expression and not re.search(r"\d", expression) and not casts:
        return expression  # no constant (a number may be a string the canonical form read)
    from sqlglot import exp

    from schemadiff.sql.normalize import (
        _parse_expression,
        fields_as_selections,
        normalize_expression,
        type_compared_constants,
    )
    from schemadiff.sql.query_types import drop_redundant_casts

    tree = _parse_expression(expression)
    if tree is None:
        return expression
    uncast = drop_redundant_casts(tree, list(types.items()), builtin_type) if casts else None
    casts = uncast is not None
    tree = uncast or tree

    def column_type(node: exp.Column) -> str | None:
        ident = node.this
        name = ident.this if isinstance(ident, exp.Identifier) and ident.quoted else node.name
        if node.table:  # (row).field, read as a column of a table named row
            return types.get(f"{node.table}.{name}")
        return types.get(name)

    if not type_compared_constants(tree, column_type)[0] and not casts:
        return expression
    return normalize_expression(fields_as_selections(tree).sql(dialect="postgres"))


def builtin_type(text: str) -> str | None:
    """A built-in type's ``format_type`` spelling (None for another type, or no type)."""
    from schemadiff.sql.grammar import data_type
    from schemadiff.sql.tokens import SyntaxProblem

    try:
        stream = Stream(text)
        ref = data_type(stream)
    except SyntaxProblem:
        return None
    return ref.render() if ref.builtin and stream.done() else None


def typed_query_constants(expression: str, relations: Callable[[str | None, str],
                                                             list[tuple[str, str]] | None],
                          from_items: tuple[tuple[str, str, str], ...]) -> str:
    """A canonical expression read over ``from_items`` (``(schema, table, alias)``: a policy's
    table, a trigger's ``new`` and ``old`` rows) with each string constant compared to a column
    typed as the catalog stores it (:func:`typed_constants`), subqueries included: a column
    reference is typed where the tables of the whole expression decide it
    (:func:`schemadiff.sql.query_types.column_typer`), else left as written."""
    if "'" not in expression and not re.search(r"\d", expression):
        return expression
    from sqlglot import exp

    from schemadiff.sql.normalize import (
        _parse_expression,
        fields_as_selections,
        normalize_expression,
        type_compared_constants,
    )
    from schemadiff.sql.query_types import column_typer

    items = ", ".join(f"{quote_ident(s)}.{quote_ident(t)} AS {quote_ident(a)}"
                      for s, t, a in from_items)
    tree = _parse_expression(f"SELECT 1 {'FROM ' + items if items else ''} WHERE {expression}")
    if not isinstance(tree, exp.Select) or tree.args.get("where") is None:
        return expression
    if not type_compared_constants(tree, column_typer(tree, relations))[0]:
        return expression
    return normalize_expression(
        fields_as_selections(tree.args["where"].this).sql(dialect="postgres"))


_STRING = re.compile(r"(?:[EeBbXxNnUu]&?)?'(?:[^']|'')*'")
_CALL = re.compile(r'(?:("(?:[^"]|"")*"|[A-Za-z_][\w$]*)\s*\.\s*)?'
                   r'("(?:[^"]|"")*"|[A-Za-z_][\w$]*)\s*\(')


def call_arities(text: str, schema: str, name: str) -> set[int]:
    """The numbers of arguments passed by the calls in expression or query text of a function
    ``name`` (raw) and, where the call names a schema, of ``schema`` (none: no call).
    Normalized expressions keep no schema on a call (and upper-case its name), so which of two
    same-named functions taking as many arguments one calls is not told here."""
    def raw(ident: str) -> str:
        return ident[1:-1].replace('""', '"') if ident.startswith('"') else ident.lower()

    text = _STRING.sub("''", text)
    out = set()
    for m in _CALL.finditer(text):
        qualifier, called = m.group(1), m.group(2)
        if raw(called) == name and (qualifier is None or raw(qualifier) == schema):
            args = split_top(text, m.end())[0]
            out.add(0 if args == [""] else len(args))
    return out
