"""A throwaway Emporium for benchmarks: a database, a migrated schema, a real server process.

    with harness.database("postgresql") as url:          # or "sqlite", or an existing URL
        harness.run(url, seed)                           # async def seed(runtime) -> …
        with harness.server(url) as base_url:            # `emporium serve` on a free port
            ...                                          # drive it over real sockets

`database` starts a PostgreSQL cluster of its own (the test suite's, fsync off: figures are
for the code, not the disk) or makes a SQLite file in a temporary folder, migrates it, and
removes everything afterwards. `server` runs `emporium serve` in a subprocess with the
dispatcher inline, waits for /readyz and stops it with SIGTERM. `run` executes an async
function against a runtime on the same database (seed data through the contexts' facades),
and `settle` lets every subscriber catch up before the clock starts, so a benchmark does
not measure the search indexer digesting the seed.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

from emporium.bootstrap import build_runtime
from emporium.kernel import migrate
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings

T = TypeVar("T")
BENCH_DB = "emporium_bench"
SECRET = "bench-secret-key-that-is-long-enough-for-hs256"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh migrated database URL for backend "sqlite" or "postgresql" (or a URL as is)."""
    if "://" in backend:
        migrate.upgrade(backend)
        yield backend
        return
    with tempfile.TemporaryDirectory(prefix="emporium-bench-") as scratch:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{scratch}/bench.db"
            migrate.upgrade(url)
            try:
                yield url
            finally:
                shutil.rmtree(_files(url), ignore_errors=True)
            return
        with _postgres() as url:
            migrate.upgrade(url)
            try:
                yield url
            finally:
                shutil.rmtree(_files(url), ignore_errors=True)


@contextmanager
def _postgres() -> Iterator[str]:
    from tests.support.postgres import start_cluster

    cluster = start_cluster()
    if cluster is None:
        raise SystemExit("PostgreSQL server binaries not found (set EMPORIUM_PG_BIN)")
    try:
        subprocess.run(
            [
                str(cluster.bin_dir / "createdb"),
                *("-h", "127.0.0.1", "-p", str(cluster.port), "-U", cluster.user),
                BENCH_DB,
            ],
            check=True,
        )
        yield cluster.url(BENCH_DB)
    finally:
        cluster.stop()


def _files(url: str) -> Path:
    """Where processes on url keep media and the embedded search index (shared by all)."""
    return (
        Path(tempfile.gettempdir())
        / f"emporium-bench-{hashlib.sha1(url.encode()).hexdigest()[:10]}"
    )


def environment_for(url: str) -> dict[str, str]:
    """The EMPORIUM_* settings of every process of a benchmark on url."""
    return {
        "EMPORIUM_DATABASE_URL": url,
        "EMPORIUM_SECRET_KEY": SECRET,
        "EMPORIUM_LOG_LEVEL": "WARNING",
        "EMPORIUM_MEDIA_DIR": str(_files(url) / "media"),
        "EMPORIUM_SEARCH_INDEX_DIR": str(_files(url) / "search-index"),
        "EMPORIUM_DB_POOL_SIZE": "20",
    }


def run(url: str, work: Callable[[Runtime], Awaitable[T]]) -> T:
    """Run work against a runtime on url in this process (seeding, checks)."""

    async def main() -> T:
        env = {k.removeprefix("EMPORIUM_").lower(): v for k, v in environment_for(url).items()}
        runtime = build_runtime(Settings(_env_file=None, dispatcher="off", **env))  # type: ignore[call-arg]
        try:
            return await work(runtime)
        finally:
            await runtime.db.dispose()

    return asyncio.run(main())


def settle(url: str) -> int:
    """Let every subscriber catch up with the log (the search index after seeding, …)."""
    return run(url, dispatch_until_idle)


@dataclass(frozen=True)
class Server:
    """A running `emporium serve`: where to reach it and its process (for CPU and memory)."""

    base_url: str
    process: subprocess.Popen[bytes]


@contextmanager
def server(url: str, *, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[str]:
    """`emporium serve` on url in a subprocess; yields its base URL, stops it afterwards."""
    with serve(url, workers=workers, env=env) as running:
        yield running.base_url


@contextmanager
def serve(
    url: str,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    cpus: str | None = None,
) -> Iterator[Server]:
    """As server(), yielding the process too; cpus ("0") pins it with taskset."""
    port = free_port()
    environment = {**os.environ, **environment_for(url), **(env or {})}
    pin = ["taskset", "-c", cpus] if cpus else []
    with tempfile.TemporaryDirectory(prefix="emporium-bench-server-") as cwd:
        log = Path(cwd) / "server.log"
        with log.open("wb") as out:
            command = ["serve", "--port", str(port), "--workers", str(workers)]
            process = subprocess.Popen(
                [*pin, sys.executable, "-m", "emporium.cli", *command],
                cwd=cwd,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                base_url = f"http://127.0.0.1:{port}"
                _wait_ready(base_url, process, log)
                yield Server(base_url, process)
            except BaseException:
                tail = log.read_text(errors="replace")[-4000:]
                print(f"--- emporium serve's log (end) ---\n{tail}", file=sys.stderr)
                raise
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("emporium serve exited:\n" + log.read_text(errors="replace"))
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("emporium serve did not become ready:\n" + log.read_text(errors="replace"))
