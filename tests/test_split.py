"""Tests for schemadiff.sql.split: statements out of SQL text, PostgreSQL lexical rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from schemadiff.errors import Location, ParseError
from schemadiff.sql.split import Statement, iter_split, split

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"

GOOSE_FUNCTION = """\
-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION thunderdome.bump() RETURNS trigger AS '
BEGIN
    UPDATE thunderdome.counter SET n = n + 1; -- not the end
    RETURN NEW;
END;
' LANGUAGE plpgsql;
-- +goose StatementEnd
"""

BEGIN_ATOMIC = """\
CREATE FUNCTION sign_name(x int) RETURNS text LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN x > 0 THEN 'positive; yes' ELSE 'other' END;
    SELECT (CASE x WHEN 0 THEN 'zero' END);
END;
SELECT 2"""

# (sql, expected statement texts); every row also goes through the re-split property test.
CASES = [
    pytest.param("SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"], id="two"),
    pytest.param("SELECT 1;\nSELECT 2\n\n", ["SELECT 1", "SELECT 2"], id="no-final-semicolon"),
    pytest.param("", [], id="empty"),
    pytest.param(" \n-- only\n/* comments */\n;;\n", [], id="comments-only"),
    pytest.param(
        "-- head\n/* more */ SELECT 1 /* tail */ ;",
        ["SELECT 1 /* tail */"],
        id="leading-comments-dropped",
    ),
    pytest.param("SELECT 1 -- a; b\n, 2;", ["SELECT 1 -- a; b\n, 2"], id="line-comment"),
    pytest.param("SELECT 1--x;\n;", ["SELECT 1--x;"], id="line-comment-no-space"),
    pytest.param(
        "/* a /* b; */ c; */ SELECT /* x /* y */ ; */ 1;",
        ["SELECT /* x /* y */ ; */ 1"],
        id="nested-comments",
    ),
    pytest.param("SELECT 'a;b''c;'; SELECT 2", ["SELECT 'a;b''c;'", "SELECT 2"], id="string"),
    pytest.param(
        r"SELECT E'it\'s; x', e'\\'; SELECT E'a''b;'",
        [r"SELECT E'it\'s; x', e'\\'", "SELECT E'a''b;'"],
        id="escape-strings",
    ),
    pytest.param(
        r"SELECT abe'x\'; SELECT 2", [r"SELECT abe'x\'", "SELECT 2"], id="e-ending-identifier"
    ),
    pytest.param(
        r"SELECT U&'d\0061t;\+000061'; SELECT B'1;0', X'1F;'",
        [r"SELECT U&'d\0061t;\+000061'", "SELECT B'1;0', X'1F;'"],
        id="unicode-bit-hex-strings",
    ),
    pytest.param(
        'SELECT "a;""b" FROM "t;"; SELECT 2', ['SELECT "a;""b" FROM "t;"', "SELECT 2"], id="ident"
    ),
    pytest.param(
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; SELECT 2",
        ["CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", "SELECT 2"],
        id="dollar-empty-tag",
    ),
    pytest.param(
        "DO $fn$ BEGIN PERFORM $$;'\"$$; PERFORM $Fn$; END $fn$; SELECT 2",
        ["DO $fn$ BEGIN PERFORM $$;'\"$$; PERFORM $Fn$; END $fn$", "SELECT 2"],
        id="dollar-tag-with-inner-dollars",
    ),
    pytest.param(
        "PREPARE p(int) AS SELECT $1; EXECUTE p($2);",
        ["PREPARE p(int) AS SELECT $1", "EXECUTE p($2)"],
        id="positional-parameters",
    ),
    pytest.param("SELECT a$b$c FROM t; SELECT 2", ["SELECT a$b$c FROM t", "SELECT 2"], id="a$b$c"),
    pytest.param(
        BEGIN_ATOMIC,
        [BEGIN_ATOMIC.rsplit(";\n", 1)[0], "SELECT 2"],
        id="begin-atomic-with-case",
    ),
    pytest.param(
        "create or replace /* x */ procedure p() language sql begin atomic "
        "insert into t values (1); insert into t values (2); end; call p();",
        [
            (
                "create or replace /* x */ procedure p() language sql begin atomic "
                "insert into t values (1); insert into t values (2); end"
            ),
            "call p()",
        ],
        id="begin-atomic-procedure",
    ),
    pytest.param(
        "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN begin; SELECT 2",
        ["CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN begin", "SELECT 2"],
        id="begin-as-a-name",
    ),
    pytest.param(
        "BEGIN; START TRANSACTION; SELECT CASE WHEN true THEN 1 END; COMMIT;",
        ["BEGIN", "START TRANSACTION", "SELECT CASE WHEN true THEN 1 END", "COMMIT"],
        id="transaction-statements",
    ),
    pytest.param(
        GOOSE_FUNCTION,
        [GOOSE_FUNCTION.split("\n", 2)[2].split(";\n-- +goose StatementEnd")[0]],
        id="goose-single-quoted-body",
    ),
    pytest.param(
        "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); NOTIFY t); SELECT 1",
        [
            "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); NOTIFY t)",
            "SELECT 1",
        ],
        id="multi-action-rule",
    ),
    pytest.param(
        "create or replace rule r as on update to t do instead (notify a; notify b);",
        ["create or replace rule r as on update to t do instead (notify a; notify b)"],
        id="rule-or-replace",
    ),
    pytest.param("SELECT (1; SELECT 2)", ["SELECT (1", "SELECT 2)"], id="parens-only-in-rules"),
    pytest.param("SELECT 1\r\nFROM t ;\r\n", ["SELECT 1\r\nFROM t"], id="crlf-kept"),
    pytest.param("\ufeffSELECT 1;", ["SELECT 1"], id="bom"),
]


@pytest.mark.parametrize(("sql", "expected"), CASES)
def test_split_texts(sql: str, expected: list[str]) -> None:
    assert [s.text for s in split(sql)] == expected
    assert not any(s.meta for s in split(sql))


@pytest.mark.parametrize(("sql", "expected"), CASES)
def test_resplit_joined_texts(sql: str, expected: list[str]) -> None:
    texts = [s.text for s in split(sql)]
    assert [s.text for s in split(";\n".join(texts))] == texts


def test_iter_split_is_lazy_and_split_is_its_list() -> None:
    sql = "SELECT 1; SELECT 2; SELECT 'open"
    statements = iter_split(sql, "m.sql")
    assert next(statements) == Statement("SELECT 1", Location("m.sql", 1, 1))
    assert next(statements) == Statement("SELECT 2", Location("m.sql", 1, 11))
    with pytest.raises(ParseError):
        next(statements)
    assert split("SELECT 1; SELECT 2", "m.sql") == list(iter_split("SELECT 1; SELECT 2", "m.sql"))


def test_locations_with_crlf_and_line_offset() -> None:
    sql = "\r\n  SELECT 1;\r\n-- c;\r\n\tSELECT\r\n 2; SELECT 3;\n/* x */ SELECT 4"
    got = [(s.text, s.location) for s in split(sql, "a.sql", line_offset=10)]
    assert got == [
        ("SELECT 1", Location("a.sql", 12, 3)),
        ("SELECT\r\n 2", Location("a.sql", 14, 2)),
        ("SELECT 3", Location("a.sql", 15, 5)),
        ("SELECT 4", Location("a.sql", 16, 9)),
    ]
    assert split("\ufeffSELECT 1")[0].location == Location("<string>", 1, 1)


PG_DUMP = """\
--
-- PostgreSQL database dump
--

\\restrict Jd0yQaJ4cYbF

-- Dumped from database version 15.18
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TABLE public.t (
    note text DEFAULT '
\\not a meta command'::text
);

\\connect other
--
-- PostgreSQL database dump complete
--

\\unrestrict Jd0yQaJ4cYbF

"""


def test_meta_commands_in_pg_dump() -> None:
    got = [(s.meta, s.text.split("\n")[0], s.location.line) for s in split(PG_DUMP, "dump.sql")]
    assert got == [
        (True, "\\restrict Jd0yQaJ4cYbF", 5),
        (False, "SET statement_timeout = 0", 8),
        (False, "SELECT pg_catalog.set_config('search_path', '', false)", 9),
        (False, "CREATE TABLE public.t (", 11),
        (True, "\\connect other", 16),
        (True, "\\unrestrict Jd0yQaJ4cYbF", 21),
    ]


def test_meta_command_is_its_line_stripped() -> None:
    assert split("SELECT 1;  \\gset x \r\nSELECT 2") == [
        Statement("SELECT 1", Location("<string>", 1, 1)),
        Statement("\\gset x", Location("<string>", 1, 12), meta=True),
        Statement("SELECT 2", Location("<string>", 2, 1)),
    ]


@pytest.mark.parametrize(("sql", "expected"), [
    pytest.param("SELECT 1 AS x \\gset\nSELECT 2;",
                 [(False, "SELECT 1 AS x"), (True, "\\gset"), (False, "SELECT 2")], id="gset"),
    pytest.param("SELECT 1\n\\g out.txt\nSELECT 2",
                 [(False, "SELECT 1"), (True, "\\g out.txt"), (False, "SELECT 2")], id="own-line"),
    pytest.param("SELECT '\\x', E'\\'', $$\\y$$ \\gx -- c",
                 [(False, "SELECT '\\x', E'\\'', $$\\y$$"), (True, "\\gx -- c")], id="quotes"),
    pytest.param("SELECT 1 -- \\not meta\n;", [(False, "SELECT 1 -- \\not meta")], id="comment"),
    pytest.param("CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END \\g",
                 [(False, "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END"),
                  (True, "\\g")], id="atomic-body"),
])
def test_meta_command_after_sql_ends_the_statement(sql: str, expected: list[tuple[bool, str]]
                                                   ) -> None:
    """psql sends the query buffer where a meta-command starts (``SELECT ... \\gset``)."""
    assert [(s.meta, s.text) for s in split(sql)] == expected


def test_copy_from_stdin_data_is_skipped() -> None:
    sql = "COPY public.t (a, b) FROM stdin;\n1\t'x;\n2\t\\N\n\\.\nSELECT 1;"
    assert [s.text for s in split(sql)] == ["COPY public.t (a, b) FROM stdin", "SELECT 1"]


def test_trailing_line_comment_stays_in_text() -> None:
    # A text can end inside a -- comment: whoever joins texts must end the line before ';'.
    assert [s.text for s in split("SELECT 1 -- note\n;\nSELECT 2")] == [
        "SELECT 1 -- note",
        "SELECT 2",
    ]


@pytest.mark.parametrize(
    ("sql", "message", "line", "col"),
    [
        pytest.param("SELECT 1;\nSELECT 'abc;", "unterminated quoted string", 2, 8, id="string"),
        pytest.param("SELECT\n  E'a\\';", "unterminated quoted string", 2, 3, id="e-string"),
        pytest.param('SELECT "abc;\n', "unterminated quoted identifier", 1, 8, id="ident"),
        pytest.param(
            "SELECT 1;\n\nCREATE FUNCTION f() AS $fn$ SELECT 1; $$\n",
            "unterminated dollar-quoted string $fn$",
            3,
            24,
            id="dollar",
        ),
        pytest.param("/* a /* b */\nSELECT 1;", "unterminated comment", 1, 1, id="comment"),
        pytest.param("SELECT 1;\nSELECT 2 /* x", "unterminated comment", 2, 10, id="comment-2"),
        pytest.param("SELECT '", "unterminated quoted string", 1, 8, id="quote-at-end"),
    ],
)
def test_unterminated(sql: str, message: str, line: int, col: int) -> None:
    with pytest.raises(ParseError) as caught:
        split(sql, "bad.sql", line_offset=100)
    assert caught.value.message == message
    assert caught.value.location == Location("bad.sql", line + 100, col)


def test_split_and_its_imports_do_not_load_sqlglot() -> None:
    # schemadiff/__init__.py imports the whole library (sqlglot included), so the package
    # __init__ modules are replaced by empty stand-ins: what is measured is split.py's own
    # import graph.
    code = f"""
import importlib, sys, types
for name, path in (("schemadiff", {str(REPO / "schemadiff")!r}),
                   ("schemadiff.sql", {str(REPO / "schemadiff" / "sql")!r})):
    module = types.ModuleType(name)
    module.__path__ = [path]
    sys.modules[name] = module
split = importlib.import_module("schemadiff.sql.split")
assert split.__file__.startswith({str(REPO)!r})
print(sorted(m for m in sys.modules if m.split(".")[0] in ("sqlglot", "sqlglotc")))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_corpora_split_without_error() -> None:
    corpora = SHARED / "corpora"
    if not corpora.is_dir():
        pytest.skip(f"no corpora at {corpora}")
    files = sorted([*corpora.glob("*/migrations/**/*.sql"), *corpora.glob("*/expected_schema.sql")])
    assert files
    for path in files:
        statements = split(path.read_bytes().decode("utf-8"), str(path))
        if path.name == "expected_schema.sql":
            assert statements[0].meta and statements[0].text.startswith("\\restrict ")
            assert statements[-1].meta and statements[-1].text.startswith("\\unrestrict ")
            assert sum(s.meta for s in statements) == 2
