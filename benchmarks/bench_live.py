"""Live inspection of a wide database: schemadiff against ``pg_dump --schema-only`` and migra.

The database (:func:`synthetic.wide_database_sql`: 5,000 tables with columns, keys, indexes,
checks, foreign keys, plus views, enums, functions and triggers) is built once per run. Each
tool reads the whole schema:

- ``schemadiff inspect --dsn`` (a whole process: start-up, catalog queries, the normalized graph,
  JSON out), and ``read_live`` alone, in-process (what ``diff``/``infer --dsn`` pay);
- ``pg_dump --schema-only`` (the server's own client, of its major version);
- ``migra`` (its own virtualenv, ``/tmp/migra-venv``), comparing an empty database with this one:
  it inspects both, the empty one costs next to nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_util import ROOT, run_timed, schemadiff_cmd, settle
from synthetic import wide_database_sql

from pg import PgServer

MIGRA_VENV = Path(os.environ.get("SCHEMADIFF_MIGRA_VENV", "/tmp/migra-venv"))

_READ_LIVE = r"""
import gc, json, sys, time
from schemadiff.runtime import tune_gc
from schemadiff.sources.live import read_live
tune_gc()  # as every schemadiff command runs
t = time.perf_counter()
replay = read_live(sys.argv[1])
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "tables": len(list(replay.catalog.of_kind("table")))}))
"""


def _live_available() -> str | None:
    """None when ``schemadiff.sources.live.read_live`` imports, else why not."""
    try:
        from schemadiff.sources.live import read_live  # noqa: F401
    except Exception as exc:
        return f"schemadiff.sources.live.read_live is not importable ({type(exc).__name__}: {exc})"
    return None


def _migra() -> Path | None:
    exe = MIGRA_VENV / "bin" / "migra"
    return exe if exe.exists() else None


def run(pg: PgServer, tables: int, repeats: int) -> dict[str, Any]:
    """Build the wide database and time every reader on it."""
    out: dict[str, Any] = {"tables": tables, "notes": []}
    t = time.perf_counter()
    db = pg.create_database("bench_wide")
    pg.psql(db, wide_database_sql(tables), single_transaction=False, what="wide database")
    out["build_s"] = time.perf_counter() - t
    settle(pg)  # the build's writes flushed before pg_dump and schemadiff are timed
    dsn = pg.dsn(db)
    print(f"[live] built {tables} tables in {out['build_s']:.1f} s", file=sys.stderr, flush=True)

    dump = run_timed(
        [str(pg.pg_dump_bin), "--schema-only", "--no-owner", "--no-privileges", "-d", dsn],
        repeats=repeats,
    )
    out["pg_dump_s"] = dump.median
    out["pg_dump_runs"] = dump.seconds

    why = _live_available()
    if why is None:
        cli = run_timed(
            schemadiff_cmd("inspect", "--dsn", dsn, "-f", "json"),
            repeats=repeats,
            env={"SCHEMADIFF_NO_CACHE": "1"},
        )
        out["inspect_s"] = cli.median
        out["inspect_runs"] = cli.seconds
        inproc = []
        for _ in range(repeats):
            proc = subprocess.run(
                [sys.executable, "-c", _READ_LIVE, dsn],
                capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            doc = json.loads(proc.stdout)
            inproc.append(doc["seconds"])
            out["tables_seen"] = doc["tables"]
        out["read_live_s"] = sorted(inproc)[len(inproc) // 2]
        out["inspect_ratio"] = out["pg_dump_s"] / out["inspect_s"]
        out["read_live_ratio"] = out["pg_dump_s"] / out["read_live_s"]
    else:
        out["notes"].append(f"live inspection skipped: {why}")

    migra = _migra()
    if migra is not None:
        empty = pg.create_database("bench_empty")
        try:
            res = run_timed(
                [str(migra), "--unsafe", pg.dsn(empty), dsn], repeats=1, ok=(0, 2), timeout=900
            )
            out["migra_s"] = res.median
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            out["notes"].append(f"migra failed: {str(exc)[:300]}")
        pg.drop_database(empty)
    else:
        out["notes"].append(
            f"migra skipped: no {MIGRA_VENV}/bin/migra (python -m venv {MIGRA_VENV} && "
            f'{MIGRA_VENV}/bin/pip install migra psycopg2-binary "sqlalchemy<2")'
        )
    pg.drop_database(db)
    settle(pg)
    return out


def markdown(result: dict[str, Any]) -> str:
    """One table: each reader's time and its ratio to pg_dump."""
    from bench_util import fmt_ratio, fmt_s

    pd = result["pg_dump_s"]
    rows = [
        ("`pg_dump --schema-only`", pd),
        ("`schemadiff inspect --dsn` (whole process)", result.get("inspect_s")),
        ("`read_live()` (in-process, after imports)", result.get("read_live_s")),
        ("`migra` (empty database vs this one)", result.get("migra_s")),
    ]
    lines = [
        f"Synthetic database: {result['tables']:,} tables (built in {result['build_s']:.0f} s).",
        "",
        "| reader | time | speed-up over pg_dump |",
        "|---|---:|---:|",
    ]
    for label, s in rows:
        lines.append(f"| {label} | {fmt_s(s)} | {fmt_ratio(pd / s if s else None)} |")
    lines += [f"\n_{n}_" for n in result["notes"]]
    return "\n".join(lines)
