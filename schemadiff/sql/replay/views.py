"""Views and materialized views: their columns and canonical query."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from schemadiff.model import (
    Key,
    View,
)
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    canonical_view_query,
    referenced_relations,
    storage_options,
    view_options,
    without_toast,
)
from schemadiff.sql.replay.core import ReplayConflict, ReplayState

if TYPE_CHECKING:
    from sqlglot import exp


class ViewReplay(ReplayState):
    """The replay of views and materialized views: their columns and canonical query."""

    def _column_typer(self) -> Callable[[exp.Expression], Callable[[exp.Column], str | None]]:
        """A query's column references typed by the tables the catalog holds now."""
        from schemadiff.sql.query_types import column_typer

        relations = self._relation_columns  # type: ignore[attr-defined]
        return lambda tree: column_typer(tree, relations)

    def _op_ConvertToView(self, op: ops.ConvertToView) -> None:
        key = self._find(("table",), op.name)
        if key is None:
            raise ReplayConflict(f'relation "{op.name}" does not exist')
        comment = self.catalog.objects[key].comment
        names = tuple(c.name for c in self.catalog.columns(key.schema, key.name))
        self._drop_table(key)
        self._put(View(key.schema, key.name, False, referenced_relations(op.query),
                       canonical_view_query(op.query, self._star_columns(op.query),
                                            self._column_typer()),
                       definition=op.query, comment=comment, names=names))

    def _op_CreateView(self, op: ops.CreateView) -> None:
        from schemadiff.sql.normalize import qualified_relations

        relations = referenced_relations(op.query)
        reads_temp = any(self._is_temp(ops.QName(sc, n)) for sc, n in qualified_relations(op.query))
        if op.temporary or (not op.materialized and reads_temp):
            self._temp.add(op.name.name)  # a view reading a temporary table is temporary too
            return
        schema = self._creation_schema(op.name.schema)
        key = Key("view", schema, op.name.name)
        if key in self.catalog and not op.or_replace:
            if not op.if_not_exists:
                self._conflict(f'relation "{op.name.name}" already exists')
            self._reassert(key)
            return
        if key in self.catalog:
            self._reassert(key, "**")
        if key not in self.catalog and self._relation_or_constraint_index(schema, op.name.name):
            self._conflict(f'relation "{op.name.name}" already exists')
            return
        comment = self.catalog.objects[key].comment if key in self.catalog else None
        query = canonical_view_query(op.query, self._star_columns(op.query),
                                     self._column_typer())
        # a materialized view's TOAST table's parameters are not compared
        options = (without_toast(storage_options(op.options)) if op.materialized
                   else view_options(op.options))  # replaced, not merged
        from schemadiff.sql.query_types import output_names

        names = output_names(op.query, self._relation_columns)  # type: ignore[attr-defined]
        if names is not None and op.columns:  # CREATE VIEW v (a, b): the first ones renamed
            names = op.columns + names[len(op.columns):]
        self._view_paths[key] = self._path()
        self._view_sources[key] = self._resolved_relations(op.query)
        self._view_column_names.pop(key, None)  # its text is new: it names columns as they are
        self._view_relation_names.pop(key, None)  # and relations
        old = self.catalog.objects.get(key)  # OR REPLACE keeps its columns' defaults, comments
        kept = isinstance(old, View)
        self._put(View(schema, op.name.name, op.materialized, relations, query,
                       definition=op.query, columns=op.columns, comment=comment, options=options,
                       names=names, defaults=old.defaults if kept else (),  # type: ignore[union-attr]
                       column_comments=old.column_comments if kept else ()))  # type: ignore[union-attr]

    def _resolved_relations(self, query: str) -> frozenset[tuple[str, str]]:
        """The ``(schema, name)`` of the relations ``query`` reads: a name as qualified, an
        unqualified one as the search path resolves it now (one the model does not hold is
        left out)."""
        from schemadiff.sql.normalize import qualified_relations

        found = set()
        for schema, name in qualified_relations(query):
            if schema is not None:
                found.add((schema, name))
                continue
            for s in self._path():
                if (self._find(("table", "view", "sequence"), ops.QName(s, name)) is not None
                        or ("relation", s, name) in self._uncompared):
                    found.add((s, name))
                    break
        return frozenset(found)

    def _view_column_renamed(self, key: Key, action: ops.RenameColumn) -> None:
        """``ALTER VIEW v RENAME COLUMN a TO b``: its column's name (what reads it is undecided,
        see :meth:`_views_undecided`)."""
        view = self.catalog.objects[key]
        if isinstance(view, View) and view.names is not None:
            if action.old not in view.names:
                self._conflict(f'column "{action.old}" of relation "{key.name}" does not exist')
                return
            names = tuple(action.new if n == action.old else n for n in view.names)
            # the column list that re-creates it so (its query's text still names the old one)
            self._put(replace(view, names=names, columns=names))
            view = self.catalog.objects[key]
        elif isinstance(view, View) and action.old in view.columns:
            self._put(replace(view, columns=tuple(action.new if n == action.old else n
                                                  for n in view.columns)))
            view = self.catalog.objects[key]
        if isinstance(view, View) and any(c == action.old for c, _ in view.defaults):
            self._put(replace(view, defaults=tuple(sorted(
                (action.new if c == action.old else c, d) for c, d in view.defaults))))
            view = self.catalog.objects[key]
        if isinstance(view, View) and any(c == action.old for c, _ in view.column_comments):
            self._put(replace(view, column_comments=tuple(sorted(
                (action.new if c == action.old else c, d) for c, d in view.column_comments))))
        self._column_privileges_moved(key.schema, key.name, action.old, action.new)
        self._index_columns_renamed(key.schema, key.name, action.old, action.new)
        self._views_undecided(key.name, action.old, action.new)

    def _view_default(self, key: Key, action: ops.AlterColumn) -> None:
        """``ALTER VIEW v ALTER COLUMN c SET / DROP DEFAULT``: what an INSERT through it fills
        in, as the catalog prints it on a column of its type."""
        view = self.catalog.objects[key]
        if not isinstance(view, View) or view.materialized:
            return
        defaults = dict(view.defaults)
        defaults.pop(action.name, None)
        if action.value is not None:
            try:
                types = dict(self._row_of(key))  # type: ignore[attr-defined]
            except ReplayConflict:
                types = {}
            type_text = types.get(action.name)
            defaults[action.name] = (self._stored_default(action.value, type_text)  # type: ignore[arg-type]
                                     if type_text else action.value)
        self._put(replace(view, defaults=tuple(sorted(defaults.items()))))

    def _view_options(self, key: Key, action: ops.SetRelOptions) -> None:
        """``ALTER VIEW v SET (...)`` / ``RESET (...)`` (a materialized view's options are
        its storage parameters)."""
        view = self.catalog.objects[key]
        if not isinstance(view, View):
            return
        pairs = dict(_pairs(view.options))
        for name, value in action.options:
            if action.reset:
                pairs.pop(name.lower(), None)
            else:
                pairs[name.lower()] = value
        options = (without_toast(storage_options(pairs.items())) if view.materialized
                   else view_options(pairs.items()))
        self._put(replace(view, options=options))


def _pairs(options: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """A view's compared options back as ``(name, value)``."""
    return [(name, value or None) for name, _, value in (o.partition("=") for o in options)]


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.ConvertToView: ViewReplay._op_ConvertToView,
    ops.CreateView: ViewReplay._op_CreateView,
}
