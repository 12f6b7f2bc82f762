"""What an infer document found, in words every rendering shares.

The summary a person reads first: one headline, the counts, and one finding per kind of
disagreement between the history and the schema, each with its versions (long runs of
consecutive versions shortened to their ends) and what to do about it.
"""

from __future__ import annotations

from typing import Any

from schemadiff.inference import PATTERNS
from schemadiff.records import record
from schemadiff.report.palette import Cell
from schemadiff.uncertain import summarize


@record
class Finding:
    cell: Cell  # whose colour and glyph go with it
    label: str  # "applied but missing from the history"
    versions: list[str]
    action: str = ""  # what to do: "schemadiff sync records them"
    detail: tuple[str, ...] = ()  # further lines (a partial migration's statements)


#: (document list, cell, label, action), in the order they are shown.
_KINDS = (
    ("missing_from_history", Cell.BACKFILL, "applied but missing from the history",
     "`schemadiff sync` records them"),
    ("unverified", Cell.UNVERIFIED,
     "placed as applied by the order, but the schema cannot verify them",
     "check they ran, then `sync --assume-applied`"),
    ("recorded_not_applied", Cell.PHANTOM, "recorded in the history but not applied",
     "`sync --prune` deletes the proven rows"),
    ("recorded_not_in_code", Cell.UNKNOWN, "recorded in the history but not in this code",
     "deploy the newer code"),
    ("checksum_mismatch", Cell.CHECKSUM, "changed since they were applied (checksum)",
     "restore the applied files"),
)


def findings(doc: dict[str, Any]) -> list[Finding]:
    """Every finding of an infer document, partial migrations one by one."""
    by_version = {m["version"]: m for m in doc["migrations"]}
    out = []
    for field, cell, label, action in _KINDS:
        versions = list(doc.get(field) or ())
        if not versions:
            continue
        detail: tuple[str, ...] = ()
        if field == "recorded_not_applied":
            unproven = [v for v in versions if not by_version.get(v, {}).get("proven", True)]
            if unproven:
                detail = (f"not proven, so `sync --prune` leaves them: {spans(unproven, doc)}",)
        out.append(Finding(cell, label, versions, action, detail))
    for version in doc.get("partial") or ():
        st = by_version.get(version, {}).get("statements") or {}
        pattern = st.get("pattern") or ""
        out.append(Finding(
            Cell.PARTIAL,
            "partially applied",
            [version],
            "finish it (`sync --complete-partial`) or accept it (`--allow-partial`)",
            (f"statements at lines {_lines(st.get('present'))} present, "
             f"{_lines(st.get('absent'))} absent: {pattern}, {PATTERNS.get(pattern, '')}",),
        ))
    return out


def headline(doc: dict[str, Any]) -> str:
    """A few words: what the document found, most urgent first."""
    s = doc["summary"]
    said = [
        (s["recorded_not_in_code"], "recorded but not in this code"),
        (s["partial"], "partial"),
        (s["missing_from_history"], "missing from the history"),
        (s["unverified"], "unverified"),
        (s["recorded_not_applied"], "recorded but not applied"),
        (s["checksum_mismatch"], "changed since applied"),
        (s["drift"], "drift"),
    ]
    parts = [f"{n} {words}" for n, words in said if n]
    return ", ".join(parts) or "history and schema agree"


def counts(doc: dict[str, Any]) -> str:
    """``32 migrations: 27 applied, 5 pending, 0 partial``."""
    s = doc["summary"]
    return (f"{s['migrations']} migrations: {s['applied']} applied, {s['pending']} pending, "
            f"{s['partial']} partial")


def history_lines(doc: dict[str, Any]) -> list[str]:
    """What the history said besides its versions: where it was read, a dirty or failed row,
    a missing table (``history.notes``), one line each."""
    h = doc["history"]
    if h["source"] == "none":
        return ["history: none read (no --history-file, dump data or --dsn): recorded unknown"]
    lines = [f"history ({h['source']}): {h['recorded']} version(s) recorded"]
    return lines + [f"history: {note}" for note in h.get("notes", [])]


def ignored_lines(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """What ignore rules took out: ``("3 objects ignored by rule", "table public.audit_*")``
    per rule, matched or not (ignored objects are counted, never dropped silently)."""
    out = []
    for item in doc.get("ignored") or []:
        noun = item["what"] if item["count"] == 1 else item["what"] + "s"
        out.append((f"{item['count']} {noun} ignored by rule", item["rule"]))
    return out


def unmodeled_lines(doc: dict[str, Any]) -> list[str]:
    """The statements the replay could not model, after a count, one line each (file:line,
    why, the statement's first words); none: no line."""
    items = doc.get("unmodeled") or []
    if not items:
        return []
    lines = [f"{len(items)} statement(s) could not be modelled (not compared; --strict "
             "refuses them):"]
    for u in items:
        first = " ".join(str(u.get("statement", "")).split()[:6])
        lines.append(f"  {u['file']}:{u['line']}: {u['message']}" + (f": {first}" if first else ""))
    return lines + summarize((u["file"], u["message"]) for u in items).lines()


def spans(versions: list[str], doc: dict[str, Any], shortest: int = 3) -> str:
    """The versions, each run of ``shortest`` or more consecutive ones (in the tool's order)
    written as its ends: ``20251224000000 … 20260108000001 (25)``."""
    order = {m["version"]: i for i, m in enumerate(doc["migrations"])}
    parts: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= shortest:
            parts.append(f"{run[0]} … {run[-1]} ({len(run)})")
        else:
            parts.extend(run)
        run.clear()

    for v in versions:
        if run and (v not in order or order.get(run[-1], -2) + 1 != order[v]):
            flush()
        run.append(v)
    flush()
    return ", ".join(parts)


def _lines(lines: list[int] | None) -> str:
    return ", ".join(map(str, lines or [])) or "none"
