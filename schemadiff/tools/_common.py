"""Helpers shared by the tool readers: reading files, blanking lines, errors, detection.

Readers keep line numbers: whatever a tool does not run as UP SQL (annotations, the DOWN part)
is replaced by an empty line that keeps its terminator (``"\\r\\n"`` stays ``"\\r\\n"``), so line
``n`` of :attr:`Migration.sql` is line ``n`` of the file.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import functools
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff.errors import Location, MigrationError
from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.tools import _script

if TYPE_CHECKING:
    from schemadiff.tools.protocol import SyncContext

BOM = "\ufeff"

# Markers other readers look for when they decide whether a directory is theirs. Detection
# only: the goose and dbmate readers apply their tools' exact rules when they read a file.
GOOSE_UP_MARKER = re.compile(r"^--\s*\+goose\s+up\s*$", re.IGNORECASE | re.MULTILINE)
# dbmate's own pattern (pkg/dbmate/migration.go), with Go's ASCII ``\s``.
DBMATE_UP_MARKER = re.compile(
    r"^--[\t\n\f\r ]*migrate:up(?:[\t\n\f\r ]*$|[\t\n\f\r ]+[^\t\n\f\r ])", re.MULTILINE
)

_ANY_TOOL_MARKER = re.compile(
    f"(?i:{GOOSE_UP_MARKER.pattern})|(?:{DBMATE_UP_MARKER.pattern})", re.MULTILINE
)

# Text each marker cannot match without (one of them present, in that case): a plain substring
# test rules out nearly every file before the multi-line patterns run (detection reads every
# migration of a directory, with or without --tool).
_NEEDLES: dict[re.Pattern[str], tuple[bytes, ...]] = {
    GOOSE_UP_MARKER: (b"+",),  # "+goose" in any case: the "+" itself has no other case
    DBMATE_UP_MARKER: (b"migrate:up",),
    _ANY_TOOL_MARKER: (b"+", b"migrate:up"),
}

# A file whose name starts with a number, then ``_``: the shape shared by most tools.
NUMBERED_SQL = re.compile(r"^[0-9]+_.*\.sql$", re.DOTALL)
UP_DOWN_SQL = re.compile(r"^[0-9]+_.*\.(?:up|down)\.sql$", re.DOTALL)


class LazyPattern:
    """``re.compile(pattern, flags)`` done at the first use: every tool module is imported on
    every run (detection, the history tables), and a tool's file-format patterns are needed
    only on that tool's projects (Liquibase's 36 cost ~3 ms to compile)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        compiled = re.compile(*self._args)
        self.__dict__.update(fullmatch=compiled.fullmatch, match=compiled.match,
                             search=compiled.search, sub=compiled.sub, pattern=compiled.pattern)
        return getattr(compiled, name)


def fail(message: str, path: Path | str, line: int = 0) -> MigrationError:
    """A :class:`MigrationError` located at ``path`` (and ``line`` when known)."""
    return MigrationError(message, Location(str(path), line))


def require_dir(root: Path) -> None:
    """Raise :class:`MigrationError` unless ``root`` is an existing directory."""
    if not root.exists():
        raise fail("migration directory does not exist", root)
    if not root.is_dir():
        raise fail("not a directory", root)


_LOOK: contextvars.ContextVar[dict[object, object] | None] = contextvars.ContextVar(
    "schemadiff_tools_look", default=None
)


@contextlib.contextmanager
def one_look() -> Iterator[None]:
    """Within it, a directory is listed and a file's status read once: choosing a tool runs
    every tool's ``detect`` (and then one reader) over the same files. A look inside another
    is the same look."""
    if _LOOK.get() is not None:
        yield
        return
    token = _LOOK.set({})
    try:
        yield
    finally:
        _LOOK.reset(token)


def _stat(path: Path) -> os.stat_result:
    """``path.stat()``, once per :func:`one_look` (an error is raised again each time)."""
    memo = _LOOK.get()
    if memo is None:
        return path.stat()
    key = ("stat", str(path))
    found = memo.get(key)
    if found is None:
        try:
            found = path.stat()
        except OSError as exc:
            found = exc
        memo[key] = found
    if isinstance(found, OSError):
        raise found
    return found  # type: ignore[return-value]


def entries(root: Path) -> list[Path]:
    """The entries directly inside ``root``, sorted by name (a stable, tool-neutral order)."""
    memo = _LOOK.get()
    if memo is None:
        return sorted(root.iterdir(), key=lambda p: p.name)
    key = ("entries", str(root))
    found = memo.get(key)
    if found is None:
        found = memo[key] = sorted(root.iterdir(), key=lambda p: p.name)
    return list(found)  # type: ignore[call-overload]


def is_dir(path: Path) -> bool:
    """``path.is_dir()`` (a symlink followed), its status read once per :func:`one_look`."""
    try:
        return stat.S_ISDIR(_stat(path).st_mode)
    except OSError:
        return False


def is_file(path: Path) -> bool:
    """``path.is_file()`` (a symlink followed), its status read once per :func:`one_look`."""
    try:
        return stat.S_ISREG(_stat(path).st_mode)
    except OSError:
        return False


def tree(root: Path, wanted: Callable[[str], object]) -> list[Path]:
    """Every entry under ``root`` whose name ``wanted`` accepts, at any depth, as
    ``root.rglob`` finds them (symlinked directories not entered), sorted by path; the tree
    is listed once per :func:`one_look`."""
    memo = _LOOK.get()
    key = ("tree", str(root))
    found: list[tuple[str, str]] | None = (
        memo.get(key) if memo is not None else None  # type: ignore[assignment]
    )
    if found is None:
        found = []  # (path, name)
        pending = [str(root)]
        while pending:
            folder = pending.pop()
            try:
                with os.scandir(folder) as it:
                    children = list(it)
            except (FileNotFoundError, NotADirectoryError, PermissionError):
                continue  # as rglob: a folder that vanished or may not be read is skipped
            for child in children:
                found.append((child.path, child.name))
                try:
                    if child.is_dir(follow_symlinks=False):
                        pending.append(child.path)
                except OSError:
                    continue
        found.sort()
        if memo is not None:
            memo[key] = found
    return [Path(path) for path, name in found if wanted(name)]


def project_dirs(root: Path, levels: int = 6) -> Iterator[Path]:
    """``root`` and the directories above it, nearest first, where a tool's settings for the
    project may lie: up to the repository's root (a ``.git``), at most ``levels`` above."""
    here = root.resolve()
    for _ in range(levels + 1):
        yield here
        if (here / ".git").exists() or here.parent == here:
            return
        here = here.parent


def nearest(root: Path, names: Sequence[str], levels: int = 6) -> Path | None:
    """The first of ``names`` found in :func:`project_dirs` of ``root`` (None: none)."""
    for here in project_dirs(root, levels):
        for name in names:
            if (here / name).is_file():
                return here / name
    return None


def is_migration_file(path: Path) -> bool:
    """Whether an entry named like a migration is a file to read.

    True for a regular file (or a symlink to one), False for a directory. Anything else (a
    broken symlink, a symlink loop, a FIFO, a socket, a device) is a :class:`MigrationError`
    naming it: the tool would fail on it too, and skipping it would hide a migration.
    """
    try:
        mode = _stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ENOENT and path.is_symlink():
            raise fail("cannot read migration file: broken symbolic link", path) from None
        raise fail(f"cannot read migration file: {exc.strerror or exc}", path) from None
    if stat.S_ISDIR(mode):
        return False
    if not stat.S_ISREG(mode):
        raise fail("cannot read migration file: not a regular file", path)
    return True


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``; an unreadable file is a :class:`MigrationError` naming it.

    Only regular files are read: opening a FIFO would block forever.
    """
    if not is_migration_file(path):
        raise fail("cannot read migration file: is a directory", path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read migration file: {exc.strerror or exc}", path) from exc


def decode(data: bytes, path: Path) -> str:
    """``data`` as UTF-8 text, a leading BOM kept (the caller decides what a BOM means).

    Raises:
        MigrationError: the bytes are not valid UTF-8, or hold a NUL byte (a binary file:
            PostgreSQL accepts no NUL in SQL text); the location is the offending line.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise fail(f"binary file, not SQL text (NUL byte at offset {nul})", path, line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise fail(f"not valid UTF-8 (byte offset {exc.start})", path, line) from exc


def read_text(path: Path) -> tuple[bytes, str]:
    """The raw bytes of ``path`` and its text with a leading BOM removed."""
    data = read_bytes(path)
    return data, decode(data, path).removeprefix(BOM)


def split_lines(text: str) -> list[str]:
    """``text`` cut after each ``\\n``; terminators kept, so ``"".join(result) == text``.

    Unlike :meth:`str.splitlines` this only breaks at ``\\n`` (``\\r\\n`` stays one terminator,
    a form feed or U+2028 inside a line does not end it), which is how line numbers are counted.
    """
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def strip_eol(line: str) -> str:
    """``line`` without its ``\\n`` and one ``\\r`` before it (Go's ``bufio.ScanLines``)."""
    line = line.removesuffix("\n")
    return line.removesuffix("\r")


def blank(line: str) -> str:
    """An empty line with the same terminator as ``line`` (``"\\r\\n"``, ``"\\n"`` or none)."""
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    return ""


def keep_lines(lines: Sequence[str], keep: Callable[[int], bool]) -> str:
    """Join ``lines``, blanking every line whose 0-based index ``keep`` rejects."""
    return "".join(line if keep(i) else blank(line) for i, line in enumerate(lines))


def check_unique(
    migrations: Iterable[Migration], key: Callable[[Migration], object] | None = None
) -> None:
    """Raise :class:`MigrationError` naming both files when two migrations share a version.

    Args:
        migrations: the migrations of one directory.
        key: what makes two migrations the same (default: the version string).
    """
    seen: dict[object, Migration] = {}
    for migration in migrations:
        k = migration.version if key is None else key(migration)
        other = seen.get(k)
        if other is not None:
            raise fail(
                f"duplicate migration version {migration.version!r}: {other.path} and "
                f"{migration.path}",
                migration.path,
            )
        seen[k] = migration


def file_contains(path: Path, pattern: re.Pattern[str]) -> bool:
    """Whether the start of ``path`` (see :func:`head_text`) matches ``pattern`` (detection)."""
    needles = _NEEDLES.get(pattern)
    if needles is not None:
        head = head_bytes(path)
        if not any(needle in head for needle in needles):
            return False  # ASCII needles: absent from the bytes, absent from the text
    return pattern.search(head_text(path)) is not None


def head_text(path: Path) -> str:
    """The first :data:`DETECT_BYTES` of ``path`` as text ("" when unreadable), for detection.

    Cached by path, size and modification time: several readers look at the same files while a
    directory's tool is being detected.
    """
    key = _head_key(path)
    return "" if key is None else _head_text(*key)


DETECT_BYTES = 256 * 1024


def _head_key(path: Path) -> tuple[str, int, int] | None:
    try:
        st = _stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None  # a FIFO would block the read; a directory has no text
    return str(path), st.st_size, st.st_mtime_ns


def head_bytes(path: Path) -> bytes:
    """:func:`head_text`'s bytes, not decoded (b"" when unreadable)."""
    key = _head_key(path)
    return b"" if key is None else _head_bytes(*key)


@functools.lru_cache(maxsize=8192)
def _head_bytes(path: str, size: int, mtime_ns: int) -> bytes:
    """Read the head of ``path`` (``size`` bytes at most); ``size`` and ``mtime_ns`` key the
    cache."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return b""
    try:
        chunks = []
        left = min(size, DETECT_BYTES)  # the size read with the status: no read to find EOF
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return b""
    finally:
        os.close(fd)


@functools.lru_cache(maxsize=8192)
def _head_text(path: str, size: int, mtime_ns: int) -> str:
    return _head_bytes(path, size, mtime_ns).decode("utf-8", errors="replace")


def any_file_contains(paths: Iterable[Path], pattern: re.Pattern[str]) -> bool:
    """Whether any of ``paths`` matches ``pattern`` (see :func:`file_contains`)."""
    return any(file_contains(path, pattern) for path in paths)


def has_tool_markers(paths: Iterable[Path]) -> bool:
    """Whether a goose or dbmate annotation appears in any of ``paths`` (detection)."""
    return any_file_contains(paths, _ANY_TOOL_MARKER)


# -- history rows (shared by the tools' ``parse_history``) ----------------------------------
#
# A history row arrives as a mapping from column name to value, from a live query (every
# ``HISTORY_QUERY`` casts its columns to text) or from the ``COPY`` data of a pg_dump (text,
# ``t``/``f`` for booleans, ``\\x...`` for bytea). These helpers read both spellings.

_TRUE = frozenset({"t", "true", "1", "y", "yes", "on"})
_FALSE = frozenset({"f", "false", "0", "n", "no", "off"})


def row_text(value: object) -> str | None:
    """A history column as text (None stays None)."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def row_bool(value: object) -> bool | None:
    """A boolean history column (``true``/``t``/``1`` ...); None when NULL or unreadable."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def row_hex(value: object) -> str | None:
    """A bytea history column as lowercase hex (from bytes, ``\\x...`` text or plain hex)."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value).strip().removeprefix("\\x").lower()


# -- tools whose history table is one row per applied version (dbmate, diesel) -----------------


def version_rows(
    rows: Iterable[Mapping[str, object]],
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The recorded versions of a one-row-per-version table, in the tools' string order."""
    versions = sorted({str(row_text(row["version"])) for row in rows})
    return tuple(RecordedVersion(v) for v in versions), ()


def version_row_statements(ctx: SyncContext, create_table: str) -> list[str]:
    """A sync body for such a table: create it when absent, lock it, delete the pruned rows,
    insert each missing version unless a row already has it (idempotent)."""
    table = _script.qualified(ctx.table)
    body: list[str] = []
    if not ctx.recorded.table_exists:
        body.append(create_table.format(table=table))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    for version in ctx.prune:
        body.append(f"DELETE FROM {table} WHERE version = {_script.literal(version)};")
    for m in sorted(ctx.missing, key=lambda m: m.version):
        v = _script.literal(m.version)
        body.append(f"-- {_script.comment_text(m.label)}\n"
                    f"INSERT INTO {table} (version)\n"
                    f"SELECT {v} WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE version = {v});")
    return body
