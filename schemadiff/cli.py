"""The ``schemadiff`` command: flags in, :mod:`schemadiff.api` called, its result printed.

Exit codes follow diff(1): 0 nothing found, 1 findings, 2 trouble. Trouble is always one line
on stderr (``schemadiff: error: path:line:col: message``), never a traceback (set
``SCHEMADIFF_DEBUG=1`` to see one).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from schemadiff.errors import SchemaDiffError
from schemadiff.gate import CATEGORIES, DEFAULT

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = click.Choice(["table", "json", "markdown"])
#: infer and check also write one self-contained HTML page (schemadiff.report.html)
REPORT_FORMATS = click.Choice(["table", "json", "markdown", "html"])


def _options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several click options as one decorator (commands that share inputs spell them once)."""

    def apply(fn: F) -> F:
        for decorator in reversed(decorators):
            fn = decorator(fn)
        return fn

    return apply


_config = click.option(
    "--config", "config_path", type=click.Path(),
    help="The configuration file (default: the nearest schemadiff.toml, or pyproject.toml "
    "with [tool.schemadiff], from here upward).",
)
_migrations = _options(
    _config,
    click.option("--migrations", "-m", type=click.Path(),
                 help="The migration directory (or `migrations` in the configuration)."),
    click.option("--tool", "-t", default=None,
                 help="Migration tool (default: detected from the files and the database)."),
)
_source = _options(
    click.option("--schema-file", "-s", type=click.Path(),
                 help="A plain pg_dump file, or gzip-compressed (schema-only, or full: its data "
                      "carries the history)."),
    click.option("--dsn", default=None,
                 help="A PostgreSQL connection string, read only (default: $DATABASE_URL)."),
)
_history = click.option("--history-file", type=click.Path(),
                        help="Recorded versions, one per line (instead of the history table).")
_ignores = _options(
    click.option("--ignore", "ignore", multiple=True, metavar="'KIND PATTERN'",
                 help="Leave these objects out, counted (e.g. 'table public.audit_*', "
                 "'* legacy.*'; repeatable; replaces the configuration's rules)."),
    click.option("--ignore-version", "ignore_versions", multiple=True, metavar="GLOB",
                 help="Leave these versions out of the findings and the sync, counted."),
)
_filters = _options(
    click.option("--schema", "schemas", multiple=True, help="Only consider these schemas."),
    click.option("--exclude-schema", "exclude_schemas", multiple=True,
                 help="Leave these schemas out."),
    _ignores,
    click.option("--no-privileges", "no_privileges", is_flag=True,
                 help="Do not compare privileges (GRANT/REVOKE managed elsewhere)."),
)
_strict = click.option("--strict", is_flag=True,
                       help="A statement that cannot be modelled is an error.")
_out = click.option("--out", "-o", type=click.Path(),
                    help="Write the output here (atomically) instead of stdout.")
_tool_options = _options(
    click.option("--force-tool", is_flag=True,
                 help="Read the files as --tool says even when their layout or the "
                 "database's history tables say another tool."),
    click.option("--history-table", metavar="[SCHEMA.]NAME",
                 help="The tool's history table, when renamed or in another schema."),
    click.option("--alembic-ini", type=click.Path(),
                 help="Alembic: run `alembic upgrade base:heads --sql` with this config."),
    click.option("--alembic-sql", type=click.Path(), help="Alembic: that command's output."),
    click.option("--django-settings",
                 help="Django: settings module; schemadiff runs sqlmigrate (--migrations: "
                 "the project directory)."),
    click.option("--django-scratch-dsn",
                 help="Django: server for sqlmigrate's scratch database (default: embedded)."),
    click.option("--placeholder", "placeholders", multiple=True, metavar="NAME=VALUE",
                 help="Flyway: a placeholder's value (repeatable; beside flyway.conf, "
                 "flyway.toml, application.properties and FLYWAY_PLACEHOLDERS_*); goose: "
                 "an ENVSUB variable's, over the environment."),
)
_shadow = _options(
    click.option("--expected", type=click.Choice(["static", "shadow"]),
                 help="Expected schema: static replay (default) or exact, in a shadow database."),
    click.option("--shadow-dsn", help="Shadow server where a scratch database may be created."),
    click.option("--shadow", type=click.Choice(["embedded"]), help="Shadow server: embedded."),
    click.option("--no-hybrid", is_flag=True,
                 help="Never run a migration the static replay cannot model on a scratch "
                 "server (--shadow-dsn's, else embedded): leave it unmodeled."),
)
_cache = click.option("--no-cache", is_flag=True,
                      help="Do not read or write the parse cache (also: SCHEMADIFF_NO_CACHE=1).")


def _notify(text: str) -> None:
    click.echo(f"schemadiff: {text}", err=True)


def _guard(fn: F) -> F:
    """Turn every exception into one line and exit code 2 (a refused sync: exit 1)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from schemadiff.tools.protocol import SyncRefusal

        try:
            return fn(*args, **kwargs)
        except SyncRefusal as exc:
            _notify(str(exc))
            sys.exit(1)
        except SchemaDiffError as exc:
            click.echo(f"schemadiff: error: {exc}", err=True)
            sys.exit(2)
        except (KeyboardInterrupt, BrokenPipeError):
            sys.exit(2)
        except Exception as exc:
            if os.environ.get("SCHEMADIFF_DEBUG"):
                raise
            click.echo(f"schemadiff: error: internal error: {type(exc).__name__}: {exc}",
                       err=True)
            sys.exit(2)

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


def _configure(o: dict[str, Any]) -> dict[str, Any]:
    """Fill ``o`` (a command's flags) from the configuration file where no flag was given;
    return the resolved settings (key -> :class:`schemadiff.config.Setting`)."""
    from click.core import ParameterSource

    from schemadiff import config

    ctx = click.get_current_context()
    file = config.load(o.pop("config_path", None))
    given = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    flags = {
        k.param: (o[k.param], ctx.get_parameter_source(k.param) in given)
        for k in config.KEYS if k.param in o
    }
    settings = config.resolve(file, flags)
    for name, setting in settings.items():
        if setting.origin in ("default",) or setting.origin.startswith("flag "):
            continue
        key = config.BY_NAME[name]
        value = setting.value
        if name == "fail-on":
            value = ",".join(value)
        elif isinstance(value, list):
            value = tuple(value)
        o[key.param] = value
    if "migrations" in o and not o["migrations"]:
        raise SchemaDiffError(
            "give --migrations DIR (or `migrations` in schemadiff.toml or [tool.schemadiff] "
            "of pyproject.toml)"
        )
    return settings


@contextmanager
def _inputs(o: dict[str, Any], *, history: bool = True) -> Iterator[dict[str, Any]]:
    """The API's keyword arguments from a command's flags (``o``), a progress bar running."""
    from schemadiff.runtime.progress import ProgressBar
    from schemadiff.tools import ToolOptions

    table = o.get("history_table")
    if table is not None:
        parts = table.split(".")
        if len(parts) > 2 or not all(p.strip() for p in parts):
            raise SchemaDiffError(f"--history-table {table!r}: give NAME or SCHEMA.NAME")
    if o.get("alembic_ini") and o.get("django_settings"):
        raise SchemaDiffError("--alembic-ini and --django-settings are for different tools")
    placeholders = []
    for pair in o.get("placeholders", ()):
        name, eq, value = pair.partition("=")
        if not eq or not name.strip():
            raise SchemaDiffError(f"--placeholder {pair!r}: give NAME=VALUE")
        placeholders.append((name.strip(), value))
    options = ToolOptions(
        config=o.get("alembic_ini") or o.get("django_settings"),
        sql=o.get("alembic_sql"),
        scratch_dsn=o.get("django_scratch_dsn"),
        history_table=table,
        placeholders=tuple(placeholders),
    )
    tool = o.get("tool")
    if tool is None and (o.get("alembic_ini") or o.get("alembic_sql")):
        tool = "alembic"
    elif tool is None and o.get("django_settings"):
        tool = "django"
    kwargs: dict[str, Any] = {
        "tool": tool,
        "schema_file": o.get("schema_file"),
        "dsn": o.get("dsn"),
        "schemas": o.get("schemas", ()),
        "exclude_schemas": o.get("exclude_schemas", ()),
        "privileges": not o.get("no_privileges"),
        "strict": bool(o.get("strict")),
        "force_tool": bool(o.get("force_tool")),
        "options": options,
        "shadow": _shadow_choice(o),
        "hybrid": _hybrid_choice(o),
        "cache": not o.get("no_cache"),
        "notify": _notify,
    }
    if o.get("ignore") or o.get("ignore_versions"):
        from schemadiff.ignore import Rules

        kwargs["ignore"] = Rules.parse(o.get("ignore", ()), o.get("ignore_versions", ()))
    if history:
        kwargs["history_file"] = o.get("history_file")
    with ProgressBar() as bar:
        kwargs["steps"] = bar.step
        yield kwargs


def _shadow_choice(o: dict[str, Any]) -> Any:
    """``--expected shadow`` with ``--shadow-dsn DSN`` or ``--shadow embedded``, else None."""
    from schemadiff.pipeline import Shadow

    expected, dsn, embedded = o.get("expected"), o.get("shadow_dsn"), o.get("shadow")
    if expected is None and not embedded:
        return None  # --shadow-dsn alone: the hybrid replay's server
    if expected == "static":
        if embedded:
            raise SchemaDiffError("--shadow needs --expected shadow")
        return None
    if bool(dsn) == bool(embedded):
        raise SchemaDiffError("--expected shadow: give --shadow-dsn DSN or --shadow embedded")
    return Shadow(dsn, bool(embedded))


def _hybrid_choice(o: dict[str, Any]) -> Any:
    """The hybrid replay's server: ``--shadow-dsn``'s, else embedded; ``--no-hybrid``: none."""
    from schemadiff.pipeline import Hybrid

    if o.get("no_hybrid"):
        return None
    return Hybrid(o.get("shadow_dsn"))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="schemadiff")
def main() -> None:
    """Find schema drift between PostgreSQL and its migration history, and repair the history."""


@main.command()
@_migrations
@_source
@click.option("--format", "-f", "fmt", type=FORMATS, default="table", show_default=True)
@_filters
@_strict
@_out
@_tool_options
@_shadow
@_cache
@_guard
def diff(fmt: str, out: str | None, **o: Any) -> None:
    """Show how the schema the migrations build differs from the actual one."""
    from schemadiff import api, contract, report

    _configure(o)
    with _inputs(o, history=False) as kwargs:
        result = api.diff(o["migrations"], **kwargs)
    doc = contract.diff_document(result.differences, result.unmodeled, result.ignored)
    if fmt == "json":
        text = contract.dumps(doc)
    elif fmt == "markdown":
        text = report.diff_markdown(doc)
    else:
        text = report.diff_table(doc, color=None if out is None else False)
    _write(text, out)
    sys.exit(1 if result.differences else 0)


@main.command()
@click.option("--migrations", "-m", type=click.Path(), help="Replay this migration directory.")
@click.option("--tool", "-t", default=None)
@click.option("--schema-file", "-s", type=click.Path(), help="Read this pg_dump file.")
@click.option("--dsn", default=None, help="Read this database.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["json", "sql"]), default="json", show_default=True
)
@_strict
@_out
@_tool_options
@_cache
@_guard
def inspect(fmt: str, out: str | None, **o: Any) -> None:
    """Print the normalized schema graph schemadiff sees in a source."""
    from schemadiff import api

    with _inputs(o, history=False) as kwargs:
        catalog = api.inspect(
            migrations=o.get("migrations"), schema_file=kwargs["schema_file"],
            dsn=kwargs["dsn"], tool=kwargs["tool"], strict=kwargs["strict"],
            options=kwargs["options"], cache=kwargs["cache"], steps=kwargs["steps"],
            notify=_notify,
        )
    if fmt == "json":
        from schemadiff.contract import inspect_text

        text = inspect_text(catalog)
    else:
        from schemadiff.render import render_sql

        text = render_sql(catalog)
    _write(text, out)


@main.command()
@_migrations
@_source
@_history
@click.option("--format", "-f", "fmt", type=REPORT_FORMATS, default="table", show_default=True)
@_filters
@_strict
@_out
@_tool_options
@_shadow
@_cache
@_guard
def infer(fmt: str, out: str | None, **o: Any) -> None:
    """Infer which versions are really applied, from the schema itself."""
    from schemadiff import api, contract, report

    _configure(o)
    with _inputs(o) as kwargs:
        result = api.infer(o["migrations"], **kwargs)
    doc = contract.infer_document(result)
    if fmt == "json":
        text = contract.dumps(doc)
    elif fmt == "markdown":
        text = report.infer_markdown(doc)
    elif fmt == "html":
        preview = contract.sync_preview(result, kwargs["options"].history_table)
        text = report.infer_html(doc, sync=preview)  # type: ignore[arg-type]
    else:
        text = report.infer_table(doc, color=None if out is None else False)
    _write(text, out)
    sys.exit(1 if result.has_findings else 0)


@main.command()
@_migrations
@_source
@_history
@click.option(
    "--fail-on",
    "fail_on",
    default=",".join(DEFAULT),
    show_default=True,
    help="Comma-separated: " + ", ".join(CATEGORIES) + " (pending only when named).",
)
@click.option("--format", "-f", "fmt", type=REPORT_FORMATS, default="table", show_default=True)
@_filters
@_strict
@_tool_options
@_shadow
@_cache
@_guard
def check(fmt: str, **o: Any) -> None:
    """CI gate: exit 1 when the database and this code's migrations do not agree."""
    from schemadiff import api, contract, report
    from schemadiff.gate import github_annotations

    _configure(o)
    fail_on = o.pop("fail_on")
    with _inputs(o) as kwargs:
        result = api.check(o["migrations"], fail_on=fail_on.split(","), **kwargs)
    if os.environ.get("GITHUB_ACTIONS") == "true":  # workflow commands: stderr, never stdout
        click.echo(github_annotations(result.failures), nl=False, err=True)
    doc = contract.check_document(result.inference, result.failures, result.fail_on)
    if fmt == "json":
        text = contract.dumps(doc) + "\n"
    elif fmt == "markdown":
        text = report.check_markdown(doc)
    elif fmt == "html":
        text = report.infer_html(doc["inference"], check=dict(doc))  # type: ignore[arg-type]
    else:
        text = report.check_table(doc)
    click.echo(text, nl=False, color=True)
    sys.exit(0 if result.ok else 1)


@main.command()
@_migrations
@_source
@_history
@click.option("--from-json", "from_json", type=click.Path(), help="A saved `infer --format json`.")
@click.option(
    "--style", type=click.Choice(["script", "migration"]), default="script", show_default=True
)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["sql", "json"]), default="sql",
    show_default=True, help="The script itself, or the repair as data (with the script in it).",
)
@_out
@click.option(
    "--prune", is_flag=True, help="Also delete rows of versions recorded but not applied."
)
@click.option(
    "--prune-marked-ran", is_flag=True,
    help="With --prune, also delete rows the tool marked run without running them "
    "(Liquibase MARK_RAN), whose effects are absent by design.",
)
@click.option("--allow-partial", is_flag=True, help="Sync even though a migration is partial.")
@click.option(
    "--repair-checksums", is_flag=True,
    help="Also set the recorded checksum of applied migrations whose file changed to the "
    "file's, as the tool's own repair does (sqlx, Flyway, Prisma).",
)
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
@_ignores
@_strict
@_tool_options
@_shadow
@_cache
@_guard
def sync(from_json: str | None, style: str, fmt: str, out: str | None, prune: bool,
         prune_marked_ran: bool, allow_partial: bool, repair_checksums: bool,
         complete_partial: bool, assume: tuple[str, ...], **o: Any) -> None:
    """Write the repair of the tool's history table (nothing is run: you run it).

    Only what the schema proves is recorded or pruned: versions it cannot verify are named
    on stderr and recorded only with --assume-applied.
    """
    from schemadiff import api, contract

    _configure(o)
    with _inputs(o) as kwargs:
        result = api.sync(
            o["migrations"], from_json=from_json, style=style, prune=prune,
            assume_applied=assume, allow_partial=allow_partial,
            complete_partial=complete_partial, repair_checksums=repair_checksums,
            prune_marked_ran=prune_marked_ran, **kwargs,
        )
    repair = result.repair
    text = repair.text
    if fmt == "json":
        text = contract.dumps(contract.sync_document(result.plan, repair, style))
    _write(text, out)
    for line in repair.notes:
        _notify(line)


@main.command("repair-schema")
@_migrations
@_source
@_history
@click.option("--unsafe", is_flag=True,
              help="Write the drops that lose data (tables, columns, types...) active, not "
              "commented out.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["sql", "json"]), default="sql",
    show_default=True, help="The script itself, or the repair as data (with the script in it).",
)
@_out
@_filters
@_strict
@_tool_options
@_shadow
@_cache
@_guard
def repair_schema(unsafe: bool, fmt: str, out: str | None, **o: Any) -> None:
    """Write the DDL that brings the schema back to what its applied migrations build.

    Missing objects are re-created, changed ones set back, extra ones dropped, each headed by
    the migration statement it comes from; nothing is run: you run it (psql -v
    ON_ERROR_STOP=1 -f). What cannot be repaired safely is written commented out with the
    reason, and named on stderr.
    """
    from schemadiff import api, contract

    _configure(o)
    with _inputs(o) as kwargs:
        repair = api.repair_schema(o["migrations"], unsafe=unsafe, **kwargs)
    text = repair.text
    if fmt == "json":
        text = contract.dumps(contract.repair_schema_document(repair))
    _write(text, out)
    for line in repair.notes:
        _notify(line)


@main.command()
@_migrations
@click.option("--shadow-dsn", default=None, help="Server where a scratch database may be created.")
@click.option("--shadow", type=click.Choice(["embedded"]), help="Or: start an embedded server.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
    show_default=True,
)
@_out
@_tool_options
@_cache
@_guard
def verify(fmt: str, out: str | None, **o: Any) -> None:
    """Check the static replay against a real PostgreSQL, migration by migration.

    Exit 0 when the schema after every migration is the same both ways, 1 at the first migration
    where they part (reported with what differs), 2 on trouble.
    """
    from schemadiff import api, contract, report

    _configure(o)
    shadow_dsn, shadow = o.pop("shadow_dsn"), o.pop("shadow")
    with _inputs(o, history=False) as kwargs:
        result = api.verify(
            o["migrations"], shadow_dsn=shadow_dsn, embedded=bool(shadow), tool=kwargs["tool"],
            options=kwargs["options"], cache=kwargs["cache"], steps=kwargs["steps"],
            notify=_notify,
        )
    doc = contract.verify_document(result)
    text = contract.dumps(doc) if fmt == "json" else report.verify_table(doc)
    _write(text, out)
    sys.exit(0 if result.comparison.agree else 1)


@main.command("config")
@_migrations
@_filters
@click.option("--fail-on", "fail_on", help="As check's --fail-on.")
@click.option("--history-table", metavar="[SCHEMA.]NAME")
@click.option("--placeholder", "placeholders", multiple=True, metavar="NAME=VALUE")
@_shadow
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
    show_default=True,
)
@_guard
def config_command(fmt: str, **o: Any) -> None:
    """Print the resolved configuration and where each value came from.

    Each key's value comes from a flag given here, else from the configuration file
    (`path: key`), else from the default; the file is --config, else the nearest
    schemadiff.toml (or pyproject.toml with [tool.schemadiff]) from here upward.
    """
    from schemadiff import config

    explicit = o.get("config_path")
    file = config.load(explicit)
    o["migrations"] = o["migrations"] or "-"  # not required here
    if o.get("fail_on"):
        o["fail_on"] = o["fail_on"].split(",")
    settings = _configure(o)
    where = str(file.path) if file is not None else None
    if fmt == "json":
        from schemadiff.contract import config_document, dumps

        click.echo(dumps(config_document(file.path if file else None, settings)))
        return
    lines = [f"configuration file: {where or 'none found (defaults and flags only)'}"]
    shown = {
        name: "(none)" if s.value in (None, [], ()) else (
            ", ".join(map(str, s.value)) if isinstance(s.value, (list, tuple)) else str(s.value))
        for name, s in settings.items()
    }
    width, vwidth = max(map(len, settings)), max(map(len, shown.values()))
    for name, setting in settings.items():
        lines.append(f"{name.ljust(width)}  {shown[name].ljust(vwidth)}  from {setting.origin}")
    click.echo("\n".join(lines))
