"""Helpers shared by the benchmarks: the server, timed subprocesses, medians.

Every timing is wall-clock of a whole process where a user would run a process (``schemadiff
infer``, ``psql``, ``pg_dump``, ``migra``), so interpreter start-up and imports are included.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from pg import PgServer, start_server  # noqa: E402

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def settle(pg: PgServer | None = None) -> None:
    """Let what the previous step wrote reach the disk before the next one is timed.

    Building a 5,000-table database or dropping a corpus's leaves the server's checkpointer and
    the kernel flushing for seconds afterwards; timed meanwhile, a run measured up to 40% slower
    (the machine sat at 45% iowait after a step). A ``CHECKPOINT`` and a ``sync``, untimed,
    put every measurement on the same footing.
    """
    if pg is not None:
        with contextlib.suppress(Exception), pg.connect_db(autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    os.sync()


@dataclass
class Timed:
    """A command's wall times over its repeats (seconds) and its last output."""

    seconds: list[float]
    returncode: int
    stdout: str
    stderr: str

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def run_timed(
    args: Sequence[str],
    *,
    repeats: int = 1,
    env: dict[str, str] | None = None,
    before: object = None,
    ok: Sequence[int] = (0,),
    timeout: float = 900,
) -> Timed:
    """Run ``args`` ``repeats`` times; ``before`` (a callable) runs untimed before each one.

    Raises:
        RuntimeError: an exit code not in ``ok``.
    """
    seconds = []
    proc: subprocess.CompletedProcess[str] | None = None
    for _ in range(repeats):
        if callable(before):
            before()
        t = time.perf_counter()
        proc = subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            env=_environment(env),
            timeout=timeout,
            check=False,
        )
        seconds.append(time.perf_counter() - t)
        if proc.returncode not in ok:
            raise RuntimeError(
                f"{' '.join(args[:3])} ... exited {proc.returncode}: {proc.stderr.strip()[-800:]}"
            )
    assert proc is not None
    return Timed(seconds, proc.returncode, proc.stdout, proc.stderr)


_compiled = False


def _environment(extra: dict[str, str] | None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # read the compiled bytecode (schemadiff_cmd)
    return env


def schemadiff_cmd(*args: str) -> list[str]:
    """The ``schemadiff`` command line, run by this interpreter.

    The package is timed as an installed one runs: with its bytecode compiled (pip compiles a
    wheel's modules at install time; an editable checkout under ``PYTHONDONTWRITEBYTECODE``
    would otherwise recompile every module on every run).
    """
    global _compiled
    if not _compiled:
        import compileall

        compileall.compile_dir(ROOT / "schemadiff", quiet=1)
        _compiled = True
    return [sys.executable, "-m", "schemadiff", *args]


@contextlib.contextmanager
def server() -> Iterator[PgServer]:
    """``SCHEMADIFF_TEST_DSN``, else the machine's server at :data:`DEFAULT_DSN`, else embedded."""
    if not os.environ.get("SCHEMADIFF_TEST_DSN"):
        import psycopg

        try:
            with psycopg.connect(DEFAULT_DSN, connect_timeout=3):
                pass
            os.environ["SCHEMADIFF_TEST_DSN"] = DEFAULT_DSN
        except psycopg.OperationalError:
            pass  # start_server falls back to the embedded wheel
    gen = start_server()
    pg = next(gen)
    try:
        yield pg
    finally:
        gen.close()


def fmt_s(seconds: float | None) -> str:
    """``1.23 s`` / ``45 ms`` / ``-``."""
    if seconds is None:
        return "-"
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def fmt_ratio(r: float | None) -> str:
    return "-" if r is None else f"{r:.1f}x"
