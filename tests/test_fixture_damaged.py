"""``fixtures/damaged_goose`` is what its ``damage.sql`` builds: run it in a real server and
the live database says what the committed dump says, verdict for verdict."""

from __future__ import annotations

import json

from pg import PgServer
from report_cases import CASES, ROOT, cli, document

FIXTURE = ROOT / "fixtures" / "damaged_goose"


def test_damage_sql_builds_the_committed_dump(pg: PgServer) -> None:
    db = pg.create_database("damaged")
    pg.psql(db, FIXTURE / "damage.sql")
    live_args = [a if a != "--schema-file" else "--dsn" for a in CASES["damaged"]]
    live_args[live_args.index("--dsn") + 1] = pg.dsn(db)
    proc = cli("infer", *live_args, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    live, dump = json.loads(proc.stdout), document("infer", "damaged")

    def verdicts(doc: dict) -> list[tuple]:
        return [(m["version"], m["status"], m["confidence"], m["proven"], m.get("witness"))
                for m in doc["migrations"]]

    assert verdicts(live) == verdicts(dump)
    for key in ("missing_from_history", "unverified", "recorded_not_applied", "partial"):
        assert live[key] == dump[key], key
    assert [(d["kind"], d["object"], d["change"]) for d in live["drift"]] == [
        (d["kind"], d["object"], d["change"]) for d in dump["drift"]]
