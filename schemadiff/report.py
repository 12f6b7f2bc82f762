"""Renderings of findings: a table for people, JSON for programs, markdown for PR comments.

Pure: functions return strings (rich renders into a string buffer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemadiff.differences import Difference
from schemadiff.errors import Diagnostic
from schemadiff.inference import PATTERNS

if TYPE_CHECKING:
    from schemadiff.gate import Failure


def _value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, tuple):
        return ", ".join(_value(x) for x in v) or "()"
    return str(v)


def _describe(d: Difference) -> tuple[str, str, str]:
    if d.change == "changed":
        return d.attribute or "", _value(d.expected), _value(d.actual)
    return (
        "",
        "present" if d.change == "missing" else "absent",
        "absent" if d.change == "missing" else "present",
    )


def diff_markdown(diffs: list[Difference], unmodeled: list[Diagnostic]) -> str:
    if not diffs:
        lines = ["**schemadiff**: no differences."]
    else:
        lines = [
            f"**schemadiff**: {len(diffs)} difference(s).",
            "",
            "| object | change | attribute | expected | actual | migration |",
            "|---|---|---|---|---|---|",
        ]
        for d in diffs:
            attr, exp, act = _describe(d)
            cells = [f"{d.key.kind} `{d.key.display}`", d.change, attr, exp, act, d.migration or ""]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if unmodeled:
        lines += ["", f"{len(unmodeled)} statement(s) could not be modelled:", ""]
        lines += [f"- `{u.location}`: {u.message}" for u in unmodeled]
    return "\n".join(lines) + "\n"


def diff_table(diffs: list[Difference], unmodeled: list[Diagnostic], width: int = 120) -> str:
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    buf = StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    if not diffs:
        console.print("No differences.")
    else:
        table = Table(title=f"{len(diffs)} difference(s)", show_lines=False)
        for col in ("object", "change", "attribute", "expected", "actual", "migration"):
            table.add_column(col, overflow="fold")
        for d in diffs:
            attr, exp, act = _describe(d)
            table.add_row(
                f"{d.key.kind} {d.key.display}", d.change, attr, exp, act, d.migration or ""
            )
        console.print(table)
    for u in unmodeled:
        console.print(f"warning: {u.location}: {u.message}", markup=False, highlight=False)
    return buf.getvalue()


# ------------------------------------------------------------------------------ infer


def _findings_lines(doc: dict[str, Any]) -> list[str]:
    lines = []
    by_version = {m["version"]: m for m in doc.get("migrations", [])}
    labels = [
        ("missing_from_history", "applied but missing from the history (sync records these)"),
        ("unverified", "placed as applied by the order, but the schema cannot verify them "
         "(sync records these only with --assume-applied)"),
        ("recorded_not_applied", "recorded in the history but not applied"),
        ("recorded_not_in_code", "recorded in the history but not in the code (deploy newer code)"),
        ("checksum_mismatch", "files changed since they were applied (checksum mismatch)"),
    ]
    for field_name, label in labels:
        versions = doc.get(field_name) or []
        if versions:
            lines.append(f"{len(versions)} {label}: {', '.join(versions)}")
        if field_name == "recorded_not_applied":
            unproven = [v for v in versions if not by_version.get(v, {}).get("proven", True)]
            if unproven:
                lines.append(
                    f"  of which unproven (sync --prune leaves them): {', '.join(unproven)}"
                )
    for version in doc.get("partial") or []:
        st = by_version.get(version, {}).get("statements", {})
        lines.append(
            f"partially applied: {version}: statements at lines {st.get('present')} present, "
            f"{st.get('absent')} absent ({st.get('pattern')}: "
            f"{PATTERNS.get(st.get('pattern') or '', '')})"
        )
    for d in doc.get("drift", []):
        who = f" (migration {d['migration']})" if d.get("migration") else " (no migration)"
        if d["change"] == "renamed":
            lines.append(f"drift: {d['kind']} {d['object']} renamed to {d['actual']}{who}")
            continue
        attr = (
            f" {d['attribute']}: expected {d['expected']!r}, actual {d['actual']!r}"
            if d["attribute"]
            else ""
        )
        rerun = d.get("explained_by")
        if rerun:
            who = f" (re-run of {rerun['rerun']}, undoing {', '.join(rerun['undoes'])})"
        lines.append(f"drift: {d['change']} {d['kind']} {d['object']}{attr}{who}")
    return lines


def history_lines(doc: dict[str, Any]) -> list[str]:
    """What the history said besides its versions: where it was read, a dirty or failed row,
    a missing table (an inference document's ``history.notes``), one line each."""
    h = doc["history"]
    if h["source"] == "none":
        return ["history: none read (no --history-file, dump data or --dsn): recorded unknown"]
    lines = [f"history ({h['source']}): {h['recorded']} version(s) recorded"]
    return lines + [f"history: {note}" for note in h.get("notes", [])]


def unmodeled_lines(doc: dict[str, Any]) -> list[str]:
    """The statements the replay could not model (``unmodeled``), one line each after a count;
    none: no line."""
    items = doc.get("unmodeled") or []
    if not items:
        return []
    lines = [
        f"{len(items)} statement(s) could not be modelled (not compared; --strict refuses "
        "them):"
    ]
    for u in items:
        words = " ".join(str(u.get("statement", "")).split()[:6])
        lines.append(f"  {u['file']}:{u['line']}: {u['message']}" + (f": {words}" if words else ""))
    return lines


def infer_markdown(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    out = [
        f"**schemadiff infer** ({doc['tool']}): {s['applied']} applied, {s['pending']} pending, "
        f"{s['partial']} partial of {s['migrations']} migrations; history: "
        f"{doc['history']['source']}, {doc['history']['recorded']} recorded.",
        "",
    ]
    findings = _findings_lines(doc)
    out += [f"- {line}" for line in findings] or ["No findings: history and schema agree."]
    out += ["", *(f"- {line}" for line in history_lines(doc))]
    out += ["", "| version | name | status | confidence | recorded |", "|---|---|---|---|---|"]
    for m in doc["migrations"]:
        rec = {True: "yes", False: "no", None: "—"}[m["recorded"]]
        confidence = m["confidence"] + ("" if m.get("proven", True) else " (unproven)")
        out.append(f"| {m['version']} | {m['name']} | {m['status']} | {confidence} | {rec} |")
    out += _markdown_unmodeled(doc)
    return "\n".join(out) + "\n"


def _markdown_unmodeled(doc: dict[str, Any]) -> list[str]:
    lines = unmodeled_lines(doc)
    if not lines:
        return []
    return ["", lines[0], "", *(f"- `{line.strip()}`" for line in lines[1:])]


def infer_table(doc: dict[str, Any], width: int = 120) -> str:
    from io import StringIO

    from rich.console import Console
    from rich.table import Table

    buf = StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    s = doc["summary"]
    table = Table(
        title=f"{doc['tool']}: {s['applied']} applied, {s['pending']} pending, "
        f"{s['partial']} partial of {s['migrations']}"
    )
    for col in ("version", "name", "status", "confidence", "recorded"):
        table.add_column(col, overflow="fold")
    for m in doc["migrations"]:
        rec = {True: "yes", False: "no", None: "—"}[m["recorded"]]
        confidence = m["confidence"] + ("" if m.get("proven", True) else " (unproven)")
        table.add_row(m["version"], m["name"], m["status"], confidence, rec)
    console.print(table)
    findings = _findings_lines(doc)
    for line in [
        *(findings or ["No findings: history and schema agree."]),
        *history_lines(doc),
        *unmodeled_lines(doc),
    ]:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    return buf.getvalue()


# ------------------------------------------------------------------------------ check


def check_markdown(failures: list[Failure], doc: dict[str, Any], wanted: tuple[str, ...]) -> str:
    """``check --format markdown``: the verdict, a bullet per failure, the history's notes and
    the statements not modelled."""
    lines = ["**schemadiff check**: " + ("passed." if not failures else "FAILED.")]
    lines += [f"- **{f.category}**: {f.message}" for f in failures]
    if not failures:
        lines.append(f"- {_ok_line(doc, wanted)}")
    lines += [f"- {line}" for line in history_lines(doc)]
    lines += _markdown_unmodeled(doc)
    return "\n".join(lines) + "\n"


def check_table(failures: list[Failure], doc: dict[str, Any], wanted: tuple[str, ...]) -> str:
    """``check``'s plain output: ``FAIL category: message`` per failure (or ``ok: ...``), then
    the history's notes and the statements not modelled."""
    lines = [f"FAIL {f.category}: {f.message}" for f in failures] or [_ok_line(doc, wanted)]
    lines += history_lines(doc)
    lines += unmodeled_lines(doc)
    return "\n".join(lines) + "\n"


def _ok_line(doc: dict[str, Any], wanted: tuple[str, ...]) -> str:
    s = doc["summary"]
    return f"ok: {s['applied']} applied, {s['pending']} pending; nothing fails {', '.join(wanted)}"
