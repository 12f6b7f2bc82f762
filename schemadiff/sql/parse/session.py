"""``SET`` / ``RESET`` / ``set_config()`` of the search path, and ``SELECT ... INTO`` (a table)."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import parse_bool
from schemadiff.sql.quote import split_identifier_list
from schemadiff.sql.tokens import Stream


def select_into(s: Stream) -> ops.Op | None:
    """``SELECT ... INTO [TEMP | UNLOGGED] [TABLE] name FROM ...``: CREATE TABLE name AS the
    query without its INTO clause. None when the statement has no INTO of its own."""
    depth = 0
    for k, t in enumerate(s.toks):
        if t.kind == "punct" and t.text in ("(", "["):
            depth += 1
        elif t.kind == "punct" and t.text in (")", "]"):
            depth -= 1
        elif depth == 0 and s.words[k] == "INTO" and k and s.words[k - 1] not in (
                "INSERT", "MERGE"):
            rest = s.sub(k + 1, len(s.toks))
            persistence = "permanent"
            while rest.word() in ("TEMP", "TEMPORARY", "UNLOGGED", "TABLE", "GLOBAL", "LOCAL"):
                w = rest.next().text
                if w in ("TEMP", "TEMPORARY"):
                    persistence = "temporary"
                elif w == "UNLOGGED":
                    persistence = "unlogged"
            name = g.qname(rest)
            end = k + 1 + rest.i
            query = s.text[: t.start] + " " + s.text[s.toks[end - 1].end:]
            return ops.CreateTableAs(name, " ".join(query.split()), (), False, persistence)
    return None


def set_or_reset(s: Stream) -> ops.Op:
    if s.accept("RESET"):
        if s.accept("SEARCH_PATH") or s.accept("ALL"):
            return ops.SetSearchPath(None)  # RESET ALL leaves the role (GUC_NO_RESET_ALL)
        if s.accept("ROLE") or s.accept("SESSION", "AUTHORIZATION"):
            return ops.SetRole(None)
        if s.accept("DEFAULT_TABLE_ACCESS_METHOD"):
            return ops.SetTableAccessMethod(None)
        return ops.NoEffect("session")
    s.expect("SET")
    local = s.accept("LOCAL")
    if not local:
        s.accept("SESSION")
    if s.accept("ROLE") or s.accept("AUTHORIZATION") or s.accept("SESSION", "AUTHORIZATION"):
        return _set_role(s, local)
    if s.accept("DEFAULT_TABLE_ACCESS_METHOD"):
        if not (s.accept("TO") or s.accept_punct("=")) or s.done():
            return ops.NoEffect("session")
        t = s.next()
        method = t.text if t.kind in ("string", "ident") else t.raw.lower()
        return ops.SetTableAccessMethod(None if t.kind == "word" and method == "default"
                                        else method, local)
    if not s.accept("SEARCH_PATH"):
        return ops.NoEffect("session")
    if not (s.accept("TO") or s.accept_punct("=")):
        return ops.NoEffect("session")
    if s.accept("DEFAULT"):
        return ops.SetSearchPath(None, local)
    schemas: list[str] = []
    while not s.done():
        t = s.next()
        if t.kind in ("string", "ident"):  # a string is one name, commas and all
            schemas.append(t.text)
        elif t.kind == "word":
            schemas.append(t.raw.lower())
    return ops.SetSearchPath(tuple(schemas), local)


def _set_role(s: Stream, local: bool) -> ops.Op:
    """After ``SET [LOCAL] ROLE`` / ``SESSION AUTHORIZATION``: the role, None for ``NONE`` or
    ``DEFAULT`` (the migrating role again)."""
    if s.done():
        return ops.NoEffect("session")
    if s.word() in ("NONE", "DEFAULT"):
        return ops.SetRole(None, local)
    t = s.peek()
    if t is not None and t.kind == "string":
        return ops.SetRole(s.next().text, local)
    return ops.SetRole(s.ident(), local)


def is_set_config(s: Stream) -> bool:
    return any(t.kind == "word" and t.text == "SET_CONFIG" for t in s.toks[:6])


def set_config(s: Stream) -> ops.Op:
    at = [i for i, t in enumerate(s.toks) if t.kind == "string"]
    if len(at) >= 2 and s.toks[at[0]].text.lower() == "search_path":
        parts = split_identifier_list(s.toks[at[1]].text)
        # is_local, the argument after the value: true, or a string that reads as true
        third = s.toks[at[1] + 2] if at[1] + 2 < len(s.toks) else None
        local = third is not None and s.toks[at[1] + 1].text == "," and (
            (third.kind == "word" and third.text == "TRUE")
            or (third.kind == "string" and parse_bool(third.text) is True))
        return ops.SetSearchPath(tuple(p for p in parts if p), local)
    return ops.NoEffect("session")

