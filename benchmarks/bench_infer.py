"""``schemadiff infer`` (cold and warm parse cache) against the manual pipeline, per corpus.

The manual pipeline is what schemadiff replaces, and what every shadow-database tool pays:
create a database, apply every migration with ``psql`` in the corpus's ``ORDER.tsv`` order (one
transaction per ``tx`` migration, autocommit for ``notx``), ``pg_dump --schema-only`` it and
``diff -u`` the dump against the database's own dump. Both run in the same process tree, on the
same server, in the same run. ``infer`` reads the dump the manual pipeline just made.

- cold: an empty ``SCHEMADIFF_CACHE_DIR`` before each run (every file parsed; in parallel when
  there are many);
- warm: the cache the cold run filled (no file parsed).

Also: where an ``infer`` run spends its time (in-process phases, cold and warm).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_util import ROOT, run_timed, schemadiff_cmd, settle

from pg import PgServer, apply_corpus, corpora_path, corpus_format, corpus_names


def manual_pipeline(pg: PgServer, corpus_dir: Path, workdir: Path) -> tuple[float, Path]:
    """Time createdb + apply + pg_dump + diff; returns seconds and the dump's path."""
    t = time.perf_counter()
    db = pg.create_database(f"bench_{corpus_dir.name}")
    apply_corpus(pg, corpus_dir, db)
    dump = workdir / f"{corpus_dir.name}.sql"
    dump.write_text(pg.pg_dump_schema(db), encoding="utf-8")
    subprocess.run(
        ["diff", "-u", str(corpus_dir / "expected_schema.sql"), str(dump)],
        stdout=subprocess.DEVNULL,
        check=False,
    )
    seconds = time.perf_counter() - t
    pg.drop_database(db)
    return seconds, dump


def bench_corpus(pg: PgServer, name: str, repeats: int, workdir: Path) -> dict[str, Any]:
    """One corpus: manual once, infer cold and warm ``repeats`` times each (medians)."""
    corpus_dir = corpora_path() / name
    tool = corpus_format(corpus_dir)
    settle(pg)
    manual, dump = manual_pipeline(pg, corpus_dir, workdir)
    settle(pg)
    cache = workdir / f"cache-{name}"

    def empty_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        settle()

    args = schemadiff_cmd(
        "infer", "-m", str(corpus_dir / "migrations"), "-t", tool, "-s", str(dump), "-f", "json"
    )
    env = {"SCHEMADIFF_CACHE_DIR": str(cache)}
    cold = run_timed(args, repeats=repeats, env=env, before=empty_cache, ok=(0, 1))
    warm = run_timed(args, repeats=repeats, env=env, ok=(0, 1))
    nocache = run_timed([*args, "--no-cache"], repeats=1, ok=(0, 1))
    if json.loads(warm.stdout) != json.loads(nocache.stdout):
        raise AssertionError(f"{name}: the warm run's report differs from --no-cache's")
    migrations = len(json.loads(warm.stdout)["migrations"])
    return {
        "corpus": name,
        "tool": tool,
        "migrations": migrations,
        "manual_s": manual,
        "cold_s": cold.median,
        "warm_s": warm.median,
        "cold_runs": cold.seconds,
        "warm_runs": warm.seconds,
        "cold_ratio": manual / cold.median,
        "warm_ratio": manual / warm.median,
    }


_PHASES = r"""
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from schemadiff.differences import Scope
from schemadiff.inference import infer_applied
from schemadiff.recorded import Recorded
from schemadiff.runtime import tune_gc
from schemadiff.runtime.cache import ParseCache
from schemadiff.runtime.loader import CachedLoader
from schemadiff.sources.database import DumpFile
from schemadiff.tools import history_tables, read_migrations
tune_gc()
t1 = time.perf_counter()
loader = CachedLoader(ParseCache(sys.argv[4]))
dump = DumpFile(sys.argv[3])
t2 = time.perf_counter()
name, found = read_migrations(Path(sys.argv[1]), sys.argv[2])
t3 = time.perf_counter()
expected = loader.expected(found)
t4 = time.perf_counter()
actual = dump.catalog(loader)
t5 = time.perf_counter()
scope = Scope(frozenset(history_tables()))
infer_applied(name, found, expected.replay, actual.catalog, Recorded.none(name), scope,
              replay_subset=expected.subset, table=expected.facts(scope))
t6 = time.perf_counter()
print(json.dumps({"imports": t1 - t0,
                  "read the dump": t2 - t1,
                  "read files": t3 - t2,
                  "parse + replay the migrations": t4 - t3,
                  "parse + replay the dump": t5 - t4,
                  "infer": t6 - t5}))
"""


def phases(name: str, workdir: Path) -> dict[str, dict[str, float]]:
    """In-process phase times of one corpus's infer, cold then warm cache."""
    corpus_dir = corpora_path() / name
    tool = corpus_format(corpus_dir)
    dump = workdir / f"{name}.sql"
    cache = workdir / f"phases-cache-{name}"
    shutil.rmtree(cache, ignore_errors=True)
    out = {}
    for label in ("cold", "warm"):
        proc = subprocess.run(
            [sys.executable, "-c", _PHASES, str(corpus_dir / "migrations"), tool, str(dump),
             str(cache)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        out[label] = json.loads(proc.stdout)
    return out


def run(pg: PgServer, corpora: list[str] | None, repeats: int) -> dict[str, Any]:
    """Every corpus (or those named); plus the phases of the largest one."""
    names = corpora or corpus_names()
    rows = []
    with tempfile.TemporaryDirectory(prefix="schemadiff-bench-") as tmp:
        workdir = Path(tmp)
        for name in names:
            print(f"[infer] {name} ...", file=sys.stderr, flush=True)
            rows.append(bench_corpus(pg, name, repeats, workdir))
        biggest = "openmeter" if "openmeter" in names else (names[0] if names else None)
        profile = phases(biggest, workdir) if biggest else {}
    return {"rows": rows, "phases_corpus": biggest, "phases": profile}


def markdown(result: dict[str, Any]) -> str:
    """The corpus table and the phase table."""
    from bench_util import fmt_ratio, fmt_s

    lines = [
        "| corpus | tool | migrations | manual pipeline | infer cold | infer warm "
        "| cold speed-up | warm speed-up |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['corpus']} | {r['tool']} | {r['migrations']} | {fmt_s(r['manual_s'])} "
            f"| {fmt_s(r['cold_s'])} | {fmt_s(r['warm_s'])} | {fmt_ratio(r['cold_ratio'])} "
            f"| {fmt_ratio(r['warm_ratio'])} |"
        )
    if result.get("phases"):
        lines += [
            "",
            f"Where one `infer` of **{result['phases_corpus']}** spends its time (in-process):",
            "",
            "| phase | cold | warm |",
            "|---|---:|---:|",
        ]
        cold, warm = result["phases"]["cold"], result["phases"]["warm"]
        for phase in cold:
            lines.append(f"| {phase} | {fmt_s(cold[phase])} | {fmt_s(warm[phase])} |")
        lines.append(f"| **total** | {fmt_s(sum(cold.values()))} | {fmt_s(sum(warm.values()))} |")
    return "\n".join(lines)
