"""Renderings of findings: a table for people, JSON for programs, markdown for PR comments.

Pure: functions return strings (rich renders into a string buffer).
"""

from __future__ import annotations

from typing import Any

from schemadiff.diff import Difference
from schemadiff.errors import Diagnostic
from schemadiff.infer import PATTERNS


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
    out += ["", "| version | name | status | confidence | recorded |", "|---|---|---|---|---|"]
    for m in doc["migrations"]:
        rec = {True: "yes", False: "no", None: "—"}[m["recorded"]]
        confidence = m["confidence"] + ("" if m.get("proven", True) else " (unproven)")
        out.append(f"| {m['version']} | {m['name']} | {m['status']} | {confidence} | {rec} |")
    return "\n".join(out) + "\n"


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
    for line in findings or ["No findings: history and schema agree."]:
        console.print(line, markup=False, highlight=False)
    return buf.getvalue()
