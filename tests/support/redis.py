"""A throwaway redis-server on a free port, started from the binary for the tests that need it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

NO_REDIS = "redis-server not found on PATH: Redis tests SKIPPED (apt-get install redis-server)"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis() -> RedisServer | None:
    """A running server with persistence off, or None when redis-server is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="emporium-redis-"))
    port = _free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(root)]
    args += ["--save", "", "--appendonly", "no", "--protected-mode", "yes"]
    log = open(root / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    server = RedisServer(subprocess.Popen(args, stdout=log, stderr=log), root, port)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _answers_ping(port):
            return server
        if server.process.poll() is not None:
            break
        time.sleep(0.05)
    output = (root / "server.log").read_text(errors="replace")
    server.stop()
    raise RuntimeError(f"redis-server did not start:\n{output}")


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    """A redis-server for one test module; its tests are skipped, loudly, without the binary.

    Use it in a module with `redis_server = tests.support.redis.redis_server`.
    """
    server = start_redis()
    if server is None:
        warnings.warn(NO_REDIS, stacklevel=1)
        pytest.skip(NO_REDIS)
    yield server
    server.stop()
