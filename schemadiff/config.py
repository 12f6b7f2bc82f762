"""Project configuration: ``schemadiff.toml`` or ``[tool.schemadiff]`` in ``pyproject.toml``.

Which file (the first that applies):

1. ``--config PATH`` (a ``schemadiff.toml``, or a ``pyproject.toml`` whose
   ``[tool.schemadiff]`` is read);
2. walking up from the working directory, the nearest directory holding a
   ``schemadiff.toml``, or a ``pyproject.toml`` with a ``[tool.schemadiff]`` table; in one
   directory ``schemadiff.toml`` wins over ``pyproject.toml``.

Which value: a flag given on the command line, else the file's key, else the default
(:func:`resolve` says which, for ``schemadiff config``). Paths in the file (``migrations``)
are relative to the file's directory. An unknown key or a value of the wrong type is a
one-line error naming the file and the key (exit 2).

This module reads files; :mod:`schemadiff.ignore` (the rules' matching) and the engine stay
pure.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from schemadiff.errors import Location, SchemaDiffError
from schemadiff.gate import DEFAULT
from schemadiff.ignore import parse_rule
from schemadiff.records import record

STANDALONE = "schemadiff.toml"
PYPROJECT = "pyproject.toml"


def _string(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(_string(v) for v in value)


@record
class Key:
    """One configuration key.

    Attributes:
        name: as the file spells it (``ignore.objects`` is ``objects`` in ``[ignore]``).
        param: the command-line parameter it stands for (click's name).
        flag: the flag as a user types it.
        check: whether a value has the right type; ``expects`` says what that is.
        choices: allowed values, when closed.
        default: the value when neither a flag nor the file gives one.
    """

    name: str
    param: str
    flag: str
    check: Callable[[Any], bool]
    expects: str
    choices: tuple[str, ...] = ()
    default: Any = None


KEYS: tuple[Key, ...] = (
    Key("migrations", "migrations", "--migrations", _string, "a directory (string)"),
    Key("tool", "tool", "--tool", _string, "a tool name (string)"),
    Key("history-table", "history_table", "--history-table", _string,
        "[SCHEMA.]NAME (string)"),
    Key("schemas", "schemas", "--schema", _strings, "a list of schema names", default=[]),
    Key("exclude-schemas", "exclude_schemas", "--exclude-schema", _strings,
        "a list of schema names", default=[]),
    Key("fail-on", "fail_on", "--fail-on", _strings, "a list of categories",
        default=list(DEFAULT)),
    Key("expected", "expected", "--expected", _string, "\"static\" or \"shadow\"",
        ("static", "shadow"), "static"),
    Key("shadow", "shadow", "--shadow", _string, "\"embedded\"", ("embedded",)),
    Key("shadow-dsn", "shadow_dsn", "--shadow-dsn", _string, "a connection string"),
    Key("ignore.objects", "ignore", "--ignore", _strings,
        "a list of \"KIND PATTERN\" rules", default=[]),
    Key("ignore.versions", "ignore_versions", "--ignore-version", _strings,
        "a list of version globs", default=[]),
    Key("placeholders", "placeholders", "--placeholder", _strings,
        "a list of \"NAME=VALUE\" (Flyway's placeholders)", default=[]),
)
BY_NAME = {k.name: k for k in KEYS}


@record
class ConfigFile:
    """A configuration file read: where, which table, and its values by key name."""

    path: Path
    table: str  # "" (schemadiff.toml) or "tool.schemadiff" (pyproject.toml)
    values: dict[str, Any] = field(default_factory=dict)

    def origin(self, key: str) -> str:
        dotted = f"{self.table}.{key}" if self.table else key
        return f"{self.path}: {dotted}"


@record
class Setting:
    """A resolved value and where it came from (``path: key``, ``flag --tool``, ``default``)."""

    value: Any
    origin: str


def find(start: Path) -> Path | None:
    """The nearest configuration file from ``start`` upward (None: there is none)."""
    for directory in (start, *start.parents):
        standalone = directory / STANDALONE
        if standalone.is_file():
            return standalone
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_section(pyproject):
            return pyproject
    return None


def _toml() -> Any:
    """The TOML parser, imported when a file is to be read (most runs have none to read)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the backport, same API
        import tomli as tomllib
    return tomllib


def _has_section(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
        # no "schemadiff" in the text, nor a \u escape that could spell it in a quoted key:
        # not our table (a project's pyproject.toml is not parsed for nothing)
        if "schemadiff" not in text and "\\u" not in text and "\\U" not in text:
            return False
        data = _toml().loads(text)
    except (OSError, ValueError):
        return False  # not ours to judge: a broken pyproject without our table
    tool = data.get("tool")
    return isinstance(tool, dict) and "schemadiff" in tool


def load(explicit: str | Path | None = None, cwd: Path | None = None) -> ConfigFile | None:
    """The configuration (``explicit``: ``--config``; else found from ``cwd`` upward)."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise SchemaDiffError("--config: no such file", Location(str(path)))
    else:
        found = find((cwd or Path.cwd()).resolve())
        if found is None:
            return None
        path = found
    return read(path)


def read(path: Path) -> ConfigFile:
    """One file read and checked (a ``pyproject.toml``: its ``[tool.schemadiff]``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaDiffError(f"cannot read: {exc}", Location(str(path))) from None
    tomllib = _toml()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        loc = Location(str(path), int(where[1]), int(where[2])) if where else Location(str(path))
        raise SchemaDiffError(f"not valid TOML: {message}", loc) from None
    table = ""
    if path.name == PYPROJECT:
        table = "tool.schemadiff"
        tool = data.get("tool", {})
        data = tool.get("schemadiff", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise SchemaDiffError("[tool.schemadiff] must be a table", Location(str(path)))
    file = ConfigFile(path, table)
    values = _flatten(data, file, text)
    return ConfigFile(path, table, values)


def _flatten(data: Mapping[str, Any], file: ConfigFile, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name == "ignore" and isinstance(value, dict):
            for sub, subvalue in value.items():
                out[f"ignore.{sub}"] = subvalue
        else:
            out[name] = value
    for name, value in out.items():
        key = BY_NAME.get(name)
        where = Location(file.path.as_posix(), _line_of(text, name.rpartition(".")[2]))
        shown = f"{file.table}.{name}" if file.table else name
        if key is None:
            known = ", ".join(k.name for k in KEYS)
            raise SchemaDiffError(f"unknown key {shown!r} (known: {known})", where)
        if not key.check(value):
            raise SchemaDiffError(f"{shown}: expected {key.expects}, got {value!r}", where)
        if key.choices and value not in key.choices:
            raise SchemaDiffError(
                f"{shown}: {value!r} is not one of {', '.join(key.choices)}", where
            )
        if name == "ignore.objects":
            for rule in value:
                try:
                    parse_rule(rule)
                except SchemaDiffError as exc:
                    raise SchemaDiffError(f"{shown}: {exc}", where) from None
    if "migrations" in out:
        out["migrations"] = str(file.path.parent / out["migrations"])
    return out


def _line_of(text: str, name: str) -> int:
    """The line where ``name = ...`` is written (0: not found), for the error's location."""
    pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=", re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else 0


def resolve(file: ConfigFile | None, flags: Mapping[str, tuple[Any, bool]]) -> dict[str, Setting]:
    """Every key's value and origin: a flag given (``flags[param] == (value, True)``), else
    the file's key, else the default. Keys whose parameter is not in ``flags`` are left out
    (a command without ``--fail-on`` has no fail-on)."""
    out: dict[str, Setting] = {}
    for key in KEYS:
        if key.param not in flags:
            continue
        value, given = flags[key.param]
        if given:
            out[key.name] = Setting(value, f"flag {key.flag}")
        elif file is not None and key.name in file.values:
            out[key.name] = Setting(file.values[key.name], file.origin(key.name))
        else:
            out[key.name] = Setting(key.default, "default")
    return out
