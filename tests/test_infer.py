"""Inference: which versions are applied, from the schema itself (issue 4).

The "actual" schemas here are built by replaying a known subset of a real history, so the truth
is known version by version; ``benchmarks/scenarios.py`` does the same against a real server.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path

import pytest

from pg import corpora_path
from schemadiff.contract import infer_document
from schemadiff.differences import ignore_history_tables
from schemadiff.history import ParsedMigration, parse_migration, replay_parsed
from schemadiff.inference import Inference, infer_applied
from schemadiff.migration import Migration
from schemadiff.model import Catalog, Column, Index
from schemadiff.recorded import Recorded, RecordedVersion
from schemadiff.tools import history_tables, read_migrations

KEEP = ignore_history_tables(history_tables())
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORPORA = sorted(p.name for p in corpora_path().glob("*") if (p / "corpus.json").is_file())


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
    return Recorded(tool, "file", True, tuple(RecordedVersion(v) for v in versions))


# ------------------------------------------------------------------------------ seed incident


def test_seed_incident_goose() -> None:
    """goose_db_version holds 2 versions, the schema the objects of 25 more, 5 are pending."""
    from schemadiff.sources.dump import read_dump

    _, migrations = read_migrations(FIXTURES / "incident_goose", "goose")
    parsed = [parse_migration(m) for m in migrations]
    actual = read_dump(FIXTURES / "incident_goose" / "actual_schema.sql").catalog
    recorded = _recorded("goose", ["20251220000000", "20251221000000"])
    result = _infer("goose", parsed, actual, recorded)
    versions = [m.version for m in migrations]
    assert result.missing_from_history == versions[2:27]
    assert len(result.missing_from_history) == 25
    assert [v.migration.version for v in result.verdicts if v.status == "pending"] == versions[27:]
    assert all(v.confidence == "observed" for v in result.verdicts)
    assert result.recorded_not_applied == [] and result.recorded_not_in_code == []
    assert result.drift == []
    by_version = {v.migration.version: v for v in result.verdicts}
    assert "enum public.tenant_type" in by_version["20251224000000"].present
    assert "table public.legal_entities" in by_version["20251226000000"].present
    assert by_version["20251220000000"].recorded is True
    assert by_version["20251226000000"].recorded is False
    doc = infer_document(result)
    assert doc["summary"]["missing_from_history"] == 25 and doc["summary"]["pending"] == 5
    assert result.has_findings


# ------------------------------------------------------------------------------ scenarios


def _truth_scenarios(parsed: list[ParsedMigration]) -> dict[str, set[int]]:
    from schemadiff.inference import dependency_graph

    n = len(parsed)
    k = int(n * 0.8)
    full = replay_parsed(parsed)
    graph = dependency_graph(full.effects, {pm.migration.version: i for i, pm in enumerate(parsed)})
    with_effects = {e.migration for e in full.effects}
    gaps = [
        i
        for i in range(2, k)
        if parsed[i].migration.version in with_effects
        and not set(graph.successors(i)) & set(range(k))
        and not any(d < k for d in _descendants(graph, i))
    ]
    scenarios = {"all": set(range(n)), "prefix": set(range(k))}
    if gaps:
        scenarios["gap"] = set(range(k)) - {gaps[len(gaps) // 2]}
    return scenarios


def _descendants(graph: object, node: int) -> set[int]:
    import networkx as nx

    return nx.descendants(graph, node)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", CORPORA)
def test_every_version_inferred_exactly(name: str) -> None:
    tool, parsed = _corpus(name)
    for scenario, truth in _truth_scenarios(parsed).items():
        actual = replay_parsed([parsed[i] for i in sorted(truth)]).catalog
        result = _infer(tool, parsed, actual)
        wrong = [
            (v.migration.version, v.status, v.confidence)
            for i, v in enumerate(result.verdicts)
            if (v.status == "applied") != (i in truth)
        ]
        assert wrong == [], f"{name}/{scenario}"
        assert result.drift == [], f"{name}/{scenario}"
        unobservable = [v for v in result.verdicts if v.confidence == "unobservable"]
        assert all(not v.present and not v.absent for v in unobservable)


@pytest.mark.parametrize("name", CORPORA)
def test_history_findings(name: str) -> None:
    """Phantom rows, code behind the database, and a wiped history, against the truth."""
    tool, parsed = _corpus(name)
    versions = [pm.migration.version for pm in parsed]
    k = int(len(parsed) * 0.8)
    actual = replay_parsed(parsed[:k]).catalog
    # phantom rows: two versions recorded but not applied (ones the schema can refute: a
    # migration with no observable effect that the history records is taken as applied)
    baseline = _infer(tool, parsed, actual)
    phantom = [v.migration.version for v in baseline.verdicts[k:] if v.confidence == "observed"][:2]
    result = _infer(tool, parsed, actual, _recorded(tool, versions[:k] + phantom))
    assert result.recorded_not_applied == phantom
    assert len(phantom) == 2
    assert result.missing_from_history == []
    # code behind the database (seed 004): the last two recorded versions are not in the code
    result = _infer(tool, parsed[: k - 2], actual, _recorded(tool, versions[:k]))
    assert result.recorded_not_in_code == versions[k - 2 : k]
    # history wiped: the table exists and is empty
    result = _infer(tool, parsed, actual, Recorded(tool, "live", True, ()))
    applied = [v.migration.version for v in result.verdicts if v.status == "applied"]
    assert applied == versions[:k]
    # what the schema proves is backfilled; what only the order places is set apart
    by_version = {v.migration.version: v for v in result.verdicts}
    assert sorted(result.missing_from_history + result.unverified, key=versions.index) == applied
    assert all(by_version[v].proven for v in result.missing_from_history)
    assert all(not by_version[v].proven for v in result.unverified)
    assert all(
        by_version[v].confidence in ("unobservable", "inferred-from-order")
        for v in result.unverified
    )


def test_manual_drift_is_reported_without_a_migration() -> None:
    tool, parsed = _corpus(CORPORA[0])
    full = replay_parsed(parsed)
    actual = Catalog(dict(full.catalog.objects))
    table = full.catalog.of_kind("table")[0]
    extra_col = Column(table.schema, table.name, "hand_made_note", "text")  # type: ignore[attr-defined]
    extra_idx = Index(table.schema, "hand_made_idx", table.name, keys=("hand_made_note",))  # type: ignore[attr-defined]
    actual.objects[extra_col.key] = extra_col
    actual.objects[extra_idx.key] = extra_idx
    result = _infer(tool, parsed, actual)
    assert all(v.status == "applied" for v in result.verdicts[:-1])
    drift = {(d.change, str(d.key), d.migration) for d in result.drift}
    assert drift == {("extra", str(extra_col.key), None), ("extra", str(extra_idx.key), None)}


def test_partial_no_transaction_migration() -> None:
    """A no-transaction migration stopped after its first statement is partial."""
    tool, parsed = _corpus("marquez") if "marquez" in CORPORA else _corpus(CORPORA[0])
    target = next(
        i
        for i, pm in enumerate(parsed)
        if i > 3
        and sum(1 for _, op in pm.statements if type(op).__name__ in ("CreateTable", "CreateIndex"))
        >= 2
    )
    pm = parsed[target]
    parsed = list(parsed)
    parsed[target] = ParsedMigration(
        dataclasses.replace(pm.migration, in_transaction=False), pm.statements
    )
    first_ddl = next(
        i
        for i, (_, op) in enumerate(pm.statements)
        if type(op).__name__ in ("CreateTable", "CreateIndex")
    )
    half = ParsedMigration(pm.migration, pm.statements[: first_ddl + 1])
    actual = replay_parsed([*parsed[:target], half]).catalog
    result = _infer(tool, parsed[: target + 1], actual)
    verdict = result.verdicts[target]
    assert verdict.status == "partial", (verdict.present, verdict.absent)
    assert verdict.present and verdict.absent
    assert verdict.statements_present and verdict.statements_absent
    assert result.partial == [pm.migration.version]
    assert all(v.status == "applied" for v in result.verdicts[:target])
    assert result.drift == []


def test_what_a_partial_migration_did_not_drop_is_not_drift() -> None:
    """Only the last statement of a migration that renames a column and drops a table ran (a
    hot-fix by hand): the column under its old name and the table are the partial migration's
    absent statements, reported with it, not extra objects of the migration that made them."""
    texts = [
        "CREATE TABLE u (id int PRIMARY KEY, display text, deleted timestamptz);\n"
        "CREATE TABLE legacy (id int);",
        "CREATE TABLE p (id int PRIMARY KEY, title text);",
        "ALTER TABLE u RENAME COLUMN display TO name;\nDROP TABLE legacy;\n"
        "ALTER TABLE p ADD COLUMN views int NOT NULL DEFAULT 0;\n"
        "CREATE INDEX u_live ON u (deleted) WHERE deleted IS NULL;",
    ]
    parsed = [parse_migration(Migration(str(i + 1), f"m{i + 1}", f"{i + 1}.sql", t))
              for i, t in enumerate(texts)]
    hot_fix = ParsedMigration(parsed[2].migration, parsed[2].statements[-1:])
    actual = replay_parsed([*parsed[:2], hot_fix]).catalog
    result = _infer("golang-migrate", parsed, actual)
    assert [v.status for v in result.verdicts] == ["applied", "applied", "partial"]
    assert result.drift == []


def test_checksum_mismatch_sqlx() -> None:
    if "atuin" not in CORPORA:
        pytest.skip("atuin corpus absent")
    tool, parsed = _corpus("atuin")
    full = replay_parsed(parsed)
    first = parsed[0].migration
    assert first.checksum  # sqlx: SHA-384 of the file's bytes
    recorded = Recorded(
        tool,
        "live",
        True,
        tuple(
            RecordedVersion(pm.migration.version, "00" * 48 if i == 0 else pm.migration.checksum)
            for i, pm in enumerate(parsed)
        ),
    )
    result = _infer(tool, parsed, full.catalog, recorded)
    assert result.checksum_mismatch == [first.version]
    assert result.missing_from_history == []


def test_forms_only_the_schema_explains_match_their_migration(tmp_path: Path) -> None:
    """A default of 'today' the catalog holds as the day it was read, and a promotion cast over
    the schema's own integer function, match the migration that set them: 2 of 3 applied."""
    ups = [
        "CREATE FUNCTION my_int_fn(a int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + 1;\n"
        "CREATE TABLE u (a int, d date DEFAULT 'today', CONSTRAINT k CHECK (my_int_fn(a) > 1.5));",
        "ALTER TABLE u ALTER COLUMN d SET DEFAULT 'yesterday';\n"
        "ALTER TABLE u DROP CONSTRAINT k, ADD CONSTRAINT k CHECK (my_int_fn(a) > 2.5);",
        "ALTER TABLE u ALTER COLUMN d SET DEFAULT 'today';\n"
        "ALTER TABLE u DROP CONSTRAINT k, ADD CONSTRAINT k CHECK (my_int_fn(a) > 3.5);",
    ]
    for i, up in enumerate(ups, 1):
        (tmp_path / f"0000{i}_m.sql").write_text(f"-- +goose Up\n{up}\n-- +goose Down\nSELECT 1;\n")
    _, migrations = read_migrations(tmp_path, "goose")
    parsed = [parse_migration(m) for m in migrations]
    actual = Catalog(dict(replay_parsed(parsed[:2]).catalog.objects))
    for obj in list(actual):  # as the catalog holds them
        if isinstance(obj, Column) and obj.name == "d":
            actual.objects[obj.key] = dataclasses.replace(obj, default="'2024-05-01'")
        elif getattr(obj, "name", None) == "k":
            actual.objects[obj.key] = dataclasses.replace(
                obj, expression="CAST(MY_INT_FN(a) AS DECIMAL) > 2.5")  # type: ignore[call-arg]
    result = _infer("goose", parsed, actual)
    assert [v.status for v in result.verdicts] == ["applied", "applied", "pending"]
    assert result.verdicts[1].proven  # the constraint's cast is a proof; the day alone is not
    assert result.drift == []


def test_a_today_word_alone_proves_nothing(tmp_path: Path) -> None:
    """A migration whose only trace is a 'today' default matches any past day the column
    holds, a day set by hand included: applied, but not proven (sync will not record it without
    a flag). A column without the default still says pending, proven."""
    ups = ["CREATE TABLE u (id int, d date);",
           "ALTER TABLE u ALTER COLUMN d SET DEFAULT 'today';"]
    for i, up in enumerate(ups, 1):
        (tmp_path / f"0000{i}_m.sql").write_text(f"-- +goose Up\n{up}\n-- +goose Down\nSELECT 1;\n")
    _, migrations = read_migrations(tmp_path, "goose")
    parsed = [parse_migration(m) for m in migrations]
    base = replay_parsed(parsed[:1]).catalog
    for default, status, proven in (("'2024-05-01'", "applied", False),
                                    (None, "pending", True)):
        actual = Catalog(dict(base.objects))
        for obj in list(actual):
            if isinstance(obj, Column) and obj.name == "d":
                actual.objects[obj.key] = dataclasses.replace(obj, default=default)
        verdict = _infer("goose", parsed, actual).verdicts[1]
        assert (verdict.status, verdict.proven) == (status, proven), verdict
        if not proven:
            assert "'today'-like word" in (verdict.reason or "")


def test_function_renamed_by_hand_keeps_its_privileges(tmp_path: Path) -> None:
    """A function renamed by hand is one `renamed` item: its privileges, seen back under the
    migrations' name, keep its argument types (no grant on a `f()` that never existed)."""
    (tmp_path / "00001_f.sql").write_text(
        "-- +goose Up\n"
        "CREATE FUNCTION fmt(cents bigint, cur char(3)) RETURNS text LANGUAGE sql IMMUTABLE\n"
        "    RETURN cents::text || cur;\n"
        "REVOKE EXECUTE ON FUNCTION fmt(bigint, char) FROM PUBLIC;\n"
        "GRANT EXECUTE ON FUNCTION fmt(bigint, char) TO analyst;\n",
        encoding="utf-8",
    )
    _, migrations = read_migrations(tmp_path, "goose")
    parsed = [parse_migration(m) for m in migrations]
    from schemadiff.history import replay_sql

    actual = replay_sql(migrations[0].sql + "ALTER FUNCTION fmt(bigint, char) RENAME TO fmt2;")
    result = _infer("goose", parsed, actual.catalog, _recorded("goose", ["1"]))
    assert [v.status for v in result.verdicts] == ["applied"]
    assert [(str(d.change), d.key.kind) for d in result.drift] == [("renamed", "function")]
