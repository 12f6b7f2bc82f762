"""Differential fuzzer of the replay: random DDL histories run on a real PostgreSQL, replayed
by schemadiff, compared live and through ``pg_dump``. Every difference or diagnostic is a
candidate engine bug: the history is minimized (statements dropped while the finding stays)
and written out, one file per new kind of finding.

    python benchmarks/fuzz_replay.py --seeds 0:50 --steps 60 --out /tmp/fuzz

The generator keeps a model of what exists (tables and their columns, views, indexes,
constraints, enums, domains, functions, sequences) and draws statements of ~45 shapes over it
(columns of 22 types with defaults, CHECKs, keys; renames, type changes, cascades; views over
joins and aggregates; partitions; policies, triggers, grants, comments; LIKE, identity,
schemas); a statement the server refuses is dropped. The server is ``SCHEMADIFF_TEST_DSN``
(default: the machine's PostgreSQL on 127.0.0.1:5432); ``PG_BIN`` is where ``pg_dump`` is.
Not part of CI: a tool to find the next class of false differences (each one found so far is
a table-driven case in tests/). ``fuzz_infer.py`` uses the same generator for inference.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import subprocess
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from schemadiff.differences import diff_catalogs
from schemadiff.history import replay_sql
from schemadiff.sources.dump import read_dump
from schemadiff.sources.live import read_live

DSN = os.environ.get("SCHEMADIFF_TEST_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")

TYPES = ["int", "bigint", "smallint", "numeric(10,2)", "numeric", "text", "varchar(20)",
         "boolean", "date", "timestamptz", "timestamp", "jsonb", "uuid", "interval", "text[]",
         "int[]", "real", "double precision", "char(3)", "time", "bytea", "inet"]


def const(t: str, r: random.Random) -> str:
    """A constant of type t, in one of the spellings migrations use."""
    base = t.split("(")[0]
    c = r.random()
    if base in ("int", "bigint", "smallint"):
        n = r.choice([0, 1, -1, 42, 100, -7, 2147483])
        return r.choice([str(n), f"'{n}'", f"{n}::{t}", f"CAST({n} AS {t})", f"({n})"])
    if base in ("numeric", "real", "double precision"):
        v = r.choice(["0", "1.5", "-2.25", "100", "0.10", "1e3", "3"])
        return r.choice([v, f"'{v}'", f"{v}::{t}", f"'{v}'::{t}"])
    if base in ("text", "varchar", "char"):
        s = r.choice(["a", "", "it''s", "x y", "2020-01-01", "N/A", "ab", "true", "1"])
        if base == "char":
            s = s[:3]
        return r.choice([f"'{s}'", f"'{s}'::{t}", f"E'{s}'", f"'{s}'::text",
                         f"CAST('{s}' AS {t})"] + (["''"] if c < .1 else []))
    if base == "boolean":
        return r.choice(["true", "false", "'t'", "'f'::boolean", "TRUE", "'yes'"])
    if base == "date":
        return r.choice(["'2020-01-01'", "'2020-01-01'::date", "CURRENT_DATE",
                         "DATE '2021-06-30'", "'infinity'::date", "now()::date"])
    if base == "timestamptz":
        return r.choice(["now()", "CURRENT_TIMESTAMP", "'2020-01-01 00:00:00+00'",
                         "'2020-01-01'::timestamptz", "clock_timestamp()",
                         "timezone('utc', now())::timestamptz", "'epoch'::timestamptz",
                         "now() + interval '1 day'"])
    if base == "timestamp":
        return r.choice(["now()", "LOCALTIMESTAMP", "'2020-01-01 10:00:00'",
                         "timezone('utc', now())", "'2020-01-01'::timestamp",
                         "CURRENT_TIMESTAMP"])
    if base == "time":
        return r.choice(["'10:00'", "'10:00:00'::time", "LOCALTIME", "'23:59:59.5'"])
    if base == "jsonb":
        return r.choice(["'{}'", "'{}'::jsonb", "'[]'::jsonb", "'{\"a\": 1}'::jsonb",
                         "jsonb_build_object('k', 1)", "'null'::jsonb", "'{\"b\":[1,2]}'"])
    if base == "uuid":
        return r.choice(["gen_random_uuid()", "'00000000-0000-0000-0000-000000000000'",
                         "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid"])
    if base == "interval":
        return r.choice(["'1 day'", "interval '1 hour'", "'00:30:00'::interval",
                         "'1 mon 2 days'", "make_interval(days => 3)", "'P1D'::interval"])
    if base == "text[]":
        return r.choice(["'{}'", "'{}'::text[]", "ARRAY['a','b']", "ARRAY[]::text[]",
                         "'{a,\"b c\"}'", "'{}'::varchar[]"])
    if base == "int[]":
        return r.choice(["'{}'", "ARRAY[1,2]", "'{1,2,3}'::int[]", "ARRAY[]::integer[]"])
    if base == "bytea":
        return r.choice(["'\\x00'", "'\\xdeadbeef'::bytea", "''::bytea", "decode('00', 'hex')"])
    if base == "inet":
        return r.choice(["'127.0.0.1'", "'10.0.0.0/8'::inet", "'::1'"])
    return "NULL"


def predicate(col: str, t: str, r: random.Random) -> str:
    """A boolean expression over column col of type t."""
    base = t.split("(")[0]
    q = col
    if base in ("int", "bigint", "smallint", "numeric", "real", "double precision"):
        return r.choice([f"{q} > {const(t, r)}", f"{q} >= 0", f"{q} BETWEEN 0 AND 100",
                         f"{q} IN (1, 2, 3)", f"{q} <> 5", f"({q} % 2) = 0",
                         f"{q} IS NOT NULL", f"{q} > 0 AND {q} < 1000", f"abs({q}) < 10000"])
    if base in ("text", "varchar", "char"):
        return r.choice([f"{q} <> ''", f"length({q}) < 50", f"{q} IN ('a', 'b')",
                         f"{q} ~ '^[a-z]*$'", f"{q} LIKE 'a%'", f"lower({q}) = {q}",
                         f"{q} = ANY (ARRAY['x', 'y'])", f"char_length({q}) >= 0",
                         f"{q} IS DISTINCT FROM 'z'", f"btrim({q}) <> ''",
                         f"{q} <> '2020-01-01'", f"{q} ILIKE '%x%'"])
    if base == "date":
        return r.choice([f"{q} > '2000-01-01'", f"{q} >= DATE '2001-01-01'",
                         f"{q} < '2100-01-01'::date", f"{q} IS NOT NULL",
                         f"date_part('year', {q}) > 1999"])
    if base in ("timestamptz", "timestamp"):
        return r.choice([f"{q} > '2000-01-01'", f"{q} >= '2000-01-01 00:00:00'",
                         f"{q} < now() + interval '100 years'" if base == "timestamptz"
                         else f"{q} IS NOT NULL",
                         f"date_trunc('day', {q}) = {q}"])
    if base == "jsonb":
        return r.choice([f"jsonb_typeof({q}) = 'object'", f"{q} ? 'a'", f"{q} <> '{{}}'",
                         f"({q} ->> 'a') IS NOT NULL", f"{q} @> '{{\"a\": 1}}'"])
    if base == "boolean":
        return r.choice([q, f"NOT {q}", f"{q} IS TRUE", f"{q} = true"])
    if base in ("text[]", "int[]"):
        return r.choice([f"cardinality({q}) < 10", f"array_length({q}, 1) > 0",
                         f"{q} <> '{{}}'"])
    if base == "interval":
        return r.choice([f"{q} > '0'", f"{q} < interval '1 year'"])
    if base == "uuid":
        return f"{q} IS NOT NULL"
    return f"{q} IS NOT NULL"


def expr(col: str, t: str, r: random.Random) -> tuple[str, str]:
    """An expression over col (for generated columns, view columns, index expressions) and
    its type, immutable."""
    base = t.split("(")[0]
    if base in ("int", "bigint", "smallint"):
        return r.choice([(f"{col} * 2", t if t != "smallint" else "int"), (f"{col} + 1", "bigint"),
                         (f"({col})::text", "text"), (f"{col} / 3", "int"),
                         (f"round({col} / 7.0, 2)", "numeric"), (f"abs({col})", t)])
    if base in ("numeric",):
        return r.choice([(f"round({col}, 1)", "numeric"), (f"{col} * 100", "numeric"),
                         (f"({col})::int", "int")])
    if base in ("text", "varchar", "char"):
        return r.choice([(f"lower({col})", "text"), (f"upper({col})", "text"),
                         (f"{col} || '-x'", "text"), (f"coalesce({col}, '')", "text"),
                         (f"length({col})", "int"), (f"md5({col})", "text"),
                         (f"substr({col}, 1, 2)", "text"), (f"left({col}, 3)", "text")])
    if base == "date":
        return r.choice([(f"{col} + 1", "date"), (f"date_part('year', {col})", "double precision")])
    if base == "jsonb":
        return r.choice([(f"{col} ->> 'a'", "text"), (f"{col} -> 'b'", "jsonb"),
                         (f"({col} ->> 'n')::int", "int"), (f"{col} #>> '{{a,b}}'", "text")])
    if base == "boolean":
        return (f"NOT {col}", "boolean")
    if base == "timestamp":
        return (f"date_trunc('hour', {col})", "timestamp")
    return (f"{col} IS NULL", "boolean")


#: a statement and what running it changes in the generator's model
Step = tuple[str, Callable[[], object]]


@dataclass
class Table:
    name: str
    cols: dict[str, str] = field(default_factory=dict)
    pk: str | None = None
    partitioned: bool = False
    parents: list[str] = field(default_factory=list)  # INHERITS parents


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.tables: dict[str, Table] = {}
        self.views: list[str] = []
        self.matviews: list[str] = []
        self.indexes: list[str] = []
        self.constraints: list[tuple[str, str]] = []
        self.enums: dict[str, list[str]] = {}
        self.domains: list[str] = []
        self.functions: list[str] = []
        self.seqs: list[str] = []
        self.n = 0

    def name(self, p: str) -> str:
        self.n += 1
        return f"{p}{self.n}"

    def coltype(self) -> str:
        r = self.r
        if self.enums and r.random() < .12:
            return r.choice(list(self.enums))
        if self.domains and r.random() < .08:
            return r.choice(self.domains)
        return r.choice(TYPES)

    def coldef(self, t: str, table: Table | None) -> str:
        r = self.r
        parts = [t]
        base = t.split("(")[0]
        if r.random() < .35:
            if t in self.enums:
                parts.append(f"DEFAULT '{r.choice(self.enums[t])}'")
            elif t in self.domains:
                pass
            else:
                parts.append(f"DEFAULT {const(t, r)}")
        if r.random() < .3:
            parts.append("NOT NULL")
        if r.random() < .15 and t not in self.enums and t not in self.domains:
            parts.append(f"CHECK ({predicate('COLNAME', t, r)})")
        if r.random() < .06 and base in ("int", "text", "bigint", "uuid"):
            parts.append("UNIQUE")
        if r.random() < .08 and base in ("int", "bigint"):
            tgt = [x for x in self.tables.values() if x.pk and x.cols.get(x.pk) == t]
            if tgt:
                x = r.choice(tgt)
                parts.append(f"REFERENCES {x.name}({x.pk})" + r.choice(
                    ["", " ON DELETE CASCADE", " ON DELETE SET NULL", " ON UPDATE CASCADE",
                     " DEFERRABLE INITIALLY DEFERRED"]))
        return " ".join(parts)

    def create_table(self) -> tuple[str, Table]:
        r = self.r
        t = Table(self.name("t"))
        cols = []
        pktype = r.choice(["int", "bigint", "uuid", "serial", "bigserial", "identity", "text"])
        if pktype == "identity":
            cols.append("id bigint GENERATED " + r.choice(["ALWAYS", "BY DEFAULT"])
                        + " AS IDENTITY PRIMARY KEY")
            t.cols["id"] = "bigint"
        elif pktype in ("serial", "bigserial"):
            cols.append(f"id {pktype} PRIMARY KEY")
            t.cols["id"] = "int" if pktype == "serial" else "bigint"
        elif pktype == "uuid":
            cols.append("id uuid PRIMARY KEY DEFAULT gen_random_uuid()")
            t.cols["id"] = "uuid"
        else:
            cols.append(f"id {pktype} PRIMARY KEY")
            t.cols["id"] = pktype
        t.pk = "id"
        for _ in range(r.randint(1, 5)):
            c = self.name("c")
            ty = self.coltype()
            cols.append(f"{c} " + self.coldef(ty, t).replace("COLNAME", c))
            t.cols[c] = ty
        if r.random() < .2:
            c = self.name("g")
            src = r.choice(list(t.cols))
            e, ty = expr(src, t.cols[src], r)
            cols.append(f"{c} {ty} GENERATED ALWAYS AS ({e}) STORED")
            t.cols[c] = ty
        if r.random() < .2 and len(t.cols) > 2:
            a, b = r.sample(list(t.cols), 2)
            cols.append(f"CONSTRAINT {self.name('uq')} UNIQUE ({a}, {b})")
        if r.random() < .15:
            c = r.choice(list(t.cols))
            cols.append(f"CONSTRAINT {self.name('ck')} CHECK ({predicate(c, t.cols[c], r)})")
        return f"CREATE TABLE {t.name} (\n    " + ",\n    ".join(cols) + "\n)", t

    def step(self) -> tuple[str, object]:
        """One random statement and a function applying it to the model on success."""
        r = self.r
        tables = [t for t in self.tables.values() if t.cols]
        plain = [t for t in tables if not t.partitioned]
        choices = ["create_table"] * 6
        if tables:
            choices += ["add_column"] * 6 + ["drop_column"] * 2 + ["rename_column"] * 2 + \
                ["alter_type"] * 3 + ["set_default"] * 4 + ["drop_default"] + ["not_null"] * 2 + \
                ["add_check"] * 3 + ["add_unique"] + ["add_fk"] * 2 + ["index"] * 5 + \
                ["view"] * 4 + ["comment"] * 2 + ["grant"] * 2 + ["rename_table"] + \
                ["policy"] + ["trigger"] + ["matview"]
        choices += ["enum"] + ["domain"] + ["function"] * 2 + ["sequence"] + ["partitioned"]
        if any(t.parents for t in tables):
            choices += ["inherit_more"] * 3
        choices += ["schema_obj", "range_table", "like_table", "inherit_table", "identity",
                    "alter_domain", "alter_function", "alter_sequence", "comment_more"]
        if tables:
            choices += ["join_view", "trigger_when", "collate", "grant_more", "set_schema",
                        "detach_attach", "view_on_view", "alter_view"]
        if self.enums:
            choices += ["enum_add"] * 2 + ["enum_rename"]
        if self.indexes:
            choices += ["drop_index", "rename_index"]
        if self.constraints:
            choices += ["drop_constraint", "rename_constraint", "validate"]
        if self.views:
            choices += ["drop_view", "replace_view"]
        if len(tables) > 2:
            choices += ["drop_table"]
        what = r.choice(choices)
        return getattr(self, "_" + what)(r, tables or [None], plain or [None])

    # each returns (sql, apply) ---------------------------------------------------------------
    def _create_table(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        sql, t = self.create_table()
        return sql, lambda: self.tables.__setitem__(t.name, t)

    def _partitioned(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        name = self.name("p")
        kind = r.choice(["RANGE", "LIST"])
        if kind == "RANGE":
            sql = (f"CREATE TABLE {name} (id bigint NOT NULL, d date NOT NULL, v text) "
                   f"PARTITION BY RANGE (d);\n"
                   f"CREATE TABLE {name}_2024 PARTITION OF {name} FOR VALUES FROM "
                   f"('2024-01-01') TO ('2025-01-01');\n"
                   f"CREATE TABLE {name}_def PARTITION OF {name} DEFAULT")
        else:
            sql = (f"CREATE TABLE {name} (id bigint NOT NULL, d date NOT NULL, v text) "
                   f"PARTITION BY LIST (v);\n"
                   f"CREATE TABLE {name}_a PARTITION OF {name} FOR VALUES IN ('a', 'b')")
        t = Table(name, {"id": "bigint", "d": "date", "v": "text"}, None, True)
        return sql, lambda: self.tables.__setitem__(name, t)

    def _add_column(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        c = self.name("c")
        ty = self.coltype()
        d = self.coldef(ty, t).replace("COLNAME", c)
        if t.partitioned:
            d = d.replace(" UNIQUE", "")
        ine = " IF NOT EXISTS" if r.random() < .2 else ""
        return (f"ALTER TABLE {t.name} ADD COLUMN{ine} {c} {d}",
                lambda: t.cols.__setitem__(c, ty))

    def _drop_column(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        cols = [c for c in t.cols if c != t.pk]
        if not cols:
            return "SELECT 1", lambda: None
        c = r.choice(cols)
        return (f"ALTER TABLE {t.name} DROP COLUMN {c}" + r.choice(["", " CASCADE"]),
                lambda: t.cols.pop(c, None))

    def _rename_column(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        c = r.choice(list(t.cols))
        n = self.name("rc")

        def ap():
            t.cols[n] = t.cols.pop(c)
            if t.pk == c:
                t.pk = n
        return f"ALTER TABLE {t.name} RENAME COLUMN {c} TO {n}", ap

    def _alter_type(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        c = r.choice(list(t.cols))
        new = r.choice(["text", "varchar(50)", "bigint", "numeric(12,3)", "int", "jsonb",
                        "timestamptz", "varchar(10)"])
        using = r.choice(["", f" USING {c}::{new}"])
        return (f"ALTER TABLE {t.name} ALTER COLUMN {c} TYPE {new}{using}",
                lambda: t.cols.__setitem__(c, new))

    def _set_default(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        c = r.choice(list(t.cols))
        ty = t.cols[c]
        v = f"'{r.choice(self.enums[ty])}'" if ty in self.enums else const(ty, r)
        return f"ALTER TABLE {t.name} ALTER COLUMN {c} SET DEFAULT {v}", lambda: None

    def _drop_default(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        c = r.choice(list(t.cols))
        return f"ALTER TABLE {t.name} ALTER COLUMN {c} DROP DEFAULT", lambda: None

    def _not_null(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        c = r.choice(list(t.cols))
        return (f"ALTER TABLE {t.name} ALTER COLUMN {c} " + r.choice(["SET", "DROP"])
                + " NOT NULL", lambda: None)

    def _add_check(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        c = r.choice(list(t.cols))
        n = self.name("ck")
        nv = " NOT VALID" if r.random() < .2 and not t.partitioned else ""
        return (f"ALTER TABLE {t.name} ADD CONSTRAINT {n} CHECK "
                f"({predicate(c, t.cols[c], r)}){nv}",
                lambda: self.constraints.append((t.name, n)))

    def _add_unique(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(plain)
        if t is None:
            return "SELECT 1", lambda: None
        cols = r.sample(list(t.cols), min(len(t.cols), r.randint(1, 2)))
        n = self.name("uq")
        return (f"ALTER TABLE {t.name} ADD CONSTRAINT {n} UNIQUE ({', '.join(cols)})",
                lambda: self.constraints.append((t.name, n)))

    def _add_fk(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        tgt = [x for x in self.tables.values() if x.pk]
        if not tgt:
            return "SELECT 1", lambda: None
        x = r.choice(tgt)
        ty = x.cols[x.pk]
        c = self.name("fk")
        n = self.name("fkc")
        nv = " NOT VALID" if r.random() < .2 else ""
        act = r.choice(["", " ON DELETE CASCADE", " ON DELETE RESTRICT", " ON UPDATE SET NULL",
                        " MATCH FULL", " DEFERRABLE"])
        tyn = {"serial": "int"}.get(ty, ty)
        return (f"ALTER TABLE {t.name} ADD COLUMN {c} {tyn};\n"
                f"ALTER TABLE {t.name} ADD CONSTRAINT {n} FOREIGN KEY ({c}) "
                f"REFERENCES {x.name}({x.pk}){act}{nv}",
                lambda: (t.cols.__setitem__(c, tyn), self.constraints.append((t.name, n))))

    def _index(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        n = self.name("ix")
        c = r.choice(list(t.cols))
        ty = t.cols[c]
        base = ty.split("(")[0]
        kind = r.random()
        uniq = "UNIQUE " if r.random() < .15 and not t.partitioned else ""
        if kind < .3:
            e, _ = expr(c, ty, r)
            body = f"(({e}))"
        elif kind < .4 and base in ("jsonb", "text[]", "int[]"):
            body = f"USING gin ({c})"
        elif kind < .5 and base in ("text", "varchar"):
            body = f"({c} text_pattern_ops)" if base == "text" else f"({c} varchar_pattern_ops)"
        elif kind < .6 and len(t.cols) > 1:
            c2 = r.choice([x for x in t.cols if x != c])
            body = f"({c} DESC NULLS LAST, {c2})"
        else:
            body = f"({c})"
        where = ""
        if r.random() < .25:
            c3 = r.choice(list(t.cols))
            where = f" WHERE {predicate(c3, t.cols[c3], r)}"
        incl = ""
        if r.random() < .1 and len(t.cols) > 1 and not body.startswith("USING"):
            incl = f" INCLUDE ({r.choice([x for x in t.cols if x != c])})"
        return (f"CREATE {uniq}INDEX {n} ON {t.name} {body}{incl}{where}",
                lambda: self.indexes.append(n))

    def _drop_index(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        n = r.choice(self.indexes)
        return f"DROP INDEX {n}", lambda: self.indexes.remove(n)

    def _rename_index(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        n = r.choice(self.indexes)
        m = self.name("ix")

        def ap():
            self.indexes.remove(n)
            self.indexes.append(m)
        return f"ALTER INDEX {n} RENAME TO {m}", ap

    def _drop_constraint(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t, n = r.choice(self.constraints)
        return (f"ALTER TABLE {t} DROP CONSTRAINT {n}",
                lambda: self.constraints.remove((t, n)))

    def _rename_constraint(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t, n = r.choice(self.constraints)
        m = self.name("k")

        def ap():
            self.constraints.remove((t, n))
            self.constraints.append((t, m))
        return f"ALTER TABLE {t} RENAME CONSTRAINT {n} TO {m}", ap

    def _validate(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t, n = r.choice(self.constraints)
        return f"ALTER TABLE {t} VALIDATE CONSTRAINT {n}", lambda: None

    def _view(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        n = self.name("v")
        cols = r.sample(list(t.cols), min(len(t.cols), r.randint(1, 3)))
        sel = []
        for c in cols:
            k = r.random()
            if k < .3:
                e, _ = expr(c, t.cols[c], r)
                sel.append(f"{e} AS {c}_x")
            elif k < .4:
                sel.append(f"{c}::text AS {c}_t")
            else:
                sel.append(c)
        if r.random() < .2:
            sel.append("count(*) OVER () AS total")
        where = ""
        if r.random() < .4:
            c = r.choice(list(t.cols))
            where = f" WHERE {predicate(c, t.cols[c], r)}"
        order = f" ORDER BY {cols[0]}" if r.random() < .2 else ""
        opts = r.choice(["", " WITH (security_barrier)", " WITH (security_invoker = true)"])
        check = " WITH CASCADED CHECK OPTION" if r.random() < .1 else ""
        return (f"CREATE VIEW {n}{opts} AS SELECT {', '.join(sel)} FROM {t.name}{where}{order}{check}",
                lambda: self.views.append(n))

    def _replace_view(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        return self._view(r, tables, plain)

    def _drop_view(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        n = r.choice(self.views)
        return f"DROP VIEW {n}" + r.choice(["", " CASCADE"]), lambda: self.views.remove(n)

    def _matview(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        n = self.name("mv")
        c = r.choice(list(t.cols))
        return (f"CREATE MATERIALIZED VIEW {n} AS SELECT {c}, count(*) AS n FROM {t.name} "
                f"GROUP BY {c}" + r.choice(["", " WITH NO DATA"]),
                lambda: self.matviews.append(n))

    def _comment(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        text = r.choice(["'hello'", "'it''s'", "NULL", "E'line\\nbreak'", "''"])
        k = r.random()
        if k < .4:
            return f"COMMENT ON TABLE {t.name} IS {text}", lambda: None
        if k < .8:
            return f"COMMENT ON COLUMN {t.name}.{r.choice(list(t.cols))} IS {text}", lambda: None
        if self.indexes:
            return f"COMMENT ON INDEX {r.choice(self.indexes)} IS {text}", lambda: None
        return "SELECT 1", lambda: None

    def _grant(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        privs = r.choice(["SELECT", "SELECT, INSERT", "ALL", "UPDATE (" + r.choice(list(t.cols)) + ")",
                          "DELETE", "TRUNCATE, REFERENCES"])
        who = r.choice(["df_reader", "df_writer", "PUBLIC"])
        verb = r.choice(["GRANT", "GRANT", "REVOKE"])
        prep = "TO" if verb == "GRANT" else "FROM"
        opt = " WITH GRANT OPTION" if verb == "GRANT" and r.random() < .1 and who != "PUBLIC" else ""
        return f"{verb} {privs} ON {t.name} {prep} {who}{opt}", lambda: None

    def _rename_table(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        if t.partitioned:
            return "SELECT 1", lambda: None
        n = self.name("rt")
        old = t.name

        def ap2():
            del self.tables[old]
            t.name = n
            self.tables[n] = t
            self.constraints[:] = [(n if a == old else a, b) for a, b in self.constraints]
        return f"ALTER TABLE {old} RENAME TO {n}", ap2

    def _drop_table(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)

        def ap():
            del self.tables[t.name]
            self.constraints[:] = [x for x in self.constraints if x[0] != t.name]
        return f"DROP TABLE {t.name} CASCADE", ap

    def _policy(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        c = r.choice(list(t.cols))
        n = self.name("pol")
        cmd = r.choice(["", " FOR SELECT", " FOR INSERT", " FOR UPDATE", " FOR ALL"])
        to = r.choice(["", " TO df_reader", " TO PUBLIC", " TO df_reader, df_writer"])
        p = predicate(c, t.cols[c], r)
        clause = f" WITH CHECK ({p})" if "INSERT" in cmd else f" USING ({p})"
        return (f"ALTER TABLE {t.name} ENABLE ROW LEVEL SECURITY;\n"
                f"CREATE POLICY {n} ON {t.name}{cmd}{to}{clause}", lambda: None)

    def _trigger(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        f = self.name("trgf")
        n = self.name("trg")
        when = r.choice(["BEFORE UPDATE", "AFTER INSERT", "BEFORE INSERT OR UPDATE",
                         "AFTER DELETE"])
        return (f"CREATE FUNCTION {f}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n  RETURN NEW;\nEND\n$$;\n"
                f"CREATE TRIGGER {n} {when} ON {t.name} FOR EACH ROW EXECUTE FUNCTION {f}()",
                lambda: self.functions.append(f))

    def _enum(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        n = self.name("e")
        labels = r.sample(["new", "active", "done", "it's", "a b", "X"], r.randint(1, 4))
        lab = ", ".join("'" + x.replace("'", "''") + "'" for x in labels)
        return (f"CREATE TYPE {n} AS ENUM ({lab})",
                lambda: self.enums.__setitem__(n, [x.replace("'", "''") for x in labels]))

    def _enum_add(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        n = r.choice(list(self.enums))
        lab = self.name("l")
        pos = ""
        if r.random() < .4:
            pos = f" {r.choice(['BEFORE', 'AFTER'])} '{r.choice(self.enums[n])}'"
        return (f"ALTER TYPE {n} ADD VALUE IF NOT EXISTS '{lab}'{pos}",
                lambda: self.enums[n].append(lab))

    def _enum_rename(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        n = r.choice(list(self.enums))
        old = r.choice(self.enums[n])
        new = self.name("rl")

        def ap():
            self.enums[n][self.enums[n].index(old)] = new
        return f"ALTER TYPE {n} RENAME VALUE '{old}' TO '{new}'", ap

    def _domain(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        n = self.name("d")
        base = r.choice(["text", "int", "numeric(8,2)", "varchar(30)", "date"])
        chk = predicate("VALUE", base, r)
        dflt = f" DEFAULT {const(base, r)}" if r.random() < .3 else ""
        nn = " NOT NULL" if r.random() < .2 else ""
        return (f"CREATE DOMAIN {n} AS {base}{dflt}{nn} CHECK ({chk})",
                lambda: self.domains.append(n))

    def _function(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        n = self.name("fn")
        k = r.random()
        if k < .3:
            sql = (f"CREATE FUNCTION {n}(a int, b text DEFAULT 'x') RETURNS text "
                   f"LANGUAGE sql IMMUTABLE AS $$ SELECT b || a::text $$")
        elif k < .6:
            sql = (f"CREATE OR REPLACE FUNCTION {n}(x numeric) RETURNS numeric LANGUAGE plpgsql "
                   f"STABLE SECURITY DEFINER SET search_path = public AS $f$\nBEGIN\n"
                   f"  RETURN x * 2;\nEND;\n$f$")
        elif k < .8 and self.tables:
            t = r.choice(list(self.tables.values()))
            sql = (f"CREATE FUNCTION {n}() RETURNS SETOF {t.name} LANGUAGE sql STABLE AS "
                   f"'SELECT * FROM {t.name}'")
        else:
            sql = (f"CREATE FUNCTION {n}(VARIADIC xs int[]) RETURNS int LANGUAGE sql "
                   f"IMMUTABLE PARALLEL SAFE RETURN cardinality(xs)")
        return sql, lambda: self.functions.append(n)

    def _sequence(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        n = self.name("sq")
        opts = r.choice(["", " START 100", " INCREMENT BY 5 MINVALUE 1", " AS int CACHE 10",
                         " NO CYCLE MAXVALUE 1000"])
        sql = f"CREATE SEQUENCE {n}{opts}"
        t = r.choice(list(self.tables.values())) if self.tables else None
        if t and r.random() < .5:
            c = self.name("c")
            sql += (f";\nALTER TABLE {t.name} ADD COLUMN {c} bigint DEFAULT nextval('{n}');\n"
                    f"ALTER SEQUENCE {n} OWNED BY {t.name}.{c}")
            return sql, lambda: (self.seqs.append(n), t.cols.__setitem__(c, "bigint"))
        return sql, lambda: self.seqs.append(n)

    def _schema_obj(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        s_ = self.name("s")
        t = Table(f"{s_}.t")
        sql = (f"CREATE SCHEMA {s_};\nCREATE TABLE {s_}.t (id int PRIMARY KEY, "
               f"v text DEFAULT 'x', n numeric(8,2) CHECK (n > 0));\n"
               f"CREATE INDEX ON {s_}.t (lower(v));\n"
               f"CREATE VIEW {s_}.tv AS SELECT id, v FROM {s_}.t WHERE n > 1")
        t.cols = {"id": "int", "v": "text", "n": "numeric(8,2)"}
        t.pk = "id"
        return sql, lambda: self.tables.__setitem__(t.name, t)

    def _range_table(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        n = self.name("rg")
        sql = (f"CREATE TABLE {n} (id int, during tstzrange DEFAULT tstzrange(now(), NULL), "
               f"span int4range DEFAULT '[1,10)', d daterange DEFAULT '[2020-01-01,2021-01-01]', "
               f"EXCLUDE USING gist (span WITH &&))")
        t = Table(n, {"id": "int", "span": "int4range"})
        return sql, lambda: self.tables.__setitem__(n, t)

    def _like_table(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        src = r.choice(plain)
        if src is None:
            return "SELECT 1", lambda: None
        n = self.name("lk")
        inc = r.choice(["INCLUDING ALL", "INCLUDING DEFAULTS INCLUDING CONSTRAINTS",
                        "INCLUDING INDEXES", "", "INCLUDING ALL EXCLUDING INDEXES"])
        t = Table(n, dict(src.cols))
        return f"CREATE TABLE {n} (LIKE {src.name} {inc})", lambda: self.tables.__setitem__(n, t)

    def _inherit_table(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        src = r.choice(plain)
        if src is None:
            return "SELECT 1", lambda: None
        n = self.name("ih")
        srcs = [src]
        if r.random() < .3:  # a second parent: same-named columns merge
            other = r.choice(plain)
            if other is not None and other is not src:
                srcs.append(other)
        t = Table(n, {k: v for s in srcs for k, v in s.cols.items()},
                  parents=[s.name for s in srcs])
        t.cols["extra"] = "text"
        return (f"CREATE TABLE {n} (extra text) INHERITS ({', '.join(s.name for s in srcs)})",
                lambda: self.tables.__setitem__(n, t))

    def _inherit_more(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        """What a child has of its own on inherited columns, and inheritance changed later."""
        t = r.choice([t for t in tables if t.parents])
        c = r.choice(list(t.cols))
        only = r.choice(["ONLY ", ""])
        k = r.random()
        if k < .2:
            return f"ALTER TABLE {only}{t.name} ALTER COLUMN {c} SET NOT NULL", lambda: None
        if k < .3:
            return f"ALTER TABLE {only}{t.name} ALTER COLUMN {c} DROP NOT NULL", lambda: None
        if k < .45:
            return f"ALTER TABLE {only}{t.name} ALTER COLUMN {c} DROP DEFAULT", lambda: None
        if k < .6:
            return f"COMMENT ON COLUMN {t.name}.{c} IS 'own {c}'", lambda: None
        if k < .7:
            return f"CREATE VIEW {self.name('iv')} AS SELECT * FROM {t.name}", lambda: None
        if k < .85:
            p = r.choice(t.parents)
            return (f"ALTER TABLE {t.name} NO INHERIT {p}",
                    lambda: t.parents.remove(p) if p in t.parents else None)
        n = self.name("lk")
        return (f"CREATE TABLE {n} (LIKE {t.name} INCLUDING ALL)",
                lambda: self.tables.__setitem__(n, Table(n, dict(t.cols))))

    def _identity(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(plain)
        if t is None:
            return "SELECT 1", lambda: None
        c = self.name("idc")
        k = r.random()
        if k < .5:
            sql = (f"ALTER TABLE {t.name} ADD COLUMN {c} int NOT NULL GENERATED BY DEFAULT AS "
                   f"IDENTITY (START WITH 10 INCREMENT BY 2)")
        else:
            sql = (f"ALTER TABLE {t.name} ADD COLUMN {c} bigint NOT NULL;\n"
                   f"ALTER TABLE {t.name} ALTER COLUMN {c} ADD GENERATED ALWAYS AS IDENTITY")
        if r.random() < .3:
            sql += f";\nALTER TABLE {t.name} ALTER COLUMN {c} DROP IDENTITY"
        return sql, lambda: t.cols.__setitem__(c, "bigint")

    def _alter_domain(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        if not self.domains:
            return "SELECT 1", lambda: None
        d = r.choice(self.domains)
        k = r.random()
        if k < .3:
            return f"ALTER DOMAIN {d} SET DEFAULT NULL", lambda: None
        if k < .6:
            return f"ALTER DOMAIN {d} DROP NOT NULL", lambda: None
        n = self.name("dc")
        return f"ALTER DOMAIN {d} ADD CONSTRAINT {n} CHECK (VALUE IS NOT NULL) NOT VALID", lambda: None

    def _alter_function(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        if not self.functions:
            return "SELECT 1", lambda: None
        f = r.choice(self.functions)
        k = r.random()
        if k < .25:
            n = self.name("fr")

            def ap():
                self.functions[self.functions.index(f)] = n
            return f"ALTER FUNCTION {f} RENAME TO {n}", ap
        if k < .5:
            return f"ALTER FUNCTION {f} SECURITY DEFINER", lambda: None
        if k < .75:
            return f"ALTER FUNCTION {f} SET search_path = public, pg_temp", lambda: None
        return f"COMMENT ON FUNCTION {f} IS 'fn'", lambda: None

    def _alter_sequence(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        if not self.seqs:
            return "SELECT 1", lambda: None
        q = r.choice(self.seqs)
        return (f"ALTER SEQUENCE {q} " + r.choice(["INCREMENT BY 3", "MAXVALUE 99999",
                                                     "NO MINVALUE", "CACHE 5", "CYCLE",
                                                     "AS bigint", "START WITH 7", "RESTART"]),
                lambda: None)

    def _comment_more(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        opts = []
        if self.constraints:
            t, n = r.choice(self.constraints)
            opts.append(f"COMMENT ON CONSTRAINT {n} ON {t} IS 'c'")
        if self.views:
            opts.append(f"COMMENT ON VIEW {r.choice(self.views)} IS 'v'")
        if self.enums:
            opts.append(f"COMMENT ON TYPE {r.choice(list(self.enums))} IS 'e'")
        if self.seqs:
            opts.append(f"COMMENT ON SEQUENCE {r.choice(self.seqs)} IS 'q'")
        opts.append("COMMENT ON SCHEMA public IS 'standard public schema'")
        return r.choice(opts), lambda: None

    def _join_view(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        if len(tables) < 2:
            return "SELECT 1", lambda: None
        a, b = r.sample(tables, 2)
        n = self.name("jv")
        ca = r.choice(list(a.cols))
        cb = r.choice(list(b.cols))
        join = r.choice(["JOIN", "LEFT JOIN", "CROSS JOIN"])
        on = "" if join == "CROSS JOIN" else f" ON x.{a.pk or ca}::text = y.{b.pk or cb}::text"
        agg = r.random() < .4
        if agg:
            q = (f"SELECT x.{ca}, count(y.{cb}) AS n, max(y.{cb}::text) AS m FROM {a.name} x "
                 f"{join} {b.name} y{on} GROUP BY x.{ca}")
        else:
            q = f"SELECT x.{ca} AS a1, y.{cb} AS b1 FROM {a.name} x {join} {b.name} y{on}"
        return f"CREATE VIEW {n} AS {q}", lambda: self.views.append(n)

    def _trigger_when(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        f = self.name("tf")
        n = self.name("tw")
        c = r.choice(list(t.cols))
        when = r.choice([f"WHEN (OLD.{c} IS DISTINCT FROM NEW.{c})", f"WHEN (NEW.{c} IS NOT NULL)"])
        ev = r.choice([f"BEFORE UPDATE OF {c}", "AFTER UPDATE", "BEFORE UPDATE"])
        if "NEW" in when and "OLD" not in when:
            ev = r.choice(["BEFORE INSERT", "BEFORE INSERT OR UPDATE"])
        extra = r.choice(["", f";\nALTER TABLE {t.name} DISABLE TRIGGER {n}",
                          f";\nALTER TRIGGER {n} ON {t.name} RENAME TO {n}_r"])
        return (f"CREATE FUNCTION {f}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; "
                f"END $$;\nCREATE TRIGGER {n} {ev} ON {t.name} FOR EACH ROW {when} "
                f"EXECUTE FUNCTION {f}(){extra}", lambda: self.functions.append(f))

    def _collate(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(tables)
        c = self.name("co")
        coll = r.choice(['"C"', '"POSIX"', '"default"', '"en_US"', 'ucs_basic'])
        return (f"ALTER TABLE {t.name} ADD COLUMN {c} text COLLATE {coll}",
                lambda: t.cols.__setitem__(c, "text"))

    def _grant_more(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        opts = ["GRANT USAGE ON SCHEMA public TO df_reader",
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC"]
        if self.seqs:
            opts.append(f"GRANT USAGE, SELECT ON SEQUENCE {r.choice(self.seqs)} TO df_writer")
        if self.functions:
            opts.append(f"REVOKE EXECUTE ON FUNCTION {r.choice(self.functions)} FROM PUBLIC")
        if self.views:
            opts.append(f"GRANT SELECT ON {r.choice(self.views)} TO df_reader")
        t = r.choice(tables)
        opts.append(f"REVOKE ALL ON {t.name} FROM PUBLIC")
        opts.append(f"GRANT SELECT ({r.choice(list(t.cols))}) ON {t.name} TO df_writer")
        return r.choice(opts), lambda: None

    def _set_schema(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        t = r.choice(plain)
        if t is None or "." in t.name:
            return "SELECT 1", lambda: None
        s_ = self.name("ms")
        old = t.name

        def ap():
            del self.tables[old]
            t.name = f"{s_}.{old}"
            self.tables[t.name] = t
            self.constraints[:] = [(t.name if a == old else a, b) for a, b in self.constraints]
        return f"CREATE SCHEMA {s_};\nALTER TABLE {old} SET SCHEMA {s_}", ap

    def _detach_attach(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        parts = [t for t in tables if t.partitioned]
        if not parts:
            return "SELECT 1", lambda: None
        p = r.choice(parts)
        n = self.name("pa")
        if r.random() < .5:
            return (f"CREATE TABLE {n} (LIKE {p.name});\n"
                    f"ALTER TABLE {p.name} ATTACH PARTITION {n} FOR VALUES IN ('z{n}')",
                    lambda: None)
        return (f"ALTER TABLE {p.name} DETACH PARTITION {p.name}_a", lambda: None)

    def _view_on_view(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        if not self.views:
            return "SELECT 1", lambda: None
        v = r.choice(self.views)
        n = self.name("vv")
        return f"CREATE VIEW {n} AS SELECT * FROM {v}", lambda: self.views.append(n)

    def _alter_view(self, r: random.Random, tables: list[Any], plain: list[Any]) -> Step:
        if not self.views:
            return "SELECT 1", lambda: None
        v = r.choice(self.views)
        k = r.random()
        if k < .4:
            n = self.name("vr")

            def ap():
                self.views[self.views.index(v)] = n
            return f"ALTER VIEW {v} RENAME TO {n}", ap
        if k < .7:
            return f"ALTER VIEW {v} SET (security_barrier = true)", lambda: None
        return f"ALTER VIEW {v} RESET (security_barrier)", lambda: None


def run_history(conn: psycopg.Connection, gen: Gen, steps: int) -> list[str]:
    """Generate and run statements one by one; the ones the server accepted."""
    done: list[str] = []
    for _ in range(steps):
        sql, apply = gen.step()
        try:
            conn.execute("BEGIN")
            conn.execute(sql)
            conn.execute("COMMIT")
        except psycopg.Error:
            conn.execute("ROLLBACK")
            continue
        apply()
        done.append(sql)
    return done


def admin() -> psycopg.Connection:
    return psycopg.connect(DSN, autocommit=True)


#: a diagnostic's location, left out so that it names the same finding as statements go
_LOCATION = re.compile(r"^m\.sql:[0-9]+:[0-9]+: ")


def fresh_database(db: str) -> None:
    """Drop ``db`` if it exists and create it empty."""
    with admin() as a:
        a.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        a.execute(f"CREATE DATABASE {db}")


def dsn_for(db: str) -> str:
    return DSN.rsplit("/", 1)[0] + "/" + db


def findings(db: str, sql: str, workdir: Path) -> list[str]:
    """Differences and diagnostics of the replay of ``sql`` against database ``db``."""
    expected = replay_sql(sql, "m.sql")
    out = [f"diag: {_LOCATION.sub('', str(d))}" for d in expected.diagnostics]
    dump = workdir / f"{db}.sql"
    subprocess.run([f"{PG_BIN}/pg_dump", "--schema-only", "--no-owner", "-d", dsn_for(db),
                    "-f", str(dump)], check=True)
    for source, actual in (("live", read_live(dsn_for(db)).catalog),
                           ("dump", read_dump(dump).catalog)):
        for d in diff_catalogs(expected.catalog, actual, expected.effects):
            out.append(f"{source}: {d.key.kind} {d.key.display} {d.change} {d.attribute} "
                       f"expected={d.expected!r} actual={d.actual!r}")
    return out


def build(db: str, statements: list[str]) -> bool:
    fresh_database(db)
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        for s in statements:
            try:
                conn.execute(s)
            except psycopg.Error:
                return False
    return True


def minimize(db: str, statements: list[str], key: str, workdir: Path) -> list[str]:
    """Drop statements while a finding with the same ``key`` stays."""
    cur = list(statements)
    i = len(cur) - 1
    while i >= 0:
        trial = cur[:i] + cur[i + 1:]
        try:
            ok = build(db, trial) and any(key in f for f in findings(db, ";\n".join(trial) + ";\n", workdir))
        except Exception:
            ok = False
        if ok:
            cur = trial
        i -= 1
    return cur


def signature(f: str) -> str:
    """What identifies a finding across minimization: source-free, name-free-ish."""
    parts = f.split(" ")
    if f.startswith("diag"):
        return f[:60]
    return " ".join(parts[1:2] + parts[3:5])  # kind, change, attribute


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0:20")
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--out", default="/tmp/dfuzz")
    ap.add_argument("--db", default="lead_dfuzz")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lo, hi = (int(x) for x in args.seeds.split(":"))
    with admin() as a:
        for role in ("df_reader", "df_writer"):
            with contextlib.suppress(psycopg.Error):
                a.execute(f"CREATE ROLE {role}")
    seen: set[str] = set()
    workdir = Path(tempfile.mkdtemp())
    for seed in range(lo, hi):
        db = args.db
        fresh_database(db)
        gen = Gen(seed)
        with psycopg.connect(dsn_for(db), autocommit=True) as conn:
            statements = run_history(conn, gen, args.steps)
        sql = ";\n".join(statements) + ";\n"
        try:
            found = findings(db, sql, workdir)
        except Exception:
            found = ["crash: " + traceback.format_exc().splitlines()[-1]]
        print(f"seed {seed}: {len(statements)} statements, {len(found)} findings", flush=True)
        for f in found:
            sig = signature(f)
            if sig in seen:
                continue
            seen.add(sig)
            # what identifies the finding while statements are dropped: the object and change
            # (a diagnostic: its first words; a crash is kept whole)
            key = (f[:50] if f.startswith(("diag", "crash"))
                   else f.split(" expected=")[0].split(": ", 1)[-1])
            small = (statements if f.startswith("crash")
                     else minimize(db, statements, key, workdir))
            path = out / f"seed{seed}-{len(seen)}.sql"
            path.write_text(f"-- {f}\n" + ";\n".join(small) + ";\n")
            print(f"  NEW {f}\n    -> {path} ({len(small)} statements)", flush=True)
    with admin() as a:
        a.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")


if __name__ == "__main__":
    main()
