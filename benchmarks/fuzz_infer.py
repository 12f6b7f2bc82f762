"""Inference fuzzer: a random history (``fuzz_replay``'s generator) cut into migrations of
one to five statements; a database that ran some of them (every one, a prefix, one or two
skipped, or one stopped after its first statement) with an empty golang-migrate history;
``schemadiff infer`` must claim no proven status the truth refutes. A history that cannot be
built so (a migration needs a skipped one) is said and passed over; one with a wrong claim
is kept under ``--out`` with its truth.

    python benchmarks/fuzz_infer.py --seeds 0:100 --steps 50 --out /tmp/fuzz-infer

Some claims no schema can decide are counted as wrong here (a statement without effect in a
migration stopped midway; a skipped migration whose every effect a later one overwrote,
which is recorded on purpose: see README, "How the comparison stays honest"): read each
case before taking it for a bug. Not part of CI.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from fuzz_replay import Gen, admin, dsn_for, fresh_database, run_history

PY = sys.executable


def migrations_of(statements: list[str], r: random.Random) -> list[list[str]]:
    out: list[list[str]] = []
    i = 0
    while i < len(statements):
        n = r.randint(1, 5)
        out.append(statements[i:i + n])
        i += n
    return out


def build(db: str, migs: list[list[str]], applied: list[int]) -> bool:
    fresh_database(db)
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        conn.execute("CREATE TABLE schema_migrations (version bigint PRIMARY KEY, "
                     "dirty boolean NOT NULL)")
        for i in applied:
            try:
                conn.execute("BEGIN")
                for s in migs[i]:
                    conn.execute(s)
                conn.execute("COMMIT")
            except psycopg.Error:
                conn.execute("ROLLBACK")
                return False
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0:10")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--db", default="lead_ifuzz")
    ap.add_argument("--out", default="/tmp/ifz")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lo, hi = (int(x) for x in args.seeds.split(":"))
    wrong_total = runs = 0
    for seed in range(lo, hi):
        r = random.Random(seed * 7919)
        fresh_database(args.db)
        gen = Gen(seed)
        with psycopg.connect(dsn_for(args.db), autocommit=True) as conn:
            statements = run_history(conn, gen, args.steps)
        migs = migrations_of(statements, r)
        n = len(migs)
        if n < 3:
            continue
        scenario = r.choice(["prefix", "gap", "gap2", "all", "partial"])
        for _attempt in range(6):
            k = r.randint(1, n - 1)
            applied = list(range(n)) if scenario == "all" else list(range(k))
            if scenario in ("gap", "gap2"):
                applied = [i for i in range(n) if i != k]
                if scenario == "gap2":
                    applied = [i for i in applied if i != min(n - 1, k + 2)]
            extra = None
            if scenario == "partial":
                if len(migs[k]) < 2:
                    continue
                extra = migs[k][:1]
            if build(args.db, migs, applied):
                if extra is not None:
                    with psycopg.connect(dsn_for(args.db), autocommit=True) as conn:
                        conn.execute(extra[0])
                break
        else:
            print(f"seed {seed}: {scenario} cannot be built")
            continue
        work = Path(tempfile.mkdtemp())
        mdir = work / "m"
        mdir.mkdir()
        for i, m in enumerate(migs):
            (mdir / f"{i + 1:04d}_m{i + 1}.up.sql").write_text(";\n".join(m) + ";\n")
        proc = subprocess.run([PY, "-m", "schemadiff", "infer", "-m", str(mdir), "-t",
                               "golang-migrate", "--dsn", dsn_for(args.db), "-f", "json"],
                              capture_output=True, text=True)
        runs += 1
        if proc.returncode not in (0, 1):
            print(f"seed {seed}: infer failed: {proc.stderr.strip()[-300:]}")
            continue
        doc = json.loads(proc.stdout)
        truth = {f"{i + 1:04d}".lstrip("0") or "0" for i in applied}
        wrong = []
        for m in doc["migrations"]:
            v = m["version"].lstrip("0")
            ran = v in truth
            if not m["proven"]:
                continue
            if m["status"] == "applied" and not ran:
                wrong.append(f"{m['version']} said applied ({m['confidence']}), not run")
            if m["status"] in ("pending", "not applied") and ran:
                wrong.append(f"{m['version']} said {m['status']} ({m['confidence']}), ran")
            if m["status"] == "partial" and not (scenario == "partial" and v == str(k + 1)):
                wrong.append(f"{m['version']} said partial, {'ran' if ran else 'not run'}")
            if (scenario == "partial" and v == str(k + 1) and m["status"] == "applied"):
                wrong.append(f"{m['version']} (half run) said applied ({m['confidence']})")
        unproven = sum(1 for m in doc["migrations"] if not m["proven"])
        print(f"seed {seed}: {scenario} k={k} n={n}: {len(wrong)} wrong, {unproven} unproven"
              + (f", unmodeled {len(doc['unmodeled'])}" if doc["unmodeled"] else ""), flush=True)
        if wrong:
            wrong_total += len(wrong)
            case = out / f"seed{seed}"
            if case.exists():
                subprocess.run(["rm", "-rf", str(case)])
            mdir.rename(case)
            (case / "TRUTH.txt").write_text(
                f"{scenario} applied={sorted(int(x) for x in truth)}\n" + "\n".join(wrong) + "\n")
            for w in wrong:
                print("   ", w)
    print(f"{runs} runs, {wrong_total} wrong claims")
    with admin() as a:
        a.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")


if __name__ == "__main__":
    main()
