"""``CREATE [MATERIALIZED | RECURSIVE] VIEW``."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import quote_ident
from schemadiff.sql.parse.tables import strip_with_data
from schemadiff.sql.tokens import Stream, SyntaxProblem


def create_view(s: Stream, or_replace: bool, temporary: bool) -> ops.Op | None:
    """``[MATERIALIZED | RECURSIVE] VIEW ...`` (None when MATERIALIZED is not a view's)."""
    if s.accept("MATERIALIZED", "VIEW"):
        return _view(s, materialized=True, or_replace=or_replace)
    if s.accept("RECURSIVE", "VIEW"):
        return _view(s, materialized=False, or_replace=or_replace, recursive=True,
                     temporary=temporary)
    if s.accept("VIEW"):
        return _view(s, materialized=False, or_replace=or_replace, temporary=temporary)
    return None


def _view(s: Stream, materialized: bool, or_replace: bool, recursive: bool = False,
          temporary: bool = False) -> ops.Op:
    ine = s.accept("IF", "NOT", "EXISTS")
    name = g.qname(s)
    cols: tuple[str, ...] = ()
    if s.at_punct("("):
        cols = g.ident_list_in_parens(s)
    options: tuple[tuple[str, str | None], ...] = ()
    while not s.at("AS"):
        if s.accept("WITH"):
            options += g.reloptions(s)
        elif s.accept("USING") or s.accept("TABLESPACE"):
            s.ident()
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE VIEW")
    s.expect("AS")
    query = strip_with_data(s.rest())
    for tail, check in (("WITH CASCADED CHECK OPTION", "cascaded"),
                        ("WITH LOCAL CHECK OPTION", "local"), ("WITH CHECK OPTION", "cascaded")):
        if " ".join(query.upper().split()).endswith(tail):
            query = _strip_words(query, len(tail.split()))
            options += (("check_option", check),)
            break
    if recursive:  # what PostgreSQL makes of it, and pg_dump prints
        names = ", ".join(quote_ident(c) for c in cols)
        query = (f"WITH RECURSIVE {quote_ident(name.name)}({names}) AS ({query}) "
                 f"SELECT {names} FROM {quote_ident(name.name)}")
    return ops.CreateView(name, query, materialized, or_replace, ine, cols, temporary, options)


def _strip_words(text: str, n: int) -> str:
    """``text`` without its last ``n`` whitespace-separated words."""
    for _ in range(n):
        text = text.rstrip()
        text = text[: len(text) - len(text.split()[-1])]
    return text.rstrip()

