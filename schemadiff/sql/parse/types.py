"""``CREATE TYPE`` (enum, composite), ``CREATE DOMAIN`` and ``ALTER TYPE`` / ``ALTER DOMAIN``."""

from __future__ import annotations

from schemadiff.sql import grammar as g
from schemadiff.sql import ops
from schemadiff.sql.normalize import normalize_expression
from schemadiff.sql.tokens import Stream, SyntaxProblem


def create_type(s: Stream) -> ops.Op:
    s.expect("TYPE")
    name = g.qname(s)
    if s.at("AS", "RANGE"):
        return _create_range(s, name)
    if s.done() or s.at_punct("("):
        # a shell type, a base type (INPUT = ..., OUTPUT = ...): not compared
        kind = "shell" if s.done() else "base"
        s.rest()
        return ops.Uncompared("uncompared", f"CREATE TYPE ({kind})", "type", (name,), "create")
    s.expect("AS")
    if s.accept("ENUM"):
        s.expect_punct("(")
        labels: list[str] = []
        if not s.accept_punct(")"):
            labels.append(s.string())
            while s.accept_punct(","):
                labels.append(s.string())
            s.expect_punct(")")
        return ops.CreateEnum(name, tuple(labels))
    if s.at_punct("("):
        s.expect_punct("(")
        attrs = []
        for a, b in s.comma_items():
            item = s.sub(a, b)
            attr = item.ident()
            attrs.append((attr, g.data_type(item)))
        return ops.CreateComposite(name, tuple(attrs))
    return ops.Unsupported(f"CREATE TYPE ... AS {s.peek().raw if s.peek() else ''} is not modelled")  # type: ignore[union-attr]


def _create_range(s: Stream, name: ops.QName) -> ops.Op:
    """``AS RANGE (SUBTYPE = t, CANONICAL = f, MULTIRANGE_TYPE_NAME = m, ...)``: the range type
    and its multirange (named after it: ``floatrange`` makes ``floatmultirange``, ``period``
    ``period_multirange``), neither compared."""
    s.expect("AS", "RANGE")
    s.expect_punct("(")
    subtype: ops.TypeRef | None = None
    discrete = False
    multirange = ops.QName(name.schema, name.name.replace("range", "multirange", 1)
                           if "range" in name.name else name.name + "_multirange")
    for a, b in s.comma_items():
        item = s.sub(a, b)
        option = item.ident().lower()
        item.expect_punct("=")
        if option == "subtype":
            subtype = g.data_type(item)
        elif option == "canonical":
            discrete = True
        elif option == "multirange_type_name":
            multirange = g.qname(item)
    if subtype is None:
        raise SyntaxProblem("CREATE TYPE ... AS RANGE without a SUBTYPE")
    return ops.CreateRange(name, subtype, discrete, multirange)


def create_domain(s: Stream) -> ops.Op:
    s.expect("DOMAIN")
    name = g.qname(s)
    s.accept("AS")
    base = g.data_type(s)
    not_null = False
    default = None
    collation = None
    checks: list[tuple[str | None, str]] = []
    while not s.done():
        cname = s.ident() if s.accept("CONSTRAINT") else None
        if s.accept("NOT", "NULL"):
            not_null = True
        elif s.accept("NULL"):
            not_null = False
        elif s.accept("DEFAULT"):
            stop = frozenset({"CONSTRAINT", "NOT", "NULL", "CHECK", "COLLATE"})
            default = normalize_expression(s.until(stop))
        elif s.accept("COLLATE"):
            collation = g.collation(s)
        elif s.accept("CHECK"):
            checks.append((cname, normalize_expression(s.paren_text())))
            s.accept("NOT", "VALID")
        else:
            got = s.peek()
            raise SyntaxProblem(f"unexpected {got.raw if got else 'end'} in CREATE DOMAIN")
    return ops.CreateDomain(name, base, not_null, default, collation, tuple(checks))


def alter_type(s: Stream) -> ops.Op:
    """``ALTER TYPE`` or ``ALTER DOMAIN``."""
    domain = s.next().text == "DOMAIN"
    ie = s.accept("IF", "EXISTS")
    name = g.qname(s)
    rest = s.sub(s.i, len(s.toks))
    items = g.split_items(rest) if rest.word() in ("ADD", "DROP", "ALTER") else []
    if len(items) > 1:  # ALTER TYPE t DROP ATTRIBUTE a, ADD ATTRIBUTE b int
        return ops.Batch(tuple(_alter_type_action(rest.sub(a, b), name, domain, ie)
                               for a, b in items))
    return _alter_type_action(s, name, domain, ie)


def _alter_type_action(s: Stream, name: ops.QName, domain: bool, ie: bool) -> ops.Op:
    def op(action: str, *args: object) -> ops.AlterType:
        return ops.AlterType(name, action, tuple(args), domain, ie)
    if s.accept("ADD", "VALUE"):
        ine = s.accept("IF", "NOT", "EXISTS")
        label = s.string()
        before = after = None
        if s.accept("BEFORE"):
            before = s.string()
        elif s.accept("AFTER"):
            after = s.string()
        return op("add_value", label, before, after, ine)
    if s.accept("RENAME", "VALUE"):
        old = s.string()
        s.expect("TO")
        return op("rename_value", old, s.string())
    if s.accept("RENAME", "TO"):
        return op("rename", s.ident())
    if s.accept("RENAME", "ATTRIBUTE"):
        old = s.ident()
        s.expect("TO")
        return op("rename_attribute", old, s.ident())
    if s.accept("SET", "SCHEMA"):
        return op("set_schema", s.ident())
    if s.accept("ADD", "ATTRIBUTE"):
        attr = s.ident()
        return op("add_attribute", attr, g.data_type(s))
    if s.accept("DROP", "ATTRIBUTE"):
        s.accept("IF", "EXISTS")
        return op("drop_attribute", s.ident())
    if s.accept("ALTER", "ATTRIBUTE"):
        attr = s.ident()
        s.accept("SET", "DATA")
        s.expect("TYPE")
        return op("alter_attribute", attr, g.data_type(s))
    if domain:
        if s.accept("SET", "DEFAULT"):
            return op("set_default", normalize_expression(s.rest()))
        if s.accept("DROP", "DEFAULT"):
            return op("set_default", None)
        if s.accept("SET", "NOT", "NULL"):
            return op("set_not_null", True)
        if s.accept("DROP", "NOT", "NULL"):
            return op("set_not_null", False)
        if s.accept("ADD"):
            cname = s.ident() if s.accept("CONSTRAINT") else None
            if s.accept("NOT", "NULL"):  # PostgreSQL 17: a NOT NULL constraint, maybe named
                return op("set_not_null", True)
            s.expect("CHECK")
            expr = normalize_expression(s.paren_text())
            return op("add_check", cname, expr, s.accept("NOT", "VALID"))
        if s.accept("DROP", "CONSTRAINT"):
            if_exists = s.accept("IF", "EXISTS")
            return op("drop_constraint", s.ident(), if_exists)
        if s.accept("RENAME", "CONSTRAINT"):
            old = s.ident()
            s.expect("TO")
            return op("rename_constraint", old, s.ident())
        if s.accept("VALIDATE", "CONSTRAINT"):
            return op("validate_constraint", s.ident())
    if s.accept("OWNER", "TO") or (not domain and s.at("SET") and s.at_punct("(", 1)):
        s.rest()  # ALTER TYPE base SET (storage = ...): a base type's properties, not compared
        return op("noop")
    return ops.Unsupported(f"ALTER {'DOMAIN' if domain else 'TYPE'} action is not modelled")

