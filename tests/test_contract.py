"""The JSON contract (issue 18): every command's document validates against the JSON Schema
shipped in the package, the shipped schemas are the ones the types generate, and a saved
document of another format version is refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from pg import PgServer
from schemadiff import contract

INCIDENT = Path(__file__).resolve().parents[1] / "fixtures" / "incident_goose"
BASE = ["--migrations", str(INCIDENT), "--tool", "goose"]
DUMP = ["--schema-file", str(INCIDENT / "actual_schema.sql")]
HISTORY = ["--history-file", str(INCIDENT / "recorded_versions.txt")]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args], capture_output=True, text=True, timeout=300
    )


def _validate(command: str, document: object) -> None:
    schema = json.loads((contract.SCHEMA_DIR / f"{command}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


@pytest.mark.parametrize("command", contract.COMMANDS)
def test_shipped_schema_is_the_generated_one(command: str) -> None:
    shipped = json.loads((contract.SCHEMA_DIR / f"{command}.schema.json").read_text())
    assert shipped == contract.json_schema(command), (
        "run `python -m schemadiff.contract` to regenerate schemadiff/schemas/"
    )


@pytest.mark.parametrize(
    ("command", "args", "codes"),
    [
        ("diff", ["diff", *BASE, *DUMP, "--format", "json"], (1,)),
        ("infer", ["infer", *BASE, *DUMP, *HISTORY, "--format", "json"], (1,)),
        ("check", ["check", *BASE, *DUMP, *HISTORY, "--format", "json"], (1,)),
        ("sync", ["sync", *BASE, *DUMP, *HISTORY, "--format", "json"], (0,)),
        ("sync", ["sync", *BASE, *DUMP, *HISTORY, "--format", "json", "--style", "migration"],
         (0,)),
        ("repair-schema", ["repair-schema", *BASE, *DUMP, *HISTORY, "--format", "json"], (0,)),
        ("inspect", ["inspect", *DUMP, "--format", "json"], (0,)),
        ("inspect", ["inspect", "--migrations", str(INCIDENT), "--tool", "goose"], (0,)),
    ],
    ids=["diff", "infer", "check", "sync", "sync-migration", "repair-schema", "inspect-dump",
         "inspect-history"],
)
def test_command_output_validates(command: str, args: list[str], codes: tuple[int, ...]) -> None:
    proc = _cli(*args)
    assert proc.returncode in codes, proc.stderr
    document = json.loads(proc.stdout)
    assert document["format_version"] == contract.FORMAT_VERSION
    assert document["command"] == command
    _validate(command, document)


def test_verify_output_validates(pg: PgServer) -> None:
    proc = _cli("verify", *BASE, "--shadow-dsn", pg.dsn("postgres"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    _validate("verify", document)
    assert document["agree"] is True


def test_partial_and_renamed_items_validate(tmp_path: Path) -> None:
    """The optional parts (statements of a partial migration, a renamed item, reasons)."""
    root = tmp_path / "m"
    root.mkdir()
    (root / "00001_a.sql").write_text(
        "-- +goose Up\nCREATE TABLE a (id int PRIMARY KEY, x text, y text);\n"
        "CREATE TABLE b (id int);\nCREATE INDEX b_id ON b (id);\n"
    )
    (root / "00002_c.sql").write_text("-- +goose Up\nCREATE TABLE c (id int, z text, w text);\n")
    (tmp_path / "actual.sql").write_text(
        "CREATE TABLE public.a (id integer NOT NULL, x text, y text);\n"
        "ALTER TABLE ONLY public.a ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n"
        "CREATE TABLE public.c_old (id integer, z text, w text);\n"
    )
    proc = _cli("infer", "-m", str(root), "-t", "goose", "-s", str(tmp_path / "actual.sql"),
                "--format", "json")
    document = json.loads(proc.stdout)
    _validate("infer", document)
    assert document["partial"] == ["1"]
    assert document["migrations"][0]["statements"]["pattern"] == "prefix"
    assert [d["change"] for d in document["drift"]] == ["renamed"]


def test_saved_document_of_another_version_is_refused(tmp_path: Path) -> None:
    saved = tmp_path / "infer.json"
    proc = _cli("infer", *BASE, *DUMP, *HISTORY, "--format", "json")
    document = json.loads(proc.stdout)
    document["format_version"] = contract.FORMAT_VERSION + 1
    saved.write_text(json.dumps(document))
    sync = _cli("sync", *BASE, "--from-json", str(saved))
    assert sync.returncode == 2
    assert sync.stderr.strip() == (
        f"schemadiff: error: {saved}: format_version {contract.FORMAT_VERSION + 1} is not "
        f"{contract.FORMAT_VERSION}: save it again with this schemadiff (`schemadiff infer "
        f"--format json`)"
    )
