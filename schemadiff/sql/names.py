"""PostgreSQL's rules for the names it chooses itself.

``users_pkey``, ``users_email_key``, ``orders_user_id_fkey``, ``users_id_seq``,
``t_lower_idx``, ``t_a_idx1``: these come from ``makeObjectName``, ``ChooseRelationName``,
``ChooseConstraintName`` and ``ChooseIndexNameAddition`` in PostgreSQL's
src/backend/commands/indexcmds.c and src/backend/catalog/pg_constraint.c. The 63-byte limit is
applied to the longer of the two name parts first, as PostgreSQL does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

NAMEDATALEN = 64


def _clip(name: str, nbytes: int) -> str:
    """The longest prefix of ``name`` that fits in ``nbytes`` UTF-8 bytes."""
    raw = name.encode()
    if len(raw) <= nbytes:
        return name
    return raw[:nbytes].decode(errors="ignore")


def _blen(name: str) -> int:
    return len(name.encode())


def make_object_name(name1: str, name2: str | None, label: str | None) -> str:
    """``name1_name2_label`` shortened to fit NAMEDATALEN-1 bytes, the longer part first."""
    overhead = 0
    n1 = _blen(name1)
    n2 = 0
    if name2:
        n2 = _blen(name2)
        overhead += 1
    if label:
        overhead += _blen(label) + 1
    avail = NAMEDATALEN - 1 - overhead
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    out = _clip(name1, n1)
    if name2:
        out += "_" + _clip(name2, n2)
    if label:
        out += "_" + label
    return out


def choose_name(name1: str, name2: str | None, label: str, taken: Callable[[str], bool]) -> str:
    """The first of ``name1_name2_label``, ``..._label1``, ``..._label2`` ... not taken."""
    modlabel = label
    attempt = 0
    while True:
        name = make_object_name(name1, name2, modlabel)
        if not taken(name):
            return name
        attempt += 1
        modlabel = f"{label}{attempt}"


def name_addition(names: Iterable[str]) -> str:
    """ChooseIndexNameAddition / ChooseForeignKeyConstraintNameAddition: ``a_b_c``."""
    out = ""
    for name in names:
        if out:
            out += "_"
        out += _clip(name, NAMEDATALEN - 1)
        if _blen(out) >= NAMEDATALEN:
            break
    return out


def index_column_names(names: Iterable[str]) -> list[str]:
    """ChooseIndexColumnNames: make the per-key names unique (``expr``, ``expr1``, ...)."""
    result: list[str] = []
    for orig in names:
        cur = orig
        i = 0
        while cur in result:
            i += 1
            suffix = str(i)
            cur = _clip(orig, NAMEDATALEN - 1 - len(suffix)) + suffix
        result.append(cur)
    return result
