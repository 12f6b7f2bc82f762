"""Zero false drift on real migration histories (issue 2 acceptance).

For every corpus in ``../shared/corpora``:

- static: the replay of its migrations equals the replay of its ``expected_schema.sql`` (a
  PostgreSQL 15 pg_dump of the database those migrations built), with nothing unmodeled;
- live server: the corpus is applied to the test server with its own applier semantics
  (``ORDER.tsv``: order, transaction or not), dumped with that server's pg_dump, and
  ``schemadiff diff`` through the CLI reports zero differences and exits 0 — on PG 15 and 18.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pg import PgServer, corpora_path
from schemadiff.contract import drift
from schemadiff.differences import diff_catalogs, ignore_history_tables
from schemadiff.history import replay_migrations
from schemadiff.sources.dump import read_dump
from schemadiff.tools import history_tables, read_migrations

CORPORA = sorted(p.name for p in corpora_path().glob("*") if (p / "corpus.json").is_file())
pytestmark = pytest.mark.skipif(not CORPORA, reason=f"no shared corpora at {corpora_path()}")


def _tool(corpus: Path) -> str:
    return json.loads((corpus / "corpus.json").read_text())["format"]


@pytest.mark.parametrize("name", CORPORA)
def test_replay_equals_expected_dump(corpora_dir: Path, name: str) -> None:
    corpus = corpora_dir / name
    _, migrations = read_migrations(corpus / "migrations", _tool(corpus))
    expected = replay_migrations(migrations)
    actual = read_dump(corpus / "expected_schema.sql")
    diffs = diff_catalogs(
        expected.catalog, actual.catalog, expected.effects, ignore_history_tables(history_tables())
    )
    assert [drift(d) for d in diffs] == []
    assert [str(d) for d in expected.diagnostics] == []
    assert [str(d) for d in actual.diagnostics] == []
    # The comparison is not vacuous: the corpus has tables, and they carry columns.
    assert len(actual.catalog.of_kind("table")) > 3
    assert len(expected.catalog.of_kind("column")) == len(actual.catalog.of_kind("column"))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("name", CORPORA)
def test_diff_against_real_server_dump(
    pg: PgServer, corpus_db: Callable[[str], str], corpora_dir: Path, tmp_path: Path, name: str
) -> None:
    corpus = corpora_dir / name
    dbname = corpus_db(name)
    dump = tmp_path / f"{name}.sql"
    dump.write_text(pg.pg_dump_schema(dbname), encoding="utf-8")
    proc = _cli(
        "diff",
        "--migrations",
        str(corpus / "migrations"),
        "--tool",
        _tool(corpus),
        "--schema-file",
        str(dump),
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["differences"] == []
    assert report["unmodeled"] == []
    assert report["summary"]["differences"] == 0


def test_autodetection_names_the_tool(corpora_dir: Path) -> None:
    corpus = corpora_dir / CORPORA[0]
    proc = _cli(
        "diff",
        "--migrations",
        str(corpus / "migrations"),
        "--schema-file",
        str(corpus / "expected_schema.sql"),
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stderr
    assert f"detected {_tool(corpus)} migrations" in proc.stderr
