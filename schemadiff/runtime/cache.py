"""A content-addressed cache of parsed migration files and replays (DESIGN §8).

Applied migration files do not change, so what the parser makes of one (its list of
``(Statement, Op)``) is stored under a key derived from everything that can change the result:

- a cache format number (:data:`FORMAT`), bumped when the entry layout changes;
- the schemadiff version and a fingerprint of the parser's own source files (their size,
  inode, modification and change times: an editable checkout whose parser changed never
  reads stale entries), and the sqlglot version;
- the file's path (statement locations carry it) and its exact SQL text.

Derived results are stored the same way, so that a run over unchanged inputs neither replays
nor even imports the parser: the replay of a list of parsed files (keyed by their parse keys
and versions in order, see :func:`replay_key`), inference's fact table for it
(:func:`facts_key`), the replay of a dump file (keyed by its bytes, :func:`dump_key`) and
every tool's detection score for a migration directory (keyed by the status of every entry
under it, :func:`tree_stamp`: detection reads the heads of all files, twelve times over).
Their keys use :func:`engine_fingerprint`, which covers every source file of the package,
since replay, model and normalization all shape them.

An entry is one file, ``<dir>/v<FORMAT>/<key>.pickle`` (a header naming its key, then the
pickled value), written to a temporary file in the same directory and moved into place with
:func:`os.replace`, so readers see either no entry or a whole one and concurrent runs writing
the same entry do not interfere (they write the same bytes). The directory is flat: a
two-character fan-out (``ab/abcd...``) made a cold run create ~170 directories.

Parsed files are written in packs: one file ``<name>.pack`` holds the entries of a chunk of
files parsed together (:meth:`ParseCache.put_many`), and a line ``<key> <name>.pack`` per entry
is appended to ``<dir>/v<FORMAT>/index`` once the pack is in place (one ``write`` on an
``O_APPEND`` descriptor: concurrent runs' lines do not interleave; a torn or unknown line is
skipped). Creating a file is what a cold run's cache costs, not the bytes: about 0.5 ms of
kernel time each on the test machine, twice that with two processes creating at once, so
16 entries to a file take a 3,000-file history's writes from seconds to a fraction.

An entry that cannot be read back (truncated, corrupted, from an incompatible build) counts as
a miss and is rewritten; an entry owned by another user is never unpickled (pickles run code).
A directory that cannot be written to turns the cache into a read-only (or no-op) one: it
never makes a run fail.

The directory is ``$SCHEMADIFF_CACHE_DIR``, else ``$XDG_CACHE_HOME/schemadiff``, else
``~/.cache/schemadiff``. ``SCHEMADIFF_NO_CACHE=1`` (or ``--no-cache``) disables it. Entries
unused for :data:`MAX_AGE_DAYS` are deleted by the CLI, at most once a day.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import os
import pickle
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemadiff._version import __version__
from schemadiff.cachedir import default_cache_dir
from schemadiff.history import Replay
from schemadiff.model import Effect, _Objects
from schemadiff.records import record_fields

FORMAT = 4
"""Bumped whenever the layout of an entry changes."""

INDEX = "index"
"""The file, in the format's directory, that says which pack holds each packed entry."""

_PACK_MAGIC = b"SDPK%d\n" % FORMAT

MAX_AGE_DAYS = 30
"""Entries unused this long are deleted (:meth:`ParseCache.prune`, run at most daily)."""

NO_CACHE_ENV = "SCHEMADIFF_NO_CACHE"

# The modules whose code decides what a file parses to: a change in any of them is a new key.
_PARSER_MODULES = (
    "sql/split.py",
    "sql/lexer.py",
    "sql/tokens.py",
    "sql/grammar.py",
    "sql/names.py",
    "sql/normalize.py",
    "sql/ops.py",
    "sql/parse/",  # a directory: every module in it
    "sql/quote.py",
    "sql/floats.py",
    "sql/variadic.py",  # normalize.py's: variadic calls read back merged
    "sql/lambdas.py",  # normalize.py's: f(data -> 'k') is an operator, not a lambda
    "sql/multirange.py",  # normalize.py's: multirange constants as multirange_out prints them
    "sql/parameters.py",  # normalize.py's: parameters of SQL-standard bodies
    "history.py",
    "migration.py",
    "model.py",  # parsed statements carry model values, pickled as these modules define them
    "errors.py",
    "records.py",  # how every record is defined, compared and pickled
    "uncertain.py",  # history.py's: which diagnostics the hybrid replay sends to a server
)

_fingerprint: str | None = None
_engine_fingerprint: str | None = None
_UID: int | None = os.getuid() if hasattr(os, "getuid") else None


def _sqlglot_version() -> str:
    """sqlglot's version, read from its ``_version.py`` without importing sqlglot (~100 ms)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("sqlglot")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return "?"
    for location in spec.submodule_search_locations:
        try:
            return (Path(location) / "_version.py").read_text(encoding="utf-8")
        except OSError:
            continue
    return "?"


def _package_root() -> Path:
    return Path(__file__).resolve().parents[1]


def cache_disabled_by_env() -> bool:
    """Whether ``SCHEMADIFF_NO_CACHE`` asks for no cache (any value but ``""``/``0``)."""
    return os.environ.get(NO_CACHE_ENV, "").strip() not in ("", "0")


def code_fingerprint() -> str:
    """What identifies the parser build: versions plus a hash of the status of the parser's
    source files. Computed once per process."""
    global _fingerprint
    if _fingerprint is None:
        _fingerprint = _hash_sources(_PARSER_MODULES)
    return _fingerprint


def engine_fingerprint() -> str:
    """Like :func:`code_fingerprint`, over every source file of the package (for replays)."""
    global _engine_fingerprint
    if _engine_fingerprint is None:
        root = str(_package_root())
        files = []
        for folder, subfolders, names in os.walk(root):  # a third of rglob's time
            subfolders[:] = [d for d in subfolders if d != "__pycache__"]
            rel = os.path.relpath(folder, root)
            files += [name if rel == "." else f"{rel}/{name}"
                      for name in names if name.endswith((".py", ".sql"))]
        _engine_fingerprint = _hash_sources(tuple(sorted(files)))
    return _engine_fingerprint


def _expand(root: Path, relative: tuple[str, ...]) -> list[str]:
    """``relative`` with each directory (``"sql/parse/"``) replaced by its modules."""
    files: list[str] = []
    for rel in relative:
        if rel.endswith("/"):
            files += sorted(str(p.relative_to(root)) for p in (root / rel).glob("*.py"))
        else:
            files.append(rel)
    return files


def _hash_sources(relative: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    h.update(f"schemadiff {__version__}\0".encode())
    h.update(f"sqlglot {_sqlglot_version()}\0".encode())
    root = _package_root()
    for rel in _expand(root, relative):
        try:  # a file's status, not its bytes: an edit changes its modification and change
            st = os.stat(root / rel)  # times (reading ~120 files cost ~6 ms of every run)
            h.update(f"{rel}\0{st.st_size} {st.st_ino} {st.st_mtime_ns} {st.st_ctime_ns}\0"
                     .encode())
        except OSError:  # an installed build without sources: versions decide alone
            h.update(rel.encode() + b"\0-\0")
    return h.hexdigest()


def entry_key(path: str, sql: str) -> str:
    """The cache key (hex SHA-256) of a migration file's parse."""
    h = hashlib.sha256()
    h.update(f"schemadiff-parse-cache {FORMAT}\0{code_fingerprint()}\0".encode())
    h.update(path.encode("utf-8", "surrogatepass") + b"\0")
    h.update(sql.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def replay_key(parse_keys: list[str], versions: list[str], strict: bool) -> str:
    """The key of the replay of these parsed files, in this order, as these versions (the
    effect log names each migration by the version its tool gives the file), each followed by
    the session it starts in (``Migration.session``)."""
    h = hashlib.sha256()
    h.update(f"schemadiff-replay {FORMAT}\0{engine_fingerprint()}\0{int(strict)}\0".encode())
    for key, version in zip(parse_keys, versions, strict=True):
        h.update(key.encode("ascii") + b"\0" + version.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def hybrid_key(replay: str, server: str) -> str:
    """The key of a hybrid replay: the static replay's key (every migration's content, in
    order) and the scratch server that ran what it could not model."""
    h = hashlib.sha256()
    h.update(f"schemadiff-hybrid {FORMAT}\0{engine_fingerprint()}\0{replay}\0".encode())
    h.update(server.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def facts_key(replay: str, scope: str) -> str:
    """The key of inference's fact table: its replay's key (versions included), the scope."""
    h = hashlib.sha256()
    h.update(f"schemadiff-facts {FORMAT}\0{engine_fingerprint()}\0{replay}\0{scope}\0".encode())
    return h.hexdigest()


#: An entry changed this recently (seconds) may change again within its timestamp's
#: granularity without its status showing it: a tree holding one is not stamped.
RACY_SECONDS = 2.0


def tree_stamp(root: Path, now: float | None = None) -> bytes | None:
    """The status of every entry under ``root`` (its relative path, kind, size, inode,
    modification and change times), for :func:`detect_key`; None when the status cannot
    stand for the content: a symbolic link to a directory (detection may follow it), an
    entry that cannot be read, one changed within :data:`RACY_SECONDS`."""
    limit = int(((now if now is not None else time.time()) - RACY_SECONDS) * 1e9)
    rows: list[str] = []
    pending = [(str(root), "")]
    try:
        while pending:
            folder, prefix = pending.pop()
            with os.scandir(folder) as it:
                for entry in it:
                    st = entry.stat()  # a link's target: what detection reads
                    if max(st.st_mtime_ns, st.st_ctime_ns) > limit:
                        return None
                    if entry.is_dir(follow_symlinks=False):
                        pending.append((entry.path, f"{prefix}{entry.name}/"))
                    elif stat.S_ISDIR(st.st_mode):
                        return None
                    rows.append(f"{prefix}{entry.name}\0{st.st_mode:o} {st.st_size} "
                                f"{st.st_ino} {st.st_mtime_ns} {st.st_ctime_ns}")
    except OSError:
        return None
    rows.sort()
    return "\n".join(rows).encode("utf-8", "surrogateescape")


def detect_key(root: str, stamp: bytes) -> str:
    """The key of the tools' detection scores for the directory ``root`` as ``stamp`` saw it."""
    h = hashlib.sha256()
    h.update(f"schemadiff-detect {FORMAT}\0{engine_fingerprint()}\0".encode())
    h.update(root.encode("utf-8", "surrogateescape") + b"\0")
    h.update(stamp)
    return h.hexdigest()


def dump_key(path: str, data: bytes, strict: bool) -> str:
    """The key of the replay of a dump file (its path: statement locations carry it)."""
    h = hashlib.sha256()
    h.update(f"schemadiff-dump {FORMAT}\0{engine_fingerprint()}\0{int(strict)}\0".encode())
    h.update(path.encode("utf-8", "surrogatepass") + b"\0")
    h.update(data)
    return h.hexdigest()


@dataclass(slots=True)
class CacheStats:
    """Counters of one cache's use (what tests and benchmarks look at; no timings)."""

    hits: int = 0
    misses: int = 0
    writes: int = 0
    corrupt: int = 0  # entries present but unreadable (then rewritten)
    write_errors: int = 0
    untrusted: int = 0  # entries owned by another user (never unpickled)


class ParseCache:
    """Parsed statements of migration files, on disk, keyed by content.

    Args:
        directory: the cache root (default :func:`default_cache_dir`).
        read_only: never write (entries are still read).
    """

    def __init__(self, directory: str | Path | None = None, *, read_only: bool = False) -> None:
        self.root = Path(directory) if directory is not None else default_cache_dir()
        self.directory = self.root / f"v{FORMAT}"
        self.read_only = read_only
        self.stats = CacheStats()
        self._writable: bool | None = None
        self._made = False
        self._serial = 0
        self._index: dict[str, str] | None = None  # packed entry key -> its pack's file name
        self._packs: dict[str, dict[str, bytes] | None] = {}  # packs read in this run

    def _entry(self, key: str) -> Path:
        return self.directory / f"{key}.pickle"

    def has(self, key: str | None) -> bool:
        """Whether an entry exists for ``key`` (it may still turn out unreadable)."""
        if key is None:
            return False
        return key in self._load_index() or os.path.exists(self._entry(key))

    def _load_index(self) -> dict[str, str]:
        """The index, read once per run (a later line for a key wins)."""
        if self._index is None:
            self._index = {}
            data = self._read_owned(self.directory / INDEX)
            for line in (data or b"").split(b"\n"):
                key, _, pack = line.partition(b" ")
                if len(key) == 64 and pack.endswith(b".pack") and b"/" not in pack:
                    self._index[key.decode("ascii", "replace")] = pack.decode("ascii", "replace")
        return self._index

    def _read_owned(self, path: Path) -> bytes | None:
        """The bytes of ``path`` if this user owns it (pickles run code), else None."""
        try:
            with open(path, "rb") as fh:
                if _UID is not None and os.fstat(fh.fileno()).st_uid != _UID:
                    self.stats.untrusted += 1
                    return None
                blob = fh.read()
                if not self.read_only:
                    with contextlib.suppress(OSError):  # "last used", for prune()
                        os.utime(fh.fileno())
                return blob
        except OSError:
            return None

    def _packed(self, key: str) -> bytes | None:
        """The pickled value of a packed entry, or None."""
        name = self._load_index().get(key)
        if name is None:
            return None
        if name not in self._packs:
            entries = None
            blob = self._read_owned(self.directory / name)
            if blob is not None and blob.startswith(_PACK_MAGIC):
                try:
                    entries = pickle.loads(memoryview(blob)[len(_PACK_MAGIC) :])
                except Exception:  # truncated or corrupted: its entries are parsed again
                    entries = None
            self._packs[name] = entries if isinstance(entries, dict) else None
        entries = self._packs[name]
        value = entries.get(key) if entries is not None else None
        return value if isinstance(value, bytes) else None

    def get(self, key: str, expect: type = list) -> Any | None:
        """The value stored under ``key``, or None (missing, unreadable, not an ``expect``)."""
        if key in self._load_index():
            packed = self._packed(key)
            try:
                value = pickle.loads(packed) if packed is not None else None
            except Exception:  # truncated, corrupted or from an incompatible build
                value = None
            if isinstance(value, expect):
                self.stats.hits += 1
                return value
            self.stats.corrupt += 1  # its pack is gone or damaged: a single file, or a miss
        blob = self._read_owned(self._entry(key))
        if blob is None:  # missing, unreadable or another user's
            self.stats.misses += 1
            return None
        value = self.decode(key, blob, expect)
        if value is None:
            self.stats.corrupt += 1
            self.stats.misses += 1
            return None
        self.stats.hits += 1
        return value

    def prune(self, max_age_days: float = MAX_AGE_DAYS, *, now: float | None = None) -> int:
        """Delete entries not used for ``max_age_days`` (and older formats' directories).

        Every history that gained a migration and every dump read leaves an entry behind;
        without pruning the directory only grows. An entry's modification time is its last
        use (:meth:`get` touches it). Returns how many files were removed; errors are ignored
        (another run may be pruning too).
        """
        import shutil
        import time

        cutoff = (time.time() if now is None else now) - max_age_days * 86400
        removed = 0
        with contextlib.suppress(OSError):
            for old in self.root.glob("v*"):
                if old.is_dir() and old.name != self.directory.name and old.name[1:].isdigit():
                    shutil.rmtree(old, ignore_errors=True)
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return 0
        packs_removed = False
        for entry in entries:  # entries, packs and the temporary files of runs that crashed
            if entry.name == INDEX:
                continue
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
                    packs_removed = packs_removed or entry.name.endswith(".pack")
        if packs_removed:
            self._rewrite_index()
        return removed

    def _rewrite_index(self) -> None:
        """The index without the lines of packs that are gone (a line another run appends
        meanwhile may be lost: its entries are then parsed again, nothing worse)."""
        self._index = None
        kept = "".join(
            f"{key} {name}\n"
            for key, name in self._load_index().items()
            if (self.directory / name).exists()
        )
        with contextlib.suppress(OSError):
            self._write_file(self.directory / INDEX, [kept.encode("ascii")])
        self._index = None

    def prune_now_and_then(self) -> None:
        """:meth:`prune` at most once a day per cache directory (a marker file's time says)."""
        if self.read_only:
            return
        import time

        marker = self.root / ".last-prune"
        try:
            if time.time() - marker.stat().st_mtime < 86400:
                return
        except FileNotFoundError:
            pass
        except OSError:
            return
        with contextlib.suppress(OSError):
            self.root.mkdir(parents=True, exist_ok=True)
            marker.touch()
            self.prune()

    @staticmethod
    def header(key: str) -> bytes:
        """What an entry starts with: magic, format and its own key (checked on read)."""
        return b"SDPC%d:" % FORMAT + key.encode("ascii") + b"\n"

    @staticmethod
    def decode(key: str, blob: bytes, expect: type = list) -> Any | None:
        """Read an entry back; None when it is not a whole, matching entry."""
        head = ParseCache.header(key)
        if not blob.startswith(head):
            return None
        try:
            value = pickle.loads(memoryview(blob)[len(head) :])
        except Exception:  # truncated, corrupted or from an incompatible build: any error
            return None
        return value if isinstance(value, expect) else None

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` as one file, atomically (errors are counted, never
        raised). Parsed files go in packs instead (:meth:`put_many`)."""
        if self.read_only or self._writable is False:
            return
        register_records()
        self.put_pickled(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def put_pickled(self, key: str, blob: bytes) -> bool:
        """:meth:`put` for a value already pickled (by a worker that also hands it back);
        whether it was written."""
        if self.read_only or self._writable is False:
            return False
        try:
            self._write_file(self._entry(key), [self.header(key), blob])
        except OSError:
            self._write_failed()
            return False
        self._writable = True
        self.stats.writes += 1
        return True

    def put_many(self, items: list[tuple[str, bytes]]) -> int:
        """Store several pickled values in one pack (see the module's docstring); how many
        were written (errors are counted, never raised)."""
        if self.read_only or self._writable is False or not items:
            return 0
        digest = hashlib.sha256("".join(key for key, _ in items).encode("ascii"))
        name = digest.hexdigest()[:40] + ".pack"
        try:
            body = pickle.dumps(dict(items), protocol=pickle.HIGHEST_PROTOCOL)
            self._write_file(self.directory / name, [_PACK_MAGIC, body])
            lines = "".join(f"{key} {name}\n" for key, _ in items).encode("ascii")
            fd = os.open(self.directory / INDEX, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, lines)  # one write: concurrent appends do not interleave
            finally:
                os.close(fd)
        except OSError:
            self._write_failed()
            return 0
        self._writable = True
        self.stats.writes += len(items)
        if self._index is not None:
            self._index.update((key, name) for key, _ in items)
        return len(items)

    def _write_failed(self) -> None:
        self.stats.write_errors += 1
        if self._writable is None:
            self._writable = False  # read-only directory: stop trying for this run

    def _write_file(self, target: Path, parts: list[bytes]) -> None:
        """Write ``target`` atomically: a temporary file beside it, then :func:`os.replace`."""
        if not self._made:  # one mkdir per run
            self.directory.mkdir(parents=True, exist_ok=True)
            self._made = True
        # a name no other writer uses (this process, this thread, a counter): O_EXCL
        # cannot collide, and it costs less than tempfile's random names
        self._serial += 1
        unique = f"{os.getpid()}.{_thread_id()}.{self._serial}"
        tmp = str(target.parent / f".{target.name[:16]}.{unique}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY
        try:
            try:
                fd = os.open(tmp, flags, 0o600)
            except FileExistsError:  # left by a crashed run whose pid this one reuses
                os.unlink(tmp)
                fd = os.open(tmp, flags, 0o600)
            with os.fdopen(fd, "wb") as fh:
                for part in parts:
                    fh.write(part)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


_O_BINARY = getattr(os, "O_BINARY", 0)


def _thread_id() -> int:
    import threading

    return threading.get_ident()


def open_cache(enabled: bool = True) -> ParseCache | None:
    """The cache a command uses: None when ``enabled`` is false (``--no-cache``) or
    ``SCHEMADIFF_NO_CACHE`` asks for none; old entries are pruned at most once a day."""
    if not enabled or cache_disabled_by_env():
        return None
    cache = ParseCache()
    cache.prune_now_and_then()
    return cache


# -- how cached values are pickled ------------------------------------------------------------
#
# Registered here, not written into the core's types: only the cache pickles them.


class DeferredEffects(Sequence[Effect]):
    """A cached replay's effect log, unpickled the first time it is read: a replay loaded from
    the cache is mostly compared by its catalog, and the log is the larger half of it."""

    __slots__ = ("_blob", "_count", "_items")

    def __init__(self, blob: bytes, count: int) -> None:
        self._blob: bytes | None = blob
        self._count = count
        self._items: list[Effect] | None = None

    def _load(self) -> list[Effect]:
        if self._items is None:
            assert self._blob is not None
            self._items, self._blob = pickle.loads(self._blob), None
        return self._items

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self._load()[index]

    def __iter__(self) -> Iterator[Effect]:
        return iter(self._load())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return self._load() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (self._load(),))


def _reduce_replay(replay: Replay) -> tuple[Any, ...]:
    effects = list(replay.effects)
    blob = pickle.dumps(effects, protocol=pickle.HIGHEST_PROTOCOL)
    state = (replay.catalog, blob, len(effects), replay.diagnostics, replay.stats,
             replay.migrations, replay.notes, replay.undecided, list(replay.rewrites),
             list(replay.moves))
    return (_restore_replay, state)


def _restore_replay(catalog: Any, blob: bytes, count: int, diagnostics: Any, stats: Any,
                    migrations: Any, notes: Any = (), undecided: Any = frozenset(),
                    rewrites: Any = (), moves: Any = ()) -> Replay:
    return Replay(catalog, DeferredEffects(blob, count), diagnostics, stats, migrations,
                  list(notes), frozenset(undecided), list(rewrites), list(moves))


def _reduce_objects(objects: _Objects) -> tuple[Any, ...]:
    # a dict subclass unpickles its items before its attributes: carry the indexes along
    # (pickle shares the objects between them) instead of re-indexing every item
    indexes = (objects.by_kind, objects.by_table, objects.by_parent, objects.by_ref)
    return (_restore_objects, (dict(objects), indexes))


def _restore_objects(items: dict[Any, Any], indexes: tuple[Any, ...]) -> _Objects:
    objects = _Objects()
    dict.update(objects, items)
    objects.by_kind, objects.by_table, objects.by_parent, objects.by_ref = indexes
    return objects


copyreg.pickle(Replay, _reduce_replay)
copyreg.pickle(_Objects, _reduce_objects)


# Records pickle through ``__getstate__``/``__setstate__`` (the object is made first, then
# filled): unpickling is most of a warm 10,000-migration run. One call that makes and fills it
# from a flat tuple of the fields is 11-13 % faster there (benchmarks/results/AB_MACHINERY.md).
# Registered for the package's records as their modules are imported (the parser's only where
# it is loaded).

_SCANNED: set[str] = set()
_modules_seen = 0  # len(sys.modules) at the last scan: a record class comes with a new module
_setattr = object.__setattr__


def _make(cls: type, state: tuple[Any, ...]) -> Any:
    restore = _RESTORE.get(cls)
    if restore is None:
        restore = _RESTORE[cls] = _restorer(cls)
    return restore(state)


_RESTORE: dict[type, Callable[[tuple[Any, ...]], Any]] = {}


def _restorer(cls: type) -> Callable[[tuple[Any, ...]], Any]:
    """A function making an object of ``cls`` from its state, written for the class's fields
    (unpacking and setting each by name: a third faster than a loop over them; compiled once
    per class a run unpickles, not for every record)."""
    names = record_fields(cls) or ()
    if not names:
        return lambda state: object.__new__(cls)
    local = [f"_{i}" for i in range(len(names))]
    source = (
        "def restore(state):\n    obj = new(cls)\n"
        f"    ({', '.join(local)},) = state\n"
        + "".join(f"    put(obj, {name!r}, {var})\n" for name, var in zip(names, local))
        + "    return obj\n"
    )
    env = {"new": object.__new__, "cls": cls, "put": _setattr}
    exec(compile(source, f"<restore {cls.__qualname__}>", "exec"), env)
    return env["restore"]  # type: ignore[no-any-return]


def _reduce_record(obj: Any) -> tuple[Any, ...]:
    return (_make, (type(obj), obj.__getstate__()))  # the record's own: built by attrgetter


def register_records() -> None:
    """Give every :func:`~schemadiff.records.record` of the imported schemadiff modules the
    cheap pickled state (called before the cache pickles anything; classes already done are
    skipped)."""
    import sys

    global _modules_seen
    if len(sys.modules) == _modules_seen:  # nothing imported since (it runs once per file)
        return
    _modules_seen = len(sys.modules)
    for name, module in list(sys.modules.items()):
        if name in _SCANNED or not name.startswith("schemadiff") or module is None:
            continue
        _SCANNED.add(name)
        for value in list(vars(module).values()):
            if (isinstance(value, type) and value not in copyreg.dispatch_table
                    and value.__module__ == name and record_fields(value) is not None):
                copyreg.pickle(value, _reduce_record)
