"""The statement IR: what a parsed statement asks the replay to do.

``sql.parse`` turns statement text into these values; ``sql.replay`` applies them to a
:class:`~schemadiff.model.Catalog`. They are plain, picklable data (the parse cache stores them),
hold raw names (schema ``None`` = resolve through ``search_path`` at replay time), canonical
expressions (already through ``normalize_expression``) and unresolved :class:`TypeRef` types.
"""

from __future__ import annotations

from dataclasses import field

from schemadiff.records import record
from schemadiff.sql.normalize import TypeRef


@record
class QName:
    schema: str | None
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


# ----------------------------------------------------------------------- building blocks


@record
class ConstraintDef:
    type: str  # primary key | unique | foreign key | check | exclude | not null
    name: str | None = None
    columns: tuple[str, ...] = ()
    expression: str | None = None
    ref_table: QName | None = None
    ref_columns: tuple[str, ...] = ()
    on_update: str = "NO ACTION"
    on_delete: str = "NO ACTION"
    match: str = "SIMPLE"
    include: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    not_valid: bool = False
    no_inherit: bool = False
    not_enforced: bool = False  # PostgreSQL 18: NOT ENFORCED (a CHECK or foreign key)
    period: bool = False  # PostgreSQL 18: the last key column WITHOUT OVERLAPS / PERIOD
    on_delete_columns: tuple[str, ...] = ()  # PostgreSQL 15: ON DELETE SET NULL (a, b)
    using_index: str | None = None
    options: tuple[tuple[str, str | None], ...] = ()  # WITH (...): its index's parameters
    # exclusion constraints: the USING method and index keys; also used for implicit index names
    method: str = "btree"
    key_names: tuple[str, ...] = ()  # column name or "expr" per key, for PostgreSQL's naming


@record
class ColumnDef:
    name: str
    type: TypeRef | None  # None for partitions / typed tables where the type is inherited
    not_null: bool = False
    default: str | None = None
    identity: str | None = None  # always | by default
    generated: str | None = None
    collation: str | None = None
    constraints: tuple[ConstraintDef, ...] = ()
    identity_sequence: QName | None = None  # GENERATED ... AS IDENTITY (SEQUENCE NAME s)
    virtual: bool = False  # GENERATED ALWAYS AS (...) [VIRTUAL]: PostgreSQL 18, not STORED
    not_null_no_inherit: bool = False  # NOT NULL NO INHERIT (PostgreSQL 18)
    compression: str | None = None  # COMPRESSION pglz | lz4 | default (lower case)
    identity_options: SequenceOptions | None = None  # GENERATED ... AS IDENTITY (options)


@record
class IndexKey:
    expression: str  # canonical column name or expression
    column: str | None  # set when the key is a plain column
    suffix: str = ""  # canonical " COLLATE x opclass DESC NULLS LAST" (leading space)


@record
class Argument:
    mode: str  # IN | OUT | INOUT | VARIADIC
    name: str | None
    type: TypeRef
    default: str | None = None


# ----------------------------------------------------------------------- statements


@record
class Op:
    """Base of every statement op."""


@record
class NoEffect(Op):
    """A statement with no schema effect: ``data`` (DML), ``transaction``, ``session``, ``acl``."""

    category: str
    detail: str = ""


@record
class CreateRole(NoEffect):
    """``CREATE ROLE r`` (``USER``, ``GROUP``): no schema effect, but ``r`` is known not to
    be the role the migrations run as, which existed before them (``ALTER DEFAULT PRIVILEGES
    FOR ROLE r`` then applies to what ``r`` makes, not to what they make)."""

    role: str = ""


@record
class Uncompared(NoEffect):
    """A statement on a kind of object the model does not hold (operators, casts, rules, text
    search, publications, collations, foreign tables, base types...): recognized, and without
    effect on the compared schema, on the migrations' side and the dump's alike.

    ``space`` is ``relation`` (a foreign table) or ``type`` (a shell or base type) when the
    object's name matters to statements the model does hold (``ALTER TABLE``, a column's
    type, ``DROP TYPE ... CASCADE``); ``action`` is ``create``, ``drop``, ``rename`` (to
    ``new``), ``set_schema`` (to ``new``) or ``""``.
    """

    space: str = ""
    names: tuple[QName, ...] = ()
    action: str = ""
    new: str = ""
    cascade: bool = False


@record
class Batch(Op):
    """Several ops one statement makes, applied in order (``ALTER TYPE t DROP ATTRIBUTE a,
    ADD ATTRIBUTE b int``)."""

    ops: tuple[Op, ...]


@record
class ConvertToView(Op):
    """``CREATE RULE "_RETURN" AS ON SELECT TO t DO INSTEAD query``: table ``t`` becomes a
    view (how pg_dump before PostgreSQL 16 writes a view that is part of a dependency loop)."""

    name: QName
    query: str


@record
class Unsupported(Op):
    """A statement the replay cannot model (reported with its location)."""

    reason: str


@record
class SetSearchPath(Op):
    schemas: tuple[str, ...] | None  # None = RESET
    local: bool = False  # SET LOCAL, set_config(..., true): until the transaction ends


@record
class SetRole(Op):
    """``SET [LOCAL] ROLE r`` / ``SET SESSION AUTHORIZATION r``: what follows runs as ``r``
    (objects it makes are ``r``'s, ``r``'s default privileges apply); None: back to the
    migrating role (``RESET ROLE``, ``SET ROLE NONE``)."""

    role: str | None
    local: bool = False


@record
class CreateSchema(Op):
    name: str
    if_not_exists: bool = False
    elements: tuple[Op, ...] = ()  # CREATE SCHEMA s CREATE TABLE ... CREATE VIEW ... GRANT ...


@record
class RenameSchema(Op):
    old: str
    new: str


@record
class CreateExtension(Op):
    name: str
    schema: str | None = None
    if_not_exists: bool = False
    version: str | None = None  # VERSION '1.1'; None: the control file's default


@record
class AlterExtension(Op):
    """``ALTER EXTENSION name UPDATE [TO 'v']`` / ``SET SCHEMA s``."""

    name: str
    update: bool = False
    version: str | None = None  # UPDATE TO 'v'; None with update: to the default version
    set_schema: str | None = None


@record
class OwnerTo(Op):
    """``ALTER TABLE | VIEW | SEQUENCE | FUNCTION | SCHEMA ... OWNER TO role``: who owns
    the object is not compared, but the owner's own privileges are not either."""

    target: str  # relation | function | schema
    name: QName
    role: str
    args: tuple[TypeRef, ...] | None = None  # a routine's argument types, when written


@record
class Grant(Op):
    """``GRANT`` / ``REVOKE`` privileges on tables, sequences, routines or schemas."""

    revoke: bool
    privileges: tuple[str, ...]  # upper-case; ("ALL",) for ALL [PRIVILEGES]
    target: str  # table | sequence | function | procedure | routine | schema
    names: tuple[QName, ...] = ()
    args: tuple[tuple[TypeRef, ...] | None, ...] = ()  # routines: each name's argument types
    in_schemas: tuple[str, ...] = ()  # ON ALL TABLES IN SCHEMA s, ...
    grantees: tuple[str, ...] = ()  # role names as written; "PUBLIC"
    grant_option: bool = False  # WITH GRANT OPTION / REVOKE GRANT OPTION FOR
    #: column privileges: ``SELECT (a, b)`` is ("SELECT", ("a", "b")); ("ALL", ...) for ALL
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()


@record
class DefaultPrivileges(Op):
    """``ALTER DEFAULT PRIVILEGES [IN SCHEMA s] GRANT|REVOKE``: ``grant.target`` is the type
    of object it applies to; no schema: every schema."""

    schemas: tuple[str, ...]
    grant: Grant
    #: ``FOR ROLE r, ...``: whose new objects it applies to (a name, or ``CURRENT_USER``,
    #: ``CURRENT_ROLE``, ``SESSION_USER`` upper-cased); none: the current role's
    roles: tuple[str, ...] = ()


@record
class CreateEnum(Op):
    name: QName
    labels: tuple[str, ...]


@record
class CreateComposite(Op):
    name: QName
    attributes: tuple[tuple[str, TypeRef], ...]


@record
class CreateRange(Op):
    """``CREATE TYPE name AS RANGE (SUBTYPE = t, ...)``: not compared, but its constants (and
    its multirange's) are printed by range_out from the subtype's, which a default of a column
    of it is compared in. ``discrete``: it has a CANONICAL function (not modelled)."""

    name: QName
    subtype: TypeRef
    discrete: bool
    multirange: QName


@record
class CreateDomain(Op):
    name: QName
    type: TypeRef
    not_null: bool = False
    default: str | None = None
    collation: str | None = None
    checks: tuple[tuple[str | None, str], ...] = ()


@record
class AlterType(Op):
    """ALTER TYPE / ALTER DOMAIN. ``action`` is one of:

    ``add_value`` (label, before, after, if_not_exists), ``rename_value`` (old, new),
    ``rename`` (new), ``set_schema`` (schema), ``add_attribute`` (name, TypeRef),
    ``drop_attribute`` (name), ``alter_attribute`` (name, TypeRef), ``rename_attribute``
    (old, new), ``set_default`` (expr|None), ``set_not_null`` (bool), ``add_check`` (name, expr),
    ``drop_constraint`` (name, if_exists), ``noop``.
    """

    name: QName
    action: str
    args: tuple = ()
    domain: bool = False
    if_exists: bool = False


@record
class SequenceOptions:
    data_type: TypeRef | None = None
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None  # None = not given
    max_value: int | None = None
    no_min: bool = False
    no_max: bool = False
    cache: int | None = None
    cycle: bool | None = None
    owned_by: tuple[QName, str] | None = None  # (table, column)
    owned_by_none: bool = False
    restart: bool = False
    sequence_name: QName | None = None  # an identity's SEQUENCE NAME


@record
class CreateSequence(Op):
    name: QName
    options: SequenceOptions
    if_not_exists: bool = False
    temporary: bool = False
    persistence: str = "permanent"  # CREATE UNLOGGED SEQUENCE (PostgreSQL 15): unlogged


@record
class AlterSequence(Op):
    name: QName
    options: SequenceOptions | None = None
    rename: str | None = None
    set_schema: str | None = None
    if_exists: bool = False
    persistence: str | None = None  # SET LOGGED: permanent, SET UNLOGGED: unlogged


@record
class CreateTable(Op):
    name: QName
    columns: tuple[ColumnDef, ...] = ()
    constraints: tuple[ConstraintDef, ...] = ()
    if_not_exists: bool = False
    persistence: str = "permanent"
    partition_by: str | None = None
    partition_of: QName | None = None
    partition_bound: str | None = None
    inherits: tuple[QName, ...] = ()
    like: tuple[tuple[QName, tuple[str, ...]], ...] = ()  # (source, INCLUDING options)
    of_type: TypeRef | None = None  # CREATE TABLE t OF composite_type
    options: tuple[tuple[str, str | None], ...] = ()  # WITH (...): storage parameters
    access_method: str | None = None  # USING method


@record
class CreateTableAs(Op):
    name: QName
    query: str
    columns: tuple[str, ...] = ()
    if_not_exists: bool = False
    persistence: str = "permanent"
    options: tuple[tuple[str, str | None], ...] = ()  # WITH (...): storage parameters
    access_method: str | None = None  # USING method


# ALTER TABLE actions -------------------------------------------------------------


@record
class Action:
    pass


@record
class AddColumn(Action):
    column: ColumnDef
    if_not_exists: bool = False


@record
class DropColumn(Action):
    name: str
    if_exists: bool = False
    cascade: bool = False


@record
class AlterColumn(Action):
    """``what``: type (TypeRef, using), default (expr|None), not_null (bool), identity
    (kind|None), identity_kind (kind), identity_options (kind|None: ``SET INCREMENT BY 5
    SET GENERATED ...``, in ``options``), generated_drop, collation, noop."""

    name: str
    what: str
    value: object = None
    sequence: QName | None = None  # ADD GENERATED ... AS IDENTITY (SEQUENCE NAME s)
    options: SequenceOptions | None = None  # an identity's sequence options


@record
class AddConstraint(Action):
    constraint: ConstraintDef


@record
class DropConstraint(Action):
    name: str
    if_exists: bool = False
    cascade: bool = False


@record
class ValidateConstraint(Action):
    name: str


@record
class RenameColumn(Action):
    old: str
    new: str


@record
class RenameConstraint(Action):
    old: str
    new: str


@record
class RenameTo(Action):
    new: str


@record
class SetSchema(Action):
    schema: str


@record
class SetTableFlag(Action):
    """rls_enabled / rls_forced / persistence."""

    flag: str
    value: object


@record
class SetAccessMethod(Action):
    """``SET ACCESS METHOD m`` (PostgreSQL 15; ``DEFAULT``, 17: None)."""

    method: str | None


@record
class SetTableAccessMethod(Op):
    """``SET default_table_access_method = m`` (``RESET``, ``DEFAULT``: None): the access
    method of the tables this session creates without ``USING``."""

    method: str | None
    local: bool = False  # SET LOCAL: until the transaction ends


@record
class SetRelOptions(Action):
    """``SET (name = value, ...)`` / ``RESET (name, ...)``: a relation's options (a view's,
    or a table's or materialized view's storage parameters)."""

    options: tuple[tuple[str, str | None], ...]
    reset: bool = False


@record
class SetTriggerState(Action):
    trigger: str  # a trigger name, or ALL / USER
    state: str  # O D R A


@record
class SetOfType(Action):
    """``OF type`` (None: ``NOT OF``)."""

    type: TypeRef | None


@record
class SetInherit(Action):
    """``INHERIT parent`` / ``NO INHERIT parent``."""

    parent: QName
    remove: bool = False


@record
class AttachPartition(Action):
    partition: QName
    bound: str | None
    detach: bool = False
    concurrently: bool = False  # DETACH ... CONCURRENTLY: the bound stays, as a CHECK


@record
class AlterTable(Op):
    name: QName
    actions: tuple[Action, ...]
    if_exists: bool = False
    relkind: str = "table"  # table | view | materialized view | foreign table
    only: bool = False  # ALTER TABLE ONLY: constraints do not recurse to partitions


@record
class CreateIndex(Op):
    name: str | None
    table: QName
    keys: tuple[IndexKey, ...]
    unique: bool = False
    method: str = "btree"
    include: tuple[str, ...] = ()
    predicate: str | None = None
    nulls_not_distinct: bool = False
    if_not_exists: bool = False
    schema: str | None = None  # an index lives in its table's schema
    key_names: tuple[str, ...] = ()  # per key: column name or FigureColname, for naming
    only: bool = False  # CREATE INDEX ... ON ONLY t: no index on the partitions
    options: tuple[tuple[str, str | None], ...] = ()  # WITH (...): storage parameters


@record
class AlterIndex(Op):
    name: QName
    rename: str | None = None
    set_schema: str | None = None
    if_exists: bool = False
    #: ``SET (...)`` / ``RESET (...)`` (``reset``): storage parameters
    options: tuple[tuple[str, str | None], ...] | None = None
    reset: bool = False
    #: ``ALTER [COLUMN] n SET STATISTICS t``: (n, t; None: the default)
    statistics: tuple[int, int | None] | None = None


@record
class CreateStatistics(Op):
    """``CREATE STATISTICS [IF NOT EXISTS] [name] [(kinds)] ON keys FROM table``."""

    name: QName | None
    table: QName
    keys: tuple[str, ...]  # column names, and expressions as "(normalized)"
    kinds: tuple[str, ...] | None = None  # None: not given (all)
    if_not_exists: bool = False


@record
class AlterStatistics(Op):
    """``ALTER STATISTICS name RENAME TO / SET SCHEMA / SET STATISTICS n``."""

    name: QName
    rename: str | None = None
    set_schema: str | None = None
    #: SET STATISTICS: (the target: None for -1 or DEFAULT,)
    target: tuple[int | None] | None = None
    if_exists: bool = False


@record
class CreateEventTrigger(Op):
    name: str
    event: str
    tags: tuple[str, ...]
    function: QName


@record
class AlterEventTrigger(Op):
    """``ENABLE [REPLICA | ALWAYS]`` / ``DISABLE`` (``enabled``: O, R, A, D) or ``RENAME TO``."""

    name: str
    enabled: str | None = None
    rename: str | None = None


@record
class CreateView(Op):
    name: QName
    query: str
    materialized: bool = False
    or_replace: bool = False
    if_not_exists: bool = False
    columns: tuple[str, ...] = ()
    temporary: bool = False
    options: tuple[tuple[str, str | None], ...] = ()  # WITH (...), and check_option


@record
class CreateFunction(Op):
    name: QName
    arguments: tuple[Argument, ...]
    routine: str = "function"
    returns: TypeRef | None = None
    returns_setof: bool = False
    returns_table: tuple[tuple[str, TypeRef], ...] | None = None
    language: str = "sql"
    body: str = ""
    volatility: str = "volatile"
    strict: bool = False
    security_definer: bool = False
    leakproof: bool = False
    parallel: str = "unsafe"
    config: tuple[str, ...] = ()
    or_replace: bool = False
    cost: str | None = None  # COST n, as written
    rows: str | None = None  # ROWS n, as written


@record
class AlterFunction(Op):
    name: QName
    arguments: tuple[TypeRef, ...] | None
    rename: str | None = None
    set_schema: str | None = None
    routine: str = "function"
    if_exists: bool = False
    # ALTER FUNCTION actions: (field, value) with field a Function attribute, or "set"
    # (a proconfig entry "param=value"), "reset" (a parameter name), "reset_all"
    options: tuple[tuple[str, object], ...] = ()


@record
class CreateTrigger(Op):
    name: str
    table: QName
    timing: str
    events: tuple[str, ...]
    level: str
    function: QName
    arguments: tuple[str, ...] = ()
    when: str | None = None
    or_replace: bool = False
    constraint: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    referencing: tuple[str, ...] = ()  # sorted: ("NEW TABLE AS newrows",)


@record
class AlterTrigger(Op):
    name: str
    table: QName
    rename: str


@record
class CreatePolicy(Op):
    name: str
    table: QName
    permissive: bool = True
    command: str = "ALL"
    roles: tuple[str, ...] = ("public",)
    using: str | None = None
    with_check: str | None = None
    using_text: str | None = None  # USING as written (``using`` is its canonical form)
    check_text: str | None = None


@record
class AlterPolicy(Op):
    name: str
    table: QName
    rename: str | None = None
    roles: tuple[str, ...] | None = None
    using: str | None = None
    with_check: str | None = None
    using_text: str | None = None
    check_text: str | None = None


@record
class Comment(Op):
    """COMMENT ON <target> IS text. ``target`` is a model kind (``table`` covers views'
    siblings through replay lookup); ``sub`` is a column/constraint/trigger/policy name; ``args``
    the argument types of a function."""

    target: str
    name: QName
    text: str | None
    sub: str = ""
    args: tuple[TypeRef, ...] | None = None


@record
class Drop(Op):
    """DROP <kind> [IF EXISTS] names [CASCADE]. For trigger/policy/rule ``on`` is the table;
    for functions ``args`` holds each name's argument types (None = by name only)."""

    kind: str
    names: tuple[QName, ...]
    if_exists: bool = False
    cascade: bool = False
    on: QName | None = None
    args: tuple[tuple[TypeRef, ...] | None, ...] = ()


@record
class DoBlock(Op):
    """DO $$ ... $$: the DDL found inside, replayed idempotently (guards assumed to hold)."""

    ops: tuple[Op, ...] = field(default=())
    opaque: bool = False  # the block also does things we could not read (dynamic SQL)
    # DDL under an ELSE / ELSIF branch, a CASE or an exception handler: left out, as what
    # runs there depends on the database at run time
    conditional: bool = False
    #: indexes in ``ops`` of DDL under an IF whose condition reads more than the catalogs
    #: (a table's rows, a setting): replayed as run, but whether it ran is undecided
    guarded: tuple[int, ...] = ()


_RERUNNABLE_ACTIONS = (AlterColumn, SetTableFlag, SetTriggerState, ValidateConstraint)


def rerunnable(op: Op) -> bool:
    """Whether running the statement again, on the schema it made, succeeds without error:
    ``CREATE OR REPLACE``, ``IF [NOT] EXISTS`` forms, comments, statements without a schema
    effect, ``DO`` blocks (their DDL is guarded). A migration made only of these can be run
    twice by its tool, as a failed ``goose up`` does after a history row was lost."""
    if isinstance(op, (NoEffect, SetSearchPath, SetRole, Comment, DoBlock)):
        return True
    if getattr(op, "or_replace", False) or getattr(op, "if_not_exists", False):
        return True
    if isinstance(op, Drop):
        return op.if_exists
    if isinstance(op, AlterTable):
        return all(
            isinstance(a, _RERUNNABLE_ACTIONS)
            or (isinstance(a, AddColumn) and a.if_not_exists)
            or (isinstance(a, (DropColumn, DropConstraint)) and a.if_exists)
            for a in op.actions
        )
    return False
