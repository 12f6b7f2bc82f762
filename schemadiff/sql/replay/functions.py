"""Functions and procedures: create or replace, alter, and lookups by signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Column,
    Constraint,
    Domain,
    EventTrigger,
    Function,
    Index,
    Key,
    Policy,
    SchemaObject,
    Table,
    Trigger,
    View,
)
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    TypeRef,
    argument_text,
    expand_atomic_stars,
    function_call_arities,
    function_cost,
    function_rows,
    needs_table_columns,
    quote_ident,
    rename_function,
)
from schemadiff.sql.replay.core import ReplayState
from schemadiff.sql.replay.text import (
    body_edited,
    exclusion_edited,
    key_edited,
    partition_by_edited,
    top_items,
    typed_query_constants,
)


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
        elif field_name == "cost":
            changes["cost"] = function_cost(value, fn.language)  # type: ignore[arg-type]
        elif field_name == "rows":
            changes["rows"] = function_rows(value, fn.returns)  # type: ignore[arg-type]
        else:
            changes[field_name] = value
    return replace(fn, config=tuple(config), **changes)


def accepted_arities(fn: Function) -> tuple[int, int | None]:
    """The fewest and most arguments a call of ``fn`` may pass (None: no most, a VARIADIC
    parameter), from its parameter list (``a integer, b text DEFAULT 'x'``)."""
    inputs = defaults = 0
    variadic = False
    for part in top_items(fn.arguments) if fn.arguments.strip() else []:
        mode = part.split(" ", 1)[0]
        if mode == "OUT":
            continue
        inputs += 1
        defaults += " DEFAULT " in part
        variadic |= mode == "VARIADIC"
    return inputs - defaults, None if variadic else inputs


def _accepts(fn: Function, arity: int) -> bool:
    least, most = accepted_arities(fn)
    return least <= arity and (most is None or arity <= most)


class _Undecided(Exception):
    """Which function a call in a stored expression resolves to cannot be told."""


class FunctionReplay(ReplayState):
    """The replay of functions and procedures: create or replace, alter, and lookups by
    signature."""

    def _function_object(self, op: ops.CreateFunction, schema: str) -> Function:
        def arg_text(a: ops.Argument) -> str:
            type_text, default = self._type_text(a.type, False), a.default
            if default and default.upper() != "NULL":  # a domain's constant is its base type's
                default = self._stored_default(default, type_text) or default
            return argument_text(a.mode, a.name, type_text, default)

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
        body = op.body
        if body.startswith(("BEGIN ATOMIC", "RETURN ")) and ("*" in body or "(" in body):
            # SELECT * in a SQL-standard body is stored as the columns it reads at CREATE time
            columns = self._star_columns(body)
            if needs_table_columns(body) or any(t.endswith("()") for t, _ in columns):
                body = expand_atomic_stars(body, columns)
        if body.startswith("RETURN "):  # its constants typed by the columns it compares them to
            body = "RETURN " + typed_query_constants(
                body[len("RETURN "):], self._relation_columns, ())  # type: ignore[attr-defined]
        return Function(schema, op.name.name, identity, op.routine, arguments, returns,
                        op.language, body, op.volatility, op.strict, op.security_definer,
                        op.leakproof, op.parallel, self._resolve_config(op.config),
                        cost=function_cost(op.cost, op.language),
                        rows=function_rows(op.rows, returns))

    def _resolve_config(self, config: tuple[str, ...]) -> tuple[str, ...]:
        """``SET search_path FROM CURRENT`` stores the value current at CREATE time."""
        return tuple(
            "search_path=" + ", ".join(quote_ident(n) for n in self._search_path_setting)
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
            self._reassert(fn.key, "**")
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
            options = tuple((f, self._resolve_config((str(v),))[0] if f == "set" else v)
                            for f, v in op.options)
            self._put(_altered_function(obj, options))
            return
        self._delete(keys[0])
        moved = replace(obj, schema=op.set_schema or obj.schema, name=op.rename or obj.name)
        self._moving = True
        self._put(moved)
        self._moving = False
        self._moved(keys[0], moved.key)
        self._privileges_moved(keys[0], moved.key)
        # triggers reference their function by oid: they follow a rename or a move
        old_ref, new_ref = f"{obj.schema}.{obj.name}", f"{moved.schema}.{moved.name}"
        if old_ref != new_ref and not obj.identity_args:
            for t in [*self.catalog.of_kind("trigger"), *self.catalog.of_kind("event_trigger")]:
                if isinstance(t, (Trigger, EventTrigger)) and t.function == old_ref:
                    self._put(replace(t, function=new_ref))
        if moved.name != obj.name and obj.routine != "procedure":
            self._calls_renamed(moved, obj.name)
        # ALTER FUNCTION ... SET SCHEMA: stored expressions keep no schema qualifier (it is
        # not compared: the deparser prints one only where the search path does not find
        # the function), so they print the same

    def _calls_renamed(self, fn: Function, old: str) -> None:
        """``ALTER FUNCTION old(...) RENAME TO new``: every stored expression calling it
        (defaults, generated columns, checks, exclusions, index keys and predicates,
        partition keys, policies, trigger conditions, domains, views) prints the new name,
        the catalog holding the call by the function's oid.

        The texts keep no schema qualifier: a call is the renamed function's when no other
        function of that name takes as many arguments; where one does (an overload, one of
        another schema), or the text cannot be read back, the object is kept as written and
        the statement reported as not modelled.
        """
        others = [o for o in self.catalog.of_kind("function")
                  if isinstance(o, Function) and o.key != fn.key and o.routine != "procedure"
                  and o.name.lower() == old.lower()]

        def edit(text: str, name_columns: bool = True) -> str:
            arities = function_call_arities(text, old)
            if arities is None:
                raise _Undecided
            ours = frozenset(n for n in arities if _accepts(fn, n))
            if any(_accepts(o, n) for o in others for n in ours):
                raise _Undecided
            return rename_function(text, old, fn.name, ours, name_columns=name_columns)

        def opt(text: str | None) -> str | None:
            return edit(text) if text else text

        for kind in ("column", "constraint", "index", "policy", "trigger", "domain", "view",
                     "table", "function"):
            for o in list(self.catalog.of_kind(kind)):
                try:
                    after = self._with_calls_edited(o, edit, opt)
                except _Undecided:
                    self._diag(f'ALTER FUNCTION {old} RENAME: which function the calls of '
                               f'"{old}" in {kind} "{o.key.display}" resolve to is not '
                               "modelled; it is kept as written")
                    continue
                if after != o:
                    self._put(after)

    @staticmethod
    def _with_calls_edited(o: SchemaObject, edit: Callable[..., str],
                           opt: Callable[[str | None], str | None]) -> SchemaObject:
        """``o`` with ``edit`` applied to each stored expression it holds (a routine's
        SQL-standard body is one: a quoted body is text, which PostgreSQL does not edit)."""
        if isinstance(o, Function):
            return replace(o, body=body_edited(o.body, edit))
        if isinstance(o, Column):
            return replace(o, default=opt(o.default), generated=opt(o.generated))
        if isinstance(o, Constraint) and o.expression:
            return replace(o, expression=exclusion_edited(o.expression, edit)
                           if o.type == "exclude" else edit(o.expression))
        if isinstance(o, Index):
            return replace(o, keys=tuple(key_edited(k, edit) for k in o.keys),
                           predicate=opt(o.predicate))
        if isinstance(o, Policy):
            return replace(o, using=opt(o.using), with_check=opt(o.with_check))
        if isinstance(o, Trigger):
            return replace(o, when=opt(o.when))
        if isinstance(o, Domain):
            return replace(o, default=opt(o.default),
                           checks=tuple((n, edit(e)) for n, e in o.checks))
        if isinstance(o, View):
            return replace(o, query=edit(o.query, False) if o.query else o.query)
        if isinstance(o, Table) and o.partition_by:
            return replace(o, partition_by=partition_by_edited(o.partition_by, edit))
        return o


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.CreateFunction: FunctionReplay._op_CreateFunction,
    ops.AlterFunction: FunctionReplay._op_AlterFunction,
}
