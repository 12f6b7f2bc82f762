"""The normalized object graph.

Every schema source (the replay of a migration history, a ``pg_dump --schema-only`` file, a
live database) produces a :class:`Catalog`: a mapping from :class:`Key` to one frozen object per
PostgreSQL noun. Two catalogs of the same schema are equal, whatever their source, because every
field holds a canonical value (types as ``format_type`` spells them, expressions through
``sql.normalize``). Fields marked ``compare=False`` are provenance or display only.

Keys hold raw names (``"userId"`` is stored as ``userId``); quoting happens only when SQL is
written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import field
from typing import Any, ClassVar, Literal, NamedTuple, get_args

from schemadiff.records import record

Kind = Literal[
    "schema",
    "extension",
    "enum",
    "domain",
    "composite",
    "sequence",
    "table",
    "column",
    "constraint",
    "index",
    "statistics",
    "view",
    "function",
    "trigger",
    "policy",
    "event_trigger",
    "privilege",
]

#: Kinds in the order a human reads a schema (and the order reports are sorted in).
KIND_ORDER: tuple[str, ...] = get_args(Kind)


class Key(NamedTuple):
    """Identity of an object: ``Key("column", "public", "users", "email")``.

    ``name`` is the object's own name for schema-level objects and the table's name for
    table-level ones (column, constraint, trigger, policy), whose own name is ``sub``. For a
    function, ``sub`` is its identity argument types (``"integer, text"``).

    A named tuple rather than a dataclass: keys are hashed and compared millions of times
    (every catalog lookup, every fact of inference), and a tuple does both in C.
    """

    kind: str
    schema: str
    name: str
    sub: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.display}"

    @property
    def display(self) -> str:
        """``schema.name[.sub]`` (functions: ``schema.name(args)``)."""
        base = f"{self.schema}.{self.name}" if self.schema else self.name
        if self.kind == "function":
            return f"{base}({self.sub})"
        if self.kind == "privilege":  # name: "table users"; sub: the grantee
            kind, _, name = self.name.partition(" ")
            target = name if kind == "schema" else f"{self.schema}.{name}"
            return f"on {kind} {target} to {self.sub}"
        return f"{base}.{self.sub}" if self.sub else base

    @property
    def table_key(self) -> Key:
        """For a table-level object, the key of its table."""
        return Key("table", self.schema, self.name)


# Key(...) without the named tuple's Python-level __new__: every object computes its key
# whenever a catalog indexes it (56,000 times for a 5,000-table database).
_key = tuple.__new__

_ATTRIBUTE_NAMES: dict[type, tuple[str, ...]] = {}


@record
class SchemaObject:
    """Base of every object kind. Subclasses set ``KIND`` and define ``key``."""

    comment: str | None = field(default=None, kw_only=True)

    KIND = ""
    #: Attributes whose None on either side means "not decided": no difference is reported.
    UNDECIDED_WHEN_NONE: ClassVar[tuple[str, ...]] = ()

    @property
    def key(self) -> Key:
        """Schema-level objects: ``Key(KIND, schema, name)``; other shapes override this."""
        return _key(Key, (self.KIND, self.schema, self.name, ""))  # type: ignore[attr-defined]

    def attributes(self) -> dict[str, Any]:
        """The compared fields, by name (what diff and provenance work on)."""
        names = _ATTRIBUTE_NAMES.get(type(self))
        if names is None:
            skip = self.identity_fields()
            fields = dataclasses.fields(self)
            names = tuple(f.name for f in fields if f.compare and f.name not in skip)
            _ATTRIBUTE_NAMES[type(self)] = names
        return {name: getattr(self, name) for name in names}

    @classmethod
    def identity_fields(cls) -> tuple[str, ...]:
        return ("schema", "name")


class TableLevel(SchemaObject):
    """Mixin for objects that live on a table: keyed ``(KIND, schema, table, name)``."""

    __slots__ = ()

    @property
    def key(self) -> Key:
        return _key(Key, (self.KIND, self.schema, self.table, self.name))  # type: ignore[attr-defined]

    @classmethod
    def identity_fields(cls) -> tuple[str, ...]:
        return ("schema", "table", "name")


#: initdb's comment on the ``public`` schema: compared as no comment (pg_dump leaves it out;
#: a dumped schema used as a migration may write it again).
PUBLIC_SCHEMA_COMMENT = "standard public schema"


@record
class Schema(SchemaObject):
    name: str
    KIND = "schema"

    @property
    def key(self) -> Key:
        return Key("schema", "", self.name)

    @classmethod
    def identity_fields(cls) -> tuple[str, ...]:
        return ("name",)


@record
class Extension(SchemaObject):
    """An extension. ``version`` is compared where the migrations name one (``VERSION``,
    ``UPDATE TO``); None (installed at its control file's default, or read from a dump, which
    never prints it) is not compared. ``comment`` None is, from the migrations, its control
    file's, which ``CREATE EXTENSION`` sets and no migration text shows (from a schema source,
    none); ``""`` none (``COMMENT ON EXTENSION x IS NULL``; on the live catalog, where the
    control file gives one). ``control_comment`` is the control file's comment where the source
    knows it (the live catalog; ``""``: none), None where it does not (a dump, which prints the
    comment whoever set it: then a comment against the control file's is not compared)."""

    name: str
    schema: str  # the schema its objects live in (``WITH SCHEMA``)
    version: str | None = None
    control_comment: str | None = field(default=None, compare=False, kw_only=True)
    KIND = "extension"
    UNDECIDED_WHEN_NONE = ("version",)

    @property
    def key(self) -> Key:
        return Key("extension", "", self.name)

    @classmethod
    def identity_fields(cls) -> tuple[str, ...]:
        return ("name",)


@record
class Enum(SchemaObject):
    schema: str
    name: str
    labels: tuple[str, ...]  # in sort order, e.g. ("draft", "active")
    KIND = "enum"


@record
class Domain(SchemaObject):
    schema: str
    name: str
    type: str  # canonical base type, e.g. "character varying(255)"
    not_null: bool = False
    default: str | None = None
    collation: str | None = None
    checks: tuple[tuple[str, str], ...] = ()  # (constraint name, normalized expression), sorted
    #: the checks added ``NOT VALID`` and not validated since, by name, sorted
    not_valid: tuple[str, ...] = ()
    #: its checks' comments (``COMMENT ON CONSTRAINT c ON DOMAIN d``: through renames, gone
    #: with the check): (constraint name, comment), sorted by name
    check_comments: tuple[tuple[str, str], ...] = ()
    KIND = "domain"


@record
class CompositeType(SchemaObject):
    schema: str
    name: str
    attributes_: tuple[tuple[str, str], ...]  # (name, canonical type) in order
    #: its attributes' comments (``COMMENT ON COLUMN type.a``, through renames, gone with the
    #: attribute): (attribute, comment), sorted by attribute
    attribute_comments: tuple[tuple[str, str], ...] = ()
    KIND = "composite"


@record
class Sequence(SchemaObject):
    schema: str
    name: str
    data_type: str = "bigint"
    start: int = 1
    increment: int = 1
    min_value: int = 1
    max_value: int = 9223372036854775807
    cache: int = 1
    cycle: bool = False
    owned_by: str | None = None  # "table.column" in the same schema, e.g. "users.id"
    #: permanent | unlogged (PostgreSQL 15: ``CREATE UNLOGGED SEQUENCE``, ``SET UNLOGGED``;
    #: a serial column's of an unlogged table; what ``ALTER TABLE ... SET [UN]LOGGED`` gives
    #: the sequences its columns own)
    #: None: not decided (a server before 15, which has no unlogged sequences)
    persistence: str | None = "permanent"
    KIND = "sequence"
    UNDECIDED_WHEN_NONE = ("persistence",)


@record
class Table(SchemaObject):
    schema: str
    name: str
    persistence: str = "permanent"  # permanent | unlogged (temporary tables are not modelled)
    partition_by: str | None = None  # normalized "RANGE (created_at)"
    partition_of: str | None = None  # parent "schema.table"
    partition_bound: str | None = None  # normalized "FOR VALUES FROM (...) TO (...)"
    inherits: tuple[str, ...] = ()
    of_type: str | None = None  # a typed table's composite type, "schema.type"
    rls_enabled: bool = False
    rls_forced: bool = False
    #: what logical replication sends of an old row: "default" (the primary key), "full",
    #: "nothing", or "index <name>" (REPLICA IDENTITY USING INDEX)
    replica_identity: str = "default"
    #: an INHERITS child's own default of a column it inherits only, where it is not its
    #: parent's (``ALTER TABLE ONLY parent / child ALTER COLUMN c SET DEFAULT``): (column,
    #: canonical default or None for none), sorted by column
    inherited_defaults: tuple[tuple[str, str | None], ...] = ()
    #: an INHERITS child's own comment on a column it inherits only (``COMMENT ON COLUMN
    #: child.c``): (column, comment), sorted by column
    inherited_comments: tuple[tuple[str, str], ...] = ()
    #: an INHERITS child's NOT NULL of a column it inherits only, where it is not what its
    #: parents give it (``ALTER TABLE ONLY child / parent ALTER COLUMN c SET / DROP NOT
    #: NULL``): (column, NOT NULL), sorted by column
    inherited_not_null: tuple[tuple[str, bool], ...] = ()
    #: a partition's enable state (``tgenabled``: O, D, R, A) of a row trigger it has from its
    #: parent (a clone), where not its parent's (``ALTER TABLE part DISABLE TRIGGER t``):
    #: (trigger, state), sorted by trigger
    trigger_states: tuple[tuple[str, str], ...] = ()
    #: its storage parameters (``WITH (fillfactor = 70)``, ``SET (autovacuum_enabled =
    #: off)``), sorted: :func:`schemadiff.sql.normalize.storage_options`
    options: tuple[str, ...] = ()
    #: the index it is ``CLUSTER``ed on (``ALTER TABLE ... CLUSTER ON i``, ``CLUSTER t USING
    #: i``: ``indisclustered``), following the index's renames; None: none
    clustered_on: str | None = None
    #: its table access method (``USING m``, ``SET ACCESS METHOD m``, or the session's
    #: ``default_table_access_method`` when it was made); a partitioned table has none
    #: unless given one (``heap`` here)
    access_method: str = "heap"
    #: the replay's own record of an INHERITS child's columns in the server's order (its
    #: inherited ones first, then its own, then each added later, to it or to a parent): what a
    #: ``*`` or ``LIKE`` of it lists; empty for any other table (its columns' positions say)
    column_order: tuple[str, ...] = field(default=(), compare=False)
    #: the replay's own record of the CHECKs an INHERITS child inherits NOT VALID (added so
    #: to a parent while it existed, not validated since): what they are once its own
    unvalidated_checks: tuple[str, ...] = field(default=(), compare=False)
    KIND = "table"


@record
class Column(TableLevel):
    schema: str
    table: str
    name: str
    #: canonical, e.g. "timestamp(6) with time zone", "public.tenant_type[]"; None: not decided
    #: (a CREATE TABLE AS column whose expression the replay does not type), nor its collation
    type: str | None
    not_null: bool = False
    default: str | None = None  # normalized expression
    identity: str | None = None  # "always" | "by default"
    generated: str | None = None  # normalized expression of GENERATED ALWAYS AS (...)
    collation: str | None = None
    position: int = field(default=0, compare=False)
    #: a generated column computed when read (PostgreSQL 18's VIRTUAL, its default), not STORED
    virtual: bool = False
    #: false for PostgreSQL 18's NOT NULL ... NOT VALID not yet validated (rows may hold NULL)
    not_null_validated: bool = True
    #: PostgreSQL 18: its NOT NULL is NO INHERIT (the tables inheriting it do not get it)
    not_null_no_inherit: bool = False
    #: ``SET STATISTICS n`` (the planner's sample size for it); None: the default
    statistics: int | None = None
    #: ``SET STORAGE plain | main | external | extended`` where not its type's own;
    #: ``default``: its type's; None: not decided (a type whose own storage the replay does
    #: not know)
    storage: str | None = "default"
    #: ``SET (n_distinct = ...)``: the planner's overrides of its statistics, sorted
    #: (:func:`schemadiff.sql.normalize.storage_options`)
    options: tuple[str, ...] = ()
    #: ``COMPRESSION pglz | lz4`` (``attcompression``); ``default``: none set (the server's
    #: ``default_toast_compression`` applies)
    compression: str = "default"
    #: an identity column's sequence options where not the defaults
    #: (:func:`schemadiff.sql.normalize.identity_options`: ``increment=5``, ``cache=20``)
    identity_options: tuple[str, ...] = ()
    KIND = "column"
    UNDECIDED_WHEN_NONE = ("type", "storage")


@record
class Constraint(TableLevel):
    """A table constraint. NOT NULL is a column attribute, not a constraint here."""

    schema: str
    table: str
    name: str
    type: str  # "primary key" | "unique" | "foreign key" | "check" | "exclude"
    columns: tuple[str, ...] = ()
    expression: str | None = None  # check: normalized; exclude: "USING gist (c WITH &&)"
    ref_table: str | None = None  # foreign key: "schema.table"
    ref_columns: tuple[str, ...] = ()
    on_update: str = "NO ACTION"
    on_delete: str = "NO ACTION"
    match: str = "SIMPLE"
    include: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    validated: bool = True
    no_inherit: bool = False
    index_comment: str | None = None  # COMMENT ON INDEX of the index behind it (its own)
    #: PostgreSQL 18: false for a CHECK or foreign key declared NOT ENFORCED (never validated)
    enforced: bool = True
    #: PostgreSQL 18 temporal keys: the last key column is ``WITHOUT OVERLAPS`` (primary key,
    #: unique) or ``PERIOD`` (foreign key, on both sides)
    period: bool = False
    #: PostgreSQL 15: ``ON DELETE SET NULL (a)`` / ``SET DEFAULT (a)``: the columns it sets
    #: (empty: all of the key's)
    on_delete_columns: tuple[str, ...] = ()
    #: the index's column names (``pg_attribute`` of the index: the column, else
    #: FigureIndexColname of the key as written, made unique), which a copy for a partition
    #: or a ``LIKE`` is named after: they do not follow a column's rename. None: not known (a
    #: catalog or a dump, which never copy), taken from the keys
    column_names: tuple[str, ...] | None = field(default=None, compare=False)
    #: the storage parameters of the index behind a primary key, unique or exclusion
    #: constraint (``WITH (fillfactor = 70)``, ``ALTER INDEX t_pkey SET (...)``), sorted:
    #: :func:`schemadiff.sql.normalize.storage_options`
    index_options: tuple[str, ...] = ()
    #: the sides whose internal triggers are disabled (``ALTER TABLE t DISABLE TRIGGER ALL``,
    #: a bulk load's, left behind): ``check``, a foreign key's checks on its table and a
    #: deferrable key's recheck, ``action``, a foreign key's ``ON DELETE / UPDATE`` on the
    #: referenced table; while disabled the constraint is not enforced. None: not decided
    #: (pg_dump never prints internal triggers; on partitions not modelled)
    disabled_triggers: tuple[str, ...] | None = ()
    KIND = "constraint"
    UNDECIDED_WHEN_NONE = ("disabled_triggers",)


@record
class Index(SchemaObject):
    """An index that does not back a constraint (those belong to their constraint)."""

    schema: str
    name: str
    table: str
    unique: bool = False
    method: str = "btree"
    keys: tuple[str, ...] = ()  # "email", "lower(email)", "created_at DESC", "name gin_trgm_ops"
    include: tuple[str, ...] = ()
    predicate: str | None = None
    nulls_not_distinct: bool = False
    #: its storage parameters (``WITH (fillfactor = 50)``), sorted:
    #: :func:`schemadiff.sql.normalize.storage_options`
    options: tuple[str, ...] = ()
    #: false for an index a failed ``CREATE INDEX CONCURRENTLY`` left behind (``indisvalid``:
    #: the planner does not use it; pg_dump leaves it out)
    valid: bool = True
    #: its expression keys' statistics targets (``ALTER INDEX i ALTER COLUMN 2 SET
    #: STATISTICS 500``): ``"2=500"``, sorted by key number
    statistics: tuple[str, ...] = ()
    #: the index's column names (``pg_attribute`` of the index: the column, else
    #: FigureIndexColname of the key as written, made unique), which a copy for a partition
    #: or a ``LIKE`` is named after: they do not follow a column's rename. None: not known (a
    #: catalog or a dump, which never copy), taken from the keys
    column_names: tuple[str, ...] | None = field(default=None, compare=False)
    KIND = "index"


@record
class Statistics(SchemaObject):
    """An extended statistics object (``CREATE STATISTICS``): what the planner gathers on
    several columns or expressions of a table together. Planner tuning: drift, no evidence."""

    schema: str
    name: str
    table: str  # "schema.table"
    keys: tuple[str, ...] = ()  # its columns and (normalized) expressions, sorted
    #: ``ndistinct``, ``dependencies``, ``mcv`` (sorted; all unless given: none of them for a
    #: single expression, whose statistics are the expression's own)
    kinds: tuple[str, ...] = ()
    #: ``ALTER STATISTICS ... SET STATISTICS n``; None: the default
    target: int | None = None
    KIND = "statistics"


@record
class View(SchemaObject):
    """A view or materialized view.

    The catalog deparses view queries, so the text a migration wrote and the text pg_dump prints
    differ. Both are compared by ``relations`` (what the query reads) and by ``query``, the
    form both texts share (:func:`schemadiff.sql.normalize.canonical_view_query`); where that
    form cannot be decided (a ``*`` projection the deparser expanded, a relation or column
    renamed under the view, text sqlglot cannot parse) ``query`` is None and only the relations
    are compared. The raw text is kept for display and for the exact (shadow) mode.
    """

    schema: str
    name: str
    materialized: bool = False
    relations: tuple[str, ...] = ()  # sorted unqualified names of relations the query reads
    query: str | None = None  # canonical query, None: undecided (not compared)
    definition: str = field(default="", compare=False)
    columns: tuple[str, ...] = field(default=(), compare=False)  # CREATE VIEW v (a, b) AS ...
    #: a view's options that change what it does (``security_barrier``, ``security_invoker``,
    #: ``check_option=local|cascaded``), sorted: :func:`schemadiff.sql.normalize.view_options`;
    #: a materialized view's storage parameters: :func:`schemadiff.sql.normalize.storage_options`
    options: tuple[str, ...] = ()
    #: its columns' names in order, as an application reads them (None: undecided, not
    #: compared: a ``*`` over a view, a name sqlglot's parse cannot tell)
    names: tuple[str, ...] | None = None
    #: its columns' defaults (``ALTER VIEW v ALTER COLUMN c SET DEFAULT``: what an INSERT
    #: through it fills in): (column, canonical default), sorted by column
    defaults: tuple[tuple[str, str], ...] = ()
    #: its columns' comments (``COMMENT ON COLUMN v.c``: kept by ``CREATE OR REPLACE VIEW``,
    #: through renames): (column, comment), sorted by column
    column_comments: tuple[tuple[str, str], ...] = ()
    KIND = "view"
    UNDECIDED_WHEN_NONE = ("query", "names")


@record
class Function(SchemaObject):
    """A function or procedure, identified by name and input argument types."""

    schema: str
    name: str
    identity_args: str  # "integer, text" (input argument types, canonical)
    routine: str = "function"  # function | procedure | window
    arguments: str = ""  # full signature with names, modes and defaults, normalized
    returns: str | None = None  # canonical; None for procedures
    language: str = "sql"
    body: str = ""  # verbatim source between the quotes (or the normalized BEGIN ATOMIC body)
    volatility: str = "volatile"
    strict: bool = False
    security_definer: bool = False
    leakproof: bool = False
    parallel: str = "unsafe"
    config: tuple[str, ...] = ()  # ("search_path=public",)
    #: the planner's estimates where not the defaults (``COST 500``, ``ROWS 10``):
    #: :func:`schemadiff.sql.normalize.function_cost`, :func:`~.function_rows`
    cost: str | None = None
    rows: str | None = None
    KIND = "function"

    @property
    def key(self) -> Key:
        return Key("function", self.schema, self.name, self.identity_args)

    @classmethod
    def identity_fields(cls) -> tuple[str, ...]:
        return ("schema", "name", "identity_args")


@record
class Trigger(TableLevel):
    schema: str
    table: str
    name: str
    timing: str  # BEFORE | AFTER | INSTEAD OF
    events: tuple[str, ...]  # sorted: ("DELETE", "INSERT", "UPDATE OF a, b")
    level: str = "STATEMENT"  # ROW | STATEMENT
    function: str = ""  # "schema.name"
    arguments: tuple[str, ...] = ()
    when: str | None = None
    constraint: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    enabled: str = "O"  # pg_trigger.tgenabled: O, D, R, A
    #: transition tables, sorted: ("NEW TABLE AS newrows", "OLD TABLE AS oldrows")
    referencing: tuple[str, ...] = ()
    KIND = "trigger"


#: a policy's role that is the role the migrations ran as (``TO CURRENT_USER``): its name is
#: the server's to know, not the files' (:class:`schemadiff.equivalence.Equivalence`)
MIGRATING_ROLE = "CURRENT_USER"


@record
class Policy(TableLevel):
    schema: str
    table: str
    name: str
    permissive: bool = True
    command: str = "ALL"
    roles: tuple[str, ...] = ("public",)
    using: str | None = None
    with_check: str | None = None
    #: ``using`` and ``with_check`` as written (the migration's text, the server's deparse),
    #: None when not known or stale after a rename. The canonical forms drop column qualifiers,
    #: which decide what a subquery's columns mean: these are what a repair writes.
    using_text: str | None = field(default=None, compare=False)
    check_text: str | None = field(default=None, compare=False)
    KIND = "policy"


@record
class EventTrigger(SchemaObject):
    """An event trigger (``CREATE EVENT TRIGGER``): database-wide, in no schema, keyed by its
    name alone (like an extension)."""

    name: str
    event: str  # ddl_command_start | ddl_command_end | sql_drop | table_rewrite | login
    tags: tuple[str, ...] = ()  # WHEN TAG IN (...): upper case, sorted; empty: every tag
    function: str = ""  # "schema.name"
    enabled: str = "O"  # pg_event_trigger.evtenabled: O, D, R, A
    KIND = "event_trigger"

    @property
    def key(self) -> Key:
        return Key("event_trigger", "", self.name)

    @classmethod
    def identity_fields(cls) -> tuple[str, ...]:
        return ("name",)


@record
class Privilege(SchemaObject):
    """What one role may do on one table (or view), sequence, routine or schema, beyond the
    defaults: the owner's own privileges are never compared, nor PUBLIC's default ``EXECUTE``
    on routines (its revocation is: ``-EXECUTE``).

    ``privileges`` is sorted: ``"SELECT"``, ``"UPDATE*"`` (with grant option), ``"-EXECUTE"``
    (a default revoked).
    """

    schema: str  # the object's schema (a schema's own name for a schema)
    object: str  # "table users", "sequence users_id_seq", "function f(integer)", "schema app"
    grantee: str  # the role's name as written, or "PUBLIC"
    privileges: tuple[str, ...] = ()
    KIND = "privilege"

    @property
    def key(self) -> Key:
        return _key(Key, ("privilege", self.schema, self.object, self.grantee))

    @classmethod
    def identity_fields(cls) -> tuple[str, ...]:
        return ("schema", "object", "grantee")


#: Object kinds that live on a table and go with it.
TABLE_LEVEL_KINDS = frozenset({"column", "constraint", "trigger", "policy"})


def undecided_when_none(kind: str) -> tuple[str, ...]:
    """The attributes of ``kind`` whose None means "not decided" (a view's query, an
    extension's version): no value to compare, on either side."""
    return _UNDECIDED_WHEN_NONE.get(kind, ())


def _kinds(cls: type[SchemaObject]) -> list[type[SchemaObject]]:
    return [cls, *(k for sub in cls.__subclasses__() for k in _kinds(sub))]


_UNDECIDED_WHEN_NONE = {c.KIND: c.UNDECIDED_WHEN_NONE for c in _kinds(SchemaObject)
                        if c.KIND and c.UNDECIDED_WHEN_NONE}


@record
class Effect:
    """One change the replay made: the provenance record and the input of inference.

    ``attribute`` is ``"*"`` when the whole object was created (``before`` None) or dropped
    (``after`` None); otherwise the name of the field that changed.
    """

    migration: str  # version string, or "" for a dump / live source
    index: int  # position of the statement in the replay (global order)
    key: Key
    attribute: str
    before: Any
    after: Any
    location: Any = field(default=None, compare=False)  # errors.Location


@record
class Move:
    """An object a statement re-keyed (``ALTER TABLE t RENAME TO u``, ``SET SCHEMA``, a
    column or schema renamed): ``old`` is gone and ``new`` is the same object. ``carried``:
    it followed another one (a renamed table's columns, constraints and indexes), which the
    statement names; the statement does not need it.

    The effect log shows such an object dropped and made; inference reads this to know that
    what the object held under ``old`` (its attributes, whether an earlier migration made it
    at all) is what it holds under ``new``.
    """

    migration: str
    index: int
    old: Key
    new: Key
    carried: bool = False


def effect_table(e: Effect) -> tuple[str, str] | None:
    """The (schema, table) an effect's object is on (a column, constraint, trigger, policy or
    index), else None."""
    if e.key.kind in TABLE_LEVEL_KINDS:
        return (e.key.schema, e.key.name)
    if e.key.kind == "index":
        obj = e.after if e.after is not None else e.before
        name = getattr(obj, "table", None)
        return (e.key.schema, name) if isinstance(name, str) else None
    return None


class _Objects(dict):  # type: ignore[type-arg]
    """The key -> object mapping, indexed as it changes.

    Replay drops and renames cascade over "every index of this table", "every foreign key
    to it", "every sequence it owns"; these indexes keep those lookups from scanning the whole
    catalog, so replay stays linear in the length of the history.
    """

    def __init__(self, items: dict[Key, SchemaObject] | None = None) -> None:
        super().__init__()
        self.by_kind: dict[str, dict[Key, SchemaObject]] = {}
        self.by_table: dict[tuple[str, str], dict[Key, SchemaObject]] = {}
        self.by_parent: dict[tuple[str, str, str], dict[Key, SchemaObject]] = {}
        self.by_ref: dict[str, dict[Key, SchemaObject]] = {}
        for k, v in (items or {}).items():
            self[k] = v

    def __reduce__(self) -> tuple[type, tuple[dict[Key, SchemaObject]]]:
        # rebuilt through __init__ (the indexes are derived); a dict subclass's default
        # pickling would set the items before the indexes exist
        return (type(self), (dict(self),))

    @staticmethod
    def _parent(key: Key, obj: SchemaObject) -> tuple[str, str, str] | None:
        if key.kind == "index":
            return ("index", key.schema, obj.table)  # type: ignore[attr-defined]
        owned = getattr(obj, "owned_by", None) if key.kind == "sequence" else None
        return ("sequence", key.schema, owned.split(".")[0]) if owned else None

    def _unindex(self, key: Key, obj: SchemaObject) -> None:
        self.by_kind[key.kind].pop(key, None)
        if key.kind in TABLE_LEVEL_KINDS:
            self.by_table.get((key.schema, key.name), {}).pop(key, None)
        parent = self._parent(key, obj)
        if parent is not None:
            self.by_parent.get(parent, {}).pop(key, None)
        ref = getattr(obj, "ref_table", None) if key.kind == "constraint" else None
        if ref:
            self.by_ref.get(ref, {}).pop(key, None)

    def __setitem__(self, key: Key, obj: SchemaObject) -> None:
        old = self.get(key)
        if old is not None:
            self._unindex(key, old)
        super().__setitem__(key, obj)
        self.by_kind.setdefault(key.kind, {})[key] = obj
        if key.kind in TABLE_LEVEL_KINDS:
            self.by_table.setdefault((key.schema, key.name), {})[key] = obj
        parent = self._parent(key, obj)
        if parent is not None:
            self.by_parent.setdefault(parent, {})[key] = obj
        ref = getattr(obj, "ref_table", None) if key.kind == "constraint" else None
        if ref:
            self.by_ref.setdefault(ref, {})[key] = obj

    def __delitem__(self, key: Key) -> None:
        obj = self[key]
        super().__delitem__(key)
        self._unindex(key, obj)

    def pop(self, key: Key, *default: object) -> object:  # type: ignore[override]
        if key in self:
            obj = self[key]
            del self[key]
            return obj
        if default:
            return default[0]
        raise KeyError(key)

    def update(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        for k, v in dict(*args, **kwargs).items():  # type: ignore[call-overload]
            self[k] = v

    def load(self, objects: Iterable[SchemaObject]) -> None:
        """Add many objects at once (a catalog read from a database): ``self[o.key] = o`` for
        each, with the index bookkeeping done in one tight loop."""
        by_kind, by_table, by_parent, by_ref = (
            self.by_kind, self.by_table, self.by_parent, self.by_ref
        )
        put = dict.__setitem__
        table_level = TABLE_LEVEL_KINDS
        for obj in objects:
            key = obj.key
            if key in self:  # a replacement: the general path unindexes the old one
                self[key] = obj
                continue
            put(self, key, obj)
            kind = key[0]
            kind_map = by_kind.get(kind)
            if kind_map is None:
                kind_map = by_kind[kind] = {}
            kind_map[key] = obj
            if kind in table_level:
                by_table.setdefault((key[1], key[2]), {})[key] = obj
                if kind == "constraint":
                    ref = obj.ref_table  # type: ignore[attr-defined]
                    if ref:
                        by_ref.setdefault(ref, {})[key] = obj
            elif kind == "index" or kind == "sequence":
                parent = self._parent(key, obj)
                if parent is not None:
                    by_parent.setdefault(parent, {})[key] = obj


class Catalog:
    """A schema as a mapping of keys to objects, with the lookups replay and diff need."""

    __slots__ = ("objects",)

    def __init__(self, objects: dict[Key, SchemaObject] | None = None) -> None:
        self.objects: _Objects = _Objects(objects)

    def __iter__(self) -> Iterator[SchemaObject]:
        return iter(self.objects.values())

    def __len__(self) -> int:
        return len(self.objects)

    def __contains__(self, key: object) -> bool:
        return key in self.objects

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Catalog) and self.objects == other.objects

    def __hash__(self) -> int:  # pragma: no cover - catalogs are mutable containers
        raise TypeError("Catalog is unhashable")

    def get(self, key: Key) -> SchemaObject | None:
        return self.objects.get(key)

    def of_kind(self, kind: str) -> list[SchemaObject]:
        return list(self.objects.by_kind.get(kind, {}).values())

    def on_table(self, schema: str, table: str) -> list[SchemaObject]:
        """Columns, constraints, triggers and policies of one table (not its indexes)."""
        return list(self.objects.by_table.get((schema, table), {}).values())

    def indexes_on(self, schema: str, table: str) -> list[Index]:
        """The indexes of a table (not those backing its constraints)."""
        return list(self.objects.by_parent.get(("index", schema, table), {}).values())  # type: ignore[arg-type]

    def sequences_owned_by(self, schema: str, table: str) -> list[Sequence]:
        """The sequences owned by a column of the table (serial columns)."""
        return list(self.objects.by_parent.get(("sequence", schema, table), {}).values())  # type: ignore[arg-type]

    def constraints_referencing(self, qualified_table: str) -> list[Constraint]:
        """Foreign keys whose referenced table is ``schema.table``."""
        return list(self.objects.by_ref.get(qualified_table, {}).values())  # type: ignore[arg-type]

    def columns(self, schema: str, table: str) -> list[Column]:
        cols = [o for o in self.on_table(schema, table) if isinstance(o, Column)]
        return sorted(cols, key=lambda c: c.position)

    def sorted(self) -> list[SchemaObject]:
        """Objects ordered by kind (``KIND_ORDER``) then key (each kind's keys sorted alone:
        tuples compared in C, no sort key built per object)."""
        out: list[SchemaObject] = []
        for kind in KIND_ORDER:
            objects = self.objects.by_kind.get(kind)
            if objects:
                out.extend([objects[k] for k in sorted(objects)])
        return out
