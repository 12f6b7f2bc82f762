"""``schemadiff check``: the CI gate (issue 5), through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pg import corpora_path
from schemadiff.tools import read_migrations

ATUIN = corpora_path() / "atuin"
pytestmark = pytest.mark.skipif(not ATUIN.is_dir(), reason=f"no atuin corpus at {ATUIN}")


def _check(
    tmp_path: Path, recorded: list[str], *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    history = tmp_path / "history.txt"
    history.write_text("".join(v + "\n" for v in recorded))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemadiff",
            "check",
            "--migrations",
            str(ATUIN / "migrations"),
            "--tool",
            "sqlx",
            "--schema-file",
            str(ATUIN / "expected_schema.sql"),
            "--history-file",
            str(history),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def _versions() -> list[str]:
    _, migrations = read_migrations(ATUIN / "migrations", "sqlx")
    return [m.version for m in migrations]


def test_seed_004_old_image_is_refused(tmp_path: Path) -> None:
    """The database recorded two versions this code lacks: exit 1, naming both."""
    proc = _check(tmp_path, [*_versions(), "20270107000000", "20270109000000"])
    assert proc.returncode == 1, proc.stderr
    assert "code has fewer migrations than the database" in proc.stdout
    assert "20270107000000" in proc.stdout and "20270109000000" in proc.stdout


def test_complete_code_passes(tmp_path: Path) -> None:
    proc = _check(tmp_path, _versions())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok:")


def test_missing_history_fails_unless_not_asked(tmp_path: Path) -> None:
    versions = _versions()
    proc = _check(tmp_path, versions[:2], "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["ok"] is False
    assert doc["failures"][0]["category"] == "history"
    assert doc["failures"][0]["versions"] == versions[2:]
    proc = _check(tmp_path, versions[:2], "--fail-on", "unknown-versions,drift")
    assert proc.returncode == 0, proc.stdout


def test_github_annotations(tmp_path: Path) -> None:
    proc = _check(tmp_path, [*_versions(), "20270107000000"], env={"GITHUB_ACTIONS": "true"})
    assert proc.returncode == 1
    assert proc.stdout.startswith("::error title=schemadiff unknown-versions::code has fewer")


def test_unknown_fail_on_is_a_usage_error(tmp_path: Path) -> None:
    proc = _check(tmp_path, _versions(), "--fail-on", "everything")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "unknown --fail-on everything" in proc.stderr
