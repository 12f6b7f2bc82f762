"""SQL identifiers and literals written the way PostgreSQL writes them: the one quoter.

``quote_ident`` follows PostgreSQL's own ``quote_ident`` (bare when a plain lowercase word that
is not a reserved key word, else double-quoted); the normalizer, the renderer, the sync
scripts and the history reader all quote through here. No sqlglot: the tool modules import it.
"""

from __future__ import annotations

import functools
import re


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a table written as one string."""
    return frozenset(text.split())


_SIMPLE_IDENT = re.compile(r"[a-z_][a-z0-9_$]*\Z")

# PostgreSQL's reserved key words: an identifier spelled like one must stay quoted.
_RESERVED = _words(
    """all analyse analyze and any array as asc asymmetric authorization binary both case cast
    check collate collation column concurrently constraint create cross current_catalog
    current_date current_role current_schema current_time current_timestamp current_user default
    deferrable desc distinct do else end except false fetch for foreign freeze from full grant
    group having ilike in initially inner intersect into is isnull join lateral leading left like
    limit localtime localtimestamp natural not notnull null offset on only or order outer overlaps
    placing primary references returning right select session_user similar some symmetric
    system_user table tablesample then to trailing true union unique user using variadic verbose
    when where window with"""
)


@functools.lru_cache(maxsize=65536)
def quote_ident(name: str) -> str:
    """Quote an identifier the way ``quote_ident`` does (only when needed)."""
    if _SIMPLE_IDENT.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str | None, name: str) -> str:
    """``schema.name`` with each part quoted when needed."""
    return f"{quote_ident(schema)}.{quote_ident(name)}" if schema else quote_ident(name)


def quote_literal(value: str) -> str:
    """A SQL string literal (standard_conforming_strings on)."""
    return "'" + value.replace("'", "''") + "'"


def split_top(text: str, start: int = 0) -> tuple[list[str], int]:
    """``text[start:]`` split at its top-level commas (quotes and parentheses respected), up to
    the end or to a closing parenthesis it did not open: the parts, stripped, and where it
    stopped (that parenthesis's index, or ``len(text)``)."""
    parts: list[str] = []
    depth, begin, quote = 0, start, ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                parts.append(text[begin:i].strip())
                return parts, i
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[begin:i].strip())
            begin = i + 1
    parts.append(text[begin:].strip())
    return parts, len(text)


def split_identifier_list(text: str) -> list[str]:
    """A list setting's value (``set_config('search_path', 'a, "B,c"')``) as PostgreSQL's
    SplitIdentifierString reads it: comma-separated names, a quoted one as written, an
    unquoted one folded to lower case."""
    parts, _ = split_top(text)
    return [p[1:-1].replace('""', '"') if p.startswith('"') and p.endswith('"') and len(p) > 1
            else p.lower() for p in parts if p]
