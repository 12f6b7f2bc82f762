"""Objects the model does not compare (foreign tables, shell and base types): remembered by
name so that statements naming them resolve, and dropped with what depends on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Column,
    CompositeType,
    Domain,
    Function,
    Key,
    Table,
)
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    qualified,
)
from schemadiff.sql.replay.core import ReplayState
from schemadiff.sql.replay.text import partition_key_columns


class UncomparedReplay(ReplayState):
    """The replay of objects the model does not compare (foreign tables, shell and base types):
    remembered by name so that statements naming them resolve, and dropped with what depends on
    them."""

    def _op_Uncompared(self, op: ops.Uncompared) -> None:
        if not op.space:
            return
        for qn in op.names:
            if op.action == "create":
                self._uncompared.add((op.space, self._creation_schema(qn.schema), qn.name))
                continue
            found = self._uncompared_key(op.space, qn)
            if found is None:
                continue
            space, schema, name = found
            if op.action == "drop":
                self._drop_uncompared(found, op.cascade)
            elif op.action in ("rename", "set_schema"):
                moved = (schema, op.new) if op.action == "rename" else (op.new, name)
                self._uncompared.discard(found)
                self._uncompared.add((space, *moved))
                if space == "relation":
                    self._view_sources_moved((schema, name), moved)

    def _op_CreateRange(self, op: ops.CreateRange) -> None:
        subtype = self._type_text(op.subtype, keep_modifiers=False)
        for qn, multi in ((op.name, False), (op.multirange, True)):
            schema = self._creation_schema(qn.schema)
            self._uncompared.add(("type", schema, qn.name))
            self._ranges[(schema, qn.name)] = (subtype, op.discrete, multi)

    def _uncompared_key(self, space: str, qn: ops.QName | None) -> tuple[str, str, str] | None:
        """An uncompared object of that name (through the search path), or None."""
        if qn is None or not self._uncompared:
            return None
        for schema in (qn.schema,) if qn.schema else self._path():
            if (space, schema, qn.name) in self._uncompared:
                return (space, schema, qn.name)
        return None

    def _drop_uncompared(self, found: tuple[str, str, str], cascade: bool) -> None:
        self._uncompared.discard(found)
        space, schema, name = found
        if space == "type" and cascade:
            self._drop_type_dependents(qualified(schema, name))
        elif space == "relation" and cascade:  # tables inheriting from the foreign table
            self._drop_inheritors(Key("table", schema, name))

    def _drop_type_dependents(self, type_text: str) -> None:
        """DROP TYPE ... CASCADE: the columns of that type (or its arrays) and the functions
        taking or returning it go with it."""
        def uses(t: str) -> bool:
            t = t.removeprefix("SETOF ")
            return t == type_text or t.startswith(type_text + "[")

        for t in list(self.catalog.of_kind("table")):
            if isinstance(t, Table) and t.of_type == type_text and t.key in self.catalog:
                self._drop_table(t.key)  # a typed table goes with its type
        for o in list(self.catalog.of_kind("column")):
            if isinstance(o, Column) and o.type and uses(o.type) and o.key in self.catalog:
                t = self.catalog.objects.get(Key("table", o.schema, o.table))
                if isinstance(t, Table) and t.partition_by and o.name in partition_key_columns(
                        t.partition_by):
                    self._drop_table(t.key)  # a partition key column takes its table along
                else:
                    self._drop_column(o.schema, o.table, o.name)
                    self._drop_column_dependents(o.schema, o.table, o.name)
        for d in list(self.catalog.of_kind("domain")):
            if isinstance(d, Domain) and uses(d.type) and d.key in self.catalog:
                self._delete(d.key)  # a domain over it, and what is of that domain
                self._drop_type_dependents(qualified(d.schema, d.name))
        for c in list(self.catalog.of_kind("composite")):
            if isinstance(c, CompositeType) and c.key in self.catalog:
                kept = tuple(a for a in c.attributes_ if not uses(a[1]))
                if kept != c.attributes_:  # a composite's attribute of it is dropped
                    names = {a[0] for a in kept}
                    self._put(replace(c, attributes_=kept, attribute_comments=tuple(
                        e for e in c.attribute_comments if e[0] in names)))
        for f in list(self.catalog.of_kind("function")):
            if isinstance(f, Function) and (
                    any(uses(a) for a in f.identity_args.split(", ")) or uses(f.returns or "")):
                self._delete(f.key)


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.Uncompared: UncomparedReplay._op_Uncompared,
    ops.CreateRange: UncomparedReplay._op_CreateRange,
}
