"""From an inference to the repair of the tool's history: what to insert, prune, and finish
by hand, written in the tool's own row format.

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

:func:`render_sync` writes the rows through the tool module's ``render_sync``
(:class:`~schemadiff.tools.protocol.Tool`): a script for ``psql -v ON_ERROR_STOP=1 -f``, one
transaction, idempotent (each row inserted by ``INSERT ... SELECT ... WHERE NOT EXISTS``),
every literal quoted. Pure: checksums come from :attr:`Migration.checksum`, which the readers
compute from the files' exact bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff.errors import Location, SchemaDiffError
from schemadiff.inference import Inference
from schemadiff.migration import Migration
from schemadiff.recorded import MARKED_RAN, Recorded, RecordedVersion
from schemadiff.tools import TOOLS
from schemadiff.tools.protocol import STYLES, SyncContext, SyncError, SyncScript

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
    #: applied migrations whose file changed since (recorded checksum != the file's)
    checksum_mismatch: list[Migration] = field(default_factory=list)
    #: of those, the ones whose objects differ from what the file makes now (version -> the
    #: first difference): the schema holds what an earlier text made
    edited: dict[str, str] = field(default_factory=dict)


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
        checksum_mismatch=[by_version[v].migration for v in result.checksum_mismatch
                           if v in by_version],
        edited=_edited(result.checksum_mismatch,
                       ((d.migration, d.change, f"{d.key.kind} {d.key.display}", d.attribute,
                         d.explained_by) for d in result.drift)),
    )


def _edited(mismatch: Sequence[str],
            drift: Iterable[tuple[str | None, str, str, str | None, Any]]) -> dict[str, str]:
    """Each version of ``mismatch`` that a difference (``changed`` or ``missing``, no re-run
    explaining it) is attributed to, with the first such difference in words."""
    out: dict[str, str] = {}
    for migration, change, what, attribute, explained in drift:
        if (migration in mismatch and migration not in out and explained is None
                and change in ("changed", "missing")):
            out[migration] = f"{what} {attribute or ''} {change}".replace("  ", " ")
    return out


def plan_from_json(
    doc: Mapping[str, Any],
    path: Path,
    migrations_dir: Path,
    tool: str | None,
    options: ToolOptions | None = None,
) -> RepairPlan:
    """A plan from a saved ``infer --format json`` document (``contract.read_infer_document``
    read it from ``path``); the migrations are re-read from disk."""
    from schemadiff.tools import read_migrations

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
        _saved_versions(history, migrations),
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
        checksum_mismatch=[by_version[v] for v in doc.get("checksum_mismatch", [])
                           if v in by_version],
        edited=_edited(doc.get("checksum_mismatch", []),
                       ((d.get("migration"), d.get("change", ""),
                         f"{d.get('kind')} {d.get('object')}", d.get("attribute"),
                         d.get("explained_by")) for d in doc.get("drift", []))),
    )


def _saved_versions(history: Mapping[str, Any],
                    migrations: Sequence[Migration]) -> tuple[RecordedVersion, ...]:
    """The recorded versions of a saved ``infer`` document, those below a baseline (its
    note, ``baseline V: ...``, as the Flyway and Atlas readers write it) marked with it: a
    baseline is taken on an empty history, so every recorded version the tool orders before
    it has no row of its own."""
    order = {m.version: i for i, m in enumerate(migrations)}
    notes = [n for n in history.get("notes", []) if isinstance(n, str)]
    bases = [n.split(":", 1)[0].removeprefix("baseline ") for n in notes
             if n.startswith("baseline ") and ":" in n]
    marked = {n.removeprefix(MARKED_RAN).split(": EXECTYPE MARK_RAN", 1)[0] for n in notes
              if n.startswith(MARKED_RAN)}
    out = []
    for v in history.get("versions", []):
        base = next((b for b in bases if b in order and v in order and order[v] < order[b]),
                    None)
        out.append(RecordedVersion(v, baseline=base, marked_ran=v in marked))
    return tuple(out)


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
    repair_checksums: bool = False,
    prune_marked: bool = False,
) -> Repair:
    """The script and the notes for the user (what to run next, warnings); with
    ``repair_checksums``, the tool's checksum repair of ``plan.checksum_mismatch`` too; with
    ``prune_marked``, a prune deletes the rows the tool marked run without running them."""

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
    prunable, held = _prunable(plan.not_applied, plan.recorded, prune_marked)
    script = render_sync(
        plan.tool,
        missing,
        plan.recorded,
        prune=prunable if prune else (),
        style=style,
        migrations=plan.migrations,
        table=plan.table,
        origin=plan.origin,
        checksums=plan.checksum_mismatch if repair_checksums else (),
    )
    notes = checksum_notes(plan, repaired=repair_checksums)
    if not plan.recorded.table_exists:
        # a table with the tool's history columns under another name (pipeline._elsewhere):
        # the script writes the default table, which the tool told to use that one never reads
        notes += [n for n in plan.recorded.notes if "--history-table" in n]
    notes += script.warnings
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
    notes += held
    unpruned = [v for v in prunable if v not in script.pruned]
    if unpruned:
        failed = {v.version for v in plan.recorded.versions if not v.success}
        blocked = [v for v in unpruned if v in failed]
        notes.append(
            f"not pruned: {', '.join(unpruned)}: recorded, and proven not applied"
            + (f" ({', '.join(blocked)}: the row of a failed or rolled-back attempt; the "
               "tool will not run it while that row is there)" if blocked else "")
            + "; --prune deletes their rows, and the tool then runs them"
        )
    if plan.unproven_not_applied:
        notes.append(
            f"not pruned: {', '.join(plan.unproven_not_applied)}: recorded, and their effects "
            f"are absent, but the schema does not prove they never ran (versions unknown to "
            f"this code ran after them, they leave no trace, or a failed attempt outside a "
            f"transaction may have run part of them); delete their rows by hand once you "
            f"know"
        )
    if not missing and not script.pruned and not script.updated:
        notes.insert(0, "nothing to sync: the history already records every proven migration")
    not_recorded = {v: plan.unverified[v] for v in left}
    return Repair(preamble + script.text, notes, script, not_recorded,
                  list(plan.unproven_not_applied))


def _prunable(not_applied: Sequence[str], recorded: Recorded,
              prune_marked: bool = False) -> tuple[list[str], list[str]]:
    """The versions of ``not_applied`` whose rows a prune may delete, and a note for each that
    it may not: a row the tool marked run without running it (Liquibase's MARK_RAN: its
    effects are absent by the tool's choice, not a phantom row), unless ``prune_marked``; a
    version below a baseline (Flyway's ``BASELINE`` row, Atlas's baseline
    revision) has no row of its own, the tool never runs it whatever is deleted, unless the
    baseline row itself goes; and the baseline row stays when it also stands for a version
    below it that is not pruned (applied, or not proven absent): deleting it would make the
    tool run that one again."""
    baseline_of = {v.version: v.baseline for v in recorded.versions if v.baseline}
    marked = {v.version for v in recorded.versions if v.marked_ran and not prune_marked}
    below: dict[str, list[str]] = {}
    for version, base in baseline_of.items():
        below.setdefault(base, []).append(version)
    chosen = set(not_applied)
    kept = {b: [v for v in vs if v not in chosen] for b, vs in below.items() if b in chosen}
    kept = {b: vs for b, vs in kept.items() if vs}
    prunable: list[str] = []
    notes: list[str] = []
    for version in not_applied:
        base = baseline_of.get(version)
        if version in marked:
            notes.append(
                f"not pruned: {version}: the tool marked it run without running it (MARK_RAN: "
                "a precondition chose so, or changelog-sync), so its effects are absent by "
                "design; --prune-marked-ran deletes its row, and the tool then runs it")
        elif version in kept:
            notes.append(
                f"not pruned: {version}: its row is the baseline, which also stands for "
                f"{', '.join(kept[version])}, applied or not proven absent: deleting it would make "
                f"the tool run them again; apply {version} by hand instead")
        elif base is not None and (base not in chosen or base in kept):
            notes.append(
                f"not pruned: {version}: it has no row of its own, the baseline {base} stands "
                f"for it and the tool never runs what lies below its baseline; apply it by hand")
        else:
            prunable.append(version)
    return prunable, notes


def checksum_notes(plan: RepairPlan, *, repaired: bool) -> list[str]:
    """Recorded and file checksums side by side (one line per changed migration), and, when
    not ``repaired``, the hint to pass ``--repair-checksums``."""
    # a Flyway repeatable whose file changed is not refused: Flyway runs it again on its next
    # migrate (and --repair-checksums leaves it so)
    rerun = [m.version for m in plan.checksum_mismatch if m.repeatable]
    notes = [f"changed since they ran: {', '.join(rerun)}: repeatable, so the tool runs them "
             "again on its next migrate; nothing to repair"] if rerun else []
    changed = [m for m in plan.checksum_mismatch if not m.repeatable]
    if not changed:
        return notes
    rows = [(m.version, _recorded_checksum(plan.recorded, m.version), m.checksum or "none")
            for m in changed]
    width = max(len(v) for v, _, _ in rows)
    rwidth = max(len(r) for _, r, _ in rows)
    if repaired:
        what = "the script sets the recorded checksum to the file's (--repair-checksums)"
    elif getattr(TOOLS.get(plan.tool), "checksum_repair", None) is None:
        what = ("the tool refuses to run until the checksums agree"
                + _NO_CHECKSUM_REPAIR.get(plan.tool, ""))
    else:
        what = ("the tool refuses to run until the checksums agree; review the changes, then "
                "pass --repair-checksums to record the files' checksums")
    lines = [f"checksum mismatch: {len(rows)} applied migration(s) changed since they ran; "
             f"{what}:",
             f"  {'version'.ljust(width)}  {'recorded'.ljust(rwidth)}  file"]
    lines += [f"  {v.ljust(width)}  {r.ljust(rwidth)}  {f}" for v, r, f in rows]
    for version, what in plan.edited.items():
        if version in rerun:
            continue
        lines.append(f"  {version}: the schema holds what an earlier text of it made ({what}); "
                     + ("with its checksum set to the file's, the tool never runs the new text: "
                        "apply the difference by hand (schemadiff repair-schema shows it)"
                        if repaired else
                        "recording the file's checksum would leave it so for ever"))
    return [*notes, "\n".join(lines)]


def _recorded_checksum(recorded: Recorded, version: str) -> str:
    row = recorded.applied.get(version)
    return (row.checksum if row is not None else None) or "unknown"


def _reasons(versions: list[str], why: dict[str, str], limit: int = 8) -> str:
    shown = [f"{v}: {why[v]}" for v in versions[:limit]]
    more = f"; +{len(versions) - limit} more" if len(versions) > limit else ""
    return "; ".join(shown) + more


# -- the tool's own row format ------------------------------------------------------------


def render_sync(
    tool: str,
    missing: Sequence[Migration],
    recorded: Recorded,
    *,
    prune: Sequence[str] = (),
    style: str = "script",
    migrations: Sequence[Migration] = (),
    table: tuple[str, str] | str | None = None,
    origin: str = "",
    checksums: Sequence[Migration] = (),
) -> SyncScript:
    """The repair of ``tool``'s history table, in the tool's own row format.

    Args:
        tool: a ``--tool`` name (``goose``, ``sqlx``, ``golang-migrate``, ``dbmate``,
            ``flyway``, ``diesel``, ``prisma``, ``atlas``).
        missing: the migrations applied but not recorded (``missing_from_history``), as the
            tool's reader lists them (their checksums are what the rows store).
        recorded: the history as read (:mod:`schemadiff.sources.history`): whether the table
            exists, which rows failed.
        prune: recorded versions to delete (``recorded_not_applied``, only with ``--prune``).
        style: ``script`` (default, every tool) or ``migration`` (goose: a migration file).
        migrations: every migration of the directory in the tool's order; used to warn about
            genuinely pending migrations the tool will then refuse, and to pick a goose sync
            version that no file has.
        table: the history table when not the tool's default: ``"schema.name"``, ``"name"``
            or ``(schema, name)``.
        origin: where the inference came from, for the header comment.
        checksums: applied migrations whose recorded checksum is to be set to their file's
            (``--repair-checksums``), for a tool module with ``checksum_repair``.

    Returns:
        The script (or migration file) and what to tell the user.

    Raises:
        SyncError: an unknown tool or style, a migration style the tool has no form for, a
            version both to record and to prune, or a goose sync version that cannot exist
            (the message explains and names the alternative).
    """
    module = TOOLS.get(tool)
    if module is None:
        raise SyncError(f"unknown tool {tool!r}; known tools: {', '.join(TOOLS)}")
    if style not in STYLES:
        raise SyncError(f"unknown sync style {style!r}; use one of: {', '.join(STYLES)}")
    seen: dict[str, Migration] = {}
    for m in missing:
        seen.setdefault(m.version, m)
    both = sorted(set(seen) & set(prune))
    if both:
        raise SyncError(f"version(s) both to record and to prune: {', '.join(both)}")
    if checksums and getattr(module, "checksum_repair", None) is None:
        raise SyncError(f"--repair-checksums is not written for {tool}"
                        + _NO_CHECKSUM_REPAIR.get(tool, ": it keeps no per-file checksum"))
    ctx = SyncContext(
        tool=tool,
        missing=tuple(seen.values()),
        recorded=recorded,
        prune=tuple(dict.fromkeys(prune)),
        migrations=tuple(migrations),
        table=_table(table, module.HISTORY_TABLES),
        style=style,
        origin=origin,
        checksums=tuple(checksums),
    )
    result: SyncScript = module.render_sync(ctx)
    return result


#: Why a tool that reports checksum mismatches has no --repair-checksums.
_NO_CHECKSUM_REPAIR = {
    "atlas": (": atlas_schema_revisions.hash is atlas.sum's running hash over every file up "
              "to that one, not the file's own; after reviewing the change, run "
              "`atlas migrate hash` (atlas.sum) and `atlas migrate set` instead"),
    "liquibase": (": after reviewing the change, `liquibase clear-checksums` lets Liquibase "
                  "record the new MD5SUMs on its next update"),
}


def _table(table: tuple[str, str] | str | None,
           defaults: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The history table to write to: the one given, else the tool's first default (a schema
    it names first, e.g. Atlas's ``atlas_schema_revisions``)."""
    if isinstance(table, tuple):
        return table
    if isinstance(table, str):
        schema, dot, name = table.rpartition(".")
        return (schema, name) if dot else ("", table)
    return sorted(defaults, key=lambda t: (t[0] == "", t))[0]

