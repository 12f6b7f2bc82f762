"""The parse cache and parallel parsing (DESIGN §8): same results, less work, never a failure.

Counters, never timings: a warm run is proven by the cache's hit/miss/write counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from schemadiff.cachedir import CACHE_DIR_ENV, default_cache_dir
from schemadiff.history import ParsedMigration, parse_migration, replay_parsed
from schemadiff.migration import Migration
from schemadiff.runtime.cache import (
    FORMAT,
    NO_CACHE_ENV,
    ParseCache,
    detect_key,
    entry_key,
    tree_stamp,
)
from schemadiff.runtime.parallel import parse_all

ROOT = Path(__file__).resolve().parents[1]


def parse_migrations(
    migrations: list[Migration], *, cache: ParseCache | None = None, jobs: int | None = None
) -> list[ParsedMigration]:
    """Every migration parsed through the runtime: from ``cache``, the rest in workers."""
    keys = [entry_key(m.path, m.sql) if cache is not None else None for m in migrations]
    return list(parse_all(migrations, keys, cache, jobs=jobs))


def _history(n: int = 6) -> list[Migration]:
    out = []
    for i in range(1, n + 1):
        sql = (
            f"CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x{i}');\n"
            f"CREATE INDEX t{i}_name_idx ON t{i} (lower(name));\n"
        )
        if i > 1:
            sql += f"ALTER TABLE t{i} ADD COLUMN parent bigint REFERENCES t{i - 1} (id);\n"
        out.append(Migration(str(i), f"step {i}", f"migrations/{i}_step.up.sql", sql))
    return out


def _entries(root: Path) -> list[Path]:
    """The cache's entry files: single entries and packs."""
    return sorted(p for p in root.rglob("*") if p.suffix in (".pickle", ".pack"))


def _work_entries(root: Path, migrations: Path) -> list[Path]:
    """:func:`_entries` but the tools' detection scores for ``migrations``: kept only once
    its files are older than ``RACY_SECONDS`` (their status could still change unseen),
    which a slow run reaches and a fast one does not."""
    stamp = tree_stamp(migrations)
    key = detect_key(os.path.abspath(migrations), stamp) if stamp is not None else None
    return [p for p in _entries(root) if p.stem != key]


def _keys(root: Path) -> set[str]:
    """Every stored key: single entries, and packed ones whose pack is there (the index's
    documented format: one ``<key> <pack>`` line per entry)."""
    directory = root / f"v{FORMAT}"
    keys = {p.stem for p in directory.glob("*.pickle")}
    index = directory / "index"
    for line in index.read_text().splitlines() if index.exists() else []:
        key, _, pack = line.partition(" ")
        if (directory / pack).exists():
            keys.add(key)
    return keys


def _pack_of(root: Path, key: str) -> Path:
    lines = (root / f"v{FORMAT}" / "index").read_text().splitlines()
    return root / f"v{FORMAT}" / dict(line.split(" ") for line in lines)[key]


def test_cold_then_warm_reuses_every_entry(tmp_path: Path) -> None:
    migrations = _history()
    cold = ParseCache(tmp_path)
    first = parse_migrations(migrations, cache=cold)
    assert (cold.stats.hits, cold.stats.misses, cold.stats.writes) == (0, 6, 6)
    assert len(_keys(tmp_path)) == 6
    assert [p.suffix for p in _entries(tmp_path)] == [".pack"]  # six entries, one file

    warm = ParseCache(tmp_path)
    second = parse_migrations(migrations, cache=warm)
    assert (warm.stats.hits, warm.stats.misses, warm.stats.writes) == (6, 0, 0)
    assert second == first == [parse_migration(m) for m in migrations]


def test_changed_file_is_parsed_again_and_only_it(tmp_path: Path) -> None:
    migrations = _history()
    parse_migrations(migrations, cache=ParseCache(tmp_path))
    changed = list(migrations)
    m = changed[2]
    changed[2] = Migration(m.version, m.description, m.path, m.sql + "DROP INDEX t3_name_idx;\n")
    cache = ParseCache(tmp_path)
    result = parse_migrations(changed, cache=cache)
    assert (cache.stats.hits, cache.stats.misses, cache.stats.writes) == (5, 1, 1)
    assert result[2] == parse_migration(changed[2])
    assert len(result[2].statements) == len(parse_migration(m).statements) + 1


def test_key_covers_path_text_and_build() -> None:
    assert entry_key("a.sql", "SELECT 1") != entry_key("b.sql", "SELECT 1")
    assert entry_key("a.sql", "SELECT 1") != entry_key("a.sql", "SELECT 1 ")
    assert entry_key("a.sql", "SELECT 1") == entry_key("a.sql", "SELECT 1")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "other-keys"])
def test_corrupted_pack_is_ignored_and_rewritten(tmp_path: Path, damage: str) -> None:
    migrations = _history(3)
    expected = parse_migrations(migrations, cache=ParseCache(tmp_path))
    pack = _pack_of(tmp_path, entry_key(migrations[1].path, migrations[1].sql))
    blob = pack.read_bytes()
    if damage == "truncate":
        pack.write_bytes(blob[: len(blob) // 2])
    elif damage == "garbage":
        pack.write_bytes(blob[:8] + b"\x00not a pickle\xff" * 10)
    elif damage == "empty":
        pack.write_bytes(b"")
    else:  # a whole pack, but of other files
        other = tmp_path / "other"
        parse_migrations(_history(5)[3:], cache=ParseCache(other))
        pack.write_bytes(next(other.rglob("*.pack")).read_bytes())

    cache = ParseCache(tmp_path)
    assert parse_migrations(migrations, cache=cache) == expected
    assert (cache.stats.hits, cache.stats.corrupt, cache.stats.writes) == (0, 3, 3)
    again = ParseCache(tmp_path)
    assert parse_migrations(migrations, cache=again) == expected
    assert (again.stats.hits, again.stats.corrupt) == (3, 0)


def test_torn_or_foreign_index_lines_are_skipped(tmp_path: Path) -> None:
    """A line cut short by a crash, or one naming a path outside the directory, is no entry."""
    migrations = _history(3)
    expected = parse_migrations(migrations, cache=ParseCache(tmp_path))
    index = tmp_path / f"v{FORMAT}" / "index"
    key = entry_key(migrations[0].path, migrations[0].sql)
    with index.open("a") as fh:
        fh.write(f"{key} ../../elsewhere.pack\n{'a' * 64} x.pack\n{key[:20]}")
    cache = ParseCache(tmp_path)
    assert parse_migrations(migrations, cache=cache) == expected
    assert (cache.stats.hits, cache.stats.misses, cache.stats.corrupt) == (3, 0, 0)


def test_unwritable_directory_is_not_an_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    cache = ParseCache(blocked)
    migrations = _history(2)
    assert parse_migrations(migrations, cache=cache) == [parse_migration(m) for m in migrations]
    assert cache.stats.writes == 0 and cache.stats.write_errors >= 1


def test_cache_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "here"))
    assert default_cache_dir() == tmp_path / "here"
    monkeypatch.delenv(CACHE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "schemadiff"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "schemadiff"


_WRITER = textwrap.dedent(
    """
    import sys
    from schemadiff.runtime.cache import ParseCache, entry_key
    from schemadiff.history import parse_migration
    from schemadiff.migration import Migration

    migrations = [
        Migration(str(i), "m", f"m/{i}.sql", f"CREATE TABLE w{i} (a int, b text);" * 20)
        for i in range(60)
    ]
    for _ in range(5):  # each round rewrites every entry: maximal overlap between the writers
        cache = ParseCache(sys.argv[1])
        for m in migrations:
            cache.put(entry_key(m.path, m.sql), parse_migration(m).statements)
    """
)


def test_concurrent_writers_leave_a_valid_cache(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path)], cwd=ROOT) for _ in range(2)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    migrations = [
        Migration(str(i), "m", f"m/{i}.sql", f"CREATE TABLE w{i} (a int, b text);" * 20)
        for i in range(60)
    ]
    cache = ParseCache(tmp_path)
    assert parse_migrations(migrations, cache=cache) == [parse_migration(m) for m in migrations]
    assert (cache.stats.hits, cache.stats.corrupt) == (60, 0)
    assert not list(tmp_path.rglob("*.tmp"))  # no temporary file left behind


def test_parallel_equals_sequential_small() -> None:
    migrations = _history(50)
    assert parse_migrations(migrations, jobs=2) == [parse_migration(m) for m in migrations]


def test_parallel_raises_the_first_error_in_order() -> None:
    migrations = _history(50)
    broken = Migration("x", "broken", "migrations/x.sql", "CREATE TABLE q (a text DEFAULT 'oops);")
    migrations.insert(30, broken)
    with pytest.raises(Exception) as sequential:
        [parse_migration(m) for m in migrations]
    with pytest.raises(type(sequential.value)) as parallel:
        parse_migrations(migrations, jobs=2)
    assert str(parallel.value) == str(sequential.value)


def test_workers_parse_write_the_cache_and_come_back_in_order(tmp_path: Path) -> None:
    """Files the cache lacks are parsed (by workers or by this process taking chunks no
    worker started) and written once each, a pack per chunk; everything comes back in apply
    order, mixed with what the cache had."""
    migrations = _history(300)
    parse_migrations(migrations[::3], cache=ParseCache(tmp_path))  # a third already cached
    cache = ParseCache(tmp_path)
    assert parse_migrations(migrations, cache=cache, jobs=2) == [
        parse_migration(m) for m in migrations
    ]
    assert (cache.stats.hits, cache.stats.misses) == (100, 200)
    assert len(_keys(tmp_path)) == 300
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize("round_", range(4))
def test_every_file_is_parsed_once_however_the_race_goes(tmp_path: Path, round_: int) -> None:
    """This process and the workers race for the same chunks: whoever wins, each file is
    parsed and written exactly once. Repeated: the interleaving differs from run to run."""
    migrations = _history(40 + round_ * 37)
    cache = ParseCache(tmp_path)
    assert parse_migrations(migrations, cache=cache, jobs=2) == [
        parse_migration(m) for m in migrations
    ]
    assert cache.stats.misses == len(migrations) == len(_keys(tmp_path))


def test_replay_consumes_the_parse_as_it_comes(tmp_path: Path) -> None:
    migrations = _history(80)
    keys = [entry_key(m.path, m.sql) for m in migrations]
    streamed = replay_parsed(parse_all(migrations, keys, ParseCache(tmp_path), jobs=2))
    listed = replay_parsed([parse_migration(m) for m in migrations])
    assert streamed.catalog == listed.catalog and streamed.effects == listed.effects
    assert streamed.migrations == migrations


# (files in a fake /sys/fs/cgroup, CPUs' worth of quota): v2's cpu.max, v1's cfs files
_CGROUPS = [
    pytest.param({"cpu.max": "max 100000\n"}, None, id="v2-no-limit"),
    pytest.param({"cpu.max": "150000 100000\n"}, 1.5, id="v2-one-and-a-half"),
    pytest.param({"cpu.max": "50000 100000\n"}, 0.5, id="v2-half"),
    pytest.param({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None,
                 id="v1-no-limit"),
    pytest.param({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"},
                 2.0, id="v1-two"),
    pytest.param({"cpu.max": "garbage"}, None, id="unreadable-value"),
    pytest.param({}, None, id="no-cgroup-files"),
]


@pytest.mark.parametrize(("files", "quota"), _CGROUPS)
def test_cgroup_cpu_quota_caps_the_cpu_count(
    tmp_path: Path, files: dict[str, str], quota: float | None
) -> None:
    import math

    from schemadiff.runtime.parallel import _cgroup_quota, cpu_count

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert _cgroup_quota(tmp_path) == quota
    mask = len(os.sched_getaffinity(0))
    expected = mask if quota is None else max(1, min(mask, math.ceil(quota)))
    assert cpu_count(tmp_path) == expected


@pytest.mark.parametrize(("value", "workers"), [("1", 0), ("2", 1), ("3", 2), (" 2 ", 1)])
def test_jobs_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, workers: int
) -> None:
    from schemadiff.runtime.parallel import JOBS_ENV, worker_count

    monkeypatch.setenv(JOBS_ENV, value)
    assert worker_count(200, None) == workers  # 13 chunks: enough for every worker
    assert worker_count(200, 1) == 0  # an explicit argument wins


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_bad_jobs_in_the_environment_is_a_usage_error(tmp_path: Path, value: str) -> None:
    """One line naming the variable, exit code 2, no traceback."""
    from schemadiff.runtime.parallel import JOBS_ENV

    mig, dump = _goose_dir(tmp_path)
    proc = _run_cli(
        ["infer", "-m", str(mig), "-t", "goose", "-s", str(dump), "--no-cache"],
        {JOBS_ENV: value},
    )
    assert proc.returncode == 2, proc.stderr
    assert JOBS_ENV in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


@pytest.mark.slow
def test_parallel_equals_sequential_on_a_real_corpus(corpora_dir: Path, tmp_path: Path) -> None:
    from schemadiff.tools import read_migrations

    corpus = corpora_dir / "openmeter"
    if not corpus.is_dir():
        pytest.skip("openmeter corpus absent")
    tool = json.loads((corpus / "corpus.json").read_text())["format"]
    _, migrations = read_migrations(corpus / "migrations", tool)
    sequential = [parse_migration(m) for m in migrations]
    parallel = parse_migrations(migrations, jobs=2, cache=ParseCache(tmp_path))
    assert parallel == sequential
    warm = parse_migrations(migrations, jobs=2, cache=ParseCache(tmp_path))
    assert warm == sequential
    assert replay_parsed(warm).catalog == replay_parsed(sequential).catalog


# -- the command line -----------------------------------------------------------------------


def _run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=300,
        check=False,
    )


def _goose_dir(tmp_path: Path) -> tuple[Path, Path]:
    mig = tmp_path / "migrations"
    mig.mkdir()
    (mig / "00001_init.sql").write_text(
        "-- +goose Up\nCREATE TABLE a (id int PRIMARY KEY);\n-- +goose Down\nDROP TABLE a;\n"
    )
    (mig / "00002_more.sql").write_text(
        "-- +goose Up\nALTER TABLE a ADD COLUMN b text;\n-- +goose Down\nSELECT 1;\n"
    )
    dump = tmp_path / "schema.sql"
    dump.write_text("CREATE TABLE public.a (id integer NOT NULL, b text);\n")
    return mig, dump


@pytest.mark.parametrize("command", ["diff", "infer"])
def test_cli_no_cache_writes_nothing(tmp_path: Path, command: str) -> None:
    mig, dump = _goose_dir(tmp_path)
    cache_dir = tmp_path / "cache"
    args = [command, "-m", str(mig), "-t", "goose", "-s", str(dump), "-f", "json"]
    plain = _run_cli([*args, "--no-cache"], {CACHE_DIR_ENV: str(cache_dir)})
    assert plain.returncode in (0, 1), plain.stderr
    assert not cache_dir.exists() or not _entries(cache_dir)

    env_off = _run_cli(args, {CACHE_DIR_ENV: str(cache_dir), NO_CACHE_ENV: "1"})
    assert env_off.stdout == plain.stdout
    assert not cache_dir.exists() or not _entries(cache_dir)

    cached = _run_cli(args, {CACHE_DIR_ENV: str(cache_dir)})
    assert cached.stdout == plain.stdout
    # a pack of the two parsed files, the replay of both, the dump's replay (and for infer:
    # the fact table)
    assert len(_work_entries(cache_dir, mig)) == (4 if command == "infer" else 3)
    warm = _run_cli(args, {CACHE_DIR_ENV: str(cache_dir)})
    assert warm.stdout == plain.stdout


_IMPORTS = textwrap.dedent(
    """
    import json, sys
    from schemadiff.cli import main
    try:
        main(sys.argv[1:], prog_name="schemadiff")
    except SystemExit:
        pass
    heavy = ("psycopg", "rich", "matplotlib", "sqlglot", "networkx", "deepdiff")
    print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
    """
)


def _imported(
    args: list[str],
    env: dict[str, str] | None = None,
    watch: tuple[str, ...] = ("psycopg", "rich", "matplotlib"),
) -> list[str]:
    """Which of ``watch`` a CLI run imported (without the parse cache unless ``env`` says)."""
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORTS, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {NO_CACHE_ENV: "1"})},
        timeout=300,
        check=False,
    )
    return [m for m in json.loads(proc.stdout.strip().splitlines()[-1]) if m in watch]


def test_a_warm_run_neither_parses_nor_replays(tmp_path: Path) -> None:
    """Unchanged migrations and dump: the replays come from the cache, sqlglot is not even
    imported, and the report is the uncached one."""
    mig, dump = _goose_dir(tmp_path)
    env = {CACHE_DIR_ENV: str(tmp_path / "cache")}
    args = ["infer", "-m", str(mig), "-t", "goose", "-s", str(dump), "-f", "json"]
    heavy = ("psycopg", "rich", "matplotlib", "sqlglot", "networkx", "deepdiff")
    assert "sqlglot" in _imported(args, env, heavy)  # cold: parses
    assert _imported(args, env, heavy) == []  # warm: nothing heavy at all
    assert _run_cli(args, env).stdout == _run_cli([*args, "--no-cache"], env).stdout


def test_a_changed_dump_or_migration_is_replayed_again(tmp_path: Path) -> None:
    mig, dump = _goose_dir(tmp_path)
    env = {CACHE_DIR_ENV: str(tmp_path / "cache")}
    args = ["diff", "-m", str(mig), "-t", "goose", "-s", str(dump), "-f", "json"]
    pkey = "ALTER TABLE ONLY public.a ADD CONSTRAINT a_pkey PRIMARY KEY (id);\n"
    dump.write_text("CREATE TABLE public.a (id integer NOT NULL, b text);\n" + pkey)
    assert _run_cli(args, env).returncode == 0
    dump.write_text("CREATE TABLE public.a (id integer NOT NULL);\n" + pkey)  # b dropped
    changed = _run_cli(args, env)
    assert changed.returncode == 1 and '"missing"' in changed.stdout, changed.stdout
    (mig / "00002_more.sql").write_text("-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 1;\n")
    assert _run_cli(args, env).returncode == 0  # the new replay has no column b either


def test_a_corrupted_replay_entry_is_rebuilt(tmp_path: Path) -> None:
    from schemadiff.history import Replay
    from schemadiff.runtime.cache import replay_key
    from schemadiff.runtime.loader import CachedLoader

    migrations = _history()
    cache = ParseCache(tmp_path)
    first = CachedLoader(cache).expected(migrations).replay
    keys = [entry_key(m.path, m.sql) for m in migrations]
    key = replay_key(keys, [m.version for m in migrations], False)
    victim = tmp_path / f"v{FORMAT}" / f"{key}.pickle"
    victim.write_bytes(victim.read_bytes()[:200])
    again = ParseCache(tmp_path)
    second = CachedLoader(again).expected(migrations).replay
    assert again.stats.corrupt == 1 and isinstance(second, Replay)
    assert second.catalog == first.catalog == replay_parsed(
        [parse_migration(m) for m in migrations]
    ).catalog
    assert second.effects == first.effects


def test_help_and_schema_file_runs_do_not_import_psycopg_or_rich(tmp_path: Path) -> None:
    mig, dump = _goose_dir(tmp_path)
    assert _imported(["--help"]) == []
    assert _imported(["diff", "-m", str(mig), "-t", "goose", "-s", str(dump), "-f", "json"]) == []
    # the table format is rich's job; still no psycopg without --dsn
    assert _imported(["diff", "-m", str(mig), "-t", "goose", "-s", str(dump)]) == ["rich"]


def test_infer_from_a_schema_file_does_not_import_psycopg(tmp_path: Path) -> None:
    mig, dump = _goose_dir(tmp_path)
    assert _imported(["infer", "-m", str(mig), "-t", "goose", "-s", str(dump), "-f", "json"]) == []


def test_the_same_files_as_other_versions_are_another_replay(tmp_path: Path) -> None:
    """A replay's effects name migrations by version: renumbered files are not a cache hit."""
    from dataclasses import replace

    from schemadiff.runtime.loader import CachedLoader

    migrations = _history()
    CachedLoader(ParseCache(tmp_path)).expected(migrations)
    renumbered = [replace(m, version=f"v{m.version}") for m in migrations]
    cache = ParseCache(tmp_path)
    again = CachedLoader(cache).expected(renumbered).replay
    assert {e.migration for e in again.effects} == {m.version for m in renumbered}
    assert cache.stats.hits == len(migrations)  # the parses were reused, not the replay


@pytest.mark.parametrize("cached", [True, False])
def test_subset_replays_match_a_fresh_replay(tmp_path: Path, cached: bool) -> None:
    """What infer's drift replays for a partly applied history, with and without a cache."""
    from schemadiff.runtime.loader import CachedLoader

    migrations = _history()
    expected = CachedLoader(ParseCache(tmp_path) if cached else None).expected(migrations)
    parsed = [parse_migration(m) for m in migrations]
    for chosen in ([0, 1, 2], [0, 2, 4], list(range(len(migrations)))):
        fresh = replay_parsed([parsed[i] for i in chosen])
        got = expected.subset(chosen)
        assert got.catalog == fresh.catalog and list(got.effects) == fresh.effects
    if cached:  # asked again: read back, the same
        again = CachedLoader(ParseCache(tmp_path)).expected(migrations)
        assert again.subset([0, 2, 4]).catalog == replay_parsed(
            [parsed[i] for i in (0, 2, 4)]
        ).catalog


def test_prune_removes_what_went_unused_and_keeps_what_was_read(tmp_path: Path) -> None:

    migrations = _history()
    parse_migrations(migrations[:3], cache=ParseCache(tmp_path))  # two runs: two packs
    parse_migrations(migrations[3:], cache=ParseCache(tmp_path))
    entries = _entries(tmp_path)
    assert len(entries) == 2
    old = time.time() - 40 * 86400
    for entry in entries:
        os.utime(entry, (old, old))
    (tmp_path / "v1" / "ab").mkdir(parents=True)  # an older format's directory
    reader = ParseCache(tmp_path)
    used = entry_key(migrations[0].path, migrations[0].sql)
    assert reader.get(used) is not None  # its pack was used today: kept
    assert reader.prune(30) == 1
    assert _entries(tmp_path) == [_pack_of(tmp_path, used)]
    assert len(_keys(tmp_path)) == 3
    assert not (tmp_path / "v1").exists()
    index = (tmp_path / f"v{FORMAT}" / "index").read_text().splitlines()
    assert len(index) == 3  # the pruned pack's lines are gone from the index
    again = ParseCache(tmp_path)
    assert parse_migrations(migrations, cache=again) == [parse_migration(m) for m in migrations]
    assert (again.stats.hits, again.stats.misses) == (3, 3)


def test_the_cli_prunes_at_most_once_a_day(tmp_path: Path) -> None:
    mig, dump = _goose_dir(tmp_path)
    cache_dir = tmp_path / "cache"
    args = ["diff", "-m", str(mig), "-t", "goose", "-s", str(dump), "-f", "json"]
    _run_cli(args, {CACHE_DIR_ENV: str(cache_dir)})
    marker = cache_dir / ".last-prune"
    assert marker.exists() and len(_work_entries(cache_dir, mig)) == 3

    stale = time.time() - 40 * 86400
    for entry in _entries(cache_dir):
        os.utime(entry, (stale, stale))
    _run_cli(args, {CACHE_DIR_ENV: str(cache_dir)})  # pruned today already: all reused
    assert len(_work_entries(cache_dir, mig)) == 3
    os.utime(marker, (stale, stale))
    for entry in _entries(cache_dir):
        os.utime(entry, (stale, stale))
    _run_cli(args, {CACHE_DIR_ENV: str(cache_dir)})  # prunes first, then writes afresh
    assert len(_work_entries(cache_dir, mig)) == 3
    assert all(e.stat().st_mtime > stale + 86400 for e in _entries(cache_dir))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_entries_and_packs_of_another_user_are_never_unpickled(tmp_path: Path) -> None:
    """Entries are pickles, and unpickling runs code: a file this user does not own (in a
    shared cache directory, say) is a miss, single entry or pack alike."""
    migrations = _history(2)
    parse_migrations(migrations, cache=ParseCache(tmp_path))  # one pack
    single = entry_key("single.sql", "SELECT 1")
    ParseCache(tmp_path).put(single, ["value"])
    for path in _entries(tmp_path):
        os.chown(path, 65534, 65534)
    cache = ParseCache(tmp_path)
    assert cache.get(single) is None
    assert parse_migrations(migrations, cache=cache) == [parse_migration(m) for m in migrations]
    assert cache.stats.hits == 0 and cache.stats.untrusted == 2  # the entry, the pack


def _big_dump(tables: int = 400, tail: str = "") -> str:
    """A dump large enough for its own worker (over ``DUMP_WORKER_BYTES``)."""
    body = "".join(
        f"CREATE TABLE public.t{i} (id bigint NOT NULL, name text DEFAULT 'x{i}'::text);\n"
        f"ALTER TABLE ONLY public.t{i} ADD CONSTRAINT t{i}_pkey PRIMARY KEY (id);\n"
        for i in range(tables)
    )
    return body + tail


def test_a_dump_replayed_by_its_worker_is_the_replay_made_here(tmp_path: Path) -> None:
    """start_dump hands the dump to a forked worker (that also writes its cache entry); the
    migrations' parsing borrows its pool meanwhile; dump() returns what a replay here does."""
    from schemadiff.loading import DirectLoader
    from schemadiff.runtime.loader import CachedLoader
    from schemadiff.runtime.parallel import DUMP_WORKER_BYTES

    text = _big_dump()
    assert len(text) >= DUMP_WORKER_BYTES
    migrations = _history(60)
    loader = CachedLoader(ParseCache(tmp_path), jobs=2)
    loader.start_dump("d.sql", text, text.encode())
    assert loader._pool is not None  # a worker took it
    expected = loader.expected(migrations)  # parsed beside the dump, in its pool
    assert expected.replay.catalog == replay_parsed(
        [parse_migration(m) for m in migrations]).catalog
    replay = loader.dump("d.sql", text, text.encode())
    assert loader._pool is None  # done: its workers stopped
    here = DirectLoader().dump("d.sql", text, text.encode())
    assert replay.catalog == here.catalog and replay.diagnostics == here.diagnostics
    again = ParseCache(tmp_path)  # the worker cached it: the next run reads it
    assert CachedLoader(again).dump("d.sql", text, text.encode()).catalog == here.catalog
    assert again.stats.hits == 1 and again.stats.misses == 0


def test_a_dump_whose_worker_fails_raises_here_as_without_one(tmp_path: Path) -> None:
    from schemadiff.errors import ParseError
    from schemadiff.runtime.loader import CachedLoader

    text = _big_dump(tail="CREATE FOOBAR thing;\n")
    loader = CachedLoader(ParseCache(tmp_path), jobs=2)
    loader.start_dump("d.sql", text, text.encode(), strict=True)
    assert loader._pool is not None
    with pytest.raises(ParseError, match="CREATE FOOBAR is not modelled"):
        loader.dump("d.sql", text, text.encode(), strict=True)
    assert loader._pool is None


def test_no_dump_worker_for_one_process_a_small_dump_or_a_cached_one(tmp_path: Path) -> None:
    from schemadiff.runtime.loader import CachedLoader

    text = _big_dump()
    one = CachedLoader(ParseCache(tmp_path), jobs=1)
    one.start_dump("d.sql", text, text.encode())
    assert one._pool is None  # SCHEMADIFF_JOBS=1: this process only
    small = CachedLoader(ParseCache(tmp_path), jobs=2)
    small.start_dump("s.sql", "CREATE TABLE a (id int);\n", b"CREATE TABLE a (id int);\n")
    assert small._pool is None
    one.dump("d.sql", text, text.encode())  # replayed here, cached
    warm = CachedLoader(ParseCache(tmp_path), jobs=2)
    warm.start_dump("d.sql", text, text.encode())
    assert warm._pool is None  # the cache has it: no parser, no fork


def test_a_comparison_that_fails_stops_the_dump_worker(tmp_path: Path) -> None:
    """The dump goes to its worker before the migrations are read; when reading them fails,
    the worker is stopped, not waited for (the error is not held up by the dump's replay)."""
    from schemadiff.errors import SchemaDiffError
    from schemadiff.pipeline import Request, compare
    from schemadiff.runtime.loader import CachedLoader

    dump = tmp_path / "d.sql"
    dump.write_text(_big_dump(), encoding="utf-8")
    started: list[object] = []

    class Noting(CachedLoader):
        def start_dump(self, path: str, text: str, data: bytes, *, strict: bool = False) -> None:
            super().start_dump(path, text, data, strict=strict)
            started.append(self._pool)

    loader = Noting(ParseCache(tmp_path / "cache"), jobs=2)
    request = Request(tmp_path / "no-such-dir", tool="goose", schema_file=dump)
    with pytest.raises(SchemaDiffError, match="does not exist"):
        compare(request, loader=loader)
    assert started and started[0] is not None  # a worker had the dump
    assert loader._pool is None and not loader._pending


def test_the_parser_fingerprint_covers_every_module_the_parser_imports() -> None:
    """A parse cache entry is keyed by the source of the modules that decide what a file parses
    to; a module the parser imports but the key leaves out would serve stale parses after an
    upgrade. Run in a fresh interpreter: what importing the parser and the history loads."""
    import subprocess
    import sys

    from schemadiff.runtime import cache

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, schemadiff.sql.parse, schemadiff.history, "
         "schemadiff.sql.split; print('\\n'.join(m for m in sys.modules "
         "if m.startswith('schemadiff')))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    root = cache._package_root()
    keyed = set(cache._expand(root, cache._PARSER_MODULES))
    missing = []
    for module in loaded:
        parts = module.split(".")[1:]
        if not parts or parts == ["_version"]:  # the version is keyed as __version__
            continue
        path = "/".join(parts)
        if (root / path).is_dir():
            path += "/__init__.py"
        else:
            path += ".py"
        if path not in keyed and not path.endswith("sql/__init__.py"):
            missing.append(path)
    assert missing == []


def _annotated_dir(root: Path, past: float) -> Path:
    root.mkdir()
    for i in (1, 2):
        path = root / f"00{i}_t{i}.sql"
        path.write_text(f"-- +goose Up\nCREATE TABLE t{i} (id int);\n", encoding="utf-8")
        os.utime(path, (past, past))
    return root


def test_detection_scores_are_kept_by_the_tree_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm run does not run every tool's detection again; any change to the tree (a file
    added, one rewritten) is another entry; a tree changed just now or holding a link to a
    directory is never kept (its status cannot stand for its content)."""
    import schemadiff.runtime.loader as loader_module
    from schemadiff.runtime.cache import RACY_SECONDS, tree_stamp
    from schemadiff.tools import detect_scores

    now = time.time()
    root = _annotated_dir(tmp_path / "m", now - 100)
    assert tree_stamp(root) is None  # its files' change time is now
    later = now + RACY_SECONDS + 1  # the stamps as a run a few seconds from now takes them
    stamp = tree_stamp(root, now=later)
    assert stamp is not None
    monkeypatch.setattr(loader_module, "tree_stamp", lambda r: tree_stamp(r, now=later))
    cache = ParseCache(tmp_path / "cache")
    loader = loader_module.CachedLoader(cache)
    expected = detect_scores(root)
    assert expected["goose"] == 100

    assert loader.detect(root) == expected
    writes = cache.stats.writes
    assert loader.detect(root) == expected
    assert (cache.stats.hits, cache.stats.writes) == (1, writes)
    (root / "003_t3.sql").write_text("CREATE TABLE t3 (id int);\n", encoding="utf-8")
    assert tree_stamp(root, now=later) != stamp
    assert loader.detect(root) == detect_scores(root)
    assert cache.stats.writes == writes + 1
    for name in ("001_t1.sql", "002_t2.sql"):  # the annotations gone: not what was kept
        (root / name).write_text("CREATE TABLE t (id int);\n", encoding="utf-8")
    assert loader.detect(root)["goose"] == 0
    (root / "sub").mkdir()
    os.symlink(root / "sub", root / "link")
    assert tree_stamp(root, now=later + 10) is None


def test_an_edited_source_file_is_another_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprints hash the sources' status: any edit (even to the same size) changes
    it, so an editable checkout never reads entries its old code wrote."""
    import schemadiff.runtime.cache as cache_module

    monkeypatch.setattr(cache_module, "_package_root", lambda: tmp_path)
    source = tmp_path / "m.py"
    source.write_text("A = 1\n", encoding="utf-8")
    before = cache_module._hash_sources(("m.py",))
    assert cache_module._hash_sources(("m.py",)) == before
    time.sleep(0.01)
    source.write_text("A = 2\n", encoding="utf-8")
    assert cache_module._hash_sources(("m.py",)) != before
