"""Apply statement ops to a catalog the way PostgreSQL would, recording every effect.

The replay creates what PostgreSQL creates implicitly (serial sequences, NOT NULL on primary
keys, constraint and index names), cascades drops and renames along PostgreSQL's dependencies,
and logs each change as an :class:`~schemadiff.model.Effect` with the migration that made it:
the provenance that diff reports and inference reasons with. It does no I/O.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections import Counter
from dataclasses import replace
from typing import Any

from schemadiff.errors import Diagnostic, Location
from schemadiff.model import (
    Catalog,
    Column,
    CompositeType,
    Constraint,
    Domain,
    Effect,
    Enum,
    Extension,
    Function,
    Index,
    Key,
    Policy,
    Privilege,
    Schema,
    SchemaObject,
    Sequence,
    Table,
    Trigger,
    View,
)
from schemadiff.sql import ops
from schemadiff.sql.grammar import figure_colname
from schemadiff.sql.names import (
    choose_name,
    index_column_names,
    make_object_name,
    name_addition,
)
from schemadiff.sql.normalize import (
    TypeRef,
    canonical_default,
    canonical_view_query,
    nextval_default,
    qualified,
    quote_ident,
    quote_literal,
    referenced_columns,
    referenced_relations,
    rename_column,
    rename_literal,
    type_ref,
)
from schemadiff.sql.quote import split_top
from schemadiff.sql.tokens import Stream
from schemadiff.uncertain import RUN_TIME

# A name called in a statement (``create_partitions(``), and a routine body that runs DDL: a
# DDL keyword opening a statement, or EXECUTE of SQL built at run time.
_CALLED = re.compile(r'([A-Za-z_][\w$]*)"?\s*\(')
_RUNS_DDL = re.compile(
    r"(?:^|[;\n]|\bTHEN|\bLOOP|\bBEGIN|\bELSE)\s*(?:(?P<execute>EXECUTE)\b|(?:CREATE|ALTER|DROP)\s+"
    r"(?:TABLE|INDEX|UNIQUE|VIEW|MATERIALIZED|SEQUENCE|SCHEMA|TYPE|FUNCTION|TRIGGER|POLICY)"
    r"\b(?:\s+(?:IF\s+(?:NOT\s+)?EXISTS|CONCURRENTLY|ON|UNIQUE|INDEX|VIEW))*\s+"
    r'"?(?P<name>[\w$.]+))',
    re.IGNORECASE,
)
_TEMP_TABLE = re.compile(
    r"CREATE\s+(?:GLOBAL\s+|LOCAL\s+)?TEMP(?:ORARY)?\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r'"?([\w$]+)',
    re.IGNORECASE,
)


def _runs_ddl(body: str) -> bool:
    """A routine body that EXECUTEs SQL built at run time or runs DDL on an object other than
    a temporary table of its own."""
    temp: set[str] | None = None
    for m in _RUNS_DDL.finditer(body):
        if m["execute"]:
            return True
        if temp is None:
            temp = {t.lower() for t in _TEMP_TABLE.findall(body)}
        if m["name"].lower() not in temp:
            return True
    return False


_PRIVILEGE_TARGETS = frozenset({"table", "view", "sequence", "function", "schema"})


def _privilege_object(key: Key) -> tuple[str, str]:
    """(schema, object) of the privileges on the object ``key`` names."""
    if key.kind == "schema":
        return (key.name, f"schema {key.name}")
    if key.kind == "function":
        return (key.schema, f"function {key.name}({key.sub})")
    return (key.schema, f"{'sequence' if key.kind == 'sequence' else 'table'} {key.name}")


_RELATION_KINDS = ("table", "view", "sequence", "index", "composite")
_TYPE_KINDS = ("enum", "domain", "composite")
_INT_RANGES = {
    "smallint": (-32768, 32767),
    "integer": (-2147483648, 2147483647),
    "bigint": (-9223372036854775808, 9223372036854775807),
}
_INDEX_BACKED = ("primary key", "unique", "exclude")
_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
#: Trigger functions PostgreSQL ships in pg_catalog (a trigger may name them unqualified).
_BUILTIN_TRIGGER_FUNCTIONS = frozenset({
    "tsvector_update_trigger", "tsvector_update_trigger_column",
    "suppress_redundant_updates_trigger",
})


class ReplayConflict(Exception):
    """The statement would fail in PostgreSQL against the modelled state."""


class Replayer:
    """A catalog under construction plus the effect log.

    Use :meth:`apply` for each parsed statement in order; read :attr:`catalog`,
    :attr:`effects` and :attr:`diagnostics` at the end.

    Args:
        record_effects: keep the effect log (which statement made each attribute). A schema
            source (a dump) needs only its final catalog.
    """

    def __init__(self, *, record_effects: bool = True) -> None:
        self.catalog = Catalog({Key("schema", "", "public"): Schema("public")})
        self.effects: list[Effect] = []
        self._record = record_effects
        self.diagnostics: list[Diagnostic] = []
        self.search_path: tuple[str, ...] = ("public",)
        self._search_path_setting = ("$user", "public")  # as SHOW search_path would print it
        self._journal: dict[Key, SchemaObject | None] = {}
        self._connames: dict[str, Counter[str]] = {}
        self._index = 0
        self._migration = ""
        self._location: Location | None = None
        self._text = ""  # the statement being applied, for diagnostics
        self._lenient = 0  # > 0 inside DO blocks: guarded DDL, conflicts are not errors
        self._temp: set[str] = set()  # this session's temporary relations (not modelled)
        # (space, schema, name) of uncompared objects other statements name: foreign tables
        # ("relation"), shell and base types ("type")
        self._uncompared: set[tuple[str, str, str]] = set()
        self._any_inherits = False  # some table INHERITS from another (see _inheritors)
        # PostgreSQL 18 NOT NULL constraints given a name: (schema, table, name) -> column
        self._not_null_names: dict[tuple[str, str, str], str] = {}
        # the privileges the last deleted object took with it (see _privileges_moved)
        self._dropped_privileges: tuple[tuple[str, str], list[SchemaObject]] = (("", ""), [])
        # ALTER DEFAULT PRIVILEGES: (schema or "" for all, object type) -> grantee ->
        # (privilege -> grant option granted, privileges revoked)
        self._default_acl: dict[tuple[str, str], dict[str, tuple[dict[str, bool], set[str]]]] = {}
        self._moving = False  # a rename puts objects back: no default privileges then

    @classmethod
    def over(cls, catalog: Catalog) -> Replayer:
        """A replayer (without an effect log) continuing from a copy of ``catalog``."""
        replayer = cls(record_effects=False)
        replayer.catalog = Catalog(dict(catalog.objects))
        for key in catalog.objects.by_kind.get("constraint", {}):
            replayer._connames.setdefault(key.schema, Counter())[key.sub] += 1
        return replayer

    def snapshot(self) -> tuple[Any, ...]:
        """The replay's state, to :meth:`restore` when a migration is run on a server
        instead (the hybrid replay)."""
        return (Catalog(dict(self.catalog.objects)), len(self.effects), len(self.diagnostics),
                self._index, set(self._uncompared), self._any_inherits,
                dict(self._not_null_names))

    def restore(self, state: tuple[Any, ...]) -> None:
        """Back to a :meth:`snapshot` (what was replayed since is forgotten)."""
        catalog, effects, diagnostics, index, uncompared, inherits, not_null = state
        self.catalog = Catalog(dict(catalog.objects))
        del self.effects[effects:]
        del self.diagnostics[diagnostics:]
        self._index, self._uncompared, self._any_inherits = index, set(uncompared), inherits
        self._not_null_names = dict(not_null)
        self._recount_constraints()

    def adopt(self, effects: list[Effect], after: Catalog, steps: int) -> None:
        """Take a migration's effects as a server recorded them (``after``: the catalog the
        server read after it): each object they touch becomes what the server made.
        ``steps``: how many statement indexes the migration uses."""
        base = self._index
        for e in effects:
            obj = after.objects.get(e.key)
            if obj is None:
                self.catalog.objects.pop(e.key, None)
            else:
                self.catalog.objects[e.key] = obj
                if isinstance(obj, Table) and obj.inherits:
                    self._any_inherits = True
            if self._record:
                self.effects.append(dataclasses.replace(e, index=base + e.index))
        self._index = base + max(steps, 1 + max((e.index for e in effects), default=0))
        self._recount_constraints()

    def _recount_constraints(self) -> None:
        self._connames = {}
        for key in self.catalog.objects.by_kind.get("constraint", {}):
            self._connames.setdefault(key.schema, Counter())[key.sub] += 1

    def rename_object(self, key: Key, name: str) -> None:
        """``ALTER ... RENAME TO name`` of a relation or function, with its cascades."""
        self._rename_relation(key, key.schema, name)
        self._commit()

    def rename_column(self, schema: str, table: str, old: str, new: str) -> None:
        """``ALTER TABLE ... RENAME COLUMN old TO new``, with its cascades."""
        self._rename_column(schema, table, old, new)
        self._commit()

    # ------------------------------------------------------------------ public
    def apply(self, op: ops.Op, migration: str = "", location: Location | None = None,
              text: str = "") -> None:
        """Apply one op; conflicts and unsupported statements become diagnostics."""
        self._migration = migration
        self._location = location
        self._text = text
        self._journal = {}
        try:
            self._dispatch(op)
        except ReplayConflict as exc:
            self._diag(str(exc))
        self._commit()
        self._index += 1

    def reset_search_path(self) -> None:
        """Each migration starts in a new session (each file is its own connection state)."""
        self.search_path = ("public",)
        self._temp = set()

    def _is_temp(self, qn: ops.QName | None) -> bool:
        """A temporary relation of this session, or an object in pg_temp: not schema state."""
        if qn is None:
            return False
        return qn.schema == "pg_temp" or (qn.schema is None and qn.name in self._temp)

    # ------------------------------------------------------------------ journal
    def _put(self, obj: SchemaObject) -> None:
        key = obj.key
        old = self.catalog.objects.get(key)
        if (old is None and self._default_acl and key.kind in _PRIVILEGE_TARGETS
                and not self._moving):
            self._catalog_put(key, old, obj)
            self._apply_default_privileges(key)
            return
        self._catalog_put(key, old, obj)

    def _catalog_put(self, key: Key, old: SchemaObject | None, obj: SchemaObject) -> None:
        if key not in self._journal:
            self._journal[key] = old
        if key.kind == "constraint" and old is None:
            self._connames.setdefault(key.schema, Counter())[key.sub] += 1
        self.catalog.objects[key] = obj

    def _delete(self, key: Key) -> None:
        old = self.catalog.objects.pop(key, None)
        if old is None:
            return
        if key not in self._journal:
            self._journal[key] = old
        if key.kind == "constraint":
            self._connames[key.schema][key.sub] -= 1
        if key.kind in _PRIVILEGE_TARGETS and self.catalog.objects.by_kind.get("privilege"):
            # its privileges go with it; a rename puts them back (_privileges_moved)
            target = _privilege_object(key)
            gone = [o for k, o in self.catalog.objects.by_kind["privilege"].items()
                    if (k.schema, k.name) == target]
            for o in gone:
                self._delete(o.key)
            self._dropped_privileges = (target, gone)

    def _privileges_moved(self, old: Key, new: Key) -> None:
        """``old`` was just deleted and put back as ``new`` (renamed, moved): its privileges
        follow it."""
        target, gone = self._dropped_privileges
        if not gone or old.kind not in _PRIVILEGE_TARGETS or target != _privilege_object(old):
            return
        schema, obj = _privilege_object(new)
        for o in gone:
            self._put(replace(o, schema=schema, object=obj))  # type: ignore[type-var]
        self._dropped_privileges = (("", ""), [])

    def _commit(self) -> None:
        if not self._record:
            self._journal = {}
            return
        for key, before in self._journal.items():
            after = self.catalog.objects.get(key)
            if before == after:
                continue
            if before is None or after is None:
                self.effects.append(
                    Effect(self._migration, self._index, key, "*", before, after, self._location)
                )
                continue
            a, b = before.attributes(), after.attributes()
            for attr, value in b.items():
                if a.get(attr) != value:
                    self.effects.append(
                        Effect(self._migration, self._index, key, attr, a.get(attr), value,
                               self._location)
                    )
        self._journal = {}

    def _diag(self, message: str) -> None:
        """Record what could not be modelled, with the statement it came from."""
        self.diagnostics.append(
            Diagnostic(self._location or Location("<sql>"), message, self._text)
        )

    def _conflict(self, message: str) -> None:
        if not self._lenient:
            raise ReplayConflict(message)

    # ------------------------------------------------------------------ lookups
    def _path(self) -> tuple[str, ...]:
        path = tuple(s for s in self.search_path if Key("schema", "", s) in self.catalog)
        return path or ("public",)

    def _creation_schema(self, schema: str | None) -> str:
        if schema:
            return schema
        return self._path()[0]

    def _find(self, kinds: tuple[str, ...], qn: ops.QName) -> Key | None:
        schemas = (qn.schema,) if qn.schema else self._path()
        for schema in schemas:
            for kind in kinds:
                key = Key(kind, schema, qn.name)
                if key in self.catalog.objects:
                    return key
        return None

    def _relation_or_constraint_index(self, schema: str, name: str) -> bool:
        if any(Key(k, schema, name) in self.catalog.objects for k in _RELATION_KINDS):
            return True
        # constraint-backed indexes are relations too
        return any(
            k.kind == "constraint" and k.schema == schema and k.sub == name
            and o.type in _INDEX_BACKED  # type: ignore[attr-defined]
            for k, o in self._constraints_named(schema, name)
        )

    def _constraints_named(self, schema: str, name: str) -> list[tuple[Key, SchemaObject]]:
        if not self._connames.get(schema, Counter()).get(name):
            return []
        return [(k, o) for k, o in self.catalog.objects.items()
                if k.kind == "constraint" and k.schema == schema and k.sub == name]

    def _constraint_name_taken(self, schema: str, name: str) -> bool:
        return bool(self._connames.get(schema, Counter()).get(name))

    def _table(self, qn: ops.QName) -> Table:
        key = self._find(("table",), qn)
        if key is None:
            raise ReplayConflict(f'relation "{qn}" does not exist')
        return self.catalog.objects[key]  # type: ignore[return-value]

    def _type_text(self, t: TypeRef, keep_modifiers: bool = True) -> str:
        if t.modifiers in ("%TYPE", "%ROWTYPE"):
            return self._referenced_type(t, keep_modifiers)
        render = t.render if keep_modifiers else t.render_bare
        if t.builtin:
            return render()
        if t.schema:
            return render(t.schema)
        key = self._find((*_TYPE_KINDS, "table", "view"), ops.QName(None, t.name))
        if key is None:
            other = self._uncompared_key("type", ops.QName(None, t.name))
            return render(other[1] if other else self._path()[0])
        return render(key.schema)

    def _referenced_type(self, t: TypeRef, keep_modifiers: bool) -> str:
        """``table.column%TYPE`` is that column's type (without its modifier where a routine
        keeps none); ``table%ROWTYPE`` the table's row type."""
        if t.modifiers == "%ROWTYPE":
            key = self._find(("table", "view"), ops.QName(t.schema, t.name))
            if key is None:
                raise ReplayConflict(f'relation "{t.name}" does not exist')
            return qualified(key.schema, key.name)
        table, _, column = t.name.rpartition(".")
        key = self._find(("table", "view"), ops.QName(t.schema, table))
        col = self.catalog.objects.get(Key("column", key.schema, key.name, column)) if key else None
        if col is None:
            raise ReplayConflict(f"{t.name}%TYPE: no such column")
        type_text: str = col.type  # type: ignore[attr-defined]
        if keep_modifiers:
            return type_text
        from schemadiff.sql.query_types import _without_typmod

        bare = _without_typmod(type_text)
        return "character" if bare == "bpchar" else bare

    def _qualified_table(self, qn: ops.QName) -> str:
        key = self._find(("table", "view"), qn)
        if key is None:
            other = self._uncompared_key("relation", qn)  # a foreign table
            schema = other[1] if other else self._creation_schema(qn.schema)
            return f"{schema}.{qn.name}"
        return f"{key.schema}.{qn.name}"

    # ------------------------------------------------------------------ dispatch
    def _dispatch(self, op: ops.Op) -> None:
        name = getattr(op, "name", None)
        if isinstance(name, ops.QName) and name.schema and name.schema.startswith("pg_temp"):
            return  # an object of this session's temporary schema is not schema state
        handler = getattr(self, "_op_" + type(op).__name__, None)
        if handler is None:
            raise ReplayConflict(f"no replay for {type(op).__name__}")
        handler(op)

    def _op_NoEffect(self, op: ops.NoEffect) -> None:
        if op.category == "data" and op.detail in ("SELECT", "CALL", "WITH") and self._text:
            called = self._ddl_function_called(self._text)
            if called is not None:
                self._diag(f"calls {called.key.display}, which runs DDL or SQL built at run "
                           "time; what it makes is not modelled")

    def _ddl_function_called(self, text: str) -> Function | None:
        """A function of the migrations this statement calls whose body runs DDL (or
        ``EXECUTE``s SQL built at run time): ``SELECT create_partitions(now())``."""
        functions = self.catalog.objects.by_kind.get("function")
        if not functions:
            return None
        called = {m.group(1).lower() for m in _CALLED.finditer(text)}
        for key in functions:
            if key.name.lower() in called:
                f = self.catalog.objects[key]
                if isinstance(f, Function) and _runs_ddl(f.body):
                    return f
        return None

    def _op_Unsupported(self, op: ops.Unsupported) -> None:
        self._diag(op.reason)

    def _op_Batch(self, op: ops.Batch) -> None:
        for inner in op.ops:
            self._dispatch(inner)

    def _op_Uncompared(self, op: ops.Uncompared) -> None:
        if not op.space:
            return
        for qn in op.names:
            if op.action == "create":
                self._uncompared.add((op.space, self._creation_schema(qn.schema), qn.name))
                continue
            found = self._uncompared_key(op.space, qn)
            if found is None:
                continue
            space, schema, name = found
            if op.action == "drop":
                self._drop_uncompared(found, op.cascade)
            elif op.action == "rename":
                self._uncompared.discard(found)
                self._uncompared.add((space, schema, op.new))
            elif op.action == "set_schema":
                self._uncompared.discard(found)
                self._uncompared.add((space, op.new, name))

    def _uncompared_key(self, space: str, qn: ops.QName | None) -> tuple[str, str, str] | None:
        """An uncompared object of that name (through the search path), or None."""
        if qn is None or not self._uncompared:
            return None
        for schema in (qn.schema,) if qn.schema else self._path():
            if (space, schema, qn.name) in self._uncompared:
                return (space, schema, qn.name)
        return None

    def _drop_uncompared(self, found: tuple[str, str, str], cascade: bool) -> None:
        self._uncompared.discard(found)
        space, schema, name = found
        if space == "type" and cascade:
            self._drop_type_dependents(qualified(schema, name))
        elif space == "relation" and cascade:  # tables inheriting from the foreign table
            self._drop_inheritors(Key("table", schema, name))

    def _drop_type_dependents(self, type_text: str) -> None:
        """DROP TYPE ... CASCADE: the columns of that type (or its arrays) and the functions
        taking or returning it go with it."""
        def uses(t: str) -> bool:
            t = t.removeprefix("SETOF ")
            return t == type_text or t.startswith(type_text + "[")

        for t in list(self.catalog.of_kind("table")):
            if isinstance(t, Table) and t.of_type == type_text and t.key in self.catalog:
                self._drop_table(t.key)  # a typed table goes with its type
        for o in list(self.catalog.of_kind("column")):
            if isinstance(o, Column) and uses(o.type) and o.key in self.catalog:
                t = self.catalog.objects.get(Key("table", o.schema, o.table))
                if isinstance(t, Table) and t.partition_by and o.name in _partition_key_columns(
                        t.partition_by):
                    self._drop_table(t.key)  # a partition key column takes its table along
                else:
                    self._drop_column(o.schema, o.table, o.name)
        for d in list(self.catalog.of_kind("domain")):
            if isinstance(d, Domain) and uses(d.type) and d.key in self.catalog:
                self._delete(d.key)  # a domain over it, and what is of that domain
                self._drop_type_dependents(qualified(d.schema, d.name))
        for c in list(self.catalog.of_kind("composite")):
            if isinstance(c, CompositeType) and c.key in self.catalog:
                kept = tuple(a for a in c.attributes_ if not uses(a[1]))
                if kept != c.attributes_:  # a composite's attribute of it is dropped
                    self._put(replace(c, attributes_=kept))
        for f in list(self.catalog.of_kind("function")):
            if isinstance(f, Function) and (
                    any(uses(a) for a in f.identity_args.split(", ")) or uses(f.returns or "")):
                self._delete(f.key)

    def _op_ConvertToView(self, op: ops.ConvertToView) -> None:
        key = self._find(("table",), op.name)
        if key is None:
            raise ReplayConflict(f'relation "{op.name}" does not exist')
        comment = self.catalog.objects[key].comment
        self._drop_table(key)
        self._put(View(key.schema, key.name, False, referenced_relations(op.query),
                       canonical_view_query(op.query, self._star_columns(op.query)),
                       definition=op.query, comment=comment))

    def _op_SetSearchPath(self, op: ops.SetSearchPath) -> None:
        if op.schemas is None:
            self.search_path = ("public",)
            self._search_path_setting = ("$user", "public")
        else:
            self.search_path = tuple(s for s in op.schemas if s not in ("$user", "pg_catalog"))
            self._search_path_setting = op.schemas

    def _op_DoBlock(self, op: ops.DoBlock) -> None:
        if op.opaque:
            self._diag(f"DO block runs {RUN_TIME}; only its literal DDL is modelled")
        self._lenient += 1
        try:
            for inner in op.ops:
                with contextlib.suppress(ReplayConflict):
                    self._dispatch(inner)
        finally:
            self._lenient -= 1

    # ------------------------------------------------------------------ schema, extension
    def _op_CreateSchema(self, op: ops.CreateSchema) -> None:
        key = Key("schema", "", op.name)
        if key in self.catalog:
            if not op.if_not_exists:
                self._conflict(f'schema "{op.name}" already exists')
            return
        self._put(Schema(op.name))
        if not op.elements:
            return
        # the elements run with the new schema at the front of the search path
        saved = self.search_path
        self.search_path = (op.name, *saved)
        # transformCreateSchemaStmt runs the elements by kind, not as written: sequences,
        # tables, views, indexes, triggers, then grants
        rank = {"CreateSequence": 0, "CreateTable": 1, "CreateTableAs": 1, "CreateView": 2,
                "CreateIndex": 3, "CreateTrigger": 4}
        try:
            for element in sorted(op.elements, key=lambda e: rank.get(type(e).__name__, 5)):
                self._dispatch(element)
        finally:
            self.search_path = saved

    def _op_RenameSchema(self, op: ops.RenameSchema) -> None:
        """Every object of the schema moves; what names them by oid prints the new name."""
        key = Key("schema", "", op.old)
        if key not in self.catalog:
            self._conflict(f'schema "{op.old}" does not exist')
            return
        if Key("schema", "", op.new) in self.catalog:
            self._conflict(f'schema "{op.new}" already exists')
            return
        schema_obj = self.catalog.objects[key]
        self._delete(key)
        self._moving = True
        self._put(replace(schema_obj, name=op.new))  # type: ignore[type-var]
        self._privileges_moved(key, Key("schema", "", op.new))
        moved = [o for o in list(self.catalog) if getattr(o, "schema", None) == op.old
                 and o.KIND != "extension"]
        for o in moved:
            self._delete(o.key)
        for o in moved:
            self._put(replace(o, schema=op.new))  # type: ignore[type-var]
            self._privileges_moved(o.key, replace(o, schema=op.new).key)
        self._moving = False
        old_q, new_q = f"{op.old}.", f"{op.new}."
        def moved_ref(ref: str | None) -> str | None:
            return new_q + ref[len(old_q):] if ref and ref.startswith(old_q) else ref
        for o in list(self.catalog):
            if isinstance(o, Constraint) and o.ref_table and o.ref_table.startswith(old_q):
                self._put(replace(o, ref_table=moved_ref(o.ref_table)))
            elif isinstance(o, Table) and (o.partition_of or o.inherits or o.of_type):
                typed = quote_ident(op.old) + "."
                of_type = (quote_ident(op.new) + "." + o.of_type[len(typed):]
                           if o.of_type and o.of_type.startswith(typed) else o.of_type)
                self._put(replace(o, partition_of=moved_ref(o.partition_of), of_type=of_type,
                                  inherits=tuple(moved_ref(p) or p for p in o.inherits)))
            elif isinstance(o, Trigger) and o.function.startswith(old_q):
                self._put(replace(o, function=moved_ref(o.function) or o.function))
            elif isinstance(o, Extension) and o.schema == op.old:
                self._put(replace(o, schema=op.new))
        for space, schema, name in list(self._uncompared):
            if schema == op.old:
                self._uncompared.discard((space, schema, name))
                self._uncompared.add((space, op.new, name))
        type_names = {o.name for o in moved if o.KIND in (*_TYPE_KINDS, "table", "view")}
        type_names |= {n for sp, sc, n in self._uncompared if sp == "type" and sc == op.new}
        for name in sorted(type_names):
            self._retype(qualified(op.old, name), qualified(op.new, name))

    def _op_CreateExtension(self, op: ops.CreateExtension) -> None:
        if op.name == "plpgsql":
            return  # in every database from template1; pg_dump leaves it out
        key = Key("extension", "", op.name)
        if key in self.catalog:
            if not op.if_not_exists:
                self._conflict(f'extension "{op.name}" already exists')
            return
        self._put(Extension(op.name, op.schema or self._path()[0], op.version))

    # ------------------------------------------------------------------ privileges
    def _op_Grant(self, op: ops.Grant) -> None:
        from schemadiff.sql.privileges import ALL

        object_type = "function" if op.target in ("procedure", "routine") else op.target
        targets: list[tuple[str, str, str]] = []  # (schema, object type, object)
        if op.in_schemas:
            for schema in op.in_schemas:
                for key in sorted(self._objects_in(schema, op.target)):
                    targets.append(self._privilege_target(key))
        elif object_type == "schema":
            for qn in op.names:
                if qn.name == "public":
                    continue  # its defaults depend on the server version: not compared
                if Key("schema", "", qn.name) not in self.catalog:
                    self._conflict(f'schema "{qn.name}" does not exist')
                    return
                targets.append((qn.name, "schema", f"schema {qn.name}"))
        elif object_type == "function":
            for qn, args in zip(op.names, op.args or (None,) * len(op.names), strict=False):
                keys = self._functions_named(qn, args)
                if len(keys) > 1:
                    self._conflict(f'function name "{qn}" is not unique')
                    return
                # none: an aggregate or a built-in function, which the model does not hold
                targets += [self._privilege_target(k) for k in keys]
        else:
            for qn in op.names:
                key = self._find(("table", "view", "sequence"), qn)
                if key is None:
                    if not self._is_temp(qn) and self._uncompared_key("relation", qn) is None:
                        self._conflict(f'relation "{qn}" does not exist')
                    continue  # a temporary or a foreign table: not modelled
                targets.append(self._privilege_target(key))
        for schema, kind, obj in targets:
            every = ALL[kind]
            named = every if "ALL" in op.privileges else tuple(
                p for p in op.privileges if p in every)
            for grantee in op.grantees:
                self._grant_one(schema, kind, obj, grantee, named, op)

    def _grant_one(self, schema: str, kind: str, obj: str, grantee: str,
                   named: tuple[str, ...], op: ops.Grant) -> None:
        from schemadiff.sql.privileges import compared, held

        key = Key("privilege", schema, obj, grantee)
        old = self.catalog.objects.get(key)
        holds = held(kind, grantee, old.privileges if isinstance(old, Privilege) else ())
        for p in named:
            if not op.revoke:
                holds[p] = holds.get(p, False) or op.grant_option
            elif op.grant_option:
                if p in holds:
                    holds[p] = False
            else:
                holds.pop(p, None)
        privs = compared(kind, grantee, holds)
        if privs:
            self._put(Privilege(schema, obj, grantee, privs))
        elif old is not None:
            self._delete(key)

    def _op_DefaultPrivileges(self, op: ops.DefaultPrivileges) -> None:
        from schemadiff.sql.privileges import ALL

        g = op.grant
        kind = "function" if g.target in ("procedure", "routine") else g.target
        every = ALL[kind]
        named = every if "ALL" in g.privileges else tuple(p for p in g.privileges if p in every)
        for schema in op.schemas or ("",):
            entry = self._default_acl.setdefault((schema, kind), {})
            for grantee in g.grantees:
                granted, revoked = entry.setdefault(grantee, ({}, set()))
                for p in named:
                    if not g.revoke:
                        granted[p] = granted.get(p, False) or g.grant_option
                        revoked.discard(p)
                    elif g.grant_option:
                        if p in granted:
                            granted[p] = False
                    else:
                        granted.pop(p, None)
                        revoked.add(p)

    def _apply_default_privileges(self, key: Key) -> None:
        """A new object gets the default privileges of its type, global then its schema's."""
        from schemadiff.sql.privileges import compared, held

        schema, obj = _privilege_object(key)
        if obj == "schema public":
            return
        kind = obj.split(" ", 1)[0]
        holds: dict[str, dict[str, bool]] = {}
        for scope in ("", schema) if kind != "schema" else ("",):
            for grantee, (granted, revoked) in self._default_acl.get((scope, kind), {}).items():
                h = holds.setdefault(grantee, held(kind, grantee, ()))
                for p, option in granted.items():
                    h[p] = h.get(p, False) or option
                if scope == "":  # a schema's defaults can only add
                    for p in revoked:
                        h.pop(p, None)
        for grantee, h in holds.items():
            privs = compared(kind, grantee, h)
            if privs:
                self._put(Privilege(schema, obj, grantee, privs))

    def _privilege_target(self, key: Key) -> tuple[str, str, str]:
        if key.kind == "function":
            return (key.schema, "function", f"function {key.name}({key.sub})")
        kind = "sequence" if key.kind == "sequence" else "table"
        return (key.schema, kind, f"{kind} {key.name}")

    def _objects_in(self, schema: str, target: str) -> list[Key]:
        """``ON ALL TABLES IN SCHEMA s`` and the like: the objects it reaches now."""
        if target in ("function", "procedure", "routine"):
            routines = {"function": ("function", "window"), "procedure": ("procedure",),
                        "routine": ("function", "window", "procedure")}[target]
            return [k for k, o in self.catalog.objects.by_kind.get("function", {}).items()
                    if k.schema == schema and o.routine in routines]  # type: ignore[attr-defined]
        kinds = ("sequence",) if target == "sequence" else ("table", "view")
        return [k for kind in kinds for k in self.catalog.objects.by_kind.get(kind, {})
                if k.schema == schema]

    def _privileges_follow(self, old: tuple[str, str], new: tuple[str, str] | None) -> None:
        """An object dropped (``new`` None) or renamed: ``old``/``new`` are (schema, object)."""
        for key, o in list(self.catalog.objects.by_kind.get("privilege", {}).items()):
            if (key.schema, key.name) == old:
                self._delete(key)
                if new is not None:
                    self._put(replace(o, schema=new[0], object=new[1]))  # type: ignore[type-var]

    def _op_AlterExtension(self, op: ops.AlterExtension) -> None:
        key = Key("extension", "", op.name)
        obj = self.catalog.objects.get(key)
        if not isinstance(obj, Extension):
            if op.name != "plpgsql":
                self._conflict(f'extension "{op.name}" does not exist')
            return
        if op.update:  # UPDATE without TO: the default version, which the text does not say
            self._put(replace(obj, version=op.version))
        elif op.set_schema:
            self._put(replace(obj, schema=op.set_schema))

    # ------------------------------------------------------------------ types
    def _type_exists(self, schema: str, name: str) -> bool:
        return any(Key(k, schema, name) in self.catalog for k in (*_TYPE_KINDS, "table", "view"))

    def _op_CreateEnum(self, op: ops.CreateEnum) -> None:
        schema = self._creation_schema(op.name.schema)
        if self._type_exists(schema, op.name.name):
            self._conflict(f'type "{op.name.name}" already exists')
            return
        self._put(Enum(schema, op.name.name, op.labels))

    def _op_CreateComposite(self, op: ops.CreateComposite) -> None:
        schema = self._creation_schema(op.name.schema)
        if self._type_exists(schema, op.name.name):
            self._conflict(f'type "{op.name.name}" already exists')
            return
        attrs = tuple((n, self._type_text(t)) for n, t in op.attributes)
        self._put(CompositeType(schema, op.name.name, attrs))

    def _op_CreateDomain(self, op: ops.CreateDomain) -> None:
        if not op.type.builtin and self._is_temp(ops.QName(op.type.schema, op.type.name)):
            self._temp.add(op.name.name)  # over a temporary table's row type: temporary too
            return
        schema = self._creation_schema(op.name.schema)
        if self._type_exists(schema, op.name.name):
            self._conflict(f'type "{op.name.name}" already exists')
            return
        checks = []
        for name, expr in op.checks:
            cname = name or choose_name(op.name.name, None, "check",
                                        lambda n: any(c[0] == n for c in checks))
            checks.append((cname, expr.replace("VALUE", "VALUE")))
        self._put(Domain(schema, op.name.name, self._type_text(op.type), op.not_null, op.default,
                         op.collation, tuple(sorted(checks))))

    def _op_AlterType(self, op: ops.AlterType) -> None:
        key = self._find(("domain",) if op.domain else _TYPE_KINDS, op.name)
        if key is None:
            other = self._uncompared_key("type", op.name)
            if other is not None and op.action in ("rename", "set_schema"):
                space, schema, name = other
                self._uncompared.discard(other)
                moved = ((space, schema, op.args[0]) if op.action == "rename"
                         else (space, op.args[0], name))
                self._uncompared.add(moved)
                self._retype(qualified(schema, name), qualified(moved[1], moved[2]))
            elif other is None and not op.if_exists:
                self._conflict(f'type "{op.name}" does not exist')
            return
        obj: Any = self.catalog.objects[key]
        a = op.args
        if op.action == "add_value":
            label, before, after, ine = a
            if label in obj.labels:
                if not ine:
                    self._conflict(f'enum label "{label}" already exists')
                return
            labels = list(obj.labels)
            if before is not None and before in labels:
                labels.insert(labels.index(before), label)
            elif after is not None and after in labels:
                labels.insert(labels.index(after) + 1, label)
            else:
                labels.append(label)
            self._put(replace(obj, labels=tuple(labels)))
        elif op.action == "rename_value":
            self._put(replace(obj, labels=tuple(a[1] if x == a[0] else x for x in obj.labels)))
            self._rename_enum_value(key, a[0], a[1])
        elif op.action == "rename":
            self._rename_type(key, obj, key.schema, a[0])
        elif op.action == "set_schema":
            self._rename_type(key, obj, a[0], key.name)
        elif op.action == "add_attribute":
            type_text = self._type_text(a[1])
            self._put(replace(obj, attributes_=(*obj.attributes_, (a[0], type_text))))
            for t in self._typed_tables(key):
                self._put(Column(t.schema, t.name, a[0], type_text,
                                 position=self._next_position(t.schema, t.name)))
        elif op.action == "drop_attribute":
            self._put(replace(obj, attributes_=tuple(x for x in obj.attributes_ if x[0] != a[0])))
            for t in self._typed_tables(key):
                if Key("column", t.schema, t.name, a[0]) in self.catalog:
                    self._drop_column(t.schema, t.name, a[0])
        elif op.action == "alter_attribute":
            type_text = self._type_text(a[1])
            self._put(replace(obj, attributes_=tuple(
                (n, type_text if n == a[0] else t) for n, t in obj.attributes_)))
            for t in self._typed_tables(key):
                col = self.catalog.objects.get(Key("column", t.schema, t.name, a[0]))
                if col is not None:
                    self._put(replace(col, type=type_text))  # type: ignore[type-var]
        elif op.action == "rename_attribute":
            self._put(replace(obj, attributes_=tuple(
                (a[1] if n == a[0] else n, t) for n, t in obj.attributes_)))
            for t in self._typed_tables(key):
                if Key("column", t.schema, t.name, a[0]) in self.catalog:
                    self._rename_column(t.schema, t.name, a[0], a[1])
        elif op.action == "set_default":
            self._put(replace(obj, default=a[0]))
        elif op.action == "set_not_null":
            self._put(replace(obj, not_null=a[0]))
        elif op.action == "add_check":
            name = a[0] or choose_name(obj.name, None, "check",
                                       lambda n: any(c[0] == n for c in obj.checks))
            self._put(replace(obj, checks=tuple(sorted((*obj.checks, (name, a[1]))))))
        elif op.action == "drop_constraint":
            self._put(replace(obj, checks=tuple(c for c in obj.checks if c[0] != a[0])))
        elif op.action == "rename_constraint":
            renamed = ((a[1] if c[0] == a[0] else c[0], c[1]) for c in obj.checks)
            self._put(replace(obj, checks=tuple(sorted(renamed))))

    def _typed_tables(self, key: Key) -> list[Table]:
        """The tables ``OF`` a composite type (ALTER TYPE ... CASCADE reaches their columns)."""
        q = qualified(key.schema, key.name)
        return [o for o in self.catalog.of_kind("table") if isinstance(o, Table) and o.of_type == q]

    def _rename_enum_value(self, key: Key, old: str, new: str) -> None:
        """Stored defaults and expressions hold the label's oid: they print the new name.

        Defaults of the enum's columns follow exactly; in the checks, index predicates and
        policies of their tables, a string constant spelled like the old label is taken to be it.
        """
        type_text = qualified(key.schema, key.name)
        old_lit, new_lit = quote_literal(old), quote_literal(new)
        tables: set[tuple[str, str]] = set()
        for c in list(self.catalog.of_kind("column")):
            if isinstance(c, Column) and (c.type == type_text or c.type == type_text + "[]"):
                tables.add((c.schema, c.table))
                if c.default == old_lit:
                    self._put(replace(c, default=new_lit))
        ren = lambda e: rename_literal(e, old, new) if e else e  # noqa: E731
        for schema, table in tables:
            for o in list(self.catalog.on_table(schema, table)):
                if isinstance(o, Constraint) and o.type == "check":
                    self._put(replace(o, expression=ren(o.expression)))
                elif isinstance(o, Policy):
                    self._put(replace(o, using=ren(o.using), with_check=ren(o.with_check)))
            for i in list(self.catalog.of_kind("index")):
                if isinstance(i, Index) and (i.schema, i.table) == (schema, table) and i.predicate:
                    self._put(replace(i, predicate=ren(i.predicate)))

    def _rename_type(self, key: Key, obj: Any, schema: str, name: str) -> None:
        self._delete(key)
        self._put(replace(obj, schema=schema, name=name))
        self._retype(qualified(key.schema, key.name), qualified(schema, name))

    def _retype(self, old_text: str, new_text: str) -> None:
        """A type renamed or moved: what names it by oid prints the new name (columns, domains
        over it, composite attributes, routines' arguments and results)."""
        def sub(t: str) -> str:
            setof = "SETOF " if t.startswith("SETOF ") else ""
            bare = t.removeprefix("SETOF ")
            if bare == old_text or bare.startswith(old_text + "["):
                return setof + new_text + bare[len(old_text):]
            return t

        for o in list(self.catalog.of_kind("column")) + list(self.catalog.of_kind("domain")):
            t: str = o.type  # type: ignore[attr-defined]
            if sub(t) != t:
                self._put(replace(o, type=sub(t)))  # type: ignore[type-var]
        for c in list(self.catalog.of_kind("composite")):
            attrs = tuple((n, sub(t)) for n, t in c.attributes_)  # type: ignore[attr-defined]
            if attrs != c.attributes_:  # type: ignore[attr-defined]
                self._put(replace(c, attributes_=attrs))  # type: ignore[type-var]
        for f in list(self.catalog.of_kind("function")):
            if not isinstance(f, Function) or old_text not in (
                    f.identity_args + f.arguments + (f.returns or "")):
                continue
            args = ", ".join(sub(a) for a in f.identity_args.split(", ")) if f.identity_args else ""
            arguments = ", ".join(_retype_argument(a, sub) for a in _split_top(f.arguments)
                                  ) if f.arguments else ""
            moved = replace(f, identity_args=args, arguments=arguments,
                            returns=sub(f.returns) if f.returns else f.returns)
            if moved.key != f.key:
                self._delete(f.key)
            self._put(moved)

    # ------------------------------------------------------------------ sequences
    def _sequence_from(self, base: Sequence | None, schema: str, name: str,
                       o: ops.SequenceOptions) -> Sequence:
        seq = base or Sequence(schema, name)
        old_type = seq.data_type
        if o.data_type is not None:
            seq = replace(seq, data_type=self._type_text(o.data_type))
        lo, hi = _INT_RANGES.get(seq.data_type, _INT_RANGES["bigint"])
        inc = o.increment if o.increment is not None else seq.increment
        old_lo, old_hi = _INT_RANGES.get(old_type, _INT_RANGES["bigint"])
        fresh = base is None
        min_v = seq.min_value
        max_v = seq.max_value
        # init_params: AS type moves a bound that was the old type's own to the new type's
        retyped = not fresh and o.data_type is not None
        reset_min, reset_max = retyped and min_v == old_lo, retyped and max_v == old_hi
        if o.min_value is not None:
            min_v = o.min_value
        elif o.no_min or fresh or reset_min:
            min_v = lo if inc < 0 or reset_min else 1
        if o.max_value is not None:
            max_v = o.max_value
        elif o.no_max or fresh or reset_max:
            max_v = hi if inc > 0 or reset_max else -1
        if o.start is not None:
            start = o.start
        else:
            start = seq.start if not fresh else (min_v if inc > 0 else max_v)
        owned = seq.owned_by
        if o.owned_by is not None:
            owned = f"{o.owned_by[0].name}.{o.owned_by[1]}"
        elif o.owned_by_none:
            owned = None
        return replace(seq, increment=inc, min_value=min_v, max_value=max_v, start=start,
                       cache=o.cache if o.cache is not None else seq.cache,
                       cycle=o.cycle if o.cycle is not None else seq.cycle, owned_by=owned)

    def _op_CreateSequence(self, op: ops.CreateSequence) -> None:
        if op.temporary:
            self._temp.add(op.name.name)
            return
        schema = self._creation_schema(op.name.schema)
        if self._relation_or_constraint_index(schema, op.name.name):
            if not op.if_not_exists:
                self._conflict(f'relation "{op.name.name}" already exists')
            return
        self._put(self._sequence_from(None, schema, op.name.name, op.options))

    def _op_AlterSequence(self, op: ops.AlterSequence) -> None:
        key = self._find(("sequence",), op.name)
        if key is None:
            if not op.if_exists:
                self._conflict(f'relation "{op.name}" does not exist')
            return
        seq: Sequence = self.catalog.objects[key]  # type: ignore[assignment]
        if op.rename or op.set_schema:
            self._rename_relation(key, op.set_schema or key.schema, op.rename or key.name)
            return
        if op.options is not None:
            self._put(self._sequence_from(seq, key.schema, key.name, op.options))

    # ------------------------------------------------------------------ tables
    def _op_CreateTable(self, op: ops.CreateTable) -> None:
        if op.persistence == "temporary" or op.name.schema == "pg_temp":
            self._temp.add(op.name.name)
            return
        schema = self._creation_schema(op.name.schema)
        name = op.name.name
        if self._relation_or_constraint_index(schema, name):
            if not op.if_not_exists:
                self._conflict(f'relation "{name}" already exists')
            return
        parent: Table | None = None
        columns = list(op.columns)
        if op.partition_of is not None:
            parent = self._table(op.partition_of)
            given = {c.name: c for c in columns}
            columns = [
                ops.ColumnDef(c.name, None, c.not_null, c.default, None, c.generated, c.collation)
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
        # INHERITS: the columns and checks a child inherits are the parent's (as pg_dump and
        # the catalog sources see them: attislocal / conislocal), only its own are modelled;
        # a column of its own that merges with an inherited one takes its default and NOT NULL.
        for parent_name in op.inherits:
            if self._uncompared_key("relation", parent_name) is not None:
                continue  # a foreign table: its columns are not held
            inherited = self._table(parent_name)
            for i, c in enumerate(columns):
                pc: Column | None = self.catalog.objects.get(  # type: ignore[assignment]
                    Key("column", inherited.schema, inherited.name, c.name))
                if pc is not None:  # the parent's generation expression comes along too
                    columns[i] = replace(c, default=c.default or pc.default,
                                         not_null=c.not_null or pc.not_null,
                                         generated=c.generated or pc.generated)
        for src, options in op.like:
            other = self._find(("view", "composite"), src)
            if other is not None and self._find(("table",), src) is None:
                # LIKE a view or a composite type: its columns' names and types only
                copied += [Column(schema, name, n, t) for n, t in self._row_of(other)]
                continue
            like = self._table(src)
            for c in self.catalog.columns(like.schema, like.name):
                copied.append(replace(
                    c, schema=schema, table=name,
                    comment=c.comment if "COMMENTS" in options else None,
                    default=c.default if "DEFAULTS" in options else None,
                    generated=c.generated if "GENERATED" in options else None,
                    identity=c.identity if "IDENTITY" in options else None))
            if "CONSTRAINTS" in options:
                copied_checks += [
                    replace(o, schema=schema, table=name,
                            comment=o.comment if "COMMENTS" in options else None)
                    for o in self.catalog.on_table(like.schema, like.name)
                    if isinstance(o, Constraint) and o.type == "check"]
        self._any_inherits = self._any_inherits or bool(op.inherits)
        self._put(Table(
            schema, name, op.persistence, op.partition_by,
            f"{parent.schema}.{parent.name}" if parent else None,
            self._typed_bound(parent, op.partition_bound) if parent else op.partition_bound,
            tuple(self._qualified_table(q) for q in op.inherits), of_type,
        ))
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
            self._inherit_partition_indexes(parent, created)
        for src, options in op.like:
            if "INDEXES" in options and self._find(("table",), src) is not None:
                self._copy_indexes(self._table(src), schema, name, "COMMENTS" in options)

    def _typed_bound(self, parent: Table, bound: str | None) -> str | None:
        """A bound's values as the key's types store them: ``10.0`` on an integer key is 10."""
        if not bound or bound == "DEFAULT" or bound.startswith("WITH") or not parent.partition_by:
            return bound
        _, _, inner = parent.partition_by.partition(" ")
        types = []
        for part in _split_top(inner[1:-1]):
            expr, is_expr, _ = split_index_key(part)
            name = expr[1:-1].replace('""', '"') if expr.startswith('"') else expr
            col = None if is_expr else self.catalog.objects.get(
                Key("column", parent.schema, parent.name, name))
            types.append(getattr(col, "type", None))

        def typed(values: str) -> str:
            out = []
            for i, v in enumerate(_split_top(values)):
                t = types[i] if i < len(types) else None
                if t in _INT_RANGES and re.fullmatch(r"-?\d+\.0*", v):
                    v = v.split(".")[0]
                elif t in ("double precision", "real") and _NUMBER.fullmatch(v):
                    v = repr(float(v)).removesuffix(".0")  # float8out: shortest, no ".0"
                out.append(v)
            return ", ".join(out)

        return re.sub(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)", lambda m: f"({typed(m.group(1))})",
                      bound)

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

    def _op_CreateTableAs(self, op: ops.CreateTableAs) -> None:
        from schemadiff.sql.query_types import output_columns

        if op.persistence == "temporary" or op.name.schema == "pg_temp":
            self._temp.add(op.name.name)
            return
        schema = self._creation_schema(op.name.schema)
        if self._relation_or_constraint_index(schema, op.name.name):
            if not op.if_not_exists:
                self._conflict(f'relation "{op.name.name}" already exists')
            return
        columns = output_columns(op.query, self._relation_columns, self._resolve_type_text)
        if columns is None:
            raise ReplayConflict(f'CREATE TABLE AS: the columns of table "{op.name.name}" '
                                 "(its query's output) are not modelled")
        names = list(op.columns) + [c[0] for c in columns[len(op.columns):]]
        self._put(Table(schema, op.name.name, op.persistence))
        pairs = zip(columns, names, strict=False)
        for position, ((_, type_text), name) in enumerate(pairs, start=1):
            self._put(Column(schema, op.name.name, name, type_text, position=position))

    def _relation_columns(self, schema: str | None, name: str) -> list[tuple[str, str]] | None:
        """A table's ``(column, type)`` in order, for a query's shape (None: not a table the
        model knows the columns of; a temporary one, a view)."""
        qn = ops.QName(schema, name)
        if self._is_temp(qn):
            return None
        key = self._find(("table",), qn)
        if key is None:
            return None
        return [(c.name, c.type) for c in self.catalog.columns(key.schema, key.name)]

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
            _lo, hi = _INT_RANGES[type_text]
            self._put(Sequence(schema, seq_name, type_text, 1, 1, 1, hi, 1, False,
                               f"{table}.{col.name}"))
            default = nextval_default(seq_name)
            not_null = True
        collation = col.collation
        if collation == "default":
            collation = None
        default = canonical_default(default, type_text)
        self._put(Column(schema, table, col.name, type_text, not_null, default, col.identity,
                         col.generated, collation, position=position))
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
            if recurse and c.type in ("primary key", "unique", "check") and not c.no_inherit:
                added = [o for o in self.catalog.on_table(schema, table)
                         if isinstance(o, Constraint) and o.type == c.type
                         and (c.name is None or o.name == c.name)]
                children = (self._children(schema, table) if c.type == "check"
                            else self._partitions(schema, table))
                for con in added[-1:]:
                    for part in children:
                        self._clone_constraint(con, part)

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
                                 index_comment=idx.comment))
            if c.type == "primary key":
                self._set_not_null(schema, table, columns)
            return
        if c.type == "primary key":
            name = c.name or choose_name(table, None, "pkey", taken_rel)
            self._set_not_null(schema, table, columns)
        elif c.type in ("unique", "exclude"):
            # ChooseIndexColumnNames runs over the key and the INCLUDE columns alike
            label = "key" if c.type == "unique" else "excl"
            addition = name_addition(index_column_names(c.key_names + c.include))
            name = c.name or choose_name(table, addition, label, taken_rel)
        elif c.type == "check":
            cols = referenced_columns(c.expression or "")
            single = next(iter(cols)) if len(cols) == 1 else None
            name = c.name or choose_name(table, single, "check", taken_con)
            columns = ()
        elif c.type == "foreign key":
            name = c.name or choose_name(table, name_addition(columns), "fkey", taken_con)
        elif c.type == "not null":
            # PostgreSQL 18 names NOT NULL constraints; attnotnull is set even NOT VALID
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
        self._put(Constraint(
            schema, table, name, c.type, tuple(columns), c.expression, ref_table, ref_columns,
            c.on_update, c.on_delete, c.match, c.include, c.nulls_not_distinct, c.deferrable,
            c.initially_deferred, not c.not_valid, c.no_inherit,
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

    # ------------------------------------------------------------------ ALTER TABLE
    def _op_AlterTable(self, op: ops.AlterTable) -> None:
        if self._is_temp(op.name):
            for action in op.actions:  # a temporary table renamed keeps shadowing
                if isinstance(action, ops.RenameTo):
                    self._temp.discard(op.name.name)
                    self._temp.add(action.new)
            return
        kinds = {"table": ("table", "view", "sequence", "index"), "view": ("view",),
                 "materialized view": ("view",)}.get(op.relkind, ("table",))
        key = self._find(kinds, op.name)
        if key is None:
            foreign = self._uncompared_key("relation", op.name)
            if foreign is not None:  # a foreign table: only its name is kept
                for action in op.actions:
                    if isinstance(action, ops.RenameTo):
                        self._op_Uncompared(ops.Uncompared(
                            "uncompared", names=(op.name,), space="relation", action="rename",
                            new=action.new))
                    elif isinstance(action, ops.SetSchema):
                        self._op_Uncompared(ops.Uncompared(
                            "uncompared", names=(op.name,), space="relation",
                            action="set_schema", new=action.schema))
                return
            if not op.if_exists:
                self._conflict(f'relation "{op.name}" does not exist')
            return
        if key.kind != "table":
            for action in op.actions:
                if isinstance(action, ops.RenameTo):
                    self._rename_relation(key, key.schema, action.new)
                elif isinstance(action, ops.SetSchema):
                    self._rename_relation(key, action.schema, key.name)
                elif isinstance(action, ops.RenameColumn) and key.kind == "view":
                    self._views_undecided(key.name)  # its columns' names are not modelled
            return
        pending: list[ops.ConstraintDef] = []
        schema, table = key.schema, key.name
        for action in op.actions:
            if isinstance(action, ops.RenameTo):
                self._rename_relation(Key("table", schema, table), schema, action.new)
                table = action.new
            elif isinstance(action, ops.SetSchema):
                self._rename_relation(Key("table", schema, table), action.schema, table)
                schema = action.schema
            else:
                dropped = (self.catalog.objects.get(Key("column", schema, table, action.name))
                           if isinstance(action, ops.DropColumn) and op.only else None)
                pending += self._table_action(schema, table, action)
                if not op.only:
                    self._recurse_to_partitions(schema, table, action)
                elif isinstance(dropped, Column):
                    self._localize(schema, table, dropped)
        self._add_constraints(schema, table, pending, recurse=not op.only)

    def _recurse_to_partitions(self, schema: str, table: str, a: ops.Action) -> None:
        """Column changes on a partitioned table reach its partitions.

        ADD / DROP / RENAME COLUMN and ALTER COLUMN TYPE / DEFAULT / NOT NULL recurse, as in
        PostgreSQL without ``ONLY``; the parent's column is already changed.
        """
        for part in self._children(schema, table):
            ps, pt = part.schema, part.name
            if isinstance(a, ops.AddColumn):
                parent_col = self.catalog.objects.get(Key("column", schema, table, a.column.name))
                mine = Key("column", ps, pt, a.column.name)
                if parent_col is not None and mine not in self.catalog:
                    self._put(replace(parent_col, schema=ps, table=pt, comment=None,  # type: ignore[type-var]
                                      position=self._next_position(ps, pt)))
            elif isinstance(a, ops.DropColumn):
                if Key("column", ps, pt, a.name) in self.catalog:
                    self._drop_column(ps, pt, a.name)
            elif isinstance(a, ops.RenameColumn):
                if Key("column", ps, pt, a.old) in self.catalog:
                    self._rename_column(ps, pt, a.old, a.new)
            elif isinstance(a, ops.AlterColumn) and a.what in ("type", "default", "not_null"):
                parent_col = self.catalog.objects.get(Key("column", schema, table, a.name))
                child = self.catalog.objects.get(Key("column", ps, pt, a.name))
                if parent_col is not None and child is not None:
                    fields = {"type": ("type", "collation", "default"), "default": ("default",),
                              "not_null": ("not_null",)}[a.what]
                    self._put(replace(child, **{f: getattr(parent_col, f) for f in fields}))  # type: ignore[type-var]
            self._recurse_to_partitions(ps, pt, a)
        if isinstance(a, (ops.RenameColumn, ops.AlterColumn)):
            self._recurse_to_inheritors(schema, table, a)

    def _localize(self, schema: str, table: str, dropped: Column) -> None:
        """ALTER TABLE ONLY parent DROP COLUMN: the inheriting tables keep the column, now
        their own (it was inherited only: the model did not hold it)."""
        for child in self._inheritors(schema, table):
            if Key("column", child.schema, child.name, dropped.name) not in self.catalog:
                self._put(replace(dropped, schema=child.schema, table=child.name, comment=None,
                                  position=self._next_position(child.schema, child.name)))

    def _inheritors(self, schema: str, table: str) -> list[Table]:
        """The tables that INHERIT from this one (direct children)."""
        if not self._any_inherits:
            return []  # no table inherits from any: no scan for the usual case
        q = f"{schema}.{table}"
        return [o for o in self.catalog.of_kind("table")
                if isinstance(o, Table) and q in o.inherits]

    def _recurse_to_inheritors(self, schema: str, table: str, a: ops.Action,
                               source: Column | None = None) -> None:
        """RENAME COLUMN and ALTER COLUMN TYPE / DEFAULT / NOT NULL reach the columns of
        inheriting tables that are their own as well (merged with the inherited one): those
        are the child's columns the model holds (an inherited-only one stays the parent's)."""
        name = a.old if isinstance(a, ops.RenameColumn) else a.name  # type: ignore[attr-defined]
        if source is None and isinstance(a, ops.AlterColumn):
            source = self.catalog.objects.get(Key("column", schema, table, name))  # type: ignore[assignment]
        for child in self._inheritors(schema, table):
            cs, ct = child.schema, child.name
            col: Column | None = self.catalog.objects.get(Key("column", cs, ct, name))  # type: ignore[assignment]
            if col is not None:
                if isinstance(a, ops.RenameColumn):
                    self._rename_column(cs, ct, a.old, a.new)
                elif isinstance(a, ops.AlterColumn) and source is not None:
                    if a.what == "type":
                        self._put(replace(col, type=source.type, collation=source.collation,
                                          default=canonical_default(col.default, source.type)))
                    elif a.what == "default":
                        self._put(replace(col, default=source.default))
                    elif a.what == "not_null":
                        self._put(replace(col, not_null=source.not_null))
            self._recurse_to_inheritors(cs, ct, a, source)

    def _set_inherit(self, schema: str, table: str, a: ops.SetInherit) -> None:
        """``INHERIT p`` adds a parent (the child's columns stay its own); ``NO INHERIT p``
        removes it, and what the child inherited only from it becomes its own."""
        parent = self._table(a.parent)
        q = f"{parent.schema}.{parent.name}"
        t: Table = self.catalog.objects[Key("table", schema, table)]  # type: ignore[assignment]
        if not a.remove:
            self._any_inherits = True
            self._put(replace(t, inherits=(*t.inherits, q)))
            return
        self._put(replace(t, inherits=tuple(p for p in t.inherits if p != q)))
        for pc in self._inherited_columns(parent):
            if Key("column", schema, table, pc.name) not in self.catalog:
                self._put(replace(pc, schema=schema, table=table, comment=None,
                                  position=self._next_position(schema, table)))
        for o in self.catalog.on_table(parent.schema, parent.name):
            if (isinstance(o, Constraint) and o.type == "check" and not o.no_inherit
                    and Key("constraint", schema, table, o.name) not in self.catalog):
                self._put(replace(o, schema=schema, table=table, comment=None))

    def _inherited_columns(self, t: Table) -> list[Column]:
        """A table's columns, its ancestors' included (the ancestors' first)."""
        out: list[Column] = []
        seen: set[str] = set()
        for parent in t.inherits:
            ps, _, pt = parent.partition(".")
            pobj = self.catalog.objects.get(Key("table", ps, pt))
            if isinstance(pobj, Table):
                for c in self._inherited_columns(pobj):
                    if c.name not in seen:
                        seen.add(c.name)
                        out.append(c)
        for c in self.catalog.columns(t.schema, t.name):
            if c.name not in seen:
                seen.add(c.name)
                out.append(c)
        return out

    def _table_action(self, schema: str, table: str, a: ops.Action) -> list[ops.ConstraintDef]:
        if isinstance(a, ops.AddColumn):
            if Key("column", schema, table, a.column.name) in self.catalog:
                if not a.if_not_exists:
                    self._conflict(f'column "{a.column.name}" of relation "{table}" already exists')
                return []
            return self._add_column(schema, table, a.column, self._next_position(schema, table))
        if isinstance(a, ops.AddConstraint):
            return [a.constraint]
        if isinstance(a, ops.DropColumn):
            key = Key("column", schema, table, a.name)
            if key not in self.catalog:
                if not a.if_exists:
                    self._conflict(f'column "{a.name}" of relation "{table}" does not exist')
                return []
            self._drop_column(schema, table, a.name)
            return []
        if isinstance(a, ops.DropConstraint):
            key = Key("constraint", schema, table, a.name)
            if key not in self.catalog:
                column = self._not_null_column(schema, table, a.name)
                if column is not None:  # PostgreSQL 18: dropping it drops the NOT NULL
                    col = self.catalog.objects[Key("column", schema, table, column)]
                    self._put(replace(col, not_null=False))  # type: ignore[type-var]
                elif not a.if_exists:
                    self._conflict(f'constraint "{a.name}" of relation "{table}" does not exist')
                return []
            self._drop_constraint(key)
            return []
        if isinstance(a, ops.ValidateConstraint):
            key = Key("constraint", schema, table, a.name)
            obj = self.catalog.objects.get(key)
            if obj is not None:
                self._put(replace(obj, validated=True))  # type: ignore[type-var]
            return []
        if isinstance(a, ops.AlterColumn):
            self._alter_column(schema, table, a)
            return []
        if isinstance(a, ops.RenameColumn):
            self._rename_column(schema, table, a.old, a.new)
            return []
        if isinstance(a, ops.RenameConstraint):
            key = Key("constraint", schema, table, a.old)
            obj = self.catalog.objects.get(key)
            if obj is None:
                column = self._not_null_column(schema, table, a.old)
                if column is not None:  # a PostgreSQL 18 NOT NULL constraint (a column flag)
                    self._not_null_names.pop((schema, table, a.old), None)
                    self._not_null_names[(schema, table, a.new)] = column
                    return []
                self._conflict(f'constraint "{a.old}" of relation "{table}" does not exist')
                return []
            self._delete(key)
            self._put(replace(obj, name=a.new))  # type: ignore[type-var]
            return []
        if isinstance(a, ops.SetTableFlag):
            if a.flag != "noop":
                t = self.catalog.objects[Key("table", schema, table)]
                self._put(replace(t, **{a.flag: a.value}))  # type: ignore[type-var]
            return []
        if isinstance(a, ops.SetTriggerState):
            for o in self.catalog.on_table(schema, table):
                if isinstance(o, Trigger) and (a.trigger in ("ALL", "USER") or o.name == a.trigger):
                    self._put(replace(o, enabled=a.state))
            return []
        if isinstance(a, ops.SetInherit):
            self._set_inherit(schema, table, a)
            return []
        if isinstance(a, ops.SetOfType):
            t = self.catalog.objects[Key("table", schema, table)]
            self._put(replace(t, of_type=self._type_text(a.type) if a.type else None))  # type: ignore[type-var]
            return []
        if isinstance(a, ops.AttachPartition):
            if self._uncompared_key("relation", a.partition) is not None:
                return []  # a foreign table partition
            part = self._table(a.partition)
            if a.detach:
                self._put(replace(part, partition_of=None, partition_bound=None))
            else:
                parent_table: Table = self.catalog.objects[Key("table", schema, table)]  # type: ignore[assignment]
                self._put(replace(part, partition_of=f"{schema}.{table}",
                                  partition_bound=self._typed_bound(parent_table, a.bound)))
                parent = self.catalog.objects[Key("table", schema, table)]
                self._inherit_partition_indexes(parent, self.catalog.objects[part.key])  # type: ignore[arg-type]
            return []
        raise ReplayConflict(f"no replay for {type(a).__name__}")

    def _alter_column(self, schema: str, table: str, a: ops.AlterColumn) -> None:
        key = Key("column", schema, table, a.name)
        col: Column | None = self.catalog.objects.get(key)  # type: ignore[assignment]
        if a.what == "constraint_deferral":
            ckey = Key("constraint", schema, table, a.name)
            con = self.catalog.objects.get(ckey)
            if con is not None:
                d: dict[str, Any] = a.value  # type: ignore[assignment]
                d = {k: v for k, v in d.items() if k in ("deferrable", "initially_deferred")}
                self._put(replace(con, **d))  # type: ignore[type-var]
            return
        if col is None:
            if self._inherited_column(schema, table, a.name):
                # pg_dump's ALTER TABLE ONLY child ALTER COLUMN x SET DEFAULT on an inherited x
                return
            self._conflict(f'column "{a.name}" of relation "{table}" does not exist')
            return
        if a.what == "type":
            t, collation, _using = a.value  # type: ignore[misc]
            type_text = self._type_text(t)
            self._put(replace(col, type=type_text, collation=collation or col.collation,
                              default=canonical_default(col.default, type_text)))
            self._fold_self_casts(schema, table, a.name, type_text)
        elif a.what == "default":
            self._put(replace(col, default=canonical_default(a.value, col.type)))  # type: ignore[arg-type]
        elif a.what == "not_null":
            self._put(replace(col, not_null=bool(a.value)))
        elif a.what == "identity":
            self._put(replace(col, identity=a.value, not_null=col.not_null or a.value is not None))  # type: ignore[arg-type]
        elif a.what == "identity_kind":
            self._put(replace(col, identity=a.value))  # type: ignore[arg-type]
        elif a.what == "generated":
            self._put(replace(col, generated=a.value))  # type: ignore[arg-type]

    def _fold_self_casts(self, schema: str, table: str, column: str, type_text: str) -> None:
        """After ALTER COLUMN TYPE PostgreSQL re-parses dependent index definitions: a key that
        cast the column to what is now its own type (``date(col)``, ``col::date``) becomes the
        plain column, as ``pg_get_indexdef`` then prints it."""
        for o in list(self.catalog.of_kind("index")):
            if not (isinstance(o, Index) and o.schema == schema and o.table == table):
                continue
            keys = tuple(_fold_self_cast(k, column, type_text) for k in o.keys)
            if keys != o.keys:
                self._put(replace(o, keys=keys))

    # ------------------------------------------------------------------ cascades
    def _drop_column(self, schema: str, table: str, name: str) -> None:
        self._delete(Key("column", schema, table, name))
        for o in list(self.catalog.on_table(schema, table)):
            if isinstance(o, Constraint) and (
                name in o.columns or name in o.include
                or (o.expression and name in (_exclusion_columns(o.expression)
                                              if o.type == "exclude"
                                              else referenced_columns(o.expression)))
            ):
                self._drop_constraint(o.key)
            elif isinstance(o, Trigger) and any(e.startswith("UPDATE OF") and name in
                                                [c.strip().strip('"') for c in e[10:].split(",")]
                                                for e in o.events):
                self._delete(o.key)
        for o in self.catalog.indexes_on(schema, table):
            if _index_uses(o, name):
                self._delete(o.key)
        for o in self.catalog.sequences_owned_by(schema, table):
            if o.owned_by == f"{table}.{name}":
                self._delete(o.key)
        for o in self.catalog.constraints_referencing(f"{schema}.{table}"):
            if name in o.ref_columns:
                self._delete(o.key)

    def _drop_constraint(self, key: Key) -> None:
        con: Constraint = self.catalog.objects[key]  # type: ignore[assignment]
        self._delete(key)
        if con.type in ("primary key", "unique", "check"):
            children = self._children if con.type == "check" else self._partitions
            for part in children(key.schema, key.name):
                for o in list(self.catalog.on_table(part.schema, part.name)):
                    if not (isinstance(o, Constraint) and o.type == con.type):
                        continue
                    if (o.name == con.name if con.type == "check" else o.columns == con.columns):
                        self._drop_constraint(o.key)
        if con.type in ("primary key", "unique") and not self._other_unique(key, con.columns):
            # a foreign key depends on one unique index of the columns it references; while
            # another one remains, the drop succeeded because the key uses that other one
            for o in self.catalog.constraints_referencing(f"{key.schema}.{key.name}"):
                if o.type == "foreign key" and set(o.ref_columns) == set(con.columns):
                    self._delete(o.key)

    def _other_unique(self, key: Key, columns: tuple[str, ...]) -> bool:
        """Whether table ``key`` still has a primary key, unique constraint or plain unique
        index on exactly ``columns`` (one a foreign key on them may use)."""
        cols = set(columns)
        for o in self.catalog.on_table(key.schema, key.name):
            if (isinstance(o, Constraint) and o.type in ("primary key", "unique")
                    and set(o.columns) == cols):
                return True
        return any(i.unique and not i.predicate and {k.strip('"') for k in i.keys} == cols
                   for i in self.catalog.indexes_on(key.schema, key.name))

    def _drop_table(self, key: Key) -> None:
        schema, table = key.schema, key.name
        partitioned = getattr(self.catalog.objects.get(key), "partition_by", None)
        self._delete(key)
        for o in self.catalog.on_table(schema, table):
            self._delete(o.key)
        for o in self.catalog.indexes_on(schema, table):
            self._delete(o.key)
        for o in self.catalog.sequences_owned_by(schema, table):
            self._delete(o.key)
        qualified_name = f"{schema}.{table}"
        for o in self.catalog.constraints_referencing(qualified_name):
            self._delete(o.key)
        if not partitioned:  # only a partitioned table has partitions (to drop with it)
            return
        for o in list(self.catalog.of_kind("table")):
            if isinstance(o, Table) and o.partition_of == qualified_name:
                self._drop_table(o.key)

    def _rename_relation(self, key: Key, schema: str, name: str) -> None:
        obj: Any = self.catalog.objects[key]
        self._delete(key)
        self._moving = True
        self._put(replace(obj, schema=schema, name=name))
        self._moving = False
        self._privileges_moved(key, Key(key.kind, schema, name))
        old_q, new_q = f"{key.schema}.{key.name}", f"{schema}.{name}"
        if key.kind == "sequence":
            old_default = nextval_default(key.name)
            new_default = nextval_default(name)
            for o in list(self.catalog.of_kind("column")):
                if isinstance(o, Column) and o.default == old_default and o.schema == key.schema:
                    self._put(replace(o, default=new_default))
            return
        if key.kind != "table":
            if key.kind == "view":
                self._rename_in_views(key.name, name)
            return
        for o in list(self.catalog.on_table(key.schema, key.name)):
            self._delete(o.key)
            self._put(replace(o, schema=schema, table=name))  # type: ignore[type-var]
        for o in self.catalog.indexes_on(key.schema, key.name):
            self._delete(o.key)
            self._put(replace(o, schema=schema, table=name))
        for o in self.catalog.sequences_owned_by(key.schema, key.name):
            column = o.owned_by.split(".", 1)[1]  # type: ignore[union-attr]
            if schema != key.schema:  # ALTER TABLE ... SET SCHEMA takes its sequences along
                self._delete(o.key)
            self._put(replace(o, schema=schema, owned_by=f"{name}.{column}"))
        for o in self.catalog.constraints_referencing(old_q):
            self._put(replace(o, ref_table=new_q))
        if getattr(obj, "partition_by", None):  # only a partitioned table has partitions
            for o in list(self.catalog.of_kind("table")):
                if isinstance(o, Table) and o.partition_of == old_q:
                    self._put(replace(o, partition_of=new_q))
        self._rename_in_views(key.name, name)

    def _rename_in_views(self, old: str, new: str) -> None:
        for o in list(self.catalog.of_kind("view")):
            if isinstance(o, View) and old in o.relations:
                relations = tuple(sorted(new if r == old else r for r in o.relations))
                # the deparser prints the new name: the query as written no longer decides
                self._put(replace(o, relations=relations, query=None))

    def _views_undecided(self, relation: str) -> None:
        """A column of ``relation`` renamed: the views reading it print ``new AS old`` now."""
        for o in list(self.catalog.of_kind("view")):
            if isinstance(o, View) and relation in o.relations and o.query is not None:
                self._put(replace(o, query=None))

    def _rename_column(self, schema: str, table: str, old: str, new: str) -> None:
        key = Key("column", schema, table, old)
        col = self.catalog.objects.get(key)
        if col is None:
            self._conflict(f'column "{old}" of relation "{table}" does not exist')
            return
        self._delete(key)
        self._put(replace(col, name=new))  # type: ignore[type-var]
        self._views_undecided(table)
        tkey = Key("table", schema, table)
        tobj: Table | None = self.catalog.objects.get(tkey)  # type: ignore[assignment]
        if tobj is not None and tobj.partition_by:
            partition_by = _rename_in_partition_by(tobj.partition_by, old, new)
            self._put(replace(tobj, partition_by=partition_by))
        sub = lambda cols: tuple(new if c == old else c for c in cols)  # noqa: E731
        ren = lambda e: rename_column(e, old, new) if e else e  # noqa: E731
        q = f"{schema}.{table}"
        for o in self.catalog.on_table(schema, table):
            if isinstance(o, Constraint):
                expression = (_rename_in_exclusion(o.expression, old, new)
                              if o.type == "exclude" and o.expression else ren(o.expression))
                self._put(replace(o, columns=sub(o.columns), include=sub(o.include),
                                  expression=expression))
            elif isinstance(o, Policy):
                self._put(replace(o, using=ren(o.using), with_check=ren(o.with_check)))
            elif isinstance(o, Column) and o.generated:
                self._put(replace(o, generated=ren(o.generated)))
            elif isinstance(o, Trigger):
                events = tuple(sorted(_rename_event(e, old, new) for e in o.events))
                self._put(replace(o, events=events, when=ren(o.when)))
        for o in self.catalog.constraints_referencing(q):
            self._put(replace(o, ref_columns=sub(o.ref_columns)))
        for o in self.catalog.indexes_on(schema, table):
            keys = tuple(_rename_key(k, old, new) for k in o.keys)
            self._put(replace(o, keys=keys, include=sub(o.include), predicate=ren(o.predicate)))
        for o in self.catalog.sequences_owned_by(schema, table):
            if o.owned_by == f"{table}.{old}":
                self._put(replace(o, owned_by=f"{table}.{new}"))

    # ------------------------------------------------------------------ indexes
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
        if op.name is not None:
            if taken(op.name):
                if not op.if_not_exists:
                    self._conflict(f'relation "{op.name}" already exists')
                return
            name = op.name
        else:
            keys = op.key_names or tuple(k.column or "expr" for k in op.keys)
            names = index_column_names((*keys, *op.include))  # one namespace for both
            # a unique index made by CREATE INDEX is not a constraint: _idx; and its name only
            # has to differ from other relations' (ChooseRelationName, isconstraint false)
            name = choose_name(table.name, name_addition(names), "idx", taken)
        keys = tuple(k.expression + k.suffix for k in op.keys)
        idx = Index(schema, name, table.name, op.unique, op.method, keys, op.include,
                    op.predicate, op.nulls_not_distinct)
        self._put(idx)
        if not op.only and table.kind == "table":
            for part in self._partitions(schema, table.name):
                self._clone_index(idx, part)

    # ------------------------------------------------------------------ partitions
    def _partitions(self, schema: str, table: str) -> list[Table]:
        """The partitions of a partitioned table (direct children)."""
        parent = self.catalog.objects.get(Key("table", schema, table))
        if not isinstance(parent, Table) or not parent.partition_by:
            return []  # only a partitioned table has partitions: no scan for the usual case
        q = f"{schema}.{table}"
        return [o for o in self.catalog.of_kind("table")
                if isinstance(o, Table) and o.partition_of == q]

    def _not_null_column(self, schema: str, table: str, name: str) -> str | None:
        """The column of a PostgreSQL 18 NOT NULL constraint: named, or PostgreSQL's own
        ``<table>_<column>_not_null``; None if no NOT NULL column has that name."""
        named = self._not_null_names.get((schema, table, name))
        if named is not None:
            return named
        for col in self.catalog.columns(schema, table):
            if col.not_null and make_object_name(table, col.name, "not_null") == name:
                return col.name
        return None

    def _inherited_column(self, schema: str, table: str, column: str) -> bool:
        """Whether an INHERITS parent (transitively) of the table has this column."""
        t = self.catalog.objects.get(Key("table", schema, table))
        for parent in getattr(t, "inherits", ()):
            ps, _, pt = parent.partition(".")
            if (Key("column", ps, pt, column) in self.catalog
                    or self._inherited_column(ps, pt, column)):
                return True
        return False

    def _children(self, schema: str, table: str) -> list[Table]:
        """Where column changes and checks recurse: partitions (a partition's columns and
        checks are its own; an INHERITS child's inherited ones stay the parent's)."""
        return self._partitions(schema, table)

    def _inherit_partition_indexes(self, parent: Table, part: Table) -> None:
        """A new or attached partition gets (or attaches) each index of its parent.

        PostgreSQL's DefineRelation / AttachPartitionEnsureIndexes: an equal index already on
        the partition is attached, else a copy named for the partition is created.
        """
        for idx in self.catalog.indexes_on(parent.schema, parent.name):
            self._clone_index(idx, part)
        for o in self.catalog.on_table(parent.schema, parent.name):
            if isinstance(o, Constraint) and o.type in ("primary key", "unique", "check"):
                self._clone_constraint(o, part)

    def _clone_index(self, idx: Index, part: Table) -> None:
        """The partition's copy of a partitioned index (recursing into sub-partitions).

        The copy's name is chosen for the partition like an unnamed index on the same keys.
        """
        if any(isinstance(o, Index) and o.schema == part.schema and o.table == part.name
               and _same_index(o, idx) for o in self.catalog.of_kind("index")):
            return  # DefineIndex attaches the partition's equal index and goes no deeper
        names = index_column_names((*_key_names(idx.keys), *idx.include))
        name = choose_name(part.name, name_addition(names), "idx",
                           lambda n: self._relation_or_constraint_index(part.schema, n))
        self._put(replace(idx, schema=part.schema, name=name, table=part.name, comment=None))
        for sub in self._partitions(part.schema, part.name):
            self._clone_index(idx, sub)

    def _copy_indexes(self, src: Table, schema: str, table: str, comments: bool) -> None:
        """LIKE ... INCLUDING INDEXES: each index of the source, and each constraint an index
        backs, again on the new table, named for it as an unnamed one would be."""
        def taken(n: str) -> bool:
            return (self._relation_or_constraint_index(schema, n)
                    or self._constraint_name_taken(schema, n))

        for o in self.catalog.on_table(src.schema, src.name):
            if not (isinstance(o, Constraint) and o.type in _INDEX_BACKED):
                continue
            addition: str | None = None
            if o.type == "primary key":
                label = "pkey"
            elif o.type == "unique":
                addition, label = name_addition(index_column_names(o.columns + o.include)), "key"
            else:
                parts = _exclusion_parts(o.expression or "")
                keys = tuple(e.rpartition(" WITH ")[0] for e in parts[1]) if parts else ()
                names = index_column_names((*_key_names(keys), *o.include))
                addition, label = name_addition(names), "excl"
            name = choose_name(table, addition, label, taken)
            self._put(replace(o, schema=schema, table=table, name=name,
                              comment=o.comment if comments else None,
                              index_comment=o.index_comment if comments else None))
            if o.type == "primary key":
                self._set_not_null(schema, table, o.columns)
        for idx in self.catalog.indexes_on(src.schema, src.name):
            names = index_column_names((*_key_names(idx.keys), *idx.include))
            name = choose_name(table, name_addition(names), "idx",
                               lambda n: self._relation_or_constraint_index(schema, n))
            self._put(replace(idx, schema=schema, name=name, table=table,
                              comment=idx.comment if comments else None))

    def _clone_constraint(self, con: Constraint, part: Table) -> None:
        """The partition's copy of a primary key, unique or check constraint of its parent.

        A check keeps its name (a partition is attached only if it has it, and pg_dump prints
        it on each partition); an index-backed one is named for the partition.
        """
        if con.type == "check":
            key = Key("constraint", part.schema, part.name, con.name)
            if key not in self.catalog:
                self._put(replace(con, schema=part.schema, table=part.name, comment=None,
                                  index_comment=None))
            for sub in self._children(part.schema, part.name):
                self._clone_constraint(con, sub)
            return
        elif not any(isinstance(o, Constraint) and o.type == con.type and o.columns == con.columns
                     for o in self.catalog.on_table(part.schema, part.name)):
            schema = part.schema
            if con.type == "primary key":
                addition, label = None, "pkey"
            else:
                addition = name_addition(index_column_names(con.columns + con.include))
                label = "key"
            name = choose_name(part.name, addition, label,
                               lambda n: self._relation_or_constraint_index(schema, n)
                               or self._constraint_name_taken(schema, n))
            self._put(replace(con, schema=schema, table=part.name, name=name, comment=None,
                              index_comment=None))
            if con.type == "primary key":
                self._set_not_null(schema, part.name, con.columns)
        for sub in self._partitions(part.schema, part.name):
            self._clone_constraint(con, sub)

    def _op_AlterIndex(self, op: ops.AlterIndex) -> None:
        key = self._find(("index",), op.name)
        if key is None:
            # an index that backs a constraint: renaming it renames the constraint
            schemas = (op.name.schema,) if op.name.schema else self._path()
            for schema in schemas:
                found = self._constraints_named(schema, op.name.name)
                if found and op.rename:
                    ckey, con = found[0]
                    self._delete(ckey)
                    self._put(replace(con, name=op.rename))  # type: ignore[type-var]
                    return
            other = self._find(("table", "view", "sequence"), op.name) if op.rename else None
            if other is not None:  # ALTER INDEX ... RENAME renames any relation
                self._rename_relation(other, other.schema, op.rename)  # type: ignore[arg-type]
            elif not op.if_exists:
                self._conflict(f'relation "{op.name}" does not exist')
            return
        self._rename_relation(key, op.set_schema or key.schema, op.rename or key.name)

    # ------------------------------------------------------------------ views
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
            return
        if key not in self.catalog and self._relation_or_constraint_index(schema, op.name.name):
            self._conflict(f'relation "{op.name.name}" already exists')
            return
        comment = self.catalog.objects[key].comment if key in self.catalog else None
        query = canonical_view_query(op.query, self._star_columns(op.query))
        self._put(View(schema, op.name.name, op.materialized, relations, query,
                       definition=op.query, columns=op.columns, comment=comment))

    def _star_columns(self, query: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The tables a ``*`` of a view's query may expand into: name -> columns in order."""
        if "*" not in query:
            return ()
        from schemadiff.sql.normalize import qualified_relations

        out = []
        for schema, name in qualified_relations(query):
            key = self._find(("table",), ops.QName(schema, name))
            if key is not None:
                out.append((name, tuple(c.name for c in self.catalog.columns(key.schema, name))))
        return tuple(out)

    # ------------------------------------------------------------------ functions
    def _function_object(self, op: ops.CreateFunction, schema: str) -> Function:
        def arg_text(a: ops.Argument) -> str:
            mode = "" if a.mode == "IN" else a.mode + " "
            name = quote_ident(a.name) + " " if a.name else ""
            default = " DEFAULT " + a.default if a.default else ""
            return f"{mode}{name}{self._type_text(a.type, False)}{default}"

        identity = ", ".join(self._type_text(a.type, False)
                             for a in op.arguments if a.mode != "OUT")
        returns: str | None = None
        if op.returns_table is not None:
            returns = "TABLE(" + ", ".join(f"{quote_ident(n)} {self._type_text(t, False)}"
                                           for n, t in op.returns_table) + ")"
        elif op.returns is not None:
            returns = ("SETOF " if op.returns_setof else "") + self._type_text(op.returns, False)
        elif op.routine != "procedure":
            outs = [a for a in op.arguments if a.mode in ("OUT", "INOUT")]
            returns = self._type_text(outs[0].type, False) if len(outs) == 1 else "record"
        arguments = ", ".join(arg_text(a) for a in op.arguments
                              if op.returns_table is None or a.mode != "OUT")
        return Function(schema, op.name.name, identity, op.routine, arguments, returns,
                        op.language, op.body, op.volatility, op.strict, op.security_definer,
                        op.leakproof, op.parallel, self._resolve_config(op.config))

    def _resolve_config(self, config: tuple[str, ...]) -> tuple[str, ...]:
        """``SET search_path FROM CURRENT`` stores the value current at CREATE time."""
        return tuple(
            "search_path=" + ", ".join(self._search_path_setting)
            if entry.lower() == "search_path from current" else entry
            for entry in config
        )

    def _op_CreateFunction(self, op: ops.CreateFunction) -> None:
        if op.name.schema == "pg_temp":
            return
        types = [a.type for a in op.arguments] + ([op.returns] if op.returns else [])
        if any(not t.builtin and not t.modifiers.startswith("%")
               and self._is_temp(ops.QName(t.schema, t.name)) for t in types):
            return  # of a temporary row type: the function lives in pg_temp too
        schema = self._creation_schema(op.name.schema)
        fn = self._function_object(op, schema)
        existing = self.catalog.objects.get(fn.key)
        if existing is not None:
            if not op.or_replace:
                self._conflict(f'function "{fn.key.display}" already exists')
                return
            fn = replace(fn, comment=existing.comment)
        self._put(fn)

    def _functions_named(self, qn: ops.QName, args: tuple[TypeRef, ...] | None) -> list[Key]:
        schemas = (qn.schema,) if qn.schema else self._path()
        for schema in schemas:
            if args is not None:
                ident = ", ".join(self._type_text(t, False) for t in args)
                key = Key("function", schema, qn.name, ident)
                if key in self.catalog:
                    return [key]
            else:
                keys = [k for k in self.catalog.objects.by_kind.get("function", {})
                        if k.schema == schema and k.name == qn.name]
                if keys:
                    return keys
        return []

    def _op_AlterFunction(self, op: ops.AlterFunction) -> None:
        keys = self._functions_named(op.name, op.arguments)
        if not keys:
            if not op.if_exists:
                self._conflict(f'function "{op.name}" does not exist')
            return
        obj: Any = self.catalog.objects[keys[0]]
        if op.options:
            self._put(_altered_function(obj, op.options))
            return
        self._delete(keys[0])
        moved = replace(obj, schema=op.set_schema or obj.schema, name=op.rename or obj.name)
        self._moving = True
        self._put(moved)
        self._moving = False
        self._privileges_moved(keys[0], moved.key)
        # triggers reference their function by oid: they follow a rename or a move
        old_ref, new_ref = f"{obj.schema}.{obj.name}", f"{moved.schema}.{moved.name}"
        if old_ref != new_ref and not obj.identity_args:
            for t in list(self.catalog.of_kind("trigger")):
                if isinstance(t, Trigger) and t.function == old_ref:
                    self._put(replace(t, function=new_ref))

    # ------------------------------------------------------------------ triggers, policies
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
        trig = Trigger(table.schema, table.name, op.name, op.timing, op.events, op.level,
                       f"{fschema}.{op.function.name}", op.arguments, op.when, op.constraint,
                       op.deferrable, op.initially_deferred)
        existing = self.catalog.objects.get(trig.key)
        if existing is not None:
            if not op.or_replace:
                self._conflict(f'trigger "{op.name}" for relation "{table.name}" already exists')
                return
            trig = replace(trig, comment=existing.comment)
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

    def _op_CreatePolicy(self, op: ops.CreatePolicy) -> None:
        if self._is_temp(op.table):
            return
        table = self._find(("table", "view"), op.table)
        if table is None:
            raise ReplayConflict(f'relation "{op.table}" does not exist')
        pol = Policy(table.schema, table.name, op.name, op.permissive, op.command, op.roles,
                     op.using, op.with_check)
        if pol.key in self.catalog:
            self._conflict(f'policy "{op.name}" for table "{table.name}" already exists')
            return
        self._put(pol)

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
            changes["roles"] = op.roles
        if op.using is not None:
            changes["using"] = op.using
        if op.with_check is not None:
            changes["with_check"] = op.with_check
        self._put(replace(obj, **changes))

    # ------------------------------------------------------------------ comments
    def _op_Comment(self, op: ops.Comment) -> None:
        if op.target == "extension":
            return  # extension comments come from the extension's control file, not from users
        if op.target == "domain constraint":  # not compared: the domain keeps (name, check)
            key = self._find(("domain",), op.name)
            if key is None or not any(c[0] == op.sub for c in self.catalog.objects[key].checks):  # type: ignore[attr-defined]
                self._conflict(f"constraint {op.sub} of domain {op.name} does not exist")
            return
        if op.target in ("table", "column", "constraint", "trigger", "policy", "index",
                         "sequence", "view") and self._is_temp(op.name):
            return
        if op.target == "column" and self._find(("view", "composite"), op.name) is not None \
                and self._find(("table",), op.name) is None:
            return  # a view's or a composite type's column: the model holds neither's columns
        key = self._comment_target(op)
        if key is None:
            space = {"type": "type", "column": "relation", "table": "relation"}.get(op.target)
            if space is None or self._uncompared_key(space, op.name) is None:
                self._conflict(f"{op.target} {op.name} does not exist")
            return
        obj = self.catalog.objects[key]
        if op.target == "index" and isinstance(obj, Constraint):  # the index behind it
            self._put(replace(obj, index_comment=op.text))
            return
        self._put(replace(obj, comment=op.text))

    def _comment_target(self, op: ops.Comment) -> Key | None:
        if op.target == "schema":
            key = Key("schema", "", op.name.name)
            return key if key in self.catalog else None
        if op.target in ("column", "constraint", "trigger", "policy"):
            table = self._find(("table", "view"), op.name)
            if table is None:
                return None
            key = Key(op.target, table.schema, table.name, op.sub)
            return key if key in self.catalog else None
        if op.target == "function":
            keys = self._functions_named(op.name, op.args)
            return keys[0] if keys else None
        kinds = {"table": ("table", "view"), "view": ("view",), "index": ("index",),
                 "sequence": ("sequence",), "type": _TYPE_KINDS,
                 "domain": ("domain",)}.get(op.target)
        if kinds is None:
            return None
        key = self._find(kinds, op.name)
        if key is None and op.target == "index":
            schemas = (op.name.schema,) if op.name.schema else self._path()
            for schema in schemas:
                found = self._constraints_named(schema, op.name.name)
                if found:
                    return found[0][0]
        return key

    # ------------------------------------------------------------------ DROP
    def _op_Drop(self, op: ops.Drop) -> None:
        # the names are looked up before anything is dropped (one performMultipleDeletions):
        # one that an earlier name's cascade took along is not missing
        present = [self._drop_target_exists(op, qn) for qn in op.names] if len(op.names) > 1 else []
        for i, qn in enumerate(op.names):
            if self._is_temp(qn) or self._is_temp(op.on):
                self._temp.discard(qn.name)
                continue
            if present and present[i] and not self._drop_target_exists(op, qn):
                continue
            self._drop_one(op, qn, op.args[i] if i < len(op.args) else None)

    def _drop_target_exists(self, op: ops.Drop, qn: ops.QName) -> bool:
        kinds = {"table": ("table",), "view": ("view",), "materialized view": ("view",),
                 "index": ("index",), "sequence": ("sequence",), "type": _TYPE_KINDS,
                 "domain": ("domain",)}.get(op.kind)
        return kinds is not None and self._find(kinds, qn) is not None

    def _drop_one(self, op: ops.Drop, qn: ops.QName, args: tuple[TypeRef, ...] | None) -> None:
        missing = f'{op.kind} "{qn}" does not exist'
        if op.kind in ("trigger", "policy"):
            table = self._find(("table", "view"), op.on) if op.on else None
            key = Key(op.kind, table.schema, table.name, qn.name) if table else None
            if key is None or key not in self.catalog:
                foreign = table is None and self._uncompared_key("relation", op.on) is not None
                if not op.if_exists and not foreign:
                    self._conflict(missing)
                return
            self._delete(key)
            return
        if op.kind in ("function", "procedure"):
            keys = self._functions_named(qn, args)
            if not keys:
                if not op.if_exists:
                    self._conflict(missing)
                return
            for key in keys[:1]:
                self._delete(key)
                fq = f"{key.schema}.{key.name}"
                if op.cascade:
                    for o in list(self.catalog.of_kind("trigger")):
                        if isinstance(o, Trigger) and o.function == fq:
                            self._delete(o.key)
            return
        if op.kind == "schema":
            key = Key("schema", "", qn.name)
            if key not in self.catalog:
                if not op.if_exists:
                    self._conflict(missing)
                return
            for k in [k for k in self.catalog.objects if k.schema == qn.name]:
                if k in self.catalog.objects:
                    if k.kind == "table":
                        self._drop_table(k)
                    else:
                        self._delete(k)
            self._delete(key)
            return
        if op.kind == "extension":
            if qn.name == "plpgsql":
                return
            key = Key("extension", "", qn.name)
            if key not in self.catalog:
                if not op.if_exists:
                    self._conflict(missing)
                return
            self._delete(key)
            return
        kinds = {"table": ("table",), "view": ("view",), "materialized view": ("view",),
                 "index": ("index",), "sequence": ("sequence",), "type": _TYPE_KINDS,
                 "domain": ("domain",)}[op.kind]
        key = self._find(kinds, qn)
        if key is None:
            other = self._uncompared_key("type", qn) if op.kind == "type" else None
            if other is not None:
                self._drop_uncompared(other, op.cascade)
            elif not op.if_exists:
                self._conflict(missing)
            return
        if key.kind == "table":
            if op.cascade:
                self._drop_inheritors(key)
            self._drop_table(key)
            if op.cascade:
                self._drop_dependent_views(key.name)
                self._drop_type_dependents(qualified(key.schema, key.name))  # its row type
        elif key.kind == "index":
            self._drop_index(key)
        elif key.kind == "view":
            self._drop_table(key)  # a view goes with its indexes, triggers and comments too
            if op.cascade:
                self._drop_dependent_views(key.name)
                self._drop_type_dependents(qualified(key.schema, key.name))
        else:
            self._delete(key)
            if key.kind == "sequence" and op.cascade:
                self._drop_dependent_views(key.name)  # a view selecting from the sequence
        if key.kind in _TYPE_KINDS and op.cascade:
            self._drop_type_dependents(qualified(key.schema, key.name))

    def _drop_inheritors(self, key: Key) -> None:
        """DROP TABLE ... CASCADE: the tables that INHERIT from it go too, and theirs."""
        parent = f"{key.schema}.{key.name}"
        for o in list(self.catalog.of_kind("table")):
            if isinstance(o, Table) and parent in o.inherits and o.key in self.catalog:
                self._drop_inheritors(o.key)
                self._drop_table(o.key)
                self._drop_dependent_views(o.name)

    def _drop_dependent_views(self, name: str) -> None:
        """DROP ... CASCADE: the views reading a dropped relation go, and theirs, transitively.

        Relations are matched by name (the static view model keeps unqualified names).
        """
        for o in list(self.catalog.of_kind("view")):
            if isinstance(o, View) and name in o.relations and o.key in self.catalog:
                self._drop_table(o.key)
                self._drop_dependent_views(o.name)
                self._drop_type_dependents(qualified(o.schema, o.name))  # its row type's uses
        for p in list(self.catalog.of_kind("policy")):  # a policy's subquery reading it
            if isinstance(p, Policy) and any(
                    e and "SELECT" in e.upper() and name in referenced_relations(e)
                    for e in (p.using, p.with_check)):
                self._delete(p.key)

    def _drop_index(self, key: Key) -> None:
        """Drop an index and, on a partitioned table, its copies on the partitions."""
        idx: Index = self.catalog.objects[key]  # type: ignore[assignment]
        self._delete(key)
        for part in self._partitions(idx.schema, idx.table):
            for o in list(self.catalog.of_kind("index")):
                if (isinstance(o, Index) and o.schema == part.schema and o.table == part.name
                        and _same_index(o, idx)):
                    self._drop_index(o.key)
                    break


def _altered_function(fn: Function, options: tuple[tuple[str, object], ...]) -> Function:
    """A function after ``ALTER FUNCTION ... IMMUTABLE SET search_path = x RESET y ...``."""
    config = list(fn.config)
    changes: dict[str, Any] = {}
    for field_name, value in options:
        if field_name == "set":  # GUCArrayAdd: replaced in place, else appended
            param = str(value).split("=", 1)[0].split(" ", 1)[0]
            at = [i for i, c in enumerate(config) if c.split("=", 1)[0].split(" ", 1)[0] == param]
            if at:
                config[at[0]] = str(value)
            else:
                config.append(str(value))
        elif field_name == "reset":
            config = [c for c in config if c.split("=", 1)[0].split(" ", 1)[0] != value]
        elif field_name == "reset_all":
            config = []
        else:
            changes[field_name] = value
    return replace(fn, config=tuple(config), **changes)


def _retype_argument(argument: str, sub: Any) -> str:
    """``OUT name type DEFAULT x``: the type part through ``sub``."""
    head, sep, default = argument.partition(" DEFAULT ")
    words = head.split(" ")
    for i in range(len(words)):  # the type is the longest tail ``sub`` changes
        tail = " ".join(words[i:])
        if sub(tail) != tail:
            return " ".join([*words[:i], sub(tail)]) + sep + default
    return argument


def _without_duplicate_indexes(constraints: list[ops.ConstraintDef]) -> list[ops.ConstraintDef]:
    """transformIndexConstraints: of the index-backed constraints of one statement, those
    with equal index definitions make one index (the primary key's, else the first one's,
    taking the first name given). ``a int UNIQUE, UNIQUE (a)`` is one constraint.
    """
    def shape(c: ops.ConstraintDef) -> tuple[object, ...]:
        return (c.columns, c.include, c.expression, c.method if c.type == "exclude" else "btree",
                c.nulls_not_distinct, c.deferrable, c.initially_deferred)

    indexed = [c for c in constraints if c.type in _INDEX_BACKED and c.using_index is None]
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


def _split_top(text: str) -> list[str]:
    """Split at depth-0 commas (parentheses and quotes respected)."""
    return split_top(text)[0]


def _exclusion_parts(expression: str) -> tuple[str, list[str], str] | None:
    """``USING gist (a WITH &&, (lower(b)) WITH =) WHERE (p)`` -> (method, elements, pred)."""
    m = re.match(r"USING (\S+) \(", expression)
    if m is None:
        return None
    depth, end = 0, -1
    for i in range(m.end() - 1, len(expression)):
        depth += expression[i] == "("
        depth -= expression[i] == ")"
        if depth == 0:
            end = i
            break
    if end < 0:
        return None
    rest = expression[end + 1 :].strip()
    pred = rest[len("WHERE (") : -1] if rest.startswith("WHERE (") else ""
    return m.group(1), _split_top(expression[m.end() : end]), pred


def _rename_in_exclusion(expression: str, old: str, new: str) -> str:
    """Rename a column in an exclusion constraint's ``USING ... (...) WHERE (...)``."""
    parts = _exclusion_parts(expression)
    if parts is None:
        return expression
    method, elements, pred = parts
    renamed = []
    for element in elements:
        key, sep, op = element.rpartition(" WITH ")
        renamed.append(_rename_key(key, old, new) + sep + op if sep else element)
    out = f"USING {method} ({', '.join(renamed)})"
    return out + (f" WHERE ({rename_column(pred, old, new)})" if pred else "")


def _exclusion_columns(expression: str) -> set[str]:
    """The columns an exclusion constraint's elements and predicate use."""
    parts = _exclusion_parts(expression)
    if parts is None:
        return set()
    _, elements, pred = parts
    out: set[str] = set()
    for element in elements:
        key = element.rpartition(" WITH ")[0]
        expr, is_expr, _ = split_index_key(key)
        if is_expr:
            out |= referenced_columns(expr)
        else:
            out.add(expr[1:-1].replace('""', '"') if expr.startswith('"') else expr)
    return out | (referenced_columns(pred) if pred else set())


def _partition_key_columns(partition_by: str) -> set[str]:
    """The columns a partition key (``RANGE (a, (plusone(b)))``) uses."""
    _, _, inner = partition_by.partition(" ")
    out: set[str] = set()
    for part in _split_top(inner[1:-1]):
        expr, is_expr, _ = split_index_key(part)
        if is_expr:
            out |= referenced_columns(expr)
        else:
            out.add(expr[1:-1].replace('""', '"') if expr.startswith('"') else expr)
    return out


def _rename_in_partition_by(partition_by: str, old: str, new: str) -> str:
    """``LIST (v)`` -> ``LIST (w)`` when column v is renamed to w."""
    strategy, _, inner = partition_by.partition(" ")
    if not (inner.startswith("(") and inner.endswith(")")):
        return partition_by
    parts, depth, start, body = [], 0, 0, inner[1:-1]
    for i, ch in enumerate(body):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return f"{strategy} ({', '.join(rename_column(p.strip(), old, new) for p in parts)})"


def _same_index(a: Index, b: Index) -> bool:
    """Whether two indexes are interchangeable (what ATTACH PARTITION matches on)."""
    return (a.unique, a.method, a.keys, a.include, a.predicate, a.nulls_not_distinct) == (
        b.unique, b.method, b.keys, b.include, b.predicate, b.nulls_not_distinct)


def _key_names(keys: tuple[str, ...]) -> list[str]:
    """The column names PostgreSQL gives the keys of a cloned index (as for ``CREATE INDEX``)."""
    out = []
    for key in keys:
        expr, is_expr, _ = split_index_key(key)
        if is_expr:
            out.append(figure_colname(Stream(expr)) or "expr")
        elif expr.startswith('"'):
            out.append(expr[1:-1].replace('""', '"'))
        else:
            out.append(expr)
    return out


def split_index_key(key: str) -> tuple[str, bool, str]:
    """Split an index key into expression, whether it is one, and suffix.

    ``"(lower(email)) DESC"`` -> ("lower(email)", True, " DESC");
    ``"email"`` -> ("email", False, "").
    """
    if key.startswith("("):
        depth = 0
        for i, ch in enumerate(key):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0:
                return key[1:i], True, key[i + 1 :]
    head, sep, rest = key.partition(" ")
    return head, False, sep + rest


def _index_uses(idx: Index, column: str) -> bool:
    if column in idx.include:
        return True
    for key in idx.keys:
        expr, is_expr, _ = split_index_key(key)
        if is_expr and column in referenced_columns(expr):
            return True
        if not is_expr and expr == quote_ident(column):
            return True
    return bool(idx.predicate and column in referenced_columns(idx.predicate))


_SELF_CAST = re.compile(
    r'(?:CAST\(("?[^()"]+?"?) AS ([^()]+)\)|([A-Za-z_][A-Za-z0-9_ ]*)\(("?[^()"]+"?)\))'
)


def _fold_self_cast(key: str, column: str, type_text: str) -> str:
    """``(DATE(date))`` -> ``date`` when column ``date`` is now of type date."""
    expr, is_expr, suffix = split_index_key(key)
    if not is_expr:
        return key
    m = _SELF_CAST.fullmatch(expr.strip())
    if m is None:
        return key
    arg, type_name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    if arg.strip('"') != column:
        return key
    cast_type = type_ref([w.lower() for w in type_name.split()])
    if not cast_type.builtin or cast_type.render() != type_text.split("(")[0]:
        return key
    return quote_ident(column) + suffix


def _rename_key(key: str, old: str, new: str) -> str:
    """Rename a column inside an index key (``col DESC`` / ``(lower(col))`` / ``col opclass``)."""
    expr, is_expr, suffix = split_index_key(key)
    if is_expr:
        return "(" + rename_column(expr, old, new) + ")" + suffix
    return (quote_ident(new) if expr == quote_ident(old) else expr) + suffix


def _rename_event(event: str, old: str, new: str) -> str:
    if not event.startswith("UPDATE OF "):
        return event
    cols = [c.strip() for c in event[len("UPDATE OF "):].split(",")]
    return "UPDATE OF " + ", ".join(quote_ident(new) if c == quote_ident(old) else c for c in cols)


def object_attributes(obj: SchemaObject) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
