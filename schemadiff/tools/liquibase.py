"""Liquibase formatted SQL: ``--liquibase formatted sql`` files and the changelogs including them.

Rules (liquibase-standard 4.28: ``AbstractFormattedChangeLogParser``, ``SqlChangeLogParser``,
``DatabaseChangeLog.include``/``includeAll``, ``ChangeSet.generateCheckSum``,
``AbstractSQLChange.NormalizingStream``, ``CheckSum``):

- **the root changelog** decides the set and the order: a ``liquibase.properties`` naming
  ``changelog-file`` / ``changeLogFile``, else the one XML / YAML / JSON ``databaseChangeLog``
  under the directory that no other one includes, else the one formatted SQL file. Paths are
  relative to the directory given (Liquibase's search path), as Liquibase stores them.
- XML / YAML changelogs: ``include file=`` (``relativeToChangelogFile``, ``errorIfMissing``),
  ``includeAll path=`` (files under it, recursively, sorted by path; ``minDepth``,
  ``maxDepth``, ``endsWithFilter``, ``errorIfMissingOrEmpty``), ``property``; their own
  ``changeSet`` elements (createTable and the like) are listed as opaque migrations.
- a formatted SQL file: ``--changeset author:id`` with ``runOnChange``, ``runAlways``,
  ``splitStatements``, ``endDelimiter``, ``stripComments``, ``runInTransaction``, ``context``
  / ``contextFilter``, ``labels``, ``dbms``, ``ignore``, ``failOnError``,
  ``logicalFilePath``; ``--comment``, ``--rollback`` (and ``/* liquibase rollback */``),
  ``--preconditions`` / ``--precondition-*``, ``--validCheckSum``, ``--property``,
  ``--ignoreLines``. A line that starts like a directive but breaks its form (``--changeset
  bob`` without ``:id``, ``-changeset``, ``--comment`` outside a changeset) is an error, as it
  is for Liquibase. Changesets whose ``dbms`` excludes PostgreSQL, or marked ``ignore:true``,
  never run there and are left out. An included ``.sql`` file without the header is one
  changeset ``raw`` by ``includeAll`` (``SqlChangeLogParser``).
- **version**: ``filename::id::author``, Liquibase's own spelling of a changeset's identity
  (``databasechangelog`` rows are identified by ``(id, author, filename)``).
- **checksum** (``MD5SUM``, version 9, Liquibase 4.22 and later): the MD5 of the changeset's
  SQL (trimmed, ``${property}`` expanded, UTF-8) with every space, tab, CR and LF removed, as
  ``9:<hex>``; then the MD5 of that string followed by ``:`` (line endings standardized, NFC),
  again as ``9:<hex>``. Attributes such as ``splitStatements`` no longer take part. Rows with
  an older (``8:``) checksum are not compared: Liquibase upgrades them itself.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from schemadiff.errors import Location, MigrationError
from schemadiff.migration import Migration
from schemadiff.recorded import MARKED_RAN, RecordedVersion
from schemadiff.tools import _common, _script, _spring
from schemadiff.tools.protocol import ProjectConfig, SyncContext, SyncScript, ToolOptions

NAME = "liquibase"
LAYOUT = "'--liquibase formatted sql' changesets or a root changelog"
VERSION_SYNTAX = "'filename::id::author', as databasechangelog identifies a changeset"
SQL_FROM_TOOL = False
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset(
    {("", "databasechangelog"), ("", "databasechangeloglock")}
)
LOCK_TABLE = "databasechangeloglock"
CHECKSUM_VERSION = 9

_I = re.IGNORECASE
_FIRST_LINE = _common.LazyPattern(r"\s*--\s*liquibase\s*formatted.*", _I)
_CHANGESET = _common.LazyPattern(r'\s*--[\s]*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+).*', _I)
_CHANGESET_BAD = _common.LazyPattern(r"(?:-[\s]*changeset\s.*|\s*--[\s]*changeset[\s]*.*)", _I)
_PROPERTY = _common.LazyPattern(r"\s*--[\s]*property\s+(.*:.*)\s+(.*:.*).*", _I)
_PROPERTY_BAD = _common.LazyPattern(r"\s*?-+\s*property\s.*", _I)
_COMMENT = _common.LazyPattern(r"--[\s]*comment:? (.*)", _I)
_COMMENT_BAD = _common.LazyPattern(r"(?:-[\s]*comment:? .*|--[\s]*comments:? .*)", _I)
_VALID_CHECKSUM = _common.LazyPattern(r"--[\s]*validCheckSum:? (.*)", _I)
_VALID_CHECKSUM_BAD = _common.LazyPattern(r"-[\s]*validCheckSum.*", _I)
_ROLLBACK = _common.LazyPattern(r"\s*--[\s]*rollback (.*)", _I)
_ROLLBACK_BAD = _common.LazyPattern(r"\s*-[\s]*rollback\s.*", _I)
_ROLLBACK_START = _common.LazyPattern(r"\s*/\*\s*liquibase\s*rollback\s*", _I)
_ROLLBACK_END = _common.LazyPattern(r".*\s*\*/\s*", _I)
_PRECONDITIONS = _common.LazyPattern(r"\s*--[\s]*preconditions(.*)", _I)
_PRECONDITIONS_BAD = _common.LazyPattern(r"\s*-[\s]*preconditions\s.*", _I)
_PRECONDITION = _common.LazyPattern(r"\s*--[\s]*precondition-([a-zA-Z0-9-]+)(?: .*)?", _I)
_PRECONDITION_BAD = _common.LazyPattern(r"\s*-[\s]*precondition.*", _I)
_IGNORE_LINES = _common.LazyPattern(r"--[\s]*ignoreLines:(\w+)", _I)
_IGNORE_LINES_BAD = _common.LazyPattern(r"(?:-[\s]*?ignoreLines:\w+.*|--[\s]*ignore:\w+)", _I)
_ATTR = {
    name: _common.LazyPattern(rf".*\b{name}:({value}).*", _I)
    for name, value in (
        ("runOnChange", r"\w+"), ("runAlways", r"\w+"), ("runInTransaction", r"\w+"),
        ("failOnError", r"\w+"), ("splitStatements", r"\w+"), ("stripComments", r"\w+"),
        ("endDelimiter", r"\S*"), ("context", r'".*?"|\S*'), ("contextFilter", r'".*?"|\S*'),
        ("labels", r'".*?"|\S*'), ("logicalFilePath", r"\S*"), ("dbms", r"[^,][\w!,]+"),
        ("ignore", r"\w*"),
    )
}
_PROPERTY_NAME = _common.LazyPattern(r".*name:\s*(\S+).*", _I)
_PROPERTY_VALUE = _common.LazyPattern(r".*value:\s*(\S+).*", _I)
_PARAM = _common.LazyPattern(r"\$\{([^}]+)\}")
_CHANGELOG_EXT = (".xml", ".yaml", ".yml", ".json")
_PROPERTIES_KEY = _common.LazyPattern(r"^\s*(?:changelog-file|changeLogFile|liquibase\.command\."
                                      r"changelogFile)\s*[=:]\s*(.+?)\s*$", re.MULTILINE)


def checksum(data: bytes) -> str | None:
    """None: a file holds several changesets, each with its own checksum (see
    :func:`changeset_checksum`)."""
    return None


def changeset_checksum(sql: str | None) -> str:
    """The ``MD5SUM`` Liquibase 4.22+ stores for a formatted SQL changeset whose SQL is ``sql``.

    >>> changeset_checksum("CREATE TABLE t2 (id int);\\nCREATE INDEX t2_id ON t2 (id);")
    '9:0e3e4977ac0b2dd8c404ca988acec0fb'
    """
    body = _java_trim(sql or "").encode("utf-8")
    inner = f"{CHECKSUM_VERSION}:" + hashlib.md5(normalize_sql(body)).hexdigest()
    outer = (inner + ":").replace("\r\n", "\n").replace("\r", "\n").replace("\ufffd", "")
    import unicodedata  # here: the module is imported on every run, this runs on Liquibase's

    outer = unicodedata.normalize("NFC", outer)
    return f"{CHECKSUM_VERSION}:" + hashlib.md5(outer.encode("utf-8")).hexdigest()


def normalize_sql(data: bytes) -> bytes:
    """``AbstractSQLChange.NormalizingStream``: the bytes without spaces, tabs, CRs and LFs."""
    return data.translate(None, b" \t\r\n")


def _java_trim(text: str) -> str:
    """``String.trim()``: every character up to U+0020 removed at both ends."""
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def normalize_path(path: str) -> str:
    """A changelog path as Liquibase compares it (``DatabaseChangeLog.normalizePath``):
    ``classpath:`` and leading slashes dropped, backslashes as slashes, ``.``/``..`` folded."""
    path = path.replace("\\", "/")
    path = re.sub(r"^classpath\*?:", "", path)
    path = posixpath.normpath(path) if path else path
    return path.lstrip("/") if path != "." else ""


def identity(filename: str, cid: str, author: str) -> str:
    """A changeset's version string: ``filename::id::author``."""
    return f"{normalize_path(filename)}::{cid}::{author}"


# -- reading the changelogs --------------------------------------------------------------------


def detect(root: Path) -> int:
    """100 when a formatted SQL file or a ``databaseChangeLog`` sits at the top of ``root`` or
    in Liquibase's usual ``db/changelog`` folders, else 0."""
    for folder in (root, root / "db" / "changelog", root / "changelog", root / "changelogs"):
        if not _common.is_dir(folder):
            continue
        for path in _common.entries(folder):
            if path.suffix.lower() == ".sql" and _is_formatted(_common.head_text(path)):
                return 100
            if path.suffix.lower() in _CHANGELOG_EXT and "databaseChangeLog" in _common.head_text(
                    path):
                return 100
    return 0


def _is_formatted(text: str) -> bool:
    """Whether the first non-blank line is ``--liquibase formatted ...``."""
    text = text.lstrip("\ufeff")
    start = 0
    while True:  # line by line, not splitting the whole head (every .sql file is looked at)
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if line.strip():
            return _FIRST_LINE.fullmatch(line.rstrip("\r")) is not None
        if end < 0:
            return False
        start = end + 1


@dataclass
class _Reader:
    """One walk through the changelogs from the root, collecting changesets in order."""

    root: Path
    migrations: list[Migration] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    seen: dict[str, tuple[str, int]] = field(default_factory=dict)
    visited: set[str] = field(default_factory=set)

    def changelog(self, rel: str, stack: tuple[str, ...] = ()) -> None:
        """Read the changelog at ``rel`` (relative to the root) and what it includes."""
        if rel in stack:
            raise _common.fail(f"circular include: {' -> '.join((*stack, rel))}", self.root / rel)
        self.visited.add(rel)
        path = self.root / rel
        lower = rel.lower()
        if lower.endswith(".sql"):
            self.sql_file(rel)
        elif lower.endswith(".xml"):
            self.xml_file(rel, (*stack, rel))
        elif lower.endswith(_CHANGELOG_EXT):
            self.yaml_file(rel, (*stack, rel))
        else:
            raise _common.fail("not a changelog Liquibase can parse (.sql, .xml, .yaml, .json)",
                               path)

    # -- formatted SQL ---------------------------------------------------------------------

    def sql_file(self, rel: str) -> None:
        """A formatted SQL changelog (or a plain SQL file: one ``raw`` changeset)."""
        path = self.root / rel
        _, text = _common.read_text(path)
        lines = _common.split_lines(text)
        if not _is_formatted(text):
            if not text.strip():
                return  # Liquibase skips an empty file
            self.add(rel, 1, "raw", "includeAll", text, {}, lines, set(range(len(lines))),
                     raw=True)
            return
        logical: str | None = None
        current: dict[str, object] | None = None
        index = 0
        while index < len(lines):
            lineno, line = index + 1, _common.strip_eol(lines[index])
            index += 1
            if _PROPERTY.fullmatch(line):
                self.property_line(line)
                continue
            if _PROPERTY_BAD.fullmatch(line):
                raise _bad(path, lineno, "--property name:<name> value:<value>")
            if _FIRST_LINE.fullmatch(line):
                m = _ATTR["logicalFilePath"].fullmatch(line)
                logical = m.group(1) if m else None
            m = _IGNORE_LINES.fullmatch(line)
            if m:
                index = self.ignore_lines(m.group(1), lines, index, path, lineno)
                continue
            if _IGNORE_LINES_BAD.fullmatch(line):
                raise _bad(path, lineno, "--ignoreLines:<count|start>")
            m = _CHANGESET.fullmatch(line)
            if m:
                if current is not None:
                    self.finish(current)
                current = self.start(m, line, path, lineno, rel, logical)
                continue
            if _CHANGESET_BAD.fullmatch(line):
                raise _bad(path, lineno, "--changeset <author>:<id>")
            if current is None:
                if _COMMENT.fullmatch(line):
                    raise _common.fail("comment lines are not allowed outside changesets "
                                       "(Liquibase refuses the file)", path, lineno)
                continue
            index = self.changeset_line(current, line, lines, index, path, lineno)
        if current is not None:
            self.finish(current)

    def property_line(self, line: str) -> None:
        """``--property name:x value:y`` (global, as Liquibase's default)."""
        name, value = _PROPERTY_NAME.fullmatch(line), _PROPERTY_VALUE.fullmatch(line)
        if name and value:
            self.params.setdefault(name.group(1), value.group(1))

    @staticmethod
    def ignore_lines(arg: str, lines: list[str], index: int, path: Path, lineno: int) -> int:
        """Skip what ``--ignoreLines:start`` ... ``end`` or ``--ignoreLines:<n>`` covers."""
        if arg == "start":
            while index < len(lines):
                line = _common.strip_eol(lines[index])
                index += 1
                m = _IGNORE_LINES.fullmatch(line)
                if m and m.group(1) == "end":
                    break
            return index
        if not arg.isdigit():
            raise _common.fail(f'unknown ignoreLines syntax: "{arg}"', path, lineno)
        return index + int(arg)

    def start(self, m: re.Match[str], line: str, path: Path, lineno: int, rel: str,
              logical: str | None) -> dict[str, object]:
        """A ``--changeset author:id attr:value ...`` line."""
        author_group, id_group = m.group(1), m.group(2)
        exact = re.compile(r"\s*--[\s]*changeset\s+" + re.escape(f"{author_group}:{id_group}")
                           + ".*", _I)
        if not exact.fullmatch(line):
            raise _bad(path, lineno, "--changeset <author>:<id>")
        cid = self.expand(_unquote(id_group))
        author = self.expand(_unquote(author_group)).strip()
        if not cid.replace(":", "").replace(" ", ""):
            raise _common.fail("changeset id is empty", path, lineno)
        if not author:
            raise _common.fail("changeset without an author (--changeset <author>:<id>)", path,
                               lineno)
        attrs = {name: mm.group(1) for name, p in _ATTR.items() if (mm := p.fullmatch(line))}
        for flag in ("runOnChange", "runAlways", "runInTransaction", "failOnError",
                     "splitStatements", "stripComments"):
            value = attrs.get(flag)
            if value is not None and value.lower() not in ("true", "false"):
                raise _common.fail(f"{flag}:{value} is not true or false", path, lineno)
        filename = attrs.get("logicalFilePath") or logical or rel
        return {"id": cid, "author": author, "line": lineno, "file": rel, "path": path,
                "filename": self.expand(filename), "attrs": attrs, "sql": set(), "comment": "",
                "valid": [], "lines": None}

    def changeset_line(self, cs: dict[str, object], line: str, lines: list[str], index: int,
                       path: Path, lineno: int) -> int:
        """A line inside a changeset: a directive, or part of its SQL."""
        if _COMMENT.fullmatch(line):
            cs["comment"] = _COMMENT.fullmatch(line).group(1)  # type: ignore[union-attr]
        elif _COMMENT_BAD.fullmatch(line):
            raise _bad(path, lineno, "--comment <comment>")
        elif (m := _VALID_CHECKSUM.fullmatch(line)) is not None:
            cs["valid"].append(m.group(1).strip())  # type: ignore[attr-defined]
        elif _VALID_CHECKSUM_BAD.fullmatch(line):
            raise _bad(path, lineno, "--validCheckSum <checksum>")
        elif _ROLLBACK.fullmatch(line):
            pass
        elif _ROLLBACK_BAD.fullmatch(line):
            raise _bad(path, lineno, "--rollback <rollback SQL>")
        elif _ROLLBACK_START.fullmatch(line):
            while index < len(lines):
                end = _common.strip_eol(lines[index])
                index += 1
                if _ROLLBACK_END.fullmatch(end):
                    break
        elif _PRECONDITIONS.fullmatch(line):
            cs["attrs"]["preconditions"] = line.split("preconditions", 1)[1].strip()  # type: ignore[index]
        elif _PRECONDITIONS_BAD.fullmatch(line):
            raise _bad(path, lineno, "--preconditions onFail:<action> onError:<action>")
        elif _PRECONDITION.fullmatch(line):
            pass
        elif _PRECONDITION_BAD.fullmatch(line):
            raise _bad(path, lineno, "--precondition-<name> <arguments>")
        else:
            cs["sql"].add(lineno - 1)  # type: ignore[attr-defined]
            cs["lines"] = lines
        return index

    def finish(self, cs: dict[str, object]) -> None:
        """Record a changeset once its SQL is complete."""
        lines: list[str] = cs["lines"] or []  # type: ignore[assignment]
        keep: set[int] = cs["sql"]  # type: ignore[assignment]
        body = "".join(_common.strip_eol(lines[i]) + "\n" for i in sorted(keep))
        path: Path = cs["path"]  # type: ignore[assignment]
        if not _java_trim(body):
            raise _common.fail(f"no SQL for changeset {cs['id']} by {cs['author']} (Liquibase "
                               "refuses it)", path, cs["line"])  # type: ignore[arg-type]
        attrs: dict[str, str] = cs["attrs"]  # type: ignore[assignment]
        if not _dbms_matches(attrs.get("dbms")) or (attrs.get("ignore") or "").lower() == "true":
            return
        extra = {key: _unquote(value) for key, value in attrs.items() if value}
        if cs["comment"]:
            extra["comment"] = str(cs["comment"])
        if cs["valid"]:
            extra["validCheckSum"] = ",".join(cs["valid"])  # type: ignore[arg-type]
        self.add(str(cs["filename"]), int(cs["line"]), str(cs["id"]),  # type: ignore[call-overload]
                 str(cs["author"]), body, extra, lines, keep, source=str(cs["file"]))

    def add(self, filename: str, line: int, cid: str, author: str, body: str,
            extra: dict[str, str], lines: list[str], keep: set[int], *,
            source: str | None = None, opaque: bool = False, raw: bool = False) -> None:
        """One changeset as a :class:`Migration` (duplicate identities are an error).

        Its SQL is the text Liquibase sends, line ends included: a formatted file is read line
        by line (``BufferedReader.readLine``: ``\\r\\n``, ``\\n`` or a lone ``\\r`` ends a line)
        and its lines joined with ``\\n``; a ``raw`` file's text loses every ``\\r``. So a CRLF
        file's function body reaches the server with ``\\n`` line ends and no ``\\r``, and the
        replay builds it so (measured with Liquibase 4.28 on Linux). Only a lone ``\\r`` in a
        formatted file moves the line numbers after it (it becomes a line end).
        """
        rel = source or filename
        path = self.root / rel
        version = identity(filename, cid, author)
        if version in self.seen:
            where, at = self.seen[version]
            raise _common.fail(f"duplicate changeset identifier {version} (also at {where}:{at})",
                               path, line)
        self.seen[version] = (str(path), line)
        expanded = self.expand(body)
        sql = "".join(_sql_line(lines[i], extra.get("endDelimiter")) if i in keep
                      else _common.blank(lines[i]) for i in range(len(lines)))
        if expanded != body:
            sql = "".join(self.expand(x) if x.strip() else x for x in _common.split_lines(sql))
        sql = sql.replace("\r", "") if raw else sql.replace("\r\n", "\n").replace("\r", "\n")
        extra = {"id": cid, "author": author, "filename": normalize_path(filename), **extra}
        in_tx = (extra.get("runInTransaction") or "true").lower() != "false"
        self.migrations.append(Migration(
            version=version,
            description=extra.get("comment", ""),
            path=str(path),
            sql="" if opaque else sql,
            in_transaction=in_tx,
            checksum=None if opaque else changeset_checksum(expanded),
            opaque=opaque,
            extra=extra,
        ))

    def expand(self, text: str) -> str:
        """``${name}`` replaced by the properties defined so far (others kept, as Liquibase)."""
        if "${" not in text or not self.params:
            return text
        return _PARAM.sub(lambda m: self.params.get(m.group(1), m.group(0)), text)

    # -- XML, YAML and JSON changelogs -----------------------------------------------------

    def xml_file(self, rel: str, stack: tuple[str, ...]) -> None:
        """An XML ``databaseChangeLog``: its ``include``, ``includeAll``, ``property`` and
        ``changeSet`` elements, in document order."""
        path = self.root / rel
        data = _common.read_bytes(path)
        items: list[tuple[int, str, dict[str, str]]] = []
        depth = [0]
        from xml.parsers import expat  # here: the module is imported on every run

        parser = expat.ParserCreate()

        def start(name: str, attrs: dict[str, str]) -> None:
            depth[0] += 1
            if depth[0] == 2:
                items.append((parser.CurrentLineNumber, name.rpartition(":")[2], attrs))

        def end(name: str) -> None:
            depth[0] -= 1

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise MigrationError(f"not well-formed XML: {expat.errors.messages[exc.code]}",
                                 Location(str(path), exc.lineno, exc.offset + 1)) from None
        self.elements(rel, items, stack)

    def yaml_file(self, rel: str, stack: tuple[str, ...]) -> None:
        """A YAML (or JSON) ``databaseChangeLog`` list."""
        path = self.root / rel
        _, text = _common.read_text(path)
        try:
            import yaml
        except ImportError:  # pragma: no cover - PyYAML is a dependency
            raise _common.fail("reading a YAML changelog needs PyYAML (pip install pyyaml)",
                               path) from None
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise MigrationError(f"not valid YAML: {getattr(exc, 'problem', exc)}",
                                 Location(str(path), mark.line + 1 if mark else 0,
                                          mark.column + 1 if mark else 0)) from None
        items: list[tuple[int, str, dict[str, str]]] = []
        top = _yaml_get(node, "databaseChangeLog")
        if top is None or not isinstance(top, yaml.SequenceNode):
            raise _common.fail("no databaseChangeLog list", path, 1)
        for entry in top.value:
            if not isinstance(entry, yaml.MappingNode) or not entry.value:
                continue
            key, value = entry.value[0]
            attrs = {}
            if isinstance(value, yaml.MappingNode):
                attrs = {str(k.value): str(v.value) for k, v in value.value
                         if isinstance(v, yaml.ScalarNode)}
            items.append((key.start_mark.line + 1, str(key.value), attrs))
        self.elements(rel, items, stack)

    def elements(self, rel: str, items: list[tuple[int, str, dict[str, str]]],
                 stack: tuple[str, ...]) -> None:
        """The top-level elements of an XML / YAML changelog, in order."""
        path = self.root / rel
        for line, kind, attrs in items:
            if not _dbms_matches(attrs.get("dbms")):
                continue
            if kind == "property":
                name, value = attrs.get("name"), attrs.get("value")
                if name and value is not None:
                    self.params.setdefault(name, value)
            elif kind == "include":
                self.include(rel, line, attrs, stack)
            elif kind == "includeAll":
                self.include_all(rel, line, attrs, stack)
            elif kind == "changeSet":
                cid, author = attrs.get("id"), attrs.get("author")
                if not cid:
                    raise _common.fail("changeSet without an id", path, line)
                if not author:
                    raise _common.fail(f"changeSet {cid} without an author", path, line)
                if (attrs.get("ignore") or "").lower() == "true":
                    continue
                filename = attrs.get("logicalFilePath") or rel
                extra = {k: v for k, v in attrs.items() if k not in ("id", "author")}
                self.add(filename, line, cid, author, "", extra, [], set(), source=rel,
                         opaque=True)

    def include(self, rel: str, line: int, attrs: dict[str, str], stack: tuple[str, ...]
                ) -> None:
        """``<include file=...>``."""
        path = self.root / rel
        file = attrs.get("file")
        if not file:
            raise _common.fail("include without a file", path, line)
        target = self.resolve(rel, file, attrs.get("relativeToChangelogFile"))
        if not (self.root / target).is_file():
            if (attrs.get("errorIfMissing") or "true").lower() == "false":
                return
            raise _common.fail(f"included file {file} not found ({target})", path, line)
        if target in stack:
            raise _common.fail(f"circular include of {target}: {' -> '.join((*stack, target))}",
                               path, line)
        self.changelog(target, stack)

    def include_all(self, rel: str, line: int, attrs: dict[str, str], stack: tuple[str, ...]
                    ) -> None:
        """``<includeAll path=...>``: every changelog file under it, sorted by path."""
        path = self.root / rel
        where = attrs.get("path")
        if not where:
            raise _common.fail("includeAll without a path", path, line)
        folder = self.resolve(rel, where, attrs.get("relativeToChangelogFile"))
        directory = self.root / folder
        min_depth = int(attrs.get("minDepth") or 1)
        max_depth = int(attrs.get("maxDepth") or 2**31 - 1)
        suffix = attrs.get("endsWithFilter") or ""
        found = []
        if directory.is_dir():
            for dirpath, dirnames, filenames in os.walk(directory):
                dirnames.sort()
                depth = len(Path(dirpath).relative_to(directory).parts) + 1
                if depth > max_depth:
                    dirnames.clear()
                    continue
                if depth < min_depth:
                    continue
                for name in filenames:
                    lower = name.lower()
                    if lower.endswith((".sql", *_CHANGELOG_EXT)) and name.endswith(suffix):
                        found.append(normalize_path(
                            posixpath.join(folder, Path(dirpath).relative_to(directory)
                                           .as_posix(), name)))
        if not found:
            if (attrs.get("errorIfMissingOrEmpty") or "true").lower() == "false":
                return
            raise _common.fail(f"includeAll path {where} holds no changelog ({folder})", path,
                               line)
        for target in sorted(found):
            if target in stack:
                continue  # the including changelog itself, when it lies in that folder
            self.changelog(target, stack)

    @staticmethod
    def resolve(parent: str, file: str, relative: str | None) -> str:
        """An included path relative to the search root, as Liquibase stores it."""
        if (relative or "false").lower() == "true":
            return normalize_path(posixpath.join(posixpath.dirname(parent), file))
        return normalize_path(file)


def _yaml_get(node: object, key: str) -> object:
    """The value node of ``key`` in a YAML mapping node (None when absent)."""
    for k, v in getattr(node, "value", None) or ():
        if getattr(k, "value", None) == key:
            return v
    return None


def _unquote(text: str) -> str:
    """``StringUtil.stripEnclosingQuotes``."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _sql_line(line: str, delimiter: str | None) -> str:
    """A SQL line as the replay reads it: a line holding only a statement delimiter Liquibase
    splits on (``GO``, ``/``, the changeset's ``endDelimiter``) becomes ``;``."""
    bare = _common.strip_eol(line).strip()
    delimiters = {"go", "/"}
    if delimiter:
        delimiters.add(delimiter.replace("\\n", "").replace("$", "").lower())
    if bare and bare.lower() in delimiters:
        return ";" + line[len(_common.strip_eol(line)):]
    return line


def _dbms_matches(dbms: str | None) -> bool:
    """Whether a ``dbms`` attribute lets the changeset run on PostgreSQL
    (``DatabaseList.definitionMatches``)."""
    if not dbms or not dbms.strip():
        return True
    names = [d.strip().lower() for d in dbms.split(",") if d.strip()]
    if "none" in names:
        return False
    if "all" in names:
        return True
    if "!postgresql" in names:
        return False
    positives = [n for n in names if not n.startswith("!")]
    return not positives or "postgresql" in positives


def _bad(path: Path, line: int, form: str) -> MigrationError:
    """Liquibase's 'unexpected formatting' error for a directive that breaks its form."""
    return _common.fail(f"unexpected formatting: expected '{form}' (Liquibase refuses the file)",
                        path, line)


def root_changelog(root: Path) -> str:
    """The root changelog of ``root``, relative to it (see the module docstring).

    Raises:
        MigrationError: none found, or several candidates (named) and nothing to choose.
    """
    props = root / "liquibase.properties"
    if props.is_file():
        m = _PROPERTIES_KEY.search(props.read_text("utf-8", errors="replace"))
        if m and (root / normalize_path(m.group(1))).is_file():
            return normalize_path(m.group(1))
    changelogs, formatted = [], []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            lower = name.lower()
            if lower.endswith(_CHANGELOG_EXT) and "databaseChangeLog" in _common.head_text(path):
                changelogs.append(rel)
            elif lower.endswith(".sql") and _is_formatted(_common.head_text(path)):
                formatted.append(rel)
    if changelogs:
        included: set[str] = set()
        for rel in changelogs:
            reader = _Reader(root)
            try:
                reader.changelog(rel)
            except MigrationError:
                continue
            included |= reader.visited - {rel}
        roots = [rel for rel in changelogs if rel not in included]
        if len(roots) == 1:
            return roots[0]
        named = [rel for rel in roots if "master" in rel.lower() or "root" in rel.lower()]
        if len(named) == 1:
            return named[0]
        raise _common.fail(f"several changelogs could be the root ({', '.join(roots or changelogs)}"
                           "): name it in liquibase.properties (changelog-file=...)", root)
    if len(formatted) == 1:
        return formatted[0]
    if not formatted:
        raise _common.fail("no Liquibase changelog (no databaseChangeLog and no '--liquibase "
                           "formatted sql' file)", root)
    raise _common.fail(f"several formatted SQL changelogs ({', '.join(formatted[:5])}) and no "
                       "XML/YAML changelog including them: name the root in "
                       "liquibase.properties (changelog-file=...)", root)


#: Liquibase's settings read here, by their names without prefix, dashes or case
_SETTINGS = {"defaultschemaname": "default", "liquibaseschemaname": "schema",
             "databasechangelogtablename": "table"}
#: Spring Boot's names for them (``spring.liquibase.*``)
_SPRING_SETTINGS = {"default-schema": "default", "liquibase-schema": "schema",
                    "database-change-log-table": "table"}


def _settings(root: Path) -> dict[str, str]:
    """``defaultSchemaName``, ``liquibaseSchemaName`` and ``databaseChangeLogTableName``:
    from Spring Boot's ``application.*`` above the directory, then its ``liquibase.properties``
    (``liquibase.`` / ``liquibase.command.`` prefixes and kebab-case accepted)."""
    out: dict[str, str] = {}
    spring = _common.nearest(root, ("application.properties", "application.yml",
                                    "application.yaml"))
    if spring is not None:
        text = _common.read_bytes(spring).decode("utf-8", errors="replace")
        pairs = (_spring.properties(text) if spring.suffix == ".properties"
                 else _spring.yaml_settings(text))
        for key, name in _SPRING_SETTINGS.items():
            value = pairs.get("spring.liquibase." + key)
            resolved = _spring.resolve(value, os.environ) if value else None
            if resolved:
                out[name] = resolved
    props = root / "liquibase.properties"
    if props.is_file():
        for key, value in _spring.properties(props.read_text("utf-8", errors="replace")).items():
            bare = key.removeprefix("liquibase.command.").removeprefix("liquibase.")
            name = _SETTINGS.get(bare.replace("-", "").lower())
            if name and value:
                out[name] = value
    return out


def configured(root: Path) -> ProjectConfig:
    """Where Liquibase keeps ``databasechangelog`` (``liquibaseSchemaName``, else
    ``defaultSchemaName``; the table name lower-cased, as on PostgreSQL) and its default
    schema, which it puts first in the ``search_path`` (``DatabaseUtils.initializeDatabase``)
    and which exists before it runs."""
    found = _settings(root)
    default = found.get("default")
    schema = found.get("schema") or default
    table = found.get("table", "").lower()
    history = f"{schema}.{table or 'databasechangelog'}" if schema else (table or None)
    source = ("liquibaseSchemaName" if found.get("schema") else "defaultSchemaName" if default
              else "databaseChangeLogTableName")
    return ProjectConfig(history, (default,) if default else (),
                         f"liquibase {source}" if history else "", default)


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The changesets the root changelog runs on PostgreSQL, in Liquibase's order.

    Raises:
        MigrationError: no root changelog, a missing include, a circular include, a changeset
            without author or id, a directive that breaks its form, a changeset without SQL, a
            duplicate identity; located at the file and line.
    """
    _common.require_dir(root)
    reader = _Reader(root)
    reader.changelog(root_changelog(root))
    config = configured(root)
    if config.search_path is None:
        return reader.migrations
    return [replace(m, search_path=config.search_path, tool_schemas=config.schemas)
            for m in reader.migrations]


# -- history table and sync ------------------------------------------------------------------
#
# databasechangelog (Liquibase's StandardChangeLogHistoryService): one row per changeset run,
# identified by (id, author, filename); ORDEREXECUTED increases; EXECTYPE is EXECUTED, FAILED
# (failOnError:false), SKIPPED, RERAN or MARK_RAN (changelog-sync, precondition MARK_RAN): every
# row counts as run. Liquibase runs, in changelog order, every changeset without a row, whatever
# its position (no out-of-order rule), re-runs runAlways changesets and runOnChange changesets
# whose checksum changed, and refuses to start when another changeset's MD5SUM differs (a NULL
# MD5SUM is filled in). databasechangeloglock (ID 1, LOCKED) serializes Liquibase runs.

#: The columns a history reader needs, as text (``{table}``: the quoted table name).
HISTORY_QUERY = (
    "SELECT id, author, filename, md5sum, exectype, orderexecuted::text AS orderexecuted, "
    "liquibase FROM {table}"
)

#: The columns that make a table Liquibase's history (tool detection).
HISTORY_COLUMNS = frozenset({"id", "author", "filename", "md5sum", "exectype", "orderexecuted"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list: ``filename::id::author``."""
    parts = text.split("::")
    return text if len(parts) >= 3 and all(p for p in parts) else None

#: databasechangelog as Liquibase 4 creates it on PostgreSQL (``IF NOT EXISTS`` added).
_CREATE_TABLE = """CREATE TABLE IF NOT EXISTS {table} (
    id VARCHAR(255) NOT NULL,
    author VARCHAR(255) NOT NULL,
    filename VARCHAR(255) NOT NULL,
    dateexecuted TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    orderexecuted INTEGER NOT NULL,
    exectype VARCHAR(10) NOT NULL,
    md5sum VARCHAR(35),
    description VARCHAR(255),
    comments VARCHAR(255),
    tag VARCHAR(255),
    liquibase VARCHAR(20),
    contexts VARCHAR(255),
    labels VARCHAR(255),
    deployment_id VARCHAR(10)
);"""

#: What the LIQUIBASE column holds when the table has no row to copy it from.
LIQUIBASE_VERSION = "4.28.0"


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The changesets ``databasechangelog`` records, in ORDEREXECUTED order, and notes.

    A recorded checksum is left out of the comparison where Liquibase would not compare it:
    NULL or of another algorithm version (upgraded by Liquibase itself), a ``runAlways``
    changeset, one the changeset lists in ``--validCheckSum`` (or ``ANY``).

    Args:
        rows: mappings with ``id``, ``author``, ``filename``, ``md5sum``, ``exectype`` and
            ``orderexecuted``.
        migrations: the changelog's changesets (their ``runAlways`` / ``validCheckSum``).
    """
    by_version = {m.version: m for m in migrations}
    found: dict[str, tuple[int, RecordedVersion]] = {}
    notes: list[str] = []
    older = failed = 0
    for row in rows:
        version = identity(str(row["filename"]), str(row["id"]), str(row["author"]))
        md5 = _common.row_text(row.get("md5sum"))
        if md5 and not md5.startswith(f"{CHECKSUM_VERSION}:"):
            older += 1
            md5 = None
        m = by_version.get(version)
        if md5 and m is not None:
            valid = [v.strip() for v in m.extra.get("validCheckSum", "").split(",") if v.strip()]
            if (m.extra.get("runAlways", "").lower() == "true" or md5 in valid
                    or any(v.upper() == "ANY" for v in valid)):
                md5 = None
        kind = str(row.get("exectype") or "").upper()
        failed += kind == "FAILED"
        order = int(str(row.get("orderexecuted") or 0))
        if version not in found and kind == "MARK_RAN":
            notes.append(f"{MARKED_RAN}{version}: EXECTYPE MARK_RAN: Liquibase marked it run "
                         "without running it (a precondition's onFail or onError MARK_RAN, or "
                         "changelog-sync): its effects may be absent by design; sync --prune "
                         "keeps its row unless --prune-marked-ran")
        found.setdefault(version, (order, RecordedVersion(version, md5,
                                                          marked_ran=kind == "MARK_RAN")))
    if older:
        notes.append(f"{older} row(s) hold a checksum of an older algorithm version: not "
                     "compared (Liquibase 4.22+ upgrades them on its next run)")
    if failed:
        notes.append(f"{failed} row(s) have EXECTYPE FAILED (failOnError:false): Liquibase "
                     "counts them as run")
    ordered = sorted(found.values(), key=lambda item: item[0])
    return tuple(v for _, v in ordered), tuple(notes)


def render_sync(ctx: SyncContext) -> SyncScript:
    """Liquibase's repair: the rows ``liquibase changelog-sync`` writes for the missing
    changesets.

    The script first takes ``databasechangeloglock`` (when it exists) and stops if Liquibase
    holds it. Each row: id, author, filename, ``now()``, the next ORDEREXECUTED, EXECTYPE
    ``EXECUTED``, the version-9 MD5SUM (NULL for an XML changeset: Liquibase fills it in),
    DESCRIPTION ``sql``, the changeset's comment, contexts and labels, the LIQUIBASE version of
    the newest row and one DEPLOYMENT_ID for the whole script. ``prune`` deletes rows.
    """
    table = _script.qualified(ctx.table)
    lock = _script.qualified((ctx.table[0], LOCK_TABLE))
    body: list[str] = [_lock_check(lock)]
    if not ctx.recorded.table_exists:
        body.append(_CREATE_TABLE.format(table=table))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    for version in ctx.prune:
        body.append(f"DELETE FROM {table} WHERE {_where(version)};")
    deployment = "right((extract(epoch FROM now()) * 1000)::bigint::text, 10)"
    version_sql = (f"COALESCE((SELECT liquibase FROM {table} ORDER BY orderexecuted DESC "
                   f"LIMIT 1), {_script.literal(LIQUIBASE_VERSION)})")
    for m in ctx.missing:  # already in changelog order
        filename, cid, author = _parts(m)
        contexts = m.extra.get("contextFilter") or m.extra.get("context")
        body.append(
            f"-- {_script.comment_text(m.version)}\n"
            f"INSERT INTO {table} (id, author, filename, dateexecuted, orderexecuted, exectype, "
            "md5sum, description, comments, tag, liquibase, contexts, labels, deployment_id)\n"
            f"SELECT {_script.literal(cid)}, {_script.literal(author)}, "
            f"{_script.literal(filename)}, now(), "
            f"(SELECT COALESCE(max(orderexecuted), 0) + 1 FROM {table}), 'EXECUTED', "
            f"{_script.literal(m.checksum)}, {_script.literal('' if m.opaque else 'sql')}, "
            f"{_script.literal(m.extra.get('comment', ''))}, NULL, {version_sql}, "
            f"{_script.literal(contexts or None)}, {_script.literal(m.extra.get('labels'))}, "
            f"{deployment}\n"
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {_where(m.version)});")
    return SyncScript(
        NAME, "script", _script.frame(ctx, "backfill databasechangelog", body),
        commands=("liquibase update",) if ctx.pending_after else (),
        inserted=tuple(m.version for m in ctx.missing),
        pruned=ctx.prune,
    )


def _parts(m: Migration) -> tuple[str, str, str]:
    """``(filename, id, author)`` of a changeset."""
    if {"filename", "id", "author"} <= m.extra.keys():
        return m.extra["filename"], m.extra["id"], m.extra["author"]
    return _split_version(m.version)


def _split_version(version: str) -> tuple[str, str, str]:
    """``filename::id::author`` -> its parts (an id may itself hold ``::``)."""
    filename, sep, rest = version.partition("::")
    cid, sep2, author = rest.rpartition("::")
    if not sep or not sep2:
        raise _script.SyncError(f"{version!r} is not a Liquibase changeset identity "
                                 "(filename::id::author)")
    return filename, cid, author


def _where(version: str) -> str:
    """The condition selecting a changeset's rows."""
    filename, cid, author = _split_version(version)
    return (f"id = {_script.literal(cid)} AND author = {_script.literal(author)} AND "
            f"filename = {_script.literal(filename)}")


def _lock_check(lock: str) -> str:
    """A block that holds ``databasechangeloglock`` for the transaction and stops when a
    Liquibase run holds it (a concurrent run then waits for this script)."""
    name = _script.literal(lock)
    return (
        "DO $schemadiff$\n"
        "DECLARE held text;\n"
        "BEGIN\n"
        f"    IF to_regclass({name}) IS NOT NULL THEN\n"
        f"        EXECUTE 'LOCK TABLE ' || {name} || ' IN EXCLUSIVE MODE';\n"
        f"        EXECUTE 'SELECT string_agg(coalesce(lockedby, ''?''), '', '') FROM ' || {name}"
        " || ' WHERE locked' INTO held;\n"
        "        IF held IS NOT NULL THEN\n"
        "            RAISE EXCEPTION 'Liquibase holds its lock (locked by %): wait for it to "
        "finish, or run liquibase release-locks if it is stale', held;\n"
        "        END IF;\n"
        "    END IF;\n"
        "END\n"
        "$schemadiff$;"
    )
