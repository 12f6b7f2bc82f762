"""Ignore rules (issue 20): which keys a rule matches, what goes with them, how they are
counted; and end to end on a real PostgreSQL: an ignored object never fails ``check`` and is
always counted, in every format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from pg import PgServer
from schemadiff.errors import SchemaDiffError
from schemadiff.history import replay_sql
from schemadiff.ignore import ObjectRule, ignored_objects, ignored_versions, parse_rule
from schemadiff.model import Key

MATCHES = [
    # rule, key, matches
    ("table public.audit_*", Key("table", "public", "audit_2026_01"), True),
    ("table public.audit_*", Key("table", "other", "audit_2026_01"), False),
    ("table public.audit_*", Key("view", "public", "audit_v"), False),
    ("index *_2026*", Key("index", "public", "users_2026_idx"), True),
    ("index *_2026*", Key("index", "shop", "orders_2026_01_pkey"), True),
    ("index *_2026*", Key("index", "public", "users_email_idx"), False),
    ("* legacy.*", Key("table", "legacy", "old"), True),
    ("* legacy.*", Key("function", "legacy", "f", "integer"), True),
    ("* legacy.*", Key("schema", "", "legacy"), True),
    ("* legacy.*", Key("table", "public", "legacy"), False),
    ("schema legacy", Key("schema", "", "legacy"), True),
    ("function public.tmp_*", Key("function", "public", "tmp_fix", "integer, text"), True),
    ("column public.users.email", Key("column", "public", "users", "email"), True),
    ("column email", Key("column", "public", "users", "email"), True),
    ("column public.users.*", Key("column", "public", "posts", "id"), False),
    ("trigger *.audit_trg", Key("trigger", "public", "users", "audit_trg"), True),  # * crosses dots
    ("trigger public.audit_trg", Key("trigger", "public", "users", "audit_trg"), False),
    ("trigger *.*.audit_trg", Key("trigger", "public", "users", "audit_trg"), True),
    ("table Public.Users", Key("table", "public", "users"), False),  # case-sensitive
]


@pytest.mark.parametrize(("rule", "key", "expected"), MATCHES,
                         ids=[f"{r}~{k}" for r, k, _ in MATCHES])
def test_rule_matches(rule: str, key: Key, expected: bool) -> None:
    assert parse_rule(rule).matches(key) is expected


@pytest.mark.parametrize("text", ["table", "tables public.x", "table a b", ""])
def test_bad_rule_is_one_line_error(text: str) -> None:
    with pytest.raises(SchemaDiffError) as err:
        parse_rule(text)
    message = str(err.value)
    assert "\n" not in message
    assert "KIND PATTERN" in message or "unknown kind" in message


SQL = """
CREATE TABLE public.users (id bigint PRIMARY KEY, email text);
CREATE TABLE public.audit_2026_01 (id int PRIMARY KEY, x text);
CREATE INDEX audit_x_idx ON public.audit_2026_01 (x);
CREATE INDEX users_2026_idx ON public.users (email);
CREATE SCHEMA legacy;
CREATE TABLE legacy.old (id int);
CREATE FUNCTION legacy.f() RETURNS int LANGUAGE sql AS 'select 1';
"""

COUNTS = [
    # rules, {rule: count}, keys that must be ignored, keys that must not
    (["table public.audit_*"], {"table public.audit_*": 1},
     [Key("table", "public", "audit_2026_01"), Key("column", "public", "audit_2026_01", "x"),
      Key("index", "public", "audit_x_idx")],
     [Key("table", "public", "users")]),
    (["index *_2026*"], {"index *_2026*": 1}, [Key("index", "public", "users_2026_idx")],
     [Key("index", "public", "audit_x_idx")]),
    (["* legacy.*"], {"* legacy.*": 3},
     [Key("schema", "", "legacy"), Key("table", "legacy", "old"),
      Key("column", "legacy", "old", "id"), Key("function", "legacy", "f", "")],
     [Key("table", "public", "users")]),
    (["schema legacy", "table legacy.*"], {"schema legacy": 2, "table legacy.*": 1},
     [Key("table", "legacy", "old"), Key("function", "legacy", "f", "")], []),
    (["table nothing_*"], {"table nothing_*": 0}, [], [Key("table", "public", "users")]),
]


@pytest.mark.parametrize(("rules", "counts", "ignored", "kept"), COUNTS,
                         ids=[" + ".join(r) for r, *_ in COUNTS])
def test_what_goes_with_a_rule_and_how_it_counts(
    rules: list[str], counts: dict[str, int], ignored: list[Key], kept: list[Key]
) -> None:
    catalog = replay_sql(SQL).catalog
    result = ignored_objects([parse_rule(r) for r in rules], [catalog])
    assert {c.rule: c.count for c in result.counts} == counts
    for key in ignored:
        assert key in catalog.objects, key
        assert key in result.keys, key
    for key in kept:
        assert key not in result.keys, key


def test_objects_the_other_filters_drop_are_not_counted() -> None:
    catalog = replay_sql(SQL).catalog
    result = ignored_objects([ObjectRule("*", "legacy.*")], [catalog],
                             keep=lambda k: "legacy" not in (k.schema, k.name))
    assert [c.count for c in result.counts] == [0]


@pytest.mark.parametrize(("patterns", "versions", "expected"), [
    (["2023*"], ["20230101", "20240101"], {"20230101": "2023*"}),
    (["1", "1*"], ["1", "10", "2"], {"1": "1", "10": "1*"}),
    ([], ["1"], {}),
])
def test_version_globs(patterns: list[str], versions: list[str],
                       expected: dict[str, str]) -> None:
    assert ignored_versions(patterns, versions) == expected


# ------------------------------------------------------------------ end to end, real PostgreSQL

MIGRATIONS = {
    "20240101000000_init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
    "20240102000000_posts.sql":
        "CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users(id));\n",
}
HAND_MADE = """
CREATE TABLE audit_2026_01 (id int PRIMARY KEY, x text);
CREATE INDEX users_2026_idx ON users (email);
CREATE SCHEMA legacy;
CREATE TABLE legacy.old (id int);
"""
RULES = ["table public.audit_*", "index *_2026*", "* legacy.*"]


@pytest.fixture(scope="module")
def drifted(pg: PgServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("ignore")
    migrations = root / "migrations"
    migrations.mkdir()
    for name, sql in MIGRATIONS.items():
        (migrations / name).write_text(sql)
    db = pg.create_database("config_ignore")
    pg.psql(db, "".join(MIGRATIONS.values()) + HAND_MADE)
    (root / "history.txt").write_text("20240101000000\n20240102000000\n20230101000000\n")
    return root, pg.dsn(db)


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=env)


def _config(root: Path, objects: list[str], versions: list[str]) -> None:
    (root / "schemadiff.toml").write_text(
        'migrations = "migrations"\ntool = "sqlx"\n[ignore]\n'
        f"objects = {json.dumps(objects)}\nversions = {json.dumps(versions)}\n"
    )


def test_without_rules_the_hand_made_objects_fail_check(drifted: tuple[Path, str]) -> None:
    root, dsn = drifted
    _config(root, [], [])
    proc = _run(root, "check", "--dsn", dsn, "--history-file", "history.txt")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "drift" in proc.stdout and "unknown-versions" in proc.stdout


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "html"])
def test_ignored_objects_pass_check_and_are_counted(drifted: tuple[Path, str], fmt: str) -> None:
    root, dsn = drifted
    _config(root, RULES, ["2023*"])
    proc = _run(root, "check", "--dsn", dsn, "--history-file", "history.txt", "-f", fmt)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if fmt == "json":
        doc = json.loads(proc.stdout)
        validate("check", doc)
        assert doc["ok"] is True
        assert doc["inference"]["ignored"] == [
            {"rule": "table public.audit_*", "what": "object", "count": 1},
            {"rule": "index *_2026*", "what": "object", "count": 1},
            {"rule": "* legacy.*", "what": "object", "count": 2},
            {"rule": "2023*", "what": "version", "count": 1},
        ]
        assert doc["inference"]["recorded_not_in_code"] == []
    else:
        for line in ("1 object ignored by rule", "table public.audit_*",
                     "2 objects ignored by rule", "* legacy.*", "1 version ignored by rule"):
            assert line in proc.stdout, (line, proc.stdout[-2000:])


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_diff_counts_ignored_objects(drifted: tuple[Path, str], fmt: str) -> None:
    root, dsn = drifted
    _config(root, RULES, [])
    proc = _run(root, "diff", "--dsn", dsn, "-f", fmt)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if fmt == "json":
        doc = json.loads(proc.stdout)
        validate("diff", doc)
        assert doc["differences"] == []
        assert [i["count"] for i in doc["ignored"]] == [1, 1, 2]
    else:
        assert "2 objects ignored by rule" in proc.stdout


def test_ignore_flag_replaces_the_files_rules(drifted: tuple[Path, str]) -> None:
    root, dsn = drifted
    _config(root, RULES, ["2023*"])
    proc = _run(root, "diff", "--dsn", dsn, "-f", "json", "--ignore", "table public.audit_*")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert sorted(d["object"] for d in doc["differences"]) == ["legacy", "legacy.old",
                                                                   "public.users_2026_idx"]
    assert doc["ignored"] == [{"rule": "table public.audit_*", "what": "object", "count": 1}]


def test_an_ignored_version_is_not_synced(drifted: tuple[Path, str]) -> None:
    """Recorded, not in this code, ignored: no finding, and sync --prune leaves its row."""
    root, dsn = drifted
    _config(root, RULES, ["2023*"])
    proc = _run(root, "infer", "--dsn", dsn, "--history-file", "history.txt", "-f", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["recorded_not_in_code"] == [] and doc["summary"]["drift"] == 0
    _config(root, RULES, [])
    proc = _run(root, "infer", "--dsn", dsn, "--history-file", "history.txt", "-f", "json")
    assert json.loads(proc.stdout)["recorded_not_in_code"] == ["20230101000000"]


def validate(command: str, document: object) -> None:
    """``document`` against the shipped JSON Schema of ``command``."""
    from schemadiff import contract

    schema = json.loads((contract.SCHEMA_DIR / f"{command}.schema.json").read_text())
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
