"""End to end with real Django (from PyPI, the ``test`` extra) on a real public history.

``fixtures/tools/django`` is a project with Django's contrib apps, django-taggit's six real
migrations and a small app whose second migration only runs Python. Django's ``migrate``
builds the database; ``django_migrations`` is damaged (wiped, phantom rows, a gap); ``infer``
(schemadiff running ``sqlmigrate`` against a scratch database) must name exactly the applied
migrations; the ``sync`` script, run with psql, repairs the rows; ``migrate`` then has exactly
the pending migrations left to run, runs them, and ``check`` exits 0. The ``migrate --fake``
commands sync names write the same rows as the script.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from pg import PgServer

pytest.importorskip("django")

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "tools" / "django"
TAGGIT = ["0001_initial", "0002_auto_20150616_2121", "0003_taggeditem_add_unique_index",
          "0004_alter_taggeditem_content_type_alter_taggeditem_tag", "0005_auto_20220424_2025",
          "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"]
# `migrate notes 0003_note_created` applies these (auth is not needed yet)
APPLIED = ({"contenttypes.0001_initial", "contenttypes.0002_remove_content_type_name"}
           | {f"taggit.{n}" for n in TAGGIT}
           | {"notes.0001_initial", "notes.0002_fill_titles", "notes.0003_note_created"})


def django_db(pg: PgServer, db: str) -> str:
    info = conninfo_to_dict(pg.dsn(db))
    return json.dumps({"NAME": db, "USER": info.get("user") or "postgres",
                       "PASSWORD": info.get("password") or "", "HOST": info.get("host") or "",
                       "PORT": str(info.get("port") or "")})


def manage(pg: PgServer, db: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``python manage.py ARGS`` of the fixture project, against ``db``."""
    env = dict(os.environ, SCHEMADIFF_DJANGO_DB=django_db(pg, db))
    proc = subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, capture_output=True,
                          text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def schemadiff(pg: PgServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args, "--migrations", str(PROJECT),
         "--django-settings", "project.settings", "--django-scratch-dsn", pg.dsn()],
        capture_output=True, text=True, env=env, timeout=300, check=False)


def rows(pg: PgServer, db: str) -> set[str]:
    with pg.connect_db(db) as conn:
        return {f"{a}.{n}" for a, n in conn.execute("SELECT app, name FROM django_migrations")}


def unapplied(pg: PgServer, db: str) -> set[str]:
    plan = manage(pg, db, "showmigrations", "--plan").stdout
    return set(re.findall(r"^\[ \]  (\S+)$", plan, re.MULTILINE))


def test_real_history_replays_to_zero_differences(pg: PgServer) -> None:
    db = pg.create_database("django_real")
    manage(pg, db, "migrate")
    diff = schemadiff(pg, "diff", "--dsn", pg.dsn(db))
    assert diff.returncode == 0, diff.stdout + diff.stderr
    check = schemadiff(pg, "check", "--dsn", pg.dsn(db))
    assert check.returncode == 0, check.stdout + check.stderr


# damage -> (SQL on django_migrations, rows recorded but not applied)
DAMAGE = {
    "wipe": ("DELETE FROM django_migrations", []),
    "phantom": ("INSERT INTO django_migrations (app, name, applied) VALUES "
                "('notes', '0004_note_tagged', now()), ('auth', '0001_initial', now())",
                ["notes.0004_note_tagged", "auth.0001_initial"]),
    "gap": ("DELETE FROM django_migrations WHERE (app, name) IN (('taggit', "
            "'0003_taggeditem_add_unique_index'), ('notes', '0001_initial'))", []),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_history_is_inferred_and_repaired(pg: PgServer, damage: str) -> None:
    sql, phantom = DAMAGE[damage]
    db = pg.create_database(f"django_{damage}")
    manage(pg, db, "migrate", "notes", "0003_note_created")
    assert rows(pg, db) == APPLIED
    pending = unapplied(pg, db)
    pg.psql(db, sql + ";")

    infer = schemadiff(pg, "infer", "--dsn", pg.dsn(db), "--format", "json")
    assert infer.returncode == 1, infer.stderr
    doc = json.loads(infer.stdout)
    status = {m["version"]: m["status"] for m in doc["migrations"]}
    assert {v for v, s in status.items() if s == "applied"} == APPLIED
    # what the schema proves is backfilled; what leaves no trace (RunPython) is set apart
    assert set(doc["missing_from_history"]) | set(doc["unverified"]) == APPLIED - rows(pg, db)
    proven = {m["version"]: m["proven"] for m in doc["migrations"]}
    assert all(proven[v] for v in doc["missing_from_history"])
    assert not any(proven[v] for v in doc["unverified"])
    assert sorted(doc["recorded_not_applied"]) == sorted(phantom)
    assert doc["drift"] == [] and doc["recorded_not_in_code"] == []
    opaque = next(m for m in doc["migrations"] if m["version"] == "notes.0002_fill_titles")
    assert opaque["confidence"] == "unobservable"

    copy = pg.create_database(f"django_{damage}_fake", template=db)
    prune = ["--prune"] if phantom else []
    if doc["unverified"]:  # never recorded unless the user says they ran
        default = schemadiff(pg, "sync", "--dsn", pg.dsn(db), *prune)
        assert "not recorded: " in default.stderr
        assert all(f"'{v.split('.', 1)[1]}'" not in default.stdout for v in doc["unverified"])
    # here they did run: the user says so
    sync = schemadiff(pg, "sync", "--dsn", pg.dsn(db), *prune, "--assume-applied", "unverified")
    assert sync.returncode == 0, sync.stderr
    pg.psql(db, sync.stdout, single_transaction=False)
    assert rows(pg, db) == APPLIED
    pg.psql(db, sync.stdout, single_transaction=False)  # idempotent
    assert rows(pg, db) == APPLIED

    fake = re.search(r"with the tool itself: (.+)", sync.stderr)
    if damage == "gap":  # Django refuses to --fake over a recorded gap
        assert fake is None and "InconsistentMigrationHistory" in sync.stdout
    elif not phantom:  # the migrate --fake commands sync names record the same rows
        assert fake is not None, sync.stderr
        for command in fake.group(1).split("; "):
            manage(pg, copy, *command.split()[2:])
        assert rows(pg, copy) == APPLIED

    assert unapplied(pg, db) == pending
    manage(pg, db, "migrate")
    assert rows(pg, db) == APPLIED | pending
    check = schemadiff(pg, "check", "--dsn", pg.dsn(db))
    assert check.returncode == 0, check.stdout + check.stderr
