"""Run every benchmark; print one markdown report and write it under ``benchmarks/results/``.

    python benchmarks/run.py                 # everything (about 10 minutes on 2 cores)
    python benchmarks/run.py --only infer    # infer | live | scaling, comma-separated
    python benchmarks/run.py --quick         # smaller sizes, one repeat: a smoke run
    python benchmarks/run.py --only live --keep   # re-run one part, keep the others' numbers

Writes ``benchmarks/results/RESULTS.md`` (the same markdown), ``results.json`` (every number)
and ``benchmarks.png`` (matplotlib; ``pip install matplotlib``: the plot is skipped without it).
The server is ``SCHEMADIFF_TEST_DSN``, else ``postgresql://postgres@127.0.0.1:5432/postgres``
when it answers, else a throwaway embedded PostgreSQL (``tests/pg.py``). No goal is asserted:
the report states each goal and whether this run met it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import bench_infer
import bench_live
import bench_scaling
from bench_util import ROOT, server

RESULTS = ROOT / "benchmarks" / "results"
PARTS = ("infer", "live", "scaling")


def _machine(pg_version: int | None) -> str:
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import importlib.util

    spec = importlib.util.find_spec("sqlglot.tokenizer_core")  # sqlglotc: a .so beside the .py
    compiled = (
        "sqlglotc compiled sqlglot"
        if spec and spec.origin and not spec.origin.endswith(".py")
        else "pure-Python sqlglot"
    )
    pg = f"PostgreSQL {pg_version // 10000}" if pg_version else "no PostgreSQL"
    return (
        f"{platform.system()} {platform.machine()}, {cpus} CPUs (load average {load} at the "
        f"start), Python {platform.python_version()} ({compiled}), {pg}"
    )


def _goals(res: dict[str, Any]) -> list[str]:
    out = []
    rows = {r["corpus"]: r for r in res.get("infer", {}).get("rows", [])}
    if "openmeter" in rows:
        r = rows["openmeter"]
        out.append(
            f"- openmeter cold infer >= 10x faster than the manual pipeline: "
            f"**{r['cold_ratio']:.1f}x** ({'met' if r['cold_ratio'] >= 10 else 'NOT met'})"
        )
        out.append(
            f"- openmeter warm infer >= 25x: **{r['warm_ratio']:.1f}x** "
            f"({'met' if r['warm_ratio'] >= 25 else 'NOT met'})"
        )
    big = [r for r in res.get("scaling", {}).get("rows", []) if r["n"] == 10000]
    if big:
        c = big[0]["cold"]
        ok = c["total"] < 15 and c["maxrss_mb"] < 1024
        out.append(
            f"- 10,000 migrations under 15 s and 1 GiB: **{c['total']:.1f} s, "
            f"{c['maxrss_mb']:.0f} MiB** ({'met' if ok else 'NOT met'}); growth exponent "
            f"{res['scaling'].get('cold_exponent', float('nan')):.2f} (1 = linear)"
        )
    live = res.get("live", {})
    if "inspect_ratio" in live:
        inproc, whole = live["read_live_ratio"], live["inspect_ratio"]
        out.append(
            f"- live inspection >= 3x faster than pg_dump: **{inproc:.1f}x** reading the "
            f"catalog (`read_live`, what `diff`/`infer`/`check --dsn` pay; "
            f"{'met' if inproc >= 3 else 'NOT met'}), **{whole:.1f}x** as a whole `inspect "
            f"--dsn` process ({'met' if whole >= 3 else 'NOT met'}: interpreter and imports, "
            "and the JSON of every object, come on top)"
        )
    return out


def render(res: dict[str, Any]) -> str:
    """The whole report as markdown."""
    parts = [
        "# schemadiff benchmarks",
        "",
        f"Run {res['started']} on {res['machine']}; {res['seconds']:.0f} s in all. "
        "Regenerate with `python benchmarks/run.py`. Wall-clock times on a machine shared with "
        "other jobs vary from run to run: compare the ratios measured within one run.",
        "",
        "## Goals",
        "",
        *(_goals(res) or ["- (no goal measured in this run)"]),
    ]
    if "infer" in res:
        parts += [
            "",
            "## infer against the manual pipeline",
            "",
            "Manual pipeline = createdb + every migration through `psql` (ORDER.tsv) + "
            "`pg_dump --schema-only` + `diff -u`. `infer` = the whole `schemadiff infer` "
            "process on that dump (median of the repeats); cold = empty parse cache, warm = "
            "the cache filled.",
            "",
            bench_infer.markdown(res["infer"]),
        ]
    if "live" in res:
        parts += ["", "## Live inspection", "", bench_live.markdown(res["live"])]
    if "scaling" in res:
        parts += [
            "",
            "## Scaling: synthetic golang-migrate histories",
            "",
            "In-process phases of one fresh process per size; total = imports + reading + "
            "parse + replay + infer (against the catalog of the full history); peak memory = "
            "the process's maxrss (parse workers included).",
            "",
            bench_scaling.markdown(res["scaling"]),
        ]
    if res.get("plot"):
        parts += ["", f"![benchmarks]({res['plot']})"]
    return "\n".join(parts) + "\n"


def plot(res: dict[str, Any], path: Path) -> bool:
    """Speed-ups per corpus and scaling curves in one PNG; False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    panels = [p for p in ("infer", "scaling") if p in res and res[p].get("rows")]
    if not panels:
        return False
    fig, axes = plt.subplots(1, len(panels) + ("scaling" in panels), figsize=(15, 4.5))
    axes = list(axes) if hasattr(axes, "__len__") else [axes]
    i = 0
    if "infer" in panels:
        ax = axes[i]
        i += 1
        rows = res["infer"]["rows"]
        names = [r["corpus"] for r in rows]
        xs = range(len(names))
        ax.bar([x - 0.2 for x in xs], [r["cold_ratio"] for r in rows], 0.4, label="cold cache")
        ax.bar([x + 0.2 for x in xs], [r["warm_ratio"] for r in rows], 0.4, label="warm cache")
        ax.axhline(10, color="grey", ls="--", lw=0.8)
        ax.axhline(25, color="grey", ls=":", lw=0.8)
        ax.set_xticks(list(xs), names, rotation=30)
        ax.set_ylabel("speed-up over createdb+psql+pg_dump+diff")
        ax.set_title("infer vs the manual pipeline")
        ax.legend()
    if "scaling" in panels:
        rows = res["scaling"]["rows"]
        ns = [r["n"] for r in rows]
        ax = axes[i]
        for label in ("cold", "warm"):
            pts = [(r["n"], r[label]["total"]) for r in rows if label in r]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=f"total ({label})")
        for phase in ("parse + replay", "infer"):
            ax.plot(ns, [r["cold"][phase] for r in rows], ".--", label=f"{phase} (cold)")
        ax.axhline(15, color="grey", ls="--", lw=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("migrations")
        ax.set_ylabel("seconds")
        ax.set_title("scaling: time")
        ax.legend(fontsize=8)
        ax = axes[i + 1]
        ax.plot(ns, [r["cold"]["maxrss_mb"] for r in rows], "o-", label="peak RSS (cold)")
        ax.axhline(1024, color="grey", ls="--", lw=0.8)
        ax.set_xlabel("migrations")
        ax.set_ylabel("MiB")
        ax.set_title("scaling: peak memory")
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default=",".join(PARTS), help="infer,live,scaling")
    ap.add_argument("--corpus", action="append", help="only these corpora (repeatable)")
    ap.add_argument(
        "--repeats", type=int, default=5, help="runs of each timed command (medians reported)"
    )
    ap.add_argument("--tables", type=int, default=5000)
    ap.add_argument("--sizes", default="1000,3000,10000")
    ap.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument(
        "--keep", action="store_true", help="keep the parts not run from the last results.json"
    )
    ap.add_argument(
        "--render",
        action="store_true",
        help="only rewrite RESULTS.md and the plot from results.json",
    )
    args = ap.parse_args(argv)
    if args.render:
        res = json.loads((args.out / "results.json").read_text())
        if plot(res, args.out / "benchmarks.png"):
            res["plot"] = "benchmarks.png"
        text = render(res)
        (args.out / "RESULTS.md").write_text(text, encoding="utf-8")
        print(text)
        return 0
    only = {p.strip() for p in args.only.split(",") if p.strip()}
    if args.quick:
        args.repeats, args.tables, args.sizes = 1, 300, "200,400"
    sizes = [int(s) for s in args.sizes.split(",")]

    t0 = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    saved = args.out / "results.json"
    res: dict[str, Any] = {}
    if args.keep and saved.exists():  # the parts not run now come from the previous run
        res = {k: v for k, v in json.loads(saved.read_text()).items() if k not in only}
    res["started"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())

    def save() -> None:  # after every part: a failure later keeps what was measured
        saved.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")

    if only & {"infer", "live"}:
        with server() as pg:
            res["machine"] = _machine(pg.version_num)
            if "infer" in only:
                res["infer"] = bench_infer.run(pg, args.corpus, args.repeats)
                save()
            if "live" in only:
                res["live"] = bench_live.run(pg, args.tables, args.repeats)
                save()
    elif "machine" not in res:
        res["machine"] = _machine(None)
    if "scaling" in only:
        res["scaling"] = bench_scaling.run(sizes)
    res["seconds"] = time.perf_counter() - t0 + (res.get("seconds", 0) if args.keep else 0)
    if plot(res, args.out / "benchmarks.png"):
        res["plot"] = "benchmarks.png"
    text = render(res)
    (args.out / "RESULTS.md").write_text(text, encoding="utf-8")
    save()
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
