"""A throwaway PostgreSQL cluster started from the server binaries, for the test session."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CANDIDATE_BIN_DIRS = [
    os.environ.get("EMPORIUM_PG_BIN", ""),
    *sorted((str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")), reverse=True),
    "/usr/local/pgsql/bin",
]


def find_bin_dir() -> Path | None:
    """The directory holding initdb and postgres, or None when PostgreSQL is not installed."""
    for candidate in CANDIDATE_BIN_DIRS:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    bin_dir: Path
    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    user: str = "emporium"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def _as_owner(self, args: list[str]) -> list[str]:
        # The server refuses to run as root; use the `postgres` account when we are root.
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    def start(self) -> None:
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        subprocess.run(
            self._as_owner(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    self.user,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.root),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "400",
            "shared_buffers": "128MB",
            "max_locks_per_transaction": "256",
        }
        args = [str(self.bin_dir / "postgres"), "-D", str(self.data_dir)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        log = open(self.root / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(self._as_owner(args), stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if ready.returncode == 0:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(
            "PostgreSQL did not start:\n" + (self.root / "server.log").read_text(errors="replace")
        )

    def url(self, database: str, *, driver: str = "asyncpg") -> str:
        return f"postgresql+{driver}://{self.user}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> PostgresCluster | None:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="emporium-pg-"))
    cluster = PostgresCluster(bin_dir=bin_dir, root=root, port=_free_port())
    cluster.start()
    return cluster
