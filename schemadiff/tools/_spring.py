"""Spring Boot's configuration files, as far as Flyway's settings in them go.

``application.yml`` / ``application.yaml`` are read into flat dotted keys
(``spring.flyway.placeholders.schema``), as Spring flattens them; ``application.properties``
(and Flyway's and Liquibase's own files) are Java properties (:func:`properties`). Only what such
settings use is read: nested mappings, scalars (plain or quoted), block and flow lists (joined
with ``,``, as a comma-separated property). A YAML document that belongs to a profile
(``spring.config.activate.on-profile``, ``spring.profiles``) is left out: which profile ran is
not known. Spring's own ``${NAME:default}`` in a value is resolved from the environment, else
its default; a value that stays unresolved is left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["properties", "resolve", "yaml_settings"]

_PROPERTY = re.compile(r"^\s*([^#!\s][^=:\s]*)\s*[=:]\s*(.*?)\s*$")
_KEY = re.compile(r"""^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"][^:#]*?)\s*:(?:\s+(.*)|\s*)$""")
_SPRING_REF = re.compile(r"\$\{([^}:]+)(?::([^}]*))?\}")
_PROFILE_KEYS = ("spring.config.activate.on-profile", "spring.profiles")


def properties(text: str) -> dict[str, str]:
    """A Java properties file's pairs (``key=value``, ``key: value``; ``\\`` continues a line)."""
    out: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        while line.endswith("\\"):
            line = line[:-1] + next(lines, "").lstrip()
        m = _PROPERTY.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def yaml_settings(text: str) -> dict[str, str]:
    """The flat keys of the YAML documents of ``text`` that belong to no profile."""
    out: dict[str, str] = {}
    for document in re.split(r"(?m)^---[ \t]*$", text):
        flat = _flatten(document)
        if not any(k == p or k.startswith(p + ".") for k in flat for p in _PROFILE_KEYS):
            out.update(flat)
    return out


def resolve(value: str, environ: Mapping[str, str]) -> str | None:
    """``value`` with Spring's ``${NAME}`` / ``${NAME:default}`` resolved from ``environ``
    (Spring's relaxed form too: ``DB_SCHEMA`` for ``db.schema``); None when one has no value."""
    missing = False

    def one(m: re.Match[str]) -> str:
        nonlocal missing
        name, default = m.group(1).strip(), m.group(2)
        for candidate in (name, re.sub(r"[.\-]", "_", name).upper()):
            if candidate in environ:
                return environ[candidate]
        if default is None:
            missing = True
            return m.group(0)
        return default

    resolved = _SPRING_REF.sub(one, value)
    return None if missing else resolved


def _flatten(document: str) -> dict[str, str]:
    out: dict[str, str] = {}
    stack: list[tuple[int, str]] = []  # (indent, dotted key) of the open mappings
    lists: dict[str, list[str]] = {}
    for raw in document.splitlines():
        line = _strip_comment(raw).rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        item = body.startswith("- ") or body == "-"
        # a key closes the mappings at its indent or deeper; a list item belongs to the key
        # above it, which may sit at the item's own indent
        while stack and (stack[-1][0] > indent or (stack[-1][0] == indent and not item)):
            stack.pop()
        if item:
            if stack:
                lists.setdefault(stack[-1][1], []).append(_scalar(body[1:].strip()))
            continue
        m = _KEY.match(body)
        if m is None:
            continue
        key = _scalar(m.group(1))
        path = f"{stack[-1][1]}.{key}" if stack else key
        value = (m.group(2) or "").strip()
        if not value:
            stack.append((indent, path))
        elif value.startswith("[") and value.endswith("]"):
            out[path] = ",".join(_scalar(v.strip()) for v in value[1:-1].split(",") if v.strip())
        elif value not in ("|", ">", "|-", ">-"):
            out[path] = _scalar(value)
    for path, items in lists.items():
        out[path] = ",".join(items)
    return out


def _strip_comment(line: str) -> str:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _scalar(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)),
                      text[1:-1])
    return text
