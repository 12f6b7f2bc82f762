"""What the terminal can show: its width and whether to colour.

The renderers take ``width`` and ``color`` explicitly (tests fix them); None asks here.
Everything is laid out to the width except the history's notes and the unmodelled
statements' locations: they stay whole lines (CI logs grep them; a terminal wraps them).
Width: ``COLUMNS``, else the terminal's (rich asks stdin, stdout and stderr), else 80.
Colour: never when ``NO_COLOR`` is set and not empty (https://no-color.org) or on a ``dumb``
terminal, else always when ``FORCE_COLOR`` is set, else only when stdout is a terminal: plain
in pipes, files and CI logs.
"""

from __future__ import annotations

import os
import sys
from io import StringIO
from typing import TextIO

from rich.console import Console


def wants_color(stream: TextIO | None = None) -> bool:
    env = os.environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    if env.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def console(width: int | None = None, color: bool | None = None) -> tuple[Console, StringIO]:
    """A console that renders into a string buffer at ``width`` (None: detected)."""
    if color is None:
        color = wants_color()
    buf = StringIO()
    con = Console(
        file=buf,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    return con, buf
