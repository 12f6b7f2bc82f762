"""Tables that fit a width: names wrap at their separators, never inside a word.

rich wraps a cell only at spaces and folds whatever is longer, so ``public.login_attempts_ip``
would be cut mid-word. Here the columns are sized first (natural widths, then the widest
wrappable column narrowed step by step, never below its longest unbreakable piece), the
wrappable cells are broken after ``.``, ``_``, ``-``, ``/``, ``,``, ``:``, ``(`` or a space,
and the rows are laid out at those exact widths. When even that cannot fit, the caller
shows the rows one below the other instead (:func:`fit_widths` returns None).
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Span, Text

from schemadiff.records import record

_PIECE = re.compile(r"[^ ._\-/,:(]*[ ._\-/,:(]+|[^ ._\-/,:(]+")
#: Columns are separated by a space, a rule and a space.
GAP = 3


@record
class Col:
    header: str
    wrap: bool = False  # may break at separators (values, long names); else never breaks
    justify: str = "left"


#: A cell: its text, or its text and a rich style.
Cell = str | tuple[str, str]


def pieces(text: str) -> list[str]:
    """The unbreakable pieces of a line, each with the separators that end it."""
    return _PIECE.findall(text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells, broken after separators (a piece longer than the
    width, which :func:`fit_widths` never allows, is folded)."""
    if "\n" not in text and cell_len(text) <= width:
        return [text]
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for piece in pieces(para) or [""]:
            if not line or cell_len((line + piece).rstrip()) <= width:
                line += piece
                continue
            out.append(line.rstrip())
            line = piece.lstrip()
        while cell_len(line.rstrip()) > width:
            out.append(line[:width])
            line = line[width:]
        out.append(line.rstrip())
    return out


def _lines(cell: Cell) -> list[str]:
    return (cell if isinstance(cell, str) else cell[0]).split("\n")


def fit_widths(cols: list[Col], rows: list[list[Cell]], width: int) -> list[int] | None:
    """Each column's width so that the table is at most ``width`` wide, or None."""
    natural, least = [], []
    for i, col in enumerate(cols):
        lines = [col.header, *(line for row in rows for line in _lines(row[i]))]
        natural.append(max(map(cell_len, lines)))
        if col.wrap:
            parts = [p.rstrip() for line in lines for p in pieces(line)]
            least.append(max([cell_len(col.header), *map(cell_len, parts)]))
        else:
            least.append(natural[-1])
    widths = list(natural)
    excess = sum(widths) + GAP * (len(cols) - 1) - width
    while excess > 0:
        slack = [(w - m, i) for i, (w, m) in enumerate(zip(widths, least)) if w > m]
        if not slack:
            return None
        _, i = max(slack)
        widths[i] -= 1
        excess -= 1
    return widths


def fitted_table(
    cols: list[Col], rows: list[list[Cell]], width: int, title: str | None = None
) -> Text | None:
    """The table as text of exactly the computed widths (a bold header, a rule, the rows;
    columns three spaces apart), or None when it cannot fit. Drawn here rather than by rich's
    Table, which takes milliseconds a row: a 10,000-version history stays fast."""
    widths = fit_widths(cols, rows, width)
    if widths is None:
        return None
    gap = " " * GAP
    parts: list[str] = []
    spans: list[Span] = []
    at = 0

    def put(text: str, style: str = "") -> None:
        nonlocal at
        if style and text:
            spans.append(Span(at, at + len(text), style))
        parts.append(text)
        at += len(text)

    if title:
        put(title, "bold")
        put("\n")
    for i, (col, w) in enumerate(zip(cols, widths)):
        put(gap if i else "")
        put(_pad(col.header, w, col.justify), "bold")
    put("\n" + "─" * (sum(widths) + GAP * (len(widths) - 1)) + "\n")
    for row in rows:
        cells = []
        for col, w, cell in zip(cols, widths, row):
            value, style = (cell, "") if isinstance(cell, str) else cell
            cells.append((wrap(value, w) if col.wrap else value.split("\n"), style))
        for k in range(max(len(lines) for lines, _ in cells)):
            for i, ((lines, style), col, w) in enumerate(zip(cells, cols, widths)):
                put(gap if i else "")
                put(_pad(lines[k] if k < len(lines) else "", w, col.justify), style)
            put("\n")
    # one Text built at once: rich's append costs microseconds a call
    return Text("".join(parts), spans=spans)


def _pad(text: str, width: int, justify: str) -> str:
    room = max(0, width - cell_len(text))
    return " " * room + text if justify == "right" else text + " " * room
