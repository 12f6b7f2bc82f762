"""Which database states the scenario benchmark builds for a migration history, and their truth.

Every scenario is chosen from the history's own replay -- its effect log and the dependency
graph built from it -- never by corpus name: the same classes of damage are built for any
history. A :class:`Scenario` says how to build the database (:class:`Step` list), what the
history table records (in apply order), how the code directory differs from the corpus (a
migration file added, migrations made no-transaction, the last ones removed), and the truth
by construction: each version's status, and the drift the hand-made changes leave.

:func:`provable` says which versions the schema can decide at all in a scenario: a version
whose effects, in the order the database really ran them, are all overwritten (or that has
none) cannot be seen, and is scored leniently; a version needed by a provably applied one
(or needing a provably absent one) can be decided through the dependency graph.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from schemadiff.differences import diff_catalogs, ignore_history_tables
from schemadiff.history import ParsedMigration, Replay, parse_migration, replay_parsed
from schemadiff.migration import Migration
from schemadiff.model import TABLE_LEVEL_KINDS, Key, effect_table
from schemadiff.tools import history_tables

KEEP = ignore_history_tables(history_tables())
NO_TX_MARKERS = {"goose", "sqlx", "diesel", "dbmate"}
EXTRA_SCHEMA = "hand_extra"

_IDEMPOTENT = re.compile(
    r"^\s*(?:CREATE\s+OR\s+REPLACE\s|COMMENT\s+ON\s|DROP\s+\w+(?:\s+\w+)?\s+IF\s+EXISTS\s)"
    r"|\bIF\s+NOT\s+EXISTS\b", re.IGNORECASE)
_IF_NOT_EXISTS = re.compile(r"\bIF\s+NOT\s+EXISTS\b", re.IGNORECASE)
_REPLACE = re.compile(r"^\s*CREATE\s+OR\s+REPLACE\b", re.IGNORECASE)
_SOFT = re.compile(r"\bCREATE\s+OR\s+REPLACE\b|\bIF\s+(?:NOT\s+)?EXISTS\b", re.IGNORECASE)


@dataclass(frozen=True)
class Step:
    """One step of building a scenario's database.

    ``kind``: ``prefix`` (start from the database holding migrations ``0..index-1``),
    ``apply`` (migration ``index`` as its tool runs it), ``statements`` (the statements at
    positions ``statements`` of migration ``index``, run by hand with psql, each committed
    on its own), ``sql`` (hand-written SQL in one transaction), ``restore`` (a new database
    from the schema-only pg_dump of the one holding ``0..index-1``), ``rerun`` (migration
    ``index`` run again in one transaction, where it must succeed) and ``rerun-fails``
    (migration ``index`` run again in one transaction, where PostgreSQL must refuse it: the
    failed ``goose up``).
    """

    kind: str
    index: int = -1
    statements: tuple[int, ...] = ()
    sql: str = ""


@dataclass
class Added:
    """A migration file the scenario adds to the code directory (and never runs)."""

    position: int  # its index among the code's migrations, once added
    version: str
    name: str
    sql: str


@dataclass
class Expected:
    """What the findings must say beyond what the truth and the history imply."""

    drift: set[str] = field(default_factory=set)  # "kind object" of every drift item
    renamed: tuple[str, str] | None = None  # (object as it was, its new name)
    rerun: tuple[str, set[str]] | None = None  # (re-run version, versions it may undo)
    partial: dict[str, tuple[set[int], set[int], str]] = field(default_factory=dict)
    # version -> (statement positions run, positions not run, pattern); once the code
    # directory is written, :func:`scenario_build.prepare_code` makes them line numbers
    recorded_not_in_code: list[str] = field(default_factory=list)


@dataclass
class Scenario:
    """A database state built in a real server, with its truth by construction."""

    name: str
    steps: list[Step]
    recorded: list[str]  # what the history table records, in apply order
    truth: dict[str, str]  # version -> applied | pending | partial, for the code's versions
    sequence: list[int]  # migration indexes in the order the database ran them (for provable)
    expect: Expected = field(default_factory=Expected)
    code_drop: int = 0  # trailing migrations the code lacks
    added: Added | None = None
    no_tx: set[int] = field(default_factory=set)  # made no-transaction in the code copy
    alternatives: list[Scenario] = field(default_factory=list)  # if PostgreSQL refuses this
    skipped: str = ""  # why the history has no such scenario ("" = built)


# ------------------------------------------------------------------------------ the history


@dataclass
class History:
    """A corpus's migrations, replayed once, with what the scenarios are chosen from."""

    name: str
    tool: str
    migrations: list[Migration]
    parsed: list[ParsedMigration]
    full: Replay
    touches: list[dict[Key, list[tuple[str, Any, int]]]]  # per migration: key -> effects
    touchers: dict[Key, list[int]]  # key -> migrations touching it, in order
    parents: dict[int, set[int]]  # migration -> the migrations it cannot run without
    effect_lines: list[set[int]]  # per migration: lines of statements with a schema effect
    # (other than privileges: the scenarios' pg_dump files are --no-privileges)
    if_not_exists_lines: list[set[int]]
    replaced: dict[tuple[int, Key], dict[str, Any]]  # CREATE OR REPLACE: the whole object

    @property
    def versions(self) -> list[str]:
        return [m.version for m in self.migrations]

    children: dict[int, set[int]] = field(default_factory=dict)
    _closures: dict[tuple[str, int], set[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for child, parents in self.parents.items():
            for p in parents:
                self.children.setdefault(p, set()).add(child)

    def ancestors(self, i: int) -> set[int]:
        cached = self._closures.get(("a", i))
        if cached is not None:
            return cached
        seen: set[int] = set()
        todo = list(self.parents.get(i, ()))
        while todo:
            p = todo.pop()
            if p not in seen:
                seen.add(p)
                todo.extend(self.parents.get(p, ()))
        self._closures[("a", i)] = seen
        return seen

    def descendants(self, i: int) -> set[int]:
        cached = self._closures.get(("d", i))
        if cached is not None:
            return cached
        seen: set[int] = set()
        todo = list(self.children.get(i, ()))
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(self.children.get(c, ()))
        self._closures[("d", i)] = seen
        return seen


def _parent_keys(key: Key, obj: Any) -> list[Key]:
    """The objects an object builds on: itself, its table, a foreign key's target table."""
    out = [key]
    if key.kind in TABLE_LEVEL_KINDS:
        out.append(Key("table", key.schema, key.name))
    table = getattr(obj, "table", None)
    if key.kind == "index" and isinstance(table, str):
        out.append(Key("table", key.schema, table))
    ref = getattr(obj, "ref_table", None)
    if isinstance(ref, str) and ref:
        schema, _, name = ref.partition(".")
        out.append(Key("table", schema, name))
    return out



def load_history(name: str, tool: str, migrations: list[Migration]) -> History:
    """Parse and replay ``migrations`` and index their effects."""
    parsed = [parse_migration(m) for m in migrations]
    full = replay_parsed(parsed)
    index = {m.version: i for i, m in enumerate(migrations)}
    touches: list[dict[Key, list[tuple[str, Any, int]]]] = [defaultdict(list) for _ in migrations]
    touchers: dict[Key, list[int]] = defaultdict(list)
    parents: dict[int, set[int]] = defaultdict(set)
    effect_lines: list[set[int]] = [set() for _ in migrations]
    # a statement that runs whatever exists (CREATE OR REPLACE, IF [NOT] EXISTS) needs nothing
    soft = [{st.location.line for st, _ in pm.statements if _SOFT.search(st.text)}
            for pm in parsed]
    replace = [{st.location.line for st, _ in pm.statements if _REPLACE.search(st.text)}
               for pm in parsed]
    current: dict[Key, dict[str, Any] | None] = {}
    whole: dict[tuple[int, Key], dict[str, Any]] = {}
    last_touch: dict[Key, int] = {}
    on_table: dict[tuple[str, str], set[Key]] = defaultdict(set)
    # rewrites (IF NOT EXISTS of what exists, the same CREATE OR REPLACE, ...) interleaved:
    # without an earlier migration they are what creates, drops or sets the object
    stream = sorted([*((e, False) for e in full.effects), *((e, True) for e in full.rewrites)],
                    key=lambda p: p[0].index)
    for e, rewrite in stream:
        mi = index.get(e.migration)
        if mi is None:
            continue
        line = getattr(e.location, "line", 0)
        if rewrite:
            if KEEP(e.key) and any(t != mi for t in touchers.get(e.key, ())):
                touches[mi][e.key].append(("*?" if e.attribute == "*" else e.attribute,
                                           e.after, line))
                if touchers[e.key][-1] != mi:
                    touchers[e.key].append(mi)
                if line in replace[mi] and current.get(e.key) is not None:
                    whole[(mi, e.key)] = current[e.key]  # type: ignore[assignment]
            continue
        if e.key.kind != "privilege":  # a dump without GRANTs cannot see a statement of them
            effect_lines[mi].add(line)
        obj = (e.after if e.after is not None else e.before) if e.attribute == "*" else None
        if line not in soft[mi]:
            for parent in _parent_keys(e.key, obj):
                prev = last_touch.get(parent)
                if prev is not None and prev != mi:
                    parents[mi].add(prev)
        last_touch[e.key] = mi
        if not KEEP(e.key):
            continue
        if e.attribute == "*":
            current[e.key] = None if e.after is None else dict(e.after.attributes())
        elif current.get(e.key) is not None:
            current[e.key] = {**current[e.key], e.attribute: e.after}  # type: ignore[dict-item]
            if line in replace[mi]:  # what it leaves, whatever was there before
                whole[(mi, e.key)] = current[e.key]  # type: ignore[assignment]
        touches[mi][e.key].append((e.attribute, e.after, line))
        if not touchers[e.key] or touchers[e.key][-1] != mi:
            touchers[e.key].append(mi)
        parent = effect_table(e)
        if parent is not None:
            on_table[parent].add(e.key)
        elif e.attribute == "*" and e.after is None and e.key.kind == "table":
            # a table dropped, renamed or moved takes along whatever is on it, also what the
            # full replay never saw there (an earlier migration dropped it): as inference does
            for sub in on_table.get((e.key.schema, e.key.name), ()):
                if sub not in touches[mi]:
                    touches[mi][sub].append(("*", None, line))
                    if not touchers[sub] or touchers[sub][-1] != mi:
                        touchers[sub].append(mi)
    ine = [{st.location.line for st, _ in pm.statements if _IF_NOT_EXISTS.search(st.text)}
           for pm in parsed]
    return History(name, tool, migrations, parsed, full, touches, touchers, parents,
                   effect_lines, ine, whole)


# ------------------------------------------------------------------------------ provability


Positions = dict[int, list[float]]  # migration index -> where it ran in the sequence


def _positions(sequence: list[int]) -> Positions:
    out: Positions = defaultdict(list)
    for p, mi in enumerate(sequence):
        out[mi].append(float(p))
    return out


def _state(h: History, key: Key, pos: Positions, skip: int = -1,
           extra: tuple[float, int] | None = None) -> Any:
    """The object ``key`` after the migrations ran at the positions ``pos`` (None: absent),
    leaving ``skip`` out and running ``extra = (position, index)`` too. A migration that ran
    twice (a re-run) does nothing the second time with an ``IF NOT EXISTS`` creation of an
    object that exists."""
    events = [(p, mi) for mi in h.touchers.get(key, ()) if mi != skip for p in pos.get(mi, ())]
    if extra is not None and extra[1] in h.touchers.get(key, ()):
        events.append(extra)
    events.sort()
    state: dict[str, Any] | None = None
    seen: set[int] = set()
    for _, mi in events:
        again = mi in seen
        seen.add(mi)
        for attribute, after, line in h.touches[mi][key]:
            if attribute == "*?":  # a rewrite: IF NOT EXISTS creates, IF EXISTS drops
                if after is None or state is None:
                    state = None if after is None else dict(after.attributes())
                continue
            if attribute == "*":
                if again and state is not None and line in h.if_not_exists_lines[mi]:
                    continue
                state = None if after is None else dict(after.attributes())
            elif state is not None:
                state = {**state, attribute: after}
            elif (mi, key) in h.replaced:  # CREATE OR REPLACE of an absent object creates it
                state = dict(h.replaced[(mi, key)])
    return state


def _own_provable(h: History, sequence: list[int], indexes: range | None = None) -> set[int]:
    """Indexes (of ``indexes``, default all) whose own effects decide them when the database
    ran ``sequence``: leaving an applied one out, or running a pending one in its place,
    changes some object."""
    pos = _positions(sequence)
    out = set()
    for mi in indexes if indexes is not None else range(len(h.migrations)):
        keys = h.touches[mi].keys()
        if not keys:
            continue
        if mi in pos:
            changed = any(_state(h, k, pos) != _state(h, k, pos, skip=mi) for k in keys)
        else:
            at = next((p for p, x in enumerate(sequence) if x > mi), len(sequence)) - 0.5
            changed = any(_state(h, k, pos) != _state(h, k, pos, extra=(at, mi)) for k in keys)
        if changed:
            out.add(mi)
    return out


def provable(h: History, sc: Scenario) -> set[str]:
    """Versions of the original history whose status the schema decides in ``sc``.

    Own effects: an applied version is provable when leaving it out of the sequence the
    database ran changes some object; a pending one when running it (in its place) would.
    Through dependencies: a version some provably applied version builds on is applied; a
    version building on a provably absent one is not. Partial versions always are.
    """
    in_code = len(h.migrations) - sc.code_drop
    applied = set(sc.sequence)
    partial = {i for i, m in enumerate(h.migrations) if sc.truth.get(m.version) == "partial"}
    proven = {mi: mi in applied for mi in _own_provable(h, sc.sequence, range(in_code))
              if mi not in partial}
    todo = list(proven)
    while todo:
        mi = todo.pop()
        is_applied = proven[mi]
        for other in h.ancestors(mi) if is_applied else h.descendants(mi):
            if other in proven or other in partial or other >= in_code:
                continue
            if (other in applied) == is_applied:
                proven[other] = is_applied
                todo.append(other)
    out = {h.migrations[mi].version for mi in proven}
    return out | {v for v, s in sc.truth.items() if s == "partial"}


# ------------------------------------------------------------------------------ design


def _truth(h: History, applied: set[int], partial: set[int] | None = None,
           drop: int = 0) -> dict[str, str]:
    partial = partial or set()
    return {
        m.version: "partial" if i in partial else "applied" if i in applied else "pending"
        for i, m in enumerate(h.migrations[: len(h.migrations) - drop])
    }


def _plain(h: History, name: str, applied: list[int], recorded: list[str],
           **kw: Any) -> Scenario:
    """A database that ran ``applied`` (in that order) through its tool."""
    k = 0
    while k < len(applied) and applied[k] == k:
        k += 1
    steps = [Step("prefix", k)] + [Step("apply", i) for i in applied[k:]]
    return Scenario(name, steps, recorded, _truth(h, set(applied)), list(applied), **kw)


def _statement_effects(h: History, i: int) -> list[int]:
    """Positions of migration ``i``'s statements that have a schema effect."""
    lines = h.effect_lines[i]
    return [p for p, (st, _) in enumerate(h.parsed[i].statements) if st.location.line in lines]


def design(h: History) -> list[Scenario]:
    """Every scenario for history ``h`` (those it cannot have carry ``skipped``)."""
    n = len(h.migrations)
    k = max(3, int(n * 0.8))
    v = h.versions
    everything = list(range(n))
    out = [
        _plain(h, "wiped", everything, []),
        _plain(h, "seed", list(range(k)), v[:2]),
    ]
    out += [
        _gap(h, k),
        _phantom(h, k),
        _behind(h),
        _drift(h),
        _partial_no_tx(h, k),
        *_out_of_order(h, k),
        _hot_fix(h, k),
        _hand_run(h, k),
        _old_backup(h, k),
        _restored_dump(h, k),
        _renamed(h),
        _extra_schema(h),
        _rerun(h),
        *_unobservable(h),
    ]
    return out


def _skipped(name: str, why: str) -> Scenario:
    return Scenario(name, [], [], {}, [], skipped=why)


def _gap(h: History, k: int) -> Scenario:
    with_effects = [i for i in range(2, k - 1) if h.touches[i]]
    gaps = [i for i in with_effects if not {d for d in h.descendants(i) if d < k}]
    if not gaps:
        return _skipped("gap", "no middle migration that nothing later builds on")
    ranked = sorted(gaps, key=lambda i: abs(i - gaps[len(gaps) // 2]))
    options = []
    for g in ranked[:8]:
        applied = [i for i in range(k) if i != g]
        options.append(_plain(h, "gap", applied, [h.versions[i] for i in applied]))
    first = options[0]
    first.alternatives = options[1:]
    return first


def _phantom(h: History, k: int) -> Scenario:
    base = list(range(k))
    seen = _own_provable(h, base, range(k, len(h.migrations)))
    candidates = [h.versions[i] for i in sorted(seen)]
    if len(candidates) < 2:
        return _skipped("phantom", "fewer than 2 pending migrations the schema can see")
    phantom = candidates[:2]
    return _plain(h, "phantom", base, h.versions[:k] + phantom)


def _behind(h: History) -> Scenario:
    n = len(h.migrations)
    # The database holds what the 2 migrations the code lacks created: drift, by design.
    kept = replay_parsed(h.parsed[:-2]).catalog
    unexplained = diff_catalogs(kept, h.full.catalog, keep=KEEP)
    sc = _plain(h, "behind", list(range(n)), h.versions, code_drop=2)
    sc.truth = _truth(h, set(range(n)), drop=2)
    sc.expect = Expected(drift={f"{d.key.kind} {d.key.display}" for d in unexplained},
                         recorded_not_in_code=h.versions[-2:])
    return sc


def _first_table(h: History) -> Key | None:
    return next((o.key for o in h.full.catalog.of_kind("table") if KEEP(o.key)), None)


def _drift(h: History) -> Scenario:
    table = _first_table(h)
    if table is None:
        return _skipped("drift", "no table")
    cols = h.full.catalog.columns(table.schema, table.name)
    qual = f'"{table.schema}"."{table.name}"'
    sc = _plain(h, "drift", list(range(len(h.migrations))), h.versions)
    sc.steps.append(Step("sql", sql=f'CREATE INDEX hand_made_idx ON {qual} ("{cols[0].name}");\n'
                         f"ALTER TABLE {qual} ADD COLUMN hand_made_note text;\n"))
    sc.expect = Expected(drift={f"index {table.schema}.hand_made_idx",
                                f"column {table.schema}.{table.name}.hand_made_note"})
    return sc


def _partial(h: History, name: str, steps: list[Step], applied: list[int],
             recorded: list[str], p: int, ran: list[int], pattern: str,
             no_tx: bool = False) -> Scenario:
    """The database ``steps`` build (migrations ``applied``), then the statements at
    positions ``ran`` of migration ``p`` run by hand: ``p`` is partial."""
    sc = Scenario(name, [*steps, Step("statements", p, tuple(ran))], recorded,
                  _truth(h, set(applied), {p}), applied, no_tx={p} if no_tx else set())
    # infer may name any statement that did not run absent: one whose only effect is a
    # privilege too, which a live read sees (the dumps, --no-privileges, do not)
    not_run = set(range(len(h.parsed[p].statements))) - set(ran)
    sc.expect = Expected(partial={h.versions[p]: (set(ran), not_run, pattern)})
    return sc


def _partial_no_tx(h: History, k: int) -> Scenario:
    """A no-transaction migration stopped after its first statement (tools that have them)."""
    if h.tool not in NO_TX_MARKERS:
        return _skipped("partial", f"{h.tool} has no no-transaction migrations")
    multi = [i for i in range(2, k) if len(_statement_effects(h, i)) >= 2
             and not {d for d in h.descendants(i) if d < k}]
    if not multi:
        return _skipped("partial", "no migration with 2 schema statements nothing builds on")
    p = multi[-1]
    applied = [i for i in range(k) if i != p]
    steps = [Step("prefix", p)] + [Step("apply", i) for i in range(p + 1, k)]
    # the tool stopped at p: the rows of what ran after it are lost with the failed run
    recorded = h.versions[:p]
    return _partial(h, "partial", steps, applied, recorded, p, _statement_effects(h, p)[:1],
                    "prefix", no_tx=True)


def _independent(h: History, j: int, others: range) -> bool:
    """``j`` neither builds on nor shares an object with any of ``others``."""
    if h.ancestors(j) & set(others):
        return False
    keys = set(h.touches[j])
    return not any(keys & set(h.touches[o]) for o in others)


def _out_of_order(h: History, k: int) -> list[Scenario]:
    """A later migration applied before two earlier ones it does not depend on (a merged
    branch): ``0..i-1, j, i..k-1`` with ``j >= k+1``, so versions below ``j`` stay pending.
    Recorded in apply order; and the same with the history wiped."""
    n = len(h.migrations)
    i = k - 2
    options = []
    for j in range(k + 1, n):
        if h.touches[j] and not h.ancestors(j) & set(range(i, n)) and \
                _independent(h, j, range(i, j)):
            options.append(j)
    if not options:
        return [_skipped("out-of-order", "no later migration independent of the ones before it"),
                _skipped("out-of-order-wiped", "as out-of-order")]
    out = []
    for name, wiped in (("out-of-order", False), ("out-of-order-wiped", True)):
        built = []
        for j in options[:6]:
            order = [*range(i), j, *range(i, k)]
            sc = _plain(h, name, order, [] if wiped else [h.versions[x] for x in order])
            built.append(sc)
        built[0].alternatives = built[1:]
        out.append(built[0])
    return out


def _stands_alone(h: History, p: int, position: int) -> bool:
    """Whether statement ``position`` of migration ``p`` touches nothing the statements of
    ``p`` before it created (so that it can run by hand on its own)."""
    line = h.parsed[p].statements[position][0].location.line
    created_before = set()
    touched = set()
    for key, effects in h.touches[p].items():
        for attribute, after, at in effects:
            if at < line and attribute == "*" and after is not None:
                created_before.add(key)
            if at == line:
                touched.update(_parent_keys(key, after if attribute == "*" else None))
    return not touched & created_before


def _hot_fix(h: History, k: int) -> Scenario:
    """``0..k-1`` applied, plus one statement (a CREATE INDEX where there is one) of a later
    transactional migration with several, run by hand: that migration is partial."""
    options = []
    for p in range(k, len(h.migrations)):
        m = h.migrations[p]
        effect = _statement_effects(h, p)
        if not m.in_transaction or len(effect) < 2 or not h.ancestors(p) <= set(range(k)):
            continue
        later = [x for x in effect[1:] if _stands_alone(h, p, x)]  # not the first one: a
        # prefix would be another pattern
        ranked = sorted(later, key=lambda s: type(h.parsed[p].statements[s][1]).__name__ !=
                        "CreateIndex")
        options += [(p, s) for s in ranked[:2]]
    if not options:
        return _skipped("hot-fix", "no later transactional migration with 2 schema statements")
    built = [_partial(h, "hot-fix", [Step("prefix", k)], list(range(k)), h.versions[:k], p,
                      [s], "hot-fix") for p, s in options[:8]]
    built[0].alternatives = built[1:]
    return built[0]


def _hand_run(h: History, k: int) -> Scenario:
    """The next transactional migration run by hand with psql, statement by statement without
    a transaction, stopped by an error after its first statements: partial, no history row."""
    options = []
    for p in range(k, len(h.migrations)):
        effect = _statement_effects(h, p)
        if h.migrations[p].in_transaction and len(effect) >= 2:
            options.append((p, effect[: max(1, len(effect) // 2)]))
    if not options:
        return _skipped("hand-run", "no transactional migration with 2 schema statements")
    built = []
    for p, ran in options[:4]:
        # the migrations between k and p ran normally: p is the next one to run
        steps = [Step("prefix", k)] + [Step("apply", i) for i in range(k, p)]
        built.append(_partial(h, "hand-run", steps, list(range(p)), h.versions[:p], p, ran,
                              "prefix"))
    built[0].alternatives = built[1:]
    return built[0]


def _old_backup(h: History, k: int) -> Scenario:
    """The database restored from an old backup (``0..b-1``) under a newer history that
    records every version. ``b`` is chosen so that a recorded-but-absent migration alters or
    drops an object created by an absent one, and only that dependency proves it absent."""
    n = len(h.migrations)
    chosen = k
    for b in range(k, max(1, k - 30), -1):
        own = _own_provable(h, list(range(b)), range(b, n))
        if any(h.touches[j] and j not in own and any(a in own for a in h.ancestors(j))
               for j in range(b, n)):
            chosen = b
            break
    return _plain(h, "old-backup", list(range(chosen)), h.versions)


def _restored_dump(h: History, k: int) -> Scenario:
    """A database created from the schema-only dump of one at version ``K`` (no history
    rows), then migrated normally: history rows for ``K..n-1`` only. A plain dump does not
    always restore (a SQL function inlined in an index that names a type unqualified):
    smaller ``K`` are tried then."""
    n = len(h.migrations)
    built = []
    for at in sorted({k, n // 2, n // 4, 2}, reverse=True):
        steps = [Step("restore", at)] + [Step("apply", i) for i in range(at, n)]
        built.append(Scenario("restored-dump", steps, h.versions[at:],
                              _truth(h, set(range(n))), list(range(n))))
    built[0].alternatives = built[1:]
    return built[0]


def _renamed(h: History) -> Scenario:
    """Every migration applied, then the table most migrations touch renamed by hand."""
    count: dict[Key, set[int]] = defaultdict(set)
    for key, migrations in h.touchers.items():
        table = key if key.kind == "table" else key.table_key if key.kind in \
            TABLE_LEVEL_KINDS else None
        if table is not None and h.full.catalog.objects.get(table) is not None:
            count[table] |= set(migrations)
    if not count:
        return _skipped("renamed", "no table")
    table = max(count, key=lambda t: (len(count[t]), str(t)))
    new = (table.name + "_old")[:63]
    sc = _plain(h, "renamed", list(range(len(h.migrations))), h.versions)
    sc.steps.append(Step("sql", sql=f'ALTER TABLE "{table.schema}"."{table.name}" RENAME TO '
                         f'"{new}";\n'))
    sc.expect = Expected(renamed=(f"{table.schema}.{table.name}", new))
    return sc


def _extra_schema(h: History) -> Scenario:
    """Every migration applied, plus an unrelated schema with a table made by hand."""
    sql = (f"CREATE SCHEMA {EXTRA_SCHEMA};\nCREATE TABLE {EXTRA_SCHEMA}.notes "
           "(id bigint PRIMARY KEY, body text NOT NULL);\n")
    from schemadiff.history import replay_sql

    extra = replay_sql(sql).catalog
    base = replay_sql("").catalog
    items = {f"{d.key.kind} {d.key.display}" for d in diff_catalogs(base, extra, keep=KEEP)}
    sc = _plain(h, "extra-schema", list(range(len(h.migrations))), h.versions)
    sc.steps.append(Step("sql", sql=sql))
    sc.expect = Expected(drift=items)
    return sc


def _rerun(h: History) -> Scenario:
    """A failed ``goose up`` after two history rows were lost: it re-ran the first, an
    idempotent migration (CREATE OR REPLACE, IF NOT EXISTS only) whose objects a later one
    replaced or dropped, then failed on the second and rolled it back."""
    n = len(h.migrations)
    options = []
    for i in range(n - 1):
        texts = [st.text for st, op in h.parsed[i].statements
                 if st.location.line in h.effect_lines[i]]
        if not texts or not all(_IDEMPOTENT.search(t) for t in texts):
            continue
        later = {j for key in h.touches[i] for j in h.touchers[key] if j > i}
        if not later:
            continue
        rerun = replay_parsed([*h.parsed, h.parsed[i]]).catalog
        drift = diff_catalogs(h.full.catalog, rerun, keep=KEEP)
        if not drift:
            continue
        keys = {d.key for d in drift} | {d.key.table_key for d in drift
                                         if d.key.kind in TABLE_LEVEL_KINDS}
        undone = {h.versions[j] for j in later if keys & set(h.touches[j])}
        options.append((i, {f"{d.key.kind} {d.key.display}" for d in drift}, undone))
    if not options:
        return _skipped("rerun", "no idempotent migration whose objects a later one replaced")
    built = []
    for i, items, undone in options[:4]:
        failing = [j for j in range(i + 1, n) if h.touches[j]
                   and not all(_IDEMPOTENT.search(st.text) for st, _ in h.parsed[j].statements
                               if st.location.line in h.effect_lines[j])][:4]
        for j in [*failing, None]:
            lost = h.versions[j] if j is not None else None
            sc = _plain(h, "rerun", list(range(n)), [x for x in h.versions if x != lost])
            sc.steps.append(Step("rerun", i))
            if j is not None:
                sc.steps.append(Step("rerun-fails", j))
            sc.sequence = [*range(n), i]
            sc.expect = Expected(drift=items, rerun=(h.versions[i], undone))
            built.append(sc)
    built.sort(key=lambda sc: sc.steps[-1].kind != "rerun-fails")  # a failing up first
    built[0].alternatives = built[1:]
    return built[0]


def added_version(h: History, p: int) -> str | None:
    """A version strictly between migrations ``p-1`` and ``p`` in the tool's order, or None."""
    prev, nxt = h.versions[p - 1], h.versions[p]
    if h.tool == "flyway":
        return None if h.migrations[p].repeatable else f"{prev}.0.5"
    if prev.isdigit() and nxt.isdigit() and int(nxt) - int(prev) >= 2:
        mid = str(int(prev) + (int(nxt) - int(prev)) // 2)
        width = len(prev) if len(prev) == len(nxt) else 0
        return mid.zfill(width)
    return None


def _unobservable(h: History) -> list[Scenario]:
    """A migration with no schema effect (a data-only statement) added in the middle of the
    history and never run; the others all ran. History wiped, or recording all the others."""
    n = len(h.migrations)
    found = None
    for p in sorted(range(2, n - 1), key=lambda x: abs(x - n // 2)):
        version = added_version(h, p)
        tables = [o for o in replay_parsed(h.parsed[:p]).catalog.of_kind("table") if KEEP(o.key)]
        if version is None or not tables:
            continue
        t = tables[0]
        col = replay_parsed(h.parsed[:p]).catalog.columns(t.schema, t.name)[0].name
        sql = f'UPDATE "{t.schema}"."{t.name}" SET "{col}" = "{col}" WHERE false;\n'
        found = Added(p, version, "data_only_backfill", sql)
        break
    if found is None:
        return [_skipped("unobservable-wiped", "no room for a version between two others"),
                _skipped("unobservable-recorded", "as unobservable-wiped")]
    out = []
    for name, recorded in (("unobservable-wiped", []), ("unobservable-recorded", h.versions)):
        sc = _plain(h, name, list(range(n)), list(recorded))
        sc.added = found
        sc.truth = {**sc.truth, found.version: "pending"}
        out.append(sc)
    return out
