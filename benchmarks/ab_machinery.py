"""A/B runs of schemadiff builds that differ by one piece of performance machinery (issue 18).

Each *variant* is a package root (a directory holding a ``schemadiff/`` package) run as
``PYTHONPATH=<root> python -m schemadiff ...``, installed nowhere. Runs are interleaved: every
round runs each variant once per case, in a fresh random order, so that the load of a shared
machine falls on all variants alike. A variant may carry environment settings
(``NAME=ROOT,VAR=VALUE,...``): ``V8=/tmp/ab/V0,SCHEMADIFF_JOBS=1`` is the baseline without
worker processes.

    # the variants of issue 18 (V0 = this checkout; Vn = V0 + benchmarks/ab_machinery/Vn.patch,
    # see VARIANTS; the patches apply to main at 87517e1, redo them after the code moves)
    python benchmarks/ab_machinery.py build /tmp/ab
    # openmeter infer, cold and warm cache, 15 rounds; 5 rounds of the manual pipeline beside it;
    # --nice -10 (root) keeps other sessions' jobs from drowning the differences
    python benchmarks/ab_machinery.py run --case cold,warm --runs 15 --manual 5 --nice -10 \\
        --log /tmp/ab/infer.jsonl V0=/tmp/ab/V0 V1=/tmp/ab/V1 V8=/tmp/ab/V0,SCHEMADIFF_JOBS=1
    python benchmarks/ab_machinery.py run --case scale --runs 15 --log /tmp/ab/scale.jsonl ...
    python benchmarks/ab_machinery.py run --case live --runs 15 --log /tmp/ab/live.jsonl ...
    python benchmarks/ab_machinery.py report /tmp/ab/*.jsonl --baseline V0

Cases:

- ``cold``: ``schemadiff infer --migrations <openmeter>/migrations --tool golang-migrate
  --schema-file <openmeter>/expected_schema.sql --format json``, an empty
  ``SCHEMADIFF_CACHE_DIR`` before each run (emptied and ``sync``-ed untimed);
- ``warm``: the same command right after the variant's cold run of the round (which filled
  the cache untimed for it);
- ``scale``: ``benchmarks/bench_scaling.py --worker`` (the 10,000-migration speed goal's own
  measurement: imports, read, parse + replay, infer; cold cache) on a synthetic history of
  ``--migrations`` files written once; its wall time, its ``total`` and its peak RSS;
- ``scalewarm``: the same with the variant's cache filled (by one untimed run, once): the
  replay and the fact table are loaded from the cache, as in ``bench_scaling``'s warm row;
- ``live``: ``schemadiff inspect --dsn`` of a synthetic database of ``--tables`` tables
  (built once, dropped at the end) with ``SCHEMADIFF_NO_CACHE=1``; ``--pg-dump`` adds
  ``pg_dump --schema-only`` of it as one more variant, for the speed goal's ratio.

``--manual N`` times the manual pipeline of ``bench_infer`` (createdb, every migration through
psql, pg_dump, diff) in N of the rounds, interleaved with the rest: the speed goals' yardstick,
measured in the same session. Every variant's output must be the same (checked on the first
round: the JSON of ``infer`` and ``inspect``).

Every variant's environment gets ``SCHEMADIFF_JOBS=<--jobs>`` (default 2, what a 2-CPU idle
machine chooses) unless it sets its own: left unset, schemadiff turns its workers off while the
1-minute load average is at least the CPU count, which on a shared machine happens in some runs
and not others.

Each measurement is one JSON line in the ``--log`` file (appended as it is made: an
interrupted session keeps what it measured). ``report`` prints per case the median, the
interquartile range, the gain of the baseline over the variant, ``(variant - baseline) /
variant``, and the median of the per-round paired ratios (variant / baseline of the same
round), which is less sensitive to the machine's load drifting over the session.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PATCHES = ROOT / "benchmarks" / "ab_machinery"
CORPUS = ROOT.parent / "shared" / "corpora" / "openmeter"
VARIANTS = ("V1", "V2", "V3", "V4", "V5", "V6", "V7", "V9", "V10", "V11", "V12", "V13")
"""The patched variants ``build`` makes. V0: this checkout as is. Without: V1 the worker forked
before click, V2 the ``importlib.metadata`` stand-in, V3 the cache's write-behind child, V4
the GC thresholds, V5 ``os._exit``, V6 ``frozen.record`` (plain frozen slotted dataclasses),
V7 the mmap board and memfd channels (a ``concurrent.futures`` process pool instead); V8 is
V0 with ``SCHEMADIFF_JOBS=1`` (no workers); V9 all of V1..V7; V10 all but V4; V11 all but V4
and V6; V12 half of V6: the dataclass's own methods, ``frozen.fast_pickling`` kept; V13 the
simple build: V11 with V12's ``frozen``."""


def build(out: Path) -> None:
    """``out/V0`` (this checkout's package) and ``out/Vn`` (V0 plus ``Vn.patch``), compiled."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("V0", *VARIANTS):
        target = out / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        shutil.copytree(
            ROOT / "schemadiff", target / "schemadiff", ignore=shutil.ignore_patterns("__pycache__")
        )
        if name != "V0":
            subprocess.run(
                ["patch", "-s", "-p1", "-d", str(target), "-i", str(PATCHES / f"{name}.patch")],
                check=True,
            )  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(target / "schemadiff")],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        print(f"built {target}", file=sys.stderr)


class Variant:
    def __init__(self, spec: str, jobs: str) -> None:
        name, _, rest = spec.partition("=")
        root, *settings = rest.split(",")
        self.name = name
        self.root = Path(root)
        self.env = {"SCHEMADIFF_JOBS": jobs} if jobs else {}
        for s in settings:
            key, _, value = s.partition("=")
            self.env[key] = value
        if not (self.root / "schemadiff" / "__init__.py").exists():
            raise SystemExit(f"{spec}: no schemadiff package under {self.root}")

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {**os.environ, **self.env, **(extra or {}), "PYTHONPATH": str(self.root)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env


def _subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux): a worker its
    command left running at exit is then waited for here, and its CPU time counted."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _renice(nice: int) -> int | None:
    """This process and every command it times at priority ``nice``; returns the session
    group's nice value before (to restore: the group outlives this process).

    With the kernel's autogroups (``/proc/sys/kernel/sched_autogroup_enabled``), a process's
    nice value only ranks it within its session's group, and groups share the CPUs equally:
    the group's own nice value (``/proc/self/autogroup``) is what ranks it against other
    sessions' jobs.
    """
    os.setpriority(os.PRIO_PROCESS, 0, nice)
    try:
        with open("/proc/self/autogroup", encoding="ascii") as fh:
            before = int(fh.read().split()[-1])  # "/autogroup-123 nice 0"
        with open("/proc/self/autogroup", "w", encoding="ascii") as fh:
            fh.write(str(nice))
    except (OSError, ValueError, IndexError):
        return None
    return before


def _restore_group_nice(nice: int | None) -> None:
    if nice is None:
        return
    try:
        with open("/proc/self/autogroup", "w", encoding="ascii") as fh:
            fh.write(str(nice))
    except OSError:
        pass


def _children_cpu() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _timed(
    args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 1)
) -> tuple[dict[str, float], str]:
    """Wall time until the command exits, and the CPU time (user + system) of its whole
    process tree: orphans it left (reparented here, :func:`_subreaper`) are waited for,
    untimed, before the CPU time is read."""
    cpu = _children_cpu()
    t = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env, check=False, cwd=ROOT)
    seconds = time.perf_counter() - t
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
    if proc.returncode not in ok:
        raise RuntimeError(
            f"{' '.join(args[:4])} ... exited {proc.returncode}: {proc.stderr[-800:]}"
        )
    return {"seconds": seconds, "cpu": _children_cpu() - cpu}, proc.stdout


def _infer_args() -> list[str]:
    return [
        sys.executable, "-m", "schemadiff", "infer",
        "--migrations", str(CORPUS / "migrations"), "--tool", "golang-migrate",
        "--schema-file", str(CORPUS / "expected_schema.sql"), "--format", "json",
    ]  # fmt: skip


def run(args: argparse.Namespace) -> None:
    cases = args.case.split(",")
    group_nice = _renice(args.nice) if args.nice else None
    _subreaper()
    variants = [Variant(s, args.jobs) for s in args.variants]
    log = open(args.log, "a", encoding="utf-8")  # noqa: SIM115 - appended to all session long
    work = Path(tempfile.mkdtemp(prefix="schemadiff-ab-"))
    rng = random.Random(args.seed)
    seen: dict[str, str] = {}  # case -> first output (every variant must print the same)

    def record(case: str, variant: str, rnd: int, **values: Any) -> None:
        try:
            load = os.getloadavg()[0]
        except OSError:
            load = -1.0
        doc = {"case": case, "variant": variant, "round": rnd, "t": time.time(), "load1": load,
               **values}  # fmt: skip
        log.write(json.dumps(doc) + "\n")
        log.flush()
        print(json.dumps(doc), file=sys.stderr, flush=True)

    def same_output(case: str, name: str, text: str) -> None:
        body = json.loads(text)
        if case not in seen:
            seen[case] = json.dumps(body, sort_keys=True)
        elif json.dumps(body, sort_keys=True) != seen[case]:
            raise SystemExit(f"{name}: its {case} output differs from the first variant's")

    pg = None
    server_cm = None
    history = dsn = db = None
    if "scale" in cases or "scalewarm" in cases:
        from synthetic import write_history

        history = work / "history"
        write_history(history, args.migrations)
    if "live" in cases or args.manual:
        from bench_util import server

        server_cm = server()
        pg = server_cm.__enter__()
    if "live" in cases:
        from synthetic import wide_database_sql

        db = pg.create_database("ab_wide")
        pg.psql(db, wide_database_sql(args.tables), single_transaction=False, what="wide database")
        dsn = pg.dsn(db)
    try:
        for rnd in range(args.runs):
            order = list(variants)
            rng.shuffle(order)
            extra: list[str] = []
            if args.pg_dump and "live" in cases:
                extra.append("pg_dump")
            if args.manual and rnd < args.manual:
                extra.append("manual")
            slots: list[Any] = order + extra
            rng.shuffle(slots)
            for v in slots:
                if v == "manual":
                    from bench_infer import manual_pipeline
                    from bench_util import settle

                    settle(pg)
                    seconds, _ = manual_pipeline(pg, CORPUS, work)
                    record("cold", "manual", rnd, seconds=seconds)
                    continue
                if v == "pg_dump":
                    os.sync()
                    m, _ = _timed(
                        [str(pg.pg_dump_bin), "--schema-only", "--no-owner", "--no-privileges",
                         "-d", dsn], dict(os.environ), ok=(0,),
                    )  # fmt: skip
                    record("live", "pg_dump", rnd, **m)
                    continue
                cache = work / f"cache-{v.name}"
                if "cold" in cases or "warm" in cases:
                    shutil.rmtree(cache, ignore_errors=True)
                    os.sync()
                    env = v.environ({"SCHEMADIFF_CACHE_DIR": str(cache)})
                    m, out = _timed(_infer_args(), env)
                    if rnd == 0:
                        same_output("infer", v.name, out)
                    if "cold" in cases:
                        record("cold", v.name, rnd, **m)
                    if "warm" in cases:
                        m, out = _timed(_infer_args(), env)
                        if rnd == 0:
                            same_output("infer", v.name, out)
                        record("warm", v.name, rnd, **m)
                for case in ("scale", "scalewarm"):
                    if case not in cases:
                        continue
                    scaling = [sys.executable, str(ROOT / "benchmarks" / "bench_scaling.py"),
                               "--worker", str(history)]  # fmt: skip
                    if case == "scale":
                        shutil.rmtree(cache, ignore_errors=True)
                        os.sync()
                        where = cache
                    else:  # one untimed cold run fills the variant's cache for every round
                        where = work / f"warm-cache-{v.name}"
                        if not where.exists():
                            _timed([*scaling, str(where)], v.environ(), ok=(0,))
                    m, out = _timed([*scaling, str(where)], v.environ(), ok=(0,))
                    doc = json.loads(out.strip().splitlines()[-1])
                    if rnd == 0:
                        same_output(case, v.name, json.dumps(doc["statuses"]))
                    record(case, v.name, rnd, **m, total=doc["total"],
                           maxrss_mb=doc["maxrss_mb"], phases={k: doc[k] for k in (
                               "imports", "read files", "parse + replay", "infer")})  # fmt: skip
                if "live" in cases:
                    os.sync()
                    m, out = _timed(
                        [sys.executable, "-m", "schemadiff", "inspect", "--dsn", dsn, "-f", "json"],
                        v.environ({"SCHEMADIFF_NO_CACHE": "1"}), ok=(0,),
                    )  # fmt: skip
                    if rnd == 0:
                        same_output("live", v.name, out)
                    record("live", v.name, rnd, **m)
    finally:
        if db is not None and pg is not None:
            pg.drop_database(db)
        if server_cm is not None:
            server_cm.__exit__(None, None, None)
        shutil.rmtree(work, ignore_errors=True)
        log.close()
        _restore_group_nice(group_nice)


def _quartiles(xs: list[float]) -> tuple[float, float, float]:
    if len(xs) < 2:
        return xs[0], xs[0], xs[0]
    q1, q2, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return q1, q2, q3


def report(paths: list[str], baseline: str) -> str:
    rows = [json.loads(line) for p in paths for line in Path(p).read_text().splitlines() if line]
    out = []
    for case in dict.fromkeys(r["case"] for r in rows):
        metrics = ["seconds", "cpu"] + (["total", "maxrss_mb"] if case.startswith("scale") else [])
        data = [r for r in rows if r["case"] == case]
        loads = [r["load1"] for r in data]
        out.append(f"\n### {case}  ({len(data)} runs; 1-min load average during the runs: "
                   f"median {statistics.median(loads):.1f}, {min(loads):.1f}..{max(loads):.1f})\n")  # fmt: skip
        for metric in metrics:
            unit = "MiB" if metric == "maxrss_mb" else "ms"
            scale = 1 if metric == "maxrss_mb" else 1000
            by: dict[str, dict[int, float]] = {}
            for r in data:
                by.setdefault(r["variant"], {})[r["round"]] = (
                    r[metric] * scale if metric in r else None
                )
            by = {k: {i: x for i, x in v.items() if x is not None} for k, v in by.items()}
            by = {k: v for k, v in by.items() if v}
            if not by:
                continue
            base = by.get(baseline, {})
            bmed = statistics.median(base.values()) if base else None
            out.append(f"{metric}:\n")
            out.append(f"| variant | n | median {unit} | IQR {unit} | IQR/median | gain of the piece "
                       f"(var−base)/var | paired ratio var/base: median [IQR] | rounds var > base |")  # fmt: skip
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
            for name in sorted(by, key=lambda n: (n != baseline, n)):
                xs = list(by[name].values())
                q1, med, q3 = _quartiles(xs)
                gain = paired = slower = "-"
                if bmed is not None and name != baseline:
                    gain = f"{(med - bmed) / med * 100:+.1f} %"
                    common = [i for i in by[name] if i in base]
                    if common:
                        ratios = [by[name][i] / base[i] for i in common]
                        p1, pm, p3 = _quartiles(ratios)
                        paired = f"{pm:.3f} [{p1:.3f}..{p3:.3f}]"
                        slower = f"{sum(r > 1 for r in ratios)}/{len(ratios)}"
                out.append(f"| {name} | {len(xs)} | {med:.0f} | {q3 - q1:.0f} | "
                           f"{(q3 - q1) / med * 100:.0f} % | {gain} | {paired} | {slower} |")  # fmt: skip
            out.append("")
    return "\n".join(out)


def main() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="make V0..V9 package roots under DIR")
    b.add_argument("dir", type=Path)
    r = sub.add_parser("run", help="interleaved runs; one JSON line per measurement")
    r.add_argument("variants", nargs="+", help="NAME=ROOT[,VAR=VALUE...]")
    r.add_argument(
        "--case", default="cold,warm", help="cold, warm, scale, scalewarm, live (comma-separated)"
    )
    r.add_argument("--runs", type=int, default=15)
    r.add_argument("--manual", type=int, default=0, help="rounds with the manual pipeline timed")
    r.add_argument("--pg-dump", action="store_true", help="time pg_dump in the live case too")
    r.add_argument("--migrations", type=int, default=10_000)
    r.add_argument("--tables", type=int, default=5_000)
    r.add_argument("--jobs", default="2", help="SCHEMADIFF_JOBS for every variant ('' = unset)")
    r.add_argument("--seed", type=int, default=18)
    r.add_argument(
        "--nice", type=int, default=0,
        help="priority of the timed commands (root: -10 shields them from other jobs)",
    )  # fmt: skip
    r.add_argument("--log", required=True)
    rep = sub.add_parser("report", help="tables from the logs")
    rep.add_argument("logs", nargs="+")
    rep.add_argument("--baseline", default="V0")
    args = p.parse_args()
    if args.cmd == "build":
        build(args.dir)
    elif args.cmd == "run":
        run(args)
    else:
        print(report(args.logs, args.baseline))


if __name__ == "__main__":
    main()
