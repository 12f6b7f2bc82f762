"""End to end after a scenario: ``schemadiff sync``, the tool's own ``up``, ``schemadiff check``.

On a copy of the scenario's database:

1. ``schemadiff sync`` (script style, default flags) from the run's source, and the script run
   with ``psql -v ON_ERROR_STOP=1``; the history rows it adds or deletes are compared with the
   truth (a version recorded that never ran completely, or deleted that ran, is unsafe);
2. the tool's own algorithm: the real dbmate binary, or the emulation of the tool's ``up``
   written from its source (``tests/<tool>_emulation.py``). A tool that refuses pending
   migrations below its highest applied one is run again with the flag it documents for that
   (goose ``-allow-missing``, Flyway ``-outOfOrder=true``, Atlas ``--exec-order
   non-linear``), as the sync's own warning tells the user to;
3. ``schemadiff check --format json``: it must exit 0 exactly when the truth after the tool's
   run is clean (every migration applied and recorded, no drift), and otherwise exit 1 and name
   every problem the schema can decide: each partial, unrecorded or refuted version, each
   version the database has and the code lacks, and the drift (a renamed table by its name).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scenario_build import drop_later, timed
from scenario_design import Scenario

from pg import PgServer
from schemadiff.migration import Migration
from schemadiff.sources.history import read_history_live


@dataclass
class UpResult:
    applied: list[str] = field(default_factory=list)
    error: str = ""
    retried: str = ""  # the out-of-order flag used on the second run


@dataclass
class E2E:
    verdict: str  # "clean", "named" (check named what the repair cannot fix), or the failure
    ok: bool
    unsafe_record: list[str] = field(default_factory=list)
    unsafe_prune: list[str] = field(default_factory=list)


def schemadiff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], capture_output=True,
                          text=True, timeout=600, check=False)


def _history(pg: PgServer, db: str, tool: str, migrations: list[Migration]) -> list[str]:
    return list(read_history_live(pg.dsn(db), tool, migrations).applied)


def run_up(pg: PgServer, db: str, tool: str, code: Path, dbmate: Path | None) -> UpResult:
    """The tool's ``up`` on database ``db`` with the migrations of ``code``; what it applied
    is read from its history table afterwards (a failing run keeps what it did before)."""
    result = UpResult()
    for attempt in (False, True):
        try:
            _up_once(pg, db, tool, code, dbmate, attempt)
            result.error = ""
            return result
        except Exception as exc:  # each tool's own error type, see _up_once
            result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
            if attempt or getattr(exc, "kind", "") not in ("out-of-order", "ignored"):
                return result
            result.retried = {"goose": "-allow-missing", "flyway": "-outOfOrder=true",
                              "atlas": "--exec-order non-linear"}.get(tool, "")
            if not result.retried:
                return result
    return result


class GooseRefused(RuntimeError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.kind = "out-of-order" if "missing migrations" in message else "failed"


class DbmateFailed(RuntimeError):
    kind = "failed"


def _up_once(pg: PgServer, db: str, tool: str, code: Path, dbmate: Path | None,
             out_of_order: bool) -> list[str]:
    if tool == "dbmate":
        from dbmate_binary import run_dbmate

        assert dbmate is not None
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                         "(version varchar(128) PRIMARY KEY)")
            before = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        proc = run_dbmate(dbmate, pg.dsn(db), code, "up")
        with pg.connect_db(db) as conn:
            after = [r[0] for r in conn.execute(
                "SELECT version FROM schema_migrations ORDER BY version")]
        applied = [v for v in after if v not in before]
        if proc.returncode != 0:
            raise DbmateFailed((proc.stderr or proc.stdout).strip().splitlines()[-1]
                               + f" (after applying {len(applied)})")
        return applied
    with pg.connect_db(db, autocommit=True) as conn:
        if tool == "goose":
            from goose_emulation import GooseError, goose_up

            try:
                return [str(v) for v in goose_up(conn, code, allow_missing=out_of_order)]
            except GooseError as exc:
                raise GooseRefused(str(exc)) from exc
        if tool == "sqlx":
            from sqlx_emulation import sqlx_migrate_run

            return sqlx_migrate_run(conn, code)
        if tool == "golang-migrate":
            from golang_migrate_emulation import migrate_up

            return migrate_up(conn, code)
        if tool == "diesel":
            from diesel_emulation import run_pending_migrations

            return run_pending_migrations(conn, code)
        if tool == "flyway":
            from flyway_emulation import flyway_migrate

            return flyway_migrate(conn, code, out_of_order=out_of_order)
        if tool == "atlas":
            from atlas_emulation import migrate_apply

            return migrate_apply(conn, code, exec_order="non-linear" if out_of_order
                                 else "linear")
    raise ValueError(f"no up for {tool}")


def end_to_end(pg: PgServer, scenario_db: str, sc: Scenario, tool: str, code: Path,
               migrations: list[Migration], source_args: list[str], decidable: set[str],
               tmp: Path, dbmate: Path | None) -> E2E:
    """sync, the tool's up and check on a copy of ``scenario_db`` (see the module doc)."""
    db = pg.create_database(f"e2e_{sc.name}", template=scenario_db)
    try:
        return _end_to_end(pg, db, sc, tool, code, migrations, source_args, decidable, tmp,
                           dbmate)
    finally:
        drop_later(pg, db)


def _end_to_end(pg: PgServer, db: str, sc: Scenario, tool: str, code: Path,
                migrations: list[Migration], source_args: list[str], decidable: set[str],
                tmp: Path, dbmate: Path | None) -> E2E:
    base = ["--migrations", str(code), "--tool", tool]
    args = [a if a != "{dsn}" else pg.dsn(db) for a in source_args]
    before = _history(pg, db, tool, migrations)
    script = tmp / "sync.sql"
    script.unlink(missing_ok=True)
    with timed("sync"):
        sync = schemadiff("sync", *base, *args, "--out", str(script))
    notes = []
    if sync.returncode == 0 and script.exists():
        pg.psql(db, script, single_transaction=False, what="sync script")
    else:
        notes.append(f"sync exit {sync.returncode}")
        if sync.returncode not in (0, 1):
            return E2E(f"sync failed: {sync.stderr.strip()[-160:]}", False)
    after_sync = _history(pg, db, tool, migrations)
    truth = dict(sc.truth)
    unsafe_record = [v for v in after_sync if v not in before and truth.get(v) != "applied"]
    unsafe_prune = [v for v in before if v not in after_sync
                    and truth.get(v) in ("applied", "partial")]

    with timed("tool up"):
        up = run_up(pg, db, tool, code, dbmate)
    recorded = set(_history(pg, db, tool, migrations))
    up.applied = [v for v in recorded if v not in after_sync]
    for v in up.applied:
        truth[v] = "applied"
    problems: dict[str, str] = {}  # version or object -> why
    for m in migrations:
        t, r = truth.get(m.version), m.version in recorded
        if t == "partial":
            problems[m.version] = "partial"
        elif t == "pending" and r:
            problems[m.version] = "recorded, not applied"
        elif t == "applied" and not r:
            problems[m.version] = "applied, not recorded"
        elif t == "pending" and not up.error:
            problems[m.version] = "left pending by the tool"
    in_code = {m.version for m in migrations}
    for v in sorted(recorded - in_code):
        problems[v] = "not in the code"
    drift_names = _drift_names(sc)
    # what the schema cannot show (a data-only migration recorded but never run) no check
    # can name: it neither makes the state unclean for check nor must be named
    hidden = sorted(v for v in problems if v in in_code and v not in decidable)
    for v in hidden:
        del problems[v]
    must_name = {v for v, why in problems.items() if why != "left pending by the tool"}
    clean = not problems and not drift_names and not up.error
    if hidden:
        notes.append(f"left unfixed, invisible to the schema: {', '.join(hidden[:3])}")

    with timed("check"):
        check = schemadiff("check", *base, "--dsn", pg.dsn(db), "--format", "json")
    try:
        failures = json.loads(check.stdout)["failures"]
    except (ValueError, KeyError):
        return E2E(f"check exit {check.returncode}: {check.stderr.strip()[-160:]}", False,
                   unsafe_record, unsafe_prune)
    text = " ".join(f["message"] for f in failures)
    named = {v for f in failures for v in f.get("versions", [])}
    named |= {v for v in must_name if re.search(rf"(?<![\w.]){re.escape(v)}(?![\w])", text)}
    up_note = (f"; up: {up.error[:90]}" if up.error else "") + (
        f" (retried {up.retried})" if up.retried else "") + "".join(f"; {n}" for n in notes)
    if clean:
        ok = check.returncode == 0
        verdict = ("clean" if not hidden else "check exit 0") if ok else \
            f"check exit {check.returncode} on a clean state: {text[:120]}"
        return E2E(verdict + up_note, ok, unsafe_record, unsafe_prune)
    unnamed = sorted(must_name - named)
    drift_unnamed = [d for d in drift_names if d not in text] if drift_names else []
    if drift_names and len(drift_unnamed) == len(drift_names):
        unnamed.append("drift " + drift_names[0])
    silent = sorted(v for v, why in problems.items() if why == "left pending by the tool")
    if check.returncode != 1:
        verdict = f"check exit {check.returncode} but unfixed: " + ", ".join(
            f"{v} {problems[v]}" for v in sorted(problems)[:3]) + (
            f" drift {drift_names[:1]}" if drift_names else "")
        return E2E(verdict + up_note, False, unsafe_record, unsafe_prune)
    if unnamed:
        return E2E(f"check did not name {unnamed[:4]}" + up_note, False, unsafe_record,
                   unsafe_prune)
    if silent:
        return E2E(f"tool left {silent[:3]} pending" + up_note, False, unsafe_record,
                   unsafe_prune)
    what = sorted({why for why in problems.values()}) + (["drift"] if drift_names else [])
    return E2E("named: " + ", ".join(what) + up_note, True, unsafe_record, unsafe_prune)


def _drift_names(sc: Scenario) -> list[str]:
    """Names check must mention for the scenario's drift (bare object names)."""
    if sc.expect.renamed is not None:
        return [sc.expect.renamed[0].rsplit(".", 1)[-1]]
    names = []
    for item in sorted(sc.expect.drift):
        obj = item.split(" ", 1)[1]
        names.append(obj.split("(")[0].rsplit(".", 1)[-1])
    return names


def source_args(source: str, dump: Path, history: Path) -> list[str]:
    """The sync's input options for a run's source (``{dsn}`` is filled in per copy)."""
    if source == "file":
        return ["--schema-file", str(dump), "--history-file", str(history)]
    return ["--dsn", "{dsn}"]

