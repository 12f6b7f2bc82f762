"""The JSON of every command, defined once: its shape, how it is written, how it is read.

Each command's ``--format json`` document is a ``TypedDict`` here, built from the command's
typed result by one function (``diff_document``, ``infer_document``, ``check_document``,
``sync_document``, ``verify_document``, ``inspect_document``), and read back by the same module
(:func:`read_infer_document`, for ``sync --from-json``). The JSON Schema of each document is
generated from these types (:func:`json_schema`) and shipped in ``schemadiff/schemas/``; the
tests validate real outputs against it and check the shipped files are current.

Every document carries ``"format_version"`` and ``"command"``. Versioning rule: adding a key
keeps the version; removing or renaming a key, or changing what a value means, increments it.
Readers accept documents of their own version and refuse others with a one-line error.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from collections import Counter
from collections.abc import Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict, get_args, get_origin, get_type_hints, is_typeddict
else:  # typing's TypedDict knows NotRequired from 3.11 on
    from typing import get_args, get_origin

    from typing_extensions import (
        NotRequired,
        TypedDict,
        get_type_hints,
        is_typeddict,
    )

from schemadiff.differences import Change, Difference
from schemadiff.errors import Diagnostic, Location, SchemaDiffError
from schemadiff.gate import Category, Failure
from schemadiff.ignore import Count
from schemadiff.inference import Confidence, Inference, Pattern, Status, Verdict
from schemadiff.model import Catalog
from schemadiff.recorded import Recorded
from schemadiff.repair import Repair, RepairPlan
from schemadiff.uncertain import uncertain_objects
from schemadiff.verification import Verification

if TYPE_CHECKING:
    from schemadiff.config import Setting
    from schemadiff.schema_repair import SchemaRepair  # imports the dialect: not on warm runs

FormatVersion = Literal[1]
FORMAT_VERSION: FormatVersion = 1
COMMANDS = ("diff", "infer", "check", "sync", "repair-schema", "verify", "inspect", "config")
SCHEMA_DIR = Path(__file__).parent / "schemas"

# ------------------------------------------------------------------------------ shared parts


class Unmodeled(TypedDict):
    """A statement the replay could not model: where, why, and its first 500 characters."""

    file: str
    line: int
    message: str
    statement: str
    uncertain: NotRequired[list[str]]  # the objects it leaves uncertain, as far as named


class Rerun(TypedDict):
    """Drift an older migration explains: ``rerun`` ran again and undid ``undoes``."""

    rerun: str
    undoes: list[str]


class Drift(TypedDict):
    """One difference (``diff``) or one drift item (``infer``)."""

    kind: str  # "table", "column", "index" ...
    object: str  # "public.users.email"
    change: Change
    attribute: str | None  # for "changed": the field that differs
    expected: Any  # from the migrations; None on the absent side
    actual: Any  # from the database; for "renamed", the new name
    migration: str | None  # the version that last set it (for "extra": see README)
    detail: NotRequired[dict[str, Any]]  # list-valued attributes: added / removed / reordered
    explained_by: NotRequired[Rerun]


class IgnoredRule(TypedDict):
    """What one ignore rule took out of the findings: never dropped silently."""

    rule: str  # "table public.audit_*" (an object rule) or "2024*" (a version rule)
    what: Literal["object", "version"]
    count: int  # objects matched on either side (what lives on a matched table goes with it)


class DiffSummary(TypedDict):
    differences: int
    missing: int
    extra: int
    changed: int
    renamed: int
    unmodeled: int


class DiffDocument(TypedDict):
    format_version: FormatVersion
    command: Literal["diff"]
    differences: list[Drift]
    unmodeled: list[Unmodeled]
    ignored: list[IgnoredRule]  # one entry per ignore rule, also when it matched nothing
    summary: DiffSummary


# ------------------------------------------------------------------------------ infer


class History(TypedDict):
    source: Literal["live", "dump", "file", "none"]
    table_exists: bool
    recorded: int
    versions: list[str]
    notes: list[str]


class EvidenceTotal(TypedDict):
    present: int
    absent: int


class Evidence(TypedDict):
    present: list[str]  # "table public.users", "column public.users.email default"
    absent: list[str]
    total: NotRequired[EvidenceTotal]  # when the lists are cut


class Statements(TypedDict):
    present: list[int]  # line numbers in the file
    absent: list[int]
    pattern: Pattern


class MigrationVerdict(TypedDict):
    version: str  # as the tool spells it in its history table
    name: str
    file: str
    status: Status
    confidence: Confidence
    proven: bool  # whether sync may act on it without being told to
    recorded: bool | None  # None: no history available
    evidence: Evidence
    reason: NotRequired[str]
    witness: NotRequired[str]  # the version whose verdict placed this one, when not observed
    statements: NotRequired[Statements]  # partial only


class InferSummary(TypedDict):
    migrations: int
    applied: int
    pending: int
    partial: int
    missing_from_history: int
    unverified: int
    recorded_not_applied: int
    recorded_not_in_code: int
    checksum_mismatch: int
    drift: int
    unmodeled: int


class InferDocument(TypedDict):
    format_version: FormatVersion
    command: Literal["infer"]
    tool: str
    history: History
    migrations: list[MigrationVerdict]
    missing_from_history: list[str]
    unverified: list[str]
    recorded_not_applied: list[str]
    recorded_not_in_code: list[str]
    checksum_mismatch: list[str]
    partial: list[str]
    drift: list[Drift]
    unmodeled: list[Unmodeled]
    ignored: list[IgnoredRule]  # one entry per ignore rule, also when it matched nothing
    summary: InferSummary


# ------------------------------------------------------------------------------ check, sync


class CheckFailure(TypedDict):
    category: Category
    message: str
    versions: list[str]


class CheckDocument(TypedDict):
    format_version: FormatVersion
    command: Literal["check"]
    ok: bool
    fail_on: list[Category]
    failures: list[CheckFailure]
    inference: InferDocument


class NotRecorded(TypedDict):
    version: str
    reason: str


class ChecksumRow(TypedDict):
    """An applied migration whose file changed since it ran: both checksums, as the tool
    spells them."""

    version: str
    recorded: str | None  # None: not known (a saved inference keeps no checksums)
    file: str | None
    repaired: bool  # whether the script sets the recorded one to the file's


class SyncDocument(TypedDict):
    format_version: FormatVersion
    command: Literal["sync"]
    tool: str
    style: Literal["script", "migration"]
    inserted: list[str]  # versions the script records, in order
    pruned: list[str]  # versions it deletes
    updated: list[str]  # versions whose recorded checksum it sets (--repair-checksums)
    checksums: list[ChecksumRow]  # every checksum mismatch, repaired or not
    not_recorded: list[NotRecorded]  # unverified versions left out (--assume-applied)
    not_pruned: list[str]  # recorded, not applied, but not proven: left alone
    partial: list[str]
    filename: str | None  # --style migration: the file to save
    version: str | None  # --style migration: its version
    commands: list[str]  # what to run afterwards
    warnings: list[str]
    notes: list[str]  # everything sync prints on stderr
    script: str


class RepairStep(TypedDict):
    object: str  # "index public.users_email_idx"
    kind: str
    action: Literal["drop", "alter", "create"]
    statements: list[str]
    header: list[str]  # what drifted, and the migration statement it comes from
    active: bool  # False: written commented out
    reason: str | None  # why it is commented out
    transactional: bool


class RepairSchemaDocument(TypedDict):
    format_version: FormatVersion
    command: Literal["repair-schema"]
    steps: list[RepairStep]  # in the order the script runs them
    notes: list[str]
    script: str


# ------------------------------------------------------------------------------ verify, inspect


class Diagnostic_(TypedDict):
    file: str
    line: int
    message: str


class FirstDifference(TypedDict):
    position: int  # 1-based, in apply order
    version: str
    name: str
    file: str
    differences: list[Drift]
    unmodeled: list[Diagnostic_]


class VerifyDocument(TypedDict):
    format_version: FormatVersion
    command: Literal["verify"]
    tool: str
    shadow: str
    agree: bool
    migrations: int
    compared: int
    first_difference: FirstDifference | None
    shadow_diagnostics: list[Diagnostic_]
    static_unmodeled: int
    timings: dict[str, float]


class InspectDocument(TypedDict):
    format_version: FormatVersion
    command: Literal["inspect"]
    objects: list[dict[str, Any]]  # {"kind": ..., "object": ..., <the kind's fields>}


class Setting_(TypedDict):
    value: Any  # a string, a list of strings, or null
    origin: str  # "<file>: <key>", "flag --tool" or "default"


class ConfigDocument(TypedDict):
    format_version: FormatVersion
    command: Literal["config"]
    file: str | None  # the configuration file read; None: none found
    settings: dict[str, Setting_]  # by key as the file spells it ("ignore.objects")


DOCUMENTS: dict[str, type] = {
    "diff": DiffDocument,
    "infer": InferDocument,
    "check": CheckDocument,
    "sync": SyncDocument,
    "repair-schema": RepairSchemaDocument,
    "verify": VerifyDocument,
    "inspect": InspectDocument,
    "config": ConfigDocument,
}

# ------------------------------------------------------------------------------ writers


def _plain(value: Any) -> Any:
    from schemadiff.model import SchemaObject

    if isinstance(value, SchemaObject):
        return None
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def drift(d: Difference) -> Drift:
    out: Drift = {
        "kind": d.key.kind,
        "object": d.key.display,
        "change": d.change,
        "attribute": d.attribute,
        "expected": _plain(d.expected),
        "actual": _plain(d.actual),
        "migration": d.migration,
    }
    if d.detail:
        out["detail"] = d.detail
    if d.explained_by:
        out["explained_by"] = {
            "rerun": d.explained_by["rerun"],
            "undoes": list(d.explained_by["undoes"]),
        }
    return out


def unmodeled(d: Diagnostic) -> Unmodeled:
    out: Unmodeled = {
        "file": d.location.path,
        "line": d.location.line,
        "message": d.message,
        "statement": d.statement[:500],
    }
    objects = uncertain_objects(d.message)
    if objects:
        out["uncertain"] = list(objects)
    return out


def ignored(counts: Iterable[Count]) -> list[IgnoredRule]:
    return [{"rule": c.rule, "what": c.what, "count": c.count}  # type: ignore[typeddict-item]
            for c in counts]


def diff_document(
    diffs: list[Difference], diagnostics: list[Diagnostic], ignores: Iterable[Count] = ()
) -> DiffDocument:
    by_change = Counter(d.change for d in diffs)
    return {
        "format_version": FORMAT_VERSION,
        "command": "diff",
        "differences": [drift(d) for d in diffs],
        "unmodeled": [unmodeled(d) for d in diagnostics],
        "ignored": ignored(ignores),
        "summary": {
            "differences": len(diffs),
            "missing": by_change[Change.MISSING],
            "extra": by_change[Change.EXTRA],
            "changed": by_change[Change.CHANGED],
            "renamed": by_change[Change.RENAMED],
            "unmodeled": len(diagnostics),
        },
    }


def history(recorded: Recorded) -> History:
    return {
        "source": recorded.source,  # type: ignore[typeddict-item]
        "table_exists": recorded.table_exists,
        "recorded": len(recorded.applied),
        "versions": list(recorded.applied),
        "notes": list(recorded.notes),
    }


def verdict(v: Verdict, evidence_limit: int = 25) -> MigrationVerdict:
    m = v.migration
    out: MigrationVerdict = {
        "version": m.version,
        "name": m.description,
        "file": m.path,
        "status": v.status,
        "confidence": v.confidence,
        "proven": v.proven,
        "recorded": v.recorded,
        "evidence": {
            "present": v.present[:evidence_limit],
            "absent": v.absent[:evidence_limit],
        },
    }
    if v.reason:
        out["reason"] = v.reason
    if v.witness:
        out["witness"] = v.witness
    if len(v.present) > evidence_limit or len(v.absent) > evidence_limit:
        out["evidence"]["total"] = {"present": len(v.present), "absent": len(v.absent)}
    if v.status == Status.PARTIAL and v.pattern is not None:
        out["statements"] = {
            "present": v.statements_present,
            "absent": v.statements_absent,
            "pattern": v.pattern,
        }
    return out


def infer_document(result: Inference) -> InferDocument:
    counts = Counter(v.status for v in result.verdicts)
    return {
        "format_version": FORMAT_VERSION,
        "command": "infer",
        "tool": result.tool,
        "history": history(result.recorded),
        "migrations": [verdict(v) for v in result.verdicts],
        "missing_from_history": list(result.missing_from_history),
        "unverified": list(result.unverified),
        "recorded_not_applied": list(result.recorded_not_applied),
        "recorded_not_in_code": list(result.recorded_not_in_code),
        "checksum_mismatch": list(result.checksum_mismatch),
        "partial": result.partial,
        "drift": [drift(d) for d in result.drift],
        "unmodeled": [unmodeled(d) for d in result.unmodeled],
        "ignored": ignored(result.ignored),
        "summary": {
            "migrations": len(result.verdicts),
            "applied": counts[Status.APPLIED],
            "pending": counts[Status.PENDING],
            "partial": counts[Status.PARTIAL],
            "missing_from_history": len(result.missing_from_history),
            "unverified": len(result.unverified),
            "recorded_not_applied": len(result.recorded_not_applied),
            "recorded_not_in_code": len(result.recorded_not_in_code),
            "checksum_mismatch": len(result.checksum_mismatch),
            "drift": len(result.drift),
            "unmodeled": len(result.unmodeled),
        },
    }


def check_document(
    result: Inference, failures: list[Failure], fail_on: tuple[Category, ...]
) -> CheckDocument:
    return {
        "format_version": FORMAT_VERSION,
        "command": "check",
        "ok": not failures,
        "fail_on": list(fail_on),
        "failures": [
            {"category": f.category, "message": f.message, "versions": list(f.versions)}
            for f in failures
        ],
        "inference": infer_document(result),
    }


def sync_document(plan: RepairPlan, repair: Repair, style: str) -> SyncDocument:
    script = repair.script
    return {
        "format_version": FORMAT_VERSION,
        "command": "sync",
        "tool": plan.tool,
        "style": style,  # type: ignore[typeddict-item]
        "inserted": list(script.inserted),
        "pruned": list(script.pruned),
        "updated": list(script.updated),
        "checksums": [
            {"version": m.version, "recorded": _recorded_checksum(plan.recorded, m.version),
             "file": m.checksum, "repaired": m.version in script.updated}
            for m in plan.checksum_mismatch
        ],
        "not_recorded": [{"version": v, "reason": r} for v, r in repair.not_recorded.items()],
        "not_pruned": list(repair.not_pruned),
        "partial": list(plan.partial),
        "filename": script.filename,
        "version": script.version,
        "commands": list(script.commands),
        "warnings": list(script.warnings),
        "notes": list(repair.notes),
        "script": repair.text,
    }


def config_document(file: Path | None, settings: Mapping[str, Setting]) -> ConfigDocument:
    """``schemadiff config --format json``: every resolved value and where it came from."""
    return {
        "format_version": FORMAT_VERSION,
        "command": "config",
        "file": str(file) if file is not None else None,
        "settings": {k: {"value": s.value, "origin": s.origin} for k, s in settings.items()},
    }


def _recorded_checksum(recorded: Recorded, version: str) -> str | None:
    row = recorded.applied.get(version)
    return row.checksum if row is not None else None


def repair_schema_document(repair: SchemaRepair) -> RepairSchemaDocument:
    return {
        "format_version": FORMAT_VERSION,
        "command": "repair-schema",
        "steps": [
            {"object": str(s.key), "kind": s.key.kind, "action": s.action,  # type: ignore[typeddict-item]
             "statements": list(s.statements), "header": list(s.header), "active": s.active,
             "reason": s.reason, "transactional": s.transactional}
            for s in repair.steps
        ],
        "notes": list(repair.notes),
        "script": repair.text,
    }


def sync_preview(result: Inference, table: str | None = None) -> SyncDocument | None:
    """What ``sync`` (script style, no flags) would write for ``result``, as its document,
    for reports; None when sync could not write it (the error is sync's to say)."""
    from schemadiff.repair import plan_from_inference, render_plan
    from schemadiff.tools.protocol import SyncError

    plan = plan_from_inference(result)
    plan.table = table
    try:
        repair = render_plan(plan)
    except SyncError:
        return None
    return sync_document(plan, repair, "script")


def _diagnostic(d: Diagnostic) -> Diagnostic_:
    return {"file": d.location.path, "line": d.location.line, "message": d.message}


def verify_document(result: Verification) -> VerifyDocument:
    comparison = result.comparison
    first: FirstDifference | None = None
    if comparison.divergence is not None:
        dv = comparison.divergence
        first = {
            "position": dv.position + 1,
            "version": dv.migration.version,
            "name": dv.migration.description,
            "file": dv.migration.path,
            "differences": [drift(d) for d in dv.differences],
            "unmodeled": [_diagnostic(d) for d in dv.unmodeled],
        }
    return {
        "format_version": FORMAT_VERSION,
        "command": "verify",
        "tool": result.tool,
        "shadow": result.shadow,
        "agree": comparison.agree,
        "migrations": len(comparison.snapshots.catalogs),
        "compared": comparison.compared,
        "first_difference": first,
        "shadow_diagnostics": [_diagnostic(d) for d in comparison.shadow_diagnostics],
        "static_unmodeled": len(comparison.snapshots.replay.diagnostics),
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
    }


def inspect_objects(catalog: Catalog) -> list[dict[str, Any]]:
    """Every object as ``{"kind", "object", <its compared fields>}``, in ``Catalog.sorted``
    order (tuples as lists; a field named ``attributes_`` is written ``attributes``)."""
    import dataclasses

    out = []
    names: dict[type, list[tuple[str, str]]] = {}
    for obj in catalog.sorted():
        fields = names.get(type(obj))
        if fields is None:
            fields = names[type(obj)] = [
                (f.name, f.name.rstrip("_")) for f in dataclasses.fields(obj) if f.compare
            ]
        d: dict[str, Any] = {"kind": obj.KIND, "object": obj.key.display}
        for name, label in fields:
            v = getattr(obj, name)
            d[label] = list(v) if isinstance(v, tuple) else v
        out.append(d)
    return out


def inspect_text(catalog: Catalog) -> str:
    """The ``inspect --format json`` text: one object per line inside ``objects`` (json's C
    encoder, one encoder for all: a 5,000-table database in well under a second)."""
    encode = json.JSONEncoder(default=str).encode
    items = [encode(o) for o in inspect_objects(catalog)]
    objects = "[\n" + ",\n".join("    " + item for item in items) + ("\n  ]" if items else "]")
    return (
        f'{{\n  "format_version": {FORMAT_VERSION},\n  "command": "inspect",\n'
        f'  "objects": {objects}\n}}'
    )


def dumps(document: Any) -> str:
    """A document as the commands print it."""
    return json.dumps(document, indent=2, default=str)


# ------------------------------------------------------------------------------ readers


def read_infer_document(path: Path) -> InferDocument:
    """A saved ``infer --format json`` (or ``check --format json``'s inference), checked
    against this contract's version.

    Raises:
        SchemaDiffError: not JSON, not an infer document, or another format version.
    """
    where = Location(str(path))
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SchemaDiffError(f"not a saved `schemadiff infer --format json`: {exc}",
                              where) from None
    if isinstance(doc, dict) and doc.get("command") == "check":
        doc = doc.get("inference")
    if not isinstance(doc, dict) or doc.get("command", "infer") != "infer":
        raise SchemaDiffError("not a saved `schemadiff infer --format json`", where)
    version = doc.get("format_version", FORMAT_VERSION)  # documents before versioning: 1
    if version != FORMAT_VERSION:
        raise SchemaDiffError(
            f"format_version {version} is not {FORMAT_VERSION}: save it again with this "
            f"schemadiff (`schemadiff infer --format json`)",
            where,
        )
    missing = [k for k in ("tool", "history", "migrations") if k not in doc]
    if missing:
        raise SchemaDiffError(
            f"not a saved `schemadiff infer --format json`: no {', '.join(missing)}", where
        )
    return typing.cast(InferDocument, doc)


# ------------------------------------------------------------------------------ JSON Schema


def json_schema(command: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a command's document, generated from its type."""
    defs: dict[str, Any] = {}
    root = _schema(DOCUMENTS[command], defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"schemadiff/{command}.schema.json",
        "title": f"schemadiff {command} --format json, format_version {FORMAT_VERSION}",
        **root,
        "$defs": defs,
    }


def _schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(tp)
    if tp is Any:
        return {}
    if tp is type(None):
        return {"type": "null"}
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {"enum": [m.value for m in tp]}
    if origin is Literal:
        return {"enum": list(get_args(tp))}
    if origin in (Union, types.UnionType):
        return {"anyOf": [_schema(a, defs) for a in get_args(tp)]}
    if origin is list:
        (item,) = get_args(tp)
        return {"type": "array", "items": _schema(item, defs)}
    if origin is dict:
        _, value = get_args(tp)
        return {"type": "object", "additionalProperties": _schema(value, defs)}
    if is_typeddict(tp):
        name = tp.__name__.rstrip("_")
        if name not in defs:
            defs[name] = {}  # a placeholder first: a type may refer to itself
            hints = get_type_hints(tp, include_extras=True)
            props, required = {}, []
            for key, hint in hints.items():
                if get_origin(hint) is NotRequired:
                    hint = get_args(hint)[0]
                elif key in tp.__required_keys__:
                    required.append(key)
                props[key] = _schema(hint, defs)
            defs[name] = {"type": "object", "properties": props, "required": required,
                          "additionalProperties": False}
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every command's schema file (``python -m schemadiff.contract``)."""
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for command in COMMANDS:
        path = directory / f"{command}.schema.json"
        path.write_text(json.dumps(json_schema(command), indent=2) + "\n", encoding="utf-8")
        out.append(path)
    return out


if __name__ == "__main__":
    for written in write_schemas():
        print(written)
