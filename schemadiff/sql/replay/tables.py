"""``CREATE TABLE`` (columns, constraints, partitions, ``LIKE``, typed tables) and
``CREATE TABLE AS``: the columns, the implicit sequences, NOT NULLs and constraint names."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Column,
    CompositeType,
    Constraint,
    Domain,
    Index,
    Key,
    Sequence,
    Table,
)
from schemadiff.sql import ops
from schemadiff.sql.names import (
    choose_name,
    index_column_names,
    name_addition,
)
from schemadiff.sql.normalize import (
    TOAST_TUPLE_THRESHOLD,
    bound_value,
    canonical_default,
    nextval_default,
    qualified,
    quote_literal,
    referenced_columns,
    storage_options,
    type_max_size,
    type_storage,
    without_toast,
)
from schemadiff.sql.replay.core import INDEX_BACKED, ReplayConflict, ReplayState
from schemadiff.sql.replay.sequences import INT_RANGES, NUMBER
from schemadiff.sql.replay.text import split_index_key, top_items, typed_constants
from schemadiff.sql.tokens import Stream


def _without_duplicate_indexes(constraints: list[ops.ConstraintDef]) -> list[ops.ConstraintDef]:
    """transformIndexConstraints: of the index-backed constraints of one statement, those
    with equal index definitions make one index (the primary key's, else the first one's,
    taking the first name given). ``a int UNIQUE, UNIQUE (a)`` is one constraint.
    """
    def shape(c: ops.ConstraintDef) -> tuple[object, ...]:
        return (c.columns, c.include, c.expression, c.method if c.type == "exclude" else "btree",
                c.nulls_not_distinct, c.deferrable, c.initially_deferred)

    indexed = [c for c in constraints if c.type in INDEX_BACKED and c.using_index is None]
    if len(indexed) < 2:
        return constraints
    kept: list[ops.ConstraintDef] = [c for c in indexed if c.type == "primary key"][:1]
    renamed: dict[int, ops.ConstraintDef] = {}
    dropped: set[int] = set()
    for c in indexed:
        if kept and c is kept[0]:
            continue
        prior = next((k for k in kept if shape(k) == shape(c)), None)
        if prior is None:
            kept.append(c)
            continue
        dropped.add(id(c))
        if prior.name is None and c.name is not None:
            new = replace(prior, name=c.name)
            renamed[id(prior)] = new
            kept[kept.index(prior)] = new
    out = []
    for c in constraints:
        if id(c) in dropped:
            continue
        out.append(renamed.get(id(c), c))
    return out



#: a partition bound value the replay keeps as written: a constant, not an expression
_BOUND_CONSTANT = re.compile(
    r"'(?:[^']|'')*'|[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|MINVALUE|MAXVALUE|NULL"
    r"|TRUE|FALSE", re.IGNORECASE)


#: the key types whose bound constants are stored as the type's output function prints them
_OUTPUT_TYPED_BOUNDS = frozenset({"boolean", "date", "uuid", "inet", "macaddr", "int4range",
                                  "int8range", "daterange", "numrange"})
#: character(n), whose bound constants are padded to n
_CHARACTER = re.compile(r"character\((\d+)\)")

#: the types of a column that has a collation: text, character varying, character, name,
#: citext (and arrays of them)
_COLLATABLE = re.compile(r"(?:text|character varying|character|name|(?:[\w\"]+\.)?citext)\b")

def _map_groups(text: str, fn: Callable[[str], str]) -> str:
    """``text`` with the inside of each outermost ``( ... )`` replaced by ``fn`` of it; quotes
    are skipped (``IN ('[2,)')``: the ``)`` is the string's)."""
    out: list[str] = []
    depth, start, i, n = 0, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            close = text.find(c, i + 1)
            while close >= 0 and text.startswith(c, close + 1):  # a doubled quote
                close = text.find(c, close + 2)
            i = n if close < 0 else close + 1
            continue
        if c == "(":
            if depth == 0:
                out.append(text[start:i + 1])
                start = i + 1
            depth += 1
        elif c == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append(fn(text[start:i]))
                start = i
        i += 1
    out.append(text[start:])
    return "".join(out)


class TableReplay(ReplayState):
    """The replay of ``CREATE TABLE`` (columns, constraints, partitions, ``LIKE``, typed
    tables) and ``CREATE TABLE AS``: the columns, the implicit sequences, NOT NULLs and
    constraint names."""

    def _op_CreateTable(self, op: ops.CreateTable) -> None:
        if op.persistence == "temporary" or op.name.schema == "pg_temp":
            self._temp.add(op.name.name)
            return
        schema = self._creation_schema(op.name.schema)
        name = op.name.name
        if self._relation_or_constraint_index(schema, name):
            if not op.if_not_exists:
                self._conflict(f'relation "{name}" already exists')
            elif Key("table", schema, name) in self.catalog:
                self._reassert(Key("table", schema, name))
            return
        parent: Table | None = None
        columns = list(op.columns)
        if op.partition_of is not None:
            parent = self._table(op.partition_of)
            given = {c.name: c for c in columns}
            columns = [
                ops.ColumnDef(c.name, None, c.not_null, c.default, None, c.generated, c.collation,
                              virtual=c.virtual)
                for c in self.catalog.columns(parent.schema, parent.name)
            ]
            columns = [self._merge_partition_column(c, given.get(c.name)) for c in columns]
        typed: dict[str, str] = {}  # OF type: the columns are the type's attributes
        of_type = None
        if op.of_type is not None:
            composite = self._find(("composite",), ops.QName(op.of_type.schema, op.of_type.name))
            if composite is None:
                raise ReplayConflict(f'type "{op.of_type.name}" does not exist')
            of_type = qualified(composite.schema, composite.name)
            typed = dict(self.catalog.objects[composite].attributes_)  # type: ignore[attr-defined]
            given = {c.name: c for c in columns}
            columns = [replace(given[n], type=None) if n in given else ops.ColumnDef(n, None)
                       for n in typed]
        copied: list[Column] = []  # LIKE: name, type, NOT NULL, collation (+ INCLUDING ...)
        copied_checks: list[Constraint] = []
        for src, options in op.like:
            other = self._find(("view", "composite"), src)
            if other is not None and self._find(("table",), src) is None:
                # LIKE a view or a composite type: its columns' names and types only
                copied += [Column(schema, name, n, t) for n, t in self._row_of(other)]
                continue
            like = self._table(src)
            for c in self._table_columns(like):
                copied.append(replace(
                    c, schema=schema, table=name,
                    comment=c.comment if "COMMENTS" in options else None,
                    default=c.default if "DEFAULTS" in options else None,
                    generated=c.generated if "GENERATED" in options else None,
                    virtual=c.virtual and "GENERATED" in options,
                    not_null_validated=True,  # the copy's NOT NULL is a new, valid one
                    identity=c.identity if "IDENTITY" in options else None,
                    identity_options=c.identity_options if "IDENTITY" in options else (),
                    storage=c.storage if "STORAGE" in options else "default", statistics=None,
                    options=(),
                    compression=c.compression if "COMPRESSION" in options else "default"))
            if "CONSTRAINTS" in options:
                copied_checks += [
                    # the copy of a NOT VALID CHECK is valid (its table is empty), but a NOT
                    # ENFORCED one stays unvalidated (PostgreSQL 18)
                    replace(o, schema=schema, table=name, validated=o.enforced,
                            comment=o.comment if "COMMENTS" in options else None)
                    for o in self._table_checks(like)]
        # INHERITS: the columns and checks a child inherits are the parent's (as pg_dump and
        # the catalog sources see them: attislocal / conislocal), only its own are modelled;
        # a column of its own (declared, or copied by LIKE) that merges with an inherited one
        # takes the default the parent gives it and its NOT NULL.
        for parent_name in op.inherits:
            if self._uncompared_key("relation", parent_name) is not None:
                continue  # a foreign table: its columns are not held
            theirs = {pc.name: pc for pc in self._table_columns(self._table(parent_name))}
            for i, c in enumerate(columns):
                pc = theirs.get(c.name)
                if pc is not None:  # the parent's generation expression comes along too
                    columns[i] = replace(c, default=c.default or pc.default,
                                         not_null=c.not_null or pc.not_null,
                                         compression=c.compression or pc.compression,
                                         generated=c.generated or pc.generated,
                                         virtual=c.virtual if c.generated else pc.virtual)
            for i, cc in enumerate(copied):
                pc = theirs.get(cc.name)
                if pc is not None:
                    copied[i] = replace(cc, default=cc.default or pc.default,
                                        not_null=cc.not_null or pc.not_null,
                                        generated=cc.generated or pc.generated,
                                        virtual=cc.virtual if cc.generated else pc.virtual)
        self._any_inherits = self._any_inherits or bool(op.inherits)
        order: tuple[str, ...] = ()
        if op.inherits:  # the inherited columns first (merged by name), then its own
            names = dict.fromkeys(
                c.name for p in op.inherits if self._uncompared_key("relation", p) is None
                for c in self._table_columns(self._table(p)))
            order = tuple({**names, **dict.fromkeys(
                [c.name for c in copied] + [c.name for c in columns])})
        self._put(Table(
            schema, name, op.persistence, self._collations_named(
                op.partition_by, {c.name: self._collation(c.collation) for c in op.columns},
                {c.name: (self._type_text(c.type) if c.type else None,
                          self._collation(c.collation)) for c in op.columns}
                if op.partition_by and "COLLATE" in op.partition_by else None),
            f"{parent.schema}.{parent.name}" if parent else None,
            self._typed_bound(parent, op.partition_bound) if parent else op.partition_bound,
            tuple(self._qualified_table(q) for q in op.inherits), of_type,
            column_order=order, options=storage_options(op.options),
            access_method=self._access_method(op.access_method, op.partition_by, parent),
        ))
        if len(op.inherits) > 1:
            self._merged_defaults(Key("table", schema, name),
                                  {c.name for c in copied} | {c.name for c in columns})
        for position, column in enumerate(copied, start=1):
            self._put(replace(column, position=position))
        for check in copied_checks:
            self._put(check)
        pending: list[ops.ConstraintDef] = []
        for position, col in enumerate(columns, start=len(copied) + 1):
            pending += self._add_column(schema, name, col, position, parent, typed.get(col.name))
        # a new table's constraints hold already: NOT VALID is ignored (they are validated)
        self._add_constraints(schema, name, [replace(c, not_valid=False) if c.not_valid else c
                                             for c in pending + list(op.constraints)])
        if parent is not None:
            created: Table = self.catalog.objects[Key("table", schema, name)]  # type: ignore[assignment]
            for pc in self.catalog.columns(parent.schema, parent.name):  # its storage too
                mine = self.catalog.objects.get(Key("column", schema, name, pc.name))
                if isinstance(mine, Column) and mine.storage != pc.storage:
                    self._put(replace(mine, storage=pc.storage))
                    mine = self.catalog.objects[mine.key]  # type: ignore[assignment]
                # and its compression, unless the partition's own column says one
                if isinstance(mine, Column) and mine.compression == "default":
                    self._put(replace(mine, compression=pc.compression))
            self._inherit_partition_indexes(parent, created)
        for src, options in op.like:
            if "INDEXES" in options and self._find(("table",), src) is not None:
                self._copy_indexes(self._table(src), schema, name, "COMMENTS" in options)
        self._toast_kept(Key("table", schema, name))

    def _toast_kept(self, key: Key) -> None:
        """The table's ``toast.`` storage parameters are gone where it has no TOAST table
        (the server keeps them on that table: without it it drops them)."""
        t: Table = self.catalog.objects[key]  # type: ignore[assignment]
        if any(o.startswith("toast.") for o in t.options) and not self._has_toast(t):
            self._put(replace(t, options=without_toast(t.options)))

    def _has_toast(self, t: Table) -> bool:
        """Whether the table has a TOAST table (PostgreSQL's needs_toast_table): a column
        whose storage is not ``plain`` and whose values have no bound, or such columns whose
        bounds add up past ``TOAST_TUPLE_THRESHOLD``; never a partitioned table. A column of
        a type whose storage the replay does not know (an extension's) counts as one."""
        if t.partition_by:
            return False
        size = 0
        for c in self._table_columns(t):  # type: ignore[attr-defined]
            storage = c.storage if c.storage not in (None, "default") else \
                self._own_storage(c.type)
            if storage == "plain":
                continue
            bound = type_max_size(c.type) if c.type else None
            if bound is None:
                return True
            size += bound
        return size > TOAST_TUPLE_THRESHOLD

    def _own_storage(self, type_text: str | None) -> str | None:
        """A type's own storage: a built-in's, an array's, an enum's (plain), a composite's
        (extended), a domain's base type's; None where not known."""
        if type_text is None:
            return None
        own = type_storage(type_text)
        if own is not None or '"' in type_text or "." not in type_text:
            return own
        schema, _, name = type_text.partition(".")
        if Key("enum", schema, name) in self.catalog:
            return "plain"
        if Key("composite", schema, name) in self.catalog:
            return "extended"
        domain = self.catalog.get(Key("domain", schema, name))
        return self._own_storage(domain.type) if isinstance(domain, Domain) else None

    def _merged_defaults(self, key: Key, own: set[str]) -> None:
        """A new child of several parents: a column it inherits only from more than one of
        them takes the default one of them has (PostgreSQL refuses two different ones), not
        only its first parent's."""
        t: Table = self.catalog.objects[key]  # type: ignore[assignment]
        defaults: dict[str, str | None] = {}
        for pobj in self._parent_tables(t):  # type: ignore[attr-defined]
            for c in self._table_columns(pobj):
                if c.name not in own and defaults.get(c.name) is None:
                    defaults[c.name] = c.default
        for column, default in defaults.items():
            if default is not None:
                t = self._set_inherited_default(t, column, default)

    def _typed_bound(self, parent: Table, bound: str | None) -> str | None:
        """A bound's values as the key's types store them: ``10.0`` on an integer key is 10."""
        if not bound or bound == "DEFAULT" or bound.startswith("WITH") or not parent.partition_by:
            return bound
        _, _, inner = parent.partition_by.partition(" ")
        types = []
        for part in top_items(inner[1:-1]):
            expr, is_expr, _ = split_index_key(part)
            name = expr[1:-1].replace('""', '"') if expr.startswith('"') else expr
            col = None if is_expr else self.catalog.objects.get(
                Key("column", parent.schema, parent.name, name))
            types.append(getattr(col, "type", None))

        listed = bound.startswith("IN")

        def typed(values: str) -> str:
            out = []
            for i, v in enumerate(top_items(values)):
                # IN lists values of the one key column, FROM and TO one value a column
                t = types[0] if listed else types[i] if i < len(types) else None
                if t in INT_RANGES and re.fullmatch(r"-?\d+\.0*", v):
                    v = v.split(".")[0]
                elif t in ("double precision", "real") and NUMBER.fullmatch(v):
                    v = repr(float(v)).removesuffix(".0")  # float8out: shortest, no ".0"
                elif (t in _OUTPUT_TYPED_BOUNDS and _BOUND_CONSTANT.fullmatch(v)
                      and v.upper() not in ("NULL", "MINVALUE", "MAXVALUE")):
                    # as the type prints it ('yes' is true, '2024-1-1' '2024-01-01'); a
                    # string of digits came up as a number ('20240201' on a date key)
                    literal = v if v.startswith("'") else quote_literal(v)
                    v = bound_value(canonical_default(literal, t) or literal)
                elif t and (n := _CHARACTER.fullmatch(t)) and v.startswith("'"):
                    v = quote_literal(v[1:-1].replace("''", "'").ljust(int(n.group(1))))
                elif not _BOUND_CONSTANT.fullmatch(v):  # date '2024-01-01' + 7, 'a' || 'b'
                    self._diag(f"partition bound {v}: an expression, which PostgreSQL "
                               "evaluates once; its value is not modelled")
                out.append(v)
            return ", ".join(out)

        return _map_groups(bound, typed)

    def _row_of(self, key: Key) -> list[tuple[str, str]]:
        """A view's or composite type's columns ``(name, type)`` (a view's from its query)."""
        from schemadiff.sql.query_types import output_columns

        obj = self.catalog.objects[key]
        if isinstance(obj, CompositeType):
            return list(obj.attributes_)
        columns = output_columns(obj.definition, self._relation_columns,  # type: ignore[attr-defined]
                                 self._resolve_type_text)
        if columns is None:
            raise ReplayConflict(f'the columns of view "{key.name}" are not modelled')
        return columns

    def _merge_partition_column(self, inherited: ops.ColumnDef,
                                given: ops.ColumnDef | None) -> ops.ColumnDef:
        if given is None:
            return inherited
        return replace(inherited, not_null=inherited.not_null or given.not_null,
                       default=given.default or inherited.default, constraints=given.constraints)

    def _access_method(self, given: str | None, partition_by: str | None = None,
                       parent: Table | None = None) -> str:
        """A new table's access method: ``USING``'s; else a partition's parent's where that
        has one of its own (PostgreSQL 17); else, but for a partitioned table (which has
        none), the session's ``default_table_access_method``; else ``heap``."""
        if given is not None:
            return given
        if parent is not None and parent.access_method != "heap":
            return parent.access_method
        if partition_by is None and self._table_am is not None:
            return self._table_am
        return "heap"

    def _op_CreateTableAs(self, op: ops.CreateTableAs) -> None:
        from schemadiff.sql.query_types import output_columns_loose

        if op.persistence == "temporary" or op.name.schema == "pg_temp":
            self._temp.add(op.name.name)
            return
        schema = self._creation_schema(op.name.schema)
        if self._relation_or_constraint_index(schema, op.name.name):
            if not op.if_not_exists:
                self._conflict(f'relation "{op.name.name}" already exists')
            elif Key("table", schema, op.name.name) in self.catalog:
                self._reassert(Key("table", schema, op.name.name))
            return
        columns = output_columns_loose(op.query, self._relation_columns, self._resolve_type_text)
        if columns is None:
            raise ReplayConflict(f'CREATE TABLE AS: the columns of table "{op.name.name}" '
                                 "(its query's output) are not modelled")
        if self._derives_collations(op.query, columns):
            # the type is known, the collation (which the diff takes as undecided with the
            # type) is not: the type of each collatable column is left undecided too
            columns = [(n, None if t is None or _COLLATABLE.match(t) else t) for n, t in columns]
        names = list(op.columns) + [c[0] for c in columns[len(op.columns):]]
        self._put(Table(schema, op.name.name, op.persistence,
                        options=storage_options(op.options),
                        access_method=self._access_method(op.access_method)))
        pairs = zip(columns, names, strict=False)
        for position, ((_, type_text), name) in enumerate(pairs, start=1):
            self._put(Column(schema, op.name.name, name, type_text, position=position))
        self._toast_kept(Key("table", schema, op.name.name))
        untyped = [n for (_, t), n in zip(columns, names, strict=False) if t is None]
        if untyped:
            self._diag(f'CREATE TABLE AS: the type and collation of column(s) '
                       f'{", ".join(untyped)} of table "{op.name.name}" (from its query) are '
                       "not modelled; not compared")

    def _derives_collations(self, query: str, columns: list[tuple[str, str | None]]) -> bool:
        """Whether a query's collatable output may take a collation other than its type's
        default (which the new table's columns keep): it has a COLLATE, or reads a column of
        a collation of its own (or of type name, whose collation "C" a text made of it takes;
        a name column made of it has it as its type's default)."""
        from schemadiff.sql.normalize import qualified_relations

        collatable = [t for _, t in columns if t is not None and _COLLATABLE.match(t)]
        if not collatable:
            return False
        if re.search(r"(?i)\bcollate\b", query):
            return True
        not_name = any(t != "name" for t in collatable)
        for schema, name in qualified_relations(query):
            key = self._find(("table",), ops.QName(schema, name))
            if key is not None and any(c.collation is not None or (c.type == "name" and not_name)
                                       for c in self.catalog.columns(key.schema, key.name)):
                return True
        return False

    def _relation_columns(self, schema: str | None, name: str) -> list[tuple[str, str]] | None:
        """A table's ``(column, type)`` in order, for a query's shape (None: not a table the
        model knows the columns of; a temporary one, a view)."""
        qn = ops.QName(schema, name)
        if self._is_temp(qn):
            return None
        key = self._find(("table",), qn)
        if key is None:
            return None
        table: Table = self.catalog.objects[key]  # type: ignore[assignment]
        return [(c.name, c.type) for c in self._table_columns(table)]

    def _resolve_type_text(self, text: str) -> str | None:
        from schemadiff.sql.grammar import data_type
        from schemadiff.sql.tokens import SyntaxProblem

        try:
            return self._type_text(data_type(Stream(text)))
        except SyntaxProblem:
            return None

    def _next_position(self, schema: str, table: str) -> int:
        cols = self.catalog.columns(schema, table)
        return (cols[-1].position + 1) if cols else 1

    def _add_column(self, schema: str, table: str, col: ops.ColumnDef, position: int,
                    parent: Table | None = None, typed: str | None = None
                    ) -> list[ops.ConstraintDef]:
        """Add a column; return its inline constraints for the caller to add in PG's order.

        ``typed``: the column's type when it comes from elsewhere (a typed table's type)."""
        if typed is not None:
            type_text = typed
        elif parent is not None and col.type is None:
            parent_col = self.catalog.objects[Key("column", parent.schema, parent.name, col.name)]
            type_text = parent_col.type  # type: ignore[attr-defined]
        elif col.type is None:
            raise ReplayConflict(f'column "{col.name}" has no type')
        else:
            type_text = self._type_text(col.type)
        default = col.default
        not_null = col.not_null or col.identity is not None
        if col.type is not None and col.type.serial:
            seq_name = choose_name(table, col.name, "seq",
                                   lambda n: self._relation_or_constraint_index(schema, n))
            _lo, hi = INT_RANGES[type_text]
            owner = self.catalog.objects.get(Key("table", schema, table))
            self._put(Sequence(schema, seq_name, type_text, 1, 1, 1, hi, 1, False,
                               f"{table}.{col.name}",  # an unlogged table's is unlogged (15)
                               persistence=getattr(owner, "persistence", "permanent")))
            default = nextval_default(seq_name)
            not_null = True
        collation = self._collation(col.collation)
        default = self._stored_default(default, type_text)
        generated = col.generated and typed_constants(
            col.generated, dict(self._relation_columns(schema, table) or ()))
        self._put(Column(schema, table, col.name, type_text, not_null, default, col.identity,
                         generated, collation, position=position,
                         virtual=col.generated is not None and col.virtual,
                         not_null_no_inherit=col.not_null and col.not_null_no_inherit,
                         compression=col.compression or "default",
                         identity_options=self._identity_options(  # type: ignore[attr-defined]
                             type_text, (), col.identity_options, fresh=True)
                         if col.identity is not None else ()))
        if col.identity is not None:
            self._identity_added(schema, table, col.name, col.identity_sequence)
        return list(col.constraints)

    def _add_constraints(self, schema: str, table: str, constraints: list[ops.ConstraintDef],
                         recurse: bool = True) -> None:
        """In PostgreSQL's order: checks, then index-backed constraints, then foreign keys.

        ``recurse``: a primary key, unique or check constraint on a partitioned table is
        created on its partitions too (not with ``ALTER TABLE ONLY``, as pg_dump writes it).
        """
        order = {"check": 0, "primary key": 1, "unique": 1, "exclude": 1, "foreign key": 2}
        constraints = _without_duplicate_indexes(constraints)
        for c in sorted(constraints, key=lambda c: order.get(c.type, 3)):
            self._add_constraint(schema, table, c)
            if recurse and c.type == "check" and c.not_valid and not c.no_inherit:
                name = next(o.name for o in reversed(self.catalog.on_table(schema, table))
                            if isinstance(o, Constraint) and o.type == "check"
                            and (c.name is None or o.name == c.name))
                self._checks_validated(schema, table, name, False)
            if recurse and c.type in ("primary key", "unique", "check") and not c.no_inherit:
                added = [o for o in self.catalog.on_table(schema, table)
                         if isinstance(o, Constraint) and o.type == c.type
                         and (c.name is None or o.name == c.name)]
                children = (self._children(schema, table) if c.type == "check"
                            else self._partitions(schema, table))
                for con in added[-1:]:
                    for part in children:
                        self._clone_constraint(con, part)
            elif recurse and c.type == "not null" and not c.no_inherit:
                self._not_null_to_children(schema, table, c)
            elif recurse and c.type == "foreign key":  # a partition's equal one is attached
                fks = [o for o in self.catalog.on_table(schema, table) if isinstance(o, Constraint)
                       and o.type == "foreign key" and (c.name is None or o.name == c.name)]
                for part in self._partitions(schema, table) if fks else ():
                    self._foreign_key_attached(fks[-1], part)

    def _not_null_to_children(self, schema: str, table: str, c: ops.ConstraintDef) -> None:
        """PostgreSQL 18's ``ADD CONSTRAINT n NOT NULL col [NOT VALID]`` reaches the
        partitions and inheriting tables (their own column, NOT VALID too), and theirs."""
        for child in [*self._children(schema, table), *self._inheritors(schema, table)]:
            col = self.catalog.objects.get(Key("column", child.schema, child.name, c.columns[0]))
            if isinstance(col, Column) and not col.not_null:
                self._put(replace(col, not_null=True, not_null_validated=not c.not_valid))
            elif col is None:  # a column it inherits only
                self._set_inherited_not_null(child.key, c.columns[0], True)
            self._not_null_to_children(child.schema, child.name, c)

    def _add_constraint(self, schema: str, table: str, c: ops.ConstraintDef) -> None:
        def taken_rel(n: str) -> bool:
            return (self._relation_or_constraint_index(schema, n)
                    or self._constraint_name_taken(schema, n))

        taken_con = lambda n: self._constraint_name_taken(schema, n)  # noqa: E731
        columns = c.columns
        if c.using_index:
            idx_key = Key("index", schema, c.using_index)
            idx: Index | None = self.catalog.objects.get(idx_key)  # type: ignore[assignment]
            if idx is None:
                raise ReplayConflict(f'index "{c.using_index}" does not exist')
            columns = tuple(k for k in idx.keys)
            self._delete(idx_key)
            name = c.name or c.using_index
            self._put(Constraint(schema, table, name, c.type, tuple(columns), include=idx.include,
                                 nulls_not_distinct=idx.nulls_not_distinct,
                                 deferrable=c.deferrable, initially_deferred=c.initially_deferred,
                                 index_comment=idx.comment, column_names=idx.column_names,
                                 index_options=idx.options))
            if c.type == "primary key":
                self._set_not_null(schema, table, columns)
            return
        index_names: tuple[str, ...] | None = None
        if c.type == "primary key":
            name = c.name or choose_name(table, None, "pkey", taken_rel)
            self._set_not_null(schema, table, columns)
        elif c.type in ("unique", "exclude"):
            # ChooseIndexColumnNames runs over the key and the INCLUDE columns alike
            label = "key" if c.type == "unique" else "excl"
            index_names = tuple(index_column_names(c.key_names + c.include))
            name = c.name or choose_name(table, name_addition(index_names), label, taken_rel)
        elif c.type == "check":
            cols = referenced_columns(c.expression or "")
            single = next(iter(cols)) if len(cols) == 1 else None
            name = c.name or choose_name(table, single, "check", taken_con)
            columns = ()
        elif c.type == "foreign key":
            name = c.name or choose_name(table, name_addition(columns), "fkey", taken_con)
        elif c.type == "not null":
            # PostgreSQL 18 names NOT NULL constraints; attnotnull is set even NOT VALID, and
            # a NOT VALID one is left unvalidated (not in CREATE TABLE: the table is empty)
            col = self.catalog.objects.get(Key("column", schema, table, columns[0]))
            if isinstance(col, Column) and not col.not_null:
                self._put(replace(col, not_null=True, not_null_validated=not c.not_valid,
                                  not_null_no_inherit=c.no_inherit))
            self._set_not_null(schema, table, columns)
            if c.name:
                self._not_null_names[(schema, table, c.name)] = columns[0]
            return
        else:
            raise ReplayConflict(f"unknown constraint type {c.type}")
        key = Key("constraint", schema, table, name)
        if key in self.catalog:
            raise ReplayConflict(f'constraint "{name}" for relation "{table}" already exists')
        ref_table = None
        ref_columns: tuple[str, ...] = ()
        if c.type == "foreign key" and c.ref_table is not None:
            ref_table = self._qualified_table(c.ref_table)
            ref_columns = c.ref_columns or self._primary_key_columns(ref_table)
        expression = c.expression
        if c.type == "exclude":
            expression = self._collations_named(expression, {
                col.name: col.collation for col in self.catalog.columns(schema, table)},
                self._column_collations(schema, table))
        if c.type == "check" and expression:
            expression = typed_constants(
                expression, self._typed_columns(self._relation_columns(schema, table)))
        where = expression.find(" WHERE (") if c.type == "exclude" and expression else -1
        if where >= 0 and expression.endswith(")"):  # an exclusion's predicate: as a CHECK
            expression = expression[:where + 8] + typed_constants(
                expression[where + 8:-1],
                self._typed_columns(self._relation_columns(schema, table))) + ")"
        self._put(Constraint(
            schema, table, name, c.type, tuple(columns), expression, ref_table, ref_columns,
            c.on_update, c.on_delete, c.match, c.include, c.nulls_not_distinct, c.deferrable,
            # NOT ENFORCED: PostgreSQL 18 records the constraint as not validated either
            c.initially_deferred, not (c.not_valid or c.not_enforced), c.no_inherit,
            enforced=not c.not_enforced, period=c.period, column_names=index_names,
            on_delete_columns=c.on_delete_columns,
            index_options=storage_options(c.options) if c.type in INDEX_BACKED else (),
        ))

    def _primary_key_columns(self, ref_table: str) -> tuple[str, ...]:
        schema, _, table = ref_table.partition(".")
        for o in self.catalog.on_table(schema, table):
            if isinstance(o, Constraint) and o.type == "primary key":
                return o.columns
        return ()

    def _set_not_null(self, schema: str, table: str, columns: tuple[str, ...]) -> None:
        for col in columns:
            key = Key("column", schema, table, col)
            obj = self.catalog.objects.get(key)
            if obj is not None and not obj.not_null:  # type: ignore[attr-defined]
                self._put(replace(obj, not_null=True))  # type: ignore[type-var]
            elif obj is None and self._inherited_column(schema, table, col):
                # an INHERITS child's key or NOT NULL on a column it inherits only: its own
                self._set_inherited_not_null(Key("table", schema, table), col, True)


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.CreateTable: TableReplay._op_CreateTable,
    ops.CreateTableAs: TableReplay._op_CreateTableAs,
}
