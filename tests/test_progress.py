"""The progress bar: drawn on a terminal only, only after its delay, never into pipes."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from schemadiff.runtime.progress import DELAY_ENV, PROGRESS_ENV, ProgressBar

ROOT = Path(__file__).resolve().parents[1]


def _read_all(fd: int, timeout: float = 5.0) -> str:
    out = b""
    while select.select([fd], [], [], timeout)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed (Linux reports EIO)
            break
        if not chunk:
            break
        out += chunk
        timeout = 0.5
    return out.decode("utf-8", "replace")


def test_drawn_on_a_terminal_once_the_delay_has_passed() -> None:
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as stream:
        with ProgressBar(stream, delay=0) as bar:
            advance = bar.step("parsing migrations", 20)
            for _ in range(20):
                advance(1)
            assert bar._rich is not None
        stream.flush()
    text = _read_all(master)
    os.close(master)
    assert "parsing migrations" in text
    assert "20/20" in text


def test_nothing_before_the_delay() -> None:
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as stream, ProgressBar(stream, delay=3600) as bar:
        advance = bar.step("parsing migrations", 5)
        for _ in range(5):
            advance(1)
        assert bar.enabled and bar._rich is None
    os.close(master)


def test_never_into_a_pipe_or_a_file() -> None:
    stream = io.StringIO()
    with ProgressBar(stream, delay=0) as bar:
        bar.step("parsing migrations", 3)(3)
        assert not bar.enabled
    assert stream.getvalue() == ""


def test_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROGRESS_ENV, "0")
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as stream, ProgressBar(stream, delay=0) as bar:
        assert not bar.enabled
    os.close(master)


def test_a_cold_cli_run_on_a_terminal_shows_its_steps(tmp_path: Path) -> None:
    """The CLI wiring: stderr a terminal, delay 0, an empty cache -> the step is drawn, and
    the report on stdout is untouched."""
    mig = tmp_path / "migrations"
    mig.mkdir()
    for i in range(1, 6):
        (mig / f"0000{i}_t{i}.up.sql").write_text(f"CREATE TABLE t{i} (id int PRIMARY KEY);\n")
    dump = tmp_path / "schema.sql"
    dump.write_text("CREATE TABLE public.t1 (id integer NOT NULL);\n")
    master, slave = pty.openpty()
    env = {
        **os.environ,
        DELAY_ENV: "0",
        "SCHEMADIFF_CACHE_DIR": str(tmp_path / "cache"),
        "COLUMNS": "120",
    }
    env.pop(PROGRESS_ENV, None)
    args = ["infer", "-m", str(mig), "-t", "golang-migrate", "-s", str(dump), "-f", "json"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "schemadiff", *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    stdout, _ = proc.communicate(timeout=120)
    drawn = _read_all(master)
    os.close(master)
    assert proc.returncode in (0, 1)
    assert "parsing and replaying migrations" in drawn and "5/5" in drawn, drawn
    assert stdout.startswith(b"{") and b"parsing" not in stdout
