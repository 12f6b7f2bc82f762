"""The actual side of a comparison, one object per input: a live :class:`Database` (one
read-only session for everything read from it) or a :class:`DumpFile` (read and checked
once). Each gives the same three things: the evidence of which tool keeps a history there,
the schema, and the tool's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff.history import Replay
from schemadiff.migration import Migration
from schemadiff.recorded import Recorded
from schemadiff.tool_choice import ToolEvidence

if TYPE_CHECKING:
    from schemadiff.loading import Loader


class Database:
    """A PostgreSQL database, read over one read-only session (``with Database(dsn) as db``).

    The catalog may be read on a second session sharing the first one's snapshot (see
    :func:`schemadiff.sources.live.read_catalog`); nothing is ever written.
    """

    def __init__(self, dsn: str) -> None:
        from schemadiff.sources.dsn import tool_dsn

        #: what the tool's URL says besides the connection (its search_path, its table)
        self.url = tool_dsn(dsn)
        self.dsn = self.url.dsn
        self._stack = ExitStack()
        self.conn: Any = None

    def __enter__(self) -> Database:
        from schemadiff.sources.live import open_session  # psycopg: only for a database

        self.conn = self._stack.enter_context(open_session(self.dsn))
        return self

    def __exit__(self, *_: object) -> None:
        self._stack.close()
        self.conn = None

    def evidence(self, history_table: str | None = None) -> ToolEvidence:
        from schemadiff.sources.tool_evidence import read_evidence

        return read_evidence(self.conn, history_table)

    def prefetch(self, loader: Loader, *, strict: bool = False) -> None:
        pass  # the catalog is read over this session when asked

    def catalog(self, loader: Loader, *, strict: bool = False) -> Replay:
        from schemadiff.sources.live import read_catalog

        return read_catalog(self.conn, self.dsn)

    def history(
        self, tool: str, migrations: Sequence[Migration], table: str | None = None
    ) -> Recorded:
        from schemadiff.sources.history import read_history

        # the catalog is read with an empty search_path (expressions come back qualified,
        # as pg_dump prints them); the tool finds its table through the role's default one
        self.conn.execute("RESET search_path")
        return read_history(self.conn, tool, migrations, table=table)


class DumpFile:
    """A ``pg_dump`` file (plain format; a full dump also carries the history's rows)."""

    url = None  # no tool URL: the tool's session is not known

    def __init__(self, path: str | Path) -> None:
        from schemadiff.sources.dump import read_dump_text

        self.path = str(path)
        self.text, self.data = read_dump_text(path)  # a missing or binary file fails here

    def __enter__(self) -> DumpFile:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def evidence(self, history_table: str | None = None) -> ToolEvidence:
        from schemadiff.sources.tool_evidence import evidence_from_dump

        return evidence_from_dump(self.text, history_table)

    def prefetch(self, loader: Loader, *, strict: bool = False) -> None:
        """Let ``loader`` start replaying the dump now (:meth:`catalog` will ask for it)."""
        loader.start_dump(self.path, self.text, self.data, strict=strict)

    def catalog(self, loader: Loader, *, strict: bool = False) -> Replay:
        from schemadiff.sources.dump import require_schema_objects, server_fixups

        replay = server_fixups(self.text, loader.dump(self.path, self.text, self.data,
                                                      strict=strict))
        require_schema_objects(self.path, replay)
        return replay

    def history(
        self, tool: str, migrations: Sequence[Migration], table: str | None = None
    ) -> Recorded:
        from schemadiff.sources.history import read_history_from_dump

        return read_history_from_dump(self.text, tool, migrations, table=table)


Source = Database | DumpFile
