"""Scaling: synthetic golang-migrate histories of 1,000, 3,000 and 10,000 migrations.

Each size runs in a fresh process (``--worker``), as ``schemadiff infer`` runs: read the
directory, parse every file and replay them (cold: an empty cache, so worker processes parse
while this one replays what they hand back; warm: the replay and fact table the cold run
cached are loaded instead), and
infer which migrations are applied against the catalog the full history builds (a second,
independent replay, untimed: what a database with everything applied holds). Wall time per
phase and the process's peak memory (``ru_maxrss``, the parse workers' included) are reported;
the growth is fitted on a log-log scale (time ~ n^k: k = 1 is linear). "after replay" is the
peak before the stand-in for the actual schema is built (the engine's own footprint).
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from synthetic import write_history

ROOT = Path(__file__).resolve().parents[1]
WARM_LIMIT_S = 60.0
"""A size whose cold run takes longer is not run warm again (the benchmark's time budget)."""


def worker(directory: str, cache_dir: str) -> dict[str, Any]:
    """Run one measurement in this process, the way ``schemadiff infer`` runs; print its JSON.

    The expected side goes through the cache like the CLI's (cold: parse in workers, replay as
    they hand files back, store; warm: load the replay and the fact table). The stand-in for the database (a second
    replay of every file, uncached) is not timed.
    """
    t0 = time.perf_counter()
    from schemadiff.differences import Scope
    from schemadiff.history import parse_migration, replay_parsed
    from schemadiff.inference import infer_applied
    from schemadiff.recorded import Recorded
    from schemadiff.runtime import tune_gc
    from schemadiff.runtime.cache import ParseCache
    from schemadiff.runtime.loader import CachedLoader
    from schemadiff.tools import history_tables, read_migrations

    tune_gc()  # as every schemadiff command runs
    t1 = time.perf_counter()
    name, found = read_migrations(Path(directory), "golang-migrate")
    t2 = time.perf_counter()
    cache = ParseCache(cache_dir)
    expected = CachedLoader(cache).expected(found)  # cold: parse (workers) + replay, streamed
    t4 = time.perf_counter()
    rss_engine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # before the stand-in
    actual = replay_parsed([parse_migration(m) for m in found]).catalog  # all applied
    t5 = time.perf_counter()
    scope = Scope(frozenset(history_tables()))
    result = infer_applied(
        name,
        found,
        expected.replay,
        actual,
        Recorded.none(name),
        scope,
        replay_subset=expected.subset,
        table=expected.facts(scope),
    )
    t6 = time.perf_counter()
    statuses: dict[str, int] = {}
    for v in result.verdicts:
        statuses[v.status] = statuses.get(v.status, 0) + 1
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    doc = {
        "migrations": len(found),
        "statements": sum(st.statements for st in expected.replay.stats.values()),
        "imports": t1 - t0,
        "read files": t2 - t1,
        "parse + replay": t4 - t2,
        "infer": t6 - t5,
        "total": (t4 - t0) + (t6 - t5),  # the actual-schema stand-in is not schemadiff's work
        "maxrss_mb": max(own, kids) / 1024,
        "maxrss_replay_mb": rss_engine / 1024,
        "cache_hits": cache.stats.hits,
        "statuses": statuses,
    }
    print(json.dumps(doc))
    return doc


def _measure(directory: Path, cache: Path) -> dict[str, Any]:
    os.sync()  # the history just written, or the last run's cache: on disk before the timing
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", str(directory), str(cache)],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=900,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"scaling worker failed: {proc.stderr.strip()[-1500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fit(ns: list[int], ys: list[float]) -> tuple[float, float]:
    """Least squares of log y = k log n + c: returns (k, seconds per 1,000 at the largest n)."""
    xs = [math.log(n) for n in ns]
    ls = [math.log(y) for y in ys]
    mx, my = sum(xs) / len(xs), sum(ls) / len(ls)
    k = sum((x - mx) * (y - my) for x, y in zip(xs, ls)) / sum((x - mx) ** 2 for x in xs)
    return k, ys[-1] / ns[-1] * 1000


def run(sizes: list[int]) -> dict[str, Any]:
    """Generate each history, then measure it cold and warm."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="schemadiff-scale-") as tmp:
        for n in sizes:
            directory = Path(tmp) / f"h{n}"
            t = time.perf_counter()
            write_history(directory, n)
            gen = time.perf_counter() - t
            cache = Path(tmp) / f"cache{n}"
            print(f"[scaling] {n} migrations (written in {gen:.1f} s) ...", file=sys.stderr,
                  flush=True)  # fmt: skip
            row: dict[str, Any] = {"n": n, "cold": _measure(directory, cache)}
            if row["cold"]["total"] < WARM_LIMIT_S:
                row["warm"] = _measure(directory, cache)
            rows.append(row)
            shutil.rmtree(directory, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
    out: dict[str, Any] = {"rows": rows}
    if len(rows) >= 2:
        ns = [r["n"] for r in rows]
        for label in ("cold", "warm"):
            pts = [(r["n"], r[label]["total"]) for r in rows if label in r]
            if len(pts) >= 2:
                k, per_k = fit([p[0] for p in pts], [p[1] for p in pts])
                out[f"{label}_exponent"], out[f"{label}_s_per_1000"] = k, per_k
        for phase in ("parse + replay", "infer"):
            out[f"{phase}_exponent"] = fit(ns, [r["cold"][phase] for r in rows])[0]
        k, _ = fit(ns, [r["cold"]["maxrss_mb"] for r in rows])
        out["memory_exponent"] = k
    return out


def markdown(result: dict[str, Any]) -> str:
    """One row per size and mode, then the fitted growth."""
    from bench_util import fmt_s

    lines = [
        "| migrations | statements | cache | parse + replay | infer | total (with imports) "
        "| peak memory | after replay |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        for label in ("cold", "warm"):
            if label not in r:
                continue
            d = r[label]
            lines.append(
                f"| {r['n']:,} | {d['statements']:,} | {label} | {fmt_s(d['parse + replay'])} "
                f"| {fmt_s(d['infer'])} | {fmt_s(d['total'])} "
                f"| {d['maxrss_mb']:.0f} MiB | {d.get('maxrss_replay_mb', 0):.0f} MiB |"
            )
    if "cold_exponent" in result:
        lines += [
            "",
            f"Fitted growth (time ~ n^k, log-log least squares): total k = "
            f"{result['cold_exponent']:.2f} ({result['cold_s_per_1000']:.2f} s per 1,000 "
            f"migrations at the largest size); by phase: parse + replay k = "
            f"{result['parse + replay_exponent']:.2f}, "
            f"infer k = {result['infer_exponent']:.2f}; peak memory k = "
            f"{result['memory_exponent']:.2f}."
            + (
                f" Warm total k = {result['warm_exponent']:.2f}."
                if "warm_exponent" in result
                else ""
            ),
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3])
    else:
        sizes = [int(a) for a in sys.argv[1:]] or [1000, 3000, 10000]
        res = run(sizes)
        print(markdown(res))
