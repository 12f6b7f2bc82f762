"""Triggers and row-level security policies: objects that hang off one table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    MIGRATING_ROLE,
    Key,
    Policy,
    Trigger,
)
from schemadiff.sql import ops
from schemadiff.sql.replay.core import ReplayConflict, ReplayState
from schemadiff.sql.replay.text import typed_query_constants

#: Trigger functions PostgreSQL ships in pg_catalog (a trigger may name them unqualified).
_BUILTIN_TRIGGER_FUNCTIONS = frozenset({
    "tsvector_update_trigger", "tsvector_update_trigger_column",
    "suppress_redundant_updates_trigger",
})



class TriggerReplay(ReplayState):
    """The replay of triggers and row-level security policies: objects that hang off one
    table."""

    def _op_CreateTrigger(self, op: ops.CreateTrigger) -> None:
        if self._is_temp(op.table):
            return
        table = self._find(("table", "view"), op.table)
        if table is None:
            if self._uncompared_key("relation", op.table) is not None:
                return  # a foreign table's trigger goes uncompared with it
            raise ReplayConflict(f'relation "{op.table}" does not exist')
        fkeys = self._functions_named(op.function, ())
        if fkeys:
            fschema = fkeys[0].schema
        elif op.function.schema is None and (
                not self.search_path or op.function.name in _BUILTIN_TRIGGER_FUNCTIONS):
            fschema = "pg_catalog"  # pg_catalog comes first (a dump's search_path is empty)
        else:
            fschema = self._creation_schema(op.function.schema)
        when = op.when and typed_query_constants(
            op.when, self._relation_columns,  # type: ignore[attr-defined]
            ((table.schema, table.name, "new"), (table.schema, table.name, "old")))
        trig = Trigger(table.schema, table.name, op.name, op.timing, op.events, op.level,
                       f"{fschema}.{op.function.name}", op.arguments, when, op.constraint,
                       op.deferrable, op.initially_deferred, referencing=op.referencing)
        existing = self.catalog.objects.get(trig.key)
        if existing is not None:
            if not op.or_replace:
                self._conflict(f'trigger "{op.name}" for relation "{table.name}" already exists')
                return
            trig = replace(trig, comment=existing.comment)
            self._reassert(trig.key, "**")
        self._put(trig)

    def _op_AlterTrigger(self, op: ops.AlterTrigger) -> None:
        table = self._find(("table", "view"), op.table)
        key = Key("trigger", table.schema, table.name, op.name) if table else None
        if key is None or key not in self.catalog:
            self._conflict(f'trigger "{op.name}" does not exist')
            return
        obj: Any = self.catalog.objects[key]
        self._delete(key)
        self._put(replace(obj, name=op.rename))
        self._trigger_states_pruned((op.name, op.rename))  # type: ignore[attr-defined]

    def _op_CreatePolicy(self, op: ops.CreatePolicy) -> None:
        if self._is_temp(op.table):
            return
        table = self._find(("table", "view"), op.table)
        if table is None:
            raise ReplayConflict(f'relation "{op.table}" does not exist')
        pol = Policy(table.schema, table.name, op.name, op.permissive, op.command,
                     self._policy_roles(op.roles),
                     self._policy_typed(table, op.using),
                     self._policy_typed(table, op.with_check),
                     using_text=op.using_text, check_text=op.check_text)
        if pol.key in self.catalog:
            self._conflict(f'policy "{op.name}" for table "{table.name}" already exists')
            return
        self._put(pol)

    def _policy_roles(self, roles: tuple[str, ...]) -> tuple[str, ...]:
        """A policy's roles as the server records them: ``CURRENT_USER`` (``CURRENT_ROLE``)
        is the role ``SET ROLE`` made current, else the migrating role, whose name the files
        do not tell: kept as ``CURRENT_USER`` (see :mod:`schemadiff.equivalence`);
        ``SESSION_USER`` is the migrating role whatever ``SET ROLE`` did. With ``PUBLIC``
        among them, the server keeps ``PUBLIC`` alone ("ignoring specified roles other than
        PUBLIC")."""
        if "public" in roles:
            return ("public",)
        out = {self._role or MIGRATING_ROLE if r in ("CURRENT_USER", "CURRENT_ROLE")
               else MIGRATING_ROLE if r == "SESSION_USER" else r for r in roles}
        return tuple(sorted(out))

    def _op_AlterPolicy(self, op: ops.AlterPolicy) -> None:
        table = self._find(("table", "view"), op.table)
        key = Key("policy", table.schema, table.name, op.name) if table else None
        if key is None or key not in self.catalog:
            self._conflict(f'policy "{op.name}" does not exist')
            return
        obj: Policy = self.catalog.objects[key]  # type: ignore[assignment]
        if op.rename:
            self._delete(key)
            self._put(replace(obj, name=op.rename))
            return
        changes: dict[str, Any] = {}
        if op.roles is not None:
            changes["roles"] = self._policy_roles(op.roles)
        if op.using is not None:
            changes["using"], changes["using_text"] = self._policy_typed(
                table, op.using), op.using_text  # type: ignore[arg-type]
        if op.with_check is not None:
            changes["with_check"], changes["check_text"] = self._policy_typed(
                table, op.with_check), op.check_text  # type: ignore[arg-type]
        self._put(replace(obj, **changes))

    def _policy_typed(self, table: Key, expression: str | None) -> str | None:
        """A policy's or trigger's expression with its constants typed by the table's
        columns (and those of the tables its subqueries read), as the server stores them."""
        if not expression:
            return expression
        return typed_query_constants(expression, self._relation_columns,  # type: ignore[attr-defined]
                                     ((table.schema, table.name, table.name),))


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.CreateTrigger: TriggerReplay._op_CreateTrigger,
    ops.AlterTrigger: TriggerReplay._op_AlterTrigger,
    ops.CreatePolicy: TriggerReplay._op_CreatePolicy,
    ops.AlterPolicy: TriggerReplay._op_AlterPolicy,
}
