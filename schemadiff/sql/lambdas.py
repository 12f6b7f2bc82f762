"""``f(data -> 'items')``: sqlglot reads ``ident -> x`` in a call's arguments as a lambda
(``data`` its parameter), which PostgreSQL does not have; it is the JSON operator on the column
``data``. Read so, the column is seen (a CHECK's name, a rename, a dropped column's cascade)."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

#: operators that bind no tighter than ``->`` (PostgreSQL's "any other operator", left
#: associative, then comparisons and the boolean ones): the lambda's body is one of these
#: with the operand ``->`` took as its leftmost one
_LOOSER = (exp.JSONExtract, exp.JSONExtractScalar, exp.JSONBExtract, exp.JSONBExtractScalar,
           exp.JSONBContains, exp.DPipe, exp.ArrayContainsAll, exp.ArrayContainedBy,
           exp.ArrayOverlaps, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is,
           exp.Like, exp.ILike, exp.SimilarTo, exp.Between, exp.In, exp.And, exp.Or,
           exp.NullSafeEQ, exp.NullSafeNEQ)


def without_lambdas(tree: exp.Expression) -> exp.Expression:
    """``tree`` with each one-parameter lambda read as the ``->`` it was written as."""
    for lam in list(tree.find_all(exp.Lambda)):
        params = lam.expressions
        if len(params) != 1 or not isinstance(params[0], exp.Identifier):
            continue
        parent, node = None, lam.this
        while isinstance(node, _LOOSER) and isinstance(node.this, exp.Expression):
            parent, node = node, node.this
        operand = params[0].sql(dialect="postgres")
        arrow = sqlglot.parse_one(f"{operand} -> {node.sql(dialect='postgres')}",
                                  read="postgres")
        body = arrow if parent is None else lam.this
        if parent is not None:
            parent.set("this", arrow)
        if lam is tree:
            return body
        lam.replace(body)
    return tree
