"""``COMMENT ON``: the comment as an attribute of its object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import (
    PUBLIC_SCHEMA_COMMENT,
    CompositeType,
    Constraint,
    Domain,
    Key,
    View,
)
from schemadiff.sql import ops
from schemadiff.sql.replay.core import TYPE_KINDS, ReplayState


class CommentReplay(ReplayState):
    """The replay of ``COMMENT ON``: the comment as an attribute of its object."""

    def _op_Comment(self, op: ops.Comment) -> None:
        if op.target == "extension":
            # the control file's comment, set by CREATE EXTENSION, is not known here (None,
            # not compared); one a migration sets is, and "" is none (IS NULL, IS '')
            key = Key("extension", "", op.name.name)
            if key not in self.catalog:
                return  # plpgsql's, in an older dump: an extension the model does not hold
            self._put(replace(self.catalog.objects[key], comment=op.text or ""))
            self._reassert(key, "comment")
            return
        if op.text == "":  # IS '': PostgreSQL removes the comment (CreateComments)
            op = replace(op, text=None)
        if op.target == "domain constraint":  # held by the domain, as its checks are
            key = self._find(("domain",), op.name)
            domain = self.catalog.objects[key] if key is not None else None
            if not isinstance(domain, Domain) or not any(c[0] == op.sub for c in domain.checks):
                self._conflict(f"constraint {op.sub} of domain {op.name} does not exist")
                return
            rest = tuple(e for e in domain.check_comments if e[0] != op.sub)
            entries = rest if op.text is None else tuple(sorted((*rest, (op.sub, op.text))))
            self._put(replace(domain, check_comments=entries))
            self._reassert(domain.key, "check_comments")
            return
        if op.target in ("table", "column", "constraint", "trigger", "policy", "index",
                         "sequence", "view") and self._is_temp(op.name):
            return
        if op.target == "column" and self._find(("table",), op.name) is None:
            view = self._find(("view",), op.name)
            if view is not None:
                self._view_column_comment(view, op.sub, op.text)
                return
            composite = self._find(("composite",), op.name)
            if composite is not None:
                self._attribute_comment(composite, op.sub, op.text)
                return
        key = self._comment_target(op)
        if key is None and op.target == "column" and self._comment_inherited_column(op):
            return
        if key is None and op.target == "sequence" and self._identity_sequence(op.name):
            return  # an identity column's sequence: not an object the model holds
        if key is None:
            space = {"type": "type", "column": "relation", "table": "relation"}.get(op.target)
            if space is None or self._uncompared_key(space, op.name) is None:
                self._conflict(f"{op.target} {op.name} does not exist")
            return
        obj = self.catalog.objects[key]
        if op.target == "index" and isinstance(obj, Constraint):  # the index behind it
            self._put(replace(obj, index_comment=op.text))
            self._reassert(key, "index_comment")
            return
        if key == Key("schema", "", "public") and op.text == PUBLIC_SCHEMA_COMMENT:
            self._put(replace(obj, comment=None))  # initdb's: compared as none
            return
        self._put(replace(obj, comment=op.text))
        self._reassert(key, "comment")

    def _view_column_comment(self, key: Key, column: str, text: str | None) -> None:
        """``COMMENT ON COLUMN v.c``: held by the view (one whose columns are known refuses
        a column it does not have, as the server does)."""
        view = self.catalog.objects[key]
        if not isinstance(view, View):
            return
        if view.names is not None and column not in view.names:
            self._conflict(f'column "{column}" of relation "{key.name}" does not exist')
            return
        rest = tuple(e for e in view.column_comments if e[0] != column)
        entries = rest if text is None else tuple(sorted((*rest, (column, text))))
        self._put(replace(view, column_comments=entries))
        self._reassert(key, "column_comments")

    def _attribute_comment(self, key: Key, attribute: str, text: str | None) -> None:
        """``COMMENT ON COLUMN type.a``: held by the composite type."""
        obj = self.catalog.objects[key]
        if not isinstance(obj, CompositeType):
            return
        if attribute not in {n for n, _ in obj.attributes_}:
            self._conflict(f'column "{attribute}" of relation "{key.name}" does not exist')
            return
        rest = tuple(e for e in obj.attribute_comments if e[0] != attribute)
        entries = rest if text is None else tuple(sorted((*rest, (attribute, text))))
        self._put(replace(obj, attribute_comments=entries))
        self._reassert(key, "attribute_comments")

    def _comment_inherited_column(self, op: ops.Comment) -> bool:
        """``COMMENT ON COLUMN child.c`` of a column an INHERITS child inherits only: the
        child's own comment, held by the table; False if it is no such column."""
        key = self._find(("table",), op.name)
        if key is None or not self._inherited_column(key.schema, key.name, op.sub):  # type: ignore[attr-defined]
            return False
        t = self.catalog.objects[key]
        rest = tuple(e for e in t.inherited_comments if e[0] != op.sub)  # type: ignore[attr-defined]
        entries = rest if op.text is None else tuple(sorted((*rest, (op.sub, op.text))))
        self._put(replace(t, inherited_comments=entries))  # type: ignore[type-var]
        return True

    def _comment_target(self, op: ops.Comment) -> Key | None:
        if op.target in ("schema", "event_trigger"):
            key = Key(op.target, "", op.name.name)
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
                 "sequence": ("sequence",), "type": TYPE_KINDS,
                 "domain": ("domain",), "statistics": ("statistics",)}.get(op.target)
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


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.Comment: CommentReplay._op_Comment,
}
