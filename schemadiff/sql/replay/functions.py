"""Functions and procedures: create or replace, alter, and lookups by signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    Function,
    Key,
    Trigger,
)
from schemadiff.sql import ops
from schemadiff.sql.normalize import (
    TypeRef,
    argument_text,
    expand_atomic_stars,
    needs_table_columns,
    quote_ident,
)
from schemadiff.sql.replay.core import ReplayState


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


def retype_argument(argument: str, sub: Any) -> str:
    """``OUT name type DEFAULT x``: the type part through ``sub``."""
    head, sep, default = argument.partition(" DEFAULT ")
    words = head.split(" ")
    for i in range(len(words)):  # the type is the longest tail ``sub`` changes
        tail = " ".join(words[i:])
        if sub(tail) != tail:
            return " ".join([*words[:i], sub(tail)]) + sep + default
    return argument



class FunctionReplay(ReplayState):
    """The replay of functions and procedures: create or replace, alter, and lookups by
    signature."""

    def _function_object(self, op: ops.CreateFunction, schema: str) -> Function:
        def arg_text(a: ops.Argument) -> str:
            return argument_text(a.mode, a.name, self._type_text(a.type, False), a.default)

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
        return Function(schema, op.name.name, identity, op.routine, arguments, returns,
                        op.language, body, op.volatility, op.strict, op.security_definer,
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
            options = tuple((f, self._resolve_config((str(v),))[0] if f == "set" else v)
                            for f, v in op.options)
            self._put(_altered_function(obj, options))
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


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.CreateFunction: FunctionReplay._op_CreateFunction,
    ops.AlterFunction: FunctionReplay._op_AlterFunction,
}
