"""Real migration tools for end-to-end tests: npm packages installed once, a TCP door to a
socket-only server.

- :func:`npm_prefix` installs pinned npm packages into a directory keyed by the package list
  (``$SCHEMADIFF_NPM_CACHE``, else ``<tmp>/schemadiff-npm``), once: later runs and CI reuse it.
  The test is skipped only when ``npm`` itself is absent.
- :func:`tcp_address` gives a ``(host, port)`` for a server: its own when it listens on TCP,
  else a loopback relay to its unix socket (the embedded server listens on no TCP port, and
  JDBC reaches no socket).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

DRIZZLE_PACKAGES = ("drizzle-orm@0.45.4", "drizzle-kit@0.31.11", "pg@8.23.1")
LIQUIBASE_PACKAGES = ("liquibase@4.28.1",)  # bundles the Liquibase 4.28.0 CLI (needs Java)


def npm_prefix(packages: tuple[str, ...]) -> Path:
    """A directory whose ``node_modules`` holds ``packages`` (installed on first use)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot install " + " ".join(packages))
    key = hashlib.sha256("\n".join(packages).encode()).hexdigest()[:16]
    base = Path(os.environ.get("SCHEMADIFF_NPM_CACHE")
                or Path(tempfile.gettempdir()) / "schemadiff-npm")
    target = base / key
    done = target / "node_modules" / ".schemadiff-complete"
    if done.exists():
        return target
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=base))
    proc = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(work),
         *packages], capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, f"npm install {packages} failed:\n{proc.stdout}\n{proc.stderr}"
    (work / "node_modules" / ".schemadiff-complete").write_text(" ".join(packages))
    try:
        work.rename(target)
    except OSError:  # another run finished first
        shutil.rmtree(work, ignore_errors=True)
    assert done.exists(), f"npm install left no {done}"
    return target


@contextmanager
def tcp_address(dsn: str) -> Iterator[tuple[str, int, str]]:
    """``(host, port, user)`` reaching the server of ``dsn`` over TCP.

    A server reached through a unix socket gets a loopback relay for the duration of the
    ``with`` block (bounded: it ends with the block).
    """
    info = conninfo_to_dict(dsn)
    host = str(info.get("host") or "localhost")
    port = int(info.get("port") or 5432)
    user = str(info.get("user") or "postgres")
    if not host.startswith("/"):
        yield host, port, user
        return
    path = os.path.join(host, f".s.PGSQL.{port}")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(path)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", listener.getsockname()[1], user
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
