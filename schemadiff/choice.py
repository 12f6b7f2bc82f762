"""Closed sets of words: enums whose members are the strings themselves.

A :class:`Choice` member is a ``str`` (``Status.APPLIED == "applied"``), hashes as that string
and prints as it, so results typed with enums still read and serialize as the JSON contract
spells them, and a saved document read back compares equal to the member.
"""

from __future__ import annotations

from enum import Enum


class Choice(str, Enum):
    """Base of the closed sets (``Status``, ``Confidence``, ``Change`` ...)."""

    __hash__ = str.__hash__

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)
