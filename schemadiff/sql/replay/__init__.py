"""Apply statement ops to a catalog the way PostgreSQL would, recording every effect.

The replay creates what PostgreSQL creates implicitly (serial sequences, NOT NULL on primary
keys, constraint and index names), cascades drops and renames along PostgreSQL's dependencies,
and logs each change as an :class:`~schemadiff.model.Effect` with the migration that made it:
the provenance that diff reports and inference reasons with. It does no I/O.

One module per noun (``tables``, ``types``, ``drops``, ...), each a mixin over
:class:`~schemadiff.sql.replay.core.ReplayState` with a ``HANDLERS`` table from op type to
handler; :class:`Replayer` composes them and dispatches through the joined table."""

from __future__ import annotations

from schemadiff.sql.replay import (
    alter_table,
    comments,
    drops,
    event_triggers,
    functions,
    indexes,
    inheritance,
    privileges,
    rename,
    schemas,
    sequences,
    session,
    statistics,
    tables,
    triggers,
    types,
    uncompared,
    views,
)
from schemadiff.sql.replay.core import ReplayConflict, ReplayState, object_attributes
from schemadiff.sql.replay.text import split_index_key

__all__ = ["ReplayConflict", "Replayer", "object_attributes", "split_index_key"]


class Replayer(
    session.SessionReplay,
    uncompared.UncomparedReplay,
    schemas.SchemaReplay,
    privileges.PrivilegeReplay,
    types.TypeReplay,
    sequences.SequenceReplay,
    tables.TableReplay,
    alter_table.AlterTableReplay,
    inheritance.InheritanceReplay,
    rename.RenameReplay,
    indexes.IndexReplay,
    statistics.StatisticsReplay,
    views.ViewReplay,
    functions.FunctionReplay,
    triggers.TriggerReplay,
    event_triggers.EventTriggerReplay,
    comments.CommentReplay,
    drops.DropReplay,
    ReplayState,
):
    """A catalog under construction plus the effect log (see :class:`ReplayState`)."""

    HANDLERS = {
        **session.HANDLERS,
        **uncompared.HANDLERS,
        **schemas.HANDLERS,
        **privileges.HANDLERS,
        **types.HANDLERS,
        **sequences.HANDLERS,
        **tables.HANDLERS,
        **alter_table.HANDLERS,
        **indexes.HANDLERS,
        **statistics.HANDLERS,
        **views.HANDLERS,
        **functions.HANDLERS,
        **triggers.HANDLERS,
        **event_triggers.HANDLERS,
        **comments.HANDLERS,
        **drops.HANDLERS,
    }
