"""``DROP`` of every kind, and PostgreSQL's cascades: a column's indexes and constraints, a
table's dependent views, inheritors and sequences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Column,
    Constraint,
    EventTrigger,
    Extension,
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
    qualified_relations,
    quote_ident,
    referenced_columns,
    referenced_relations,
)
from schemadiff.sql.replay.core import TYPE_KINDS, ReplayState
from schemadiff.sql.replay.functions import accepted_arities
from schemadiff.sql.replay.text import (
    call_arities,
    exclusion_columns,
    index_uses,
    one_table_query_reads,
    same_index,
    view_reads_column,
)

#: the kinds :meth:`DropReplay._drop_object` drops with what depends on them
_CASCADING = frozenset({"table", "view", "index", "sequence", "function", *TYPE_KINDS})
#: the kinds of objects that may use an extension's types, functions or operator classes
_MAY_USE_EXTENSION = ("table", "view", "function", *TYPE_KINDS)


class DropReplay(ReplayState):
    """The replay of ``DROP`` of every kind, and PostgreSQL's cascades: a column's indexes and
    constraints, a table's dependent views, inheritors and sequences."""

    def _drop_column(self, schema: str, table: str, name: str) -> None:
        self._delete(Key("column", schema, table, name))
        self._identity_dropped(schema, table, name)
        self._statistics_column_dropped(schema, table, name)  # type: ignore[attr-defined]
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

    def _reassert_gone_readers(self, table: str, column: str | None = None) -> None:
        """A table (or one of its columns) dropped: the views that read it and were dropped
        before are gone here too. Where the statement that dropped such a view never ran,
        this one took the view along (with CASCADE) or could not have run (without): either
        way the view is absent after it, which a rewrite says (``Replayer.rewrites``). A view
        of another schema reading a table of the same name is taken too: that only makes its
        own drop unproven, never a proof."""
        for key, view in list(self._gone_views.items()):
            if key in self.catalog or table not in view.relations:
                continue
            if column is not None and view_reads_column(view.definition, table, column) is False:
                continue
            self._reassert(key)

    def _unqualified_owner(self, view: View, column: tuple[str, str, str]
                           ) -> Callable[[str], bool | None] | None:
        """Whether an unqualified name in a view's text is ``column`` (schema, table, name),
        by the tables the view reads (followed through renames): the server took it for the
        one column of that name they had, so where one of their columns is known by that name
        now, it is that one (a column of that name added since to another makes two: None);
        None where a source is not a table."""
        sources = self._view_sources.get(view.key)
        if not sources or any(Key("table", s, t) not in self.catalog for s, t in sources):
            return None
        names = self._view_column_names.get(view.key, {})
        known: dict[str, list[tuple[str, str, str]]] = {}
        for s, t in sources:
            for c in self.catalog.columns(s, t):
                text = names.get((s, t, c.name), c.name)
                if text is not None:
                    known.setdefault(text, []).append((s, t, c.name))
        return lambda name: (known[name][0] == column) if len(known.get(name, ())) == 1 else None

    def _drop_column_dependents(self, schema: str, table: str, column: str) -> None:
        """DROP COLUMN ... CASCADE: the views reading the column go, and theirs, the generated
        columns computed from it, the triggers whose WHEN reads it, and the policies whose
        expressions name it (what its
        constraints and indexes do is :meth:`_drop_column`'s, cascade or not)."""
        for o in list(self.catalog.of_kind("view")):
            if not (isinstance(o, View) and table in o.relations and o.key in self.catalog
                    and self._view_reads(o, schema, table)):
                continue
            # the table or a column of it renamed or moved since the view was made (its
            # canonical query is undecided then): its text names them as they were
            names = self._view_column_names.get(o.key, {})
            known = names.get((schema, table, column), column)
            moved = self._view_relation_names.get(o.key, {})
            if o.query is None and not (names or moved):
                reads = None  # undecided for another reason: the text may be stale
            elif known is None:
                reads = False
            else:
                reads = view_reads_column(o.definition, moved.get((schema, table), table), known,
                                          self._unqualified_owner(o, (schema, table, column)))
            if reads is None and o.query is not None and o.relations == (table,) and not (
                    names or moved):
                # a * or a NATURAL join over one table: its expanded query is the columns
                # the table had when the view was made (an INHERITS child's inherited ones)
                reads = one_table_query_reads(o.query, column)
            if reads is None:
                self._diag(f'DROP COLUMN {column} CASCADE: whether view "{o.name}" reads the '
                           "column is not modelled; the view is kept")
            elif reads:
                self._drop_table(o.key)
                self._drop_dependent_views(o.name, o.schema)
                self._drop_type_dependents(qualified(o.schema, o.name))
        for g in list(self.catalog.on_table(schema, table)):
            # a generated column computed from it goes too, and what depends on that one
            if (isinstance(g, Column) and g.generated and g.key in self.catalog
                    and column in referenced_columns(g.generated)):
                self._drop_column_dependents(schema, table, g.name)
                self._drop_column(schema, table, g.name)
        for t in list(self.catalog.on_table(schema, table)):
            # a trigger whose WHEN condition reads it (NEW.c, OLD.c) goes too
            if isinstance(t, Trigger) and t.when and column in referenced_columns(t.when):
                self._delete(t.key)
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
        if con.type in ("primary key", "unique"):
            self._foreign_keys_lost(Key("table", key.schema, key.name), con.columns)

    def _foreign_keys_lost(self, table: Key, columns: tuple[str, ...]) -> None:
        """A unique index on ``columns`` of ``table`` is gone (with its constraint, or a plain
        one dropped with CASCADE): the foreign keys referencing those columns go with it.

        A foreign key depends on one unique index of the columns it references; while another
        one remains, the drop succeeded because the key uses that other one.
        """
        if self._other_unique(table, columns):
            return
        for o in self.catalog.constraints_referencing(f"{table.schema}.{table.name}"):
            if o.type == "foreign key" and set(o.ref_columns) == set(columns):
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
        self._statistics_dropped_with(schema, table)  # type: ignore[attr-defined]
        for o in self.catalog.on_table(schema, table):
            self._delete(o.key)
        for o in self.catalog.indexes_on(schema, table):
            self._delete(o.key)
        for o in self.catalog.sequences_owned_by(schema, table):
            self._delete(o.key)
            # another table's default drawing on it goes too (DROP TABLE refuses that
            # without CASCADE; DROP SCHEMA ... CASCADE takes it)
            self._sequence_defaults_dropped(o.key)
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
                elif key is not None:
                    self._reassert(key)
                return
            self._delete(key)
            if op.kind == "trigger":  # its clones on partitions go with it
                self._trigger_states_pruned()  # type: ignore[attr-defined]
            return
        if op.kind in ("function", "procedure"):
            keys = self._functions_named(qn, args)
            if not keys:
                if not op.if_exists:
                    self._conflict(missing)
                return
            for key in keys[:1]:
                self._drop_object(key, op.cascade)
            return
        if op.kind == "schema":
            key = Key("schema", "", qn.name)
            if key not in self.catalog:
                if not op.if_exists:
                    self._conflict(missing)
                self._reassert(key)
                return
            # each object goes as its own DROP ... CASCADE would take it, with what depends on
            # it in other schemas too (views reading its tables, columns of its types)
            inside = [k for k in self.catalog.objects if k.schema == qn.name]
            functions = frozenset(k for k in inside if k.kind == "function")
            for k in inside:
                if k in self.catalog.objects:
                    if k.kind == "function":  # its overloads go too: a call is one of theirs
                        self._drop_function(k, op.cascade, functions)
                    elif k.kind in _CASCADING:
                        self._drop_object(k, op.cascade)
                    else:
                        self._delete(k)
            for found in [u for u in self._uncompared if u[1] == qn.name]:
                self._drop_uncompared(found, op.cascade)
            self._default_acl_moved(qn.name, None)
            self._delete(key)
            return
        if op.kind == "event_trigger":
            key = Key("event_trigger", "", qn.name)
            if key not in self.catalog:
                if not op.if_exists:
                    self._conflict(missing)
                self._reassert(key)
                return
            self._delete(key)
            return
        if op.kind == "extension":
            if qn.name == "plpgsql":
                return
            key = Key("extension", "", qn.name)
            if key not in self.catalog:
                if not op.if_exists:
                    self._conflict(missing)
                self._reassert(key)
                return
            ext: Extension = self.catalog.objects[key]  # type: ignore[assignment]
            self._delete(key)
            if op.cascade:
                self._drop_extension_dependents(ext)
            return
        kinds = {"table": ("table",), "view": ("view",), "materialized view": ("view",),
                 "index": ("index",), "sequence": ("sequence",), "type": TYPE_KINDS,
                 "domain": ("domain",), "statistics": ("statistics",)}[op.kind]
        key = self._find(kinds, qn)
        if key is None:
            other = self._uncompared_key("type", qn) if op.kind == "type" else None
            if other is not None:
                self._drop_uncompared(other, op.cascade)
            elif not op.if_exists:
                self._conflict(missing)
            else:  # absent from wherever the name could have found it
                for schema in (qn.schema,) if qn.schema else self._path():
                    for kind in kinds:
                        self._reassert(Key(kind, schema, qn.name))
            return
        self._drop_object(key, op.cascade)

    def _drop_extension_dependents(self, ext: Extension) -> None:
        """DROP EXTENSION ... CASCADE: what uses the extension's members goes with them.

        The replay does not know an extension's members (a list of well-known extensions'
        would be a guess). What it can know: a column's type named in the extension's schema
        that no statement made (not a modelled type, row type or uncompared one) is some
        extension's; when no other extension lives in that schema it is this one's, and goes
        as DROP TYPE ... CASCADE takes it. Calls of its functions and uses of its operator
        classes cannot be told from built-in ones: reported, kept.
        """
        others = [o for o in self.catalog.of_kind("extension")
                  if isinstance(o, Extension) and o.schema == ext.schema]
        if not others:
            prefix = quote_ident(ext.schema) + "."
            member_types = set()
            for c in self.catalog.of_kind("column"):
                if isinstance(c, Column) and c.type and c.type.startswith(prefix):
                    name = c.type[len(prefix):].partition("[")[0]
                    if name and not self._known_type(ext.schema, name):
                        member_types.add(qualified(ext.schema, name))
            for t in sorted(member_types):
                self._drop_type_dependents(t)
        if any(self.catalog.objects.by_kind.get(k) for k in _MAY_USE_EXTENSION):
            self._diag(f'DROP EXTENSION {ext.name} CASCADE: what depends on the extension\'s '
                       "functions and operator classes (defaults, indexes, views calling or using "
                       "them) is not modelled; it is kept")

    def _known_type(self, schema: str, name: str) -> bool:
        """Whether a statement made type ``schema.name`` (or a relation, its row type)."""
        kinds = (*TYPE_KINDS, "table", "view", "sequence")
        return (self._find(kinds, ops.QName(schema, name)) is not None
                or ("type", schema, name) in self._uncompared
                or ("relation", schema, name) in self._uncompared)

    def _drop_object(self, key: Key, cascade: bool) -> None:
        """``DROP`` of one relation, type or function, and with ``cascade`` what depends on it
        (as :data:`_CASCADING` lists the kinds)."""
        if key.kind == "table":
            if cascade:
                self._drop_inheritors(key)
            partitions = self._partitions_below(key) if cascade else []
            self._drop_table(key)
            if self._gone_views:
                self._reassert_gone_readers(key.name)
            if cascade:
                self._drop_dependent_views(key.name, key.schema)
                for k in (key, *partitions):  # its row type, and its partitions' row types
                    self._drop_type_dependents(qualified(k.schema, k.name))
        elif key.kind == "index":
            idx: Index = self.catalog.objects[key]  # type: ignore[assignment]
            self._drop_index(key)
            if cascade and idx.unique and not idx.predicate:
                self._foreign_keys_lost(Key("table", key.schema, idx.table),
                                        tuple(k.strip('"') for k in idx.keys))
        elif key.kind == "view":
            self._drop_table(key)  # a view goes with its indexes, triggers and comments too
            if cascade:
                self._drop_dependent_views(key.name, key.schema)
                self._drop_type_dependents(qualified(key.schema, key.name))
        elif key.kind == "function":
            self._drop_function(key, cascade)
        else:
            self._delete(key)
            if key.kind == "sequence" and cascade:
                # a view selecting from the sequence
                self._drop_dependent_views(key.name, key.schema)
                self._sequence_defaults_dropped(key)
        if key.kind in TYPE_KINDS and cascade:
            self._drop_type_dependents(qualified(key.schema, key.name))

    def _partitions_below(self, key: Key) -> list[Key]:
        """The partitions of table ``key``, and theirs (what dropping it drops along)."""
        below: list[Key] = []
        if not getattr(self.catalog.objects.get(key), "partition_by", None):
            return below
        name = f"{key.schema}.{key.name}"
        for o in list(self.catalog.of_kind("table")):
            if isinstance(o, Table) and o.partition_of == name:
                below += [o.key, *self._partitions_below(o.key)]
        return below

    def _sequence_defaults_dropped(self, key: Key) -> None:
        """Sequence ``key`` is gone: the column defaults drawing on it go with it (a
        normalized default names no schema: one in another schema draws on it where no other
        sequence has that name)."""
        default = nextval_default(key.name)
        alone = not any(k.name == key.name
                        for k in self.catalog.objects.by_kind.get("sequence", {}))
        for o in list(self.catalog.of_kind("column")):
            if (isinstance(o, Column) and (o.schema == key.schema or alone)
                    and o.default and default in o.default):
                self._put(replace(o, default=None))

    def _drop_function(self, key: Key, cascade: bool, going: frozenset[Key] = frozenset()
                       ) -> None:
        """``DROP FUNCTION``; with CASCADE what calls it goes too, as pg_depend records the
        calls of stored expressions: its triggers, column defaults (the column stays),
        generated columns, CHECK and exclusion constraints, indexes whose keys or predicate
        call it, views (and theirs) and policies.

        Stored expressions are kept normalized, without a call's schema or argument types:
        a call of a name that another modelled function has too is not told apart (reported,
        kept). ``going``: functions dropped by the same statement (no other for a call).
        """
        least, most = accepted_arities(self.catalog.objects[key])  # type: ignore[arg-type]
        self._delete(key)
        if not cascade:
            return
        fq = f"{key.schema}.{key.name}"
        for o in [*self.catalog.of_kind("trigger"), *self.catalog.of_kind("event_trigger")]:
            if isinstance(o, (Trigger, EventTrigger)) and o.function == fq:
                self._delete(o.key)
        others = [self.catalog.objects[k] for k in self.catalog.objects.by_kind.get("function", {})
                  if k.name == key.name and k not in going]

        def calls(what: str, *texts: str | None) -> bool:
            arities = {n for t in texts if t for n in call_arities(t, key.schema, key.name)
                       if least <= n and (most is None or n <= most)}  # calls it may be
            if not arities:
                return False
            if any(low <= n and (high is None or n <= high)
                   for low, high in map(accepted_arities, others) for n in arities):
                # another function of that name a call of that many arguments may be of
                self._diag(f'DROP FUNCTION {key.name}({key.sub}) CASCADE: whether {what} calls '
                           f'this "{key.name}" or another of that name is not modelled; it is '
                           "kept")
                return False
            return True

        for o in list(self.catalog.of_kind("column")):
            if not isinstance(o, Column) or self.catalog.objects.get(o.key) is not o:
                continue
            where = f'column "{o.table}.{o.name}"'
            if calls(where, o.generated):
                self._drop_column(o.schema, o.table, o.name)
                self._drop_column_dependents(o.schema, o.table, o.name)
            elif calls(f"the default of {where}", o.default):
                self._put(replace(o, default=None))
        for c in list(self.catalog.of_kind("constraint")):
            if (isinstance(c, Constraint) and c.type in ("check", "exclude")
                    and c.key in self.catalog and calls(f'constraint "{c.name}"', c.expression)):
                self._drop_constraint(c.key)
        for i in list(self.catalog.of_kind("index")):
            if (isinstance(i, Index) and i.key in self.catalog
                    and calls(f'index "{i.name}"', *i.keys, i.predicate)):
                self._drop_index(i.key)
        for v in list(self.catalog.of_kind("view")):
            if (isinstance(v, View) and v.key in self.catalog
                    and calls(f'view "{v.name}"', v.definition or v.query)):
                self._drop_object(v.key, cascade=True)
        for p in list(self.catalog.of_kind("policy")):
            if (isinstance(p, Policy) and p.key in self.catalog
                    and calls(f'policy "{p.name}"', p.using, p.with_check)):
                self._delete(p.key)

    def _drop_inheritors(self, key: Key) -> None:
        """DROP TABLE ... CASCADE: the tables that INHERIT from it go too, and theirs, with
        what their row types took (a function returning ``SETOF child``)."""
        parent = f"{key.schema}.{key.name}"
        for o in list(self.catalog.of_kind("table")):
            if isinstance(o, Table) and parent in o.inherits and o.key in self.catalog:
                self._drop_inheritors(o.key)
                self._drop_table(o.key)
                self._drop_dependent_views(o.name, o.schema)
                self._drop_type_dependents(qualified(o.schema, o.name))

    def _drop_dependent_views(self, name: str, schema: str | None = None) -> None:
        """DROP ... CASCADE: the views reading a dropped relation go, and theirs, transitively.

        The view model keeps unqualified names; with ``schema`` (the dropped relation's) a
        view goes only where its text reads that one (:meth:`_view_reads`).
        """
        for o in list(self.catalog.of_kind("view")):
            if (isinstance(o, View) and name in o.relations and o.key in self.catalog
                    and (schema is None or self._view_reads(o, schema, name))):
                self._drop_table(o.key)
                self._drop_dependent_views(o.name, o.schema)
                self._drop_type_dependents(qualified(o.schema, o.name))  # its row type's uses
        for p in list(self.catalog.of_kind("policy")):  # a policy's subquery reading it
            if isinstance(p, Policy) and any(
                    e and "SELECT" in e.upper() and name in referenced_relations(e)
                    for e in (p.using, p.with_check)):
                self._delete(p.key)

    def _view_reads(self, view: View, schema: str, name: str) -> bool:
        """Whether ``view`` reads relation ``schema.name`` (just dropped): one its names resolved
        to when it was made, followed since (:meth:`_view_sources_moved`); else a reference
        qualified with that schema, or an unqualified one that the search path the view was
        made under (else the one now) resolves to it, not to a relation of that name in a
        schema before it. With neither on the path the name is taken to be it."""

        sources = self._view_sources.get(view.key, frozenset())
        if (schema, name) in sources:
            return True
        if any(n == name for _, n in sources):
            return False  # it reads another relation of that name
        named = [s for s, n in qualified_relations(view.definition) if n == name]
        if not named:
            return True  # the text does not say (the model's relations do): as before
        if schema in named:
            return True
        if None not in named:
            return False
        for s in self._view_paths.get(view.key, self._path()):
            if s == schema:
                return True
            if (self._find(("table", "view", "sequence"), ops.QName(s, name)) is not None
                    or ("relation", s, name) in self._uncompared):
                return False
        return True

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
