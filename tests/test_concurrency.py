"""Runs at the same time, on the same database, dump file and cache directory, agree.

Three schemadiff processes start together against one database (and then one dump file),
sharing one ``SCHEMADIFF_CACHE_DIR``: first cold (all of them write the same cache entries at
once), then warm (all of them read them). Every run must succeed and print the same JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pg import PgServer

CORPUS = "atuin"  # sqlx, 20 files: small, and it has functions, triggers and indexes
RUNS = 3


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SCHEMADIFF_DEBUG", "SCHEMADIFF_NO_CACHE", "DATABASE_URL")
           and not k.startswith("PG")}
    env["SCHEMADIFF_CACHE_DIR"] = str(cache)
    return env


def _together(args: list[str], cwd: Path, cache: Path) -> list[tuple[int, str, str]]:
    """Start ``RUNS`` processes at once; their exit codes, stdouts and stderrs."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "schemadiff", *args], cwd=cwd, env=_env(cache),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
        for _ in range(RUNS)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        results.append((proc.returncode, out, err))
    return results


def _agree(args: list[str], cwd: Path, cache: Path) -> object:
    """Cold, then warm: every run's JSON is the same; return it."""
    seen = []
    for _round in ("cold", "warm"):
        for code, out, err in _together(args, cwd, cache):
            assert code in (0, 1), f"exit {code}:\n{err}"
            assert "Traceback" not in err, err
            seen.append(json.loads(out))
    first = seen[0]
    for other in seen[1:]:
        assert other == first
    return first


@pytest.fixture
def corpus(corpora_dir: Path, corpus_db: Callable[[str], str]) -> tuple[Path, str]:
    return corpora_dir / CORPUS / "migrations", corpus_db(CORPUS)


def test_concurrent_runs_against_one_database_agree(
    pg: PgServer, corpus: tuple[Path, str], tmp_path: Path
) -> None:
    migrations, db = corpus
    cache = tmp_path / "cache"
    dsn = pg.dsn(db)
    diff = _agree(
        ["diff", "-m", str(migrations), "-t", "sqlx", "--dsn", dsn, "--format", "json"],
        tmp_path, cache,
    )
    assert isinstance(diff, dict) and "differences" in diff
    infer = _agree(
        ["infer", "-m", str(migrations), "-t", "sqlx", "--dsn", dsn, "--format", "json"],
        tmp_path, cache,
    )
    assert isinstance(infer, dict)
    assert any(cache.rglob("*.pickle")), "the runs shared no cache entries"


def test_concurrent_runs_on_one_dump_file_agree(
    pg: PgServer, corpus: tuple[Path, str], tmp_path: Path
) -> None:
    migrations, db = corpus
    dump = tmp_path / "schema.sql"
    dump.write_text(pg.pg_dump_schema(db), encoding="utf-8")
    cache = tmp_path / "cache"
    result = _agree(
        ["diff", "-m", str(migrations), "-t", "sqlx", "-s", str(dump), "--format", "json"],
        tmp_path, cache,
    )
    assert isinstance(result, dict) and "differences" in result
    inspected = _agree(["inspect", "-s", str(dump)], tmp_path, cache)
    assert inspected
