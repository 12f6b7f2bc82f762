"""Ignore rules: objects and versions a team declares "not ours", matched with fnmatch globs.

An object rule is ``"KIND PATTERN"``: ``KIND`` is an object kind (``table``, ``index``,
``function`` ...) or ``*`` for any kind; ``PATTERN`` an :mod:`fnmatch` glob (case-sensitive,
as PostgreSQL names are). A pattern with a dot is matched against the qualified name
(``schema.name``; ``schema.table.name`` for columns, constraints, triggers and policies;
functions without their arguments), one without a dot against the bare name in any schema
(``*`` crosses dots, as in fnmatch: ``index *_2026*`` is any schema's)::

    table public.audit_*     tables of public named audit_...
    index *_2026*            indexes named ..._2026... in any schema
    * legacy.*               every object of schema legacy

What lives on an ignored table (its columns, constraints, indexes, triggers, policies, owned
sequences) is ignored with it, and so is what is in an ignored schema (``schema legacy``; a
rule ``KIND S.*`` matches schema ``S`` itself too). A version rule is a glob over version strings
(``"20240101*"``). Ignored objects are filtered from differences and drift, ignored versions
from inference's findings and the sync; both are always counted in reports
(:class:`Ignored`), never dropped silently. Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from schemadiff.errors import SchemaDiffError
from schemadiff.kinds import KINDS, table_of
from schemadiff.model import TABLE_LEVEL_KINDS, Catalog, Key
from schemadiff.records import record

if TYPE_CHECKING:
    from schemadiff.inference import Inference


@record
class ObjectRule:
    """``kind pattern`` (``kind`` ``*``: any kind)."""

    kind: str
    pattern: str

    @property
    def text(self) -> str:
        return f"{self.kind} {self.pattern}"

    def matches(self, key: Key) -> bool:
        if self.kind != "*" and self.kind != key.kind:
            return False
        if key.kind == "schema" and self.pattern.endswith(".*"):
            # everything in the schema: the schema too
            return fnmatchcase(key.name, self.pattern[:-2])
        return fnmatchcase(_name(key, qualified="." in self.pattern), self.pattern)


def _name(key: Key, *, qualified: bool) -> str:
    if key.kind == "schema":
        return key.name
    own = key.sub if key.kind in TABLE_LEVEL_KINDS else key.name
    if not qualified:
        return own
    if key.kind in TABLE_LEVEL_KINDS:
        return f"{key.schema}.{key.name}.{key.sub}"
    return f"{key.schema}.{key.name}" if key.schema else key.name


def parse_rule(text: str) -> ObjectRule:
    """``"table public.audit_*"`` → :class:`ObjectRule`; a bad rule raises one line."""
    parts = text.split()
    if len(parts) != 2:
        raise SchemaDiffError(
            f"ignore rule {text!r}: write KIND PATTERN (e.g. 'table public.audit_*', "
            f"'* legacy.*')"
        )
    kind, pattern = parts
    if kind != "*" and kind not in KINDS:
        raise SchemaDiffError(
            f"ignore rule {text!r}: unknown kind {kind!r}; use * or one of {', '.join(KINDS)}"
        )
    return ObjectRule(kind, pattern)


@record
class Count:
    """How many objects (or versions) one rule took out."""

    rule: str
    what: str  # "object" or "version"
    count: int


@record
class Ignored:
    """What the rules matched: the keys to leave out, and the count per rule."""

    keys: frozenset[Key] = frozenset()
    counts: tuple[Count, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.counts)


def ignored_objects(
    rules: Sequence[ObjectRule], catalogs: Iterable[Catalog],
    keep: Callable[[Key], bool] | None = None,
) -> Ignored:
    """The keys of ``catalogs`` (either side) the rules match, with what lives on them.

    Counted per rule (the first that matches): the objects matched themselves, not what
    lives on a matched table. ``keep``: the comparison's other filters (an object they leave
    out anyway is not counted).
    """
    if not rules:
        return Ignored()
    objects = {}
    for catalog in catalogs:
        for key, obj in catalog.objects.items():
            objects.setdefault(key, obj)
    direct: dict[Key, str] = {}
    for key in objects:
        if keep is not None and not keep(key):
            continue
        for rule in rules:
            if rule.matches(key):
                direct[key] = rule.text
                break
    schemas = {k.name: direct[k] for k in direct if k.kind == "schema"}
    counted = dict(direct)
    for key in objects:  # what is in an ignored schema: counted there unless matched itself
        if key.kind != "schema" and key.schema in schemas:
            counted.setdefault(key, schemas[key.schema])
    keys = set(counted)
    tables = {k for k in keys if k.kind == "table"}
    for key, obj in objects.items():
        table = table_of(key, obj)
        if table is not None and table in tables:
            keys.add(key)
            counted.pop(key, None)  # counted with its table
    per_rule = {r.text: 0 for r in rules}
    for text in counted.values():
        per_rule[text] += 1
    counts = tuple(Count(r, "object", n) for r, n in per_rule.items())
    return Ignored(frozenset(keys), counts)


def ignored_versions(patterns: Sequence[str], versions: Iterable[str]) -> dict[str, str]:
    """version → the first pattern matching it."""
    out: dict[str, str] = {}
    for version in versions:
        for pattern in patterns:
            if fnmatchcase(version, pattern):
                out[version] = pattern
                break
    return out


def version_counts(patterns: Sequence[str], matched: dict[str, str]) -> tuple[Count, ...]:
    per = {p: 0 for p in patterns}
    for pattern in matched.values():
        per[pattern] += 1
    return tuple(Count(p, "version", n) for p, n in per.items())


def drop_versions(result: Inference, patterns: Sequence[str]) -> None:
    """Take the versions ``patterns`` match out of ``result``'s findings (and so out of the
    sync and the gate), and count them in ``result.ignored``. Their verdicts stay, for the
    report; a partial one is no longer partial for the gate."""
    versions = [v.migration.version for v in result.verdicts]
    seen = set(versions)
    versions += [v for v in result.recorded.applied if v not in seen]
    matched = ignored_versions(patterns, versions)
    gone = frozenset(matched)
    result.ignored_versions = gone
    for name in ("missing_from_history", "recorded_not_applied", "recorded_not_in_code",
                 "checksum_mismatch", "unverified"):
        setattr(result, name, [v for v in getattr(result, name) if v not in gone])
    result.ignored = [*result.ignored, *version_counts(patterns, matched)]


@record
class Rules:
    """Every ignore rule of a run (from the configuration and ``--ignore`` flags)."""

    objects: tuple[ObjectRule, ...] = ()
    versions: tuple[str, ...] = ()

    @classmethod
    def parse(cls, objects: Iterable[str] = (), versions: Iterable[str] = ()) -> Rules:
        return cls(tuple(parse_rule(t) for t in objects), tuple(versions))

    def __bool__(self) -> bool:
        return bool(self.objects or self.versions)


def summary(counts: Iterable[Count]) -> list[str]:
    """``3 objects ignored by rule `table public.audit_*```, one line per rule."""
    out = []
    for c in counts:
        noun = c.what if c.count == 1 else c.what + "s"
        out.append(f"{c.count} {noun} ignored by rule `{c.rule}`")
    return out


__all__ = ["Count", "Ignored", "ObjectRule", "Rules", "drop_versions", "ignored_objects",
           "ignored_versions", "parse_rule", "summary", "version_counts"]
