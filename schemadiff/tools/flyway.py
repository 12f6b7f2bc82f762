"""Flyway: ``V<version>__<description>.sql`` and repeatable ``R__<description>.sql``.

Rules (``ResourceNameParser``, ``MigrationVersion``, ``ChecksumCalculator``,
``PostgreSQLParser``; default configuration):

- Flyway scans its location recursively for ``*.sql`` files. A name is split at the prefix
  (``V`` versioned, ``R`` repeatable, case-sensitive) and the first ``__``. A ``V`` name needs a
  version Flyway can parse, an ``R`` name none; a name that does not fit (``README.sql``,
  ``U1__undo.sql`` undo scripts of Flyway Teams, callbacks such as ``afterMigrate.sql``) is not a
  migration and is skipped, as Flyway does when ``validateMigrationNaming`` is off (the default).
- the version is the text before ``__`` with ``_`` read as ``.`` (``V2_1__x.sql`` -> ``"2.1"``),
  which is what ``flyway_schema_history.version`` holds. Versions compare numerically part by
  part, trailing zero parts ignored: ``2.1 < 10`` and ``1 == 1.0`` (a duplicate).
- the description is the text after ``__`` with ``_`` read as a space.
- versioned migrations run in version order, then repeatables in description order.
  **Repeatables have no version** (``NULL`` in the history table). A :class:`Migration` needs
  one, so a repeatable's ``version`` is ``"R__" + description`` (``R__Jobs_view.sql`` ->
  ``"R__Jobs view"``) with ``repeatable=True``; match it to history rows by description.
- the checksum is Flyway's CRC-32: the file read line by line (``\\n``, ``\\r\\n`` and ``\\r`` end a
  line), a BOM removed from the first line, each line's UTF-8 bytes without terminator fed to
  one CRC-32, the result taken as a signed 32-bit ``int``; here as decimal text.
- a migration runs without a transaction when a ``<file>.conf`` beside it sets
  ``executeInTransaction=false``, or when it holds a statement PostgreSQL refuses inside one
  (Flyway's list: ``CREATE|DROP DATABASE|TABLESPACE|SUBSCRIPTION``, ``ALTER SYSTEM``,
  ``CREATE [UNIQUE] INDEX CONCURRENTLY``, ``DROP INDEX CONCURRENTLY``,
  ``REINDEX [VERBOSE] SCHEMA|DATABASE|SYSTEM``, ``VACUUM``, ``DISCARD ALL``; ``ALTER TYPE ... ADD
  VALUE`` only before PostgreSQL 12, so not here). Flyway refuses a migration that mixes both
  kinds unless its ``mixed`` option is on; such a file is listed with ``in_transaction=False``
  (the option lives in configuration this reader cannot see).
"""

from __future__ import annotations

import functools
import re
import zlib
from pathlib import Path

from schemadiff.errors import ParseError
from schemadiff.migration import Migration
from schemadiff.sql.split import split
from schemadiff.tools import _common

NAME = "flyway"
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "flyway_schema_history")})

REPEATABLE_PREFIX = "R__"
_SEPARATOR = "__"
_VERSION_PART_SPLIT = re.compile(r"\.(?=\d)")
_BIGINT = re.compile(r"[+-]?[0-9]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_COMMENTS = re.compile(r"/\*.*?\*/|--[^\n]*", re.DOTALL)
# PostgreSQLParser.detectCanExecuteInTransaction, matched against the first keywords.
_NON_TRANSACTIONAL = re.compile(
    r"(?:CREATE|DROP) (?:DATABASE|TABLESPACE|SUBSCRIPTION) "
    r"|ALTER SYSTEM "
    r"|(?:CREATE|DROP)(?: UNIQUE)? INDEX CONCURRENTLY "
    r"|REINDEX(?: VERBOSE)? (?:SCHEMA|DATABASE|SYSTEM) "
    r"|VACUUM "
    r"|DISCARD ALL "
)
_CONF_FALSE = re.compile(r"^\s*executeInTransaction\s*=\s*false\s*$", re.MULTILINE | re.IGNORECASE)


def checksum(data: bytes) -> str | None:
    """Flyway's CRC-32 of a script, as the signed decimal ``flyway_schema_history`` holds.

    Args:
        data: the raw file bytes (UTF-8).
    """
    text = data.decode("utf-8", errors="replace").removeprefix(_common.BOM)
    crc = 0
    for line in _LINE_BREAK.split(text):
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return str(crc - 2**32 if crc >= 2**31 else crc)


@functools.total_ordering
class Version:
    """A Flyway migration version: numeric parts compared one by one, missing parts as 0.

    Attributes:
        text: the version as Flyway displays and stores it (``_`` already read as ``.``).
        parts: the numeric parts, trailing zero parts removed.
    """

    __slots__ = ("parts", "text")

    def __init__(self, raw: str) -> None:
        """Parse ``raw`` (``"2_1"``, ``"17.1"``, ``"005"``).

        Raises:
            ValueError: a part is not a number (Flyway rejects the name).
        """
        self.text = raw.replace("_", ".")
        parts = []
        for part in _VERSION_PART_SPLIT.split(self.text):
            if not _BIGINT.fullmatch(part):
                raise ValueError(f"invalid Flyway version {raw!r}")
            parts.append(int(part))
        while len(parts) > 1 and parts[-1] == 0:
            parts.pop()
        self.parts = tuple(parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.parts == other.parts

    def __lt__(self, other: Version) -> bool:
        width = max(len(self.parts), len(other.parts))
        mine = self.parts + (0,) * (width - len(self.parts))
        theirs = other.parts + (0,) * (width - len(other.parts))
        return mine < theirs

    def __hash__(self) -> int:
        return hash(self.parts)

    def __repr__(self) -> str:
        return f"Version({self.text!r})"


def parse_name(name: str) -> tuple[Version | None, str] | None:
    """``(version or None for a repeatable, description)`` of a script name, or None.

    Args:
        name: a base name such as ``"V2_1__add_index.sql"``.
    """
    if not name.endswith(".sql"):
        return None
    stem = name[: -len(".sql")]
    if stem.startswith("V"):
        raw, sep, description = stem[1:].partition(_SEPARATOR)
        if not raw:
            return None
        try:
            version = Version(raw)
        except ValueError:
            return None
        return version, (description if sep else "").replace("_", " ")
    if stem.startswith(REPEATABLE_PREFIX):
        return None, stem[len(REPEATABLE_PREFIX) :].replace("_", " ")
    return None


def _scripts(root: Path) -> list[tuple[Path, Version | None, str]]:
    """``(path, version or None, description)`` of every script under ``root``."""
    found = []
    for path in sorted(root.rglob("*.sql")):
        parsed = parse_name(path.name)
        if parsed is not None and path.is_file():
            found.append((path, *parsed))
    return found


def detect(root: Path) -> int:
    """90 when ``root`` (or a folder below it) holds ``V<version>__`` or ``R__`` scripts."""
    return 90 if _scripts(root) else 0


def list_migrations(root: Path) -> list[Migration]:
    """The Flyway migrations of ``root``: versioned in version order, then repeatables.

    Raises:
        MigrationError: two scripts with one version (or one repeatable description), or a file
            that is not valid UTF-8.
    """
    _common.require_dir(root)
    versioned: list[tuple[Version, Migration]] = []
    repeatable: list[Migration] = []
    for path, version, description in _scripts(root):
        data, text = _common.read_text(path)
        migration = Migration(
            version=REPEATABLE_PREFIX + description if version is None else version.text,
            description=description,
            path=str(path),
            sql=text,
            in_transaction=_in_transaction(path, text),
            checksum=checksum(data),
            repeatable=version is None,
        )
        if version is None:
            repeatable.append(migration)
        else:
            versioned.append((version, migration))
    versioned.sort(key=lambda item: item[0])
    ordered = [m for _, m in versioned]
    _common.check_unique(ordered, key=lambda m: Version(m.version))
    repeatable.sort(key=lambda m: m.description)
    _common.check_unique(repeatable)
    return ordered + repeatable


def _in_transaction(path: Path, text: str) -> bool:
    """Whether Flyway runs the script ``path`` (text ``text``) in a transaction."""
    conf = path.with_name(path.name + ".conf")
    if conf.is_file() and _CONF_FALSE.search(conf.read_text("utf-8", errors="replace")):
        return False
    try:
        statements = split(text, str(path))
    except ParseError:
        return True  # Flyway fails on it too; nothing to say about transactions
    return not any(_non_transactional(s.text) for s in statements)


def _non_transactional(statement: str) -> bool:
    """Whether Flyway's PostgreSQL parser marks ``statement`` as not runnable in a transaction."""
    words = [w.upper() for w in _WORD.findall(_COMMENTS.sub(" ", statement[:300]))[:4]]
    head = " ".join(words) + " "
    return _NON_TRANSACTIONAL.match(head) is not None
