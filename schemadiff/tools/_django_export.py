"""Run by schemadiff in a subprocess: Django's own SQL for every migration of a project.

Usage (from the project's directory, with ``DJANGO_SETTINGS_MODULE`` set)::

    python _django_export.py OUT_DIR

``SCHEMADIFF_SCRATCH_DB`` holds the scratch database's settings (JSON: NAME, USER, PASSWORD,
HOST, PORT). Every database alias of the project's settings is pointed at that scratch
database before Django starts, so nothing here can reach the project's own databases.

Writes into OUT_DIR what a user would produce by hand:

- ``plan.txt``: ``manage.py showmigrations --plan -v 2`` (order and dependencies);
- ``<app>/<name>.sql``: ``manage.py sqlmigrate <app> <name>`` for each migration of the
  plan, run while the scratch database holds exactly the migrations before it (sqlmigrate
  reads the catalog for some operations: the constraint names it drops), then the migration
  applied with ``migrate <app> <name>``;
- ``replaces.txt``: ``<app>.<squash> <app>.<replaced> ...`` for each squashed migration.

This file runs in the project's interpreter with only Django and the project importable; it
imports nothing from schemadiff.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path


def main() -> int:
    # sys.path[0] is this file's directory, which holds schemadiff's own ``django.py``.
    sys.path[0] = os.getcwd()
    out = Path(sys.argv[1])
    scratch = json.loads(os.environ["SCHEMADIFF_SCRATCH_DB"])
    from django.conf import settings

    database = {"ENGINE": "django.db.backends.postgresql", **scratch}
    aliases = list(settings.DATABASES) or ["default"]
    settings.DATABASES.clear()
    for alias in aliases:
        settings.DATABASES[alias] = dict(database)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    buffer = io.StringIO()
    call_command("showmigrations", format="plan", verbosity=2, no_color=True, stdout=buffer)
    plan_text = buffer.getvalue()
    (out / "plan.txt").write_text(plan_text, encoding="utf-8")
    connection = connections["default"]
    replaces: list[str] = []
    for line in plan_text.splitlines():
        if not line.startswith("["):
            continue
        key = line[5:].split(" ... ", 1)[0].strip()
        app, name = key.split(".", 1)
        buffer = io.StringIO()
        call_command("sqlmigrate", app, name, no_color=True, stdout=buffer)
        target = out / app / f"{name}.sql"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(buffer.getvalue(), encoding="utf-8")
        executor = MigrationExecutor(connection)
        migration = executor.loader.graph.nodes[(app, name)]
        if migration.replaces:
            replaces.append(" ".join([key, *(f"{a}.{n}" for a, n in migration.replaces)]))
        executor.migrate([(app, name)])
    if replaces:
        (out / "replaces.txt").write_text("\n".join(replaces) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
