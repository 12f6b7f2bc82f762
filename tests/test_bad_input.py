"""Bad input through the real CLI: every case is one clean line and exit 2, or a reported warning.

Each case runs ``python -m schemadiff ...`` in a fresh directory (so paths in messages are
short and predictable) and checks what a person in an incident would see:

- exit code 2 and exactly one ``schemadiff: error: ...`` line on stderr naming the file (and
  line) or the host and database;
- no ``Traceback`` anywhere, no password anywhere;
- the ``--out`` file not created, and no temporary file left beside it.

Cases where the run can honestly continue (text that is not SQL, a dump cut between two
words) must instead report the problem (file and line) as unmodeled, and fail under ``--strict``.

Small inputs live in ``fixtures/bad``; binary, huge, symlinked and FIFO inputs are generated in
temporary directories.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from pg import PgServer

BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad"
PASSWORD = "s3cret-Pa55word"
OUT = "out/report.txt"


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a CLI run: no debug tracebacks, no ambient database or password."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SCHEMADIFF_DEBUG", "DATABASE_URL", "GITHUB_ACTIONS") and not k.startswith("PG")
    }
    env.update(extra)
    return env


def run_cli(
    args: list[str], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m schemadiff *args`` in ``cwd``; stdout and stderr decoded leniently.

    ``cwd/out`` exists (empty) first: an ``--out`` file there must appear only on success.
    """
    (cwd / Path(OUT).parent).mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args],
        cwd=cwd,
        env=env if env is not None else cli_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        check=False,
    )


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The one ``schemadiff: error:`` line of a failed run (the ``detected`` note is allowed)."""
    lines = [
        line for line in proc.stderr.splitlines() if not line.startswith("schemadiff: detected ")
    ]
    assert len(lines) == 1, f"expected one stderr line, got:\n{proc.stderr}"
    assert lines[0].startswith("schemadiff: error: "), proc.stderr
    return lines[0]


def assert_clean_error(
    proc: subprocess.CompletedProcess[str],
    cwd: Path,
    names: tuple[str, ...],
    secrets: tuple[str, ...] = (PASSWORD,),
) -> str:
    """Exit 2, one error line naming everything in ``names``, no traceback, no secret, no --out."""
    everything = proc.stdout + proc.stderr
    assert "Traceback" not in everything, everything
    assert "internal error" not in everything, everything
    for secret in secrets:
        assert secret not in everything, everything
    assert proc.returncode == 2, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    line = error_line(proc)
    for name in names:
        assert name in line, f"{name!r} not named in {line!r}"
    out_dir = cwd / Path(OUT).parent
    assert not any(out_dir.iterdir()), list(out_dir.iterdir())
    return line


# -- the table of cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad input: ``build(tmp)`` prepares ``tmp`` and returns the CLI arguments."""

    id: str
    build: Callable[[Path], list[str]]
    names: tuple[str, ...]
    skip: str = ""
    marks: tuple[pytest.MarkDecorator, ...] = field(default_factory=tuple)


def _copy(name: str, tmp: Path, as_name: str | None = None) -> str:
    """Copy ``fixtures/bad/<name>`` into ``tmp`` (as ``as_name``) and return its relative path."""
    src = BAD / name
    dst = tmp / (as_name or name)
    if src.is_dir():
        shutil.copytree(src, dst)
    else:
        shutil.copyfile(src, dst)
    return dst.name


def _diff(migrations: str, *extra: str, tool: str | None = "golang-migrate") -> list[str]:
    args = ["diff", "-m", migrations, "--out", OUT, *extra]
    return [*args, "--tool", tool] if tool else args


def _with_dump(tmp: Path) -> str:
    return _copy("ok_dump.sql", tmp)


def _mig_dir(tmp: Path, files: dict[str, bytes], name: str = "m") -> str:
    """A migration directory ``tmp/name`` holding ``files`` plus a good first migration."""
    root = tmp / name
    root.mkdir()
    (root / "000001_init.up.sql").write_bytes(b"CREATE TABLE users (id bigint PRIMARY KEY);\n")
    for file_name, data in files.items():
        (root / file_name).write_bytes(data)
    return name


def _missing_dir(tmp: Path) -> list[str]:
    return _diff("nosuchdir", "-s", _with_dump(tmp))


def _empty_dir(tmp: Path) -> list[str]:
    (tmp / "empty").mkdir()
    return _diff("empty", "-s", _with_dump(tmp))


def _not_a_dir(tmp: Path) -> list[str]:
    return _diff(_with_dump(tmp), "-s", _with_dump(tmp))


def _unknown_tool(tmp: Path) -> list[str]:
    return _diff(_copy("ok", tmp), "-s", _with_dump(tmp), tool="mybatis")


def _fixture_dir(name: str, tool: str | None) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        return _diff(_copy(name, tmp), "-s", _with_dump(tmp), tool=tool)

    return build


def _invalid_utf8(tmp: Path) -> list[str]:
    m = _mig_dir(tmp, {"000002_names.up.sql": b"CREATE TABLE t (a int);\nCOMMENT ON TABLE t IS 'caf\xe9';\n"})
    return _diff(m, "-s", _with_dump(tmp))


def _binary_nul(tmp: Path) -> list[str]:
    m = _mig_dir(tmp, {"000002_blob.up.sql": bytes(range(256)) * 64})
    return _diff(m, "-s", _with_dump(tmp))


def _binary_no_nul(tmp: Path) -> list[str]:
    # PNG-ish bytes without a NUL: caught as invalid UTF-8.
    m = _mig_dir(tmp, {"000002_image.up.sql": b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 64})
    return _diff(m, "-s", _with_dump(tmp))


def _schema_file(name: str) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        return _diff(_copy("ok", tmp), "-s", _copy(name, tmp))

    return build


def _schema_missing(tmp: Path) -> list[str]:
    return _diff(_copy("ok", tmp), "-s", "nosuch_dump.sql")


def _schema_dir(tmp: Path) -> list[str]:
    (tmp / "dumpdir").mkdir()
    return _diff(_copy("ok", tmp), "-s", "dumpdir")


def _schema_binary(tmp: Path) -> list[str]:
    (tmp / "dump.sql").write_bytes(os.urandom(4096) + b"\x00" + os.urandom(4096))
    return _diff(_copy("ok", tmp), "-s", "dump.sql")


def _schema_custom_format(tmp: Path) -> list[str]:
    (tmp / "prod.dump").write_bytes(b"PGDMP\x01\x0f\x00\x04\x08\x01\x01\x01" + os.urandom(2048))
    return _diff(_copy("ok", tmp), "-s", "prod.dump")


def _schema_gzip(damage: Callable[[bytes], bytes], name: str) -> Callable[[Path], list[str]]:
    """A gzip-compressed dump, damaged by ``damage`` (its compressed bytes -> the file's)."""

    def build(tmp: Path) -> list[str]:
        plain = (BAD / "ok_dump.sql").read_bytes()
        (tmp / name).write_bytes(damage(gzip.compress(plain)))
        return _diff(_copy("ok", tmp), "-s", name)

    return build


def _schema_latin1(tmp: Path) -> list[str]:
    (tmp / "dump.sql").write_bytes(b"CREATE TABLE public.users (id bigint);\n-- caf\xe9\n")
    return _diff(_copy("ok", tmp), "-s", "dump.sql")


def _schema_symlink_loop(tmp: Path) -> list[str]:
    (tmp / "a.sql").symlink_to("b.sql")
    (tmp / "b.sql").symlink_to("a.sql")
    return _diff(_copy("ok", tmp), "-s", "a.sql")


def _symlink_loop(tmp: Path) -> list[str]:
    m = _mig_dir(tmp, {})
    (tmp / m / "000002_a.up.sql").symlink_to("000003_b.up.sql")
    (tmp / m / "000003_b.up.sql").symlink_to("000002_a.up.sql")
    return _diff(m, "-s", _with_dump(tmp))


def _broken_symlink(tmp: Path) -> list[str]:
    m = _mig_dir(tmp, {})
    (tmp / m / "000002_gone.up.sql").symlink_to("/nonexistent/000002_gone.up.sql")
    return _diff(m, "-s", _with_dump(tmp))


def _fifo(detect: bool) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        m = _mig_dir(tmp, {})
        os.mkfifo(tmp / m / "000002_pipe.up.sql")
        return _diff(m, "-s", _with_dump(tmp), tool=None if detect else "golang-migrate")

    return build


def _unreadable(tmp: Path) -> list[str]:
    m = _mig_dir(tmp, {"000002_secret.up.sql": b"CREATE TABLE t (a int);\n"})
    (tmp / m / "000002_secret.up.sql").chmod(0)
    return _diff(m, "-s", _with_dump(tmp))


def _migration_dir_loop(tmp: Path) -> list[str]:
    (tmp / "loop1").symlink_to("loop2")
    (tmp / "loop2").symlink_to("loop1")
    return _diff("loop1", "-s", _with_dump(tmp))


# -- inputs that would answer another question than the one asked ------------------------------


def _infer(migrations: str, *extra: str, tool: str | None = "golang-migrate") -> list[str]:
    args = ["infer", "-m", migrations, "--out", OUT, *extra]
    return [*args, "--tool", tool] if tool else args


def _dsn_and_schema_file(tmp: Path) -> list[str]:
    return _diff(_copy("ok", tmp), "-s", _with_dump(tmp), "--dsn", "postgresql://u@127.0.0.1:1/db")


def _unknown_schema(tmp: Path) -> list[str]:
    return _diff(_copy("ok", tmp), "-s", _with_dump(tmp), "--schema", "pubilc")


def _unknown_schema_infer(tmp: Path) -> list[str]:
    return _infer(_copy("ok", tmp), "-s", _with_dump(tmp), "--schema", "pubilc")


def _schema_file_not_sql(tmp: Path) -> list[str]:
    (tmp / "hello.sql").write_text("hello world\n")
    return _infer(_copy("ok", tmp), "-s", "hello.sql")


def _history_file(lines: str) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        (tmp / "history.txt").write_text(lines)
        return _infer(_copy("ok", tmp), "-s", _with_dump(tmp), "--history-file", "history.txt")

    return build


def _fail_on(value: str) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        ok = _copy("ok", tmp)
        return ["check", "-m", ok, "-s", _with_dump(tmp), "--tool", "golang-migrate",
                "--fail-on", value]

    return build


def _tool_contradicts_files(tmp: Path) -> list[str]:
    shutil.copytree(BAD.parent / "tools" / "goose", tmp / "goose")
    return _diff("goose", "-s", _with_dump(tmp), tool="sqlx")


def _force_tool_alone(tmp: Path) -> list[str]:
    return _diff(_copy("ok", tmp), "-s", _with_dump(tmp), "--force-tool", tool=None)


def _history_table(value: str) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        return _infer(_copy("ok", tmp), "-s", _with_dump(tmp), "--history-table", value)

    return build


INPUT_CONFLICTS: list[Case] = [
    Case(
        "dsn-and-schema-file",
        _dsn_and_schema_file,
        ("schemadiff: error: give --schema-file or --dsn, not both: the schema, its history and "
         "the tool are read from one source (--history-file gives a history from elsewhere)",),
    ),
    Case(
        "schema-naming-no-schema",
        _unknown_schema,
        ("schemadiff: error: --schema pubilc: no such schema in the database nor in the "
         "migrations (schemas there: public)",),
    ),
    Case(
        "schema-naming-no-schema-infer",
        _unknown_schema_infer,
        ("schemadiff: error: --schema pubilc: no such schema in the database nor in the "
         "migrations (schemas there: public)",),
    ),
    Case(
        "schema-file-without-ddl",
        _schema_file_not_sql,
        ("schemadiff: error: hello.sql: no schema objects in it: not a pg_dump --schema-only "
         "file?",),
    ),
    Case(
        "history-file-line-not-a-version",
        _history_file("1\nhello world\n"),
        ("schemadiff: error: history.txt:2: 'hello world' is not a golang-migrate version (an "
         "unsigned integer (schema_migrations.version)); write one version per line",),
    ),
    Case(
        "history-file-pasted-psql-table",
        _history_file(" version | dirty\n---------+-------\n       1 | f\n"),
        ("schemadiff: error: history.txt:1: 'version | dirty' is not a golang-migrate version",),
    ),
    Case(
        "history-file-file-name",
        _history_file("000001_init.up.sql\n"),
        ("schemadiff: error: history.txt:1: '000001_init.up.sql' is not a golang-migrate version",),
    ),
    Case(
        "fail-on-empty",
        _fail_on(""),
        ("schemadiff: error: --fail-on '' names no category: the gate would pass whatever it "
         "finds; name at least one of unknown-versions, history, partial, unverified, "
         "checksum, drift, pending",),
    ),
    Case(
        "fail-on-only-commas",
        _fail_on(" , ,"),
        ("schemadiff: error: --fail-on ' , ,' names no category",),
    ),
    Case(
        "tool-contradicts-the-files",
        _tool_contradicts_files,
        ("schemadiff: error: goose: --tool sqlx contradicts the files: they are goose's ('-- "
         "+goose Up' annotations); pass --tool goose, or --force-tool to read them as sqlx "
         "anyway",),
    ),
    Case(
        "force-tool-without-tool",
        _force_tool_alone,
        ("schemadiff: error: --force-tool needs --tool",),
    ),
    Case(
        "history-table-three-parts",
        _history_table("a.b.c"),
        ("schemadiff: error: --history-table 'a.b.c': give NAME or SCHEMA.NAME",),
    ),
    Case(
        "history-table-empty-part",
        _history_table("meta."),
        ("schemadiff: error: --history-table 'meta.': give NAME or SCHEMA.NAME",),
    ),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in INPUT_CONFLICTS])
def test_input_that_answers_another_question_is_refused(case: Case, tmp_path: Path) -> None:
    """Each input that would make schemadiff answer another question than the one asked is one
    line, exit 2, with exactly this message."""
    proc = run_cli(case.build(tmp_path), tmp_path, timeout=60)
    line = assert_clean_error(proc, tmp_path, ())
    assert line.startswith(case.names[0]), line


@pytest.mark.parametrize(
    ("lines", "recorded"),
    [
        pytest.param("000001\n# a comment\n\n1  # again\n", ["1"], id="spelled-as-the-tool"),
        pytest.param("1\n20991231000000\n", ["1", "20991231000000"], id="unknown-but-well-formed"),
    ],
)
def test_history_file_versions_in_the_tools_spelling(
    lines: str, recorded: list[str], tmp_path: Path
) -> None:
    """Lines are versions as the tool records them; a well-formed version this code lacks stays
    one (the database ran code we do not have: recorded_not_in_code)."""
    (tmp_path / "history.txt").write_text(lines)
    proc = run_cli(
        _infer(_copy("ok", tmp_path), "-s", _with_dump(tmp_path), "--history-file",
               "history.txt", "-f", "json"), tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads((tmp_path / OUT).read_text(encoding="utf-8"))
    assert doc["history"]["versions"] == recorded
    assert doc["recorded_not_in_code"] == [v for v in recorded if v != "1"]


def test_dump_of_an_empty_database_is_valid(pg: PgServer, tmp_path: Path) -> None:
    """pg_dump of an empty database defines nothing and stays a valid schema file: every
    migration pending, exit 0."""
    dbname = pg.create_database("empty_dump")
    (tmp_path / "empty.sql").write_text(pg.pg_dump_schema(dbname))
    proc = run_cli(["check", "-m", _copy("ok", tmp_path), "-s", "empty.sql", "--tool",
                    "golang-migrate"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok: 0 applied, 1 pending;"), proc.stdout


def test_gzip_backup_reads_as_its_plain_dump(pg: PgServer, tmp_path: Path) -> None:
    """``pg_dump db | gzip``, the usual form of a backup, is read as the plain dump: the same
    findings, and its data (a full dump) carries the history."""
    dbname = pg.create_database("gzip_backup")
    pg.psql(dbname, "CREATE TABLE users (id bigint PRIMARY KEY);\n"
            "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL);"
            "\nINSERT INTO schema_migrations VALUES (1, false);\n")
    full = subprocess.run([str(pg.pg_dump_bin), "--no-owner", "-d", pg.dsn(dbname)],
                          capture_output=True, check=True, timeout=120).stdout
    (tmp_path / "backup.sql").write_bytes(full)
    (tmp_path / "backup.sql.gz").write_bytes(gzip.compress(full))
    migrations = _copy("ok", tmp_path)
    found = []
    for name in ("backup.sql", "backup.sql.gz"):
        proc = run_cli(["infer", "-m", migrations, "-t", "golang-migrate", "-s", name, "-f",
                        "json"], tmp_path)
        assert proc.returncode == 0, proc.stderr
        found.append(json.loads(proc.stdout))
    plain, packed = found
    assert packed["history"] == plain["history"]
    assert plain["history"]["source"] == "dump" and plain["history"]["table_exists"]
    assert [(m["version"], m["status"], m["recorded"]) for m in packed["migrations"]] == [
        ("1", "applied", True)]
    assert packed["migrations"] == plain["migrations"]


_ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False

CASES: list[Case] = [
    Case("missing-migration-dir", _missing_dir, ("nosuchdir", "does not exist")),
    Case("empty-migration-dir", _empty_dir, ("empty", "empty")),
    Case("migration-dir-is-a-file", _not_a_dir, ("ok_dump.sql", "not a directory")),
    Case("migration-dir-symlink-loop", _migration_dir_loop, ("loop1", "symbolic links")),
    Case("unknown-tool", _unknown_tool, ("mybatis", "known tools")),
    Case(
        "duplicate-versions",
        _fixture_dir("duplicate_versions", "goose"),
        ("duplicate migration version", "001_create_users.sql", "01_create_teams.sql"),
    ),
    Case(
        "goose-without-up",
        _fixture_dir("goose_no_up", "goose"),
        ("goose_no_up/00001_create_users.sql", "+goose Up"),
    ),
    Case(
        "goose-sql-before-up",
        _fixture_dir("goose_sql_before_up", "goose"),
        ("goose_sql_before_up/00001_create_users.sql:1", "+goose Up"),
    ),
    Case("invalid-utf8", _invalid_utf8, ("m/000002_names.up.sql:2:", "UTF-8")),
    Case("binary-migration-with-nul", _binary_nul, ("m/000002_blob.up.sql:1:", "binary")),
    Case("binary-migration-not-utf8", _binary_no_nul, ("m/000002_image.up.sql:1:", "UTF-8")),
    Case(
        "unterminated-dollar-quote",
        _fixture_dir("unterminated_dollar", "golang-migrate"),
        ("unterminated_dollar/000001_init.up.sql:4:", "unterminated dollar-quoted string $body$"),
    ),
    Case(
        "unterminated-string",
        _fixture_dir("unterminated_string", "golang-migrate"),
        ("unterminated_string/000001_init.up.sql:4:", "unterminated quoted string"),
    ),
    Case(
        "unterminated-comment",
        _fixture_dir("unterminated_comment", "golang-migrate"),
        ("unterminated_comment/000001_init.up.sql:2:", "unterminated comment"),
    ),
    Case("schema-file-missing", _schema_missing, ("nosuch_dump.sql", "no such file")),
    Case("schema-file-is-a-directory", _schema_dir, ("dumpdir",)),
    Case("schema-file-empty", _schema_file("empty_dump.sql"), ("empty_dump.sql", "empty")),
    Case("schema-file-blank", _schema_file("blank_dump.sql"), ("blank_dump.sql", "empty")),
    Case(
        "schema-file-truncated-in-string",
        _schema_file("truncated_in_string_dump.sql"),
        ("truncated_in_string_dump.sql:9:", "unterminated quoted string"),
    ),
    Case("schema-file-binary", _schema_binary, ("dump.sql", "binary")),
    Case("schema-file-custom-format", _schema_custom_format, ("prod.dump", "pg_restore")),
    Case("schema-file-gzip-truncated", _schema_gzip(lambda b: b[: len(b) // 2], "dump.sql.gz"),
         ("dump.sql.gz", "truncated gzip")),
    Case("schema-file-gzip-corrupt", _schema_gzip(lambda b: b[:10] + b"\xff" * 64, "d.sql.gz"),
         ("d.sql.gz", "corrupt gzip")),
    Case("schema-file-gzip-of-custom-format",
         _schema_gzip(lambda b: gzip.compress(b"PGDMP\x01\x0f" + os.urandom(64)), "p.dump.gz"),
         ("p.dump.gz", "pg_restore")),
    Case("schema-file-not-utf8", _schema_latin1, ("dump.sql:2", "UTF-8")),
    Case("schema-file-symlink-loop", _schema_symlink_loop, ("a.sql",)),
    Case("migration-symlink-loop", _symlink_loop, ("m/000002_a.up.sql", "symbolic links")),
    Case("migration-broken-symlink", _broken_symlink, ("m/000002_gone.up.sql", "broken symbolic link")),
    Case("migration-fifo", _fifo(detect=False), ("m/000002_pipe.up.sql", "not a regular file")),
    Case(
        "migration-fifo-detected-tool",
        _fifo(detect=True),
        ("m/000002_pipe.up.sql", "not a regular file"),
    ),
    Case(
        "migration-unreadable",
        _unreadable,
        ("m/000002_secret.up.sql", "Permission denied"),
        skip="running as root: chmod 000 does not stop root from reading"
        if _ROOT
        else "",
    ),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_bad_input_is_one_clean_line(case: Case, tmp_path: Path) -> None:
    if case.skip:
        pytest.skip(case.skip)
    args = case.build(tmp_path)
    proc = run_cli(args, tmp_path, timeout=60)
    assert_clean_error(proc, tmp_path, case.names)


@pytest.mark.parametrize(
    "fixture, problem",
    [
        ("not_sql", "not_sql/000001_init.up.sql:3:"),
    ],
)
def test_text_that_is_not_sql_is_reported_then_strict_fails(
    fixture: str, problem: str, tmp_path: Path
) -> None:
    """Not SQL: reported as unmodeled (file:line) and the run goes on; ``--strict`` stops it."""
    m = _copy(fixture, tmp_path)
    dump = _with_dump(tmp_path)
    proc = run_cli(_diff(m, "-s", dump, "--format", "json"), tmp_path)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads((tmp_path / OUT).read_text(encoding="utf-8"))
    located = [f"{u['file']}:{u['line']}:" for u in report["unmodeled"]]
    assert any(loc.startswith(problem.rsplit(":", 2)[0]) for loc in located), report["unmodeled"]
    assert report["summary"]["unmodeled"] >= 1
    # the table format says it too
    (tmp_path / OUT).unlink()
    proc = run_cli(_diff(m, "-s", dump), tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert problem.split(":")[0] in (tmp_path / OUT).read_text(encoding="utf-8")

    (tmp_path / OUT).unlink()
    proc = run_cli(_diff(m, "-s", dump, "--strict"), tmp_path)
    assert_clean_error(proc, tmp_path, (problem,))


def test_truncated_dump_is_reported_then_strict_fails(tmp_path: Path) -> None:
    """A dump cut in the middle of a statement: the broken statement is reported with its line."""
    m = _copy("ok", tmp_path)
    dump = _copy("truncated_dump.sql", tmp_path)
    proc = run_cli(_diff(m, "-s", dump, "--format", "json"), tmp_path)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads((tmp_path / OUT).read_text(encoding="utf-8"))
    assert [(u["file"], u["line"]) for u in report["unmodeled"]] == [("truncated_dump.sql", 11)]

    (tmp_path / OUT).unlink()
    proc = run_cli(_diff(m, "-s", dump, "--strict"), tmp_path)
    assert_clean_error(proc, tmp_path, ("truncated_dump.sql:11:",))


# -- a 50 MB dump: bounded memory --------------------------------------------------------------

_RSS_WRAPPER = """
import atexit, os, resource, sys
def _report():
    with open(os.environ["SD_RSS_FILE"], "w") as fh:
        fh.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
atexit.register(_report)
sys.argv[0] = "schemadiff"
from schemadiff.cli import main
main()
"""


def _write_big_dump(path: Path, size: int) -> int:
    """A pg_dump-shaped file of ``size`` bytes: tables, comments and plpgsql functions."""
    cols = ",\n".join(f"    col_{j} text DEFAULT 'v{j}'::text NOT NULL" for j in range(8))
    body = "\n".join(
        f"    PERFORM pg_notify('chan_{{i}}', 'payload line {j} ' || now()::text);"
        for j in range(60)
    )
    unit = (
        "--\n-- Name: t{i}; Type: TABLE; Schema: public; Owner: -\n--\n\n"
        "CREATE TABLE public.t{i} (\n    id bigint NOT NULL,\n" + cols + "\n);\n\n"
        "COMMENT ON TABLE public.t{i} IS '" + "It''s a long comment. " * 150 + "';\n\n"
        "CREATE FUNCTION public.f{i}() RETURNS void\n    LANGUAGE plpgsql\n    AS $$\nBEGIN\n"
        + body
        + "\nEND;\n$$;\n\n"
    )
    written = count = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n")
        while written < size:
            chunk = unit.format(i=count)
            fh.write(chunk)
            written += len(chunk)
            count += 1
    return count


@pytest.mark.slow
def test_50mb_dump_has_bounded_memory(tmp_path: Path) -> None:
    """A 50 MB dump replays with a peak RSS well under 1.5 GB (no timing asserted)."""
    dump = tmp_path / "big.sql"
    tables = _write_big_dump(dump, 50 * 1024 * 1024)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "000001_init.up.sql").write_text("CREATE TABLE public.t0 (id bigint);\n")
    rss_file = tmp_path / "rss.txt"
    proc = subprocess.run(
        [sys.executable, "-c", _RSS_WRAPPER, "diff", "-m", "m", "-t", "golang-migrate",
         "-s", "big.sql", "--format", "json", "--out", "report.json"],
        cwd=tmp_path, env=cli_env(SD_RSS_FILE=str(rss_file)), capture_output=True, text=True,
        timeout=1800, check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stderr  # t1.. are extra tables
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["unmodeled"] == 0, report["unmodeled"][:3]
    extra_tables = [d for d in report["differences"] if d["kind"] == "table" and d["change"] == "extra"]
    assert len(extra_tables) == tables - 1
    peak_kib = int(rss_file.read_text())
    assert peak_kib < 1536 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB for a 50 MB dump"


# -- the command's exit: output flushed whole, a reader that leaves early ---------------------


def test_output_arrives_whole_and_a_reader_that_leaves_early_gets_no_traceback(
    tmp_path: Path,
) -> None:
    """The entry point skips the interpreter's teardown: it must still flush what it printed,
    and a reader that closes the pipe early sees no traceback nor "Exception ignored"."""
    _write_big_dump(tmp_path / "d.sql", 1024 * 1024)
    args = [sys.executable, "-m", "schemadiff", "inspect", "-s", "d.sql", "-f", "json"]
    whole = subprocess.run(
        args, cwd=tmp_path, env=cli_env(), capture_output=True, timeout=300, check=False
    )
    assert whole.returncode == 0, whole.stderr
    assert len(whole.stdout) > 1024 * 1024  # far more than a pipe buffer holds
    assert len(json.loads(whole.stdout)["objects"]) > 1000  # every object of the graph

    proc = subprocess.Popen(
        args, cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(100)
    proc.stdout.close()
    stderr = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=300) in (0, 2)  # click pacifies EPIPE; ours says 2
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


# -- databases that cannot be used -------------------------------------------------------------


def _with_login(dsn: str, user: str, password: str, dbname: str | None = None) -> str:
    """``dsn`` with another user, a password and maybe another database, in the same form."""
    if "://" in dsn:
        parts = urlsplit(dsn)
        host = parts.netloc.rsplit("@", 1)[-1]
        netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
        path = f"/{quote(dbname, safe='')}" if dbname else parts.path
        return urlunsplit(parts._replace(netloc=netloc, path=path))
    extra = {"dbname": dbname} if dbname else {}
    return make_conninfo(dsn, user=user, password=password, **extra)


def _host_of(dsn: str) -> str:
    params = conninfo_to_dict(dsn)
    return str(params.get("host") or params.get("hostaddr") or "localhost")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        server.close()


def _dsn_cmd(tmp: Path, dsn: str) -> list[str]:
    return _diff(_copy("ok", tmp), "--dsn", dsn)


def test_unreachable_host(tmp_path: Path) -> None:
    port = _closed_port()
    dsn = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/proddb"
    proc = run_cli(_dsn_cmd(tmp_path, dsn), tmp_path)
    assert_clean_error(proc, tmp_path, (f"127.0.0.1:{port}", "proddb"))


def test_server_that_never_answers_times_out(tmp_path: Path, silent_server: int) -> None:
    """libpq's connect_timeout bounds a server that accepts and never answers."""
    dsn = f"host=127.0.0.1 port={silent_server} user=postgres password={PASSWORD} dbname=proddb"
    proc = run_cli(_dsn_cmd(tmp_path, dsn), tmp_path, timeout=90)
    line = assert_clean_error(proc, tmp_path, (f"127.0.0.1:{silent_server}", "proddb"))
    assert "timeout" in line


def test_unknown_role_with_password(tmp_path: Path, pg: PgServer) -> None:
    dsn = _with_login(pg.dsn("postgres"), "nosuchuser", PASSWORD)
    proc = run_cli(_dsn_cmd(tmp_path, dsn), tmp_path)
    line = assert_clean_error(proc, tmp_path, ("'postgres'", _host_of(dsn)))
    assert "nosuchuser" in line


@pytest.fixture
def password_server() -> Iterator[int]:
    """A fake PostgreSQL server that asks for a password and rejects it (SQLSTATE 28P01).

    The local test servers trust every login, so a wrong password cannot be had from them.
    This one speaks just enough of the protocol: it declines SSL and GSS encryption, asks for
    a cleartext password, then fails the login with a message that (oddly) echoes it back, so
    the test also proves the CLI scrubs a password a server puts into its error.
    """
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    stop = threading.Event()

    def read_exact(conn: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def handle(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                while True:  # SSLRequest / GSSENCRequest, then the StartupMessage
                    length = int.from_bytes(read_exact(conn, 4), "big")
                    body = read_exact(conn, length - 4)
                    code = int.from_bytes(body[:4], "big")
                    if code in (80877103, 80877104):
                        conn.sendall(b"N")
                        continue
                    break
                conn.sendall(b"R" + (8).to_bytes(4, "big") + (3).to_bytes(4, "big"))
                kind = read_exact(conn, 1)
                length = int.from_bytes(read_exact(conn, 4), "big")
                given = read_exact(conn, length - 4).rstrip(b"\x00").decode("utf-8", "replace")
                assert kind == b"p"
                fields = [
                    b"SFATAL", b"VFATAL", b"C28P01",
                    f'Mpassword authentication failed for user "postgres" ({given})'.encode(),
                ]
                payload = b"".join(f + b"\x00" for f in fields) + b"\x00"
                conn.sendall(b"E" + (len(payload) + 4).to_bytes(4, "big") + payload)
            except (OSError, ConnectionError, AssertionError):
                pass

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


@pytest.mark.parametrize("form", ["url", "keyword"])
def test_wrong_password(tmp_path: Path, password_server: int, form: str) -> None:
    port = password_server
    if form == "url":
        dsn = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/proddb?sslmode=disable"
    else:
        dsn = f"host=127.0.0.1 port={port} user=postgres password='{PASSWORD}' dbname=proddb"
    proc = run_cli(_dsn_cmd(tmp_path, dsn), tmp_path)
    line = assert_clean_error(proc, tmp_path, (f"127.0.0.1:{port}", "'proddb'"))
    assert "password authentication failed" in line


def test_unknown_database(tmp_path: Path, pg: PgServer) -> None:
    base = conninfo_to_dict(pg.dsn("postgres"))
    dsn = _with_login(pg.dsn("postgres"), str(base.get("user") or "postgres"), PASSWORD,
                      dbname="sd_missing_db")
    proc = run_cli(_dsn_cmd(tmp_path, dsn), tmp_path)
    line = assert_clean_error(proc, tmp_path, ("'sd_missing_db'", _host_of(dsn)))
    assert "does not exist" in line


def test_a_statement_sqlglot_cannot_parse_leaves_stderr_to_schemadiff(tmp_path: Path) -> None:
    """sqlglot logs a warning for text it parses as an opaque Command; without a handler it
    would land on stderr between schemadiff's own lines. The statement is reported once, as
    unmodeled, by schemadiff."""
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_prepared.sql").write_text(
        "-- +goose Up\nPREPARE select1 AS SELECT 1 AS a;\n"
        "CREATE TABLE as_select1 AS EXECUTE select1;\n"
    )
    proc = run_cli(["inspect", "--migrations", str(migrations), "--tool", "goose",
                    "--no-cache"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Falling back" not in proc.stderr
    assert "contains unsupported syntax" not in proc.stderr
