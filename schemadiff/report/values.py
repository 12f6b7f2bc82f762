"""Drift items as a person reads them: words for values, diffs for bodies.

A drift item of the JSON contract (``Drift``) becomes a :class:`DriftRow`: the attribute's
public name (never a field name of the model such as ``attributes_``), values as text, what
explains it, and for a value too long for a table cell (a function body, a view's query) a
unified diff of the two sides (stdlib ``difflib``) shown after the table.
"""

from __future__ import annotations

import difflib
from typing import Any

from schemadiff.records import record
from schemadiff.uncertain import RUN_TIME

#: A value longer than this, or of more than one line, is shown as a diff, not in a cell.
LONG = 100

ABSENT = "—"


@record
class DriftRow:
    kind: str
    object: str
    change: str
    attribute: str
    expected: str
    actual: str
    migration: str
    note: str  # what explains it, in words
    diff: tuple[str, ...] = ()  # unified diff lines, when the values are too long for a cell

    @property
    def title(self) -> str:
        """``column public.users.email``"""
        return f"{self.kind} {self.object}"


def attribute_name(name: str | None) -> str:
    """The attribute as the user knows it (the model's ``attributes_`` is ``attributes``)."""
    return (name or "").rstrip("_")


def text(value: Any) -> str:
    """A value in words: None is absent, lists are comma-separated, booleans lower-case."""
    if value is None:
        return ABSENT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value) or "()"
    return str(value)


def is_long(value: str) -> bool:
    return "\n" in value or len(value) > LONG


def unified(expected: str, actual: str) -> tuple[str, ...]:
    """The unified diff from the migrations' value to the database's."""
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(),
        "expected (migrations)", "actual (database)", lineterm="",
    )
    return tuple(lines)


def drift_row(d: dict[str, Any], statuses: dict[str, str] | None = None,
              run_time: bool = False) -> DriftRow:
    """One drift item in words. ``statuses`` (version -> status) comes from an infer document,
    to say that an extra object is what a pending migration would create; ``run_time``: some
    unmodeled statement runs SQL built at run time (it may be what made an extra object)."""
    change = d["change"]
    migration = d.get("migration") or ""
    expected, actual = text(d.get("expected")), text(d.get("actual"))
    note = ""
    if change == "renamed":
        expected, actual = d["object"], text(d.get("actual"))
    elif change in ("missing", "extra") and d.get("attribute") is None:
        expected, actual = ("present", "absent") if change == "missing" else ("absent", "present")
    rerun = d.get("explained_by")
    if rerun:
        note = f"re-run of {rerun['rerun']}, undoing {', '.join(rerun['undoes'])}"
    elif change == "extra" and statuses is not None:
        if not migration:
            note = ("uncertain: run-time SQL may make it" if run_time
                    else "no migration makes it")
        elif statuses.get(migration) == "pending":
            note = f"pending {migration} would create it"
        else:
            note = f"made by {migration}"
    diff: tuple[str, ...] = ()
    if change == "changed" and (is_long(expected) or is_long(actual)):
        diff = unified(expected, actual)
    return DriftRow(
        kind=d["kind"],
        object=d["object"],
        change=change,
        attribute=attribute_name(d.get("attribute")),
        expected=expected,
        actual=actual,
        migration=migration,
        note=note,
        diff=diff,
    )


def sentence(r: DriftRow) -> tuple[str, str]:
    """The row as one sentence, in two parts: what, and what happened to it
    (``("column public.users.email type", "changed: expected text, actual ... (set by 3)")``)."""
    note = f": {r.note}" if r.note else ""
    if r.change == "renamed":
        made = f" (made by {r.migration})" if r.migration else ""
        return r.title, f"renamed to {r.actual}{made}{note}"
    if r.change == "changed":
        what = f"{r.title} {r.attribute}".rstrip()
        by = f" (set by {r.migration})" if r.migration else ""
        if r.diff:
            return what, f"changed{by}{note}; diff below"
        return what, f"changed: expected {r.expected}, actual {r.actual}{by}{note}"
    if r.change == "missing":
        made = f" (made by {r.migration})" if r.migration else ""
        return r.title, f"missing{made}{note}"
    if r.change == "extra" and not r.note and r.migration:
        return r.title, f"extra (dropped by {r.migration})"
    return r.title, f"{r.change}{note}"


def drift_rows(items: list[dict[str, Any]], doc: dict[str, Any] | None = None) -> list[DriftRow]:
    """The rows of a diff's differences or an infer document's drift (``doc``)."""
    statuses = {m["version"]: m["status"] for m in doc["migrations"]} if doc else None
    run_time = any(RUN_TIME in u["message"] for u in (doc or {}).get("unmodeled") or [])
    return [drift_row(d, statuses, run_time) for d in items]
