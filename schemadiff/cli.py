"""The ``schemadiff`` command.

Exit codes follow diff(1): 0 nothing found, 1 findings, 2 trouble. Trouble is always one line
on stderr (``schemadiff: error: path:line:col: message``), never a traceback (set
``SCHEMADIFF_DEBUG=1`` to see one).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from schemadiff.errors import SchemaDiffError

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = click.Choice(["table", "json", "markdown"])


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
        except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
            if os.environ.get("SCHEMADIFF_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc}")

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper  # type: ignore[return-value]


def _write(text: str, out: str | None) -> None:
    """Print, or write atomically to ``out`` (never a half-written file)."""
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    path = Path(out)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SchemaDiffError(f"{out}: cannot write: {exc.strerror}") from None


def _load_expected(migrations: str, tool: str | None, strict: bool) -> Any:
    from schemadiff.history import replay_migrations
    from schemadiff.tools import read_migrations

    root = Path(migrations)
    name, found = read_migrations(root, tool)
    if tool is None:
        click.echo(f"schemadiff: detected {name} migrations in {root} (use --tool to override)", err=True)
    return name, replay_migrations(found, strict=strict)


def _load_actual(schema_file: str | None, dsn: str | None, strict: bool) -> Any:
    if schema_file:
        from schemadiff.sources.dump import read_dump

        return read_dump(schema_file, strict=strict)
    raise SchemaDiffError("reading a live database needs --dsn support (not built yet); use --schema-file")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="schemadiff")
def main() -> None:
    """Find schema drift between PostgreSQL and its migration history, and repair the history."""


@main.command()
@click.option("--migrations", "-m", required=True, type=click.Path(), help="The migration directory.")
@click.option("--tool", "-t", default=None, help="Migration tool (default: detected from the layout).")
@click.option("--schema-file", "-s", type=click.Path(), help="A pg_dump --schema-only file.")
@click.option("--dsn", default=None, help="A PostgreSQL connection string (read-only).")
@click.option("--format", "-f", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--schema", "schemas", multiple=True, help="Only compare these schemas.")
@click.option("--exclude-schema", "excluded", multiple=True, help="Leave these schemas out.")
@click.option("--strict", is_flag=True, help="A statement that cannot be modelled is an error.")
@click.option("--out", "-o", type=click.Path(), help="Write the report here instead of stdout.")
@_guard
def diff(migrations: str, tool: str | None, schema_file: str | None, dsn: str | None, fmt: str,
         schemas: tuple[str, ...], excluded: tuple[str, ...], strict: bool, out: str | None) -> None:
    """Show how the schema the migrations build differs from the actual one."""
    from schemadiff import report
    from schemadiff.diff import diff_catalogs, ignore_history_tables, schema_filter
    from schemadiff.tools import history_tables

    if not schema_file and not dsn:
        dsn = os.environ.get("DATABASE_URL")
        if not dsn:
            raise SchemaDiffError("give --schema-file FILE or --dsn DSN (or set DATABASE_URL)")
    _name, expected = _load_expected(migrations, tool, strict)
    actual = _load_actual(schema_file, dsn, strict)
    keep_hist = ignore_history_tables(history_tables())
    keep_schema = schema_filter(schemas, excluded)
    diffs = diff_catalogs(expected.catalog, actual.catalog, expected.effects,
                          lambda k: keep_hist(k) and keep_schema(k))
    unmodeled = expected.diagnostics + actual.diagnostics
    if fmt == "json":
        text = report.diff_json(diffs, unmodeled)
    elif fmt == "markdown":
        text = report.diff_markdown(diffs, unmodeled)
    else:
        text = report.diff_table(diffs, unmodeled)
    _write(text, out)
    sys.exit(1 if diffs else 0)


@main.command()
@click.option("--migrations", "-m", type=click.Path(), help="Replay this migration directory.")
@click.option("--tool", "-t", default=None)
@click.option("--schema-file", "-s", type=click.Path(), help="Read this pg_dump file.")
@click.option("--dsn", default=None, help="Read this database.")
@click.option("--format", "-f", "fmt", type=click.Choice(["json", "sql"]), default="json", show_default=True)
@click.option("--strict", is_flag=True)
@click.option("--out", "-o", type=click.Path())
@_guard
def inspect(migrations: str | None, tool: str | None, schema_file: str | None, dsn: str | None,
            fmt: str, strict: bool, out: str | None) -> None:
    """Print the normalized schema graph schemadiff sees in a source."""
    import json

    given = [x for x in (migrations, schema_file, dsn) if x]
    if len(given) != 1:
        raise SchemaDiffError("give exactly one of --migrations, --schema-file, --dsn")
    if migrations:
        _name, result = _load_expected(migrations, tool, strict)
    else:
        result = _load_actual(schema_file, dsn, strict)
    if fmt == "json":
        text = json.dumps(result.catalog.to_json(), indent=2, default=str)
    else:
        from schemadiff.render import render_sql

        text = render_sql(result.catalog)
    _write(text, out)
