"""Tests for schemadiff.sql.lexer: PostgreSQL's lexical rules (scan.l), token by token."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemadiff.sql.lexer import LexError, lex


def kinds(sql: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in lex(sql)]


# (sql, [(kind, text), ...])
CASES = [
    pytest.param("CREATE TABLE t", [("word", "CREATE"), ("word", "TABLE"), ("word", "T")],
                 id="words-upper-cased"),
    pytest.param('"Fo""o".x', [("ident", 'Fo"o'), ("punct", "."), ("word", "X")],
                 id="quoted-identifier"),
    pytest.param("foo$bar _x ümlaut", [("word", "FOO$BAR"), ("word", "_X"), ("word", "ÜMLAUT")],
                 id="identifier-chars"),
    pytest.param("'it''s' 'a\\nb'", [("string", "it's"), ("string", "a\\nb")],
                 id="standard-string-keeps-backslash"),
    pytest.param("E'a\\nb\\'c''d' e'\\x41\\101\\u0042\\q'", [("string", "a\nb'c'd"),
                 ("string", "AABq")], id="escape-string"),
    pytest.param("B'101' X'1F' N'nat' U&'d\\0061t'",
                 [("string", "101"), ("string", "1F"), ("string", "nat"), ("string", "dat")],
                 id="prefixed-strings"),
    pytest.param(r"""U&'\+01F600 \\ \D83D\DE00' u&'x!0041!!''' uescape '!' U&"c#0031" UESCAPE '#'""",
                 [("string", "\U0001F600 \\ \U0001F600"), ("string", "xA!'"), ("ident", "c1")],
                 id="unicode-escapes"),
    pytest.param(r"U&'\zz' U&'\DE00'", [("string", r"\zz"), ("string", r"\DE00")],
                 id="unicode-escapes-refused-kept-as-written"),
    pytest.param("$$a'b$$ $fn$ x $$ y $fn$", [("string", "a'b"), ("string", " x $$ y ")],
                 id="dollar-quoted"),
    pytest.param("1 1.5e3 .5 1. 0x1F 1_000", [("number", "1"), ("number", "1.5e3"),
                 ("number", ".5"), ("number", "1."), ("number", "0x1F"), ("number", "1_000")],
                 id="numbers"),
    pytest.param("1..5", [("number", "1"), ("punct", ".."), ("number", "5")], id="dot-dot"),
    pytest.param("a::text", [("word", "A"), ("punct", "::"), ("word", "TEXT")], id="cast"),
    pytest.param("x->>'k' @> <> != >= || #>>",
                 [("word", "X"), ("punct", "->>"), ("string", "k"), ("punct", "@>"),
                  ("punct", "<>"), ("punct", "!="), ("punct", ">="), ("punct", "||"),
                  ("punct", "#>>")], id="operators"),
    pytest.param("a=-1", [("word", "A"), ("punct", "="), ("punct", "-"), ("number", "1")],
                 id="trailing-minus-leaves-sql-operator"),
    pytest.param("a@-1", [("word", "A"), ("punct", "@-"), ("number", "1")],
                 id="trailing-minus-stays-on-non-sql-operator"),
    pytest.param("a*--c\nb", [("word", "A"), ("punct", "*"), ("word", "B")],
                 id="comment-ends-operator"),
    pytest.param("a /* x /* y */ z */ b -- c\n c", [("word", "A"), ("word", "B"), ("word", "C")],
                 id="nested-block-comment"),
    pytest.param("f(a := 1, b => 2)", [("word", "F"), ("punct", "("), ("word", "A"),
                 ("punct", ":="), ("number", "1"), ("punct", ","), ("word", "B"), ("punct", "=>"),
                 ("number", "2"), ("punct", ")")], id="named-arguments"),
    pytest.param("$1 + $2", [("punct", "$1"), ("punct", "+"), ("punct", "$2")], id="parameters"),
    pytest.param("\\restrict key", [("punct", "\\"), ("word", "RESTRICT"), ("word", "KEY")],
                 id="stray-character-is-a-token"),
    pytest.param("ARRAY[1,2]", [("word", "ARRAY"), ("punct", "["), ("number", "1"),
                 ("punct", ","), ("number", "2"), ("punct", "]")], id="array"),
]  # fmt: skip


@pytest.mark.parametrize(("sql", "expected"), CASES)
def test_tokens(sql: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(sql) == expected


def test_positions_and_raw_text() -> None:
    sql = "COMMENT ON x IS E'a\\tb'  "
    toks = lex(sql)
    assert [sql[t.start : t.end] for t in toks] == ["COMMENT", "ON", "x", "IS", "E'a\\tb'"]
    assert toks[2].raw == "x" and toks[4].raw == "E'a\\tb'" and toks[4].text == "a\tb"
    dollar = lex("$q$body$q$")[0]
    assert dollar.dollar and dollar.raw == "$q$body$q$" and dollar.text == "body"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT 'abc", "unterminated quoted string"),
        ("SELECT E'abc\\'", "unterminated quoted string"),
        ('SELECT "abc', "unterminated quoted identifier"),
        ("SELECT $x$abc$y$", "unterminated dollar-quoted string $x$"),
        ("SELECT /* a /* b */", "unterminated /* comment"),
        # the blanks and comments before a token are skipped in the token's own match: a long
        # run of them before a quote that never closes is refused, not backtracked into
        (" \t\n" * 20000 + "'abc", "unterminated quoted string"),
        ("-- c\n" * 20000 + '"abc', "unterminated quoted identifier"),
    ],
)
def test_unterminated(sql: str, message: str) -> None:
    with pytest.raises(LexError, match=message.replace("$", r"\$").replace("*", r"\*")):
        lex(sql)


_SQLISH = st.text(
    alphabet=st.sampled_from(list("aeEbxuU&_ 1.09$'\"-+*/<>=~!@#%^|`?:;,()[]\\\n\té")),
    max_size=40,
)


@given(_SQLISH)
def test_tokens_tile_the_text(sql: str) -> None:
    """Every token is a slice of the text in order; what lies between them is blank or a
    comment. Unterminated quotes are the only refusal."""
    try:
        toks = lex(sql)
    except LexError:
        return
    pos = 0
    for t in toks:
        assert pos <= t.start < t.end <= len(sql)
        gap = sql[pos : t.start]
        assert not gap.strip() or "--" in gap or "/*" in gap
        pos = t.end


# scan.l: ident_start [A-Za-z\200-\377_], ident_cont adds [0-9$]; a dollar-quote tag is an
# identifier without $. Every character at or above U+0080 counts as a letter.
_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_CLASSES = [
    pytest.param("_IDENT_START", _START, id="ident-start"),
    pytest.param("_IDENT_CONT", _START | frozenset("0123456789$"), id="ident-cont"),
    pytest.param("_TAG_CONT", _START | frozenset("0123456789"), id="dollar-tag-cont"),
]


@pytest.mark.parametrize(("name", "ascii_members"), _CLASSES)
def test_identifier_classes_match_scan_l(name: str, ascii_members: frozenset[str]) -> None:
    """The lexer writes these classes as the ASCII characters they exclude; every code point
    is checked against scan.l's definition."""
    import re

    from schemadiff.sql import lexer

    member = re.compile(getattr(lexer, name)).match
    wrong = [
        c for c in range(0x110000)
        if bool(member(chr(c))) != (c >= 0x80 or chr(c) in ascii_members)
    ]  # fmt: skip
    assert wrong == []
