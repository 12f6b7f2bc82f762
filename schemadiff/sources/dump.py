"""A ``pg_dump --schema-only`` file (plain format) as a schema source.

The dump is SQL, so it goes through the same replay as the migrations and lands in the same
graph. pg_dump's own noise (``\\restrict``, ``SET``, ``set_config``, ``OWNER TO``, ``COMMENT ON
EXTENSION``) has no schema effect in the replay.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from schemadiff.errors import Location, SourceError
from schemadiff.history import Replay, replay_sql
from schemadiff.model import Constraint, Sequence

_MAX_BYTES = 2 * 1024**3


def read_dump(path: str | Path, *, strict: bool = False) -> Replay:
    """Read and replay a dump file: its catalog and diagnostics (no effect log, as for a live
    database: a schema source is compared by what it holds, not by which line made it).

    Raises:
        SourceError: the file is missing, unreadable, empty, binary or a custom-format archive.
    """
    text, _ = read_dump_text(path)
    return server_fixups(text, replay_sql(text, str(path), strict=strict, effects=False))


_DUMPED_FROM = re.compile(r"^-- Dumped from database version (\d+)", re.MULTILINE)


def server_fixups(text: str, replay: Replay) -> Replay:
    """What the dump cannot say: whether a constraint's internal triggers are disabled
    (pg_dump prints none of a foreign key's, nor a deferrable key's), undecided; and, of an
    older server, before PostgreSQL 15 no sequence is unlogged (the replay of ``CREATE
    UNLOGGED TABLE t (id serial)`` makes one), so there a sequence's persistence is
    undecided."""
    for obj in replay.catalog.of_kind("constraint"):
        if isinstance(obj, Constraint) and obj.disabled_triggers is not None and (
                (obj.type == "foreign key" and obj.enforced)
                or (obj.deferrable and obj.type != "check")):
            replay.catalog.objects[obj.key] = replace(obj, disabled_triggers=None)
    m = _DUMPED_FROM.search(text[:4096])
    if m is None or int(m.group(1)) >= 15:
        return replay
    for obj in replay.catalog.of_kind("sequence"):
        if isinstance(obj, Sequence) and obj.persistence is not None:
            replay.catalog.objects[obj.key] = replace(obj, persistence=None)
    return replay


def read_dump_text(path: str | Path) -> tuple[str, bytes]:
    """A dump file's text and bytes, checked to be a plain-text pg_dump (gzip-compressed or
    not: the bytes are then the uncompressed ones).

    Raises:
        SourceError: as :func:`read_dump`.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise SourceError("not a regular file", Location(str(p)))
        if size > _MAX_BYTES:
            raise SourceError(f"file is too large ({size} bytes)", Location(str(p)))
        data = p.read_bytes()
    except FileNotFoundError:
        raise SourceError("no such file", Location(str(p))) from None
    except PermissionError:
        raise SourceError("permission denied", Location(str(p))) from None
    except IsADirectoryError:
        raise SourceError("is a directory, expected a pg_dump file", Location(str(p))) from None
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc), Location(str(p))) from None
    if data.startswith(_GZIP_MAGIC):  # `pg_dump ... | gzip`: the usual form of a backup
        data = _gunzip(data, p)
    if data.startswith(b"PGDMP"):
        raise SourceError(
            "custom-format pg_dump archive; convert it with `pg_restore --schema-only -f out.sql`",
            Location(str(p)),
        )
    if b"\x00" in data[:8192]:
        raise SourceError("binary file, expected a plain-text pg_dump", Location(str(p)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError("invalid UTF-8", Location(str(p), line)) from None
    if not text.strip():
        raise SourceError("empty schema file", Location(str(p)))
    return text, data


_GZIP_MAGIC = b"\x1f\x8b"


def _gunzip(data: bytes, p: Path) -> bytes:
    """The uncompressed bytes of a gzip file (every member, as ``gunzip`` does), refused past
    the size limit of a plain file.

    Raises:
        SourceError: corrupt or truncated, or larger than the limit once uncompressed.
    """
    import zlib

    out: list[bytes] = []
    size = 0
    rest = data
    try:
        while rest.startswith(_GZIP_MAGIC):
            member = zlib.decompressobj(wbits=31)  # 16 + MAX_WBITS: a gzip header and trailer
            chunk = member.decompress(rest, _MAX_BYTES + 1 - size)
            size += len(chunk)
            out.append(chunk)
            if size > _MAX_BYTES:
                raise SourceError(f"uncompresses to more than {_MAX_BYTES} bytes",
                                  Location(str(p)))
            if not member.eof:
                raise SourceError("truncated gzip file", Location(str(p)))
            rest = member.unused_data
    except zlib.error as exc:
        raise SourceError(f"corrupt gzip file ({exc})", Location(str(p))) from None
    return b"".join(out)


#: The comment pg_dump opens every plain-format dump with (an empty database's too).
PG_DUMP_HEADER = "-- PostgreSQL database dump"


def require_schema_objects(path: str | Path, replay: Replay) -> None:
    """Refuse a schema file that defines nothing and is no SQL at all.

    A dump of an empty database is valid: it defines nothing, but pg_dump's header (or any
    statement the replay understood: ``SET``, ``SELECT pg_catalog.set_config``) says what it
    is. A file without schema objects, without that header and without one statement
    understood ("hello world") would otherwise compare as an empty database: every migration
    pending.

    Raises:
        SourceError: that file.
    """
    if any(k.kind != "schema" or k.name != "public" for k in replay.catalog.objects):
        return
    if any(st.statements > st.unmodeled for st in replay.stats.values()):
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536).decode("utf-8", errors="replace")
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc), Location(str(path))) from None
    if PG_DUMP_HEADER not in head:
        raise SourceError(
            "no schema objects in it: not a pg_dump --schema-only file?", Location(str(path))
        )
