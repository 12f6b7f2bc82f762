"""From the drift of an inference to the DDL that brings the schema back to what its applied
migrations build (``schemadiff sync --schema-repair``).

Every drift item (:class:`~schemadiff.differences.Difference`) becomes one step:

- ``missing``: the object re-created, rendered from the record the applied migrations built
  (:mod:`schemadiff.dialect.postgres.ddl`), headed by the migration statement that created it
  (its version and ``path:line:col``, from the replay's effect log);
- ``changed``: the attribute set back (``ALTER``), or the object replaced (``CREATE OR
  REPLACE FUNCTION`` with the body the migration wrote; an index, constraint, trigger, policy
  or view dropped and re-created), headed by the statement that last set it;
- ``extra``: the object dropped. Drops that lose data (tables, columns, sequences, types,
  schemas, extensions, materialized views) are written commented out unless ``unsafe``;
- ``renamed``: renamed back.

What cannot be repaired by a statement schemadiff can vouch for (a column type that may need a
``USING``, a generated expression, removed enum labels, an object without a record) is written
commented out with the reason, and listed in :attr:`SchemaRepair.notes`: never skipped.

Steps are ordered by their dependencies (a graph: a table before its columns, indexes and
constraints, a referenced table and its key before a foreign key, a function before its
trigger; dependents dropped before what they depend on), in one transaction, except the
statements PostgreSQL refuses in one (``ALTER TYPE ... ADD VALUE`` runs before it). Nothing is
run: the result is a script. Pure: records in, text out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemadiff.dialect.postgres import ddl
from schemadiff.dialect.postgres.kinds import create_sql
from schemadiff.differences import Change, Difference, decided_only
from schemadiff.kinds import builds_on
from schemadiff.model import (
    KIND_ORDER,
    Catalog,
    Column,
    CompositeType,
    Constraint,
    Domain,
    Effect,
    Enum,
    EventTrigger,
    Function,
    Index,
    Key,
    Policy,
    Privilege,
    SchemaObject,
    Statistics,
    Table,
    Trigger,
    View,
)
from schemadiff.model import Sequence as SequenceRecord
from schemadiff.sql.normalize import identity_sequence_values, type_storage
from schemadiff.sql.quote import qualified, quote_ident, quote_literal

if TYPE_CHECKING:
    from schemadiff.inference import Inference
    from schemadiff.pipeline import Comparison

#: Kinds whose drop loses data (or what cannot be rebuilt from the migrations).
DESTRUCTIVE_DROPS = frozenset(
    {"schema", "extension", "enum", "domain", "composite", "sequence", "table", "column"}
)
_PHASE = {"drop": 0, "alter": 1, "create": 2}
_RANK = {k: i for i, k in enumerate(KIND_ORDER)}


@dataclass(slots=True)
class Step:
    """One repair: the statements for one drift item (or one object's drift items).

    Attributes:
        key: the object repaired.
        action: ``drop``, ``alter`` or ``create`` (the phase it belongs to).
        statements: the SQL, each a complete statement.
        header: comment lines saying what drifted and which migration statement it comes from.
        active: False when written commented out (``reason`` says why).
        reason: why it is commented out (destructive without ``unsafe``, or not repairable).
        transactional: False for statements PostgreSQL refuses in a transaction block.
        needs: keys whose own steps must run first (created before, or dropped after).
    """

    key: Key
    action: str
    statements: list[str]
    header: list[str]
    active: bool = True
    reason: str | None = None
    transactional: bool = True
    needs: set[Key] = field(default_factory=set)


@dataclass(slots=True)
class SchemaRepair:
    """The ordered steps, the script and what the user must decide (``notes``)."""

    steps: list[Step]
    notes: list[str]
    text: str

    @property
    def statements(self) -> list[str]:
        """The statements written active, in order."""
        return [s for step in self.steps if step.active for s in step.statements]


class _Origins:
    """Which effect of the replay created, or last set, each object and attribute."""

    def __init__(self, effects: Iterable[Effect]) -> None:
        self.created: dict[Key, Effect] = {}
        self.last: dict[tuple[Key, str], Effect] = {}
        for e in effects:
            if e.attribute == "*":
                if e.after is not None:
                    self.created[e.key] = e
            else:
                self.last[(e.key, e.attribute)] = e

    def created_by(self, key: Key, migration: str | None) -> str:
        e = self.created.get(key)
        return _cite(e, migration)

    def set_by(self, key: Key, attribute: str, migration: str | None) -> str:
        e = self.last.get((key, attribute)) or self.created.get(key)
        return _cite(e, migration)


def _cite(e: Effect | None, migration: str | None) -> str:
    version = migration or (e.migration if e is not None else None)
    if not version:
        return "no migration on record"
    where = f" ({e.location})" if e is not None and e.location is not None and \
        e.migration == version else ""
    return f"migration {version}{where}"


def plan_schema_repair(
    drift: Sequence[Difference],
    expected: Catalog,
    actual: Catalog,
    effects: Iterable[Effect] = (),
    *,
    unsafe: bool = False,
) -> SchemaRepair:
    """The repair of every drift item.

    Args:
        drift: the differences between the applied migrations' schema and the actual one
            (:attr:`Inference.drift`, or :func:`~schemadiff.differences.diff_catalogs`).
        expected: the schema the applied migrations build (the records re-created from).
        actual: the schema as it is (the records dropped or changed).
        effects: the replay's effect log (which statement created or set what).
        unsafe: write the drops that lose data active instead of commented out.
    """
    origins = _Origins(effects)
    steps: list[Step] = [_renamed(d, origins) for d in drift if d.change == Change.RENAMED]
    changed: dict[Key, list[Difference]] = {}
    for d in drift:
        if d.change == Change.CHANGED:
            changed.setdefault(d.key, []).append(d)
        elif d.change == Change.MISSING:
            steps.extend(_missing(d, expected, origins))
        elif d.change == Change.EXTRA:
            steps.append(_extra(d, expected, actual, unsafe))
    for key, diffs in changed.items():
        steps.extend(_changed(key, diffs, expected, actual, origins, unsafe))
    seen: set[tuple[str, Key]] = set()
    unique = []
    for step in steps:  # an object both missing itself and with its missing table: once
        if step.action == "create" and (step.action, step.key) in seen:
            continue
        seen.add((step.action, step.key))
        unique.append(step)
    steps = unique
    split = _split_foreign_keys(steps, actual)
    names = {"drop": _names(actual), "build": _names(expected)}
    for step in steps:
        if step.action == "drop":
            step.needs |= _drop_needs(step.key, actual, names["drop"], split)
        else:
            step.needs |= _needs(step.key, expected.get(step.key), expected, names["build"])
    _keep_what_kept_objects_need(steps)
    ordered = _order(steps)
    notes = [f"{s.key}: {s.reason}" for s in ordered if not s.active]
    return SchemaRepair(ordered, notes, _script(ordered, len(drift)))


def repair_inferred(comparison: Comparison, inference: Inference, *,
                    unsafe: bool = False) -> SchemaRepair:
    """The repair of an inference's drift, towards the schema of every migration the schema
    shows applied (or partial) or the history records: a recorded migration whose objects are
    gone is never run again by its tool, so its objects are re-created.

    A partial migration's absent objects are re-created too (``sync --complete-partial``
    would write its own statements instead); an item the inference explains (a re-run, the
    migration that created an extra object) keeps its explanation.
    """
    from schemadiff.differences import diff_catalogs
    from schemadiff.inference import Status
    from schemadiff.renames import find_renames, undo_renames

    verdicts = inference.verdicts
    target = [i for i, v in enumerate(verdicts)
              if v.status in (Status.APPLIED, Status.PARTIAL) or v.recorded]
    replay = comparison.expected.subset(target)
    actual = comparison.actual.catalog
    # what DDL the schema cannot say ran touched is not repaired either way
    scope = decided_only(comparison.scope, comparison.expected.replay.undecided)
    renames = find_renames(replay.catalog, actual, replay.effects, scope)
    seen = undo_renames(actual, renames)  # renamed back first, then compared
    partial = set(inference.partial)
    known = {(d.key, d.change, d.attribute): d for d in inference.drift}
    drift: list[Difference] = [
        Difference(r.expected, Change.RENAMED, None, r.expected, r.actual) for r in renames
    ]
    for d in diff_catalogs(replay.catalog, seen, replay.effects, scope, replay.moves):
        drift.append(known.get((d.key, d.change, d.attribute), d))
    effects = replay.effects or comparison.expected.replay.effects
    repair = plan_schema_repair(drift, replay.catalog, seen, effects, unsafe=unsafe)
    absent = [verdicts[i].migration.version for i in target
              if verdicts[i].status == Status.PENDING]
    if absent:
        repair.notes.append(
            f"migration(s) {', '.join(absent)} are recorded but their effects are absent: "
            "their objects are re-created here (or let the tool run them again: sync --prune)")
    if partial:
        repair.notes.append(
            f"partially applied migration(s) {', '.join(sorted(partial))}: their absent "
            "objects are re-created here (sync --complete-partial writes their own statements "
            "instead)")
    return repair


# ------------------------------------------------------------------------------ missing


def _missing(d: Difference, expected: Catalog, origins: _Origins) -> list[Step]:
    key = d.key
    obj = expected.get(key)
    header = [f"missing {key}: created by {origins.created_by(key, d.migration)}"]
    if obj is None:
        return [_unrepairable(key, "create", header,
                              "the applied migrations hold no record of it")]
    if isinstance(obj, Table):
        return _table_with_dependents(obj, expected, header, origins)
    if isinstance(obj, Privilege):
        return [Step(key, "create", ddl.privilege_changes(None, obj), header)]
    statements = _create(obj, expected)
    if not statements:
        return [_unrepairable(key, "create", header, f"no DDL is known for a {key.kind}")]
    step = Step(key, "create", statements, header)
    if isinstance(obj, Column) and obj.not_null and obj.default is None and not obj.identity \
            and not obj.generated:
        step.header.append("NOT NULL without a default: fails while the table has rows")
    unknown = _text_unknown(obj)
    if unknown:
        return [_unrepairable(key, "create", header, unknown)]
    return [step]


def _text_unknown(obj: SchemaObject) -> str | None:
    """Why ``obj`` cannot be written back from its record, if it cannot."""
    if isinstance(obj, View) and not obj.definition.strip():
        return "its query text is not known"
    if isinstance(obj, Policy) and any(
            e is not None and ddl.policy_expression(e, t) is None
            for e, t in ((obj.using, obj.using_text), (obj.with_check, obj.check_text))):
        return ("its expression has a subquery and its text as written is not known (a rename "
                "since): the compared form lacks the column qualifiers that decide its meaning")
    return None


def _create(obj: SchemaObject, catalog: Catalog) -> list[str]:
    """The statements that create ``obj`` (and set its comment), as the migrations left it."""
    if isinstance(obj, Column):
        statements = [f"ALTER TABLE {qualified(obj.schema, obj.table)} ADD COLUMN"
                      f"{ddl._column(obj, catalog)[3:]};"]
    elif isinstance(obj, Function):
        statements = [create_function(obj)]
    elif isinstance(obj, View):
        statements = [ddl.view_statement(obj)]
    elif obj.KIND == "schema":
        statements = [f"CREATE SCHEMA {quote_ident(obj.key.name)};"]
    else:
        text = create_sql(obj, catalog)
        statements = [text] if text else []
    comment = ddl.comment_on(obj)
    if comment and statements and not isinstance(obj, Table):
        statements.append(comment)
    if isinstance(obj, Constraint) and obj.index_comment is not None:
        statements.append(f"COMMENT ON INDEX {qualified(obj.schema, obj.name)} IS "
                          f"{quote_literal(obj.index_comment)};")
    return statements


def create_function(obj: Function, replace: bool = False) -> str:
    """``CREATE [OR REPLACE] FUNCTION`` with every compared attribute (the body verbatim)."""
    text = ddl.create_function(obj, Catalog()) or ""  # LEAKPROOF and PARALLEL included
    if replace:
        text = text.replace("CREATE ", "CREATE OR REPLACE ", 1)
    return text


def _view_renames(e: View, a: View) -> list[str] | None:
    """``ALTER VIEW ... RENAME COLUMN`` for each column the database names otherwise, by
    position; None when that cannot do it (another number of columns, a name that another
    column holds: the view is re-created)."""
    if e.names is None or a.names is None or len(e.names) != len(a.names):
        return None
    kind = "MATERIALIZED VIEW" if a.materialized else "VIEW"
    out = []
    for old, new in zip(a.names, e.names):
        if old != new:
            if new in a.names:
                return None
            out.append(f"ALTER {kind} {qualified(a.schema, a.name)} RENAME COLUMN "
                       f"{quote_ident(old)} TO {quote_ident(new)};")
    return out


def _extends(actual: tuple[str, ...] | None, expected: tuple[str, ...] | None) -> bool:
    """The expected columns are the database's and more after them (what a replace adds)."""
    return actual is not None and expected is not None and expected[:len(actual)] == actual


def _table_with_dependents(table: Table, catalog: Catalog, header: list[str],
                           origins: _Origins) -> list[Step]:
    """A missing table, then what goes with it, each its own step (ordered by what it needs):
    its serial sequences (created first, owned after), comments, constraints, indexes,
    triggers, policies and the privileges on it, its columns and its sequences."""
    owned = catalog.sequences_owned_by(table.schema, table.name)
    sql = [create_sql(dataclasses.replace(s, owned_by=None), catalog) or "" for s in owned]
    sql.append(ddl.create_table(table, catalog) or "")
    sql += [f"ALTER SEQUENCE {qualified(s.schema, s.name)} OWNED BY "
            f"{qualified(table.schema, table.name)}.{quote_ident(s.owned_by.split('.', 1)[1])};"
            for s in owned if s.owned_by]
    for comment in (ddl.comment_on(table),
                    *(ddl.comment_on(c) for c in catalog.columns(table.schema, table.name))):
        if comment:
            sql.append(comment)
    steps = [Step(table.key, "create", [s for s in sql if s], header)]
    on_table = catalog.on_table(table.schema, table.name)
    parts: list[SchemaObject] = sorted(
        (o for o in on_table if o.KIND in ("constraint", "trigger", "policy")),
        key=_constraint_order)
    parts += sorted(catalog.indexes_on(table.schema, table.name), key=lambda i: i.name)
    granted_on = {f"table {table.name}", *(f"sequence {s.name}" for s in owned)}
    parts += sorted((p for p in catalog.of_kind("privilege")
                     if isinstance(p, Privilege) and p.schema == table.schema
                     and (p.object in granted_on or p.object.startswith(f"column {table.name}."))),
                    key=lambda p: (p.object, p.grantee))
    for obj in parts:
        sql = (ddl.privilege_changes(None, obj) if isinstance(obj, Privilege)
               else _create(obj, catalog))
        part_header = [f"missing {obj.key} (with its table): created by "
                       f"{origins.created_by(obj.key, None)}"]
        unknown = _text_unknown(obj)
        steps.append(_unrepairable(obj.key, "create", part_header, unknown) if unknown
                     else Step(obj.key, "create", sql, part_header))
    return steps


def _constraint_order(obj: SchemaObject) -> tuple[int, str]:
    """Keys before the foreign keys that may reference them."""
    kind = getattr(obj, "type", "") if obj.KIND == "constraint" else obj.KIND
    return ({"primary key": 0, "unique": 1, "trigger": 3, "policy": 4}.get(kind, 2),
            obj.key.sub)


# ------------------------------------------------------------------------------ extra


def _drop(obj: SchemaObject) -> str:
    key = obj.key
    name = qualified(key.schema, key.name)
    if isinstance(obj, Column):
        return f"ALTER TABLE {name} DROP COLUMN {quote_ident(key.sub)};"
    if key.kind == "constraint":
        return f"ALTER TABLE {name} DROP CONSTRAINT {quote_ident(key.sub)};"
    if key.kind in ("trigger", "policy"):
        return f"DROP {key.kind.upper()} {quote_ident(key.sub)} ON {name};"
    if isinstance(obj, Function):
        word = "PROCEDURE" if obj.routine == "procedure" else "FUNCTION"
        return f"DROP {word} {name}({key.sub});"
    if isinstance(obj, View):
        return f"DROP {'MATERIALIZED ' if obj.materialized else ''}VIEW {name};"
    if key.kind in ("schema", "extension"):
        return f"DROP {key.kind.upper()} {quote_ident(key.name)};"
    if key.kind == "event_trigger":
        return f"DROP EVENT TRIGGER {quote_ident(key.name)};"
    word = {"enum": "TYPE", "composite": "TYPE"}.get(key.kind, key.kind.upper())
    return f"DROP {word} {name};"


def _privilege_changes(before: Privilege | None, after: Privilege | None,
                       expected: Catalog) -> list[str]:
    """:func:`ddl.privilege_changes`, and the column privileges the migrations gave the same
    role that a table-level ``REVOKE`` among them takes away too (the server revokes a table
    privilege on every column), granted back."""
    out = ddl.privilege_changes(before, after)
    some = after or before
    if some is None or not some.object.startswith("table ") or not any(
            s.startswith("REVOKE ") for s in out):
        return out
    prefix = f"column {some.object[len('table '):]}."
    for p in sorted(expected.of_kind("privilege"), key=lambda p: p.key.name):
        if isinstance(p, Privilege) and p.schema == some.schema and p.grantee == some.grantee \
                and p.object.startswith(prefix):
            out += ddl.privilege_changes(None, p)
    return out


def _extra(d: Difference, expected: Catalog, actual: Catalog, unsafe: bool) -> Step:
    key = d.key
    obj = actual.get(key) or d.actual
    if d.explained_by:
        undone = ", ".join(d.explained_by.get("undoes", []))
        why = f"a re-run of migration {d.explained_by['rerun']} brought it back after {undone}"
    elif d.migration:
        why = f"created by migration {d.migration}, which is not applied or was undone"
    else:
        why = "no applied migration creates it"
    header = [f"extra {key}: {why}"]
    if not isinstance(obj, SchemaObject):
        return _unrepairable(key, "drop", header, "its record is not known")
    if isinstance(obj, Privilege):
        return Step(key, "drop", _privilege_changes(obj, None, expected), header)
    step = Step(key, "drop", [_drop(obj)], header)
    destructive = key.kind in DESTRUCTIVE_DROPS or (isinstance(obj, View) and obj.materialized)
    if destructive and not unsafe:
        step.active = False
        step.reason = "dropping it loses data: written commented out (pass --unsafe to drop it)"
    return step


# ------------------------------------------------------------------------------ renamed


def _renamed(d: Difference, origins: _Origins) -> Step:
    """Renamed back (``d.actual``: the key it has now, or how a report displays it)."""
    key = d.key
    now = d.actual if isinstance(d.actual, Key) else _key_of(key, str(d.actual or ""))
    shown = now.display if now is not None else d.actual
    header = [f"renamed {key}: now {shown}; created as {key.display} by "
              f"{origins.created_by(key, d.migration)}"]
    word = {"table": "TABLE", "index": "INDEX", "view": "VIEW", "sequence": "SEQUENCE",
            "enum": "TYPE", "composite": "TYPE", "domain": "DOMAIN", "statistics": "STATISTICS"}
    table = qualified(key.schema, key.name)
    sql = ""
    if now is None:
        pass
    elif key.kind == "column":
        sql = f"ALTER TABLE {table} RENAME COLUMN {quote_ident(now.sub)} TO {quote_ident(key.sub)};"
    elif key.kind in ("constraint", "trigger", "policy"):
        on = "CONSTRAINT" if key.kind == "constraint" else None
        sql = (f"ALTER TABLE {table} RENAME CONSTRAINT {quote_ident(now.sub)} TO "
               f"{quote_ident(key.sub)};" if on else
               f"ALTER {key.kind.upper()} {quote_ident(now.sub)} ON {table} RENAME TO "
               f"{quote_ident(key.sub)};")
    elif key.kind == "function":
        sql = (f"ALTER ROUTINE {qualified(now.schema, now.name)}({now.sub}) RENAME TO "
               f"{quote_ident(key.name)};")
    elif key.kind in word:
        sql = (f"ALTER {word[key.kind]} {qualified(now.schema, now.name)} RENAME TO "
               f"{quote_ident(key.name)};")
    if sql:
        return Step(key, "alter", [sql], header)
    return _unrepairable(key, "alter", header, f"renaming a {key.kind} back is not written "
                         "automatically")


def _key_of(like: Key, display: str) -> Key | None:
    """The key a report's ``schema.name[.sub]`` names, for a key of ``like``'s kind."""
    prefix = f"{like.schema}.{like.name}." if like.sub else f"{like.schema}."
    rest = display[len(prefix):] if display.startswith(prefix) else ""
    if not rest or "." in rest or like.kind == "function":
        return None
    return like._replace(sub=rest) if like.sub else like._replace(name=rest)


# ------------------------------------------------------------------------------ changed


def _changed(key: Key, diffs: list[Difference], expected: Catalog, actual: Catalog,
             origins: _Origins, unsafe: bool) -> list[Step]:
    e, a = expected.get(key), actual.get(key)
    header = [f"changed {key}: {d.attribute} {_short(d.actual)} -> {_short(d.expected)}, set by "
              f"{origins.set_by(key, d.attribute or '*', d.migration)}" for d in diffs]
    if e is None or a is None:
        return [_unrepairable(key, "alter", header, "the records are not known")]
    attrs = {d.attribute for d in diffs if d.attribute}
    comment = [_comment(e)] if "comment" in attrs else []
    attrs.discard("comment")
    if not attrs:
        return [Step(key, "alter", comment, header)]
    if isinstance(e, Privilege):
        return [Step(key, "alter", _privilege_changes(a, e, expected), header)]  # type: ignore[arg-type]
    if isinstance(e, Function):
        if attrs & {"returns", "arguments", "routine"}:
            sql = [_drop(a), create_function(e)]
        else:
            sql = [create_function(e, replace=True)]
        return [Step(key, "alter", sql + comment, header)]
    if isinstance(e, Trigger) and attrs == {"enabled"}:
        word = {"O": "ENABLE", "D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}
        sql = [f"ALTER TABLE {qualified(key.schema, key.name)} {word.get(e.enabled, 'ENABLE')} "
               f"TRIGGER {quote_ident(key.sub)};"]
        return [Step(key, "alter", sql + comment, header)]
    if isinstance(e, Constraint) and attrs == {"validated"} and e.validated:
        sql = [f"ALTER TABLE {qualified(key.schema, key.name)} VALIDATE CONSTRAINT "
               f"{quote_ident(key.sub)};"]
        return [Step(key, "alter", sql + comment, header)]
    if attrs == {"statistics"} and isinstance(e, Index) and isinstance(a, Index):
        want = dict(o.partition("=")[::2] for o in e.statistics)
        have = dict(o.partition("=")[::2] for o in a.statistics)
        sql = [f"ALTER INDEX {qualified(key.schema, key.name)} ALTER COLUMN {n} SET STATISTICS "
               f"{want.get(n, -1)};" for n in sorted({*want, *have}, key=int)
               if want.get(n) != have.get(n)]
        return [Step(key, "alter", sql + comment, header)]
    if attrs == {"defaults"} and isinstance(e, View) and isinstance(a, View):
        want, have = dict(e.defaults), dict(a.defaults)
        alter = f"ALTER VIEW {qualified(key.schema, key.name)} ALTER COLUMN"
        sql = [f"{alter} {quote_ident(c)} SET DEFAULT {ddl.executable(want[c])};" if c in want
               else f"{alter} {quote_ident(c)} DROP DEFAULT;"
               for c in sorted({*want, *have}) if want.get(c) != have.get(c)]
        return [Step(key, "alter", sql + comment, header)]
    if attrs == {"column_comments"} and isinstance(e, View) and isinstance(a, View):
        return [Step(key, "alter", _view_column_comments(e, a) + comment, header)]
    if attrs == {"attribute_comments"} and isinstance(e, CompositeType) \
            and isinstance(a, CompositeType):
        return [Step(key, "alter", _attribute_comments(e, a) + comment, header)]
    if attrs == {"index_options"} and isinstance(e, Constraint):
        sql = [ddl.storage_options("INDEX", qualified(key.schema, key.sub), e.index_options,
                                   a.index_options)]  # type: ignore[union-attr]
        return [Step(key, "alter", sql + comment, header)]
    if attrs == {"options"} and (isinstance(e, Index)
                                 or (isinstance(e, View) and e.materialized)):
        kind = "INDEX" if isinstance(e, Index) else "MATERIALIZED VIEW"
        sql = [ddl.storage_options(kind, qualified(key.schema, key.name), e.options,
                                   a.options)]  # type: ignore[union-attr]
        return [Step(key, "alter", sql + comment, header)]
    if isinstance(e, EventTrigger) and attrs == {"enabled"}:
        sql = [f"ALTER EVENT TRIGGER {quote_ident(key.name)} {ddl.event_trigger_state(e)};"]
        return [Step(key, "alter", sql + comment, header)]
    if isinstance(e, EventTrigger):
        return [Step(key, "alter", [_drop(a), *_create(e, expected)], header)]
    if isinstance(e, Statistics) and attrs == {"target"}:
        sql = [f"ALTER STATISTICS {qualified(key.schema, key.name)} SET STATISTICS "
               f"{-1 if e.target is None else e.target};"]
        return [Step(key, "alter", sql + comment, header)]
    if isinstance(e, Statistics):  # its table, keys or kinds: made again
        return [Step(key, "alter", [_drop(a), *_create(e, expected)], header)]
    if key.kind in ("index", "constraint", "trigger", "policy", "view"):
        unknown = _text_unknown(e)
        if unknown:
            return [_unrepairable(key, "alter", header, unknown)]
        renames = _view_renames(e, a) if isinstance(e, View) and isinstance(a, View) else None
        if renames is not None and attrs == {"names"}:
            return [Step(key, "alter", renames + comment, header)]
        if isinstance(e, View) and isinstance(a, View) and not e.materialized \
                and not a.materialized and (renames is not None or "names" not in attrs
                                            or _extends(a.names, e.names)):
            # replaced in place: views that read it stay (its columns must stay compatible)
            sql = [ddl.view_statement(e).replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1)]
            sql += _view_column_comments(e, a) if "column_comments" in attrs else []
            return [Step(key, "alter", (renames or []) + sql + comment, header)]
        step = Step(key, "alter", [_drop(a), *_create(e, expected)], header)
        if isinstance(e, Constraint) and e.type in ("primary key", "unique"):
            step.header.append("re-created: foreign keys that reference it must be dropped first")
        return [step]
    if isinstance(e, Column):
        return _column_changes(e, a, attrs, header, comment, unsafe,  # type: ignore[arg-type]
                               expected)
    if isinstance(e, Table):
        return _table_changes(e, attrs, header, comment, a)  # type: ignore[arg-type]
    if isinstance(e, SequenceRecord):
        return [_sequence_changes(e, attrs, header, comment)]
    if isinstance(e, Enum):
        return _enum_changes(e, a, header, comment)  # type: ignore[arg-type]
    if isinstance(e, Domain):
        return _domain_changes(e, a, attrs, header, comment)  # type: ignore[arg-type]
    if key.kind == "extension" and attrs == {"schema"}:
        return [Step(key, "alter", [f"ALTER EXTENSION {quote_ident(key.name)} SET SCHEMA "
                                    f"{quote_ident(e.schema)};", *comment], header)]
    return [_unrepairable(key, "alter", header,
                          f"changing {', '.join(sorted(attrs))} of a {key.kind} in place is not "
                          "written automatically", comment)]


def _view_column_comments(e: View, a: View) -> list[str]:
    """``COMMENT ON COLUMN`` for each of a view's columns whose comment differs (of those it
    has once made as expected: a column renamed away takes its comment along)."""
    want, have = dict(e.column_comments), dict(a.column_comments)
    return [ddl.column_comment(e, c, want.get(c)) for c in sorted({*want, *have})
            if want.get(c) != have.get(c) and (e.names is None or c in e.names)]


def _attribute_comments(e: CompositeType, a: CompositeType) -> list[str]:
    """``COMMENT ON COLUMN`` for each of a composite type's attributes whose comment
    differs."""
    want, have = dict(e.attribute_comments), dict(a.attribute_comments)
    return [ddl.column_comment(e, c, want.get(c)) for c in sorted({*want, *have})
            if want.get(c) != have.get(c)]


def _column_changes(e: Column, a: Column, attrs: set[str], header: list[str],
                    comment: list[str], unsafe: bool, expected: Catalog) -> list[Step]:
    table = qualified(e.schema, e.table)
    col = f"ALTER TABLE {table} ALTER COLUMN {quote_ident(e.name)}"
    sql: list[str] = []
    out: list[Step] = []
    if "default" in attrs:
        sql.append(f"{col} SET DEFAULT {ddl.column_default(e, expected)};" if e.default is not None
                   else f"{col} DROP DEFAULT;")
    nn = attrs & {"not_null", "not_null_validated", "not_null_no_inherit"}
    if nn:
        if not e.not_null:
            sql.append(f"{col} DROP NOT NULL;")
        elif e.not_null_validated and not e.not_null_no_inherit and (
                nn == {"not_null"} or (nn == {"not_null_validated"} and a.not_null)):
            sql.append(f"{col} SET NOT NULL;")  # validates a NOT VALID one too
        else:  # PostgreSQL 18: NO INHERIT and NOT VALID are said when it is added
            if a.not_null:
                sql.append(f"{col} DROP NOT NULL;")
            sql.append(f"ALTER TABLE {table} ADD NOT NULL {quote_ident(e.name)}"
                       + (" NO INHERIT" if e.not_null_no_inherit else "")
                       + ("" if e.not_null_validated else " NOT VALID") + ";")
    if "identity" in attrs:
        if e.identity is None:
            sql.append(f"{col} DROP IDENTITY;")
        elif a.identity is None:
            sql.append(f"{col} ADD GENERATED {e.identity.upper()} AS IDENTITY;")
        else:
            sql.append(f"{col} SET GENERATED {e.identity.upper()};")
    if "identity_options" in attrs and e.identity and a.identity:
        # every option named: one set back to its default is a change as well
        start, inc, lo, hi, cache, cycle = identity_sequence_values(e.type or "bigint",
                                                                       e.identity_options)
        sql.append(f"{col} SET START WITH {start} SET INCREMENT BY {inc} SET MINVALUE {lo} "
                   f"SET MAXVALUE {hi} SET CACHE {cache} SET {'' if cycle else 'NO '}CYCLE;")
    if "statistics" in attrs:
        sql.append(f"{col} SET STATISTICS {-1 if e.statistics is None else e.statistics};")
    if "compression" in attrs:
        sql.append(f"{col} SET COMPRESSION {e.compression};")
    if "options" in attrs:
        sql.append(ddl.storage_options("TABLE", table, e.options, a.options)
                   .replace(f"ALTER TABLE {table} ", f"{col} ", 1))
    storage = type_storage(e.type) if e.storage == "default" else e.storage
    if "storage" in attrs and storage:
        sql.append(f"{col} SET STORAGE {storage.upper()};")
    elif "storage" in attrs:
        out.append(_unrepairable(e.key, "alter", header, "setting a column's storage back to "
                                 "its type's own is not written automatically"))
    if attrs & {"type", "collation"}:
        collate = f" COLLATE {ddl.collation(e.collation)}" if e.collation else ""
        retype = Step(e.key, "alter",
                      [f"{col} TYPE {e.type}{collate} USING {quote_ident(e.name)}::{e.type};"],
                      list(header))
        if not unsafe:
            retype.active = False
            retype.reason = ("a type change rewrites the table, may need another USING and can "
                             "lose data: written commented out (check it, or pass --unsafe)")
        out.append(retype)
    if "generated" in attrs:
        out.append(_unrepairable(e.key, "alter", header, "a generated expression cannot be "
                                 "changed in place: re-create the column by hand"))
    elif "virtual" in attrs:
        out.append(_unrepairable(e.key, "alter", header, "a generated column cannot change "
                                 "between STORED and VIRTUAL in place: re-create the column by "
                                 "hand"))
    if sql or comment:
        # set the type first: a default is checked against the new type
        out.append(Step(e.key, "alter", sql + comment, header, needs=set()))
    return out


def _table_changes(e: Table, attrs: set[str], header: list[str],
                   comment: list[str], actual: Table | None = None) -> list[Step]:
    name = qualified(e.schema, e.name)
    sql = []
    if "rls_enabled" in attrs:
        sql.append(f"ALTER TABLE {name} {'ENABLE' if e.rls_enabled else 'DISABLE'} ROW LEVEL "
                   "SECURITY;")
    if "rls_forced" in attrs:
        sql.append(f"ALTER TABLE {name} {'FORCE' if e.rls_forced else 'NO FORCE'} ROW LEVEL "
                   "SECURITY;")
    if "persistence" in attrs:
        word = "UNLOGGED" if e.persistence == "unlogged" else "LOGGED"
        sql.append(f"ALTER TABLE {name} SET {word};")
    if "replica_identity" in attrs:
        sql.append(f"ALTER TABLE {name} {ddl.replica_identity(e)};")
    if "options" in attrs and actual is not None:
        sql.append(ddl.storage_options("TABLE", name, e.options, actual.options))
    if "access_method" in attrs:  # PostgreSQL 15
        sql.append(f"ALTER TABLE {name} SET ACCESS METHOD {quote_ident(e.access_method)};")
    if "clustered_on" in attrs:
        sql.append(f"ALTER TABLE {name} CLUSTER ON {quote_ident(e.clustered_on)};"
                   if e.clustered_on else f"ALTER TABLE {name} SET WITHOUT CLUSTER;")
    out = [Step(e.key, "alter", sql + comment, header)] if sql or comment else []
    rest = attrs - {"rls_enabled", "rls_forced", "persistence", "replica_identity", "options",
                    "clustered_on", "access_method"}
    if rest:
        out.append(_unrepairable(e.key, "alter", header, f"changing {', '.join(sorted(rest))} "
                                 "of a table in place is not written automatically"))
    return out


def _sequence_changes(e: SequenceRecord, attrs: set[str], header: list[str],
                      comment: list[str]) -> Step:
    parts = []
    spell = {"data_type": f"AS {e.data_type}", "start": f"START WITH {e.start}",
             "increment": f"INCREMENT BY {e.increment}", "min_value": f"MINVALUE {e.min_value}",
             "max_value": f"MAXVALUE {e.max_value}", "cache": f"CACHE {e.cache}",
             "cycle": "CYCLE" if e.cycle else "NO CYCLE"}
    for attr in sorted(attrs):
        if attr in spell:
            parts.append(spell[attr])
        elif attr == "owned_by":
            if e.owned_by:
                table, _, column = e.owned_by.partition(".")
                parts.append(f"OWNED BY {qualified(e.schema, table)}.{quote_ident(column)}")
            else:
                parts.append("OWNED BY NONE")
    sql = [f"ALTER SEQUENCE {qualified(e.schema, e.name)} {' '.join(parts)};"] if parts else []
    if "persistence" in attrs:  # PostgreSQL 15
        word = "UNLOGGED" if e.persistence == "unlogged" else "LOGGED"
        sql.append(f"ALTER SEQUENCE {qualified(e.schema, e.name)} SET {word};")
    return Step(e.key, "alter", sql + comment, header)


def _enum_changes(e: Enum, a: Enum, header: list[str], comment: list[str]) -> list[Step]:
    name = qualified(e.schema, e.name)
    have = list(a.labels)
    sql = []
    for i, label in enumerate(e.labels):
        if label in have:
            continue
        after = next((x for x in reversed(e.labels[:i]) if x in have), None)
        place = f" AFTER {quote_literal(after)}" if after is not None else (
            f" BEFORE {quote_literal(have[0])}" if have else "")
        sql.append(f"ALTER TYPE {name} ADD VALUE {quote_literal(label)}{place};")
        have.insert(have.index(after) + 1 if after is not None else 0, label)
    out = []
    if sql:
        out.append(Step(e.key, "alter", sql, header, transactional=False))
    if have != list(e.labels):
        out.append(_unrepairable(e.key, "alter", header, "enum labels cannot be removed or "
                                 "reordered in place: re-create the type by hand"))
    if comment:
        out.append(Step(e.key, "alter", comment, header))
    return out


def _domain_changes(e: Domain, a: Domain, attrs: set[str], header: list[str],
                    comment: list[str]) -> list[Step]:
    name = qualified(e.schema, e.name)
    sql = []
    if "default" in attrs:
        sql.append(f"ALTER DOMAIN {name} SET DEFAULT {e.default};" if e.default is not None
                   else f"ALTER DOMAIN {name} DROP DEFAULT;")
    if "not_null" in attrs:
        sql.append(f"ALTER DOMAIN {name} {'SET' if e.not_null else 'DROP'} NOT NULL;")
    if "checks" in attrs:
        sql += [f"ALTER DOMAIN {name} DROP CONSTRAINT {quote_ident(n)};"
                for n, x in a.checks if (n, x) not in e.checks]
        sql += [f"ALTER DOMAIN {name} ADD CONSTRAINT {quote_ident(n)} CHECK "
                f"({ddl.executable(x)});"
                for n, x in e.checks if (n, x) not in a.checks]
    if attrs & {"checks", "check_comments"}:  # a check made again has none
        want = dict(e.check_comments)
        have = {n: c for n, c in a.check_comments
                if "checks" not in attrs or (n, dict(a.checks).get(n)) in e.checks}
        sql += [ddl.domain_check_comment(e, n, want.get(n)) for n in sorted({*want, *have})
                if want.get(n) != have.get(n) and n in dict(e.checks)]
    out = [Step(e.key, "alter", sql + comment, header)] if sql or comment else []
    rest = attrs - {"default", "not_null", "checks", "check_comments"}
    if rest:
        out.append(_unrepairable(e.key, "alter", header, f"changing {', '.join(sorted(rest))} "
                                 "of a domain in place is not written automatically"))
    return out


def _comment(obj: SchemaObject) -> str:
    if obj.comment is not None:
        return ddl.comment_on(obj) or ""
    text = ddl.comment_on(dataclasses.replace(obj, comment="")) or ""  # type: ignore[type-var]
    return text.removesuffix(" IS '';") + " IS NULL;"


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _unrepairable(key: Key, action: str, header: list[str], reason: str,
                  statements: Sequence[str] = ()) -> Step:
    return Step(key, action, list(statements), list(header), active=False,
                reason=f"not repaired: {reason}")


# ------------------------------------------------------------------------------ order


_WORD = re.compile(r'"((?:[^"]|"")+)"|([A-Za-z_][\w$]*)')
#: Kinds an expression or a type can name (a default calling a function, a cast to an enum).
_NAMED = ("enum", "domain", "composite", "sequence", "function", "table", "view")


def _names(catalog: Catalog) -> dict[str, set[Key]]:
    """Objects of the kinds an expression can name, by lower-cased name (any schema)."""
    out: dict[str, set[Key]] = {}
    for kind in _NAMED:
        for obj in catalog.of_kind(kind):
            out.setdefault(obj.key.name.lower(), set()).add(obj.key)
    return out


def _texts(obj: SchemaObject, catalog: Catalog) -> list[str]:
    """The types and expressions of ``obj`` that may name other objects."""
    if isinstance(obj, Column):
        return [obj.type, obj.default or "", obj.generated or ""]
    if isinstance(obj, Table):
        return [t for c in catalog.columns(obj.schema, obj.name) for t in _texts(c, catalog)]
    if isinstance(obj, Constraint):
        return [obj.expression or ""]
    if isinstance(obj, Index):
        return [*obj.keys, obj.predicate or ""]
    if isinstance(obj, Domain):
        return [obj.type, obj.default or "", *(x for _, x in obj.checks)]
    if isinstance(obj, View):
        return [obj.definition]
    if isinstance(obj, Function):
        return [obj.arguments, obj.returns or ""]
    if isinstance(obj, Trigger):
        return [obj.when or ""]
    return [getattr(obj, "using", None) or "", getattr(obj, "with_check", None) or ""]


def _needs(key: Key, obj: SchemaObject | None, catalog: Catalog,
           names: dict[str, set[Key]]) -> set[Key]:
    """What ``obj`` builds on, by key: its table, the table a foreign key references and its
    keys, what its types and expressions name (types, sequences, functions, relations), a
    trigger's function, a view's relations, its schema."""
    out = set(builds_on(key, obj))
    if key.schema:
        out.add(Key("schema", "", key.schema))
    if obj is None:
        return out
    if isinstance(obj, Constraint) and obj.ref_table:
        schema, _, table = obj.ref_table.partition(".")
        out |= {o.key for o in catalog.on_table(schema, table)
                if isinstance(o, Constraint) and o.type in ("primary key", "unique")}
        out |= {i.key for i in catalog.indexes_on(schema, table) if i.unique}
    for text in _texts(obj, catalog):
        for quoted, bare in _WORD.findall(text):
            word = quoted.replace('""', '"') if quoted else bare.lower()
            out |= names.get(word.lower() if not quoted else word, set())
    if isinstance(obj, Trigger) and obj.function:
        schema, _, name = obj.function.partition(".")
        out |= {f.key for f in catalog.of_kind("function") if (f.key.schema, f.key.name)
                == (schema, name)}
    if isinstance(obj, View):
        out |= {Key(kind, key.schema, rel) for rel in obj.relations
                for kind in ("table", "view")}
    if isinstance(obj, Privilege):  # granted once its object exists
        kind, _, name = obj.object.partition(" ")
        if kind == "schema":
            out.add(Key("schema", "", name))
        elif kind == "function":
            routine, _, args = name.partition("(")
            out.add(Key("function", key.schema, routine, args.removesuffix(")")))
        else:
            out |= {Key(k, key.schema, name) for k in (kind, "view")}
    if isinstance(obj, Index):
        out |= {o.key for o in catalog.on_table(key.schema, obj.table) if o.KIND == "column"}
        out.add(Key("view", key.schema, obj.table))  # an index on a materialized view
    out.discard(key)
    return out


def _split_foreign_keys(steps: list[Step], actual: Catalog) -> set[Key]:
    """Foreign keys between tables that are all dropped get steps of their own, run first:
    tables that reference each other could not be dropped one before the other."""
    tables = {s.key: s for s in steps if s.action == "drop" and s.key.kind == "table"}
    split: set[Key] = set()
    for key, step in list(tables.items()):
        for c in actual.on_table(key.schema, key.name):
            if not isinstance(c, Constraint) or not c.ref_table:
                continue
            schema, _, name = c.ref_table.partition(".")
            if Key("table", schema, name) in tables and (schema, name) != (key.schema, key.name):
                steps.append(Step(c.key, "drop", [_drop(c)], [f"extra {c.key} (with its table)"],
                                  step.active, step.reason))
                split.add(c.key)
    return split


def _drop_needs(key: Key, actual: Catalog, names: dict[str, set[Key]],
                split: set[Key]) -> set[Key]:
    """What an extra object and what goes with it (a table's triggers, indexes, constraints)
    build on: it is dropped before them."""
    obj = actual.get(key)
    out = _needs(key, obj, actual, names)
    if isinstance(obj, Table):
        for part in (*actual.on_table(key.schema, key.name),
                     *actual.indexes_on(key.schema, key.name)):
            if part.key not in split:
                out |= _needs(part.key, part, actual, names)
        out.discard(key)
    return out


def _keep_what_kept_objects_need(steps: list[Step]) -> None:
    """A drop written commented out keeps its object: what that object needs is kept too
    (an extra function a kept extra table's trigger calls), or the script would fail."""
    drops = {s.key: s for s in steps if s.action == "drop"}
    pending = [s for s in drops.values() if not s.active]
    while pending:
        kept = pending.pop()
        for need in kept.needs:
            step = drops.get(need)
            if step is not None and step.active:
                step.active = False
                step.reason = (f"kept: {kept.key}, which is kept, depends on it (both are "
                               "dropped with --unsafe)")
                pending.append(step)


def _order(steps: list[Step]) -> list[Step]:
    """Steps in dependency order: creates after what they build on, drops before what their
    object builds on, a drop before a create of the same object."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(steps)))
    by_key: dict[tuple[str, Key], list[int]] = {}
    for i, step in enumerate(steps):
        phase = "drop" if step.action == "drop" else "build"
        by_key.setdefault((phase, step.key), []).append(i)
    for i, step in enumerate(steps):
        if step.action == "drop":
            for need in step.needs:
                for j in by_key.get(("drop", need), ()):
                    graph.add_edge(i, j)  # drop the dependent first
            for j in by_key.get(("build", step.key), ()):
                graph.add_edge(i, j)
        else:
            for need in step.needs:
                for j in by_key.get(("build", need), ()):
                    graph.add_edge(j, i)
            # a table-level object's own steps run in the order they were made
            own = by_key.get(("build", step.key), ())
            for j in own:
                if j < i:
                    graph.add_edge(j, i)

    def rank(i: int) -> tuple[Any, ...]:
        s = steps[i]
        kind = _RANK.get(s.key.kind, 99)
        return (_PHASE[s.action], -kind if s.action == "drop" else kind, s.key, i)

    while True:
        try:
            order = list(nx.lexicographical_topological_sort(graph, key=rank))
            break
        except nx.NetworkXUnfeasible:  # a cycle: the edge against the kind order gives way
            cycle = nx.find_cycle(graph)
            graph.remove_edge(*max(cycle, key=lambda edge: rank(edge[0]) > rank(edge[1])))
    return [steps[i] for i in order]


# ------------------------------------------------------------------------------ script


def _block(step: Step) -> list[str]:
    lines = [f"-- {line}" for line in step.header]
    if not step.active:
        lines.append(f"-- {step.reason}")
    for statement in step.statements:
        for line in statement.split("\n"):
            lines.append(line if step.active else f"-- {line}")
    return lines


def _script(steps: list[Step], items: int) -> str:
    head = ["-- schemadiff schema repair: the DDL that brings the schema back to what its",
            "-- applied migrations build. Nothing has been run: review it, then run it with",
            "--   psql -v ON_ERROR_STOP=1 -f <this file>"]
    if not steps:
        return "\n".join([*head, "-- nothing to repair: no drift"]) + "\n"
    commented = sum(1 for s in steps if not s.active)
    head.append(f"-- {items} drift item(s), {len(steps)} step(s), {commented} written commented "
                "out")
    out = [*head, ""]
    outside = [s for s in steps if not s.transactional]
    inside = [s for s in steps if s.transactional]
    if outside:
        out.append("-- outside the transaction: PostgreSQL does not run these in one")
        for step in outside:
            out += [*_block(step), ""]
    if inside:
        active = any(s.active for s in inside)
        out += ["BEGIN;" if active else "-- BEGIN;",
                "-- function bodies are checked when called, not when created (as pg_dump does):",
                "-- a function may read a table created after it",
                "SET LOCAL check_function_bodies = false;" if active else
                "-- SET LOCAL check_function_bodies = false;", ""]
        for step in inside:
            out += [*_block(step), ""]
        out.append("COMMIT;" if active else "-- COMMIT;")
    return "\n".join(out).rstrip("\n") + "\n"
