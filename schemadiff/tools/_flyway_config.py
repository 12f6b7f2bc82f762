"""Flyway's placeholders: ``${name}`` in a script, replaced before Flyway runs it.

Rules (Flyway's ``PlaceholderReplacingReader`` and configuration loading):

- replacement is on unless ``placeholderReplacement`` is false (also per script, in the
  ``<script>.conf`` beside it); the marks are ``placeholderPrefix`` / ``placeholderSuffix``
  (``${`` and ``}``). Every occurrence is replaced, in comments and strings too; a name with no
  value makes Flyway refuse the script ("No value provided for placeholder"), so it cannot have
  run so: the text is kept, and the reader warns.
- values come from, weakest first: configuration files, the environment
  (``FLYWAY_PLACEHOLDERS_<NAME>``, the name lower-cased), and what the user gives here
  (``--placeholder NAME=VALUE``). Files are looked for in the migration directory and the
  directories above it (up to the repository's root): ``flyway.conf`` and ``conf/flyway.conf``
  (``flyway.placeholders.<name>=value``), ``flyway.toml`` and ``flyway.user.toml``
  (``[flyway.placeholders]``), and Spring Boot's ``application.properties`` and
  ``application.yml`` (``spring.flyway.placeholders.<name>``, its ``${NAME:default}``
  resolved from the environment; :mod:`schemadiff.tools._spring`); a nearer file wins.
- Flyway's own: ``flyway:defaultSchema`` (``defaultSchema``, else the first of ``schemas``,
  else ``public``, the connection's), ``flyway:table`` (``flyway_schema_history`` or
  ``--history-table``), ``flyway:filename``, and ``flyway:user`` / ``flyway:database`` where the
  configuration names them. ``flyway:timestamp`` and the rest depend on the run: no value.

The checksum of a versioned script is Flyway's of the file as written (placeholders
unreplaced); a repeatable's is of its text with them replaced (``SqlMigrationResolver``: a new
value runs it again).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote

from schemadiff.records import record
from schemadiff.tools import _common, _spring

_JDBC_DATABASE = re.compile(r"jdbc:postgresql://[^/]*/([^?;]+)")
_JDBC_CURRENT_SCHEMA = re.compile(r"[?&]currentSchema=([^&;]+)", re.IGNORECASE)
_ENV_PREFIX = "FLYWAY_PLACEHOLDERS_"


@record
class Placeholders:
    """What Flyway replaces in the scripts of one directory.

    Attributes:
        values: name -> value (Flyway's own under ``flyway:...``; ``flyway:filename`` is
            per script).
        prefix, suffix: the marks around a name.
        enabled: ``placeholderReplacement``.
    """

    values: Mapping[str, str]
    prefix: str = "${"
    suffix: str = "}"
    enabled: bool = True

    def replace(self, text: str, filename: str) -> tuple[str, list[tuple[int, str]]]:
        """``text`` with every known placeholder replaced, and ``(line, name)`` of those that
        have no value (kept as written)."""
        if not self.enabled or self.prefix not in text:
            return text, []
        values = {**self.values, "flyway:filename": filename}
        out: list[str] = []
        missing: list[tuple[int, str]] = []
        pos = 0
        while (start := text.find(self.prefix, pos)) >= 0:
            end = text.find(self.suffix, start + len(self.prefix))
            if end < 0:
                break
            name = text[start + len(self.prefix):end]
            value = values.get(name)
            out.append(text[pos:start])
            if value is None:
                missing.append((text.count("\n", 0, start) + 1, name))
                out.append(text[start:end + len(self.suffix)])
            else:
                out.append(value)
            pos = end + len(self.suffix)
        out.append(text[pos:])
        return "".join(out), missing


def settings(root: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Flyway's settings for the scripts under ``root``, from its configuration files
    (flyway.conf-style keys without the ``flyway.`` prefix: ``schemas``, ``placeholders.x``)."""
    out: dict[str, str] = {}
    env = os.environ if environ is None else environ
    for path in reversed(list(_config_files(root))):  # the farthest first: nearer ones win
        out.update(_read_config(path, env))
    return out


def current_schema(configured: Mapping[str, str]) -> str | None:
    """The first schema of the JDBC URL's ``currentSchema`` (PgJDBC sets the search_path to
    it), or None."""
    m = _JDBC_CURRENT_SCHEMA.search(configured.get("url", ""))
    if m is None:
        return None
    first = unquote(m.group(1)).split(",")[0].strip()
    return first or None


def schemas(configured: Mapping[str, str]) -> list[str]:
    """``schemas``, in order (a comma-separated list)."""
    return [s.strip() for s in configured.get("schemas", "").split(",") if s.strip()]


def placeholders(root: Path, given: Sequence[tuple[str, str]] = (),
                 history_table: str | None = None,
                 environ: Mapping[str, str] | None = None,
                 configured: Mapping[str, str] | None = None) -> Placeholders:
    """The placeholders Flyway would use for the scripts under ``root`` (``configured``: its
    :func:`settings`, when the caller has read them)."""
    env = os.environ if environ is None else environ
    settings_ = dict(configured) if configured is not None else settings(root, env)
    for key, value in env.items():
        if key.startswith(_ENV_PREFIX) and len(key) > len(_ENV_PREFIX):
            settings_["placeholders." + key[len(_ENV_PREFIX):].lower()] = value
    for name, value in given:
        settings_["placeholders." + name] = value
    values = {k.removeprefix("placeholders."): v for k, v in settings_.items()
              if k.startswith("placeholders.")}
    listed = schemas(settings_)
    values.setdefault("flyway:defaultSchema",
                      settings_.get("defaultSchema") or (listed[0] if listed else "public"))
    table = history_table.rpartition(".")[2] if history_table else None
    values.setdefault("flyway:table", table or settings_.get("table") or "flyway_schema_history")
    if settings_.get("user"):
        values.setdefault("flyway:user", settings_["user"])
    database = _JDBC_DATABASE.match(settings_.get("url", ""))
    if database:
        values.setdefault("flyway:database", database.group(1))
    return Placeholders(
        values=values,
        prefix=settings_.get("placeholderPrefix") or "${",
        suffix=settings_.get("placeholderSuffix") or "}",
        enabled=settings_.get("placeholderReplacement", "true").strip().lower() != "false",
    )


def script_enabled(script: Path) -> bool:
    """False when the script's own ``<script>.conf`` turns replacement off."""
    conf = script.with_name(script.name + ".conf")
    if not conf.is_file():
        return True
    settings = _spring.properties(conf.read_text("utf-8", errors="replace"))
    return settings.get("placeholderReplacement", "true").strip().lower() != "false"


def _config_files(root: Path) -> Iterator[Path]:
    """Configuration files from ``root`` upwards, the nearest first."""
    for here in _common.project_dirs(root):
        for name in ("flyway.user.toml", "flyway.toml", "flyway.conf", "conf/flyway.conf",
                     "application.properties", "application.yml", "application.yaml"):
            path = here / name
            if path.is_file():
                yield path


def _read_config(path: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The Flyway settings of one file (keys without ``flyway.``: ``placeholders.x``,
    ``defaultSchema``); unreadable or malformed files give none. Spring Boot's files
    (``spring.flyway.*``) have their ``${NAME:default}`` resolved from ``environ``."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return {}
    if path.suffix == ".toml":
        return _toml_settings(text)
    if not path.name.startswith("application."):
        return {key[len("flyway."):]: value for key, value in _spring.properties(text).items()
                if key.startswith("flyway.")}
    pairs = (_spring.yaml_settings(text) if path.suffix != ".properties"
             else _spring.properties(text))
    if "spring.datasource.url" in pairs:  # Flyway's connection, unless it has its own
        pairs.setdefault("spring.flyway.url", pairs["spring.datasource.url"])
    out: dict[str, str] = {}
    for key, value in pairs.items():
        resolved = _spring.resolve(value, environ) if key.startswith("spring.flyway.") else None
        if resolved is not None:
            out[_camel(key[len("spring.flyway."):])] = resolved
    return out


def _camel(key: str) -> str:
    """Spring's relaxed name to Flyway's (``default-schema`` -> ``defaultSchema``); a
    placeholder's own name is kept."""
    if key.startswith("placeholders."):
        return key
    head, *rest = key.split("-")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _toml_settings(text: str) -> dict[str, str]:
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}
    flyway = data.get("flyway")
    if not isinstance(flyway, dict):
        return {}
    out = {k: _toml_text(v) for k, v in flyway.items() if not isinstance(v, dict)}
    for name, value in (flyway.get("placeholders") or {}).items():
        out["placeholders." + str(name)] = _toml_text(value)
    return out


def _toml_text(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
