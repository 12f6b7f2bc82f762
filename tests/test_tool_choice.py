"""Which tool reads a directory, when its files and the database's history tables are both
asked (``schemadiff.tool_choice``, ``schemadiff.tools.choose_and_read``), on a real PostgreSQL.

Every directory here is one tool's fixture (``fixtures/tools/<tool>``) whose files another
tool's reader also accepts (:data:`OVERLAPS`, checked against the readers themselves). The
databases hold history tables created and filled as each tool does it: the tool modules' own
``render_sync`` scripts (the table as the tool creates it, the rows as the tool writes them),
run through psql. Each case is weighed twice: read live over a read-only session, and from a
full ``pg_dump`` of the same database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pg import PgServer
from schemadiff.errors import MigrationError
from schemadiff.migration import Migration
from schemadiff.recorded import Recorded
from schemadiff.repair import render_sync
from schemadiff.sources.tool_evidence import evidence_from_dump, read_evidence_live
from schemadiff.tool_choice import HistoryTable, ToolEvidence, owners
from schemadiff.tools import TOOLS, choose_and_read, detect_scores
from test_live import PASSWORD, readonly_role, with_user  # noqa: F401 (readonly_role: a fixture)

TOOL_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tools"

#: For each tool's fixture directory, the other tools whose readers accept it too.
OVERLAPS: dict[str, list[str]] = {
    "golang-migrate": ["sqlx"],  # NNN_x.up.sql / .down.sql
    "sqlx": ["golang-migrate"],  # plain and reversible files: golang-migrate reads the .up ones
    "goose": ["sqlx", "dbmate", "atlas"],  # valid sqlx names; dbmate 1.4 read files without up
    "dbmate": ["sqlx", "atlas"],
    "atlas": ["sqlx", "dbmate"],
    "diesel": ["atlas"],  # atlas takes the stray top-level data_seed.sql for a migration
    "flyway": [],
    "prisma": [],
}

#: Layouts only their tool uses (detect score >= STRONG): the files decide against a database
#: that names another tool with none of its rows matching, and contradict one whose do.
STRONG_LAYOUTS = {"goose", "dbmate", "atlas", "diesel", "flyway", "prisma"}


def readable_by(root: Path) -> list[str]:
    out = []
    for name, module in TOOLS.items():
        try:
            if module.list_migrations(root):
                out.append(name)
        except MigrationError:
            pass
    return out


def test_overlapping_layouts_are_these() -> None:
    """The pairs below are every pair the readers produce on the fixtures, no more, no less."""
    for layout, others in OVERLAPS.items():
        root = TOOL_FIXTURES / layout
        assert sorted(readable_by(root)) == sorted([layout, *others]), layout
        strong = max(detect_scores(root).values()) >= 80 and layout in STRONG_LAYOUTS
        assert strong == (layout in STRONG_LAYOUTS), layout


# -- databases ------------------------------------------------------------------------------


def history_script(tool: str, root: Path, rows: bool, table: tuple[str, str] | None = None) -> str:
    """The SQL that creates ``tool``'s history table and, with ``rows``, records every migration
    of ``root`` as ``tool`` reads it (all but the last: a real history lags the files)."""
    if rows:
        migrations = TOOLS[tool].list_migrations(root)
    elif TOOLS[tool].SQL_FROM_TOOL:  # only the table: a one-migration graph stands for the files
        migrations = [Migration("a1" if tool == "alembic" else "app.0001_a", "a", "a.sql", "",
                                requires=())]
    else:
        migrations = []
    missing = (migrations[:-1] or migrations) if rows else []
    script = render_sync(tool, missing, Recorded(tool, "none", False), migrations=migrations,
                         table=table)
    return script.text


@dataclass(frozen=True)
class Database:
    dsn: str
    dump: str  # a full pg_dump (schema and data)


def full_dump(pg: PgServer, dbname: str) -> str:
    env = dict(os.environ, PGCLIENTENCODING="UTF8")
    proc = subprocess.run(
        [str(pg.pg_dump_bin), "--no-owner", "--no-privileges", "-d", pg.dsn(dbname)],
        capture_output=True, encoding="utf-8", env=env, timeout=300, check=True,
    )
    return proc.stdout


@pytest.fixture(scope="module")
def database(pg: PgServer) -> Callable[[str, tuple[tuple[str, bool], ...]], Database]:
    """``database(layout, ((tool, rows), ...))``: a database holding each tool's history of the
    ``layout`` fixture (with its rows, or created empty), built once per module."""
    built: dict[tuple[str, tuple[tuple[str, bool], ...]], Database] = {}

    def get(layout: str, tables: tuple[tuple[str, bool], ...]) -> Database:
        key = (layout, tables)
        if key not in built:
            name = pg.create_database(f"choice_{layout}")
            for tool, rows in tables:
                pg.psql(name, history_script(tool, TOOL_FIXTURES / layout, rows),
                        single_transaction=False)
            built[key] = Database(pg.dsn(name), full_dump(pg, name))
        return built[key]

    return get


def evidence(db: Database, source: str, history_table: str | None = None) -> ToolEvidence:
    if source == "live":
        return read_evidence_live(db.dsn, history_table)
    return evidence_from_dump(db.dump, history_table)


SOURCES = ["live", "dump"]
PAIRS = [(layout, other) for layout, others in OVERLAPS.items() for other in others]
PAIR_IDS = [f"{layout}-read-as-{other}" for layout, other in PAIRS]


def choose(root: Path, ev: ToolEvidence | None, tool: str | None = None,
           force: bool = False) -> str:
    choice, migrations = choose_and_read(root, tool, evidence=ev, force=force)
    assert migrations
    return choice.tool


def refused(root: Path, ev: ToolEvidence | None, tool: str | None = None) -> str:
    with pytest.raises(MigrationError) as info:
        choose_and_read(root, tool, evidence=ev)
    message = str(info.value)
    assert message.startswith(f"{root}: ") and "\n" not in message
    return message


# -- every overlapping pair, both ways ------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("layout", "other"), PAIRS, ids=PAIR_IDS)
def test_the_layouts_own_history_decides(
    database: Callable[..., Database], source: str, layout: str, other: str
) -> None:
    """The database keeps the layout's tool's history of these files: that tool, and ``--tool``
    naming the other one is refused (``--force-tool`` takes it)."""
    root = TOOL_FIXTURES / layout
    ev = evidence(database(layout, ((layout, True),)), source)
    assert choose(root, ev) == layout
    message = refused(root, ev, other)
    n = _recorded(layout, root)
    assert message.endswith(
        f"--tool {other} contradicts the database: it keeps {layout}'s history in "
        f"{_where(layout)} ({n} version(s), {n} of them files here); pass --tool "
        f"{layout}, or --force-tool to read the files as {other} anyway"
    ), message
    assert choose(root, ev, other, force=True) == other


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("layout", "other"), PAIRS, ids=PAIR_IDS)
def test_the_other_tools_history_of_these_files(
    database: Callable[..., Database], source: str, layout: str, other: str
) -> None:
    """The database keeps the *other* tool's history of these very files. A generic layout
    (.up/.down files) is that tool's: the golang-migrate-looking directory whose database keeps
    ``_sqlx_migrations`` is sqlx's. A distinctive layout contradicts it: an error naming both,
    and ``--tool`` either way settles it (the layout's own tool only with ``--force-tool``)."""
    root = TOOL_FIXTURES / layout
    ev = evidence(database(layout, ((other, True),)), source)
    if layout in STRONG_LAYOUTS:
        message = refused(root, ev)
        assert f"the files are {layout}'s ({TOOLS[layout].LAYOUT}) but the database keeps " \
               f"{other}'s history in {_where(other)}" in message, message
        assert message.endswith(f"; pass --tool {layout} or --tool {other}"), message
        assert choose(root, ev, other) == other
        assert "contradicts the database" in refused(root, ev, layout)
        assert choose(root, ev, layout, force=True) == layout
    else:
        assert choose(root, ev) == other
        assert choose(root, ev, other) == other
        assert "contradicts the database" in refused(root, ev, layout)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("layout", "other"), PAIRS, ids=PAIR_IDS)
def test_both_histories(
    database: Callable[..., Database], source: str, layout: str, other: str
) -> None:
    """Both tools' histories of these files: a distinctive layout decides; a generic one is
    ambiguous (an error naming both and the flag)."""
    root = TOOL_FIXTURES / layout
    if {layout, other} == {"golang-migrate", "dbmate"}:
        pytest.skip("one schema_migrations per schema")
    ev = evidence(database(layout, ((layout, True), (other, True))), source)
    if layout in STRONG_LAYOUTS:
        assert choose(root, ev) == layout
    else:
        message = refused(root, ev)
        assert message.startswith(f"{root}: ambiguous: the database keeps "), message
        for tool in (layout, other):
            assert f"{tool}'s history in {_where(tool)}" in message
        assert f"--tool {layout}" in message and f"--tool {other}" in message


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize(("layout", "other"), PAIRS, ids=PAIR_IDS)
def test_an_empty_history_table_is_weak_evidence(
    database: Callable[..., Database], source: str, layout: str, other: str
) -> None:
    """The other tool's table exists, no migration recorded: it tips a generic layout towards
    that tool, never a distinctive one."""
    root = TOOL_FIXTURES / layout
    ev = evidence(database(layout, ((other, False),)), source)
    assert choose(root, ev) == (layout if layout in STRONG_LAYOUTS else other)
    assert choose(root, ev, layout) == layout  # weak evidence never refuses --tool


@pytest.mark.parametrize(("layout", "other"), PAIRS, ids=PAIR_IDS)
def test_tool_flag_against_the_files_alone(layout: str, other: str) -> None:
    """No database: ``--tool`` naming a tool whose layout the files are not is refused when the
    files are distinctive (goose annotations read as sqlx files)."""
    root = TOOL_FIXTURES / layout
    if layout in STRONG_LAYOUTS:
        message = refused(root, None, other)
        assert message.endswith(
            f"--tool {other} contradicts the files: they are {layout}'s "
            f"({TOOLS[layout].LAYOUT}); pass --tool {layout}, or --force-tool to read them as "
            f"{other} anyway"
        ), message
        assert choose(root, None, other, force=True) == other
    else:
        assert choose(root, None, other) == other


def _recorded(tool: str, root: Path) -> int:
    """How many versions history_script records: all files but the last, except golang-migrate,
    whose one row stands for them all."""
    return 1 if tool == "golang-migrate" else max(1, len(TOOLS[tool].list_migrations(root)) - 1)


def _where(tool: str) -> str:
    """Where the tool's render_sync creates its table (pg_dump and the catalog qualify it)."""
    return "atlas_schema_revisions.atlas_schema_revisions" if tool == "atlas" else \
        f"public.{TOOLS[tool].HISTORY_TABLES and sorted(TOOLS[tool].HISTORY_TABLES)[0][1]}"


# -- the tables as the tools create them -----------------------------------------------------


def test_each_tools_table_is_its_own(pg: PgServer) -> None:
    """Every tool's history table, created as the tool creates it, is that tool's and only that
    tool's (golang-migrate's schema_migrations has ``dirty``, dbmate's does not), live and in a
    dump; an unrelated table of a history table's name is nobody's."""
    name = pg.create_database("choice_tables")
    pg.psql(name, "CREATE SCHEMA gm; CREATE SCHEMA other;"
                  "CREATE TABLE other.goose_db_version (a int, b text);")
    for tool in TOOLS:
        table = ("gm", "schema_migrations") if tool == "golang-migrate" else None
        pg.psql(name, history_script(tool, TOOL_FIXTURES / tool, rows=False, table=table),
                single_transaction=False)
    for ev in (read_evidence_live(pg.dsn(name)), evidence_from_dump(full_dump(pg, name))):
        found = {t.display: owners(t, TOOLS) for t in ev.tables}
        assert found == {
            "public.goose_db_version": ["goose"],
            "other.goose_db_version": [],
            "public._sqlx_migrations": ["sqlx"],
            "gm.schema_migrations": ["golang-migrate"],
            "public.schema_migrations": ["dbmate"],
            "public.flyway_schema_history": ["flyway"],
            "public.__diesel_schema_migrations": ["diesel"],
            "public._prisma_migrations": ["prisma"],
            "atlas_schema_revisions.atlas_schema_revisions": ["atlas"],
            "drizzle.__drizzle_migrations": ["drizzle"],
            "public.databasechangelog": ["liquibase"],
            "public.alembic_version": ["alembic"],
            "public.django_migrations": ["django"],
        }, ev.source


def test_a_table_the_role_cannot_read_is_weak_evidence(
    pg: PgServer, readonly_role: Callable[..., str]  # noqa: F811
) -> None:
    """A role without SELECT on the history table: its columns still name the tool, its rows
    are unknown (weak), and the session is still usable."""
    name = pg.create_database("choice_noselect")
    pg.psql(name, history_script("sqlx", TOOL_FIXTURES / "golang-migrate", rows=True),
            single_transaction=False)
    pg.psql(name, "CREATE TABLE public.other (x int);")
    role = readonly_role(name, ("public", "other"))
    dsn = with_user(pg.dsn(name), role, PASSWORD)
    ev = read_evidence_live(dsn)
    [table] = ev.tables
    assert (table.display, table.rows) == ("public._sqlx_migrations", None)
    assert choose(TOOL_FIXTURES / "golang-migrate", ev) == "sqlx"


# -- --history-table and the command line ----------------------------------------------------


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SCHEMADIFF_DEBUG", "DATABASE_URL", "GITHUB_ACTIONS")}
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture()
def up_down_dir(tmp_path: Path) -> Path:
    root = tmp_path / "migrations"
    shutil.copytree(TOOL_FIXTURES / "golang-migrate", root)
    return root


def test_cli_up_down_files_with_sqlx_history_are_sqlx(
    pg: PgServer, up_down_dir: Path, tmp_path: Path
) -> None:
    """The issue's case: golang-migrate-looking files, every migration applied, a database that
    keeps _sqlx_migrations recording the first two. Detection says sqlx and why; sync backfills
    _sqlx_migrations, never schema_migrations; --tool golang-migrate is refused in one line."""
    name = pg.create_database("choice_cli")
    for m in TOOLS["sqlx"].list_migrations(up_down_dir):
        pg.psql(name, Path(m.path))
    pg.psql(name, history_script("sqlx", up_down_dir, rows=True), single_transaction=False)
    dsn = pg.dsn(name)
    proc = run_cli("sync", "-m", str(up_down_dir), "--dsn", dsn, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[0] == (
        f"schemadiff: detected sqlx migrations in {up_down_dir}: the database keeps sqlx's "
        "history in public._sqlx_migrations (2 version(s), 2 of them files here) (use --tool "
        "to override)"
    )
    assert "INSERT INTO _sqlx_migrations (version, description, success, checksum, " \
           "execution_time)\nSELECT 3, 'add members joined at', true" in proc.stdout
    assert "schema_migrations" not in proc.stdout.replace("_sqlx_migrations", "")

    proc = run_cli("infer", "-m", str(up_down_dir), "--dsn", dsn, "--tool", "golang-migrate",
                   cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"schemadiff: error: {up_down_dir}: --tool golang-migrate contradicts the database: it "
        "keeps sqlx's history in public._sqlx_migrations (2 version(s), 2 of them files here); "
        "pass --tool sqlx, or --force-tool to read the files as golang-migrate anyway\n"
    )
    proc = run_cli("infer", "-m", str(up_down_dir), "--dsn", dsn, "--tool", "golang-migrate",
                   "--force-tool", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "history: no golang-migrate history table found" in proc.stdout


def test_cli_goose_files_as_sqlx_is_refused(tmp_path: Path) -> None:
    """``--tool sqlx`` on goose files: refused before anything is read from the database."""
    root = TOOL_FIXTURES / "goose"
    dump = tmp_path / "dump.sql"
    dump.write_text("CREATE TABLE public.users (id bigint);\n")
    proc = run_cli("infer", "-m", str(root), "-s", str(dump), "--tool", "sqlx", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"schemadiff: error: {root}: --tool sqlx contradicts the files: they are goose's "
        "('-- +goose Up' annotations); pass --tool goose, or --force-tool to read them as sqlx "
        "anyway\n"
    )
    proc = run_cli("infer", "-m", str(root), "-s", str(dump), "--force-tool", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (2, "schemadiff: error: --force-tool needs --tool\n")


def test_cli_history_table_elsewhere(pg: PgServer, up_down_dir: Path, tmp_path: Path) -> None:
    """sqlx's table renamed and in another schema: found with --history-table, which also
    decides detection, is read for the history, left out of the drift and written by sync."""
    name = pg.create_database("choice_histtable")
    pg.psql(name, "CREATE SCHEMA meta;")
    pg.psql(name, history_script("sqlx", up_down_dir, rows=True, table=("meta", "sqlx_history")),
            single_transaction=False)
    for m in TOOLS["sqlx"].list_migrations(up_down_dir)[:-1]:
        pg.psql(name, Path(m.path))
    dsn = pg.dsn(name)
    flag = ("--history-table", "meta.sqlx_history")

    proc = run_cli("infer", "-m", str(up_down_dir), "--dsn", dsn, "-f", "json", *flag,
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # the last one pending: not a finding
    assert "detected sqlx migrations" in proc.stderr
    assert "meta.sqlx_history" in proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["tool"] == "sqlx"
    assert doc["history"]["versions"] == ["1", "2"]
    assert doc["history"]["notes"] == ["read from meta.sqlx_history"]
    assert doc["drift"] == [] and doc["missing_from_history"] == []

    proc = run_cli("sync", "-m", str(up_down_dir), "--dsn", dsn, "--prune", *flag, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "-- history table: meta.sqlx_history" in proc.stdout

    # without the flag the renamed table is nobody's: the layout decides, nothing recorded
    proc = run_cli("infer", "-m", str(up_down_dir), "--dsn", dsn, "-f", "json", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert doc["tool"] == "golang-migrate"
    assert doc["history"]["table_exists"] is False

    proc = run_cli("infer", "-m", str(up_down_dir), "--dsn", dsn, "--history-table", "a.b.c",
                   cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (
        2, "schemadiff: error: --history-table 'a.b.c': give NAME or SCHEMA.NAME\n")


def test_history_table_owner_rules() -> None:
    """Pure: a table named like a history table without the tool's columns is nobody's; the
    --history-table name makes any name a candidate, the columns decide the tool."""
    t = HistoryTable("app", "migrations_log", frozenset({"version", "dirty"}), ())
    assert owners(t, TOOLS) == []
    assert owners(t, TOOLS, "app.migrations_log") == ["golang-migrate"]
    assert owners(t, TOOLS, "other.migrations_log") == []
    assert owners(t, TOOLS, "migrations_log") == ["golang-migrate"]


def test_detection_looks_at_a_directory_once_and_scores_the_same(tmp_path: Path) -> None:
    """detect_scores lists the directory and reads each file's status once for every tool;
    the scores are those of each detect run alone, and outside the look nothing is kept."""
    from schemadiff.tools import TOOLS, _common, detect_scores

    root = tmp_path / "m"
    root.mkdir()
    (root / "1_a.up.sql").write_text("CREATE TABLE a (id int);\n")
    (root / "1_a.down.sql").write_text("DROP TABLE a;\n")
    (root / "2_b.sql").write_text("-- +GOOSE UP\nCREATE TABLE b (id int);\n")  # any case
    alone = {name: module.detect(root) for name, module in TOOLS.items()}
    assert detect_scores(root) == alone and alone["goose"] == 100
    with _common.one_look():
        before = _common.entries(root)
        (root / "3_c.sql").write_text("SELECT 1;\n")
        assert _common.entries(root) == before  # one look: the listing taken once
        with _common.one_look():  # (detect_scores inside choose_and_read): the same look
            assert _common.entries(root) == before
    assert len(_common.entries(root)) == len(before) + 1  # and not kept after it
