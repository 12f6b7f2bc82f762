"""The Alembic and Django readers without their tools: offline SQL and sqlmigrate output read
from files, revision graphs, history rows, the stamp plan, and bad input as one-line errors
located at the file and line.

The text is what Alembic 1.x and Django 5.x print (checked against the real tools by
``test_alembic_e2e`` and ``test_django_e2e``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from schemadiff.errors import MigrationError
from schemadiff.inference import declared_ancestors
from schemadiff.migration import Migration
from schemadiff.recorded import Recorded, RecordedVersion
from schemadiff.repair import SyncError, render_sync
from schemadiff.tools import ToolOptions, alembic, detect_tool, django, read_migrations


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def script(rev: str, down: str | None, *, depends: str = "None", doc: str = "msg") -> str:
    down_text = repr(down) if down is None or isinstance(down, str) else repr(tuple(down))
    return (f'"""{doc}\n\nRevision ID: {rev}\n"""\nfrom alembic import op\n\n'
            f"revision: str = {rev!r}\ndown_revision = {down_text}\nbranch_labels = None\n"
            f"depends_on = {depends}\n\n\ndef upgrade():\n    pass\n")


OFFLINE = """BEGIN;

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

-- Running upgrade  -> a1

CREATE TABLE account (id SERIAL NOT NULL, PRIMARY KEY (id));

INSERT INTO alembic_version (version_num) VALUES ('a1') RETURNING alembic_version.version_num;

-- Running upgrade a1 -> b1

CREATE INDEX ix_b ON account (id);

UPDATE alembic_version SET version_num='b1' WHERE alembic_version.version_num = 'a1';

-- Running upgrade a1 -> a2

ALTER TABLE account ADD COLUMN email TEXT;

INSERT INTO alembic_version (version_num) VALUES ('a2') RETURNING alembic_version.version_num;

-- Running upgrade a2, b1 -> m1

DELETE FROM alembic_version WHERE alembic_version.version_num = 'a2';

UPDATE alembic_version SET version_num='m1' WHERE alembic_version.version_num = 'b1';

COMMIT;
"""
SCRIPTS = {
    "versions/a1_x.py": script("a1", None, doc="create account"),
    "versions/a2_x.py": script("a2", "a1"),
    "versions/b1_x.py": script("b1", "a1"),
    "versions/m1_x.py": script("m1", ("a2", "b1")),  # type: ignore[arg-type]
}


def test_alembic_reads_blocks_in_alembics_order_with_the_graph(tmp_path: Path) -> None:
    root = write(tmp_path / "alembic", {**SCRIPTS, "upgrade.sql": OFFLINE})
    assert detect_tool(root) == "alembic"
    name, ms = read_migrations(root)
    assert name == "alembic"
    assert [(m.version, m.requires, m.description) for m in ms] == [
        ("a1", (), "create account"), ("b1", ("a1",), "msg"), ("a2", ("a1",), "msg"),
        ("m1", ("a2", "b1"), "msg")]
    lines = OFFLINE.split("\n")
    a2 = ms[2]
    assert a2.path == str(root / "upgrade.sql") and a2.in_transaction
    # line n of the SQL is line n of the file; only a2's block is kept
    kept = [i + 1 for i, line in enumerate(a2.sql.split("\n")) if line.strip()]
    assert [lines[i - 1] for i in kept] == [
        "ALTER TABLE account ADD COLUMN email TEXT;",
        "INSERT INTO alembic_version (version_num) VALUES ('a2') RETURNING "
        "alembic_version.version_num;"]
    assert declared_ancestors(ms) == [set(), {0}, {0}, {0, 1, 2}]


BAD_ALEMBIC = [
    ({"versions/b.py": script("b1", "zz")}, OFFLINE,
     "versions/b.py:8: down_revision 'zz' names no revision in"),
    ({"versions/a.py": script("a1", "b1"), "versions/b.py": script("b1", "a1")}, OFFLINE,
     "versions/a.py:8: revision cycle: a1 -> b1 -> a1"),
    ({"versions/a.py": script("a1", None), "versions/b.py": script("a1", None)}, OFFLINE,
     "versions/b.py:7: revision 'a1' is defined twice"),
    ({"versions/a.py": "x = 1\n"}, OFFLINE, "versions/a.py: no 'revision' variable"),
    ({"versions/a.py": script("a1", None).replace("down_revision = None",
                                                  "down_revision = f()")}, OFFLINE,
     "versions/a.py:8: 'down_revision' must be a literal"),
    ({"versions/a.py": "revision = (\n"}, OFFLINE, "versions/a.py:1: not valid Python"),
    (SCRIPTS, "SELECT 1;\n", ": Alembic's SQL is needed"),
    ({**SCRIPTS, "versions/c1.py": script("c1", "m1")}, OFFLINE,
     "versions/c1.py:7: revision c1 has no '-- Running upgrade' block in"),
    ({k: v for k, v in SCRIPTS.items() if "m1" not in k}, OFFLINE,
     "upgrade.sql:26: revision m1 has no script in"),
    ({**SCRIPTS, "versions/a2_x.py": script("a2", "b1")}, OFFLINE,
     "upgrade.sql:20: revision a2 runs after a1 here but its script says down_revision b1"),
    (SCRIPTS, OFFLINE.replace("-- Running upgrade a1 -> a2", "-- Running downgrade a1 -> a2"),
     "upgrade.sql:20: a downgrade in Alembic's offline SQL"),
]


@pytest.mark.parametrize(("files", "sql", "message"), BAD_ALEMBIC,
                         ids=[m.split(": ", 1)[1][:30] for _, _, m in BAD_ALEMBIC])
def test_alembic_bad_input_is_one_located_line(tmp_path: Path, files: dict[str, str], sql: str,
                                                message: str) -> None:
    root = write(tmp_path / "al", {**files, "upgrade.sql": sql})
    with pytest.raises(MigrationError) as err:
        read_migrations(root, "alembic")
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(str(root / message.split(": ", 1)[0])), text
    assert message.split(": ", 1)[1] in text, text


def test_alembic_without_sql_asks_for_it(tmp_path: Path) -> None:
    root = write(tmp_path / "al", SCRIPTS)
    with pytest.raises(MigrationError, match=r"pass --alembic-ini alembic\.ini"):
        read_migrations(root, "alembic")
    sql = write(tmp_path / "out", {"any.sql": OFFLINE}) / "any.sql"
    assert len(read_migrations(root, "alembic", ToolOptions(sql=str(sql)))[1]) == 4


def migration(version: str, requires: tuple[str, ...] = (), **extra: str) -> Migration:
    return Migration(version, version, "x.sql", "", requires=requires, extra=dict(extra))


GRAPH = [migration("a1"), migration("b1", ("a1",)), migration("a2", ("a1",)),
         migration("m1", ("a2", "b1")), migration("c1"), migration("d1", ("m1", "c1"))]


@pytest.mark.parametrize(("heads", "applied"), [
    ([], []),
    (["a2"], ["a1", "a2"]),
    (["a2", "b1"], ["a1", "b1", "a2"]),
    (["d1"], ["a1", "b1", "a2", "m1", "c1", "d1"]),  # depends_on: c1 is below d1
    (["zz", "b1"], ["a1", "b1", "zz"]),
])
def test_alembic_history_is_the_heads_and_their_ancestors(heads: list[str],
                                                          applied: list[str]) -> None:
    versions, notes = alembic.parse_history([{"version_num": h} for h in heads], GRAPH)
    assert [v.version for v in versions] == applied
    assert notes


PARENTS = {m.version: m.requires or () for m in GRAPH}


@pytest.mark.parametrize(("old", "new", "updates", "inserts", "deletes"), [
    ([], ["a2"], [], ["a2"], []),
    (["a1"], ["a2"], [("a1", "a2")], [], []),
    (["a2"], ["a1"], [("a2", "a1")], [], []),  # a phantom head moves back
    (["a2", "b1"], ["m1"], [("a2", "m1")], [], ["b1"]),  # a merge
    (["a1"], ["a2", "b1"], [("a1", "a2")], ["b1"], []),  # two branches from one
    (["c1", "a2"], ["a2"], [], [], ["c1"]),
])
def test_alembic_stamp_plan(old: list[str], new: list[str], updates: list[tuple[str, str]],
                            inserts: list[str], deletes: list[str]) -> None:
    stamp = alembic.plan_stamp(old, new, PARENTS)
    assert (list(stamp.updates), list(stamp.inserts), list(stamp.deletes)) == (
        updates, inserts, deletes)


def test_alembic_sync_writes_what_stamp_runs_and_refuses_a_gap() -> None:
    recorded = Recorded("alembic", "live", True, (RecordedVersion("a1"),))
    script = render_sync("alembic", [GRAPH[2]], recorded, migrations=GRAPH)
    assert ("UPDATE alembic_version SET version_num='a2' WHERE alembic_version.version_num = "
            "'a1';") in script.text
    assert script.equivalent == ("alembic stamp a2",)
    assert script.commands == ("alembic upgrade heads",)
    with pytest.raises(SyncError, match="revision m1 is applied but b1, which it needs, is not"):
        render_sync("alembic", [GRAPH[2], GRAPH[3]], recorded, migrations=GRAPH)


PLAN = """[X]  contenttypes.0001_initial
[X]  shop.0001_initial ... (contenttypes.0001_initial)
[ ]  shop.0002_fill ... (shop.0001_initial)
[ ]  shop.0003_squashed_0005 ... (shop.0002_fill)
"""
SQLMIGRATE = {
    "contenttypes/0001_initial.sql": "BEGIN;\n--\n-- Create model ContentType\n--\n"
                                     "CREATE TABLE \"ct\" (\"id\" integer NOT NULL PRIMARY KEY);\n"
                                     "COMMIT;\n",
    "shop/0001_initial.sql": "--\n-- Create model P\n--\nCREATE TABLE \"p\" (\"id\" integer);\n",
    "shop/0002_fill.sql": "BEGIN;\n--\n-- Raw Python operation\n--\n"
                          "-- THIS OPERATION CANNOT BE WRITTEN AS SQL\nCOMMIT;\n",
    "shop/0003_squashed_0005.sql": "BEGIN;\n--\n-- Add field q to p\n--\n"
                                   "ALTER TABLE \"p\" ADD COLUMN \"q\" integer NULL;\nCOMMIT;\n",
}


def test_django_reads_plan_sqlmigrate_and_replaces(tmp_path: Path) -> None:
    root = write(tmp_path / "dj", {"plan.txt": PLAN, **SQLMIGRATE,
                                   "replaces.txt": "shop.0003_squashed_0005 shop.0003_a "
                                                   "shop.0004_b shop.0005_c\n"})
    assert detect_tool(root) == "django"
    _, ms = read_migrations(root)
    assert [(m.version, m.requires, m.in_transaction, m.opaque) for m in ms] == [
        ("contenttypes.0001_initial", (), True, False),
        ("shop.0001_initial", ("contenttypes.0001_initial",), False, False),
        ("shop.0002_fill", ("shop.0001_initial",), True, True),
        ("shop.0003_squashed_0005", ("shop.0002_fill",), True, False)]
    assert ms[0].sql.split("\n")[4].startswith("CREATE TABLE") and "BEGIN" not in ms[0].sql
    # the replaced rows of a squash fold into it; all three present: the squash counts
    rows = [{"app": a, "name": n} for a, n in [("contenttypes", "0001_initial"),
                                               ("shop", "0003_a"), ("shop", "0004_b"),
                                               ("shop", "0005_c")]]
    versions, notes = django.parse_history(rows, ms)
    assert [v.version for v in versions] == ["contenttypes.0001_initial",
                                             "shop.0003_squashed_0005"]
    assert notes
    recorded = Recorded("django", "live", True, ())
    script = render_sync("django", [ms[3]], recorded, migrations=ms)
    for name in ("0003_a", "0004_b", "0005_c", "0003_squashed_0005"):
        assert f"SELECT 'shop', '{name}', now()" in script.text
    assert "CREATE TABLE IF NOT EXISTS django_migrations" not in script.text


BAD_DJANGO = [
    ({"plan.txt": "[X] shop.0001\n"}, "plan.txt:1: not a line of `manage.py showmigrations"),
    ({"plan.txt": PLAN}, "plan.txt:1: contenttypes.0001_initial has no "
                         "contenttypes/0001_initial.sql"),
    ({"plan.txt": "[ ]  a.0002 ... (a.0001)\n[ ]  a.0001\n", "a/0001.sql": "", "a/0002.sql": ""},
     "plan.txt:1: a.0002 depends on a.0001, listed later in the plan"),
    ({"plan.txt": "[ ]  a.0001\n[ ]  a.0001\n", "a/0001.sql": ""},
     "plan.txt:2: a.0001 is listed twice"),
    ({"plan.txt": "[ ]  a.0001\n", "a/0001.sql": "", "replaces.txt": "a.0001\n"},
     "replaces.txt:1: expected '<app>.<squash> <app>.<replaced> ...'"),
]


@pytest.mark.parametrize(("files", "message"), BAD_DJANGO,
                         ids=[m.split(": ", 1)[1][:30] for _, m in BAD_DJANGO])
def test_django_bad_input_is_one_located_line(tmp_path: Path, files: dict[str, str],
                                               message: str) -> None:
    root = write(tmp_path / "dj", files)
    with pytest.raises(MigrationError) as err:
        read_migrations(root, "django")
    text = str(err.value)
    assert "\n" not in text and text.startswith(str(root / message.split(": ", 1)[0])), text
    assert message.split(": ", 1)[1] in text, text


def test_django_project_without_settings_asks_for_them(tmp_path: Path) -> None:
    root = write(tmp_path / "proj", {"manage.py": "", "app/migrations/0001_initial.py": ""})
    assert detect_tool(root) == "django"
    with pytest.raises(MigrationError, match="pass --django-settings MODULE"):
        read_migrations(root)


def test_options_of_one_tool_are_refused_by_another(tmp_path: Path) -> None:
    root = write(tmp_path / "g", {"1_a.sql": "-- +goose Up\nSELECT 1;\n"})
    with pytest.raises(MigrationError, match="do not apply"):
        read_migrations(root, "goose", ToolOptions(config="alembic.ini"))
