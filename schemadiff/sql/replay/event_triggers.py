"""Event triggers: ``CREATE`` / ``ALTER EVENT TRIGGER`` (database-wide, in no schema)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import EventTrigger, Key
from schemadiff.sql import ops
from schemadiff.sql.replay.core import ReplayState


class EventTriggerReplay(ReplayState):
    """The replay of ``CREATE`` / ``ALTER EVENT TRIGGER``."""

    def _op_CreateEventTrigger(self, op: ops.CreateEventTrigger) -> None:
        key = Key("event_trigger", "", op.name)
        if key in self.catalog:
            self._conflict(f'event trigger "{op.name}" already exists')
            return
        found = self._functions_named(op.function, ())  # type: ignore[attr-defined]
        if found:
            schema, name = found[0].schema, found[0].name
        else:  # not one the model holds (an extension's): as the path would find it
            schema, name = op.function.schema or self._path()[0], op.function.name
        self._put(EventTrigger(op.name, op.event, op.tags, f"{schema}.{name}"))

    def _op_AlterEventTrigger(self, op: ops.AlterEventTrigger) -> None:
        key = Key("event_trigger", "", op.name)
        obj = self.catalog.objects.get(key)
        if not isinstance(obj, EventTrigger):
            self._conflict(f'event trigger "{op.name}" does not exist')
            return
        if op.enabled is not None:
            self._put(replace(obj, enabled=op.enabled))
        elif op.rename is not None and op.rename != op.name:
            self._delete(key)
            self._put(moved := replace(obj, name=op.rename))
            self._moved(key, moved.key)


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.CreateEventTrigger: EventTriggerReplay._op_CreateEventTrigger,
    ops.AlterEventTrigger: EventTriggerReplay._op_AlterEventTrigger,
}
