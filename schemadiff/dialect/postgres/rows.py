"""PostgreSQL's catalog rows as the model's records: one builder per kind.

Every text the catalog deparses goes through the functions the replay applies to the same text
in a dump (``normalize_expression``, ``canonical_default``, the type, index, constraint,
trigger and argument grammars), so a live database and the replay of its ``pg_dump`` give the
same records. Each builder takes the rows of its kind's catalog query
(:mod:`schemadiff.dialect.postgres.kinds`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from schemadiff.errors import SourceError
from schemadiff.model import (
    PUBLIC_SCHEMA_COMMENT,
    Column,
    CompositeType,
    Constraint,
    Domain,
    Enum,
    EventTrigger,
    Extension,
    Function,
    Index,
    Policy,
    Privilege,
    Schema,
    SchemaObject,
    Statistics,
    Table,
    Trigger,
    View,
)
from schemadiff.model import (
    Sequence as SequenceObject,
)
from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    TypeRef,
    argument_text,
    canonical_default,
    canonical_view_query,
    function_cost,
    function_rows,
    identity_options,
    normalize_expression,
    quote_ident,
    referenced_relations,
    statistics_kinds,
    storage_options,
    view_options,
)
from schemadiff.sql.parse import parse_statement
from schemadiff.sql.parse.functions import arguments as parse_arguments
from schemadiff.sql.tokens import Stream

_VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}
_PARALLEL = {"s": "safe", "r": "restricted", "u": "unsafe"}
_POLICY_COMMANDS = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}
_IDENTITY = {"a": "always", "d": "by default"}


class Rows(list):  # type: ignore[type-arg]
    """A query's rows as tuples, with the position of each column by name."""

    def __init__(self, rows: list[tuple[Any, ...]], names: list[str]) -> None:
        super().__init__(rows)
        self.at = {name: i for i, name in enumerate(names)}

    def positions(self, *names: str) -> tuple[int, ...]:
        try:
            return tuple(self.at[name] for name in names)
        except KeyError as exc:
            raise SourceError(f"catalog query returned no column {exc}") from None




@lru_cache(maxsize=4096)
def _type_ref(text: str) -> TypeRef:
    """A ``format_type`` text read by the same grammar that reads types in a dump."""
    return g.data_type(Stream(text))


def _render_type(t: TypeRef, keep_modifiers: bool = True) -> str:
    """A type as the replay of a dump renders it (``Replayer._type_text``).

    Types pg_catalog does not name as builtins and that ``format_type`` prints unqualified
    (``"char"``) resolve, as in the dump replay (whose ``search_path`` is empty), to ``public``.
    """
    render = t.render if keep_modifiers else t.render_bare
    if t.builtin:
        return render()
    return render(t.schema or "public")


@lru_cache(maxsize=4096)
def _type_text(text: str) -> str:
    return _render_type(_type_ref(text))


def _collation(schema: str | None, name: str | None) -> str | None:
    """``COLLATE pg_catalog."C"`` is ``C``; other collations are ``schema.name``."""
    if name is None:
        return None
    if schema in (None, "pg_catalog"):
        return name
    return f"{schema}.{name}"


def _check_expression(definition: str) -> str:
    """``CHECK ((VALUE > 0)) NOT VALID`` -> the normalized expression inside."""
    s = Stream(definition)
    s.expect("CHECK")
    return normalize_expression(s.paren_text())


def schemas(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        comment = r["comment"]
        if r["name"] == "public" and comment == PUBLIC_SCHEMA_COMMENT:
            comment = None
        yield Schema(r["name"], comment=comment)


def extensions(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        comment, default = r["comment"], r["default_comment"] or ""
        if comment is None and default:
            comment = ""  # none, where CREATE EXTENSION set one: removed (a dump has no line)
        yield Extension(r["name"], r["schema"], r["version"], comment=comment,
                        control_comment=default)


def enums(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        yield Enum(r["schema"], r["name"], tuple(r["labels"]), comment=r["comment"])


def domains(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        checks = tuple(sorted(
            (name, _check_expression(d)) for name, d in zip(r["check_names"], r["check_defs"])
        ))
        type_text = _type_text(r["type"])
        # as the replay stores a domain's default: its constant as the type prints it
        default = (canonical_default(normalize_expression(r["default"]), type_text)
                   if r["default"] is not None else None)
        if default == "NULL":
            default = None  # ALTER DOMAIN ... SET DEFAULT NULL stores the constant: no default
        not_valid = tuple(sorted(name for name, d in zip(r["check_names"], r["check_defs"])
                                 if d.rstrip().endswith("NOT VALID")))
        yield Domain(r["schema"], r["name"], type_text, r["not_null"], default,
                     _collation(r["collation_schema"], r["collation"]), checks, not_valid,
                     comment=r["comment"], check_comments=tuple(sorted(
                         (n, text) for n, text in r.get("check_comments") or ())))


def composites(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        pairs = zip(r["attribute_names"], r["attribute_types"])
        attrs = tuple((n, _type_text(t)) for n, t in pairs)
        yield CompositeType(r["schema"], r["name"], attrs, comment=r["comment"],
                            attribute_comments=tuple(sorted(
                                (n, text) for n, text in r.get("attribute_comments") or ())))


def sequences(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        owned = f"{r['owned_table']}.{r['owned_column']}" if r["owned_table"] else None
        yield SequenceObject(r["schema"], r["name"], _type_text(r["data_type"]), r["start"],
                             r["increment"], r["min_value"], r["max_value"], r["cache"],
                             r["cycle"], owned, comment=r["comment"],
                             persistence={"u": "unlogged", "p": "permanent"}.get(
                                 r.get("persistence") or ""))


def _partition_by(text: str | None) -> str | None:
    """``RANGE (created_at)`` -> strategy and normalized key, as the dump replay reads it."""
    if text is None:
        return None
    return g.partition_key(Stream(text))


def _partition_bound(text: str | None) -> str | None:
    """``FOR VALUES FROM (...) TO (...)`` -> ``FROM (...) TO (...)``, as the dump replay reads
    it; ``DEFAULT`` stays."""
    if text is None:
        return None
    return g.partition_bound(Stream(text))


def tables(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        parent = f"{r['parent_schema']}.{r['parent_name']}" if r["parent_name"] else None
        yield Table(
            r["schema"], r["name"], "unlogged" if r["persistence"] == "u" else "permanent",
            _partition_by(r["partition_by"]), parent, _partition_bound(r["partition_bound"]),
            tuple(r["inherits"]), _type_text(r["of_type"]) if r["of_type"] else None,
            r["rls_enabled"], r["rls_forced"], comment=r["comment"],
            replica_identity=_replica_identity(r["replica_identity"], r["replica_index"]),
            options=storage_options(_pairs(r.get("options"))),
            clustered_on=r.get("clustered_index"),
            access_method=r.get("access_method") or "heap",
            inherited_defaults=tuple(sorted(
                (name, canonical_default(_column_default(default), _type_text(type_))
                 if default is not None else None)
                for name, default, type_ in r.get("inherited_defaults") or ())),
            inherited_comments=tuple(sorted(
                (name, text) for name, text in r.get("inherited_comments") or ())),
            trigger_states=tuple(sorted(
                (name, state) for name, state in r.get("trigger_states") or ())),
            inherited_not_null=tuple(sorted(
                (name, bool(value)) for name, value in r.get("inherited_not_null") or ())),
        )


def _replica_identity(letter: str, index: str | None) -> str:
    """``relreplident`` as the model says it; an index gone leaves ``i`` behind with no
    index, which pg_dump prints as nothing: the default."""
    if letter == "i":
        return f"index {index}" if index else "default"
    return {"f": "full", "n": "nothing"}.get(letter, "default")


_NEXTVAL = re.compile(r"nextval\('((?:[^'\\]|'')+)'::regclass\)\Z")
_SEQUENCE_PART = re.compile(r'"((?:[^"]|"")*)"|([^."]+)')
_PLACEHOLDER = "sd_placeholder_seq"


@lru_cache(maxsize=1)
def _nextval_template() -> str:
    return normalize_expression(f"nextval('{_PLACEHOLDER}'::regclass)")


def _column_default(text: str) -> str:
    """``normalize_expression`` of a default, with a fast path for the most common one.

    Every serial column has its own ``nextval('schema.table_col_seq'::regclass)``, so caching
    does not help and sqlglot would parse thousands of them; the normalizer's answer for one
    is the same text with another (unqualified) sequence name.
    """
    m = _NEXTVAL.match(text)
    if m is None:
        return normalize_expression(text)
    parts = [p[1].replace('""', '"') if p[1] is not None else p[2].lower()
             for p in _SEQUENCE_PART.finditer(m.group(1).replace("''", "'"))]
    name = parts[-1] if parts else ""
    if not re.fullmatch(r"[A-Za-z0-9_$ ]+", name) or _PLACEHOLDER not in _nextval_template():
        return normalize_expression(text)
    return _nextval_template().replace(_PLACEHOLDER, name)


def columns(rows: Rows) -> Iterator[SchemaObject]:
    (schema, table, name, position, type_, not_null, default_, generated_, identity,
     coll_schema, coll, comment, virtual, validated, no_inherit, statistics,
     storage, options, compression, sequence) = rows.positions(
        "schema", "table", "name", "position", "type", "not_null", "default", "generated",
        "identity", "collation_schema", "collation", "comment", "virtual", "not_null_validated",
        "not_null_no_inherit", "statistics", "storage", "options", "compression",
        "identity_sequence")
    for r in rows:
        type_text = _type_text(r[type_])
        default = None
        if r[default_] is not None:
            default = canonical_default(_column_default(r[default_]), type_text)
        generated = normalize_expression(r[generated_]) if r[generated_] is not None else None
        yield Column(r[schema], r[table], r[name], type_text, r[not_null], default,
                     _IDENTITY.get(r[identity] or ""), generated,
                     _collation(r[coll_schema], r[coll]),
                     position=r[position], comment=r[comment], virtual=r[virtual],
                     not_null_validated=r[validated], not_null_no_inherit=r[no_inherit],
                     statistics=r[statistics], storage=r[storage],
                     options=storage_options(_pairs(r[options])), compression=r[compression],
                     identity_options=identity_options(type_text, *r[sequence][1:])
                     if r[sequence] else ())


_FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL",
               "d": "SET DEFAULT"}
_FK_MATCH = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}
_CONSTRAINT_TYPES = {"p": "primary key", "u": "unique", "f": "foreign key", "c": "check"}


def constraints(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        if r["type"] == "x":  # exclusion: its USING ... (... WITH ...) text is the model's
            c = g.table_constraint(Stream(r["definition"]))
            yield Constraint(
                r["schema"], r["table"], r["name"], c.type, tuple(c.columns), c.expression,
                include=c.include, deferrable=c.deferrable,
                initially_deferred=c.initially_deferred, validated=not c.not_valid,
                index_comment=r["index_comment"], comment=r["comment"],
                index_options=storage_options(_pairs(r.get("index_options"))),
                disabled_triggers=tuple(r.get("disabled_triggers") or ()),
            )
            continue
        kind = _CONSTRAINT_TYPES[r["type"]]
        expression = None
        if kind == "check":
            expression = normalize_expression(r["check_expression"])
        ref_table = f"{r['ref_schema']}.{r['ref_table']}" if kind == "foreign key" else None
        foreign = kind == "foreign key"
        yield Constraint(
            r["schema"], r["table"], r["name"], kind,
            () if kind == "check" else tuple(r["columns"]), expression, ref_table,
            tuple(r["ref_columns"]) if foreign else (),
            _FK_ACTIONS[r["on_update"]] if foreign else "NO ACTION",
            _FK_ACTIONS[r["on_delete"]] if foreign else "NO ACTION",
            _FK_MATCH[r["match"]] if foreign else "SIMPLE",
            tuple(r["include"]), r["nulls_not_distinct"], r["deferrable"],
            r["initially_deferred"], r["validated"], kind == "check" and r["no_inherit"],
            r["index_comment"], enforced=r["enforced"], period=r["period"], comment=r["comment"],
            on_delete_columns=tuple(r["on_delete_columns"]),
            index_options=storage_options(_pairs(r.get("index_options"))),
            disabled_triggers=tuple(r.get("disabled_triggers") or ()),
        )


def _index_key(column: str | None, expression: str | None, option: int) -> str:
    """One key as ``grammar.index_element`` reads it back from pg_get_indexdef's text."""
    if column is not None:
        key = quote_ident(column)
    else:
        text = expression or ""
        # PostgreSQL wraps every key but a function-like one in parentheses: "(a + 1)".
        inner = text[1:-1] if text.startswith("(") and text.endswith(")") else text
        key = "(" + normalize_expression(inner) + ")"
    if option & 1:  # INDOPTION_DESC; DESC defaults to NULLS FIRST
        return key + (" DESC" if option & 2 else " DESC NULLS LAST")
    return key + (" NULLS FIRST" if option & 2 else "")


def indexes(rows: Rows) -> Iterator[SchemaObject]:
    (schema, table, name, unique, method, columns, expressions, options, include, predicate_,
     nulls_not_distinct, simple, definition, comment, storage, valid,
     statistics) = rows.positions(
        "schema", "table", "name", "unique", "method", "key_columns", "key_expressions",
        "key_options", "include", "predicate", "nulls_not_distinct", "simple", "definition",
        "comment", "options", "valid", "statistics")
    for r in rows:
        parameters = storage_options(_pairs(r[storage]))
        if not r[simple]:  # a non-default opclass or collation: read pg_dump's text
            op = parse_statement(r[definition])
            if not isinstance(op, ops.CreateIndex):
                raise SourceError(f"cannot read index {r[schema]}.{r[name]}: {r[definition]}")
            keys = tuple(k.expression + k.suffix for k in op.keys)
            yield Index(r[schema], r[name], r[table], op.unique, op.method, keys,
                        op.include, op.predicate, op.nulls_not_distinct, parameters, r[valid],
                        comment=r[comment], statistics=tuple(r[statistics] or ()))
            continue
        keys = tuple(_index_key(c, e, o) for c, e, o in
                     zip(r[columns], r[expressions], r[options]))
        predicate = normalize_expression(r[predicate_]) if r[predicate_] is not None else None
        yield Index(r[schema], r[name], r[table], r[unique], r[method], keys,
                    tuple(r[include]), predicate, r[nulls_not_distinct], parameters, r[valid],
                    comment=r[comment], statistics=tuple(r[statistics] or ()))


def event_triggers(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        yield EventTrigger(r["name"], r["event"], tuple(sorted({t.upper() for t in
                                                                r["tags"] or ()})),
                           f"{r['function_schema']}.{r['function_name']}", r["enabled"],
                           comment=r["comment"])


def statistics(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        op = parse_statement(r["definition"])
        if not isinstance(op, ops.CreateStatistics) or op.table.schema is None:
            raise SourceError(f"cannot read statistics {r['schema']}.{r['name']}: "
                              f"{r['definition']}")
        yield Statistics(r["schema"], r["name"], f"{op.table.schema}.{op.table.name}",
                         tuple(sorted(op.keys)), statistics_kinds(op.kinds, op.keys),
                         r["target"], comment=r["comment"])


def _pairs(reloptions: list[str] | None) -> list[tuple[str, str | None]]:
    """``reloptions`` (``{fillfactor=70}``) as ``(name, value)`` pairs."""
    return [(name, value) for name, _, value in (o.partition("=") for o in reloptions or ())]


def views(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        query = (r["definition"] or "").strip().rstrip(";").strip()
        pairs = _pairs(r["options"])
        yield View(r["schema"], r["name"], r["materialized"], referenced_relations(query),
                   canonical_view_query(query), definition=query, comment=r["comment"],
                   options=storage_options(pairs) if r["materialized"] else view_options(pairs),
                   names=tuple(r["names"]),
                   defaults=tuple(sorted(
                       (name, canonical_default(_column_default(default), _type_text(type_)))
                       for name, default, type_ in r.get("defaults") or ())),
                   column_comments=tuple(sorted(
                       (name, text) for name, text in r.get("column_comments") or ())))


def _argument_text(a: ops.Argument) -> str:
    return argument_text(a.mode, a.name, _render_type(a.type, False), a.default)


def _returns(result: str | None) -> str | None:
    """``pg_get_function_result`` text in the replay's form (``TABLE(...)``, ``SETOF t``)."""
    if result is None:
        return None
    s = Stream(result)
    if s.accept("TABLE"):
        s.expect_punct("(")
        cols = []
        for a, b in s.comma_items():
            item = s.sub(a, b)
            name = item.ident()
            cols.append(f"{quote_ident(name)} {_render_type(g.data_type(item), False)}")
        return "TABLE(" + ", ".join(cols) + ")"
    setof = s.accept("SETOF")
    return ("SETOF " if setof else "") + _render_type(g.data_type(s), False)


def _body(r: dict[str, Any]) -> str:
    """The body as the dump replay reads it back from ``AS ...`` or a SQL-standard body."""
    sql_body = r["sql_body"]
    if sql_body is not None:
        # RETURN expr / BEGIN ATOMIC ... END: read by the grammar that reads them in a dump
        op = parse_statement("CREATE FUNCTION f() " + sql_body.strip().rstrip(";"))
        if isinstance(op, ops.CreateFunction):
            return op.body
        return " ".join(sql_body.split())
    source = r["source"] or ""
    binary = r["binary"]
    if binary and binary != "-":
        return binary if source == r["name"] else f"{binary}, {source}"
    return source


def _config(entries: list[str] | None) -> tuple[str, ...]:
    """``proconfig`` entries as stored: ``name=value``, a list of names (``search_path``) with
    each one quoted where quote_identifier quotes it, as the replay spells them too."""
    return tuple(entries or ())


def functions(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        args = parse_arguments(Stream("(" + (r["arguments"] or "") + ")"))
        identity = ", ".join(_render_type(a.type, False) for a in args if a.mode != "OUT")
        routine = {"p": "procedure", "w": "window"}.get(r["kind"], "function")
        returns = None if routine == "procedure" else _returns(r["result"])
        yield Function(
            r["schema"], r["name"], identity, routine, ", ".join(_argument_text(a) for a in args),
            returns, r["language"], _body(r), _VOLATILITY[r["volatility"]], r["strict"],
            r["security_definer"], r["leakproof"], _PARALLEL[r["parallel"]], _config(r["config"]),
            comment=r["comment"], cost=function_cost(r.get("cost"), r["language"]),
            rows=function_rows(r.get("rows"), returns),
        )


def triggers(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        op = parse_statement(r["definition"])
        if not isinstance(op, ops.CreateTrigger):
            raise SourceError(f"cannot read trigger {r['name']} on {r['schema']}.{r['table']}")
        yield Trigger(r["schema"], r["table"], r["name"], op.timing, op.events, op.level,
                      f"{r['function_schema']}.{r['function_name']}", op.arguments, op.when,
                      op.constraint, op.deferrable, op.initially_deferred, r["enabled"],
                      op.referencing, comment=r["comment"])


def policies(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    for r in rows:
        using = normalize_expression(r["using"]) if r["using"] is not None else None
        check = normalize_expression(r["with_check"]) if r["with_check"] is not None else None
        yield Policy(r["schema"], r["table"], r["name"], r["permissive"],
                     _POLICY_COMMANDS[r["command"]], tuple(sorted(r["roles"])), using, check,
                     comment=r["comment"], using_text=r["using"], check_text=r["with_check"])


def privileges(rows: list[dict[str, Any]]) -> Iterator[SchemaObject]:
    from schemadiff.sql.privileges import compared

    holds: dict[tuple[str, str, str, str], dict[str, bool]] = {}
    for r in rows:
        kind, name = r["object_type"], r["object_name"]
        if kind == "function":
            args = parse_arguments(Stream("(" + (r["arguments"] or "") + ")"))
            identity = ", ".join(_render_type(a.type, False) for a in args if a.mode != "OUT")
            name = f"{name}({identity})"
        elif kind == "column":
            name = f"{name}.{r['arguments']}"
        entry = holds.setdefault((r["schema"], f"{kind} {name}", kind, r["grantee"]), {})
        if r["privilege"] is not None:
            entry[r["privilege"]] = bool(r["grantable"])
    for (schema, obj, kind, grantee), held in holds.items():
        if obj == "schema public":
            continue  # its defaults depend on the server version: not compared
        privs = compared(kind, grantee, held)
        if privs:
            yield Privilege(schema, obj, grantee, privs)
