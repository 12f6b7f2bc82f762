"""Which migration tool a directory belongs to: its files' layout and the database's history.

A directory of ``NNN_name.up.sql`` / ``.down.sql`` files is both sqlx's and golang-migrate's;
goose files are valid sqlx file names. The files alone cannot always say which tool wrote the
history, and reading them with the wrong reader answers another question (sqlx's checksums
against a goose table, golang-migrate's single row written into a database that keeps
``_sqlx_migrations``). So the choice weighs two kinds of evidence:

- the **files**: each reader's ``detect`` score (:func:`schemadiff.tools.detect_scores`); a
  score of :data:`~schemadiff.tools.STRONG` or more is a layout only that tool uses (its
  annotations, ``atlas.sum``, its directory shape);
- the **database**: the history tables it holds (:class:`ToolEvidence`, read live with SELECTs
  only or from a dump's ``CREATE TABLE`` and data). A table is a tool's when it has the tool's
  name (or the ``--history-table`` given) and the tool's columns; it is *strong* evidence when
  some of its rows are versions of the directory as that tool reads it, *weak* when it is
  empty or its rows were not read.

:func:`choose_tool` combines them (the rules are in its docstring) and either names the tool
or raises a one-line :class:`~schemadiff.errors.MigrationError` that names the candidates and
the flag that settles it. Pure: values in, values out; the reading happens in
``schemadiff.sources.tool_evidence`` and ``schemadiff.tools``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field
from types import ModuleType

from schemadiff.errors import Location, MigrationError
from schemadiff.records import record

__all__ = [
    "Claim",
    "HistoryTable",
    "ToolChoice",
    "ToolEvidence",
    "choose_tool",
    "claims",
    "owners",
]

#: A file score at or above this is a layout only that tool uses (``schemadiff.tools.STRONG``).
STRONG = 80

Row = Mapping[str, "str | None"]


@record
class HistoryTable:
    """A table that may be a migration tool's history.

    Attributes:
        schema: its schema (``""`` when unknown: a dump's unqualified ``INSERT``).
        name: its name.
        columns: its column names.
        rows: its rows as text (column -> value), or None when they were not read (a
            ``--schema-only`` dump, a role without SELECT on it).
    """

    schema: str
    name: str
    columns: frozenset[str]
    rows: tuple[Row, ...] | None = field(default=None, compare=False)

    @property
    def display(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@record
class ToolEvidence:
    """What a database (live or dumped) says about the migration tools that used it.

    Attributes:
        source: ``live`` or ``dump``.
        tables: every table named like a tool's history table (or like ``--history-table``).
    """

    source: str
    tables: tuple[HistoryTable, ...] = ()


@record
class Claim:
    """One tool's history table in the database, weighed against the directory.

    Attributes:
        tool: the tool whose table it is.
        table: the table.
        matched: how many of its recorded versions are versions of the directory as ``tool``
            reads it (0 when the directory is not readable as ``tool``).
        recorded: how many versions it records (None: rows not read).
    """

    tool: str
    table: HistoryTable
    matched: int = 0
    recorded: int | None = None

    @property
    def strong(self) -> bool:
        """Rows that are versions of this directory: the tool ran these files here."""
        return self.matched > 0

    def describe(self) -> str:
        """``sqlx's history in public._sqlx_migrations (3 versions, 3 of them files here)``."""
        where = f"{self.tool}'s history in {self.table.display}"
        if self.recorded is None:
            return f"{where} (its rows not read)"
        if self.recorded == 0:
            return f"{where} (empty)"
        if self.matched == 0:
            return f"{where} ({self.recorded} version(s), none of them a file here)"
        return f"{where} ({self.recorded} version(s), {self.matched} of them files here)"


@record
class ToolChoice:
    """The tool chosen and why (said on stderr when it was not given)."""

    tool: str
    reason: str


def owners(
    table: HistoryTable, modules: Mapping[str, ModuleType], history_table: str | None = None
) -> list[str]:
    """The tools whose history ``table`` can be.

    A tool owns a table named like one of its ``HISTORY_TABLES`` (or like ``history_table``,
    the ``--history-table`` given) that has every column of its ``HISTORY_COLUMNS``. When several
    tools fit, the most specific ones win: golang-migrate's ``schema_migrations (version,
    dirty)`` is not dbmate's ``schema_migrations (version)``.
    """
    fits = [
        name
        for name, module in modules.items()
        if _named_like(table, module, history_table)
        and module.HISTORY_COLUMNS.issubset(table.columns)
    ]
    columns = {name: modules[name].HISTORY_COLUMNS for name in fits}
    return [n for n in fits if not any(columns[n] < columns[other] for other in fits)]


def _named_like(table: HistoryTable, module: ModuleType, history_table: str | None) -> bool:
    wanted = list(module.HISTORY_TABLES)
    if history_table:
        schema, dot, name = history_table.rpartition(".")
        wanted.append((schema, name) if dot else ("", history_table))
    return any(
        name == table.name and (not schema or not table.schema or schema == table.schema)
        for schema, name in wanted
    )


def claims(
    evidence: ToolEvidence | None,
    modules: Mapping[str, ModuleType],
    versions: Mapping[str, frozenset[str] | None],
    history_table: str | None = None,
) -> dict[str, Claim]:
    """Each tool's strongest claim on the database.

    Args:
        evidence: the database's history tables (None: no database to ask).
        modules: the tool modules by name.
        versions: per tool, the directory's versions as that tool reads them; None when its
            reader refuses the directory (a tool missing here counts as refusing).
        history_table: ``--history-table``, when given.
    """
    out: dict[str, Claim] = {}
    if evidence is None:
        return out
    for table in evidence.tables:
        for tool in owners(table, modules, history_table):
            claim = _claim(tool, table, modules[tool], versions.get(tool))
            best = out.get(tool)
            if best is None or (claim.matched, claim.recorded or 0) > (
                best.matched,
                best.recorded or 0,
            ):
                out[tool] = claim
    return out


def _claim(
    tool: str, table: HistoryTable, module: ModuleType, files: frozenset[str] | None
) -> Claim:
    if table.rows is None:
        return Claim(tool, table)
    try:
        recorded, _notes = module.parse_history(list(table.rows), ())
    except (KeyError, ValueError, TypeError):  # rows that are not this tool's after all
        return Claim(tool, table, 0, len(table.rows))
    found = {v.version for v in recorded}
    return Claim(tool, table, len(found & files) if files else 0, len(found))


def choose_tool(
    root: str,
    scores: Mapping[str, int],
    found: Mapping[str, Claim],
    *,
    explicit: str | None = None,
    force: bool = False,
    layouts: Mapping[str, str] | None = None,
) -> ToolChoice:
    """The tool to read ``root`` with.

    Rules, ``F`` being the tools with a distinctive file layout (score >= :data:`STRONG`),
    ``G`` those the files fit at all (score > 0), ``D`` the tools with strong database
    evidence (rows that are versions of these files):

    - ``--tool X``: refused when ``D`` is not empty and lacks X (the database keeps another
      tool's history of these very files), or when ``F`` is not empty and X is in neither
      ``F`` nor ``D`` (goose annotations read as sqlx files); ``--force-tool`` takes X anyway.
    - otherwise, with ``F`` not empty: the one tool of ``F`` that ``D`` confirms, else ``F``'s
      only tool when ``D`` is empty; ``D`` naming other tools contradicts the files (error).
    - with a generic layout: the one tool of ``D`` (an error when it is outside ``G``: the
      files do not look like that tool's, or when ``D`` has several); without ``D``, the one
      tool of ``G`` that has a history table (empty or unread) here; several such tools are
      ambiguous; none, the best file score (a tie is ambiguous).

    Args:
        root: the directory, for messages.
        scores: every tool's ``detect`` score.
        found: :func:`claims`' result.
        explicit: ``--tool``, when given.
        force: ``--force-tool``.
        layouts: per tool, what marks its files (the modules' ``LAYOUT``), for messages.

    Raises:
        MigrationError: the evidence contradicts ``explicit`` or itself, or is ambiguous; the
            message names the candidates and the flag that settles it.
    """
    where = Location(root)
    layouts = layouts or {}
    strong_files = [t for t, s in scores.items() if s >= STRONG]
    fits = [t for t, s in scores.items() if s > 0]
    db = [t for t, c in found.items() if c.strong]

    def files_say(tools: Iterable[str]) -> str:
        return " and ".join(f"{t}'s ({layouts[t]})" if t in layouts else f"{t}'s" for t in tools)

    def db_says(tools: Iterable[str]) -> str:
        return " and ".join(found[t].describe() for t in tools)

    if explicit is not None:
        if force:
            return ToolChoice(explicit, "--force-tool")
        if db and explicit not in db:
            raise MigrationError(
                f"--tool {explicit} contradicts the database: it keeps {db_says(db)}; pass "
                f"{_either(db)}, or --force-tool to read the files as {explicit} anyway",
                where,
            )
        if strong_files and explicit not in strong_files and explicit not in db:
            raise MigrationError(
                f"--tool {explicit} contradicts the files: they are "
                f"{files_say(strong_files)}; pass {_either(strong_files)}, or --force-tool "
                f"to read them as {explicit} anyway",
                where,
            )
        return ToolChoice(explicit, "--tool")

    if strong_files:
        confirmed = [t for t in strong_files if t in db]
        if len(confirmed) == 1:
            return ToolChoice(
                confirmed[0], f"the files are {files_say(confirmed)}, the database keeps "
                f"{db_says(confirmed)}"
            )
        if db and not confirmed:
            raise MigrationError(
                f"the files are {files_say(strong_files)} but the database keeps "
                f"{db_says(db)}; pass {_either([*strong_files, *db])}",
                where,
            )
        if len(strong_files) == 1:
            return ToolChoice(strong_files[0], f"the files are {files_say(strong_files)}")
        raise MigrationError(
            f"ambiguous migration layout: looks like {' and '.join(strong_files)}; pass "
            f"{_either(strong_files)}",
            where,
        )

    if db:
        if len(db) > 1:
            raise MigrationError(
                f"ambiguous: the database keeps {db_says(db)}; pass {_either(db)}", where
            )
        tool = db[0]
        if tool not in fits:
            best = _best(scores)
            raise MigrationError(
                f"the database keeps {db_says(db)} but the files do not look like {tool}'s"
                + (f": they look like {files_say(best)}" if best else "")
                + f"; pass {_either([tool, *best])}",
                where,
            )
        return ToolChoice(tool, f"the database keeps {db_says(db)}")

    weak = [t for t in fits if t in found]
    if len(weak) == 1:
        return ToolChoice(
            weak[0], f"the files fit {files_say(weak)} and the database has {db_says(weak)}"
        )
    if len(weak) > 1:
        raise MigrationError(
            f"ambiguous: the files fit {' and '.join(weak)} and the database has "
            f"{db_says(weak)}; pass {_either(weak)}",
            where,
        )
    best = _best(scores)
    if not best:
        raise MigrationError(
            f"no known migration layout; pass --tool (one of: {', '.join(scores)})", where
        )
    if len(best) > 1:
        raise MigrationError(
            f"ambiguous migration layout: looks like {' and '.join(best)}; pass "
            f"{_either(best)}",
            where,
        )
    return ToolChoice(best[0], f"the files are {files_say(best)}")


def _best(scores: Mapping[str, int]) -> list[str]:
    """The tools with the highest positive score."""
    top = max(scores.values(), default=0)
    return [t for t, s in scores.items() if s == top] if top > 0 else []


def _either(tools: Iterable[str]) -> str:
    """``--tool a or --tool b`` (each tool once, in order)."""
    return " or ".join(f"--tool {t}" for t in dict.fromkeys(tools))
