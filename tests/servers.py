"""Real servers for tests, each started in a temp directory on a free loopback port and stopped after.

- Postgres: ``initdb`` + ``postgres`` from Debian's package (``apt-get install postgresql``), as the
  ``postgres`` system user when the tests run as root (initdb refuses root), trust auth on 127.0.0.1 only.
- Chroma: the ``chroma run`` command the chromadb package installs.

A server that cannot be started here makes its tests skip with the reason, unless ``TEST_SERVERS``
is ``required`` (``.ci/run`` sets it): then they fail, so CI cannot pass without having run them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REQUIRED = os.environ.get("TEST_SERVERS", "") == "required"


def unavailable(reason: str) -> None:
    """Skip (or, in CI, fail) because a server cannot run here."""
    if REQUIRED:
        pytest.fail(f"{reason} (TEST_SERVERS=required: CI must run these tests)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(ready: Callable[[], bool], timeout: float, proc: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    proc.kill()
    unavailable(f"{what} did not start within {timeout:.0f} s: {tail.strip() or 'no output'}")


def stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- Postgres ----------------------------------------------------------------------------------------------
def postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _as_user() -> tuple[list[str], Callable[[Path], None]]:
    """How to run the server: as ourselves, or as the ``postgres`` user when we are root."""
    if os.geteuid() != 0:
        return [], lambda _p: None
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        unavailable("running as root and there is no 'postgres' user to run the server as "
                    "(apt-get install postgresql creates it)")
        raise

    def chown(path: Path) -> None:
        os.chown(path, pw.pw_uid, pw.pw_gid)

    runuser = shutil.which("runuser")
    prefix = [runuser, "-u", "postgres", "--"] if runuser else ["su", "postgres", "-s", "/bin/sh", "-c"]
    return prefix, chown


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway Postgres server; yields an admin URL (``postgresql+psycopg://copilot@127.0.0.1:PORT/postgres``)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed (pip install 'sales-copilot[postgres]')")
    bindir = postgres_bin()
    if bindir is None:
        unavailable("Postgres server binaries not found (apt-get install postgresql)")
        raise AssertionError  # unreachable
    prefix, chown = _as_user()
    root = Path(tempfile.mkdtemp(prefix="copilot-pg-"))
    chown(root)
    data, log = root / "data", root / "server.log"
    port = free_port()

    def cmd(*args: str) -> list[str]:
        line = [str(a) for a in args]
        return [*prefix, " ".join(line)] if prefix[:1] == ["su"] else [*prefix, *line]

    init = subprocess.run(cmd(str(bindir / "initdb"), "-D", str(data), "-U", "copilot", "--auth=trust",
                              "--no-sync", "-E", "UTF8", "--locale=C"), capture_output=True, text=True)
    if init.returncode != 0:
        unavailable(f"initdb failed: {(init.stderr or init.stdout).strip()[-500:]}")
    with open(log, "w") as fh:
        chown(log)
        proc = subprocess.Popen(cmd(str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(root),
                                    "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                                    "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                                    "-c", "max_connections=200"),
                                stdout=fh, stderr=subprocess.STDOUT)
    url = f"postgresql+psycopg://copilot@127.0.0.1:{port}/postgres"

    def ready() -> bool:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={port} user=copilot dbname=postgres", connect_timeout=1):
            return True

    try:
        wait_until(ready, 60, proc, "postgres", log)
        yield url
    finally:
        stop(proc)
        shutil.rmtree(root, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    """A new, empty database on the server; returns its URL."""
    import psycopg

    dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- Chroma ------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def chroma_server() -> Iterator[str]:
    """``chroma run`` on a free port with its data in a temp directory; yields ``http://127.0.0.1:PORT``."""
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        unavailable(f"the 'chroma' command is not installed beside {sys.executable} (pip install chromadb)")
    root = Path(tempfile.mkdtemp(prefix="copilot-chroma-"))
    port, log = free_port(), root / "server.log"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with open(log, "w") as fh:
        proc = subprocess.Popen([str(exe), "run", "--path", str(root / "data"), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=fh, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        import httpx

        return httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200

    try:
        wait_until(ready, 60, proc, "chroma", log)
        yield url
    finally:
        stop(proc)
        shutil.rmtree(root, ignore_errors=True)


# -- Redis -------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """``redis-server`` (Debian's package) on a free loopback port, nothing persisted; yields ``redis://...``."""
    exe = shutil.which("redis-server")
    if exe is None:
        unavailable("redis-server not found (apt-get install redis-server)")
        raise AssertionError  # unreachable
    root = Path(tempfile.mkdtemp(prefix="copilot-redis-"))
    port, log = free_port(), root / "server.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                 "--dir", str(root)], stdout=fh, stderr=subprocess.STDOUT)

    def ready() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    try:
        wait_until(ready, 30, proc, "redis-server", log)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc)
        shutil.rmtree(root, ignore_errors=True)
