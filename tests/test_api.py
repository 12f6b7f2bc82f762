"""The public API is what the command line runs (issue 18): for every command, the CLI's JSON
is the API's result written by the contract, on the seed incident."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import schemadiff
from pg import PgServer
from schemadiff import contract

INCIDENT = Path(__file__).resolve().parents[1] / "fixtures" / "incident_goose"
DUMP = str(INCIDENT / "actual_schema.sql")
HISTORY = str(INCIDENT / "recorded_versions.txt")


def _cli(*args: str) -> Any:
    proc = subprocess.run([sys.executable, "-m", "schemadiff", *args], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _plain(document: Any) -> Any:
    """The document as JSON reads it back (enums as their strings, tuples as lists)."""
    return json.loads(contract.dumps(document))


def test_readme_example_is_the_cli_infer() -> None:
    """README's API example: ``schemadiff.infer(...)`` gives exactly the CLI's JSON."""
    result = schemadiff.infer(str(INCIDENT), schema_file=DUMP, history_file=HISTORY)
    assert len(result.missing_from_history) == 25
    cli = _cli("infer", "-m", str(INCIDENT), "-s", DUMP, "--history-file", HISTORY,
               "-f", "json")
    assert _plain(contract.infer_document(result)) == cli


@pytest.mark.parametrize(
    ("command", "api", "cli"),
    [
        ("diff",
         lambda: contract.diff_document(*_diff()),
         ["diff", "-m", str(INCIDENT), "-s", DUMP, "-f", "json"]),
        ("check",
         lambda: _check(),
         ["check", "-m", str(INCIDENT), "-s", DUMP, "--history-file", HISTORY, "-f", "json"]),
        ("check-pending",
         lambda: _check(fail_on=("pending",)),
         ["check", "-m", str(INCIDENT), "-s", DUMP, "--history-file", HISTORY, "-f", "json",
          "--fail-on", "pending"]),
        ("sync",
         lambda: _sync(),
         ["sync", "-m", str(INCIDENT), "-s", DUMP, "--history-file", HISTORY, "-f", "json"]),
        ("sync-migration",
         lambda: _sync(style="migration"),
         ["sync", "-m", str(INCIDENT), "-s", DUMP, "--history-file", HISTORY, "-f", "json",
          "--style", "migration"]),
        ("inspect-dump",
         lambda: json.loads(contract.inspect_text(schemadiff.inspect(schema_file=DUMP))),
         ["inspect", "-s", DUMP]),
        ("inspect-history",
         lambda: json.loads(contract.inspect_text(schemadiff.inspect(migrations=INCIDENT))),
         ["inspect", "-m", str(INCIDENT)]),
    ],
)
def test_cli_json_is_the_api_result(command: str, api: Any, cli: list[str]) -> None:
    assert _plain(api()) == _cli(*cli)


def _diff() -> tuple[Any, Any]:
    result = schemadiff.diff(INCIDENT, schema_file=DUMP)
    return result.differences, result.unmodeled


def _check(**kwargs: Any) -> Any:
    result = schemadiff.check(INCIDENT, schema_file=DUMP, history_file=HISTORY, **kwargs)
    return contract.check_document(result.inference, result.failures, result.fail_on)


def _sync(**kwargs: Any) -> Any:
    result = schemadiff.sync(INCIDENT, schema_file=DUMP, history_file=HISTORY, **kwargs)
    return contract.sync_document(result.plan, result.repair, kwargs.get("style", "script"))


def test_cli_verify_is_the_api_result(pg: PgServer) -> None:
    result = schemadiff.verify(INCIDENT, shadow_dsn=pg.dsn("postgres"))
    api = _plain(contract.verify_document(result))
    cli = _cli("verify", "-m", str(INCIDENT), "--shadow-dsn", pg.dsn("postgres"), "-f", "json")
    api.pop("timings"), cli.pop("timings")  # measured, not computed
    assert api == cli and api["agree"] is True


def test_api_errors_are_one_line() -> None:
    with pytest.raises(schemadiff.SchemaDiffError, match="migration directory does not exist"):
        schemadiff.infer("/nonexistent/migrations", schema_file=DUMP)
    with pytest.raises(schemadiff.SchemaDiffError, match="unknown --fail-on nope"):
        schemadiff.check(INCIDENT, schema_file=DUMP, fail_on=("nope",))


def test_api_types_are_enums() -> None:
    result = schemadiff.infer(INCIDENT, schema_file=DUMP, history_file=HISTORY)
    statuses = {v.status for v in result.verdicts}
    assert statuses == {schemadiff.Status.APPLIED, schemadiff.Status.PENDING}
    assert all(isinstance(v.confidence, schemadiff.Confidence) for v in result.verdicts)


def test_the_shared_keywords_are_declared_once_and_checked() -> None:
    """``Inputs`` (what type checkers and readers see) and the record that fills in the
    defaults name the same keywords; a misspelt keyword is a TypeError, not ignored."""
    import dataclasses

    from schemadiff import api

    assert list(api.Inputs.__annotations__) == [f.name for f in dataclasses.fields(api._Given)]
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'schema_fle'"):
        api.infer(".", schema_fle="dump.sql")  # type: ignore[call-arg]
