"""No password ever reaches output: not on success, not in errors, not in JSON or --out files.

Every command that takes ``--dsn`` (diff, infer, check, sync, inspect) runs with the password
given in a URL (``user:pw@``), in a URL query (``?password=``), in ``key=value`` form (quoted,
with a space and a quote in it), through ``PGPASSWORD`` and through ``DATABASE_URL``; against a
database that works and against one that does not exist or cannot be reached. The local test
servers trust local logins, so the password is sent (or not needed) and the runs succeed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from psycopg.conninfo import make_conninfo

from pg import PgServer

BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad"
PASSWORD = "Zq7 s3cret'pw"  # a space and a quote: quoting in key=value form, escaping in URLs
SECRETS = (PASSWORD, quote(PASSWORD, safe=""), quote(PASSWORD), "s3cret")
COMMANDS = ("diff", "infer", "check", "sync", "inspect")


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SCHEMADIFF_DEBUG", "DATABASE_URL", "GITHUB_ACTIONS") and not k.startswith("PG")
    }
    env.update(extra)
    return env


def _args(command: str, dsn: str | None, fmt: str) -> list[str]:
    args = [command]
    if command != "inspect":
        args += ["-m", "m", "-t", "golang-migrate"]
    if dsn is not None:
        args += ["--dsn", dsn]
    if command in ("diff", "infer", "check"):
        args += ["--format", fmt]
    if command != "check":
        args += ["--out", f"out/{command}-{fmt}.txt"]
    return args


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args], cwd=cwd, env=env, capture_output=True,
        text=True, encoding="utf-8", errors="replace", timeout=120, check=False,
    )


def _assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"password text {secret!r} in {where}:\n{text}"


def _run_all(cwd: Path, dsn: str | None, env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    """Every command, in json and table format, in parallel; no secret in any output."""
    (cwd / "out").mkdir(exist_ok=True)
    jobs = [_args(c, dsn, fmt) for c in COMMANDS for fmt in ("json", "table") if not (c in ("sync", "inspect") and fmt == "table")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        procs = list(pool.map(lambda a: _run(a, cwd, env), jobs))
    for proc in procs:
        _assert_no_secret(proc.stdout + proc.stderr, f"output of {proc.args[3:]}")
        assert "Traceback" not in proc.stderr, proc.stderr
    for path in (cwd / "out").iterdir():
        _assert_no_secret(path.read_text(encoding="utf-8", errors="replace"), str(path))
    return procs


@pytest.fixture(scope="module")
def app_db(pg: PgServer) -> str:
    """A database built by ``fixtures/bad/ok`` with golang-migrate's history saying so."""
    db = pg.create_database("sd_secrets")
    pg.psql(
        db,
        "CREATE TABLE users (id bigint PRIMARY KEY);\n"
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);\n"
        "INSERT INTO schema_migrations VALUES (1, false);\n",
    )
    return db


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(BAD / "ok", tmp_path / "m")
    return tmp_path


def _url_with_password(dsn: str, password: str) -> str:
    parts = urlsplit(dsn)
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0] or "postgres"
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))


def _url_query_password(dsn: str, password: str) -> str:
    sep = "&" if "?" in dsn else "?"
    return f"{dsn}{sep}password={quote(password, safe='')}"



FORMS: dict[str, Callable[[str], tuple[str | None, dict[str, str]]]] = {
    "url-userinfo": lambda dsn: (_url_with_password(dsn, PASSWORD), {}),
    "url-query": lambda dsn: (_url_query_password(dsn, PASSWORD), {}),
    "keyword": lambda dsn: (make_conninfo(dsn, password=PASSWORD), {}),
    "PGPASSWORD": lambda dsn: (dsn, {"PGPASSWORD": PASSWORD}),
    "DATABASE_URL": lambda dsn: (None, {"DATABASE_URL": make_conninfo(dsn, password=PASSWORD)}),
}


def _form_dsn(form: str, dsn: str) -> tuple[str | None, dict[str, str]]:
    if form.startswith("url") and "://" not in dsn:
        pytest.skip("the test server's DSN is not a URL")
    return FORMS[form](dsn)


@pytest.mark.parametrize("form", list(FORMS))
def test_success_paths_never_show_the_password(
    form: str, pg: PgServer, app_db: str, workdir: Path
) -> None:
    dsn, extra = _form_dsn(form, pg.dsn(app_db))
    procs = _run_all(workdir, dsn, _env(**extra))
    for proc in procs:
        command = proc.args[3]
        if dsn is None and command == "inspect":
            assert proc.returncode == 2  # inspect does not read DATABASE_URL: it says so
            continue
        assert proc.returncode == 0, f"{proc.args[3:]} exit {proc.returncode}:\n{proc.stderr}"


@pytest.mark.parametrize("form", list(FORMS))
def test_failure_paths_never_show_the_password(form: str, pg: PgServer, workdir: Path) -> None:
    dsn, extra = _form_dsn(form, pg.dsn("sd_no_such_database"))
    procs = _run_all(workdir, dsn, _env(**extra))
    for proc in procs:
        assert proc.returncode == 2, f"{proc.args[3:]} exit {proc.returncode}:\n{proc.stderr}"
        if not (dsn is None and proc.args[3] == "inspect"):
            assert "sd_no_such_database" in proc.stderr, proc.stderr
    assert not any((workdir / "out").iterdir())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://app:{pw}@127.0.0.1:{port}/prod",
        "postgresql://app@127.0.0.1:{port}/prod?password={pw}&sslmode=bogus",
        "host=127.0.0.1 port={port} dbname=prod user=app password='{raw}' sslmode=bogus",
        "host=127.0.0.1 port={port} password='{raw}' dbname=prod user=app connect_timeout=nope",
        "postgresql://app:{pw}@[::1/prod",
        "postgresql://app:{pw}@127.0.0.1:notaport/prod",
        "host=127.0.0.1 password='{raw}",
        "password={pw} this is not a dsn",
    ],
    ids=["unreachable", "bad-sslmode-url", "bad-sslmode-kv", "bad-option-kv", "bad-ipv6",
         "bad-port", "unterminated-quote", "garbage"],
)
def test_malformed_and_unreachable_dsns_never_show_the_password(dsn: str, workdir: Path) -> None:
    text = dsn.format(pw=quote(PASSWORD, safe=""), raw=PASSWORD.replace("'", "\\'"), port=_closed_port())
    procs = _run_all(workdir, text, _env())
    for proc in procs:
        assert proc.returncode == 2, f"{proc.args[3:]} exit {proc.returncode}:\n{proc.stderr}"
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("schemadiff: error: "), proc.stderr
