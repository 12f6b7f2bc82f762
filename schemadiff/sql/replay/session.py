"""Statements that change the session or make no schema object: ``SET search_path``, ``DO``
blocks, data statements (and the DDL a called function may run), batches, unsupported ones."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from schemadiff.model import (
    Function,
)
from schemadiff.sql import ops
from schemadiff.sql.replay.core import ReplayConflict, ReplayState
from schemadiff.uncertain import RUN_TIME, UNDECIDED_GUARD, executes_query

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
            if executes_query(body[m.end():]):
                continue
            return True
        if temp is None:
            temp = {t.lower() for t in _TEMP_TABLE.findall(body)}
        if m["name"].lower() not in temp:
            return True
    return False



class SessionReplay(ReplayState):
    """The replay of statements that change the session or make no schema object: ``SET
    search_path``, ``DO`` blocks, data statements (and the DDL a called function may run),
    batches, unsupported ones."""

    def _op_NoEffect(self, op: ops.NoEffect) -> None:
        if op.category == "transaction":
            self._transaction(op.detail or "", self._text.split())
            return
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

    def _transaction(self, word: str, words: list[str]) -> None:
        """``BEGIN`` / ``COMMIT`` / ``ROLLBACK``: a ``SET LOCAL`` lasts until the transaction
        ends and a rolled-back one's ``SET`` is undone. Outside an explicit transaction a
        ``SET LOCAL`` lasts to the end of the migration (the tool's own transaction)."""
        second = words[1].upper().rstrip(";") if len(words) > 1 else ""
        path = (self.search_path, self._search_path_setting)
        if word in ("BEGIN", "START"):
            self._tx_path, self._local_saved, self._tx_changed = path, None, False
            self._tx_am, self._local_am = (self._table_am,), None
        elif word in ("COMMIT", "END") and second != "PREPARED":
            if self._local_am is not None:
                self._table_am = self._local_am[0]
            self._tx_am = self._local_am = None
            if self._local_saved is not None:
                self.search_path, self._search_path_setting = self._local_saved
            if self._local_role is not None:
                self._role, self._local_role = self._local_role[0], None
            self._tx_path = self._local_saved = None
        elif word in ("ROLLBACK", "ABORT") and second not in ("TO", "PREPARED"):
            if self._tx_am is not None:
                self._table_am = self._tx_am[0]
            self._tx_am = self._local_am = None
            if self._local_role is not None:
                self._role, self._local_role = self._local_role[0], None
            if self._tx_path is not None:
                self.search_path, self._search_path_setting = self._tx_path
                if self._tx_changed:
                    self._diag("ROLLBACK undoes what its transaction changed in the schema; "
                               "the replay keeps it")
            self._tx_path = self._local_saved = None

    def _op_SetSearchPath(self, op: ops.SetSearchPath) -> None:
        if op.local and self._tx_path is not None and self._local_saved is None:
            self._local_saved = (self.search_path, self._search_path_setting)
        elif not op.local:
            self._local_saved = None  # a session SET replaces what the SET LOCAL set
        if op.schemas is None:
            self.search_path = ("public",)
            self._search_path_setting = ("$user", "public")
        else:
            self.search_path = tuple(s for s in op.schemas if s not in ("$user", "pg_catalog"))
            self._search_path_setting = op.schemas

    def _op_SetTableAccessMethod(self, op: ops.SetTableAccessMethod) -> None:
        """As ``SET search_path``: a ``SET LOCAL`` lasts until its transaction ends (to the
        end of the migration outside one), a rolled-back ``SET`` is undone."""
        if op.local and self._tx_am is not None and self._local_am is None:
            self._local_am = (self._table_am,)
        elif not op.local:
            self._local_am = None  # a session SET replaces what the SET LOCAL set
        self._table_am = op.method

    def _op_SetRole(self, op: ops.SetRole) -> None:
        """What follows runs as ``op.role`` (None: the migrating role); a ``SET LOCAL ROLE``
        inside an explicit transaction lasts until it ends."""
        if op.local and self._tx_path is not None and self._local_role is None:
            self._local_role = (self._role,)
        elif not op.local:
            self._local_role = None
        self._role = op.role
        if op.role is not None:
            self._other_roles.add(op.role)

    def _op_CreateRole(self, op: ops.CreateRole) -> None:
        self._other_roles.add(op.role)

    def _op_DoBlock(self, op: ops.DoBlock) -> None:
        if op.opaque:
            self._diag(f"DO block runs {RUN_TIME}; only its literal DDL is modelled")
        if op.conditional:
            self._diag("DO block runs DDL under an ELSE branch, a CASE or an exception handler, "
                       "which depends on the database at run time; that DDL is not modelled")
        if op.guarded:
            self._diag("DO block runs DDL under an IF whose condition reads more than the "
                       f"catalogs (a table's rows, a setting): {UNDECIDED_GUARD}, so what it "
                       "changes is modelled as run but compared with nothing")
        self._lenient += 1
        try:
            for i, inner in enumerate(op.ops):
                if i in op.guarded:
                    self._guarded(inner)
                    continue
                with contextlib.suppress(ReplayConflict):
                    self._dispatch(inner)
        finally:
            self._lenient -= 1

    def _guarded(self, op: ops.Op) -> None:
        """Replay DDL that may not have run: the objects it touches are undecided."""
        before = {k: self.catalog.objects.get(k) for k in self._journal}
        with contextlib.suppress(ReplayConflict):
            self._dispatch(op)
        self.undecided.update(k for k in self._journal
                              if k not in before or self.catalog.objects.get(k) != before[k])


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.NoEffect: SessionReplay._op_NoEffect,
    ops.Unsupported: SessionReplay._op_Unsupported,
    ops.Batch: SessionReplay._op_Batch,
    ops.SetSearchPath: SessionReplay._op_SetSearchPath,
    ops.SetRole: SessionReplay._op_SetRole,
    ops.CreateRole: SessionReplay._op_CreateRole,
    ops.SetTableAccessMethod: SessionReplay._op_SetTableAccessMethod,
    ops.DoBlock: SessionReplay._op_DoBlock,
}
