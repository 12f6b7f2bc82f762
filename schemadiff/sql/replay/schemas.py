"""Schemas and extensions: create, rename (moving every object in it), alter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Constraint,
    Extension,
    Key,
    Schema,
    Table,
    Trigger,
)
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    qualified,
    quote_ident,
)
from schemadiff.sql.replay.core import TYPE_KINDS, ReplayState


class SchemaReplay(ReplayState):
    """The replay of schemas and extensions: create, rename (moving every object in it),
    alter."""

    def _op_CreateSchema(self, op: ops.CreateSchema) -> None:
        key = Key("schema", "", op.name)
        if key in self.catalog:
            if not op.if_not_exists:
                self._conflict(f'schema "{op.name}" already exists')
            self._reassert(key)
            return
        self._put(Schema(op.name))
        if not op.elements:
            return
        # the elements run with the new schema at the front of the search path
        saved = self.search_path
        self.search_path = (op.name, *saved)
        # transformCreateSchemaStmt runs the elements by kind, not as written: sequences,
        # tables, views, indexes, triggers, then grants
        rank = {"CreateSequence": 0, "CreateTable": 1, "CreateTableAs": 1, "CreateView": 2,
                "CreateIndex": 3, "CreateTrigger": 4}
        try:
            for element in sorted(op.elements, key=lambda e: rank.get(type(e).__name__, 5)):
                self._dispatch(element)
        finally:
            self.search_path = saved

    def _op_RenameSchema(self, op: ops.RenameSchema) -> None:
        """Every object of the schema moves; what names them by oid prints the new name."""
        key = Key("schema", "", op.old)
        if key not in self.catalog:
            self._conflict(f'schema "{op.old}" does not exist')
            return
        if Key("schema", "", op.new) in self.catalog:
            self._conflict(f'schema "{op.new}" already exists')
            return
        schema_obj = self.catalog.objects[key]
        self._delete(key)
        self._moving = True
        self._put(replace(schema_obj, name=op.new))  # type: ignore[type-var]
        self._moved(key, Key("schema", "", op.new))
        self._privileges_moved(key, Key("schema", "", op.new))
        self._default_acl_moved(op.old, op.new)
        moved = [o for o in list(self.catalog) if getattr(o, "schema", None) == op.old
                 and o.KIND != "extension"]
        for o in moved:
            self._delete(o.key)
        for o in moved:
            self._put(replace(o, schema=op.new))  # type: ignore[type-var]
            self._moved(o.key, replace(o, schema=op.new).key, carried=True)
            self._privileges_moved(o.key, replace(o, schema=op.new).key)
            if o.KIND in ("table", "view", "sequence"):
                self._view_sources_moved((op.old, o.name), (op.new, o.name))  # type: ignore[attr-defined]
        self._moving = False
        old_q, new_q = f"{op.old}.", f"{op.new}."
        def moved_ref(ref: str | None) -> str | None:
            return new_q + ref[len(old_q):] if ref and ref.startswith(old_q) else ref
        for o in list(self.catalog):
            if isinstance(o, Constraint) and o.ref_table and o.ref_table.startswith(old_q):
                self._put(replace(o, ref_table=moved_ref(o.ref_table)))
            elif isinstance(o, Table) and (o.partition_of or o.inherits or o.of_type):
                typed = quote_ident(op.old) + "."
                of_type = (quote_ident(op.new) + "." + o.of_type[len(typed):]
                           if o.of_type and o.of_type.startswith(typed) else o.of_type)
                self._put(replace(o, partition_of=moved_ref(o.partition_of), of_type=of_type,
                                  inherits=tuple(moved_ref(p) or p for p in o.inherits)))
            elif isinstance(o, Trigger) and o.function.startswith(old_q):
                self._put(replace(o, function=moved_ref(o.function) or o.function))
            elif isinstance(o, Extension) and o.schema == op.old:
                self._put(replace(o, schema=op.new))
        for space, schema, name in list(self._uncompared):
            if schema == op.old:
                self._uncompared.discard((space, schema, name))
                self._uncompared.add((space, op.new, name))
                if space == "relation":
                    self._view_sources_moved((op.old, name), (op.new, name))
        type_names = {o.name for o in moved if o.KIND in (*TYPE_KINDS, "table", "view")}
        type_names |= {n for sp, sc, n in self._uncompared if sp == "type" and sc == op.new}
        for name in sorted(type_names):
            self._retype(qualified(op.old, name), qualified(op.new, name))

    def _op_CreateExtension(self, op: ops.CreateExtension) -> None:
        if op.name == "plpgsql":
            return  # in every database from template1; pg_dump leaves it out
        key = Key("extension", "", op.name)
        if key in self.catalog:
            if not op.if_not_exists:
                self._conflict(f'extension "{op.name}" already exists')
            self._reassert(key)
            return
        self._put(Extension(op.name, op.schema or self._path()[0], op.version))

    def _op_AlterExtension(self, op: ops.AlterExtension) -> None:
        key = Key("extension", "", op.name)
        obj = self.catalog.objects.get(key)
        if not isinstance(obj, Extension):
            if op.name != "plpgsql":
                self._conflict(f'extension "{op.name}" does not exist')
            return
        if op.update:  # UPDATE without TO: the default version, which the text does not say
            self._put(replace(obj, version=op.version))
        elif op.set_schema:
            self._put(replace(obj, schema=op.set_schema))


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.CreateSchema: SchemaReplay._op_CreateSchema,
    ops.RenameSchema: SchemaReplay._op_RenameSchema,
    ops.CreateExtension: SchemaReplay._op_CreateExtension,
    ops.AlterExtension: SchemaReplay._op_AlterExtension,
}
