"""Alembic: revision scripts (``versions/*.py``) whose SQL comes from Alembic's offline mode.

Alembic writes no SQL files: a revision is Python calling ``op.*``. Its SQL is what Alembic
renders in offline mode, ``alembic upgrade base:heads --sql``: one script in which each
revision's block starts with Alembic's own comment ``-- Running upgrade A -> B`` (``A`` the
revision's ``down_revision``\\ s, empty for a root, ``B`` the revision). That output comes
either from the user (``--alembic-sql FILE``, or a single ``*.sql`` holding such comments in
the migration directory) or from Alembic itself, run here when it is importable and
``--alembic-ini PATH`` is given (offline mode needs no database and connects to none, as
long as ``env.py`` follows Alembic's template and checks ``context.is_offline_mode()``).

Rules (``alembic/script/base.py``, ``alembic/script/revision.py``,
``alembic/runtime/migration.py``):

- the migration directory is the script directory (``env.py``, ``versions/``) or the
  ``versions`` directory itself; every ``*.py`` there but ``__init__.py`` and ``.#*`` is a
  revision script, read without running it: ``revision``, ``down_revision``,
  ``depends_on`` and ``branch_labels`` must be literal assignments (plain or annotated).
- the version is the revision id, as ``alembic_version.version_num`` stores it. The message
  is the docstring's first paragraph (``Script.doc``).
- the graph: a revision needs its ``down_revision`` (one, several for a merge, none for a
  root) and its ``depends_on`` (revisions or branch labels). Migrations are listed in the
  order of the offline output's blocks, Alembic's own order, which respects the graph.
- ``in_transaction``: Alembic wraps the output in ``BEGIN;``/``COMMIT;`` for PostgreSQL; a
  block holding ``COMMIT;`` (``op.get_context().autocommit_block()``) runs partly outside.
- no checksum.

History: ``alembic_version (version_num)`` holds only the head(s); every ancestor of a head
(``down_revision`` and ``depends_on``, transitively) counts as applied, as Alembic counts
it. The repair is what ``alembic stamp`` runs: ``UPDATE`` of a head moving along its branch,
``INSERT`` of a new branch head, ``DELETE`` of a branch that goes away.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from schemadiff.migration import Migration
from schemadiff.recorded import RecordedVersion
from schemadiff.records import record
from schemadiff.tools import _common, _script
from schemadiff.tools.protocol import SyncContext, SyncError, SyncScript, ToolOptions

NAME = "alembic"
LAYOUT = "'versions/*.py' revision scripts"
VERSION_SYNTAX = "a revision id (alembic_version.version_num)"
SQL_FROM_TOOL = True
HISTORY_TABLES: frozenset[tuple[str, str]] = frozenset({("", "alembic_version")})

#: The offline command schemadiff runs (and asks the user to run).
OFFLINE_COMMAND = ("upgrade", "base:heads", "--sql")

_SCRIPT_FILE = re.compile(r"(?!\.#|__init__)(.*\.py)$")
_REVISION_LINE = re.compile(r"^revision\s*(?::[^=\n]*)?=", re.MULTILINE)
_DOWN_LINE = re.compile(r"^down_revision\s*(?::[^=\n]*)?=", re.MULTILINE)
_MARKER = re.compile(r"^-- Running (upgrade|downgrade) (.*?) -> (.*?)\s*$")
_ANY_MARKER = re.compile(r"^-- Running upgrade .* -> ", re.MULTILINE)
_TX_LINE = re.compile(r"^\s*(BEGIN|COMMIT)\s*;\s*$", re.IGNORECASE)
_FIELDS = ("revision", "down_revision", "depends_on", "branch_labels")


def checksum(data: bytes) -> str | None:
    """Alembic records no checksum."""
    return None


@record
class Script:
    """One revision script, as read from its source.

    Attributes:
        revision: the id.
        down_revisions: its ``down_revision`` ids (empty for a root).
        depends_on: its ``depends_on`` entries (revision ids or branch labels), as written.
        branch_labels: its branch labels.
        message: the docstring's first paragraph.
        path: the script file.
        lines: the line of each assignment, for messages.
    """

    revision: str
    down_revisions: tuple[str, ...]
    depends_on: tuple[str, ...]
    branch_labels: tuple[str, ...]
    message: str
    path: Path
    lines: Mapping[str, int]


def versions_dir(root: Path) -> Path:
    """The directory holding the revision scripts: ``root/versions`` when it exists."""
    return root / "versions" if _common.is_dir(root / "versions") else root


def _script_files(root: Path) -> list[Path]:
    directory = versions_dir(root)
    return [p for p in _common.entries(directory)
            if _SCRIPT_FILE.fullmatch(p.name) and not _common.is_dir(p)]


def detect(root: Path) -> int:
    """100 when a ``*.py`` file (in ``root`` or ``root/versions``) assigns ``revision`` and
    ``down_revision`` at top level, else 0."""
    for path in _script_files(root):
        text = _common.head_text(path)
        if _REVISION_LINE.search(text) and _DOWN_LINE.search(text):
            return 100
    return 0


def read_scripts(root: Path) -> list[Script]:
    """Every revision script of ``root``, in file-name order.

    Raises:
        MigrationError: a script that is not valid Python, lacks ``revision``, assigns one of
            the graph's variables something other than a literal, or shares its revision id
            with another script.
    """
    scripts: list[Script] = []
    seen: dict[str, Script] = {}
    for path in _script_files(root):
        script = _read_script(path)
        other = seen.get(script.revision)
        if other is not None:
            raise _common.fail(f"revision {script.revision!r} is defined twice: {other.path} "
                               f"and {path}", path, script.lines["revision"])
        seen[script.revision] = script
        scripts.append(script)
    return scripts


def _read_script(path: Path) -> Script:
    """The revision variables of one script, read with :mod:`ast` (the script is not run)."""
    _, text = _common.read_text(path)
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise _common.fail(f"not valid Python: {exc.msg}", path, exc.lineno or 0) from None
    values: dict[str, tuple[str, ...] | None] = {}
    lines: dict[str, int] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in _FIELDS:
            values[target.id] = _literal_ids(value, target.id, path)
            lines[target.id] = node.lineno
    revision = values.get("revision")
    if "revision" not in values:
        raise _common.fail("no 'revision' variable: Alembic cannot tell this script's "
                           "revision id", path)
    if not revision or len(revision) != 1:
        raise _common.fail("'revision' must be one string", path, lines["revision"])
    doc = ast.get_docstring(tree, clean=False) or ""
    return Script(
        revision=revision[0],
        down_revisions=values.get("down_revision") or (),
        depends_on=values.get("depends_on") or (),
        branch_labels=values.get("branch_labels") or (),
        message=re.split("\n\n", doc)[0].strip(),
        path=path,
        lines=lines,
    )


def _literal_ids(node: ast.expr, name: str, path: Path) -> tuple[str, ...] | None:
    """A revision variable's value: None, one string, or a tuple/list of strings."""
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, str)):
        return None if node.value is None else (node.value,)
    if isinstance(node, (ast.Tuple, ast.List)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return tuple(e.value for e in node.elts)  # type: ignore[attr-defined]
    raise _common.fail(f"'{name}' must be a literal (None, a string, or a tuple of strings) "
                       "for schemadiff to read the revision graph without running the script",
                       path, node.lineno)


def resolve_graph(scripts: Sequence[Script]) -> dict[str, tuple[str, ...]]:
    """Each revision's prerequisites: its down revisions, then its dependencies (branch
    labels resolved to the revision that carries them), as Alembic resolves them.

    Raises:
        MigrationError: a reference to no known revision or label, or a cycle (located at
            the ``down_revision`` / ``depends_on`` line of a script on it).
    """
    by_id = {s.revision: s for s in scripts}
    labels = {label: s.revision for s in scripts for label in s.branch_labels}
    graph: dict[str, tuple[str, ...]] = {}
    for s in scripts:
        needs: list[str] = []
        for field, refs in (("down_revision", s.down_revisions), ("depends_on", s.depends_on)):
            for ref in refs:
                target = ref if ref in by_id else labels.get(ref)
                if target is None and field == "depends_on":
                    target = _unique_prefix(ref, by_id)
                if target is None:
                    raise _common.fail(f"{field} {ref!r} names no revision in "
                                       f"{versions_dir(s.path.parent)}", s.path,
                                       s.lines.get(field, 0))
                if target not in needs:
                    needs.append(target)
        graph[s.revision] = tuple(needs)
    cycle = _find_cycle(graph)
    if cycle:
        first = by_id[cycle[0]]
        field = "down_revision" if cycle[1] in first.down_revisions else "depends_on"
        raise _common.fail("revision cycle: " + " -> ".join([*cycle, cycle[0]]), first.path,
                           first.lines.get(field, 0))
    return graph


def _unique_prefix(ref: str, by_id: Mapping[str, Script]) -> str | None:
    """The one revision whose id starts with ``ref`` (Alembic accepts partial ids there)."""
    hits = [rev for rev in by_id if rev.startswith(ref)]
    return hits[0] if len(hits) == 1 else None


def _find_cycle(graph: Mapping[str, tuple[str, ...]]) -> list[str]:
    """A cycle of ``graph`` (each revision followed by one it needs), or ``[]``."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    for start in graph:
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(graph[start]))]
        state[start] = 1
        path.append(start)
        while stack:
            node, children = stack[-1]
            child = next(iter(children), None)  # type: ignore[call-overload]
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if state.get(child) == 1:
                return path[path.index(child):]
            if not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(graph[child])))
    return []


# -- the offline SQL -------------------------------------------------------------------------


@record
class Block:
    """One revision's part of the offline output: lines ``start`` .. ``end`` (1-based, the
    marker line excluded, ``end`` inclusive)."""

    revision: str
    down: tuple[str, ...]
    marker_line: int
    start: int
    end: int


def split_offline(text: str, path: Path) -> list[Block]:
    """The blocks of ``alembic upgrade ... --sql`` output, in order.

    Raises:
        MigrationError: no ``-- Running upgrade`` comment at all, a downgrade, a step to
            several revisions, or one revision twice.
    """
    lines = _common.split_lines(text)
    markers: list[tuple[int, str, tuple[str, ...]]] = []
    for number, line in enumerate(lines, start=1):
        m = _MARKER.match(_common.strip_eol(line))
        if m is None:
            continue
        if m.group(1) != "upgrade":
            raise _common.fail("a downgrade in Alembic's offline SQL: give the output of "
                               "`alembic upgrade base:heads --sql`", path, number)
        to = _ids(m.group(3))
        if len(to) != 1:
            raise _common.fail(f"a step to {len(to)} revisions; expected one", path, number)
        markers.append((number, to[0], _ids(m.group(2))))
    if not markers:
        raise _common.fail("no '-- Running upgrade A -> B' comment: not the output of "
                           "`alembic upgrade base:heads --sql`", path)
    blocks: list[Block] = []
    seen: dict[str, int] = {}
    for i, (number, revision, down) in enumerate(markers):
        if revision in seen:
            raise _common.fail(f"revision {revision} runs twice (first at line "
                               f"{seen[revision]})", path, number)
        seen[revision] = number
        end = markers[i + 1][0] - 1 if i + 1 < len(markers) else len(lines)
        blocks.append(Block(revision, down, number, number + 1, end))
    return blocks


def _ids(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _block_sql(lines: list[str], block: Block) -> tuple[str, bool]:
    """The whole file's text with everything outside ``block`` blanked (line numbers kept),
    the transaction lines blanked too, and whether the block runs in one transaction."""
    in_tx = True
    kept: set[int] = set()
    for index in range(block.start - 1, block.end):
        line = _common.strip_eol(lines[index])
        if _TX_LINE.match(line):
            if line.strip().upper().startswith("COMMIT") and _more_sql(lines, index, block):
                in_tx = False  # an autocommit block inside the revision
            continue
        kept.add(index)
    return _common.keep_lines(lines, kept.__contains__), in_tx


def _more_sql(lines: list[str], index: int, block: Block) -> bool:
    """Whether SQL other than ``BEGIN``/``COMMIT`` follows line ``index`` inside ``block``."""
    for later in range(index + 1, block.end):
        line = _common.strip_eol(lines[later]).strip()
        if line and not _TX_LINE.match(line) and not line.startswith("--"):
            return True
    return False


# -- the reader ------------------------------------------------------------------------------


def list_migrations(root: Path, options: ToolOptions | None = None) -> list[Migration]:
    """The revisions of ``root`` in Alembic's order, each with its block of offline SQL.

    Args:
        root: the script directory (or its ``versions`` directory).
        options: ``sql`` (the offline output's file) or ``config`` (``alembic.ini``: Alembic
            is run here); neither: a single ``*.sql`` file in ``root`` holding Alembic's
            ``-- Running upgrade`` comments.

    Raises:
        MigrationError: a script Alembic would refuse (see :func:`read_scripts`,
            :func:`resolve_graph`), no offline SQL, or SQL that is not this code's (a
            revision without its block, a block without its script, another
            ``down_revision``, an order the graph forbids).
    """
    _common.require_dir(root)
    scripts = read_scripts(root)
    if not scripts:
        return []
    graph = resolve_graph(scripts)
    sql_path, text = _offline_sql(root, options or ToolOptions())
    blocks = split_offline(text, sql_path)
    by_id = {s.revision: s for s in scripts}
    lines = _common.split_lines(text)
    position: dict[str, int] = {}
    migrations: list[Migration] = []
    for block in blocks:
        script = by_id.get(block.revision)
        if script is None:
            raise _common.fail(f"revision {block.revision} has no script in "
                               f"{versions_dir(root)}: the SQL is not this code's (regenerate "
                               "it)", sql_path, block.marker_line)
        if set(block.down) != set(script.down_revisions):
            raise _common.fail(
                f"revision {block.revision} runs after {', '.join(block.down) or 'base'} "
                f"here but its script says down_revision "
                f"{', '.join(script.down_revisions) or 'None'} ({script.path}): the SQL is "
                "not this code's (regenerate it)", sql_path, block.marker_line)
        late = [need for need in graph[block.revision] if need not in position]
        if late:
            raise _common.fail(f"revision {block.revision} runs before {', '.join(late)}, "
                               "which it needs", sql_path, block.marker_line)
        position[block.revision] = len(migrations)
        sql, in_tx = _block_sql(lines, block)
        migrations.append(Migration(
            version=block.revision, description=script.message, path=str(sql_path), sql=sql,
            in_transaction=in_tx, requires=graph[block.revision],
            extra={"script": str(script.path)},
        ))
    absent = [s for s in scripts if s.revision not in position]
    if absent:
        s = absent[0]
        raise _common.fail(f"revision {s.revision} has no '-- Running upgrade' "
                           f"block in {sql_path}: give the output of `alembic upgrade "
                           "base:heads --sql` for this code", s.path, s.lines["revision"])
    return migrations


def _offline_sql(root: Path, options: ToolOptions) -> tuple[Path, str]:
    """Where the offline SQL is, and its text (running Alembic when asked to)."""
    if options.sql:
        path = Path(options.sql)
        return path, _common.read_text(path)[1]
    if options.config:
        return _run_offline(Path(options.config))
    found = [p for p in _common.entries(root) if p.suffix == ".sql" and p.is_file()
             and _ANY_MARKER.search(_common.head_text(p))]
    if len(found) == 1:
        return found[0], _common.read_text(found[0])[1]
    if len(found) > 1:
        raise _common.fail("several files hold Alembic's offline SQL: "
                           f"{', '.join(p.name for p in found)}; pass --alembic-sql", root)
    raise _common.fail(
        "Alembic's SQL is needed: pass --alembic-ini alembic.ini (schemadiff runs `alembic "
        "upgrade base:heads --sql`, offline) or --alembic-sql FILE (that command's output)",
        root)


def _run_offline(ini: Path) -> tuple[Path, str]:
    """Run ``alembic -c INI upgrade base:heads --sql`` (offline: no database)."""
    from schemadiff.tools import _generate  # subprocess, tempfile: only when Alembic runs

    if not ini.is_file():
        raise _common.fail("no such Alembic configuration file", ini)
    if not _generate.importable("alembic"):
        raise _common.fail("--alembic-ini needs Alembic importable by this Python (pip "
                           "install alembic), or give --alembic-sql FILE", ini)
    ini = ini.resolve()
    what = f"alembic -c {ini.name} {' '.join(OFFLINE_COMMAND)}"
    text = _generate.run_tool(["-m", "alembic", "-c", str(ini), *OFFLINE_COMMAND],
                              cwd=ini.parent, what=what, where=ini)
    directory = _generate.output_dir(NAME, {"upgrade.sql": text})
    return directory / "upgrade.sql", text


# -- history table and sync ------------------------------------------------------------------
#
# alembic_version (alembic/runtime/migration.py): version_num varchar(32) primary key; one
# row per head. A revision is applied when it is a head or an ancestor of one (through
# down_revision and depends_on). `alembic stamp` moves heads with HeadMaintainer: UPDATE a
# head along its branch, INSERT a new branch's head, DELETE a branch's head, DELETE+UPDATE to
# merge.

#: The column a history reader needs (``{table}``: the quoted table name).
HISTORY_QUERY = "SELECT version_num::text AS version_num FROM {table}"

#: The columns that make a table Alembic's history (tool detection).
HISTORY_COLUMNS = frozenset({"version_num"})


def normalize_version(text: str) -> str | None:
    """A version as written in a history list: a revision id (at most 32 characters)."""
    return text if re.fullmatch(r"[^\s]{1,32}", text) else None

#: alembic_version as Alembic creates it.
_CREATE_TABLE = ("CREATE TABLE IF NOT EXISTS {table} (\n    version_num VARCHAR(32) NOT NULL,\n"
                "    CONSTRAINT {pkey} PRIMARY KEY (version_num)\n);")


def _parents(migrations: Sequence[Migration]) -> dict[str, tuple[str, ...]]:
    return {m.version: m.requires or () for m in migrations}


def ancestors(heads: Iterable[str], parents: Mapping[str, tuple[str, ...]]) -> set[str]:
    """``heads`` and everything below them in the graph."""
    out: set[str] = set()
    stack = [h for h in heads if h in parents]
    while stack:
        rev = stack.pop()
        if rev in out:
            continue
        out.add(rev)
        stack.extend(parents.get(rev, ()))
    return out


def heads_of(applied: Iterable[str], parents: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The revisions of ``applied`` that no other revision of it needs (what Alembic keeps
    in its table), in the graph's order."""
    applied = [v for v in parents if v in set(applied)]
    below = {p for v in applied for p in parents[v]}
    return [v for v in applied if v not in below]


def parse_history(
    rows: Iterable[Mapping[str, object]], migrations: Sequence[Migration] = ()
) -> tuple[tuple[RecordedVersion, ...], tuple[str, ...]]:
    """The revisions alembic_version stands for: its heads and all their ancestors.

    Args:
        rows: mappings with ``version_num``.
        migrations: the code's revisions (with their graph); without them only the heads
            are listed.

    Returns:
        The revisions in the code's order, then heads the code does not have; notes.
    """
    heads = list(dict.fromkeys(str(_common.row_text(r["version_num"])) for r in rows))
    parents = _parents(migrations)
    applied = ancestors(heads, parents)
    order = [m.version for m in migrations if m.version in applied]
    unknown = [h for h in heads if h not in parents]
    versions = tuple(RecordedVersion(v) for v in [*order, *unknown])
    notes: list[str] = []
    if heads:
        notes.append(f"alembic_version holds {', '.join(heads)}: "
                     f"{len(order)} revision(s) count as applied")
    else:
        notes.append("alembic_version is empty: no revision is applied")
    redundant = [h for h in heads if h in ancestors(
        [p for other in heads if other != h for p in parents.get(other, ())], parents)]
    if redundant:
        notes.append(f"alembic_version also holds {', '.join(redundant)}, below another "
                     "head: Alembic keeps heads only")
    return versions, tuple(notes)


@record
class Stamp:
    """The row changes taking alembic_version from ``old`` heads to ``new`` heads."""

    updates: tuple[tuple[str, str], ...]
    inserts: tuple[str, ...]
    deletes: tuple[str, ...]


def plan_stamp(old: Sequence[str], new: Sequence[str],
               parents: Mapping[str, tuple[str, ...]]) -> Stamp:
    """What ``alembic stamp`` does to go from heads ``old`` to heads ``new``.

    A head keeps its row when it stays a head; otherwise its row moves (UPDATE) to the one
    new head on its line (a descendant or an ancestor of it), or goes (DELETE) when none
    is; new heads left over get rows (INSERT). Several old heads meeting in one new head
    (a merge) are one UPDATE and DELETEs.
    """
    keep = set(old) & set(new)
    moving = [h for h in old if h not in keep]
    targets = [h for h in new if h not in keep]
    updates: list[tuple[str, str]] = []
    deletes: list[str] = []
    taken: set[str] = set()
    for head in moving:
        line = ancestors([head], parents)
        related = [t for t in targets if t not in taken
                   and (t in line or head in ancestors([t], parents))]
        if related:
            updates.append((head, related[0]))
            taken.add(related[0])
        else:
            deletes.append(head)
    inserts = [t for t in targets if t not in taken]
    return Stamp(tuple(updates), tuple(inserts), tuple(deletes))


def render_sync(ctx: SyncContext) -> SyncScript:
    """Alembic's repair: alembic_version set to the heads of the applied revisions, with the
    statements ``alembic stamp`` runs (``UPDATE`` along a branch, ``INSERT`` of a branch
    head, ``DELETE`` of a branch's), and the ``alembic stamp`` command that does the same.

    Raises:
        SyncError: no revisions to place the heads in, or an applied set Alembic cannot
            record: a revision applied while one it needs is not (a gap: alembic_version
            holds heads only, so every ancestor of a head counts as applied).
    """
    if not ctx.migrations:
        raise SyncError("an Alembic sync needs the revision graph (the directory's "
                        "migrations)")
    parents = _parents(ctx.migrations)
    after = {v for v in ctx.applied_after if v in parents}
    gaps = [(v, need) for v in parents if v in after for need in parents[v] if need not in after]
    if gaps:
        v, need = gaps[0]
        more = f" (and {len(gaps) - 1} more)" if len(gaps) > 1 else ""
        raise SyncError(
            f"revision {v} is applied but {need}, which it needs, is not{more}: "
            "alembic_version records heads only and cannot express this gap; apply "
            f"{need}'s changes (or revert {v}'s) first, then sync again")
    recorded = set(ctx.recorded.applied)
    unknown = [v for v in recorded if v not in parents]
    old = heads_of(recorded, parents)
    new = heads_of(after, parents)
    stamp = plan_stamp(old, new, parents)
    table = _script.qualified(ctx.table)
    column = f"{table}.version_num"
    body: list[str] = []
    if not ctx.recorded.table_exists:
        pkey = _script.identifier(f"{ctx.table[1]}_pkc")
        body.append(_CREATE_TABLE.format(table=table, pkey=pkey))
    body.append(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE;")
    for v in [*[v for v in ctx.prune if v not in parents], *stamp.deletes]:
        body.append(f"DELETE FROM {table} WHERE {column} = {_script.literal(v)};")
    for head, target in stamp.updates:
        body.append(f"UPDATE {table} SET version_num={_script.literal(target)} "
                    f"WHERE {column} = {_script.literal(head)};")
    for head in stamp.inserts:
        v = _script.literal(head)
        body.append(f"INSERT INTO {table} (version_num)\nSELECT {v} WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {table} WHERE version_num = {v});")
    ctx.notes.append(f"heads before: {', '.join(old) or '(none)'}; after: "
                     f"{', '.join(new) or '(none)'}"
                     + (f" (branches: {len(new)})" if len(new) > 1 else ""))
    purge = bool(unknown and not set(unknown) <= set(ctx.prune)) or bool(stamp.deletes)
    target_text = " ".join(new) if new else "base"
    equivalent = f"alembic stamp {'--purge ' if purge else ''}{target_text}"
    changed = bool(stamp.updates or stamp.inserts or stamp.deletes or ctx.prune)
    if changed:
        ctx.notes.append(f"the same, with Alembic itself: {equivalent}")
    return SyncScript(
        NAME, "script", _script.frame(ctx, f"set {ctx.table[1]} to the applied heads", body),
        commands=("alembic upgrade heads",) if ctx.pending_after else (),
        equivalent=(equivalent,) if changed else (),
        inserted=tuple(m.version for m in ctx.missing),
        pruned=ctx.prune,
    )
