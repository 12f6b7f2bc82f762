"""The drizzle-kit and Liquibase formatted SQL readers, histories and syncs (no server needed).

Checksum vectors come from the tools themselves: drizzle's hash is the SHA-256 its migrator
computes; the Liquibase MD5SUMs below are the values Liquibase 4.28 wrote into
``databasechangelog`` for ``fixtures/tools/liquibase`` (the end-to-end test compares every row
again), and the normalization cases are those of Liquibase's own ``AbstractSQLChangeTest``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from schemadiff.errors import MigrationError
from schemadiff.recorded import Recorded
from schemadiff.repair import render_sync
from schemadiff.tools import detect_tool, drizzle, liquibase, read_migrations

ROOT = Path(__file__).resolve().parents[1]
DRIZZLE = ROOT / "fixtures" / "tools" / "drizzle"
LIQUIBASE = ROOT / "fixtures" / "tools" / "liquibase"
EXTRACK = ROOT / "fixtures" / "liquibase_extrack"
LAMINAR = ROOT.parent / "shared" / "corpora-pending" / "laminar" / "migrations"


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "schemadiff", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# -- drizzle ---------------------------------------------------------------------------------


def test_drizzle_fixture() -> None:
    assert detect_tool(DRIZZLE) == "drizzle"
    _, migrations = read_migrations(DRIZZLE)
    assert [(m.version, m.description) for m in migrations] == [
        ("1733000000000", "0000_brave_thor"), ("1733100000000", "0001_quiet_storm"),
        ("1733200000000", "0002_late_nova"), ("1733300000000", "0003_grey_hawk")]
    for m in migrations:
        data = Path(m.path).read_bytes()
        assert m.checksum == hashlib.sha256(data).hexdigest()
        assert m.in_transaction and "--> statement-breakpoint" not in m.sql
        assert m.sql.count("\n") == data.decode().count("\n")
        assert len(m.sql) == len(data.decode())  # the marker is replaced in place


def test_drizzle_folder_is_detected_not_a_duplicate_version(tmp_path: Path) -> None:
    """A drizzle folder with an orphan file beside a journal entry of the same number (as in
    laminar) is drizzle's, and the orphan is not a migration."""
    root = _write(tmp_path / "m", {
        "0000_a.sql": "CREATE TABLE a (id int);",
        "0001_b.sql": "CREATE TABLE b (id int);",
        "0001_orphan.sql": "CREATE TABLE c (id int);",
        "meta/_journal.json": json.dumps({"version": "7", "dialect": "postgresql", "entries": [
            {"idx": 0, "version": "7", "when": 1, "tag": "0000_a", "breakpoints": True},
            {"idx": 1, "version": "7", "when": 2, "tag": "0001_b", "breakpoints": True}]}),
    })
    tool, migrations = read_migrations(root)
    assert tool == "drizzle" and [m.description for m in migrations] == ["0000_a", "0001_b"]


DRIZZLE_ERRORS = [
    ("missing file", '{"entries": [\n  {"idx": 0, "when": 1, "tag": "0000_a"},\n'
     '  {"idx": 1, "when": 2, "tag": "0001_gone"}\n]}',
     "meta/_journal.json:3: journal entry '0001_gone' has no file 0001_gone.sql"),
    ("not json", '{"entries": [\n  {"idx": 0,, }\n]}',
     "meta/_journal.json:2:13: journal is not valid JSON"),
    ("no entries", '{"version": "7"}', "meta/_journal.json:1: journal has no 'entries' list"),
    ("no tag", '{"entries": [{"idx": 0, "when": 1}]}',
     "meta/_journal.json:1: journal entry without a tag"),
    ("when not int", '{"entries": [\n{"idx": 0, "when": "soon", "tag": "0000_a"}]}',
     "meta/_journal.json:2: journal entry '0000_a': 'when' is not an integer"),
    ("same when", '{"entries": [{"when": 5, "tag": "0000_a"},\n{"when": 5, "tag": "0000_a"}]}',
     "meta/_journal.json:2: journal entries '0000_a' and '0000_a' have the same 'when' 5"),
]


@pytest.mark.parametrize(("journal", "message"), [c[1:] for c in DRIZZLE_ERRORS],
                         ids=[c[0] for c in DRIZZLE_ERRORS])
def test_drizzle_bad_journal_is_one_line_with_file_and_line(tmp_path: Path, journal: str,
                                                            message: str) -> None:
    _write(tmp_path / "m", {"0000_a.sql": "SELECT 1;", "meta/_journal.json": journal})
    proc = _cli(tmp_path, "infer", "--migrations", "m", "--tool", "drizzle", "--schema-file",
                str(DRIZZLE / "0000_brave_thor.sql"))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith(f"schemadiff: error: m/{message}"), lines[0]


def _recorded(tool: str, versions: list[str]) -> Recorded:
    from schemadiff.recorded import RecordedVersion

    return Recorded(tool, "live", True, tuple(RecordedVersion(v) for v in versions))


def test_drizzle_history_notes_what_the_migrator_skips() -> None:
    _, migrations = read_migrations(DRIZZLE)
    rows = [{"id": "1", "hash": "h", "created_at": "1733000000000"},
            {"id": "2", "hash": "h", "created_at": "1733200000000"},
            {"id": "3", "hash": "h", "created_at": None}]
    versions, notes = drizzle.parse_history(rows, migrations)
    assert [v.version for v in versions] == ["1733000000000", "1733200000000"]
    assert any("runs every migration again" in n for n in notes)
    assert any("never runs them (0001_quiet_storm)" in n for n in notes)


SKIP_CASES = [  # recorded, missing (to backfill), expected warning fragment or None
    ("backfill makes it skip", ["1733000000000"], ["1733100000000", "1733300000000"],
     "recording these rows makes drizzle's migrator skip pending migration(s) 0002_late_nova"),
    ("already skipped", ["1733000000000", "1733300000000"], ["1733100000000"],
     "pending migration(s) 0002_late_nova lie below the newest recorded created_at"),
    ("in order", ["1733000000000"], ["1733100000000"], None),
]


@pytest.mark.parametrize(("recorded", "missing", "warning"), [c[1:] for c in SKIP_CASES],
                         ids=[c[0] for c in SKIP_CASES])
def test_drizzle_sync_names_migrations_the_migrator_would_skip(
        recorded: list[str], missing: list[str], warning: str | None) -> None:
    _, migrations = read_migrations(DRIZZLE)
    to_record = [m for m in migrations if m.version in missing]
    script = render_sync("drizzle", to_record, _recorded("drizzle", recorded),
                         migrations=migrations)
    assert script.inserted == tuple(sorted(missing, key=int))
    if warning is None:
        assert script.warnings == ()
    else:
        assert any(warning in w for w in script.warnings), script.warnings
    assert 'INSERT INTO drizzle.__drizzle_migrations (hash, created_at)' in script.text


def test_drizzle_sync_honours_another_table_and_creates_it() -> None:
    _, migrations = read_migrations(DRIZZLE)
    script = render_sync("drizzle", migrations[:1], Recorded("drizzle", "live", False),
                         migrations=migrations, table="app_meta.migrations")
    assert "CREATE SCHEMA IF NOT EXISTS app_meta;" in script.text
    assert "CREATE TABLE IF NOT EXISTS app_meta.migrations (" in script.text
    assert "INSERT INTO app_meta.migrations (hash, created_at)" in script.text


# -- Liquibase -------------------------------------------------------------------------------

# (version, MD5SUM as Liquibase 4.28 wrote it, in a transaction, extra attributes)
LIQUIBASE_FIXTURE = [
    ("changes/001_users.sql::1::alice", "9:a914851ac9abc69e02b811c4877269cf"),
    ("changes/001_users.sql::2::alice", "9:a6688917dfd5f40e03c084e45fd8fbb7"),
    ("changes/002_functions.sql::touch-fn::bob", "9:e566d997ee4f4568a996c304771ea428"),
    ("changes/002_functions.sql::audit::bob", "9:f9e856a2882504dc16d89fe8748d78b5"),
    ("changes/later/003_orders.sql::orders-1::carol", "9:55d861840672b165edaddc7d4f64f249"),
    ("changes/later/003_orders.sql::orders-2::carol", "9:05b7e20e412cdb6ebe4c00dd53ccbc0a"),
    ("changes/later/004_status.sql::status::dave", "9:199e2e8957c5cf743014593e3e6348e4"),
]


def test_liquibase_fixture_matches_what_liquibase_wrote() -> None:
    assert detect_tool(LIQUIBASE) == "liquibase"
    _, migrations = read_migrations(LIQUIBASE)
    assert [(m.version, m.checksum) for m in migrations] == LIQUIBASE_FIXTURE
    users = migrations[1]
    assert "id bigint GENERATED" in users.sql  # ${id_type} from the YAML property
    assert users.extra["context"] == "!test" and users.extra["comment"] == "users"
    assert migrations[5].sql.count(";") == 2  # endDelimiter:/ lines end statements
    for m in migrations:
        assert m.sql.count("\n") == Path(m.path).read_text().count("\n")
        assert "--rollback" not in m.sql and "--changeset" not in m.sql


# Liquibase's AbstractSQLChangeTest.normalizeSql_latest, and two changesets it checksummed.
NORMALIZE = [
    ("single line String", "singlelineString"),
    ("\r\nmultiple\r\nline\r\nstring\r\n", "multiplelinestring"),
    ("\rmultiple\rline\rstring\r", "multiplelinestring"),
    ("\n\na\nline \n with \r\n \r\n double \n \n \n \n newlines", "alinewithdoublenewlines"),
    (" \n \n \n   \n  ", ""),
    ("INSERT INTO \n    recommendation_list(instanceId, name, publicId)\nSELECT \n    DISTINCT \n"
     "        instanceId, \n          \"default\" as name, \n          \"default\" as publicId\n"
     "   FROM \n       recommendation;",
     "INSERTINTOrecommendation_list(instanceId,name,publicId)SELECTDISTINCTinstanceId,"
     "\"default\"asname,\"default\"aspublicIdFROMrecommendation;"),
]


@pytest.mark.parametrize(("text", "normalized"), NORMALIZE)
def test_liquibase_normalizing_stream(text: str, normalized: str) -> None:
    assert liquibase.normalize_sql(text.encode()) == normalized.encode()


@pytest.mark.parametrize(("sql", "md5sum"), [
    ("CREATE TABLE t1 (id int PRIMARY KEY, name text);\n", "9:e885863cf4a23938c1184be2f8eb7e2a"),
    ("\r\n  CREATE TABLE t1 (id int PRIMARY KEY,\r\n name text);", "9:e885863cf4a23938c1184be2f8eb7e2a"),
    ("CREATE TABLE t2 (id int);\nCREATE INDEX t2_id ON t2 (id);\n",
     "9:0e3e4977ac0b2dd8c404ca988acec0fb"),
])
def test_liquibase_changeset_checksum(sql: str, md5sum: str) -> None:
    assert liquibase.changeset_checksum(sql) == md5sum


HEADER = "--liquibase formatted sql\n"
LIQUIBASE_ERRORS = [
    ("changeset without author", {"c.sql": HEADER + "\n--changeset bob\nSELECT 1;\n"},
     "c.sql:3: unexpected formatting: expected '--changeset <author>:<id>'"),
    ("one dash", {"c.sql": HEADER + "--changeset a:1\nSELECT 1;\n-changeset a:2\n"},
     "c.sql:4: unexpected formatting: expected '--changeset <author>:<id>'"),
    ("comment outside", {"c.sql": HEADER + "--comment: hi\n--changeset a:1\nSELECT 1;\n"},
     "c.sql:2: comment lines are not allowed outside changesets"),
    ("no sql", {"c.sql": HEADER + "--changeset a:1\n\n--changeset a:2\nSELECT 1;\n"},
     "c.sql:2: no SQL for changeset 1 by a"),
    ("duplicate", {"c.sql": HEADER + "--changeset a:1\nSELECT 1;\n--changeset a:1\nSELECT 2;\n"},
     "c.sql:4: duplicate changeset identifier c.sql::1::a"),
    ("missing include", {"master.xml": '<databaseChangeLog>\n  <include file="gone.sql"/>\n'
                                        "</databaseChangeLog>\n"},
     "master.xml:2: included file gone.sql not found"),
    ("include cycle", {"master.yaml": "databaseChangeLog:\n  - include:\n      file: a.yaml\n",
                       "a.yaml": "databaseChangeLog:\n  - include:\n      file: master.yaml\n"},
     "a.yaml:2: circular include of master.yaml: master.yaml -> a.yaml -> master.yaml"),
    ("bad xml", {"master.xml": "<databaseChangeLog>\n  <include file='x.sql'>\n"},
     "master.xml:3:1: not well-formed XML"),
    ("bad yaml", {"master.yaml": "databaseChangeLog:\n  - include: [\n"},
     "master.yaml:3:1: not valid YAML"),
]


@pytest.mark.parametrize(("files", "message"), [c[1:] for c in LIQUIBASE_ERRORS],
                         ids=[c[0] for c in LIQUIBASE_ERRORS])
def test_liquibase_bad_input_is_one_line_with_file_and_line(tmp_path: Path,
                                                            files: dict[str, str],
                                                            message: str) -> None:
    _write(tmp_path / "m", files)
    proc = _cli(tmp_path, "infer", "--migrations", "m", "--tool", "liquibase", "--schema-file",
                str(DRIZZLE / "0000_brave_thor.sql"))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith(f"schemadiff: error: m/{message}"), lines[0]


def test_liquibase_plain_sql_include_and_dbms_and_ignore(tmp_path: Path) -> None:
    root = _write(tmp_path / "m", {
        "master.xml": '<databaseChangeLog>\n<include file="plain.sql"/>\n'
                      '<include file="f.sql"/>\n<changeSet id="x" author="z">'
                      "<createTable tableName='t'/></changeSet>\n</databaseChangeLog>\n",
        "plain.sql": "CREATE TABLE p (id int);\n",
        "f.sql": HEADER + "--changeset a:1 dbms:postgresql,h2\nSELECT 1;\n"
                 "--changeset a:2 dbms:!postgresql\nSELECT 2;\n--changeset a:3 ignore:true\n"
                 "SELECT 3;\n--changeset a:4 runInTransaction:false\nSELECT 4;\n",
    })
    _, migrations = read_migrations(root)
    assert [(m.version, m.in_transaction, m.opaque) for m in migrations] == [
        ("plain.sql::raw::includeAll", True, False), ("f.sql::1::a", True, False),
        ("f.sql::4::a", False, False), ("master.xml::x::z", True, True)]


def test_liquibase_sql_line_ends_are_those_liquibase_sends(tmp_path: Path) -> None:
    """Measured with Liquibase 4.28 on Linux: a formatted file's lines (ended by CRLF, LF or a
    lone CR) are joined with LF; a plain file loses every CR. A CRLF function body must replay
    without its CRs, or the body differs from the one the server holds."""
    root = tmp_path / "m"
    root.mkdir()
    (root / "master.yaml").write_text("databaseChangeLog:\n  - include:\n      file: f.sql\n"
                                      "  - include:\n      file: plain.sql\n")
    (root / "f.sql").write_bytes(b"--liquibase formatted sql\r\n--changeset a:1\r\n"
                                 b"CREATE FUNCTION f() RETURNS text AS\r\n"
                                 b"'SELECT ''x\ry''::text\r\n' LANGUAGE sql;\r\n")
    (root / "plain.sql").write_bytes(b"CREATE FUNCTION g() RETURNS text AS\r\n"
                                     b"'SELECT ''x\ry''::text\r\n' LANGUAGE sql;\r\n")
    _, (formatted, plain) = read_migrations(root)
    assert formatted.sql == ("\n\nCREATE FUNCTION f() RETURNS text AS\n"
                             "'SELECT ''x\ny''::text\n' LANGUAGE sql;\n")
    assert plain.sql == "CREATE FUNCTION g() RETURNS text AS\n'SELECT ''xy''::text\n' LANGUAGE sql;\n"


def test_liquibase_public_history_extrack() -> None:
    """A real published changelog (MIT, see its MANIFEST): a YAML root including 20 formatted
    files, most of them CRLF, whose changeset ids repeat from file to file."""
    assert detect_tool(EXTRACK) == "liquibase"
    _, migrations = read_migrations(EXTRACK)
    assert len(migrations) == 28
    assert len({m.version for m in migrations}) == 28
    assert {(m.extra["id"], m.extra["author"]) for m in migrations} == {
        ("1", "agalimianov"), ("2", "agalimianov"), ("3", "agalimianov")}
    assert migrations[0].version == "001_public/001_tables/001_roles/001_table.sql::1::agalimianov"
    assert migrations[-1].extra["runOnChange"] == "true"
    for m in migrations:
        assert "\r" not in m.sql
        assert m.sql.count("\n") == Path(m.path).read_bytes().count(b"\n")


def test_liquibase_history_identity_and_checksums_it_does_not_compare() -> None:
    _, migrations = read_migrations(LIQUIBASE)
    runs_always = dataclasses.replace(
        migrations[0], extra={**migrations[0].extra, "runAlways": "true"})
    rows = [
        {"id": "1", "author": "alice", "filename": "classpath:/changes/001_users.sql",
         "md5sum": "9:0000", "exectype": "EXECUTED", "orderexecuted": "1"},
        {"id": "2", "author": "alice", "filename": "changes\\001_users.sql",
         "md5sum": "8:1234", "exectype": "EXECUTED", "orderexecuted": "2"},
        {"id": "orders-1", "author": "carol", "filename": "changes/later/003_orders.sql",
         "md5sum": None, "exectype": "FAILED", "orderexecuted": "3"},
    ]
    versions, notes = liquibase.parse_history(rows, [runs_always, *migrations[1:]])
    assert [(v.version, v.checksum) for v in versions] == [
        ("changes/001_users.sql::1::alice", None),  # runAlways: never compared
        ("changes/001_users.sql::2::alice", None),  # an older algorithm: upgraded by Liquibase
        ("changes/later/003_orders.sql::orders-1::carol", None),
    ]
    assert any("older algorithm" in n for n in notes) and any("FAILED" in n for n in notes)


def test_liquibase_sync_honours_another_table() -> None:
    _, migrations = read_migrations(LIQUIBASE)
    script = render_sync("liquibase", migrations[:2], Recorded("liquibase", "live", False),
                         migrations=migrations, table="audit.my_changelog")
    assert "CREATE TABLE IF NOT EXISTS audit.my_changelog (" in script.text
    assert "to_regclass('audit.databasechangeloglock')" in script.text
    assert "'EXECUTED', '9:a914851ac9abc69e02b811c4877269cf', 'sql', 'account states'" in \
        script.text
    assert script.commands == ("liquibase update",)


@pytest.mark.skipif(not LAMINAR.is_dir(), reason="../shared/corpora-pending/laminar is absent")
def test_laminar_is_read_as_drizzle() -> None:
    tool, migrations = read_migrations(LAMINAR)
    assert tool == "drizzle" and len(migrations) == 99
    assert not any(m.description == "0037_cute_medusa" for m in migrations)  # the orphan
    typo = next(m for m in migrations if m.description == "0076_aspiring_green_goblin")
    assert "-->statement-breakpoint" in typo.sql  # no marker: a comment to PostgreSQL
    with pytest.raises(MigrationError, match=r"no meta/_journal\.json"):
        drizzle.list_migrations(LAMINAR / "meta")
