"""``DROP`` of every kind, and PostgreSQL's cascades: a column's indexes and constraints, a
table's dependent views, inheritors and sequences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Column,
    Constraint,
    Index,
    Key,
    Policy,
    Table,
    Trigger,
    View,
)
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    TypeRef,
    nextval_default,
    qualified,
    referenced_columns,
    referenced_relations,
)
from schemadiff.sql.replay.core import TYPE_KINDS, ReplayState
from schemadiff.sql.replay.text import (
    exclusion_columns,
    index_uses,
    same_index,
    view_reads_column,
)


class DropReplay(ReplayState):
    """The replay of ``DROP`` of every kind, and PostgreSQL's cascades: a column's indexes and
    constraints, a table's dependent views, inheritors and sequences."""

    def _drop_column(self, schema: str, table: str, name: str) -> None:
        self._delete(Key("column", schema, table, name))
        self._identity_dropped(schema, table, name)
        self._column_privileges_moved(schema, table, name, None)
        for o in list(self.catalog.on_table(schema, table)):
            if isinstance(o, Constraint) and (
                name in o.columns or name in o.include
                or (o.expression and name in (exclusion_columns(o.expression)
                                              if o.type == "exclude"
                                              else referenced_columns(o.expression)))
            ):
                self._drop_constraint(o.key)
            elif isinstance(o, Trigger) and any(e.startswith("UPDATE OF") and name in
                                                [c.strip().strip('"') for c in e[10:].split(",")]
                                                for e in o.events):
                self._delete(o.key)
        for o in self.catalog.indexes_on(schema, table):
            if index_uses(o, name):
                self._delete(o.key)
        for o in self.catalog.sequences_owned_by(schema, table):
            if o.owned_by == f"{table}.{name}":
                self._delete(o.key)
        for o in self.catalog.constraints_referencing(f"{schema}.{table}"):
            if name in o.ref_columns:
                self._delete(o.key)

    def _drop_column_dependents(self, schema: str, table: str, column: str) -> None:
        """DROP COLUMN ... CASCADE: the views reading the column go, and theirs, and the
        policies whose expressions name it (what its constraints and indexes do is
        :meth:`_drop_column`'s, cascade or not)."""
        for o in list(self.catalog.of_kind("view")):
            if not (isinstance(o, View) and table in o.relations and o.key in self.catalog):
                continue
            # a column of the table renamed under the view: its text names the old one
            reads = view_reads_column(o.definition, table, column) if o.query else None
            if reads is None:
                self._diag(f'DROP COLUMN {column} CASCADE: whether view "{o.name}" reads the '
                           "column is not modelled; the view is kept")
            elif reads:
                self._drop_table(o.key)
                self._drop_dependent_views(o.name)
                self._drop_type_dependents(qualified(o.schema, o.name))
        for p in list(self.catalog.on_table(schema, table)):
            named = [e for e in (p.using, p.with_check) if e and column in referenced_columns(e)
                     ] if isinstance(p, Policy) else []
            if any("SELECT" in e.upper() for e in named):  # the name may be another table's
                self._diag(f'DROP COLUMN {column} CASCADE: whether policy "{p.name}" reads the '
                           "column is not modelled; the policy is kept")
            elif named:
                self._delete(p.key)

    def _drop_constraint(self, key: Key) -> None:
        con: Constraint = self.catalog.objects[key]  # type: ignore[assignment]
        self._delete(key)
        if con.type in ("primary key", "unique", "check"):
            children = self._children if con.type == "check" else self._partitions
            for part in children(key.schema, key.name):
                for o in list(self.catalog.on_table(part.schema, part.name)):
                    if not (isinstance(o, Constraint) and o.type == con.type):
                        continue
                    if (o.name == con.name if con.type == "check" else o.columns == con.columns):
                        self._drop_constraint(o.key)
        if con.type in ("primary key", "unique") and not self._other_unique(key, con.columns):
            # a foreign key depends on one unique index of the columns it references; while
            # another one remains, the drop succeeded because the key uses that other one
            for o in self.catalog.constraints_referencing(f"{key.schema}.{key.name}"):
                if o.type == "foreign key" and set(o.ref_columns) == set(con.columns):
                    self._delete(o.key)

    def _other_unique(self, key: Key, columns: tuple[str, ...]) -> bool:
        """Whether table ``key`` still has a primary key, unique constraint or plain unique
        index on exactly ``columns`` (one a foreign key on them may use)."""
        cols = set(columns)
        for o in self.catalog.on_table(key.schema, key.name):
            if (isinstance(o, Constraint) and o.type in ("primary key", "unique")
                    and set(o.columns) == cols):
                return True
        return any(i.unique and not i.predicate and {k.strip('"') for k in i.keys} == cols
                   for i in self.catalog.indexes_on(key.schema, key.name))

    def _drop_table(self, key: Key) -> None:
        schema, table = key.schema, key.name
        partitioned = getattr(self.catalog.objects.get(key), "partition_by", None)
        self._delete(key)
        self._identity_dropped(schema, table)
        for o in self.catalog.on_table(schema, table):
            self._delete(o.key)
        for o in self.catalog.indexes_on(schema, table):
            self._delete(o.key)
        for o in self.catalog.sequences_owned_by(schema, table):
            self._delete(o.key)
        qualified_name = f"{schema}.{table}"
        for o in self.catalog.constraints_referencing(qualified_name):
            self._delete(o.key)
        if not partitioned:  # only a partitioned table has partitions (to drop with it)
            return
        for o in list(self.catalog.of_kind("table")):
            if isinstance(o, Table) and o.partition_of == qualified_name:
                self._drop_table(o.key)

    def _op_Drop(self, op: ops.Drop) -> None:
        # the names are looked up before anything is dropped (one performMultipleDeletions):
        # one that an earlier name's cascade took along is not missing
        present = [self._drop_target_exists(op, qn) for qn in op.names] if len(op.names) > 1 else []
        for i, qn in enumerate(op.names):
            if self._is_temp(qn) or self._is_temp(op.on):
                self._temp.discard(qn.name)
                continue
            if present and present[i] and not self._drop_target_exists(op, qn):
                continue
            self._drop_one(op, qn, op.args[i] if i < len(op.args) else None)

    def _drop_target_exists(self, op: ops.Drop, qn: ops.QName) -> bool:
        kinds = {"table": ("table",), "view": ("view",), "materialized view": ("view",),
                 "index": ("index",), "sequence": ("sequence",), "type": TYPE_KINDS,
                 "domain": ("domain",)}.get(op.kind)
        return kinds is not None and self._find(kinds, qn) is not None

    def _drop_one(self, op: ops.Drop, qn: ops.QName, args: tuple[TypeRef, ...] | None) -> None:
        missing = f'{op.kind} "{qn}" does not exist'
        if op.kind in ("trigger", "policy"):
            table = self._find(("table", "view"), op.on) if op.on else None
            key = Key(op.kind, table.schema, table.name, qn.name) if table else None
            if key is None or key not in self.catalog:
                foreign = table is None and self._uncompared_key("relation", op.on) is not None
                if not op.if_exists and not foreign:
                    self._conflict(missing)
                return
            self._delete(key)
            return
        if op.kind in ("function", "procedure"):
            keys = self._functions_named(qn, args)
            if not keys:
                if not op.if_exists:
                    self._conflict(missing)
                return
            for key in keys[:1]:
                self._delete(key)
                fq = f"{key.schema}.{key.name}"
                if op.cascade:
                    for o in list(self.catalog.of_kind("trigger")):
                        if isinstance(o, Trigger) and o.function == fq:
                            self._delete(o.key)
            return
        if op.kind == "schema":
            key = Key("schema", "", qn.name)
            if key not in self.catalog:
                if not op.if_exists:
                    self._conflict(missing)
                return
            for k in [k for k in self.catalog.objects if k.schema == qn.name]:
                if k in self.catalog.objects:
                    if k.kind == "table":
                        self._drop_table(k)
                    else:
                        self._delete(k)
            self._delete(key)
            return
        if op.kind == "extension":
            if qn.name == "plpgsql":
                return
            key = Key("extension", "", qn.name)
            if key not in self.catalog:
                if not op.if_exists:
                    self._conflict(missing)
                return
            self._delete(key)
            return
        kinds = {"table": ("table",), "view": ("view",), "materialized view": ("view",),
                 "index": ("index",), "sequence": ("sequence",), "type": TYPE_KINDS,
                 "domain": ("domain",)}[op.kind]
        key = self._find(kinds, qn)
        if key is None:
            other = self._uncompared_key("type", qn) if op.kind == "type" else None
            if other is not None:
                self._drop_uncompared(other, op.cascade)
            elif not op.if_exists:
                self._conflict(missing)
            return
        if key.kind == "table":
            if op.cascade:
                self._drop_inheritors(key)
            self._drop_table(key)
            if op.cascade:
                self._drop_dependent_views(key.name)
                self._drop_type_dependents(qualified(key.schema, key.name))  # its row type
        elif key.kind == "index":
            self._drop_index(key)
        elif key.kind == "view":
            self._drop_table(key)  # a view goes with its indexes, triggers and comments too
            if op.cascade:
                self._drop_dependent_views(key.name)
                self._drop_type_dependents(qualified(key.schema, key.name))
        else:
            self._delete(key)
            if key.kind == "sequence" and op.cascade:
                self._drop_dependent_views(key.name)  # a view selecting from the sequence
                default = nextval_default(key.name)  # and the defaults drawing on it
                for o in list(self.catalog.of_kind("column")):
                    if (isinstance(o, Column) and o.schema == key.schema and o.default
                            and default in o.default):
                        self._put(replace(o, default=None))
        if key.kind in TYPE_KINDS and op.cascade:
            self._drop_type_dependents(qualified(key.schema, key.name))

    def _drop_inheritors(self, key: Key) -> None:
        """DROP TABLE ... CASCADE: the tables that INHERIT from it go too, and theirs."""
        parent = f"{key.schema}.{key.name}"
        for o in list(self.catalog.of_kind("table")):
            if isinstance(o, Table) and parent in o.inherits and o.key in self.catalog:
                self._drop_inheritors(o.key)
                self._drop_table(o.key)
                self._drop_dependent_views(o.name)

    def _drop_dependent_views(self, name: str) -> None:
        """DROP ... CASCADE: the views reading a dropped relation go, and theirs, transitively.

        Relations are matched by name (the static view model keeps unqualified names).
        """
        for o in list(self.catalog.of_kind("view")):
            if isinstance(o, View) and name in o.relations and o.key in self.catalog:
                self._drop_table(o.key)
                self._drop_dependent_views(o.name)
                self._drop_type_dependents(qualified(o.schema, o.name))  # its row type's uses
        for p in list(self.catalog.of_kind("policy")):  # a policy's subquery reading it
            if isinstance(p, Policy) and any(
                    e and "SELECT" in e.upper() and name in referenced_relations(e)
                    for e in (p.using, p.with_check)):
                self._delete(p.key)

    def _drop_index(self, key: Key) -> None:
        """Drop an index and, on a partitioned table, its copies on the partitions."""
        idx: Index = self.catalog.objects[key]  # type: ignore[assignment]
        self._delete(key)
        for part in self._partitions(idx.schema, idx.table):
            for o in list(self.catalog.of_kind("index")):
                if (isinstance(o, Index) and o.schema == part.schema and o.table == part.name
                        and same_index(o, idx)):
                    self._drop_index(o.key)
                    break


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.Drop: DropReplay._op_Drop,
}
