"""Objects renamed by hand: a missing object and an extra one that are the same object.

After ``ALTER TABLE t RENAME TO t_old`` the actual schema lacks ``t`` (which migrations
created) and has ``t_old`` (which no migration created). Compared key by key, that is one
missing table and one extra table, and every migration whose evidence sits on ``t`` looks
pending. Here the two are paired by structure, the actual catalog is seen under the names
the migrations gave (renamed back, with PostgreSQL's own cascades), and the pairing is kept
to be reported as one ``renamed`` drift item.

Pairing is conservative, because evidence that follows an object under a new name can make a
migration look applied: a table pairs only with a table of the same schema whose columns
(names and types) mostly agree, both ways the single best match; an index, view, sequence or
function pairs only with one whose every attribute but the name is equal (a constraint: on
the same table, renamed ``ALTER TABLE ... RENAME CONSTRAINT`` or made by hand under another
name, ``UNIQUE (c)`` for ``CONSTRAINT t_c_uq UNIQUE (c)``); a column pairs only
when an index or constraint of its table names it under the new name where the migrations
name the old one. Verdicts that rest only on renamed objects are marked unproven (see
:mod:`schemadiff.inference`). Pure: catalogs in, catalogs out.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import replace
from typing import Any

from schemadiff.model import TABLE_LEVEL_KINDS, Catalog, Column, Effect, Key, SchemaObject
from schemadiff.records import record

#: Kinds paired by equal attributes (the name aside); a constraint within its table.
_BY_ATTRIBUTES = ("index", "view", "sequence", "function", "constraint")
#: Kinds whose own name is the key's ``sub`` (its table's is ``name``).
_SUB_NAMED = ("column", "constraint")
#: A table pairs when at least this share of the two tables' columns agree (Jaccard) ...
_TABLE_SIMILARITY = 0.6
#: ... and at least this many columns agree by name and type.
_TABLE_SHARED_COLUMNS = 2


@record
class Rename:
    """``expected`` (a key the migrations made) is ``actual`` (a key no migration made)."""

    expected: Key
    actual: Key

    @property
    def new_name(self) -> str:
        return self.actual.sub if self.expected.kind in _SUB_NAMED else self.actual.name


def find_renames(
    expected: Catalog,
    actual: Catalog,
    effects: Iterable[Effect],
    keep: Callable[[Key], bool] | None = None,
) -> list[Rename]:
    """The objects of ``expected`` (the whole history's schema) that ``actual`` holds under
    another name. Only objects some migration created can be missing, and only objects no
    migration ever created can be their new selves."""
    created = _Created(effects)

    def scope(key: Key) -> bool:
        return keep is None or keep(key)

    missing = [o for o in expected if o.key not in actual.objects and scope(o.key)]
    extra = [o for o in actual if o.key not in expected.objects and scope(o.key)
             and o.key not in created]
    out = _pair_tables(expected, actual, missing, extra)
    for kind in _BY_ATTRIBUTES:
        out += _pair_equal(
            [o for o in missing if o.key.kind == kind], [o for o in extra if o.key.kind == kind],
            out,
        )
    out += _pair_columns(expected, actual, created, out, scope)
    return out


class _Created(Container[Key]):
    """The keys some migration created, collected from the effect log the first time one is
    asked for: an actual schema holding nothing the migrations lack asks for none (a cached
    replay's log then stays unread)."""

    __slots__ = ("_effects", "_keys")

    def __init__(self, effects: Iterable[Effect]) -> None:
        self._effects = effects
        self._keys: set[Key] | None = None

    def __contains__(self, key: object) -> bool:
        if self._keys is None:
            self._keys = {e.key for e in self._effects
                          if e.attribute == "*" and e.after is not None}
        return key in self._keys


def _columns(catalog: Catalog, schema: str, table: str) -> set[tuple[str, str]]:
    return {(c.name, c.type) for c in catalog.columns(schema, table)}


def _unique_best(scores: dict[tuple[Key, Key], float]) -> list[tuple[Key, Key]]:
    """Pairs that are each other's single best match."""
    best_of: dict[Key, list[tuple[float, Key]]] = {}
    for (e, a), s in scores.items():
        best_of.setdefault(e, []).append((s, a))
        best_of.setdefault(a, []).append((s, e))

    def best(k: Key) -> Key | None:
        ranked = sorted(best_of[k], key=lambda t: -t[0])
        if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
            return None  # a tie: not one object but a choice
        return ranked[0][1]

    return [(e, a) for (e, a) in scores if best(e) == a and best(a) == e]


def _pair_tables(
    expected: Catalog, actual: Catalog, missing: list[SchemaObject], extra: list[SchemaObject]
) -> list[Rename]:
    scores: dict[tuple[Key, Key], float] = {}
    for e in missing:
        if e.KIND != "table":
            continue
        ecols = _columns(expected, e.key.schema, e.key.name)
        for a in extra:
            if a.KIND != "table" or a.key.schema != e.key.schema:
                continue
            acols = _columns(actual, a.key.schema, a.key.name)
            shared = len(ecols & acols)
            union = len(ecols | acols)
            if shared >= _TABLE_SHARED_COLUMNS and shared / union >= _TABLE_SIMILARITY:
                scores[(e.key, a.key)] = shared / union
    return [Rename(e, a) for e, a in _unique_best(scores)]


def _same_but_name(e: SchemaObject, a: SchemaObject) -> bool:
    ea, aa = e.attributes(), a.attributes()
    ea.pop("comment", None)
    aa.pop("comment", None)
    if e.key.kind == "constraint":  # named within its table: the table is the same
        return ea == aa and e.key[:3] == a.key[:3]
    return ea == aa and e.key.schema == a.key.schema and e.key.sub == a.key.sub


def _pair_equal(
    missing: list[SchemaObject], extra: list[SchemaObject], taken: list[Rename]
) -> list[Rename]:
    # an index follows its table: compare it under the table's expected name
    table_back = {r.actual.name: r.expected.name for r in taken if r.expected.kind == "table"}
    scores: dict[tuple[Key, Key], float] = {}
    for e in missing:
        for a in extra:
            if a.KIND == "index" and getattr(a, "table", None) in table_back:
                a_cmp: Any = replace(a, table=table_back[a.table])  # type: ignore[attr-defined, type-var]
            elif a.KIND == "constraint" and getattr(a, "table", None) in table_back:
                a_cmp = replace(a, table=table_back[a.table])  # type: ignore[attr-defined, type-var]
            else:
                a_cmp = a
            if e.key.kind == "constraint" and e.key.sub == a.key.sub:
                continue  # the same name: it went along with its table's rename
            if _same_but_name(e, a_cmp):
                scores[(e.key, a.key)] = 1.0
    return [Rename(e, a) for e, a in _unique_best(scores)]


def _pair_columns(
    expected: Catalog,
    actual: Catalog,
    created: Container[Key],
    taken: list[Rename],
    scope: Callable[[Key], bool],
) -> list[Rename]:
    """Columns renamed by hand: corroborated by an index or constraint of the table that
    names the new column where the migrations name the old one."""
    back = {r.actual.name: r.expected.name for r in taken if r.expected.kind == "table"}
    out: list[Rename] = []
    for table in actual.of_kind("table"):
        schema, actual_name = table.key.schema, table.key.name
        name = back.get(actual_name, actual_name)
        if Key("table", schema, name) not in expected.objects or not scope(table.key):
            continue
        missing = {
            c.name: c for c in expected.columns(schema, name)
            if Key("column", schema, actual_name, c.name) not in actual.objects
        }
        if not missing:
            continue
        extra = {
            c.name: c for c in actual.columns(schema, actual_name)
            if Key("column", schema, name, c.name) not in expected.objects
            and Key("column", schema, name, c.name) not in created
        }
        if not extra:
            continue
        votes: dict[tuple[str, str], int] = {}
        for old, new in _column_witnesses(expected, actual, schema, name, actual_name):
            if old in missing and new in extra and _same_column(missing[old], extra[new]):
                votes[(old, new)] = votes.get((old, new), 0) + 1
        olds = [o for o, _ in votes]
        news = [n for _, n in votes]
        for old, new in votes:
            if olds.count(old) == 1 and news.count(new) == 1:
                out.append(Rename(Key("column", schema, name, old),
                                  Key("column", schema, actual_name, new)))
    return out


def _same_column(e: Column, a: Column) -> bool:
    return (e.type, e.not_null, e.identity, e.generated) == (a.type, a.not_null, a.identity,
                                                           a.generated)


def _column_witnesses(
    expected: Catalog, actual: Catalog, schema: str, name: str, actual_name: str
) -> list[tuple[str, str]]:
    """(old, new) column name pairs read off indexes and constraints of the same name whose
    column lists differ in exactly one place."""
    out = []
    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for idx in expected.indexes_on(schema, name):
        a = actual.objects.get(idx.key)
        if a is not None:
            pairs.append((idx.keys, a.keys))  # type: ignore[attr-defined]
    for con in expected.on_table(schema, name):
        if con.KIND != "constraint":
            continue
        a = actual.objects.get(Key("constraint", schema, actual_name, con.key.sub))
        if a is not None:
            pairs.append((con.columns, a.columns))  # type: ignore[attr-defined]
    for e_cols, a_cols in pairs:
        if len(e_cols) != len(a_cols):
            continue
        diff = [(o, n) for o, n in zip(e_cols, a_cols) if o != n]
        if len(diff) == 1:
            out.append(diff[0])
    return out


def undo_renames(actual: Catalog, renames: list[Rename]) -> Catalog:
    """``actual`` seen under the names the migrations gave: each renamed object renamed back,
    with what PostgreSQL renames along (a table's columns, constraints, indexes, sequences,
    the foreign keys and views that name it). ``actual`` itself is not changed."""
    if not renames:
        return actual
    from schemadiff.sql.replay import Replayer  # the cascades live in the replay

    replayer = Replayer.over(actual)
    for r in sorted(renames, key=lambda r: r.expected.kind != "table"):  # tables first
        if r.expected.kind == "column":
            replayer.rename_column(r.expected.schema, r.expected.name, r.new_name,
                                   r.expected.sub)
        elif r.expected.kind == "constraint":
            replayer.rename_constraint(r.expected.schema, r.expected.name, r.new_name,
                                       r.expected.sub)
        else:
            replayer.rename_object(r.actual, r.expected.name)
    return replayer.catalog


def renamed_keys(expected: Catalog, renames: list[Rename]) -> Callable[[Key], bool]:
    """Whether a key (as the migrations name it) had its evidence moved by a rename: the
    object itself and, for a table, everything on it (columns and constraints dropped since
    included, by their key), its indexes and owned sequences."""
    keys = {r.expected for r in renames}
    tables = {(r.expected.schema, r.expected.name) for r in renames if r.expected.kind == "table"}
    for schema, name in tables:
        keys.update(o.key for o in expected.indexes_on(schema, name))
        keys.update(o.key for o in expected.sequences_owned_by(schema, name))

    def moved(key: Key) -> bool:
        if key in keys:
            return True
        return key.kind in TABLE_LEVEL_KINDS and (key.schema, key.name) in tables

    return moved
