"""``schemadiff check``: the CI gate (issue 5), through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pg import PgServer, corpora_path
from schemadiff.tools import read_migrations

ATUIN = corpora_path() / "atuin"
needs_atuin = pytest.mark.skipif(not ATUIN.is_dir(), reason=f"no atuin corpus at {ATUIN}")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


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


@needs_atuin
def test_seed_004_old_image_is_refused(tmp_path: Path) -> None:
    """The database recorded two versions this code lacks: exit 1, naming both."""
    proc = _check(tmp_path, [*_versions(), "20270107000000", "20270109000000"])
    assert proc.returncode == 1, proc.stderr
    assert "code has fewer migrations than the database" in proc.stdout
    assert "20270107000000" in proc.stdout and "20270109000000" in proc.stdout


@needs_atuin
def test_complete_code_passes(tmp_path: Path) -> None:
    proc = _check(tmp_path, _versions())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("ok:")


@needs_atuin
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


@needs_atuin
def test_github_annotations(tmp_path: Path) -> None:
    """Under GitHub Actions the annotations go to stderr: stdout stays the report (here the
    JSON, which must parse whole)."""
    env = {"GITHUB_ACTIONS": "true"}
    proc = _check(tmp_path, [*_versions(), "20270107000000"], env=env)
    assert proc.returncode == 1
    assert "::error title=schemadiff unknown-versions::code has fewer" in proc.stderr
    assert proc.stdout.startswith("FAIL unknown-versions: code has fewer")
    proc = _check(tmp_path, [*_versions(), "20270107000000"], "--format", "json", env=env)
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["failures"][0]["category"] == "unknown-versions"
    assert "::error" not in proc.stdout


@needs_atuin
def test_unknown_fail_on_is_a_usage_error(tmp_path: Path) -> None:
    proc = _check(tmp_path, _versions(), "--fail-on", "everything")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "unknown --fail-on everything" in proc.stderr


# -- without the corpus: the seed's own fixture, small directories, real dumps --------------


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "DATABASE_URL")}
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], cwd=cwd,
                          env={**base, **(env or {})}, capture_output=True, text=True,
                          timeout=300)


INCIDENT = FIXTURES / "incident_goose"
PHASE_1 = ["20260116000001", "20260116000002", "20260116000003", "20260116000004",
           "20260116000005"]


def test_fail_on_pending_is_the_seeds_verification(tmp_path: Path) -> None:
    """"Nothing pending after `goose up`": the incident database lacks the five Phase 1
    migrations, so --fail-on pending fails and names them; without it (the deploy gate before
    the migration job) pending is not a failure."""
    history = tmp_path / "recorded.txt"
    history.write_text((INCIDENT / "recorded_versions.txt").read_text())
    args = ("check", "-m", str(INCIDENT), "-s", str(INCIDENT / "actual_schema.sql"))
    proc = run(*args, "--fail-on", "pending", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[0] == (
        f"FAIL pending: 5 migration(s) not applied to the database: {', '.join(PHASE_1)}"
    )
    proc = run(*args, "--fail-on", "pending", "--format", "json", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert doc["failures"] == [{"category": "pending", "message": doc["failures"][0]["message"],
                                "versions": PHASE_1}]
    proc = run(*args, "--history-file", str(history), "--fail-on", "unknown-versions",
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.startswith("ok: 27 applied, 5 pending; nothing fails unknown-versions\n")
    # the default is every category but pending
    proc = run(*args, "--history-file", str(history), "--format", "json", cwd=tmp_path)
    assert [f["category"] for f in json.loads(proc.stdout)["failures"]] == ["history"]


def test_fail_on_pending_passes_when_nothing_is_pending(pg: PgServer, tmp_path: Path) -> None:
    """The verification after the migration job: every migration applied, exit 0; one left
    out, exit 1 naming it."""
    root = FIXTURES / "tools" / "golang-migrate"
    _, migrations = read_migrations(root, "golang-migrate")
    for applied in (len(migrations), len(migrations) - 1):
        name = pg.create_database("check_pending")
        for m in migrations[:applied]:
            pg.psql(name, Path(m.path))
        dump = tmp_path / f"{name}.sql"
        dump.write_text(pg.pg_dump_schema(name))
        proc = run("check", "-m", str(root), "-s", str(dump), "--fail-on", "pending,drift",
                   cwd=tmp_path)
        if applied == len(migrations):
            assert proc.returncode == 0, proc.stdout + proc.stderr
        else:
            assert proc.returncode == 1, proc.stdout + proc.stderr
            assert proc.stdout.startswith(
                f"FAIL pending: 1 migration(s) not applied to the database: {migrations[-1].version}\n")


def test_unmodeled_statements_are_counted_and_strict_refuses(tmp_path: Path) -> None:
    """infer and check list what could not be modelled (file:line and the statement's first
    words) in every format; --strict on check and sync makes it an error."""
    bad = FIXTURES / "bad"
    root, dump = str(bad / "not_sql"), str(bad / "ok_dump.sql")
    where = f"{bad / 'not_sql' / '000001_init.up.sql'}:3"
    common = ("-m", root, "-s", dump, "--tool", "golang-migrate")
    for command in ("infer", "check"):
        table = run(command, *common, cwd=tmp_path)
        assert table.returncode in (0, 1), table.stderr
        assert "1 statement(s) could not be modelled (not compared; --strict refuses them):" \
            in table.stdout
        assert f"  {where}: unknown statement These: These are release notes, not SQL:" \
            in table.stdout, table.stdout
        markdown = run(command, *common, "--format", "markdown", cwd=tmp_path)
        assert f"- `{where}: unknown statement These: These are release notes, not SQL:" \
            in markdown.stdout, markdown.stdout
        doc = json.loads(run(command, *common, "--format", "json", cwd=tmp_path).stdout)
        inference = doc if command == "infer" else doc["inference"]
        assert [(u["file"], u["line"]) for u in inference["unmodeled"]] == [
            (str(bad / "not_sql" / "000001_init.up.sql"), 3)]
    for command in ("check", "sync"):
        proc = run(command, *common, "--strict", cwd=tmp_path)
        assert proc.returncode == 2
        assert proc.stderr.startswith(f"schemadiff: error: {where}:1: unknown statement These"), \
            proc.stderr
        assert "Traceback" not in proc.stderr


def test_history_notes_in_table_and_markdown(tmp_path: Path) -> None:
    """A dirty golang-migrate row is said in every format, not only in JSON."""
    dump = tmp_path / "full.sql"
    dump.write_text(
        "--\n-- PostgreSQL database dump\n--\n\n"
        "CREATE TABLE public.users (\n    id bigint NOT NULL\n);\n\n"
        "CREATE TABLE public.schema_migrations (\n    version bigint NOT NULL,\n"
        "    dirty boolean NOT NULL\n);\n\n"
        "COPY public.schema_migrations (version, dirty) FROM stdin;\n1\tt\n\\.\n\n"
        "ALTER TABLE ONLY public.users\n    ADD CONSTRAINT users_pkey PRIMARY KEY (id);\n"
    )
    common = ("-m", str(FIXTURES / "bad" / "ok"), "-s", str(dump))
    note = ("history: version 1 is dirty: it failed part way; golang-migrate refuses to run "
            "until `migrate force` (its effects may be partly present)")
    for command in ("infer", "check"):
        table = run(command, *common, cwd=tmp_path)
        assert "detected golang-migrate migrations" in table.stderr, table.stderr
        assert "history (dump): 0 version(s) recorded" in table.stdout, table.stdout
        assert note in table.stdout
        markdown = run(command, *common, "--format", "markdown", cwd=tmp_path)
        assert f"- {note}" in markdown.stdout, markdown.stdout


def test_github_annotations_never_on_stdout(tmp_path: Path) -> None:
    """GITHUB_ACTIONS=true: `::error` lines on stderr, stdout one JSON document (the seed's
    incident, without the corpus)."""
    args = ("check", "-m", str(INCIDENT), "-s", str(INCIDENT / "actual_schema.sql"),
            "--fail-on", "pending", "--format", "json")
    proc = run(*args, cwd=tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["failures"][0]["category"] == "pending"
    assert "::error title=schemadiff pending::5 migration(s) not applied" in proc.stderr
