"""The ``schemadiff`` command.

Exit codes follow diff(1): 0 nothing found, 1 findings, 2 trouble. Trouble is always one line
on stderr (``schemadiff: error: path:line:col: message``), never a traceback (set
``SCHEMADIFF_DEBUG=1`` to see one).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from schemadiff.entry import GC_THRESHOLD
from schemadiff.errors import SchemaDiffError
from schemadiff.gate import CATEGORIES as CHECK_CATEGORIES

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = click.Choice(["table", "json", "markdown"])
#: infer and check also write one self-contained HTML page (schemadiff.report.html)
REPORT_FORMATS = click.Choice(["table", "json", "markdown", "html"])


def _compose(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several click options as one decorator (commands that share inputs spell them once)."""

    def apply(fn: F) -> F:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


#: What infer and check read: the migrations, the actual schema, the history.
_inference_inputs = _compose(
    click.option(
        "--migrations", "-m", required=True, type=click.Path(), help="The migration directory."
    ),
    click.option(
        "--tool", "-t", default=None, help="Migration tool (default: detected from the layout)."
    ),
    click.option(
        "--schema-file", "-s", type=click.Path(), help="A pg_dump file (schema-only or full)."
    ),
    click.option("--dsn", default=None, help="A PostgreSQL connection string (read-only)."),
    click.option("--history-file", type=click.Path(), help="Recorded versions, one per line."),
)
_schema_filters = _compose(
    click.option("--schema", "schemas", multiple=True, help="Only consider these schemas."),
    click.option("--exclude-schema", "excluded", multiple=True, help="Leave these schemas out."),
)


def _no_cache_flag(fn: F) -> F:
    """``--no-cache``: neither read nor write the parse cache in this run."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            from schemadiff.cache import NO_CACHE_META

            ctx.meta[NO_CACHE_META] = True

    return click.option(
        "--no-cache",
        is_flag=True,
        expose_value=False,
        callback=remember,
        help="Do not read or write the parse cache (also: SCHEMADIFF_NO_CACHE=1).",
    )(fn)


_TOOL_META = "schemadiff.tool_options"


def _tool_options(fn: F) -> F:
    """The options of tools that render their own SQL, and ``--history-table`` (kept in
    ``ctx.meta``, read by :func:`_options`; the command's signature does not change)."""

    def remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        ctx.meta.setdefault(_TOOL_META, {})[param.name] = value

    for decl, kw in (
        ("--history-table", {"help": "The history table when not the tool's default "
                                     "(name or schema.name)."}),
        ("--alembic-ini", {"type": click.Path(), "help": "Alembic: run `alembic upgrade "
                                                         "base:heads --sql` with this config."}),
        ("--alembic-sql", {"type": click.Path(), "help": "Alembic: that command's output."}),
        ("--django-settings", {"help": "Django: settings module; schemadiff runs sqlmigrate "
                                       "(--migrations: the project directory)."}),
        ("--django-scratch-dsn", {"help": "Django: server for sqlmigrate's scratch database "
                                          "(default: the embedded server)."}),
    ):
        fn = click.option(decl, expose_value=False, callback=remember, **kw)(fn)  # type: ignore[arg-type]
    return fn


def _options() -> Any:
    """The :class:`~schemadiff.tools.ToolOptions` of this command's invocation."""
    from schemadiff.tools import ToolOptions

    ctx = click.get_current_context(silent=True)
    opts = ctx.meta.get(_TOOL_META, {}) if ctx is not None else {}
    config = opts.get("alembic_ini") or opts.get("django_settings")
    if opts.get("alembic_ini") and opts.get("django_settings"):
        raise SchemaDiffError("--alembic-ini and --django-settings are for different tools")
    return ToolOptions(config=config, sql=opts.get("alembic_sql"),
                       scratch_dsn=opts.get("django_scratch_dsn"),
                       history_table=opts.get("history_table"))


_SHADOW_META = "schemadiff.shadow"


def _shadow_options(fn: F) -> F:
    """``--expected static|shadow``, ``--shadow-dsn DSN``, ``--shadow embedded`` (kept in
    ``ctx.meta``, read by :func:`_shadow_choice`; the command's signature does not change)."""

    def remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        ctx.meta.setdefault(_SHADOW_META, {})[param.name] = value

    for decl, kw in (
        ("--shadow", {"type": click.Choice(["embedded"]), "help": "Shadow server: embedded."}),
        ("--shadow-dsn", {"help": "Shadow server where a scratch database may be created."}),
        (
            "--expected",
            {
                "type": click.Choice(["static", "shadow"]),
                "help": "Expected schema: static replay (default) or exact, in a shadow database.",
            },
        ),
    ):
        fn = click.option(decl, expose_value=False, callback=remember, **kw)(fn)  # type: ignore[arg-type]
    return fn


def _shadow_choice() -> tuple[str | None, bool] | None:
    """``(shadow_dsn, embedded)`` when the expected schema comes from a shadow database."""
    ctx = click.get_current_context(silent=True)
    opts = ctx.meta.get(_SHADOW_META, {}) if ctx is not None else {}
    expected, dsn, embedded = opts.get("expected"), opts.get("shadow_dsn"), opts.get("shadow")
    if expected is None and not (dsn or embedded):
        return None
    if expected == "static":
        if dsn or embedded:
            raise SchemaDiffError("--shadow-dsn / --shadow need --expected shadow")
        return None
    if bool(dsn) == bool(embedded):
        raise SchemaDiffError("--expected shadow: give --shadow-dsn DSN or --shadow embedded")
    return dsn, bool(embedded)


def _shadow_expected(migrations: list[Any], choice: tuple[str | None, bool]) -> Any:
    """The exact replay of ``migrations`` in a scratch database; its diagnostics on stderr."""
    from schemadiff.progress import ProgressBar
    from schemadiff.sources.shadow import shadow_replay

    with ProgressBar() as bar:
        advance = bar.step("applying migrations in the shadow database", len(migrations))
        replay = shadow_replay(
            migrations,
            shadow_dsn=choice[0],
            embedded=choice[1],
            observe=lambda *_: bool(advance(1)),
        )
    for d in replay.diagnostics:
        click.echo(f"schemadiff: shadow: {d}", err=True)
    return replay


def _fail(message: str) -> None:
    click.echo(f"schemadiff: error: {message}", err=True)
    sys.exit(2)


def _guard(fn: F) -> F:
    """Turn every exception into one line and exit code 2."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SchemaDiffError as exc:
            _fail(str(exc))
        except (KeyboardInterrupt, BrokenPipeError):
            sys.exit(2)
        except Exception as exc:
            if os.environ.get("SCHEMADIFF_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc}")

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper  # type: ignore[return-value]


def _write(text: str, out: str | None) -> None:
    """Print, or write atomically to ``out`` (never a half-written file)."""
    if out is None:  # colour is the renderer's choice (a TTY, NO_COLOR): never stripped here
        click.echo(text, nl=not text.endswith("\n"), color=True)
        return
    path = Path(out)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SchemaDiffError(f"{out}: cannot write: {exc.strerror}") from None


def _read_migrations(migrations: str, tool: str | None) -> tuple[str, list[Any]]:
    """The directory's migrations; says on stderr which tool was detected when not given."""
    from schemadiff.tools import read_migrations

    root = Path(migrations)
    options = _options()
    tool = tool or _tool_of(options)
    name, found = read_migrations(root, tool, options)
    if tool is None:
        click.echo(
            f"schemadiff: detected {name} migrations in {root} (use --tool to override)", err=True
        )
    return name, found


def _tool_of(options: Any) -> str | None:
    """The tool that ``--alembic-*`` / ``--django-*`` options imply (None: none)."""
    ctx = click.get_current_context(silent=True)
    opts = ctx.meta.get(_TOOL_META, {}) if ctx is not None else {}
    if opts.get("alembic_ini") or opts.get("alembic_sql"):
        return "alembic"
    if opts.get("django_settings"):
        return "django"
    return None


def _actual_dsn(schema_file: str | None, dsn: str | None) -> str | None:
    """--dsn, else $DATABASE_URL when no --schema-file is given either."""
    if schema_file or dsn:
        return dsn
    dsn = os.environ.get("DATABASE_URL")
    if not dsn:
        raise SchemaDiffError("give --schema-file FILE or --dsn DSN (or set DATABASE_URL)")
    return dsn


def _keep(schemas: tuple[str, ...], excluded: tuple[str, ...]) -> Any:
    """What a comparison looks at: not the tools' history tables, and the chosen schemas."""
    from schemadiff.diff import Scope
    from schemadiff.tools import history_tables

    tables = history_tables()
    custom = _options().history_table
    if custom:
        schema, dot, name = custom.rpartition(".")
        tables.add((schema, name) if dot else ("", custom))
    return Scope(frozenset(tables), schemas, excluded)


def _load_expected(migrations: str, tool: str | None, strict: bool) -> Any:
    name, found = _read_migrations(migrations, tool)
    shadow = _shadow_choice()
    if shadow is not None:
        return name, _shadow_expected(found, shadow)
    return name, _static_expected(found, strict).replay


def _static_expected(found: list[Any], strict: bool) -> Any:
    """The migrations' replay through the cache (an ``inputs.Expected``)."""
    from schemadiff.cache import command_cache
    from schemadiff.inputs import load_expected
    from schemadiff.progress import ProgressBar

    with ProgressBar() as bar:
        return load_expected(found, strict=strict, cache=command_cache(), progress=bar.step)


def _pending_dump(schema_file: str | None, strict: bool) -> Any:
    """The dump, read and checked, made before the migrations are read: a large one the cache
    lacks goes to a worker at once (``inputs.PendingDump``). A context manager; without a
    dump, one that gives None."""
    if not schema_file:
        return contextlib.nullcontext(None)
    from schemadiff.cache import command_cache
    from schemadiff.inputs import PendingDump

    return PendingDump(schema_file, strict=strict, cache=command_cache())


def _static_and_actual(
    found: list[Any], strict: bool, dump: Any, dsn: str | None
) -> tuple[Any, Any]:
    """The migrations' replay (an ``inputs.Expected``) and the actual schema, read together:
    files the cache lacks are parsed in worker processes while this one reads the database,
    then replayed here as they come back; a dump (``_pending_dump``'s) parsed by a worker
    meanwhile, this process parses and replays the migrations."""
    from schemadiff.cache import command_cache
    from schemadiff.inputs import PendingExpected
    from schemadiff.progress import ProgressBar

    with ProgressBar() as bar, PendingExpected(
        found, strict=strict, cache=command_cache(), progress=bar.step, dump=dump
    ) as pending:
        if dump is not None:
            return pending.finish_with_dump()
        actual = _load_actual(None, dsn, strict)
        return pending.finish(), actual


def _load_actual(schema_file: str | None, dsn: str | None, strict: bool) -> Any:
    if schema_file:
        from schemadiff.cache import command_cache
        from schemadiff.inputs import load_dump

        return load_dump(schema_file, strict=strict, cache=command_cache())
    if dsn:
        from schemadiff.sources.live import read_live  # psycopg is imported only for --dsn

        return read_live(dsn)
    raise SchemaDiffError("give --schema-file FILE or --dsn DSN")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="schemadiff")
def main() -> None:
    """Find schema drift between PostgreSQL and its migration history, and repair the history."""
    gc.set_threshold(*GC_THRESHOLD)


@main.command()
@click.option(
    "--migrations", "-m", required=True, type=click.Path(), help="The migration directory."
)
@click.option(
    "--tool", "-t", default=None, help="Migration tool (default: detected from the layout)."
)
@click.option("--schema-file", "-s", type=click.Path(), help="A pg_dump --schema-only file.")
@click.option("--dsn", default=None, help="A PostgreSQL connection string (read-only).")
@click.option("--format", "-f", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--schema", "schemas", multiple=True, help="Only compare these schemas.")
@click.option("--exclude-schema", "excluded", multiple=True, help="Leave these schemas out.")
@click.option("--strict", is_flag=True, help="A statement that cannot be modelled is an error.")
@click.option("--out", "-o", type=click.Path(), help="Write the report here instead of stdout.")
@_shadow_options
@_no_cache_flag
@_tool_options
@_guard
def diff(
    migrations: str,
    tool: str | None,
    schema_file: str | None,
    dsn: str | None,
    fmt: str,
    schemas: tuple[str, ...],
    excluded: tuple[str, ...],
    strict: bool,
    out: str | None,
) -> None:
    """Show how the schema the migrations build differs from the actual one."""
    from schemadiff import report
    from schemadiff.diff import diff_catalogs

    dsn = _actual_dsn(schema_file, dsn)
    if _shadow_choice() is not None:
        _name, expected = _load_expected(migrations, tool, strict)
        actual = _load_actual(schema_file, dsn, strict)
    else:
        with _pending_dump(schema_file, strict) as dump:
            _name, found = _read_migrations(migrations, tool)
            static, actual = _static_and_actual(found, strict, dump, dsn)
        expected = static.replay
    diffs = diff_catalogs(
        expected.catalog, actual.catalog, expected.effects, _keep(schemas, excluded)
    )
    unmodeled = expected.diagnostics + actual.diagnostics
    from schemadiff import contract

    doc = contract.diff_document(diffs, unmodeled)
    if fmt == "json":
        text = contract.dumps(doc)
    elif fmt == "markdown":
        text = report.diff_markdown(doc)
    else:
        text = report.diff_table(doc, color=None if out is None else False)
    _write(text, out)
    sys.exit(1 if diffs else 0)


@main.command()
@click.option("--migrations", "-m", type=click.Path(), help="Replay this migration directory.")
@click.option("--tool", "-t", default=None)
@click.option("--schema-file", "-s", type=click.Path(), help="Read this pg_dump file.")
@click.option("--dsn", default=None, help="Read this database.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["json", "sql"]), default="json", show_default=True
)
@click.option("--strict", is_flag=True)
@click.option("--out", "-o", type=click.Path())
@_tool_options
@_guard
def inspect(
    migrations: str | None,
    tool: str | None,
    schema_file: str | None,
    dsn: str | None,
    fmt: str,
    strict: bool,
    out: str | None,
) -> None:
    """Print the normalized schema graph schemadiff sees in a source."""

    given = [x for x in (migrations, schema_file, dsn) if x]
    if len(given) != 1:
        raise SchemaDiffError("give exactly one of --migrations, --schema-file, --dsn")
    if migrations:
        _name, result = _load_expected(migrations, tool, strict)
    else:
        result = _load_actual(schema_file, dsn, strict)
    if fmt == "json":
        from schemadiff.contract import inspect_text

        text = inspect_text(result.catalog)
    else:
        from schemadiff.render import render_sql

        text = render_sql(result.catalog)
    _write(text, out)


def _load_recorded(
    tool: str,
    migrations: list[Any],
    history_file: str | None,
    schema_file: str | None,
    dsn: str | None,
) -> Any:
    """The history: --history-file, else the dump's COPY data, else the live table."""
    from schemadiff.recorded import Recorded

    table = _options().history_table
    if history_file:
        from schemadiff.sources.history import read_history_file

        return read_history_file(Path(history_file), tool)
    if schema_file:
        from schemadiff.sources.history import read_history_from_dump

        text = Path(schema_file).read_text(encoding="utf-8", errors="replace")
        return read_history_from_dump(text, tool, migrations, table=table)
    if dsn:
        from schemadiff.sources.history import read_history_live

        return read_history_live(dsn, tool, migrations, table=table)
    return Recorded.none(tool)


@main.command()
@_inference_inputs
@click.option("--format", "-f", "fmt", type=REPORT_FORMATS, default="table", show_default=True)
@_schema_filters
@click.option("--strict", is_flag=True, help="A statement that cannot be modelled is an error.")
@click.option("--out", "-o", type=click.Path(), help="Write the report here instead of stdout.")
@_shadow_options
@_no_cache_flag
@_tool_options
@_guard
def infer(
    migrations: str,
    tool: str | None,
    schema_file: str | None,
    dsn: str | None,
    history_file: str | None,
    fmt: str,
    schemas: tuple[str, ...],
    excluded: tuple[str, ...],
    strict: bool,
    out: str | None,
) -> None:
    """Infer which versions are really applied, from the schema itself."""
    result = _run_inference(
        migrations, tool, schema_file, dsn, history_file, schemas, excluded, strict
    )
    from schemadiff import contract, report

    doc = contract.infer_document(result)
    if fmt == "json":
        text = contract.dumps(doc)
    elif fmt == "markdown":
        text = report.infer_markdown(doc)
    elif fmt == "html":
        from schemadiff.repair import repair_document

        text = report.infer_html(doc, sync=repair_document(result, _options().history_table))
    else:
        text = report.infer_table(doc, color=None if out is None else False)
    _write(text, out)
    sys.exit(1 if result.has_findings else 0)


def _run_inference(
    migrations: str,
    tool: str | None,
    schema_file: str | None,
    dsn: str | None,
    history_file: str | None,
    schemas: tuple[str, ...],
    excluded: tuple[str, ...],
    strict: bool,
) -> Any:
    dsn = _actual_dsn(schema_file, dsn)
    shadow = _shadow_choice()
    if shadow is not None:  # exact mode: partial states' drift is replayed statically
        name, found = _read_migrations(migrations, tool)
        scope = _keep(schemas, excluded)
        expected, replay_subset, table = _shadow_expected(found, shadow), None, None
        actual = _load_actual(schema_file, dsn, strict)
    else:
        from schemadiff.inputs import load_fact_table

        with _pending_dump(schema_file, strict) as dump:  # a worker may start on it now
            name, found = _read_migrations(migrations, tool)
            scope = _keep(schemas, excluded)
            static, actual = _static_and_actual(found, strict, dump, dsn)
        expected, replay_subset = static.replay, static.subset
        table = load_fact_table(static, scope)
    from schemadiff.infer import infer_applied

    recorded = _load_recorded(name, found, history_file, schema_file, dsn)
    return infer_applied(
        name,
        found,
        expected,
        actual.catalog,
        recorded,
        scope,
        replay_subset=replay_subset,
        table=table,
    )


@main.command()
@_inference_inputs
@click.option(
    "--fail-on",
    "fail_on",
    default=",".join(CHECK_CATEGORIES),
    show_default=True,
    help="Comma-separated: " + ", ".join(CHECK_CATEGORIES) + ".",
)
@click.option("--format", "-f", "fmt", type=REPORT_FORMATS, default="table", show_default=True)
@_schema_filters
@_shadow_options
@_no_cache_flag
@_tool_options
@_guard
def check(
    migrations: str,
    tool: str | None,
    schema_file: str | None,
    dsn: str | None,
    history_file: str | None,
    fail_on: str,
    fmt: str,
    schemas: tuple[str, ...],
    excluded: tuple[str, ...],
) -> None:
    """CI gate: exit 1 when the database and this code's migrations do not agree."""

    from schemadiff.gate import evaluate, github_annotations

    wanted = tuple(c.strip() for c in fail_on.split(",") if c.strip())
    unknown = [c for c in wanted if c not in CHECK_CATEGORIES]
    if unknown:
        raise SchemaDiffError(
            f"unknown --fail-on {', '.join(unknown)}; use {', '.join(CHECK_CATEGORIES)}"
        )
    result = _run_inference(
        migrations, tool, schema_file, dsn, history_file, schemas, excluded, False
    )
    failures = evaluate(result, wanted)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        click.echo(github_annotations(failures), nl=False)
    from schemadiff import contract, report

    doc = contract.check_document(result, failures, wanted)  # type: ignore[arg-type]
    if fmt == "json":
        click.echo(contract.dumps(doc))
    elif fmt == "markdown":
        click.echo(report.check_markdown(doc), nl=False)
    elif fmt == "html":
        click.echo(report.infer_html(doc["inference"], check=dict(doc)), nl=False)
    else:
        click.echo(report.check_table(doc), nl=False, color=True)
    sys.exit(1 if failures else 0)


@main.command()
@click.option(
    "--migrations", "-m", required=True, type=click.Path(), help="The migration directory."
)
@click.option(
    "--tool", "-t", default=None, help="Migration tool (default: detected from the layout)."
)
@click.option("--dsn", default=None, help="The database to repair the history of (read-only here).")
@click.option("--schema-file", "-s", type=click.Path(), help="Or: a pg_dump file of it.")
@click.option("--history-file", type=click.Path(), help="Recorded versions, one per line.")
@click.option("--from-json", "from_json", type=click.Path(), help="A saved `infer --format json`.")
@click.option(
    "--style", type=click.Choice(["script", "migration"]), default="script", show_default=True
)
@click.option("--out", "-o", type=click.Path(), help="Write the script here (atomically).")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["sql", "json"]),
    default="sql",
    show_default=True,
    help="The script itself, or the repair as data (with the script in it).",
)
@click.option(
    "--prune", is_flag=True, help="Also delete rows of versions recorded but not applied."
)
@click.option("--allow-partial", is_flag=True, help="Sync even though a migration is partial.")
@click.option(
    "--complete-partial",
    is_flag=True,
    help="Also emit the statements of partial migrations whose effects are absent.",
)
@click.option(
    "--assume-applied",
    "assume",
    multiple=True,
    metavar="VERSION",
    help="Also record this unverified version (repeatable; `unverified` for all of them, "
    "`unobservable` for those without any schema effect).",
)
@_shadow_options
@_no_cache_flag
@_tool_options
@_guard
def sync(
    migrations: str,
    tool: str | None,
    dsn: str | None,
    schema_file: str | None,
    history_file: str | None,
    from_json: str | None,
    style: str,
    out: str | None,
    fmt: str,
    prune: bool,
    allow_partial: bool,
    complete_partial: bool,
    assume: tuple[str, ...],
) -> None:
    """Write the repair of the tool's history table (nothing is run: you run it).

    Only what the schema proves is recorded or pruned: versions it cannot verify are named
    on stderr and recorded only with --assume-applied.
    """
    from schemadiff.repair import plan_from_inference, plan_from_json, render_plan

    if from_json:
        plan = plan_from_json(Path(from_json), Path(migrations), tool, _options())
    else:
        result = _run_inference(migrations, tool, schema_file, dsn, history_file, (), (), False)
        plan = plan_from_inference(result)
    plan.table = _options().history_table
    if plan.partial and not (allow_partial or complete_partial):
        click.echo(
            f"schemadiff: sync refused: partially applied migration(s) "
            f"{', '.join(plan.partial)}; finish them (--complete-partial shows what is "
            f"missing) or pass --allow-partial",
            err=True,
        )
        sys.exit(1)
    repair = render_plan(
        plan, style=style, prune=prune, complete_partial=complete_partial, assume=assume
    )
    text = repair.text
    if fmt == "json":
        from schemadiff import contract

        script = repair.script
        text = contract.dumps(
            contract.sync_document(
                plan.tool,
                style,
                repair.text,
                inserted=list(script.inserted),
                pruned=list(script.pruned),
                not_recorded=repair.not_recorded,
                not_pruned=repair.not_pruned,
                partial=list(plan.partial),
                filename=script.filename,
                version=script.version,
                commands=list(script.commands),
                warnings=list(script.warnings),
            )
        )
    _write(text, out)
    for line in repair.notes:
        click.echo(f"schemadiff: {line}", err=True)


@main.command()
@click.option(
    "--migrations", "-m", required=True, type=click.Path(), help="The migration directory."
)
@click.option(
    "--tool", "-t", default=None, help="Migration tool (default: detected from the layout)."
)
@click.option("--shadow-dsn", default=None, help="Server where a scratch database may be created.")
@click.option("--shadow", type=click.Choice(["embedded"]), help="Or: start an embedded server.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
    show_default=True,
)
@click.option("--out", "-o", type=click.Path(), help="Write the report here instead of stdout.")
@_no_cache_flag
@_tool_options
@_guard
def verify(
    migrations: str,
    tool: str | None,
    shadow_dsn: str | None,
    shadow: str | None,
    fmt: str,
    out: str | None,
) -> None:
    """Check the static replay against a real PostgreSQL, migration by migration.

    Exit 0 when the schema after every migration is the same both ways, 1 at the first migration
    where they part (reported with what differs), 2 on trouble.
    """
    import time

    from schemadiff.cache import command_cache
    from schemadiff.history import parse_migrations
    from schemadiff.sources.shadow import describe_shadow, shadow_replay
    from schemadiff.verify import Comparison, static_snapshots, verification_table

    if bool(shadow_dsn) == bool(shadow):
        raise SchemaDiffError("give --shadow-dsn DSN or --shadow embedded")
    name, found = _read_migrations(migrations, tool)
    started = time.perf_counter()
    comparison = Comparison(static_snapshots(parse_migrations(found, cache=command_cache())))
    static_done = time.perf_counter()
    from schemadiff.progress import ProgressBar

    with ProgressBar() as bar:
        advance = bar.step("applying migrations in the shadow database", len(found))

        def observe(position: int, migration: Any, catalog: Any) -> bool:
            advance(1)
            return bool(comparison.observe(position, migration, catalog))

        replay = shadow_replay(
            found, shadow_dsn=shadow_dsn, embedded=bool(shadow), observe=observe
        )
    comparison.shadow_diagnostics = replay.diagnostics
    timings = {"static": static_done - started, "shadow": time.perf_counter() - static_done}
    where = describe_shadow(shadow_dsn, bool(shadow))
    if fmt == "json":
        from schemadiff import contract

        text = contract.dumps(contract.verify_document(comparison, name, where, timings))
    else:
        text = verification_table(comparison, name, where, timings)
    _write(text, out)
    sys.exit(0 if comparison.agree else 1)


def run() -> None:
    """The console entry point: :func:`main`, then exit without the interpreter's teardown.

    A run leaves a large heap of small objects behind; tearing it down (module by module,
    with a collection) is work nobody needs once the output is flushed. ``atexit`` hooks
    still run: they stop what a run may have started (a shadow PostgreSQL).
    """
    import atexit

    try:
        main()
        code: Any = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
        code = 1
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: what was written is all there is
        code = code or 2
    os._exit(code)
