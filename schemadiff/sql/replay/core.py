"""The replay's state: the catalog under construction, the journal of one statement's changes
and the effect log it commits to, diagnostics, and name lookups along the search path."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, ClassVar, TypeVar

from schemadiff.errors import Diagnostic, Location
from schemadiff.model import (
    Catalog,
    Effect,
    Extension,
    Function,
    Key,
    Move,
    Privilege,
    Schema,
    SchemaObject,
    Table,
    View,
)
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    TypeRef,
    canonical_default,
    qualified,
    range_default,
    range_type_text,
)

#: a type named with its schema, as a domain is printed
_DOMAIN_TEXT = re.compile(r'("(?:[^"]|"")*"|[^\s."(\[]+)\.("(?:[^"]|"")*"|[^\s."(\[]+)')

_PRIVILEGE_TARGETS = frozenset({"table", "view", "sequence", "function", "schema"})

#: a call that may be a function in FROM (after FROM, JOIN or a comma, LATERAL or not)
_FUNCTION_IN_FROM = re.compile(
    r"(?i)(?:\bfrom|\bjoin|,)\s+(?:lateral\s+)?(?:[A-Za-z_]\w*\.)?[A-Za-z_]\w*\s*\(")
#: an OUT or INOUT parameter's name in a function's normalized argument list
_OUT_ARGUMENT = re.compile(r"(?:^|, )(?:IN)?OUT (\"(?:[^\"]|\"\")*\"|[a-z_][a-z0-9_$]*) ")


def privilege_object(key: Key) -> tuple[str, str]:
    """(schema, object) of the privileges on the object ``key`` names."""
    if key.kind == "schema":
        return (key.name, f"schema {key.name}")
    if key.kind == "function":
        return (key.schema, f"function {key.name}({key.sub})")
    return (key.schema, f"{'sequence' if key.kind == 'sequence' else 'table'} {key.name}")


_RELATION_KINDS = ("table", "view", "sequence", "index", "composite")
TYPE_KINDS = ("enum", "domain", "composite")
INDEX_BACKED = ("primary key", "unique", "exclude")


#: `` COLLATE name`` in a key's canonical text (the grammar writes it so, outside quotes)
_COLLATE_NAME = re.compile(r' COLLATE ((?:"(?:[^"]|"")*"|[\w$]+)(?:\.(?:"(?:[^"]|"")*"|[\w$]+))?)')
_NAME_PART = re.compile(r'"(?:[^"]|"")*"|[\w$]+')
#: a bare column followed by its COLLATE, at the start of a key's element
_ELEMENT_COLLATE = re.compile(r'(?P<pre>(?:^|[(,])\s*)(?P<col>"(?:[^"]|"")*"|[\w$]+) COLLATE '
                              r'(?P<name>(?:"(?:[^"]|"")*"|[\w$]+)(?:\.(?:"(?:[^"]|"")*"|[\w$]+))?)'
                              r'(?=[\s,)]|$)')

#: a parenthesized expression (two levels deep at most) followed by its COLLATE, at the
#: start of a key's element
_EXPRESSION_COLLATE = re.compile(
    r'(?P<pre>(?:^|[(,])\s*)(?P<expr>\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)) COLLATE '
    r'(?P<name>(?:"(?:[^"]|"")*"|[\w$]+)(?:\.(?:"(?:[^"]|"")*"|[\w$]+))?)(?=[\s,)]|$)')


def _collation_name(written: str) -> str:
    """A COLLATE's name as the model holds it: parts unquoted, unquoted ones lower-cased,
    ``pg_catalog.`` left out."""
    parts = [p[1:-1].replace('""', '"') if p.startswith('"') else p.lower()
             for p in _NAME_PART.findall(written)]
    return ".".join(parts).removeprefix("pg_catalog.")

class ReplayConflict(Exception):
    """The statement would fail in PostgreSQL against the modelled state."""


def object_attributes(obj: SchemaObject) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


_R = TypeVar("_R", bound="ReplayState")


class ReplayState:
    """A catalog under construction plus the effect log.

    Use :meth:`apply` for each parsed statement in order; read :attr:`catalog`,
    :attr:`effects` and :attr:`diagnostics` at the end.

    Args:
        record_effects: keep the effect log (which statement made each attribute). A schema
            source (a dump) needs only its final catalog.
    """

    #: op type -> handler, filled by the composed Replayer (schemadiff.sql.replay)
    HANDLERS: ClassVar[dict[type, Callable[[Any, Any], None]]] = {}

    def __init__(self, *, record_effects: bool = True) -> None:
        self.catalog = Catalog({Key("schema", "", "public"): Schema("public")})
        self.effects: list[Effect] = []
        #: what statements set to the value it already had (``CREATE ... IF NOT EXISTS`` of
        #: what exists, ``DROP ... IF EXISTS`` of what does not, ``CREATE OR REPLACE`` with
        #: the same text, the same comment again): no change here, but in a database where an
        #: earlier setter never ran, these statements are what set it (see
        #: :class:`~schemadiff.history.Replay`)
        self.rewrites: list[Effect] = []
        #: objects statements re-keyed (renamed, moved), with what followed them
        self.moves: list[Move] = []
        self._asserted: list[tuple[Key, str]] = []
        #: views dropped and not made again: a later drop of what one read would have taken
        #: it along, had it still been there (see DropReplay._reassert_gone_readers)
        self._gone_views: dict[Key, View] = {}
        self._record = record_effects
        self.diagnostics: list[Diagnostic] = []
        self.search_path: tuple[str, ...] = ("public",)
        self._search_path_setting = ("$user", "public")  # as SHOW search_path would print it
        #: schemas the tool made before the first migration (Migration.tool_schemas): made
        #: once, not again after a migration drops one
        self._tool_schemas: set[str] = set()
        #: ``SET default_table_access_method``: the method of the tables made without USING;
        #: its value when the explicit transaction began, and before a ``SET LOCAL`` in it
        self._table_am: str | None = None
        self._tx_am: tuple[str | None] | None = None
        self._local_am: tuple[str | None] | None = None
        # an explicit transaction (BEGIN ... COMMIT): the search path at its start, what a SET
        # LOCAL in it replaced, and whether a statement in it changed the schema
        self._tx_path: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._local_saved: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._tx_changed = False
        self._journal: dict[Key, SchemaObject | None] = {}
        self._connames: dict[str, Counter[str]] = {}
        self._index = 0
        self._migration = ""
        self._location: Location | None = None
        self._text = ""  # the statement being applied, for diagnostics
        self._lenient = 0  # > 0 inside DO blocks: guarded DDL, conflicts are not errors
        #: objects DDL under a guard the schema cannot decide touched (a DO block's IF on a
        #: table's rows): modelled as if it ran, but neither evidence nor drift
        self.undecided: set[Key] = set()
        self._temp: set[str] = set()  # this session's temporary relations (not modelled)
        # (space, schema, name) of uncompared objects other statements name: foreign tables
        # ("relation"), shell and base types ("type")
        self._uncompared: set[tuple[str, str, str]] = set()
        #: (schema, name) of the range types made (and their multiranges) -> the subtype's
        #: text, whether it has a CANONICAL function, whether it is the multirange: what their
        #: constants print as, while ("type", schema, name) is in _uncompared
        self._ranges: dict[tuple[str, str], tuple[str, bool, bool]] = {}
        self._any_inherits = False  # some table INHERITS from another (see _inheritors)
        # PostgreSQL 18 NOT NULL constraints given a name: (schema, table, name) -> column
        self._not_null_names: dict[tuple[str, str, str], str] = {}
        # the privileges the last deleted object took with it (see _privileges_moved)
        self._dropped_privileges: tuple[tuple[str, str], list[SchemaObject], str | None] = (
            ("", ""), [], None)
        #: (schema, object) -> the role ``ALTER ... OWNER TO`` gave it: that role's own
        #: privileges on it are the owner's, which are not compared
        self._owners: dict[tuple[str, str], str] = {}
        #: (schema, name) of the sequence behind an identity column -> (schema, table,
        #: column): not an object the model compares, but GRANT names it
        self._identity_sequences: dict[tuple[str, str], tuple[str, str, str]] = {}
        # a partition's own foreign keys PostgreSQL attached to its parent's equal ones (not
        # compared while it is attached; its own again once detached), by partition
        self._attached_fks: dict[Key, list[SchemaObject]] = {}
        # ALTER DEFAULT PRIVILEGES: (role whose new objects get them, "" for the migrating
        # role; schema or "" for all; object type) -> grantee -> (privilege -> grant option
        # granted, privileges revoked)
        self._default_acl: dict[tuple[str, str, str],
                                dict[str, tuple[dict[str, bool], set[str]]]] = {}
        #: the role that SET ROLE made current (None: the migrating role), and the roles known
        #: not to be the migrating one (a migration SET ROLE to them)
        self._role: str | None = None
        self._local_role: tuple[str | None] | None = None  # the role before a SET LOCAL ROLE
        self._other_roles: set[str] = set()
        #: the sets of FOR ROLE roles whose default privileges were said to be ambiguous
        self._roles_said: set[tuple[str, ...]] = set()
        self._moving = False  # a rename puts objects back: no default privileges then
        #: the search path each view was made under (its unqualified names resolve along it,
        #: see DropReplay._view_reads); a view made before :meth:`over` has none recorded
        self._view_paths: dict[Key, tuple[str, ...]] = {}
        #: the relations each view reads, as ``(schema, name)`` resolved when it was made and
        #: followed through renames and moves since (the server holds them by oid; the text's
        #: qualifiers go stale); a view made before :meth:`over` has none recorded
        self._view_sources: dict[Key, frozenset[tuple[str, str]]] = {}
        #: per view, the columns of tables renamed since it was made: (schema, table, name
        #: now) -> the name its text reads the column by, None where the name now is one a
        #: column had then and renamed away (another column holds it now); a column absent
        #: is known by its own name
        self._view_column_names: dict[Key, dict[tuple[str, str, str], str | None]] = {}
        #: per view, the relations it reads renamed or moved since it was made: (schema,
        #: name now) -> the name its text reads the relation by
        self._view_relation_names: dict[Key, dict[tuple[str, str], str]] = {}

    @classmethod
    def over(cls: type[_R], catalog: Catalog) -> _R:
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
                dict(self._not_null_names), len(self.rewrites), len(self.moves))

    def restore(self, state: tuple[Any, ...]) -> None:
        """Back to a :meth:`snapshot` (what was replayed since is forgotten)."""
        (catalog, effects, diagnostics, index, uncompared, inherits, not_null, rewrites,
         moves) = state
        self.catalog = Catalog(dict(catalog.objects))
        del self.effects[effects:]
        del self.rewrites[rewrites:]
        del self.moves[moves:]
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

    def rename_constraint(self, schema: str, table: str, old: str, new: str) -> None:
        """``ALTER TABLE ... RENAME CONSTRAINT old TO new`` (its index along)."""
        self._table_action(schema, table, ops.RenameConstraint(old=old, new=new))  # type: ignore[attr-defined]
        self._commit()

    def apply(self, op: ops.Op, migration: str = "", location: Location | None = None,
              text: str = "") -> None:
        """Apply one op; conflicts and unsupported statements become diagnostics."""
        self._migration = migration
        self._location = location
        self._text = text
        self._journal = {}
        self._asserted = []
        try:
            self._dispatch(op)
        except ReplayConflict as exc:
            self._diag(str(exc))
        if self._journal and self._tx_path is not None:
            self._tx_changed = True
        self._commit()
        self._index += 1

    def reset_search_path(self, setting: tuple[str, ...] | None = None,
                          schemas: Iterable[str] = ()) -> None:
        """Each migration starts in a new session (each file is its own connection state):
        ``setting`` is the ``search_path`` its tool sets (None: the server's default);
        ``schemas``, those the tool made itself before migrating, are there the first time
        (made by no statement: no effect is recorded; a later migration may drop them)."""
        for name in schemas:
            if name in self._tool_schemas:
                continue
            self._tool_schemas.add(name)
            key = Key("schema", "", name)
            if key not in self.catalog:
                self.catalog.objects[key] = Schema(name)
        names = setting if setting is not None else ("$user", "public")
        self.search_path = tuple(s for s in names if s not in ("$user", "pg_catalog"))
        self._search_path_setting = names
        self._tx_path = self._local_saved = None
        self._tx_changed = False
        self._table_am = self._tx_am = self._local_am = None
        self._temp = set()
        self._role = self._local_role = None

    def _is_temp(self, qn: ops.QName | None) -> bool:
        """A temporary relation of this session, or an object in pg_temp: not schema state."""
        if qn is None:
            return False
        return qn.schema == "pg_temp" or (qn.schema is None and qn.name in self._temp)

    def _put(self, obj: SchemaObject) -> None:
        key = obj.key
        old = self.catalog.objects.get(key)
        if (old is None and (self._default_acl or self._role) and key.kind in _PRIVILEGE_TARGETS
                and not self._moving):
            self._catalog_put(key, old, obj)
            if self._role:  # made after SET ROLE: that role owns it
                self._owners[privilege_object(key)] = self._role
            if self._default_acl:
                self._apply_default_privileges(key)
            return
        self._catalog_put(key, old, obj)

    def _catalog_put(self, key: Key, old: SchemaObject | None, obj: SchemaObject) -> None:
        if key not in self._journal:
            self._journal[key] = old
        if key.kind == "view":
            self._gone_views.pop(key, None)
        if key.kind == "constraint" and old is None:
            self._connames.setdefault(key.schema, Counter())[key.sub] += 1
        self.catalog.objects[key] = obj

    def _delete(self, key: Key) -> None:
        old = self.catalog.objects.pop(key, None)
        if old is None:
            return
        if key not in self._journal:
            self._journal[key] = old
        if isinstance(old, View) and self._record:
            self._gone_views[key] = old
        if key.kind == "constraint":
            self._connames[key.schema][key.sub] -= 1
        if key.kind in ("constraint", "index") and not self._moving:
            table = key.name if key.kind == "constraint" else old.table  # type: ignore[attr-defined]
            self._replica_index_moved(key.schema, table, key.sub or key.name)
        if key.kind in _PRIVILEGE_TARGETS and (self._owners
                                               or self.catalog.objects.by_kind.get("privilege")):
            # its privileges and owner go with it; a rename puts them back (_privileges_moved)
            target = privilege_object(key)
            columns = f"column {key.name}." if key.kind in ("table", "view") else None
            gone = [o for k, o in self.catalog.objects.by_kind.get("privilege", {}).items()
                    if (k.schema, k.name) == target
                    or (columns and k.schema == key.schema and k.name.startswith(columns))]
            for o in gone:
                self._delete(o.key)
            self._dropped_privileges = (target, gone, self._owners.pop(target, None))

    def _replica_index(self, schema: str, table: str) -> str | None:
        """The index a table's ``REPLICA IDENTITY USING INDEX`` names, if any."""
        t = self.catalog.objects.get(Key("table", schema, table))
        if isinstance(t, Table) and t.replica_identity.startswith("index "):
            return t.replica_identity[len("index "):]
        return None

    def _replica_index_moved(self, schema: str, table: str, index: str,
                             new: str | None = None) -> None:
        """The index a table's replica identity uses (``index``) is renamed to ``new``, or gone
        (None): the table then sends no key, and pg_dump prints no replica identity (the
        model's default). The index it is clustered on follows, or is none."""
        if self._replica_index(schema, table) == index:
            t = self.catalog.objects[Key("table", schema, table)]
            self._put(replace(t, replica_identity=f"index {new}" if new else "default"))
        t = self.catalog.objects.get(Key("table", schema, table))
        if isinstance(t, Table) and t.clustered_on == index:  # CLUSTER ON follows it too
            self._put(replace(t, clustered_on=new))

    def _moved(self, old: Key, new: Key, carried: bool = False) -> None:
        """``old`` was just deleted and put back as ``new``, the same object (a
        :class:`~schemadiff.model.Move`; ``carried``: it followed the one the statement
        names)."""
        if self._record and old != new:
            self.moves.append(Move(self._migration, self._index, old, new, carried))

    def _rename_index_like(self, key: Key, renamed: SchemaObject, table: str,
                           carried: bool = False) -> None:
        """An index or a constraint (and so its index) under a new name, the table's replica
        identity following it."""
        self._moving = True  # not gone: _delete leaves the replica identity alone
        self._delete(key)
        self._moving = False
        self._put(renamed)
        self._moved(key, renamed.key, carried)
        self._replica_index_moved(key.schema, table, key.sub or key.name,
                                  renamed.key.sub or renamed.key.name)

    def _identity_added(self, schema: str, table: str, column: str,
                        given: ops.QName | None) -> None:
        """An identity column's sequence: its SEQUENCE NAME, else the name PostgreSQL
        chooses (``<table>_<column>_seq``, made unique), in the table's schema."""
        from schemadiff.sql.names import choose_name

        if given is not None:
            where = (given.schema or schema, given.name)
        else:
            where = (schema, choose_name(
                table, column, "seq", lambda n: self._relation_or_constraint_index(schema, n)))
        self._identity_sequences[where] = (schema, table, column)
        owner = self._owners.get((schema, f"table {table}"))
        if owner is not None:  # an identity's sequence has its table's owner
            self._owners[(where[0], f"sequence {where[1]}")] = owner
        if self._default_acl and not self._moving:  # a new sequence: ON SEQUENCES defaults
            self._apply_default_privileges(Key("sequence", *where))

    def _identity_dropped(self, schema: str, table: str, column: str | None = None) -> None:
        """The sequences of a table's identity columns (or of one) go, and their privileges."""
        for where, (s, t, c) in list(self._identity_sequences.items()):
            if (s, t) == (schema, table) and column in (None, c):
                del self._identity_sequences[where]
                obj = f"sequence {where[1]}"
                self._owners.pop((where[0], obj), None)
                for k in [k for k in self.catalog.objects.by_kind.get("privilege", {})
                          if (k.schema, k.name) == (where[0], obj)]:
                    self._delete(k)

    def _identity_renamed(self, schema: str, table: str, new_schema: str, new_table: str,
                          column: str | None = None, new_column: str | None = None) -> None:
        """A table or column renamed: its identity sequences keep their names and belong to
        it under the new one (a table moved to another schema takes them along)."""
        for where, (s, t, c) in list(self._identity_sequences.items()):
            if (s, t) == (schema, table) and column in (None, c):
                del self._identity_sequences[where]
                moved = (new_schema, where[1]) if new_schema != schema else where
                self._identity_sequences[moved] = (new_schema, new_table, new_column or c)
                if moved != where:
                    old_obj, obj = f"sequence {where[1]}", f"sequence {moved[1]}"
                    owner = self._owners.pop((where[0], old_obj), None)
                    if owner is not None:
                        self._owners[(new_schema, obj)] = owner
                    for k, o in list(self.catalog.objects.by_kind.get("privilege", {}).items()):
                        if (k.schema, k.name) == (where[0], old_obj):
                            self._delete(k)
                            self._put(replace(o, schema=new_schema, object=obj))  # type: ignore[type-var]

    def _identity_sequence(self, qn: ops.QName) -> tuple[str, str] | None:
        """(schema, name) of the identity column's sequence ``qn`` names, if one does."""
        for schema in (qn.schema,) if qn.schema else self._path():
            if (schema, qn.name) in self._identity_sequences:
                return (schema, qn.name)
        return None

    def _identity_sequence_renamed(self, where: tuple[str, str], name: str) -> None:
        """``ALTER SEQUENCE t_id_seq RENAME TO name``: still the column's, and its owner and
        privileges follow it."""
        schema = where[0]
        self._identity_sequences[(schema, name)] = self._identity_sequences.pop(where)
        old_obj, obj = f"sequence {where[1]}", f"sequence {name}"
        owner = self._owners.pop((schema, old_obj), None)
        if owner is not None:
            self._owners[(schema, obj)] = owner
        for k, o in list(self.catalog.objects.by_kind.get("privilege", {}).items()):
            if (k.schema, k.name) == (schema, old_obj):
                self._delete(k)
                self._put(replace(o, object=obj))  # type: ignore[type-var]

    def _column_privileges(self, schema: str, relation: str, grantee: str | None = None,
                           column: str | None = None) -> list[Privilege]:
        """The privileges on a table's or view's columns (one ``column``'s; one grantee's)."""
        prefix = f"column {relation}."
        return [o for k, o in self.catalog.objects.by_kind.get("privilege", {}).items()
                if isinstance(o, Privilege) and k.schema == schema and k.name.startswith(prefix)
                and (column is None or k.name == prefix + column)
                and (grantee is None or o.grantee == grantee)]

    def _default_acl_moved(self, old: str, new: str | None) -> None:
        """A schema renamed keeps its default privileges (pg_default_acl names it by oid); a
        schema dropped takes them along."""
        for role, schema, kind in [k for k in self._default_acl if k[1] == old]:
            entry = self._default_acl.pop((role, schema, kind))
            if new is not None:
                self._default_acl[(role, new, kind)] = entry

    def _view_sources_moved(self, old: tuple[str, str], new: tuple[str, str]) -> None:
        """Relation ``old`` is now ``new`` (renamed, or moved to another schema): the views
        reading it read ``new``, and a view so moved keeps what it knew of itself."""
        for key, sources in self._view_sources.items():
            if old in sources:
                self._view_sources[key] = (sources - {old}) | {new}
                names = self._view_relation_names.setdefault(key, {})
                names[new] = names.pop(old, old[1])
        for columns in self._view_column_names.values():  # its columns' names go along
            for k in [k for k in columns if k[:2] == old]:
                columns[(*new, k[2])] = columns.pop(k)
        old_key, new_key = Key("view", *old), Key("view", *new)
        for known in (self._view_sources, self._view_paths, self._view_column_names,
                      self._view_relation_names):
            if old_key in known:
                known[new_key] = known.pop(old_key)  # type: ignore[assignment]

    def _column_privileges_moved(self, schema: str, relation: str, old: str,
                                 new: str | None) -> None:
        """A column renamed (``new``) or dropped (None): its privileges follow it or go."""
        for o in self._column_privileges(schema, relation, column=old):
            self._delete(o.key)
            if new is not None:
                self._put(replace(o, object=f"column {relation}.{new}"))

    def _retype(self, old_text: str, new_text: str) -> None:
        """A type renamed or moved: what names it by oid prints the new name (columns, domains
        over it, composite attributes, routines' arguments and results). A table's or a
        view's row type is renamed with it."""
        from schemadiff.sql.replay.text import retype_argument, top_items

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
            arguments = ", ".join(retype_argument(a, sub) for a in top_items(f.arguments)
                                  ) if f.arguments else ""
            moved = replace(f, identity_args=args, arguments=arguments,
                            returns=sub(f.returns) if f.returns else f.returns)
            if moved.key != f.key:
                self._delete(f.key)
            self._put(moved)


    def _privileges_moved(self, old: Key, new: Key) -> None:
        """``old`` was just deleted and put back as ``new`` (renamed, moved): its privileges
        follow it."""
        target, gone, owner = self._dropped_privileges
        if ((not gone and owner is None) or old.kind not in _PRIVILEGE_TARGETS
                or target != privilege_object(old)):
            return
        schema, obj = privilege_object(new)
        for o in gone:
            if o.object.startswith("column "):  # a column's: "column table.col"
                column = o.object[len(f"column {old.name}."):]
                moved = replace(o, schema=schema, object=f"column {new.name}.{column}")  # type: ignore[type-var]
            else:
                moved = replace(o, schema=schema, object=obj)  # type: ignore[type-var]
            self._put(moved)
            self._moved(o.key, moved.key, carried=True)
        if owner is not None:
            self._owners[(schema, obj)] = owner
        self._dropped_privileges = (("", ""), [], None)

    def _reassert(self, key: Key, what: str = "*") -> None:
        """The statement sets ``key``'s existence (``*``: to what it is now, present or
        absent), one attribute, or (``**``) its existence and every attribute but its comment
        (``CREATE OR REPLACE``); what it really changed is an effect, the rest a rewrite."""
        if self._record:
            self._asserted.append((key, what))

    def _log_rewrites(self) -> None:
        for key, what in self._asserted:
            now = self.catalog.objects.get(key)
            before = self._journal.get(key, now)
            if (before is None) != (now is None):
                continue  # created or dropped: an effect says so
            if what in ("*", "**"):
                self.rewrites.append(
                    Effect(self._migration, self._index, key, "*", now, now, self._location))
            if now is None or what == "*":
                continue
            values = now.attributes()
            old = before.attributes() if before is not None else values
            names = [n for n in values if n != "comment"] if what == "**" else [what]
            for attr in names:
                if attr in values and old.get(attr) == values[attr]:
                    self.rewrites.append(Effect(self._migration, self._index, key, attr,
                                                values[attr], values[attr], self._location))
        self._asserted = []

    def _commit(self) -> None:
        if not self._record:
            self._journal = {}
            self._asserted = []
            return
        if self._asserted:
            self._log_rewrites()
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

    def _path(self) -> tuple[str, ...]:
        path = tuple(s for s in self.search_path if Key("schema", "", s) in self.catalog)
        return path or ("public",)

    def _creation_schema(self, schema: str | None) -> str:
        if schema:
            return schema
        return self._path()[0]

    def _star_columns(self, query: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The tables a ``*`` of a query (a view's, a routine body's) may expand into, or a
        bare table name in a call (``row_to_json(t)``) may name the row of: name -> columns in
        order, as they are now."""
        if "*" not in query and "(" not in query:
            return ()
        from schemadiff.sql.normalize import qualified_relations

        out = []
        for schema, name in qualified_relations(query):
            key = self._find(("table",), ops.QName(schema, name))
            if key is not None:  # an INHERITS child's inherited columns are in its *
                table = self.catalog.objects[key]
                out.append((name, tuple(c.name for c in self._table_columns(table))))  # type: ignore[attr-defined]
        if self.catalog.objects.by_kind.get("function") and _FUNCTION_IN_FROM.search(query):
            from schemadiff.sql.normalize import from_functions

            for name in from_functions(query):
                column = self._out_column(name)
                if column is not None:  # "f()" -> the one column an OUT parameter names
                    out.append((name + "()", (column,)))
        return tuple(out)

    def _out_column(self, name: str) -> str | None:
        """The one output column of the migrations' functions called ``name``, where an OUT
        parameter or ``RETURNS TABLE`` names it (the same for every one of that name)."""
        names = set()
        for key, fn in self.catalog.objects.by_kind.get("function", {}).items():
            if key.name != name or key.schema not in self._path():
                continue
            returns = getattr(fn, "returns", None) or ""
            outs = _OUT_ARGUMENT.findall(getattr(fn, "arguments", ""))
            if returns.startswith("TABLE(") and returns.count(" ") == 1:
                names.add(returns[len("TABLE("):].split(" ")[0])
            elif len(outs) == 1 and not returns.startswith("TABLE("):
                names.add(outs[0])
            else:
                return None
        if len(names) != 1:
            return None
        column = names.pop()
        return column[1:-1].replace('""', '"') if column.startswith('"') else column

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
        if (schema, name) in self._identity_sequences:
            return True
        # constraint-backed indexes are relations too
        return any(
            k.kind == "constraint" and k.schema == schema and k.sub == name
            and o.type in INDEX_BACKED  # type: ignore[attr-defined]
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

    def _typed_columns(self, columns: list[tuple[str, str | None]] | None
                       ) -> dict[str, str | None]:
        """A relation's columns' types by name (None: not modelled, a ``CREATE TABLE AS``
        column's), and for a column of a composite type its fields' as ``column.field``:
        what a stored expression's constants are typed by."""
        out = dict(columns or ())
        for name, type_text in columns or ():
            m = type_text is not None and _DOMAIN_TEXT.fullmatch(type_text)
            made = m and self._range_made(m.groups())
            if made and not made[1]:  # a range (or multirange) of the migrations' own
                out[name] = range_type_text(made[0], made[2])
            row = m and self.catalog.objects.get(
                Key("composite", *(p[1:-1].replace('""', '"') if p[:1] == '"' else p
                                   for p in m.groups())))
            for field, field_type in getattr(row, "attributes_", ()):
                out[f"{name}.{field}"] = field_type
        return out

    def _stored_default(self, default: str | None, type_text: str) -> str | None:
        """``default`` as the catalog prints it on a column (or domain) of ``type_text``; a
        domain's constants are its base type's (DEFAULT '5' on a domain over integer is 5,
        over text '5'::text)."""
        for _ in range(8):  # a domain over a domain
            m = _DOMAIN_TEXT.fullmatch(type_text)
            domain = m and self.catalog.objects.get(
                Key("domain", *(p[1:-1].replace('""', '"') if p[:1] == '"' else p
                                for p in m.groups())))
            if domain is None:
                break
            type_text = domain.type  # type: ignore[attr-defined]
        m = _DOMAIN_TEXT.fullmatch(type_text)
        made = m and self._range_made(m.groups())
        if made:
            return range_default(default, *made)
        return canonical_default(default, type_text, written=True)

    def _range_made(self, parts: tuple[str, ...]) -> tuple[str, bool, bool] | None:
        """The subtype, whether discrete and whether a multirange, of the range type the
        migrations made that a type named by (schema, name) as printed is; None if none."""
        found = tuple(p[1:-1].replace('""', '"') if p[:1] == '"' else p for p in parts)
        if ("type", *found) not in self._uncompared:
            return None
        return self._ranges.get(found)  # type: ignore[arg-type]

    def _type_text(self, t: TypeRef, keep_modifiers: bool = True) -> str:
        if t.modifiers in ("%TYPE", "%ROWTYPE"):
            return self._referenced_type(t, keep_modifiers)
        render = t.render if keep_modifiers else t.render_bare
        if t.builtin:
            return render()
        if t.schema:
            return render(t.schema)
        key = self._find((*TYPE_KINDS, "table", "view"), ops.QName(None, t.name))
        if key is None:
            other = self._uncompared_key("type", ops.QName(None, t.name))
            return render(other[1] if other else self._unknown_type_schema(t.name))
        return render(key.schema)

    def _unknown_type_schema(self, name: str) -> str:
        """The schema of a type no migration made: its extension's, where a known extension
        defines it (see :mod:`schemadiff.sql.extensions`), else the first schema on the search
        path that holds an extension, else the search path's first."""
        from schemadiff.sql.extensions import EXTENSION_TYPES

        path = self._path()
        extensions = [o for o in self.catalog.of_kind("extension") if isinstance(o, Extension)]
        owner = EXTENSION_TYPES.get(name)
        for e in extensions:
            if e.name == owner:
                return e.schema
        hosts = {e.schema for e in extensions}
        return next((s for s in path if s in hosts), path[0])

    def _collation(self, name: str | None) -> str | None:
        """A column's or domain's ``COLLATE name``: an unqualified name that the migrations
        created (through the search path) as ``schema.name``, as the database reports it;
        ``default`` is None; a built-in one (``C``, ``und-x-icu``: pg_catalog) as written."""
        if name is None or name == "default":
            return None
        if "." not in name:
            for schema in self._path():
                if ("collation", schema, name) in self._uncompared:
                    return f"{schema}.{name}"
        return name

    def _collations_named(self, text: str | None, own: dict[str, str | None] | None = None,
                          columns: dict[str, tuple[str | None, str | None]] | None = None
                          ) -> str | None:
        """A key's text (an exclusion constraint's elements, a partition key) with each
        ``COLLATE name`` naming a collation the migrations made as the catalog prints it,
        with its schema (``COLLATE public.c2``), and none after a column of that collation
        (``own``: the table's columns' collations) or an expression deriving it (over
        ``columns``: name -> type, collation), which pg_get_indexdef leaves out."""
        if not text or "COLLATE" not in text:
            return text
        from schemadiff.sql.query_types import derived_collation

        def expression(m: re.Match[str]) -> str:
            written = self._collation(_collation_name(m.group("name"))) or "default"
            if columns and derived_collation(m.group("expr")[1:-1], columns) == written:
                return m.group("pre") + m.group("expr")
            return m.group(0)

        text = _EXPRESSION_COLLATE.sub(expression, text)

        def element(m: re.Match[str]) -> str:
            column = m.group("col")
            name = column[1:-1].replace('""', '"') if column.startswith('"') else column
            written = self._collation(_collation_name(m.group("name")))
            if own is not None and name in own and own[name] == written:
                return m.group("pre") + column
            return m.group(0)

        text = _ELEMENT_COLLATE.sub(element, text)
        return _COLLATE_NAME.sub(self._collate_clause, text)

    def _column_collations(self, schema: str, table: str
                           ) -> dict[str, tuple[str | None, str | None]]:
        """A table's columns: name -> (type, collation), for the collation an expression
        over them derives (:func:`~schemadiff.sql.query_types.derived_collation`)."""
        return {c.name: (c.type, c.collation) for c in self.catalog.columns(schema, table)}

    def _collate_clause(self, m: re.Match[str]) -> str:
        from schemadiff.sql.quote import quote_ident

        name = _collation_name(m.group(1))
        resolved = self._collation(name)
        if "." in name or resolved is None or "." not in resolved:
            return m.group(0)
        return " COLLATE " + ".".join(quote_ident(p) for p in resolved.split(".", 1))

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
        type_text: str | None = col.type  # type: ignore[attr-defined]
        if type_text is None:
            raise ReplayConflict(f"{t.name}%TYPE: the column's type is not modelled")
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

    def _dispatch(self, op: ops.Op) -> None:
        name = getattr(op, "name", None)
        if isinstance(name, ops.QName) and name.schema and name.schema.startswith("pg_temp"):
            return  # an object of this session's temporary schema is not schema state
        handler = self.HANDLERS.get(type(op))
        if handler is None:
            raise ReplayConflict(f"no replay for {type(op).__name__}")
        handler(self, op)
