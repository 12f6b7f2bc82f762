"""PostgreSQL's regression suite as the replay's fidelity oracle (issue 19): the full run.

    python benchmarks/pg_regress.py                    # every script, on the default server
    python benchmarks/pg_regress.py --embedded         # on a throwaway embedded PostgreSQL 18
    python benchmarks/pg_regress.py --scripts enum,domain --no-live
    python benchmarks/pg_regress.py --sample           # the CI sample (tests/test_pg_regress.py)

The server is ``SCHEMADIFF_TEST_DSN``, else ``postgresql://postgres@127.0.0.1:5432/postgres``
when it answers, else the embedded one. How each script is run and compared, and what is
skipped, is in ``tests/regress_harness.py``. Writes ``benchmarks/results/pg_regress_pg<N>.json``
(every number, every non-exact statement with its differences) and ``pg_regress_pg<N>.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench_util import ROOT, server

import regress_harness as rh
from pg import start_server

RESULTS = ROOT / "benchmarks" / "results"


def _progress(r: rh.Comparison) -> None:
    mark = "ok" if r.exact_ddl == r.accepted_ddl and not r.crashes else "  "
    print(f"{mark} {r.name:28} accepted {r.accepted:5} ddl {r.accepted_ddl:5} exact "
          f"{r.exact_ddl:5} diff {r.differences_dump:4}/{r.differences_live:4} unmodeled "
          f"{r.unmodeled:3}/{r.dump_unmodeled:3} crashes {len(r.crashes)} "
          f"({r.seconds_server:.1f}+{r.seconds_engine:.1f} s)", file=sys.stderr, flush=True)


def _causes(results: list[rh.Comparison]) -> tuple[Counter[str], Counter[str]]:
    """Non-exact DDL statements by first cause, and dump-side diagnostics by message."""
    causes: Counter[str] = Counter()
    dump: Counter[str] = Counter()
    for r in results:
        for d in r.details:
            if not d["ddl"]:
                continue
            if d["unmodeled"]:
                causes["unmodeled: " + d["unmodeled"][0][:90]] += 1
            else:
                x = d["differences"][0]
                causes[f"{x['kind']} {x['change']} {x['attribute'] or ''}".strip()] += 1
        for msg in r.dump_diagnostics:
            dump[msg.split(" [")[0][:90]] += 1
    return causes, dump


def markdown(results: list[rh.Comparison], total: dict[str, Any], version: int,
             seconds: float) -> str:
    lines = [
        f"# pg-regress oracle, PostgreSQL {version // 10000} ({version})",
        "",
        f"{total['scripts']} scripts in {seconds:.0f} s. Statements: {total['statements']} "
        f"(skipped {sum(total['skipped'].values())}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(total["skipped"].items()))
        + f"; rejected by the server {total['rejected']}; accepted {total['accepted']}).",
        "",
        f"- accepted DDL statements: **{total['accepted_ddl']}**, replayed exactly: "
        f"**{total['exact_ddl']}** (**{100 * total['exact_ratio']:.2f} %**); "
        f"{total['uncompared_ddl']} of them act only on objects no side compares (operators, "
        "rules, publications, privileges...): without those, "
        f"{total['exact_ddl'] - total['exact_uncompared']} of "
        f"{total['accepted_ddl'] - total['uncompared_ddl']} "
        f"(**{100 * total['exact_compared_ratio']:.2f} %**)",
        f"- differences (all false: the schema is the server's own): {total['differences_dump']} "
        f"against pg_dump, {total['differences_live']} against the live catalog "
        f"(dump and live disagree on {total['differences_dump_live']})",
        f"- unmodeled statements: {total['unmodeled']} in the migration, "
        f"{total['dump_unmodeled']} in the dumps",
        f"- accepted non-DDL statements something is attributed to: {total['blamed_other']}",
        f"- crashes: **{total['crashes']}**",
        "- attribution of differences: " + ", ".join(
            f"{k} {v}" for k, v in sorted(total["attribution"].items()))
        + " (effect: the statement the replay's effect log names as the last setter of the "
        "object or attribute; name: an object the replay never made, blamed on the last "
        "accepted statement naming it or its table; none: no statement found)",
        "",
    ]
    causes, dump = _causes(results)
    if causes:
        lines += ["## Non-exact DDL statements by first cause", "", "| cause | statements |",
                  "|---|---:|"]
        lines += [f"| {c.replace('|', '/')} | {n} |" for c, n in causes.most_common(60)]
        lines.append("")
    if dump:
        lines += ["## Dump statements not modeled", "", "| message | count |", "|---|---:|"]
        lines += [f"| {c.replace('|', '/')} | {n} |" for c, n in dump.most_common(40)]
        lines.append("")
    lines += ["## Per script", "",
              "| script | accepted | DDL | exact | % | diff dump | diff live | unmodeled | "
              "crashes |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        pct = 100 * r.exact_ddl / r.accepted_ddl if r.accepted_ddl else 100.0
        lines.append(f"| {r.name} | {r.accepted} | {r.accepted_ddl} | {r.exact_ddl} | "
                     f"{pct:.1f} | {r.differences_dump} | {r.differences_live} | "
                     f"{r.unmodeled} | {len(r.crashes)} |")
    crashes = [(r.name, c) for r in results for c in r.crashes]
    if crashes:
        lines += ["", "## Crashes", ""] + [f"- {n}: {c}" for n, c in crashes]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scripts", help="comma-separated script names (default: all)")
    ap.add_argument("--sample", action="store_true", help="the CI sample")
    ap.add_argument("--embedded", action="store_true", help="a throwaway embedded PostgreSQL 18")
    ap.add_argument("--no-live", action="store_true", help="compare with pg_dump only")
    ap.add_argument("--no-write", action="store_true", help="print, write no results")
    ap.add_argument("--json", type=Path, help="also write the JSON here (any selection)")
    args = ap.parse_args(argv)
    root = rh.regress_path()
    names = rh.script_names(root)
    if not names:
        print(f"no pg-regress scripts at {root}", file=sys.stderr)
        return 2
    if args.sample:
        names = list(rh.SAMPLE)
    elif args.scripts:
        names = args.scripts.split(",")
    if args.embedded:
        os.environ.pop("SCHEMADIFF_TEST_DSN", None)
    started = time.perf_counter()
    with (contextlib.contextmanager(start_server)() if args.embedded else server()) as pg:
        results = rh.run_suite(pg, names, root, live=not args.no_live, progress=_progress)
        version = pg.version_num
    seconds = time.perf_counter() - started
    total = rh.totals(results)
    text = markdown(results, total, version, seconds)
    print(text)
    data = {"server_version_num": version, "seconds": round(seconds, 1), "totals": total,
            "scripts": [r.to_json() for r in results]}
    blob = json.dumps(data, indent=1, default=str) + "\n"
    if args.json:
        args.json.write_text(blob, encoding="utf-8")
    if not args.no_write and not args.scripts and not args.sample:
        RESULTS.mkdir(parents=True, exist_ok=True)
        major = version // 10000
        (RESULTS / f"pg_regress_pg{major}.md").write_text(text, encoding="utf-8")
        (RESULTS / f"pg_regress_pg{major}.json").write_text(blob, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
