"""What one version looks like in every rendering: its cell, glyph, words and colour.

A version's *cell* folds its verdict and the history into one of a closed set of states, so
the strip, the graph and the tables of the terminal, markdown and HTML all say the same thing
the same way. Each state has a glyph that reads without colour (the strip stays legible in a
pipe, under ``NO_COLOR`` and for the colour-blind) and one colour, used wherever colour is.
"""

from __future__ import annotations

from typing import Any

from schemadiff.choice import Choice
from schemadiff.records import record


class Cell(Choice):
    """A version's state, as the strip shows it."""

    RECORDED = "recorded"  # applied and recorded: history and schema agree
    APPLIED = "applied"  # applied; no history was read to compare with
    BACKFILL = "backfill"  # applied (proven), not recorded: sync records it
    UNVERIFIED = "unverified"  # applied by the order only, not recorded, not proven
    PARTIAL = "partial"  # some of its statements' effects present, some absent
    PENDING = "pending"  # not applied, not recorded
    PHANTOM = "phantom"  # recorded, not applied
    CHECKSUM = "checksum"  # applied and recorded, but the file changed since
    UNKNOWN = "unknown"  # recorded, but this code has no such migration


@record
class Look:
    glyph: str  # one terminal cell wide
    label: str  # the legend's words
    color: str  # #rrggbb, for rich, SVG and CSS alike


LOOKS: dict[Cell, Look] = {
    Cell.RECORDED: Look("█", "applied, recorded", "#2da44e"),
    Cell.APPLIED: Look("█", "applied (no history read)", "#2da44e"),
    Cell.BACKFILL: Look("+", "applied, not recorded", "#0969da"),
    Cell.UNVERIFIED: Look("?", "applied by the order only, unverified", "#bf8700"),
    Cell.PARTIAL: Look("◐", "partial", "#e16f24"),
    Cell.PENDING: Look("·", "pending", "#8c959f"),
    Cell.PHANTOM: Look("!", "recorded, not applied", "#cf222e"),
    Cell.CHECKSUM: Look("≠", "file changed since applied", "#8250df"),
    Cell.UNKNOWN: Look("*", "recorded, not in this code", "#bf3989"),
}

#: Colours of drift changes and diff lines, shared by the terminal and the HTML page.
CHANGE_COLORS = {
    "missing": "#cf222e",
    "extra": "#0969da",
    "changed": "#bf8700",
    "renamed": "#8250df",
}
DIFF_COLORS = {"+": "#1a7f37", "-": "#cf222e", "@": "#0969da"}


def cell_of(m: dict[str, Any], doc: dict[str, Any]) -> Cell:
    """The cell of one migration verdict of an infer document."""
    version = m["version"]
    if version in doc.get("checksum_mismatch", ()):
        return Cell.CHECKSUM
    if m["status"] == "partial":
        return Cell.PARTIAL
    if version in doc.get("recorded_not_applied", ()):
        return Cell.PHANTOM
    if m["status"] == "pending":
        return Cell.PHANTOM if m["recorded"] else Cell.PENDING
    if m["recorded"]:
        return Cell.RECORDED
    if version in doc.get("unverified", ()) or not m.get("proven", True):
        return Cell.UNVERIFIED
    return Cell.APPLIED if m["recorded"] is None else Cell.BACKFILL


def cells(doc: dict[str, Any]) -> list[tuple[str, str, Cell]]:
    """``(version, name, cell)`` of every version in the tool's order, then the recorded
    versions this code lacks."""
    out = [(m["version"], m["name"], cell_of(m, doc)) for m in doc["migrations"]]
    out += [(v, "", Cell.UNKNOWN) for v in doc.get("recorded_not_in_code", ())]
    return out
