"""inspect --format sql: the normalized graph as readable statements."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INCIDENT = Path(__file__).resolve().parents[1] / "fixtures" / "incident_goose"


def test_inspect_sql_shows_the_canonical_schema() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "schemadiff", "inspect", "--migrations", str(INCIDENT), "--tool",
         "goose", "--format", "sql"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    sql = proc.stdout
    assert ("CREATE TYPE public.tenant_type AS ENUM "
            "('personal', 'business', 'enterprise', 'government');") in sql
    assert "CREATE TABLE public.legal_entities (" in sql
    assert "ADD CONSTRAINT legal_entities_pkey PRIMARY KEY (id);" in sql
    # the rename of 20260103000000 is visible as its result, not its history
    assert "    full_name " in sql and "display_name" not in sql


def test_unmodeled_statements_keep_their_text(tmp_path: Path) -> None:
    from schemadiff.history import replay_sql

    result = replay_sql("CREATE TABLE t (id int);\nthis is not sql;\n", "x.sql")
    assert [(str(d), d.statement) for d in result.diagnostics] == [
        ("x.sql:2:1: unknown statement this", "this is not sql")]
