"""``CREATE INDEX`` (partitioned indexes included) and ``ALTER INDEX``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Index,
    Key,
)
from schemadiff.sql import ops
from schemadiff.sql.names import (
    choose_name,
    index_column_names,
    name_addition,
)
from schemadiff.sql.normalize import altered_storage_options, storage_options
from schemadiff.sql.query_types import derived_collation
from schemadiff.sql.quote import quote_ident
from schemadiff.sql.replay.core import ReplayConflict, ReplayState
from schemadiff.sql.replay.text import typed_constants

_KEY_COLLATE = re.compile(r' COLLATE ((?:"(?:[^"]|"")*"|[\w$]+)(?:\.(?:"(?:[^"]|"")*"|[\w$]+))?)')
_NAME_PART = re.compile(r'"(?:[^"]|"")*"|[\w$]+')



def _typed_key(key: str, columns: dict[str, str]) -> str:
    """An expression key, ``(...)`` or a call, with :func:`typed_constants`."""
    if key.startswith("(") and key.endswith(")"):
        return f"({typed_constants(key[1:-1], columns)})"
    return typed_constants(key, columns)

class IndexReplay(ReplayState):
    """The replay of ``CREATE INDEX`` (partitioned indexes included) and ``ALTER INDEX``."""

    def _key_suffix(self, schema: str, table: str, key: ops.IndexKey) -> str:
        """A key's ``COLLATE x opclass DESC``, its collation named as the catalog prints it
        (one the migrations created, through the search path, with its schema); without a
        COLLATE that names the column's own collation: the index takes the column's, and
        pg_get_indexdef prints none."""
        m = _KEY_COLLATE.match(key.suffix)
        if m is None:
            return key.suffix
        name = ".".join(p[1:-1].replace('""', '"') if p.startswith('"') else p.lower()
                        for p in _NAME_PART.findall(m.group(1)))
        name = name.removeprefix("pg_catalog.")  # a built-in one, as the column holds it
        resolved = self._collation(name)
        rest = key.suffix[m.end():]
        if key.column is not None:
            column = self.catalog.objects.get(Key("column", schema, table, key.column))
            own = getattr(column, "collation", None)
            if own == resolved or (column is not None and own is None and resolved is None):
                return rest  # the column's own (None: the default)
        elif derived_collation(key.expression, self._column_collations(schema, table)) == (
                resolved or "default"):
            return rest  # the one the expression derives: pg_get_indexdef prints none
        if resolved is None:
            return ' COLLATE "default"' + rest
        return " COLLATE " + ".".join(quote_ident(p) for p in resolved.split(".", 1)) + rest

    def _op_CreateIndex(self, op: ops.CreateIndex) -> None:
        if self._is_temp(op.table):  # its name, chosen as for any index, is the session's
            keys = op.key_names or tuple(k.column or "expr" for k in op.keys)
            names = index_column_names((*keys, *op.include))
            self._temp.add(op.name or choose_name(op.table.name, name_addition(names), "idx",
                                                  lambda n: n in self._temp))
            return
        table = self._find(("table", "view"), op.table)
        if table is None:
            raise ReplayConflict(f'relation "{op.table}" does not exist')
        schema = table.schema
        taken = lambda n: self._relation_or_constraint_index(schema, n)  # noqa: E731
        written = op.key_names or tuple(k.column or "expr" for k in op.keys)
        names = index_column_names((*written, *op.include))  # one namespace for both
        if op.name is not None:
            if taken(op.name):
                if not op.if_not_exists:
                    self._conflict(f'relation "{op.name}" already exists')
                elif Key("index", schema, op.name) in self.catalog:
                    self._reassert(Key("index", schema, op.name))
                return
            name = op.name
        else:
            # a unique index made by CREATE INDEX is not a constraint: _idx; and its name only
            # has to differ from other relations' (ChooseRelationName, isconstraint false)
            name = choose_name(table.name, name_addition(names), "idx", taken)
        columns = self._typed_columns(self._relation_columns(schema, table.name)
                                      if table.kind == "table" else None)
        # a constant compared to a column in an expression key or the predicate is stored
        # as the column's type prints it
        keys = tuple((k.expression if k.column else _typed_key(k.expression, columns))
                     + self._key_suffix(schema, table.name, k) for k in op.keys)
        predicate = op.predicate
        if predicate and table.kind == "table":
            predicate = typed_constants(predicate, columns)
        idx = Index(schema, name, table.name, op.unique, op.method, keys, op.include,
                    predicate, op.nulls_not_distinct, storage_options(op.options),
                    column_names=tuple(names))
        self._put(idx)
        if not op.only and table.kind == "table":
            for part in self._partitions(schema, table.name):
                self._clone_index(idx, part)

    def _op_AlterIndex(self, op: ops.AlterIndex) -> None:
        key = self._find(("index",), op.name)
        if key is None:
            # an index that backs a constraint: renaming it renames the constraint
            schemas = (op.name.schema,) if op.name.schema else self._path()
            for schema in schemas:
                found = self._constraints_named(schema, op.name.name)
                if found and op.statistics is not None:
                    return  # a constraint's index has no expression key to set it on
                if found and op.options is not None:  # its index's storage parameters
                    ckey, con = found[0]
                    self._put(replace(con, index_options=altered_storage_options(  # type: ignore[type-var]
                        con.index_options, op.options, op.reset)))  # type: ignore[attr-defined]
                    return
                if found and op.rename:
                    ckey, con = found[0]
                    self._rename_index_like(ckey, replace(con, name=op.rename), ckey.name)  # type: ignore[type-var]
                    return
            other = self._find(("table", "view", "sequence"), op.name) if op.rename else None
            if other is not None:  # ALTER INDEX ... RENAME renames any relation
                self._rename_relation(other, other.schema, op.rename)  # type: ignore[arg-type]
            elif not op.if_exists:
                self._conflict(f'relation "{op.name}" does not exist')
            return
        if op.statistics is not None:
            idx: Index = self.catalog.objects[key]  # type: ignore[assignment]
            number, target = op.statistics
            targets = {int(n): t for n, _, t in (o.partition("=") for o in idx.statistics)}
            targets.pop(number, None)
            if target is not None:
                targets[number] = str(target)
            self._put(replace(idx, statistics=tuple(
                f"{n}={t}" for n, t in sorted(targets.items()))))
            return
        if op.options is not None:
            index = self.catalog.objects[key]
            options = altered_storage_options(index.options, op.options, op.reset)  # type: ignore[attr-defined]
            self._put(replace(index, options=options))  # type: ignore[type-var]
            return
        self._rename_relation(key, op.set_schema or key.schema, op.rename or key.name)


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.CreateIndex: IndexReplay._op_CreateIndex,
    ops.AlterIndex: IndexReplay._op_AlterIndex,
}
