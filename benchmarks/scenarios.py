"""Inference scenarios on real histories, in a real PostgreSQL, scored version by version, then
repaired end to end with ``schemadiff sync``, the tool's own ``up`` and ``schemadiff check``.

For each shared corpus (and one corpus converted to dbmate files, for the real dbmate binary)
this builds databases in known states, chosen from the history's own effect log and
dependency graph (``scenario_design``), never by corpus name:

- ``wiped``: every migration applied, the history table empty;
- ``seed``: the seed incident (80 % applied, only the first 2 recorded);
- ``gap``: one middle migration never applied (one nothing later depends on);
- ``phantom``: 2 versions recorded that were never applied;
- ``behind``: the code lacks the last 2 recorded versions (seed 004);
- ``drift``: a hand-made index and column on top of a fully applied history;
- ``partial``: a no-transaction migration stopped after its first statement (goose, sqlx,
  diesel, dbmate);
- ``out-of-order``: a later migration applied before two earlier ones it does not depend on,
  versions below it still pending, recorded in apply order; ``out-of-order-wiped``: the same,
  history empty;
- ``hot-fix``: one statement of a later transactional migration run by hand (partial);
- ``hand-run``: the next transactional migration run by hand without a transaction, stopped
  by an error midway (partial, no history row);
- ``old-backup``: the database restored from an old backup under a history recording every
  version, including a recorded migration that alters what an absent one created;
- ``restored-dump``: a database created from the schema-only dump of one at version K (no
  history rows), then migrated normally;
- ``renamed``: the table most migrations touch renamed by hand;
- ``extra-schema``: an unrelated schema with a table made by hand;
- ``rerun``: a failed ``goose up`` after two history rows were lost: it re-ran an idempotent
  migration (undoing what a later one replaced) and failed on the next;
- ``unobservable-wiped`` / ``-recorded``: a data-only migration added in the middle of the
  history and never run; the history wiped, or recording all the others.

Each state is inferred from a pg_dump file and live (``--dsn``), scored
(``scenario_score``), and repaired end to end on a copy (``scenario_e2e``).

Run: ``python benchmarks/scenarios.py [--corpus NAME]... [--scenario NAME]... [--sources
file,dsn] [--e2e file,dsn|none] [--check]``. The server is ``SCHEMADIFF_TEST_DSN`` or a
throwaway embedded one (as in the tests). Prints a markdown table and the summary line;
``--check`` exits 1 unless every run is exact with zero wrong observed claims, zero unsafe
sync records and prunes, and every end-to-end run as expected.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from scenario_build import (  # noqa: E402
    TIMES,
    Builder,
    Refused,
    build_first_possible,
    convert_to_dbmate,
    drop_later,
    prepare_code,
    timed,
    wait_for_drops,
    write_history,
)
from scenario_design import History, design, load_history, provable  # noqa: E402
from scenario_e2e import end_to_end, source_args  # noqa: E402
from scenario_score import Outcome, score  # noqa: E402

from pg import PgServer, corpora_path, start_server  # noqa: E402
from schemadiff.migration import Migration  # noqa: E402
from schemadiff.tools import read_migrations  # noqa: E402

DBMATE_SUFFIX = "@dbmate"


def run_infer(args: list[str]) -> tuple[dict, float]:
    import subprocess

    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "schemadiff", "infer", *args, "--format", "json"],
        capture_output=True, text=True, timeout=600, check=False)
    seconds = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"infer failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout), seconds


def effective_recorded(tool: str, code: list[Migration], recorded: list[str]) -> list[str]:
    """What the tool's table means to the tool: golang-migrate's one row stands for every
    version of the code up to it, and for itself (it cannot name a deleted version below)."""
    if tool != "golang-migrate" or not recorded:
        return recorded
    top = max(int(v) for v in recorded)
    below = [m.version for m in code if int(m.version) < top]
    return [*below, str(top)]


def histories(names: list[str] | None, dbmate: bool, tmp: Path) -> list[tuple[str, str, Path]]:
    """``(name, tool, migrations dir)`` of every corpus, and the dbmate conversion of the
    smallest one whose versions are all digits (unless a corpus is dbmate already)."""
    out = []
    for p in sorted(corpora_path().glob("*")):
        if (p / "corpus.json").is_file():
            tool = json.loads((p / "corpus.json").read_text())["format"]
            out.append((p.name, tool, p / "migrations"))
    if dbmate and not any(tool == "dbmate" for _, tool, _ in out):
        candidates = []
        for name, tool, root in out:
            _, migrations = read_migrations(root, tool)
            if migrations and all(m.version.isdigit() for m in migrations):
                candidates.append((len(migrations), name, migrations))
        if candidates:
            _, name, migrations = min(candidates)
            dest = tmp / f"{name}-dbmate"
            convert_to_dbmate(migrations, dest)
            out.append((name + DBMATE_SUFFIX, "dbmate", dest))
    if names:
        out = [h for h in out if h[0] in names]
    return out


def run_history(pg: PgServer, name: str, tool: str, root: Path, opts: argparse.Namespace,
                dbmate_bin: Path | None) -> list[Outcome]:
    _, migrations = read_migrations(root, tool)
    h = load_history(name, tool, migrations)
    scenarios = [sc for sc in design(h) if not opts.scenario or sc.name in opts.scenario]
    prefixes = {alt.steps[0].index for sc in scenarios for alt in [sc, *sc.alternatives]
                if alt.steps}
    builder = Builder(pg, h, prefixes)
    outcomes: list[Outcome] = []
    try:
        for sc in scenarios:
            outcomes += _run_scenario(pg, h, root, builder, sc, opts, dbmate_bin)
    finally:
        builder.close()
    return outcomes


def _run_scenario(pg: PgServer, h: History, root: Path, builder: Builder, sc: object,
                  opts: argparse.Namespace, dbmate_bin: Path | None) -> list[Outcome]:
    from scenario_design import Scenario

    assert isinstance(sc, Scenario)
    if sc.skipped:
        return [Outcome(h.name, sc.name, "-", skipped=sc.skipped)]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        try:
            with timed("build"):
                sc, db = build_first_possible(builder, sc)
        except Refused as exc:
            return [Outcome(h.name, sc.name, "-", skipped=f"PostgreSQL refused every "
                            f"construction: {str(exc).splitlines()[0][:100]}")]
        try:
            code, code_migrations = prepare_code(h, root, sc, tmp)
            write_history(pg, db, h.tool, h.migrations, sc.recorded)
            decidable = provable(h, sc)
            history = tmp / "history.txt"
            history.write_text("".join(v + "\n" for v in sc.recorded))
            dump = tmp / "dump.sql"
            dump.write_text(pg.pg_dump_schema(db))
            base = ["--migrations", str(code), "--tool", h.tool]
            if opts.expected == "shadow":
                base += ["--expected", "shadow", "--shadow-dsn", pg.dsn("postgres")]
            out = []
            for source in opts.sources:
                args = source_args(source, dump, history)
                with timed("infer"):
                    doc, secs = run_infer([*base, *[pg.dsn(db) if a == "{dsn}" else a
                                                    for a in args]])
                view = sc.recorded if source == "file" else \
                    effective_recorded(h.tool, code_migrations, sc.recorded)
                o = score(h.name, sc, source, doc, view, decidable, secs)
                if source in opts.e2e:
                    e = end_to_end(pg, db, sc, h.tool, code, code_migrations, args, decidable,
                                   tmp, dbmate_bin)
                    o.e2e, o.e2e_ok = e.verdict, e.ok
                    o.unsafe_record += [v for v in e.unsafe_record if v not in o.unsafe_record]
                    o.unsafe_prune += [v for v in e.unsafe_prune if v not in o.unsafe_prune]
                out.append(o)
            return out
        finally:
            drop_later(pg, db)


def summary(outcomes: list[Outcome]) -> tuple[str, bool]:
    runs = [o for o in outcomes if not o.skipped]
    exact = sum(o.exact for o in runs)
    observed = sum(o.wrong_observed for o in runs)
    records = sum(bool(o.unsafe_record) for o in runs)
    prunes = sum(bool(o.unsafe_prune) for o in runs)
    e2e = [o for o in runs if o.e2e]
    e2e_ok = sum(o.e2e_ok for o in e2e)
    clean = sum(o.e2e.startswith("clean") for o in e2e)
    named = sum(o.e2e_ok and o.e2e.startswith("named") for o in e2e)
    line = (f"{exact}/{len(runs)} runs exact; wrong observed claims: {observed}; "
            f"unsafe sync records: {records}; unsafe prunes: {prunes}; "
            f"end to end: {e2e_ok}/{len(e2e)} as expected ({clean} clean, {named} named "
            f"what no history repair fixes)")
    ok = exact == len(runs) and not observed and not records and not prunes \
        and e2e_ok == len(e2e)
    return line, ok


def print_report(pg: PgServer, outcomes: list[Outcome]) -> None:
    print(f"\nPostgreSQL {pg.version_num} ({pg.origin})\n")
    print("| corpus | scenario | source | versions | wrong | wrong observed | unsafe record | "
          "unsafe prune | findings | end to end | infer s |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|---|---:|")
    for o in outcomes:
        if o.skipped:
            print(f"| {o.corpus} | {o.scenario} | - | | | | | | skipped: {o.skipped} | | |")
            continue
        findings = "exact" if o.exact else "; ".join(
            ([f"wrong {' '.join(o.wrong[:4])}"] if o.wrong else []) + o.problems
            + ([f"unsafe record {' '.join(o.unsafe_record[:3])}"] if o.unsafe_record else [])
            + ([f"unsafe prune {' '.join(o.unsafe_prune[:3])}"] if o.unsafe_prune else []))
        findings = findings.replace("|", "/")
        print(f"| {o.corpus} | {o.scenario} | {o.source} | {o.versions} | {len(o.wrong)} | "
              f"{o.wrong_observed} | {len(o.unsafe_record)} | {len(o.unsafe_prune)} | "
              f"{findings} | {(o.e2e or '-').replace('|', '/')} | {o.seconds:.2f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", action="append", help="only these corpora (NAME, or "
                    f"NAME{DBMATE_SUFFIX} for the dbmate conversion)")
    ap.add_argument("--scenario", action="append", help="only these scenarios")
    ap.add_argument("--sources", default="file,dsn", help="file, dsn or both (comma-separated)")
    ap.add_argument("--e2e", default="dsn",
                    help="sources to repair end to end after inferring: dsn (default), "
                    "file,dsn (the full run) or none")
    ap.add_argument("--jobs", type=int, default=2, help="histories run side by side")
    ap.add_argument("--no-dbmate", action="store_true",
                    help="leave out the dbmate conversion (no npm needed)")
    ap.add_argument("--check", action="store_true", help="exit 1 unless everything is exact")
    ap.add_argument("--json", type=Path, help="also write every outcome here")
    ap.add_argument(
        "--expected", choices=("static", "shadow"), default="static",
        help="infer's expected effects: static replay, or a shadow database")
    opts = ap.parse_args(argv)
    opts.sources = [s for s in opts.sources.split(",") if s]
    opts.e2e = [] if opts.e2e == "none" else [s for s in opts.e2e.split(",") if s]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        # a cache of this run's own: never shared with other checkouts' concurrent runs
        os.environ.setdefault("SCHEMADIFF_CACHE_DIR", str(tmp / "cache"))
        selected = histories(opts.corpus, not opts.no_dbmate, tmp)
        if not selected:
            print(f"no corpora at {corpora_path()}")
            return 0
        dbmate_bin = None
        if any(tool == "dbmate" for _, tool, _ in selected) and opts.e2e:
            from dbmate_binary import DbmateUnavailable, install_dbmate

            try:
                dbmate_bin = install_dbmate(tmp / "npm")
            except DbmateUnavailable as exc:  # the dbmate conversion needs its binary
                print(f"dbmate left out: {str(exc).splitlines()[0]}")
                selected = [h for h in selected if h[1] != "dbmate"]
        outcomes: list[Outcome] = []
        server = start_server()
        pg = next(server)
        try:
            # most of the time is spent waiting for PostgreSQL and for schemadiff processes:
            # histories run side by side, each in its own thread with its own databases
            with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
                futures = [pool.submit(run_history, pg, name, tool, root, opts, dbmate_bin)
                           for name, tool, root in selected]
                for future in futures:
                    outcomes += future.result()
        finally:
            wait_for_drops()
            server.close()
    print_report(pg, outcomes)
    bad = [o for o in outcomes if not o.skipped and (not o.exact or not o.e2e_ok)]
    for o in bad:
        print(f"- {o.corpus}/{o.scenario}/{o.source}: {' '.join(o.wrong[:6])} "
              f"{'; '.join(o.problems)}" + ("" if o.e2e_ok else f" | e2e: {o.e2e}"))
    line, ok = summary(outcomes)
    print(f"\n{line} ({time.perf_counter() - started:.0f} s)")
    print("time: " + ", ".join(f"{k} {v:.0f} s" for k, v in sorted(TIMES.items())))
    if opts.json:
        opts.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    return 1 if opts.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
