"""Fuzzing with hypothesis: the splitter, every tool reader, the parser and the replay.

Zero crashes: every input either models, is reported unmodeled (a diagnostic), or is a clean
:class:`~schemadiff.errors.SchemaDiffError`. Derandomized and database-free, so CI runs the same
examples every time; about 11,000 examples in all (see ``max_examples`` below).
"""

from __future__ import annotations

import contextlib
import random
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pg import corpora_path
from schemadiff.errors import Diagnostic, MigrationError, ParseError, SchemaDiffError
from schemadiff.history import parse_migration, replay_migrations, replay_sql
from schemadiff.migration import Migration
from schemadiff.sql import ops
from schemadiff.sql.parse import parse_statement
from schemadiff.sql.split import Statement, split
from schemadiff.tools import TOOLS, detect_tool, read_migrations


def _settings(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- SQL-ish text ---------------------------------------------------------------------------------

FRAGMENTS = [
    "CREATE", "TABLE", "t", "(", ")", ",", ";", ";", "\n", " ", "\t", "\r\n", "'", "''", '"', '""',
    "$$", "$body$", "$a$", "$", "$1", "E'", "e'\\''", "\\", "\\'", "--", "-- c\n", "/*", "*/",
    "/* x */", "BEGIN", "ATOMIC", "END", "CASE", "FUNCTION", "PROCEDURE", "RULE", "DO", "INSTEAD",
    "OR", "REPLACE", "AS", "COPY", "FROM", "stdin", "\\.", "\n\\.\n", "\\restrict k\n", "\ufeff",
    "U&'", "B'", "X'", "int", "text", "a1", "é", "\x00", "::", "[", "]", "{", "}",
]

sql_soup = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)
sql_text = st.one_of(
    sql_soup,
    st.text(alphabet=st.sampled_from(list("abc ;'\"$-/*\\()\nEeBATOMIC")), max_size=200),
    st.text(max_size=120),
)


def _check_split(text: str) -> list[Statement]:
    try:
        statements = split(text, "fuzz.sql")
    except ParseError as exc:
        assert exc.location is not None and exc.location.path == "fuzz.sql"
        assert exc.location.line >= 1
        return []
    body = text.removeprefix("\ufeff")
    for s in statements:
        assert isinstance(s, Statement)
        assert s.text in body, (s.text, text)
        assert s.location.line >= 1 and s.location.col >= 1
        if not s.meta:
            assert s.text.strip(), s
    return statements


@_settings(3500)
@given(sql_text)
def test_split_yields_substrings_or_parse_error(text: str) -> None:
    _check_split(text)


@_settings(1500)
@given(sql_soup)
def test_parse_statement_never_raises_on_token_soup(text: str) -> None:
    op = parse_statement(text)
    assert isinstance(op, ops.Op)
    for s in _check_split(text):
        assert isinstance(parse_statement(s.text), ops.Op)


@_settings(1000)
@given(st.text(max_size=300))
def test_parse_statement_never_raises_on_any_text(text: str) -> None:
    assert isinstance(parse_statement(text), ops.Op)


@_settings(1000)
@given(sql_soup)
def test_replay_of_token_soup_only_reports(text: str) -> None:
    try:
        result = replay_sql(text, "soup.sql")
    except ParseError:
        return
    for d in result.diagnostics:
        assert isinstance(d, Diagnostic) and d.location.path == "soup.sql"


# -- real corpus statements -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def corpus_statements() -> tuple[str, ...]:
    """Every statement of the shared corpora's migrations (skipping files that do not split)."""
    root = corpora_path()
    found: list[str] = []
    for path in sorted(root.rglob("*.sql")) if root.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8")
            found += [s.text for s in split(text, str(path)) if not s.meta]
        except (OSError, UnicodeDecodeError, ParseError):
            continue
    return tuple(found)


def _need_corpus() -> tuple[str, ...]:
    statements = corpus_statements()
    if not statements:
        pytest.skip(f"no shared corpora at {corpora_path()}")
    return statements


corpus_picks = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12)


@_settings(1000)
@given(corpus_picks, st.randoms(use_true_random=False))
def test_parse_statement_never_raises_on_cut_corpus_statements(
    picks: list[int], rnd: random.Random
) -> None:
    """Corpus statements cut, spliced and interleaved at random points."""
    statements = _need_corpus()
    pieces = []
    for p in picks:
        text = statements[p % len(statements)]
        a, b = sorted(rnd.randrange(len(text) + 1) for _ in range(2))
        pieces.append(text[a:b] if rnd.random() < 0.5 else text)
    soup = " ".join(pieces)
    assert isinstance(parse_statement(soup), ops.Op)
    for piece in pieces:
        assert isinstance(parse_statement(piece), ops.Op)


@_settings(800)
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=25))
def test_replay_of_shuffled_corpus_statements_only_reports(picks: list[int]) -> None:
    """Real statements in a random order: dependencies missing, objects twice, drops first."""
    statements = _need_corpus()
    chosen = [statements[p % len(statements)] for p in picks]
    text = "".join(f"{s}\n;\n" for s in chosen)  # a text may end in a -- comment
    result = replay_sql(text, "shuffled.sql")
    for d in result.diagnostics:
        assert isinstance(d, Diagnostic) and d.location.path == "shuffled.sql"
    assert result.stats[""].statements >= len(chosen) - sum(not s.strip() for s in chosen)


# -- every tool reader ----------------------------------------------------------------------------

NAME_PARTS = st.sampled_from([
    "1", "01", "001", "0", "-1", "20240101000000", "2024-01-01-000000", "9223372036854775808",
    "V1", "V1.1", "V2_1", "U2", "R", "B1", "v1", "V", "_", "__", "init", "create users", ".",
    "up", "down", ".up", ".down", ".sql", ".go", "_test", ".conf", "é", " ", "",
])
file_names = st.lists(NAME_PARTS, min_size=1, max_size=5).map("".join).filter(
    lambda n: n not in ("", ".", "..") and "/" not in n and "\x00" not in n and len(n) < 100
)
CONTENT_PARTS = st.sampled_from([
    b"-- +goose Up\n", b"-- +goose Down\n", b"-- +goose StatementBegin\n",
    b"-- +goose StatementEnd\n", b"-- +goose NO TRANSACTION\n", b"-- +goose ENVSUB ON\n",
    b"-- +goose Bogus\n", b"-- migrate:up\n", b"-- migrate:down\n", b"-- migrate:up transaction:false\n",
    b"-- no-transaction\n", b"-- atlas:txmode none\n", b"CREATE TABLE t (a int);\n",
    b"CREATE TABLE t (a int", b"ALTER TABLE t ADD COLUMN b text;\n", b"DROP TABLE t;\n",
    b"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;\n", b"$$", b"'", b"/*",
    b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\r\n", b"\n", b"h1 ${VAR}\n", b"package main\n",
    b"goose.AddMigrationNoTx(up, down)\n",
])
contents = st.one_of(
    st.lists(CONTENT_PARTS, max_size=12).map(b"".join),
    st.binary(max_size=200),
)
layouts = st.dictionaries(
    st.one_of(
        file_names,
        st.tuples(file_names, st.sampled_from(["up.sql", "down.sql", "migration.sql", "x.sql"])).map(
            lambda t: f"{t[0]}/{t[1]}"
        ),
    ),
    contents,
    max_size=6,
)
extras = st.sampled_from([
    {}, {"atlas.sum": b"h1:abc=\n"}, {"migration_lock.toml": b'provider = "postgresql"\n'},
    {"flyway.conf": b"flyway.postgresql.transactional.lock=false\n"},
])


def _write_layout(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                path.write_bytes(data)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # "a" as a file and "a/up.sql" in one layout: keep the first


def _check_migrations(migrations: list[Migration]) -> None:
    for m in migrations:
        assert isinstance(m, Migration) and isinstance(m.sql, str)
        try:
            parse_migration(m)
        except ParseError as exc:
            assert exc.location is not None and exc.location.path == m.path
    with contextlib.suppress(ParseError):
        replay_migrations(migrations)


@_settings(250)
@given(layouts, extras, st.sampled_from([None, *TOOLS]))
def test_tool_readers_return_migrations_or_a_clean_error(
    files: dict[str, bytes], extra: dict[str, bytes], tool: str | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "migrations"
        root.mkdir()
        _write_layout(root, {**files, **extra})
        if tool is None:
            try:
                detected = detect_tool(root)
            except MigrationError:
                detected = None
            assert detected is None or detected in TOOLS
        try:
            _name, migrations = read_migrations(root, tool)
        except MigrationError as exc:
            assert str(exc).strip() and "\n" not in str(exc)
            return
        _check_migrations(migrations)


@pytest.mark.parametrize("tool", list(TOOLS))
@_settings(150)
@given(files=layouts, extra=extras)
def test_each_reader_returns_migrations_or_a_clean_error(
    tool: str, files: dict[str, bytes], extra: dict[str, bytes]
) -> None:
    """Each reader on its own (150 layouts per tool)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_layout(root, {**files, **extra})
        try:
            migrations = TOOLS[tool].list_migrations(root)
        except MigrationError:
            return
        except SchemaDiffError as exc:  # pragma: no cover - a reader must raise MigrationError
            pytest.fail(f"{tool} raised {type(exc).__name__}, not MigrationError: {exc}")
        _check_migrations(migrations)


# -- the dump and history readers -----------------------------------------------------------------

dump_bytes = st.one_of(
    st.binary(max_size=300),
    sql_soup.map(lambda s: s.encode("utf-8")),
    st.lists(CONTENT_PARTS, max_size=10).map(b"".join),
    st.sampled_from([
        b"PGDMP", b"\xef\xbb\xbf", b"COPY public.t (a) FROM stdin;\n", b"1\n\\.\n", b"\\.\n",
        b"COPY public.goose_db_version (id, version_id, is_applied, tstamp) FROM stdin;\n",
        b"1\t0\tt\t2024-01-01\n", b"2\t\\N\tmaybe\t\\x41\n", b"\t\t\t\n",
        b"COPY public.schema_migrations (version, dirty) FROM stdin;\n",
        b"COPY public._sqlx_migrations (version, description, installed_on, success, checksum, "
        b"execution_time) FROM stdin;\n",
        b"COPY public.flyway_schema_history (installed_rank, version, description, type, script, "
        b"checksum, installed_by, installed_on, execution_time, success) FROM stdin;\n",
        b"INSERT INTO public.schema_migrations (version) VALUES ('1'), ('2", b"), (E'\\x", b"');\n",
    ]),
)


@_settings(500)
@given(st.lists(dump_bytes, max_size=4).map(b"".join), st.sampled_from([None, *TOOLS]))
def test_dump_and_history_readers_model_or_fail_cleanly(data: bytes, tool: str | None) -> None:
    from schemadiff.sources.dump import read_dump
    from schemadiff.sources.history import read_history_file, read_history_from_dump

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dump.sql"
        path.write_bytes(data)
        try:
            result = read_dump(path)
        except SchemaDiffError as exc:  # SourceError, or ParseError for an unclosed quote
            assert str(exc).startswith(str(path)) and "\n" not in str(exc)
        else:
            assert all(d.location.path == str(path) for d in result.diagnostics)
        if tool is not None:
            for read in (
                lambda: read_history_file(path, tool),
                lambda: read_history_from_dump(data.decode("utf-8", errors="replace"), tool),
            ):
                try:
                    read()
                except SchemaDiffError as exc:
                    assert str(exc).strip() and "\n" not in str(exc)
