"""Writing a history repair script: safe SQL literals and identifiers, the header comment,
the transaction frame. Shared by the tool modules' ``render_sync``; pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemadiff.sql.quote import quote_ident
from schemadiff.tools.protocol import SyncContext, SyncError

_COMMENT_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")



def literal(value: str | int | bool | None) -> str:
    """``value`` as a SQL literal safe in any session.

    Strings become ``'...'`` with quotes doubled, or ``E'...'`` with backslashes doubled too
    when they hold a backslash, so the result reads the same whether
    ``standard_conforming_strings`` is on or off. psql never interpolates variables inside a
    quoted literal, so ``:name`` in a description is inert.

    Raises:
        SyncError: a string holding a NUL character (PostgreSQL cannot store one in text).
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if "\x00" in value:
        raise SyncError(f"cannot write a NUL character into a SQL literal: {value!r}")
    quoted = value.replace("'", "''")
    if "\\" in value:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return "'" + quoted + "'"


def identifier(name: str) -> str:
    """``name`` as a SQL identifier: bare when it is a plain lowercase word, else quoted."""
    if "\x00" in name:
        raise SyncError(f"cannot write a NUL character into an identifier: {name!r}")
    return quote_ident(name)


def qualified(table: tuple[str, str]) -> str:
    """``schema.name`` (or ``name`` alone when the schema is ``""``), each part quoted."""
    schema, name = table
    return f"{identifier(schema)}.{identifier(name)}" if schema else identifier(name)


def comment_text(text: str) -> str:
    """``text`` made safe inside a ``--`` comment: line breaks and control characters become
    spaces, so nothing after them can escape the comment."""
    return _COMMENT_UNSAFE.sub(" ", text)


def header(ctx: SyncContext, what: str) -> list[str]:
    """The header comment lines of a script (``-- ...``)."""
    lines = [
        f"schemadiff sync for {ctx.tool}: {what}",
        f"history table: {qualified(ctx.table)}"
        + ("" if ctx.recorded.table_exists else " (absent: created here as the tool creates it)"),
    ]
    if ctx.origin:
        lines.append(f"from: {ctx.origin}")
    lines.append(
        f"recorded before: {len(ctx.recorded.applied)} applied version(s) "
        f"(read from {ctx.recorded.source})"
    )
    lines.append(f"records {len(ctx.missing)} version(s) applied but missing from the history"
                 + (":" if ctx.missing else "."))
    lines += [f"  {m.version} {m.description}".rstrip() for m in ctx.missing]
    if ctx.prune:
        lines.append(f"deletes {len(ctx.prune)} recorded version(s) the schema shows as not "
                     "applied (--prune):")
        lines += [f"  {v}" for v in ctx.prune]
    if ctx.checksums:
        lines.append(f"sets the recorded checksum of {len(ctx.checksums)} applied migration(s) "
                     "to their file's (--repair-checksums):")
        lines += [f"  {m.version}: recorded {ctx.recorded_checksum(m.version)}, "
                  f"file {m.checksum}" for m in ctx.checksums]
    lines += ctx.notes
    return ["-- " + comment_text(line) if line else "--" for line in lines]


def frame(ctx: SyncContext, what: str, body: Iterable[str]) -> str:
    """A psql script: the header, then ``BEGIN;``, ``body``, ``COMMIT;``.

    Args:
        ctx: the sync being written.
        what: one line saying what the script does (for the header).
        body: SQL statements, each a complete string ending with ``;`` (comments allowed).
    """
    lines = header(ctx, what)
    lines += [
        "-- Run with: psql -v ON_ERROR_STOP=1 -f <this file>. Idempotent: a second run changes",
        "-- nothing.",
        "",
        "BEGIN;",
        "",
    ]
    for statement in body:
        lines.append(statement)
    lines += ["", "COMMIT;", ""]
    return "\n".join(lines)
