"""The scenario benchmark's own rules: which versions a state can decide, and how a run scores.

``benchmarks/scenario_design.provable`` and ``benchmarks/scenario_score.score`` decide what the
benchmark calls wrong, unsafe or exact; a mistake there would hide engine failures or invent
them. Real replays of a small history, no database.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from scenario_design import Scenario, _partial, load_history, provable
from scenario_score import score

from schemadiff.migration import Migration

SQL = [
    "CREATE TABLE a (id int PRIMARY KEY);",
    "ALTER TABLE a ADD COLUMN x int;",
    "UPDATE a SET x = 1 WHERE false;",  # data only: no schema effect
    "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
    "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;",
    "CREATE TABLE b (id int PRIMARY KEY);",
]
VERSIONS = [str(i + 1) for i in range(len(SQL))]


@pytest.fixture(scope="module")
def history() -> Any:
    migrations = [Migration(v, f"m{v}", f"{v}_m.sql", sql) for v, sql in zip(VERSIONS, SQL)]
    return load_history("tiny", "sqlx", migrations)


def scenario(applied: list[int], recorded: list[str] | None = None) -> Scenario:
    truth = {v: "applied" if i in applied else "pending" for i, v in enumerate(VERSIONS)}
    return Scenario("t", [], recorded or [], truth, applied)


@pytest.mark.parametrize(
    ("applied", "decidable"),
    [
        # all applied: the data-only 3 and the overwritten 4 cannot be seen
        ([0, 1, 2, 3, 4, 5], {"1", "2", "5", "6"}),
        # 1 and 2 absent: 2 is decided by its own column; 4 and 5 too (f absent)
        ([2, 5], {"1", "2", "4", "5", "6"}),
        # only 6 applied: 1's table absent decides 1, and 2 (ALTER of a) through it
        ([5], {"1", "2", "4", "5", "6"}),
    ],
    ids=["all", "prefix-missing", "dependency"],
)
def test_provable(history: Any, applied: list[int], decidable: set[str]) -> None:
    assert provable(history, scenario(applied)) == decidable


def doc(statuses: dict[str, tuple[str, bool]], **lists: list[str]) -> dict[str, Any]:
    return {
        "migrations": [{"version": v, "status": s, "confidence": "observed" if p else
                        "inferred-from-order", "proven": p} for v, (s, p) in statuses.items()],
        "missing_from_history": lists.get("missing", []),
        "unverified": lists.get("unverified", []),
        "recorded_not_applied": lists.get("rna", []),
        "recorded_not_in_code": [], "partial": [], "drift": [],
    }


ALL_APPLIED = {v: ("applied", v not in ("3", "4")) for v in VERSIONS}


@pytest.mark.parametrize(
    ("statuses", "lists", "exact", "wrong", "observed", "records", "prunes"),
    [
        # history wiped: the decidable ones proven and recorded, the others unverified
        (ALL_APPLIED, {"missing": ["1", "2", "5", "6"], "unverified": ["3", "4"]},
         True, 0, 0, 0, 0),
        # an undecidable version reported pending, unproven: not wrong, but then it is not
        # backfilled either (its status differs)
        ({**ALL_APPLIED, "3": ("pending", False)}, {"missing": ["1", "2", "5", "6"],
                                                     "unverified": ["4"]}, True, 0, 0, 0, 0),
        # a decidable version only unverified: not exact
        (ALL_APPLIED, {"missing": ["1", "2", "5"], "unverified": ["3", "4", "6"]},
         False, 0, 0, 0, 0),
        # a decidable version proven pending: wrong and wrong observed
        ({**ALL_APPLIED, "6": ("pending", True)}, {"missing": ["1", "2", "5"],
                                                    "unverified": ["3", "4"]},
         False, 1, 1, 0, 0),
    ],
    ids=["wiped-ok", "undecidable-pending", "only-unverified", "wrong-proven"],
)
def test_score_all_applied(history: Any, statuses: dict[str, tuple[str, bool]],
                           lists: dict[str, list[str]], exact: bool, wrong: int, observed: int,
                           records: int, prunes: int) -> None:
    sc = scenario(list(range(len(VERSIONS))))
    out = score("tiny", sc, "file", doc(statuses, **lists), [], provable(history, sc), 0.0)
    assert (out.exact, len(out.wrong), out.wrong_observed, len(out.unsafe_record),
            len(out.unsafe_prune)) == (exact, wrong, observed, records, prunes)


def test_unsafe_record_and_prune_are_counted(history: Any) -> None:
    sc = scenario([0, 1, 5], recorded=["1", "2", "5"])  # 5 recorded, never ran: a phantom
    statuses = {"1": ("applied", True), "2": ("applied", True), "3": ("applied", False),
                "4": ("applied", False), "5": ("applied", False), "6": ("applied", True)}
    # the data-only 3 claimed in missing_from_history: never ran -> an unsafe record; 2 in
    # recorded_not_applied though it ran -> an unsafe prune
    out = score("tiny", sc, "dsn", doc(statuses, missing=["3", "6"], rna=["2"]),
                sc.recorded, provable(history, sc), 0.0)
    assert out.unsafe_record == ["3"]
    assert out.unsafe_prune == ["2"]
    assert "5:applied(inf)" in out.wrong  # 5's function is absent: decidable, so wrong
    assert not out.exact


@pytest.mark.parametrize(("source", "problems"), [("file", []), ("dsn", ["drift"])])
def test_a_dump_without_grants_is_not_asked_for_privilege_drift(
    history: Any, source: str, problems: list[str]
) -> None:
    """The scenarios' pg_dump files are --no-privileges: the drift expected of them leaves
    privileges out (a behind scenario whose lacking versions grant), a live read does not."""
    sc = scenario(list(range(len(VERSIONS))), recorded=list(VERSIONS))
    sc.expect.drift = {"function public.f()", "privilege on function public.f() to PUBLIC"}
    out_doc = doc(ALL_APPLIED)
    out_doc["drift"] = [{"kind": "function", "object": "public.f()"}]
    out = score("tiny", sc, source, out_doc, sc.recorded, provable(history, sc), 0.0)
    assert [p.split(" ")[0] for p in out.problems if p.startswith("drift")] == problems


def test_a_partial_migration_may_be_said_to_lack_its_grant() -> None:
    """A statement whose only effect is a privilege did not run: a live read sees it absent,
    and naming it is no problem (the dumps, --no-privileges, cannot see it)."""
    sql = ("CREATE TABLE t (id int);\nCREATE FUNCTION g() RETURNS int LANGUAGE sql "
           "AS $$ SELECT 1 $$;\nREVOKE EXECUTE ON FUNCTION g() FROM PUBLIC;")
    h = load_history("grant", "sqlx", [Migration("1", "m1", "1_m.sql", sql)])
    sc = _partial(h, "partial", [], [], [], 0, [0], "prefix")
    assert sc.expect.partial["1"] == ({0}, {1, 2}, "prefix")
