"""The DDL that creates each kind of object in PostgreSQL, from its record.

What ``inspect --format sql`` prints (:mod:`schemadiff.render`) and what a schema repair
re-creates from: the canonical forms schemadiff compares (types as ``format_type`` prints them,
normalized expressions), one statement per object. Pure: records in, text out.
"""

from __future__ import annotations

import re

from schemadiff.model import (
    Catalog,
    Column,
    CompositeType,
    Constraint,
    Domain,
    Enum,
    EventTrigger,
    Extension,
    Function,
    Index,
    Policy,
    Privilege,
    Schema,
    SchemaObject,
    Sequence,
    Statistics,
    Table,
    Trigger,
    View,
)
from schemadiff.sql.normalize import normalize_expression
from schemadiff.sql.quote import qualified, quote_ident, quote_literal

_QUANTIFIED_ARRAY = re.compile(r"\b(ANY|ALL|SOME) ARRAY\[", re.IGNORECASE)


def executable(expression: str) -> str:
    """A canonical expression as PostgreSQL reads it back: the canonical form drops the
    parentheses the deparser puts around ``= ANY (ARRAY[...])``, which the grammar needs."""
    out = expression
    while (m := _QUANTIFIED_ARRAY.search(out)) is not None:
        start = m.end() - len("ARRAY[")
        depth, end = 0, len(out)
        for i in range(m.end() - 1, len(out)):
            if out[i] == "[":
                depth += 1
            elif out[i] == "]":
                depth -= 1
                if depth == 0:
                    end = i + 1
                    break
        out = f"{out[:m.start()]}{m.group(1)} ({out[start:end]}){out[end:]}"
    return out


_NEXTVAL = re.compile(r"""NEXTVAL\('([A-Za-z0-9_]+|"(?:[^"']|"")+")'\)""", re.IGNORECASE)


def sequence_qualified(default: str, schema: str, catalog: Catalog) -> str:
    """``nextval('s')`` with the schema of the sequence ``s`` the catalog holds: the canonical
    form does not keep it (a table moved by ``SET SCHEMA`` takes its sequence along, and the
    name alone then resolves to nothing through the search path)."""

    def qualify(m: re.Match[str]) -> str:
        raw = m.group(1)
        name = raw[1:-1].replace('""', '"') if raw.startswith('"') else raw.lower()
        found = sorted(q.schema for q in catalog.of_kind("sequence")
                       if isinstance(q, Sequence) and q.name == name)
        where = schema if schema in found else found[0] if len(found) == 1 else None
        if where is None:
            return m.group(0)
        return f"NEXTVAL({quote_literal(qualified(where, name))})"

    return _NEXTVAL.sub(qualify, default)


def column_default(c: Column, catalog: Catalog | None = None) -> str:
    """A column's default as it can be written: an array constructor cast to the column's
    type (the canonical form drops the casts that give ``ARRAY[]`` or ``ARRAY['a', 1]`` one);
    given the catalog, the sequence a ``nextval`` draws on named with its schema."""
    default = executable(c.default or "")
    if catalog is not None:
        default = sequence_qualified(default, c.schema, catalog)
    if default.upper().startswith("ARRAY["):
        return f"({default})::{c.type}"
    return default


def collation(name: str) -> str:
    """A collation's name as SQL: ``C`` is ``"C"`` (bare, it would fold to ``c``)."""
    if name.startswith('"'):
        return name
    schema, dot, own = name.rpartition(".")
    return qualified(schema, own) if dot else quote_ident(own)


def _q(schema: str, name: str) -> str:
    return qualified(schema, name)


def _cols(names: tuple[str, ...]) -> str:
    return ", ".join(quote_ident(c) for c in names)


def _temporal(names: tuple[str, ...], period: bool) -> str:
    """A foreign key's column list, ``PERIOD`` before its last column when temporal."""
    cols = [quote_ident(c) for c in names]
    if period and cols:
        cols[-1] = "PERIOD " + cols[-1]
    return ", ".join(cols)


def _constraint(c: Constraint) -> str:
    period = " WITHOUT OVERLAPS" if c.period else ""
    if c.type in ("primary key", "unique"):
        body = f"{c.type.upper()} ({_cols(c.columns)}{period})"
        if c.include:
            body += f" INCLUDE ({_cols(c.include)})"
        if c.nulls_not_distinct:
            body = body.replace("UNIQUE", "UNIQUE NULLS NOT DISTINCT", 1)
    elif c.type == "foreign key":
        body = (f"FOREIGN KEY ({_temporal(c.columns, c.period)}) REFERENCES {c.ref_table}"
                f" ({_temporal(c.ref_columns, c.period)})")
        if c.match != "SIMPLE":
            body += f" MATCH {c.match}"
        if c.on_update != "NO ACTION":
            body += f" ON UPDATE {c.on_update}"
        if c.on_delete != "NO ACTION":
            body += f" ON DELETE {c.on_delete}"
            if c.on_delete_columns:
                body += f" ({', '.join(quote_ident(n) for n in c.on_delete_columns)})"
    elif c.type == "check":
        body = f"CHECK ({executable(c.expression or '')})" + (
            " NO INHERIT" if c.no_inherit else "")
    else:
        body = f"EXCLUDE {c.expression}"
    if c.index_options:  # before an exclusion's WHERE
        where = body.find(" WHERE (") if c.type == "exclude" else -1
        with_ = f" WITH ({', '.join(c.index_options)})"
        body = body[:where] + with_ + body[where:] if where >= 0 else body + with_
    if c.deferrable:
        body += " DEFERRABLE" + (" INITIALLY DEFERRED" if c.initially_deferred else "")
    if not c.enforced:
        body += " NOT ENFORCED"  # never validated: NOT VALID would be refused with it
    elif not c.validated:
        body += " NOT VALID"
    return f"ALTER TABLE {_q(c.schema, c.table)} ADD CONSTRAINT {quote_ident(c.name)} {body};"


def _column(c: Column, catalog: Catalog) -> str:
    # a type not modelled: "unknown", which PostgreSQL refuses for a column, not a guess
    out = f"    {quote_ident(c.name)} {c.type or 'unknown'}"
    if c.collation:
        out += f" COLLATE {collation(c.collation)}"
    if c.generated:
        kind = "VIRTUAL" if c.virtual else "STORED"
        out += f" GENERATED ALWAYS AS ({executable(c.generated)}) {kind}"
    if c.identity:
        out += f" GENERATED {c.identity.upper()} AS IDENTITY"
        out += f" ({' '.join(identity_sequence_options(c))})" if c.identity_options else ""
    if c.default is not None:
        out += f" DEFAULT {column_default(c, catalog)}"
    if c.not_null and c.not_null_validated:  # a NOT VALID one: added after (_table)
        out += " NOT NULL" + (" NO INHERIT" if c.not_null_no_inherit else "")
    return out


def _table(t: Table, catalog: Catalog) -> str:
    cols = ",\n".join(_column(c, catalog) for c in catalog.columns(t.schema, t.name))
    head = "CREATE UNLOGGED TABLE" if t.persistence == "unlogged" else "CREATE TABLE"
    out = f"{head} {_q(t.schema, t.name)} (\n{cols}\n)"
    if t.of_type:
        out = f"{head} {_q(t.schema, t.name)} OF {t.of_type}"
    if t.partition_of:
        bound = t.partition_bound or "DEFAULT"
        bound = bound if bound == "DEFAULT" else f"FOR VALUES {bound}"
        out = f"{head} {_q(t.schema, t.name)} PARTITION OF {t.partition_of} {bound}"
    if t.inherits:
        out += f" INHERITS ({', '.join(t.inherits)})"
    if t.partition_by:
        out += f" PARTITION BY {t.partition_by}"
    out += f" USING {quote_ident(t.access_method)}" if t.access_method != "heap" else ""
    out += f" WITH ({', '.join(t.options)})" if t.options else ""
    out += ";"
    for c in catalog.columns(t.schema, t.name):
        alter = f"\nALTER TABLE {_q(t.schema, t.name)} ALTER COLUMN {quote_ident(c.name)}"
        if c.storage not in (None, "default"):
            out += f"{alter} SET STORAGE {c.storage.upper()};"
        out += f"{alter} SET STATISTICS {c.statistics};" if c.statistics is not None else ""
        out += f"{alter} SET COMPRESSION {c.compression};" if c.compression != "default" else ""
        if c.not_null and not c.not_null_validated:  # PostgreSQL 18
            out += (f"\nALTER TABLE {_q(t.schema, t.name)} ADD NOT NULL {quote_ident(c.name)}"
                    + (" NO INHERIT" if c.not_null_no_inherit else "") + " NOT VALID;")
    for name, default in t.inherited_defaults:  # an inherited column's own default
        out += (f"\nALTER TABLE ONLY {_q(t.schema, t.name)} ALTER COLUMN {quote_ident(name)} "
                + (f"SET DEFAULT {executable(default)};" if default is not None
                   else "DROP DEFAULT;"))
    for name, not_null in t.inherited_not_null:  # an inherited column's own NOT NULL
        out += (f"\nALTER TABLE ONLY {_q(t.schema, t.name)} ALTER COLUMN {quote_ident(name)} "
                + ("SET NOT NULL;" if not_null else "DROP NOT NULL;"))
    for name, state in t.trigger_states:  # a clone of its parent's trigger, set apart
        how = {"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}.get(state, "ENABLE")
        out += f"\nALTER TABLE ONLY {_q(t.schema, t.name)} {how} TRIGGER {quote_ident(name)};"
    for name, text in t.inherited_comments:  # an inherited column's own comment
        out += (f"\nCOMMENT ON COLUMN {_q(t.schema, t.name)}.{quote_ident(name)} IS "
                f"{quote_literal(text)};")
    if t.rls_enabled:
        out += f"\nALTER TABLE {_q(t.schema, t.name)} ENABLE ROW LEVEL SECURITY;"
    if t.rls_forced:
        out += f"\nALTER TABLE {_q(t.schema, t.name)} FORCE ROW LEVEL SECURITY;"
    if t.replica_identity.startswith("index "):  # its index does not exist yet
        out += (f"\n-- then, once its index exists: ALTER TABLE {_q(t.schema, t.name)} "
                f"{replica_identity(t)};")
    elif t.replica_identity != "default":
        out += f"\nALTER TABLE {_q(t.schema, t.name)} {replica_identity(t)};"
    if t.clustered_on:  # its index does not exist yet
        out += (f"\n-- then, once its index exists: ALTER TABLE {_q(t.schema, t.name)} "
                f"CLUSTER ON {quote_ident(t.clustered_on)};")
    return out


def storage_options(kind: str, name: str, expected: tuple[str, ...],
                    actual: tuple[str, ...]) -> str:
    """``ALTER <kind> name RESET (...), SET (...)``: storage parameters from ``actual`` to
    ``expected`` (each ``name=value``)."""
    want = [o.partition("=")[0] for o in expected]
    gone = [n for n in (o.partition("=")[0] for o in actual) if n not in want]
    parts = [f"RESET ({', '.join(gone)})"] if gone else []
    parts += [f"SET ({', '.join(expected)})"] if expected else []
    return f"ALTER {kind} {name} {', '.join(parts)};"


def identity_sequence_options(c: Column) -> list[str]:
    """An identity column's sequence options as ``GENERATED ... AS IDENTITY (...)`` and
    ``ALTER COLUMN ... SET ...`` take them (only those not the defaults)."""
    given = dict(o.partition("=")[::2] for o in c.identity_options)
    spell = {"start": "START WITH {}", "increment": "INCREMENT BY {}",
             "minvalue": "MINVALUE {}", "maxvalue": "MAXVALUE {}", "cache": "CACHE {}",
             "cycle": "CYCLE"}
    return [spell[k].format(v) for k, v in given.items() if k in spell]


def replica_identity(t: Table) -> str:
    """``REPLICA IDENTITY ...`` as ``ALTER TABLE`` sets the table's."""
    if t.replica_identity.startswith("index "):
        return f"REPLICA IDENTITY USING INDEX {quote_ident(t.replica_identity[len('index '):])}"
    return f"REPLICA IDENTITY {t.replica_identity.upper()}"


def create_schema(obj: Schema, catalog: Catalog) -> str | None:
    return None if obj.name == "public" else f"CREATE SCHEMA {quote_ident(obj.name)};"

def create_extension(obj: Extension, catalog: Catalog) -> str | None:
    version = f" VERSION {quote_literal(obj.version)}" if obj.version else ""
    return (f"CREATE EXTENSION {quote_ident(obj.name)} WITH SCHEMA "
            f"{quote_ident(obj.schema)}{version};")

def create_enum(obj: Enum, catalog: Catalog) -> str | None:
    labels = ", ".join(quote_literal(x) for x in obj.labels)
    return f"CREATE TYPE {_q(obj.schema, obj.name)} AS ENUM ({labels});"

def create_domain(obj: Domain, catalog: Catalog) -> str | None:
    out = f"CREATE DOMAIN {_q(obj.schema, obj.name)} AS {obj.type}"
    out += f" DEFAULT {obj.default}" if obj.default else ""
    out += " NOT NULL" if obj.not_null else ""
    out += "".join(f" CONSTRAINT {quote_ident(n)} CHECK ({executable(e)})"
                   for n, e in obj.checks if n not in obj.not_valid)
    out += "".join(f";\nALTER DOMAIN {_q(obj.schema, obj.name)} ADD CONSTRAINT {quote_ident(n)}"
                   f" CHECK ({executable(e)}) NOT VALID" for n, e in obj.checks
                   if n in obj.not_valid)
    out += "".join(f";\n{domain_check_comment(obj, n, text)}"[:-1]
                   for n, text in obj.check_comments)
    return out + ";"


def domain_check_comment(obj: Domain, check: str, text: str | None) -> str:
    """``COMMENT ON CONSTRAINT c ON DOMAIN d IS ...`` (``NULL`` for none)."""
    value = "NULL" if text is None else quote_literal(text)
    return (f"COMMENT ON CONSTRAINT {quote_ident(check)} ON DOMAIN {_q(obj.schema, obj.name)} "
            f"IS {value};")

def create_composite(obj: CompositeType, catalog: Catalog) -> str | None:
    attrs = ", ".join(f"{quote_ident(n)} {t}" for n, t in obj.attributes_)
    comments = "".join(f"\n{column_comment(obj, n, text)}" for n, text in obj.attribute_comments)
    return f"CREATE TYPE {_q(obj.schema, obj.name)} AS ({attrs});{comments}"

def create_sequence(obj: Sequence, catalog: Catalog) -> str | None:
    head = "CREATE UNLOGGED SEQUENCE" if obj.persistence == "unlogged" else "CREATE SEQUENCE"
    out = (f"{head} {_q(obj.schema, obj.name)} AS {obj.data_type} START {obj.start}"
           f" INCREMENT {obj.increment} MINVALUE {obj.min_value} MAXVALUE {obj.max_value}"
           f" CACHE {obj.cache}{' CYCLE' if obj.cycle else ''}")
    owned = f" OWNED BY {obj.schema}.{obj.owned_by}" if obj.owned_by else ""
    return out + owned + ";"

def create_event_trigger(obj: EventTrigger, catalog: Catalog) -> str | None:
    when = (" WHEN TAG IN (" + ", ".join(quote_literal(t) for t in obj.tags) + ")"
            if obj.tags else "")
    schema, _, name = obj.function.partition(".")
    out = (f"CREATE EVENT TRIGGER {quote_ident(obj.name)} ON {obj.event}{when} "
           f"EXECUTE FUNCTION {_q(schema, name)}();")
    if obj.enabled != "O":
        out += f"\nALTER EVENT TRIGGER {quote_ident(obj.name)} {event_trigger_state(obj)};"
    return out


def event_trigger_state(obj: EventTrigger) -> str:
    return {"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}.get(obj.enabled,
                                                                             "ENABLE")


def create_statistics(obj: Statistics, catalog: Catalog) -> str | None:
    kinds = f" ({', '.join(obj.kinds)})" if obj.kinds else ""
    keys = ", ".join(k if k.startswith("(") else quote_ident(k) for k in obj.keys)
    schema, _, table = obj.table.partition(".")
    out = f"CREATE STATISTICS {_q(obj.schema, obj.name)}{kinds} ON {keys} FROM {_q(schema, table)};"
    if obj.target is not None:
        out += f"\nALTER STATISTICS {_q(obj.schema, obj.name)} SET STATISTICS {obj.target};"
    return out

def create_table(obj: Table, catalog: Catalog) -> str | None:
    return _table(obj, catalog)

def create_constraint(obj: Constraint, catalog: Catalog) -> str | None:
    return _constraint(obj)

def create_index(obj: Index, catalog: Catalog) -> str | None:
    keys = ", ".join(obj.keys)
    out = (f"CREATE {'UNIQUE ' if obj.unique else ''}INDEX {quote_ident(obj.name)} ON "
           f"{_q(obj.schema, obj.table)} USING {obj.method} ({keys})")
    out += f" INCLUDE ({_cols(obj.include)})" if obj.include else ""
    out += " NULLS NOT DISTINCT" if obj.nulls_not_distinct else ""
    out += f" WITH ({', '.join(obj.options)})" if obj.options else ""
    out += f" WHERE {executable(obj.predicate)}" if obj.predicate else ""
    return out + ";"

def create_view(obj: View, catalog: Catalog) -> str | None:
    defaults = "".join(f"\nALTER VIEW {_q(obj.schema, obj.name)} ALTER COLUMN {quote_ident(c)} "
                       f"SET DEFAULT {executable(d)};" for c, d in obj.defaults)
    defaults += "".join(f"\n{column_comment(obj, c, text)}"
                        for c, text in obj.column_comments)
    return (f"{view_statement(obj)}{defaults}\n-- reads: "
            f"{', '.join(obj.relations) or '(nothing)'}")


def column_comment(obj: View | CompositeType, column: str, text: str | None) -> str:
    """``COMMENT ON COLUMN v.c IS ...`` of a view's column or a composite type's attribute
    (``NULL`` for none)."""
    value = "NULL" if text is None else quote_literal(text)
    return f"COMMENT ON COLUMN {_q(obj.schema, obj.name)}.{quote_ident(column)} IS {value};"


def view_statement(obj: View) -> str:
    """``CREATE [MATERIALIZED] VIEW`` with its column list and options, the query verbatim."""
    kind = "MATERIALIZED VIEW" if obj.materialized else "VIEW"
    columns = f" ({', '.join(quote_ident(c) for c in obj.columns)})" if obj.columns else ""
    options = ", ".join(o if "=" in o else f"{o}=true" for o in obj.options)
    with_ = f" WITH ({options})" if options else ""
    body = obj.definition.strip().rstrip(";")
    return f"CREATE {kind} {_q(obj.schema, obj.name)}{columns}{with_} AS\n{body};"

def create_function(obj: Function, catalog: Catalog) -> str | None:
    head = "PROCEDURE" if obj.routine == "procedure" else "FUNCTION"
    out = f"CREATE {head} {_q(obj.schema, obj.name)}({obj.arguments})"
    out += f" RETURNS {obj.returns}" if obj.returns else ""
    out += f"\n    LANGUAGE {obj.language}"
    if obj.routine != "procedure":
        out += " WINDOW" if obj.routine == "window" else ""
        out += f" {obj.volatility.upper()}"
    out += " STRICT" if obj.strict else ""
    out += " SECURITY DEFINER" if obj.security_definer else ""
    out += " LEAKPROOF" if obj.leakproof else ""
    out += f" PARALLEL {obj.parallel.upper()}" if obj.parallel != "unsafe" else ""
    out += f" COST {obj.cost}" if obj.cost else ""
    out += f" ROWS {obj.rows}" if obj.rows else ""
    out += "".join(f"\n    SET {c}" for c in obj.config)
    return out + f"\n    AS $schemadiff${obj.body}$schemadiff$;"

def create_trigger(obj: Trigger, catalog: Catalog) -> str | None:
    events = " OR ".join(obj.events)
    out = (f"CREATE {'CONSTRAINT ' if obj.constraint else ''}TRIGGER {quote_ident(obj.name)} "
           f"{obj.timing} {events} ON {_q(obj.schema, obj.table)}")
    out += f" REFERENCING {' '.join(obj.referencing)}" if obj.referencing else ""
    out += f" FOR EACH {obj.level}"
    out += f" WHEN ({executable(obj.when)})" if obj.when else ""
    args = ", ".join(quote_literal(a) for a in obj.arguments)
    return out + f" EXECUTE FUNCTION {obj.function}({args});"

def create_policy(obj: Policy, catalog: Catalog) -> str | None:
    out = (f"CREATE POLICY {quote_ident(obj.name)} ON {_q(obj.schema, obj.table)}"
           f"{'' if obj.permissive else ' AS RESTRICTIVE'} FOR {obj.command}"
           f" TO {', '.join(obj.roles)}")
    using = policy_expression(obj.using, obj.using_text) or executable(obj.using or "")
    check = policy_expression(obj.with_check, obj.check_text) or executable(obj.with_check or "")
    out += f" USING ({using})" if obj.using else ""
    out += f" WITH CHECK ({check})" if obj.with_check else ""
    return out + ";"


_SUBQUERY = re.compile(r"\(\s*(?:SELECT|WITH|VALUES)\b", re.IGNORECASE)


def policy_expression(canonical: str | None, text: str | None) -> str | None:
    """A policy's USING or WITH CHECK as it can be written back, None when it cannot be known.

    The canonical form drops column qualifiers. Outside a subquery they decide nothing (the
    policy's table is the only relation), but inside one ``m.id = t.id`` and ``id = id`` differ:
    there the text as written is used, while it still reads as the canonical form (a rename
    since makes it stale).
    """
    if canonical is None:
        return None
    if text is not None and normalize_expression(text) == canonical:
        return text.strip()
    return None if _SUBQUERY.search(canonical) else executable(canonical)


def comment_on(obj: SchemaObject) -> str | None:
    if obj.comment is None:
        return None
    if isinstance(obj, Extension):  # "": none (None: its control file's, set by CREATE)
        text = quote_literal(obj.comment) if obj.comment else "NULL"
        return f"COMMENT ON EXTENSION {quote_ident(obj.name)} IS {text};"
    if isinstance(obj, EventTrigger):
        return f"COMMENT ON EVENT TRIGGER {quote_ident(obj.name)} IS {quote_literal(obj.comment)};"
    kind = {"composite": "TYPE", "enum": "TYPE", "view": "VIEW"}.get(obj.KIND, obj.KIND.upper())
    key = obj.key
    if isinstance(obj, Column):
        target = f"COLUMN {_q(key.schema, key.name)}.{quote_ident(key.sub)}"
    elif key.sub and obj.KIND in ("constraint", "trigger", "policy"):
        target = f"{kind} {quote_ident(key.sub)} ON {_q(key.schema, key.name)}"
    elif isinstance(obj, Function):
        target = f"FUNCTION {_q(key.schema, key.name)}({key.sub})"
    elif isinstance(obj, Schema):
        target = f"SCHEMA {quote_ident(obj.name)}"
    else:
        target = f"{kind} {_q(key.schema, key.name)}"
    return f"COMMENT ON {target} IS {quote_literal(obj.comment)};"


def privilege_target(obj: Privilege) -> str:
    """What a GRANT names for a privilege's object: ``TABLE s.t`` (a view too), ``SEQUENCE
    s.q``, ``ROUTINE s.f(integer)`` (a function or a procedure), ``SCHEMA s``."""
    kind, _, name = obj.object.partition(" ")
    if kind == "schema":
        return f"SCHEMA {quote_ident(name)}"
    if kind == "function":
        routine, paren, args = name.partition("(")
        return f"ROUTINE {qualified(obj.schema, routine)}{paren}{args}"
    if kind == "column":  # its table's (or view's); the column goes after each privilege
        return f"TABLE {qualified(obj.schema, name.rpartition('.')[0])}"
    return f"{kind.upper()} {qualified(obj.schema, name)}"


def privilege_changes(before: Privilege | None, after: Privilege | None) -> list[str]:
    """The GRANT and REVOKE statements that turn what one role holds on one object from
    ``before`` into ``after`` (None: nothing beyond the defaults). A revoked default (PUBLIC's
    ``-EXECUTE``) is granted back or revoked again; a grant option alone is revoked with
    ``REVOKE GRANT OPTION FOR``."""
    from schemadiff.sql.privileges import held

    some = after or before
    if some is None:
        return []
    kind = some.object.partition(" ")[0]
    was = held(kind, some.grantee, before.privileges if before else ())
    now = held(kind, some.grantee, after.privileges if after else ())
    on = privilege_target(some)
    who = "PUBLIC" if some.grantee == "PUBLIC" else quote_ident(some.grantee)
    column = f" ({quote_ident(some.object.rpartition('.')[2])})" if kind == "column" else ""

    def spell(privileges: list[str]) -> str:
        return ", ".join(p + column for p in privileges)

    out = []
    if revoke := sorted(p for p in was if p not in now):
        out.append(f"REVOKE {spell(revoke)} ON {on} FROM {who};")
    if option_off := sorted(p for p, option in now.items() if not option and was.get(p)):
        out.append(f"REVOKE GRANT OPTION FOR {spell(option_off)} ON {on} FROM {who};")
    if plain := sorted(p for p, option in now.items() if not option and p not in was):
        out.append(f"GRANT {spell(plain)} ON {on} TO {who};")
    if option_on := sorted(p for p, option in now.items() if option and not was.get(p)):
        out.append(f"GRANT {spell(option_on)} ON {on} TO {who} WITH GRANT OPTION;")
    return out
