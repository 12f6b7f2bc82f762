"""Enums, composite types and domains: create, ``ALTER TYPE`` (values, attributes, renames),
and the retyping of every column and argument a rename touches."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Column,
    CompositeType,
    Constraint,
    Domain,
    Enum,
    Function,
    Index,
    Key,
    Policy,
    Table,
    Trigger,
    View,
)
from schemadiff.sql import ops
from schemadiff.sql.names import (
    choose_name,
)
from schemadiff.sql.normalize import (
    qualified,
    rename_enum_label,
    rename_field,
)
from schemadiff.sql.replay.core import TYPE_KINDS, ReplayState
from schemadiff.sql.replay.text import body_edited, top_items, typed_constants


class TypeReplay(ReplayState):
    """The replay of enums, composite types and domains: create, ``ALTER TYPE`` (values,
    attributes, renames), and the retyping of every column and argument a rename touches."""

    def _type_exists(self, schema: str, name: str) -> bool:
        return any(Key(k, schema, name) in self.catalog for k in (*TYPE_KINDS, "table", "view"))

    def _op_CreateEnum(self, op: ops.CreateEnum) -> None:
        schema = self._creation_schema(op.name.schema)
        if self._type_exists(schema, op.name.name):
            self._conflict(f'type "{op.name.name}" already exists')
            return
        self._put(Enum(schema, op.name.name, op.labels))

    def _op_CreateComposite(self, op: ops.CreateComposite) -> None:
        schema = self._creation_schema(op.name.schema)
        if self._type_exists(schema, op.name.name):
            self._conflict(f'type "{op.name.name}" already exists')
            return
        attrs = tuple((n, self._type_text(t)) for n, t in op.attributes)
        self._put(CompositeType(schema, op.name.name, attrs))

    def _op_CreateDomain(self, op: ops.CreateDomain) -> None:
        if not op.type.builtin and self._is_temp(ops.QName(op.type.schema, op.type.name)):
            self._temp.add(op.name.name)  # over a temporary table's row type: temporary too
            return
        schema = self._creation_schema(op.name.schema)
        if self._type_exists(schema, op.name.name):
            self._conflict(f'type "{op.name.name}" already exists')
            return
        checks = []
        for name, expr in op.checks:
            cname = name or choose_name(op.name.name, None, "check",
                                        lambda n: any(c[0] == n for c in checks))
            checks.append((cname, expr))
        type_text = self._type_text(op.type)
        checks = [(n, _typed_value(e, type_text)) for n, e in checks]
        default = self._stored_default(op.default, type_text) if op.default else op.default
        base = (self._find(("domain",), ops.QName(op.type.schema, op.type.name))
                if default is None and not op.type.builtin and not op.type.dims else None)
        if base is not None:  # over a domain: its default is copied, as it is then
            default = getattr(self.catalog.objects[base], "default", None)
        self._put(Domain(schema, op.name.name, type_text, op.not_null, default,
                         self._collation(op.collation), tuple(sorted(checks))))

    def _op_AlterType(self, op: ops.AlterType) -> None:
        key = self._find(("domain",) if op.domain else TYPE_KINDS, op.name)
        if key is None:
            other = self._uncompared_key("type", op.name)
            if other is not None and op.action in ("rename", "set_schema"):
                space, schema, name = other
                self._uncompared.discard(other)
                moved = ((space, schema, op.args[0]) if op.action == "rename"
                         else (space, op.args[0], name))
                self._uncompared.add(moved)
                self._retype(qualified(schema, name), qualified(moved[1], moved[2]))
            elif other is None and not op.if_exists:
                self._conflict(f'type "{op.name}" does not exist')
            return
        obj: Any = self.catalog.objects[key]
        a = op.args
        if op.action == "add_value":
            label, before, after, ine = a
            if label in obj.labels:
                if not ine:
                    self._conflict(f'enum label "{label}" already exists')
                return
            labels = list(obj.labels)
            if before is not None and before in labels:
                labels.insert(labels.index(before), label)
            elif after is not None and after in labels:
                labels.insert(labels.index(after) + 1, label)
            else:
                labels.append(label)
            self._put(replace(obj, labels=tuple(labels)))
        elif op.action == "rename_value":
            self._put(replace(obj, labels=tuple(a[1] if x == a[0] else x for x in obj.labels)))
            self._rename_enum_value(key, a[0], a[1])
        elif op.action == "rename":
            self._rename_type(key, obj, key.schema, a[0])
        elif op.action == "set_schema":
            self._rename_type(key, obj, a[0], key.name)
        elif op.action in ("add_attribute", "drop_attribute") and self._row_constants(key):
            self._diag(f"ALTER TYPE {key.name} {op.action.replace('_', ' ').upper()}: the "
                       f"rows of the type stored in {', '.join(self._row_constants(key))} keep "
                       "the attributes they were made with (an added one prints as NULL, a "
                       "dropped one is left out); not modelled")
        if op.action == "add_attribute":
            type_text = self._type_text(a[1])
            self._put(replace(obj, attributes_=(*obj.attributes_, (a[0], type_text))))
            for t in self._typed_tables(key):
                self._put(Column(t.schema, t.name, a[0], type_text,
                                 position=self._next_position(t.schema, t.name)))
        elif op.action == "drop_attribute":
            self._put(replace(obj, attributes_=tuple(x for x in obj.attributes_ if x[0] != a[0]),
                              attribute_comments=tuple(
                                  x for x in obj.attribute_comments if x[0] != a[0])))
            for t in self._typed_tables(key):
                if Key("column", t.schema, t.name, a[0]) in self.catalog:
                    self._drop_column(t.schema, t.name, a[0])
        elif op.action == "alter_attribute":
            type_text = self._type_text(a[1])
            self._put(replace(obj, attributes_=tuple(
                (n, type_text if n == a[0] else t) for n, t in obj.attributes_)))
            for t in self._typed_tables(key):
                col = self.catalog.objects.get(Key("column", t.schema, t.name, a[0]))
                if col is not None:
                    self._put(replace(col, type=type_text))  # type: ignore[type-var]
        elif op.action == "rename_attribute":
            self._put(replace(obj, attributes_=tuple(
                (a[1] if n == a[0] else n, t) for n, t in obj.attributes_),
                attribute_comments=tuple(sorted(
                    (a[1] if n == a[0] else n, t) for n, t in obj.attribute_comments))))
            for t in self._typed_tables(key):
                if Key("column", t.schema, t.name, a[0]) in self.catalog:
                    self._rename_column(t.schema, t.name, a[0], a[1])
            self._rename_field(key, a[0], a[1])
        elif op.action == "set_default":
            default = a[0]
            if default and op.domain:
                default = self._stored_default(default, obj.type)
            self._put(replace(obj, default=default))
        elif op.action == "set_not_null":
            self._put(replace(obj, not_null=a[0]))
        elif op.action == "add_check":
            name = a[0] or choose_name(obj.name, None, "check",
                                       lambda n: any(c[0] == n for c in obj.checks))
            check = (name, _typed_value(a[1], obj.type))
            self._put(replace(obj, checks=tuple(sorted((*obj.checks, check))),
                              not_valid=tuple(sorted({*obj.not_valid, name} if a[2]
                                                     else obj.not_valid))))
        elif op.action == "validate_constraint":
            self._put(replace(obj, not_valid=tuple(n for n in obj.not_valid if n != a[0])))
        elif op.action == "drop_constraint":
            if any(c[0] == a[0] for c in obj.checks):
                self._put(replace(obj, checks=tuple(c for c in obj.checks if c[0] != a[0]),
                                  not_valid=tuple(n for n in obj.not_valid if n != a[0]),
                                  check_comments=tuple(
                                      c for c in obj.check_comments if c[0] != a[0])))
            elif obj.not_null and not a[1]:
                # not a CHECK, and the server found it: the domain's NOT NULL (a constraint of
                # its own since PostgreSQL 17)
                self._put(replace(obj, not_null=False))
            elif obj.not_null:
                self._diag(f"ALTER DOMAIN {obj.name} DROP CONSTRAINT IF EXISTS {a[0]}: whether "
                           "it names the domain's NOT NULL is not modelled")
        elif op.action == "rename_constraint":
            renamed = ((a[1] if c[0] == a[0] else c[0], c[1]) for c in obj.checks)
            self._put(replace(obj, checks=tuple(sorted(renamed)), not_valid=tuple(sorted(
                a[1] if n == a[0] else n for n in obj.not_valid)), check_comments=tuple(sorted(
                    (a[1] if n == a[0] else n, c) for n, c in obj.check_comments))))

    def _row_constants(self, key: Key) -> list[str]:
        """The objects whose stored expressions may hold a row of composite type ``key`` (a
        cast to it, a default of a column of it): such a row keeps the attributes it was made
        with, so an attribute added prints as NULL in it, one dropped is left out."""
        type_text = qualified(key.schema, key.name)
        cast = re.compile(r'(?i)(?:::|\bAS\s+)(?:"?[\w$]+"?\.)?"?' + re.escape(key.name)
                          + r'"?(?![\w$"])')
        found = []
        for o in self.catalog.objects.values():
            if isinstance(o, Column) and o.type in (type_text, type_text + "[]") and o.default:
                found.append(f"{o.key.kind} {o.key.display}")
                continue
            texts = [v for f in dataclasses.fields(o) if f.name != "comment"
                     for v in (getattr(o, f.name),) if isinstance(v, str)]
            if isinstance(o, Index):
                texts += list(o.keys)
            if any(cast.search(t) for t in texts):
                found.append(f"{o.key.kind} {o.key.display}")
        return sorted(found)

    def _typed_tables(self, key: Key) -> list[Table]:
        """The tables ``OF`` a composite type (ALTER TYPE ... CASCADE reaches their columns)."""
        q = qualified(key.schema, key.name)
        return [o for o in self.catalog.of_kind("table") if isinstance(o, Table) and o.of_type == q]

    def _rename_enum_value(self, key: Key, old: str, new: str) -> None:
        """Stored expressions hold a label's oid: its constants print the new name.

        A constant is the enum's where the text says so: all of a default of a column, domain
        or argument of the enum; compared to a column of it (``IN``, ``ANY``, ``CASE x WHEN``),
        to ``VALUE`` in a domain's CHECK, cast to it. Another ``'old'`` string (compared to a
        text column) stays. One whose type the text does not tell is left, and the statement
        reported; a view's query is then undecided (not compared). Expressions of a table
        without a column of the enum are not looked at (only a cast, which the canonical form
        drops, or a function could give them a constant of it).
        See https://www.postgresql.org/docs/current/sql-altertype.html
        """
        types = self._types_over(qualified(key.schema, key.name))
        typed = types | {t + "[]" for t in types}
        casts = frozenset(n.replace('"', "").lower() for t in typed
                          for n in (t, t.split(".", 1)[-1]))
        undecided: list[str] = []
        written = old.replace("'", "''")  # how the label appears in an expression's text

        def ren(text: str | None, columns: dict[str, bool | None], what: str, *,
                whole: bool = False, source: str | None = None) -> str | None:
            if not text or written not in text:
                return text
            out, left = rename_enum_label(text, old, new, columns, casts, whole, source)
            if left:
                undecided.append(what)
            return out

        for t in list(self.catalog.of_kind("table")):
            cols = self.catalog.columns(t.schema, t.name)  # type: ignore[attr-defined]
            kinds: dict[str, bool | None] = {c.name: c.type in typed for c in cols}
            if not any(kinds.values()):
                continue
            for o in self.catalog.on_table(t.schema, t.name):  # type: ignore[attr-defined]
                label = f"{o.key.kind} {o.key.display}"
                if isinstance(o, Column):
                    moved = replace(o, generated=ren(o.generated, kinds, label),
                                    default=ren(o.default, kinds, label, whole=True)
                                    if kinds[o.name] else o.default)
                elif isinstance(o, Constraint) and o.type == "check":
                    moved = replace(o, expression=ren(o.expression, kinds, label))
                elif isinstance(o, Policy):
                    moved = replace(o, using=ren(o.using, kinds, label),
                                    with_check=ren(o.with_check, kinds, label))
                elif isinstance(o, Trigger):
                    moved = replace(o, when=ren(o.when, kinds, label))
                else:
                    continue
                if moved != o:
                    self._put(moved)
            for i in self.catalog.indexes_on(t.schema, t.name):  # type: ignore[attr-defined]
                predicate = ren(i.predicate, kinds, f"index {i.key.display}")
                if predicate != i.predicate:
                    self._put(replace(i, predicate=predicate))
        for d in list(self.catalog.of_kind("domain")):
            if isinstance(d, Domain) and d.type in typed:
                label = f"domain {d.key.display}"
                checks = tuple((n, ren(e, {"value": True}, label) or e) for n, e in d.checks)
                moved = replace(d, default=ren(d.default, {}, label, whole=True), checks=checks)
                if moved != d:
                    self._put(moved)
        for f in list(self.catalog.of_kind("function")):
            if isinstance(f, Function) and " DEFAULT " in f.arguments and written in f.arguments:
                arguments = ", ".join(self._argument_default_renamed(a, typed, ren, f)
                                      for a in top_items(f.arguments))
                if arguments != f.arguments:
                    self._put(replace(f, arguments=arguments))
        for f in list(self.catalog.of_kind("function")):
            if (isinstance(f, Function) and f.body.startswith(("RETURN ", "BEGIN ATOMIC "))
                    and f"'{written}'" in f.body):
                body = body_edited(f.body, lambda e, f=f: ren(
                    e, self._body_kinds(f, e, typed), f"function {f.key.display}") or e)
                if body != f.body:
                    self._put(replace(f, body=body))
        self._view_queries_renamed(written, undecided, lambda v: ren(
            v.query, self._view_column_kinds(v, typed), "", source=v.definition or None))
        if undecided:
            self._diag(f"RENAME VALUE '{written}': whether the '{written}' of "
                       f"{', '.join(sorted(set(undecided)))} is the enum's label the text does "
                       "not tell; left as it was")

    def _body_kinds(self, f: Function, statement: str, typed: set[str]
                    ) -> dict[str, bool | None]:
        """What each name a SQL-standard body's statement reads is: whether a parameter or a
        column of a table it reads is of one of the ``typed`` types (None: a name both are)."""
        from schemadiff.sql.normalize import qualified_relations

        kinds = _argument_kinds(f.arguments, typed)
        for schema, name in qualified_relations(statement):
            key = self._find(("table",), ops.QName(schema, name))
            for c in self.catalog.columns(key.schema, key.name) if key is not None else ():
                of = c.type in typed
                kinds[c.name] = of if kinds.get(c.name, of) == of else None
        return kinds

    def _rename_field(self, key: Key, old: str, new: str) -> None:
        """A composite type's attribute renamed: stored expressions select it by number, so a
        ``(col).old`` of a column of the type prints the new name (checks, generated columns,
        index keys and predicates, policies, trigger ``WHEN``, views). One whose column the
        text does not tell is left and the statement reported; a view's query is then
        undecided (not compared).
        See https://www.postgresql.org/docs/current/sql-altertype.html
        """
        type_text = qualified(key.schema, key.name)
        undecided: list[str] = []

        def ren(text: str | None, columns: dict[str, bool | None], what: str,
                rows: frozenset[str] = frozenset()) -> str | None:
            if not text or old not in text:
                return text
            out, left = rename_field(text, old, new, columns, rows)
            if left:
                undecided.append(what)
            return out

        for t in list(self.catalog.of_kind("table")):
            cols = self.catalog.columns(t.schema, t.name)  # type: ignore[attr-defined]
            kinds: dict[str, bool | None] = {c.name: c.type == type_text for c in cols}
            if not any(kinds.values()):
                continue
            for o in self.catalog.on_table(t.schema, t.name):  # type: ignore[attr-defined]
                label = f"{o.key.kind} {o.key.display}"
                if isinstance(o, Column):
                    moved = replace(o, generated=ren(o.generated, kinds, label))
                elif isinstance(o, Constraint) and o.type == "check":
                    moved = replace(o, expression=ren(o.expression, kinds, label))
                elif isinstance(o, Policy):
                    moved = replace(o, using=ren(o.using, kinds, label),
                                    with_check=ren(o.with_check, kinds, label))
                elif isinstance(o, Trigger):
                    moved = replace(o, when=ren(o.when, kinds, label,
                                                frozenset({"new", "old"})))
                else:
                    continue
                if moved != o:
                    self._put(moved)
            for i in self.catalog.indexes_on(t.schema, t.name):  # type: ignore[attr-defined]
                label = f"index {i.key.display}"
                keys = tuple(ren(k, kinds, label) or k for k in i.keys)
                moved = replace(i, keys=keys, predicate=ren(i.predicate, kinds, label))
                if moved != i:
                    self._put(moved)
        self._view_queries_renamed(old, undecided, lambda v: ren(
            v.query, self._view_column_kinds(v, {type_text}), ""))
        if undecided:
            self._diag(f"RENAME ATTRIBUTE {old}: whether the {old} of "
                       f"{', '.join(sorted(set(undecided)))} selects it from a value of "
                       f"{type_text} the text does not tell; left as it was")

    def _view_queries_renamed(self, old: str, undecided: list[str],
                              edit: Callable[[View], str | None]) -> None:
        """Each view whose query names ``old`` gets ``edit(view)``; one the edit could not
        decide (it added to ``undecided``) is left undecided, not compared."""
        for v in list(self.catalog.of_kind("view")):
            if isinstance(v, View) and v.query is not None and old in v.query:
                before = len(undecided)
                query = edit(v)
                if len(undecided) > before:
                    del undecided[before:]
                    query = None
                if query != v.query:
                    self._put(replace(v, query=query))

    def _types_over(self, type_text: str) -> set[str]:
        """``type_text`` and the domains over it (or over one of them, or over their arrays)."""
        found = {type_text}
        while True:
            more = {qualified(d.schema, d.name) for d in self.catalog.of_kind("domain")
                    if isinstance(d, Domain) and d.type.removesuffix("[]") in found} - found
            if not more:
                return found
            found |= more

    def _view_column_kinds(self, view: View, typed: set[str]) -> dict[str, bool | None]:
        """Column name -> whether it is of one of ``typed``, for the tables a view reads (None
        where two of them give the name different answers; a view read: names missing)."""
        kinds: dict[str, bool | None] = {}
        for name in view.relations:
            key = self._find(("table",), ops.QName(None, name))
            if key is None:
                continue
            for c in self.catalog.columns(key.schema, key.name):
                kind = c.type in typed
                kinds[c.name] = kind if kinds.get(c.name, kind) == kind else None
        return kinds

    @staticmethod
    def _argument_default_renamed(argument: str, typed: set[str],
                                  ren: Callable[..., str | None], f: Function) -> str:
        """``name type DEFAULT x`` of a routine: ``x`` through ``ren`` where the type is one of
        ``typed``."""
        head, sep, default = argument.partition(" DEFAULT ")
        if not sep or not any(head == t or head.endswith(" " + t) for t in typed):
            return argument
        return head + sep + (ren(default, {}, f"function {f.key.display}", whole=True) or default)

    def _rename_type(self, key: Key, obj: Any, schema: str, name: str) -> None:
        self._delete(key)
        self._put(replace(obj, schema=schema, name=name))
        self._retype(qualified(key.schema, key.name), qualified(schema, name))


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.CreateEnum: TypeReplay._op_CreateEnum,
    ops.CreateComposite: TypeReplay._op_CreateComposite,
    ops.CreateDomain: TypeReplay._op_CreateDomain,
    ops.AlterType: TypeReplay._op_AlterType,
}


def _argument_kinds(arguments: str, typed: set[str]) -> dict[str, bool | None]:
    """A routine's named input parameters (``a public.status, OUT n bigint``): whether each
    is of one of the ``typed`` types (what a SQL-standard body's constant compares to)."""
    kinds: dict[str, bool | None] = {}
    for part in top_items(arguments) if arguments.strip() else []:
        words = part.partition(" DEFAULT ")[0].split(" ")
        if words[0] in ("IN", "OUT", "INOUT", "VARIADIC"):
            if words[0] == "OUT":
                continue
            words = words[1:]
        if len(words) > 1:
            kinds[words[0]] = " ".join(words[1:]) in typed
    return kinds


def _typed_value(expression: str, type_text: str) -> str:
    """A domain's CHECK with each constant compared to ``VALUE`` written as the catalog stores
    it cast to the domain's type (``VALUE <> '(1,1)'`` on a numrange is ``VALUE <> 'empty'``)."""
    return typed_constants(expression, {"value": type_text, "VALUE": type_text})
