"""goose's ``-- +goose ENVSUB ON``: variables substituted in each line goose adds to a
statement, with mfridman/interpolate's grammar, from the environment schemadiff runs in and
``--placeholder`` over it; a line needing a variable neither sets is kept as written, with a
warning naming the file and line.

The expansion cases are those of the library's own tests (``interpolate_test.go``); the files'
are goose's (``internal/sqlparser/testdata/envsub``), rewritten.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pg import PgServer
from schemadiff import api
from schemadiff.tools import ToolOptions, goose
from schemadiff.tools._envsub import Unresolved, expand_line

ENV = {
    "TEST1": "A test", "TEST2": "Another", "TEST3": "Llamas",
    "TEST4": "Only one level of $TEST3 interpolation", "DAY": "Blarghday", "EMPTY_DAY": "",
    "C": "1adf998e39f647b4b25842f107c6ed9d30a3a7c7",
}

#: (line, the line goose runs)
EXPANDS = [
    ("$TEST1, $TEST2, $TEST3", "A test, Another, Llamas"),
    ("my$TEST1", "myA test"),
    ("${TEST1}x", "A testx"),
    ("$TEST4", "Only one level of $TEST3 interpolation"),
    ("${TEST5:-${TEST6:-$TEST1}}", "A test"),
    ("${TEST5:-Some text ${TEST2:-$TEST1} with $TEST3}", "Some text Another with Llamas"),
    ("$(echo hello world)", "$(echo hello world)"),
    ("${C:7}", "e39f647b4b25842f107c6ed9d30a3a7c7"),
    ("${C: -7}", "0a3a7c7"),
    ("${C: -128}", "1adf998e39f647b4b25842f107c6ed9d30a3a7c7"),
    ("${C:128}", ""),
    ("${C:7:7}", "e39f647"),
    ("${C:7:-7}", "e39f647b4b25842f107c6ed9d3"),
    ("${C:0:-128}", ""),
    ("Today is ${TODAY-Tuesday}", "Today is Tuesday"),
    ("Today is ${DAY-Wednesday}", "Today is Blarghday"),
    ("Today is ${EMPTY_DAY-Wednesday}", "Today is "),
    ("Today is ${EMPTY_DAY:-Wednesday}", "Today is Wednesday"),
    ("${EMPTY_DAY:--:{}}", "-:{}"),
    ("${EMPTY:-${LLAMAS-test}}", "test"),
    ("Do this $$ESCAPE_PARTY", "Do this $ESCAPE_PARTY"),
    ("Do this \\$ESCAPE_PARTY", "Do this $ESCAPE_PARTY"),
    ("Do this $${SUCH_ESCAPE}", "Do this ${SUCH_ESCAPE}"),
    ("a \\\\ b, and a $", "a \\\\ b, and a $"),
    ("RETURNS void AS $$", "RETURNS void AS $"),  # why goose's own test turns ENVSUB off there
    ("${DAY:-${UNSET_HERE}}", "Blarghday"),  # a default goose does not use needs no value
]

#: lines kept as written: (line, what the reason says)
UNRESOLVED = [
    ("$1 burgers", "must start with a letter"),
    ("INSERT INTO t VALUES ($UNSET_HERE)", "${UNSET_HERE} has no value here"),
    ("${UNSET_HERE:-$ALSO_UNSET}", "${ALSO_UNSET} has no value here"),
    ("Hello ${REQUIRED_VAR?}", "refuses to run without it"),
    ("${C:x}", "not a number"),
    ("${C+x}", "expects an operator"),
]


@pytest.mark.parametrize(("line", "expected"), EXPANDS, ids=[c[0] for c in EXPANDS])
def test_a_line_expands_as_goose_expands_it(line: str, expected: str) -> None:
    assert expand_line(line, ENV) == expected


@pytest.mark.parametrize(("line", "reason"), UNRESOLVED, ids=[c[0] for c in UNRESOLVED])
def test_a_line_goose_refuses_or_whose_value_is_unknown_is_said(line: str, reason: str) -> None:
    with pytest.raises(Unresolved, match=reason.replace("$", r"\$").replace("{", r"\{")):
        expand_line(line, ENV)


FILE = """-- +goose Up
-- +goose ENVSUB ON
CREATE TABLE ${APP_SCHEMA}.post (
    id int NOT NULL,
    ${COLUMN_PREFIX:-x}title text
);
-- +goose ENVSUB OFF
CREATE TABLE ${APP_SCHEMA}_raw (id int);
-- +goose ENVSUB ON
-- +goose StatementBegin
CREATE FUNCTION ${APP_SCHEMA}.f() RETURNS text LANGUAGE sql AS '
SELECT ''${GREETING:-hello}''';
-- +goose StatementEnd
-- +goose Down
DROP TABLE ${APP_SCHEMA}.post;
"""


def test_the_reader_substitutes_only_where_envsub_is_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_SCHEMA", "from_env")
    monkeypatch.delenv("COLUMN_PREFIX", raising=False)
    monkeypatch.delenv("GREETING", raising=False)
    (tmp_path / "00001_init.sql").write_text(FILE)
    [m] = goose.list_migrations(tmp_path, ToolOptions(placeholders=(("GREETING", "hi"),)))
    lines = m.sql.splitlines()
    assert lines[2] == "CREATE TABLE from_env.post ("
    assert lines[4] == "    xtitle text"
    assert lines[7] == "CREATE TABLE ${APP_SCHEMA}_raw (id int);"  # ENVSUB OFF
    assert lines[10:12] == ["CREATE FUNCTION from_env.f() RETURNS text LANGUAGE sql AS '",
                            "SELECT ''hi''';"]
    assert "DROP TABLE" not in m.sql and "warning" not in m.extra
    assert m.extra["envsub"] == "on"


def test_a_variable_without_value_is_kept_with_its_file_and_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APP_SCHEMA", raising=False)
    (tmp_path / "00001_init.sql").write_text(FILE)
    [m] = goose.list_migrations(tmp_path)
    assert m.sql.splitlines()[2] == "CREATE TABLE ${APP_SCHEMA}.post ("
    warnings = m.extra["warning"].splitlines()
    assert [w.split(": ENVSUB ON: ")[0] for w in warnings] == [
        f"{tmp_path / '00001_init.sql'}:3", f"{tmp_path / '00001_init.sql'}:11"]
    assert "--placeholder" in warnings[0]


HISTORY = {
    "00001_schema.sql": "-- +goose Up\nCREATE SCHEMA app;\n",
    "00002_tables.sql": "-- +goose Up\n-- +goose ENVSUB ON\n"
                        "CREATE TABLE app.${TENANT}_users (id int PRIMARY KEY,\n"
                        "  region text DEFAULT '${REGION:-eu}');\n"
                        "COMMENT ON TABLE app.${TENANT}_users IS 'cost: \\$5 a seat';\n",
}
#: what goose ran for 00002 with TENANT=acme and REGION unset
RAN = ("CREATE TABLE app.acme_users (id int PRIMARY KEY, region text DEFAULT 'eu');\n"
       "COMMENT ON TABLE app.acme_users IS 'cost: $5 a seat';\n")


@pytest.mark.pg
def test_a_history_with_envsub_diffs_clean_and_infers_applied(
        pg: PgServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database holds what goose ran with the variable set; read with the same value,
    the history has no difference and nothing unmodeled, and both migrations are proven
    applied; without the value, the statements are unmodeled and said so."""
    for name, text in HISTORY.items():
        (tmp_path / name).write_text(text)
    monkeypatch.delenv("REGION", raising=False)
    db = pg.create_database("goose_envsub")
    try:
        with pg.connect_db(db, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA app")
            conn.execute(RAN)
        monkeypatch.setenv("TENANT", "acme")
        result = api.infer(tmp_path, tool="goose", dsn=pg.dsn(db), cache=False)
        assert result.drift == [] and result.unmodeled == []
        assert [(v.migration.version, str(v.status), v.proven) for v in result.verdicts] == [
            ("1", "applied", True), ("2", "applied", True)]
        monkeypatch.delenv("TENANT")
        result = api.infer(tmp_path, tool="goose", dsn=pg.dsn(db), cache=False)
        assert len(result.unmodeled) == 2
        assert not result.verdicts[1].proven
    finally:
        pg.drop_database(db)
