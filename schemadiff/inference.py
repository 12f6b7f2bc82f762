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
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from schemadiff.choice import Choice
from schemadiff.differences import Change, Difference, decided_only, diff_catalogs
from schemadiff.errors import Diagnostic
from schemadiff.history import Replay, replay_migrations
from schemadiff.kinds import builds_on
from schemadiff.migration import Migration
from schemadiff.model import (
    Catalog,
    Effect,
    Key,
    Move,
    SchemaObject,
    effect_table,
    undecided_when_none,
)
from schemadiff.recorded import Recorded
from schemadiff.renames import Rename, find_renames, renamed_keys, undo_renames

_ABSENT = "<absent>"
_PRESENT = "<present>"
#: a setter's value when its statement renamed or moved the object: whatever the fact held
#: under the old key just before (:attr:`FactTable.carry`)
_CARRIED = "<carried>"
Fact = tuple[Key, str]  # (object, attribute); attribute "*" is the object's existence
Keep = Callable[[Key], bool]
Edges = dict[int, set[int]]  # migration index -> the migrations that build on it
#: Partial migrations whose absent statements are taken out before the later ones are judged
#: (past this many, the schema is too far from the history for the refinement to pay).
_MAX_PARTIAL = 20

if TYPE_CHECKING:
    import networkx as nx


class Status(Choice):
    """Whether a migration's schema changes are in the database."""

    APPLIED = "applied"
    PENDING = "pending"
    PARTIAL = "partial"  # some of its statements' effects present, some absent


class Confidence(Choice):
    """How a verdict was decided (see :class:`Verdict`)."""

    OBSERVED = "observed"
    DEPENDENCY = "inferred-from-dependency"
    ORDER = "inferred-from-order"
    UNOBSERVABLE = "unobservable"


class Pattern(Choice):
    """The shape of a partial migration's present statements (see :data:`PATTERNS`)."""

    PREFIX = "prefix"
    HOT_FIX = "hot-fix"
    SCATTERED = "scattered"


@dataclass(slots=True)
class Verdict:
    """The inferred state of one migration.

    ``proven`` says whether ``sync`` may act on the verdict without being told to: true when
    the migration's own statements decide it (``observed``) or when a migration they decide
    needs it, or needs what it lacks (``inferred-from-dependency``); false when only the order
    of the history or the history itself places it (``inferred-from-order``), when it leaves no
    trace in the schema (``unobservable``), or when its evidence sits only on objects renamed
    by hand. ``reason`` says why, in a few words, for every verdict that is not plainly
    observed.
    """

    migration: Migration
    status: Status
    confidence: Confidence
    recorded: bool | None
    present: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    statements_present: list[int] = field(default_factory=list)  # lines
    statements_absent: list[int] = field(default_factory=list)
    pattern: Pattern | None = None  # partial only
    proven: bool = True
    reason: str | None = None
    witness: str | None = None  # the version whose verdict placed this one (not observed)
    #: its effects are absent, unproven (another history explains that): the history's row
    #: alone does not place it applied
    seen_absent: bool = False
    #: what it does and what later ones do cancel out (:func:`_indistinguishable`): its
    #: status is the best hypothesis's (where the order placed the group), unproven, and
    #: neither dependencies nor the order move it
    held: bool = False


#: What a partial migration's pattern of present statements looks like.
PATTERNS = {
    Pattern.PREFIX: "its first statements are present and the rest absent: a run by hand "
    "that stopped midway",
    Pattern.HOT_FIX: "isolated statements are present and most are absent: statements run "
    "by hand",
    Pattern.SCATTERED: "most statements are present but some earlier ones are absent: "
    "applied, then changed by hand, or run piecemeal",
}


@dataclass(slots=True)
class Inference:
    """Everything ``schemadiff infer`` reports (as JSON: ``contract.infer_document``)."""

    tool: str
    verdicts: list[Verdict]
    recorded: Recorded
    missing_from_history: list[str]
    recorded_not_applied: list[str]
    recorded_not_in_code: list[str]
    checksum_mismatch: list[str]
    drift: list[Difference]
    unverified: list[str] = field(default_factory=list)
    unmodeled: list[Diagnostic] = field(default_factory=list)  # statements not modelled
    #: what ignore rules took out, per rule (schemadiff.ignore.Count)
    ignored: list[Any] = field(default_factory=list)
    #: versions an ignore rule names: never a finding, never synced
    ignored_versions: frozenset[str] = frozenset()

    @property
    def partial(self) -> list[str]:
        return [v.migration.version for v in self.verdicts
                if v.status == Status.PARTIAL and v.migration.version not in self.ignored_versions]

    @property
    def has_findings(self) -> bool:
        return bool(
            self.missing_from_history
            or self.recorded_not_applied
            or self.recorded_not_in_code
            or self.checksum_mismatch
            or any(d.key.kind != "runtime-partition" for d in self.drift)
            or self.partial
            or self.unverified
        )


# ------------------------------------------------------------------------------ facts


_NO_PRIOR = object()


class _Overlay:
    """``applied`` with ``toggled`` added (or removed), answering only membership."""

    __slots__ = ("adding", "base", "toggled")

    def __init__(self, base: set[int], toggled: set[int], adding: bool) -> None:
        self.base, self.toggled, self.adding = base, toggled, adding

    def __contains__(self, mi: object) -> bool:
        return self.adding if mi in self.toggled else mi in self.base


_Setter = tuple[int, Any, int, tuple[Any, ...], tuple[tuple[Any, int], ...]]


#: kinds of object that are planner tuning as a whole: neither their existence nor their
#: attributes are evidence (an operator adds and drops extended statistics by hand)
TUNING_KINDS = frozenset({"statistics"})


def _tuning(e: Effect, attribute: str) -> bool:
    """A storage parameter (a table's, its TOAST table's, an index's, a constraint's index's,
    a materialized view's ``fillfactor``, ``autovacuum_*``), the index a table is clustered
    on, its access method, a column's or an index key's statistics target, a column's
    storage, ``n_distinct``, compression or identity sequence options (``INCREMENT BY``,
    ``CACHE``, ...), a routine's ``COST`` and ``ROWS``, an extended statistics object's
    anything, a constraint's disabled internal triggers (a bulk load's ``DISABLE TRIGGER
    ALL``): compared by ``diff``, no evidence for inference, as operators tune them by hand
    and set them back: such a change is drift, not a migration unapplied."""
    if e.key.kind == "column":
        return attribute in ("statistics", "storage", "options", "compression",
                             "identity_options")
    if e.key.kind == "table" and attribute in ("clustered_on", "access_method"):
        return True
    if e.key.kind == "constraint":  # a bulk load's DISABLE TRIGGER ALL, set back by hand
        return attribute in ("index_options", "disabled_triggers")
    if e.key.kind == "index" and attribute == "statistics":
        return True
    if e.key.kind == "function":  # the planner's estimates of a routine
        return attribute in ("cost", "rows")
    if e.key.kind in TUNING_KINDS:
        return True
    obj = e.after if e.after is not None else e.before
    return attribute == "options" and (e.key.kind in ("table", "index")
                                       or getattr(obj, "materialized", False))


def _record(raw: dict[Fact, list[_Setter]], fact: Fact, mi: int, value: Any,
            statement: int) -> None:
    """One setter of a fact; within one migration only the last word counts, and the value an
    earlier statement of the same migration gave it is kept as the last word's prior, with
    that statement; every value the migration's statements gave it is kept too, in order."""
    setters = raw.setdefault(fact, [])
    if setters and setters[-1][0] == mi:
        _, before, st, _, seen = setters[-1]
        prior = ((before, st),) if st != statement and before != value else ()
        setters[-1] = (mi, value, statement, prior, (*seen, (value, statement)))
    else:
        setters.append((mi, value, statement, (), ((value, statement),)))



def _table_of(e: Effect) -> tuple[str, str] | None:
    """The (schema, table) an effect's object is on (:func:`effect_table`), a grant on a
    table or on one of its columns too: a table dropped, renamed or moved takes its grants
    along, those a skipped migration left on it as well."""
    if e.key.kind == "privilege":
        kind, _, name = e.key.name.partition(" ")
        if kind == "table":
            return (e.key.schema, name)
        if kind == "column":
            return (e.key.schema, name.partition(".")[0])
        return None
    return effect_table(e)


_REWRITE = object()  # the ``before`` of a rewrite in the merged stream of _with_rewrites


def _with_rewrites(effects: list[Effect], rewrites: Iterable[Effect], index: dict[str, int],
                   keep: Keep | None) -> list[Effect]:
    """``effects`` and the ``rewrites`` on what they touch, in statement order; a rewrite
    is marked by a ``before`` of :data:`_REWRITE`."""
    touched = {e.key for e in effects}
    extra = [replace(e, before=_REWRITE) for e in rewrites
             if e.key in touched and e.migration in index and (keep is None or keep(e.key))]
    if not extra:
        return effects
    return sorted([*effects, *extra], key=lambda e: e.index)


def _echo(seen: tuple[tuple[Any, int], ...]) -> int | None:
    """The first statement of a migration that gave a fact the value its last word gives it
    back, another value between (``INHERIT`` after ``NO INHERIT`` after ``CREATE TABLE ...
    INHERITS``): None when there is none."""
    last = seen[-1][0]
    for i, (value, st) in enumerate(seen[:-1]):
        if value == last and any(other != last for other, _ in seen[i + 1:-1]):
            return st
    return None


@dataclass(slots=True)
class FactTable:
    """The expected side of inference: every fact, who sets it to what, and the dependencies.

    Facts are interned as integers: scoring runs hundreds of thousands of times, and hashing
    keys is what it would otherwise spend its time on. The table depends only on the replay's
    effect log, the migrations' order and the scope, so a run over unchanged migrations can
    load it instead of building it (see :mod:`schemadiff.runtime.loader`).
    """

    names: list[Fact] = field(default_factory=list)
    setters: list[list[tuple[int, Any]]] = field(default_factory=list)
    exists_id: list[int] = field(default_factory=list)  # per fact: its key's existence fact
    by_migration: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # (migration, fact) -> the statement (replay index) that had the migration's last word
    statements: dict[tuple[int, int], int] = field(default_factory=dict)
    # (migration, fact) -> the value an earlier statement of the same migration gave it, and
    # that statement (a column created, then commented; a constraint dropped, then added
    # again): that value in the schema means that statement ran and the last word's did not
    priors: dict[tuple[int, int], tuple[Any, int]] = field(default_factory=dict)
    # (migration, fact) -> the earlier statement of the migration that gave the fact the value
    # the last word gives it back (see :func:`_echo`): that value in the schema shows that
    # one of them ran, not which (a run that stopped in between, or the last word by hand)
    echoes: dict[tuple[int, int], int] = field(default_factory=dict)
    lines: dict[int, int] = field(default_factory=dict)  # statement -> line in its file
    key_facts: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))
    edges: Edges = field(default_factory=lambda: defaultdict(set))
    #: the edges on what a migration created or dropped only: what the search moves together
    search_edges: Edges = field(default_factory=lambda: defaultdict(set))
    #: (migration, fact) whose value is :data:`_CARRIED` -> the same fact under the old key
    carry: dict[tuple[int, int], int] = field(default_factory=dict)
    #: a carried fact -> the migrations before its move that set it under an old key
    upstream: dict[int, set[int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, effects: Iterable[Effect], index: dict[str, int], keep: Keep | None = None,
        rewrites: Iterable[Effect] = (), moves: Iterable[Move] = (),
    ) -> FactTable:
        """The table of a replay's effects (``index``: version -> position in apply order).

        ``rewrites`` (:attr:`Replay.rewrites <schemadiff.history.Replay.rewrites>`): statements
        that set a fact to the value it already had. A later migration that does so is a
        setter too: where it ran, the fact holds its value whether or not the earlier setter
        ran, so the earlier one's own statements no longer prove it (``CREATE EXTENSION IF NOT
        EXISTS x`` in two migrations: the extension proves neither once the later one ran).

        ``moves`` (:attr:`Replay.moves <schemadiff.history.Replay.moves>`): objects renamed
        or moved. Under the new key, the move's word on a fact is :data:`_CARRIED`: the fact
        holds what it held under the old key just before, which depends on the hypothesis
        (a column a skipped migration added is not on the renamed table), so the migrations
        that set it there are setters of it too (:attr:`upstream`). A table renamed in its
        schema keeps its indexes under their own keys: its rename does not take them along
        the way a drop does.
        """
        table = cls()
        ids: dict[Fact, int] = {}
        # Collect per fact first: an attribute that only its creating migration sets says
        # nothing existence does not, so only attributes set more than once (by migrations,
        # or by two statements of one) become facts.
        # Only keys created more than once, or altered, can have such attributes: the others
        # (most of them) are never expanded into their attributes at all.
        effects = list(effects)
        moves = list(moves)
        table.edges = dependency_edges(effects, index, moves=moves)
        table.search_edges = dependency_edges(effects, index, made_only=True, moves=moves)
        renamed = {(m.migration, m.index, m.old): m.new for m in moves if not m.carried}
        handed = {(m.migration, m.index, m.new): m.old for m in moves}
        # (mover, fact under the new key) -> the fact under the old key
        carried: dict[tuple[int, Fact], Fact] = {}
        effects = [e for e in effects if e.migration in index and (keep is None or keep(e.key))]
        creates: dict[Key, int] = defaultdict(int)
        for e in effects:
            if e.attribute != "*":
                creates[e.key] += 2
            elif e.after is not None:
                creates[e.key] += 1
        raw: dict[Fact, list[_Setter]] = {}
        undecided: set[Fact] = set()  # a view's query a statement left undecided (None)
        # (schema, table) -> the existence facts of what was ever on that table (columns,
        # constraints, triggers, policies, indexes)
        on_table: dict[tuple[str, str], set[Fact]] = defaultdict(set)
        for e in _with_rewrites(effects, rewrites, index, keep):
            mi = index[e.migration]
            st = e.index
            if e.before is _REWRITE:
                fact = (e.key, e.attribute)
                setters = raw.get(fact)
                # only a fact an earlier migration set: a migration's word on what it set
                # itself, or on what nothing set before, tells nothing more; nor on an
                # attribute only the creation set (its object's existence says the same)
                if setters and setters[-1][0] != mi and (e.attribute == "*" or len(setters) > 1):
                    value = e.after
                    if e.attribute == "*":
                        value = _PRESENT if e.after is not None else _ABSENT
                    _record(raw, fact, mi, value, st)
                    if value is _ABSENT and e.key.kind == "table":  # and what was on it
                        for on in on_table.get((e.key.schema, e.key.name), ()):
                            if raw[on][-1][0] != mi:
                                _record(raw, on, mi, _ABSENT, st)
                continue
            table.lines[st] = getattr(e.location, "line", 0)
            if e.attribute == "*":
                old = handed.get((e.migration, st, e.key)) if e.after is not None else None
                if old is not None and (old, "*") in raw:
                    # renamed or moved: there if it was there under the old key
                    _record(raw, (e.key, "*"), mi, _CARRIED, st)
                    carried[(mi, (e.key, "*"))] = (old, "*")
                else:
                    old = None
                    _record(raw, (e.key, "*"), mi,
                            _PRESENT if e.after is not None else _ABSENT, st)
                if e.key.kind in TUNING_KINDS:
                    undecided.add((e.key, "*"))
                parent = _table_of(e)
                if parent is not None:
                    on_table[parent].add((e.key, "*"))
                elif e.after is None and e.key.kind == "table":
                    # a table dropped, renamed or moved takes along what is on it, also
                    # what a migration before this one dropped, which this replay never saw
                    # here: without that one, this one has the last word on it; but a table
                    # renamed in its schema keeps its indexes under their own keys
                    new = renamed.get((e.migration, st, e.key))
                    for fact in on_table.get((e.key.schema, e.key.name), ()):
                        if (new is not None and new.schema == e.key.schema
                                and fact[0].kind == "index"):
                            continue
                        if raw[fact][-1][0] != mi:
                            _record(raw, fact, mi, _ABSENT, st)
                if e.after is not None and (creates[e.key] > 1 or old is not None):
                    for attr, value in e.after.attributes().items():
                        if old is not None and (old, attr) in raw:
                            _record(raw, (e.key, attr), mi, _CARRIED, st)
                            carried[(mi, (e.key, attr))] = (old, attr)
                            continue
                        if creates[e.key] < 2:
                            continue
                        _record(raw, (e.key, attr), mi, value, st)
                        if (value is None and attr in undecided_when_none(e.key.kind)) \
                                or _tuning(e, attr):
                            undecided.add((e.key, attr))
            else:
                _record(raw, (e.key, e.attribute), mi, e.after, st)
                if (e.after is None and e.attribute in undecided_when_none(e.key.kind)) \
                        or _tuning(e, e.attribute):
                    undecided.add((e.key, e.attribute))
        keep_facts = {f for pair in carried.items() for f in (pair[0][1], pair[1])}
        for (_, fact), source in carried.items():  # undecided where its source is
            if source in undecided:
                undecided.add(fact)
        for fact, setters in raw.items():
            if (fact[1] != "*" and len(setters) < 2 and not setters[0][3]
                    and fact not in keep_facts):
                continue
            if fact in undecided:
                continue  # its value under some hypotheses is no value: no evidence either way
            for mi, value, st, prior, seen in setters:
                fid = table._add(ids, mi, fact, value, st)
                if prior:
                    table.priors[(mi, fid)] = prior[0]
                echo = _echo(seen) if len(seen) > 2 else None
                if echo is not None:
                    table.echoes[(mi, fid)] = echo
        for fid, (key, _) in enumerate(table.names):
            table.key_facts[key].append(fid)
        table._carry_over(ids, carried)
        return table

    def _carry_over(self, ids: dict[Fact, int], carried: dict[tuple[int, Fact], Fact]) -> None:
        """Link each carried fact to its source, and make the migrations that set the source
        before the move (through earlier moves too) setters of it for scoring and voting:
        toggling them can change it."""
        for (mi, fact), source in carried.items():
            if fact in ids and source in ids:
                self.carry[(mi, ids[fact])] = ids[source]
        for (mi, fid), _ in sorted(self.carry.items()):
            up = self.upstream.setdefault(fid, set())
            for m, st_fid in self._contributors(fid, mi):
                up.add(m)
                self.by_migration[m].add(fid)
                self.statements.setdefault((m, fid), self.statements[(m, st_fid)])

    def _contributors(self, fid: int, mover: int) -> list[tuple[int, int]]:
        """(migration, fact it set) for every setter the carried value of ``fid`` at
        ``mover`` may come from."""
        source = self.carry[(mover, fid)]
        out = []
        for m, value in self.setters[source]:
            if m == mover:
                value = self.own_word(source, mover, fid)
            if m > mover or value is _NO_PRIOR:
                continue
            out.append((m, source))
            if value == _CARRIED and (m, source) in self.carry:
                out += self._contributors(source, m)
        return out

    def carried_at(self, mover: int, fid: int) -> int:
        """The statement of ``mover`` that carried a value to ``fid`` (its last word, or the
        earlier statement a later one of its own undid: a move, then a move on)."""
        at = self.statements[(mover, fid)]
        prior = self.priors.get((mover, fid))
        if prior is not None and prior[0] == _CARRIED and any(
                m == mover and value != _CARRIED for m, value in self.setters[fid]):
            return prior[1]
        return at

    def own_word(self, source: int, mover: int, fid: int) -> Any:
        """What ``mover``'s own statements before the one that carried ``source`` to ``fid``
        set ``source`` to (:data:`_NO_PRIOR`: none; the value from before the migration is
        carried): a chain of moves within one migration (``SET SCHEMA s``, a rename, ``SET
        SCHEMA`` back) carries what the move before it carried."""
        at = self.carried_at(mover, fid)
        said = self.statements.get((mover, source))
        if said is not None and said < at:
            return next(value for m, value in reversed(self.setters[source]) if m == mover)
        prior = self.priors.get((mover, source))
        if prior is not None and prior[1] < at:
            return prior[0]
        return _NO_PRIOR

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

    def _add(self, ids: dict[Fact, int], mi: int, fact: Fact, value: Any, st: int) -> int:
        fid = self._id(ids, fact)
        setters = self.setters[fid]
        if setters and setters[-1][0] == mi:
            setters[-1] = (mi, value)  # the migration's last word on this fact
        else:
            setters.append((mi, value))
        self.by_migration[mi].add(fid)
        self.statements[(mi, fid)] = st
        return fid


class _AnyOf:
    """An actual value equal to each of several the migrations set (see
    :meth:`_Facts._equivalent_values`)."""

    __slots__ = ("values",)

    def __init__(self, values: list[Any]) -> None:
        self.values = values

    def __eq__(self, other: object) -> bool:
        return any(other == v for v in self.values)

    def __hash__(self) -> int:
        return hash(tuple(self.values))

    def __repr__(self) -> str:
        return " or ".join(map(repr, self.values))


class _Facts:
    """A fact table scored against the actual schema under hypotheses."""

    def __init__(self, table: FactTable, actual: Catalog) -> None:
        self.table = table
        self.names = table.names
        self.setters = table.setters
        self.exists_id = table.exists_id
        self.by_migration = table.by_migration
        self.statements = table.statements
        self.priors = table.priors
        self.echoes = table.echoes
        self.lines = table.lines
        self.key_facts = table.key_facts
        self.carry = table.carry
        #: per migration, the groups of migrations whose moves cancel out (see
        #: :func:`cancelling_moves`): set by the caller
        self.cancels: dict[int, list[frozenset[int]]] = {}
        #: the groups the search flips together (the moves: one alone moves what is not there)
        self.flips: list[frozenset[int]] = []
        self.actual = actual
        self.actual_values = [self._actual_value(f) for f in self.names]
        #: facts matched only through a word read once ('today'): they name no day
        self.weak: set[int] = set()
        self._equivalent_values()
        self._facts_cache: dict[int, set[int]] = {}
        # The current hypothesis and each fact's match under it: a toggle is scored against
        # these instead of matching every fact twice (once before, once after).
        self.applied: set[int] = set()
        self.current: list[int] = []
        self._scored: tuple[set[int], bool, list[tuple[int, int]]] | None = None

    def _equivalent_values(self) -> None:
        """An actual value that differs from every value the migrations set only in a form
        the schema explains (``'today'`` read as a date, a promotion cast over an integer
        function: :mod:`schemadiff.equivalence`) is taken as the value it is equivalent to."""
        same = None
        for fid, (key, attr) in enumerate(self.names):
            value = self.actual_values[fid]
            if attr == "*" or value is None or not isinstance(value, (str, tuple)):
                continue
            values = self._values(fid)
            if value in values:
                continue
            obj = self.actual.objects.get(key)
            if obj is None:
                continue
            if same is None:
                from schemadiff.equivalence import Equivalence, read_once

                same = Equivalence(self.actual)
            matches = [v for v in values if same(obj, attr, v, value)]
            if len(matches) == 1:
                self.actual_values[fid] = matches[0]
            elif matches:  # 'today' and 'yesterday' both read as this day: either matches
                self.actual_values[fid] = _AnyOf(matches)
            if matches and all(read_once(v) for v in matches):
                self.weak.add(fid)  # any past day matches: no proof of the migration

    def _values(self, fid: int, seen: set[int] | None = None) -> list[Any]:
        """Every value the migrations give the fact, through renames and moves too."""
        seen = seen if seen is not None else set()
        seen.add(fid)
        out = []
        for mi, value in self.setters[fid]:
            source = self.carry.get((mi, fid)) if value == _CARRIED else None
            if source is None:
                out.append(value)
            elif source not in seen:  # a rename back: its values are listed already
                out += self._values(source, seen)
        return out

    def carried(self, fid: int, mover: int, applied: set[int] | _Overlay) -> Any:
        """The value a rename or move by ``mover`` carried to ``fid``: its source's just
        before (an earlier statement of ``mover``'s, else the last applied setter's before
        it)."""
        source = self.carry.get((mover, fid))
        if source is None:
            return None
        for m, value in reversed(self.setters[source]):
            if m > mover:
                continue
            if m == mover:
                value = self.table.own_word(source, mover, fid)
                if value is _NO_PRIOR:
                    continue
            elif m not in applied:
                continue
            return self.carried(source, m, applied) if value == _CARRIED else value
        return _ABSENT if self.exists_id[source] < 0 else None

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
        return any(fact >= 0 and self._decides(fact, mi, applied)
                   for fact in (fid, self.exists_id[fid]))

    def _decides(self, fid: int, mi: int, applied: set[int], below: int | None = None,
                 target: int = -1) -> bool:
        for setter, value in reversed(self.setters[fid]):
            if below is not None and setter >= below:
                if setter > below:
                    continue
                value = self.table.own_word(fid, setter, target)
                if value is _NO_PRIOR:
                    continue
            if setter == mi:
                return True
            if setter in applied or setter == below:
                source = self.carry.get((setter, fid)) if value == _CARRIED else None
                return source is not None and self._decides(source, mi, applied, setter, fid)
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
                    if value == _CARRIED:
                        value = self.carried(ex, mi, applied)
                    if value != _PRESENT:
                        return 0
                    break
            else:
                return 0  # no applied migration creates it
        for mi, value in reversed(setters[fid]):
            if mi in applied:
                if value == _CARRIED:
                    value = self.carried(fid, mi, applied)
                return int(value == actual[fid])
        return int((_ABSENT if ex < 0 else None) == actual[fid])

    def stopped_before(self, fid: int, mi: int, without: set[int] | _Overlay,
                       skipped: set[tuple[int, int]] | None = None) -> int | None:
        """The earlier statement of ``mi`` whose value the schema holds (an attribute's on an
        object that exists, or an object's existence), not ``mi``'s last word: that statement
        ran and the one that set the last word did not (None when not so). Whole-migration
        hypotheses cannot see this (with ``mi`` or without it, the fact mismatches); a
        statement vote can. An object's existence counts only where the migrations before
        ``mi`` (``without``; a partial one's skipped last word leaves its prior) leave it
        otherwise: a view absent after a DROP that an earlier partial migration ran is no
        trace of a later migration that drops and creates it again."""
        prior = self.priors.get((mi, fid))
        if prior is None:
            return None
        value, statement = prior
        if value == _CARRIED:
            value = self.carried(fid, mi, without)
        if value != self.actual_values[fid]:
            return None
        ex = self.exists_id[fid]
        if ex >= 0:
            return statement if self.actual_values[ex] == _PRESENT else None
        return statement if self._value_before(fid, without, skipped or set()) != value else None

    def prior_value(self, mi: int, fid: int) -> Any:
        """The value an earlier statement of ``mi`` gave the fact (:data:`_NO_PRIOR`: none)."""
        prior = self.priors.get((mi, fid))
        return _NO_PRIOR if prior is None else prior[0]

    def _value_before(self, fid: int, without: set[int] | _Overlay,
                      skipped: set[tuple[int, int]]) -> Any:
        """The fact's value under ``without``, a partial migration's skipped last word
        leaving its prior."""
        for m, value in reversed(self.setters[fid]):
            if m not in without:
                continue
            if (m, fid) in skipped:
                prior = self.priors.get((m, fid))
                if prior is None:
                    continue
                return self.carried(fid, m, without) if prior[0] == _CARRIED else prior[0]
            return self.carried(fid, m, without) if value == _CARRIED else value
        return _ABSENT if self.exists_id[fid] < 0 else None

    def _value_skipping(self, fid: int, applied: set[int] | _Overlay,
                        skipped: set[tuple[int, int]]) -> Any:
        for mi, value in reversed(self.setters[fid]):
            if mi in applied and (mi, fid) not in skipped:
                return self.carried(fid, mi, applied) if value == _CARRIED else value
        return _ABSENT if self.exists_id[fid] < 0 else None

    def match_skipping(self, fid: int, applied: set[int] | _Overlay,
                       skipped: set[tuple[int, int]]) -> int:
        """:meth:`match`, with the facts of statements that did not run left out."""
        ex = self.exists_id[fid]
        if ex >= 0 and (
            self.actual_values[ex] != _PRESENT
            or self._value_skipping(ex, applied, skipped) != _PRESENT
        ):
            return 0
        return int(self._value_skipping(fid, applied, skipped) == self.actual_values[fid])

    def decides_skipping(self, fid: int, mi: int, applied: set[int],
                         skipped: set[tuple[int, int]]) -> bool:
        """:meth:`decides`, with the facts of statements that did not run left out."""
        for fact in (fid, self.exists_id[fid]):
            if fact < 0:
                continue
            for setter, value in reversed(self.setters[fact]):
                if setter == mi:
                    return True
                if setter in applied and (setter, fact) not in skipped:
                    source = self.carry.get((setter, fact)) if value == _CARRIED else None
                    if source is not None and self._decides(source, mi, applied, setter, fact):
                        return True
                    break
        return False

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
            out.update(self.table.upstream.get(fid, ()))
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
    """The object and what it builds on (:func:`schemadiff.kinds.builds_on`)."""
    return [key, *builds_on(key, obj if isinstance(obj, SchemaObject) else None)]


def dependency_edges(effects: Iterable[Effect], index: dict[str, int], made_only: bool = False,
                     moves: Iterable[Move] = ()) -> Edges:
    """Edges Mi -> Mj when Mj changes, drops or references what Mi created or changed.

    ``made_only``: only what Mi created or dropped, which Mj could not run without. The
    search moves a migration with those alone: ``ENABLE ROW LEVEL SECURITY`` on a table is
    not needed by a later ``RENAME CONSTRAINT`` on it, and taking it as needed kept an
    applied migration out of the hypothesis when the first was skipped. The proofs keep the
    edges on changes too (:func:`_follow_dependencies`): a migration whose every schema
    effect a later applied one changed again is recorded, which leaves the schema as it is,
    where running it again would undo the later one.

    On the object itself, a change builds on what made it and on the last change of the same
    attribute only: ``ENABLE ROW LEVEL SECURITY`` does not need an earlier ``COMMENT ON
    TABLE`` of the table (taken as needed, a skipped comment was proven applied by it); a
    drop or a re-creation builds on every earlier change.

    A rename or a move (``moves``) builds on what made the object it names, under whatever
    name, and on nothing else it touches: not on the changes of that object (a skipped
    ``COMMENT ON TABLE t`` is not needed by ``ALTER TABLE t RENAME TO u``), nor on what
    follows it (the table's columns and indexes, a view's text, a foreign key's target):
    taken as needed, a skipped ``CREATE INDEX`` on a table renamed later was proven applied.
    What the object had under its old key it keeps under the new one, for what comes
    after."""
    edges: Edges = defaultdict(set)
    last_touch: dict[Key, int] = {}
    made: dict[Key, int] = {}  # the last migration that created or dropped it
    last_set: dict[Key, dict[str, int]] = {}  # attribute -> the last migration that set it
    # a re-keyed object -> the migrations that made it under its earlier keys
    origin: dict[Key, set[int]] = {}
    renaming: dict[tuple[str, int], Key] = {}  # statement -> the old key it renames
    handed: dict[tuple[str, int, Key], Key] = {}  # statement and new key -> the old key
    for m in moves:
        handed[(m.migration, m.index, m.new)] = m.old
        if not m.carried:
            renaming[(m.migration, m.index)] = m.old
    kept: dict[Key, tuple[set[int], dict[str, int]]] = {}  # old key -> makers, setters
    for e in effects:
        mj = index.get(e.migration)
        if mj is None:
            continue
        obj = (e.after if e.after is not None else e.before) if e.attribute == "*" else None
        parents = _parents(e.key, obj)
        for parent in parents[1:]:
            mi = last_touch.get(parent)
            if mi is not None and mi != mj:
                edges[mi].add(mj)
        makers = {made.get(e.key), *origin.get(e.key, ())}
        named = renaming.get((e.migration, e.index)) if moves else None
        if named is not None:
            # a rename: only the object it names is needed, and only its making
            own = makers if e.key == named else set()
            if e.attribute == "*" and e.after is None:
                kept[e.key] = ({m for m in makers if m is not None},
                               dict(last_set.get(e.key, {})))
            old = handed.get((e.migration, e.index, e.key))
            if e.attribute == "*" and e.after is not None and old is not None:
                made_before, setters_before = kept.get(old, (set(), {}))
                origin[e.key] = made_before
                last_set[e.key] = dict(setters_before)
                made[e.key] = mj
                last_touch[e.key] = mj
                continue
        else:
            own = makers
        if not made_only:
            setters = last_set.setdefault(e.key, {})
            if e.attribute == "*":
                if named is None:
                    own.update(setters.values())
                setters.clear()
            else:
                if named is None:
                    own.add(setters.get(e.attribute))
                setters[e.attribute] = mj
        for mi in own:
            if mi is not None and mi != mj:
                edges[mi].add(mj)
        if e.attribute == "*":
            made[e.key] = mj
            origin.pop(e.key, None)
        if not made_only or e.attribute == "*":
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


def _search(
    facts: _Facts, edges: Edges, order: list[int], below: list[set[int]] | None = None
) -> set[int]:
    """The best-scoring set of applied migrations; ``facts`` is left scored under it.

    ``below`` (see :func:`declared_ancestors`) places migrations for the order prior when the
    tool declares a graph; None: the file order does.
    """
    ancestors = _Closure(edges, order, "ancestors")  # on demand: most toggles never need it
    descendants = _Closure(edges, order, "descendants")

    def add(mi: int, threshold: int) -> set[int]:
        toggled = {mi} | (ancestors[mi] - facts.applied)
        if facts.delta(toggled, adding=True) >= threshold:
            facts.toggle(toggled, adding=True)
            return toggled
        return set()

    # migrations whose moves cancel out (cancelling_moves): one alone never helps, as the
    # others then move what is not there
    groups = facts.flips

    def flip(group: frozenset[int]) -> set[int]:
        states = {m in facts.applied for m in group}
        if len(states) != 1:
            return set()
        if states.pop():
            toggled = set(group)
            for m in group:
                toggled |= descendants[m] & facts.applied
            if facts.delta(toggled, adding=False) > 0:
                facts.toggle(toggled, adding=False)
                return toggled
            return set()
        toggled = set(group)
        for m in group:
            toggled |= ancestors[m] - facts.applied
        if facts.delta(toggled, adding=True) > 0:
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
            for group in groups:
                if group & dirty:
                    changed |= flip(group)
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
    # The order prior: tools apply in order, so a migration before the last applied one (in
    # a graph: below an applied one) is applied unless its own effects say otherwise (a
    # drop-only migration proves nothing alone).
    before = set(facts.applied)
    for mi in _placed_below(before, order, below):
        if mi not in facts.applied:
            add(mi, 0)
    if facts.applied != before:
        improve(facts.migrations_sharing(facts.applied - before))
    return facts.applied


def _placed_below(
    applied: set[int], order: list[int], below: list[set[int]] | None
) -> list[int]:
    """The migrations the tool must have applied before ``applied``: every earlier one in
    file order, or, when the tool declares a graph, their declared ancestors."""
    if below is None:
        return order[: max(applied, default=-1)]
    under: set[int] = set()
    for mi in applied:
        under |= below[mi]
    return [mi for mi in order if mi in under]


def declared_ancestors(migrations: Sequence[Migration]) -> list[set[int]] | None:
    """Per migration (by index), the migrations its tool's declared graph puts before it,
    transitively (Alembic's ``down_revision``/``depends_on``, Django's ``dependencies``).

    None when no migration declares its prerequisites (the tool applies in file order).
    Readers list a graph's migrations in an order its edges respect; an edge to an unknown
    or later version is ignored here.
    """
    if all(m.requires is None for m in migrations):
        return None
    index = version_index(migrations)
    out: list[set[int]] = []
    for i, m in enumerate(migrations):
        ancestors: set[int] = set()
        for version in m.requires or ():
            j = index.get(version)
            if j is not None and j < i:
                ancestors.add(j)
                ancestors |= out[j]
        out.append(ancestors)
    return out


def version_index(migrations: Iterable[Migration]) -> dict[str, int]:
    """version -> position in apply order (what a fact table numbers migrations by)."""
    return {m.version: i for i, m in enumerate(migrations)}


def cancelling_moves(moves: Iterable[Move], index: dict[str, int]
                     ) -> dict[int, list[frozenset[int]]]:
    """Per migration, the groups of two or more migrations whose renames and moves of one
    object bring it back where it was (``t`` to ``u`` in one, ``u`` back to ``t`` in a later
    one; ``SET SCHEMA s`` and back; a rename, a move and a rename back): run all or none, they
    leave the same schema, so what they both decide tells neither apart. Only the statements
    that name the object count (what follows a renamed table comes along with it)."""
    named = sorted((m for m in moves if not m.carried and m.migration in index),
                   key=lambda m: m.index)
    out: dict[int, list[frozenset[int]]] = defaultdict(list)
    for i, m in enumerate(named):
        key, group = m.new, {index[m.migration]}
        for later in named[i + 1:]:
            if later.old != key:
                continue
            group.add(index[later.migration])
            key = later.new
            if key == m.old:
                if len(group) > 1:
                    for mi in group:
                        if frozenset(group) not in out[mi]:
                            out[mi].append(frozenset(group))
                break
    return dict(out)


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
        table: ``FactTable.build(replay.effects, version_index(migrations),
            decided_only(keep, replay.undecided))``, when the caller has it already (from
            the cache).
    """
    migrations = list(migrations)
    order = list(range(len(migrations)))
    keep = decided_only(keep, replay.undecided)
    if table is None:
        table = FactTable.build(replay.effects, version_index(migrations), keep,
                                replay.rewrites, replay.moves)
    # objects renamed by hand are seen under the names the migrations gave them
    renames = find_renames(replay.catalog, actual, replay.effects, keep)
    seen = undo_renames(actual, renames)
    moved = renamed_keys(replay.catalog, renames)
    facts = _Facts(table, seen)
    facts.cancels = cancelling_moves(replay.moves, version_index(migrations))
    facts.flips = sorted({g for gs in facts.cancels.values() for g in gs}, key=sorted)
    below = declared_ancestors(migrations)
    applied = _search(facts, table.search_edges, order, below)

    has_history = recorded.source != "none"
    rec = recorded.applied
    history = rec if has_history else None
    rerunnable = {
        i for i, m in enumerate(migrations)
        if m.version in replay.stats and replay.stats[m.version].rerunnable and not m.opaque
    }
    unmodeled = {i: replay.stats[m.version].unmodeled for i, m in enumerate(migrations)
                 if m.version in replay.stats and replay.stats[m.version].unmodeled}
    context = _Context(facts, migrations, history, moved, rerunnable, unmodeled,
                       _Closure(table.search_edges, order, "ancestors"))
    evidence = [_evidence(facts, mi, applied) for mi in order]
    verdicts = [_verdict(context, mi, applied, evidence[mi]) for mi in order]
    for _ in range(3):
        # the search keeps a migration its own statements prove absent where a later one's
        # drop needs what it made: judged with it in, that drop reads as run (the index a
        # skipped rename would have made is absent, as if the later DROP INDEX had run)
        refuted = {mi for mi in applied if _proven_pending(verdicts[mi])}
        if not refuted:
            break
        applied = applied - refuted
        facts.reset(applied)
        evidence = [_evidence(facts, mi, applied) for mi in order]
        verdicts = [_verdict(context, mi, applied, evidence[mi]) for mi in order]
    # What comes after a partial migration is judged with its absent statements not run,
    # one partial migration at a time, in order (a later one may only have looked partial)
    confirmed: set[int] = set()
    start = 0

    def skipped_of(partial: set[int]) -> set[tuple[int, int]]:
        return {
            (mp, f)
            for mp in partial
            for f in facts.by_migration.get(mp, ())
            if facts.statements[(mp, f)] in evidence[mp].statements_absent
        }

    while len(confirmed) < _MAX_PARTIAL:
        first = next((i for i in range(start, len(order)) if verdicts[i].status == Status.PARTIAL),
                     None)
        if first is None:
            break
        confirmed.add(first)
        # and what came before it, with its present statements run: they may have renamed or
        # dropped what an earlier one made, which then only looked partial
        resume = first + 1
        for mi in sorted(m for m in confirmed if m < first):
            ran = applied | (confirmed - {mi})
            ev = _evidence(facts, mi, ran, skipped_of(confirmed - {mi}))
            again = _verdict(context, mi, ran, ev)
            if again.status != Status.PARTIAL:
                evidence[mi], verdicts[mi] = ev, again
                confirmed.discard(mi)
                resume = min(resume, mi + 1)
        if resume <= first:  # one before it ran whole after all: judge it again too
            ran = applied | (confirmed - {first})
            evidence[first] = _evidence(facts, first, ran, skipped_of(confirmed - {first}))
            verdicts[first] = _verdict(context, first, ran, evidence[first])
            if verdicts[first].status != Status.PARTIAL:
                confirmed.discard(first)
        skipped = skipped_of(confirmed)
        ran = applied | confirmed
        for mi in range(resume, len(order)):
            if mi == first:
                continue
            evidence[mi] = _evidence(facts, mi, ran, skipped)
            verdicts[mi] = _verdict(context, mi, ran, evidence[mi])
        start = first + 1
    _overwritten_later(facts, verdicts, evidence, applied)
    _follow_dependencies(verdicts, table.edges)
    _place_by_order(verdicts, has_history, order, below)
    _transient_traces(verdicts, replay.effects, seen, keep)

    in_code = {m.version for m in migrations}
    # a failed attempt of a version this code lacks counts too: it ran part way (outside a
    # transaction, what it did stayed), and the tool refuses to go on while its row is there
    unknown_recorded = list(dict.fromkeys(
        v.version for v in recorded.versions if v.version not in in_code))
    if unknown_recorded:
        created = {e.key for e in replay.effects if e.attribute == "*" and e.after is not None}
        foreign = any(  # objects no migration of this code makes (nor the empty database)
            k not in created and k not in replay.catalog.objects and (keep is None or keep(k))
            for k in seen.objects
        )
        _maybe_undone(verdicts, foreign)
    if replay_subset is None:

        def replay_subset(indexes: list[int]) -> Replay:
            return replay_migrations([migrations[i] for i in indexes])

    drift = _drift(verdicts, replay, replay_subset, seen, keep,
                   {migrations[i].version for i in rerunnable})
    drift = [_renamed(r, replay) for r in renames] + drift
    _contradicted(verdicts, drift)
    status = {v.migration.version: v.status for v in verdicts}
    missing = [
        v.migration.version
        for v in verdicts
        if has_history and v.status == Status.APPLIED and not v.recorded and v.proven
    ]
    unverified = [
        v.migration.version
        for v in verdicts
        if has_history and v.status == Status.APPLIED and not v.recorded and not v.proven
    ]
    not_applied = [v for v in rec if v in status and status[v] == Status.PENDING]
    # a failed attempt's row (sqlx success = false, Flyway's failed row, Prisma's unfinished
    # one, golang-migrate's dirty row, Atlas's revision in error, goose's is_applied = false)
    # of a migration that is not applied: the tool refuses to run it, or anything, while that
    # row is there, so it is recorded and not applied too, and --prune removes it (proven) as
    # the tool's own repair would
    failed = [
        v.version for v in recorded.versions
        if not v.success and v.version not in rec and v.version not in not_applied
        and status.get(v.version) == Status.PENDING
    ]
    not_applied += failed
    for v in verdicts:
        if v.migration.version not in failed:
            continue
        stats = replay.stats.get(v.migration.version)
        if (not v.migration.in_transaction and stats is not None
                and stats.data + stats.unmodeled > 0):
            # outside a transaction, what ran before the failure stayed: its statements
            # without a schema trace (data changes) may have, and running it again repeats them
            v.proven = False
            v.reason = ("the history holds a failed attempt of it, run outside a transaction: "
                        "its statements that leave no schema trace (data changes) may have run "
                        "before it stopped, and the schema cannot tell")
        elif v.reason is None:
            v.reason = ("the history holds a failed or rolled-back attempt of it (a row that "
                        "is not an applied one): the tool will not run it while that row is "
                        "there")
    mismatch = [
        m.version
        for m in migrations
        if m.version in rec
        and rec[m.version].checksum
        and m.checksum
        and rec[m.version].checksum.lower() != m.checksum.lower()
    ]
    return Inference(
        tool, verdicts, recorded, missing, not_applied, unknown_recorded, mismatch, drift,
        unverified, list(replay.diagnostics),
    )


@dataclass(slots=True)
class _Evidence:
    """What one migration's own statements say: facts and statements that match the schema
    better with it applied (present) or without it (absent)."""

    present: list[int] = field(default_factory=list)  # fact ids
    absent: list[int] = field(default_factory=list)
    statements_present: list[int] = field(default_factory=list)  # replay statement indexes
    statements_absent: list[int] = field(default_factory=list)
    #: the migrations (this one among them) whose moves cancel out, all run or none, which
    #: the schema cannot tell apart (see :func:`_indistinguishable`): no evidence at all
    cancelled: frozenset[int] | None = None


def _indistinguishable(facts: _Facts, group: frozenset[int], applied: set[int],
                       skipped: set[tuple[int, int]] | None) -> bool:
    """Whether the migrations of ``group`` (:func:`cancelling_moves`) are all in one state
    under ``applied`` and every fact they set matches the schema as well with all of them
    flipped: run all or none, the schema is the same. A fact one of them sets otherwise (a
    column the move back also adds) tells the two apart."""
    states = {m in applied for m in group}
    if len(states) != 1:
        return False
    flipped = _Overlay(applied, set(group), not states.pop())
    for f in facts.facts_of(group):
        if skipped:
            same = (facts.match_skipping(f, flipped, skipped)
                    == facts.match_skipping(f, applied, skipped))
        else:
            same = facts.match(f, flipped) == facts.current[f]
        if not same:
            return False
    return True


def _evidence(
    facts: _Facts, mi: int, applied: set[int], skipped: set[tuple[int, int]] | None = None
) -> _Evidence:
    """Each statement votes once: present when more of the facts it decides match the schema
    with the migration applied than without, absent when fewer (an index's nine attributes
    do not outvote a table). ``skipped``: (migration, fact) pairs set by statements that did
    not run (the absent statements of partial migrations), judged as if never set.

    A fact an earlier statement set and the last word set back (a view dropped, then created
    again) votes through its earlier statement: present when the schema holds that
    statement's value; absent when it holds the value from before the migration while the
    last word's statement is absent (had the earlier one run, nothing would have undone it)."""
    is_applied = mi in applied
    for group in facts.cancels.get(mi, ()):
        if _indistinguishable(facts, group, applied, skipped):
            return _Evidence(cancelled=group)
    other = _Overlay(applied, {mi}, not is_applied)
    votes: dict[int, list[int]] = {}
    undone: list[tuple[int, int]] = []  # (earlier statement, the last word's)
    out = _Evidence()
    for f in facts.by_migration.get(mi, ()):
        if skipped:
            if not facts.decides_skipping(f, mi, applied, skipped):
                continue
            held = facts.match_skipping(f, applied, skipped)
            gain = facts.match_skipping(f, other, skipped) - held
        else:
            if not facts.decides(f, mi, applied):
                continue  # a later applied migration has the last word either way
            held = facts.current[f]
            gain = facts.match(f, other) - held
        if is_applied:
            gain = -gain
        if gain == 0:
            earlier = facts.stopped_before(f, mi, other if is_applied else applied, skipped)
            if earlier is None:
                if held and (mi, f) in facts.priors:
                    undone.append((facts.priors[(mi, f)][1], facts.statements[(mi, f)]))
                continue
            votes.setdefault(earlier, [0, 0])[0] += 1  # it ran: the schema holds its value
            gain = -1
        vote = votes.setdefault(facts.statements[(mi, f)], [0, 0])
        if gain > 0:
            out.present.append(f)
            if (mi, f) in facts.echoes:
                # the value is also what an earlier statement gave it: either ran (a run
                # that stopped in between, or the last word run by hand), no vote
                continue
            vote[0] += 1
        else:
            out.absent.append(f)
            vote[1] += 1
    for earlier, last in undone:
        if last in votes and votes[last][1] > votes[last][0]:
            votes.setdefault(earlier, [0, 0])[1] += 1
    out.statements_present = sorted(st for st, (p, a) in votes.items() if p > a)
    out.statements_absent = sorted(st for st, (p, a) in votes.items() if a > p)
    return out


def _ran_after(ctx: _Context, mi: int, absent: list[int], applied: set[int]) -> int | None:
    """An earlier applied migration that ``mi`` does not need, whose values stand on every
    fact ``mi``'s absent statements decide, when the history records neither (or there is
    none): the tool may have run it after ``mi`` (goose ``-allow-missing``, dbmate's
    default, Flyway's ``outOfOrder``, a branch merged late), which leaves the schema as
    ``mi`` never run does. None when there is no such migration."""
    facts, migrations = ctx.facts, ctx.migrations
    found: int | None = None
    for f in absent:
        earlier = [(s, value) for s, value in facts.setters[f] if s < mi and s in applied]
        if not earlier or earlier[-1][1] != facts.actual_values[f]:
            return None
        s = earlier[-1][0]
        if ((ctx.recorded is not None and migrations[s].version in ctx.recorded)
                or s in ctx.needs[mi]):
            return None
        found = s
    return found


def _stopped_later(ctx: _Context, mi: int, absent: list[int], applied: set[int]) -> int | None:
    """A later migration, run outside a transaction and not recorded, whose first
    statements set every fact ``mi``'s absent statements decide to the value the schema
    holds (``DROP INDEX IF EXISTS x; CREATE INDEX x ...`` stopped after the drop, over the
    index ``mi`` created), when ``mi`` itself runs in one: its tool ran ``mi`` whole and
    that later migration stopped midway, which the schema shows as plainly as ``mi`` run
    in part by hand, and a tool's stop is the likelier. Recording ``mi`` is safe either
    way: that later one is not applied, and run whole it sets those facts again; but the
    schema does not prove it, so the verdict is unproven. None when there is no such
    migration."""
    facts, migrations = ctx.facts, ctx.migrations
    if not migrations[mi].in_transaction or not absent:
        return None
    found: int | None = None
    for f in absent:
        actual = facts.actual_values[f]
        later = [s for s, _ in facts.setters[f]
                 if s > mi and s not in applied and not migrations[s].in_transaction
                 and (ctx.recorded is None or migrations[s].version not in ctx.recorded)
                 and facts.prior_value(s, f) == actual]
        if not later or (found is not None and later[0] != found):
            return None
        found = later[0]
    return found


@dataclass(slots=True)
class _Context:
    """What every verdict is judged against, besides the hypothesis."""

    facts: _Facts
    migrations: list[Migration]
    recorded: dict[str, Any] | None  # None: the history is unknown
    moved: Callable[[Key], bool]  # evidence on an object renamed by hand
    rerunnable: set[int]  # migrations that can run twice (sql.ops.rerunnable)
    unmodeled: dict[int, int]  # statements the replay could not model, per migration
    #: a migration -> the migrations it cannot run without (what made what it changes)
    needs: _Closure  # ancestors over the search's edges, on demand


def _verdict(ctx: _Context, mi: int, applied: set[int], ev: _Evidence) -> Verdict:
    """One migration's verdict from its own statements' evidence.

    Some statements present and some absent is ``partial``, whatever the transaction mode: a
    transactional file run by hand can stop midway, and a statement can be hot-fixed by
    hand. Only a transactional migration the history records was run whole by the tool: its
    absent statements are drift.
    """
    facts, migrations = ctx.facts, ctx.migrations
    m = migrations[mi]
    present, absent = ev.present, ev.absent
    st_present, st_absent = ev.statements_present, ev.statements_absent
    was_recorded = None if ctx.recorded is None else m.version in ctx.recorded
    v = Verdict(
        m,
        Status.PENDING,
        Confidence.OBSERVED,
        was_recorded,
        sorted(_describe(facts.names[f]) for f in present),
        sorted(_describe(facts.names[f]) for f in absent),
    )
    # recorded, or no history to say either way: a re-run of an earlier migration explains
    # the absence as well as this one never running
    undone_by = (
        _undone_by(facts, mi, absent, applied, ctx.rerunnable)
        if (was_recorded or ctx.recorded is None) and absent else None
    )
    # not recorded, nor is the earlier one whose values stand where its effects would be:
    # that one may have run after it (out of order), which the schema shows as plainly
    late = (_ran_after(ctx, mi, absent, applied)
            if undone_by is None and absent and not was_recorded else None)
    stopper: int | None = None  # a later migration that stopped midway (_stopped_later)
    if not facts.by_migration.get(mi):
        v.confidence, v.proven, v.reason = Confidence.UNOBSERVABLE, False, "no schema effect"
        if ctx.unmodeled.get(mi):
            v.reason = (f"no schema effect the replay could model ({ctx.unmodeled[mi]} "
                        "statement(s) unmodeled)")
    elif undone_by is not None and not st_present:
        # the schema holds what an earlier migration set: it never ran, or that one ran again
        # after it (a failed `goose up` re-running an idempotent file, a statement of it run
        # again by hand); the history says it ran, or there is none to say it did not
        v.confidence, v.proven = Confidence.ORDER, False
        v.witness = migrations[undone_by].version
        v.reason = f"its effects are absent, and the schema holds what {v.witness} set before it"
        if ctx.recorded is None:
            v.reason += f": it never ran, or {v.witness} ran again after it"
    elif late is not None and not st_present:
        v.confidence, v.proven = Confidence.ORDER, False
        v.witness = migrations[late].version
        v.reason = (f"its effects are absent, and the schema holds what {v.witness} set before "
                    f"it: it never ran, or {v.witness} ran after it (out of order), and the "
                    "history records neither")
    elif ev.cancelled is not None:
        v.confidence, v.proven = Confidence.ORDER, False
        others = ", ".join(migrations[g].version for g in sorted(ev.cancelled) if g != mi)
        v.reason = (f"its renames or moves and those of {others} cancel out: run all or none, "
                    "the schema is the same")
        # placed not run: a history row alone does not place it (the old image of a
        # database whose history records every version reads the same)
        v.seen_absent = mi not in applied
        v.held = True
        if mi in applied:
            v.status = Status.APPLIED
    elif not st_present and not st_absent:
        v.confidence, v.proven = Confidence.ORDER, False
        v.reason = "its effects are all overwritten, or set again, by later migrations"
    elif (st_present and st_absent and not (was_recorded and m.in_transaction)
          and (stopper := _stopped_later(ctx, mi, absent, applied)) is None):
        v.status = Status.PARTIAL
        v.statements_present = sorted({facts.lines.get(st, 0) for st in st_present})
        v.statements_absent = sorted({facts.lines.get(st, 0) for st in st_absent})
        v.pattern = _pattern(st_present, st_absent)
        if late is not None:  # or it ran whole, and that one ran after it
            v.proven = False
            v.witness = migrations[late].version
            v.reason = (f"what is absent holds what {v.witness} set before it: it stopped "
                        f"midway, or it ran whole and {v.witness} ran after it (out of order), "
                        "and the history records neither")
    elif st_present:
        v.status = Status.APPLIED
        if st_absent and was_recorded and m.in_transaction:
            v.reason = "recorded, and its tool runs it whole: what is absent is drift"
        elif st_absent and stopper is not None:
            # as plain in the schema: this one run in part by hand and the later one never
            # run, so the verdict is the likelier explanation, unproven
            later = migrations[stopper].version
            v.proven = False
            v.reason = (f"its tool runs it whole; what is absent is what {later}'s first "
                        f"statements set, and {later} runs outside a transaction: it likely "
                        "stopped after them (or this one was run in part by hand)")
    evidence = present + absent
    on_renamed = evidence and all(ctx.moved(facts.names[f][0]) for f in evidence)
    if v.confidence == Confidence.OBSERVED and on_renamed:
        v.proven = False
        v.reason = "its evidence is on objects renamed by hand"
    elif v.confidence == Confidence.OBSERVED and present and all(f in facts.weak for f in present):
        # 'today' is stored as the day it was read: a day set by hand would match it as well
        v.proven = False
        v.reason = ("its only trace is a 'today'-like word, stored as the day it was read: "
                    "any past day matches it")
    return v


def _overwritten_later(
    facts: _Facts, verdicts: list[Verdict], evidence: list[_Evidence], applied: set[int]
) -> None:
    """A migration whose absent effects all hold what a later migration sets (``SET DEFAULT
    'a'`` after ``'b'``, a function's body back to an earlier one, an index it creates
    dropped) is not proven absent when that later one may have run after it (by hand, out of
    order) and put the value there: only a later migration its own statements prove absent
    rules that out. Nor is one whose absent effects hold what its own first statements set
    (it drops an index and creates it again; the index is absent): it may have stopped
    after them. Such a verdict is unproven, and a history row alone does not make it
    applied: recorded, it is reported as not applied but never pruned."""
    for mi in range(len(verdicts) - 1, -1, -1):
        v, ev = verdicts[mi], evidence[mi]
        if v.status == Status.PARTIAL and v.proven:
            if ev.present:
                _made_later(facts, verdicts, ev, mi, applied)
            if v.proven and ev.absent:
                _taken_later(facts, verdicts, evidence, mi, applied)
            continue
        if not (_proven_pending(v) and ev.absent and not ev.present):
            continue
        witness = mi
        for f in ev.absent:
            actual = facts.actual_values[f]
            if facts.prior_value(mi, f) == actual:
                continue
            later = _set_later(facts, verdicts, f, mi, applied)
            if not later:
                break
            witness = max(witness, later[0])
        else:
            v.confidence, v.proven, v.seen_absent = Confidence.ORDER, False, True
            if witness == mi:
                v.reason = ("its effects are absent, but the schema holds what its own first "
                            "statements set: it may have stopped after them")
            else:
                v.witness = verdicts[witness].migration.version
                v.reason = (f"its effects are absent, but the schema holds what {v.witness} "
                            "sets after it, which may have run after it")


def _set_later(facts: _Facts, verdicts: list[Verdict], f: int, mi: int, applied: set[int],
               evidence: list[_Evidence] | None = None) -> list[int]:
    """The migrations after ``mi``, not applied and not proven absent, that set fact ``f`` to
    the value the schema holds (their last word, or an earlier statement's). With
    ``evidence``, one proven absent counts too where the statement that sets it comes before
    every statement of its own that is absent: it may have stopped after that one."""
    actual = facts.actual_values[f]
    out = []
    for s, value in facts.setters[f]:
        if s <= mi or s in applied:
            continue
        prior = facts.priors.get((s, f))
        if actual == value:
            statement = facts.statements.get((s, f))
        elif prior is not None and actual == prior[0]:
            statement = prior[1]
        else:
            continue
        if _proven_pending(verdicts[s]) and not (
                evidence is not None and statement is not None
                and evidence[s].statements_absent
                and statement < min(evidence[s].statements_absent)):
            continue
        out.append(s)
    return out


def _made_later(facts: _Facts, verdicts: list[Verdict], ev: _Evidence, mi: int,
                applied: set[int]) -> None:
    """A partial migration whose present statements' effects all hold what a later
    migration sets again (``CREATE TABLE c; CREATE OR REPLACE FUNCTION f`` and, later,
    ``CREATE OR REPLACE FUNCTION f`` once more; the table absent) may as well never have
    run, the later one making what the schema holds: the verdict is unproven, unless that
    later one's own statements prove it absent. A present statement that shows only through
    an earlier value of its own (:meth:`_Facts.stopped_before`) is not so explained."""
    explained = {facts.statements[(mi, f)] for f in ev.present}
    if not set(ev.statements_present) <= explained:
        return
    witness = -1
    for f in ev.present:
        later = _set_later(facts, verdicts, f, mi, applied)
        if not later:
            return
        witness = max(witness, later[0])
    v = verdicts[mi]
    v.proven = False
    v.witness = verdicts[witness].migration.version
    v.reason = (f"what its present statements make, {v.witness} makes again after it: it may "
                f"never have run, and {v.witness} made it")


def _taken_later(facts: _Facts, verdicts: list[Verdict], evidence: list[_Evidence], mi: int,
                 applied: set[int]) -> None:
    """A partial migration whose absent statements' effects all hold what a later migration
    sets (``CREATE TYPE t; CREATE TABLE x`` and, later, ``DROP TABLE x``; the table absent)
    may as well have run whole, and that later one after it: the schema holds the same
    either way, so the verdict is unproven (``--complete-partial`` would make again what the
    later one dropped), unless that later one's own statements prove it absent, all those
    before the one that sets it too (``DROP VIEW v`` first, the rest absent: it may have
    stopped after its drop)."""
    ev = evidence[mi]
    witness = -1
    stopped: set[int] = set()
    for f in ev.absent:
        later = _set_later(facts, verdicts, f, mi, applied, evidence)
        if not later:
            return
        witness = max(witness, later[0])
        stopped.update(s for s in later if _proven_pending(verdicts[s]))
    for s in stopped:  # the same schema: this one whole, and that one stopped after its drop
        w = verdicts[s]
        w.proven, w.seen_absent = False, True
        w.reason = (f"its statements are absent but its first ones, which take away what "
                    f"{verdicts[mi].migration.version} makes: they may have run, that one "
                    "whole before them")
    v = verdicts[mi]
    v.proven = False
    v.witness = verdicts[witness].migration.version
    v.reason = (f"what its absent statements make is what {v.witness} takes away after it: it "
                f"may have run whole, and {v.witness} after it")


def _proven_pending(v: Verdict) -> bool:
    return v.status == Status.PENDING and v.confidence == Confidence.OBSERVED and v.proven


def _undone_by(
    facts: _Facts, mi: int, absent: list[int], applied: set[int], rerunnable: set[int]
) -> int | None:
    """The earlier applied migration whose values stand where ``mi``'s absent facts would be,
    when every absent fact is such a value and that migration could run again (None when a
    fact is simply missing, or only a migration that cannot run twice set it)."""
    witness = None
    for f in absent:
        earlier = [s for s, _ in facts.setters[f] if s < mi and s in applied]
        key, attr = facts.names[f]
        if attr == "*" and facts.actual_values[f] == _PRESENT:
            # ``mi`` dropped an object that is there: a re-run of an earlier migration that
            # wrote it (``CREATE OR REPLACE``, to the values the schema holds) re-creates it,
            # although its replay set only attributes of an object that already existed
            earlier = sorted({*earlier, *(
                s for g in facts.key_facts.get(key, ()) if g != f
                for s, value in facts.setters[g]
                if s < mi and s in applied and value == facts.actual_values[g]
            )})
        if not earlier or earlier[-1] not in rerunnable:
            return None
        witness = earlier[-1]
    return witness


def _pattern(present: list[int], absent: list[int]) -> str:
    """A partial migration's shape (statement positions): see :data:`PATTERNS`."""
    if max(present) < min(absent):
        return Pattern.PREFIX
    return Pattern.HOT_FIX if len(present) <= len(absent) else Pattern.SCATTERED


def _reach(edges: Edges, starts: Iterable[int]) -> dict[int, int]:
    """Every node reachable from ``starts`` (not the starts themselves), with the start it
    was reached from."""
    out: dict[int, int] = {}
    for start in starts:
        stack = [start]
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in out and nxt != start:
                    out[nxt] = start
                    stack.append(nxt)
    return out


def _follow_dependencies(verdicts: list[Verdict], edges: Edges) -> None:
    """Verdicts the dependency edges prove: what an applied migration builds on is applied;
    what builds on a migration that is not applied is not applied (a recorded row for it is
    a phantom). Evidence both ways is a contradiction, left to the order and said so."""
    reverse: Edges = defaultdict(set)
    for a, targets in edges.items():
        for b in targets:
            reverse[b].add(a)

    def decided(status: str) -> list[int]:
        return [
            i for i, v in enumerate(verdicts)
            if v.confidence == Confidence.OBSERVED and v.proven and v.status == status
        ]

    needed = _reach(reverse, decided(Status.APPLIED))  # ancestors of applied ones
    blocked = _reach(edges, decided(Status.PENDING))  # descendants of pending ones
    for i, v in enumerate(verdicts):
        if (v.confidence == Confidence.OBSERVED or v.held
                or (i not in needed and i not in blocked)):
            continue
        if i in needed and i in blocked:
            v.reason = "contradicting evidence: " + v.reason if v.reason else "contradicting"
            continue
        v.confidence, v.proven = Confidence.DEPENDENCY, True
        if i in needed:
            v.status = Status.APPLIED
            v.witness = verdicts[needed[i]].migration.version
            v.reason = f"{v.witness} builds on it and is applied"
        else:
            v.status = Status.PENDING
            v.witness = verdicts[blocked[i]].migration.version
            v.reason = f"it builds on {v.witness}, not applied"


def _place_by_order(
    verdicts: list[Verdict], has_history: bool, order: list[int], below: list[set[int]] | None
) -> None:
    """Migrations neither their own effects nor dependencies decide take the state the order
    implies: applied when an applied migration comes later (tools apply in order; in a
    declared graph, when an applied migration depends on it), otherwise pending, unless the
    history records it (the only remaining witness). Unproven either way.
    """
    ran = {
        i for i, v in enumerate(verdicts)
        if v.proven and v.status in (Status.APPLIED, Status.PARTIAL)
    }
    placed = set(_placed_below(ran, order, below))
    refuted = False  # a recorded migration so far that the schema proves not applied
    for i, v in enumerate(verdicts):
        if v.confidence in (Confidence.OBSERVED, Confidence.DEPENDENCY):
            refuted = refuted or (bool(v.recorded) and v.proven and v.status == Status.PENDING)
            continue
        if v.held:
            continue  # where the best hypothesis, the order prior in it, placed it
        why = v.reason + "; " if v.reason else ""
        if i in placed:
            v.status = Status.APPLIED
            later = [j for j in ran if j > i and (below is None or i in below[j])]
            v.witness = verdicts[min(later)].migration.version if later else None
            v.reason = why + "placed by the applied ones after it"
        elif has_history and v.recorded and not refuted and not v.seen_absent:
            v.status = Status.APPLIED
            v.reason = why + "recorded in the history"
        else:
            v.status = Status.PENDING
            if v.recorded and not v.seen_absent:
                v.reason = why + "recorded, but so are earlier migrations the schema refutes"


def _transient_traces(verdicts: list[Verdict], effects: Iterable[Effect], actual: Catalog,
                      keep: Keep | None) -> None:
    """A migration judged pending is not proven so when the schema holds an object that one
    of its statements made and a later one of its own moved or dropped (``CREATE DOMAIN d``
    then ``ALTER DOMAIN d SET SCHEMA s``), and that no other migration makes: the net effects
    the verdict weighs cannot show that statement run on its own (by hand, or a run stopped
    midway)."""
    made: dict[str, dict[Key, bool]] = {}  # version -> key -> still there after it
    elsewhere: dict[Key, set[str]] = {}
    for e in effects:
        if e.attribute != "*":
            continue
        keys = made.setdefault(e.migration, {})
        if e.after is not None:
            keys[e.key] = True
            elsewhere.setdefault(e.key, set()).add(e.migration)
        elif e.key in keys:
            keys[e.key] = False
    for v in verdicts:
        if v.status != Status.PENDING or not v.proven or v.confidence != Confidence.OBSERVED:
            continue
        version = v.migration.version
        trace = next((k for k, kept in made.get(version, {}).items()
                      if not kept and k in actual.objects and elsewhere[k] == {version}
                      and (keep is None or keep(k))), None)
        if trace is not None:
            v.proven = False
            v.reason = (f"the schema holds {trace.kind} {trace.display}, which one of its "
                        "statements makes and a later one moves or drops: part of it may have run")


def _maybe_undone(verdicts: list[Verdict], foreign: bool) -> None:
    """The history records versions this code does not have: one of them may have undone what
    a recorded migration did, so absence alone cannot refute the history, and no such verdict
    is proven.

    A recorded migration whose effects are absent, all or some (it looked partial), stays
    applied (unproven) when the versions unknown to this code left objects no migration here
    makes (``foreign``: they ran), or when migrations after it are applied. At the end of the
    history with no trace of the unknown versions (an old backup under a newer history looks
    like that) it stays pending (or partial), unproven: reported, but ``--prune`` leaves its
    row alone.
    """
    ran = [i for i, v in enumerate(verdicts) if v.proven and v.status == Status.APPLIED]
    last = max(ran, default=-1)
    for i, v in enumerate(verdicts):
        if v.recorded and v.status == Status.PARTIAL:
            # some of its statements' effects are absent: one of those versions may have
            # undone them (a later migration dropping the index a no-transaction one made)
            v.proven = False
            v.reason = ("some of its effects are absent, but versions unknown to this code ran "
                        "after it")
            if foreign or i < last:
                v.status, v.confidence = Status.APPLIED, Confidence.ORDER
                v.statements_present, v.statements_absent, v.pattern = [], [], None
                v.reason += " and may have undone them"
            continue
        if not v.recorded or (v.status != Status.PENDING and not v.seen_absent):
            continue
        v.proven = False
        v.reason = "its effects are absent, but versions unknown to this code ran after it"
        if foreign or i < last:
            v.status, v.confidence = Status.APPLIED, Confidence.ORDER
            v.reason += " and may have undone them"


def _contradicted(verdicts: list[Verdict], drift: list[Difference]) -> None:
    """A migration its statements show applied, that the history does not record, is not
    proven so when an object it makes differs from what it makes (another default, another
    column order of an index, a column missing from its table): the object may have been made
    by hand, otherwise, with the migration never run (its tool would then fail on it, or
    skip it for ever once recorded), as well as changed by hand since. A recorded one ran:
    the difference is drift."""
    differs: dict[str, Difference] = {}
    for d in drift:
        if d.change in ("changed", "missing") and d.migration and d.explained_by is None:
            differs.setdefault(d.migration, d)
    for v in verdicts:
        d = differs.get(v.migration.version)
        if (d is None or v.recorded or not v.proven or v.status != Status.APPLIED
                or v.confidence != Confidence.OBSERVED):
            continue
        v.proven = False
        what = f"{d.key.kind} {d.key.display}" + (f" ({d.attribute})" if d.attribute else "")
        v.reason = (f"the schema holds {what} otherwise than it makes it: made by hand "
                    "without it, or changed since")


def _renamed(r: Rename, replay: Replay) -> Difference:
    creator = next(
        (e.migration for e in reversed(replay.effects)
         if e.key == r.expected and e.attribute == "*" and e.after is not None),
        None,
    )
    return Difference(r.expected, Change.RENAMED, None, r.expected.display, r.actual.display,
                      creator)


def _drift(
    verdicts: list[Verdict],
    full: Replay,
    replay_subset: Callable[[list[int]], Replay],
    actual: Catalog,
    keep: Keep | None,
    rerunnable: set[str],
) -> list[Difference]:
    """The differences that remain between the applied migrations' schema and the actual one.

    Effects of partial migrations are reported with those migrations, not as drift; an extra
    object that a pending migration would create is attributed to that migration; a value an
    older applied migration set, which a later one changed, is a re-run of the older one.
    """
    chosen = [i for i, v in enumerate(verdicts) if v.status in (Status.APPLIED, Status.PARTIAL)]
    partial = {v.migration.version for v in verdicts if v.status == Status.PARTIAL}
    applied = {verdicts[i].migration.version for i in chosen}
    expected = full if len(chosen) == len(verdicts) else replay_subset(chosen)
    creators: dict[Key, str] = {}
    found = diff_catalogs(expected.catalog, actual, expected.effects, keep, expected.moves)
    if any(d.change == "extra" for d in found):
        for e in full.effects:
            if e.attribute == "*" and e.after is not None:
                creators.setdefault(e.key, e.migration)
    history = _history_of(
        {d.key for d in found if d.change in ("extra", "changed")}, full.effects, applied
    )
    out = []
    for d in found:
        if d.migration in partial:
            # an extra object's last effect is its removal: the partial migration's drop or
            # rename did not run, which the partial verdict reports
            continue
        migration = d.migration if d.change != "extra" else creators.get(d.key)
        if migration in partial:
            continue
        explained = _rerun(d, history.get(d.key, []), rerunnable) if d.key in history else None
        if explained is not None:
            migration = explained["rerun"]
        out.append(
            Difference(d.key, d.change, d.attribute, d.expected, d.actual, migration, d.detail,
                       explained)
        )
    return out


def _history_of(
    keys: set[Key], effects: Iterable[Effect], applied: set[str]
) -> dict[Key, list[Effect]]:
    """The applied migrations' effects on ``keys``, in order."""
    out: dict[Key, list[Effect]] = defaultdict(list)
    if keys:
        for e in effects:
            if e.key in keys and e.migration in applied:
                out[e.key].append(e)
    return out


def _rerun(d: Difference, history: list[Effect], rerunnable: set[str]) -> dict[str, Any] | None:
    """``{"rerun": R, "undoes": [L, ...]}`` when the actual value is what applied migration R
    set and later applied migrations L changed it: R ran again after them."""

    whole: Any = None  # the object after each effect (an extra object is compared whole)

    def value(e: Effect) -> Any:
        nonlocal whole
        if d.change == Change.EXTRA or d.attribute is None:
            if e.attribute == "*":
                whole = e.after
            elif whole is not None:  # CREATE OR REPLACE of an existing object: its new state
                try:
                    whole = replace(whole, **{e.attribute: e.after})
                except TypeError:  # an attribute that is not a field: the state is unknown
                    whole = None
            return None if whole is None else _comparable(whole)
        if e.attribute == "*":
            return None if e.after is None else e.after.attributes().get(d.attribute)
        return e.after if e.attribute == d.attribute else _SKIP

    want = _comparable(d.actual) if d.change == Change.EXTRA else d.actual
    values = [(e.migration, value(e)) for e in history]
    values = [(m, v) for m, v in values if v is not _SKIP]
    for i in range(len(values) - 2, -1, -1):
        migration, v = values[i]
        later = [m for m, _ in values[i + 1:] if m != migration]
        if v == want and later and v is not None and migration in rerunnable:
            return {"rerun": migration, "undoes": sorted(set(later), key=later.index)}
    return None


_SKIP = object()


def _comparable(obj: Any) -> Any:
    if not isinstance(obj, SchemaObject):
        return obj
    attrs = obj.attributes()
    attrs.pop("comment", None)
    return attrs
