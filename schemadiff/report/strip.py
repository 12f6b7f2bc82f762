"""The status strip: one cell per version, so a 300-migration history fits on a screen.

Rows start with the position of their first version (1-based, in the tool's order) and hold
groups of ten cells, as many groups as the width allows; the versions the history records but
this code lacks come last. The legend names the states present, with their counts.
"""

from __future__ import annotations

from collections import Counter

from rich.cells import cell_len
from rich.text import Text

from schemadiff.report.palette import LOOKS, Cell

GROUP = 10
_LABEL = 5  # "1234 "


def per_row(width: int) -> int:
    """How many cells a row of ``width`` columns holds (a multiple of ten, at least ten)."""
    groups = max(1, (width - _LABEL + 1) // (GROUP + 1))
    return groups * GROUP


def strip_rows(cells: list[Cell], width: int) -> list[tuple[int, list[Cell]]]:
    """``(position of the row's first cell, its cells)`` for each row."""
    n = per_row(width)
    return [(start + 1, cells[start : start + n]) for start in range(0, len(cells), n)]


def strip_text(cells: list[Cell], width: int) -> Text:
    """The strip for a terminal: coloured glyphs (plain ones when the console has no colour)."""
    out = Text()
    for first, row in strip_rows(cells, width):
        out.append(f"{first:>{_LABEL - 1}} ", style="dim")
        for g in range(0, len(row), GROUP):
            if g:
                out.append(" ")
            group = row[g : g + GROUP]
            start = 0
            for i in range(1, len(group) + 1):  # runs of one state in one span
                if i == len(group) or group[i] != group[start]:
                    look = LOOKS[group[start]]
                    out.append(look.glyph * (i - start), style=look.color)
                    start = i
        out.append("\n")
    return out


def strip_plain(cells: list[Cell], width: int) -> str:
    return strip_text(cells, width).plain


def legend(cells: list[Cell]) -> list[tuple[Cell, int]]:
    """The states present, in the palette's order, with how many versions each has."""
    count = Counter(cells)
    return [(cell, count[cell]) for cell in Cell if count[cell]]


def legend_text(cells: list[Cell], width: int) -> Text:
    """``█ 2 applied, recorded   + 25 applied, not recorded: sync records it ...``, wrapped."""
    out = Text()
    line = 0
    for cell, n in legend(cells):
        look = LOOKS[cell]
        item = f"{look.glyph} {n} {look.label}"
        if line and line + 3 + cell_len(item) > width:
            out.append("\n")
            line = 0
        if line:
            out.append("   ")
            line += 3
        out.append(look.glyph, style=look.color)
        out.append(item[len(look.glyph):])
        line += cell_len(item)
    out.append("\n")
    return out
