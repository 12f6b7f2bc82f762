"""Running a migration tool to produce its SQL (Alembic's offline mode, Django's sqlmigrate).

Some tools write no SQL files: the SQL of a migration is what the tool itself renders. Their
readers take either what the user produced with the tool, or, given the tool's configuration,
run the tool here, in a subprocess of this Python interpreter (so the tool, its settings and
the project's code must be importable by it). Nothing here connects to any database: the
tool's own configuration decides what it connects to, and the readers point it at nothing
(Alembic's offline mode) or at a scratch database (Django).

The output is kept in ``<cache dir>/generated/<tool>-<digest>/`` (content-addressed, so an
unchanged history reuses the same files), where the reports' file names and line numbers
point; a temporary directory when the cache directory cannot be written.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from schemadiff.errors import Location, MigrationError

#: How long one run of a tool may take.
TIMEOUT_SECONDS = 600


def run_tool(
    argv: Sequence[str],
    *,
    cwd: Path,
    what: str,
    env: Mapping[str, str] | None = None,
    where: Path | str | None = None,
) -> str:
    """Run ``python <argv>`` in ``cwd`` and return its standard output.

    Args:
        argv: the arguments after the interpreter (``["-m", "alembic", ...]``).
        cwd: the working directory (the project's, where the tool is normally run).
        what: the command as the user would type it, for messages.
        env: variables added to this process's environment.
        where: the file or directory an error is located at (default: ``cwd``).

    Raises:
        MigrationError: the tool is missing, fails or times out; the message is one line:
            the command and the last line the tool printed on stderr.
    """
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["PYTHONIOENCODING"] = "utf-8"
    location = Location(str(where if where is not None else cwd))
    try:
        proc = subprocess.run(
            [sys.executable, *argv], cwd=cwd, env=full_env, capture_output=True,
            timeout=TIMEOUT_SECONDS, check=False, stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise MigrationError(f"`{what}` took more than {TIMEOUT_SECONDS} s", location) from None
    except OSError as exc:
        raise MigrationError(f"cannot run `{what}`: {exc.strerror or exc}", location) from None
    if proc.returncode != 0:
        raise MigrationError(
            f"`{what}` failed (exit {proc.returncode}): {last_line(proc.stderr)}", location
        )
    return proc.stdout.decode("utf-8", errors="replace")


def last_line(data: bytes) -> str:
    """The last non-empty line of a tool's stderr (its error, after any traceback)."""
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1] if lines else "no message"


def importable(module: str) -> bool:
    """Whether ``module`` can be imported by this interpreter (without importing it)."""
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def output_dir(tool: str, files: Mapping[str, str]) -> Path:
    """A directory holding ``files`` (relative path -> text), written once per content.

    Returns:
        ``<cache dir>/generated/<tool>-<digest>``, or a new temporary directory when that
        cannot be written.
    """
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    try:
        from schemadiff.cachedir import default_cache_dir

        base = default_cache_dir() / "generated" / f"{tool}-{digest.hexdigest()[:16]}"
        _write_all(base, files)
        return base
    except OSError:
        base = Path(tempfile.mkdtemp(prefix=f"schemadiff-{tool}-"))
        _write_all(base, files)
        return base


def _write_all(base: Path, files: Mapping[str, str]) -> None:
    """Write ``files`` under ``base`` (each atomically; an existing identical file is kept)."""
    for name, text in files.items():
        target = base / name
        data = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
