"""Partitions and inheritance children: what they inherit from their parent (columns, indexes,
constraints) and how to find them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Column,
    Constraint,
    Index,
    Key,
    Table,
    Trigger,
)
from schemadiff.sql.names import (
    choose_name,
    index_column_names,
    make_object_name,
    name_addition,
)
from schemadiff.sql.replay.core import INDEX_BACKED, ReplayConflict, ReplayState
from schemadiff.sql.replay.text import exclusion_parts, key_names, same_index


class InheritanceReplay(ReplayState):
    """The replay of partitions and inheritance children: what they inherit from their parent
    (columns, indexes, constraints) and how to find them."""

    def _inheritors(self, schema: str, table: str) -> list[Table]:
        """The tables that INHERIT from this one (direct children)."""
        if not self._any_inherits:
            return []  # no table inherits from any: no scan for the usual case
        q = f"{schema}.{table}"
        return [o for o in self.catalog.of_kind("table")
                if isinstance(o, Table) and q in o.inherits]

    def _refuse_cycle(self, parent: Table, schema: str, child: str) -> None:
        """``child`` may not become a child (by INHERIT or ATTACH PARTITION) of ``parent`` when
        it is ``parent`` or one of its ancestors: PostgreSQL refuses the cycle."""
        seen: set[str] = set()
        todo = [parent]
        while todo:
            t = todo.pop()
            q = f"{t.schema}.{t.name}"
            if q in seen:
                continue
            seen.add(q)
            if (t.schema, t.name) == (schema, child):
                raise ReplayConflict(f'circular inheritance not allowed: "{child}" is already '
                                     f'an ancestor of "{parent.name}"')
            for up in (*t.inherits, *((t.partition_of,) if t.partition_of else ())):
                s, _, n = up.partition(".")
                above = self.catalog.objects.get(Key("table", s, n))
                if isinstance(above, Table):
                    todo.append(above)

    def _parent_tables(self, t: Table) -> list[Table]:
        """The tables ``t`` inherits from (INHERITS), in order, those the model holds."""
        out = []
        for parent in t.inherits:
            ps, _, pt = parent.partition(".")
            pobj = self.catalog.objects.get(Key("table", ps, pt))
            if isinstance(pobj, Table):
                out.append(pobj)
        return out

    def _inherited_columns(self, t: Table) -> list[Column]:
        """A table's columns, its ancestors' included (the ancestors' first)."""
        out: list[Column] = []
        seen: set[str] = set()
        for pobj in self._parent_tables(t):
            for c in self._inherited_columns(pobj):
                if c.name not in seen:
                    seen.add(c.name)
                    out.append(c)
        for c in self.catalog.columns(t.schema, t.name):
            if c.name not in seen:
                seen.add(c.name)
                out.append(c)
        return out

    def _table_columns(self, t: Table) -> list[Column]:
        """A table's columns as the server has them, an INHERITS child's inherited-only ones
        included (as the child has them: the default it gets, its own comment, no identity),
        in the server's order, numbered from 1."""
        own = self.catalog.columns(t.schema, t.name)
        if not t.inherits and not t.column_order:
            return own
        found: dict[str, Column] = {}
        given: dict[str, bool] = {}  # the NOT NULL its parents give each (any of them)
        for pobj in self._parent_tables(t):
            for c in self._table_columns(pobj):
                given[c.name] = given.get(c.name, False) or (
                    c.not_null and not c.not_null_no_inherit)
                if c.name not in found:
                    _, default = self._inherited_default(t, c.name)
                    found[c.name] = replace(
                        c, schema=t.schema, table=t.name, default=default, identity=None,
                        identity_options=(),
                        comment=dict(t.inherited_comments).get(c.name),
                        not_null=c.not_null and not c.not_null_no_inherit,
                        not_null_no_inherit=False, not_null_validated=True)
        own_not_null = dict(t.inherited_not_null)
        for n, c in found.items():
            found[n] = replace(c, not_null=own_not_null.get(n, given[n]))
        for c in own:
            found[c.name] = c
        order = {n: i for i, n in enumerate(t.column_order)}
        ranked = sorted(found.values(), key=lambda c: order.get(c.name, len(order)))
        return [replace(c, position=i) for i, c in enumerate(ranked, start=1)]

    def _parents_not_null(self, t: Table, column: str) -> bool:
        """Whether a parent of the table gives it a NOT NULL on ``column``."""
        return any(c.name == column and c.not_null and not c.not_null_no_inherit
                   for pobj in self._parent_tables(t) for c in self._table_columns(pobj))

    def _set_inherited_not_null(self, key: Key, column: str, value: bool) -> None:
        """The child's NOT NULL of a column it inherits only: kept where it is not what its
        parents give it."""
        t: Table = self.catalog.objects[key]  # type: ignore[assignment]
        rest = tuple(e for e in t.inherited_not_null if e[0] != column)
        entries = (rest if value == self._parents_not_null(t, column)
                   else tuple(sorted((*rest, (column, value)))))
        if entries != t.inherited_not_null:
            self._put(replace(t, inherited_not_null=entries))

    def _not_null_heirs(self, schema: str, table: str, column: str
                        ) -> list[tuple[Key, bool, bool]]:
        """The tables inheriting from this one (at every level, parents first) that have
        ``column``: (table, whether it is their own column, their NOT NULL of it now)."""
        out: list[tuple[Key, bool, bool]] = []
        for child in self._inheritors(schema, table):
            own = self.catalog.objects.get(Key("column", child.schema, child.name, column))
            if own is None and not self._inherited_column(child.schema, child.name, column):
                continue
            now = next((c.not_null for c in self._table_columns(child) if c.name == column),
                       False)
            out.append((child.key, own is not None, now))
            out += self._not_null_heirs(child.schema, child.name, column)
        return out

    def _not_null_followed(self, heirs: list[tuple[Key, bool, bool]], column: str,
                           value: bool, only: bool) -> None:
        """SET / DROP NOT NULL of ``column`` on a table (``heirs``: its inheritors' before):
        without ``ONLY`` PostgreSQL sets it on each inheritor too, with ``ONLY`` each keeps
        the one it had (held as its own where its parents now give another)."""
        for key, own, before in heirs:
            if own:
                if not only:
                    col = self.catalog.objects[Key("column", key.schema, key.name, column)]
                    self._put(replace(col, not_null=value))  # type: ignore[type-var]
                continue
            self._set_inherited_not_null(key, column, before if only else value)

    def _inherited_entries_renamed(self, t: Table, old: str, new: str) -> None:
        """A column the table inherits only renamed: its own default, comment and NOT NULL
        of it follow."""
        def ren(entries: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
            return tuple(sorted((new if n == old else n, v) for n, v in entries))

        renamed = replace(t, inherited_defaults=ren(t.inherited_defaults),
                          inherited_comments=ren(t.inherited_comments),
                          inherited_not_null=ren(t.inherited_not_null))
        if renamed != t:
            self._put(renamed)

    def _inherited_entries_dropped(self, t: Table, column: str) -> Table:
        """A column the table inherits only is gone (or its own now): its own default,
        comment and NOT NULL of it go."""
        def drop(entries: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
            return tuple(e for e in entries if e[0] != column)

        left = replace(t, inherited_defaults=drop(t.inherited_defaults),
                       inherited_comments=drop(t.inherited_comments),
                       inherited_not_null=drop(t.inherited_not_null))
        if left != t:
            self._put(left)
        return left

    def _clone_state(self, t: Table, name: str) -> str | None:
        """A partition's enable state of the clone of row trigger ``name`` it has from its
        ancestors (None: it has none)."""
        if not t.partition_of:
            return None
        ps, _, pt = t.partition_of.partition(".")
        parent = self.catalog.objects.get(Key("table", ps, pt))
        if not isinstance(parent, Table):
            return None
        trig = self.catalog.objects.get(Key("trigger", ps, pt, name))
        if isinstance(trig, Trigger):
            base = trig.enabled if trig.level == "ROW" else None
        else:
            base = self._clone_state(parent, name)
        return None if base is None else dict(t.trigger_states).get(name, base)

    def _set_clone_state(self, key: Key, name: str, state: str) -> None:
        """A partition's clone of trigger ``name`` set to ``state``: held where it is not its
        parent's."""
        t: Table = self.catalog.objects[key]  # type: ignore[assignment]
        rest = tuple(e for e in t.trigger_states if e[0] != name)
        base = self._clone_state(replace(t, trigger_states=rest), name)
        entries = rest if state == base else tuple(sorted((*rest, (name, state))))
        if entries != t.trigger_states:
            self._put(replace(t, trigger_states=entries))

    def _clone_heirs(self, t: Table, name: str) -> list[tuple[Key, str]]:
        """The partitions under ``t`` (parents first) with a clone of trigger ``name``, and
        its state now."""
        out: list[tuple[Key, str]] = []
        for part in self._partitions(t.schema, t.name):
            state = self._clone_state(part, name)
            if state is not None:
                out.append((part.key, state))
                out += self._clone_heirs(part, name)
        return out

    def _cloned_names(self, t: Table) -> set[str]:
        """The names of the row triggers a partition has clones of."""
        out: set[str] = set()
        while t.partition_of:
            ps, _, pt = t.partition_of.partition(".")
            parent = self.catalog.objects.get(Key("table", ps, pt))
            if not isinstance(parent, Table):
                break
            out |= {o.name for o in self.catalog.on_table(ps, pt)
                    if isinstance(o, Trigger) and o.level == "ROW"}
            t = parent
        return out

    def _trigger_state_set(self, schema: str, table: str, trigger: str, state: str,
                           only: bool) -> None:
        """``ALTER TABLE [ONLY] t ENABLE / DISABLE TRIGGER name | ALL | USER``: its own
        triggers and its clones of its parents'; without ``ONLY`` the clones of them on its
        partitions follow (PostgreSQL recurses), with ``ONLY`` each keeps its state."""
        t: Table = self.catalog.objects[Key("table", schema, table)]  # type: ignore[assignment]
        own = {o.name: o for o in self.catalog.on_table(schema, table) if isinstance(o, Trigger)}
        names = (set(own) | self._cloned_names(t)) if trigger in ("ALL", "USER") else {trigger}
        for name in sorted(names):
            heirs = self._clone_heirs(t, name)
            if name in own:
                self._put(replace(own[name], enabled=state))
            elif self._clone_state(t, name) is not None:
                self._set_clone_state(t.key, name, state)
            else:
                continue
            for key, before in heirs:
                self._set_clone_state(key, name, before if only else state)

    def _constraint_triggers_set(self, schema: str, table: str, disabled: bool) -> None:
        """``ALTER TABLE t DISABLE / ENABLE TRIGGER ALL`` reaches the internal triggers on
        ``t``: those of its foreign keys and deferrable keys (side ``check``) and of the
        foreign keys referencing it (their actions, side ``action``). On a partition or a
        partitioned table, which of the clones' triggers it reaches is not modelled: the
        constraints of the whole tree, and those referencing it, are undecided (None)."""
        t = self.catalog.objects[Key("table", schema, table)]
        family = {f"{schema}.{table}"}
        if isinstance(t, Table) and (t.partition_by or t.partition_of):
            top = t
            while isinstance(top, Table) and top.partition_of:
                ps, _, pt = top.partition_of.partition(".")
                parent = self.catalog.objects.get(Key("table", ps, pt))
                if not isinstance(parent, Table):
                    break
                top = parent
            todo = [top]
            while todo:
                node = todo.pop()
                family.add(f"{node.schema}.{node.name}")
                todo += self._partitions(node.schema, node.name)
        for c in list(self.catalog.of_kind("constraint")):
            if not isinstance(c, Constraint):
                continue
            sides = set()
            foreign = c.type == "foreign key" and c.enforced  # NOT ENFORCED (18): no triggers
            if f"{c.schema}.{c.table}" in family and (
                    foreign or (c.deferrable and c.type in INDEX_BACKED)):
                sides.add("check")
            if foreign and c.ref_table in family:
                sides.add("action")
            if not sides:
                continue
            if len(family) > 1 or c.disabled_triggers is None:
                value = None
            else:
                kept = set(c.disabled_triggers) - sides
                value = tuple(sorted(kept | sides if disabled else kept))
            if value != c.disabled_triggers:
                self._put(replace(c, disabled_triggers=value))

    def _trigger_states_pruned(self, renamed: tuple[str, str] | None = None) -> None:
        """A trigger dropped, renamed (``(old, new)``: its clones are renamed too) or a
        partition detached: the states held of clones that are gone go, or follow."""
        for t in list(self.catalog.of_kind("table")):
            if not isinstance(t, Table) or not t.trigger_states:
                continue
            bare = replace(t, trigger_states=())
            entries = []
            for name, state in t.trigger_states:
                if renamed and name == renamed[0] and self._clone_state(bare, name) is None:
                    name = renamed[1]
                if self._clone_state(bare, name) is not None:
                    entries.append((name, state))
            if tuple(sorted(entries)) != t.trigger_states:
                self._put(replace(t, trigger_states=tuple(sorted(entries))))

    def _checks_validated(self, schema: str, table: str, name: str, valid: bool) -> None:
        """CHECK ``name`` added NOT VALID to a table (``valid`` False) or validated: so is the
        copy each table inheriting from it has, at every level."""
        for child in self._inheritors(schema, table):
            marks = tuple(m for m in child.unvalidated_checks if m != name)
            marks = marks if valid else (*marks, name)
            if marks != child.unvalidated_checks:
                self._put(replace(child, unvalidated_checks=marks))
            self._checks_validated(child.schema, child.name, name, valid)

    def _unvalidated_renamed(self, schema: str, table: str, old: str, new: str) -> None:
        """A CHECK renamed on a table: so is the copy each table inheriting it has."""
        for child in self._inheritors(schema, table):
            if old in child.unvalidated_checks:
                self._put(replace(child, unvalidated_checks=tuple(
                    new if m == old else m for m in child.unvalidated_checks)))
            self._unvalidated_renamed(child.schema, child.name, old, new)

    def _column_order_added(self, schema: str, table: str, column: str) -> None:
        """A column added to a table: last in its order, and in its inheritors' (PostgreSQL
        adds it to each, or merges it with theirs, which keeps its place)."""
        t = self.catalog.objects.get(Key("table", schema, table))
        if isinstance(t, Table) and t.column_order and column not in t.column_order:
            self._put(replace(t, column_order=(*t.column_order, column)))
        for child in self._inheritors(schema, table):
            self._column_order_added(child.schema, child.name, column)

    def _table_checks(self, t: Table) -> list[Constraint]:
        """A table's CHECK constraints as the server has them: its own, and those it inherits
        (its parents', NO INHERIT ones left out), each name once."""
        out = {o.name: o for o in self.catalog.on_table(t.schema, t.name)
               if isinstance(o, Constraint) and o.type == "check"}
        for pobj in self._parent_tables(t):
            for o in self._table_checks(pobj):
                if not o.no_inherit:
                    out.setdefault(o.name, o)
        return list(out.values())

    def _partitions(self, schema: str, table: str) -> list[Table]:
        """The partitions of a partitioned table (direct children)."""
        parent = self.catalog.objects.get(Key("table", schema, table))
        if not isinstance(parent, Table) or not parent.partition_by:
            return []  # only a partitioned table has partitions: no scan for the usual case
        q = f"{schema}.{table}"
        return [o for o in self.catalog.of_kind("table")
                if isinstance(o, Table) and o.partition_of == q]

    def _not_null_column(self, schema: str, table: str, name: str) -> str | None:
        """The column of a PostgreSQL 18 NOT NULL constraint: named, or PostgreSQL's own
        ``<table>_<column>_not_null``; None if no NOT NULL column has that name."""
        named = self._not_null_names.get((schema, table, name))
        if named is not None:
            return named
        for col in self.catalog.columns(schema, table):
            if col.not_null and make_object_name(table, col.name, "not_null") == name:
                return col.name
        return None

    def _inherited_column(self, schema: str, table: str, column: str) -> bool:
        """Whether an INHERITS parent (transitively) of the table has this column."""
        t = self.catalog.objects.get(Key("table", schema, table))
        for parent in getattr(t, "inherits", ()):
            ps, _, pt = parent.partition(".")
            if (Key("column", ps, pt, column) in self.catalog
                    or self._inherited_column(ps, pt, column)):
                return True
        return False

    def _inherited_default(self, t: Table, column: str) -> tuple[bool, str | None]:
        """``(found, default)``: the default the table has of a column it inherits only (its
        own where it set one, else its first parent's that has the column)."""
        own = dict(t.inherited_defaults)
        if column in own:
            return True, own[column]
        for parent in t.inherits:
            ps, _, pt = parent.partition(".")
            col = self.catalog.objects.get(Key("column", ps, pt, column))
            if isinstance(col, Column):
                return True, col.default
            pobj = self.catalog.objects.get(Key("table", ps, pt))
            if isinstance(pobj, Table):
                found, default = self._inherited_default(pobj, column)
                if found:
                    return True, default
        return False, None

    def _set_inherited_default(self, t: Table, column: str, default: str | None) -> Table:
        """The child's own default of a column it inherits only: kept where it is not what
        its parents give it (read from the parents, the own entry left out)."""
        rest = tuple(e for e in t.inherited_defaults if e[0] != column)
        _, parents = self._inherited_default(replace(t, inherited_defaults=rest), column)
        entries = rest if default == parents else tuple(sorted((*rest, (column, default))))
        if entries != t.inherited_defaults:
            t = replace(t, inherited_defaults=entries)
            self._put(t)
        return t

    def _inherited_default_changed(self, schema: str, table: str, column: str,
                                   before: str | None, only: bool) -> None:
        """A table's default of ``column`` went from ``before``: without ``ONLY`` every
        inheriting table that inherits the column only takes the new one (PostgreSQL
        recurses), with ``ONLY`` each keeps the one it had."""
        for child in self._inheritors(schema, table):
            if Key("column", child.schema, child.name, column) in self.catalog:
                # its own column (merged), changed (or not) by the caller: what inherits it
                # from there follows it without ONLY
                if not only:
                    self._inherited_default_changed(child.schema, child.name, column, before,
                                                    only)
                continue
            own = dict(child.inherited_defaults)
            if only:  # the child's stays what it was: its own, else its first parent's
                first = next((p for p in child.inherits if self._has_column(p, column)), None)
                kept = (own[column] if column in own else before
                        if first == f"{schema}.{table}"
                        else self._inherited_default(child, column)[1])
                self._set_inherited_default(child, column, kept)
                continue
            # it takes the new one, whichever of its parents changed (held as its own where
            # that is not its first parent)
            changed = self.catalog.objects[Key("table", schema, table)]
            now = next((c.default for c in self._table_columns(changed)  # type: ignore[arg-type]
                        if c.name == column), None)
            self._set_inherited_default(child, column, now)
            self._inherited_default_changed(child.schema, child.name, column, before, only)

    def _has_column(self, qualified: str, column: str) -> bool:
        """Whether table ``schema.name`` has ``column`` (its own or inherited)."""
        s, _, n = qualified.partition(".")
        return (Key("column", s, n, column) in self.catalog
                or self._inherited_column(s, n, column))

    def _children(self, schema: str, table: str) -> list[Table]:
        """Where column changes and checks recurse: partitions (a partition's columns and
        checks are its own; an INHERITS child's inherited ones stay the parent's)."""
        return self._partitions(schema, table)

    def _inherit_partition_indexes(self, parent: Table, part: Table) -> None:
        """A new or attached partition gets (or attaches) each index of its parent.

        PostgreSQL's DefineRelation / AttachPartitionEnsureIndexes: an equal index already on
        the partition is attached, else a copy named for the partition is created.
        """
        for idx in self.catalog.indexes_on(parent.schema, parent.name):
            self._clone_index(idx, part)
        for o in self.catalog.on_table(parent.schema, parent.name):
            if isinstance(o, Constraint) and o.type in ("primary key", "unique", "check"):
                self._clone_constraint(o, part)

    def _clone_index(self, idx: Index, part: Table) -> None:
        """The partition's copy of a partitioned index (recursing into sub-partitions).

        The copy's name is chosen for the partition like an unnamed index on the same keys.
        """
        # DefineIndex attaches an equal index of the partition and goes no deeper, one not
        # attached yet: each of the parent's other equal indexes has one of them already
        others = sum(1 for o in self.catalog.indexes_on(idx.schema, idx.table)
                     if o.name != idx.name and same_index(o, idx))
        mine = sum(1 for o in self.catalog.indexes_on(part.schema, part.name)
                   if same_index(o, idx))
        if mine > others:
            return
        names = idx.column_names or index_column_names((*key_names(idx.keys), *idx.include))
        name = choose_name(part.name, name_addition(names), "idx",
                           lambda n: self._relation_or_constraint_index(part.schema, n))
        self._put(replace(idx, schema=part.schema, name=name, table=part.name, comment=None,
                          statistics=()))
        for sub in self._partitions(part.schema, part.name):
            self._clone_index(idx, sub)

    def _copy_indexes(self, src: Table, schema: str, table: str, comments: bool) -> None:
        """LIKE ... INCLUDING INDEXES: each index of the source, and each constraint an index
        backs, again on the new table, named for it as an unnamed one would be."""
        def taken(n: str) -> bool:
            return (self._relation_or_constraint_index(schema, n)
                    or self._constraint_name_taken(schema, n))

        for o in self.catalog.on_table(src.schema, src.name):
            if not (isinstance(o, Constraint) and o.type in INDEX_BACKED):
                continue
            addition: str | None = None
            if o.type == "primary key":
                label = "pkey"
            elif o.type == "unique":
                addition, label = name_addition(
                    o.column_names or index_column_names(o.columns + o.include)), "key"
            else:
                parts = exclusion_parts(o.expression or "")
                keys = tuple(e.rpartition(" WITH ")[0] for e in parts[1]) if parts else ()
                names = o.column_names or index_column_names((*key_names(keys), *o.include))
                addition, label = name_addition(names), "excl"
            name = choose_name(table, addition, label, taken)
            self._put(replace(o, schema=schema, table=table, name=name,
                              comment=o.comment if comments else None,
                              index_comment=o.index_comment if comments else None))
            if o.type == "primary key":
                self._set_not_null(schema, table, o.columns)
        for idx in self.catalog.indexes_on(src.schema, src.name):
            names = idx.column_names or index_column_names((*key_names(idx.keys), *idx.include))
            name = choose_name(table, name_addition(names), "idx",
                               lambda n: self._relation_or_constraint_index(schema, n))
            self._put(replace(idx, schema=schema, name=name, table=table,
                              comment=idx.comment if comments else None, statistics=()))

    def _clone_constraint(self, con: Constraint, part: Table) -> None:
        """The partition's copy of a primary key, unique or check constraint of its parent.

        A check keeps its name (a partition is attached only if it has it, and pg_dump prints
        it on each partition); an index-backed one is named for the partition.
        """
        if con.type == "check":
            key = Key("constraint", part.schema, part.name, con.name)
            if key not in self.catalog:
                self._put(replace(con, schema=part.schema, table=part.name, comment=None,
                                  index_comment=None))
            for sub in self._children(part.schema, part.name):
                self._clone_constraint(con, sub)
            return
        elif not any(isinstance(o, Constraint) and o.type == con.type and o.columns == con.columns
                     for o in self.catalog.on_table(part.schema, part.name)):
            schema = part.schema
            if con.type == "primary key":
                addition, label = None, "pkey"
            else:
                addition = name_addition(
                    con.column_names or index_column_names(con.columns + con.include))
                label = "key"
            name = choose_name(part.name, addition, label,
                               lambda n: self._relation_or_constraint_index(schema, n)
                               or self._constraint_name_taken(schema, n))
            self._put(replace(con, schema=schema, table=part.name, name=name, comment=None,
                              index_comment=None))
            if con.type == "primary key":
                self._set_not_null(schema, part.name, con.columns)
        for sub in self._partitions(part.schema, part.name):
            self._clone_constraint(con, sub)
