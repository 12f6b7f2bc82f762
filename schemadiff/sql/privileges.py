"""Privileges as the model compares them: an object's ACL entries minus the defaults.

The owner's own entries are never compared (roles are cluster-level; who owns what is the
migrating role's business), nor PUBLIC's default ``EXECUTE`` on routines: a revoked default
is compared as ``-EXECUTE``. ``MAINTAIN`` (PostgreSQL 17) is not compared, so that ``GRANT
ALL`` means the same on every server.
"""

from __future__ import annotations

from collections.abc import Iterable

#: What ``ALL [PRIVILEGES]`` grants, by object type.
ALL: dict[str, tuple[str, ...]] = {
    "table": ("DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"),
    "sequence": ("SELECT", "UPDATE", "USAGE"),
    "function": ("EXECUTE",),
    "schema": ("CREATE", "USAGE"),
    "column": ("INSERT", "REFERENCES", "SELECT", "UPDATE"),
}

#: What PUBLIC holds without any GRANT, by object type.
PUBLIC_DEFAULT: dict[str, frozenset[str]] = {"function": frozenset({"EXECUTE"})}


def held(object_type: str, grantee: str, privileges: Iterable[str]) -> dict[str, bool]:
    """A compared privilege tuple back to what the grantee holds: privilege -> grant option."""
    out: dict[str, bool] = {}
    revoked = set()
    for p in privileges:
        if p.startswith("-"):
            revoked.add(p[1:])
        else:
            out[p.rstrip("*")] = p.endswith("*")
    if grantee == "PUBLIC":
        for p in PUBLIC_DEFAULT.get(object_type, ()):
            if p not in revoked and p not in out:
                out[p] = False
    return out


def compared(object_type: str, grantee: str, holds: dict[str, bool]) -> tuple[str, ...]:
    """What the grantee holds (privilege -> grant option), as compared: the defaults left
    out, a revoked default as ``-P``, a grant option as ``P*``."""
    default = PUBLIC_DEFAULT.get(object_type, frozenset()) if grantee == "PUBLIC" else frozenset()
    known = ALL.get(object_type, ())
    out = [p + ("*" if option else "") for p, option in holds.items()
           if p in known and not (p in default and not option)]
    out += ["-" + p for p in default if p not in holds]
    return tuple(sorted(out))
