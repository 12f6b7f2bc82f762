"""Compare two catalogs object by object, attribute by attribute.

``expected`` is usually the replay of the migrations (with its effect log for provenance),
``actual`` the database or its dump. Objects on a table that is itself missing or extra are
folded into the table's difference: one missing table is one finding, not forty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import field
from typing import TYPE_CHECKING, Any

from schemadiff.choice import Choice
from schemadiff.kinds import table_of
from schemadiff.model import KIND_ORDER, TABLE_LEVEL_KINDS, Catalog, Effect, Key, Move
from schemadiff.records import record

if TYPE_CHECKING:
    from schemadiff.equivalence import Equivalence


class Change(Choice):
    """What a difference is."""

    MISSING = "missing"  # expected, not in actual
    EXTRA = "extra"  # in actual only
    CHANGED = "changed"  # one attribute differs
    RENAMED = "renamed"  # in actual under another name


@record
class Difference:
    """One finding.

    Attributes:
        key: the object.
        change: ``missing`` (expected, not in actual), ``extra`` (in actual only), ``changed``,
            or ``renamed`` (the object is in actual under another name: ``actual`` holds it).
        attribute: for ``changed``, the field that differs.
        expected, actual: the two values (for missing/extra: None on the absent side).
        migration: the migration that last set this object/attribute in the expected schema
            (for ``extra``: the migration that dropped it, if one did), else None.
        detail: for sequence-valued attributes, what was added and removed.
        explained_by: for drift an older migration explains, ``{"rerun": version,
            "undoes": [versions]}``: the value is what ``rerun`` set, and running it again
            undid what the later ``undoes`` had set.
    """

    key: Key
    change: Change
    attribute: str | None = None
    expected: Any = None
    actual: Any = None
    migration: str | None = None
    detail: dict[str, Any] = field(default_factory=dict, compare=False)
    explained_by: dict[str, Any] | None = field(default=None, compare=False)


class Provenance:
    """Which migration last set each object and attribute (from the replay's effect log).

    A re-keyed object (:class:`~schemadiff.model.Move`) keeps what its old key held: the
    columns of a renamed table were made by the migration that made them, not by the rename;
    an object the statement itself renamed is the renamer's as a whole (``"*"``), its other
    attributes stay with the migrations that set them.
    """

    def __init__(self, effects: Iterable[Effect], moves: Iterable[Move] = ()) -> None:
        self._effects = effects
        self._moves = moves
        self._last: dict[tuple[Key, str], str] | None = None

    @property
    def last(self) -> dict[tuple[Key, str], str]:
        """(key, attribute) -> migration; built on first use (a clean diff never needs it)."""
        if self._last is None:
            moved = {(m.index, m.new): m for m in self._moves}
            left = {(m.index, m.old) for m in self._moves}
            by_key: dict[Key, dict[str, str]] = {}
            held: dict[tuple[int, Key], dict[str, str]] = {}  # an old key's, as it moved away
            for e in self._effects:
                attrs = by_key.setdefault(e.key, {})
                if e.attribute == "*" and e.after is None and (e.index, e.key) in left:
                    held[(e.index, e.key)] = dict(attrs)  # then "*": what removed this name
                move = moved.get((e.index, e.key)) if e.attribute == "*" else None
                if move is not None and e.before is None:
                    attrs.clear()
                    attrs.update(held.get((e.index, move.old), by_key.get(move.old, {})))
                    if not move.carried:
                        attrs["*"] = e.migration
                    continue
                attrs[e.attribute] = e.migration
                if e.attribute == "*" and e.after is not None:
                    # a create sets every attribute
                    attrs.update(dict.fromkeys(e.after.attributes(), e.migration))
            self._last = {(k, a): m for k, attrs in by_key.items() for a, m in attrs.items()}
        return self._last

    def of(self, key: Key, attribute: str = "*") -> str | None:
        return self.last.get((key, attribute)) or None


Filter = Callable[[Key], bool]


def _event_function(trigger: Any) -> Key:
    """The function an event trigger runs: the trigger, in no schema, is compared where its
    function is (a platform's own, in a schema left out, ``--exclude-schema extensions``,
    goes with it)."""
    schema, _, name = str(getattr(trigger, "function", "")).partition(".")
    return Key("function", schema, name)


def decided_only(keep: Filter | None, undecided: frozenset[Key]) -> Filter | None:
    """``keep`` without the objects the replay left undecided (touched by DDL the schema
    cannot say ran, :attr:`schemadiff.history.Replay.undecided`): no evidence, no drift."""
    if not undecided:
        return keep
    return lambda k: k not in undecided and (keep is None or keep(k))


def ignore_history_tables(tables: set[tuple[str, str]]) -> Filter:
    """A filter dropping migration tools' history tables and everything on them."""
    names = {t for _, t in tables}
    prefixes = tuple(sorted(n + "_" for n in names))
    own_schemas = {s for s, _ in tables if s}  # a tool's own (Atlas, drizzle, --history-table)

    def keep(key: Key) -> bool:
        if key.kind in TABLE_LEVEL_KINDS or key.kind == "table":
            return key.name not in names
        if key.kind in ("sequence", "index"):
            # their own serial sequences and indexes (flyway_schema_history_s_idx): a key does
            # not name the table, the tools' naming does
            return not (prefixes and key.name.startswith(prefixes))
        if key.kind == "schema":
            return key.name not in own_schemas
        if key.kind == "privilege":
            return _keep_privilege(key.name, names, prefixes, own_schemas)
        return True

    return keep


def _keep_privilege(target: str, names: set[str], prefixes: tuple[str, ...],
                    own_schemas: set[str]) -> bool:
    """Whether a privilege's object (``"table t"``, ``"column t.c"``, ``"sequence s"``,
    ``"schema s"``) is none of the history tables' (a table the tool creates after an
    ``ALTER DEFAULT PRIVILEGES`` of the migrations gets their grants)."""
    kind, _, name = target.partition(" ")
    if kind == "table":
        return name not in names
    if kind == "column":
        return name.rsplit(".", 1)[0] not in names
    if kind == "sequence":
        return not (prefixes and name.startswith(prefixes))
    if kind == "schema":
        return name not in own_schemas
    return True


def schema_filter(include: Iterable[str] = (), exclude: Iterable[str] = ()) -> Filter:
    inc, exc = set(include), set(exclude)

    def keep(key: Key) -> bool:
        schema = key.name if key.kind == "schema" else key.schema
        if key.kind in ("extension", "event_trigger"):  # in no schema
            return True
        if inc and schema not in inc:
            return False
        return schema not in exc

    return keep


@record
class Scope:
    """What a comparison looks at: not the tools' history tables, only the chosen schemas.

    A filter (``scope(key)``) with a stable :attr:`spec`, so that results computed under it
    can be cached.
    """

    history_tables: frozenset[tuple[str, str]] = frozenset()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    #: objects ignore rules took out (:mod:`schemadiff.ignore`), with what lives on them
    ignored: frozenset[Key] = frozenset()
    privileges: bool = True  # compare privileges (--no-privileges: managed elsewhere)
    _hist: Filter = field(init=False, repr=False, compare=False)
    _schemas: Filter = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hist", ignore_history_tables(set(self.history_tables)))
        object.__setattr__(self, "_schemas", schema_filter(self.include, self.exclude))

    def __call__(self, key: Key) -> bool:
        if not self.privileges and key.kind == "privilege":
            return False
        return self._hist(key) and self._schemas(key) and key not in self.ignored

    @property
    def spec(self) -> str:
        spec = (sorted(self.history_tables), sorted(self.include), sorted(self.exclude),
                sorted(self.ignored))
        return repr(spec if self.privileges else (*spec, "no-privileges"))


def diff_catalogs(
    expected: Catalog,
    actual: Catalog,
    effects: Iterable[Effect] = (),
    keep: Filter | None = None,
    moves: Iterable[Move] = (),
) -> list[Difference]:
    """Every difference between two catalogs, in a stable order (``effects`` and ``moves``
    name the migration behind each)."""
    prov = Provenance(effects, moves)
    keys = {k for k in expected.objects.keys() | actual.objects.keys() if keep is None or keep(k)}
    if keep is not None:
        keys = {k for k in keys if k.kind != "event_trigger"
                or keep(_event_function(expected.objects.get(k) or actual.objects[k]))}
    missing_tables = {k for k in keys if k.kind == "table" and k not in actual.objects}
    extra_tables = {k for k in keys if k.kind == "table" and k not in expected.objects}
    folded = missing_tables | extra_tables
    out: list[Difference] = []
    same: Equivalence | None = None  # built on the first differing attribute
    for key in keys:
        if _on_folded_table(key, folded, expected, actual):
            continue
        e = expected.objects.get(key)
        a = actual.objects.get(key)
        if e is not None and a is None:
            out.append(Difference(key, Change.MISSING, None, e, None, prov.of(key)))
        elif a is not None and e is None:
            out.append(Difference(key, Change.EXTRA, None, None, a, prov.of(key)))
        elif e is not None and a is not None and e != a:
            ea, aa = e.attributes(), a.attributes()
            undecided = e.UNDECIDED_WHEN_NONE
            for attr in ea:
                if ea[attr] != aa.get(attr) and not (
                        attr in undecided and (ea[attr] is None or aa.get(attr) is None)) and not (
                        attr == "collation" and "type" in undecided and ea["type"] is None):
                    if same is None:
                        from schemadiff.equivalence import Equivalence

                        same = Equivalence(expected, actual)
                    if same(e, attr, ea[attr], aa.get(attr)):
                        continue  # a form only the schema explains (equivalence.py)
                    out.append(
                        Difference(
                            key,
                            Change.CHANGED,
                            attr,
                            ea[attr],
                            aa.get(attr),
                            prov.of(key, attr),
                            _detail(ea[attr], aa.get(attr)),
                        )
                    )
    out = _runtime_partitions(out, expected, actual)
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    out.sort(key=lambda d: (rank.get(d.key.kind, 99), d.key, d.attribute or ""))
    return out


#: The kind of an extra table that is a partition of a partitioned table the migrations create,
#: made at run time by a function they define (``partition of <parent>``): expected, not drift.
RUNTIME_PARTITION = "runtime-partition"


def _runtime_partitions(out: list[Difference], expected: Catalog, actual: Catalog
                        ) -> list[Difference]:
    """Extra tables that are partitions of an expected partitioned table, when a function or
    procedure of the migrations creates partitions (its body says ``PARTITION OF``), become
    ``runtime-partition`` findings; the objects on them stay folded into them."""
    if not any(d.change == Change.EXTRA and d.key.kind == "table" for d in out):
        return out
    if not any("PARTITION OF" in " ".join(getattr(f, "body", "").upper().split())
               for f in expected.of_kind("function")):
        return out
    result = []
    for d in out:
        parent = getattr(d.actual, "partition_of", None) if d.change == Change.EXTRA else None
        if d.key.kind == "table" and parent:
            schema, _, name = parent.partition(".")
            pkey = Key("table", schema, name)
            p = expected.objects.get(pkey)
            if p is not None and getattr(p, "partition_by", None) and pkey in actual.objects:
                key = Key(RUNTIME_PARTITION, d.key.schema, d.key.name)
                bound = getattr(d.actual, "partition_bound", None)
                result.append(Difference(key, Change.EXTRA, None, None, f"partition of {parent}",
                                         d.migration, {"bound": bound} if bound else {}))
                continue
        result.append(d)
    return result


def _on_folded_table(key: Key, folded: set[Key], expected: Catalog, actual: Catalog) -> bool:
    """Whether ``key`` lives on a table whose own difference covers it."""
    if key.kind == "table" or not folded:
        return False
    table = table_of(key, expected.objects.get(key) or actual.objects.get(key))
    return table is not None and table in folded


def _detail(expected: Any, actual: Any) -> dict[str, Any]:
    """For list-like attributes (enum labels, index keys): what was added, removed, moved."""
    if not (isinstance(expected, tuple) and isinstance(actual, tuple)):
        return {}
    if set(expected) == set(actual):
        return {"reordered": True}
    from deepdiff import DeepDiff  # only for list-valued differences: keep it off start-up

    dd = DeepDiff(list(expected), list(actual), ignore_order=True)
    added = [v for v in dd.get("iterable_item_added", {}).values()]
    removed = [v for v in dd.get("iterable_item_removed", {}).values()]
    detail: dict[str, Any] = {}
    if added:
        detail["added"] = added
    if removed:
        detail["removed"] = removed
    return detail
