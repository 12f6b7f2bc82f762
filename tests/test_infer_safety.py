"""Safe verdicts (issue 17): nothing is recorded, pruned or blessed that the schema does not prove.

Each case damages a real history's schema the way people do (a statement run by hand, a file
run by psql that stopped, a table renamed by a DBA, a database restored under a newer history,
an idempotent migration run again) and checks the verdicts ``sync`` would act on. The damaged
schemas are replays of known subsets of the real corpora, so the truth is known statement by
statement; ``benchmarks/scenarios.py`` builds the same damage in a real server.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from pg import corpora_path
from schemadiff.differences import ignore_history_tables
from schemadiff.history import ParsedMigration, parse_migration, replay_parsed
from schemadiff.inference import Inference, infer_applied
from schemadiff.migration import Migration
from schemadiff.model import Catalog, Key
from schemadiff.recorded import Recorded, RecordedVersion
from schemadiff.sql.replay import Replayer
from schemadiff.tools import history_tables, read_migrations

KEEP = ignore_history_tables(history_tables())
CORPORA = sorted(p.name for p in corpora_path().glob("*") if (p / "corpus.json").is_file())
SCHEMA_OPS = {"CreateTable", "CreateIndex", "AlterTable", "CreateFunction", "CreateView"}


@cache
def _corpus(name: str) -> tuple[str, list[ParsedMigration]]:
    root = corpora_path() / name
    tool = json.loads((root / "corpus.json").read_text())["format"]
    _, migrations = read_migrations(root / "migrations", tool)
    return tool, [parse_migration(m) for m in migrations]


def _infer(
    tool: str, parsed: list[ParsedMigration], actual: Catalog, recorded: Recorded | None = None
) -> Inference:
    return infer_applied(
        tool,
        [pm.migration for pm in parsed],
        replay_parsed(parsed),
        actual,
        recorded or Recorded.none(tool),
        KEEP,
        replay_subset=lambda indexes: replay_parsed([parsed[i] for i in indexes]),
    )


def _recorded(tool: str, versions: list[str]) -> Recorded:
    return Recorded(tool, "live", True, tuple(RecordedVersion(v) for v in versions))


def _versions(parsed: list[ParsedMigration]) -> list[str]:
    return [pm.migration.version for pm in parsed]


def _schema_statements(pm: ParsedMigration) -> list[int]:
    return [i for i, (_, op) in enumerate(pm.statements) if type(op).__name__ in SCHEMA_OPS]


def _replays_cleanly(parsed: list[ParsedMigration]) -> Catalog | None:
    """The schema of ``parsed``, or None when a statement would fail (it needs what a skipped
    statement makes)."""
    replay = replay_parsed(parsed)
    return None if replay.diagnostics else replay.catalog


def _damaged_statements(parsed: list[ParsedMigration], pick: str) -> tuple[int, Catalog, list[int]]:
    """A transactional migration from the last fifth of the history with several schema
    statements, and the schema of everything before it plus some of its statements: its
    first ones (``prefix``: a psql run that stopped) or its last one alone (``hot-fix``)."""
    n = len(parsed)
    for t in range(n - 1, int(n * 0.5), -1):
        pm = parsed[t]
        ddl = _schema_statements(pm)
        if not pm.migration.in_transaction or len(ddl) < (3 if pick == "prefix" else 2):
            continue
        keep = ddl[:1] if pick == "prefix" else ddl[-1:]
        if pick == "prefix":
            keep = list(range(ddl[1]))  # everything up to (not including) its second DDL
        part = ParsedMigration(pm.migration, [pm.statements[i] for i in keep])
        catalog = _replays_cleanly([*parsed[:t], part])
        if catalog is not None and catalog != replay_parsed(parsed[:t]).catalog:
            return t, catalog, keep
    pytest.skip(f"no transactional migration with enough statements for {pick}")


# ------------------------------------------------------------------------------ partial


@pytest.mark.parametrize("pick", ["prefix", "hot-fix"])
@pytest.mark.parametrize("name", CORPORA)
def test_statements_run_by_hand_make_a_transactional_migration_partial(
    name: str, pick: str
) -> None:
    """Some statements' effects present and some absent is partial whatever the transaction
    mode; the history does not record it, so sync must not either."""
    tool, parsed = _corpus(name)
    t, actual, _ = _damaged_statements(parsed, pick)
    versions = _versions(parsed)
    for recorded in (Recorded.none(tool), _recorded(tool, versions[:t]), _recorded(tool, [])):
        result = _infer(tool, parsed, actual, recorded)
        verdict = result.verdicts[t]
        assert verdict.status == "partial", (name, verdict.present, verdict.absent)
        assert verdict.statements_present and verdict.statements_absent
        assert verdict.pattern == ("prefix" if pick == "prefix" else "hot-fix")
        assert result.partial == [versions[t]]
        assert versions[t] not in result.missing_from_history
        assert all(v.status == "applied" for v in result.verdicts[:t])
        assert all(v.status == "pending" for v in result.verdicts[t + 1 :])


@pytest.mark.parametrize("name", CORPORA)
def test_recorded_transactional_migration_missing_an_index_is_applied_with_drift(
    name: str,
) -> None:
    """The tool ran a recorded transactional migration whole: an index absent since is drift
    (attributed to the migration), not a partial migration."""
    tool, parsed = _corpus(name)
    full = replay_parsed(parsed)
    created = {
        e.key: e.migration
        for e in full.effects
        if e.key.kind == "index" and e.attribute == "*" and e.after is not None
    }
    index = next((k for k in created if k in full.catalog and KEEP(k)), None)
    if index is None:
        pytest.skip("no index")
    t = _versions(parsed).index(created[index])
    if not parsed[t].migration.in_transaction or len(_schema_statements(parsed[t])) < 2:
        pytest.skip("the index's migration has one statement or runs outside a transaction")
    actual = Catalog(dict(full.catalog.objects))
    del actual.objects[index]
    result = _infer(tool, parsed, actual, _recorded(tool, _versions(parsed)))
    assert result.verdicts[t].status == "applied"
    assert [(d.change, d.key, d.migration) for d in result.drift] == [
        ("missing", index, created[index])
    ]
    assert result.partial == [] and result.recorded_not_applied == []


# ------------------------------------------------------------------------------ renamed


def _most_touched_table(parsed: list[ParsedMigration]) -> Key:
    full = replay_parsed(parsed)
    touches: dict[Key, set[str]] = {}
    for e in full.effects:
        if e.key.kind in ("table", "column", "constraint"):
            table = Key("table", e.key.schema, e.key.name)
            touches.setdefault(table, set()).add(e.migration)
    alive = [k for k in touches if k in full.catalog and KEEP(k)]
    return max(alive, key=lambda k: (len(touches[k]), k))


@pytest.mark.parametrize("name", CORPORA)
def test_table_renamed_by_hand_is_one_drift_item(name: str) -> None:
    tool, parsed = _corpus(name)
    full = replay_parsed(parsed)
    table = _most_touched_table(parsed)
    replayer = Replayer.over(full.catalog)
    replayer.rename_object(table, table.name + "_old")
    versions = _versions(parsed)

    result = _infer(tool, parsed, replayer.catalog, _recorded(tool, versions))
    assert all(v.status == "applied" for v in result.verdicts)
    assert result.recorded_not_applied == []  # --prune must not delete true rows
    assert [(d.change, d.key, d.actual) for d in result.drift] == [
        ("renamed", table, f"{table.schema}.{table.name}_old")
    ]
    # history wiped: a verdict only the renamed table shows is not proven, nor backfilled
    wiped = _infer(tool, parsed, replayer.catalog, _recorded(tool, []))
    assert all(v.status == "applied" for v in wiped.verdicts)
    on_table = (f" {table.display}", f" {table.display}.")
    only_renamed = [
        v for v in wiped.verdicts
        if v.confidence == "observed"
        and all(any(e.endswith(table.display) or f"{table.display}." in e for _ in on_table)
                for e in v.present + v.absent)
    ]
    assert only_renamed
    for v in only_renamed:
        assert not v.proven and "renamed" in (v.reason or "")
        assert v.migration.version in wiped.unverified


def test_column_renamed_by_hand_follows_its_index() -> None:
    """A column renamed by hand, corroborated by an index that names it: one renamed item."""
    for name in CORPORA:
        tool, parsed = _corpus(name)
        full = replay_parsed(parsed)
        index = next(
            (
                i for i in full.catalog.of_kind("index")
                if KEEP(i.key) and len(i.keys) == 1  # type: ignore[attr-defined]
                and Key("column", i.key.schema, i.table, i.keys[0]) in full.catalog  # type: ignore[attr-defined]
            ),
            None,
        )
        if index is not None:
            break
    else:
        pytest.skip("no single-column index")
    column = Key("column", index.key.schema, index.table, index.keys[0])  # type: ignore[attr-defined]
    replayer = Replayer.over(full.catalog)
    replayer.rename_column(column.schema, column.name, column.sub, column.sub + "_renamed")
    result = _infer(tool, parsed, replayer.catalog, _recorded(tool, _versions(parsed)))
    assert all(v.status == "applied" for v in result.verdicts)
    assert [(d.change, d.key) for d in result.drift] == [("renamed", column)]


# ------------------------------------------------------------------------------ phantoms


@pytest.mark.parametrize("name", CORPORA)
def test_old_backup_under_a_newer_history(name: str) -> None:
    """The database holds the first half, the history records everything: every recorded
    version the schema refutes is reported, and only proven ones would be pruned. A recorded
    migration whose own facts decide nothing is not applied when what it builds on is not."""
    tool, parsed = _corpus(name)
    versions = _versions(parsed)
    k = len(parsed) // 2
    actual = replay_parsed(parsed[:k]).catalog
    result = _infer(tool, parsed, actual, _recorded(tool, versions))
    assert [v.status for v in result.verdicts] == ["applied"] * k + ["pending"] * (len(parsed) - k)
    assert result.recorded_not_applied == versions[k:]
    for v in result.verdicts[k:]:
        if v.confidence == "inferred-from-dependency":
            assert v.proven and "not applied" in (v.reason or "")
        assert v.proven == (v.confidence in ("observed", "inferred-from-dependency"))
    # with a version the code lacks recorded after them, absence proves nothing
    result = _infer(tool, parsed, actual, _recorded(tool, [*versions, "99999999999999"]))
    assert result.recorded_not_applied == versions[k:]
    assert not any(v.proven for v in result.verdicts[k:])


# ------------------------------------------------------------------------------ re-runs


@pytest.mark.parametrize("name", CORPORA)
def test_rerun_of_an_older_migration_is_explained(name: str) -> None:
    """A function body a later migration replaced, back to the older body: the older
    migration ran again (a failed `goose up` re-running an idempotent file)."""
    tool, parsed = _corpus(name)
    full = replay_parsed(parsed)
    bodies: dict[Key, list[tuple[str, object]]] = {}
    for e in full.effects:
        if e.key.kind != "function" or e.key not in full.catalog:
            continue
        if (e.attribute == "*" and e.after is not None) or e.attribute == "body":
            bodies.setdefault(e.key, []).append((e.migration, e.after))
    # the older migration can run twice (all CREATE OR REPLACE, IF NOT EXISTS ...)
    key = next(
        (
            k for k, setters in bodies.items()
            if len(setters) >= 2 and full.stats[setters[0][0]].rerunnable
        ),
        None,
    )
    if key is None:
        pytest.skip("no function of a re-runnable migration replaced by a later one")
    (older, first), *later = bodies[key]
    old_body = first.body if hasattr(first, "body") else first  # type: ignore[attr-defined]
    if all(getattr(v, "body", v) == old_body for _, v in later):
        pytest.skip("the replacement keeps the body")
    actual = Catalog(dict(full.catalog.objects))
    actual.objects[key] = dataclasses.replace(full.catalog.objects[key], body=old_body)  # type: ignore[type-var]
    result = _infer(tool, parsed, actual, _recorded(tool, _versions(parsed)))
    assert all(v.status == "applied" for v in result.verdicts)
    (d,) = result.drift
    assert (d.change, d.key, d.attribute) == ("changed", key, "body")
    assert d.explained_by is not None and d.explained_by["rerun"] == older
    assert d.explained_by["undoes"] and older not in d.explained_by["undoes"]
    assert d.migration == older


# ------------------------------------------------------------------------------ sync


GOOSE = {
    "00001_users.sql": "-- +goose Up\nCREATE TABLE users (id int PRIMARY KEY, name text);\n",
    "00002_backfill.sql": "-- +goose Up\nUPDATE users SET name = 'x' WHERE name IS NULL;\n",
    "00003_email.sql": "-- +goose Up\nALTER TABLE users ADD COLUMN email text;\n",
}
ACTUAL = "CREATE TABLE public.users (id integer NOT NULL, name text, email text);\n" \
    "ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);\n"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def goose_dir(tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    root.mkdir()
    for name, text in GOOSE.items():
        (root / name).write_text(text)
    (tmp_path / "actual.sql").write_text(ACTUAL)
    (tmp_path / "history.txt").write_text("")
    return tmp_path


@pytest.mark.parametrize(
    ("flags", "recorded", "code"),
    [
        ((), ["1", "3"], 0),
        (("--assume-applied", "2"), ["1", "2", "3"], 0),
        (("--assume-applied", "unobservable"), ["1", "2", "3"], 0),
        (("--assume-applied", "unverified"), ["1", "2", "3"], 0),
        (("--assume-applied", "3"), [], 2),
        (("--assume-applied", "7"), [], 2),
    ],
)
def test_sync_never_records_an_unobservable_version_unless_told(
    goose_dir: Path, flags: tuple[str, ...], recorded: list[str], code: int
) -> None:
    base = [
        "--migrations", str(goose_dir / "migrations"), "--tool", "goose",
        "--schema-file", str(goose_dir / "actual.sql"),
        "--history-file", str(goose_dir / "history.txt"),
    ]
    infer = _cli("infer", *base, "--format", "json")
    doc = json.loads(infer.stdout)
    assert doc["missing_from_history"] == ["1", "3"] and doc["unverified"] == ["2"]
    (v2,) = [m for m in doc["migrations"] if m["version"] == "2"]
    assert (v2["status"], v2["confidence"], v2["proven"]) == ("applied", "unobservable", False)

    sync = _cli("sync", *base, *flags)
    assert sync.returncode == code, sync.stderr
    if code == 2:
        assert sync.stderr.startswith("schemadiff: error: --assume-applied ")
        assert len(sync.stderr.strip().splitlines()) == 1 and sync.stdout == ""
        return
    inserted = re.findall(r"SELECT (\d+), true WHERE NOT COALESCE", sync.stdout)
    assert inserted == recorded, sync.stdout
    if "2" not in recorded:
        assert "not recorded: 1 version(s) the schema cannot verify (2: no schema effect" in (
            sync.stderr
        )
    # the check gate has a category for them
    check = _cli("check", *base, "--fail-on", "unverified")
    assert check.returncode == 1 and "FAIL unverified:" in check.stdout


@pytest.mark.parametrize("name", CORPORA)
def test_rerun_resurrects_a_dropped_object(name: str) -> None:
    """An object a later migration dropped, back as the older migration made it: a re-run
    of the older one. The dropping migration stays applied (recorded) and is not pruned."""
    tool, parsed = _corpus(name)
    full = replay_parsed(parsed)
    last_create: dict[Key, tuple[str, object]] = {}
    found = None
    for e in full.effects:
        if e.attribute != "*" or e.key.kind not in ("function", "view", "index"):
            continue
        if e.after is not None:
            last_create[e.key] = (e.migration, e.after)
        elif e.key in last_create and e.key not in full.catalog:
            older, obj = last_create[e.key]
            if full.stats[older].rerunnable and older != e.migration:
                found = (e.key, older, obj, e.migration)
    if found is None:
        pytest.skip("no object of a re-runnable migration dropped by a later one")
    key, older, obj, dropper = found
    actual = Catalog(dict(full.catalog.objects))
    actual.objects[key] = obj  # type: ignore[assignment]
    versions = _versions(parsed)
    result = _infer(tool, parsed, actual, _recorded(tool, versions))
    assert all(v.status == "applied" for v in result.verdicts)
    assert result.recorded_not_applied == []
    (d,) = result.drift
    assert (d.change, d.key) == ("extra", key)
    assert d.explained_by is not None and d.explained_by["rerun"] == older
    assert dropper in d.explained_by["undoes"]


@pytest.mark.parametrize("name", CORPORA)
def test_code_behind_the_database_keeps_what_later_versions_undid(name: str) -> None:
    """The database ran two versions this code lacks (an old image, seed 004): what they
    undid of the code's migrations is not a phantom row, and nothing is pruned."""
    tool, parsed = _corpus(name)
    versions = _versions(parsed)
    actual = replay_parsed(parsed).catalog
    result = _infer(tool, parsed[:-2], actual, _recorded(tool, versions))
    assert result.recorded_not_in_code == versions[-2:]
    assert all(v.status == "applied" for v in result.verdicts)
    assert result.recorded_not_applied == []
    for v in result.verdicts:
        if v.absent and not v.present:  # undone by the versions this code lacks
            assert not v.proven and "unknown to this code" in (v.reason or "")


_MOVED = [
    ("1", "CREATE TABLE t (id int, a int);\nCREATE TABLE u (x int);\nCREATE INDEX u_x ON u (x);"),
    ("2", "ALTER TABLE t DROP COLUMN a;\nDROP INDEX u_x;"),
    ("3", "CREATE SCHEMA s;\nALTER TABLE t SET SCHEMA s;"),
]


def test_what_a_moved_table_took_along_is_no_trace_of_an_earlier_drop() -> None:
    """Skipped: 2, which dropped t.a; 3 moved t to another schema. public.t.a is absent either
    way (3 took t, and a with it, along): no sign 2 ran. The full replay never saw a moved
    (2 had dropped it), so 3 is made the last word on what was ever on t."""
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql)) for v, sql in _MOVED]
    actual = replay_parsed([parsed[0], parsed[2]]).catalog
    verdict = _infer("goose", parsed, actual).verdicts[1]
    assert verdict.status == "pending" and verdict.statements_present == []


_TOUCHED_NOT_NEEDED = [
    ("1", "CREATE TABLE t (id int PRIMARY KEY, fk2 int, n int CHECK (n > 0));\n"
          "ALTER TABLE t ADD CONSTRAINT fkc3 FOREIGN KEY (fk2) REFERENCES t (id) DEFERRABLE;"),
    ("2", "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
          "CREATE POLICY p ON t FOR UPDATE USING (fk2 BETWEEN 0 AND 100);"),
    ("3", "ALTER TABLE t RENAME CONSTRAINT fkc3 TO k32;"),
]


def test_a_skipped_change_of_a_table_does_not_hold_back_a_later_migration_on_it() -> None:
    """Skipped: 2, which changed table t; 3 renamed t's constraint, which does not need 2.
    The search once moved 3 with 2 (out), and 1 then looked partial: its constraint 'absent'
    (3 renamed it), a repair that would have made it again."""
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql))
              for v, sql in _TOUCHED_NOT_NEEDED]
    actual = replay_parsed([parsed[0], parsed[2]]).catalog
    verdicts = _infer("goose", parsed, actual).verdicts
    assert [(v.status, v.proven) for v in verdicts] == [
        ("applied", True), ("pending", True), ("applied", True)]


_RENAMED_BY_A_LATER_PARTIAL = [
    ("1", "CREATE TABLE t (id int, n int);"),
    ("2", "ALTER TABLE t ADD CONSTRAINT positive CHECK (n > 0);\nCOMMENT ON TABLE t IS 'x';"),
    ("3", "CREATE TABLE u (id int);"),
    ("4", "ALTER TABLE t RENAME CONSTRAINT positive TO n_positive;\n"
          "ALTER TABLE t RENAME CONSTRAINT n_positive TO n_gt_zero;\n"
          "CREATE VIEW v AS SELECT n FROM t;"),
]


def test_what_a_later_partial_migration_renamed_is_no_absence_of_an_earlier_one() -> None:
    """4 stopped after its first statement, which renamed what 2 made: 2 ran whole (it was
    once called partial, its CHECK 'absent', and the repair would have run it again)."""
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql))
              for v, sql in _RENAMED_BY_A_LATER_PARTIAL]
    part = ParsedMigration(parsed[3].migration, [parsed[3].statements[0]])
    actual = replay_parsed([*parsed[:3], part]).catalog
    verdicts = _infer("goose", parsed, actual).verdicts
    assert (verdicts[1].status, verdicts[1].proven) == ("applied", True)
    assert verdicts[3].status == "partial"
    assert verdicts[3].statements_present == [1] and verdicts[3].statements_absent == [2, 3]


_INHERIT = [
    ("1", "CREATE TABLE notes (id int);"),
    ("2", "CREATE TABLE child (m int) INHERITS (notes);\nALTER TABLE child NO INHERIT notes;\n"
          "ALTER TABLE child INHERIT notes;\nALTER TABLE notes ADD COLUMN pinned boolean;"),
]


def test_a_value_set_back_by_the_last_word_is_no_vote_for_it() -> None:
    """CREATE TABLE ... INHERITS, NO INHERIT, INHERIT: a run by hand that stopped after the
    CREATE leaves the table inheriting, as the INHERIT would: that is no sign the INHERIT ran
    (the run is a prefix, not scattered)."""
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql)) for v, sql in _INHERIT]
    part = ParsedMigration(parsed[1].migration, [parsed[1].statements[0]])
    actual = replay_parsed([parsed[0], part]).catalog
    verdict = _infer("goose", parsed, actual, _recorded("goose", ["1"])).verdicts[1]
    assert verdict.status == "partial"
    assert 3 not in verdict.statements_present and verdict.statements_present == [1]
    assert verdict.pattern == "prefix"


_BEHIND = [
    ("1", "CREATE TABLE c (id int, d timestamp);", True),
    # a no-transaction migration (CREATE INDEX CONCURRENTLY): present and absent statements
    # alone would make it partial
    ("2", "CREATE INDEX CONCURRENTLY c_id ON c (id);\nCREATE INDEX CONCURRENTLY c_d ON c (d);",
     False),
    ("3", "ALTER TABLE c ADD COLUMN n int;", True),
    ("4", "DROP INDEX c_d;", True),  # the versions the code lacks: one drops an index
    ("5", "ALTER TABLE c ADD COLUMN e text;", True),
]


def test_code_behind_keeps_a_no_transaction_migration_whose_effect_a_later_version_undid(
) -> None:
    """An index a recorded no-transaction migration made, dropped by one of the versions the
    code lacks: the migration is applied (unproven), not partial, and the index is drift."""
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql, in_transaction=tx))
              for v, sql, tx in _BEHIND]
    actual = replay_parsed(parsed).catalog
    result = _infer("goose", parsed[:-2], actual, _recorded("goose", [v for v, _, _ in _BEHIND]))
    assert result.recorded_not_in_code == ["4", "5"]
    assert [v.status for v in result.verdicts] == ["applied"] * 3
    verdict = result.verdicts[1]
    assert not verdict.proven and "unknown to this code" in (verdict.reason or "")
    assert verdict.statements_absent == [] and verdict.pattern is None
    assert {(d.change, d.key.display) for d in result.drift} == {("missing", "public.c_d"),
                                                                 ("extra", "public.c.e")}


# ------------------------------------------------------------------------------ within one migration

_ONE = [
    ("1", "CREATE TABLE t (id int PRIMARY KEY);"),
    ("2", "ALTER TABLE t ADD COLUMN a int, ADD COLUMN b text;\n"
          "COMMENT ON COLUMN t.a IS 'the a';\nCOMMENT ON COLUMN t.b IS 'the b';"),
]


@pytest.mark.parametrize(
    ("case", "ran", "status", "present", "absent"),
    [
        # psql stopped after the ALTER: the comments an earlier statement of the same migration
        # did not set are the statements that did not run
        ("prefix", [0], "partial", [1], [2, 3]),
        ("whole", [0, 1, 2], "applied", [], []),
    ],
)
def test_an_attribute_set_twice_in_one_migration_votes_for_its_last_statement(
    case: str, ran: list[int], status: str, present: list[int], absent: list[int]
) -> None:
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql)) for v, sql in _ONE]
    part = ParsedMigration(parsed[1].migration, [parsed[1].statements[i] for i in ran])
    actual = replay_parsed([parsed[0], part]).catalog
    result = _infer("goose", parsed, actual, _recorded("goose", ["1"]))
    verdict = result.verdicts[1]
    assert verdict.status == status, case
    if status == "partial":
        assert (verdict.statements_present, verdict.statements_absent) == (present, absent)
        assert verdict.pattern == "prefix" and result.missing_from_history == []
    else:
        assert result.missing_from_history == ["2"] and result.drift == []


@pytest.mark.parametrize("name", CORPORA)
def test_rerun_of_a_replacing_migration_resurrects_a_dropped_object(name: str) -> None:
    """Created by a migration that cannot run twice, replaced (``CREATE OR REPLACE``) by one
    that can, dropped by a later one: a re-run of the replacing migration brings the object
    back as it left it. The dropping migration is kept (unproven), never pruned, and the drift
    is explained as that re-run. (The dropping migration drops nothing else: when it also drops
    a column that an idempotent migration adds, the search can stop on a tie; not covered.)"""
    tool, parsed = _corpus(name)
    full = replay_parsed(parsed)
    only: dict[str, set[Key]] = {}
    for e in full.effects:
        only.setdefault(e.migration, set()).add(e.key)
    state: dict[Key, object] = {}
    replaced: dict[Key, tuple[str, object]] = {}
    found = None
    for e in full.effects:
        if e.key.kind not in ("function", "view"):
            continue
        if e.attribute == "*":
            if e.after is not None:
                state[e.key] = e.after
                replaced.pop(e.key, None)
            elif e.key in replaced and e.key not in full.catalog and only[e.migration] == {e.key}:
                found = (e.key, *replaced[e.key], e.migration)
            continue
        if e.key in state and full.stats[e.migration].rerunnable:
            state[e.key] = dataclasses.replace(state[e.key], **{e.attribute: e.after})  # type: ignore[call-overload]
            replaced[e.key] = (e.migration, state[e.key])
    if found is None:
        pytest.skip("no object replaced by a re-runnable migration and dropped by a later one")
    key, replacer, obj, dropper = found
    actual = Catalog(dict(full.catalog.objects))
    actual.objects[key] = obj  # type: ignore[assignment]
    versions = _versions(parsed)
    result = _infer(tool, parsed, actual, _recorded(tool, versions))
    assert result.recorded_not_applied == []
    by_version = {v.migration.version: v for v in result.verdicts}
    assert by_version[dropper].status == "applied" and not by_version[dropper].proven
    (d,) = [d for d in result.drift if d.key == key]
    assert d.change == "extra"
    assert d.explained_by is not None and d.explained_by["rerun"] == replacer
    assert dropper in d.explained_by["undoes"]


_RENAMED_UNDER_VIEWS = [
    ("1", "CREATE TABLE t (a int, b int);\nCREATE VIEW v AS SELECT a FROM t;\n"
          "CREATE VIEW v2 AS SELECT a + 1 AS n FROM t;\nCREATE VIEW v3 AS SELECT a FROM t "
          "WHERE a > 0;\nCREATE VIEW w AS SELECT a, b FROM t;"),
    ("2", "ALTER VIEW w RENAME COLUMN a TO x;\nALTER TABLE t RENAME COLUMN b TO c;\n"
          "CREATE INDEX t_c ON t (c);"),
]
# what the server holds once both ran, as pg_dump prints it
_RENAMED_ACTUAL = """CREATE TABLE t (a int, c int);
CREATE VIEW v AS SELECT t.a FROM t;
CREATE VIEW v2 AS SELECT t.a + 1 AS n FROM t;
CREATE VIEW v3 AS SELECT t.a FROM t WHERE t.a > 0;
CREATE VIEW w AS SELECT t.a AS x, t.c AS b FROM t;
CREATE INDEX t_c ON t (c);"""


def test_a_query_a_rename_leaves_undecided_is_no_evidence() -> None:
    """A column renamed under a view leaves the view's query undecided in the replay (the
    server prints ``c AS b``); that None is no value the schema can hold, so it must not count
    as the statement's effect being absent: the whole migration ran."""
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql))
              for v, sql in _RENAMED_UNDER_VIEWS]
    actual = replay_parsed([parse_migration(Migration("0", "dump", "d.sql", _RENAMED_ACTUAL))])
    result = _infer("goose", parsed, actual.catalog, _recorded("goose", []))
    assert [v.status for v in result.verdicts] == ["applied", "applied"]
    assert [v.absent for v in result.verdicts] == [[], []]
    assert result.missing_from_history == ["1", "2"]


_RECREATED = [
    ("1", "CREATE TABLE p (id int, status text CONSTRAINT p_status CHECK (status <> 'x'));\n"
          "CREATE INDEX p_s ON p (status);\nCREATE VIEW pv AS SELECT id FROM p;"),
    ("2", "DROP VIEW pv;\nALTER TABLE p DROP CONSTRAINT p_status;\n"
          "ALTER TABLE p ADD CONSTRAINT p_status CHECK (status <> 'y');\nDROP INDEX p_s;\n"
          "CREATE INDEX p_s ON p (status, id);\nCREATE VIEW pv AS SELECT id, status FROM p;"),
]


@pytest.mark.parametrize(
    ("ran", "present", "absent", "pattern"),
    [
        # a hot-fix ran the DROP CONSTRAINT alone: the constraint the migration drops and adds
        # again is missing; the view and the index it drops and re-creates are the old ones
        ([1], [2], [1, 3, 4, 5, 6], "hot-fix"),
        ([0, 1, 2], [1, 3], [4, 5, 6], "prefix"),  # the DROP the ADD overwrote: no vote
    ],
)
def test_an_object_dropped_and_made_again_in_one_migration_votes_for_both_statements(
    ran: list[int], present: list[int], absent: list[int], pattern: str
) -> None:
    """Dropped and made again by one migration, an object's existence is set twice: the schema
    without it says the drop ran and the re-creation did not; with its old self there while
    the re-creation did not run, the drop did not run either."""
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql)) for v, sql in _RECREATED]
    part = ParsedMigration(parsed[1].migration, [parsed[1].statements[i] for i in ran])
    actual = replay_parsed([parsed[0], part]).catalog
    verdict = _infer("goose", parsed, actual, _recorded("goose", ["1"])).verdicts[1]
    assert verdict.status == "partial"
    assert (verdict.statements_present, verdict.statements_absent) == (present, absent)
    assert verdict.pattern == pattern
_TRANSIENT = [
    ("1", "CREATE SCHEMA app;\nCREATE SCHEMA shared;\nCREATE TABLE app.t (id int);\n"),
    ("2", "ALTER TABLE app.t ADD COLUMN note text;\n"
          "CREATE DOMAIN app.email AS text CHECK (VALUE ~ '@');\n"
          "ALTER DOMAIN app.email SET SCHEMA shared;\n"),
]


def test_a_trace_of_what_a_migration_made_then_moved_unproves_pending() -> None:
    """Only the CREATE DOMAIN of migration 2 ran (by hand): its net effects (a column, a
    domain in ``shared``) are absent, but the domain it made before moving it is there, so
    "pending" cannot be proven: the statement that made it votes, and the migration is
    partial, that statement present."""
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql)) for v, sql in _TRANSIENT]
    part = ParsedMigration(parsed[1].migration, [parsed[1].statements[1]])
    actual = replay_parsed([parsed[0], part]).catalog
    verdict = _infer("goose", parsed, actual, _recorded("goose", ["1"])).verdicts[1]
    assert verdict.status == "partial"
    assert (verdict.statements_present, verdict.statements_absent) == ([2], [1, 3])
    untouched = _infer("goose", parsed, replay_parsed(parsed[:1]).catalog,
                       _recorded("goose", ["1"])).verdicts[1]
    assert untouched.status == "pending" and untouched.proven


# ------------------------------------------------------------------------------ made by hand


def _made_by_hand(parsed: list[ParsedMigration], kind: str) -> list[tuple[int, Key, Any]]:
    """The last migrations that make an object of ``kind`` on a table an earlier one made (an
    index of two keys or more, a column), each with that object and its hand-made variant:
    the keys reversed; another type and default."""
    full = replay_parsed(parsed)
    versions = _versions(parsed)
    tables: dict[Key, str] = {}
    made: dict[str, tuple[Key, Any]] = {}
    for e in full.effects:
        if e.attribute != "*" or e.after is None or not KEEP(e.key):
            continue
        if e.key.kind == "table":
            tables.setdefault(e.key, e.migration)
        elif kind == "index" == e.key.kind and len(e.after.keys) >= 2:
            made.setdefault(e.migration, (e.key, dataclasses.replace(
                e.after, keys=tuple(reversed(e.after.keys)))))
        elif kind == "column" == e.key.kind and tables.get(
                Key("table", e.key.schema, e.key.name)) not in (None, e.migration):
            made.setdefault(e.migration, (e.key, dataclasses.replace(
                e.after, type="text" if e.after.type != "text" else "character varying(7)",
                default="'hand'")))
    return [(versions.index(v), *made[v]) for v in versions if v in made][-3:]


@pytest.mark.parametrize("kind", ["index", "column"])
@pytest.mark.parametrize("name", CORPORA)
def test_next_migrations_object_made_by_hand_otherwise_is_not_recorded(
        name: str, kind: str) -> None:
    """The database at a version, and the next migration's index (keys in another order) or
    column (another type and default) made by hand: that migration never ran, and sync must
    not record it, with the history of the versions before it or none."""
    tool, parsed = _corpus(name)
    versions = _versions(parsed)
    cases = _made_by_hand(parsed, kind)
    if not cases:
        pytest.skip(f"no {kind} made on an earlier migration's table")
    for t, key, hand in cases:
        before = replay_parsed(parsed[:t]).catalog
        if key in before.objects or (kind == "column" and Key(
                "table", key.schema, key.name) not in before.objects):
            continue
        actual = Catalog(dict(before.objects))
        actual.objects[key] = hand
        for history in (versions[:t], []):
            result = _infer(tool, parsed, actual, _recorded(tool, history))
            verdict = result.verdicts[t]
            assert not (verdict.status == "applied" and verdict.proven), (versions[t], key)
            assert versions[t] not in result.missing_from_history


_TUNED = [
    ("1", "CREATE TABLE t (id int, n int) WITH (fillfactor = 80);\nCREATE INDEX t_n ON t (n);"),
    ("2", "ALTER TABLE t SET (autovacuum_enabled = off);\nALTER INDEX t_n SET (fillfactor = 70);"),
    ("3", "CREATE INDEX t_id ON t (id) WITH (fillfactor = 60);"),
]


@pytest.mark.parametrize("hand", [
    "ALTER TABLE t RESET (autovacuum_enabled, fillfactor);\nALTER INDEX t_n RESET (fillfactor);",
    "ALTER TABLE t SET (fillfactor = 50);\nALTER INDEX t_n SET (fillfactor = 90);\n"
    "ALTER INDEX t_id RESET (fillfactor);",
])
def test_storage_parameters_tuned_by_hand_are_drift_not_an_unapplied_migration(hand: str) -> None:
    """Operators tune storage parameters (autovacuum, fillfactor) by hand: a migration that
    set them is not 'pending' (nor another migration proven applied) for their values: they
    are drift, which ``diff`` and the verdicts' drift report."""
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql)) for v, sql in _TUNED]
    by_hand = parse_migration(Migration("9", "hand", "9_hand.sql", hand))
    actual = replay_parsed([*parsed, by_hand]).catalog
    result = _infer("goose", parsed, actual, _recorded("goose", ["1", "2", "3"]))
    assert [v.status for v in result.verdicts] == ["applied", "applied", "applied"]
    assert not any(v.status == "pending" and v.proven for v in result.verdicts)
    assert {(d.key.kind, d.attribute) for d in result.drift} >= {("index", "options")}


_TUNED_MORE = [
    ("1", "CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler;\n"
          "CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY (CACHE 5), b text, n int,\n"
          "  CONSTRAINT t_pk PRIMARY KEY (id));\n"
          "CREATE INDEX t_n ON t ((n + 1));\n"
          "CREATE FUNCTION f() RETURNS SETOF int LANGUAGE sql AS 'SELECT 1';"),
    ("2", "ALTER TABLE t CLUSTER ON t_n;\nALTER INDEX t_n ALTER COLUMN 1 SET STATISTICS 100;\n"
          "ALTER TABLE t ALTER COLUMN id SET INCREMENT BY 2;\n"
          "ALTER INDEX t_pk SET (fillfactor = 80);\nALTER FUNCTION f() COST 10 ROWS 10;\n"
          "ALTER TABLE t ALTER COLUMN b SET COMPRESSION pglz;\n"
          "ALTER TABLE t SET (toast.autovacuum_enabled = false);\n"
          "ALTER TABLE t SET ACCESS METHOD heap2;\nCREATE STATISTICS t_st ON id, n FROM t;"),
    ("3", "CREATE TABLE u (id int);"),
]


def test_physical_tuning_by_hand_is_drift_not_an_unapplied_migration() -> None:
    """The tuning compared since: the index a table is clustered on, its TOAST table's and
    its constraint's index's storage parameters, its access method, a column's compression
    and its identity's sequence options, an index key's statistics target, a routine's COST
    and ROWS, an extended statistics object. A migration that only tuned them, set back by hand, is not pending for it:
    that is drift."""
    parsed = [parse_migration(Migration(v, f"m{v}", f"{v}_m.sql", sql))
              for v, sql in _TUNED_MORE]
    hand = ("ALTER TABLE t SET WITHOUT CLUSTER;\n"
            "ALTER INDEX t_n ALTER COLUMN 1 SET STATISTICS -1;\n"
            "ALTER TABLE t ALTER COLUMN id SET INCREMENT BY 1;\n"
            "ALTER INDEX t_pk RESET (fillfactor);\n"
            "ALTER FUNCTION f() COST 100 ROWS 1000;\n"
            "ALTER TABLE t ALTER COLUMN b SET COMPRESSION default;\n"
            "ALTER TABLE t RESET (toast.autovacuum_enabled);\n"
            "ALTER TABLE t SET ACCESS METHOD heap;\nDROP STATISTICS t_st;\n")
    by_hand = parse_migration(Migration("9", "hand", "9_hand.sql", hand))
    actual = replay_parsed([*parsed, by_hand]).catalog
    for recorded in (_recorded("goose", ["1", "2", "3"]), None):
        result = _infer("goose", parsed, actual, recorded)
        assert [v.status for v in result.verdicts] == ["applied", "applied", "applied"]
        assert {(d.key.kind, d.attribute) for d in result.drift} >= {
            ("table", "clustered_on"), ("index", "statistics"), ("column", "identity_options"),
            ("constraint", "index_options"), ("function", "cost"), ("function", "rows"),
            ("column", "compression"), ("table", "options"), ("table", "access_method"),
            ("statistics", None)}
