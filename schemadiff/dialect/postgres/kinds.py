"""PostgreSQL's part of each object kind, one registry entry each: the catalog query that
lists the kind's objects, how its rows become records, the DDL that creates one.

The engine-neutral part of a kind (its record, the table it lives on, what it builds on) is
:data:`schemadiff.kinds.KINDS`; this registry has an entry for every one of them, in the same
order (the order a catalog is filled in and objects are rendered).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any

from schemadiff.dialect.postgres import ddl, rows
from schemadiff.kinds import KINDS
from schemadiff.model import Catalog, SchemaObject
from schemadiff.records import record

_VARIANT = re.compile(r"(?P<query>[a-z_]+)\.pg(?P<major>\d+)\.sql\Z")


@record
class PgKind:
    """PostgreSQL's part of one kind.

    Attributes:
        kind: the kind (a key of :data:`schemadiff.kinds.KINDS`).
        query: the catalog query's file stem in ``catalog/`` (``"indexes"``).
        build: the query's rows -> records.
        create: the DDL that creates one (None: created with another, as a column with
            its table).
        tuple_rows: read its rows as tuples (the largest kinds: a dict per row would cost a
            third of their reading time).
    """

    kind: str
    query: str
    build: Callable[[Any], Iterator[SchemaObject]]
    create: Callable[[Any, Catalog], str | None] | None
    tuple_rows: bool = False


PG_KINDS: dict[str, PgKind] = {
    k.kind: k
    for k in (
        PgKind("schema", "schemas", rows.schemas, ddl.create_schema),
        PgKind("extension", "extensions", rows.extensions, ddl.create_extension),
        PgKind("enum", "enums", rows.enums, ddl.create_enum),
        PgKind("domain", "domains", rows.domains, ddl.create_domain),
        PgKind("composite", "composites", rows.composites, ddl.create_composite),
        PgKind("sequence", "sequences", rows.sequences, ddl.create_sequence),
        PgKind("table", "tables", rows.tables, ddl.create_table),
        PgKind("column", "columns", rows.columns, None, tuple_rows=True),
        PgKind("constraint", "constraints", rows.constraints, ddl.create_constraint),
        PgKind("index", "indexes", rows.indexes, ddl.create_index, tuple_rows=True),
        PgKind("statistics", "statistics", rows.statistics, ddl.create_statistics),
        PgKind("view", "views", rows.views, ddl.create_view),
        PgKind("function", "functions", rows.functions, ddl.create_function),
        PgKind("trigger", "triggers", rows.triggers, ddl.create_trigger),
        PgKind("policy", "policies", rows.policies, ddl.create_policy),
        PgKind("event_trigger", "event_triggers", rows.event_triggers,
               ddl.create_event_trigger),
        # roles are cluster-level: a scratch database may lack them, so none is rendered
        PgKind("privilege", "privileges", rows.privileges, None),
    )
}
assert tuple(PG_KINDS) == tuple(KINDS), "PostgreSQL has an entry for every kind, in order"

#: By catalog query name (what the live reader schedules).
BY_QUERY: dict[str, PgKind] = {k.query: k for k in PG_KINDS.values()}


def catalog_query(query: str, server_version_num: int) -> str:
    """The SQL of one catalog query for a server version: ``<query>.pg<NN>.sql`` for servers
    whose major version is at most NN (the smallest such NN wins), ``<query>.sql`` for every
    newer one."""
    major = server_version_num // 10000
    folder = resources.files("schemadiff.dialect.postgres").joinpath("catalog")
    variants = sorted(
        int(m["major"])
        for entry in folder.iterdir()
        if (m := _VARIANT.match(entry.name)) and m["query"] == query
    )
    chosen = next((v for v in variants if major <= v), None)
    name = f"{query}.pg{chosen}.sql" if chosen is not None else f"{query}.sql"
    return folder.joinpath(name).read_text(encoding="utf-8")


def create_sql(obj: SchemaObject, catalog: Catalog) -> str | None:
    """The DDL that creates ``obj`` (None for one made with another)."""
    create = PG_KINDS[obj.KIND].create
    return create(obj, catalog) if create is not None else None
