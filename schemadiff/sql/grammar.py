"""Grammar pieces shared by the statement parsers: names, types, columns, constraints, index keys.

Each function reads from a :class:`~schemadiff.sql.tokens.Stream` positioned at the construct
and leaves it just after. The grammar follows PostgreSQL's documentation
(https://www.postgresql.org/docs/current/sql-createtable.html and friends).
"""

from __future__ import annotations

from schemadiff.sql.lexer import Tok, closing, top_level
from schemadiff.sql.normalize import (
    TypeRef,
    bound_value,
    normalize_expression,
    quote_ident,
    type_ref,
)
from schemadiff.sql.ops import (
    ColumnDef,
    ConstraintDef,
    IndexKey,
    NoEffect,
    OwnerTo,
    QName,
    SequenceOptions,
)
from schemadiff.sql.tokens import Stream, SyntaxProblem


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a table written as one string."""
    return frozenset(text.split())


# Default operator classes are not printed by pg_get_indexdef; a migration may spell them.
# Which class is the default depends on the access method (gist's inet_ops is not, btree's is).
_BTREE_DEFAULTS = _words(
    """int2_ops int4_ops int8_ops float4_ops float8_ops numeric_ops text_ops varchar_ops
    bpchar_ops bool_ops date_ops time_ops timetz_ops timestamp_ops timestamptz_ops interval_ops
    uuid_ops bytea_ops oid_ops inet_ops jsonb_ops array_ops enum_ops tsvector_ops range_ops
    char_ops name_ops money_ops macaddr_ops macaddr8_ops bit_ops varbit_ops tsquery_ops
    pg_lsn_ops multirange_ops record_ops oidvector_ops xid8_ops"""
)
_DEFAULT_OPCLASSES: dict[str, frozenset[str]] = {
    "btree": _BTREE_DEFAULTS,
    "hash": _BTREE_DEFAULTS,
    "gist": _words("box_ops point_ops poly_ops circle_ops tsvector_ops tsquery_ops range_ops"
                   " multirange_ops"),
    "gin": _words("array_ops jsonb_ops tsvector_ops"),
    "spgist": _words("quad_point_ops range_ops box_ops poly_ops inet_ops text_ops"
                     " multirange_ops"),
    "brin": _words("inet_inclusion_ops range_inclusion_ops box_inclusion_ops"),
}


def _is_default_opclass(opclass: str, method: str) -> bool:
    name = opclass.lower()
    if method == "brin" and name.endswith("_minmax_ops"):
        return True
    return name in _DEFAULT_OPCLASSES.get(method, frozenset())


_MULTIWORD_START = {
    "DOUBLE": ("PRECISION",),
    "CHARACTER": ("VARYING",),
    "CHAR": ("VARYING",),
    "BIT": ("VARYING",),
    "NATIONAL": ("CHARACTER", "CHAR"),
}
def _default(s: Stream) -> str:
    """A column's ``DEFAULT`` expression, up to the next column constraint: ``DEFAULT false
    NULL`` (as xorm writes it) is the constant and the NULL constraint; a NULL after IS or
    IS DISTINCT FROM is the expression's."""
    start = s.i
    s.until(COLUMN_CONSTRAINT_WORDS)
    while s.word() == "NULL" and s.i > start and s.word(-1) in ("IS", "FROM"):
        s.i += 1
        s.until(COLUMN_CONSTRAINT_WORDS)
    return expression(s.slice(start, s.i))


_INTERVAL_FIELDS = frozenset({"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "TO"})
_ACTIONS = ("NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT")
COLUMN_CONSTRAINT_WORDS = frozenset(
    {"CONSTRAINT", "NOT", "NULL", "CHECK", "DEFAULT", "GENERATED", "UNIQUE", "PRIMARY",
     "REFERENCES", "COLLATE", "DEFERRABLE", "INITIALLY", "COMPRESSION", "STORAGE"}
)
TABLE_CONSTRAINT_WORDS = frozenset(
    {"CONSTRAINT", "CHECK", "UNIQUE", "PRIMARY", "FOREIGN", "EXCLUDE"}
)


def expression(text: str) -> str:
    return normalize_expression(text)


def collation(s: Stream) -> str:
    """A collation name; ``pg_catalog."C"`` and ``"C"`` are the same collation."""
    parts = s.names()
    if len(parts) > 1 and parts[-2] == "pg_catalog":
        parts = parts[-1:]
    return ".".join(parts)


def partition_key(s: Stream) -> str:
    """``RANGE (a, (a + b) / 2)`` after PARTITION BY: the strategy and each key element as an
    index key (column, expression, COLLATE, non-default operator class)."""
    strategy = s.next().text.upper()
    a, b = s.paren_span()
    inner = s.sub(a, b)
    method = "hash" if strategy == "HASH" else "btree"
    keys = []
    for ea, eb in _split_items(inner):
        key, _ = index_element(inner.sub(ea, eb), method)
        keys.append(key.expression + key.suffix)
    return f"{strategy} ({', '.join(keys)})"


def partition_bound(s: Stream) -> str | None:
    """``DEFAULT`` or ``FOR VALUES ...`` in one spelling, whoever wrote it; None if neither.

    ``IN (...)``, ``FROM (...) TO (...)`` (``MINVALUE``, ``MAXVALUE``) and ``WITH (modulus m,
    remainder r)``, as ``pg_get_expr`` prints them, each value as an expression: a number
    written as a string (``'10'``, which a text key prints) is the number, a cast on a
    constant is dropped, a date or time constant is its UTC instant. The key's type is not
    consulted: ``1.5`` and ``1.50`` stay apart. Leaves the stream after the bound.
    """
    if s.accept("DEFAULT"):
        return "DEFAULT"
    if not s.accept("FOR", "VALUES"):
        return None
    if s.accept("IN"):
        return f"IN ({_bound_values(s)})"
    if s.accept("FROM"):
        low = _bound_values(s)
        s.expect("TO")
        return f"FROM ({low}) TO ({_bound_values(s)})"
    s.expect("WITH")
    s.expect_punct("(")
    parts = []
    for a, b in s.comma_items():
        item = s.sub(a, b)
        word = item.next().text.lower()
        parts.append(f"{word} {item.number()}")
    return f"WITH ({', '.join(parts)})"


def _bound_values(s: Stream) -> str:
    s.expect_punct("(")
    values = []
    for a, b in s.comma_items():
        text = s.slice(a, b)
        word = text.strip().upper()
        values.append(word if word in ("MINVALUE", "MAXVALUE") else bound_value(text))
    return ", ".join(values)


def qname(s: Stream) -> QName:
    """``name`` / ``schema.name`` / ``db.schema.name`` (the database part is dropped)."""
    parts = s.names()
    if len(parts) == 1:
        return QName(None, parts[0])
    return QName(parts[-2], parts[-1])


def qname_list(s: Stream) -> list[QName]:
    out = [qname(s)]
    while s.accept_punct(","):
        out.append(qname(s))
    return out


def _temporal_key(s: Stream, c: dict[str, object], marker: tuple[str, ...], before: bool
                  ) -> tuple[str, ...]:
    """A key's column list whose last column may carry PostgreSQL 18's temporal ``marker``:
    ``(id, valid WITHOUT OVERLAPS)`` (after it) or ``(id, PERIOD valid)`` (before it); a
    marker sets ``c["period"]``."""
    s.expect_punct("(")
    out: list[str] = []
    while True:
        if before and s.at(*marker) and (nxt := s.peek(1)) is not None and nxt.kind != "punct":
            s.accept(*marker)
            c["period"] = True
        out.append(s.ident())
        if not before and s.accept(*marker):
            c["period"] = True
        if not s.accept_punct(","):
            break
    s.expect_punct(")")
    return tuple(out)


def ident_list_in_parens(s: Stream) -> tuple[str, ...]:
    s.expect_punct("(")
    out = [s.ident()]
    while s.accept_punct(","):
        out.append(s.ident())
    s.expect_punct(")")
    return tuple(out)


# ------------------------------------------------------------------------------ types


def data_type(s: Stream) -> TypeRef:
    """A type name as PostgreSQL's grammar reads it, ``[]`` and ``ARRAY`` included."""
    t = s.peek()
    if t is None:
        raise SyntaxProblem("expected a type")
    quoted = t.kind == "ident"
    parts = s.names()
    if s.at_punct("%") and s.word(1) in ("TYPE", "ROWTYPE"):
        # table.column%TYPE / table%ROWTYPE: resolved against the catalog by the replay
        s.next()
        kind = "%" + s.next().text
        if kind == "%TYPE" and len(parts) < 2:
            raise SyntaxProblem("%TYPE needs table.column")
        table_parts = parts[:-1] if kind == "%TYPE" else parts
        ref_schema = table_parts[-2] if len(table_parts) > 1 else None
        column = parts[-1] if kind == "%TYPE" else ""
        return TypeRef(f"{table_parts[-1]}.{column}" if column else table_parts[-1], ref_schema,
                       kind, 0, builtin=False)
    schema = parts[-2] if len(parts) > 1 else None
    words = [parts[-1]] if quoted or schema else [parts[-1].lower()]
    modifiers = ""
    if not quoted and schema is None:
        first = words[0].upper()
        follow = _MULTIWORD_START.get(first)
        if follow and s.word() in follow:
            words.append(s.next().text.lower())
            if first == "NATIONAL":
                words = ["character"]
                if s.accept("VARYING"):
                    words.append("varying")
        elif first in ("TIMESTAMP", "TIME"):
            if s.at_punct("("):
                modifiers = "(" + s.paren_text() + ")"
            if s.accept("WITH", "TIME", "ZONE"):
                words += ["with", "time", "zone"]
            elif s.accept("WITHOUT", "TIME", "ZONE"):
                words += ["without", "time", "zone"]
        elif first == "INTERVAL":
            while s.word() in _INTERVAL_FIELDS:
                words.append(s.next().text.lower())
    if s.at_punct("(") and not modifiers:
        modifiers = "(" + s.paren_text() + ")"
    dims = 0
    while True:
        if s.at_punct("["):
            s.paren_span_bracket()
            dims += 1
        elif s.at("ARRAY"):
            s.next()
            dims += 1
            if s.at_punct("["):
                s.paren_span_bracket()
        else:
            break
    return type_ref(words, modifiers, dims, schema, quoted)


# ------------------------------------------------------------------------------ constraints


def _deferral(s: Stream, c: dict[str, object]) -> None:
    while True:
        if s.accept("NOT", "DEFERRABLE"):
            c["deferrable"] = False
        elif s.accept("DEFERRABLE"):
            c["deferrable"] = True
        elif s.accept("INITIALLY", "DEFERRED"):
            c["initially_deferred"] = True
            c["deferrable"] = True  # INITIALLY DEFERRED implies DEFERRABLE
        elif s.accept("INITIALLY", "IMMEDIATE"):
            c["initially_deferred"] = False
        elif s.accept("NOT", "VALID"):
            c["not_valid"] = True
        elif s.accept("NO", "INHERIT"):
            c["no_inherit"] = True
        elif s.accept("INHERIT"):  # PostgreSQL 18: ALTER CONSTRAINT n INHERIT (a NOT NULL)
            c["no_inherit"] = False
        elif s.accept("NOT", "ENFORCED"):  # PostgreSQL 18
            c["not_enforced"] = True
        elif s.accept("ENFORCED"):
            c["not_enforced"] = False
        else:
            return


def _index_parameters(s: Stream, c: dict[str, object]) -> None:
    while True:
        if s.accept("INCLUDE"):
            c["include"] = ident_list_in_parens(s)
        elif s.accept("WITH") and s.at_punct("("):
            c["options"] = reloptions(s)
        elif s.accept("USING", "INDEX", "TABLESPACE"):
            s.ident()
        else:
            return


def _referential_action(s: Stream, c: dict[str, object] | None = None) -> str:
    """An ``ON UPDATE`` / ``ON DELETE`` action; an ``ON DELETE SET NULL (a, b)``'s columns
    (PostgreSQL 15) go to ``c["on_delete_columns"]``."""
    for action in _ACTIONS:
        if s.accept(*action.split()):
            if action.startswith("SET") and s.at_punct("("):
                columns = ident_list_in_parens(s)
                if c is not None:
                    c["on_delete_columns"] = columns
            return action
    raise SyntaxProblem("expected a referential action")


def references(s: Stream, c: dict[str, object]) -> None:
    s.expect("REFERENCES")
    c["ref_table"] = qname(s)
    if s.at_punct("("):
        c["ref_columns"] = _temporal_key(s, c, ("PERIOD",), before=True)
    while True:
        if s.accept("MATCH"):
            c["match"] = s.next().text.upper()
        elif s.accept("ON", "DELETE"):
            c["on_delete"] = _referential_action(s, c)
        elif s.accept("ON", "UPDATE"):
            c["on_update"] = _referential_action(s)
        else:
            return


def table_constraint(s: Stream) -> ConstraintDef:
    """``[CONSTRAINT name] CHECK (...) | UNIQUE | PRIMARY KEY | FOREIGN KEY | EXCLUDE ...``."""
    c: dict[str, object] = {}
    if s.accept("CONSTRAINT"):
        c["name"] = s.ident()
    if s.accept("CHECK"):
        c["type"] = "check"
        c["expression"] = expression(s.paren_text())
    elif s.accept("NOT", "NULL"):  # PostgreSQL 18: a named NOT NULL constraint on a column
        c["type"] = "not null"
        c["columns"] = (s.ident(),)
    elif s.accept("UNIQUE") or s.accept("PRIMARY", "KEY"):
        c["type"] = "unique" if s.toks[s.i - 1].text == "UNIQUE" else "primary key"
        if s.accept("NULLS", "NOT", "DISTINCT"):
            c["nulls_not_distinct"] = True
        elif s.accept("NULLS", "DISTINCT"):
            pass
        if s.accept("USING", "INDEX"):
            c["using_index"] = s.ident()
        else:
            cols = _temporal_key(s, c, ("WITHOUT", "OVERLAPS"), before=False)
            c["columns"] = cols
            c["key_names"] = cols
            _index_parameters(s, c)
    elif s.accept("FOREIGN", "KEY"):
        c["type"] = "foreign key"
        c["columns"] = _temporal_key(s, c, ("PERIOD",), before=True)
        references(s, c)
    elif s.accept("EXCLUDE"):
        c["type"] = "exclude"
        method = "btree"  # an exclusion constraint's index is a btree unless USING says
        if s.accept("USING"):
            method = s.ident().lower()
        a, b = s.paren_span()
        inner = s.sub(a, b)
        elements = []
        names = []
        for ea, eb in _split_items(inner):
            es = inner.sub(ea, eb)
            with_at = next(
                (k for k in range(len(es.toks))
                 if es.toks[k].kind == "word" and es.toks[k].text == "WITH"),
                len(es.toks),
            )
            key, name = index_element(es.sub(0, with_at), method)
            op = es.slice(with_at + 1, len(es.toks)) if with_at < len(es.toks) else ""
            elements.append(f"{key.expression}{key.suffix} WITH {op.strip()}")
            names.append(name)
        c["key_names"] = tuple(names)
        _index_parameters(s, c)
        predicate = ""
        if s.accept("WHERE"):
            predicate = " WHERE (" + expression(s.paren_text()) + ")"
        c["expression"] = f"USING {method} ({', '.join(elements)}){predicate}"
        c["method"] = method
    else:
        got = s.peek()
        raise SyntaxProblem(f"unknown table constraint at {got.raw if got else 'end'}")
    _deferral(s, c)
    return ConstraintDef(**c)  # type: ignore[arg-type]


def _split_items(s: Stream) -> list[tuple[int, int]]:
    """Depth-0 comma-separated token ranges of a whole (sub)stream."""
    items: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for k, t in enumerate(s.toks):
        if t.kind == "punct":
            if t.text in ("(", "["):
                depth += 1
            elif t.text in (")", "]"):
                depth -= 1
            elif t.text == "," and depth == 0:
                items.append((start, k))
                start = k + 1
    if start < len(s.toks):
        items.append((start, len(s.toks)))
    return items


split_items = _split_items


# ------------------------------------------------------------------------------ columns


def identity_options(s: Stream) -> SequenceOptions | None:
    if s.at_punct("("):
        a, b = s.paren_span()
        return sequence_options(s.sub(a, b))
    return None


def column_def(s: Stream) -> ColumnDef:
    """``name type [COLLATE c] [column constraints...]`` (PARTITION OF / OF type: no type)."""
    name = s.ident()
    col_type: TypeRef | None = None
    if s.accept("WITH", "OPTIONS"):
        pass  # PARTITION OF / OF type: options on an inherited column
    elif not s.done() and (s.word() not in COLUMN_CONSTRAINT_WORDS or s.at_punct(".", 1)):
        # storage.upload_type: a type in a schema named like a constraint word (Supabase's)
        col_type = data_type(s)
    c: dict[str, object] = {"name": name, "type": col_type}
    constraints: list[ConstraintDef] = []
    while not s.done() and not s.at_punct(","):
        cname = s.ident() if s.accept("CONSTRAINT") else None
        if s.accept("NOT", "NULL"):
            c["not_null"] = True
            d0: dict[str, object] = {"type": "not null", "name": cname, "columns": (name,)}
            _deferral(s, d0)
            c["not_null_no_inherit"] = bool(d0.get("no_inherit"))  # PostgreSQL 18
            if cname is not None:  # PostgreSQL 18 keeps the name of a NOT NULL constraint
                constraints.append(ConstraintDef(**d0))  # type: ignore[arg-type]
        elif s.accept("NULL"):
            c["not_null"] = False
        elif s.accept("DEFAULT"):
            c["default"] = _default(s)
        elif s.accept("COLLATE"):
            c["collation"] = collation(s)
        elif s.accept("COMPRESSION"):
            c["compression"] = s.next().text.lower()
        elif s.accept("STORAGE"):
            s.next()
        elif s.accept("GENERATED"):
            kind = ("always" if s.accept("ALWAYS", "AS", "IDENTITY") else
                    "by default" if s.accept("BY", "DEFAULT", "AS", "IDENTITY") else None)
            if kind is not None:
                c["identity"] = kind
                options = identity_options(s)
                c["identity_sequence"] = options.sequence_name if options else None
                c["identity_options"] = options
            else:
                s.expect("ALWAYS", "AS")
                c["generated"] = expression(s.paren_text())
                # PostgreSQL 18: VIRTUAL unless STORED (older servers require STORED)
                c["virtual"] = not s.accept("STORED")
                s.accept("VIRTUAL")
        elif s.accept("CHECK"):
            d: dict[str, object] = {"type": "check", "name": cname}
            d["expression"] = expression(s.paren_text())
            d["columns"] = (name,)
            _deferral(s, d)
            constraints.append(ConstraintDef(**d))  # type: ignore[arg-type]
        elif s.at("UNIQUE") or s.at("PRIMARY", "KEY"):
            d = {"name": cname, "columns": (name,), "key_names": (name,)}
            d["type"] = "unique" if s.accept("UNIQUE") else "primary key"
            if d["type"] == "primary key":
                s.expect("PRIMARY", "KEY")
            if s.accept("NULLS", "NOT", "DISTINCT"):
                d["nulls_not_distinct"] = True
            s.accept("NULLS", "DISTINCT")
            _index_parameters(s, d)
            _deferral(s, d)
            constraints.append(ConstraintDef(**d))  # type: ignore[arg-type]
        elif s.at("REFERENCES"):
            d = {"name": cname, "type": "foreign key", "columns": (name,)}
            references(s, d)
            _deferral(s, d)
            constraints.append(ConstraintDef(**d))  # type: ignore[arg-type]
        elif (s.at("DEFERRABLE") or s.at("NOT", "DEFERRABLE") or s.at("INITIALLY")
              or s.at("NOT", "ENFORCED") or s.at("ENFORCED")):
            d = {}
            _deferral(s, d)
            if constraints:
                constraints[-1] = _with(constraints[-1], **d)
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in column {name}")
    c["constraints"] = tuple(constraints)
    return ColumnDef(**c)  # type: ignore[arg-type]


def _with(c: ConstraintDef, **changes: object) -> ConstraintDef:
    from dataclasses import replace

    return replace(c, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ indexes


def figure_colname(s: Stream) -> str | None:
    """PostgreSQL's FigureIndexColname for an index expression (``lower(email)`` -> lower)."""
    return _figure(s)[0]


def _figure(s: Stream) -> tuple[str | None, int]:
    """FigureColnameInternal: the name and its strength (2 a column's or a function's, 1 a
    cast's type or ``case``, 0 none)."""
    toks = s.toks
    a, b = _unwrap(toks, 0, len(toks))
    if a >= b:
        return None, 0
    collate_at = _whole_collate(toks, a, b)
    if collate_at is not None:
        return _figure(s.sub(a, collate_at))  # x COLLATE "C" is named as x
    # a trailing ::type over the whole expression (a || b::text is no cast)
    top = list(top_level(toks, a, b))
    cast_at = max((k for k, t in top if t.kind == "punct" and t.text == "::"), default=-1)
    if cast_at > a and _one_operand([t for _, t in top]):
        return _cast_colname(s.sub(a, cast_at), toks[cast_at + 1: b])
    first = toks[a]
    if (first.kind == "word" and first.text == "CAST" and a + 1 < b
            and toks[a + 1].text == "(" and _wraps(toks, a + 1, b)):
        for k, t in top_level(toks, a + 2, b - 1):  # CAST(expr AS type) is a TypeCast too
            if t.kind == "word" and t.text == "AS":
                return _cast_colname(s.sub(a + 2, k), toks[k + 1: b - 1])
    if first.kind == "word" and first.text in ("CASE",):
        return "case", 1
    if first.kind == "word" and first.text == "ARRAY":
        return "array", 2
    # qualified function call or column reference
    k = a
    while k + 2 < b and toks[k + 1].text == "." and toks[k].kind in ("word", "ident"):
        k += 2
    if toks[k].kind in ("word", "ident"):
        if k + 1 == b:
            return _name_of(toks[k]), 2
        if toks[k + 1].text == "(" and _wraps(toks, k + 1, b):
            name = _name_of(toks[k])
            return ("row" if name == "row" else name), 2
    return None, 0


#: the names the grammar gives the SQL-standard type names (SystemTypeName): what a cast
#: names an index column after (``x::integer`` is ``int4``)
_SYSTEM_TYPE_NAMES = {
    "int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8", "real": "float4",
    "float": "float8", "double precision": "float8", "decimal": "numeric", "dec": "numeric",
    "numeric": "numeric", "boolean": "bool", "char": "bpchar", "character": "bpchar",
    "nchar": "bpchar", "national character": "bpchar", "national char": "bpchar",
    "varchar": "varchar", "character varying": "varchar", "char varying": "varchar",
    "national character varying": "varchar", "national char varying": "varchar",
    "nchar varying": "varchar", "bit": "bit", "bit varying": "varbit",
    "timestamp": "timestamp", "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz", "time": "time",
    "time without time zone": "time", "time with time zone": "timetz",
}


def _cast_colname(expr: Stream, type_toks: list[Tok]) -> tuple[str | None, int]:
    """FigureColnameInternal of a TypeCast: what it casts when that is named strongly (a
    column, a function, a cast of one: ``((a)::text)::varchar`` is ``a``), else the type's
    last name as written, the grammar's own for a standard one (``int4``, ``timestamptz``)."""
    inner, strength = _figure(expr)
    if strength > 1:
        return inner, strength
    words: list[Tok] = []
    precision: str | None = None
    depth = 0
    for t in type_toks:
        if t.kind == "punct" and t.text in ("(", "["):
            depth += 1
        elif t.kind == "punct" and t.text in (")", "]"):
            depth -= 1
        elif depth == 1 and precision is None and t.kind == "number":
            precision = t.text
        elif depth == 0 and t.kind in ("word", "ident"):
            words.append(t)
    if not words:
        return inner, strength
    if any(t.kind == "ident" for t in words):
        return _name_of(words[-1]), 1  # a quoted name is no keyword
    key = " ".join(t.text.lower() for t in words)
    if key == "interval" or key.startswith("interval "):
        return "interval", 1  # interval day to second
    if key == "float" and precision is not None and precision.isdigit() and int(precision) <= 24:
        return "float4", 1
    return _SYSTEM_TYPE_NAMES.get(key, _name_of(words[-1])), 1


def _name_of(t: object) -> str:
    return t.text if t.kind == "ident" else t.raw.lower()  # type: ignore[attr-defined]


def _unwrap(toks: list[Tok], a: int, b: int) -> tuple[int, int]:
    """The bounds of ``toks[a:b]`` without the parentheses that wrap all of it."""
    while b - a >= 2 and toks[a].text == "(" and toks[b - 1].text == ")" and _wraps(toks, a, b):
        a, b = a + 1, b - 1
    return a, b


def _unwrapped(toks: list[Tok]) -> list[Tok]:
    """``toks`` without the parentheses that wrap all of them."""
    a, b = _unwrap(toks, 0, len(toks))
    return toks[a:b]


def _whole_collate(toks: list[Tok], a: int, b: int) -> int | None:
    """The index of a ``COLLATE name`` that ends ``toks[a:b]`` and applies to all of it: what
    comes before is one operand (a name, a constant, a call or a parenthesized expression)
    with any ``::type`` casts, which bind tighter; None where there is none such (``a || b
    COLLATE c`` collates ``b`` only), or where the expression is not that simple."""
    top = list(top_level(toks, a, b))
    at = next((k for k, t in top if t.kind == "word" and t.text == "COLLATE"), None)
    if at is None or at == a:
        return None
    after = [t for k, t in top if k > at]
    if not after or any(t.kind not in ("word", "ident") and t.text != "." for t in after) or any(
            t.kind == "word" and t.text == "COLLATE" for t in after):
        return None
    return at if _one_operand([t for k, t in top if k < at]) else None


def _one_operand(top: list[Tok]) -> bool:
    """Whether an expression's top-level tokens (``top``) are those of one operand with any
    ``::type`` casts, which bind tighter than any operator: a dotted name or one constant
    (a call's or a group's parentheses are not top-level), then ``::`` and type names."""
    cast = next((n for n, t in enumerate(top) if t.text == "::"), len(top))
    operand, casts = top[:cast], top[cast:]
    if any(t.text != "." if n % 2 else t.kind not in ("word", "ident", "string", "number")
           for n, t in enumerate(operand)) or (operand and operand[-1].text == "."):
        return False
    if len(operand) > 1 and any(t.kind in ("string", "number") for t in operand):
        return False
    return all(t.kind in ("word", "ident") or t.text in (".", "::") for t in casts)


def _wraps(toks: list[Tok], a: int, b: int) -> bool:
    """toks[a] is '(' and its matching ')' is toks[b-1]."""
    return closing(toks, a, b) == b - 1


def _opclass_parameters(text: str) -> str:
    """An operator class's parameters as the catalog prints them: ``siglen=32`` is
    ``siglen='32'`` (each value a string constant, as reloptions are kept)."""
    from schemadiff.sql.quote import split_top

    out = []
    for item in split_top(text)[0]:
        name, _, value = item.partition("=")
        value = value.strip()
        if len(value) > 1 and value[0] == value[-1] == "'":
            value = value[1:-1].replace("''", "'")
        out.append(f"{name.strip().lower()}='{value.replace(chr(39), chr(39) * 2)}'")
    return ", ".join(out)


def index_element(s: Stream, method: str = "btree") -> tuple[IndexKey, str]:
    """One index key: ``col | (expr) | func(...)`` then COLLATE, opclass, ASC/DESC, NULLS.

    Returns the key and the name PostgreSQL uses for it when choosing an index name. An
    operator class that is the access method's default is left out, as pg_get_indexdef does.
    """
    t = s.peek()
    if t is None:
        raise SyntaxProblem("empty index element")
    collate = ""
    if t.kind == "punct" and t.text == "(":
        a, b = s.paren_span()
        expr_stream = s.sub(a, b)
        column = None
        # a COLLATE over the whole expression is the index column's collation, the
        # expression without it the key (ComputeIndexAttrs strips a top-level CollateExpr)
        ia, ib = _unwrap(expr_stream.toks, 0, len(expr_stream.toks))
        at = _whole_collate(expr_stream.toks, ia, ib)
        if at is not None:
            names = expr_stream.sub(at + 1, ib)
            collate = " COLLATE " + ".".join(quote_ident(p) for p in names.names())
            expr_stream = expr_stream.sub(*_unwrap(expr_stream.toks, ia, at))
        text = expr_stream.slice(0, len(expr_stream.toks))
        # "(column)" and "(column COLLATE c)" are the column itself
        inner = _unwrapped(expr_stream.toks)
        if len(inner) == 1 and inner[0].kind in ("word", "ident"):
            column = _name_of(inner[0])
            expr_stream = None
            text = column
    elif s.peek(1) is not None and (
        s.at_punct("(", 1) or (s.at_punct(".", 1) and s.at_punct("(", 3))
    ):
        start = s.i
        s.names()
        s.paren_span()
        expr_stream = s.sub(start, s.i)
        column = None
        text = s.slice(start, s.i)
    else:
        column = s.ident()
        expr_stream = None
        text = column
    suffix = collate
    desc = False
    nulls: str | None = None
    while not s.done():
        if s.accept("COLLATE"):
            suffix += " COLLATE " + ".".join(quote_ident(p) for p in s.names())
        elif s.accept("ASC"):
            desc = False
        elif s.accept("DESC"):
            desc = True
        elif s.accept("NULLS", "FIRST"):
            nulls = "FIRST"
        elif s.accept("NULLS", "LAST"):
            nulls = "LAST"
        elif s.peek() is not None and s.peek().kind in ("word", "ident"):  # type: ignore[union-attr]
            opclass = s.names()[-1]
            if s.at_punct("("):
                opclass += "(" + _opclass_parameters(s.paren_text()) + ")"
            if not _is_default_opclass(opclass, method):
                suffix += " " + opclass
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in index key")
    if desc:
        suffix += " DESC"
        if nulls == "LAST":
            suffix += " NULLS LAST"
    elif nulls == "FIRST":
        suffix += " NULLS FIRST"
    if column is not None:
        return IndexKey(quote_ident(column), column, suffix), column
    canonical = "(" + normalize_expression(text) + ")"
    name = figure_colname(expr_stream) if expr_stream is not None else None
    return IndexKey(canonical, None, suffix), name or "expr"


# ------------------------------------------------------------------------------ sequences


def sequence_options(s: Stream) -> SequenceOptions:
    o: dict[str, object] = {}
    while not s.done():
        if s.accept("AS"):
            o["data_type"] = data_type(s)
        elif s.accept("INCREMENT"):
            s.accept("BY")
            o["increment"] = s.number()
        elif s.accept("NO", "MINVALUE"):
            o["no_min"] = True
        elif s.accept("NO", "MAXVALUE"):
            o["no_max"] = True
        elif s.accept("MINVALUE"):
            o["min_value"] = s.number()
        elif s.accept("MAXVALUE"):
            o["max_value"] = s.number()
        elif s.accept("START"):
            s.accept("WITH")
            o["start"] = s.number()
        elif s.accept("RESTART"):
            o["restart"] = True
            if s.accept("WITH") or (s.peek() is not None and s.peek().kind == "number"):  # type: ignore[union-attr]
                s.number()
        elif s.accept("CACHE"):
            o["cache"] = s.number()
        elif s.accept("NO", "CYCLE"):
            o["cycle"] = False
        elif s.accept("CYCLE"):
            o["cycle"] = True
        elif s.accept("OWNED", "BY"):
            if s.accept("NONE"):
                o["owned_by_none"] = True
            else:
                parts = s.names()
                if len(parts) < 2:
                    raise SyntaxProblem("OWNED BY needs table.column")
                table = QName(parts[-3] if len(parts) > 2 else None, parts[-2])
                o["owned_by"] = (table, parts[-1])
        elif s.accept("SEQUENCE", "NAME"):
            o["sequence_name"] = qname(s)
        elif s.accept("LOGGED") or s.accept("UNLOGGED"):
            pass
        else:
            got = s.peek()
            raise SyntaxProblem(f"unknown sequence option {got.raw if got else 'end'}")
    return SequenceOptions(**o)  # type: ignore[arg-type]


def owner_to(target: str, name: QName, s: Stream,
             args: tuple[TypeRef, ...] | None = None) -> OwnerTo | NoEffect:
    """``... OWNER TO role`` (after ``OWNER TO``); the migrating role (``CURRENT_USER`` and
    the like) is no role the text names: nothing is known then."""
    if s.word() in ("CURRENT_USER", "SESSION_USER", "CURRENT_ROLE"):
        s.next()
        return NoEffect("acl", "OWNER TO the current role")
    return OwnerTo(target, name, s.ident(), args)


def reloptions(s: Stream) -> tuple[tuple[str, str | None], ...]:
    """``( name [= value], ... )``, a relation's options (``WITH (...)``, ``SET (...)``,
    ``RESET (...)``): names lower-cased (``toast.`` prefix kept), values as their text."""
    s.expect_punct("(")
    out: list[tuple[str, str | None]] = []
    while True:
        name = ".".join(s.names())
        value: str | None = None
        if s.accept_punct("="):
            sign = "-" if s.accept_punct("-") else ""
            t = s.next()
            value = sign + (t.raw if t.kind == "word" else t.text)
        out.append((name, value))
        if not s.accept_punct(","):
            break
    s.expect_punct(")")
    return tuple(out)
