"""``ALTER TABLE``: each action, recursed to partitions and inheritors as PostgreSQL does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Column,
    Constraint,
    Index,
    Key,
    Table,
)
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    altered_storage_options,
    normalize_expression,
    referenced_columns,
    storage_options,
    type_storage,
)
from schemadiff.sql.replay.core import ReplayConflict, ReplayState
from schemadiff.sql.replay.text import bound_check, bound_implied, fold_self_cast, typed_constants


class AlterTableReplay(ReplayState):
    """The replay of ``ALTER TABLE``: each action, recursed to partitions and inheritors as
    PostgreSQL does."""

    def _op_AlterTable(self, op: ops.AlterTable) -> None:
        if self._is_temp(op.name):
            for action in op.actions:  # a temporary table renamed keeps shadowing
                if isinstance(action, ops.RenameTo):
                    self._temp.discard(op.name.name)
                    self._temp.add(action.new)
            return
        kinds = {"table": ("table", "view", "sequence", "index"), "view": ("view",),
                 "materialized view": ("view",)}.get(op.relkind, ("table",))
        key = self._find(kinds, op.name)
        if key is None:
            foreign = self._uncompared_key("relation", op.name)
            if foreign is not None:  # a foreign table: only its name is kept
                for action in op.actions:
                    if isinstance(action, ops.RenameTo):
                        self._op_Uncompared(ops.Uncompared(
                            "uncompared", names=(op.name,), space="relation", action="rename",
                            new=action.new))
                    elif isinstance(action, ops.SetSchema):
                        self._op_Uncompared(ops.Uncompared(
                            "uncompared", names=(op.name,), space="relation",
                            action="set_schema", new=action.schema))
                return
            if not op.if_exists:
                self._conflict(f'relation "{op.name}" does not exist')
            return
        if key.kind != "table":
            for action in op.actions:
                if isinstance(action, ops.RenameTo):
                    self._rename_relation(key, key.schema, action.new)
                elif isinstance(action, ops.SetSchema):
                    self._rename_relation(key, action.schema, key.name)
                elif isinstance(action, ops.RenameColumn) and key.kind == "view":
                    self._view_column_renamed(key, action)
                elif isinstance(action, ops.SetRelOptions) and key.kind == "view":
                    self._view_options(key, action)
                elif (isinstance(action, ops.AlterColumn) and key.kind == "view"
                      and action.what == "default"):
                    self._view_default(key, action)  # type: ignore[attr-defined]
            return
        pending: list[ops.ConstraintDef] = []
        schema, table = key.schema, key.name
        for action in op.actions:
            if isinstance(action, ops.RenameTo):
                self._rename_relation(Key("table", schema, table), schema, action.new)
                table = action.new
            elif isinstance(action, ops.SetSchema):
                self._rename_relation(Key("table", schema, table), action.schema, table)
                schema = action.schema
            else:
                dropped = (self.catalog.objects.get(Key("column", schema, table, action.name))
                           if isinstance(action, ops.DropColumn) and op.only else None)
                self._only_action = op.only
                pending += self._table_action(schema, table, action)
                if not op.only:
                    self._recurse_to_partitions(schema, table, action)
                elif isinstance(dropped, Column):
                    self._localize(schema, table, dropped)
        self._add_constraints(schema, table, pending, recurse=not op.only)

    def _recurse_to_partitions(self, schema: str, table: str, a: ops.Action) -> None:
        """Column changes on a partitioned table reach its partitions.

        ADD / DROP / RENAME COLUMN and ALTER COLUMN TYPE / DEFAULT / NOT NULL recurse, as in
        PostgreSQL without ``ONLY``; the parent's column is already changed.
        """
        for part in self._children(schema, table):
            ps, pt = part.schema, part.name
            if isinstance(a, ops.AddColumn):
                parent_col = self.catalog.objects.get(Key("column", schema, table, a.column.name))
                mine = Key("column", ps, pt, a.column.name)
                if parent_col is not None and mine not in self.catalog:
                    self._put(replace(parent_col, schema=ps, table=pt, comment=None,  # type: ignore[type-var]
                                      position=self._next_position(ps, pt)))
            elif isinstance(a, ops.DropColumn):
                if Key("column", ps, pt, a.name) in self.catalog:
                    if a.cascade:
                        self._drop_column_dependents(ps, pt, a.name)
                    self._drop_column(ps, pt, a.name)
            elif isinstance(a, ops.RenameColumn):
                if Key("column", ps, pt, a.old) in self.catalog:
                    self._rename_column(ps, pt, a.old, a.new)
            elif isinstance(a, ops.RenameConstraint):
                # a CHECK is inherited by name, and renamed in the partitions with the parent's
                # (rename_constraint_internal); an index-backed or foreign key one is not
                parent_con = self.catalog.objects.get(Key("constraint", schema, table, a.new))
                mine = self.catalog.objects.get(Key("constraint", ps, pt, a.old))
                if not (isinstance(parent_con, Constraint) and parent_con.type == "check"
                        and not parent_con.no_inherit and isinstance(mine, Constraint)
                        and mine.type == "check"):
                    continue
                self._delete(mine.key)
                self._put(replace(mine, name=a.new))
            elif isinstance(a, ops.AlterColumn) and a.what in ("type", "default", "not_null",
                                                                "statistics", "storage"):
                parent_col = self.catalog.objects.get(Key("column", schema, table, a.name))
                child = self.catalog.objects.get(Key("column", ps, pt, a.name))
                if parent_col is not None and child is not None:
                    fields = {"type": ("type", "collation", "default", "storage", "compression"),
                              "default": ("default",), "not_null": ("not_null",),
                              "statistics": ("statistics",), "storage": ("storage",)}[a.what]
                    self._put(replace(child, **{f: getattr(parent_col, f) for f in fields}))  # type: ignore[type-var]
            self._recurse_to_partitions(ps, pt, a)
        if isinstance(a, (ops.RenameColumn, ops.AlterColumn)):
            self._recurse_to_inheritors(schema, table, a)
        if isinstance(a, ops.DropColumn):
            self._forget_inherited_default(schema, table, a.name, a.cascade)

    def _forget_inherited_default(self, schema: str, table: str, column: str,
                                  cascade: bool = False) -> None:
        """A column dropped from a parent leaves its inheritors (their own default, comment
        and NOT NULL of it, their indexes, constraints and column privileges on it, and with
        CASCADE what else reads it), but where it is their own too."""
        for child in self._inheritors(schema, table):
            if Key("column", child.schema, child.name, column) in self.catalog:
                continue
            self._inherited_entries_dropped(child, column)
            if cascade:
                self._drop_column_dependents(child.schema, child.name, column)
            self._drop_column(child.schema, child.name, column)
            self._forget_inherited_default(child.schema, child.name, column, cascade)

    def _localize(self, schema: str, table: str, dropped: Column) -> None:
        """ALTER TABLE ONLY parent DROP COLUMN: the inheriting tables keep the column, now
        their own (it was inherited only: the model did not hold it)."""
        for child in self._inheritors(schema, table):
            if Key("column", child.schema, child.name, dropped.name) not in self.catalog:
                # what it had: its own default, comment and NOT NULL, else the parent's
                nn = dict(child.inherited_not_null).get(
                    dropped.name, dropped.not_null and not dropped.not_null_no_inherit)
                self._put(replace(
                    dropped, schema=child.schema, table=child.name,
                    comment=dict(child.inherited_comments).get(dropped.name),
                    default=dict(child.inherited_defaults).get(dropped.name, dropped.default),
                    not_null=nn, not_null_no_inherit=False, identity=None, identity_options=(),
                    position=self._next_position(child.schema, child.name)))
                self._inherited_entries_dropped(child, dropped.name)

    def _recurse_to_inheritors(self, schema: str, table: str, a: ops.Action,
                               source: Column | None = None) -> None:
        """RENAME COLUMN and ALTER COLUMN TYPE / DEFAULT / NOT NULL reach the columns of
        inheriting tables that are their own as well (merged with the inherited one): those
        are the child's columns the model holds (an inherited-only one stays the parent's)."""
        name = a.old if isinstance(a, ops.RenameColumn) else a.name  # type: ignore[attr-defined]
        if source is None and isinstance(a, ops.AlterColumn):
            source = self.catalog.objects.get(Key("column", schema, table, name))  # type: ignore[assignment]
        for child in self._inheritors(schema, table):
            cs, ct = child.schema, child.name
            col: Column | None = self.catalog.objects.get(Key("column", cs, ct, name))  # type: ignore[assignment]
            if col is None and isinstance(a, ops.RenameColumn):  # inherited only
                self._column_references_renamed(cs, ct, a.old, a.new)
                self._inherited_entries_renamed(
                    self.catalog.objects[child.key], a.old, a.new)  # type: ignore[arg-type]
            elif col is not None:
                if isinstance(a, ops.RenameColumn):
                    self._rename_column(cs, ct, a.old, a.new)
                elif isinstance(a, ops.AlterColumn) and source is not None:
                    if a.what == "type":
                        self._put(replace(col, type=source.type, collation=source.collation,
                                          default=self._stored_default(col.default, source.type),
                                          storage="default", compression="default"))
                    elif a.what in ("statistics", "storage"):
                        self._put(replace(col, **{a.what: getattr(source, a.what)}))  # type: ignore[arg-type]
                    elif a.what == "default":
                        self._put(replace(col, default=source.default))
                    elif a.what == "not_null":
                        self._put(replace(col, not_null=source.not_null))
            self._recurse_to_inheritors(cs, ct, a, source)

    def _set_inherit(self, schema: str, table: str, a: ops.SetInherit) -> None:
        """``INHERIT p`` adds a parent (the child's columns stay its own); ``NO INHERIT p``
        removes it, and what the child inherited only from it becomes its own."""
        parent = self._table(a.parent)
        q = f"{parent.schema}.{parent.name}"
        t: Table = self.catalog.objects[Key("table", schema, table)]  # type: ignore[assignment]
        if not a.remove:
            self._refuse_cycle(parent, schema, table)
            self._any_inherits = True
            # its columns (all its own: the parent's must be among them) keep their order
            order = t.column_order or tuple(c.name for c in self._table_columns(t))
            self._put(replace(t, inherits=(*t.inherits, q), column_order=order))
            return
        before = {c.name: c for c in self._table_columns(t)}
        t = replace(t, inherits=tuple(p for p in t.inherits if p != q))
        self._put(t)
        still = {c.name for p in t.inherits for c in self._table_columns(self._table(
            ops.QName(*p.split(".", 1))))}
        for pc in self._table_columns(parent):
            name = pc.name
            if Key("column", schema, table, name) in self.catalog:
                continue
            if name in still:  # inherited from another parent yet: it keeps what it had
                self._set_inherited_default(self.catalog.objects[t.key], name,  # type: ignore[arg-type]
                                            before[name].default)
                self._set_inherited_not_null(t.key, name, before[name].not_null)
                continue
            # its own now, with the default, comment and NOT NULL it had
            self._inherited_entries_dropped(self.catalog.objects[t.key], name)  # type: ignore[arg-type]
            self._put(replace(before[name], position=self._next_position(schema, table)))
        # the CHECKs it inherited from the parent (the parent's own and those the parent
        # inherits) are its own now, unless another parent gives them yet
        kept = {o.name for p in t.inherits for o in self._table_checks(self._table(
            ops.QName(*p.split(".", 1)))) if not o.no_inherit}
        for o in self._table_checks(parent):
            if (not o.no_inherit and o.name not in kept
                    and Key("constraint", schema, table, o.name) not in self.catalog):
                self._put(replace(o, schema=schema, table=table, comment=None,
                                  validated=o.enforced and o.name not in t.unvalidated_checks))

    def _table_action(self, schema: str, table: str, a: ops.Action) -> list[ops.ConstraintDef]:
        if isinstance(a, ops.AddColumn):
            if Key("column", schema, table, a.column.name) in self.catalog:
                if not a.if_not_exists:
                    self._conflict(f'column "{a.column.name}" of relation "{table}" already exists')
                self._reassert(Key("column", schema, table, a.column.name))
                return []
            pending = self._add_column(schema, table, a.column,
                                       self._next_position(schema, table))
            self._column_order_added(schema, table, a.column.name)  # type: ignore[attr-defined]
            return pending
        if isinstance(a, ops.AddConstraint):
            return [a.constraint]
        if isinstance(a, ops.DropColumn):
            key = Key("column", schema, table, a.name)
            if key not in self.catalog:
                if not a.if_exists:
                    self._conflict(f'column "{a.name}" of relation "{table}" does not exist')
                self._reassert(key)
                return []
            if a.cascade:
                self._drop_column_dependents(schema, table, a.name)
            self._drop_column(schema, table, a.name)
            if self._gone_views:
                self._reassert_gone_readers(table, a.name)
            return []
        if isinstance(a, ops.DropConstraint):
            key = Key("constraint", schema, table, a.name)
            if key not in self.catalog:
                column = self._not_null_column(schema, table, a.name)
                if column is not None:  # PostgreSQL 18: dropping it drops the NOT NULL
                    col = self.catalog.objects[Key("column", schema, table, column)]
                    self._put(replace(col, not_null=False,  # type: ignore[type-var]
                                      not_null_validated=True, not_null_no_inherit=False))
                elif not a.if_exists:
                    self._conflict(f'constraint "{a.name}" of relation "{table}" does not exist')
                else:
                    self._reassert(key)
                return []
            self._drop_constraint(key)
            return []
        if isinstance(a, ops.ValidateConstraint):
            key = Key("constraint", schema, table, a.name)
            obj = self.catalog.objects.get(key)
            if obj is not None:
                self._put(replace(obj, validated=True))  # type: ignore[type-var]
                self._checks_validated(schema, table, a.name, True)  # recursing
            elif a.name in getattr(self.catalog.objects.get(Key("table", schema, table)),
                                   "unvalidated_checks", ()):
                # an inherited CHECK validated on the child (and what inherits it from there)
                t = self.catalog.objects[Key("table", schema, table)]
                self._put(replace(t, unvalidated_checks=tuple(  # type: ignore[type-var]
                    m for m in t.unvalidated_checks if m != a.name)))  # type: ignore[attr-defined]
                self._checks_validated(schema, table, a.name, True)
            elif (column := self._not_null_column(schema, table, a.name)) is not None:
                col = self.catalog.objects[Key("column", schema, table, column)]
                self._put(replace(col, not_null_validated=True))  # type: ignore[type-var]
            elif any(not c.not_null_validated for c in self.catalog.columns(schema, table)):
                # a NOT NULL named after the table or column before a rename: not held
                self._diag(f"VALIDATE CONSTRAINT {a.name}: which NOT VALID NOT NULL of "
                           f'"{table}" it names is not modelled')
            return []
        if isinstance(a, ops.AlterColumn):
            self._alter_column(schema, table, a)
            return []
        if isinstance(a, ops.RenameColumn):
            self._rename_column(schema, table, a.old, a.new)
            return []
        if isinstance(a, ops.RenameConstraint):
            key = Key("constraint", schema, table, a.old)
            obj = self.catalog.objects.get(key)
            self._unvalidated_renamed(schema, table, a.old, a.new)
            if obj is None:
                column = self._not_null_column(schema, table, a.old)
                if column is not None:  # a PostgreSQL 18 NOT NULL constraint (a column flag)
                    self._not_null_names.pop((schema, table, a.old), None)
                    self._not_null_names[(schema, table, a.new)] = column
                    return []
                self._conflict(f'constraint "{a.old}" of relation "{table}" does not exist')
                return []
            self._rename_index_like(key, replace(obj, name=a.new), table)  # type: ignore[type-var]
            return []
        if isinstance(a, ops.SetTableFlag):
            if a.flag != "noop":
                t = self.catalog.objects[Key("table", schema, table)]
                self._put(replace(t, **{a.flag: a.value}))  # type: ignore[type-var]
            if a.flag == "persistence":  # the sequences its columns own follow (15)
                for seq in self.catalog.sequences_owned_by(schema, table):
                    self._put(replace(seq, persistence=a.value))  # type: ignore[arg-type]
            return []
        if isinstance(a, ops.SetAccessMethod):  # DEFAULT: the session's (17)
            t = self.catalog.objects[Key("table", schema, table)]
            method = a.method or self._access_method(None, t.partition_by)  # type: ignore[attr-defined]
            self._put(replace(t, access_method=method))  # type: ignore[type-var]
            return []
        if isinstance(a, ops.SetRelOptions):  # a table's storage parameters
            t = self.catalog.objects[Key("table", schema, table)]
            options = altered_storage_options(t.options, a.options, a.reset)  # type: ignore[attr-defined]
            self._put(replace(t, options=options))  # type: ignore[type-var]
            self._toast_kept(t.key)  # type: ignore[attr-defined]
            return []
        if isinstance(a, ops.SetTriggerState):
            self._trigger_state_set(schema, table, a.trigger, a.state,
                                    getattr(self, "_only_action", False))
            if a.trigger == "ALL":  # the internal ones too: its constraints' triggers
                self._constraint_triggers_set(schema, table, a.state == "D")
            return []
        if isinstance(a, ops.SetInherit):
            self._set_inherit(schema, table, a)
            return []
        if isinstance(a, ops.SetOfType):
            t = self.catalog.objects[Key("table", schema, table)]
            self._put(replace(t, of_type=self._type_text(a.type) if a.type else None))  # type: ignore[type-var]
            return []
        if isinstance(a, ops.AttachPartition):
            if self._uncompared_key("relation", a.partition) is not None:
                return []  # a foreign table partition
            part = self._table(a.partition)
            if a.detach:
                self._put(replace(part, partition_of=None, partition_bound=None))
                self._trigger_states_pruned()  # its clones of its parent's triggers go
                for fk in self._attached_fks.pop(part.key, []):
                    self._put(fk)
                self._foreign_keys_kept(schema, table, part)
                parent = self.catalog.objects.get(Key("table", schema, table))
                if a.concurrently and isinstance(parent, Table):
                    self._keep_bound(parent, part)
            else:
                parent_table: Table = self.catalog.objects[Key("table", schema, table)]  # type: ignore[assignment]
                self._refuse_cycle(parent_table, part.schema, part.name)
                self._put(replace(part, partition_of=f"{schema}.{table}",
                                  partition_bound=self._typed_bound(parent_table, a.bound)))
                parent = self.catalog.objects[Key("table", schema, table)]
                self._inherit_partition_indexes(parent, self.catalog.objects[part.key])  # type: ignore[arg-type]
                for fk in self._ancestor_foreign_keys(schema, table):
                    self._foreign_key_attached(fk, part)
            return []
        raise ReplayConflict(f"no replay for {type(a).__name__}")

    def _ancestor_foreign_keys(self, schema: str, table: str) -> list[Constraint]:
        """The foreign keys of ``schema.table`` and of the tables it is a partition of."""
        out: list[Constraint] = []
        ancestor = self.catalog.objects.get(Key("table", schema, table))
        seen: set[Key] = set()
        while isinstance(ancestor, Table) and ancestor.key not in seen:
            seen.add(ancestor.key)
            out += [o for o in self.catalog.on_table(ancestor.schema, ancestor.name)
                    if isinstance(o, Constraint) and o.type == "foreign key"]
            up = ancestor.partition_of
            ancestor = (self.catalog.objects.get(Key("table", *up.split(".", 1)))
                        if up else None)
        return out

    def _foreign_key_attached(self, fk: Constraint, part: Table) -> None:
        """A partition's own foreign key equal to its new parent's ``fk`` is attached to it
        (tryAttachPartitionForeignKey): not compared while the partition is attached, its own
        again when detached; its sub-partitions' too."""
        for c in list(self.catalog.on_table(part.schema, part.name)):
            if isinstance(c, Constraint) and c.type == "foreign key" and _same_foreign_key(c, fk):
                self._attached_fks.setdefault(part.key, []).append(c)
                self._delete(c.key)
                break
        for sub in self._partitions(part.schema, part.name):
            self._foreign_key_attached(fk, sub)

    def _foreign_keys_kept(self, schema: str, table: str, part: Table) -> None:
        """``DETACH PARTITION``: the foreign keys the partition had from its parent and the
        parent's ancestors (their clones, not compared while attached) become its own, under
        their names."""
        ancestor = self.catalog.objects.get(Key("table", schema, table))
        seen: set[Key] = set()
        while isinstance(ancestor, Table) and ancestor.key not in seen:
            seen.add(ancestor.key)
            own = [c for c in self.catalog.on_table(part.schema, part.name)
                   if isinstance(c, Constraint) and c.type == "foreign key"]
            for o in self.catalog.on_table(ancestor.schema, ancestor.name):
                if isinstance(o, Constraint) and o.type == "foreign key":
                    key = Key("constraint", part.schema, part.name, o.name)
                    # a partition's own equal foreign key was attached to the parent's, not
                    # cloned (tryAttachPartitionForeignKey): it stays, under its own name
                    if key not in self.catalog and not any(_same_foreign_key(c, o) for c in own):
                        self._put(replace(o, schema=part.schema, table=part.name, comment=None))
            up = ancestor.partition_of
            ancestor = (self.catalog.objects.get(Key("table", *up.split(".", 1)))
                        if up else None)

    def _alter_column(self, schema: str, table: str, a: ops.AlterColumn) -> None:
        key = Key("column", schema, table, a.name)
        col: Column | None = self.catalog.objects.get(key)  # type: ignore[assignment]
        if a.what == "constraint_deferral":
            ckey = Key("constraint", schema, table, a.name)
            con = self.catalog.objects.get(ckey)
            column = None if con is not None else self._not_null_column(schema, table, a.name)
            if column is not None and "no_inherit" in a.value:  # type: ignore[operator]
                # PostgreSQL 18: ALTER CONSTRAINT of a NOT NULL sets its [NO] INHERIT
                nn = self.catalog.objects[Key("column", schema, table, column)]
                self._put(replace(nn, not_null_no_inherit=a.value["no_inherit"]))  # type: ignore
            if con is not None:
                d: dict[str, Any] = a.value  # type: ignore[assignment]
                d = {k: v for k, v in d.items() if k in ("deferrable", "initially_deferred")}
                if "not_enforced" in a.value:  # type: ignore[operator]
                    # PostgreSQL 18: ENFORCED validates it, NOT ENFORCED leaves it unvalidated
                    enforced = not a.value["not_enforced"]  # type: ignore[index]
                    d.update(enforced=enforced, validated=enforced)
                    if enforced != con.enforced:  # its triggers made anew, or dropped
                        d.update(disabled_triggers=())
                self._put(replace(con, **d))  # type: ignore[type-var]
            return
        if col is None:
            if self._inherited_column(schema, table, a.name):
                # a default or NOT NULL of a column the table inherits only (pg_dump's ALTER
                # TABLE ONLY child ALTER COLUMN x SET DEFAULT / SET NOT NULL): the table's own
                # where not its parent's
                if a.what == "not_null":
                    heirs = self._not_null_heirs(schema, table, a.name)
                    self._only_not_null_said(table, a, heirs)
                    self._set_inherited_not_null(Key("table", schema, table), a.name,
                                                 bool(a.value))
                    self._not_null_followed(heirs, a.name, bool(a.value),
                                            getattr(self, "_only_action", False))
                if a.what == "default":
                    t: Table = self.catalog.objects[Key("table", schema, table)]  # type: ignore[assignment]
                    _, before = self._inherited_default(t, a.name)
                    source = next(c for c in self._inherited_columns(t) if c.name == a.name)
                    self._set_inherited_default(t, a.name, self._stored_default(
                        a.value, source.type))  # type: ignore[arg-type]
                    self._inherited_default_changed(schema, table, a.name, before,
                                                    getattr(self, "_only_action", False))
                return
            self._conflict(f'column "{a.name}" of relation "{table}" does not exist')
            return
        if a.what == "type":
            t, collation, _using = a.value  # type: ignore[misc]
            type_text = self._type_text(t)
            # without COLLATE the column takes the new type's default collation
            # its storage is the new type's own (its statistics target stays)
            # and its compression is none (as PostgreSQL 15 to 18 do)
            self._put(replace(col, type=type_text, collation=self._collation(collation),
                              default=self._stored_default(col.default, type_text),
                              storage="default", compression="default",
                              identity_options=self._identity_options(  # type: ignore[attr-defined]
                                  col.type, col.identity_options, None, retype=type_text)
                              if col.identity else ()))
            self._fold_self_casts(schema, table, a.name, type_text)
        elif a.what == "statistics":
            self._put(replace(col, statistics=a.value))  # type: ignore[arg-type]
        elif a.what == "compression":  # not recursed to partitions nor inheritors
            self._put(replace(col, compression=a.value))  # type: ignore[arg-type]
        elif a.what == "options":  # not recursed, nor copied to new partitions
            given, reset = a.value  # type: ignore[misc]
            pairs = dict(o.partition("=")[::2] for o in col.options)
            for name, value in given:
                if reset:
                    pairs.pop(name.lower(), None)
                else:
                    pairs[name.lower()] = value
            self._put(replace(col, options=storage_options(pairs.items())))  # type: ignore[arg-type]
        elif a.what == "storage":
            own = type_storage(col.type)  # SET STORAGE DEFAULT (16): the type's own
            storage = "default" if a.value in ("default", own) else None if own is None \
                else a.value
            self._put(replace(col, storage=storage))  # type: ignore[arg-type]
        elif a.what == "default":
            self._put(replace(col, default=self._stored_default(a.value, col.type)))  # type: ignore[arg-type]
            self._inherited_default_changed(schema, table, a.name, col.default,
                                            getattr(self, "_only_action", False))
        elif a.what == "not_null":
            # SET NOT NULL validates a NOT VALID one; DROP NOT NULL drops it
            heirs = self._not_null_heirs(schema, table, a.name)
            if not col.not_null:
                self._only_not_null_said(table, a, heirs)
            self._put(replace(col, not_null=bool(a.value), not_null_validated=True,
                              not_null_no_inherit=col.not_null_no_inherit and bool(a.value)))
            self._not_null_followed(heirs, a.name, bool(a.value),
                                    getattr(self, "_only_action", False))
        elif a.what == "identity":
            options = () if a.value is None else self._identity_options(  # type: ignore[attr-defined]
                col.type, (), a.options, fresh=True)
            self._put(replace(col, identity=a.value, not_null=col.not_null or a.value is not None,  # type: ignore[arg-type]
                              identity_options=options))
            if a.value is None:
                self._identity_dropped(schema, table, a.name)
            else:
                self._identity_added(schema, table, a.name, a.sequence)
        elif a.what == "identity_kind":
            self._put(replace(col, identity=a.value))  # type: ignore[arg-type]
        elif a.what == "identity_options":  # SET INCREMENT BY 5 [SET GENERATED ...]
            if col.identity is None:
                self._conflict(f'column "{a.name}" of relation "{table}" is not an identity '
                               "column")
                return
            self._put(replace(col, identity=a.value or col.identity,  # type: ignore[arg-type]
                              identity_options=self._identity_options(  # type: ignore[attr-defined]
                                  col.type, col.identity_options, a.options)))
        elif a.what == "generated":
            # SET EXPRESSION keeps the column STORED or VIRTUAL; DROP EXPRESSION: neither
            generated = a.value and typed_constants(  # type: ignore[arg-type]
                a.value, dict(self._relation_columns(schema, table) or ()))  # type: ignore[attr-defined]
            self._put(replace(col, generated=generated,
                              virtual=col.virtual and a.value is not None))

    def _only_not_null_said(self, table: str, a: ops.AlterColumn,
                            heirs: list[tuple[Key, bool, bool]]) -> None:
        """``ALTER TABLE ONLY t ALTER COLUMN c SET NOT NULL`` where tables inherit ``c`` from
        ``t`` without a NOT NULL of theirs: before PostgreSQL 18 they keep their NULLs (as the
        replay models it), from 18 the NOT NULL is ``NO INHERIT``. Said, not guessed."""
        if (getattr(self, "_only_action", False) and a.value
                and any(not own and not before for _, own, before in heirs)):
            self._diag(f'ALTER TABLE ONLY "{table}" ALTER COLUMN "{a.name}" SET NOT NULL with '
                       "tables inheriting the column: before PostgreSQL 18 they stay nullable, "
                       "from 18 the NOT NULL is NO INHERIT (modelled as before 18)")

    def _keep_bound(self, parent: Table, part: Table) -> None:
        """``DETACH PARTITION ... CONCURRENTLY`` keeps the partition's constraint on the table
        as a CHECK (named as any CHECK on one column), unless its valid CHECKs and a NOT NULL
        key imply it (:func:`bound_implied`); what :func:`bound_check` does not model is said."""
        text = bound_check(parent.partition_by, part.partition_bound)
        if text is None:
            self._diag(f"DETACH PARTITION {part.name} CONCURRENTLY: the CHECK it adds for the "
                       f"bound {part.partition_bound} is not modelled")
            return
        expression = normalize_expression(text)
        checks = [o.expression for o in self.catalog.on_table(part.schema, part.name)
                  if isinstance(o, Constraint) and o.type == "check" and o.expression
                  and o.validated]
        columns = referenced_columns(expression)
        name = next(iter(columns)) if len(columns) == 1 else ""
        col = self.catalog.objects.get(Key("column", part.schema, part.name, name))
        if expression in checks or (checks and bound_implied(
                expression, checks, name, bool(getattr(col, "not_null", False)))):
            return  # PostgreSQL finds the bound implied and adds nothing
        self._add_constraint(part.schema, part.name,
                             ops.ConstraintDef("check", expression=expression))

    def _fold_self_casts(self, schema: str, table: str, column: str, type_text: str) -> None:
        """After ALTER COLUMN TYPE PostgreSQL re-parses dependent index definitions: a key that
        cast the column to what is now its own type (``date(col)``, ``col::date``) becomes the
        plain column, as ``pg_get_indexdef`` then prints it."""
        for o in list(self.catalog.of_kind("index")):
            if not (isinstance(o, Index) and o.schema == schema and o.table == table):
                continue
            keys = tuple(fold_self_cast(k, column, type_text) for k in o.keys)
            if keys != o.keys:
                self._put(replace(o, keys=keys))


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.AlterTable: AlterTableReplay._op_AlterTable,
}


def _same_foreign_key(a: Constraint, b: Constraint) -> bool:
    """Whether two foreign keys are what PostgreSQL takes as one when attaching a partition
    (columns, referenced table and columns, actions, match type, deferral)."""
    fields = ("columns", "ref_table", "ref_columns", "on_update", "on_delete",
              "on_delete_columns", "match", "deferrable", "initially_deferred")
    return all(getattr(a, f) == getattr(b, f) for f in fields)
