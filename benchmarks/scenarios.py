"""Inference scenarios on real histories, in a real PostgreSQL, scored version by version.

For each shared corpus this builds databases in known states, runs ``schemadiff infer`` on
each (from a pg_dump file, and live with ``--dsn`` where the live source is available), and
scores every version against the truth:

- ``wiped``: every migration applied, the history table empty;
- ``seed``: the seed incident (80 % applied, only the first 2 recorded);
- ``gap``: one middle migration never applied (one nothing later depends on);
- ``phantom``: 2 versions recorded that were never applied;
- ``behind``: the code lacks the last 2 recorded versions (seed 004);
- ``drift``: a hand-made index and column on top of a fully applied history;
- ``partial``: a no-transaction migration stopped after its first statement (tools that have
  no-transaction migrations: goose, sqlx, diesel, dbmate).

Run: ``python benchmarks/scenarios.py [--corpus NAME]... [--sources file,dsn] [--check]``. The
server is ``SCHEMADIFF_TEST_DSN`` or a throwaway embedded one (as in the tests). Prints a
markdown table; ``--check`` exits 1 unless every run is exact with zero wrong observed claims.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from pg import PgServer, corpora_path, start_server  # noqa: E402
from schemadiff.differences import diff_catalogs, ignore_history_tables  # noqa: E402
from schemadiff.history import parse_migration, replay_parsed  # noqa: E402
from schemadiff.inference import dependency_graph, infer_applied  # noqa: E402
from schemadiff.migration import Migration  # noqa: E402
from schemadiff.recorded import Recorded  # noqa: E402
from schemadiff.tools import history_tables, read_migrations  # noqa: E402

KEEP = ignore_history_tables(history_tables())

NO_TX_MARKERS = {"goose", "sqlx", "diesel", "dbmate"}


@dataclass
class Scenario:
    name: str
    applied: list[int]  # indices of migrations applied, in order
    recorded: list[str]  # versions the history records
    code_drop: int = 0  # how many trailing migrations the code lacks
    partial: int | None = None  # index of a migration applied up to its first statement
    alternatives: list[int] = field(default_factory=list)  # other gap choices to try
    drift_sql: str = ""
    expect: dict[str, object] = field(default_factory=dict)


@dataclass
class Outcome:
    corpus: str
    scenario: str
    source: str
    versions: int
    wrong: list[str]
    wrong_observed: int
    findings_ok: bool
    detail: str
    seconds: float


# ------------------------------------------------------------------------------ scenario design


def design(corpus: str, migrations: list[Migration]) -> list[Scenario]:
    parsed = [parse_migration(m) for m in migrations]
    full = replay_parsed(parsed)
    index = {m.version: i for i, m in enumerate(migrations)}
    graph = dependency_graph(full.effects, index)
    with_effects = {e.migration for e in full.effects}
    n = len(migrations)
    k = max(3, int(n * 0.8))
    versions = [m.version for m in migrations]
    everything = list(range(n))
    out = [
        Scenario("wiped", everything, []),
        Scenario("seed", list(range(k)), versions[:2]),
    ]
    import networkx as nx

    gaps = [
        i
        for i in range(2, k - 1)
        if versions[i] in with_effects and not {d for d in nx.descendants(graph, i) if d < k}
    ]
    if gaps:
        # the middle candidate first; a data statement may still need it (PostgreSQL says so)
        ranked = sorted(gaps, key=lambda i: abs(i - gaps[len(gaps) // 2]))
        g = ranked[0]
        applied = [i for i in range(k) if i != g]
        out.append(
            Scenario("gap", applied, [versions[i] for i in applied], alternatives=ranked[1:8])
        )
    baseline = infer_applied(
        "",
        migrations,
        full,
        replay_parsed(parsed[:k]).catalog,
        Recorded.none(""),
        KEEP,
        replay_subset=lambda indexes: replay_parsed([parsed[i] for i in indexes]),
    )
    observed_pending = [i for i in range(k, n) if baseline.verdicts[i].confidence == "observed"]
    if len(observed_pending) >= 2:
        phantom = [versions[i] for i in observed_pending[:2]]
        out.append(
            Scenario(
                "phantom",
                list(range(k)),
                versions[:k] + phantom,
                expect={"recorded_not_applied": phantom},
            )
        )
    # The database holds what the 2 migrations the code lacks created: that is drift, by design.
    unexplained = diff_catalogs(replay_parsed(parsed[:-2]).catalog, full.catalog, keep=KEEP)
    out.append(
        Scenario(
            "behind",
            everything,
            versions,
            code_drop=2,
            expect={
                "recorded_not_in_code": versions[-2:],
                "drift": {f"{d.key.kind} {d.key.display}" for d in unexplained},
            },
        )
    )
    table = next((o for o in full.catalog.of_kind("table")), None)
    if table is not None:
        cols = full.catalog.columns(table.schema, table.name)  # type: ignore[attr-defined]
        qual = f'"{table.schema}"."{table.name}"'  # type: ignore[attr-defined]
        out.append(
            Scenario(
                "drift",
                everything,
                versions,
                drift_sql=f'CREATE INDEX hand_made_idx ON {qual} ("{cols[0].name}");\n'
                f"ALTER TABLE {qual} ADD COLUMN hand_made_note text;\n",
                expect={
                    "drift": {
                        f"index {table.schema}.hand_made_idx",  # type: ignore[attr-defined]
                        f"column {table.schema}.{table.name}.hand_made_note",
                    }
                },  # type: ignore[attr-defined]
            )
        )
    tool_name = json.loads((corpora_path() / corpus / "corpus.json").read_text())["format"]
    if tool_name in NO_TX_MARKERS:
        ddl = {"CreateTable", "CreateIndex", "AlterTable", "CreateFunction", "CreateTrigger"}
        multi = [
            i
            for i in range(2, k)
            if sum(type(op).__name__ in ddl for _, op in parsed[i].statements) >= 2
            and not {d for d in nx.descendants(graph, i) if d < k}
        ]
        if multi:
            p = multi[-1]
            applied = [i for i in range(k) if i != p]
            out.append(
                Scenario(
                    "partial",
                    applied,
                    [versions[i] for i in applied if i < p],
                    partial=p,
                    expect={"partial": [versions[p]]},
                )
            )
    return out


# ------------------------------------------------------------------------------ building


def mark_no_transaction(tool: str, m: Migration, root: Path) -> None:
    """Make migration ``m`` a no-transaction one in the copied directory ``root``."""
    path = root / Path(m.path).relative_to(Path(m.path).parents[1 if tool == "diesel" else 0])
    if tool == "diesel":
        (path.parent / "metadata.toml").write_text("run_in_transaction = false\n")
    elif tool == "goose":
        text = path.read_text()
        path.write_text(text.replace("-- +goose Up", "-- +goose NO TRANSACTION\n-- +goose Up", 1))
    elif tool == "sqlx":
        path.write_text("-- no-transaction\n" + path.read_text())
    elif tool == "dbmate":
        text = path.read_text()
        path.write_text(text.replace("-- migrate:up", "-- migrate:up transaction:false", 1))


def build(pg: PgServer, migrations: list[Migration], sc: Scenario) -> str:
    db = pg.create_database(f"scn_{sc.name}")
    for i in sc.applied if sc.partial is None else sorted([*sc.applied, sc.partial]):
        m = migrations[i]
        if i == sc.partial:
            pm = parse_migration(m)
            first = next(st for st, op in pm.statements if type(op).__name__ != "NoEffect")
            pg.psql(db, first.text + ";\n", single_transaction=False, what=m.path)
            continue
        try:
            pg.psql(db, m.sql, single_transaction=m.in_transaction, what=m.path)
        except Exception:
            if not m.in_transaction:
                raise
            pg.psql(db, m.sql, single_transaction=False, what=m.path)  # CONCURRENTLY in a tx file
    if sc.drift_sql:
        pg.psql(db, sc.drift_sql, single_transaction=True, what="drift")
    return db


def build_first_possible(pg: PgServer, migrations: list[Migration], sc: Scenario) -> str:
    """Build the scenario; for a gap, move it to the next candidate if PostgreSQL refuses."""
    from pg import PsqlError

    candidates = [None, *sc.alternatives]
    for choice in candidates:
        if choice is not None:  # the gap scenario applies range(k) minus one migration
            k = len(sc.applied) + 1
            sc.applied = [i for i in range(k) if i != choice]
            sc.recorded = [migrations[i].version for i in sc.applied]
        try:
            return build(pg, migrations, sc)
        except PsqlError:
            if choice == candidates[-1]:
                raise
            for db in [d for d in pg.created_databases if d.startswith(f"scn_{sc.name}")]:
                pg.drop_database(db)
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------ running


def run_infer(args: list[str]) -> tuple[dict, float]:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "schemadiff", "infer", *args, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    seconds = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"infer failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout), seconds


def write_history_table(
    pg: PgServer, db: str, tool: str, migrations: list[Migration], recorded: list[str]
) -> None:
    """Create the tool's history table holding ``recorded``, in the tool's own row format."""
    from schemadiff.repair import render_sync

    by_version = {m.version: m for m in migrations}
    rows = [by_version[v] for v in recorded if v in by_version]
    script = render_sync(tool, rows, Recorded(tool, "none", False, ()), migrations=migrations)
    pg.psql(db, script.text, single_transaction=False, what=f"{tool} history")
    extra = [v for v in recorded if v not in by_version]
    if extra:  # versions the code lacks (the "behind" scenario): rows for them too
        gone = [Migration(v, "gone", f"{v}_gone.sql", "") for v in extra]
        script = render_sync(
            tool, gone, Recorded(tool, "live", True, ()), migrations=[*migrations, *gone]
        )
        pg.psql(db, script.text, single_transaction=False, what=f"{tool} history (extra)")


def effective_recorded(tool: str, code: list[Migration], recorded: list[str]) -> list[str]:
    """What the tool's table means to the tool: golang-migrate's one row stands for every
    version of the code up to it, and for itself (it cannot name a deleted version below)."""
    if tool != "golang-migrate" or not recorded:
        return recorded
    top = max(int(v) for v in recorded)
    below = [m.version for m in code if int(m.version) < top]
    return [*below, str(top)]


def score(
    corpus: str,
    sc: Scenario,
    source: str,
    migrations: list[Migration],
    doc: dict,
    seconds: float,
    recorded_view: list[str] | None = None,
) -> Outcome:
    in_code = migrations[: len(migrations) - sc.code_drop]
    truth = {}
    for i, m in enumerate(in_code):
        truth[m.version] = (
            "partial" if i == sc.partial else "applied" if i in sc.applied else "pending"
        )
    wrong = []
    wrong_observed = 0
    for v in doc["migrations"]:
        if v["status"] != truth[v["version"]]:
            wrong.append(f"{v['version']}:{v['status']}({v['confidence'][:3]})")
            wrong_observed += v["confidence"] == "observed"
    recorded = set(sc.recorded if recorded_view is None else recorded_view)
    expect_missing = [
        m.version
        for i, m in enumerate(in_code)
        if truth[m.version] == "applied" and m.version not in recorded
    ]
    problems = []
    if doc["missing_from_history"] != expect_missing:
        problems.append(
            f"missing_from_history {len(doc['missing_from_history'])}!={len(expect_missing)}"
        )
    # versions the history claims but the schema refutes (a golang-migrate row over a gap)
    refuted = [
        v
        for v in (recorded_view or [])
        if v in truth
        and truth[v] == "pending"
        and v not in sc.expect.get("recorded_not_applied", [])
    ]
    for key in ("recorded_not_applied", "recorded_not_in_code", "partial"):
        want = sc.expect.get(key, [])
        if key == "recorded_not_in_code" and recorded_view is not None:
            want = [v for v in recorded_view if v not in truth]
        if key == "recorded_not_applied" and refuted:
            want = sorted({*want, *refuted}, key=[m.version for m in migrations].index)
        if doc[key] != want:
            problems.append(f"{key} {doc[key]}!={want}")
    drift = {f"{d['kind']} {d['object']}" for d in doc["drift"]}
    if drift != sc.expect.get("drift", set()):
        problems.append(f"drift {sorted(drift)[:4]}")
    return Outcome(
        corpus,
        sc.name,
        source,
        len(doc["migrations"]),
        wrong,
        wrong_observed,
        not problems,
        "; ".join(problems),
        seconds,
    )


def run_corpus(
    pg: PgServer, corpus: str, sources: list[str], expected: str = "static"
) -> list[Outcome]:
    root = corpora_path() / corpus
    tool = json.loads((root / "corpus.json").read_text())["format"]
    _, migrations = read_migrations(root / "migrations", tool)
    outcomes = []
    for sc in design(corpus, migrations):
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            code = tmp / "migrations"
            shutil.copytree(root / "migrations", code)
            if sc.partial is not None:
                mark_no_transaction(tool, migrations[sc.partial], code)
            for m in migrations[len(migrations) - sc.code_drop :]:
                rel = Path(m.path).relative_to(root / "migrations")
                target = code / rel.parts[0]
                shutil.rmtree(target) if target.is_dir() else target.unlink()
            db = build_first_possible(pg, migrations, sc)
            history = tmp / "history.txt"
            history.write_text("".join(v + "\n" for v in sc.recorded))
            base = ["--migrations", str(code), "--tool", tool]
            if expected == "shadow":  # the expected effects from a scratch database instead
                base += ["--expected", "shadow", "--shadow-dsn", pg.dsn("postgres")]
            if "file" in sources:
                dump = tmp / "dump.sql"
                dump.write_text(pg.pg_dump_schema(db))
                doc, secs = run_infer(
                    [*base, "--schema-file", str(dump), "--history-file", str(history)]
                )
                outcomes.append(score(corpus, sc, "file", migrations, doc, secs))
            if "dsn" in sources:
                # the history table itself, written in the tool's own format, read live
                write_history_table(pg, db, tool, migrations, sc.recorded)
                doc, secs = run_infer([*base, "--dsn", pg.dsn(db)])
                code_migrations = migrations[: len(migrations) - sc.code_drop]
                view = effective_recorded(tool, code_migrations, sc.recorded)
                outcomes.append(score(corpus, sc, "dsn", migrations, doc, secs, view))
            pg.drop_database(db)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", action="append", help="only these corpora")
    ap.add_argument("--sources", default="file,dsn", help="file, dsn or both (comma-separated)")
    ap.add_argument("--check", action="store_true", help="exit 1 unless every run is exact")
    ap.add_argument(
        "--expected",
        choices=("static", "shadow"),
        default="static",
        help="infer's expected effects: static replay, or a shadow database",
    )
    args = ap.parse_args(argv)
    corpora = args.corpus or sorted(
        p.name for p in corpora_path().glob("*") if (p / "corpus.json").is_file()
    )
    if not corpora:
        print(f"no corpora at {corpora_path()}")
        return 0
    sources = args.sources.split(",")
    outcomes: list[Outcome] = []
    server = start_server()
    pg = next(server)
    try:
        for corpus in corpora:
            outcomes += run_corpus(pg, corpus, sources, args.expected)
    finally:
        server.close()
    print(f"\nPostgreSQL {pg.version_num} ({pg.origin})\n")
    print("| corpus | scenario | source | versions | wrong | wrong observed | findings | infer s |")
    print("|---|---|---|---:|---:|---:|---|---:|")
    for o in outcomes:
        findings = "exact" if o.findings_ok else o.detail
        print(
            f"| {o.corpus} | {o.scenario} | {o.source} | {o.versions} | {len(o.wrong)} | "
            f"{o.wrong_observed} | {findings} | {o.seconds:.2f} |"
        )
    bad = [o for o in outcomes if o.wrong or not o.findings_ok]
    for o in bad:
        print(f"- {o.corpus}/{o.scenario}/{o.source}: {' '.join(o.wrong[:6])} {o.detail}")
    exact = len(outcomes) - len(bad)
    print(
        f"\n{exact}/{len(outcomes)} runs exact; wrong observed claims: "
        f"{sum(o.wrong_observed for o in outcomes)}"
    )
    return 1 if args.check and bad else 0


if __name__ == "__main__":
    sys.exit(main())
