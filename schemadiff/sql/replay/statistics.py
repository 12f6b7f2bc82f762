"""Extended statistics objects: ``CREATE`` / ``ALTER STATISTICS``, and what their table's
changes do to them (dropped with it or with a column they use, following its renames)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import Key, Statistics
from schemadiff.sql import ops
from schemadiff.sql.names import choose_name, name_addition
from schemadiff.sql.normalize import referenced_columns, rename_column, statistics_kinds
from schemadiff.sql.replay.core import ReplayConflict, ReplayState


def _is_expression(key: str) -> bool:
    return key.startswith("(")


class StatisticsReplay(ReplayState):
    """The replay of ``CREATE`` / ``ALTER STATISTICS``."""

    def _op_CreateStatistics(self, op: ops.CreateStatistics) -> None:
        if self._is_temp(op.table):
            return
        table = self._find(("table", "view"), op.table)
        if table is None and self._uncompared_key("relation", op.table) is not None:
            return  # on a foreign table: not compared, as the table is not
        if table is None:
            raise ReplayConflict(f'relation "{op.table}" does not exist')
        if op.name is not None:
            schema, name = self._creation_schema(op.name.schema), op.name.name
        else:  # ChooseExtendedStatisticName: <table>_<columns>_stat, in the table's schema
            schema = table.schema
            name = choose_name(table.name, name_addition(
                ["expr" if _is_expression(k) else k for k in op.keys]), "stat",
                lambda n: Key("statistics", schema, n) in self.catalog)
        key = Key("statistics", schema, name)
        if key in self.catalog:
            if not op.if_not_exists:
                self._conflict(f'statistics object "{name}" already exists')
            else:
                self._reassert(key)
            return
        self._put(Statistics(schema, name, f"{table.schema}.{table.name}",
                             tuple(sorted(op.keys)), statistics_kinds(op.kinds, op.keys)))

    def _op_AlterStatistics(self, op: ops.AlterStatistics) -> None:
        key = self._find(("statistics",), op.name)
        if key is None:
            if not op.if_exists:
                self._conflict(f'statistics object "{op.name}" does not exist')
            return
        obj: Statistics = self.catalog.objects[key]  # type: ignore[assignment]
        if op.target is not None:
            self._put(replace(obj, target=op.target[0]))
            return
        moved = replace(obj, schema=op.set_schema or obj.schema, name=op.rename or obj.name)
        if moved.key != key:
            self._delete(key)
            self._put(moved)
            self._moved(key, moved.key)

    def _statistics_on(self, schema: str, table: str) -> list[Statistics]:
        on = f"{schema}.{table}"
        return [o for o in self.catalog.objects.by_kind.get("statistics", {}).values()
                if isinstance(o, Statistics) and o.table == on]

    def _statistics_dropped_with(self, schema: str, table: str) -> None:
        """A table (or materialized view) dropped: its statistics objects go."""
        for o in self._statistics_on(schema, table):
            self._delete(o.key)

    def _statistics_moved(self, schema: str, table: str, new_schema: str, new: str) -> None:
        """A table renamed or moved: its statistics objects stay where they are, on it."""
        for o in self._statistics_on(schema, table):
            self._put(replace(o, table=f"{new_schema}.{new}"))

    def _statistics_column_dropped(self, schema: str, table: str, column: str) -> None:
        """A column dropped: the statistics objects on it go (as their dependency says)."""
        for o in self._statistics_on(schema, table):
            if any(k == column or (_is_expression(k) and column in referenced_columns(k))
                   for k in o.keys):
                self._delete(o.key)

    def _statistics_column_renamed(self, schema: str, table: str, old: str, new: str) -> None:
        for o in self._statistics_on(schema, table):
            keys = tuple(sorted(new if k == old else rename_column(k, old, new)
                                if _is_expression(k) else k for k in o.keys))
            if keys != o.keys:
                self._put(replace(o, keys=keys))


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.CreateStatistics: StatisticsReplay._op_CreateStatistics,
    ops.AlterStatistics: StatisticsReplay._op_AlterStatistics,
}
