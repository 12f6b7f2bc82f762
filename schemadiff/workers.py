"""Worker processes forked from this one, and how tasks and results pass between them.

A :class:`Workers` forks with :func:`os.fork` at once, so it can be made as the process starts
(:func:`schemadiff.entry.run` does, for a command that will parse a dump): the workers import
the parser while this process imports the command line and reads its inputs. Its predecessor,
``concurrent.futures``' process pool, cost a cold two-CPU run in three ways: ~15 ms of imports
before it could fork, no fork before a task (so not before the command line was parsed), and a
thread that carries results and competes with the parsing here for the GIL (a worker's next
task waited 20 ms for it).

Per worker:

- an *inbox*: a memory file (``memfd``; an unlinked temporary file elsewhere) this process
  appends pickled tasks to, and a *wake* pipe saying where the next one is. A task of any size
  is handed over without blocking while the worker is busy.
- an *outbox*: a memory file the worker appends pickled results to, and a *done* pipe saying
  where each one is; it is read here only when a result is wanted. End of file on it: the
  worker is gone, and its results that did not come are :class:`WorkerFailed`.

A :class:`Job` is split into chunks that the workers and this process take in order, each the
first one nobody has taken, whenever it is free to. Who took what is on a *board* (a page of
shared memory), changed only under its lock: a pipe holding one byte, which whoever reads it
holds.

Nothing here imports the parser or the model: the functions a worker runs arrive by name.
"""

from __future__ import annotations

import mmap
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from contextlib import suppress
from importlib import import_module
from typing import Any

_COUNTERS = 3  # 8-byte slots: the job on the board, its first free chunk, its chunks
MAX_CHUNKS = 1 << 16
"""A job's chunks at most (one owner byte each on the board)."""
HERE = 255
"""Owner byte of a chunk this process took (a worker's is its index + 1)."""


class WorkerFailed(Exception):
    """The task raised in the worker, or the worker is gone: do it here (to meet the error)."""


class _Board:
    """A job's chunks and who took them, shared by this process and its workers."""

    def __init__(self) -> None:
        self._map = mmap.mmap(-1, _COUNTERS * 8 + MAX_CHUNKS)  # shared with forked children
        self.counters = memoryview(self._map)[: _COUNTERS * 8].cast("q")
        self.owners = memoryview(self._map)[_COUNTERS * 8 :]
        self._lock_r, self._lock_w = os.pipe()
        os.write(self._lock_w, b"x")

    def __enter__(self) -> _Board:
        os.read(self._lock_r, 1)  # waits for the byte: the lock is held
        return self

    def __exit__(self, *_: object) -> None:
        os.write(self._lock_w, b"x")

    def open(self, job: int, chunks: int) -> None:
        with self:
            self.owners[:chunks] = bytes(chunks)
            self.counters[0], self.counters[1], self.counters[2] = job, 0, chunks

    def take(self, job: int, owner: int) -> int | None:
        """The first chunk of ``job`` nobody has taken, now ``owner``'s; None when none is
        left (or the job is over)."""
        with self:
            first, count = self.counters[1], self.counters[2]
            if self.counters[0] != job or first >= count:
                return None
            self.counters[1] = first + 1
            self.owners[first] = owner
            return first

    def close(self, job: int) -> None:
        """No chunk of ``job`` is left to take."""
        with self:
            if self.counters[0] == job:
                self.counters[1] = self.counters[2]


class _Worker:
    """This process's ends of one worker's channels."""

    def __init__(self, index: int, pid: int, inbox: int, wake: int, outbox: int, done: int):
        self.index = index
        self.pid = pid
        self.inbox, self.wake, self.outbox, self.done = inbox, wake, outbox, done
        self.sent = 0  # bytes in the inbox
        self.tasks = 0  # messages sent
        self.finished = 0  # messages it has said it is done with
        self.reports: dict[int, tuple[int, int, bool]] = {}  # ticket -> offset, size, ok
        self.partial = b""
        self.alive = True

    def send(self, kind: str, a: int, b: int, task: Any) -> None:
        blob = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
        _write_all(self.inbox, blob)
        os.write(self.wake, f"{kind} {a} {b} {self.sent} {len(blob)}\n".encode())
        self.sent += len(blob)
        self.tasks += 1

    def result(self, ticket: int) -> Any:
        """The result of ``ticket`` (waiting for it). Raises :class:`WorkerFailed`."""
        while ticket not in self.reports:
            if not self.alive:
                raise WorkerFailed(f"worker {self.pid} is gone")
            self._hear(os.read(self.done, 1 << 16))
        offset, size, ok = self.reports.pop(ticket)
        if not ok:
            raise WorkerFailed(f"worker {self.pid}: the task raised")
        return pickle.loads(_read_all(self.outbox, size, offset))

    def idle(self) -> bool:
        """Whether it is done with every message it was sent (read without waiting)."""
        self._hear_waiting()
        return self.finished == self.tasks

    def has(self, ticket: int) -> bool:
        """Whether the result of ``ticket`` has come, or never will (read without waiting)."""
        if ticket not in self.reports:
            self._hear_waiting()
        return ticket in self.reports or not self.alive

    def _hear_waiting(self) -> None:
        """Read what the worker has said so far, without waiting for more."""
        os.set_blocking(self.done, False)
        try:
            while self.alive:
                self._hear(os.read(self.done, 1 << 16))
        except BlockingIOError:
            pass
        finally:
            os.set_blocking(self.done, True)

    def _hear(self, data: bytes) -> None:
        """Reports read from the done pipe: ``ticket offset size ok`` per result, ``done``
        per message; none at all, the worker is gone."""
        if not data:
            self.alive = False
            return
        *lines, self.partial = (self.partial + data).split(b"\n")
        for line in lines:
            if line == b"done":
                self.finished += 1
                continue
            t, offset, size, ok = (int(v) for v in line.split())
            self.reports[t] = (offset, size, ok == 1)


class Workers:
    """``count`` worker processes, forked now; each first imports the modules in ``warm``.

    Raises:
        OSError: the first could not be forked (a later one that cannot is done without).
    """

    def __init__(self, count: int, warm: Sequence[str] = ()) -> None:
        self._board = _Board()
        self._workers: list[_Worker] = []
        self._tickets = 0
        self._jobs = 0
        for index in range(count):
            try:
                self._workers.append(self._fork(index, tuple(warm)))
            except OSError:
                if not self._workers:
                    raise
                break

    @property
    def count(self) -> int:
        return len(self._workers)

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self._workers]

    def _fork(self, index: int, warm: tuple[str, ...]) -> _Worker:
        inbox, outbox = _memory_file(), _memory_file()
        wake_r, wake_w = os.pipe()
        done_r, done_w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (inbox, outbox, wake_r, wake_w, done_r, done_w):
                os.close(fd)
            raise
        if pid == 0:  # the worker: never returns
            code = 1
            try:
                for other in self._workers:  # a sibling's pipes must see only their own ends
                    os.close(other.wake)
                    os.close(other.done)
                os.close(wake_w)
                os.close(done_r)
                _serve(index, self._board, inbox, wake_r, outbox, done_w, warm)
                code = 0
            finally:
                os._exit(code)
        os.close(wake_r)
        os.close(done_w)
        return _Worker(index, pid, inbox, wake_w, outbox, done_r)

    def _live(self) -> list[_Worker]:
        if not self._workers:
            raise RuntimeError("the workers are closed")
        return self._workers

    def call(self, fn: Callable[..., Any], *args: Any) -> Call:
        """``fn(*args)`` in the first worker, after what it was given before.

        Raises:
            RuntimeError: the workers are closed.
        """
        worker = self._live()[0]
        self._tickets += 1
        worker.send("call", self._tickets, 0, (fn, args))
        return Call(worker, self._tickets)

    def share(self, fn: Callable[[Any], Any], chunks: Sequence[Any]) -> Job:
        """``fn(chunk)`` for every chunk, by every worker once it is done with what it was given
        before, and by this process (:meth:`Job.take`): each takes the first chunk nobody has
        taken. The board holds one job at a time: a new one ends the last.

        Raises:
            RuntimeError: the workers are closed.
            ValueError: more chunks than :data:`MAX_CHUNKS`.
        """
        workers = self._live()
        if len(chunks) > MAX_CHUNKS:
            raise ValueError(f"{len(chunks)} chunks: at most {MAX_CHUNKS} in a job")
        self._jobs += 1
        base, self._tickets = self._tickets + 1, self._tickets + len(chunks)
        self._board.open(self._jobs, len(chunks))
        for worker in workers:
            worker.send("job", self._jobs, base, (fn, list(chunks)))
        return Job(self, self._jobs, base)

    def close(self) -> None:
        """End the workers; idempotent. One busy with a task finishes it (its cache writes are
        whole) and is waited for; one that was never given a task is killed. An idle one
        exits on its own: this process does not wait for it to tear down its memory (a few
        milliseconds), it is reaped later (:func:`reap`)."""
        workers, self._workers = self._workers, []
        if not workers:
            return
        self._board.close(self._jobs)
        for w in workers:
            busy = w.tasks > 0 and not w.idle()
            os.close(w.wake)  # end of file: an idle worker exits
            if w.tasks == 0:
                _kill(w.pid)
            if busy:
                _reap(w.pid)
            else:
                _EXITING.append(w.pid)
            for fd in (w.inbox, w.outbox, w.done):
                os.close(fd)
        reap()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Call:
    """A :meth:`Workers.call` under way."""

    def __init__(self, worker: _Worker, ticket: int) -> None:
        self._worker, self._ticket = worker, ticket

    def result(self) -> Any:
        """What the function returned (waiting for it). Raises :class:`WorkerFailed`."""
        return self._worker.result(self._ticket)


class Job:
    """A :meth:`Workers.share` under way."""

    def __init__(self, workers: Workers, job: int, base: int) -> None:
        self._workers, self._job, self._base = workers, job, base

    def take(self) -> int | None:
        """The first chunk nobody has taken, now this process's to do; None: none left."""
        return self._workers._board.take(self._job, HERE)

    def owner(self, chunk: int) -> int:
        """Who took ``chunk``: 0 nobody yet, :data:`HERE` this process, else a worker's
        index + 1."""
        return self._workers._board.owners[chunk]

    def ready(self, chunk: int) -> bool:
        """Whether a worker's result for ``chunk`` has come (read without waiting)."""
        worker = self._worker(chunk)
        return worker is None or worker.has(self._base + chunk)

    def result(self, chunk: int) -> Any:
        """A worker's result for ``chunk``, waiting for it.

        Raises:
            WorkerFailed: it raised there, or the worker is gone, or no worker took it.
        """
        worker = self._worker(chunk)
        if worker is None:
            raise WorkerFailed(f"chunk {chunk} is not a worker's")
        return worker.result(self._base + chunk)

    def _worker(self, chunk: int) -> _Worker | None:
        owner = self.owner(chunk)
        workers = self._workers._workers
        return workers[owner - 1] if 0 < owner <= len(workers) else None

    def cancel(self) -> None:
        """Nobody takes more of its chunks (the ones workers are on, they finish)."""
        self._workers._board.close(self._job)


def _serve(
    index: int, board: _Board, inbox: int, wake: int, outbox: int, done: int, warm: tuple[str, ...]
) -> None:
    """A worker's life: import ``warm``, then do what the wake pipe says until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for name in warm:
        with suppress(Exception):  # a task that needs it meets the error itself
            import_module(name)
    written = 0
    with os.fdopen(wake, "rb") as orders:
        for line in orders:
            kind, a, b, offset, size = line.split()
            fn, payload = pickle.loads(_read_all(inbox, int(size), int(offset)))
            if kind == b"call":
                written = _report(done, outbox, written, int(a), fn, payload)
            else:
                job, base = int(a), int(b)
                while (chunk := board.take(job, index + 1)) is not None:
                    written = _report(done, outbox, written, base + chunk, fn, (payload[chunk],))
            os.write(done, b"done\n")


def _report(
    done: int, outbox: int, written: int, ticket: int, fn: Callable[..., Any], args: Any
) -> int:
    """Run one task; its result to the outbox, where it is to the done pipe."""
    try:
        blob, ok = pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL), 1
    except Exception:
        blob, ok = b"", 0
    _write_all(outbox, blob)
    os.write(done, f"{ticket} {written} {len(blob)} {ok}\n".encode())  # < PIPE_BUF: whole
    return written + len(blob)


def _memory_file() -> int:
    if hasattr(os, "memfd_create"):
        return os.memfd_create("schemadiff", os.MFD_CLOEXEC)
    import tempfile  # pragma: no cover - not Linux

    with tempfile.TemporaryFile() as f:  # pragma: no cover
        return os.dup(f.fileno())


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_all(fd: int, size: int, offset: int) -> bytes:
    parts = []
    while size > 0:
        part = os.pread(fd, size, offset)
        if not part:
            raise WorkerFailed("a result is shorter than reported")
        parts.append(part)
        size -= len(part)
        offset += len(part)
    return b"".join(parts)


def _kill(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> None:
    with suppress(ChildProcessError):
        os.waitpid(pid, 0)


_EXITING: list[int] = []  # workers that were idle when closed, not yet reaped


def reap() -> None:
    """Reap the closed workers that have exited by now (without waiting for the others)."""
    for pid in list(_EXITING):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _EXITING.remove(pid)
