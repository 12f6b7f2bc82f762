"""Synthetic inputs for the benchmarks: long migration histories and a wide database.

- :func:`write_history`: ``n`` golang-migrate migrations (``<version>_<name>.up.sql`` with its
  ``.down.sql``) that a real team might write over years: tables with keys, defaults and foreign
  keys, added and dropped columns, indexes (some on expressions, some partial), renames of
  tables and columns, dropped tables and indexes, enums and added enum values, SQL and PL/pgSQL
  functions, triggers, a few views and comments. Every statement is valid in order against
  PostgreSQL; the generator keeps a model of what exists so that renames and drops refer to
  live objects. Deterministic for a given seed.
- :func:`wide_database_sql`: one script creating a database of ``tables`` tables (columns of
  varied types, primary keys, unique and plain indexes, foreign keys, checks), plus a few views,
  enums and functions, for the live-inspection benchmark.

Run ``python benchmarks/synthetic.py history DIR N`` or ``python benchmarks/synthetic.py wide
FILE [TABLES]`` to write them by hand.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

_TYPES = (
    "integer",
    "bigint",
    "text",
    "varchar(64)",
    "boolean",
    "timestamptz",
    "numeric(12,2)",
    "jsonb",
    "uuid",
    "date",
)
_DEFAULTS = {
    "integer": "0",
    "bigint": "0",
    "text": "''",
    "varchar(64)": "'n/a'",
    "boolean": "false",
    "timestamptz": "now()",
    "numeric(12,2)": "0",
    "jsonb": "'{}'::jsonb",
    "date": "CURRENT_DATE",
}


@dataclass
class _Table:
    name: str
    columns: dict[str, str] = field(default_factory=dict)  # name -> type
    indexes: dict[str, str] = field(default_factory=dict)  # index name -> its column


@dataclass
class _Model:
    """What exists so far, so that later migrations refer to live objects."""

    rng: random.Random
    tables: dict[str, _Table] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    functions: list[str] = field(default_factory=list)
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def pick_table(self) -> _Table | None:
        if not self.tables:
            return None
        return self.tables[self.rng.choice(sorted(self.tables))]


def _create_table(model: _Model) -> list[str]:
    rng = model.rng
    t = _Table(model.fresh("tbl"))
    cols = ["    id bigserial PRIMARY KEY"]
    t.columns["id"] = "bigint"
    for _ in range(rng.randint(2, 7)):
        c = model.fresh("col")
        typ = rng.choice(_TYPES)
        spec = f"    {c} {typ}"
        if typ in _DEFAULTS and rng.random() < 0.4:
            spec += f" NOT NULL DEFAULT {_DEFAULTS[typ]}"
        t.columns[c] = typ
        cols.append(spec)
    if model.enums and rng.random() < 0.3:
        e = rng.choice(sorted(model.enums))
        c = model.fresh("state")
        cols.append(f"    {c} {e}")
        t.columns[c] = e
    parent = model.pick_table()
    if parent is not None and rng.random() < 0.5:
        c = f"{parent.name}_id"
        cols.append(f"    {c} bigint REFERENCES {parent.name} (id) ON DELETE CASCADE")
        t.columns[c] = "bigint"
    if rng.random() < 0.3:
        cols.append("    created_at timestamptz NOT NULL DEFAULT now()")
        cols.append("    CONSTRAINT " + model.fresh("chk") + " CHECK (id > 0)")
        t.columns["created_at"] = "timestamptz"
    model.tables[t.name] = t
    return [f"CREATE TABLE {t.name} (\n" + ",\n".join(cols) + "\n)"]


def _add_column(model: _Model) -> list[str]:
    t = model.pick_table()
    if t is None:
        return _create_table(model)
    c = model.fresh("col")
    typ = model.rng.choice(_TYPES)
    t.columns[c] = typ
    default = f" DEFAULT {_DEFAULTS[typ]}" if typ in _DEFAULTS and model.rng.random() < 0.5 else ""
    return [f"ALTER TABLE {t.name} ADD COLUMN {c} {typ}{default}"]


def _create_index(model: _Model) -> list[str]:
    t = model.pick_table()
    if t is None:
        return _create_table(model)
    rng = model.rng
    name = model.fresh("idx")
    cols = sorted(t.columns)
    col = rng.choice(cols)
    t.indexes[name] = col
    if t.columns[col] == "text" and rng.random() < 0.5:
        return [f"CREATE INDEX {name} ON {t.name} (lower({col}))"]
    if rng.random() < 0.3:
        return [f"CREATE INDEX {name} ON {t.name} ({col}) WHERE id > 100"]
    unique = "UNIQUE " if col == "id" else ""
    return [f"CREATE {unique}INDEX {name} ON {t.name} ({col})"]


def _rename(model: _Model) -> list[str]:
    t = model.pick_table()
    if t is None:
        return _create_table(model)
    rng = model.rng
    if rng.random() < 0.4:
        new = model.fresh("tbl")
        del model.tables[t.name]
        old, t.name = t.name, new
        model.tables[new] = t
        # foreign-key columns named after the old table keep their names: that is fine
        return [f"ALTER TABLE {old} RENAME TO {new}"]
    candidates = [c for c in t.columns if c != "id" and not c.endswith("_id")]
    if not candidates:
        return _add_column(model)
    col = rng.choice(sorted(candidates))
    new = model.fresh("col")
    t.columns[new] = t.columns.pop(col)
    for name in [i for i, c in t.indexes.items() if c == col]:
        t.indexes[name] = new
    return [f"ALTER TABLE {t.name} RENAME COLUMN {col} TO {new}"]


def _drop(model: _Model) -> list[str]:
    t = model.pick_table()
    if t is None:
        return _create_table(model)
    rng = model.rng
    r = rng.random()
    if r < 0.15 and len(model.tables) > 20:
        del model.tables[t.name]
        # CASCADE: foreign keys and views pointing at it go too; the model forgets views
        return [f"DROP TABLE {t.name} CASCADE"]
    if r < 0.5 and t.indexes:
        name = rng.choice(sorted(t.indexes))
        del t.indexes[name]
        return [f"DROP INDEX {name}"]
    candidates = [c for c in t.columns if c != "id" and not c.endswith("_id")]
    if not candidates:
        return _add_column(model)
    col = rng.choice(sorted(candidates))
    del t.columns[col]
    for name in [i for i, c in t.indexes.items() if c == col]:  # dropped with the column
        del t.indexes[name]
    return [f"ALTER TABLE {t.name} DROP COLUMN {col} CASCADE"]


def _enum(model: _Model) -> list[str]:
    rng = model.rng
    if model.enums and rng.random() < 0.5:
        e = rng.choice(sorted(model.enums))
        v = model.fresh("v")
        model.enums[e].append(v)
        return [f"ALTER TYPE {e} ADD VALUE '{v}'"]
    e = model.fresh("status")
    values = [model.fresh("v") for _ in range(rng.randint(2, 5))]
    model.enums[e] = values
    return [f"CREATE TYPE {e} AS ENUM (" + ", ".join(f"'{v}'" for v in values) + ")"]


def _function(model: _Model) -> list[str]:
    rng = model.rng
    t = model.pick_table()
    if t is not None and rng.random() < 0.5 and "updated_at" not in t.columns:
        fn = model.fresh("touch")
        t.columns["updated_at"] = "timestamptz"
        return [
            f"ALTER TABLE {t.name} ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()",
            f"CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$",
            f"CREATE TRIGGER {fn}_trg BEFORE UPDATE ON {t.name} FOR EACH ROW "
            f"EXECUTE FUNCTION {fn}()",
        ]
    fn = model.fresh("fn")
    model.functions.append(fn)
    return [
        f"CREATE OR REPLACE FUNCTION {fn}(a integer, b integer DEFAULT 1) RETURNS integer\n"
        f"    LANGUAGE sql IMMUTABLE AS $$ SELECT a * b + {rng.randint(1, 99)} $$"
    ]


def _view_or_comment(model: _Model) -> list[str]:
    t = model.pick_table()
    if t is None:
        return _create_table(model)
    if model.rng.random() < 0.5:
        return [f"COMMENT ON TABLE {t.name} IS 'synthetic table {t.name}'"]
    col = model.rng.choice(sorted(t.columns))
    return [f"COMMENT ON COLUMN {t.name}.{col} IS 'column {col}'"]


_STEPS = (
    (_create_table, 22),
    (_add_column, 22),
    (_create_index, 16),
    (_rename, 10),
    (_drop, 10),
    (_enum, 7),
    (_function, 7),
    (_view_or_comment, 6),
)


def history_sql(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` migrations as ``(name, up_sql)``; the first few create tables."""
    model = _Model(random.Random(seed))
    steps, weights = zip(*_STEPS)
    out: list[tuple[str, str]] = []
    for i in range(n):
        statements: list[str] = []
        for _ in range(model.rng.randint(1, 4)):
            step = _create_table if len(model.tables) < 5 else model.rng.choices(steps, weights)[0]
            statements += step(model)
        out.append((f"step_{i + 1}", ";\n\n".join(statements) + ";\n"))
    return out


def write_history(directory: Path, n: int, seed: int = 7) -> Path:
    """Write ``n`` golang-migrate migrations into ``directory`` (created); returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for i, (name, sql) in enumerate(history_sql(n, seed), start=1):
        version = f"{i:06d}"
        (directory / f"{version}_{name}.up.sql").write_text(sql, encoding="utf-8")
        (directory / f"{version}_{name}.down.sql").write_text("SELECT 1;\n", encoding="utf-8")
    return directory


def wide_database_sql(tables: int = 5000, seed: int = 11) -> str:
    """A script creating ``tables`` tables with keys, indexes and checks, views and functions.

    It commits every 250 tables (``max_locks_per_transaction``): run it without
    ``--single-transaction``.
    """
    rng = random.Random(seed)
    parts = [
        "BEGIN;",
        "CREATE SCHEMA app;",
        "CREATE TYPE app.state AS ENUM ('new', 'active', 'archived');",
    ]
    for i in range(tables):
        if i and i % 250 == 0:  # one transaction would need more locks than the default allows
            parts += ["COMMIT;", "BEGIN;"]
        cols = [
            "    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "    name text NOT NULL",
        ]
        for j in range(rng.randint(2, 6)):
            typ = rng.choice(_TYPES)
            default = f" DEFAULT {_DEFAULTS[typ]}" if typ in _DEFAULTS and j % 2 else ""
            cols.append(f"    c{j} {typ}{default}")
        if i % 7 == 0:
            cols.append("    state app.state NOT NULL DEFAULT 'new'")
        if i > 0 and i % 3 == 0:
            cols.append(f"    parent_id bigint REFERENCES app.t{rng.randrange(i)} (id)")
        cols.append(f"    CONSTRAINT t{i}_name_len CHECK (length(name) < 200)")
        parts.append(f"CREATE TABLE app.t{i} (\n" + ",\n".join(cols) + "\n);")
        parts.append(f"CREATE UNIQUE INDEX t{i}_name_key ON app.t{i} (name);")
        if i % 2 == 0:
            parts.append(f"CREATE INDEX t{i}_c0_idx ON app.t{i} (c0);")
        if i % 25 == 0:
            parts.append(f"COMMENT ON TABLE app.t{i} IS 'table {i}';")
    for v in range(20):
        a, b = v * 7, v * 7 + 3
        parts.append(
            f"CREATE VIEW app.v{v} AS SELECT x.id, x.name, y.name AS other "
            f"FROM app.t{a} x JOIN app.t{b} y ON y.id = x.id WHERE x.id > {v};"
        )
    for f in range(20):
        parts.append(
            f"CREATE FUNCTION app.f{f}(a integer) RETURNS integer LANGUAGE sql IMMUTABLE "
            f"AS $$ SELECT a + {f} $$;"
        )
        parts.append(
            f"CREATE FUNCTION app.p{f}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN NEW.name := trim(NEW.name); RETURN NEW; END $$;"
        )
        parts.append(
            f"CREATE TRIGGER p{f}_trg BEFORE INSERT ON app.t{f} FOR EACH ROW "
            f"EXECUTE FUNCTION app.p{f}();"
        )
    parts.append("COMMIT;")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "history":
        write_history(Path(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) >= 3 and sys.argv[1] == "wide":
        Path(sys.argv[2]).write_text(
            wide_database_sql(int(sys.argv[3]) if len(sys.argv) > 3 else 5000), encoding="utf-8"
        )
    else:
        sys.exit("usage: synthetic.py history DIR N | synthetic.py wide FILE [TABLES]")
