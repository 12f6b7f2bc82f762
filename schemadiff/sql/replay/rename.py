"""Renames of relations and columns, carried into every index, constraint, view, trigger and
policy that names them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Column,
    Constraint,
    Function,
    Key,
    Policy,
    Table,
    Trigger,
    View,
)
from schemadiff.sql.normalize import (
    nextval_default,
    qualified,
    rename_column,
    rename_field,
    rename_relation,
    rename_relation_column,
)
from schemadiff.sql.replay.core import ReplayState
from schemadiff.sql.replay.text import (
    _rename_event,
    _rename_in_exclusion,
    _rename_in_partition_by,
    _rename_key,
    body_edited,
    top_items,
)

#: a routine's argument as the model lists it: [mode] name type [DEFAULT ...]
_ARGUMENT = re.compile(r'(?:(?:IN|OUT|INOUT|VARIADIC) )?("(?:[^"]|"")*"|[^\s"]+) (.+?)'
                       r"(?: DEFAULT .*)?\Z")


class RenameReplay(ReplayState):
    """The replay of renames of relations and columns, carried into every index, constraint,
    view, trigger and policy that names them."""

    def _rename_relation(self, key: Key, schema: str, name: str) -> None:
        obj: Any = self.catalog.objects[key]
        if key.kind == "index":
            self._rename_index_like(key, replace(obj, schema=schema, name=name), obj.table)
            self._privileges_moved(key, Key(key.kind, schema, name))
            return
        self._delete(key)
        self._moving = True
        self._put(replace(obj, schema=schema, name=name))
        self._moving = False
        self._moved(key, Key(key.kind, schema, name, key.sub))
        # a function keeps its argument types (its key's sub) under the new name
        self._privileges_moved(key, Key(key.kind, schema, name, key.sub))
        old_q, new_q = f"{key.schema}.{key.name}", f"{schema}.{name}"
        if key.kind == "sequence":
            old_default = nextval_default(key.name)
            new_default = nextval_default(name)
            for o in list(self.catalog.of_kind("column")):
                if isinstance(o, Column) and o.default == old_default and o.schema == key.schema:
                    self._put(replace(o, default=new_default))
            self._view_sources_moved((key.schema, key.name), (schema, name))
            return
        if key.kind not in ("table", "view"):
            return
        self._statistics_moved(key.schema, key.name, schema, name)  # type: ignore[attr-defined]
        # what hangs on the relation follows it: a table's columns and constraints, a
        # view's triggers, either's indexes (a materialized view has them too)
        for o in [*self.catalog.on_table(key.schema, key.name),
                  *self.catalog.indexes_on(key.schema, key.name)]:
            self._delete(o.key)
            self._put(moved := replace(o, schema=schema, table=name))  # type: ignore[type-var]
            self._moved(o.key, moved.key, carried=True)
        self._rename_in_policies(key.name, name)
        self._rename_in_bodies(key, lambda: lambda e: rename_relation(e, key.name, name))
        if key.kind == "view":
            self._rename_in_views(key.schema, key.name, name)
            self._view_sources_moved((key.schema, key.name), (schema, name))
            self._row_type_moved(key, schema, name)
            return
        self._identity_renamed(key.schema, key.name, schema, name)
        for o in self.catalog.sequences_owned_by(key.schema, key.name):
            column = o.owned_by.split(".", 1)[1]  # type: ignore[union-attr]
            moved = replace(o, schema=schema, owned_by=f"{name}.{column}")
            if schema == key.schema:
                self._put(moved)
                continue
            # ALTER TABLE ... SET SCHEMA takes its sequences along, with their privileges
            self._delete(o.key)
            self._moving = True
            self._put(moved)
            self._moving = False
            self._moved(o.key, moved.key, carried=True)
            self._privileges_moved(o.key, moved.key)
        for o in self.catalog.constraints_referencing(old_q):
            self._put(replace(o, ref_table=new_q))
        if getattr(obj, "partition_by", None):  # only a partitioned table has partitions
            for o in list(self.catalog.of_kind("table")):
                if isinstance(o, Table) and o.partition_of == old_q:
                    self._put(replace(o, partition_of=new_q))
        for o in self._inheritors(key.schema, key.name):  # INHERITS names the parent by oid
            self._put(replace(o, inherits=tuple(new_q if p == old_q else p for p in o.inherits)))
        self._rename_in_views(key.schema, key.name, name)
        self._view_sources_moved((key.schema, key.name), (schema, name))
        self._row_type_moved(key, schema, name)

    def _row_type_moved(self, key: Key, schema: str, name: str) -> None:
        """A table's or view's row type is renamed and moved with it: the columns, domains
        and routine signatures of that type (held by oid) print the new name."""
        if (schema, name) != (key.schema, key.name):
            self._retype(qualified(key.schema, key.name), qualified(schema, name))

    def _rename_in_views(self, schema: str, old: str, new: str) -> None:
        """``schema.old`` renamed: the views reading it (not another relation of that name,
        see :meth:`_view_reads`) print the new name. Their query names it so where every
        relation of that name it reads is this one; else it is undecided."""
        from schemadiff.sql.normalize import qualified_relations

        for o in list(self.catalog.of_kind("view")):
            if isinstance(o, View) and old in o.relations and self._view_reads(o, schema, old):
                sources = self._view_sources.get(o.key, frozenset())
                query = None
                if any(n == old and s != schema for s, n in sources):
                    # it reads a relation of that name in another schema too, which stays
                    relations = tuple(sorted({*o.relations, new}))
                else:
                    relations = tuple(sorted({new if r == old else r for r in o.relations}))
                    # canonical queries name relations unqualified: each of that name is it
                    if (o.query is not None and o.key in self._view_sources
                            and all(s in (None, schema)
                                    for s, n in qualified_relations(o.definition)
                                    if n == old)):
                        renamed = rename_relation(o.query, old, new)
                        # it names the relation, and its text reads back as it was written
                        if renamed != o.query and rename_relation(o.query, old, old) == o.query:
                            query = renamed
                        elif old == new:
                            query = o.query
                self._put(replace(o, relations=relations, query=query))

    def _rename_in_policies(self, old: str, new: str) -> None:
        """A relation renamed: the policies whose subqueries read it print the new name."""
        if old == new:  # ALTER TABLE ... SET SCHEMA: expressions keep no schema
            return
        ren = lambda e: rename_relation(e, old, new) if e else e  # noqa: E731
        named = re.compile(rf"(?<![\w$]){re.escape(old)}(?![\w$])", re.IGNORECASE)
        for o in list(self.catalog.of_kind("policy")):
            if isinstance(o, Policy):
                renamed = replace(o, using=ren(o.using), with_check=ren(o.with_check))
                stale = any(t and named.search(t) for t in (o.using_text, o.check_text))
                if stale:  # the text as written names (or qualifies by) the old name
                    renamed = replace(renamed, using_text=None, check_text=None)
                if stale or renamed != o:
                    self._put(renamed)

    def _rename_in_bodies(self, key: Key, editor: Callable[[], Callable[[str], str]]) -> None:
        """A relation (``key``, renamed) or one of its columns renamed: SQL-standard routine
        bodies print the new name (the catalog keeps their parse tree, which holds oids). Their
        text keeps no schema: with a relation of the old name in another schema, which one a
        body reads is not modelled, and the bodies are kept as written."""
        bodies = [o for o in self.catalog.of_kind("function")
                  if isinstance(o, Function) and o.body.startswith(("RETURN ", "BEGIN ATOMIC "))]
        if not bodies:
            return
        edit = editor()
        edited = [(o, body_edited(o.body, edit)) for o in bodies]
        edited = [(o, body) for o, body in edited if body != o.body]
        if not edited:
            return
        if any(o.name == key.name and o.schema != key.schema  # type: ignore[attr-defined]
               for kind in ("table", "view") for o in self.catalog.of_kind(kind)):
            self._diag(f'the SQL-standard bodies naming "{key.name}" are kept as written: '
                       "which schema's relation of that name they read is not modelled")
            return
        for o, body in edited:
            self._put(replace(o, body=body))

    def _rename_fields_in_bodies(self, schema: str, table: str, old: str, new: str) -> None:
        """A column of ``schema.table`` renamed: the SQL-standard bodies of routines taking a
        row of the table (``p categories``) print the field selections ``(p).old`` new."""
        row_type = qualified(schema, table)
        for o in list(self.catalog.of_kind("function")):
            if not (isinstance(o, Function)
                    and o.body.startswith(("RETURN ", "BEGIN ATOMIC "))):
                continue
            rows: dict[str, bool | None] = {
                m.group(1)[1:-1].replace('""', '"') if m.group(1)[:1] == '"' else m.group(1): True
                for m in map(_ARGUMENT.match, top_items(o.arguments))
                if m is not None and m.group(2) == row_type}
            if rows:
                body = body_edited(o.body, lambda e, r=rows: rename_field(e, old, new, r)[0])
                if body != o.body:
                    self._put(replace(o, body=body))

    def _column_renamer(self, table: str, old: str, new: str) -> Callable[[str], str]:
        """An edit of canonical text renaming ``table``'s column ``old`` (its record already
        renamed ``new``) where a reference resolves to it."""
        columns = self._column_names_by_relation()
        columns[table] = (columns.get(table, frozenset()) - {new}) | {old}
        return lambda e: rename_relation_column(e, table, old, new, None, columns)

    def _column_names_by_relation(self) -> dict[str, frozenset[str]]:
        """Each table's and view's column names, by unqualified name (those of the tables of
        one name in several schemas together)."""
        out: dict[str, set[str]] = {}
        for c in self.catalog.of_kind("column"):
            if isinstance(c, Column):
                out.setdefault(c.table, set()).add(c.name)
        for v in self.catalog.of_kind("view"):
            if isinstance(v, View) and v.names is not None:
                out.setdefault(v.name, set()).update(v.names)
        return {name: frozenset(cols) for name, cols in out.items()}

    def _rename_column_in_policies(self, schema: str, table: str, old: str, new: str) -> None:
        """A column renamed (its record already is): the policies on its table, and those on
        others whose subqueries read it, print the new name."""
        columns: dict[str, frozenset[str]] | None = None
        for o in list(self.catalog.of_kind("policy")):
            if not isinstance(o, Policy):
                continue
            on_it = (o.schema, o.table) == (schema, table)
            if not on_it and not any(e and "SELECT" in e.upper()
                                     for e in (o.using, o.with_check)):
                continue
            if columns is None:
                columns = self._column_names_by_relation()
                columns[table] = (columns.get(table, frozenset()) - {new}) | {old}
            using, check = (rename_relation_column(e, table, old, new, o.table, columns)
                            if e else e for e in (o.using, o.with_check))
            renamed = replace(o, using=using, with_check=check)
            if renamed != o:
                self._put(renamed)

    def _views_undecided(self, relation: str, column: str, new: str) -> None:
        """Column ``column`` of ``relation`` renamed to ``new``: the views reading it print
        ``new AS old`` now, so their query is undecided; a view on ``relation`` whose query
        cannot read it (see :func:`_may_read_column`) prints as it did (what each view's
        text names the column by: :meth:`_view_columns_renamed`)."""
        for o in list(self.catalog.of_kind("view")):
            if (isinstance(o, View) and relation in o.relations and o.query is not None
                    and _may_read_column(o.query, column)):
                self._put(replace(o, query=None))

    def _view_columns_renamed(self, schema: str, table: str, old: str, new: str) -> None:
        """Column ``old`` of ``table`` is ``new`` now: the views made before know it by the
        name they knew ``old`` by (see :meth:`DropReplay._drop_column_dependents`)."""
        for o in self.catalog.of_kind("view"):
            if isinstance(o, View) and table in o.relations:
                names = self._view_column_names.setdefault(o.key, {})
                names[(schema, table, new)] = names.get((schema, table, old), old)
                names[(schema, table, old)] = None

    def _index_columns_renamed(self, schema: str, relation: str, old: str, new: str) -> None:
        """A column of a table or materialized view renamed: its indexes name the new one."""
        for o in self.catalog.indexes_on(schema, relation):
            keys = tuple(_rename_key(k, old, new) for k in o.keys)
            self._put(replace(o, keys=keys, include=tuple(new if c == old else c
                                                          for c in o.include),
                              predicate=rename_column(o.predicate, old, new)
                              if o.predicate else o.predicate))

    def _rename_column(self, schema: str, table: str, old: str, new: str) -> None:
        key = Key("column", schema, table, old)
        col = self.catalog.objects.get(key)
        if col is None:
            self._conflict(f'column "{old}" of relation "{table}" does not exist')
            return
        self._delete(key)
        self._put(replace(col, name=new))  # type: ignore[type-var]
        self._moved(key, Key("column", schema, table, new))
        self._column_references_renamed(schema, table, old, new)

    def _column_references_renamed(self, schema: str, table: str, old: str, new: str) -> None:
        """What names a table's column ``old``, now ``new``: the column's own record aside
        (an INHERITS child's inherited-only column has none, its constraints and indexes
        do name it)."""
        self._identity_renamed(schema, table, schema, table, old, new)
        self._statistics_column_renamed(schema, table, old, new)  # type: ignore[attr-defined]
        self._column_privileges_moved(schema, table, old, new)
        self._views_undecided(table, old, new)
        self._view_columns_renamed(schema, table, old, new)
        self._rename_column_in_policies(schema, table, old, new)
        self._rename_in_bodies(Key("table", schema, table),
                               lambda: self._column_renamer(table, old, new))
        self._rename_fields_in_bodies(schema, table, old, new)
        tkey = Key("table", schema, table)
        tobj: Table | None = self.catalog.objects.get(tkey)  # type: ignore[assignment]
        if tobj is not None and old in tobj.column_order:
            tobj = replace(tobj, column_order=tuple(
                new if c == old else c for c in tobj.column_order))
            self._put(tobj)
        if tobj is not None and tobj.partition_by:
            partition_by = _rename_in_partition_by(tobj.partition_by, old, new)
            self._put(replace(tobj, partition_by=partition_by))
        sub = lambda cols: tuple(new if c == old else c for c in cols)  # noqa: E731
        ren = lambda e: rename_column(e, old, new) if e else e  # noqa: E731
        q = f"{schema}.{table}"
        for o in self.catalog.on_table(schema, table):
            if isinstance(o, Constraint):
                expression = (_rename_in_exclusion(o.expression, old, new)
                              if o.type == "exclude" and o.expression else ren(o.expression))
                self._put(replace(o, columns=sub(o.columns), include=sub(o.include),
                                  on_delete_columns=sub(o.on_delete_columns),
                                  expression=expression))
            elif isinstance(o, Column) and o.generated:
                self._put(replace(o, generated=ren(o.generated)))
            elif isinstance(o, Trigger):
                events = tuple(sorted(_rename_event(e, old, new) for e in o.events))
                self._put(replace(o, events=events, when=ren(o.when)))
        for o in self.catalog.constraints_referencing(q):
            self._put(replace(o, ref_columns=sub(o.ref_columns)))
        self._index_columns_renamed(schema, table, old, new)
        for o in self.catalog.sequences_owned_by(schema, table):
            if o.owned_by == f"{table}.{old}":
                self._put(replace(o, owned_by=f"{table}.{new}"))


def _may_read_column(query: str, column: str) -> bool:
    """Whether a view's canonical query may read a column named ``column``: it names it
    (any case, quoted or not, in any relation: a false yes only leaves a query undecided),
    reads a ``*`` the canonical form did not expand, or joins ``NATURAL``ly (the join's
    columns are named nowhere)."""
    if re.search(r"\bnatural\b", query, re.IGNORECASE) or ("*" in query and _star_read(query)):
        return True
    word = r"(?<![\w$])" + re.escape(column) + r"(?![\w$])"
    return re.search(word, query, re.IGNORECASE) is not None


def _star_read(query: str) -> bool:
    """Whether a canonical query reads a ``*`` (a projection, ``t.*``): not a
    multiplication nor ``count(*)``, which read no column. True where it does not parse."""
    from sqlglot import exp

    from schemadiff.sql.normalize import _parse_expression

    tree = _parse_expression(query)
    if tree is None:
        return True
    return any(not isinstance(star.parent, exp.Func) for star in tree.find_all(exp.Star))
