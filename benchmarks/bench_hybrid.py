"""The hybrid replay's cost (issue 19, part 2).

    python benchmarks/bench_hybrid.py                          # default server, 3 repeats
    python benchmarks/bench_hybrid.py --baseline /path/to/previous/checkout --repeats 5
    python benchmarks/bench_hybrid.py --unmodeled 8 --embedded

1. A history without unmodeled statements (every shared corpus) must cost what it cost
   before: ``schemadiff infer`` cold (empty cache) and warm, with the hybrid step on (the
   default) and with ``--no-hybrid``, in the same run; with ``--baseline CHECKOUT``, also the
   code of that checkout (``PYTHONPATH``), so "before" is measured on the same machine state.
2. The cost per unmodeled migration: a synthetic goose history of one base migration and
   ``--unmodeled`` migrations each creating tables in a ``DO`` block with ``EXECUTE
   format(...)``, applied to a database and dumped; ``schemadiff diff`` of it with
   ``--no-hybrid`` (the static replay), with the hybrid step cold (``--shadow-dsn`` the same
   server; ``--embedded``: also an embedded server started by the run) and warm (the cached
   result: no server). (hybrid cold - static) / unmodeled is the cost per migration.

Writes ``benchmarks/results/hybrid.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench_util import ROOT, fmt_s, run_timed, schemadiff_cmd, server, settle

from pg import PgServer, corpora_path, corpus_format, corpus_names

_BASE = """-- +goose Up
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
-- +goose Down
DROP TABLE customers;
"""
_DO = """-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['a', 'b', 'c'] LOOP
        EXECUTE format('CREATE TABLE %I (id bigint PRIMARY KEY, '
                       'customer_id bigint REFERENCES customers (id), note text)',
                       'm{n}_' || r);
    END LOOP;
END
$$;
-- +goose StatementEnd
CREATE INDEX m{n}_a_customer ON m{n}_a (customer_id);
-- +goose Down
SELECT 1;
"""


def _clean_history(pg: PgServer, baseline: Path | None, repeats: int,
                   workdir: Path) -> list[dict[str, Any]]:
    """Each corpus, each variant cold then warm, the variants interleaved in every repeat
    (the machine's load drifts: back-to-back repeats of one variant would carry it)."""
    rows = []
    for name in corpus_names():
        corpus = corpora_path() / name
        tool = corpus_format(corpus)
        args = ["infer", "-m", str(corpus / "migrations"), "-t", tool, "-s",
                str(corpus / "expected_schema.sql"), "-f", "json"]
        variants: dict[str, tuple[list[str], dict[str, str]]] = {
            "hybrid on": (schemadiff_cmd(*args), {"PYTHONPATH": str(ROOT)}),
            "--no-hybrid": (schemadiff_cmd(*args, "--no-hybrid"), {"PYTHONPATH": str(ROOT)}),
        }
        if baseline is not None:
            variants["baseline"] = (schemadiff_cmd(*args), {"PYTHONPATH": str(baseline)})
        times: dict[str, dict[str, list[float]]] = {
            k: {"cold": [], "warm": []} for k in variants}
        for _ in range(repeats):
            for label, (cmd, extra) in variants.items():
                cache = workdir / f"cache-{name}-{label.strip('-').replace(' ', '_')}"
                env = {"SCHEMADIFF_CACHE_DIR": str(cache), **extra}

                def empty(cache: Path = cache) -> None:
                    shutil.rmtree(cache, ignore_errors=True)
                    settle()

                cold = run_timed(cmd, env=env, before=empty, ok=(0, 1))
                warm = run_timed(cmd, env=env, ok=(0, 1))
                doc = json.loads(warm.stdout)
                if doc.get("unmodeled"):
                    raise AssertionError(f"{name}: unmodeled statements in a shared corpus")
                times[label]["cold"] += cold.seconds
                times[label]["warm"] += warm.seconds
        rows.append({"corpus": name, **{
            k: {"cold_s": statistics.median(v["cold"]), "warm_s": statistics.median(v["warm"]),
                "cold_runs": v["cold"], "warm_runs": v["warm"]}
            for k, v in times.items()}})
    return rows


def _unmodeled_history(pg: PgServer, n: int, workdir: Path) -> tuple[Path, Path]:
    root = workdir / "unmodeled" / "migrations"
    root.mkdir(parents=True)
    (root / "00001_base.sql").write_text(_BASE, encoding="utf-8")
    for i in range(1, n + 1):
        (root / f"{i + 1:05d}_do_{i}.sql").write_text(_DO.replace("{n}", str(i)),
                                                      encoding="utf-8")
    db = pg.create_database("bench_hybrid")
    for f in sorted(root.glob("*.sql")):
        up = f.read_text().split("-- +goose Down")[0].replace("-- +goose StatementBegin", "")
        pg.psql(db, up.replace("-- +goose StatementEnd", "").replace("-- +goose Up", ""))
    dump = workdir / "unmodeled" / "schema.sql"
    dump.write_text(pg.pg_dump_schema(db), encoding="utf-8")
    pg.drop_database(db)
    return root, dump


def _per_migration(pg: PgServer, n: int, repeats: int, embedded: bool,
                   workdir: Path) -> dict[str, Any]:
    root, dump = _unmodeled_history(pg, n, workdir)
    base = ["diff", "-m", str(root), "-t", "goose", "-s", str(dump), "-f", "json"]
    cache = workdir / "cache-unmodeled"

    def empty() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        settle(pg)

    env = {"SCHEMADIFF_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    static = run_timed(schemadiff_cmd(*base, "--no-hybrid"), repeats=repeats, env=env,
                       before=empty, ok=(0, 1))
    doc = json.loads(static.stdout)
    out: dict[str, Any] = {"unmodeled_migrations": n,
                           "static": {"seconds": static.median,
                                      "unmodeled": doc["summary"]["unmodeled"],
                                      "differences": doc["summary"]["differences"]}}
    servers = {"shadow-dsn": ["--shadow-dsn", pg.dsn()]}
    if embedded:
        servers["embedded"] = []
    for label, flags in servers.items():
        cmd = schemadiff_cmd(*base, *flags)
        cold = run_timed(cmd, repeats=repeats, env=env, before=empty, ok=(0, 1))
        warm = run_timed(cmd, repeats=repeats, env=env, ok=(0, 1))
        doc = json.loads(cold.stdout)
        out[label] = {
            "cold_s": cold.median, "warm_s": warm.median,
            "unmodeled": doc["summary"]["unmodeled"],
            "differences": doc["summary"]["differences"],
            "per_unmodeled_migration_s": (cold.median - static.median) / n,
        }
    return out


def render(res: dict[str, Any]) -> str:
    lines = ["## Hybrid replay", "", "### A history without unmodeled statements", "",
             "| corpus | " + " | ".join(f"{k} cold | {k} warm" for k in res["variants"]) + " |",
             "|---|" + "---:|---:|" * len(res["variants"])]
    for row in res["clean"]:
        cells = [f"{fmt_s(row[k]['cold_s'])} | {fmt_s(row[k]['warm_s'])}"
                 for k in res["variants"]]
        lines.append(f"| {row['corpus']} | " + " | ".join(cells) + " |")
    p = res["per_migration"]
    lines += ["", f"### {p['unmodeled_migrations']} migrations with a DO block building DDL",
              "", "| replay | cold | warm | unmodeled | differences | per unmodeled migration |",
              "|---|---:|---:|---:|---:|---:|",
              f"| static (--no-hybrid) | {fmt_s(p['static']['seconds'])} | | "
              f"{p['static']['unmodeled']} | {p['static']['differences']} | |"]
    for label in ("shadow-dsn", "embedded"):
        if label in p:
            q = p[label]
            lines.append(f"| hybrid, {label} | {fmt_s(q['cold_s'])} | {fmt_s(q['warm_s'])} | "
                         f"{q['unmodeled']} | {q['differences']} | "
                         f"{fmt_s(q['per_unmodeled_migration_s'])} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--unmodeled", type=int, default=6)
    ap.add_argument("--baseline", type=Path, help="a checkout of the code before (PYTHONPATH)")
    ap.add_argument("--embedded", action="store_true", help="also time an embedded server")
    ap.add_argument("--skip-corpora", action="store_true")
    a = ap.parse_args()
    with server() as pg, tempfile.TemporaryDirectory(prefix="bench-hybrid-") as tmp:
        work = Path(tmp)
        variants = ["hybrid on", "--no-hybrid"] + (["baseline"] if a.baseline else [])
        res: dict[str, Any] = {"variants": variants, "repeats": a.repeats,
                               "server": pg.major}
        res["clean"] = [] if a.skip_corpora else _clean_history(pg, a.baseline, a.repeats, work)
        res["per_migration"] = _per_migration(pg, a.unmodeled, a.repeats, a.embedded, work)
    if res["clean"]:
        ratios = [row["hybrid on"]["warm_s"] / row["--no-hybrid"]["warm_s"]
                  for row in res["clean"]]
        res["warm_ratio_median"] = statistics.median(ratios)
    out = ROOT / "benchmarks" / "results" / "hybrid.json"
    out.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    text = render(res)
    (ROOT / "benchmarks" / "results" / "hybrid.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    os.environ.pop("SCHEMADIFF_NO_CACHE", None)
    raise SystemExit(main())
