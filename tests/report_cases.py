"""The two histories the report goldens and the browser test render: the goose incident and
``fixtures/damaged_goose`` (partial, unverified, phantom, renamed, re-run, an extra object of
a pending migration), as ``infer``/``check`` documents from the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES: dict[str, list[str]] = {
    "incident": [
        "--migrations", "fixtures/incident_goose", "--tool", "goose",
        "--schema-file", "fixtures/incident_goose/actual_schema.sql",
        "--history-file", "fixtures/incident_goose/recorded_versions.txt",
    ],
    "damaged": [
        "--migrations", "fixtures/damaged_goose/migrations", "--tool", "goose",
        "--schema-file", "fixtures/damaged_goose/actual_schema.sql",
        "--history-file", "fixtures/damaged_goose/recorded_versions.txt",
    ],
}


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m schemadiff`` in the repository (paths in documents stay relative)."""
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env=env)


def document(command: str, case: str) -> dict[str, Any]:
    proc = cli(command, *CASES[case], "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc
