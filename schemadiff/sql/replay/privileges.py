"""``GRANT`` / ``REVOKE`` and ``ALTER DEFAULT PRIVILEGES``: privileges as objects keyed by
(schema, object, grantee)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemadiff.model import (
    Key,
    Privilege,
    View,
)
from schemadiff.sql import ops
from schemadiff.sql.replay.core import ReplayState, privilege_object


class PrivilegeReplay(ReplayState):
    """The replay of ``GRANT`` / ``REVOKE`` and ``ALTER DEFAULT PRIVILEGES``: privileges as
    objects keyed by (schema, object, grantee)."""

    def _op_Grant(self, op: ops.Grant) -> None:
        from schemadiff.sql.privileges import ALL

        object_type = "function" if op.target in ("procedure", "routine") else op.target
        targets: list[tuple[str, str, str]] = []  # (schema, object type, object)
        relations: list[Key] = []  # the tables and views a column privilege is on
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
                    identity = self._identity_sequence(qn)
                    if identity is not None:
                        targets.append((identity[0], "sequence", f"sequence {identity[1]}"))
                        continue
                    if (not self._is_temp(qn) and self._uncompared_key("relation", qn) is None
                            and not _system_relation(qn)):
                        self._conflict(f'relation "{qn}" does not exist')
                    continue  # a temporary, a foreign table or a system catalog: not modelled
                targets.append(self._privilege_target(key))
                if key.kind in ("table", "view"):
                    relations.append(key)
        for schema, kind, obj in targets:
            every = ALL[kind]
            named = every if "ALL" in op.privileges else tuple(
                p for p in op.privileges if p in every)
            if not named:
                continue
            for grantee in op.grantees:
                self._grant_one(schema, kind, obj, grantee, named, op)
                if op.revoke and kind == "table":  # and on each of its columns
                    for o in self._column_privileges(schema, obj[len("table "):], grantee):
                        self._grant_one(schema, "column", o.object, grantee, named, op)
        for key in relations:
            self._grant_columns(key, op)

    def _grant_columns(self, key: Key, op: ops.Grant) -> None:
        """``GRANT SELECT (a, b) ON t``: each column's privileges."""
        from schemadiff.sql.privileges import ALL

        view = self.catalog.objects.get(key) if key.kind == "view" else None
        for privilege, columns in op.columns:
            named = ALL["column"] if privilege == "ALL" else tuple(
                p for p in (privilege,) if p in ALL["column"])
            for column in columns:
                missing = (Key("column", key.schema, key.name, column) not in self.catalog
                           and not self._inherited_column(key.schema, key.name, column)
                           if key.kind == "table" else isinstance(view, View)
                           and view.names is not None and column not in view.names)
                if missing:
                    self._conflict(f'column "{column}" of relation "{key.name}" does not exist')
                    return
                for grantee in op.grantees:  # the owner's too: a column has no default
                    self._grant_one(key.schema, "column", f"column {key.name}.{column}",
                                    grantee, named, op)

    def _grant_one(self, schema: str, kind: str, obj: str, grantee: str,
                   named: tuple[str, ...], op: ops.Grant) -> None:
        from schemadiff.sql.privileges import compared, held

        if self._owners.get((schema, obj)) == grantee:
            return  # the owner's own privileges are not compared
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

    def _op_OwnerTo(self, op: ops.OwnerTo) -> None:
        """``ALTER ... OWNER TO role``: the role's privileges on the object become the
        owner's, as do those granted to it later; none of them is compared (the live catalog
        leaves the owner's entry out, and so does a dump's replay)."""
        key: Key | None
        if op.target == "schema":
            key = Key("schema", "", op.name.name)
            key = key if key in self.catalog else None
        elif op.target == "function":
            keys = self._functions_named(op.name, op.args)
            key = keys[0] if len(keys) == 1 else None
        else:
            key = self._find(("table", "view", "sequence"), op.name)
        if key is None:
            identity = self._identity_sequence(op.name) if op.target == "relation" else None
            if identity is None:
                return  # not an object whose privileges the model holds
            key = Key("sequence", *identity)
        owned = [key]
        if key.kind == "table":  # its serial and identity sequences change owner with it
            owned += [o.key for o in self.catalog.sequences_owned_by(key.schema, key.name)]
            owned += [Key("sequence", *where) for where, (s, t, _c)
                      in self._identity_sequences.items() if (s, t) == (key.schema, key.name)]
        for k in owned:
            schema, obj = privilege_object(k)
            self._owners[(schema, obj)] = op.role
            self._delete(Key("privilege", schema, obj, op.role))

    def _op_DefaultPrivileges(self, op: ops.DefaultPrivileges) -> None:
        from schemadiff.sql.privileges import ALL

        g = op.grant
        kind = "function" if g.target in ("procedure", "routine") else g.target
        every = ALL[kind]
        named = every if "ALL" in g.privileges else tuple(p for p in g.privileges if p in every)
        current = self._role or ""
        roles = {current if r in ("CURRENT_USER", "CURRENT_ROLE") else "" if r == "SESSION_USER"
                 else r for r in op.roles or (current,)}
        for role, schema in ((r, s) for r in sorted(roles) for s in op.schemas or ("",)):
            entry = self._default_acl.setdefault((role, schema, kind), {})
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
        """A new object gets the default privileges of its type that its creator's role has,
        global then its schema's. The migrating role's are those given without ``FOR ROLE``
        (or for ``CURRENT_USER``) while it was current, and those given ``FOR ROLE r``: ``r``
        is taken to be the migrating role, unless a migration ``SET ROLE r`` or creates ``r``."""
        from schemadiff.sql.privileges import compared, held

        schema, obj = privilege_object(key)
        if obj == "schema public":
            return
        kind = obj.split(" ", 1)[0]
        holds: dict[str, dict[str, bool]] = {}
        creator = self._role or ""
        roles = sorted({r for r, _, _ in self._default_acl if r == creator or (
            not creator and r not in self._other_roles)})
        named = tuple(r for r in roles if r)
        if len(named) > 1 and named not in self._roles_said:
            self._roles_said.add(named)
            self._diag(f"default privileges are given FOR ROLE {', '.join(named)}: only the "
                       "ones of the role the migrations run as apply to what they create, "
                       "which the files do not tell; all are applied")
        scopes = ("", schema) if kind != "schema" else ("",)
        for role, scope in ((r, s) for s in scopes for r in roles):
            acl = self._default_acl.get((role, scope, kind), {})
            for grantee, (granted, revoked) in acl.items():
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
        found = [k for kind in kinds for k in self.catalog.objects.by_kind.get(kind, {})
                 if k.schema == schema]
        if target == "sequence":  # the identity columns' too
            found += [Key("sequence", s, name) for s, name in self._identity_sequences
                      if s == schema]
        return found


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.Grant: PrivilegeReplay._op_Grant,
    ops.OwnerTo: PrivilegeReplay._op_OwnerTo,
    ops.DefaultPrivileges: PrivilegeReplay._op_DefaultPrivileges,
}


def _system_relation(qn: ops.QName) -> bool:
    """A relation of the system catalogs (``pg_catalog.pg_authid``, or unqualified: the server
    looks in pg_catalog first), whose privileges are the server's, not compared."""
    if qn.schema:
        return qn.schema in ("pg_catalog", "information_schema")
    return qn.name.startswith("pg_")
