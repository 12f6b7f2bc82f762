"""From an inference to the repair script: what to insert, prune, and finish by hand.

The per-tool row formats live in the tool modules (through ``sync.render_sync``); this module
decides what goes in, and only what the schema proves:

- ``missing_from_history`` (applied, proven, not recorded) is recorded;
- ``unverified`` versions (placed by the order or leaving no trace: a data migration, a goose
  ``.go`` file) are recorded only when the user names them (``--assume-applied VERSION``, or
  ``unverified`` / ``unobservable`` for all of those): a wrong row means the tool never runs
  that migration;
- ``recorded_not_applied`` rows are deleted with ``--prune``, the proven ones only: a row
  deleted wrongly makes the tool re-run a migration on a live database;
- partial migrations stop the sync unless the user finishes them (``--complete-partial``
  emits the statements whose effects are absent) or accepts them (``--allow-partial``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff.errors import Location, SchemaDiffError
from schemadiff.infer import Inference
from schemadiff.migration import Migration
from schemadiff.recorded import Recorded, RecordedVersion
from schemadiff.tools.protocol import SyncScript

#: ``--assume-applied`` words that stand for a group of unverified versions.
ASSUME_GROUPS = ("unverified", "unobservable")

if TYPE_CHECKING:
    from schemadiff.tools import ToolOptions


@dataclass(slots=True)
class RepairPlan:
    """What a sync may do, as the inference proved it.

    Attributes:
        missing: proven applied, not recorded: recorded by the sync.
        not_applied: recorded, proven not applied: deleted with ``--prune``.
        unproven_not_applied: recorded, not applied by inference but not proven: never pruned.
        unverified: applied by inference but not proven, not recorded, with the reason:
            recorded only when assumed.
        unobservable: those of ``unverified`` that leave no schema trace at all.
    """

    tool: str
    migrations: list[Migration]
    missing: list[Migration]
    not_applied: list[str]
    partial: list[str]
    recorded: Recorded
    absent_lines: dict[str, list[int]] = field(default_factory=dict)
    origin: str = ""
    unverified: dict[str, str] = field(default_factory=dict)
    unobservable: list[str] = field(default_factory=list)
    unproven_not_applied: list[str] = field(default_factory=list)
    table: str | None = None  # the history table when not the tool's default


def plan_from_inference(result: Inference) -> RepairPlan:
    by_version = {v.migration.version: v for v in result.verdicts}
    migrations = [v.migration for v in result.verdicts]
    prune = [v for v in result.recorded_not_applied if by_version[v].proven]
    return RepairPlan(
        result.tool,
        migrations,
        [by_version[v].migration for v in result.missing_from_history],
        prune,
        result.partial,
        result.recorded,
        {
            v.migration.version: v.statements_absent
            for v in result.verdicts
            if v.status == "partial"
        },
        "schemadiff infer",
        {v: by_version[v].reason or by_version[v].confidence for v in result.unverified},
        [v for v in result.unverified if by_version[v].confidence == "unobservable"],
        [v for v in result.recorded_not_applied if v not in prune],
    )


def plan_from_json(
    path: Path, migrations_dir: Path, tool: str | None, options: ToolOptions | None = None
) -> RepairPlan:
    """A plan from a saved ``infer --format json`` (the migrations are re-read from disk)."""
    from schemadiff.contract import read_infer_document
    from schemadiff.tools import read_migrations

    doc = read_infer_document(path)
    tool_name = tool or doc["tool"]
    history = doc["history"]
    verdicts = doc["migrations"]
    _, migrations = read_migrations(migrations_dir, tool_name, options)
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
    saved = {v["version"]: v for v in verdicts}

    def proven(version: str) -> bool:
        # an inference saved before verdicts said "proven": only its observed ones are
        v = saved.get(version, {})
        return bool(v.get("proven", v.get("confidence") == "observed"))

    not_applied = list(doc.get("recorded_not_applied", []))
    prune = [v for v in not_applied if proven(v)]
    missing = [v for v in doc.get("missing_from_history", []) if proven(v)]
    unverified = list(doc.get("unverified", []))
    unverified += [v for v in doc.get("missing_from_history", []) if v not in missing]
    return RepairPlan(
        tool_name,
        migrations,
        [by_version[v] for v in missing],
        prune,
        list(doc.get("partial", [])),
        recorded,
        absent,
        f"schemadiff infer saved in {path.name}",
        {v: saved.get(v, {}).get("reason") or "unverified" for v in unverified},
        [v for v in unverified if saved.get(v, {}).get("confidence") == "unobservable"],
        [v for v in not_applied if v not in prune],
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
        how = (
            "in one transaction, as its tool runs it"
            if m.in_transaction
            else "outside a transaction, as the migration itself runs"
        )
        body = "".join(f"{t};\n" for t in statements)
        if m.in_transaction:
            body = f"BEGIN;\n{body}COMMIT;\n"
        out.append(
            f"-- Partial migration {version} ({m.path}): statements whose effects are "
            f"absent.\n-- REVIEW before running; run {how}.\n" + body
        )
    return "\n".join(out)


def assumed(plan: RepairPlan, assume: tuple[str, ...]) -> list[str]:
    """The unverified versions ``--assume-applied`` names (versions or group words).

    Raises:
        SchemaDiffError: a name that is neither a group word nor an unverified version.
    """
    out: list[str] = []
    for name in assume:
        if name == "unverified":
            chosen = list(plan.unverified)
        elif name == "unobservable":
            chosen = list(plan.unobservable)
        elif name in plan.unverified:
            chosen = [name]
        else:
            known = {m.version for m in plan.migrations}
            what = "not an unverified version" if name in known else "not a version of this code"
            raise SchemaDiffError(
                f"--assume-applied {name}: {what}; give {', '.join(ASSUME_GROUPS)} or one of the "
                f"unverified versions ({', '.join(plan.unverified) or 'there are none'})"
            )
        out += [v for v in chosen if v not in out]
    return out


@dataclass(slots=True)
class Repair:
    """A rendered plan: the text to save or run, and what to tell the user.

    Attributes:
        text: the script (with the statements completing partial migrations first, when
            asked for), or the migration file.
        notes: one sentence each: what to run next, warnings, what was left out and why.
        script: the tool's :class:`~schemadiff.tools.protocol.SyncScript`.
        not_recorded: unverified versions left out, with the reason.
        not_pruned: unproven phantom rows left alone.
    """

    text: str
    notes: list[str]
    script: SyncScript
    not_recorded: dict[str, str]
    not_pruned: list[str]


def render_plan(
    plan: RepairPlan,
    *,
    style: str = "script",
    prune: bool = False,
    complete_partial: bool = False,
    assume: tuple[str, ...] = (),
) -> Repair:
    """The script and the notes for the user (what to run next, warnings)."""
    from schemadiff.sync import render_sync

    by_version = {m.version: m for m in plan.migrations}
    order = {m.version: i for i, m in enumerate(plan.migrations)}
    chosen = assumed(plan, assume)
    missing = sorted([*plan.missing, *(by_version[v] for v in chosen)],
                     key=lambda m: order[m.version])
    preamble = ""
    if complete_partial and plan.partial:
        preamble = completion_statements(plan) + "\n"
        missing += [by_version[v] for v in plan.partial if v not in plan.recorded.applied]
        missing.sort(key=lambda m: order[m.version])
    script = render_sync(
        plan.tool,
        missing,
        plan.recorded,
        prune=plan.not_applied if prune else (),
        style=style,
        migrations=plan.migrations,
        table=plan.table,
        origin=plan.origin,
    )
    notes = list(script.warnings)
    if script.filename:
        notes.insert(0, f"save this as {script.filename} in the migration directory")
    notes += [f"then run: {c}" for c in script.commands]
    if script.equivalent:
        notes.append("or, instead of the script, with the tool itself: "
                     + "; ".join(script.equivalent))
    left = [v for v in plan.unverified if v not in chosen]
    if left:
        notes.append(
            f"not recorded: {len(left)} version(s) the schema cannot verify "
            f"({_reasons(left, plan.unverified)}); check that they really ran (a data "
            f"migration's rows, a .go migration's effect), then record them with "
            f"--assume-applied VERSION (or --assume-applied unverified)"
        )
    if plan.unproven_not_applied:
        notes.append(
            f"not pruned: {', '.join(plan.unproven_not_applied)}: recorded, and their effects "
            f"are absent, but the schema does not prove they never ran (versions unknown to "
            f"this code ran after them, or they leave no trace); delete their rows by hand "
            f"once you know"
        )
    if not missing and not (prune and plan.not_applied):
        notes.insert(0, "nothing to sync: the history already records every proven migration")
    not_recorded = {v: plan.unverified[v] for v in left}
    return Repair(preamble + script.text, notes, script, not_recorded,
                  list(plan.unproven_not_applied))


def _reasons(versions: list[str], why: dict[str, str], limit: int = 8) -> str:
    shown = [f"{v}: {why[v]}" for v in versions[:limit]]
    more = f"; +{len(versions) - limit} more" if len(versions) > limit else ""
    return "; ".join(shown) + more


def repair_document(result: Inference, table: str | None = None) -> dict[str, Any] | None:
    """What ``sync`` (script style, no flags) would write for ``result``, as the contract's
    sync document, for reports; None when sync could not write it (the error is sync's to
    say)."""
    from schemadiff import contract
    from schemadiff.sync import SyncError

    plan = plan_from_inference(result)
    plan.table = table
    try:
        repair = render_plan(plan)
    except SyncError:
        return None
    script = repair.script
    return dict(contract.sync_document(
        plan.tool, "script", repair.text,
        inserted=list(script.inserted), pruned=list(script.pruned),
        not_recorded=repair.not_recorded, not_pruned=repair.not_pruned,
        partial=list(plan.partial), filename=script.filename, version=script.version,
        commands=list(script.commands), warnings=list(script.warnings),
    ))
