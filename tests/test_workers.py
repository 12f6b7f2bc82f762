"""schemadiff.workers: forked worker processes, their calls and shared jobs; and the entry
point's early fork (schemadiff.entry, parallel.fork_early)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from schemadiff.cache import ParseCache
from schemadiff.entry import dump_path
from schemadiff.workers import HERE, WorkerFailed, Workers, reap

ROOT = Path(__file__).resolve().parents[1]


def _pid(_: object = None) -> int:
    return os.getpid()


def _echo(value: object) -> object:
    return value


def _boom(message: str) -> None:
    raise ValueError(message)


def _square_all(chunk: list[int]) -> tuple[int, list[int]]:
    return os.getpid(), [n * n for n in chunk]


def _slow_square_all(chunk: list[int]) -> tuple[int, list[int]]:
    time.sleep(0.01)
    return _square_all(chunk)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _ended(pid: int, within: float = 30.0) -> bool:
    """The process exits (a zombie not yet reaped counts) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return True
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return True
        time.sleep(0.01)
    return False


def test_a_call_runs_in_a_worker_in_the_order_given() -> None:
    with Workers(1) as workers:
        calls = [workers.call(_echo, n) for n in range(50)]
        assert [c.result() for c in reversed(calls)] == list(reversed(range(50)))
        assert workers.call(_pid).result() == workers.pids[0] != os.getpid()


def test_large_tasks_and_results_pass_whole() -> None:
    """Megabytes each way: the inbox and outbox are files, the pipes carry only where."""
    big = "x" * 5_000_000 + "end"
    with Workers(1) as workers:
        first = workers.call(_echo, big)
        second = workers.call(_echo, [big, big])
        assert second.result() == [big, big]
        assert first.result() == big


def test_a_task_that_raises_fails_and_the_worker_goes_on() -> None:
    with Workers(1) as workers:
        failed = workers.call(_boom, "no")
        with pytest.raises(WorkerFailed):
            failed.result()
        assert workers.call(_echo, "still here").result() == "still here"


def test_a_dead_worker_fails_its_results_instead_of_hanging() -> None:
    with Workers(1) as workers:
        assert workers.call(_echo, 1).result() == 1
        os.kill(workers.pids[0], signal.SIGKILL)
        with pytest.raises(WorkerFailed):
            workers.call(_echo, 2).result()


@pytest.mark.parametrize("count", [1, 2])
@pytest.mark.parametrize("chunks", [1, 7, 40])
def test_a_job_is_shared_every_chunk_done_once(count: int, chunks: int) -> None:
    """The workers and this process each take the first chunk nobody has: every chunk is
    done exactly once, by whoever took it, and each result is its own."""
    data = [list(range(i, i + 5)) for i in range(chunks)]
    with Workers(count) as workers:
        job = workers.share(_slow_square_all, data)
        time.sleep(0.05)  # the workers take some meanwhile
        here: list[int] = []
        while (taken := job.take()) is not None:
            assert job.owner(taken) == HERE
            here.append(taken)
        assert here == sorted(here) and len(set(here)) == len(here)
        for c, chunk in enumerate(data):
            if c in here:
                continue
            assert 0 < job.owner(c) <= count
            pid, got = job.result(c)
            assert pid in workers.pids
            assert got == [n * n for n in chunk]
        if chunks > 1:
            assert len(here) < chunks  # the workers took some


def test_a_result_is_ready_once_reported() -> None:
    with Workers(1) as workers:
        blocker = workers.call(time.sleep, 0.2)
        job = workers.share(_square_all, [[1], [2]])
        assert job.take() == 0  # the worker is busy: this process takes the first
        assert job.owner(1) == 0 and job.ready(1)  # nobody's: nothing to wait for
        blocker.result()
        while job.owner(1) == 0:  # the worker takes it once the sleep is done
            time.sleep(0.005)
        deadline = time.monotonic() + 60
        while not job.ready(1) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert job.ready(1) and job.result(1)[1] == [4]


def test_a_cancelled_job_leaves_the_rest_to_this_process() -> None:
    data = [[i] for i in range(200)]
    with Workers(1) as workers:
        blocker = workers.call(time.sleep, 0.2)  # the worker is busy: it takes nothing yet
        job = workers.share(_square_all, data)
        job.cancel()
        blocker.result()
        assert job.take() is None  # cancelled: nobody takes a chunk any more
        assert workers.call(_echo, "idle").result() == "idle"  # and no chunk was taken
        assert bytes(workers._board.owners[:200]) == bytes(200)


def test_closed_workers_are_reaped_and_take_no_more_work() -> None:
    workers = Workers(2)
    assert workers.call(_echo, 1).result() == 1  # one used, one never given a task
    pids = workers.pids
    workers.close()  # neither is busy: not waited for
    workers.close()  # idempotent
    assert all(_ended(pid) for pid in pids)
    reap()
    assert all(_gone(pid) for pid in pids)
    with pytest.raises(RuntimeError):
        workers.call(_echo, 1)
    with pytest.raises(RuntimeError):
        workers.share(_square_all, [[1]])


def test_workers_import_what_they_are_told_first() -> None:
    with Workers(1, warm=("schemadiff.sql.parse", "no_such_module_here")) as workers:
        assert workers.call(_loaded, "sqlglot").result() is True


def _loaded(name: str) -> bool:
    return name in sys.modules


# -- the entry point's guess at a dump, and the early fork --------------------------------


@pytest.mark.parametrize(
    ("argv", "found"),
    [
        pytest.param(["infer", "-m", "m", "-s", "DUMP"], True, id="short-option"),
        pytest.param(["diff", "--schema-file", "DUMP", "-m", "m"], True, id="long-option"),
        pytest.param(["check", "--schema-file=DUMP"], True, id="long-equals"),
        pytest.param(["sync", "-sDUMP"], True, id="short-attached"),
        pytest.param(["inspect", "-s", "DUMP"], False, id="inspect-parses-no-migrations"),
        pytest.param(["infer", "-s", "DUMP", "--help"], False, id="help"),
        pytest.param(["infer", "-s", "missing.sql"], False, id="no-such-file"),
        pytest.param(["infer", "--dsn", "postgresql://x"], False, id="no-dump"),
        pytest.param(["infer", "-s"], False, id="option-without-value"),
        pytest.param([], False, id="no-command"),
    ],
)
def test_the_entry_point_finds_the_dump_a_command_will_parse(
    tmp_path: Path, argv: list[str], found: bool
) -> None:
    dump = tmp_path / "schema.sql"
    dump.write_text("x" * 1234)
    argv = [a.replace("DUMP", str(dump)) for a in argv]
    argv = [a.replace("missing.sql", str(tmp_path / "missing.sql")) for a in argv]
    assert dump_path(argv) == (str(dump) if found else None)


def test_early_workers_are_handed_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from schemadiff import parallel

    monkeypatch.setenv(parallel.JOBS_ENV, "2")
    parallel.fork_early(10**6)
    early = parallel._early
    assert early is not None and early.count == 1
    try:
        assert parallel.start_workers(1) is early  # the early ones, not new ones
        assert parallel._early is None
    finally:
        early.close()
    parallel.fork_early(10**6)
    unwanted = parallel._early
    assert unwanted is not None
    pids = unwanted.pids
    assert parallel.start_workers(0) is None  # not wanted after all: killed
    assert all(_ended(pid) for pid in pids)


_DUMP_LINE = "CREATE TABLE public.t{i} (id bigint NOT NULL, name text DEFAULT 'x'::text);\n"


@pytest.mark.parametrize("cached", [False, True], ids=["cold", "warm"])
def test_a_command_forked_early_reports_what_one_process_does(
    tmp_path: Path, cached: bool
) -> None:
    """``infer -s`` with a dump large enough to fork for: the same report as without workers,
    cold (the early worker parses the dump) and warm (the cache has seen the dump: no worker
    is forked); the process ends with no worker holding its output open."""
    mig = tmp_path / "migrations"
    mig.mkdir()
    for v in range(1, 61):
        (mig / f"{v:05d}_t{v}.sql").write_text(
            f"-- +goose Up\nCREATE TABLE t{v} (id bigint NOT NULL, name text DEFAULT 'x');\n"
        )
    dump = tmp_path / "schema.sql"
    dump.write_text("".join(_DUMP_LINE.format(i=i) for i in range(1, 601)))
    assert dump.stat().st_size > 32 * 1024
    args = [sys.executable, "-m", "schemadiff", "infer", "-m", str(mig), "-t", "goose",
            "-s", str(dump), "-f", "json"]  # fmt: skip

    def run(jobs: str, cache: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "SCHEMADIFF_JOBS": jobs, "SCHEMADIFF_CACHE_DIR": cache}
        return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env,
                              timeout=300, check=False)  # fmt: skip

    alone = run("1", str(tmp_path / "alone"))
    shared = ParseCache(tmp_path / "shared")
    assert not shared.dump_seen(str(dump))
    if cached:
        assert run("2", str(tmp_path / "shared")).returncode == alone.returncode
        assert shared.dump_seen(str(dump))  # the next run forks no worker for it
    forked = run("2", str(tmp_path / "shared"))
    assert shared.dump_seen(str(dump))
    assert alone.returncode in (0, 1), alone.stderr
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        alone.returncode, alone.stdout, alone.stderr
    )


_IMPORT_CHECK = """
import sys
import schemadiff.sql.parse
assert "importlib.metadata" not in sys.modules, "imported with the parser"
from schemadiff.sql.imports import metadata_deferred
with metadata_deferred():  # the real module already imported: nothing stands in
    import importlib.metadata
from sqlglot.dialects.dialect import Dialect
try:  # an unknown name: sqlglot looks for plugins through the real entry_points
    Dialect.get_or_raise("no_such_dialect")
except ValueError as exc:
    assert "no_such_dialect" in str(exc), exc
else:
    raise AssertionError("an unknown dialect was found")
assert type(sys.modules["importlib.metadata"]).__name__ == "module"
assert importlib.metadata.version("sqlglot")
"""

_STAND_IN_CHECK = """
import sys
from schemadiff.sql.imports import metadata_deferred
with metadata_deferred():
    import importlib.metadata as stand_in
    version = stand_in.version("sqlglot")  # any other name: the real module, imported now
assert version and type(sys.modules["importlib.metadata"]).__name__ == "module"
"""


@pytest.mark.parametrize("code", [_IMPORT_CHECK, _STAND_IN_CHECK], ids=["parser", "stand-in"])
def test_the_parser_imports_without_importlib_metadata(code: str) -> None:
    """sqlglot imports importlib.metadata (~10 ms) for plugin dialects only: schemadiff defers
    it, and everything that asks for it still gets the real module."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_a_dump_seen_is_a_dump_unchanged(tmp_path: Path) -> None:
    """The note that a dump's replay is cached follows the file: another path, or the same
    path rewritten, is not seen; the note is only a guess, so a read-only cache writes none."""
    cache = ParseCache(tmp_path / "c")
    dump = tmp_path / "schema.sql"
    dump.write_text("CREATE TABLE t (a int);\n")
    assert not cache.dump_seen(str(dump))
    cache.mark_dump_seen(str(dump))
    assert cache.dump_seen(str(dump)) and ParseCache(tmp_path / "c").dump_seen(str(dump))
    copy = tmp_path / "copy.sql"
    copy.write_bytes(dump.read_bytes())
    assert not cache.dump_seen(str(copy))
    time.sleep(0.01)
    dump.write_text("CREATE TABLE t (a bigint);\n")
    assert not cache.dump_seen(str(dump))
    ParseCache(tmp_path / "ro", read_only=True).mark_dump_seen(str(dump))
    assert not (tmp_path / "ro").exists()
    assert not cache.dump_seen(str(tmp_path / "missing.sql"))
