"""Django migrations: each migration's SQL as ``manage.py sqlmigrate`` prints it.

Django writes no SQL files: a migration is Python (``operations = [...]``), and its SQL is
what ``sqlmigrate`` renders. The reader takes a directory holding that output:

- ``plan.txt``: ``python manage.py showmigrations --plan -v 2`` (every installed app's
  migrations in the order Django applies them; ``-v 2`` adds each one's dependencies as
  `` ... (app.name, ...)``, the graph);
- ``<app>/<name>.sql``: ``python manage.py sqlmigrate <app> <name>`` for every line of the
  plan;
- optionally ``replaces.txt``: ``<app>.<squash> <app>.<replaced> ...``, one line per
  squashed migration (what its ``replaces`` lists).

Given ``--django-settings MODULE`` (and the project's directory as ``--migrations``),
schemadiff produces that directory itself: it runs Django in a subprocess with the project's
settings, every database alias pointed at a scratch database (``--django-scratch-dsn``, else
the embedded server), and runs ``sqlmigrate`` for each migration while the scratch database
holds exactly the migrations before it, then applies it (``sqlmigrate`` connects: it reads
the applied migrations, and for some operations the catalog, such as the names of the
constraints an ``AlterField`` drops). The project's own databases are never connected to.

Rules (``django/db/migrations/loader.py``, ``executor.py``, ``recorder.py``):

- the version is ``<app>.<name>`` (``auth.0001_initial``): Django records ``(app, name)``.
- a migration whose every operation ``sqlmigrate`` marks ``-- THIS OPERATION CANNOT BE
  WRITTEN AS SQL`` (``RunPython``, elidable or not) is opaque: its effects are
  unobservable, as goose's ``.go`` migrations are. Operations without SQL
  (``AlterModelOptions``) simply have no effect.
- ``in_transaction``: ``sqlmigrate`` wraps an atomic migration in ``BEGIN;``/``COMMIT;``.
- no checksum.

History: ``django_migrations (id, app, name, applied)``, one row per applied migration. A
squashed migration counts as applied when its own row exists or every migration it replaces
has one (``MigrationLoader.build_graph``); ``migrate --fake`` records the squash and each
migration it replaces (``MigrationExecutor.record_migration``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.records import record
from schemadiff.tools import _common, _script
from schemadiff.tools.protocol import SyncContext, SyncScript, ToolOptions

NAME = "django"
LAYOUT = "'plan.txt' and '<app>/<name>.sql' from Django"
VERSION_SYNTAX = "'<app>.<name>' (django_migrations.app and .name)"
SQL_FROM_TOOL = True
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "django_migrations")})

PLAN_FILE = "plan.txt"
REPLACES_FILE = "replaces.txt"
_PLAN_LINE = re.compile(
    r"\[(?P<mark>[ X])\]  (?P<app>[^.\s]+)\.(?P<name>[^\s.]+)(?: \.\.\. \((?P<deps>.*)\))?"
)
_KEY = re.compile(r"[^.\s,()]+\.[^.\s,()]+")
_NO_SQL = "-- THIS OPERATION CANNOT BE WRITTEN AS SQL"
_TX_LINE = re.compile(r"^\s*(BEGIN|COMMIT)\s*;\s*$", re.IGNORECASE)
_EXPORT = Path(__file__).with_name("_django_export.py")


def checksum(data: bytes) -> str | None:
    """Django records no checksum."""
    return None


def detect(root: Path) -> int:
    """100 for a ``plan.txt`` of ``showmigrations --plan`` lines; 60 for a project directory
    (``manage.py`` beside a ``*/migrations/0001_*.py``)."""
    plan = root / PLAN_FILE
    if _common.is_file(plan):
        first = next((ln for ln in _common.head_text(plan).splitlines() if ln.strip()), "")
        if _PLAN_LINE.fullmatch(first.rstrip()):
            return 100
    if _common.is_file(root / "manage.py") and any(root.glob("*/migrations/0001_*.py")):
        return 60
    return 0


@record
class PlanEntry:
    """One line of ``showmigrations --plan -v 2``."""

    app: str
    name: str
    dependencies: tuple[str, ...] | None  # None: printed without ``-v 2``
    line: int

    @property
    def version(self) -> str:
        return f"{self.app}.{self.name}"


def read_plan(path: Path) -> list[PlanEntry]:
    """The plan's migrations in order.

    Raises:
        MigrationError: a line that is not ``[X]  app.name`` / ``[ ]  app.name ... (deps)``,
            or a migration listed twice.
    """
    _, text = _common.read_text(path)
    entries: list[PlanEntry] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(_common.split_lines(text), start=1):
        line = _common.strip_eol(raw).rstrip()
        if not line.strip() or line.strip() == "(no migrations)":
            continue
        m = _PLAN_LINE.fullmatch(line)
        if m is None:
            raise _common.fail("not a line of `manage.py showmigrations --plan -v 2`: "
                               f"{line[:60]!r}", path, number)
        deps = None if m.group("deps") is None else tuple(_KEY.findall(m.group("deps")))
        entry = PlanEntry(m.group("app"), m.group("name"), deps, number)
        if entry.version in seen:
            raise _common.fail(f"{entry.version} is listed twice (first at line "
                               f"{seen[entry.version]})", path, number)
        seen[entry.version] = number
        entries.append(entry)
    return entries


def read_replaces(root: Path) -> dict[str, tuple[str, ...]]:
    """``replaces.txt``: each squashed migration's replaced migrations (empty when absent)."""
    path = root / REPLACES_FILE
    if not path.is_file():
        return {}
    _, text = _common.read_text(path)
    out: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        keys = line.split("#", 1)[0].split()
        if not keys:
            continue
        bad = [k for k in keys if not _KEY.fullmatch(k)]
        if bad or len(keys) < 2:
            raise _common.fail("expected '<app>.<squash> <app>.<replaced> ...'", path, number)
        out[keys[0]] = tuple(keys[1:])
    return out


def parse_sqlmigrate(text: str) -> tuple[str, bool, bool]:
    """One ``sqlmigrate`` output: the SQL with ``BEGIN;``/``COMMIT;`` blanked (line numbers
    kept), whether it runs in a transaction, and whether it is opaque (only operations that
    cannot be written as SQL, no statement at all)."""
    lines = _common.split_lines(text)
    meaningful = [(i, _common.strip_eol(ln).strip()) for i, ln in enumerate(lines)
                  if _common.strip_eol(ln).strip()]
    # an empty output (no operation) runs nothing: call it transactional
    in_tx = not meaningful or (meaningful[0][1].upper() == "BEGIN;"
                               and meaningful[-1][1].upper() == "COMMIT;")
    tx_lines = {i for i, ln in meaningful if _TX_LINE.match(ln)}
    sql_lines = [ln for i, ln in meaningful if i not in tx_lines and not ln.startswith("--")]
    opaque = not sql_lines and any(ln == _NO_SQL for _, ln in meaningful)
    return _common.keep_lines(lines, lambda i: i not in tx_lines), in_tx, opaque


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The migrations of a ``sqlmigrate`` directory (see the module docstring), in the plan's
    order; with ``options.config`` (a settings module) the directory is produced first.

    Raises:
        MigrationError: no ``plan.txt`` (a project directory without ``--django-settings``),
            a plan line without its ``<app>/<name>.sql``, a dependency the plan lists later
            or not at all, a ``replaces.txt`` naming a migration the plan lacks.
    """
    _common.require_dir(root)
    options = options or ToolOptions()
    if options.config:
        root = _export(root, options)
    plan_path = root / PLAN_FILE
    if not plan_path.is_file():
        hint = (" (a Django project: pass --django-settings MODULE)"
                if (root / "manage.py").is_file() else "")
        raise _common.fail(f"no {PLAN_FILE}: give the output of `manage.py showmigrations "
                           f"--plan -v 2` and of `sqlmigrate` for each migration{hint}", root)
    entries = read_plan(plan_path)
    replaces = read_replaces(root)
    graph = any(e.dependencies is not None for e in entries)
    listed = {e.version for e in entries}
    position: set[str] = set()
    migrations: list[Migration] = []
    for entry in entries:
        script = root / entry.app / f"{entry.name}.sql"
        if not script.is_file():
            raise _common.fail(f"{entry.version} has no {entry.app}/{entry.name}.sql "
                               f"(`manage.py sqlmigrate {entry.app} {entry.name}`)",
                               plan_path, entry.line)
        late = [d for d in entry.dependencies or () if d not in position]
        if late:
            where = "later" if all(d in listed for d in late) else "nowhere"
            raise _common.fail(f"{entry.version} depends on {', '.join(late)}, listed "
                               f"{where} in the plan", plan_path, entry.line)
        _, text = _common.read_text(script)
        sql, in_tx, opaque = parse_sqlmigrate(text)
        extra = {"app": entry.app, "name": entry.name}
        if entry.version in replaces:
            extra["replaces"] = " ".join(replaces[entry.version])
        migrations.append(Migration(
            version=entry.version, description=_description(entry.name), path=str(script),
            sql="" if opaque else sql, in_transaction=in_tx, opaque=opaque,
            requires=(entry.dependencies or ()) if graph else None, extra=extra,
        ))
        position.add(entry.version)
    for squash in replaces:
        if squash not in listed:
            raise _common.fail(f"{squash} is not in {PLAN_FILE}", root / REPLACES_FILE)
    return migrations


def _description(name: str) -> str:
    """The human part of a migration name: ``0002_add_price`` -> ``add price``."""
    number, sep, rest = name.partition("_")
    return rest.replace("_", " ") if sep and number.isdigit() and rest else name


def _export(project: Path, options: ToolOptions) -> Path:
    """Produce the ``sqlmigrate`` directory with Django itself, from a scratch database."""
    import shutil
    import tempfile

    from schemadiff.tools import _generate  # subprocess: only when Django runs

    if not _generate.importable("django"):
        raise _common.fail("--django-settings needs Django importable by this Python (run "
                           "schemadiff in the project's environment), or give the "
                           "sqlmigrate directory instead", project)
    from psycopg.conninfo import conninfo_to_dict

    from schemadiff.sources.shadow import scratch_database

    settings = str(options.config)
    work = Path(tempfile.mkdtemp(prefix="schemadiff-django-"))
    try:
        with scratch_database(shadow_dsn=options.scratch_dsn,
                              embedded=not options.scratch_dsn) as (_, dsn):
            params = conninfo_to_dict(dsn)
            scratch = {"NAME": params.get("dbname"), "USER": params.get("user") or "",
                       "PASSWORD": params.get("password") or "",
                       "HOST": params.get("host") or "", "PORT": str(params.get("port") or "")}
            _generate.run_tool(
                [str(_EXPORT), str(work)], cwd=project.resolve(),
                what=f"sqlmigrate for every migration (DJANGO_SETTINGS_MODULE={settings})",
                env={"DJANGO_SETTINGS_MODULE": settings,
                     "SCHEMADIFF_SCRATCH_DB": json.dumps(scratch)},
                where=project,
            )
        files = {str(p.relative_to(work)): p.read_text(encoding="utf-8")
                 for p in work.rglob("*") if p.is_file()}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _generate.output_dir(NAME, files)


# -- history table and sync ------------------------------------------------------------------
#
# django_migrations (django/db/migrations/recorder.py): id, app varchar(255), name
# varchar(255), applied timestamptz; one row per applied migration, no unique constraint.

#: The columns a history reader needs, as text (``{table}``: the quoted table name).
HISTORY_QUERY = ("SELECT app::text AS app, name::text AS name, applied::text AS applied "
                 "FROM {table} ORDER BY applied, id")

#: The columns that make a table Django's history (tool detection).
HISTORY_COLUMNS = frozenset({"app", "name", "applied"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list: ``<app>.<name>``."""
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\.[^\s.]+", text) else None

#: django_migrations as Django (AutoField id) creates it.
_CREATE_TABLE = """CREATE TABLE IF NOT EXISTS {table} (
    id integer NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
    app varchar(255) NOT NULL,
    name varchar(255) NOT NULL,
    applied timestamp with time zone NOT NULL
);"""


def _replaced(migrations: Sequence[Migration]) -> dict[str, tuple[str, ...]]:
    return {m.version: tuple(m.extra["replaces"].split())
            for m in migrations if m.extra.get("replaces")}


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The migrations django_migrations records, as Django's loader reads them.

    A squashed migration of the code counts as recorded when every migration it replaces
    has a row; rows of replaced migrations are folded into their squash (they are not
    versions of the code's plan).

    Args:
        rows: mappings with ``app`` and ``name`` (in the order applied).
        migrations: the code's migrations (their ``replaces``); may be empty.
    """
    recorded = list(dict.fromkeys(f"{r['app']}.{r['name']}" for r in rows))
    present = set(recorded)
    notes: list[str] = []
    folded: set[str] = set()
    squashes = _replaced(migrations)
    for squash, replaced in squashes.items():
        folded |= set(replaced)
        have = [v for v in replaced if v in present]
        if squash not in present and have and len(have) == len(replaced):
            recorded.append(squash)
            notes.append(f"{squash} counts as applied: every migration it replaces has a row")
        elif squash not in present and have:
            notes.append(f"{squash} is partly applied ({len(have)} of {len(replaced)} "
                         "replaced migrations have rows): Django then runs the replaced "
                         "migrations, not the squash")
    in_code = {m.version for m in migrations}
    versions = [v for v in recorded if v in in_code or v not in folded]
    return tuple(RecordedVersion(v) for v in versions), tuple(notes)


def _insert(table: str, key: str) -> str:
    app, name = key.split(".", 1)
    a, n = _script.literal(app), _script.literal(name)
    return (f"INSERT INTO {table} (app, name, applied)\nSELECT {a}, {n}, now() WHERE NOT EXISTS "
            f"(SELECT 1 FROM {table} WHERE app = {a} AND name = {n});")


def _delete(table: str, key: str) -> str:
    app, name = key.split(".", 1)
    return (f"DELETE FROM {table} WHERE app = {_script.literal(app)} "
            f"AND name = {_script.literal(name)};")


def render_sync(ctx: SyncContext) -> SyncScript:
    """Django's repair: the ``django_migrations`` rows ``migrate --fake`` writes (a squash's
    row and one per migration it replaces), and the ``migrate <app> <name> --fake`` commands
    doing the same; ``prune`` deletes rows as ``migrate --fake`` backwards does."""
    table = _script.qualified(ctx.table)
    squashes = _replaced(ctx.migrations)
    body: list[str] = []
    if not ctx.recorded.table_exists:
        body.append(_CREATE_TABLE.format(table=table))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    for version in ctx.prune:
        for key in (*squashes.get(version, ()), version):
            body.append(_delete(table, key))
    for m in ctx.missing:
        body.append(f"-- {_script.comment_text(m.version)}")
        for key in (*squashes.get(m.version, ()), m.version):
            body.append(_insert(table, key))
    after = ctx.applied_after
    order = [m for m in ctx.migrations if m.version in after]
    gaps = [(m.version, need) for m in order for need in m.requires or () if need not in after]
    warnings = [f"{v} is recorded as applied but {need}, which it depends on, is not: "
                f"Django's migrate raises InconsistentMigrationHistory" for v, need in gaps]
    recorded = set(ctx.recorded.applied)
    inconsistent = [m.version for m in ctx.migrations if m.version in recorded
                    and any(need not in recorded for need in m.requires or ())]
    if ctx.missing and inconsistent:
        ctx.notes.append(f"migrate --fake refuses this history ({inconsistent[0]} is recorded "
                         "without a migration it depends on: InconsistentMigrationHistory); "
                         "this script repairs it")
    equivalent: list[str] = []
    if ctx.missing and not gaps and not inconsistent:
        missing_apps = {m.extra.get("app", m.version.split(".", 1)[0]) for m in ctx.missing}
        last: dict[str, str] = {}
        for m in order:
            last[m.extra.get("app", m.version.split(".", 1)[0])] = m.version
        for app in sorted(missing_apps):
            name = last[app].split(".", 1)[1]
            equivalent.append(f"python manage.py migrate {app} {name} --fake")
    if equivalent:
        ctx.notes.append("the same rows, written by Django: " + "; ".join(equivalent))
    return SyncScript(
        NAME, "script", _script.frame(ctx, f"backfill {ctx.table[1]}", body),
        commands=("python manage.py migrate",) if ctx.pending_after else (),
        warnings=tuple(warnings),
        equivalent=tuple(equivalent),
        inserted=tuple(m.version for m in ctx.missing),
        pruned=ctx.prune,
    )
