"""Sequences: ``CREATE`` / ``ALTER SEQUENCE`` with PostgreSQL's defaults per data type."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from schemadiff.model import Key, Sequence
from schemadiff.sql import ops
from schemadiff.sql.normalize import INT_RANGES, identity_options, identity_sequence_values
from schemadiff.sql.replay.core import ReplayState

__all__ = ["INT_RANGES", "NUMBER", "SequenceReplay"]

NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")



class SequenceReplay(ReplayState):
    """The replay of sequences: ``CREATE`` / ``ALTER SEQUENCE`` with PostgreSQL's defaults per
    data type."""

    def _sequence_from(self, base: Sequence | None, schema: str, name: str,
                       o: ops.SequenceOptions, fresh: bool | None = None) -> Sequence:
        """``base`` after ``o`` (``fresh``: a new sequence of ``base``'s type; None: when
        ``base`` is None)."""
        seq = base or Sequence(schema, name)
        old_type = seq.data_type
        if o.data_type is not None:
            seq = replace(seq, data_type=self._type_text(o.data_type))
        lo, hi = INT_RANGES.get(seq.data_type, INT_RANGES["bigint"])
        inc = o.increment if o.increment is not None else seq.increment
        old_lo, old_hi = INT_RANGES.get(old_type, INT_RANGES["bigint"])
        fresh = base is None if fresh is None else fresh
        min_v = seq.min_value
        max_v = seq.max_value
        # init_params: AS type moves a bound that was the old type's own to the new type's
        retyped = not fresh and o.data_type is not None
        reset_min, reset_max = retyped and min_v == old_lo, retyped and max_v == old_hi
        if o.min_value is not None:
            min_v = o.min_value
        elif o.no_min or fresh or reset_min:
            min_v = lo if inc < 0 or reset_min else 1
        if o.max_value is not None:
            max_v = o.max_value
        elif o.no_max or fresh or reset_max:
            max_v = hi if inc > 0 or reset_max else -1
        if o.start is not None:
            start = o.start
        else:
            start = seq.start if not fresh else (min_v if inc > 0 else max_v)
        owned = seq.owned_by
        if o.owned_by is not None:
            owned = f"{o.owned_by[0].name}.{o.owned_by[1]}"
        elif o.owned_by_none:
            owned = None
        return replace(seq, increment=inc, min_value=min_v, max_value=max_v, start=start,
                       cache=o.cache if o.cache is not None else seq.cache,
                       cycle=o.cycle if o.cycle is not None else seq.cycle, owned_by=owned)

    def _identity_options(self, column_type: str | None, current: tuple[str, ...],
                          o: ops.SequenceOptions | None, fresh: bool = False,
                          retype: str | None = None) -> tuple[str, ...]:
        """An identity column's sequence options (:func:`identity_options`) after ``o``
        (``fresh``: the sequence ``GENERATED ... AS IDENTITY (o)`` makes), or after the
        column's type changed from ``column_type`` to ``retype`` (the sequence's type
        follows: a bound that was the old type's own becomes the new type's). A column whose
        type the replay does not know keeps none."""
        if column_type is None or (retype is None and column_type not in INT_RANGES):
            return ()
        start, inc, min_v, max_v, cache, cycle = identity_sequence_values(
            column_type, () if fresh else current)
        seq = Sequence("", "", column_type, start, inc, min_v, max_v, cache, cycle)
        if o is not None:
            seq = self._sequence_from(seq, "", "", o, fresh=fresh)
        if retype is not None:
            if retype not in INT_RANGES:
                return ()
            (old_lo, old_hi), (lo, hi) = INT_RANGES[column_type], INT_RANGES[retype]
            seq = replace(seq, data_type=retype,
                          min_value=lo if seq.min_value == old_lo else seq.min_value,
                          max_value=hi if seq.max_value == old_hi else seq.max_value)
            column_type = retype
        return identity_options(column_type, seq.start, seq.increment, seq.min_value,
                                seq.max_value, seq.cache, seq.cycle)

    def _op_CreateSequence(self, op: ops.CreateSequence) -> None:
        if op.temporary:
            self._temp.add(op.name.name)
            return
        schema = self._creation_schema(op.name.schema)
        if self._relation_or_constraint_index(schema, op.name.name):
            if not op.if_not_exists:
                self._conflict(f'relation "{op.name.name}" already exists')
            elif Key("sequence", schema, op.name.name) in self.catalog:
                self._reassert(Key("sequence", schema, op.name.name))
            return
        self._put(replace(self._sequence_from(None, schema, op.name.name, op.options),
                          persistence=op.persistence))

    def _op_AlterSequence(self, op: ops.AlterSequence) -> None:
        key = self._find(("sequence",), op.name)
        if key is None and self._identity_sequence(op.name) is not None:
            self._alter_identity_sequence(op)
            return
        if key is None:
            if not op.if_exists:
                self._conflict(f'relation "{op.name}" does not exist')
            return
        seq: Sequence = self.catalog.objects[key]  # type: ignore[assignment]
        if op.persistence is not None:
            self._put(replace(seq, persistence=op.persistence))
            return
        if op.rename or op.set_schema:
            self._rename_relation(key, op.set_schema or key.schema, op.rename or key.name)
            return
        if op.options is not None:
            self._put(self._sequence_from(seq, key.schema, key.name, op.options))

    def _alter_identity_sequence(self, op: ops.AlterSequence) -> None:
        """``ALTER SEQUENCE`` on an identity column's sequence (``t_id_seq``): its options are
        the column's (``identity_options``); PostgreSQL refuses to move it to another schema
        or to change its owner; a rename keeps it the column's."""
        where = self._identity_sequence(op.name)
        assert where is not None
        if op.options is not None and op.options.owned_by is None \
                and not op.options.owned_by_none:  # its options are the column's
            schema, table, column = self._identity_sequences[where]
            col = self.catalog.objects.get(Key("column", schema, table, column))
            if col is not None:
                self._put(replace(col, identity_options=self._identity_options(  # type: ignore[type-var]
                    col.type, col.identity_options, op.options)))  # type: ignore[attr-defined]
        if op.set_schema and op.set_schema != where[0]:
            self._conflict("cannot move an owned sequence into another schema")
        elif op.options is not None and (op.options.owned_by is not None
                                         or op.options.owned_by_none):
            self._conflict("cannot change ownership of identity sequence")
        elif op.rename and op.rename != where[1]:
            if self._relation_or_constraint_index(where[0], op.rename):
                self._conflict(f'relation "{op.rename}" already exists')
                return
            self._identity_sequence_renamed(where, op.rename)


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    ops.CreateSequence: SequenceReplay._op_CreateSequence,
    ops.AlterSequence: SequenceReplay._op_AlterSequence,
}
