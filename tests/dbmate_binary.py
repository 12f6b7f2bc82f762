"""The real dbmate binary, from the npm registry (``npm install dbmate``), and how to run it.

dbmate is the one migration tool whose own binary the benchmark can run: its npm package
ships the Go binary for the platform. :func:`install_dbmate` installs it once into a directory
(``npm install --prefix DIR dbmate``); :func:`run_dbmate` runs ``dbmate --migrations-dir DIR
--no-dump-schema <args>`` with ``DATABASE_URL`` pointing at a database of a
:class:`~pg.PgServer`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote, urlencode

from psycopg.conninfo import conninfo_to_dict


class DbmateUnavailable(RuntimeError):
    """npm is not installed, or installing dbmate failed."""


def install_dbmate(prefix: Path) -> Path:
    """Install dbmate from npm under ``prefix`` (kept: a second call only checks it).

    Raises:
        DbmateUnavailable: no npm, or ``npm install`` failed.
    """
    binary = prefix / "node_modules" / ".bin" / "dbmate"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        raise DbmateUnavailable("npm is not installed: cannot fetch the dbmate binary")
    prefix.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(prefix),
         "dbmate"], capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0 or not binary.exists():
        raise DbmateUnavailable(f"npm install dbmate failed:\n{proc.stdout}\n{proc.stderr}")
    return binary


def dbmate_url(dsn: str) -> str:
    """A DATABASE_URL for dbmate from a libpq DSN: TCP as given, or a unix socket through
    ``host=/dir``."""
    info = conninfo_to_dict(dsn)
    user = quote(str(info.get("user") or "postgres"), safe="")
    password = info.get("password")
    auth = user + (":" + quote(str(password), safe="") if password else "")
    host = str(info.get("host") or "localhost")
    port = str(info.get("port") or "5432")
    dbname = quote(str(info.get("dbname") or "postgres"), safe="")
    query = {"sslmode": "disable"}
    if host.startswith("/"):
        query.update(host=host, port=port)
        return f"postgres://{auth}@/{dbname}?{urlencode(query)}"
    return f"postgres://{auth}@{host}:{port}/{dbname}?{urlencode(query)}"


def run_dbmate(binary: Path, dsn: str, migrations: Path, *args: str
               ) -> subprocess.CompletedProcess[str]:
    """``dbmate --migrations-dir DIR --no-dump-schema <args>`` against the database ``dsn``."""
    env = dict(os.environ, DATABASE_URL=dbmate_url(dsn))
    return subprocess.run(
        [str(binary), "--migrations-dir", str(migrations), "--no-dump-schema", *args],
        capture_output=True, text=True, env=env, timeout=300, check=False)
