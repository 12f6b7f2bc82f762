"""The object kinds, one registry entry each: what the engine knows of a kind whatever the
database engine.

An entry names the kind's record class (:mod:`schemadiff.model`), the table it lives on and
goes with (a column, an index, a serial sequence: folded into their table's difference when
the table itself is missing or extra, dropped with it, renamed with it), and what else it
builds on (a foreign key's referenced table, a trigger's function: dependency edges of the
inference). What is specific to PostgreSQL (the catalog query, how its rows become records,
the DDL that creates one) is the dialect's entry for the same kind
(:mod:`schemadiff.dialect.postgres.kinds`). A new kind is a record class, an entry here and
an entry there (and the replay of the statements that make it).
"""

from __future__ import annotations

from collections.abc import Callable

from schemadiff import model
from schemadiff.model import KIND_ORDER, Key, SchemaObject
from schemadiff.records import record


def _none(obj: SchemaObject) -> Key | None:
    return None


def _nothing(obj: SchemaObject) -> tuple[Key, ...]:
    return ()


def _its_table(obj: SchemaObject) -> Key | None:
    """Columns, constraints, triggers, policies: keyed by their table."""
    return Key("table", obj.key.schema, obj.key.name)


def _index_table(obj: SchemaObject) -> Key | None:
    return Key("table", obj.key.schema, obj.table)  # type: ignore[attr-defined]


def _owning_table(obj: SchemaObject) -> Key | None:
    """A sequence ``OWNED BY table.column`` goes with that table."""
    owned = obj.owned_by  # type: ignore[attr-defined]
    return Key("table", obj.key.schema, owned.split(".")[0]) if owned else None


def _referenced(obj: SchemaObject) -> tuple[Key, ...]:
    """A foreign key builds on the table it references."""
    ref = obj.ref_table  # type: ignore[attr-defined]
    if not ref:
        return ()
    schema, _, table = ref.partition(".")
    return (Key("table", schema, table),)


def _statistics_table(obj: SchemaObject) -> Key | None:
    """An extended statistics object goes with the table it is on (in any schema)."""
    schema, _, table = obj.table.partition(".")  # type: ignore[attr-defined]
    return Key("table", schema, table)


def _event_function(obj: SchemaObject) -> tuple[Key, ...]:
    """An event trigger builds on its function (of no arguments)."""
    schema, _, name = obj.function.partition(".")  # type: ignore[attr-defined]
    return (Key("function", schema, name, ""),) if name else ()


def _privilege_table(obj: SchemaObject) -> Key | None:
    """A table's privileges, and its columns', go with the table."""
    kind, _, name = obj.key.name.partition(" ")
    if kind == "column":
        return Key("table", obj.key.schema, name.rpartition(".")[0])
    return Key("table", obj.key.schema, name) if kind == "table" else None


@record
class Kind:
    """One object kind.

    Attributes:
        name: the kind's name, as keys and reports spell it (``"index"``).
        record: its record class.
        lives_on: the table it lives on and goes with (None: none).
        builds_on: other objects it needs besides that table.
    """

    name: str
    record: type[SchemaObject]
    lives_on: Callable[[SchemaObject], Key | None] = _none
    builds_on: Callable[[SchemaObject], tuple[Key, ...]] = _nothing


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("schema", model.Schema),
        Kind("extension", model.Extension),
        Kind("enum", model.Enum),
        Kind("domain", model.Domain),
        Kind("composite", model.CompositeType),
        Kind("sequence", model.Sequence, _owning_table),
        Kind("table", model.Table),
        Kind("column", model.Column, _its_table),
        Kind("constraint", model.Constraint, _its_table, _referenced),
        Kind("index", model.Index, _index_table),
        Kind("statistics", model.Statistics, _statistics_table),
        Kind("view", model.View),
        Kind("function", model.Function),
        Kind("trigger", model.Trigger, _its_table),
        Kind("policy", model.Policy, _its_table),
        Kind("event_trigger", model.EventTrigger, builds_on=_event_function),
        Kind("privilege", model.Privilege, _privilege_table),
    )
}
assert tuple(KINDS) == KIND_ORDER, "every kind of model.Kind has one entry, in report order"


def table_of(key: Key, obj: SchemaObject | None) -> Key | None:
    """The table ``key``'s object lives on (``obj``: the object, when the kind needs it)."""
    kind = KINDS.get(key.kind)
    if kind is None or kind.lives_on is _none:
        return None
    if kind.lives_on is _its_table:
        return Key("table", key.schema, key.name)
    return kind.lives_on(obj) if obj is not None else None


def builds_on(key: Key, obj: SchemaObject | None) -> list[Key]:
    """What an object needs: its table, and what its kind says it builds on."""
    out = []
    table = table_of(key, obj)
    if table is not None:
        out.append(table)
    kind = KINDS.get(key.kind)
    if kind is not None and obj is not None:
        out += kind.builds_on(obj)
    return out
