"""Which migrations are really applied, inferred from the schema itself.

The replay's effect log says, for every fact (an object's existence, or one of its attributes),
which migrations set it and to what, in order. Under a hypothesis P (the set of applied
migrations) a fact's predicted value is the value of its last setter in P. The search looks for
the P that agrees with the actual schema on the most facts, subject to P being closed under
dependencies (a migration that alters, drops or references what another created cannot be
applied without it). Toggling one migration only re-scores the facts it sets, so the search is
cheap even for thousands of migrations.

Per migration the verdict says how it was decided: ``observed`` (its own effects decide it),
``inferred-from-order`` (it has effects, but later applied migrations overwrote all of them, so
the applied migrations around it place it), or ``unobservable`` (no schema effect at all: data
only, an opaque goose ``.go`` migration). Nothing here does I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemadiff.diff import Difference, diff_catalogs
from schemadiff.errors import Diagnostic
from schemadiff.history import Replay, replay_migrations
from schemadiff.migration import Migration
from schemadiff.model import TABLE_LEVEL_KINDS, Catalog, Effect, Key, SchemaObject
from schemadiff.recorded import Recorded

_ABSENT = "<absent>"
_PRESENT = "<present>"
Fact = tuple[Key, str]  # (object, attribute); attribute "*" is the object's existence
Keep = Callable[[Key], bool]
Edges = dict[int, set[int]]  # migration index -> the migrations that build on it

if TYPE_CHECKING:
    import networkx as nx


@dataclass(slots=True)
class Verdict:
    """The inferred state of one migration."""

    migration: Migration
    status: str  # applied | pending | partial
    confidence: str  # observed | inferred-from-order | unobservable
    recorded: bool | None
    present: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    statements_present: list[int] = field(default_factory=list)
    statements_absent: list[int] = field(default_factory=list)

    def to_json(self, evidence_limit: int = 25) -> dict[str, Any]:
        m = self.migration
        out: dict[str, Any] = {
            "version": m.version,
            "name": m.description,
            "file": m.path,
            "status": self.status,
            "confidence": self.confidence,
            "recorded": self.recorded,
            "evidence": {
                "present": self.present[:evidence_limit],
                "absent": self.absent[:evidence_limit],
            },
        }
        if len(self.present) > evidence_limit or len(self.absent) > evidence_limit:
            out["evidence"]["total"] = {"present": len(self.present), "absent": len(self.absent)}
        if self.status == "partial":
            out["statements"] = {
                "present": self.statements_present,
                "absent": self.statements_absent,
            }
        return out


@dataclass(slots=True)
class Inference:
    """Everything ``schemadiff infer`` reports (the JSON contract of DESIGN §6)."""

    tool: str
    verdicts: list[Verdict]
    recorded: Recorded
    missing_from_history: list[str]
    recorded_not_applied: list[str]
    recorded_not_in_code: list[str]
    checksum_mismatch: list[str]
    drift: list[Difference]
    unmodeled: list[Diagnostic] = field(default_factory=list)  # both sides' (the caller's)

    @property
    def partial(self) -> list[str]:
        return [v.migration.version for v in self.verdicts if v.status == "partial"]

    @property
    def has_findings(self) -> bool:
        return bool(
            self.missing_from_history
            or self.recorded_not_applied
            or self.recorded_not_in_code
            or self.checksum_mismatch
            or self.drift
            or self.partial
        )

    def to_json(self) -> dict[str, Any]:
        counts: dict[str, int] = defaultdict(int)
        for v in self.verdicts:
            counts[v.status] += 1
        return {
            "tool": self.tool,
            "history": {
                "source": self.recorded.source,
                "table_exists": self.recorded.table_exists,
                "recorded": len(self.recorded.applied),
                "versions": list(self.recorded.applied),
                "notes": list(self.recorded.notes),
            },
            "migrations": [v.to_json() for v in self.verdicts],
            "missing_from_history": self.missing_from_history,
            "recorded_not_applied": self.recorded_not_applied,
            "recorded_not_in_code": self.recorded_not_in_code,
            "checksum_mismatch": self.checksum_mismatch,
            "partial": self.partial,
            "drift": [_drift_json(d) for d in self.drift],
            "unmodeled": [d.to_json() for d in self.unmodeled],
            "summary": {
                "migrations": len(self.verdicts),
                "applied": counts["applied"],
                "pending": counts["pending"],
                "partial": counts["partial"],
                "missing_from_history": len(self.missing_from_history),
                "recorded_not_applied": len(self.recorded_not_applied),
                "recorded_not_in_code": len(self.recorded_not_in_code),
                "checksum_mismatch": len(self.checksum_mismatch),
                "drift": len(self.drift),
            },
        }


def _drift_json(d: Difference) -> dict[str, Any]:
    out = d.to_json()
    return {
        "kind": out["kind"],
        "object": out["object"],
        "change": out["change"],
        "attribute": out["attribute"],
        "expected": out["expected"],
        "actual": out["actual"],
        "migration": out["migration"],
    }


# ------------------------------------------------------------------------------ facts


class _Overlay:
    """``applied`` with ``toggled`` added (or removed), answering only membership."""

    __slots__ = ("adding", "base", "toggled")

    def __init__(self, base: set[int], toggled: set[int], adding: bool) -> None:
        self.base, self.toggled, self.adding = base, toggled, adding

    def __contains__(self, mi: object) -> bool:
        return self.adding if mi in self.toggled else mi in self.base


def _record(raw: dict[Fact, list[tuple[int, Any, int]]], fact: Fact, mi: int, value: Any,
            line: int) -> None:
    setters = raw.setdefault(fact, [])
    if setters and setters[-1][0] == mi:
        setters[-1] = (mi, value, setters[-1][2])  # the migration's last word on this fact
    else:
        setters.append((mi, value, line))


@dataclass(slots=True)
class FactTable:
    """The expected side of inference: every fact, who sets it to what, and the dependencies.

    Facts are interned as integers: scoring runs hundreds of thousands of times, and hashing
    keys is what it would otherwise spend its time on. The table depends only on the replay's
    effect log, the migrations' order and the scope, so a run over unchanged migrations can
    load it instead of building it (see :mod:`schemadiff.inputs`).
    """

    names: list[Fact] = field(default_factory=list)
    setters: list[list[tuple[int, Any]]] = field(default_factory=list)
    exists_id: list[int] = field(default_factory=list)  # per fact: its key's existence fact
    by_migration: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    lines: dict[tuple[int, int], int] = field(default_factory=dict)
    key_facts: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))
    edges: Edges = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(
        cls, effects: Iterable[Effect], index: dict[str, int], keep: Keep | None = None
    ) -> FactTable:
        """The table of a replay's effects (``index``: version -> position in apply order)."""
        table = cls()
        ids: dict[Fact, int] = {}
        # Collect per fact first: an attribute that only its creating migration sets says
        # nothing existence does not, so only attributes set more than once become facts.
        # Only keys created more than once, or altered, can have such attributes: the others
        # (most of them) are never expanded into their attributes at all.
        effects = list(effects)
        table.edges = dependency_edges(effects, index)
        effects = [e for e in effects if e.migration in index and (keep is None or keep(e.key))]
        creates: dict[Key, int] = defaultdict(int)
        for e in effects:
            if e.attribute != "*":
                creates[e.key] += 2
            elif e.after is not None:
                creates[e.key] += 1
        raw: dict[Fact, list[tuple[int, Any, int]]] = {}
        for e in effects:
            mi = index[e.migration]
            line = getattr(e.location, "line", 0)
            if e.attribute == "*":
                _record(raw, (e.key, "*"), mi, _PRESENT if e.after is not None else _ABSENT, line)
                if e.after is not None and creates[e.key] > 1:
                    for attr, value in e.after.attributes().items():
                        _record(raw, (e.key, attr), mi, value, line)
            else:
                _record(raw, (e.key, e.attribute), mi, e.after, line)
        for fact, setters in raw.items():
            if fact[1] != "*" and len(setters) < 2:
                continue
            for mi, value, line in setters:
                table._add(ids, mi, fact, value, line)
        for fid, (key, _) in enumerate(table.names):
            table.key_facts[key].append(fid)
        return table

    def _id(self, ids: dict[Fact, int], fact: Fact) -> int:
        fid = ids.get(fact)
        if fid is None:
            fid = ids[fact] = len(self.names)
            self.names.append(fact)
            self.setters.append([])
            self.exists_id.append(-1)
            if fact[1] != "*":
                self.exists_id[fid] = self._id(ids, (fact[0], "*"))
        return fid

    def _add(self, ids: dict[Fact, int], mi: int, fact: Fact, value: Any, line: int) -> None:
        fid = self._id(ids, fact)
        setters = self.setters[fid]
        if setters and setters[-1][0] == mi:
            setters[-1] = (mi, value)  # the migration's last word on this fact
        else:
            setters.append((mi, value))
        self.by_migration[mi].add(fid)
        self.lines.setdefault((mi, fid), line)


class _Facts:
    """A fact table scored against the actual schema under hypotheses."""

    def __init__(self, table: FactTable, actual: Catalog) -> None:
        self.table = table
        self.names = table.names
        self.setters = table.setters
        self.exists_id = table.exists_id
        self.by_migration = table.by_migration
        self.lines = table.lines
        self.key_facts = table.key_facts
        self.actual = actual
        self.actual_values = [self._actual_value(f) for f in self.names]
        self._facts_cache: dict[int, set[int]] = {}
        # The current hypothesis and each fact's match under it: a toggle is scored against
        # these instead of matching every fact twice (once before, once after).
        self.applied: set[int] = set()
        self.current: list[int] = []
        self._scored: tuple[set[int], bool, list[tuple[int, int]]] | None = None

    def _actual_value(self, fact: Fact) -> Any:
        key, attr = fact
        obj = self.actual.objects.get(key)
        if attr == "*":
            return _PRESENT if obj is not None else _ABSENT
        # attribute names come from the same kind's attributes(): the key's kind fixes the class
        return getattr(obj, attr, None) if obj is not None else None

    def decides(self, fid: int, mi: int, applied: set[int]) -> bool:
        """Whether ``mi`` has the last word, among the applied ones, on the fact or on its
        object's existence (only then can adding or removing it change the fact's match)."""
        for fact in (fid, self.exists_id[fid]):
            if fact < 0:
                continue
            for setter, _ in reversed(self.setters[fact]):
                if setter == mi:
                    return True
                if setter in applied:
                    break
        return False

    def match(self, fid: int, applied: set[int] | _Overlay) -> int:
        """1 when the fact's value under ``applied`` (its last applied setter's, else absent)
        is the actual one; an attribute also needs its object on both sides. One loop per
        fact, no helper calls: this runs hundreds of thousands of times."""
        setters, actual = self.setters, self.actual_values
        ex = self.exists_id[fid]
        if ex >= 0:  # an attribute counts only where both sides have the object
            if actual[ex] != _PRESENT:
                return 0
            for mi, value in reversed(setters[ex]):
                if mi in applied:
                    if value != _PRESENT:
                        return 0
                    break
            else:
                return 0  # no applied migration creates it
        for mi, value in reversed(setters[fid]):
            if mi in applied:
                return int(value == actual[fid])
        return int((_ABSENT if ex < 0 else None) == actual[fid])

    def facts_of(self, migrations: Iterable[int]) -> set[int]:
        out: set[int] = set()
        for mi in migrations:
            out |= self._facts_of_one(mi)
        return out

    def _facts_of_one(self, mi: int) -> set[int]:
        cached = self._facts_cache.get(mi)
        if cached is None:
            cached = set(self.by_migration.get(mi, set()))
            # existence decides whether a key's attributes are scored: include them together
            for fid in [f for f in cached if self.exists_id[f] < 0]:
                cached.update(self.key_facts[self.names[fid][0]])
            self._facts_cache[mi] = cached
        return cached

    def migrations_sharing(self, migrations: set[int]) -> set[int]:
        """Migrations that set any fact the given ones set (whose scores a toggle can move)."""
        out: set[int] = set()
        for fid in self.facts_of(migrations):
            out.update(mi for mi, _ in self.setters[fid])
        return out

    def reset(self, applied: set[int]) -> None:
        """Make ``applied`` the current hypothesis and score every fact under it."""
        self.applied = applied
        self.current = [self.match(f, applied) for f in range(len(self.names))]
        self._scored = None

    def delta(self, toggled: set[int], adding: bool) -> int:
        """How many more facts match once ``toggled`` is added to (removed from) the current
        hypothesis."""
        after = _Overlay(self.applied, toggled, adding)  # no copy of the whole applied set
        match, current = self.match, self.current
        scored = [(f, match(f, after)) for f in self.facts_of(toggled)]
        self._scored = (toggled, adding, scored)
        return sum(m - current[f] for f, m in scored)

    def toggle(self, toggled: set[int], adding: bool) -> None:
        """Add (remove) ``toggled`` to the current hypothesis, rescoring only their facts."""
        if adding:
            self.applied |= toggled
        else:
            self.applied -= toggled
        last = self._scored
        if last is not None and last[0] is toggled and last[1] == adding:
            scored = last[2]  # what delta() just computed for this very toggle
        else:
            scored = [(f, self.match(f, self.applied)) for f in self.facts_of(toggled)]
        current = self.current
        for f, m in scored:
            current[f] = m
        self._scored = None


# ------------------------------------------------------------------------------ dependencies


def _parents(key: Key, obj: Any) -> list[Key]:
    """The objects an object builds on: its table, the table a foreign key references."""
    out = [key]
    if not isinstance(obj, SchemaObject):
        obj = None
    if key.kind in TABLE_LEVEL_KINDS:
        out.append(Key("table", key.schema, key.name))
    if key.kind == "index" and obj is not None:
        out.append(Key("table", key.schema, obj.table))
    ref = getattr(obj, "ref_table", None)
    if ref:
        schema, _, table = ref.partition(".")
        out.append(Key("table", schema, table))
    return out


def dependency_edges(effects: Iterable[Effect], index: dict[str, int]) -> Edges:
    """Edges Mi -> Mj when Mj changes, drops or references what Mi created or changed."""
    edges: Edges = defaultdict(set)
    last_touch: dict[Key, int] = {}
    for e in effects:
        mj = index.get(e.migration)
        if mj is None:
            continue
        obj = (e.after if e.after is not None else e.before) if e.attribute == "*" else None
        for parent in _parents(e.key, obj):
            mi = last_touch.get(parent)
            if mi is not None and mi != mj:
                edges[mi].add(mj)
        last_touch[e.key] = mj
    return edges


def dependency_graph(effects: Iterable[Effect], index: dict[str, int]) -> nx.DiGraph:
    """:func:`dependency_edges` as a networkx graph over every migration index."""
    return _graph(dependency_edges(effects, index), index.values())


def _graph(edges: Edges, nodes: Iterable[int]) -> nx.DiGraph:
    import networkx as nx  # ~100 ms to import: only once a search needs a closure

    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((a, b) for a, targets in edges.items() for b in targets)
    return graph


# ------------------------------------------------------------------------------ search


class _Closure(dict):  # type: ignore[type-arg]
    """Ancestors or descendants of a node, computed the first time they are asked for.

    The networkx graph itself is built on the first question: most searches never ask one.
    """

    def __init__(self, edges: Edges, nodes: list[int], direction: str) -> None:
        super().__init__()
        self.edges, self.nodes, self.direction = edges, nodes, direction
        self.graph: nx.DiGraph | None = None

    def __missing__(self, node: int) -> set[int]:
        if self.graph is None:
            self.graph = _graph(self.edges, self.nodes)
        import networkx as nx

        walk = nx.ancestors if self.direction == "ancestors" else nx.descendants
        value = self[node] = walk(self.graph, node)
        return value


def _search(facts: _Facts, edges: Edges, order: list[int]) -> set[int]:
    """The best-scoring set of applied migrations; ``facts`` is left scored under it."""
    ancestors = _Closure(edges, order, "ancestors")  # on demand: most toggles never need it
    descendants = _Closure(edges, order, "descendants")

    def add(mi: int, threshold: int) -> set[int]:
        toggled = {mi} | (ancestors[mi] - facts.applied)
        if facts.delta(toggled, adding=True) >= threshold:
            facts.toggle(toggled, adding=True)
            return toggled
        return set()

    def improve(dirty: set[int]) -> None:
        for _ in range(8):  # single toggles with their dependency closure
            changed: set[int] = set()
            for mi in order:
                if mi not in dirty:
                    continue
                adding = mi not in facts.applied
                # a toggle is only worth its closure when the migration's own facts favour it
                if facts.delta({mi}, adding=adding) <= 0:
                    continue
                if not adding:
                    toggled = {mi} | (descendants[mi] & facts.applied)
                    if facts.delta(toggled, adding=False) > 0:
                        facts.toggle(toggled, adding=False)
                        changed |= toggled
                else:
                    changed |= add(mi, 1)
            if not changed:
                return
            dirty = facts.migrations_sharing(changed)

    # Start from the best prefix (tools apply in order; most real states are a prefix with a
    # few deviations), scored incrementally in one pass.
    facts.reset(set())
    score = best = 0
    best_end = 0
    for mi in order:
        one = {mi}
        score += facts.delta(one, adding=True)
        facts.toggle(one, adding=True)
        if score > best:
            best, best_end = score, mi + 1
    if best_end < len(order):
        facts.reset(set(order[:best_end]))
    improve(set(order))
    # The order prior: tools apply in order, so a migration before the last applied one is
    # applied unless its own effects say otherwise (a drop-only migration proves nothing alone).
    last = max(facts.applied, default=-1)
    before = set(facts.applied)
    for mi in order[:last]:
        if mi not in facts.applied:
            add(mi, 0)
    if facts.applied != before:
        improve(facts.migrations_sharing(facts.applied - before))
    return facts.applied


def version_index(migrations: Iterable[Migration]) -> dict[str, int]:
    """version -> position in apply order (what a fact table numbers migrations by)."""
    return {m.version: i for i, m in enumerate(migrations)}


def _describe(fact: Fact) -> str:
    key, attr = fact
    return str(key) if attr == "*" else f"{key} {attr}"


def infer_applied(
    tool: str,
    migrations: Sequence[Migration],
    replay: Replay,
    actual: Catalog,
    recorded: Recorded,
    keep: Keep | None = None,
    *,
    replay_subset: Callable[[list[int]], Replay] | None = None,
    table: FactTable | None = None,
) -> Inference:
    """Infer which migrations are applied and compare with the recorded history.

    Args:
        tool: the migration tool's name.
        migrations: in apply order.
        replay: the replay of all of them (its effect log drives the inference).
        actual: the actual schema.
        recorded: what the history table says (``Recorded.none(tool)`` when unknown).
        keep: objects to consider (history tables and excluded schemas filtered out).
        replay_subset: the replay of the migrations at these indexes, for the drift of a
            state where not all are applied (default: parse and replay them again).
        table: ``FactTable.build(replay.effects, version_index(migrations), keep)``, when
            the caller has it already (from the cache).
    """
    migrations = list(migrations)
    order = list(range(len(migrations)))
    if table is None:
        table = FactTable.build(replay.effects, version_index(migrations), keep)
    facts = _Facts(table, actual)
    applied = _search(facts, table.edges, order)

    has_history = recorded.source != "none"
    rec = recorded.applied
    verdicts: list[Verdict] = []
    observed_applied = []
    for mi in order:
        own = facts.by_migration.get(mi, set())
        # one side of the comparison is the final hypothesis itself, already scored
        is_applied = mi in applied
        other = _Overlay(applied, {mi}, not is_applied)
        present, absent = [], []
        for f in own:
            if not facts.decides(f, mi, applied):
                continue  # a later applied migration has the last word either way
            gain = facts.match(f, other) - facts.current[f]
            if is_applied:
                gain = -gain
            if gain > 0:
                present.append(f)
            elif gain < 0:
                absent.append(f)
        m = migrations[mi]
        v = Verdict(
            m,
            "applied" if mi in applied else "pending",
            "observed",
            (m.version in rec) if has_history else None,
            sorted(_describe(facts.names[f]) for f in present),
            sorted(_describe(facts.names[f]) for f in absent),
        )
        if not own:
            v.confidence = "unobservable"
        elif not present and not absent:
            v.confidence = "inferred-from-order"
        elif present and absent and not m.in_transaction:
            v.status = "partial"
            lines_p = {facts.lines.get((mi, f), 0) for f in present}
            lines_a = {facts.lines.get((mi, f), 0) for f in absent}
            v.statements_present = sorted(lines_p - lines_a)
            v.statements_absent = sorted(lines_a)
        if v.confidence == "observed" and v.status != "pending":
            observed_applied.append(mi)
        verdicts.append(v)
    _place_by_order(verdicts, observed_applied, has_history)

    in_code = {m.version for m in migrations}
    unknown_recorded = [v for v in rec if v not in in_code]
    if unknown_recorded:
        # The database ran migrations this code does not have; one of them may have undone
        # what a recorded migration did, so absence alone does not refute the history.
        for v in verdicts:
            if v.status == "pending" and v.recorded and not v.present:
                v.status, v.confidence = "applied", "inferred-from-order"
    status = {v.migration.version: v.status for v in verdicts}
    missing = [
        v.migration.version
        for v in verdicts
        if has_history and v.status == "applied" and not v.recorded
    ]
    not_applied = [v for v in rec if v in status and status[v] == "pending"]
    not_in_code = unknown_recorded
    mismatch = [
        m.version
        for m in migrations
        if m.version in rec
        and rec[m.version].checksum
        and m.checksum
        and rec[m.version].checksum.lower() != m.checksum.lower()
    ]
    if replay_subset is None:

        def replay_subset(indexes: list[int]) -> Replay:
            return replay_migrations([migrations[i] for i in indexes])

    drift = _drift(verdicts, replay, replay_subset, actual, keep)
    return Inference(tool, verdicts, recorded, missing, not_applied, not_in_code, mismatch, drift)


def _place_by_order(
    verdicts: list[Verdict], observed_applied: list[int], has_history: bool
) -> None:
    """Migrations their own effects cannot decide take the state the order implies.

    Applied when an observed applied migration comes later (tools apply in order); otherwise
    pending, unless the history records it (the only remaining witness).
    """
    last_applied = max(observed_applied, default=-1)
    for i, v in enumerate(verdicts):
        if v.confidence == "observed":
            continue
        if i < last_applied or (has_history and v.recorded):
            v.status = "applied"
        else:
            v.status = "pending"


def _drift(
    verdicts: list[Verdict],
    full: Replay,
    replay_subset: Callable[[list[int]], Replay],
    actual: Catalog,
    keep: Keep | None,
) -> list[Difference]:
    """The differences that remain between the applied migrations' schema and the actual one.

    Effects of partial migrations are reported with those migrations, not as drift; an extra
    object that a pending migration would create is attributed to that migration.
    """
    chosen = [i for i, v in enumerate(verdicts) if v.status in ("applied", "partial")]
    partial = {v.migration.version for v in verdicts if v.status == "partial"}
    expected = full if len(chosen) == len(verdicts) else replay_subset(chosen)
    creators: dict[Key, str] = {}
    out = []
    for d in diff_catalogs(expected.catalog, actual, expected.effects, keep):
        if d.change == "extra" and not creators:
            for e in full.effects:
                if e.attribute == "*" and e.after is not None:
                    creators.setdefault(e.key, e.migration)
        migration = d.migration if d.change != "extra" else creators.get(d.key)
        if migration in partial:
            continue
        out.append(
            Difference(d.key, d.change, d.attribute, d.expected, d.actual, migration, d.detail)
        )
    return out
