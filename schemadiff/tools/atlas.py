"""Atlas versioned migrations: ``<version>_<name>.sql`` files and an ``atlas.sum`` file.

Rules (``sql/migrate/dir.go``: ``LocalDir.Files``, ``LocalFile.Version``/``Desc``, ``HashFile``):

- every top-level ``*.sql`` file is a migration, run in file-name order; other files
  (``atlas.sum``, ``README.md``) are not.
- the version is the file name without ``.sql`` up to the first ``_``; the description is what
  follows that ``_`` (both as ``atlas_schema_revisions`` records them).
- a header directive ``-- atlas:txmode none`` (in the comment block that opens the file and
  ends with an empty line) runs the file without a transaction; by default each file runs in
  its own.
- **checksum**: ``atlas.sum`` holds, per file, ``base64(sha256(...))`` of a hash that runs over
  the names and contents of *all files up to and including that one*, and
  ``atlas_schema_revisions.hash`` stores that value. It depends on the whole directory, so
  :func:`checksum` of one file's bytes is None; :func:`list_migrations` fills
  :attr:`Migration.checksum` with the value Atlas would compute for the directory as it is, and
  ``extra["atlas.sum"]`` with the line recorded in ``atlas.sum`` (absent when the file is not
  listed there). A file whose first line is ``-- atlas:sum ignore`` is hashed by name only and
  gets no entry (checksum None).

An ``atlas.sum`` out of step with the files makes Atlas refuse to run; that is reported through
the two values above rather than as an error, so drift can still be analysed.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.tools import _common

NAME = "atlas"
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset(
    {("atlas_schema_revisions", "atlas_schema_revisions"), ("", "atlas_schema_revisions")}
)

SUM_FILE = "atlas.sum"
_DIRECTIVE = re.compile(r"^([ -~]*)atlas:(\w+)(?: +([ -~]*))*")


def checksum(data: bytes) -> str | None:
    """None: an Atlas file hash depends on every earlier file (see the module docstring)."""
    return None


def sum_entries(files: list[tuple[str, bytes]]) -> dict[str, str]:
    """The ``atlas.sum`` hash of each file, ``{name: base64 hash}`` (no ``h1:`` prefix).

    Args:
        files: ``(name, content)`` of every migration file, in Atlas's (file-name) order.
    """
    running = hashlib.sha256()
    sums = {}
    for name, data in files:
        running.update(name.encode("utf-8"))
        if _directive(data.decode("utf-8", errors="replace"), "sum") == "ignore":
            continue
        running.update(data)
        sums[name] = base64.b64encode(running.copy().digest()).decode("ascii")
    return sums


def read_sum_file(path: Path) -> dict[str, str]:
    """The per-file entries of an ``atlas.sum`` file (its first, total line left out)."""
    entries = {}
    lines = path.read_text("utf-8", errors="replace").splitlines()
    for line in lines[1:]:
        name, sep, value = line.partition("h1:")
        if sep:
            entries[name.strip()] = value
    return entries


def _directive(content: str, name: str) -> str | None:
    """The argument of an ``atlas:<name>`` directive opening ``content``, or None."""
    m = _DIRECTIVE.match(content)
    if m is not None and m.group(2) == name:
        return m.group(3) or ""
    return None


def _header_comments(text: str) -> list[str]:
    """The comment lines opening ``text`` when an empty line separates them from the rest."""
    comments = []
    while text.startswith(("#", "--")):
        idx = text.find("\n")
        if idx == -1:
            return [text]
        comments.append(text[:idx].strip())
        text = text[idx + 1 :]
    return comments if text.startswith("\n") else []


def _sql_files(root: Path) -> list[Path]:
    """Atlas's migration files: top-level ``*.sql`` files in file-name order."""
    return sorted((p for p in root.glob("*.sql") if p.is_file()), key=lambda p: p.name)


def detect(root: Path) -> int:
    """90 for ``atlas.sum`` beside plain ``<version>_<name>.sql`` files, else 0.

    Atlas also writes ``atlas.sum`` into directories it generates for other tools
    (golang-migrate ``.up.sql``/``.down.sql``, goose or dbmate annotations, Flyway ``V1__``
    names); those directories belong to the other tool.
    """
    if not (root / SUM_FILE).is_file():
        return 0
    plain = [
        p
        for p in _sql_files(root)
        if _common.NUMBERED_SQL.match(p.name) and not _common.UP_DOWN_SQL.match(p.name)
    ]
    if not plain or _common.has_tool_markers(plain):
        return 0
    return 90


def list_migrations(root: Path) -> list[Migration]:
    """The Atlas migrations of ``root`` in file-name order.

    Raises:
        MigrationError: two files with one version, or a file that is not valid UTF-8.
    """
    _common.require_dir(root)
    files = [(path, _common.read_bytes(path)) for path in _sql_files(root)]
    sums = sum_entries([(path.name, data) for path, data in files])
    sum_file = root / SUM_FILE
    recorded = read_sum_file(sum_file) if sum_file.is_file() else {}
    migrations = []
    for path, data in files:
        text = _common.decode(data, path).removeprefix(_common.BOM)
        stem = path.name[: -len(".sql")]
        version, _, description = stem.partition("_")
        txmode = next(
            (d for c in _header_comments(text) if (d := _directive(c, "txmode")) is not None),
            None,
        )
        extra = {"atlas.sum": recorded[path.name]} if path.name in recorded else {}
        migrations.append(
            Migration(
                version=version,
                description=description,
                path=str(path),
                sql=text,
                in_transaction=txmode != "none",
                checksum=sums.get(path.name),
                extra=extra,
            )
        )
    _common.check_unique(migrations)
    return migrations
