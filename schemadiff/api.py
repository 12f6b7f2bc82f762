"""The public API: each command as a function, keyword arguments in, a typed result out.

Every function takes what the command takes (the same defaults, the same exclusions: the
tools' history tables are never drift), reads through the parse cache as the command does
(``cache=False`` to bypass it), and returns the value the command prints; the command line is
a thin shell over these, and :mod:`schemadiff.contract` turns any result into the command's
JSON document. Errors are :class:`~schemadiff.errors.SchemaDiffError` (one line, located).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from schemadiff.differences import Difference
from schemadiff.errors import Diagnostic, SchemaDiffError
from schemadiff.gate import DEFAULT, Category, Failure, evaluate
from schemadiff.ignore import Count, Rules
from schemadiff.inference import Inference
from schemadiff.loading import Loader, Steps
from schemadiff.model import Catalog
from schemadiff.pipeline import (
    EMBEDDED_OR_DSN,
    Comparison,
    Hybrid,
    Request,
    Shadow,
    compare,
    configured_history_table,
    load_migrations,
)
from schemadiff.records import record
from schemadiff.repair import Repair, RepairPlan, plan_from_inference, plan_from_json, render_plan
from schemadiff.tools import ToolOptions
from schemadiff.tools.protocol import SyncRefusal
from schemadiff.verification import Verification

if TYPE_CHECKING:
    import sys

    from schemadiff.schema_repair import SchemaRepair

    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack

__all__ = [
    "CheckResult",
    "DiffResult",
    "Inputs",
    "SyncRefused",
    "SyncResult",
    "check",
    "diff",
    "infer",
    "inspect",
    "repair_schema",
    "sync",
    "verify",
]

Path_ = str | Path
#: Receives what the command line prints on stderr: the tool detected and why, readers'
#: warnings, the shadow database's diagnostics.
Notify = Callable[[str], None]


@dataclass(slots=True)
class DiffResult:
    """``diff``'s answer: the differences, and the statements neither side could model."""

    differences: list[Difference]
    unmodeled: list[Diagnostic]
    tool: str
    #: what ignore rules took out, per rule
    ignored: list[Count] = field(default_factory=list)


@dataclass(slots=True)
class CheckResult:
    """``check``'s answer: ``ok`` when nothing among ``fail_on`` was found."""

    failures: list[Failure]
    inference: Inference
    fail_on: tuple[Category, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(slots=True)
class SyncResult:
    """``sync``'s answer: the plan (what the schema proves) and the repair written from it."""

    plan: RepairPlan
    repair: Repair


class SyncRefused(SyncRefusal):
    """A sync that would record a partially applied migration (``partial`` names them)."""

    def __init__(self, partial: list[str]) -> None:
        super().__init__(
            f"sync refused: partially applied migration(s) {', '.join(partial)}; finish them "
            f"(--complete-partial shows what is missing) or pass --allow-partial"
        )
        self.partial = partial


def _loader(cache: bool) -> Loader:
    from schemadiff.runtime.cache import open_cache
    from schemadiff.runtime.loader import CachedLoader

    return CachedLoader(open_cache(cache))


class Inputs(TypedDict, total=False):
    """The keyword arguments :func:`diff`, :func:`infer`, :func:`check`, :func:`sync` and
    :func:`repair_schema` share (defaults in brackets).

    Attributes:
        tool: the migration tool [None: chosen from the files and the database].
        schema_file: a ``pg_dump --schema-only`` file, or
        dsn: a database, read only [neither: ``$DATABASE_URL``].
        history_file: the tool's history rows in a file (CSV or JSON) instead of the
            source's table [None] (``diff`` reads no history).
        schemas, exclude_schemas: the schemas compared [all].
        strict: a statement that cannot be modelled is an error [False].
        force_tool: take ``tool`` even when the files or the database say another one [False].
        history_table: the tool's history table when not its default (``schema.name``) [None].
        options: where Alembic or Django get their SQL, Flyway's placeholder values
            (``ToolOptions(placeholders=(("schema", "app"),))``) [None].
        shadow: replay exactly in a scratch database instead of statically [None].
        hybrid: the migrations the static replay cannot model, run in a scratch database
            [on an embedded server when installed; None: never].
        ignore: ignore rules (:mod:`schemadiff.ignore`): left out of the findings, counted.
        privileges: compare privileges [True; False: ``--no-privileges``].
        cache: read and write the parse cache [True].
        steps: a progress bar's ``step`` for long steps [None].
        notify: receives the notices the command line prints on stderr [None].
    """

    tool: str | None
    schema_file: Path_ | None
    dsn: str | None
    history_file: Path_ | None
    schemas: Sequence[str]
    exclude_schemas: Sequence[str]
    strict: bool
    force_tool: bool
    history_table: str | None
    options: ToolOptions | None
    shadow: Shadow | None
    hybrid: Hybrid | None
    ignore: Rules | None
    privileges: bool
    cache: bool
    steps: Steps | None
    notify: Notify | None


@record
class _Given:
    """:class:`Inputs` with the defaults filled in (an unknown keyword is a TypeError here)."""

    tool: str | None = None
    schema_file: Path_ | None = None
    dsn: str | None = None
    history_file: Path_ | None = None
    schemas: Sequence[str] = ()
    exclude_schemas: Sequence[str] = ()
    strict: bool = False
    force_tool: bool = False
    history_table: str | None = None
    options: ToolOptions | None = None
    shadow: Shadow | None = None
    hybrid: Hybrid | None = EMBEDDED_OR_DSN
    ignore: Rules | None = None
    privileges: bool = True
    cache: bool = True
    steps: Steps | None = None
    notify: Notify | None = None

    def request(self, migrations: Path_) -> Request:
        opts = self.options or ToolOptions()
        if self.history_table is not None:
            opts = ToolOptions(opts.config, opts.sql, opts.scratch_dsn, self.history_table,
                               opts.placeholders)
        return Request(migrations, self.tool, self.schema_file, self.dsn, self.history_file,
                       tuple(self.schemas), tuple(self.exclude_schemas), self.strict,
                       self.force_tool, opts, self.shadow, self.ignore or Rules(),
                       self.privileges, self.hybrid)

    def tell(self, notices: Sequence[str]) -> None:
        for notice in notices if self.notify is not None else ():
            self.notify(notice)  # type: ignore[misc]


def _given(inputs: dict[str, Any]) -> _Given:
    try:
        return _Given(**inputs)
    except TypeError as exc:  # the dataclass names itself; the caller wrote a keyword
        message = str(exc).replace("_Given.__init__() ", "")
        raise TypeError(f"{message} (the shared keywords are schemadiff.Inputs)") from None


def comparison(migrations: Path_, *, history: bool = True, **inputs: Unpack[Inputs]
               ) -> Comparison:
    """Both sides read and replayed (what every command below starts from); ``history``:
    read the tool's history too."""
    given = _given(dict(inputs))
    result = compare(given.request(migrations), loader=_loader(given.cache), steps=given.steps,
                     history=history)
    given.tell(result.notices)
    return result


def diff(migrations: Path_, **inputs: Unpack[Inputs]) -> DiffResult:
    """``schemadiff diff``: how the schema the migrations build differs from the actual one.

    ``migrations``: the migration directory; the keyword arguments are :class:`Inputs`.
    """
    c = comparison(migrations, history=False, **inputs)
    return DiffResult(c.differences(), c.unmodeled, c.tool, list(c.ignored.counts))


def infer(migrations: Path_, **inputs: Unpack[Inputs]) -> Inference:
    """``schemadiff infer``: which versions are really applied, from the schema itself, and
    how that compares with the history (``history_file``, else the source's table). The
    keyword arguments are :class:`Inputs`."""
    return comparison(migrations, **inputs).inference()


def check(migrations: Path_, *, fail_on: Sequence[str] = DEFAULT, **inputs: Unpack[Inputs]
          ) -> CheckResult:
    """``schemadiff check``: the CI gate (``result.ok``) on the categories of ``fail_on``;
    the other keyword arguments are :class:`Inputs`."""
    wanted = _categories(fail_on)
    result = infer(migrations, **inputs)
    return CheckResult(evaluate(result, wanted), result, wanted)


def _categories(fail_on: Sequence[str]) -> tuple[Category, ...]:
    names = list(dict.fromkeys(c.strip() for c in fail_on if c.strip()))
    known = Category.values()
    unknown = [c for c in names if c not in known]
    if unknown:
        raise SchemaDiffError(f"unknown --fail-on {', '.join(unknown)}; use {', '.join(known)}")
    if not names:
        raise SchemaDiffError(
            f"--fail-on {','.join(fail_on)!r} names no category: the gate would pass whatever "
            f"it finds; name at least one of {', '.join(known)}"
        )
    return tuple(Category(c) for c in names)


def sync(
    migrations: Path_,
    *,
    from_json: Path_ | None = None,
    style: str = "script",
    prune: bool = False,
    assume_applied: Sequence[str] = (),
    allow_partial: bool = False,
    complete_partial: bool = False,
    repair_checksums: bool = False,
    prune_marked_ran: bool = False,
    **inputs: Unpack[Inputs],
) -> SyncResult:
    """``schemadiff sync``: the repair of the tool's history table, in its own row format.

    Only what the schema proves is recorded or pruned; ``assume_applied`` names unverified
    versions to record anyway (``"unverified"``, ``"unobservable"`` for groups). A partial
    migration raises :class:`SyncRefused` unless ``allow_partial`` or ``complete_partial``.
    ``from_json``: a saved ``infer --format json`` instead of reading the database.
    ``repair_checksums``: also set the recorded checksum of applied migrations whose file
    changed to the file's (the tool's own repair: Flyway's ``repair``). ``prune_marked_ran``:
    a prune also deletes rows the tool marked run without running them (Liquibase's
    ``MARK_RAN``), which it otherwise keeps. The other keyword
    arguments are :class:`Inputs`.
    """
    given = _given(dict(inputs))  # a misspelt keyword fails here, with or without from_json
    if from_json is not None:
        from schemadiff.contract import read_infer_document

        saved = read_infer_document(Path(from_json))
        plan = plan_from_json(saved, Path(from_json), Path(migrations), given.tool,
                              given.options)  # type: ignore[arg-type]
    else:
        plan = plan_from_inference(infer(migrations, **inputs))
    options = given.options
    plan.table = given.history_table or (options.history_table if options is not None else None)
    if plan.table is None:
        from schemadiff.sources.dsn import tool_dsn  # urllib: not on every run

        dsn = given.dsn or (None if given.schema_file else os.environ.get("DATABASE_URL"))
        url = tool_dsn(dsn) if dsn else None
        plan.table = configured_history_table(plan.tool, migrations, url)[0]
    if plan.partial and not (allow_partial or complete_partial):
        raise SyncRefused(list(plan.partial))
    repair = render_plan(plan, style=style, prune=prune, complete_partial=complete_partial,
                         assume=tuple(assume_applied), repair_checksums=repair_checksums,
                         prune_marked=prune_marked_ran)
    return SyncResult(plan, repair)


def repair_schema(migrations: Path_, *, unsafe: bool = False, **inputs: Unpack[Inputs]
                  ) -> SchemaRepair:
    """``schemadiff repair-schema``: the DDL that brings the schema back to what its applied
    migrations build (:mod:`schemadiff.schema_repair`); nothing is run. Drops that lose data
    are written commented out unless ``unsafe``; ignored objects are never touched (counted in
    the notes). The other keyword arguments are :class:`Inputs`."""
    c = comparison(migrations, **inputs)
    from schemadiff.schema_repair import repair_inferred  # imports the dialect (sqlglot)

    repair = repair_inferred(c, c.inference(), unsafe=unsafe)
    repair.notes += [f"{n.count} {n.what}(s) left out by ignore rule {n.rule!r}: not repaired"
                     for n in c.ignored.counts if n.count]
    return repair


def inspect(
    *,
    migrations: Path_ | None = None,
    schema_file: Path_ | None = None,
    dsn: str | None = None,
    tool: str | None = None,
    strict: bool = False,
    options: ToolOptions | None = None,
    shadow: Shadow | None = None,
    privileges: bool = True,
    cache: bool = True,
    steps: Steps | None = None,
    notify: Notify | None = None,
) -> Catalog:
    """``schemadiff inspect``: the normalized schema graph of one source."""
    given = [x for x in (migrations, schema_file, dsn) if x]
    if len(given) != 1:
        raise SchemaDiffError("give exactly one of --migrations, --schema-file, --dsn")
    loader = _loader(cache)
    if migrations:
        given = _Given(tool=tool, strict=strict, options=options, shadow=shadow, notify=notify)
        notices: list[str] = []
        _, found = load_migrations(given.request(migrations), notices)
        given.tell(notices)
        if shadow is not None:
            from schemadiff.sources.shadow import shadow_replay

            return shadow_replay(found, shadow_dsn=shadow.dsn, embedded=shadow.embedded).catalog
        return loader.expected(found, strict=strict, steps=steps).replay.catalog
    from schemadiff.pipeline import open_source

    request = _Given(schema_file=schema_file, dsn=dsn, strict=strict).request(".")
    with open_source(request) as source:
        return source.catalog(loader, strict=strict).catalog


def verify(
    migrations: Path_,
    *,
    shadow_dsn: str | None = None,
    embedded: bool = False,
    tool: str | None = None,
    options: ToolOptions | None = None,
    cache: bool = True,
    steps: Steps | None = None,
    notify: Notify | None = None,
) -> Verification:
    """``schemadiff verify``: the static replay checked against a real PostgreSQL (a scratch
    database on ``shadow_dsn``'s server, or an ``embedded`` one), migration by migration."""
    import time

    from schemadiff.sources.shadow import describe_shadow, shadow_replay
    from schemadiff.verification import Comparison as Agreement
    from schemadiff.verification import static_snapshots

    if bool(shadow_dsn) == bool(embedded):
        raise SchemaDiffError("give --shadow-dsn DSN or --shadow embedded")
    notices: list[str] = []
    given = _Given(tool=tool, options=options, notify=notify)
    name, found = load_migrations(given.request(migrations), notices)
    given.tell(notices)
    started = time.perf_counter()
    agreement = Agreement(static_snapshots(_loader(cache).parse(found)))
    static_done = time.perf_counter()
    advance = steps("applying migrations in the shadow database", len(found)) if steps else None

    def observe(position: int, migration: object, catalog: Catalog) -> bool:
        if advance is not None:
            advance(1)
        return bool(agreement.observe(position, migration, catalog))  # type: ignore[arg-type]

    replay = shadow_replay(found, shadow_dsn=shadow_dsn, embedded=embedded, observe=observe)
    agreement.shadow_diagnostics = replay.diagnostics
    timings = {"static": static_done - started, "shadow": time.perf_counter() - static_done}
    return Verification(agreement, name, describe_shadow(shadow_dsn, embedded), timings)
