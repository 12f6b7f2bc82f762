"""From an inference to the repair script: what to insert, prune, and finish by hand.

The per-tool row formats live in the tool modules (through ``sync.render_sync``); this module
decides what goes in: ``missing_from_history``, ``recorded_not_applied`` when pruning, and
partial migrations, which stop the sync unless the user finishes them (``--complete-partial``
emits the statements whose effects are absent) or accepts them (``--allow-partial``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from schemadiff.errors import Location, SchemaDiffError
from schemadiff.infer import Inference
from schemadiff.migration import Migration
from schemadiff.recorded import Recorded, RecordedVersion


@dataclass(slots=True)
class RepairPlan:
    tool: str
    migrations: list[Migration]
    missing: list[Migration]
    not_applied: list[str]
    partial: list[str]
    recorded: Recorded
    absent_lines: dict[str, list[int]] = field(default_factory=dict)
    origin: str = ""


def plan_from_inference(result: Inference) -> RepairPlan:
    by_version = {v.migration.version: v for v in result.verdicts}
    migrations = [v.migration for v in result.verdicts]
    return RepairPlan(
        result.tool,
        migrations,
        [by_version[v].migration for v in result.missing_from_history],
        list(result.recorded_not_applied),
        result.partial,
        result.recorded,
        {
            v.migration.version: v.statements_absent
            for v in result.verdicts
            if v.status == "partial"
        },
        "schemadiff infer",
    )


def plan_from_json(path: Path, migrations_dir: Path, tool: str | None) -> RepairPlan:
    """A plan from a saved ``infer --format json`` (the migrations are re-read from disk)."""
    from schemadiff.tools import read_migrations

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        tool_name = tool or doc["tool"]
        history = doc["history"]
        verdicts = doc["migrations"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SchemaDiffError(
            f"not a saved `schemadiff infer --format json`: {exc}", Location(str(path))
        ) from None
    _, migrations = read_migrations(migrations_dir, tool_name)
    by_version = {m.version: m for m in migrations}
    unknown = [v for v in doc.get("missing_from_history", []) if v not in by_version]
    if unknown:
        raise SchemaDiffError(
            f"versions {', '.join(unknown)} are not in {migrations_dir}", Location(str(path))
        )
    recorded = Recorded(
        tool_name,
        history.get("source", "file"),
        history.get("table_exists", True),
        tuple(RecordedVersion(v) for v in history.get("versions", [])),
    )
    absent = {
        v["version"]: v.get("statements", {}).get("absent", [])
        for v in verdicts
        if v.get("status") == "partial"
    }
    return RepairPlan(
        tool_name,
        migrations,
        [by_version[v] for v in doc.get("missing_from_history", [])],
        list(doc.get("recorded_not_applied", [])),
        list(doc.get("partial", [])),
        recorded,
        absent,
        f"schemadiff infer saved in {path.name}",
    )


def completion_statements(plan: RepairPlan) -> str:
    """The statements of partial migrations whose effects are absent, for a human to review."""
    from schemadiff.history import parse_migration

    by_version = {m.version: m for m in plan.migrations}
    out = []
    for version in plan.partial:
        m = by_version[version]
        lines = set(plan.absent_lines.get(version, []))
        statements = [
            st.text for st, _ in parse_migration(m).statements if st.location.line in lines
        ]
        out.append(
            f"-- Partial migration {version} ({m.path}): statements whose effects are "
            f"absent.\n-- REVIEW before running; run outside a transaction, as the "
            f"migration itself runs.\n" + "".join(f"{t};\n" for t in statements)
        )
    return "\n".join(out)


def render_plan(
    plan: RepairPlan,
    *,
    style: str = "script",
    prune: bool = False,
    complete_partial: bool = False,
    table: str | None = None,
) -> tuple[str, list[str]]:
    """The script text and the notes for the user (what to run next, warnings); ``table`` is
    the history table when not the tool's default (``--history-table``)."""
    from schemadiff.sync import render_sync

    missing = list(plan.missing)
    preamble = ""
    if complete_partial and plan.partial:
        preamble = completion_statements(plan) + "\n"
        by_version = {m.version: m for m in plan.migrations}
        missing += [by_version[v] for v in plan.partial if v not in plan.recorded.applied]
        order = {m.version: i for i, m in enumerate(plan.migrations)}
        missing.sort(key=lambda m: order[m.version])
    script = render_sync(
        plan.tool,
        missing,
        plan.recorded,
        prune=plan.not_applied if prune else (),
        style=style,
        migrations=plan.migrations,
        table=table,
        origin=plan.origin,
    )
    notes = list(script.warnings)
    if script.filename:
        notes.insert(0, f"save this as {script.filename} in the migration directory")
    notes += [f"then run: {c}" for c in script.commands]
    if not missing and not (prune and plan.not_applied):
        notes.insert(0, "nothing to sync: the history already records every applied migration")
    return preamble + script.text, notes
