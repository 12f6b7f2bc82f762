"""Project configuration (issue 20): which file, which value, and ``schemadiff config``.

Precedence: ``--config`` > the nearest directory upward holding ``schemadiff.toml`` or a
``pyproject.toml`` with ``[tool.schemadiff]`` (``schemadiff.toml`` first within a
directory); a flag given > the file's key > the default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from schemadiff import config
from schemadiff.errors import SchemaDiffError

SD = 'tool = "sqlx"\n'
PY = '[project]\nname = "x"\n[tool.schemadiff]\ntool = "flyway"\n'
PY_WITHOUT = '[project]\nname = "x"\n'

# files to write (relative path -> text), the directory to start from, the file found
DISCOVERY = [
    ("here", {"schemadiff.toml": SD}, ".", "schemadiff.toml"),
    ("upward", {"schemadiff.toml": SD}, "a/b/c", "schemadiff.toml"),
    ("pyproject", {"pyproject.toml": PY}, "a", "pyproject.toml"),
    ("standalone wins in one dir", {"schemadiff.toml": SD, "pyproject.toml": PY}, ".",
     "schemadiff.toml"),
    ("nearest wins", {"schemadiff.toml": SD, "a/pyproject.toml": PY}, "a/b", "a/pyproject.toml"),
    ("nearest standalone", {"pyproject.toml": PY, "a/schemadiff.toml": SD}, "a",
     "a/schemadiff.toml"),
    ("pyproject without our table is passed", {"schemadiff.toml": SD, "a/pyproject.toml":
     PY_WITHOUT}, "a", "schemadiff.toml"),
    ("none", {"a/pyproject.toml": PY_WITHOUT}, "a", None),
    # our table under a quoted key spelled with an escape is still ours (a pyproject without
    # the word "schemadiff" is otherwise passed unparsed)
    ("escaped table name", {"pyproject.toml": '[tool."schema\\u0064iff"]\ntool = "sqlx"\n'},
     ".", "pyproject.toml"),
    ("a mention is not a table", {"a/pyproject.toml": '[project]\nname = "schemadiff-user"\n'},
     "a", None),
]


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize(("files", "start", "expected"), [d[1:] for d in DISCOVERY],
                         ids=[d[0] for d in DISCOVERY])
def test_discovery(tmp_path: Path, files: dict[str, str], start: str,
                   expected: str | None) -> None:
    root = tmp_path / "root"
    _tree(root, files)
    (root / start).mkdir(parents=True, exist_ok=True)
    found = config.find(root / start)
    assert found == (root / expected if expected else None)


def test_explicit_config_beats_the_nearest(tmp_path: Path) -> None:
    _tree(tmp_path, {"schemadiff.toml": SD, "other/pyproject.toml": PY})
    file = config.load(tmp_path / "other" / "pyproject.toml", cwd=tmp_path)
    assert file is not None and file.values == {"tool": "flyway"}
    assert file.origin("tool") == f"{tmp_path / 'other' / 'pyproject.toml'}: tool.schemadiff.tool"
    assert config.load(cwd=tmp_path).values == {"tool": "sqlx"}  # type: ignore[union-attr]


def test_pyproject_ignore_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.schemadiff]\ntool = "goose"\n[tool.schemadiff.ignore]\n'
        'objects = ["table public.audit_*"]\nversions = ["1*"]\n')
    file = config.load(cwd=tmp_path)
    assert file is not None
    assert file.values == {"tool": "goose", "ignore.objects": ["table public.audit_*"],
                           "ignore.versions": ["1*"]}
    assert file.origin("ignore.objects").endswith("pyproject.toml: tool.schemadiff.ignore.objects")


def test_migrations_are_relative_to_the_file(tmp_path: Path) -> None:
    _tree(tmp_path, {"proj/schemadiff.toml": 'migrations = "db/migrations"\n'})
    (tmp_path / "proj" / "deep").mkdir()
    file = config.load(cwd=tmp_path / "proj" / "deep")
    assert file is not None
    assert Path(file.values["migrations"]) == tmp_path / "proj" / "db" / "migrations"


BAD = [
    # file name, text, what the one-line error must say
    ("schemadiff.toml", 'toool = "sqlx"\n', ":1: unknown key 'toool'"),
    ("schemadiff.toml", "tool = 3\n", ":1: tool: expected a tool name"),
    ("schemadiff.toml", 'schemas = "public"\n', ":1: schemas: expected a list"),
    ("schemadiff.toml", 'expected = "exact"\n', "expected: 'exact' is not one of static, shadow"),
    ("schemadiff.toml", '\n[ignore]\nobjects = ["tables x.*"]\n', ":3: ignore.objects: ignore "
     "rule 'tables x.*': unknown kind 'tables'"),
    ("schemadiff.toml", '[ignore]\nobject = ["table x"]\n', "unknown key 'ignore.object'"),
    ("schemadiff.toml", 'tool = "sqlx\n', ":1:13: not valid TOML"),
    ("pyproject.toml", '[tool.schemadiff]\nfail-on = "drift"\n',
     ":2: tool.schemadiff.fail-on: expected a list"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD, ids=[b[2] for b in BAD])
def test_bad_configuration_is_one_line_exit_2(tmp_path: Path, name: str, text: str,
                                              message: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(SchemaDiffError) as err:
        config.load(cwd=tmp_path)
    assert message in str(err.value)
    proc = _run(tmp_path, "diff", "--schema-file", "x.sql")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(tmp_path / name) in lines[0] and message in lines[0], lines


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=env)


FULL = """
migrations = "db/migrations"
tool = "sqlx"
history-table = "ops.history"
schemas = ["public", "shop"]
exclude-schemas = ["scratch"]
fail-on = ["drift", "history"]
expected = "static"
placeholders = ["schema=app"]

[ignore]
objects = ["table public.audit_*", "* legacy.*"]
versions = ["2023*"]
"""


def test_config_command_names_each_values_origin(tmp_path: Path) -> None:
    (tmp_path / "schemadiff.toml").write_text(FULL)
    (tmp_path / "sub").mkdir()
    proc = _run(tmp_path / "sub", "config", "-f", "json", "--tool", "flyway",
                "--ignore", "index *_old")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    file = str(tmp_path / "schemadiff.toml")
    validate("config", doc)
    assert doc["file"] == file
    got = {k: (v["value"], v["origin"]) for k, v in doc["settings"].items()}
    assert got == {
        "migrations": (str(tmp_path / "db" / "migrations"), f"{file}: migrations"),
        "tool": ("flyway", "flag --tool"),
        "history-table": ("ops.history", f"{file}: history-table"),
        "schemas": (["public", "shop"], f"{file}: schemas"),
        "exclude-schemas": (["scratch"], f"{file}: exclude-schemas"),
        "fail-on": (["drift", "history"], f"{file}: fail-on"),
        "expected": ("static", f"{file}: expected"),
        "shadow": (None, "default"),
        "shadow-dsn": (None, "default"),
        "ignore.objects": (["index *_old"], "flag --ignore"),
        "ignore.versions": (["2023*"], f"{file}: ignore.versions"),
        "placeholders": (["schema=app"], f"{file}: placeholders"),
    }
    table = _run(tmp_path / "sub", "config", "--tool", "flyway")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0] == f"configuration file: {file}"
    assert any(line.startswith("tool ") and line.endswith("from flag --tool") for line in lines)
    assert any(line.startswith("shadow ") and line.endswith("from default") for line in lines)


def test_config_command_without_a_file(tmp_path: Path) -> None:
    proc = _run(tmp_path, "config", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["file"] is None
    assert {v["origin"] for v in doc["settings"].values()} == {"default"}
    assert doc["settings"]["fail-on"]["value"] == list(config.BY_NAME["fail-on"].default)


def test_missing_migrations_names_the_configuration(tmp_path: Path) -> None:
    proc = _run(tmp_path, "diff", "--schema-file", "x.sql")
    assert proc.returncode == 2
    assert "give --migrations DIR (or `migrations` in schemadiff.toml" in proc.stderr


@pytest.mark.parametrize(("flags", "fails"), [
    ((), False),  # the file's fail-on: drift only, and the file has no drift but history
    (("--fail-on", "history"), True),  # the flag beats the file
])
def test_flag_overrides_the_files_fail_on(tmp_path: Path, flags: tuple[str, ...],
                                         fails: bool) -> None:
    """A pg_dump-free run: a schema file and a history file, no database needed."""
    migrations = tmp_path / "db"
    migrations.mkdir()
    (migrations / "1_init.sql").write_text("CREATE TABLE t (id int);\n")
    (tmp_path / "schema.sql").write_text("CREATE TABLE public.t (id integer);\n")
    (tmp_path / "history.txt").write_text("")  # applied, not recorded: a history finding
    (tmp_path / "pyproject.toml").write_text(
        '[tool.schemadiff]\nmigrations = "db"\ntool = "sqlx"\nfail-on = ["drift"]\n'
    )
    proc = _run(tmp_path, "check", "--schema-file", "schema.sql", "--history-file",
                "history.txt", "-f", "json", *flags)
    assert proc.returncode == (1 if fails else 0), proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["fail_on"] == (["history"] if fails else ["drift"])


def validate(command: str, document: object) -> None:
    """``document`` against the shipped JSON Schema of ``command``."""
    from schemadiff import contract

    schema = json.loads((contract.SCHEMA_DIR / f"{command}.schema.json").read_text())
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
