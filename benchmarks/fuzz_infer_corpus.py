"""Inference fuzzer on the real histories: per seed, a random damaged database of one shared
corpus, built in a real PostgreSQL by running the corpus's own SQL, then ``schemadiff infer``
(live, the tool's own history table) and ``schemadiff sync --prune`` (its script, run) are
checked against the truth by construction.

The damage, drawn per seed: what ran (a prefix; a prefix with 1-3 migrations skipped; a
migration stopped after some of its statements -- a no-transaction one where the tool has
them, else run by hand with psql --; an old image, a shorter prefix with later migrations or
single statements applied by hand) and what the history table records (exactly that, a
truncated history, a subset of its rows, rows for versions that never ran, rows for versions
the code lacks). Builders, scoring and provability are the scenario benchmark's
(``scenario_build``, ``scenario_score``, ``scenario_design.provable``).

Counted apart, as no schema can decide them (see ``fuzz_infer``'s docstring and README,
"How the comparison stays honest"): a proven claim on a version ``provable`` says the schema
cannot decide in that state (every effect overwritten, or none), and a stopped migration read
as run whole or not at all where what did not run (or did) leaves no trace. Everything else
proven and refuted is a wrong claim, printed with its seed (re-run one with ``--seeds S:S+1
--corpus NAME --keep`` to keep its database).

    python benchmarks/fuzz_infer_corpus.py --seeds 0:20 [--corpus atuin]... [--jobs 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks"), str(ROOT)]

from scenario_build import (  # noqa: E402
    Builder,
    Refused,
    drop_later,
    prepare_code,
    wait_for_drops,
    write_history,
)
from scenario_design import (  # noqa: E402
    NO_TX_MARKERS,
    History,
    Scenario,
    Step,
    _statement_effects,
    _truth,
    load_history,
    provable,
)
from scenario_e2e import _history, schemadiff  # noqa: E402
from scenario_score import score  # noqa: E402
from scenarios import effective_recorded, histories, run_infer  # noqa: E402

from pg import PgServer, start_server  # noqa: E402
from schemadiff.tools import read_migrations  # noqa: E402


def _applied(h: History, r: random.Random) -> Scenario | None:
    """A random database state of ``h`` (its history table still to be drawn)."""
    n = len(h.migrations)
    kind = r.choice(["prefix", "skips", "stopped", "old-image"])
    k = r.randint(2, n)
    if kind == "prefix":
        return _sc(h, kind, [Step("prefix", k)], list(range(k)))
    if kind == "skips":
        free = [i for i in range(1, k) if h.touches[i]
                and not {d for d in h.descendants(i) if d < k}]
        if not free:
            return None
        skip = set(r.sample(free, min(len(free), r.randint(1, 3))))
        first = min(skip)
        applied = [i for i in range(k) if i not in skip]
        steps = [Step("prefix", first)] + [Step("apply", i) for i in applied if i > first]
        return _sc(h, kind, steps, applied)
    if kind == "stopped":
        p = r.randrange(1, n)
        effect = _statement_effects(h, p)
        if len(effect) < 2:
            return None
        cut = r.randint(effect[0] + 1, effect[-1])  # runs positions < cut: some, not all
        sc = _sc(h, kind, [Step("prefix", p), Step("statements", p, tuple(range(cut)))],
                 list(range(p)), partial={p: range(cut)})
        if h.tool in NO_TX_MARKERS:
            sc.no_tx = {p}
        return sc
    b = r.randint(1, n - 1)  # old image: 0..b-1, then later pieces by hand
    later = [j for j in range(b, n) if h.touches[j] and h.ancestors(j) <= set(range(b))]
    if not later:
        return None
    pieces = sorted(r.sample(later, min(len(later), r.randint(1, 2))))
    steps, applied, partial = [Step("prefix", b)], list(range(b)), {}
    for j in pieces:
        effect = _statement_effects(h, j)
        if len(effect) >= 2 and r.random() < 0.5:
            s = r.choice(effect[1:])
            steps.append(Step("statements", j, (s,)))
            partial[j] = (s,)
        else:
            steps.append(Step("apply", j))
            applied.append(j)
    return _sc(h, kind, steps, applied, partial=partial)


def _sc(h: History, kind: str, steps: list[Step], applied: list[int],
        partial: dict[int, object] | None = None) -> Scenario:
    partial = partial or {}
    sc = Scenario(kind, steps, [], _truth(h, set(applied), set(partial)), applied)
    for p, ran in partial.items():
        not_run = set(range(len(h.parsed[p].statements))) - set(ran)  # type: ignore[arg-type]
        sc.expect.partial[h.versions[p]] = (set(ran), not_run, "")  # type: ignore[arg-type]
    return sc


def _history_rows(h: History, sc: Scenario, r: random.Random) -> str:
    """Draw what the history table records (in apply order); returns the damage's name."""
    ran = [h.versions[i] for i in sc.sequence]
    # a transactional migration stopped midway never has a row (the tool rolled it back)
    pending = [v for v, t in sc.truth.items() if t == "pending"
               or (t == "partial" and h.versions.index(v) in sc.no_tx)]
    kind = r.choice(["exact", "wiped", "truncated", "subset", "phantom", "unknown"])
    rows = list(ran)
    if kind == "wiped":
        rows = []
    elif kind == "truncated":
        rows = ran[: r.randint(0, len(ran))]
    elif kind == "subset":
        rows = [v for v in ran if r.random() < 0.5]
    elif kind == "phantom" and pending:
        rows = sorted(ran + r.sample(pending, min(len(pending), r.randint(1, 3))),
                      key=h.versions.index)
    elif kind == "unknown":  # the code lacks the last versions; they may have run or not
        sc.code_drop = r.randint(1, 2)
        gone = h.versions[len(h.versions) - sc.code_drop:]
        rows = ran + [v for v in gone if v not in ran]
        for v in gone:
            sc.truth.pop(v, None)
            sc.expect.partial.pop(v, None)
    stopped = [h.versions.index(v) for v in sc.expect.partial
               if h.versions.index(v) not in sc.no_tx]
    if h.tool == "golang-migrate" and stopped:  # its one row stands for every version below:
        # a transactional migration it covers is taken as run whole (README: `partial`)
        rows = [v for v in rows if h.versions.index(v) < min(stopped)]
    sc.recorded = rows
    sc.expect.recorded_not_in_code = [v for v in rows if v not in sc.truth]
    return kind


def _claimed(h: History, sc: Scenario, ran: dict[str, set[int]], doc: dict[str, Any],
             wrong: list[str]) -> Scenario:
    """The state the truth would be if the ``wrong`` claims were right (the rest as built):
    when PostgreSQL builds it to the same schema, no schema can refute them."""
    by_version = {m["version"]: m for m in doc["migrations"]}
    status = {v: (t, ran.get(v, set())) for v, t in sc.truth.items()}
    for v in {w.split(":", 1)[0] for w in wrong}:
        m = by_version[v]
        lines = set((m.get("statements") or {}).get("present", []))
        p = h.versions.index(v)
        status[v] = (m["status"], {i for i, (st, _) in enumerate(h.parsed[p].statements)
                                   if st.location.line in lines})
    k = 0
    while k < len(h.versions) and status.get(h.versions[k], ("",))[0] == "applied":
        k += 1
    steps = [Step("prefix", k)]
    for i in range(k, len(h.versions)):
        t, positions = status.get(h.versions[i], ("pending", set()))
        if t == "applied":
            steps.append(Step("apply", i))
        elif t == "partial" and positions:
            steps.append(Step("statements", i, tuple(sorted(positions))))
    return Scenario(f"{sc.name}_claimed", steps, [], {}, [])


def _same_schema(pg: PgServer, builder: Builder, dump: str, alt: Scenario) -> bool:
    try:
        db = builder.build(alt)
    except Refused:
        return False
    try:
        return pg.pg_dump_schema(db) == dump
    finally:
        drop_later(pg, db)


def run_seed(pg: PgServer, h: History, root: Path, builder: Builder, seed: int,
             keep: bool) -> dict[str, object]:
    r = random.Random(f"{h.name}:{seed}")
    for _ in range(8):
        sc = _applied(h, r)
        if sc is None:
            continue
        damage = _history_rows(h, sc, r)
        sc.name = f"fz{seed}_{sc.name}"
        try:
            db = builder.build(sc)
            break
        except Refused:
            continue
    else:
        return {"seed": seed, "skipped": True}
    label = f"{h.name} seed {seed}: {sc.name.split('_', 1)[1]}/{damage}"
    with tempfile.TemporaryDirectory() as tmp_name:
        try:
            ran = {v: set(x[0]) for v, x in sc.expect.partial.items()}
            dump = pg.pg_dump_schema(db)
            code, migrations = prepare_code(h, root, sc, Path(tmp_name))
            write_history(pg, db, h.tool, h.migrations, sc.recorded)
            doc, _ = run_infer(["--migrations", str(code), "--tool", h.tool,
                                "--dsn", pg.dsn(db)])
            decidable = provable(h, sc)
            o = score(h.name, sc, "dsn", doc, effective_recorded(h.tool, migrations,
                                                                 sc.recorded), decidable, 0)
            by_version = {m["version"]: m for m in doc["migrations"]}
            wrong = [w for w in o.wrong if by_version[w.split(":", 1)[0]].get("proven")]
            undecidable: list[str] = []
            # the refuted claims alone, then every verdict as infer gives it (a claim may hold
            # with another: a migration partial, and the later one that drops the rest pending)
            every = [f"{v}:" for v in sc.truth if v in by_version]
            if wrong and any(_same_schema(pg, builder, dump, _claimed(h, sc, ran, doc, c))
                             for c in (wrong, every)):
                undecidable, wrong = wrong, []
            seen = {w.split(":", 1)[0] for w in undecidable}

            def _sort(v: str, what: str) -> None:  # a record or prune no schema refutes
                (undecidable if v in seen or v not in decidable else wrong).append(what)

            before = _history(pg, db, h.tool, migrations)
            script = Path(tmp_name) / "sync.sql"
            sync = schemadiff("sync", "--migrations", str(code), "--tool", h.tool, "--dsn",
                              pg.dsn(db), "--prune", "--allow-partial", "--out", str(script))
            if sync.returncode in (0, 1) and script.exists():
                pg.psql(db, script, single_transaction=False, what="sync script")
            elif sync.returncode not in (0, 1):
                wrong.append(f"sync exit {sync.returncode}: {sync.stderr.strip()[-120:]}")
            after = _history(pg, db, h.tool, migrations)
            for v in after:
                if v not in before and sc.truth.get(v) != "applied":
                    _sort(v, f"sync records {v}")
            for v in before:
                if v not in after and sc.truth.get(v) in ("applied", "partial"):
                    _sort(v, f"sync prunes {v}")
        finally:
            if not keep:
                drop_later(pg, db)
            else:  # past the session: the fixture drops what it still lists
                pg._created.remove(db)
    print(f"{label}: {len(wrong)} wrong, {len(undecidable)} undecidable"
          + "".join(f"\n    WRONG {w}" for w in wrong)
          + "".join(f"\n    undecidable {w}" for w in undecidable)
          + (f"\n    steps {[(s.kind, s.index, s.statements) for s in sc.steps]} recorded "
             f"{len(sc.recorded)} drop {sc.code_drop}" if wrong else "") + (
              f"\n    kept {db}" if keep else ""), flush=True)
    return {"seed": seed, "wrong": wrong, "undecidable": undecidable, "label": label}


def run_corpus(pg: PgServer, name: str, tool: str, root: Path, seeds: range,
               keep: bool) -> list[dict[str, object]]:
    _, migrations = read_migrations(root, tool)
    h = load_history(name, tool, migrations)
    builder = Builder(pg, h, set())
    try:
        return [run_seed(pg, h, root, builder, s, keep) for s in seeds]
    finally:
        builder.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="0:10")
    ap.add_argument("--corpus", action="append")
    ap.add_argument("--jobs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the damaged databases")
    opts = ap.parse_args()
    lo, hi = (int(x) for x in opts.seeds.split(":"))
    with tempfile.TemporaryDirectory() as tmp:
        selected = histories(opts.corpus, False, Path(tmp))
        server = start_server()
        pg = next(server)
        try:
            with ThreadPoolExecutor(max_workers=opts.jobs) as pool:
                futures = {name: pool.submit(run_corpus, pg, name, tool, root,
                                             range(lo, hi), opts.keep)
                           for name, tool, root in selected}
                results = {name: f.result() for name, f in futures.items()}
        finally:
            wait_for_drops()
            server.close()
    kinds: Counter[str] = Counter()
    total = wrong = undecidable = 0
    for name, rs in results.items():
        built = [x for x in rs if not x.get("skipped")]
        total += len(built)
        wrong += sum(len(x["wrong"]) for x in built)  # type: ignore[arg-type]
        undecidable += sum(len(x["undecidable"]) for x in built)  # type: ignore[arg-type]
        for x in built:
            kinds.update(str(x["label"]).split(": ")[1] for _ in x["wrong"])  # type: ignore
        print(f"{name}: {len(built)} damaged databases ({len(rs) - len(built)} not built)")
    print(f"{total} damaged databases; {wrong} wrong proven claims; {undecidable} "
          f"undecidable (counted apart); wrong by damage: {dict(kinds)}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
