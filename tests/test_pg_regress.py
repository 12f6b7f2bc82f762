"""PostgreSQL's regression suite as the replay's oracle: a fixed sample in CI (issue 19).

``tests/regress_harness.py`` runs each script statement by statement on the test server,
keeps what the server accepted as one migration and compares its replay with the server's
``pg_dump`` and live catalog. The full run, with the per-script table, is
``python benchmarks/pg_regress.py``; here the sample of :data:`regress_harness.SAMPLE` must
not crash the engine and must keep its share of exactly replayed DDL statements.
"""

from __future__ import annotations

import pytest

import regress_harness as rh
from pg import PgServer

#: The share of the sample's accepted DDL statements that must replay exactly (raised as the
#: engine learns; the full suite's numbers are in benchmarks/results/pg_regress_pg*.md).
EXACT_FLOOR = 0.99

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not rh.script_names(), reason=f"no pg-regress scripts at "
                                                    f"{rh.regress_path()}"),
]


def test_skip_rules() -> None:
    """Cluster-level statements and transaction control are never sent; the rest is."""
    cases = {
        "BEGIN": "transaction", "commit prepared 'x'": "transaction",
        "PREPARE TRANSACTION 'x'": "transaction", "SAVEPOINT s": "transaction",
        "CREATE ROLE regress_x": "cluster", "create user regress_u": "cluster",
        "DROP DATABASE d": "cluster", "ALTER SYSTEM SET work_mem = '1MB'": "cluster",
        "GRANT regress_a TO regress_b": "cluster", "REVOKE pg_read_all_data FROM x": "cluster",
        "GRANT CREATE ON DATABASE d TO public": "cluster", "DROP OWNED BY regress_x": "cluster",
        "COMMENT ON ROLE regress_x IS 'c'": "cluster", "CHECKPOINT": "cluster",
        "COPY t FROM stdin": "copy", "SELECT pg_terminate_backend(1)": "beyond",
        "CREATE USER MAPPING FOR public SERVER s": None, "GRANT SELECT ON t TO public": None,
        "PREPARE p AS SELECT 1": None, "CREATE TABLE t (a int)": None,
        "GRANT ALL ON SCHEMA public TO public": None,
    }
    assert {sql: rh.skip_reason(sql) for sql in cases} == cases


def test_masked_migration_keeps_lines_and_columns() -> None:
    from schemadiff.sql.split import split

    text = "SELECT 1;\n  CREATE TABLE t (a int) -- c\n;\nBAD x;\nSELECT 2 \\gset\n\\d t\nDROP TABLE t"
    statements = split(text, "s.sql")
    stmts = [rh.Stmt(i, s.location.line, s.location.col, s.text) for i, s in enumerate(statements)]
    keep = [st for st in stmts if st.text.startswith(("CREATE", "SELECT 2", "DROP"))]
    out = rh.masked(text, keep)
    again = [(s.text, s.location.line, s.location.col) for s in split(out, "s.sql")]
    assert again == [("CREATE TABLE t (a int) -- c", 2, 3), ("SELECT 2", 5, 1),
                     ("DROP TABLE t", 7, 1)]


def test_sample(pg: PgServer) -> None:
    results = rh.run_suite(pg, rh.SAMPLE)
    total = rh.totals(results)
    crashes = [f"{r.name}: {c}" for r in results for c in r.crashes]
    assert crashes == []
    assert total["accepted_ddl"] > 1000  # the comparison is not vacuous
    # the two schema sources agree with each other (the replay of pg_dump and the catalog)
    assert total["differences_dump_live"] == 0
    worst = sorted(results, key=lambda r: r.exact_ddl / max(r.accepted_ddl, 1))[:5]
    assert total["exact_ratio"] >= EXACT_FLOOR, (
        f"{total['exact_ddl']}/{total['accepted_ddl']} exact; worst: "
        + ", ".join(f"{r.name} {r.exact_ddl}/{r.accepted_ddl}" for r in worst))
