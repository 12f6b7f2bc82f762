"""A progress bar for long runs: rich, on stderr, only on a terminal, only after a second.

Short runs (the usual warm run) never show it, and neither do pipes, files and CI logs: rich is
not even imported unless a bar is drawn. ``SCHEMADIFF_PROGRESS=0`` turns it off everywhere;
``SCHEMADIFF_PROGRESS_DELAY`` sets the second (in seconds).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

PROGRESS_ENV = "SCHEMADIFF_PROGRESS"
DELAY_ENV = "SCHEMADIFF_PROGRESS_DELAY"
DELAY = 1.0
"""Seconds a run must have taken before a bar appears (unless ``$SCHEMADIFF_PROGRESS_DELAY``)."""


class ProgressBar:
    """Named steps (``step("parsing", total)`` returns an ``advance(n)`` callback).

    Args:
        stream: where to draw (default stderr); nothing is drawn unless it is a terminal.
        delay: seconds from creation before anything is drawn.
    """

    def __init__(self, stream: IO[str] | None = None, delay: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.delay = delay if delay is not None else _delay()
        self.enabled = _wanted(self.stream)
        self._rich: Any = None  # rich.progress.Progress once drawing
        self._steps: dict[str, list[Any]] = {}  # label -> [total, done, rich task id]

    def step(self, label: str, total: int) -> Callable[[int], None]:
        """Start a step of ``total`` units; the callback advances it."""
        state = self._steps[label] = [total, 0, None]

        def advance(n: int = 1) -> None:
            state[1] += n
            if self.enabled:
                self._draw(label, state)

        return advance

    def _draw(self, label: str, state: list[Any]) -> None:
        if self._rich is None:
            if time.monotonic() - self.started < self.delay:
                return
            self._start()
        if state[2] is None:
            state[2] = self._rich.add_task(label, total=state[0])
        self._rich.update(state[2], completed=state[1])

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        console = Console(file=self.stream, stderr=self.stream is sys.stderr)
        self._rich = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,  # gone when done: the report is what stays on screen
        )
        self._rich.start()

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get(DELAY_ENV, "").strip() or DELAY))
    except ValueError:
        return DELAY


def _wanted(stream: IO[str]) -> bool:
    if os.environ.get(PROGRESS_ENV, "").strip() == "0":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
