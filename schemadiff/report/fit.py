"""Tables that fit a width: names wrap at their separators, never inside a word.

rich wraps a cell only at spaces and folds whatever is longer, so ``public.login_attempts_ip``
would be cut mid-word. Here the columns are sized first (natural widths, then the widest
wrappable column narrowed step by step, never below its longest unbreakable piece), the
wrappable cells are broken after ``.``, ``_``, ``-``, ``/``, ``,``, ``:``, ``(`` or a space,
and rich draws the result with those exact widths. When even that cannot fit, the caller
shows the rows one below the other instead (:func:`fit_widths` returns None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

_PIECE = re.compile(r"[^ ._\-/,:(]*[ ._\-/,:(]+|[^ ._\-/,:(]+")
#: Columns are separated by a space, a rule and a space.
GAP = 3


@dataclass(frozen=True, slots=True)
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
) -> Table | None:
    """A rich table of exactly the computed widths, or None when it cannot fit."""
    widths = fit_widths(cols, rows, width)
    if widths is None:
        return None
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold",
        title=title, title_justify="left", title_style="bold",
    )
    for col, w in zip(cols, widths):
        table.add_column(col.header, width=w, no_wrap=True, overflow="fold",
                         justify=col.justify)  # type: ignore[arg-type]
    for row in rows:
        cells = []
        for col, w, cell in zip(cols, widths, row):
            value, style = (cell, "") if isinstance(cell, str) else cell
            lines = wrap(value, w) if col.wrap else [value]
            cells.append(Text("\n".join(lines), style=style))
        table.add_row(*cells)
    return table
